// SPDX-License-Identifier: MIT
/*
 * vmm/confine.c: the run loop's seccomp filter.
 *
 * Once the machine is built and the launch is over, nothing sevboot does
 * needs a new file, socket, process, executable mapping or KVM object: the
 * vCPU threads run KVM_RUN and the device models, the serial and console
 * threads move bytes, the main thread waits for the stop, and the stop path
 * joins, frees, unmaps, closes and prints.  confine_install() loads a
 * filter that allows exactly that (seccomp(2), SECCOMP_SET_MODE_FILTER,
 * built with libseccomp: seccomp_init(3), seccomp_rule_add(3),
 * seccomp_load(3)), in every thread of the process at once
 * (SCMP_FLTATR_CTL_TSYNC, seccomp(2)'s SECCOMP_FILTER_FLAG_TSYNC), and
 * turns any other system call into SIGSYS (SCMP_ACT_TRAP, seccomp(2)'s
 * SECCOMP_RET_TRAP), whose handler writes one line naming the call and
 * _exit()s with the caller's exit code.
 *
 * The allow list is written down here and nowhere else (README.md
 * "Confinement" describes it): allowed_calls[] below, then the calls whose
 * arguments are checked in add_arg_rules().
 *
 * Every thread must leave SIGSYS unblocked (vcpu.c's mask does): the
 * kernel delivers a blocked SIGSYS with its default action instead
 * (force_sig_info_to_task(), kernel/signal.c), which ends the process
 * without the message.  And no thread may be created once the filter is
 * in (clone is not allowed): threads are started first, then confined.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/kvm.h>
#include <seccomp.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "util/kvm_uapi.h"
#include "util/util.h"
#include "vmm/vmm.h"

/*
 * Allowed whatever their arguments.  A name this architecture lacks is
 * skipped (seccomp_syscall_resolve_name(3) answers a negative number).
 */
/* clang-format off */
static const char *const allowed_calls[] = {
	/* I/O on the descriptors the machine already holds: guest serial
	 * and debug-console output, serial input, eventfd wake-ups, the
	 * console's drain thread, stderr.  poll/ppoll wait on them. */
	"read", "readv", "write", "writev", "poll", "ppoll",
	/* Threads: mutexes and condition variables (futex), the vCPU kick
	 * and the main thread's wake-up (tgkill; glibc's pthread_kill asks
	 * getpid/gettid), signal masks and handlers, the main thread's wait
	 * for a stop (rt_sigtimedwait), vm_run restoring the kick handler,
	 * calls restarted after a signal. */
	"futex", "tgkill", "getpid", "gettid", "rt_sigprocmask",
	"rt_sigtimedwait", "rt_sigreturn", "rt_sigaction", "restart_syscall",
	"sched_yield",
	/* A thread created just before the filter may not have begun yet:
	 * glibc's start_thread() registers its robust list and rseq area,
	 * with every signal still blocked, so a trap there would kill the
	 * process without a word.  Both act on the calling thread only. */
	"set_robust_list", "rseq",
	/* Time: the PM timer, the RTC, --timeout (the vDSO's fallbacks),
	 * and sleeps for back-off. */
	"clock_gettime", "gettimeofday", "time", "clock_nanosleep",
	"nanosleep",
	/* Memory: malloc and free (brk, munmap, mremap; mmap and mprotect
	 * below), -v's resident count (mincore). */
	"brk", "munmap", "mremap", "mincore",
	/* stdio looks at a stream's descriptor before its first write. */
	"fstat", "newfstatat",
	/* The stop: descriptors closed, threads and the process end. */
	"close", "exit", "exit_group",
};
/* clang-format on */

/* ioctl requests allowed, on any descriptor (the kernel checks that each
 * goes to the right kind of fd). */
static const struct {
	unsigned long req;
	const char *name;
} allowed_ioctls[] = {
	{KVM_RUN, "KVM_RUN"},
	/* Device interrupts (machine.c host_irq_set). */
	{KVM_IRQ_LINE, "KVM_IRQ_LINE"},
	/* SNP conversions: MAP_GPA_RANGE and memory-fault exits
	 * (vmm/memory.c mem_convert). */
	{KVM_SET_MEMORY_ATTRIBUTES, "KVM_SET_MEMORY_ATTRIBUTES"},
	/* -v at a timeout: where each vCPU was (vcpu_describe). */
	{KVM_GET_REGS, "KVM_GET_REGS"},
	{KVM_GET_SREGS, "KVM_GET_SREGS"},
	{KVM_GET_MP_STATE, "KVM_GET_MP_STATE"},
	/* The terminal given back as it was (tcgetattr/tcsetattr). */
	{TCGETS, "TCGETS"},
	{TCSETS, "TCSETS"},
};

