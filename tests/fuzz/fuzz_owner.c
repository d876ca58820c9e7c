// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness for the guest owner protocol's readers: the JSON
 * parser, the owner's reply (what --owner-cmd reads), a socket command
 * line (what --owner-socket reads), the request and the answers (what the
 * owner's tool reads), and strict base64.  They must never crash, leak or
 * read outside the input; every error must be one terminated sentence;
 * and whatever they accept must survive a round trip through the
 * writers unchanged.
 *
 * Speed: the answer reader runs for every command id only when the input
 * is a JSON object.  Otherwise every id fails in the same JSON check
 * before the id matters (owner/owner.c, parse_message()), so one id
 * reaches all of it; the other five were the same parse again, half the
 * time of such an input.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"
#include "owner/owner.h"
#include "sev/sev.h"

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "fuzz_owner: check failed: %s\n",      \
				#cond);                                        \
			abort();                                               \
		}                                                              \
	} while (0)

static void check_err(int ret, const char *err, size_t errlen)
{
	CHECK(memchr(err, '\0', errlen) != NULL);
	CHECK(ret <= 0);
	if (ret == -EINVAL || ret == -E2BIG)
		CHECK(err[0] != '\0' && !strchr(err, '\n'));
}

static void same_reply(const struct sev_owner_reply *a,
		       const struct sev_owner_reply *b)
{
	CHECK(a->inject == b->inject);
	CHECK(memcmp(a->hdr, b->hdr, sizeof(a->hdr)) == 0);
	CHECK(a->secret_len == b->secret_len);
	CHECK(!a->secret_len ||
	      memcmp(a->secret, b->secret, a->secret_len) == 0);
	CHECK(a->has_gpa == b->has_gpa && a->gpa == b->gpa);
}

/* Returns whether the input is a JSON object. */
static bool fuzz_json(const char *t, size_t n)
{
	struct json *v = NULL;
	char err[200];
	bool obj;
	int ret;

	memset(err, 'x', sizeof(err));
	ret = json_parse(t, n, &v, err, sizeof(err));
	check_err(ret, err, sizeof(err));
	CHECK(!ret == (v != NULL));
	obj = v && v->type == JSON_OBJECT;
	json_free(v);
	return obj;
}

static void fuzz_reply(const char *t, size_t n)
{
	struct sev_owner_reply rep, back;
	char err[256], *text;
	int ret;

	memset(err, 'x', sizeof(err));
	ret = sev_owner_reply_parse(t, n, &rep, err, sizeof(err));
	check_err(ret, err, sizeof(err));
	if (ret) {
		CHECK(!rep.inject && !rep.secret);
		return;
	}
	if (rep.inject) {
		CHECK(rep.secret && rep.secret_len >= 16 &&
		      rep.secret_len % 16 == 0 &&
		      rep.secret_len <= SEV_SECRET_MAX);
	} else {
		CHECK(!rep.secret && !rep.has_gpa);
	}
	CHECK(sev_owner_reply_encode(&rep, &text) == 0);
	CHECK(sev_owner_reply_parse(text, strlen(text), &back, err,
				    sizeof(err)) == 0);
	same_reply(&rep, &back);
	free(text);
	sev_owner_reply_free(&back);
	sev_owner_reply_free(&rep);
	CHECK(!rep.secret && !rep.inject);
}

