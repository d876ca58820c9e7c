// SPDX-License-Identifier: MIT
/*
 * owner/kds.c and cli/fetch.c: `sevboot fetch` against a KDS of our own,
 * a thread serving HTTP on 127.0.0.1 (any free port) from the real
 * certificates in ../shared/testdata, answering 404, 429, garbage, a
 * truncated certificate or a cut connection where a test says so, and
 * recording every request.  Asserted: the exact URLs for a Milan, a Genoa
 * and a Turin report; the cache (the second fetch makes no request); the
 * 429 line; a bad answer refused with nothing left in --out or the cache;
 * libcurl opened only by the first fetch (dlopen), and a missing one
 * refused in one line, exit 1; bin/sevboot starting without it.
 */
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <dlfcn.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "cli/cli.h"
#include "loader/loader.h"
#include "owner/owner.h"
#include "tests/unit/testutil.h"

#define TD    "testdata/"
#define CERTS TD "virtee/sev/tests/certs_data/"
#define AZURE                                                                  \
	TD "confidential-containers/trustee/deps/verifier/test_data/"          \
	   "az-snp-vtpm/"
#define GOSEV TD "google/go-sev-guest/verify/"

#define MILAN_HWID                                                             \
	"d49554ec717f4e5b0fe6b143bcf0405bd7ae304727edf46603f2a76aef6a3abc"     \
	"15d7af38db757039029f0efacfd08e244324884738c72b082e2f87a44d541eb6"
#define GENOA_HWID                                                             \
	"0506ffba875e939c2729d20c74eb72b4c5ba6bf7ea1faaa640141f12c6d64782"     \
	"fb487f68ce69dcd021e914cc0d9244327bc121f0242d6470903ad1d4aaea4ad1"
#define TURIN_HWID "1e550a8ee5cf9f4d"

/* The URLs KDS spec 57230 and virtee snpguest fetch.rs give for these
 * reports (their REPORTED_TCB equals their VCEK's TCB extensions). */
#define MILAN_URL                                                              \
	"/vcek/v1/Milan/" MILAN_HWID                                           \
	"?blSPL=03&teeSPL=00&snpSPL=08&ucodeSPL=115"
#define GENOA_URL                                                              \
	"/vcek/v1/Genoa/" GENOA_HWID "?blSPL=10&teeSPL=00&snpSPL=23&ucodeSPL=" \
	"84"
#define TURIN_URL                                                              \
	"/vcek/v1/Turin/" TURIN_HWID                                           \
	"?fmcSPL=00&blSPL=00&teeSPL=00&snpSPL=00&ucodeSPL=09"

/* ------------------------------------------------------- a small KDS */

enum route_kind {
	ROUTE_BODY,   /* status, headers, body */
	ROUTE_CUT,    /* promises the body, sends half, closes */
	ROUTE_SILENT, /* reads the request, never answers */
};

struct route {
	const char *target; /* the whole target, or its path (no '?') */
	enum route_kind kind;
	int status;
	const char *headers; /* extra header lines, each ending \r\n */
	const uint8_t *body;
	size_t len;
};

struct kds_server {
	int fd;
	uint16_t port;
	pthread_t th;
	struct route route[8];
	unsigned nroutes;
	char req[16][1024];
	unsigned nreqs;
	pthread_mutex_t mu;
	volatile bool stop;
};

static const struct route *route_find(struct kds_server *s, const char *t)
{
	size_t plen = strcspn(t, "?");

	for (unsigned k = 0; k < s->nroutes; k++)
		if (!strcmp(s->route[k].target, t))
			return &s->route[k];
	for (unsigned k = 0; k < s->nroutes; k++)
		if (strlen(s->route[k].target) == plen &&
		    !strncmp(s->route[k].target, t, plen))
			return &s->route[k];
	return NULL;
}

static void send_all(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n) {
		ssize_t w = send(fd, c, n, MSG_NOSIGNAL);

		if (w <= 0)
			return;
		c += w;
		n -= (size_t)w;
	}
}

static void serve_one(struct kds_server *s, int c)
{
	static const struct route missing = {
		"", ROUTE_BODY, 404, "", (const uint8_t *)"not found", 9};
	char buf[8192], target[1024], head[512];
	size_t len = 0;
	const struct route *r;

	buf[0] = '\0';
	while (len < sizeof(buf) - 1 && !strstr(buf, "\r\n\r\n")) {
		ssize_t n = recv(c, buf + len, sizeof(buf) - 1 - len, 0);

		if (n <= 0)
			return;
		len += (size_t)n;
		buf[len] = '\0';
	}
	if (sscanf(buf, "GET %1023s HTTP/1.1", target) != 1)
		return;
	pthread_mutex_lock(&s->mu);
	if (s->nreqs < 16)
		snprintf(s->req[s->nreqs++], sizeof(s->req[0]), "%s", target);
	pthread_mutex_unlock(&s->mu);
	r = route_find(s, target);
	if (!r)
		r = &missing;
	if (r->kind == ROUTE_SILENT) {
		while (!s->stop)
			usleep(10000);
		return;
	}
	snprintf(head, sizeof(head),
		 "HTTP/1.1 %d X\r\nContent-Length: %zu\r\n%sConnection: "
		 "close\r\n\r\n",
		 r->status, r->len, r->headers ? r->headers : "");
	send_all(c, head, strlen(head));
	send_all(c, r->body, r->kind == ROUTE_CUT ? r->len / 2 : r->len);
}

