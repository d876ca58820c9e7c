// SPDX-License-Identifier: MIT
/*
 * loader/ovmf.c: GUIDs, real firmware images from ../shared/firmware, and
 * synthetic images broken in every way the parser has to refuse.
 */
#include <errno.h>
#include <stdint.h>

#include "loader/loader.h"
#include "tests/unit/testutil.h"

#define GUID_FOOTER    "96b582de-1fb2-45f7-baea-a366c55a082d"
#define GUID_RESET     "00f771de-1a7e-4fcb-890e-68c77e2fb44e"
#define GUID_HASHES    "7255371f-3a3b-4b04-927b-1da6efa8d454"
#define GUID_SECRET    "4c2eb361-7d9b-4cc3-8081-127c90d3d294"
#define GUID_SEV_META  "dc886566-984a-4798-a75e-5585a7bf67cc"
#define GUID_TDX_META  "e47a6535-984a-4798-865e-4685a7bf8ec2"
#define GUID_IGVM_META "784fa70e-3176-4677-8a20-04b68699e374"
#define GUID_SVSM_INFO "a789a612-0597-4c4b-a49f-cbb1fe9d1ddd"
#define GUID_OTHER     "0f0e0d0c-0b0a-0908-0706-050403020100"

/* ---------------------------------------------------------------- helpers */

static struct guid guid_of(const char *s)
{
	struct guid g;

	ck_assert_int_eq(guid_parse(s, &g), 0);
	return g;
}

/*
 * A synthetic image: entries are added top-down from just below the table
 * length, the way the parser walks them; synth_footer() then writes the
 * footer GUID and the length that covers them.
 */
struct synth {
	uint8_t *b;
	size_t len;
	size_t pos; /* end of the next entry */
};

static void synth_init(struct synth *s, size_t len)
{
	s->b = calloc(1, len ? len : 1);
	ck_assert_ptr_nonnull(s->b);
	s->len = len;
	s->pos = len >= 0x32 ? len - 0x32 : 0;
}

static void synth_free(struct synth *s)
{
	free(s->b);
	s->b = NULL;
}

/* An entry whose u16 length field says len_field (normally dlen + 18). */
static void synth_entry_len(struct synth *s, const char *guid, const void *data,
			    uint16_t dlen, uint16_t len_field)
{
	struct guid g = guid_of(guid);

	ck_assert_uint_ge(s->pos, (size_t)dlen + 18);
	memcpy(s->b + s->pos - 16, g.b, 16);
	put_le16(s->b + s->pos - 18, 0, len_field);
	if (dlen)
		memcpy(s->b + s->pos - 18 - dlen, data, dlen);
	s->pos -= (size_t)dlen + 18;
}

static void synth_entry(struct synth *s, const char *guid, const void *data,
			uint16_t dlen)
{
	synth_entry_len(s, guid, data, dlen, (uint16_t)(dlen + 18));
}

static void synth_entry_u32(struct synth *s, const char *guid, uint32_t v)
{
	uint8_t d[4];

	put_le32(d, 0, v);
	synth_entry(s, guid, d, sizeof(d));
}

static void synth_entry_area(struct synth *s, const char *guid, uint32_t base,
			     uint32_t size)
{
	uint8_t d[8];

	put_le32(d, 0, base);
	put_le32(d + 4, 0, size);
	synth_entry(s, guid, d, sizeof(d));
}

static void synth_footer_len(struct synth *s, uint16_t tot_len)
{
	struct guid g = guid_of(GUID_FOOTER);

	memcpy(s->b + s->len - 0x30, g.b, 16);
	put_le16(s->b + s->len - 0x32, 0, tot_len);
}

static void synth_footer(struct synth *s)
{
	synth_footer_len(s, (uint16_t)(s->len - 0x20 - s->pos));
}

/* ASEV header at `off` below the end, with explicit header fields. */
static void synth_asev(struct synth *s, uint32_t off, const char *sig,
		       uint32_t len, uint32_t version, uint32_t ndesc)
{
	uint8_t *h = s->b + s->len - off;

	memcpy(h, sig, 4);
	put_le32(h + 4, 0, len);
	put_le32(h + 8, 0, version);
	put_le32(h + 12, 0, ndesc);
}

static void synth_asev_desc(struct synth *s, uint32_t off, unsigned i,
			    uint32_t gpa, uint32_t size, uint32_t type)
{
	uint8_t *d = s->b + s->len - off + 16 + 12 * i;

	put_le32(d, 0, gpa);
	put_le32(d + 4, 0, size);
	put_le32(d + 8, 0, type);
}

#define ASEV_OFF 0x400u

