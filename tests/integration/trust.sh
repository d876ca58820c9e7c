#!/bin/bash
# The trust commands through bin/sevboot (no KVM): every real chain and
# report in ../shared/testdata gets the verdict its README states
# (verify-chain, verify-report, exit 0 or 5, the failed check named),
# show-report prints the fields, and --json parses.  The refusals of bad
# input are in tests/integration/run.sh's bad_inputs.
# Ends with "N passed, N failed, N skipped"; exit status 1 on a failure.
set -u
# shellcheck source=tests/integration/common.sh
. "$(dirname "$0")/common.sh" sevboot-trust
TD="$SHARED/testdata"
V="$TD/virtee/sev"
TR="$TD/confidential-containers/trustee/deps/verifier"
GO="$TD/google/go-sev-guest/verify"

# expect NAME RC REGEX... -- ARGS...: sevboot exits RC, nothing on stderr,
# and every REGEX matches a line of its stdout.
expect() {
	local name=$1 want=$2 re
	shift 2
	local res=()
	while [ "$1" != "--" ]; do res+=("$1"); shift; done
	shift
	"$SB" "$@" >"$W/out" 2>"$W/err"
	local rc=$?
	if [ "$rc" -ne "$want" ]; then
		bad "$name: exit $rc, want $want: $(head -c 300 "$W/err") $(grep FAILED "$W/out" | head -3)"
		return
	fi
	if [ -s "$W/err" ]; then
		bad "$name: stderr: $(head -c 300 "$W/err")"
		return
	fi
	for re in "${res[@]}"; do
		if ! grep -qE -- "$re" "$W/out"; then
			bad "$name: no line matches /$re/: $(tail -n 3 "$W/out")"
			return
		fi
	done
	ok "$name (exit $rc): $(tail -n 1 "$W/out" | head -c 200)"
}

if [ ! -x "$SB" ]; then
	bad "bin/sevboot is not built (make)"
elif [ ! -d "$TD" ]; then
	skipped "trust commands on real AMD data: no $TD (SEVBOOT_SHARED)"
