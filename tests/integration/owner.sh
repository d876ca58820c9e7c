#!/bin/bash
# The guest owner's tools end to end, through bin/sevboot only (no KVM):
# model-keys, session, measure and owner, their files and modes, their
# refusals (one line on stderr, the documented exit code, nothing left
# half-written), and `sevboot owner` answering a request built from
# `sevboot measure --tik` as sevboot's --owner-cmd would pass it.
# (The socket protocol and owner_exchange itself are covered by
# tests/unit/test_owner.c, which also drives bin/sevboot owner.)
# Ends with "N passed, N failed, N skipped"; exit status 1 on a failure.
set -u
# shellcheck source=tests/integration/common.sh
. "$(dirname "$0")/common.sh" sevboot-owner

GUID=736869e5-84f0-4973-92ec-06879ce3da0b

# mode_is FILE MODE
mode_is() {
	local m
	m=$(stat -c %a "$1")
	if [ "$m" = "$2" ]; then ok "$1 has mode $2"; else bad "$1 has mode $m, want $2"; fi
}

size_is() {
	local n
	n=$(stat -c %s "$1")
	if [ "$n" = "$2" ]; then ok "$1 is $2 bytes"; else bad "$1 is $n bytes, want $2"; fi
}

if [ ! -x "$SB" ]; then
	echo "bin/sevboot is not built (make)"
	exit 1
fi

# ------------------------------------------------------------ model-keys
"$SB" model-keys "$W/plat" && ok "model-keys" || bad "model-keys failed"
size_is "$W/plat/pdh.key" 48
size_is "$W/plat/pdh.cert" 2084
mode_is "$W/plat/pdh.key" 600
mode_is "$W/plat" 700
for f in ark.key ask.key cek.key oca.key pek.key vcek.key; do
	mode_is "$W/plat/$f" 600
done
for f in ark.cert ask.cert; do size_is "$W/plat/$f" 832; done
for f in cek.cert oca.cert pek.cert; do size_is "$W/plat/$f" 2084; done
size_is "$W/plat/sev-chain.cert" 10000
for f in snp-ark.pem snp-ask.pem cert_chain.pem vcek.der vcek.pem; do
	[ -s "$W/plat/$f" ] && ok "$f is there" || bad "$f is missing"
done
ls -a "$W" | grep -q '\.tmp-' && bad "a temporary directory was left" || ok "no temporary left next to DIR"
cp "$W/plat/pdh.key" "$W/pdh.key.orig"
expect_error "model-keys does not replace" 2 "plat is not empty; sevboot makes an identity only in a new or empty directory" -- model-keys "$W/plat"
cmp -s "$W/plat/pdh.key" "$W/pdh.key.orig" && ok "the old key is untouched" || bad "the old key changed"
mkdir -m 700 "$W/empty" && "$SB" model-keys "$W/empty" 2>/dev/null && [ -s "$W/empty/vcek.der" ] && ok "model-keys in an empty directory" || bad "model-keys in an empty directory"
mkdir -m 700 "$W/oldplat" && cp "$W/plat/pdh.key" "$W/plat/pdh.cert" "$W/oldplat/"
expect_error "model-keys on an older pdh.key-only DIR" 2 "holds only a PDH key \(pdh.key, pdh.cert: the layout of an older sevboot" -- model-keys "$W/oldplat"

# owner --attest: the option rules, and OUT is never replaced.
expect_error "owner --attest without --connect" 2 "--attest needs --connect" -- owner --session "$W/s" --digest 00 --attest "$W/r.bin"
expect_error "owner --report-data without --attest" 2 "--report-data goes with --attest" -- owner --connect "$W/none.sock" --report-data 00
expect_error "owner --report-data too long" 2 "--report-data $(printf 'ab%.0s' $(seq 65)): must be 2 to 128 hex digits" -- owner --connect "$W/none.sock" --attest "$W/r.bin" --report-data "$(printf 'ab%.0s' $(seq 65))"
: > "$W/r.exists"
expect_error "owner --attest over a file" 2 "--attest $W/r.exists exists; sevboot does not replace it" -- owner --connect "$W/none.sock" --attest "$W/r.exists"
expect_error "owner --attest, nobody listening" 2 "--connect $W/none.sock" -- owner --connect "$W/none.sock" --attest "$W/r.bin"
[ -e "$W/r.bin" ] && bad "owner --attest left a file after a failure" || ok "owner --attest wrote nothing after a failure"

# The model's chains verify with its own ARK, never with AMD's.
if "$SB" verify-chain --ark "$W/plat/ark.cert" "$W/plat/sev-chain.cert" >"$W/out" 2>"$W/err" &&
	grep -q "verified: all 7 checks hold" "$W/out"; then
	ok "verify-chain --ark ark.cert sev-chain.cert: $(tail -1 "$W/out")"
else
	bad "verify-chain of the model's SEV chain: $(cat "$W/out" "$W/err")"
