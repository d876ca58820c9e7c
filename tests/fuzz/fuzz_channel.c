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
 * What does not depend on the input is made once, in
 * LLVMFuzzerInitialize: the P-384 keys from the fixed scalars, the PDH
 * and GODH certificates, LAUNCH_START's session for each policy the input
 * can pick, and the SNP ID blocks with their signatures for each of the 8
 * choices (the launch digest after snp_launched() is the same every
 * time).  The two firmware models are made once too and reset for every
 * input (sev_model_reset: a new VM on the same platform), so each input
 * meets a fresh firmware state.  What the input decides runs per input:
 * every parse, range and curve check, ECDH, KDF, unwrap, MAC and ID block
 * check the code under test does, with the P-384 scalar multiplications
 * made once per distinct input (see "made once per distinct input",
 * below).
 *
 * Speed (CPU seconds, user + sys, for -runs=20000 -seed=1
 * -rss_limit_mb=0 from the committed seeds, twice back to back on this
 * shared 2-core VM): before 29.1 and 28.2 s (1.4 ms an input; 796 exec/s
 * on a quiet core), cov 304 and 305; after 7.1 and 7.4 s (0.36 ms), cov
 * 390.  Half of that is page faults: with -rss_limit_mb=0 libFuzzer
 * purges ASan's quarantine every second (-purge_allocator_interval), so
 * allocations land on pages the kernel must map again.  As fuzz-long runs
 * it (rss limit 2048 MB: no purge below 1 GB) for 120 s from the seeds:
 * 746590 runs, 95.5 CPU s (0.13 ms an input), 6170 exec/s with the
 * machine busy, cov 391, no crash.  Before, 3 to 5 P-384
 * multiplications an input (about 1 ms each under ASan) bounded it; now
 * OpenSSL's allocations under ASan do (250 to 550 mallocs for an input
 * that reaches a P-384 key, most of them OpenSSL building the curve's
 * group and the key object in sev_ecc_pubkey_parse), and the ECDSA
 * verifications that must be real: in 100000 runs from the seeds (12 CPU
 * s) the caches answered 19500 peer checks and ECDHs with 3 and 4 real
 * ones, and 22500 to 28500 ECDSA verifications with 5000 to 7300 real
 * ones (the input changed the signed bytes or the signature), about half
 * of the CPU time left.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>

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
static const uint8_t own_d[48] = {[0] = 0x44, [40] = 0x12, [47] = 0x5d};

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
/* The SEV policy bits LAUNCH_START's input may set: never ES (plain SEV). */
#define LS_POLICY_BITS 0x3b

/* What does not depend on the input, made once (see the top). */
static struct {
	/* The two firmware models, reset for every input. */
	struct sev_model *sev, *snp;
	EVP_PKEY *godh; /* the GODH key pair */
	EVP_PKEY *own;	/* what the owner's session "generates" (below) */
	uint8_t pdh_155[SEV_CERT_LEN];	 /* a PDH certificate, API 1.55 */
	uint8_t godh_cert[SEV_CERT_LEN]; /* for the model's PDH */
	/* LAUNCH_START's session for each policy the input can pick (the
	 * first byte & LS_POLICY_BITS), for the model's PDH. */
	uint8_t session[LS_POLICY_BITS + 1][SEV_SESSION_LEN];
	/* SNP_LAUNCH_FINISH's ID block and ID auth for the first input
	 * byte's 3 low bits: 1 the model's digest, 2 the policy, 4 signed
	 * by the fixed ID key (also its own author key). */
	uint8_t idb[8][ID_BLOCK_LEN];
	uint8_t auth[8][ID_AUTH_LEN];
} pre;

