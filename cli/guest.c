// SPDX-License-Identifier: MIT
/*
 * sevboot guest report|ext-report|derived-key: run inside an SEV-SNP
 * guest, they ask the AMD Secure Processor for an attestation report
 * (with the hypervisor's certificates) or a derived key (sev/guest.c),
 * and write files that `sevboot verify-report` reads.
 *
 * The interface: /dev/sev-guest when it exists (SEVBOOT_SEV_GUEST_DEV
 * names another path), else configfs-tsm (SEVBOOT_TSM_DIR, default
 * /sys/kernel/config/tsm/report) for reports; --via picks one.  The
 * derived key is a secret: written 0600, wiped, printed only for
 * `--out -`.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "cli/cli.h"
#include "loader/loader.h"
#include "owner/owner.h"
#include "sev/sev.h"
#include "util/util.h"

#define MAX_CERTS 8

static void __attribute__((format(printf, 2, 3)))
guest_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "sevboot: guest %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

struct guest_opts {
	const char *data_hex, *data_file, *via, *out;
	uint64_t vmpl;
	bool json;
	/* derived-key */
	const char *root_key, *key, *fields;
	uint64_t guest_svn, tcb_version;
};

#define GO(field) CLI_FIELD(struct guest_opts, field)

/* clang-format off */
#define REPORT_DATA_OPTS \
	{ "report-data", .arg = CLI_STRING, GO(data_hex), .meta = "HEX", \
	  .help = "REPORT_DATA, up to 64 bytes as hex (zero-padded; " \
		  "default all zeros)" }, \
	{ "report-data-file", .arg = CLI_STRING, GO(data_file), \
	  .meta = "FILE", .help = "REPORT_DATA from a file of up to 64 " \
		  "bytes, - for stdin" }, \
	{ "vmpl", .arg = CLI_UINT, GO(vmpl), .max = 3, .meta = "N", \
	  .help = "the VMPL the report names (0 to 3, default 0)" }, \
	{ "via", .arg = CLI_STRING, GO(via), .meta = "auto|ioctl|tsm", \
	  .help = "/dev/sev-guest (ioctl) or configfs-tsm (tsm); auto: the " \
		  "device if it exists, else configfs-tsm" }, \
	{ "json", .arg = CLI_FLAG, GO(json), \
	  .help = "say what was written as JSON" }

static const struct cli_opt report_options[] = {
	REPORT_DATA_OPTS,
	{ "out", .arg = CLI_STRING, GO(out), .meta = "FILE",
	  .help = "where the report goes (raw, 1184 bytes; for sevboot "
		  "verify-report --report)" },
	{ .arg = CLI_END },
};

static const struct cli_opt ext_report_options[] = {
	REPORT_DATA_OPTS,
	{ "out", .arg = CLI_STRING, GO(out), .meta = "DIR",
	  .help = "where the report and certificates go (made 0700 if "
		  "missing; existing files are never replaced)" },
	{ .arg = CLI_END },
};

static const struct cli_opt key_options[] = {
	{ "root-key", .arg = CLI_STRING, GO(root_key), .meta = "vcek|vmrk",
	  .help = "the root key (default vcek)" },
	{ "key", .arg = CLI_STRING, GO(key), .meta = "auto|vcek|vlek",
	  .help = "with --root-key vcek, which one (default auto: the VLEK "
		  "when one is loaded)" },
	{ "fields", .arg = CLI_STRING, GO(fields), .meta = "LIST",
	  .help = "guest fields mixed into the key, comma-separated: policy, "
		  "image-id, family-id, measurement, svn, tcb, launch-mit "
		  "(default none)" },
	{ "vmpl", .arg = CLI_UINT, GO(vmpl), .max = 3, .meta = "N",
	  .help = "the VMPL mixed in (0 to 3, default 0)" },
	{ "guest-svn", .arg = CLI_UINT, GO(guest_svn), .max = UINT32_MAX,
	  .meta = "N", .help = "the guest SVN mixed in (default 0)" },
	{ "tcb-version", .arg = CLI_HEX, GO(tcb_version), .max = UINT64_MAX,
	  .meta = "HEX", .help = "the TCB_VERSION mixed in (default 0)" },
	{ "out", .arg = CLI_STRING, GO(out), .meta = "FILE|-",
	  .help = "where the 32-byte key goes (a new file, mode 0600); - "
		  "prints it as hex on stdout" },
	{ .arg = CLI_END },
};
/* clang-format on */

