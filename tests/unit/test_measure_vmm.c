// SPDX-License-Identifier: MIT
/*
 * `sevboot measure` beyond QEMU: the EC2 and GCE VMM types, COCONUT-SVSM
 * launches (snp:svsm) and a given firmware digest (--snp-ovmf-hash), at
 * the level of the launch plan and through bin/sevboot; --dump-vmsa,
 * --launch-measure-blob, and measure --json / inspect --json validated
 * against their schemas in doc/.
 *
 * The expected values are virtee/sev-snp-measure 0.0.13's (commit
 * 8f2b337e38bc), run on this machine on the files of ../shared/firmware
 * and ../shared/inputs, except where a comment names its own tests.
 * ../shared/vectors/measurements.tsv has no row with a VMM type other
 * than QEMU, an SVSM or an OVMF hash, so every vector here was made that
 * way.  The VMSA pages are checked on their own too (their SHA-256 as
 * sev-snp-measure --dump-vmsa wrote them), so a wrong register shows up
 * as such and not only as a different digest.
 */
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <openssl/evp.h>

#include "loader/loader.h"
#include "sev/sev.h"
#include "tests/unit/testutil.h"

#define FW_DEB12    "firmware/OVMF.deb12.fd"
#define FW_AMDSEV   "firmware/OVMF.amdsev.sid.fd"
#define FW_SUFFIX   "firmware/ovmf_AmdSev_suffix.bin"
#define FW_SVSMOVMF "firmware/svsm_ovmf.fd"
#define SVSM_BIN    "firmware/svsm.bin"
#define KERNEL	    "inputs/vmlinuz-6.12.117+deb12-amd64"
#define INITRD	    "inputs/test-initrd.cpio.gz"
#define C1	    "console=ttyS0 earlyprintk=serial root=/dev/vda1 ro loglevel=7"
#define EPYC_V4	    0x800f12u
#define EPYC_MILAN  0xa00f11u
/* sev-snp-measure's vars size in its SVSM tests. */
#define SVSM_VARS 540672

/* ---------------------------------------------------------- the plan */

struct file {
	struct blob b;
	struct ovmf_info info;
};

static bool load(const char *rel, struct blob *b)
{
	char path[1024], err[256];
	int ret;

	if (!shared_path(rel, path, sizeof(path)))
		return false;
	ret = file_read(path, 64 * SZ_1M, b, err, sizeof(err));
	ck_assert_msg(ret == 0, "%s: %s", path, err);
	return true;
}

static bool load_image(const char *rel, struct file *f)
{
	char err[256];

	if (!load(rel, &f->b))
		return false;
	ck_assert_msg(ovmf_parse(f->b.data, f->b.len, &f->info, err,
				 sizeof(err)) == 0,
		      "%s: %s", rel, err);
	return true;
}

/* One vector: the launch and the digest sev-snp-measure printed. */
struct vec {
	const char *name;
	enum sev_mode mode;
	enum vmm_type vmm;
	unsigned ncpus;
	uint32_t sig;
	uint64_t features;
	const char *fw, *kernel, *initrd, *append;
	const char *svsm;
	uint64_t vars_size;
	const char *seed; /* --snp-ovmf-hash */
	const char *want;
};

