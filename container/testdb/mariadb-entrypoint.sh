#!/bin/sh
# A throwaway test server: root with MYSQL_ROOT_PASSWORD from anywhere, MYSQL_DATABASE, and
# MYSQL_USER with every privilege (the test kit creates its own databases).
set -eu
mkdir -p /run/mysqld
chown mysql:mysql /run/mysqld /var/lib/mysql
if [ ! -d /var/lib/mysql/mysql ]; then
    mariadb-install-db --user=mysql --datadir=/var/lib/mysql --skip-test-db >/dev/null
    {
        echo "FLUSH PRIVILEGES;"
        echo "ALTER USER 'root'@'localhost' IDENTIFIED BY '${MYSQL_ROOT_PASSWORD:?MYSQL_ROOT_PASSWORD is required}';"
        echo "CREATE USER 'root'@'%' IDENTIFIED BY '$MYSQL_ROOT_PASSWORD';"
        echo "GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION;"
        if [ -n "${MYSQL_DATABASE:-}" ]; then
            echo "CREATE DATABASE IF NOT EXISTS \`$MYSQL_DATABASE\`;"
        fi
        if [ -n "${MYSQL_USER:-}" ]; then
            echo "CREATE USER '$MYSQL_USER'@'%' IDENTIFIED BY '${MYSQL_PASSWORD:-}';"
            echo "GRANT ALL ON *.* TO '$MYSQL_USER'@'%';"
        fi
    } | mariadbd --user=mysql --bootstrap --datadir=/var/lib/mysql >/dev/null
fi
exec mariadbd --user=mysql --datadir=/var/lib/mysql --bind-address=0.0.0.0 \
    --innodb-flush-log-at-trx-commit=0 --skip-log-bin
