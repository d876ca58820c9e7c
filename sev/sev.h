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
 * The initial VMSA of a vCPU for the QEMU VMM type, field by field as
 * virtee/sev-snp-measure sevsnpmeasure/vmsa.py builds it (all other bytes
 * zero).  bsp selects the reset vector 0xfffffff0; APs start at
 * ap_reset_addr.
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
/* Lay register values out as the VMSA page KVM would make of them (the
 * fields above; every other byte zero). */
void vmsa_page(const struct vmsa_regs *r, uint8_t page[VMSA_SIZE]);

/* ------------------------------------------------------ SNP CPUID page */

#define SNP_CPUID_MAX 64

/* One CPUID leaf as the VMM gives it to the guest (KVM_GET_CPUID2). */
struct snp_cpuid_leaf {
	uint32_t function, index;
	uint32_t eax, ebx, ecx, edx;
};

/*
 * The SNP CPUID page (SNP ABI 56860 SNP_LAUNCH_UPDATE; AMD-ASPFW sev_mcmd.h
 * snp_launch_update_cpuid_page_t) from the vCPU's CPUID, with the masking
 * QEMU applies so that the firmware accepts it (TSC-deadline, TSC_ADJUST,
 * the speculation-control bits of leaf 7 EDX, VIRT_SSBD: QEMU
 * target/i386/sev.c sev_snp_mask_cpuid_features()), and XSAVE leaf 0xD
 * sub-leaves 0/1 with xcr0_in 1 and EBX 0x240 (sev_snp_cpuid_info_fill()).
 * Leaves beyond SNP_CPUID_MAX are dropped: -E2BIG says so (the page is
 * still usable); 0 otherwise.
 */
int snp_cpuid_page_build(const struct snp_cpuid_leaf *l, unsigned n,
			 uint8_t page[4096]);

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

/* --------------------------------------------------------- host checks */

/*
 * Can this host run a mode?  Split in two so that the decision is testable
 * without SEV hardware: sev_host_gather() reads the machine and records
 * everything, including what it could not read; sev_host_check() is a pure
 * function of those facts.
 */

/* The kvm_amd module parameters that switch the modes on, in the order the
 * kernel enables them (SEV-ES needs SEV, SEV-SNP needs SEV-ES). */
enum sev_host_param {
	SEV_HOST_PARAM_SEV,
	SEV_HOST_PARAM_SEV_ES,
	SEV_HOST_PARAM_SEV_SNP,
	SEV_HOST_NPARAMS,
};

struct sev_host_param_value {
	bool present; /* /sys/module/kvm_amd/parameters/<name> was read */
	bool enabled; /* it says Y or 1 */
	char raw[8];  /* what it says, without the newline */
};

/* SEV_PLATFORM_STATUS (12 bytes from the firmware). */
struct sev_host_status {
	bool queried;	  /* the ioctl was issued */
	int err;	  /* 0, or the ioctl's errno */
	int32_t fw_error; /* sev_issue_cmd.error: SEV_RET_*, -1 = no call */
	uint8_t api_major, api_minor, state, build;
	uint32_t flags, guest_count;
};

/* SNP_PLATFORM_STATUS (Linux 6.11+). */
struct sev_host_snp_status {
	bool queried;
	int err;
	int32_t fw_error;
	uint8_t api_major, api_minor, state;
	bool rmp_initialized;
	uint32_t build_id, guest_count;
	uint64_t current_tcb, reported_tcb;
};