/* A well-formed 8 KiB image: every known entry, ASEV with 3 sections. */
static void synth_good(struct synth *s)
{
	synth_init(s, 8192);
	synth_entry_u32(s, GUID_RESET, 0x80b004);
	synth_entry_area(s, GUID_SECRET, 0x810000, 0xc00);
	synth_entry_area(s, GUID_HASHES, 0x810c00, 0x400);
	synth_entry_u32(s, GUID_SEV_META, ASEV_OFF);
	synth_entry_u32(s, GUID_TDX_META, 0x800);
	synth_footer(s);
	synth_asev(s, ASEV_OFF, "ASEV", 16 + 3 * 12, 1, 3);
	synth_asev_desc(s, ASEV_OFF, 0, 0x800000, 0x9000, 1);
	synth_asev_desc(s, ASEV_OFF, 1, 0x80d000, 0x1000, 2);
	synth_asev_desc(s, ASEV_OFF, 2, 0x810000, 0x1000, 0x10);
}

/* Parse and expect failure with `code` and `needle` in the message. */
#define EXPECT_FAIL(img, len, code, needle)                                    \
	do {                                                                   \
		struct ovmf_info info_;                                        \
		char err_[256];                                                \
		int r_ = ovmf_parse((img), (len), &info_, err_, sizeof(err_)); \
		ck_assert_msg(r_ == (code), "ret %d, want %d (%s)", r_,        \
			      (code), err_);                                   \
		ck_assert_msg(strstr(err_, (needle)) != NULL,                  \
			      "error \"%s\" lacks \"%s\"", err_, (needle));    \
		/* a failed parse leaves nothing that looks parsed */          \
		ck_assert(!info_.has_table && !info_.has_sev_meta &&           \
			  info_.nentries == 0 && info_.nsections == 0);        \
	} while (0)

/* Read firmware/<name> from the shared folder; path says where it looked. */
static int load_fw(const char *name, struct blob *b, char *path, size_t pathlen)
{
	char rel[128], err[256];

	snprintf(rel, sizeof(rel), "firmware/%s", name);
	if (!shared_path(rel, path, pathlen))
		return -ENOENT;
	ck_assert_msg(file_read(path, OVMF_MAX_SIZE, b, err, sizeof(err)) == 0,
		      "%s: %s", path, err);
	return 0;
}

#define LOAD_OR_SKIP(name, blob)                                               \
	do {                                                                   \
		char path_[512];                                               \
		if (load_fw((name), (blob), path_, sizeof(path_)))             \
			SKIP_TEST("%s not found (set SEVBOOT_SHARED to the "   \
				  "shared folder)",                            \
				  path_);                                      \
	} while (0)

static const struct ovmf_entry *find_entry(const struct ovmf_info *i,
					   const char *guid)
{
	struct guid g = guid_of(guid);

	for (unsigned k = 0; k < i->nentries; k++)
		if (!memcmp(i->entries[k].guid.b, g.b, 16))
			return &i->entries[k];
	return NULL;
}

static void check_section(const struct ovmf_info *i, unsigned k, uint32_t gpa,
			  uint32_t size, uint32_t type)
{
	ck_assert_uint_lt(k, i->nsections);
	ck_assert_msg(
		i->sections[k].gpa == gpa && i->sections[k].size == size &&
			i->sections[k].type == type,
		"section %u: gpa 0x%x size 0x%x type %u, want 0x%x 0x%x %u", k,
		i->sections[k].gpa, i->sections[k].size, i->sections[k].type,
		gpa, size, type);
}

/* ------------------------------------------------------------------ GUIDs */

START_TEST(test_guid_roundtrip)
{
	static const uint8_t footer_bytes[16] = {
		0xde, 0x82, 0xb5, 0x96, 0xb2, 0x1f, 0xf7, 0x45,
		0xba, 0xea, 0xa3, 0x66, 0xc5, 0x5a, 0x08, 0x2d};
	struct guid g;
	char text[37];

	ck_assert_int_eq(guid_parse(GUID_FOOTER, &g), 0);
	ck_assert_mem_eq(g.b, footer_bytes, 16);
	guid_format(&g, text);
	ck_assert_str_eq(text, GUID_FOOTER);

	/* Upper case is accepted; output is always lower case. */
	ck_assert_int_eq(guid_parse("96B582DE-1FB2-45F7-BAEA-A366C55A082D", &g),
			 0);
	guid_format(&g, text);
	ck_assert_str_eq(text, GUID_FOOTER);
}
END_TEST

START_TEST(test_guid_parse_rejects)
{
	static const char *const bad[] = {
		"",
		"96b582de",
		"96b582de-1fb2-45f7-baea-a366c55a082",	 /* short */
		"96b582de-1fb2-45f7-baea-a366c55a082d0", /* long */
		"96b582de-1fb2-45f7-baea-a366c55a082g",	 /* not hex */
		"96b582de11fb2-45f7-baea-a366c55a082d",	 /* no hyphen */
		"96b582d-e1fb2-45f7-baea-a366c55a082d",	 /* hyphen moved */
		"{96b582de-1fb2-45f7-baea-a366c55a082d}",
		" 96b582de-1fb2-45f7-baea-a366c55a082d",
	};
	struct guid g;

	memset(&g, 0xaa, sizeof(g));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(guid_parse(bad[i], &g) == -EINVAL,
			      "accepted \"%s\"", bad[i]);
	/* A failed parse leaves the output alone. */
	for (int i = 0; i < 16; i++)
		ck_assert_uint_eq(g.b[i], 0xaa);
}
END_TEST

