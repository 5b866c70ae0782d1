#!/usr/bin/env bash
# Runs every fail-closed case on a built secgate binary (default bin/secgate)
# and prints one line per case; exits 1 when any case answers wrongly.
set -u
bin=$(realpath "${1:-bin/secgate}")
here=$(cd "$(dirname "$0")" && pwd)
pass=0 fail=0
for dir in "$here"/*/; do
	name=$(basename "$dir")
	want=$(tr -d '[:space:]' < "$dir/want")
	# shellcheck disable=SC2046
	out=$(cd "$dir" && NO_COLOR=1 "$bin" $(cat args) 2>&1 </dev/null)
	got=$?
	if [ "$got" = "$want" ] && ! grep -q 'panic\|goroutine ' <<<"$out"; then
		pass=$((pass + 1)); printf "ok    %-36s exit %s  %s\n" "$name" "$got" "$(cat "$dir/why")"
	else
		fail=$((fail + 1)); printf 'WRONG %-40s exit %s, want %s\n' "$name" "$got" "$want"
	fi
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
