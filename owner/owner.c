// SPDX-License-Identifier: MIT
/*
 * sev/owner.c: the guest owner's side of the launch stop: the protocol
 * messages (sev/owner.h, doc/owner-protocol.md) and the owner's
 * cryptography, a thin layer over sev/channel.h.
 *
 * Parsing is strict on purpose.  A reply decides whether a secret reaches
 * a guest, so a member sevboot does not know is an error rather than
 * something to skip: {"packet_header": ...} must not be read as "no
 * secret".  Every refusal names the message and the member.
 */
#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "util/util.h"
#include "owner/owner.h"
#include "sev/sev.h"

static_assert(sizeof(((struct sev_owner_reply *)0)->hdr) == SEV_PACKET_HDR_LEN,
	      "reply header");
static_assert(SEV_OWNER_MSG_MAX <= JSON_MAX_SIZE, "message limit");

#define TAG_STRING_MAX 64 /* bytes of a string "id" */

/* ------------------------------------------------------------- reading */

/* Where members are read from, for the error sentences. */
struct rd {
	const struct json *obj;
	const char *what; /* "the reply", "the arguments of ...", ... */
	char *err;
	size_t errlen;
};

/* Parse text that must be one JSON object no longer than the limit. */
static int parse_message(const char *text, size_t len, const char *what,
			 struct json **out, char *err, size_t errlen)
{
	char why[160];
	int ret;

	*out = NULL;
	if (err && errlen)
		err[0] = '\0';
	if (len > SEV_OWNER_MSG_MAX) {
		set_err(err, errlen, "%s is %zu bytes; the limit is %d", what,
			  len, SEV_OWNER_MSG_MAX);
		return -E2BIG;
	}
	if (!text && len)
		return -EINVAL;
	why[0] = '\0';
	ret = json_parse(len ? text : "", len, out, why, sizeof(why));
	if (ret == -ENOMEM) {
		set_err(err, errlen, "out of memory reading %s", what);
		return ret;
	}
	if (ret) {
		set_err(err, errlen, "%s is not valid JSON: %s", what, why);
		return -EINVAL;
	}
	if ((*out)->type != JSON_OBJECT) {
		set_err(err, errlen, "%s must be a JSON object, not %s", what,
			  json_type_name((*out)->type));
		json_free(*out);
		*out = NULL;
		return -EINVAL;
	}
	return 0;
}

static int check_members(struct rd *r, const char *const *allowed)
{
	const struct json_member *m =
		json_unknown_member(r->obj, allowed);
	char q[64];

	if (!m)
		return 0;
	json_quote(m->key, m->keylen, q, sizeof(q));
	set_err(r->err, r->errlen, "%s has an unknown member %s", r->what, q);
	return -EINVAL;
}

/* The member key, treating null as absent.  NULL with err when required. */
static const struct json *rd_get(struct rd *r, const char *key,
				     bool required)
{
	const struct json *v = json_get(r->obj, key);

	if (v && v->type == JSON_NULL)
		v = NULL;
	if (!v && required)
		set_err(r->err, r->errlen, "%s has no \"%s\"", r->what, key);
	return v;
}

static int wrong_type(struct rd *r, const char *key, const char *want,
		      const struct json *v)
{
	set_err(r->err, r->errlen, "%s: \"%s\" must be %s, not %s", r->what,
		  key, want, json_type_name(v->type));
	return -EINVAL;
}

/* An integer member from 0 to max.  *present (may be NULL) says whether it
 * was there; absent and not required leaves *out alone. */
static int rd_uint(struct rd *r, const char *key, uint64_t max, bool required,
		   bool *present, uint64_t *out)
{
	const struct json *v = rd_get(r, key, required);

	if (present)
		*present = v != NULL;
	if (!v)
		return required ? -EINVAL : 0;
	if (v->type != JSON_INT)
		return wrong_type(r, key, "an integer", v);
	if (v->i.neg || v->i.u > max) {
		set_err(r->err, r->errlen,
			  "%s: \"%s\" must be an integer from 0 to %" PRIu64,
			  r->what, key, max);
		return -EINVAL;
	}
	*out = v->i.u;
	return 0;
}

static int rd_bool(struct rd *r, const char *key, bool *out)
{
	const struct json *v = rd_get(r, key, true);

	if (!v)
		return -EINVAL;
	if (v->type != JSON_BOOL)
		return wrong_type(r, key, "true or false", v);
	*out = v->b;
	return 0;
}

static int rd_string(struct rd *r, const char *key, const struct json **out)
{
	const struct json *v = rd_get(r, key, true);

	if (!v)
		return -EINVAL;
	if (v->type != JSON_STRING)
		return wrong_type(r, key, "a string", v);
	*out = v;
	return 0;
}

/* A base64 member of exactly want bytes into out. */
static int rd_base64_fixed(struct rd *r, const char *key, uint8_t *out,
			   size_t want)
{
	const struct json *v;
	uint8_t *buf;
	size_t n;
	int ret;

	if (rd_string(r, key, &v))
		return -EINVAL;
	ret = base64_decode(v->str.s, v->str.len, &buf, &n);
	if (ret == -ENOMEM) {
		set_err(r->err, r->errlen, "out of memory");
		return ret;
	}
	if (ret) {
		set_err(r->err, r->errlen,
			  "%s: \"%s\" is not base64 (RFC 4648, padded)",
			  r->what, key);
		return -EINVAL;
	}
	if (n != want) {
		set_err(r->err, r->errlen,
			  "%s: \"%s\" holds %zu bytes; it must hold %zu",
			  r->what, key, n, want);
		free(buf);
		return -EINVAL;
	}
	memcpy(out, buf, want);
	free(buf);
	return 0;
}

