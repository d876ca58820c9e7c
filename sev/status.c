// SPDX-License-Identifier: MIT
/*
 * sev/status.c: firmware status codes by name.
 *
 * A failed launch command reports a number in kvm_sev_cmd.error or
 * sev_issue_cmd.error.  Users search the kernel headers, the AMD specs and
 * bug trackers by the kernel's SEV_RET_* name, so that is what we print,
 * with the number beside it and the spec's one-line meaning where known.
 *
 * Names: Linux include/uapi/linux/psp-sev.h enum sev_ret_code; 0x03 uses
 * the spelling newer headers add next to the historical "INAVLID".
 * Meanings: the AMD SEV API and SEV-SNP ABI status-code tables (as copied
 * into virtee/sev).  The SEV-TIO codes from 0x28 up have names only.
 */
#include <stdio.h>
#include <string.h>

#include "util/kvm_uapi.h"
#include "sev/sev.h"

struct sev_status_desc {
	const char *name;
	const char *text; /* NULL: no meaning documented */
};

/* Indexed by code; holes (0x1e, 0x29-0x2f, 0x34) have no name. */
static const struct sev_status_desc sev_status_table[] = {
	[0x00] = {"SEV_RET_SUCCESS", "successful completion"},
	[0x01] = {"SEV_RET_INVALID_PLATFORM_STATE",
		  "the platform state is invalid for this command"},
	[0x02] = {"SEV_RET_INVALID_GUEST_STATE",
		  "the guest state is invalid for this command"},
	[0x03] = {"SEV_RET_INVALID_CONFIG",
		  "the platform configuration is invalid"},
	[0x04] = {"SEV_RET_INVALID_LEN", "a memory buffer is too small"},
	[0x05] = {"SEV_RET_ALREADY_OWNED", "the platform is already owned"},
	[0x06] = {"SEV_RET_INVALID_CERTIFICATE", "the certificate is invalid"},
	[0x07] = {"SEV_RET_POLICY_FAILURE",
		  "request is not allowed by guest policy"},
	[0x08] = {"SEV_RET_INACTIVE", "the guest is inactive"},
	[0x09] = {"SEV_RET_INVALID_ADDRESS", "the address provided is invalid"},
	[0x0a] = {"SEV_RET_BAD_SIGNATURE", "the provided signature is invalid"},
	/* AMD-ASPFW hmac.c: every HMAC mismatch returns this one. */
	[0x0b] = {"SEV_RET_BAD_MEASUREMENT",
		  "the provided measurement is invalid (any MAC mismatch)"},
	[0x0c] = {"SEV_RET_ASID_OWNED", "the ASID is already owned"},
	[0x0d] = {"SEV_RET_INVALID_ASID", "the ASID is invalid"},
	[0x0e] = {"SEV_RET_WBINVD_REQUIRED", "WBINVD instruction required"},
	[0x0f] = {"SEV_RET_DFFLUSH_REQUIRED", "DF_FLUSH invocation required"},
	[0x10] = {"SEV_RET_INVALID_GUEST", "the guest handle is invalid"},
	[0x11] = {"SEV_RET_INVALID_COMMAND", "the command issued is invalid"},
	[0x12] = {"SEV_RET_ACTIVE", "the guest is active"},
	[0x13] = {"SEV_RET_HWSEV_RET_PLATFORM",
		  "a hardware condition affected the platform; it is safe to "
		  "re-allocate parameter buffers"},
	[0x14] = {"SEV_RET_HWSEV_RET_UNSAFE",
		  "a hardware condition affected the platform; it is not "
		  "safe to re-allocate parameter buffers"},
	[0x15] = {"SEV_RET_UNSUPPORTED", "feature is unsupported"},
	[0x16] = {"SEV_RET_INVALID_PARAM", "a parameter is invalid"},
	[0x17] = {"SEV_RET_RESOURCE_LIMIT",
		  "the firmware has run out of a resource necessary to "
		  "complete the command"},
	[0x18] = {"SEV_RET_SECURE_DATA_INVALID",
		  "the part-specific SEV data failed integrity checks"},
	[0x19] = {"SEV_RET_INVALID_PAGE_SIZE",
		  "the RMP page size is incorrect"},
	[0x1a] = {"SEV_RET_INVALID_PAGE_STATE",
		  "the RMP page state is incorrect"},
	[0x1b] = {"SEV_RET_INVALID_MDATA_ENTRY",
		  "the metadata entry is invalid"},
	[0x1c] = {"SEV_RET_INVALID_PAGE_OWNER",
		  "the page ownership is incorrect"},
	[0x1d] = {"SEV_RET_AEAD_OFLOW",
		  "the AEAD algorithm would have overflowed"},
	[0x1f] = {"SEV_RET_EXIT_RING_BUFFER",
		  "a mailbox command arrived in ring buffer mode; the "
		  "firmware left that mode and ignored the command (retry)"},
	[0x20] = {"SEV_RET_RMP_INIT_REQUIRED", "the RMP must be reinitialized"},
	[0x21] = {"SEV_RET_BAD_SVN",
		  "SVN of provided image is lower than the committed SVN"},
	[0x22] = {"SEV_RET_BAD_VERSION", "firmware version anti-rollback"},
	[0x23] = {"SEV_RET_SHUTDOWN_REQUIRED",
		  "an SNP_SHUTDOWN is required to complete this action"},
	[0x24] = {"SEV_RET_UPDATE_FAILED",
		  "update of the firmware internal state or a guest context "
		  "page has failed"},
	[0x25] = {"SEV_RET_RESTORE_REQUIRED",
		  "installation of the committed firmware image required"},
	[0x26] = {"SEV_RET_RMP_INITIALIZATION_FAILED",
		  "the RMP initialization failed"},
	[0x27] = {"SEV_RET_INVALID_KEY",
		  "the key requested is invalid, not present, or not allowed"},
	[0x28] = {"SEV_RET_SHUTDOWN_INCOMPLETE", NULL},
	/* SEV-TIO (trusted I/O), newer kernels. */
	[0x30] = {"SEV_RET_INCORRECT_BUFFER_LENGTH", NULL},
	[0x31] = {"SEV_RET_EXPAND_BUFFER_LENGTH_REQUEST", NULL},
	[0x32] = {"SEV_RET_SPDM_REQUEST", NULL},
	[0x33] = {"SEV_RET_SPDM_ERROR", NULL},
	[0x35] = {"SEV_RET_SEV_STATUS_ERR_IN_DEV_CONN", NULL},
	[0x36] = {"SEV_RET_SEV_STATUS_INVALID_DEV_CTX", NULL},
	[0x37] = {"SEV_RET_SEV_STATUS_INVALID_TDI_CTX", NULL},
	[0x38] = {"SEV_RET_SEV_STATUS_INVALID_TDI", NULL},
	[0x39] = {"SEV_RET_SEV_STATUS_RECLAIM_REQUIRED", NULL},
	[0x3a] = {"SEV_RET_IN_USE", NULL},
	[0x3b] = {"SEV_RET_SEV_STATUS_INVALID_DEV_STATE", NULL},
	[0x3c] = {"SEV_RET_SEV_STATUS_INVALID_TDI_STATE", NULL},
	[0x3d] = {"SEV_RET_SEV_STATUS_DEV_CERT_CHANGED", NULL},
	[0x3e] = {"SEV_RET_SEV_STATUS_RESYNC_REQ", NULL},
	[0x3f] = {"SEV_RET_SEV_STATUS_RESPONSE_TOO_LARGE", NULL},
};

