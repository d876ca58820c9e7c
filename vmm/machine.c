// SPDX-License-Identifier: MIT
/* The machine: VM, guest memory, devices, boot setup and the run. */
#include <errno.h>
#include <linux/kvm.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "util/kvm_uapi.h"
#include "util/util.h"
#include "vmm/machine.h"

const char *vm_stop_name(enum vm_stop why)
{
	switch (why) {
	case VM_RUNNING:
		return "running";
	case VM_STOP_POWEROFF:
		return "poweroff";
	case VM_STOP_RESET:
		return "reset";
	case VM_STOP_TRIPLE_FAULT:
		return "triple-fault";
	case VM_STOP_DEBUG_EXIT:
		return "debug-exit";
	case VM_STOP_ERROR:
		return "error";
	case VM_STOP_TIMEOUT:
		return "timeout";
	case VM_STOP_SIGNAL:
		return "signal";
	case VM_STOP_LAUNCHED:
		return "launched";
	case VM_STOP_MARKED:
		return "marked";
	}
	return "?";
}

enum vm_exit_kind vm_exit_kind_of(uint32_t exit_reason)
{
	switch (exit_reason) {
	case KVM_EXIT_IO:
		return VM_EXIT_IO;
	case KVM_EXIT_MMIO:
		return VM_EXIT_MMIO;
	case KVM_EXIT_HYPERCALL:
		return VM_EXIT_HYPERCALL;
	case KVM_EXIT_MEMORY_FAULT:
		return VM_EXIT_MEMORY_FAULT;
	case KVM_EXIT_INTR:
		return VM_EXIT_INTR;
	case KVM_EXIT_HLT:
		return VM_EXIT_HLT;
	case KVM_EXIT_SHUTDOWN:
		return VM_EXIT_SHUTDOWN;
	case KVM_EXIT_SYSTEM_EVENT:
		return VM_EXIT_SYSTEM_EVENT;
	}
	return VM_EXIT_OTHER;
}

const char *vm_exit_kind_name(enum vm_exit_kind kind)
{
	static const char *const names[VM_EXIT_KINDS] = {
		[VM_EXIT_IO] = "io",
		[VM_EXIT_MMIO] = "mmio",
		[VM_EXIT_HYPERCALL] = "hypercall",
		[VM_EXIT_MEMORY_FAULT] = "memory-fault",
		[VM_EXIT_INTR] = "intr",
		[VM_EXIT_HLT] = "hlt",
		[VM_EXIT_SHUTDOWN] = "shutdown",
		[VM_EXIT_SYSTEM_EVENT] = "system-event",
		[VM_EXIT_OTHER] = "other",
	};

	return (unsigned)kind < VM_EXIT_KINDS ? names[kind] : "?";
}

void vm_exit_kinds_format(const uint64_t kinds[VM_EXIT_KINDS], char *buf,
			  size_t len)
{
	size_t used = 0;

	if (len)
		buf[0] = 0;
	for (unsigned k = 0; k < VM_EXIT_KINDS; k++) {
		int n;

		if (!kinds[k])
			continue;
		n = snprintf(used < len ? buf + used : NULL,
			     used < len ? len - used : 0,
			     "%s%s %llu", used ? ", " : "",
			     vm_exit_kind_name(k),
			     (unsigned long long)kinds[k]);
		if (n < 0)
			return;
		used += (size_t)n;
	}
	if (!used)
		snprintf(buf, len, "none");
}

static void machine_stop_locked_tail(struct machine *m)
{
	for (unsigned i = 0; i < m->nvcpus; i++)
		vcpu_kick(&m->vcpus[i]);
	pthread_kill(m->main_thread, MACHINE_WAKE_SIGNAL);
}

void machine_stop(struct machine *m, enum vm_stop why, int status)
{
	machine_stop_detail(m, why, status, "%s", "");
}

void machine_stop_detail(struct machine *m, enum vm_stop why, int status,
			 const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&m->stop_lock);
	if (atomic_load(&m->stopped) != VM_RUNNING) {
		pthread_mutex_unlock(&m->stop_lock);
		return;
	}
	m->stop_status = status;
	va_start(ap, fmt);
	vsnprintf(m->stop_detail, sizeof(m->stop_detail), fmt, ap);
	va_end(ap);
	atomic_store(&m->stopped, why);
	pthread_mutex_unlock(&m->stop_lock);
	machine_stop_locked_tail(m);
}

