// SPDX-License-Identifier: MIT
/* vCPUs: creation, CPUID, boot register state and the exit loop. */
#include <errno.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util/kvm_uapi.h"
#include "vmm/machine.h"

struct kvm_cpuid2 *kvm_supported_cpuid(int kvm_fd)
{
	for (unsigned n = 64; n <= 4096; n *= 2) {
		struct kvm_cpuid2 *c =
			calloc(1, sizeof(*c) + n * sizeof(c->entries[0]));

		if (!c)
			return NULL;
		c->nent = n;
		if (ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, c) == 0)
			return c;
		free(c);
		if (errno != E2BIG)
			return NULL;
	}
	errno = E2BIG;
	return NULL;
}

static unsigned order_base_2(unsigned n)
{
	unsigned b = 0;

	while ((1u << b) < n)
		b++;
	return b;
}

/*
 * Per-vCPU CPUID: the host-supported table with this vCPU's APIC id and a
 * topology of ncpus cores in one socket, one thread each, so Linux and OVMF
 * agree with the MADT/fw_cfg CPU count.
 */
static void cpuid_personalise(struct kvm_cpuid2 *c, unsigned id,
			      unsigned ncpus)
{
	unsigned shift = order_base_2(ncpus);

	for (unsigned i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];

		switch (e->function) {
		case 1:
			e->ebx = (e->ebx & 0x0000ffff) | (id << 24) |
				 ((ncpus > 255 ? 255 : ncpus) << 16);
			if (ncpus > 1)
				e->edx |= 1u << 28; /* HTT: count is valid */
			e->ecx |= 1u << 31;	    /* hypervisor present */
			break;
		case 0xb:
		case 0x1f:
			e->edx = id;
			if (e->index == 0) { /* SMT level: 1 thread */
				e->eax = 0;
				e->ebx = 1;
				e->ecx = 0x100;
			} else if (e->index == 1) { /* core level */
				e->eax = shift;
				e->ebx = ncpus;
				e->ecx = 0x201;
			} else {
				e->eax = e->ebx = 0;
				e->ecx = e->index;
			}
			break;
		case 0x80000008:
			e->ecx = (e->ecx & ~0xf0ffu) | (shift << 12) |
				 ((ncpus - 1) & 0xff);
			break;
		case 0x8000001e:
			e->eax = id;
			e->ebx = id & 0xff; /* core id, 1 thread per core */
			e->ecx = 0;
			break;
		}
	}
}

int vcpu_create(struct machine *m, struct vcpu *v, unsigned id,
		const struct kvm_cpuid2 *supported, char *err, size_t errlen)
{
	size_t sz = sizeof(*supported) +
		    supported->nent * sizeof(supported->entries[0]);
	struct kvm_cpuid2 *c;
	int mmap_size, ret;

	struct sev_vm_call rec = { .kind = SEV_VM_CREATE_VCPU, .vcpu = id };

	v->m = m;
	v->id = id;
	if (m->record) {
		ret = cvm_record(m, &rec, err, errlen);
		if (ret)
			return ret;
	}
	v->fd = ioctl(m->vm_fd, KVM_CREATE_VCPU, (unsigned long)id);
	if (v->fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "KVM_CREATE_VCPU %u: %s", id,
			 strerror(errno));
		return ret;
	}
	mmap_size = ioctl(m->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (mmap_size < (int)sizeof(struct kvm_run)) {
		snprintf(err, errlen, "KVM_GET_VCPU_MMAP_SIZE returned %d",
			 mmap_size);
		return -EINVAL;
	}
	v->run_size = mmap_size;
	v->run = mmap(NULL, v->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      v->fd, 0);
	if (v->run == MAP_FAILED) {
		v->run = NULL;
		ret = -errno;
		snprintf(err, errlen, "mmap of vCPU %u run area: %s", id,
			 strerror(errno));
		return ret;
	}
	c = malloc(sz);
	if (!c) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	memcpy(c, supported, sz);
	cpuid_personalise(c, id, m->nvcpus);
	ret = ioctl(v->fd, KVM_SET_CPUID2, c);
	if (id == 0 && ret == 0 && !m->cpuid0)
		m->cpuid0 = c; /* the SNP CPUID page is built from it */
	else
		free(c);
	if (ret < 0) {
		ret = -errno;
		snprintf(err, errlen, "KVM_SET_CPUID2 on vCPU %u: %s", id,
			 strerror(errno));
		return ret;
	}
	return 0;
}

