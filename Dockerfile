# Two stages: `build` installs the whole workspace, compiles the apps (pnpm build) and deploys
# each one with production dependencies only; `runtime` holds just those folders and runs
# `node` on the compiled code as the unprivileged `node` user.
#   docker build -t flowq .            # the API by default
#   docker run flowq node worker/dist/main.js
FROM node:22-bookworm-slim AS build
RUN npm i -g pnpm@10.34.9
WORKDIR /src
ENV CI=true
COPY . .
RUN pnpm install --frozen-lockfile \
 && pnpm build \
 && pnpm --filter @flowq/api deploy --legacy --prod --config.node-linker=hoisted /out/api \
 && pnpm --filter @flowq/worker deploy --legacy --prod --config.node-linker=hoisted /out/worker

FROM node:22-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build --chown=node:node /out/api /app/api
COPY --from=build --chown=node:node /out/worker /app/worker
COPY --chown=node:node deploy/healthcheck.mjs /app/healthcheck.mjs
# MEDIA_DIR in compose: a named volume mounted here starts with this owner.
RUN mkdir -p /data/media && chown node:node /data/media
USER node
EXPOSE 3000
# The API's /healthz; a worker sets HEALTHCHECK_URL to its own /metrics (METRICS_PORT).
HEALTHCHECK --interval=15s --timeout=5s --start-period=40s --retries=3 CMD ["node", "/app/healthcheck.mjs"]
CMD ["node", "--enable-source-maps", "api/dist/main.js"]
