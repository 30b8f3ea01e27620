#!/usr/bin/env bash
# A throwaway PostgreSQL 15 server for the tests that need a real one (test/verify/server*.test.ts,
# test/verify/rules-proven.test.ts): they read its URL from MIGSAFE_TEST_DATABASE_URL.
#
#   scripts/ci-postgres.sh run CMD [ARG…]   start a server, run CMD with MIGSAFE_TEST_DATABASE_URL set,
#                                           stop the server (also on failure), exit with CMD's status
#   scripts/ci-postgres.sh start            start a server and print `export …` lines for eval:
#                                             env="$(scripts/ci-postgres.sh start)" && eval "$env"
#   scripts/ci-postgres.sh stop [DIR]       stop the server started in DIR (default: $MIGSAFE_TEST_PGDIR)
#                                           and delete DIR
#
# Installs Debian's postgresql-15 when /usr/lib/postgresql/15/bin/postgres is missing. The server is
# never the package's own cluster (15/main, port 5432, which the package's postinst creates and may
# start): it is a fresh initdb in a temporary directory, listening on a unix socket in that directory
# and on a free loopback port, with fsync off. As root it runs as the `postgres` user (PostgreSQL refuses
# to run as root). Authentication: trust on the unix socket and for the superuser `migsafe` on
# 127.0.0.1; scram-sha-256 for every other role on 127.0.0.1, so that tests can check a wrong password.
set -euo pipefail

PG_BIN=/usr/lib/postgresql/15/bin

log() { echo "ci-postgres: $*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Runs a command as the server's OS user: `postgres` when we are root, else ourselves.
as_server_user() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

install_postgres() {
  if [ -x "$PG_BIN/postgres" ]; then return; fi
  log "installing postgresql-15 from Debian's packages"
  as_root apt-get update
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql-15
}

free_port() {
  node -e 'const s = require("node:net").createServer(); s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

start() {
  local started=$SECONDS
  install_postgres
  local dir
  dir="$(mktemp -d "${TMPDIR:-/tmp}/migsafe-pg.XXXXXX")"
  mkdir -p "$dir/data" "$dir/socket"
  if [ "$(id -u)" -eq 0 ]; then chown -R postgres:postgres "$dir"; fi
  chmod 700 "$dir/data"

  if ! as_server_user "$PG_BIN/initdb" --pgdata="$dir/data" --username=migsafe --encoding=UTF8 --locale=C \
    --auth-local=trust --auth-host=scram-sha-256 --no-sync >"$dir/initdb.log" 2>&1; then
    cat "$dir/initdb.log" >&2
    rm -rf "$dir"
    log "initdb failed"
    return 1
  fi
  as_server_user sh -c "cat > '$dir/data/pg_hba.conf'" <<'EOF'
local all all                trust
host  all migsafe 127.0.0.1/32 trust
host  all all     127.0.0.1/32 scram-sha-256
EOF

  local port attempt
  for attempt in 1 2 3; do
    port="$(free_port)"
    if as_server_user "$PG_BIN/pg_ctl" --pgdata="$dir/data" --log="$dir/server.log" --wait --timeout=60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir/socket -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
      start >/dev/null; then
      break
    fi
    if [ "$attempt" -eq 3 ]; then
      cat "$dir/server.log" >&2
      rm -rf "$dir"
      log "the server did not start"
      return 1
    fi
    log "port $port was taken; trying another"
  done

  if ! "$PG_BIN/psql" --no-psqlrc --quiet --set=ON_ERROR_STOP=1 --host="$dir/socket" --port="$port" \
    --username=migsafe --dbname=postgres --command="CREATE DATABASE migsafe" >/dev/null; then
    stop "$dir"
    log "could not create the database migsafe"
    return 1
  fi

  log "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$port and $dir/socket, started in $((SECONDS - started)) s"
  echo "export MIGSAFE_TEST_DATABASE_URL='postgresql://migsafe@127.0.0.1:$port/migsafe'"
  echo "export MIGSAFE_TEST_PGDIR='$dir'"
}

stop() {
  local dir="${1:-${MIGSAFE_TEST_PGDIR:-}}"
  if [ -z "$dir" ] || [ ! -d "$dir/data" ]; then
    log "no server directory to stop (give it, or set MIGSAFE_TEST_PGDIR)"
    return 1
  fi
  as_server_user "$PG_BIN/pg_ctl" --pgdata="$dir/data" --mode=immediate --wait stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}

case "${1:-}" in
  start)
    start
    ;;
  stop)
    stop "${2:-}"
    ;;
  run)
    shift
    if [ "$#" -eq 0 ]; then
      log "run needs a command"
      exit 2
    fi
    env_lines="$(start)"
    eval "$env_lines"
    trap 'stop "$MIGSAFE_TEST_PGDIR"' EXIT
    status=0
    "$@" || status=$?
    exit "$status"
    ;;
  *)
    echo "usage: $0 run CMD [ARG…] | start | stop [DIR]" >&2
    exit 2
    ;;
esac