static void seg_flat(struct kvm_segment *s, uint16_t sel, uint8_t type,
		     bool code64)
{
	memset(s, 0, sizeof(*s));
	s->selector = sel;
	s->base = 0;
	s->limit = 0xffffffff;
	s->type = type;
	s->present = 1;
	s->s = 1;
	s->g = 1;
	s->l = code64;
	s->db = !code64;
}

int vcpu_may_write_regs(struct vcpu *v, char *err, size_t errlen)
{
	struct sev_vm_call rec = { .kind = SEV_VM_SET_REGS, .vcpu = v->id };

	/* On real KVM the setters themselves refuse (-EINVAL once a
	 * protected-state vCPU's VMSA is encrypted); the firmware model's
	 * plain VM would not, so its kernel-rules layer is asked. */
	return v->m->record ? cvm_record(v->m, &rec, err, errlen) : 0;
}

int vcpu_set_boot_state(struct vcpu *v, const struct boot_cpu_state *s,
			char *err, size_t errlen)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	int ret;

	ret = vcpu_may_write_regs(v, err, errlen);
	if (ret)
		return ret;

	if (ioctl(v->fd, KVM_GET_SREGS, &sregs) < 0)
		goto fail;
	seg_flat(&sregs.cs, s->cs_sel, 0xb, true);
	seg_flat(&sregs.ds, s->ds_sel, 0x3, false);
	sregs.es = sregs.fs = sregs.gs = sregs.ss = sregs.ds;
	sregs.gdt.base = s->gdt_base;
	sregs.gdt.limit = s->gdt_limit;
	sregs.cr0 = s->cr0;
	sregs.cr3 = s->cr3;
	sregs.cr4 = s->cr4;
	sregs.efer = s->efer;
	if (ioctl(v->fd, KVM_SET_SREGS, &sregs) < 0)
		goto fail;
	memset(&regs, 0, sizeof(regs));
	regs.rip = s->rip;
	regs.rsi = s->rsi;
	regs.rsp = s->rsp;
	regs.rflags = s->rflags ? s->rflags : 0x2;
	if (ioctl(v->fd, KVM_SET_REGS, &regs) < 0)
		goto fail;
	return 0;
fail:
	ret = -errno;
	snprintf(err, errlen, "setting boot registers of vCPU %u: %s", v->id,
		 strerror(errno));
	return ret;
}

/* ------------------------------------------------ SEV-ES/SNP reset state */

/* VMCB segment attributes (type, S, DPL, P, AVL, L, D/B, G in 12 bits)
 * <-> KVM's unpacked kvm_segment fields. */
static void seg_from_vmsa(struct kvm_segment *k, const struct vmsa_seg *s)
{
	memset(k, 0, sizeof(*k));
	k->selector = s->selector;
	k->base = s->base;
	k->limit = s->limit;
	k->type = s->attrib & 0xf;
	k->s = (s->attrib >> 4) & 1;
	k->dpl = (s->attrib >> 5) & 3;
	k->present = (s->attrib >> 7) & 1;
	k->avl = (s->attrib >> 8) & 1;
	k->l = (s->attrib >> 9) & 1;
	k->db = (s->attrib >> 10) & 1;
	k->g = (s->attrib >> 11) & 1;
	k->unusable = !k->present;
}

#define MSR_IA32_CR_PAT 0x277
#define CR0_CD (1ULL << 30)
#define CR0_NW (1ULL << 29)
#define CR4_MCE (1ULL << 6)
#define EFER_SVME (1ULL << 12)

struct one_msr {
	struct kvm_msrs hdr;
	struct kvm_msr_entry e;
};

