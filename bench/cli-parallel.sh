#!/usr/bin/env bash
# Issue #11, done-when 2: 20 `yishi status` started in parallel with a starting
# server, on PostgreSQL; prints each command's wall time (s) and exit code.
# Uses the local PostgreSQL (database cli_parallel, recreated) and Redis.
set -uo pipefail
cd "$(dirname "$0")/.."
psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS cli_parallel" -c "CREATE DATABASE cli_parallel" >/dev/null
export DATABASE_URL=postgresql://postgres@127.0.0.1:5432/cli_parallel
node bin/yishi.js db migrate >/dev/null
community=$(node bin/yishi.js community create --name 测量 --json | node -e \
  'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).id))')
PORT=${PORT:-3999} LOG_LEVEL=warn node --no-warnings=ExperimentalWarning --import tsx \
  src/runtime/main.ts all >/dev/null 2>&1 &
server=$!
# sort reads until every command has closed its output, so the pipeline ends with them.
for i in $(seq 20); do
  (
    start=$(date +%s%N)
    node bin/yishi.js status --community "$community" --json >/dev/null
    rc=$?
    echo "$(( ($(date +%s%N) - start) / 1000000 )) ms rc=$rc"
  ) &
done | sort -n
kill -TERM "$server"
wait "$server"