START_TEST(test_names)
{
	struct guid g;

	g = guid_of(GUID_RESET);
	ck_assert_str_eq(ovmf_entry_name(&g), "SEV-ES reset block");
	g = guid_of(GUID_HASHES);
	ck_assert_ptr_nonnull(ovmf_entry_name(&g));
	g = guid_of(GUID_SVSM_INFO);
	ck_assert_ptr_nonnull(ovmf_entry_name(&g));
	g = guid_of(GUID_OTHER);
	ck_assert_ptr_null(ovmf_entry_name(&g));

	ck_assert_str_eq(ovmf_section_type_name(1), "SNP_SEC_MEM");
	ck_assert_str_eq(ovmf_section_type_name(2), "SNP_SECRETS");
	ck_assert_str_eq(ovmf_section_type_name(3), "CPUID");
	ck_assert_str_eq(ovmf_section_type_name(4), "SVSM_CAA");
	ck_assert_str_eq(ovmf_section_type_name(0x10), "KERNEL_HASHES");
	ck_assert_str_eq(ovmf_section_type_name(0), "unknown");
	ck_assert_str_eq(ovmf_section_type_name(0xffffffff), "unknown");
}
END_TEST

/* ------------------------------------------------------------ real images */

/* Debian 12's unified 2 MiB X64 image (package ovmf 2022.11-6+deb12u2,
 * /usr/share/ovmf/OVMF.fd). */
START_TEST(test_real_deb12)
{
	struct ovmf_info i;
	struct blob b;
	char err[256];

	LOAD_OR_SKIP("OVMF.deb12.fd", &b);
	ck_assert_msg(ovmf_parse(b.data, b.len, &i, err, sizeof(err)) == 0,
		      "%s", err);
	ck_assert_uint_eq(i.size, 0x200000);
	ck_assert_uint_eq(i.base_gpa, 0xffe00000);
	ck_assert(i.has_table);
	ck_assert_uint_eq(i.table_len, 136);
	ck_assert_uint_eq(i.nentries, 5);

	/* Walk order: nearest the footer first. */
	ck_assert_ptr_eq(find_entry(&i, GUID_RESET), &i.entries[0]);
	ck_assert_ptr_eq(find_entry(&i, GUID_SECRET), &i.entries[1]);
	ck_assert_ptr_eq(find_entry(&i, GUID_HASHES), &i.entries[2]);
	ck_assert_ptr_eq(find_entry(&i, GUID_SEV_META), &i.entries[3]);
	ck_assert_ptr_eq(find_entry(&i, GUID_TDX_META), &i.entries[4]);
	ck_assert_uint_eq(i.entries[0].data_offset, 0x1fffb8);
	ck_assert_uint_eq(i.entries[0].data_len, 4);
	ck_assert_uint_eq(i.entries[1].data_len, 8);

	ck_assert(i.has_reset_block && !i.reset_block_legacy);
	ck_assert_uint_eq(i.reset_addr, 0x0080b004);
	ck_assert(i.has_hashes_entry);
	ck_assert_uint_eq(i.hashes_base, 0);
	ck_assert_uint_eq(i.hashes_size, 0);
	ck_assert(i.has_secret_entry);
	ck_assert_uint_eq(i.secret_base, 0);
	ck_assert_uint_eq(i.secret_size, 0);

	ck_assert(i.has_sev_meta);
	ck_assert_uint_eq(i.sev_meta_offset, 0x52c);
	ck_assert_uint_eq(i.sev_meta_version, 1);
	ck_assert_uint_eq(i.nsections, 5);
	check_section(&i, 0, 0x800000, 0x9000, OVMF_SECTION_SNP_SEC_MEM);
	check_section(&i, 1, 0x80a000, 0x3000, OVMF_SECTION_SNP_SEC_MEM);
	check_section(&i, 2, 0x80d000, 0x1000, OVMF_SECTION_SNP_SECRETS);
	check_section(&i, 3, 0x80e000, 0x1000, OVMF_SECTION_CPUID);
	check_section(&i, 4, 0x80f000, 0x11000, OVMF_SECTION_SNP_SEC_MEM);

	ck_assert(i.has_tdx_meta);
	ck_assert_uint_eq(i.tdx_meta_offset, 0x840);
	blob_free(&b);
}
END_TEST

