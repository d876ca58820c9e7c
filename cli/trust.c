// SPDX-License-Identifier: MIT
/*
 * The guest owner's trust commands:
 *
 *   sevboot verify-chain FILE... | --dir DIR [--ark FILE] [--at TIME]
 *   sevboot verify-report --report FILE [--vcek|--vlek FILE] ...
 *   sevboot show-report [--json] FILE
 *
 * They check AMD certificate chains and attestation reports (owner/'s
 * cert.c, x509.c, report.c) and print every check: one line each, a
 * failed one naming what was expected and what was found.  Exit 0 only
 * when every check holds; 5 when one fails (a signature, a link, a
 * validity date, a field the user expects); 3 for a file that is not
 * what it should be; 2 for usage.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/x509.h>

#include "cli/cli.h"
#include "loader/loader.h"
#include "owner/owner.h"
#include "util/util.h"

#define TRUST_FILE_MAX (1 << 20) /* no certificate or report is larger */
#define DIR_MAX_FILES  CLI_MAX_ARGS

/* A whole input file; the error names opt (may be "") and path. */
static int read_input(const char *cmd, const char *opt, const char *path,
		      struct blob *b)
{
	char why[256] = "";
	int ret = file_read(path, TRUST_FILE_MAX, b, why, sizeof(why));

	if (!ret)
		return 0;
	cli_cmd_error(cmd, "%s%s%s: %s", opt, *opt ? " " : "", path,
		    ret == -ENOMEM ? "out of memory"
		    : why[0]	   ? why
				   : strerror(-ret));
	return ret == -ENOMEM ? EXIT_RUNTIME : EXIT_BAD_INPUT;
}

/*
 * --at TIME: "YYYY-MM-DD", "YYYY-MM-DDTHH:MM:SSZ" (or a space for the T),
 * all UTC, or "@SECONDS" since the epoch.
 */
static const char *parse_time(const char *s, int64_t *out)
{
	static const char *const formats[] = {"%Y-%m-%dT%H:%M:%SZ",
					      "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"};
	uint64_t v;

	if (s[0] == '@') {
		if (cli_parse_num(s + 1, false, INT64_MAX, &v))
			return "must be @SECONDS since 1970";
		*out = (int64_t)v;
		return NULL;
	}
	for (size_t k = 0; k < sizeof(formats) / sizeof(formats[0]); k++) {
		struct tm tm = {0};
		const char *end = strptime(s, formats[k], &tm);

		if (end && !*end) {
			*out = (int64_t)timegm(&tm);
			return NULL;
		}
	}
	return "must be YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ (UTC) or @SECONDS";
}

/* ------------------------------------------------------------- output */

/* The checks, one a line, and the verdict. */
static void print_checks(const struct trust_result *r)
{
	for (unsigned k = 0; k < r->n; k++) {
		const struct trust_check *c = &r->check[k];

		printf("%-7s %s%s%s\n", c->ok ? "ok" : "FAILED", c->what,
		       c->text[0] ? ": " : "", c->text);
	}
	if (!r->failed)
		printf("verified: all %u checks hold\n", r->n);
	else
		printf("NOT verified: %u of %u checks failed%s\n", r->failed,
		       r->n, r->expired ? " (a certificate has expired)" : "");
}

/* The checks as a JSON array text (the writer has objects only): one
 * object per check, {"check","ok","detail"}.  NULL: out of memory. */
static char *checks_array(const struct trust_result *r)
{
	size_t len = 1, cap = 2;
	char *out = malloc(cap), *one, *nb;
	size_t n;

	if (!out)
		return NULL;
	out[0] = '[';
	for (unsigned k = 0; k < r->n; k++) {
		struct json_writer w = {0};

		jw_begin(&w);
		jw_key(&w, "check");
		jw_cstr(&w, r->check[k].what);
		jw_key(&w, "ok");
		jw_bool(&w, r->check[k].ok);
		jw_key(&w, "detail");
		jw_cstr(&w, r->check[k].text);
		jw_end(&w);
		if (jw_finish(&w, &one, &n))
			goto fail;
		nb = realloc(out, cap = len + n + 3);
		if (!nb) {
			free(one);
			goto fail;
		}
		out = nb;
		if (k)
			out[len++] = ',';
		memcpy(out + len, one, n);
		len += n;
		free(one);
	}
	out[len++] = ']';
	out[len] = '\0';
	return out;
fail:
	free(out);
	return NULL;
}

/* The verdict members of a JSON answer: "checks", "failed", "expired",
 * "verified". */
static void json_verdict(struct json_writer *w, const struct trust_result *r)
{
	char *arr = checks_array(r);

	jw_key(w, "checks");
	if (!arr) {
		w->err = -ENOMEM;
		return;
	}
	jw_raw(w, arr);
	free(arr);
	jw_key(w, "failed");
	jw_uint(w, r->failed);
	jw_key(w, "expired");
	jw_bool(w, r->expired);
	jw_key(w, "verified");
	jw_bool(w, r->failed == 0);
}

/* Print a finished writer's text and a newline; an exit code. */
static int json_print(const char *cmd, struct json_writer *w)
{
	char *text;
	size_t len;

	if (jw_finish(w, &text, &len)) {
		cli_cmd_error(cmd, "out of memory");
		return EXIT_RUNTIME;
	}
	printf("%s\n", text);
	free(text);
	return 0;
}

/* A verification's JSON answer, begun by the caller: its last members
 * ("product" and the verdict's), closed and printed; an exit code. */
static int json_result(const char *cmd, struct json_writer *w, int product,
		       const struct trust_result *r)
{
	jw_key(w, "product");
	jw_cstr(w, amd_product_name(product));
	json_verdict(w, r);
	jw_end(w);
	return json_print(cmd, w);
}

/* What a verification's result means for the exit code. */
static int verdict_exit(const char *cmd, const struct trust_result *r)
{
	if (fflush(stdout) || ferror(stdout)) {
		cli_cmd_error(cmd, "cannot write the result: %s",
			    strerror(errno));
		return EXIT_RUNTIME;
	}
	return r->failed ? EXIT_SEV : 0;
}

