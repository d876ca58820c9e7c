#!/bin/bash
# Integration tests for sevboot.
#  1. Bad inputs and host checks, run here (no KVM needed: sevboot rejects
#     them before it opens /dev/kvm).
#  2. Guests on real KVM inside the test host (scripts/testhost/run): direct
#     bzImage boot, OVMF boot over fw_cfg, --smp 2, and the exit codes of
#     poweroff, reboot, debug-exit, triple fault and timeout.  Each OVMF
#     scenario gets a fresh test host (QEMU's TCG SVM bug, see README.md).
#  3. The hostile guest (tests/guest/hostile.c): a storm of port, PCI,
#     fw_cfg, DMA and MMIO accesses, direct and under OVMF, with bin/sevboot
#     and, when it is built, the ASan+UBSan build (build/asan/bin/sevboot).
#     HOSTILE_SEED=N replays a storm; HOSTILE_SECONDS sets its length.
#  4. A few of them again with Debian 12's default kernel (Linux 6.1) as the
#     test host's kernel: no KVM_SEV_INIT2, no SEV VM types, no SNP.
# Prints the guests' own serial lines and ends with "N passed, N failed,
# N skipped".
set -u
# shellcheck source=tests/integration/common.sh
. "$(dirname "$0")/common.sh" sevboot-it

# ------------------------------------------------------------ bad inputs
# (each through expect_error, tests/integration/common.sh)

# ------------------------------------- platform, guest and check commands
# Here: no /dev/sev, no /dev/sev-guest, no configfs-tsm (the paths are
# pointed at nothing so that a host that has them does not change that).
# A platform command on the model's DIR $W/pm that the firmware refuses:
# exit 5, the model's warning and one line naming the status.
platform_model_refuses() {
	local name=$1 pat=$2
	shift 2
	"$SB" platform "$@" --sev-model "$W/pm" >"$W/out" 2>"$W/err"
	local rc=$?
	grep -v "WARNING: --sev-model" "$W/err" > "$W/err1"
	if [ "$rc" -eq 5 ] && [ "$(wc -l < "$W/err1")" -eq 1 ] &&
	   grep -qE -- "^sevboot: platform $1: $pat" "$W/err1" && [ ! -s "$W/out" ]; then
		ok "platform $name --sev-model (exit 5): $(cat "$W/err1")"
	else
		bad "platform $name --sev-model: exit $rc, $(head -c 400 "$W/err")"
	fi
}