/* The 4 MiB IA32-PEI build: three entries, no ASEV, no TDX. */
START_TEST(test_real_deb12_code_4m)
{
	struct ovmf_info i;
	struct blob b;
	char err[256];

	LOAD_OR_SKIP("OVMF_CODE_4M.deb12.fd", &b);
	ck_assert_msg(ovmf_parse(b.data, b.len, &i, err, sizeof(err)) == 0,
		      "%s", err);
	ck_assert_uint_eq(i.size, 0x37c000);
	ck_assert_uint_eq(i.base_gpa, 0xffc84000);
	ck_assert(i.has_table);
	ck_assert_uint_eq(i.table_len, 92);
	ck_assert_uint_eq(i.nentries, 3);
	ck_assert_ptr_nonnull(find_entry(&i, GUID_RESET));
	ck_assert_ptr_nonnull(find_entry(&i, GUID_SECRET));
	ck_assert_ptr_nonnull(find_entry(&i, GUID_HASHES));
	ck_assert(i.has_reset_block);
	ck_assert_uint_eq(i.reset_addr, 0x00808004);
	ck_assert(i.has_hashes_entry && !i.hashes_base && !i.hashes_size);
	ck_assert(i.has_secret_entry && !i.secret_base && !i.secret_size);
	ck_assert(!i.has_sev_meta);
	ck_assert_uint_eq(i.nsections, 0);
	ck_assert(!i.has_tdx_meta);
	blob_free(&b);
}
END_TEST

/*
 * Debian unstable's AmdSev build (edk2 2026.08): measured direct boot.
 * Figures checked against the file itself: 6 entries (IGVM offset too),
 * secret at 0x810000/0xc00, hashes at 0x810c00/0x400, ASEV at 0x5c4 below
 * 4 GiB with 7 sections, KERNEL_HASHES last (edk2 5c63e22a9f).
 */
START_TEST(test_real_amdsev_sid)
{
	struct ovmf_info i;
	struct blob b;
	char err[256];

	LOAD_OR_SKIP("OVMF.amdsev.sid.fd", &b);
	ck_assert_msg(ovmf_parse(b.data, b.len, &i, err, sizeof(err)) == 0,
		      "%s", err);
	ck_assert_uint_eq(i.size, 0x400000);
	ck_assert_uint_eq(i.base_gpa, 0xffc00000);
	ck_assert(i.has_table);
	ck_assert_uint_eq(i.table_len, 158);
	ck_assert_uint_eq(i.nentries, 6);
	ck_assert_ptr_eq(find_entry(&i, GUID_IGVM_META), &i.entries[5]);
	ck_assert_uint_eq(i.reset_addr, 0x0080b004);
	ck_assert(i.has_hashes_entry);
	ck_assert_uint_eq(i.hashes_base, 0x810c00);
	ck_assert_uint_eq(i.hashes_size, 0x400);
	ck_assert(i.has_secret_entry);
	ck_assert_uint_eq(i.secret_base, 0x810000);
	ck_assert_uint_eq(i.secret_size, 0xc00);

	ck_assert(i.has_sev_meta);
	ck_assert_uint_eq(i.sev_meta_offset, 0x5c4);
	ck_assert_uint_eq(i.nsections, 7);
	check_section(&i, 0, 0x800000, 0x9000, OVMF_SECTION_SNP_SEC_MEM);
	check_section(&i, 1, 0x80a000, 0x3000, OVMF_SECTION_SNP_SEC_MEM);
	check_section(&i, 2, 0x80d000, 0x1000, OVMF_SECTION_SNP_SECRETS);
	check_section(&i, 3, 0x80e000, 0x1000, OVMF_SECTION_CPUID);
	check_section(&i, 4, 0x80f000, 0x1000, OVMF_SECTION_SVSM_CAA);
	check_section(&i, 5, 0x811000, 0x1f000, OVMF_SECTION_SNP_SEC_MEM);
	check_section(&i, 6, 0x810000, 0x1000, OVMF_SECTION_KERNEL_HASHES);
	/* The hashes table lies inside the KERNEL_HASHES page. */
	ck_assert_uint_eq(i.hashes_base & ~0xfffu, i.sections[6].gpa);

	ck_assert(i.has_tdx_meta);
	ck_assert_uint_eq(i.tdx_meta_offset, 0xa60);
	blob_free(&b);
}
END_TEST

/* Debian 13 (edk2 2025.02): SVSM_CAA but still no hashes. */
START_TEST(test_real_deb13)
{
	struct ovmf_info i;
	struct blob b;
	char err[256];

	LOAD_OR_SKIP("OVMF.deb13.fd", &b);
	ck_assert_msg(ovmf_parse(b.data, b.len, &i, err, sizeof(err)) == 0,
		      "%s", err);
	ck_assert_uint_eq(i.size, 0x400000);
	ck_assert_uint_eq(i.nentries, 5);
	ck_assert_uint_eq(i.reset_addr, 0x0080b004);
	ck_assert(i.has_hashes_entry && !i.hashes_base && !i.hashes_size);
	ck_assert(i.has_secret_entry && !i.secret_base && !i.secret_size);
	ck_assert_uint_eq(i.sev_meta_offset, 0x548);
	ck_assert_uint_eq(i.nsections, 6);
	check_section(&i, 4, 0x80f000, 0x1000, OVMF_SECTION_SVSM_CAA);
	check_section(&i, 5, 0x810000, 0x10000, OVMF_SECTION_SNP_SEC_MEM);
	blob_free(&b);
}
END_TEST

/*
 * The last 4 KiB of edk2-stable202405 images (virtee/sev-snp-measure's
 * fixtures) are images in their own right: one page, table and ASEV
 * inside it.
 */
