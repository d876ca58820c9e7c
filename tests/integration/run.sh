#!/bin/bash
# Integration tests for sevboot.
#  1. Bad inputs and host checks, run here (no KVM needed: sevboot rejects
#     them before it opens /dev/kvm).
#  2. Guests on real KVM inside the test host (scripts/testhost/run): direct
#     bzImage boot, OVMF boot over fw_cfg, --smp 2, and the exit codes of
#     poweroff, reboot, debug-exit, triple fault and timeout.  Each OVMF
#     scenario gets a fresh test host (QEMU's TCG SVM bug, see README.md).
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
	expect_error "--serial-limit 0" 2 "^sevboot: --serial-limit 0: must be a size from 1 to 1T, such as 512M or 4G$" -- --serial-limit 0 --kernel "$kernel"
	expect_error "--serial-limit garbage" 2 "^sevboot: --serial-limit 1Q: must be a size" -- --serial-limit 1Q --kernel "$kernel"
	expect_error "--debugcon-limit without --debugcon" 2 "^sevboot: --debugcon-limit needs --debugcon FILE$" -- --debugcon-limit 1M --kernel "$kernel"
	expect_error "unknown option" 2 "unknown option '--frobnicate'" -- --frobnicate
	expect_error "missing value" 2 "--kernel needs a value" -- --kernel
	expect_error "nothing to boot" 2 "nothing to boot" -- --mem 512M
	# What QEMU users type first: the error names the word they typed.
	expect_error "QEMU's -bios" 2 "^sevboot: unknown option '-bios' \(sevboot's options take two dashes: --bios\)$" -- -bios "$ovmf"
	expect_error "QEMU's -smp after --ovmf" 2 "^sevboot: unknown option '-smp' \(sevboot's options take two dashes: --smp\)$" -- --ovmf "$ovmf" -smp 2
	expect_error "QEMU's -m" 2 "^sevboot: unknown option '-m' \(QEMU's -m is --mem here\)$" -- -m 1G --kernel "$kernel"
	expect_error "QEMU's -kernel" 2 "^sevboot: unknown option '-kernel' \(sevboot's options take two dashes: --kernel\)$" -- -kernel "$kernel" -append console=ttyS0
	expect_error "--smp x" 2 "^sevboot: --smp x: must be a number from 1 to 256$" -- --smp x --kernel "$kernel"
	expect_error "--ovmf without a value" 2 "^sevboot: --ovmf needs a value$" -- --ovmf
	expect_error "--ovmf followed by an option" 2 "^sevboot: --ovmf needs a value \(the next word, --kernel, is an option\)$" -- --ovmf --kernel "$kernel"
	expect_error "a typo" 2 "^sevboot: unknown option '--kernal' \(did you mean --kernel\?\)$" -- --kernal "$kernel"
	expect_error "--snp=1" 2 "^sevboot: --snp takes no value$" -- --snp=1 --ovmf "$ovmf"
	expect_error "unknown command" 2 "^sevboot: unknown command 'frob' \(see sevboot --help\)$" -- frob
	expect_error "help for an unknown command" 2 "^sevboot: help: unknown command 'frob'" -- help frob
	expect_error "measure: QEMU's -smp" 2 "^sevboot: measure: unknown option '-smp' \(QEMU's -smp is --vcpus here\)$" -- measure --mode seves --ovmf "$ovmf" -smp 2
	expect_error "inspect: two files" 2 "^sevboot: inspect: one FILE only, got" -- inspect "$ovmf" "$ovmf"
	if "$SB" help measure > "$W/h1" 2>&1 && "$SB" measure --help > "$W/h2" 2>&1 &&
	   cmp -s "$W/h1" "$W/h2" && grep -q "^  --vcpus N" "$W/h1" &&
	   "$SB" --help > "$W/h3" 2>&1 && grep -q "^  measure " "$W/h3"; then
		ok "sevboot --help lists the commands; help measure == measure --help"
	else
		bad "help: $(head -c 300 "$W/h1") / $(head -c 300 "$W/h3")"
	fi
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
	# SEV options: refused before any KVM or firmware is touched.
	expect_error "--dh-cert-file alone" 2 "go together" -- --policy 0x1 --ovmf "$ovmf" --dh-cert-file "$ovmf"
	expect_error "--owner-cmd with --snp" 2 "LAUNCH_SECRET" -- --snp --ovmf "$ovmf" --owner-cmd true
	expect_error "--id-block with --policy" 2 "are for SNP" -- --policy 0x1 --ovmf "$ovmf" --id-block "$ovmf" --id-auth "$ovmf"
	expect_error "--secret-gpa unaligned" 2 "--secret-gpa 0x1001: .*16-byte aligned" -- --policy 0x1 --ovmf "$ovmf" --secret-gpa 0x1001
	expect_error "--sev-model-keys alone" 2 "goes with --sev-model" -- --policy 0x1 --ovmf "$ovmf" --sev-model-keys "$W"
	expect_error "kernel, firmware without hashes table" 3 "no usable kernel hashes table .*--no-kernel-hashes" -- --policy 0x1 --sev-model --ovmf "$ovmf" --kernel "$kernel"
	if [ -n "$AMDSEV" ]; then
		printf 'not a certificate' > "$W/bad.cert"
		expect_error "--dh-cert-file garbage" 3 "--dh-cert-file $W/bad.cert: expected 2084 bytes \\(raw\\) or their base64" -- --policy 0x1 --sev-model --ovmf "$AMDSEV" --dh-cert-file "$W/bad.cert" --session-file "$W/bad.cert"
		expect_error "--sev-model-keys missing" 3 "--sev-model-keys $W/nokeys/pdh.key: .*sevboot model-keys" -- --policy 0x1 --sev-model --sev-model-keys "$W/nokeys" --ovmf "$AMDSEV"
		expect_error "--host-data not base64" 2 "--host-data zz: give 32 bytes in base64" -- --snp --sev-model --ovmf "$AMDSEV" --host-data zz
	else
		skipped "SEV input checks with an AmdSev OVMF: $AMDSEV_WHY"
	fi
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

