// SPDX-License-Identifier: MIT
/*
 * sev/plan.c and sev/measure.c: the launch plan of every mode on real
 * firmware, every refusal, the digests of ../shared/vectors/measurements.tsv
 * (virtee/sev-snp-measure 0.0.13's numbers) and the LAUNCH_MEASURE known
 * answers of ../shared/testdata (sev-tool, virtee/sev, sevctl).
 */
#include <errno.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "loader/loader.h"
#include "sev/sev.h"
#include "tests/unit/testutil.h"

#define FW_DEB12  "firmware/OVMF.deb12.fd"
#define FW_AMDSEV "firmware/OVMF.amdsev.sid.fd"
#define FW_4M	  "firmware/OVMF_CODE_4M.deb12.fd"
#define KERNEL	  "inputs/vmlinuz-6.12.117+deb12-amd64"
#define INITRD	  "inputs/test-initrd.cpio.gz"
#define SEVCTL	  "testdata/virtee/sevctl/tests/data/"
#define SEVCTL_FW                                                              \
	SEVCTL "OVMF.amdsev.fd_trimmed_edk2-ovmf-20220126gitbb1bba3d77-4.el9"
#define EPYC_V4_SIG 0x800f12

/* ---------------------------------------------------------------- helpers */

static void tobase64(const uint8_t *p, size_t n, char *out)
{
	EVP_EncodeBlock((unsigned char *)out, p, (int)n);
}

/* A whole file under ../shared; an empty one gives len 0.  false when the
 * file is not there (the caller skips). */
static bool load_shared(const char *rel, struct blob *b)
{
	char path[1024], err[256];
	int ret;

	if (!shared_path(rel, path, sizeof(path)))
		return false;
	ret = file_read(path, 64 * SZ_1M, b, err, sizeof(err));
	if (ret == -ENODATA) {
		*b = (struct blob){0};
		return true;
	}
	ck_assert_msg(ret == 0, "%s: %s", path, err);
	return true;
}

/* A firmware image and what ovmf_parse says of it. */
struct fw {
	struct blob b;
	struct ovmf_info info;
};

static bool load_fw(const char *rel, struct fw *fw)
{
	char err[256];

	if (!load_shared(rel, &fw->b))
		return false;
	ck_assert_msg(ovmf_parse(fw->b.data, fw->b.len, &fw->info, err,
				 sizeof(err)) == 0,
		      "%s: %s", rel, err);
	return true;
}

static struct launch_config fw_config(const struct fw *fw, enum sev_mode m,
				      unsigned ncpus)
{
	return (struct launch_config){
		.mode = m,
		.ncpus = ncpus,
		.vcpu_sig = EPYC_V4_SIG,
		.snp_features = 0x1,
		.ovmf = fw->b.data,
		.ovmf_len = fw->b.len,
		.ovmf_info = &fw->info,
	};
}

static struct launch_plan *plan_new(void)
{
	struct launch_plan *p = calloc(1, sizeof(*p));

	ck_assert_ptr_nonnull(p);
	return p;
}

static void plan_del(struct launch_plan *p)
{
	launch_plan_free(p);
	free(p);
}

static void check_step(const struct launch_step *s, enum launch_step_kind k,
		       uint64_t gpa, size_t len, uint8_t type, int vcpu)
{
	ck_assert_int_eq(s->kind, k);
	ck_assert_uint_eq(s->gpa, gpa);
	ck_assert_uint_eq(s->len, len);
	ck_assert_uint_eq(s->page_type, type);
	ck_assert_int_eq(s->vcpu, vcpu);
	ck_assert_ptr_nonnull(s->what);
}

/* --------------------------------------------------- measurements.tsv */

struct row {
	char *f[16];
	unsigned n;
};

static int col(char *const *hdr, unsigned n, const char *name)
{
	for (unsigned k = 0; k < n; k++)
		if (!strcmp(hdr[k], name))
			return (int)k;
	ck_abort_msg("measurements.tsv: no column %s", name);
	return -1;
}

/* Split on tabs, keeping empty fields. */
static unsigned split(char *line, char **f, unsigned max)
{
	unsigned n = 0;
	char *tok;

	line[strcspn(line, "\r\n")] = 0;
	while (n < max && (tok = strsep(&line, "\t")))
		f[n++] = tok;
	return n;
}

/*
 * One row through the same calls `sevboot measure` makes.  Returns 0 and
 * the digest in hex, or -1 with why in err.
 */
