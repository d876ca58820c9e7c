// SPDX-License-Identifier: MIT
/*
 * sevboot fetch ca|vcek|crl: AMD's certificates from its Key Distribution
 * Service (owner/kds.c; KDS interface spec 57230), for verify-report.
 *
 * An answer is kept only after it passed its checks (owner/kds.c
 * kds_check: the chain verifies up to AMD's ARK, the VCEK is the chip's
 * and TCB's the report names, the CRL is the ARK's); it is written whole
 * or not at all (a temporary file renamed into place), to the output and
 * to a cache directory, from which the next fetch of the same thing takes
 * it without any request.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <openssl/x509.h>

#include "cli/cli.h"
#include "loader/loader.h"
#include "owner/owner.h"
#include "util/util.h"

#define FETCH_TIMEOUT_DEFAULT 30 /* seconds, connecting included */

struct fetch_opts {
	const char *report, *product, *endorser, *cache, *out, *output;
	const char *kds_url, *ark;
	unsigned timeout;
	bool no_cache, json;
};

#define FETCH(field) CLI_FIELD(struct fetch_opts, field)

/* clang-format off */
static const struct cli_opt fetch_options[] = {
	{ "report", .arg = CLI_STRING, FETCH(report), .meta = "FILE",
	  .help = "the SNP attestation report (raw or hex text) whose chip "
		  "and TCB the VCEK is for; also gives the product" },
	{ "product", .arg = CLI_STRING, FETCH(product), .meta = "NAME",
	  .help = "Milan, Genoa or Turin (default: the report's, from its "
		  "CPUID fields or its chip id)" },
	{ "endorser", .arg = CLI_STRING, FETCH(endorser), .meta = "KEY",
	  .help = "ca, crl: vcek (the ASK's chain, the default) or vlek "
		  "(the ASVK's)" },
	{ "out", .arg = CLI_STRING, FETCH(out), .meta = "DIR",
	  .help = "write cert_chain.pem (vlek_cert_chain.pem), vcek.der or "
		  "crl.der (vlek_crl.der) in DIR (default: the current "
		  "directory), replacing it" },
	{ "output", 'o', .arg = CLI_STRING, FETCH(output), .meta = "FILE",
	  .help = "write to FILE instead" },
	{ "cache", .arg = CLI_STRING, FETCH(cache), .meta = "DIR",
	  .help = "the cache directory (default: $XDG_CACHE_HOME/sevboot, or "
		  "~/.cache/sevboot)" },
	{ "no-cache", .arg = CLI_FLAG, FETCH(no_cache),
	  .help = "ask KDS even when the cache has it, and keep nothing "
		  "there" },
	{ "kds-url", .arg = CLI_STRING, FETCH(kds_url), .meta = "URL",
	  .help = "the KDS to ask (default " KDS_URL_DEFAULT ")" },
	{ "timeout", .arg = CLI_UINT, FETCH(timeout), .min = 1, .max = 3600,
	  .unit = "seconds", .meta = "S",
	  .help = "give up after S seconds (default 30)" },
	{ "ark", .arg = CLI_STRING, FETCH(ark), .meta = "FILE",
	  .help = "check the answer up to this X.509 ARK instead of AMD's "
		  "built-in one" },
	{ "json", .arg = CLI_FLAG, FETCH(json),
	  .help = "say what was written as one JSON object (file, what, "
		  "endorser, product, hwid and TCB for a VCEK, bytes, url, "
		  "cache: the cached file used or null, verified)" },
	{ .arg = CLI_END },
};
/* clang-format on */

