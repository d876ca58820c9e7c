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
#include <stdio.h>

#include <openssl/evp.h>

#include "loader/loader.h"
#include "util/util.h"

enum sev_mode {
	SEV_MODE_SEV,
	SEV_MODE_SEV_ES,
	SEV_MODE_SNP,
};

const char *sev_mode_name(enum sev_mode m); /* "sev", "seves", "snp" */

/* ---------------------------------------------------------- constants */

/* The only lengths the firmware accepts (SEV API 55766 LAUNCH_START,
 * LAUNCH_SECRET; AMD-ASPFW sev_mcmd.c sev_mcmd_launch_start(),
 * sev_mcmd_launch_secret()). */
#define SEV_CERT_LEN	   0x824  /* a SEV certificate (PDH, PEK, GODH, ...) */
#define SEV_SESSION_LEN	   0x80   /* LAUNCH_START's session blob */
#define SEV_KEY_LEN	   16     /* TEK, TIK */
#define SEV_PACKET_HDR_LEN 0x34   /* LAUNCH_SECRET's packet header */
#define SEV_SECRET_MAX	   0x5000 /* the firmware's guest_len limit */
#define SEV_PAGE_SIZE	   4096ULL

/* SEV policy bit 2: the guest is SEV-ES (SEV API 55766 ch. 3). */
#define SEV_POLICY_ES (1u << 2)

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

/*
 * Whose VMM set up the initial VMSAs.  Each hypervisor loads its own reset
 * state, so the same firmware measures differently on each; the names and
 * the differences are those of virtee/sev-snp-measure's --vmm-type
 * (sevsnpmeasure/vmsa.py, guest.py), observed on those clouds:
 *   QEMU: QEMU on KVM, what `sevboot run` does;
 *   EC2:  BSP CS attributes 0x9a (APs 0x9b), SS 0x92, TR 0x83, RDX 0x600,
 *         MXCSR and FCW 0; the CPUID page is measured after every other
 *         metadata section;
 *   GCE:  G_PAT 0x70106, RDX 0x600, MXCSR and FCW 0; SNP_SEC_MEM sections
 *         are measured as UNMEASURED pages, not ZERO pages.
 */
enum vmm_type {
	VMM_QEMU,
	VMM_EC2,
	VMM_GCE,
};
/* "QEMU", "ec2", "gce": sev-snp-measure's spellings. */
const char *vmm_type_name(enum vmm_type t);
/* Any case of those names -> t; -EINVAL. */
int vmm_type_parse(const char *s, enum vmm_type *t);
/* SEV_FEATURES bit 5: DebugSwap (AMD APM vol. 2, "SEV_FEATURES"). */
#define SEV_FEAT_DEBUG_SWAP (1ULL << 5)
/* SEV_FEATURES bit 0: SNPActive. */
#define SNP_FEAT_SNP_ACTIVE (1ULL << 0)
#define SNP_VMSA_GPA 0xfffffffff000ULL

struct vmsa_config {
	uint32_t vcpu_sig;     /* goes to RDX */
	uint32_t ap_reset_addr; /* SEV-ES reset block value (APs) */
	uint64_t sev_features; /* SNP: guest features (0x1); SEV-ES: 0 */
	bool init2;	       /* KVM_SEV_INIT2: MXCSR 0x1f80, FCW 0x37f */
	enum vmm_type vmm;     /* whose reset state (QEMU unless measuring) */
	/* COCONUT-SVSM: every vCPU starts in the SVSM's 32-bit flat protected
	 * mode at ap_reset_addr (sevsnpmeasure/vmsa.py VMSA_SVSM). */
	bool svsm;
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
/*
 * The VMSA KVM would build now from the registers of the vCPU behind
 * vcpu_fd (Linux arch/x86/kvm/svm/sev.c sev_es_sync_vmsa()): fpu_synced
 * says whether KVM syncs the x87/SSE state (KVM_SEV_INIT2; the legacy
 * INITs do not).  0, or -errno of the KVM_GET_* call that failed.
 */
int vmsa_read_vcpu(int vcpu_fd, uint64_t sev_features, bool fpu_synced,
		   uint8_t page[VMSA_SIZE]);

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
	/* SEV-ES with the legacy KVM_SEV_ES_INIT on a kernel that sets
	 * DebugSwap (SEV_FEATURES bit 5) in every VMSA: Linux 6.5 to 6.9
	 * with kvm_amd.debug_swap=Y (sev_es_sync_vmsa()). */
	bool debug_swap;
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
	/* The rest describes launches `sevboot measure` predicts but `run`
	 * does not make (run leaves them zero). */
	enum vmm_type vmm;
	/* SNP: the digest after the firmware pages, given (48 bytes, e.g.
	 * from an earlier snp_ovmf_only); the firmware is then not measured,
	 * only its metadata and reset block are used. */
	const uint8_t *snp_ovmf_digest;
	/* SNP with COCONUT-SVSM: the SVSM image, placed below the firmware
	 * and its vars_size bytes of variable store; its metadata sections
	 * and reset address replace the firmware's. */
	const uint8_t *svsm;
	size_t svsm_len;
	const struct ovmf_info *svsm_info;
	uint64_t vars_size;
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
	/* SNP: the digest the chain starts from (all zeros, or the given
	 * snp_ovmf_digest, which then stands for the firmware's pages). */
	bool seeded;
	uint8_t seed[48];
	uint64_t svsm_gpa; /* SVSM: where the SVSM image goes */
};

/*
 * Build the plan:
 *  SEV/SEV-ES: UPDATE_DATA of the whole firmware at its GPA; UPDATE_DATA of
 *    the 176-byte hashes table at its base (measured direct boot); SEV-ES:
 *    UPDATE_VMSA per vCPU, BSP first.
 *  SNP: the firmware as NORMAL pages; every ASEV section in table order
 *    (SNP_SEC_MEM -> ZERO, SECRETS, CPUID, KERNEL_HASHES -> NORMAL with the
 *    table or ZERO, others -> ZERO); one VMSA per vCPU at SNP_VMSA_GPA.
 *    EC2 moves the CPUID page after the other sections, GCE measures
 *    SNP_SEC_MEM as UNMEASURED; a given snp_ovmf_digest replaces the
 *    firmware step (plan->seeded); an SVSM adds its image as NORMAL pages
 *    after the firmware and its sections replace the firmware's.
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

#define SEV_DEV_PATH "/dev/sev"
/* Open the SEV device the one way both the host check and the launch do
 * (read-only, close-on-exec); the fd, or -1 with errno. */
int sev_dev_open(const char *path);

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
	/* kvm_amd's debug_swap (6.5 to 6.9); absent means off. */
	struct sev_host_param_value debug_swap;
	bool kvm_exists; /* /dev/kvm */
	int kvm_errno;	 /* 0: opened read-write; else why not */
	int vm_types;	 /* KVM_CAP_VM_TYPES bitmap; 0: no such cap (before
			    6.8); -1: not asked */
	/* KVM_GET_DEVICE_ATTR(KVM_X86_GRP_SEV, KVM_X86_SNP_POLICY_BITS) on
	 * /dev/kvm: the SNP policy bits KVM accepts (newer kernels). */
	bool snp_policy_bits_known;
	uint64_t snp_policy_bits;
	char kernel_release[65]; /* uname -r; "" when unknown */
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
	bool debug_swap; /* kvm_amd.debug_swap=Y: a legacy KVM_SEV_ES_INIT
			    puts DebugSwap in every VMSA */
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