/* "" for kernel/initrd: /dev/null, as sev-snp-measure's tests give. */
static const struct vec vectors[] = {
	/* sev-snp-measure's own tests (tests/test_guest.py): the 4 KiB end
	 * of an edk2-stable202405 AmdSevX64 image as the firmware. */
	{"ssm-test_snp_ec2_default", SEV_MODE_SNP, VMM_EC2, 1, EPYC_V4, 0x21,
	 FW_SUFFIX, "", "", "", NULL, 0, NULL,
	 "0ce9ccc06bab55eebe8abc234f3df6514883977a68a591b7"
	 "1052498ab52b2f1aa415db338033946ef93aa8278c0d67fb"},
	{"ssm-test_snp_ec2_feature_snp_only", SEV_MODE_SNP, VMM_EC2, 1, EPYC_V4,
	 0x1, FW_SUFFIX, "", "", "", NULL, 0, NULL,
	 "0883bd0eeb716e65b7b977a321c278d1e51b33b5c655fab9"
	 "85443bbcc65c086b9c15e8a0bd8811050dec7e24964e5056"},
	{"ssm-test_snp_gce_default", SEV_MODE_SNP, VMM_GCE, 1, 0, 0x1,
	 FW_SUFFIX, "", "", "", NULL, 0, NULL,
	 "5da7106cf14cf46b1725ebab123eb9e53bd46a1e9f400cd0"
	 "c08e7827b04b688ea8b4e403c8404efed4397ea5d5d0722e"},
	{"ssm-test_snp_gce_with_multiple_vcpus_default", SEV_MODE_SNP, VMM_GCE,
	 4, 0, 0x1, FW_SUFFIX, "", "", "", NULL, 0, NULL,
	 "5c5debf100fc339f90276e761ee1f1658d08922c3b20e2a2"
	 "e6c7a6c3370b2452a15a00eae11886a93d6fd1e7ab81e29d"},
	{"ssm-test_snp_ovmf_hash_gen_default", SEV_MODE_SNP, VMM_QEMU, 1,
	 EPYC_V4, 0x21, FW_SUFFIX, "", "", "", NULL, 0,
	 "086e2e9149ebf45abdc3445fba5b2da8270bdbb04094d7a2"
	 "c37faaa4b24af3aa16aff8c374c2a55c467a50da6d466b74",
	 "329c8ce0972ae52343b64d34a434a86f245dfd74f5ed7aae"
	 "15d22efc78fb9683632b9b50e4e1d7fa41179ef98a7ef198"},
	{"ssm-test_snp_ovmf_hash_full_feature_snp_only", SEV_MODE_SNP, VMM_QEMU,
	 1, EPYC_V4, 0x1, FW_SUFFIX, "", "", "console=ttyS0 loglevel=7", NULL,
	 0,
	 "086e2e9149ebf45abdc3445fba5b2da8270bdbb04094d7a2"
	 "c37faaa4b24af3aa16aff8c374c2a55c467a50da6d466b74",
	 "6d287813eb5222d770f75005c664e34c204f385ce832cc2c"
	 "e7d0d6f354454362f390ef83a92046c042e706363b4b08fa"},
	{"ssm-test_snp_svsm_4_vcpus", SEV_MODE_SNP, VMM_QEMU, 4, EPYC_V4, 0x1,
	 FW_SVSMOVMF, NULL, NULL, NULL, SVSM_BIN, SVSM_VARS, NULL,
	 "27d154c27b7b359c935e250ec6fee72aa0ae8c1225e3b0e1"
	 "cf46a9567e938066d7d6f94bbdc4a857818bdb79277a44b2"},
	{"ssm-test_snp_svsm_2_vcpus", SEV_MODE_SNP, VMM_QEMU, 2, EPYC_V4, 0x1,
	 FW_SVSMOVMF, NULL, NULL, NULL, SVSM_BIN, SVSM_VARS, NULL,
	 "9b94745036aafddf4f7f8b00c7513abb5b7703178cb95aaa"
	 "57928bd963d68d3bfcb715d6019b9167ee2517b11b0d9be7"},
	/* Computed here with sev-snp-measure on real images. */
	{"ec2-amdsev-1", SEV_MODE_SNP, VMM_EC2, 1, EPYC_V4, 0x1, FW_AMDSEV,
	 NULL, NULL, NULL, NULL, 0, NULL,
	 "d32daa514f1f9f2380e00592ecaebac0f426148ba867b919"
	 "b70737bbb4a406f6e508b30a083d10dad444b4b4648f4dd2"},
	{"ec2-amdsev-4-kernel", SEV_MODE_SNP, VMM_EC2, 4, EPYC_V4, 0x1,
	 FW_AMDSEV, KERNEL, INITRD, C1, NULL, 0, NULL,
	 "37f8467c588eae1dd3d25a0a6e952fb7ac21b8b7be146365"
	 "f7c3629aefcd130a45085ffb6be813cfe67f9efa9b55c088"},
	{"ec2-seves-deb12-2", SEV_MODE_SEV_ES, VMM_EC2, 2, EPYC_V4, 0, FW_DEB12,
	 NULL, NULL, NULL, NULL, 0, NULL,
	 "f95d12509f7ba2ccc57b5bd3dcfb4d5feefcfdcaba58f509a69562463590d71d"},
	{"gce-amdsev-2", SEV_MODE_SNP, VMM_GCE, 2, EPYC_V4, 0x1, FW_AMDSEV,
	 NULL, NULL, NULL, NULL, 0, NULL,
	 "6405f8c894bda7cc5c14f3d02409c19905af1a428a3a741e"
	 "dd0b8bb8bb93a96d297f15852759e69e84ebdb8d1d84ec11"},
	{"gce-amdsev-1-kernel", SEV_MODE_SNP, VMM_GCE, 1, EPYC_V4, 0x1,
	 FW_AMDSEV, KERNEL, INITRD, C1, NULL, 0, NULL,
	 "139132443052dc6e49352ce83d8fe7f83f6401e3b1d157b8"
	 "ea330b6a80ae454ec1174b7bc54dbf8bbbd7cdb7828d6bc1"},
	{"gce-seves-deb12-2", SEV_MODE_SEV_ES, VMM_GCE, 2, EPYC_V4, 0, FW_DEB12,
	 NULL, NULL, NULL, NULL, 0, NULL,
	 "fbb8c4847d051e7f66b138d29029fa683b1cf1f5de0b4651ad60206735d8a2a0"},
	/* vars size 0: sev-snp-measure's CLI refuses 0 (it reads it as "not
	 * given"); its calc_launch_digest() computed this. */
	{"svsm-milan-1-novars", SEV_MODE_SNP, VMM_QEMU, 1, EPYC_MILAN, 0x1,
	 FW_SVSMOVMF, NULL, NULL, NULL, SVSM_BIN, 0, NULL,
	 "85534fae09af6b8362b15da3e538aba46ba68dd28ea86555"
	 "0756b2d7a6d76a30168a57409f6e3aa26c71fd716eefe8a2"},
	/* --vars-file ovmf_AmdSev_suffix.bin: 4096 bytes of store. */
	{"svsm-2-vars4k", SEV_MODE_SNP, VMM_QEMU, 2, EPYC_V4, 0x1, FW_SVSMOVMF,
	 NULL, NULL, NULL, SVSM_BIN, 4096, NULL,
	 "469263530e0f685eb9e455af479bd77b8fccf43237e5ec62"
	 "3c4707795a70ca3bb855886463ef6dabb3ce1c5304a83061"},
	/* The snp:ovmf-hash row of measurements.tsv fed back in gives the
	 * snp-EPYC-v4-1 row: two of its vectors agree through the seed. */
	{"tsv-ovmfhash-02-to-snp-EPYC-v4-1", SEV_MODE_SNP, VMM_QEMU, 1, EPYC_V4,
	 0x1, FW_DEB12, NULL, NULL, NULL, NULL, 0,
	 "ba2c811512ef868474f239a21f7d7057d65a20de87a003c4"
	 "f116e4fb1573183bfbcd75c3e99b2f558575a5d0094f73c6",
	 "11570979c77a0adb515761a702527c8b9e11554e73055262"
	 "1d950988613a3a75c6ff1703f540bd22a9beede8fe7a97e3"},
};

static void free_all(struct file *fw, struct file *sv, struct blob *k,
		     struct blob *i)
{
	blob_free(&fw->b);
	blob_free(&sv->b);
	blob_free(k);
	blob_free(i);
}

