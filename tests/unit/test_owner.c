// SPDX-License-Identifier: MIT
/*
 * The guest owner's side: the strict JSON reader and writer (util/json.c),
 * the protocol messages and the owner's cryptography (owner/owner.c), and
 * sevboot's side of the stop, owner_exchange() (owner/exchange.c), for
 * both --owner-cmd and --owner-socket, with real child processes and a
 * real socket client; and owner_exit_code() (cli/opts.c, compiled into
 * this test: cli/ is not in the library).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>

#include <openssl/crypto.h>

#include "util/util.h"
#include "sev/sev.h"
#include "tests/unit/testutil.h"

/* sevboot's side of the stop is not in libsev: compile it in. */
#include "cli/cli.h"
#include "owner/owner.h"

static struct json *parse_ok(const char *text)
{
	struct json *v = NULL;
	char err[256] = "";
	int ret = json_parse(text, strlen(text), &v, err, sizeof(err));

	ck_assert_msg(ret == 0, "'%s' refused: %s", text, err);
	return v;
}

/* text must be refused with -EINVAL and a sentence containing want. */
static void parse_bad(const char *text, size_t len, const char *want)
{
	struct json *v = (struct json *)1;
	char err[256];
	int ret;

	memset(err, 'x', sizeof(err));
	ret = json_parse(text, len, &v, err, sizeof(err));
	ck_assert_msg(ret == -EINVAL, "'%.*s' gave %d, not -EINVAL", (int)len,
		      text, ret);
	ck_assert_ptr_null(v);
	ck_assert_msg(memchr(err, '\0', sizeof(err)) != NULL, "unterminated");
	ck_assert_msg(strstr(err, "at byte ") == err, "'%s'", err);
	ck_assert_msg(!want || strstr(err, want), "'%.*s': '%s' lacks '%s'",
		      (int)len, text, err, want);
}

#define BAD(text, want) parse_bad(text, sizeof(text) - 1, want)

/* ---------------------------------------------------------------- JSON */

START_TEST(json_values)
{
	struct json *v =
		parse_ok(" {\"a\": [1, -1, 0, true, false, null, \"x\"],\n"
			 "\t\"b\": {\"c\": {}}, \"d\": [], \"max\": "
			 "18446744073709551615,"
			 " \"min\": -9223372036854775808, \"z\": -0}\r\n");
	const struct json *a = json_get(v, "a"), *x;

	ck_assert_int_eq(v->type, JSON_OBJECT);
	ck_assert_uint_eq(v->obj.n, 6);
	ck_assert_int_eq(a->type, JSON_ARRAY);
	ck_assert_uint_eq(a->arr.n, 7);
	ck_assert(a->arr.items[0].type == JSON_INT &&
		  a->arr.items[0].i.u == 1 && !a->arr.items[0].i.neg);
	ck_assert(a->arr.items[1].i.neg && a->arr.items[1].i.u == 1);
	ck_assert(a->arr.items[3].type == JSON_BOOL && a->arr.items[3].b);
	ck_assert(a->arr.items[4].type == JSON_BOOL && !a->arr.items[4].b);
	ck_assert_int_eq(a->arr.items[5].type, JSON_NULL);
	ck_assert_str_eq(a->arr.items[6].str.s, "x");
	x = json_get(json_get(v, "b"), "c");
	ck_assert(x && x->type == JSON_OBJECT && x->obj.n == 0);
	ck_assert_uint_eq(json_get(v, "max")->i.u, UINT64_MAX);
	x = json_get(v, "min");
	ck_assert(x->i.neg && x->i.u == (uint64_t)INT64_MAX + 1);
	/* -0 is 0. */
	ck_assert(!json_get(v, "z")->i.neg);
	ck_assert_ptr_null(json_get(v, "nope"));
	ck_assert_ptr_null(json_get(a, "a"));
	json_free(v);

	/* Any value at the top. */
	v = parse_ok("42");
	ck_assert_int_eq(v->type, JSON_INT);
	json_free(v);
	v = parse_ok("\"s\"");
	json_free(v);
	json_free(NULL);
}
END_TEST

START_TEST(json_strings)
{
	struct json *v =
		parse_ok("[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\", \"\\u00e9\\u20AC\", "
			 "\"\\ud83d\\ude00\", \"caf\xc3\xa9 \xe2\x82\xac "
			 "\xf0\x9f\x98\x80\","
			 " \"a\\u0000b\"]");
	const struct json *s = v->arr.items;

	ck_assert_str_eq(s[0].str.s, "\"\\/\b\f\n\r\t");
	ck_assert_str_eq(s[1].str.s, "\xc3\xa9\xe2\x82\xac");
	ck_assert_str_eq(s[2].str.s, "\xf0\x9f\x98\x80");
	ck_assert_str_eq(s[3].str.s,
			 "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	/* \u0000 is kept, with its length. */
	ck_assert_uint_eq(s[4].str.len, 3);
	ck_assert(memcmp(s[4].str.s, "a\0b", 4) == 0);
	json_free(v);
}
END_TEST

START_TEST(json_refusals)
{
	BAD("", "a JSON value");
	BAD("   \n", "a JSON value");
	BAD("{} x", "after the JSON value");
	BAD("{}{}", "after the JSON value");
	BAD("[1,]", "a JSON value");
	BAD("{\"a\":1,}", "member name");
	BAD("{\"a\" 1}", "':'");
	BAD("{a:1}", "member name");
	BAD("{'a':1}", "member name");
	BAD("{1:1}", "member name");
	BAD("[1 2]", "',' or ']'");
	BAD("{\"a\":1 \"b\":2}", "',' or '}'");
	BAD("[", "a JSON value");
	BAD("{", "member name");
	BAD("{\"a\":", "a JSON value");
	BAD("tru", "a JSON value");
	BAD("nul", "a JSON value");
	BAD("True", "a JSON value");
	BAD("NaN", "a JSON value");
	BAD("Infinity", "a JSON value");
	BAD("+1", "a JSON value");
	BAD("01", "leading zero");
	BAD("-01", "leading zero");
	BAD("-", "a digit");
	BAD("-a", "a digit");
	BAD("1.5", "only integers");
	BAD("1e3", "only integers");
	BAD("1E3", "only integers");
	BAD("18446744073709551616", "64 bits");
	BAD("99999999999999999999999", "64 bits");
	BAD("-9223372036854775809", "64 bits");
	BAD("\"abc", "not closed");
	BAD("\"abc\\", "not closed");
	BAD("\"a\nb\"", "control character 0x0a");
	BAD("\"a\tb\"", "control character 0x09");
	BAD("\"\\x41\"", "unknown escape");
	BAD("\"\\'\"", "unknown escape");
	BAD("\"\\u12\"", "four hex digits");
	BAD("\"\\u12g4\"", "four hex digits");
	BAD("\"\\ud800\"", "high surrogate");
	BAD("\"\\ud800\\u0041\"", "high surrogate");
	BAD("\"\\ud800x\"", "high surrogate");
	BAD("\"\\udc00\"", "low surrogate");
	BAD("\"\xc0\x80\"", "UTF-8");	      /* overlong NUL */
	BAD("\"\xe0\x80\xaf\"", "UTF-8");     /* overlong '/' */
	BAD("\"\xed\xa0\x80\"", "UTF-8");     /* a surrogate */
	BAD("\"\xf4\x90\x80\x80\"", "UTF-8"); /* above U+10FFFF */
	BAD("\"\xf5\x80\x80\x80\"", "UTF-8");
	BAD("\"\x80\"", "UTF-8");
	BAD("\"\xc3\"", "UTF-8");
	BAD("\"\xff\"", "UTF-8");
	BAD("\xef\xbb\xbf{}", "byte 0xef"); /* no byte order mark */
	BAD("{\"a\":1,\"a\":2}", "\"a\" appears twice");
	BAD("{\"a\\u0062\":1,\"ab\":2}", "\"ab\" appears twice");
	parse_bad("{\"a\":\0}", 7, "byte 0x00");
	parse_bad("\"a\0\"", 4, "control character 0x00");
	parse_bad("{}\0", 3, "after the JSON value");
}
END_TEST

START_TEST(json_limits)
{
	char deep[2 * JSON_MAX_DEPTH + 8], *big, err[128];
	struct json *v;
	size_t n = 0;

	/* Exactly the limit is fine, one more is not. */
	for (int k = 0; k < JSON_MAX_DEPTH; k++)
		deep[n++] = '[';
	for (int k = 0; k < JSON_MAX_DEPTH; k++)
		deep[n++] = ']';
	deep[n] = '\0';
	json_free(parse_ok(deep));
	memmove(deep + 1, deep, n + 1);
	deep[0] = '[';
	strcat(deep, "]");
	BAD(deep, "nesting deeper than 32");
	/* Objects count too, and a deep input stops at the limit even when
	 * it is never closed. */
	big = malloc(200000);
	ck_assert_ptr_nonnull(big);
	n = 0;
	for (int k = 0; k < 30000; k++) {
		memcpy(big + n, "{\"a\":", 5);
		n += 5;
	}
	parse_bad(big, n, "nesting deeper than 32");

	/* Members per object. */
	n = 0;
	big[n++] = '{';
	for (int k = 0; k <= JSON_MAX_MEMBERS; k++)
		n += (size_t)sprintf(big + n, "%s\"m%d\":%d", k ? "," : "", k,
				     k);
	big[n++] = '}';
	parse_bad(big, n, "more than 256 members");
	free(big);

	/* Size. */
	big = malloc(JSON_MAX_SIZE + 2);
	ck_assert_ptr_nonnull(big);
	memset(big, ' ', JSON_MAX_SIZE + 1);
	big[0] = '1';
	ck_assert_int_eq(
		json_parse(big, JSON_MAX_SIZE, &v, err, sizeof(err)),
		0);
	json_free(v);
	ck_assert_int_eq(json_parse(big, JSON_MAX_SIZE + 1, &v, err,
					sizeof(err)),
			 -E2BIG);
	ck_assert_ptr_null(v);
	ck_assert_ptr_nonnull(strstr(err, "limit"));
	free(big);

	/* A long array is fine (no quadratic behaviour, no limit but size). */
	big = malloc(2 * 100000 + 3);
	ck_assert_ptr_nonnull(big);
	n = 0;
	big[n++] = '[';
	for (int k = 0; k < 100000; k++) {
		big[n++] = '0';
		big[n++] = ',';
	}
	big[n - 1] = ']';
	ck_assert_int_eq(json_parse(big, n, &v, err, sizeof(err)), 0);
	ck_assert_uint_eq(v->arr.n, 100000);
	json_free(v);
	free(big);

	/* A NULL error buffer is allowed. */
	ck_assert_int_eq(json_parse("[", 1, &v, NULL, 0), -EINVAL);
}
END_TEST

START_TEST(json_members_and_quote)
{
	static const char *const allowed[] = {"a", "b", NULL};
	struct json *v = parse_ok("{\"a\":1,\"b\":2,\"c\\n\":3}");
	const struct json_member *m = json_unknown_member(v, allowed);
	char q[64];

	ck_assert_ptr_nonnull(m);
	ck_assert_str_eq(m->key, "c\n");
	json_quote(m->key, m->keylen, q, sizeof(q));
	ck_assert_str_eq(q, "\"c\\x0a\"");
	json_free(v);
	v = parse_ok("{\"a\":1}");
	ck_assert_ptr_null(json_unknown_member(v, allowed));
	json_free(v);

	json_quote("a\"b\\", 4, q, sizeof(q));
	ck_assert_str_eq(q, "\"a\\\"b\\\\\"");
	json_quote("0123456789012345678901234567890123456789xyz", 43, q,
		       sizeof(q));
	ck_assert_str_eq(q, "\"0123456789012345678901234567890123456789\"...");
	json_quote("\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8", 8, q, 20);
	ck_assert_uint_lt(strlen(q), 20);
	ck_assert_ptr_nonnull(strstr(q, "\"..."));
}
END_TEST

START_TEST(json_writer)
{
	struct json_writer w = {0};
	static const uint8_t bin[] = {0xde, 0xad, 0xbe, 0xef};
	char *out;
	size_t len;

	jw_begin(&w);
	jw_key(&w, "s");
	jw_cstr(&w, "q\"b\\n\n\x01\x7f\xc3\xa9\xff<");
	jw_key(&w, "n");
	jw_uint(&w, UINT64_MAX);
	jw_key(&w, "o");
	jw_begin(&w);
	jw_key(&w, "t");
	jw_bool(&w, true);
	jw_key(&w, "f");
	jw_bool(&w, false);
	jw_end(&w);
	jw_key(&w, "z");
	jw_null(&w);
	jw_key(&w, "b");
	jw_base64(&w, bin, sizeof(bin));
	jw_key(&w, "h");
	jw_hex(&w, bin, sizeof(bin));
	jw_key(&w, "r");
	jw_raw(&w, "[1]");
	jw_end(&w);
	ck_assert_int_eq(jw_finish(&w, &out, &len), 0);
	ck_assert_str_eq(out, "{\"s\":\"q\\\"b\\\\n\\u000a\\u0001\\u007f"
			      "\xc3\xa9\\ufffd<\",\"n\":18446744073709551615,"
			      "\"o\":{\"t\":true,\"f\":false},\"z\":null,"
			      "\"b\":\"3q2+7w==\",\"h\":\"deadbeef\","
			      "\"r\":[1]}");
	ck_assert_uint_eq(len, strlen(out));
	/* What it writes, it reads back. */
	json_free(parse_ok(out));
	free(out);

	/* Misuse is refused, and nothing leaks. */
	jw_begin(&w);
	jw_uint(&w, 1); /* a member without a key */
	jw_end(&w);
	ck_assert_int_eq(jw_finish(&w, &out, NULL), -EINVAL);
	ck_assert_ptr_null(out);
	jw_begin(&w); /* not closed */
	ck_assert_int_eq(jw_finish(&w, &out, NULL), -EINVAL);
	jw_begin(&w);
	jw_key(&w, "a"); /* a key without a value */
	jw_end(&w);
	ck_assert_int_eq(jw_finish(&w, &out, NULL), -EINVAL);
	jw_end(&w); /* nothing open */
	ck_assert_int_eq(jw_finish(&w, &out, NULL), -EINVAL);
	jw_uint(&w, 1);
	jw_uint(&w, 2); /* two top-level values */
	ck_assert_int_eq(jw_finish(&w, &out, NULL), -EINVAL);
	ck_assert_int_eq(jw_finish(&w, &out, NULL), -EINVAL); /* empty */
}
END_TEST

START_TEST(base64_and_hex)
{
	static const struct {
		const char *plain, *enc;
	} rfc4648[] = {
		{"", ""},
		{"f", "Zg=="},
		{"fo", "Zm8="},
		{"foo", "Zm9v"},
		{"foob", "Zm9vYg=="},
		{"fooba", "Zm9vYmE="},
		{"foobar", "Zm9vYmFy"},
	};
	static const char *const bad[] = {
		"Zg=",	 "Zg",	   "Z===", "====", "Zh==", "Zm9=", "Zg==Zg==",
		"Zm 9v", "Zm9v\n", "Zm-v", "Zm_v", "Zm=v", "=Zm9",
	};
	char out[64];
	uint8_t *dec, h[4];
	size_t n;

	for (size_t k = 0; k < sizeof(rfc4648) / sizeof(rfc4648[0]); k++) {
		size_t pl = strlen(rfc4648[k].plain);

		ck_assert_uint_eq(
			base64_encode((const uint8_t *)rfc4648[k].plain, pl,
					  out),
			strlen(rfc4648[k].enc));
		ck_assert_str_eq(out, rfc4648[k].enc);
		ck_assert_int_eq(base64_decode(rfc4648[k].enc,
						   strlen(rfc4648[k].enc), &dec,
						   &n),
				 0);
		ck_assert_uint_eq(n, pl);
		ck_assert(memcmp(dec, rfc4648[k].plain, pl) == 0);
		free(dec);
	}
	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		dec = (uint8_t *)1;
		ck_assert_msg(base64_decode(bad[k], strlen(bad[k]), &dec,
						&n) == -EINVAL,
			      "'%s' accepted", bad[k]);
		ck_assert_ptr_null(dec);
	}
	ck_assert_int_eq(hex_decode("DEadbeef", 8, h, 4), 0);
	ck_assert(h[0] == 0xde && h[3] == 0xef);
	ck_assert_int_eq(hex_decode("deadbee", 7, h, 4), -EINVAL);
	ck_assert_int_eq(hex_decode("deadbeeg", 8, h, 4), -EINVAL);
	ck_assert_int_eq(hex_decode("0xadbeef", 8, h, 4), -EINVAL);
}
END_TEST

