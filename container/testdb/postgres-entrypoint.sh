#!/bin/sh
# A throwaway test server: a new cluster whose superuser is POSTGRES_USER, password
# authentication over TCP, the database POSTGRES_DB, no fsync.
set -eu
bin=$(ls -d /usr/lib/postgresql/*/bin | tail -n1)
data=/var/lib/postgresql/data
user=${POSTGRES_USER:-postgres}
db=${POSTGRES_DB:-$user}
mkdir -p "$data" /var/run/postgresql
chown postgres:postgres "$data" /var/run/postgresql
if [ ! -s "$data/PG_VERSION" ]; then
    pwfile=$(mktemp)
    printf '%s\n' "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD is required}" >"$pwfile"
    chown postgres "$pwfile"
    runuser -u postgres -- "$bin/initdb" -D "$data" -U "$user" --pwfile="$pwfile" \
        --auth-local=trust --auth-host=scram-sha-256 >/dev/null
    rm -f "$pwfile"
    echo "host all all all scram-sha-256" >>"$data/pg_hba.conf"
    if [ "$db" != postgres ]; then
        echo "CREATE DATABASE \"$db\";" | runuser -u postgres -- "$bin/postgres" --single -D "$data" postgres >/dev/null
    fi
fi
exec runuser -u postgres -- "$bin/postgres" -D "$data" -c listen_addresses='*' -c fsync=off \
    -c synchronous_commit=off -c full_page_writes=off
