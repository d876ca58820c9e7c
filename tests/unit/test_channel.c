// SPDX-License-Identifier: MIT
/*
 * sev/channel.c: the launch channel's cryptography against the known
 * answers published by virtee/sev (src/session/key.rs, src/session/mod.rs,
 * tests/id-block.rs) and virtee/sevctl (tests/secretbuild.rs), and against
 * an independently generated LAUNCH_START -> LAUNCH_SECRET vector (below;
 * no public source, a regression test only), both the owner's and the
 * firmware's direction, and every refusal.
 */
#include <errno.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "sev/sev.h"
#include "tests/unit/testutil.h"

/* ---------------------------------------------------------------- helpers */

static void ck_hex(const uint8_t *got, const char *want_hex, size_t n)
{
	uint8_t want[256];

	ck_assert_uint_le(n, sizeof(want));
	ck_unhex(want_hex, want, n);
	ck_assert_mem_eq(got, want, n);
}

static void seq(uint8_t *p, size_t n, uint8_t first)
{
	for (size_t k = 0; k < n; k++)
		p[k] = (uint8_t)(first + k);
}

/* ------------------------------------------------ the independent vector */

#define V_D_PDH                                                                \
	"361669bd963bc8919fef763fbea485c2c5a9c9a362c2bb7d7123f442d117c631c5c2" \
	"01a1210d3631974f5ce3d5a106e1"
#define V_D_GODH                                                               \
	"180b752cac15644b1bbe71c94af8343cce3d7c392d6fdb8d330d1a828f1de344831e" \
	"9fc510af8609d28a601ba45d2f2b"
#define V_PDH_QX                                                               \
	"fe7b87ed8ed9f9eba66bd9d3c9c6ede09d77dbfcda3ccb76fd10e4e0c554eb787211" \
	"0fd7caecbdf3034d3bfc1ffa7547"
#define V_GODH_QX                                                              \
	"493f2d204aaf1c63cdc1cef5ff42c87313695067c90c2dd59382bae0607f1b5d4f19" \
	"496e7fc9b43ba5fe1de8caad5ef6"
#define V_Z                                                                    \
	"744f1175af3445d173eeb550ba3eb978de4b7a759e6d2b538b643da87df396e8908d" \
	"749d81a7c73efa99e45500b6045d"
#define V_MASTER "89365b4a516a3a19ddf481deed0c7f06"
#define V_KEK	 "c9e57da38fe3e7ed4bb97fb1967a0218"
#define V_KIK	 "dd4f6a87bef2c7805ae3733ec8ad53e9"
#define V_WRAP_TK                                                              \
	"f47bf639fb44d69debc0ab85fcc614f24474f72ce3a406ada1873a6634d41eb2"
#define V_WRAP_MAC                                                             \
	"e743a8d6a6925ebd1f9298c65024aa17307b3b92377093a3fbb472d74de92b53"
#define V_POLICY_MAC                                                           \
	"da0e0ec9ab90ccdf7f3e24a586511c2dc55694b3541828e79ec83d525299c961"
#define V_LD "ad7facb2586fc6e966c004d7d1d16b024f5805ff7cb47c7a85dabd8b48892ca7"
#define V_MEASURE                                                              \
	"139f3c349b17d5f57eaab81758119bc1090b4224ab10d9910956f0171a87b066"
#define V_CIPHER                                                               \
	"1afbf369ce938d4fefed420bed8b7b41801557f154857d285950fb0e4fc0be53"
#define V_HDR                                                                  \
	"00000000505152535455565758595a5b5c5d5e5ff9af1073b848728bc8f4a075250b" \
	"6c9f4639bdf4fc596f7f862b981a7f17eedc"
#define V_POLICY 1u

static void v_tk(struct sev_tk *tk)
{
	seq(tk->tek, 16, 0x20);
	seq(tk->tik, 16, 0x30);
}

static EVP_PKEY *v_key(const char *dhex)
{
	uint8_t d[48];
	EVP_PKEY *k = NULL;

	ck_unhex(dhex, d, 48);
	ck_assert_int_eq(sev_p384_from_private(d, &k), 0);
	ck_assert_ptr_nonnull(k);
	return k;
}

static void v_session(uint8_t session[SEV_SESSION_LEN])
{
	uint8_t z[48], nonce[16], iv[16];
	struct sev_tk tk;

	ck_unhex(V_Z, z, 48);
	seq(nonce, 16, 0x00);
	seq(iv, 16, 0x10);
	v_tk(&tk);
	ck_assert_int_eq(sev_session_wrap(z, nonce, iv, &tk, V_POLICY, session),
			 0);
}

/* ------------------------------------------------------------------- KDF */

