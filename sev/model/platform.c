// SPDX-License-Identifier: MIT
/*
 * sev/model/platform.c: the firmware model's /dev/sev commands besides
 * PDH_CERT_EXPORT (model.c), answered from the model's state.
 *
 * Layouts and the length protocol are the SEV API's (55766:
 * PLATFORM_STATUS, PDH_GEN, GET_ID) and the SNP ABI's (56860:
 * SNP_PLATFORM_STATUS), as the kernel passes them through
 * (drivers/crypto/ccp/sev-dev.c sev_ioctl_do_*()).  Decisions where the
 * model has nothing to answer with (each documented in README):
 *  - Its platform is UNINIT until a VM's INIT (model.c); the SNP platform
 *    reports the same state.
 *  - It is self-owned until PEK_CERT_IMPORT (PLATFORM_STATUS flags bit 0,
 *    shown in every state) and supports SEV-ES (CONFIG_ES, bit 8).
 *  - With an identity (sev/model/identity.c) it answers PEK_CSR from the
 *    identity's PEK, GET_ID with the chip id its VCEK carries, and, when
 *    the caller lets it change the identity (platform_identity),
 *    PDH_GEN, PEK_GEN and FACTORY_RESET by making the keys anew
 *    (sev_model_identity_regen), PEK_CERT_IMPORT (the platform is then
 *    owned) and SNP_SET_CONFIG (kept in the identity's platform.state).
 *    SNP_COMMIT succeeds without a change (the model has one TCB, always
 *    committed); SNP_VLEK_LOAD fails as the firmware does for a
 *    hashstick not wrapped for its chip (the model holds no VLEK).
 *  - An older state directory has a PDH key only: PDH_GEN makes a new
 *    unsigned PDH, PEK_GEN, PEK_CSR and FACTORY_RESET are -EOPNOTSUPP,
 *    and its chip id is derived from its PDH certificate.
 */
#include <errno.h>
#include <string.h>

#include <openssl/evp.h>

#include "util/psp_uapi.h"
#include "sev/model/model.h"
#include "util/util.h"

_Static_assert(SB_SNP_CONFIG_MASK_CHIP_ID == SEV_MODEL_CFG_MASK_CHIP_ID &&
		       SB_SNP_CONFIG_MASK_CHIP_KEY ==
			       SEV_MODEL_CFG_MASK_CHIP_KEY,
	       "SNP_CONFIG's flags are kept as they come");

/*
 * The model's 64-byte chip id: its identity's, the one its VCEK carries
 * (so that an SNP report's CHIP_ID and GET_ID agree); without an identity
 * SHA-512 over a label and its PDH certificate, stable for one PDH.
 */
int model_chip_id(const struct sev_model *m, uint8_t id[MODEL_CHIP_ID_LEN])
{
	static const char label[] = "sevboot firmware model chip id";
	unsigned int n = 0;
	EVP_MD_CTX *c;
	int ok;

	if (m->identity) {
		sev_model_identity_chip_id(m->identity, id);
		return 0;
	}
	c = EVP_MD_CTX_new();
	ok = c && EVP_DigestInit_ex(c, EVP_sha512(), NULL) &&
	     EVP_DigestUpdate(c, label, sizeof(label) - 1) &&
	     EVP_DigestUpdate(c, m->pdh_cert, sizeof(m->pdh_cert)) &&
	     EVP_DigestFinal_ex(c, id, &n) && n == MODEL_CHIP_ID_LEN;

	EVP_MD_CTX_free(c);
	return ok ? 0 : -ENOMEM;
}

static int model_status(struct sev_model *m, struct sev_user_data_status *s,
			uint32_t *fw_error)
{
	memset(s, 0, sizeof(*s));
	s->api_major = m->api_major;
	s->api_minor = m->api_minor;
	s->state = (uint8_t)m->platform;
	/* Bit 0: owned (an OCA imported), bit 8 CONFIG_ES. */
	s->flags =
		SEV_STATUS_FLAGS_CONFIG_ES |
		(m->identity && sev_model_identity_owned(m->identity) ? 1 : 0);
	s->build = m->build;
	s->guest_count = m->handle ? 1 : 0;
	*fw_error = SEV_RET_SUCCESS;
	return 0;
}

