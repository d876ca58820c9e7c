// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness for the vCPU exit handlers (vmm/vcpu.c's
 * vcpu_handle_exit): I/O, MMIO, hypercall (MAP_GPA_RANGE), memory fault
 * (conversion), system events and the rest, driven with arbitrary
 * kvm_run contents against a machine without KVM: two small RAM slots,
 * every port device on the I/O bus (as vmm/machine.c sets them up, over a
 * fake host), and vm_fd -1 so that a conversion that reaches KVM fails
 * the way a refused KVM_SET_MEMORY_ATTRIBUTES does.
 *
 * The input is a sequence of records: one byte choosing KVM_RUN's result
 * and the exit reason, then REC_RUN bytes copied over the start of the
 * run page (exit_reason is set from the choice), so every field of the
 * union is the fuzzer's.  The rest of the run page (where KVM puts port
 * I/O data) starts as a copy of the input.  Nothing may crash or touch
 * memory outside the run page and RAM; a hypercall the machine accepts
 * must lie in RAM (issue 9 item 1); an unknown hypercall gets -ENOSYS.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/unit/fake_host.h"
#include "util/kvm_uapi.h"
#include "vmm/machine.h"
#include "tests/fuzz/devio.h"

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "fuzz_vcpu: check failed: %s\n",       \
				#cond);                                        \
			abort();                                               \
		}                                                              \
	} while (0)

#define RUN_SIZE  (3 * 4096) /* KVM_GET_VCPU_MMAP_SIZE on x86 */
#define REC_RUN	  (32 + 96)  /* the header and the union's first bytes */
#define RAM_SIZE  0x8000
#define HIGH_BASE 0x100000000ULL

static const uint32_t reasons[] = {
	KVM_EXIT_IO,	       KVM_EXIT_MMIO,
	KVM_EXIT_HYPERCALL,    KVM_EXIT_MEMORY_FAULT,
	KVM_EXIT_SYSTEM_EVENT, KVM_EXIT_INTR,
	KVM_EXIT_HLT,	       KVM_EXIT_SHUTDOWN,
	KVM_EXIT_FAIL_ENTRY,   KVM_EXIT_INTERNAL_ERROR,
};
#define NREASONS (sizeof(reasons) / sizeof(reasons[0]))

static const int errs[] = {0, EFAULT, EHWPOISON, EINTR, EAGAIN, EIO};
#define NERRS (sizeof(errs) / sizeof(errs[0]))

struct devs {
	struct fake_host fh;
	struct serial *s;
	struct fwcfg *f;
	struct cmos *c;
	struct pci *p;
	struct i8042 *k;
	struct legacy *l;
};

static void devs_setup(struct devs *d, struct machine *m, uint8_t *ram)
{
	static const uint8_t blob[256] = {0x55, 0xaa};

	/* One pair of consoles for the process (as in fuzz_devices). */
	static struct console *sout, *dout;

	sout = sout ? sout : test_console(null_fd(), 256, 0, true);
	dout = dout ? dout : test_console(null_fd(), 256, 0, false);
	fake_host_init(&d->fh, ram, 0, RAM_SIZE);
	d->s = serial_new(&d->fh.h, SERIAL_COM1_IRQ, sout);
	d->f = fwcfg_new(&d->fh.h, true);
	d->c = cmos_new(&d->fh.h, RAM_SIZE, RAM_SIZE, 1);
	d->p = pci_new(&d->fh.h, &m->io);
	d->k = i8042_new(&d->fh.h);
	d->l = legacy_new(&d->fh.h, dout);
	if (!sout || !dout || !d->s || !d->f || !d->c || !d->p || !d->k || !d->l)
		abort();
	fwcfg_add(d->f, FW_CFG_KERNEL_DATA, blob, sizeof(blob));
	if (serial_attach(d->s, &m->io, SERIAL_COM1_BASE) ||
	    fwcfg_attach(d->f, &m->io) || cmos_attach(d->c, &m->io) ||
	    pci_attach(d->p) || i8042_attach(d->k, &m->io) ||
	    legacy_attach(d->l, &m->io))
		abort();
}