static void fuzz_cmd(const char *t, size_t n)
{
	struct sev_owner_request req = {
		.mode = SEV_MODE_SEV,
		.policy = 1,
		.secret_gpa = 0x80b000,
		.secret_size = 0xc00,
	};
	struct sev_owner_cmd c, back;
	char err[512], *text;
	struct json *v;
	int ret;

	memset(err, 'x', sizeof(err));
	ret = sev_owner_cmd_parse(t, n, &c, err, sizeof(err));
	check_err(ret, err, sizeof(err));
	CHECK(memchr(c.tag, '\0', sizeof(c.tag)) != NULL);
	if (ret) {
		CHECK(!c.secret.inject && !c.secret.secret);
		/* The error answer is valid JSON, whatever the input was. */
		CHECK(sev_owner_answer_error(c.tag, err, &text) == 0);
		CHECK(json_parse(text, strlen(text), &v, NULL, 0) == 0);
		json_free(v);
		CHECK(sev_owner_answer_parse(text, strlen(text),
					     SEV_OWNER_CMD_CONT, NULL, err,
					     sizeof(err)) == -EREMOTEIO);
		free(text);
		return;
	}
	CHECK(sev_owner_cmd_name(c.id) != NULL);
	CHECK((c.id == SEV_OWNER_CMD_INJECT) == c.secret.inject);
	(void)sev_owner_reply_check(&req, &c.secret, err, sizeof(err));
	CHECK(memchr(err, '\0', sizeof(err)) != NULL);

	/* Re-encoded, it reads the same. */
	CHECK(sev_owner_cmd_encode(&c, &text) == 0);
	CHECK(sev_owner_cmd_parse(text, strlen(text), &back, err,
				  sizeof(err)) == 0);
	CHECK(back.id == c.id && strcmp(back.tag, c.tag) == 0);
	CHECK(back.vmpl == c.vmpl &&
	      !memcmp(back.nonce, c.nonce, sizeof(c.nonce)));
	same_reply(&c.secret, &back.secret);
	free(text);
	sev_owner_cmd_free(&back);

	/* Its answer is one the client reads. */
	if (c.id == SEV_OWNER_CMD_ATTEST_SEV ||
	    c.id == SEV_OWNER_CMD_ATTEST_SNP) {
		static uint8_t report[SNP_REPORT_LEN], got[SNP_REPORT_LEN];
		size_t len = c.id == SEV_OWNER_CMD_ATTEST_SEV
				     ? SEV_ATT_REPORT_LEN
				     : SNP_REPORT_LEN;

		memcpy(report, c.nonce, sizeof(c.nonce));
		CHECK(sev_owner_answer(&req, &c, &text) == -EINVAL);
		CHECK(sev_owner_answer_report(&c, report, len, &text) == 0);
		CHECK(sev_owner_answer_report_parse(text, strlen(text), c.id,
						    got, len, err,
						    sizeof(err)) == 0);
		CHECK(!memcmp(got, report, len));
	} else {
		CHECK(sev_owner_answer(&req, &c, &text) == 0);
		CHECK(sev_owner_answer_parse(text, strlen(text), c.id, NULL,
					     err, sizeof(err)) == 0);
	}
	free(text);
	sev_owner_cmd_free(&c);
}

static void fuzz_request(const char *t, size_t n)
{
	struct sev_owner_request req, back;
	char err[256], *text;
	int ret;

	memset(err, 'x', sizeof(err));
	ret = sev_owner_request_parse(t, n, &req, err, sizeof(err));
	check_err(ret, err, sizeof(err));
	if (ret)
		return;
	CHECK(sev_owner_request_encode(&req, &text) == 0);
	CHECK(sev_owner_request_parse(text, strlen(text), &back, err,
				      sizeof(err)) == 0);
	CHECK(memcmp(&req, &back, sizeof(req)) == 0);
	free(text);
}

static void fuzz_answers(const char *t, size_t n, bool obj)
{
	char err[256];

	for (int id = SEV_OWNER_CMD_ATTEST_SEV; id <= SEV_OWNER_CMD_ATTEST_SNP;
	     id++) {
		static uint8_t report[SNP_REPORT_LEN];
		int ret;

		memset(err, 'x', sizeof(err));
		ret = sev_owner_answer_report_parse(
			t, n, (enum sev_owner_cmd_id)id, report,
			id == SEV_OWNER_CMD_ATTEST_SEV ? SEV_ATT_REPORT_LEN
						       : SNP_REPORT_LEN,
			err, sizeof(err));
		CHECK(memchr(err, '\0', sizeof(err)) != NULL);
		CHECK(ret == 0 || ret == -EINVAL || ret == -EREMOTEIO ||
		      ret == -E2BIG || ret == -ENOMEM);
	}
	for (int id = 0; id <= (obj ? SEV_OWNER_CMD_CONT : 0); id++) {
		struct sev_owner_request req = {0};
		int ret;

		memset(err, 'x', sizeof(err));
		ret = sev_owner_answer_parse(t, n, (enum sev_owner_cmd_id)id,
					     &req, err, sizeof(err));
		CHECK(memchr(err, '\0', sizeof(err)) != NULL);
		CHECK(ret == 0 || ret == -EINVAL || ret == -EREMOTEIO ||
		      ret == -E2BIG || ret == -ENOMEM);
	}
	memset(err, 'x', sizeof(err));
	check_err(sev_owner_greeting_parse(t, n, err, sizeof(err)), err,
		  sizeof(err));
}

static void fuzz_base64(const char *t, size_t n)
{
	uint8_t *out;
	size_t len;
	char *enc;

	if (base64_decode(t, n, &out, &len))
		return;
	/* Strict: only the canonical encoding decodes. */
	enc = malloc(4 * ((len + 2) / 3) + 1);
	CHECK(enc != NULL);
	CHECK(base64_encode(out, len, enc) == n);
	CHECK(memcmp(enc, t, n) == 0);
	free(enc);
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *t = size ? (const char *)data : "";
	bool obj;

	obj = fuzz_json(t, size);
	fuzz_reply(t, size);
	fuzz_cmd(t, size);
	fuzz_request(t, size);
	fuzz_answers(t, size, obj);
	fuzz_base64(t, size);
	return 0;
}
