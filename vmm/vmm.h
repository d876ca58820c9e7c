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

	int serial_out_fd; /* guest UART output, -1: discard */
	int serial_in_fd;  /* -1: no input */
	int debugcon_fd;   /* port 0x402 output, -1: discard */
	/* At most this many bytes to each output (0: no limit). */
	uint64_t serial_limit, debugcon_limit;
	/* Keep terminal control sequences even when an output is a
	 * terminal (otherwise they are filtered there). */
	bool raw;
	unsigned timeout_sec; /* 0: none */
	bool verbose;

	/* A confidential guest: its launch (sev/run.c), which the machine
	 * initialises right after KVM_CREATE_VM and runs once every vCPU
	 * exists.  NULL: a plain guest. */
	struct sev_run *sev;
};

struct vm_result {
	enum vm_stop why;
	int status; /* debug-exit value, signal number or -errno */
	double seconds; /* from vm_run() entry to stop */
	uint64_t exits;	/* KVM_RUN exits handled, all vCPUs */
	uint64_t guest_resident; /* bytes of guest RAM resident at the stop */
	struct console_stats serial, debugcon; /* the outputs, at the stop */
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
