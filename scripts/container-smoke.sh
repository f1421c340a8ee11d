#!/usr/bin/env bash
# Container smoke test: builds both images from docker/*.Dockerfile exactly as docker/compose.yaml
# does, brings the whole stack up (api, the three worker roles, Redis, PostgreSQL, nginx with a
# self-signed certificate), creates a key inside the api container with `babelfish keys create`,
# runs jfk.mp4 → es through nginx over TLS with the models offline (SHARED_DIR/models mounted
# read-only, .env.example as shipped), downloads the Spanish subtitles, and checks /health/ready,
# non-root processes and read-only root filesystems. Everything is torn down at the end, failed
# or not. Runs with Debian's podman + podman-compose as root (no Docker engine needed); base images
# are built locally, never pulled (scripts/container-smoke/base-images.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$(pwd)"
started_at=$(date +%s)
say() { echo "container-smoke [$(( $(date +%s) - started_at ))s]: $*"; }
fail() { say "FAILED: $*"; exit 1; }

SHARED_DIR="${SHARED_DIR:-$(cd .. && pwd)/shared}"
[ -f "$SHARED_DIR/samples/jfk.mp4" ] || fail "no $SHARED_DIR/samples/jfk.mp4 (set SHARED_DIR)"
[ -d "$SHARED_DIR/models/Xenova/whisper-base" ] || fail "no Whisper model in $SHARED_DIR/models (set SHARED_DIR)"

# --- tools ----------------------------------------------------------------------------------------
need=()
for tool in podman buildah podman-compose debootstrap runc openssl curl; do command -v "$tool" >/dev/null || need+=("$tool"); done
[ -x /usr/libexec/podman/catatonit ] || need+=(catatonit) # compose `init: true`
[ -x /usr/lib/podman/netavark ] || need+=(netavark aardvark-dns) # service names resolve between containers
command -v iptables >/dev/null || [ -x /usr/sbin/iptables ] || need+=(iptables) # netavark sets up the bridge's NAT with it
if [ "${#need[@]}" -gt 0 ]; then
  say "installing ${need[*]}"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" fuse-overlayfs slirp4netns uidmap >/dev/null
fi
work="${SMOKE_CACHE_DIR:-/var/tmp/babelfish-smoke}"
mkdir -p "$work"
# This host refuses rlimits above its own (nofile 20000, nproc 32768) and crun its cgroup layout:
# a containers.conf of our own, for every podman call below, instead of editing the host's.
cat >"$work/containers.conf" <<'CONF'
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=20000:20000"]
[engine]
runtime = "runc"
# Never pull: the base images are local builds, and nothing here may reach a registry.
pull_policy = "never"
CONF
export CONTAINERS_CONF="$work/containers.conf" SMOKE_CACHE_DIR="$work"
bash scripts/container-smoke/base-images.sh

# --- settings: .env.example as shipped, plus what a deployment must set ---------------------------
run_dir="$(mktemp -d /tmp/babelfish-smoke.XXXXXX)"
project="bfsmoke$$"
free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
cp .env.example "$run_dir/env"
password="$(openssl rand -hex 16)"
sed -i "s/^POSTGRES_PASSWORD=.*/POSTGRES_PASSWORD=$password/" "$run_dir/env"
mkdir -p "$run_dir/certs"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost -addext subjectAltName=DNS:localhost \
  -keyout "$run_dir/certs/tls.key" -out "$run_dir/certs/tls.crt" 2>/dev/null
chmod 644 "$run_dir/certs/tls.key"
# podman-compose 1.0.3 has no --env-file: compose's variables come from this environment.
set -a
# shellcheck disable=SC1091
. "$run_dir/env"
set +a
export ENV_FILE="$run_dir/env" POSTGRES_PASSWORD="$password" MODELS_HOST_DIR="$SHARED_DIR/models" TLS_CERT_DIR="$run_dir/certs" \
  IMAGE_REGISTRY=localhost/babelfish-smoke IMAGE_TAG=smoke \
  REDIS_IMAGE=localhost/babelfish-smoke/redis:latest POSTGRES_IMAGE=localhost/babelfish-smoke/postgres:latest NGINX_IMAGE=localhost/babelfish-smoke/nginx:latest \
  API_PORT="$(free_port)" HTTP_PORT="$(free_port)" HTTPS_PORT="$(free_port)"
compose() { podman-compose -p "$project" -f docker/compose.yaml "$@"; }
base="https://localhost:$HTTPS_PORT"
tls=(--cacert "$run_dir/certs/tls.crt" --silent --show-error)

teardown() {
  local status=$?
  if [ "$status" -ne 0 ]; then
    for container in $(podman ps -a --filter "label=io.podman.compose.project=$project" --format '{{.Names}}'); do
      echo "----- logs of $container (last 40 lines)"
      podman logs --tail 40 "$container" 2>&1 || true
    done
  fi
  say "tearing down"
  compose down -v >/dev/null 2>&1 || true
  podman ps -aq --filter "label=io.podman.compose.project=$project" | xargs -r podman rm -f >/dev/null 2>&1 || true
  podman volume ls -q --filter "label=io.podman.compose.project=$project" | xargs -r podman volume rm -f >/dev/null 2>&1 || true
  podman network ls -q --filter "label=io.podman.compose.project=$project" | xargs -r podman network rm -f >/dev/null 2>&1 || true
  rm -rf "$run_dir"
  say "done in $(( $(date +%s) - started_at ))s (exit $status)"
}
trap teardown EXIT
trap "exit 130" INT TERM

