# Production image: runs the service (`marketplace-pulse serve`) from the build in dist/.
# Configure with DATABASE_URL (PostgreSQL) or mount a volume at /data for the embedded database.

# build: everything installed, the sources bundled into dist/ (npm ci runs `prepare`)
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY bin ./bin
COPY src ./src
COPY db ./db
RUN npm ci --no-audit --no-fund

# run: the runtime dependencies and the build; no sources, no TypeScript, no development tools
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    DATA_DIR=/data
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY bin/marketplace-pulse.js ./bin/
COPY --from=build /app/dist ./dist
COPY db/migrations ./db/migrations
COPY jobs ./jobs
COPY templates ./templates
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s CMD node -e "fetch('http://127.0.0.1:'+(process.env.HTTP_PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["node", "bin/marketplace-pulse.js"]
CMD ["serve"]