/*
 * The kernel facts in f as one line of "; "-joined phrases, for -v:
 * "Linux 6.1.0-57-amd64; no KVM_CAP_VM_TYPES (Linux before 6.8): no
 * KVM_SEV_INIT2, only the legacy KVM_SEV_INIT and KVM_SEV_ES_INIT; kvm_amd
 * sev=N sev_es=N, no sev_snp parameter (SEV-SNP needs Linux 6.11); no
 * /dev/sev".  Truncated to msglen.
 */
void sev_host_describe(const struct sev_host_facts *f, char *msg,
		       size_t msglen);

/* ------------------------------------------------ platform commands */

/*
 * The AMD Secure Processor's platform, as /dev/sev offers it
 * (sev/platform.c; Linux include/uapi/linux/psp-sev.h), or the firmware
 * model answering from its identity in DIR (`sevboot model-keys`; NOT
 * the real firmware).  Every command returns 0 or -errno with *fw_err
 * the firmware status (SEV_RET_*; -1: it never reached the firmware) and
 * err one sentence.
 */
struct sev_platform;

/* path NULL: SEV_DEV_PATH; writable: O_RDWR, which the commands that
 * change the platform need (the kernel answers EPERM otherwise).  NULL
 * with *errnum (ENOENT: no /dev/sev) and err. */
struct sev_platform *sev_platform_open(const char *path, bool writable,
				       int *errnum, char *err, size_t errlen);
/* The firmware model answering from the identity in dir (`sevboot
 * model-keys`), which PDH_GEN, PEK_GEN and FACTORY_RESET rewrite; a dir
 * of an older sevboot with only pdh.key answers what it can. */
struct sev_platform *sev_platform_open_model(const char *dir, int *errnum,
					     char *err, size_t errlen);
bool sev_platform_is_model(const struct sev_platform *p);
void sev_platform_close(struct sev_platform *p);

/* SEV_PLATFORM_STATUS.  state: 0 UNINIT, 1 INIT, 2 WORKING (SEV API
 * 55766 PLATFORM_STATUS); flags bit 0 OWNER (externally owned), bit 8
 * CONFIG_ES. */
struct sev_platform_status {
	uint8_t api_major, api_minor, state, build;
	uint32_t flags, guest_count;
};
#define SEV_PLATFORM_FLAG_OWNER	    0x1u
#define SEV_PLATFORM_FLAG_CONFIG_ES 0x100u
int sev_platform_get_status(struct sev_platform *p,
			    struct sev_platform_status *s, int *fw_err,
			    char *err, size_t errlen);

/* SNP_PLATFORM_STATUS (SNP ABI 56860): state 0 UNINIT, 1 INIT; flags as
 * SB_SNP_STATUS_* in util/psp_uapi.h (MASK_CHIP_ID bit 0, MASK_CHIP_KEY
 * 1, VLEK_EN 2, ...). */
struct sev_snp_platform_status {
	uint8_t api_major, api_minor, state;
	bool rmp_initialized;
	uint32_t build_id, flags, guest_count;
	uint64_t current_tcb, reported_tcb;
};
int sev_platform_snp_status(struct sev_platform *p,
			    struct sev_snp_platform_status *s, int *fw_err,
			    char *err, size_t errlen);

int sev_platform_factory_reset(struct sev_platform *p, int *fw_err, char *err,
			       size_t errlen);
int sev_platform_pek_gen(struct sev_platform *p, int *fw_err, char *err,
			 size_t errlen);
/* The model keeps its new PDH in DIR. */
int sev_platform_pdh_gen(struct sev_platform *p, int *fw_err, char *err,
			 size_t errlen);
int sev_platform_snp_commit(struct sev_platform *p, int *fw_err, char *err,
			    size_t errlen);
/* PEK_CSR: *csr malloc'ed, *len bytes (a SEV certificate to sign). */
int sev_platform_pek_csr(struct sev_platform *p, uint8_t **csr, size_t *len,
			 int *fw_err, char *err, size_t errlen);
int sev_platform_pek_cert_import(struct sev_platform *p,
				 const uint8_t pek[SEV_CERT_LEN],
				 const uint8_t oca[SEV_CERT_LEN], int *fw_err,
				 char *err, size_t errlen);
/* PDH_CERT_EXPORT: the PDH and the chain the firmware gives with it,
 * PEK || OCA || CEK. */
int sev_platform_pdh_export(struct sev_platform *p,
			    uint8_t pdh[SEV_CERT_LEN],
			    uint8_t chain[3 * SEV_CERT_LEN], int *fw_err,
			    char *err, size_t errlen);
/*
 * The chain `sevctl export` writes: PDH || PEK || OCA || CEK (8336
 * bytes), the CEK as AMD's KDS gives it (signed by the ASK) on the model,
 * the firmware's on /dev/sev; with full, ASK || ARK after it (the model
 * only: -EOPNOTSUPP on /dev/sev, and on a model DIR with only a PDH key).
 * *out malloc'ed.
 */
int sev_platform_sev_chain(struct sev_platform *p, bool full, uint8_t **out,
			   size_t *len, int *fw_err, char *err, size_t errlen);
/* GET_ID2: the chip id (64 bytes on every part so far) into id[cap]. */
int sev_platform_get_id(struct sev_platform *p, uint8_t *id, size_t cap,
			size_t *len, int *fw_err, char *err, size_t errlen);
int sev_platform_snp_set_config(struct sev_platform *p, uint64_t reported_tcb,
				bool mask_chip_id, bool mask_chip_key,
				int *fw_err, char *err, size_t errlen);
#define SEV_VLEK_HASHSTICK_LEN 432
int sev_platform_vlek_load(struct sev_platform *p,
			   const uint8_t hashstick[SEV_VLEK_HASHSTICK_LEN],
			   int *fw_err, char *err, size_t errlen);

/* ------------------------------------------- the SNP guest's requests */

/*
 * Inside an SNP guest (sev/guest.c): the attestation report, the derived
 * key and the extended report, through /dev/sev-guest (Linux
 * include/uapi/linux/sev-guest.h) or configfs-tsm (Linux
 * Documentation/ABI/testing/configfs-tsm).  Each returns 0 or -errno with
 * err filled; *fw_err is the firmware's status (SEV_RET_*), 0 on success,
 * -1 when the request never reached the firmware.
 */
#define SEV_GUEST_DEV_PATH	  "/dev/sev-guest"
#define SEV_TSM_REPORT_PATH	  "/sys/kernel/config/tsm/report"
#define SEV_GUEST_REPORT_DATA_LEN 64
#define SEV_GUEST_KEY_LEN	  32

/* An open /dev/sev-guest.  ioctl NULL: ioctl(2); tests put a fake device
 * there (it returns -1 with errno, as ioctl(2) does). */
struct sev_guest {
	int fd;
	int (*ioctl)(void *ctx, int fd, unsigned long req, void *arg);
	void *ctx;
};

/* path NULL: SEV_GUEST_DEV_PATH.  -ENOENT says "not an SNP guest". */
int sev_guest_open(struct sev_guest *g, const char *path, char *err,
		   size_t errlen);
void sev_guest_close(struct sev_guest *g);

/* SNP_GET_REPORT: the report (SNP_REPORT_LEN bytes today) into
 * report[cap], its length in *len. */