START_TEST(test_vectors)
{
	const struct vec *v = &vectors[_i];
	static const uint8_t no_bytes[1];
	struct file fw = {0}, sv = {0};
	struct blob k = {0}, in = {0};
	struct launch_plan *p = calloc(1, sizeof(*p));
	uint8_t seed[48], d[48];
	char err[256], hex[97];
	size_t dlen = v->mode == SEV_MODE_SNP ? 48 : 32;

	ck_assert_ptr_nonnull(p);
	if (!load_image(v->fw, &fw) || (v->svsm && !load_image(v->svsm, &sv)) ||
	    (v->kernel && *v->kernel && !load(v->kernel, &k)) ||
	    (v->initrd && *v->initrd && !load(v->initrd, &in))) {
		free_all(&fw, &sv, &k, &in);
		free(p);
		SKIP_TEST("%s: an input is missing under ../shared", v->name);
	}
	struct launch_config c = {
		.mode = v->mode,
		.ncpus = v->ncpus,
		.vcpu_sig = v->sig,
		.snp_features = v->features,
		.vmm = v->vmm,
		.ovmf = fw.b.data,
		.ovmf_len = fw.b.len,
		.ovmf_info = &fw.info,
		.kernel = v->kernel ? (k.data ? k.data : no_bytes) : NULL,
		.kernel_len = k.len,
		.initrd = in.data,
		.initrd_len = in.len,
		.cmdline = v->append,
		.svsm = v->svsm ? sv.b.data : NULL,
		.svsm_len = sv.b.len,
		.svsm_info = v->svsm ? &sv.info : NULL,
		.vars_size = v->vars_size,
	};
	if (v->seed) {
		ck_unhex(v->seed, seed, 48);
		c.snp_ovmf_digest = seed;
	}
	ck_assert_msg(launch_plan_build(&c, p, err, sizeof(err)) == 0, "%s: %s",
		      v->name, err);
	ck_assert_int_eq(v->mode == SEV_MODE_SNP ? measure_snp_digest(p, d)
						 : measure_sev_digest(p, d),
			 0);
	hex_encode(d, dlen, hex);
	ck_assert_msg(!strcmp(hex, v->want), "%s: got %s, want %s", v->name,
		      hex, v->want);
	launch_plan_free(p);
	free(p);
	free_all(&fw, &sv, &k, &in);
}
END_TEST

/* What makes each VMM type differ, on the plan (no digest involved). */
START_TEST(test_section_order_and_types)
{
	struct file fw = {0};
	struct launch_plan *p = calloc(1, sizeof(*p));
	char err[256];
	unsigned cpuid_at[3] = {0}, unmeasured[3] = {0};

	ck_assert_ptr_nonnull(p);
	if (!load_image(FW_AMDSEV, &fw)) {
		free(p);
		SKIP_TEST("no ../shared/" FW_AMDSEV);
	}
	for (int t = VMM_QEMU; t <= VMM_GCE; t++) {
		struct launch_config c = {
			.mode = SEV_MODE_SNP,
			.ncpus = 1,
			.vcpu_sig = EPYC_V4,
			.snp_features = 1,
			.vmm = (enum vmm_type)t,
			.ovmf = fw.b.data,
			.ovmf_len = fw.b.len,
			.ovmf_info = &fw.info,
		};

		ck_assert_msg(launch_plan_build(&c, p, err, sizeof(err)) == 0,
			      "%s", err);
		for (unsigned k = 0; k < p->nsteps; k++) {
			if (p->steps[k].page_type == SNP_PAGE_CPUID)
				cpuid_at[t] = k;
			if (p->steps[k].page_type == SNP_PAGE_UNMEASURED)
				unmeasured[t]++;
		}
		launch_plan_free(p);
	}
	/* firmware, then sections 0..6 in table order: CPUID is section 3;
	 * EC2 moves it after the 7 sections, before the VMSA. */
	ck_assert_uint_eq(cpuid_at[VMM_QEMU], 4);
	ck_assert_uint_eq(cpuid_at[VMM_GCE], 4);
	ck_assert_uint_eq(cpuid_at[VMM_EC2], 7);
	/* GCE: the three SNP_SEC_MEM sections are UNMEASURED. */
	ck_assert_uint_eq(unmeasured[VMM_QEMU], 0);
	ck_assert_uint_eq(unmeasured[VMM_EC2], 0);
	ck_assert_uint_eq(unmeasured[VMM_GCE], 3);
	free(p);
	blob_free(&fw.b);
}
END_TEST

/* ---------------------------------------------------------- the VMSAs */

static void sha256_hex(const uint8_t *p, size_t n, char out[65])
{
	uint8_t d[32];

	ck_assert(EVP_Digest(p, n, d, NULL, EVP_sha256(), NULL));
	hex_encode(d, 32, out);
}

/*
 * The pages sev-snp-measure --dump-vmsa wrote for OVMF.amdsev.sid.fd
 * (reset block 0x0080b004) with EPYC-v4 and 2 vCPUs, and for the SVSM
 * fixture (entry = its GPA 0xffaea000 with 540672 bytes of vars).  No
 * firmware file is needed: the reset addresses are given.
 */
START_TEST(test_vmsa_pages)
{
	static const struct {
		const char *name;
		struct vmsa_config c;
		bool bsp;
		const char *sha256;
	} cases[] = {
		{"ec2 BSP",
		 {.vcpu_sig = EPYC_V4,
		  .ap_reset_addr = 0x80b004,
		  .sev_features = 1,
		  .init2 = true,
		  .vmm = VMM_EC2},
		 true,
		 "d6c9d0409668043e96874082e992eb1a08393f1ad6f3c1be450e51bc2cc66"
		 "004"},
		{"ec2 AP",
		 {.vcpu_sig = EPYC_V4,
		  .ap_reset_addr = 0x80b004,
		  .sev_features = 1,
		  .init2 = true,
		  .vmm = VMM_EC2},
		 false,
		 "ce413781191b8f11f8cf1a4a5d9d7f9824356c02390b47ea0d33976bc2430"
		 "b90"},
		{"gce BSP",
		 {.vcpu_sig = EPYC_V4,
		  .ap_reset_addr = 0x80b004,
		  .sev_features = 1,
		  .init2 = true,
		  .vmm = VMM_GCE},
		 true,
		 "a2b1355de1e1f11159d4cfaa28a748c6d19f63b330a7cb09696eda0c5f2f8"
		 "ab8"},
		{"gce AP",
		 {.vcpu_sig = EPYC_V4,
		  .ap_reset_addr = 0x80b004,
		  .sev_features = 1,
		  .init2 = true,
		  .vmm = VMM_GCE},
		 false,
		 "e62b24c0430d685360090aa7362d89bc9009a43794cdd274a57abb8fada49"
		 "344"},
		{"svsm (every vCPU)",
		 {.vcpu_sig = EPYC_V4,
		  .ap_reset_addr = 0xffaea000,
		  .sev_features = 1,
		  .init2 = true,
		  .svsm = true},
		 false,
		 "b1187625be0760978a6911cbeb452afbc4da5e11715e4f5bc8ffdc36ea06c"
		 "ac9"},
	};
	uint8_t page[VMSA_SIZE];
	char hex[65];

	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		vmsa_build(&cases[k].c, cases[k].bsp, page);
		sha256_hex(page, sizeof(page), hex);
		ck_assert_msg(!strcmp(hex, cases[k].sha256), "%s: %s",
			      cases[k].name, hex);
	}
	/* The fields that differ, read back: EC2's BSP CS 0x9a, SS 0x92, TR
	 * 0x83, RDX 0x600, MXCSR 0; GCE's PAT. */
	vmsa_build(&cases[0].c, true, page);
	ck_assert_uint_eq(get_le16(page, 0x12), 0x9a);
	ck_assert_uint_eq(get_le16(page, 0x22), 0x92);
	ck_assert_uint_eq(get_le16(page, 0x92), 0x83);
	ck_assert_uint_eq(get_le64(page, 0x310), 0x600);
	ck_assert_uint_eq(get_le32(page, 0x408), 0);
	vmsa_build(&cases[1].c, false, page);
	ck_assert_uint_eq(get_le16(page, 0x12), 0x9b);
	vmsa_build(&cases[2].c, true, page);
	ck_assert_uint_eq(get_le64(page, 0x268), 0x70106);
	/* The SVSM's: 32-bit flat protected mode at its entry. */
	vmsa_build(&cases[4].c, true, page);
	ck_assert_uint_eq(get_le16(page, 0x10), 8);
	ck_assert_uint_eq(get_le16(page, 0x12), 0xc9b);
	ck_assert_uint_eq(get_le32(page, 0x14), 0xffffffff);
	ck_assert_uint_eq(get_le64(page, 0x158), 0x11);
	ck_assert_uint_eq(get_le64(page, 0x178), 0xffaea000);
}
END_TEST