else
	MILAN_M=7a1e5c266c0108dbc9bb94fa926951320940915d0aafb42464bd88b579ea158d3e1a0dc39b2c60bd95b9c480cd81841f
	# SEV chains (virtee tests/naples, tests/rome) with the built-in roots.
	for gen in naples rome; do
		expect "SEV chain $gen" 0 "^SEV chain, ${gen^}" '^ok +PEK signed by CEK' '^verified: all 7 checks hold' \
			-- verify-chain "$V/tests/$gen/"{pdh,pek,oca,cek}.cert
	done
	mkdir "$W/rome"
	cp "$V/tests/rome/"*.cert "$V/src/certs/sev/builtin/rome/"{ark,ask}.cert "$W/rome/"
	expect "SEV chain --dir with ARK and ASK" 0 '^verified: all 7 checks hold' -- verify-chain --dir "$W/rome"
	expect "SEV chain --ark (Rome)" 0 '^verified' -- verify-chain --ark "$V/src/certs/sev/builtin/rome/ark.cert" "$W/rome/"{pdh,pek,oca,cek}.cert
	expect "SEV chain --ark of another generation" 5 '^FAILED +CEK signed by ASK' -- \
		verify-chain --ark "$V/src/certs/sev/builtin/milan/ark.cert" "$W/rome/"{pdh,pek,oca,cek}.cert
	expect "Naples ARK as first published (576 bytes)" 0 '^ok +ARK self-signed' -- \
		verify-chain "$V/tests/naples/ark.cert.bad" "$V/src/certs/sev/builtin/naples/ask.cert"
	cp "$V/tests/rome/pek.cert" "$W/pek.cert"
	printf '\x01' | dd of="$W/pek.cert" bs=1 seek=$((0x41c + 9)) conv=notrunc status=none
	expect "SEV chain, PEK signature changed" 5 '^FAILED +PEK signed by OCA: expected a valid signature' -- \
		verify-chain "$W/rome/"{pdh,oca,cek}.cert "$W/pek.cert"
	# SNP CA bundles and VCEKs alone.
	for f in "$V/tests/certs_data/cert_chain_milan" "$V/tests/certs_data/cert_chain_turin" \
		"$GO/trust/ask_ark_genoa.pem" "$GO/trust/ask_ark_turin_vlek.pem" \
		"$TR/src/snp/genoa_ask_ark_asvk.pem" "$V/tests/certs_data/vcek_turin.der" \
		"$TR/test_data/az-snp-vtpm/vcek-genoa.pem"; do
		expect "SNP chain $(basename "$f")" 0 '^SNP chain, (Milan|Genoa|Turin)' '^verified' -- verify-chain "$f"
	done
	expect "altered hwID VCEK (trustee)" 5 '^FAILED +VCEK signed by ASK' -- verify-chain "$TR/test_data/snp/test-vcek-invalid-new.der"
	expect "expired VLEK" 5 '^FAILED +VLEK validity: .*found it expired' 'a certificate has expired' -- verify-chain "$TR/test_data/snp/test-vlek.der"
	expect "VLEK --at inside its validity" 0 '^verified' -- verify-chain --at 2025-06-01 "$TR/test_data/snp/test-vlek.der"
	# SNP reports.
	expect "Milan report (virtee)" 0 '^SNP report v2, Milan, signed by the VCEK' '^ok +chip_id' '^ok +reported_tcb: bl 3 tee 0 snp 8 ucode 115' "^ok +measurement: $MILAN_M" -- \
		verify-report --report "$V/tests/certs_data/report_milan.hex" --vcek "$V/tests/certs_data/vcek_milan.der" \
		--chain "$V/tests/certs_data/cert_chain_milan" --measurement "$MILAN_M" --policy 0x30000 --vmpl 0
	expect "Milan report, another measurement" 5 "^FAILED +measurement: expected 00*, found $MILAN_M" 'NOT verified: 1 of' -- \
		verify-report --report "$V/tests/certs_data/report_milan.hex" --vcek "$V/tests/certs_data/vcek_milan.der" \
		--measurement "$(printf '%096d' 0)"
	expect "go-sev-guest report" 0 '^verified' -- verify-report --report "$GO/testdata/attestation.bin" --vcek "$GO/testdata/vcek.testcer" \
		--report-data 0102030405 --policy 0xb0000 --min-tcb bl=2,tee=0,snp=5,ucode=68 --host-data "$(printf '%064d' 0)"
	expect "go-sev-guest report, minimum TCB too high" 5 '^FAILED +minimum TCB: expected at least bl 2 tee 0 snp 9 ucode 68, found bl 2 tee 0 snp 5 ucode 68' -- \
		verify-report --report "$GO/testdata/attestation.bin" --vcek "$GO/testdata/vcek.testcer" --min-tcb 0x4409000000000002
	expect "trustee report" 0 '^verified' -- verify-report --report "$TR/test_data/snp/test-report.bin" --vcek "$TR/test_data/snp/test-vcek.der" \
		--family-id 01000000000000000000000000000000 --image-id 02000000000000000000000000000000
	cp "$TR/test_data/snp/test-report.bin" "$W/report.bin"
	printf '\x04' | dd of="$W/report.bin" bs=1 seek=384 conv=notrunc status=none
	expect "trustee report, reported_tcb changed" 5 '^FAILED +signature' '^FAILED +reported_tcb: expected the VCEK' -- \
		verify-report --report "$W/report.bin" --vcek "$TR/test_data/snp/test-vcek.der"
	expect "VLEK report today (VLEK expired)" 5 '^FAILED +VLEK validity' '^ok +signature' -- \
		verify-report --report "$TR/test_data/snp/test-vlek-report.bin" --vlek "$TR/test_data/snp/test-vlek.der"
	expect "VLEK report --at 2025-06-01" 0 '^verified' -- \
		verify-report --report "$TR/test_data/snp/test-vlek-report.bin" --vlek "$TR/test_data/snp/test-vlek.der" --at 2025-06-01
	expect "VLEK report --at @SECONDS" 0 '^verified' -- \
		verify-report --report "$TR/test_data/snp/test-vlek-report.bin" --vlek "$TR/test_data/snp/test-vlek.der" --at @1748736000
	expect "VLEK report --at its last second" 0 '^verified' -- \
		verify-report --report "$TR/test_data/snp/test-vlek-report.bin" --vlek "$TR/test_data/snp/test-vlek.der" --at 2025-12-10T22:14:21Z
	expect "VLEK report --at a second later" 5 '^FAILED +VLEK validity: .*found it expired' -- \
		verify-report --report "$TR/test_data/snp/test-vlek-report.bin" --vlek "$TR/test_data/snp/test-vlek.der" --at 2025-12-10T22:14:22Z
	expect "VLEK report --at a day after it expired" 5 '^FAILED +VLEK validity: expected 2025-12-11 22:14:21 UTC within' -- \
		verify-report --report "$TR/test_data/snp/test-vlek-report.bin" --vlek "$TR/test_data/snp/test-vlek.der" --at 2025-12-11T22:14:21Z
	printf '\x01\x02\x03\x04\x05' > "$W/report-data"
	expect "--report-data-file" 0 '^ok +report_data: 0102030405000' -- verify-report --report "$GO/testdata/attestation.bin" \
		--vcek "$GO/testdata/vcek.testcer" --report-data-file "$W/report-data"
	expect "--ark the Milan ARK" 0 '^verified' -- verify-report --report "$V/tests/certs_data/report_milan.hex" \
		--vcek "$V/tests/certs_data/vcek_milan.der" --ark "$V/src/certs/snp/builtin/milan/ark.pem"
	expect "--ark the Genoa ARK for a Milan VCEK" 5 '^FAILED +ASK signed by ARK: expected issuer "ARK-Genoa", found "ARK-Milan"' -- \
		verify-report --report "$V/tests/certs_data/report_milan.hex" --vcek "$V/tests/certs_data/vcek_milan.der" \
		--ark "$V/src/certs/snp/builtin/genoa/ark.pem"
	expect "VLEK report with a VCEK" 5 '^FAILED +signing key: expected VCEK' -- \
		verify-report --report "$TR/test_data/snp/test-vlek-report.bin" --vcek "$TR/test_data/snp/test-vcek.der"
	# A SEV ATTESTATION report (no real one is public): the right layout,
	# not signed by Rome's PEK; the chain and the fields check, the
	# signature does not.
	head -c 208 /dev/zero > "$W/sev-report.bin"
	printf '\x05' | dd of="$W/sev-report.bin" bs=1 seek=$((0x30)) conv=notrunc status=none
	printf '\x02\x10' | dd of="$W/sev-report.bin" bs=1 seek=$((0x34)) conv=notrunc status=none
	printf '\x02' | dd of="$W/sev-report.bin" bs=1 seek=$((0x38)) conv=notrunc status=none
	cat "$W/rome/"{pdh,pek,oca,cek}.cert > "$W/rome-chain.bin"
	expect "SEV report, not signed by the PEK" 5 '^SEV attestation report, signed by the PEK' '^ok +PDH signed by PEK' \
		'^FAILED +signature: expected a valid ECDSA P-384 signature by the PEK' '^ok +launch digest' '^ok +policy: 0x5' -- \
		verify-report --report "$W/sev-report.bin" --chain "$W/rome-chain.bin" --measurement "$(printf '%064d' 0)" --policy 5
	expect "show-report (SEV)" 0 '^SEV attestation report \(208 bytes\)' '^policy +0x5' '^signature_usage +0x1002 \(PEK\)' -- \
		show-report "$W/sev-report.bin"
	# session --chain: the chain sevctl export writes (8336 bytes),
	# verified before its PDH is used; a flipped PEK signature refused.
	"$SB" session --chain "$W/rome-chain.bin" --policy 1 --out "$W/sess" 2>"$W/err" &&
		[ -s "$W/sess/session.bin" ] && [ ! -s "$W/err" ] &&
		ok "session --chain (Rome, $(stat -c %s "$W/rome-chain.bin") bytes)" || bad "session --chain: $(head -c 300 "$W/err")"
	cat "$W/rome/"{pdh,pek,oca,cek}.cert > "$W/bad-chain.bin"
	printf '\x01' | dd of="$W/bad-chain.bin" bs=1 seek=$((2084 + 0x41c + 9)) conv=notrunc status=none
	"$SB" session --chain "$W/bad-chain.bin" --policy 1 --out "$W/sess2" 2>"$W/err"
	rc=$?
	[ "$rc" -eq 5 ] && [ "$(wc -l < "$W/err")" -eq 1 ] && grep -q 'the chain does not verify: PEK signed by OCA' "$W/err" && [ ! -e "$W/sess2" ] &&
		ok "session --chain, PEK signature changed (exit 5): $(cat "$W/err")" || bad "session --chain flipped: exit $rc: $(head -c 300 "$W/err")"
	# show-report and --json.
	expect "show-report (hex file)" 0 '^version +2$' '^policy +0x30000 \(ABI 0.0 SMT RESERVED_MBO\)' "^measurement +$MILAN_M" \
		'^current_version +1.52 build 4' -- show-report "$V/tests/certs_data/report_milan.hex"
	expect "show-report v3 (VLEK)" 0 '^version +3$' '^cpuid_fam_id +0x19' '^flags +0x4 .*signing_key 1 \(VLEK\)' -- \
		show-report "$TR/test_data/snp/test-vlek-report.bin"
	for args in "show-report --json $GO/testdata/attestation.bin" \
		"verify-chain --json $V/tests/certs_data/vcek_milan.der" \
		"verify-report --json --report $V/tests/certs_data/report_milan.hex --vcek $V/tests/certs_data/vcek_milan.der"; do
		# shellcheck disable=SC2086
		"$SB" $args >"$W/json" 2>"$W/err"
		if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if d.get("verified", True) else 1)' "$W/json"; then
			ok "--json parses: sevboot ${args%% *} ..."
		else
			bad "--json: sevboot $args: $(head -c 300 "$W/json")"
		fi
	done
