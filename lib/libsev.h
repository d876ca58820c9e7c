/* SPDX-License-Identifier: MIT */
/*
 * libsev.h: the libsev C API, AMD SEV, SEV-ES and SEV-SNP launch commands
 * for a VMM that has its own KVM VM.  See sev(3).
 *
 * Every function returns 0 on success and -1 on failure with errno set,
 * and stores the firmware's status (SEV API 55766 / SNP ABI 56860 status
 * codes, SEV_RET_* in Linux's <linux/psp-sev.h>) in *fw_err, or
 * LIBSEV_NO_FW_CALL (-1) when no firmware command was issued (a bad
 * argument, a call out of order, or a kernel refusal before the
 * firmware).  fw_err may be NULL.  The library keeps one launch per VM,
 * keyed by vm_fd, and opens /dev/sev itself.
 */
#ifndef LIBSEV_H
#define LIBSEV_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LIBSEV_VERSION_MAJOR 1
#define LIBSEV_VERSION_MINOR 1

/* *fw_err when no firmware command was issued (the Linux driver's
 * SEV_RET_NO_FW_CALL). */
#define LIBSEV_NO_FW_CALL (-1)

/* Buffer sizes (SEV API 55766: LAUNCH_START, LAUNCH_MEASURE,
 * LAUNCH_SECRET, ATTESTATION). */
#define LIBSEV_CERT_LEN		 2084 /* cert_bytes: the GODH certificate */
#define LIBSEV_SESSION_LEN	 128  /* session_bytes */
#define LIBSEV_MEASUREMENT_LEN	 48   /* MEASURE(32) || MNONCE(16) */
#define LIBSEV_SECRET_HEADER_LEN 52   /* sev_inject_launch_secret header */
#define LIBSEV_MNONCE_LEN	 16
#define LIBSEV_REPORT_LEN	 208 /* the SEV attestation report */

/* SNP_LAUNCH_UPDATE page types (SNP ABI 56860, PAGE_TYPE). */
#define LIBSEV_SNP_PAGE_NORMAL	   1
#define LIBSEV_SNP_PAGE_ZERO	   3
#define LIBSEV_SNP_PAGE_UNMEASURED 4
#define LIBSEV_SNP_PAGE_SECRETS	   5
#define LIBSEV_SNP_PAGE_CPUID	   6

/* SNP_LAUNCH_FINISH sizes (Linux KVM_SEV_SNP_ID_BLOCK_SIZE, ..._AUTH_SIZE). */
#define LIBSEV_SNP_ID_BLOCK_LEN	 96
#define LIBSEV_SNP_ID_AUTH_LEN	 4096
#define LIBSEV_SNP_HOST_DATA_LEN 32
#define LIBSEV_SNP_GOSVW_LEN	 16

/* ------------------------------------------------- SEV and SEV-ES */

int sev_init(int vm_fd, int *fw_err);
int sev_es_init(int vm_fd, int *fw_err);
int sev_launch_start(int vm_fd, uint32_t policy, const void *cert_bytes,
		     const void *session_bytes, int *fw_err);
int sev_launch_update_data(int vm_fd, uint64_t uaddr, uint64_t size,
			   int *fw_err);
int sev_launch_update_vmsa(int vm_fd, int *fw_err);
int sev_launch_measure(int vm_fd, unsigned char *measurement, int *fw_err);
int sev_inject_launch_secret(int vm_fd, const unsigned char *header,
			     const unsigned char *ciphertext,
			     uint32_t ciphertext_size, const void *guest_paddr,
			     int *fw_err);
int sev_launch_finish(int vm_fd, int *fw_err);
int sev_attestation_report(int vm_fd, unsigned char *mnonce,
			   uint32_t mnonce_len, unsigned char *report,
			   unsigned int *report_len, int *fw_err);

/* --------------------------------------------------------- SEV-SNP */

int snp_init(int vm_fd, uint64_t vmsa_features, int *fw_err);
int snp_launch_start(int vm_fd, uint64_t policy, const unsigned char *gosvw,
		     uint16_t flags, int *fw_err);
int snp_launch_update(int vm_fd, uint64_t gfn_start, uint64_t uaddr,
		      uint64_t len, uint8_t page_type, int *fw_err);
int snp_launch_finish(int vm_fd, const unsigned char *id_block,
		      const unsigned char *id_auth, int auth_key_en,
		      const unsigned char *host_data, int *fw_err);

/* -------------------------------------- the platform (/dev/sev) */

/*
 * The platform commands (SEV API 55766 chapter 5; Linux
 * <linux/psp-sev.h> SEV_ISSUE_CMD), each opening /dev/sev for itself
 * (for writing where the kernel demands it), or, with
 * SEVBOOT_BACKEND=model, the firmware model of SEVBOOT_MODEL_DIR.
 */
#define LIBSEV_CHIP_ID_MAX    256  /* GET_ID2: 64 bytes on every chip */
#define LIBSEV_SNP_REPORT_LEN 1184 /* SNP ABI 56860 ATTESTATION_REPORT */

