// SPDX-License-Identifier: MIT
/*
 * sev/run.c: the launch sequence.  One function per flavour drives the
 * whole flow, top to bottom, the way the kernel's SEV selftest launch does
 * (tools/testing/selftests/kvm/lib/x86/sev.c, sev_vm_launch() and
 * snp_vm_launch()): reset state, START, the plan's updates, MEASURE, the
 * check, the guest owner's stop, SECRET, FINISH.  It reaches the machine
 * only through struct sev_machine, the firmware only through the launch
 * context (sev/launch.c) and its transport.
 *
 * The order is the kernel's (arch/x86/kvm/svm/sev.c): INIT before any
 * vCPU exists (sev_guest_init() refuses once vCPUs are created), every
 * vCPU loaded with the plan's reset state before its VMSA is measured
 * (sev_es_sync_vmsa() builds the VMSA from the registers), the
 * measurement checked before the secret and FINISH, and no vCPU runs
 * before FINISH.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include <openssl/crypto.h>

#include "sev/launch.h"
#include "sev/sev.h"
#include "util/kvm_uapi.h"
#include "util/util.h"

struct sev_run {
	const struct sev_run_config *c;
	const struct sev_machine *m; /* from sev_run_launch() on */
	struct sev_launch launch;
	struct sev_model *model;
	struct sev_kernel *kernel; /* the model's kernel-rules layer */
	struct sev_kvm_transport kvm;
	bool initialized;
	/* --self-session: sevboot's own session and its keys (secrets,
	 * wiped once the measurement is checked). */
	bool have_tk;
	struct sev_tk tk;
	uint8_t godh[SEV_CERT_LEN], session[SEV_SESSION_LEN];
};

struct sev_run *sev_run_new(const struct sev_run_config *c, char *err,
			    size_t errlen)
{
	struct sev_run *r = calloc(1, sizeof(*r));

	if (!r) {
		set_err(err, errlen, "out of memory");
		return NULL;
	}
	r->c = c;
	r->kvm.sev_fd = -1;
	return r;
}

void sev_run_free(struct sev_run *r)
{
	if (!r)
		return;
	sev_kernel_free(r->kernel);
	if (r->model)
		sev_model_free(r->model);
	sev_kvm_transport_close(&r->kvm);
	OPENSSL_cleanse(r, sizeof(*r));
	free(r);
}

void sev_run_vm_needs(const struct sev_run *r, struct sev_vm_needs *n)
{
	const struct sev_run_config *c = r->c;

	*n = (struct sev_vm_needs){
		.vm_type = KVM_X86_DEFAULT_VM,
		.pin_memory = c->mode != SEV_MODE_SNP,
		.private_memory = c->mode == SEV_MODE_SNP,
		/* The model stands behind a plain VM (the test host's KVM
		 * has no SEV): what the real VM would need is recorded for
		 * its kernel-rules layer instead. */
		.record_only = c->model,
	};
	/* Legacy INIT runs on a default VM. */
	if (c->legacy_init)
		return;
	n->vm_type = c->mode == SEV_MODE_SNP	   ? KVM_X86_SNP_VM
		     : c->mode == SEV_MODE_SEV_ES ? KVM_X86_SEV_ES_VM
						  : KVM_X86_SEV_VM;
}

int sev_run_vm_call(struct sev_run *r, const struct sev_vm_call *c, char *err,
		    size_t errlen)
{
	int ret;

	if (!r || !r->kernel)
		return 0;
	ret = sev_kernel_vm_call(r->kernel, c);
	if (ret)
		set_err(err, errlen, "%s", sev_kernel_why(r->kernel));
	return ret;
}

int sev_model_break_parse(const char *s, enum sev_model_break *out)
{
	*out = SEV_MODEL_BREAK_NONE;
	if (!s || !*s)
		return 0;
	if (!strcmp(s, "uaddr"))
		*out = SEV_MODEL_BREAK_UADDR;
	else if (!strcmp(s, "len"))
		*out = SEV_MODEL_BREAK_LEN;
	else
		return -EINVAL;
	return 0;
}

