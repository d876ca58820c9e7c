// SPDX-License-Identifier: MIT
/*
 * sev/hostcheck.c: the decision, case by case over hand-built host facts
 * (every missing piece, and combinations, for each mode, with the exact
 * sentences), the option rules, and one real sev_host_gather() on this
 * machine.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>

#include "sev/sev.h"
#include "tests/unit/testutil.h"

/* ------------------------------------------------ the exact sentences */

#define S_NO_LEAF                                                              \
	"this CPU (GenuineIntel) has no CPUID leaf 0x8000001f, so it has no "  \
	"AMD memory encryption"
#define S_NO_SEV                                                               \
	"this CPU does not report SEV (CPUID 0x8000001f EAX bit 1 is clear)"
#define S_NO_ES                                                                \
	"this CPU does not report SEV-ES (CPUID 0x8000001f EAX bit 3 is "      \
	"clear)"
#define S_NO_SNP                                                               \
	"this CPU does not report SEV-SNP (CPUID 0x8000001f EAX bit 4 is "     \
	"clear)"
#define S_NO_ASIDS                                                             \
	"this CPU offers no ASIDs for encrypted guests (CPUID 0x8000001f ECX " \
	"is 0)"
#define S_NO_SEV_ASIDS                                                         \
	"this CPU has no ASIDs for plain SEV guests (CPUID 0x8000001f EDX, "   \
	"the first SEV-only ASID, is 510 but ECX, the last ASID, is 509)"
#define S_NO_ES_ASIDS                                                          \
	"this CPU has no ASIDs for SEV-ES or SEV-SNP guests (CPUID "           \
	"0x8000001f EDX, the minimum SEV ASID, is 1; raise the SEV-ES ASID "   \
	"Space Limit in the BIOS)"
#define S_CBITPOS_47                                                           \
	"--cbitpos 47 does not match this CPU's C-bit position 51 (CPUID "     \
	"0x8000001f EBX[5:0])"
#define S_RPB(n)                                                               \
	"--reduced-phys-bits " #n " is out of range (it must be 1 to 63, and " \
	"a guest sees at most 1)"
#define S_NO_KVM_AMD "kvm_amd is not loaded (modprobe kvm_amd)"
#define S_PARAM_OFF(p, v, what)                                                \
	"kvm_amd has " p "=" v ": it was loaded with " p "=0 or could not "    \
	"enable " what " (reload it with " p "=1 and see dmesg)"
#define S_SEV_N	   S_PARAM_OFF("sev", "N", "SEV")
#define S_SEV_0	   S_PARAM_OFF("sev", "0", "SEV")
#define S_SEV_ES_N S_PARAM_OFF("sev_es", "N", "SEV-ES")
#define S_SNP_N	   S_PARAM_OFF("sev_snp", "N", "SEV-SNP")
#define S_NO_SEV_PARAM                                                         \
	"kvm_amd has no sev parameter: it was built without SEV support "      \
	"(CONFIG_KVM_AMD_SEV)"
#define S_NO_ES_PARAM                                                          \
	"kvm_amd has no sev_es parameter: SEV-ES needs Linux 5.11 or later"
#define S_NO_SNP_PARAM                                                         \
	"kvm_amd has no sev_snp parameter: SEV-SNP needs Linux 6.11 or later"
#define S_NO_DEV_KVM "/dev/kvm does not exist although kvm_amd is loaded"
#define S_KVM_EACCES                                                           \
	"/dev/kvm cannot be opened: permission denied (run as root or join "   \
	"the kvm group)"
#define S_KVM_EBUSY "/dev/kvm cannot be opened: Device or resource busy"
#define S_NO_SNP_VM                                                            \
	"KVM does not offer SEV-SNP VMs (KVM_CAP_VM_TYPES lacks bit 4; SNP "   \
	"needs Linux 6.11 or later with sev_snp=1)"
#define S_NO_DEV_SEV                                                           \
	"/dev/sev does not exist: the ccp driver is not loaded or the PSP is " \
	"not enabled"
#define S_SEV_EACCES                                                           \
	"/dev/sev cannot be opened: permission denied (run as root or give "   \
	"this user read access to /dev/sev)"
#define S_STATUS_EIO                                                           \
	"the SEV firmware did not report its status (SEV_PLATFORM_STATUS: "    \
	"Input/output error, firmware status SEV_RET_INVALID_PLATFORM_STATE "  \
	"(0x01))"
#define S_STATUS_EIO_0X99                                                      \
	"the SEV firmware did not report its status (SEV_PLATFORM_STATUS: "    \
	"Input/output error, firmware status 0x99)"
#define S_STATUS_NO_FW_CALL                                                    \
	"the SEV firmware did not report its status (SEV_PLATFORM_STATUS: No " \
	"such device)"
#define S_NO_CONFIG_ES                                                         \
	"the SEV firmware was initialised without SEV-ES "                     \
	"(SEV_PLATFORM_STATUS flags lack CONFIG_ES, 0x100)"
#define S_SNP_STATUS_EINVAL                                                    \
	"the SEV firmware did not report its SEV-SNP status "                  \
	"(SNP_PLATFORM_STATUS: Invalid argument; it needs Linux 6.11 or "      \
	"later with SEV-SNP initialised)"
#define S_SNP_STATUS_EIO_RMP                                                   \
	"the SEV firmware did not report its SEV-SNP status "                  \
	"(SNP_PLATFORM_STATUS: Input/output error, firmware status "           \
	"SEV_RET_RMP_INIT_REQUIRED (0x20))"
