// SPDX-License-Identifier: MIT
/*
 * vmm/sevvm.c: the machine's side of an SEV, SEV-ES or SNP launch.
 *
 * The launch context (sev/) issues the firmware commands; the machine owns
 * what those commands act on: the VM and its type, guest memory (pinned
 * with REG_REGION for SEV/SEV-ES, guest_memfd and memory attributes for
 * SNP), the vCPUs and their reset state.  The order is the kernel's
 * (Linux arch/x86/kvm/svm/sev.c: __sev_guest_init(),
 * sev_mem_enc_register_region(), sev_launch_update_vmsa(),
 * snp_launch_finish()): INIT before any vCPU, REG_REGION after INIT, every
 * vCPU loaded with the plan's reset state before the plan is walked, the
 * measurement checked before the secret and FINISH, and no vCPU runs
 * before FINISH.
 *
 * The one UAPI header (sev/kvm_sev_uapi.h) is included here as well: it is
 * the kernel's interface, declared once, not sev/'s internals.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "sev/kvm_sev_uapi.h"
#include "vmm/machine.h"

#define SEV_DEV "/dev/sev"

unsigned long sevvm_vm_type(const struct vm_config *c)
{
	const struct vm_sev_config *s = c->sev;

	/* The model stands behind a plain VM: the test host's KVM has no
	 * SEV, and legacy INIT runs on a default VM anyway. */
	if (!s || s->model || s->legacy_init)
		return KVM_X86_DEFAULT_VM;
	switch (s->mode) {
	case SEV_MODE_SEV:
		return KVM_X86_SEV_VM;
	case SEV_MODE_SEV_ES:
		return KVM_X86_SEV_ES_VM;
	case SEV_MODE_SNP:
		return KVM_X86_SNP_VM;
	}
	return KVM_X86_DEFAULT_VM;
}

/* The model asks for a vCPU's VMSA the way KVM builds it. */
static int model_vmsa(void *ctx, unsigned index, uint8_t page[VMSA_SIZE])
{
	struct machine *m = ctx;
	const struct launch_plan *p = m->cfg->sev->plan;

	int ret;

	if (index >= m->nvcpus)
		return -ENOENT;
	ret = vcpu_read_vmsa(&m->vcpus[index], p->vmsa.sev_features,
			     p->vmsa.init2, page);
	/* The model can see what hardware hides: say where a vCPU's state
	 * left the plan, 8 bytes at a time. */
	if (!ret && m->cfg->verbose && p->vmsas &&
	    memcmp(page, p->vmsas + (size_t)index * VMSA_SIZE, VMSA_SIZE)) {
		const uint8_t *want = p->vmsas + (size_t)index * VMSA_SIZE;

		for (unsigned o = 0; o < VMSA_SIZE; o += 8) {
			uint64_t a, b;

			memcpy(&a, want + o, 8);
			memcpy(&b, page + o, 8);
			if (a != b)
				fprintf(stderr,
					"sevboot: vCPU %u VMSA +0x%03x: plan "
					"0x%016llx, vCPU 0x%016llx\n",
					index, o, (unsigned long long)a,
					(unsigned long long)b);
		}
	}
	return ret;
}

static int enable_map_gpa_exits(struct machine *m, char *err, size_t errlen)
{
	struct kvm_enable_cap cap = {
		.cap = KVM_CAP_EXIT_HYPERCALL,
		.args = { 1ULL << KVM_HC_MAP_GPA_RANGE },
	};
	int have = ioctl(m->vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_EXIT_HYPERCALL);

	if (have <= 0 || !(have & (1 << KVM_HC_MAP_GPA_RANGE))) {
		snprintf(err, errlen,
			 "this KVM cannot pass KVM_HC_MAP_GPA_RANGE to "
			 "userspace (KVM_CAP_EXIT_HYPERCALL), which SNP guests "
			 "need to share memory");
		return -ENOTSUP;
	}
	if (ioctl(m->vm_fd, KVM_ENABLE_CAP, &cap) < 0) {
		int ret = -errno;

		snprintf(err, errlen, "KVM_ENABLE_CAP(KVM_CAP_EXIT_HYPERCALL): "
			 "%s", strerror(errno));
		return ret;
	}
	return 0;
}