static void *server_main(void *arg)
{
	struct kds_server *s = arg;

	while (!s->stop) {
		struct pollfd p = {.fd = s->fd, .events = POLLIN};
		int c;

		if (poll(&p, 1, 50) <= 0)
			continue;
		c = accept(s->fd, NULL, NULL);
		if (c < 0)
			continue;
		serve_one(s, c);
		close(c);
	}
	return NULL;
}

static void server_start(struct kds_server *s)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t alen = sizeof(a);

	pthread_mutex_init(&s->mu, NULL);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(s->fd, 0);
	ck_assert_int_eq(bind(s->fd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(listen(s->fd, 8), 0);
	ck_assert_int_eq(getsockname(s->fd, (struct sockaddr *)&a, &alen), 0);
	s->port = ntohs(a.sin_port);
	ck_assert_int_eq(pthread_create(&s->th, NULL, server_main, s), 0);
}

static void server_stop(struct kds_server *s)
{
	s->stop = true;
	pthread_join(s->th, NULL);
	close(s->fd);
}

static void route(struct kds_server *s, const char *target, int status,
		  const char *headers, const void *body, size_t len)
{
	ck_assert_uint_lt(s->nroutes, 8);
	s->route[s->nroutes++] =
		(struct route){target, ROUTE_BODY, status, headers, body, len};
}

static unsigned nreqs(struct kds_server *s)
{
	unsigned n;

	pthread_mutex_lock(&s->mu);
	n = s->nreqs;
	pthread_mutex_unlock(&s->mu);
	return n;
}

/* ------------------------------------------------------------ helpers */

static char *shared(const char *rel)
{
	static char buf[4][4096];
	static unsigned k;
	char *b = buf[k++ % 4];

	ck_assert_ptr_nonnull(shared_path(rel, b, sizeof(buf[0])));
	return b;
}

/* A fresh directory under /tmp. */
static void tmpdir(char *out, size_t len)
{
	snprintf(out, len, "/tmp/sevboot-kds.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(out));
}

static void write_file(const char *path, const void *p, size_t n)
{
	ck_assert_int_eq(file_write_atomic(path, p, n, 0644, true, NULL, 0), 0);
}

/* Entries in a directory tree (files only), "." files included. */
static unsigned count_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	unsigned n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		char p[4096];

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		if (e->d_type == DT_DIR)
			n += count_files(p);
		else
			n++;
	}
	closedir(d);
	return n;
}

/* One `sevboot fetch`, in this process. */
static void fetch(struct captured *r, const char *const *args)
{
	capture_cmd(r, cmd_fetch, "fetch", args);
}

static void url(char *out, size_t len, const struct kds_server *s)
{
	snprintf(out, len, "http://127.0.0.1:%u", s->port);
}

/* The Genoa SNP report: bytes 0x20..0x4c0 of the Azure HCL report that
 * evidence-genoa.json holds as a JSON list of bytes (testdata README). */
static bool genoa_report(uint8_t raw[SNP_REPORT_LEN])
{
	struct blob b;
	struct json *j = NULL;
	const struct json *rep;

	if (!shared_read(AZURE "evidence-genoa.json", &b))
		return false;
	ck_assert_int_eq(json_parse((char *)b.data, b.len, &j, NULL, 0), 0);
	rep = json_get(j, "report");
	ck_assert_ptr_nonnull(rep);
	ck_assert_int_eq(rep->type, JSON_ARRAY);
	ck_assert_uint_ge(rep->arr.n, 0x20 + SNP_REPORT_LEN);
	for (size_t k = 0; k < SNP_REPORT_LEN; k++)
		raw[k] = (uint8_t)rep->arr.items[0x20 + k].i.u;
	json_free(j);
	blob_free(&b);
	return true;
}

/* A Turin report (no real one is public): v3, CPUID family 0x1a, the
 * chip id and REPORTED_TCB of virtee's Turin VCEK (hwID 1e550a8ee5cf9f4d;
 * fmc 0 bl 0 tee 0 snp 0 ucode 9: Turin's TCB_VERSION puts ucode in byte
 * 7, Linux psp-sev.h sev_snp_tcb_version_turin).  Unsigned: fetch reads
 * only the fields that name the VCEK. */
static void turin_report(uint8_t raw[SNP_REPORT_LEN])
{
	memset(raw, 0, SNP_REPORT_LEN);
	put_le32(raw, 0x0, 3);
	put_le64(raw, 0x8, 0x30000);
	put_le32(raw, 0x34, 1);
	put_le64(raw, 0x180, 0x0900000000000000ULL);
	raw[0x188] = 0x1a;
	raw[0x189] = 0x02;
	ck_unhex(TURIN_HWID, raw + 0x1a0, 8);
}