/* ------------------------------------------------------------ messages */

static void sample_request(struct sev_owner_request *r)
{
	memset(r, 0, sizeof(*r));
	r->mode = SEV_MODE_SEV_ES;
	r->policy = 0x5;
	r->handle = 7;
	r->api_major = 1;
	r->api_minor = 55;
	r->build = 25;
	for (int k = 0; k < 48; k++)
		r->launch_measure[k] = (uint8_t)k;
	for (int k = 0; k < 32; k++)
		r->expected_digest[k] = (uint8_t)(0xa0 + k);
	r->secret_gpa = 0x80b000;
	r->secret_size = 0xc00;
	r->model = true;
}

#define SAMPLE_MEASUREMENT                                                     \
	"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4v"
#define SAMPLE_DIGEST                                                          \
	"a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
#define SAMPLE_REQUEST                                                         \
	"{\"mode\":\"seves\",\"policy\":5,\"handle\":7,\"api-major\":1,"       \
	"\"api-minor\":55,\"build-id\":25,\"measurement\":"                    \
	"\"" SAMPLE_MEASUREMENT "\",\"expected-digest\":\"" SAMPLE_DIGEST      \
	"\",\"secret-gpa\":8433664,"                                           \
	"\"secret-size\":3072,\"firmware-model\":true}"

/* fill_reply()'s header and 16-byte secret, in base64. */
#define HDR_B64                                                                \
	"gIGCg4SFhoeIiYqLjI2Oj5CRkpOUlZaXmJmam5ydnp+"                          \
	"goaKjpKWmp6ipqqusra6vsLGysw=="
#define SEC16 "AAcOFRwjKjE4P0ZNVFtiaQ=="

START_TEST(request_encode_parse)
{
	struct sev_owner_request r, back;
	char *text, err[256];

	sample_request(&r);
	ck_assert_int_eq(sev_owner_request_encode(&r, &text), 0);
	ck_assert_str_eq(text, SAMPLE_REQUEST);
	ck_assert_int_eq(sev_owner_request_parse(text, strlen(text), &back, err,
						 sizeof(err)),
			 0);
	ck_assert(memcmp(&r, &back, sizeof(r)) == 0);
	free(text);

	for (int m = SEV_MODE_SEV; m <= SEV_MODE_SNP; m++) {
		r.mode = (enum sev_mode)m;
		r.policy = UINT32_MAX;
		r.secret_gpa = UINT64_MAX;
		r.model = false;
		ck_assert_int_eq(sev_owner_request_encode(&r, &text), 0);
		ck_assert_int_eq(sev_owner_request_parse(text, strlen(text),
							 &back, err,
							 sizeof(err)),
				 0);
		ck_assert(memcmp(&r, &back, sizeof(r)) == 0);
		free(text);
	}
	r.mode = (enum sev_mode)7;
	ck_assert_int_eq(sev_owner_request_encode(&r, &text), -EINVAL);
	ck_assert_ptr_null(text);
}
END_TEST

/* Replace the first occurrence of from in SAMPLE_REQUEST with to. */
static char *edited_request(const char *from, const char *to)
{
	const char *base = SAMPLE_REQUEST, *at = strstr(base, from);
	char *out;

	ck_assert_msg(at != NULL, "'%s' not in the sample", from);
	out = malloc(strlen(base) + strlen(to) + 1);
	ck_assert_ptr_nonnull(out);
	memcpy(out, base, (size_t)(at - base));
	strcpy(out + (at - base), to);
	strcat(out, at + strlen(from));
	return out;
}

static void request_bad(const char *from, const char *to, const char *want)
{
	char *text = edited_request(from, to), err[256];
	struct sev_owner_request r;
	int ret;

	memset(&r, 0xff, sizeof(r));
	ret = sev_owner_request_parse(text, strlen(text), &r, err, sizeof(err));
	ck_assert_msg(ret == -EINVAL, "%s: %d", text, ret);
	ck_assert_msg(strstr(err, want) != NULL, "'%s' lacks '%s'", err, want);
	ck_assert_msg(strstr(err, "the request") == err, "'%s'", err);
	/* Zeroed on failure. */
	ck_assert_int_eq(r.policy, 0);
	ck_assert_int_eq(r.launch_measure[47], 0);
	free(text);
}

START_TEST(request_refusals)
{
	char err[256];
	struct sev_owner_request r;

	request_bad("\"mode\":\"seves\",", "", "no \"mode\"");
	request_bad("\"seves\"", "\"SEV\"", "\"mode\" is \"SEV\"");
	request_bad("\"seves\"", "1", "\"mode\" must be a string");
	request_bad("\"policy\":5", "\"policy\":4294967296",
		    "\"policy\" must be an integer from 0 to 4294967295");
	request_bad("\"policy\":5", "\"policy\":-5", "\"policy\" must be");
	request_bad("\"policy\":5", "\"policy\":\"5\"",
		    "\"policy\" must be an integer, not a string");
	request_bad("\"policy\":5", "\"policy\":null", "no \"policy\"");
	request_bad("\"api-major\":1", "\"api-major\":256", "0 to 255");
	request_bad("\"build-id\":25,", "", "no \"build-id\"");
	request_bad("\"handle\":7", "\"handle\":true", "\"handle\"");
	request_bad("AAECAwQF", "AAEC", "holds 45 bytes; it must hold 48");
	request_bad("AAECAwQF", "AAE CAw", "not base64");
	request_bad("\"measurement\":\"", "\"measurement\":[\"",
		    "',' or ']' in an array");
	request_bad("a0a1", "", "64 hex digits");
	request_bad("a0a1", "x0a1", "64 hex digits");
	request_bad("\"secret-size\":3072", "\"secret-size\":4294967296",
		    "\"secret-size\"");
	request_bad("\"firmware-model\":true", "\"firmware-model\":1",
		    "true or false");
	request_bad("\"firmware-model\":true",
		    "\"firmware-model\":true,\"extra\":0",
		    "unknown member \"extra\"");
	request_bad("{", "{{", "not valid JSON");

	ck_assert_int_eq(sev_owner_request_parse("[]", 2, &r, err, sizeof(err)),
			 -EINVAL);
	ck_assert_str_eq(err,
			 "the request must be a JSON object, not an array");
	ck_assert_int_eq(sev_owner_request_parse("", 0, &r, err, sizeof(err)),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "not valid JSON"));
	ck_assert_int_eq(sev_owner_request_parse(NULL, SEV_OWNER_MSG_MAX + 1,
						 &r, err, sizeof(err)),
			 -E2BIG);
	ck_assert_ptr_nonnull(strstr(err, "limit is 65536"));
}
END_TEST

static void fill_reply(struct sev_owner_reply *rep, size_t len, bool gpa)
{
	memset(rep, 0, sizeof(*rep));
	rep->inject = true;
	for (int k = 0; k < SEV_PACKET_HDR_LEN; k++)
		rep->hdr[k] = (uint8_t)(0x80 + k);
	rep->secret = malloc(len);
	ck_assert_ptr_nonnull(rep->secret);
	for (size_t k = 0; k < len; k++)
		rep->secret[k] = (uint8_t)(k * 7);
	rep->secret_len = len;
	rep->has_gpa = gpa;
	rep->gpa = gpa ? 0x80b000 : 0;
}

static void assert_same_reply(const struct sev_owner_reply *a,
			      const struct sev_owner_reply *b)
{
	ck_assert_int_eq(a->inject, b->inject);
	ck_assert(memcmp(a->hdr, b->hdr, sizeof(a->hdr)) == 0);
	ck_assert_uint_eq(a->secret_len, b->secret_len);
	ck_assert(!a->secret_len ||
		  memcmp(a->secret, b->secret, a->secret_len) == 0);
	ck_assert_int_eq(a->has_gpa, b->has_gpa);
	ck_assert_uint_eq(a->gpa, b->gpa);
}

START_TEST(reply_encode_parse)
{
	static const char *const none[] = {
		"{}",
		" {\"secret\":null} ",
		"{\"secret\":null,"
		"\"packet-header\":null}",
		"{\"gpa\":null,\"secret\":null}\n",
	};
	struct sev_owner_reply rep, back;
	char *text, err[256];

	for (int g = 0; g < 2; g++) {
		size_t lens[] = {16, 48, SEV_SECRET_MAX};

		for (size_t k = 0; k < 3; k++) {
			fill_reply(&rep, lens[k], g);
			ck_assert_int_eq(sev_owner_reply_encode(&rep, &text),
					 0);
			ck_assert_int_eq(
				sev_owner_reply_parse(text, strlen(text), &back,
						      err, sizeof(err)),
				0);
			assert_same_reply(&rep, &back);
			ck_assert_int_eq(g, strstr(text, "\"gpa\":8433664") !=
						    NULL);
			free(text);
			sev_owner_reply_free(&rep);
			sev_owner_reply_free(&back);
			ck_assert_ptr_null(back.secret);
			ck_assert(!back.inject);
		}
	}
	fill_reply(&rep, 16, false);
	ck_assert_int_eq(sev_owner_reply_encode(&rep, &text), 0);
	ck_assert_str_eq(text, "{\"packet-header\":\"" HDR_B64
			       "\",\"secret\":\"" SEC16 "\"}");
	free(text);
	sev_owner_reply_free(&rep);

	/* No secret. */
	memset(&rep, 0, sizeof(rep));
	ck_assert_int_eq(sev_owner_reply_encode(&rep, &text), 0);
	ck_assert_str_eq(text, "{\"secret\":null}");
	free(text);
	for (size_t k = 0; k < sizeof(none) / sizeof(none[0]); k++) {
		memset(&back, 0xff, sizeof(back));
		back.secret = NULL;
		ck_assert_int_eq(sev_owner_reply_parse(none[k], strlen(none[k]),
						       &back, err, sizeof(err)),
				 0);
		ck_assert(!back.inject && !back.secret && !back.has_gpa);
	}

	/* A reply that claims a secret it does not have is not encoded. */
	rep.inject = true;
	ck_assert_int_eq(sev_owner_reply_encode(&rep, &text), -EINVAL);
	fill_reply(&rep, 16, false);
	rep.secret_len = 17;
	ck_assert_int_eq(sev_owner_reply_encode(&rep, &text), -EINVAL);
	rep.secret_len = 16;
	sev_owner_reply_free(&rep);
	sev_owner_reply_free(NULL);
}
END_TEST

static void reply_bad(const char *text, const char *want)
{
	struct sev_owner_reply rep;
	char err[256];
	int ret;

	memset(err, 'x', sizeof(err));
	ret = sev_owner_reply_parse(text, strlen(text), &rep, err, sizeof(err));
	ck_assert_msg(ret == -EINVAL, "%s: %d", text, ret);
	ck_assert_msg(strstr(err, want) != NULL, "%s: '%s' lacks '%s'", text,
		      err, want);
	ck_assert(!rep.inject && !rep.secret);
}

START_TEST(reply_refusals)
{
	char *big;

	reply_bad("{\"packet_header\":\"" HDR_B64 "\",\"secret\":\"" SEC16
		  "\"}",
		  "unknown member \"packet_header\"");
	reply_bad("{\"Secret\":null}", "unknown member \"Secret\"");
	reply_bad("{\"packet-header\":\"" HDR_B64 "\"}",
		  "a \"packet-header\" but no \"secret\"");
	reply_bad("{\"packet-header\":\"" HDR_B64 "\",\"secret\":null}",
		  "a \"packet-header\" but no \"secret\"");
	reply_bad("{\"secret\":\"" SEC16 "\"}",
		  "a \"secret\" but no \"packet-header\"");
	reply_bad("{\"gpa\":4096}", "a \"gpa\" but no \"secret\"");
	reply_bad("{\"packet-header\":\"AAAA\",\"secret\":\"" SEC16 "\"}",
		  "\"packet-header\" holds 3 bytes; it must hold 52");
	reply_bad("{\"packet-header\":1,\"secret\":\"" SEC16 "\"}",
		  "\"packet-header\" must be a string, not an integer");
	reply_bad("{\"packet-header\":\"" HDR_B64 "\",\"secret\":\"AAAA\"}",
		  "holds 3 bytes; the firmware takes 16 to 20480");
	reply_bad("{\"packet-header\":\"" HDR_B64 "\",\"secret\":\"\"}",
		  "holds 0 bytes");
	reply_bad("{\"packet-header\":\"" HDR_B64
		  "\",\"secret\":\"AAcO FRwjKjE4"
		  "P0ZNVFtiaQ==\"}",
		  "\"secret\" is not base64");
	reply_bad("{\"packet-header\":\"" HDR_B64 "\",\"secret\":42}",
		  "\"secret\" must be a base64 string");
	reply_bad("{\"packet-header\":\"" HDR_B64 "\",\"secret\":{}}",
		  "not an object");
	reply_bad("{\"packet-header\":\"" HDR_B64 "\",\"secret\":\"" SEC16
		  "\",\"gpa\":-1}",
		  "\"gpa\" must be an integer from 0 to");
	reply_bad("{\"packet-header\":\"" HDR_B64 "\",\"secret\":\"" SEC16
		  "\",\"gpa\":\"0x1000\"}",
		  "\"gpa\" must be an integer, not a string");
	reply_bad("{\"packet-header\":\"" HDR_B64 "\",\"secret\":\"" SEC16
		  "\",\"gpa\":1.5}",
		  "only integers");
	reply_bad("[]", "the reply must be a JSON object, not an array");
	reply_bad("null", "not null");
	reply_bad("", "not valid JSON");
	reply_bad("{}garbage", "after the JSON value");
	reply_bad("{\"secret\":null,\"secret\":null}", "appears twice");

	/* A secret one block too large. */
	big = malloc(64 * 1024);
	ck_assert_ptr_nonnull(big);
	strcpy(big, "{\"packet-header\":\"" HDR_B64 "\",\"secret\":\"");
	for (int k = 0; k < (SEV_SECRET_MAX + 16) / 3 * 4 + 4; k += 4)
		strcat(big, "AAAA");
	strcat(big, "\"}");
	reply_bad(big, "the firmware takes 16 to 20480");
	free(big);
}
END_TEST