/* After KVM_CREATE_VM, before memory and vCPUs: the launch context,
 * INIT2 (or legacy INIT), and for SNP the hypercall exits. */
int sevvm_init(struct machine *m, char *err, size_t errlen)
{
	const struct vm_sev_config *s = m->cfg->sev;
	struct sev_transport t;
	int ret;

	m->sev_fd = -1;
	m->launch = calloc(1, sizeof(*m->launch));
	if (!m->launch) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (s->model) {
		struct sev_model_config mc = {
			.api_major = s->api_major,
			.api_minor = s->api_minor,
			.build = s->build,
			.pdh_private = s->model_pdh,
			.vmsa = model_vmsa,
			.vmsa_ctx = m,
			.mode = s->mode,
		};

		m->model = sev_model_new(&mc, err, errlen);
		if (!m->model)
			return -ENOMEM;
		t = sev_transport_model(m->model);
	} else {
		struct sev_kvm_transport *k;

		m->sev_fd = open(SEV_DEV, O_RDWR | O_CLOEXEC);
		if (m->sev_fd < 0) {
			ret = -errno;
			snprintf(err, errlen, "%s: %s", SEV_DEV,
				 strerror(errno));
			return ret;
		}
		k = calloc(1, sizeof(*k));
		if (!k) {
			snprintf(err, errlen, "out of memory");
			return -ENOMEM;
		}
		m->kvm_transport = k;
		t = sev_transport_kvm(k, m->vm_fd, m->sev_fd);
	}
	ret = sev_launch_setup(m->launch, s->mode, s->policy, t);
	m->launch->share_handle = s->handle;
	if (!ret && s->dh_cert)
		ret = sev_launch_set_session(m->launch, s->dh_cert,
					     s->dh_cert_len, s->session,
					     s->session_len);
	if (!ret)
		ret = sev_launch_vm_init(m->launch, s->legacy_init,
					 s->plan->vmsa.sev_features);
	if (ret) {
		snprintf(err, errlen, "%s", sev_launch_error(m->launch));
		return ret;
	}
	if (s->mode == SEV_MODE_SNP && !s->model) {
		ret = enable_map_gpa_exits(m, err, errlen);
		if (ret)
			return ret;
		m->private_mem = true;
	}
	return 0;
}

static int set_attributes(struct machine *m, uint64_t gpa, uint64_t size,
			  bool private)
{
	struct kvm_memory_attributes a = {
		.address = gpa,
		.size = size,
		.attributes = private ? KVM_MEMORY_ATTRIBUTE_PRIVATE : 0,
	};

	return ioctl(m->vm_fd, KVM_SET_MEMORY_ATTRIBUTES, &a) < 0 ? -errno
								   : 0;
}

/*
 * A RAM slot was created.  SEV/SEV-ES on real KVM: pin it for the
 * firmware (REG_REGION, which needs INIT first).  SNP: the slot was made
 * with a guest_memfd; all of it starts private, as QEMU does, and the
 * guest converts what it shares (MAP_GPA_RANGE, memory faults).
 */
