// SPDX-License-Identifier: MIT
/*
 * sev/model/snp.c: the firmware model's SEV-SNP launch, as SNP ABI 56860
 * specifies it and AMD-ASPFW sev_mcmd.c does it: SNP_LAUNCH_START (policy
 * checks, snp_mcmd_launch_start()), SNP_LAUNCH_UPDATE (the PAGE_INFO
 * chain, the secrets page, the CPUID page: snp_mcmd_launch_update()) and
 * SNP_LAUNCH_FINISH (the VMSAs, then the ID block and its authentication:
 * snp_mcmd_launch_finish()), behind KVM's checks (Linux
 * arch/x86/kvm/svm/sev.c snp_launch_start(), snp_launch_update(),
 * snp_launch_finish()).
 *
 * Decisions where the references are silent:
 *  - KVM layer as Linux 6.16+: flags must be 0 and bit 17 set (-EINVAL),
 *    one context per VM (-EINVAL); the other policy bits (SMT, the newer
 *    ones, the ABI version) are left to the firmware, which this is.
 *  - The model's platform has SMT enabled, so an SNP policy without SMT
 *    (bit 16) fails with POLICY_FAILURE, as on a typical host.
 *  - Policy bits 21-25 (CXL_ALLOW ... PAGE_SWAP_DISABLE) are reserved
 *    (POLICY_FAILURE) below ABI 1.58 and allowed from 1.58 on: the 1.55
 *    source treats them as reserved (AMD-ASPFW sev_guest.h
 *    SNP_GUEST_POLICY_RESERVED_MASK); 1.58 is the ABI revision that
 *    go-sev-guest, which decodes them (abi/abi.go), says it follows.
 *  - SNP_LAUNCH_UPDATE after SNP_LAUNCH_FINISH reaches the firmware and
 *    fails with INVALID_GUEST_STATE (a kernel may refuse it earlier); a
 *    second SNP_LAUNCH_FINISH is -EINVAL: KVM already turned the VMSAs
 *    into guest pages.
 *  - A GFN given to SNP_LAUNCH_UPDATE twice is -EEXIST (KVM finds the page
 *    already private in the RMP).
 *  - The model writes the secrets page over the source bytes at uaddr: in
 *    sevboot those are the guest's RAM, which the model does not encrypt.
 */
#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "util/kvm_uapi.h"
#include "sev/model/model.h"
#include "util/util.h"

#define PAGE_SIZE 4096ULL

/* SNP guest policy (SNP ABI 56860; AMD-ASPFW sev_guest.h). */
#define SNP_POLICY_ABI_MINOR(p) ((unsigned)((p)&0xff))
#define SNP_POLICY_ABI_MAJOR(p) ((unsigned)(((p) >> 8) & 0xff))
#define SNP_POLICY_SMT		(1ULL << 16)
#define SNP_POLICY_RSVD_MBO	(1ULL << 17)
#define SNP_POLICY_VALID_155	((1ULL << 21) - 1) /* bits 0-20 */
#define SNP_POLICY_VALID_158	((1ULL << 26) - 1) /* + bits 21-25 */

/* PAGE_INFO (SNP ABI 56860 SNP_LAUNCH_UPDATE; AMD-ASPFW sev_mcmd.h). */
#define PAGE_INFO_LEN	0x70
#define PI_DIGEST_CUR	0x00
#define PI_CONTENTS	0x30
#define PI_LENGTH	0x60
#define PI_PAGE_TYPE	0x62
#define PI_GPA		0x68
#define VMSA_TSC_FIELDS 0x2f0 /* GUEST_TSC_SCALE, GUEST_TSC_OFFSET */
#define VMSA_TSC_LEN	16

/* Secrets page (SNP ABI 56860; AMD-ASPFW sev_mcmd.h). */
#define SECRETS_VERSION	   3 /* ASPFW; sev-tool src/sevapi.h says 2 */
#define SECRETS_OFF_GOSVW  0x10
#define SECRETS_OFF_VMPCK0 0x20

