#!/bin/bash
# Integration tests for sevboot.
#  1. Bad inputs and host checks, run here (no KVM needed: sevboot rejects
#     them before it opens /dev/kvm).
#  2. Guests on real KVM inside the test host (scripts/testhost/run): direct
#     bzImage boot, OVMF boot over fw_cfg, --smp 2, and the exit codes of
#     poweroff, reboot, debug-exit, triple fault and timeout.  Each OVMF
#     scenario gets a fresh test host (QEMU's TCG SVM bug, DEVELOPERS.md).
# Prints the guests' own serial lines and ends with "N passed, N failed,
# N skipped".
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
B=${BUILD:-build}
case "$B" in /*) ;; *) B="$top/$B" ;; esac
SB="$top/bin/sevboot"
W=$(mktemp -d "${TMPDIR:-/tmp}/sevboot-it.XXXXXX")
trap 'rm -rf "$W"' EXIT
pass=0 fail=0 skip=0
ok() { pass=$((pass + 1)); echo "PASS: $*"; }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
skipped() { skip=$((skip + 1)); echo "SKIP: $*"; }

# ------------------------------------------------------------ bad inputs
# expect_error NAME EXPECTED_RC PATTERN -- ARGS...: sevboot must exit with
# EXPECTED_RC, print exactly one line on stderr matching PATTERN, nothing on
# stdout, and not crash.
expect_error() {
	local name=$1 want=$2 pat=$3
	shift 4
	"$SB" "$@" >"$W/out" 2>"$W/err"
	local rc=$? lines
	lines=$(wc -l < "$W/err")
	if [ "$rc" -ne "$want" ]; then
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

bad_inputs() {
	local ovmf=$1 kernel=$2
	: > "$W/empty"
	head -c 1000000 "$ovmf" > "$W/trunc.fd"
	head -c 4096 "$ovmf" > "$W/short.fd"
	head -c 65536 /dev/urandom > "$W/random.bin"
	cp "$W/random.bin" "$W/notbz"
	truncate -s 300M "$W/huge"
	head -c 600 "$kernel" > "$W/trunc-kernel"

	expect_error "missing kernel" 3 "--kernel $W/nope: .*(no such file|not exist)" -- --kernel "$W/nope"
	expect_error "missing ovmf" 3 "--ovmf $W/nope" -- --ovmf "$W/nope"
	expect_error "missing initrd" 3 "--initrd $W/nope" -- --kernel "$kernel" --initrd "$W/nope"
	expect_error "empty kernel" 3 "--kernel $W/empty: .*empty" -- --kernel "$W/empty"
	expect_error "empty ovmf" 3 "--ovmf $W/empty: .*empty" -- --ovmf "$W/empty"
	expect_error "directory as kernel" 3 "--kernel $W: " -- --kernel "$W"
	expect_error "truncated ovmf" 3 "--ovmf $W/trunc.fd: " -- --ovmf "$W/trunc.fd"
	expect_error "not a bzImage" 3 "--kernel $W/notbz: .*bzImage" -- --kernel "$W/notbz"
	expect_error "truncated bzImage" 3 "--kernel $W/trunc-kernel: " -- --kernel "$W/trunc-kernel"
	expect_error "oversized kernel" 3 "--kernel $W/huge: .*(large|big|limit)" -- --kernel "$W/huge"
	expect_error "oversized ovmf" 3 "--ovmf $W/huge: .*(large|big|limit)" -- --ovmf "$W/huge"
	expect_error "--mem 0" 2 "--mem 0" -- --mem 0 --kernel "$kernel"
	expect_error "--mem garbage" 2 "--mem 12Q" -- --mem 12Q --kernel "$kernel"
	expect_error "--mem absurd" 2 "--mem 99999999T" -- --mem 99999999T --kernel "$kernel"
	expect_error "--mem 1T+1" 2 "--mem 1025G" -- --mem 1025G --kernel "$kernel"
	expect_error "--smp 0" 2 "--smp 0" -- --smp 0 --kernel "$kernel"
	expect_error "--smp absurd" 2 "--smp 100000" -- --smp 100000 --kernel "$kernel"
	expect_error "--smp negative" 2 "--smp -1" -- --smp -1 --kernel "$kernel"
	expect_error "--timeout 0" 2 "--timeout 0" -- --timeout 0 --kernel "$kernel"
	expect_error "unknown option" 2 "unknown option '--frobnicate'" -- --frobnicate
	expect_error "missing value" 2 "--kernel needs a value" -- --kernel
	expect_error "nothing to boot" 2 "nothing to boot" -- --mem 512M
	expect_error "initrd without kernel" 2 "need --kernel" -- --ovmf "$ovmf" --initrd "$kernel"
	expect_error "--policy garbage" 2 "--policy zz: " -- --policy zz --ovmf "$ovmf"
	expect_error "--snp with --policy" 2 "give one" -- --snp --policy 0x1 --ovmf "$ovmf"
	expect_error "--cbitpos without SEV" 2 "need --policy or --snp" -- --cbitpos 51 --kernel "$kernel"
	expect_error "SEV without --ovmf" 2 "needs --ovmf" -- --policy 0x1 --kernel "$kernel"
	expect_error "inspect truncated" 3 "inspect: $W/trunc.fd: .*multiple of 4096" -- inspect "$W/trunc.fd"
	if "$SB" inspect "$W/short.fd" > "$W/out" 2>&1 && grep -qi "no .*table" "$W/out"; then
		ok "inspect of a 4 KiB image without footer table says so (exit 0)"
	else
		bad "inspect of a 4 KiB image without footer table: $(head -c 300 "$W/out")"
	fi
	expect_error "inspect kernel" 3 "inspect: .*(kernel|bzImage)" -- inspect "$kernel"
	expect_error "inspect missing" 3 "inspect: $W/nope" -- inspect "$W/nope"
	if [ -e /dev/kvm ]; then
		skipped "no-KVM message: this machine has /dev/kvm"
	else
		expect_error "no /dev/kvm" 4 "/dev/kvm does not exist" -- --kernel "$kernel" --mem 64M
	fi
}

# ------------------------------------------------- guests in the test host
# A minimal bzImage whose 64-bit entry executes ud2 with no IDT: the
# exception cannot be delivered, so the vCPU triple-faults.
make_fault_kernel() {
	local f=$1
	head -c 2048 /dev/zero > "$f"
	put() { printf "$2" | dd of="$f" bs=1 seek=$(($1)) conv=notrunc status=none; }
	put 0x1f1 '\001'                 # setup_sects = 1 -> setup is 1024 bytes
	put 0x1fe '\125\252'             # 0xAA55
	put 0x202 'HdrS'
	put 0x206 '\014\002'             # protocol 2.12
	put 0x211 '\001'                 # LOADED_HIGH
	put 0x22c '\377\377\377\177'     # initrd_addr_max
	put 0x230 '\000\000\040\000'     # kernel_alignment 2 MiB
	put 0x234 '\001'                 # relocatable
	put 0x236 '\001\000'             # XLF_KERNEL_64
	put 0x238 '\377\000\000\000'     # cmdline_size
	put 0x258 '\000\000\000\001'     # pref_address 16 MiB
	put 0x260 '\000\000\020\000'     # init_size 1 MiB
	put 0x600 '\017\013'             # 1024 + 0x200: ud2
}

# Parse one scenario block of a test host log: CASE-BEGIN name ... CASE-END
# name rc=N.  check_case LOG NAME WANT_RC [MARKER_REGEX]
check_case() {
	local log=$1 name=$2 want=$3 marker=${4:-}
	local block rc
	block=$(sed -n "/^CASE-BEGIN $name\$/,/^CASE-END $name /p" "$log")
	rc=$(printf '%s\n' "$block" | sed -n "s/^CASE-END $name rc=\([0-9]*\).*/\1/p")
	if [ -z "$rc" ]; then
		bad "$name: did not complete in the test host"
		return
	fi
	if [ "$rc" -ne "$want" ]; then
		bad "$name: sevboot exit $rc, want $want"
		return
	fi
	if [ -n "$marker" ] && ! printf '%s\n' "$block" | grep -qE "$marker"; then
		bad "$name: exit $rc but no guest line matching /$marker/"
		return
	fi
	ok "$name: exit $rc${marker:+, guest printed /$marker/} ($(printf '%s\n' "$block" | sed -n 's/^CASE-END [^ ]* rc=[0-9]* //p'))"
}