/* PEM (one certificate) -> DER, as KDS sends a VCEK. */
static void pem_to_der(const struct blob *pem, uint8_t **der, size_t *len)
{
	BIO *bio = BIO_new_mem_buf(pem->data, (int)pem->len);
	X509 *c = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	unsigned char *p = NULL;
	int n;

	ck_assert_ptr_nonnull(c);
	n = i2d_X509(c, &p);
	ck_assert_int_gt(n, 0);
	*der = p;
	*len = (size_t)n;
	X509_free(c);
	BIO_free(bio);
}

static bool file_equals(const char *path, const uint8_t *p, size_t n)
{
	struct blob b;
	bool same;

	if (file_read(path, 1 << 20, &b, NULL, 0))
		return false;
	same = b.len == n && !memcmp(b.data, p, n);
	blob_free(&b);
	return same;
}

/* ------------------------------------------------------------- the URLs */

/* One VCEK fetch through the server: the exact request, the file kept. */
static void vcek_fetch(const char *report, const char *product,
		       const char *want_url, const uint8_t *vcek, size_t len)
{
	struct kds_server s = {0};
	char dir[64], cache[96], out[96], base[64], file[128];
	const char *args[16];
	struct captured r;
	int n = 0;

	tmpdir(dir, sizeof(dir));
	snprintf(cache, sizeof(cache), "%s/cache", dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	server_start(&s);
	route(&s, want_url, 200, NULL, vcek, len);
	url(base, sizeof(base), &s);
	args[n++] = "vcek";
	args[n++] = "--report";
	args[n++] = report;
	if (product) {
		args[n++] = "--product";
		args[n++] = product;
	}
	args[n++] = "--kds-url";
	args[n++] = base;
	args[n++] = "--cache";
	args[n++] = cache;
	args[n++] = "--out";
	args[n++] = out;
	args[n] = NULL;
	fetch(&r, args);
	server_stop(&s);
	ck_assert_msg(r.rc == 0, "rc %d: %s", r.rc, r.err);
	ck_assert_uint_eq(s.nreqs, 1);
	ck_assert_str_eq(s.req[0], want_url);
	snprintf(file, sizeof(file), "%s/vcek.der", out);
	ck_assert(file_equals(file, vcek, len));
	ck_assert_ptr_nonnull(strstr(r.out, "verified, from http://127.0.0.1"));
	rm_tree(dir);
}

START_TEST(test_url_milan)
{
	struct blob vcek;

	NEED_SHARED(CERTS "vcek_milan.der", &vcek);
	/* A v2 report has no CPUID fields: the product is given. */
	vcek_fetch(shared(CERTS "report_milan.hex"), "Milan", MILAN_URL,
		   vcek.data, vcek.len);
	blob_free(&vcek);
}
END_TEST

START_TEST(test_url_genoa)
{
	uint8_t raw[SNP_REPORT_LEN], *der;
	char dir[64], path[96];
	struct blob pem;
	size_t len;

	NEED_SHARED(AZURE "vcek-genoa.pem", &pem);
	if (!genoa_report(raw))
		SKIP_TEST("no ../shared/" AZURE "evidence-genoa.json");
	tmpdir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/genoa-report.bin", dir);
	write_file(path, raw, sizeof(raw));
	pem_to_der(&pem, &der, &len);
	/* v3: the product comes from the report's CPUID (family 19h model
	 * 11h). */
	vcek_fetch(path, NULL, GENOA_URL, der, len);
	OPENSSL_free(der);
	blob_free(&pem);
	rm_tree(dir);
}
END_TEST

START_TEST(test_url_turin)
{
	uint8_t raw[SNP_REPORT_LEN];
	char dir[64], path[96];
	struct blob vcek;

	NEED_SHARED(CERTS "vcek_turin.der", &vcek);
	turin_report(raw);
	tmpdir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/turin-report.bin", dir);
	write_file(path, raw, sizeof(raw));
	vcek_fetch(path, NULL, TURIN_URL, vcek.data, vcek.len);
	blob_free(&vcek);
	rm_tree(dir);
}
END_TEST

/* The paths of every kind of query, without a server. */
START_TEST(test_paths)
{
	struct kds_query q = {.what = KDS_CA, .product = AMD_GENOA};
	uint8_t raw[SNP_REPORT_LEN];
	char p[512], err[256];

	ck_assert_int_eq(kds_path(&q, p, sizeof(p)), 0);
	ck_assert_str_eq(p, "/vcek/v1/Genoa/cert_chain");
	q.vlek = true;
	ck_assert_int_eq(kds_path(&q, p, sizeof(p)), 0);
	ck_assert_str_eq(p, "/vlek/v1/Genoa/cert_chain");
	q.what = KDS_CRL;
	ck_assert_int_eq(kds_path(&q, p, sizeof(p)), 0);
	ck_assert_str_eq(p, "/vlek/v1/Genoa/crl");
	ck_assert_int_eq(kds_cache_name(&q, p, sizeof(p)), 0);
	ck_assert_str_eq(p, "vlek/Genoa/crl.der");
	q.product = AMD_ROME; /* KDS has no SNP keys for Rome */
	ck_assert_int_eq(kds_path(&q, p, sizeof(p)), -EINVAL);

	turin_report(raw);
	ck_assert_int_eq(
		kds_query_vcek(raw, AMD_PRODUCT_UNKNOWN, &q, err, sizeof(err)),
		0);
	ck_assert_int_eq(q.product, AMD_TURIN);
	ck_assert_int_eq(kds_path(&q, p, sizeof(p)), 0);
	ck_assert_str_eq(p, TURIN_URL);
	ck_assert_int_eq(kds_cache_name(&q, p, sizeof(p)), 0);
	ck_assert_str_eq(p, "vcek/Turin/" TURIN_HWID
			    "/fmc00-bl00-tee00-snp00-ucode09.der");
	/* A masked chip id names no VCEK. */
	memset(raw + 0x1a0, 0, 64);
	ck_assert_int_eq(
		kds_query_vcek(raw, AMD_PRODUCT_UNKNOWN, &q, err, sizeof(err)),
		-EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "chip_id is all zero"));
	/* A v2 report without a Turin-shaped chip id names no product. */
	turin_report(raw);
	put_le32(raw, 0, 2);
	raw[0x188] = 0;
	memset(raw + 0x1a0, 0x11, 64);
	ck_assert_int_eq(
		kds_query_vcek(raw, AMD_PRODUCT_UNKNOWN, &q, err, sizeof(err)),
		-EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "give --product"));
	ck_assert_int_eq(kds_query_vcek(raw, AMD_MILAN, &q, err, sizeof(err)),
			 0);
	ck_assert_uint_eq(q.hwid_len, 64);
}
END_TEST