/* PLATFORM_STATUS; flags bit 0: owned by an external OCA, bit 8:
 * SEV-ES (CONFIG_ES). */
struct libsev_platform_status {
	uint8_t api_major, api_minor, state, build;
	uint32_t flags, guest_count;
};
/* SNP_PLATFORM_STATUS; TCBs as TCB_VERSION. */
struct libsev_snp_platform_status {
	uint8_t api_major, api_minor, state, rmp_initialized;
	uint32_t build_id, flags, guest_count;
	uint64_t current_tcb, reported_tcb;
};

int sev_platform_status(struct libsev_platform_status *status, int *fw_err);
int snp_platform_status(struct libsev_snp_platform_status *status,
			int *fw_err);
int sev_pdh_cert_export(unsigned char *pdh, unsigned int *pdh_len,
			unsigned char *chain, unsigned int *chain_len,
			int *fw_err);
int sev_pek_csr(unsigned char *csr, unsigned int *csr_len, int *fw_err);
int sev_get_id(unsigned char *id, unsigned int *id_len, int *fw_err);
int sev_pdh_gen(int *fw_err);
int sev_pek_gen(int *fw_err);
int sev_factory_reset(int *fw_err);
/* PEK_CERT_IMPORT: the PEK signed by the OCA, and the OCA, each
 * LIBSEV_CERT_LEN bytes. */
int sev_pek_cert_import(const unsigned char *pek, unsigned int pek_len,
			const unsigned char *oca, unsigned int oca_len,
			int *fw_err);

/* SNP_SET_CONFIG's flags (Linux struct sev_user_data_snp_config). */
#define LIBSEV_SNP_CONFIG_MASK_CHIP_ID	0x1u
#define LIBSEV_SNP_CONFIG_MASK_CHIP_KEY 0x2u
/* SNP_VLEK_LOAD: the wrapped VLEK hashstick (SNP ABI 56860). */
#define LIBSEV_SNP_VLEK_HASHSTICK_LEN 432

int snp_commit(int *fw_err);
int snp_set_config(uint64_t reported_tcb, uint32_t flags, int *fw_err);
int snp_vlek_load(const unsigned char *hashstick, unsigned int len,
		  int *fw_err);

/* ---------------------------------------- the SNP guest (/dev/sev-guest) */

/* SNP_GET_DERIVED_KEY (MSG_KEY_REQ): root_key_select bit 0 the root key
 * (0 VCEK, 1 VMRK), bits 2:1 the key (0 VLEK if loaded else VCEK, 1 VCEK,
 * 2 VLEK); guest_field_select the LIBSEV_SNP_FIELD_* mixed in. */
#define LIBSEV_SNP_KEY_LEN	     32
#define LIBSEV_SNP_FIELD_POLICY	     (1ull << 0)
#define LIBSEV_SNP_FIELD_IMAGE_ID    (1ull << 1)
#define LIBSEV_SNP_FIELD_FAMILY_ID   (1ull << 2)
#define LIBSEV_SNP_FIELD_MEASUREMENT (1ull << 3)
#define LIBSEV_SNP_FIELD_SVN	     (1ull << 4)
#define LIBSEV_SNP_FIELD_TCB	     (1ull << 5)
#define LIBSEV_SNP_FIELD_LAUNCH_MIT  (1ull << 6)

int snp_guest_report(const unsigned char *report_data, uint32_t vmpl,
		     unsigned char *report, unsigned int *report_len,
		     int *fw_err);
/* key: LIBSEV_SNP_KEY_LEN bytes, a secret the caller wipes. */
int snp_guest_derived_key(uint32_t root_key_select, uint64_t guest_field_select,
			  uint32_t vmpl, uint32_t guest_svn,
			  uint64_t tcb_version, unsigned char *key,
			  int *fw_err);
int snp_guest_ext_report(const unsigned char *report_data, uint32_t vmpl,
			 unsigned char *report, unsigned int *report_len,
			 unsigned char *certs, unsigned int *certs_len,
			 int *fw_err);
/* configfs-tsm (/sys/kernel/config/tsm/report): the report, and with aux
 * and aux_len the certificate table (auxblob). */
int snp_guest_tsm_report(const unsigned char *report_data, uint32_t vmpl,
			 unsigned char *report, unsigned int *report_len,
			 unsigned char *aux, unsigned int *aux_len,
			 int *fw_err);

/* ------------------------------------- the firmware model (extension) */

/*
 * With SEVBOOT_BACKEND=model: vcpu_fd is the VM's next vCPU (call once
 * per vCPU, in vCPU index order); the model reads its registers when it
 * measures the VMSAs (LAUNCH_UPDATE_VMSA, SNP_LAUNCH_FINISH), as KVM does
 * on hardware.  With the kernel backend it only checks its arguments.
 */
int sev_model_add_vcpu(int vm_fd, int vcpu_fd, int *fw_err);

#ifdef __cplusplus
}
#endif

#endif