START_TEST(test_real_suffix_amdsev)
{
	struct ovmf_info i;
	struct blob b;
	char err[256];

	LOAD_OR_SKIP("ovmf_AmdSev_suffix.bin", &b);
	ck_assert_msg(ovmf_parse(b.data, b.len, &i, err, sizeof(err)) == 0,
		      "%s", err);
	ck_assert_uint_eq(i.base_gpa, 0xfffff000);
	ck_assert_uint_eq(i.nentries, 5);
	ck_assert_uint_eq(i.hashes_base, 0x810c00);
	ck_assert_uint_eq(i.hashes_size, 0x400);
	ck_assert_uint_eq(i.secret_base, 0x810000);
	ck_assert_uint_eq(i.nsections, 7);
	/* Before 5c63e22a9f KERNEL_HASHES was not last. */
	check_section(&i, 5, 0x810000, 0x1000, OVMF_SECTION_KERNEL_HASHES);
	check_section(&i, 6, 0x811000, 0xf000, OVMF_SECTION_SNP_SEC_MEM);
	blob_free(&b);
}
END_TEST

/* COCONUT-SVSM: not OVMF, but the same table, with its own entry. */
START_TEST(test_real_svsm)
{
	struct ovmf_info i;
	struct blob b;
	char err[256];

	LOAD_OR_SKIP("svsm.bin", &b);
	ck_assert_msg(ovmf_parse(b.data, b.len, &i, err, sizeof(err)) == 0,
		      "%s", err);
	ck_assert_uint_eq(i.nentries, 4);
	ck_assert_ptr_nonnull(find_entry(&i, GUID_SVSM_INFO));
	ck_assert(!i.has_hashes_entry);
	ck_assert_uint_eq(i.reset_addr, 0xfffffff0);
	ck_assert_uint_eq(i.nsections, 3);
	check_section(&i, 0, 0, 0x9e000, OVMF_SECTION_SNP_SEC_MEM);
	blob_free(&b);
}
END_TEST

/* ------------------------------------------------------ synthetic: good */

START_TEST(test_synth_good)
{
	struct ovmf_info i;
	struct synth s;
	char err[256] = "untouched";

	synth_good(&s);
	ck_assert_msg(ovmf_parse(s.b, s.len, &i, err, sizeof(err)) == 0, "%s",
		      err);
	ck_assert_str_eq(err, "");
	ck_assert_uint_eq(i.base_gpa, SZ_4G - 8192);
	ck_assert_uint_eq(i.nentries, 5);
	ck_assert_uint_eq(i.table_len, 18 + 22 + 26 + 26 + 22 + 22);
	ck_assert_uint_eq(i.reset_addr, 0x80b004);
	ck_assert_uint_eq(i.secret_base, 0x810000);
	ck_assert_uint_eq(i.hashes_size, 0x400);
	ck_assert_uint_eq(i.sev_meta_offset, ASEV_OFF);
	ck_assert_uint_eq(i.nsections, 3);
	check_section(&i, 2, 0x810000, 0x1000, 0x10);
	ck_assert_uint_eq(i.tdx_meta_offset, 0x800);
	synth_free(&s);
}
END_TEST

START_TEST(test_synth_no_table)
{
	struct ovmf_info i;
	uint8_t *img = calloc(1, 4096);

	ck_assert_int_eq(ovmf_parse(img, 4096, &i, NULL, 0), 0);
	ck_assert(!i.has_table && !i.has_reset_block && !i.has_sev_meta);
	ck_assert_uint_eq(i.size, 4096);
	ck_assert_uint_eq(i.base_gpa, 0xfffff000);
	free(img);
}
END_TEST

/* An empty table (just the footer) is valid and has no entries. */
START_TEST(test_synth_empty_table)
{
	struct ovmf_info i;
	struct synth s;

	synth_init(&s, 4096);
	synth_footer(&s);
	ck_assert_int_eq(ovmf_parse(s.b, s.len, &i, NULL, 0), 0);
	ck_assert(i.has_table);
	ck_assert_uint_eq(i.table_len, 18);
	ck_assert_uint_eq(i.nentries, 0);
	synth_free(&s);
}
END_TEST

START_TEST(test_synth_unknown_entries_kept)
{
	struct ovmf_info i;
	struct synth s;
	uint8_t data[5] = {1, 2, 3, 4, 5};

	synth_init(&s, 4096);
	synth_entry(&s, GUID_OTHER, data, sizeof(data));
	synth_entry(&s, GUID_OTHER, NULL, 0); /* empty data is fine */
	synth_footer(&s);
	ck_assert_int_eq(ovmf_parse(s.b, s.len, &i, NULL, 0), 0);
	ck_assert_uint_eq(i.nentries, 2);
	ck_assert_uint_eq(i.entries[0].data_len, 5);
	ck_assert_mem_eq(s.b + i.entries[0].data_offset, data, 5);
	ck_assert_uint_eq(i.entries[1].data_len, 0);
	synth_free(&s);
}
END_TEST