static bool secret_len_ok(size_t len)
{
	return len >= 16 && len % 16 == 0 && len <= SEV_SECRET_MAX;
}

/*
 * The members of a LAUNCH_SECRET packet ("packet-header", "secret",
 * "gpa") into rep.  Without "secret", the "no secret" answer, unless
 * required.  rep is left empty on failure.
 */
static int rd_secret(struct rd *r, bool required, struct sev_owner_reply *rep)
{
	const struct json *hdr, *sec, *gpa;
	uint8_t *buf = NULL;
	size_t n;
	int ret = 0;

	memset(rep, 0, sizeof(*rep));
	hdr = rd_get(r, "packet-header", false);
	sec = rd_get(r, "secret", required);
	gpa = rd_get(r, "gpa", false);
	if (!sec) {
		if (required)
			return -EINVAL;
		if (hdr || gpa) {
			set_err(r->err, r->errlen,
				  "%s has a \"%s\" but no \"secret\"", r->what,
				  hdr ? "packet-header" : "gpa");
			return -EINVAL;
		}
		return 0; /* no secret */
	}
	if (!hdr) {
		set_err(r->err, r->errlen,
			  "%s has a \"secret\" but no \"packet-header\"",
			  r->what);
		return -EINVAL;
	}
	if (sec->type != JSON_STRING)
		return wrong_type(r, "secret",
				  "a base64 string (or null for "
				  "no secret)",
				  sec);
	ret = rd_base64_fixed(r, "packet-header", rep->hdr, SEV_PACKET_HDR_LEN);
	if (ret)
		goto bad;
	ret = base64_decode(sec->str.s, sec->str.len, &buf, &n);
	if (ret == -ENOMEM) {
		set_err(r->err, r->errlen, "out of memory");
		goto bad;
	}
	if (ret) {
		set_err(r->err, r->errlen,
			  "%s: \"secret\" is not base64 (RFC 4648, padded)",
			  r->what);
		goto bad;
	}
	if (!secret_len_ok(n)) {
		set_err(r->err, r->errlen,
			  "%s: \"secret\" holds %zu bytes; the firmware takes "
			  "16 to %d bytes in multiples of 16",
			  r->what, n, SEV_SECRET_MAX);
		free(buf);
		goto bad;
	}
	if (rd_uint(r, "gpa", UINT64_MAX, false, &rep->has_gpa, &rep->gpa)) {
		free(buf);
		goto bad;
	}
	rep->inject = true;
	rep->secret = buf;
	rep->secret_len = n;
	return 0;
bad:
	memset(rep, 0, sizeof(*rep));
	return ret == -ENOMEM ? -ENOMEM : -EINVAL;
}


/* The launch's numbers both messages carry: policy, handle and the
 * firmware's version.  0, or -EINVAL with the sentence in r. */
static int rd_launch(struct rd *r, struct sev_owner_request *req)
{
	uint64_t x;

	if (rd_uint(r, "policy", UINT32_MAX, true, NULL, &x))
		return -EINVAL;
	req->policy = (uint32_t)x;
	if (rd_uint(r, "handle", UINT32_MAX, true, NULL, &x))
		return -EINVAL;
	req->handle = (uint32_t)x;
	if (rd_uint(r, "api-major", UINT8_MAX, true, NULL, &x))
		return -EINVAL;
	req->api_major = (uint8_t)x;
	if (rd_uint(r, "api-minor", UINT8_MAX, true, NULL, &x))
		return -EINVAL;
	req->api_minor = (uint8_t)x;
	if (rd_uint(r, "build-id", UINT8_MAX, true, NULL, &x))
		return -EINVAL;
	req->build = (uint8_t)x;
	return 0;
}

/* ------------------------------------------------------------- request */

static const char *const request_members[] = {
	"mode",	      "policy",	     "handle",	       "api-major",
	"api-minor",  "build-id",    "measurement",    "expected-digest",
	"secret-gpa", "secret-size", "firmware-model", NULL,
};

static bool mode_valid(enum sev_mode m)
{
	return m == SEV_MODE_SEV || m == SEV_MODE_SEV_ES || m == SEV_MODE_SNP;
}

static void write_request(struct json_writer *w,
			  const struct sev_owner_request *req)
{
	jw_begin(w);
	jw_key(w, "mode");
	jw_cstr(w, sev_mode_name(req->mode));
	jw_key(w, "policy");
	jw_uint(w, req->policy);
	jw_key(w, "handle");
	jw_uint(w, req->handle);
	jw_key(w, "api-major");
	jw_uint(w, req->api_major);
	jw_key(w, "api-minor");
	jw_uint(w, req->api_minor);
	jw_key(w, "build-id");
	jw_uint(w, req->build);
	jw_key(w, "measurement");
	jw_base64(w, req->launch_measure, sizeof(req->launch_measure));
	jw_key(w, "expected-digest");
	jw_hex(w, req->expected_digest, sizeof(req->expected_digest));
	jw_key(w, "secret-gpa");
	jw_uint(w, req->secret_gpa);
	jw_key(w, "secret-size");
	jw_uint(w, req->secret_size);
	jw_key(w, "firmware-model");
	jw_bool(w, req->model);
	jw_end(w);
}

int sev_owner_request_encode(const struct sev_owner_request *req, char **out)
{
	struct json_writer w = {0};

	*out = NULL;
	if (!req || !mode_valid(req->mode))
		return -EINVAL;
	write_request(&w, req);
	return jw_finish(&w, out, NULL);
}

