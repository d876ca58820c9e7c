// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness for the launch channel's readers: SEV certificates
 * and their public keys (sev/channel.c), the GODH certificate and
 * session blob that LAUNCH_START takes (through the firmware model, as
 * sevboot hands them to the firmware), the LAUNCH_SECRET packet, the
 * owner's session for a PDH (owner/owner.c), and the SNP ID block and ID
 * authentication structure that SNP_LAUNCH_FINISH checks (the model).
 *
 * The first input byte picks the target, the rest is its input.  Targets
 * that could never get past a MAC or a digest build a valid value
 * first (fixed keys, so runs repeat) and let the input flip bytes of it,
 * so the checks that decide whether a session or an ID block is accepted
 * are fuzzed, not only the length checks.
 *
 * Speed (250 exec/s before, LAUNCH_START 35 ms an input): what does not
 * depend on the input is made once, in LLVMFuzzerInitialize: the P-384
 * keys from the fixed scalars, the PDH and GODH certificates, the shared
 * secret, and the SNP ID blocks with their signatures for each of the 8
 * choices (the launch digest of a fresh model is the same every time).
 * What the input decides still runs per input: the model (a fresh
 * firmware state), the session's wrap for the input's policy, and every
 * parse, ECDH, unwrap and signature check the code under test does.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "owner/owner.h"
#include "sev/launch.h"
#include "sev/sev.h"
#include "util/kvm_uapi.h"
#include "util/util.h"

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "fuzz_channel: check failed: %s\n",    \
				#cond);                                        \
			abort();                                               \
		}                                                              \
	} while (0)

#define ID_BLOCK_LEN 96
#define ID_AUTH_LEN  4096

/* Fixed P-384 scalars (any value below the group order is a key). */
static const uint8_t pdh_d[48] = {[0] = 0x11, [20] = 0x5a, [47] = 0x2a};
static const uint8_t godh_d[48] = {[0] = 0x22, [30] = 0x77, [47] = 0x3b};
static const uint8_t idk_d[48] = {[0] = 0x33, [10] = 0x99, [47] = 0x4c};

/* Copy up to len input bytes over buf; the rest stays as it was. */
static void overlay(uint8_t *buf, size_t len, const uint8_t *in, size_t n)
{
	memcpy(buf, in, n < len ? n : len);
}

/* Flip bytes of buf: the input is (offset lo, offset hi, xor) triples. */
static void flip(uint8_t *buf, size_t len, const uint8_t *in, size_t n)
{
	for (size_t i = 0; i + 3 <= n; i += 3)
		buf[(in[i] | in[i + 1] << 8) % len] ^= in[i + 2];
}

#define ID_POLICY 0x30000ULL

/* What does not depend on the input, made once (see the top). */
static struct {
	EVP_PKEY *godh;			 /* the GODH key pair */
	uint8_t pdh_155[SEV_CERT_LEN];	 /* a PDH certificate, API 1.55 */
	uint8_t godh_cert[SEV_CERT_LEN]; /* for the model's PDH */
	uint8_t z[48];			 /* ECDH(GODH, the model's PDH) */
	/* SNP_LAUNCH_FINISH's ID block and ID auth for the first input
	 * byte's 3 low bits: 1 the model's digest, 2 the policy, 4 signed
	 * by the fixed ID key (also its own author key). */
	uint8_t idb[8][ID_BLOCK_LEN];
	uint8_t auth[8][ID_AUTH_LEN];
} pre;

static struct sev_model *model_new(enum sev_mode mode,
				   int (*vmsa)(void *, unsigned, uint8_t *));
static int no_vmsa(void *ctx, unsigned index, uint8_t *page);

static void pre_launch(void)
{
	struct sev_model *m = model_new(SEV_MODE_SEV, NULL);
	uint8_t pdh[SEV_CERT_LEN];
	EVP_PKEY *k = NULL, *p = NULL;
	char err[200];

	CHECK(sev_p384_from_private(pdh_d, &k) == 0);
	CHECK(sev_cert_build(k, SEV_USAGE_PDH, SEV_ALGO_ECDH_SHA256, 1, 55,
			     NULL, 0, pre.pdh_155) == 0);
	EVP_PKEY_free(k);
	CHECK(sev_p384_from_private(godh_d, &pre.godh) == 0);
	CHECK(sev_model_pdh_cert(m, pdh) == 0);
	CHECK(sev_cert_public_key(pdh, SEV_USAGE_PDH, &p, err, sizeof(err)) ==
	      0);
	CHECK(sev_ecdh(pre.godh, p, pre.z) == 0);
	CHECK(sev_cert_build(pre.godh, SEV_USAGE_PDH, SEV_ALGO_ECDH_SHA256,
			     pdh[4], pdh[5], NULL, 0, pre.godh_cert) == 0);
	EVP_PKEY_free(p);
	sev_model_free(m);
}

/* The 8 ID blocks, with the digest a fresh SNP model has after
 * SNP_LAUNCH_START (no page was measured). */