int sev_guest_report(struct sev_guest *g,
		     const uint8_t data[SEV_GUEST_REPORT_DATA_LEN],
		     uint32_t vmpl, uint8_t *report, size_t cap, size_t *len,
		     int *fw_err, char *err, size_t errlen);

/* MSG_KEY_REQ (SNP ABI 56860): root_key_select bit 0 is the root key
 * (0 VCEK, 1 VMRK), bits 2:1 the key (0 VLEK if loaded else VCEK, 1 VCEK,
 * 2 VLEK); guest_field_select the SEV_GUEST_FIELD_* mixed in. */
struct sev_guest_key_req {
	uint32_t root_key_select;
	uint64_t guest_field_select;
	uint32_t vmpl, guest_svn;
	uint64_t tcb_version;
};
#define SEV_GUEST_FIELD_POLICY	    (1ull << 0)
#define SEV_GUEST_FIELD_IMAGE_ID    (1ull << 1)
#define SEV_GUEST_FIELD_FAMILY_ID   (1ull << 2)
#define SEV_GUEST_FIELD_MEASUREMENT (1ull << 3)
#define SEV_GUEST_FIELD_SVN	    (1ull << 4)
#define SEV_GUEST_FIELD_TCB	    (1ull << 5)
#define SEV_GUEST_FIELD_LAUNCH_MIT  (1ull << 6)

/* SNP_GET_DERIVED_KEY: key[32] is a secret (the caller wipes it). */
int sev_guest_derived_key(struct sev_guest *g,
			  const struct sev_guest_key_req *k,
			  uint8_t key[SEV_GUEST_KEY_LEN], int *fw_err,
			  char *err, size_t errlen);

/* SNP_GET_EXT_REPORT: the report as above, and the hypervisor's
 * certificate table (*certs, malloc'ed, *certs_len bytes, the buffer
 * grown to what the kernel asks for; all zeros: none). */
int sev_guest_ext_report(struct sev_guest *g,
			 const uint8_t data[SEV_GUEST_REPORT_DATA_LEN],
			 uint32_t vmpl, uint8_t *report, size_t cap,
			 size_t *len, uint8_t **certs, size_t *certs_len,
			 int *fw_err, char *err, size_t errlen);

/* One entry of the certificate table (GHCB 56421, SNP Extended Guest
 * Request): its GUID and where its bytes are in the table. */
struct sev_cert_entry {
	struct guid guid;
	uint32_t offset, length;
};
/* The entries up to the all-zero one (at most max).  -EBADMSG for an
 * entry outside the table or no terminator, -E2BIG for more than max. */
int sev_cert_table_parse(const uint8_t *t, size_t len,
			 struct sev_cert_entry *e, size_t max, size_t *n,
			 char *err, size_t errlen);
/* "vcek", "vlek", "ask", "ark", or NULL for a GUID the spec does not
 * name. */
const char *sev_cert_guid_name(const struct guid *g);

/* configfs-tsm: dir NULL is SEV_TSM_REPORT_PATH; after_mkdir (tests
 * only) plays the kernel's part in a fake tree. */
struct sev_tsm {
	const char *dir;
	void (*after_mkdir)(void *ctx, const char *entry);
	void *ctx;
};
struct sev_tsm_result {
	uint8_t *report, *aux; /* malloc'ed outblob and auxblob (or NULL) */
	size_t report_len, aux_len;
};
/* mkdir an entry, the exchange below, rmdir. */
int sev_tsm_report(const struct sev_tsm *t,
		   const uint8_t data[SEV_GUEST_REPORT_DATA_LEN], uint32_t vmpl,
		   struct sev_tsm_result *r, char *err, size_t errlen);
/* On an existing entry: provider must be sev_guest; inblob (64 bytes),
 * privlevel, outblob, auxblob (optional), and the generation unchanged. */
int sev_tsm_entry_report(const char *entry,
			 const uint8_t data[SEV_GUEST_REPORT_DATA_LEN],
			 uint32_t vmpl, struct sev_tsm_result *r, char *err,
			 size_t errlen);
void sev_tsm_result_free(struct sev_tsm_result *r);

/* ------------------------------------------------------ SNP policy */

/* What the host's KVM accepts in SNP_LAUNCH_START's policy (Linux
 * arch/x86/kvm/svm/sev.c snp_launch_start()). */
struct snp_policy_rules {
	uint64_t valid;	     /* bits KVM accepts at all */
	bool need_smt;	     /* bit 16 (SMT allowed) must be set */
	bool no_single_socket; /* bit 20 (SINGLE_SOCKET) is refused */
};

/* The rules of the kernel described by f: its published policy bits when
 * it has the attribute, else the fixed mask of 6.11 (API minor/major, SMT,
 * RSVD_MBO, DEBUG, SINGLE_SOCKET), and for 6.11 to 6.15 the SMT and
 * SINGLE_SOCKET rules as well. */
void sev_snp_policy_rules(const struct sev_host_facts *f,
			  struct snp_policy_rules *r);
/* 0, or -EINVAL with one sentence naming the first offending bit. */
int sev_snp_policy_check(uint64_t policy, const struct snp_policy_rules *r,
			 char *msg, size_t msglen);

/* ------------------------------------------------ the kernel's profile */

/*
 * What the host kernel's KVM offers an SEV launch, by its version: the
 * firmware model's kernel-rules layer (sev/model/kernel.c) follows it, and
 * `run` picks the init the real kernel would need from it.
 */
struct sev_kernel_profile {
	char release[65];      /* the uname -r it came from; "" unknown */
	unsigned major, minor; /* 0.0: unknown, the newest rules apply */
	/* KVM_X86_SEV_VM / KVM_X86_SEV_ES_VM and KVM_SEV_INIT2 (6.10+;
	 * before, only the legacy INIT on the default VM type). */
	bool vm_types;
	/* KVM_X86_SNP_VM and the SNP launch commands (6.11+). */
	bool snp;
	/* SNP_LAUNCH_START's policy rules (sev_snp_policy_rules). */
	struct snp_policy_rules snp_rules;
};

/* The profile of the kernel f describes (its kernel_release and, for the
 * SNP policy, its published policy bits). */
void sev_kernel_profile_from(const struct sev_host_facts *f,
			     struct sev_kernel_profile *p);
/* "Linux 6.12 (uname -r 6.12.48+deb13-amd64)" or "an unknown Linux
 * (treated as the newest)", always NUL-terminated. */
void sev_kernel_profile_name(const struct sev_kernel_profile *p, char *buf,
			     size_t len);

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
/* What code means for the failed command desc ("LAUNCH_START with policy
 * 0x1 and a session", "SNP_LAUNCH_FINISH with an ID block", as the launch
 * describes it), when its inputs say more; NULL otherwise. */
const char *sev_status_hint(const char *desc, uint32_t code);

/* ------------------------------------------------ the launch channel */