int sevvm_slot_added(struct machine *m, struct mem_slot *s, char *err,
		     size_t errlen)
{
	const struct vm_sev_config *sc = m->cfg->sev;
	int ret;

	if (!sc || sc->model)
		return 0;
	if (sc->mode != SEV_MODE_SNP) {
		struct kvm_enc_region r = { .addr = (uintptr_t)s->hva,
					    .size = s->size };

		if (ioctl(m->vm_fd, KVM_MEMORY_ENCRYPT_REG_REGION, &r) < 0) {
			ret = -errno;
			snprintf(err, errlen,
				 "KVM_MEMORY_ENCRYPT_REG_REGION [0x%llx, "
				 "+0x%llx): %s%s",
				 (unsigned long long)s->gpa,
				 (unsigned long long)s->size, strerror(errno),
				 errno == ENOMEM ? " (pinned guest memory "
						   "counts against "
						   "RLIMIT_MEMLOCK)"
						 : "");
			return ret;
		}
		return 0;
	}
	ret = set_attributes(m, s->gpa, s->size, true);
	if (ret) {
		snprintf(err, errlen,
			 "KVM_SET_MEMORY_ATTRIBUTES(PRIVATE) [0x%llx, +0x%llx): "
			 "%s",
			 (unsigned long long)s->gpa,
			 (unsigned long long)s->size, strerror(-ret));
		return ret;
	}
	return 0;
}

/*
 * Every vCPU exists: load the plan's reset state (SEV-ES/SNP), so the
 * VMSAs KVM builds from the registers are the ones the plan measured.
 * Plain SEV measures no register state; its vCPUs keep KVM's reset.
 */
int sevvm_vcpus_ready(struct machine *m, char *err, size_t errlen)
{
	const struct launch_plan *p = m->cfg->sev->plan;

	if (m->cfg->sev->mode == SEV_MODE_SEV)
		return 0;
	for (unsigned i = 0; i < m->nvcpus; i++) {
		struct vmsa_regs r;
		int ret;

		vmsa_regs(&p->vmsa, i == 0, &r);
		ret = vcpu_load_vmsa_regs(&m->vcpus[i], &r, err, errlen);
		if (ret)
			return ret;
	}
	return 0;
}

static uint8_t *plan_hva(void *ctx, uint64_t gpa, uint64_t len)
{
	return machine_gpa_ptr(ctx, gpa, len);
}

/* SNP: the CPUID pages the plan names, filled from vCPU 0's CPUID. */
static int fill_cpuid_pages(struct machine *m, char *err, size_t errlen)
{
	const struct launch_plan *p = m->cfg->sev->plan;
	struct snp_cpuid_leaf *leaves;
	unsigned n = m->cpuid0->nent;

	leaves = calloc(n, sizeof(*leaves));
	if (!leaves) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (unsigned i = 0; i < n; i++) {
		const struct kvm_cpuid_entry2 *e = &m->cpuid0->entries[i];

		leaves[i] = (struct snp_cpuid_leaf){
			.function = e->function, .index = e->index,
			.eax = e->eax, .ebx = e->ebx,
			.ecx = e->ecx, .edx = e->edx,
		};
	}
	for (unsigned i = 0; i < p->nsteps; i++) {
		const struct launch_step *s = &p->steps[i];
		uint8_t *page;

		if (s->kind != STEP_SNP_UPDATE ||
		    s->page_type != SNP_PAGE_CPUID)
			continue;
		page = machine_gpa_ptr(m, s->gpa, 4096);
		if (!page) {
			free(leaves);
			snprintf(err, errlen,
				 "the firmware's CPUID page 0x%llx is not in "
				 "guest RAM",
				 (unsigned long long)s->gpa);
			return -EFAULT;
		}
		if (snp_cpuid_page_build(leaves, n, page) == -E2BIG)
			fprintf(stderr,
				"sevboot: the vCPU has %u CPUID leaves; the "
				"SNP CPUID page holds %d, the rest are left "
				"out\n",
				n, SNP_CPUID_MAX);
	}
	free(leaves);
	return 0;
}

static void hex(const uint8_t *b, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
}

/*
 * SEV/SEV-ES: is the firmware's LAUNCH_MEASURE the HMAC of the digest we
 * predicted?  Without a session the TIK is all zeros and sevboot can
 * check it itself; with one, only the guest owner holds the TIK.
 */
