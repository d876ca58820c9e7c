#!/bin/bash
# libsev from the outside: `make install` into a temporary DESTDIR/PREFIX,
# tests/lib/consumer.c built with nothing but `pkg-config --cflags --libs
# libsev` against it, then run in the KVM test host with
# SEVBOOT_BACKEND=model: an SEV launch of the test host's OVMF whose
# LAUNCH_MEASURE must equal what `sevboot measure --tik` computes for the
# same image, an SEV-ES launch with two vCPUs (the same check, legacy
# init), and an SNP launch of the pages `sevboot measure -v` lists.  The
# model there has an identity (`sevboot model-keys`, SEVBOOT_MODEL_DIR):
# each SEV and SEV-ES report the consumer gets through
# sev_attestation_report must verify with `sevboot verify-report` against
# the identity's chain and ARK, sevboot measure's digest and the mnonce it
# was asked with, and fail with another mnonce.  Then `make uninstall` must
# leave nothing behind.
# Prints "libsev: N passed, N failed, N skipped"; exit 1 when one failed.
set -u
# shellcheck source=tests/integration/common.sh
. "$(dirname "$0")/../integration/common.sh" libsev-it
finish() {
	echo "libsev: $pass passed, $fail failed, $skip skipped"
	[ "$fail" -eq 0 ]
	exit
}

D=$W/dest P=/opt/libsev
if make -s install DESTDIR="$D" PREFIX="$P" > "$W/install.log" 2>&1; then
	ok "make install DESTDIR=\$W/dest PREFIX=$P: $(cd "$D" && find . -type f -o -type l | sort | tr '\n' ' ')"
else
	bad "make install: $(tail -n 5 "$W/install.log")"
	finish
fi
export PKG_CONFIG_PATH=$D$P/lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$D
flags=$(pkg-config --cflags --libs libsev 2>&1) || { bad "pkg-config: $flags"; finish; }
# shellcheck disable=SC2086 # the flags are words
if cc -o "$W/consumer" tests/lib/consumer.c $flags 2> "$W/cc.log"; then
	ok "consumer built with only: cc consumer.c $flags"
else
	bad "consumer does not build with $flags: $(head -c 600 "$W/cc.log")"
	finish
fi
# The archive alone: pkg-config --static's flags with libsev taken from
# libsev.a (the shared library is next to it, so name the archive).
sflags=$(pkg-config --static --libs libsev | sed 's/-lsev\b/-l:libsev.a/')
# shellcheck disable=SC2086
if cc -o "$W/consumer-static" tests/lib/consumer.c $(pkg-config --cflags libsev) $sflags 2> "$W/cc-static.log" &&
   ! ldd "$W/consumer-static" | grep -q libsev; then
	ok "consumer links against libsev.a alone: cc consumer.c $sflags"
else
	bad "consumer with libsev.a ($sflags): $(head -c 600 "$W/cc-static.log")"
fi
if LD_LIBRARY_PATH=$D$P/lib ldd "$W/consumer" | grep -q "libsev.so.1 => $D$P/lib/libsev.so.1"; then
	ok "consumer needs libsev.so.1, found in the installed prefix"
else
	bad "ldd consumer: $(LD_LIBRARY_PATH=$D$P/lib ldd "$W/consumer" | tr '\n' ' ')"
fi
# uninstall removes what install wrote (directories may stay).
make -s install DESTDIR="$W/un" PREFIX="$P" > /dev/null 2>&1
make -s uninstall DESTDIR="$W/un" PREFIX="$P" > /dev/null 2>&1
left=$(find "$W/un" ! -type d | head -n 5)
if [ -z "$left" ]; then ok "make uninstall leaves no file"; else bad "make uninstall left: $left"; fi

[ "${LIBSEV_NO_TESTHOST:-}" = 1 ] && { skipped "test host runs (LIBSEV_NO_TESTHOST=1)"; finish; }
O=$B/testhost/OVMF.fd
[ -f "$O" ] || scripts/testhost/build "$B" >&2 || { skipped "no test host (scripts/testhost/build failed)"; finish; }
SIG=0x800f12
AP=$("$SB" inspect --json "$O" | tr -d ' \n' | grep -o '"sev_es_reset_block":{"address":[0-9]*' | grep -o '[0-9]*$')
STEPS=$("$SB" measure --mode snp --ovmf "$O" --vcpu-sig "$SIG" -v 2>&1 >/dev/null |
	sed -n 's/.*SNP_LAUNCH_UPDATE \([A-Z]*\) gpa \(0x[0-9a-f]*\) len \(0x[0-9a-f]*\).*/\1:\2:\3/p' | tr '\n' ' ')