START_TEST(reply_check)
{
	struct sev_owner_request req;
	struct sev_owner_reply rep;
	char err[256];

	sample_request(&req);
	memset(&rep, 0, sizeof(rep));
	ck_assert_int_eq(sev_owner_reply_check(&req, &rep, err, sizeof(err)),
			 0);
	fill_reply(&rep, 0xc00, false);
	ck_assert_int_eq(sev_owner_reply_check(&req, &rep, err, sizeof(err)),
			 0);
	req.secret_size = 0xbf0;
	ck_assert_int_eq(sev_owner_reply_check(&req, &rep, err, sizeof(err)),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "ends before it does"));
	/* Inside the area at an offset: must still fit. */
	req.secret_size = 0xc00;
	rep.has_gpa = true;
	rep.gpa = req.secret_gpa + 0x10;
	ck_assert_int_eq(sev_owner_reply_check(&req, &rep, err, sizeof(err)),
			 -EINVAL);
	/* Elsewhere: the launcher checks guest RAM. */
	rep.gpa = 0x100000;
	ck_assert_int_eq(sev_owner_reply_check(&req, &rep, err, sizeof(err)),
			 0);
	rep.gpa = 0x100008;
	ck_assert_int_eq(sev_owner_reply_check(&req, &rep, err, sizeof(err)),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "not 16-byte aligned"));
	rep.gpa = UINT64_MAX - 15;
	ck_assert_int_eq(sev_owner_reply_check(&req, &rep, err, sizeof(err)),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "end of the address space"));
	/* No secret area: a gpa is needed. */
	req.secret_gpa = 0;
	req.secret_size = 0;
	rep.has_gpa = false;
	ck_assert_int_eq(sev_owner_reply_check(&req, &rep, err, sizeof(err)),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "needs a \"gpa\""));
	rep.has_gpa = true;
	rep.gpa = 0x100000;
	ck_assert_int_eq(sev_owner_reply_check(&req, &rep, err, sizeof(err)),
			 0);
	req.mode = SEV_MODE_SNP;
	ck_assert_int_eq(sev_owner_reply_check(&req, &rep, err, sizeof(err)),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "SNP"));
	sev_owner_reply_free(&rep);
}
END_TEST

/* ----------------------------------------------------- socket protocol */

static int cmd_parse_str(const char *text, struct sev_owner_cmd *c, char *err,
			 size_t errlen)
{
	return sev_owner_cmd_parse(text, strlen(text), c, err, errlen);
}

START_TEST(cmd_parse_commands)
{
	static const struct {
		const char *text;
		enum sev_owner_cmd_id id;
		const char *tag;
	} ok[] = {
		{"{\"execute\":\"qmp_capabilities\"}",
		 SEV_OWNER_CMD_CAPABILITIES, ""},
		{"{\"execute\":\"query-sev\"}", SEV_OWNER_CMD_QUERY_SEV, ""},
		{"{\"execute\":\"query-sev-launch-measure\",\"arguments\":{}}",
		 SEV_OWNER_CMD_QUERY_MEASURE, ""},
		{"{\"id\":\"a\\\"b\",\"execute\":\"query-sevboot-launch\"}",
		 SEV_OWNER_CMD_QUERY_LAUNCH, "\"a\\\"b\""},
		{"{\"execute\":\"cont\",\"id\":-42}", SEV_OWNER_CMD_CONT,
		 "-42"},
		{"{\"execute\":\"cont\",\"arguments\":null,\"id\":0}",
		 SEV_OWNER_CMD_CONT, "0"},
	};
	struct sev_owner_cmd c;
	char err[512];

	for (size_t k = 0; k < sizeof(ok) / sizeof(ok[0]); k++) {
		ck_assert_msg(cmd_parse_str(ok[k].text, &c, err, sizeof(err)) ==
				      0,
			      "%s: %s", ok[k].text, err);
		ck_assert_int_eq(c.id, ok[k].id);
		ck_assert_str_eq(c.tag, ok[k].tag);
		ck_assert(!c.secret.inject);
		sev_owner_cmd_free(&c);
	}

	ck_assert_int_eq(cmd_parse_str("{\"execute\":\"sev-inject-launch-"
				       "secret\",\"arguments\":{\"packet-"
				       "header\":\"" HDR_B64
				       "\",\"secret\":\"" SEC16
				       "\",\"gpa\":4096},\"id\":1}",
				       &c, err, sizeof(err)),
			 0);
	ck_assert_int_eq(c.id, SEV_OWNER_CMD_INJECT);
	ck_assert(c.secret.inject && c.secret.has_gpa && c.secret.gpa == 4096 &&
		  c.secret.secret_len == 16);
	ck_assert_str_eq(c.tag, "1");
	sev_owner_cmd_free(&c);
	ck_assert_ptr_null(c.secret.secret);

	{
		static const char *const names[] = {
			"qmp_capabilities",	    "query-sev",
			"query-sev-launch-measure", "query-sevboot-launch",
			"sev-inject-launch-secret", "cont",
			"query-sev-attestation-report",
			"query-snp-attestation-report",
		};

		for (int k = 0; k < 8; k++)
			ck_assert_str_eq(
				sev_owner_cmd_name((enum sev_owner_cmd_id)k),
				names[k]);
	}
	ck_assert_ptr_null(sev_owner_cmd_name((enum sev_owner_cmd_id)8));
	ck_assert_str_eq(sev_owner_cmd_name(SEV_OWNER_CMD_INJECT),
			 "sev-inject-launch-secret");
}
END_TEST

static void cmd_bad(const char *text, const char *want, const char *tag)
{
	struct sev_owner_cmd c;
	char err[512];
	int ret = cmd_parse_str(text, &c, err, sizeof(err));

	ck_assert_msg(ret == -EINVAL, "%s: %d", text, ret);
	ck_assert_msg(strstr(err, want) != NULL, "%s: '%s' lacks '%s'", text,
		      err, want);
	ck_assert_str_eq(c.tag, tag);
	ck_assert(!c.secret.inject && !c.secret.secret);
}

START_TEST(cmd_refusals)
{
	char text[256];

	cmd_bad("{\"execute\":\"quit\",\"id\":\"q\"}",
		"the command \"quit\" is not known", "\"q\"");
	cmd_bad("{\"execute\":\"Query-Sev\"}", "not known", "");
	cmd_bad("{\"execute\":\"query-sev\\u0000\"}", "not known", "");
	cmd_bad("{\"arguments\":{}}", "no \"execute\"", "");
	cmd_bad("{\"execute\":null}", "no \"execute\"", "");
	cmd_bad("{\"execute\":[\"cont\"]}", "must be a string", "");
	cmd_bad("{\"execute\":\"cont\",\"argument\":{}}",
		"unknown member \"argument\"", "");
	cmd_bad("{\"execute\":\"cont\",\"arguments\":[]}",
		"\"arguments\" must be an object", "");
	cmd_bad("{\"execute\":\"query-sev\",\"arguments\":{\"x\":1},"
		"\"id\":7}",
		"query-sev takes no arguments", "7");
	cmd_bad("{\"execute\":\"sev-inject-launch-secret\"}",
		"needs \"arguments\"", "");
	cmd_bad("{\"execute\":\"sev-inject-launch-secret\",\"arguments\":{}}",
		"no \"secret\"", "");
	cmd_bad("{\"execute\":\"sev-inject-launch-secret\",\"arguments\":"
		"{\"secret\":null}}",
		"no \"secret\"", "");
	cmd_bad("{\"execute\":\"sev-inject-launch-secret\",\"arguments\":"
		"{\"packet-header\":\"" HDR_B64 "\",\"secret\":\"" SEC16 "\","
		"\"gpa\":1,\"size\":2}}",
		"the arguments of sev-inject-launch-secret has an unknown "
		"member \"size\"",
		"");
	cmd_bad("{\"execute\":\"sev-inject-launch-secret\",\"arguments\":"
		"{\"packet-header\":\"AA==\",\"secret\":\"" SEC16 "\"}}",
		"holds 1 bytes", "");
	cmd_bad("{\"execute\":\"cont\",\"id\":{}}", "\"id\" must be", "");
	cmd_bad("{\"execute\":\"cont\",\"id\":true}", "\"id\" must be", "");
	snprintf(text, sizeof(text), "{\"execute\":\"cont\",\"id\":\"%065d\"}",
		 0);
	cmd_bad(text, "at most 64 bytes", "");
	cmd_bad("{\"execute\":\"cont\"", "not valid JSON", "");
	cmd_bad("\"cont\"", "must be a JSON object", "");
}
END_TEST

START_TEST(cmd_encode_round_trip)
{
	struct sev_owner_cmd c, back;
	char *text, err[256];

	memset(&c, 0, sizeof(c));
	for (int k = 0; k <= SEV_OWNER_CMD_CONT; k++) {
		c.id = (enum sev_owner_cmd_id)k;
		if (k == SEV_OWNER_CMD_INJECT)
			fill_reply(&c.secret, 32, true);
		snprintf(c.tag, sizeof(c.tag), "%d", k);
		ck_assert_int_eq(sev_owner_cmd_encode(&c, &text), 0);
		ck_assert_int_eq(cmd_parse_str(text, &back, err, sizeof(err)),
				 0);
		ck_assert_int_eq(back.id, c.id);
		ck_assert_str_eq(back.tag, c.tag);
		assert_same_reply(&c.secret, &back.secret);
		free(text);
		sev_owner_cmd_free(&back);
		sev_owner_reply_free(&c.secret);
	}
	c.id = SEV_OWNER_CMD_QUERY_SEV;
	c.tag[0] = '\0';
	ck_assert_int_eq(sev_owner_cmd_encode(&c, &text), 0);
	ck_assert_str_eq(text, "{\"execute\":\"query-sev\"}");
	free(text);
	sev_owner_cmd_free(&c);
	/* An inject without a secret is not a command. */
	c.id = SEV_OWNER_CMD_INJECT;
	ck_assert_int_eq(sev_owner_cmd_encode(&c, &text), -EINVAL);
	c.id = (enum sev_owner_cmd_id)99;
	ck_assert_int_eq(sev_owner_cmd_encode(&c, &text), -EINVAL);
}
END_TEST

START_TEST(answers)
{
	struct sev_owner_request req, got;
	struct sev_owner_cmd c;
	char *text, err[256];

	sample_request(&req);
	memset(&c, 0, sizeof(c));

	c.id = SEV_OWNER_CMD_QUERY_SEV;
	ck_assert_int_eq(sev_owner_answer(&req, &c, &text), 0);
	ck_assert_str_eq(text, "{\"return\":{\"enabled\":true,\"api-major\":1,"
			       "\"api-minor\":55,\"build-id\":25,\"policy\":5,"
			       "\"handle\":7,\"state\":\"launch-secret\","
			       "\"firmware-model\":true}}");
	memset(&got, 0, sizeof(got));
	ck_assert_int_eq(sev_owner_answer_parse(text, strlen(text), c.id, &got,
						err, sizeof(err)),
			 0);
	ck_assert(got.api_minor == 55 && got.build == 25 && got.policy == 5 &&
		  got.handle == 7 && got.model);
	free(text);

	c.id = SEV_OWNER_CMD_QUERY_MEASURE;
	strcpy(c.tag, "\"m\"");
	ck_assert_int_eq(sev_owner_answer(&req, &c, &text), 0);
	ck_assert_str_eq(text, "{\"return\":{\"data\":\"" SAMPLE_MEASUREMENT
			       "\"},\"id\":\"m\"}");
	memset(&got, 0, sizeof(got));
	ck_assert_int_eq(sev_owner_answer_parse(text, strlen(text), c.id, &got,
						err, sizeof(err)),
			 0);
	ck_assert(memcmp(got.launch_measure, req.launch_measure, 48) == 0);
	free(text);

	c.id = SEV_OWNER_CMD_QUERY_LAUNCH;
	c.tag[0] = '\0';
	ck_assert_int_eq(sev_owner_answer(&req, &c, &text), 0);
	ck_assert_str_eq(text, "{\"return\":" SAMPLE_REQUEST "}");
	ck_assert_int_eq(sev_owner_answer_parse(text, strlen(text), c.id, &got,
						err, sizeof(err)),
			 0);
	ck_assert(memcmp(&got, &req, sizeof(req)) == 0);
	free(text);

	for (int k = 0; k <= SEV_OWNER_CMD_CONT; k++) {
		if (k == SEV_OWNER_CMD_QUERY_SEV ||
		    k == SEV_OWNER_CMD_QUERY_MEASURE ||
		    k == SEV_OWNER_CMD_QUERY_LAUNCH)
			continue;
		c.id = (enum sev_owner_cmd_id)k;
		strcpy(c.tag, "3");
		ck_assert_int_eq(sev_owner_answer(&req, &c, &text), 0);
		ck_assert_str_eq(text, "{\"return\":{},\"id\":3}");
		ck_assert_int_eq(sev_owner_answer_parse(text, strlen(text),
							c.id, NULL, err,
							sizeof(err)),
				 0);
		free(text);
	}

	ck_assert_int_eq(
		sev_owner_answer_error("\"x\"", "it \"failed\"\n", &text), 0);
	ck_assert_str_eq(text, "{\"error\":{\"class\":\"GenericError\","
			       "\"desc\":\"it \\\"failed\\\"\\u000a\"},"
			       "\"id\":\"x\"}");
	ck_assert_int_eq(sev_owner_answer_parse(text, strlen(text),
						SEV_OWNER_CMD_CONT, NULL, err,
						sizeof(err)),
			 -EREMOTEIO);
	ck_assert_str_eq(err, "it \"failed\"?");
	free(text);
	ck_assert_int_eq(sev_owner_answer_error(NULL, "plain", &text), 0);
	ck_assert_str_eq(text, "{\"error\":{\"class\":\"GenericError\","
			       "\"desc\":\"plain\"}}");
	free(text);
}
END_TEST

static void answer_bad(const char *text, enum sev_owner_cmd_id id,
		       const char *want)
{
	struct sev_owner_request req;
	char err[256];
	int ret;

	sample_request(&req);
	ret = sev_owner_answer_parse(text, strlen(text), id, &req, err,
				     sizeof(err));
	ck_assert_msg(ret == -EINVAL, "%s: %d", text, ret);
	ck_assert_msg(strstr(err, want) != NULL, "%s: '%s' lacks '%s'", text,
		      err, want);
	/* req is left alone on failure. */
	ck_assert_int_eq(req.policy, 5);
}