START_TEST(kdf_virtee_master)
{
	uint8_t zero[16] = {0}, out[16];

	/* virtee/sev src/session/key.rs test derive (MASTER; KEK and KIK from
	 * the same inputs): Kin = 16 zero bytes, context = 16 zero bytes. */
	ck_assert_int_eq(
		sev_kdf(zero, 16, "sev-master-secret", zero, 16, out, 16), 0);
	ck_hex(out, "ab4d269fcc62bedb4511d56c386ce706", 16);
	ck_assert_int_eq(sev_kdf(out, 16, "sev-kek", NULL, 0, out, 16), 0);
	ck_hex(out, "b6abfbfb75ea1ea74ed8750b8afdb973", 16);
	ck_unhex("ab4d269fcc62bedb4511d56c386ce706", out, 16);
	ck_assert_int_eq(sev_kdf(out, 16, "sev-kik", NULL, 0, out, 16), 0);
	ck_hex(out, "53b524bf5669a363f365c864acba8572", 16);
}
END_TEST

START_TEST(kdf_vector_93)
{
	uint8_t z[48], nonce[16], master[16], kek[16], kik[16];

	ck_unhex(V_Z, z, 48);
	seq(nonce, 16, 0);
	ck_assert_int_eq(
		sev_kdf(z, 48, "sev-master-secret", nonce, 16, master, 16), 0);
	ck_hex(master, V_MASTER, 16);
	ck_assert_int_eq(sev_kdf(master, 16, "sev-kek", NULL, 0, kek, 16), 0);
	ck_hex(kek, V_KEK, 16);
	ck_assert_int_eq(sev_kdf(master, 16, "sev-kik", NULL, 0, kik, 16), 0);
	ck_hex(kik, V_KIK, 16);
}
END_TEST

START_TEST(kdf_long_output_and_refusals)
{
	uint8_t key[16] = {1}, a[80], b[32];

	/* More than one block: the first 32 bytes are block 1 on its own. */
	ck_assert_int_eq(sev_kdf(key, 16, "x", NULL, 0, a, sizeof(a)), 0);
	ck_assert_int_eq(sev_kdf(key, 16, "x", NULL, 0, b, sizeof(b)), 0);
	/* L is part of the input, so the prefixes differ. */
	ck_assert_mem_ne(a, b, 32);
	ck_assert_int_eq(sev_kdf(key, 16, NULL, NULL, 0, b, 16), -EINVAL);
	ck_assert_int_eq(sev_kdf(key, 16, "x", NULL, 0, b, 0), -EINVAL);
	ck_assert_int_eq(sev_kdf(key, 16, "x", NULL, 4, b, 16), -EINVAL);
}
END_TEST

START_TEST(aes_ctr_virtee_wrap_tk)
{
	uint8_t kek[16], iv[16] = {0}, keys[32] = {0}, out[32];

	/* virtee/sev src/session/mod.rs test session: TEK = TIK = 0 under KEK
	 * with IV 0 is WRAP_TK. */
	ck_unhex("b6abfbfb75ea1ea74ed8750b8afdb973", kek, 16);
	ck_assert_int_eq(sev_aes128_ctr(kek, iv, keys, 32, out), 0);
	ck_hex(out,
	       "2137bc7f9bb8bd7c3e55a576a15d3454b3856b8ba27afadf46dcfee9f02c02"
	       "c4",
	       32);
	/* In place, and its own inverse. */
	ck_assert_int_eq(sev_aes128_ctr(kek, iv, out, 32, out), 0);
	ck_assert_mem_eq(out, keys, 32);
}
END_TEST

/* ------------------------------------------------------------ keys, ECDH */

START_TEST(p384_private_round_trip)
{
	uint8_t d[48], back[48];
	EVP_PKEY *k = v_key(V_D_PDH);

	ck_unhex(V_D_PDH, d, 48);
	ck_assert_int_eq(sev_p384_private(k, back), 0);
	ck_assert_mem_eq(d, back, 48);
	EVP_PKEY_free(k);

	ck_assert_int_eq(sev_p384_generate(&k), 0);
	ck_assert_int_eq(sev_p384_private(k, back), 0);
	EVP_PKEY_free(k);
}
END_TEST

START_TEST(p384_private_refuses_out_of_range)
{
	/* 0 and the group order n are no private keys. */
	static const char n_hex[] = "ffffffffffffffffffffffffffffffffffffffffff"
				    "ffffffc7634d81f4372dd"
				    "f581a0db248b0a77aecec196accc52973";
	uint8_t d[48] = {0};
	EVP_PKEY *k = NULL;

	ck_assert_int_eq(sev_p384_from_private(d, &k), -EINVAL);
	ck_assert_ptr_null(k);
	ck_unhex(n_hex, d, 48);
	ck_assert_int_eq(sev_p384_from_private(d, &k), -EINVAL);
	ck_assert_ptr_null(k);
	d[47] -= 1; /* n - 1 is fine */
	ck_assert_int_eq(sev_p384_from_private(d, &k), 0);
	EVP_PKEY_free(k);
}
END_TEST

