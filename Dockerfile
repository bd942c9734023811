# Node 26 (Lithium) has been the Active LTS line since 2026-10-28 (Node 24 went to maintenance on
# 2026-10-20, Node 20's support ended on 2026-04-30: the release schedule in node-releases).
# Build: compile the TypeScript once, so the running image starts plain JavaScript.
FROM node:26-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY clients/typescript/package.json clients/typescript/
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

FROM node:26-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
COPY clients/typescript/package.json clients/typescript/
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist dist/
COPY migrations migrations/
COPY seeds seeds/
# Without DATABASE_URL the embedded database lives here; the service runs as the unprivileged node user.
RUN mkdir -p /app/data && chown node /app/data
VOLUME /app/data
ENV HOST=0.0.0.0 PORT=3000 DATA_DIR=/app/data
EXPOSE 3000
USER node
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.PORT + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "--enable-source-maps", "dist/server.js"]