static void pre_id_blocks(void)
{
	struct sev_model *m = model_new(SEV_MODE_SNP, no_vmsa);
	struct sev_launch l;
	uint8_t digest[48];
	EVP_PKEY *k = NULL;

	memset(&l, 0, sizeof(l));
	CHECK(sevl_setup(&l, SEV_MODE_SNP, ID_POLICY, sev_transport_model(m)) ==
	      0);
	CHECK(sevl_vm_init(&l, false, 0) == 0);
	CHECK(sevl_snp_start(&l) == 0);
	CHECK(sev_model_launch_digest(m, digest, sizeof(digest)) == 0);
	sev_model_free(m);
	CHECK(sev_p384_from_private(idk_d, &k) == 0);
	for (unsigned sel = 0; sel < 8; sel++) {
		uint8_t *idb = pre.idb[sel], *auth = pre.auth[sel];

		if (sel & 1)
			memcpy(idb, digest, sizeof(digest));
		if (sel & 2)
			put_le64(idb, 0x58, ID_POLICY);
		put_le32(auth, 0, 1); /* ID_ALGO: P-384 with SHA-384 */
		put_le32(auth, 4, 1); /* AUTHOR_ALGO */
		if (sel & 4) {
			CHECK(sev_ecc_pubkey_put(k, auth + 0x240) == 0);
			memcpy(auth + 0x880, auth + 0x240, SEV_ECC_PUBKEY_LEN);
			CHECK(sev_ecdsa_sign(k, EVP_sha384(), idb, ID_BLOCK_LEN,
					     auth + 0x40) == 0);
			CHECK(sev_ecdsa_sign(k, EVP_sha384(), auth + 0x240,
					     SEV_ECC_PUBKEY_LEN,
					     auth + 0x680) == 0);
		}
	}
	EVP_PKEY_free(k);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	pre_launch();
	pre_id_blocks();
	return 0;
}

static void fuzz_cert(const uint8_t *in, size_t n)
{
	static const uint16_t usages[] = {SEV_USAGE_PDH, SEV_USAGE_PEK,
					  SEV_USAGE_OCA, SEV_USAGE_CEK, 0x1000};
	uint8_t cert[SEV_CERT_LEN] = {0};
	EVP_PKEY *k = NULL;
	char err[200];
	uint8_t z[48];
	int ret;

	if (!n)
		return;
	overlay(cert, sizeof(cert), in + 1, n - 1);
	memset(err, 'x', sizeof(err));
	ret = sev_cert_public_key(cert, usages[in[0] % 5], &k, err,
				  sizeof(err));
	if (ret) {
		CHECK(memchr(err, '\0', sizeof(err)) && err[0]);
		CHECK(ret < 0 && !k);
		return;
	}
	CHECK(k);
	/* What the firmware then does with an accepted key. */
	CHECK(sev_ecdh(pre.godh, k, z) == 0);
	EVP_PKEY_free(k);
}

static void fuzz_pubkey(const uint8_t *in, size_t n)
{
	uint8_t key[SEV_ECC_PUBKEY_LEN] = {0};
	uint8_t again[SEV_ECC_PUBKEY_LEN];
	EVP_PKEY *k = NULL;
	char err[200];

	overlay(key, sizeof(key), in, n);
	if (sev_ecc_pubkey_parse(key, &k, err, sizeof(err))) {
		CHECK(!k && err[0]);
		return;
	}
	/* An accepted key writes back as the same point. */
	CHECK(sev_ecc_pubkey_put(k, again) == 0);
	CHECK(memcmp(key + 4, again + 4, 2 * 72) == 0);
	EVP_PKEY_free(k);
}

static void fuzz_secret(const uint8_t *in, size_t n)
{
	static const struct sev_tk tk = {{1, 2, 3}, {4, 5, 6}};
	static const uint8_t measure[32] = {7};
	uint8_t hdr[SEV_PACKET_HDR_LEN] = {0}, plain[256];
	const uint8_t *trans = in + sizeof(hdr);
	size_t len;

	if (n < sizeof(hdr))
		return;
	memcpy(hdr, in, sizeof(hdr));
	len = (n - sizeof(hdr)) & ~(size_t)15;
	if (len > sizeof(plain))
		len = sizeof(plain);
	(void)sev_secret_open(&tk, measure, hdr, trans, len, plain);
}

static void fuzz_owner_session(const uint8_t *in, size_t n)
{
	struct sev_owner_session s;
	uint8_t pdh[SEV_CERT_LEN];
	char err[200];
	int ret;

	/* A valid PDH with the input's bytes flipped. */
	memcpy(pdh, pre.pdh_155, sizeof(pdh));
	flip(pdh, sizeof(pdh), in, n);
	ret = sev_owner_session_new(pdh, sizeof(pdh), 0, &s, err, sizeof(err));
	CHECK(ret == 0 || (ret == -EINVAL && err[0]));
	sev_owner_session_wipe(&s);
}

