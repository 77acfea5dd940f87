#!/usr/bin/env bash
# Finds or starts the PostgreSQL that `make run` and `make test` use, and writes tmp/db.env
# (DATABASE_URL for the app, TEST_DATABASE_URL an admin URL tests create databases with).
#
#   .ci/db.sh start   (make db)       find or start PostgreSQL, write tmp/db.env
#   .ci/db.sh stop    (make db-stop)  stop the throwaway cluster, if one runs
#   .ci/db.sh clean   (make clean)    stop it and remove it when it lives outside the checkout
#
# The first that answers wins:
#   1. DATABASE_URL from the environment (its admin URL is TEST_DATABASE_URL, or DATABASE_URL
#      with the database "postgres"); the database it names is created when missing.
#   2. A PostgreSQL at LOCAL_PG_URL (default postgres://postgres@127.0.0.1:5432/postgres, trust
#      auth); the database "backroom" is created on it. LOCAL_PG_URL=off skips this step (to use
#      the throwaway cluster while such a server runs).
#   3. A throwaway cluster on 127.0.0.1:$PG_PORT (default 54329), started with the newest
#      /usr/lib/postgresql/*/bin (or PG_BIN). It lives in tmp/pg of the checkout, except as root
#      when the postgres user, who runs it, cannot enter the checkout (a clone in a private home):
#      then in /var/tmp/backroom-pg-<checkout>-<hash of its path>, owned by postgres. Either way
#      the script says where.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tmp="$root/tmp"
db_env="$tmp/db.env"
pg_port="${PG_PORT:-54329}"
local_pg="${LOCAL_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}"

say() { echo "make db: $*" >&2; }
die() {
	say "$*"
	exit 1
}

# q URL SQL: runs one statement, printing its unaligned result; fails quietly when unreachable.
q() { PGCONNECT_TIMEOUT=5 psql -X -q -At "$1" -v ON_ERROR_STOP=1 -c "$2" 2>/dev/null; }

# with_db URL NAME: URL with its database replaced by NAME (query string kept).
with_db() {
	local u="$1" name="$2" base rest=""
	if [[ "$u" == *\?* ]]; then
		rest="?${u#*\?}"
		u="${u%%\?*}"
	fi
	base="${u#*://}"
	if [[ "$base" == */* ]]; then u="${u%/*}"; fi
	printf '%s/%s%s' "$u" "$name" "$rest"
}

# db_name URL: the database a URL names, or nothing.
db_name() {
	local u="${1%%\?*}"
	u="${u#*://}"
	if [[ "$u" == */* ]]; then printf '%s' "${u##*/}"; fi
}

