// SPDX-License-Identifier: MIT
/*
 * `sevboot inspect [--json] FILE`: answers "what does this firmware offer?"
 *
 * Users ask it before every first launch with a new OVMF build, and tools
 * parse it, so both outputs keep a fixed order and fixed wording; add
 * fields at the end rather than reshaping what is there.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/inspect.h"
#include "loader/loader.h"
#include "util/util.h"

/* Where the bzImage setup header's magic lives (boot protocol). */
#define BZIMAGE_HDRS_OFF 0x202

static bool section_type_known(uint32_t type)
{
	return strcmp(ovmf_section_type_name(type), "unknown") != 0;
}

/* ------------------------------------------------------------- text */

static void print_size(uint64_t n)
{
	printf("%llu bytes (0x%llx", (unsigned long long)n,
	       (unsigned long long)n);
	if (n && n % SZ_1M == 0)
		printf(", %llu MiB", (unsigned long long)(n / SZ_1M));
	else if (n && n % SZ_1K == 0)
		printf(", %llu KiB", (unsigned long long)(n / SZ_1K));
	printf(")");
}

/* Entry data as hex, in 4-byte groups; long data is cut short. */
static void print_hex(FILE *f, const uint8_t *p, size_t n, size_t max,
		      bool groups)
{
	size_t shown = n < max ? n : max;

	for (size_t k = 0; k < shown; k++) {
		if (groups && k && k % 4 == 0)
			fputc(' ', f);
		fprintf(f, "%02x", p[k]);
	}
	if (shown < n)
		fprintf(f, "%s... (%zu bytes)", groups ? " " : "", n);
}

/*
 * Every entry OVMF defines carries little-endian u32s, so show those as
 * numbers; anything else as bytes.  --json keeps the raw bytes.
 */
static void print_entry_data(const uint8_t *p, size_t n)
{
	if (!n) {
		printf("(no data)");
	} else if (n % 4 == 0 && n <= 16) {
		for (size_t k = 0; k < n; k += 4)
			printf("%s0x%08x", k ? " " : "",
			       (uint32_t)p[k] | (uint32_t)p[k + 1] << 8 |
				       (uint32_t)p[k + 2] << 16 |
				       (uint32_t)p[k + 3] << 24);
	} else {
		printf("bytes ");
		print_hex(stdout, p, n, 16, true);
	}
}

static void print_area(const char *label, bool has_entry, uint32_t base,
		       uint32_t size, const char *absent_means)
{
	printf("%-21s", label);
	if (!has_entry)
		printf("absent: no entry — %s\n", absent_means);
	else if (!base && !size)
		printf("absent: base 0 size 0 — %s\n", absent_means);
	else
		printf("base 0x%08x size 0x%x\n", base, size);
}

