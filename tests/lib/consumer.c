// SPDX-License-Identifier: MIT
/*
 * tests/lib/consumer.c: a program outside sevboot's tree that uses the
 * installed libsev the way a VMM would, built with nothing but
 * `cc consumer.c $(pkg-config --cflags --libs libsev)` (tests/lib/run.sh).
 * It makes a KVM VM, maps guest memory, copies an OVMF image to the top
 * of the 4 GiB space and launches it with the libsev calls, under
 * SEVBOOT_BACKEND=model in the test host (no SEV hardware there):
 *
 *   consumer sev OVMF REPORT
 *   consumer seves OVMF AP_RESET_ADDR NCPUS VCPU_SIG REPORT
 *   consumer snp OVMF VCPU_SIG STEP...   (STEP: TYPE:GPA:LEN, the pages
 *                                         `sevboot measure -v` lists)
 *
 * It prints "consumer: <mode> measurement <base64 of the 48 bytes>" for
 * SEV and SEV-ES, which run.sh compares with `sevboot measure --tik`, and
 * one "consumer: ok: ..." line per checked step; any failure is one
 * "consumer: FAIL: ..." line and exit 1.  SEV and SEV-ES write the
 * attestation report (asked for with the mnonce "consumer-mnonce\0",
 * hex 636f6e73756d65722d6d6e6f6e636500) to REPORT, which run.sh checks
 * with `sevboot verify-report`; the model signs it when
 * SEVBOOT_MODEL_DIR names its identity (`sevboot model-keys DIR`).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libsev.h>

#define LOW_MEM (32u << 20) /* guest RAM at 0: the SNP sections live here */

struct vm {
	int kvm, fd, vcpus[8];
	unsigned nvcpus;
	uint8_t *low, *fw;
	size_t fw_len;
	uint64_t fw_gpa;
};

static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	va_list ap;

	fputs("consumer: FAIL: ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	exit(1);
}

/* A libsev call that must succeed.  fw is read here, after the call:
 * the order in which a call's arguments are evaluated is unspecified. */
static void must(int ret, const int *fw, const char *what)
{
	if (ret)
		die("%s: %s, firmware status %d", what, strerror(errno), *fw);
	printf("consumer: ok: %s\n", what);
}

/* A libsev call that must fail with errno e and firmware status f. */
static void must_fail(int ret, const int *fw, int e, int f, const char *what)
{
	if (ret != -1 || errno != e || *fw != f)
		die("%s: returned %d, errno %d (%s), fw_err %d; want -1, %d "
		    "(%s), %d",
		    what, ret, errno, strerror(errno), *fw, e, strerror(e), f);
	printf("consumer: ok: %s fails as documented (%s, fw_err %d)\n", what,
	       strerror(e), f);
}

static void *map_ram(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED)
		die("mmap %zu bytes: %s", len, strerror(errno));
	return p;
}

static void slot(struct vm *v, unsigned n, uint64_t gpa, void *hva, size_t len)
{
	struct kvm_userspace_memory_region r = {
		.slot = n,
		.guest_phys_addr = gpa,
		.memory_size = len,
		.userspace_addr = (uintptr_t)hva,
	};

	if (ioctl(v->fd, KVM_SET_USER_MEMORY_REGION, &r))
		die("KVM_SET_USER_MEMORY_REGION: %s", strerror(errno));
}

/* The VM, its RAM (low and the firmware's) and the OVMF image copied in. */
static void vm_make(struct vm *v, const char *ovmf)
{
	struct stat st;
	int fd;

	memset(v, 0, sizeof(*v));
	v->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (v->kvm < 0)
		die("/dev/kvm: %s", strerror(errno));
	v->fd = ioctl(v->kvm, KVM_CREATE_VM, 0);
	if (v->fd < 0)
		die("KVM_CREATE_VM: %s", strerror(errno));
	fd = open(ovmf, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) || st.st_size <= 0 ||
	    st.st_size > (16 << 20) || st.st_size % 4096)
		die("%s: not a firmware image", ovmf);
	v->fw_len = (size_t)st.st_size;
	v->fw_gpa = (1ULL << 32) - v->fw_len;
	v->fw = map_ram(v->fw_len);
	if (read(fd, v->fw, v->fw_len) != (ssize_t)v->fw_len)
		die("%s: short read", ovmf);
	close(fd);
	v->low = map_ram(LOW_MEM);
	slot(v, 0, 0, v->low, LOW_MEM);
	slot(v, 1, v->fw_gpa, v->fw, v->fw_len);
}

/* The host address of guest [gpa, gpa + len). */
static uint8_t *hva(struct vm *v, uint64_t gpa, uint64_t len)
{
	if (gpa + len <= LOW_MEM)
		return v->low + gpa;
	if (gpa >= v->fw_gpa && gpa + len <= v->fw_gpa + v->fw_len)
		return v->fw + (gpa - v->fw_gpa);
	die("GPA 0x%llx (+0x%llx) is not guest RAM", (unsigned long long)gpa,
	    (unsigned long long)len);
}