/* ---------------------------------------------------- cache and refusals */

/* A test's server and directories. */
struct env {
	struct kds_server s;
	char dir[64], cache[96], out[96], base[64];
};

static void env_done(struct env *e)
{
	server_stop(&e->s);
	rm_tree(e->dir);
}

static void env_init(struct env *e)
{
	memset(e, 0, sizeof(*e));
	tmpdir(e->dir, sizeof(e->dir));
	snprintf(e->cache, sizeof(e->cache), "%s/cache", e->dir);
	snprintf(e->out, sizeof(e->out), "%s/out", e->dir);
	server_start(&e->s);
	url(e->base, sizeof(e->base), &e->s);
}

/* fetch WHAT --product Milan (or --report R) through e's server. */
static void env_fetch(struct env *e, struct captured *r, const char *what,
		      const char *report, const char *extra)
{
	const char *args[16];
	int n = 0;

	args[n++] = what;
	if (report) {
		args[n++] = "--report";
		args[n++] = report;
	}
	args[n++] = "--product";
	args[n++] = "Milan";
	args[n++] = "--kds-url";
	args[n++] = e->base;
	args[n++] = "--cache";
	args[n++] = e->cache;
	args[n++] = "--out";
	args[n++] = e->out;
	if (extra)
		args[n++] = extra;
	args[n] = NULL;
	fetch(r, args);
}

START_TEST(test_cache)
{
	struct blob vcek, chain;
	struct captured r;
	struct env e;
	char file[128];

	NEED_SHARED(CERTS "vcek_milan.der", &vcek);
	NEED_SHARED(CERTS "cert_chain_milan", &chain);
	env_init(&e);
	route(&e.s, MILAN_URL, 200, NULL, vcek.data, vcek.len);
	route(&e.s, "/vcek/v1/Milan/cert_chain", 200, NULL, chain.data,
	      chain.len);
	env_fetch(&e, &r, "vcek", shared(CERTS "report_milan.hex"), NULL);
	ck_assert_msg(r.rc == 0, "%s", r.err);
	ck_assert_uint_eq(nreqs(&e.s), 1);
	snprintf(file, sizeof(file), "%s/vcek.der", e.out);
	ck_assert_int_eq(unlink(file), 0);
	/* Again: from the cache, no request, the same file. */
	env_fetch(&e, &r, "vcek", shared(CERTS "report_milan.hex"), NULL);
	ck_assert_msg(r.rc == 0, "%s", r.err);
	ck_assert_uint_eq(nreqs(&e.s), 1);
	ck_assert_str_eq(r.err, "");
	ck_assert_ptr_nonnull(strstr(r.out, "verified, from the cache "));
	ck_assert_ptr_nonnull(strstr(r.out, "(no request made)\n"));
	ck_assert(file_equals(file, vcek.data, vcek.len));
	/* --json: one object saying the same. */
	env_fetch(&e, &r, "vcek", shared(CERTS "report_milan.hex"), "--json");
	ck_assert_msg(r.rc == 0, "%s", r.err);
	{
		struct json *j = NULL;
		const struct json *v;

		ck_assert_int_eq(json_parse(r.out, strlen(r.out), &j, NULL, 0),
				 0);
		v = json_get(j, "hwid");
		ck_assert(v && v->type == JSON_STRING);
		ck_assert_str_eq(v->str.s, MILAN_HWID);
		v = json_get(j, "ucode");
		ck_assert(v && v->type == JSON_INT && v->i.u == 115);
		v = json_get(j, "cache");
		ck_assert(v && v->type == JSON_STRING);
		v = json_get(j, "verified");
		ck_assert(v && v->type == JSON_BOOL && v->b);
		json_free(j);
	}
	ck_assert_uint_eq(nreqs(&e.s), 1);
	/* --no-cache asks. */
	env_fetch(&e, &r, "vcek", shared(CERTS "report_milan.hex"),
		  "--no-cache");
	ck_assert_msg(r.rc == 0, "%s", r.err);
	ck_assert_uint_eq(nreqs(&e.s), 2);
	/* The CA chain, twice: one request. */
	env_fetch(&e, &r, "ca", NULL, NULL);
	ck_assert_msg(r.rc == 0, "%s", r.err);
	env_fetch(&e, &r, "ca", NULL, NULL);
	ck_assert_msg(r.rc == 0, "%s", r.err);
	ck_assert_uint_eq(nreqs(&e.s), 3);
	ck_assert_str_eq(e.s.req[2], "/vcek/v1/Milan/cert_chain");
	snprintf(file, sizeof(file), "%s/cert_chain.pem", e.out);
	ck_assert(file_equals(file, chain.data, chain.len));
	/* A cached file that no longer verifies is fetched again. */
	snprintf(file, sizeof(file), "%s/kds/vcek/Milan/cert_chain.pem",
		 e.cache);
	write_file(file, "garbage", 7);
	env_fetch(&e, &r, "ca", NULL, NULL);
	ck_assert_msg(r.rc == 0, "%s", r.err);
	ck_assert_ptr_nonnull(strstr(r.err, "does not pass its checks"));
	ck_assert_uint_eq(nreqs(&e.s), 4);
	ck_assert(file_equals(file, chain.data, chain.len));
	env_done(&e);
	blob_free(&vcek);
	blob_free(&chain);
}
END_TEST

