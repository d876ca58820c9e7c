// SPDX-License-Identifier: MIT
/*
 * Host checks: can this machine run SEV, SEV-ES or SEV-SNP guests?
 *
 * sev_host_gather() reads the machine; sev_host_check() decides from what
 * was read.  Everything a user can fix gets one plain sentence naming the
 * fix, so that "sevboot" fails before it creates anything, instead of a
 * KVM_SEV_INIT2 returning -ENOTTY with no hint why.
 *
 * Sources: AMD APM vol. 2 (CPUID Fn8000_001F, §15.34.6, §15.35.2), Linux
 * arch/x86/kvm/svm/sev.c sev_hardware_setup() and sev_set_cpu_caps(),
 * drivers/crypto/ccp/sev-dev.c sev_ioctl(), QEMU target/i386/sev.c
 * sev_common_kvm_init().
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include "util/kvm_uapi.h"
#include "sev/sev.h"
#include "util/util.h"

#define CPUID_MEM_ENCRYPT 0x8000001f
#define CPUID_SEV	  (1u << 1)
#define CPUID_SEV_ES	  (1u << 3)
#define CPUID_SEV_SNP	  (1u << 4)

/* Platform states of the SEV API; UNINIT is the only one we act on. */
#define SEV_PLATFORM_UNINIT 0
#define SNP_PLATFORM_UNINIT 0

static const char *const param_names[SEV_HOST_NPARAMS] = {
	[SEV_HOST_PARAM_SEV] = "sev",
	[SEV_HOST_PARAM_SEV_ES] = "sev_es",
	[SEV_HOST_PARAM_SEV_SNP] = "sev_snp",
};

/* ------------------------------------------------------------- gather */

void sev_host_param_parse(const char *text, size_t len,
			  struct sev_host_param_value *v)
{
	size_t n = 0;

	memset(v, 0, sizeof(*v));
	v->present = true;
	/* Bool parameters read "Y"/"N"; the first kernels with SEV had an
	 * int "sev" reading "1"/"0".  Keep the text for the message. */
	while (n < len && n < sizeof(v->raw) - 1 && text[n] != '\n' &&
	       text[n] != '\0') {
		v->raw[n] = text[n];
		n++;
	}
	v->raw[n] = '\0';
	v->enabled = !strcmp(v->raw, "Y") || !strcmp(v->raw, "y") ||
		     !strcmp(v->raw, "1");
}

static void gather_cpuid(struct sev_host_facts *f)
{
#if defined(__x86_64__) || defined(__i386__)
	unsigned a, b, c, d;

	if (__get_cpuid(0, &a, &b, &c, &d)) {
		memcpy(f->cpu_vendor, &b, 4);
		memcpy(f->cpu_vendor + 4, &d, 4);
		memcpy(f->cpu_vendor + 8, &c, 4);
		f->cpu_vendor[12] = '\0';
	}
	/* Ask for the highest extended leaf first: reading a leaf above it
	 * returns the data of the highest basic leaf on Intel, not zeros.
	 * (unsigned): clang's <cpuid.h> returns int, GCC's unsigned. */
	if ((unsigned)__get_cpuid_max(0x80000000, NULL) < CPUID_MEM_ENCRYPT)
		return;
	__cpuid_count(CPUID_MEM_ENCRYPT, 0, a, b, c, d);
	f->cpuid_leaf = true;
	f->eax = a;
	f->ebx = b;
	f->ecx = c;
	f->edx = d;
#else
	(void)f;
#endif
}

/* /sys/module/kvm_amd/parameters/NAME into v (untouched when absent). */
static void read_param(const char *name, struct sev_host_param_value *v)
{
	char path[64], buf[16];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/module/kvm_amd/parameters/%s",
		 name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n >= 0)
		sev_host_param_parse(buf, (size_t)n, v);
}

static void gather_params(struct sev_host_facts *f)
{
	struct stat st;

	f->kvm_amd_loaded =
		stat("/sys/module/kvm_amd", &st) == 0 && S_ISDIR(st.st_mode);
	if (!f->kvm_amd_loaded)
		return;
	for (int i = 0; i < SEV_HOST_NPARAMS; i++)
		read_param(param_names[i], &f->param[i]);
	read_param("debug_swap", &f->debug_swap);
}