fi

# sevboot fetch through a KDS of our own: python3's http.server (already a
# test dependency) on 127.0.0.1, any free port, serving the real files,
# 429 with Retry-After on one path, garbage on another, and logging every
# request target.
kds_server() {
	cat > "$W/kds.py" <<'PY'
import http.server, sys
routes = {}
for arg in sys.argv[3:]:
    path, spec = arg.split("=", 1)
    routes[path] = spec
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        with open(sys.argv[1], "a") as log:
            log.write(self.path + "\n")
        spec = routes.get(self.path.split("?")[0])
        if spec is None:
            code, body, hdr = 404, b"not found", {}
        elif spec.startswith("429:"):
            code, body, hdr = 429, b"slow down", {"Retry-After": spec[4:]}
        elif spec == "garbage":
            code, body, hdr = 200, b"<html>no</html>", {}
        else:
            code, body, hdr = 200, open(spec, "rb").read(), {}
        self.send_response(code)
        for k, v in hdr.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
open(sys.argv[2], "w").write(str(s.server_address[1]))
s.serve_forever()
PY
	python3 "$W/kds.py" "$W/kds.log" "$W/kds.port" "$@" &
	kds_pid=$!
	for _ in $(seq 50); do [ -s "$W/kds.port" ] && break; sleep 0.1; done
	KDS="http://127.0.0.1:$(cat "$W/kds.port" 2>/dev/null)"
}