#define S_SNP_UNINIT                                                           \
	"the SEV firmware reports SEV-SNP as not initialised "                 \
	"(SNP_PLATFORM_STATUS state 0; see dmesg)"
#define S_SNP_NOT_READ	  "the SEV-SNP platform status was not read"
#define S_STATUS_NOT_READ "the SEV platform status was not read"

/* --------------------------------------------------- a host that works */

/* A Milan-like host on Linux 6.11+ with everything on: C-bit 51, host
 * reduction 5, 4 VMPLs, ASIDs 1..99 for SEV-ES/SNP and 100..509 for SEV. */
static void good_host(struct sev_host_facts *f)
{
	memset(f, 0, sizeof(*f));
	strcpy(f->cpu_vendor, "AuthenticAMD");
	f->cpuid_leaf = true;
	f->eax = 0x1f; /* SME, SEV, page flush MSR, SEV-ES, SEV-SNP */
	f->ebx = 51 | 5u << 6 | 4u << 12;
	f->ecx = 509;
	f->edx = 100;
	f->kvm_amd_loaded = true;
	for (int i = 0; i < SEV_HOST_NPARAMS; i++)
		sev_host_param_parse("Y\n", 2, &f->param[i]);
	f->kvm_exists = true;
	f->vm_types = 1 << 0 | 1 << 2 | 1 << 3 | 1 << 4;
	f->sev_exists = true;
	f->status.queried = true;
	f->status.api_major = 1;
	f->status.api_minor = 55;
	f->status.build = 21;
	f->status.state = 1; /* INIT */
	f->status.flags = 0x100;
	f->snp.queried = true;
	f->snp.api_major = 1;
	f->snp.api_minor = 55;
	f->snp.build_id = 37;
	f->snp.state = 1;
	f->snp.rmp_initialized = true;
}

/* ------------------------------------------------------- the mutations */

static void intel(struct sev_host_facts *f)
{
	strcpy(f->cpu_vendor, "GenuineIntel");
	f->cpuid_leaf = false;
	f->eax = f->ebx = f->ecx = f->edx = 0;
	/* What an Intel KVM host has, none of which may be mentioned. */
	f->kvm_amd_loaded = false;
	memset(f->param, 0, sizeof(f->param));
	f->sev_exists = false;
	f->sev_errno = ENOENT;
	f->status.queried = false;
	f->snp.queried = false;
}

static void leaf_zero(struct sev_host_facts *f)
{
	/* A guest whose hypervisor hides the leaf's contents. */
	f->eax = f->ebx = f->ecx = f->edx = 0;
}

static void no_sev_bit(struct sev_host_facts *f)
{
	f->eax &= ~(1u << 1);
}

static void no_es_bit(struct sev_host_facts *f)
{
	f->eax &= ~(1u << 3);
}

static void no_snp_bit(struct sev_host_facts *f)
{
	f->eax &= ~(1u << 4);
}

static void no_asids(struct sev_host_facts *f)
{
	f->ecx = 0;
}

static void all_asids_es(struct sev_host_facts *f)
{
	f->edx = 510;
}

static void no_es_asids(struct sev_host_facts *f)
{
	f->edx = 1;
}

static void no_es_asids_kernel_follows(struct sev_host_facts *f)
{
	/* sev_hardware_setup() then turns sev_es and sev_snp off. */
	no_es_asids(f);
	sev_host_param_parse("N\n", 2, &f->param[SEV_HOST_PARAM_SEV_ES]);
	sev_host_param_parse("N\n", 2, &f->param[SEV_HOST_PARAM_SEV_SNP]);
	f->vm_types = 1 << 0 | 1 << 2;
	f->snp.queried = false;
}

static void no_kvm_amd(struct sev_host_facts *f)
{
	f->kvm_amd_loaded = false;
	memset(f->param, 0, sizeof(f->param));
	f->kvm_exists = false;
	f->kvm_errno = ENOENT;
	f->vm_types = -1;
	f->snp.queried = false;
}

static void sev_off(struct sev_host_facts *f)
{
	for (int i = 0; i < SEV_HOST_NPARAMS; i++)
		sev_host_param_parse("N\n", 2, &f->param[i]);
	f->vm_types = 1;
	f->snp.queried = false;
}

static void sev_int_0(struct sev_host_facts *f)
{
	/* Old kernels had int parameters. */
	sev_host_param_parse("0\n", 2, &f->param[SEV_HOST_PARAM_SEV]);
	sev_host_param_parse("0\n", 2, &f->param[SEV_HOST_PARAM_SEV_ES]);
	memset(&f->param[SEV_HOST_PARAM_SEV_SNP], 0, sizeof(f->param[0]));
	f->vm_types = 0;
	f->snp.queried = false;
}

static void sev_es_off(struct sev_host_facts *f)
{
	sev_host_param_parse("N\n", 2, &f->param[SEV_HOST_PARAM_SEV_ES]);
	sev_host_param_parse("N\n", 2, &f->param[SEV_HOST_PARAM_SEV_SNP]);
	f->vm_types = 1 << 0 | 1 << 2;
	f->snp.queried = false;
}

static void snp_off(struct sev_host_facts *f)
{
	sev_host_param_parse("N\n", 2, &f->param[SEV_HOST_PARAM_SEV_SNP]);
	f->vm_types = 1 << 0 | 1 << 2 | 1 << 3;
	f->snp.queried = false;
}