static int vector_digest(char **f, const int *c, char *hex, char *err,
			 size_t errlen)
{
	static const uint8_t no_bytes[1];
	const char *mode = f[c[0]], *vcpus = f[c[1]], *cpu = f[c[2]],
		   *vmm = f[c[3]], *gf = f[c[4]], *ovmf = f[c[5]],
		   *kernel = f[c[6]], *initrd = f[c[7]], *append = f[c[8]];
	struct fw fw;
	struct blob kb = {0}, ib = {0};
	struct launch_config cfg;
	struct launch_plan *p;
	uint8_t d[48];
	char rel[512];
	int ret = -1;

	if (strcmp(vmm, "QEMU")) {
		snprintf(err, errlen, "vmm_type %s is not QEMU", vmm);
		return -1;
	}
	snprintf(rel, sizeof(rel), "firmware/%s", ovmf);
	if (!load_fw(rel, &fw)) {
		snprintf(err, errlen, "%.400s missing", rel);
		return -1;
	}
	cfg = fw_config(&fw, SEV_MODE_SEV, 1);

	if (!strcmp(mode, "sev"))
		cfg.mode = SEV_MODE_SEV;
	else if (!strcmp(mode, "seves"))
		cfg.mode = SEV_MODE_SEV_ES;
	else if (!strcmp(mode, "snp"))
		cfg.mode = SEV_MODE_SNP;
	else if (!strcmp(mode, "snp:ovmf-hash"))
		cfg.mode = SEV_MODE_SNP, cfg.snp_ovmf_only = true;
	else {
		snprintf(err, errlen, "unknown mode %s", mode);
		goto out;
	}

	if (strcmp(vcpus, "-"))
		cfg.ncpus = (unsigned)strtoul(vcpus, NULL, 10);

	if (!strncmp(cpu, "sig=", 4)) {
		cfg.vcpu_sig = (uint32_t)strtoul(cpu + 4, NULL, 0);
	} else if (!strncmp(cpu, "fms=", 4)) {
		unsigned fa, mo, st;

		ck_assert_int_eq(sscanf(cpu + 4, "%u/%u/%u", &fa, &mo, &st), 3);
		cfg.vcpu_sig = cpu_signature_fms(fa, mo, st);
	} else if (strcmp(cpu, "none") && strcmp(cpu, "-")) {
		char cerr[512];

		if (cpu_model_signature(cpu, &cfg.vcpu_sig, cerr,
					sizeof(cerr))) {
			snprintf(err, errlen, "%s", cerr);
			goto out;
		}
	}

	/* seves measures SEV_FEATURES 0 whatever the column says. */
	if (!strncmp(gf, "default", 7))
		cfg.snp_features = 0x1;
	else if (strcmp(gf, "-") && strncmp(gf, "n/a", 3))
		cfg.snp_features = strtoull(gf, NULL, 16);

	if (!strcmp(kernel, "empty")) {
		cfg.kernel = no_bytes;
	} else if (strcmp(kernel, "-")) {
		snprintf(rel, sizeof(rel), "inputs/%s", kernel);
		if (!load_shared(rel, &kb)) {
			snprintf(err, errlen, "%.400s missing", rel);
			goto out;
		}
		cfg.kernel = kb.data ? kb.data : no_bytes;
		cfg.kernel_len = kb.len;
	}
	if (strcmp(initrd, "empty") && strcmp(initrd, "-")) {
		snprintf(rel, sizeof(rel), "inputs/%s", initrd);
		if (!load_shared(rel, &ib)) {
			snprintf(err, errlen, "%.400s missing", rel);
			goto out;
		}
		cfg.initrd = ib.data;
		cfg.initrd_len = ib.len;
	}
	if (strcmp(append, "-"))
		cfg.cmdline = append;

	p = plan_new();
	if (launch_plan_build(&cfg, p, err, errlen) == 0) {
		if (cfg.mode == SEV_MODE_SNP)
			ret = measure_snp_digest(p, d);
		else
			ret = measure_sev_digest(p, d);
		if (ret)
			snprintf(err, errlen, "measure: %d", ret);
		else
			hex_encode(d, cfg.mode == SEV_MODE_SNP ? 48 : 32, hex);
	}
	plan_del(p);
out:
	blob_free(&kb);
	blob_free(&ib);
	blob_free(&fw.b);
	return ret ? -1 : 0;
}

START_TEST(test_vectors)
{
	static const char *const names[] = {
		"mode",		  "vcpus",	  "vcpu_type", "vmm_type",
		"guest_features", "ovmf",	  "kernel",    "initrd",
		"append",	  "expected_hex", "case_id",
	};
	char path[1024], line[8192], hdrline[8192];
	char *hdr[16], failed[4096] = "";
	unsigned nhdr = 0, rows = 0, pass = 0;
	int c[11];
	FILE *f;

	if (!shared_path("vectors/measurements.tsv", path, sizeof(path)))
		SKIP_TEST("no vectors/measurements.tsv under SEVBOOT_SHARED "
			  "or ../shared");
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f)) {
		char *fl[16], hex[97], err[512];
		unsigned n;

		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (!nhdr) {
			memcpy(hdrline, line, sizeof(line));
			nhdr = split(hdrline, hdr, 16);
			for (unsigned k = 0; k < 11; k++)
				c[k] = col(hdr, nhdr, names[k]);
			continue;
		}
		n = split(line, fl, 16);
		ck_assert_msg(n >= 11, "measurements.tsv: short row '%s'",
			      line);
		rows++;
		err[0] = hex[0] = 0;
		if (vector_digest(fl, c, hex, err, sizeof(err)) == 0 &&
		    !strcmp(hex, fl[c[9]])) {
			pass++;
			continue;
		}
		if (err[0])
			printf("%s: %s\n", fl[c[10]], err);
		else
			printf("%s: got %s, want %s\n", fl[c[10]], hex,
			       fl[c[9]]);
		snprintf(failed + strlen(failed),
			 sizeof(failed) - strlen(failed), " %s", fl[c[10]]);
	}
	fclose(f);
	printf("measurements.tsv: %u of %u rows pass\n", pass, rows);
	ck_assert_msg(rows > 0, "measurements.tsv has no rows");
	ck_assert_msg(pass == rows, "failed rows:%s", failed);
}
END_TEST

/* ----------------------------------------------------- the plan, by mode */

START_TEST(test_plan_sev_deb12)
{
	struct fw fw;
	struct launch_config c;
	struct launch_plan *p;
	char err[256];

	if (!load_fw(FW_DEB12, &fw))
		SKIP_TEST("no " FW_DEB12);
	c = fw_config(&fw, SEV_MODE_SEV, 4);
	p = plan_new();
	ck_assert_int_eq(launch_plan_build(&c, p, err, sizeof(err)), 0);
	ck_assert_int_eq(p->mode, SEV_MODE_SEV);
	ck_assert_uint_eq(p->nsteps, 1);
	check_step(&p->steps[0], STEP_UPDATE_DATA, 0xffe00000, 0x200000, 0, -1);
	ck_assert_ptr_eq(p->steps[0].bytes, fw.b.data);
	ck_assert_ptr_null(p->vmsas);
	plan_del(p);
	blob_free(&fw.b);
}
END_TEST