struct sev_host_facts {
	/* CPU */
	char cpu_vendor[13];	     /* CPUID 0: "AuthenticAMD", ... */
	bool cpuid_leaf;	     /* CPUID 0x8000001f exists */
	uint32_t eax, ebx, ecx, edx; /* its registers; 0 when absent */
	/* kernel */
	bool kvm_amd_loaded; /* /sys/module/kvm_amd exists */
	struct sev_host_param_value param[SEV_HOST_NPARAMS];
	bool kvm_exists; /* /dev/kvm */
	int kvm_errno;	 /* 0: opened read-write; else why not */
	int vm_types;	 /* KVM_CAP_VM_TYPES bitmap; 0: no such cap (before
			    6.8); -1: not asked */
	bool sev_exists; /* /dev/sev */
	int sev_errno;	 /* 0: opened; else why not */
	/* firmware, through /dev/sev */
	struct sev_host_status status;
	struct sev_host_snp_status snp;
};

/* What sev_host_check() learnt for the launch. */
struct sev_host_info {
	unsigned cbitpos;	      /* CPUID 0x8000001f EBX[5:0] */
	unsigned reduced_phys_bits;   /* for the guest: the option, or 1 */
	unsigned host_phys_reduction; /* EBX[11:6]: the host's own */
	uint32_t nr_asids;	      /* ECX: highest encrypted-guest ASID */
	uint32_t min_sev_asid;	      /* EDX: first SEV-only ASID */
	bool init2; /* KVM offers the mode's VM type (KVM_SEV_INIT2); else
		       only legacy KVM_SEV_INIT / KVM_SEV_ES_INIT */
	bool status_valid; /* SEV_PLATFORM_STATUS answered: */
	uint8_t api_major, api_minor, build;
	bool snp_status_valid; /* SNP_PLATFORM_STATUS answered: */
	uint8_t snp_api_major, snp_api_minor;
	uint32_t snp_build_id;
};

/*
 * Read CPUID, the kvm_amd parameters, /dev/kvm (KVM_CAP_VM_TYPES) and
 * /dev/sev (SEV_PLATFORM_STATUS; SNP_PLATFORM_STATUS only when kvm_amd has
 * sev_snp enabled).  Never fails on what it cannot read: it records it.
 * Returns 0.
 */
int sev_host_gather(struct sev_host_facts *f);

/* "Y\n", "1", "N", ... as read from a parameter file -> v (for tests). */
void sev_host_param_parse(const char *text, size_t len,
			  struct sev_host_param_value *v);

/*
 * Can the host described by f run mode?  cbitpos and reduced_phys_bits are
 * the user's --cbitpos / --reduced-phys-bits, or -1 when not given.
 * 0 when it can.  Otherwise msg holds one sentence per root cause, joined
 * by "; " (CPU first, then kernel, then firmware; a check whose failure an
 * earlier one already explains is not reported), and the result is
 * -EINVAL when only the two options are wrong, else -ENODEV.  out (may be
 * NULL) is filled as far as the facts go, also on failure.
 */
int sev_host_check(const struct sev_host_facts *f, enum sev_mode mode,
		   int cbitpos, int reduced_phys_bits, char *msg, size_t msglen,
		   struct sev_host_info *out);

/* -------------------------------------------------- firmware status codes */

/*
 * The firmware's status codes (kvm_sev_cmd.error, sev_issue_cmd.error) by
 * the kernel's SEV_RET_* name, so that failures are printed as
 * "SEV_RET_BAD_MEASUREMENT (0x0b)" rather than a bare number.
 * 0xffffffff is the driver's SEV_RET_NO_FW_CALL (-1).
 */
/* "SEV_RET_BAD_MEASUREMENT", ...; NULL for a code with no name. */
const char *sev_status_name(uint32_t code);
/* The one-line meaning from the AMD specs; NULL when none is known. */
const char *sev_status_text(uint32_t code);
/* "SEV_RET_X (0xNN)" or "unknown firmware status 0xNN", always
 * NUL-terminated (truncated if need be); nothing when len is 0. */
void sev_status_format(uint32_t code, char *buf, size_t len);

/* ------------------------------------------------- the firmware model */

