#!/usr/bin/env bash
# Local PostgreSQL 15 (a primary, a streaming-replication hot standby of it,
# pgbouncer in front of it) and MinIO for development and tests, without Docker.
#
#   scripts/services.sh start [SERVICE]  start everything, or one of postgres,
#                                standby, pgbouncer, minio (reuses what runs),
#                                then print the environment to use
#   scripts/services.sh stop [SERVICE]   stop everything, or one, by pid files
#   scripts/services.sh status   say what runs
#   scripts/services.sh env      print the environment only
#
# Data lives in .data/, binaries the project builds in .bin/. Settings:
#   SESHAT_PG_PORT (54329), SESHAT_PGBOUNCER_PORT (SESHAT_PG_PORT + 1),
#   SESHAT_STANDBY_PORT (SESHAT_PG_PORT + 2), SESHAT_MINIO_PORT (9000),
#   SESHAT_MINIO_CONSOLE_PORT (9001)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA="$ROOT/.data"
BIN="$ROOT/.bin"
PG_PORT="${SESHAT_PG_PORT:-54329}"
PG_DATA="$DATA/postgres"
PG_LOG="$DATA/postgres.log"
# The hot standby: a pg_basebackup -R of the primary streaming from it
# through a replication slot (so the primary keeps the WAL it has not
# replayed while it is stopped, up to max_slot_wal_keep_size).
STANDBY_PORT="${SESHAT_STANDBY_PORT:-$((PG_PORT + 2))}"
STANDBY_DATA="$DATA/standby"
STANDBY_LOG="$DATA/standby.log"
STANDBY_SLOT="seshat_standby"
# pgbouncer in transaction pooling mode, the project's own process (not the
# system service), its configuration written under .data/pgbouncer.
PGBOUNCER_PORT="${SESHAT_PGBOUNCER_PORT:-$((PG_PORT + 1))}"
PGBOUNCER_DIR="$DATA/pgbouncer"
MINIO_PORT="${SESHAT_MINIO_PORT:-9000}"
MINIO_CONSOLE_PORT="${SESHAT_MINIO_CONSOLE_PORT:-9001}"
MINIO_DATA="$DATA/minio"
MINIO_PID="$DATA/minio.pid"
MINIO_LOG="$DATA/minio.log"
MINIO_USER="seshat"
MINIO_PASSWORD="seshat-dev-secret"
# This pin builds with the Go on the development machines in about 5 minutes.
MINIO_VERSION="v0.0.0-20260212201848-7aac2a2c5b7c"