START_TEST(test_plan_seves_deb12)
{
	struct vmsa_config vc = {
		.vcpu_sig = EPYC_V4_SIG,
		.ap_reset_addr = 0x80b004,
		.sev_features = 0,
		.init2 = true,
	};
	uint8_t want[VMSA_SIZE];
	struct fw fw;
	struct launch_config c;
	struct launch_plan *p;
	char err[256];

	if (!load_fw(FW_DEB12, &fw))
		SKIP_TEST("no " FW_DEB12);
	c = fw_config(&fw, SEV_MODE_SEV_ES, 4);
	c.snp_features = 0x21; /* must not leak into SEV-ES */
	p = plan_new();
	ck_assert_int_eq(launch_plan_build(&c, p, err, sizeof(err)), 0);
	ck_assert_uint_eq(p->nsteps, 5);
	check_step(&p->steps[0], STEP_UPDATE_DATA, 0xffe00000, 0x200000, 0, -1);
	/* What the launcher will load into KVM. */
	ck_assert_uint_eq(p->vmsa.vcpu_sig, vc.vcpu_sig);
	ck_assert_uint_eq(p->vmsa.ap_reset_addr, vc.ap_reset_addr);
	ck_assert_uint_eq(p->vmsa.sev_features, 0);
	ck_assert(p->vmsa.init2);
	for (int v = 0; v < 4; v++) {
		const struct launch_step *s = &p->steps[1 + v];

		check_step(s, STEP_UPDATE_VMSA, 0, VMSA_SIZE, 0, v);
		vmsa_build(&vc, v == 0, want);
		ck_assert_mem_eq(s->bytes, want, VMSA_SIZE);
	}

	/* --legacy-init changes the VMSAs and nothing else. */
	launch_plan_free(p);
	c.legacy_init = true;
	vc.init2 = false;
	ck_assert_int_eq(launch_plan_build(&c, p, err, sizeof(err)), 0);
	vmsa_build(&vc, true, want);
	ck_assert_mem_eq(p->steps[1].bytes, want, VMSA_SIZE);
	plan_del(p);
	blob_free(&fw.b);
}
END_TEST

START_TEST(test_plan_snp_deb12)
{
	static const struct {
		uint64_t gpa;
		size_t len;
		uint8_t type;
	} want[] = {
		{0xffe00000, 0x200000, SNP_PAGE_NORMAL},
		{0x800000, 0x9000, SNP_PAGE_ZERO},
		{0x80a000, 0x3000, SNP_PAGE_ZERO},
		{0x80d000, 0x1000, SNP_PAGE_SECRETS},
		{0x80e000, 0x1000, SNP_PAGE_CPUID},
		{0x80f000, 0x11000, SNP_PAGE_ZERO},
	};
	struct vmsa_config vc = {
		.vcpu_sig = EPYC_V4_SIG,
		.ap_reset_addr = 0x80b004,
		.sev_features = 0x21,
		.init2 = true,
	};
	uint8_t vmsa[VMSA_SIZE];
	struct fw fw;
	struct launch_config c;
	struct launch_plan *p;
	char err[256];

	if (!load_fw(FW_DEB12, &fw))
		SKIP_TEST("no " FW_DEB12);
	c = fw_config(&fw, SEV_MODE_SNP, 2);
	c.snp_features = 0x21;
	p = plan_new();
	ck_assert_int_eq(launch_plan_build(&c, p, err, sizeof(err)), 0);
	ck_assert_int_eq(p->mode, SEV_MODE_SNP);
	ck_assert_uint_eq(p->nsteps, 6 + 2);
	for (unsigned k = 0; k < 6; k++) {
		const struct launch_step *s = &p->steps[k];

		check_step(s, STEP_SNP_UPDATE, want[k].gpa, want[k].len,
			   want[k].type, -1);
		if (k == 0)
			ck_assert_ptr_eq(s->bytes, fw.b.data);
		else
			ck_assert_ptr_null(s->bytes);
	}
	ck_assert_uint_eq(p->vmsa.sev_features, 0x21);
	for (int v = 0; v < 2; v++) {
		const struct launch_step *s = &p->steps[6 + v];

		check_step(s, STEP_SNP_VMSA, SNP_VMSA_GPA, VMSA_SIZE,
			   SNP_PAGE_VMSA, v);
		vmsa_build(&vc, v == 0, vmsa);
		ck_assert_mem_eq(s->bytes, vmsa, VMSA_SIZE);
	}

	/* The firmware-only prefix is the first step alone. */
	launch_plan_free(p);
	c.snp_ovmf_only = true;
	ck_assert_int_eq(launch_plan_build(&c, p, err, sizeof(err)), 0);
	ck_assert_uint_eq(p->nsteps, 1);
	check_step(&p->steps[0], STEP_SNP_UPDATE, 0xffe00000, 0x200000,
		   SNP_PAGE_NORMAL, -1);
	ck_assert_ptr_null(p->vmsas);
	plan_del(p);
	blob_free(&fw.b);
}
END_TEST

/* The AmdSev build: SVSM_CAA, and KERNEL_HASHES last. */
START_TEST(test_plan_snp_amdsev)
{
	static const struct {
		uint64_t gpa;
		size_t len;
		uint8_t type;
	} want[] = {
		{0xffc00000, 0x400000, SNP_PAGE_NORMAL},
		{0x800000, 0x9000, SNP_PAGE_ZERO},
		{0x80a000, 0x3000, SNP_PAGE_ZERO},
		{0x80d000, 0x1000, SNP_PAGE_SECRETS},
		{0x80e000, 0x1000, SNP_PAGE_CPUID},
		{0x80f000, 0x1000, SNP_PAGE_ZERO}, /* SVSM_CAA */
		{0x811000, 0x1f000, SNP_PAGE_ZERO},
		{0x810000, 0x1000, SNP_PAGE_ZERO}, /* KERNEL_HASHES */
	};
	uint8_t table[SEV_HASHES_PADDED_LEN], page[4096] = {0};
	struct fw fw;
	struct blob kb, ib;
	struct launch_config c;
	struct launch_plan *p;
	char err[256];

	if (!load_fw(FW_AMDSEV, &fw))
		SKIP_TEST("no " FW_AMDSEV);
	c = fw_config(&fw, SEV_MODE_SNP, 1);
	p = plan_new();
	ck_assert_int_eq(launch_plan_build(&c, p, err, sizeof(err)), 0);
	ck_assert_uint_eq(p->nsteps, 8 + 1);
	for (unsigned k = 0; k < 8; k++)
		check_step(&p->steps[k], STEP_SNP_UPDATE, want[k].gpa,
			   want[k].len, want[k].type, -1);
	ck_assert_ptr_null(p->steps[7].bytes);
	check_step(&p->steps[8], STEP_SNP_VMSA, SNP_VMSA_GPA, VMSA_SIZE,
		   SNP_PAGE_VMSA, 0);
	launch_plan_free(p);

	/* With a kernel the hashes page turns NORMAL: zeros, and the table
	 * at base & 0xfff = 0xc00. */
	if (!load_shared(KERNEL, &kb) || !load_shared(INITRD, &ib)) {
		free(p);
		blob_free(&fw.b);
		SKIP_TEST("no " KERNEL " or " INITRD);
	}
	c.kernel = kb.data;
	c.kernel_len = kb.len;
	c.initrd = ib.data;
	c.initrd_len = ib.len;
	c.cmdline = "console=ttyS0";
	ck_assert_int_eq(launch_plan_build(&c, p, err, sizeof(err)), 0);
	ck_assert_uint_eq(p->nsteps, 9);
	check_step(&p->steps[7], STEP_SNP_UPDATE, 0x810000, 0x1000,
		   SNP_PAGE_NORMAL, -1);
	sev_hashes_table(kb.data, kb.len, ib.data, ib.len, "console=ttyS0",
			 table);
	memcpy(page + 0xc00, table, sizeof(table));
	ck_assert_ptr_nonnull(p->steps[7].bytes);
	ck_assert_mem_eq(p->steps[7].bytes, page, sizeof(page));
	/* Everything before it is as without a kernel. */
	for (unsigned k = 0; k < 7; k++)
		check_step(&p->steps[k], STEP_SNP_UPDATE, want[k].gpa,
			   want[k].len, want[k].type, -1);
	plan_del(p);
	blob_free(&kb);
	blob_free(&ib);
	blob_free(&fw.b);
}
END_TEST