static int model_snp_status(struct sev_model *m,
			    struct sb_sev_user_data_snp_status *s,
			    uint32_t *fw_error)
{
	uint64_t tcb;
	uint32_t cfg;

	memset(s, 0, sizeof(*s));
	s->api_major = m->api_major;
	s->api_minor = m->api_minor;
	s->state = m->platform == MODEL_PLATFORM_UNINIT ? 0 : 1;
	s->rmp_flags = s->state ? SB_SNP_STATUS_RMP_INITIALIZED : 0;
	s->build_id = m->build;
	s->guest_count = m->snp_context ? 1 : 0;
	/* The TCB its reports carry and its VCEK certifies (snp.c). */
	s->current_tcb_version = SEV_MODEL_TCB;
	model_snp_cfg(m, &tcb, &cfg);
	s->reported_tcb_version = tcb;
	s->flags =
		(cfg & SEV_MODEL_CFG_MASK_CHIP_ID ? SB_SNP_STATUS_MASK_CHIP_ID
						  : 0) |
		(cfg & SEV_MODEL_CFG_MASK_CHIP_KEY ? SB_SNP_STATUS_MASK_CHIP_KEY
						   : 0);
	*fw_error = SEV_RET_SUCCESS;
	return 0;
}

/* GET_ID2: a length too small (or no buffer) is INVALID_LEN with the
 * length needed written back. */
static int model_get_id2(struct sev_model *m, struct sev_user_data_get_id2 *g,
			 uint32_t *fw_error)
{
	if (!g->address || g->length < MODEL_CHIP_ID_LEN) {
		g->length = MODEL_CHIP_ID_LEN;
		return model_fw_fail(fw_error, SEV_RET_INVALID_LEN);
	}
	if (model_chip_id(m, (uint8_t *)(uintptr_t)g->address))
		return -ENOMEM;
	g->length = MODEL_CHIP_ID_LEN;
	*fw_error = SEV_RET_SUCCESS;
	return 0;
}

/*
 * PDH_GEN, PEK_GEN, FACTORY_RESET on the identity (SEV API 55766; the
 * kernel initialises an UNINIT platform around the first two,
 * sev_ioctl_do_pdh_pek_gen(), and refuses a reset while guests run,
 * sev_ioctl_do_reset()): new keys, and the PDH the model hands out is
 * the new one.
 */
static int model_regen(struct sev_model *m, enum sev_model_regen what,
		       uint32_t *fw_error)
{
	if (!m->identity_rw)
		return -EOPNOTSUPP;
	if (m->platform == MODEL_PLATFORM_WORKING)
		return model_fw_fail(fw_error, SEV_RET_INVALID_PLATFORM_STATE);
	if (sev_model_identity_regen(m->identity_rw, what) ||
	    model_identity_pdh(m))
		return -ENOMEM;
	*fw_error = SEV_RET_SUCCESS;
	return 0;
}

/* PEK_CSR: a length too small (or no buffer) is INVALID_LEN with the
 * length needed written back (SEV API 55766 PEK_CSR). */
static int model_pek_csr(struct sev_model *m, struct sev_user_data_pek_csr *c,
			 uint32_t *fw_error)
{
	if (!m->identity)
		return -EOPNOTSUPP;
	if (!c->address || c->length < SEV_CERT_LEN) {
		c->length = SEV_CERT_LEN;
		return model_fw_fail(fw_error, SEV_RET_INVALID_LEN);
	}
	sev_model_identity_pek_csr(m->identity,
				   (uint8_t *)(uintptr_t)c->address);
	c->length = SEV_CERT_LEN;
	*fw_error = SEV_RET_SUCCESS;
	return 0;
}

/* PDH_GEN: a new PDH key pair (SEV API 55766 PDH_GEN; the kernel
 * initialises an UNINIT platform around it, sev_ioctl_do_pdh_pek_gen()). */
