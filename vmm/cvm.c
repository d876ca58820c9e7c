// SPDX-License-Identifier: MIT
/*
 * vmm/cvm.c: what a confidential VM asks of the machine, at the points
 * the kernel's order fixes (arch/x86/kvm/svm/sev.c): the VM type at
 * KVM_CREATE_VM; the launch's INIT right after it, before any memory or
 * vCPU; KVM_MEMORY_ENCRYPT_REG_REGION on every RAM slot (SEV, SEV-ES:
 * sev_mem_enc_register_region() pins it for the firmware); the SNP
 * hypercall exits; and, once every vCPU exists and before any runs, the
 * hand-over to the launch sequence (sev/run.c) through struct
 * sev_machine.  The launch itself, its commands and its checks, are
 * sev/'s: nothing here issues KVM_MEMORY_ENCRYPT_OP.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/capability.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/kvm_uapi.h"
#include "util/util.h"
#include "vmm/machine.h"

unsigned long cvm_vm_type(const struct machine *m)
{
	struct sev_vm_needs n;

	if (!m->cfg->sev)
		return KVM_X86_DEFAULT_VM;
	sev_run_vm_needs(m->cfg->sev, &n);
	/* The firmware model runs on a plain VM; the type the real VM
	 * would have is the model's kernel-rules layer's to check. */
	return n.record_only ? KVM_X86_DEFAULT_VM : n.vm_type;
}

int cvm_record(struct machine *m, const struct sev_vm_call *c, char *err,
	       size_t errlen)
{
	return sev_run_vm_call(m->cfg->sev, c, err, errlen);
}

/* SNP guests share memory through KVM_HC_MAP_GPA_RANGE, which KVM hands
 * to userspace only when asked (KVM_CAP_EXIT_HYPERCALL). */
static int enable_map_gpa_exits(struct machine *m, char *err, size_t errlen)
{
	struct kvm_enable_cap cap = {
		.cap = KVM_CAP_EXIT_HYPERCALL,
		.args = { 1ULL << KVM_HC_MAP_GPA_RANGE },
	};
	int have = ioctl(m->vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_EXIT_HYPERCALL);

	if (have <= 0 || !(have & (1 << KVM_HC_MAP_GPA_RANGE))) {
		set_err(err, errlen,
			"this KVM cannot pass KVM_HC_MAP_GPA_RANGE to "
			"userspace (KVM_CAP_EXIT_HYPERCALL), which SNP guests "
			"need to share memory");
		return -ENOTSUP;
	}
	if (ioctl(m->vm_fd, KVM_ENABLE_CAP, &cap) < 0) {
		int ret = -errno;

		set_err(err, errlen, "KVM_ENABLE_CAP(KVM_CAP_EXIT_HYPERCALL): %s",
			strerror(errno));
		return ret;
	}
	return 0;
}

int cvm_memlock_plan(uint64_t need, uint64_t soft, uint64_t hard,
		     bool cap_ipc_lock, uint64_t *new_soft, char *why,
		     size_t len)
{
	*new_soft = soft;
	if (cap_ipc_lock || soft == RLIM_INFINITY || soft >= need)
		return 0;
	if (hard == RLIM_INFINITY || hard >= need) {
		*new_soft = hard;
		return 0;
	}
	set_err(why, len,
		"SEV pins guest memory for the firmware "
		"(KVM_MEMORY_ENCRYPT_REG_REGION, then LAUNCH_UPDATE_DATA): this "
		"guest needs %llu MiB of locked memory, but RLIMIT_MEMLOCK "
		"allows %llu MiB (hard limit %llu MiB); raise it (ulimit -l "
		"%llu, or LimitMEMLOCK= for a systemd service) or give sevboot "
		"CAP_IPC_LOCK",
		(unsigned long long)(need >> 20),
		(unsigned long long)(soft >> 20),
		(unsigned long long)(hard >> 20),
		(unsigned long long)((need + 1023) >> 10));
	return -ENOMEM;
}

