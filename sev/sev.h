/* SPDX-License-Identifier: MIT */
/*
 * sev: everything that decides what the AMD Secure Processor measures.
 *
 * The launch plan is an ordered list of steps built by one pure function
 * from the configuration and the loaded images.  The launcher (real KVM),
 * `sevboot measure` and the firmware model all walk this same plan, so the
 * digest sevboot predicts and the one the firmware reports cannot drift.
 */
#ifndef SEVBOOT_SEV_H
#define SEVBOOT_SEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "loader/loader.h"

enum sev_mode {
	SEV_MODE_SEV,
	SEV_MODE_SEV_ES,
	SEV_MODE_SNP,
};

const char *sev_mode_name(enum sev_mode m); /* "sev", "seves", "snp" */

/* ------------------------------------------------------- CPU models */

/* CPUID(1).EAX signature of a QEMU CPU model ("EPYC", "EPYC-v4",
 * "EPYC-Milan", ...), or of "0x800f12"/"25/1/1" (family/model/stepping).
 * 0 or -EINVAL with err filled (listing the known names). */
int cpu_model_signature(const char *name, uint32_t *sig, char *err,
			size_t errlen);
/* Family/model/stepping -> signature, as the x86 CPUID encoding does. */
uint32_t cpu_signature_fms(unsigned family, unsigned model,
			   unsigned stepping);

/* --------------------------------------------------------------- VMSA */

#define VMSA_SIZE 4096
#define SNP_VMSA_GPA 0xfffffffff000ULL

struct vmsa_config {
	uint32_t vcpu_sig;     /* goes to RDX */
	uint32_t ap_reset_addr; /* SEV-ES reset block value (APs) */
	uint64_t sev_features; /* SNP: guest features (0x1); SEV-ES: 0 */
	bool init2;	       /* KVM_SEV_INIT2: MXCSR 0x1f80, FCW 0x37f */
};

/*
 * The initial VMSA of a vCPU for the QEMU VMM type, field by field as in
 * ovmf-and-qemu.md §4.1 (all other bytes zero).  bsp selects the reset
 * vector 0xfffffff0; APs start at ap_reset_addr.
 */
void vmsa_build(const struct vmsa_config *c, bool bsp,
		uint8_t page[VMSA_SIZE]);

/* The same reset state as register values, which the launcher loads into
 * KVM so that the real VMSA is the predicted one. */
struct vmsa_seg {
	uint16_t selector, attrib;
	uint32_t limit;
	uint64_t base;
};
struct vmsa_regs {
	struct vmsa_seg es, cs, ss, ds, fs, gs, gdtr, ldtr, idtr, tr;
	uint64_t efer, cr4, cr3, cr0, dr7, dr6, rflags, rip, g_pat, rdx;
	uint64_t xcr0, sev_features;
	uint32_t mxcsr;
	uint16_t x87_fcw;
};
void vmsa_regs(const struct vmsa_config *c, bool bsp, struct vmsa_regs *r);

/* -------------------------------------------------- kernel hashes table */

#define SEV_HASHES_TABLE_LEN 168
#define SEV_HASHES_PADDED_LEN 176

/*
 * QEMU's PaddedSevHashTable: SHA-256 of the command line including its NUL
 * (cmdline NULL = no --append = the 1-byte string "\0"), of the initrd
 * (empty if none) and of the kernel file as given.  0, or -ENOMEM when
 * OpenSSL cannot hash (out is then all zeros, never a half-built table).
 */
int sev_hashes_table(const uint8_t *kernel, size_t kernel_len,
		     const uint8_t *initrd, size_t initrd_len,
		     const char *cmdline, uint8_t out[SEV_HASHES_PADDED_LEN]);

/* ------------------------------------------------------------- the plan */

enum launch_step_kind {
	STEP_UPDATE_DATA,  /* SEV/SEV-ES LAUNCH_UPDATE_DATA */
	STEP_UPDATE_VMSA,  /* SEV-ES LAUNCH_UPDATE_VMSA of one vCPU */
	STEP_SNP_UPDATE,   /* SNP_LAUNCH_UPDATE of page_type */
	STEP_SNP_VMSA,	   /* SNP: VMSA measured inside SNP_LAUNCH_FINISH */
};