/* CPUID page (SNP ABI 56860; AMD-ASPFW sev_mcmd.h, cpuid_lookup.h). */
#define CPUID_MAX_ENTRIES 64
#define CPUID_HDR_LEN	  0x10
#define CPUID_ENTRY_LEN	  48
#define CE_EAX_IN	  0x00
#define CE_ECX_IN	  0x04
#define CE_EBX		  0x1c
#define CE_ECX		  0x20
#define CE_EDX		  0x24
#define CE_RESERVED	  0x28

/* ID block and ID auth (SNP ABI 56860 SNP_LAUNCH_FINISH; AMD-ASPFW
 * sev_mcmd.h). */
#define ID_BLOCK_LD	    0x00
#define ID_BLOCK_POLICY	    0x58
#define ID_AUTH_ID_ALGO	    0x000
#define ID_AUTH_AUTHOR_ALGO 0x004
#define ID_AUTH_ID_SIG	    0x040
#define ID_AUTH_ID_KEY	    0x240
#define ID_AUTH_ID_KEY_SIG  0x680
#define ID_AUTH_AUTHOR_KEY  0x880
#define ID_ALGO_P384_SHA384 1

static bool all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t k = 0; k < n; k++)
		if (b[k])
			return false;
	return true;
}

static int sha384(const void *data, size_t len, uint8_t out[48])
{
	unsigned int n = 0;

	if (!EVP_Digest(data, len, out, &n, EVP_sha384(), NULL) || n != 48)
		return -ENOMEM;
	return 0;
}

void model_snp_free(struct sev_model *m)
{
	OPENSSL_cleanse(m->vmpck, sizeof(m->vmpck));
	OPENSSL_free(m->private_gfns);
	m->private_gfns = NULL;
	m->nprivate = m->private_cap = 0;
}

/* ----------------------------------------------------------- the RMP */

static bool gfn_private(const struct sev_model *m, uint64_t gfn)
{
	for (unsigned k = 0; k < m->nprivate; k++)
		if (gfn >= m->private_gfns[k].first &&
		    gfn - m->private_gfns[k].first < m->private_gfns[k].count)
			return true;
	return false;
}

static int gfn_make_private(struct sev_model *m, uint64_t gfn)
{
	struct model_gfn_range *last =
		m->nprivate ? &m->private_gfns[m->nprivate - 1] : NULL;

	/* Plans populate ranges in order: usually this extends the last. */
	if (last && last->first + last->count == gfn) {
		last->count++;
		return 0;
	}
	if (m->nprivate == m->private_cap) {
		unsigned cap = m->private_cap ? 2 * m->private_cap : 16;
		struct model_gfn_range *r =
			OPENSSL_realloc(m->private_gfns, cap * sizeof(*r));

		if (!r)
			return -ENOMEM;
		m->private_gfns = r;
		m->private_cap = cap;
	}
	m->private_gfns[m->nprivate++] = (struct model_gfn_range){gfn, 1};
	return 0;
}

/* ------------------------------------------------------- LAUNCH_START */

/* The policy checks of AMD-ASPFW snp_mcmd_launch_start() (no migration
 * agent under KVM). */
static bool snp_policy_ok(const struct sev_model *m, uint64_t policy)
{
	bool abi_158 =
		m->api_major > 1 || (m->api_major == 1 && m->api_minor >= 58);
	uint64_t valid = abi_158 ? SNP_POLICY_VALID_158 : SNP_POLICY_VALID_155;
	unsigned major = SNP_POLICY_ABI_MAJOR(policy),
		 minor = SNP_POLICY_ABI_MINOR(policy);

	if (!(policy & SNP_POLICY_RSVD_MBO))
		return false;
	if (!(policy & SNP_POLICY_SMT)) /* the model's host runs SMT */
		return false;
	if (major > m->api_major ||
	    (major == m->api_major && minor > m->api_minor))
		return false;
	return !(policy & ~valid);
}