static void gather_release(struct sev_host_facts *f)
{
	struct utsname u;

	if (!uname(&u))
		snprintf(f->kernel_release, sizeof(f->kernel_release), "%s",
			 u.release);
}

static void gather_kvm(struct sev_host_facts *f)
{
	int fd, r;

	/* Read-write, as the launcher will open it: a check that passes
	 * with less access than the launch needs would be no check. */
	fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		f->kvm_errno = errno;
		f->kvm_exists = errno != ENOENT;
		return;
	}
	f->kvm_exists = true;
	/* Unknown capabilities read 0, so kernels before 6.8 say 0 here. */
	r = ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_VM_TYPES);
	f->vm_types = r < 0 ? -1 : r;
	{
		struct kvm_device_attr a = {
			.group = KVM_X86_GRP_SEV,
			.attr = KVM_X86_SNP_POLICY_BITS,
			.addr = (uintptr_t)&f->snp_policy_bits,
		};

		f->snp_policy_bits_known =
			ioctl(fd, KVM_GET_DEVICE_ATTR, &a) == 0;
	}
	close(fd);
}

static void gather_sev(struct sev_host_facts *f)
{
	struct sev_user_data_status st;
	struct sb_sev_user_data_snp_status snp;
	struct sev_issue_cmd cmd;
	int fd;

	/* The same open as the launch's (sev_dev_open()), so a host that
	 * passes this check does not then fail with EACCES. */
	fd = sev_dev_open(SEV_DEV_PATH);
	if (fd < 0) {
		f->sev_errno = errno;
		f->sev_exists = errno != ENOENT;
		return;
	}
	f->sev_exists = true;

	memset(&st, 0, sizeof(st));
	memset(&cmd, 0, sizeof(cmd));
	cmd.cmd = SEV_PLATFORM_STATUS;
	cmd.data = (uintptr_t)&st;
	f->status.queried = true;
	if (ioctl(fd, SEV_ISSUE_CMD, &cmd) < 0)
		f->status.err = errno;
	f->status.fw_error = (int32_t)cmd.error;
	if (!f->status.err) {
		f->status.api_major = st.api_major;
		f->status.api_minor = st.api_minor;
		f->status.state = st.state;
		f->status.flags = st.flags;
		f->status.build = st.build;
		f->status.guest_count = st.guest_count;
	}

	/*
	 * Only when kvm_amd has SEV-SNP on, so SNP is already initialised:
	 * newer kernels answer this command on an uninitialised platform by
	 * running SNP_INIT and SNP_SHUTDOWN around it, which a read-only
	 * check must not cause.
	 */
	if ((f->eax & CPUID_SEV_SNP) &&
	    f->param[SEV_HOST_PARAM_SEV_SNP].enabled) {
		memset(&snp, 0, sizeof(snp));
		memset(&cmd, 0, sizeof(cmd));
		cmd.cmd = SNP_PLATFORM_STATUS;
		cmd.data = (uintptr_t)&snp;
		f->snp.queried = true;
		if (ioctl(fd, SEV_ISSUE_CMD, &cmd) < 0)
			f->snp.err = errno;
		f->snp.fw_error = (int32_t)cmd.error;
		if (!f->snp.err) {
			f->snp.api_major = snp.api_major;
			f->snp.api_minor = snp.api_minor;
			f->snp.state = snp.state;
			f->snp.rmp_initialized =
				snp.rmp_flags & SB_SNP_STATUS_RMP_INITIALIZED;
			f->snp.build_id = snp.build_id;
			f->snp.guest_count = snp.guest_count;
			f->snp.current_tcb = snp.current_tcb_version;
			f->snp.reported_tcb = snp.reported_tcb_version;
		}
	}
	close(fd);
}

int sev_host_gather(struct sev_host_facts *f)
{
	memset(f, 0, sizeof(*f));
	f->vm_types = -1;
	gather_cpuid(f);
	gather_release(f);
	gather_params(f);
	gather_kvm(f);
	gather_sev(f);
	return 0;
}