START_TEST(test_rate_limit)
{
	struct captured r;
	struct env e;
	char want[512];

	env_init(&e);
	route(&e.s, "/vcek/v1/Milan/cert_chain", 429, "Retry-After: 120\r\n",
	      "slow down", 9);
	route(&e.s, "/vcek/v1/Milan/crl", 429, NULL, "", 0);
	env_fetch(&e, &r, "ca", NULL, NULL);
	ck_assert_int_eq(r.rc, EXIT_KDS);
	snprintf(want, sizeof(want),
		 "sevboot: fetch: AMD KDS rate limit: %s/vcek/v1/Milan/"
		 "cert_chain answered HTTP 429 Too Many Requests (KDS limits "
		 "how often one client may ask); retry after 120 s "
		 "(Retry-After: 120)\n",
		 e.base);
	ck_assert_str_eq(r.err, want);
	ck_assert_str_eq(r.out, "");
	/* Without Retry-After. */
	env_fetch(&e, &r, "crl", NULL, NULL);
	ck_assert_int_eq(r.rc, EXIT_KDS);
	ck_assert_ptr_nonnull(strstr(r.err, "it sent no Retry-After"));
	ck_assert_uint_eq(count_files(e.out), 0);
	ck_assert_uint_eq(count_files(e.cache), 0);
	env_done(&e);
}
END_TEST

START_TEST(test_not_found)
{
	struct captured r;
	struct env e;

	env_init(&e); /* no routes: 404 for everything */
	if (!shared_path(CERTS "report_milan.hex", (char[4096]){0}, 4096))
		SKIP_TEST("no ../shared/" CERTS "report_milan.hex");
	env_fetch(&e, &r, "vcek", shared(CERTS "report_milan.hex"), NULL);
	ck_assert_int_eq(r.rc, EXIT_KDS);
	ck_assert_ptr_nonnull(
		strstr(r.err, "KDS has no VCEK for this chip/TCB (HTTP 404"));
	ck_assert_ptr_nonnull(strstr(r.err, "bl 3 tee 0 snp 8 ucode 115"));
	ck_assert_ptr_eq(strchr(r.err, '\n'), r.err + strlen(r.err) - 1);
	ck_assert_uint_eq(count_files(e.out), 0);
	env_done(&e);
}
END_TEST

/* Answers that must not be kept: exit 5 (or 6 for a cut connection),
 * one line, nothing in --out or the cache. */
static void refused(struct env *e, const char *what, int want_rc,
		    const char *want_err)
{
	struct captured r;

	env_fetch(e, &r, what,
		  !strcmp(what, "vcek") ? shared(CERTS "report_milan.hex")
					: NULL,
		  NULL);
	ck_assert_msg(r.rc == want_rc, "rc %d: %s", r.rc, r.err);
	ck_assert_msg(strstr(r.err, want_err), "%s", r.err);
	ck_assert_ptr_eq(strchr(r.err, '\n'), r.err + strlen(r.err) - 1);
	ck_assert_uint_eq(count_files(e->out), 0);
	ck_assert_uint_eq(count_files(e->cache), 0);
}