static int request_from_json(struct rd *r, struct sev_owner_request *req)
{
	const struct json *v;
	uint64_t x;

	memset(req, 0, sizeof(*req));
	if (check_members(r, request_members))
		return -EINVAL;
	if (rd_string(r, "mode", &v))
		return -EINVAL;
	if (!strcmp(v->str.s, "sev") && v->str.len == 3) {
		req->mode = SEV_MODE_SEV;
	} else if (!strcmp(v->str.s, "seves") && v->str.len == 5) {
		req->mode = SEV_MODE_SEV_ES;
	} else if (!strcmp(v->str.s, "snp") && v->str.len == 3) {
		req->mode = SEV_MODE_SNP;
	} else {
		char q[64];

		json_quote(v->str.s, v->str.len, q, sizeof(q));
		set_err(r->err, r->errlen,
			  "%s: \"mode\" is %s; it must be \"sev\", \"seves\" "
			  "or \"snp\"",
			  r->what, q);
		return -EINVAL;
	}
	if (rd_launch(r, req))
		return -EINVAL;
	if (rd_base64_fixed(r, "measurement", req->launch_measure,
			    sizeof(req->launch_measure)))
		return -EINVAL;
	if (rd_string(r, "expected-digest", &v))
		return -EINVAL;
	if (hex_decode(v->str.s, v->str.len, req->expected_digest,
			   sizeof(req->expected_digest))) {
		set_err(r->err, r->errlen,
			  "%s: \"expected-digest\" must be %zu hex digits",
			  r->what, 2 * sizeof(req->expected_digest));
		return -EINVAL;
	}
	if (rd_uint(r, "secret-gpa", UINT64_MAX, true, NULL, &req->secret_gpa))
		return -EINVAL;
	if (rd_uint(r, "secret-size", UINT32_MAX, true, NULL, &x))
		return -EINVAL;
	req->secret_size = (uint32_t)x;
	if (rd_bool(r, "firmware-model", &req->model))
		return -EINVAL;
	return 0;
}

int sev_owner_request_parse(const char *text, size_t len,
			    struct sev_owner_request *req, char *err,
			    size_t errlen)
{
	struct json *doc;
	struct rd r = {.what = "the request", .err = err, .errlen = errlen};
	int ret;

	memset(req, 0, sizeof(*req));
	ret = parse_message(text, len, r.what, &doc, err, errlen);
	if (ret)
		return ret;
	r.obj = doc;
	ret = request_from_json(&r, req);
	if (ret)
		memset(req, 0, sizeof(*req));
	json_free(doc);
	return ret;
}

/* --------------------------------------------------------------- reply */

static const char *const reply_members[] = {
	"packet-header",
	"secret",
	"gpa",
	NULL,
};

void sev_owner_reply_free(struct sev_owner_reply *r)
{
	if (!r)
		return;
	if (r->secret) {
		OPENSSL_cleanse(r->secret, r->secret_len);
		free(r->secret);
	}
	OPENSSL_cleanse(r, sizeof(*r));
}

/* The packet's members into an open object. */
static void write_packet(struct json_writer *w,
			 const struct sev_owner_reply *rep)
{
	jw_key(w, "packet-header");
	jw_base64(w, rep->hdr, sizeof(rep->hdr));
	jw_key(w, "secret");
	jw_base64(w, rep->secret, rep->secret_len);
	if (rep->has_gpa) {
		jw_key(w, "gpa");
		jw_uint(w, rep->gpa);
	}
}

int sev_owner_reply_encode(const struct sev_owner_reply *rep, char **out)
{
	struct json_writer w = {0};

	*out = NULL;
	if (!rep ||
	    (rep->inject && (!rep->secret || !secret_len_ok(rep->secret_len))))
		return -EINVAL;
	jw_begin(&w);
	if (rep->inject) {
		write_packet(&w, rep);
	} else {
		jw_key(&w, "secret");
		jw_null(&w);
	}
	jw_end(&w);
	return jw_finish(&w, out, NULL);
}

int sev_owner_reply_parse(const char *text, size_t len,
			  struct sev_owner_reply *rep, char *err, size_t errlen)
{
	struct json *doc;
	struct rd r = {.what = "the reply", .err = err, .errlen = errlen};
	int ret;

	memset(rep, 0, sizeof(*rep));
	ret = parse_message(text, len, r.what, &doc, err, errlen);
	if (ret)
		return ret;
	r.obj = doc;
	ret = check_members(&r, reply_members);
	if (!ret)
		ret = rd_secret(&r, false, rep);
	json_free(doc);
	return ret;
}

