#!/usr/bin/env bash
# As the official image's entrypoint: no config file given → listen beyond loopback.
set -euo pipefail
if [ "${1:-}" = redis-server ] && [[ "${2:-}" != *.conf ]]; then set -- "$@" --protected-mode no; fi
exec "$@"
