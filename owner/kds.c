// SPDX-License-Identifier: MIT
/*
 * owner/kds.c: AMD's Key Distribution Service (KDS interface spec 57230,
 * chapter 4): the URLs of a product's CA chain and CRL and of one chip's
 * VCEK at one TCB, the HTTP GET (libcurl, opened with dlopen on first
 * use), and the checks an answer must
 * pass before anyone keeps it: a CA chain that verifies up to AMD's ARK,
 * a VCEK of the very chip and TCB asked for, a CRL signed by the ARK.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifndef SEVBOOT_NO_CURL
#include <curl/curl.h>
#include <dlfcn.h>
#endif
#include <openssl/err.h>
#include <openssl/x509.h>

#include "owner/owner.h"
#include "util/util.h"

/* ------------------------------------------------------------- queries */

static bool kds_product(int product)
{
	return product == AMD_MILAN || product == AMD_GENOA ||
	       product == AMD_TURIN;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	while (n--)
		if (*p++)
			return false;
	return true;
}

int kds_query_vcek(const uint8_t *raw, int product, struct kds_query *q,
		   char *err, size_t errlen)
{
	struct snp_report rep;
	int ret;

	memset(q, 0, sizeof(*q));
	q->what = KDS_VCEK;
	ret = snp_report_parse(raw, &rep, err, errlen);
	if (ret)
		return ret;
	if (product == AMD_PRODUCT_UNKNOWN)
		product = snp_report_product(&rep);
	if (!kds_product(product)) {
		set_err(err, errlen,
			"the report does not say which product it comes from "
			"(version %u%s): give --product Milan, Genoa or Turin",
			rep.version,
			rep.version < 3 ? ", without CPUID fields" : "");
		return -EINVAL;
	}
	if (all_zero(rep.chip_id, sizeof(rep.chip_id))) {
		set_err(err, errlen,
			"the report's chip_id is all zero (MASK_CHIP_ID, or "
			"a report signed by a VLEK): KDS finds a VCEK only "
			"by it");
		return -EINVAL;
	}
	q->product = product;
	/* Turin's hwID is 8 bytes, the rest of CHIP_ID zero (57230; virtee
	 * snpguest fetch.rs). */
	q->hwid_len = product == AMD_TURIN ? 8 : 64;
	memcpy(q->hwid, rep.chip_id, q->hwid_len);
	snp_tcb_split(rep.reported_tcb, product, &q->tcb);
	return 0;
}

