# Production image of Charla: the API, the Socket.IO feed and the built admin panel in one process.
FROM node:20.20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY backend/package.json backend/
COPY simulator/package.json simulator/
COPY admin/package.json admin/
RUN npm ci
COPY tsconfig.json nest-cli.json ./
COPY backend backend
COPY simulator simulator
COPY admin admin
RUN npm run build && npm prune --omit=dev

FROM node:20.20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app /app
RUN mkdir -p /app/auth_sessions /app/.data && chown -R node:node /app/auth_sessions /app/.data
USER node
EXPOSE 3000
CMD ["node", "backend/dist/main.js"]