fi
"$SB" verify-chain "$W/plat/sev-chain.cert" >"$W/out" 2>&1
rc=$?
[ $rc = 5 ] && ok "the model's SEV chain without --ark: exit 5 ($(tail -1 "$W/out"))" || bad "the model's SEV chain without --ark: exit $rc"
if "$SB" verify-chain --ark "$W/plat/snp-ark.pem" "$W/plat/cert_chain.pem" "$W/plat/vcek.der" >"$W/out" 2>"$W/err" &&
	grep -q "^verified" "$W/out"; then
	ok "verify-chain --ark snp-ark.pem cert_chain.pem vcek.der: $(tail -1 "$W/out")"
else
	bad "verify-chain of the model's SNP chain: $(cat "$W/out" "$W/err")"
fi
"$SB" verify-chain "$W/plat/vcek.pem" >"$W/out" 2>&1
rc=$?
[ $rc = 5 ] && ok "the model's VCEK against AMD's Genoa roots: exit 5" || bad "the model's VCEK against AMD's roots: exit $rc"
expect_error "model-keys without DIR" 2 "one argument" -- model-keys
expect_error "model-keys in a missing parent" 2 "cannot create the directory" -- model-keys "$W/no/such/dir"
: > "$W/afile"
expect_error "model-keys on a file" 2 "not a directory" -- model-keys "$W/afile"

# --------------------------------------------------------------- session
"$SB" session --pdh "$W/plat/pdh.cert" --policy 0x1 --out "$W/s" && ok "session" || bad "session failed"
size_is "$W/s/godh.cert" 2084
size_is "$W/s/session.bin" 128
size_is "$W/s/tek.bin" 16
size_is "$W/s/tik.bin" 16
mode_is "$W/s/tek.bin" 600
mode_is "$W/s/tik.bin" 600
if cmp -s "$W/s/tek.bin" "$W/s/tik.bin"; then bad "TEK == TIK"; else ok "TEK and TIK differ"; fi
base64 "$W/plat/pdh.cert" > "$W/pdh.b64"
"$SB" session --pdh "$W/pdh.b64" --policy 1 --out "$W/s2" && ok "session from a base64 PDH" || bad "session from base64 failed"
if cmp -s "$W/s/tek.bin" "$W/s2/tek.bin"; then bad "two sessions share a TEK"; else ok "fresh keys per session"; fi
expect_error "session does not replace" 2 "exists" -- session --pdh "$W/plat/pdh.cert" --policy 1 --out "$W/s"
expect_error "session: the key is no cert" 3 "--pdh .*not a SEV certificate" -- session --pdh "$W/plat/pdh.key" --policy 1 --out "$W/s3"
expect_error "session: missing PDH" 3 "--pdh $W/nope" -- session --pdh "$W/nope" --policy 1 --out "$W/s3"
head -c 2084 /dev/zero > "$W/zero.cert"
expect_error "session: zero cert" 3 "not usable: .*version" -- session --pdh "$W/zero.cert" --policy 1 --out "$W/s3"
expect_error "session: bad policy" 2 "--policy 0xz" -- session --pdh "$W/plat/pdh.cert" --policy 0xz --out "$W/s3"
expect_error "session: no --out" 2 "required" -- session --pdh "$W/plat/pdh.cert" --policy 1
[ ! -e "$W/s3" ] && ok "nothing written on refusal" || bad "$W/s3 was created"
# A target that appears: nothing half-written stays.
mkdir "$W/s4" && : > "$W/s4/session.bin"
expect_error "session: one target exists" 2 "session.bin exists" -- session --pdh "$W/plat/pdh.cert" --policy 1 --out "$W/s4"
[ "$(ls -A "$W/s4")" = "session.bin" ] && ok "no partial session left" || bad "partial session: $(ls -A "$W/s4")"

# ----------------------------------------------------------------- owner
ovmf="$SHARED/firmware/OVMF.amdsev.sid.fd"
if [ ! -f "$ovmf" ]; then
	skipped "owner: no $ovmf"