/* "fmc01-bl03-tee00-snp08-ucode115" (sep '-') or the URL's query. */
static int tcb_text(const struct kds_query *q, bool url, char *out, size_t len)
{
	const struct snp_tcb *t = &q->tcb;
	char fmc[24] = "";
	int n;

	/* Two digits at least, as AMD's examples and snpguest write them;
	 * Turin's fmcSPL first, as snpguest sends it. */
	if (q->product == AMD_TURIN)
		snprintf(fmc, sizeof(fmc), url ? "fmcSPL=%02u&" : "fmc%02u-",
			 t->fmc);
	if (url)
		n = snprintf(out, len,
			     "%sblSPL=%02u&teeSPL=%02u&snpSPL=%02u&"
			     "ucodeSPL=%02u",
			     fmc, t->bl, t->tee, t->snp, t->ucode);
	else
		n = snprintf(out, len, "%sbl%02u-tee%02u-snp%02u-ucode%02u",
			     fmc, t->bl, t->tee, t->snp, t->ucode);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static const char *endorser(const struct kds_query *q)
{
	return q->what != KDS_VCEK && q->vlek ? "vlek" : "vcek";
}

/* The KDS request path (url) or the cache's file name for q: the same
 * parts, as KDS spells them in a URL or as files under a directory. */
static int kds_name(const struct kds_query *q, bool url, char *out, size_t len)
{
	char hwid[2 * 64 + 1], tcb[96];
	const char *prod = amd_product_name(q->product);
	int n;

	if (!kds_product(q->product))
		return -EINVAL;
	if (q->what == KDS_VCEK) {
		if (q->hwid_len != 8 && q->hwid_len != 64)
			return -EINVAL;
		hex_encode(q->hwid, q->hwid_len, hwid);
		if (tcb_text(q, url, tcb, sizeof(tcb)))
			return -ENAMETOOLONG;
		n = snprintf(out, len,
			     url ? "/vcek/v1/%s/%s?%s" : "vcek/%s/%s/%s.der",
			     prod, hwid, tcb);
	} else if (url) {
		n = snprintf(out, len, "/%s/v1/%s/%s", endorser(q), prod,
			     q->what == KDS_CA ? "cert_chain" : "crl");
	} else {
		n = snprintf(out, len, "%s/%s/%s", endorser(q), prod,
			     q->what == KDS_CA ? "cert_chain.pem" : "crl.der");
	}
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int kds_path(const struct kds_query *q, char *out, size_t len)
{
	return kds_name(q, true, out, len);
}

int kds_cache_name(const struct kds_query *q, char *out, size_t len)
{
	return kds_name(q, false, out, len);
}

const char *kds_what_name(const struct kds_query *q)
{
	switch (q->what) {
	case KDS_CA:
		return q->vlek ? "the VLEK cert_chain (ASVK and ARK)"
			       : "the VCEK cert_chain (ASK and ARK)";
	case KDS_VCEK:
		return "the VCEK";
	case KDS_CRL:
		return q->vlek ? "the VLEK CRL" : "the VCEK CRL";
	}
	return "?";
}

/* ---------------------------------------------------------------- HTTP */

void kds_answer_free(struct kds_answer *a)
{
	free(a->body);
	memset(a, 0, sizeof(*a));
	a->retry_after = -1;
}

#ifndef SEVBOOT_NO_CURL

/*
 * libcurl is opened when a fetch first needs it, not linked: linked, it
 * and the 33 libraries it needs were mapped into every sevboot process
 * (8 MB of RSS for `sevboot --version`).  dlopen(3) and dlsym(3), POSIX;
 * the types are <curl/curl.h>'s, so a call through the table is checked
 * as a call to libcurl itself.  libcurl.so.4 is libcurl's soname since
 * 7.16 (Debian 12: the libcurl4 package).  Loaded once per process, never
 * unloaded; a failed load is tried again on the next call.
 */
struct curl_api {
	__typeof__(curl_global_init) *global_init;
	__typeof__(curl_easy_init) *easy_init;
	__typeof__(curl_easy_setopt) *setopt;
	__typeof__(curl_easy_perform) *perform;
	__typeof__(curl_easy_getinfo) *getinfo;
	__typeof__(curl_easy_header) *header;
	__typeof__(curl_easy_strerror) *easy_strerror;
	__typeof__(curl_easy_cleanup) *cleanup;
};

static pthread_mutex_t curl_lock = PTHREAD_MUTEX_INITIALIZER;
static struct curl_api curl_fn; /* filled once, by curl_open() */
static bool curl_ready;
static const char *curl_soname = KDS_LIBCURL;

int kds_curl_soname(const char *soname)
{
	int ret = 0;

	pthread_mutex_lock(&curl_lock);
	if (curl_ready)
		ret = -EBUSY;
	else
		curl_soname = soname ? soname : KDS_LIBCURL;
	pthread_mutex_unlock(&curl_lock);
	return ret;
}

/* dlsym(name) into *fp, a function pointer of the table. */
static int curl_sym(void *dl, const char *name, void *fp, char *err,
		    size_t errlen)
{
	void *p;

	_Static_assert(sizeof(p) == sizeof(curl_fn.perform),
		       "dlsym's void * holds a function pointer (POSIX)");
	dlerror();
	p = dlsym(dl, name);
	if (!p) {
		const char *why = dlerror();

		set_err(err, errlen, "%s has no %s (%s)", curl_soname, name,
			why ? why : "a null symbol");
		return -ELIBBAD;
	}
	memcpy(fp, &p, sizeof(p));
	return 0;
}

#define CURL_SYM(dl, api, field, name)                                         \
	curl_sym(dl, name, &(api)->field, err, errlen)

/* Under curl_lock: dlopen, the table, curl_global_init. */
static int curl_open(char *err, size_t errlen)
{
	struct curl_api a;
	void *dl = dlopen(curl_soname, RTLD_NOW | RTLD_LOCAL);
	int ret;

	if (!dl) {
		const char *why = dlerror();

		set_err(err, errlen, "cannot load %s (%s)", curl_soname,
			why ? why : "no reason given");
		return -ELIBACC;
	}
	ret = CURL_SYM(dl, &a, global_init, "curl_global_init");
	ret = ret ?: CURL_SYM(dl, &a, easy_init, "curl_easy_init");
	ret = ret ?: CURL_SYM(dl, &a, setopt, "curl_easy_setopt");
	ret = ret ?: CURL_SYM(dl, &a, perform, "curl_easy_perform");
	ret = ret ?: CURL_SYM(dl, &a, getinfo, "curl_easy_getinfo");
	ret = ret ?: CURL_SYM(dl, &a, header, "curl_easy_header");
	ret = ret ?: CURL_SYM(dl, &a, easy_strerror, "curl_easy_strerror");
	ret = ret ?: CURL_SYM(dl, &a, cleanup, "curl_easy_cleanup");
	if (!ret && a.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		set_err(err, errlen, "%s cannot start (curl_global_init)",
			curl_soname);
		ret = -ENOMEM;
	}
	if (ret) {
		dlclose(dl);
		return ret;
	}
	curl_fn = a;
	curl_ready = true;
	return 0;
}

/* libcurl's table, loaded on first use: 0, -ELIBACC (no such library),
 * -ELIBBAD (a symbol missing), -ENOMEM; err filled. */
static int curl_load(const struct curl_api **api, char *err, size_t errlen)
{
	int ret = 0;

	pthread_mutex_lock(&curl_lock);
	if (!curl_ready)
		ret = curl_open(err, errlen);
	pthread_mutex_unlock(&curl_lock);
	*api = &curl_fn;
	return ret;
}

/* The body, growing, refused past KDS_ANSWER_MAX. */
struct sink {
	uint8_t *p;
	size_t len;
	bool too_big;
};

static size_t sink_write(char *data, size_t size, size_t n, void *ctx)
{
	struct sink *s = ctx;
	size_t add = size * n;
	uint8_t *np;

	if (add > KDS_ANSWER_MAX - s->len) {
		s->too_big = true;
		return 0; /* curl stops with CURLE_WRITE_ERROR */
	}
	np = realloc(s->p, s->len + add + 1);
	if (!np)
		return 0;
	s->p = np;
	memcpy(s->p + s->len, data, add);
	s->len += add;
	s->p[s->len] = '\0';
	return add;
}

/* Retry-After (RFC 9110 10.2.3), as sent and in seconds. */
static void retry_after(const struct curl_api *f, CURL *c, struct kds_answer *a)
{
	struct curl_header *h = NULL;
	curl_off_t secs = -1;

	if (f->header(c, "Retry-After", 0, CURLH_HEADER, -1, &h) == CURLHE_OK &&
	    h && h->value) {
		size_t k = 0;

		/* Printable ASCII only: it goes into a message line. */
		for (const char *v = h->value;
		     *v && k + 1 < sizeof(a->retry_text); v++)
			a->retry_text[k++] = *v >= 0x20 && *v < 0x7f ? *v : '?';
		a->retry_text[k] = '\0';
	}
	if (f->getinfo(c, CURLINFO_RETRY_AFTER, &secs) == CURLE_OK && secs > 0)
		a->retry_after = (long)secs;
	else if (a->retry_text[0] == '0' && !a->retry_text[1])
		a->retry_after = 0;
}

static int curl_errno(CURLcode rc)
{
	switch (rc) {
	case CURLE_OPERATION_TIMEDOUT:
		return -ETIMEDOUT;
	case CURLE_OUT_OF_MEMORY:
		return -ENOMEM;
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
		return -EINVAL;
	case CURLE_WEIRD_SERVER_REPLY:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_BAD_CONTENT_ENCODING:
		return -EPROTO;
	default:
		return -EHOSTUNREACH;
	}
}

/* The request's options: url, http(s) only, at most timeout_s seconds and
 * KDS_ANSWER_MAX bytes, the body into s, curl's message into cerr. */
static void curl_options(const struct curl_api *f, CURL *c, const char *url,
			 unsigned timeout_s, struct sink *s, char *cerr)
{
	f->setopt(c, CURLOPT_URL, url);
	f->setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	f->setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	f->setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	f->setopt(c, CURLOPT_MAXREDIRS, 3L);
	f->setopt(c, CURLOPT_NOSIGNAL, 1L);
	f->setopt(c, CURLOPT_TIMEOUT, (long)timeout_s);
	f->setopt(c, CURLOPT_CONNECTTIMEOUT, (long)timeout_s);
	f->setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)KDS_ANSWER_MAX);
	f->setopt(c, CURLOPT_USERAGENT, "sevboot");
	f->setopt(c, CURLOPT_ERRORBUFFER, cerr);
	f->setopt(c, CURLOPT_WRITEFUNCTION, sink_write);
	f->setopt(c, CURLOPT_WRITEDATA, s);
}