START_TEST(cert_vector_qx)
{
	uint8_t cert[SEV_CERT_LEN], zero[24] = {0};
	EVP_PKEY *pdh = v_key(V_D_PDH), *godh = v_key(V_D_GODH);

	ck_assert_int_eq(sev_cert_build(pdh, SEV_USAGE_PDH,
					SEV_ALGO_ECDH_SHA256, 1, 55, NULL, 0,
					cert),
			 0);
	ck_assert_uint_eq(get_le32(cert, 0x000), 1);
	ck_assert_uint_eq(cert[4], 1);
	ck_assert_uint_eq(cert[5], 55);
	ck_assert_uint_eq(get_le32(cert, 0x008), SEV_USAGE_PDH);
	ck_assert_uint_eq(get_le32(cert, 0x00c), SEV_ALGO_ECDH_SHA256);
	ck_assert_uint_eq(get_le32(cert, 0x010), 2);
	ck_hex(cert + 0x014, V_PDH_QX, 48);
	ck_assert_mem_eq(cert + 0x014 + 48, zero, 24);
	/* Both signature slots empty. */
	ck_assert_uint_eq(get_le32(cert, 0x414), 0x1000);
	ck_assert_uint_eq(get_le32(cert, 0x418), 0);
	ck_assert_uint_eq(get_le32(cert, 0x61c), 0x1000);
	ck_assert_uint_eq(get_le32(cert, 0x620), 0);

	ck_assert_int_eq(sev_cert_build(godh, SEV_USAGE_PDH,
					SEV_ALGO_ECDH_SHA256, 0, 0, NULL, 0,
					cert),
			 0);
	ck_hex(cert + 0x014, V_GODH_QX, 48);
	EVP_PKEY_free(pdh);
	EVP_PKEY_free(godh);
}
END_TEST

START_TEST(ecdh_both_directions)
{
	EVP_PKEY *pdh = v_key(V_D_PDH), *godh = v_key(V_D_GODH);
	EVP_PKEY *pdh_pub = NULL, *godh_pub = NULL;
	uint8_t cert[SEV_CERT_LEN], z[48];
	char err[160] = "";

	/* Each side sees the other only through its certificate. */
	ck_assert_int_eq(sev_cert_build(pdh, SEV_USAGE_PDH,
					SEV_ALGO_ECDH_SHA256, 1, 55, NULL, 0,
					cert),
			 0);
	ck_assert_int_eq(sev_cert_public_key(cert, SEV_USAGE_PDH, &pdh_pub, err,
					     sizeof(err)),
			 0);
	ck_assert_int_eq(sev_cert_build(godh, SEV_USAGE_PDH,
					SEV_ALGO_ECDH_SHA256, 0, 0, NULL, 0,
					cert),
			 0);
	ck_assert_int_eq(sev_cert_public_key(cert, SEV_USAGE_PDH, &godh_pub,
					     err, sizeof(err)),
			 0);

	ck_assert_int_eq(sev_ecdh(godh, pdh_pub, z), 0);
	ck_hex(z, V_Z, 48);
	memset(z, 0, sizeof(z));
	ck_assert_int_eq(sev_ecdh(pdh, godh_pub, z), 0);
	ck_hex(z, V_Z, 48);

	EVP_PKEY_free(pdh);
	EVP_PKEY_free(godh);
	EVP_PKEY_free(pdh_pub);
	EVP_PKEY_free(godh_pub);
}
END_TEST

/* ---------------------------------------------------------- certificates */

START_TEST(cert_round_trip_signed)
{
	EVP_PKEY *pek = NULL, *pdh = NULL, *back = NULL, *pek_pub = NULL;
	uint8_t cert[SEV_CERT_LEN], pek_cert[SEV_CERT_LEN], zero[0x200 - 144];
	char err[160] = "";

	memset(zero, 0, sizeof(zero));
	ck_assert_int_eq(sev_p384_generate(&pek), 0);
	ck_assert_int_eq(sev_p384_generate(&pdh), 0);
	ck_assert_int_eq(sev_cert_build(pdh, SEV_USAGE_PDH,
					SEV_ALGO_ECDH_SHA256, 1, 55, pek,
					SEV_USAGE_PEK, cert),
			 0);
	ck_assert_int_eq(sev_cert_public_key(cert, SEV_USAGE_PDH, &back, err,
					     sizeof(err)),
			 0);
	ck_assert_int_eq(EVP_PKEY_eq(back, pdh), 1);

	/* SIG1 by the PEK, ECDSA P-384 SHA-256 over [0, 0x414). */
	ck_assert_uint_eq(get_le32(cert, 0x414), SEV_USAGE_PEK);
	ck_assert_uint_eq(get_le32(cert, 0x418), SEV_ALGO_ECDSA_SHA256);
	ck_assert_mem_eq(cert + 0x41c + 144, zero, sizeof(zero));
	ck_assert_uint_eq(get_le32(cert, 0x61c), 0x1000);
	ck_assert_int_eq(
		sev_ecdsa_verify(pek, EVP_sha256(), cert, 0x414, cert + 0x41c),
		0);
	cert[0x20] ^= 1; /* the body changed: the signature fails */
	ck_assert_int_eq(
		sev_ecdsa_verify(pek, EVP_sha256(), cert, 0x414, cert + 0x41c),
		-EBADMSG);

	/* An ECDSA cert reads back with its usage. */
	ck_assert_int_eq(sev_cert_build(pek, SEV_USAGE_PEK,
					SEV_ALGO_ECDSA_SHA256, 1, 55, NULL, 0,
					pek_cert),
			 0);
	ck_assert_int_eq(sev_cert_public_key(pek_cert, SEV_USAGE_PEK, &pek_pub,
					     err, sizeof(err)),
			 0);
	ck_assert_int_eq(EVP_PKEY_eq(pek_pub, pek), 1);

	EVP_PKEY_free(pek);
	EVP_PKEY_free(pdh);
	EVP_PKEY_free(back);
	EVP_PKEY_free(pek_pub);
}
END_TEST