/* Pre-table OVMF: the reset block alone where the footer GUID is now. */
START_TEST(test_synth_legacy_reset_block)
{
	struct ovmf_info i;
	struct synth s;

	synth_init(&s, 4096);
	/* The block ends 0x20 before the end: its GUID at size - 0x30. */
	s.pos = s.len - 0x20;
	synth_entry_u32(&s, GUID_RESET, 0x80b004);
	ck_assert_int_eq(ovmf_parse(s.b, s.len, &i, NULL, 0), 0);
	ck_assert(!i.has_table);
	ck_assert(i.has_reset_block && i.reset_block_legacy);
	ck_assert_uint_eq(i.reset_addr, 0x80b004);
	synth_free(&s);
}
END_TEST

START_TEST(test_synth_legacy_bad_len)
{
	struct synth s;

	synth_init(&s, 4096);
	s.pos = s.len - 0x20;
	synth_entry_len(&s, GUID_RESET, "\1\2\3\4", 4, 20);
	EXPECT_FAIL(s.b, s.len, -EINVAL, "SEV-ES reset block");
	put_le16(s.b + s.len - 0x32, 0, 0xffff);
	EXPECT_FAIL(s.b, s.len, -EINVAL, "length 65535");
	synth_free(&s);
}
END_TEST

/* --------------------------------------------------- synthetic: broken */

START_TEST(test_bad_empty)
{
	uint8_t one = 0;

	EXPECT_FAIL(NULL, 0, -EINVAL, "empty");
	EXPECT_FAIL(&one, 0, -EINVAL, "empty");
}
END_TEST

START_TEST(test_bad_not_page_multiple)
{
	struct synth s;

	synth_good(&s);
	EXPECT_FAIL(s.b, 4097, -EINVAL, "not a multiple of 4096");
	EXPECT_FAIL(s.b, 100, -EINVAL, "not a multiple of 4096");
	EXPECT_FAIL(s.b, 8191, -EINVAL, "8191 bytes");
	synth_free(&s);
}
END_TEST

START_TEST(test_bad_too_big)
{
	struct synth s;

	synth_init(&s, OVMF_MAX_SIZE + 4096);
	synth_footer(&s);
	EXPECT_FAIL(s.b, s.len, -EINVAL, "larger than");
	synth_free(&s);

	/* Exactly the limit is fine. */
	struct ovmf_info i;

	synth_init(&s, OVMF_MAX_SIZE);
	synth_entry_u32(&s, GUID_RESET, 0x80b004);
	synth_footer(&s);
	ck_assert_int_eq(ovmf_parse(s.b, s.len, &i, NULL, 0), 0);
	ck_assert_uint_eq(i.base_gpa, 0xff000000);
	synth_free(&s);
}
END_TEST

START_TEST(test_bad_table_len_too_big)
{
	struct synth s;

	synth_init(&s, 4096);
	synth_footer_len(&s, 0xffff);
	EXPECT_FAIL(s.b, s.len, -EINVAL,
		    "GUID table length 0xffff exceeds the image (4096 bytes)");
	/* One byte more than the space below the footer. */
	synth_footer_len(&s, 4096 - 0x20 + 1);
	EXPECT_FAIL(s.b, s.len, -EINVAL, "exceeds the image");
	synth_free(&s);
}
END_TEST

START_TEST(test_bad_table_len_too_small)
{
	struct synth s;

	synth_init(&s, 4096);
	for (uint16_t l = 0; l < 18; l++) {
		synth_footer_len(&s, l);
		EXPECT_FAIL(s.b, s.len, -EINVAL, "smaller than");
	}
	synth_free(&s);
}
END_TEST

START_TEST(test_bad_entry_len_short)
{
	struct synth s;

	synth_init(&s, 4096);
	synth_entry_len(&s, GUID_RESET, "\4\xb0\x80\0", 4, 17);
	synth_footer(&s);
	EXPECT_FAIL(s.b, s.len, -EINVAL, "less than its own 18-byte header");
	synth_free(&s);

	/* Zero would make the walk stand still. */
	synth_init(&s, 4096);
	synth_entry_len(&s, GUID_OTHER, NULL, 0, 0);
	synth_footer(&s);
	EXPECT_FAIL(s.b, s.len, -EINVAL, "has length 0");
	synth_free(&s);
}
END_TEST

START_TEST(test_bad_entry_len_past_start)
{
	struct synth s;

	synth_init(&s, 4096);
	synth_entry_u32(&s, GUID_RESET, 0x80b004);
	synth_entry_len(&s, GUID_OTHER, "\0\0\0\0", 4, 23); /* one too many */
	synth_footer(&s);
	EXPECT_FAIL(s.b, s.len, -EINVAL, "runs past the start of the table");
	synth_free(&s);
}
END_TEST