/* ------------------------------------------------------------ the roots */

/* --ark FILE: an AMD CA ARK (SEV) or an X.509 ARK (SNP). */
struct ark_root {
	bool sev, snp;
	struct amd_cert amd;
	X509 *x509;
};

static int read_ark(const char *cmd, const char *path, struct ark_root *root)
{
	struct snp_chain ch = {.product = AMD_PRODUCT_UNKNOWN};
	struct blob b;
	char err[256] = "";
	int ret;

	ret = read_input(cmd, "--ark", path, &b);
	if (ret)
		return ret;
	if (snp_cert_looks_x509(b.data, b.len)) {
		ret = snp_chain_add(&ch, b.data, b.len, err, sizeof(err));
		if (!ret && (!ch.ark || ch.ask || ch.asvk || ch.vek)) {
			set_err(err, sizeof(err),
				"expected one ARK certificate (CN=ARK-...), "
				"found other certificates");
			ret = -EINVAL;
		}
		root->x509 = ch.ark;
		root->snp = !ret;
		ch.ark = NULL;
		snp_chain_free(&ch);
	} else {
		ret = amd_cert_parse(b.data, b.len, NULL, &root->amd, err,
				     sizeof(err));
		if (!ret && root->amd.usage != AMD_USAGE_ARK) {
			set_err(err, sizeof(err),
				"expected an ARK (key usage 0x0), found an "
				"ASK (0x13)");
			ret = -EINVAL;
		}
		root->sev = !ret;
	}
	blob_free(&b);
	if (ret)
		cli_cmd_error(cmd, "--ark %s: %s", path, err);
	return ret ? EXIT_BAD_INPUT : 0;
}

/* ---------------------------------------------------------- verify-chain */

struct chain_opts {
	const char *dir, *ark, *at;
	bool json;
};

#define CHAIN(field) CLI_FIELD(struct chain_opts, field)

/* clang-format off */
static const struct cli_opt chain_options[] = {
	{ "dir", .arg = CLI_STRING, CHAIN(dir), .meta = "DIR",
	  .help = "check every file in DIR (as sevctl export or AMD's KDS "
		  "leave them) instead of FILE..." },
	{ "ark", .arg = CLI_STRING, CHAIN(ark), .meta = "FILE",
	  .help = "trust this ARK instead of AMD's built-in ones (an AMD CA "
		  "certificate, or X.509 PEM/DER)" },
	{ "at", .arg = CLI_STRING, CHAIN(at), .meta = "TIME",
	  .help = "check the X.509 validity dates at TIME (YYYY-MM-DD, "
		  "YYYY-MM-DDTHH:MM:SSZ, @SECONDS; UTC) instead of now" },
	{ "json", .arg = CLI_FLAG, CHAIN(json),
	  .help = "print the checks as one JSON object" },
	{ .arg = CLI_END },
};
/* clang-format on */

const struct cli_spec verify_chain_spec = {
	.name = "verify-chain",
	.prefix = "sevboot: verify-chain: ",
	.synopsis = "verify-chain [--ark FILE] [--at TIME] [--json] FILE... | "
		    "--dir DIR",
	.about = "Check an AMD certificate chain up to AMD's root key (ARK), "
		 "built into\n"
		 "sevboot, or the --ark given.  SEV: ARK, ASK (AMD CA format), "
		 "CEK, OCA,\n"
		 "PEK, PDH (0x824-byte SEV certificates), one per file or "
		 "concatenated as\n"
		 "sevctl export writes them.  SNP: X.509 ARK, ASK, ASVK, VCEK, "
		 "VLEK, in\n"
		 "PEM (one or more) or DER; a VCEK alone is checked with the "
		 "built-in ASK\n"
		 "and ARK of the product its issuer names.  Each check is one "
		 "line.\n",
	.opts = chain_options,
	.notes = "Exit codes: 0 every check holds, 2 usage, 3 bad input file, "
		 "5 a check\n"
		 "failed (a signature, a missing link, an expired "
		 "certificate).\n",
	.max_args = CLI_MAX_ARGS,
};

/* The files of DIR (regular, not hidden), sorted, into paths[]. */
static int dir_files(const char *cmd, const char *dir, char **paths,
		     unsigned *n)
{
	struct dirent **ents = NULL;
	int k, count = scandir(dir, &ents, NULL, alphasort), rc = 0;

	*n = 0;
	if (count < 0) {
		cli_cmd_error(cmd, "--dir %s: %s", dir, strerror(errno));
		return EXIT_BAD_INPUT;
	}
	for (k = 0; k < count; k++) {
		const struct dirent *e = ents[k];

		if (e->d_name[0] == '.' ||
		    (e->d_type != DT_REG && e->d_type != DT_UNKNOWN &&
		     e->d_type != DT_LNK))
			continue;
		if (*n == DIR_MAX_FILES) {
			cli_cmd_error(cmd, "--dir %s: more than %d files", dir,
				    DIR_MAX_FILES);
			rc = EXIT_BAD_INPUT;
			break;
		}
		if (asprintf(&paths[*n], "%s/%s", dir, e->d_name) < 0) {
			cli_cmd_error(cmd, "out of memory");
			rc = EXIT_RUNTIME;
			break;
		}
		(*n)++;
	}
	for (k = 0; k < count; k++)
		free(ents[k]);
	free(ents);
	if (!rc && !*n) {
		cli_cmd_error(cmd, "--dir %s: no files in it", dir);
		rc = EXIT_BAD_INPUT;
	}
	return rc;
}

/* Everything verify-chain holds. */
struct chain_input {
	struct blob b[CLI_MAX_ARGS];
	unsigned nb;
	struct sev_chain sev;
	struct amd_cert amd[2];
	struct snp_chain snp;
	bool have_sev, have_snp;
	struct ark_root root;
};