/* Build a good PDH cert, damage it, expect -EINVAL and a sentence. */
static void bad_cert(void (*damage)(uint8_t *cert), const char *word)
{
	uint8_t cert[SEV_CERT_LEN];
	EVP_PKEY *k = v_key(V_D_PDH), *out = (EVP_PKEY *)&cert;
	char err[200] = "";

	ck_assert_int_eq(sev_cert_build(k, SEV_USAGE_PDH, SEV_ALGO_ECDH_SHA256,
					1, 55, NULL, 0, cert),
			 0);
	damage(cert);
	ck_assert_int_eq(sev_cert_public_key(cert, SEV_USAGE_PDH, &out, err,
					     sizeof(err)),
			 -EINVAL);
	ck_assert_ptr_null(out);
	ck_assert_msg(strstr(err, word), "err \"%s\" lacks \"%s\"", err, word);
	EVP_PKEY_free(k);
}

static void dmg_version(uint8_t *c)
{
	put_le32(c, 0, 2);
}
static void dmg_usage(uint8_t *c)
{
	put_le32(c, 8, SEV_USAGE_PEK);
}
static void dmg_algo(uint8_t *c)
{
	put_le32(c, 12, SEV_ALGO_ECDSA_SHA256);
}
static void dmg_curve(uint8_t *c)
{
	put_le32(c, 0x10, 1);
}
static void dmg_point(uint8_t *c)
{
	c[0x5c] ^= 1; /* QY's lowest byte */
}
static void dmg_wide(uint8_t *c)
{
	c[0x5c + 71] = 1; /* QY >= 2^384 */
}
static void dmg_zero_point(uint8_t *c)
{
	memset(c + 0x14, 0, 144);
}

START_TEST(cert_rejects)
{
	bad_cert(dmg_version, "version 2");
	bad_cert(dmg_usage, "usage is 0x1002");
	bad_cert(dmg_algo, "algorithm 0x2");
	bad_cert(dmg_curve, "curve is 1");
	bad_cert(dmg_point, "not on P-384");
	bad_cert(dmg_wide, "not on P-384");
	bad_cert(dmg_zero_point, "not on P-384");
}
END_TEST

START_TEST(cert_accepts_ecdh_sha384_pdh)
{
	uint8_t cert[SEV_CERT_LEN];
	EVP_PKEY *k = v_key(V_D_PDH), *out = NULL;

	ck_assert_int_eq(sev_cert_build(k, SEV_USAGE_PDH, SEV_ALGO_ECDH_SHA384,
					1, 55, NULL, 0, cert),
			 0);
	ck_assert_int_eq(
		sev_cert_public_key(cert, SEV_USAGE_PDH, &out, NULL, 0), 0);
	EVP_PKEY_free(out);
	EVP_PKEY_free(k);
}
END_TEST

START_TEST(ecc_pubkey_and_sha384_signature)
{
	uint8_t key[SEV_ECC_PUBKEY_LEN], sig[SEV_ECDSA_SIG_LEN], msg[96];
	EVP_PKEY *k = NULL, *pub = NULL;
	char err[120] = "";

	seq(msg, sizeof(msg), 7);
	ck_assert_int_eq(sev_p384_generate(&k), 0);
	ck_assert_int_eq(sev_ecc_pubkey_put(k, key), 0);
	ck_assert_int_eq(sev_ecc_pubkey_parse(key, &pub, err, sizeof(err)), 0);
	ck_assert_int_eq(sev_ecdsa_sign(k, EVP_sha384(), msg, sizeof(msg), sig),
			 0);
	ck_assert_int_eq(
		sev_ecdsa_verify(pub, EVP_sha384(), msg, sizeof(msg), sig), 0);
	/* The hash is part of it. */
	ck_assert_int_eq(
		sev_ecdsa_verify(pub, EVP_sha256(), msg, sizeof(msg), sig),
		-EBADMSG);
	sig[0] ^= 1;
	ck_assert_int_eq(
		sev_ecdsa_verify(pub, EVP_sha384(), msg, sizeof(msg), sig),
		-EBADMSG);
	/* R = S = 0 is not a signature. */
	memset(sig, 0, sizeof(sig));
	ck_assert_int_eq(
		sev_ecdsa_verify(pub, EVP_sha384(), msg, sizeof(msg), sig),
		-EBADMSG);
	EVP_PKEY_free(k);
	EVP_PKEY_free(pub);
}
END_TEST

/* virtee/sev tests/id-block.rs: its ID block and authentication structure,
 * made with its test keys: both signatures verify, and the key digests are
 * virtee's. */
