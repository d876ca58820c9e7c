// SPDX-License-Identifier: MIT
/*
 * sev/model/model.c: the firmware model's transport, its KVM layer, the
 * platform, and the SEV / SEV-ES launch commands.
 *
 * vm_cmd receives what KVM_MEMORY_ENCRYPT_OP would: a command id and the
 * kernel's UAPI struct with host addresses in it.  The KVM layer refuses
 * what KVM refuses (with KVM's errno and no firmware status); everything
 * else is a firmware command, checked in the order of AMD's published
 * firmware source (amd/AMD-ASPFW fw/psp_bl_uapps/sev_uapp/src/sev_mcmd.c,
 * sev_mcmd_launch_*()) and failed with -EIO and the SEV_RET_* status, as
 * KVM reports it.
 *
 * Decisions where the references are silent (each also documented at the
 * check):
 *  - The model's platform runs this one VM: it is INIT after the VM's
 *    INIT/INIT2 and WORKING after its LAUNCH_START; it supports SEV-ES
 *    (so LAUNCH_START never fails with UNSUPPORTED for an ES policy).
 *  - One guest per VM: a second LAUNCH_START on the same VM fails with
 *    INVALID_GUEST_STATE (a state-machine violation of that guest), and a
 *    non-zero HANDLE (key sharing) with INVALID_GUEST: there is no other
 *    guest to share with.
 *  - A second LAUNCH_UPDATE_VMSA is -EINVAL: KVM has already made the
 *    VMSAs guest-owned and cannot sync them again.
 *  - Commands the model has no use for (SEND_*, RECEIVE_*, DBG_*) are
 *    -EOPNOTSUPP, never a made-up firmware status; so is ATTESTATION
 *    when the model has no identity (no PEK to sign with).
 *  - *fw_error is SEV_RET_SUCCESS whenever the command reached the
 *    firmware and succeeded, and untouched when KVM refused it.
 */
#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "util/kvm_uapi.h"
#include "sev/model/model.h"
#include "util/util.h"

/* SEV policy (SEV API 55766 ch. 3, Guest Policy). */
#define SEV_POLICY_ES		(1u << 2)
#define SEV_POLICY_RESERVED	0x0000ffc0u /* bits 6-15 */
#define SEV_POLICY_API_MAJOR(p) (((p) >> 16) & 0xff)
#define SEV_POLICY_API_MINOR(p) (((p) >> 24) & 0xff)

/*
 * The SEV_FEATURES KVM accepts in kvm_sev_init.vmsa_features: none for SEV;
 * DebugSwap (bit 5) for SEV-ES, the only one KVM offers there; DebugSwap
 * and SecureTSC (bit 9, Linux 6.15+) for SNP.  SNPActive (bit 0) is KVM's
 * own and refused, as KVM refuses it.
 */
#define SEV_FEAT_DEBUG_SWAP (1ULL << 5)
#define SEV_FEAT_SECURE_TSC (1ULL << 9)
#define GHCB_VERSION_MAX    2

#define MEASURE_BLOB_LEN 48 /* MEASURE(32) || MNONCE(16), 55766 Table 52 */

/* ------------------------------------------------------------- lifetime */

/* The platform and guest states before a VM's first command (the rest of
 * that state is zero). */
static void model_no_vm(struct sev_model *m)
{
	m->platform = MODEL_PLATFORM_UNINIT;
	m->state = SEV_GUEST_UNINIT;
	m->snp_state = MODEL_SNP_INIT;
}