/*
 * The vCPUs, with the reset state QEMU gives an SEV-ES guest (what
 * `sevboot measure` assumes): KVM's own reset, except the segment types,
 * which QEMU loads with the accessed bit (CS 0xb, SS 3; KVM's SVM reset
 * has 0xa and 2) and TR as a busy 32-bit TSS (0xb; KVM's is a busy
 * 16-bit one, 3), RDX = the CPU signature, and an AP starting at the
 * firmware's SEV-ES reset block (CS.base the upper 16 bits, IP the
 * lower).  Each is named to the model (sev_model_add_vcpu), which reads
 * its registers as KVM does.
 */
static void vcpus_make(struct vm *v, unsigned n, uint32_t sig, uint32_t ap)
{
	for (unsigned i = 0; i < n; i++) {
		struct kvm_sregs s;
		struct kvm_regs r;
		int fw;

		v->vcpus[i] = ioctl(v->fd, KVM_CREATE_VCPU, i);
		if (v->vcpus[i] < 0)
			die("KVM_CREATE_VCPU %u: %s", i, strerror(errno));
		if (ioctl(v->vcpus[i], KVM_GET_SREGS, &s) ||
		    ioctl(v->vcpus[i], KVM_GET_REGS, &r))
			die("vCPU %u registers: %s", i, strerror(errno));
		s.cs.type = 0xb;
		s.ds.type = s.es.type = s.ss.type = s.fs.type = s.gs.type = 3;
		s.tr.type = 0xb;
		r.rdx = sig;
		if (i) {
			s.cs.base = ap & 0xffff0000u;
			r.rip = ap & 0xffff;
		}
		if (ioctl(v->vcpus[i], KVM_SET_SREGS, &s) ||
		    ioctl(v->vcpus[i], KVM_SET_REGS, &r))
			die("vCPU %u reset state: %s", i, strerror(errno));
		must(sev_model_add_vcpu(v->fd, v->vcpus[i], &fw), &fw,
		     "sev_model_add_vcpu");
	}
	v->nvcpus = n;
}

static void print_measurement(const char *mode, const unsigned char m[48])
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqr"
				  "stuvwxyz0123456789+/";

	printf("consumer: %s measurement ", mode);
	for (int i = 0; i < 48; i += 3) {
		uint32_t w = (uint32_t)m[i] << 16 | m[i + 1] << 8 | m[i + 2];

		printf("%c%c%c%c", b64[w >> 18], b64[(w >> 12) & 63],
		       b64[(w >> 6) & 63], b64[w & 63]);
	}
	putchar('\n');
}

/* The calls a launch refuses before its time, and a fd that is no VM. */
static void refusals(struct vm *v, int es)
{
	unsigned char m[48];
	int fw;

	must_fail(sev_launch_start(v->vcpus[0] ? v->vcpus[0] : v->kvm, 1, NULL,
				   NULL, &fw),
		  &fw, ENOTTY, LIBSEV_NO_FW_CALL,
		  "sev_launch_start on a non-VM fd");
	must_fail(sev_launch_measure(v->fd, m, &fw), &fw, EPROTO,
		  LIBSEV_NO_FW_CALL, "sev_launch_measure before the start");
	must_fail(sev_launch_start(v->fd, es ? 0x1 : 0x5, NULL, NULL, &fw), &fw,
		  EINVAL, LIBSEV_NO_FW_CALL,
		  "sev_launch_start with the other mode's ES bit");
}

/* The report: a short buffer first (ENOSPC, the length needed, the
 * firmware's INVALID_LENGTH), then the report into path. */
static void attestation(struct vm *v, const char *path)
{
	unsigned char mnonce[16] = "consumer-mnonce", report[512];
	unsigned int report_len = 100;
	FILE *f;
	int fw;

	must_fail(sev_attestation_report(v->fd, mnonce, 16, report, &report_len,
					 &fw),
		  &fw, ENOSPC, 0x04 /* SEV_RET_INVALID_LEN */,
		  "sev_attestation_report into 100 bytes");
	if (report_len != LIBSEV_REPORT_LEN)
		die("sev_attestation_report into 100 bytes: *report_len %u, "
		    "want %d",
		    report_len, LIBSEV_REPORT_LEN);
	printf("consumer: ok: *report_len is then %u\n", report_len);
	report_len = sizeof(report);
	must(sev_attestation_report(v->fd, mnonce, 16, report, &report_len,
				    &fw),
	     &fw, "sev_attestation_report");
	if (report_len != LIBSEV_REPORT_LEN)
		die("sev_attestation_report: %u bytes, want %d", report_len,
		    LIBSEV_REPORT_LEN);
	f = fopen(path, "wb");
	if (!f || fwrite(report, 1, report_len, f) != report_len ||
	    fclose(f))
		die("%s: cannot write the report: %s", path, strerror(errno));
	printf("consumer: ok: the report (%u bytes) is in %s\n", report_len,
	       path);
}