static int model_pdh_gen(struct sev_model *m, uint32_t *fw_error)
{
	if (m->identity)
		return model_regen(m, SEV_MODEL_REGEN_PDH, fw_error);
	/* An older state directory's model: its PDH alone, unsigned. */
	EVP_PKEY *k = NULL;
	uint8_t cert[SEV_CERT_LEN];
	int ret = sev_p384_generate(&k);

	if (!ret)
		ret = sev_cert_build(k, SEV_USAGE_PDH, SEV_ALGO_ECDH_SHA256,
				     m->api_major, m->api_minor, NULL, 0, cert);
	if (ret) {
		EVP_PKEY_free(k);
		return -ENOMEM;
	}
	if (m->platform == MODEL_PLATFORM_WORKING) {
		EVP_PKEY_free(k);
		return model_fw_fail(fw_error, SEV_RET_INVALID_PLATFORM_STATE);
	}
	EVP_PKEY_free(m->pdh);
	m->pdh = k;
	memcpy(m->pdh_cert, cert, sizeof(cert));
	*fw_error = SEV_RET_SUCCESS;
	return 0;
}

/*
 * SNP_CONFIG (SNP ABI 56860; AMD-ASPFW sev_mcmd.c snp_mcmd_config()):
 * reserved bits must be zero, REPORTED_TCB 0 means the current TCB, one
 * above the current TCB is INVALID_PARAM.  The model's TCB is one value
 * (SEV_MODEL_TCB), so "above" compares each SPL byte (a TCB is above
 * when any of its SPLs is).
 */
static int model_snp_config(struct sev_model *m,
			    const struct sb_sev_user_data_snp_config *c,
			    uint32_t *fw_error)
{
	static const uint8_t zero[sizeof(c->rsvd1)];
	uint64_t tcb = c->reported_tcb ? c->reported_tcb : SEV_MODEL_TCB;
	int i;

	if (!m->identity_rw)
		return -EOPNOTSUPP;
	if ((c->flags &
	     ~(SB_SNP_CONFIG_MASK_CHIP_ID | SB_SNP_CONFIG_MASK_CHIP_KEY)) ||
	    memcmp(c->rsvd1, zero, sizeof(zero)))
		return model_fw_fail(fw_error, SEV_RET_INVALID_PARAM);
	for (i = 0; i < 64; i += 8)
		if (((tcb >> i) & 0xff) > ((SEV_MODEL_TCB >> i) & 0xff))
			return model_fw_fail(fw_error, SEV_RET_INVALID_PARAM);
	/* SB_SNP_CONFIG_* and SEV_MODEL_CFG_* are the same bits.  A lower
	 * REPORTED_TCB has its own VCEK (sev_model_identity_set_snp_config). */
	if (sev_model_identity_set_snp_config(m->identity_rw, tcb, c->flags))
		return -ENOMEM;
	*fw_error = SEV_RET_SUCCESS;
	return 0;
}

/*
 * SNP_VLEK_LOAD (SNP ABI 56860; AMD-ASPFW sev_mcmd.c snp_mcmd_vlek_load()):
 * the firmware checks the length, version and reserved bytes
 * (INVALID_PARAM), then that the hashstick's TCB (vlek_wrapped_t
 * tcb_version, offset 0x190) is the REPORTED_TCB (BAD_SVN), then unwraps
 * it with AES-256-GCM under a key derived from the chip's VCEK hash; a
 * hashstick that does not authenticate is BAD_MEASUREMENT.  The model's
 * chip has no key AMD wrapped a VLEK for, so every hashstick that gets
 * that far fails the unwrap: BAD_MEASUREMENT, and no VLEK is loaded.
 */
#define VLEK_WRAPPED_TCB 0x190
static int model_vlek_load(struct sev_model *m,
			   const struct sb_sev_user_data_snp_vlek_load *v,
			   uint32_t *fw_error)
{
	const uint8_t *stick =
		(const uint8_t *)(uintptr_t)v->vlek_wrapped_address;
	uint64_t tcb;
	uint32_t cfg;

	if (v->len != sizeof(*v) || v->vlek_wrapped_version || v->rsvd[0] ||
	    v->rsvd[1] || v->rsvd[2])
		return model_fw_fail(fw_error, SEV_RET_INVALID_PARAM);
	if (!stick)
		return -EFAULT;
	model_snp_cfg(m, &tcb, &cfg);
	if (get_le64(stick, VLEK_WRAPPED_TCB) != tcb)
		return model_fw_fail(fw_error, SEV_RET_BAD_SVN);
	return model_fw_fail(fw_error, SEV_RET_BAD_MEASUREMENT);
}

