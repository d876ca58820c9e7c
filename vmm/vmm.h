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

struct termios;

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
	/* ovmf, kernel and initrd come from file_load(): once the guest has
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

	/* Confine the run loop (vmm/confine.c) once the machine is built
	 * and launched, just before the guest runs; a system call outside
	 * the allow list exits with seccomp_exit.  tty: the terminal state
	 * to give back to stdin if that happens (NULL: none). */
	bool seccomp;
	int seccomp_exit;
	const struct termios *tty;

	/* A confidential guest: its launch (sev/run.c), which the machine
	 * initialises right after KVM_CREATE_VM and runs once every vCPU
	 * exists.  NULL: a plain guest. */
	struct sev_run *sev;
	/* Stop once the machine is built and the launch has finished,
	 * before any vCPU runs (VM_STOP_LAUNCHED). */
	bool launch_only;
	/* Stop once every --mark pattern of the timeline has matched a line
	 * of serial output (VM_STOP_MARKED). */
	bool stop_at_marks;
	/* The run's timeline: each step of the build, the launch, the
	 * guest's run and the teardown as phases, the first KVM_RUN, the
	 * guest's first serial byte and its stop as marks; the serial
	 * output is fed to its --mark patterns (NULL: none). */
	struct timeline *tl;
};

/* The kinds of KVM_RUN exit the vCPUs handle, counted for -v. */
enum vm_exit_kind {
	VM_EXIT_IO,
	VM_EXIT_MMIO,
	VM_EXIT_HYPERCALL,
	VM_EXIT_MEMORY_FAULT,
	VM_EXIT_INTR,
	VM_EXIT_HLT,
	VM_EXIT_SHUTDOWN,
	VM_EXIT_SYSTEM_EVENT,
	VM_EXIT_OTHER, /* failed entries, internal errors, unknown reasons */
	VM_EXIT_KINDS
};

struct vm_result {
	enum vm_stop why;
	int status; /* debug-exit value, signal number or -errno */
	double seconds; /* from vm_run() entry to stop */
	uint64_t exits;	/* KVM_RUN exits handled, all vCPUs */
	uint64_t exit_kinds[VM_EXIT_KINDS]; /* the same, by kind */
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

/* A KVM exit reason (struct kvm_run's exit_reason) -> its kind. */
enum vm_exit_kind vm_exit_kind_of(uint32_t exit_reason);
const char *vm_exit_kind_name(enum vm_exit_kind kind);
/* "io 12, mmio 3, intr 40": the kinds that occurred, in enum order, or
 * "none".  Truncated to len like snprintf. */
void vm_exit_kinds_format(const uint64_t kinds[VM_EXIT_KINDS], char *buf,
			  size_t len);
/*
 * The run loop's seccomp filter (vmm/confine.c, where the allow list is).
 * confine_install() loads it into every thread of the process (TSYNC); from
 * then on a call outside the list writes one line naming it on stderr and
 * _exit()s with exit_code, after giving tty back to tty_fd when tty is set.
 * It cannot be removed.  0 and the number of system calls allowed in
 * *ncalls, or -errno with err filled (nothing installed).
 */
struct confine_opts {
	int exit_code;
	int tty_fd;
	const struct termios *tty;
};
int confine_install(const struct confine_opts *o, unsigned *ncalls,
		    char *err, size_t errlen);
/* The ioctl requests the filter allows, by name, comma-separated (-v). */
void confine_ioctl_names(char *buf, size_t len);
/* False, with the reason, where the filter cannot work (a sanitizer
 * build, whose runtime needs clone, ptrace and open at exit). */
bool confine_available(const char **why);

#endif
