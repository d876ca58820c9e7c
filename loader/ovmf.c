// SPDX-License-Identifier: MIT
/*
 * OVMF image -> what the firmware offers an SEV launcher.
 *
 * The image is mapped so that its last byte sits just below 4 GiB.  Its
 * reset vector page ends with a "footer GUID table": a list of GUIDed
 * entries, read backwards from a footer GUID 0x30 bytes before the end:
 *
 *   size - 0x20 - len   first (lowest) entry
 *        ...            entry = data | u16 len (data + 2 + 16) | GUID
 *   size - 0x32         u16 total table length, footer's 18 bytes included
 *   size - 0x30         footer GUID 96b582de-1fb2-45f7-baea-a366c55a082d
 *   size - 0x20         the reset vector and its padding (not ours)
 *
 * One entry points (as a distance below 4 GiB) at the "ASEV" metadata that
 * lists the memory SNP must pre-validate or fill.  Every number here comes
 * from a file the user gave us, so each one is checked against the image
 * before it is used as an offset.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/util.h"
#include "loader/loader.h"

/* Sizes of the on-disk structures. */
#define ENTRY_HDR_LEN	(2 + GUID_LEN) /* u16 len + GUID after the data */
#define FOOTER_GUID_OFF 0x30	       /* from the end of the image */
#define TABLE_END_OFF	0x20	       /* the table ends 0x20 before the end */
#define ASEV_HDR_LEN	16
#define ASEV_DESC_LEN	12

/* The u32 payload sizes each known entry needs. */
#define RESET_BLOCK_DATA_LEN 4
#define AREA_DATA_LEN	     8 /* u32 base, u32 size */
#define OFFSET_DATA_LEN	     4

enum ovmf_known {
	KNOWN_FOOTER,
	KNOWN_SEV_ES_RESET,
	KNOWN_HASHES,
	KNOWN_SECRET,
	KNOWN_SEV_META,
	KNOWN_TDX_META,
	KNOWN_IGVM_META,
	KNOWN_SNP_BOOT_BLOCK,
	KNOWN_SVSM_INFO,
	KNOWN_NONE,
};

/*
 * GUIDs in the byte order they have in the image: the first three fields
 * little-endian.  Keeping them as bytes lets the parser compare with
 * memcmp() and keeps guid_parse() out of the hot path.
 */
static const struct {
	uint8_t b[GUID_LEN];
	const char *name;
} known_guids[KNOWN_NONE] = {
	/* 96b582de-1fb2-45f7-baea-a366c55a082d */
	[KNOWN_FOOTER] = {{0xde, 0x82, 0xb5, 0x96, 0xb2, 0x1f, 0xf7, 0x45, 0xba,
			   0xea, 0xa3, 0x66, 0xc5, 0x5a, 0x08, 0x2d},
			  "footer GUID table"},
	/* 00f771de-1a7e-4fcb-890e-68c77e2fb44e */
	[KNOWN_SEV_ES_RESET] = {{0xde, 0x71, 0xf7, 0x00, 0x7e, 0x1a, 0xcb, 0x4f,
				 0x89, 0x0e, 0x68, 0xc7, 0x7e, 0x2f, 0xb4,
				 0x4e},
				"SEV-ES reset block"},
	/* 7255371f-3a3b-4b04-927b-1da6efa8d454 */
	[KNOWN_HASHES] = {{0x1f, 0x37, 0x55, 0x72, 0x3b, 0x3a, 0x04, 0x4b, 0x92,
			   0x7b, 0x1d, 0xa6, 0xef, 0xa8, 0xd4, 0x54},
			  "SEV kernel hashes table"},
	/* 4c2eb361-7d9b-4cc3-8081-127c90d3d294 */
	[KNOWN_SECRET] = {{0x61, 0xb3, 0x2e, 0x4c, 0x9b, 0x7d, 0xc3, 0x4c, 0x80,
			   0x81, 0x12, 0x7c, 0x90, 0xd3, 0xd2, 0x94},
			  "SEV secret area"},
	/* dc886566-984a-4798-a75e-5585a7bf67cc */
	[KNOWN_SEV_META] = {{0x66, 0x65, 0x88, 0xdc, 0x4a, 0x98, 0x98, 0x47,
			     0xa7, 0x5e, 0x55, 0x85, 0xa7, 0xbf, 0x67, 0xcc},
			    "SEV metadata (ASEV) offset"},
	/* e47a6535-984a-4798-865e-4685a7bf8ec2 */
	[KNOWN_TDX_META] = {{0x35, 0x65, 0x7a, 0xe4, 0x4a, 0x98, 0x98, 0x47,
			     0x86, 0x5e, 0x46, 0x85, 0xa7, 0xbf, 0x8e, 0xc2},
			    "TDX metadata offset"},
	/* 784fa70e-3176-4677-8a20-04b68699e374 */
	[KNOWN_IGVM_META] = {{0x0e, 0xa7, 0x4f, 0x78, 0x76, 0x31, 0x77, 0x46,
			      0x8a, 0x20, 0x04, 0xb6, 0x86, 0x99, 0xe3, 0x74},
			     "IGVM metadata offset"},
	/* bd39c0c2-2f8e-4243-83e8-1b74cebcb7d9: only in the 2021 RFCs */
	[KNOWN_SNP_BOOT_BLOCK] = {{0xc2, 0xc0, 0x39, 0xbd, 0x8e, 0x2f, 0x43,
				   0x42, 0x83, 0xe8, 0x1b, 0x74, 0xce, 0xbc,
				   0xb7, 0xd9},
				  "SNP boot block (obsolete)"},
	/* a789a612-0597-4c4b-a49f-cbb1fe9d1ddd: COCONUT-SVSM images */
	[KNOWN_SVSM_INFO] = {{0x12, 0xa6, 0x89, 0xa7, 0x97, 0x05, 0x4b, 0x4c,
			      0xa4, 0x9f, 0xcb, 0xb1, 0xfe, 0x9d, 0x1d, 0xdd},
			     "SVSM info"},
};