START_TEST(test_plan_sev_seves_amdsev_kernel)
{
	uint8_t table[SEV_HASHES_PADDED_LEN];
	struct fw fw;
	struct blob kb;
	struct launch_config c;
	struct launch_plan *p;
	char err[256];

	if (!load_fw(FW_AMDSEV, &fw))
		SKIP_TEST("no " FW_AMDSEV);
	if (!load_shared(KERNEL, &kb)) {
		blob_free(&fw.b);
		SKIP_TEST("no " KERNEL);
	}
	c = fw_config(&fw, SEV_MODE_SEV, 1);
	c.kernel = kb.data;
	c.kernel_len = kb.len;
	sev_hashes_table(kb.data, kb.len, NULL, 0, NULL, table);

	p = plan_new();
	ck_assert_int_eq(launch_plan_build(&c, p, err, sizeof(err)), 0);
	ck_assert_uint_eq(p->nsteps, 2);
	check_step(&p->steps[0], STEP_UPDATE_DATA, 0xffc00000, 0x400000, 0, -1);
	/* Only the padded table, at the table's own address. */
	check_step(&p->steps[1], STEP_UPDATE_DATA, 0x810c00,
		   SEV_HASHES_PADDED_LEN, 0, -1);
	ck_assert_mem_eq(p->steps[1].bytes, table, sizeof(table));
	launch_plan_free(p);

	c.mode = SEV_MODE_SEV_ES;
	c.ncpus = 2;
	ck_assert_int_eq(launch_plan_build(&c, p, err, sizeof(err)), 0);
	ck_assert_uint_eq(p->nsteps, 4);
	check_step(&p->steps[1], STEP_UPDATE_DATA, 0x810c00,
		   SEV_HASHES_PADDED_LEN, 0, -1);
	check_step(&p->steps[2], STEP_UPDATE_VMSA, 0, VMSA_SIZE, 0, 0);
	check_step(&p->steps[3], STEP_UPDATE_VMSA, 0, VMSA_SIZE, 0, 1);
	plan_del(p);
	blob_free(&kb);
	blob_free(&fw.b);
}
END_TEST

/* --------------------------------------------------------------- refusals */

/* Build must fail with -EINVAL, say `needle`, and leave nothing behind. */
static void expect_refusal(const struct launch_config *c, const char *needle)
{
	struct launch_plan *p = plan_new();
	char err[256] = "";

	ck_assert_msg(launch_plan_build(c, p, err, sizeof(err)) == -EINVAL,
		      "expected a refusal saying '%s'", needle);
	ck_assert_msg(strstr(err, needle), "error '%s' lacks '%s'", err,
		      needle);
	ck_assert_uint_eq(p->nsteps, 0);
	ck_assert_ptr_null(p->vmsas);
	plan_del(p);
}

static void expect_ok(const struct launch_config *c)
{
	struct launch_plan *p = plan_new();
	char err[256] = "";

	ck_assert_msg(launch_plan_build(c, p, err, sizeof(err)) == 0, "%s",
		      err);
	plan_del(p);
}

START_TEST(test_err_snp_without_asev)
{
	struct fw fw;
	struct launch_config c;

	if (!load_fw(FW_4M, &fw))
		SKIP_TEST("no " FW_4M);
	c = fw_config(&fw, SEV_MODE_SNP, 1);
	expect_refusal(&c, "no SNP metadata (ASEV)");
	c.snp_ovmf_only = true;
	expect_refusal(&c, "no SNP metadata (ASEV)");
	/* SEV does not need it. */
	c = fw_config(&fw, SEV_MODE_SEV, 1);
	expect_ok(&c);
	blob_free(&fw.b);
}
END_TEST

START_TEST(test_err_kernel_without_hashes_table)
{
	static const uint8_t kernel[] = "not really a kernel";
	static const enum sev_mode modes[] = {SEV_MODE_SEV, SEV_MODE_SEV_ES,
					      SEV_MODE_SNP};
	struct fw fw;
	struct launch_config c;

	if (!load_fw(FW_DEB12, &fw))
		SKIP_TEST("no " FW_DEB12);
	for (unsigned k = 0; k < 3; k++) {
		c = fw_config(&fw, modes[k], 1);
		c.kernel = kernel;
		c.kernel_len = sizeof(kernel);
		expect_refusal(&c, "no kernel hashes table (base 0x0 size "
				   "0x0): it cannot do measured direct boot");
	}
	/* No entry at all. */
	fw.info.has_hashes_entry = false;
	expect_refusal(&c, "no kernel hashes table entry");
	blob_free(&fw.b);
}
END_TEST