# case_cmd NAME ARGS...: shell lines that run sevboot in the test host.
# The guest's serial output goes to a file while it runs (a quiet test host
# provokes QEMU's TCG bug less) and is printed afterwards.
case_cmd() {
	local name=$1
	shift
	printf 'echo CASE-BEGIN %s\n' "$name"
	printf 's=$(cut -d" " -f1 /proc/uptime); '
	printf 'sevboot --serial /tmp/%s.serial %s </dev/null; rc=$?; ' "$name" "$*"
	printf 'e=$(cut -d" " -f1 /proc/uptime); '
	printf '[ -f /tmp/%s.serial ] && tr -d "\\033" < /tmp/%s.serial | sed "s/^/  guest| /"; ' "$name" "$name"
	printf 'echo "CASE-END %s rc=$rc uptime ${s}s->${e}s"\n' "$name"
}

G=/payload/guest
KARGS="--kernel $G/vmlinuz --initrd $G/initrd.gz --mem 256M"
APP="console=ttyS0 loglevel=4 panic=-1"

run_testhost() { # name logfile cmdfile [testhost options]
	local name=$1 log=$2 cmds=$3
	shift 3
	echo "== test host: $name"
	scripts/testhost/run --build "$B" --log "$log" --file "$W/fault.bin:guest/fault.bin" \
		"$@" -- "$(cat "$cmds")"
	echo "== test host $name exit $?"
}