static void linux_6_10(struct sev_host_facts *f)
{
	memset(&f->param[SEV_HOST_PARAM_SEV_SNP], 0, sizeof(f->param[0]));
	f->vm_types = 1 << 0 | 1 << 2 | 1 << 3;
	f->snp.queried = false;
}

static void linux_6_1(struct sev_host_facts *f)
{
	memset(&f->param[SEV_HOST_PARAM_SEV_SNP], 0, sizeof(f->param[0]));
	f->vm_types = 0; /* no KVM_CAP_VM_TYPES */
	f->snp.queried = false;
}

static void linux_5_10(struct sev_host_facts *f)
{
	linux_6_1(f);
	memset(&f->param[SEV_HOST_PARAM_SEV_ES], 0, sizeof(f->param[0]));
}

static void no_sev_config(struct sev_host_facts *f)
{
	/* CONFIG_KVM_AMD_SEV=n: no SEV parameters at all. */
	memset(f->param, 0, sizeof(f->param));
	f->vm_types = 1;
	f->snp.queried = false;
}

static void no_dev_kvm(struct sev_host_facts *f)
{
	f->kvm_exists = false;
	f->kvm_errno = ENOENT;
	f->vm_types = -1;
}

static void kvm_eacces(struct sev_host_facts *f)
{
	f->kvm_errno = EACCES;
	f->vm_types = -1;
}

static void kvm_ebusy(struct sev_host_facts *f)
{
	f->kvm_errno = EBUSY;
	f->vm_types = -1;
}

static void no_snp_vm_type(struct sev_host_facts *f)
{
	f->vm_types = 1 << 0 | 1 << 2 | 1 << 3;
}

static void vm_types_unknown(struct sev_host_facts *f)
{
	f->vm_types = -1;
}

static void no_dev_sev(struct sev_host_facts *f)
{
	f->sev_exists = false;
	f->sev_errno = ENOENT;
	memset(&f->status, 0, sizeof(f->status));
	memset(&f->snp, 0, sizeof(f->snp));
}

static void sev_eacces(struct sev_host_facts *f)
{
	no_dev_sev(f);
	f->sev_exists = true;
	f->sev_errno = EACCES;
}

static void status_eio(struct sev_host_facts *f)
{
	f->status.err = EIO;
	f->status.fw_error = 0x01;
}

static void status_eio_unknown(struct sev_host_facts *f)
{
	f->status.err = EIO;
	f->status.fw_error = 0x99;
}

static void status_no_fw_call(struct sev_host_facts *f)
{
	f->status.err = ENODEV;
	f->status.fw_error = -1;
}

static void status_not_read(struct sev_host_facts *f)
{
	f->status.queried = false;
}

static void no_config_es(struct sev_host_facts *f)
{
	f->status.flags = 0;
}

static void no_config_es_uninit(struct sev_host_facts *f)
{
	/* Not INITed yet: the flag cannot say anything. */
	f->status.flags = 0;
	f->status.state = 0;
}

static void platform_uninit(struct sev_host_facts *f)
{
	f->status.state = 0;
}

static void snp_status_einval(struct sev_host_facts *f)
{
	f->snp.err = EINVAL;
	f->snp.fw_error = 0;
}

static void snp_status_rmp(struct sev_host_facts *f)
{
	f->snp.err = EIO;
	f->snp.fw_error = 0x20;
}

static void snp_uninit(struct sev_host_facts *f)
{
	f->snp.state = 0;
}

static void snp_not_read(struct sev_host_facts *f)
{
	f->snp.queried = false;
}

static void user_not_root(struct sev_host_facts *f)
{
	kvm_eacces(f);
	sev_eacces(f);
}

static void amd_nothing_loaded(struct sev_host_facts *f)
{
	no_kvm_amd(f);
	no_dev_sev(f);
}

static void snp_off_no_dev_sev(struct sev_host_facts *f)
{
	snp_off(f);
	no_dev_sev(f);
}

static void kvm_amd_gone_status_eio(struct sev_host_facts *f)
{
	no_kvm_amd(f);
	status_eio(f);
}

static void snp_vm_missing_and_status_bad(struct sev_host_facts *f)
{
	no_snp_vm_type(f);
	snp_status_einval(f);
}

static void no_es_bit_kvm_eacces(struct sev_host_facts *f)
{
	no_es_bit(f);
	kvm_eacces(f);
}

/* ---------------------------------------------------------- the table */

struct check_case {
	const char *name;
	void (*mutate)(struct sev_host_facts *f);
	enum sev_mode mode;
	int cbitpos, rpb;
	int ret;
	const char *msg;
};

#define SEV   SEV_MODE_SEV
#define SEVES SEV_MODE_SEV_ES
#define SNP   SEV_MODE_SNP

