#!/usr/bin/env bash
# The main job: set up, then translate a sample video end to end on embedded defaults
# (SQLite and local disk under ./data, local model files, no Redis needed by the CLI).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
SHARED_DIR="${SHARED_DIR:-$(cd .. && pwd)/shared}"
export MODELS_DIR="${MODELS_DIR:-$SHARED_DIR/models}" ALLOW_REMOTE_MODELS="${ALLOW_REMOTE_MODELS:-false}"
video="${1:-$SHARED_DIR/samples/jfk.mp4}"
pnpm -s translate "$video" --to "${TO:-es}" --out "${OUT:-out/demo}"