struct sev_model *sev_model_new(const struct sev_model_config *c, char *err,
				size_t errlen)
{
	static const struct sev_model_config defaults;
	struct sev_model *m;
	int ret;

	if (!c)
		c = &defaults;
	m = OPENSSL_zalloc(sizeof(*m));
	if (!m) {
		if (err && errlen)
			snprintf(err, errlen, "out of memory for the model");
		return NULL;
	}
	m->mode = c->mode;
	if (!c->api_major && !c->api_minor && !c->build) {
		m->api_major = MODEL_API_MAJOR;
		m->api_minor = MODEL_API_MINOR;
		m->build = MODEL_BUILD;
	} else {
		m->api_major = c->api_major;
		m->api_minor = c->api_minor;
		m->build = c->build;
	}
	m->vmsa = c->vmsa;
	m->vmsa_ctx = c->vmsa_ctx;
	model_no_vm(m);

	if (c->mode != SEV_MODE_SEV && c->mode != SEV_MODE_SEV_ES &&
	    c->mode != SEV_MODE_SNP) {
		if (err && errlen)
			snprintf(err, errlen, "the model has no mode %d",
				 (int)c->mode);
		OPENSSL_free(m);
		return NULL;
	}

	m->identity_rw = c->platform_identity;
	m->identity = m->identity_rw ? m->identity_rw : c->identity;
	if (m->identity) {
		ret = model_identity_pdh(m);
	} else {
		ret = c->pdh_private
			      ? sev_p384_from_private(c->pdh_private, &m->pdh)
			      : sev_p384_generate(&m->pdh);
		if (!ret)
			ret = sev_cert_build(m->pdh, SEV_USAGE_PDH,
					     SEV_ALGO_ECDH_SHA256, m->api_major,
					     m->api_minor, NULL, 0,
					     m->pdh_cert);
	}
	if (ret) {
		if (err && errlen)
			snprintf(
				err, errlen,
				ret == -EINVAL
					? "the model's PDH private key is not "
					  "a P-384 scalar (1 <= d < n)"
					: "OpenSSL cannot make the model's PDH "
					  "key");
		sev_model_free(m);
		return NULL;
	}
	return m;
}

int model_identity_pdh(struct sev_model *m)
{
	const uint8_t *cert =
		sev_model_identity_cert(m->identity, SEV_MODEL_PDH, NULL);
	EVP_PKEY *k = NULL;
	uint8_t d[48];
	int ret = sev_model_identity_pdh_private(m->identity, d);

	if (!ret)
		ret = sev_p384_from_private(d, &k);
	OPENSSL_cleanse(d, sizeof(d));
	if (ret)
		return ret;
	EVP_PKEY_free(m->pdh);
	m->pdh = k;
	memcpy(m->pdh_cert, cert, SEV_CERT_LEN);
	return 0;
}

void sev_model_free(struct sev_model *m)
{
	if (!m)
		return;
	/* EVP_PKEY_free clears the private scalar. */
	EVP_PKEY_free(m->pdh);
	EVP_MD_CTX_free(m->ld_ctx);
	model_snp_free(m);
	OPENSSL_clear_free(m, sizeof(*m));
}

void sev_model_reset(struct sev_model *m)
{
	struct sev_model keep;

	if (!m)
		return;
	EVP_MD_CTX_free(m->ld_ctx);
	model_snp_free(m);
	memcpy(&keep, m, sizeof(keep));
	OPENSSL_cleanse(m, sizeof(*m));
	/* What sev_model_new set from the configuration, and the platform's
	 * keys and identity; everything else is the VM's (zero). */
	m->mode = keep.mode;
	m->api_major = keep.api_major;
	m->api_minor = keep.api_minor;
	m->build = keep.build;
	m->vmsa = keep.vmsa;
	m->vmsa_ctx = keep.vmsa_ctx;
	m->pdh = keep.pdh;
	m->identity = keep.identity;
	m->identity_rw = keep.identity_rw;
	memcpy(m->pdh_cert, keep.pdh_cert, sizeof(m->pdh_cert));
	model_no_vm(m);
	OPENSSL_cleanse(&keep, sizeof(keep));
}

int sev_model_pdh_cert(struct sev_model *m, uint8_t cert[SEV_CERT_LEN])
{
	if (!m || !cert)
		return -EINVAL;
	memcpy(cert, m->pdh_cert, SEV_CERT_LEN);
	return 0;
}

int sev_model_launch_digest(struct sev_model *m, uint8_t *out, size_t len)
{
	if (!m || !out)
		return -EINVAL;
	if (m->mode == SEV_MODE_SNP) {
		if (len < sizeof(m->snp_ld))
			return -EINVAL;
		if (!m->snp_context)
			return -ENODATA;
		memcpy(out, m->snp_ld, sizeof(m->snp_ld));
		return 0;
	}
	if (len < sizeof(m->ld))
		return -EINVAL;
	if (!m->ld_final)
		return -ENODATA;
	memcpy(out, m->ld, sizeof(m->ld));
	return 0;
}

int sev_model_keygen(uint8_t d[48], uint8_t cert[SEV_CERT_LEN])
{
	EVP_PKEY *k = NULL;
	int ret;

	if (!d || !cert)
		return -EINVAL;
	ret = sev_p384_generate(&k);
	if (!ret)
		ret = sev_p384_private(k, d);
	/* The certificate a default model (API 1.55) presents for d. */
	if (!ret)
		ret = sev_cert_build(k, SEV_USAGE_PDH, SEV_ALGO_ECDH_SHA256,
				     MODEL_API_MAJOR, MODEL_API_MINOR, NULL, 0,
				     cert);
	EVP_PKEY_free(k);
	if (ret) {
		OPENSSL_cleanse(d, 48);
		memset(cert, 0, SEV_CERT_LEN);
	}
	return ret;
}