static void chain_input_free(struct chain_input *in)
{
	for (unsigned k = 0; k < in->nb; k++)
		blob_free(&in->b[k]);
	snp_chain_free(&in->snp);
	X509_free(in->root.x509);
}

/* Read and sort one file into in. */
static int chain_file(const char *cmd, const char *path, struct chain_input *in)
{
	struct blob *b = &in->b[in->nb];
	char err[300] = "";
	int ret;

	ret = read_input(cmd, "", path, b);
	if (ret)
		return ret;
	in->nb++;
	if (snp_cert_looks_x509(b->data, b->len)) {
		ret = snp_chain_add(&in->snp, b->data, b->len, err,
				    sizeof(err));
		in->have_snp = true;
	} else {
		ret = sev_chain_add(&in->sev, in->amd, b->data, b->len, err,
				    sizeof(err));
		in->have_sev = true;
	}
	if (ret) {
		cli_cmd_error(cmd, "%s: %s", path, err);
		return ret == -ENOMEM ? EXIT_RUNTIME : EXIT_BAD_INPUT;
	}
	return 0;
}

static int chain_inputs(const char *cmd, const struct chain_opts *o,
			const struct cli_args *args, struct chain_input *in)
{
	char *paths[DIR_MAX_FILES];
	unsigned n = 0;
	int rc = 0;

	if (o->dir) {
		rc = dir_files(cmd, o->dir, paths, &n);
		for (unsigned k = 0; !rc && k < n; k++)
			rc = chain_file(cmd, paths[k], in);
		for (unsigned k = 0; k < n; k++)
			free(paths[k]);
	} else {
		for (unsigned k = 0; !rc && k < args->n; k++)
			rc = chain_file(cmd, args->v[k], in);
	}
	if (!rc && in->have_sev && in->have_snp) {
		cli_cmd_error(cmd, "give the certificates of one chain: SEV "
				 "(AMD's formats) or SNP (X.509), not both");
		rc = EXIT_USAGE;
	}
	if (!rc && o->ark)
		rc = read_ark(cmd, o->ark, &in->root);
	if (!rc && o->ark && (in->root.sev != in->have_sev)) {
		cli_cmd_error(cmd, "--ark %s is %s, the chain is %s", o->ark,
			    in->root.sev ? "an AMD CA certificate (SEV)"
					 : "X.509 (SNP)",
			    in->have_sev ? "SEV's" : "SNP's");
		rc = EXIT_USAGE;
	}
	return rc;
}

static int chain_opts_parse(int argc, char **argv, struct chain_opts *o,
			    struct cli_args *args, int64_t *at)
{
	const char *why;
	int rc = cli_parse(&verify_chain_spec, argc, argv, o, args);

	if (rc >= 0)
		return rc;
	if (o->dir && args->n)
		return cli_error(&verify_chain_spec,
				 "give FILE... or --dir DIR, not both");
	if (!o->dir && !args->n)
		return cli_error(&verify_chain_spec,
				 "missing FILE... or --dir DIR (usage: "
				 "sevboot %s)",
				 verify_chain_spec.synopsis);
	*at = (int64_t)time(NULL);
	if (o->at && (why = parse_time(o->at, at)))
		return cli_error(&verify_chain_spec, "--at %s: %s", o->at, why);
	return -1;
}

int cmd_verify_chain(int argc, char **argv)
{
	static const char cmd[] = "verify-chain";
	struct chain_opts o = {.dir = NULL};
	struct chain_input *in = calloc(1, sizeof(*in));
	struct trust_result *r = malloc(sizeof(*r));
	struct json_writer w = {0};
	struct cli_args args;
	int64_t at = 0;
	int rc, product = AMD_PRODUCT_UNKNOWN;

	if (!in || !r) {
		free(in);
		free(r);
		cli_cmd_error(cmd, "out of memory");
		return EXIT_RUNTIME;
	}
	in->snp.product = AMD_PRODUCT_UNKNOWN;
	trust_result_init(r);
	rc = chain_opts_parse(argc, argv, &o, &args, &at);
	if (rc >= 0)
		goto out;
	rc = chain_inputs(cmd, &o, &args, in);
	if (rc)
		goto out;
	if (in->have_sev)
		rc = sev_chain_verify(&in->sev,
				      in->root.sev ? &in->root.amd : NULL, r,
				      &product);
	else
		rc = snp_chain_verify(&in->snp, in->root.x509, at, r);
	if (rc) {
		cli_cmd_error(cmd, "out of memory");
		rc = EXIT_RUNTIME;
		goto out;
	}
	if (in->have_snp)
		product = in->snp.product;
	if (o.json) {
		jw_begin(&w);
		jw_key(&w, "chain");
		jw_cstr(&w, in->have_sev ? "sev" : "snp");
		rc = json_result(cmd, &w, product, r);
		if (rc)
			goto out;
	} else {
		printf("%s chain, %s\n", in->have_sev ? "SEV" : "SNP",
		       amd_product_name(product));
		print_checks(r);
	}
	rc = verdict_exit(cmd, r);
out:
	chain_input_free(in);
	free(in);
	free(r);
	return rc;
}

/* --------------------------------------------------------- verify-report */

struct report_opts {
	const char *report, *vcek, *vlek, *chain, *ark, *at;
	const char *measurement, *report_data, *report_data_file, *host_data;
	const char *min_tcb, *family_id, *image_id, *id_key_digest;
	const char *author_key_digest, *mnonce;
	uint64_t policy;
	uint32_t vmpl;
	bool have_policy, have_vmpl, json;
};

#define REP(field) CLI_FIELD(struct report_opts, field)