/*
 * The P-384 arithmetic, made once per distinct input.
 *
 * Nearly all the time of this harness went to P-384 scalar multiplications
 * in OpenSSL (about 1 ms each here, more under ASan): the model's PDH
 * public key at every sev_model_new, the GODH key pair of every owner
 * session, the peer check (n * Q) and the multiplication of every ECDH,
 * and the ECDSA verifications of SNP_LAUNCH_FINISH.  Their results depend
 * only on their arguments' bytes, so the harness defines the OpenSSL
 * functions sevboot calls for them; the definitions in this executable
 * are the ones sevboot's code (linked in statically) calls, and each
 * forwards to OpenSSL's own (dlsym RTLD_NEXT) unless it has seen these
 * exact bytes before, in which case it returns what OpenSSL answered
 * then:
 *
 *  - EC_POINT_mul(G * d) for the harness's fixed scalars only (no other
 *    scalar is kept): the public key of sev_p384_from_private;
 *  - EVP_PKEY_Q_keygen("EC", "P-384"): the fixed key own_d, what the
 *    owner's session generates (it only needs a valid key pair);
 *  - EVP_PKEY_derive_set_peer: OpenSSL checks the peer (on the curve,
 *    n * Q = O); once a point passed, the same point is set unchecked
 *    (EVP_PKEY_derive_set_peer_ex, validate 0);
 *  - EVP_PKEY_derive: Z by (our public point, the peer's point);
 *  - EVP_DigestVerify with an EC key: the result by (point, digest,
 *    signature, signed bytes); a changed byte anywhere is a new entry and
 *    a real verification;
 *  - EC_GROUP_new_by_curve_name_ex(P-384), which OpenSSL also calls for
 *    every key it imports: a copy (EC_GROUP_dup) of the group it made
 *    once, half the allocations of making it again.
 *
 * Every parse, range and curve check around them still runs per input
 * (sev_ecc_pubkey_parse, sev_cert_public_key, is_p384, the KDF, the
 * unwrap, the ID block checks).  Each table keeps MEMO_N entries and
 * overwrites them in turn; every MEMO_RECHECK-th hit is also computed for
 * real and must agree (CHECK), so the cache's answers are tested, not
 * trusted.
 */
#define MEMO_N	     64
#define MEMO_RECHECK 256
#define MEMO_KEY_MAX (2 * 97 + 16 + 160 + 0x404)

struct memo_entry {
	uint64_t hash;
	size_t klen;
	uint8_t *key;
	int ret;
	size_t vlen;
	uint8_t val[97];
};

struct memo {
	const char *what;
	struct memo_entry e[MEMO_N];
	unsigned next;
	unsigned long hits, misses;
};

static struct memo memo_mul = {"G*d"}, memo_peer = {"peer check"},
		   memo_derive = {"ECDH"}, memo_verify = {"ECDSA verify"};

/* FNV-1a: a quick index, confirmed by comparing the bytes. */
static uint64_t memo_hash(const uint8_t *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	while (n--)
		h = (h ^ *p++) * 0x100000001b3ULL;
	return h;
}

static struct memo_entry *memo_find(struct memo *m, const uint8_t *key,
				    size_t klen)
{
	uint64_t h = memo_hash(key, klen);

	for (unsigned i = 0; i < MEMO_N; i++) {
		struct memo_entry *e = &m->e[i];

		if (e->key && e->hash == h && e->klen == klen &&
		    !memcmp(e->key, key, klen)) {
			m->hits++;
			return e;
		}
	}
	m->misses++;
	return NULL;
}

static void memo_put(struct memo *m, const uint8_t *key, size_t klen, int ret,
		     const void *val, size_t vlen)
{
	struct memo_entry *e = &m->e[m->next++ % MEMO_N];

	CHECK(vlen <= sizeof(e->val));
	free(e->key);
	e->key = malloc(klen);
	CHECK(e->key);
	memcpy(e->key, key, klen);
	e->hash = memo_hash(key, klen);
	e->klen = klen;
	e->ret = ret;
	e->vlen = vlen;
	if (vlen)
		memcpy(e->val, val, vlen);
}

/* Is this hit one to recompute for real? */
static bool memo_recheck(const struct memo *m)
{
	return m->hits % MEMO_RECHECK == 1;
}

/* OpenSSL's own definition of name. */
static void *real_fn(const char *name)
{
	void *f = dlsym(RTLD_NEXT, name);

	CHECK(f);
	return f;
}

/* Append k's public point (uncompressed) to key; false if k has none. */
static bool memo_point(EVP_PKEY *k, uint8_t *key, size_t *klen)
{
	size_t len = 0;

	if (!k || !EVP_PKEY_is_a(k, "EC") ||
	    !EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_PUB_KEY,
					     key + *klen, 97, &len) ||
	    len != 97)
		return false;
	*klen += len;
	return true;
}