/* -------------------------------------------------------------- check */

/* The sentences so far; counts them even when msg is too short. */
struct sentences {
	char *buf;
	size_t len, used;
	unsigned n;
};

static void __attribute__((format(printf, 2, 3)))
say(struct sentences *s, const char *fmt, ...)
{
	va_list ap;
	int r;

	s->n++;
	if (!s->buf || s->used + 1 >= s->len)
		return;
	if (s->n > 1) {
		/* A separator with nothing after it would read as if a
		 * sentence were missing: stop cleanly instead. */
		if (s->used + 3 >= s->len) {
			s->used = s->len - 1;
			return;
		}
		memcpy(s->buf + s->used, "; ", 3);
		s->used += 2;
	}
	va_start(ap, fmt);
	r = vsnprintf(s->buf + s->used, s->len - s->used, fmt, ap);
	va_end(ap);
	if (r > 0)
		s->used += (size_t)r;
	if (s->used >= s->len)
		s->used = s->len - 1;
}

/* "... (SEV_PLATFORM_STATUS: Input/output error, firmware status
 * SEV_RET_INVALID_PLATFORM_STATE (0x01))"; a hint starts with "; ". */
static void say_status_failed(struct sentences *s, const char *what,
			      const char *cmd, int err, int32_t fw_error,
			      const char *hint)
{
	const char *name = sev_status_name((uint32_t)fw_error);
	char fw[64] = "";

	/* 0 and -1 (SEV_RET_NO_FW_CALL) mean the firmware was not the one
	 * that refused, so naming a status would mislead. */
	if (fw_error > 0 && name)
		snprintf(fw, sizeof(fw), ", firmware status %s (0x%02x)", name,
			 (unsigned)fw_error);
	else if (fw_error > 0)
		snprintf(fw, sizeof(fw), ", firmware status 0x%02x",
			 (unsigned)fw_error);
	say(s, "the SEV firmware did not report its %s (%s: %s%s%s)", what, cmd,
	    strerror(err), fw, hint);
}

static void say_open_failed(struct sentences *s, const char *dev, int err,
			    const char *access_hint)
{
	if (err == EACCES || err == EPERM)
		say(s, "%s cannot be opened: permission denied (%s)", dev,
		    access_hint);
	else
		say(s, "%s cannot be opened: %s", dev, strerror(err));
}

/* The modes' needs, as chains: each level needs the ones before it. */
static int mode_levels(enum sev_mode mode)
{
	switch (mode) {
	case SEV_MODE_SEV:
		return 1;
	case SEV_MODE_SEV_ES:
		return 2;
	case SEV_MODE_SNP:
		return 3;
	}
	return 0;
}

static const char *const level_name[] = {"SEV", "SEV-ES", "SEV-SNP"};

/* CPU: feature bits, ASIDs.  False when the kernel cannot help. */
static bool check_cpu(const struct sev_host_facts *f, enum sev_mode mode,
		      struct sentences *s)
{
	static const struct {
		uint32_t bit;
		unsigned nr;
	} bits[] = {{CPUID_SEV, 1}, {CPUID_SEV_ES, 3}, {CPUID_SEV_SNP, 4}};
	int levels = mode_levels(mode);
	bool ok = true;

	if (!f->cpuid_leaf) {
		say(s,
		    "this CPU (%s) has no CPUID leaf 0x8000001f, so it has "
		    "no AMD memory encryption",
		    f->cpu_vendor[0] ? f->cpu_vendor : "vendor unknown");
		return false;
	}
	/* Every missing bit is its own piece of hardware the mode needs. */
	for (int i = 0; i < levels; i++) {
		if (f->eax & bits[i].bit)
			continue;
		say(s,
		    "this CPU does not report %s (CPUID 0x8000001f EAX bit "
		    "%u is clear)",
		    level_name[i], bits[i].nr);
		ok = false;
	}
	if (!ok)
		return false;