/* QEMU VMSAs are what they were: the default config is unchanged. */
START_TEST(test_vmm_names)
{
	enum vmm_type t;

	ck_assert_int_eq(vmm_type_parse("QEMU", &t), 0);
	ck_assert_int_eq(t, VMM_QEMU);
	ck_assert_int_eq(vmm_type_parse("qemu", &t), 0);
	ck_assert_int_eq(vmm_type_parse("EC2", &t), 0);
	ck_assert_int_eq(t, VMM_EC2);
	ck_assert_int_eq(vmm_type_parse("gce", &t), 0);
	ck_assert_int_eq(t, VMM_GCE);
	ck_assert_int_eq(vmm_type_parse("azure", &t), -EINVAL);
	ck_assert_int_eq(vmm_type_parse("", &t), -EINVAL);
	ck_assert_str_eq(vmm_type_name(VMM_EC2), "ec2");
}
END_TEST

/* ------------------------------------------------------- the refusals */

START_TEST(test_plan_refusals)
{
	struct file fw = {0}, sv = {0};
	struct launch_plan *p = calloc(1, sizeof(*p));
	uint8_t seed[48] = {0};
	char err[256];

	ck_assert_ptr_nonnull(p);
	if (!load_image(FW_SVSMOVMF, &fw) || !load_image(SVSM_BIN, &sv)) {
		blob_free(&fw.b);
		free(p);
		SKIP_TEST("no ../shared/" FW_SVSMOVMF " or " SVSM_BIN);
	}
	struct launch_config base =
				     {
					     .mode = SEV_MODE_SNP,
					     .ncpus = 1,
					     .vcpu_sig = EPYC_V4,
					     .snp_features = 1,
					     .ovmf = fw.b.data,
					     .ovmf_len = fw.b.len,
					     .ovmf_info = &fw.info,
					     .svsm = sv.b.data,
					     .svsm_len = sv.b.len,
					     .svsm_info = &sv.info,
					     .vars_size = SVSM_VARS,
				     },
			     c;

	c = base;
	ck_assert_int_eq(launch_plan_build(&c, p, err, sizeof(err)), 0);
	launch_plan_free(p);
	/* vars not whole pages */
	c = base;
	c.vars_size = 100;
	ck_assert_int_eq(launch_plan_build(&c, p, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "do not fit below the firmware"));
	/* vars larger than what is below the firmware */
	c = base;
	c.vars_size = 0xfff00000ULL;
	ck_assert_int_eq(launch_plan_build(&c, p, err, sizeof(err)), -EINVAL);
	/* an SVSM for SEV-ES, with a seed, or for EC2 */
	c = base;
	c.mode = SEV_MODE_SEV_ES;
	ck_assert_int_eq(launch_plan_build(&c, p, err, sizeof(err)), -EINVAL);
	c = base;
	c.snp_ovmf_digest = seed;
	ck_assert_int_eq(launch_plan_build(&c, p, err, sizeof(err)), -EINVAL);
	c = base;
	c.vmm = VMM_EC2;
	ck_assert_int_eq(launch_plan_build(&c, p, err, sizeof(err)), -EINVAL);
	/* the firmware as the SVSM: no SVSM info entry */
	c = base;
	c.svsm = fw.b.data;
	c.svsm_len = fw.b.len;
	c.svsm_info = &fw.info;
	c.vars_size = 0;
	ck_assert_int_eq(launch_plan_build(&c, p, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "SVSM info entry"), "%s", err);
	/* a seed outside SNP, and the legacy init for GCE */
	c = base;
	c.svsm = NULL;
	c.svsm_len = 0;
	c.svsm_info = NULL;
	c.mode = SEV_MODE_SEV;
	c.snp_ovmf_digest = seed;
	ck_assert_int_eq(launch_plan_build(&c, p, err, sizeof(err)), -EINVAL);
	c.mode = SEV_MODE_SEV_ES;
	c.snp_ovmf_digest = NULL;
	c.vmm = VMM_GCE;
	c.legacy_init = true;
	ck_assert_int_eq(launch_plan_build(&c, p, err, sizeof(err)), -EINVAL);
	free(p);
	blob_free(&fw.b);
	blob_free(&sv.b);
}
END_TEST

/* ------------------------------------------------------- bin/sevboot */

static char *slurp_fd(int fd)
{
	size_t cap = 1 << 16, used = 0;
	char *buf = malloc(cap);
	ssize_t n;

	ck_assert_ptr_nonnull(buf);
	lseek(fd, 0, SEEK_SET);
	while ((n = read(fd, buf + used, cap - 1 - used)) > 0) {
		used += (size_t)n;
		if (used + 1 == cap) {
			cap *= 2;
			buf = realloc(buf, cap);
			ck_assert_ptr_nonnull(buf);
		}
	}
	buf[used] = '\0';
	close(fd);
	return buf;
}

