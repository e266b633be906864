# MariaDB for the test kit's testcontainers path (datafeeds_core.testing), built from Debian's
# own packages on the worker image's base, so it builds where no image registry answers. It
# takes the official image's settings (MYSQL_ROOT_PASSWORD, MYSQL_DATABASE, MYSQL_USER,
# MYSQL_PASSWORD). Build: docker build -f container/testdb/mariadb.Dockerfile --build-arg BASE=IMAGE container/testdb
ARG BASE=debian:bookworm-slim
FROM ${BASE}
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends mariadb-server \
    && rm -rf /var/lib/apt/lists/* /var/lib/mysql/*
COPY mariadb-entrypoint.sh /usr/local/bin/
EXPOSE 3306
ENTRYPOINT ["/usr/local/bin/mariadb-entrypoint.sh"]
