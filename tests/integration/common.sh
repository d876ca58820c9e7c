# shellcheck shell=bash
# shellcheck disable=SC2034 # the variables are for the sourcing script
# Sourced, with the name of its work directory, by the integration
# scripts (tests/integration/{run,owner,trust}.sh, tests/lib/run.sh):
#     . "$(dirname "$0")/common.sh" sevboot-it
# It makes the checkout's top the working directory and sets top, B (the
# build directory, $BUILD or build), SB (bin/sevboot), SHARED
# ($SEVBOOT_SHARED or ../shared), W (a fresh work directory, removed at
# exit) and the counters pass, fail and skip, with ok, bad and skipped,
# which count and print one PASS, FAIL or SKIP line; expect_error (below)
# checks one refusal.
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$top"
B=${BUILD:-build}
case "$B" in /*) ;; *) B="$top/$B" ;; esac
SB="$top/bin/sevboot"
SHARED=${SEVBOOT_SHARED:-$top/../shared}
W=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
trap 'rm -rf "$W"' EXIT
pass=0 fail=0 skip=0
ok() { pass=$((pass + 1)); echo "PASS: $*"; }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
skipped() { skip=$((skip + 1)); echo "SKIP: $*"; }

# expect_error NAME EXPECTED_RC PATTERN -- ARGS...: sevboot must exit with
# EXPECTED_RC, print exactly one line on stderr matching PATTERN, nothing on
# stdout, and not crash, nor hang (60 s).  Its stdin is $W/stdin if that
# exists, else /dev/null.
expect_error() {
	local name=$1 want=$2 pat=$3 in=/dev/null
	shift 4
	[ -e "$W/stdin" ] && in="$W/stdin"
	timeout -k 5 60 "$SB" "$@" <"$in" >"$W/out" 2>"$W/err"
	local rc=$? lines
	lines=$(wc -l < "$W/err")
	if [ "$rc" -eq 124 ] && [ "$want" -ne 124 ]; then
		bad "$name: still running after 60 s (hung?): $(head -c 300 "$W/err")"
	elif [ "$rc" -ne "$want" ]; then
		bad "$name: exit $rc, want $want ($(head -c 300 "$W/err"))"
	elif [ "$lines" -ne 1 ]; then
		bad "$name: $lines lines on stderr, want 1: $(head -c 300 "$W/err")"
	elif ! grep -qE -- "$pat" "$W/err"; then
		bad "$name: stderr does not match /$pat/: $(cat "$W/err")"
	elif [ -s "$W/out" ]; then
		bad "$name: unexpected stdout: $(head -c 200 "$W/out")"
	else
		ok "$name (exit $rc): $(cat "$W/err")"
	fi
}