int sev_owner_reply_check(const struct sev_owner_request *req,
			  const struct sev_owner_reply *rep, char *err,
			  size_t errlen)
{
	uint64_t gpa, end, area_end;

	if (!req || !rep)
		return -EINVAL;
	if (!rep->inject)
		return 0;
	if (req->mode == SEV_MODE_SNP) {
		set_err(err, errlen,
			  "an SNP launch takes no LAUNCH_SECRET "
			  "(its secrets go through the SNP secrets page)");
		return -EINVAL;
	}
	if (!rep->secret || !secret_len_ok(rep->secret_len)) {
		set_err(err, errlen,
			  "the secret is %zu bytes; the firmware takes 16 to "
			  "%d bytes in multiples of 16",
			  rep->secret_len, SEV_SECRET_MAX);
		return -EINVAL;
	}
	if (rep->has_gpa && rep->gpa % 16) {
		set_err(err, errlen,
			  "the secret's gpa 0x%" PRIx64 " is not 16-byte "
			  "aligned",
			  rep->gpa);
		return -EINVAL;
	}
	if (!rep->has_gpa && (!req->secret_gpa || !req->secret_size)) {
		set_err(err, errlen,
			  "the firmware has no secret area, so the secret "
			  "needs a \"gpa\"");
		return -EINVAL;
	}
	gpa = rep->has_gpa ? rep->gpa : req->secret_gpa;
	if (gpa > UINT64_MAX - rep->secret_len) {
		set_err(err, errlen,
			  "the secret at gpa 0x%" PRIx64 " runs past the end "
			  "of the address space",
			  gpa);
		return -EINVAL;
	}
	end = gpa + rep->secret_len;
	area_end = req->secret_gpa + req->secret_size;
	if (req->secret_size && gpa >= req->secret_gpa && gpa < area_end &&
	    end > area_end) {
		set_err(err, errlen,
			  "the secret is %zu bytes at 0x%" PRIx64 "; the "
			  "secret area 0x%" PRIx64 "-0x%" PRIx64 " ends "
			  "before it does",
			  rep->secret_len, gpa, req->secret_gpa, area_end - 1);
		return -EINVAL;
	}
	return 0;
}

/* ---------------------------------------------------- socket protocol */

static const char *const cmd_names[] = {
	[SEV_OWNER_CMD_CAPABILITIES] = "qmp_capabilities",
	[SEV_OWNER_CMD_QUERY_SEV] = "query-sev",
	[SEV_OWNER_CMD_QUERY_MEASURE] = "query-sev-launch-measure",
	[SEV_OWNER_CMD_QUERY_LAUNCH] = "query-sevboot-launch",
	[SEV_OWNER_CMD_INJECT] = "sev-inject-launch-secret",
	[SEV_OWNER_CMD_CONT] = "cont",
	[SEV_OWNER_CMD_ATTEST_SEV] = "query-sev-attestation-report",
	[SEV_OWNER_CMD_ATTEST_SNP] = "query-snp-attestation-report",
};

#define NCMDS (sizeof(cmd_names) / sizeof(cmd_names[0]))

const char *sev_owner_cmd_name(enum sev_owner_cmd_id id)
{
	if ((unsigned)id >= NCMDS)
		return NULL;
	return cmd_names[id];
}

/* The command's "id" as JSON text into c->tag. */
static int read_tag(struct rd *r, struct sev_owner_cmd *c)
{
	const struct json *v = json_get(r->obj, "id");
	struct json_writer w = {0};
	char *text;
	size_t n;

	c->tag[0] = '\0';
	if (!v)
		return 0;
	if (v->type == JSON_INT) {
		snprintf(c->tag, sizeof(c->tag), "%s%" PRIu64,
			 v->i.neg ? "-" : "", v->i.u);
		return 0;
	}
	if (v->type != JSON_STRING || v->str.len > TAG_STRING_MAX) {
		set_err(r->err, r->errlen,
			  "%s: \"id\" must be a string of at most %d bytes or "
			  "an integer",
			  r->what, TAG_STRING_MAX);
		return -EINVAL;
	}
	jw_str(&w, v->str.s, v->str.len);
	if (jw_finish(&w, &text, &n))
		return -ENOMEM;
	/* 64 bytes escaped as \u00XX each still fit. */
	if (n < sizeof(c->tag))
		memcpy(c->tag, text, n + 1);
	free(text);
	return 0;
}

/* A base64 member of 1 to max bytes into out (zero-padded to max). */
static int rd_base64_upto(struct rd *r, const char *key, uint8_t *out,
			  size_t max)
{
	const struct json *v;
	uint8_t *buf;
	size_t n;
	int ret;

	if (rd_string(r, key, &v))
		return -EINVAL;
	ret = base64_decode(v->str.s, v->str.len, &buf, &n);
	if (ret == -ENOMEM) {
		set_err(r->err, r->errlen, "out of memory");
		return ret;
	}
	if (ret || !n || n > max) {
		set_err(r->err, r->errlen,
			"%s: \"%s\" must be the base64 (RFC 4648, padded) of "
			"1 to %zu bytes",
			r->what, key, max);
		free(buf);
		return -EINVAL;
	}
	memset(out, 0, max);
	memcpy(out, buf, n);
	free(buf);
	return 0;
}

/* The arguments of the two report commands. */
static int rd_attest_args(const struct json *a, struct sev_owner_cmd *c,
			  char *err, size_t errlen)
{
	static const char *const sev_args[] = {"mnonce", NULL};
	static const char *const snp_args[] = {"report-data", "vmpl", NULL};
	bool sev = c->id == SEV_OWNER_CMD_ATTEST_SEV;
	struct rd r = {.obj = a,
		       .err = err,
		       .errlen = errlen,
		       .what = sev ? "the arguments of "
				     "query-sev-attestation-report"
				   : "the arguments of "
				     "query-snp-attestation-report"};
	uint64_t vmpl = 0;

	if (!a) {
		set_err(err, errlen, "%s needs \"arguments\" with %s",
			cmd_names[c->id],
			sev ? "an \"mnonce\" (base64 of 16 bytes)"
			    : "a \"report-data\" (base64 of up to 64 bytes)");
		return -EINVAL;
	}
	if (check_members(&r, sev ? sev_args : snp_args))
		return -EINVAL;
	if (sev)
		return rd_base64_fixed(&r, "mnonce", c->nonce, 16);
	if (rd_base64_upto(&r, "report-data", c->nonce, 64) ||
	    rd_uint(&r, "vmpl", 3, false, NULL, &vmpl))
		return -EINVAL;
	c->vmpl = (uint32_t)vmpl;
	return 0;
}

