# syntax=docker/dockerfile:1
# The imagegen MCP server over Streamable HTTP (@imagegen/http-server), for a remote deployment.
#
#   docker build -t imagegen-http .
#   docker run -p 127.0.0.1:3001:3001 -e SERVER__AUTH_TOKEN=change-me -e OPENAI_API_KEY=sk-... \
#     -v imagegen-data:/data imagegen-http
#
# Listening beyond loopback (as a container must) requires SERVER__AUTH_TOKEN; behind a proxy or on a public name,
# also set SERVER__ALLOWED_HOSTS (and IMAGES__BASE_HOST for image links). The runtime stage is a production install
# of the packed packages, the layout tools/distribution/src/container.spec.ts builds and runs without Docker.

ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /workspace
COPY . .
RUN npm ci --no-audit --no-fund
# Build and pack the HTTP server and the packages it needs, then install those tarballs alone with `npm ci --omit=dev`.
RUN node tools/distribution/scripts/pack-packages.mjs --out /packs --only @imagegen/http-server \
  && node tools/distribution/scripts/stage-install.mjs --packs /packs --package @imagegen/http-server --out /srv/imagegen

FROM ${NODE_IMAGE} AS runtime
# MALLOC_ARENA_MAX=2: glibc otherwise gives each libvips and libuv thread a malloc arena of its own that keeps freed
# memory; with two, peak RSS under 32 generations at once drops by about 70 MiB (BENCHMARKS.md, issue 20).
ENV NODE_ENV=production \
    MALLOC_ARENA_MAX=2 \
    SERVER__HOST=0.0.0.0 \
    SERVER__PORT=3001 \
    STORAGE__BASE_PATH=/data
# Installed as root and read-only for the server; only the storage volume is writable by it.
COPY --from=build /srv/imagegen/node_modules /srv/imagegen/node_modules
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]
USER node
WORKDIR /srv/imagegen
EXPOSE 3001
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.SERVER__PORT || 3001) + '/healthz').then((response) => process.exit(response.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "/srv/imagegen/node_modules/@imagegen/http-server/dist/main.js"]