static void print_text(const char *path, const uint8_t *img,
		       const struct ovmf_info *i, const struct verdicts *v)
{
	printf("%s: ", path);
	print_size(i->size);
	printf("\n%-21s0x%08llx..0xffffffff (the image ends at 4 GiB)\n",
	       "mapped at:", (unsigned long long)i->base_gpa);

	if (i->has_table) {
		printf("%-21s%u bytes, %u entr%s (listed from the footer "
		       "down)\n",
		       "footer GUID table:", i->table_len, i->nentries,
		       i->nentries == 1 ? "y" : "ies");
		for (unsigned k = 0; k < i->nentries; k++) {
			const struct ovmf_entry *e = &i->entries[k];
			const char *name = ovmf_entry_name(&e->guid);
			char g[37];

			guid_format(&e->guid, g);
			printf("  %s  %-28s ", g, name ? name : "(unknown)");
			print_entry_data(img + e->data_offset, e->data_len);
			printf("\n");
		}
	} else {
		printf("%-21snone (not an SEV-aware OVMF, or not OVMF)\n",
		       "footer GUID table:");
	}

	printf("%-21s", "SEV-ES reset block:");
	if (i->has_reset_block)
		printf("0x%08x (AP CS base 0x%08x, IP 0x%04x)%s\n",
		       i->reset_addr, i->reset_addr & 0xffff0000u,
		       i->reset_addr & 0xffffu,
		       i->reset_block_legacy ? ", legacy location" : "");
	else
		printf("absent\n");

	print_area("kernel hashes table:", i->has_hashes_entry, i->hashes_base,
		   i->hashes_size,
		   "this firmware cannot do measured direct boot");
	print_area("secret area:", i->has_secret_entry, i->secret_base,
		   i->secret_size,
		   "this firmware has no place for a launch secret");

	printf("%-21s", "SNP metadata (ASEV):");
	if (i->has_sev_meta) {
		printf("version %u, 0x%x below 4 GiB (GPA 0x%08llx), %u "
		       "section%s\n",
		       i->sev_meta_version, i->sev_meta_offset,
		       (unsigned long long)(SZ_4G - i->sev_meta_offset),
		       i->nsections, i->nsections == 1 ? "" : "s");
		if (i->nsections)
			printf("  %2s  %-10s  %-10s  %s\n", "#", "GPA", "size",
			       "type");
		for (unsigned k = 0; k < i->nsections; k++) {
			const struct ovmf_section *s = &i->sections[k];

			printf("  %2u  0x%08x  0x%08x  %s", k, s->gpa, s->size,
			       ovmf_section_type_name(s->type));
			if (!section_type_known(s->type))
				printf(" (0x%x)", s->type);
			printf("\n");
		}
	} else {
		printf("absent\n");
	}

	printf("%-21s", "TDX metadata:");
	if (i->has_tdx_meta)
		printf("0x%x below 4 GiB (GPA 0x%08llx)\n", i->tdx_meta_offset,
		       (unsigned long long)(SZ_4G - i->tdx_meta_offset));
	else
		printf("absent\n");

	printf("\nverdict:\n");
	const struct {
		const char *label;
		const struct verdict *v;
	} lines[] = {
		{"SEV", &v->sev},
		{"SEV-ES", &v->sev_es},
		{"SNP", &v->snp},
		{"measured direct boot (kernel hashes)", &v->hashes},
	};
	for (size_t k = 0; k < sizeof(lines) / sizeof(lines[0]); k++) {
		printf("  %s: %s", lines[k].label,
		       answer_word(lines[k].v->answer));
		if (lines[k].v->reason[0])
			printf(" (%s)", lines[k].v->reason);
		printf("\n");
	}
	if (v->hashes.answer == ANSWER_YES)
		printf("  note: the area says where the hashes go; only builds "
		       "with the SEV hash verifier (AmdSevX64) enforce them\n");
}

/* ------------------------------------------------------------- JSON */

/* Through util's writer, which never emits invalid UTF-8: a file name
 * need not be UTF-8, the JSON must be. */
static void json_str(const char *s)
{
	struct json_writer w = {0};
	char *text;

	jw_cstr(&w, s);
	if (jw_finish(&w, &text, NULL)) {
		printf("null");
		return;
	}
	fputs(text, stdout);
	free(text);
}

static void json_area(const char *key, bool has, uint32_t base, uint32_t size,
		      bool last)
{
	printf("  \"%s\": ", key);
	if (has)
		printf("{ \"base\": %u, \"size\": %u }", base, size);
	else
		printf("null");
	printf("%s\n", last ? "" : ",");
}

static void json_verdict(const char *key, const struct verdict *v, bool last)
{
	printf("    \"%s\": { \"answer\": \"%s\", \"reason\": ", key,
	       answer_word(v->answer));
	if (v->reason[0])
		json_str(v->reason);
	else
		printf("null");
	printf(" }%s\n", last ? "" : ",");
}

/*
 * Numbers are plain JSON numbers (all fit in 2^53); GUIDs and entry data
 * are strings.  Absent things are null, never left out, so a consumer can
 * tell "absent" from "this sevboot is too old to know".
 */
