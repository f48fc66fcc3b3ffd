#!/usr/bin/env bash
# Makes sure the PostgreSQL and MariaDB servers that cinetpay-store's tests use
# are up and have a `test` database; starts them when they are down.
#
#   PostgreSQL: 127.0.0.1:5432, user postgres (trust), database test
#   MariaDB:    127.0.0.1:3306, user root (empty password), database test
#
# Idempotent; exports nothing. Exits non-zero, saying which server, when one
# cannot be brought up within the wait. Point the tests at them with
#   CINETPAY_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test
#   CINETPAY_TEST_MYSQL_URL=mysql://root@127.0.0.1:3306/test
set -euo pipefail

WAIT_SECONDS="${CINETPAY_DB_WAIT_SECONDS:-60}"

log() { echo "databases: $*" >&2; }

# wait_for NAME COMMAND...: retries COMMAND every second for WAIT_SECONDS.
wait_for() {
    local name="$1"
    shift
    for _ in $(seq 1 "$WAIT_SECONDS"); do
        if "$@" >/dev/null 2>&1; then
            return 0
        fi
        sleep 1
    done
    log "$name is still not reachable after ${WAIT_SECONDS}s"
    return 1
}

pg_up() { pg_isready -q -h 127.0.0.1 -p 5432 -U postgres >/dev/null 2>&1; }
maria_up() { mysqladmin --protocol=tcp -h 127.0.0.1 -P 3306 -u root ping >/dev/null 2>&1; }

start_postgres() {
    local version
    version="$(ls /etc/postgresql | sort -V | tail -n 1)"
    log "PostgreSQL is down; starting cluster $version/main"
    mkdir -p /var/run/postgresql
    chown postgres:postgres /var/run/postgresql
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
}

start_mariadb() {
    log "MariaDB is down; starting mariadbd"
    mkdir -p /run/mysqld
    chown mysql:mysql /run/mysqld
    start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
}

if ! pg_up; then
    start_postgres
    wait_for PostgreSQL pg_up
fi
if ! maria_up; then
    start_mariadb
    wait_for MariaDB maria_up
fi

if ! psql -h 127.0.0.1 -U postgres -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = 'test'" | grep -q 1; then
    log "creating PostgreSQL database test"
    createdb -h 127.0.0.1 -U postgres test
fi
mysql --protocol=tcp -h 127.0.0.1 -P 3306 -u root -e "CREATE DATABASE IF NOT EXISTS test"

log "PostgreSQL $(psql -h 127.0.0.1 -U postgres -d test -tAc 'SHOW server_version') and MariaDB $(mysql --protocol=tcp -h 127.0.0.1 -u root -N -e 'SELECT VERSION()') ready"