/*
 * Load a VMSA's reset state.  What KVM adds on its own when it syncs the
 * VMSA (EFER.SVME, CR4.MCE; CR0 loses CD/NW under the CD_NW_CLEARED
 * quirk) is left to KVM, as QEMU does: the architectural reset CR0
 * (0x60000010) goes in and 0x10 comes out.
 */
int vcpu_load_vmsa_regs(struct vcpu *v, const struct vmsa_regs *r,
			char *err, size_t errlen)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	struct kvm_fpu fpu;
	struct kvm_xcrs xcrs;
	struct kvm_debugregs dbg;
	struct one_msr pat = { .hdr.nmsrs = 1,
			       .e = { .index = MSR_IA32_CR_PAT,
				      .data = r->g_pat } };
	const char *what;
	int ret = vcpu_may_write_regs(v, err, errlen);

	if (ret)
		return ret;
	what = "KVM_GET_SREGS";
	if (ioctl(v->fd, KVM_GET_SREGS, &sregs) < 0)
		goto fail;
	seg_from_vmsa(&sregs.es, &r->es);
	seg_from_vmsa(&sregs.cs, &r->cs);
	seg_from_vmsa(&sregs.ss, &r->ss);
	seg_from_vmsa(&sregs.ds, &r->ds);
	seg_from_vmsa(&sregs.fs, &r->fs);
	seg_from_vmsa(&sregs.gs, &r->gs);
	seg_from_vmsa(&sregs.ldt, &r->ldtr);
	seg_from_vmsa(&sregs.tr, &r->tr);
	sregs.gdt.base = r->gdtr.base;
	sregs.gdt.limit = (uint16_t)r->gdtr.limit;
	sregs.idt.base = r->idtr.base;
	sregs.idt.limit = (uint16_t)r->idtr.limit;
	sregs.cr0 = r->cr0 | CR0_CD | CR0_NW;
	sregs.cr3 = r->cr3;
	sregs.cr4 = r->cr4 & ~CR4_MCE;
	sregs.efer = r->efer & ~EFER_SVME;
	what = "KVM_SET_SREGS";
	if (ioctl(v->fd, KVM_SET_SREGS, &sregs) < 0)
		goto fail;
	memset(&regs, 0, sizeof(regs));
	regs.rip = r->rip;
	regs.rflags = r->rflags;
	regs.rdx = r->rdx;
	what = "KVM_SET_REGS";
	if (ioctl(v->fd, KVM_SET_REGS, &regs) < 0)
		goto fail;
	what = "KVM_GET_FPU";
	if (ioctl(v->fd, KVM_GET_FPU, &fpu) < 0)
		goto fail;
	fpu.fcw = r->x87_fcw ? r->x87_fcw : 0x37f;
	fpu.mxcsr = r->mxcsr ? r->mxcsr : 0x1f80;
	what = "KVM_SET_FPU";
	if (ioctl(v->fd, KVM_SET_FPU, &fpu) < 0)
		goto fail;
	memset(&xcrs, 0, sizeof(xcrs));
	xcrs.nr_xcrs = 1;
	xcrs.xcrs[0].xcr = 0;
	xcrs.xcrs[0].value = r->xcr0;
	what = "KVM_SET_XCRS";
	if (ioctl(v->fd, KVM_SET_XCRS, &xcrs) < 0)
		goto fail;
	memset(&dbg, 0, sizeof(dbg));
	dbg.dr6 = r->dr6;
	dbg.dr7 = r->dr7;
	what = "KVM_SET_DEBUGREGS";
	if (ioctl(v->fd, KVM_SET_DEBUGREGS, &dbg) < 0)
		goto fail;
	what = "KVM_SET_MSRS(PAT)";
	if (ioctl(v->fd, KVM_SET_MSRS, &pat) != 1)
		goto fail;
	return 0;
fail:
	snprintf(err, errlen, "loading the SEV reset state of vCPU %u: %s: %s",
		 v->id, what, strerror(errno ? errno : EIO));
	return errno ? -errno : -EIO;
}

/* The VMSA KVM would make of this vCPU now (sev_es_sync_vmsa), built by
 * sev/ from the vCPU's registers: the firmware model measures it. */