static void print_json(const char *path, const uint8_t *img,
		       const struct ovmf_info *i, const struct verdicts *v)
{
	printf("{\n  \"file\": ");
	json_str(path);
	printf(",\n  \"size\": %llu,\n  \"base_gpa\": %llu,\n",
	       (unsigned long long)i->size, (unsigned long long)i->base_gpa);

	printf("  \"table\": ");
	if (i->has_table) {
		printf("{\n    \"length\": %u,\n    \"entries\": [",
		       i->table_len);
		for (unsigned k = 0; k < i->nentries; k++) {
			const struct ovmf_entry *e = &i->entries[k];
			const char *name = ovmf_entry_name(&e->guid);
			char g[37];

			guid_format(&e->guid, g);
			printf("%s\n      { \"guid\": \"%s\", \"name\": ",
			       k ? "," : "", g);
			if (name)
				json_str(name);
			else
				printf("null");
			printf(", \"data_offset\": %u, \"data\": \"",
			       e->data_offset);
			print_hex(stdout, img + e->data_offset, e->data_len,
				  e->data_len, false);
			printf("\" }");
		}
		printf("%s]\n  },\n", i->nentries ? "\n    " : "");
	} else {
		printf("null,\n");
	}

	printf("  \"sev_es_reset_block\": ");
	if (i->has_reset_block)
		printf("{ \"address\": %u, \"cs_base\": %u, \"ip\": %u, "
		       "\"legacy_location\": %s },\n",
		       i->reset_addr, i->reset_addr & 0xffff0000u,
		       i->reset_addr & 0xffffu,
		       i->reset_block_legacy ? "true" : "false");
	else
		printf("null,\n");

	json_area("kernel_hashes", i->has_hashes_entry, i->hashes_base,
		  i->hashes_size, false);
	json_area("secret_area", i->has_secret_entry, i->secret_base,
		  i->secret_size, false);

	printf("  \"snp_metadata\": ");
	if (i->has_sev_meta) {
		printf("{\n    \"offset\": %u,\n    \"gpa\": %llu,\n"
		       "    \"version\": %u,\n    \"sections\": [",
		       i->sev_meta_offset,
		       (unsigned long long)(SZ_4G - i->sev_meta_offset),
		       i->sev_meta_version);
		for (unsigned k = 0; k < i->nsections; k++) {
			const struct ovmf_section *s = &i->sections[k];

			printf("%s\n      { \"gpa\": %u, \"size\": %u, "
			       "\"type\": %u, \"type_name\": \"%s\" }",
			       k ? "," : "", s->gpa, s->size, s->type,
			       ovmf_section_type_name(s->type));
		}
		printf("%s]\n  },\n", i->nsections ? "\n    " : "");
	} else {
		printf("null,\n");
	}

	printf("  \"tdx_metadata\": ");
	if (i->has_tdx_meta)
		printf("{ \"offset\": %u, \"gpa\": %llu },\n",
		       i->tdx_meta_offset,
		       (unsigned long long)(SZ_4G - i->tdx_meta_offset));
	else
		printf("null,\n");

	printf("  \"verdict\": {\n");
	json_verdict("sev", &v->sev, false);
	json_verdict("sev_es", &v->sev_es, false);
	json_verdict("snp", &v->snp, false);
	json_verdict("measured_direct_boot", &v->hashes, true);
	/* Added at the end, as this output's rule is (doc/inspect-json.md,
	 * doc/inspect.schema.json). */
	printf("  },\n  \"schema\": \"sevboot-inspect/1\"\n}\n");
}

/* ------------------------------------------------------------- command */