	/*
	 * ASIDs (APM §15.35.2; sev_hardware_setup()): ECX is the highest
	 * ASID for encrypted guests, EDX the first one plain SEV may use.
	 * SEV-ES and SEV-SNP get 1 .. EDX-1, plain SEV gets EDX .. ECX.
	 */
	if (f->ecx == 0) {
		say(s, "this CPU offers no ASIDs for encrypted guests (CPUID "
		       "0x8000001f ECX is 0)");
		return false;
	}
	if (mode == SEV_MODE_SEV && f->edx > f->ecx) {
		say(s,
		    "this CPU has no ASIDs for plain SEV guests (CPUID "
		    "0x8000001f EDX, the first SEV-only ASID, is %u but "
		    "ECX, the last ASID, is %u)",
		    f->edx, f->ecx);
		return false;
	}
	if (mode != SEV_MODE_SEV && f->edx <= 1) {
		say(s,
		    "this CPU has no ASIDs for SEV-ES or SEV-SNP guests "
		    "(CPUID 0x8000001f EDX, the minimum SEV ASID, is %u; "
		    "raise the SEV-ES ASID Space Limit in the BIOS)",
		    f->edx);
		return false;
	}
	return true;
}

/*
 * The user's --cbitpos and --reduced-phys-bits, the way QEMU checks them
 * (sev_common_kvm_init() since QEMU 8.1): the C-bit must be the host's,
 * because the guest's page tables use it on this very memory controller;
 * reduced-phys-bits only has to fit CPUID EBX[11:6], 1..63, and is NOT
 * compared with the host's EBX[11:6]: that is the host's own (SME)
 * reduction, while a guest sees at most 1 bit (APM §15.34.6).
 */
static unsigned check_options(const struct sev_host_facts *f, int cbitpos,
			      int reduced_phys_bits, struct sentences *s)
{
	unsigned bad = 0;

	if (cbitpos >= 0 && f->cpuid_leaf &&
	    (unsigned)cbitpos != (f->ebx & 0x3f)) {
		say(s,
		    "--cbitpos %d does not match this CPU's C-bit position "
		    "%u (CPUID 0x8000001f EBX[5:0])",
		    cbitpos, f->ebx & 0x3f);
		bad++;
	}
	if (reduced_phys_bits >= 0 &&
	    (reduced_phys_bits < 1 || reduced_phys_bits > 63)) {
		say(s,
		    "--reduced-phys-bits %d is out of range (it must be 1 "
		    "to 63, and a guest sees at most 1)",
		    reduced_phys_bits);
		bad++;
	}
	return bad;
}

static void say_param(struct sentences *s, int i,
		      const struct sev_host_param_value *v)
{
	static const char *const absent_why[SEV_HOST_NPARAMS] = {
		[SEV_HOST_PARAM_SEV] = ("it was built without SEV support "
					"(CONFIG_KVM_AMD_SEV)"),
		[SEV_HOST_PARAM_SEV_ES] = "SEV-ES needs Linux 5.11 or later",
		[SEV_HOST_PARAM_SEV_SNP] = "SEV-SNP needs Linux 6.11 or later",
	};

	if (!v->present) {
		say(s, "kvm_amd has no %s parameter: %s", param_names[i],
		    absent_why[i]);
		return;
	}
	/* sev_hardware_setup() writes back what it could enable, so N means
	 * "turned off" or "could not be turned on"; dmesg says which. */
	say(s,
	    "kvm_amd has %s=%s: it was loaded with %s=0 or could not "
	    "enable %s (reload it with %s=1 and see dmesg)",
	    param_names[i], v->raw[0] ? v->raw : "\"\"", param_names[i],
	    level_name[i], param_names[i]);
}

/* Kernel: kvm_amd, /dev/kvm, KVM's VM types, /dev/sev.  Returns whether
 * the mode's kernel side is fine; *sev_open whether firmware checks can
 * run. */
static bool check_kernel(const struct sev_host_facts *f, enum sev_mode mode,
			 struct sentences *s, bool *sev_open)
{
	int levels = mode_levels(mode);
	bool ok = true;