static const char guest_notes[] =
	"Environment: SEVBOOT_SEV_GUEST_DEV (default /dev/sev-guest) and\n"
	"SEVBOOT_TSM_DIR (default /sys/kernel/config/tsm/report) name the\n"
	"interfaces.\n"
	"Exit codes: 0 ok, 1 runtime failure, 2 usage, 3 bad input file, 4 "
	"not an\nSEV-SNP guest (no /dev/sev-guest, no configfs-tsm), 5 the "
	"firmware refused.\n";

const struct cli_spec guest_report_spec = {
	.name = "guest report",
	.prefix = "sevboot: guest report: ",
	.synopsis = "guest report [--report-data HEX | --report-data-file "
		    "FILE] [--vmpl N] --out FILE",
	.about = "Inside an SEV-SNP guest: the attestation report "
		 "(SNP_GET_REPORT, or\nconfigfs-tsm's outblob) for "
		 "REPORT_DATA, written raw to FILE.\n",
	.opts = report_options,
	.notes = guest_notes,
};

const struct cli_spec guest_ext_report_spec = {
	.name = "guest ext-report",
	.prefix = "sevboot: guest ext-report: ",
	.synopsis = "guest ext-report [--report-data HEX | --report-data-file "
		    "FILE] [--vmpl N] --out DIR",
	.about = "Inside an SEV-SNP guest: the report and the hypervisor's "
		 "certificates\n(SNP_GET_EXT_REPORT, or configfs-tsm's outblob "
		 "and auxblob):\n"
		 "  DIR/report.bin  the report (verify-report --report)\n"
		 "  DIR/certs.bin   the certificate table as the kernel gave "
		 "it\n"
		 "  DIR/vcek.der, vlek.der, ask.der, ark.der  each certificate "
		 "(DER; .pem\n"
		 "                  when the host gave PEM; cert-GUID.bin for "
		 "others)\n"
		 "  DIR/chain.pem   ASK and ARK, for verify-report --chain\n",
	.opts = ext_report_options,
	.notes = guest_notes,
};

const struct cli_spec guest_key_spec = {
	.name = "guest derived-key",
	.prefix = "sevboot: guest derived-key: ",
	.synopsis = "guest derived-key [--root-key vcek|vmrk] [--fields LIST] "
		    "... --out FILE|-",
	.about = "Inside an SEV-SNP guest: a key derived by the firmware "
		 "(SNP_GET_DERIVED_KEY)\nfrom its root key and the fields "
		 "chosen.  The key is a secret.\n",
	.opts = key_options,
	.notes = guest_notes,
};

const struct cli_spec guest_spec = {
	.name = "guest",
	.prefix = "sevboot: guest: ",
	.synopsis = "guest report|ext-report|derived-key [OPTIONS]",
	.about = "Inside an SEV-SNP guest, ask the AMD Secure Processor for:\n"
		 "  report       the attestation report\n"
		 "  ext-report   the report and the hypervisor's "
		 "certificates\n"
		 "  derived-key  a key derived from the chip's root key\n"
		 "`sevboot guest COMMAND --help` shows a command's options.\n",
	.notes = guest_notes,
	.max_args = 2,
};

/* ------------------------------------------------------------ inputs */

