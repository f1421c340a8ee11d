# syntax=docker/dockerfile:1.7
# The worker image for NVIDIA GPUs: the same code as worker.Dockerfile, on a CUDA runtime base,
# with onnxruntime-node's CUDA execution provider (libonnxruntime_providers_cuda.so, which npm
# does not ship: too large) downloaded at build time. Meant for the transcribe role (Whisper);
# INFERENCE_DEVICE=auto here, the compose gpu profile and the ECS GPU service set cuda.
# Build from the repository root:
#   docker build -f docker/worker-gpu.Dockerfile -t babelfish/worker-gpu .
# Run: docker run --gpus all … (NVIDIA Container Toolkit), or `--profile gpu` in compose.yaml.
ARG NODE_IMAGE=node:20-bookworm-slim
# onnxruntime-node 1.30's CUDA provider is built for CUDA 12 and cuDNN 9: the cudnn runtime
# flavour has cuBLAS, cuFFT, cuRAND and cuDNN; the devel images are not needed.
ARG CUDA_IMAGE=nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04

FROM ${NODE_IMAGE} AS base
ENV PNPM_HOME=/pnpm PATH=/pnpm:$PATH CI=true \
    ONNXRUNTIME_NODE_INSTALL=skip ONNXRUNTIME_NODE_INSTALL_CUDA=skip
RUN npm install -g pnpm@10.34.9 && npm cache clean --force
# better-sqlite3 compiles its addon when no prebuilt binary matches the platform.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ ca-certificates \
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

# --- production dependencies, then onnxruntime's CUDA libraries --------------------------------------
FROM base AS prod
COPY . .
# The install is offline (skip), then onnxruntime-node's own install script fetches its CUDA 12
# provider libraries from its NuGet feed into bin/napi-v6/linux/x64: the one network step, here
# at build time so a container never downloads binaries at start-up.
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store \
    pnpm install --offline --frozen-lockfile --prod --store-dir /pnpm/store \
 && ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules/onnxruntime-node/script/install.js \
 && test -f node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime_providers_cuda.so \
 # onnxruntime-node ships binaries for every OS (~220 MB for macOS and Windows): keep Linux's.
 && rm -rf node_modules/onnxruntime-node/bin/napi-v*/darwin node_modules/onnxruntime-node/bin/napi-v*/win32

FROM ${NODE_IMAGE} AS node

# --- runtime ----------------------------------------------------------------------------------------
FROM ${CUDA_IMAGE} AS runtime
# The Node.js runtime of the pinned Node image (glibc-linked, runs on this Ubuntu base).
COPY --from=node /usr/local/bin/node /usr/local/bin/node
# ffmpeg extracts the audio Whisper transcribes; no Apertium (translation stays on CPU workers).
# The burn-in fonts and their cache as in worker.Dockerfile, so this image run with the mux role
# (WORKER_ROLES=all on a GPU host) draws right-to-left and CJK subtitles as the CPU image does.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg ca-certificates espeak-ng fontconfig fonts-noto-core fonts-noto-cjk \
 && fc-list | grep -q NotoSansHebrew-Regular && fc-list | grep -q NotoSansArabic-Regular && fc-list | grep -q NotoSansCJK-Regular \
 && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 babelfish \
 && useradd --system --uid 10001 --gid babelfish --home-dir /app --shell /usr/sbin/nologin babelfish \
 && mkdir -p /app/data /srv/media /cache/models /models \
 && chown babelfish:babelfish /app/data /srv/media /cache/models
WORKDIR /app
COPY --from=prod /src /app
COPY --from=build /src/dist /app/dist
# Memory (bench/README.md, "Memory and start of a transcribe worker", second and fifth rounds):
# glibc with two arenas and large blocks mmapped and returned on free; V8 young generations of
# 1 MB semi-spaces (the main thread's otherwise grows to 16 MB resident at start-up and stays so).
ENV NODE_ENV=production \
    DATA_DIR=/app/data \
    STORAGE_DIR=/srv/media \
    MODELS_DIR=/models \
    MODEL_CACHE_DIR=/cache/models \
    WORKER_ROLES=transcribe \
    INFERENCE_DEVICE=auto \
    NVIDIA_VISIBLE_DEVICES=all \
    NVIDIA_DRIVER_CAPABILITIES=compute,utility \
    MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=1048576 MALLOC_TRIM_THRESHOLD_=1048576 \
    NODE_OPTIONS=--max-semi-space-size=1
# /tmp is the stages' scratch space (extracted audio, S3 downloads for ffmpeg): give it a volume.
VOLUME ["/app/data", "/srv/media", "/cache/models", "/tmp"]
USER babelfish:babelfish
# No HTTP port, so no HTTP health check (as worker.Dockerfile): a worker whose CUDA provider
# fails with INFERENCE_DEVICE=cuda exits at start-up with the reason in its log.
HEALTHCHECK NONE
CMD ["node", "--enable-source-maps", "dist/worker.js"]
