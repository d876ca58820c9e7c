# shellcheck shell=bash
# shellcheck disable=SC2034 # the variables are for the sourcing script
# Sourced, with the name of its work directory, by the integration
# scripts (tests/integration/{run,owner,trust}.sh, tests/lib/run.sh):
#     . "$(dirname "$0")/common.sh" sevboot-it
# It makes the checkout's top the working directory and sets top, B (the
# build directory, $BUILD or build), SB (bin/sevboot), SHARED
# ($SEVBOOT_SHARED or ../shared), W (a fresh work directory, removed at
# exit) and the counters pass, fail and skip, with ok, bad and skipped,
# which count and print one PASS, FAIL or SKIP line.
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