/*
 * The guest owner wraps a transport encryption key (TEK) and integrity key
 * (TIK) for the firmware's PDH key (LAUNCH_START's session), checks the
 * LAUNCH_MEASURE HMAC, and seals a launch secret (LAUNCH_SECRET's packet).
 * The firmware, here the firmware model, does the reverse.  Byte layouts
 * and derivations: SEV API 55766 App. C (certificate), 55766 §6.2
 * LAUNCH_START (session), 55766 §6.5 LAUNCH_MEASURE (measurement),
 * 55766 §6.6 LAUNCH_SECRET (packet), as AMD's firmware source does them
 * (amd/AMD-ASPFW sev_uapp sev_channel.c, ecdh.c, nist_kdf.c); the secret
 * table is Linux drivers/virt/coco/efi_secret/efi_secret.c's.  Known
 * answers in tests/unit/test_channel.c.
 *
 * Every function returns 0 or a negative errno: -EINVAL for malformed
 * input (err, when given, says which), -EBADMSG when a MAC does not
 * verify, -ENOMEM when OpenSSL fails.  Keys are wiped (OPENSSL_cleanse)
 * by the functions that hold them temporarily; struct sev_tk must be wiped
 * by its owner with sev_tk_wipe().
 */

/* Public-key usage and algorithm codes of a SEV certificate (SEV API 55766
 * App. C; AMD-ASPFW sev_cert.h). */
#define SEV_USAGE_PEK 0x1002
#define SEV_USAGE_PDH 0x1003
#define SEV_USAGE_OCA 0x1001
#define SEV_USAGE_CEK 0x1004
/* An empty signature slot (SEV API 55766 App. C, Key Usage: invalid). */
#define SEV_USAGE_INVALID 0x1000
#define SEV_ALGO_ECDSA_SHA256 0x2
#define SEV_ALGO_ECDH_SHA256 0x3
#define SEV_ALGO_ECDSA_SHA384 0x102
#define SEV_ALGO_ECDH_SHA384 0x103

/* The guest owner's two channel keys. */
struct sev_tk {
	uint8_t tek[16];
	uint8_t tik[16];
};
void sev_tk_wipe(struct sev_tk *tk);

/* SP 800-108 counter mode with HMAC-SHA256, as the firmware does it
 * (AMD-ASPFW nist_kdf.c nist_kdf(): little-endian counter and length;
 * context omitted when empty). */
int sev_kdf(const uint8_t *key, size_t keylen, const char *label,
	    const uint8_t *context, size_t contextlen, uint8_t *out,
	    size_t outlen);

/* AES-128-CTR with OpenSSL's 128-bit big-endian counter (in may == out). */
int sev_aes128_ctr(const uint8_t key[16], const uint8_t iv[16],
		   const uint8_t *in, size_t len, uint8_t *out);

/* ------------------------------------------------------- P-384 keys */

/* A fresh P-384 key pair; or one from its 48-byte big-endian scalar. */
int sev_p384_generate(EVP_PKEY **out);
int sev_p384_from_private(const uint8_t d[48], EVP_PKEY **out);
/* The 48-byte big-endian scalar of a key pair (wipe it after use). */
int sev_p384_private(EVP_PKEY *k, uint8_t d[48]);

/*
 * The 0x404-byte ECC public key of a SEV certificate (SEV API 55766 App. C,
 * at cert offset 0x10) and of an SNP ID/author key (SNP ABI 56860
 * SNP_LAUNCH_FINISH, ID_AUTH): u32 curve (2 = P-384), QX[72] and QY[72]
 * little-endian, the rest zero.  parse checks the curve and that the point
 * is on it (-EINVAL with err).
 */
#define SEV_ECC_PUBKEY_LEN 0x404
int sev_ecc_pubkey_put(EVP_PKEY *k, uint8_t key[SEV_ECC_PUBKEY_LEN]);
int sev_ecc_pubkey_parse(const uint8_t key[SEV_ECC_PUBKEY_LEN], EVP_PKEY **out,
			 char *err, size_t errlen);

/*
 * An ECDSA P-384 signature as the firmware stores it (SEV API 55766
 * App. C; AMD-ASPFW ecdsa.h ecdsa_sig_t): R[72] || S[72] little-endian
 * (a signature slot is 0x200 bytes, the rest zero), over data hashed with
 * md (SHA-256 for SEV certs, SHA-384 for SNP ID blocks).  verify: 0, or
 * -EBADMSG when it does not verify.
 */
#define SEV_ECDSA_SIG_LEN 144
int sev_ecdsa_sign(EVP_PKEY *k, const EVP_MD *md, const void *data,
		   size_t len, uint8_t sig[SEV_ECDSA_SIG_LEN]);
int sev_ecdsa_verify(EVP_PKEY *k, const EVP_MD *md, const void *data,
		     size_t len, const uint8_t sig[SEV_ECDSA_SIG_LEN]);

/*
 * An RSASSA-PSS signature as AMD stores it in its certificates (SEV API
 * 55766 App. B, the AMD CA certificate, and the ASK's slot in a CEK;
 * AMD-ASPFW amd_cert.c): MGF1 with the message's hash md, salt = the hash
 * length, the signature a little-endian integer of siglen bytes (the
 * modulus length: 256 or 512).  sign: 0, -EINVAL (siglen is not k's
 * size), -ENOMEM.  verify: 0, -EBADMSG, -ENOMEM.
 */
#define SEV_RSA_SIG_MAX 512
/* ctx set up to sign (or verify) with k, RSASSA-PSS with those parameters
 * (for X509_sign_ctx too).  0 or -ENOMEM. */
int sev_rsa_pss_ctx(EVP_MD_CTX *ctx, EVP_PKEY *k, const EVP_MD *md, bool sign);
int sev_rsa_pss_sign(EVP_PKEY *k, const EVP_MD *md, const void *data,
		     size_t len, uint8_t *sig_le, size_t siglen);
int sev_rsa_pss_verify(EVP_PKEY *k, const EVP_MD *md, const void *data,
		       size_t len, const uint8_t *sig_le, size_t siglen);

/*
 * A SEV certificate (SEV API 55766 App. C) holding k's public key:
 * version 1, api major/minor, the usage and algorithm given, curve P-384
 * (2), QX/QY little-endian.  Signed by signer (usage sig_usage,
 * ECDSA_SHA256) when signer is non-NULL, else both signature slots are
 * empty (usage 0x1000, algorithm 0), which LAUNCH_START accepts for a GODH
 * (AMD-ASPFW sev_cert.c sev_cert_sanity_check()).
 */
int sev_cert_build(EVP_PKEY *k, uint16_t usage, uint16_t algo,
		   uint8_t api_major, uint8_t api_minor, EVP_PKEY *signer,
		   uint16_t sig_usage, uint8_t cert[SEV_CERT_LEN]);

/*
 * The firmware's sanity check of a certificate (AMD-ASPFW sev_cert.c
 * sev_cert_sanity_check()): version 1, usage want_usage, algorithm
 * ECDH_SHA256 or ECDH_SHA384 (for a PDH) or the one given, curve P-384, a
 * point on the curve.  Signatures are not checked.  *out gets the public
 * key (free with EVP_PKEY_free).  -EINVAL with err.
 */
int sev_cert_public_key(const uint8_t cert[SEV_CERT_LEN], uint16_t want_usage,
			EVP_PKEY **out, char *err, size_t errlen);

/* Z: the x-coordinate of our_private * their_public, 48 bytes BE (AMD-ASPFW
 * ecdh.c ecdh_key_agreement()). */
int sev_ecdh(EVP_PKEY *our_private, EVP_PKEY *their_public, uint8_t z[48]);

/* ----------------------------------------------------------- session */

/*
 * Owner side: the 0x80-byte session blob (SEV API 55766 §6.2 LAUNCH_START;
 * AMD-ASPFW sev_channel.h sev_session_t) for shared secret z, the
 * owner's nonce and wrap IV, the keys tk, and the policy it MACs.
 */