enum snp_page_type {
	SNP_PAGE_NORMAL = 1,
	SNP_PAGE_VMSA = 2,
	SNP_PAGE_ZERO = 3,
	SNP_PAGE_UNMEASURED = 4,
	SNP_PAGE_SECRETS = 5,
	SNP_PAGE_CPUID = 6,
};

struct launch_step {
	enum launch_step_kind kind;
	uint64_t gpa;
	const uint8_t *bytes; /* what is measured; NULL for pages measured as
				 zeros (ZERO, SECRETS, CPUID, UNMEASURED) */
	size_t len;	      /* multiple of 16 (SEV) or of 4096 (SNP) */
	uint8_t page_type;    /* SNP steps */
	int vcpu;	      /* VMSA steps, else -1 */
	const char *what;     /* "firmware", "kernel hashes", "VMSA", ... */
};

struct launch_config {
	enum sev_mode mode;
	unsigned ncpus;
	uint32_t vcpu_sig;
	uint64_t snp_features; /* SNP guest features, default 0x1 */
	bool legacy_init;      /* KVM_SEV_INIT / KVM_SEV_ES_INIT */
	const uint8_t *ovmf;
	size_t ovmf_len;
	const struct ovmf_info *ovmf_info;
	/* Measured direct boot: kernel != NULL and the firmware has a
	 * hashes table (refused when its base or size is 0). */
	const uint8_t *kernel;
	size_t kernel_len;
	const uint8_t *initrd;
	size_t initrd_len;
	const char *cmdline; /* NULL: no --append */
	bool snp_ovmf_only;  /* stop after the firmware pages */
};

#define LAUNCH_MAX_VCPUS 256
#define LAUNCH_MAX_STEPS (8 + OVMF_MAX_SECTIONS + 2 * LAUNCH_MAX_VCPUS)

struct launch_plan {
	enum sev_mode mode;
	unsigned nsteps;
	struct launch_step steps[LAUNCH_MAX_STEPS];
	/* Buffers the steps point into. */
	uint8_t hashes_page[4096]; /* SEV: the 176-byte table at 0; SNP: the
				      page with the table at base & 0xfff */
	uint8_t *vmsas;		   /* ncpus * VMSA_SIZE, malloc'ed */
	/* SEV-ES/SNP: what the VMSAs were built from.  The launcher loads
	 * vmsa_regs(&plan->vmsa, ...) into KVM so the real VMSAs are these. */
	struct vmsa_config vmsa;
};

/*
 * Build the plan:
 *  SEV/SEV-ES: UPDATE_DATA of the whole firmware at its GPA; UPDATE_DATA of
 *    the 176-byte hashes table at its base (measured direct boot); SEV-ES:
 *    UPDATE_VMSA per vCPU, BSP first.
 *  SNP: the firmware as NORMAL pages; every ASEV section in table order
 *    (SNP_SEC_MEM -> ZERO, SECRETS, CPUID, KERNEL_HASHES -> NORMAL with the
 *    table or ZERO, others -> ZERO); one VMSA per vCPU at SNP_VMSA_GPA.
 * Errors: firmware with no ASEV metadata for SNP, no reset block for
 * SEV-ES/SNP with more than one vCPU, kernel given but the hashes table is
 * absent or base/size 0, a hashes table that does not fit its area, ...
 * The caller frees with launch_plan_free().
 */
int launch_plan_build(const struct launch_config *c, struct launch_plan *p,
		      char *err, size_t errlen);
void launch_plan_free(struct launch_plan *p);

/* ---------------------------------------------------------- measurement */

/* SEV/SEV-ES: GCTX.LD = SHA-256 over every step's bytes in plan order. */
int measure_sev_digest(const struct launch_plan *p, uint8_t out[32]);
/* SNP: the SHA-384 PAGE_INFO chain over every page of every step. */
int measure_snp_digest(const struct launch_plan *p, uint8_t out[48]);

/*
 * LAUNCH_MEASURE: HMAC-SHA256(TIK, 0x04 || api_major || api_minor || build ||
 * policy(le32) || digest(32) || mnonce(16)).
 */
int measure_launch_hmac(const uint8_t tik[16], uint8_t api_major,
			uint8_t api_minor, uint8_t build, uint32_t policy,
			const uint8_t digest[32], const uint8_t mnonce[16],
			uint8_t out[32]);

#endif
