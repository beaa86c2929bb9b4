# Shared by the scripts: a throwaway PostgreSQL cluster for the tests, on a loopback port in a
# temporary directory, installed from Debian's packages when missing.
#
#   source scripts/lib/postgres.sh
#   start_test_postgres        # sets KEEL_POSTGRES_URL (and KEEL_POSTGRES_DATA); stops on exit
#   (tests that restart the server mid-load use KEEL_POSTGRES_DATA and KEEL_POSTGRES_CTL, which it exports)

postgres_bin() {
    ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1
}

ensure_postgres_installed() {
    [ -n "$(postgres_bin)" ] && [ -x "$(postgres_bin)/initdb" ] && return 0
    echo "installing postgresql (needed by the PostgreSQL tests)" >&2
    local sudo=""
    [ "$(id -u)" != 0 ] && sudo="sudo"
    $sudo apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >/dev/null
    # Debian's package starts a system cluster; the tests use their own.
    $sudo service postgresql stop >/dev/null 2>&1 || true
}

# Runs a command as the postgres user when we are root (the server refuses to run as root).
as_postgres_user() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_loopback_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

start_test_postgres() {
    ensure_postgres_installed
    local bin; bin=$(postgres_bin)
    KEEL_POSTGRES_DATA=$(mktemp -d "${TMPDIR:-/tmp}/keel-test-pg.XXXXXX")
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$KEEL_POSTGRES_DATA"
    local port; port=$(free_loopback_port)
    as_postgres_user "$bin/initdb" --no-sync -D "$KEEL_POSTGRES_DATA" -U postgres --auth=trust -E UTF8 >/dev/null
    cat >> "$KEEL_POSTGRES_DATA/postgresql.conf" <<CONF
port = $port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$KEEL_POSTGRES_DATA'
# The whole suite runs its tests at once: each has two pools, and each running engine holds
# three connections (its listening one and two for statements): 346 at the peak, measured.
max_connections = 1000
shared_buffers = 128MB
# A throwaway cluster for tests: no power-loss durability needed (benchmarks use their own, durable one).
fsync = off
synchronous_commit = off
full_page_writes = off
CONF
    as_postgres_user "$bin/pg_ctl" -D "$KEEL_POSTGRES_DATA" -l "$KEEL_POSTGRES_DATA/server.log" -w start >/dev/null
    export KEEL_POSTGRES_DATA
    export KEEL_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/postgres"
    export KEEL_POSTGRES_CTL="$bin/pg_ctl"
    trap stop_test_postgres EXIT
    echo "PostgreSQL for the tests: $KEEL_POSTGRES_URL" >&2
}

stop_test_postgres() {
    [ -n "${KEEL_POSTGRES_DATA:-}" ] || return 0
    as_postgres_user "$(postgres_bin)/pg_ctl" -D "$KEEL_POSTGRES_DATA" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$KEEL_POSTGRES_DATA"
}
