# PostgreSQL for the test kit's testcontainers path (datafeeds_core.testing), built from Debian's
# own packages on the worker image's base, so it builds where no image registry answers. It
# takes the official image's settings (POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_DB).
# Build: docker build -f container/testdb/postgres.Dockerfile --build-arg BASE=IMAGE container/testdb
ARG BASE=debian:bookworm-slim
FROM ${BASE}
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql \
    && rm -rf /var/lib/apt/lists/* /var/lib/postgresql/*
COPY postgres-entrypoint.sh /usr/local/bin/
EXPOSE 5432
ENTRYPOINT ["/usr/local/bin/postgres-entrypoint.sh"]