int model_snp_launch_start(struct sev_model *m, void *data, uint32_t *fw_error)
{
	struct kvm_sev_snp_launch_start *p = data;

	if (!p)
		return -EFAULT;
	if (m->snp_context)
		return -EINVAL; /* one SNP context per VM */
	if (p->flags || !(p->policy & SNP_POLICY_RSVD_MBO))
		return -EINVAL;

	/* KVM creates a fresh GCTX (state INIT, LD zero) for the command. */
	if (m->platform == MODEL_PLATFORM_UNINIT)
		return model_fw_fail(fw_error, SEV_RET_INVALID_PLATFORM_STATE);
	if (!snp_policy_ok(m, p->policy))
		return model_fw_fail(fw_error, SEV_RET_POLICY_FAILURE);

	/* Then, as snp_mcmd_launch_start(): the guest's keys and report id. */
	if (RAND_bytes(&m->vmpck[0][0], sizeof(m->vmpck)) != 1 ||
	    RAND_bytes(m->report_id, sizeof(m->report_id)) != 1) {
		OPENSSL_cleanse(m->vmpck, sizeof(m->vmpck));
		return -ENOMEM;
	}
	memset(m->report_id_ma, 0xff, sizeof(m->report_id_ma));
	memcpy(m->gosvw, p->gosvw, sizeof(m->gosvw));
	memset(m->snp_ld, 0, sizeof(m->snp_ld));
	m->snp_policy = p->policy;
	m->snp_state = MODEL_SNP_LAUNCH;
	m->snp_context = true;
	*fw_error = SEV_RET_SUCCESS;
	return 0;
}

/* ------------------------------------------------------ LAUNCH_UPDATE */

/*
 * The CPUID page the model accepts (the firmware checks every leaf against
 * a table of its own, AMD-ASPFW cpuid_lookup.c sanitize_cpuid_list(),
 * which the model does not copy): count <= 64, every reserved field zero
 * (the header's and each entry's), and none of the feature bits the AMD-SP
 * refuses to promise a guest.  Those are the ones QEMU masks before
 * SNP_LAUNCH_UPDATE (QEMU target/i386/sev.c
 * sev_snp_mask_cpuid_features()), so a table made by snp_cpuid_page_build()
 * passes: leaf 1 ECX TSC-deadline (24); leaf 7.0 EBX TSC_ADJUST (1); leaf
 * 7.0 EDX SPEC_CTRL, STIBP, FLUSH_L1D, ARCH_CAPABILITIES, CORE_CAPABILITY,
 * SSBD (26-31); leaf 0x80000008 EBX VIRT_SSBD (25).  Everything else is
 * allowed.  A wrong page is corrected in place (count clamped to 64,
 * reserved fields zeroed, refused bits cleared).
 */
struct cpuid_refused {
	uint32_t eax_in;
	int ecx_in; /* -1: any sub-leaf */
	unsigned reg;
	uint32_t bits;
};

static const struct cpuid_refused cpuid_refused[] = {
	{0x00000001, -1, CE_ECX, 1u << 24},
	{0x00000007, 0, CE_EBX, 1u << 1},
	{0x00000007, 0, CE_EDX, 0xfc000000u},
	{0x80000008, -1, CE_EBX, 1u << 25},
};

int model_snp_cpuid_check(uint8_t page[4096])
{
	uint32_t count = get_le32(page, 0);
	bool bad = false;

	if (count > CPUID_MAX_ENTRIES) {
		count = CPUID_MAX_ENTRIES;
		put_le32(page, 0, count);
		bad = true;
	}
	if (!all_zero(page + 4, CPUID_HDR_LEN - 4)) {
		memset(page + 4, 0, CPUID_HDR_LEN - 4);
		bad = true;
	}
	for (uint32_t k = 0; k < count; k++) {
		uint8_t *e = page + CPUID_HDR_LEN + k * CPUID_ENTRY_LEN;
		uint32_t fn = get_le32(e, CE_EAX_IN),
			 sub = get_le32(e, CE_ECX_IN);

		if (!all_zero(e + CE_RESERVED, 8)) {
			memset(e + CE_RESERVED, 0, 8);
			bad = true;
		}
		for (size_t r = 0;
		     r < sizeof(cpuid_refused) / sizeof(cpuid_refused[0]);
		     r++) {
			const struct cpuid_refused *c = &cpuid_refused[r];
			uint32_t v;

			if (c->eax_in != fn ||
			    (c->ecx_in >= 0 && (uint32_t)c->ecx_in != sub))
				continue;
			v = get_le32(e + c->reg, 0);
			if (v & c->bits) {
				put_le32(e + c->reg, 0, v & ~c->bits);
				bad = true;
			}
		}
	}
	return bad ? -EINVAL : 0;
}

