#!/usr/bin/env bash
# README command 1: installs what a fresh clone lacks, then starts Kafka, Postgres, every service and the simulator.
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! command -v node >/dev/null; then echo "error: Node.js 20 is required (https://nodejs.org or apt-get install nodejs)" >&2; exit 1; fi
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "[start] installing npm dependencies" >&2
  npm install --no-audit --no-fund
fi
exec node -r @swc-node/register deploy/local/launcher.ts "$@"
