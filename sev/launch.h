/* SPDX-License-Identifier: MIT */
/*
 * sev/launch.h (private to sev/): the launch context, the one object that
 * talks to the AMD Secure Processor about a guest, and its transports.
 * The launch sequence (sev/run.c) drives it; nothing outside sev/ sees it.
 *
 * A struct sev_launch issues the KVM_MEMORY_ENCRYPT_OP commands of a
 * launch, one call per command, through a transport; it tracks the
 * firmware's guest state machine so that a call out of order is refused
 * with a sentence before it reaches the kernel, and it times every command
 * it issues.  It never touches vCPUs, memslots or memory attributes: those
 * are the machine's (vmm/), and the order the two must follow is in the
 * comments below.
 *
 * Nothing here holds a TEK or TIK.  The guest owner's launch secret is
 * passed through to the transport by pointer and never copied, printed or
 * logged.
 */
#ifndef SEVBOOT_SEV_LAUNCH_PRIV_H
#define SEVBOOT_SEV_LAUNCH_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "sev/sev.h"

/* ------------------------------------------------------------ transport */

struct sev_model;

/*
 * The boundary is the ioctl: vm_cmd receives exactly what
 * KVM_MEMORY_ENCRYPT_OP would, the command id (enum sev_cmd_id:
 * KVM_SEV_LAUNCH_START, ...) and a pointer to the kernel's own UAPI struct
 * for it (struct kvm_sev_launch_start, ...; NULL for commands without
 * one), and it may write that struct back as the kernel does (the handle,
 * the measurement length, SNP progress).  It returns 0 or -errno and
 * stores the firmware status (SEV_RET_*) in *fw_error.  The caller presets
 * *fw_error to SEV_RET_NO_FW_CALL (0xffffffff), which is what stays there
 * when the command never reached the firmware.
 */
struct sev_transport_ops {
	int (*vm_cmd)(void *ctx, uint32_t id, void *data, uint32_t *fw_error);
	/* A /dev/sev platform command (SEV_ISSUE_CMD: SEV_PDH_CERT_EXPORT,
	 * ...) with the kernel's struct for it; the same contract. */
	int (*platform_cmd)(void *ctx, uint32_t cmd, void *data,
			    uint32_t *fw_error);
	/* Optional: why the last vm_cmd failed, when the transport knows
	 * more than the errno (the kernel-rules layer names the kernel's
	 * check); NULL or "" otherwise. */
	const char *(*why)(void *ctx);
};

struct sev_transport {
	const struct sev_transport_ops *ops;
	void *ctx;
};

/* The real transport's state: the VM and an open /dev/sev, whose fd the
 * kernel wants in every command (kvm_sev_cmd.sev_fd). */
struct sev_kvm_transport {
	int vm_fd;
	int sev_fd;
};

/*
 * The real transport: ioctl(vm_fd, KVM_MEMORY_ENCRYPT_OP) with
 * struct kvm_sev_cmd {id, data, sev_fd}.  k is filled and becomes the
 * transport's context, so it must outlive every call made through it.
 */
struct sev_transport sev_transport_kvm(struct sev_kvm_transport *k, int vm_fd,
				       int sev_fd);

/* Open /dev/sev and make the real transport for vm_fd (k as above).
 * 0, or -errno with err filled. */
int sev_kvm_transport_open(struct sev_kvm_transport *k, int vm_fd,
			   struct sev_transport *t, char *err, size_t errlen);
/* Close its /dev/sev (nothing when none is open). */
void sev_kvm_transport_close(struct sev_kvm_transport *k);

/* The firmware model's transport (struct sev_model, below): the same
 * vm_cmd calls, answered in software.  m must outlive its use. */
struct sev_transport sev_transport_model(struct sev_model *m);

/* ------------------------------------------------ the kernel's rules */

/*
 * sev/model/kernel.c: a transport in front of the firmware model that
 * checks, for every KVM_MEMORY_ENCRYPT_OP, what the kernel checks before
 * it calls the firmware (Linux arch/x86/kvm/svm/sev.c sev_mem_enc_ioctl()
 * and the functions it dispatches to; virt/kvm/guest_memfd.c
 * kvm_gmem_populate()), and answers with the kernel's errno, so a launch
 * that would fail on real hardware fails on the model too.  It follows
 * one kernel (struct sev_kernel_profile): on one without KVM_SEV_INIT2 or
 * SNP those commands do not exist.  What the machine would have asked of
 * KVM besides the launch commands (REG_REGION, guest_memfd slots, memory
 * attributes, vCPUs, register writes) reaches it through
 * sev_kernel_vm_call() (sev_run_vm_call()).
 */
