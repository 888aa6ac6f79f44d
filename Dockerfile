# syntax=docker/dockerfile:1

# ---- build: dependencies (better-sqlite3 compiled from source), TypeScript, web client ----
FROM node:20-slim AS build
WORKDIR /app
# node-gyp needs these when no prebuilt better-sqlite3 binary can be downloaded.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# Scripts off: "prepare" would build before the sources are here. Then only the native addon is built.
RUN npm ci --ignore-scripts \
 && npm rebuild better-sqlite3
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY web ./web
RUN npm run build \
 && npx vite build --config web/vite.config.ts
# Keep the compiled better-sqlite3, drop everything only the build needed.
RUN npm prune --omit=dev --ignore-scripts

# ---- runtime: production dependencies and compiled output only, as a non-root user ----
FROM node:20-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8000 \
    DATA_DIR=/app/data
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./package.json
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --from=build --chown=node:node /app/web/dist ./web/dist
# Only used by the embedded stores (EVENTSTORE_URL / MONGO_URL unset).
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8000/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/src/main.js"]