START_TEST(test_err_hashes_area)
{
	static const uint8_t kernel[] = "k";
	struct fw fw;
	struct launch_config c;
	struct ovmf_info good;

	if (!load_fw(FW_AMDSEV, &fw))
		SKIP_TEST("no " FW_AMDSEV);
	good = fw.info;
	c = fw_config(&fw, SEV_MODE_SEV, 1);
	c.kernel = kernel;
	c.kernel_len = 1;
	expect_ok(&c);

	fw.info.hashes_size = SEV_HASHES_PADDED_LEN - 16;
	expect_refusal(&c, "smaller than the 176-byte table");
	fw.info.hashes_size = SEV_HASHES_PADDED_LEN;
	expect_ok(&c);

	fw.info = good;
	fw.info.hashes_base = 0;
	expect_refusal(&c, "no kernel hashes table (base 0x0 size 0x400)");

	fw.info = good;
	fw.info.hashes_base = 0x810c08;
	expect_refusal(&c, "16-byte aligned");

	fw.info = good;
	fw.info.hashes_base = 0xffffff80;
	expect_refusal(&c, "firmware image");

	/* SNP: the table must sit in the KERNEL_HASHES page, whole. */
	c.mode = SEV_MODE_SNP;
	fw.info = good;
	expect_ok(&c);
	fw.info.hashes_base = 0x810f80;
	expect_refusal(&c, "crosses a page");
	fw.info.hashes_base = 0x811c00;
	expect_refusal(&c, "not the one page");

	fw.info = good;
	fw.info.nsections--; /* drop KERNEL_HASHES, the last one */
	ck_assert_uint_eq(good.sections[good.nsections - 1].type,
			  OVMF_SECTION_KERNEL_HASHES);
	expect_refusal(&c, "no KERNEL_HASHES section");
	/* Without a kernel that section is not needed. */
	c.kernel = NULL;
	c.kernel_len = 0;
	expect_ok(&c);
	blob_free(&fw.b);
}
END_TEST

START_TEST(test_err_sections)
{
	struct fw fw;
	struct launch_config c;
	struct ovmf_info good;

	if (!load_fw(FW_DEB12, &fw))
		SKIP_TEST("no " FW_DEB12);
	good = fw.info;
	c = fw_config(&fw, SEV_MODE_SNP, 1);
	expect_ok(&c);

	fw.info.sections[1].size = 0;
	expect_refusal(&c, "whole 4 KiB pages");
	fw.info = good;
	fw.info.sections[1].gpa += 0x800;
	expect_refusal(&c, "whole 4 KiB pages");
	fw.info = good;
	fw.info.sections[1].size = 0x1800;
	expect_refusal(&c, "whole 4 KiB pages");

	fw.info = good;
	fw.info.sections[2].gpa = 0xfffff000; /* inside the flash window */
	expect_refusal(&c, "reaches into the firmware image");
	fw.info = good;
	fw.info.sections[4].size = 0xfff00000; /* ends past 4 GiB */
	expect_refusal(&c, "reaches into the firmware image");

	fw.info = good;
	fw.info.sections[3].gpa = 0x801000; /* inside section 0 */
	expect_refusal(&c, "overlap");

	/* Unknown types load as ZERO, as QEMU does. */
	fw.info = good;
	fw.info.sections[0].type = 0x77;
	{
		struct launch_plan *p = plan_new();
		char err[256];

		ck_assert_int_eq(launch_plan_build(&c, p, err, sizeof(err)), 0);
		ck_assert_uint_eq(p->steps[1].page_type, SNP_PAGE_ZERO);
		plan_del(p);
	}
	blob_free(&fw.b);
}
END_TEST

START_TEST(test_err_vcpus_and_config)
{
	static const uint8_t initrd[] = "i";
	struct fw fw;
	struct launch_config c;

	if (!load_fw(FW_DEB12, &fw))
		SKIP_TEST("no " FW_DEB12);
	c = fw_config(&fw, SEV_MODE_SNP, 0);
	expect_refusal(&c, "0 vCPUs");
	c.ncpus = LAUNCH_MAX_VCPUS + 1;
	expect_refusal(&c, "257 vCPUs");
	c.ncpus = LAUNCH_MAX_VCPUS;
	expect_ok(&c);
	c.mode = SEV_MODE_SEV_ES;
	expect_ok(&c);

	/* APs need the reset block; one vCPU does not. */
	fw.info.has_reset_block = false;
	c.ncpus = 2;
	expect_refusal(&c, "no SEV-ES reset block");
	c.mode = SEV_MODE_SNP;
	expect_refusal(&c, "no SEV-ES reset block");
	c.ncpus = 1;
	expect_ok(&c);
	fw.info.has_reset_block = true;

	c = fw_config(&fw, SEV_MODE_SEV, 1);
	c.initrd = initrd;
	c.initrd_len = 1;
	expect_refusal(&c, "only with a kernel");
	c = fw_config(&fw, SEV_MODE_SEV, 1);
	c.cmdline = "x";
	expect_refusal(&c, "only with a kernel");

	c = fw_config(&fw, SEV_MODE_SEV, 1);
	c.snp_ovmf_only = true;
	expect_refusal(&c, "SNP only");

	/* The description must be of this image. */
	c = fw_config(&fw, SEV_MODE_SEV, 1);
	c.ovmf_len -= 4096;
	expect_refusal(&c, "does not match");
	c = fw_config(&fw, (enum sev_mode)7, 1);
	expect_refusal(&c, "unknown SEV mode");
	blob_free(&fw.b);
}
END_TEST

START_TEST(test_err_measure_wrong_plan)
{
	struct launch_plan *p = plan_new();
	uint8_t d[48];

	p->mode = SEV_MODE_SNP;
	ck_assert_int_eq(measure_sev_digest(p, d), -EINVAL);
	p->mode = SEV_MODE_SEV;
	ck_assert_int_eq(measure_snp_digest(p, d), -EINVAL);
	/* A NORMAL page with no bytes cannot be measured. */
	p->mode = SEV_MODE_SNP;
	p->nsteps = 1;
	p->steps[0] = (struct launch_step){.kind = STEP_SNP_UPDATE,
					   .len = 4096,
					   .page_type = SNP_PAGE_NORMAL};
	ck_assert_int_eq(measure_snp_digest(p, d), -EINVAL);
	plan_del(p);
}
END_TEST

