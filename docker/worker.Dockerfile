# One worker image for every role; WORKER_ROLES (transcribe | translate | mux, comma-separated,
# or all) picks what a container does. Build from the repository root:
#   docker build -f docker/worker.Dockerfile -t babelfish/worker .
# The sources are compiled to dist/ in the build stage and run by plain node (see api.Dockerfile).
# The current Node LTS (Node 20 reached end of life in April 2026).
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS base
ENV PNPM_HOME=/pnpm PATH=/pnpm:$PATH CI=true \
    ONNXRUNTIME_NODE_INSTALL=skip ONNXRUNTIME_NODE_INSTALL_CUDA=skip
RUN npm install -g pnpm@10.34.9 && npm cache clean --force
# better-sqlite3 compiles its addon when no prebuilt binary matches the platform.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pnpm-lock.yaml pnpm-workspace.yaml ./
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store pnpm fetch --store-dir /pnpm/store

# --- the compiled runtime (dist/, scripts/build-dist.mjs): needs dev dependencies (esbuild) -------
FROM base AS build
COPY . .
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store \
    pnpm install --offline --frozen-lockfile --store-dir /pnpm/store \
 && pnpm build:dist

# --- production dependencies only ------------------------------------------------------------------
FROM base AS prod
COPY . .
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store \
    pnpm install --offline --frozen-lockfile --prod --store-dir /pnpm/store \
 # onnxruntime-node ships binaries for every OS (~220 MB for macOS and Windows): keep Linux's.
 && rm -rf node_modules/onnxruntime-node/bin/napi-v*/darwin node_modules/onnxruntime-node/bin/napi-v*/win32

# --- runtime ----------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
# ffmpeg for audio extraction and muxing; Apertium and its language pairs for the offline
# rule-based engine: any Debian apertium-<pair> packages (`--build-arg APERTIUM_PAIRS="eng-spa fr-es"`).
# Burn-in fonts: the Noto families packages/media/src/ass.ts names per script (Latin, Cyrillic,
# Greek, Arabic, Hebrew, Indic… in fonts-noto-core; Chinese, Japanese, Korean in fonts-noto-cjk),
# else libass falls back to DejaVu and draws CJK as boxes. fontconfig builds the font cache
# here: the root filesystem is read-only at run time, so it could not be written later.
ARG APERTIUM_PAIRS="eng-spa"
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg espeak-ng fontconfig fonts-noto-core fonts-noto-cjk apertium $(for pair in ${APERTIUM_PAIRS}; do printf 'apertium-%s ' "$pair"; done) \
 && fc-list | grep -q NotoSansHebrew-Regular && fc-list | grep -q NotoSansArabic-Regular && fc-list | grep -q NotoSansCJK-Regular \
 && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 babelfish \
 && useradd --system --uid 10001 --gid babelfish --home-dir /app --shell /usr/sbin/nologin babelfish \
 && mkdir -p /app/data /srv/media /cache/models /models \
 && chown babelfish:babelfish /app/data /srv/media /cache/models
WORKDIR /app
COPY --from=prod /src /app
COPY --from=build /src/dist /app/dist
# `babelfish keys create …`, `babelfish models pull` and the rest of the CLI (compiled), without pnpm.
RUN ln -s /app/dist/cli.js /usr/local/bin/babelfish
# Memory (bench/README.md, "Memory and start of a transcribe worker", second and fifth rounds):
# glibc with two arenas and large blocks mmapped and returned on free; V8 young generations of
# 1 MB semi-spaces (the main thread's otherwise grows to 16 MB resident at start-up and stays so).
ENV NODE_ENV=production \
    DATA_DIR=/app/data \
    STORAGE_DIR=/srv/media \
    MODELS_DIR=/models \
    MODEL_CACHE_DIR=/cache/models \
    WORKER_ROLES=all \
    MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=1048576 MALLOC_TRIM_THRESHOLD_=1048576 \
    NODE_OPTIONS=--max-semi-space-size=1
# /tmp is the stages' scratch space (extracted audio, S3 downloads for ffmpeg): give it a volume.
VOLUME ["/app/data", "/srv/media", "/cache/models", "/tmp"]
USER babelfish:babelfish
# No HTTP port, so no HTTP health check: a worker that dies exits (restart policy / ECS replaces
# it), and a worker that hangs loses its job locks, which BullMQ's stalled check re-queues.
HEALTHCHECK NONE
# SIGTERM lets running jobs finish; give containers a stop grace period longer than one job.
# The Whisper and text-model threads start on dist/'s compiled thread entries.
CMD ["node", "--enable-source-maps", "dist/worker.js"]