/* What the firmware puts in a SECRETS page (AMD-ASPFW
 * snp_mcmd_launch_update()). */
static void secrets_page_fill(const struct sev_model *m, uint8_t *page)
{
	memset(page, 0, PAGE_SIZE);
	put_le32(page, 0, SECRETS_VERSION);
	/* IMI_EN 0 (KVM never sets it); FMS 0 (the model has no CPU). */
	memcpy(page + SECRETS_OFF_GOSVW, m->gosvw, sizeof(m->gosvw));
	memcpy(page + SECRETS_OFF_VMPCK0, m->vmpck, sizeof(m->vmpck));
}

/*
 * One page through the firmware's SNP_LAUNCH_UPDATE: its checks, its
 * action per page type, and GCTX.LD <- SHA-384(PAGE_INFO) (AMD-ASPFW
 * snp_mcmd_launch_update()).  page is the source (NULL for ZERO); the
 * model may write it (SECRETS, or a corrected CPUID table).
 */
static int fw_snp_update_page(struct sev_model *m, uint8_t type, uint64_t gpa,
			      uint8_t *page, uint32_t *fw_error)
{
	uint8_t info[PAGE_INFO_LEN] = {0};
	int ret = 0;

	if (m->snp_state != MODEL_SNP_LAUNCH)
		return model_fw_fail(fw_error, SEV_RET_INVALID_GUEST_STATE);

	switch (type) {
	case SNP_PAGE_NORMAL:
		ret = sha384(page, PAGE_SIZE, info + PI_CONTENTS);
		break;
	case SNP_PAGE_VMSA: {
		uint8_t vmsa[PAGE_SIZE];

		/* Measured with the TSC scale and offset taken as zero. */
		memcpy(vmsa, page, sizeof(vmsa));
		memset(vmsa + VMSA_TSC_FIELDS, 0, VMSA_TSC_LEN);
		ret = sha384(vmsa, sizeof(vmsa), info + PI_CONTENTS);
		OPENSSL_cleanse(vmsa, sizeof(vmsa));
		break;
	}
	case SNP_PAGE_ZERO:
	case SNP_PAGE_UNMEASURED:
		break;
	case SNP_PAGE_SECRETS:
		secrets_page_fill(m, page);
		break;
	case SNP_PAGE_CPUID:
		/* A wrong table goes back corrected, LD untouched. */
		if (model_snp_cpuid_check(page))
			return model_fw_fail(fw_error, SEV_RET_INVALID_PARAM);
		break;
	default:
		return model_fw_fail(fw_error, SEV_RET_INVALID_PARAM);
	}
	if (ret)
		return ret;

	memcpy(info + PI_DIGEST_CUR, m->snp_ld, sizeof(m->snp_ld));
	info[PI_LENGTH] = PAGE_INFO_LEN;
	info[PI_LENGTH + 1] = 0;
	info[PI_PAGE_TYPE] = type;
	/* IMI_PAGE and the VMPL permissions stay 0 under KVM. */
	for (int b = 0; b < 8; b++)
		info[PI_GPA + b] = (uint8_t)(gpa >> (8 * b));
	return sha384(info, sizeof(info), m->snp_ld);
}

static bool kvm_snp_type_ok(uint8_t type)
{
	return type == SNP_PAGE_NORMAL || type == SNP_PAGE_ZERO ||
	       type == SNP_PAGE_UNMEASURED || type == SNP_PAGE_SECRETS ||
	       type == SNP_PAGE_CPUID;
}