static int check_measurement(struct machine *m, char *err, size_t errlen)
{
	const struct vm_sev_config *s = m->cfg->sev;
	struct sev_launch *l = m->launch;
	char want[65], got[65];
	uint8_t tik[16] = { 0 }, mac[32], ld[32];

	if (m->model && !sev_model_launch_digest(m->model, ld, sizeof(ld)) &&
	    CRYPTO_memcmp(ld, s->expected, 32)) {
		hex(s->expected, 32, want);
		hex(ld, 32, got);
		snprintf(err, errlen,
			 "launch measurement mismatch: sevboot expected "
			 "digest %s, the firmware model measured %s; the "
			 "guest is not started",
			 want, got);
		return -EBADMSG;
	}
	if (s->dh_cert) {
		fprintf(stderr,
			"sevboot: a guest-owner session is in use: the owner, "
			"who holds the TIK, checks this measurement\n");
		return 0;
	}
	if (measure_launch_hmac(tik, s->api_major, s->api_minor, s->build,
				(uint32_t)s->policy, s->expected, l->mnonce,
				mac))
		return -ENOMEM;
	if (CRYPTO_memcmp(mac, l->measurement, 32)) {
		hex(s->expected, 32, want);
		snprintf(err, errlen,
			 "launch measurement mismatch: the firmware's "
			 "LAUNCH_MEASURE is not the HMAC of the expected "
			 "digest %s (firmware %u.%u build %u, policy 0x%x); "
			 "the guest is not started",
			 want, s->api_major, s->api_minor, s->build,
			 (unsigned)s->policy);
		return -EBADMSG;
	}
	fprintf(stderr,
		"sevboot: launch measurement verified: the firmware measured "
		"the expected digest\n");
	return 0;
}

/* The guest owner's stop: hand over the measurement, inject the answer. */
static int owner_stop(struct machine *m, char *err, size_t errlen)
{
	const struct vm_sev_config *s = m->cfg->sev;
	struct sev_launch *l = m->launch;
	struct sev_owner_request req = {
		.mode = s->mode,
		.policy = (uint32_t)s->policy,
		.handle = l->handle,
		.api_major = s->api_major,
		.api_minor = s->api_minor,
		.build = s->build,
		.secret_gpa = s->secret_gpa,
		.secret_size = s->secret_size,
		.model = s->model,
	};
	struct sev_owner_reply rep = { 0 };
	uint64_t gpa;
	void *hva;
	int ret;

	memcpy(req.launch_measure, l->launch_measure, sizeof(req.launch_measure));
	memcpy(req.expected_digest, s->expected, sizeof(req.expected_digest));
	ret = s->owner(s->owner_ctx, &req, &rep, err, errlen);
	if (ret)
		return ret;
	if (!rep.inject) {
		fprintf(stderr, "sevboot: the guest owner sent no secret\n");
		return 0;
	}
	gpa = rep.has_gpa ? rep.gpa : s->secret_gpa;
	if (!gpa) {
		snprintf(err, errlen,
			 "the guest owner sent a secret but there is nowhere to "
			 "put it: the firmware has no SEV secret area (or its "
			 "base or size is 0) and no --secret-gpa was given");
		ret = -EINVAL;
		goto out;
	}
	if (!rep.has_gpa && gpa == s->secret_gpa && s->secret_size &&
	    rep.secret_len > s->secret_size) {
		snprintf(err, errlen,
			 "the guest owner's secret is %zu bytes; the "
			 "firmware's secret area at 0x%llx holds %u",
			 rep.secret_len, (unsigned long long)gpa,
			 s->secret_size);
		ret = -EINVAL;
		goto out;
	}
	hva = machine_gpa_ptr(m, gpa, rep.secret_len);
	if (!hva) {
		snprintf(err, errlen,
			 "the secret's place [0x%llx, +0x%zx) is not guest RAM",
			 (unsigned long long)gpa, rep.secret_len);
		ret = -EINVAL;
		goto out;
	}
	ret = sev_launch_secret(l, rep.hdr, sizeof(rep.hdr), rep.secret,
				rep.secret_len, gpa, hva);
	if (ret)
		snprintf(err, errlen, "%s", sev_launch_error(l));
	else
		fprintf(stderr,
			"sevboot: launch secret injected at 0x%llx (%zu "
			"bytes)\n",
			(unsigned long long)gpa, rep.secret_len);
out:
	sev_owner_reply_free(&rep);
	return ret;
}