/* The model asks for a vCPU's VMSA the way KVM builds it. */
static int model_vmsa(void *ctx, unsigned index, uint8_t page[VMSA_SIZE])
{
	struct sev_run *r = ctx;
	const struct launch_plan *p = r->c->plan;
	const uint8_t *want;
	int ret;

	if (!r->m || index >= r->m->ncpus)
		return -ENOENT;
	ret = r->m->read_vmsa(r->m->ctx, index, p->vmsa.sev_features,
			      p->vmsa.init2, page);
	if (ret || !r->c->verbose || !p->vmsas)
		return ret;
	/* The model can see what hardware hides: say where a vCPU's state
	 * left the plan, 8 bytes at a time. */
	want = p->vmsas + (size_t)index * VMSA_SIZE;
	for (unsigned o = 0; o < VMSA_SIZE; o += 8)
		if (get_le64(want, o) != get_le64(page, o))
			fprintf(stderr,
				"sevboot: vCPU %u VMSA +0x%03x: plan 0x%016llx, "
				"vCPU 0x%016llx\n",
				index, o, (unsigned long long)get_le64(want, o),
				(unsigned long long)get_le64(page, o));
	return 0;
}

/* The kernel this host runs, for the model to follow. */
static void host_kernel_profile(struct sev_kernel_profile *p)
{
	struct sev_host_facts f;
	struct utsname u;

	memset(&f, 0, sizeof(f));
	if (!uname(&u))
		snprintf(f.kernel_release, sizeof(f.kernel_release), "%s",
			 u.release);
	sev_kernel_profile_from(&f, p);
}

/* The model behind its kernel-rules layer, as the transport; -v (or a
 * deliberate break) names the kernel it follows. */
static int open_model(struct sev_run *r, const struct sev_model_config *mc,
		      struct sev_transport *t, char *err, size_t errlen)
{
	const struct sev_run_config *c = r->c;
	struct sev_kernel_config kc = { .brk = c->model_break };
	struct sev_vm_needs n;
	char name[160];

	r->model = sev_model_new(mc, err, errlen);
	if (!r->model)
		return -ENOMEM;
	if (c->kernel)
		kc.profile = *c->kernel;
	else
		host_kernel_profile(&kc.profile);
	sev_run_vm_needs(r, &n);
	kc.vm_type = n.vm_type;
	kc.inner = sev_transport_model(r->model);
	r->kernel = sev_kernel_new(&kc, err, errlen);
	if (!r->kernel)
		return -EINVAL;
	*t = sev_transport_kernel(r->kernel);
	if (!c->verbose && !c->model_break)
		return 0;
	sev_kernel_profile_name(&kc.profile, name, sizeof(name));
	fprintf(stderr,
		"sevboot: the firmware model follows the kernel rules of %s%s\n",
		name,
		c->model_break == SEV_MODEL_BREAK_UADDR
			? "; SEVBOOT_MODEL_BREAK=uaddr: every memory command's "
			  "host address is broken on purpose"
		: c->model_break == SEV_MODEL_BREAK_LEN
			? "; SEVBOOT_MODEL_BREAK=len: every memory command's "
			  "length is 8 bytes short on purpose"
			: "");
	return 0;
}

static int open_transport(struct sev_run *r, int vm_fd,
			  struct sev_transport *t, char *err, size_t errlen)
{
	const struct sev_run_config *c = r->c;
	struct sev_model_config mc = {
		.api_major = c->api_major,
		.api_minor = c->api_minor,
		.build = c->build,
		.pdh_private = c->model_pdh,
		.identity = c->model_identity,
		.vmsa = model_vmsa,
		.vmsa_ctx = r,
		.mode = c->mode,
	};

	if (!c->model)
		return sev_kvm_transport_open(&r->kvm, vm_fd, t, err, errlen);
	return open_model(r, &mc, t, err, errlen);
}