# fetch_expect NAME RC STDOUT-REGEX STDERR-REGEX -- ARGS: exit RC, the
# regexes match (an empty one: that stream is empty).
fetch_expect() {
	local name=$1 want=$2 out_re=$3 err_re=$4
	shift 5
	"$SB" fetch "$@" --kds-url "$KDS" --cache "$W/kcache" >"$W/out" 2>"$W/err"
	local rc=$?
	if [ "$rc" -ne "$want" ]; then
		bad "fetch: $name: exit $rc, want $want: $(head -c 300 "$W/err")"
	elif [ -n "$out_re" ] && ! grep -qE -- "$out_re" "$W/out"; then
		bad "fetch: $name: stdout: $(head -c 300 "$W/out")"
	elif [ -z "$out_re" ] && [ -s "$W/out" ]; then
		bad "fetch: $name: stdout not empty: $(head -c 300 "$W/out")"
	elif [ -n "$err_re" ] && { [ "$(wc -l < "$W/err")" -ne 1 ] || ! grep -qE -- "$err_re" "$W/err"; }; then
		bad "fetch: $name: stderr is not one line matching /$err_re/: $(head -c 300 "$W/err")"
	elif [ -z "$err_re" ] && [ -s "$W/err" ]; then
		bad "fetch: $name: stderr: $(head -c 300 "$W/err")"
	else
		ok "fetch: $name (exit $rc): $(cat "$W/out" "$W/err" | head -n 1 | head -c 200)"
	fi
}