const struct cli_spec fetch_spec = {
	.name = "fetch",
	.prefix = "sevboot: fetch: ",
	.synopsis = "fetch ca|vcek|crl [--report FILE] [--product NAME] "
		    "[--endorser vcek|vlek] [--out DIR | -o FILE] "
		    "[--cache DIR] [--kds-url URL]",
	.about = "Fetch AMD's SNP certificates from its Key Distribution "
		 "Service (KDS):\n"
		 "  ca    the product's cert_chain: ASK (or ASVK) and ARK, "
		 "PEM\n"
		 "  vcek  the VCEK of the report's chip at its REPORTED_TCB, "
		 "DER\n"
		 "  crl   the product's certificate revocation list, DER\n"
		 "An answer is kept only when it verifies up to AMD's ARK (the "
		 "VCEK: with\n"
		 "the report's chip id and TCB).  It is cached, and a cached "
		 "answer is used\n"
		 "without a request (a CRL until its nextUpdate).\n",
	.opts = fetch_options,
	.notes = "libcurl (libcurl.so.4, Debian's libcurl4) is loaded when a "
		 "request is made.\n"
		 "Exit codes: 0 written, 1 runtime failure (also: libcurl "
		 "cannot be loaded),\n"
		 "2 usage, 3 bad input file, 5 the answer did not pass its "
		 "checks (nothing\n"
		 "written), 6 KDS unreachable, too slow, or it refused (HTTP "
		 "404, 429 rate\n"
		 "limit, ...).\n",
	.max_args = 2, /* one; a second is refused with the first */
};