int sev_session_wrap(const uint8_t z[48], const uint8_t nonce[16],
		     const uint8_t wrap_iv[16], const struct sev_tk *tk,
		     uint32_t policy, uint8_t session[SEV_SESSION_LEN]);

/*
 * A whole new session for the platform whose PDH certificate is pdh and
 * the guest policy: a fresh P-384 GODH key pair (its certificate
 * unsigned, with the PDH's API version), random TEK and TIK into tk (a
 * secret: sev_tk_wipe() it), and the session blob that wraps them.
 * 0; -EINVAL for an unusable PDH; -EIO/-ENOMEM (err says which).
 */
int sev_session_new(const uint8_t pdh[SEV_CERT_LEN], uint32_t policy,
		    uint8_t godh_cert[SEV_CERT_LEN],
		    uint8_t session[SEV_SESSION_LEN], struct sev_tk *tk,
		    char *err, size_t errlen);

/*
 * Firmware side (AMD-ASPFW sev_channel.c sev_channel_open_server(),
 * sev_guest.c sev_guest_verify_policy()): derive KEK/KIK from z and the
 * session's nonce, check WRAP_MAC, unwrap TEK||TIK into tk, check
 * POLICY_MAC against policy.  -EBADMSG when either MAC fails (the
 * firmware's BAD_MEASUREMENT); tk is then zeroed.
 */
int sev_session_unwrap(const uint8_t z[48],
		       const uint8_t session[SEV_SESSION_LEN], uint32_t policy,
		       struct sev_tk *tk);

/* ------------------------------------------------------ launch secret */

/*
 * Owner side: seal len bytes of plain (len a multiple of 16, 16..
 * SEV_SECRET_MAX) for a guest whose LAUNCH_MEASURE gave measure (the 32
 * HMAC bytes, not the mnonce), with IV iv: hdr = FLAGS 0 || IV || MAC,
 * trans = AES-128-CTR(TEK, IV, plain) (SEV API 55766 §6.6 LAUNCH_SECRET;
 * AMD-ASPFW sev_channel.c sev_channel_hmac()).
 */
int sev_secret_seal(const struct sev_tk *tk, const uint8_t measure[32],
		    const uint8_t iv[16], const uint8_t *plain, size_t len,
		    uint8_t hdr[SEV_PACKET_HDR_LEN], uint8_t *trans);

/*
 * Firmware side (AMD-ASPFW sev_mcmd.c sev_mcmd_launch_secret()): check the
 * header's MAC over guest_len == trans_len == len and trans, then decrypt
 * into plain.  -EBADMSG for a MAC mismatch (BAD_MEASUREMENT; plain
 * untouched), -EOPNOTSUPP when FLAGS has COMPRESSED (the firmware's
 * UNSUPPORTED, checked after the MAC).
 */
int sev_secret_open(const struct sev_tk *tk, const uint8_t measure[32],
		    const uint8_t hdr[SEV_PACKET_HDR_LEN],
		    const uint8_t *trans, size_t len, uint8_t *plain);

/* One entry of the EFI secret table (Linux efi_secret.c secret_entry). */
struct sev_secret_entry {
	struct guid guid;
	const uint8_t *data;
	size_t len;
};

/*
 * The EFI secret table of n entries in out (capacity cap): the table GUID,
 * the unpadded total length, the entries, zero padding to a multiple of
 * 16.  *outlen is the padded length.  -ENOSPC when it does not fit.
 */
int sev_secret_table(const struct sev_secret_entry *e, size_t n, uint8_t *out,
		     size_t cap, size_t *outlen);

/* ------------------------------------------------- the firmware model */

/*
 * sevboot's software model of the AMD Secure Processor's launch commands
 * (sev/model/, behind the launch's transport; see sevl_model_new in
 * sev/launch.h).  Its platform identity: a new PDH key pair, d (48 bytes,
 * big-endian; a secret) and its certificate (SEV_CERT_LEN bytes), for
 * `sevboot model-keys` and --sev-model-keys.
 */
int sev_model_keygen(uint8_t d[48], uint8_t cert[SEV_CERT_LEN]);
/* The firmware version the model answers as unless told otherwise: the
 * published Genoa firmware (ASPFW 1.55.25). */
#define SEV_MODEL_API_MAJOR 1
#define SEV_MODEL_API_MINOR 55
#define SEV_MODEL_BUILD	    25

/*
 * The model's identity (sev/model/identity.c): the keys and certificates
 * of a platform, kept in a state directory that `sevboot model-keys DIR`
 * makes and --sev-model-keys DIR loads.  The layout of DIR (0700):
 *
 *   ark.key ask.key        RSA-2048 private keys, PKCS#8 PEM       0600
 *   cek.key oca.key pek.key pdh.key vcek.key
 *                          P-384 private scalars, 48 bytes BE      0600
 *   ark.cert ask.cert      ARK (self-signed) and ASK in the AMD CA format
 *                          (SEV API 55766 App. B; 832 bytes, RSASSA-PSS
 *                          SHA-256 as the format has it for 2048-bit keys)
 *   cek.cert               the CEK signed by the ASK (what AMD's KDS gives
 *                          for the chip; PDH_CERT_EXPORT gives it unsigned)
 *   oca.cert pek.cert pdh.cert
 *                          SEV certificates (0x824 bytes): OCA self-signed,
 *                          PEK by OCA and CEK, PDH by PEK
 *   sev-chain.cert         PDH || PEK || OCA || CEK || ASK || ARK, as
 *                          `sevctl export --full` writes it
 *   snp-ark.pem snp-ask.pem
 *                          X.509 ARK-Genoa (self-signed) and SEV-Genoa,
 *                          the same RSA keys, RSASSA-PSS SHA-384
 *   cert_chain.pem         the ASK then the ARK, as KDS's cert_chain
 *   vcek.key               the VCEK at the current TCB (SEV_MODEL_TCB)
 *   vcek.der vcek.pem      the VCEK at REPORTED_TCB (P-384; the same key
 *                          at the current TCB, else derived from
 *                          vcek.key), AMD's extensions: that TCB's SPLs
 *                          and hwID, the chip id
 *
 * Only the .key files are secret.  A DIR with only pdh.key and pdh.cert
 * is the layout of an older sevboot: --sev-model-keys still takes its PDH,
 * but it has no identity (sev_model_identity_load says -ENODATA).
 */
#define SEV_MODEL_PRODUCT      "Genoa"
#define SEV_MODEL_PRODUCT_NAME "Genoa-B1" /* the VCEK's product name */
/* The model's TCB_VERSION in the Milan/Genoa layout (SNP ABI 56860
 * TCB_VERSION; Linux psp-sev.h sev_snp_tcb_version_genoa_milan): boot
 * loader 9, TEE 0, SNP 23, microcode 0xd4. */
#define SEV_MODEL_TCB 0xd417000000000009ULL
#define SEV_MODEL_AMD_CERT_LEN	 832   /* AMD CA format, 2048-bit keys */
#define SEV_MODEL_SEV_REPORT_LEN 0xd0  /* SEV API 55766 ATTESTATION */
/*
 * The SNP attestation report's fields, byte offsets (SNP ABI 56860,
 * table ATTESTATION_REPORT): the model writes them (sev/model/snp.c), the
 * guest owner reads them (owner/report.c).
 */
