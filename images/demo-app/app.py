"""hostplane e2e demo app: stdlib-only HTTP server.

GET /health      200 "ok" (503 "failing" when FAIL_HEALTH=1)
GET /metrics     Prometheus text format (request counter, info, uptime)
GET /            JSON: version, hostname, secret names seen (*_FILE), pid
GET /status/N    answers with HTTP status N (e.g. /status/500)
GET /slow?seconds=S  answers like / after S seconds (0-30, default 2): a request in flight
                     while the proxy switches revisions
GET /roundtrip/K  sends a fresh value through data service K (postgres, redis, rabbitmq, kafka,
                  s3) with the settings hostplane handed the app, reads it back: JSON, 200 when
                  it matches (roundtrip.py)
POST /alerts     an Alertmanager webhook receiver: keeps the last 50 notifications
GET /alerts      the notifications received, as JSON

SIGTERM stops accepting and lets requests in progress finish before the process exits.
"""
import json
import os
import signal
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import roundtrip

VERSION = os.environ.get("VERSION", "dev")
PORT = int(os.environ.get("PORT", "8000"))
FAIL_HEALTH = os.environ.get("FAIL_HEALTH", "") not in ("", "0", "false")
STARTED = time.time()

_lock = threading.Lock()
_requests = {}  # (path label, code) -> count
_alerts = []  # the last Alertmanager webhook notifications, newest last


def secrets_seen():
    """Names of *_FILE env vars whose file exists and is readable (no values)."""
    seen, unreadable = [], []
    for key, path in sorted(os.environ.items()):
        if not key.endswith("_FILE") or not path:
            continue
        name = key[: -len("_FILE")]
        try:
            with open(path, "rb") as f:
                f.read(1)
            seen.append(name)
        except OSError:
            unreadable.append(name)
    return seen, unreadable


def path_label(path):
    if path in ("/", "/health", "/metrics"):
        return path
    if path.startswith("/status/"):
        return "/status"
    if path == "/slow" or path == "/alerts":
        return path
    if path.startswith("/roundtrip/"):
        return "/roundtrip"
    return "other"


class Handler(BaseHTTPRequestHandler):
    server_version = "hostplane-demo-app/" + VERSION
    protocol_version = "HTTP/1.1"

    def _send(self, code, body, ctype="text/plain; charset=utf-8"):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-App-Version", VERSION)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        with _lock:
            k = (path_label(self.path.split("?", 1)[0]), code)
            _requests[k] = _requests.get(k, 0) + 1

    def do_HEAD(self):
        self.do_GET()

    def do_POST(self):
        path = self.path.split("?", 1)[0]
        if path != "/alerts":
            return self._send(404, "not found\n")
        length = int(self.headers.get("Content-Length") or 0)
        if not 0 < length <= 1 << 20:
            return self._send(400, "expected a JSON body of at most 1 MiB\n")
        try:
            note = json.loads(self.rfile.read(length))
        except ValueError:
            return self._send(400, "expected JSON\n")
        with _lock:
            _alerts.append(note)
            del _alerts[:-50]
        print("alert notification: %s %s" % (note.get("status"), note.get("groupLabels")), flush=True)
        return self._send(200, "ok\n")

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        if path == "/health":
            if FAIL_HEALTH:
                return self._send(503, "failing\n")
            return self._send(200, "ok\n")
        if path == "/metrics":
            return self._send(200, metrics(), "text/plain; version=0.0.4; charset=utf-8")
        if path == "/slow":
            try:
                seconds = float(parse_qs(self.path.partition("?")[2]).get("seconds", ["2"])[0])
            except ValueError:
                seconds = -1
            if not 0 <= seconds <= 30:
                return self._send(400, "seconds must be 0-30\n")
            started = time.time()
            time.sleep(seconds)
            body = {"version": VERSION, "hostname": socket.gethostname(), "slept": round(time.time() - started, 3)}
            return self._send(200, json.dumps(body) + "\n", "application/json")
        if path == "/":
            seen, unreadable = secrets_seen()
            body = {
                "app": "hostplane-demo-app",
                "version": VERSION,
                "hostname": socket.gethostname(),
                "pid": os.getpid(),
                "secrets": seen,
                "secrets_unreadable": unreadable,
                "uptime_seconds": round(time.time() - STARTED, 1),
            }
            return self._send(200, json.dumps(body) + "\n", "application/json")
        if path.startswith("/roundtrip/"):
            code, result = roundtrip.run(path[len("/roundtrip/"):])
            return self._send(code, json.dumps(result) + "\n", "application/json")
        if path == "/alerts":
            with _lock:
                body = json.dumps(_alerts)
            return self._send(200, body + "\n", "application/json")
        if path.startswith("/status/"):
            try:
                code = int(path[len("/status/"):])
            except ValueError:
                code = 0
            if 200 <= code <= 599:
                return self._send(code, "status %d\n" % code)
            return self._send(400, "bad status\n")
        return self._send(404, "not found\n")

    def log_message(self, fmt, *args):
        sys.stdout.write("%s - %s\n" % (self.address_string(), fmt % args))


def metrics():
    lines = [
        "# HELP demo_app_requests_total HTTP requests served.",
        "# TYPE demo_app_requests_total counter",
    ]
    with _lock:
        items = sorted(_requests.items())
    for (path, code), n in items:
        lines.append('demo_app_requests_total{path="%s",code="%d"} %d' % (path, code, n))
    lines += [
        "# HELP demo_app_info Build info.",
        "# TYPE demo_app_info gauge",
        'demo_app_info{version="%s"} 1' % VERSION.replace('"', ""),
        "# HELP demo_app_uptime_seconds Seconds since start.",
        "# TYPE demo_app_uptime_seconds gauge",
        "demo_app_uptime_seconds %.1f" % (time.time() - STARTED),
        "",
    ]
    return "\n".join(lines)


class Server(ThreadingHTTPServer):
    # Graceful stop: server_close() waits for the request threads (a slow request in progress
    # when Docker sends SIGTERM still gets its answer).
    daemon_threads = False
    block_on_close = True
    # socketserver's default listen backlog is 5: under a burst of new proxy connections the
    # kernel would drop SYNs and the proxy would wait for a retransmission.
    request_queue_size = 128
    allow_reuse_address = True
    address_family = socket.AF_INET6 if socket.has_ipv6 else socket.AF_INET

    def server_bind(self):
        if self.address_family == socket.AF_INET6:
            self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        super().server_bind()


def main():
    try:
        httpd = Server(("::", PORT), Handler)
    except OSError:  # no IPv6 in this network namespace
        Server.address_family = socket.AF_INET
        httpd = Server(("0.0.0.0", PORT), Handler)

    def stop(signum, _frame):
        print("signal %d: shutting down" % signum, flush=True)
        threading.Thread(target=httpd.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print("demo-app %s listening on :%d" % (VERSION, PORT), flush=True)
    httpd.serve_forever(poll_interval=0.2)
    httpd.server_close()
    print("bye", flush=True)


if __name__ == "__main__":
    main()