static int launch_sev(struct vm *v, int es, int argc, char **argv)
{
	unsigned char m[48];
	int fw;

	if (es && argc != 7)
		die("usage: consumer seves OVMF AP_RESET_ADDR NCPUS SIG REPORT");
	if (!es && argc != 4)
		die("usage: consumer sev OVMF REPORT");
	must(es ? sev_es_init(v->fd, &fw) : sev_init(v->fd, &fw), &fw,
	     es ? "sev_es_init" : "sev_init");
	must_fail(sev_init(v->fd, &fw), &fw, EPROTO, LIBSEV_NO_FW_CALL,
		  "a second INIT");
	if (es)
		vcpus_make(v, (unsigned)strtoul(argv[4], NULL, 0),
			   (uint32_t)strtoul(argv[5], NULL, 0),
			   (uint32_t)strtoul(argv[3], NULL, 0));
	refusals(v, es);
	must(sev_launch_start(v->fd, es ? 0x5 : 0x1, NULL, NULL, &fw), &fw,
	     "sev_launch_start");
	must(sev_launch_update_data(v->fd, (uintptr_t)v->fw, v->fw_len, &fw),
	     &fw, "sev_launch_update_data (the whole firmware)");
	if (es)
		must(sev_launch_update_vmsa(v->fd, &fw), &fw,
		     "sev_launch_update_vmsa");
	must(sev_launch_measure(v->fd, m, &fw), &fw, "sev_launch_measure");
	print_measurement(es ? "seves" : "sev", m);
	must_fail(sev_launch_update_data(v->fd, (uintptr_t)v->fw, 4096, &fw),
		  &fw, EPROTO, LIBSEV_NO_FW_CALL,
		  "sev_launch_update_data after the measurement");
	must(sev_launch_finish(v->fd, &fw), &fw, "sev_launch_finish");
	attestation(v, argv[argc - 1]);
	return 0;
}

static uint8_t page_type(const char *name)
{
	static const struct {
		const char *name;
		uint8_t type;
	} t[] = {{"NORMAL", LIBSEV_SNP_PAGE_NORMAL},
		 {"ZERO", LIBSEV_SNP_PAGE_ZERO},
		 {"UNMEASURED", LIBSEV_SNP_PAGE_UNMEASURED},
		 {"SECRETS", LIBSEV_SNP_PAGE_SECRETS},
		 {"CPUID", LIBSEV_SNP_PAGE_CPUID}};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (!strcmp(name, t[i].name))
			return t[i].type;
	die("unknown page type %s", name);
}

static int launch_snp(struct vm *v, int argc, char **argv)
{
	unsigned char host_data[32] = "consumer host data";
	int fw;

	if (argc < 5)
		die("usage: consumer snp OVMF SIG TYPE:GPA:LEN...");
	must(snp_init(v->fd, 0x1, &fw), &fw, "snp_init");
	vcpus_make(v, 1, (uint32_t)strtoul(argv[3], NULL, 0), 0);
	must_fail(sev_launch_start(v->fd, 1, NULL, NULL, &fw), &fw, EINVAL,
		  LIBSEV_NO_FW_CALL, "sev_launch_start on an SNP VM");
	must_fail(snp_launch_finish(v->fd, NULL, NULL, 0, NULL, &fw), &fw,
		  EPROTO, LIBSEV_NO_FW_CALL,
		  "snp_launch_finish before the start");
	must(snp_launch_start(v->fd, 0x30000, NULL, 0, &fw), &fw,
	     "snp_launch_start");
	for (int i = 4; i < argc; i++) {
		char type[16];
		unsigned long long gpa, len;

		if (sscanf(argv[i], "%15[A-Z]:%llx:%llx", type, &gpa, &len) !=
		    3)
			die("step %s: want TYPE:GPA:LEN", argv[i]);
		errno = 0;
		if (snp_launch_update(v->fd, gpa >> 12,
				      (uintptr_t)hva(v, gpa, len), len,
				      page_type(type), &fw))
			die("snp_launch_update %s: %s, firmware status %d",
			    argv[i], strerror(errno), fw);
		printf("consumer: ok: snp_launch_update %s\n", argv[i]);
	}
	must(snp_launch_finish(v->fd, NULL, NULL, 0, host_data, &fw), &fw,
	     "snp_launch_finish");
	must_fail(snp_launch_finish(v->fd, NULL, NULL, 0, NULL, &fw), &fw,
		  EPROTO, LIBSEV_NO_FW_CALL, "a second snp_launch_finish");
	return 0;
}

int main(int argc, char **argv)
{
	struct vm v;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 3)
		die("usage: consumer sev|seves|snp OVMF ...");
	vm_make(&v, argv[2]);
	if (!strcmp(argv[1], "sev"))
		return launch_sev(&v, 0, argc, argv);
	if (!strcmp(argv[1], "seves"))
		return launch_sev(&v, 1, argc, argv);
	if (!strcmp(argv[1], "snp"))
		return launch_snp(&v, argc, argv);
	die("unknown mode %s", argv[1]);
}