/*
 * PEK_CERT_IMPORT (SEV API 55766; AMD-ASPFW sev_mcmd_pek_cert_import()):
 * the kernel initialises an UNINIT platform around it
 * (sev_ioctl_do_pek_import()); the firmware wants INIT (a WORKING
 * platform is INVALID_PLATFORM_STATE), refuses a second import
 * (ALREADY_OWNED) and lengths other than a certificate's (INVALID_LEN),
 * then checks the certificates (sev_model_identity_pek_import).
 */
static int model_pek_import(struct sev_model *m,
			    const struct sev_user_data_pek_cert_import *c,
			    uint32_t *fw_error)
{
	uint32_t st;

	if (!m->identity_rw)
		return -EOPNOTSUPP;
	if (m->platform == MODEL_PLATFORM_WORKING)
		return model_fw_fail(fw_error, SEV_RET_INVALID_PLATFORM_STATE);
	if (sev_model_identity_owned(m->identity_rw))
		return model_fw_fail(fw_error, SEV_RET_ALREADY_OWNED);
	if (c->pek_cert_len != SEV_CERT_LEN || c->oca_cert_len != SEV_CERT_LEN)
		return model_fw_fail(fw_error, SEV_RET_INVALID_LEN);
	if (!c->pek_cert_address || !c->oca_cert_address)
		return -EFAULT;
	if (sev_model_identity_pek_import(
		    m->identity_rw,
		    (const uint8_t *)(uintptr_t)c->pek_cert_address,
		    (const uint8_t *)(uintptr_t)c->oca_cert_address, &st) ||
	    (st == SEV_RET_SUCCESS && model_identity_pdh(m)))
		return -ENOMEM;
	if (st != SEV_RET_SUCCESS)
		return model_fw_fail(fw_error, st);
	*fw_error = SEV_RET_SUCCESS;
	return 0;
}

int model_platform_other(struct sev_model *m, uint32_t id, void *data,
			 uint32_t *fw_error)
{
	switch (id) {
	case SEV_PLATFORM_STATUS:
		return data ? model_status(m, data, fw_error) : -EFAULT;
	case SNP_PLATFORM_STATUS:
		return data ? model_snp_status(m, data, fw_error) : -EFAULT;
	case SEV_GET_ID2:
		return data ? model_get_id2(m, data, fw_error) : -EFAULT;
	case SEV_GET_ID: {
		struct sev_user_data_get_id *g = data;

		if (!g)
			return -EFAULT;
		memset(g, 0, sizeof(*g));
		if (model_chip_id(m, g->socket1))
			return -ENOMEM;
		*fw_error = SEV_RET_SUCCESS;
		return 0;
	}
	case SEV_PDH_GEN:
		return model_pdh_gen(m, fw_error);
	case SEV_PEK_GEN:
		return model_regen(m, SEV_MODEL_REGEN_PEK, fw_error);
	case SEV_FACTORY_RESET:
		return model_regen(m, SEV_MODEL_REGEN_RESET, fw_error);
	case SEV_PEK_CSR:
		return data ? model_pek_csr(m, data, fw_error) : -EFAULT;
	case SEV_PEK_CERT_IMPORT:
		return data ? model_pek_import(m, data, fw_error) : -EFAULT;
	case SNP_SET_CONFIG:
		return data ? model_snp_config(m, data, fw_error) : -EFAULT;
	case SNP_VLEK_LOAD:
		return data ? model_vlek_load(m, data, fw_error) : -EFAULT;
	case SNP_COMMIT:
		/* SNP ABI 56860 SNP_COMMIT (AMD-ASPFW snp_mcmd_commit()):
		 * COMMITTED_TCB and the committed version := the current
		 * ones.  The model's are one value (SEV_MODEL_TCB and its
		 * build), already committed: nothing changes. */
		*fw_error = SEV_RET_SUCCESS;
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}