static void __attribute__((format(printf, 1, 2)))
fetch_error(const char *fmt, ...)
{
	va_list ap;

	fputs("sevboot: fetch: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* ------------------------------------------------------------- inputs */

/* --report FILE into q (KDS_VCEK) or just its product. */
static int read_report(const struct fetch_opts *o, int product,
		       struct kds_query *q)
{
	uint8_t raw[SNP_REPORT_LEN];
	size_t rawlen = 0;
	struct blob b;
	char err[300] = "";
	int ret;

	ret = file_read(o->report, 1 << 20, &b, err, sizeof(err));
	if (ret) {
		fetch_error("--report %s: %s", o->report,
			    err[0] ? err : strerror(-ret));
		return ret == -ENOMEM ? EXIT_RUNTIME : EXIT_BAD_INPUT;
	}
	ret = trust_report_read(b.data, b.len, raw, sizeof(raw), &rawlen, err,
				sizeof(err));
	blob_free(&b);
	if (!ret && rawlen != SNP_REPORT_LEN) {
		set_err(err, sizeof(err),
			"a SEV report (%zu bytes): KDS serves SNP's "
			"certificates only",
			rawlen);
		ret = -EINVAL;
	}
	if (!ret && q->what == KDS_VCEK) {
		ret = kds_query_vcek(raw, product, q, err, sizeof(err));
	} else if (!ret) {
		/* ca, crl: only the product (a masked chip id is fine). */
		struct snp_report rep;

		ret = snp_report_parse(raw, &rep, err, sizeof(err));
		if (!ret && product == AMD_PRODUCT_UNKNOWN)
			product = snp_report_product(&rep);
		if (!ret && product < AMD_MILAN) {
			set_err(err, sizeof(err),
				"the report does not say which product it "
				"comes from: give --product Milan, Genoa or "
				"Turin");
			ret = -EINVAL;
		}
		q->product = product;
	}
	if (ret)
		fetch_error("--report %s: %s", o->report, err);
	return ret ? EXIT_BAD_INPUT : 0;
}

/* --ark FILE: one X.509 ARK. */
static int read_ark(const char *path, X509 **ark)
{
	struct snp_chain ch = {.product = AMD_PRODUCT_UNKNOWN};
	struct blob b;
	char err[300] = "";
	int ret = file_read(path, 1 << 20, &b, err, sizeof(err));

	if (!ret) {
		ret = snp_chain_add(&ch, b.data, b.len, err, sizeof(err));
		if (!ret && (!ch.ark || ch.ask || ch.asvk || ch.vek)) {
			set_err(err, sizeof(err),
				"expected one X.509 ARK certificate "
				"(CN=ARK-...), found others");
			ret = -EINVAL;
		}
		blob_free(&b);
	}
	if (ret) {
		fetch_error("--ark %s: %s", path,
			    err[0] ? err : strerror(-ret));
		snp_chain_free(&ch);
		return ret == -ENOMEM ? EXIT_RUNTIME : EXIT_BAD_INPUT;
	}
	*ark = ch.ark;
	ch.ark = NULL;
	snp_chain_free(&ch);
	return 0;
}

/* The operand and the options into q.  0, or an exit code. */
static int fetch_query(const struct fetch_opts *o, const struct cli_args *a,
		       struct kds_query *q)
{
	int product = AMD_PRODUCT_UNKNOWN;
	const char *w;

	memset(q, 0, sizeof(*q));
	q->product = AMD_PRODUCT_UNKNOWN;
	if (a->n != 1)
		return cli_error(&fetch_spec, "expected one of ca, vcek, crl "
					      "(see --help)");
	w = a->v[0];
	if (!strcmp(w, "ca"))
		q->what = KDS_CA;
	else if (!strcmp(w, "vcek"))
		q->what = KDS_VCEK;
	else if (!strcmp(w, "crl"))
		q->what = KDS_CRL;
	else
		return cli_error(&fetch_spec, "'%s': expected ca, vcek or crl",
				 w);
	if (o->endorser && strcmp(o->endorser, "vcek") &&
	    strcmp(o->endorser, "vlek"))
		return cli_error(&fetch_spec,
				 "--endorser %s: must be vcek or vlek",
				 o->endorser);
	q->vlek = o->endorser && !strcmp(o->endorser, "vlek");
	if (q->vlek && q->what == KDS_VCEK)
		return cli_error(&fetch_spec,
				 "--endorser vlek: KDS gives no VLEK (AMD "
				 "provisions it to the cloud provider); "
				 "fetch ca or crl with it");
	if (o->product) {
		product = amd_product_parse(o->product, strlen(o->product));
		if (product < AMD_MILAN)
			return cli_error(&fetch_spec,
					 "--product %s: must be Milan, Genoa "
					 "or Turin",
					 o->product);
	}
	if (q->what == KDS_VCEK && !o->report)
		return cli_error(&fetch_spec,
				 "vcek needs --report FILE (its chip id and "
				 "TCB name the VCEK)");
	if (!o->report && product == AMD_PRODUCT_UNKNOWN)
		return cli_error(&fetch_spec,
				 "%s needs --product Milan|Genoa|Turin (or "
				 "--report FILE)",
				 w);
	if (o->out && o->output)
		return cli_error(&fetch_spec, "give --out DIR or -o FILE, not "
					      "both");
	q->product = product;
	return o->report ? read_report(o, product, q) : 0;
}

/* ---------------------------------------------------------- the files */

/* Every directory of path's parent, made 0700 when missing. */
static int make_parents(const char *path)
{
	char dir[4096];
	size_t n = strlen(path);

	if (n >= sizeof(dir))
		return -ENAMETOOLONG;
	memcpy(dir, path, n + 1);
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	return 0;
}

/* The cache file of q: "<cache>/kds/<kds_cache_name>", or "" with
 * --no-cache.  0 or an exit code. */
static int cache_path(const struct fetch_opts *o, const struct kds_query *q,
		      char *out, size_t len)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	char name[512], dir[4096];
	int n;

	out[0] = '\0';
	if (o->no_cache)
		return 0;
	if (o->cache)
		n = snprintf(dir, sizeof(dir), "%s", o->cache);
	else if (xdg && xdg[0] == '/')
		n = snprintf(dir, sizeof(dir), "%s/sevboot", xdg);
	else if (home && home[0] == '/')
		n = snprintf(dir, sizeof(dir), "%s/.cache/sevboot", home);
	else
		return 0; /* nowhere to cache: say nothing, ask KDS */
	if (n < 0 || (size_t)n >= sizeof(dir) ||
	    kds_cache_name(q, name, sizeof(name)) ||
	    (size_t)snprintf(out, len, "%s/kds/%s", dir, name) >= len) {
		fetch_error("--cache %s: the path is too long", dir);
		return EXIT_USAGE;
	}
	return 0;
}

/* Where the answer goes: -o FILE, or DIR/<default name>. */
static int output_path(const struct fetch_opts *o, const struct kds_query *q,
		       char *out, size_t len)
{
	static const char *const names[2][3] = {
		{"cert_chain.pem", "vcek.der", "crl.der"},
		{"vlek_cert_chain.pem", "vcek.der", "vlek_crl.der"},
	};
	const char *name = names[q->vlek][q->what];
	int n;

	if (o->output)
		n = snprintf(out, len, "%s", o->output);
	else
		n = snprintf(out, len, "%s/%s", o->out ? o->out : ".", name);
	if (n < 0 || (size_t)n >= len) {
		fetch_error("%s: the path is too long",
			    o->output ? o->output : o->out);
		return EXIT_USAGE;
	}
	return 0;
}

/* Where the output goes is checked before anything is asked: --out DIR
 * is a directory, or its parent is (DIR is made only when the answer is
 * written); -o FILE's directory exists. */
static int output_dir(const struct fetch_opts *o)
{
	char dir[4096];
	const char *slash;
	struct stat st;

	if (o->out && stat(o->out, &st) == 0) {
		snprintf(dir, sizeof(dir), "%s", o->out);
	} else if (o->out) {
		slash = strrchr(o->out, '/');
		snprintf(dir, sizeof(dir), "%.*s",
			 slash ? (int)(slash - o->out) + (slash == o->out) : 1,
			 slash ? o->out : ".");
	} else if (o->output && (slash = strrchr(o->output, '/'))) {
		snprintf(dir, sizeof(dir), "%.*s",
			 (int)(slash - o->output) + (slash == o->output),
			 o->output);
	} else {
		return 0;
	}
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		fetch_error("%s %s: %s is not a directory",
			    o->out ? "--out" : "-o",
			    o->out ? o->out : o->output, dir);
		return EXIT_USAGE;
	}
	return 0;
}