struct sev_kernel;

struct sev_kernel_config {
	struct sev_kernel_profile profile;
	/* KVM_CREATE_VM's type sevboot would have used on real hardware. */
	unsigned long vm_type;
	struct sev_transport inner; /* the firmware model's transport */
	enum sev_model_break brk;
};

/* NULL with err filled: out of memory, or a VM type the profile's
 * kernel does not have (KVM_CREATE_VM would fail with -EINVAL). */
struct sev_kernel *sev_kernel_new(const struct sev_kernel_config *c,
				  char *err, size_t errlen);
void sev_kernel_free(struct sev_kernel *k);
/* The layer as a transport; k must outlive its use. */
struct sev_transport sev_transport_kernel(struct sev_kernel *k);
/* A recorded machine call (struct sev_vm_call): 0 or the kernel's -errno,
 * with the reason kept for sev_kernel_why(). */
int sev_kernel_vm_call(struct sev_kernel *k, const struct sev_vm_call *c);
/* The sentence of the last refusal ("" when none). */
const char *sev_kernel_why(const struct sev_kernel *k);

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
	/* Its identity (sev_model_identity_load), which it borrows: the
	 * PDH (pdh_private is then ignored), PDH_CERT_EXPORT's chain, the
	 * PEK and VCEK that sign attestation reports.  NULL: no chain, and
	 * no attestation report. */
	const struct sev_model_identity *identity;
	/* The platform's view (sevboot platform): the identity, which the
	 * model then changes for PDH_GEN, PEK_GEN and FACTORY_RESET (the
	 * caller writes it back, sev_model_identity_store).  Set, it
	 * stands for identity. */
	struct sev_model_identity *platform_identity;
};

/* NULL with err filled when OpenSSL cannot make the keys. */
struct sev_model *sev_model_new(const struct sev_model_config *c, char *err,
				size_t errlen);
void sev_model_free(struct sev_model *m); /* wipes its keys */
/*
 * Forget the VM: its guest, keys, digests and KVM's view of it are wiped
 * and the model is again as sev_model_new made it, with the same
 * configuration and the same platform (PDH key and certificate, identity;
 * a PDH_GEN since is kept).  What a new VM on the same machine meets; a
 * fuzz harness drives many launches through one model this way.
 */
void sev_model_reset(struct sev_model *m);
/* The model's PDH certificate (SEV_CERT_LEN bytes), for a guest owner's session. */
int sev_model_pdh_cert(struct sev_model *m, uint8_t cert[SEV_CERT_LEN]);
/*
 * SNP: the attestation report the firmware would return to the guest's
 * MSG_REPORT_REQ (SNP ABI 56860 ATTESTATION_REPORT, MSG_REPORT_REQ), for
 * report_data and vmpl, from the launch (after SNP_LAUNCH_FINISH), signed
 * by the identity's VCEK.  -EOPNOTSUPP without an identity, -EPROTO before
 * SNP_LAUNCH_FINISH, -EINVAL for a VMPL above 3, -ENOMEM.
 */
int sev_model_snp_report(struct sev_model *m, const uint8_t report_data[64],
			 uint32_t vmpl, uint8_t report[SEV_MODEL_SNP_REPORT_LEN]);
/* SNP: the launch digest the model folded so far (48 bytes); SEV/SEV-ES:
 * GCTX.LD once LAUNCH_MEASURE finalised it (32 bytes).  -ENODATA before. */
int sev_model_launch_digest(struct sev_model *m, uint8_t *out, size_t len);

/* ------------------------------------------------------- launch context */

/*
 * The firmware's guest state (SEV API 55766 §6.1.1; AMD-ASPFW sev_guest.h
 * sev_guest_state_t), with the firmware's values, so that GUEST_STATUS
 * answers compare directly.  An SNP guest goes INIT -> LAUNCH -> RUNNING;
 * it is kept here as UNINIT -> LUPDATE -> RUNNING (SNP has no LSECRET).
 */
enum sev_guest_state {
	SEV_GUEST_UNINIT = 0,
	SEV_GUEST_LUPDATE = 1,
	SEV_GUEST_LSECRET = 2,
	SEV_GUEST_RUNNING = 3,
};

/* "UNINIT", "LUPDATE", "LSECRET", "RUNNING"; "state N" for others. */
const char *sev_guest_state_name(uint32_t state);