	if (!f->kvm_amd_loaded) {
		say(s, "kvm_amd is not loaded (modprobe kvm_amd)");
		ok = false;
	} else {
		bool params_ok = true;

		/* Only the first: the kernel turns later levels off with it. */
		for (int i = 0; i < levels; i++) {
			if (f->param[i].present && f->param[i].enabled)
				continue;
			say_param(s, i, &f->param[i]);
			params_ok = false;
			ok = false;
			break;
		}
		if (!f->kvm_exists) {
			say(s, "/dev/kvm does not exist although kvm_amd is "
			       "loaded");
			ok = false;
		} else if (f->kvm_errno) {
			say_open_failed(s, "/dev/kvm", f->kvm_errno,
					"run as root or join the kvm group");
			ok = false;
		} else if (params_ok && mode == SEV_MODE_SNP &&
			   (f->vm_types < 0 ||
			    !(f->vm_types & (1 << KVM_X86_SNP_VM)))) {
			/* For SEV and SEV-ES a missing type only means the
			 * legacy KVM_SEV_INIT path (kernels before 6.10). */
			say(s,
			    "KVM does not offer SEV-SNP VMs (KVM_CAP_VM_TYPES "
			    "lacks bit 4; SNP needs Linux 6.11 or later "
			    "with sev_snp=1)");
			ok = false;
		}
	}

	*sev_open = false;
	if (!f->sev_exists) {
		say(s, "/dev/sev does not exist: the ccp driver is not loaded "
		       "or the PSP is not enabled");
		ok = false;
	} else if (f->sev_errno) {
		say_open_failed(s, "/dev/sev", f->sev_errno,
				"run as root or give this user read access "
				"to /dev/sev");
		ok = false;
	} else {
		*sev_open = true;
	}
	return ok;
}

static void check_firmware(const struct sev_host_facts *f, enum sev_mode mode,
			   bool kernel_ok, struct sentences *s)
{
	if (mode == SEV_MODE_SNP) {
		const struct sev_host_snp_status *st = &f->snp;

		if (!st->queried) {
			/* sev_host_gather() skips it when kvm_amd's SNP is
			 * off, which the kernel check has reported. */
			if (kernel_ok)
				say(s, "the SEV-SNP platform status was not "
				       "read");
			return;
		}
		if (st->err) {
			say_status_failed(
				s, "SEV-SNP status", "SNP_PLATFORM_STATUS",
				st->err, st->fw_error,
				st->err == EINVAL ? "; it needs Linux 6.11 or "
						    "later with SEV-SNP "
						    "initialised"
						  : "");
			return;
		}
		if (st->state == SNP_PLATFORM_UNINIT)
			say(s, "the SEV firmware reports SEV-SNP as not "
			       "initialised (SNP_PLATFORM_STATUS state 0; "
			       "see dmesg)");
		return;
	}

	if (!f->status.queried) {
		say(s, "the SEV platform status was not read");
		return;
	}
	if (f->status.err) {
		say_status_failed(s, "status", "SEV_PLATFORM_STATUS",
				  f->status.err, f->status.fw_error, "");
		return;
	}
	/*
	 * QEMU refuses SEV-ES without CONFIG_ES.  The flag tells how the
	 * platform was INITed, so it means nothing while the platform is
	 * still UNINIT (newer kernels INIT it at the first SEV guest, with
	 * SEV-ES when the CPU has it).
	 */
	if (mode == SEV_MODE_SEV_ES && f->status.state != SEV_PLATFORM_UNINIT &&
	    !(f->status.flags & SEV_STATUS_FLAGS_CONFIG_ES))
		say(s, "the SEV firmware was initialised without SEV-ES "
		       "(SEV_PLATFORM_STATUS flags lack CONFIG_ES, 0x100)");
}