/* ------------------------------------------------------ SNP PAGE_INFO KATs */

static void snp_digest_hex(struct launch_plan *p, char *hex)
{
	uint8_t d[48];

	ck_assert_int_eq(measure_snp_digest(p, d), 0);
	hex_encode(d, 48, hex);
}

/* One page of each type, chained: a regression vector computed from the
 * PAGE_INFO formula (SNP ABI 56860 SNP_LAUNCH_UPDATE); no public source. */
START_TEST(test_kat_snp_page_info_chain)
{
	static const uint8_t zero[4096];
	static const struct {
		uint8_t type;
		uint64_t gpa;
		const char *ld;
	} steps[] = {
		{SNP_PAGE_NORMAL, 0x0,
		 "9d13634b6014bb21cf059b2dc694e7bff01a8a7137041100cd2b695f3d10f"
		 "b687267b97808b27f8f471d943bc6f53a20"},
		{SNP_PAGE_ZERO, 0x1000,
		 "3bb77aec4f0d90c147b6b7884b6bd5741994d2575305f89639c95186690d9"
		 "49261186702ef51f2fa7c0dd4c90f03ebfd"},
		{SNP_PAGE_SECRETS, 0x2000,
		 "0a38dc4cdc203b86ee6a64ab9f7bcc0c1e0fa47144e1e4d6fad2ce24573ef"
		 "7e100d1b91f1869bcea9cd1e3dffd42a075"},
		{SNP_PAGE_CPUID, 0x3000,
		 "3bbf34c2d07995525f1135e5fd8fa00fa052f455911c6484ffbb3bbb0b64e"
		 "fa29f7d1bc9077fe600a08375e1097438a4"},
		{SNP_PAGE_UNMEASURED, 0x4000,
		 "f33914b2b834895a05826067e93d3464b86c42f7ff2dacf165081dca9b15d"
		 "2ec0b27d0d4cf3f6416465005f922f565b7"},
		{SNP_PAGE_VMSA, SNP_VMSA_GPA,
		 "8f3a02b6be3501c18f331e6338a7194ac03a516c33c43278d8b0eb06f255c"
		 "43eb49ac6f73d82da9e4abdbb5a69f9289b"},
	};
	struct launch_plan *p = plan_new();
	char hex[97];

	p->mode = SEV_MODE_SNP;
	for (unsigned k = 0; k < 6; k++) {
		bool hashed = steps[k].type == SNP_PAGE_NORMAL ||
			      steps[k].type == SNP_PAGE_VMSA;

		p->steps[k] = (struct launch_step){
			.kind = steps[k].type == SNP_PAGE_VMSA
					? STEP_SNP_VMSA
					: STEP_SNP_UPDATE,
			.gpa = steps[k].gpa,
			.bytes = hashed ? zero : NULL,
			.len = 4096,
			.page_type = steps[k].type,
			.vcpu = -1,
		};
		p->nsteps = k + 1;
		snp_digest_hex(p, hex);
		ck_assert_str_eq(hex, steps[k].ld);
	}
	p->nsteps = 0;
	plan_del(p);
}
END_TEST

/* sev-snp-measure's own one-page test (tests/test_guest.py: the OVMF hash of
 * tests/fixtures/ovmf_AmdSev_suffix.bin). */
START_TEST(test_kat_snp_one_page)
{
	struct blob b;
	struct launch_plan *p;
	char hex[97];

	if (!load_shared("firmware/ovmf_AmdSev_suffix.bin", &b))
		SKIP_TEST("no firmware/ovmf_AmdSev_suffix.bin");
	ck_assert_uint_eq(b.len, 4096);
	p = plan_new();
	p->mode = SEV_MODE_SNP;
	p->nsteps = 1;
	p->steps[0] = (struct launch_step){.kind = STEP_SNP_UPDATE,
					   .gpa = 0xfffff000,
					   .bytes = b.data,
					   .len = 4096,
					   .page_type = SNP_PAGE_NORMAL,
					   .vcpu = -1};
	snp_digest_hex(p, hex);
	ck_assert_str_eq(hex, "086e2e9149ebf45abdc3445fba5b2da8270bdbb04094d7a"
			      "2c37faaa4b24af3aa16aff8c374c2a55c467a50da6d466b"
			      "74");
	p->nsteps = 0;
	plan_del(p);
	blob_free(&b);
}
END_TEST

/* The firmware hashes a VMSA with its TSC scale/offset zeroed. */
START_TEST(test_snp_vmsa_tsc_fields_ignored)
{
	static uint8_t vmsa[4096];
	struct launch_plan *p = plan_new();
	char a[97], b[97];

	p->mode = SEV_MODE_SNP;
	p->nsteps = 1;
	p->steps[0] = (struct launch_step){.kind = STEP_SNP_VMSA,
					   .gpa = SNP_VMSA_GPA,
					   .bytes = vmsa,
					   .len = 4096,
					   .page_type = SNP_PAGE_VMSA,
					   .vcpu = 0};
	snp_digest_hex(p, a);
	memset(vmsa + 0x2f0, 0xa5, 16);
	snp_digest_hex(p, b);
	ck_assert_str_eq(a, b);
	vmsa[0x300] = 1;
	snp_digest_hex(p, b);
	ck_assert_str_ne(a, b);
	p->nsteps = 0;
	plan_del(p);
}
END_TEST

/* -------------------------------------------------- LAUNCH_MEASURE KATs */

static void check_hmac(const uint8_t tik[16], uint8_t maj, uint8_t min,
		       uint8_t build, uint32_t policy, const uint8_t ld[32],
		       const uint8_t mnonce[16], const char *want_b64)
{
	uint8_t m[48];
	char b64[65];

	ck_assert_int_eq(measure_launch_hmac(tik, maj, min, build, policy, ld,
					     mnonce, m),
			 0);
	memcpy(m + 32, mnonce, 16);
	tobase64(m, 48, b64);
	ck_assert_str_eq(b64, want_b64);
}