static int report_data(const char *cmd, const struct guest_opts *o,
		       uint8_t d[SEV_GUEST_REPORT_DATA_LEN])
{
	const char *s = o->data_hex;
	size_t len;

	memset(d, 0, SEV_GUEST_REPORT_DATA_LEN);
	if (s && o->data_file) {
		guest_error(cmd, "--report-data and --report-data-file "
				 "exclude each other");
		return EXIT_USAGE;
	}
	if (s) {
		if (!strncmp(s, "0x", 2) || !strncmp(s, "0X", 2))
			s += 2;
		len = strlen(s);
		if (!len || len % 2 || len > 128 ||
		    hex_decode(s, len, d, len / 2)) {
			guest_error(cmd,
				    "--report-data %s: must be up to 64 "
				    "bytes as up to 128 hex digits",
				    o->data_hex);
			return EXIT_USAGE;
		}
		return 0;
	}
	if (!o->data_file)
		return 0;
	if (!strcmp(o->data_file, "-")) {
		uint8_t extra;

		len = fread(d, 1, SEV_GUEST_REPORT_DATA_LEN, stdin);
		if (ferror(stdin) || (len == SEV_GUEST_REPORT_DATA_LEN &&
				      fread(&extra, 1, 1, stdin) == 1)) {
			guest_error(cmd, "--report-data-file -: %s",
				    ferror(stdin) ? "cannot read stdin"
						  : "more than 64 bytes on "
						    "stdin; REPORT_DATA is at "
						    "most 64");
			return EXIT_BAD_INPUT;
		}
		return 0;
	} else {
		struct blob b;
		char why[256] = "";
		int ret = file_read(o->data_file, 4096, &b, why, sizeof(why));

		if (ret) {
			guest_error(cmd, "--report-data-file %s: %s",
				    o->data_file,
				    why[0] ? why : strerror(-ret));
			return ret == -ENOMEM ? EXIT_RUNTIME : EXIT_BAD_INPUT;
		}
		if (b.len > SEV_GUEST_REPORT_DATA_LEN) {
			guest_error(cmd,
				    "--report-data-file %s: %zu bytes; "
				    "REPORT_DATA is at most 64",
				    o->data_file, b.len);
			blob_free(&b);
			return EXIT_BAD_INPUT;
		}
		memcpy(d, b.data, b.len);
		blob_free(&b);
	}
	return 0;
}

static const char *env_or(const char *name, const char *def)
{
	const char *v = getenv(name);

	return v && *v ? v : def;
}

enum via { VIA_IOCTL, VIA_TSM };

/* Which interface: --via, or what this guest has.  EXIT_HOST after one
 * line when it has neither. */
static int pick_via(const char *cmd, const char *via, bool tsm_ok,
		    enum via *out)
{
	const char *dev = env_or("SEVBOOT_SEV_GUEST_DEV", SEV_GUEST_DEV_PATH);
	const char *tsm = env_or("SEVBOOT_TSM_DIR", SEV_TSM_REPORT_PATH);
	struct stat st;

	if (via && !strcmp(via, "ioctl")) {
		*out = VIA_IOCTL;
		return 0;
	}
	if (via && !strcmp(via, "tsm") && tsm_ok) {
		*out = VIA_TSM;
		return 0;
	}
	if (via && strcmp(via, "auto")) {
		guest_error(cmd, "--via %s: must be %s", via,
			    tsm_ok ? "auto, ioctl or tsm" : "auto or ioctl");
		return EXIT_USAGE;
	}
	if (!stat(dev, &st)) {
		*out = VIA_IOCTL;
		return 0;
	}
	if (tsm_ok && !stat(tsm, &st) && S_ISDIR(st.st_mode)) {
		*out = VIA_TSM;
		return 0;
	}
	if (tsm_ok)
		guest_error(cmd,
			    "this is not an SEV-SNP guest: neither %s nor %s "
			    "exists (or the sev-guest driver is not loaded)",
			    dev, tsm);
	else
		guest_error(cmd,
			    "this is not an SEV-SNP guest: %s does not exist "
			    "(or the sev-guest driver is not loaded)",
			    dev);
	return EXIT_HOST;
}