int kds_get(const char *url, unsigned timeout_s, struct kds_answer *a,
	    char *err, size_t errlen)
{
	char cerr[CURL_ERROR_SIZE] = "";
	const struct curl_api *f;
	struct sink s = {0};
	CURLcode rc;
	CURL *c;
	int ret;

	memset(a, 0, sizeof(*a));
	a->retry_after = -1;
	ret = curl_load(&f, err, errlen);
	if (ret)
		return ret;
	if (!(c = f->easy_init())) {
		set_err(err, errlen, "libcurl cannot start (curl_easy_init)");
		return -ENOMEM;
	}
	curl_options(f, c, url, timeout_s, &s, cerr);
	rc = f->perform(c);
	if (rc == CURLE_OK) {
		f->getinfo(c, CURLINFO_RESPONSE_CODE, &a->status);
		retry_after(f, c, a);
		a->body = s.p;
		a->len = s.len;
		s.p = NULL;
	} else if (s.too_big || rc == CURLE_FILESIZE_EXCEEDED) {
		set_err(err, errlen, "the answer is larger than %d bytes",
			KDS_ANSWER_MAX);
		ret = -E2BIG;
	} else {
		ret = curl_errno(rc);
		if (ret == -ETIMEDOUT)
			set_err(err, errlen, "no answer within %u s (%s)",
				timeout_s,
				cerr[0] ? cerr : f->easy_strerror(rc));
		else
			set_err(err, errlen, "%s",
				cerr[0] ? cerr : f->easy_strerror(rc));
	}
	free(s.p);
	f->cleanup(c);
	return ret;
}

