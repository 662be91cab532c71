# VistterStream in a container (linux/amd64 and linux/arm64, e.g. a Raspberry Pi 5):
#   docker build -t vistterstream .
#   docker run -d --name vistter --init -p 8443:8443 -p 8080:8080 -v vistter-data:/data \
#     -e VISTTER_ALLOWED_HOSTS=<this host's name and address> \
#     -e VISTTER_TZ=Europe/London --restart unless-stopped vistterstream
# HTTPS on 8443 with the appliance's own certificate (in /data/tls); 8080 redirects to it. Map
# both to the same port numbers: the redirect names the HTTPS port the appliance listens on.
# Data (database, secret key, media, recordings) lives in the /data volume.

# Build: npm packages (native ones compiled here if no prebuilt binary fits), the appliance
# (TypeScript → dist/, the compositor's WASM kernels) and the web UI; then the packages are cut down
# to what the running appliance needs (no tsx, wabt, vite, React sources).
FROM node:20-bookworm-slim AS build
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY . .
RUN npm run build && npm run build:web \
  && npm prune --omit=dev --no-audit --no-fund --loglevel=error

# Run: ffmpeg, fonts for overlays, tini to reap ffmpeg processes; a non-root user.
FROM node:20-bookworm-slim
RUN apt-get update \
  && apt-get install -y --no-install-recommends ffmpeg fonts-dejavu-core openssl tini \
  && rm -rf /var/lib/apt/lists/* \
  && groupadd --system vistter \
  && useradd --system --gid vistter --groups video --home-dir /data --shell /usr/sbin/nologin vistter \
  && mkdir -p /data && chown vistter:vistter /data
WORKDIR /app
# What `node dist/main.js` reads: its packages, the build, the web UI, the demo show; the README
# for reference. No TypeScript sources.
COPY --from=build --chown=root:root /app/package.json /app/package-lock.json /app/README.md /app/
COPY --from=build --chown=root:root /app/node_modules /app/node_modules
COPY --from=build --chown=root:root /app/dist /app/dist
COPY --from=build --chown=root:root /app/web/dist /app/web/dist
COPY --from=build --chown=root:root /app/demo /app/demo
COPY --from=build --chown=root:root /app/bin /app/bin
# Ports default to 8443 (HTTPS) and 8080 (redirects to HTTPS) on every interface (set them with -e
# or in /data/config.json; VISTTER_TLS=0 serves plain HTTP on 8080 only, behind a TLS proxy).
ENV NODE_ENV=production \
    VISTTER_DATA_DIR=/data
USER vistter
VOLUME ["/data"]
EXPOSE 8443 8080
STOPSIGNAL SIGTERM
# Asks the plain port and follows its redirect (HTTPS on) or reads its answer (VISTTER_TLS=0). Over
# loopback the appliance's own certificate is not checked: this only asks whether it answers.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD node -e "const ok = (r) => process.exit(r.statusCode === 200 ? 0 : 1), no = () => process.exit(1); require('node:http').get('http://127.0.0.1:' + (process.env.VISTTER_PORT || 8080) + '/api/health', (r) => r.statusCode === 308 ? require('node:https').get(r.headers.location, { rejectUnauthorized: false }, ok).on('error', no) : ok(r)).on('error', no)"
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/main.js"]