int model_snp_launch_update(struct sev_model *m, void *data, uint32_t *fw_error)
{
	struct kvm_sev_snp_launch_update *p = data;
	uint8_t *src;
	uint64_t npages, k;
	int ret = 0;

	if (!p)
		return -EFAULT;
	if (!m->snp_context)
		return -EINVAL;
	if (p->flags || !p->len || (p->len & (PAGE_SIZE - 1)) ||
	    !kvm_snp_type_ok(p->type))
		return -EINVAL;
	src = p->type == SNP_PAGE_ZERO ? NULL : (uint8_t *)(uintptr_t)p->uaddr;
	if (!src && p->type != SNP_PAGE_ZERO)
		return -EFAULT;

	/* At most a bounded run per call, as an interrupted KVM does. */
	npages = p->len / PAGE_SIZE;
	if (npages > MODEL_SNP_PAGES_PER_CALL)
		npages = MODEL_SNP_PAGES_PER_CALL;
	for (k = 0; k < npages; k++) {
		uint64_t gfn = p->gfn_start + k;

		if (gfn_private(m, gfn)) {
			ret = -EEXIST;
			break;
		}
		ret = fw_snp_update_page(m, p->type, gfn * PAGE_SIZE,
					 src ? src + k * PAGE_SIZE : NULL,
					 fw_error);
		if (!ret)
			ret = gfn_make_private(m, gfn);
		if (ret)
			break;
	}
	/*
	 * kvm_gmem_populate: a failure on the first page is the command's
	 * result; after some pages it reports them done and returns 0, and
	 * the next call meets the failure first.
	 */
	if (ret && !k)
		return ret;
	p->gfn_start += k;
	p->len -= k * PAGE_SIZE;
	if (src)
		p->uaddr += k * PAGE_SIZE;
	*fw_error = SEV_RET_SUCCESS;
	return 0;
}

/* ------------------------------------------------------ LAUNCH_FINISH */

/* Verify sig (R||S) of data with the 0x404-byte key; status or 0. */
static int id_verify(const uint8_t *key, const uint8_t *sig, const void *data,
		     size_t len)
{
	EVP_PKEY *k = NULL;
	int ret;

	ret = sev_ecc_pubkey_parse(key, &k, NULL, 0);
	if (ret == -EINVAL)
		return SEV_RET_BAD_SIGNATURE; /* curve, or not on it */
	if (ret)
		return -ENOMEM;
	ret = sev_ecdsa_verify(k, EVP_sha384(), data, len, sig);
	EVP_PKEY_free(k);
	if (ret == -EBADMSG)
		return SEV_RET_BAD_SIGNATURE;
	return ret ? -ENOMEM : 0;
}

/* The ID block checks of AMD-ASPFW snp_mcmd_launch_finish(): a positive
 * status, 0, or -ENOMEM. */
static int fw_check_id_block(struct sev_model *m, const uint8_t *idb,
			     const uint8_t *auth, bool author_key_en)
{
	int ret;

	if (CRYPTO_memcmp(idb + ID_BLOCK_LD, m->snp_ld, sizeof(m->snp_ld)))
		return SEV_RET_BAD_MEASUREMENT;
	if (get_le64(idb, ID_BLOCK_POLICY) != m->snp_policy)
		return SEV_RET_POLICY_FAILURE;
	if (get_le32(auth, ID_AUTH_ID_ALGO) != ID_ALGO_P384_SHA384 ||
	    (author_key_en &&
	     get_le32(auth, ID_AUTH_AUTHOR_ALGO) != ID_ALGO_P384_SHA384))
		return SEV_RET_INVALID_PARAM;
	ret = id_verify(auth + ID_AUTH_ID_KEY, auth + ID_AUTH_ID_SIG, idb,
			KVM_SEV_SNP_ID_BLOCK_SIZE);
	if (ret)
		return ret;
	ret = sha384(auth + ID_AUTH_ID_KEY, SEV_ECC_PUBKEY_LEN,
		     m->id_key_digest);
	if (ret)
		return ret;
	if (author_key_en) {
		ret = id_verify(auth + ID_AUTH_AUTHOR_KEY,
				auth + ID_AUTH_ID_KEY_SIG,
				auth + ID_AUTH_ID_KEY, SEV_ECC_PUBKEY_LEN);
		if (ret)
			return ret;
		ret = sha384(auth + ID_AUTH_AUTHOR_KEY, SEV_ECC_PUBKEY_LEN,
			     m->author_key_digest);
		if (ret)
			return ret;
	}
	memcpy(m->id_block, idb, sizeof(m->id_block));
	return 0;
}

