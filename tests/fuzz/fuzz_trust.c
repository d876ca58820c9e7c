// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness for the trust parsers (owner/cert.c, x509.c,
 * report.c): SEV certificates and chains, the AMD CA format, X.509
 * chains and VCEK extensions, and attestation reports, each read and
 * then verified, and AMD KDS answers (owner/kds.c).  The first byte picks
 * the reader.  They must never
 * crash, leak or read outside the input; every refusal is one terminated
 * sentence; a verification records at most TRUST_MAX_CHECKS checks and
 * counts its failures.  Seeds: tests/fuzz/corpus/fuzz_trust/.
 *
 * Speed: a refused RSA or EC key left OpenSSL's error on the thread's
 * error queue (owner/cert.c cleared it only later; the harness still
 * clears after every reader, whichever leaves one), an allocation the input
 * does not free, and libFuzzer answers an input with more mallocs than
 * frees with a full leak scan of the heap.  Clearing the queue after each
 * input (ERR_clear_error) ends those scans, 3.3 times the speed (200 ->
 * 666 exec/s, -seed=1 -runs=4000 from the seeds, same coverage); a real
 * leak still leaves more mallocs than frees and is still found.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>

#include "owner/owner.h"
#include "util/util.h"

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "fuzz_trust: check failed: %s\n",      \
				#cond);                                        \
			abort();                                               \
		}                                                              \
	} while (0)

#define AT 1796083200LL /* 2026-12-01 */

static void check_err(int ret, const char *err, size_t errlen)
{
	CHECK(memchr(err, '\0', errlen) != NULL);
	CHECK(ret <= 0);
	if (ret == -EINVAL)
		CHECK(err[0] != '\0' && !strchr(err, '\n'));
}

static void check_result(const struct trust_result *r)
{
	unsigned failed = 0;

	CHECK(r->n <= TRUST_MAX_CHECKS);
	for (unsigned k = 0; k < r->n; k++) {
		CHECK(memchr(r->check[k].text, '\0', TRUST_TEXT) != NULL);
		failed += !r->check[k].ok;
	}
	CHECK(failed <= r->failed);
	CHECK(!r->expired || r->failed);
}

static void fuzz_sev(const uint8_t *p, size_t n)
{
	struct sev_chain ch = {0};
	struct amd_cert *amd = malloc(2 * sizeof(*amd));
	struct trust_result *r = malloc(sizeof(*r));
	char err[300];
	int ret, product;

	CHECK(amd && r);
	memset(err, 'x', sizeof(err));
	ret = sev_chain_add(&ch, amd, p, n, err, sizeof(err));
	check_err(ret, err, sizeof(err));
	if (!ret) {
		trust_result_init(r);
		CHECK(sev_chain_verify(&ch, NULL, r, &product) == 0);
		check_result(r);
	}
	free(amd);
	free(r);
}

static void fuzz_amd(const uint8_t *p, size_t n)
{
	struct amd_cert *c = malloc(sizeof(*c));
	char err[300];
	size_t used = 0;
	int ret;

	CHECK(c);
	memset(err, 'x', sizeof(err));
	ret = amd_cert_parse(p, n, &used, c, err, sizeof(err));
	check_err(ret, err, sizeof(err));
	if (!ret) {
		CHECK(used <= n && c->len <= sizeof(c->raw));
		amd_cert_verify(c, c, err, sizeof(err));
		CHECK(memchr(err, '\0', sizeof(err)) != NULL);
	}
	free(c);
}

static void fuzz_x509(const uint8_t *p, size_t n)
{
	struct snp_chain ch = {.product = AMD_PRODUCT_UNKNOWN};
	struct trust_result *r = malloc(sizeof(*r));
	struct snp_vek_ext e;
	char err[300];
	int ret;

	CHECK(r);
	memset(err, 'x', sizeof(err));
	ret = snp_chain_add(&ch, p, n, err, sizeof(err));
	check_err(ret, err, sizeof(err));
	if (!ret) {
		if (ch.vek) {
			ret = snp_vek_extensions(ch.vek, &e, err, sizeof(err));
			check_err(ret, err, sizeof(err));
			CHECK(e.hwid_len == 0 || e.hwid_len == 8 ||
			      e.hwid_len == 64);
		}
		trust_result_init(r);
		CHECK(snp_chain_verify(&ch, NULL, AT, r) == 0);
		check_result(r);
	}
	snp_chain_free(&ch);
	free(r);
}