#define SNP_RPT_VERSION 0x000
#define SNP_RPT_GUEST_SVN 0x004
#define SNP_RPT_POLICY 0x008
#define SNP_RPT_FAMILY_ID 0x010
#define SNP_RPT_IMAGE_ID 0x020
#define SNP_RPT_VMPL 0x030
#define SNP_RPT_SIG_ALGO 0x034
#define SNP_RPT_CURRENT_TCB 0x038
#define SNP_RPT_PLATFORM_INFO 0x040
#define SNP_RPT_FLAGS 0x048
#define SNP_RPT_REPORT_DATA 0x050
#define SNP_RPT_MEASUREMENT 0x090
#define SNP_RPT_HOST_DATA 0x0c0
#define SNP_RPT_ID_KEY_DIGEST 0x0e0
#define SNP_RPT_AUTHOR_KEY_DIGEST 0x110
#define SNP_RPT_REPORT_ID 0x140
#define SNP_RPT_REPORT_ID_MA 0x160
#define SNP_RPT_REPORTED_TCB 0x180
#define SNP_RPT_CPUID_FAM 0x188
#define SNP_RPT_CPUID_MOD 0x189
#define SNP_RPT_CPUID_STEP 0x18a
#define SNP_RPT_CHIP_ID 0x1a0
#define SNP_RPT_COMMITTED_TCB 0x1e0
#define SNP_RPT_CURRENT_BUILD 0x1e8
#define SNP_RPT_COMMITTED_BUILD 0x1ec
#define SNP_RPT_LAUNCH_TCB 0x1f0
#define SNP_RPT_LAUNCH_MIT 0x1f8
#define SNP_RPT_CURRENT_MIT 0x200
#define SNP_RPT_SIG 0x2a0

#define SEV_MODEL_SNP_REPORT_LEN 0x4a0 /* SNP ABI 56860 ATTESTATION_REPORT */

struct sev_model_identity;

enum sev_model_cert {
	SEV_MODEL_ARK, /* AMD CA format */
	SEV_MODEL_ASK,
	SEV_MODEL_CEK, /* SEV certificates, SEV_CERT_LEN */
	SEV_MODEL_OCA,
	SEV_MODEL_PEK,
	SEV_MODEL_PDH,
	SEV_MODEL_SNP_ARK, /* X.509, DER */
	SEV_MODEL_SNP_ASK,
	SEV_MODEL_VCEK,
};

/*
 * Make a new identity in dir: fresh keys, every certificate and export
 * above, written to a new directory next to dir and renamed to dir when
 * whole.  dir must not exist or be an empty directory.  0; -EEXIST (dir
 * is not empty; err says so, and names the older layout), -ENOMEM, or the
 * -errno of a file operation, with err.
 */
int sev_model_identity_create(const char *dir, char *err, size_t errlen);
/*
 * Load the identity in dir: every key and certificate, each checked to
 * hold its key and to carry a valid signature by its issuer.  -ENOENT: no
 * identity there; -ENODATA: the older pdh.key-only layout; -EACCES: a key
 * file group or others may read; -EINVAL/-EBADMSG: a file is malformed or
 * was changed (err names it); -ENOMEM.
 */
int sev_model_identity_load(const char *dir, struct sev_model_identity **out,
			    char *err, size_t errlen);
void sev_model_identity_free(struct sev_model_identity *id); /* wipes */
/* A certificate's bytes (owned by id) and length; NULL for an unknown
 * one. */
const uint8_t *sev_model_identity_cert(const struct sev_model_identity *id,
				       enum sev_model_cert which, size_t *len);
/* The chip id the VCEK's hwID names (GET_ID's answer). */
void sev_model_identity_chip_id(const struct sev_model_identity *id,
				uint8_t chip_id[64]);
/* The PDH's private scalar (a secret: wipe it). */
int sev_model_identity_pdh_private(const struct sev_model_identity *id,
				   uint8_t d[48]);
/*
 * The SEV ATTESTATION report (SEV API 55766 ATTESTATION; AMD-ASPFW
 * sev_mcmd_attestation_report_t): MNONCE, the launch digest, the policy,
 * the PEK's usage and ECDSA_SHA256, and the PEK's signature over
 * [0, 0x34).  0 or -ENOMEM.
 */
int sev_model_identity_sign_sev(const struct sev_model_identity *id,
				const uint8_t mnonce[16], const uint8_t ld[32],
				uint32_t policy,
				uint8_t report[SEV_MODEL_SEV_REPORT_LEN]);
/* What the platform commands that change the identity make anew. */
enum sev_model_regen {
	SEV_MODEL_REGEN_PDH,   /* PDH_GEN: the PDH */
	SEV_MODEL_REGEN_PEK,   /* PEK_GEN: the PEK and the PDH */
	SEV_MODEL_REGEN_RESET, /* FACTORY_RESET: the OCA, the PEK, the PDH */
};
/*
 * New keys and certificates for what, each signed as the firmware signs
 * it (the PEK by the OCA and the CEK, the PDH by the PEK); the chip's own
 * (CEK, ASK, ARK, VCEK, chip id) stay.  0, or -ENOMEM with id unchanged.
 * Only in memory: sev_model_identity_store writes it.
 */
int sev_model_identity_regen(struct sev_model_identity *id,
			     enum sev_model_regen what);
/* PEK_CSR: the PEK's certificate with its signature slots empty. */
void sev_model_identity_pek_csr(const struct sev_model_identity *id,
				uint8_t csr[SEV_CERT_LEN]);
/*
 * PEK_CERT_IMPORT on the identity (SEV API 55766; AMD-ASPFW
 * sev_mcmd_pek_cert_import()): the checks the firmware makes on the
 * certificates (ALREADY_OWNED, INVALID_CERTIFICATE, BAD_SIGNATURE in
 * *status, id unchanged) and, when they pass, the platform owned by that
 * OCA with a new PDH.  0 with *status, or -ENOMEM with id unchanged.
 */
int sev_model_identity_pek_import(struct sev_model_identity *id,
				  const uint8_t pek[SEV_CERT_LEN],
				  const uint8_t oca[SEV_CERT_LEN],
				  uint32_t *status);
/* Is the platform owned (an OCA imported)? */
bool sev_model_identity_owned(const struct sev_model_identity *id);
/* SNP_CONFIG's state: REPORTED_TCB and SEV_MODEL_CFG_* (a new identity:
 * SEV_MODEL_TCB, 0).  A REPORTED_TCB below the current TCB also gives the
 * chip's VCEK for that TCB, which then signs the reports, and its
 * certificate (vcek.der); the current TCB's VCEK comes back with the
 * current TCB.  Set only in memory: sev_model_identity_store writes it
 * (platform.state, vcek.der).  0, or -ENOMEM with id unchanged. */
#define SEV_MODEL_CFG_MASK_CHIP_ID  (1u << 0)
#define SEV_MODEL_CFG_MASK_CHIP_KEY (1u << 1)
void sev_model_identity_snp_config(const struct sev_model_identity *id,
				   uint64_t *reported_tcb, uint32_t *flags);
int sev_model_identity_set_snp_config(struct sev_model_identity *id,
				      uint64_t reported_tcb, uint32_t flags);
/*
 * Replace the identity in dir by id, all at once (a new directory next to
 * dir exchanged with it): a reader sees the old files or the new ones.
 * -ENOTEMPTY when dir holds a file that is not the identity's, or the
 * -errno of a file operation; err says which.
 */