int model_snp_launch_finish(struct sev_model *m, void *data, uint32_t *fw_error)
{
	struct kvm_sev_snp_launch_finish *p = data;
	const uint8_t *idb = NULL, *auth = NULL;
	uint8_t page[VMSA_SIZE];
	int ret = 0;

	if (!p)
		return -EFAULT;
	if (!m->snp_context || p->flags)
		return -EINVAL;
	if (!m->vmsa || m->snp_vmsa_done)
		return -EINVAL;
	if (p->id_block_en) {
		idb = (const uint8_t *)(uintptr_t)p->id_block_uaddr;
		auth = (const uint8_t *)(uintptr_t)p->id_auth_uaddr;
		if (!idb || !auth)
			return -EINVAL; /* psp_copy_user_blob */
	}

	/* KVM first issues SNP_LAUNCH_UPDATE(VMSA) for every vCPU, in
	 * index order, at INITIAL_VMSA_GPA. */
	for (unsigned n = 0;; n++) {
		ret = m->vmsa(m->vmsa_ctx, n, page);
		if (ret == -ENOENT) {
			ret = 0;
			break;
		}
		if (!ret)
			ret = fw_snp_update_page(m, SNP_PAGE_VMSA, SNP_VMSA_GPA,
						 page, fw_error);
		if (ret)
			break;
		m->snp_vmsa_done = true;
	}
	OPENSSL_cleanse(page, sizeof(page));
	if (ret)
		return ret;

	/* SNP_LAUNCH_FINISH in order (AMD-ASPFW snp_mcmd_launch_finish()). */
	if (m->snp_state != MODEL_SNP_LAUNCH)
		return model_fw_fail(fw_error, SEV_RET_INVALID_GUEST_STATE);
	if (p->id_block_en) {
		ret = fw_check_id_block(m, idb, auth, p->auth_key_en);
		if (ret < 0)
			return ret;
		if (ret)
			return model_fw_fail(fw_error, (uint32_t)ret);
	}
	m->id_block_en = p->id_block_en;
	m->author_key_en = p->id_block_en && p->auth_key_en;
	m->vcek_disabled = p->vcek_disabled;
	memcpy(m->host_data, p->host_data, sizeof(m->host_data));
	m->snp_state = MODEL_SNP_RUNNING;
	*fw_error = SEV_RET_SUCCESS;
	return 0;
}

/* ------------------------------------------------------------- REPORT */

/* The report's offsets are SNP_RPT_* (sev/sev.h); its values (SNP ABI
 * 56860 ATTESTATION_REPORT; AMD-ASPFW sev_rmp.h snp_attestation_report_t): */
#define REPORT_VERSION	    2 /* what ASPFW 1.55.25 writes */
#define PLATFORM_SMT_EN	    (1ULL << 0)
#define FLAGS_AUTHOR_KEY_EN (1u << 0)
#define FLAGS_MASK_CHIP_KEY (1u << 1)
#define FLAGS_SIGNING_NONE  (7u << 2) /* SIGNING_KEY 7: not signed */
#define ID_BLOCK_FAMILY_ID  0x30
#define ID_BLOCK_IMAGE_ID   0x40
#define ID_BLOCK_GUEST_SVN  0x54

