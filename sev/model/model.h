/* SPDX-License-Identifier: MIT */
/*
 * sev/model/model.h: the firmware model's private state, shared by its
 * files (model.c: KVM's side, the platform, SEV/SEV-ES; snp.c: SEV-SNP).
 *
 * The model stands in for two things at once, because the transport
 * boundary is the KVM_MEMORY_ENCRYPT_OP ioctl: KVM (argument checks that
 * fail with -EINVAL/-EFAULT/-ENOTTY/-EPERM and never reach the firmware)
 * and the AMD Secure Processor behind it (failures are -EIO with a
 * SEV_RET_* status in *fw_error).  Every check follows the order of AMD's
 * published firmware source (amd/AMD-ASPFW sev_uapp sev_mcmd.c:
 * sev_mcmd_launch_*(), snp_mcmd_launch_*()) and of KVM (Linux
 * arch/x86/kvm/svm/sev.c); where those are silent the choice is written
 * next to the check.
 */
#ifndef SEVBOOT_SEV_MODEL_MODEL_H
#define SEVBOOT_SEV_MODEL_MODEL_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "sev/launch.h"
#include "sev/sev.h"

/* What PLATFORM_STATUS says when the configuration leaves it 0/0/0: the
 * published Genoa firmware (ASPFW 1.55.25). */
#define MODEL_API_MAJOR SEV_MODEL_API_MAJOR
#define MODEL_API_MINOR SEV_MODEL_API_MINOR
#define MODEL_BUILD	SEV_MODEL_BUILD

/* The one guest handle the model gives out (the firmware's are 1..1024). */
#define MODEL_HANDLE 1

/* KVM's limit on blobs it copies for the firmware (SEV_FW_BLOB_MAX_SIZE). */
#define MODEL_KVM_BLOB_MAX 0x4000

/*
 * SNP_LAUNCH_UPDATE: how many 4 KiB pages one call consumes at most
 * before it returns 0 with the rest of the range written back, as KVM
 * does when it is interrupted.  Small, so that the launcher's retry loop
 * is exercised by every plan bigger than 256 KiB.
 */
#define MODEL_SNP_PAGES_PER_CALL 64

/* Platform state (SEV API 55766 §5.1.2; AMD-ASPFW sev_plat.c). */
enum model_platform_state {
	MODEL_PLATFORM_UNINIT = 0,
	MODEL_PLATFORM_INIT = 1,
	MODEL_PLATFORM_WORKING = 2,
};

/* SNP guest state (AMD-ASPFW sev_guest.c state_tbl_snp). */
enum model_snp_state {
	MODEL_SNP_INIT = 0,
	MODEL_SNP_LAUNCH = 1,
	MODEL_SNP_RUNNING = 2,
};

/* A run of guest frames SNP_LAUNCH_UPDATE has made private. */
struct model_gfn_range {
	uint64_t first, count;
};

struct sev_model {
	/* The configuration (pdh_private is not kept: the key is in pdh). */
	enum sev_mode mode;
	uint8_t api_major, api_minor, build;
	int (*vmsa)(void *ctx, unsigned index, uint8_t page[VMSA_SIZE]);
	void *vmsa_ctx;

	EVP_PKEY *pdh; /* the platform's PDH key pair */
	const struct sev_model_identity *identity; /* borrowed; or NULL */
	/* The same identity when the platform commands may change it
	 * (sev_model_config.platform_identity); or NULL. */
	struct sev_model_identity *identity_rw;
	uint8_t pdh_cert[SEV_CERT_LEN];

	/* KVM's view of the VM. */
	bool vm_init;		/* INIT / ES_INIT / INIT2 succeeded */
	uint64_t vmsa_features; /* from INIT2 */
	uint16_t ghcb_version;

	/* The firmware's platform. */
	enum model_platform_state platform;