int sev_run_init(struct sev_run *r, int vm_fd, char *err, size_t errlen)
{
	const struct sev_run_config *c = r->c;
	struct sev_launch *l = &r->launch;
	struct sev_transport t;
	int ret;

	int id = tl_begin(c->tl, TL_PHASE, "transport open",
			  c->model ? "model" : "kvm");

	ret = open_transport(r, vm_fd, &t, err, errlen);
	tl_end(c->tl, id);
	if (ret)
		return ret;
	ret = sevl_setup(l, c->mode, c->policy, t);
	l->tl = c->tl;
	l->share_handle = c->handle;
	l->stop = c->stop;
	l->stop_ctx = c->stop_ctx;
	if (!ret && c->dh_cert)
		ret = sevl_set_session(l, c->dh_cert, c->dh_cert_len,
				       c->session, c->session_len);
	if (!ret)
		ret = sevl_vm_init(l, c->legacy_init,
				   c->plan->vmsa.sev_features);
	if (ret) {
		set_err(err, errlen, "%s", sevl_error(l));
		return ret;
	}
	r->initialized = true;
	return 0;
}

/* ---------------------------------------------------------- the machine */

/* One step of the launch as a phase of the run's timeline. */
static int phase(struct sev_run *r, const char *name,
		 int (*fn)(struct sev_run *r, char *err, size_t errlen),
		 char *err, size_t errlen)
{
	int id = tl_begin(r->c->tl, TL_PHASE, name, NULL);
	int ret = fn(r, err, errlen);

	tl_end(r->c->tl, id);
	return ret;
}

/*
 * Every vCPU gets the plan's reset state (SEV-ES/SNP), so the VMSAs KVM
 * builds from the registers are the ones the plan measured.  Plain SEV
 * measures no register state; its vCPUs keep KVM's reset.
 */
static int load_reset_state(struct sev_run *r, char *err, size_t errlen)
{
	const struct sev_machine *m = r->m;
	const struct launch_plan *p = r->c->plan;

	if (r->c->mode == SEV_MODE_SEV)
		return 0;
	for (unsigned i = 0; i < m->ncpus; i++) {
		struct vmsa_regs regs;
		int ret;

		vmsa_regs(&p->vmsa, i == 0, &regs);
		ret = m->set_reset_state(m->ctx, i, &regs, err, errlen);
		if (ret)
			return ret;
	}
	return 0;
}

static uint8_t *plan_hva(void *ctx, uint64_t gpa, uint64_t len)
{
	const struct sev_machine *m = ctx;

	return m->hva(m->ctx, gpa, len);
}

/* SNP: the CPUID pages the plan names, filled from vCPU 0's CPUID. */
static int fill_cpuid_pages(struct sev_run *r, char *err, size_t errlen)
{
	const struct sev_machine *m = r->m;
	const struct launch_plan *p = r->c->plan;
	struct snp_cpuid_leaf *leaves;
	enum { MAX_LEAVES = 1024 };
	int n;

	leaves = calloc(MAX_LEAVES, sizeof(*leaves));
	if (!leaves) {
		set_err(err, errlen, "out of memory");
		return -ENOMEM;
	}
	n = m->cpuid(m->ctx, leaves, MAX_LEAVES);
	for (unsigned i = 0; n >= 0 && i < p->nsteps; i++) {
		const struct launch_step *s = &p->steps[i];
		uint8_t *page;

		if (s->kind != STEP_SNP_UPDATE || s->page_type != SNP_PAGE_CPUID)
			continue;
		page = m->hva(m->ctx, s->gpa, SEV_PAGE_SIZE);
		if (!page) {
			free(leaves);
			set_err(err, errlen,
				"the firmware's CPUID page 0x%llx is not in "
				"guest RAM",
				(unsigned long long)s->gpa);
			return -EFAULT;
		}
		if (snp_cpuid_page_build(leaves, (unsigned)n, page) == -E2BIG)
			fprintf(stderr,
				"sevboot: the vCPU has %d CPUID leaves; the "
				"SNP CPUID page holds %d, the rest are left "
				"out\n",
				n, SNP_CPUID_MAX);
	}
	free(leaves);
	if (n < 0) {
		set_err(err, errlen, "reading vCPU 0's CPUID: %s",
			strerror(-n));
		return n;
	}
	return 0;
}