static void devs_free(struct devs *d)
{
	serial_free(d->s);
	fwcfg_free(d->f);
	cmos_free(d->c);
	pci_free(d->p);
	i8042_free(d->k);
	legacy_free(d->l);
}

/* What the handler must have done with a hypercall exit. */
static void check_hypercall(struct machine *m, const struct kvm_run *r)
{
	uint64_t gpa, size;
	bool priv;

	if (r->hypercall.nr != KVM_HC_MAP_GPA_RANGE) {
		CHECK(r->hypercall.ret == (uint64_t)-KVM_ENOSYS);
		return;
	}
	if (r->hypercall.ret != 0)
		return;
	/* Accepted: a sane range wholly in RAM, and KVM said yes. */
	CHECK(cvm_map_gpa_args((const uint64_t *)r->hypercall.args, &gpa, &size,
			       &priv) == 0);
	CHECK(machine_gpa_ptr(m, gpa, size) != NULL);
	CHECK(!m->private_mem);
}

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t n)
{
	static uint8_t low[RAM_SIZE], high[RAM_SIZE];
	static _Alignas(4096) uint8_t runbuf[RUN_SIZE];
	static _Atomic uint32_t io_exits[65536];
	static struct machine m;
	static struct vm_config cfg;
	struct kvm_run *r = (struct kvm_run *)runbuf;
	struct vcpu v = {0};
	struct devs d;

	signal(MACHINE_WAKE_SIGNAL, SIG_IGN);
	memset(&m, 0, sizeof(m));
	memset(low, 0, sizeof(low));
	memset(runbuf, 0, sizeof(runbuf));
	memcpy(runbuf, in, n < RUN_SIZE ? n : RUN_SIZE);
	/* Not verbose: -v's lines would flood the fuzzer's log. */
	cfg.verbose = false;
	m.cfg = &cfg;
	m.kvm_fd = m.vm_fd = -1;
	m.slots[0] = (struct mem_slot){0, RAM_SIZE, low, -1};
	m.slots[1] = (struct mem_slot){HIGH_BASE, RAM_SIZE, high, -1};
	m.nslots = 2;
	m.private_mem = n && (in[0] & 0x40);
	m.io_exits = n && (in[0] & 0x20) ? io_exits : NULL;
	/* 256 KiB: cleared only for an input that counts exits. */
	if (m.io_exits)
		memset(io_exits, 0, sizeof(io_exits));
	m.main_thread = pthread_self();
	pthread_mutex_init(&m.stop_lock, NULL);
	bus_init(&m.io);
	bus_init(&m.mmio);
	devs_setup(&d, &m, low);
	v = (struct vcpu){.m = &m, .fd = -1, .run = r, .run_size = RUN_SIZE};

	for (size_t i = 1; i + 1 + REC_RUN <= n; i += 1 + REC_RUN) {
		uint8_t sel = in[i];
		int err = errs[(sel >> 4) % NERRS];
		int ret;

		memcpy(runbuf, in + i + 1, REC_RUN);
		r->exit_reason = (sel & 15) < NREASONS
					 ? reasons[sel & 15]
					 : get_le32(in + i + 1, 0);
		atomic_store(&m.stopped, VM_RUNNING);
		m.stop_detail[0] = '\0';
		ret = vcpu_handle_exit(&v, err ? -1 : 0, err);
		/* Only a failed KVM_RUN ends the thread, and it stops the
		 * machine saying why. */
		CHECK(ret == 0 || (err && ret == -err &&
				   atomic_load(&m.stopped) == VM_STOP_ERROR &&
				   m.stop_detail[0]));
		if (!err && r->exit_reason == KVM_EXIT_HYPERCALL)
			check_hypercall(&m, r);
		/* A stop with an error always says what happened. */
		if (atomic_load(&m.stopped) == VM_STOP_ERROR)
			CHECK(m.stop_detail[0] != '\0');
	}
	devs_free(&d);
	pthread_mutex_destroy(&m.stop_lock);
	return 0;
}