#else
/* The static build (make static, for a test guest's initrd) has no
 * libcurl: no HTTP. */
int kds_get(const char *url, unsigned timeout_s, struct kds_answer *a,
	    char *err, size_t errlen)
{
	memset(a, 0, sizeof(*a));
	a->retry_after = -1;
	(void)url;
	set_err(err, errlen,
		"this sevboot is the static build (make static), without "
		"libcurl: it has no HTTP (use the regular build)");
	return -EOPNOTSUPP;
}

int kds_curl_soname(const char *soname)
{
	(void)soname;
	return -EOPNOTSUPP;
}
#endif

/* -------------------------------------------------------------- checks */

/* The first failed check of r as err. */
static int first_failure(const struct trust_result *r, char *err, size_t errlen)
{
	for (unsigned k = 0; k < r->n; k++)
		if (!r->check[k].ok) {
			set_err(err, errlen, "%s: %s", r->check[k].what,
				r->check[k].text);
			return -EBADMSG;
		}
	return 0;
}

static int verify_chain(const struct snp_chain *ch, X509 *root, int64_t at,
			char *err, size_t errlen)
{
	struct trust_result *r = malloc(sizeof(*r));
	int ret;

	if (!r)
		return -ENOMEM;
	trust_result_init(r);
	ret = snp_chain_verify(ch, root, at, r);
	if (!ret)
		ret = first_failure(r, err, errlen);
	free(r);
	return ret;
}

