# syntax=docker/dockerfile:1
# support-bot in a container: the bot as an unprivileged user, its store on the /data volume,
# settings from the environment (compose.yaml: env_file). docs/operations.md explains it all.
#   docker build -t support-bot .
#   docker run --env-file .env -v support-bot-data:/data -p 8080:8080 support-bot
#   docker run --rm --env-file .env -v support-bot-data:/data support-bot backup /data/backups/today.sqlite

# --- dependencies: production packages only ---------------------------------------------------
FROM node:20-slim AS deps
# better-sqlite3 ships prebuilt binaries for Node 20 on glibc; the compiler is here for platforms without one.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
# The bot runs its TypeScript with tsx (a production dependency): no build step, so no dev
# dependencies (compiler, test runner, test servers) ever reach the image.
RUN npm ci --omit=dev --no-audit --no-fund

# --- runtime ----------------------------------------------------------------------------------
FROM node:20-slim AS runtime
ENV NODE_ENV=production \
    DATA_DIR=/data \
    HTTP_PORT=8080
# tini is PID 1: it forwards SIGTERM from `docker stop` to the bot, which then stops cleanly
# (closing the store), and reaps orphaned processes.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 support-bot \
 && useradd --system --uid 10001 --gid support-bot --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin support-bot \
 && mkdir -p /data \
 && chown support-bot:support-bot /data \
 && chmod 0700 /data \
 && ln -s /app/deploy/support-bot /usr/local/bin/support-bot
WORKDIR /app
# Code and packages belong to root: the bot's user can read them, not change them.
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.json ./
COPY src ./src
COPY commands ./commands
COPY deploy/support-bot deploy/healthcheck.mjs ./deploy/
USER support-bot
# The store (customers' personal data, the process journal, chat state): keep it on a volume and back it up.
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 CMD ["node", "/app/deploy/healthcheck.mjs"]
ENTRYPOINT ["/usr/bin/tini", "--", "support-bot"]
CMD ["start"]
