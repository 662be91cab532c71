# VistterStream in a container (linux/amd64 and linux/arm64, e.g. a Raspberry Pi 5):
#   docker build -t vistterstream .
#   docker run -d --name vistter --init -p 8080:8080 -v vistter-data:/data \
#     -e VISTTER_TZ=Europe/London --restart unless-stopped vistterstream
# Data (database, secret key, media, recordings) lives in the /data volume.

# Build: npm packages (native ones compiled here if no prebuilt binary fits) and the web UI.
FROM node:20-bookworm-slim AS build
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
# npm install, not npm ci (see scripts/up.sh); dev packages too: tsx runs the TypeScript sources.
RUN npm install --no-audit --no-fund --loglevel=error
COPY . .
RUN npm run build:web

# Run: ffmpeg, fonts for overlays, tini to reap ffmpeg processes; a non-root user.
FROM node:20-bookworm-slim
RUN apt-get update \
  && apt-get install -y --no-install-recommends ffmpeg fonts-dejavu-core tini \
  && rm -rf /var/lib/apt/lists/* \
  && groupadd --system vistter \
  && useradd --system --gid vistter --groups video --home-dir /data --shell /usr/sbin/nologin vistter \
  && mkdir -p /data && chown vistter:vistter /data
WORKDIR /app
COPY --from=build --chown=root:root /app /app
# Port and address default to 8080 on every interface (set them with -e or in /data/config.json).
ENV NODE_ENV=production \
    VISTTER_DATA_DIR=/data
USER vistter
VOLUME ["/data"]
EXPOSE 8080
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:' + (process.env.VISTTER_PORT || 8080) + '/api/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "--import", "tsx", "src/main.ts"]