/* Table length not tiled exactly by the entries. */
START_TEST(test_bad_stray_bytes)
{
	struct synth s;

	synth_init(&s, 4096);
	synth_entry_u32(&s, GUID_RESET, 0x80b004);
	synth_footer_len(&s, (uint16_t)(s.len - 0x20 - s.pos + 5));
	EXPECT_FAIL(s.b, s.len, -EINVAL, "5 stray bytes");
	synth_free(&s);
}
END_TEST

START_TEST(test_bad_truncated_entry_data)
{
	static const struct {
		const char *guid;
		uint16_t dlen;
		const char *needle;
	} cases[] = {
		{GUID_RESET, 2, "has 2 data bytes, it needs 4"},
		{GUID_RESET, 0, "has 0 data bytes, it needs 4"},
		{GUID_HASHES, 4, "has 4 data bytes, it needs 8"},
		{GUID_SECRET, 7, "has 7 data bytes, it needs 8"},
		{GUID_SEV_META, 3, "has 3 data bytes, it needs 4"},
		{GUID_TDX_META, 1, "has 1 data bytes, it needs 4"},
	};
	uint8_t data[8] = {0};

	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct synth s;

		synth_init(&s, 4096);
		synth_entry(&s, cases[c].guid, data, cases[c].dlen);
		synth_footer(&s);
		EXPECT_FAIL(s.b, s.len, -EINVAL, cases[c].needle);
		synth_free(&s);
	}
}
END_TEST

START_TEST(test_bad_duplicate_entry)
{
	struct synth s;

	synth_init(&s, 4096);
	synth_entry_area(&s, GUID_HASHES, 0, 0);
	synth_entry_area(&s, GUID_HASHES, 0x810c00, 0x400);
	synth_footer(&s);
	EXPECT_FAIL(s.b, s.len, -EINVAL, "appears twice");
	synth_free(&s);
}
END_TEST

START_TEST(test_bad_too_many_entries)
{
	struct synth s;

	synth_init(&s, 4096);
	for (unsigned k = 0; k <= OVMF_MAX_ENTRIES; k++)
		synth_entry(&s, GUID_OTHER, NULL, 0);
	synth_footer(&s);
	EXPECT_FAIL(s.b, s.len, -EINVAL, "more than 32 entries");
	synth_free(&s);

	/* Exactly the limit parses. */
	struct ovmf_info i;

	synth_init(&s, 4096);
	for (unsigned k = 0; k < OVMF_MAX_ENTRIES; k++)
		synth_entry(&s, GUID_OTHER, NULL, 0);
	synth_footer(&s);
	ck_assert_int_eq(ovmf_parse(s.b, s.len, &i, NULL, 0), 0);
	ck_assert_uint_eq(i.nentries, OVMF_MAX_ENTRIES);
	synth_free(&s);
}
END_TEST

/* An image with only the ASEV offset entry pointing at `off`. */
static void synth_meta_only(struct synth *s, uint32_t off)
{
	synth_init(s, 8192);
	synth_entry_u32(s, GUID_SEV_META, off);
	synth_footer(s);
}

START_TEST(test_bad_asev_offset_outside)
{
	struct synth s;

	synth_meta_only(&s, 8192 + 1);
	EXPECT_FAIL(s.b, s.len, -EINVAL, "outside the image");
	synth_free(&s);
	synth_meta_only(&s, 0xffffffff);
	EXPECT_FAIL(s.b, s.len, -EINVAL, "outside the image (8192 bytes)");
	synth_free(&s);
	synth_meta_only(&s, 0);
	EXPECT_FAIL(s.b, s.len, -EINVAL, "outside the image");
	synth_free(&s);
	/* The 16-byte header would cross the end of the image. */
	synth_meta_only(&s, 8);
	EXPECT_FAIL(s.b, s.len, -EINVAL, "outside the image");
	synth_free(&s);

	/* Exactly at the start of the image is inside. */
	struct ovmf_info i;

	synth_meta_only(&s, 8192);
	synth_asev(&s, 8192, "ASEV", 16, 1, 0);
	ck_assert_int_eq(ovmf_parse(s.b, s.len, &i, NULL, 0), 0);
	ck_assert(i.has_sev_meta);
	ck_assert_uint_eq(i.nsections, 0);
	synth_free(&s);
}
END_TEST

START_TEST(test_bad_asev_signature)
{
	struct synth s;

	synth_good(&s);
	memcpy(s.b + s.len - ASEV_OFF, "ASEW", 4);
	EXPECT_FAIL(s.b, s.len, -EINVAL, "no ASEV signature");
	synth_free(&s);
}
END_TEST

START_TEST(test_bad_asev_len)
{
	struct synth s;

	synth_good(&s);
	synth_asev(&s, ASEV_OFF, "ASEV", 16 + 3 * 12 + 1, 1, 3);
	EXPECT_FAIL(s.b, s.len, -EINVAL, "does not match its 3 sections");
	synth_asev(&s, ASEV_OFF, "ASEV", 8, 1, 0);
	EXPECT_FAIL(s.b, s.len, -EINVAL, "length 8");
	synth_asev(&s, ASEV_OFF, "ASEV", 16 + 2 * 12, 1, 3);
	EXPECT_FAIL(s.b, s.len, -EINVAL, "expected 52");
	synth_free(&s);
}
END_TEST