/* Not a firmware code: the kernel's -1 for "never reached the firmware". */
static const struct sev_status_desc sev_status_no_fw_call = {
	"SEV_RET_NO_FW_CALL",
	"the command never reached the firmware (kernel driver error)",
};

static const struct sev_status_desc *sev_status_find(uint32_t code)
{
	size_t n = sizeof(sev_status_table) / sizeof(sev_status_table[0]);

	if (code == SB_SEV_RET_NO_FW_CALL_U32)
		return &sev_status_no_fw_call;
	if (code < n && sev_status_table[code].name)
		return &sev_status_table[code];
	return NULL;
}

const char *sev_status_name(uint32_t code)
{
	const struct sev_status_desc *d = sev_status_find(code);

	return d ? d->name : NULL;
}

const char *sev_status_text(uint32_t code)
{
	const struct sev_status_desc *d = sev_status_find(code);

	return d ? d->text : NULL;
}

void sev_status_format(uint32_t code, char *buf, size_t len)
{
	const char *name = sev_status_name(code);

	if (!buf || !len)
		return;
	if (name)
		snprintf(buf, len, "%s (0x%02x)", name, code);
	else
		snprintf(buf, len, "unknown firmware status 0x%02x", code);
}

/*
 * What a status means for the command that returned it, where the
 * command's inputs say more than the status's name: a guest owner's
 * session at LAUNCH_START (SEV API 55766 LAUNCH_START: the firmware
 * checks WRAP_MAC with KIK, then POLICY_MAC with TIK; AMD-ASPFW returns
 * BAD_MEASUREMENT for every HMAC mismatch, hmac.c), and the ID block at
 * SNP_LAUNCH_FINISH (SNP ABI 56860 SNP_LAUNCH_FINISH: the block's LD, then
 * its POLICY, against the launch's; the algorithms; then the signatures).
 */
static const struct {
	const char *cmd; /* the failed command's description starts so */
	uint32_t code;
	const char *hint;
} sev_status_hints[] = {
	{ "LAUNCH_START with policy", 0x0b,
	  "the session does not fit this launch: made for another "
	  "platform's PDH, changed since it was made, or made for another "
	  "policy (its WRAP_MAC or POLICY_MAC does not check)" },
	{ "SNP_LAUNCH_FINISH with an ID block", 0x0b,
	  "the ID block's launch digest (LD) is not this launch's" },
	{ "SNP_LAUNCH_FINISH with an ID block", 0x07,
	  "the ID block's POLICY is not this launch's policy" },
	{ "SNP_LAUNCH_FINISH with an ID block", 0x0a,
	  "the ID authentication does not verify: ID_BLOCK_SIG is not the "
	  "ID key's signature of this ID block, or (--author-key-enabled) "
	  "ID_KEY_SIG is not the author key's signature of the ID key" },
	{ "SNP_LAUNCH_FINISH with an ID block", 0x16,
	  "ID_KEY_ALGO (or with --author-key-enabled AUTHOR_KEY_ALGO) is not "
	  "1, ECDSA P-384 with SHA-384" },
};

const char *sev_status_hint(const char *desc, uint32_t code)
{
	size_t n = sizeof(sev_status_hints) / sizeof(sev_status_hints[0]);

	if (!desc)
		return NULL;
	for (size_t k = 0; k < n; k++)
		if (sev_status_hints[k].code == code &&
		    !strncmp(desc, sev_status_hints[k].cmd,
			     strlen(sev_status_hints[k].cmd)))
			return sev_status_hints[k].hint;
	return NULL;
}