START_TEST(id_auth_virtee_vector)
{
	static const char idb_b64[] =
		"oU1jg0HlZ0Yo/h4C++3r5eWrT68d1y2JZgaOYVu5nv0T0hSzXCMXFbOOJj3GBZ"
		"dFAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAABAAAAAAAAAAAAAwAA"
		"AAAA";
	uint8_t idb[96], auth[4096], digest[48], want[48];
	uint8_t key[SEV_ECC_PUBKEY_LEN];
	EVP_PKEY *id_key = NULL, *author = NULL;
	char path[1024], err[160] = "";
	unsigned n = 0;
	FILE *f;

	if (!shared_path("testdata/virtee/sev/tests/measurement/"
			 "test_auth_block.bin",
			 path, sizeof(path)))
		SKIP_TEST("virtee's test_auth_block.bin is not in ../shared");
	f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fread(auth, 1, sizeof(auth), f), sizeof(auth));
	fclose(f);
	ck_assert_uint_eq(ck_unbase64(idb_b64, idb, sizeof(idb)), 96);
	ck_assert_uint_eq(get_le64(idb, 0x58), 0x30000);

	ck_assert_uint_eq(get_le32(auth, 0), 1);
	ck_assert_uint_eq(get_le32(auth, 4), 1);
	ck_assert_int_eq(
		sev_ecc_pubkey_parse(auth + 0x240, &id_key, err, sizeof(err)),
		0);
	ck_assert_int_eq(
		sev_ecc_pubkey_parse(auth + 0x880, &author, err, sizeof(err)),
		0);
	ck_assert_int_eq(
		sev_ecdsa_verify(id_key, EVP_sha384(), idb, 96, auth + 0x40),
		0);
	ck_assert_int_eq(sev_ecdsa_verify(author, EVP_sha384(), auth + 0x240,
					  0x404, auth + 0x680),
			 0);
	idb[0] ^= 1;
	ck_assert_int_eq(
		sev_ecdsa_verify(id_key, EVP_sha384(), idb, 96, auth + 0x40),
		-EBADMSG);

	ck_assert_int_eq(
		EVP_Digest(auth + 0x240, 0x404, digest, &n, EVP_sha384(), NULL),
		1);
	ck_assert_uint_eq(ck_unbase64("WfssaG36T+9J84M5qndckAUcKNVzg93DuvO160sUlt"
				   "87DbvcuuX+J2d6ZEggdz/i",
				   want, sizeof(want)),
			  48);
	ck_assert_mem_eq(digest, want, 48);
	ck_assert_int_eq(
		EVP_Digest(auth + 0x880, 0x404, digest, &n, EVP_sha384(), NULL),
		1);
	ck_assert_uint_eq(ck_unbase64("7tgRafsMteDsNHlPEo/U4MSkb2fGWhrfqB/LJLzAiM"
				   "JyNpt//D6ytq9qQoShs2xf",
				   want, sizeof(want)),
			  48);
	ck_assert_mem_eq(digest, want, 48);

	/* put writes back the very bytes parse read. */
	ck_assert_int_eq(sev_ecc_pubkey_put(id_key, key), 0);
	ck_assert_mem_eq(key, auth + 0x240, 0x404);
	EVP_PKEY_free(id_key);
	EVP_PKEY_free(author);
}
END_TEST

/* ---------------------------------------------------------------- session */

START_TEST(session_wrap_vector)
{
	uint8_t session[SEV_SESSION_LEN];

	v_session(session);
	ck_hex(session + 0x00, "000102030405060708090a0b0c0d0e0f", 16);
	ck_hex(session + 0x10, V_WRAP_TK, 32);
	ck_hex(session + 0x30, "101112131415161718191a1b1c1d1e1f", 16);
	ck_hex(session + 0x40, V_WRAP_MAC, 32);
	ck_hex(session + 0x60, V_POLICY_MAC, 32);
}
END_TEST

START_TEST(session_unwrap_vector)
{
	uint8_t session[SEV_SESSION_LEN], z[48];
	struct sev_tk tk, want;

	/* The firmware's side, from its own key and the GODH cert. */
	v_session(session);
	ck_unhex(V_Z, z, 48);
	ck_assert_int_eq(sev_session_unwrap(z, session, V_POLICY, &tk), 0);
	v_tk(&want);
	ck_assert_mem_eq(tk.tek, want.tek, 16);
	ck_assert_mem_eq(tk.tik, want.tik, 16);
	sev_tk_wipe(&tk);
	memset(&want, 0, sizeof(want));
	ck_assert_mem_eq(&tk, &want, sizeof(tk));
}
END_TEST

START_TEST(session_unwrap_mac_failures)
{
	static const struct sev_tk zero;
	uint8_t session[SEV_SESSION_LEN], z[48];
	struct sev_tk tk;

	ck_unhex(V_Z, z, 48);
	/* WRAP_MAC, WRAP_TK (its MAC no longer fits), POLICY_MAC, the policy
	 * itself, the nonce (other KEK/KIK) and Z: all BAD_MEASUREMENT. */
	static const size_t flips[] = {0x40, 0x10, 0x60, 0x00};
	for (size_t k = 0; k < sizeof(flips) / sizeof(flips[0]); k++) {
		v_session(session);
		session[flips[k]] ^= 0x80;
		memset(&tk, 0x55, sizeof(tk));
		ck_assert_int_eq(sev_session_unwrap(z, session, V_POLICY, &tk),
				 -EBADMSG);
		ck_assert_mem_eq(&tk, &zero, sizeof(tk));
	}
	v_session(session);
	ck_assert_int_eq(sev_session_unwrap(z, session, V_POLICY | 4, &tk),
			 -EBADMSG);
	ck_assert_mem_eq(&tk, &zero, sizeof(tk));
	z[0] ^= 1;
	ck_assert_int_eq(sev_session_unwrap(z, session, V_POLICY, &tk),
			 -EBADMSG);
}
END_TEST