START_TEST(answer_refusals)
{
	answer_bad("{}", SEV_OWNER_CMD_CONT, "either \"return\" or \"error\"");
	answer_bad("{\"return\":{},\"error\":{}}", SEV_OWNER_CMD_CONT,
		   "either");
	answer_bad("{\"return\":{},\"x\":1}", SEV_OWNER_CMD_CONT,
		   "unknown member \"x\"");
	answer_bad("{\"return\":{\"a\":1}}", SEV_OWNER_CMD_CONT,
		   "must be {\"return\":{}}");
	answer_bad("{\"return\":[]}", SEV_OWNER_CMD_CONT,
		   "\"return\" must be an object");
	answer_bad("{\"error\":\"x\"}", SEV_OWNER_CMD_CONT,
		   "\"error\" must be an object");
	answer_bad("{\"error\":{\"class\":\"GenericError\"}}",
		   SEV_OWNER_CMD_CONT, "no \"desc\"");
	answer_bad("{\"return\":{\"data\":\"AAAA\"}}",
		   SEV_OWNER_CMD_QUERY_MEASURE, "holds 3 bytes");
	answer_bad("{\"return\":{}}", SEV_OWNER_CMD_QUERY_LAUNCH,
		   "the answer to query-sevboot-launch has no \"mode\"");
	answer_bad("{\"return\":{\"enabled\":false,\"state\":\"x\"}}",
		   SEV_OWNER_CMD_QUERY_SEV, "not enabled");
	answer_bad("{\"return\"", SEV_OWNER_CMD_CONT, "not valid JSON");
}
END_TEST

START_TEST(greeting)
{
	char *text, err[256];

	ck_assert_int_eq(sev_owner_greeting("0.1.0", &text), 0);
	ck_assert_str_eq(
		text, "{\"sevboot\":{\"version\":\"0.1.0\",\"protocol\":1}}");
	ck_assert_int_eq(
		sev_owner_greeting_parse(text, strlen(text), err, sizeof(err)),
		0);
	free(text);
	ck_assert_int_eq(sev_owner_greeting(NULL, &text), 0);
	ck_assert_ptr_nonnull(strstr(text, "\"unknown\""));
	free(text);
	ck_assert_int_eq(
		sev_owner_greeting_parse("{\"QMP\":{}}", 10, err, sizeof(err)),
		-EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "not sevboot's owner socket"));
	text = "{\"sevboot\":{\"protocol\":2}}";
	ck_assert_int_eq(
		sev_owner_greeting_parse(text, strlen(text), err, sizeof(err)),
		-EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "protocol 2"));
	text = "{\"sevboot\":{}}";
	ck_assert_int_eq(
		sev_owner_greeting_parse(text, strlen(text), err, sizeof(err)),
		-EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "no \"protocol\""));
}
END_TEST

/* -------------------------------------------------------- cryptography */

struct platform {
	uint8_t d[48];
	uint8_t cert[SEV_CERT_LEN];
};

static void platform_new(struct platform *p)
{
	ck_assert_int_eq(sev_model_keygen(p->d, p->cert), 0);
}

/* The firmware's view: unwrap the session with the PDH private key. */
static int firmware_unwrap(const struct platform *p,
			   const struct sev_owner_session *s, uint32_t policy,
			   struct sev_tk *tk)
{
	EVP_PKEY *pdh = NULL, *godh = NULL;
	uint8_t z[48];
	char err[256];
	int ret;

	ck_assert_int_eq(sev_p384_from_private(p->d, &pdh), 0);
	ck_assert_msg(sev_cert_public_key(s->godh_cert, SEV_USAGE_PDH, &godh,
					  err, sizeof(err)) == 0,
		      "%s", err);
	ck_assert_int_eq(sev_ecdh(pdh, godh, z), 0);
	ret = sev_session_unwrap(z, s->session, policy, tk);
	OPENSSL_cleanse(z, sizeof(z));
	EVP_PKEY_free(pdh);
	EVP_PKEY_free(godh);
	return ret;
}

START_TEST(session_round_trip)
{
	struct sev_owner_session s, s2;
	struct platform p;
	struct sev_tk tk;
	char err[256];

	platform_new(&p);
	ck_assert_int_eq(sev_owner_session_new(p.cert, sizeof(p.cert), 0x5, &s,
					       err, sizeof(err)),
			 0);
	/* The GODH certificate is what LAUNCH_START checks: PDH usage,
	 * ECDH_SHA256, version 1, empty signatures. */
	ck_assert_uint_eq(get_le32(s.godh_cert, 0), 1);
	ck_assert_uint_eq(get_le32(s.godh_cert, 8), SEV_USAGE_PDH);
	ck_assert_uint_eq(get_le32(s.godh_cert, 12), SEV_ALGO_ECDH_SHA256);
	ck_assert_uint_eq(get_le32(s.godh_cert, 0x414), 0x1000);
	ck_assert_uint_eq(get_le32(s.godh_cert, 0x61c), 0x1000);

	ck_assert_int_eq(firmware_unwrap(&p, &s, 0x5, &tk), 0);
	ck_assert(memcmp(tk.tek, s.tek, 16) == 0);
	ck_assert(memcmp(tk.tik, s.tik, 16) == 0);
	ck_assert(memcmp(s.tek, s.tik, 16) != 0);
	sev_tk_wipe(&tk);
	/* The policy is bound. */
	ck_assert_int_eq(firmware_unwrap(&p, &s, 0x1, &tk), -EBADMSG);

	/* Fresh every time. */
	ck_assert_int_eq(sev_owner_session_new(p.cert, sizeof(p.cert), 0x5, &s2,
					       err, sizeof(err)),
			 0);
	ck_assert(memcmp(s.session, s2.session, sizeof(s.session)) != 0);
	ck_assert(memcmp(s.godh_cert, s2.godh_cert, sizeof(s.godh_cert)) != 0);
	ck_assert(memcmp(s.tek, s2.tek, 16) != 0);
	sev_owner_session_wipe(&s);
	sev_owner_session_wipe(&s2);
	for (size_t k = 0; k < sizeof(s); k++)
		ck_assert_uint_eq(((uint8_t *)&s)[k], 0);
}
END_TEST

START_TEST(session_refusals)
{
	struct sev_owner_session s;
	struct platform p;
	uint8_t bad[SEV_CERT_LEN];
	char err[256];

	platform_new(&p);
	ck_assert_int_eq(
		sev_owner_session_new(p.cert, 100, 1, &s, err, sizeof(err)),
		-EINVAL);
	ck_assert_str_eq(err, "the PDH certificate is 100 bytes; a SEV "
			      "certificate is 2084 (0x824)");
	memcpy(bad, p.cert, sizeof(bad));
	bad[0] = 2;
	ck_assert_int_eq(sev_owner_session_new(bad, sizeof(bad), 1, &s, err,
					       sizeof(err)),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "not usable"));
	ck_assert_ptr_nonnull(strstr(err, "version"));
	memcpy(bad, p.cert, sizeof(bad));
	bad[8] = 0x02; /* usage PEK */
	ck_assert_int_eq(sev_owner_session_new(bad, sizeof(bad), 1, &s, err,
					       sizeof(err)),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "usage"));
	memcpy(bad, p.cert, sizeof(bad));
	bad[0x14] ^= 1; /* QX: off the curve */
	ck_assert_int_eq(sev_owner_session_new(bad, sizeof(bad), 1, &s, err,
					       sizeof(err)),
			 -EINVAL);
	for (size_t k = 0; k < sizeof(s); k++)
		ck_assert_uint_eq(((uint8_t *)&s)[k], 0);
	ck_assert_int_eq(
		sev_owner_session_new(NULL, 0, 1, &s, err, sizeof(err)),
		-EINVAL);
}
END_TEST

/* A request whose LAUNCH_MEASURE the firmware would give for digest. */
static void measured_request(const uint8_t tik[16], const uint8_t digest[32],
			     struct sev_owner_request *req)
{
	sample_request(req);
	for (int k = 0; k < 16; k++)
		req->launch_measure[32 + k] = (uint8_t)(0x40 + k);
	ck_assert_int_eq(measure_launch_hmac(
				 tik, req->api_major, req->api_minor,
				 req->build, req->policy, digest,
				 req->launch_measure + 32, req->launch_measure),
			 0);
}

START_TEST(verify_measurement)
{
	uint8_t tik[16], digest[32], other[16];
	struct sev_owner_request req, bad;
	char err[256];

	/* The regression vector of test_channel.c: TIK 30..3f, LD = SHA-256
	 * of a zero page, MNONCE 40..4f, 1.55 build 25, policy 1. */
	sample_request(&req);
	req.policy = 1;
	for (int k = 0; k < 16; k++) {
		tik[k] = (uint8_t)(0x30 + k);
		req.launch_measure[32 + k] = (uint8_t)(0x40 + k);
	}
	ck_unhex("ad7facb2586fc6e966c004d7d1d16b024f5805ff7cb47c7a85dabd8b48892ca"
	      "7",
	      digest, 32);
	ck_unhex("139f3c349b17d5f57eaab81758119bc1090b4224ab10d9910956f0171a87b06"
	      "6",
	      req.launch_measure, 32);
	ck_assert_int_eq(sev_owner_verify(tik, &req, digest, err, sizeof(err)),
			 0);

	/* Every input matters. */
	measured_request(tik, digest, &req);
	ck_assert_int_eq(sev_owner_verify(tik, &req, digest, err, sizeof(err)),
			 0);
	digest[31] ^= 1;
	ck_assert_int_eq(sev_owner_verify(tik, &req, digest, err, sizeof(err)),
			 -EBADMSG);
	ck_assert_ptr_nonnull(strstr(err, "measurement mismatch"));
	digest[31] ^= 1;
	bad = req;
	bad.policy ^= 1;
	ck_assert_int_eq(sev_owner_verify(tik, &bad, digest, NULL, 0),
			 -EBADMSG);
	bad = req;
	bad.api_minor++;
	ck_assert_int_eq(sev_owner_verify(tik, &bad, digest, NULL, 0),
			 -EBADMSG);
	bad = req;
	bad.build++;
	ck_assert_int_eq(sev_owner_verify(tik, &bad, digest, NULL, 0),
			 -EBADMSG);
	bad = req;
	bad.launch_measure[40] ^= 1; /* mnonce */
	ck_assert_int_eq(sev_owner_verify(tik, &bad, digest, NULL, 0),
			 -EBADMSG);
	bad = req;
	bad.launch_measure[0] ^= 0x80;
	ck_assert_int_eq(sev_owner_verify(tik, &bad, digest, NULL, 0),
			 -EBADMSG);
	memcpy(other, tik, 16);
	other[0] ^= 1;
	ck_assert_int_eq(sev_owner_verify(other, &req, digest, NULL, 0),
			 -EBADMSG);
	/* The host's expected-digest plays no part. */
	bad = req;
	memset(bad.expected_digest, 0, 32);
	ck_assert_int_eq(sev_owner_verify(tik, &bad, digest, NULL, 0), 0);
	bad.mode = SEV_MODE_SNP;
	ck_assert_int_eq(sev_owner_verify(tik, &bad, digest, err, sizeof(err)),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "SNP"));
}
END_TEST

static const char guid_a[] = "736869e5-84f0-4973-92ec-06879ce3da0b";
static const char guid_b[] = "1e74f542-71dd-4d66-963e-ef4287ff173b";

START_TEST(seal_opens_to_table)
{
	static const uint8_t data_a[] = "disk passphrase", data_b[] = {1, 2};
	struct sev_owner_secret sec[2];
	struct sev_secret_entry e[2];
	struct sev_owner_request req;
	struct sev_owner_reply rep, rep2;
	struct sev_owner_session s;
	struct platform p;
	struct sev_tk tk;
	uint8_t digest[32], table[256], *plain;
	size_t table_len;
	char err[256];

	platform_new(&p);
	ck_assert_int_eq(sev_owner_session_new(p.cert, sizeof(p.cert), 0x5, &s,
					       err, sizeof(err)),
			 0);
	memset(digest, 0x5a, sizeof(digest));
	measured_request(s.tik, digest, &req);
	ck_assert_int_eq(
		sev_owner_verify(s.tik, &req, digest, err, sizeof(err)), 0);

	ck_assert_int_eq(guid_parse(guid_a, &sec[0].guid), 0);
	sec[0].data = data_a;
	sec[0].len = sizeof(data_a) - 1;
	ck_assert_int_eq(guid_parse(guid_b, &sec[1].guid), 0);
	sec[1].data = data_b;
	sec[1].len = sizeof(data_b);
	/* 20 + (20 + 15) + (20 + 2) = 77, padded to 80. */
	ck_assert_uint_eq(sev_owner_table_size(sec, 2), 80);

	ck_assert_int_eq(sev_owner_seal(s.tek, s.tik, &req, sec, 2, &rep, err,
					sizeof(err)),
			 0);
	ck_assert(rep.inject && !rep.has_gpa);
	ck_assert_uint_eq(rep.secret_len, 80);
	ck_assert_int_eq(sev_owner_reply_check(&req, &rep, err, sizeof(err)),
			 0);

	/* The firmware's side: the keys from the session blob. */
	ck_assert_int_eq(firmware_unwrap(&p, &s, 0x5, &tk), 0);
	plain = malloc(rep.secret_len);
	ck_assert_ptr_nonnull(plain);
	ck_assert_int_eq(sev_secret_open(&tk, req.launch_measure, rep.hdr,
					 rep.secret, rep.secret_len, plain),
			 0);
	for (int k = 0; k < 2; k++) {
		e[k].guid = sec[k].guid;
		e[k].data = sec[k].data;
		e[k].len = sec[k].len;
	}
	ck_assert_int_eq(
		sev_secret_table(e, 2, table, sizeof(table), &table_len), 0);
	ck_assert_uint_eq(table_len, 80);
	ck_assert(memcmp(plain, table, 80) == 0);
	/* The table itself, by hand: GUID, unpadded length 77, entries. */
	ck_assert(plain[0] == 0x42 && plain[1] == 0xf5 && plain[2] == 0x74 &&
		  plain[3] == 0x1e);
	ck_assert_uint_eq(get_le32(plain, 16), 77);
	ck_assert(memcmp(plain + 20, sec[0].guid.b, 16) == 0);
	ck_assert_uint_eq(get_le32(plain, 36), 35);
	ck_assert(memcmp(plain + 40, "disk passphrase", 15) == 0);
	ck_assert(memcmp(plain + 55, sec[1].guid.b, 16) == 0);
	ck_assert_uint_eq(get_le32(plain, 71), 22);
	ck_assert(plain[75] == 1 && plain[76] == 2);
	ck_assert(plain[77] == 0 && plain[78] == 0 && plain[79] == 0);

	/* Bound to this launch's MEASURE. */
	req.launch_measure[0] ^= 1;
	ck_assert_int_eq(sev_secret_open(&tk, req.launch_measure, rep.hdr,
					 rep.secret, rep.secret_len, plain),
			 -EBADMSG);
	req.launch_measure[0] ^= 1;
	/* A fresh IV each time. */
	ck_assert_int_eq(sev_owner_seal(s.tek, s.tik, &req, sec, 2, &rep2, err,
					sizeof(err)),
			 0);
	ck_assert(memcmp(rep.hdr, rep2.hdr, sizeof(rep.hdr)) != 0);
	ck_assert(memcmp(rep.secret, rep2.secret, 80) != 0);
	sev_owner_reply_free(&rep2);

	OPENSSL_cleanse(plain, rep.secret_len);
	free(plain);
	sev_tk_wipe(&tk);
	sev_owner_reply_free(&rep);
	sev_owner_session_wipe(&s);
}
END_TEST