/* ---------------------------------------------------------- the trap */

/*
 * What the SIGSYS handler needs, set before the filter is loaded and only
 * read afterwards: a signal handler has no other way to its data.  The
 * names are resolved in advance because seccomp_syscall_resolve_num_arch(3)
 * returns a malloc()ed string, and malloc is not async-signal-safe
 * (signal-safety(7)).
 */
#define TRAP_NAMES    512
#define TRAP_NAME_LEN 32
static struct {
	uint32_t arch; /* the native AUDIT_ARCH_* the names are for */
	int exit_code;
	int tty_fd; /* -1: no terminal to give back */
	struct termios tty;
	char names[TRAP_NAMES][TRAP_NAME_LEN];
} trap;

static size_t put_str(char *buf, size_t n, size_t cap, const char *s)
{
	while (*s && n + 1 < cap)
		buf[n++] = *s++;
	return n;
}

/* Decimal, or hex with prefix; async-signal-safe (no stdio). */
static size_t put_num(char *buf, size_t n, size_t cap, unsigned long v,
		      unsigned base)
{
	char d[24];
	size_t k = 0;

	if (base == 16)
		n = put_str(buf, n, cap, "0x");
	do {
		d[k++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v && k < sizeof(d));
	while (k && n + 1 < cap)
		buf[n++] = d[--k];
	return n;
}

/*
 * SIGSYS from SECCOMP_RET_TRAP: si_syscall and si_arch say what was
 * called (seccomp(2)).  Only async-signal-safe calls (signal-safety(7)):
 * write, tcsetattr, _exit; _exit ends every thread (exit_group).
 */
static void trap_handler(int sig, siginfo_t *si, void *uc)
{
	char line[256];
	size_t n = 0, cap = sizeof(line);
	int nr = si->si_syscall;
	bool native = si->si_arch == trap.arch;

	(void)sig;
	(void)uc;
	n = put_str(line, n, cap,
		    "sevboot: seccomp: the run loop made a "
		    "system call outside its allow list: ");
	if (native && nr >= 0 && nr < TRAP_NAMES && trap.names[nr][0])
		n = put_str(line, n, cap, trap.names[nr]);
	else
		n = put_str(line, n, cap, "?");
	n = put_str(line, n, cap, " (number ");
	n = put_num(line, n, cap, (unsigned long)(unsigned)nr, 10);
	if (!native) {
		n = put_str(line, n, cap, ", architecture ");
		n = put_num(line, n, cap, si->si_arch, 16);
	}
	n = put_str(line, n, cap,
		    "); stopped (--no-seccomp runs without "
		    "the filter)\n");
	if (trap.tty_fd >= 0)
		tcsetattr(trap.tty_fd, TCSANOW, &trap.tty);
	(void)!write(STDERR_FILENO, line, n);
	_exit(trap.exit_code);
}

static void trap_names_fill(void)
{
	for (int nr = 0; nr < TRAP_NAMES; nr++) {
		char *s =
			seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);

		trap.names[nr][0] = 0;
		if (s)
			snprintf(trap.names[nr], TRAP_NAME_LEN, "%s", s);
		free(s);
	}
}

/* --------------------------------------------------------- the filter */

/*
 * The calls whose arguments matter: ioctl by request number (the
 * kernel's ioctl takes an unsigned int cmd, so only the low 32 bits are
 * compared), mmap and mprotect never executable, madvise only to drop
 * pages (MADV_DONTNEED: conversions, glibc's free and thread stacks),
 * fallocate only to punch holes (guest_memfd pages going shared).
 */