/* clang-format off */
static const struct cli_opt report_options[] = {
	{ "report", .arg = CLI_STRING, REP(report), .meta = "FILE",
	  .help = "the attestation report: SNP (1184 bytes) or SEV (208), raw "
		  "or as hex text" },
	{ "vcek", .arg = CLI_STRING, REP(vcek), .meta = "FILE",
	  .help = "SNP: the VCEK certificate (PEM or DER) that signed it" },
	{ "vlek", .arg = CLI_STRING, REP(vlek), .meta = "FILE",
	  .help = "SNP: or the VLEK certificate" },
	{ "chain", .arg = CLI_STRING, REP(chain), .meta = "FILE",
	  .help = "SNP: the ASK (or ASVK) and ARK, PEM, as AMD's KDS gives "
		  "them (default: built in); SEV: the platform's chain, PEK "
		  "at least (sevctl export), which the report's PEK must "
		  "lead up to an ARK" },
	{ "ark", .arg = CLI_STRING, REP(ark), .meta = "FILE",
	  .help = "trust this ARK instead of AMD's built-in ones" },
	{ "at", .arg = CLI_STRING, REP(at), .meta = "TIME",
	  .help = "check validity dates at TIME instead of now (as for "
		  "verify-chain)" },
	{ .arg = CLI_SECTION,
	  .help = "What the report must say (each one given is checked):" },
	{ "measurement", .arg = CLI_STRING, REP(measurement), .meta = "HEX",
	  .help = "the launch measurement: 48 bytes (SNP), or the 32-byte "
		  "launch digest (SEV)" },
	{ "report-data", .arg = CLI_STRING, REP(report_data), .meta = "HEX",
	  .help = "REPORT_DATA, up to 64 bytes (zero-padded to 64)" },
	{ "report-data-file", .arg = CLI_STRING, REP(report_data_file),
	  .meta = "FILE", .help = "REPORT_DATA from a file of up to 64 bytes" },
	{ "host-data", .arg = CLI_STRING, REP(host_data), .meta = "HEX",
	  .help = "HOST_DATA, 32 bytes" },
	{ "policy", .arg = CLI_HEX, REP(policy), .max = UINT64_MAX,
	  CLI_ALSO(struct report_opts, have_policy), .meta = "HEX",
	  .bad = "must be a 64-bit hex number",
	  .help = "the guest policy, exactly" },
	{ "min-tcb", .arg = CLI_STRING, REP(min_tcb), .meta = "TCB",
	  .help = "SNP: the lowest REPORTED_TCB accepted, as a TCB_VERSION "
		  "(0x...) or bl=N,tee=N,snp=N,ucode=N[,fmc=N]" },
	{ "vmpl", .arg = CLI_UINT, REP(vmpl), .max = 3,
	  CLI_ALSO(struct report_opts, have_vmpl), .meta = "N",
	  .help = "SNP: the VMPL the report was requested at (0-3)" },
	{ "family-id", .arg = CLI_STRING, REP(family_id), .meta = "HEX",
	  .help = "SNP: FAMILY_ID, 16 bytes" },
	{ "image-id", .arg = CLI_STRING, REP(image_id), .meta = "HEX",
	  .help = "SNP: IMAGE_ID, 16 bytes" },
	{ "id-key-digest", .arg = CLI_STRING, REP(id_key_digest),
	  .meta = "HEX", .help = "SNP: ID_KEY_DIGEST, 48 bytes" },
	{ "author-key-digest", .arg = CLI_STRING, REP(author_key_digest),
	  .meta = "HEX", .help = "SNP: AUTHOR_KEY_DIGEST, 48 bytes" },
	{ "mnonce", .arg = CLI_STRING, REP(mnonce), .meta = "HEX",
	  .help = "SEV: MNONCE, the 16 bytes the report was asked for with "
		  "(query-sev-attestation-report): a fresh report" },
	{ "json", .arg = CLI_FLAG, REP(json),
	  .help = "print the checks as one JSON object" },
	{ .arg = CLI_END },
};
/* clang-format on */

const struct cli_spec verify_report_spec = {
	.name = "verify-report",
	.prefix = "sevboot: verify-report: ",
	.synopsis = "verify-report --report FILE [--vcek|--vlek FILE] "
		    "[--chain FILE] [--ark FILE] [OPTIONS]",
	.about = "Check an attestation report.  SNP: its signature by the VCEK "
		 "or VLEK, that\n"
		 "certificate's chain up to AMD's ARK, the chip id and "
		 "REPORTED_TCB against\n"
		 "the VCEK's extensions, and every field given below.  SEV "
		 "(the ATTESTATION\n"
		 "command's report): its PEK signature, the PEK's chain, the "
		 "launch digest\n"
		 "and policy.  Each check is one line.\n",
	.opts = report_options,
	.notes = "Exit codes: 0 every check holds, 1 runtime failure, 2 usage, "
		 "3 bad input\n"
		 "file, 5 a check failed.\n",
};

/* HEX of exactly n bytes (or at most n, zero-padded, when pad). */
static int opt_hex(const char *opt, const char *s, uint8_t *out, size_t n,
		   bool pad)
{
	size_t len = strlen(s);

	if (len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
		len -= 2;
	}
	memset(out, 0, n);
	if ((pad ? len > 2 * n || !len || len % 2 : len != 2 * n) ||
	    hex_decode(s, len, out, len / 2)) {
		cli_error(&verify_report_spec,
			  "%s %s: must be %s%zu bytes as %s%zu hex digits", opt,
			  s, pad ? "up to " : "", n, pad ? "up to " : "",
			  2 * n);
		return EXIT_USAGE;
	}
	return 0;
}

/* --min-tcb: a TCB_VERSION (*raw, split once the product is known), or
 * named parts. */