START_TEST(seal_refusals)
{
	static uint8_t big[SEV_SECRET_MAX];
	uint8_t tek[16] = {1}, tik[16] = {2};
	struct sev_owner_secret sec = {.data = big, .len = 0xc00 - 40};
	struct sev_owner_request req;
	struct sev_owner_reply rep;
	char err[256];

	sample_request(&req);
	/* No entries: the "no secret" reply. */
	ck_assert_int_eq(
		sev_owner_seal(tek, tik, &req, NULL, 0, &rep, err, sizeof(err)),
		0);
	ck_assert(!rep.inject && !rep.secret);
	/* Exactly the area. */
	ck_assert_uint_eq(sev_owner_table_size(&sec, 1), 0xc00);
	ck_assert_int_eq(
		sev_owner_seal(tek, tik, &req, &sec, 1, &rep, err, sizeof(err)),
		0);
	ck_assert_uint_eq(rep.secret_len, 0xc00);
	sev_owner_reply_free(&rep);
	/* One byte more needs another block. */
	sec.len++;
	ck_assert_int_eq(
		sev_owner_seal(tek, tik, &req, &sec, 1, &rep, err, sizeof(err)),
		-EINVAL);
	ck_assert_str_eq(err, "the secret table is 3088 bytes; the guest's "
			      "secret area holds 3072");
	req.secret_size = 0x10000;
	sec.len = SEV_SECRET_MAX;
	ck_assert_int_eq(
		sev_owner_seal(tek, tik, &req, &sec, 1, &rep, err, sizeof(err)),
		-EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "at most 20480"));
	sec.len = 16;
	req.secret_gpa = 0;
	ck_assert_int_eq(
		sev_owner_seal(tek, tik, &req, &sec, 1, &rep, err, sizeof(err)),
		-EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "no secret area"));
	sample_request(&req);
	req.mode = SEV_MODE_SNP;
	ck_assert_int_eq(
		sev_owner_seal(tek, tik, &req, &sec, 1, &rep, err, sizeof(err)),
		-EINVAL);
	ck_assert(!rep.inject && !rep.secret);
	sec.len = (size_t)UINT32_MAX + 1;
	ck_assert_uint_eq(sev_owner_table_size(&sec, 1), 0);
	ck_assert_int_eq(guid_parse("not-a-guid", &sec.guid), -EINVAL);
}
END_TEST

/* ------------------------------------------------ owner_exchange: cmd */

struct tmpdir {
	char path[64];
};

static void tmpdir_make(struct tmpdir *t)
{
	strcpy(t->path, "/tmp/sevboot-owner-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(t->path));
}

static void tmpdir_file(const struct tmpdir *t, const char *name, char *out,
			size_t len)
{
	snprintf(out, len, "%s/%s", t->path, name);
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

static void tmpdir_remove(struct tmpdir *t)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->path);
	ck_assert_int_eq(system(cmd), 0);
}

/* No child is left behind, reaped or not. */
static void assert_no_children(void)
{
	int st;

	ck_assert_int_eq(waitpid(-1, &st, WNOHANG), -1);
	ck_assert_int_eq(errno, ECHILD);
}

static int exchange_cmd_str(const char *cmd, unsigned timeout,
			    const struct sev_owner_request *req,
			    struct sev_owner_reply *rep, char *err,
			    size_t errlen)
{
	struct owner_opts o = {.cmd = cmd, .timeout_s = timeout};

	return owner_exchange(&o, req, rep, err, errlen);
}

/* A signal to stop (its signalfd readable; a pipe stands in here) ends
 * the wait for the owner at once: the command killed and reaped, the
 * socket removed, -EINTR for the caller. */
START_TEST(exchange_stops_on_a_signal)
{
	struct sev_owner_request req;
	struct sev_owner_reply rep = { 0 };
	struct tmpdir t;
	char sock[128], err[512] = "";
	struct stat st;
	int p[2];
	int64_t t0;

	sample_request(&req);
	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(write(p[1], "x", 1), 1);

	{
		struct owner_opts o = { .cmd = "sleep 30", .timeout_s = 60,
					.cancel_fd = p[0] };

		t0 = owner_now_ms();
		ck_assert_int_eq(owner_exchange(&o, &req, &rep, err,
						sizeof(err)),
				 -EINTR);
		ck_assert_int_lt(owner_now_ms() - t0, 1000);
		ck_assert_ptr_nonnull(strstr(err, "stopped by a signal"));
		assert_no_children();
	}

	tmpdir_make(&t);
	tmpdir_file(&t, "owner.sock", sock, sizeof(sock));
	{
		struct owner_opts o = { .socket_path = sock, .timeout_s = 60,
					.cancel_fd = p[0] };

		t0 = owner_now_ms();
		ck_assert_int_eq(owner_exchange(&o, &req, &rep, err,
						sizeof(err)),
				 -EINTR);
		ck_assert_int_lt(owner_now_ms() - t0, 1000);
		ck_assert_ptr_nonnull(strstr(err, "stopped by a signal"));
		ck_assert_int_eq(stat(sock, &st), -1); /* removed */
	}
	tmpdir_remove(&t);
	close(p[0]);
	close(p[1]);
}
END_TEST

START_TEST(exchange_cmd_secret)
{
	struct sev_owner_request req, seen;
	struct sev_owner_reply rep, want;
	struct tmpdir t;
	char reply[256], reqfile[256], cmd[1024], err[512], *text;
	struct blob b;

	tmpdir_make(&t);
	sample_request(&req);
	fill_reply(&want, 64, false);
	ck_assert_int_eq(sev_owner_reply_encode(&want, &text), 0);
	tmpdir_file(&t, "reply.json", reply, sizeof(reply));
	tmpdir_file(&t, "request.json", reqfile, sizeof(reqfile));
	write_text(reply, text);
	free(text);

	/* The command reads the request and answers with the file. */
	snprintf(cmd, sizeof(cmd), "cat > '%s' && cat '%s'", reqfile, reply);
	ck_assert_msg(exchange_cmd_str(cmd, 10, &req, &rep, err, sizeof(err)) ==
			      0,
		      "%s", err);
	assert_same_reply(&want, &rep);
	sev_owner_reply_free(&rep);
	assert_no_children();
	/* It got the request, one line. */
	ck_assert_int_eq(file_read(reqfile, 65536, &b, err, sizeof(err)), 0);
	ck_assert_uint_gt(b.len, 2);
	ck_assert_int_eq(b.data[b.len - 1], '\n');
	ck_assert_ptr_null(memchr(b.data, '\n', b.len - 1));
	ck_assert_int_eq(sev_owner_request_parse((char *)b.data, b.len, &seen,
						 err, sizeof(err)),
			 0);
	ck_assert(memcmp(&seen, &req, sizeof(req)) == 0);
	blob_free(&b);

	/* A command that ignores its stdin may answer all the same. */
	snprintf(cmd, sizeof(cmd), "exec cat '%s'", reply);
	ck_assert_int_eq(
		exchange_cmd_str(cmd, 10, &req, &rep, err, sizeof(err)), 0);
	assert_same_reply(&want, &rep);
	sev_owner_reply_free(&rep);

	/* No secret. */
	ck_assert_int_eq(
		exchange_cmd_str("echo '{}'", 10, &req, &rep, err, sizeof(err)),
		0);
	ck_assert(!rep.inject);
	ck_assert_int_eq(exchange_cmd_str("printf '{\"secret\": null}'", 10,
					  &req, &rep, err, sizeof(err)),
			 0);
	ck_assert(!rep.inject);

	/* A process the command leaves behind does not hold sevboot up. */
	snprintf(cmd, sizeof(cmd), "sleep 5 & cat '%s'", reply);
	{
		int64_t t0 = owner_now_ms();

		ck_assert_int_eq(
			exchange_cmd_str(cmd, 10, &req, &rep, err, sizeof(err)),
			0);
		ck_assert_int_lt(owner_now_ms() - t0, 5000);
		sev_owner_reply_free(&rep);
	}
	sev_owner_reply_free(&want);
	tmpdir_remove(&t);
}
END_TEST

static void exchange_cmd_fails(const char *cmd, unsigned timeout, int want,
			       const char *msg)
{
	struct sev_owner_request req;
	struct sev_owner_reply rep;
	char err[512];
	int ret;

	sample_request(&req);
	memset(err, 'x', sizeof(err));
	ret = exchange_cmd_str(cmd, timeout, &req, &rep, err, sizeof(err));
	ck_assert_msg(ret == want, "%s: %d, not %d (%s)", cmd, ret, want, err);
	ck_assert_msg(strstr(err, msg) != NULL, "%s: '%s' lacks '%s'", cmd, err,
		      msg);
	ck_assert(!rep.inject && !rep.secret);
	ck_assert_ptr_null(strchr(err, '\n'));
	assert_no_children();
}

START_TEST(exchange_cmd_failures)
{
	char cmd[256];

	exchange_cmd_fails("exit 3", 10, -ECANCELED,
			   "the owner command 'exit 3' failed with exit "
			   "status 3");
	exchange_cmd_fails("echo '{}'; exit 1", 10, -ECANCELED,
			   "exit status 1");
	exchange_cmd_fails("kill -9 $$", 10, -ECANCELED,
			   "was killed by signal 9");
	exchange_cmd_fails("/nonexistent/owner-tool", 10, -ECANCELED,
			   "exit status 127");
	exchange_cmd_fails("true", 10, -EBADMSG, "wrote no reply");
	exchange_cmd_fails("echo not json", 10, -EBADMSG,
			   "the owner command 'echo not json': the reply is "
			   "not valid JSON");
	exchange_cmd_fails("echo '{\"packet_header\":1}'", 10, -EBADMSG,
			   "unknown member \"packet_header\"");
	exchange_cmd_fails("echo '{}{}'", 10, -EBADMSG, "after the JSON value");
	exchange_cmd_fails("head -c 70000 /dev/zero | tr '\\0' ' '", 10,
			   -EBADMSG, "wrote more than 65536 bytes");
	/* A secret that does not fit the launch's secret area (0xc00). */
	snprintf(cmd, sizeof(cmd),
		 "printf '{\"packet-header\":\"%s\",\"secret\":\"'; "
		 "head -c 3088 /dev/zero | base64 -w0; printf '\"}'",
		 HDR_B64);
	exchange_cmd_fails(cmd, 10, -EBADMSG, "secret area");

	/* Timeouts: the child is killed and reaped, quickly. */
	{
		int64_t t0 = owner_now_ms();

		exchange_cmd_fails("sleep 30", 1, -ETIMEDOUT,
				   "did not answer within 1 s; it was killed");
		ck_assert_int_lt(owner_now_ms() - t0, 3000);
		t0 = owner_now_ms();
		/* Output but no end. */
		exchange_cmd_fails("echo '{}'; exec sleep 30", 1, -ETIMEDOUT,
				   "did not answer");
		ck_assert_int_lt(owner_now_ms() - t0, 3000);
	}

	/* A long command is named, shortened. */
	exchange_cmd_fails(
		"exit 4 ; : "
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		"aaaaaaaaaaaaaaaa",
		10, -ECANCELED, "aaaa...' failed with exit status 4");
}
END_TEST

/* Is pid a live process (neither gone nor a zombie)? */
static bool process_alive(pid_t pid)
{
	char path[64], buf[512], *p;
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' && p[2] != 'Z' && p[2] != 'X';
}

/* The pids in path (one a line, want of them) are all dead.  Any still
 * alive is killed first, so a failure leaves nothing behind. */
static void assert_all_dead(const char *path, int want)
{
	FILE *f = fopen(path, "r");
	int pid, n = 0, alive = 0;

	ck_assert_ptr_nonnull(f);
	while (fscanf(f, "%d", &pid) == 1) {
		n++;
		if (pid > 1 && process_alive(pid)) {
			alive++;
			kill(pid, SIGKILL);
		}
	}
	fclose(f);
	ck_assert_int_eq(n, want);
	ck_assert_msg(alive == 0, "%d of the command's processes outlived it",
		      alive);
}

/* At the timeout the command's whole process group is stopped: SIGTERM,
 * then SIGKILL for what ignores that; nothing it started lives on. */
START_TEST(exchange_cmd_stops_its_group)
{
	static const char *const fmt[] = {
		"sh -c 'echo $$ >> %s; sleep 300 & echo $! >> %s; "
		"exec sleep 300'",
		"trap \"\" TERM; sh -c 'echo $$ >> %s; sleep 300 & "
		"echo $! >> %s; exec sleep 300'",
	};
	struct tmpdir t;
	char pids[128], cmd[512];

	tmpdir_make(&t);
	for (size_t i = 0; i < sizeof(fmt) / sizeof(fmt[0]); i++) {
		snprintf(pids, sizeof(pids), "%s/pids%zu", t.path, i);
		snprintf(cmd, sizeof(cmd), fmt[i], pids, pids);
		exchange_cmd_fails(cmd, 2, -ETIMEDOUT,
				   "did not answer within 2 s; it was killed");
		assert_all_dead(pids, 2);
	}
	tmpdir_remove(&t);
}
END_TEST

START_TEST(exchange_opts_refusals)
{
	struct sev_owner_request req;
	struct sev_owner_reply rep;
	struct owner_opts o = {0};
	char err[256];

	sample_request(&req);
	ck_assert_int_eq(owner_exchange(&o, &req, &rep, err, sizeof(err)),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "exactly one"));
	o.cmd = "true";
	o.socket_path = "/tmp/x";
	ck_assert_int_eq(owner_exchange(&o, &req, &rep, err, sizeof(err)),
			 -EINVAL);
	o.socket_path = NULL;
	o.cmd = "";
	ck_assert_int_eq(owner_exchange(&o, &req, &rep, err, sizeof(err)),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "empty"));

	ck_assert_int_eq(owner_exit_code(0), 0);
	ck_assert_int_eq(owner_exit_code(-EINVAL), EXIT_USAGE);
	ck_assert_int_eq(owner_exit_code(-EEXIST), EXIT_USAGE);
	ck_assert_int_eq(owner_exit_code(-ETIMEDOUT), EXIT_TIMEOUT);
	ck_assert_int_eq(owner_exit_code(-EBADMSG), EXIT_BAD_INPUT);
	ck_assert_int_eq(owner_exit_code(-ECANCELED), EXIT_SEV);
	ck_assert_int_eq(owner_exit_code(-ENOMEM), EXIT_RUNTIME);
}
END_TEST

/* The line reader across its buffer's growth: lines of 5000 and of
 * exactly SEV_OWNER_MSG_MAX bytes are read whole, one byte more is
 * skipped (-E2BIG), and the reader goes on. */