/* ------------------------------------------------------------------ INIT */

static bool all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t k = 0; k < n; k++)
		if (b[k])
			return false;
	return true;
}

/* KVM's sev_platform_init: the platform goes UNINIT -> INIT once. */
static int model_vm_init(struct sev_model *m, uint32_t *fw_error)
{
	if (m->platform == MODEL_PLATFORM_UNINIT)
		m->platform = MODEL_PLATFORM_INIT;
	m->vm_init = true;
	*fw_error = SEV_RET_SUCCESS;
	return 0;
}

/*
 * Legacy KVM_SEV_INIT / KVM_SEV_ES_INIT: only on KVM's default VM type,
 * which the model's mode then says the flavour of; so INIT goes with mode
 * SEV, ES_INIT with SEV-ES, and neither with SNP.
 */
static int model_init_legacy(struct sev_model *m, uint32_t id,
			     uint32_t *fw_error)
{
	bool es = id == KVM_SEV_ES_INIT;

	if (m->vm_init || m->mode == SEV_MODE_SNP ||
	    es != (m->mode == SEV_MODE_SEV_ES))
		return -EINVAL;
	m->ghcb_version = es ? 1 : 0;
	return model_vm_init(m, fw_error);
}

static int model_init2(struct sev_model *m, struct kvm_sev_init *in,
		       uint32_t *fw_error)
{
	uint64_t allowed = 0;

	if (!in)
		return -EFAULT;
	if (m->vm_init)
		return -EINVAL;
	if (in->flags || in->pad1 || !all_zero(in->pad2, sizeof(in->pad2)))
		return -EINVAL;
	if (m->mode == SEV_MODE_SEV_ES)
		allowed = SEV_FEAT_DEBUG_SWAP;
	else if (m->mode == SEV_MODE_SNP)
		allowed = SEV_FEAT_DEBUG_SWAP | SEV_FEAT_SECURE_TSC;
	if (in->vmsa_features & ~allowed)
		return -EINVAL;
	if (in->ghcb_version > GHCB_VERSION_MAX ||
	    (m->mode == SEV_MODE_SEV && in->ghcb_version))
		return -EINVAL;
	m->vmsa_features = in->vmsa_features;
	/* 0 is KVM's default, protocol 2 for SEV-ES/SNP. */
	m->ghcb_version = m->mode == SEV_MODE_SEV ? 0
			  : in->ghcb_version	  ? in->ghcb_version
						  : GHCB_VERSION_MAX;
	return model_vm_init(m, fw_error);
}

/* ------------------------------------------------------------ SEV guest */

/* The firmware's first two checks of every guest command (AMD-ASPFW
 * sev_mcmd.c sev_mcmd_launch_*()). */
static int fw_guest_check(struct sev_model *m, uint32_t *fw_error)
{
	if (m->platform != MODEL_PLATFORM_WORKING)
		return model_fw_fail(fw_error, SEV_RET_INVALID_PLATFORM_STATE);
	if (!m->handle)
		return model_fw_fail(fw_error, SEV_RET_INVALID_GUEST);
	return 0;
}

/* psp_copy_user_blob: what KVM refuses before copying a blob. */
static int kvm_blob_ok(uint64_t uaddr, uint32_t len)
{
	if (!uaddr || !len || len > MODEL_KVM_BLOB_MAX)
		return -EINVAL;
	return 0;
}

/*
 * The session, as AMD-ASPFW sev_mcmd_launch_start() and sev_channel.c
 * sev_channel_open_server() check it.  A positive SEV_RET_* status, 0 with
 * tk filled, or -ENOMEM when OpenSSL fails.
 */
static int fw_open_session(struct sev_model *m,
			   const struct kvm_sev_launch_start *p,
			   struct sev_tk *tk)
{
	const uint8_t *cert = (const uint8_t *)(uintptr_t)p->dh_uaddr;
	const uint8_t *session = (const uint8_t *)(uintptr_t)p->session_uaddr;
	EVP_PKEY *godh = NULL;
	uint8_t z[48];
	int ret;

