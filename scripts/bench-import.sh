#!/usr/bin/env bash
# Import benchmark: N synthetic claims streamed through the running server (release build), into
# SQLite and into PostgreSQL, with the server's peak resident memory (VmHWM).
#   scripts/bench-import.sh [CLAIMS=1000000] [MEMBERS=20000] [sqlite|postgres|both]
# PG_BENCH_URL overrides the PostgreSQL URL, e.g. the Unix socket
# postgres://postgres@localhost/hokensha_bench?host=/var/run/postgresql (sqlx does not set
# TCP_NODELAY, so loopback TCP adds delayed-ACK stalls between statements).
set -euo pipefail
cd "$(dirname "$0")/.."
CLAIMS=${1:-1000000}
MEMBERS=${2:-20000}
WHICH=${3:-both}
PORT=18099
export HOKENSHA_JWT_SECRET=bench-secret-bench-secret-bench-secret-00
export RUST_LOG=warn
cargo build --release --workspace --bins --examples -q
TARGET=${CARGO_TARGET_DIR:-target}
BIN=$TARGET/release/hokensha
TOKEN=$($BIN token --insurer 132001 --scope admin --ttl 86400)

run() {
  local name=$1 url=$2
  DATABASE_URL=$url HOKENSHA_LISTEN=127.0.0.1:$PORT $BIN serve &
  local pid=$!
  trap "kill $pid 2>/dev/null || true" EXIT
  for _ in $(seq 1 50); do curl -sf http://127.0.0.1:$PORT/readyz >/dev/null && break; sleep 0.2; done
  echo "== $name"
  $TARGET/release/examples/import_bench http://127.0.0.1:$PORT "$TOKEN" "$CLAIMS" "$MEMBERS"
  echo "server peak RSS: $(grep VmHWM /proc/$pid/status | awk '{print $2/1024 " MB"}')"
  kill $pid; wait $pid 2>/dev/null || true
  trap - EXIT
}

if [ "$WHICH" != postgres ]; then
  dir=$(mktemp -d)
  run "SQLite" "sqlite://$dir/bench.db?mode=rwc"
  rm -rf "$dir"
fi
if [ "$WHICH" != sqlite ]; then
  psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS hokensha_bench" -c "CREATE DATABASE hokensha_bench"
  run "PostgreSQL" "${PG_BENCH_URL:-postgres://postgres@127.0.0.1:5432/hokensha_bench}"
  psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS hokensha_bench"
fi