int sev_owner_cmd_parse(const char *text, size_t len, struct sev_owner_cmd *c,
			char *err, size_t errlen)
{
	static const char *const cmd_members[] = {"execute", "arguments", "id",
						  NULL};
	static const char *const none[] = {NULL};
	struct json *doc;
	struct rd r = {.what = "the command", .err = err, .errlen = errlen};
	struct rd args;
	const struct json *v, *a;
	char q[64];
	int ret;
	size_t k;

	memset(c, 0, sizeof(*c));
	ret = parse_message(text, len, r.what, &doc, err, errlen);
	if (ret)
		return ret;
	r.obj = doc;
	ret = read_tag(&r, c);
	if (ret)
		goto out;
	ret = -EINVAL;
	if (check_members(&r, cmd_members) || rd_string(&r, "execute", &v))
		goto out;
	for (k = 0; k < NCMDS; k++)
		if (strlen(cmd_names[k]) == v->str.len &&
		    !memcmp(cmd_names[k], v->str.s, v->str.len))
			break;
	if (k == NCMDS) {
		json_quote(v->str.s, v->str.len, q, sizeof(q));
		set_err(err, errlen,
			  "the command %s is not known; sevboot knows "
			  "qmp_capabilities, query-sev, "
			  "query-sev-launch-measure, query-sevboot-launch, "
			  "query-sev-attestation-report, "
			  "query-snp-attestation-report, "
			  "sev-inject-launch-secret and cont",
			  q);
		goto out;
	}
	c->id = (enum sev_owner_cmd_id)k;

	a = rd_get(&r, "arguments", false);
	if (a && a->type != JSON_OBJECT) {
		wrong_type(&r, "arguments", "an object", a);
		goto out;
	}
	args = (struct rd){.obj = a,
			   .err = err,
			   .errlen = errlen,
			   .what = "the arguments of "
				   "sev-inject-launch-secret"};
	if (c->id == SEV_OWNER_CMD_INJECT) {
		if (!a) {
			set_err(err, errlen,
				  "sev-inject-launch-secret needs "
				  "\"arguments\" with a \"packet-header\" and "
				  "a \"secret\"");
			goto out;
		}
		if (check_members(&args, reply_members))
			goto out;
		ret = rd_secret(&args, true, &c->secret);
		goto out;
	}
	if (c->id == SEV_OWNER_CMD_ATTEST_SEV ||
	    c->id == SEV_OWNER_CMD_ATTEST_SNP) {
		ret = rd_attest_args(a, c, err, errlen);
		goto out;
	}
	if (a && json_unknown_member(a, none)) {
		set_err(err, errlen, "%s takes no arguments", cmd_names[k]);
		goto out;
	}
	ret = 0;
out:
	json_free(doc);
	if (ret) {
		char tag[SEV_OWNER_TAG_MAX];

		/* Keep only the id, for the error answer. */
		memcpy(tag, c->tag, sizeof(tag));
		sev_owner_reply_free(&c->secret);
		memset(c, 0, sizeof(*c));
		memcpy(c->tag, tag, sizeof(tag));
	}
	return ret;
}

void sev_owner_cmd_free(struct sev_owner_cmd *c)
{
	if (!c)
		return;
	sev_owner_reply_free(&c->secret);
	memset(c, 0, sizeof(*c));
}

int sev_owner_cmd_encode(const struct sev_owner_cmd *c, char **out)
{
	struct json_writer w = {0};
	const char *name;

	*out = NULL;
	if (!c || !(name = sev_owner_cmd_name(c->id)))
		return -EINVAL;
	if (c->id == SEV_OWNER_CMD_INJECT &&
	    (!c->secret.inject || !c->secret.secret ||
	     !secret_len_ok(c->secret.secret_len)))
		return -EINVAL;
	if (!memchr(c->tag, '\0', sizeof(c->tag)))
		return -EINVAL;
	jw_begin(&w);
	jw_key(&w, "execute");
	jw_cstr(&w, name);
	if (c->id == SEV_OWNER_CMD_INJECT) {
		jw_key(&w, "arguments");
		jw_begin(&w);
		write_packet(&w, &c->secret);
		jw_end(&w);
	}
	if (c->id == SEV_OWNER_CMD_ATTEST_SEV) {
		jw_key(&w, "arguments");
		jw_begin(&w);
		jw_key(&w, "mnonce");
		jw_base64(&w, c->nonce, 16);
		jw_end(&w);
	}
	if (c->id == SEV_OWNER_CMD_ATTEST_SNP) {
		jw_key(&w, "arguments");
		jw_begin(&w);
		jw_key(&w, "report-data");
		jw_base64(&w, c->nonce, 64);
		jw_key(&w, "vmpl");
		jw_uint(&w, c->vmpl);
		jw_end(&w);
	}
	if (c->tag[0]) {
		jw_key(&w, "id");
		jw_raw(&w, c->tag);
	}
	jw_end(&w);
	return jw_finish(&w, out, NULL);
}

int sev_owner_greeting(const char *version, char **out)
{
	struct json_writer w = {0};

	*out = NULL;
	jw_begin(&w);
	jw_key(&w, "sevboot");
	jw_begin(&w);
	jw_key(&w, "version");
	jw_cstr(&w, version ? version : "unknown");
	jw_key(&w, "protocol");
	jw_uint(&w, SEV_OWNER_PROTOCOL);
	jw_end(&w);
	jw_end(&w);
	return jw_finish(&w, out, NULL);
}