static const struct check_case cases[] = {
	/* A working host. */
	{"good sev", NULL, SEV, -1, -1, 0, ""},
	{"good seves", NULL, SEVES, -1, -1, 0, ""},
	{"good snp", NULL, SNP, -1, -1, 0, ""},
	{"good sev, options match", NULL, SEV, 51, 1, 0, ""},
	{"good snp, rpb 5", NULL, SNP, 51, 5, 0, ""},
	{"good seves, rpb 63", NULL, SEVES, -1, 63, 0, ""},

	/* CPU. */
	{"intel sev", intel, SEV, -1, -1, -ENODEV, S_NO_LEAF},
	{"intel snp", intel, SNP, -1, -1, -ENODEV, S_NO_LEAF},
	{"intel, cbitpos given", intel, SEV, 47, -1, -ENODEV, S_NO_LEAF},
	{"intel, rpb 0", intel, SEVES, -1, 0, -ENODEV, S_NO_LEAF "; " S_RPB(0)},
	{"leaf zero sev", leaf_zero, SEV, -1, -1, -ENODEV, S_NO_SEV},
	{"leaf zero snp", leaf_zero, SNP, -1, -1, -ENODEV,
	 S_NO_SEV "; " S_NO_ES "; " S_NO_SNP},
	{"no sev bit sev", no_sev_bit, SEV, -1, -1, -ENODEV, S_NO_SEV},
	{"no sev bit seves", no_sev_bit, SEVES, -1, -1, -ENODEV, S_NO_SEV},
	{"no es bit sev", no_es_bit, SEV, -1, -1, 0, ""},
	{"no es bit seves", no_es_bit, SEVES, -1, -1, -ENODEV, S_NO_ES},
	{"no es bit snp", no_es_bit, SNP, -1, -1, -ENODEV, S_NO_ES},
	{"no snp bit sev", no_snp_bit, SEV, -1, -1, 0, ""},
	{"no snp bit seves", no_snp_bit, SEVES, -1, -1, 0, ""},
	{"no snp bit snp", no_snp_bit, SNP, -1, -1, -ENODEV, S_NO_SNP},
	{"no asids sev", no_asids, SEV, -1, -1, -ENODEV, S_NO_ASIDS},
	{"no asids snp", no_asids, SNP, -1, -1, -ENODEV, S_NO_ASIDS},
	{"all asids es sev", all_asids_es, SEV, -1, -1, -ENODEV,
	 S_NO_SEV_ASIDS},
	{"all asids es seves", all_asids_es, SEVES, -1, -1, 0, ""},
	{"all asids es snp", all_asids_es, SNP, -1, -1, 0, ""},
	{"no es asids sev", no_es_asids, SEV, -1, -1, 0, ""},
	{"no es asids seves", no_es_asids, SEVES, -1, -1, -ENODEV,
	 S_NO_ES_ASIDS},
	{"no es asids snp", no_es_asids, SNP, -1, -1, -ENODEV, S_NO_ES_ASIDS},
	{"no es asids, kernel follows", no_es_asids_kernel_follows, SNP, -1, -1,
	 -ENODEV, S_NO_ES_ASIDS},
	{"no es bit, kvm eacces", no_es_bit_kvm_eacces, SEVES, -1, -1, -ENODEV,
	 S_NO_ES},

	/* Options. */
	{"cbitpos 47", NULL, SEV, 47, -1, -EINVAL, S_CBITPOS_47},
	{"cbitpos 47 snp", NULL, SNP, 47, 1, -EINVAL, S_CBITPOS_47},
	{"rpb 0", NULL, SEV, -1, 0, -EINVAL, S_RPB(0)},
	{"rpb 64", NULL, SEVES, -1, 64, -EINVAL, S_RPB(64)},
	{"both options", NULL, SNP, 47, 64, -EINVAL,
	 S_CBITPOS_47 "; " S_RPB(64)},
	{"cbitpos and no sev bit", no_sev_bit, SEV, 47, -1, -ENODEV,
	 S_NO_SEV "; " S_CBITPOS_47},
	{"cbitpos and no kvm_amd", no_kvm_amd, SEV, 47, -1, -ENODEV,
	 S_CBITPOS_47 "; " S_NO_KVM_AMD},

	/* Kernel: kvm_amd and its parameters. */
	{"no kvm_amd sev", no_kvm_amd, SEV, -1, -1, -ENODEV, S_NO_KVM_AMD},
	{"no kvm_amd snp", no_kvm_amd, SNP, -1, -1, -ENODEV, S_NO_KVM_AMD},
	{"sev off sev", sev_off, SEV, -1, -1, -ENODEV, S_SEV_N},
	{"sev off snp", sev_off, SNP, -1, -1, -ENODEV, S_SEV_N},
	{"sev int 0", sev_int_0, SEVES, -1, -1, -ENODEV, S_SEV_0},
	{"sev_es off sev", sev_es_off, SEV, -1, -1, 0, ""},
	{"sev_es off seves", sev_es_off, SEVES, -1, -1, -ENODEV, S_SEV_ES_N},
	{"sev_es off snp", sev_es_off, SNP, -1, -1, -ENODEV, S_SEV_ES_N},
	{"sev_snp off sev", snp_off, SEV, -1, -1, 0, ""},
	{"sev_snp off seves", snp_off, SEVES, -1, -1, 0, ""},
	{"sev_snp off snp", snp_off, SNP, -1, -1, -ENODEV, S_SNP_N},
	{"6.10 sev", linux_6_10, SEV, -1, -1, 0, ""},
	{"6.10 snp", linux_6_10, SNP, -1, -1, -ENODEV, S_NO_SNP_PARAM},
	{"6.1 sev", linux_6_1, SEV, -1, -1, 0, ""},
	{"6.1 seves", linux_6_1, SEVES, -1, -1, 0, ""},
	{"6.1 snp", linux_6_1, SNP, -1, -1, -ENODEV, S_NO_SNP_PARAM},
	{"5.10 sev", linux_5_10, SEV, -1, -1, 0, ""},
	{"5.10 seves", linux_5_10, SEVES, -1, -1, -ENODEV, S_NO_ES_PARAM},
	{"no CONFIG_KVM_AMD_SEV", no_sev_config, SNP, -1, -1, -ENODEV,
	 S_NO_SEV_PARAM},

	/* Kernel: /dev/kvm and VM types. */
	{"no /dev/kvm", no_dev_kvm, SEV, -1, -1, -ENODEV, S_NO_DEV_KVM},
	{"kvm eacces", kvm_eacces, SEVES, -1, -1, -ENODEV, S_KVM_EACCES},
	{"kvm ebusy", kvm_ebusy, SNP, -1, -1, -ENODEV, S_KVM_EBUSY},
	{"no snp vm type sev", no_snp_vm_type, SEV, -1, -1, 0, ""},
	{"no snp vm type snp", no_snp_vm_type, SNP, -1, -1, -ENODEV,
	 S_NO_SNP_VM},
	{"vm types unknown snp", vm_types_unknown, SNP, -1, -1, -ENODEV,
	 S_NO_SNP_VM},
	{"vm types unknown seves", vm_types_unknown, SEVES, -1, -1, 0, ""},

	/* Kernel: /dev/sev. */
	{"no /dev/sev sev", no_dev_sev, SEV, -1, -1, -ENODEV, S_NO_DEV_SEV},
	{"no /dev/sev snp", no_dev_sev, SNP, -1, -1, -ENODEV, S_NO_DEV_SEV},
	{"sev eacces", sev_eacces, SEVES, -1, -1, -ENODEV, S_SEV_EACCES},

	/* Firmware. */
	{"status eio sev", status_eio, SEV, -1, -1, -ENODEV, S_STATUS_EIO},
	{"status eio snp", status_eio, SNP, -1, -1, 0, ""},
	{"status eio unknown", status_eio_unknown, SEVES, -1, -1, -ENODEV,
	 S_STATUS_EIO_0X99},
	{"status no fw call", status_no_fw_call, SEV, -1, -1, -ENODEV,
	 S_STATUS_NO_FW_CALL},
	{"status not read", status_not_read, SEV, -1, -1, -ENODEV,
	 S_STATUS_NOT_READ},
	{"no config es sev", no_config_es, SEV, -1, -1, 0, ""},
	{"no config es seves", no_config_es, SEVES, -1, -1, -ENODEV,
	 S_NO_CONFIG_ES},
	{"no config es snp", no_config_es, SNP, -1, -1, 0, ""},
	{"no config es uninit", no_config_es_uninit, SEVES, -1, -1, 0, ""},
	{"platform uninit sev", platform_uninit, SEV, -1, -1, 0, ""},
	{"snp status einval", snp_status_einval, SNP, -1, -1, -ENODEV,
	 S_SNP_STATUS_EINVAL},
	{"snp status rmp", snp_status_rmp, SNP, -1, -1, -ENODEV,
	 S_SNP_STATUS_EIO_RMP},
	{"snp status einval sev", snp_status_einval, SEV, -1, -1, 0, ""},
	{"snp uninit", snp_uninit, SNP, -1, -1, -ENODEV, S_SNP_UNINIT},
	{"snp not read", snp_not_read, SNP, -1, -1, -ENODEV, S_SNP_NOT_READ},

	/* Combinations. */
	{"not root", user_not_root, SEV, -1, -1, -ENODEV,
	 S_KVM_EACCES "; " S_SEV_EACCES},
	{"amd, nothing loaded", amd_nothing_loaded, SEVES, -1, -1, -ENODEV,
	 S_NO_KVM_AMD "; " S_NO_DEV_SEV},
	{"amd, nothing loaded, bad options", amd_nothing_loaded, SNP, 47, 0,
	 -ENODEV,
	 S_CBITPOS_47 "; " S_RPB(0) "; " S_NO_KVM_AMD "; " S_NO_DEV_SEV},
	{"snp off, no /dev/sev", snp_off_no_dev_sev, SNP, -1, -1, -ENODEV,
	 S_SNP_N "; " S_NO_DEV_SEV},
	{"kvm_amd gone, status eio", kvm_amd_gone_status_eio, SEV, -1, -1,
	 -ENODEV, S_NO_KVM_AMD "; " S_STATUS_EIO},
	{"snp vm type and status", snp_vm_missing_and_status_bad, SNP, -1, -1,
	 -ENODEV, S_NO_SNP_VM "; " S_SNP_STATUS_EINVAL},
};

