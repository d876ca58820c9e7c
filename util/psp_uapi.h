/* SPDX-License-Identifier: MIT */
/*
 * util/psp_uapi.h: the kernel UAPI of the AMD Secure Processor's two
 * character devices, the one copy sevboot keeps:
 *
 *  - /dev/sev, the host's platform commands (Linux
 *    include/uapi/linux/psp-sev.h: SEV_ISSUE_CMD, struct sev_issue_cmd
 *    and the command structs, the SEV_RET_* firmware status codes);
 *  - /dev/sev-guest, an SNP guest's messages to the firmware (Linux
 *    include/uapi/linux/sev-guest.h: SNP_GET_REPORT, SNP_GET_DERIVED_KEY,
 *    SNP_GET_EXT_REPORT and struct snp_guest_request_ioctl).
 *
 * The rules are util/kvm_uapi.h's (which includes this header): structs
 * the build host's headers have are used as they are and asserted; newer
 * ones are declared under the kernel's own name when a marker macro says
 * they are missing, or as ours with an sb_ prefix when there is no marker
 * (the kernel's are enum constants or bitfields); every size, offset and
 * number is checked at compile time.
 */
#ifndef SEVBOOT_UTIL_PSP_UAPI_H
#define SEVBOOT_UTIL_PSP_UAPI_H

#include <stddef.h>

#include <linux/ioctl.h>
#include <linux/psp-sev.h>
#include <linux/sev-guest.h>
#include <linux/types.h>

