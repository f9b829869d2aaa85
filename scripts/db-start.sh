#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster for tests and benchmarks: initdb in a state directory as a
# non-root user, listening on 127.0.0.1 on a free port, trust auth (local, disposable). Prints
# `export DATABASE_URL=... CROWD_DB_STATE=...` for `eval`, and writes the same to $CROWD_DB_STATE/env.
#   bash scripts/db-start.sh            start (state dir: $CROWD_DB_STATE or /tmp/crowd-dispatch-db)
#   bash scripts/db-start.sh --restart  start again the cluster of $CROWD_DB_STATE on the same port
# Stop it with scripts/db-stop.sh (by the postmaster's pid).
set -euo pipefail
state="${CROWD_DB_STATE:-/tmp/crowd-dispatch-db}"
mode="${1:-start}"

bindir=""
for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
  if [ -x "$d/initdb" ]; then bindir="$d"; break; fi
done
if [ -z "$bindir" ] && command -v initdb >/dev/null 2>&1; then bindir="$(dirname "$(command -v initdb)")"; fi
if [ -z "$bindir" ]; then
  echo "db-start: PostgreSQL server binaries not found; install them (Debian: apt-get install postgresql)." >&2
  exit 1
fi

# PostgreSQL refuses to run as root: use the packaged `postgres` user, else a created one.
run=()
owner="$(id -un)"
if [ "$(id -u)" = 0 ]; then
  owner=postgres
  if ! id -u "$owner" >/dev/null 2>&1; then
    owner=crowddb
    id -u "$owner" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$owner"
  fi
  run=(runuser -u "$owner" --)
fi

if [ "$mode" = "--restart" ]; then
  [ -f "$state/port" ] || { echo "db-start --restart: no cluster in $state; start one first." >&2; exit 1; }
  port="$(cat "$state/port")"
else
  if [ -f "$state/data/postmaster.pid" ] && kill -0 "$(head -1 "$state/data/postmaster.pid")" 2>/dev/null; then
    echo "db-start: a cluster is already running in $state; run scripts/db-stop.sh first." >&2
    exit 1
  fi
  rm -rf "$state"
  mkdir -p "$state/sock"
  port="$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"
  echo "$port" >"$state/port"
  chown -R "$owner" "$state"
  chmod 755 "$state"
  "${run[@]}" "$bindir/initdb" -D "$state/data" -U crowd --auth=trust -E UTF8 --no-locale >"$state/initdb.log" 2>&1 \
    || { cat "$state/initdb.log" >&2; exit 1; }
fi

"${run[@]}" "$bindir/pg_ctl" -D "$state/data" -l "$state/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $state/sock -c max_connections=200" start >/dev/null \
  || { tail -20 "$state/server.log" >&2; exit 1; }
if [ "$mode" != "--restart" ]; then
  "${run[@]}" "$bindir/createdb" -h 127.0.0.1 -p "$port" -U crowd crowd
fi
url="postgres://crowd@127.0.0.1:$port/crowd"
printf 'export DATABASE_URL=%q CROWD_DB_STATE=%q\n' "$url" "$state" | tee "$state/env"