#define NCASES ((int)(sizeof(cases) / sizeof(cases[0])))

START_TEST(check_table)
{
	const struct check_case *c = &cases[_i];
	struct sev_host_facts f;
	struct sev_host_info info;
	char msg[1024];
	int ret;

	good_host(&f);
	if (c->mutate)
		c->mutate(&f);
	memset(msg, 'x', sizeof(msg));
	ret = sev_host_check(&f, c->mode, c->cbitpos, c->rpb, msg, sizeof(msg),
			     &info);
	ck_assert_msg(ret == c->ret, "%s: returned %d, want %d (%s)", c->name,
		      ret, c->ret, msg);
	ck_assert_msg(!strcmp(msg, c->msg), "%s:\n got: %s\nwant: %s", c->name,
		      msg, c->msg);
	/* The same answer without a message buffer or info. */
	ck_assert_int_eq(
		sev_host_check(&f, c->mode, c->cbitpos, c->rpb, NULL, 0, NULL),
		c->ret);
}
END_TEST

/* ------------------------------------------------------ the info out */

START_TEST(info_good_host)
{
	struct sev_host_facts f;
	struct sev_host_info info;
	char msg[256];

	good_host(&f);
	ck_assert_int_eq(sev_host_check(&f, SEV_MODE_SEV, -1, -1, msg,
					sizeof(msg), &info),
			 0);
	ck_assert_uint_eq(info.cbitpos, 51);
	ck_assert_uint_eq(info.reduced_phys_bits, 1);
	ck_assert_uint_eq(info.host_phys_reduction, 5);
	ck_assert_uint_eq(info.nr_asids, 509);
	ck_assert_uint_eq(info.min_sev_asid, 100);
	ck_assert(info.init2);
	ck_assert(info.status_valid);
	ck_assert_uint_eq(info.api_major, 1);
	ck_assert_uint_eq(info.api_minor, 55);
	ck_assert_uint_eq(info.build, 21);
	ck_assert(info.snp_status_valid);
	ck_assert_uint_eq(info.snp_api_minor, 55);
	ck_assert_uint_eq(info.snp_build_id, 37);

	ck_assert_int_eq(sev_host_check(&f, SEV_MODE_SNP, 51, 5, msg,
					sizeof(msg), &info),
			 0);
	ck_assert_uint_eq(info.reduced_phys_bits, 5);
	ck_assert(info.init2);
}
END_TEST