	/* SEV / SEV-ES guest (one per VM, as KVM has it). */
	uint32_t handle; /* 0 until LAUNCH_START */
	uint32_t policy;
	uint32_t state; /* enum sev_guest_state values */
	bool active;	/* ACTIVATE bound the ASID */
	bool vmsa_done; /* KVM: the VMSAs are protected after UPDATE_VMSA */
	struct sev_tk tk;
	EVP_MD_CTX *ld_ctx; /* running SHA-256, ASPFW launch_update_common() */
	bool ld_final;
	uint8_t ld[32];
	uint8_t measure[32]; /* the last LAUNCH_MEASURE HMAC, for SECRET */

	/* SNP guest. */
	bool snp_context; /* KVM: GCTX exists (after a good LAUNCH_START) */
	enum model_snp_state snp_state;
	uint64_t snp_policy;
	uint8_t snp_ld[48];
	uint8_t gosvw[16];
	uint8_t vmpck[4][32];
	uint8_t report_id[32], report_id_ma[32];
	bool snp_vmsa_done; /* KVM: the VMSAs became guest pages */
	bool id_block_en, author_key_en, vcek_disabled;
	uint8_t id_block[96];
	uint8_t id_key_digest[48], author_key_digest[48];
	uint8_t host_data[32];
	struct model_gfn_range *private_gfns;
	unsigned nprivate, private_cap;
};

/* Set *fw_error and return -EIO: a command the firmware failed. */
/* SNP_CONFIG's REPORTED_TCB and SEV_MODEL_CFG_* flags: the identity's
 * (platform.state), or SEV_MODEL_TCB and none without one. */
static inline void model_snp_cfg(const struct sev_model *m, uint64_t *tcb,
				 uint32_t *flags)
{
	*tcb = SEV_MODEL_TCB;
	*flags = 0;
	if (m->identity)
		sev_model_identity_snp_config(m->identity, tcb, flags);
}

static inline int model_fw_fail(uint32_t *fw_error, uint32_t status)
{
	*fw_error = status;
	return -EIO;
}

/* snp.c: the SNP commands, after model.c's dispatch checked the id. */
int model_snp_launch_start(struct sev_model *m, void *data, uint32_t *fw_error);
int model_snp_launch_update(struct sev_model *m, void *data,
			    uint32_t *fw_error);
int model_snp_launch_finish(struct sev_model *m, void *data,
			    uint32_t *fw_error);
/* Wipe the SNP guest's keys and free its bookkeeping. */
void model_snp_free(struct sev_model *m);

/*
 * snp.c: the model's rule for an acceptable SNP CPUID page (SNP ABI 56860
 * SNP_LAUNCH_UPDATE, CPUID page; the rule is spelt out at its
 * definition).  0 if page passes, else -EINVAL with page corrected in
 * place, as the firmware hands it back.
 */
int model_snp_cpuid_check(uint8_t page[4096]);

/*
 * platform.c: the /dev/sev commands other than PDH_CERT_EXPORT
 * (PLATFORM_STATUS, SNP_PLATFORM_STATUS, GET_ID, GET_ID2, PDH_GEN,
 * PEK_GEN, PEK_CSR, FACTORY_RESET, PEK_CERT_IMPORT, SNP_COMMIT,
 * SNP_SET_CONFIG, SNP_VLEK_LOAD), with the kernel's structs; -EOPNOTSUPP
 * for the ones the model cannot answer (those that change the identity
 * when it may not rewrite it, and any other command).
 */
int model_platform_other(struct sev_model *m, uint32_t id, void *data,
			 uint32_t *fw_error);
/* model.c: the identity's PDH key and certificate become the model's. */
int model_identity_pdh(struct sev_model *m);
#define MODEL_CHIP_ID_LEN 64
int model_chip_id(const struct sev_model *m, uint8_t id[MODEL_CHIP_ID_LEN]);

/*
 * kernel.c: could the kernel read (pin, copy from) every page of
 * [addr, addr + len) of this process?  What a caller that hands the model
 * host addresses checks first, so that a bad address is the kernel's
 * -EFAULT/-ENOMEM and not a crash of the model reading it.
 */
bool model_user_readable(uint64_t addr, uint64_t len);
/* The same, and could the kernel write there (LAUNCH_SECRET's guest
 * memory)?  The bytes are read and written back unchanged. */
bool model_user_writable(uint64_t addr, uint64_t len);

#endif