/* ------------------------------------------------------- dev_host glue */

static void host_irq_set(void *ctx, unsigned irq, int level)
{
	struct machine *m = ctx;
	struct kvm_irq_level l = { .irq = irq, .level = level };

	ioctl(m->vm_fd, KVM_IRQ_LINE, &l);
}

static void *host_gpa_ptr(void *ctx, uint64_t gpa, uint64_t len)
{
	return machine_gpa_ptr(ctx, gpa, len);
}

static void host_stop(void *ctx, enum vm_stop why, int status)
{
	machine_stop(ctx, why, status);
}

/* A RAM slot, pinned for the firmware when the launch needs it. */
static int add_slot(struct machine *m, uint64_t gpa, uint64_t size,
		    char *err, size_t errlen)
{
	struct mem_slot *s;
	int ret = mem_add_slot(m, gpa, size, &s, err, errlen);

	return ret ? ret : cvm_slot_added(m, s, err, errlen);
}

static int copy_to_guest(struct machine *m, uint64_t gpa, const void *src,
			 size_t len, const char *what, char *err,
			 size_t errlen)
{
	void *dst = host_gpa_ptr(m, gpa, len);

	if (!dst) {
		snprintf(err, errlen,
			 "%s [0x%llx, +0x%zx) does not fit in guest RAM", what,
			 (unsigned long long)gpa, len);
		return -ENOSPC;
	}
	if (len)
		memcpy(dst, src, len);
	return 0;
}

/* ---------------------------------------------------------------- setup */

static int create_vm(struct machine *m, char *err, size_t errlen)
{
	struct kvm_pit_config pit = { .flags = 0 };
	struct kvm_reinject_control reinject = { .pit_reinject = 0 };
	int ret;

	unsigned long type = cvm_vm_type(m);

	m->vm_fd = ioctl(m->kvm_fd, KVM_CREATE_VM, type);
	if (m->vm_fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "KVM_CREATE_VM (type %lu): %s", type,
			 strerror(errno));
		return ret;
	}
	if (ioctl(m->vm_fd, KVM_SET_TSS_ADDR, MACHINE_TSS_ADDR) < 0) {
		ret = -errno;
		snprintf(err, errlen, "KVM_SET_TSS_ADDR: %s", strerror(errno));
		return ret;
	}
	if (ioctl(m->vm_fd, KVM_CREATE_IRQCHIP, 0) < 0) {
		ret = -errno;
		snprintf(err, errlen, "KVM_CREATE_IRQCHIP: %s",
			 strerror(errno));
		return ret;
	}
	if (ioctl(m->vm_fd, KVM_CREATE_PIT2, &pit) < 0) {
		ret = -errno;
		snprintf(err, errlen, "KVM_CREATE_PIT2: %s", strerror(errno));
		return ret;
	}
	/*
	 * Drop PIT ticks the guest missed instead of replaying them back to
	 * back (QEMU's lost_tick_policy=discard).  Linux and OVMF keep time
	 * without them, and a slow guest (nested, under emulation) otherwise
	 * always has a timer interrupt pending.  Best effort: old kernels
	 * lack the ioctl and then keep the reinject default.
	 */
	ioctl(m->vm_fd, KVM_REINJECT_CONTROL, &reinject);
	return 0;
}

static int check_vcpu_count(struct machine *m, char *err, size_t errlen)
{
	int max = ioctl(m->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS);

	if (max <= 0)
		max = ioctl(m->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_VCPUS);
	if (max <= 0)
		max = 4; /* the documented default when the cap is absent */
	if (max > VMM_MAX_VCPUS)
		max = VMM_MAX_VCPUS;
	if (m->cfg->ncpus < 1 || m->cfg->ncpus > (unsigned)max) {
		snprintf(err, errlen,
			 "--smp %u: this host's KVM allows 1 to %d vCPUs",
			 m->cfg->ncpus, max);
		return -EINVAL;
	}
	return 0;
}

/* Guest output buffers: the UART's pushes back (its line status), so a
 * small one does; debugcon's drops when full, so it gets room for a
 * firmware's burst of debug messages. */
