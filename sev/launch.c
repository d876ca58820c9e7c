// SPDX-License-Identifier: MIT
/*
 * sev/launch.c: the launch context and its commands (the KVM transport is
 * sev/kvm.c, the firmware model sev/model/).
 *
 * Every call fills the kernel's own UAPI struct and hands it, with the
 * command id, to a transport: the real one is one ioctl away from the
 * kernel, the firmware model (sev/model/) gets the very same bytes.  So
 * the marshalling tested here with a fake transport is the marshalling
 * that reaches the hardware.
 *
 * The guest state machine is the firmware's (SEV API 55766 §6.1.1, GSTATE;
 * AMD-ASPFW sev_guest.c state_tbl_sev); the extra ordering rules are what
 * KVM enforces or needs (Linux arch/x86/kvm/svm/sev.c).  Refusing early
 * costs nothing and turns "-EINVAL from an ioctl" into a sentence that
 * says which call came too early.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#include "util/util.h"
#include "util/kvm_uapi.h"
#include "sev/launch.h"
#include "sev/sev.h"

#define PAGE_MASK (SEV_PAGE_SIZE - 1)

/* SEV_FEATURES bit 0: SNPActive, which KVM sets itself for SNP VMs and
 * does not accept in kvm_sev_init.vmsa_features. */
#define SEV_FEAT_SNP_ACTIVE (1ULL << 0)

/*
 * How often SNP_LAUNCH_UPDATE may come back without having consumed a
 * page before we stop.  The kernel returns early when it is interrupted
 * or a page is busy; a few hundred calls without progress is a kernel (or
 * model) that will never finish, and looping forever would hang the boot.
 */
#define SNP_UPDATE_MAX_STALLS 256

/* ---------------------------------------------------------------- names */

const char *sev_guest_state_name(uint32_t state)
{
	switch (state) {
	case SEV_GUEST_UNINIT:
		return "UNINIT";
	case SEV_GUEST_LUPDATE:
		return "LUPDATE";
	case SEV_GUEST_LSECRET:
		return "LSECRET";
	case SEV_GUEST_RUNNING:
		return "RUNNING";
	}
	return "an unknown state";
}

/* The firmware's own names for SNP (INIT, LAUNCH, RUNNING), so that a
 * sentence about an SNP guest does not mention SEV-only states. */
static const char *state_name(const struct sev_launch *l)
{
	if (l->mode == SEV_MODE_SNP) {
		switch (l->state) {
		case SEV_GUEST_UNINIT:
			return "INIT";
		case SEV_GUEST_LUPDATE:
			return "LAUNCH";
		default:
			break;
		}
	}
	return sev_guest_state_name(l->state);
}

static const char *snp_page_type_name(uint8_t type)
{
	switch (type) {
	case SNP_PAGE_NORMAL:
		return "NORMAL";
	case SNP_PAGE_VMSA:
		return "VMSA";
	case SNP_PAGE_ZERO:
		return "ZERO";
	case SNP_PAGE_UNMEASURED:
		return "UNMEASURED";
	case SNP_PAGE_SECRETS:
		return "SECRETS";
	case SNP_PAGE_CPUID:
		return "CPUID";
	}
	return "INVALID";
}

/* --------------------------------------------------------------- errors */

static void __attribute__((format(printf, 2, 3)))
launch_err(struct sev_launch *l, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(l->err, sizeof(l->err), fmt, ap);
	va_end(ap);
}