# The AmdSev OVMF (hashes table, secret area, SNP metadata) for the SEV
# flows: the shared copy, or the one firmware-blobs/get-ovmf-amdsev fetched.
SHARED=${SEVBOOT_SHARED:-$top/../shared}
AMDSEV="" AMDSEV_WHY=""
for f in "$SHARED/firmware/OVMF.amdsev.sid.fd" "$B/firmware/OVMF.amdsev.fd"; do
	[ -f "$f" ] && { AMDSEV=$f; break; }
done
[ -n "$AMDSEV" ] || AMDSEV_WHY="no OVMF.amdsev: neither $SHARED/firmware/OVMF.amdsev.sid.fd nor $B/firmware/OVMF.amdsev.fd (firmware-blobs/get-ovmf-amdsev) exists"

G=/payload/guest
KARGS="--kernel $G/vmlinuz --initrd $G/initrd.gz --mem 256M"
APP="console=ttyS0 loglevel=4 panic=-1"

# Shell lines: sevboot (the binary SBIN) writing its serial output into a
# FIFO that is already full and that nobody reads, the guest flooding its
# console.  With --timeout it must end with 124, and killed by SIGTERM with
# 143, each after a bounded flush that says what was not written (-v: the
# guest wrote, nothing was written).  Under TCG the guest needs 15 to 20 s
# to reach its flood, so the timeout is 40 s, not a few.  The watchdogs
# (timeout -s KILL, kill -KILL) only bound a hang: a killed sevboot exits
# 137.  Then --serial-limit on the same flood.
stall_cases() { # SBIN
	local sb=$1
	cat <<EOS
echo CASE-BEGIN stalled-timeout
mkfifo /tmp/stall1.fifo; exec 4<>/tmp/stall1.fifo; dd if=/dev/zero bs=65536 count=1 >&4 2>/dev/null
s=\$(cut -d" " -f1 /proc/uptime)
timeout -s KILL 120 $sb $KARGS --timeout 40 -v --append "$APP sevtest.action=flood" </dev/null >&4 2>/tmp/stall1.err; rc=\$?
e=\$(cut -d" " -f1 /proc/uptime)
exec 4>&-
grep -v "^sevboot: port 0x" /tmp/stall1.err | sed "s/^/  stderr| /"
echo "CASE-END stalled-timeout rc=\$rc uptime \${s}s->\${e}s"
echo CASE-BEGIN stalled-sigterm
mkfifo /tmp/stall2.fifo; exec 5<>/tmp/stall2.fifo; dd if=/dev/zero bs=65536 count=1 >&5 2>/dev/null
$sb $KARGS -v --append "$APP sevtest.action=flood" </dev/null >&5 2>/tmp/stall2.err & pid=\$!
n=0; until grep -q "unhandled port 0x2e9" /tmp/stall2.err 2>/dev/null || [ \$n -ge 90 ]; do sleep 1; n=\$((n + 1)); done; sleep 15
(sleep 60; kill -KILL \$pid 2>/dev/null) & w=\$!
s=\$(cut -d" " -f1 /proc/uptime); kill -TERM \$pid; wait \$pid; rc=\$?; e=\$(cut -d" " -f1 /proc/uptime)
kill \$w 2>/dev/null; exec 5>&-
grep -v "^sevboot: port 0x" /tmp/stall2.err | sed "s/^/  stderr| /"
echo "CASE-END stalled-sigterm rc=\$rc uptime \${s}s->\${e}s"
echo CASE-BEGIN serial-limit
$sb --serial /tmp/limit.out $KARGS --serial-limit 8K --timeout 40 --append "$APP sevtest.action=flood" </dev/null 2>/tmp/limit.err; rc=\$?
sed "s/^/  stderr| /" /tmp/limit.err
echo "CASE-END serial-limit rc=\$rc output=\$(wc -c < /tmp/limit.out) bytes, \$(grep -c SEVBOOT-GUEST-FLOOD /tmp/limit.out) flood lines"
EOS
}

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
		# The test host runs Linux 6.12, whose snp_launch_start()
		# demands SMT allowed (bit 16): refused before anything starts.
		case_cmd snp-policy-smt "--ovmf $G/OVMF.fd $KARGS --snp --snp-policy 0x20000 --sev-model"
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
		stall_cases sevboot
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
	check_case "$W/direct.log" snp-policy-smt 2 'sevboot: --snp-policy: SNP policy 0x20000 lacks bit 16 \(SMT allowed\)'
	# A stalled output (a FIFO nobody reads) stops neither --timeout nor
	# SIGTERM; the flush at the stop gives up and says so.
	check_case "$W/direct.log" stalled-timeout 124 'serial output: the guest wrote [1-9][0-9]* bytes, 0 written, .* [1-9][0-9]* not written at the stop'
	check_case "$W/direct.log" stalled-sigterm 143 'serial output: the guest wrote [1-9][0-9]* bytes, 0 written, .* [1-9][0-9]* not written at the stop'
	sev_log_has "$W/direct.log" "stalled output: the stop gave up and said so" \
		'serial output: gave up [0-9.]+ s after the stop, [0-9]+ bytes not written'
	# --serial-limit: exactly 8 KiB written, said once, the guest runs on
	# to the timeout.
	check_case "$W/direct.log" serial-limit 124 'CASE-END serial-limit rc=124 output=8192 bytes, [1-9][0-9]* flood lines'
	sev_log_has "$W/direct.log" "serial-limit: said once" \
		'stderr\| sevboot: serial output reached --serial-limit 8K; the rest is discarded \(the guest keeps running\)'

	# --timeout: a stalled guest ends as exit 124 with its log, not as a
	# test host killed from outside.
	case_cmd ovmf-poweroff "--ovmf $G/OVMF.fd $KARGS --timeout 300 --append \"$APP sevtest.action=poweroff\"" > "$W/ovmf.cmds"
	run_testhost ovmf "$W/ovmf.log" "$W/ovmf.cmds" --single --timeout 900
	check_case "$W/ovmf.log" ovmf-poweroff 0 'SEVBOOT-GUEST-MARKER .*boot=efi'

	case_cmd ovmf-smp2 "--ovmf $G/OVMF.fd $KARGS --smp 2 --timeout 300 --append \"$APP sevtest.action=reboot\"" > "$W/ovmf2.cmds"
	run_testhost ovmf-smp2 "$W/ovmf2.log" "$W/ovmf2.cmds" --single
	check_case "$W/ovmf2.log" ovmf-smp2 10 'SEVBOOT-GUEST-MARKER .*cpus=2 online=0-1 .*boot=efi'
	if [ -n "$AMDSEV" ]; then
		sev_model_guests
	else
		skipped "SEV flows on the firmware model: $AMDSEV_WHY"
	fi
}