START_TEST(test_bad_answers)
{
	struct blob vcek, other, turin_chain;
	struct env e;

	NEED_SHARED(CERTS "vcek_milan.der", &vcek);
	NEED_SHARED(GOSEV "testdata/vcek.testcer", &other);
	NEED_SHARED(CERTS "cert_chain_turin", &turin_chain);
	env_init(&e);
	mkdir(e.out, 0755);
	/* garbage */
	route(&e.s, MILAN_URL, 200, NULL, "<html>no</html>", 15);
	refused(&e, "vcek", EXIT_SEV, "not an X.509 certificate");
	/* a truncated certificate, properly framed */
	e.s.route[0] = (struct route){MILAN_URL, ROUTE_BODY, 200,
				      NULL,	 vcek.data,  vcek.len - 100};
	refused(&e, "vcek", EXIT_SEV, "not one DER X.509 certificate");
	/* the connection cut in the middle of the body */
	e.s.route[0].kind = ROUTE_CUT;
	e.s.route[0].len = vcek.len;
	refused(&e, "vcek", EXIT_KDS, MILAN_URL);
	/* another chip's VCEK (go-sev-guest's) */
	e.s.route[0] = (struct route){MILAN_URL, ROUTE_BODY, 200,
				      NULL,	 other.data, other.len};
	refused(&e, "vcek", EXIT_SEV, "hwID: expected " MILAN_HWID);
	/* the right VCEK, one byte of its signed part changed (virtee
	 * tests/certs.rs milan_chain_invalid: byte 40) */
	vcek.data[40] ^= 1;
	e.s.route[0] = (struct route){MILAN_URL, ROUTE_BODY, 200,
				      NULL,	 vcek.data,  vcek.len};
	refused(&e, "vcek", EXIT_SEV, "VCEK signed by ASK");
	/* Turin's chain for Milan */
	route(&e.s, "/vcek/v1/Milan/cert_chain", 200, NULL, turin_chain.data,
	      turin_chain.len);
	refused(&e, "ca", EXIT_SEV,
		"expected Milan's certificates, found "
		"Turin's");
	env_done(&e);
	blob_free(&vcek);
	blob_free(&other);
	blob_free(&turin_chain);
}
END_TEST

START_TEST(test_timeout)
{
	struct captured r;
	struct env e;

	env_init(&e);
	e.s.route[e.s.nroutes++] = (struct route){
		"/vcek/v1/Milan/crl", ROUTE_SILENT, 0, NULL, NULL, 0};
	env_fetch(&e, &r, "crl", NULL, "--timeout=1");
	ck_assert_int_eq(r.rc, EXIT_KDS);
	ck_assert_msg(strstr(r.err, "no answer within 1 s"), "%s", r.err);
	ck_assert_uint_eq(count_files(e.out), 0);
	env_done(&e);
}
END_TEST

/* -------------------------------------------------------------- the CRL */

/* No CRL from AMD is in the testdata: an ARK of our own (CN=ARK-Milan,
 * self-signed) and CRLs it signs, checked with --ark. */
static EVP_PKEY *rsa_key(void)
{
	EVP_PKEY *k = EVP_RSA_gen(2048);

	ck_assert_ptr_nonnull(k);
	return k;
}

static X509 *make_ark(EVP_PKEY *k)
{
	X509 *c = X509_new();
	X509_NAME *n = X509_NAME_new();

	X509_set_version(c, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(c), 1);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
				   (const unsigned char *)"ARK-Milan", -1, -1,
				   0);
	X509_set_subject_name(c, n);
	X509_set_issuer_name(c, n);
	X509_gmtime_adj(X509_getm_notBefore(c), -86400);
	X509_gmtime_adj(X509_getm_notAfter(c), 86400L * 365);
	X509_set_pubkey(c, k);
	ck_assert_int_gt(X509_sign(c, k, EVP_sha384()), 0);
	X509_NAME_free(n);
	return c;
}

/* A DER CRL issued by ark, signed by k, next update `next` s from now. */
static size_t make_crl(X509 *ark, EVP_PKEY *k, long next, uint8_t **der)
{
	X509_CRL *crl = X509_CRL_new();
	ASN1_TIME *t = ASN1_TIME_new();
	unsigned char *p = NULL;
	int n;

	X509_CRL_set_version(crl, 1);
	X509_CRL_set_issuer_name(crl, X509_get_subject_name(ark));
	X509_gmtime_adj(t, -3600);
	X509_CRL_set1_lastUpdate(crl, t);
	X509_gmtime_adj(t, next);
	X509_CRL_set1_nextUpdate(crl, t);
	ck_assert_int_gt(X509_CRL_sign(crl, k, EVP_sha384()), 0);
	n = i2d_X509_CRL(crl, &p);
	ck_assert_int_gt(n, 0);
	*der = p;
	ASN1_TIME_free(t);
	X509_CRL_free(crl);
	return (size_t)n;
}

static void write_pem(const char *path, X509 *c)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(PEM_write_X509(f, c), 1);
	fclose(f);
}