/* ------------------------------------------------------------ the check */

static int failed(struct sev_run *r, int ret, char *err, size_t errlen);

/* The model's digest against the one sevboot predicted: 0 when they are
 * the same, 1 when there is no model digest, -EBADMSG with "launch
 * measurement mismatch: ..." when they differ. */
static int check_model_digest(struct sev_run *r, size_t len, char *err,
			      size_t errlen)
{
	uint8_t ld[48];
	char want[97], got[97];

	if (!r->model || sev_model_launch_digest(r->model, ld, len))
		return 1;
	if (!CRYPTO_memcmp(ld, r->c->expected, len))
		return 0;
	hex_encode(r->c->expected, len, want);
	hex_encode(ld, len, got);
	set_err(err, errlen,
		"launch measurement mismatch: sevboot expected digest %s, the "
		"firmware model measured %s; the guest is not started",
		want, got);
	return -EBADMSG;
}

/*
 * SEV/SEV-ES: is the firmware's LAUNCH_MEASURE the HMAC of the digest we
 * predicted?  Without a session the TIK is all zeros and sevboot can
 * check it itself (SEV API 55766, LAUNCH_MEASURE); with one, only the
 * guest owner holds the TIK.
 */
static int check_measurement(struct sev_run *r, char *err, size_t errlen)
{
	const struct sev_run_config *c = r->c;
	const struct sev_launch *l = &r->launch;
	uint8_t zero[SEV_KEY_LEN] = { 0 }, mac[32];
	char want[65];
	int ret = check_model_digest(r, 32, err, errlen);

	if (ret < 0)
		return ret;
	if (c->dh_cert) {
		fprintf(stderr,
			"sevboot: a guest-owner session is in use: the owner, "
			"who holds the TIK, checks this measurement\n");
		return 0;
	}
	ret = measure_launch_hmac(r->have_tk ? r->tk.tik : zero, c->api_major,
				  c->api_minor, c->build, (uint32_t)c->policy,
				  c->expected, l->mnonce, mac);
	sev_tk_wipe(&r->tk);
	if (ret)
		return -ENOMEM;
	if (CRYPTO_memcmp(mac, l->measurement, 32)) {
		hex_encode(c->expected, 32, want);
		set_err(err, errlen,
			"launch measurement mismatch: the firmware's "
			"LAUNCH_MEASURE is not the HMAC of the expected digest "
			"%s (firmware %u.%u build %u, policy 0x%x)%s; the guest "
			"is not started",
			want, c->api_major, c->api_minor, c->build,
			(unsigned)c->policy,
			r->have_tk ? " under sevboot's own session's TIK"
				   : ", assuming the firmware keys it with an "
				     "all-zero TIK when no session is given "
				     "(as AMD's firmware source does); "
				     "--self-session checks without that "
				     "assumption");
		return -EBADMSG;
	}
	fprintf(stderr, "sevboot: launch measurement verified: the firmware "
			"measured the expected digest%s\n",
		r->have_tk ? " (checked with sevboot's own session)" : "");
	return 0;
}

/* --self-session: the platform's PDH, a session of sevboot's own for it,
 * and its TIK kept for the check, so the check needs no assumption about
 * the session-less TIK. */
static int self_session(struct sev_run *r, char *err, size_t errlen)
{
	uint8_t pdh[SEV_CERT_LEN];
	int ret = sevl_pdh_export(&r->launch, pdh);

	if (ret)
		return failed(r, ret, err, errlen);
	ret = sev_session_new(pdh, (uint32_t)r->c->policy, r->godh, r->session,
			      &r->tk, err, errlen);
	if (ret)
		return ret;
	r->have_tk = true;
	ret = sevl_set_session(&r->launch, r->godh, sizeof(r->godh),
			       r->session, sizeof(r->session));
	if (ret)
		return failed(r, ret, err, errlen);
	fprintf(stderr,
		"sevboot: --self-session: a session of sevboot's own for the "
		"platform's PDH; LAUNCH_MEASURE is checked with its TIK\n");
	return 0;
}

