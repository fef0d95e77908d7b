# syntax=docker/dockerfile:1
# One image for every DANE for Node component; the command picks the app (docker-compose.yml):
#   node dist/apps/api/src/main.js | dist/apps/scheduler/src/main.js | dist/apps/results/src/main.js
#   node dist/workers/<filesize|download|checksum|nest-wordcount>/main.js
#   node dist/apps/dane/src/main.js   (default: single-machine mode, embedded PGlite)
# Health command: node dist/apps/api/src/ops/healthcheck.js (--http URL | --store --broker).
ARG NODE_IMAGE=node:20-bookworm-slim

# 1. All dependencies (dev included) for the compiler. No install scripts: nothing here needs one.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# The workspaces' manifests (the packages @dane/protocol, @dane/client, @dane/worker, @dane/cli): npm ci reads them.
COPY libs/protocol/package.json libs/protocol/
COPY libs/client-sdk/package.json libs/client-sdk/
COPY libs/worker-sdk/package.json libs/worker-sdk/
COPY apps/cli/package.json apps/cli/
RUN npm ci --no-audit --no-fund --ignore-scripts

# 2. Compile everything into dist/. Workers read base_config.yml beside their compiled main.js
#    (libs/worker-sdk/src/base-dir.ts looks there first): tsc does not copy .yml, so we do.
FROM deps AS build
COPY tsconfig.json tsconfig.build.json tsconfig.package.json nest-cli.json ./
COPY apps ./apps
COPY libs ./libs
COPY workers ./workers
COPY bench ./bench
RUN npm run build \
 && for dir in workers/*/; do \
      if [ -f "${dir}base_config.yml" ]; then cp "${dir}base_config.yml" "dist/${dir}base_config.yml"; fi; \
    done

# 3. Production dependencies only.
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY libs/protocol/package.json libs/protocol/
COPY libs/client-sdk/package.json libs/client-sdk/
COPY libs/worker-sdk/package.json libs/worker-sdk/
COPY apps/cli/package.json apps/cli/
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts && npm cache clean --force

# 4. Runtime: production node_modules + compiled output, as the unprivileged `node` user (uid 1000).
FROM ${NODE_IMAGE} AS runtime
# MALLOC_ARENA_MAX: glibc's malloc arenas bounded to 2 (docs/operations.md, Configuration).
ENV NODE_ENV=production \
    DANE_HOME=/home/node/.DANE \
    MALLOC_ARENA_MAX=2
WORKDIR /app
COPY --from=prod-deps --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --chown=node:node package.json ./package.json
# Writable places of the node user: DANE_HOME (PGlite data in single-machine mode), workers' TEMP/OUT.
RUN mkdir -p /home/node/.DANE /app/TEMP /app/OUT && chown -R node:node /home/node/.DANE /app/TEMP /app/OUT
USER node
EXPOSE 5500
STOPSIGNAL SIGTERM
CMD ["node", "dist/apps/dane/src/main.js"]
