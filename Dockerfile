# syntax=docker/dockerfile:1
# greenrate: build a wheel (and the wheels of its dependencies), then a slim runtime as a non-root user.

FROM python:3.11-slim AS builder
# A C compiler for mypyc, which compiles the engine's hot modules into the wheel (setup.py); the runtime
# image gets the compiled wheel and no compiler.
RUN apt-get update \
    && apt-get install -y --no-install-recommends gcc libc6-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pyproject.toml setup.py README.md constraints.txt ./
COPY service ./service
COPY rating_model ./rating_model
COPY schemas ./schemas
# the versions the tests passed on (constraints.txt), for the package and every dependency
RUN pip wheel --no-cache-dir --wheel-dir /wheels -c constraints.txt .

FROM python:3.11-slim AS runtime
# The instance directory (the embedded database, instance/secret_key, portfolio files) named, not guessed:
# for a package installed into /usr/local the default would be /usr/local/var/service-instance, which the
# service's user cannot write and no volume holds (compose.yaml mounts /app/instance).
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    GREENRATE_BIND=0.0.0.0:8000 \
    GREENRATE_INSTANCE_DIR=/app/instance
# Pango for WeasyPrint (the PDF disclosure) and a CJK font so Chinese renders in it.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --system --uid 10001 --create-home --home-dir /app --shell /usr/sbin/nologin greenrate
WORKDIR /app
# The wheels are mounted from the builder for the install alone (BuildKit, Docker's builder since 23.0):
# copied in, then removed by the install's layer, they had stayed in the copy's layer, 117 MB of the image
# beside the packages installed from them.
RUN --mount=type=bind,from=builder,source=/wheels,target=/wheels \
    pip install --no-cache-dir --no-index --find-links /wheels greenrate
COPY gunicorn.conf.py ./gunicorn.conf.py
RUN mkdir -p /app/instance/portfolios && chown -R greenrate:greenrate /app/instance
# The build's revision, recorded and signed with every rating the image issues and shown by /readyz (an image
# holds no .git to read it from):
#   docker build --build-arg GREENRATE_REVISION=$(git describe --always --dirty) .
# (describe, not rev-parse HEAD: the image copies the working tree; -dirty says it had uncommitted changes)
# Declared last, so a new revision rebuilds no layer: only this one.
ARG GREENRATE_REVISION=unknown
ENV GREENRATE_REVISION=${GREENRATE_REVISION}
USER greenrate
EXPOSE 8000
# No curl in slim images: probe liveness with the standard library, at the address GREENRATE_BIND names
# (a wildcard bind is probed on the loopback), so a run with another bind is not marked unhealthy.
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, sys, urllib.request; host, _, port = os.environ.get('GREENRATE_BIND', '0.0.0.0:8000').strip().rpartition(':'); host = host.strip('[]'); host = '127.0.0.1' if host in ('', '0.0.0.0', '::') else host; host = f'[{host}]' if ':' in host else host; sys.exit(0 if urllib.request.urlopen(f'http://{host}:{port}/healthz', timeout=2).status == 200 else 1)"]
# Migrations are idempotent; run them before the workers start (one replica at a time when scaling out).
CMD ["sh", "-c", "greenrate db upgrade && exec gunicorn -c gunicorn.conf.py service.wsgi:app"]