[ -n "$AP" ] && [ -n "$STEPS" ] || { bad "sevboot inspect/measure -v of $O gave no reset block or no SNP steps"; finish; }
# The digests the reports must carry, and the consumer's mnonce
# ("consumer-mnonce" and its NUL).
DSEV=$("$SB" measure --mode sev --ovmf "$O")
DSEVES=$("$SB" measure --mode seves --ovmf "$O" --legacy-init --vcpus 2 --vcpu-sig "$SIG")
MN=636f6e73756d65722d6d6e6f6e636500 WRONG=00000000000000000000000000000001
[ ${#DSEV} -eq 64 ] && [ ${#DSEVES} -eq 64 ] || { bad "sevboot measure gave no digest ('$DSEV', '$DSEVES')"; finish; }
cat > "$W/cmd" <<CMD
export SEVBOOT_BACKEND=model
O=/payload/guest/OVMF.fd
sevboot model-keys /tmp/pm >/dev/null; echo "MODEL-KEYS-RC \$?"
export SEVBOOT_MODEL_DIR=/tmp/pm
vr() { sevboot verify-report --report /tmp/\$1-report.bin --chain /tmp/pm/sev-chain.cert --ark /tmp/pm/ark.cert --measurement \$2 --mnonce \$3 --policy \$4 > /tmp/vr.out 2>&1; rc=\$?; sed "s/^/verify-report \$5: /" /tmp/vr.out; echo "VERIFY-RC \$5 \$rc"; }
consumer sev \$O /tmp/sev-report.bin; echo "CONSUMER-RC sev \$?"
vr sev $DSEV $MN 0x1 sev
vr sev $DSEV $WRONG 0x1 sev-wrong-mnonce
consumer seves \$O $AP 2 $SIG /tmp/seves-report.bin; echo "CONSUMER-RC seves \$?"
vr seves $DSEVES $MN 0x5 seves
vr seves $DSEVES $WRONG 0x5 seves-wrong-mnonce
consumer snp \$O $SIG $STEPS; echo "CONSUMER-RC snp \$?"
CMD
LD_LIBRARY_PATH=$D$P/lib scripts/testhost/run --build "$B" --single --log "$W/th.log" \
	--bin "$W/consumer" -- "$(cat "$W/cmd")" > "$W/th.out" 2>&1
threc=$?
if [ "$threc" -eq 125 ] || [ ! -s "$W/th.log" ]; then
	bad "the test host did not finish (testhost/run exit $threc): $(tail -n 5 "$W/th.out" | tr '\n' ' ')"
	finish
fi
grep -E '^(consumer|libsev|verify-report [a-z-]*):' "$W/th.log" | sed 's/^/    /'

zero=$W/zero.tik
head -c 16 /dev/zero > "$zero"
# check MODE POLICY MEASURE-ARGS...: the consumer's LAUNCH_MEASURE against
# sevboot measure's for the same image, with the mnonce it got.
check() {
	local mode=$1 policy=$2 got mnonce want
	shift 2
	if ! grep -q "^CONSUMER-RC $mode 0$" "$W/th.log"; then
		bad "consumer $mode: $(grep -E "^consumer: FAIL|^CONSUMER-RC $mode" "$W/th.log" | head -n 2 | tr '\n' ' ')"
		return
	fi
	got=$(sed -n "s/^consumer: $mode measurement //p" "$W/th.log")
	mnonce=$(printf '%s' "$got" | base64 -d 2>/dev/null | tail -c 16 | od -An -tx1 | tr -d ' \n')
	want=$("$SB" measure --mode "$mode" --ovmf "$O" "$@" --tik "$zero" --mnonce "$mnonce" \
		--api-major 1 --api-minor 55 --build 25 --policy "$policy" | sed -n 's/^launch measure: //p')
	if [ -n "$got" ] && [ "$got" = "$want" ]; then
		ok "consumer $mode: the model's LAUNCH_MEASURE through libsev equals sevboot measure's ($got)"
	else
		bad "consumer $mode: LAUNCH_MEASURE '$got', sevboot measure says '$want'"
	fi
}
check sev 0x1
check seves 0x5 --legacy-init --vcpus 2 --vcpu-sig "$SIG"
# The reports: verified (exit 0) with the right mnonce, refused (exit 5,
# the mnonce line) with another.
for mode in sev seves; do
	if ! grep -q '^MODEL-KEYS-RC 0' "$W/th.log"; then
		bad "sevboot model-keys failed in the test host"
		break
	fi
	if grep -q "^VERIFY-RC $mode 0\$" "$W/th.log"; then
		ok "consumer $mode: sev_attestation_report's report verifies (chain, ARK, digest $( [ $mode = sev ] && echo "$DSEV" || echo "$DSEVES"), mnonce): $(grep "^verify-report $mode: verified" "$W/th.log")"
	else
		bad "consumer $mode: verify-report of the report: $(grep -E "^VERIFY-RC $mode |^verify-report $mode: FAILED" "$W/th.log" | tr '\n' ' ')"
	fi
	if grep -q "^VERIFY-RC $mode-wrong-mnonce 5\$" "$W/th.log" &&
	   grep -q "^verify-report $mode-wrong-mnonce: FAILED.*[Mm][Nn][Oo][Nn][Cc][Ee]" "$W/th.log"; then
		ok "consumer $mode: the report with another mnonce fails (exit 5): $(grep "^verify-report $mode-wrong-mnonce: FAILED" "$W/th.log")"
	else
		bad "consumer $mode: another mnonce: $(grep -E "^VERIFY-RC $mode-wrong-mnonce|^verify-report $mode-wrong-mnonce" "$W/th.log" | tr '\n' ' ')"
	fi
done
if grep -q '^CONSUMER-RC snp 0$' "$W/th.log"; then
	ok "consumer snp: snp_init, snp_launch_start, $(echo "$STEPS" | wc -w) snp_launch_update ranges, snp_launch_finish on the model (the SNP digest is not shown to the host)"
else
	bad "consumer snp: $(grep -E '^consumer: FAIL|^CONSUMER-RC snp' "$W/th.log" | head -n 2 | tr '\n' ' ')"
fi
if grep -q 'libsev: WARNING: SEVBOOT_BACKEND=model: .*NOT confidential' "$W/th.log"; then
	ok "the model's NOT-confidential warning is printed"
else
	bad "no NOT-confidential warning in the test host's output"
fi
finish
