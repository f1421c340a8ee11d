# The API image: Express + Socket.IO + the dashboard build, with ffmpeg/ffprobe for probing
# uploads and making thumbnails. Build from the repository root:
#   docker build -f docker/api.Dockerfile -t babelfish/api .
# The TypeScript sources are compiled in the build stage (scripts/build-dist.mjs: esbuild bundles
# of our code, npm dependencies left in node_modules) and run by plain node: no TypeScript loader
# at run time (tsx cost ~80 MB per process and made large modules far dearer to load).
# The current Node LTS (Node 20 reached end of life in April 2026).
ARG NODE_IMAGE=node:24-bookworm-slim

# --- pnpm and the lockfile's packages, fetched once for both installs below ---------------------
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

# --- the dashboard and the compiled runtime (dist/): need dev dependencies (vite, esbuild) --------
FROM base AS build
COPY . .
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store \
    pnpm install --offline --frozen-lockfile --store-dir /pnpm/store \
 && pnpm --filter @babelfish/web build \
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
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg \
 && rm -rf /var/lib/apt/lists/*
# A fixed uid so volumes and the ECS task definition agree on who owns the data.
RUN groupadd --system --gid 10001 babelfish \
 && useradd --system --uid 10001 --gid babelfish --home-dir /app --shell /usr/sbin/nologin babelfish \
 && mkdir -p /app/data /srv/media /cache/models /models \
 && chown babelfish:babelfish /app/data /srv/media /cache/models
WORKDIR /app
# Code and dependencies stay root-owned: the app user can read them, never change them.
COPY --from=prod /src /app
COPY --from=build /src/dist /app/dist
# `babelfish keys create …`, `babelfish models pull` and the rest of the CLI (compiled), without pnpm.
RUN ln -s /app/dist/cli.js /usr/local/bin/babelfish
COPY --from=build /src/apps/web/dist /app/apps/web/dist
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    DATA_DIR=/app/data \
    STORAGE_DIR=/srv/media \
    MODELS_DIR=/models \
    MODEL_CACHE_DIR=/cache/models \
    WEB_DIR=/app/apps/web/dist
# Writable places; everything else can be mounted read-only (compose read_only, ECS
# readonlyRootFilesystem). /tmp holds multer's upload spool.
VOLUME ["/app/data", "/srv/media", "/cache/models", "/tmp"]
USER babelfish:babelfish
EXPOSE 8080
# Node's own fetch: the slim image has no curl, and adding one only for this is needless surface.
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# node itself is PID 1's child (compose init: true / ECS initProcessEnabled) and gets SIGTERM
# directly. Stack traces point at the TypeScript sources through dist/'s source maps.
CMD ["node", "--enable-source-maps", "dist/api.js"]