	if (p->session_len != SEV_SESSION_LEN || p->dh_len != SEV_CERT_LEN)
		return SEV_RET_INVALID_LEN;
	/* sev_cert_sanity_check(dh_cert, PDH, ECDH_SHA256): version, usage,
	 * the algorithm exactly, a P-384 point (AMD-ASPFW sev_cert.c).  No
	 * signature. */
	if (get_le32(cert, 0x0c) != SEV_ALGO_ECDH_SHA256)
		return SEV_RET_INVALID_CERTIFICATE;
	ret = sev_cert_public_key(cert, SEV_USAGE_PDH, &godh, NULL, 0);
	if (ret == -EINVAL)
		return SEV_RET_INVALID_CERTIFICATE;
	if (ret)
		return -ENOMEM;
	ret = sev_ecdh(m->pdh, godh, z);
	EVP_PKEY_free(godh);
	if (ret)
		return -ENOMEM;
	ret = sev_session_unwrap(z, session, p->policy, tk);
	OPENSSL_cleanse(z, sizeof(z));
	/* Every HMAC mismatch is BAD_MEASUREMENT in this firmware. */
	if (ret == -EBADMSG)
		return SEV_RET_BAD_MEASUREMENT;
	if (ret)
		return -ENOMEM;

	/* Only with a session (AMD-ASPFW sev_guest.c
	 * sev_guest_verify_policy()): the policy's minimum API, then its
	 * reserved bits. */
	if (SEV_POLICY_API_MAJOR(p->policy) > m->api_major ||
	    (SEV_POLICY_API_MAJOR(p->policy) == m->api_major &&
	     SEV_POLICY_API_MINOR(p->policy) > m->api_minor) ||
	    (p->policy & SEV_POLICY_RESERVED)) {
		sev_tk_wipe(tk);
		return SEV_RET_POLICY_FAILURE;
	}
	return 0;
}

static int model_launch_start(struct sev_model *m,
			      struct kvm_sev_launch_start *p,
			      uint32_t *fw_error)
{
	struct sev_tk tk;
	int status;

	if (!p)
		return -EFAULT;
	/* KVM copies both blobs first (psp_copy_user_blob). */
	if (p->dh_uaddr && kvm_blob_ok(p->dh_uaddr, p->dh_len))
		return -EINVAL;
	if (p->session_uaddr && kvm_blob_ok(p->session_uaddr, p->session_len))
		return -EINVAL;

	/* AMD-ASPFW sev_mcmd_launch_start(), in its order: platform state. */
	if (m->platform != MODEL_PLATFORM_INIT &&
	    m->platform != MODEL_PLATFORM_WORKING)
		return model_fw_fail(fw_error, SEV_RET_INVALID_PLATFORM_STATE);
	/* One guest per VM (see the top of this file). */
	if (m->state != SEV_GUEST_UNINIT)
		return model_fw_fail(fw_error, SEV_RET_INVALID_GUEST_STATE);

	memset(&tk, 0, sizeof(tk));
	if (p->dh_uaddr) {
		/* KVM passes session address 0 / length 0 when only the
		 * certificate was given: INVALID_LENGTH, as the firmware. */
		if (!p->session_uaddr)
			return model_fw_fail(fw_error, SEV_RET_INVALID_LEN);
		status = fw_open_session(m, p, &tk);
		if (status < 0)
			return status;
		if (status)
			return model_fw_fail(fw_error, (uint32_t)status);
	}
	/* No session: TEK = TIK = 0, and no policy checks. */

	/* HANDLE != 0 would share the key of that guest. */
	if (p->handle) {
		sev_tk_wipe(&tk);
		return model_fw_fail(fw_error, SEV_RET_INVALID_GUEST);
	}

	/* The handle and the SHA-256 launch digest. */
	if (!m->ld_ctx)
		m->ld_ctx = EVP_MD_CTX_new();
	if (!m->ld_ctx || !EVP_DigestInit_ex(m->ld_ctx, EVP_sha256(), NULL)) {
		sev_tk_wipe(&tk);
		return -ENOMEM;
	}
	m->tk = tk;
	sev_tk_wipe(&tk);
	m->handle = MODEL_HANDLE;
	m->policy = p->policy;
	m->ld_final = false;
	/* The state transitions, and KVM's ACTIVATE (sev_bind_asid). */
	m->state = SEV_GUEST_LUPDATE;
	m->platform = MODEL_PLATFORM_WORKING;
	m->active = true;

	p->handle = m->handle;
	*fw_error = SEV_RET_SUCCESS;
	return 0;
}