static int opt_min_tcb(const char *s, struct snp_tcb *t, bool *is_raw,
		       uint64_t *raw)
{
	static const char *const names[] = {"fmc", "bl", "tee", "snp", "ucode"};
	char *dup, *tok, *save = NULL;
	int rc = 0;

	*is_raw = !strncmp(s, "0x", 2) || !strncmp(s, "0X", 2);
	if (*is_raw)
		return cli_parse_num(s, true, UINT64_MAX, raw)
			       ? cli_error(&verify_report_spec,
					   "--min-tcb %s: must be a 64-bit "
					   "hex TCB_VERSION",
					   s)
			       : 0;
	dup = strdup(s);
	if (!dup)
		return EXIT_RUNTIME;
	memset(t, 0, sizeof(*t));
	for (tok = strtok_r(dup, ",", &save); tok && !rc;
	     tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');
		uint64_t v;
		size_t k;

		for (k = 0; eq && k < 5; k++)
			if ((size_t)(eq - tok) == strlen(names[k]) &&
			    !strncmp(tok, names[k], strlen(names[k])))
				break;
		if (!eq || k == 5 || cli_parse_num(eq + 1, false, 255, &v)) {
			rc = cli_error(&verify_report_spec,
				       "--min-tcb %s: must be 0x... or "
				       "bl=N,tee=N,snp=N,ucode=N[,fmc=N] "
				       "(N from 0 to 255)",
				       s);
			break;
		}
		*(uint8_t *[]){&t->fmc, &t->bl, &t->tee, &t->snp,
			       &t->ucode}[k] = (uint8_t)v;
	}
	free(dup);
	return rc;
}

/* The expectations the options give; measurement is mlen bytes (48 SNP,
 * 32 SEV).  0 or an exit code. */
static int report_expect(const struct report_opts *o, size_t mlen,
			 struct snp_expect *x, bool *tcb_raw, uint64_t *tcb)
{
	int rc = 0;

	memset(x, 0, sizeof(*x));
	if (o->measurement && !rc) {
		x->have_measurement = true;
		rc = opt_hex("--measurement", o->measurement, x->measurement,
			     mlen, false);
	}
	if (o->report_data && o->report_data_file)
		return cli_error(&verify_report_spec,
				 "give --report-data or --report-data-file, "
				 "not both");
	if (o->report_data && !rc) {
		x->have_report_data = true;
		rc = opt_hex("--report-data", o->report_data, x->report_data,
			     64, true);
	}
	if (o->host_data && !rc) {
		x->have_host_data = true;
		rc = opt_hex("--host-data", o->host_data, x->host_data, 32,
			     false);
	}
	if (o->family_id && !rc) {
		x->have_family_id = true;
		rc = opt_hex("--family-id", o->family_id, x->family_id, 16,
			     false);
	}
	if (o->image_id && !rc) {
		x->have_image_id = true;
		rc = opt_hex("--image-id", o->image_id, x->image_id, 16, false);
	}
	if (o->id_key_digest && !rc) {
		x->have_id_key_digest = true;
		rc = opt_hex("--id-key-digest", o->id_key_digest,
			     x->id_key_digest, 48, false);
	}
	if (o->author_key_digest && !rc) {
		x->have_author_key_digest = true;
		rc = opt_hex("--author-key-digest", o->author_key_digest,
			     x->author_key_digest, 48, false);
	}
	if (o->min_tcb && !rc) {
		x->have_min_tcb = true;
		rc = opt_min_tcb(o->min_tcb, &x->min_tcb, tcb_raw, tcb);
	}
	if (o->mnonce && !rc) {
		x->have_mnonce = true;
		rc = opt_hex("--mnonce", o->mnonce, x->mnonce, 16, false);
	}
	x->have_policy = o->have_policy;
	x->policy = o->policy;
	x->have_vmpl = o->have_vmpl;
	x->vmpl = o->vmpl;
	return rc;
}

/* --report-data-file: up to 64 bytes, zero-padded. */
static int report_data_file(const char *cmd, const char *path,
			    struct snp_expect *x)
{
	struct blob b;
	int rc = read_input(cmd, "--report-data-file", path, &b);

	if (rc)
		return rc;
	if (b.len > 64) {
		cli_cmd_error(cmd,
			    "--report-data-file %s: %zu bytes; REPORT_DATA "
			    "is at most 64",
			    path, b.len);
		rc = EXIT_BAD_INPUT;
	} else {
		memset(x->report_data, 0, 64);
		memcpy(x->report_data, b.data, b.len);
		x->have_report_data = true;
	}
	blob_free(&b);
	return rc;
}

/* One certificate file into an SNP chain; opt names it in errors. */
static int snp_file(const char *cmd, const char *opt, const char *path,
		    struct snp_chain *ch)
{
	struct blob b;
	char err[300] = "";
	int rc = read_input(cmd, opt, path, &b);

	if (rc)
		return rc;
	if (snp_chain_add(ch, b.data, b.len, err, sizeof(err))) {
		cli_cmd_error(cmd, "%s %s: %s", opt, path, err);
		rc = EXIT_BAD_INPUT;
	}
	blob_free(&b);
	return rc;
}

static int snp_report_inputs(const char *cmd, const struct report_opts *o,
			     struct snp_chain *ch)
{
	int rc = 0;

	if (o->vcek)
		rc = snp_file(cmd, "--vcek", o->vcek, ch);
	else if (o->vlek)
		rc = snp_file(cmd, "--vlek", o->vlek, ch);
	if (!rc && (o->vcek || o->vlek) &&
	    (!ch->vek || ch->vek_is_vlek != !!o->vlek)) {
		cli_cmd_error(cmd, "%s %s: holds no %s certificate",
			    o->vcek ? "--vcek" : "--vlek",
			    o->vcek ? o->vcek : o->vlek,
			    o->vcek ? "VCEK (CN=SEV-VCEK)"
				    : "VLEK (CN=SEV-VLEK)");
		rc = EXIT_BAD_INPUT;
	}
	if (!rc && ch->vek) {
		struct snp_vek_ext e;
		char err[300] = "";

		if (snp_vek_extensions(ch->vek, &e, err, sizeof(err))) {
			cli_cmd_error(cmd, "%s %s: %s",
				    o->vcek ? "--vcek" : "--vlek",
				    o->vcek ? o->vcek : o->vlek, err);
			rc = EXIT_BAD_INPUT;
		}
	}
	if (!rc && o->chain)
		rc = snp_file(cmd, "--chain", o->chain, ch);
	if (!rc && !ch->vek)
		rc = cli_error(&verify_report_spec,
			       "an SNP report is checked with the VCEK or VLEK "
			       "that signed it: give --vcek FILE or --vlek "
			       "FILE");
	return rc;
}