/* The cached answer, when it is there and still passes its checks. */
static bool from_cache(const char *path, const struct kds_query *q, X509 *ark,
		       int64_t now, struct blob *b)
{
	char err[400] = "";
	int64_t next = 0;
	struct stat st;

	if (!path[0] || stat(path, &st) < 0)
		return false;
	if (file_read(path, KDS_ANSWER_MAX, b, err, sizeof(err))) {
		fetch_error("the cached %s %s cannot be read (%s): asking KDS",
			    kds_what_name(q) + 4, path, err);
		return false;
	}
	if (kds_check(q, b->data, b->len, ark, now, &next, err, sizeof(err))) {
		fetch_error("the cached %s %s does not pass its checks (%s): "
			    "asking KDS",
			    kds_what_name(q) + 4, path, err);
		blob_free(b);
		return false;
	}
	/* A CRL is news only until its nextUpdate (RFC 5280 5.1.2.5). */
	if (q->what == KDS_CRL && next && next <= now) {
		fetch_error("the cached CRL %s is past its nextUpdate: asking "
			    "KDS",
			    path);
		blob_free(b);
		return false;
	}
	return true;
}

/* ------------------------------------------------------------ the GET */

/* The HTTP answer's status as one line; an exit code. */
static int http_refused(const char *url, const struct kds_query *q,
			const struct kds_answer *a)
{
	char hwid[2 * 64 + 1];

	if (a->status == 429) {
		char when[128];

		if (a->retry_after >= 0)
			snprintf(when, sizeof(when),
				 "retry after %ld s (Retry-After: %s)",
				 a->retry_after, a->retry_text);
		else if (a->retry_text[0])
			snprintf(when, sizeof(when),
				 "retry after %s (Retry-After)", a->retry_text);
		else
			snprintf(when, sizeof(when),
				 "it sent no Retry-After: wait a minute or "
				 "more");
		fetch_error("AMD KDS rate limit: %s answered HTTP 429 Too Many "
			    "Requests (KDS limits how often one client may "
			    "ask); %s",
			    url, when);
		return EXIT_KDS;
	}
	if (a->status == 404 && q->what == KDS_VCEK) {
		hex_encode(q->hwid, q->hwid_len, hwid);
		fetch_error("KDS has no VCEK for this chip/TCB (HTTP 404 from "
			    "%s): %s hwID %s, bl %u tee %u snp %u ucode %u",
			    url, amd_product_name(q->product), hwid, q->tcb.bl,
			    q->tcb.tee, q->tcb.snp, q->tcb.ucode);
		return EXIT_KDS;
	}
	fetch_error("%s answered HTTP %ld%s", url, a->status,
		    a->status == 404 ? " (KDS has no such file)" : "");
	return EXIT_KDS;
}