static enum ovmf_known guid_known(const uint8_t *b)
{
	for (unsigned i = 0; i < KNOWN_NONE; i++)
		if (!memcmp(b, known_guids[i].b, GUID_LEN))
			return (enum ovmf_known)i;
	return KNOWN_NONE;
}

const char *ovmf_entry_name(const struct guid *g)
{
	enum ovmf_known k = guid_known(g->b);

	return k == KNOWN_NONE ? NULL : known_guids[k].name;
}

const char *ovmf_section_type_name(uint32_t type)
{
	switch (type) {
	case OVMF_SECTION_SNP_SEC_MEM:
		return "SNP_SEC_MEM";
	case OVMF_SECTION_SNP_SECRETS:
		return "SNP_SECRETS";
	case OVMF_SECTION_CPUID:
		return "CPUID";
	case OVMF_SECTION_SVSM_CAA:
		return "SVSM_CAA";
	case OVMF_SECTION_KERNEL_HASHES:
		return "KERNEL_HASHES";
	default:
		return "unknown";
	}
}

/* ------------------------------------------------------------- parsing */

/*
 * The ASEV header sits sev_meta_offset bytes below 4 GiB, i.e. at file
 * offset size - sev_meta_offset:
 *   char sig[4] = "ASEV"; u32 len; u32 version = 1; u32 num_desc;
 *   num_desc x { u32 gpa; u32 size; u32 type; }
 */
static int parse_sev_meta(const uint8_t *img, size_t size,
			  struct ovmf_info *out, char *err, size_t errlen)
{
	uint32_t off = out->sev_meta_offset;
	uint32_t len, version, ndesc;
	const uint8_t *h;
	size_t pos;

	if (off < ASEV_HDR_LEN || off > size) {
		set_err(err, errlen,
			"SEV metadata offset 0x%x (GPA 0x%llx) puts the ASEV "
			"header outside the image (%zu bytes)",
			off, (unsigned long long)(SZ_4G - off), size);
		return -EINVAL;
	}
	pos = size - off;
	h = img + pos;

	if (memcmp(h, "ASEV", 4)) {
		set_err(err, errlen,
			"no ASEV signature at file offset 0x%zx, where the SEV "
			"metadata entry points (found %02x %02x %02x %02x)",
			pos, h[0], h[1], h[2], h[3]);
		return -EINVAL;
	}
	len = get_le32(h + 4, 0);
	version = get_le32(h + 8, 0);
	ndesc = get_le32(h + 12, 0);

	if (version != 1) {
		set_err(err, errlen,
			"ASEV metadata version %u is not supported (only 1)",
			version);
		return -EINVAL;
	}
	/* Check the count before multiplying so 12 * n cannot wrap. */
	if (ndesc > OVMF_MAX_SECTIONS) {
		set_err(err, errlen,
			"ASEV metadata lists %u sections, more than the %u "
			"sevboot accepts",
			ndesc, OVMF_MAX_SECTIONS);
		return -EINVAL;
	}
	if (len < ASEV_HDR_LEN || len != ASEV_HDR_LEN + ASEV_DESC_LEN * ndesc) {
		set_err(err, errlen,
			"ASEV metadata length %u does not match its %u "
			"sections (expected %u = 16 + 12 * %u)",
			len, ndesc, ASEV_HDR_LEN + ASEV_DESC_LEN * ndesc,
			ndesc);
		return -EINVAL;
	}
	if (len > off) {
		set_err(err, errlen,
			"ASEV metadata (%u bytes at file offset 0x%zx) runs "
			"past the end of the image (%zu bytes)",
			len, pos, size);
		return -EINVAL;
	}