# ensure_db ADMIN_URL NAME: creates database NAME unless it exists.
ensure_db() {
	local name="$2"
	[[ "$name" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || die "unexpected database name '$name'"
	if [ "$(q "$1" "SELECT 1 FROM pg_database WHERE datname = '$name'")" != 1 ]; then
		q "$1" "CREATE DATABASE $name" >/dev/null || die "cannot create database $name"
	fi
}

pg_bin() {
	local bin="${PG_BIN:-}"
	if [ -z "$bin" ]; then
		bin="$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -type d -name bin 2>/dev/null | sort -V | tail -n1)"
	fi
	printf '%s' "$bin"
}

# as_pg CMD…: runs CMD as the postgres user when we are root (PostgreSQL refuses to run as
# root), from / so a private working directory does not get in its way.
as_pg() {
	if [ "$(id -u)" = 0 ]; then
		(cd / && runuser -u postgres -- "$@")
	else
		"$@"
	fi
}

# private_dir: the cluster's place outside the checkout, named after it.
private_dir() {
	local hash
	hash="$(printf '%s' "$root" | sha256sum | cut -c1-12)"
	printf '/var/tmp/backroom-pg-%s-%s' "$(printf '%s' "${root##*/}" | tr -c 'A-Za-z0-9._-' '_')" "$hash"
}

# cluster_dir: where the throwaway cluster is or will be (see the header).
cluster_dir() {
	if [ -s "$tmp/pg/data/PG_VERSION" ]; then
		printf '%s' "$tmp/pg"
	elif [ -s "$(private_dir)/data/PG_VERSION" ]; then
		private_dir
	elif [ "$(id -u)" = 0 ] && ! (cd / && runuser -u postgres -- test -x "$root"); then
		private_dir
	else
		printf '%s' "$tmp/pg"
	fi
}

# make_cluster_dir DIR: creates DIR for the postgres user. Outside the checkout it must be a
# real directory of postgres's own: /var/tmp is writable by anyone, and a directory someone
# else prepared there could hand them the cluster.
make_cluster_dir() {
	local dir="$1"
	if [ "$dir" = "$tmp/pg" ]; then
		mkdir -p "$dir"
		if [ "$(id -u)" = 0 ]; then chown -R postgres:postgres "$dir"; fi
		return
	fi
	if [ ! -e "$dir" ]; then
		install -d -m 700 -o postgres -g postgres "$dir"
	fi
	if [ -L "$dir" ] || [ ! -d "$dir" ] || [ "$(stat -c %U "$dir")" != postgres ]; then
		die "$dir exists but is not a directory of the postgres user; remove it and run make db again"
	fi
}

start_cluster() {
	local dir="$1" admin="$2" bin
	bin="$(pg_bin)"
	[ -x "$bin/initdb" ] || die "no PostgreSQL here: set DATABASE_URL, run one on 127.0.0.1:5432, or install postgresql"
	make_cluster_dir "$dir"
	if [ ! -s "$dir/data/PG_VERSION" ]; then
		say "initdb $dir/data ($bin)"
		as_pg "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C >"$tmp/initdb.log" 2>&1 ||
			{
				cat "$tmp/initdb.log" >&2
				exit 1
			}
		printf '%s\n' \
			"# make db: throwaway test/dev cluster" \
			"listen_addresses = '127.0.0.1'" \
			"port = $pg_port" \
			"unix_socket_directories = '$dir'" \
			"max_connections = 300" \
			"fsync = off" \
			"full_page_writes = off" \
			"synchronous_commit = off" |
			as_pg tee -a "$dir/data/postgresql.conf" >/dev/null
	fi
	say "starting PostgreSQL on 127.0.0.1:$pg_port"
	as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null ||
		{
			as_pg tail -n 30 "$dir/server.log" >&2
			exit 1
		}
	q "$admin" 'select 1' >/dev/null || {
		say "cluster started but does not accept $admin"
		as_pg tail -n 30 "$dir/server.log" >&2
		exit 1
	}
}

start() {
	mkdir -p "$tmp"
	local app admin src name dir
	if [ -n "${DATABASE_URL:-}" ]; then
		app="$DATABASE_URL"
		admin="${TEST_DATABASE_URL:-$(with_db "$DATABASE_URL" postgres)}"
		q "$admin" 'select 1' >/dev/null || die "cannot connect to $admin (admin URL derived from DATABASE_URL; set TEST_DATABASE_URL)"
		name="$(db_name "$app")"
		if [ -n "$name" ]; then ensure_db "$admin" "$name"; fi
		src="DATABASE_URL from the environment"
	elif [ "$local_pg" != off ] && q "$local_pg" 'select 1' >/dev/null; then
		admin="$local_pg"
		app="$(with_db "$admin" backroom)"
		ensure_db "$admin" backroom
		src="PostgreSQL at ${admin%%\?*}"
	else
		admin="postgres://postgres@127.0.0.1:$pg_port/postgres?sslmode=disable"
		app="postgres://postgres@127.0.0.1:$pg_port/backroom?sslmode=disable"
		dir="$(cluster_dir)"
		src="throwaway cluster in $dir (port $pg_port; make db-stop stops it)"
		if ! q "$admin" 'select 1' >/dev/null; then
			start_cluster "$dir" "$admin"
		fi
		ensure_db "$admin" backroom
	fi
	printf 'DATABASE_URL=%s\nTEST_DATABASE_URL=%s\n' "$app" "$admin" >"$db_env.new"
	mv "$db_env.new" "$db_env"
	say "$src -> tmp/db.env"
}

stop() {
	local dir bin
	dir="$(cluster_dir)"
	if [ ! -s "$dir/data/PG_VERSION" ]; then
		echo "make db-stop: no throwaway cluster (looked in $tmp/pg and $(private_dir))"
		return
	fi
	bin="$(pg_bin)"
	if as_pg "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
		as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
		echo "make db-stop: stopped the cluster in $dir"
	else
		echo "make db-stop: the cluster in $dir is not running"
	fi
}

# clean stops the cluster and removes it when it lives outside the checkout (make clean removes
# tmp/, and with it a cluster in tmp/pg).
clean() {
	stop
	local dir
	dir="$(private_dir)"
	if [ -d "$dir" ] && [ ! -L "$dir" ] && [ "$(stat -c %U "$dir")" = postgres ]; then
		rm -rf "$dir"
		echo "make clean: removed the cluster in $dir"
	fi
}

case "${1:-start}" in
start) start ;;
stop) stop ;;
clean) clean ;;
*)
	echo "usage: $0 [start|stop|clean]" >&2
	exit 2
	;;
esac