START_TEST(test_crl)
{
	EVP_PKEY *k = rsa_key(), *other = rsa_key();
	X509 *ark = make_ark(k);
	uint8_t *good, *bad, *stale;
	size_t ngood = make_crl(ark, k, 86400, &good);
	size_t nbad = make_crl(ark, other, 86400, &bad);
	size_t nstale = make_crl(ark, k, -60, &stale);
	char adir[64], arkpath[128], extra[160], file[128];
	struct captured r;
	struct env e;

	tmpdir(adir, sizeof(adir));
	env_init(&e);
	snprintf(arkpath, sizeof(arkpath), "%s/ark.pem", adir);
	write_pem(arkpath, ark);
	snprintf(extra, sizeof(extra), "--ark=%s", arkpath);
	route(&e.s, "/vcek/v1/Milan/crl", 200, NULL, good, ngood);
	env_fetch(&e, &r, "crl", NULL, extra);
	ck_assert_msg(r.rc == 0, "%s", r.err);
	snprintf(file, sizeof(file), "%s/crl.der", e.out);
	ck_assert(file_equals(file, good, ngood));
	env_fetch(&e, &r, "crl", NULL, extra);
	ck_assert_msg(r.rc == 0, "%s", r.err);
	ck_assert_uint_eq(nreqs(&e.s), 1); /* from the cache */
	/* Without --ark, AMD's ARK did not sign it. */
	ck_assert_int_eq(unlink(file), 0);
	env_fetch(&e, &r, "crl", NULL, "--no-cache");
	ck_assert_int_eq(r.rc, EXIT_SEV);
	ck_assert_ptr_nonnull(strstr(r.err, "found another issuer"));
	ck_assert_uint_eq(count_files(e.out), 0);
	env_done(&e);

	/* Signed by another key. */
	env_init(&e);
	route(&e.s, "/vcek/v1/Milan/crl", 200, NULL, bad, nbad);
	env_fetch(&e, &r, "crl", NULL, extra);
	ck_assert_int_eq(r.rc, EXIT_SEV);
	ck_assert_ptr_nonnull(strstr(r.err, "does not verify"));
	ck_assert_uint_eq(count_files(e.out) + count_files(e.cache), 0);
	env_done(&e);

	/* Past its nextUpdate: kept, but the cache does not serve it. */
	env_init(&e);
	route(&e.s, "/vcek/v1/Milan/crl", 200, NULL, stale, nstale);
	env_fetch(&e, &r, "crl", NULL, extra);
	ck_assert_msg(r.rc == 0, "%s", r.err);
	env_fetch(&e, &r, "crl", NULL, extra);
	ck_assert_msg(r.rc == 0, "%s", r.err);
	ck_assert_ptr_nonnull(strstr(r.err, "past its nextUpdate"));
	ck_assert_uint_eq(nreqs(&e.s), 2);
	env_done(&e);

	rm_tree(adir);
	OPENSSL_free(good);
	OPENSSL_free(bad);
	OPENSSL_free(stale);
	X509_free(ark);
	EVP_PKEY_free(k);
	EVP_PKEY_free(other);
}
END_TEST

/* ------------------------------------------------ libcurl, opened late */

/* make unit runs each test in a process of its own (CK_FORK=yes): a test
 * then starts with libcurl not loaded, whatever an earlier one did. */
static bool forked(void)
{
	const char *f = getenv("CK_FORK");

	return !f || strcmp(f, "no");
}

/* Is libcurl mapped into this process?  RTLD_NOLOAD opens nothing. */
static bool curl_mapped(void)
{
	void *h = dlopen(KDS_LIBCURL, RTLD_NOW | RTLD_NOLOAD);

	if (h)
		dlclose(h);
	return h != NULL;
}

/* The test binary does not link libcurl; the first fetch opens it. */
START_TEST(test_curl_dlopen)
{
	struct captured r;
	struct env e;

	if (!forked())
		SKIP_TEST("CK_FORK=no: an earlier test may have loaded "
			  "libcurl in this process");
	ck_assert_msg(!curl_mapped(), "%s is mapped before any fetch",
		      KDS_LIBCURL);
	env_init(&e); /* no routes: 404 */
	env_fetch(&e, &r, "ca", NULL, NULL);
	env_done(&e);
	ck_assert_msg(r.rc == EXIT_KDS, "rc %d: %s", r.rc, r.err);
	ck_assert_ptr_nonnull(strstr(r.err, "answered HTTP 404"));
	ck_assert_uint_eq(e.s.nreqs, 1);
	ck_assert(curl_mapped());
	/* Loaded: the soname can no longer change. */
	ck_assert_int_eq(kds_curl_soname("libcurl.so.0-missing"), -EBUSY);
}
END_TEST

/* No libcurl: one line naming it and dlerror's reason, exit 1, no
 * request, nothing written; the next fetch tries again. */
START_TEST(test_no_libcurl)
{
	const char *missing = "libcurl.so.0-sevboot-test-missing";
	struct captured r;
	struct env e;

	if (!forked())
		SKIP_TEST("CK_FORK=no: an earlier test may have loaded "
			  "libcurl in this process");
	ck_assert_int_eq(kds_curl_soname(missing), 0);
	env_init(&e);
	mkdir(e.out, 0755);
	env_fetch(&e, &r, "ca", NULL, NULL);
	ck_assert_msg(r.rc == EXIT_RUNTIME, "rc %d: %s", r.rc, r.err);
	ck_assert_msg(strstr(r.err, "sevboot: fetch: cannot load "
				    "libcurl.so.0-sevboot-test-missing "
				    "(libcurl.so.0-sevboot-test-missing: "
				    "cannot open shared object file"),
		      "%s", r.err);
	ck_assert_ptr_nonnull(strstr(r.err, "fetch needs libcurl"));
	ck_assert_ptr_eq(strchr(r.err, '\n'), r.err + strlen(r.err) - 1);
	ck_assert_str_eq(r.out, "");
	ck_assert_uint_eq(e.s.nreqs, 0);
	ck_assert_uint_eq(count_files(e.out), 0);
	ck_assert_uint_eq(count_files(e.cache), 0);
	ck_assert(!curl_mapped());
	/* The failure is not kept: with the real soname back, it loads. */
	ck_assert_int_eq(kds_curl_soname(NULL), 0);
	env_fetch(&e, &r, "ca", NULL, NULL);
	env_done(&e);
	ck_assert_msg(r.rc == EXIT_KDS, "rc %d: %s", r.rc, r.err);
	ck_assert_uint_eq(e.s.nreqs, 1);
}
END_TEST