/* The LAUNCH_UPDATE_DATA/VMSA checks that precede the address check
 * (AMD-ASPFW sev_mcmd.c launch_update_common()). */
static int fw_update_check(struct sev_model *m, uint32_t *fw_error)
{
	int ret = fw_guest_check(m, fw_error);

	if (ret)
		return ret;
	if (m->state != SEV_GUEST_LUPDATE)
		return model_fw_fail(fw_error, SEV_RET_INVALID_GUEST_STATE);
	if (!m->active)
		return model_fw_fail(fw_error, SEV_RET_INACTIVE);
	return 0;
}

static int model_launch_update_data(struct sev_model *m,
				    struct kvm_sev_launch_update_data *p,
				    uint32_t *fw_error)
{
	int ret;

	if (!p)
		return -EFAULT;
	/* sev_pin_memory: a zero or wrapping range, or nothing mapped. */
	if (!p->len || p->uaddr + p->len < p->uaddr)
		return -EINVAL;
	if (!p->uaddr)
		return -EFAULT;

	ret = fw_update_check(m, fw_error);
	if (ret)
		return ret;
	/* KVM hands the firmware the physical address of the same byte, so
	 * its low bits are the host address's. */
	if (p->uaddr & 0xf)
		return model_fw_fail(fw_error, SEV_RET_INVALID_ADDRESS);
	if (p->len & 0xf)
		return model_fw_fail(fw_error, SEV_RET_INVALID_LEN);

	/* The model cannot encrypt: it measures the bytes and leaves them. */
	if (!EVP_DigestUpdate(m->ld_ctx, (const void *)(uintptr_t)p->uaddr,
			      p->len))
		return -ENOMEM;
	*fw_error = SEV_RET_SUCCESS;
	return 0;
}

static int model_launch_update_vmsa(struct sev_model *m, uint32_t *fw_error)
{
	uint8_t page[VMSA_SIZE];
	unsigned n;
	int ret = 0;

	if (m->mode != SEV_MODE_SEV_ES)
		return -ENOTTY; /* KVM: not an SEV-ES guest */
	if (!m->vmsa || m->vmsa_done)
		return -EINVAL;

	/* KVM: every vCPU in index order, one firmware command each. */
	for (n = 0;; n++) {
		ret = m->vmsa(m->vmsa_ctx, n, page);
		if (ret == -ENOENT) {
			ret = 0;
			break;
		}
		if (ret)
			break;
		ret = fw_update_check(m, fw_error);
		if (ret)
			break;
		if (!(m->policy & SEV_POLICY_ES)) {
			ret = model_fw_fail(fw_error, SEV_RET_UNSUPPORTED);
			break;
		}
		if (!EVP_DigestUpdate(m->ld_ctx, page, sizeof(page))) {
			ret = -ENOMEM;
			break;
		}
		/* The vCPU's registers are the guest's now. */
		m->vmsa_done = true;
	}
	OPENSSL_cleanse(page, sizeof(page));
	if (!ret)
		*fw_error = SEV_RET_SUCCESS;
	return ret;
}

static int model_launch_measure(struct sev_model *m,
				struct kvm_sev_launch_measure *p,
				uint32_t *fw_error)
{
	uint8_t blob[MEASURE_BLOB_LEN], mnonce[16];
	unsigned int dlen = 0;
	int ret;

	if (!p)
		return -EFAULT;
	if (p->len && p->uaddr && p->len > MODEL_KVM_BLOB_MAX)
		return -EINVAL;

	/* AMD-ASPFW sev_mcmd_launch_measure(), in its order. */
	ret = fw_guest_check(m, fw_error);
	if (ret)
		return ret;
	if (m->state != SEV_GUEST_LUPDATE)
		return model_fw_fail(fw_error, SEV_RET_INVALID_GUEST_STATE);
	/* The length.  KVM writes it back only for its len-0 query. */
	if (p->len < MEASURE_BLOB_LEN) {
		if (!p->len)
			p->len = MEASURE_BLOB_LEN;
		return model_fw_fail(fw_error, SEV_RET_INVALID_LEN);
	}
	if (!p->uaddr)
		return -EFAULT; /* nowhere for KVM to copy the blob */

	/* Finalise LD, measure with a fresh MNONCE. */
	if (RAND_bytes(mnonce, sizeof(mnonce)) != 1 ||
	    !EVP_DigestFinal_ex(m->ld_ctx, m->ld, &dlen) || dlen != 32)
		return -ENOMEM;
	m->ld_final = true;
	ret = measure_launch_hmac(m->tk.tik, m->api_major, m->api_minor,
				  m->build, m->policy, m->ld, mnonce,
				  m->measure);
	if (ret)
		return -ENOMEM;
	memcpy(blob, m->measure, 32);
	memcpy(blob + 32, mnonce, 16);
	memcpy((void *)(uintptr_t)p->uaddr, blob, sizeof(blob));
	p->len = MEASURE_BLOB_LEN;
	/* LUPDATE -> LSECRET. */
	m->state = SEV_GUEST_LSECRET;
	*fw_error = SEV_RET_SUCCESS;
	return 0;
}