/* A report (raw or hex), then, after it, the certificates to check it
 * with. */
static void fuzz_report(const uint8_t *p, size_t n)
{
	uint8_t raw[SNP_REPORT_LEN];
	struct snp_report rep;
	struct sev_att_report sev;
	struct snp_chain ch = {.product = AMD_PRODUCT_UNKNOWN};
	struct snp_expect x = {.have_min_tcb = true};
	struct trust_result *r = malloc(sizeof(*r));
	size_t len = n < SNP_REPORT_LEN ? n : SNP_REPORT_LEN, rawlen = 0;
	char err[300];
	int ret;

	CHECK(r);
	memset(err, 'x', sizeof(err));
	ret = trust_report_read(p, n, raw, sizeof(raw), &rawlen, err,
				sizeof(err));
	check_err(ret, err, sizeof(err));
	if (!ret && rawlen == SEV_ATT_REPORT_LEN) {
		ret = sev_att_report_parse(raw, &sev, err, sizeof(err));
		check_err(ret, err, sizeof(err));
	}
	if (len == SNP_REPORT_LEN) {
		memcpy(raw, p, len);
		ret = snp_report_parse(raw, &rep, err, sizeof(err));
		check_err(ret, err, sizeof(err));
		if (!ret) {
			int product = snp_report_product(&rep);

			CHECK(product >= AMD_PRODUCT_UNKNOWN &&
			      product < AMD_NPRODUCTS);
		}
		if (!ret && n > len &&
		    !snp_chain_add(&ch, p + len, n - len, err, sizeof(err)) &&
		    ch.vek) {
			trust_result_init(r);
			ret = snp_report_verify(raw, &ch, NULL, AT, &x, r, err,
						sizeof(err));
			check_err(ret, err, sizeof(err));
			check_result(r);
		}
	}
	snp_chain_free(&ch);
	free(r);
}

/*
 * owner/kds.c: an answer from AMD's KDS, as kds_check() reads it before
 * anything is kept (the second byte picks CA, VCEK or CRL, VCEK or VLEK,
 * and the product), and a report as kds_query_vcek() reads it.  An answer
 * is accepted only when it verifies, which no mutation of a real one
 * does: check that it is refused with one sentence.
 */
static void fuzz_kds(const uint8_t *p, size_t n)
{
	static const int products[] = {AMD_MILAN, AMD_GENOA, AMD_TURIN};
	struct kds_query q = {0};
	char err[400], path[600];
	int64_t next;
	int ret;

	if (!n)
		return;
	q.what = (enum kds_what)(p[0] % 3);
	q.vlek = p[0] & 0x4;
	q.product = products[(p[0] >> 3) % 3];
	q.hwid_len = q.product == AMD_TURIN ? 8 : 64;
	memset(q.hwid, 0x5a, sizeof(q.hwid));
	err[0] = '\0';
	ret = kds_check(&q, p + 1, n - 1, NULL, AT, &next, err, sizeof(err));
	CHECK(ret == 0 || ret == -EBADMSG || ret == -ENOMEM);
	CHECK(memchr(err, '\0', sizeof(err)) != NULL);
	if (ret == -EBADMSG)
		CHECK(err[0] != '\0' && !strchr(err, '\n'));
	if (n - 1 >= SNP_REPORT_LEN) {
		err[0] = '\0';
		ret = kds_query_vcek(p + 1, AMD_PRODUCT_UNKNOWN, &q, err,
				     sizeof(err));
		check_err(ret, err, sizeof(err));
		if (!ret) {
			CHECK(kds_path(&q, path, sizeof(path)) == 0);
			CHECK(kds_cache_name(&q, path, sizeof(path)) == 0);
			/* Nothing of the report can leave the cache. */
			CHECK(!strstr(path, "..") &&
			      !strncmp(path, "vcek/", 5));
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	switch (data[0] % 5) {
	case 0:
		fuzz_sev(data + 1, size - 1);
		break;
	case 1:
		fuzz_amd(data + 1, size - 1);
		break;
	case 2:
		fuzz_x509(data + 1, size - 1);
		break;
	case 3:
		fuzz_report(data + 1, size - 1);
		break;
	default:
		fuzz_kds(data + 1, size - 1);
		break;
	}
	ERR_clear_error();
	return 0;
}