#define SEV_LAUNCH_MEASURE_LEN 48 /* MEASURE(32) || MNONCE(16) */

/* One issued firmware command (a refused call issues none). */
struct sev_launch_timing {
	const char *step; /* "LAUNCH_START", "SNP_LAUNCH_UPDATE", ... */
	const char *what; /* the plan step's "firmware", ...; or NULL */
	bool has_gpa;	  /* memory commands: gpa is where */
	uint64_t gpa;
	uint64_t bytes;		    /* guest bytes the command covered */
	struct timespec start, end; /* CLOCK_MONOTONIC */
	int ret;		    /* 0 or -errno of the last ioctl */
	uint32_t fw_error;	    /* its firmware status */
	unsigned ioctls; /* LAUNCH_MEASURE: 2; SNP updates: 1 + retries */
	struct timeline *tl; /* the run's timeline, where it is a phase */
	int tl_id;
};

/* Room for one record per step of the largest plan, plus the commands
 * around it (INIT, START, MEASURE, SECRET, FINISH, a few statuses). */
#define SEV_LAUNCH_MAX_TIMINGS (LAUNCH_MAX_STEPS + 16)

struct sev_launch {
	enum sev_mode mode;
	uint64_t policy; /* SEV/SEV-ES: 32 bits (checked); SNP: 64 bits */
	uint32_t handle; /* SEV/SEV-ES: the firmware's, from LAUNCH_START */
	/* SEV/SEV-ES: LAUNCH_START's input handle: 0 asks for a new key;
	 * another guest's handle shares its key (QEMU's handle=, --handle).
	 * Set before sevl_start(). */
	uint32_t share_handle;
	/* SNP_LAUNCH_START's guest OS visible workarounds and flags
	 * (kvm_sev_snp_launch_start.gosvw, .flags); zero unless set before
	 * sevl_snp_start() (libsev's snp_launch_start() sets them). */
	uint8_t snp_gosvw[16];
	uint16_t snp_start_flags;
	enum sev_guest_state state;
	bool vm_initialized; /* KVM_SEV_INIT2 (or legacy INIT) succeeded */
	bool vmsa_done;	     /* SEV-ES: LAUNCH_UPDATE_VMSA succeeded */

	/* Session inputs of LAUNCH_START (SEV/SEV-ES), both or neither:
	 * the guest owner's GODH certificate and session blob.  Borrowed,
	 * not copied: they must live until LAUNCH_START. */
	const uint8_t *dh_cert;
	uint32_t dh_cert_len;
	const uint8_t *session;
	uint32_t session_len;

	/* LAUNCH_MEASURE (SEV/SEV-ES): the firmware's 48 bytes, and split. */
	bool have_measurement;
	uint8_t launch_measure[SEV_LAUNCH_MEASURE_LEN];
	uint8_t measurement[32]; /* HMAC-SHA256(TIK, ...) */
	uint8_t mnonce[16];

	struct sev_transport transport;

	/* Asked before every firmware command: nonzero stops the launch
	 * there, the command not issued (-EINTR, "the launch was stopped
	 * before ..."; cli/run.c answers from its stop signals).  NULL:
	 * never.  Set after sevl_setup(). */
	int (*stop)(void *ctx);
	void *stop_ctx;
	bool stopped; /* a command was held back by it */

	/* The last command's result, for callers that act on a status
	 * (e.g. SEV_RET_INVALID_PARAM on an SNP CPUID page). */
	int last_ret;
	uint32_t last_fw_error;

	/* The run's timeline: each command is a firmware phase on it too
	 * (NULL: none).  Set after sevl_setup(). */
	struct timeline *tl;
	unsigned ntimings;
	unsigned timings_dropped; /* issued after the array was full */
	struct sev_launch_timing timings[SEV_LAUNCH_MAX_TIMINGS];

	/* The last failure or refusal, one sentence; "" when none. */
	char err[512];
};

/*
 * Start a launch context (no command is issued).  policy is the SEV policy
 * (32 bits; bit 2, ES, must match the mode) or the SNP policy (bit 17
 * must be 1).  0, or -EINVAL with the sentence in l->err.
 */
int sevl_setup(struct sev_launch *l, enum sev_mode mode, uint64_t policy,
		     struct sev_transport t);

/*
 * Before LAUNCH_START / SNP_LAUNCH_START: change the policy the context
 * was set up with (libsev learns it only at sev_launch_start()), under the
 * same rules as sevl_setup().  0; -EINVAL (l->policy unchanged); -EPROTO
 * after the start.
 */