int EC_POINT_mul(const EC_GROUP *g, EC_POINT *r, const BIGNUM *n,
		 const EC_POINT *q, const BIGNUM *m, BN_CTX *ctx)
{
	static int (*real)(const EC_GROUP *, EC_POINT *, const BIGNUM *,
			   const EC_POINT *, const BIGNUM *, BN_CTX *);
	static const uint8_t *const fixed[] = {pdh_d, godh_d, idk_d, own_d};
	struct memo_entry *e;
	uint8_t d[48], oct[97];
	bool ours = false;
	int ret;

	if (!real)
		real = real_fn("EC_POINT_mul");
	if (q || m || !n || EC_GROUP_get_curve_name(g) != NID_secp384r1 ||
	    BN_bn2binpad(n, d, sizeof(d)) != sizeof(d))
		return real(g, r, n, q, m, ctx);
	for (unsigned i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		ours |= !memcmp(d, fixed[i], sizeof(d));
	if (!ours)
		return real(g, r, n, q, m, ctx);
	e = memo_find(&memo_mul, d, sizeof(d));
	if (e && !memo_recheck(&memo_mul))
		return EC_POINT_oct2point(g, r, e->val, e->vlen, ctx);
	ret = real(g, r, n, q, m, ctx);
	CHECK(ret == 1 &&
	      EC_POINT_point2oct(g, r, POINT_CONVERSION_UNCOMPRESSED, oct,
				 sizeof(oct), ctx) == 97);
	if (e)
		CHECK(!memcmp(e->val, oct, sizeof(oct)));
	else
		memo_put(&memo_mul, d, sizeof(d), ret, oct, sizeof(oct));
	return ret;
}

EC_GROUP *EC_GROUP_new_by_curve_name_ex(OSSL_LIB_CTX *libctx, const char *propq,
					int nid)
{
	static EC_GROUP *(*real)(OSSL_LIB_CTX *, const char *, int);
	static EC_GROUP *p384;

	if (!real)
		real = real_fn("EC_GROUP_new_by_curve_name_ex");
	if (libctx || propq || nid != NID_secp384r1)
		return real(libctx, propq, nid);
	if (!p384)
		p384 = real(NULL, NULL, nid);
	return p384 ? EC_GROUP_dup(p384) : NULL;
}

EVP_PKEY *EVP_PKEY_Q_keygen(OSSL_LIB_CTX *libctx, const char *propq,
			    const char *type, ...)
{
	static EVP_PKEY *(*real)(OSSL_LIB_CTX *, const char *, const char *,
				 ...);
	const char *curve;
	size_t bits;
	va_list ap;

	if (!real)
		real = real_fn("EVP_PKEY_Q_keygen");
	va_start(ap, type);
	/* The extra argument OpenSSL's EVP_PKEY_Q_keygen takes per type. */
	if (!strcmp(type, "EC")) {
		curve = va_arg(ap, const char *);
		va_end(ap);
		if (libctx || propq || strcmp(curve, "P-384") || !pre.own)
			return real(libctx, propq, type, curve);
		CHECK(EVP_PKEY_up_ref(pre.own) == 1);
		return pre.own;
	}
	if (!strcmp(type, "RSA")) {
		bits = va_arg(ap, size_t);
		va_end(ap);
		return real(libctx, propq, type, bits);
	}
	va_end(ap);
	return real(libctx, propq, type);
}

int EVP_PKEY_derive_set_peer(EVP_PKEY_CTX *ctx, EVP_PKEY *peer)
{
	static int (*real)(EVP_PKEY_CTX *, EVP_PKEY *);
	struct memo_entry *e;
	uint8_t key[97];
	size_t klen = 0;
	int ret;

	if (!real)
		real = real_fn("EVP_PKEY_derive_set_peer");
	if (!memo_point(peer, key, &klen))
		return real(ctx, peer);
	e = memo_find(&memo_peer, key, klen);
	if (e && !memo_recheck(&memo_peer))
		return EVP_PKEY_derive_set_peer_ex(ctx, peer, 0);
	ret = real(ctx, peer);
	if (e)
		CHECK(ret == e->ret);
	else if (ret == 1)
		memo_put(&memo_peer, key, klen, ret, NULL, 0);
	return ret;
}

int EVP_PKEY_derive(EVP_PKEY_CTX *ctx, unsigned char *z, size_t *zlen)
{
	static int (*real)(EVP_PKEY_CTX *, unsigned char *, size_t *);
	struct memo_entry *e;
	uint8_t key[2 * 97];
	size_t klen = 0;
	int ret;

	if (!real)
		real = real_fn("EVP_PKEY_derive");
	/* Plain ECDH only (no KDF), and Z asked for. */
	if (!z || !zlen ||
	    EVP_PKEY_CTX_get_ecdh_kdf_type(ctx) != EVP_PKEY_ECDH_KDF_NONE ||
	    !memo_point(EVP_PKEY_CTX_get0_pkey(ctx), key, &klen) ||
	    !memo_point(EVP_PKEY_CTX_get0_peerkey(ctx), key, &klen))
		return real(ctx, z, zlen);
	e = memo_find(&memo_derive, key, klen);
	if (e && !memo_recheck(&memo_derive) && *zlen >= e->vlen) {
		memcpy(z, e->val, e->vlen);
		*zlen = e->vlen;
		return e->ret;
	}
	ret = real(ctx, z, zlen);
	if (e)
		CHECK(ret == e->ret && *zlen == e->vlen &&
		      !memcmp(z, e->val, e->vlen));
	else if (ret == 1 && *zlen <= sizeof(e->val))
		memo_put(&memo_derive, key, klen, ret, z, *zlen);
	return ret;
}

int EVP_DigestVerify(EVP_MD_CTX *ctx, const unsigned char *sig, size_t siglen,
		     const unsigned char *tbs, size_t tbslen)
{
	static int (*real)(EVP_MD_CTX *, const unsigned char *, size_t,
			   const unsigned char *, size_t);
	static uint8_t key[MEMO_KEY_MAX];
	const EVP_MD *md = EVP_MD_CTX_get0_md(ctx);
	EVP_PKEY_CTX *pctx = EVP_MD_CTX_get_pkey_ctx(ctx);
	struct memo_entry *e;
	size_t klen = 0;
	int ret;

	if (!real)
		real = real_fn("EVP_DigestVerify");
	/* The point, the digest, the signature's length and bytes, then
	 * the signed bytes: one way only to read a key back. */
	if (!md || !pctx || siglen > 160 || tbslen > 0x404 ||
	    !memo_point(EVP_PKEY_CTX_get0_pkey(pctx), key, &klen))
		return real(ctx, sig, siglen, tbs, tbslen);
	put_le32(key, klen, (uint32_t)EVP_MD_get_type(md));
	put_le32(key, klen + 4, (uint32_t)siglen);
	klen += 8;
	memcpy(key + klen, sig, siglen);
	klen += siglen;
	memcpy(key + klen, tbs, tbslen);
	klen += tbslen;
	e = memo_find(&memo_verify, key, klen);
	if (e && !memo_recheck(&memo_verify))
		return e->ret;
	ret = real(ctx, sig, siglen, tbs, tbslen);
	if (e)
		CHECK(ret == e->ret);
	else if (ret == 0 || ret == 1)
		memo_put(&memo_verify, key, klen, ret, NULL, 0);
	return ret;
}

static struct sev_model *model_new(enum sev_mode mode,
				   int (*vmsa)(void *, unsigned, uint8_t *));
static int no_vmsa(void *ctx, unsigned index, uint8_t *page);

static void pre_launch(void)
{
	static const uint8_t nonce[16] = {1}, iv[16] = {2};
	struct sev_tk tk = {{0x10}, {0x20}};
	struct sev_model *m = pre.sev;
	uint8_t pdh[SEV_CERT_LEN], z[48];
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
	CHECK(sev_ecdh(pre.godh, p, z) == 0);
	CHECK(sev_cert_build(pre.godh, SEV_USAGE_PDH, SEV_ALGO_ECDH_SHA256,
			     pdh[4], pdh[5], NULL, 0, pre.godh_cert) == 0);
	for (uint32_t policy = 0; policy <= LS_POLICY_BITS; policy++)
		if (!(policy & ~LS_POLICY_BITS))
			CHECK(sev_session_wrap(z, nonce, iv, &tk, policy,
					       pre.session[policy]) == 0);
	EVP_PKEY_free(p);
	OPENSSL_cleanse(z, sizeof(z));
	sev_tk_wipe(&tk);
}

/*
 * The SNP launch up to SNP_LAUNCH_FINISH: SNP_LAUNCH_START and one ZERO
 * page (so that the launch digest is not all zero, and an ID block
 * without it is refused).
 */
static void snp_launched(struct sev_model *m, struct sev_launch *l)
{
	struct kvm_sev_snp_launch_update up = {.len = 4096,
					       .type = SNP_PAGE_ZERO};
	struct sev_transport t = sev_transport_model(m);
	uint32_t fw = 0;

	memset(l, 0, sizeof(*l));
	CHECK(sevl_setup(l, SEV_MODE_SNP, ID_POLICY, t) == 0);
	CHECK(sevl_vm_init(l, false, 0) == 0);
	CHECK(sevl_snp_start(l) == 0);
	CHECK(t.ops->vm_cmd(t.ctx, KVM_SEV_SNP_LAUNCH_UPDATE, &up, &fw) == 0 &&
	      up.len == 0);
}

/* The 8 ID blocks, with the digest the model has then. */
static void pre_id_blocks(void)
{
	static const uint8_t zero[48];
	struct sev_model *m = pre.snp;
	struct sev_launch l;
	uint8_t digest[48];
	EVP_PKEY *k = NULL;

	snp_launched(m, &l);
	CHECK(sev_model_launch_digest(m, digest, sizeof(digest)) == 0 &&
	      memcmp(digest, zero, sizeof(zero)));
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
	CHECK(sev_p384_from_private(own_d, &pre.own) == 0);
	pre.sev = model_new(SEV_MODE_SEV, NULL);
	pre.snp = model_new(SEV_MODE_SNP, no_vmsa);
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

/* The model as a new VM meets it: reset, with no launch digest yet. */
static struct sev_model *model_fresh(struct sev_model *m)
{
	uint8_t d[48];

	sev_model_reset(m);
	CHECK(sev_model_launch_digest(m, d, sizeof(d)) == -ENODATA);
	return m;
}

/* LAUNCH_START with a GODH certificate and session: a valid pair for the
 * model's PDH, with input bytes flipped in either. */
static void fuzz_launch_start(const uint8_t *in, size_t n)
{
	uint8_t blob[SEV_CERT_LEN + SEV_SESSION_LEN];
	uint8_t *session = blob + SEV_CERT_LEN;
	struct sev_model *m = model_fresh(pre.sev);
	struct sev_launch l;
	uint32_t policy = n ? in[0] & LS_POLICY_BITS : 0;
	bool intact;
	int ret;

	memcpy(blob, pre.godh_cert, SEV_CERT_LEN);
	memcpy(session, pre.session[policy], SEV_SESSION_LEN);
	if (n)
		flip(blob, sizeof(blob), in + 1, n - 1);
	intact = !memcmp(blob, pre.godh_cert, SEV_CERT_LEN) &&
		 !memcmp(session, pre.session[policy], SEV_SESSION_LEN);

	memset(&l, 0, sizeof(l));
	CHECK(sevl_setup(&l, SEV_MODE_SEV, policy, sev_transport_model(m)) ==
	      0);
	CHECK(sevl_vm_init(&l, n && (in[0] & 0x80), 0) == 0);
	CHECK(sevl_set_session(&l, blob, SEV_CERT_LEN, session,
			       SEV_SESSION_LEN) == 0);
	ret = sevl_start(&l);
	CHECK(memchr(sevl_error(&l), '\n', strlen(sevl_error(&l))) == NULL);
	/* The owner's session for this platform and policy is accepted. */
	if (intact)
		CHECK(ret == 0);
}

/* No vCPUs: SNP_LAUNCH_FINISH folds no VMSA, so the digest the model has
 * after snp_launched() is the one the ID block must name. */
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
	struct sev_model *m = model_fresh(pre.snp);
	struct sev_transport t;
	struct sev_launch l;
	uint8_t sel = n ? in[0] : 0;
	bool intact;
	uint32_t fw;
	int ret;

	snp_launched(m, &l);
	t = sev_transport_model(m);
	/* The precomputed digest is this model's. */
	CHECK(sev_model_launch_digest(m, idb, 48) == 0 &&
	      memcmp(idb, pre.idb[1], 48) == 0);

	memcpy(idb, pre.idb[sel & 7], sizeof(idb));
	memcpy(auth, pre.auth[sel & 7], sizeof(auth));
	memcpy(both, idb, sizeof(idb));
	memcpy(both + sizeof(idb), auth, sizeof(auth));
	if (n)
		flip(both, sizeof(both), in + 1, n - 1);
	intact = !memcmp(both, pre.idb[sel & 7], sizeof(idb)) &&
		 !memcmp(both + sizeof(idb), pre.auth[sel & 7], sizeof(auth));
	memcpy(idb, both, sizeof(idb));
	memcpy(auth, both + sizeof(idb), sizeof(auth));

	fin.id_block_uaddr = (uintptr_t)idb;
	fin.id_auth_uaddr = (uintptr_t)auth;
	fin.id_block_en = !(sel & 8);
	fin.auth_key_en = !!(sel & 16);
	fin.vcek_disabled = !!(sel & 32);
	fw = 0;
	ret = t.ops->vm_cmd(t.ctx, KVM_SEV_SNP_LAUNCH_FINISH, &fin, &fw);
	/* Unchanged, the firmware takes exactly the right ID blocks (digest,
	 * policy and signatures), and anything without one. */
	if (intact || !fin.id_block_en)
		CHECK((ret == 0) == (!fin.id_block_en || (sel & 7) == 7));
	else if (ret == 0)
		CHECK(sel & 4); /* never accepted unsigned */
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