int vcpu_read_vmsa(struct vcpu *v, uint64_t sev_features, bool fpu_synced,
		   uint8_t page[4096])
{
	return vmsa_read_vcpu(v->fd, sev_features, fpu_synced, page);
}

/* With -v, name each port nobody decodes, once: it tells what a guest
 * expects from the machine.  Only the first MACHINE_PORTS_NAMED: a guest
 * that probes every port must not fill the terminal. */
static void note_unhandled_port(struct machine *m, uint16_t port, bool out)
{
	uint8_t bit = 1u << (port & 7);
	unsigned n;

	if (!m->cfg->verbose ||
	    (atomic_fetch_or(&m->io_seen[port >> 3], bit) & bit))
		return;
	n = atomic_fetch_add(&m->io_named, 1);
	if (n < MACHINE_PORTS_NAMED)
		fprintf(stderr, "sevboot: guest %s unhandled port 0x%x\n",
			out ? "wrote" : "read", port);
	else if (n == MACHINE_PORTS_NAMED)
		fprintf(stderr,
			"sevboot: the guest uses more unhandled ports; -v "
			"names the first %d\n",
			MACHINE_PORTS_NAMED);
}

/* One KVM_EXIT_IO: count items of size bytes, data in the run page. */
static void handle_io(struct vcpu *v)
{
	struct kvm_run *r = v->run;
	/* Read once: an IN writes into the run page, and were data to
	 * overlap these fields it would change them under the loop. */
	const uint64_t offset = r->io.data_offset;
	const uint32_t count = r->io.count;
	const uint16_t port = r->io.port;
	const unsigned size = r->io.size;
	const bool out = r->io.direction == KVM_EXIT_IO_OUT;
	uint8_t *data;

	/* The kernel puts the data in the run area after struct kvm_run
	 * (KVM_PIO_PAGE_OFFSET, arch/x86/include/uapi/asm/kvm.h); check
	 * anyway, a bug here would scribble over our own memory.  The
	 * pointer is formed only after the check: run + a wild offset is
	 * already undefined behaviour. */
	if (offset < sizeof(*r) || offset >= v->run_size || size == 0 ||
	    size > 8 || (uint64_t)count * size > v->run_size - offset) {
		machine_stop_detail(v->m, VM_STOP_ERROR, -EINVAL,
				    "vCPU %u: malformed I/O exit", v->id);
		return;
	}
	data = (uint8_t *)r + offset;
	if (v->m->io_exits)
		atomic_fetch_add_explicit(&v->m->io_exits[port], 1,
					  memory_order_relaxed);
	for (uint32_t i = 0; i < count; i++, data += size)
		if (!bus_access(&v->m->io, port, data, size, out))
			note_unhandled_port(v->m, port, out);
}

static void handle_mmio(struct vcpu *v)
{
	struct kvm_run *r = v->run;
	unsigned len = r->mmio.len;

	if (len == 0 || len > 8)
		return;
	bus_access(&v->m->mmio, r->mmio.phys_addr, r->mmio.data, len,
		   r->mmio.is_write);
}

/*
 * KVM_HC_MAP_GPA_RANGE: an SNP guest converts pages (a Page State Change
 * through the GHCB).  The range comes from the guest: it must be a sane
 * range wholly inside one RAM slot, or the guest gets the kernel's
 * invalid-argument return and nothing is asked of KVM.  ret 0 tells KVM
 * the conversion happened.
 */
static void handle_hypercall(struct vcpu *v)
{
	struct kvm_run *r = v->run;
	const uint64_t args[3] = { r->hypercall.args[0], r->hypercall.args[1],
				   r->hypercall.args[2] };
	uint64_t gpa, size;
	bool to_private;

	if (r->hypercall.nr != KVM_HC_MAP_GPA_RANGE) {
		r->hypercall.ret = (uint64_t)-KVM_ENOSYS;
		return;
	}
	if (cvm_map_gpa_args(args, &gpa, &size, &to_private) ||
	    !machine_gpa_ptr(v->m, gpa, size)) {
		r->hypercall.ret = (uint64_t)-KVM_EINVAL;
		return;
	}
	r->hypercall.ret = mem_convert(v->m, gpa, size, to_private)
				   ? (uint64_t)-KVM_EINVAL
				   : 0;
}