#define SERIAL_OUT_BUFFER   (16 * 1024)
#define DEBUGCON_OUT_BUFFER (1024 * 1024)

static int new_output(const char *name, const char *limit_opt, int fd,
		      size_t capacity, uint64_t limit, bool raw,
		      struct timeline *tl, struct console **out, char *err,
		      size_t errlen)
{
	struct console_config cc = {.name = name,
				    .limit_opt = limit_opt,
				    .fd = fd,
				    .capacity = capacity,
				    .limit = limit,
				    .filter = !raw && isatty(fd),
				    .tl = tl};

	*out = NULL;
	if (fd < 0)
		return 0;
	*out = console_new(&cc, err, errlen);
	return *out ? 0 : -ENOMEM;
}

static int setup_devices(struct machine *m, char *err, size_t errlen)
{
	const struct vm_config *c = m->cfg;
	int ret;

	ret = new_output("serial", "--serial-limit", c->serial_out_fd,
			 SERIAL_OUT_BUFFER, c->serial_limit, c->raw, c->tl,
			 &m->serial_out, err, errlen);
	ret = ret
		      ?: new_output("debugcon", "--debugcon-limit",
				    c->debugcon_fd, DEBUGCON_OUT_BUFFER,
				    c->debugcon_limit, c->raw, NULL,
				    &m->debugcon_out,
				    err, errlen);
	if (ret)
		return ret;

	bus_init(&m->io);
	bus_init(&m->mmio);
	m->host = (struct dev_host){ .ctx = m,
				     .irq_set = host_irq_set,
				     .gpa_ptr = host_gpa_ptr,
				     .stop = host_stop };
	m->serial = serial_new(&m->host, SERIAL_COM1_IRQ, m->serial_out);
	m->cmos = cmos_new(&m->host, m->layout.low_size, m->layout.high_size,
			   c->ncpus);
	m->pci = pci_new(&m->host, &m->io);
	m->i8042 = i8042_new(&m->host);
	m->legacy = legacy_new(&m->host, m->debugcon_out);
	if (!m->serial || !m->cmos || !m->pci || !m->i8042 || !m->legacy) {
		snprintf(err, errlen, "out of memory creating devices");
		return -ENOMEM;
	}
	ret = serial_attach(m->serial, &m->io, SERIAL_COM1_BASE);
	if (!ret)
		ret = cmos_attach(m->cmos, &m->io);
	if (!ret)
		ret = pci_attach(m->pci);
	if (!ret)
		ret = i8042_attach(m->i8042, &m->io);
	if (!ret)
		ret = legacy_attach(m->legacy, &m->io);
	if (ret) {
		snprintf(err, errlen, "registering devices: %s",
			 strerror(-ret));
		return ret;
	}
	return 0;
}

/*
 * OVMF takes ACPI tables only from fw_cfg's table loader; without them
 * Linux finds no MADT (one CPU) and no _S5 (no poweroff).  The PM block is
 * enabled before OVMF runs so that OVMF keeps it where the FADT says.
 */
static int setup_firmware_acpi(struct machine *m, struct fwcfg *f, char *err,
			       size_t errlen)
{
	struct acpi_config ac = {
		.ncpus = m->cfg->ncpus,
		.pm_base = MACHINE_PM_BASE,
		.sci_irq = MACHINE_SCI_IRQ,
		.ioapic_addr = MACHINE_IOAPIC_ADDR,
		.lapic_addr = MACHINE_LAPIC_ADDR,
	};
	int ret = acpi_fwcfg_build(&ac, &m->acpi, err, errlen);

	if (ret)
		return ret;
	pci_pm_enable(m->pci, MACHINE_PM_BASE);
	ret = fwcfg_add_file(f, "etc/acpi/rsdp", m->acpi.rsdp,
			     sizeof(m->acpi.rsdp));
	ret = ret ?: fwcfg_add_file(f, "etc/acpi/tables", m->acpi.tables,
				    m->acpi.tables_len);
	ret = ret ?: fwcfg_add_file(f, "etc/table-loader", m->acpi.loader,
				    m->acpi.loader_len);
	return ret;
}

/* OVMF: the image as RAM ending at 4 GiB (like QEMU's -bios, which SEV
 * needs), and the fw_cfg items OVMF reads for a direct kernel boot. */
