#!/usr/bin/env bash
# Start a throwaway PostgreSQL cluster for the test suite's PostgreSQL run, as an
# unprivileged user, on 127.0.0.1 only, with no password (trust) and no fsync.
#
#   eval "$(tools/pg_test_server.sh start)"   # exports HOTSPOT_TEST_PG and PG_TEST_DIR
#   make test                                  # runs the suite on SQLite, then on PostgreSQL
#   tools/pg_test_server.sh stop               # stops it and removes its folder
#
# Needs Debian's postgresql and postgresql-postgis packages (.ci/run installs them).
set -euo pipefail
PORT="${PG_TEST_PORT:-54329}"
BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
if [ -z "$BIN" ]; then
  echo "no PostgreSQL server binaries under /usr/lib/postgresql (apt-get install postgresql)" >&2
  exit 1
fi
# initdb refuses to run as root: root runs the server as the packages' postgres user.
as_owner() {
  if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$1"; else sh -c "$1"; fi
}
case "${1:-start}" in
  start)
    DIR="$(mktemp -d /tmp/hotspot-pg.XXXXXX)"
    chmod 755 "$DIR"
    [ "$(id -u)" = 0 ] && chown postgres "$DIR"
    as_owner "'$BIN/initdb' -D '$DIR/data' -A trust -U postgres -E UTF8 --locale=C.UTF-8 >'$DIR/initdb.log' 2>&1"
    if ! as_owner "'$BIN/pg_ctl' -D '$DIR/data' -l '$DIR/server.log' -w -o \"-p $PORT -k '$DIR' -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200\" start >/dev/null"; then
      # Say why (often: another server on the port) and print nothing to eval.
      echo "the PostgreSQL test server did not start on port $PORT:" >&2
      tail -n 5 "$DIR/server.log" >&2 || true
      rm -rf "$DIR"
      exit 1
    fi
    echo "export PG_TEST_DIR='$DIR'"
    echo "export HOTSPOT_TEST_PG='postgresql+psycopg://postgres@127.0.0.1:$PORT/postgres'"
    ;;
  stop)
    DIR="${PG_TEST_DIR:?PG_TEST_DIR is not set}"
    as_owner "'$BIN/pg_ctl' -D '$DIR/data' -m fast -w stop >/dev/null" || true
    rm -rf "$DIR"
    ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