START_TEST(info_init2_per_mode)
{
	struct sev_host_facts f;
	struct sev_host_info info;

	/* 6.1: no KVM_CAP_VM_TYPES, legacy KVM_SEV_INIT / ES_INIT only. */
	good_host(&f);
	linux_6_1(&f);
	ck_assert_int_eq(
		sev_host_check(&f, SEV_MODE_SEV, -1, -1, NULL, 0, &info), 0);
	ck_assert(!info.init2);
	ck_assert_int_eq(
		sev_host_check(&f, SEV_MODE_SEV_ES, -1, -1, NULL, 0, &info), 0);
	ck_assert(!info.init2);

	/* Only the SEV type: SEV-ES falls back to legacy ES_INIT. */
	good_host(&f);
	f.vm_types = 1 << 0 | 1 << 2;
	ck_assert_int_eq(
		sev_host_check(&f, SEV_MODE_SEV, -1, -1, NULL, 0, &info), 0);
	ck_assert(info.init2);
	ck_assert_int_eq(
		sev_host_check(&f, SEV_MODE_SEV_ES, -1, -1, NULL, 0, &info), 0);
	ck_assert(!info.init2);
}
END_TEST

START_TEST(info_filled_on_failure)
{
	struct sev_host_facts f;
	struct sev_host_info info;

	good_host(&f);
	no_dev_sev(&f);
	ck_assert_int_eq(
		sev_host_check(&f, SEV_MODE_SEV, 47, -1, NULL, 0, &info),
		-ENODEV);
	ck_assert_uint_eq(info.cbitpos, 51); /* the host's, not the option */
	ck_assert_uint_eq(info.reduced_phys_bits, 1);
	ck_assert(!info.status_valid);
	ck_assert(!info.snp_status_valid);
}
END_TEST

START_TEST(unknown_mode)
{
	struct sev_host_facts f;
	struct sev_host_info info;
	char msg[64];

	good_host(&f);
	ck_assert_int_eq(sev_host_check(&f, (enum sev_mode)7, -1, -1, msg,
					sizeof(msg), &info),
			 -EINVAL);
	ck_assert_str_eq(msg, "unknown SEV mode 7");
}
END_TEST

/* ---------------------------------------------------- message buffer */

START_TEST(message_truncated)
{
	struct sev_host_facts f;
	char msg[16];

	good_host(&f);
	amd_nothing_loaded(&f);
	memset(msg, 'x', sizeof(msg));
	ck_assert_int_eq(sev_host_check(&f, SEV_MODE_SEV, -1, -1, msg,
					sizeof(msg), NULL),
			 -ENODEV);
	ck_assert_uint_eq(strlen(msg), sizeof(msg) - 1);
	ck_assert(!strncmp(msg, S_NO_KVM_AMD, sizeof(msg) - 1));

	/* Room for the first sentence and a separator but no more: no
	 * dangling "; ". */
	{
		char exact[sizeof(S_NO_KVM_AMD) + 2];

		ck_assert_int_eq(sev_host_check(&f, SEV_MODE_SEV, -1, -1, exact,
						sizeof(exact), NULL),
				 -ENODEV);
		ck_assert_str_eq(exact, S_NO_KVM_AMD);
	}

	msg[0] = 'x';
	ck_assert_int_eq(sev_host_check(&f, SEV_MODE_SEV, -1, -1, msg, 1, NULL),
			 -ENODEV);
	ck_assert_int_eq(msg[0], '\0');
}
END_TEST

/* ------------------------------------------------- parameter parsing */

START_TEST(param_parse)
{
	struct sev_host_param_value v;

	sev_host_param_parse("Y\n", 2, &v);
	ck_assert(v.present && v.enabled);
	ck_assert_str_eq(v.raw, "Y");
	sev_host_param_parse("N\n", 2, &v);
	ck_assert(v.present && !v.enabled);
	ck_assert_str_eq(v.raw, "N");
	sev_host_param_parse("1\n", 2, &v);
	ck_assert(v.enabled);
	sev_host_param_parse("0", 1, &v);
	ck_assert(!v.enabled);
	ck_assert_str_eq(v.raw, "0");
	sev_host_param_parse("", 0, &v);
	ck_assert(v.present && !v.enabled);
	ck_assert_str_eq(v.raw, "");
	/* Only what was read counts: "Y" followed by junk past len. */
	sev_host_param_parse("YES", 1, &v);
	ck_assert(v.enabled);
	sev_host_param_parse("YES\n", 4, &v);
	ck_assert(!v.enabled);
	sev_host_param_parse("0123456789abcdef", 16, &v);
	ck_assert(!v.enabled);
	ck_assert_str_eq(v.raw, "0123456");

	/* An empty raw value still reads as a sentence. */
	{
		struct sev_host_facts f;
		char msg[256];

		good_host(&f);
		sev_host_param_parse("\n", 1, &f.param[SEV_HOST_PARAM_SEV]);
		ck_assert_int_eq(sev_host_check(&f, SEV_MODE_SEV, -1, -1, msg,
						sizeof(msg), NULL),
				 -ENODEV);
		ck_assert_str_eq(msg, S_PARAM_OFF("sev", "\"\"", "SEV"));
	}
}
END_TEST