static void fill_info(const struct sev_host_facts *f, enum sev_mode mode,
		      int reduced_phys_bits, struct sev_host_info *out)
{
	static const int vm_type[] = {
		[SEV_MODE_SEV] = KVM_X86_SEV_VM,
		[SEV_MODE_SEV_ES] = KVM_X86_SEV_ES_VM,
		[SEV_MODE_SNP] = KVM_X86_SNP_VM,
	};

	memset(out, 0, sizeof(*out));
	out->cbitpos = f->ebx & 0x3f;
	out->host_phys_reduction = (f->ebx >> 6) & 0x3f;
	/* QEMU's default (query-sev-capabilities reports 1). */
	out->reduced_phys_bits =
		reduced_phys_bits >= 0 ? (unsigned)reduced_phys_bits : 1;
	out->nr_asids = f->ecx;
	out->min_sev_asid = f->edx;
	if (f->kvm_exists && !f->kvm_errno && f->vm_types > 0 &&
	    (unsigned)mode < sizeof(vm_type) / sizeof(vm_type[0]))
		out->init2 = f->vm_types & (1 << vm_type[mode]);
	out->debug_swap = f->debug_swap.present && f->debug_swap.enabled;
	if (f->status.queried && !f->status.err) {
		out->status_valid = true;
		out->api_major = f->status.api_major;
		out->api_minor = f->status.api_minor;
		out->build = f->status.build;
	}
	if (f->snp.queried && !f->snp.err) {
		out->snp_status_valid = true;
		out->snp_api_major = f->snp.api_major;
		out->snp_api_minor = f->snp.api_minor;
		out->snp_build_id = f->snp.build_id;
	}
}

int sev_host_check(const struct sev_host_facts *f, enum sev_mode mode,
		   int cbitpos, int reduced_phys_bits, char *msg, size_t msglen,
		   struct sev_host_info *out)
{
	struct sentences s = {.buf = msg, .len = msglen};
	unsigned bad_options, host_problems;
	bool sev_open = false, kernel_ok;

	if (msg && msglen)
		msg[0] = '\0';
	if (out)
		fill_info(f, mode, reduced_phys_bits, out);
	if (mode_levels(mode) == 0) {
		say(&s, "unknown SEV mode %d", (int)mode);
		return -EINVAL;
	}

	/* CPU first: when it lacks the feature, nothing in the kernel or
	 * the firmware can add it, and advice about them would mislead. */
	if (!check_cpu(f, mode, &s)) {
		check_options(f, cbitpos, reduced_phys_bits, &s);
		return -ENODEV;
	}
	bad_options = check_options(f, cbitpos, reduced_phys_bits, &s);
	kernel_ok = check_kernel(f, mode, &s, &sev_open);
	if (sev_open)
		check_firmware(f, mode, kernel_ok, &s);

	host_problems = s.n - bad_options;
	if (host_problems)
		return -ENODEV;
	return bad_options ? -EINVAL : 0;
}

/* ------------------------------------------------------- the facts, told */

/* "sev=N sev_es=N, no sev_snp parameter (...)" for sev_host_describe(). */
static void say_params(const struct sev_host_facts *f, struct sentences *s)
{
	static const char *const since[SEV_HOST_NPARAMS] = {
		[SEV_HOST_PARAM_SEV] = "built without CONFIG_KVM_AMD_SEV",
		[SEV_HOST_PARAM_SEV_ES] = "SEV-ES needs Linux 5.11",
		[SEV_HOST_PARAM_SEV_SNP] = "SEV-SNP needs Linux 6.11",
	};
	char set[96] = "", absent[192] = "";
	size_t ns = 0, na = 0;

	for (int i = 0; i < SEV_HOST_NPARAMS; i++) {
		const struct sev_host_param_value *v = &f->param[i];

		if (v->present)
			ns += snprintf(set + ns, sizeof(set) - ns, " %s=%s",
				       param_names[i], v->raw);
		else
			na += snprintf(absent + na, sizeof(absent) - na,
				       ", no %s parameter (%s)", param_names[i],
				       since[i]);
		if (ns >= sizeof(set) || na >= sizeof(absent))
			break;
	}
	if (f->debug_swap.present && ns < sizeof(set))
		snprintf(set + ns, sizeof(set) - ns, " debug_swap=%s",
			 f->debug_swap.raw);
	say(s, "kvm_amd%s%s", set, absent);
}