/* Ask KDS; the checked answer into b.  0 or an exit code. */
static int ask_kds(const struct fetch_opts *o, const char *url,
		   const struct kds_query *q, X509 *ark, int64_t now,
		   struct blob *b)
{
	struct kds_answer a;
	char err[400] = "";
	int ret;

	ret = kds_get(url, o->timeout ? o->timeout : FETCH_TIMEOUT_DEFAULT, &a,
		      err, sizeof(err));
	if (ret == -ELIBACC || ret == -ELIBBAD) {
		fetch_error("%s: fetch needs libcurl (Debian 12: the libcurl4 "
			    "package)",
			    err);
		return EXIT_RUNTIME;
	}
	if (ret) {
		fetch_error("%s: %s", url, err);
		return ret == -ENOMEM	? EXIT_RUNTIME
		       : ret == -EINVAL ? EXIT_USAGE
					: EXIT_KDS;
	}
	if (a.status != 200) {
		ret = http_refused(url, q, &a);
		kds_answer_free(&a);
		return ret;
	}
	ret = kds_check(q, a.body, a.len, ark, now, NULL, err, sizeof(err));
	if (ret) {
		fetch_error("%s: the answer is not %s that verifies (%s); "
			    "nothing was written",
			    url, kds_what_name(q), err);
		kds_answer_free(&a);
		return ret == -ENOMEM ? EXIT_RUNTIME : EXIT_SEV;
	}
	b->data = a.body;
	b->len = a.len;
	a.body = NULL;
	kds_answer_free(&a);
	return 0;
}

/* The answer into path (and its directories); an exit code. */
static int keep(const char *what, const char *path, const struct blob *b,
		bool parents)
{
	char err[300] = "";
	int ret = parents ? make_parents(path) : 0;

	if (!ret)
		ret = file_write_atomic(path, b->data, b->len, 0644, true, err,
					sizeof(err));
	else
		set_err(err, sizeof(err), "cannot create its directory: %s",
			strerror(-ret));
	if (ret)
		fetch_error("%s %s: %s", what, path, err);
	return ret ? EXIT_RUNTIME : 0;
}

/* ------------------------------------------------------------ command */