static int model_launch_secret(struct sev_model *m,
			       struct kvm_sev_launch_secret *p,
			       uint32_t *fw_error)
{
	uint8_t *plain;
	int ret;

	if (!p)
		return -EFAULT;
	/* KVM: pin the guest range, then copy the two blobs. */
	if (!p->guest_len)
		return -EINVAL;
	if (!p->guest_uaddr)
		return -EFAULT;
	if (kvm_blob_ok(p->trans_uaddr, p->trans_len) ||
	    kvm_blob_ok(p->hdr_uaddr, p->hdr_len))
		return -EINVAL;

	/* AMD-ASPFW sev_mcmd_launch_secret(), in the firmware's order. */
	ret = fw_guest_check(m, fw_error);
	if (ret)
		return ret;
	if (p->guest_uaddr & 0xf)
		return model_fw_fail(fw_error, SEV_RET_INVALID_ADDRESS);
	if (p->hdr_len != SEV_PACKET_HDR_LEN || (p->guest_len & 0xf) ||
	    p->guest_len > SEV_SECRET_MAX || p->guest_len != p->trans_len)
		return model_fw_fail(fw_error, SEV_RET_INVALID_LEN);
	if (m->state != SEV_GUEST_LSECRET)
		return model_fw_fail(fw_error, SEV_RET_INVALID_GUEST_STATE);
	if (!m->active)
		return model_fw_fail(fw_error, SEV_RET_INACTIVE);

	/* Falls back to the normal heap when there is no secure heap. */
	plain = OPENSSL_secure_malloc(p->guest_len);
	if (!plain)
		return -ENOMEM;
	ret = sev_secret_open(&m->tk, m->measure,
			      (const uint8_t *)(uintptr_t)p->hdr_uaddr,
			      (const uint8_t *)(uintptr_t)p->trans_uaddr,
			      p->guest_len, plain);
	if (ret == -EBADMSG)
		ret = model_fw_fail(fw_error, SEV_RET_BAD_MEASUREMENT);
	else if (ret == -EOPNOTSUPP)
		ret = model_fw_fail(fw_error, SEV_RET_UNSUPPORTED);
	else if (ret)
		ret = -ENOMEM;
	if (!ret) {
		/* Its last step, without the guest key: the model's guest
		 * memory is plain host memory. */
		memcpy((void *)(uintptr_t)p->guest_uaddr, plain, p->guest_len);
		*fw_error = SEV_RET_SUCCESS;
	}
	OPENSSL_secure_clear_free(plain, p->guest_len);
	return ret;
}

static int model_launch_finish(struct sev_model *m, uint32_t *fw_error)
{
	int ret = fw_guest_check(m, fw_error);

	if (ret)
		return ret;
	if (m->state != SEV_GUEST_LSECRET)
		return model_fw_fail(fw_error, SEV_RET_INVALID_GUEST_STATE);
	/* AMD-ASPFW sev_mcmd_launch_finish(): the channel keys are wiped. */
	sev_tk_wipe(&m->tk);
	OPENSSL_cleanse(m->measure, sizeof(m->measure));
	m->state = SEV_GUEST_RUNNING;
	*fw_error = SEV_RET_SUCCESS;
	return 0;
}

static int model_guest_status(struct sev_model *m,
			      struct kvm_sev_guest_status *p,
			      uint32_t *fw_error)
{
	if (!p)
		return -EFAULT;
	/* KVM asks about sev->handle, 0 before LAUNCH_START. */
	if (!m->handle)
		return model_fw_fail(fw_error, SEV_RET_INVALID_GUEST);
	p->handle = m->handle;
	p->policy = m->policy;
	p->state = m->state;
	*fw_error = SEV_RET_SUCCESS;
	return 0;
}