platform_inputs() {
	local gdev="$W/no-sev-guest" tsm="$W/no-tsm"
	export SEVBOOT_SEV_GUEST_DEV=$gdev SEVBOOT_TSM_DIR=$tsm
	expect_error "guest report: not an SNP guest" 4 "^sevboot: guest report: this is not an SEV-SNP guest: neither $gdev nor $tsm exists" -- guest report --out "$W/r.bin"
	expect_error "guest ext-report: not an SNP guest" 4 "^sevboot: guest ext-report: this is not an SEV-SNP guest" -- guest ext-report --out "$W/ext"
	expect_error "guest derived-key: not an SNP guest" 4 "^sevboot: guest derived-key: $gdev does not exist: this is not an SEV-SNP guest" -- guest derived-key --out -
	expect_error "guest report: --via tsm without configfs-tsm" 4 "^sevboot: guest report: $tsm does not exist: no configfs-tsm" -- guest report --via tsm --out "$W/r.bin"
	expect_error "guest report: bad report data" 2 "^sevboot: guest report: --report-data xyz: must be up to 64 bytes" -- guest report --report-data xyz --out "$W/r.bin"
	head -c 65 /dev/zero > "$W/65"
	expect_error "guest report: report data too long" 3 "^sevboot: guest report: --report-data-file $W/65: 65 bytes; REPORT_DATA is at most 64" -- guest report --report-data-file "$W/65" --out "$W/r.bin"
	expect_error "guest derived-key: no --out" 2 "^sevboot: guest derived-key: --out FILE\|- is required" -- guest derived-key
	expect_error "guest derived-key: bad field" 2 "'bogus' is not one of" -- guest derived-key --fields measurement,bogus --out -
	# A directory that is not configfs-tsm: the entry made in it has no
	# provider; it is said, and the entry is removed again.
	mkdir "$W/faketsm"
	SEVBOOT_TSM_DIR=$W/faketsm
	expect_error "guest report: not a configfs-tsm tree" 4 "^sevboot: guest report: $W/faketsm/sevboot-[0-9]+-[0-9a-f]+/provider: No such file or directory$" -- guest report --via tsm --out "$W/r.bin"
	if [ -z "$(ls -A "$W/faketsm")" ]; then
		ok "guest report: the configfs-tsm entry was removed"
	else
		bad "guest report: left $(ls -A "$W/faketsm") in the tsm directory"
	fi
	unset SEVBOOT_SEV_GUEST_DEV SEVBOOT_TSM_DIR
	[ -e "$W/r.bin" ] && bad "guest report: a file was left behind"
	expect_error "platform: unknown command" 2 "^sevboot: platform: unknown command 'frob'" -- platform frob
	expect_error "platform pek-gen without --yes" 2 "^sevboot: platform: pek-gen changes the platform: .*; give --yes to do it$" -- platform pek-gen
	expect_error "platform export without --out" 2 "^sevboot: platform: export needs --out FILE$" -- platform export
	expect_error "platform: model without identity" 3 "^sevboot: platform status: --sev-model $W/nokeys: .*sevboot model-keys" -- platform status --sev-model "$W/nokeys"
	if [ -e /dev/sev ]; then
		skipped "platform status without /dev/sev: this machine has /dev/sev"
	else
		expect_error "platform status without /dev/sev" 4 "^sevboot: platform status: /dev/sev does not exist: the ccp driver is not loaded" -- platform status
	fi
	# The model answers from its identity: state, API, build, owner, guests.
	if "$SB" model-keys "$W/pm" >/dev/null 2>&1 &&
	   "$SB" platform status --sev-model "$W/pm" > "$W/out" 2>"$W/err" &&
	   grep -q '^state  *UNINIT (0)$' "$W/out" && grep -q '^api  *1\.55$' "$W/out" &&
	   grep -q '^build  *25$' "$W/out" && grep -q '^owner  *self-owned$' "$W/out" &&
	   grep -q '^guests  *0$' "$W/out" && grep -q 'WARNING: --sev-model' "$W/err"; then
		ok "platform status --sev-model: $(tr '\n' ' ' < "$W/out")"
	else
		bad "platform status --sev-model: $(cat "$W/out" "$W/err" | head -c 400)"
	fi
	if "$SB" platform export --sev-model "$W/pm" --out "$W/export.bin" >/dev/null 2>&1 &&
	   [ "$(wc -c < "$W/export.bin")" -eq 8336 ] && cmp -s -n 2084 "$W/export.bin" "$W/pm/pdh.cert"; then
		ok "platform export --sev-model: 8336 bytes, the PDH first"
	else
		bad "platform export --sev-model: $(ls -l "$W/export.bin" 2>&1)"
	fi
	# The export with the CA chain verifies with the identity's ARK; after
	# pdh-gen the PDH differs, DIR still loads, and the new export verifies.
	if "$SB" platform export --full --sev-model "$W/pm" --out "$W/export-full.bin" >/dev/null 2>&1 &&
	   "$SB" verify-chain --ark "$W/pm/ark.cert" "$W/export-full.bin" > "$W/out" 2>&1; then
		ok "platform export --full --sev-model: verify-chain --ark: $(tail -1 "$W/out")"
	else
		bad "platform export --full --sev-model | verify-chain --ark: $(cat "$W/out" | head -c 400)"
	fi
	cp "$W/pm/pdh.cert" "$W/pdh-before.cert"
	if "$SB" platform pdh-gen --yes --sev-model "$W/pm" >/dev/null 2>&1 &&
	   ! cmp -s "$W/pdh-before.cert" "$W/pm/pdh.cert" &&
	   "$SB" platform export --full --sev-model "$W/pm" --out "$W/export-new.bin" >/dev/null 2>&1 &&
	   ! cmp -s -n 2084 "$W/export-new.bin" "$W/export-full.bin" &&
	   "$SB" verify-chain --ark "$W/pm/ark.cert" "$W/export-new.bin" > "$W/out" 2>&1; then
		ok "platform pdh-gen --sev-model: a new PDH; the new export verifies: $(tail -1 "$W/out")"
	else
		bad "platform pdh-gen --sev-model: $(cat "$W/out" | head -c 400)"
	fi
	if "$SB" platform pek-gen --yes --sev-model "$W/pm" >/dev/null 2>&1 &&
	   "$SB" platform export --full --sev-model "$W/pm" --out "$W/export-pek.bin" >/dev/null 2>&1 &&
	   ! cmp -s -i 2084:2084 -n 2084 "$W/export-pek.bin" "$W/export-new.bin" &&
	   "$SB" verify-chain --ark "$W/pm/ark.cert" "$W/export-pek.bin" >/dev/null 2>&1; then
		ok "platform pek-gen --sev-model: a new PEK; the new export verifies"
	else
		bad "platform pek-gen --sev-model: the PEK did not change or the export does not verify"
	fi
	# An older DIR with only pdh.key: no chain, said in one line (exit 4).
	mkdir -m 0700 "$W/pm-old" && cp -p "$W/pm/pdh.key" "$W/pm/pdh.cert" "$W/pm-old/"
	"$SB" platform export --sev-model "$W/pm-old" --out "$W/old.bin" >"$W/out" 2>"$W/err"
	rc=$?
	if [ "$rc" -eq 4 ] && [ ! -e "$W/old.bin" ] && [ ! -s "$W/out" ] &&
	   [ "$(grep -vc 'WARNING: --sev-model' "$W/err")" -eq 1 ] &&
	   grep -qE "^sevboot: platform export: SEV_PDH_CERT_EXPORT: $W/pm-old holds only a PDH key .*sevboot model-keys NEWDIR" "$W/err"; then
		ok "platform export: a pdh.key-only DIR (exit 4, no file): $(grep -v WARNING "$W/err")"
	else
		bad "platform export: a pdh.key-only DIR: exit $rc, $(head -c 400 "$W/err")"
	fi
	"$SB" platform status --sev-model "$W/pm-old" >/dev/null 2>&1 &&
		ok "platform status: a pdh.key-only DIR still answers" ||
		bad "platform status: a pdh.key-only DIR no longer answers"
	# The commands that change the platform, on the model: set-config
	# kept in DIR, one above the TCB and a VLEK refused by status name.
	if "$SB" platform snp-set-config --yes --reported-tcb 0300000000000003 --mask-chip-id --sev-model "$W/pm" >/dev/null 2>&1 &&
	   "$SB" platform snp-status --sev-model "$W/pm" 2>/dev/null > "$W/out" &&
	   grep -qE "^reported_tcb +0x0300000000000003$" "$W/out" &&
	   grep -qE "^flags +0x1 \(mask_chip_id 1" "$W/out"; then
		ok "platform snp-set-config --sev-model: snp-status shows it after a reload"
	else
		bad "platform snp-set-config --sev-model: $(head -c 400 "$W/out")"
	fi
	platform_model_refuses "snp-set-config above the TCB" "SNP_SET_CONFIG failed: .*SEV_RET_INVALID_PARAM \(0x16\)$" \
		snp-set-config --yes --reported-tcb ffffffffffffffff
	head -c 432 /dev/zero > "$W/stick"
	platform_model_refuses "vlek-load" "SNP_VLEK_LOAD failed: firmware status SEV_RET_BAD_SVN \(0x21\): the firmware model holds no VLEK" \
		vlek-load --yes --hashstick "$W/stick"
	head -c 2084 /dev/zero > "$W/zero.cert"
	platform_model_refuses "pek-cert-import of no certificate" "SEV_PEK_CERT_IMPORT failed: .*SEV_RET_INVALID_CERTIFICATE \(0x06\)$" \
		pek-cert-import --yes --pek "$W/zero.cert" --oca "$W/zero.cert"
	expect_error "platform export --full on /dev/sev" 4 "^sevboot: platform export: " -- platform export --full --out "$W/full.bin"
	# check: exit 0 only when the mode can launch; here there is no SEV.
	"$SB" check --mode sev-es > "$W/out" 2>&1
	local rc=$?
	if [ -e /dev/sev ]; then
		skipped "check without SEV: this machine has /dev/sev"
	elif [ "$rc" -eq 4 ] && grep -qE '^SEV-ES +no: ' "$W/out"; then
		ok "check --mode sev-es (exit 4): $(cat "$W/out")"
	else
		bad "check --mode sev-es: exit $rc: $(head -c 300 "$W/out")"
	fi
	if "$SB" check --json > "$W/out" 2>&1; [ $? -eq 4 ] &&
	   grep -q '"sev":{"ok":false' "$W/out" && grep -q '"ok":false}$' "$W/out"; then
		ok "check --json (exit 4)"
	else
		bad "check --json: $(head -c 300 "$W/out")"
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
	# A FIFO nobody writes to: refused at once, never waited on.
	mkfifo "$W/fifo"
	head -c 2084 /dev/urandom > "$W/raw.cert"
	head -c 96 /dev/urandom > "$W/raw.idblock"
	mkdir "$W/fifokeys" && mkfifo -m 600 "$W/fifokeys/pdh.key"
	if [ -e /dev/kvm ]; then
		skipped "--serial-in FIFO without a writer: this machine has /dev/kvm"
	else
		# Opened without waiting for a writer, so sevboot gets as far
		# as /dev/kvm.
		expect_error "--serial-in FIFO without a writer" 4 "/dev/kvm does not exist" -- --kernel "$kernel" --mem 64M --serial-in "$W/fifo"
	fi
	expect_error "--serial-in a directory" 3 "^sevboot: --serial-in $W: is a directory; give a file, a FIFO or a terminal$" -- --kernel "$kernel" --mem 64M --serial-in "$W"
	if [ -n "$AMDSEV" ]; then
		expect_error "--dh-cert-file FIFO" 3 "^sevboot: --dh-cert-file $W/fifo: is a pipe \(FIFO\), not a regular file$" -- --policy 0x1 --sev-model --ovmf "$AMDSEV" --dh-cert-file "$W/fifo" --session-file "$W/fifo"
		expect_error "--session-file FIFO" 3 "^sevboot: --session-file $W/fifo: is a pipe \(FIFO\), not a regular file$" -- --policy 0x1 --sev-model --ovmf "$AMDSEV" --dh-cert-file "$W/raw.cert" --session-file "$W/fifo"
		expect_error "--id-block FIFO" 3 "^sevboot: --id-block $W/fifo: is a pipe \(FIFO\), not a regular file$" -- --snp --sev-model --ovmf "$AMDSEV" --id-block "$W/fifo" --id-auth "$W/fifo"
		expect_error "--id-auth FIFO" 3 "^sevboot: --id-auth $W/fifo: is a pipe \(FIFO\), not a regular file$" -- --snp --sev-model --ovmf "$AMDSEV" --id-block "$W/raw.idblock" --id-auth "$W/fifo"
		expect_error "--sev-model-keys pdh.key FIFO" 3 "^sevboot: --sev-model-keys $W/fifokeys/pdh.key: is a pipe \(FIFO\), not a regular file$" -- --policy 0x1 --sev-model --sev-model-keys "$W/fifokeys" --ovmf "$AMDSEV"
	else
		skipped "FIFOs as SEV input files need an AmdSev OVMF: $AMDSEV_WHY"
	fi
	if [ -n "$AMDSEV" ]; then
		printf 'not a certificate' > "$W/bad.cert"
		expect_error "--dh-cert-file garbage" 3 "--dh-cert-file $W/bad.cert: expected 2084 bytes \\(raw\\) or their base64" -- --policy 0x1 --sev-model --ovmf "$AMDSEV" --dh-cert-file "$W/bad.cert" --session-file "$W/bad.cert"
		expect_error "--sev-model-keys missing" 3 "--sev-model-keys $W/nokeys/pdh.key: .*sevboot model-keys" -- --policy 0x1 --sev-model --sev-model-keys "$W/nokeys" --ovmf "$AMDSEV"
		expect_error "--host-data not base64" 2 "--host-data zz: give 32 bytes in base64" -- --snp --sev-model --ovmf "$AMDSEV" --host-data zz
	else
		skipped "SEV input checks with an AmdSev OVMF: $AMDSEV_WHY"
	fi
	# The trust commands (their good paths: tests/integration/trust.sh).
	head -c 1184 /dev/zero > "$W/zero-report.bin"
	{ printf '\x02'; head -c 1183 /dev/zero; } > "$W/v2-report.bin"
	head -c 4096 /dev/zero | tr '\0' x > "$W/xxx.bin"
	expect_error "verify-chain without files" 2 "verify-chain: missing FILE... or --dir DIR" -- verify-chain
	expect_error "verify-chain garbage" 3 "verify-chain: $W/xxx.bin: at byte 0: neither a SEV certificate" -- verify-chain "$W/xxx.bin"
	expect_error "verify-chain empty file" 3 "verify-chain: $W/empty: .*empty" -- verify-chain "$W/empty"
	expect_error "verify-chain --at garbage" 2 "verify-chain: --at yesterday: must be YYYY-MM-DD" -- verify-chain --at yesterday "$W/xxx.bin"
	expect_error "verify-chain --dir missing" 3 "verify-chain: --dir $W/nodir: " -- verify-chain --dir "$W/nodir"
	expect_error "verify-report without --report" 2 "verify-report: missing --report FILE" -- verify-report
	expect_error "verify-report wrong size" 3 "verify-report: --report $W/xxx.bin: 4096 bytes; a report is 1184 bytes" -- verify-report --report "$W/xxx.bin"
	expect_error "verify-report --vcek garbage" 3 "verify-report: --vcek $W/xxx.bin: not an X.509 certificate" -- verify-report --report "$W/v2-report.bin" --vcek "$W/xxx.bin"
	expect_error "verify-report without a VCEK" 2 "verify-report: an SNP report is checked with the VCEK or VLEK" -- verify-report --report "$W/v2-report.bin"
	expect_error "verify-report --measurement short" 2 "verify-report: --measurement abcd: must be 48 bytes" -- verify-report --report "$W/v2-report.bin" --measurement abcd
	expect_error "verify-report version 0" 3 "verify-report: --report $W/zero-report.bin: report version 0" -- verify-report --report "$W/zero-report.bin" --vcek "$W/xxx.bin"
	{ head -c 52 /dev/zero; printf '\x02\x10\x00\x00\x02'; head -c 151 /dev/zero; } > "$W/sev-report.bin"
	expect_error "verify-report SEV without --chain" 2 "verify-report: a SEV report is checked with the platform's PEK: give --chain FILE" -- verify-report --report "$W/sev-report.bin"
	expect_error "verify-report SEV --chain without a PEK" 3 "verify-report: --chain owner/roots/sev/rome/ark.cert: holds no PEK certificate" -- verify-report --report "$W/sev-report.bin" --chain owner/roots/sev/rome/ark.cert
	expect_error "verify-report SEV with --vcek" 2 "verify-report: --report $W/sev-report.bin is a SEV report" -- verify-report --report "$W/sev-report.bin" --vcek "$W/xxx.bin"
	expect_error "verify-chain --ark an ASK" 3 "verify-chain: --ark owner/roots/sev/rome/ask.cert: expected an ARK" -- verify-chain --ark owner/roots/sev/rome/ask.cert owner/roots/sev/rome/ask.cert
	expect_error "show-report version 0" 3 "show-report: $W/zero-report.bin: report version 0" -- show-report "$W/zero-report.bin"
	if [ -e /dev/kvm ]; then
		skipped "no-KVM message: this machine has /dev/kvm"
	else
		expect_error "no /dev/kvm" 4 "/dev/kvm does not exist" -- --kernel "$kernel" --mem 64M
	fi
	model_follows_the_kernel
}