/* "<cmd> refused: ..." for a call that is out of order: -EPROTO. */
#define refuse(l, cmd, fmt, ...)                                               \
	(launch_err((l), "%s refused: " fmt, (cmd), ##__VA_ARGS__), -EPROTO)

/* "<cmd> ...": arguments or mode the kernel would reject: -EINVAL. */
#define invalid(l, cmd, fmt, ...)                                              \
	(launch_err((l), "%s: " fmt, (cmd), ##__VA_ARGS__), -EINVAL)

/* The one sentence of a failed command: what, errno, firmware status. */
static void command_failed(struct sev_launch *l, const char *desc, int ret,
			   uint32_t fw_error)
{
	const char *why = l->transport.ops->why
				  ? l->transport.ops->why(l->transport.ctx)
				  : NULL;
	const char *hint;
	char fw[96];

	if (l->stopped) {
		launch_err(l, "the launch was stopped before %s", desc);
		return;
	}
	if (!why)
		why = "";
	/* SNP_LAUNCH_UPDATE's -EIO with the firmware never failing is the
	 * kernel's: kvm_gmem_populate() could not take the pages (Linux
	 * arch/x86/kvm/svm/sev.c snp_launch_update()). */
	if (ret == -EIO && fw_error == SEV_RET_SUCCESS &&
	    !strncmp(desc, "SNP_LAUNCH_UPDATE", 17)) {
		launch_err(l,
			   "%s failed: the kernel failed to populate guest "
			   "memory (Input/output error with no firmware "
			   "error: %s)",
			   desc,
			   *why ? why
				: "are the pages private, in a guest_memfd "
				  "slot, and not populated before?");
		return;
	}

	/* sev_status_format says "unknown firmware status 0x.." itself for
	 * a code without a name. */
	sev_status_format(fw_error, fw, sizeof(fw));
	hint = ret == -EIO ? sev_status_hint(desc, fw_error) : NULL;
	launch_err(l, "%s failed: %s, %s%s%s%s%s%s%s", desc, strerror(-ret),
		   sev_status_name(fw_error) ? "firmware status " : "", fw,
		   *why ? " (" : "", why, *why ? ")" : "", hint ? ": " : "",
		   hint ? hint : "");
}

/* "<cmd> at 0x<gpa> (<len> bytes[, page type T][, what])" */
static void describe_range(char *buf, size_t len, const char *cmd, uint64_t gpa,
			   uint64_t bytes, int page_type, const char *what)
{
	int n = snprintf(buf, len, "%s at 0x%" PRIx64 " (%" PRIu64 " bytes",
			 cmd, gpa, bytes);

	if (n < 0 || (size_t)n >= len)
		return;
	if (page_type >= 0)
		n += snprintf(buf + n, len - (size_t)n, ", page type %s",
			      snp_page_type_name((uint8_t)page_type));
	if (n < 0 || (size_t)n >= len)
		return;
	if (what)
		n += snprintf(buf + n, len - (size_t)n, ", %s", what);
	if (n < 0 || (size_t)n >= len)
		return;
	snprintf(buf + n, len - (size_t)n, ")");
}

/* ---------------------------------------------------------------- timing */

/*
 * The record for a command about to be issued.  When the array is full the
 * command still runs (a launch must not fail for want of a statistic); it
 * is timed into scratch and counted as dropped.
 */
static struct sev_launch_timing *timing_begin(struct sev_launch *l,
					      struct sev_launch_timing *scratch,
					      const char *step,
					      const char *what, bool has_gpa,
					      uint64_t gpa, uint64_t bytes)
{
	struct sev_launch_timing *t = scratch;

	if (l->ntimings < SEV_LAUNCH_MAX_TIMINGS)
		t = &l->timings[l->ntimings++];
	else
		l->timings_dropped++;
	*t = (struct sev_launch_timing){
		.step = step,
		.what = what,
		.has_gpa = has_gpa,
		.gpa = gpa,
		.bytes = bytes,
		.fw_error = SB_SEV_RET_NO_FW_CALL_U32,
		.tl = l->tl,
	};
	t->tl_id = tl_begin(l->tl, TL_FIRMWARE, step, what);
	tl_set_bytes(l->tl, t->tl_id, bytes);
	clock_gettime(CLOCK_MONOTONIC, &t->start);
	t->end = t->start;
	return t;
}

static void timing_end(struct sev_launch_timing *t)
{
	const char *name = sev_status_name(t->fw_error);
	char code[16];

	clock_gettime(CLOCK_MONOTONIC, &t->end);
	if (!name) {
		snprintf(code, sizeof(code), "0x%02x", t->fw_error);
		name = code;
	}
	tl_set_result(t->tl, t->tl_id, t->ret, name);
	tl_end(t->tl, t->tl_id);
}

/* Is the launch to stop before the next command?  A firmware command can
 * take long on real hardware (a 4 MiB LAUNCH_UPDATE_DATA, a long
 * SNP_LAUNCH_UPDATE loop), so Ctrl-C and SIGTERM are looked at before
 * each one. */
static bool stop_now(struct sev_launch *l)
{
	if (!l->stopped && l->stop && l->stop(l->stop_ctx))
		l->stopped = true;
	return l->stopped;
}

/* One ioctl through the transport, accounted in t; none when the launch
 * is to stop (-EINTR). */
static int issue(struct sev_launch *l, struct sev_launch_timing *t, uint32_t id,
		 void *data)
{
	uint32_t fw_error = SB_SEV_RET_NO_FW_CALL_U32;
	int ret = -EINTR;

	if (!stop_now(l)) {
		ret = l->transport.ops->vm_cmd(l->transport.ctx, id, data,
					       &fw_error);
		t->ioctls++;
	}
	/* The contract is 0 or -errno; anything else is a broken transport,
	 * and must not read as success. */
	if (ret > 0)
		ret = -EIO;
	t->ret = ret;
	t->fw_error = fw_error;
	l->last_ret = ret;
	l->last_fw_error = fw_error;
	return ret;
}

/* A command in one ioctl: issued, its timing closed, and on failure the
 * one sentence, naming desc. */
static int issue_step(struct sev_launch *l, struct sev_launch_timing *t,
		      uint32_t id, void *data, const char *desc)
{
	int ret = issue(l, t, id, data);

	timing_end(t);
	if (ret)
		command_failed(l, desc, ret, t->fw_error);
	return ret;
}

/* issue_step() for a command with no guest range and no bytes to count. */
static int issue_cmd(struct sev_launch *l, const char *cmd, uint32_t id,
		     void *data, const char *desc)
{
	struct sev_launch_timing scratch;

	return issue_step(l, timing_begin(l, &scratch, cmd, NULL, false, 0, 0),
			  id, data, desc);
}

/* -------------------------------------------------------------- context */

/* The policy's rules for the mode (no command is issued). */
static int check_policy(struct sev_launch *l, uint64_t policy)
{
	switch (l->mode) {
	case SEV_MODE_SEV:
	case SEV_MODE_SEV_ES:
		if (policy > UINT32_MAX) {
			launch_err(l,
				   "SEV policy 0x%" PRIx64
				   " does not fit the 32 bits of a SEV policy",
				   policy);
			return -EINVAL;
		}
		/* The firmware makes the guest SEV-ES from this bit, KVM
		 * from the VM type: they must agree or the launch fails
		 * late (UNSUPPORTED at UPDATE_VMSA, or a guest KVM runs
		 * as plain SEV while the firmware expects a VMSA). */
		if (l->mode == SEV_MODE_SEV_ES && !(policy & SEV_POLICY_ES)) {
			launch_err(l,
				   "SEV-ES needs policy bit 2 (ES); policy "
				   "0x%" PRIx64 " lacks it",
				   policy);
			return -EINVAL;
		}
		if (l->mode == SEV_MODE_SEV && (policy & SEV_POLICY_ES)) {
			launch_err(l,
				   "policy 0x%" PRIx64
				   " has bit 2 (ES) set, which makes an "
				   "SEV-ES guest, but the mode is SEV",
				   policy);
			return -EINVAL;
		}
		return 0;
	case SEV_MODE_SNP: {
		/* What every kernel demands; the host's own rules are
		 * checked before the launch (sev_snp_policy_rules()). */
		const struct snp_policy_rules any = { .valid = UINT64_MAX };

		if (sev_snp_policy_check(policy, &any, l->err,
					 sizeof(l->err)))
			return -EINVAL;
		return 0;
	}
	}
	launch_err(l, "unknown SEV mode %d", (int)l->mode);
	return -EINVAL;
}

int sevl_setup(struct sev_launch *l, enum sev_mode mode, uint64_t policy,
		     struct sev_transport t)
{
	memset(l, 0, sizeof(*l));
	l->mode = mode;
	l->policy = policy;
	l->state = SEV_GUEST_UNINIT;
	l->transport = t;
	l->last_fw_error = SB_SEV_RET_NO_FW_CALL_U32;

	if (!t.ops || !t.ops->vm_cmd) {
		launch_err(l, "the launch has no transport to the firmware");
		return -EINVAL;
	}
	return check_policy(l, policy);
}

int sevl_set_policy(struct sev_launch *l, uint64_t policy)
{
	int ret;

	if (l->state != SEV_GUEST_UNINIT)
		return refuse(l, "the policy",
			      "LAUNCH_START has already been issued (the guest "
			      "is in state %s)",
			      state_name(l));
	ret = check_policy(l, policy);
	if (!ret)
		l->policy = policy;
	return ret;
}

int sevl_set_session(struct sev_launch *l, const void *dh_cert,
			   size_t dh_cert_len, const void *session,
			   size_t session_len)
{
	static const char cmd[] = "the LAUNCH_START session";

	if (l->mode == SEV_MODE_SNP)
		return invalid(l, cmd,
			       "SNP has no LAUNCH_START session (its secrets "
			       "travel through attestation)");
	if (l->state != SEV_GUEST_UNINIT)
		return refuse(l, cmd,
			      "LAUNCH_START has already been issued (the guest "
			      "is in state %s)",
			      state_name(l));
	if (!dh_cert != !dh_cert_len || !session != !session_len)
		return invalid(l, cmd,
			       "a buffer and its length must go "
			       "together");
	if (!dh_cert != !session)
		return invalid(l, cmd,
			       "the GODH certificate and the session blob go "
			       "together: give both or neither");
	/* Anything else is INVALID_LENGTH (AMD-ASPFW sev_mcmd.c
	 * sev_mcmd_launch_start()). */
	if (dh_cert && dh_cert_len != SEV_CERT_LEN)
		return invalid(
			l, cmd,
			"the GODH certificate is %zu bytes; the firmware "
			"takes exactly %u",
			dh_cert_len, SEV_CERT_LEN);
	if (session && session_len != SEV_SESSION_LEN)
		return invalid(l, cmd,
			       "the session blob is %zu bytes; the firmware "
			       "takes exactly %u",
			       session_len, SEV_SESSION_LEN);
	l->dh_cert = dh_cert;
	l->dh_cert_len = (uint32_t)dh_cert_len;
	l->session = session;
	l->session_len = (uint32_t)session_len;
	return 0;
}

const char *sevl_error(const struct sev_launch *l)
{
	return l->err;
}

/* The mode checks every command shares: SNP VMs refuse ids below 100
 * (-EPERM), SEV VMs know nothing of the SNP ones. */
static int need_sev(struct sev_launch *l, const char *cmd)
{
	if (l->mode == SEV_MODE_SNP)
		return invalid(l, cmd,
			       "this is a SEV/SEV-ES command and the guest is "
			       "SNP");
	return 0;
}

static int need_snp(struct sev_launch *l, const char *cmd)
{
	if (l->mode != SEV_MODE_SNP)
		return invalid(l, cmd,
			       "this is an SNP command and the guest "
			       "is %s",
			       l->mode == SEV_MODE_SEV ? "SEV" : "SEV-ES");
	return 0;
}

static int need_state(struct sev_launch *l, const char *cmd,
		      enum sev_guest_state want, const char *how)
{
	const char *need = sev_guest_state_name(want);

	if (l->state == want)
		return 0;
	if (l->mode == SEV_MODE_SNP && want == SEV_GUEST_LUPDATE)
		need = "LAUNCH"; /* the SNP firmware's name */
	return refuse(l, cmd, "the guest is in state %s and this needs %s; %s",
		      state_name(l), need, how);
}

/* The mode's command (SNP or not) in state want. */
static int need_cmd(struct sev_launch *l, const char *cmd, bool snp,
		    enum sev_guest_state want, const char *how)
{
	int ret = snp ? need_snp(l, cmd) : need_sev(l, cmd);

	return ret ? ret : need_state(l, cmd, want, how);
}

/* LAUNCH_START and SNP_LAUNCH_START: the mode's, after the VM's init,
 * once. */
static int need_start(struct sev_launch *l, const char *cmd, bool snp,
		      const char *how)
{
	int ret = snp ? need_snp(l, cmd) : need_sev(l, cmd);

	if (!ret && !l->vm_initialized)
		ret = refuse(l, cmd,
			     "the VM is not %s guest yet; sevl_vm_init "
			     "(KVM_SEV_INIT2) comes first",
			     snp ? "an SNP" : "a SEV");
	return ret ? ret : need_state(l, cmd, SEV_GUEST_UNINIT, how);
}

/* ------------------------------------------------------------- commands */

int sevl_vm_init(struct sev_launch *l, bool legacy,
		       uint64_t vmsa_features)
{
	const char *cmd =
		legacy ? (l->mode == SEV_MODE_SEV_ES ? "ES_INIT" : "INIT")
		       : "INIT2";
	struct kvm_sev_init init;
	uint32_t id;
	void *data = NULL;
	char desc[64];
	int ret;

	if (l->vm_initialized || l->state != SEV_GUEST_UNINIT)
		return refuse(l, cmd, "the VM is already initialized for %s",
			      sev_mode_name(l->mode));
	if (legacy && l->mode == SEV_MODE_SNP)
		return invalid(l, cmd,
			       "SNP guests exist only with KVM_SEV_INIT2 "
			       "(Linux 6.11+), not the legacy KVM_SEV_INIT");
	if (legacy && vmsa_features)
		return invalid(
			l, cmd,
			"the legacy KVM_SEV_INIT/KVM_SEV_ES_INIT take no "
			"VMSA features (0x%" PRIx64 " given)",
			vmsa_features);
	if (l->mode == SEV_MODE_SEV && vmsa_features)
		return invalid(l, cmd,
			       "a SEV guest has no VMSA, so its VMSA features "
			       "must be 0 (0x%" PRIx64 " given)",
			       vmsa_features);

	if (legacy) {
		id = l->mode == SEV_MODE_SEV_ES ? KVM_SEV_ES_INIT
						: KVM_SEV_INIT;
	} else {
		id = KVM_SEV_INIT2;
		/* flags and ghcb_version 0: KVM's default GHCB protocol (2
		 * for SEV-ES/SNP), as QEMU passes; KVM refuses non-zero
		 * pads. */
		memset(&init, 0, sizeof(init));
		init.vmsa_features =
			l->mode == SEV_MODE_SNP
				? vmsa_features & ~SEV_FEAT_SNP_ACTIVE
				: vmsa_features;
		data = &init;
	}

	snprintf(desc, sizeof(desc), "%s for %s", cmd, sev_mode_name(l->mode));
	ret = issue_cmd(l, cmd, id, data, desc);
	if (ret)
		return ret;
	l->vm_initialized = true;
	return 0;
}

int sevl_pdh_export(struct sev_launch *l, uint8_t pdh[SEV_CERT_LEN])
{
	static const char cmd[] = "PDH_CERT_EXPORT";
	struct sev_user_data_pdh_cert_export e;
	struct sev_launch_timing scratch, *t;
	uint8_t *chain;
	int ret;

	if (l->mode == SEV_MODE_SNP)
		return invalid(l, cmd, "an SNP launch has no session");
	if (!l->transport.ops->platform_cmd) {
		launch_err(l, "%s: this transport has no platform commands",
			   cmd);
		return -EOPNOTSUPP;
	}
	chain = calloc(3, SEV_CERT_LEN);
	if (!chain) {
		launch_err(l, "%s: out of memory", cmd);
		return -ENOMEM;
	}
	memset(&e, 0, sizeof(e));
	e.pdh_cert_address = (__u64)(uintptr_t)pdh;
	e.pdh_cert_len = SEV_CERT_LEN;
	e.cert_chain_address = (__u64)(uintptr_t)chain;
	e.cert_chain_len = 3 * SEV_CERT_LEN;
	t = timing_begin(l, &scratch, cmd, NULL, false, 0, SEV_CERT_LEN);
	t->fw_error = SB_SEV_RET_NO_FW_CALL_U32;
	ret = -EINTR;
	if (!stop_now(l)) {
		ret = l->transport.ops->platform_cmd(l->transport.ctx,
						     SEV_PDH_CERT_EXPORT, &e,
						     &t->fw_error);
		t->ioctls = 1;
	}
	if (ret > 0)
		ret = -EIO; /* the contract is 0 or -errno */
	timing_end(t);
	t->ret = l->last_ret = ret;
	l->last_fw_error = t->fw_error;
	free(chain);
	if (ret)
		command_failed(l, ret == -EPERM
					  ? "PDH_CERT_EXPORT (the platform is "
					    "not initialised, and /dev/sev is "
					    "open read-only)"
					  : cmd,
			       ret, t->fw_error);
	else if (e.pdh_cert_len != SEV_CERT_LEN) {
		launch_err(l, "%s returned a %u-byte PDH certificate, not %d",
			   cmd, e.pdh_cert_len, SEV_CERT_LEN);
		ret = -EPROTO;
	}
	return ret;
}

int sevl_start(struct sev_launch *l)
{
	static const char cmd[] = "LAUNCH_START";
	struct kvm_sev_launch_start start;
	char desc[96];
	int ret;

	ret = need_start(l, cmd, false, "there is one LAUNCH_START per guest");
	if (ret)
		return ret;

	memset(&start, 0, sizeof(start));
	/* 0: a new VEK; else share that guest's (same policy, no NOKS). */
	start.handle = l->share_handle;
	start.policy = (__u32)l->policy;
	start.dh_uaddr = (__u64)(uintptr_t)l->dh_cert;
	start.dh_len = l->dh_cert_len;
	start.session_uaddr = (__u64)(uintptr_t)l->session;
	start.session_len = l->session_len;

	snprintf(desc, sizeof(desc), "LAUNCH_START with policy 0x%x%s%s",
		 start.policy, l->dh_cert ? " and a session" : "",
		 l->share_handle ? " sharing a guest's key" : "");
	ret = issue_cmd(l, cmd, KVM_SEV_LAUNCH_START, &start, desc);
	if (ret)
		return ret;
	l->handle = start.handle;
	l->state = SEV_GUEST_LUPDATE;
	return 0;
}

static int update_data(struct sev_launch *l, uint64_t gpa, void *hva,
		       size_t len, const char *what)
{
	static const char cmd[] = "LAUNCH_UPDATE_DATA";
	struct sev_launch_timing scratch, *t;
	struct kvm_sev_launch_update_data upd;
	char desc[160];
	int ret;

	describe_range(desc, sizeof(desc), cmd, gpa, len, -1, what);
	ret = need_cmd(l, cmd, false, SEV_GUEST_LUPDATE,
		       "it goes between LAUNCH_START and LAUNCH_MEASURE");
	/* After UPDATE_VMSA the VMSAs are in the digest, and the plan (and
	 * every guest owner's tool) puts them last: QEMU's
	 * sev_launch_get_measure() issues it just before LAUNCH_MEASURE. */
	if (!ret && l->vmsa_done)
		ret = refuse(l, cmd,
			     "LAUNCH_UPDATE_VMSA has been issued, and the "
			     "VMSAs are the last thing measured");
	if (ret)
		return ret;
	/* The firmware's rule (INVALID_ADDRESS / INVALID_LENGTH). */
	if (!hva || !len || ((uintptr_t)hva & 0xf) || (len & 0xf))
		return invalid(l, desc,
			       "the host address %p and the length must be "
			       "non-zero multiples of 16",
			       hva);
	if (len > UINT32_MAX)
		return invalid(l, desc,
			       "KVM takes at most 4 GiB - 1 per command");

	memset(&upd, 0, sizeof(upd));
	upd.uaddr = (__u64)(uintptr_t)hva;
	upd.len = (__u32)len;

	t = timing_begin(l, &scratch, cmd, what, true, gpa, len);
	return issue_step(l, t, KVM_SEV_LAUNCH_UPDATE_DATA, &upd, desc);
}

int sevl_update_data(struct sev_launch *l, uint64_t gpa, void *hva,
			   size_t len)
{
	return update_data(l, gpa, hva, len, NULL);
}

static int update_vmsa(struct sev_launch *l, unsigned ncpus, const char *what)
{
	static const char cmd[] = "LAUNCH_UPDATE_VMSA";
	struct sev_launch_timing scratch, *t;
	char desc[96];
	int ret;

	ret = need_sev(l, cmd);
	if (!ret && l->mode != SEV_MODE_SEV_ES)
		ret = invalid(l, cmd,
			      "only SEV-ES guests have a VMSA to "
			      "measure");
	if (!ret)
		ret = need_state(l, cmd, SEV_GUEST_LUPDATE,
				 "it goes after the last LAUNCH_UPDATE_DATA "
				 "and before LAUNCH_MEASURE");
	/* KVM does every vCPU in one go; a second one would find them all
	 * protected already. */
	if (!ret && l->vmsa_done)
		ret = refuse(l, cmd,
			     "it has been issued already, and it covers every "
			     "vCPU at once");
	if (ret)
		return ret;

	snprintf(desc, sizeof(desc), "LAUNCH_UPDATE_VMSA of %u vCPU%s", ncpus,
		 ncpus == 1 ? "" : "s");
	/* KVM ignores kvm_sev_cmd.data for this command. */
	t = timing_begin(l, &scratch, cmd, what, false, 0,
			 (uint64_t)ncpus * VMSA_SIZE);
	ret = issue_step(l, t, KVM_SEV_LAUNCH_UPDATE_VMSA, NULL, desc);
	if (ret)
		return ret;
	l->vmsa_done = true;
	return 0;
}

int sevl_update_vmsa(struct sev_launch *l, unsigned ncpus)
{
	return update_vmsa(l, ncpus, NULL);
}

int sevl_measure(struct sev_launch *l)
{
	static const char cmd[] = "LAUNCH_MEASURE";
	uint8_t blob[SEV_LAUNCH_MEASURE_LEN];
	struct sev_launch_timing scratch, *t;
	struct kvm_sev_launch_measure m;
	int ret;

	ret = need_cmd(l, cmd, false, SEV_GUEST_LUPDATE,
		       "it ends the updates, once");
	if (!ret && l->mode == SEV_MODE_SEV_ES && !l->vmsa_done)
		ret = refuse(l, cmd,
			     "LAUNCH_UPDATE_VMSA has not been issued, so the "
			     "vCPUs' VMSAs would be neither measured nor "
			     "encrypted");
	if (ret)
		return ret;

	t = timing_begin(l, &scratch, cmd, NULL, false, 0,
			 SEV_LAUNCH_MEASURE_LEN);

	/*
	 * The length query: the kernel passes len 0 to the firmware, which
	 * answers INVALID_LEN with the length it needs, and KVM copies that
	 * length back even though the ioctl fails (Linux
	 * arch/x86/kvm/svm/sev.c sev_launch_measure()).  So success here is a
	 * length, whatever the return value says.
	 */
	memset(&m, 0, sizeof(m));
	ret = issue(l, t, KVM_SEV_LAUNCH_MEASURE, &m);
	if (m.len == 0) {
		timing_end(t);
		if (!ret) {
			t->ret = l->last_ret = -EPROTO;
			launch_err(l, "LAUNCH_MEASURE length query returned "
				      "length 0 and no error");
			return -EPROTO;
		}
		command_failed(l, "LAUNCH_MEASURE length query", ret,
			       t->fw_error);
		return ret;
	}
	/* The layout sevboot (and every guest owner's tool) knows is
	 * MEASURE(32) || MNONCE(16) (SEV API 55766 §6.5.2, Table 52). */
	if (m.len != SEV_LAUNCH_MEASURE_LEN) {
		timing_end(t);
		t->ret = l->last_ret = -EPROTO;
		launch_err(l,
			   "LAUNCH_MEASURE: the firmware wants a %u-byte "
			   "buffer; sevboot knows only the %d-byte "
			   "measurement and mnonce",
			   m.len, SEV_LAUNCH_MEASURE_LEN);
		return -EPROTO;
	}

	memset(blob, 0, sizeof(blob));
	memset(&m, 0, sizeof(m));
	m.uaddr = (__u64)(uintptr_t)blob;
	m.len = sizeof(blob);
	ret = issue(l, t, KVM_SEV_LAUNCH_MEASURE, &m);
	timing_end(t);
	if (ret) {
		command_failed(l, "LAUNCH_MEASURE", ret, t->fw_error);
		return ret;
	}
	memcpy(l->launch_measure, blob, sizeof(blob));
	memcpy(l->measurement, blob, sizeof(l->measurement));
	memcpy(l->mnonce, blob + sizeof(l->measurement), sizeof(l->mnonce));
	l->have_measurement = true;
	l->state = SEV_GUEST_LSECRET;
	return 0;
}

int sevl_secret(struct sev_launch *l, const void *hdr, size_t hdr_len,
		      const void *secret, size_t secret_len, uint64_t gpa,
		      void *guest_hva)
{
	static const char cmd[] = "LAUNCH_SECRET";
	struct sev_launch_timing scratch, *t;
	struct kvm_sev_launch_secret s;
	char desc[160];
	int ret;

	/* Lengths and the address only: the secret is never printed. */
	describe_range(desc, sizeof(desc), cmd, gpa, secret_len, -1, NULL);
	ret = need_cmd(l, cmd, false, SEV_GUEST_LSECRET,
		       "it goes between LAUNCH_MEASURE and LAUNCH_FINISH");
	if (ret)
		return ret;
	if (!hdr || hdr_len != SEV_PACKET_HDR_LEN)
		return invalid(l, desc,
			       "the packet header must be %u bytes (%zu given)",
			       SEV_PACKET_HDR_LEN, hdr ? hdr_len : 0);
	if (!secret || !secret_len || secret_len > UINT32_MAX)
		return invalid(l, desc,
			       "the secret must be 1 byte to 4 GiB "
			       "- 1");
	if (!guest_hva)
		return invalid(l, desc, "the guest address is not guest RAM");

	/* QEMU's shape (target/i386/sev.c sev_inject_launch_secret()): the
	 * secret lands on as many guest bytes as it has. */
	memset(&s, 0, sizeof(s));
	s.hdr_uaddr = (__u64)(uintptr_t)hdr;
	s.hdr_len = (__u32)hdr_len;
	s.guest_uaddr = (__u64)(uintptr_t)guest_hva;
	s.guest_len = (__u32)secret_len;
	s.trans_uaddr = (__u64)(uintptr_t)secret;
	s.trans_len = (__u32)secret_len;

	t = timing_begin(l, &scratch, cmd, NULL, true, gpa, secret_len);
	return issue_step(l, t, KVM_SEV_LAUNCH_SECRET, &s, desc);
}

int sevl_finish(struct sev_launch *l)
{
	static const char cmd[] = "LAUNCH_FINISH";
	int ret;

	ret = need_cmd(l, cmd, false, SEV_GUEST_LSECRET,
		       "LAUNCH_MEASURE comes first");
	/* KVM ignores kvm_sev_cmd.data for this command. */
	if (!ret)
		ret = issue_cmd(l, cmd, KVM_SEV_LAUNCH_FINISH, NULL, cmd);
	if (ret)
		return ret;
	l->state = SEV_GUEST_RUNNING;
	return 0;
}

int sevl_guest_status(struct sev_launch *l, struct sev_guest_info *out)
{
	static const char cmd[] = "GUEST_STATUS";
	struct kvm_sev_guest_status st;
	int ret;

	ret = need_sev(l, cmd);
	if (!ret && l->state == SEV_GUEST_UNINIT)
		ret = refuse(l, cmd, "there is no guest before LAUNCH_START");
	if (ret)
		return ret;

	memset(&st, 0, sizeof(st));
	ret = issue_cmd(l, cmd, KVM_SEV_GUEST_STATUS, &st, cmd);
	if (ret)
		return ret;
	if (out)
		*out = (struct sev_guest_info){
			.handle = st.handle,
			.policy = st.policy,
			.state = st.state,
		};
	if (st.handle != l->handle || st.policy != (uint32_t)l->policy ||
	    st.state != (uint32_t)l->state) {
		launch_err(l,
			   "GUEST_STATUS: the firmware reports handle %u, "
			   "policy 0x%x, state %s; sevboot launched handle %u, "
			   "policy 0x%x and expected state %s",
			   st.handle, st.policy, sev_guest_state_name(st.state),
			   l->handle, (uint32_t)l->policy, state_name(l));
		return -EPROTO;
	}
	return 0;
}

/* One KVM_SEV_GET_ATTESTATION_REPORT: len 0 asks for the length. */
static int attestation_cmd(struct sev_launch *l, struct sev_launch_timing *t,
			   const uint8_t mnonce[16], void *buf, uint32_t *len)
{
	struct kvm_sev_attestation_report a;
	int ret;

	memset(&a, 0, sizeof(a));
	memcpy(a.mnonce, mnonce, sizeof(a.mnonce));
	a.uaddr = (__u64)(uintptr_t)buf;
	a.len = *len;
	ret = issue(l, t, KVM_SEV_GET_ATTESTATION_REPORT, &a);
	*len = a.len;
	return ret;
}

int sevl_attestation(struct sev_launch *l, const uint8_t mnonce[16], void *buf,
		     uint32_t *len)
{
	static const char cmd[] = "ATTESTATION";
	struct sev_launch_timing scratch, *t;
	uint32_t need = 0;
	int ret;

	ret = need_sev(l, cmd);
	/* The firmware's allowed states (SEV API 55766 ATTESTATION):
	 * LSECRET and RUNNING for a launched guest. */
	if (!ret && l->state != SEV_GUEST_LSECRET &&
	    l->state != SEV_GUEST_RUNNING)
		ret = refuse(l, cmd,
			     "the guest is in state %s; the report exists "
			     "after LAUNCH_MEASURE",
			     state_name(l));
	if (ret)
		return ret;
	t = timing_begin(l, &scratch, cmd, NULL, false, 0, *len);
	/* The length query, as for LAUNCH_MEASURE: the firmware answers
	 * INVALID_LENGTH with the length, which KVM copies back (Linux
	 * arch/x86/kvm/svm/sev.c sev_get_attestation_report()). */
	ret = attestation_cmd(l, t, mnonce, NULL, &need);
	if (!need) {
		timing_end(t);
		command_failed(l, "ATTESTATION length query", ret ? ret : -EIO,
			       t->fw_error);
		return ret ? ret : -EIO;
	}
	if (!buf || *len < need) {
		timing_end(t);
		launch_err(l,
			   "ATTESTATION: the report is %u bytes and the "
			   "buffer holds %u",
			   need, buf ? *len : 0);
		*len = need;
		return -ENOSPC;
	}
	*len = need;
	ret = attestation_cmd(l, t, mnonce, buf, len);
	timing_end(t);
	if (ret)
		command_failed(l, cmd, ret, t->fw_error);
	return ret;
}

int sevl_attestation_report(struct sev_launch *l, const uint8_t mnonce[16],
			    uint8_t report[SEV_ATTESTATION_REPORT_LEN])
{
	uint32_t len = SEV_ATTESTATION_REPORT_LEN;
	int ret = sevl_attestation(l, mnonce, report, &len);

	if (ret == -ENOSPC || (!ret && len != SEV_ATTESTATION_REPORT_LEN)) {
		launch_err(l,
			   "ATTESTATION: the firmware's report is %u bytes; "
			   "sevboot knows only the %d-byte report (SEV API "
			   "55766 ATTESTATION)",
			   len, SEV_ATTESTATION_REPORT_LEN);
		return -EPROTO;
	}
	return ret;
}

int sevl_snp_start(struct sev_launch *l)
{
	static const char cmd[] = "SNP_LAUNCH_START";
	struct kvm_sev_snp_launch_start start;
	char desc[80];
	int ret;

	ret = need_start(l, cmd, true,
			 "KVM allows one SNP_LAUNCH_START per VM");
	if (ret)
		return ret;

	/* gosvw zero unless set: no guest OS visible workarounds, as QEMU's
	 * default. */
	memset(&start, 0, sizeof(start));
	start.policy = l->policy;
	_Static_assert(sizeof(start.gosvw) == sizeof(l->snp_gosvw),
		       "GOSVW is 16 bytes on both sides");
	memcpy(start.gosvw, l->snp_gosvw, sizeof(start.gosvw));
	start.flags = l->snp_start_flags;

	snprintf(desc, sizeof(desc), "SNP_LAUNCH_START with policy 0x%" PRIx64,
		 l->policy);
	ret = issue_cmd(l, cmd, KVM_SEV_SNP_LAUNCH_START, &start, desc);
	if (ret)
		return ret;
	l->state = SEV_GUEST_LUPDATE;
	return 0;
}

static bool snp_type_from_userspace(uint8_t type)
{
	return type == SNP_PAGE_NORMAL || type == SNP_PAGE_ZERO ||
	       type == SNP_PAGE_UNMEASURED || type == SNP_PAGE_SECRETS ||
	       type == SNP_PAGE_CPUID;
}

/* What KVM left to do must be the tail of the range, or the next call
 * would measure the wrong pages or copy the wrong bytes. */
static bool snp_progress_ok(const struct kvm_sev_snp_launch_update *upd,
			    uint64_t before, uint64_t gpa, const void *hva,
			    size_t len)
{
	uint64_t done = len - upd->len;

	return upd->len <= before && !(upd->len & PAGE_MASK) &&
	       upd->gfn_start == (gpa + done) >> 12 &&
	       (upd->type == SNP_PAGE_ZERO ||
		upd->uaddr == (uintptr_t)hva + done);
}

static int snp_update(struct sev_launch *l, uint64_t gpa, void *hva, size_t len,
		      uint8_t type, const char *what)
{
	static const char cmd[] = "SNP_LAUNCH_UPDATE";
	struct sev_launch_timing scratch, *t;
	struct kvm_sev_snp_launch_update upd;
	unsigned stalls = 0;
	char desc[160];
	int ret;

	describe_range(desc, sizeof(desc), cmd, gpa, len, type, what);
	ret = need_cmd(l, cmd, true, SEV_GUEST_LUPDATE,
		       "it goes between SNP_LAUNCH_START and "
		       "SNP_LAUNCH_FINISH");
	if (ret)
		return ret;
	if (!snp_type_from_userspace(type))
		return invalid(l, desc,
			       "KVM accepts page types NORMAL, ZERO, "
			       "UNMEASURED, SECRETS and CPUID (it measures "
			       "the VMSAs itself in SNP_LAUNCH_FINISH)");
	if (!len || (len & PAGE_MASK) || (gpa & PAGE_MASK))
		return invalid(l, desc,
			       "the address and length must be whole, "
			       "non-empty 4 KiB pages");
	if (!hva && type != SNP_PAGE_ZERO)
		return invalid(l, desc, "a %s page needs its source bytes",
			       snp_page_type_name(type));

	memset(&upd, 0, sizeof(upd));
	upd.gfn_start = gpa >> 12;
	upd.uaddr = (__u64)(uintptr_t)hva;
	upd.len = len;
	upd.type = type;

	t = timing_begin(l, &scratch, cmd, what, true, gpa, len);
	/*
	 * KVM populates page by page and may stop early: it then advances
	 * gfn_start, uaddr and len by what it did and returns 0 (Linux
	 * arch/x86/kvm/svm/sev.c snp_launch_update()), and the struct as it
	 * stands is the rest of the work.  Every error is final: the kernel
	 * turns each kvm_gmem_populate() failure into -EIO, so a retry on
	 * -EAGAIN or -EINTR (as QEMU's sev_snp_launch_update() has) would
	 * never run.
	 */
	for (;;) {
		uint64_t before = upd.len;

		ret = issue(l, t, KVM_SEV_SNP_LAUNCH_UPDATE, &upd);
		if (ret)
			break;
		if (!snp_progress_ok(&upd, before, gpa, hva, len)) {
			timing_end(t);
			t->ret = l->last_ret = -EPROTO;
			launch_err(l,
				   "%s: the kernel reported impossible "
				   "progress (gfn 0x%llx, 0x%llx bytes left "
				   "of 0x%zx)",
				   desc, (unsigned long long)upd.gfn_start,
				   (unsigned long long)upd.len, len);
			return -EPROTO;
		}
		if (!upd.len) {
			timing_end(t);
			return 0;
		}
		stalls = upd.len < before ? 0 : stalls + 1;
		if (stalls >= SNP_UPDATE_MAX_STALLS) {
			timing_end(t);
			launch_err(l,
				   "%s made no progress: %u calls in a row "
				   "left 0x%llx of 0x%zx bytes to do; giving "
				   "up",
				   desc, stalls, (unsigned long long)upd.len,
				   len);
			t->ret = l->last_ret = -EIO;
			return -EIO;
		}
	}
	timing_end(t);
	if (upd.len != len) {
		char part[224];
		int n = snprintf(part, sizeof(part), "%s", desc);

		/* Which page failed matters for CPUID/SECRETS debugging. */
		if (n > 0 && (size_t)n < sizeof(part))
			snprintf(part + n, sizeof(part) - (size_t)n,
				 " after 0x%llx bytes",
				 (unsigned long long)(len - upd.len));
		command_failed(l, part, ret, t->fw_error);
	} else {
		command_failed(l, desc, ret, t->fw_error);
	}
	return ret;
}

int sevl_snp_update(struct sev_launch *l, uint64_t gpa, void *hva,
			  size_t len, uint8_t page_type)
{
	return snp_update(l, gpa, hva, len, page_type, NULL);
}

int sevl_snp_finish(struct sev_launch *l,
			  const struct sev_snp_finish_args *a)
{
	static const char cmd[] = "SNP_LAUNCH_FINISH";
	static const struct sev_snp_finish_args none;
	struct kvm_sev_snp_launch_finish fin;
	int ret;

	if (!a)
		a = &none;
	ret = need_cmd(l, cmd, true, SEV_GUEST_LUPDATE,
		       "SNP_LAUNCH_START comes first, and FINISH once");
	if (ret)
		return ret;
	/* KVM copies both when the ID block is enabled. */
	if (!a->id_block != !a->id_auth)
		return invalid(l, cmd,
			       "the ID block and its authentication structure "
			       "go together");
	if (a->auth_key_en && !a->id_block)
		return invalid(l, cmd,
			       "an author key is part of the ID block's "
			       "authentication, and there is no ID block");

	memset(&fin, 0, sizeof(fin));
	fin.id_block_uaddr = (__u64)(uintptr_t)a->id_block;
	fin.id_auth_uaddr = (__u64)(uintptr_t)a->id_auth;
	fin.id_block_en = a->id_block ? 1 : 0;
	fin.auth_key_en = a->auth_key_en ? 1 : 0;
	fin.vcek_disabled = a->vcek_disabled ? 1 : 0;
	_Static_assert(sizeof(fin.host_data) == sizeof(a->host_data),
		       "host_data is 32 bytes on both sides");
	memcpy(fin.host_data, a->host_data, sizeof(fin.host_data));

	ret = issue_cmd(l, cmd, KVM_SEV_SNP_LAUNCH_FINISH, &fin,
			a->id_block ? "SNP_LAUNCH_FINISH with an ID block"
				    : cmd);
	if (ret)
		return ret;
	l->state = SEV_GUEST_RUNNING;
	return 0;
}

/* ------------------------------------------------------------- the plan */

/* The step's guest range in host memory, holding the plan's bytes. */
/* Print which CPUID entries the firmware changed (function.index:
 * register old -> new), as a user needs to see what was refused. */
static void report_cpuid_fix(const uint8_t *before, const uint8_t *after)
{
	uint32_t n = after[0] | after[1] << 8 | after[2] << 16 |
		     (uint32_t)after[3] << 24;
	static const char *const reg[] = { "eax", "ebx", "ecx", "edx" };

	if (n > 64)
		n = 64;
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *a = before + 16 + 48 * i,
			      *b = after + 16 + 48 * i;

		for (unsigned r = 0; r < 4; r++) {
			uint32_t va, vb;

			memcpy(&va, a + 0x18 + 4 * r, 4);
			memcpy(&vb, b + 0x18 + 4 * r, 4);
			if (va != vb)
				fprintf(stderr,
					"sevboot: the firmware corrected CPUID "
					"0x%x.%u %s: 0x%08x -> 0x%08x\n",
					b[0] | b[1] << 8 | b[2] << 16 |
						(uint32_t)b[3] << 24,
					b[4] | b[5] << 8, reg[r], va, vb);
		}
	}
}

/*
 * The CPUID page: when the firmware refuses values (INVALID_PARAM) it
 * writes its corrected table back, and KVM copies that into the source
 * page.  Retry once with it, saying what changed; a second refusal is
 * final.
 */
static int snp_update_cpuid(struct sev_launch *l, uint64_t gpa, uint8_t *page,
			    const char *what)
{
	uint8_t before[4096];
	int ret;

	memcpy(before, page, sizeof(before));
	ret = snp_update(l, gpa, page, 4096, SNP_PAGE_CPUID, what);
	if (ret != -EIO || l->last_fw_error != SEV_RET_INVALID_PARAM ||
	    !memcmp(before, page, sizeof(before)))
		return ret;
	report_cpuid_fix(before, page);
	fprintf(stderr, "sevboot: retrying SNP_LAUNCH_UPDATE of the CPUID "
			"page with the firmware's table\n");
	return snp_update(l, gpa, page, 4096, SNP_PAGE_CPUID, what);
}

static uint8_t *plan_place(struct sev_launch *l, const struct launch_step *s,
			   unsigned k,
			   uint8_t *(*hva)(void *, uint64_t, uint64_t),
			   void *hva_ctx)
{
	uint8_t *dst = hva(hva_ctx, s->gpa, s->len);

	if (!dst) {
		launch_err(l,
			   "plan step %u (%s at 0x%" PRIx64 ", %zu bytes) is "
			   "not in guest RAM",
			   k, s->what ? s->what : "?", s->gpa, s->len);
		return NULL;
	}
	/* memcmp first: most bytes are already there (the firmware), and a
	 * read does not dirty file-backed or lazily mapped guest RAM. */
	if (s->bytes && dst != s->bytes) {
		int id = tl_begin(l->tl, TL_PHASE, "plan place", s->what);

		if (memcmp(dst, s->bytes, s->len))
			memcpy(dst, s->bytes, s->len);
		tl_end(l->tl, id);
	}
	return dst;
}

int sevl_walk_plan(struct sev_launch *l, const struct launch_plan *p,
			 uint8_t *(*hva)(void *ctx, uint64_t gpa, uint64_t len),
			 void *hva_ctx)
{
	static const char cmd[] = "the launch plan";

	if (!p || !hva)
		return invalid(l, cmd, "no plan or no guest memory");
	if (p->mode != l->mode)
		return invalid(l, cmd, "it is for %s and the guest is %s",
			       sev_mode_name(p->mode), sev_mode_name(l->mode));
	if (l->state != SEV_GUEST_LUPDATE)
		return refuse(l, cmd,
			      "the guest is in state %s; the plan's updates go "
			      "between %s and the measurement",
			      state_name(l),
			      l->mode == SEV_MODE_SNP ? "SNP_LAUNCH_START"
						      : "LAUNCH_START");

	for (unsigned k = 0; k < p->nsteps; k++) {
		const struct launch_step *s = &p->steps[k];
		unsigned n;
		uint8_t *dst;
		int ret;

		switch (s->kind) {
		case STEP_UPDATE_DATA:
			dst = plan_place(l, s, k, hva, hva_ctx);
			if (!dst)
				return -EFAULT;
			ret = update_data(l, s->gpa, dst, s->len, s->what);
			break;
		case STEP_UPDATE_VMSA:
			/* KVM measures the VMSAs of all vCPUs in index order
			 * in one command; the plan lists them that way. */
			for (n = 0; k + n < p->nsteps &&
				    p->steps[k + n].kind == STEP_UPDATE_VMSA;
			     n++) {
				if (p->steps[k + n].vcpu != (int)n)
					return invalid(
						l, cmd,
						"VMSA step %u is for vCPU %d, "
						"but KVM measures vCPU %u "
						"there",
						k + n, p->steps[k + n].vcpu, n);
			}
			ret = update_vmsa(l, n, s->what);
			k += n - 1;
			break;
		case STEP_SNP_UPDATE:
			dst = plan_place(l, s, k, hva, hva_ctx);
			if (!dst)
				return -EFAULT;
			if (s->page_type == SNP_PAGE_CPUID && s->len == 4096)
				ret = snp_update_cpuid(l, s->gpa, dst, s->what);
			else
				ret = snp_update(l, s->gpa, dst, s->len,
						 s->page_type, s->what);
			break;
		case STEP_SNP_VMSA:
			/* Measured by KVM inside SNP_LAUNCH_FINISH. */
			continue;
		default:
			return invalid(l, cmd, "step %u has unknown kind %d", k,
				       (int)s->kind);
		}
		if (ret)
			return ret;
	}
	return 0;
}

/* --------------------------------------------------------------- output */

static uint64_t ts_ns(const struct timespec *t)
{
	return (uint64_t)t->tv_sec * 1000000000ULL + (uint64_t)t->tv_nsec;
}

static uint64_t duration_ns(const struct sev_launch_timing *t)
{
	uint64_t s = ts_ns(&t->start), e = ts_ns(&t->end);

	return e > s ? e - s : 0;
}

/* A JSON string.  Our strings are constants, but the plan's "what" comes
 * from a firmware image's section names: never trust it to be clean. */
static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void json_fw_status(FILE *f, uint32_t code)
{
	const char *name = sev_status_name(code);
	char buf[32];

	if (!name) {
		snprintf(buf, sizeof(buf), "0x%02x", code);
		name = buf;
	}
	json_string(f, name);
}

int sevl_timing_json(const struct sev_launch *l, FILE *f)
{
	fputs("{\"mode\":", f);
	json_string(f, sev_mode_name(l->mode));
	fputs(",\"steps\":[", f);
	for (unsigned k = 0; k < l->ntimings; k++) {
		const struct sev_launch_timing *t = &l->timings[k];

		fputs(k ? ",{\"step\":" : "{\"step\":", f);
		json_string(f, t->step);
		if (t->what) {
			fputs(",\"what\":", f);
			json_string(f, t->what);
		}
		if (t->has_gpa)
			fprintf(f, ",\"gpa\":%" PRIu64, t->gpa);
		fprintf(f,
			",\"bytes\":%" PRIu64 ",\"start_ns\":%" PRIu64
			",\"end_ns\":%" PRIu64 ",\"duration_ns\":%" PRIu64
			",\"ret\":%d,\"fw_status\":",
			t->bytes, ts_ns(&t->start), ts_ns(&t->end),
			duration_ns(t), t->ret);
		json_fw_status(f, t->fw_error);
		fprintf(f, ",\"ioctls\":%u}", t->ioctls);
	}
	fputs("]", f);
	if (l->timings_dropped)
		fprintf(f, ",\"dropped\":%u", l->timings_dropped);
	fputs("}\n", f);
	return ferror(f) ? -EIO : 0;
}

void sevl_timing_table(const struct sev_launch *l, FILE *f)
{
	uint64_t total_ns = 0, total_bytes = 0;

	fprintf(f, "%s launch, %u firmware command%s:\n",
		sev_mode_name(l->mode), l->ntimings,
		l->ntimings == 1 ? "" : "s");
	fprintf(f, "  %-20s %-16s %12s %10s %10s  %s\n", "step", "what",
		"bytes", "ms", "MB/s", "result");
	for (unsigned k = 0; k < l->ntimings; k++) {
		const struct sev_launch_timing *t = &l->timings[k];
		uint64_t ns = duration_ns(t);
		char rate[24], result[96];

		/* MB/s only where a rate means something. */
		if (t->bytes && ns)
			snprintf(rate, sizeof(rate), "%.1f",
				 (double)t->bytes * 1e3 / (double)ns);
		else
			snprintf(rate, sizeof(rate), "-");
		if (t->ret)
			snprintf(result, sizeof(result), "%s, %s",
				 strerror(-t->ret),
				 sev_status_name(t->fw_error)
					 ? sev_status_name(t->fw_error)
					 : "unknown firmware status");
		else
			snprintf(result, sizeof(result), "ok");
		fprintf(f, "  %-20s %-16.16s %12" PRIu64 " %10.3f %10s  %s\n",
			t->step, t->what ? t->what : "-", t->bytes,
			(double)ns / 1e6, rate, result);
		total_ns += ns;
		total_bytes += t->bytes;
	}
	fprintf(f, "  %-20s %-16s %12" PRIu64 " %10.3f\n", "total", "",
		total_bytes, (double)total_ns / 1e6);
	if (l->timings_dropped)
		fprintf(f, "  (%u more commands were not recorded)\n",
			l->timings_dropped);
}

void sevl_print_measurement(const struct sev_launch *l, FILE *f)
{
	char b64[4 * ((SEV_LAUNCH_MEASURE_LEN + 2) / 3) + 1];

	if (!l->have_measurement)
		return;
	base64_encode(l->launch_measure, SEV_LAUNCH_MEASURE_LEN, b64);
	fprintf(f, "sevboot: launch measurement (base64): %s\n", b64);
	fprintf(f, "sevboot: launch measurement (hex): ");
	for (size_t i = 0; i < SEV_LAUNCH_MEASURE_LEN; i++)
		fprintf(f, "%02x", l->launch_measure[i]);
	fputc('\n', f);
}