/*
 * ATTESTATION (SEV API 55766; AMD-ASPFW sev_mcmd.c
 * sev_mcmd_attestation()) behind KVM's sev_get_attestation_report()
 * (Linux arch/x86/kvm/svm/sev.c): len 0 asks for the length, which KVM
 * copies back although the firmware failed the command with
 * INVALID_LENGTH; a short or absent buffer fails the same way without the
 * length copied back.  The report is signed by the identity's PEK; a model
 * without an identity has no PEK (-EOPNOTSUPP, as for the commands it
 * does not model).
 */
static int model_attestation(struct sev_model *m,
			     struct kvm_sev_attestation_report *p,
			     uint32_t *fw_error)
{
	uint8_t report[SEV_MODEL_SEV_REPORT_LEN];
	int ret;

	if (!p)
		return -EFAULT;
	if (p->len && p->uaddr && p->len > MODEL_KVM_BLOB_MAX)
		return -EINVAL;
	if (!m->identity)
		return -EOPNOTSUPP;
	ret = fw_guest_check(m, fw_error);
	if (ret)
		return ret;
	/* LSECRET and RUNNING (SUPDATE and SENT: no migration here). */
	if (m->state != SEV_GUEST_LSECRET && m->state != SEV_GUEST_RUNNING)
		return model_fw_fail(fw_error, SEV_RET_INVALID_GUEST_STATE);
	if (!p->len || !p->uaddr || p->len < sizeof(report)) {
		if (!p->len)
			p->len = sizeof(report);
		return model_fw_fail(fw_error, SEV_RET_INVALID_LEN);
	}
	ret = sev_model_identity_sign_sev(m->identity, p->mnonce, m->ld,
					  m->policy, report);
	if (ret)
		return -ENOMEM;
	memcpy((void *)(uintptr_t)p->uaddr, report, sizeof(report));
	p->len = sizeof(report);
	*fw_error = SEV_RET_SUCCESS;
	return 0;
}

/* ------------------------------------------------------------- dispatch */

static int model_vm_cmd(void *ctx, uint32_t id, void *data, uint32_t *fw_error)
{
	struct sev_model *m = ctx;
	uint32_t scratch = (uint32_t)SEV_RET_NO_FW_CALL;

	if (!m)
		return -ENOTTY;
	if (!fw_error)
		fw_error = &scratch;

	switch (id) {
	case KVM_SEV_INIT:
	case KVM_SEV_ES_INIT:
		return model_init_legacy(m, id, fw_error);
	case KVM_SEV_INIT2:
		return model_init2(m, data, fw_error);
	default:
		break;
	}

	/* Once INIT2 made the VM an SNP guest, KVM refuses ids below 100. */
	if (m->vm_init && m->mode == SEV_MODE_SNP &&
	    id < KVM_SEV_SNP_LAUNCH_START)
		return -EPERM;

	switch (id) {
	case KVM_SEV_LAUNCH_START:
	case KVM_SEV_LAUNCH_UPDATE_DATA:
	case KVM_SEV_LAUNCH_UPDATE_VMSA:
	case KVM_SEV_LAUNCH_MEASURE:
	case KVM_SEV_LAUNCH_SECRET:
	case KVM_SEV_LAUNCH_FINISH:
	case KVM_SEV_GUEST_STATUS:
		if (!m->vm_init)
			return -ENOTTY; /* not a SEV guest (yet) */
		break;
	case KVM_SEV_SNP_LAUNCH_START:
	case KVM_SEV_SNP_LAUNCH_UPDATE:
	case KVM_SEV_SNP_LAUNCH_FINISH:
		if (!m->vm_init || m->mode != SEV_MODE_SNP)
			return -ENOTTY;
		break;
	case KVM_SEV_SEND_START:
	case KVM_SEV_SEND_UPDATE_DATA:
	case KVM_SEV_SEND_FINISH:
	case KVM_SEV_SEND_CANCEL:
	case KVM_SEV_RECEIVE_START:
	case KVM_SEV_RECEIVE_UPDATE_DATA:
	case KVM_SEV_RECEIVE_FINISH:
	case KVM_SEV_DBG_DECRYPT:
	case KVM_SEV_DBG_ENCRYPT:
		return -EOPNOTSUPP;
	case KVM_SEV_GET_ATTESTATION_REPORT:
		if (!m->vm_init)
			return -ENOTTY; /* not a SEV guest (yet) */
		return model_attestation(m, data, fw_error);
	default:
		return -EINVAL; /* KVM: an id it does not handle */
	}

	switch (id) {
	case KVM_SEV_LAUNCH_START:
		return model_launch_start(m, data, fw_error);
	case KVM_SEV_LAUNCH_UPDATE_DATA:
		return model_launch_update_data(m, data, fw_error);
	case KVM_SEV_LAUNCH_UPDATE_VMSA:
		return model_launch_update_vmsa(m, fw_error);
	case KVM_SEV_LAUNCH_MEASURE:
		return model_launch_measure(m, data, fw_error);
	case KVM_SEV_LAUNCH_SECRET:
		return model_launch_secret(m, data, fw_error);
	case KVM_SEV_LAUNCH_FINISH:
		return model_launch_finish(m, fw_error);
	case KVM_SEV_GUEST_STATUS:
		return model_guest_status(m, data, fw_error);
	case KVM_SEV_SNP_LAUNCH_START:
		return model_snp_launch_start(m, data, fw_error);
	case KVM_SEV_SNP_LAUNCH_UPDATE:
		return model_snp_launch_update(m, data, fw_error);
	case KVM_SEV_SNP_LAUNCH_FINISH:
		return model_snp_launch_finish(m, data, fw_error);
	}
	return -EINVAL;
}

