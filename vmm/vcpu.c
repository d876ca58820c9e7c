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

	v->m = m;
	v->id = id;
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

int vcpu_set_boot_state(struct vcpu *v, const struct boot_cpu_state *s,
			char *err, size_t errlen)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	int ret;

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

/* With -v, name each port nobody decodes, once: it tells what a guest
 * expects from the machine. */
static void note_unhandled_port(struct machine *m, uint16_t port, bool out)
{
	uint8_t bit = 1u << (port & 7);

	if (!m->cfg->verbose ||
	    (atomic_fetch_or(&m->io_seen[port >> 3], bit) & bit))
		return;
	fprintf(stderr, "sevboot: guest %s unhandled port 0x%x\n",
		out ? "wrote" : "read", port);
}

/* One KVM_EXIT_IO: count items of size bytes, data in the run page. */
static void handle_io(struct vcpu *v)
{
	struct kvm_run *r = v->run;
	uint8_t *data = (uint8_t *)r + r->io.data_offset;
	unsigned size = r->io.size;

	/* The kernel guarantees data lies in the run area; check anyway,
	 * the run page is shared with the kernel only, but a bug here would
	 * scribble over our own memory. */
	if (r->io.data_offset >= v->run_size || size == 0 || size > 8 ||
	    (uint64_t)r->io.count * size > v->run_size - r->io.data_offset) {
		machine_stop_detail(v->m, VM_STOP_ERROR, -EINVAL,
				    "vCPU %u: malformed I/O exit", v->id);
		return;
	}
	if (v->m->io_exits)
		atomic_fetch_add_explicit(&v->m->io_exits[r->io.port], 1,
					  memory_order_relaxed);
	for (uint32_t i = 0; i < r->io.count; i++, data += size) {
		bool out = r->io.direction == KVM_EXIT_IO_OUT;

		if (!bus_access(&v->m->io, r->io.port, data, size, out))
			note_unhandled_port(v->m, r->io.port, out);
	}
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

static void *vcpu_thread(void *arg)
{
	struct vcpu *v = arg;
	struct machine *m = v->m;
	sigset_t set;

	/* Only the kick signal may interrupt KVM_RUN in this thread. */
	sigfillset(&set);
	sigdelset(&set, VCPU_KICK_SIGNAL);
	pthread_sigmask(SIG_SETMASK, &set, NULL);

	while (atomic_load(&m->stopped) == VM_RUNNING) {
		int ret = ioctl(v->fd, KVM_RUN, 0);

		if (ret < 0) {
			if (errno == EINTR || errno == EAGAIN) {
				v->run->immediate_exit = 0;
				continue;
			}
			machine_stop_detail(m, VM_STOP_ERROR, -errno,
					    "KVM_RUN on vCPU %u failed: %s",
					    v->id, strerror(errno));
			break;
		}
		v->exits++;
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
		case KVM_EXIT_HLT:
			/* Only without an in-kernel LAPIC, which we always
			 * have; a halted guest with no LAPIC never wakes. */
			machine_stop(m, VM_STOP_POWEROFF, 0);
			break;
		case KVM_EXIT_SHUTDOWN:
			machine_stop(m, VM_STOP_TRIPLE_FAULT, (int)v->id);
			break;
		case KVM_EXIT_SYSTEM_EVENT:
			switch (v->run->system_event.type) {
			case KVM_SYSTEM_EVENT_SHUTDOWN:
				machine_stop(m, VM_STOP_POWEROFF, 0);
				break;
			case KVM_SYSTEM_EVENT_RESET:
				machine_stop(m, VM_STOP_RESET, 0);
				break;
			default:
				machine_stop_detail(
					m, VM_STOP_ERROR, -EIO,
					"vCPU %u: unexpected system event %u",
					v->id, v->run->system_event.type);
				break;
			}
			break;
		case KVM_EXIT_FAIL_ENTRY:
		case KVM_EXIT_INTERNAL_ERROR:
		default:
			report_bad_exit(v);
			break;
		}
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

void vcpu_destroy(struct vcpu *v)
{
	if (v->run)
		munmap(v->run, v->run_size);
	if (v->fd >= 0)
		close(v->fd);
	v->run = NULL;
	v->fd = -1;
}
