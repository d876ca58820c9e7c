/* SPDX-License-Identifier: MIT */
/*
 * vmm: the machine.  A KVM VM with PC-layout guest RAM, in-kernel irqchip and
 * PIT, one thread per vCPU, a table-driven exit dispatcher and the devices
 * OVMF and Linux need.  vm_run() boots either OVMF (firmware ending at
 * 4 GiB, kernel/initrd/cmdline over fw_cfg) or a bzImage directly (64-bit
 * boot protocol) and returns why the guest stopped.
 */
#ifndef SEVBOOT_VMM_H
#define SEVBOOT_VMM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "loader/loader.h"
#include "sev/sev.h"
#include "vmm/dev.h"

#define VMM_MAX_VCPUS 256

/*
 * An SEV, SEV-ES or SNP launch: what the machine needs beyond a plain boot.
 * The plan (sev/) says what the firmware measures; the machine creates the
 * VM of the right type, loads every vCPU with the plan's reset state, and
 * walks the plan through the launch context before any vCPU runs.
 */
struct vm_sev_config {
	enum sev_mode mode;
	uint64_t policy;
	uint32_t handle; /* SEV/SEV-ES: share this guest's key; 0: new */
	const struct launch_plan *plan;
	/* The digest sevboot predicts (32 bytes SEV/SEV-ES, 48 SNP). */
	const uint8_t *expected;
	/* The firmware model instead of /dev/sev (NOT confidential). */
	bool model;
	const uint8_t *model_pdh; /* its PDH private key, or NULL */
	/* KVM_SEV_INIT/ES_INIT on a default VM (plan built the same way);
	 * else INIT2 on a VM of the mode's type. */
	bool legacy_init;
	/* The firmware's version, for the LAUNCH_MEASURE check (the model
	 * uses these too). */
	uint8_t api_major, api_minor, build;
	/* The guest owner's session (SEV/SEV-ES), both or neither. */
	const uint8_t *dh_cert, *session;
	size_t dh_cert_len, session_len;
	/* The stop for the guest owner after LAUNCH_MEASURE; NULL: none. */
	int (*owner)(void *ctx, const struct sev_owner_request *req,
		     struct sev_owner_reply *rep, char *err, size_t errlen);
	void *owner_ctx;
	uint64_t secret_gpa; /* where a secret goes by default; 0: nowhere */
	uint32_t secret_size;
	/* SNP_LAUNCH_FINISH inputs; NULL: none. */
	const struct sev_snp_finish_args *snp_finish;
	/* Told about the launch when it ended, well or not (timings). */
	void (*report)(void *ctx, const struct sev_launch *l);
	void *report_ctx;
};

struct vm_config {
	uint64_t mem_size;
	unsigned ncpus;

	/* Firmware image (NULL for direct boot) and its parsed footer. */
	const uint8_t *ovmf;
	size_t ovmf_len;
	const struct ovmf_info *ovmf_info;

	const uint8_t *kernel; /* bzImage; NULL: firmware boots alone */
	size_t kernel_len;
	const uint8_t *initrd;
	size_t initrd_len;
	const char *cmdline;
	/* ovmf, kernel and initrd come from file_map(): once the guest has
	 * its copy, their pages are released. */
	bool inputs_mapped;

	int serial_out_fd; /* guest UART output */
	int serial_in_fd;  /* -1: no input */
	int debugcon_fd;   /* port 0x402 output, -1: discard */
	unsigned timeout_sec; /* 0: none */
	bool verbose;

	const struct vm_sev_config *sev; /* NULL: a plain guest */
};

struct vm_result {
	enum vm_stop why;
	int status; /* debug-exit value, signal number or -errno */
	double seconds; /* from vm_run() entry to stop */
	uint64_t exits;	/* KVM_RUN exits handled, all vCPUs */
	uint64_t guest_resident; /* bytes of guest RAM resident at the stop */
};

/* What a failure was about, so the CLI can pick its exit code. */
enum vm_error_kind {
	VM_ERR_NONE = 0,
	VM_ERR_HOST,   /* /dev/kvm missing, API or capability missing */
	VM_ERR_INPUT,  /* the inputs do not fit the machine */
	VM_ERR_RUNTIME, /* a KVM call failed */
	VM_ERR_SEV	/* the SEV launch failed or its measurement differs */
};

/*
 * Check the host: /dev/kvm opens, API version 12, and every capability
 * sevboot relies on.  Returns the open fd or a negative errno with one
 * sentence per missing piece in err (joined with "; ").
 */
int kvm_open_checked(char *err, size_t errlen);

/*
 * Build the machine, run it until it stops, tear it down.  Returns 0 when the
 * guest ran (res says how it stopped) or a negative errno with err filled
 * and *kind set when the machine could not be built or run.
 */
int vm_run(const struct vm_config *cfg, struct vm_result *res,
	   enum vm_error_kind *kind, char *err, size_t errlen);

const char *vm_stop_name(enum vm_stop why);

#endif
