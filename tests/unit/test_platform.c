// SPDX-License-Identifier: MIT
/*
 * sev/platform.c over the firmware model (sev/model/platform.c): the
 * status the model's state gives, the length protocols of GET_ID2 and
 * PDH_CERT_EXPORT, PDH_GEN kept in the identity directory, the commands
 * the model does not answer, and /dev/sev missing.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sev/sev.h"
#include "util/util.h"
#include "tests/unit/testutil.h"

/* A model identity directory, as `sevboot model-keys` makes it. */
static char *identity(uint8_t cert[SEV_CERT_LEN])
{
	char *dir = strdup("/tmp/sevboot-platform-XXXXXX"), path[4200];
	uint8_t d[48];
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(sev_model_keygen(d, cert), 0);
	snprintf(path, sizeof(path), "%s/pdh.key", dir);
	f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(d, 1, 48, f), 48);
	fclose(f);
	ck_assert_int_eq(chmod(path, 0600), 0);
	return dir;
}

static void remove_identity(char *dir)
{
	char cmd[4200];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
	free(dir);
}

START_TEST(model_status)
{
	uint8_t cert[SEV_CERT_LEN];
	char *dir = identity(cert), err[256];
	struct sev_platform_status s;
	struct sev_snp_platform_status snp;
	struct sev_platform *p;
	int e = 0, fw = 99;

	p = sev_platform_open_model(dir, &e, err, sizeof(err));
	ck_assert_ptr_nonnull(p);
	ck_assert(sev_platform_is_model(p));
	memset(&s, 0xee, sizeof(s));
	ck_assert_int_eq(sev_platform_status(p, &s, &fw, err, sizeof(err)), 0);
	ck_assert_int_eq(fw, 0);
	ck_assert_uint_eq(s.api_major, SEV_MODEL_API_MAJOR);
	ck_assert_uint_eq(s.api_minor, SEV_MODEL_API_MINOR);
	ck_assert_uint_eq(s.build, SEV_MODEL_BUILD);
	ck_assert_uint_eq(s.state, 0); /* UNINIT: no VM initialised it */
	ck_assert_uint_eq(s.flags, SEV_PLATFORM_FLAG_CONFIG_ES);
	ck_assert_uint_eq(s.guest_count, 0);
	ck_assert_int_eq(
		sev_platform_snp_status(p, &snp, &fw, err, sizeof(err)), 0);
	ck_assert_uint_eq(snp.api_minor, SEV_MODEL_API_MINOR);
	ck_assert_uint_eq(snp.build_id, SEV_MODEL_BUILD);
	ck_assert(!snp.rmp_initialized);
	sev_platform_close(p);
	remove_identity(dir);
}
END_TEST

START_TEST(model_export_and_id)
{
	uint8_t cert[SEV_CERT_LEN], pdh[SEV_CERT_LEN], chain[3 * SEV_CERT_LEN];
	uint8_t id[128], id2[128];
	char *dir = identity(cert), err[256];
	struct sev_platform *p;
	size_t n = 0;
	int e = 0, fw = 0;

	p = sev_platform_open_model(dir, &e, err, sizeof(err));
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(
		sev_platform_pdh_export(p, pdh, chain, &fw, err, sizeof(err)),
		0);
	ck_assert_mem_eq(pdh, cert, SEV_CERT_LEN); /* DIR's PDH */
	ck_assert_int_eq(sev_platform_get_id(p, id, sizeof(id), &n, &fw, err,
					     sizeof(err)),
			 0);
	ck_assert_uint_eq(n, 64);
	/* Too small a buffer: the firmware's length is refused. */
	ck_assert_int_eq(
		sev_platform_get_id(p, id2, 32, &n, &fw, err, sizeof(err)),
		-EPROTO);
	ck_assert_int_eq(fw, 0x04); /* SEV_RET_INVALID_LEN */
	/* PDH_GEN: a new PDH, kept in DIR, and a new export. */
	ck_assert_int_eq(sev_platform_pdh_gen(p, &fw, err, sizeof(err)), 0);
	sev_platform_close(p);
	p = sev_platform_open_model(dir, &e, err, sizeof(err));
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(
		sev_platform_pdh_export(p, pdh, chain, &fw, err, sizeof(err)),
		0);
	ck_assert_int_ne(memcmp(pdh, cert, SEV_CERT_LEN), 0);
	sev_platform_close(p);
	remove_identity(dir);
}
END_TEST

START_TEST(model_refuses)
{
	uint8_t cert[SEV_CERT_LEN], *csr = NULL;
	char *dir = identity(cert), err[256];
	struct sev_platform *p;
	size_t n;
	int e = 0, fw = 0;

	p = sev_platform_open_model(dir, &e, err, sizeof(err));
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(sev_platform_pek_gen(p, &fw, err, sizeof(err)),
			 -EOPNOTSUPP);
	ck_assert_int_eq(fw, -1); /* never reached a firmware */
	ck_assert_ptr_nonnull(strstr(err, "SEV_PEK_GEN: the firmware model"));
	ck_assert_int_eq(
		sev_platform_pek_csr(p, &csr, &n, &fw, err, sizeof(err)),
		-EOPNOTSUPP);
	ck_assert_ptr_null(csr);
	ck_assert_int_eq(sev_platform_factory_reset(p, &fw, err, sizeof(err)),
			 -EOPNOTSUPP);
	sev_platform_close(p);
	remove_identity(dir);
}
END_TEST

START_TEST(missing)
{
	char err[256];
	int e = 0;

	ck_assert_ptr_null(sev_platform_open("/nonexistent/sev", false, &e, err,
					     sizeof(err)));
	ck_assert_int_eq(e, ENOENT);
	ck_assert_ptr_nonnull(strstr(err, "does not exist"));
	ck_assert_ptr_null(sev_platform_open_model("/nonexistent/dir", &e, err,
						   sizeof(err)));
	ck_assert_int_eq(e, ENOENT);
	ck_assert_ptr_nonnull(strstr(err, "sevboot model-keys"));
}
END_TEST

static Suite *platform_suite(void)
{
	Suite *s = suite_create("platform");
	TCase *t = tcase_create("model");

	tcase_add_test(t, model_status);
	tcase_add_test(t, model_export_and_id);
	tcase_add_test(t, model_refuses);
	tcase_add_test(t, missing);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return run_suite(platform_suite());
}