static int check_product(const struct kds_query *q, int found, char *err,
			 size_t errlen)
{
	if (found == q->product)
		return 0;
	set_err(err, errlen, "expected %s's certificates, found %s's",
		amd_product_name(q->product), amd_product_name(found));
	return -EBADMSG;
}

static int check_ca(const struct kds_query *q, const struct snp_chain *ch,
		    char *err, size_t errlen)
{
	const char *ca = q->vlek ? "ASVK" : "ASK";

	if (!ch->ark || !(q->vlek ? ch->asvk : ch->ask) ||
	    (q->vlek ? ch->ask : ch->asvk) || ch->vek) {
		set_err(err, errlen,
			"expected the %s and the ARK, found %s%s%s%s", ca,
			ch->ark ? "an ARK " : "", ch->ask ? "an ASK " : "",
			ch->asvk ? "an ASVK " : "",
			ch->vek ? "a VCEK/VLEK" : "");
		return -EBADMSG;
	}
	return check_product(q, ch->product, err, errlen);
}

/* The VCEK's hwID and TCB extensions are what q asked for. */
static int check_vcek(const struct kds_query *q, const struct snp_chain *ch,
		      char *err, size_t errlen)
{
	struct snp_vek_ext e;
	char want[2 * 64 + 1], got[2 * 64 + 1], why[200] = "";
	const struct snp_tcb *t = &q->tcb;
	int ret;

	if (!ch->vek || ch->vek_is_vlek || ch->ark || ch->ask || ch->asvk) {
		set_err(err, errlen, "expected one VCEK certificate, found %s",
			ch->vek_is_vlek ? "a VLEK" : "other certificates");
		return -EBADMSG;
	}
	ret = check_product(q, ch->product, err, errlen);
	if (ret)
		return ret;
	if (snp_vek_extensions(ch->vek, &e, why, sizeof(why))) {
		set_err(err, errlen, "the VCEK's extensions: %s", why);
		return -EBADMSG;
	}
	hex_encode(q->hwid, q->hwid_len, want);
	hex_encode(e.hwid, e.hwid_len, got);
	if (e.hwid_len != q->hwid_len || memcmp(e.hwid, q->hwid, q->hwid_len)) {
		set_err(err, errlen,
			"hwID: expected %s (the report's chip_id), "
			"found %s",
			want, e.hwid_len ? got : "none");
		return -EBADMSG;
	}
	if (!e.has_spl[1] || !e.has_spl[2] || !e.has_spl[3] || !e.has_spl[8] ||
	    e.spl[1] != t->bl || e.spl[2] != t->tee || e.spl[3] != t->snp ||
	    e.spl[8] != t->ucode ||
	    (q->product == AMD_TURIN &&
	     (!e.has_spl[9] || e.spl[9] != t->fmc))) {
		set_err(err, errlen,
			"TCB: expected bl %u tee %u snp %u ucode %u%s (the "
			"report's reported_tcb), found bl %u tee %u snp %u "
			"ucode %u",
			t->bl, t->tee, t->snp, t->ucode,
			q->product == AMD_TURIN ? " and fmc" : "", e.spl[1],
			e.spl[2], e.spl[3], e.spl[8]);
		return -EBADMSG;
	}
	return 0;
}