# The firmware model follows the host kernel (SEVBOOT_MODEL_KERNEL stands
# in for uname's release): Linux 6.1 has no SNP, and no KVM_SEV_INIT2, so
# the model picks the legacy init there by itself, as the real launch does.
model_follows_the_kernel() {
	if [ -z "$AMDSEV" ]; then
		skipped "the model on Linux 6.1: $AMDSEV_WHY"
		return
	fi
	SEVBOOT_MODEL_KERNEL=6.1.0-28-amd64 expect_error "--snp on the model of Linux 6.1" 4 \
		"^sevboot: this host cannot run SEV-SNP guests, not even on the firmware model, which follows the host kernel: Linux 6\.1 \(uname -r 6\.1\.0-28-amd64\) has no SNP .*Linux 6\.11 or later\)$" \
		-- --snp --sev-model --ovmf "$AMDSEV"
	SEVBOOT_MODEL_BREAK=gpa expect_error "SEVBOOT_MODEL_BREAK=gpa" 2 \
		"^sevboot: SEVBOOT_MODEL_BREAK=gpa: expected uaddr or len" -- --policy 0x1 --sev-model --ovmf "$AMDSEV"
	if [ -e /dev/kvm ]; then
		skipped "the model's legacy init on Linux 6.1, outside the test host: this machine has /dev/kvm (the launch would run)"
		return
	fi
	SEVBOOT_MODEL_KERNEL=6.1.0-28-amd64 "$SB" --policy 0x5 --sev-model --ovmf "$AMDSEV" >"$W/out" 2>"$W/err"
	if grep -qx "sevboot: this kernel has no KVM_SEV_INIT2: using the legacy KVM_SEV_ES_INIT" "$W/err" &&
	   grep -q "SEV-ES launch, 1 vCPU, .*legacy KVM_SEV_ES_INIT" "$W/err"; then
		ok "SEV-ES on the model of Linux 6.1 picks the legacy KVM_SEV_ES_INIT and says so"
	else
		bad "SEV-ES on the model of Linux 6.1: $(head -c 400 "$W/err")"
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
AMDSEV="" AMDSEV_WHY=""
for f in "$SHARED/firmware/OVMF.amdsev.sid.fd" "$B/firmware/OVMF.amdsev.fd"; do
	[ -f "$f" ] && { AMDSEV=$f; break; }
done
[ -n "$AMDSEV" ] || AMDSEV_WHY="no OVMF.amdsev: neither $SHARED/firmware/OVMF.amdsev.sid.fd nor $B/firmware/OVMF.amdsev.fd (firmware-blobs/get-ovmf-amdsev) exists"

G=/payload/guest
STRACE=$(command -v strace || true)
KARGS="--kernel $G/vmlinuz --initrd $G/initrd.gz --mem 256M"
APP="console=ttyS0 loglevel=4 panic=-1"

# ------------------------------------------------------ the hostile guest
# The guest's /init runs tests/guest/hostile.c for HOSTILE_SECONDS: random
# writes and reads at every port sevboot decodes and many it does not, PCI
# configuration cycles, fw_cfg selectors and DMA descriptors, MMIO in the
# PCI hole and device range; then it powers off by ACPI itself.  sevboot
# must exit 0 and print its exit statistics, and its stderr must hold no
# sanitizer report.  Seed 0: the guest picks one and prints it; give it as
# HOSTILE_SEED to replay the storm.
HOSTILE_SECONDS=${HOSTILE_SECONDS:-20}
HOSTILE_SEED=${HOSTILE_SEED:-0}
ASAN_SB="$B/asan/bin/sevboot"
# `make static`: the sevboot that goes into a nested guest's initrd.
STATIC_SB="$B/static/bin/sevboot"
SANITIZER_RE='ERROR: (Address|Leak)Sanitizer|runtime error:|SUMMARY: [A-Za-z]*Sanitizer'

# hostile_cmd NAME SEVBOOT_ARGS: shell lines for one storm, sevboot's
# stderr kept (less the -v lines naming each unhandled port once: the storm
# touches thousands) and the guest's serial output filtered to its lines.
hostile_cmd() {
	local name=$1
	shift
	cat <<EOS
echo CASE-BEGIN $name
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
s=\$(cut -d" " -f1 /proc/uptime)
sevboot -v --serial /tmp/$name.serial $* --smp 2 --timeout 300 --append "$APP sevtest.action=hostile:$HOSTILE_SECONDS:$HOSTILE_SEED" </dev/null 2>/tmp/$name.err; rc=\$?
e=\$(cut -d" " -f1 /proc/uptime)
grep -a 'HOSTILE:\|SEVBOOT-GUEST\|Kernel panic' /tmp/$name.serial | tr -d '\033' | cut -c1-300 | sed 's/^/  guest| /'
grep -av 'unhandled port' /tmp/$name.err | cut -c1-300 | sed 's/^/  sevboot| /'
echo "  sevboot| (\$(grep -c 'unhandled port' /tmp/$name.err) lines naming unhandled ports left out)"
echo "CASE-END $name rc=\$rc uptime \${s}s->\${e}s"
EOS
}

# check_hostile LOG NAME [REGEX...]: exit 0 after the storm began, the
# exit statistics with I/O and MMIO exits, the storm's own end (its
# summary or its after-the-storm line: the storm writes to the UART too,
# and once garbled the first line after it), no sanitizer report, and
# every REGEX.
check_hostile() {
	local log=$1 name=$2 block re failed=$fail
	shift 2
	check_case "$log" "$name" 0 'HOSTILE: seed [0-9]+'
	[ "$fail" -eq "$failed" ] || return
	block=$(sed -n "/^CASE-BEGIN $name\$/,/^CASE-END $name /p" "$log")
	if printf '%s\n' "$block" | grep -qaE "$SANITIZER_RE"; then
		bad "$name: sanitizer report: $(printf '%s\n' "$block" | grep -aE "$SANITIZER_RE" | head -n 3)"
		return
	fi
	for re in 'sevboot: exits by kind: io [1-9][0-9]*, mmio [1-9][0-9]*' \
		'HOSTILE: (done after [0-9]+ s|after the storm: fw_cfg)' 'HOSTILE: powering off' "$@"; do
		if ! printf '%s\n' "$block" | grep -qaE -- "$re"; then
			bad "$name: no line matches /$re/"
			return
		fi
	done
	ok "$name: storm survived, no sanitizer report ($(printf '%s\n' "$block" | grep -aoE 'exits by kind: .*' | head -n 1))"
}

# fw_cfg exists only under OVMF: its DMA worked before and after the storm,
# descriptors went in and out of RAM, and each in RAM was completed.
HOSTILE_OVMF_RE=('self-check before: ok' 'after the storm: fw_cfg answers; DMA self-check ok'
	'DMA \([1-9][0-9]* into RAM, [1-9][0-9]* outside' ', 0 bad DMA status')

hostile_guests() {
	hostile_cmd hostile-ovmf "--ovmf $G/OVMF.fd $KARGS" > "$W/hostile-ovmf.cmds"
	run_testhost hostile-ovmf "$W/hostile-ovmf.log" "$W/hostile-ovmf.cmds" --single
	check_hostile "$W/hostile-ovmf.log" hostile-ovmf "${HOSTILE_OVMF_RE[@]}"
	if [ ! -x "$ASAN_SB" ]; then
		skipped "the hostile guest under ASan+UBSan: $ASAN_SB is not built (make asan)"
		return
	fi
	hostile_cmd hostile-asan-direct "$KARGS" > "$W/hostile-asan.cmds"
	run_testhost hostile-asan-direct "$W/hostile-asan.log" "$W/hostile-asan.cmds" --sevboot "$ASAN_SB"
	check_hostile "$W/hostile-asan.log" hostile-asan-direct
	hostile_cmd hostile-asan-ovmf "--ovmf $G/OVMF.fd $KARGS" > "$W/hostile-asan-ovmf.cmds"
	run_testhost hostile-asan-ovmf "$W/hostile-asan-ovmf.log" "$W/hostile-asan-ovmf.cmds" --single --sevboot "$ASAN_SB"
	check_hostile "$W/hostile-asan-ovmf.log" hostile-asan-ovmf "${HOSTILE_OVMF_RE[@]}"
}

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
$sb --serial /tmp/limit.out $KARGS --serial-limit 8K --timeout 300 --append "$APP sevtest.action=flood:300" </dev/null 2>/tmp/limit.err; rc=\$?
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
		# The run loop confined (vmm/confine.c): -v says so, the guest
		# boots and powers off under the filter.
		case_cmd direct-seccomp "$KARGS --smp 2 -v --append \"$APP sevtest.action=poweroff\""
		# The timeline of a plain boot: --mark, --json-events on a
		# descriptor, --timing-json and --timing-csv.
		case_cmd direct-timeline "$KARGS --mark SEVBOOT-GUEST-MARKER --json-events 3 --timing-json /tmp/d.json --timing-csv /tmp/d.csv --append \"$APP sevtest.action=poweroff\" 3>/tmp/d.events"
		echo 'sed "s/^/DEVENT /" /tmp/d.events; echo "DTIMING $(cat /tmp/d.json)"; sed "s/^/DCSV /" /tmp/d.csv'
		# --stop-at-mark ends a guest that would hang after its marker.
		case_cmd direct-stop-at-mark "$KARGS --mark SEVBOOT-GUEST-MARKER --stop-at-mark --timeout 300 --append \"$APP sevtest.action=hang\""
		case_cmd direct-4g "--kernel $G/vmlinuz --initrd $G/initrd.gz --mem 4G --append \"$APP sevtest.action=poweroff\""
		case_cmd direct-reboot "$KARGS --append \"$APP sevtest.action=reboot\""
		case_cmd direct-debugexit "$KARGS --append \"$APP sevtest.action=exit:5\""
		case_cmd triple-fault "--kernel $G/fault.bin --mem 64M"
		case_cmd timeout "$KARGS --timeout 2 --append \"$APP sevtest.action=hang\""
		case_cmd sev-es-no-sev "--ovmf $G/OVMF.fd $KARGS --policy 0x5"
		# The test host runs Linux 6.12, whose snp_launch_start()
		# demands SMT allowed (bit 16): refused before anything starts.
		case_cmd snp-policy-smt "--ovmf $G/OVMF.fd $KARGS --snp --snp-policy 0x20000 --sev-model"
		hostile_cmd hostile-direct "$KARGS"
		# sevboot inside a plain (no SEV) guest: the static build in
		# the guest's initrd (scripts/testhost/run --guest-sevboot);
		# guest report and check each say so (guest-init, action
		# sevboot).
		[ -x "$STATIC_SB" ] &&
			case_cmd sevboot-in-guest "--kernel $G/vmlinuz --initrd $G/initrd-sevboot.gz --mem 256M --append \"$APP sevtest.action=sevboot\""
		# No guest: the platform and the host check on real KVM
		# without SEV (no /dev/sev in the test host).
		cat <<EOS
echo CASE-BEGIN platform-no-sev
sevboot platform status </dev/null; rc=\$?
echo "CASE-END platform-no-sev rc=\$rc"
echo CASE-BEGIN check-no-sev
sevboot check --mode sev-es </dev/null; rc=\$?
echo "CASE-END check-no-sev rc=\$rc"
echo CASE-BEGIN platform-model
sevboot model-keys /tmp/pm >/dev/null && sevboot platform status --sev-model /tmp/pm </dev/null; rc=\$?
echo "CASE-END platform-model rc=\$rc"
EOS
		# SIGTERM during an SEV launch on the model: strace delivers it
		# at sevboot's first madvise (guest RAM mapped, right after
		# INIT2), so it is pending at the next firmware command: the
		# launch stops before LAUNCH_START, exit 143, --timing-json
		# whole (LAUNCH_START held back: no ioctl).
		if [ -n "$STRACE" ]; then
			cat <<EOS
echo CASE-BEGIN launch-sigterm
strace -f -qq -o /dev/null -e trace=madvise -e inject=madvise:signal=SIGTERM:when=1 sevboot --ovmf $G/OVMF.fd --mem 256M --policy 0x1 --sev-model --timeout 60 --timing-json /tmp/stop.json </dev/null; rc=\$?
echo "STOP-JSON \$(cat /tmp/stop.json 2>/dev/null || echo none)"
echo "CASE-END launch-sigterm rc=\$rc"
EOS
		fi
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
		# Kernel and initrd truncated (a `cp` over them) after sevboot
		# loaded them and before the guest has them: sevboot serves its
		# own copy.  It waits in open() for the reader of its --serial
		# FIFO (openat, syscall 257, in /proc/PID/syscall) until both
		# files are emptied.  Before the copy: SIGBUS, exit 135.
		cat <<EOS
echo CASE-BEGIN inputs-truncated
cp $G/vmlinuz /tmp/t-vmlinuz; cp $G/initrd.gz /tmp/t-initrd.gz; mkfifo /tmp/t.fifo
sevboot --serial /tmp/t.fifo --kernel /tmp/t-vmlinuz --initrd /tmp/t-initrd.gz --mem 256M --append "$APP sevtest.action=poweroff" </dev/null & pid=\$!
n=0; until [ "\$(cut -d' ' -f1 /proc/\$pid/syscall 2>/dev/null)" = 257 ] || [ \$n -ge 120 ]; do sleep 1; n=\$((n + 1)); done
: > /tmp/t-initrd.gz; : > /tmp/t-vmlinuz; echo "TRUNCATED sizes \$(wc -c < /tmp/t-vmlinuz) \$(wc -c < /tmp/t-initrd.gz)"
cat /tmp/t.fifo > /tmp/inputs-truncated.serial & cat=\$!
wait \$pid; rc=\$?; wait \$cat
tr -d "\\033" < /tmp/inputs-truncated.serial | sed "s/^/  guest| /"
echo "CASE-END inputs-truncated rc=\$rc"
EOS
	} > "$W/direct.cmds"
	run_testhost direct "$W/direct.log" "$W/direct.cmds" ${STRACE:+--bin "$STRACE"} \
		$([ -x "$STATIC_SB" ] && echo --guest-sevboot "$STATIC_SB")
	check_case "$W/direct.log" direct-poweroff 0 'SEVBOOT-GUEST-MARKER .*boot=direct'
	check_case "$W/direct.log" direct-smp2 0 'SEVBOOT-GUEST-MARKER .*cpus=2 online=0-1'
	check_case "$W/direct.log" direct-seccomp 0 'sevboot: seccomp: on: the run loop may make [0-9]+ kinds of system call'
	# RAM above the PCI hole (3 GiB low + 1 GiB from 4 GiB up) is usable.
	check_case "$W/direct.log" direct-timeline 0 'SEVBOOT-GUEST-MARKER .*boot=direct'
	check_events "$W/direct.log" DEVENT "mark guest-stop exit " \
		'^DEVENT \{"event":"mark","t_ns":[0-9]+,"regex":"SEVBOOT-GUEST-MARKER"\}$' \
		'^DEVENT \{"event":"guest-stop","t_ns":[0-9]+,"reason":"poweroff"\}$' \
		'^DEVENT \{"event":"exit","t_ns":[0-9]+,"code":0\}$'
	sev_log_has "$W/direct.log" "direct-timeline: --timing-json and --timing-csv of a plain boot, its milestones, under 1 % unattributed" \
		'DTIMING \{"mode":"plain","steps":\[\],"schema":"sevboot-timing","schema_version":1,' \
		'DTIMING .*"transport":"none","mode":"plain"' 'DTIMING .*"unattributed_ppm":[0-9]{1,4},' \
		'DTIMING .*"name":"first KVM_RUN"' 'DTIMING .*"name":"first serial byte"' \
		'DTIMING .*"name":"mark","detail":"SEVBOOT-GUEST-MARKER"' '^DCSV kind,name,detail,depth,start_ns' \
		'^DCSV phase,guest run,,0,[0-9]+,[0-9]+,[0-9]+,0,,$'
	check_case "$W/direct.log" direct-stop-at-mark 0 'SEVBOOT-GUEST-MARKER .*boot=direct'
	check_case "$W/direct.log" direct-4g 0 'SEVBOOT-GUEST-MARKER .*memkb=(3[5-9]|40)[0-9]{5} '
	check_case "$W/direct.log" direct-reboot 10 'SEVBOOT-GUEST-MARKER'
	check_case "$W/direct.log" direct-debugexit 69 'SEVBOOT-GUEST-MARKER'
	check_case "$W/direct.log" triple-fault 11
	check_case "$W/direct.log" timeout 124
	# Real KVM, no SEV (kvm_amd sev=N): the documented message and code.
	check_case "$W/direct.log" serial-in 0 'SEVBOOT-GUEST-GOT: typed-by-the-host'
	check_case "$W/direct.log" inputs-truncated 0 'SEVBOOT-GUEST-MARKER .*boot=direct'
	sev_log_has "$W/direct.log" "inputs-truncated: both files were emptied while sevboot held them" 'TRUNCATED sizes 0 0'
	check_case "$W/direct.log" sev-es-no-sev 4 'sevboot: this host cannot run SEV-ES guests: .*(0x8000001f|sev=N|/dev/sev)'
	check_case "$W/direct.log" snp-policy-smt 2 'sevboot: --snp-policy: SNP policy 0x20000 lacks bit 16 \(SMT allowed\)'
	check_hostile "$W/direct.log" hostile-direct
	if [ -x "$STATIC_SB" ]; then
		check_case "$W/direct.log" sevboot-in-guest 0 'SEVBOOT-GUEST-SEVBOOT guest-report rc=4 lines=1 report=none'
		sev_log_has "$W/direct.log" "sevboot-in-guest: guest report says in one line that there is no /dev/sev-guest (exit 4); check exits 4, SEV-ES no" \
			'guest\| SEVBOOT-GUEST-SB\| sevboot: guest report: this is not an SEV-SNP guest: neither /dev/sev-guest nor /sys/kernel/config/tsm/report exists \(or the sev-guest driver is not loaded\)$' \
			'guest\| SEVBOOT-GUEST-SEVBOOT check rc=4 ' \
			'guest\| SEVBOOT-GUEST-SB\| SEV-ES +no: this CPU does not report SEV'
	else
		skipped "sevboot-in-guest: $STATIC_SB is not built (make static)"
	fi
	check_case "$W/direct.log" platform-no-sev 4 'sevboot: platform status: /dev/sev does not exist: the ccp driver is not loaded or the PSP is not enabled'
	check_case "$W/direct.log" check-no-sev 4 'SEV-ES +no: this CPU .*0x8000001f'
	check_case "$W/direct.log" platform-model 0 'guests +0'
	sev_log_has "$W/direct.log" "platform-model: state, API version, build, owner" \
		'state +UNINIT \(0\)' 'api +1\.55' 'build +25' 'owner +self-owned'
	if [ -n "$STRACE" ]; then
		check_case "$W/direct.log" launch-sigterm 143 'sevboot: stopped by signal 15 \(Terminated\): the launch was stopped before LAUNCH_START'
		sev_log_has "$W/direct.log" "launch-sigterm: --timing-json written whole, LAUNCH_START not issued" \
			'STOP-JSON \{"mode":"sev","steps":\[\{"step":"INIT2".*"ret":0,.*\{"step":"LAUNCH_START".*"ret":-4,"fw_status":"SEV_RET_NO_FW_CALL","ioctls":0\}\],"schema":"sevboot-timing".*"exit_code":143'
	else
		skipped "launch-sigterm: strace is not installed here (it delivers the signal mid-launch)"
	fi
	# The stalled-output cases get a test host of their own: together
	# they run about two minutes of guest time, which the direct block's
	# 900 s bound did not always leave them under TCG.
	stall_cases sevboot > "$W/console.cmds"
	run_testhost console "$W/console.log" "$W/console.cmds"
	# A stalled output (a FIFO nobody reads) stops neither --timeout nor
	# SIGTERM; the flush at the stop gives up and says so.
	check_case "$W/console.log" stalled-timeout 124 'serial output: the guest wrote [1-9][0-9]* bytes, 0 written, .* [1-9][0-9]* not written at the stop'
	check_case "$W/console.log" stalled-sigterm 143 'serial output: the guest wrote [1-9][0-9]* bytes, 0 written, .* [1-9][0-9]* not written at the stop'
	sev_log_has "$W/console.log" "stalled output: the stop gave up and said so" \
		'serial output: gave up [0-9.]+ s after the stop, [0-9]+ bytes not written'
	# --serial-limit: exactly 8 KiB of the guest's 300 flood lines (about
	# 30 KiB) written, said once, the guest runs on to its poweroff (an
	# endless flood to --timeout cost minutes of nested TCG time).
	check_case "$W/console.log" serial-limit 0 'CASE-END serial-limit rc=0 output=8192 bytes, [1-9][0-9]* flood lines'
	sev_log_has "$W/console.log" "serial-limit: said once" \
		'stderr\| sevboot: serial output reached --serial-limit 8K; the rest is discarded \(the guest keeps running\)'

	# --timeout: a stalled guest ends as exit 124 with its log, not as a
	# test host killed from outside.
	case_cmd ovmf-poweroff "--ovmf $G/OVMF.fd $KARGS --timeout 300 --append \"$APP sevtest.action=poweroff\"" > "$W/ovmf.cmds"
	run_testhost ovmf "$W/ovmf.log" "$W/ovmf.cmds" --single --timeout 900
	check_case "$W/ovmf.log" ovmf-poweroff 0 'SEVBOOT-GUEST-MARKER .*boot=efi'

	case_cmd ovmf-smp2 "--ovmf $G/OVMF.fd $KARGS --smp 2 --timeout 300 --append \"$APP sevtest.action=reboot\"" > "$W/ovmf2.cmds"
	run_testhost ovmf-smp2 "$W/ovmf2.log" "$W/ovmf2.cmds" --single
	check_case "$W/ovmf2.log" ovmf-smp2 10 'SEVBOOT-GUEST-MARKER .*cpus=2 online=0-1 .*boot=efi'
	hostile_guests
	if [ -n "$AMDSEV" ]; then
		sev_model_guests
		id_block_guests
		attest_guests
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
		'LAUNCH_UPDATE_DATA +firmware +4194304' 'LAUNCH_UPDATE_DATA +kernel hashes +176' \
		'the firmware model follows the kernel rules of Linux 6\.[0-9]+ \(uname -r '
	sev_log_has "$W/sev.log" "SEV: --self-session exported the PDH and checked with its own TIK" \
		'PDH_CERT_EXPORT' "launch measurement verified: the firmware measured the expected digest \\(checked with sevboot's own session\\)"
	sev_log_has "$W/sev.log" "SEV: --timing-json has every command with CLOCK_MONOTONIC times" \
		'TIMING-JSON \{"mode":"sev","steps":\[\{"step":"INIT2".*"step":"LAUNCH_MEASURE".*"step":"LAUNCH_FINISH".*"duration_ns".*"schema":"sevboot-timing"'

	# SEV-ES with two vCPUs: the VMSAs come from the vCPUs' registers.
	case_cmd sev-model-es-smp2 "$SEVARGS --policy 0x5 --smp 2 --append \"$APP sevtest.action=poweroff\"" > "$W/es.cmds"
	run_testhost sev-model-es-smp2 "$W/es.log" "$W/es.cmds" --single "${tf[@]}"
	check_case "$W/es.log" sev-model-es-smp2 0 'SEVBOOT-GUEST-MARKER .*cpus=2 online=0-1 .*boot=efi'
	sev_log_has "$W/es.log" "SEV-ES: measurement verified" 'SEV-ES launch, 2 vCPUs' 'launch measurement verified'

	# SNP: firmware pages, metadata pages, CPUID page, VMSA at FINISH;
	# the events a CI script reads (--json-events on descriptor 3), the
	# guest's marker as a --mark, and the whole timeline.
	{
		case_cmd sev-model-snp "$SEVARGS --snp -v --mark SEVBOOT-GUEST-MARKER --json-events 3 --timing-json /tmp/snp.json --append \"$APP sevtest.action=poweroff\" 3>/tmp/ev.jsonl"
		echo 'sed "s/^/EVENT /" /tmp/ev.jsonl'
		echo 'echo "SNP-TIMING $(cat /tmp/snp.json)"'
	} > "$W/snp.cmds"
	run_testhost sev-model-snp "$W/snp.log" "$W/snp.cmds" --single "${tf[@]}"
	check_case "$W/snp.log" sev-model-snp 0 'SEVBOOT-GUEST-MARKER .*boot=efi'
	sev_log_has "$W/snp.log" "SNP: every page type, digest verified" \
		'expected launch digest: [0-9a-f]{96}' 'SNP_LAUNCH_UPDATE +CPUID +4096' 'SNP_LAUNCH_UPDATE +SNP_SECRETS' \
		'SNP_LAUNCH_UPDATE +KERNEL_HASHES' 'firmware model measured the expected digest' \
		'the firmware model follows the kernel rules of Linux 6\.[0-9]+ \(uname -r '
	check_events "$W/snp.log" EVENT "expected-digest finish measurement mark guest-stop exit " \
		'^EVENT \{"event":"expected-digest","t_ns":[0-9]+,"mode":"snp","digest":"[0-9a-f]{96}"\}$' \
		'^EVENT \{"event":"measurement",.*"checked_by":"sevboot","verified":true\}$' \
		'^EVENT \{"event":"mark","t_ns":[0-9]+,"regex":"SEVBOOT-GUEST-MARKER"\}$' \
		'^EVENT \{"event":"guest-stop","t_ns":[0-9]+,"reason":"poweroff"\}$' \
		'^EVENT \{"event":"exit","t_ns":[0-9]+,"code":0\}$'
	sev_log_has "$W/snp.log" "SNP: --timing-json has the header, every phase, the marker, and under 1 % unattributed" \
		'SNP-TIMING \{"mode":"snp","steps":\[.*"schema":"sevboot-timing","schema_version":1,"header":\{"sevboot_version":' \
		'SNP-TIMING .*"transport":"model","mode":"snp".*"inputs":\[\{"option":"--ovmf".*"sha256":"[0-9a-f]{64}"' \
		'SNP-TIMING .*"unattributed_ppm":[0-9]{1,4},' \
		'SNP-TIMING .*"name":"SNP_LAUNCH_FINISH"' \
		'SNP-TIMING .*"name":"mark","detail":"SEVBOOT-GUEST-MARKER"' \
		'SNP-TIMING .*"name":"first KVM_RUN"' 'SNP-TIMING .*"name":"first serial byte"'

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
		# The model's kernel-rules layer: a host address the kernel
		# cannot pin or read, or a length 8 bytes short, fails the
		# first memory command with the kernel's errno (no vCPU runs).
		for b in uaddr len; do
			echo "echo CASE-BEGIN break-$b-sev"
			echo "SEVBOOT_MODEL_BREAK=$b sevboot $SEVARGS --policy 0x1 --append \"$APP\" </dev/null; echo \"CASE-END break-$b-sev rc=\$?\""
			echo "echo CASE-BEGIN break-$b-snp"
			echo "SEVBOOT_MODEL_BREAK=$b sevboot $SEVARGS --snp --append \"$APP\" </dev/null; echo \"CASE-END break-$b-snp rc=\$?\""
		done
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
	model_breaks "$W/refuse.log"
}