static void inspect_error(const char *path, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void inspect_error(const char *path, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "sevboot: inspect: ");
	if (path)
		fprintf(stderr, "%s: ", path);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static bool has_footer_guid(const uint8_t *img, size_t len)
{
	struct guid footer;

	if (len < 0x30 ||
	    guid_parse("96b582de-1fb2-45f7-baea-a366c55a082d", &footer))
		return false;
	return !memcmp(img + len - 0x30, footer.b, sizeof(footer.b));
}

static bool bytes_are_bzimage(const uint8_t *img, size_t len)
{
	return len >= BZIMAGE_HDRS_OFF + 4 &&
	       !memcmp(img + BZIMAGE_HDRS_OFF, "HdrS", 4);
}

/* For files too big to read whole: peek at the setup header only. */
static bool file_is_bzimage(const char *path)
{
	uint8_t magic[4];

	return file_peek(path, BZIMAGE_HDRS_OFF, magic, sizeof(magic), NULL,
			 0) == 0 &&
	       !memcmp(magic, "HdrS", 4);
}

static int kernel_hint(const char *path)
{
	inspect_error(path,
		      "this is a Linux kernel (bzImage), not firmware; pass it "
		      "with --kernel");
	return EXIT_BAD_INPUT;
}

struct inspect_opts {
	bool json;
};

/* clang-format off */
static const struct cli_opt inspect_options[] = {
	{ "json", .arg = CLI_FLAG, CLI_FIELD(struct inspect_opts, json),
	  .help = "print the same as one JSON object" },
	{ .arg = CLI_END },
};
/* clang-format on */

const struct cli_spec inspect_spec = {
	.name = "inspect",
	.prefix = "sevboot: inspect: ",
	.synopsis = "inspect [--json] FILE",
	.about =
		"Show what an OVMF image offers an SEV launch: its footer GUID "
		"table, SEV-ES\n"
		"reset block, kernel hashes table, secret area, SNP sections, "
		"and a verdict\n"
		"per mode.\n",
	.opts = inspect_options,
	.notes = "Exit codes: 0 ok, 2 usage, 3 bad input file.\n",
	.max_args = 2, /* one FILE; the second is refused below */
};

/* Returns -1 to go on with *path, or an exit code. */
static int parse_inspect_opts(int argc, char **argv, struct inspect_opts *o,
			      const char **path)
{
	struct cli_args args;
	char a[CLI_WORD_MAX], b[CLI_WORD_MAX];
	int rc;

	*o = (struct inspect_opts){.json = false};
	rc = cli_parse(&inspect_spec, argc, argv, o, &args);
	if (rc >= 0)
		return rc;
	if (args.n == 0)
		return cli_error(&inspect_spec,
				 "missing FILE (usage: sevboot "
				 "%s)",
				 inspect_spec.synopsis);
	if (args.n > 1)
		return cli_error(&inspect_spec,
				 "one FILE only, got '%s' and "
				 "'%s' (usage: sevboot %s)",
				 cli_word(a, sizeof(a), args.v[0], SIZE_MAX),
				 cli_word(b, sizeof(b), args.v[1], SIZE_MAX),
				 inspect_spec.synopsis);
	*path = args.v[0];
	return -1;
}

int cmd_inspect(int argc, char **argv)
{
	const char *path = NULL;
	struct inspect_opts o;
	struct ovmf_info info;
	struct verdicts v;
	struct blob b;
	char err[256];
	int ret;

	ret = parse_inspect_opts(argc, argv, &o, &path);
	if (ret >= 0)
		return ret;

	ret = file_read(path, OVMF_MAX_SIZE, &b, err, sizeof(err));
	if (ret == -EFBIG && file_is_bzimage(path))
		return kernel_hint(path);
	if (ret) {
		inspect_error(path, "%s", err);
		return ret == -ENOMEM ? EXIT_RUNTIME : EXIT_BAD_INPUT;
	}

	/* An OVMF image could hold "HdrS" there by chance; its footer can't. */
	if (bytes_are_bzimage(b.data, b.len) &&
	    !has_footer_guid(b.data, b.len)) {
		blob_free(&b);
		return kernel_hint(path);
	}

	ret = ovmf_parse(b.data, b.len, &info, err, sizeof(err));
	if (ret) {
		inspect_error(path, "%s", err);
		blob_free(&b);
		return EXIT_BAD_INPUT;
	}

	ret = firmware_verdicts(b.data, b.len, &info, &v);
	if (ret) {
		inspect_error(path, "out of memory");
		blob_free(&b);
		return EXIT_RUNTIME;
	}
	if (o.json)
		print_json(path, b.data, &info, &v);
	else
		print_text(path, b.data, &info, &v);
	blob_free(&b);

	if (fflush(stdout) || ferror(stdout)) {
		inspect_error(NULL, "cannot write the report: %s",
			      strerror(errno));
		return EXIT_RUNTIME;
	}
	return 0;
}