int sev_model_identity_store(const struct sev_model_identity *id,
			     const char *dir, char *err, size_t errlen);
/* Sign an SNP report whose bytes [0, 0x2a0) are filled: the VCEK's
 * signature at 0x2a0 (R) and 0x2e8 (S), the rest after it zero. */
int sev_model_identity_sign_snp(const struct sev_model_identity *id,
				uint8_t report[SEV_MODEL_SNP_REPORT_LEN]);

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

/* ------------------------------------------------ the launch sequence */

/*
 * What the machine (vmm/) offers a launch: guest memory as the host sees
 * it, the vCPUs' registers, and vCPU 0's CPUID.  The launch sequence
 * (sev/run.c) drives the whole flow over it, so it never reaches into the
 * machine and the machine holds no launch policy.
 */
struct sev_machine {
	void *ctx;
	unsigned ncpus;
	/* The host mapping of guest [gpa, gpa + len), NULL when that is not
	 * all guest RAM. */
	uint8_t *(*hva)(void *ctx, uint64_t gpa, uint64_t len);
	/* Load vCPU cpu's registers with this reset state. */
	int (*set_reset_state)(void *ctx, unsigned cpu,
			       const struct vmsa_regs *r, char *err,
			       size_t errlen);
	/* The VMSA KVM would build from vCPU cpu's registers now (the
	 * firmware model measures it): fpu says whether KVM syncs the
	 * x87/SSE state (INIT2). */
	int (*read_vmsa)(void *ctx, unsigned cpu, uint64_t sev_features,
			 bool fpu, uint8_t page[VMSA_SIZE]);
	/* vCPU 0's CPUID as loaded: at most max leaves into l; the count,
	 * or -errno. */
	int (*cpuid)(void *ctx, struct snp_cpuid_leaf *l, unsigned max);
};

/* SNP_LAUNCH_FINISH inputs; all zero is a launch without an ID block. */
#define SEV_SNP_HOST_DATA_LEN 32
struct sev_snp_finish_args {
	const uint8_t *id_block; /* KVM_SEV_SNP_ID_BLOCK_SIZE (96) bytes */
	const uint8_t *id_auth;	 /* KVM_SEV_SNP_ID_AUTH_SIZE (4096) bytes */
	bool auth_key_en;	 /* id_auth carries an author key */
	bool vcek_disabled;
	uint8_t host_data[SEV_SNP_HOST_DATA_LEN]; /* into the report */
};

/*
 * SEVBOOT_MODEL_BREAK (tests only, honoured with the firmware model): the
 * kernel-rules layer breaks every memory command on purpose, to show that
 * the launch then fails with the kernel's errno.  "uaddr": the host
 * address points at a page that cannot be read; "len": the length is 8
 * bytes short.  0 with *out set, or -EINVAL for another value.
 */
enum sev_model_break {
	SEV_MODEL_BREAK_NONE = 0,
	SEV_MODEL_BREAK_UADDR = 1,
	SEV_MODEL_BREAK_LEN = 2,
};
int sev_model_break_parse(const char *s, enum sev_model_break *out);

struct sev_run;

/* A launch: the one configuration `run` hands over. */
struct sev_run_config {
	enum sev_mode mode;
	uint64_t policy;
	uint32_t handle; /* SEV/SEV-ES: share this guest's key; 0: new */
	const struct launch_plan *plan;
	/* The digest sevboot predicts (32 bytes SEV/SEV-ES, 48 SNP). */
	const uint8_t *expected;
	/* The firmware model instead of /dev/sev (NOT confidential). */
	bool model;
	const uint8_t *model_pdh; /* its PDH private key, or NULL */
	/* Its identity (sev_model_identity_load), or NULL: the PDH, the
	 * chain PDH_CERT_EXPORT returns, the keys that sign attestation
	 * reports.  It wins over model_pdh. */
	const struct sev_model_identity *model_identity;
	/* KVM_SEV_INIT/ES_INIT on a default VM; else INIT2 on a VM of the
	 * mode's type. */
	bool legacy_init;
	/* The firmware's version, for the LAUNCH_MEASURE check (the model
	 * answers as this version). */
	uint8_t api_major, api_minor, build;
	/* The guest owner's session (SEV/SEV-ES), both or neither. */
	const uint8_t *dh_cert, *session;
	size_t dh_cert_len, session_len;
	/* Instead: a session of sevboot's own for the platform's PDH
	 * (PDH_CERT_EXPORT), whose TIK checks LAUNCH_MEASURE. */
	bool self_session;
	/* The stop for the guest owner after LAUNCH_MEASURE; NULL: none.
	 * 0, or -errno with err filled. */
	int (*owner)(void *ctx, const struct sev_owner_request *req,
		     struct sev_owner_reply *rep, char *err, size_t errlen);
	void *owner_ctx;
	uint64_t secret_gpa; /* where a secret goes by default; 0: nowhere */
	uint32_t secret_size;
	/* SNP_LAUNCH_FINISH inputs; NULL: none. */
	const struct sev_snp_finish_args *snp_finish;
	/* The firmware model's kernel-rules layer: the kernel it follows
	 * (NULL: this host's, from uname) and a deliberate break. */
	const struct sev_kernel_profile *kernel;
	enum sev_model_break model_break;
	bool verbose; /* -v: say where a VMSA left the plan (model) */
	/* Asked before every firmware command: nonzero stops the launch
	 * there (sev_run_launch() then fails with -EINTR and "the launch was
	 * stopped before ..."); NULL: never. */
	int (*stop)(void *ctx);
	void *stop_ctx;
	/* Told when the launch ended, well or not (its timings). */
	void (*report)(void *ctx, const struct sev_run *r);
	void *report_ctx;
	/* The run's timeline: the launch's phases, every firmware command,
	 * and the events "measurement", "owner-stop", "finish" (NULL:
	 * none). */
	struct timeline *tl;
};

/* What the machine must do for a launch before the launch can start. */
struct sev_vm_needs {
	unsigned long vm_type; /* KVM_CREATE_VM's type */
	bool pin_memory;       /* REG_REGION every RAM slot (SEV, SEV-ES) */
	bool private_memory;   /* guest_memfd slots, all private, and the
				  guest's conversions (SNP) */
	/*
	 * The firmware model: the three above are what the real VM would
	 * need, but the VM is a plain one (KVM_X86_DEFAULT_VM, ordinary
	 * slots) and the calls that only a real SEV VM takes are handed to
	 * sev_run_vm_call() instead of KVM, so that the model's kernel-rules
	 * layer checks the launch against them.
	 */
	bool record_only;
};

/* A call the machine would make to KVM for a confidential VM, recorded
 * instead (sev_vm_needs.record_only). */
enum sev_vm_call_kind {
	SEV_VM_REG_REGION,     /* KVM_MEMORY_ENCRYPT_REG_REGION hva, size */
	SEV_VM_SLOT,	       /* a memslot gpa, size at hva; private_mem:
				  KVM_SET_USER_MEMORY_REGION2 with a
				  guest_memfd (KVM_MEM_GUEST_MEMFD) */
	SEV_VM_SET_ATTRIBUTES, /* KVM_SET_MEMORY_ATTRIBUTES gpa, size,
				  PRIVATE when private_mem */
	SEV_VM_CREATE_VCPU,    /* KVM_CREATE_VCPU vcpu */
	SEV_VM_SET_REGS,       /* KVM_SET_REGS/SREGS/FPU/... on vcpu */
};