say() { printf 'services: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

# as_pg runs a command as the cluster's owner: the postgres system user when
# we are root (PostgreSQL refuses to run as root), ourselves otherwise.
as_pg() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

pg_bindir() {
	local dir
	if command -v pg_config >/dev/null 2>&1; then
		dir="$(pg_config --bindir)"
		[ -x "$dir/initdb" ] && { echo "$dir"; return; }
	fi
	for dir in /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin /usr/local/pgsql/bin; do
		[ -x "$dir/initdb" ] && { echo "$dir"; return; }
	done
	command -v initdb >/dev/null 2>&1 && { dirname "$(command -v initdb)"; return; }
	return 1
}

ensure_pg_binaries() {
	if pg_bindir >/dev/null; then return; fi
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		say "PostgreSQL binaries missing: apt-get install -y postgresql"
		apt-get update -qq >&2
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
		pg_bindir >/dev/null && return
	fi
	die "PostgreSQL 15 server binaries (initdb, pg_ctl) not found: install them (Debian: apt-get install postgresql) or put them on PATH"
}

pg_running() {
	local bin
	bin="$(pg_bindir)" || return 1
	[ -f "$PG_DATA/postmaster.pid" ] && as_pg "$bin/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1
}

start_pg() {
	ensure_pg_binaries
	local bin
	bin="$(pg_bindir)"
	if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
		useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
	fi
	mkdir -p "$DATA"
	if [ "$(id -u)" = 0 ]; then
		chown postgres "$DATA"
		# The postgres user must be able to reach .data through the checkout.
		local d="$ROOT"
		while [ "$d" != / ]; do
			chmod o+x "$d" 2>/dev/null || true
			d="$(dirname "$d")"
		done
	fi
	if [ ! -f "$PG_DATA/PG_VERSION" ]; then
		say "initdb $PG_DATA"
		rm -rf "$PG_DATA"
		as_pg mkdir -p "$PG_DATA"
		as_pg "$bin/initdb" -D "$PG_DATA" -U postgres --auth=trust --encoding=UTF8 --locale=C >/dev/null
	fi
	if pg_running; then
		say "PostgreSQL already runs on 127.0.0.1:$PG_PORT"
	else
		say "starting PostgreSQL on 127.0.0.1:$PG_PORT"
		[ -f "$PG_LOG" ] || { touch "$PG_LOG"; [ "$(id -u)" = 0 ] && chown postgres "$PG_LOG"; }
		# Development settings: durability is traded for speed (tests create and
		# drop hundreds of databases).
		as_pg "$bin/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 60 start -o \
			"-p $PG_PORT $(pg_settings) -c shared_buffers=256MB -c wal_level=replica -c max_wal_senders=10 -c max_slot_wal_keep_size=2GB" >/dev/null ||
			{ tail -20 "$PG_LOG" >&2; die "PostgreSQL did not start (log: $PG_LOG)"; }
	fi
	local i
	for i in $(seq 1 60); do
		"$bin/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" && break
		sleep 0.5
	done
	if ! "$bin/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -Atqc "select 1 from pg_database where datname='seshat'" | grep -q 1; then
		"$bin/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -qc "create database seshat" >/dev/null
	fi
}

# pg_settings are the options the primary and the standby share (a hot
# standby needs max_connections at least the primary's).
pg_settings() {
	echo "-c listen_addresses=127.0.0.1 -k /tmp -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300"
}

psql_primary() {
	"$(pg_bindir)/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -Atq "$@"
}

standby_running() {
	local bin
	bin="$(pg_bindir)" || return 1
	[ -f "$STANDBY_DATA/postmaster.pid" ] && as_pg "$bin/pg_ctl" -D "$STANDBY_DATA" status >/dev/null 2>&1
}

# make_standby takes a base backup of the primary into .data/standby with
# the recovery settings (-R: standby.signal, primary_conninfo) and a
# replication slot of its own, replacing a stale slot of an earlier one.
make_standby() {
	local bin
	bin="$(pg_bindir)"
	say "pg_basebackup of 127.0.0.1:$PG_PORT into $STANDBY_DATA (slot $STANDBY_SLOT)"
	rm -rf "$STANDBY_DATA"
	psql_primary -c "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '$STANDBY_SLOT' AND NOT active" >/dev/null
	as_pg "$bin/pg_basebackup" -h 127.0.0.1 -p "$PG_PORT" -U postgres -D "$STANDBY_DATA" \
		-R -X stream -C -S "$STANDBY_SLOT" --checkpoint=fast --no-sync >&2 ||
		die "pg_basebackup failed"
}

# standby_slot_usable says whether the primary still keeps the WAL the
# standby's slot asks for.
standby_slot_usable() {
	psql_primary -c "SELECT 1 FROM pg_replication_slots WHERE slot_name = '$STANDBY_SLOT' AND wal_status <> 'lost'" | grep -q 1
}

start_standby_server() {
	as_pg "$(pg_bindir)/pg_ctl" -D "$STANDBY_DATA" -l "$STANDBY_LOG" -w -t 120 start -o \
		"-p $STANDBY_PORT $(pg_settings) -c shared_buffers=128MB -c hot_standby=on -c hot_standby_feedback=on" >/dev/null
}

start_standby() {
	pg_running || die "the standby needs the primary: scripts/services.sh start postgres"
	if standby_running; then
		say "hot standby already runs on 127.0.0.1:$STANDBY_PORT"
		return
	fi
	if [ ! -f "$STANDBY_DATA/standby.signal" ]; then
		make_standby
	elif ! standby_slot_usable; then
		# Stopped while the primary wrote more WAL than the slot may keep
		# (max_slot_wal_keep_size; make bench does): it would start and
		# never catch up.
		say "the hot standby's WAL is gone from the primary (slot $STANDBY_SLOT lost): taking a new base backup"
		make_standby
	fi
	[ -f "$STANDBY_LOG" ] || { touch "$STANDBY_LOG"; [ "$(id -u)" = 0 ] && chown postgres "$STANDBY_LOG"; }
	say "starting the hot standby on 127.0.0.1:$STANDBY_PORT"
	# pg_ctl -w returns once the standby accepts read-only connections (it
	# has replayed to a consistent state).
	if ! start_standby_server; then
		tail -20 "$STANDBY_LOG" >&2
		# A standby that cannot follow any more (its WAL is gone) is rebuilt once.
		say "the hot standby did not start: taking a new base backup"
		as_pg "$(pg_bindir)/pg_ctl" -D "$STANDBY_DATA" -m immediate -w stop >/dev/null 2>&1 || true
		make_standby
		start_standby_server || { tail -20 "$STANDBY_LOG" >&2; die "the hot standby did not start (log: $STANDBY_LOG)"; }
	fi
}

stop_standby() {
	local bin
	bin="$(pg_bindir)" || return 0
	if standby_running; then
		say "stopping the hot standby"
		as_pg "$bin/pg_ctl" -D "$STANDBY_DATA" -m fast -w stop >/dev/null
	fi
}

pgbouncer_running() {
	[ -f "$PGBOUNCER_DIR/pgbouncer.pid" ] && kill -0 "$(cat "$PGBOUNCER_DIR/pgbouncer.pid")" 2>/dev/null
}

ensure_pgbouncer_binary() {
	command -v pgbouncer >/dev/null 2>&1 && return
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		say "pgbouncer missing: apt-get install -y pgbouncer (the project runs its own, not the system service)"
		apt-get update -qq >&2
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pgbouncer >&2
		command -v pgbouncer >/dev/null 2>&1 && return
	fi
	die "pgbouncer not found: install it (Debian: apt-get install pgbouncer) or put it on PATH"
}

# write_pgbouncer_config writes .data/pgbouncer/pgbouncer.ini: every
# database of the primary (the * entry, so each test's database too), in
# transaction pooling mode, on loopback, trusting the postgres user as the
# primary does.
write_pgbouncer_config() {
	mkdir -p "$PGBOUNCER_DIR"
	printf '"postgres" ""\n' >"$PGBOUNCER_DIR/userlist.txt"
	cat >"$PGBOUNCER_DIR/pgbouncer.ini" <<EOF
; Written by scripts/services.sh: changes here are overwritten.
[databases]
* = host=127.0.0.1 port=$PG_PORT

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $PGBOUNCER_PORT
unix_socket_dir =
auth_type = trust
auth_file = $PGBOUNCER_DIR/userlist.txt
admin_users = postgres
pool_mode = transaction
max_client_conn = 2000
default_pool_size = 20
server_idle_timeout = 60
autodb_idle_timeout = 60
ignore_startup_parameters = extra_float_digits
logfile = $PGBOUNCER_DIR/pgbouncer.log
pidfile = $PGBOUNCER_DIR/pgbouncer.pid
EOF
	if [ "$(id -u)" = 0 ]; then chown -R postgres "$PGBOUNCER_DIR"; fi
}

start_pgbouncer() {
	ensure_pgbouncer_binary
	if pgbouncer_running; then
		say "pgbouncer already runs on 127.0.0.1:$PGBOUNCER_PORT"
		return
	fi
	write_pgbouncer_config
	say "starting pgbouncer (transaction pooling) on 127.0.0.1:$PGBOUNCER_PORT"
	# pgbouncer refuses to run as root: as_pg runs it as postgres then.
	as_pg pgbouncer -d -q "$PGBOUNCER_DIR/pgbouncer.ini" ||
		{ tail -20 "$PGBOUNCER_DIR/pgbouncer.log" >&2; die "pgbouncer did not start (log: $PGBOUNCER_DIR/pgbouncer.log)"; }
	local i
	for i in $(seq 1 40); do
		"$(pg_bindir)/pg_isready" -q -h 127.0.0.1 -p "$PGBOUNCER_PORT" -d postgres && return
		sleep 0.25
	done
	tail -20 "$PGBOUNCER_DIR/pgbouncer.log" >&2
	die "pgbouncer does not answer on 127.0.0.1:$PGBOUNCER_PORT (log: $PGBOUNCER_DIR/pgbouncer.log)"
}

stop_pgbouncer() {
	if pgbouncer_running; then
		say "stopping pgbouncer"
		local pid i
		pid="$(cat "$PGBOUNCER_DIR/pgbouncer.pid")"
		kill "$pid"
		for i in $(seq 1 40); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.25
		done
		kill -9 "$pid" 2>/dev/null || true
	fi
	rm -f "$PGBOUNCER_DIR/pgbouncer.pid"
}

stop_pg() {
	local bin
	bin="$(pg_bindir)" || return 0
	if pg_running; then
		say "stopping PostgreSQL"
		as_pg "$bin/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null
	fi
}

minio_running() {
	[ -f "$MINIO_PID" ] && kill -0 "$(cat "$MINIO_PID")" 2>/dev/null
}

ensure_minio_binary() {
	[ -x "$BIN/minio" ] && return
	command -v go >/dev/null 2>&1 || die "go not found: it is needed to build MinIO into .bin/"
	say "building MinIO $MINIO_VERSION into .bin/ (takes a few minutes, once)"
	mkdir -p "$BIN"
	GOBIN="$BIN" GOFLAGS=-mod=mod go install "github.com/minio/minio@$MINIO_VERSION" >&2 ||
		die "go install github.com/minio/minio@$MINIO_VERSION failed"
}

start_minio() {
	ensure_minio_binary
	mkdir -p "$MINIO_DATA"
	if minio_running; then
		say "MinIO already runs on 127.0.0.1:$MINIO_PORT"
		return
	fi
	say "starting MinIO on 127.0.0.1:$MINIO_PORT (console 127.0.0.1:$MINIO_CONSOLE_PORT)"
	MINIO_ROOT_USER="$MINIO_USER" MINIO_ROOT_PASSWORD="$MINIO_PASSWORD" \
		MINIO_BROWSER=on MINIO_UPDATE=off MINIO_CALLHOME_ENABLE=off \
		nohup "$BIN/minio" server "$MINIO_DATA" --quiet \
		--address "127.0.0.1:$MINIO_PORT" --console-address "127.0.0.1:$MINIO_CONSOLE_PORT" \
		>>"$MINIO_LOG" 2>&1 </dev/null &
	echo $! >"$MINIO_PID"
	local i
	for i in $(seq 1 120); do
		if curl -fsS -o /dev/null "http://127.0.0.1:$MINIO_PORT/minio/health/ready" 2>/dev/null; then
			return
		fi
		minio_running || { tail -20 "$MINIO_LOG" >&2; die "MinIO exited (log: $MINIO_LOG)"; }
		sleep 0.5
	done
	tail -20 "$MINIO_LOG" >&2
	die "MinIO did not become ready (log: $MINIO_LOG)"
}

stop_minio() {
	if minio_running; then
		say "stopping MinIO"
		local pid
		pid="$(cat "$MINIO_PID")"
		kill "$pid"
		local i
		for i in $(seq 1 40); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.25
		done
		kill -9 "$pid" 2>/dev/null || true
	fi
	rm -f "$MINIO_PID"
}

print_env() {
	cat <<EOF
export SESHAT_DATABASE_URL='postgres://postgres@127.0.0.1:$PG_PORT/seshat?sslmode=disable'
export SESHAT_TEST_DATABASE_URL='postgres://postgres@127.0.0.1:$PG_PORT/postgres?sslmode=disable'
export SESHAT_TEST_STANDBY_URL='postgres://postgres@127.0.0.1:$STANDBY_PORT/postgres?sslmode=disable'
export SESHAT_TEST_PGBOUNCER_URL='postgres://postgres@127.0.0.1:$PGBOUNCER_PORT/postgres?sslmode=disable'
export SESHAT_S3_ENDPOINT='127.0.0.1:$MINIO_PORT'
export SESHAT_S3_ACCESS_KEY='$MINIO_USER'
export SESHAT_S3_SECRET_KEY='$MINIO_PASSWORD'
EOF
}

status() {
	if pg_running; then echo "postgres: running on 127.0.0.1:$PG_PORT ($PG_DATA)"; else echo "postgres: stopped"; fi
	if standby_running; then echo "standby: running on 127.0.0.1:$STANDBY_PORT ($STANDBY_DATA)"; else echo "standby: stopped"; fi
	if pgbouncer_running; then echo "pgbouncer: running on 127.0.0.1:$PGBOUNCER_PORT, pid $(cat "$PGBOUNCER_DIR/pgbouncer.pid")"; else echo "pgbouncer: stopped"; fi
	if minio_running; then echo "minio: running on 127.0.0.1:$MINIO_PORT, pid $(cat "$MINIO_PID")"; else echo "minio: stopped"; fi
}

case "${1:-start}" in
start)
	case "${2:-all}" in
	all) start_pg; start_standby; start_pgbouncer; start_minio ;;
	postgres) start_pg ;;
	standby) start_standby ;;
	pgbouncer) start_pgbouncer ;;
	minio) start_minio ;;
	*) die "unknown service ${2}: want postgres, standby, pgbouncer or minio (or nothing for all)" ;;
	esac
	# The environment goes to stdout (eval "$(scripts/services.sh start)"),
	# the message to stderr: both say what they are without the other.
	say "ready (${2:-postgres, standby, pgbouncer and minio}); the environment the tests and the gateway use by default is printed on stdout (also: scripts/services.sh env)"
	print_env
	;;
stop)
	case "${2:-all}" in
	all) stop_pgbouncer; stop_minio; stop_standby; stop_pg ;;
	postgres) stop_pg ;;
	standby) stop_standby ;;
	pgbouncer) stop_pgbouncer ;;
	minio) stop_minio ;;
	*) die "unknown service ${2}: want postgres, standby, pgbouncer or minio (or nothing for all)" ;;
	esac
	;;
status) status ;;
env) print_env ;;
-h | --help | help)
	sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'
	;;
*)
	die "unknown command ${1}: want start, stop, status or env"
	;;
esac