/* A SEV report: its PEK from --chain, up to the ARK. */
static int sev_report_check(const char *cmd, const struct report_opts *o,
			    const uint8_t *raw, const struct ark_root *root,
			    const struct snp_expect *x, struct trust_result *r)
{
	struct sev_chain sev = {0};
	struct amd_cert amd[2];
	struct sev_att_report rep;
	struct blob b = {0};
	char err[300] = "";
	int rc;

	if (o->vcek || o->vlek || o->min_tcb || o->have_vmpl ||
	    x->have_report_data || o->host_data || o->family_id ||
	    o->image_id || o->id_key_digest || o->author_key_digest)
		return cli_error(&verify_report_spec,
				 "--report %s is a SEV report: it has only a "
				 "launch digest, a policy and an mnonce to "
				 "check (--measurement, --policy, --mnonce)",
				 o->report);
	if (!o->chain)
		return cli_error(&verify_report_spec,
				 "a SEV report is checked with the platform's "
				 "PEK: give --chain FILE");
	if (sev_att_report_parse(raw, &rep, err, sizeof(err))) {
		cli_cmd_error(cmd, "--report %s: %s", o->report, err);
		return EXIT_BAD_INPUT;
	}
	rc = read_input(cmd, "--chain", o->chain, &b);
	if (!rc && sev_chain_add(&sev, amd, b.data, b.len, err, sizeof(err)))
		cli_cmd_error(cmd, "--chain %s: %s", o->chain, err);
	else if (!rc && !sev.pek)
		cli_cmd_error(cmd,
			    "--chain %s: holds no PEK certificate "
			    "(usage 0x1002)",
			    o->chain);
	else if (!rc &&
		 sev_att_report_verify(raw, &sev, root->sev ? &root->amd : NULL,
				       x, r, err, sizeof(err)))
		cli_cmd_error(cmd, "%s", err);
	else
		goto out;
	if (!rc)
		rc = EXIT_BAD_INPUT;
out:
	blob_free(&b);
	return rc;
}

/* The report's verification, SNP or SEV; r filled.  0 or an exit code. */
static int report_check(const char *cmd, const struct report_opts *o,
			const uint8_t *raw, size_t rawlen,
			struct ark_root *root, struct trust_result *r,
			char *head, size_t headlen, int *product)
{
	struct snp_chain snp = {.product = AMD_PRODUCT_UNKNOWN};
	struct snp_expect x;
	struct snp_report rep;
	bool tcb_raw = false;
	uint64_t tcb = 0;
	int64_t at = (int64_t)time(NULL);
	char err[300] = "";
	const char *why;
	int rc;

	rc = report_expect(o, rawlen == SNP_REPORT_LEN ? 48 : 32, &x, &tcb_raw,
			   &tcb);
	if (!rc && o->report_data_file)
		rc = report_data_file(cmd, o->report_data_file, &x);
	if (!rc && o->at && (why = parse_time(o->at, &at)))
		rc = cli_error(&verify_report_spec, "--at %s: %s", o->at, why);
	if (rc)
		return rc;
	if (rawlen == SEV_ATT_REPORT_LEN) {
		snprintf(head, headlen,
			 "SEV attestation report, signed by "
			 "the PEK");
		return sev_report_check(cmd, o, raw, root, &x, r);
	}
	if (o->mnonce)
		return cli_error(&verify_report_spec,
				 "--report %s is an SNP report: it has no "
				 "MNONCE (--mnonce is for SEV reports; SNP "
				 "reports carry --report-data)",
				 o->report);
	if (snp_report_parse(raw, &rep, err, sizeof(err))) {
		cli_cmd_error(cmd, "--report %s: %s", o->report, err);
		return EXIT_BAD_INPUT;
	}
	rc = snp_report_inputs(cmd, o, &snp);
	if (!rc && tcb_raw)
		snp_tcb_split(tcb, snp.product, &x.min_tcb);
	if (!rc && snp_report_verify(raw, &snp, root->x509, at, &x, r, err,
				     sizeof(err))) {
		cli_cmd_error(cmd, "--report %s: %s", o->report, err);
		rc = EXIT_BAD_INPUT;
	}
	if (!rc) {
		snprintf(head, headlen, "SNP report v%u, %s, signed by the %s",
			 rep.version, amd_product_name(snp.product),
			 snp.vek_is_vlek ? "VLEK" : "VCEK");
		*product = snp.product;
	}
	snp_chain_free(&snp);
	return rc;
}

/* The report file: raw or hex, SNP or SEV. */
static int read_report(const char *cmd, const char *opt, const char *path,
		       uint8_t raw[SNP_REPORT_LEN], size_t *rawlen)
{
	struct blob b;
	char err[256] = "";
	int rc = read_input(cmd, opt, path, &b);

	if (rc)
		return rc;
	if (trust_report_read(b.data, b.len, raw, SNP_REPORT_LEN, rawlen, err,
			      sizeof(err))) {
		cli_cmd_error(cmd, "%s%s%s: %s", opt, *opt ? " " : "", path, err);
		rc = EXIT_BAD_INPUT;
	}
	blob_free(&b);
	return rc;
}

