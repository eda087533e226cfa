#!/usr/bin/env bash
# README command 2: lint, type-check, then unit and integration tests against real Kafka and Postgres.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm install --no-audit --no-fund
fi
export NX_DAEMON=false NX_NO_CLOUD=true KAFKAJS_NO_PARTITIONER_WARNING=1
echo "[test] lint" >&2
# The Nx boundary rule needs the project graph; without it the rule skips itself.
npx nx show projects >/dev/null
npx eslint --max-warnings=0 .
echo "[test] type-check" >&2
npx tsc -p tsconfig.json --noEmit
echo "[test] unit and integration tests" >&2
exec npx jest --ci --maxWorkers=2 "$@"