/* ----------------------------------------------------- this machine */

START_TEST(gather_this_machine)
{
	static const enum sev_mode modes[] = {SEV_MODE_SEV, SEV_MODE_SEV_ES,
					      SEV_MODE_SNP};
	struct sev_host_facts f;
	struct sev_host_info info;
	char msg[1024];

	memset(&f, 0xa5, sizeof(f));
	ck_assert_int_eq(sev_host_gather(&f), 0);
	printf("host: %s leaf=%d eax=%#x ebx=%#x ecx=%u edx=%u kvm_amd=%d "
	       "kvm=%d/%d vm_types=%d sev=%d/%d\n",
	       f.cpu_vendor, f.cpuid_leaf, f.eax, f.ebx, f.ecx, f.edx,
	       f.kvm_amd_loaded, f.kvm_exists, f.kvm_errno, f.vm_types,
	       f.sev_exists, f.sev_errno);

	/* Consistency of what was recorded. */
	ck_assert(strlen(f.cpu_vendor) <= 12);
	if (!f.cpuid_leaf)
		ck_assert(!f.eax && !f.ebx && !f.ecx && !f.edx);
	if (!f.kvm_exists)
		ck_assert_int_eq(f.kvm_errno, ENOENT);
	if (f.kvm_errno)
		ck_assert_int_eq(f.vm_types, -1);
	if (f.sev_errno) {
		ck_assert(!f.status.queried);
		ck_assert(!f.snp.queried);
	}
	if (!f.kvm_amd_loaded)
		for (int i = 0; i < SEV_HOST_NPARAMS; i++)
			ck_assert(!f.param[i].present);

	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		int ret = sev_host_check(&f, modes[i], -1, -1, msg, sizeof(msg),
					 &info);

		printf("%s: %d: %s\n", sev_mode_name(modes[i]), ret, msg);
		ck_assert((ret == 0) == (msg[0] == '\0'));
		if (f.kvm_exists && !f.kvm_errno && f.sev_exists &&
		    !f.sev_errno)
			continue; /* a real SEV host may pass */
		ck_assert_int_eq(ret, -ENODEV);
		ck_assert(msg[0] != '\0');
	}
	fflush(stdout);
}

/* kvm_amd.debug_swap=Y reaches the launch (the plan adds DebugSwap to a
 * legacy SEV-ES init's VMSAs); absent or N means off. */
START_TEST(debug_swap_param_reaches_the_launch)
{
	struct sev_host_facts f;
	struct sev_host_info info;
	char msg[1024];

	good_host(&f);
	ck_assert_int_eq(sev_host_check(&f, SEV_MODE_SEV_ES, -1, -1, msg,
					sizeof(msg), &info),
			 0);
	ck_assert(!info.debug_swap);
	sev_host_param_parse("Y\n", 2, &f.debug_swap);
	ck_assert_int_eq(sev_host_check(&f, SEV_MODE_SEV_ES, -1, -1, msg,
					sizeof(msg), &info),
			 0);
	ck_assert(info.debug_swap);
	sev_host_param_parse("N\n", 2, &f.debug_swap);
	sev_host_check(&f, SEV_MODE_SEV_ES, -1, -1, msg, sizeof(msg), &info);
	ck_assert(!info.debug_swap);
}
END_TEST

/* snp_launch_start()'s policy rules, per kernel, before any command. */
START_TEST(snp_policy_rules_per_kernel)
{
	struct sev_host_facts f = { 0 };
	struct snp_policy_rules r;
	char msg[256];

	/* 6.12 (no published bits): the 6.11 mask, SMT required, no
	 * SINGLE_SOCKET. */
	snprintf(f.kernel_release, sizeof(f.kernel_release), "6.12.48+deb13-amd64");
	sev_snp_policy_rules(&f, &r);
	ck_assert_uint_eq(r.valid, 0x1bffffULL);
	ck_assert(r.need_smt && r.no_single_socket);
	ck_assert_int_eq(sev_snp_policy_check(0x30000, &r, msg, sizeof(msg)), 0);
	ck_assert_int_eq(sev_snp_policy_check(0x20000, &r, msg, sizeof(msg)),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(msg, "bit 16 (SMT allowed)"));
	ck_assert_int_eq(sev_snp_policy_check(0x130000, &r, msg, sizeof(msg)),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(msg, "bit 20 (SINGLE_SOCKET)"));
	ck_assert_int_eq(sev_snp_policy_check(0x230000, &r, msg, sizeof(msg)),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(msg, "bit 21 (CXL_ALLOW)"));
	ck_assert_int_eq(sev_snp_policy_check(0x10000, &r, msg, sizeof(msg)),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(msg, "lacks bit 17"));

	/* 6.16 and later without the attribute: the mask only. */
	snprintf(f.kernel_release, sizeof(f.kernel_release), "6.16.1");
	sev_snp_policy_rules(&f, &r);
	ck_assert(!r.need_smt && !r.no_single_socket);
	ck_assert_int_eq(sev_snp_policy_check(0x120000, &r, msg, sizeof(msg)),
			 0);

	/* A kernel that publishes its bits is taken at its word. */
	f.snp_policy_bits_known = true;
	f.snp_policy_bits = 0x3bffffULL;
	sev_snp_policy_rules(&f, &r);
	ck_assert_int_eq(sev_snp_policy_check(0x230000, &r, msg, sizeof(msg)),
			 0);
	ck_assert_int_eq(sev_snp_policy_check(0x1030000, &r, msg, sizeof(msg)),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(msg, "bit 24 (CIPHERTEXT_HIDING)"));
}
END_TEST