else
	digest=$("$SB" measure --mode sev --ovmf "$ovmf")
	mnonce=404142434445464748494a4b4c4d4e4f
	lm=$("$SB" measure --mode sev --ovmf "$ovmf" --tik "$W/s/tik.bin" \
		--mnonce $mnonce --api-major 1 --api-minor 55 --build 25 \
		--policy 1 | sed -n 's/^launch measure: //p')
	[ -n "$lm" ] && ok "LAUNCH_MEASURE from sevboot measure --tik" || bad "no launch measure"
	request() { # request SECRET_SIZE POLICY
		printf '{"mode":"sev","policy":%s,"handle":1,"api-major":1,"api-minor":55,"build-id":25,"measurement":"%s","expected-digest":"%s","secret-gpa":8433664,"secret-size":%s,"firmware-model":true}\n' \
			"$2" "$lm" "$digest" "$1"
	}
	request 3072 1 > "$W/req.json"
	printf 'hunter2' > "$W/secret.txt"

	"$SB" owner --session "$W/s" --digest "$digest" --secret "$GUID=$W/secret.txt" \
		< "$W/req.json" > "$W/reply.json" 2> "$W/err"
	rc=$?
	if [ $rc -eq 0 ] && grep -qE '^\{"packet-header":"[A-Za-z0-9+/]{70}==","secret":"[A-Za-z0-9+/=]{64}"\}$' "$W/reply.json" && [ ! -s "$W/err" ]; then
		ok "owner seals one secret ($(head -c 60 "$W/reply.json")...)"
	else
		bad "owner: exit $rc, reply $(cat "$W/reply.json"), stderr $(cat "$W/err")"
	fi
	# The digest as base64 works too.
	d64=$(echo "$digest" | xxd -r -p | base64)
	"$SB" owner --session "$W/s" --digest "$d64" < "$W/req.json" > "$W/reply.json" 2> "$W/err"
	if [ $? -eq 0 ] && [ "$(cat "$W/reply.json")" = '{"secret":null}' ]; then
		ok "owner without --secret: no secret"
	else
		bad "owner without --secret: $(cat "$W/reply.json" "$W/err")"
	fi

	cp "$W/req.json" "$W/stdin"
	expect_error "owner: wrong digest" 5 "measurement mismatch" -- owner --session "$W/s" --digest "$(printf '%064d' 0)"
	expect_error "owner: another session" 5 "measurement mismatch" -- owner --session "$W/s2" --digest "$digest"
	# The host's own prediction explains the value: it says so.
	request 3072 1 | sed "s/\"expected-digest\":\"[0-9a-f]*\"/\"expected-digest\":\"$digest\"/" > "$W/stdin"
	expect_error "owner: inputs differ" 5 "inputs differ from what you measured" -- owner --session "$W/s" --digest "$(printf '%064d' 1)"
	request 3072 5 > "$W/stdin"
	expect_error "owner: another policy" 5 "measurement mismatch" -- owner --session "$W/s" --digest "$digest"
	request 32 1 > "$W/stdin"
	expect_error "owner: table too large" 3 "secret table is 48 bytes; the guest's secret area holds 32" -- owner --session "$W/s" --digest "$digest" --secret "$GUID=$W/secret.txt"
	request 0 1 | sed 's/"secret-gpa":8433664/"secret-gpa":0/' > "$W/stdin"
	expect_error "owner: no secret area" 3 "no secret area" -- owner --session "$W/s" --digest "$digest" --secret "$GUID=$W/secret.txt"
	request 3072 1 | sed 's/"mode":"sev"/"mode":"snp"/' > "$W/stdin"
	expect_error "owner: SNP" 3 "SNP" -- owner --session "$W/s" --digest "$digest"
	request 3072 1 | sed 's/"handle":1,/"handle":1,"extra":true,/' > "$W/stdin"
	expect_error "owner: unknown member" 3 "unknown member \"extra\"" -- owner --session "$W/s" --digest "$digest"
	echo '{"mode":' > "$W/stdin"
	expect_error "owner: bad JSON" 3 "not valid JSON" -- owner --session "$W/s" --digest "$digest"
	: > "$W/stdin"
	expect_error "owner: empty stdin" 3 "no request" -- owner --session "$W/s" --digest "$digest"
	rm -f "$W/stdin"
	# Silent stdin: the timeout.
	start=$(date +%s)
	sleep 5 | "$SB" owner --session "$W/s" --digest "$digest" --timeout 1 > "$W/out" 2> "$W/err"
	rc=$?
	[ $rc -eq 124 ] && [ $(( $(date +%s) - start )) -le 6 ] && ok "owner: timeout (exit 124): $(cat "$W/err")" || bad "owner timeout: exit $rc $(cat "$W/err")"
fi

cp "$W/req.json" "$W/stdin" 2>/dev/null || : > "$W/stdin"
expect_error "owner: bad GUID" 2 "--secret nope=x: must be GUID=FILE" -- owner --session "$W/s" --digest "$(printf '%064d' 0)" --secret nope=x
expect_error "owner: missing secret file" 3 "--secret $W/nope" -- owner --session "$W/s" --digest "$(printf '%064d' 0)" --secret "$GUID=$W/nope"
expect_error "owner: bad digest" 2 "--digest 12: must be 64 hex digits" -- owner --session "$W/s" --digest 12
expect_error "owner: no session" 3 "--session $W/nope/tik.bin" -- owner --session "$W/nope" --digest "$(printf '%064d' 0)"
expect_error "owner: no --digest" 2 "required" -- owner --session "$W/s"
expect_error "owner: unknown option" 2 "unknown option '--digst'" -- owner --session "$W/s" --digst 0
expect_error "owner: bad timeout" 2 "--timeout 0" -- owner --session "$W/s" --digest "$(printf '%064d' 0)" --timeout 0
expect_error "owner: no socket" 2 "--connect $W/nope.sock" -- owner --session "$W/s" --digest "$(printf '%064d' 0)" --connect "$W/nope.sock"
head -c 20 /dev/zero > "$W/s4/tik.bin"
expect_error "owner: short TIK" 3 "tik.bin is 20 bytes" -- owner --session "$W/s4" --digest "$(printf '%064d' 0)"
rm -f "$W/stdin"

echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
