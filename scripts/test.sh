#!/usr/bin/env bash
# Sets up (idempotently) and runs every check: typecheck, then all jest suites on real parts
# (Redis 127.0.0.1:6379, SQLite and PostgreSQL 127.0.0.1:5432, ffmpeg, Apertium, Whisper models).
set -euo pipefail
cd "$(dirname "$0")/.."
# A second Apertium pair (with the older two-letter naming) so the tests prove pairs come from
# what is installed, not from a fixed list.
export APERTIUM_PAIRS="${APERTIUM_PAIRS:-eng-spa fr-es}"
bash scripts/setup.sh
# The dashboard's browser test drives Debian's Chromium (never a downloaded browser).
if ! command -v chromium >/dev/null; then
  echo "test: installing chromium from the distribution"
  if [ "$(id -u)" -eq 0 ]; then apt-get install -y -qq chromium >/dev/null; else sudo apt-get install -y -qq chromium >/dev/null; fi
fi
export SHARED_DIR="${SHARED_DIR:-$(cd .. && pwd)/shared}"
[ -d "$SHARED_DIR/models" ] || { echo "test: model files not found in $SHARED_DIR/models (set SHARED_DIR)"; exit 1; }
pnpm typecheck
pnpm --filter @babelfish/web typecheck
pnpm --filter @babelfish/web build >/dev/null
# --forceExit: a test that fails half-way may leave a child process or socket behind, and jest would
# then wait for it forever instead of reporting (seen: a timed-out test kept CI waiting 20 minutes).
pnpm exec jest --runInBand --ci --forceExit "$@"