/* KVM_RUN failed with err on a memory fault: the guest touched memory as
 * private or shared against its attribute, and asks for a conversion. */
static void handle_memory_fault(struct vcpu *v, int err)
{
	struct sb_kvm_memory_fault *f = sb_kvm_run_memory_fault(v->run);
	char why[160];
	int ret = cvm_memory_fault_check(err, f->flags, why, sizeof(why));

	if (!ret)
		ret = mem_convert(v->m, f->gpa & ~4095ULL,
				  (f->size + 4095) & ~4095ULL,
				  f->flags & KVM_MEMORY_EXIT_FLAG_PRIVATE);
	if (!ret)
		return;
	if (ret != -EHWPOISON && ret != -EPROTO)
		snprintf(why, sizeof(why), "converting it: %s", strerror(-ret));
	machine_stop_detail(v->m, VM_STOP_ERROR, ret,
			    "vCPU %u: memory fault at [0x%llx, +0x%llx): %s",
			    v->id, (unsigned long long)f->gpa,
			    (unsigned long long)f->size, why);
}

static void report_bad_exit(struct vcpu *v)
{
	struct kvm_run *r = v->run;

	if (r->exit_reason == KVM_EXIT_FAIL_ENTRY)
		machine_stop_detail(v->m, VM_STOP_ERROR, -EIO,
				    "vCPU %u: KVM could not enter the guest "
				    "(hardware reason 0x%llx)",
				    v->id, (unsigned long long)
				    r->fail_entry.hardware_entry_failure_reason);
	else if (r->exit_reason == KVM_EXIT_INTERNAL_ERROR)
		machine_stop_detail(v->m, VM_STOP_ERROR, -EIO,
				    "vCPU %u: KVM internal error, suberror %u "
				    "(often an instruction KVM cannot emulate)",
				    v->id, r->internal.suberror);
	else
		machine_stop_detail(v->m, VM_STOP_ERROR, -EIO,
				    "vCPU %u: unexpected KVM exit reason %u",
				    v->id, r->exit_reason);
}

static void handle_system_event(struct vcpu *v)
{
	struct machine *m = v->m;

	switch (v->run->system_event.type) {
	case KVM_SYSTEM_EVENT_SHUTDOWN:
		machine_stop(m, VM_STOP_POWEROFF, 0);
		break;
	case KVM_SYSTEM_EVENT_RESET:
		machine_stop(m, VM_STOP_RESET, 0);
		break;
	case KVM_SYSTEM_EVENT_SEV_TERM: {
		char why[120];

		cvm_sev_term_describe(v->run->system_event.data[0], why,
				      sizeof(why));
		machine_stop_detail(m, VM_STOP_ERROR, -EIO,
				    "vCPU %u: the SEV guest asked to be "
				    "terminated (%s)",
				    v->id, why);
		break;
	}
	default:
		machine_stop_detail(m, VM_STOP_ERROR, -EIO,
				    "vCPU %u: unexpected system event %u",
				    v->id, v->run->system_event.type);
		break;
	}
}