START_TEST(reader_lines_grow)
{
	static char data[3 * SEV_OWNER_MSG_MAX];
	struct owner_reader r;
	int64_t deadline = owner_now_ms() + 10000;
	size_t n = 0, len;
	char *line;
	int sv[2], big = 1 << 20;

	n += (size_t)sprintf(data, "short\n\n");
	memset(data + n, 'a', 5000);
	n += 5000;
	data[n++] = '\n';
	memset(data + n, 'b', SEV_OWNER_MSG_MAX);
	n += SEV_OWNER_MSG_MAX;
	data[n++] = '\n';
	memset(data + n, 'c', SEV_OWNER_MSG_MAX + 1);
	n += SEV_OWNER_MSG_MAX + 1;
	n += (size_t)sprintf(data + n, "\nlast\n");
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv),
			 0);
	ck_assert_int_eq(setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &big,
				    sizeof(big)),
			 0);
	ck_assert_int_eq(send(sv[1], data, n, MSG_DONTWAIT), (ssize_t)n);
	shutdown(sv[1], SHUT_WR);
	ck_assert_int_eq(owner_reader_init(&r, sv[0]), 0);
	ck_assert_int_eq(owner_read_line(&r, deadline, &line, &len), 0);
	ck_assert_str_eq(line, "short");
	ck_assert_int_eq(owner_read_line(&r, deadline, &line, &len), 0);
	ck_assert_uint_eq(len, 5000);
	ck_assert(line[0] == 'a' && line[4999] == 'a' && line[5000] == '\0');
	ck_assert_int_eq(owner_read_line(&r, deadline, &line, &len), 0);
	ck_assert_uint_eq(len, SEV_OWNER_MSG_MAX);
	ck_assert(line[0] == 'b' && line[len - 1] == 'b' && !line[len]);
	ck_assert_int_eq(owner_read_line(&r, deadline, &line, &len), -E2BIG);
	ck_assert_int_eq(owner_read_line(&r, deadline, &line, &len), 0);
	ck_assert_str_eq(line, "last");
	ck_assert_int_eq(owner_read_line(&r, deadline, &line, &len),
			 -ECONNRESET);
	owner_reader_free(&r);
	close(sv[0]);
	close(sv[1]);
}
END_TEST

/* ------------------------- owner_exchange_cmd_ends: past the spawn */

/* A command's ends the test holds the other side of: in (a socketpair:
 * peer_in gets what sevboot sends) and out (a pipe holding reply, its
 * write end closed: the command has exited). */
static void ends_make(struct owner_cmd_ends *e, int *peer_in,
		      const void *reply, size_t len)
{
	int sp[2], out[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp),
			 0);
	ck_assert_int_eq(pipe2(out, O_CLOEXEC), 0);
	if (len > 60000)
		ck_assert_int_ge(fcntl(out[1], F_SETPIPE_SZ, 1 << 17), 1 << 17);
	ck_assert_int_eq(write(out[1], reply, len), (ssize_t)len);
	close(out[1]);
	*e = (struct owner_cmd_ends){ .in = sp[0], .out = out[0], .pid = -1,
				      .pidfd = -1 };
	*peer_in = sp[1];
}

static int ends_exchange(int status, const void *reply, size_t len,
			 struct sev_owner_reply *rep, char *err, size_t errlen)
{
	struct sev_owner_request req;
	struct owner_opts o = {.cmd = "the-owner", .timeout_s = 10};
	struct owner_cmd_ends e;
	char got[4096], *text;
	int peer, ret;
	ssize_t n;

	sample_request(&req);
	ends_make(&e, &peer, reply, len);
	e.status = status;
	ret = owner_exchange_cmd_ends(&o, &e, &req, rep, err, errlen);
	/* Taken over: nothing left in e, its end of stdin closed after the
	 * request and a newline. */
	ck_assert(e.in == -1 && e.out == -1 && e.pid == -1 && e.pidfd == -1);
	ck_assert_int_eq(sev_owner_request_encode(&req, &text), 0);
	n = recv(peer, got, sizeof(got), MSG_WAITALL);
	ck_assert_int_eq(n, (ssize_t)strlen(text) + 1);
	ck_assert(memcmp(got, text, strlen(text)) == 0 && got[n - 1] == '\n');
	free(text);
	close(peer);
	return ret;
}

START_TEST(exchange_cmd_ends_seam)
{
	static char big[SEV_OWNER_MSG_MAX + 1];
	struct sev_owner_reply rep, want;
	char err[512], *text;

	fill_reply(&want, 64, false);
	ck_assert_int_eq(sev_owner_reply_encode(&want, &text), 0);
	ck_assert_msg(ends_exchange(0, text, strlen(text), &rep, err,
				    sizeof(err)) == 0,
		      "%s", err);
	assert_same_reply(&want, &rep);
	sev_owner_reply_free(&rep);

	/* How it ended decides before its reply does. */
	ck_assert_int_eq(ends_exchange(3 << 8, text, strlen(text), &rep, err,
				       sizeof(err)),
			 -ECANCELED);
	ck_assert_str_eq(err,
			 "the owner command 'the-owner' failed with exit "
			 "status 3");
	ck_assert(!rep.inject && !rep.secret);
	ck_assert_int_eq(ends_exchange(SIGKILL, text, strlen(text), &rep, err,
				       sizeof(err)),
			 -ECANCELED);
	ck_assert_ptr_nonnull(strstr(err, "was killed by signal 9"));
	free(text);

	ck_assert_int_eq(ends_exchange(0, "", 0, &rep, err, sizeof(err)),
			 -EBADMSG);
	ck_assert_ptr_nonnull(strstr(err, "wrote no reply"));
	/* The limit: SEV_OWNER_MSG_MAX bytes are read (and parsed), one
	 * more is refused. */
	memset(big, ' ', sizeof(big));
	ck_assert_int_eq(ends_exchange(0, big, sizeof(big) - 1, &rep, err,
				       sizeof(err)),
			 -EBADMSG);
	ck_assert_ptr_null(strstr(err, "more than"));
	ck_assert_int_eq(ends_exchange(0, big, sizeof(big), &rep, err,
				       sizeof(err)),
			 -EBADMSG);
	ck_assert_ptr_nonnull(strstr(err, "wrote more than 65536 bytes"));
	sev_owner_reply_free(&want);
}
END_TEST

extern char **environ;

/* /bin/sh -c cmd in a process group of its own, its stdout out (-1:
 * ours), as owner_exchange() starts a command: its pid. */
static pid_t spawn_in_group(const char *cmd, int out)
{
	char *const argv[] = {"sh", "-c", (char *)cmd, NULL};
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	pid_t pid;

	ck_assert_int_eq(posix_spawn_file_actions_init(&fa), 0);
	ck_assert_int_eq(posix_spawnattr_init(&attr), 0);
	if (out >= 0)
		ck_assert_int_eq(posix_spawn_file_actions_adddup2(&fa, out, 1),
				 0);
	ck_assert_int_eq(posix_spawnattr_setpgroup(&attr, 0), 0);
	ck_assert_int_eq(posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP),
			 0);
	ck_assert_int_eq(posix_spawn(&pid, "/bin/sh", &fa, &attr, argv,
				     environ),
			 0);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	return pid;
}

/* A running command given by its pid and pidfd: the exchange waits for
 * its exit and reaps it. */
START_TEST(exchange_cmd_ends_running)
{
	struct sev_owner_request req;
	struct sev_owner_reply rep;
	struct owner_opts o = {.cmd = "forked", .timeout_s = 10};
	struct owner_cmd_ends e;
	char err[512];
	int peer, out[2];

	sample_request(&req);
	ends_make(&e, &peer, "", 0);
	close(e.out);
	ck_assert_int_eq(pipe2(out, O_CLOEXEC), 0);
	e.out = out[0];
	e.pid = spawn_in_group("sleep 0.1; echo '{}'", out[1]);
	close(out[1]);
	e.pidfd = (int)syscall(SYS_pidfd_open, e.pid, 0);
	ck_assert_msg(owner_exchange_cmd_ends(&o, &e, &req, &rep, err,
					      sizeof(err)) == 0,
		      "%s", err);
	ck_assert(!rep.inject);
	close(peer);
	assert_no_children();

	/* Refused opts: the ends are closed, the process stopped and
	 * reaped all the same. */
	ends_make(&e, &peer, "", 0);
	e.pid = spawn_in_group("exec sleep 30", -1);
	o.cmd = NULL;
	o.socket_path = "/tmp/x";
	ck_assert_int_eq(owner_exchange_cmd_ends(&o, &e, &req, &rep, err,
						 sizeof(err)),
			 -EINVAL);
	ck_assert(e.in == -1 && e.out == -1 && e.pid == -1);
	assert_no_children();
	/* Its stdin was closed with nothing sent. */
	ck_assert_int_eq(recv(peer, err, sizeof(err), 0), 0);
	close(peer);
	o.cmd = "x";
	o.socket_path = NULL;
	ck_assert_int_eq(owner_exchange_cmd_ends(&o, NULL, &req, &rep, err,
						 sizeof(err)),
			 -EINVAL);
}
END_TEST

/* --------------------------------------------- owner_exchange: socket */

/*
 * A socket client in a child process.  It speaks a script: each step
 * sends a line and checks the answer's start.  Exit status 0 when every
 * answer was as expected; the parent checks owner_exchange's side.
 */
struct step {
	const char *send;   /* NULL: stop here (close the connection) */
	const char *expect; /* the answer starts with this */
};

static int client_fail(const char *what, const char *line)
{
	fprintf(stderr, "client: %s: %s\n", what, line ? line : "(none)");
	return 1;
}

static int client_run(const char *path, const struct step *steps,
		      bool check_mode)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int64_t deadline = owner_now_ms() + 10000;
	struct owner_reader rd;
	struct stat st;
	char *line;
	size_t len;
	int fd;

	strcpy(sa.sun_path, path);
	/* Wait for the socket to appear. */
	while (lstat(path, &st) < 0 || !S_ISSOCK(st.st_mode)) {
		if (owner_now_ms() > deadline)
			return client_fail("no socket", path);
		poll(NULL, 0, 10);
	}
	if (check_mode && (st.st_mode & 0777) != 0600)
		return client_fail("mode is not 0600", path);
	/* A stale socket may still be there until sevboot replaces it. */
	for (;;) {
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return client_fail("socket", strerror(errno));
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			break;
		if ((errno != ECONNREFUSED && errno != ENOENT) ||
		    owner_now_ms() > deadline)
			return client_fail("connect", strerror(errno));
		close(fd);
		poll(NULL, 0, 10);
	}
	fcntl(fd, F_SETFL, O_NONBLOCK);
	if (owner_reader_init(&rd, fd))
		return client_fail("reader", NULL);
	if (owner_read_line(&rd, deadline, &line, &len) ||
	    sev_owner_greeting_parse(line, len, NULL, 0))
		return client_fail("greeting", NULL);
	for (; steps->send; steps++) {
		if (owner_send_line(fd, steps->send, deadline))
			return client_fail("send", steps->send);
		if (!steps->expect)
			continue;
		if (owner_read_line(&rd, deadline, &line, &len))
			return client_fail("no answer to", steps->send);
		if (strncmp(line, steps->expect, strlen(steps->expect)))
			return client_fail("unexpected answer", line);
	}
	/* After cont, sevboot closes. */
	if (steps[-1].send && strstr(steps[-1].send, "\"cont\"") &&
	    owner_read_line(&rd, deadline, &line, &len) != -ECONNRESET)
		return client_fail("still open after cont", NULL);
	owner_reader_free(&rd);
	close(fd);
	return 0;
}

static pid_t client_start(const char *path, const struct step *steps,
			  bool check_mode)
{
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(client_run(path, steps, check_mode));
	return pid;
}

static int client_wait(pid_t pid)
{
	int st;

	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

#define INJECT(args)                                                           \
	"{\"execute\":\"sev-inject-launch-secret\",\"arguments\":{" args "}}"

/* ------------------------ owner_exchange_client: past the accept() */

START_TEST(exchange_client_seam)
{
	static const char lines[] =
		"{\"execute\":\"query-sev\",\"id\":1}\n"
		"\n"
		"{bad\n" INJECT("\"packet-header\":\"" HDR_B64
				"\",\"secret\":\"" SEC16 "\"") "\n"
		"{\"execute\":\"cont\",\"id\":\"end\"}\n";
	struct sev_owner_request req;
	struct sev_owner_reply rep, want;
	struct owner_opts o = {.socket_path = "sock", .timeout_s = 10,
			       .version = "test"};
	char err[512], got[4096], *nl;
	int sv[2];
	ssize_t n;

	sample_request(&req);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv),
			 0);
	ck_assert_int_eq(send(sv[1], lines, strlen(lines), 0),
			 (ssize_t)strlen(lines));
	ck_assert_msg(owner_exchange_client(&o, sv[0], &req, &rep, err,
					    sizeof(err)) == 0,
		      "%s", err);
	fill_reply(&want, 16, false);
	assert_same_reply(&want, &rep);
	sev_owner_reply_free(&want);
	sev_owner_reply_free(&rep);
	/* cfd is the caller's: still open. */
	ck_assert_int_ge(fcntl(sv[0], F_GETFD), 0);
	close(sv[0]);
	n = recv(sv[1], got, sizeof(got) - 1, MSG_WAITALL);
	ck_assert_int_gt(n, 0);
	got[n] = '\0';
	nl = strchr(got, '\n');
	ck_assert_ptr_nonnull(nl);
	ck_assert_int_eq(sev_owner_greeting_parse(got, (size_t)(nl - got), err,
						  sizeof(err)),
			 0);
	ck_assert_ptr_nonnull(strstr(nl, "\n{\"error\":{\"class\":"
					 "\"GenericError\",\"desc\":\"the "
					 "command is not valid JSON"));
	ck_assert_ptr_nonnull(strstr(nl, "\n{\"return\":{},\"id\":\"end\"}\n"));
	close(sv[1]);

	/* A client that leaves without "cont". */
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv),
			 0);
	ck_assert_int_eq(send(sv[1], "{}\n", 3, 0), 3);
	shutdown(sv[1], SHUT_WR);
	ck_assert_int_eq(owner_exchange_client(&o, sv[0], &req, &rep, err,
					       sizeof(err)),
			 -ECANCELED);
	ck_assert_str_eq(err, "the guest owner disconnected from sock without "
			      "\"cont\"");
	ck_assert(!rep.inject && !rep.secret);
	/* Opts for a command are refused. */
	o.socket_path = NULL;
	o.cmd = "x";
	ck_assert_int_eq(owner_exchange_client(&o, sv[0], &req, &rep, err,
					       sizeof(err)),
			 -EINVAL);
	close(sv[0]);
	close(sv[1]);
}
END_TEST