int sevl_set_policy(struct sev_launch *l, uint64_t policy);

/*
 * SEV/SEV-ES, before LAUNCH_START: the guest owner's GODH certificate
 * (0x824 bytes) and session blob (0x80 bytes), both or neither (NULL, 0).
 * Without them the firmware uses all-zero TEK/TIK (no secret channel).
 */
int sevl_set_session(struct sev_launch *l, const void *dh_cert,
			   size_t dh_cert_len, const void *session,
			   size_t session_len);

/* The last failure or refusal, "" when none. */
const char *sevl_error(const struct sev_launch *l);

/*
 * Every call below issues one firmware command through the transport (or
 * refuses with no command issued), records its timing, and returns 0 or a
 * negative errno with one sentence in l->err:
 *   -EPROTO  the call is out of order for the guest state;
 *   -EINVAL  wrong mode or arguments the kernel would refuse;
 *   other    the transport's -errno; the sentence names the command, the
 *            errno and the firmware status by its SEV_RET_ name.
 * A failed command leaves the state as it was (the firmware does not
 * advance on failure); the VM should then be torn down.
 */

/*
 * KVM_SEV_INIT2 with vmsa_features (0 for SEV; for SNP the SNPActive bit 0
 * is dropped, KVM adds it itself, so plan->vmsa.sev_features can be passed
 * as is), or with legacy set KVM_SEV_INIT / KVM_SEV_ES_INIT (no features;
 * not for SNP).  Must come before any KVM_CREATE_VCPU and, for SEV/SEV-ES,
 * before KVM_MEMORY_ENCRYPT_REG_REGION.
 */
int sevl_vm_init(struct sev_launch *l, bool legacy,
		       uint64_t vmsa_features);

/*
 * SEV_PDH_CERT_EXPORT on /dev/sev (a platform command, any state): the
 * platform's PDH certificate, for a session of sevboot's own
 * (--self-session).  The certificate chain is read too (the firmware
 * wants room for it) but not returned.
 */
int sevl_pdh_export(struct sev_launch *l, uint8_t pdh[SEV_CERT_LEN]);

/* KVM_SEV_LAUNCH_START: policy, handle 0 (a new key), the session inputs;
 * stores the firmware's handle.  UNINIT -> LUPDATE. */
int sevl_start(struct sev_launch *l);

/*
 * KVM_SEV_LAUNCH_UPDATE_DATA on len bytes at hva, the host mapping of
 * guest RAM at gpa (KVM encrypts in place, so hva must be the memslot's
 * own memory; gpa only names the step).  hva and len 16-byte aligned.
 */
int sevl_update_data(struct sev_launch *l, uint64_t gpa, void *hva,
			   size_t len);

/*
 * SEV-ES: KVM_SEV_LAUNCH_UPDATE_VMSA.  One command: KVM encrypts and
 * measures the VMSA of every vCPU that exists, in vCPU index order, from
 * the registers the machine loaded.  ncpus (how many there are) is for
 * the timing record only.  After the last UPDATE_DATA; at most once.
 */
int sevl_update_vmsa(struct sev_launch *l, unsigned ncpus);

/*
 * KVM_SEV_LAUNCH_MEASURE, as the kernel's ABI works: once with len 0 to
 * learn the length, then with a 48-byte buffer.  Stores launch_measure,
 * measurement and mnonce.  LUPDATE -> LSECRET (SEV-ES: after UPDATE_VMSA).
 */
int sevl_measure(struct sev_launch *l);

/*
 * KVM_SEV_LAUNCH_SECRET: the 52-byte packet header and the encrypted
 * secret, injected at guest_hva, the host mapping of gpa (gpa names the
 * step).  Neither is copied or printed.  Only in LSECRET; may repeat.
 */
int sevl_secret(struct sev_launch *l, const void *hdr, size_t hdr_len,
		      const void *secret, size_t secret_len, uint64_t gpa,
		      void *guest_hva);

/* KVM_SEV_LAUNCH_FINISH.  LSECRET -> RUNNING: the vCPUs may run. */
int sevl_finish(struct sev_launch *l);

/* What KVM_SEV_GUEST_STATUS answered. */
struct sev_guest_info {
	uint32_t handle;
	uint32_t policy;
	uint32_t state; /* enum sev_guest_state */
};

/*
 * KVM_SEV_GUEST_STATUS (SEV/SEV-ES, after LAUNCH_START).  out (may be
 * NULL) gets the answer; -EPROTO when it disagrees with the handle, policy
 * or state this context tracks.
 */