/* Run bin/sevboot argv[1..]: its exit code; *out and *err malloc'ed. */
static int run(const char *const *words, char **out, char **err)
{
	const char *bin = sevboot_bin();
	char *argv[40] = {(char *)bin}, op[] = "/tmp/tmv-o.XXXXXX",
	     ep[] = "/tmp/tmv-e.XXXXXX";
	int argc = 1, ofd = mkstemp(op), efd = mkstemp(ep), st;
	pid_t pid;

	ck_assert(bin && ofd >= 0 && efd >= 0);
	unlink(op);
	unlink(ep);
	while (*words && argc < 39)
		argv[argc++] = (char *)*words++;
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		dup2(ofd, 1);
		dup2(efd, 2);
		execv(bin, argv);
		_exit(127);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFEXITED(st), "sevboot died: status %d", st);
	*out = slurp_fd(ofd);
	*err = slurp_fd(efd);
	return WEXITSTATUS(st);
}

#define W(...) ((const char *const[]){__VA_ARGS__, NULL})

/* Every path under ../shared the CLI tests use, or skip. */
#define NEED(var, rel)                                                         \
	char var[1024];                                                        \
	if (!shared_path(rel, var, sizeof(var)))                               \
		SKIP_TEST("no ../shared/%s", rel);                             \
	if (!sevboot_bin())                                                    \
		SKIP_TEST("bin/sevboot is not built");

/* The CLI gives the plan's digests: one each of ec2, gce, svsm, seed. */
START_TEST(test_cli_digests)
{
	NEED(amd, FW_AMDSEV);
	NEED(svo, FW_SVSMOVMF);
	NEED(svb, SVSM_BIN);
	NEED(sfx, FW_SUFFIX);
	NEED(deb, FW_DEB12);
	struct {
		const char *const *w;
		const char *want;
	} cases[] = {
		{W("measure", "--mode", "snp", "--vcpus", "1", "--ovmf", amd,
		   "--vmm-type", "ec2"),
		 vectors[8].want},
		{W("measure", "--mode", "snp", "--vcpus", "2", "--ovmf", amd,
		   "--vmm-type", "gce"),
		 vectors[11].want},
		{W("measure", "--mode", "seves", "--vcpus", "2", "--ovmf", deb,
		   "--vmm-type", "GCE"),
		 vectors[13].want},
		{W("measure", "--mode", "snp:svsm", "--vcpus", "4",
		   "--vcpu-type", "EPYC-v4", "--ovmf", svo, "--svsm", svb,
		   "--vars-size", "540672"),
		 vectors[6].want},
		{W("measure", "--mode", "snp:svsm", "--vcpus", "2", "--ovmf",
		   svo, "--svsm", svb, "--vars-file", sfx),
		 vectors[15].want},
		{W("measure", "--mode", "snp", "--ovmf", deb, "--snp-ovmf-hash",
		   vectors[16].seed),
		 vectors[16].want},
	};

	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		char *out, *err;
		int rc = run(cases[k].w, &out, &err);

		ck_assert_msg(rc == 0, "case %zu: exit %d: %s", k, rc, err);
		ck_assert_msg(
			!strncmp(out, cases[k].want, strlen(cases[k].want)) &&
				out[strlen(cases[k].want)] == '\n',
			"case %zu: %s", k, out);
		free(out);
		free(err);
	}
}
END_TEST

/* One line on stderr, the documented exit code, nothing on stdout. */
START_TEST(test_cli_refusals)
{
	NEED(amd, FW_AMDSEV);
	NEED(svb, SVSM_BIN);
	struct {
		const char *const *w;
		int rc;
		const char *needle;
	} cases[] = {
		{W("measure", "--mode", "snp", "--ovmf", amd, "--vmm-type",
		   "azure"),
		 2, "--vmm-type azure: must be QEMU, ec2 or gce"},
		{W("measure", "--mode", "snp", "--ovmf", amd, "--svsm", svb,
		   "--vars-size", "0"),
		 2, "are for --mode snp:svsm"},
		{W("measure", "--mode", "snp:svsm", "--ovmf", amd, "--svsm",
		   svb),
		 2, "needs one of --vars-size SIZE or --vars-file FILE"},
		{W("measure", "--mode", "snp:svsm", "--ovmf", amd, "--svsm",
		   svb, "--vars-size", "4096", "--vars-file", svb),
		 2, "needs one of --vars-size"},
		{W("measure", "--mode", "snp:svsm", "--ovmf", amd, "--svsm",
		   svb, "--vars-size", "100"),
		 2, "whole 4 KiB pages"},
		{W("measure", "--mode", "snp:svsm", "--ovmf", amd, "--svsm",
		   svb, "--vars-size", "0", "--vmm-type", "ec2"),
		 2, "QEMU only"},
		{W("measure", "--mode", "snp:svsm", "--ovmf", amd, "--svsm",
		   amd, "--vars-size", "0"),
		 3, "no SVSM info entry"},
		{W("measure", "--mode", "seves", "--ovmf", amd,
		   "--snp-ovmf-hash", "00"),
		 2,
		 "--snp-ovmf-hash replaces the firmware pages of --mode snp"},
		{W("measure", "--mode", "snp", "--ovmf", amd, "--snp-ovmf-hash",
		   "abc"),
		 2, "96 hex digits"},
		{W("measure", "--mode", "sev", "--ovmf", amd, "--dump-vmsa",
		   "/tmp"),
		 2, "--mode sev measures no VMSA"},
		{W("measure", "--mode", "snp", "--ovmf", amd, "--dump-vmsa",
		   amd),
		 3, "not a directory"},
		{W("measure", "--mode", "seves", "--ovmf", amd, "--vmm-type",
		   "ec2", "--legacy-init"),
		 2, "describe QEMU on KVM"},
		{W("measure", "--mode", "sev", "--ovmf", amd,
		   "--launch-measure-blob", "AAAA"),
		 2, "are for --tik"},
		{W("run", "--ovmf", amd, "--vmm-type", "ec2"), 2,
		 "run starts its vCPUs as QEMU on KVM does, so only QEMU"},
		{W("run", "--ovmf", amd, "--svsm", svb), 2,
		 "run cannot launch an SVSM"},
	};

	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		char *out, *err;
		int rc = run(cases[k].w, &out, &err);

		ck_assert_msg(rc == cases[k].rc, "case %zu: exit %d: %s", k, rc,
			      err);
		ck_assert_msg(strstr(err, cases[k].needle), "case %zu: %s", k,
			      err);
		ck_assert_msg(strchr(err, '\n') == err + strlen(err) - 1,
			      "case %zu: not one line: %s", k, err);
		ck_assert_str_eq(out, "");
		free(out);
		free(err);
	}
}
END_TEST

