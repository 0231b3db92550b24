# secbot: one image for `serve slack`, `serve teams` or `serve both` (choose by command).
# Build:  docker build -t secbot .
# Run:    docker run --env-file secbot.env -p 3000:3000 secbot serve slack --host 0.0.0.0
# CI builds and smoke-tests this file with buildah: scripts/image-test.sh.

# The base image; CI points it at a local stand-in (an image cannot be pulled there).
ARG PYTHON_IMAGE=python:3.11-slim

FROM ${PYTHON_IMAGE} AS build
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
WORKDIR /src
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PIP_ROOT_USER_ACTION=ignore
# Current pip, setuptools and wheel live in a build-only venv (/opt/tools); the app's venv
# (/opt/venv) gets none of them. Every package comes from a lock file with exact versions and
# hashes (scripts/lock.sh), so two builds of one commit install the same versions.
COPY requirements-build.lock requirements.lock ./
RUN python -m venv /opt/tools \
    && /opt/tools/bin/pip install --no-deps --require-hashes -r requirements-build.lock \
    && python -m venv --without-pip /opt/venv \
    && /opt/tools/bin/pip --python /opt/venv/bin/python install --no-deps --require-hashes --only-binary :all: \
        --no-compile -r requirements.lock
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY intents ./intents
COPY knowledge ./knowledge
COPY adapters ./adapters
# secbot itself without dependencies (they are all locked above, with the slack, teams and
# postgres extras); `pip check` fails the build when pyproject.toml needs a package that
# requirements.lock lacks.
RUN /opt/tools/bin/pip wheel --no-deps --no-build-isolation --wheel-dir /tmp/dist . \
    && /opt/tools/bin/pip --python /opt/venv/bin/python install --no-deps --no-compile /tmp/dist/secbot-*.whl \
    && /opt/tools/bin/pip --python /opt/venv/bin/python check \
    && /opt/venv/bin/python -m compileall -q /opt/venv/lib

FROM ${PYTHON_IMAGE}
LABEL org.opencontainers.image.title="secbot" \
      org.opencontainers.image.description="Security guidance and incident triage bot for Slack and Teams"
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
# secbot needs no packaging tools at run time: drop the base image's own pip, setuptools and
# wheel (and so their CVEs) from every site-packages directory of its Python.
RUN python -c 'import site; print("\n".join(site.getsitepackages()))' | while read -r dir; do \
        rm -rf "$dir"/pip "$dir"/pip-*-info "$dir"/setuptools "$dir"/setuptools-*-info "$dir"/pkg_resources \
               "$dir"/_distutils_hack "$dir"/distutils-precedence.pth "$dir"/wheel "$dir"/wheel-*-info; \
    done \
    && rm -f /usr/local/bin/pip /usr/local/bin/pip3* /usr/local/bin/wheel /usr/bin/pip /usr/bin/pip3* \
    && groupadd --system --gid 10001 secbot \
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
