# orgsim in a container: `docker build -t orgsim .` then
#   docker run --rm -p 4599:4599 -v orgsim-data:/data orgsim
# State lives in the /data volume (SQLite /data/orgsim.db); set ORGSIM_DATABASE_URL for
# PostgreSQL (compose.yaml runs two replicas over one). Every ORGSIM_* setting works as -e.
#
# Images cannot be built on orgsim's CI machines (no Docker engine). Instead CI runs
# scripts/check-dockerfile.mjs, which reads THIS file and performs its steps on a clean copy of
# the repository: each stage's WORKDIR, COPY and RUN (system package installs skipped: the CI
# image has those tools), then the runtime stage's files with ENV, CMD and HEALTHCHECK, started as
# a process and health-checked. Keep to that dialect (see the script's header) so the check
# stays a check of this file.

# ---- build: dev dependencies, compile, pack; then only the runtime dependencies ------------
FROM node:20-slim AS build
# better-sqlite3 compiles from source where no prebuilt binary fits.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /orgsim
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# npm pack runs prepack (a clean build of src/) and packs what package.json's "files" lists;
# the unpacked package plus the production dependencies is the whole runtime.
RUN npm pack --silent && mkdir package && tar -xzf orgsim-*.tgz -C package --strip-components=1
RUN npm prune --omit=dev --no-audit --no-fund && mv node_modules package/

# ---- runtime: the package, node, nothing else ---------------------------------------------
FROM node:20-slim
ENV NODE_ENV=production \
    ORGSIM_HOST=0.0.0.0 \
    ORGSIM_PORT=4599 \
    ORGSIM_DATA=/data/orgsim.db
WORKDIR /orgsim
COPY --from=build /orgsim/package ./
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME /data
EXPOSE 4599
# slim images have no curl: node asks the control API (so keep it on: no --no-control-api).
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.ORGSIM_PORT || 4599) + '/_orgsim/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "bin/orgsim.js", "start", "--host", "0.0.0.0"]
