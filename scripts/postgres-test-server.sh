#!/usr/bin/env bash
# Start or stop a throw-away PostgreSQL server on loopback for tests (Debian's postgresql package).
#
#   scripts/postgres-test-server.sh start DATA_DIR [PORT]   -> prints the SQLAlchemy URL on stdout
#   scripts/postgres-test-server.sh stop  DATA_DIR
#
# The cluster lives entirely in DATA_DIR (trust auth, loopback only, socket in DATA_DIR), so it
# never touches a system cluster. As root the server runs as the `postgres` user (PostgreSQL
# refuses to run as root). Exit 3 when no PostgreSQL server binaries are installed.
set -euo pipefail

cmd=${1:?usage: $0 start|stop DATA_DIR [PORT]}
data=${2:?usage: $0 start|stop DATA_DIR [PORT]}
port=${3:-55432}

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  echo "no PostgreSQL server binaries (install Debian package 'postgresql')" >&2
  exit 3
fi

as_owner() {  # run a command as the user that owns the cluster
  if [ "$(id -u)" = "0" ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

case "$cmd" in
  start)
    mkdir -p "$data"
    if [ "$(id -u)" = "0" ]; then
      chown postgres: "$data"
      runuser -u postgres -- test -w "$data" \
        || { echo "user postgres cannot reach $data (a parent directory is private)" >&2; exit 1; }
    fi
    if [ ! -f "$data/PG_VERSION" ]; then
      as_owner "$bindir/initdb" -D "$data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >"${data%/}.initdb.log" 2>&1 \
        || { cat "${data%/}.initdb.log" >&2; exit 1; }
    fi
    as_owner "$bindir/pg_ctl" -D "$data" -l "$data/server.log" -w -t 30 \
      -o "-p $port -k $data -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null \
      || { cat "$data/server.log" >&2; exit 1; }
    echo "postgresql+psycopg2://postgres@127.0.0.1:$port/postgres"
    ;;
  stop)
    as_owner "$bindir/pg_ctl" -D "$data" -m fast -w stop >/dev/null
    ;;
  *)
    echo "usage: $0 start|stop DATA_DIR [PORT]" >&2
    exit 2
    ;;
esac