/* A library that is not libcurl (libc: it is loaded anyway): the first
 * function missing is named, exit 1, no request. */
START_TEST(test_not_libcurl)
{
	struct captured r;
	struct env e;

	if (!forked())
		SKIP_TEST("CK_FORK=no: an earlier test may have loaded "
			  "libcurl in this process");
	ck_assert_int_eq(kds_curl_soname("libc.so.6"), 0);
	env_init(&e);
	env_fetch(&e, &r, "ca", NULL, NULL);
	env_done(&e);
	ck_assert_msg(r.rc == EXIT_RUNTIME, "rc %d: %s", r.rc, r.err);
	ck_assert_msg(strstr(r.err, "sevboot: fetch: libc.so.6 has no "
				    "curl_global_init ("),
		      "%s", r.err);
	ck_assert_ptr_eq(strchr(r.err, '\n'), r.err + strlen(r.err) - 1);
	ck_assert_uint_eq(e.s.nreqs, 0);
}
END_TEST

/* The libraries the dynamic loader maps for bin/sevboot (what ldd(1)
 * prints: LD_TRACE_LOADED_OBJECTS, ld.so(8)) hold no libcurl: a run that
 * does not fetch does not pay for it. */
START_TEST(test_bin_without_libcurl)
{
	const char *b = sevboot_bin();
	char cmd[4200], list[16384];
	size_t n = 0, got;
	FILE *p;

	if (!b)
		SKIP_TEST("no bin/sevboot (SEVBOOT_BIN): make it first");
	snprintf(cmd, sizeof(cmd), "LD_TRACE_LOADED_OBJECTS=1 '%s' 2>&1", b);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	while (n + 1 < sizeof(list) &&
	       (got = fread(list + n, 1, sizeof(list) - 1 - n, p)) > 0)
		n += got;
	list[n] = '\0';
	ck_assert_int_eq(pclose(p), 0);
	if (!strstr(list, "libc.so"))
		SKIP_TEST("%s is not dynamically linked (make static?)", b);
	ck_assert_msg(strstr(list, "libcrypto"), "%s", list);
	ck_assert_msg(!strstr(list, "libcurl"), "%s maps libcurl: %s", b, list);
}
END_TEST

/* ------------------------------------------------------------- usage */

START_TEST(test_usage)
{
	struct captured r;

	fetch(&r, (const char *[]){"vcek", "--product", "Milan", NULL});
	ck_assert_int_eq(r.rc, EXIT_USAGE);
	ck_assert_ptr_nonnull(strstr(r.err, "vcek needs --report FILE"));
	fetch(&r, (const char *[]){"ca", NULL});
	ck_assert_int_eq(r.rc, EXIT_USAGE);
	fetch(&r, (const char *[]){"ca", "--product", "Rome", NULL});
	ck_assert_int_eq(r.rc, EXIT_USAGE);
	ck_assert_ptr_nonnull(strstr(r.err, "must be Milan, Genoa or Turin"));
	fetch(&r, (const char *[]){"vcek", "--endorser", "vlek", "--report",
				   "/dev/null", NULL});
	ck_assert_int_eq(r.rc, EXIT_USAGE);
	fetch(&r, (const char *[]){"ark", "--product", "Milan", NULL});
	ck_assert_int_eq(r.rc, EXIT_USAGE);
	fetch(&r, (const char *[]){"ca", "--product", "Milan", "--kds-url",
				   "ftp://127.0.0.1/", "--no-cache", "--out",
				   "/tmp", NULL});
	ck_assert_msg(r.rc == EXIT_USAGE, "rc %d %s", r.rc, r.err);
}
END_TEST

static Suite *kds_suite(void)
{
	Suite *s = suite_create("kds");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_paths);
	tcase_add_test(tc, test_url_milan);
	tcase_add_test(tc, test_url_genoa);
	tcase_add_test(tc, test_url_turin);
	tcase_add_test(tc, test_cache);
	tcase_add_test(tc, test_rate_limit);
	tcase_add_test(tc, test_not_found);
	tcase_add_test(tc, test_bad_answers);
	tcase_add_test(tc, test_timeout);
	tcase_add_test(tc, test_crl);
	tcase_add_test(tc, test_usage);
	tcase_add_test(tc, test_curl_dlopen);
	tcase_add_test(tc, test_no_libcurl);
	tcase_add_test(tc, test_not_libcurl);
	tcase_add_test(tc, test_bin_without_libcurl);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(kds_suite());
}
