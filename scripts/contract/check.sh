#!/usr/bin/env bash
# The contract check: the committed OpenAPI document against the release server.
#
#  1. schemathesis runs every operation of openapi/openapi.json (examples, coverage, fuzzing and
#     stateful phases through the document's links) against the server on SQLite, then on
#     PostgreSQL, each for a bounded time (CONTRACT_FUZZ_SECONDS, default 120). It fails on any
#     5xx, any answer that does not match its schema or content type, any undocumented status and
#     any missing documented header. Requests may take up to 40 s: `GET /v1/events?wait=` holds
#     an empty read for up to 30 s.
#  2. openapi-python-client generates a client from the same document; any warning (a skipped
#     operation, an unsupported type) fails the check. A scenario written only against that
#     client (scenario.py) then runs a household from claims to a paid benefit and a receivable
#     to its collection.
#
# Usage: scripts/contract/check.sh   (needs python3 with venv, and PostgreSQL at PG_URL)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}
FUZZ_SECONDS=${CONTRACT_FUZZ_SECONDS:-120}
WORK=$(mktemp -d)
SERVER_PID=
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "== contract: tools"
VENV=${CONTRACT_VENV:-$ROOT/target/contract-venv}
if [ ! -x "$VENV/bin/schemathesis" ] || [ ! -x "$VENV/bin/openapi-python-client" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check \
    schemathesis==4.32.5 openapi-python-client==0.29.1
fi
"$VENV/bin/schemathesis" --version
"$VENV/bin/openapi-python-client" --version

echo "== contract: release build"
cargo build --release --quiet
BIN=$ROOT/target/release/hokensha

export HOKENSHA_JWT_SECRET=contract-check-secret-0123456789abcdef
export HOKENSHA_REMITTERS='{"132001": {"remitter_code": "1234567890", "remitter_name_kana": "ｺｸﾎｹﾝ", "bank_code": "0001", "bank_name_kana": "ﾐｽﾞﾎ", "branch_code": "001", "branch_name_kana": "ﾎﾝﾃﾝ", "account_type": "ordinary", "account_number": "1234567"}}'
TOKEN=$("$BIN" token --insurer 132001 --scope admin --ttl 7200)

# Starts the server on $1 (a database URL) at 127.0.0.1:$2 and waits until it is ready.
start_server() {
  DATABASE_URL=$1 HOKENSHA_LISTEN=127.0.0.1:$2 RUST_LOG=warn "$BIN" >"$WORK/server-$2.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$2/readyz" >/dev/null && return 0
    sleep 0.2
  done
  cat "$WORK/server-$2.log" >&2
  return 1
}

stop_server() {
  kill "$SERVER_PID"
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=
}

fuzz() { # $1: name, $2: port
  echo "== contract: schemathesis on $1 (${FUZZ_SECONDS}s)"
  PYTHONPATH="$ROOT/scripts/contract" SCHEMATHESIS_HOOKS=hooks \
    "$VENV/bin/schemathesis" run "$ROOT/openapi/openapi.json" \
    --url "http://127.0.0.1:$2" \
    --header "Authorization: Bearer $TOKEN" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance \
    --max-time "$FUZZ_SECONDS" \
    --workers 1 \
    --request-timeout 40 \
    --seed 20261202 \
    --no-color \
    --suppress-health-check all
}

start_server "sqlite://$WORK/fuzz.db?mode=rwc" 18181
fuzz SQLite 18181
stop_server

PG_DB=hokensha_contract
psql "$PG_URL" -qc "DROP DATABASE IF EXISTS $PG_DB" -c "CREATE DATABASE $PG_DB" >/dev/null
start_server "${PG_URL%/*}/$PG_DB" 18182
fuzz PostgreSQL 18182
stop_server
psql "$PG_URL" -qc "DROP DATABASE IF EXISTS $PG_DB" >/dev/null

echo "== contract: generated client"
(cd "$WORK" && "$VENV/bin/openapi-python-client" generate \
  --path "$ROOT/openapi/openapi.json" \
  --config "$ROOT/scripts/contract/client-config.yaml" \
  --meta none --output-path hokensha_client) 2>&1 | tee "$WORK/generate.log"
if grep -qiE "warning|error|will not be generated|skipping|unsupported" "$WORK/generate.log"; then
  echo "the generator warned: see above" >&2
  exit 1
fi
start_server "sqlite://$WORK/scenario.db?mode=rwc" 18183
PYTHONPATH=$WORK "$VENV/bin/python" "$ROOT/scripts/contract/scenario.py" http://127.0.0.1:18183 "$TOKEN"
stop_server
echo "contract: ok"
