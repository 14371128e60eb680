# syntax=docker/dockerfile:1
# One image for the four apps; the app is the first argument, else CARAVAN_APP, else the api
# (an argument and a CARAVAN_APP that differ are refused):
#   docker build -t caravan .
#   docker run caravan ingestor|projector|publisher|api      (listens on 0.0.0.0:8080)
#   docker run -e CARAVAN_APP=ingestor caravan
#   docker run --entrypoint caravan caravan migrate           (the CLI: migrate, rebuild, dlq, offsets…)
# What it holds is the package of `npm pack` (compiled apps and CLI, migrations, the dashboard)
# with the production dependencies of package-lock.json: no sources, no dev dependencies.
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm pack --pack-destination /tmp && mv /tmp/caravan-*.tgz /tmp/caravan.tgz

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HTTP_HOST=0.0.0.0 \
    HTTP_PORT=8080
COPY --from=build /tmp/caravan.tgz /tmp/caravan.tgz
COPY package-lock.json deploy/image/install.sh /tmp/
RUN sh /tmp/install.sh /tmp/caravan.tgz /tmp/package-lock.json /app \
    && npm cache clean --force \
    && rm -rf /tmp/caravan.tgz /tmp/package-lock.json /tmp/install.sh \
    && ln -s /app/bin/caravan.js /usr/local/bin/caravan \
    && ln -s /app/bin/caravan-app.js /usr/local/bin/caravan-app
# tini as PID 1: it forwards the signals to node and reaps; node as PID 1 would ignore a signal it has
# no handler for (the apps also exit by themselves once closed). Debian's coreutils give the
# Kubernetes preStop `sleep`.
RUN apt-get update \
    && apt-get install -y --no-install-recommends tini \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# Not root, and nothing of /app is writable by it (Kubernetes runs it with a read-only root file system).
USER 10001:10001
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 CMD ["node", "/app/bin/caravan-app.js", "--probe", "live"]
# No CMD: a default argument would always win over CARAVAN_APP.
ENTRYPOINT ["tini", "--", "node", "/app/bin/caravan-app.js"]