/* -------------------------------------------------- the guest owner's stop */

/* Where the owner's secret goes: its own GPA or the firmware's secret
 * area, checked against the room there and guest RAM. */
static void *secret_place(struct sev_run *r, const struct sev_owner_reply *rep,
			  uint64_t *gpa, char *err, size_t errlen)
{
	const struct sev_run_config *c = r->c;
	void *hva;

	*gpa = rep->has_gpa ? rep->gpa : c->secret_gpa;
	if (!*gpa) {
		set_err(err, errlen,
			"the guest owner sent a secret but there is nowhere to "
			"put it: the firmware has no SEV secret area (or its "
			"base or size is 0) and no --secret-gpa was given");
		return NULL;
	}
	if (!rep->has_gpa && c->secret_size &&
	    rep->secret_len > c->secret_size) {
		set_err(err, errlen,
			"the guest owner's secret is %zu bytes; the firmware's "
			"secret area at 0x%llx holds %u",
			rep->secret_len, (unsigned long long)*gpa,
			c->secret_size);
		return NULL;
	}
	hva = r->m->hva(r->m->ctx, *gpa, rep->secret_len);
	if (!hva)
		set_err(err, errlen,
			"the secret's place [0x%llx, +0x%zx) is not guest RAM",
			(unsigned long long)*gpa, rep->secret_len);
	return hva;
}

/* Hand the measurement to the owner, inject what comes back. */
static int owner_stop(struct sev_run *r, char *err, size_t errlen)
{
	const struct sev_run_config *c = r->c;
	struct sev_launch *l = &r->launch;
	struct sev_owner_request req = {
		.mode = c->mode,
		.policy = (uint32_t)c->policy,
		.handle = l->handle,
		.api_major = c->api_major,
		.api_minor = c->api_minor,
		.build = c->build,
		.secret_gpa = c->secret_gpa,
		.secret_size = c->secret_size,
		.model = c->model,
	};
	struct sev_owner_reply rep = { 0 };
	uint64_t gpa;
	void *hva;
	int ret;

	memcpy(req.launch_measure, l->launch_measure, sizeof(req.launch_measure));
	memcpy(req.expected_digest, c->expected, sizeof(req.expected_digest));
	ret = c->owner(c->owner_ctx, &req, &rep, err, errlen);
	if (ret)
		return ret;
	if (!rep.inject) {
		fprintf(stderr, "sevboot: the guest owner sent no secret\n");
		return 0;
	}
	hva = secret_place(r, &rep, &gpa, err, errlen);
	ret = hva ? sevl_secret(l, rep.hdr, sizeof(rep.hdr), rep.secret,
				rep.secret_len, gpa, hva)
		  : -EINVAL;
	if (hva && ret)
		set_err(err, errlen, "%s", sevl_error(l));
	else if (!ret)
		fprintf(stderr,
			"sevboot: launch secret injected at 0x%llx (%zu bytes)\n",
			(unsigned long long)gpa, rep.secret_len);
	sev_owner_reply_free(&rep);
	return ret;
}

/*
 * SNP on the firmware model: a stop after SNP_LAUNCH_FINISH, before any
 * vCPU runs, in which the owner may ask for a report
 * (sev_run_snp_report).  There is no measurement to hand over and no
 * secret to take: SNP has neither LAUNCH_MEASURE nor LAUNCH_SECRET.
 */
static int owner_stop_snp(struct sev_run *r, char *err, size_t errlen)
{
	const struct sev_run_config *c = r->c;
	struct sev_owner_request req = {
		.mode = c->mode,
		.policy = (uint32_t)c->policy,
		.api_major = c->api_major,
		.api_minor = c->api_minor,
		.build = c->build,
		.model = c->model,
	};
	struct sev_owner_reply rep = { 0 };
	int ret;

	memcpy(req.expected_digest, c->expected, sizeof(req.expected_digest));
	ret = c->owner(c->owner_ctx, &req, &rep, err, errlen);
	if (!ret && rep.inject) {
		set_err(err, errlen, "the guest owner sent a launch secret; an "
				     "SNP launch takes none");
		ret = -EINVAL;
	}
	sev_owner_reply_free(&rep);
	return ret;
}