START_TEST(measure_vector)
{
	uint8_t ld[32], mnonce[16], out[32];
	struct sev_tk tk;

	/* measure.c's HMAC on the same vector: one formula for the chain. */
	v_tk(&tk);
	ck_unhex(V_LD, ld, 32);
	seq(mnonce, 16, 0x40);
	ck_assert_int_eq(measure_launch_hmac(tk.tik, 1, 55, 25, V_POLICY, ld,
					     mnonce, out),
			 0);
	ck_hex(out, V_MEASURE, 32);
}
END_TEST

/* ------------------------------------------------------------- the secret */

START_TEST(secret_seal_vector)
{
	uint8_t measure[32], iv[16], plain[32], hdr[SEV_PACKET_HDR_LEN],
		trans[32];
	struct sev_tk tk;

	v_tk(&tk);
	ck_unhex(V_MEASURE, measure, 32);
	seq(iv, 16, 0x50);
	memset(plain, 0xaa, sizeof(plain));
	ck_assert_int_eq(
		sev_secret_seal(&tk, measure, iv, plain, 32, hdr, trans), 0);
	ck_hex(hdr, V_HDR, SEV_PACKET_HDR_LEN);
	ck_hex(trans, V_CIPHER, 32);
}
END_TEST

START_TEST(secret_open_vector)
{
	uint8_t measure[32], hdr[SEV_PACKET_HDR_LEN], trans[32], plain[32],
		want[32];
	struct sev_tk tk;

	v_tk(&tk);
	ck_unhex(V_MEASURE, measure, 32);
	ck_unhex(V_HDR, hdr, sizeof(hdr));
	ck_unhex(V_CIPHER, trans, 32);
	memset(want, 0xaa, sizeof(want));
	ck_assert_int_eq(sev_secret_open(&tk, measure, hdr, trans, 32, plain),
			 0);
	ck_assert_mem_eq(plain, want, 32);
}
END_TEST

START_TEST(secret_seal_then_open)
{
	uint8_t measure[32], iv[16], plain[SEV_SECRET_MAX],
		back[SEV_SECRET_MAX];
	uint8_t hdr[SEV_PACKET_HDR_LEN];
	static uint8_t trans[SEV_SECRET_MAX];
	struct sev_tk tk;

	v_tk(&tk);
	seq(measure, 32, 0x99);
	seq(iv, 16, 0xf8); /* the low bytes of the counter wrap */
	for (size_t k = 0; k < sizeof(plain); k++)
		plain[k] = (uint8_t)(k * 7);
	ck_assert_int_eq(sev_secret_seal(&tk, measure, iv, plain, sizeof(plain),
					 hdr, trans),
			 0);
	ck_assert_int_eq(
		sev_secret_open(&tk, measure, hdr, trans, sizeof(plain), back),
		0);
	ck_assert_mem_eq(plain, back, sizeof(plain));
}
END_TEST

START_TEST(secret_open_failures)
{
	uint8_t measure[32], hdr[SEV_PACKET_HDR_LEN], trans[32], plain[32],
		untouched[32];
	struct sev_tk tk;

	v_tk(&tk);
	memset(untouched, 0x77, sizeof(untouched));

	/* A flipped bit anywhere the MAC covers: BAD_MEASUREMENT, and the
	 * plaintext buffer is not written. */
	for (int what = 0; what < 6; what++) {
		ck_unhex(V_MEASURE, measure, 32);
		ck_unhex(V_HDR, hdr, sizeof(hdr));
		ck_unhex(V_CIPHER, trans, 32);
		switch (what) {
		case 0:
			hdr[0x14] ^= 1;
			break; /* MAC */
		case 1:
			hdr[0x04] ^= 1;
			break; /* IV */
		case 2:
			hdr[0x00] ^= 2;
			break; /* FLAGS (not COMPRESSED) */
		case 3:
			trans[31] ^= 1;
			break; /* ciphertext */
		case 4:
			measure[0] ^= 1;
			break; /* another measurement */
		case 5:
			tk.tik[0] ^= 1;
			break; /* another TIK */
		}
		memcpy(plain, untouched, sizeof(plain));
		ck_assert_int_eq(
			sev_secret_open(&tk, measure, hdr, trans, 32, plain),
			-EBADMSG);
		ck_assert_mem_eq(plain, untouched, sizeof(plain));
		v_tk(&tk);
	}
	/* guest_len and trans_len are in the MAC: a shorter packet fails. */
	ck_unhex(V_HDR, hdr, sizeof(hdr));
	ck_assert_int_eq(sev_secret_open(&tk, measure, hdr, trans, 16, plain),
			 -EBADMSG);
	/* Lengths the firmware refuses before any MAC. */
	ck_assert_int_eq(sev_secret_open(&tk, measure, hdr, trans, 0, plain),
			 -EINVAL);
	ck_assert_int_eq(sev_secret_open(&tk, measure, hdr, trans, 31, plain),
			 -EINVAL);
}
END_TEST