int sev_owner_greeting_parse(const char *text, size_t len, char *err,
			     size_t errlen)
{
	struct json *doc;
	struct rd r = {.what = "the greeting", .err = err, .errlen = errlen};
	const struct json *g;
	uint64_t proto;
	int ret;

	ret = parse_message(text, len, r.what, &doc, err, errlen);
	if (ret)
		return ret;
	ret = -EINVAL;
	g = json_get(doc, "sevboot");
	if (!g || g->type != JSON_OBJECT) {
		set_err(err, errlen,
			  "the greeting has no \"sevboot\" object: the peer "
			  "is not sevboot's owner socket");
		goto out;
	}
	r.obj = g;
	if (rd_uint(&r, "protocol", UINT32_MAX, true, NULL, &proto))
		goto out;
	if (proto != SEV_OWNER_PROTOCOL) {
		set_err(err, errlen,
			  "the peer speaks owner protocol %" PRIu64 "; this "
			  "sevboot speaks %d",
			  proto, SEV_OWNER_PROTOCOL);
		goto out;
	}
	ret = 0;
out:
	json_free(doc);
	return ret;
}

int sev_owner_answer(const struct sev_owner_request *req,
		     const struct sev_owner_cmd *c, char **out)
{
	struct json_writer w = {0};

	*out = NULL;
	if (!req || !c || !sev_owner_cmd_name(c->id) ||
	    !mode_valid(req->mode) || !memchr(c->tag, '\0', sizeof(c->tag)))
		return -EINVAL;
	/* Their answer carries the report: sev_owner_answer_report(). */
	if (c->id == SEV_OWNER_CMD_ATTEST_SEV ||
	    c->id == SEV_OWNER_CMD_ATTEST_SNP)
		return -EINVAL;
	jw_begin(&w);
	jw_key(&w, "return");
	switch (c->id) {
	case SEV_OWNER_CMD_QUERY_SEV:
		jw_begin(&w);
		jw_key(&w, "enabled");
		jw_bool(&w, true);
		jw_key(&w, "api-major");
		jw_uint(&w, req->api_major);
		jw_key(&w, "api-minor");
		jw_uint(&w, req->api_minor);
		jw_key(&w, "build-id");
		jw_uint(&w, req->build);
		jw_key(&w, "policy");
		jw_uint(&w, req->policy);
		jw_key(&w, "handle");
		jw_uint(&w, req->handle);
		jw_key(&w, "state");
		jw_cstr(&w, "launch-secret");
		jw_key(&w, "firmware-model");
		jw_bool(&w, req->model);
		jw_end(&w);
		break;
	case SEV_OWNER_CMD_QUERY_MEASURE:
		jw_begin(&w);
		jw_key(&w, "data");
		jw_base64(&w, req->launch_measure,
			      sizeof(req->launch_measure));
		jw_end(&w);
		break;
	case SEV_OWNER_CMD_QUERY_LAUNCH:
		write_request(&w, req);
		break;
	default:
		jw_begin(&w);
		jw_end(&w);
		break;
	}
	if (c->tag[0]) {
		jw_key(&w, "id");
		jw_raw(&w, c->tag);
	}
	jw_end(&w);
	return jw_finish(&w, out, NULL);
}

int sev_owner_answer_report(const struct sev_owner_cmd *c,
			    const uint8_t *report, size_t len, char **out)
{
	struct json_writer w = {0};

	*out = NULL;
	if (!c || !report || !memchr(c->tag, '\0', sizeof(c->tag)))
		return -EINVAL;
	jw_begin(&w);
	jw_key(&w, "return");
	jw_begin(&w);
	jw_key(&w, "data");
	jw_base64(&w, report, len);
	jw_end(&w);
	if (c->tag[0]) {
		jw_key(&w, "id");
		jw_raw(&w, c->tag);
	}
	jw_end(&w);
	return jw_finish(&w, out, NULL);
}

int sev_owner_answer_error(const char *tag, const char *desc, char **out)
{
	struct json_writer w = {0};

	*out = NULL;
	if (!desc)
		return -EINVAL;
	jw_begin(&w);
	jw_key(&w, "error");
	jw_begin(&w);
	jw_key(&w, "class");
	jw_cstr(&w, "GenericError");
	jw_key(&w, "desc");
	jw_cstr(&w, desc);
	jw_end(&w);
	if (tag && tag[0]) {
		jw_key(&w, "id");
		jw_raw(&w, tag);
	}
	jw_end(&w);
	return jw_finish(&w, out, NULL);
}

/* Printable ASCII of s into out; others become '?'. */
static void printable(const char *s, size_t len, char *out, size_t outlen)
{
	size_t o = 0;

	if (!out || !outlen)
		return;
	for (size_t k = 0; k < len && o + 1 < outlen; k++) {
		unsigned char ch = (unsigned char)s[k];

		out[o++] = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
	}
	out[o] = '\0';
}

static int answer_query_sev(struct rd *r, struct sev_owner_request *req)
{
	static const char *const members[] = {
		"enabled", "api-major", "api-minor",	  "build-id", "policy",
		"handle",  "state",	"firmware-model", NULL,
	};
	const struct json *st;
	bool enabled;

	if (check_members(r, members) || rd_bool(r, "enabled", &enabled) ||
	    rd_string(r, "state", &st))
		return -EINVAL;
	if (!enabled) {
		set_err(r->err, r->errlen, "%s says SEV is not enabled",
			  r->what);
		return -EINVAL;
	}
	if (rd_launch(r, req))
		return -EINVAL;
	return rd_bool(r, "firmware-model", &req->model);
}

