#!/usr/bin/env bash
# SQL as the superuser inside a running PostgreSQL container, one-shot step of
# components/data/postgres.ts (roles and databases per app, the monitoring role). The SQL, which
# holds passwords, comes on stdin: never on a command line.
#
#   run_sql CONTAINER < sql
set -euo pipefail

run_sql() {
    docker exec -i "$1" psql -X -q -U postgres -d postgres -v ON_ERROR_STOP=1
}
