# One image for every flowq process; the command picks the app (api, worker, migrate).
FROM node:22-bookworm-slim AS deps
RUN npm i -g pnpm@10.34.9
WORKDIR /app
COPY pnpm-lock.yaml pnpm-workspace.yaml package.json ./
COPY apps/api/package.json apps/api/
COPY apps/worker/package.json apps/worker/
COPY packages packages
RUN find packages -type f ! -name package.json -delete && CI=true pnpm install --frozen-lockfile

FROM node:22-bookworm-slim
RUN npm i -g pnpm@10.34.9
WORKDIR /app
ENV NODE_ENV=production
COPY --from=deps /app/node_modules node_modules
COPY . .
RUN CI=true pnpm install --frozen-lockfile --offline
USER node
EXPOSE 3000
CMD ["pnpm", "--filter", "@flowq/api", "start"]