static int add_arg_rules(scmp_filter_ctx ctx, unsigned *n)
{
	int ret = 0;

	for (size_t k = 0;
	     !ret && k < sizeof(allowed_ioctls) / sizeof(allowed_ioctls[0]);
	     k++)
		ret = seccomp_rule_add(
			ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
			SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu,
				allowed_ioctls[k].req & 0xffffffffu));
	if (!ret)
		ret = seccomp_rule_add(
			ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
			SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	if (!ret)
		ret = seccomp_rule_add(
			ctx, SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 1,
			SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	if (!ret)
		ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(madvise),
				       1, SCMP_A2(SCMP_CMP_EQ, MADV_DONTNEED));
	if (!ret)
		ret = seccomp_rule_add(
			ctx, SCMP_ACT_ALLOW, SCMP_SYS(fallocate), 1,
			SCMP_A1(SCMP_CMP_EQ,
				FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE));
	*n += 5; /* ioctl, mmap, mprotect, madvise, fallocate */
	return ret;
}

static scmp_filter_ctx build_filter(unsigned *nrules, char *err, size_t errlen)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_TRAP);
	int ret;

	*nrules = 0;
	if (!ctx) {
		set_err(err, errlen, "seccomp_init failed");
		return NULL;
	}
	/* Every thread, including those already started (the vCPU, serial
	 * and console threads); a call of another architecture (int 0x80,
	 * x32) is trapped and named as well. */
	ret = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	ret = ret
		      ?: seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH,
					  SCMP_ACT_TRAP);
	for (size_t k = 0;
	     !ret && k < sizeof(allowed_calls) / sizeof(allowed_calls[0]);
	     k++) {
		int nr = seccomp_syscall_resolve_name(allowed_calls[k]);

		if (nr < 0)
			continue;
		ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
		++*nrules;
	}
	ret = ret ?: add_arg_rules(ctx, nrules);
	if (ret) {
		set_err(err, errlen, "building the seccomp filter: %s",
			strerror(-ret));
		seccomp_release(ctx);
		return NULL;
	}
	return ctx;
}

int confine_install(const struct confine_opts *o, unsigned *nrules, char *err,
		    size_t errlen)
{
	struct sigaction sa = {.sa_flags = SA_SIGINFO};
	sigset_t sys;
	scmp_filter_ctx ctx;
	unsigned n = 0;
	int ret;

	trap.arch = seccomp_arch_native();
	trap.exit_code = o->exit_code;
	trap.tty_fd = -1;
	if (o->tty && o->tty_fd >= 0) {
		trap.tty = *o->tty;
		trap.tty_fd = o->tty_fd;
	}
	trap_names_fill();
	/* What allowed code would otherwise open a file for, done now: the
	 * RTC's gmtime_r() loads the time zone on first use (glibc
	 * time/tzset.c, __tz_convert() -> tzset_internal() reads
	 * /etc/localtime). */
	tzset();
	sa.sa_sigaction = trap_handler;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSYS, &sa, NULL)) {
		set_err(err, errlen, "SIGSYS handler: %s", strerror(errno));
		return -errno;
	}
	/* A blocked SIGSYS would be delivered with its default action
	 * instead (the kernel's force_sig_info_to_task()): no message. */
	sigemptyset(&sys);
	sigaddset(&sys, SIGSYS);
	pthread_sigmask(SIG_UNBLOCK, &sys, NULL);

	ctx = build_filter(&n, err, errlen);
	if (!ctx)
		return -EINVAL;
	ret = seccomp_load(ctx);
	seccomp_release(ctx);
	if (ret) {
		set_err(err, errlen,
			"loading the seccomp filter: %s (--no-seccomp runs "
			"without it)",
			ret > 0 ? "a thread could not be synchronised"
				: strerror(-ret));
		return ret > 0 ? -ESRCH : ret;
	}
	if (nrules)
		*nrules = n;
	return 0;
}

void confine_ioctl_names(char *buf, size_t len)
{
	size_t n = 0;

	if (!len)
		return;
	buf[0] = 0;
	for (size_t k = 0;
	     k < sizeof(allowed_ioctls) / sizeof(allowed_ioctls[0]); k++) {
		int w = snprintf(buf + n, len - n, "%s%s", k ? ", " : "",
				 allowed_ioctls[k].name);

		if (w < 0 || (size_t)w >= len - n)
			return;
		n += (size_t)w;
	}
}

bool confine_available(const char **why)
{
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SEVBOOT_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define SEVBOOT_SANITIZED 1
#endif
#endif
#ifdef SEVBOOT_SANITIZED
	/* LeakSanitizer's check at exit stops the world with clone and
	 * ptrace and reads /proc; a report runs the symbolizer. */
	*why = "this is a sanitizer build, whose runtime needs clone, ptrace, "
	       "open and exec at exit";
	return false;
#else
	*why = NULL;
	return true;
#endif
}