if [ ! -x "$SB" ] || [ ! -d "$TD" ]; then
	skipped "fetch through a local KDS: no bin/sevboot or no $TD (SEVBOOT_SHARED)"
elif ! command -v python3 >/dev/null; then
	skipped "fetch through a local KDS: no python3 for the server"
else
	MILAN_HWID=d49554ec717f4e5b0fe6b143bcf0405bd7ae304727edf46603f2a76aef6a3abc15d7af38db757039029f0efacfd08e244324884738c72b082e2f87a44d541eb6
	kds_server "/vcek/v1/Milan/$MILAN_HWID=$V/tests/certs_data/vcek_milan.der" \
		"/vcek/v1/Milan/cert_chain=$V/tests/certs_data/cert_chain_milan" \
		"/vlek/v1/Milan/cert_chain=$GO/trust/ask_ark_milan_vlek.pem" \
		"/vcek/v1/Genoa/cert_chain=429:60" "/vcek/v1/Turin/cert_chain=garbage"
	fetch_expect "VCEK of the Milan report" 0 "^$W/o/vcek.der: VCEK of Milan, hwID $MILAN_HWID, bl 3 tee 0 snp 8 ucode 115, 1360 bytes, verified, from $KDS" "" -- \
		vcek --report "$V/tests/certs_data/report_milan.hex" --product Milan --out "$W/o"
	want="/vcek/v1/Milan/$MILAN_HWID?blSPL=03&teeSPL=00&snpSPL=08&ucodeSPL=115"
	[ "$(cat "$W/kds.log")" = "$want" ] && ok "fetch: the VCEK URL is $want" || bad "fetch: requests: $(cat "$W/kds.log")"
	cmp -s "$W/o/vcek.der" "$V/tests/certs_data/vcek_milan.der" && ok "fetch: vcek.der is the served VCEK" || bad "fetch: vcek.der differs"
	fetch_expect "VCEK again, from the cache" 0 "verified, from the cache .*\(no request made\)" "" -- \
		vcek --report "$V/tests/certs_data/report_milan.hex" --product Milan --out "$W/o"
	[ "$(wc -l < "$W/kds.log")" -eq 1 ] && ok "fetch: the cached VCEK made no request" || bad "fetch: $(wc -l < "$W/kds.log") requests"
	fetch_expect "Milan cert_chain" 0 "^$W/o/cert_chain.pem: VCEK cert_chain \(ASK and ARK\) of Milan" "" -- ca --product Milan --out "$W/o"
	expect "fetched VCEK and chain verify the report" 0 '^verified' -- verify-report --report "$V/tests/certs_data/report_milan.hex" \
		--vcek "$W/o/vcek.der" --chain "$W/o/cert_chain.pem"
	fetch_expect "Milan VLEK cert_chain (ASVK)" 0 "^$W/v.pem: VLEK cert_chain \(ASVK and ARK\) of Milan" "" -- ca --product Milan --endorser vlek -o "$W/v.pem"
	fetch_expect "rate limit" 6 "" "^sevboot: fetch: AMD KDS rate limit: $KDS/vcek/v1/Genoa/cert_chain answered HTTP 429 Too Many Requests .*retry after 60 s \(Retry-After: 60\)$" -- \
		ca --product Genoa --out "$W/g"
	fetch_expect "garbage answer" 5 "" "^sevboot: fetch: $KDS/vcek/v1/Turin/cert_chain: the answer is not the VCEK cert_chain .* nothing was written$" -- \
		ca --product Turin --out "$W/t"
	[ ! -e "$W/g" ] && [ ! -e "$W/t" ] && [ -z "$(find "$W/kcache" -path '*Genoa*' -o -path '*Turin*')" ] &&
		ok "fetch: nothing in --out or the cache after 429 and garbage" || bad "fetch: left: $(find "$W/g" "$W/t" "$W/kcache")"
	fetch_expect "no VCEK for this chip/TCB" 6 "" "KDS has no VCEK for this chip/TCB \(HTTP 404" -- \
		vcek --report "$GO/testdata/attestation.bin" --product Milan --out "$W/o2"
	kill "$kds_pid" 2>/dev/null
	wait "$kds_pid" 2>/dev/null
fi
echo "trust: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
