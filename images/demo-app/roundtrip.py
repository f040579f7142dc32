"""Round trips through the data services hostplane connects the demo app to.

Each check uses only the connection settings hostplane hands the app (plain env and *_FILE
secret files), sends a fresh value, reads it back and reports both, never a credential. The
client libraries are Debian 12 packages, imported only when a check runs.
"""
import os
import time
import uuid

TIMEOUT = 30  # seconds any one check may take


def setting(name):
    """NAME from NAME_FILE (a secret file) or from NAME (plain env); KeyError when neither."""
    path = os.environ.get(name + "_FILE")
    if path:
        with open(path, encoding="utf-8") as f:
            return f.read().strip()
    if name in os.environ:
        return os.environ[name]
    raise KeyError("%s (neither %s_FILE nor %s is set)" % (name, name, name))


def postgres(token):
    import psycopg2

    with psycopg2.connect(setting("DATABASE_URL"), connect_timeout=10) as conn, conn.cursor() as cur:
        cur.execute("CREATE TABLE IF NOT EXISTS demo_roundtrip (token text PRIMARY KEY, at timestamptz DEFAULT now())")
        cur.execute("INSERT INTO demo_roundtrip (token) VALUES (%s)", (token,))
        cur.execute("SELECT token FROM demo_roundtrip WHERE token = %s", (token,))
        return cur.fetchone()[0]


def redis(token):
    import redis as redis_client

    r = redis_client.Redis.from_url(setting("REDIS_URL"), socket_timeout=10)
    key = "demo:roundtrip:" + token
    r.set(key, token, ex=600)
    return r.get(key).decode()


def rabbitmq(token):
    import pika

    params = pika.URLParameters(setting("AMQP_URL"))
    params.socket_timeout = 10
    conn = pika.BlockingConnection(params)
    try:
        ch = conn.channel()
        queue = "demo-roundtrip-" + token
        ch.queue_declare(queue=queue, auto_delete=False, arguments={"x-expires": 600000})
        ch.basic_publish(exchange="", routing_key=queue, body=token.encode())
        deadline = time.time() + TIMEOUT
        while time.time() < deadline:
            method, _props, body = ch.basic_get(queue=queue, auto_ack=True)
            if method is not None:
                ch.queue_delete(queue=queue)
                return body.decode()
            time.sleep(0.2)
        raise TimeoutError("no message on %s within %ss" % (queue, TIMEOUT))
    finally:
        conn.close()


def kafka(token):
    from confluent_kafka import Consumer, Producer
    from confluent_kafka.admin import AdminClient, NewTopic

    servers = setting("KAFKA_BOOTSTRAP_SERVERS")
    topic = "demo-roundtrip"
    admin = AdminClient({"bootstrap.servers": servers})
    futures = admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)])
    try:
        futures[topic].result(TIMEOUT)
    except Exception as e:  # an existing topic is fine
        if "TOPIC_ALREADY_EXISTS" not in str(e):
            raise
    producer = Producer({"bootstrap.servers": servers})
    producer.produce(topic, key=token.encode(), value=token.encode())
    if producer.flush(TIMEOUT) != 0:
        raise TimeoutError("message not delivered within %ss" % TIMEOUT)
    consumer = Consumer({"bootstrap.servers": servers, "group.id": "demo-" + token, "auto.offset.reset": "earliest"})
    try:
        consumer.subscribe([topic])
        deadline = time.time() + TIMEOUT
        while time.time() < deadline:
            msg = consumer.poll(1.0)
            if msg is None or msg.error():
                continue
            if msg.value().decode() == token:
                return token
        raise TimeoutError("message not consumed within %ss" % TIMEOUT)
    finally:
        consumer.close()


def s3(token):
    import boto3
    from botocore.config import Config

    client = boto3.client(
        "s3",
        endpoint_url=setting("S3_ENDPOINT"),
        aws_access_key_id=setting("S3_ACCESS_KEY_ID"),
        aws_secret_access_key=setting("S3_SECRET_ACCESS_KEY"),
        region_name="us-east-1",
        config=Config(s3={"addressing_style": "path"}, connect_timeout=10, read_timeout=TIMEOUT, retries={"max_attempts": 2}),
    )
    bucket = setting("S3_BUCKET")
    key = "roundtrip/%s.txt" % token
    client.put_object(Bucket=bucket, Key=key, Body=token.encode())
    body = client.get_object(Bucket=bucket, Key=key)["Body"].read().decode()
    client.delete_object(Bucket=bucket, Key=key)
    # Deleted means gone: a HEAD of the key answers 404.
    try:
        client.head_object(Bucket=bucket, Key=key)
    except client.exceptions.ClientError as e:
        if e.response.get("Error", {}).get("Code") not in ("404", "NoSuchKey", "NotFound"):
            raise
    else:
        raise AssertionError("s3://%s/%s still exists after delete" % (bucket, key))
    return body


CHECKS = {"postgres": postgres, "redis": redis, "rabbitmq": rabbitmq, "kafka": kafka, "s3": s3}


def run(kind):
    """(HTTP status, JSON-able result) of one round trip."""
    check = CHECKS.get(kind)
    if check is None:
        return 404, {"error": "unknown round trip %r; one of %s" % (kind, ", ".join(sorted(CHECKS)))}
    token = uuid.uuid4().hex
    started = time.time()
    try:
        received = check(token)
    except Exception as e:  # reported to the caller: the message names the failing step
        return 500, {"kind": kind, "sent": token, "error": "%s: %s" % (type(e).__name__, e)}
    ok = received == token
    return (200 if ok else 500), {"kind": kind, "ok": ok, "sent": token, "received": received, "seconds": round(time.time() - started, 3)}