/* AMD sev-tool src/tests.cpp test_calc_measurement() and virtee/sev
 * src/session/mod.rs test verify: pure numbers. */
START_TEST(test_kat_measure_sev_tool)
{
	uint8_t tik[16], ld[32], mnonce[16], m[32];
	char hex[65];

	ck_unhex("66320db73158a35a255d051758e95ed4", tik, 16);
	ck_unhex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85"
	      "5",
	      ld, 32);
	ck_unhex("4fbe0bedbad6c86ae8f68971d103e554", mnonce, 16);
	ck_assert_int_eq(
		measure_launch_hmac(tik, 0x00, 0x12, 0x0f, 0, ld, mnonce, m),
		0);
	hex_encode(m, 32, hex);
	ck_assert_str_eq(hex, "6faab2daae389bcd3405a05d6cafe33c0414f7bedd0bae1"
			      "9ba5f38b7fd1664ea");
}
END_TEST

/* The measure step of test_channel.c's independent vector (regression). */
START_TEST(test_kat_measure_regression)
{
	static const uint8_t zero[4096];
	uint8_t tik[16], mnonce[16], ld[32], m[32];
	unsigned int len = 32;
	char hex[65];

	for (int k = 0; k < 16; k++) {
		tik[k] = (uint8_t)(0x30 + k);
		mnonce[k] = (uint8_t)(0x40 + k);
	}
	ck_assert_int_eq(
		EVP_Digest(zero, sizeof(zero), ld, &len, EVP_sha256(), NULL),
		1);
	ck_assert_int_eq(measure_launch_hmac(tik, 1, 55, 25, 1, ld, mnonce, m),
			 0);
	hex_encode(m, 32, hex);
	ck_assert_str_eq(hex, "139f3c349b17d5f57eaab81758119bc1090b4224ab10d99"
			      "10956f0171a87b066");
}
END_TEST

struct sevctl {
	uint8_t tik[16], mnonce[16];
	struct fw fw;
};

static bool sevctl_load(struct sevctl *s)
{
	struct blob t;

	if (!load_shared(SEVCTL "measurement/tik1.bin", &t))
		return false;
	ck_assert_uint_eq(t.len, 16);
	memcpy(s->tik, t.data, 16);
	blob_free(&t);
	ck_assert_uint_eq(ck_unbase64("wxP6tRHCFrFQWxsuqZA8QA==", s->mnonce, 16),
			  16);
	return load_fw(SEVCTL_FW, &s->fw);
}

/* virtee/sevctl tests/measurementbuild.rs, first vector: a given launch
 * digest. */
START_TEST(test_kat_sevctl_digest)
{
	struct sevctl s;
	uint8_t ld[32];

	if (!sevctl_load(&s))
		SKIP_TEST("no sevctl test data under " SEVCTL);
	ck_assert_uint_eq(
		ck_unbase64("xkvRAfyaSizgonxAjZIAkR8TmolUabBKQKb6KJCDDSM=", ld,
			 32),
		32);
	check_hmac(s.tik, 1, 40, 40, 0x03, ld, s.mnonce,
		   "lswbxWxI9gckya16JQvdFtpYmNO4b+3inAPpqsgoBI7DE/"
		   "q1EcIWsVBbGy6pkDxA");
	blob_free(&s.fw.b);
}
END_TEST

/* The digest of a plan, then LAUNCH_MEASURE over it. */
static void sevctl_plan_measure(const struct sevctl *s,
				const struct launch_config *c, uint8_t maj,
				uint8_t min, uint8_t build, uint32_t policy,
				const uint8_t *mnonce, const char *want_ld,
				const char *want_b64)
{
	struct launch_plan *p = plan_new();
	uint8_t ld[32];
	char err[256], hex[65];

	ck_assert_msg(launch_plan_build(c, p, err, sizeof(err)) == 0, "%s",
		      err);
	ck_assert_int_eq(measure_sev_digest(p, ld), 0);
	if (want_ld) {
		hex_encode(ld, 32, hex);
		ck_assert_str_eq(hex, want_ld);
	}
	check_hmac(s->tik, maj, min, build, policy, ld, mnonce, want_b64);
	plan_del(p);
}

/* sevctl's second vector: the plan of a (trimmed) AmdSev OVMF. */
START_TEST(test_kat_sevctl_firmware)
{
	struct sevctl s;
	struct launch_config c;

	if (!sevctl_load(&s))
		SKIP_TEST("no sevctl test data under " SEVCTL);
	c = fw_config(&s.fw, SEV_MODE_SEV, 1);
	sevctl_plan_measure(&s, &c, 1, 40, 40, 0x03, s.mnonce, NULL,
			    "oMDewIouJSpbpNRHj7Mk3p08H2dPZQdsZMU14qIymBnDE/"
			    "q1EcIWsVBbGy6pkDxA");
	blob_free(&s.fw.b);
}
END_TEST

/* sevctl's third vector: the same with kernel hashes. */
START_TEST(test_kat_sevctl_kernel)
{
	struct sevctl s;
	struct launch_config c;
	struct blob kb, ib;

	if (!sevctl_load(&s))
		SKIP_TEST("no sevctl test data under " SEVCTL);
	ck_assert(load_shared(SEVCTL "measurement/vmlinuz-fake", &kb));
	ck_assert(load_shared(SEVCTL "measurement/initrd-fake", &ib));
	c = fw_config(&s.fw, SEV_MODE_SEV, 1);
	c.kernel = kb.data;
	c.kernel_len = kb.len;
	c.initrd = ib.data;
	c.initrd_len = ib.len;
	c.cmdline = "foo bar baz fake kernel=cmdline";
	sevctl_plan_measure(&s, &c, 1, 40, 40, 0x03, s.mnonce, NULL,
			    "h3auYbWQnVW7EGLWN4Hf9SN0oEYMPU2sK4bLnefWPwvDE/"
			    "q1EcIWsVBbGy6pkDxA");
	blob_free(&kb);
	blob_free(&ib);
	blob_free(&s.fw.b);
}
END_TEST