/*
 * A software model of the AMD Secure Processor's launch commands, behind
 * the same transport boundary as the real one: its vm_cmd receives the
 * kernel's UAPI structs (struct kvm_sev_launch_start, ...) with host
 * addresses in them, as KVM_MEMORY_ENCRYPT_OP would, keeps the firmware's
 * platform and guest state machines, does the real cryptography (session
 * unwrap with its PDH key, the launch digests, the LAUNCH_MEASURE HMAC,
 * the secret packet) and answers with the firmware's status codes.  It
 * cannot encrypt guest memory: a guest launched through it is NOT
 * confidential, and the launcher must say so.
 */
struct sev_model;

struct sev_model_config {
	/* What PLATFORM_STATUS would say; 0/0/0 means 1.55 build 25. */
	uint8_t api_major, api_minor, build;
	/* The platform's PDH private key (48 bytes, big-endian); NULL: a
	 * fresh key pair for this model's lifetime. */
	const uint8_t *pdh_private;
	/*
	 * SEV-ES/SNP: the VMSA of vCPU index as the vCPU's registers now
	 * are, the way KVM builds it for LAUNCH_UPDATE_VMSA and
	 * SNP_LAUNCH_FINISH.  Returns 0, -ENOENT past the last vCPU, or
	 * another -errno.  NULL: the model refuses those commands.
	 */
	int (*vmsa)(void *ctx, unsigned index, uint8_t page[VMSA_SIZE]);
	void *vmsa_ctx;
	/* The VM type the model stands behind (KVM_SEV_INIT2 does not say). */
	enum sev_mode mode;
};

/* NULL with err filled when OpenSSL cannot make the keys. */
struct sev_model *sev_model_new(const struct sev_model_config *c, char *err,
				size_t errlen);
void sev_model_free(struct sev_model *m); /* wipes its keys */
/* The model's PDH certificate (0x824 bytes), for a guest owner's session. */
int sev_model_pdh_cert(struct sev_model *m, uint8_t cert[0x824]);
/* SNP: the launch digest the model folded so far (48 bytes); SEV/SEV-ES:
 * GCTX.LD once LAUNCH_MEASURE finalised it (32 bytes).  -ENODATA before. */
int sev_model_launch_digest(struct sev_model *m, uint8_t *out, size_t len);
/* A new PDH key pair for a model: d (48 bytes, big-endian; a secret, for
 * sev_model_config.pdh_private) and its certificate (0x824 bytes). */
int sev_model_keygen(uint8_t d[48], uint8_t cert[0x824]);

/* ------------------------------------------- the guest owner's stop */

/*
 * SEV/SEV-ES: between LAUNCH_MEASURE and LAUNCH_FINISH the launcher may
 * stop for the guest owner, who checks the measurement and returns a
 * launch secret.  What the owner is told:
 */
struct sev_owner_request {
	enum sev_mode mode;
	uint32_t policy, handle;
	uint8_t api_major, api_minor, build; /* the firmware's */
	uint8_t launch_measure[48]; /* MEASURE(32) || MNONCE(16) */
	uint8_t expected_digest[32]; /* sevboot's prediction of GCTX.LD */
	uint64_t secret_gpa;	     /* where a secret goes; 0: nowhere */
	uint32_t secret_size;	     /* the room there */
	bool model;		     /* the firmware model answered */
};

/* What the owner answered.  inject false: no secret (the launch goes on). */
struct sev_owner_reply {
	bool inject;
	uint8_t hdr[0x34];  /* the packet header */
	uint8_t *secret;    /* malloc'ed ciphertext; see sev_owner_reply_free */
	size_t secret_len;
	bool has_gpa; /* the owner chose the GPA (QMP's optional "gpa") */
	uint64_t gpa;
};

/* Wipes and frees the ciphertext; the reply can be reused. */
void sev_owner_reply_free(struct sev_owner_reply *r);

/* The launch context (struct sev_launch) and its transports. */
#include "sev/launch.h"
/* The guest owner's side: sessions, measurement checks, secrets, and the
 * owner protocol's messages. */
#include "sev/owner.h"

#endif
