#!/bin/sh
# Stops the cluster tools/pgtest/start.sh started, and removes its folder.
set -eu
[ -n "${PGTEST_DIR:-}" ] || exit 0
as=""
[ "$(id -u)" = 0 ] && as="runuser -u postgres --"
$as "$PGTEST_BIN/pg_ctl" -D "$PGTEST_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
rm -rf "$PGTEST_DIR"