/*
 * An answer's common part: *doc (free it) and its "return" object in
 * *ret_v.  -EREMOTEIO for an "error" answer (its desc in err), -EINVAL
 * with err for anything else that is wrong; *doc is then freed.
 */
static int answer_open(const char *text, size_t len, struct json **doc,
		       const struct json **ret_v, char *err, size_t errlen)
{
	static const char *const members[] = {"return", "error", "id", NULL};
	static const char *const error_members[] = {"class", "desc", NULL};
	struct rd r = {.what = "the answer", .err = err, .errlen = errlen};
	const struct json *err_v, *desc;
	int ret;

	ret = parse_message(text, len, r.what, doc, err, errlen);
	if (ret)
		return ret;
	r.obj = *doc;
	ret = -EINVAL;
	if (check_members(&r, members))
		goto out;
	*ret_v = json_get(*doc, "return");
	err_v = json_get(*doc, "error");
	if (!*ret_v == !err_v) {
		set_err(err, errlen,
			  "the answer must have either \"return\" or "
			  "\"error\"");
		goto out;
	}
	if (err_v) {
		r.obj = err_v;
		r.what = "the error answer";
		if (err_v->type != JSON_OBJECT) {
			wrong_type(&r, "error", "an object", err_v);
			goto out;
		}
		if (check_members(&r, error_members) ||
		    rd_string(&r, "desc", &desc))
			goto out;
		printable(desc->str.s, desc->str.len, err, errlen);
		ret = -EREMOTEIO;
		goto out;
	}
	if ((*ret_v)->type != JSON_OBJECT) {
		wrong_type(&r, "return", "an object", *ret_v);
		goto out;
	}
	return 0;
out:
	json_free(*doc);
	*doc = NULL;
	return ret;
}

int sev_owner_answer_report_parse(const char *text, size_t len,
				  enum sev_owner_cmd_id id, uint8_t *report,
				  size_t want, char *err, size_t errlen)
{
	static const char *const data[] = {"data", NULL};
	struct json *doc;
	const struct json *ret_v;
	struct rd r = {.err = err, .errlen = errlen};
	int ret;

	if (id != SEV_OWNER_CMD_ATTEST_SEV && id != SEV_OWNER_CMD_ATTEST_SNP)
		return -EINVAL;
	ret = answer_open(text, len, &doc, &ret_v, err, errlen);
	if (ret)
		return ret;
	r.obj = ret_v;
	r.what = id == SEV_OWNER_CMD_ATTEST_SEV
			 ? "the answer to query-sev-attestation-report"
			 : "the answer to query-snp-attestation-report";
	ret = check_members(&r, data) ? -EINVAL
				       : rd_base64_fixed(&r, "data", report,
							 want);
	json_free(doc);
	return ret;
}

int sev_owner_answer_parse(const char *text, size_t len,
			   enum sev_owner_cmd_id id,
			   struct sev_owner_request *req, char *err,
			   size_t errlen)
{
	static const char *const none[] = {NULL};
	struct json *doc;
	struct rd r = {.what = "the answer", .err = err, .errlen = errlen};
	const struct json *ret_v;
	struct sev_owner_request tmp;
	int ret;

	if (!sev_owner_cmd_name(id))
		return -EINVAL;
	ret = answer_open(text, len, &doc, &ret_v, err, errlen);
	if (ret)
		return ret;
	ret = -EINVAL;
	r.obj = ret_v;
	memset(&tmp, 0, sizeof(tmp));
	if (req)
		tmp = *req;
	switch (id) {
	case SEV_OWNER_CMD_QUERY_LAUNCH:
		r.what = "the answer to query-sevboot-launch";
		if (request_from_json(&r, &tmp))
			goto out;
		break;
	case SEV_OWNER_CMD_QUERY_SEV:
		r.what = "the answer to query-sev";
		if (answer_query_sev(&r, &tmp))
			goto out;
		break;
	case SEV_OWNER_CMD_QUERY_MEASURE: {
		static const char *const data[] = {"data", NULL};

		r.what = "the answer to query-sev-launch-measure";
		if (check_members(&r, data) ||
		    rd_base64_fixed(&r, "data", tmp.launch_measure,
				    sizeof(tmp.launch_measure)))
			goto out;
		break;
	}
	default:
		if (json_unknown_member(ret_v, none)) {
			set_err(err, errlen,
				  "the answer to %s must be {\"return\":{}}",
				  cmd_names[id]);
			goto out;
		}
		break;
	}
	if (req)
		*req = tmp;
	ret = 0;
out:
	json_free(doc);
	return ret;
}

/* -------------------------------------------------------- cryptography */

void sev_owner_session_wipe(struct sev_owner_session *s)
{
	if (s)
		OPENSSL_cleanse(s, sizeof(*s));
}

int sev_owner_session_new(const uint8_t *pdh, size_t pdh_len, uint32_t policy,
			  struct sev_owner_session *s, char *err, size_t errlen)
{
	struct sev_tk tk;
	int ret;