/* -errno of a request -> the exit code. */
static int request_exit(int ret, int fw_err)
{
	if (ret == -ENOENT || ret == -ENODEV)
		return EXIT_HOST;
	if (fw_err > 0)
		return EXIT_SEV;
	return ret == -ENOMEM ? EXIT_RUNTIME : EXIT_SEV;
}

/* ------------------------------------------------------------ report */

/* The JSON summary on stdout. */
static int json_out(struct json_writer *j)
{
	char *text;
	size_t len;

	if (jw_finish(j, &text, &len)) {
		fprintf(stderr, "sevboot: guest: out of memory\n");
		return EXIT_RUNTIME;
	}
	printf("%s\n", text);
	free(text);
	return 0;
}

struct report_out {
	uint8_t report[4000];
	size_t len;
	uint8_t *certs; /* the table, or NULL */
	size_t certs_len;
	enum via via;
};

/* Ask for the report (and the certificates when certs). */
static int get_report(const char *cmd, const struct guest_opts *o, bool certs,
		      struct report_out *r)
{
	const char *dev = env_or("SEVBOOT_SEV_GUEST_DEV", SEV_GUEST_DEV_PATH);
	uint8_t d[SEV_GUEST_REPORT_DATA_LEN];
	char err[512];
	int ret, fw = -1;

	ret = report_data(cmd, o, d);
	if (!ret)
		ret = pick_via(cmd, o->via, true, &r->via);
	if (ret)
		return ret;
	if (r->via == VIA_TSM) {
		struct sev_tsm t = {
			.dir = env_or("SEVBOOT_TSM_DIR", SEV_TSM_REPORT_PATH)};
		struct sev_tsm_result tr;

		ret = sev_tsm_report(&t, d, (uint32_t)o->vmpl, &tr, err,
				     sizeof(err));
		if (!ret &&
		    (tr.report_len > sizeof(r->report) || !tr.report_len)) {
			set_err(err, sizeof(err),
				"configfs-tsm gave a report of %zu bytes",
				tr.report_len);
			sev_tsm_result_free(&tr);
			ret = -EBADMSG;
		}
		if (!ret) {
			memcpy(r->report, tr.report, tr.report_len);
			r->len = tr.report_len;
			r->certs = certs ? tr.aux : NULL;
			r->certs_len = certs ? tr.aux_len : 0;
			if (certs)
				tr.aux = NULL;
			sev_tsm_result_free(&tr);
		}
	} else {
		struct sev_guest g;

		ret = sev_guest_open(&g, dev, err, sizeof(err));
		if (!ret && certs)
			ret = sev_guest_ext_report(
				&g, d, (uint32_t)o->vmpl, r->report,
				sizeof(r->report), &r->len, &r->certs,
				&r->certs_len, &fw, err, sizeof(err));
		else if (!ret)
			ret = sev_guest_report(&g, d, (uint32_t)o->vmpl,
					       r->report, sizeof(r->report),
					       &r->len, &fw, err, sizeof(err));
		sev_guest_close(&g);
	}
	if (ret) {
		guest_error(cmd, "%s", err);
		return request_exit(ret, fw);
	}
	return 0;
}

/* FILE split into its directory and name, for cli_write_file. */
static int split_path(const char *cmd, const char *path, char *dir, size_t dlen,
		      const char **name)
{
	const char *slash = strrchr(path, '/');

	if (!*path || (slash && !slash[1])) {
		guest_error(cmd, "--out %s: must name a file", path);
		return EXIT_USAGE;
	}
	if (!slash) {
		snprintf(dir, dlen, ".");
		*name = path;
	} else if ((size_t)(slash - path) >= dlen) {
		guest_error(cmd, "--out %s: the path is too long", path);
		return EXIT_USAGE;
	} else {
		memcpy(dir, path, (size_t)(slash - path));
		dir[slash == path ? 1 : slash - path] = '\0';
		if (slash == path)
			dir[0] = '/';
		*name = slash + 1;
	}
	return 0;
}