START_TEST(secret_compressed_unsupported)
{
	uint8_t measure[32], hdr[SEV_PACKET_HDR_LEN], trans[32], plain[32];
	uint8_t msg[1 + 4 + 16 + 8 + 32 + 32], mac[32];
	unsigned maclen = 0;
	struct sev_tk tk;

	/* A packet with a valid MAC and COMPRESSED set, MAC computed here
	 * from the formula of AMD-ASPFW sev_channel.c sev_channel_hmac() (an
	 * independent check of it, too). */
	v_tk(&tk);
	ck_unhex(V_MEASURE, measure, 32);
	ck_unhex(V_HDR, hdr, sizeof(hdr));
	ck_unhex(V_CIPHER, trans, 32);
	put_le32(hdr, 0, 1);
	msg[0] = 0x01;
	memcpy(msg + 1, hdr, 4);
	memcpy(msg + 5, hdr + 4, 16);
	put_le32(msg, 21, 32);
	put_le32(msg, 25, 32);
	memcpy(msg + 29, trans, 32);
	memcpy(msg + 61, measure, 32);
	ck_assert_ptr_nonnull(
		HMAC(EVP_sha256(), tk.tik, 16, msg, sizeof(msg), mac, &maclen));
	ck_assert_uint_eq(maclen, 32);
	memcpy(hdr + 0x14, mac, 32);
	ck_assert_int_eq(sev_secret_open(&tk, measure, hdr, trans, 32, plain),
			 -EOPNOTSUPP);

	/* The same formula with FLAGS 0 is the vector's MAC. */
	put_le32(msg, 1, 0);
	ck_assert_ptr_nonnull(
		HMAC(EVP_sha256(), tk.tik, 16, msg, sizeof(msg), mac, &maclen));
	ck_hex(mac, V_HDR + 40, 32);
}
END_TEST

START_TEST(secret_seal_refusals)
{
	static uint8_t big[SEV_SECRET_MAX + 16];
	uint8_t measure[32] = {0}, iv[16] = {0}, hdr[SEV_PACKET_HDR_LEN];
	static uint8_t trans[SEV_SECRET_MAX + 16];
	struct sev_tk tk;

	v_tk(&tk);
	ck_assert_int_eq(sev_secret_seal(&tk, measure, iv, big, 0, hdr, trans),
			 -EINVAL);
	ck_assert_int_eq(sev_secret_seal(&tk, measure, iv, big, 17, hdr, trans),
			 -EINVAL);
	ck_assert_int_eq(sev_secret_seal(&tk, measure, iv, big,
					 SEV_SECRET_MAX + 16, hdr, trans),
			 -EINVAL);
	ck_assert_int_eq(sev_secret_seal(&tk, measure, iv, big, SEV_SECRET_MAX,
					 hdr, trans),
			 0);
}
END_TEST

/* virtee/sevctl tests/secretbuild.rs: its secret, table and packet. */
START_TEST(secret_sevctl_vector)
{
	static const char secret[] = "MY-LUKS-PASSPHRASE";
	struct sev_secret_entry e = {.data = (const uint8_t *)secret,
				     .len = sizeof(secret) - 1};
	uint8_t table[128], measure[48], iv[16], hdr[SEV_PACKET_HDR_LEN],
		trans[64], want[64];
	size_t len = 0;
	struct sev_tk tk;

	ck_assert_int_eq(
		guid_parse("736869e5-84f0-4973-92ec-06879ce3da0b", &e.guid),
		0);
	ck_assert_int_eq(sev_secret_table(&e, 1, table, sizeof(table), &len),
			 0);
	ck_assert_uint_eq(len, 64);
	ck_hex(table,
	       "42f5741edd71664d963eef4287ff173b3a000000e5696873f084734992ec06"
	       "879ce3da0b260000004d592d4c554b532d50415353504852415345000000000"
	       "000",
	       64);

	ck_unhex("52a869b79ab9c13bb6a92b0561619cb3", tk.tek, 16);
	ck_unhex("c6d5a9956133050912b24bbe5c372686", tk.tik, 16);
	ck_unhex("ac5474ed4dd32c7d989ec523d92559ec", iv, 16);
	ck_assert_uint_eq(ck_unbase64("TLeA7607lZQntLjRY1/i+sbtdSZ+75zxpz4Px9hzpB"
				   "LwItF5Q2o4prA++3ZZv9ZS",
				   measure, sizeof(measure)),
			  48);
	ck_assert_int_eq(
		sev_secret_seal(&tk, measure, iv, table, len, hdr, trans), 0);
	ck_assert_uint_eq(ck_unbase64("AAAAAKxUdO1N0yx9mJ7FI9klWey8FSzeYQ4X8K71Vz"
				   "NKLU/KQsIsQxLjtbhaPUewqshX5Q==",
				   want, sizeof(want)),
			  SEV_PACKET_HDR_LEN);
	ck_assert_mem_eq(hdr, want, SEV_PACKET_HDR_LEN);
	ck_assert_uint_eq(ck_unbase64("0U3e5PcXv0UW+H4tSBFKOdCYfKE1+j38Bc2fuO16mY"
				   "iyI+sWx7INfn+lgYj56GL12yyinDa+lVfCCwD/2w5"
				   "cPA==",
				   want, sizeof(want)),
			  64);
	ck_assert_mem_eq(trans, want, 64);
}
END_TEST