struct sev_vm_call {
	enum sev_vm_call_kind kind;
	uint64_t gpa, size;
	void *hva;
	bool private_mem;
	unsigned vcpu;
};

/*
 * Hand a recorded call to the model's kernel-rules layer: 0, or the
 * -errno the kernel would have answered, with err filled (the call, the
 * errno and the kernel function that refuses it).  0 when r runs on real
 * hardware (nothing is recorded there).
 */
int sev_run_vm_call(struct sev_run *r, const struct sev_vm_call *c, char *err,
		    size_t errlen);

/* A launch for c (c and what it points to must outlive it).  NULL with
 * err filled when out of memory. */
struct sev_run *sev_run_new(const struct sev_run_config *c, char *err,
			    size_t errlen);
void sev_run_free(struct sev_run *r); /* wipes it */
void sev_run_vm_needs(const struct sev_run *r, struct sev_vm_needs *n);

/*
 * Right after KVM_CREATE_VM, before any memory or vCPU: open the
 * transport (/dev/sev or the model) and INIT the VM (KVM_SEV_INIT2, or
 * the legacy INIT).  0, or -errno with err filled.
 */
int sev_run_init(struct sev_run *r, int vm_fd, char *err, size_t errlen);

/*
 * Every vCPU exists and none has run: load their reset state, then
 * LAUNCH_START, the plan's updates, LAUNCH_MEASURE, the check, the guest
 * owner's stop, LAUNCH_SECRET, LAUNCH_FINISH (or the SNP commands).  m
 * must outlive r.  0, or -errno with err filled (-EBADMSG: the
 * measurement differs; the guest must not run).
 */
int sev_run_launch(struct sev_run *r, const struct sev_machine *m, char *err,
		   size_t errlen);

/*
 * During the guest owner's stop: the attestation report of this launch.
 * SEV/SEV-ES: the firmware's ATTESTATION report for mnonce
 * (KVM_SEV_GET_ATTESTATION_REPORT through the launch's transport, on
 * /dev/sev or the model), SEV_MODEL_SEV_REPORT_LEN bytes.  SNP, on the
 * firmware model only (on hardware only the guest can ask): the report
 * for report_data at vmpl, signed by the model's VCEK,
 * SEV_MODEL_SNP_REPORT_LEN bytes.  0, or -errno with err (-EOPNOTSUPP:
 * the model has no identity; SNP on hardware).
 */
int sev_run_attestation_report(struct sev_run *r, const uint8_t mnonce[16],
			       uint8_t report[SEV_MODEL_SEV_REPORT_LEN],
			       char *err, size_t errlen);
int sev_run_snp_report(struct sev_run *r, const uint8_t report_data[64],
		       uint32_t vmpl, uint8_t report[SEV_MODEL_SNP_REPORT_LEN],
		       char *err, size_t errlen);

/* The outcome's records: every firmware command with its timing, as JSON
 * (0, or -EIO on a write error) and as a table for -v. */
int sev_run_timing_json(const struct sev_run *r, FILE *f);
void sev_run_timing_table(const struct sev_run *r, FILE *f);

/* -------------------------------------- the launch of another's VM */

/*
 * The launch of a VM another program made (libsev's C API, lib/): one
 * launch context (sev/launch.c) per VM over the kernel (/dev/sev, opened
 * at INIT) or the firmware model.  Every call returns 0 or -errno and
 * sets *fw_error to the firmware status, or SEV_RET_NO_FW_CALL
 * (0xffffffff) when no firmware command was issued; sev_vm_error() says
 * why in one sentence.  Out-of-order calls are -EPROTO, arguments the
 * kernel or the firmware would refuse -EINVAL.  Not thread-safe: the
 * caller serialises calls on one VM.
 */
struct sev_vm;

struct sev_vm_config {
	bool model; /* the firmware model instead of /dev/sev */
	bool model_pdh; /* model_pdh_key is the model's PDH key (a secret) */
	uint8_t model_pdh_key[48];
	/* The model's identity (sev_model_identity_load): its PDH, chain and
	 * the PEK that signs attestation reports.  sev_vm_new takes it over
	 * when it succeeds (sev_vm_free frees it). */
	struct sev_model_identity *model_identity;
};

/* NULL when out of memory (c->model_identity is then the caller's).  No
 * command is issued. */
struct sev_vm *sev_vm_new(int vm_fd, const struct sev_vm_config *c);
void sev_vm_free(struct sev_vm *v); /* wipes it */
const char *sev_vm_error(const struct sev_vm *v);

/* KVM_SEV_INIT / KVM_SEV_ES_INIT (legacy, on a default VM) or
 * KVM_SEV_INIT2 with vmsa_features (on a VM of the mode's type; SNP
 * always).  Opens the transport first. */
int sev_vm_init(struct sev_vm *v, enum sev_mode mode, bool legacy,
		uint64_t vmsa_features, uint32_t *fw_error);
/* The model only: vcpu_fd is the next vCPU (index order), whose
 * registers the model reads for its VMSA (vmsa_read_vcpu()) at
 * LAUNCH_UPDATE_VMSA / SNP_LAUNCH_FINISH.  0 (nothing to do with the
 * kernel, which knows its vCPUs), or -ENOMEM. */
int sev_vm_add_vcpu(struct sev_vm *v, int vcpu_fd);
/* LAUNCH_START with this policy and the session (cert SEV_CERT_LEN
 * bytes and session SEV_SESSION_LEN bytes, both or neither NULL). */
int sev_vm_launch_start(struct sev_vm *v, uint32_t policy, const void *cert,
			const void *session, uint32_t *fw_error);
int sev_vm_update_data(struct sev_vm *v, void *hva, uint64_t len,
		       uint32_t *fw_error);
int sev_vm_update_vmsa(struct sev_vm *v, uint32_t *fw_error);
/* LAUNCH_MEASURE: MEASURE(32) || MNONCE(16) into out. */
int sev_vm_measure(struct sev_vm *v, uint8_t out[48], uint32_t *fw_error);
/* LAUNCH_SECRET: hdr SEV_PACKET_HDR_LEN bytes, len bytes of secret onto
 * guest_hva. */
int sev_vm_secret(struct sev_vm *v, const void *hdr, const void *secret,
		  uint32_t len, void *guest_hva, uint32_t *fw_error);
int sev_vm_finish(struct sev_vm *v, uint32_t *fw_error);
/* ATTESTATION into buf (*len bytes in, the report's length out); a short
 * buffer is -ENOSPC with *len the length needed. */
int sev_vm_attestation(struct sev_vm *v, const uint8_t mnonce[16], void *buf,
		       uint32_t *len, uint32_t *fw_error);
/* SNP_LAUNCH_START: policy, GOSVW (NULL: zeros), flags. */
int sev_vm_snp_start(struct sev_vm *v, uint64_t policy,
		     const uint8_t gosvw[16], uint16_t flags,
		     uint32_t *fw_error);
/* SNP_LAUNCH_UPDATE of len bytes at guest frame gfn from hva. */
int sev_vm_snp_update(struct sev_vm *v, uint64_t gfn, void *hva, uint64_t len,
		      uint8_t page_type, uint32_t *fw_error);
int sev_vm_snp_finish(struct sev_vm *v, const struct sev_snp_finish_args *a,
		      uint32_t *fw_error);

#endif