int sev_run_attestation_report(struct sev_run *r, const uint8_t mnonce[16],
			       uint8_t report[SEV_MODEL_SEV_REPORT_LEN],
			       char *err, size_t errlen)
{
	int ret;

	if (r->c->mode == SEV_MODE_SNP) {
		set_err(err, errlen,
			"an SNP guest has no SEV ATTESTATION report; ask for "
			"an SNP report (query-snp-attestation-report)");
		return -EINVAL;
	}
	if (r->model && !r->c->model_identity) {
		set_err(err, errlen,
			"the firmware model has no identity (no PEK to sign "
			"with): run it with --sev-model-keys DIR, made by "
			"`sevboot model-keys DIR`");
		return -EOPNOTSUPP;
	}
	ret = sevl_attestation_report(&r->launch, mnonce, report);
	if (ret)
		set_err(err, errlen, "%s", sevl_error(&r->launch));
	return ret;
}

int sev_run_snp_report(struct sev_run *r, const uint8_t report_data[64],
		       uint32_t vmpl, uint8_t report[SEV_MODEL_SNP_REPORT_LEN],
		       char *err, size_t errlen)
{
	int ret;

	if (r->c->mode != SEV_MODE_SNP) {
		set_err(err, errlen,
			"an SEV or SEV-ES guest has no SNP report; ask for its "
			"ATTESTATION report (query-sev-attestation-report)");
		return -EINVAL;
	}
	if (!r->model) {
		set_err(err, errlen,
			"on SNP hardware only the guest can ask the firmware "
			"for its report (SNP_GUEST_REQUEST); the host cannot");
		return -EOPNOTSUPP;
	}
	ret = sev_model_snp_report(r->model, report_data, vmpl, report);
	if (ret == -EOPNOTSUPP)
		set_err(err, errlen,
			"the firmware model has no identity (no VCEK to sign "
			"with): run it with --sev-model-keys DIR, made by "
			"`sevboot model-keys DIR`");
	else if (ret == -EINVAL)
		set_err(err, errlen, "VMPL %u; an SNP guest has VMPLs 0 to 3",
			vmpl);
	else if (ret == -EPROTO)
		set_err(err, errlen, "the SNP launch has not finished");
	else if (ret)
		set_err(err, errlen, "OpenSSL cannot sign the report");
	return ret;
}

/* ------------------------------------------------------------ the flows */

/* A failed command: its sentence, and its result. */
static int failed(struct sev_run *r, int ret, char *err, size_t errlen)
{
	set_err(err, errlen, "%s", sevl_error(&r->launch));
	return ret;
}

/* --json-events: the measurement and what became of its check (ret). */
static void measurement_event(struct sev_run *r, const uint8_t *m, size_t len,
			      int ret)
{
	const struct sev_run_config *c = r->c;
	char hex[2 * 48 + 1], members[256];
	const char *by = c->mode == SEV_MODE_SNP ? (r->model ? "sevboot"
							      : "attestation")
			 : c->dh_cert		 ? "owner"
						 : "sevboot";

	hex_encode(m, len, hex);
	snprintf(members, sizeof(members),
		 "\"measurement\":\"%s\",\"checked_by\":\"%s\","
		 "\"verified\":%s",
		 len ? hex : "", by,
		 !ret && !strcmp(by, "sevboot") ? "true" : "false");
	tl_event(c->tl, "measurement", members);
}

/* --json-events: the guest owner's answer. */
static void owner_event(struct sev_run *r, int ret)
{
	tl_event_str(r->c->tl, "owner-stop", "result",
		     ret ? "refused or failed" : "done");
}

/* SEV and SEV-ES: START -> UPDATE_DATA... (-> UPDATE_VMSA) -> MEASURE ->
 * check -> owner -> SECRET -> FINISH -> GUEST_STATUS. */