static const char *via_name(enum via v)
{
	return v == VIA_TSM ? "configfs-tsm" : "/dev/sev-guest";
}

static int cmd_report(int argc, char **argv)
{
	struct guest_opts o = {0};
	struct cli_written w = {.n = 0};
	struct report_out r = {0};
	const char *name;
	char dir[4096];
	int ret;

	ret = cli_parse(&guest_report_spec, argc, argv, &o, NULL);
	if (ret >= 0)
		return ret;
	if (!o.out)
		return cli_error(&guest_report_spec,
				 "--out FILE is required (see --help)");
	ret = split_path("report", o.out, dir, sizeof(dir), &name);
	if (!ret)
		ret = get_report("report", &o, false, &r);
	if (!ret)
		ret = cli_write_file("guest report", dir, name, r.report, r.len,
				     0644, &w);
	if (ret)
		return ret;
	if (o.json) {
		struct json_writer j = {0};

		jw_begin(&j);
		jw_key(&j, "report");
		jw_cstr(&j, o.out);
		jw_key(&j, "bytes");
		jw_uint(&j, r.len);
		jw_key(&j, "via");
		jw_cstr(&j, via_name(r.via));
		jw_end(&j);
		return json_out(&j);
	}
	printf("sevboot: guest report: %s (%zu bytes, through %s)\n", o.out,
	       r.len, via_name(r.via));
	return 0;
}

/* ------------------------------------------------------------ ext-report */

/* A DER certificate as PEM text into out (cap bytes); its length, or 0
 * when it does not fit. */
static size_t der_to_pem(const uint8_t *der, size_t n, char *out, size_t cap)
{
	static const char head[] = "-----BEGIN CERTIFICATE-----\n";
	static const char tail[] = "-----END CERTIFICATE-----\n";
	size_t b64 = BASE64_LEN(n), need, len = 0;
	char *text = malloc(b64 + 1);

	need = sizeof(head) + b64 + b64 / 64 + 2 + sizeof(tail);
	if (!text || need > cap) {
		free(text);
		return 0;
	}
	base64_encode(der, n, text);
	len += (size_t)snprintf(out, cap, "%s", head);
	for (size_t i = 0; i < b64; i += 64) {
		size_t k = b64 - i < 64 ? b64 - i : 64;

		memcpy(out + len, text + i, k);
		len += k;
		out[len++] = '\n';
	}
	len += (size_t)snprintf(out + len, cap - len, "%s", tail);
	free(text);
	return len;
}

/* Each certificate of the table as its own file; ASK + ARK as
 * chain.pem.  Names go to the JSON/text summary. */
static int write_certs(const char *cmd, const char *dir, const uint8_t *t,
		       size_t tlen, struct cli_written *w, char names[][64],
		       size_t *nnames)
{
	struct sev_cert_entry e[MAX_CERTS];
	const uint8_t *ask = NULL, *ark = NULL;
	size_t n, ask_len = 0, ark_len = 0;
	char err[256], chain[2 * 8192];
	int ret;

	*nnames = 0;
	if (sev_cert_table_parse(t, tlen, e, MAX_CERTS, &n, err, sizeof(err))) {
		guest_error(cmd, "the hypervisor's certificates: %s", err);
		return EXIT_SEV;
	}
	for (size_t i = 0; i < n; i++) {
		const uint8_t *c = t + e[i].offset;
		const char *kind = sev_cert_guid_name(&e[i].guid);
		bool pem = e[i].length > 10 && !memcmp(c, "-----BEGIN", 10);
		char g[37];

		guid_format(&e[i].guid, g);
		if (kind)
			snprintf(names[i], 64, "%s.%s", kind,
				 pem ? "pem" : "der");
		else
			snprintf(names[i], 64, "cert-%s.bin", g);
		ret = cli_write_file(cmd, dir, names[i], c, e[i].length, 0644,
				     w);
		if (ret)
			return ret;
		*nnames = i + 1;
		if (kind && !pem && !strcmp(kind, "ask"))
			ask = c, ask_len = e[i].length;
		if (kind && !pem && !strcmp(kind, "ark"))
			ark = c, ark_len = e[i].length;
	}
	if (ask && ark) {
		size_t a = der_to_pem(ask, ask_len, chain, sizeof(chain));
		size_t b = a ? der_to_pem(ark, ark_len, chain + a,
					  sizeof(chain) - a)
			     : 0;

		if (a && b) {
			ret = cli_write_file(cmd, dir, "chain.pem", chain,
					     a + b, 0644, w);
			if (ret)
				return ret;
			snprintf(names[(*nnames)++], 64, "chain.pem");
		}
	}
	return 0;
}

