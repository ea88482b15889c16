# One image for every flowq process; the compose command picks the app (api, worker, migrate, simulator).
FROM node:22-bookworm-slim
RUN npm i -g pnpm@10.34.9
WORKDIR /app
ENV CI=true
COPY . .
RUN pnpm install --frozen-lockfile
ENV NODE_ENV=production
USER node
EXPOSE 3000
CMD ["pnpm", "--filter", "@flowq/api", "start"]