int cmd_verify_report(int argc, char **argv)
{
	static const char cmd[] = "verify-report";
	struct report_opts o = {.report = NULL};
	struct ark_root root = {0};
	struct trust_result *r = malloc(sizeof(*r));
	struct json_writer w = {0};
	uint8_t raw[SNP_REPORT_LEN];
	size_t rawlen = 0;
	char head[128] = "";
	int rc, product = AMD_PRODUCT_UNKNOWN;

	if (!r) {
		cli_cmd_error(cmd, "out of memory");
		return EXIT_RUNTIME;
	}
	trust_result_init(r);
	rc = cli_parse(&verify_report_spec, argc, argv, &o, NULL);
	if (rc >= 0)
		goto out;
	rc = 0;
	if (!o.report)
		rc = cli_error(&verify_report_spec,
			       "missing --report FILE (usage: sevboot %s)",
			       verify_report_spec.synopsis);
	else if (o.vcek && o.vlek)
		rc = cli_error(&verify_report_spec,
			       "give --vcek or --vlek, not both");
	if (!rc)
		rc = read_report(cmd, "--report", o.report, raw, &rawlen);
	if (!rc && o.ark)
		rc = read_ark(cmd, o.ark, &root);
	if (!rc && o.ark && root.sev != (rawlen == SEV_ATT_REPORT_LEN))
		rc = cli_error(&verify_report_spec,
			       "--ark %s: the report is %s, the ARK %s", o.ark,
			       root.sev ? "SNP's" : "SEV's",
			       root.sev ? "SEV's (AMD CA format)"
					: "SNP's (X.509)");
	if (!rc)
		rc = report_check(cmd, &o, raw, rawlen, &root, r, head,
				  sizeof(head), &product);
	if (rc)
		goto out;
	if (o.json) {
		jw_begin(&w);
		jw_key(&w, "report");
		jw_cstr(&w, rawlen == SNP_REPORT_LEN ? "snp" : "sev");
		jw_key(&w, "summary");
		jw_cstr(&w, head);
		rc = json_result(cmd, &w, product, r);
		if (rc)
			goto out;
	} else {
		printf("%s\n", head);
		print_checks(r);
	}
	rc = verdict_exit(cmd, r);
out:
	X509_free(root.x509);
	free(r);
	return rc;
}

/* ----------------------------------------------------------- show-report */

/* Where show-report's fields go: text lines, or members of a JSON
 * object. */
struct field_out {
	struct json_writer *w; /* NULL: text */
};

static void f_hex(struct field_out *o, const char *name, const uint8_t *p,
		  size_t n)
{
	char hex[2 * 72 + 1];

	if (o->w) {
		jw_key(o->w, name);
		jw_hex(o->w, p, n);
		return;
	}
	hex_encode(p, n, hex);
	printf("%-19s %s\n", name, hex);
}

/* A number, and in text a note after it (may be ""). */
static void f_num(struct field_out *o, const char *name, uint64_t v, bool hex,
		  const char *note)
{
	if (o->w) {
		jw_key(o->w, name);
		jw_uint(o->w, v);
		return;
	}
	printf(hex ? "%-19s 0x%" PRIx64 "%s%s%s\n"
		   : "%-19s %" PRIu64 "%s%s%s\n",
	       name, v, *note ? " (" : "", note, *note ? ")" : "");
}

/* Names of the set bits of v (names[k] for bit k; NULL: unnamed). */
static void bit_names(uint64_t v, const char *const *names, unsigned n,
		      char *out, size_t len)
{
	size_t used = 0;

	out[0] = '\0';
	for (unsigned k = 0; k < n && used < len; k++)
		if ((v >> k) & 1 && names[k])
			used += (size_t)snprintf(out + used, len - used, "%s%s",
						 used ? " " : "", names[k]);
}

static void f_tcb(struct field_out *o, const char *name, uint64_t tcb,
		  int product)
{
	struct snp_tcb t;
	char note[80];

	snp_tcb_split(tcb, product, &t);
	if (product == AMD_TURIN)
		snprintf(note, sizeof(note),
			 "fmc %u bl %u tee %u snp %u ucode %u", t.fmc, t.bl,
			 t.tee, t.snp, t.ucode);
	else
		snprintf(note, sizeof(note), "bl %u tee %u snp %u ucode %u",
			 t.bl, t.tee, t.snp, t.ucode);
	f_num(o, name, tcb, true, note);
}

static void f_version(struct field_out *o, const char *name, uint8_t major,
		      uint8_t minor, uint8_t build)
{
	char v[32];

	snprintf(v, sizeof(v), "%u.%u build %u", major, minor, build);
	if (o->w) {
		jw_key(o->w, name);
		jw_cstr(o->w, v);
	} else {
		printf("%-19s %s\n", name, v);
	}
}

/* SNP guest policy bits 16-25 and platform info bits (SNP ABI 56860, the
 * guest policy and ATTESTATION_REPORT's PLATFORM_INFO). */
static const char *const policy_bits[26] = {
	[16] = "SMT",
	[17] = "RESERVED_MBO",
	[18] = "MIGRATE_MA",
	[19] = "DEBUG",
	[20] = "SINGLE_SOCKET",
	[21] = "CXL_ALLOW",
	[22] = "MEM_AES_256_XTS",
	[23] = "RAPL_DIS",
	[24] = "CIPHERTEXT_HIDING",
	[25] = "PAGE_SWAP_DISABLE",
};
static const char *const platform_bits[8] = {
	"SMT_EN",
	"TSME_EN",
	"ECC_EN",
	"RAPL_DIS",
	"CIPHERTEXT_HIDING_EN",
	"ALIAS_CHECK_COMPLETE",
	NULL,
	"TIO_EN",
};

static void show_snp_head(struct field_out *o, const struct snp_report *r,
			  int product)
{
	char note[200];
	int n;

	f_num(o, "version", r->version, false, "");
	f_num(o, "guest_svn", r->guest_svn, false, "");
	/* Bits 7:0 ABI minor, 15:8 ABI major, then the flags. */
	n = snprintf(note, sizeof(note), "ABI %u.%u",
		     (unsigned)(r->policy >> 8) & 0xff,
		     (unsigned)r->policy & 0xff);
	bit_names(r->policy, policy_bits, 26, note + n + 1,
		  sizeof(note) - (size_t)n - 1);
	if (note[n + 1])
		note[n] = ' ';
	f_num(o, "policy", r->policy, true, note);
	f_hex(o, "family_id", r->family_id, 16);
	f_hex(o, "image_id", r->image_id, 16);
	f_num(o, "vmpl", r->vmpl, false, "");
	f_num(o, "signature_algo", r->sig_algo, false,
	      r->sig_algo == 1 ? "ECDSA P-384 with SHA-384" : "unknown");
	f_tcb(o, "current_tcb", r->current_tcb, product);
	bit_names(r->platform_info, platform_bits, 8, note, sizeof(note));
	f_num(o, "platform_info", r->platform_info, true, note);
	snprintf(note, sizeof(note),
		 "author_key_en %u, mask_chip_key %u, "
		 "signing_key %u (%s)",
		 r->flags & 1, (r->flags >> 1) & 1, SNP_SIGNING_KEY(r->flags),
		 SNP_SIGNING_KEY(r->flags) == 0	  ? "VCEK"
		 : SNP_SIGNING_KEY(r->flags) == 1 ? "VLEK"
		 : SNP_SIGNING_KEY(r->flags) == 7 ? "none"
						  : "reserved");
	f_num(o, "flags", r->flags, true, note);
}