static int launch_sev(struct machine *m, char *err, size_t errlen)
{
	const struct vm_sev_config *s = m->cfg->sev;
	struct sev_launch *l = m->launch;
	struct sev_guest_info gi;
	int ret;

	ret = sev_launch_start(l);
	if (!ret)
		ret = sev_launch_walk_plan(l, s->plan, plan_hva, m);
	if (!ret)
		ret = sev_launch_measure(l);
	if (ret) {
		snprintf(err, errlen, "%s", sev_launch_error(l));
		return ret;
	}
	sev_launch_print_measurement(l, stderr);
	ret = check_measurement(m, err, errlen);
	if (!ret && s->owner)
		ret = owner_stop(m, err, errlen);
	if (ret)
		return ret;
	ret = sev_launch_finish(l);
	if (!ret)
		ret = sev_guest_status(l, &gi);
	if (ret) {
		snprintf(err, errlen, "%s", sev_launch_error(l));
		return ret;
	}
	return 0;
}

static int launch_snp(struct machine *m, char *err, size_t errlen)
{
	const struct vm_sev_config *s = m->cfg->sev;
	struct sev_launch *l = m->launch;
	uint8_t ld[48];
	char want[97], got[97];
	int ret;

	ret = fill_cpuid_pages(m, err, errlen);
	if (ret)
		return ret;
	ret = sev_snp_launch_start(l);
	if (!ret)
		ret = sev_launch_walk_plan(l, s->plan, plan_hva, m);
	if (!ret)
		ret = sev_snp_launch_finish(l, s->snp_finish);
	if (ret) {
		snprintf(err, errlen, "%s", sev_launch_error(l));
		return ret;
	}
	if (!m->model) {
		fprintf(stderr,
			"sevboot: SNP: the firmware does not show the launch "
			"digest to the host; the guest's attestation report "
			"carries it%s\n",
			s->snp_finish && s->snp_finish->id_block
				? ", and the firmware checked it against the "
				  "ID block"
				: "");
		return 0;
	}
	if (sev_model_launch_digest(m->model, ld, sizeof(ld)) == 0) {
		if (CRYPTO_memcmp(ld, s->expected, 48)) {
			hex(s->expected, 48, want);
			hex(ld, 48, got);
			snprintf(err, errlen,
				 "launch measurement mismatch: sevboot "
				 "expected digest %s, the firmware model "
				 "measured %s; the guest is not started",
				 want, got);
			return -EBADMSG;
		}
		fprintf(stderr, "sevboot: launch measurement verified: the "
				"firmware model measured the expected "
				"digest\n");
	}
	return 0;
}

/* All vCPUs exist with their reset state: run the launch, then the
 * vCPUs may run. */
int sevvm_launch(struct machine *m, char *err, size_t errlen)
{
	const struct vm_sev_config *s = m->cfg->sev;
	int ret;

	ret = s->mode == SEV_MODE_SNP ? launch_snp(m, err, errlen)
				      : launch_sev(m, err, errlen);
	if (s->report)
		s->report(s->report_ctx, m->launch);
	return ret;
}

int sevvm_convert(struct machine *m, uint64_t gpa, uint64_t size,
		  bool to_private)
{
	if (!m->private_mem)
		return 0; /* nothing is private: nothing to convert */
	return set_attributes(m, gpa, size, to_private);
}

void sevvm_teardown(struct machine *m)
{
	if (m->model)
		sev_model_free(m->model);
	m->model = NULL;
	if (m->launch)
		OPENSSL_cleanse(m->launch, sizeof(*m->launch));
	free(m->launch);
	m->launch = NULL;
	free(m->kvm_transport);
	m->kvm_transport = NULL;
	if (m->sev_fd >= 0)
		close(m->sev_fd);
	m->sev_fd = -1;
}