/* A model of the platform with the fixed PDH, behind a launch context. */
static struct sev_model *model_new(enum sev_mode mode,
				   int (*vmsa)(void *, unsigned, uint8_t *))
{
	struct sev_model_config mc = {
		.pdh_private = pdh_d, .vmsa = vmsa, .mode = mode};
	char err[200];
	struct sev_model *m = sev_model_new(&mc, err, sizeof(err));

	CHECK(m);
	return m;
}

/* LAUNCH_START with a GODH certificate and session: a valid pair for the
 * model's PDH, with input bytes flipped in either. */
static void fuzz_launch_start(const uint8_t *in, size_t n)
{
	uint8_t blob[SEV_CERT_LEN + 0x80];
	uint8_t *session = blob + SEV_CERT_LEN;
	struct sev_tk tk = {{0x10}, {0x20}};
	static const uint8_t nonce[16] = {1}, iv[16] = {2};
	struct sev_model *m = model_new(SEV_MODE_SEV, NULL);
	struct sev_launch l;
	uint32_t policy = n ? in[0] & 0x3b : 0; /* never ES: plain SEV */

	CHECK(sev_session_wrap(pre.z, nonce, iv, &tk, policy, session) == 0);
	memcpy(blob, pre.godh_cert, SEV_CERT_LEN);
	if (n)
		flip(blob, sizeof(blob), in + 1, n - 1);

	memset(&l, 0, sizeof(l));
	CHECK(sevl_setup(&l, SEV_MODE_SEV, policy, sev_transport_model(m)) ==
	      0);
	CHECK(sevl_vm_init(&l, n && (in[0] & 0x80), 0) == 0);
	CHECK(sevl_set_session(&l, blob, SEV_CERT_LEN, session, 0x80) == 0);
	(void)sevl_start(&l);
	CHECK(memchr(sevl_error(&l), '\n', strlen(sevl_error(&l))) == NULL);
	sev_model_free(m);
	sev_tk_wipe(&tk);
}

/* No vCPUs: SNP_LAUNCH_FINISH folds no VMSA, so the digest the model has
 * after LAUNCH_START is the one the ID block must name. */
static int no_vmsa(void *ctx, unsigned index, uint8_t *page)
{
	return -ENOENT;
}

/*
 * SNP_LAUNCH_FINISH with an ID block and ID auth: built right (the
 * digest, the policy, a signature by a fixed ID key, that key signed by
 * itself as author key) for the first input byte's choices, then input
 * bytes flipped in both.
 */
static void fuzz_id_block(const uint8_t *in, size_t n)
{
	static uint8_t auth[ID_AUTH_LEN];
	uint8_t idb[ID_BLOCK_LEN], both[ID_BLOCK_LEN + ID_AUTH_LEN];
	struct kvm_sev_snp_launch_finish fin = {0};
	struct sev_model *m = model_new(SEV_MODE_SNP, no_vmsa);
	struct sev_transport t;
	struct sev_launch l;
	uint8_t sel = n ? in[0] : 0;
	uint32_t fw;

	memset(&l, 0, sizeof(l));
	t = sev_transport_model(m);
	CHECK(sevl_setup(&l, SEV_MODE_SNP, ID_POLICY, t) == 0);
	CHECK(sevl_vm_init(&l, false, 0) == 0);
	CHECK(sevl_snp_start(&l) == 0);
	/* The precomputed digest is this model's. */
	CHECK(sev_model_launch_digest(m, idb, 48) == 0 &&
	      memcmp(idb, pre.idb[1], 48) == 0);

	memcpy(idb, pre.idb[sel & 7], sizeof(idb));
	memcpy(auth, pre.auth[sel & 7], sizeof(auth));
	memcpy(both, idb, sizeof(idb));
	memcpy(both + sizeof(idb), auth, sizeof(auth));
	if (n)
		flip(both, sizeof(both), in + 1, n - 1);
	memcpy(idb, both, sizeof(idb));
	memcpy(auth, both + sizeof(idb), sizeof(auth));

	fin.id_block_uaddr = (uintptr_t)idb;
	fin.id_auth_uaddr = (uintptr_t)auth;
	fin.id_block_en = !(sel & 8);
	fin.auth_key_en = !!(sel & 16);
	fin.vcek_disabled = !!(sel & 32);
	fw = 0;
	(void)t.ops->vm_cmd(t.ctx, KVM_SEV_SNP_LAUNCH_FINISH, &fin, &fw);
	sev_model_free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t n)
{
	if (!n)
		return 0;
	switch (in[0] % 6) {
	case 0:
		fuzz_cert(in + 1, n - 1);
		break;
	case 1:
		fuzz_pubkey(in + 1, n - 1);
		break;
	case 2:
		fuzz_secret(in + 1, n - 1);
		break;
	case 3:
		fuzz_owner_session(in + 1, n - 1);
		break;
	case 4:
		fuzz_launch_start(in + 1, n - 1);
		break;
	default:
		fuzz_id_block(in + 1, n - 1);
		break;
	}
	return 0;
}