/* --dump-vmsa: the pages sev-snp-measure dumps, no temporary left. */
START_TEST(test_cli_dump_vmsa)
{
	NEED(amd, FW_AMDSEV);
	char dir[] = "/tmp/tmv-dump.XXXXXX", path[1100], hex[65], *out, *err;
	const char *want[2] = {
		"d6c9d0409668043e96874082e992eb1a08393f1ad6f3c1be450e51bc2cc660"
		"04",
		"ce413781191b8f11f8cf1a4a5d9d7f9824356c02390b47ea0d33976bc2430b"
		"90",
	};
	struct blob b;
	unsigned n = 0;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(
		run(W("measure", "--mode", "snp", "--vcpus", "2", "--ovmf", amd,
		      "--vmm-type", "ec2", "--dump-vmsa", dir),
		    &out, &err),
		0);
	for (unsigned v = 0; v < 2; v++) {
		char e[256];

		snprintf(path, sizeof(path), "%s/vmsa%u.bin", dir, v);
		ck_assert_int_eq(file_read(path, 8192, &b, e, sizeof(e)), 0);
		ck_assert_uint_eq(b.len, VMSA_SIZE);
		sha256_hex(b.data, b.len, hex);
		ck_assert_str_eq(hex, want[v]);
		blob_free(&b);
		unlink(path);
	}
	/* Nothing else in the directory. */
	snprintf(path, sizeof(path), "ls -A %s | wc -l", dir);
	FILE *f = popen(path, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fscanf(f, "%u", &n), 1);
	pclose(f);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(rmdir(dir), 0);
	free(out);
	free(err);
}
END_TEST

/* sevctl's measurement vectors (virtee/sevctl tests/measurementbuild.rs)
 * as --launch-measure-blob: it matches; one byte of policy off does not
 * (exit 5, and the output says MISMATCH). */
START_TEST(test_cli_launch_measure_blob)
{
	NEED(fw,
	     "testdata/virtee/sevctl/tests/data/"
	     "OVMF.amdsev.fd_trimmed_edk2-ovmf-20220126gitbb1bba3d77-4.el9");
	NEED(tik, "testdata/virtee/sevctl/tests/data/measurement/tik1.bin");
	const char *blob = "oMDewIouJSpbpNRHj7Mk3p08H2dPZQdsZMU14qIymBnDE/"
			   "q1EcIWsVBbGy6pkDxA";
	char *out, *err;

	ck_assert_int_eq(
		run(W("measure", "--mode", "sev", "--ovmf", fw, "--tik", tik,
		      "--api-major", "1", "--api-minor", "40", "--build-id",
		      "40", "--policy", "0x03", "--launch-measure-blob", blob),
		    &out, &err),
		0);
	ck_assert_ptr_nonnull(strstr(out, "launch measure blob: verified\n"));
	ck_assert_str_eq(err, "");
	free(out);
	free(err);
	ck_assert_int_eq(
		run(W("measure", "--mode", "sev", "--ovmf", fw, "--tik", tik,
		      "--api-major", "1", "--api-minor", "40", "--build-id",
		      "40", "--policy", "0x07", "--launch-measure-blob", blob),
		    &out, &err),
		2); /* 0x7 has the ES bit: that is seves */
	free(out);
	free(err);
	ck_assert_int_eq(
		run(W("measure", "--mode", "sev", "--ovmf", fw, "--tik", tik,
		      "--api-major", "1", "--api-minor", "40", "--build-id",
		      "40", "--policy", "0x01", "--launch-measure-blob", blob),
		    &out, &err),
		5);
	ck_assert_ptr_nonnull(strstr(out, "launch measure blob: MISMATCH\n"));
	ck_assert_ptr_nonnull(strstr(err, "measurement mismatch"));
	free(out);
	free(err);
	/* sevctl's --nonce spelling with the blob's mnonce gives the blob. */
	ck_assert_int_eq(run(W("measure", "--mode", "sev", "--ovmf", fw,
			       "--tik", tik, "--api-major", "1", "--api-minor",
			       "40", "--build-id", "40", "--policy", "3",
			       "--nonce", "wxP6tRHCFrFQWxsuqZA8QA=="),
			     &out, &err),
			 0);
	ck_assert_ptr_nonnull(strstr(out, blob));
	free(out);
	free(err);
}
END_TEST

/* ------------------------------------------------- the JSON schemas */

/*
 * A validator for the part of JSON Schema (draft 2020-12) that
 * doc/measure.schema.json and doc/inspect.schema.json use: type (one or
 * several), enum, required, properties, additionalProperties false,
 * items, $ref to #/$defs/NAME, minimum, maximum, pattern (as a POSIX
 * extended regular expression).  A keyword it does not know fails the
 * test, so the schemas cannot silently outgrow it.
 */
static const struct json *schema_root;
static char why[512]; /* the first violation */

/* On failure: say why, and the check returns false. */
#define REQUIRE(cond, ...)                                                     \
	do {                                                                   \
		if (!(cond)) {                                                 \
			snprintf(why, sizeof(why), __VA_ARGS__);               \
			return false;                                          \
		}                                                              \
	} while (0)

static bool type_is(const struct json *v, const char *t)
{
	switch (v->type) {
	case JSON_NULL:
		return !strcmp(t, "null");
	case JSON_BOOL:
		return !strcmp(t, "boolean");
	case JSON_INT:
		return !strcmp(t, "integer") || !strcmp(t, "number");
	case JSON_STRING:
		return !strcmp(t, "string");
	case JSON_ARRAY:
		return !strcmp(t, "array");
	case JSON_OBJECT:
		return !strcmp(t, "object");
	}
	return false;
}

