/* SPDX-License-Identifier: MIT */
/* The machine object, private to vmm/. */
#ifndef SEVBOOT_VMM_MACHINE_H
#define SEVBOOT_VMM_MACHINE_H

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>

#include "vmm/dev.h"
#include "vmm/vmm.h"

/* Where QEMU puts the VMX TSS too: outside any firmware window. */
#define MACHINE_TSS_ADDR 0xfeffd000ULL
/* OVMF's PcdAcpiPmBaseAddress: its ResetSystem writes there directly, so
 * the PM block lives at the same place for every boot path. */
#define MACHINE_PM_BASE 0xb000
#define MACHINE_SCI_IRQ 9
#define MACHINE_IOAPIC_ADDR 0xfec00000ULL
#define MACHINE_LAPIC_ADDR 0xfee00000ULL

/* Signal that kicks a vCPU thread out of KVM_RUN. */
#define VCPU_KICK_SIGNAL SIGUSR1
/* Signal a stopping vCPU or device sends the main thread. */
#define MACHINE_WAKE_SIGNAL SIGUSR2

struct machine;

struct vcpu {
	struct machine *m;
	unsigned id;
	int fd;
	struct kvm_run *run;
	size_t run_size;
	pthread_t thread;
	bool started;
	uint64_t exits;
	uint64_t exit_kinds[VM_EXIT_KINDS]; /* exits by kind */
};

struct mem_slot {
	uint64_t gpa, size;
	uint8_t *hva;
	int gmem_fd; /* SNP: the slot's guest_memfd; -1 otherwise */
};

/* -v names at most this many unhandled ports (a hostile guest could
 * otherwise make it print 65536 lines). */
#define MACHINE_PORTS_NAMED 32

struct machine {
	const struct vm_config *cfg;
	int kvm_fd, vm_fd;
	struct mem_layout layout;
	struct mem_slot slots[3]; /* low RAM, high RAM, firmware */
	unsigned nslots;

	struct bus io, mmio;
	struct dev_host host;
	struct serial *serial;
	struct console *serial_out, *debugcon_out; /* NULL: discarded */
	struct fwcfg *fwcfg;
	struct cmos *cmos;
	struct pci *pci;
	struct i8042 *i8042;
	struct legacy *legacy;
	struct e820_entry e820[E820_MAX];
	unsigned ne820;
	struct fwcfg_kernel fwk;
	struct acpi_fwcfg acpi;
	struct boot_plan *plan;

	struct vcpu *vcpus;
	unsigned nvcpus;
	/* vCPU 0's CPUID as loaded, for the SNP CPUID page. */
	struct kvm_cpuid2 *cpuid0;

	/* A confidential VM (vmm/cvm.c; cfg->sev is its launch): */
	bool pin_mem;	  /* SEV/SEV-ES on real KVM: REG_REGION every slot */
	bool private_mem; /* SNP on real KVM: guest_memfd slots */
	/* The firmware model: the two above are recorded (cvm_record())
	 * instead of asked of KVM, which runs a plain VM. */
	bool record;
	struct sev_machine sev_machine; /* what the launch sees of us */

	pthread_t main_thread;
	pthread_mutex_t stop_lock;
	/* The vCPU threads wait for go (under stop_lock) before their first
	 * KVM_RUN: the run loop is confined between their start and it. */
	pthread_cond_t go_cond;
	bool go;
	_Atomic int stopped; /* enum vm_stop; VM_RUNNING until the first stop */
	int stop_status;
	char stop_detail[200]; /* what stopped it, for error stops */
	_Atomic uint8_t io_seen[65536 / 8]; /* unhandled ports logged once */
	_Atomic unsigned io_named;	    /* ... at most MACHINE_PORTS_NAMED */
	_Atomic uint32_t *io_exits; /* per port, counted with -v only */
};