static int launch_sev(struct sev_run *r, char *err, size_t errlen)
{
	const struct sev_run_config *c = r->c;
	struct sev_launch *l = &r->launch;
	struct sev_guest_info gi;
	int ret;

	ret = phase(r, "register load", load_reset_state, err, errlen);
	if (!ret && c->self_session)
		ret = phase(r, "self session", self_session, err, errlen);
	if (ret)
		return ret;
	ret = sevl_start(l);
	if (!ret)
		ret = sevl_walk_plan(l, c->plan, plan_hva, (void *)r->m);
	if (!ret)
		ret = sevl_measure(l);
	if (ret)
		return failed(r, ret, err, errlen);
	sevl_print_measurement(l, stderr);
	ret = phase(r, "measurement check", check_measurement, err, errlen);
	measurement_event(r, l->measurement, sizeof(l->measurement), ret);
	if (!ret && c->owner) {
		ret = phase(r, "owner wait", owner_stop, err, errlen);
		owner_event(r, ret);
	}
	if (ret)
		return ret;
	ret = sevl_finish(l);
	if (!ret)
		tl_event(c->tl, "finish", NULL);
	if (!ret)
		ret = sevl_guest_status(l, &gi);
	return ret ? failed(r, ret, err, errlen) : 0;
}

static int check_snp_digest(struct sev_run *r, char *err, size_t errlen)
{
	return check_model_digest(r, 48, err, errlen);
}

/* SNP: CPUID page -> SNP_LAUNCH_START -> SNP_LAUNCH_UPDATE... ->
 * SNP_LAUNCH_FINISH (which measures the VMSAs) -> the model's check. */
static int launch_snp(struct sev_run *r, char *err, size_t errlen)
{
	const struct sev_run_config *c = r->c;
	struct sev_launch *l = &r->launch;
	uint8_t ld[48];
	int ret;

	ret = phase(r, "register load", load_reset_state, err, errlen);
	if (!ret)
		ret = phase(r, "cpuid page", fill_cpuid_pages, err, errlen);
	if (ret)
		return ret;
	ret = sevl_snp_start(l);
	if (!ret)
		ret = sevl_walk_plan(l, c->plan, plan_hva, (void *)r->m);
	if (!ret)
		ret = sevl_snp_finish(l, c->snp_finish);
	if (ret)
		return failed(r, ret, err, errlen);
	tl_event(c->tl, "finish", NULL);
	if (!r->model) {
		fprintf(stderr,
			"sevboot: SNP: the firmware does not show the launch "
			"digest to the host; the guest's attestation report "
			"carries it%s\n",
			c->snp_finish && c->snp_finish->id_block
				? ", and the firmware checked it against the "
				  "ID block"
				: "");
		measurement_event(r, ld, 0, 0);
		return 0;
	}
	ret = phase(r, "measurement check", check_snp_digest, err, errlen);
	if (sev_model_launch_digest(r->model, ld, sizeof(ld)))
		memset(ld, 0, sizeof(ld));
	measurement_event(r, ld, sizeof(ld), ret < 0 ? ret : 0);
	if (ret < 0)
		return ret;
	fprintf(stderr, "sevboot: launch measurement verified: the "
			"firmware model measured the expected digest\n");
	if (c->owner) {
		ret = phase(r, "owner wait", owner_stop_snp, err, errlen);
		owner_event(r, ret);
	}
	return ret < 0 ? ret : 0;
}

int sev_run_launch(struct sev_run *r, const struct sev_machine *m, char *err,
		   size_t errlen)
{
	int ret;

	if (!r->initialized) {
		set_err(err, errlen, "the launch was not initialised");
		return -EPROTO;
	}
	r->m = m;
	ret = r->c->mode == SEV_MODE_SNP ? launch_snp(r, err, errlen)
					 : launch_sev(r, err, errlen);
	if (r->c->report)
		r->c->report(r->c->report_ctx, r);
	return ret;
}

int sev_run_timing_json(const struct sev_run *r, FILE *f)
{
	return sevl_timing_json(&r->launch, f);
}

void sev_run_timing_table(const struct sev_run *r, FILE *f)
{
	sevl_timing_table(&r->launch, f);
}