guests() {
	make_fault_kernel "$W/fault.bin"
	# Direct boots share one test host (the TCG bug was only seen with
	# OVMF guests).
	{
		case_cmd direct-poweroff "$KARGS --append \"$APP sevtest.action=poweroff\""
		case_cmd direct-smp2 "$KARGS --smp 2 --append \"$APP sevtest.action=poweroff\""
		case_cmd direct-4g "--kernel $G/vmlinuz --initrd $G/initrd.gz --mem 4G --append \"$APP sevtest.action=poweroff\""
		case_cmd direct-reboot "$KARGS --append \"$APP sevtest.action=reboot\""
		case_cmd direct-debugexit "$KARGS --append \"$APP sevtest.action=exit:5\""
		case_cmd triple-fault "--kernel $G/fault.bin --mem 64M"
		case_cmd timeout "$KARGS --timeout 2 --append \"$APP sevtest.action=hang\""
		case_cmd sev-es-no-sev "--ovmf $G/OVMF.fd $KARGS --policy 0x5"
		# --serial-in: a FIFO the test host writes one line into once the
		# guest says it is reading (1 s checks; direct boot only).
		cat <<EOS
echo CASE-BEGIN serial-in
mkfifo /tmp/in.fifo; exec 3<>/tmp/in.fifo
sevboot --serial /tmp/serial-in.serial --serial-in /tmp/in.fifo $KARGS --append "$APP sevtest.action=echo-in" </dev/null & pid=\$!
n=0; until grep -q SEVBOOT-GUEST-READY /tmp/serial-in.serial 2>/dev/null || [ \$n -ge 120 ]; do sleep 1; n=\$((n + 1)); done
echo typed-by-the-host >&3
wait \$pid; rc=\$?
tr -d "\\033" < /tmp/serial-in.serial | sed "s/^/  guest| /"
echo "CASE-END serial-in rc=\$rc"
EOS
	} > "$W/direct.cmds"
	run_testhost direct "$W/direct.log" "$W/direct.cmds"
	check_case "$W/direct.log" direct-poweroff 0 'SEVBOOT-GUEST-MARKER .*boot=direct'
	check_case "$W/direct.log" direct-smp2 0 'SEVBOOT-GUEST-MARKER .*cpus=2 online=0-1'
	# RAM above the PCI hole (3 GiB low + 1 GiB from 4 GiB up) is usable.
	check_case "$W/direct.log" direct-4g 0 'SEVBOOT-GUEST-MARKER .*memkb=(3[5-9]|40)[0-9]{5} '
	check_case "$W/direct.log" direct-reboot 10 'SEVBOOT-GUEST-MARKER'
	check_case "$W/direct.log" direct-debugexit 69 'SEVBOOT-GUEST-MARKER'
	check_case "$W/direct.log" triple-fault 11
	check_case "$W/direct.log" timeout 124
	# Real KVM, no SEV (kvm_amd sev=N): the documented message and code.
	check_case "$W/direct.log" serial-in 0 'SEVBOOT-GUEST-GOT: typed-by-the-host'
	check_case "$W/direct.log" sev-es-no-sev 4 'sevboot: this host cannot run SEV-ES guests: .*(0x8000001f|sev=N|/dev/sev)'

	# --timeout: a stalled guest ends as exit 124 with its log, not as a
	# test host killed from outside.
	case_cmd ovmf-poweroff "--ovmf $G/OVMF.fd $KARGS --timeout 300 --append \"$APP sevtest.action=poweroff\"" > "$W/ovmf.cmds"
	run_testhost ovmf "$W/ovmf.log" "$W/ovmf.cmds" --icount --timeout 900
	check_case "$W/ovmf.log" ovmf-poweroff 0 'SEVBOOT-GUEST-MARKER .*boot=efi'

	case_cmd ovmf-smp2 "--ovmf $G/OVMF.fd $KARGS --smp 2 --timeout 300 --append \"$APP sevtest.action=reboot\"" > "$W/ovmf2.cmds"
	run_testhost ovmf-smp2 "$W/ovmf2.log" "$W/ovmf2.cmds" --icount
	check_case "$W/ovmf2.log" ovmf-smp2 10 'SEVBOOT-GUEST-MARKER .*cpus=2 online=0-1 .*boot=efi'
}

if [ ! -x "$SB" ]; then
	bad "bin/sevboot is not built"
else
	scripts/testhost/build "$B" || bad "test host build failed"
	bad_inputs "$B/testhost/OVMF.fd" "$B/testhost/vmlinuz"
	if command -v qemu-system-x86_64 >/dev/null; then
		guests
	else
		skipped "guests on KVM: qemu-system-x86_64 is not installed (scripts/setup.sh)"
	fi
fi
echo "integration: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