void machine_stop(struct machine *m, enum vm_stop why, int status);
/* A vCPU thread waits here until vm_run lets the guest run. */
void machine_wait_go(struct machine *m);
/* The same, with a sentence saying what happened (kept if first). */
void machine_stop_detail(struct machine *m, enum vm_stop why, int status,
			 const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
int vcpu_create(struct machine *m, struct vcpu *v, unsigned id,
		const struct kvm_cpuid2 *supported, char *err, size_t errlen);
/* May vCPU v's registers still be written?  0, or -EINVAL (with err)
 * once its VMSA is encrypted on a VM type with protected state, as the
 * kernel's register setters answer (Linux arch/x86/kvm/x86.c
 * kvm_arch_vcpu_ioctl_set_regs(), 6.10+).  Every register write asks. */
int vcpu_may_write_regs(struct vcpu *v, char *err, size_t errlen);
int vcpu_set_boot_state(struct vcpu *v, const struct boot_cpu_state *s,
			char *err, size_t errlen);
int vcpu_start(struct vcpu *v);
/*
 * One return of KVM_RUN (ret, and errno in err when ret < 0) handled as
 * the vCPU thread does: the exit in v->run dispatched to the buses, the
 * conversions or a stop of the machine.  Everything in v->run is taken as
 * untrusted.  Non-zero (-errno) when KVM_RUN itself failed and the thread
 * must end; the machine is stopped then.
 */
int vcpu_handle_exit(struct vcpu *v, int ret, int err);
void vcpu_kick(struct vcpu *v);
void vcpu_destroy(struct vcpu *v);
/* One line on where a stopped vCPU is (RIP, CS base, IF, MP state). */
void vcpu_describe(struct vcpu *v, char *buf, size_t len);
struct kvm_cpuid2 *kvm_supported_cpuid(int kvm_fd);

/* vCPU registers <-> the VMSA's reset state (SEV-ES/SNP). */
int vcpu_load_vmsa_regs(struct vcpu *v, const struct vmsa_regs *r,
			char *err, size_t errlen);
/* The VMSA KVM would build from this vCPU's registers now (the firmware
 * model's view): fpu says whether the x87/SSE state is synced (INIT2). */
int vcpu_read_vmsa(struct vcpu *v, uint64_t sev_features, bool fpu,
		   uint8_t page[4096]);

/* vmm/memory.c: guest memory services. */
/* Guest RAM for a slot: anonymous, lazily backed (MAP_NORESERVE), and
 * never in a core file (MADV_DONTDUMP).  NULL with errno. */
uint8_t *mem_map_ram(uint64_t size);
/* The host mapping of guest [gpa, gpa + len), or NULL. */
void *machine_gpa_ptr(struct machine *m, uint64_t gpa, uint64_t len);
/* A RAM slot at gpa (a guest_memfd slot, all private, when private_mem)
 * into *out; 0 or -errno with err filled. */
int mem_add_slot(struct machine *m, uint64_t gpa, uint64_t size,
		 struct mem_slot **out, char *err, size_t errlen);
/* The guest's conversion (MAP_GPA_RANGE, memory faults): the attribute,
 * then mem_release().  0 or -errno. */
int mem_convert(struct machine *m, uint64_t gpa, uint64_t size,
		bool to_private);
/*
 * After a conversion, free the half that no longer backs the range, so no
 * page is backed twice (as QEMU's kvm_convert_memory() does): going
 * private drops the shared mapping's pages (MADV_DONTNEED), going shared
 * punches the range out of the guest_memfd (FALLOC_FL_PUNCH_HOLE).
 */
int mem_release(struct machine *m, uint64_t gpa, uint64_t size,
		bool to_private);
void mem_free_slots(struct machine *m);
/* Bytes of guest RAM resident in this process. */
uint64_t mem_guest_resident(const struct machine *m);

/* vmm/cvm.c: the confidential-VM hooks, in the kernel's order. */
unsigned long cvm_vm_type(const struct machine *m);
/* After KVM_CREATE_VM, before memory and vCPUs: the launch's INIT. */
int cvm_init(struct machine *m, char *err, size_t errlen);
/* After each RAM slot: pin it (SEV/SEV-ES). */
/* A call the real VM would take, handed to the model's kernel-rules
 * layer instead (m->record): 0 or its -errno with err filled. */
int cvm_record(struct machine *m, const struct sev_vm_call *c, char *err,
	       size_t errlen);
int cvm_slot_added(struct machine *m, const struct mem_slot *s, char *err,
		   size_t errlen);
/* Every vCPU exists, none ran: the launch sequence. */
int cvm_launch(struct machine *m, char *err, size_t errlen);

/* What the guest asks, checked before use (pure, for the exit handlers). */
/* At most this many pages in one conversion: 1 TiB, more than any guest
 * sevboot can give RAM. */
#define CVM_MAP_GPA_MAX_PAGES ((1ULL << 40) / 4096)
/* KVM_HC_MAP_GPA_RANGE's args -> [gpa, gpa + size) and its direction;
 * -EINVAL for a misaligned, empty, oversized or wrapping range. */
int cvm_map_gpa_args(const uint64_t args[3], uint64_t *gpa, uint64_t *size,
		     bool *to_private);
/* A KVM_EXIT_MEMORY_FAULT with KVM_RUN's errno err: 0 when it is a
 * conversion request; else -errno with why filled (a poisoned page,
 * flags sevboot does not know). */
int cvm_memory_fault_check(int err, uint64_t flags, char *why, size_t len);
/* RLIMIT_MEMLOCK for need bytes of pinned memory: 0 with *new_soft the
 * soft limit to set (raised to hard when that is enough; unchanged with
 * CAP_IPC_LOCK), or -ENOMEM with why saying how much and how to get it. */
int cvm_memlock_plan(uint64_t need, uint64_t soft, uint64_t hard,
		     bool cap_ipc_lock, uint64_t *new_soft, char *why,
		     size_t len);
/* A KVM_SYSTEM_EVENT_SEV_TERM's data[0] in words. */
void cvm_sev_term_describe(uint64_t data0, char *buf, size_t len);

#endif