int vcpu_handle_exit(struct vcpu *v, int ret, int err)
{
	struct machine *m = v->m;

	if (ret < 0 && (err == EFAULT || err == EHWPOISON) &&
	    v->run->exit_reason == KVM_EXIT_MEMORY_FAULT) {
		/* SNP: the guest touched memory as private/shared against
		 * its attribute; KVM reports it failing. */
		v->exits++;
		v->exit_kinds[VM_EXIT_MEMORY_FAULT]++;
		handle_memory_fault(v, err);
		return 0;
	}
	if (ret < 0) {
		if (err == EINTR || err == EAGAIN) {
			v->run->immediate_exit = 0;
			return 0;
		}
		machine_stop_detail(m, VM_STOP_ERROR, -err,
				    "KVM_RUN on vCPU %u failed: %s", v->id,
				    strerror(err));
		return -err;
	}
	v->exits++;
	v->exit_kinds[vm_exit_kind_of(v->run->exit_reason)]++;
	switch (v->run->exit_reason) {
	case KVM_EXIT_IO:
		handle_io(v);
		break;
	case KVM_EXIT_MMIO:
		handle_mmio(v);
		break;
	case KVM_EXIT_INTR:
		v->run->immediate_exit = 0;
		break;
	case KVM_EXIT_HYPERCALL:
		handle_hypercall(v);
		break;
	case KVM_EXIT_HLT:
		/* Only without an in-kernel LAPIC, which we always have; a
		 * halted guest with no LAPIC never wakes. */
		machine_stop(m, VM_STOP_POWEROFF, 0);
		break;
	case KVM_EXIT_SHUTDOWN:
		machine_stop(m, VM_STOP_TRIPLE_FAULT, (int)v->id);
		break;
	case KVM_EXIT_SYSTEM_EVENT:
		handle_system_event(v);
		break;
	case KVM_EXIT_FAIL_ENTRY:
	case KVM_EXIT_INTERNAL_ERROR:
	default:
		report_bad_exit(v);
		break;
	}
	return 0;
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *v = arg;
	sigset_t set;

	/* Only the kick signal may interrupt KVM_RUN in this thread; SIGSYS
	 * stays open for the seccomp filter's report (vmm/confine.c). */
	sigfillset(&set);
	sigdelset(&set, VCPU_KICK_SIGNAL);
	sigdelset(&set, SIGSYS);
	pthread_sigmask(SIG_SETMASK, &set, NULL);
	machine_wait_go(v->m);
	if (v->id == 0 && atomic_load(&v->m->stopped) == VM_RUNNING)
		tl_mark(v->m->cfg->tl, "first KVM_RUN", "vCPU 0");

	while (atomic_load(&v->m->stopped) == VM_RUNNING) {
		int ret = ioctl(v->fd, KVM_RUN, 0);

		if (vcpu_handle_exit(v, ret, ret < 0 ? errno : 0))
			break;
	}
	return NULL;
}

int vcpu_start(struct vcpu *v)
{
	int ret = pthread_create(&v->thread, NULL, vcpu_thread, v);

	if (ret)
		return -ret;
	v->started = true;
	return 0;
}

void vcpu_kick(struct vcpu *v)
{
	if (!v->run || !v->started)
		return;
	v->run->immediate_exit = 1;
	pthread_kill(v->thread, VCPU_KICK_SIGNAL);
}

void vcpu_describe(struct vcpu *v, char *buf, size_t len)
{
	static const char *const mp[] = { "runnable", "uninitialized",
					  "init-received", "halted",
					  "sipi-received", "stopped",
					  "check-stop", "operating", "load" };
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	struct kvm_mp_state st;

	if (ioctl(v->fd, KVM_GET_REGS, &regs) < 0 ||
	    ioctl(v->fd, KVM_GET_SREGS, &sregs) < 0 ||
	    ioctl(v->fd, KVM_GET_MP_STATE, &st) < 0) {
		snprintf(buf, len, "vCPU %u: registers unreadable: %s", v->id,
			 strerror(errno));
		return;
	}
	snprintf(buf, len,
		 "vCPU %u: rip 0x%llx (cs base 0x%llx), rflags 0x%llx "
		 "(interrupts %s), cr0 0x%llx, %s, %llu exits",
		 v->id, (unsigned long long)regs.rip,
		 (unsigned long long)sregs.cs.base,
		 (unsigned long long)regs.rflags,
		 (regs.rflags & 0x200) ? "on" : "off",
		 (unsigned long long)sregs.cr0,
		 st.mp_state < sizeof(mp) / sizeof(mp[0]) ? mp[st.mp_state]
							   : "?",
		 (unsigned long long)v->exits);
}

void vcpu_destroy(struct vcpu *v)
{
	if (v->run)
		munmap(v->run, v->run_size);
	if (v->fd >= 0)
		close(v->fd);
	v->run = NULL;
	v->fd = -1;
}