	if (!s)
		return -EINVAL;
	memset(s, 0, sizeof(*s));
	if (!pdh || pdh_len != SEV_CERT_LEN) {
		set_err(err, errlen,
			"the PDH certificate is %zu bytes; a SEV certificate "
			"is %d (0x%x)",
			pdh ? pdh_len : 0, SEV_CERT_LEN, SEV_CERT_LEN);
		return -EINVAL;
	}
	ret = sev_session_new(pdh, policy, s->godh_cert, s->session, &tk, err,
			      errlen);
	if (!ret) {
		memcpy(s->tek, tk.tek, sizeof(s->tek));
		memcpy(s->tik, tk.tik, sizeof(s->tik));
	}
	sev_tk_wipe(&tk);
	if (ret)
		sev_owner_session_wipe(s);
	return ret;
}

int sev_owner_verify(const uint8_t tik[SEV_KEY_LEN],
		     const struct sev_owner_request *req,
		     const uint8_t digest[32], char *err, size_t errlen)
{
	uint8_t mac[32];
	int ret;

	if (!tik || !req || !digest)
		return -EINVAL;
	if (req->mode == SEV_MODE_SNP) {
		set_err(err, errlen,
			  "an SNP launch has no LAUNCH_MEASURE to "
			  "verify");
		return -EINVAL;
	}
	ret = measure_launch_hmac(tik, req->api_major, req->api_minor,
				  req->build, req->policy, digest,
				  req->launch_measure + 32, mac);
	if (ret) {
		OPENSSL_cleanse(mac, sizeof(mac));
		set_err(err, errlen,
			  "cannot compute the measurement "
			  "(OpenSSL failed)");
		return ret < 0 ? ret : -EIO;
	}
	ret = CRYPTO_memcmp(mac, req->launch_measure, 32) ? -EBADMSG : 0;
	OPENSSL_cleanse(mac, sizeof(mac));
	if (ret)
		set_err(err, errlen,
			  "measurement mismatch: the firmware's LAUNCH_MEASURE "
			  "is not that of the expected digest under this TIK "
			  "(firmware %u.%u build %u, policy 0x%" PRIx32 ")",
			  req->api_major, req->api_minor, req->build,
			  req->policy);
	return ret;
}

size_t sev_owner_table_size(const struct sev_owner_secret *s, size_t n)
{
	uint64_t total = 20; /* table GUID, length */

	for (size_t k = 0; k < n; k++) {
		if (s[k].len > UINT32_MAX)
			return 0;
		total += 20 + (uint64_t)s[k].len; /* GUID, length, data */
		if (total > UINT32_MAX)
			return 0;
	}
	total = (total + 15) & ~(uint64_t)15;
	return total > UINT32_MAX ? 0 : (size_t)total;
}

int sev_owner_seal(const uint8_t tek[SEV_KEY_LEN],
		   const uint8_t tik[SEV_KEY_LEN],
		   const struct sev_owner_request *req,
		   const struct sev_owner_secret *s, size_t n,
		   struct sev_owner_reply *rep, char *err, size_t errlen)
{
	struct sev_secret_entry *e = NULL;
	uint8_t *plain = NULL, *trans = NULL, iv[16];
	struct sev_tk tk;
	size_t size, outlen = 0;
	int ret;

	if (!tek || !tik || !req || !rep || (n && !s))
		return -EINVAL;
	memset(rep, 0, sizeof(*rep));
	if (n == 0)
		return 0; /* no secret */
	if (req->mode == SEV_MODE_SNP) {
		set_err(err, errlen, "an SNP launch takes no LAUNCH_SECRET");
		return -EINVAL;
	}
	if (!req->secret_gpa || !req->secret_size) {
		set_err(err, errlen,
			  "the guest's firmware has no secret area, so a "
			  "secret table has nowhere to go");
		return -EINVAL;
	}
	size = sev_owner_table_size(s, n);
	if (!size || size > req->secret_size || size > SEV_SECRET_MAX) {
		if (size && size <= SEV_SECRET_MAX)
			set_err(err, errlen,
				  "the secret table is %zu bytes; the guest's "
				  "secret area holds %" PRIu32,
				  size, req->secret_size);
		else
			set_err(err, errlen,
				  "the secret table is too large; the firmware "
				  "takes at most %d bytes",
				  SEV_SECRET_MAX);
		return -EINVAL;
	}
	ret = -ENOMEM;
	e = calloc(n, sizeof(*e));
	plain = malloc(size);
	trans = malloc(size);
	if (!e || !plain || !trans) {
		set_err(err, errlen, "out of memory");
		goto out;
	}
	for (size_t k = 0; k < n; k++) {
		e[k].guid = s[k].guid;
		e[k].data = s[k].data;
		e[k].len = s[k].len;
	}
	ret = sev_secret_table(e, n, plain, size, &outlen);
	if (ret || outlen != size) {
		set_err(err, errlen, "cannot build the secret table");
		ret = ret ? ret : -EINVAL;
		goto out;
	}
	if (RAND_bytes(iv, sizeof(iv)) != 1) {
		set_err(err, errlen, "the random number generator failed");
		ret = -EIO;
		goto out;
	}
	memcpy(tk.tek, tek, sizeof(tk.tek));
	memcpy(tk.tik, tik, sizeof(tk.tik));
	ret = sev_secret_seal(&tk, req->launch_measure, iv, plain, size,
			      rep->hdr, trans);
	sev_tk_wipe(&tk);
	if (ret) {
		set_err(err, errlen,
			  "cannot seal the secret (OpenSSL "
			  "failed)");
		goto out;
	}
	rep->inject = true;
	rep->secret = trans;
	rep->secret_len = size;
	trans = NULL;
out:
	if (plain) {
		OPENSSL_cleanse(plain, size);
		free(plain);
	}
	free(trans);
	free(e);
	if (ret)
		memset(rep, 0, sizeof(*rep));
	return ret;
}
