/* SPDX-License-Identifier: MIT */
/*
 * sev/channel.h: the SEV launch channel's cryptography, both sides of it
 * (private to sev/; the public entry points are in sev/sev.h).
 *
 * The guest owner wraps a transport encryption key (TEK) and integrity key
 * (TIK) for the firmware's PDH key (LAUNCH_START's session), checks the
 * LAUNCH_MEASURE HMAC, and seals a launch secret (LAUNCH_SECRET's packet).
 * The firmware, here the firmware model, does the reverse.  Byte layouts
 * and derivations: SEV API 55766 App. C (certificate), 55766 §6.2
 * LAUNCH_START (session), 55766 §6.5 LAUNCH_MEASURE (measurement),
 * 55766 §6.6 LAUNCH_SECRET (packet), as AMD's firmware source does them
 * (amd/AMD-ASPFW sev_uapp sev_channel.c, ecdh.c, nist_kdf.c); the secret
 * table is Linux drivers/virt/coco/efi_secret/efi_secret.c's.  Known
 * answers in tests/unit/test_channel.c.
 *
 * Every function returns 0 or a negative errno: -EINVAL for malformed
 * input (err, when given, says which), -EBADMSG when a MAC does not
 * verify, -ENOMEM when OpenSSL fails.  Keys are wiped (OPENSSL_cleanse)
 * by the functions that hold them temporarily; struct sev_tk must be wiped
 * by its owner with sev_tk_wipe().
 */
#ifndef SEVBOOT_SEV_CHANNEL_H
#define SEVBOOT_SEV_CHANNEL_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#define SEV_CERT_LEN	   0x824 /* struct sev_cert */
#define SEV_SESSION_LEN	   0x80
#define SEV_PACKET_HDR_LEN 0x34
#define SEV_SECRET_MAX	   0x5000 /* the firmware's guest_len limit */

/* Public-key usage and algorithm codes of a SEV certificate (SEV API 55766
 * App. C; AMD-ASPFW sev_cert.h). */
#define SEV_USAGE_PEK 0x1002
#define SEV_USAGE_PDH 0x1003
#define SEV_USAGE_OCA 0x1001
#define SEV_USAGE_CEK 0x1004
#define SEV_ALGO_ECDSA_SHA256 0x2
#define SEV_ALGO_ECDH_SHA256 0x3
#define SEV_ALGO_ECDSA_SHA384 0x102
#define SEV_ALGO_ECDH_SHA384 0x103

/* The guest owner's two channel keys. */
struct sev_tk {
	uint8_t tek[16];
	uint8_t tik[16];
};
void sev_tk_wipe(struct sev_tk *tk);

/* SP 800-108 counter mode with HMAC-SHA256, as the firmware does it
 * (AMD-ASPFW nist_kdf.c nist_kdf(): little-endian counter and length;
 * context omitted when empty). */
int sev_kdf(const uint8_t *key, size_t keylen, const char *label,
	    const uint8_t *context, size_t contextlen, uint8_t *out,
	    size_t outlen);

/* AES-128-CTR with OpenSSL's 128-bit big-endian counter (in may == out). */
int sev_aes128_ctr(const uint8_t key[16], const uint8_t iv[16],
		   const uint8_t *in, size_t len, uint8_t *out);

/* ------------------------------------------------------- P-384 keys */

/* A fresh P-384 key pair; or one from its 48-byte big-endian scalar. */
int sev_p384_generate(EVP_PKEY **out);
int sev_p384_from_private(const uint8_t d[48], EVP_PKEY **out);
/* The 48-byte big-endian scalar of a key pair (wipe it after use). */
int sev_p384_private(EVP_PKEY *k, uint8_t d[48]);

/*
 * The 0x404-byte ECC public key of a SEV certificate (SEV API 55766 App. C,
 * at cert offset 0x10) and of an SNP ID/author key (SNP ABI 56860
 * SNP_LAUNCH_FINISH, ID_AUTH): u32 curve (2 = P-384), QX[72] and QY[72]
 * little-endian, the rest zero.  parse checks the curve and that the point
 * is on it (-EINVAL with err).
 */
#define SEV_ECC_PUBKEY_LEN 0x404
int sev_ecc_pubkey_put(EVP_PKEY *k, uint8_t key[SEV_ECC_PUBKEY_LEN]);
int sev_ecc_pubkey_parse(const uint8_t key[SEV_ECC_PUBKEY_LEN], EVP_PKEY **out,
			 char *err, size_t errlen);

/*
 * An ECDSA P-384 signature as the firmware stores it (SEV API 55766
 * App. C; AMD-ASPFW ecdsa.h ecdsa_sig_t): R[72] || S[72] little-endian
 * (a signature slot is 0x200 bytes, the rest zero), over data hashed with
 * md (SHA-256 for SEV certs, SHA-384 for SNP ID blocks).  verify: 0, or
 * -EBADMSG when it does not verify.
 */
#define SEV_ECDSA_SIG_LEN 144
int sev_ecdsa_sign(EVP_PKEY *k, const EVP_MD *md, const void *data,
		   size_t len, uint8_t sig[SEV_ECDSA_SIG_LEN]);
