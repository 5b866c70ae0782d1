#!/bin/sh
# files.sh: hostile files, end to end on the built binary.
#
# Usage: testdata/hostile/files.sh /path/to/secgate
#
# Runs secgate in a fresh temporary folder on policy folders, tickets
# folders and output paths that an attacker could have planted in a pull
# request, and checks, for every case:
#   - the command exits 2 with one line on stderr naming the link;
#   - no secret content is printed (stdout and stderr hold no SECRET
#     marker, and no token from the environment);
#   - no file outside the named folders is written: the files a planted
#     symlink points at keep their sha256, and nothing new appears beside
#     them.
# Cases: a policy module linked to a secrets file and to
# /proc/self/environ; data.json linked to a Docker config (check, test,
# bundle build, pull); --tickets DIR with DIR/tickets.json planted, and DIR
# itself a link; -o json=PATH planted; check --attest PATH planted; bundle
# build -o PATH planted; pull
# into a folder with a planted sub-folder link; init --force with
# secgate.yaml planted, and with .github/workflows a link. A link inside the policy
# folder to a file inside it must still work (exit 0).
# Prints one line per case and "files.sh: N passed, M failed"; exits 1 if
# any case failed. Needs a POSIX shell, sha256sum, and symlinks.
set -u

bin=${1:?usage: files.sh /path/to/secgate}
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
here=$(cd "$(dirname "$0")" && pwd)
report=$here/../corpus/gitleaks/gitleaks-v8-4-findings.json
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 2

pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1: $2"; }

# The outside world: files a planted link may point at.
mkdir outside
echo 'SECRET_ENV_abc=1' >outside/secret.env
echo '{"auths": {"registry.example": {"auth": "SECRET_DOCKER"}}}' >outside/config.json
echo 'ORIGINAL' >outside/target
snapshot() { (cd outside && ls -A | sort && sha256sum -- *) ; }
before=$(snapshot)

# expect NAME WANT_RC REGEX CMD...: runs CMD, checks its exit code, that
# stderr is one line matching REGEX, that no secret is printed and that
# outside/ is unchanged.
expect() {
	name=$1 want=$2 re=$3
	shift 3
	FAKE_CI_TOKEN=SECRET_TOKEN_xyz "$@" >out.txt 2>err.txt
	rc=$?
	if grep -aq SECRET out.txt err.txt; then
		bad "$name" "secret printed: $(grep -aoh 'SECRET_[A-Za-z]*' out.txt err.txt | sort -u | tr '\n' ' ')"
	elif [ "$(snapshot)" != "$before" ]; then
		bad "$name" "a file outside the named folders was written"
		before=$(snapshot)
	elif [ "$rc" != "$want" ]; then
		bad "$name" "exit $rc, want $want ($(head -c 200 err.txt))"
	elif [ -n "$re" ] && { [ "$(wc -l <err.txt)" != 1 ] || ! grep -Eq "$re" err.txt; }; then
		bad "$name" "stderr is not one line matching /$re/: $(head -c 200 err.txt)"
	else
		ok "$name"
	fi
}

policy() { # policy DIR: a folder whose deny message echoes data.auths
	mkdir -p "$1"
	printf 'package main\n\ndeny contains msg if {\n\tmsg := sprintf("%%v", [data.auths])\n}\n' >"$1/main.rego"
}

policy pol-env && ln -s ../outside/secret.env pol-env/x.rego
policy pol-data && ln -s ../outside/config.json pol-data/data.json
policy pol-dir && ln -s ../outside pol-dir/lib
for p in pol-env pol-data pol-dir; do
	expect "check -p $p" 2 'symlink out of the folder' "$bin" check -p $p "$report"
	expect "test $p" 2 'symlink out of the folder' "$bin" test $p
	expect "bundle build $p" 2 'symlink out of the folder' "$bin" bundle build $p -o $p.tar.gz
	expect "pull $p" 2 'symlink out of the folder' "$bin" pull $p pulled-$p
done
if [ -r /proc/self/environ ]; then
	policy pol-proc && ln -s /proc/self/environ pol-proc/x.rego
	expect "check -p (link to /proc/self/environ)" 2 'x.rego is a symlink out of the folder' "$bin" check -p pol-proc "$report"
fi

policy pol-inside && mkdir pol-inside/lib && echo '{"auths": {}}' >pol-inside/lib/values.json
ln -s lib/values.json pol-inside/data.json
expect "check -p (link inside the folder)" 1 '' "$bin" check -p pol-inside "$report"

mkdir tickets && ln -s ../outside/target tickets/tickets.json
expect "--tickets DIR (tickets.json planted)" 2 'tickets/tickets.json is a symlink' "$bin" check --tickets tickets "$report"
ln -s outside tickets-link
expect "--tickets DIR (DIR a link)" 2 'tickets-link is a symlink' "$bin" check --tickets tickets-link "$report"
ln -s outside/target out.json
expect "-o json=PATH (PATH planted)" 2 'out.json is a symlink' "$bin" check -o json=out.json "$report"
ln -s outside/target bundle.tar.gz
mkdir pol-ok && echo 'package ok' >pol-ok/ok.rego
expect "bundle build -o PATH (PATH planted)" 2 'is a symlink' "$bin" bundle build pol-ok -o bundle.tar.gz
mkdir -p pol-sub/lib pulldst && echo 'package ok' >pol-sub/lib/ok.rego && ln -s ../outside pulldst/lib
expect "pull DIR (sub-folder link planted)" 2 'pulldst/lib is a symlink' "$bin" pull pol-sub pulldst
"$bin" bundle keygen team >/dev/null
ln -s outside/target record.json
expect "check --attest PATH (PATH planted)" 2 'record.json is a symlink' "$bin" check --attest record.json --signing-key team.pem "$report"
mkdir -p init-file init-dir/.github
ln -s ../outside/target init-file/secgate.yaml
expect "init --force (secgate.yaml planted)" 2 'init-file/secgate.yaml is a symlink' "$bin" init --force init-file
ln -s ../../outside init-dir/.github/workflows
expect "init --force (.github/workflows a link)" 2 'init-dir/.github/workflows is a symlink' "$bin" init --force init-dir
[ ! -e init-dir/secgate.yaml ] && [ ! -e init-dir/policy ] || bad "init (refused)" "wrote files"

ln -s outside/target exceptions.yaml && printf 'CVE-2023-1\n' >trivyignore
expect "exceptions import -o PATH (PATH planted)" 2 'exceptions.yaml is a symlink' "$bin" exceptions import --reason r --expires 2099-01-01 -o exceptions.yaml trivyignore
ln -s outside/secret.env .trivyignore
expect "exceptions import (ignore file a link to a secret)" 2 '.trivyignore is a symlink' "$bin" exceptions import --reason r --expires 2099-01-01 .trivyignore
if [ -r /proc/self/environ ]; then
	expect "exceptions import /proc/self/environ" 2 'holds NUL bytes: not an ignore file' "$bin" exceptions import --reason r --expires 2099-01-01 /proc/self/environ
fi

echo "files.sh: $pass passed, $fail failed"
[ "$fail" = 0 ]
