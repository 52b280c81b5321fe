#!/usr/bin/env bash
# A throwaway PostgreSQL for trying SeedGrains locally (what tests/Shared/PostgresServer.cs does for the tests):
# initdb into $SG_TRIAL_DIR/pg, listen on 127.0.0.1:$SG_PG_PORT, trust authentication. NOT for production.
#   deploy/local/postgres.sh start|stop|restart|status|url|destroy
# PostgreSQL refuses to run as root; as root the server runs as user 'postgres' (runuser).
set -euo pipefail
DIR="${SG_TRIAL_DIR:-/tmp/sg-trial}/pg"
PORT="${SG_PG_PORT:-55432}"
BIN="${SEEDGRAINS_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}"
[[ -x "$BIN/pg_ctl" ]] || { echo "postgres.sh: initdb/pg_ctl not found (set SEEDGRAINS_PG_BIN)" >&2; exit 2; }

as_pg() { if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
ctl() { as_pg "$BIN/pg_ctl" -D "$DIR/data" "$@"; }

case "${1:-}" in
  start)
    if [[ ! -d "$DIR/data" ]]; then
      mkdir -p "$DIR"
      [[ $(id -u) == 0 ]] && chown postgres: "$DIR"
      as_pg "$BIN/initdb" -D "$DIR/data" -U postgres --auth-local=trust --auth-host=trust -E UTF8 --no-locale >/dev/null
    fi
    # Durability settings stay at PostgreSQL's defaults (fsync on, synchronous_commit on): the trial checks durability.
    ctl -l "$DIR/server.log" -o "-p $PORT -c listen_addresses=127.0.0.1 -k $DIR -c max_connections=200" -w -t 60 start >/dev/null
    echo "postgres up on 127.0.0.1:$PORT (data $DIR/data, log $DIR/server.log)"
    ;;
  stop) ctl -m fast -w stop >/dev/null; echo "postgres stopped" ;;
  restart) ctl -m fast -w restart -o "-p $PORT -c listen_addresses=127.0.0.1 -k $DIR -c max_connections=200" >/dev/null; echo "postgres restarted" ;;
  status) ctl status ;;
  url) echo "Host=127.0.0.1;Port=$PORT;Username=postgres;Database=postgres" ;;
  destroy) ctl -m immediate -w stop >/dev/null 2>&1 || true; rm -rf "$DIR"; echo "removed $DIR" ;;
  *) echo "usage: $0 start|stop|restart|status|url|destroy" >&2; exit 2 ;;
esac
