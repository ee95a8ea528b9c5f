#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster for the tests, as an unprivileged user, on a loopback port,
# in a temp folder. Prints `export GANGWAY_TEST_POSTGRES_URL=...` and `export GANGWAY_TEST_POSTGRES_DIR=...`.
# Stop and remove it with: scripts/postgres.sh stop "$GANGWAY_TEST_POSTGRES_DIR"
# Installs Debian's postgresql package first when it is missing and we are root.
set -euo pipefail

find_bin() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/pg_ctl" ] && { echo "$d"; return 0; }
  done
  return 1
}

if [ "${1:-}" = "stop" ]; then
  dir="${2:?usage: postgres.sh stop DIR}"
  bin=$(find_bin)
  if [ -d "$dir/data" ]; then
    if [ "$(id -u)" = 0 ]; then runuser -u nobody -- "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    else "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true; fi
  fi
  rm -rf "$dir"
  exit 0
fi

if [ "${1:-}" = "pause" ] || [ "${1:-}" = "resume" ]; then
  # Stops or restarts the server of a cluster made by this script, keeping its data (for outage tests).
  dir="${2:?usage: postgres.sh pause|resume DIR}"
  bin=$(find_bin)
  run() { if [ "$(id -u)" = 0 ]; then runuser -u nobody -- "$@"; else "$@"; fi; }
  if [ "$1" = "pause" ]; then
    run "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
  else
    run "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -o "$(cat "$dir/options")" start >/dev/null
  fi
  exit 0
fi

if ! bin=$(find_bin); then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql; } >/dev/null 2>&1
    bin=$(find_bin)
  else
    echo "PostgreSQL is not installed (apt-get install postgresql)" >&2
    exit 1
  fi
fi

dir=$(mktemp -d /tmp/gangway-pg.XXXXXX)
chmod 755 "$dir"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
run() { if [ "$(id -u)" = 0 ]; then runuser -u nobody -- "$@"; else "$@"; fi; }
if [ "$(id -u)" = 0 ]; then chown nobody "$dir"; fi
run "$bin/initdb" -D "$dir/data" -U gangway --auth=trust -E UTF8 >/dev/null
options="-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c max_connections=200 -c fsync=on"
echo "$options" > "$dir/options"
run "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -o "$options" start >/dev/null
run "$bin/createdb" -h 127.0.0.1 -p "$port" -U gangway gangway_test
echo "export GANGWAY_TEST_POSTGRES_URL=postgres://gangway@127.0.0.1:$port/gangway_test?sslmode=disable"
echo "export GANGWAY_TEST_POSTGRES_DIR=$dir"
