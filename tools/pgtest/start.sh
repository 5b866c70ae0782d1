#!/bin/sh
# Starts a throwaway PostgreSQL cluster on loopback for the tests, from
# Debian's postgresql package, and prints the URL to reach it:
#
#   eval "$(tools/pgtest/start.sh)"   # sets SECGATE_TEST_POSTGRES, PGTEST_DIR
#   tools/pgtest/stop.sh              # stops it and removes its folder
#
# The cluster lives in a temporary folder, trusts loopback connections
# only, and listens on no other address. As root it runs as the postgres
# user (PostgreSQL refuses to run as root).
set -eu
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
	echo "tools/pgtest: no PostgreSQL server: apt-get install postgresql" >&2
	exit 1
fi
port=${PGTEST_PORT:-55432}
dir=$(mktemp -d /tmp/secgate-pgtest.XXXXXX)
chmod 755 "$dir"
as=""
if [ "$(id -u)" = 0 ]; then
	chown postgres "$dir"
	as="runuser -u postgres --"
fi
$as "$bin/initdb" -D "$dir/data" -U secgate --auth=trust -E UTF8 --no-sync >"$dir/initdb.log" 2>&1 || {
	cat "$dir/initdb.log" >&2
	exit 1
}
# The first free port from $port up: another cluster (a developer's, an
# earlier run's) may hold one.
tries=0
until $as "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
	-o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=200 -c fsync=off" start >/dev/null 2>&1; do
	tries=$((tries + 1))
	if [ "$tries" -ge 20 ]; then
		cat "$dir/server.log" >&2
		exit 1
	fi
	port=$((port + 1))
done
echo "export PGTEST_DIR='$dir' PGTEST_BIN='$bin'"
echo "export SECGATE_TEST_POSTGRES='postgres://secgate@127.0.0.1:$port/postgres?sslmode=disable'"