# ----------------------------------------- SEV flows on the firmware model
# Real KVM in the test host has no SEV (kvm_amd sev=N): the launch runs on
# sevboot's model of the Secure Processor (--sev-model), which measures
# what KVM would hand the firmware, vCPU registers included.  The guest
# boots the AmdSev OVMF with measured direct boot: OVMF itself checks the
# kernel, initrd and command line against the hashes table sevboot put in.

A=/payload/guest/amdsev.fd
SECRET_GUID=736869e5-84f0-4973-92ec-06879ce3da0b

# Shell lines: the guest owner's side in the test host (keys of the model,
# a session for them, the owner's own digest).
owner_setup() { # policy append
	cat <<EOS
sevboot model-keys /tmp/mk && sevboot session --pdh /tmp/mk/pdh.cert --policy $1 --out /tmp/own && printf 'sevboot-secret-42\\n' > /tmp/secret.txt && d=\$(sevboot measure --mode sev --ovmf $A $(printf '%s' "$KARGS" | sed 's/--mem [^ ]*//') --append "$2") && echo "OWNER-DIGEST \$d"
EOS
}

sev_model_guests() {
	local tf=(--file "$AMDSEV:guest/amdsev.fd")
	local SEVARGS="--ovmf $A $KARGS --sev-model --timeout 300"

	# SEV, one vCPU, timings as JSON and -v's table.
	{
		# --self-session here (the SEV-ES case below checks the
		# session-less, all-zero-TIK way).
		case_cmd sev-model-sev "$SEVARGS --policy 0x1 --self-session -v --timing-json /tmp/t.json --append \"$APP sevtest.action=poweroff\""
		echo 'echo "TIMING-JSON $(cat /tmp/t.json)"'
	} > "$W/sev.cmds"
	run_testhost sev-model-sev "$W/sev.log" "$W/sev.cmds" --single "${tf[@]}"
	check_case "$W/sev.log" sev-model-sev 0 'SEVBOOT-GUEST-MARKER .*boot=efi'
	sev_log_has "$W/sev.log" "SEV: the expected digest was printed, verified, and -v printed the table" \
		'expected launch digest: [0-9a-f]{64}' 'launch measurement verified' 'NOT confidential' \
		'LAUNCH_UPDATE_DATA +firmware +4194304' 'LAUNCH_UPDATE_DATA +kernel hashes +176'
	sev_log_has "$W/sev.log" "SEV: --self-session exported the PDH and checked with its own TIK" \
		'PDH_CERT_EXPORT' "launch measurement verified: the firmware measured the expected digest \\(checked with sevboot's own session\\)"
	sev_log_has "$W/sev.log" "SEV: --timing-json has every command with CLOCK_MONOTONIC times" \
		'TIMING-JSON \{"mode":"sev","steps":\[\{"step":"INIT2".*"step":"LAUNCH_MEASURE".*"step":"LAUNCH_FINISH".*"duration_ns"'

	# SEV-ES with two vCPUs: the VMSAs come from the vCPUs' registers.
	case_cmd sev-model-es-smp2 "$SEVARGS --policy 0x5 --smp 2 --append \"$APP sevtest.action=poweroff\"" > "$W/es.cmds"
	run_testhost sev-model-es-smp2 "$W/es.log" "$W/es.cmds" --single "${tf[@]}"
	check_case "$W/es.log" sev-model-es-smp2 0 'SEVBOOT-GUEST-MARKER .*cpus=2 online=0-1 .*boot=efi'
	sev_log_has "$W/es.log" "SEV-ES: measurement verified" 'SEV-ES launch, 2 vCPUs' 'launch measurement verified'

	# SNP: firmware pages, metadata pages, CPUID page, VMSA at FINISH.
	case_cmd sev-model-snp "$SEVARGS --snp -v --append \"$APP sevtest.action=poweroff\"" > "$W/snp.cmds"
	run_testhost sev-model-snp "$W/snp.log" "$W/snp.cmds" --single "${tf[@]}"
	check_case "$W/snp.log" sev-model-snp 0 'SEVBOOT-GUEST-MARKER .*boot=efi'
	sev_log_has "$W/snp.log" "SNP: every page type, digest verified" \
		'expected launch digest: [0-9a-f]{96}' 'SNP_LAUNCH_UPDATE +CPUID +4096' 'SNP_LAUNCH_UPDATE +SNP_SECRETS' \
		'SNP_LAUNCH_UPDATE +KERNEL_HASHES' 'firmware model measured the expected digest'

	# The guest owner's stop: a session for the model's PDH key, the
	# measurement checked by the owner against its own digest, a secret
	# sealed for the firmware's secret area, and the guest reading it
	# there once Linux runs.
	local sbase oapp
	sbase=$("$SB" inspect --json "$AMDSEV" | tr ',' '\n' | sed -n 's/.*"secret_area": *{ *"base": *\([0-9][0-9]*\).*/\1/p')
	oapp="$APP sevtest.action=secret-at:${sbase:-0}"
	{
		echo "echo CASE-BEGIN sev-model-owner"
		owner_setup 0x1 "$oapp"
		echo "sevboot --serial /tmp/own.serial $SEVARGS --policy 0x1 --sev-model-keys /tmp/mk --dh-cert-file /tmp/own/godh.cert --session-file /tmp/own/session.bin --owner-cmd \"sevboot owner --session /tmp/own --digest \$d --secret $SECRET_GUID=/tmp/secret.txt\" --append \"$oapp\" </dev/null; rc=\$?"
		echo 'tr -d "\033" < /tmp/own.serial | sed "s/^/  guest| /"'
		echo 'echo "CASE-END sev-model-owner rc=$rc"'
	} > "$W/owner.cmds"
	run_testhost sev-model-owner "$W/owner.log" "$W/owner.cmds" --single "${tf[@]}"
	check_case "$W/owner.log" sev-model-owner 0 'SEVBOOT-GUEST-SECRET-AREA: .*sevboot-secret-42'
	sev_log_has "$W/owner.log" "owner: session accepted, secret injected into the secret area" \
		'OWNER-DIGEST [0-9a-f]{64}' 'a guest-owner session is in use' 'launch secret injected at 0x[0-9a-f]+ \([0-9]+ bytes\)'

	# The owner refuses (wrong digest), through --owner-cmd and through
	# the socket: the launch stops before any vCPU runs (no guest boots,
	# so these share one test host).
	{
		owner_setup 0x1 "$APP"
		echo "echo CASE-BEGIN owner-mismatch"
		echo "sevboot $SEVARGS --policy 0x1 --sev-model-keys /tmp/mk --dh-cert-file /tmp/own/godh.cert --session-file /tmp/own/session.bin --owner-cmd \"sevboot owner --session /tmp/own --digest $(printf '0%.0s' $(seq 64))\" --append \"$APP\" </dev/null; echo \"CASE-END owner-mismatch rc=\$?\""
		echo "echo CASE-BEGIN owner-socket-refused"
		echo "sevboot $SEVARGS --policy 0x1 --sev-model-keys /tmp/mk --dh-cert-file /tmp/own/godh.cert --session-file /tmp/own/session.bin --owner-socket /tmp/owner.sock --owner-timeout 120 --append \"$APP\" </dev/null & pid=\$!"
		echo 'n=0; until [ -S /tmp/owner.sock ] || [ $n -ge 60 ]; do sleep 1; n=$((n + 1)); done'
		echo "sevboot owner --connect /tmp/owner.sock --session /tmp/own --digest $(printf '1%.0s' $(seq 64)); echo \"OWNER-CLIENT rc=\$?\""
		echo 'wait $pid; echo "CASE-END owner-socket-refused rc=$? sock-left=$([ -e /tmp/owner.sock ] && echo yes || echo no)"'
		# SIGTERM while sevboot waits for the owner: it stops at
		# once with 128 + 15, the socket removed.
		echo "echo CASE-BEGIN owner-sigterm"
		echo "sevboot $SEVARGS --policy 0x1 --sev-model-keys /tmp/mk --dh-cert-file /tmp/own/godh.cert --session-file /tmp/own/session.bin --owner-socket /tmp/owner2.sock --owner-timeout 120 --append \"$APP\" </dev/null & pid=\$!"
		echo 'n=0; until [ -S /tmp/owner2.sock ] || [ $n -ge 60 ]; do sleep 1; n=$((n + 1)); done'
		echo 's=$(cut -d" " -f1 /proc/uptime); kill -TERM $pid; wait $pid; rc=$?; e=$(cut -d" " -f1 /proc/uptime)'
		echo 'echo "CASE-END owner-sigterm rc=$rc sock-left=$([ -e /tmp/owner2.sock ] && echo yes || echo no) uptime ${s}s->${e}s"'
	} > "$W/refuse.cmds"
	run_testhost owner-refusals "$W/refuse.log" "$W/refuse.cmds" "${tf[@]}"
	check_case "$W/refuse.log" owner-mismatch 5
	sev_log_has "$W/refuse.log" "owner-mismatch: the owner's refusal is named" '[Mm]easurement mismatch'
	check_case "$W/refuse.log" owner-socket-refused 5
	sev_log_has "$W/refuse.log" "owner-socket-refused: the client refused and the socket is gone" \
		'OWNER-CLIENT rc=5' 'CASE-END owner-socket-refused rc=5 sock-left=no'
	check_case "$W/refuse.log" owner-sigterm 143
	sev_log_has "$W/refuse.log" "owner-sigterm: SIGTERM during the owner's stop: exit 143, socket gone, named" \
		'stopped by a signal while waiting for the guest owner' 'CASE-END owner-sigterm rc=143 sock-left=no'
}

# sev_log_has LOG DESCRIPTION REGEX...: every regex matches a line of LOG.
sev_log_has() {
	local log=$1 what=$2 re
	shift 2
	for re in "$@"; do
		if ! grep -qaE -- "$re" "$log"; then
			bad "$what: no line matches /$re/"
			return
		fi
	done
	ok "$what"
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