START_TEST(exchange_socket_session)
{
	static char long_line[SEV_OWNER_MSG_MAX + 100];
	const struct step steps[] = {
		{"{\"execute\":\"qmp_capabilities\"}", "{\"return\":{}}"},
		{"{\"execute\":\"query-sev\",\"id\":1}",
		 "{\"return\":{\"enabled\":true,\"api-major\":1,"
		 "\"api-minor\":55,\"build-id\":25,\"policy\":5,\"handle\":7,"
		 "\"state\":\"launch-secret\",\"firmware-model\":true},"
		 "\"id\":1}"},
		{"{\"execute\":\"query-sev-launch-measure\"}",
		 "{\"return\":{\"data\":\"" SAMPLE_MEASUREMENT "\"}}"},
		{"{\"execute\":\"query-sevboot-launch\"}",
		 "{\"return\":" SAMPLE_REQUEST "}"},
		{"", NULL}, /* blank lines are skipped */
		{"{", "{\"error\":{\"class\":\"GenericError\",\"desc\":\"the "
		      "command is not valid JSON"},
		{"{\"execute\":\"quit\",\"id\":\"q\"}",
		 "{\"error\":{\"class\":\"GenericError\",\"desc\":\"the "
		 "command \\\"quit\\\" is not known"},
		{long_line, "{\"error\":{\"class\":\"GenericError\",\"desc\":"
			    "\"the command is longer than 65536 bytes\"}}"},
		/* Too big for the 0xc00 area: refused, session goes on. */
		{INJECT("\"packet-header\":\"" HDR_B64 "\",\"secret\":\""
			"AAAAAAAAAAAAAAAAAAAAAA==\",\"gpa\":8433672"),
		 "{\"error\":{\"class\":\"GenericError\",\"desc\":\"the "
		 "secret's gpa 0x80b008 is not 16-byte aligned\"}}"},
		{INJECT("\"packet-header\":\"" HDR_B64 "\",\"secret\":\"" SEC16
			"\""),
		 "{\"return\":{}}"},
		{INJECT("\"packet-header\":\"" HDR_B64 "\",\"secret\":\"" SEC16
			"\""),
		 "{\"error\":{\"class\":\"GenericError\",\"desc\":\"a launch "
		 "secret was already injected; sevboot takes one\"}}"},
		{"{\"execute\":\"cont\",\"id\":\"end\"}",
		 "{\"return\":{},\"id\":\"end\"}"},
		{NULL, NULL},
	};
	struct sev_owner_request req;
	struct sev_owner_reply rep, want;
	struct owner_opts o = {.timeout_s = 10, .version = "test"};
	struct tmpdir t;
	char path[256], err[512];
	struct stat st;
	pid_t pid;

	memset(long_line, 'x', sizeof(long_line) - 1);
	tmpdir_make(&t);
	tmpdir_file(&t, "owner.sock", path, sizeof(path));
	o.socket_path = path;
	sample_request(&req);
	pid = client_start(path, steps, true);
	ck_assert_msg(owner_exchange(&o, &req, &rep, err, sizeof(err)) == 0,
		      "%s", err);
	ck_assert_int_eq(client_wait(pid), 0);
	fill_reply(&want, 16, false);
	assert_same_reply(&want, &rep);
	sev_owner_reply_free(&want);
	sev_owner_reply_free(&rep);
	/* The socket is gone. */
	ck_assert_int_eq(lstat(path, &st), -1);
	assert_no_children();
	tmpdir_remove(&t);
}
END_TEST

/* The launch's side of the report commands, for the tests: the nonce
 * where the firmware puts it, the rest a pattern; SNP refused. */
static int fake_attest(void *ctx, const struct sev_owner_cmd *c,
		       uint8_t *report, size_t *len, char *err, size_t errlen)
{
	(void)ctx;
	if (c->id == SEV_OWNER_CMD_ATTEST_SNP) {
		set_err(err, errlen, "the firmware model has no identity");
		return -EOPNOTSUPP;
	}
	memset(report, 0x77, SEV_ATT_REPORT_LEN);
	memcpy(report, c->nonce, 16);
	*len = SEV_ATT_REPORT_LEN;
	return 0;
}

/* The base64 of 16 bytes 00..0f, and of 208 bytes: those, then 0x77. */
#define MNONCE_B64 "AAECAwQFBgcICQoLDA0ODw=="
#define REPORT_B64_START "AAECAwQFBgcICQoLDA0OD3d3d3d3"

START_TEST(exchange_socket_attest)
{
	const struct step steps[] = {
		{"{\"execute\":\"query-sev-attestation-report\",\"arguments\":"
		 "{\"mnonce\":\"" MNONCE_B64 "\"},\"id\":3}",
		 "{\"return\":{\"data\":\"" REPORT_B64_START},
		{"{\"execute\":\"query-sev-attestation-report\"}",
		 "{\"error\":{\"class\":\"GenericError\",\"desc\":"
		 "\"query-sev-attestation-report needs \\\"arguments\\\""},
		{"{\"execute\":\"query-sev-attestation-report\",\"arguments\":"
		 "{\"mnonce\":\"AAEC\"}}",
		 "{\"error\":{\"class\":\"GenericError\",\"desc\":\"the "
		 "arguments of query-sev-attestation-report: \\\"mnonce\\\" "
		 "holds 3 bytes; it must hold 16\"}}"},
		{"{\"execute\":\"query-snp-attestation-report\",\"arguments\":"
		 "{\"report-data\":\"" MNONCE_B64 "\",\"vmpl\":4}}",
		 "{\"error\":{\"class\":\"GenericError\",\"desc\":\"the "
		 "arguments of query-snp-attestation-report: \\\"vmpl\\\" "
		 "must be an integer from 0 to 3\"}}"},
		{"{\"execute\":\"query-snp-attestation-report\",\"arguments\":"
		 "{\"report-data\":\"" MNONCE_B64 "\"}}",
		 "{\"error\":{\"class\":\"GenericError\",\"desc\":\"the "
		 "firmware model has no identity\"}}"},
		{"{\"execute\":\"cont\"}", "{\"return\":{}}"},
		{NULL, NULL},
	};
	struct sev_owner_request req;
	struct sev_owner_reply rep;
	struct owner_opts o = {.timeout_s = 10, .attest = fake_attest};
	struct tmpdir t;
	char path[256], err[512];
	pid_t pid;

	tmpdir_make(&t);
	tmpdir_file(&t, "owner.sock", path, sizeof(path));
	o.socket_path = path;
	sample_request(&req);
	pid = client_start(path, steps, false);
	ck_assert_msg(owner_exchange(&o, &req, &rep, err, sizeof(err)) == 0,
		      "%s", err);
	ck_assert_int_eq(client_wait(pid), 0);
	ck_assert(!rep.inject);
	/* Without the callback the launch offers none. */
	{
		const struct step none[] = {
			{"{\"execute\":\"query-sev-attestation-report\","
			 "\"arguments\":{\"mnonce\":\"" MNONCE_B64 "\"}}",
			 "{\"error\":{\"class\":\"GenericError\",\"desc\":"
			 "\"this launch offers no attestation report\"}}"},
			{"{\"execute\":\"cont\"}", "{\"return\":{}}"},
			{NULL, NULL},
		};

		o.attest = NULL;
		pid = client_start(path, none, false);
		ck_assert_msg(owner_exchange(&o, &req, &rep, err,
					     sizeof(err)) == 0,
			      "%s", err);
		ck_assert_int_eq(client_wait(pid), 0);
	}
	assert_no_children();
	tmpdir_remove(&t);
}
END_TEST

START_TEST(attest_messages)
{
	struct sev_owner_cmd c, back;
	uint8_t report[SEV_ATT_REPORT_LEN], got[SEV_ATT_REPORT_LEN];
	char *text, err[512];

	/* The client's command reads back as sent. */
	memset(&c, 0, sizeof(c));
	c.id = SEV_OWNER_CMD_ATTEST_SNP;
	for (int k = 0; k < 64; k++)
		c.nonce[k] = (uint8_t)(k * 3);
	c.vmpl = 2;
	ck_assert_int_eq(sev_owner_cmd_encode(&c, &text), 0);
	ck_assert_int_eq(cmd_parse_str(text, &back, err, sizeof(err)), 0);
	ck_assert_int_eq(back.id, SEV_OWNER_CMD_ATTEST_SNP);
	ck_assert_int_eq(memcmp(back.nonce, c.nonce, 64), 0);
	ck_assert_uint_eq(back.vmpl, 2);
	free(text);
	/* Short report data is zero-padded. */
	ck_assert_int_eq(cmd_parse_str("{\"execute\":\"query-snp-attestation-"
				       "report\",\"arguments\":{\"report-"
				       "data\":\"AQI=\"}}",
				       &back, err, sizeof(err)),
			 0);
	ck_assert_uint_eq(back.nonce[0], 1);
	ck_assert_uint_eq(back.nonce[1], 2);
	ck_assert_uint_eq(back.nonce[2], 0);
	ck_assert_uint_eq(back.vmpl, 0);
	cmd_bad("{\"execute\":\"query-snp-attestation-report\",\"arguments"
		"\":{\"report-data\":\"\"}}",
		"1 to 64 bytes", "");
	cmd_bad("{\"execute\":\"query-sev-attestation-report\",\"arguments"
		"\":{\"mnonce\":\"" MNONCE_B64 "\",\"x\":1}}",
		"unknown member \"x\"", "");
	/* The answer: QEMU's {"return":{"data":...}}. */
	memset(&c, 0, sizeof(c));
	c.id = SEV_OWNER_CMD_ATTEST_SEV;
	strcpy(c.tag, "7");
	for (size_t k = 0; k < sizeof(report); k++)
		report[k] = (uint8_t)k;
	ck_assert_int_eq(sev_owner_answer_report(&c, report, sizeof(report),
						 &text),
			 0);
	ck_assert(!strncmp(text, "{\"return\":{\"data\":\"AAECAwQF", 26));
	ck_assert(strstr(text, "},\"id\":7}"));
	ck_assert_int_eq(sev_owner_answer_report_parse(
				 text, strlen(text), SEV_OWNER_CMD_ATTEST_SEV,
				 got, sizeof(got), err, sizeof(err)),
			 0);
	ck_assert_int_eq(memcmp(got, report, sizeof(got)), 0);
	/* An SNP report is longer: the SEV one is refused as one. */
	ck_assert_int_eq(sev_owner_answer_report_parse(
				 text, strlen(text), SEV_OWNER_CMD_ATTEST_SNP,
				 got, SNP_REPORT_LEN, err, sizeof(err)),
			 -EINVAL);
	ck_assert_msg(strstr(err, "must hold 1184"), "%s", err);
	free(text);
	text = "{\"error\":{\"class\":\"GenericError\",\"desc\":\"no PEK\"}}";
	ck_assert_int_eq(sev_owner_answer_report_parse(
				 text, strlen(text), SEV_OWNER_CMD_ATTEST_SEV,
				 got, sizeof(got), err, sizeof(err)),
			 -EREMOTEIO);
	ck_assert_str_eq(err, "no PEK");
}
END_TEST

START_TEST(exchange_socket_no_secret_and_stale)
{
	const struct step steps[] = {
		{"{\"execute\":\"cont\"}", "{\"return\":{}}"},
		{NULL, NULL},
	};
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct sev_owner_request req;
	struct sev_owner_reply rep;
	struct owner_opts o = {.timeout_s = 10};
	struct tmpdir t;
	char path[256], err[512];
	pid_t pid;
	int fd;

	tmpdir_make(&t);
	tmpdir_file(&t, "owner.sock", path, sizeof(path));
	o.socket_path = path;
	/* A socket left over from an earlier run: nobody listens. */
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	sample_request(&req);
	pid = client_start(path, steps, false);
	ck_assert_msg(owner_exchange(&o, &req, &rep, err, sizeof(err)) == 0,
		      "%s", err);
	ck_assert_int_eq(client_wait(pid), 0);
	ck_assert(!rep.inject && !rep.secret);
	tmpdir_remove(&t);
}
END_TEST

/*
 * bind() for this whole test program: the real system call, and, when a
 * test sets swap_path, another user of the directory putting a symlink at
 * the path just before bind() or just after it (then replacing the socket).
 */
static const char *swap_path, *swap_target;
static bool swap_before;

int bind(int fd, const struct sockaddr *sa, socklen_t len)
{
	long r;

	if (swap_path && swap_before)
		ck_assert_int_eq(symlink(swap_target, swap_path), 0);
	r = syscall(SYS_bind, fd, sa, len);
	if (swap_path && !swap_before && r == 0) {
		ck_assert_int_eq(unlink(swap_path), 0);
		ck_assert_int_eq(symlink(swap_target, swap_path), 0);
	}
	return (int)r;
}

/* The exchange refuses with -EEXIST and want; the symlink's target keeps
 * its mode 0644, and the symlink is left alone. */
static void socket_refused(struct owner_opts *o, const char *target,
			   const char *want)
{
	struct sev_owner_request req;
	struct sev_owner_reply rep;
	char err[512];
	struct stat st;
	int ret;

	sample_request(&req);
	ret = owner_exchange(o, &req, &rep, err, sizeof(err));
	ck_assert_msg(ret == -EEXIST, "%d: %s", ret, err);
	ck_assert_msg(strstr(err, want) && strstr(err, o->socket_path),
		      "'%s' lacks '%s'", err, want);
	ck_assert_ptr_null(strchr(err, '\n'));
	ck_assert_int_eq(stat(target, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0644);
	ck_assert_int_eq(lstat(o->socket_path, &st), 0);
	ck_assert(S_ISLNK(st.st_mode));
	ck_assert_int_eq(unlink(o->socket_path), 0);
}

/* The socket is 0600 from bind() whatever the umask, and no symlink at
 * the path is followed: not one there before, nor one swapped in just
 * before or after bind() (a chmod by name would follow that one). */
START_TEST(exchange_socket_mode_and_symlinks)
{
	const struct step steps[] = {
		{"{\"execute\":\"cont\"}", "{\"return\":{}}"},
		{NULL, NULL},
	};
	struct sev_owner_request req;
	struct sev_owner_reply rep;
	struct owner_opts o = {.timeout_s = 10};
	struct tmpdir t;
	char path[256], target[256], err[512];
	mode_t old;
	pid_t pid;

	tmpdir_make(&t);
	tmpdir_file(&t, "owner.sock", path, sizeof(path));
	tmpdir_file(&t, "precious", target, sizeof(target));
	o.socket_path = path;
	sample_request(&req);

	/* umask 0 would give 0777 (less nothing) without the fchmod. */
	old = umask(0);
	pid = client_start(path, steps, true);
	ck_assert_msg(owner_exchange(&o, &req, &rep, err, sizeof(err)) == 0,
		      "%s", err);
	umask(old);
	ck_assert_int_eq(client_wait(pid), 0);

	write_text(target, "precious");
	ck_assert_int_eq(chmod(target, 0644), 0);
	ck_assert_int_eq(symlink(target, path), 0);
	socket_refused(&o, target, "is not a socket");

	swap_path = path;
	swap_target = target;
	swap_before = true;
	socket_refused(&o, target, "just before bind");
	swap_before = false;
	o.timeout_s = 1; /* before the fix: chmod'ed the target, then waited */
	socket_refused(&o, target,
		       "replaced by something that is not a socket");
	swap_path = NULL;
	assert_no_children();
	tmpdir_remove(&t);
}
END_TEST

START_TEST(exchange_socket_failures)
{
	const struct step leave[] = {
		{"{\"execute\":\"query-sev\"}", "{\"return\":"},
		{INJECT("\"packet-header\":\"" HDR_B64 "\",\"secret\":\"" SEC16
			"\""),
		 "{\"return\":{}}"},
		{NULL, NULL},
	};
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct sev_owner_request req;
	struct sev_owner_reply rep;
	struct owner_opts o = {.timeout_s = 10};
	struct tmpdir t;
	char path[256], err[512], longp[200];
	struct stat st;
	int64_t t0;
	pid_t pid;
	int fd;

	tmpdir_make(&t);
	tmpdir_file(&t, "owner.sock", path, sizeof(path));
	o.socket_path = path;
	sample_request(&req);

	/* The client leaves without cont: no secret, even though it
	 * injected one. */
	pid = client_start(path, leave, false);
	ck_assert_int_eq(owner_exchange(&o, &req, &rep, err, sizeof(err)),
			 -ECANCELED);
	ck_assert_int_eq(client_wait(pid), 0);
	ck_assert_ptr_nonnull(strstr(err, "disconnected"));
	ck_assert_ptr_nonnull(strstr(err, "without \"cont\""));
	ck_assert(!rep.inject && !rep.secret);
	ck_assert_int_eq(lstat(path, &st), -1);

	/* Nobody comes. */
	o.timeout_s = 1;
	t0 = owner_now_ms();
	ck_assert_int_eq(owner_exchange(&o, &req, &rep, err, sizeof(err)),
			 -ETIMEDOUT);
	ck_assert_int_lt(owner_now_ms() - t0, 3000);
	ck_assert_ptr_nonnull(strstr(err, "no guest owner connected"));
	ck_assert_int_eq(lstat(path, &st), -1);

	/* A client that connects and says nothing. */
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		strcpy(sa.sun_path, path);
		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		while (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
			poll(NULL, 0, 10);
		poll(NULL, 0, 3000);
		_exit(0);
	}
	ck_assert_int_eq(owner_exchange(&o, &req, &rep, err, sizeof(err)),
			 -ETIMEDOUT);
	ck_assert_ptr_nonnull(strstr(err, "did not send \"cont\""));
	kill(pid, SIGKILL);
	client_wait(pid);
	o.timeout_s = 10;

	/* Something that is not a socket is never replaced. */
	write_text(path, "precious");
	ck_assert_int_eq(owner_exchange(&o, &req, &rep, err, sizeof(err)),
			 -EEXIST);
	ck_assert_ptr_nonnull(strstr(err, "is not a socket"));
	ck_assert_int_eq(lstat(path, &st), 0);
	ck_assert(S_ISREG(st.st_mode) && st.st_size == 8);
	unlink(path);

	/* A socket someone listens on is in use. */
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(fd, 1), 0);
	ck_assert_int_eq(owner_exchange(&o, &req, &rep, err, sizeof(err)),
			 -EADDRINUSE);
	ck_assert_ptr_nonnull(strstr(err, "another program is listening"));
	close(fd);
	unlink(path);

	/* Too long for sun_path; a directory that does not exist. */
	memset(longp, 'a', sizeof(longp) - 1);
	longp[0] = '/';
	longp[sizeof(longp) - 1] = '\0';
	o.socket_path = longp;
	ck_assert_int_eq(owner_exchange(&o, &req, &rep, err, sizeof(err)),
			 -ENAMETOOLONG);
	o.socket_path = "/nonexistent-dir/owner.sock";
	ck_assert_int_eq(owner_exchange(&o, &req, &rep, err, sizeof(err)),
			 -ENOENT);
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent-dir/owner.sock"));
	ck_assert_int_eq(owner_exit_code(-ENOENT), EXIT_RUNTIME);
	assert_no_children();
	tmpdir_remove(&t);
}
END_TEST

