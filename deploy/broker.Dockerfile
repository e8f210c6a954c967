# The Peerwall broker as a container image, for compose.yaml. Node 20 on Debian 12, as in CI.
FROM node:20-bookworm-slim
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
# No install scripts (WXT's postinstall prepares the extension build); better-sqlite3 is built explicitly.
RUN npm ci --ignore-scripts --no-audit --no-fund && npm rebuild better-sqlite3
COPY broker ./broker
COPY core ./core
RUN mkdir /data && chown node:node /data
ENV HOST=0.0.0.0 PORT=9000 DATA_DIR=/data NODE_ENV=production
USER node
EXPOSE 9000
CMD ["node", "--import", "tsx", "broker/server.ts"]