# ------------------------------------- attestation with the model's identity
# The guest owner's whole trust flow on the model: its state directory
# (sevboot model-keys), the chain it exports checked with verify-chain and
# the model's own ARK, a session for its PDH, the launch stopped for the
# owner on the socket, QEMU's query-sev-attestation-report (sevboot owner
# --attest), and the report checked with verify-report against the digest
# the owner computed with sevboot measure.  SNP: the model-signed report
# (query-snp-attestation-report) against the VCEK chain and measure's
# digest.  Each in a test host of its own.  The guest runs for 3 s only
# (--timeout 3, exit 124): the launch is what is tested here, and QEMU's
# TCG died during every one of nine full OVMF boots of these cases on a
# loaded machine (load 12-14 on 2 cores), each time after the report had
# been fetched and verified.
attest_guests() {
	local tf=(--file "$AMDSEV:guest/amdsev.fd")
	local SEVARGS="--ovmf $A $KARGS --sev-model --timeout 3"
	local mkargs aapp="$APP sevtest.action=poweroff"

	mkargs=$(printf '%s' "$KARGS" | sed 's/--mem [^ ]*//')
	cat > "$W/attest-sev.cmds" <<EOS
echo CASE-BEGIN attest-sev
sevboot model-keys /tmp/mk; echo "MODEL-KEYS rc=\$?"
sevboot verify-chain --ark /tmp/mk/ark.cert /tmp/mk/sev-chain.cert; echo "CHAIN rc=\$?"
sevboot verify-chain /tmp/mk/sev-chain.cert >/dev/null; echo "CHAIN-AMD rc=\$?"
sevboot session --pdh /tmp/mk/pdh.cert --policy 0x1 --out /tmp/own; echo "SESSION rc=\$?"
d=\$(sevboot measure --mode sev --ovmf $A $mkargs --append "$aapp"); echo "OWNER-DIGEST \$d"
sevboot --serial /tmp/att.serial $SEVARGS --policy 0x1 --sev-model-keys /tmp/mk --dh-cert-file /tmp/own/godh.cert --session-file /tmp/own/session.bin --owner-socket /tmp/att.sock --owner-timeout 200 --append "$aapp" </dev/null & pid=\$!
n=0; until [ -S /tmp/att.sock ] || [ \$n -ge 100 ]; do sleep 1; n=\$((n + 1)); done
sevboot owner --connect /tmp/att.sock --session /tmp/own --digest \$d --attest /tmp/att.report 2>/tmp/owner.err; echo "OWNER-CLIENT rc=\$?"
cat /tmp/owner.err
mn=\$(sed -n 's/.*mnonce \\([0-9a-f]\\{32\\}\\)).*/\\1/p' /tmp/owner.err)
sevboot show-report /tmp/att.report | sed "s/^/  report| /"
sevboot verify-report --report /tmp/att.report --chain /tmp/mk/sev-chain.cert --ark /tmp/mk/ark.cert --measurement \$d --policy 0x1 --mnonce "\$mn"; echo "VERIFY rc=\$?"
sevboot verify-report --report /tmp/att.report --chain /tmp/mk/sev-chain.cert --ark /tmp/mk/ark.cert --mnonce $(printf '0%.0s' $(seq 32)) >/dev/null; echo "VERIFY-OTHER-MNONCE rc=\$?"
sevboot verify-report --report /tmp/att.report --chain /tmp/mk/sev-chain.cert --ark /tmp/mk/ark.cert --measurement $(printf '0%.0s' $(seq 64)) >/dev/null; echo "VERIFY-OTHER-DIGEST rc=\$?"
cp /tmp/att.report /tmp/bad.report; printf '\\001' | dd of=/tmp/bad.report bs=1 seek=40 conv=notrunc 2>/dev/null
sevboot verify-report --report /tmp/bad.report --chain /tmp/mk/sev-chain.cert --ark /tmp/mk/ark.cert >/dev/null; echo "VERIFY-TAMPERED rc=\$?"
wait \$pid; rc=\$?
tr -d "\033" < /tmp/att.serial | sed "s/^/  guest| /"; echo
echo "CASE-END attest-sev rc=\$rc"
EOS
	run_testhost attest-sev "$W/attest-sev.log" "$W/attest-sev.cmds" --single "${tf[@]}"
	check_case "$W/attest-sev.log" attest-sev 124
	sev_log_has "$W/attest-sev.log" "attest-sev: the model's chain verifies with its ARK, not with AMD's" \
		'MODEL-KEYS rc=0' 'verified: all 7 checks hold' 'CHAIN rc=0' 'CHAIN-AMD rc=5' 'SESSION rc=0'
	sev_log_has "$W/attest-sev.log" "attest-sev: query-sev-attestation-report on the owner socket, the report written" \
		'the guest owner asked for the SEV attestation report' 'the attestation report \(208 bytes, mnonce [0-9a-f]{32}\) is in /tmp/att.report' \
		'OWNER-CLIENT rc=0'
	local d
	d=$(sed -n 's/^OWNER-DIGEST \([0-9a-f]\{64\}\)$/\1/p' "$W/attest-sev.log")
	sev_log_has "$W/attest-sev.log" "attest-sev: verify-report: PEK signature, chain, the owner's digest" \
		"ok +launch digest: ${d:-no-OWNER-DIGEST-line}" 'ok +signature: ECDSA P-384 by the PEK' 'ok +mnonce: [0-9a-f]{32}' \
		'VERIFY rc=0' 'VERIFY-OTHER-MNONCE rc=5' \
		'VERIFY-OTHER-DIGEST rc=5' 'VERIFY-TAMPERED rc=5' 'timeout: the guest was stopped'

	cat > "$W/attest-snp.cmds" <<EOS
echo CASE-BEGIN attest-snp
sevboot model-keys /tmp/mk; echo "MODEL-KEYS rc=\$?"
sevboot verify-chain --ark /tmp/mk/snp-ark.pem /tmp/mk/cert_chain.pem /tmp/mk/vcek.der; echo "CHAIN rc=\$?"
m=\$(sevboot measure --mode snp --ovmf $A $mkargs --append "$aapp"); echo "OWNER-MEASUREMENT \$m"
sevboot --serial /tmp/att.serial $SEVARGS --snp --sev-model-keys /tmp/mk --owner-socket /tmp/att.sock --owner-timeout 200 --append "$aapp" </dev/null & pid=\$!
n=0; until [ -S /tmp/att.sock ] || [ \$n -ge 100 ]; do sleep 1; n=\$((n + 1)); done
sevboot owner --connect /tmp/att.sock --attest /tmp/att.report --report-data 5e7b007e; echo "OWNER-CLIENT rc=\$?"
sevboot show-report /tmp/att.report | sed "s/^/  report| /"
sevboot verify-report --report /tmp/att.report --vcek /tmp/mk/vcek.der --chain /tmp/mk/cert_chain.pem --ark /tmp/mk/snp-ark.pem --measurement \$m --report-data 5e7b007e --policy 0x30000 --vmpl 0; echo "VERIFY rc=\$?"
sevboot verify-report --report /tmp/att.report --vcek /tmp/mk/vcek.der >/dev/null; echo "VERIFY-AMD-ROOTS rc=\$?"
wait \$pid; rc=\$?
tr -d "\033" < /tmp/att.serial | sed "s/^/  guest| /"; echo
echo "CASE-END attest-snp rc=\$rc"
EOS
	run_testhost attest-snp "$W/attest-snp.log" "$W/attest-snp.cmds" --single "${tf[@]}"
	check_case "$W/attest-snp.log" attest-snp 124
	local m
	m=$(sed -n 's/^OWNER-MEASUREMENT \([0-9a-f]\{96\}\)$/\1/p' "$W/attest-snp.log")
	sev_log_has "$W/attest-snp.log" "attest-snp: the model-signed report verifies with its VCEK chain and measure's digest" \
		'MODEL-KEYS rc=0' 'CHAIN rc=0' 'the guest owner asked for the SNP attestation report' \
		'the attestation report \(1184 bytes\) is in /tmp/att.report' 'OWNER-CLIENT rc=0' \
		"ok +measurement: ${m:-no-OWNER-MEASUREMENT-line}" 'ok +signature: ECDSA P-384 SHA-384 by the VCEK' \
		'ok +chip_id' 'ok +reported_tcb' 'VERIFY rc=0' 'VERIFY-AMD-ROOTS rc=5' 'timeout: the guest was stopped'
}

