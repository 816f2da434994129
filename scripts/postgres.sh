#!/usr/bin/env bash
# A throwaway PostgreSQL server for the registry's PostgreSQL tests (registry/tests/postgres.rs),
# started and stopped by scripts/test.sh:
#
#   url=$(bash scripts/postgres.sh start DIR)   # a new cluster in the empty directory DIR;
#                                               # prints the URL for SIGIL_TEST_POSTGRES_URL
#   bash scripts/postgres.sh stop DIR           # stops it and deletes DIR
#
# The server listens on a unix socket in DIR only (no TCP port, so nothing else on the machine
# can reach it and no free port is needed), with trust authentication for its one role,
# `sigil`. PostgreSQL refuses to run as root: as root, the server runs as the `postgres`
# system user the Debian package creates (or `nobody`), which then owns DIR. initdb and
# pg_ctl come from Debian's postgresql package (scripts/install-deps.sh), under
# /usr/lib/postgresql/VERSION/bin, which is not on PATH.
set -euo pipefail

usage() {
  echo "usage: $0 start|stop DIR" >&2
  exit 2
}
[ $# -eq 2 ] || usage
command=$1
dir=$2

bin_dir() {
  local found
  found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$found" ] || [ ! -x "$found/pg_ctl" ]; then
    echo "error: no PostgreSQL server under /usr/lib/postgresql (run scripts/install-deps.sh)" >&2
    exit 1
  fi
  echo "$found"
}

# Runs a PostgreSQL program as the user the server runs as, from DIR (which that user can read).
as_server() {
  if [ "$(id -u)" -eq 0 ]; then
    (cd "$dir" && runuser -u "$(server_user)" -- "$@")
  else
    (cd "$dir" && "$@")
  fi
}

server_user() {
  if id -u postgres >/dev/null 2>&1; then echo postgres; else echo nobody; fi
}

case "$command" in
  start)
    bin=$(bin_dir)
    mkdir -p "$dir"
    [ -z "$(ls -A "$dir")" ] || { echo "error: $dir is not empty" >&2; exit 1; }
    chmod 700 "$dir"
    [ "$(id -u)" -ne 0 ] || chown "$(server_user)" "$dir"
    # --no-sync: the cluster lives for one test run. The server itself keeps the default
    # fsync and synchronous_commit, so it commits the way an operator's does.
    as_server "$bin/initdb" --pgdata="$dir/data" --username=sigil --auth=trust \
      --encoding=UTF8 --locale=C --no-sync >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    as_server "$bin/pg_ctl" start --pgdata="$dir/data" --log="$dir/server.log" --wait --silent \
      -o "-c listen_addresses='' -c unix_socket_directories='$dir' -c max_connections=200" \
      || { cat "$dir/server.log" >&2; exit 1; }
    # The socket directory is percent-encoded: it is a path inside a URL's query.
    socket=$(printf '%s' "$dir" | sed 's|%|%25|g; s|/|%2F|g; s| |%20|g')
    echo "postgres://sigil@localhost/postgres?host=$socket"
    ;;
  stop)
    [ -d "$dir" ] || exit 0
    if [ -f "$dir/data/postmaster.pid" ]; then
      bin=$(bin_dir)
      as_server "$bin/pg_ctl" stop --pgdata="$dir/data" --mode=fast --wait --silent || true
    fi
    rm -rf "$dir"
    ;;
  *) usage ;;
esac
