#!/usr/bin/env bash
# Runs a Kafka main class with the distribution's variables: KAFKA_HEAP_OPTS (default -Xmx256M),
# KAFKA_JVM_PERFORMANCE_OPTS, KAFKA_JMX_OPTS (+ JMX_PORT), KAFKA_LOG4J_OPTS, KAFKA_OPTS.
set -euo pipefail
base="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
[ "$#" -ge 1 ] || { echo "USAGE: $0 classname [opts]" >&2; exit 1; }
heap="${KAFKA_HEAP_OPTS:--Xmx256M}"
perf="${KAFKA_JVM_PERFORMANCE_OPTS:--server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -XX:MaxInlineLevel=15 -Djava.awt.headless=true}"
jmx="${KAFKA_JMX_OPTS:-}"
if [ -n "${JMX_PORT:-}" ]; then jmx="$jmx -Dcom.sun.management.jmxremote.port=$JMX_PORT"; fi
log4j="${KAFKA_LOG4J_OPTS:--Dlog4j2.configurationFile=$base/config/tools-log4j2.yaml}"
# shellcheck disable=SC2086 # the *_OPTS variables are word lists, as in Kafka's own script
exec java $heap $perf $jmx $log4j ${KAFKA_OPTS:-} -cp "$base/libs/*" "$@"