/* What was written, one line (or one JSON object with --json). */
static int report_result(const struct fetch_opts *o, const struct kds_query *q,
			 const char *out, const char *cache, const char *url,
			 size_t len)
{
	static const char *const whats[] = {"ca", "vcek", "crl"};
	struct json_writer w = {0};
	char hwid[2 * 64 + 1], *text;
	size_t n;

	hex_encode(q->hwid, q->hwid_len, hwid);
	if (o->json) {
		jw_begin(&w);
		jw_key(&w, "file");
		jw_cstr(&w, out);
		jw_key(&w, "what");
		jw_cstr(&w, whats[q->what]);
		jw_key(&w, "endorser");
		jw_cstr(&w, q->vlek ? "vlek" : "vcek");
		jw_key(&w, "product");
		jw_cstr(&w, amd_product_name(q->product));
		if (q->what == KDS_VCEK) {
			jw_key(&w, "hwid");
			jw_cstr(&w, hwid);
			jw_key(&w, "bl");
			jw_uint(&w, q->tcb.bl);
			jw_key(&w, "tee");
			jw_uint(&w, q->tcb.tee);
			jw_key(&w, "snp");
			jw_uint(&w, q->tcb.snp);
			jw_key(&w, "ucode");
			jw_uint(&w, q->tcb.ucode);
			if (q->product == AMD_TURIN) {
				jw_key(&w, "fmc");
				jw_uint(&w, q->tcb.fmc);
			}
		}
		jw_key(&w, "bytes");
		jw_uint(&w, len);
		jw_key(&w, "url");
		jw_cstr(&w, url);
		jw_key(&w, "cache");
		if (cache)
			jw_cstr(&w, cache);
		else
			jw_null(&w);
		jw_key(&w, "verified");
		jw_bool(&w, true);
		jw_end(&w);
		if (jw_finish(&w, &text, &n)) {
			fetch_error("out of memory");
			return EXIT_RUNTIME;
		}
		printf("%s\n", text);
		free(text);
	} else {
		printf("%s: %s of %s", out, kds_what_name(q) + 4,
		       amd_product_name(q->product));
		if (q->what == KDS_VCEK)
			printf(", hwID %s, bl %u tee %u snp %u ucode %u", hwid,
			       q->tcb.bl, q->tcb.tee, q->tcb.snp, q->tcb.ucode);
		if (q->what == KDS_VCEK && q->product == AMD_TURIN)
			printf(" fmc %u", q->tcb.fmc);
		if (cache)
			printf(", %zu bytes, verified, from the cache %s (no "
			       "request made)\n",
			       len, cache);
		else
			printf(", %zu bytes, verified, from %s\n", len, url);
	}
	if (fflush(stdout) || ferror(stdout)) {
		fetch_error("cannot write to stdout: %s", strerror(errno));
		return EXIT_RUNTIME;
	}
	return 0;
}

static int fetch_run(const struct fetch_opts *o, const struct kds_query *q,
		     X509 *ark)
{
	char path[600], url[4096], cache[4096], out[4096];
	const char *base = o->kds_url ? o->kds_url : KDS_URL_DEFAULT;
	size_t blen = strlen(base);
	int64_t now = (int64_t)time(NULL);
	struct blob b = {0};
	bool cached;
	int rc;

	while (blen && base[blen - 1] == '/')
		blen--;
	if (kds_path(q, path, sizeof(path)) ||
	    (size_t)snprintf(url, sizeof(url), "%.*s%s", (int)blen, base,
			     path) >= sizeof(url)) {
		fetch_error("--kds-url %s: too long", base);
		return EXIT_USAGE;
	}
	rc = cache_path(o, q, cache, sizeof(cache));
	if (!rc)
		rc = output_path(o, q, out, sizeof(out));
	if (!rc)
		rc = output_dir(o);
	if (rc)
		return rc;
	cached = from_cache(cache, q, ark, now, &b);
	if (!cached)
		rc = ask_kds(o, url, q, ark, now, &b);
	if (!rc && !cached && cache[0])
		rc = keep("cache", cache, &b, true);
	if (!rc && o->out && mkdir(o->out, 0755) < 0 && errno != EEXIST) {
		fetch_error("--out %s: cannot create the directory: %s", o->out,
			    strerror(errno));
		rc = EXIT_RUNTIME;
	}
	if (!rc)
		rc = keep(o->output ? "-o" : "--out", out, &b, false);
	if (!rc)
		rc = report_result(o, q, out, cached ? cache : NULL, url,
				   b.len);
	blob_free(&b);
	return rc;
}

int cmd_fetch(int argc, char **argv)
{
	struct fetch_opts o = {.report = NULL};
	struct cli_args args;
	struct kds_query q;
	X509 *ark = NULL;
	int rc;

	rc = cli_parse(&fetch_spec, argc, argv, &o, &args);
	if (rc >= 0)
		return rc;
	rc = fetch_query(&o, &args, &q);
	if (!rc && o.ark)
		rc = read_ark(o.ark, &ark);
	if (!rc)
		rc = fetch_run(&o, &q, ark);
	X509_free(ark);
	return rc;
}
