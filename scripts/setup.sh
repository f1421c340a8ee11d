#!/usr/bin/env bash
# Idempotent set-up for a fresh Debian/Ubuntu machine: system tools, pnpm, dependencies, Redis.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

need_apt=()
command -v ffmpeg >/dev/null || need_apt+=(ffmpeg)
command -v apertium >/dev/null || need_apt+=(apertium)
# Apertium language pairs to offer, as Debian names them (apertium-<pair>): any of
# `apt-cache search --names-only '^apertium-'`, e.g. APERTIUM_PAIRS="eng-spa fr-es eng-cat".
for pair in ${APERTIUM_PAIRS:-eng-spa}; do
  [[ "$pair" =~ ^[a-z]{2,3}-[a-z]{2,3}$ ]] || { echo "setup: APERTIUM_PAIRS entry \"$pair\" is not a pair like eng-spa"; exit 2; }
  [ -e "/usr/share/apertium/modes/$pair.mode" ] || need_apt+=("apertium-$pair")
done
command -v redis-server >/dev/null || command -v redis-cli >/dev/null || need_apt+=(redis-server)
# Dubbing speaks with espeak-ng; burned-in subtitles need fonts for Latin, Cyrillic, CJK, Arabic and Hebrew (fonts-noto-core has both).
command -v espeak-ng >/dev/null || need_apt+=(espeak-ng)
[ -e /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || need_apt+=(fonts-noto-cjk)
[ -e /usr/share/fonts/truetype/noto/NotoSansArabic-Regular.ttf ] && [ -e /usr/share/fonts/truetype/noto/NotoSansHebrew-Regular.ttf ] || need_apt+=(fonts-noto-core)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need_apt+=(fonts-dejavu-core)
# The deployment tests run docker/nginx/babelfish.conf under a real nginx (`nginx -t` and traffic).
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need_apt+=(nginx-light)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup: installing ${need_apt[*]} from the distribution"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

if ! command -v pnpm >/dev/null; then
  echo "setup: installing pnpm"
  npm install -g pnpm@10.34.9 >/dev/null 2>&1 || as_root npm install -g pnpm@10.34.9 >/dev/null
fi

# onnxruntime-node's install script downloads CUDA libraries, which fails offline; its CPU
# binaries ship inside the npm package, so the script is skipped (pnpm also skips it by default).
export ONNXRUNTIME_NODE_INSTALL=skip ONNXRUNTIME_NODE_INSTALL_CUDA=skip
pnpm install --frozen-lockfile --reporter=append-only | tail -n 3

# The queue needs Redis; start a local one if nothing answers on 6379.
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  echo "setup: starting a local redis-server"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
  for _ in $(seq 1 50); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.1; done
fi