# The launches SEVBOOT_MODEL_BREAK broke on purpose: exit 5, the kernel's
# errno and the kernel function that refused, in the one error line.
model_breaks() { # log
	check_case "$1" break-uaddr-sev 5
	sev_log_has "$1" "break-uaddr-sev: an unpinnable host address is the kernel's -ENOMEM" \
		'LAUNCH_UPDATE_DATA at 0x[0-9a-f]+ .*failed: Cannot allocate memory.*-ENOMEM: LAUNCH_UPDATE_DATA: sev_pin_memory\(\) cannot pin'
	check_case "$1" break-len-sev 5
	sev_log_has "$1" "break-len-sev: a length off by 8 is the firmware's INVALID_LENGTH through -EIO" \
		'LAUNCH_UPDATE_DATA at 0x[0-9a-f]+ .*failed: Input/output error, firmware status SEV_RET_INVALID_LEN'
	check_case "$1" break-uaddr-snp 5
	sev_log_has "$1" "break-uaddr-snp: an unreadable source is kvm_gmem_populate's -EFAULT, reported as -EIO with firmware error 0" \
		'SNP_LAUNCH_UPDATE at 0x[0-9a-f]+ .*failed: the kernel failed to populate guest memory .*-EIO: SNP_LAUNCH_UPDATE: kvm_gmem_populate\(\) stops at GFN 0x[0-9a-f]+ with -EFAULT'
	check_case "$1" break-len-snp 5
	sev_log_has "$1" "break-len-snp: a length that is not page aligned is snp_launch_update's -EINVAL" \
		'SNP_LAUNCH_UPDATE at 0x[0-9a-f]+ .*failed: Invalid argument.*-EINVAL: snp_launch_update\(\): the length is not page aligned'
}