/* Does this process have CAP_IPC_LOCK in its effective set? */
static bool have_ipc_lock(void)
{
	struct __user_cap_header_struct h = { .version =
						      _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return false;
	return d[CAP_IPC_LOCK / 32].effective & (1u << (CAP_IPC_LOCK % 32));
}

/*
 * Without CAP_IPC_LOCK every pinned page counts against RLIMIT_MEMLOCK
 * (the kernel's sev_pin_memory()): all RAM slots (REG_REGION) and, again
 * while a command runs, the range of the largest LAUNCH_UPDATE_DATA (the
 * firmware image).  Raise the soft limit when the hard one allows it;
 * otherwise refuse before anything is pinned, with the number.
 */
static int ensure_memlock(struct machine *m, char *err, size_t errlen)
{
	const struct vm_config *c = m->cfg;
	uint64_t need = c->mem_size + 2 * (uint64_t)c->ovmf_len + SEV_PAGE_SIZE;
	uint64_t soft;
	struct rlimit rl;
	int ret;

	if (getrlimit(RLIMIT_MEMLOCK, &rl))
		return 0; /* the kernel will say */
	ret = cvm_memlock_plan(need, rl.rlim_cur, rl.rlim_max, have_ipc_lock(),
			       &soft, err, errlen);
	if (ret || soft == rl.rlim_cur)
		return ret;
	rl.rlim_cur = soft;
	if (setrlimit(RLIMIT_MEMLOCK, &rl)) {
		ret = -errno;
		set_err(err, errlen, "raising RLIMIT_MEMLOCK to %llu MiB: %s",
			(unsigned long long)(soft >> 20), strerror(errno));
		return ret;
	}
	if (c->verbose)
		fprintf(stderr,
			"sevboot: RLIMIT_MEMLOCK raised to its hard limit for "
			"the pinned guest memory (%llu MiB needed)\n",
			(unsigned long long)(need >> 20));
	return 0;
}

int cvm_init(struct machine *m, char *err, size_t errlen)
{
	struct sev_vm_needs n;
	int ret;

	sev_run_vm_needs(m->cfg->sev, &n);
	/* Nothing is pinned for the model (its layer does not count
	 * RLIMIT_MEMLOCK). */
	if (n.pin_memory && !n.record_only) {
		ret = ensure_memlock(m, err, errlen);
		if (ret)
			return ret;
	}
	ret = sev_run_init(m->cfg->sev, m->vm_fd, err, errlen);
	if (ret)
		return ret;
	m->pin_mem = n.pin_memory;
	m->record = n.record_only;
	if (n.private_memory) {
		/* The model's guest never leaves the plain VM's memory, so it
		 * asks for no conversions. */
		ret = n.record_only ? 0 : enable_map_gpa_exits(m, err, errlen);
		if (ret)
			return ret;
		m->private_mem = true;
	}
	return 0;
}

int cvm_slot_added(struct machine *m, const struct mem_slot *s, char *err,
		   size_t errlen)
{
	struct kvm_enc_region r = { .addr = (uintptr_t)s->hva,
				    .size = s->size };

	struct sev_vm_call c = { .kind = SEV_VM_REG_REGION,
				 .gpa = s->gpa,
				 .size = r.size,
				 .hva = (void *)(uintptr_t)r.addr };

	if (!m->pin_mem)
		return 0;
	if (m->record)
		return cvm_record(m, &c, err, errlen);
	if (ioctl(m->vm_fd, KVM_MEMORY_ENCRYPT_REG_REGION, &r) < 0) {
		int ret = -errno;

		set_err(err, errlen,
			"KVM_MEMORY_ENCRYPT_REG_REGION [0x%llx, +0x%llx): %s%s",
			(unsigned long long)s->gpa, (unsigned long long)s->size,
			strerror(errno),
			errno == ENOMEM ? " (pinned guest memory counts "
					  "against RLIMIT_MEMLOCK)"
					: "");
		return ret;
	}
	return 0;
}

/* ------------------------------------------------ the guest's requests */

int cvm_map_gpa_args(const uint64_t args[3], uint64_t *gpa, uint64_t *size,
		     bool *to_private)
{
	/*
	 * args[1] counts 4 KiB pages whatever the page-size bits of args[2]
	 * say: the kernel's snp_begin_psc() (arch/x86/kvm/svm/sev.c) adds
	 * 512 per 2 MiB entry, and QEMU's kvm_handle_hc_map_gpa_range()
	 * converts args[1] * 4096 bytes.  The size bits only describe the
	 * entries the guest used.
	 */
	uint64_t npages = args[1];

	*gpa = args[0];
	*to_private = args[2] & KVM_MAP_GPA_RANGE_ENCRYPTED;
	if (*gpa & (SEV_PAGE_SIZE - 1) || npages == 0 ||
	    npages > CVM_MAP_GPA_MAX_PAGES ||
	    *gpa + npages * SEV_PAGE_SIZE < *gpa)
		return -EINVAL;
	*size = npages * SEV_PAGE_SIZE;
	return 0;
}

int cvm_memory_fault_check(int err, uint64_t flags, char *why, size_t len)
{
	if (err == EHWPOISON) {
		set_err(why, len,
			"the page is poisoned (a memory error in the "
			"guest_memfd); it cannot be converted");
		return -EHWPOISON;
	}
	if (err != EFAULT) {
		set_err(why, len, "KVM_RUN failed with %s", strerror(err));
		return -err;
	}
	if (flags & ~KVM_MEMORY_EXIT_FLAG_PRIVATE) {
		set_err(why, len,
			"the fault has flags 0x%llx, which sevboot does not "
			"know",
			(unsigned long long)flags);
		return -EPROTO;
	}
	return 0;
}

void cvm_sev_term_describe(uint64_t data0, char *buf, size_t len)
{
	/* GHCB specification 56421, "GHCB MSR protocol", Termination
	 * Request: GHCBInfo 0x100, reason set in bits 15:12, reason code in
	 * bits 23:16.  On the GHCB path (VMGEXIT 0x8000fffe) KVM reports the
	 * GHCB's address instead (arch/x86/kvm/svm/sev.c, the
	 * SVM_VMGEXIT_TERM_REQUEST case). */
	if ((data0 & 0xfff) == 0x100)
		set_err(buf, len, "GHCB reason set %llu, code %llu",
			(unsigned long long)(data0 >> 12) & 0xf,
			(unsigned long long)(data0 >> 16) & 0xff);
	else
		set_err(buf, len,
			"through the GHCB at 0x%llx, whose reason the host "
			"cannot read",
			(unsigned long long)data0);
}

/* ------------------------------------------- struct sev_machine for sev/ */

static uint8_t *machine_hva(void *ctx, uint64_t gpa, uint64_t len)
{
	return machine_gpa_ptr(ctx, gpa, len);
}

static int machine_set_reset_state(void *ctx, unsigned cpu,
				   const struct vmsa_regs *r, char *err,
				   size_t errlen)
{
	struct machine *m = ctx;

	if (cpu >= m->nvcpus)
		return -ENOENT;
	return vcpu_load_vmsa_regs(&m->vcpus[cpu], r, err, errlen);
}

static int machine_read_vmsa(void *ctx, unsigned cpu, uint64_t sev_features,
			     bool fpu, uint8_t page[VMSA_SIZE])
{
	struct machine *m = ctx;

	if (cpu >= m->nvcpus)
		return -ENOENT;
	return vcpu_read_vmsa(&m->vcpus[cpu], sev_features, fpu, page);
}

static int machine_cpuid(void *ctx, struct snp_cpuid_leaf *l, unsigned max)
{
	const struct machine *m = ctx;
	unsigned n;

	if (!m->cpuid0)
		return -ENODATA;
	n = m->cpuid0->nent < max ? m->cpuid0->nent : max;
	for (unsigned i = 0; i < n; i++) {
		const struct kvm_cpuid_entry2 *e = &m->cpuid0->entries[i];

		l[i] = (struct snp_cpuid_leaf){
			.function = e->function, .index = e->index,
			.eax = e->eax,		 .ebx = e->ebx,
			.ecx = e->ecx,		 .edx = e->edx,
		};
	}
	return (int)n;
}

int cvm_launch(struct machine *m, char *err, size_t errlen)
{
	m->sev_machine = (struct sev_machine){
		.ctx = m,
		.ncpus = m->nvcpus,
		.hva = machine_hva,
		.set_reset_state = machine_set_reset_state,
		.read_vmsa = machine_read_vmsa,
		.cpuid = machine_cpuid,
	};
	return sev_run_launch(m->cfg->sev, &m->sev_machine, err, errlen);
}