/* ------------------------------------------------------ GUIDs and tables */

START_TEST(secret_table_layout)
{
	static const uint8_t a[] = "abc", b[13] = {1, 2, 3};
	struct sev_secret_entry e[2] = {
		{.data = a, .len = 3},
		{.data = b, .len = sizeof(b)},
	};
	uint8_t out[128];
	size_t len = 0, total = 20 + (20 + 3) + (20 + 13);

	memset(out, 0xee, sizeof(out));
	memset(e[0].guid.b, 0x11, 16);
	memset(e[1].guid.b, 0x22, 16);
	ck_assert_int_eq(sev_secret_table(e, 2, out, sizeof(out), &len), 0);
	/* 76 unpadded bytes in the header; 80 written, the tail zero. */
	ck_assert_uint_eq(total, 76);
	ck_assert_uint_eq(len, 80);
	ck_hex(out, "42f5741edd71664d963eef4287ff173b", 16);
	ck_assert_uint_eq(get_le32(out, 16), total);
	ck_assert_mem_eq(out + 20, e[0].guid.b, 16);
	ck_assert_uint_eq(get_le32(out, 36), 23);
	ck_assert_mem_eq(out + 40, "abc", 3);
	ck_assert_mem_eq(out + 43, e[1].guid.b, 16);
	ck_assert_uint_eq(get_le32(out, 59), 33);
	ck_assert_mem_eq(out + 63, b, sizeof(b));
	for (size_t k = total; k < len; k++)
		ck_assert_uint_eq(out[k], 0);
	ck_assert_uint_eq(out[len], 0xee); /* nothing past the padding */

	/* An empty table is its 20-byte header, padded to 32. */
	ck_assert_int_eq(sev_secret_table(NULL, 0, out, sizeof(out), &len), 0);
	ck_assert_uint_eq(len, 32);
	ck_assert_uint_eq(get_le32(out, 16), 20);

	/* Already a multiple of 16: no padding. */
	uint8_t d[24] = {0};
	struct sev_secret_entry one = {.data = d, .len = sizeof(d)};
	ck_assert_int_eq(sev_secret_table(&one, 1, out, sizeof(out), &len), 0);
	ck_assert_uint_eq(len, 64);
	ck_assert_uint_eq(get_le32(out, 16), 64);
}
END_TEST

START_TEST(secret_table_nospace)
{
	static const uint8_t a[] = "abc";
	struct sev_secret_entry e = {.data = a, .len = 3};
	uint8_t out[64];
	size_t len = 0;

	/* 43 bytes need 48. */
	ck_assert_int_eq(sev_secret_table(&e, 1, out, 47, &len), -ENOSPC);
	ck_assert_int_eq(sev_secret_table(&e, 1, out, 48, &len), 0);
	ck_assert_uint_eq(len, 48);
	e.len = SIZE_MAX - 8;
	ck_assert_int_eq(sev_secret_table(&e, 1, out, sizeof(out), &len),
			 -ENOSPC);
	e.data = NULL;
	e.len = 1;
	ck_assert_int_eq(sev_secret_table(&e, 1, out, sizeof(out), &len),
			 -EINVAL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("channel");
	TCase *tc = tcase_create("channel");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, kdf_virtee_master);
	tcase_add_test(tc, kdf_vector_93);
	tcase_add_test(tc, kdf_long_output_and_refusals);
	tcase_add_test(tc, aes_ctr_virtee_wrap_tk);
	tcase_add_test(tc, p384_private_round_trip);
	tcase_add_test(tc, p384_private_refuses_out_of_range);
	tcase_add_test(tc, cert_vector_qx);
	tcase_add_test(tc, ecdh_both_directions);
	tcase_add_test(tc, cert_round_trip_signed);
	tcase_add_test(tc, cert_rejects);
	tcase_add_test(tc, cert_accepts_ecdh_sha384_pdh);
	tcase_add_test(tc, ecc_pubkey_and_sha384_signature);
	tcase_add_test(tc, id_auth_virtee_vector);
	tcase_add_test(tc, session_wrap_vector);
	tcase_add_test(tc, session_unwrap_vector);
	tcase_add_test(tc, session_unwrap_mac_failures);
	tcase_add_test(tc, measure_vector);
	tcase_add_test(tc, secret_seal_vector);
	tcase_add_test(tc, secret_open_vector);
	tcase_add_test(tc, secret_seal_then_open);
	tcase_add_test(tc, secret_open_failures);
	tcase_add_test(tc, secret_compressed_unsupported);
	tcase_add_test(tc, secret_seal_refusals);
	tcase_add_test(tc, secret_sevctl_vector);
	tcase_add_test(tc, secret_table_layout);
	tcase_add_test(tc, secret_table_nospace);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
