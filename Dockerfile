# TwitchCare: a small image that runs the bot (webhook mode in production; see README
# "Deployment"). scripts/docker-build-check runs these same build steps without Docker, in CI.

# The base image is named by tag, not digest: see README "Reproducible builds" for why.
# --- build: one wheel of TwitchCare itself (its dependencies are installed below) ------------
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY scheduler ./scheduler
COPY content ./content
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

# --- run: the wheel and its runtime dependencies in a venv, no dev tools, not root -----------
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    TWITCHCARE_LOG_JSON=true \
    TWITCHCARE_WEBHOOK_LISTEN=0.0.0.0 \
    TWITCHCARE_WEBHOOK_PORT=8080 \
    TWITCHCARE_OPS_PORT=9090 \
    TWITCHCARE_DATA_DIR=/home/twitchcare/data
COPY --from=build /wheels /wheels
# The exact versions the lock names, each checked against its hash; then our own wheel alone.
COPY requirements.lock /wheels/
RUN python -m venv /opt/venv \
    && /opt/venv/bin/pip install --no-cache-dir --require-hashes -r /wheels/requirements.lock \
    && /opt/venv/bin/pip install --no-cache-dir --no-deps /wheels/*.whl \
    && rm -rf /wheels \
    && useradd --create-home --uid 10001 --shell /usr/sbin/nologin twitchcare
USER 10001
WORKDIR /home/twitchcare
EXPOSE 8080
# /healthz on the internal ops listener (TWITCHCARE_OPS_LISTEN, 127.0.0.1 unless set): Redis
# reachable and the due queue keeping up (no curl in the slim image).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["twitchcare", "health"]
ENTRYPOINT ["twitchcare"]
CMD ["run"]