/* A built-in X.509 root (PEM), or NULL. */
static X509 *builtin_ark(int product)
{
	size_t len;
	const uint8_t *p = amd_root(product, AMD_ROOT_SNP_ARK, &len);
	struct snp_chain ch = {.product = AMD_PRODUCT_UNKNOWN};
	X509 *ark;

	if (!p || snp_chain_add(&ch, p, len, NULL, 0))
		return NULL;
	ark = ch.ark;
	ch.ark = NULL;
	snp_chain_free(&ch);
	return ark;
}

static int64_t asn1_time_t(const ASN1_TIME *t)
{
	struct tm tm;

	if (!t || !ASN1_TIME_to_tm(t, &tm))
		return 0;
	return (int64_t)timegm(&tm);
}

/* One DER CRL, issued and signed by the ARK (57230: the CRL lists the
 * revoked ASKs/ASVKs, signed RSASSA-PSS by the ARK). */
static int check_crl(const struct kds_query *q, const uint8_t *p, size_t len,
		     X509 *root, int64_t *next_update, char *err, size_t errlen)
{
	const unsigned char *d = p;
	X509_CRL *crl = d2i_X509_CRL(NULL, &d, (long)len);
	X509 *ark = root ? root : builtin_ark(q->product);
	int ret = -EBADMSG;

	ERR_clear_error();
	if (!crl || d != p + len) {
		set_err(err, errlen,
			"not one DER certificate revocation "
			"list");
		goto out;
	}
	if (!ark) {
		set_err(err, errlen, "no ARK of %s to check it with",
			amd_product_name(q->product));
		goto out;
	}
	if (X509_NAME_cmp(X509_CRL_get_issuer(crl),
			  X509_get_subject_name(ark))) {
		set_err(err, errlen,
			"expected a CRL issued by the %s ARK, "
			"found another issuer",
			root ? "--ark" : amd_product_name(q->product));
		goto out;
	}
	if (X509_CRL_verify(crl, X509_get0_pubkey(ark)) != 1) {
		set_err(err, errlen,
			"expected the ARK's signature on the CRL, "
			"found one that does not verify");
		goto out;
	}
	if (next_update)
		*next_update = asn1_time_t(X509_CRL_get0_nextUpdate(crl));
	ret = 0;
out:
	ERR_clear_error();
	X509_CRL_free(crl);
	if (ark != root)
		X509_free(ark);
	return ret;
}

int kds_check(const struct kds_query *q, const uint8_t *p, size_t len,
	      X509 *root, int64_t at, int64_t *next_update, char *err,
	      size_t errlen)
{
	struct snp_chain ch = {.product = AMD_PRODUCT_UNKNOWN};
	char why[300] = "";
	int ret;

	if (next_update)
		*next_update = 0;
	if (!len) {
		set_err(err, errlen, "the answer is empty");
		return -EBADMSG;
	}
	if (q->what == KDS_CRL)
		return check_crl(q, p, len, root, next_update, err, errlen);
	if (!snp_cert_looks_x509(p, len)) {
		set_err(err, errlen, "not an X.509 certificate (PEM or DER)");
		return -EBADMSG;
	}
	ret = snp_chain_add(&ch, p, len, why, sizeof(why));
	if (ret == -ENOMEM)
		goto out;
	if (ret) {
		set_err(err, errlen, "%s", why);
		ret = -EBADMSG;
		goto out;
	}
	ret = q->what == KDS_CA ? check_ca(q, &ch, err, errlen)
				: check_vcek(q, &ch, err, errlen);
	if (!ret)
		ret = verify_chain(&ch, root, at, err, errlen);
out:
	snp_chain_free(&ch);
	return ret;
}