	out->has_sev_meta = true;
	out->sev_meta_version = version;
	out->nsections = ndesc;
	for (uint32_t i = 0; i < ndesc; i++) {
		const uint8_t *d = h + ASEV_HDR_LEN + ASEV_DESC_LEN * i;

		out->sections[i].gpa = get_le32(d, 0);
		out->sections[i].size = get_le32(d + 4, 0);
		out->sections[i].type = get_le32(d + 8, 0);
	}
	return 0;
}

/* Take the data of one known entry into out; checks its size first. */
static int take_entry(enum ovmf_known k, const uint8_t *data, uint16_t dlen,
		      uint32_t data_off, unsigned *seen, struct ovmf_info *out,
		      char *err, size_t errlen)
{
	static const uint16_t need[KNOWN_NONE] = {
		[KNOWN_SEV_ES_RESET] = RESET_BLOCK_DATA_LEN,
		[KNOWN_HASHES] = AREA_DATA_LEN,
		[KNOWN_SECRET] = AREA_DATA_LEN,
		[KNOWN_SEV_META] = OFFSET_DATA_LEN,
		[KNOWN_TDX_META] = OFFSET_DATA_LEN,
	};

	if (k == KNOWN_NONE || !need[k])
		return 0; /* listed in entries[]; nothing of ours uses it */

	/*
	 * QEMU would use the first copy it finds and silently ignore the
	 * other; for a measured launch an image that says two things is
	 * better refused than guessed at.
	 */
	if (*seen & (1u << k)) {
		set_err(err, errlen,
			"the %s entry appears twice in the GUID table",
			known_guids[k].name);
		return -EINVAL;
	}
	if (dlen < need[k]) {
		set_err(err, errlen,
			"the %s entry (file offset 0x%x) has %u data bytes, "
			"it needs %u",
			known_guids[k].name, data_off, dlen, need[k]);
		return -EINVAL;
	}

	*seen |= 1u << k;

	switch (k) {
	case KNOWN_SEV_ES_RESET:
		out->has_reset_block = true;
		out->reset_addr = get_le32(data, 0);
		break;
	case KNOWN_HASHES:
		out->has_hashes_entry = true;
		out->hashes_base = get_le32(data, 0);
		out->hashes_size = get_le32(data + 4, 0);
		break;
	case KNOWN_SECRET:
		out->has_secret_entry = true;
		out->secret_base = get_le32(data, 0);
		out->secret_size = get_le32(data + 4, 0);
		break;
	case KNOWN_SEV_META:
		/* has_sev_meta waits until the header itself checks out. */
		out->sev_meta_offset = get_le32(data, 0);
		break;
	case KNOWN_TDX_META:
		out->has_tdx_meta = true;
		out->tdx_meta_offset = get_le32(data, 0);
		break;
	default:
		break;
	}
	return 0;
}

/*
 * Before the footer table existed (the first SEV-ES builds, 2020), OVMF
 * carried the SEV-ES reset block on its own, laid out like one table
 * entry whose GUID sits exactly where the footer GUID is now: reset
 * address (u32) | u16 len | GUID, with len covering all three, ending 0x20
 * bytes before the end of the image.  QEMU still looks there when the
 * table is missing, so we do too, or such images would lose SEV-ES.
 */
static int parse_legacy_reset_block(const uint8_t *img, size_t size,
				    struct ovmf_info *out, char *err,
				    size_t errlen)
{
	const size_t guid_off = size - FOOTER_GUID_OFF;
	const size_t end = size - TABLE_END_OFF;
	uint16_t len;

	if (guid_known(img + guid_off) != KNOWN_SEV_ES_RESET)
		return 0;
	len = get_le16(img + guid_off - 2, 0);
	if (len < RESET_BLOCK_DATA_LEN + ENTRY_HDR_LEN || len > end) {
		set_err(err, errlen,
			"the SEV-ES reset block at the end of the image has "
			"length %u; it must be at least %u and fit in the "
			"image",
			len, RESET_BLOCK_DATA_LEN + ENTRY_HDR_LEN);
		return -EINVAL;
	}
	out->has_reset_block = true;
	out->reset_block_legacy = true;
	out->reset_addr = get_le32(img + end - len, 0);
	return 0;
}

/* "96b582de-...-a366c55a082d (footer GUID table)" for error messages. */
static void entry_label(const struct guid *g, char *buf, size_t buflen)
{
	char text[37];
	const char *name = ovmf_entry_name(g);

	guid_format(g, text);
	if (name)
		snprintf(buf, buflen, "%s (%s)", text, name);
	else
		snprintf(buf, buflen, "%s", text);
}