/* The host check and the launch open /dev/sev the same way, read-only
 * (all KVM needs), so a host that passes the check cannot then fail
 * with EACCES: the launch used to ask for O_RDWR. */
START_TEST(sev_dev_opened_read_only)
{
	char path[] = "/tmp/sevboot-sevdev.XXXXXX";
	int tmp = mkstemp(path), fd;

	ck_assert_int_ge(tmp, 0);
	close(tmp);
	fd = sev_dev_open(path);
	unlink(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDONLY);
	ck_assert_int_ne(fcntl(fd, F_GETFD) & FD_CLOEXEC, 0);
	close(fd);
}
END_TEST

END_TEST

/* ------------------------------------------------- -v's kernel facts */

START_TEST(describe_kernels)
{
	struct sev_host_facts f;
	char msg[512];

	/* Debian 12's 6.1 test host: kvm_amd without SEV, no INIT2. */
	good_host(&f);
	linux_6_1(&f);
	strcpy(f.kernel_release, "6.1.0-57-amd64");
	sev_host_param_parse("N\n", 2, &f.param[SEV_HOST_PARAM_SEV]);
	sev_host_param_parse("N\n", 2, &f.param[SEV_HOST_PARAM_SEV_ES]);
	f.sev_exists = false;
	sev_host_describe(&f, msg, sizeof(msg));
	ck_assert_str_eq(msg, "Linux 6.1.0-57-amd64; no KVM_CAP_VM_TYPES "
			      "(Linux before 6.8): no KVM_SEV_INIT2, only the "
			      "legacy KVM_SEV_INIT and KVM_SEV_ES_INIT; "
			      "kvm_amd sev=N sev_es=N, no sev_snp parameter "
			      "(SEV-SNP needs Linux 6.11); no /dev/sev");

	/* 6.8/6.9 with debug_swap; /dev/kvm types without SEV ones. */
	good_host(&f);
	linux_6_10(&f);
	f.vm_types = 1 << 0 | 1 << 1;
	strcpy(f.kernel_release, "6.8.0");
	sev_host_param_parse("Y\n", 2, &f.debug_swap);
	sev_host_describe(&f, msg, sizeof(msg));
	ck_assert_str_eq(msg, "Linux 6.8.0; KVM VM types 0x3: no SEV VM "
			      "type, so no KVM_SEV_INIT2 (kvm_amd's SEV is "
			      "off, or Linux before 6.10); kvm_amd sev=Y "
			      "sev_es=Y debug_swap=Y, no sev_snp parameter "
			      "(SEV-SNP needs Linux 6.11); /dev/sev opened");

	/* Everything on; then /dev/kvm and kvm_amd missing. */
	good_host(&f);
	strcpy(f.kernel_release, "6.12.118+deb12-amd64");
	sev_host_describe(&f, msg, sizeof(msg));
	ck_assert_str_eq(msg, "Linux 6.12.118+deb12-amd64; KVM VM types "
			      "0x1d: KVM_SEV_INIT2 for SEV, SEV-ES, SEV-SNP; "
			      "kvm_amd sev=Y sev_es=Y sev_snp=Y; /dev/sev "
			      "opened");
	f.kvm_amd_loaded = false;
	f.kvm_exists = false;
	f.kvm_errno = ENOENT;
	f.sev_errno = EACCES;
	f.kernel_release[0] = '\0';
	sev_host_describe(&f, msg, sizeof(msg));
	ck_assert_str_eq(msg, "Linux (release unknown); KVM's VM types not "
			      "read (/dev/kvm not opened); kvm_amd not loaded; "
			      "/dev/sev: Permission denied");

	/* A short buffer: cut, terminated. */
	sev_host_describe(&f, msg, 12);
	ck_assert_str_eq(msg, "Linux (rele");
}
END_TEST

static Suite *hostcheck_suite(void)
{
	Suite *s = suite_create("hostcheck");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, check_table, 0, NCASES);
	tcase_add_test(tc, info_good_host);
	tcase_add_test(tc, info_init2_per_mode);
	tcase_add_test(tc, info_filled_on_failure);
	tcase_add_test(tc, unknown_mode);
	tcase_add_test(tc, message_truncated);
	tcase_add_test(tc, param_parse);
	tcase_add_test(tc, gather_this_machine);
	tcase_add_test(tc, sev_dev_opened_read_only);
	tcase_add_test(tc, snp_policy_rules_per_kernel);
	tcase_add_test(tc, debug_swap_param_reaches_the_launch);
	tcase_add_test(tc, describe_kernels);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(hostcheck_suite());
}