# ------------------------------------- Debian 12's default kernel (6.1)
# The test host's own kernel is Linux 6.1, what Debian 12's
# linux-image-amd64 installs: KVM has no KVM_SEV_INIT2 and no SEV VM types
# (KVM_CAP_VM_TYPES and INIT2 came in 6.8 and 6.10), kvm_amd no sev_snp
# (SNP came in 6.11).  The nested guest still runs the 6.12 kernel.
linux61_guests() {
	local why d
	if ! why=$(scripts/testhost/build "$B" 6.1 2>&1); then
		skipped "Linux 6.1 test host: $(printf '%s\n' "$why" | tail -n 1)"
		return
	fi
	[ -f "$W/fault.bin" ] || make_fault_kernel "$W/fault.bin"
	# Cases that boot no OVMF share one test host (no --single needed).
	{
		echo 'echo "HOST-KERNEL $(uname -r)"'
		case_cmd linux61-direct-poweroff "$KARGS --append \"$APP sevtest.action=poweroff\""
		# The host check on a host without SEV, with -v's kernel facts.
		case_cmd linux61-host-check "--ovmf $G/OVMF.fd $KARGS --policy 0x5 -v"
	} > "$W/l61.cmds"
	run_testhost linux61 "$W/l61.log" "$W/l61.cmds" --kernel 6.1
	sev_log_has "$W/l61.log" "Linux 6.1 test host: the test host runs Debian 12's 6.1 kernel" \
		'^HOST-KERNEL 6\.1\.'
	check_case "$W/l61.log" linux61-direct-poweroff 0 'SEVBOOT-GUEST-MARKER .*boot=direct'
	check_case "$W/l61.log" linux61-host-check 4 'sevboot: this host cannot run SEV-ES guests: '
	sev_log_has "$W/l61.log" "linux61-host-check: -v names the kernel's facts (no INIT2, no SNP)" \
		'^sevboot: host: Linux 6\.1\..*no KVM_SEV_INIT2.*no sev_snp'

	case_cmd linux61-ovmf-poweroff "--ovmf $G/OVMF.fd $KARGS --timeout 300 --append \"$APP sevtest.action=poweroff\"" > "$W/l61-ovmf.cmds"
	run_testhost linux61-ovmf "$W/l61-ovmf.log" "$W/l61-ovmf.cmds" --kernel 6.1 --single
	check_case "$W/l61-ovmf.log" linux61-ovmf-poweroff 0 'SEVBOOT-GUEST-MARKER .*boot=efi'

	if [ -z "$AMDSEV" ]; then
		skipped "linux61-snp-model, linux61-sev-model-es: $AMDSEV_WHY"
		return
	fi
	# SNP on the model follows the host kernel, and 6.1 has none: refused
	# before anything starts (first, so that it costs no OVMF boot).
	# SEV-ES on the model: on this kernel sevboot must pick the legacy
	# KVM_SEV_ES_INIT by itself, and the digest it expects must be the
	# one `sevboot measure --legacy-init` computes.
	{
		case_cmd linux61-snp-model "--ovmf $A $KARGS --snp --sev-model --timeout 120 --append \"$APP sevtest.action=poweroff\""
		printf 'd=$(sevboot measure --mode seves --legacy-init --ovmf %s %s --append "%s") && echo "MEASURE-LEGACY $d"\n' \
			"$A" "$(printf '%s' "$KARGS" | sed 's/--mem [^ ]*//')" "$APP sevtest.action=poweroff"
		case_cmd linux61-sev-model-es "--ovmf $A $KARGS --sev-model --timeout 300 --policy 0x5 -v --append \"$APP sevtest.action=poweroff\""
	} > "$W/l61-es.cmds"
	run_testhost linux61-sev-model-es "$W/l61-es.log" "$W/l61-es.cmds" --kernel 6.1 --single \
		--file "$AMDSEV:guest/amdsev.fd"
	check_case "$W/l61-es.log" linux61-snp-model 4 'SNP.*6\.1'
	check_case "$W/l61-es.log" linux61-sev-model-es 0 'SEVBOOT-GUEST-MARKER .*boot=efi'
	if grep -qxF "sevboot: this kernel has no KVM_SEV_INIT2: using the legacy KVM_SEV_ES_INIT" "$W/l61-es.log"; then
		ok "linux61-sev-model-es: sevboot chose the legacy KVM_SEV_ES_INIT by itself and said so"
	else
		bad "linux61-sev-model-es: no line 'sevboot: this kernel has no KVM_SEV_INIT2: using the legacy KVM_SEV_ES_INIT'"
	fi
	d=$(sed -n 's/^MEASURE-LEGACY \([0-9a-f]\{64\}\)$/\1/p' "$W/l61-es.log")
	sev_log_has "$W/l61-es.log" "linux61-sev-model-es: the measurement is verified and is sevboot measure --legacy-init's digest" \
		'launch measurement verified' "expected launch digest: ${d:-no-MEASURE-LEGACY-line}"
}