static int cmd_ext_report(int argc, char **argv)
{
	static const char *const fixed[] = {"report.bin", "certs.bin",
					    "chain.pem", NULL};
	struct guest_opts o = {0};
	struct cli_written w = {.n = 0};
	struct report_out r = {0};
	char names[MAX_CERTS + 1][64];
	size_t n = 0;
	int ret;

	ret = cli_parse(&guest_ext_report_spec, argc, argv, &o, NULL);
	if (ret >= 0)
		return ret;
	if (!o.out)
		return cli_error(&guest_ext_report_spec,
				 "--out DIR is required (see --help)");
	ret = get_report("ext-report", &o, true, &r);
	if (!ret)
		ret = cli_ensure_dir("guest ext-report", o.out);
	if (!ret)
		ret = cli_check_absent("guest ext-report", o.out, fixed);
	if (!ret)
		ret = cli_write_file("guest ext-report", o.out, "report.bin",
				     r.report, r.len, 0644, &w);
	if (!ret && r.certs && r.certs_len)
		ret = cli_write_file("guest ext-report", o.out, "certs.bin",
				     r.certs, r.certs_len, 0644, &w);
	if (!ret && r.certs && r.certs_len)
		ret = write_certs("guest ext-report", o.out, r.certs,
				  r.certs_len, &w, names, &n);
	free(r.certs);
	if (ret) {
		cli_written_undo(&w);
		return ret;
	}
	if (o.json) {
		struct json_writer j = {0};
		char list[(MAX_CERTS + 1) * 70 + 3];
		size_t used = 0;

		/* Our own names (kind.der, cert-GUID.bin, chain.pem): no
		 * character needs escaping. */
		list[used++] = '[';
		for (size_t i = 0; i < n; i++)
			used += (size_t)snprintf(
				list + used, sizeof(list) - used, "%s\"%s\"",
				i ? "," : "", names[i]);
		snprintf(list + used, sizeof(list) - used, "]");
		jw_begin(&j);
		jw_key(&j, "dir");
		jw_cstr(&j, o.out);
		jw_key(&j, "report");
		jw_cstr(&j, "report.bin");
		jw_key(&j, "bytes");
		jw_uint(&j, r.len);
		jw_key(&j, "via");
		jw_cstr(&j, via_name(r.via));
		jw_key(&j, "certificates");
		jw_raw(&j, list);
		jw_end(&j);
		return json_out(&j);
	} else {
		printf("sevboot: guest ext-report: %s/report.bin (%zu bytes, "
		       "through %s); %s",
		       o.out, r.len, via_name(r.via),
		       n ? "certificates:" : "the host gave no certificates");
		for (size_t i = 0; i < n; i++)
			printf(" %s", names[i]);
		printf("\n");
	}
	return 0;
}

/* ------------------------------------------------------------ derived-key */