static int setup_firmware_boot(struct machine *m, char *err, size_t errlen)
{
	const struct vm_config *c = m->cfg;
	struct fwcfg *f;
	int ret;

	ret = add_slot(m, c->ovmf_info->base_gpa, c->ovmf_len, err, errlen);
	if (ret)
		return ret;
	memcpy(m->slots[m->nslots - 1].hva, c->ovmf, c->ovmf_len);
	if (c->inputs_mapped)
		blob_release_pages(c->ovmf, c->ovmf_len);

	f = m->fwcfg = fwcfg_new(&m->host, true);
	if (!f) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	m->ne820 = e820_firmware(&m->layout, m->e820);
	ret = fwcfg_add_file(f, "etc/e820", m->e820,
			     m->ne820 * sizeof(m->e820[0]));
	ret = ret ?: fwcfg_add_u16(f, FW_CFG_NB_CPUS, c->ncpus);
	ret = ret ?: fwcfg_add_u16(f, FW_CFG_MAX_CPUS, c->ncpus);
	ret = ret ?: fwcfg_add_u64(f, FW_CFG_RAM_SIZE, c->mem_size);
	ret = ret ?: fwcfg_add_u16(f, FW_CFG_NOGRAPHIC, 1);
	ret = ret ?: setup_firmware_acpi(m, f, err, errlen);
	if (!ret && c->kernel) {
		int (*add_blob)(struct fwcfg *, uint16_t, const void *,
				size_t) =
			c->inputs_mapped ? fwcfg_add_mapped : fwcfg_add;

		ret = fwcfg_kernel_split(c->kernel, c->kernel_len, &m->fwk,
					 err, errlen);
		if (ret)
			return ret;
		ret = fwcfg_add_u32(f, FW_CFG_SETUP_SIZE, m->fwk.setup_len);
		ret = ret ?: add_blob(f, FW_CFG_SETUP_DATA, m->fwk.setup,
				      m->fwk.setup_len);
		ret = ret ?: fwcfg_add_u32(f, FW_CFG_KERNEL_SIZE,
					   m->fwk.kernel_len);
		ret = ret ?: add_blob(f, FW_CFG_KERNEL_DATA, m->fwk.kernel,
				      m->fwk.kernel_len);
		ret = ret ?: fwcfg_add_u32(f, FW_CFG_INITRD_SIZE,
					   c->initrd_len);
		if (c->initrd_len)
			ret = ret ?: add_blob(f, FW_CFG_INITRD_DATA, c->initrd,
					      c->initrd_len);
		/* The command line travels with its NUL, as QEMU sends it
		 * (and as the SEV hashes table measures it). */
		ret = ret ?: fwcfg_add_u32(f, FW_CFG_CMDLINE_SIZE,
					   strlen(c->cmdline) + 1);
		ret = ret ?: fwcfg_add(f, FW_CFG_CMDLINE_DATA, c->cmdline,
				       strlen(c->cmdline) + 1);
	}
	ret = ret ?: fwcfg_attach(f, &m->io);
	if (ret) {
		snprintf(err, errlen, "setting up fw_cfg: %s", strerror(-ret));
		return ret;
	}
	return 0;
}

/* No firmware: lay the kernel out ourselves (64-bit boot protocol) and do
 * what firmware would have done to the chipset. */
static int setup_direct_boot(struct machine *m, char *err, size_t errlen)
{
	const struct vm_config *c = m->cfg;
	struct boot_config bc = {
		.layout = &m->layout,
		.ncpus = c->ncpus,
		.pm_base = MACHINE_PM_BASE,
		.kernel = c->kernel,
		.kernel_len = c->kernel_len,
		.initrd = c->initrd,
		.initrd_len = c->initrd_len,
		.cmdline = c->cmdline,
	};
	int ret;

	m->plan = calloc(1, sizeof(*m->plan));
	if (!m->plan) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	ret = boot_plan_build(&bc, m->plan, err, errlen);
	if (ret)
		return ret;
	for (unsigned i = 0; i < m->plan->nregions; i++) {
		const struct boot_region *r = &m->plan->regions[i];

		ret = copy_to_guest(m, r->gpa, r->data, r->len, r->what, err,
				    errlen);
		if (ret)
			return ret;
	}
	if (c->inputs_mapped) {
		blob_release_pages(c->kernel, c->kernel_len);
		if (c->initrd_len)
			blob_release_pages(c->initrd, c->initrd_len);
	}
	pci_pm_enable(m->pci, MACHINE_PM_BASE);
	return 0;
}