/*
 * KVM_CAP_VM_TYPES came in Linux 6.8 (arch/x86/kvm/x86.c), the SEV VM
 * types and KVM_SEV_INIT2 in 6.10: arch/x86/kvm/svm/sev.c
 * sev_set_cpu_caps() (sev_hardware_setup() in later kernels) sets a type's
 * bit only when kvm_amd enabled that mode.
 */
static void say_vm_types(const struct sev_host_facts *f, struct sentences *s)
{
	static const char *const names[] = {
		[KVM_X86_SEV_VM] = "SEV",
		[KVM_X86_SEV_ES_VM] = "SEV-ES",
		[KVM_X86_SNP_VM] = "SEV-SNP",
	};
	char list[32] = "";
	size_t n = 0;

	if (!f->kvm_exists || f->kvm_errno || f->vm_types < 0) {
		say(s, "KVM's VM types not read (/dev/kvm not opened)");
		return;
	}
	if (f->vm_types == 0) {
		say(s, "no KVM_CAP_VM_TYPES (Linux before 6.8): no "
		       "KVM_SEV_INIT2, only the legacy KVM_SEV_INIT and "
		       "KVM_SEV_ES_INIT");
		return;
	}
	for (int t = KVM_X86_SEV_VM; t <= KVM_X86_SNP_VM; t++)
		if (f->vm_types & (1 << t))
			n += snprintf(list + n, sizeof(list) - n, "%s%s",
				      n ? ", " : "", names[t]);
	if (!n)
		say(s,
		    "KVM VM types 0x%x: no SEV VM type, so no KVM_SEV_INIT2 "
		    "(kvm_amd's SEV is off, or Linux before 6.10)",
		    (unsigned)f->vm_types);
	else
		say(s, "KVM VM types 0x%x: KVM_SEV_INIT2 for %s",
		    (unsigned)f->vm_types, list);
}

void sev_host_describe(const struct sev_host_facts *f, char *msg, size_t msglen)
{
	struct sentences s = {.buf = msg, .len = msglen};

	if (msg && msglen)
		msg[0] = '\0';
	say(&s, "Linux %s",
	    f->kernel_release[0] ? f->kernel_release : "(release unknown)");
	say_vm_types(f, &s);
	if (f->kvm_amd_loaded)
		say_params(f, &s);
	else
		say(&s, "kvm_amd not loaded");
	if (!f->sev_exists)
		say(&s, "no /dev/sev");
	else if (f->sev_errno)
		say(&s, "/dev/sev: %s", strerror(f->sev_errno));
	else
		say(&s, "/dev/sev opened");
}

/* ------------------------------------------------------------ SNP policy */

/* SNP ABI 56860, "Guest Policy"; Linux arch/x86/kvm/svm/sev.c. */
#define SNP_POLICY_API_MINOR	   0xffULL
#define SNP_POLICY_API_MAJOR	   0xff00ULL
#define SNP_POLICY_SMT		   (1ULL << 16)
#define SNP_POLICY_RSVD_MBO	   (1ULL << 17)
#define SNP_POLICY_DEBUG	   (1ULL << 19)
#define SNP_POLICY_SINGLE_SOCKET   (1ULL << 20)
#define SNP_POLICY_VALID_6_11                                                 \
	(SNP_POLICY_API_MINOR | SNP_POLICY_API_MAJOR | SNP_POLICY_SMT |       \
	 SNP_POLICY_RSVD_MBO | SNP_POLICY_DEBUG | SNP_POLICY_SINGLE_SOCKET)

/* "6.12.48+deb13-amd64" -> 6, 12; false when it is not such a string. */
static bool release_version(const char *rel, unsigned *major, unsigned *minor)
{
	return sscanf(rel, "%u.%u", major, minor) == 2;
}

void sev_snp_policy_rules(const struct sev_host_facts *f,
			  struct snp_policy_rules *r)
{
	unsigned maj, min;

	*r = (struct snp_policy_rules){ .valid = SNP_POLICY_VALID_6_11 };
	if (f->snp_policy_bits_known) {
		/* A kernel that publishes its bits checks only those. */
		r->valid = f->snp_policy_bits;
		return;
	}
	/* snp_launch_start() from 6.11 (SNP's first release) to 6.15
	 * demanded SMT and refused SINGLE_SOCKET. */
	if (release_version(f->kernel_release, &maj, &min) && maj == 6 &&
	    min >= 11 && min <= 15) {
		r->need_smt = true;
		r->no_single_socket = true;
	}
}

