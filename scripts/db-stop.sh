#!/usr/bin/env bash
# Stops the cluster that scripts/db-start.sh started (by the postmaster's pid) and deletes its state.
#   bash scripts/db-stop.sh   (state dir: $CROWD_DB_STATE or /tmp/crowd-dispatch-db)
set -uo pipefail
state="${CROWD_DB_STATE:-/tmp/crowd-dispatch-db}"
pidfile="$state/data/postmaster.pid"
if [ -f "$pidfile" ]; then
  pid="$(head -1 "$pidfile")"
  # SIGINT is PostgreSQL's fast shutdown; escalate to SIGQUIT (immediate) after 20 s.
  if kill -INT "$pid" 2>/dev/null; then
    for _ in $(seq 1 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -QUIT "$pid" 2>/dev/null
  fi
fi
case "$state" in
  /tmp/*|"${TMPDIR:-/tmp}"/*) rm -rf "$state" ;;
  *) echo "db-stop: left $state in place (not under /tmp)" >&2 ;;
esac