static void noop_handler(int sig)
{
	(void)sig;
}

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Wait, without polling, until a vCPU or device stops the machine, a
 * signal arrives or the timeout passes. */
static void wait_for_stop(struct machine *m, const sigset_t *set, double t0)
{
	while (atomic_load(&m->stopped) == VM_RUNNING) {
		struct timespec ts, *tp = NULL;
		int sig;

		if (m->cfg->timeout_sec) {
			double left = t0 + m->cfg->timeout_sec - now_seconds();

			if (left <= 0) {
				machine_stop(m, VM_STOP_TIMEOUT, 0);
				break;
			}
			ts.tv_sec = (time_t)left;
			ts.tv_nsec = (long)((left - ts.tv_sec) * 1e9);
			tp = &ts;
		}
		sig = sigtimedwait(set, NULL, tp);
		if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP)
			machine_stop(m, VM_STOP_SIGNAL, sig);
	}
}

/* With -v: where the guest's port exits went, busiest first. */
static void print_io_exits(const struct machine *m)
{
	enum { TOP = 8 };
	unsigned top[TOP] = { 0 }, n = 0;

	for (unsigned port = 0; port < 65536; port++) {
		uint32_t c = m->io_exits[port];
		unsigned i;

		if (!c)
			continue;
		for (i = n; i > 0 && m->io_exits[top[i - 1]] < c; i--)
			if (i < TOP)
				top[i] = top[i - 1];
		if (i < TOP) {
			top[i] = port;
			if (n < TOP)
				n++;
		}
	}
	for (unsigned i = 0; i < n; i++)
		fprintf(stderr, "sevboot: port 0x%04x: %u exits\n", top[i],
			(unsigned)m->io_exits[top[i]]);
}

static void machine_join(struct machine *m)
{
	for (unsigned i = 0; m->vcpus && i < m->nvcpus; i++) {
		if (m->vcpus[i].started)
			pthread_join(m->vcpus[i].thread, NULL);
		m->vcpus[i].started = false;
	}
}

static void machine_teardown(struct machine *m)
{
	machine_join(m);
	/* The outputs' threads end before the devices they call back. */
	console_close(m->serial_out, NULL);
	console_close(m->debugcon_out, NULL);
	if (m->serial)
		serial_free(m->serial);
	for (unsigned i = 0; m->vcpus && i < m->nvcpus; i++)
		vcpu_destroy(&m->vcpus[i]);
	free(m->vcpus);
	free(m->io_exits);
	fwcfg_free(m->fwcfg);
	acpi_fwcfg_free(&m->acpi);
	cmos_free(m->cmos);
	pci_free(m->pci);
	i8042_free(m->i8042);
	legacy_free(m->legacy);
	console_free(m->serial_out);
	console_free(m->debugcon_out);
	if (m->plan) {
		boot_plan_free(m->plan);
		free(m->plan);
	}
	free(m->cpuid0);
	mem_free_slots(m);
	if (m->vm_fd >= 0)
		close(m->vm_fd);
	if (m->kvm_fd >= 0)
		close(m->kvm_fd);
	pthread_mutex_destroy(&m->stop_lock);
}

/* One step of the build as a phase of the run's timeline. */
#define PHASE(m, name, detail, call)                                          \
	({                                                                    \
		int id_ = tl_begin((m)->cfg->tl, TL_PHASE, name, detail);     \
		int ret_ = (call);                                            \
		tl_end((m)->cfg->tl, id_);                                    \
		ret_;                                                         \
	})

/* /dev/kvm, and whether it takes the vCPUs asked for. */
static int open_kvm(struct machine *m, enum vm_error_kind *kind, char *err,
		    size_t errlen)
{
	*kind = VM_ERR_HOST;
	m->kvm_fd = kvm_open_checked(err, errlen);
	if (m->kvm_fd < 0)
		return m->kvm_fd;
	*kind = VM_ERR_INPUT;
	return check_vcpu_count(m, err, errlen);
}