static bool json_equal(const struct json *a, const struct json *b)
{
	if (a->type != b->type)
		return false;
	switch (a->type) {
	case JSON_NULL:
		return true;
	case JSON_BOOL:
		return a->b == b->b;
	case JSON_INT:
		return a->i.neg == b->i.neg && a->i.u == b->i.u;
	case JSON_STRING:
		return a->str.len == b->str.len &&
		       !memcmp(a->str.s, b->str.s, a->str.len);
	default:
		return false; /* the schemas enumerate scalars only */
	}
}

static bool validate(const struct json *v, const struct json *s,
		     const char *where);

static bool check_type(const struct json *v, const struct json *t,
		       const char *where)
{
	bool ok = false;

	if (t->type == JSON_STRING)
		ok = type_is(v, t->str.s);
	for (size_t k = 0; t->type == JSON_ARRAY && k < t->arr.n; k++)
		ok |= type_is(v, t->arr.items[k].str.s);
	REQUIRE(ok, "%s: a %s, not the schema's type", where,
		json_type_name(v->type));
	return true;
}

static bool check_object(const struct json *v, const struct json *s,
			 const char *where)
{
	const struct json *props = json_get(s, "properties");
	const struct json *req = json_get(s, "required");
	const struct json *add = json_get(s, "additionalProperties");
	char sub[512];

	for (size_t k = 0; req && k < req->arr.n; k++)
		REQUIRE(json_get(v, req->arr.items[k].str.s),
			"%s: no member \"%s\"", where, req->arr.items[k].str.s);
	for (size_t k = 0; k < v->obj.n; k++) {
		const struct json_member *m = &v->obj.members[k];
		const struct json *ps = props ? json_get(props, m->key) : NULL;

		REQUIRE(ps || !add || add->type != JSON_BOOL || add->b,
			"%s: member \"%s\" is not in the schema", where,
			m->key);
		snprintf(sub, sizeof(sub), "%s.%s", where, m->key);
		if (ps && !validate(&m->value, ps, sub))
			return false;
	}
	return true;
}

static bool check_scalar(const struct json *v, const struct json *s,
			 const char *where)
{
	const struct json *min = json_get(s, "minimum");
	const struct json *max = json_get(s, "maximum");
	const struct json *pat = json_get(s, "pattern");
	regex_t re;
	bool ok;

	if (v->type == JSON_INT && min)
		REQUIRE(!v->i.neg && v->i.u >= min->i.u,
			"%s: below the minimum", where);
	if (v->type == JSON_INT && max)
		REQUIRE(!v->i.neg && v->i.u <= max->i.u,
			"%s: above the maximum", where);
	if (v->type != JSON_STRING || !pat)
		return true;
	REQUIRE(!regcomp(&re, pat->str.s, REG_EXTENDED | REG_NOSUB),
		"%s: bad pattern %s", where, pat->str.s);
	ok = !regexec(&re, v->str.s, 0, NULL, 0);
	regfree(&re);
	REQUIRE(ok, "%s: \"%s\" does not match %s", where, v->str.s,
		pat->str.s);
	return true;
}

static bool validate(const struct json *v, const struct json *s,
		     const char *where)
{
	static const char *const known[] = {"type",
					    "enum",
					    "required",
					    "properties",
					    "additionalProperties",
					    "items",
					    "$ref",
					    "minimum",
					    "maximum",
					    "pattern",
					    "$schema",
					    "$id",
					    "title",
					    "description",
					    "$defs",
					    NULL};
	const struct json *t = json_get(s, "type"), *e = json_get(s, "enum");
	const struct json *ref = json_get(s, "$ref"), *items;
	const struct json_member *unknown = json_unknown_member(s, known);
	bool in = false;
	char sub[512];

	REQUIRE(!unknown, "%s: the validator does not know \"%s\"", where,
		unknown ? unknown->key : "");
	if (ref) {
		REQUIRE(!strncmp(ref->str.s, "#/$defs/", 8), "%s: $ref %s",
			where, ref->str.s);
		s = json_get(json_get(schema_root, "$defs"), ref->str.s + 8);
		REQUIRE(s, "%s: no %s", where, ref->str.s);
		return validate(v, s, where);
	}
	if (t && !check_type(v, t, where))
		return false;
	for (size_t k = 0; e && k < e->arr.n; k++)
		in |= json_equal(v, &e->arr.items[k]);
	REQUIRE(!e || in, "%s: not one of the schema's values", where);
	if (v->type == JSON_OBJECT && !check_object(v, s, where))
		return false;
	items = json_get(s, "items");
	for (size_t k = 0; v->type == JSON_ARRAY && items && k < v->arr.n;
	     k++) {
		snprintf(sub, sizeof(sub), "%s[%zu]", where, k);
		if (!validate(&v->arr.items[k], items, sub))
			return false;
	}
	return check_scalar(v, s, where);
}

static struct json *parse_text(const char *text, const char *what)
{
	struct json *j = NULL;
	char err[256];

	ck_assert_msg(json_parse(text, strlen(text), &j, err, sizeof(err)) == 0,
		      "%s: %s", what, err);
	return j;
}

static struct json *load_schema(const char *path)
{
	struct blob b;
	struct json *j;
	char err[256], *text;

	/* Part of this repository: the tests run from its top. */
	ck_assert_msg(file_read(path, SZ_1M, &b, err, sizeof(err)) == 0,
		      "%s: %s", path, err);
	text = strndup((const char *)b.data, b.len);
	j = parse_text(text, path);
	free(text);
	blob_free(&b);
	return j;
}

/* Run sevboot, parse its stdout, validate it against the schema. */
static void check_against(const char *schema, const char *const *w)
{
	struct json *s = load_schema(schema), *doc;
	char *out, *err;
	int rc = run(w, &out, &err);

	ck_assert_msg(rc == 0 || rc == 5, "exit %d: %s", rc, err);
	doc = parse_text(out, "sevboot's output");
	schema_root = s;
	ck_assert_msg(validate(doc, s, "$"), "%s: %s", schema, why);
	json_free(doc);
	json_free(s);
	free(out);
	free(err);
}

