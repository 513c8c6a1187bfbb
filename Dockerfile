# Production image: runs the service (`marketplace-pulse serve`).
# Configure with DATABASE_URL (PostgreSQL) or mount a volume at /data for the embedded database.
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    DATA_DIR=/data
WORKDIR /app
COPY package.json package-lock.json ./
# tsx stays: the service runs its TypeScript sources directly
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY bin ./bin
COPY src ./src
COPY db ./db
COPY jobs ./jobs
COPY templates ./templates
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
ENTRYPOINT ["node", "bin/marketplace-pulse.js"]
CMD ["serve"]