# --- build and start --------------------------------------------------------------------------------
say "building the images as compose does (podman build, --pull=never)"
# Only the images the smoke test runs: the gpu profile's image needs a CUDA base that is not here.
compose build api worker-transcribe >"$work/compose-build.log" 2>&1 || { tail -40 "$work/compose-build.log"; fail "image build"; }
container() { podman ps --filter "label=io.podman.compose.project=$project" --filter "label=com.docker.compose.service=$1" --format '{{.Names}}' | head -1; }
wait_for() { # what, seconds, command…
  local what="$1" limit="$2"; shift 2
  local deadline=$(( $(date +%s) + limit ))
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$deadline" ] || fail "gave up waiting for $what"
    sleep 2
  done
}
# The service's own compose healthcheck, run on demand (podman has no timer for it without systemd).
healthy() { local name; name="$(container "$1")" && [ -n "$name" ] && podman healthcheck run "$name"; }
# podman-compose 1.0.3 ignores depends_on conditions: start in the order compose's
# `condition: service_healthy` gives (stores, then the apps, then nginx once the API is healthy,
# since nginx resolves the api upstream once, at start).
up() { compose up -d "$@" >>"$work/compose-up.log" 2>&1 || { tail -40 "$work/compose-up.log"; fail "compose up $*"; }; }
: >"$work/compose-up.log"
say "starting the stack (project $project): redis, postgres"
up redis postgres
wait_for "redis to be healthy" 120 healthy redis
wait_for "postgres to be healthy" 120 healthy postgres
say "starting api and the three worker roles"
up api worker-transcribe worker-translate worker-mux
wait_for "api to be healthy" 300 healthy api
say "starting nginx"
up nginx
ready() { curl "${tls[@]}" --fail "$base/health/ready"; }
wait_for "/health/ready through nginx" 300 ready
say "ready: $(curl "${tls[@]}" "$base/health/ready")"
# Plain HTTP only redirects to HTTPS.
[ "$(curl --silent -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HTTP_PORT/health")" = 301 ] || fail "port $HTTP_PORT does not redirect to HTTPS"

# --- hardening: non-root, read-only root filesystems ------------------------------------------------
for service in api worker-transcribe worker-translate worker-mux redis postgres nginx; do
  name="$(container "$service")"
  [ -n "$name" ] || fail "no running container for $service"
  [ "$(podman inspect --format '{{.HostConfig.ReadonlyRootfs}}' "$name" 2>/dev/null)" = true ] || fail "$service: root filesystem is writable"
done
for service in api worker-transcribe worker-translate worker-mux; do
  name="$(container "$service")"
  uid="$(podman exec "$name" id -u)"
  [ "$uid" = 10001 ] || fail "$service runs as uid $uid"
  # PID 1 is the init (catatonit); the app itself is its child, and must not be root either.
  owners="$(podman top "$name" user args | awk 'NR>1 && /node/ {print $1}' | sort -u | tr '\n' ' ')"
  [ "$owners" = "babelfish " ] || [ "$owners" = "10001 " ] || fail "$service: node runs as '$owners'"
  if podman exec "$name" sh -c 'touch /app/written-by-smoke' 2>/dev/null; then fail "$service: could write to /app"; fi
done
say "app containers run node as uid 10001 with read-only roots; every container has a read-only root"

# --- a key made inside the api container, a real job through nginx over TLS ------------------------
key="$(podman exec "$(container api)" babelfish keys create --owner smoke --name container-smoke | grep -o 'bf_[A-Za-z0-9._-]*' | head -1)"
[ -n "$key" ] || fail "babelfish keys create printed no key"
auth=(-H "Authorization: Bearer $key")
# The API has no translation tools: it waits for the translate worker to publish its engines.
wait_for "the translate worker's engines" 120 sh -c "curl ${tls[*]} --fail $(printf '%q ' "${auth[@]}") '$base/v1/languages' | grep -q apertium"
json() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const v=new Function("o","return "+process.argv[1])(JSON.parse(s));console.log(v??"")})' "$1"; }
submitted="$(curl "${tls[@]}" "${auth[@]}" -F from=en -F to=es -F "file=@$SHARED_DIR/samples/jfk.mp4" "$base/v1/jobs")"
job="$(echo "$submitted" | json 'o.job && o.job.id')"
[ -n "$job" ] || fail "submission refused: $submitted"
say "job $job submitted"
deadline=$(( $(date +%s) + 600 ))
while :; do
  status="$(curl "${tls[@]}" "${auth[@]}" "$base/v1/jobs/$job" | json 'o.job.status')"
  case "$status" in
    completed) break ;;
    failed | cancelled) fail "job $job ended $status: $(curl "${tls[@]}" "${auth[@]}" "$base/v1/jobs/$job")" ;;
  esac
  [ "$(date +%s)" -lt "$deadline" ] || fail "job $job still $status after 10 minutes"
  sleep 3
done
srt_url="$(curl "${tls[@]}" "${auth[@]}" "$base/v1/jobs/$job/outputs" | json 'o.outputs.filter(x=>x.language==="es"&&x.name.endsWith(".srt")).map(x=>x.url)[0]')"
[ -n "$srt_url" ] || fail "job $job has no Spanish SRT"
curl "${tls[@]}" "${auth[@]}" --fail -o "$run_dir/es.srt" "$base$srt_url"
grep -q 'país' "$run_dir/es.srt" || { cat "$run_dir/es.srt"; fail "the Spanish subtitles do not say país"; }
say "job $job completed; es.srt: $(grep -m1 'país' "$run_dir/es.srt")"
say "PASSED"