static int add_ram_slots(struct machine *m, char *err, size_t errlen)
{
	int ret = add_slot(m, 0, m->layout.low_size, err, errlen);

	if (!ret && m->layout.high_size)
		ret = add_slot(m, SZ_4G, m->layout.high_size, err, errlen);
	return ret;
}

/* Every vCPU, with KVM's supported CPUID; a direct boot's entry state. */
static int create_vcpus(struct machine *m, char *err, size_t errlen)
{
	const struct vm_config *c = m->cfg;
	struct kvm_cpuid2 *cpuid;
	int ret = 0;

	cpuid = kvm_supported_cpuid(m->kvm_fd);
	if (!cpuid) {
		ret = -errno;
		snprintf(err, errlen, "KVM_GET_SUPPORTED_CPUID: %s",
			 strerror(errno));
		return ret;
	}
	m->vcpus = calloc(c->ncpus, sizeof(*m->vcpus));
	if (!m->vcpus) {
		free(cpuid);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	m->nvcpus = c->ncpus;
	for (unsigned i = 0; i < c->ncpus; i++)
		m->vcpus[i].fd = -1;
	for (unsigned i = 0; i < c->ncpus && !ret; i++)
		ret = vcpu_create(m, &m->vcpus[i], i, cpuid, err, errlen);
	free(cpuid);
	if (ret)
		return ret;
	/* OVMF starts from KVM's reset state (CS base 0xffff0000, IP
	 * 0xfff0); a direct boot enters the kernel's 64-bit entry. */
	if (m->plan)
		ret = vcpu_set_boot_state(&m->vcpus[0], &m->plan->cpu, err,
					  errlen);
	return ret;
}

static int machine_build(struct machine *m, enum vm_error_kind *kind,
			 char *err, size_t errlen)
{
	const struct vm_config *c = m->cfg;
	char what[32];
	int ret;

	*kind = VM_ERR_INPUT;
	ret = mem_layout_init(c->mem_size, &m->layout, err, errlen);
	if (ret)
		return ret;
	if (!c->ovmf && !c->kernel) {
		snprintf(err, errlen, "nothing to boot: give --ovmf and/or "
				      "--kernel");
		return -EINVAL;
	}
	ret = PHASE(m, "kvm open", "/dev/kvm", open_kvm(m, kind, err, errlen));
	if (ret)
		return ret;

	*kind = VM_ERR_RUNTIME;
	ret = PHASE(m, "vm create", "KVM_CREATE_VM, irqchip, PIT",
		    create_vm(m, err, errlen));
	if (ret)
		return ret;
	if (c->sev) {
		/* INIT comes before any memory is pinned or vCPU exists. */
		*kind = VM_ERR_SEV;
		ret = PHASE(m, "sev init", NULL, cvm_init(m, err, errlen));
		if (ret)
			return ret;
		*kind = VM_ERR_RUNTIME;
	}
	snprintf(what, sizeof(what), "%llu MiB",
		 (unsigned long long)(c->mem_size >> 20));
	ret = PHASE(m, "memory", what, add_ram_slots(m, err, errlen));
	if (ret)
		return ret;
	ret = PHASE(m, "devices", NULL, setup_devices(m, err, errlen));
	if (ret)
		return ret;

	*kind = VM_ERR_INPUT;
	ret = c->ovmf ? PHASE(m, "boot setup", "firmware, fw_cfg",
			      setup_firmware_boot(m, err, errlen))
		      : PHASE(m, "boot setup", "direct",
			      setup_direct_boot(m, err, errlen));
	if (ret)
		return ret;

	*kind = VM_ERR_RUNTIME;
	snprintf(what, sizeof(what), "%u", c->ncpus);
	ret = PHASE(m, "vcpu create", what, create_vcpus(m, err, errlen));
	if (ret || !c->sev)
		return ret;
	/* SEV: every vCPU exists; the launch loads the reset state the plan
	 * measured, then launches.  No vCPU runs before LAUNCH_FINISH. */
	*kind = VM_ERR_SEV;
	return PHASE(m, "launch", NULL, cvm_launch(m, err, errlen));
}

void machine_wait_go(struct machine *m)
{
	pthread_mutex_lock(&m->stop_lock);
	while (!m->go)
		pthread_cond_wait(&m->go_cond, &m->stop_lock);
	pthread_mutex_unlock(&m->stop_lock);
}

static void machine_let_go(struct machine *m)
{
	pthread_mutex_lock(&m->stop_lock);
	m->go = true;
	pthread_cond_broadcast(&m->go_cond);
	pthread_mutex_unlock(&m->stop_lock);
}

/*
 * The run loop's seccomp filter, once every thread exists and none has run
 * the guest: the vCPU threads wait for machine_let_go(), and the filter is
 * loaded into all of them at once (vmm/confine.c), so no thread is ever
 * created under it and none runs the guest without it.
 */
static int machine_confine(struct machine *m, char *err, size_t errlen)
{
	const struct vm_config *c = m->cfg;
	struct confine_opts co = { .exit_code = c->seccomp_exit,
				   .tty_fd = STDIN_FILENO,
				   .tty = c->tty };
	const char *why;
	char ioctls[256];
	unsigned ncalls;
	int ret;

	if (!c->seccomp) {
		if (c->verbose)
			fprintf(stderr, "sevboot: seccomp: off (--no-seccomp)\n");
		return 0;
	}
	if (!confine_available(&why)) {
		if (c->verbose)
			fprintf(stderr, "sevboot: seccomp: off: %s\n", why);
		return 0;
	}
	ret = confine_install(&co, &ncalls, err, errlen);
	if (ret || !c->verbose)
		return ret;
	confine_ioctl_names(ioctls, sizeof(ioctls));
	fprintf(stderr,
		"sevboot: seccomp: on: the run loop may make %u kinds of "
		"system call (ioctl only %s); any other stops sevboot with "
		"exit %d\n",
		ncalls, ioctls, c->seccomp_exit);
	return 0;
}

/* The timeline saw every --mark: the guest got where it was to go. */
static void marks_done(void *ctx)
{
	machine_stop(ctx, VM_STOP_MARKED, 0);
}

/* Serial input, the vCPU threads (waiting), the filter. */
static int machine_start(struct machine *m, enum vm_error_kind *kind,
			 char *err, size_t errlen)
{
	const struct vm_config *cfg = m->cfg;
	int ret = 0;

	*kind = VM_ERR_RUNTIME;
	if (cfg->serial_in_fd >= 0) {
		ret = serial_input_start(m->serial, &m->io, cfg->serial_in_fd);
		if (ret) {
			snprintf(err, errlen, "starting serial input: %s",
				 strerror(-ret));
			return ret;
		}
	}
	for (unsigned i = 0; i < m->nvcpus; i++) {
		ret = vcpu_start(&m->vcpus[i]);
		if (ret) {
			snprintf(err, errlen, "starting vCPU thread %u: %s", i,
				 strerror(-ret));
			machine_stop(m, VM_STOP_ERROR, ret);
			return ret;
		}
	}
	ret = machine_confine(m, err, errlen);
	if (ret)
		machine_stop(m, VM_STOP_ERROR, ret);
	else
		*kind = VM_ERR_NONE;
	return ret;
}

/* After the stop and the join: the guest's last output out (for a
 * bounded time), the stop said on the timeline, the exit counts, and with
 * -v where a guest that ran out of time was and where its port exits
 * went. */
static void collect_results(struct machine *m, struct vm_result *res,
			    uint64_t stop_ns)
{
	const struct vm_config *cfg = m->cfg;

	/* What the guest wrote last goes out now, for a bounded time. */
	console_close(m->serial_out, &res->serial);
	console_close(m->debugcon_out, &res->debugcon);
	tl_on_marks_done(cfg->tl, NULL, NULL); /* the drain threads are done */
	if (res->serial.first_ns)
		tl_mark_at(cfg->tl, res->serial.first_ns, "first serial byte",
			   NULL);
	/* Said once the guest's last output is out (and matched against the
	 * --mark patterns), timed at the stop. */
	if (stop_ns) {
		char members[64];

		snprintf(members, sizeof(members), "\"reason\":\"%s\"",
			 vm_stop_name(res->why));
		tl_event_at(cfg->tl, stop_ns, "guest-stop", members);
	}
	for (unsigned i = 0; m->vcpus && i < m->nvcpus; i++) {
		res->exits += m->vcpus[i].exits;
		for (unsigned k = 0; k < VM_EXIT_KINDS; k++)
			res->exit_kinds[k] += m->vcpus[i].exit_kinds[k];
	}
	/* Where a guest that ran out of time was, for a hang's report. */
	if (cfg->verbose && res->why == VM_STOP_TIMEOUT)
		for (unsigned i = 0; i < m->nvcpus; i++) {
			char line[256];

			vcpu_describe(&m->vcpus[i], line, sizeof(line));
			fprintf(stderr, "sevboot: at the timeout, %s\n", line);
		}
	if (cfg->verbose) {
		res->guest_resident = mem_guest_resident(m);
		if (m->io_exits)
			print_io_exits(m);
	}
}

/* Drop signals that raced with the stop (a second Ctrl-C, late wake-ups)
 * so restoring the mask does not act on them. */
static void drop_raced_signals(const sigset_t *set)
{
	struct timespec zero = { 0, 0 };

	while (sigtimedwait(set, NULL, &zero) > 0)
		;
}

int vm_run(const struct vm_config *cfg, struct vm_result *res,
	   enum vm_error_kind *kind, char *err, size_t errlen)
{
	struct machine *m;
	struct sigaction sa = { .sa_handler = noop_handler }, old_sa;
	sigset_t set, old_set;
	double t0 = now_seconds();
	int ret, tl_run_teardown, run;
	uint64_t stop_ns = 0;
	int setup = tl_begin(cfg->tl, TL_PHASE, "machine setup", "signals");

	memset(res, 0, sizeof(*res));
	*kind = VM_ERR_NONE;
	m = calloc(1, sizeof(*m));
	if (!m) {
		*kind = VM_ERR_RUNTIME;
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	m->cfg = cfg;
	m->kvm_fd = m->vm_fd = -1;
	if (cfg->verbose)
		m->io_exits = calloc(65536, sizeof(*m->io_exits));
	m->main_thread = pthread_self();
	pthread_mutex_init(&m->stop_lock, NULL);
	pthread_cond_init(&m->go_cond, NULL);

	/* Block the signals the main thread waits for before any thread
	 * exists, so every thread inherits the mask. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, MACHINE_WAKE_SIGNAL);
	pthread_sigmask(SIG_BLOCK, &set, &old_set);
	sigaction(VCPU_KICK_SIGNAL, &sa, &old_sa);
	tl_end(cfg->tl, setup);

	ret = machine_build(m, kind, err, errlen);
	if (cfg->stop_at_marks)
		tl_on_marks_done(cfg->tl, marks_done, m);
	if (!ret && !cfg->launch_only)
		ret = PHASE(m, "machine start", "threads, seccomp",
			    machine_start(m, kind, err, errlen));
	/* From the end of the build (and start) to the stop. */
	run = ret ? -1
		  : tl_begin(cfg->tl, TL_PHASE,
			     cfg->launch_only ? "launch-only stop"
					      : "guest run",
			     NULL);
	if (!ret && cfg->launch_only)
		machine_stop(m, VM_STOP_LAUNCHED, 0);
	machine_let_go(m); /* a failed start finds the machine stopped */
	if (!ret) {
		/* --timeout counts the guest's run, not the launch (which
		 * may wait for the guest owner). */
		wait_for_stop(m, &set, now_seconds());
		res->why = atomic_load(&m->stopped);
		res->status = m->stop_status;
		if (res->why == VM_STOP_ERROR)
			snprintf(err, errlen, "%s", m->stop_detail);
		stop_ns = tl_now_ns();
	}
	tl_end(cfg->tl, run);
	tl_run_teardown = tl_begin(cfg->tl, TL_PHASE, "teardown", NULL);
	machine_stop(m, VM_STOP_ERROR, 0); /* no-op unless still running */
	res->seconds = now_seconds() - t0;
	machine_join(m);
	collect_results(m, res, stop_ns);
	machine_teardown(m);
	pthread_cond_destroy(&m->go_cond);
	free(m);

	drop_raced_signals(&set);
	sigaction(VCPU_KICK_SIGNAL, &old_sa, NULL);
	pthread_sigmask(SIG_SETMASK, &old_set, NULL);
	tl_end(cfg->tl, tl_run_teardown);
	return ret;
}