/* Whole pages, not empty, inside the flash window below 4 GiB. */
static int check_image_size(const uint8_t *img, size_t len, char *err,
			    size_t errlen)
{
	if (!img || len == 0) {
		set_err(err, errlen, "the firmware image is empty");
		return -EINVAL;
	}
	if (len % 4096) {
		set_err(err, errlen,
			"the firmware image is %zu bytes, not a multiple of "
			"4096 (flash images are whole pages)",
			len);
		return -EINVAL;
	}
	if (len > OVMF_MAX_SIZE) {
		set_err(err, errlen,
			"the firmware image is %zu bytes, larger than the "
			"%llu-byte flash window below 4 GiB",
			len, (unsigned long long)OVMF_MAX_SIZE);
		return -EINVAL;
	}
	return 0;
}

static int parse_image(const uint8_t *img, size_t len, struct ovmf_info *out,
		       char *err, size_t errlen)
{
	size_t table_start, pos;
	unsigned seen = 0;
	uint16_t tot_len;
	int ret = check_image_size(img, len, err, errlen);

	if (ret)
		return ret;
	out->size = len;
	out->base_gpa = SZ_4G - len;

	/* From here on len >= 4096, so the fixed footer offsets are inside. */
	if (guid_known(img + len - FOOTER_GUID_OFF) != KNOWN_FOOTER)
		return parse_legacy_reset_block(img, len, out, err, errlen);

	tot_len = get_le16(img + len - FOOTER_GUID_OFF - 2, 0);
	if (tot_len < ENTRY_HDR_LEN) {
		set_err(err, errlen,
			"GUID table length %u is smaller than the table's own "
			"%u-byte footer",
			tot_len, ENTRY_HDR_LEN);
		return -EINVAL;
	}
	if (tot_len > len - TABLE_END_OFF) {
		set_err(err, errlen,
			"GUID table length 0x%x exceeds the image (%zu bytes)",
			tot_len, len);
		return -EINVAL;
	}
	out->has_table = true;
	out->table_len = tot_len;

	/* Entries fill [table_start, pos) exactly; walk them from the top. */
	table_start = len - TABLE_END_OFF - tot_len;
	pos = len - FOOTER_GUID_OFF - 2;
	while (pos > table_start) {
		size_t left = pos - table_start;
		struct ovmf_entry *e;
		uint16_t elen;
		char name[80];

		if (left < ENTRY_HDR_LEN) {
			set_err(err, errlen,
				"GUID table has %zu stray bytes at file offset "
				"0x%zx, too few for an entry header (%u)",
				left, table_start, ENTRY_HDR_LEN);
			return -EINVAL;
		}
		if (out->nentries == OVMF_MAX_ENTRIES) {
			set_err(err, errlen,
				"GUID table has more than %u entries",
				OVMF_MAX_ENTRIES);
			return -EINVAL;
		}
		e = &out->entries[out->nentries];
		memcpy(e->guid.b, img + pos - GUID_LEN, GUID_LEN);
		elen = get_le16(img + pos - ENTRY_HDR_LEN, 0);
		if (elen < ENTRY_HDR_LEN) {
			entry_label(&e->guid, name, sizeof(name));
			set_err(err, errlen,
				"GUID table entry %s has length %u, less than "
				"its own %u-byte header",
				name, elen, ENTRY_HDR_LEN);
			return -EINVAL;
		}
		if (elen > left) {
			entry_label(&e->guid, name, sizeof(name));
			set_err(err, errlen,
				"GUID table entry %s has length %u, which runs "
				"past the start of the table (%zu bytes left)",
				name, elen, left);
			return -EINVAL;
		}
		pos -= elen;
		e->data_offset = (uint32_t)pos;
		e->data_len = elen - ENTRY_HDR_LEN;
		out->nentries++;

		ret = take_entry(guid_known(e->guid.b), img + pos, e->data_len,
				 e->data_offset, &seen, out, err, errlen);
		if (ret)
			return ret;
	}

	if (seen & (1u << KNOWN_SEV_META))
		return parse_sev_meta(img, len, out, err, errlen);
	return 0;
}

int ovmf_parse(const uint8_t *img, size_t len, struct ovmf_info *out, char *err,
	       size_t errlen)
{
	int ret;

	memset(out, 0, sizeof(*out));
	if (err && errlen)
		err[0] = '\0';
	ret = parse_image(img, len, out, err, errlen);
	/* A half-filled result must not be mistaken for a parsed image. */
	if (ret)
		memset(out, 0, sizeof(*out));
	return ret;
}
