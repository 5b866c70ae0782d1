#!/bin/sh
# run.sh: every hostile-input case, end to end, on the built binary.
#
# Usage: testdata/hostile/run.sh PATH/TO/secgate   (make build first)
#
# Runs output.sh (report text that tries to inject workflow commands,
# terminal escapes or Markdown), files.sh (planted symlinks in policy
# folders, tickets folders and output paths) and network.sh (plain http to
# other hosts, credentials in URLs, slow servers; in an empty network
# namespace). Each prints its own checks; this exits 1 if any of them fails.
set -u
here=$(cd "$(dirname "$0")" && pwd)
status=0
for script in output files network; do
	echo "== $script.sh"
	if ! sh "$here/$script.sh" "$1"; then
		status=1
	fi
done
exit $status