START_TEST(test_bad_asev_version)
{
	struct synth s;

	synth_good(&s);
	synth_asev(&s, ASEV_OFF, "ASEV", 16 + 3 * 12, 2, 3);
	EXPECT_FAIL(s.b, s.len, -EINVAL, "version 2");
	synth_free(&s);
}
END_TEST

START_TEST(test_bad_asev_num_desc_huge)
{
	struct synth s;

	synth_good(&s);
	/* A length that wraps to match 16 + 12 * n in 32-bit arithmetic. */
	synth_asev(&s, ASEV_OFF, "ASEV", (uint32_t)(16u + 12u * 0xffffffffu), 1,
		   0xffffffff);
	EXPECT_FAIL(s.b, s.len, -EINVAL, "4294967295 sections");
	synth_asev(&s, ASEV_OFF, "ASEV", 16 + 33 * 12, 1, 33);
	EXPECT_FAIL(s.b, s.len, -EINVAL, "more than the 32");
	synth_free(&s);
}
END_TEST

/* 32 sections are fine in size but not in 0x100 bytes below the end. */
START_TEST(test_bad_asev_past_end)
{
	struct synth s;
	struct ovmf_info i;

	synth_meta_only(&s, 0x100);
	synth_asev(&s, 0x100, "ASEV", 16 + 32 * 12, 1, 32);
	EXPECT_FAIL(s.b, s.len, -EINVAL, "runs past the end of the image");
	synth_free(&s);

	synth_meta_only(&s, 16 + 32 * 12);
	synth_asev(&s, 16 + 32 * 12, "ASEV", 16 + 32 * 12, 1, 32);
	ck_assert_int_eq(ovmf_parse(s.b, s.len, &i, NULL, 0), 0);
	ck_assert_uint_eq(i.nsections, 32);
	synth_free(&s);
}
END_TEST

/* err may be NULL or tiny: never written past errlen, always terminated. */
START_TEST(test_err_buffer_limits)
{
	struct ovmf_info i;
	struct synth s;
	char small[8];

	synth_init(&s, 4096);
	synth_footer_len(&s, 0xffff);
	ck_assert_int_eq(ovmf_parse(s.b, s.len, &i, NULL, 0), -EINVAL);
	memset(small, 'x', sizeof(small));
	ck_assert_int_eq(ovmf_parse(s.b, s.len, &i, small, sizeof(small)),
			 -EINVAL);
	ck_assert_uint_eq(strlen(small), sizeof(small) - 1);
	synth_free(&s);
}
END_TEST

static Suite *ovmf_suite(void)
{
	Suite *s = suite_create("ovmf");
	TCase *tc;

	tc = tcase_create("guid");
	tcase_add_test(tc, test_guid_roundtrip);
	tcase_add_test(tc, test_guid_parse_rejects);
	tcase_add_test(tc, test_names);
	suite_add_tcase(s, tc);

	tc = tcase_create("real");
	tcase_add_test(tc, test_real_deb12);
	tcase_add_test(tc, test_real_deb12_code_4m);
	tcase_add_test(tc, test_real_amdsev_sid);
	tcase_add_test(tc, test_real_deb13);
	tcase_add_test(tc, test_real_suffix_amdsev);
	tcase_add_test(tc, test_real_svsm);
	suite_add_tcase(s, tc);

	tc = tcase_create("synthetic");
	tcase_add_test(tc, test_synth_good);
	tcase_add_test(tc, test_synth_no_table);
	tcase_add_test(tc, test_synth_empty_table);
	tcase_add_test(tc, test_synth_unknown_entries_kept);
	tcase_add_test(tc, test_synth_legacy_reset_block);
	tcase_add_test(tc, test_synth_legacy_bad_len);
	suite_add_tcase(s, tc);

	tc = tcase_create("malformed");
	tcase_add_test(tc, test_bad_empty);
	tcase_add_test(tc, test_bad_not_page_multiple);
	tcase_add_test(tc, test_bad_too_big);
	tcase_add_test(tc, test_bad_table_len_too_big);
	tcase_add_test(tc, test_bad_table_len_too_small);
	tcase_add_test(tc, test_bad_entry_len_short);
	tcase_add_test(tc, test_bad_entry_len_past_start);
	tcase_add_test(tc, test_bad_stray_bytes);
	tcase_add_test(tc, test_bad_truncated_entry_data);
	tcase_add_test(tc, test_bad_duplicate_entry);
	tcase_add_test(tc, test_bad_too_many_entries);
	tcase_add_test(tc, test_bad_asev_offset_outside);
	tcase_add_test(tc, test_bad_asev_signature);
	tcase_add_test(tc, test_bad_asev_len);
	tcase_add_test(tc, test_bad_asev_version);
	tcase_add_test(tc, test_bad_asev_num_desc_huge);
	tcase_add_test(tc, test_bad_asev_past_end);
	tcase_add_test(tc, test_err_buffer_limits);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(ovmf_suite());
}