/* Compile-time layout checks: offset and size of a field, size of a type. */
#define SB_UAPI_FIELD(type, field, off, size)                                  \
	_Static_assert(offsetof(type, field) == (off),                         \
		       #type "." #field " must be at offset " #off);           \
	_Static_assert(sizeof(((type *)0)->field) == (size),                   \
		       #type "." #field " must be " #size " bytes")
#define SB_UAPI_SIZE(type, size)                                               \
	_Static_assert(sizeof(type) == (size),                                 \
		       "sizeof(" #type ") must be " #size)
#define SB_UAPI_VALUE(name, value)                                             \
	_Static_assert((name) == (value), #name " must be " #value)

/* ================================================== /dev/sev (PSP) */

/* All /dev/sev structs are packed. */
SB_UAPI_FIELD(struct sev_issue_cmd, cmd, 0, 4);
SB_UAPI_FIELD(struct sev_issue_cmd, data, 4, 8);
SB_UAPI_FIELD(struct sev_issue_cmd, error, 12, 4);
SB_UAPI_SIZE(struct sev_issue_cmd, 16);

/* Commands 0-8 are 6.1 enumerators; the SNP ones came in 6.11 (VLEK_LOAD
 * in 6.11 too), as enumerators that #ifndef cannot see. */
SB_UAPI_VALUE(SEV_FACTORY_RESET, 0);
SB_UAPI_VALUE(SEV_PLATFORM_STATUS, 1);
SB_UAPI_VALUE(SEV_PEK_GEN, 2);
SB_UAPI_VALUE(SEV_PEK_CSR, 3);
SB_UAPI_VALUE(SEV_PDH_GEN, 4);
SB_UAPI_VALUE(SEV_PDH_CERT_EXPORT, 5);
SB_UAPI_VALUE(SEV_PEK_CERT_IMPORT, 6);
SB_UAPI_VALUE(SEV_GET_ID, 7);
SB_UAPI_VALUE(SEV_GET_ID2, 8);
#ifndef SNP_PLATFORM_STATUS
#define SNP_PLATFORM_STATUS 9
#endif
#ifndef SNP_COMMIT
#define SNP_COMMIT 10
#endif
#ifndef SNP_SET_CONFIG
#define SNP_SET_CONFIG 11
#endif
#ifndef SNP_VLEK_LOAD
#define SNP_VLEK_LOAD 12
#endif
SB_UAPI_VALUE(SNP_PLATFORM_STATUS, 9);
SB_UAPI_VALUE(SNP_COMMIT, 10);
SB_UAPI_VALUE(SNP_SET_CONFIG, 11);
SB_UAPI_VALUE(SNP_VLEK_LOAD, 12);
SB_UAPI_VALUE(SEV_ISSUE_CMD, 0xC0105300u);

/*
 * The certificate commands' buffers (6.1 has these structs).  A length
 * too small, or an address of 0, makes the firmware answer
 * SEV_RET_INVALID_LEN with the lengths it needs written back (SEV API
 * 55766 PEK_CSR, PDH_CERT_EXPORT; the kernel's sev_ioctl_do_pek_csr(),
 * sev_ioctl_do_pdh_export()).
 */
SB_UAPI_FIELD(struct sev_user_data_pek_csr, address, 0, 8);
SB_UAPI_FIELD(struct sev_user_data_pek_csr, length, 8, 4);
SB_UAPI_SIZE(struct sev_user_data_pek_csr, 12);

SB_UAPI_FIELD(struct sev_user_data_pek_cert_import, pek_cert_address, 0, 8);
SB_UAPI_FIELD(struct sev_user_data_pek_cert_import, pek_cert_len, 8, 4);
SB_UAPI_FIELD(struct sev_user_data_pek_cert_import, oca_cert_address, 12, 8);
SB_UAPI_FIELD(struct sev_user_data_pek_cert_import, oca_cert_len, 20, 4);
SB_UAPI_SIZE(struct sev_user_data_pek_cert_import, 24);

SB_UAPI_FIELD(struct sev_user_data_pdh_cert_export, pdh_cert_address, 0, 8);
SB_UAPI_FIELD(struct sev_user_data_pdh_cert_export, pdh_cert_len, 8, 4);
SB_UAPI_FIELD(struct sev_user_data_pdh_cert_export, cert_chain_address, 12, 8);
SB_UAPI_FIELD(struct sev_user_data_pdh_cert_export, cert_chain_len, 20, 4);
SB_UAPI_SIZE(struct sev_user_data_pdh_cert_export, 24);

/* GET_ID (deprecated: two fixed 64-byte ids) and GET_ID2 (a buffer and
 * its length; length 0 asks for the size, answered with INVALID_LEN). */
SB_UAPI_FIELD(struct sev_user_data_get_id, socket1, 0, 64);
SB_UAPI_FIELD(struct sev_user_data_get_id, socket2, 64, 64);
SB_UAPI_SIZE(struct sev_user_data_get_id, 128);
SB_UAPI_FIELD(struct sev_user_data_get_id2, address, 0, 8);
SB_UAPI_FIELD(struct sev_user_data_get_id2, length, 8, 4);
SB_UAPI_SIZE(struct sev_user_data_get_id2, 12);

/*
 * SNP_SET_CONFIG's input (struct sev_user_data_snp_config, 6.11): a
 * bitfield word again, so ours with named bits.  SNP_COMMIT has no
 * argument through /dev/sev: the kernel builds the firmware's
 * struct sev_data_snp_commit itself (sev_ioctl_do_snp_commit()).
 */
struct sb_sev_user_data_snp_config {
	__u64 reported_tcb; /* TCB_VERSION to put in reports */
	__u32 flags;	    /* SB_SNP_CONFIG_* */
	__u8 rsvd1[52];
} __attribute__((packed));
SB_UAPI_FIELD(struct sb_sev_user_data_snp_config, reported_tcb, 0, 8);
SB_UAPI_FIELD(struct sb_sev_user_data_snp_config, flags, 8, 4);
SB_UAPI_FIELD(struct sb_sev_user_data_snp_config, rsvd1, 12, 52);
SB_UAPI_SIZE(struct sb_sev_user_data_snp_config, 64);
#define SB_SNP_CONFIG_MASK_CHIP_ID  (1u << 0)
#define SB_SNP_CONFIG_MASK_CHIP_KEY (1u << 1)

/* SNP_VLEK_LOAD (6.11): len is sizeof the struct, the version 0, and the
 * address that of the 432-byte wrapped hashstick AMD's KDS hands out. */
struct sb_sev_user_data_snp_vlek_load {
	__u32 len;
	__u8 vlek_wrapped_version;
	__u8 rsvd[3];
	__u64 vlek_wrapped_address;
} __attribute__((packed));
SB_UAPI_FIELD(struct sb_sev_user_data_snp_vlek_load, len, 0, 4);
SB_UAPI_FIELD(struct sb_sev_user_data_snp_vlek_load, vlek_wrapped_version, 4,
	      1);
SB_UAPI_FIELD(struct sb_sev_user_data_snp_vlek_load, rsvd, 5, 3);
SB_UAPI_FIELD(struct sb_sev_user_data_snp_vlek_load, vlek_wrapped_address, 8,
	      8);
SB_UAPI_SIZE(struct sb_sev_user_data_snp_vlek_load, 16);
#define SB_SNP_VLEK_HASHSTICK_LEN 432

/* SEV_PLATFORM_STATUS; flags & SEV_STATUS_FLAGS_CONFIG_ES: SEV-ES usable. */
SB_UAPI_FIELD(struct sev_user_data_status, api_major, 0, 1);
SB_UAPI_FIELD(struct sev_user_data_status, api_minor, 1, 1);
SB_UAPI_FIELD(struct sev_user_data_status, state, 2, 1);
SB_UAPI_FIELD(struct sev_user_data_status, flags, 3, 4);
SB_UAPI_FIELD(struct sev_user_data_status, build, 7, 1);
SB_UAPI_FIELD(struct sev_user_data_status, guest_count, 8, 4);
SB_UAPI_SIZE(struct sev_user_data_status, 12);
SB_UAPI_VALUE(SEV_STATUS_FLAGS_CONFIG_ES, 0x0100);

/*
 * SNP_PLATFORM_STATUS output.  The kernel declares the flag words as
 * bitfields whose names change between versions; we declare plain words
 * and name the bits, which also lets every field be offset-checked.
 */
struct sb_sev_user_data_snp_status {
	__u8 api_major;
	__u8 api_minor;
	__u8 state;
	__u8 rmp_flags; /* SB_SNP_STATUS_RMP_* */
	__u32 build_id;
	__u32 flags; /* SB_SNP_STATUS_* */
	__u32 guest_count;
	__u64 current_tcb_version;
	__u64 reported_tcb_version;
} __attribute__((packed));
SB_UAPI_FIELD(struct sb_sev_user_data_snp_status, api_major, 0, 1);
SB_UAPI_FIELD(struct sb_sev_user_data_snp_status, api_minor, 1, 1);
SB_UAPI_FIELD(struct sb_sev_user_data_snp_status, state, 2, 1);
SB_UAPI_FIELD(struct sb_sev_user_data_snp_status, rmp_flags, 3, 1);
SB_UAPI_FIELD(struct sb_sev_user_data_snp_status, build_id, 4, 4);
SB_UAPI_FIELD(struct sb_sev_user_data_snp_status, flags, 8, 4);
SB_UAPI_FIELD(struct sb_sev_user_data_snp_status, guest_count, 12, 4);
SB_UAPI_FIELD(struct sb_sev_user_data_snp_status, current_tcb_version, 16, 8);
SB_UAPI_FIELD(struct sb_sev_user_data_snp_status, reported_tcb_version, 24, 8);
SB_UAPI_SIZE(struct sb_sev_user_data_snp_status, 32);

/* rmp_flags: bit 0 is_rmp_initialized. */
#define SB_SNP_STATUS_RMP_INITIALIZED (1u << 0)
/* flags, in the kernel's bitfield declaration order (x86: LSB first). */
#define SB_SNP_STATUS_MASK_CHIP_ID	    (1u << 0)
#define SB_SNP_STATUS_MASK_CHIP_KEY	    (1u << 1)
#define SB_SNP_STATUS_VLEK_EN		    (1u << 2)
#define SB_SNP_STATUS_FEATURE_INFO	    (1u << 3)
#define SB_SNP_STATUS_RAPL_DIS		    (1u << 4)
#define SB_SNP_STATUS_CIPHERTEXT_HIDING_CAP (1u << 5)
#define SB_SNP_STATUS_CIPHERTEXT_HIDING_EN  (1u << 6)

/* ================================================= SEV_RET_* codes */

/*
 * 6.1 declares SEV_RET_* as an enum with implicit values up to 0x18; check
 * that they are the firmware's.  The SNP codes are defined here with
 * explicit values: some kernels declared them implicitly after INVALID_KEY
 * and got them wrong, so never take them from an old header.  The names
 * and meanings for printing are in sev/status.c.
 */
SB_UAPI_VALUE(SEV_RET_NO_FW_CALL, -1);
SB_UAPI_VALUE(SEV_RET_SUCCESS, 0x00);
SB_UAPI_VALUE(SEV_RET_INVALID_PLATFORM_STATE, 0x01);
SB_UAPI_VALUE(SEV_RET_INVALID_GUEST_STATE, 0x02);
SB_UAPI_VALUE(SEV_RET_INAVLID_CONFIG, 0x03);
SB_UAPI_VALUE(SEV_RET_INVALID_LEN, 0x04);
SB_UAPI_VALUE(SEV_RET_ALREADY_OWNED, 0x05);
SB_UAPI_VALUE(SEV_RET_INVALID_CERTIFICATE, 0x06);
SB_UAPI_VALUE(SEV_RET_POLICY_FAILURE, 0x07);
SB_UAPI_VALUE(SEV_RET_INACTIVE, 0x08);
SB_UAPI_VALUE(SEV_RET_INVALID_ADDRESS, 0x09);
SB_UAPI_VALUE(SEV_RET_BAD_SIGNATURE, 0x0a);
SB_UAPI_VALUE(SEV_RET_BAD_MEASUREMENT, 0x0b);
SB_UAPI_VALUE(SEV_RET_ASID_OWNED, 0x0c);
SB_UAPI_VALUE(SEV_RET_INVALID_ASID, 0x0d);
SB_UAPI_VALUE(SEV_RET_WBINVD_REQUIRED, 0x0e);
SB_UAPI_VALUE(SEV_RET_DFFLUSH_REQUIRED, 0x0f);
SB_UAPI_VALUE(SEV_RET_INVALID_GUEST, 0x10);
SB_UAPI_VALUE(SEV_RET_INVALID_COMMAND, 0x11);
SB_UAPI_VALUE(SEV_RET_ACTIVE, 0x12);
SB_UAPI_VALUE(SEV_RET_HWSEV_RET_PLATFORM, 0x13);
SB_UAPI_VALUE(SEV_RET_HWSEV_RET_UNSAFE, 0x14);
SB_UAPI_VALUE(SEV_RET_UNSUPPORTED, 0x15);
SB_UAPI_VALUE(SEV_RET_INVALID_PARAM, 0x16);
SB_UAPI_VALUE(SEV_RET_RESOURCE_LIMIT, 0x17);
SB_UAPI_VALUE(SEV_RET_SECURE_DATA_INVALID, 0x18);

/* The spelling newer headers add next to the historical "INAVLID". */
#ifndef SEV_RET_INVALID_CONFIG
#define SEV_RET_INVALID_CONFIG 0x03
#endif
#ifndef SEV_RET_INVALID_PAGE_SIZE
#define SEV_RET_INVALID_PAGE_SIZE 0x19
#endif
#ifndef SEV_RET_INVALID_PAGE_STATE
#define SEV_RET_INVALID_PAGE_STATE 0x1a
#endif
#ifndef SEV_RET_INVALID_MDATA_ENTRY
#define SEV_RET_INVALID_MDATA_ENTRY 0x1b
#endif
#ifndef SEV_RET_INVALID_PAGE_OWNER
#define SEV_RET_INVALID_PAGE_OWNER 0x1c
#endif
#ifndef SEV_RET_AEAD_OFLOW
#define SEV_RET_AEAD_OFLOW 0x1d
#endif
/* 0x1e is unassigned. */
#ifndef SEV_RET_EXIT_RING_BUFFER
#define SEV_RET_EXIT_RING_BUFFER 0x1f
#endif
#ifndef SEV_RET_RMP_INIT_REQUIRED
#define SEV_RET_RMP_INIT_REQUIRED 0x20
#endif
#ifndef SEV_RET_BAD_SVN
#define SEV_RET_BAD_SVN 0x21
#endif
#ifndef SEV_RET_BAD_VERSION
#define SEV_RET_BAD_VERSION 0x22
#endif
#ifndef SEV_RET_SHUTDOWN_REQUIRED
#define SEV_RET_SHUTDOWN_REQUIRED 0x23
#endif
#ifndef SEV_RET_UPDATE_FAILED
#define SEV_RET_UPDATE_FAILED 0x24
#endif
#ifndef SEV_RET_RESTORE_REQUIRED
#define SEV_RET_RESTORE_REQUIRED 0x25
#endif
#ifndef SEV_RET_RMP_INITIALIZATION_FAILED
#define SEV_RET_RMP_INITIALIZATION_FAILED 0x26
#endif
#ifndef SEV_RET_INVALID_KEY
#define SEV_RET_INVALID_KEY 0x27
#endif
#ifndef SEV_RET_SHUTDOWN_INCOMPLETE
#define SEV_RET_SHUTDOWN_INCOMPLETE 0x28
#endif
SB_UAPI_VALUE(SEV_RET_INVALID_CONFIG, 0x03);
SB_UAPI_VALUE(SEV_RET_INVALID_PAGE_SIZE, 0x19);
SB_UAPI_VALUE(SEV_RET_INVALID_PAGE_STATE, 0x1a);
SB_UAPI_VALUE(SEV_RET_INVALID_MDATA_ENTRY, 0x1b);
SB_UAPI_VALUE(SEV_RET_INVALID_PAGE_OWNER, 0x1c);
SB_UAPI_VALUE(SEV_RET_AEAD_OFLOW, 0x1d);
SB_UAPI_VALUE(SEV_RET_EXIT_RING_BUFFER, 0x1f);
SB_UAPI_VALUE(SEV_RET_RMP_INIT_REQUIRED, 0x20);
SB_UAPI_VALUE(SEV_RET_BAD_SVN, 0x21);
SB_UAPI_VALUE(SEV_RET_BAD_VERSION, 0x22);
SB_UAPI_VALUE(SEV_RET_SHUTDOWN_REQUIRED, 0x23);
SB_UAPI_VALUE(SEV_RET_UPDATE_FAILED, 0x24);
SB_UAPI_VALUE(SEV_RET_RESTORE_REQUIRED, 0x25);
SB_UAPI_VALUE(SEV_RET_RMP_INITIALIZATION_FAILED, 0x26);
SB_UAPI_VALUE(SEV_RET_INVALID_KEY, 0x27);
SB_UAPI_VALUE(SEV_RET_SHUTDOWN_INCOMPLETE, 0x28);

/* The error fields are __u32: the driver's -1 arrives as this. */
#define SB_SEV_RET_NO_FW_CALL_U32 0xffffffffu

/* ============================================ /dev/sev-guest (SNP guest) */

/*
 * Every ioctl takes struct snp_guest_request_ioctl; msg_version must be 1
 * (0 is -EINVAL).  The kernel answers in exitinfo2: the firmware's status
 * in the low 32 bits (fw_error), the hypervisor's in the high 32
 * (vmm_error).  Older headers name the whole word fw_err; 6.1's (and
 * Debian's) have the union, which the asserts below need.
 */
SB_UAPI_FIELD(struct snp_guest_request_ioctl, msg_version, 0, 1);
SB_UAPI_FIELD(struct snp_guest_request_ioctl, req_data, 8, 8);
SB_UAPI_FIELD(struct snp_guest_request_ioctl, resp_data, 16, 8);
SB_UAPI_FIELD(struct snp_guest_request_ioctl, exitinfo2, 24, 8);
SB_UAPI_FIELD(struct snp_guest_request_ioctl, fw_error, 24, 4);
SB_UAPI_FIELD(struct snp_guest_request_ioctl, vmm_error, 28, 4);
SB_UAPI_SIZE(struct snp_guest_request_ioctl, 32);

/* MSG_REPORT_REQ (SNP ABI 56860, the guest message of the same name). */
SB_UAPI_FIELD(struct snp_report_req, user_data, 0, 64);
SB_UAPI_FIELD(struct snp_report_req, vmpl, 64, 4);
SB_UAPI_FIELD(struct snp_report_req, rsvd, 68, 28);
SB_UAPI_SIZE(struct snp_report_req, 96);
/* MSG_REPORT_RSP: status u32 @0, report_size u32 @4, the report @0x20. */
SB_UAPI_SIZE(struct snp_report_resp, 4000);

/* MSG_KEY_REQ; MSG_KEY_RSP is status u32 @0, the key (32 bytes) @0x20. */
SB_UAPI_FIELD(struct snp_derived_key_req, root_key_select, 0, 4);
SB_UAPI_FIELD(struct snp_derived_key_req, rsvd, 4, 4);
SB_UAPI_FIELD(struct snp_derived_key_req, guest_field_select, 8, 8);
SB_UAPI_FIELD(struct snp_derived_key_req, vmpl, 16, 4);
SB_UAPI_FIELD(struct snp_derived_key_req, guest_svn, 20, 4);
SB_UAPI_FIELD(struct snp_derived_key_req, tcb_version, 24, 8);
SB_UAPI_SIZE(struct snp_derived_key_req, 32);
SB_UAPI_SIZE(struct snp_derived_key_resp, 64);

/* The extended report: the report request and a page-aligned buffer for
 * the hypervisor's certificate table (at most SEV_FW_BLOB_MAX_SIZE, 16
 * KiB, in drivers/virt/coco/sev-guest/sev-guest.c get_ext_report()). */
SB_UAPI_FIELD(struct snp_ext_report_req, data, 0, 96);
SB_UAPI_FIELD(struct snp_ext_report_req, certs_address, 96, 8);
SB_UAPI_FIELD(struct snp_ext_report_req, certs_len, 104, 4);
SB_UAPI_SIZE(struct snp_ext_report_req, 112);

SB_UAPI_VALUE(SNP_GET_REPORT, 0xC0205300u);
SB_UAPI_VALUE(SNP_GET_DERIVED_KEY, 0xC0205301u);
SB_UAPI_VALUE(SNP_GET_EXT_REPORT, 0xC0205302u);

/* vmm_error: the certificate buffer is too small (certs_len now says how
 * big it must be), or the hypervisor was busy (retry). */
#ifndef SNP_GUEST_VMM_ERR_INVALID_LEN
#define SNP_GUEST_VMM_ERR_INVALID_LEN 1
#endif
#ifndef SNP_GUEST_VMM_ERR_BUSY
#define SNP_GUEST_VMM_ERR_BUSY 2
#endif
SB_UAPI_VALUE(SNP_GUEST_VMM_ERR_INVALID_LEN, 1);
SB_UAPI_VALUE(SNP_GUEST_VMM_ERR_BUSY, 2);
#define SB_SEV_FW_BLOB_MAX_SIZE 0x4000

#endif
