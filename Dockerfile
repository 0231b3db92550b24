# secbot: one image for `serve slack`, `serve teams` or `serve both` (choose by command).
# Build:  docker build -t secbot .
# Run:    docker run --env-file secbot.env -p 3000:3000 secbot serve slack --host 0.0.0.0

FROM python:3.11-slim AS build
WORKDIR /src
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY intents ./intents
COPY knowledge ./knowledge
COPY adapters ./adapters
RUN python -m venv /opt/venv \
    && /opt/venv/bin/pip install --no-compile . \
    && /opt/venv/bin/python -m compileall -q /opt/venv/lib

FROM python:3.11-slim
LABEL org.opencontainers.image.title="secbot" \
      org.opencontainers.image.description="Security guidance and incident triage bot for Slack and Teams"
RUN groupadd --system --gid 10001 secbot \
    && useradd --system --uid 10001 --gid secbot --home-dir /home/secbot --create-home secbot \
    && mkdir -p /data /knowledge \
    && chown secbot:secbot /data /knowledge
COPY --from=build /opt/venv /opt/venv
# The shipped knowledge is the default; mount your own folder over /knowledge to edit it live.
COPY --from=build --chown=secbot:secbot /src/knowledge /knowledge
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    SECBOT_KNOWLEDGE=/knowledge \
    SECBOT_DATABASE_URL=sqlite:////data/secbot.db
VOLUME ["/data"]
USER 10001:10001
WORKDIR /home/secbot
EXPOSE 3000 3978
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["secbot", "healthcheck"]
ENTRYPOINT ["secbot"]
CMD ["serve", "slack", "--host", "0.0.0.0"]