/* ------------------------------------------------ the whole stop, cmd */

/* Owner: session; host: LAUNCH_MEASURE; owner: verify and seal through
 * --owner-cmd; firmware: open.  Everything but KVM. */
START_TEST(exchange_end_to_end)
{
	static const uint8_t data[] = "the owner's secret";
	struct sev_owner_secret sec = {.data = data, .len = sizeof(data)};
	struct sev_owner_request req;
	struct sev_owner_reply sealed, rep;
	struct sev_owner_session s;
	struct platform p;
	struct sev_tk tk;
	struct tmpdir t;
	uint8_t digest[32], plain[64];
	char reply[256], cmd[512], err[512], *text;

	platform_new(&p);
	ck_assert_int_eq(sev_owner_session_new(p.cert, sizeof(p.cert), 0x1, &s,
					       err, sizeof(err)),
			 0);
	ck_assert_int_eq(firmware_unwrap(&p, &s, 0x1, &tk), 0);
	memset(digest, 0x77, sizeof(digest));
	measured_request(tk.tik, digest, &req);
	req.policy = 0x1;
	ck_assert_int_eq(measure_launch_hmac(
				 tk.tik, req.api_major, req.api_minor,
				 req.build, req.policy, digest,
				 req.launch_measure + 32, req.launch_measure),
			 0);

	/* The owner's tool, here in-process, writes its reply ... */
	ck_assert_int_eq(
		sev_owner_verify(s.tik, &req, digest, err, sizeof(err)), 0);
	ck_assert_int_eq(guid_parse(guid_a, &sec.guid), 0);
	ck_assert_int_eq(sev_owner_seal(s.tek, s.tik, &req, &sec, 1, &sealed,
					err, sizeof(err)),
			 0);
	ck_assert_int_eq(sev_owner_reply_encode(&sealed, &text), 0);
	tmpdir_make(&t);
	tmpdir_file(&t, "reply.json", reply, sizeof(reply));
	write_text(reply, text);
	free(text);
	/* ... which sevboot reads through --owner-cmd ... */
	snprintf(cmd, sizeof(cmd), "cat >/dev/null; cat '%s'", reply);
	ck_assert_msg(exchange_cmd_str(cmd, 10, &req, &rep, err, sizeof(err)) ==
			      0,
		      "%s", err);
	/* ... and the firmware opens. */
	ck_assert_uint_eq(rep.secret_len, 64);
	ck_assert_int_eq(sev_secret_open(&tk, req.launch_measure, rep.hdr,
					 rep.secret, rep.secret_len, plain),
			 0);
	ck_assert_uint_eq(get_le32(plain, 16), 20 + 20 + sizeof(data));
	ck_assert(memcmp(plain + 40, data, sizeof(data)) == 0);

	sev_owner_reply_free(&rep);
	sev_owner_reply_free(&sealed);
	sev_owner_session_wipe(&s);
	sev_tk_wipe(&tk);
	tmpdir_remove(&t);
}
END_TEST

/* ---------------------------------- with sevboot's own tools (bin/) */

static void run_ok(const char *cmd)
{
	int st = system(cmd);

	ck_assert_msg(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0,
		      "'%s' failed (%d)", cmd, st);
}

/*
 * The documented workflow with the real tools: model-keys, session, and
 * `sevboot owner` as --owner-cmd and as the --owner-socket client, against
 * a launch whose LAUNCH_MEASURE the test computes as the firmware would.
 */
/* exchange_with_sevboot_owner's start: a model identity, the owner's
 * session for its PDH and the secret file in t, and the firmware's side
 * of that session (the platform key p, the unwrapped keys tk). */
static void workflow_setup(const char *bin, struct tmpdir *t,
			   const char *secret, struct platform *p,
			   struct sev_tk *tk)
{
	struct sev_owner_session s;
	struct blob b;
	char dir[256], cmd[2048], err[512];

	tmpdir_make(t);
	snprintf(cmd, sizeof(cmd),
		 "'%s' model-keys '%s/plat' && '%s' session --pdh "
		 "'%s/plat/pdh.cert' --policy 0x1 --out '%s/s' && "
		 "printf '%s' > '%s/secret.bin'",
		 bin, t->path, bin, t->path, t->path, secret, t->path);
	run_ok(cmd);

	/* The firmware's side: the platform key and the session blob. */
	snprintf(dir, sizeof(dir), "%s/plat/pdh.key", t->path);
	ck_assert_int_eq(file_read(dir, 48, &b, err, sizeof(err)), 0);
	memcpy(p->d, b.data, 48);
	blob_free(&b);
	memset(&s, 0, sizeof(s));
	snprintf(dir, sizeof(dir), "%s/s/godh.cert", t->path);
	ck_assert_int_eq(file_read(dir, 0x824, &b, err, sizeof(err)), 0);
	memcpy(s.godh_cert, b.data, 0x824);
	blob_free(&b);
	snprintf(dir, sizeof(dir), "%s/s/session.bin", t->path);
	ck_assert_int_eq(file_read(dir, 0x80, &b, err, sizeof(err)), 0);
	memcpy(s.session, b.data, 0x80);
	blob_free(&b);
	ck_assert_int_eq(firmware_unwrap(p, &s, 0x1, tk), 0);
}

/* The launch's request: a measurement of digest (0x3c bytes, hex in dhex)
 * under the TIK, policy 0x1, as the firmware's LAUNCH_MEASURE. */
static void workflow_request(const struct sev_tk *tk, char dhex[65],
			     struct sev_owner_request *req)
{
	uint8_t digest[32];

	memset(digest, 0x3c, sizeof(digest));
	hex_encode(digest, sizeof(digest), dhex);
	measured_request(tk->tik, digest, req);
	req->policy = 0x1;
	ck_assert_int_eq(measure_launch_hmac(tk->tik, 1, 55, 25, 0x1, digest,
					     req->launch_measure + 32,
					     req->launch_measure),
			 0);
}

/* /bin/sh -c cmd in a child; its pid. */
static pid_t spawn_sh(const char *cmd)
{
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	return pid;
}

START_TEST(exchange_with_sevboot_owner)
{
	static const char secret[] = "s3cr3t disk key";
	const char *bin = sevboot_bin();
	struct sev_owner_request req;
	struct sev_owner_reply rep;
	struct owner_opts o = {.timeout_s = 20};
	struct platform p;
	struct sev_tk tk;
	struct tmpdir t;
	char cmd[2048], sock[256], err[512], dhex[65];
	uint8_t plain[64];
	pid_t pid;

	if (!bin)
		SKIP_TEST("bin/sevboot is not built");
	workflow_setup(bin, &t, secret, &p, &tk);
	workflow_request(&tk, dhex, &req);

	/* --owner-cmd "sevboot owner ..." */
	snprintf(cmd, sizeof(cmd),
		 "'%s' owner --session '%s/s' --digest %s --secret "
		 "736869e5-84f0-4973-92ec-06879ce3da0b='%s/secret.bin'",
		 bin, t.path, dhex, t.path);
	o.cmd = cmd;
	ck_assert_msg(owner_exchange(&o, &req, &rep, err, sizeof(err)) == 0,
		      "%s", err);
	ck_assert_uint_eq(rep.secret_len, 64);
	ck_assert_int_eq(sev_secret_open(&tk, req.launch_measure, rep.hdr,
					 rep.secret, rep.secret_len, plain),
			 0);
	ck_assert_uint_eq(get_le32(plain, 36), 20 + sizeof(secret) - 1);
	ck_assert(memcmp(plain + 40, secret, sizeof(secret) - 1) == 0);
	sev_owner_reply_free(&rep);

	/* No --secret: "no secret", after the check. */
	snprintf(cmd, sizeof(cmd), "'%s' owner --session '%s/s' --digest %s",
		 bin, t.path, dhex);
	ck_assert_msg(owner_exchange(&o, &req, &rep, err, sizeof(err)) == 0,
		      "%s", err);
	ck_assert(!rep.inject);

	/* Another digest: the owner refuses (exit 5), sevboot stops. */
	snprintf(cmd, sizeof(cmd),
		 "'%s' owner --session '%s/s' --digest %064d 2>/dev/null", bin,
		 t.path, 0);
	ck_assert_int_eq(owner_exchange(&o, &req, &rep, err, sizeof(err)),
			 -ECANCELED);
	ck_assert_ptr_nonnull(strstr(err, "exit status 5"));
	ck_assert(!rep.inject);

	/* --owner-socket, with `sevboot owner --connect` as the client. */
	o.cmd = NULL;
	snprintf(sock, sizeof(sock), "%s/owner.sock", t.path);
	o.socket_path = sock;
	snprintf(
		cmd, sizeof(cmd),
		"while [ ! -S '%s' ]; do sleep 0.05; done; exec '%s' owner "
		"--session '%s/s' --digest %s --connect '%s' --timeout 20 "
		"--secret 736869e5-84f0-4973-92ec-06879ce3da0b='%s/secret.bin'",
		sock, bin, t.path, dhex, sock, t.path);
	pid = spawn_sh(cmd);
	ck_assert_msg(owner_exchange(&o, &req, &rep, err, sizeof(err)) == 0,
		      "%s", err);
	ck_assert_int_eq(client_wait(pid), 0);
	ck_assert_int_eq(sev_secret_open(&tk, req.launch_measure, rep.hdr,
					 rep.secret, rep.secret_len, plain),
			 0);
	ck_assert(memcmp(plain + 40, secret, sizeof(secret) - 1) == 0);
	sev_owner_reply_free(&rep);

	/* The client refuses a wrong digest: it leaves without cont. */
	snprintf(cmd, sizeof(cmd),
		 "while [ ! -S '%s' ]; do sleep 0.05; done; exec '%s' owner "
		 "--session '%s/s' --digest %064d --connect '%s' 2>/dev/null",
		 sock, bin, t.path, 0, sock);
	pid = spawn_sh(cmd);
	ck_assert_int_eq(owner_exchange(&o, &req, &rep, err, sizeof(err)),
			 -ECANCELED);
	ck_assert_int_eq(client_wait(pid), 5);
	assert_no_children();

	sev_tk_wipe(&tk);
	OPENSSL_cleanse(p.d, sizeof(p.d));
	tmpdir_remove(&t);
}
END_TEST

static Suite *owner_suite(void)
{
	Suite *s = suite_create("owner");
	TCase *json = tcase_create("json");
	TCase *msg = tcase_create("messages");
	TCase *crypto = tcase_create("crypto");
	TCase *ex = tcase_create("exchange");

	tcase_add_test(json, json_values);
	tcase_add_test(json, json_strings);
	tcase_add_test(json, json_refusals);
	tcase_add_test(json, json_limits);
	tcase_add_test(json, json_members_and_quote);
	tcase_add_test(json, json_writer);
	tcase_add_test(json, base64_and_hex);
	suite_add_tcase(s, json);

	tcase_add_test(msg, request_encode_parse);
	tcase_add_test(msg, request_refusals);
	tcase_add_test(msg, reply_encode_parse);
	tcase_add_test(msg, reply_refusals);
	tcase_add_test(msg, reply_check);
	tcase_add_test(msg, cmd_parse_commands);
	tcase_add_test(msg, cmd_refusals);
	tcase_add_test(msg, attest_messages);
	tcase_add_test(msg, cmd_encode_round_trip);
	tcase_add_test(msg, answers);
	tcase_add_test(msg, answer_refusals);
	tcase_add_test(msg, greeting);
	suite_add_tcase(s, msg);

	tcase_set_timeout(crypto, 30);
	tcase_add_test(crypto, session_round_trip);
	tcase_add_test(crypto, session_refusals);
	tcase_add_test(crypto, verify_measurement);
	tcase_add_test(crypto, seal_opens_to_table);
	tcase_add_test(crypto, seal_refusals);
	suite_add_tcase(s, crypto);

	tcase_set_timeout(ex, 60);
	tcase_add_test(ex, exchange_cmd_secret);
	tcase_add_test(ex, exchange_cmd_failures);
	tcase_add_test(ex, exchange_cmd_stops_its_group);
	tcase_add_test(ex, exchange_opts_refusals);
	tcase_add_test(ex, reader_lines_grow);
	tcase_add_test(ex, exchange_cmd_ends_seam);
	tcase_add_test(ex, exchange_cmd_ends_running);
	tcase_add_test(ex, exchange_client_seam);
	tcase_add_test(ex, exchange_socket_session);
	tcase_add_test(ex, exchange_socket_attest);
	tcase_add_test(ex, exchange_socket_no_secret_and_stale);
	tcase_add_test(ex, exchange_socket_failures);
	tcase_add_test(ex, exchange_socket_mode_and_symlinks);
	tcase_add_test(ex, exchange_stops_on_a_signal);
	tcase_add_test(ex, exchange_end_to_end);
	tcase_add_test(ex, exchange_with_sevboot_owner);
	suite_add_tcase(s, ex);
	return s;
}

int main(void)
{
	return run_suite(owner_suite());
}