/*
 * sevctl's SEV-ES vector (tests/measurementbuild.rs): 4 vCPUs of family 25
 * model 1 stepping 1 under the legacy KVM init.  Our VMSAs must equal
 * sevctl's files.
 */
START_TEST(test_kat_sevctl_seves_legacy)
{
	static const char *want_b64 =
		"/o0nzDKE5XgtVnUZWPhUea/"
		"WZYrTKLExR7KCwuMdbActvpWfXTFk21KMZIAAhQny";
	struct sevctl s;
	struct launch_config c;
	struct launch_plan *p;
	struct blob v0, v1;
	uint8_t blob[48];
	char err[256];

	if (!sevctl_load(&s))
		SKIP_TEST("no sevctl test data under " SEVCTL);
	ck_assert(load_shared(SEVCTL "vmsa0.bin", &v0));
	ck_assert(load_shared(SEVCTL "vmsa1.bin", &v1));
	c = fw_config(&s.fw, SEV_MODE_SEV_ES, 4);
	c.vcpu_sig = cpu_signature_fms(25, 1, 1);
	c.legacy_init = true;

	p = plan_new();
	ck_assert_int_eq(launch_plan_build(&c, p, err, sizeof(err)), 0);
	ck_assert_uint_eq(p->nsteps, 5);
	ck_assert_mem_eq(p->steps[1].bytes, v0.data, VMSA_SIZE);
	for (int k = 2; k < 5; k++)
		ck_assert_mem_eq(p->steps[k].bytes, v1.data, VMSA_SIZE);
	plan_del(p);

	/* The mnonce is the blob's last 16 bytes. */
	ck_assert_uint_eq(ck_unbase64(want_b64, blob, 48), 48);
	sevctl_plan_measure(&s, &c, 1, 49, 6, 0x05, blob + 32,
			    "847b5ab6db136ea67dc5a95478ebe7e5ebbe93e9e74bdb1284"
			    "165f9007a4e367",
			    want_b64);
	blob_free(&v0);
	blob_free(&v1);
	blob_free(&s.fw.b);
}
END_TEST

/* Linux 6.5 to 6.9 with kvm_amd.debug_swap=Y: a legacy SEV-ES init puts
 * DebugSwap (SEV_FEATURES bit 5) in every VMSA, and the firmware measures
 * it; the plan does the same, and only there. */
START_TEST(test_debug_swap_in_legacy_seves)
{
	struct fw fw;
	struct launch_config c;
	struct launch_plan *plain = plan_new(), *swap = plan_new();
	uint8_t d_plain[32], d_swap[32];
	char err[256];

	if (!load_fw(FW_DEB12, &fw))
		SKIP_TEST("no " FW_DEB12);
	c = fw_config(&fw, SEV_MODE_SEV_ES, 2);
	c.legacy_init = true;
	ck_assert_int_eq(launch_plan_build(&c, plain, err, sizeof(err)), 0);
	c.debug_swap = true;
	ck_assert_int_eq(launch_plan_build(&c, swap, err, sizeof(err)), 0);
	for (unsigned v = 0; v < 2; v++) {
		const uint8_t *a = plain->vmsas + (size_t)v * VMSA_SIZE;
		const uint8_t *b = swap->vmsas + (size_t)v * VMSA_SIZE;

		ck_assert_uint_eq(get_le64(a, 0x3b0), 0);
		ck_assert_uint_eq(get_le64(b, 0x3b0), SEV_FEAT_DEBUG_SWAP);
		/* Nothing else differs. */
		ck_assert_mem_eq(a, b, 0x3b0);
		ck_assert_mem_eq(a + 0x3b8, b + 0x3b8, VMSA_SIZE - 0x3b8);
	}
	ck_assert_int_eq(measure_sev_digest(plain, d_plain), 0);
	ck_assert_int_eq(measure_sev_digest(swap, d_swap), 0);
	ck_assert(memcmp(d_plain, d_swap, 32) != 0);
	plan_del(plain);
	plan_del(swap);

	/* INIT2 and plain SEV never get it from the kernel. */
	c.legacy_init = false;
	expect_refusal(&c, "legacy KVM_SEV_ES_INIT");
	c = fw_config(&fw, SEV_MODE_SEV, 1);
	c.legacy_init = true;
	c.debug_swap = true;
	expect_refusal(&c, "legacy KVM_SEV_ES_INIT");
	blob_free(&fw.b);
}
END_TEST

static Suite *measure_suite(void)
{
	Suite *s = suite_create("measure");
	TCase *tc;

	tc = tcase_create("vectors");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_vectors);
	suite_add_tcase(s, tc);

	tc = tcase_create("plan");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_plan_sev_deb12);
	tcase_add_test(tc, test_plan_seves_deb12);
	tcase_add_test(tc, test_plan_snp_deb12);
	tcase_add_test(tc, test_plan_snp_amdsev);
	tcase_add_test(tc, test_plan_sev_seves_amdsev_kernel);
	suite_add_tcase(s, tc);

	tc = tcase_create("refusals");
	tcase_add_test(tc, test_err_snp_without_asev);
	tcase_add_test(tc, test_err_kernel_without_hashes_table);
	tcase_add_test(tc, test_err_hashes_area);
	tcase_add_test(tc, test_err_sections);
	tcase_add_test(tc, test_err_vcpus_and_config);
	tcase_add_test(tc, test_err_measure_wrong_plan);
	suite_add_tcase(s, tc);

	tc = tcase_create("kat");
	tcase_add_test(tc, test_kat_snp_page_info_chain);
	tcase_add_test(tc, test_kat_snp_one_page);
	tcase_add_test(tc, test_snp_vmsa_tsc_fields_ignored);
	tcase_add_test(tc, test_kat_measure_sev_tool);
	tcase_add_test(tc, test_kat_measure_regression);
	tcase_add_test(tc, test_kat_sevctl_digest);
	tcase_add_test(tc, test_kat_sevctl_firmware);
	tcase_add_test(tc, test_kat_sevctl_kernel);
	tcase_add_test(tc, test_kat_sevctl_seves_legacy);
	tcase_add_test(tc, test_debug_swap_in_legacy_seves);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(measure_suite());
}
