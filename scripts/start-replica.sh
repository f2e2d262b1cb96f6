#!/usr/bin/env bash
# A streaming replica of the local PostgreSQL for the router tests (and for trying DATABASE_REPLICA_URL):
# cluster "replica" of the same version on 127.0.0.1:5433, made with Debian's pg_createcluster and
# pg_basebackup from the cluster "main" on 127.0.0.1:5432. Loopback only. Idempotent: run it as often as you
# like; it changes only what is missing, and exits non-zero (never silently) when no replica can be had.
#
#   scripts/start-replica.sh            # then DATABASE_REPLICA_URL=postgres://postgres@127.0.0.1:5433/<db>
#
# What it may change on the primary: one line in pg_hba.conf ("host replication all 127.0.0.1/32 trust",
# added only when no replication line for 127.0.0.1 is there) and a reload. wal_level must already be
# replica or logical (PostgreSQL's default): changing it needs a restart, which this script does not do.
# Run as root (it acts as the postgres user) or as postgres.
set -euo pipefail

PRIMARY_PORT="${PRIMARY_PORT:-5432}"
REPLICA_PORT="${REPLICA_PORT:-5433}"
REPLICA_CLUSTER="${REPLICA_CLUSTER:-replica}"

say() { echo "start-replica: $*"; }
fail() { echo "start-replica: $*" >&2; exit 1; }
as_postgres() { if [ "$(id -un)" = postgres ]; then "$@"; else runuser -u postgres -- "$@"; fi; }
primary_sql() { psql -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -d postgres -XAtqc "$1"; }
replica_sql() { psql -h 127.0.0.1 -p "$REPLICA_PORT" -U postgres -d postgres -XAtqc "$1"; }

command -v pg_createcluster >/dev/null || fail "pg_createcluster not found (Debian's postgresql-common)"
version="$(ls /etc/postgresql | sort -V | tail -1)"
[ -n "$version" ] || fail "no PostgreSQL cluster under /etc/postgresql"

# 1. The primary runs and accepts replication connections from 127.0.0.1.
if ! pg_isready -q -h 127.0.0.1 -p "$PRIMARY_PORT"; then
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p "$PRIMARY_PORT" && break; sleep 1; done
fi
pg_isready -q -h 127.0.0.1 -p "$PRIMARY_PORT" || fail "the primary is not reachable on 127.0.0.1:$PRIMARY_PORT"
wal_level="$(primary_sql "SHOW wal_level")"
case "$wal_level" in
    replica | logical) ;;
    *) fail "the primary has wal_level=$wal_level; set wal_level=replica and restart it" ;;
esac
[ "$(primary_sql "SHOW max_wal_senders")" -gt 0 ] || fail "the primary has max_wal_senders=0"

hba="$(primary_sql "SHOW hba_file")"
if ! grep -Eq '^[[:space:]]*host[[:space:]]+replication[[:space:]]+(all|postgres)[[:space:]]+127\.0\.0\.1(/32)?[[:space:]]+trust' "$hba"; then
    say "allowing replication from 127.0.0.1 in $hba"
    printf '%s\n' "# unionledger scripts/start-replica.sh: the local streaming replica (loopback only)" \
        "host    replication     all             127.0.0.1/32            trust" >>"$hba"
    primary_sql "SELECT pg_reload_conf()" >/dev/null
fi

# 2. The replica cluster: made once from a base backup of the primary; made again if it cannot stream.
make_replica() {
    if pg_lsclusters -h | awk '{print $2}' | grep -qx "$REPLICA_CLUSTER"; then
        say "dropping the replica cluster that does not stream"
        pg_dropcluster --stop "$version" "$REPLICA_CLUSTER"
    fi
    say "creating cluster $version/$REPLICA_CLUSTER on 127.0.0.1:$REPLICA_PORT from a base backup"
    pg_createcluster "$version" "$REPLICA_CLUSTER" -p "$REPLICA_PORT" >/dev/null
    local data
    data="$(pg_lsclusters -h | awk -v c="$REPLICA_CLUSTER" '$2 == c {print $6}')"
    find "$data" -mindepth 1 -delete
    as_postgres pg_basebackup -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -D "$data" -X stream -R --checkpoint=fast
    local conf="/etc/postgresql/$version/$REPLICA_CLUSTER/conf.d/unionledger-replica.conf"
    printf '%s\n' "# unionledger scripts/start-replica.sh" "listen_addresses = '127.0.0.1'" \
        "port = $REPLICA_PORT" "hot_standby = on" "max_standby_streaming_delay = 30s" | as_postgres tee "$conf" >/dev/null
    # The same sign-in rules as the primary (there: trust on loopback), not a fresh cluster's scram-sha-256.
    as_postgres cp "$hba" "/etc/postgresql/$version/$REPLICA_CLUSTER/pg_hba.conf"
}

streaming() {
    [ "$(replica_sql "SELECT pg_is_in_recovery()" 2>/dev/null)" = t ] &&
        [ "$(replica_sql "SELECT status FROM pg_stat_wal_receiver" 2>/dev/null)" = streaming ]
}

start_and_wait() {
    pg_ctlcluster --skip-systemctl-redirect "$version" "$REPLICA_CLUSTER" start >/dev/null 2>&1 || true
    for _ in $(seq 1 30); do streaming && return 0; sleep 1; done
    return 1
}

if ! pg_lsclusters -h | awk '{print $2}' | grep -qx "$REPLICA_CLUSTER"; then
    make_replica
fi
if ! start_and_wait; then
    make_replica
    start_and_wait || fail "the replica on 127.0.0.1:$REPLICA_PORT does not stream from the primary (see /var/log/postgresql/postgresql-$version-$REPLICA_CLUSTER.log)"
fi
say "streaming replica of 127.0.0.1:$PRIMARY_PORT is up on 127.0.0.1:$REPLICA_PORT (pg_is_in_recovery: $(replica_sql "SELECT pg_is_in_recovery()"))"