int sev_ecdsa_verify(EVP_PKEY *k, const EVP_MD *md, const void *data,
		     size_t len, const uint8_t sig[SEV_ECDSA_SIG_LEN]);

/*
 * A SEV certificate (SEV API 55766 App. C) holding k's public key:
 * version 1, api major/minor, the usage and algorithm given, curve P-384
 * (2), QX/QY little-endian.  Signed by signer (usage sig_usage,
 * ECDSA_SHA256) when signer is non-NULL, else both signature slots are
 * empty (usage 0x1000, algorithm 0), which LAUNCH_START accepts for a GODH
 * (AMD-ASPFW sev_cert.c sev_cert_sanity_check()).
 */
int sev_cert_build(EVP_PKEY *k, uint16_t usage, uint16_t algo,
		   uint8_t api_major, uint8_t api_minor, EVP_PKEY *signer,
		   uint16_t sig_usage, uint8_t cert[SEV_CERT_LEN]);

/*
 * The firmware's sanity check of a certificate (AMD-ASPFW sev_cert.c
 * sev_cert_sanity_check()): version 1, usage want_usage, algorithm
 * ECDH_SHA256 or ECDH_SHA384 (for a PDH) or the one given, curve P-384, a
 * point on the curve.  Signatures are not checked.  *out gets the public
 * key (free with EVP_PKEY_free).  -EINVAL with err.
 */
int sev_cert_public_key(const uint8_t cert[SEV_CERT_LEN], uint16_t want_usage,
			EVP_PKEY **out, char *err, size_t errlen);

/* Z: the x-coordinate of our_private * their_public, 48 bytes BE (AMD-ASPFW
 * ecdh.c ecdh_key_agreement()). */
int sev_ecdh(EVP_PKEY *our_private, EVP_PKEY *their_public, uint8_t z[48]);

/* ----------------------------------------------------------- session */

/*
 * Owner side: the 0x80-byte session blob (SEV API 55766 §6.2 LAUNCH_START;
 * AMD-ASPFW sev_channel.h sev_session_t) for shared secret z, the
 * owner's nonce and wrap IV, the keys tk, and the policy it MACs.
 */
int sev_session_wrap(const uint8_t z[48], const uint8_t nonce[16],
		     const uint8_t wrap_iv[16], const struct sev_tk *tk,
		     uint32_t policy, uint8_t session[SEV_SESSION_LEN]);

/*
 * Firmware side (AMD-ASPFW sev_channel.c sev_channel_open_server(),
 * sev_guest.c sev_guest_verify_policy()): derive KEK/KIK from z and the
 * session's nonce, check WRAP_MAC, unwrap TEK||TIK into tk, check
 * POLICY_MAC against policy.  -EBADMSG when either MAC fails (the
 * firmware's BAD_MEASUREMENT); tk is then zeroed.
 */
int sev_session_unwrap(const uint8_t z[48],
		       const uint8_t session[SEV_SESSION_LEN], uint32_t policy,
		       struct sev_tk *tk);

/* ------------------------------------------------------ launch secret */

/*
 * Owner side: seal len bytes of plain (len a multiple of 16, 16..
 * SEV_SECRET_MAX) for a guest whose LAUNCH_MEASURE gave measure (the 32
 * HMAC bytes, not the mnonce), with IV iv: hdr = FLAGS 0 || IV || MAC,
 * trans = AES-128-CTR(TEK, IV, plain) (SEV API 55766 §6.6 LAUNCH_SECRET;
 * AMD-ASPFW sev_channel.c sev_channel_hmac()).
 */
int sev_secret_seal(const struct sev_tk *tk, const uint8_t measure[32],
		    const uint8_t iv[16], const uint8_t *plain, size_t len,
		    uint8_t hdr[SEV_PACKET_HDR_LEN], uint8_t *trans);

/*
 * Firmware side (AMD-ASPFW sev_mcmd.c sev_mcmd_launch_secret()): check the
 * header's MAC over guest_len == trans_len == len and trans, then decrypt
 * into plain.  -EBADMSG for a MAC mismatch (BAD_MEASUREMENT; plain
 * untouched), -EOPNOTSUPP when FLAGS has COMPRESSED (the firmware's
 * UNSUPPORTED, checked after the MAC).
 */
int sev_secret_open(const struct sev_tk *tk, const uint8_t measure[32],
		    const uint8_t hdr[SEV_PACKET_HDR_LEN],
		    const uint8_t *trans, size_t len, uint8_t *plain);

/* One entry of the EFI secret table (Linux efi_secret.c secret_entry). */
struct sev_secret_entry {
	uint8_t guid[16]; /* in EFI (mixed-endian) byte order */
	const uint8_t *data;
	size_t len;
};

/* "1e74f542-71dd-4d66-963e-ef4287ff173b" -> EFI byte order.  -EINVAL. */
int sev_guid_parse(const char *text, uint8_t guid[16]);

/*
 * The EFI secret table of n entries in out (capacity cap): the table GUID,
 * the unpadded total length, the entries, zero padding to a multiple of
 * 16.  *outlen is the padded length.  -ENOSPC when it does not fit.
 */
int sev_secret_table(const struct sev_secret_entry *e, size_t n, uint8_t *out,
		     size_t cap, size_t *outlen);

#endif