int sevl_guest_status(struct sev_launch *l, struct sev_guest_info *out);

/*
 * KVM_SEV_GET_ATTESTATION_REPORT (SEV/SEV-ES, from LAUNCH_MEASURE on):
 * the firmware's report with mnonce in it, into buf (*len bytes).  First
 * the length query; a buf shorter than the report is -ENOSPC with *len
 * set to the length needed (fw status: the query's INVALID_LENGTH).  On
 * success *len is the report's length.
 */
int sevl_attestation(struct sev_launch *l, const uint8_t mnonce[16], void *buf,
		     uint32_t *len);

/*
 * sevl_attestation() for the 208-byte report for mnonce:
 * MNONCE, the launch digest, the policy, signed by the platform's PEK (SEV
 * API 55766 ATTESTATION).  -EPROTO for a length sevboot does not know.
 */
#define SEV_ATTESTATION_REPORT_LEN 0xd0
int sevl_attestation_report(struct sev_launch *l, const uint8_t mnonce[16],
			    uint8_t report[SEV_ATTESTATION_REPORT_LEN]);

/* KVM_SEV_SNP_LAUNCH_START: the policy, l->snp_gosvw, l->snp_start_flags.
 * UNINIT -> LUPDATE (the firmware's LAUNCH). */
int sevl_snp_start(struct sev_launch *l);

/*
 * KVM_SEV_SNP_LAUNCH_UPDATE of len bytes at gpa (page aligned), page_type
 * an enum snp_page_type other than VMSA (KVM measures the VMSAs itself),
 * copied by KVM from hva (ignored, may be NULL, for ZERO pages).  KVM
 * processes the range in pieces and reports what is left, so this call
 * reissues the command while bytes remain or the kernel says -EAGAIN/
 * -EINTR, and gives up with -EIO when it stops making progress.  The
 * range must be private (KVM_SET_MEMORY_ATTRIBUTES) beforehand.
 */
int sevl_snp_update(struct sev_launch *l, uint64_t gpa, void *hva,
			  size_t len, uint8_t page_type);

/*
 * KVM_SEV_SNP_LAUNCH_FINISH (a may be NULL).  KVM first measures the VMSA
 * of every existing vCPU, so all vCPUs must exist with their final
 * initial state.  LUPDATE -> RUNNING.
 */
int sevl_snp_finish(struct sev_launch *l,
			  const struct sev_snp_finish_args *a);

/*
 * Issue the plan's steps in order, so that the launcher and `sevboot
 * measure` use the very same plan.  For every memory step hva(hva_ctx,
 * gpa, len) gives the host mapping of the step's guest range (NULL: not
 * guest RAM -> -EFAULT); the plan's bytes are copied there first when they
 * differ (the hashes table, ...), so what the firmware measures is what
 * the plan predicted.  Pages the plan measures as zeros (ZERO, SECRETS,
 * CPUID) are left as the machine filled them (the CPUID table!).  A run of
 * UPDATE_VMSA steps is one LAUNCH_UPDATE_VMSA (KVM does all vCPUs at
 * once); STEP_SNP_VMSA steps are not commands (KVM measures the VMSAs in
 * SNP_LAUNCH_FINISH) and are skipped.  Needs state LUPDATE: call after
 * sevl_start() / sevl_snp_start(), before MEASURE/FINISH.
 */
int sevl_walk_plan(struct sev_launch *l, const struct launch_plan *p,
			 uint8_t *(*hva)(void *ctx, uint64_t gpa, uint64_t len),
			 void *hva_ctx);

/*
 * The timings as JSON: {"mode":"sev","steps":[{"step":"LAUNCH_START",
 * "bytes":0,"start_ns":...,"end_ns":...,"duration_ns":...,"ret":0,
 * "fw_status":"SEV_RET_SUCCESS",...},...]} with CLOCK_MONOTONIC values;
 * memory steps add "what" and "gpa", every step "ioctls".  0, or -EIO
 * when f reports a write error.
 */
int sevl_timing_json(const struct sev_launch *l, FILE *f);

/* After LAUNCH_MEASURE: the 48 bytes as QMP's query-sev-launch-measure
 * gives them (base64), and in hex, one "sevboot: " line each. */
void sevl_print_measurement(const struct sev_launch *l, FILE *f);

/* A human table (step, what, bytes, ms, MB/s) for -v. */
void sevl_timing_table(const struct sev_launch *l, FILE *f);

#endif
