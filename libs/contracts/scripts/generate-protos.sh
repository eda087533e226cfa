#!/usr/bin/env bash
# Lints the protos and regenerates the committed ts-proto NestJS stubs in libs/contracts/src/generated.
#   libs/contracts/scripts/generate-protos.sh                     lint + generate
#   libs/contracts/scripts/generate-protos.sh --update-baseline   also re-freeze proto/baseline.binpb (only when
#                                                                 releasing a new published API state)
set -euo pipefail
cd "$(dirname "$0")/.."
npx buf lint
npx buf breaking --against proto/baseline.binpb
npx buf generate
if [[ "${1:-}" == "--update-baseline" ]]; then
  npx buf build -o proto/baseline.binpb
  echo "baseline updated: proto/baseline.binpb"
fi
echo "generated src/generated"