START_TEST(test_json_measure_schema)
{
	NEED(amd, FW_AMDSEV);
	NEED(deb, FW_DEB12);
	NEED(svo, FW_SVSMOVMF);
	NEED(svb, SVSM_BIN);
	NEED(k, KERNEL);
	NEED(fw,
	     "testdata/virtee/sevctl/tests/data/"
	     "OVMF.amdsev.fd_trimmed_edk2-ovmf-20220126gitbb1bba3d77-4.el9");
	NEED(tik, "testdata/virtee/sevctl/tests/data/measurement/tik1.bin");
	char dir[] = "/tmp/tmv-json.XXXXXX", p0[1100], p1[1100];

	ck_assert_ptr_nonnull(mkdtemp(dir));
	check_against("doc/measure.schema.json",
		      W("measure", "--json", "--mode", "sev", "--ovmf", amd));
	check_against("doc/measure.schema.json",
		      W("measure", "--json", "--mode", "seves", "--vcpus", "2",
			"--ovmf", deb, "--legacy-init"));
	check_against("doc/measure.schema.json",
		      W("measure", "--json", "--mode", "snp", "--vcpus", "2",
			"--ovmf", amd, "--kernel", k, "--append", "a\x01\"b",
			"--vmm-type", "gce", "--dump-vmsa", dir));
	check_against("doc/measure.schema.json",
		      W("measure", "--json", "--mode", "snp:ovmf-hash",
			"--ovmf", deb));
	check_against("doc/measure.schema.json",
		      W("measure", "--json", "--mode", "snp:svsm", "--vcpus",
			"2", "--ovmf", svo, "--svsm", svb, "--vars-size",
			"540672"));
	check_against("doc/measure.schema.json",
		      W("measure", "--json", "--mode", "snp", "--ovmf", deb,
			"--snp-ovmf-hash", vectors[16].seed));
	/* a mismatching blob: exit 5, still a valid document */
	check_against("doc/measure.schema.json",
		      W("measure", "--json", "--mode", "sev", "--ovmf", fw,
			"--tik", tik, "--api-major", "1", "--api-minor", "40",
			"--build-id", "41", "--policy", "3",
			"--launch-measure-blob",
			"oMDewIouJSpbpNRHj7Mk3p08H2dPZQdsZMU14qIymBnDE/"
			"q1EcIWsVBbGy6pkDxA"));
	snprintf(p0, sizeof(p0), "%s/vmsa0.bin", dir);
	snprintf(p1, sizeof(p1), "%s/vmsa1.bin", dir);
	ck_assert_int_eq(unlink(p0), 0);
	ck_assert_int_eq(unlink(p1), 0);
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

/* The validator itself refuses what the schema forbids, and accepts a
 * real document (so it is not vacuous either way). */
START_TEST(test_json_validator_fails)
{
	struct json *s = load_schema("doc/measure.schema.json");
	static const struct {
		const char *from, *to, *why;
	} edits[] = {
		{"\"mode\":\"sev\"", "\"mode\":\"snp:tdx\"", "schema's values"},
		{"\"vcpus\":null", "\"vcpus\":0", "below the minimum"},
		{"\"vcpus\":null", "\"vcpus\":\"1\"", "not the schema's type"},
		{"\"append\":null", "\"append\":null,\"extra\":1",
		 "not in the schema"},
		{"\"digest_algorithm\":\"sha256\",", "", "no member"},
		{"\"digest\":\"", "\"digest\":\"X", "does not match"},
	};
	const char *good =
		"{\"schema\":\"sevboot-measure/1\",\"mode\":\"sev\","
		"\"vmm_type\":\"QEMU\",\"vcpus\":null,\"vmsa_rdx\":null,"
		"\"sev_features\":null,\"kvm_init\":null,"
		"\"ovmf\":{\"path\":\"f\",\"size\":4096},\"kernel\":null,"
		"\"initrd\":null,\"append\":null,\"svsm\":null,"
		"\"vars_size\":null,\"snp_ovmf_hash\":null,\"steps\":[],"
		"\"digest_algorithm\":\"sha256\",\"digest\":\""
		"00000000000000000000000000000000000000000000000000000000000000"
		"00"
		"\",\"digest_base64\":"
		"\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\","
		"\"vmsa_files\":null,\"launch_measure\":null}";
	struct json *doc = parse_text(good, "good");

	schema_root = s;
	ck_assert_msg(validate(doc, s, "$"), "%s", why);
	json_free(doc);
	for (size_t k = 0; k < sizeof(edits) / sizeof(edits[0]); k++) {
		char text[2048];
		const char *at = strstr(good, edits[k].from);
		size_t pre;

		ck_assert_ptr_nonnull(at);
		pre = (size_t)(at - good);
		snprintf(text, sizeof(text), "%.*s%s%s", (int)pre, good,
			 edits[k].to, at + strlen(edits[k].from));
		doc = parse_text(text, "edited");
		ck_assert_msg(!validate(doc, s, "$"), "passed: %s", text);
		ck_assert_msg(strstr(why, edits[k].why), "edit %zu: %s", k,
			      why);
		json_free(doc);
	}
	json_free(s);
}
END_TEST

START_TEST(test_json_inspect_schema)
{
	static const char *const images[] = {
		FW_AMDSEV,
		FW_DEB12,
		FW_SVSMOVMF,
		SVSM_BIN,
		"firmware/OVMF_CODE_4M.deb12.fd",
		FW_SUFFIX,
	};

	for (size_t k = 0; k < sizeof(images) / sizeof(images[0]); k++) {
		NEED(path, images[k]);
		check_against("doc/inspect.schema.json",
			      W("inspect", "--json", path));
	}
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("measure_vmm");
	TCase *t = tcase_create("core");

	tcase_set_timeout(t, 120);
	tcase_add_loop_test(t, test_vectors, 0,
			    sizeof(vectors) / sizeof(vectors[0]));
	tcase_add_test(t, test_section_order_and_types);
	tcase_add_test(t, test_vmsa_pages);
	tcase_add_test(t, test_vmm_names);
	tcase_add_test(t, test_plan_refusals);
	tcase_add_test(t, test_cli_digests);
	tcase_add_test(t, test_cli_refusals);
	tcase_add_test(t, test_cli_dump_vmsa);
	tcase_add_test(t, test_cli_launch_measure_blob);
	tcase_add_test(t, test_json_measure_schema);
	tcase_add_test(t, test_json_validator_fails);
	tcase_add_test(t, test_json_inspect_schema);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return run_suite(suite());
}