# ------------------------------- ID blocks and negative launches (issue 10)
# `sevboot id-block` here, where no KVM is needed: its bad inputs, and
# the digest it computes is the one `sevboot measure --mode snp` prints.
id_block_inputs() {
	local k="$W/idkeys" idb=("$SB" id-block)
	if ! command -v openssl >/dev/null; then
		skipped "sevboot id-block here: no openssl command to make test keys"
		return
	fi
	mkdir -p "$k"
	( umask 077
	  for n in id au other; do
		openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out "$k/$n.pem" 2>/dev/null
	  done
	  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$k/p256.pem" 2>/dev/null )
	cp "$k/id.pem" "$k/open.pem" && chmod 644 "$k/open.pem"
	local D=a14d638341e5674628fe1e02fbedebe5e5ab4faf1dd72d8966068e615bb99efd13d214b35c231715b38e263dc6059745
	expect_error "id-block without --id-key" 2 "^sevboot: id-block: missing --id-key PEM$" -- id-block --measurement $D
	expect_error "id-block without a digest" 2 "^sevboot: id-block: missing --measurement HEX or --ovmf FILE$" -- id-block --id-key "$k/id.pem"
	expect_error "id-block --measurement zz" 2 "^sevboot: id-block: --measurement zz: give the 48-byte SNP launch digest as 96 hex digits or base64$" -- id-block --measurement zz --id-key "$k/id.pem"
	expect_error "id-block --family-id short" 2 "^sevboot: id-block: --family-id 01: must be 16 bytes as 32 hex digits$" -- id-block --measurement $D --family-id 01 --id-key "$k/id.pem"
	expect_error "id-block key readable by others" 3 "^sevboot: id-block: --id-key $k/open.pem: .*chmod 600 it$" -- id-block --measurement $D --id-key "$k/open.pem"
	expect_error "id-block P-256 author key" 3 "^sevboot: id-block: --author-key $k/p256.pem: not a P-384 \(secp384r1\) EC key$" -- id-block --measurement $D --id-key "$k/id.pem" --author-key "$k/p256.pem"
	expect_error "id-block --out-auth in a missing directory" 1 "^sevboot: id-block: --out-auth $W/nodir/a.bin: cannot create a file there: No such file or directory$" -- id-block --measurement $D --id-key "$k/id.pem" --out-block "$W/kept.bin" --out-auth "$W/nodir/a.bin"
	if [ -e "$W/kept.bin" ] || ls "$W"/kept.bin.* >/dev/null 2>&1; then
		bad "id-block: a failed --out-auth left --out-block or a temporary behind"
	else
		ok "id-block: a failed --out-auth leaves nothing behind"
	fi
	"${idb[@]}" --measurement $D --id-key "$k/id.pem" --author-key "$k/au.pem" --out-block "$W/b.bin" --out-auth "$W/a.bin" > "$W/idb.out" 2>"$W/idb.err"
	local rc=$? b a
	b=$(sed -n 's/^id-block: //p' "$W/idb.out")
	a=$(sed -n 's/^id-auth: //p' "$W/idb.out")
	if [ $rc -eq 0 ] && [ ! -s "$W/idb.err" ] && [ "$(stat -c %s "$W/b.bin")" = 96 ] && [ "$(stat -c %s "$W/a.bin")" = 4096 ] &&
	   [ "$b" = "$(base64 -w0 < "$W/b.bin")" ] && [ "$a" = "$(base64 -w0 < "$W/a.bin")" ] &&
	   grep -qE '^id-key-digest: [0-9a-f]{96}$' "$W/idb.out" && grep -qE '^author-key-digest: [0-9a-f]{96}$' "$W/idb.out"; then
		ok "id-block: raw files of 96 and 4096 bytes, the same bytes as the base64 lines, both key digests"
	else
		bad "id-block: exit $rc, $(head -c 300 "$W/idb.err"), $(cut -c1-80 "$W/idb.out")"
	fi
	# The ID key digest is SHA-384 of the key as the auth holds it.
	if [ "$(dd if="$W/a.bin" bs=1 skip=576 count=1028 status=none | sha384sum | cut -d' ' -f1)" = \
	     "$(sed -n 's/^id-key-digest: //p' "$W/idb.out")" ]; then
		ok "id-block: id-key-digest is SHA-384 of ID_KEY (bytes 0x240..0x644 of the auth)"
	else
		bad "id-block: id-key-digest is not SHA-384 of ID_KEY"
	fi
	if [ -z "$AMDSEV" ]; then
		skipped "id-block --ovmf: $AMDSEV_WHY"
		return
	fi
	local m
	m=$("$SB" measure --mode snp --ovmf "$AMDSEV" --kernel "$B/testhost/vmlinuz" --append "console=ttyS0 x" 2>/dev/null)
	"${idb[@]}" --ovmf "$AMDSEV" --kernel "$B/testhost/vmlinuz" --append "console=ttyS0 x" --id-key "$k/id.pem" > "$W/idb2.out" 2>&1
	if [ -n "$m" ] && grep -qx "launch digest: $m" "$W/idb2.out"; then
		ok "id-block --ovmf: the digest is sevboot measure --mode snp's ($m)"
	else
		bad "id-block --ovmf: measure said '$m', id-block: $(head -c 300 "$W/idb2.out")"
	fi
}

# In the test host, on the firmware model: an SNP launch with the ID block
# sevboot id-block made boots (a test host of its own); the same files
# with one byte of the block changed, a block for another digest or policy, an ID auth whose
# signatures are by other keys, are refused at SNP_LAUNCH_FINISH; SEV
# sessions that do not fit (another PDH, a changed blob, another policy)
# are refused at LAUNCH_START.  Each refusal: exit 5, the step and the
# firmware status by name in one line.
id_block_guests() {
	local k="$W/idkeys" tf=(--file "$AMDSEV:guest/amdsev.fd")
	if [ ! -f "$k/other.pem" ]; then
		skipped "ID block launches: no test keys (openssl missing)"
		return
	fi
	for n in id au other; do tf+=(--file "$k/$n.pem:keys/$n.pem"); done
	local SNPARGS="--ovmf $A $KARGS --sev-model --timeout 300 --snp" sapp="$APP sevtest.action=poweroff"
	local IDB="sevboot id-block --ovmf $A --kernel $G/vmlinuz --initrd $G/initrd.gz --append \"$sapp\""
	local Z
	Z=$(printf '0%.0s' $(seq 96))
	# The keys, and the ID block and auth of this launch.
	local setup="cp /payload/keys/*.pem /tmp/ && chmod 600 /tmp/*.pem
$IDB --id-key /tmp/id.pem --author-key /tmp/au.pem --out-block /tmp/ok.idb --out-auth /tmp/ok.auth > /tmp/idb.out; echo \"IDBLOCK-RC \$?\"; cut -c1-120 /tmp/idb.out | sed 's/^/  id-block| /'"
	# The refusals boot no guest: one test host without --single.
	# dd_over SRC DST OFF LEN: bytes OFF..OFF+LEN of SRC over those of DST.
	{
		echo "$setup"
		echo 'dd_over() { dd if="$1" of="$2" bs=1 skip=$3 seek=$3 count=$4 conv=notrunc 2>/dev/null; }'
		# One byte of FAMILY_ID changed: the ID key's signature fails.
		echo "cp /tmp/ok.idb /tmp/flip.idb; printf '\\377' | dd of=/tmp/flip.idb bs=1 seek=48 conv=notrunc 2>/dev/null"
		case_cmd snp-idblock-flipped "$SNPARGS --id-block /tmp/flip.idb --id-auth /tmp/ok.auth --author-key-enabled --append \"$sapp\""
		# Well signed, for another launch digest; for another policy.
		echo "sevboot id-block --measurement $Z --id-key /tmp/id.pem --out-block /tmp/ld.idb --out-auth /tmp/ld.auth >/dev/null"
		case_cmd snp-idblock-digest "$SNPARGS --id-block /tmp/ld.idb --id-auth /tmp/ld.auth --append \"$sapp\""
		echo "$IDB --policy 0xb0000 --id-key /tmp/id.pem --out-block /tmp/pol.idb --out-auth /tmp/pol.auth >/dev/null"
		case_cmd snp-idblock-policy "$SNPARGS --id-block /tmp/pol.idb --id-auth /tmp/pol.auth --append \"$sapp\""
		# ID_BLOCK_SIG by another key than ID_KEY; ID_KEY_SIG by
		# another key than AUTHOR_KEY.
		echo "$IDB --id-key /tmp/other.pem --author-key /tmp/other.pem --out-block /tmp/oth.idb --out-auth /tmp/oth.auth >/dev/null"
		echo 'cp /tmp/ok.auth /tmp/idsig.auth; dd_over /tmp/oth.auth /tmp/idsig.auth 64 512'
		case_cmd snp-idauth-other-key "$SNPARGS --id-block /tmp/ok.idb --id-auth /tmp/idsig.auth --append \"$sapp\""
		echo 'cp /tmp/ok.auth /tmp/aksig.auth; dd_over /tmp/oth.auth /tmp/aksig.auth 1664 512'
		case_cmd snp-idauth-author-other-key "$SNPARGS --id-block /tmp/ok.idb --id-auth /tmp/aksig.auth --author-key-enabled --append \"$sapp\""
		# SEV: sessions that do not fit the launch.
		echo 'sevboot model-keys /tmp/mk >/dev/null && sevboot model-keys /tmp/mk2 >/dev/null && sevboot session --pdh /tmp/mk/pdh.cert --policy 0x1 --out /tmp/own >/dev/null && sevboot session --pdh /tmp/mk2/pdh.cert --policy 0x1 --out /tmp/own2 >/dev/null; echo "SESSIONS-RC $?"'
		echo 'cp /tmp/own/session.bin /tmp/tampered.bin; printf "\377" | dd of=/tmp/tampered.bin bs=1 seek=32 conv=notrunc 2>/dev/null'
		case_cmd sev-wrong-tik "--ovmf $A $KARGS --sev-model --timeout 300 --policy 0x1 --sev-model-keys /tmp/mk --dh-cert-file /tmp/own2/godh.cert --session-file /tmp/own2/session.bin --append \"$APP\""
		case_cmd sev-session-tampered "--ovmf $A $KARGS --sev-model --timeout 300 --policy 0x1 --sev-model-keys /tmp/mk --dh-cert-file /tmp/own/godh.cert --session-file /tmp/tampered.bin --append \"$APP\""
		case_cmd sev-policy-mac "--ovmf $A $KARGS --sev-model --timeout 300 --policy 0x3 --sev-model-keys /tmp/mk --dh-cert-file /tmp/own/godh.cert --session-file /tmp/own/session.bin --append \"$APP\""
	} > "$W/idblock.cmds"
	run_testhost idblock-refusals "$W/idblock.log" "$W/idblock.cmds" "${tf[@]}"
	sev_log_has "$W/idblock.log" "id-block in the test host: exit 0, both key digests" \
		'^IDBLOCK-RC 0$' 'id-block\| id-key-digest: [0-9a-f]{96}' 'id-block\| author-key-digest: [0-9a-f]{96}'
	# The one guest that boots, in a test host of its own (--single;
	# QEMU's TCG bug, when it strikes, strikes while OVMF runs).
	{
		echo "$setup"
		case_cmd snp-idblock "$SNPARGS -v --id-block /tmp/ok.idb --id-auth /tmp/ok.auth --author-key-enabled --append \"$sapp\""
	} > "$W/idblock-boot.cmds"
	run_testhost idblock-boot "$W/idblock-boot.log" "$W/idblock-boot.cmds" --single "${tf[@]}"
	check_case "$W/idblock-boot.log" snp-idblock 0 'SEVBOOT-GUEST-MARKER .*boot=efi'
	sev_log_has "$W/idblock-boot.log" "snp-idblock: SNP_LAUNCH_FINISH took the ID block, digest verified" \
		'^IDBLOCK-RC 0$' 'SNP_LAUNCH_FINISH +- +0 .* ok$' 'firmware model measured the expected digest'
	local c re
	local fin='SNP_LAUNCH_FINISH with an ID block failed: Input/output error, firmware status'
	local sig='SEV_RET_BAD_SIGNATURE \(0x0a\): the ID authentication does not verify'
	local ses='SEV_RET_BAD_MEASUREMENT \(0x0b\): the session does not fit this launch'
	for c in "snp-idblock-flipped $fin $sig" \
		"snp-idblock-digest $fin SEV_RET_BAD_MEASUREMENT \(0x0b\): the ID block's launch digest \(LD\) is not this launch's$" \
		"snp-idblock-policy $fin SEV_RET_POLICY_FAILURE \(0x07\): the ID block's POLICY is not this launch's policy$" \
		"snp-idauth-other-key $fin $sig" \
		"snp-idauth-author-other-key $fin $sig" \
		"sev-wrong-tik LAUNCH_START with policy 0x1 and a session failed: .*$ses" \
		"sev-session-tampered LAUNCH_START with policy 0x1 and a session failed: .*$ses" \
		"sev-policy-mac LAUNCH_START with policy 0x3 and a session failed: .*$ses"; do
		re=${c#* }
		c=${c%% *}
		check_case "$W/idblock.log" "$c" 5
		if sed -n "/^CASE-BEGIN $c\$/,/^CASE-END $c /p" "$W/idblock.log" | grep -qaE "^sevboot: .*$re"; then
			ok "$c: one line names the step and the status: $(sed -n "/^CASE-BEGIN $c\$/,/^CASE-END $c /p" "$W/idblock.log" | grep -aE "^sevboot: .*$re" | head -n 1 | cut -c1-300)"
		else
			bad "$c: no line matches /^sevboot: .*$re/"
		fi
	done
	sev_log_has "$W/idblock.log" "the SEV sessions were made" '^SESSIONS-RC 0$'
}

# sev_log_has LOG DESCRIPTION REGEX...: every regex matches a line of LOG.
# --json-events: one JSON object per line, each line whole (the patterns
# anchor both ends), the events in the order wanted: check_events LOG
# PREFIX "ORDER " PATTERN...
check_events() {
	local log=$1 pre=$2 want=$3 order
	shift 3
	if grep -a "^$pre " "$log" | grep -avqE "^$pre "'\{"event":"[a-z-]+","t_ns":[0-9]+(,"[a-z_]+":("[^"]*"|[0-9]+|true|false))*\}$'; then
		bad "--json-events: a line is not one flat JSON object: $(grep -a "^$pre " "$log" | head -c 400)"
		return
	fi
	order=$(grep -a "^$pre " "$log" | sed "s/^$pre {\"event\":\"\([a-z-]*\)\".*/\1/" | tr '\n' ' ')
	if [ "$order" = "$want" ]; then
		sev_log_has "$log" "--json-events: the events in order, parsed ($order)" "$@"
	else
		bad "--json-events: events '$order', want '$want'"
	fi
}

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
	platform_inputs
	id_block_inputs
	if command -v qemu-system-x86_64 >/dev/null; then
		guests
		linux61_guests
	else
		skipped "guests on KVM: qemu-system-x86_64 is not installed (scripts/setup.sh)"
	fi
fi
echo "integration: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