static void show_snp(struct field_out *o, const struct snp_report *r)
{
	int product = snp_report_product(r);

	show_snp_head(o, r, product);
	f_hex(o, "report_data", r->report_data, 64);
	f_hex(o, "measurement", r->measurement, 48);
	f_hex(o, "host_data", r->host_data, 32);
	f_hex(o, "id_key_digest", r->id_key_digest, 48);
	f_hex(o, "author_key_digest", r->author_key_digest, 48);
	f_hex(o, "report_id", r->report_id, 32);
	f_hex(o, "report_id_ma", r->report_id_ma, 32);
	f_tcb(o, "reported_tcb", r->reported_tcb, product);
	if (r->version >= 3) {
		f_num(o, "cpuid_fam_id", r->cpuid_fam, true, "");
		f_num(o, "cpuid_mod_id", r->cpuid_mod, true, "");
		f_num(o, "cpuid_step", r->cpuid_step, true, "");
	}
	f_hex(o, "chip_id", r->chip_id, 64);
	f_tcb(o, "committed_tcb", r->committed_tcb, product);
	f_version(o, "current_version", r->current_major, r->current_minor,
		  r->current_build);
	f_version(o, "committed_version", r->committed_major,
		  r->committed_minor, r->committed_build);
	f_tcb(o, "launch_tcb", r->launch_tcb, product);
	if (r->version >= 5) {
		f_num(o, "launch_mit_vector", r->launch_mit_vector, true, "");
		f_num(o, "current_mit_vector", r->current_mit_vector, true, "");
	}
	f_hex(o, "signature_r", r->sig_r, 72);
	f_hex(o, "signature_s", r->sig_s, 72);
}

static void show_sev(struct field_out *o, const struct sev_att_report *r)
{
	f_hex(o, "mnonce", r->mnonce, 16);
	f_hex(o, "launch_digest", r->launch_digest, 32);
	f_num(o, "policy", r->policy, true, "");
	f_num(o, "signature_usage", r->sig_usage, true, "PEK");
	f_num(o, "signature_algo", r->sig_algo, true,
	      r->sig_algo == SEV_ALGO_ECDSA_SHA256 ? "ECDSA SHA-256"
						   : "ECDSA SHA-384");
	f_hex(o, "signature_r", r->sig, 72);
	f_hex(o, "signature_s", r->sig + 72, 72);
}

struct show_opts {
	bool json;
};

/* clang-format off */
static const struct cli_opt show_options[] = {
	{ "json", .arg = CLI_FLAG, CLI_FIELD(struct show_opts, json),
	  .help = "print the fields as one JSON object (byte fields in hex)" },
	{ .arg = CLI_END },
};
/* clang-format on */

const struct cli_spec show_report_spec = {
	.name = "show-report",
	.prefix = "sevboot: show-report: ",
	.synopsis = "show-report [--json] FILE",
	.about = "Print every field of an attestation report by name: SNP "
		 "(1184 bytes,\n"
		 "versions 2 to 5) or SEV (208 bytes), raw or as hex text.  "
		 "Nothing is\n"
		 "verified: see verify-report.\n",
	.opts = show_options,
	.notes = "Exit codes: 0 ok, 1 runtime failure, 2 usage, 3 bad input "
		 "file.\n",
	.max_args = 2, /* one FILE; a second is refused below */
};

int cmd_show_report(int argc, char **argv)
{
	static const char cmd[] = "show-report";
	struct show_opts o = {.json = false};
	struct json_writer w = {0};
	struct field_out out = {.w = NULL};
	struct snp_report snp;
	struct sev_att_report sev;
	struct cli_args args;
	uint8_t raw[SNP_REPORT_LEN];
	size_t rawlen;
	char err[256] = "";
	int rc;

	rc = cli_parse(&show_report_spec, argc, argv, &o, &args);
	if (rc >= 0)
		return rc;
	if (args.n != 1)
		return cli_error(&show_report_spec, "%s (usage: sevboot %s)",
				 args.n ? "one FILE only" : "missing FILE",
				 show_report_spec.synopsis);
	rc = read_report(cmd, "", args.v[0], raw, &rawlen);
	if (rc)
		return rc;
	rc = rawlen == SNP_REPORT_LEN
		     ? snp_report_parse(raw, &snp, err, sizeof(err))
		     : sev_att_report_parse(raw, &sev, err, sizeof(err));
	if (rc) {
		cli_cmd_error(cmd, "%s: %s", args.v[0], err);
		return EXIT_BAD_INPUT;
	}
	if (o.json) {
		out.w = &w;
		jw_begin(&w);
		jw_key(&w, "report");
		jw_cstr(&w, rawlen == SNP_REPORT_LEN ? "snp" : "sev");
	} else {
		printf("%s attestation report (%zu bytes)\n",
		       rawlen == SNP_REPORT_LEN ? "SNP" : "SEV", rawlen);
	}
	if (rawlen == SNP_REPORT_LEN)
		show_snp(&out, &snp);
	else
		show_sev(&out, &sev);
	if (o.json) {
		jw_end(&w);
		rc = json_print(cmd, &w);
		if (rc)
			return rc;
	}
	if (fflush(stdout) || ferror(stdout)) {
		cli_cmd_error(cmd, "cannot write: %s", strerror(errno));
		return EXIT_RUNTIME;
	}
	return 0;
}