static const char *snp_policy_bit_name(unsigned bit)
{
	switch (bit) {
	case 16:
		return "SMT";
	case 17:
		return "RSVD_MBO";
	case 18:
		return "MIGRATE_MA";
	case 19:
		return "DEBUG";
	case 20:
		return "SINGLE_SOCKET";
	case 21:
		return "CXL_ALLOW";
	case 22:
		return "MEM_AES_256_XTS";
	case 23:
		return "RAPL_DIS";
	case 24:
		return "CIPHERTEXT_HIDING";
	case 25:
		return "PAGE_SWAP_DISABLE";
	}
	return NULL;
}

int sev_snp_policy_check(uint64_t policy, const struct snp_policy_rules *r,
			 char *msg, size_t msglen)
{
	uint64_t extra = policy & ~r->valid;

	if (extra) {
		unsigned bit = (unsigned)__builtin_ctzll(extra);
		const char *name = snp_policy_bit_name(bit);

		set_err(msg, msglen,
			"SNP policy 0x%llx has bit %u%s%s%s set, which this "
			"host's KVM does not accept (it takes the bits 0x%llx)",
			(unsigned long long)policy, bit, name ? " (" : "",
			name ? name : "", name ? ")" : "",
			(unsigned long long)r->valid);
		return -EINVAL;
	}
	if (!(policy & SNP_POLICY_RSVD_MBO)) {
		set_err(msg, msglen,
			"SNP policy 0x%llx lacks bit 17, which must be 1 "
			"(0x30000 is the usual policy)",
			(unsigned long long)policy);
		return -EINVAL;
	}
	if (r->need_smt && !(policy & SNP_POLICY_SMT)) {
		set_err(msg, msglen,
			"SNP policy 0x%llx lacks bit 16 (SMT allowed), which "
			"this host's KVM (Linux 6.11 to 6.15) requires",
			(unsigned long long)policy);
		return -EINVAL;
	}
	if (r->no_single_socket && (policy & SNP_POLICY_SINGLE_SOCKET)) {
		set_err(msg, msglen,
			"SNP policy 0x%llx has bit 20 (SINGLE_SOCKET) set, "
			"which this host's KVM (Linux 6.11 to 6.15) refuses",
			(unsigned long long)policy);
		return -EINVAL;
	}
	return 0;
}

/* ------------------------------------------------ the kernel's profile */

void sev_kernel_profile_from(const struct sev_host_facts *f,
			     struct sev_kernel_profile *p)
{
	unsigned maj, min;

	memset(p, 0, sizeof(*p));
	snprintf(p->release, sizeof(p->release), "%s", f->kernel_release);
	sev_snp_policy_rules(f, &p->snp_rules);
	/* Unknown: the newest rules, which are the strictest sevboot
	 * knows. */
	p->vm_types = p->snp = true;
	if (!release_version(f->kernel_release, &maj, &min))
		return;
	p->major = maj;
	p->minor = min;
	/* KVM_SEV_INIT2 and the SEV VM types came with 6.10, SNP with 6.11
	 * (Linux arch/x86/kvm/svm/sev.c sev_guest_init2(),
	 * snp_launch_start(); include/uapi/linux/kvm.h). */
	p->vm_types = maj > 6 || (maj == 6 && min >= 10);
	p->snp = maj > 6 || (maj == 6 && min >= 11);
}

void sev_kernel_profile_name(const struct sev_kernel_profile *p, char *buf,
			     size_t len)
{
	if (!len)
		return;
	if (!p->major && !p->minor)
		snprintf(buf, len,
			 "an unknown Linux%s%s%s (treated as the newest)",
			 p->release[0] ? " (uname -r " : "", p->release,
			 p->release[0] ? ")" : "");
	else
		snprintf(buf, len, "Linux %u.%u (uname -r %s)", p->major,
			 p->minor, p->release);
}