int sev_model_snp_report(struct sev_model *m, const uint8_t report_data[64],
			 uint32_t vmpl, uint8_t r[SEV_MODEL_SNP_REPORT_LEN])
{
	uint64_t reported_tcb;
	uint32_t cfg;
	bool mask_key;

	if (!m->identity)
		return -EOPNOTSUPP;
	if (m->mode != SEV_MODE_SNP || m->snp_state != MODEL_SNP_RUNNING)
		return -EPROTO;
	if (vmpl > 3)
		return -EINVAL;
	model_snp_cfg(m, &reported_tcb, &cfg);
	mask_key = cfg & SEV_MODEL_CFG_MASK_CHIP_KEY;
	memset(r, 0, SEV_MODEL_SNP_REPORT_LEN);
	put_le32(r, 0, REPORT_VERSION);
	if (m->id_block_en) {
		put_le32(r, SNP_RPT_GUEST_SVN,
			 get_le32(m->id_block, ID_BLOCK_GUEST_SVN));
		memcpy(r + SNP_RPT_FAMILY_ID, m->id_block + ID_BLOCK_FAMILY_ID, 16);
		memcpy(r + SNP_RPT_IMAGE_ID, m->id_block + ID_BLOCK_IMAGE_ID, 16);
		memcpy(r + SNP_RPT_ID_KEY_DIGEST, m->id_key_digest, 48);
	}
	put_le64(r, SNP_RPT_POLICY, m->snp_policy);
	put_le32(r, SNP_RPT_VMPL, vmpl);
	put_le32(r, SNP_RPT_SIG_ALGO, ID_ALGO_P384_SHA384);
	put_le64(r, SNP_RPT_CURRENT_TCB, SEV_MODEL_TCB);
	/* The model's platform has SMT on (see snp_policy_ok). */
	put_le64(r, SNP_RPT_PLATFORM_INFO, PLATFORM_SMT_EN);
	put_le32(r, SNP_RPT_FLAGS,
		 (m->author_key_en ? FLAGS_AUTHOR_KEY_EN : 0) |
			 (mask_key ? FLAGS_MASK_CHIP_KEY : 0) |
			 (m->vcek_disabled || mask_key ? FLAGS_SIGNING_NONE
						       : 0));
	memcpy(r + SNP_RPT_REPORT_DATA, report_data, 64);
	memcpy(r + SNP_RPT_MEASUREMENT, m->snp_ld, 48);
	memcpy(r + SNP_RPT_HOST_DATA, m->host_data, 32);
	if (m->author_key_en)
		memcpy(r + SNP_RPT_AUTHOR_KEY_DIGEST, m->author_key_digest, 48);
	memcpy(r + SNP_RPT_REPORT_ID, m->report_id, 32);
	memcpy(r + SNP_RPT_REPORT_ID_MA, m->report_id_ma, 32);
	put_le64(r, SNP_RPT_REPORTED_TCB, reported_tcb);
	/* SNP_CONFIG's MASK_CHIP_ID: CHIP_ID all zero (memset above). */
	if (!(cfg & SEV_MODEL_CFG_MASK_CHIP_ID))
		sev_model_identity_chip_id(m->identity, r + SNP_RPT_CHIP_ID);
	put_le64(r, SNP_RPT_COMMITTED_TCB, SEV_MODEL_TCB);
	r[SNP_RPT_CURRENT_BUILD] = m->build;
	r[SNP_RPT_CURRENT_BUILD + 1] = m->api_minor;
	r[SNP_RPT_CURRENT_BUILD + 2] = m->api_major;
	memcpy(r + SNP_RPT_COMMITTED_BUILD, r + SNP_RPT_CURRENT_BUILD, 3);
	put_le64(r, SNP_RPT_LAUNCH_TCB, SEV_MODEL_TCB);
	/* SNP_LAUNCH_FINISH's VCEK_DIS or SNP_CONFIG's MASK_CHIP_KEY: no key
	 * signs (SIGNING_KEY 7, the signature zero). */
	if (m->vcek_disabled || mask_key)
		return 0;
	return sev_model_identity_sign_snp(m->identity, r) ? -ENOMEM : 0;
}