static int key_request(const struct guest_opts *o, struct sev_guest_key_req *k)
{
	static const char *const fields[] = {
		"policy", "image-id", "family-id", "measurement",
		"svn",	  "tcb",      "launch-mit"};
	const char *p = o->fields;

	memset(k, 0, sizeof(*k));
	if (o->root_key && !strcmp(o->root_key, "vmrk"))
		k->root_key_select = 1;
	else if (o->root_key && strcmp(o->root_key, "vcek"))
		return cli_error(&guest_key_spec,
				 "--root-key %s: must be vcek or vmrk",
				 o->root_key);
	if (o->key && !strcmp(o->key, "vcek"))
		k->root_key_select |= 1u << 1;
	else if (o->key && !strcmp(o->key, "vlek"))
		k->root_key_select |= 2u << 1;
	else if (o->key && strcmp(o->key, "auto"))
		return cli_error(&guest_key_spec,
				 "--key %s: must be auto, vcek or vlek",
				 o->key);
	while (p && *p) {
		size_t len = strcspn(p, ","), i;

		for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
			if (strlen(fields[i]) == len &&
			    !strncmp(p, fields[i], len))
				break;
		if (i == sizeof(fields) / sizeof(fields[0]))
			return cli_error(&guest_key_spec,
					 "--fields %s: '%.*s' is not one of "
					 "policy, image-id, family-id, "
					 "measurement, svn, tcb, launch-mit",
					 o->fields, (int)len, p);
		k->guest_field_select |= 1ull << i;
		p += len + (p[len] == ',');
	}
	k->vmpl = (uint32_t)o->vmpl;
	k->guest_svn = (uint32_t)o->guest_svn;
	k->tcb_version = o->tcb_version;
	return 0;
}

static int cmd_derived_key(int argc, char **argv)
{
	const char *dev = env_or("SEVBOOT_SEV_GUEST_DEV", SEV_GUEST_DEV_PATH);
	struct guest_opts o = {0};
	struct cli_written w = {.n = 0};
	struct sev_guest_key_req k;
	struct sev_guest g;
	uint8_t key[SEV_GUEST_KEY_LEN];
	char err[512], dir[4096], hex[2 * SEV_GUEST_KEY_LEN + 1];
	const char *name = NULL;
	enum via via;
	int ret, fw = -1;

	ret = cli_parse(&guest_key_spec, argc, argv, &o, NULL);
	if (ret >= 0)
		return ret;
	if (!o.out)
		return cli_error(&guest_key_spec,
				 "--out FILE|- is required (see --help)");
	ret = key_request(&o, &k);
	if (!ret && strcmp(o.out, "-"))
		ret = split_path("derived-key", o.out, dir, sizeof(dir), &name);
	if (!ret)
		ret = pick_via("derived-key", "ioctl", false, &via);
	if (ret)
		return ret;
	ret = sev_guest_open(&g, dev, err, sizeof(err));
	if (!ret)
		ret = sev_guest_derived_key(&g, &k, key, &fw, err, sizeof(err));
	sev_guest_close(&g);
	if (ret) {
		guest_error("derived-key", "%s", err);
		return request_exit(ret, fw);
	}
	if (!name) {
		hex_encode(key, sizeof(key), hex);
		printf("%s\n", hex);
		OPENSSL_cleanse(hex, sizeof(hex));
	} else {
		ret = cli_write_file("guest derived-key", dir, name, key,
				     sizeof(key), 0600, &w);
	}
	OPENSSL_cleanse(key, sizeof(key));
	return ret;
}

int cmd_guest(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*run)(int, char **);
	} subs[] = {{"report", cmd_report},
		    {"ext-report", cmd_ext_report},
		    {"derived-key", cmd_derived_key}};
	char shown[CLI_WORD_MAX];

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		cli_usage(&guest_spec, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : 0;
	}
	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
		if (!strcmp(argv[1], subs[i].name))
			return subs[i].run(argc - 1, argv + 1);
	return cli_error(&guest_spec,
			 "unknown command '%s' (report, ext-report or "
			 "derived-key)",
			 cli_word(shown, sizeof(shown), argv[1], SIZE_MAX));
}