/*
 * PDH_CERT_EXPORT's chain, PEK || OCA || CEK.  The CEK the firmware
 * returns is unsigned (AMD-ASPFW sev_plat.c pdh_cert_chain_init() creates
 * it without a signer): the ASK-signed one comes from AMD's KDS, which for
 * the model is its identity's cek.cert.  Without an identity the PDH is
 * not signed by any chain, and the chain is all zeros.
 */
static void model_export_chain(const struct sev_model *m, uint8_t *out)
{
	static const enum sev_model_cert order[] = {
		SEV_MODEL_PEK, SEV_MODEL_OCA, SEV_MODEL_CEK};

	memset(out, 0, 3 * SEV_CERT_LEN);
	if (!m->identity)
		return;
	for (unsigned k = 0; k < 3; k++)
		memcpy(out + k * SEV_CERT_LEN,
		       sev_model_identity_cert(m->identity, order[k], NULL),
		       SEV_CERT_LEN);
	/* The CEK's signature slots, empty (usage 0x1000, algorithm 0). */
	memset(out + 2 * SEV_CERT_LEN + 0x414, 0, SEV_CERT_LEN - 0x414);
	put_le32(out + 2 * SEV_CERT_LEN, 0x414, 0x1000);
	put_le32(out + 2 * SEV_CERT_LEN, 0x61c, 0x1000);
}

/*
 * The model's /dev/sev: PDH_CERT_EXPORT here, the rest in platform.c.
 * As the firmware does (SEV
 * API 55766 PDH_CERT_EXPORT), lengths too small for the PDH or the chain
 * (PEK, OCA, CEK) are INVALID_LENGTH with the lengths it needs written
 * back.  The chain is PEK || OCA || CEK (model_export_chain).
 */
static int model_platform_cmd(void *ctx, uint32_t id, void *data,
			      uint32_t *fw_error)
{
	struct sev_model *m = ctx;
	struct sev_user_data_pdh_cert_export *p = data;

	if (!m)
		return -EINVAL;
	if (id != SEV_PDH_CERT_EXPORT) /* platform.c */
		return model_platform_other(m, id, data, fw_error);
	if (p->pdh_cert_len < SEV_CERT_LEN ||
	    p->cert_chain_len < 3 * SEV_CERT_LEN || !p->pdh_cert_address ||
	    !p->cert_chain_address) {
		p->pdh_cert_len = SEV_CERT_LEN;
		p->cert_chain_len = 3 * SEV_CERT_LEN;
		*fw_error = SEV_RET_INVALID_LEN;
		return -EIO;
	}
	if (sev_model_pdh_cert(m, (uint8_t *)(uintptr_t)p->pdh_cert_address))
		return -ENOMEM;
	model_export_chain(m, (uint8_t *)(uintptr_t)p->cert_chain_address);
	p->pdh_cert_len = SEV_CERT_LEN;
	p->cert_chain_len = 3 * SEV_CERT_LEN;
	*fw_error = SEV_RET_SUCCESS;
	return 0;
}

static const struct sev_transport_ops model_transport_ops = {
	.vm_cmd = model_vm_cmd,
	.platform_cmd = model_platform_cmd,
};

struct sev_transport sev_transport_model(struct sev_model *m)
{
	return (struct sev_transport){.ops = &model_transport_ops, .ctx = m};
}
