// SPDX-License-Identifier: MIT
/*
 * util/json.c: the strict JSON reader and compact writer of util/util.h.
 *
 * The reader is a recursive descent over a bounded input with a bounded
 * depth, so neither its stack nor its allocations depend on anything but
 * the input's size.  Every refusal is one sentence with the byte offset,
 * because the text comes from a guest owner's tool or a socket client and
 * its author has to find the mistake.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

/* ------------------------------------------------------------- reader */

struct parser {
	const char *start, *p, *end;
	unsigned depth;
	char *err;
	size_t errlen;
	int ret;
};

static int __attribute__((format(printf, 2, 3)))
fail(struct parser *ps, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	if (ps->ret)
		return ps->ret;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (ps->err && ps->errlen)
		snprintf(ps->err, ps->errlen, "at byte %zu: %s",
			 (size_t)(ps->p - ps->start), msg);
	ps->ret = -EINVAL;
	return ps->ret;
}

static int fail_nomem(struct parser *ps)
{
	if (!ps->ret) {
		if (ps->err && ps->errlen)
			snprintf(ps->err, ps->errlen, "out of memory");
		ps->ret = -ENOMEM;
	}
	return ps->ret;
}

/* "'x'" or "byte 0xNN" for the character at p, or "the end of input". */
static const char *describe_char(const struct parser *ps, char *buf, size_t len)
{
	unsigned char c;

	if (ps->p >= ps->end)
		return "the end of the input";
	c = (unsigned char)*ps->p;
	if (c >= 0x21 && c < 0x7f)
		snprintf(buf, len, "'%c'", c);
	else
		snprintf(buf, len, "byte 0x%02x", c);
	return buf;
}

static int unexpected(struct parser *ps, const char *wanted)
{
	char buf[16];

	return fail(ps, "expected %s, found %s", wanted,
		    describe_char(ps, buf, sizeof(buf)));
}

static void skip_ws(struct parser *ps)
{
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' ||
				   *ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

/*
 * One UTF-8 sequence at s (at most n bytes): its code point and length,
 * or 0 when it is not well-formed (overlong forms, surrogates and values
 * above U+10FFFF included).
 */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t c, min;
	size_t len;

	if (n == 0)
		return 0;
	c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if ((c & 0xe0) == 0xc0) {
		len = 2;
		c &= 0x1f;
		min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		len = 3;
		c &= 0x0f;
		min = 0x800;
	} else if ((c & 0xf8) == 0xf0) {
		len = 4;
		c &= 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t k = 1; k < len; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[k] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

static size_t utf8_encode(uint32_t cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* The four hex digits after "\u" at ps->p (which points at the 'u'). */
static int read_u16(struct parser *ps, uint32_t *v)
{
	uint32_t x = 0;

	if (ps->end - ps->p < 5)
		return fail(ps, "\\u needs four hex digits");
	for (int k = 1; k <= 4; k++) {
		int d = hex_nibble(ps->p[k]);

		if (d < 0)
			return fail(ps, "\\u needs four hex digits");
		x = x << 4 | (uint32_t)d;
	}
	*v = x;
	ps->p += 5;
	return 0;
}

/* A string; ps->p is at the opening quote.  Decoded into *s (malloc'ed). */
/* After "\u" with ps->p at the 'u': one code point, a surrogate pair
 * joined.  0 or the parser's error. */
static int read_unicode_escape(struct parser *ps, uint32_t *cp)
{
	uint32_t lo;

	if (read_u16(ps, cp))
		return ps->ret;
	if (*cp >= 0xdc00 && *cp <= 0xdfff)
		return fail(ps, "\\u%04" PRIx32 " is a lone low surrogate",
			    *cp);
	if (*cp < 0xd800 || *cp > 0xdbff)
		return 0;
	if (ps->end - ps->p < 2 || ps->p[0] != '\\' || ps->p[1] != 'u')
		return fail(ps,
			    "\\u%04" PRIx32 " (a high surrogate) is not "
			    "followed by a low one",
			    *cp);
	ps->p++;
	if (read_u16(ps, &lo))
		return ps->ret;
	if (lo < 0xdc00 || lo > 0xdfff)
		return fail(ps,
			    "\\u%04" PRIx32 " (a high surrogate) is not "
			    "followed by a low one",
			    *cp);
	*cp = 0x10000 + ((*cp - 0xd800) << 10) + (lo - 0xdc00);
	return 0;
}

/* An escape at ps->p (the backslash) into out; the bytes written, or -1
 * with the parser's error. */
static int read_escape(struct parser *ps, char *out)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *e;
	uint32_t cp;

	if (++ps->p >= ps->end) {
		fail(ps, "a string is not closed");
		return -1;
	}
	e = *ps->p ? strchr(from, *ps->p) : NULL;
	if (e) {
		*out = to[e - from];
		ps->p++;
		return 1;
	}
	if (*ps->p != 'u') {
		fail(ps, "unknown escape '\\%c' in a string",
		     *ps->p >= 0x21 && *ps->p < 0x7f ? *ps->p : '?');
		return -1;
	}
	if (read_unicode_escape(ps, &cp))
		return -1;
	return (int)utf8_encode(cp, out);
}

static int parse_string(struct parser *ps, char **s, size_t *slen)
{
	const char *q;
	char *out;
	size_t n = 0;

	ps->p++;
	/* The decoded text is never longer than the escaped one. */
	for (q = ps->p; q < ps->end && *q != '"'; q++)
		if (*q == '\\' && q + 1 < ps->end)
			q++;
	out = malloc((size_t)(q - ps->p) + 1);
	if (!out)
		return fail_nomem(ps);

	for (;;) {
		unsigned char c;
		uint32_t cp;
		size_t k;
		int w;

		if (ps->p >= ps->end) {
			fail(ps, "a string is not closed");
			goto bad;
		}
		c = (unsigned char)*ps->p;
		if (c == '"') {
			ps->p++;
			break;
		}
		if (c < 0x20) {
			fail(ps,
			     "control character 0x%02x in a string (it must "
			     "be escaped)",
			     c);
			goto bad;
		}
		if (c == '\\') {
			w = read_escape(ps, out + n);
			if (w < 0)
				goto bad;
			n += (size_t)w;
			continue;
		}
		if (c < 0x80) {
			out[n++] = (char)c;
			ps->p++;
			continue;
		}
		k = utf8_decode((const unsigned char *)ps->p,
				(size_t)(ps->end - ps->p), &cp);
		if (!k) {
			fail(ps, "invalid UTF-8 in a string");
			goto bad;
		}
		memcpy(out + n, ps->p, k);
		n += k;
		ps->p += k;
	}
	out[n] = '\0';
	*s = out;
	*slen = n;
	return 0;
bad:
	free(out);
	return ps->ret;
}

static int parse_number(struct parser *ps, struct json *v)
{
	bool neg = false;
	uint64_t u = 0;

	if (*ps->p == '-') {
		neg = true;
		ps->p++;
	}
	if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9')
		return unexpected(ps, "a digit");
	if (*ps->p == '0' && ps->end - ps->p > 1 && ps->p[1] >= '0' &&
	    ps->p[1] <= '9')
		return fail(ps, "a number has a leading zero");
	while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9') {
		unsigned d = (unsigned)(*ps->p - '0');

		if (u > (UINT64_MAX - d) / 10)
			return fail(ps, "an integer does not fit in 64 bits");
		u = u * 10 + d;
		ps->p++;
	}
	if (ps->p < ps->end &&
	    (*ps->p == '.' || *ps->p == 'e' || *ps->p == 'E'))
		return fail(ps, "only integers are accepted (no fraction or "
				"exponent)");
	if (neg && u > (uint64_t)INT64_MAX + 1)
		return fail(ps, "an integer does not fit in 64 bits");
	v->type = JSON_INT;
	v->i.neg = neg && u != 0;
	v->i.u = u;
	return 0;
}

static int parse_value(struct parser *ps, struct json *v);

static int parse_array(struct parser *ps, struct json *v)
{
	size_t cap = 0;

	v->type = JSON_ARRAY;
	v->arr.items = NULL;
	v->arr.n = 0;
	if (++ps->depth > JSON_MAX_DEPTH)
		return fail(ps, "nesting deeper than %d levels",
			    JSON_MAX_DEPTH);
	ps->p++;
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == ']') {
		ps->p++;
		ps->depth--;
		return 0;
	}
	for (;;) {
		if (v->arr.n == cap) {
			size_t ncap = cap ? 2 * cap : 4;
			struct json *ni =
				realloc(v->arr.items, ncap * sizeof(*ni));

			if (!ni)
				return fail_nomem(ps);
			v->arr.items = ni;
			cap = ncap;
		}
		v->arr.items[v->arr.n].type = JSON_NULL;
		v->arr.n++;
		if (parse_value(ps, &v->arr.items[v->arr.n - 1]))
			return ps->ret;
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			continue;
		}
		if (ps->p < ps->end && *ps->p == ']') {
			ps->p++;
			break;
		}
		return unexpected(ps, "',' or ']' in an array");
	}
	ps->depth--;
	return 0;
}

static int parse_object(struct parser *ps, struct json *v)
{
	size_t cap = 0;

	v->type = JSON_OBJECT;
	v->obj.members = NULL;
	v->obj.n = 0;
	if (++ps->depth > JSON_MAX_DEPTH)
		return fail(ps, "nesting deeper than %d levels",
			    JSON_MAX_DEPTH);
	ps->p++;
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == '}') {
		ps->p++;
		ps->depth--;
		return 0;
	}
	for (;;) {
		struct json_member *m;
		const char *key_at;

		if (ps->p >= ps->end || *ps->p != '"')
			return unexpected(ps, "a member name in double "
					      "quotes");
		if (v->obj.n == JSON_MAX_MEMBERS)
			return fail(ps, "an object has more than %d members",
				    JSON_MAX_MEMBERS);
		if (v->obj.n == cap) {
			size_t ncap = cap ? 2 * cap : 8;
			struct json_member *nm =
				realloc(v->obj.members, ncap * sizeof(*nm));

			if (!nm)
				return fail_nomem(ps);
			v->obj.members = nm;
			cap = ncap;
		}
		m = &v->obj.members[v->obj.n];
		key_at = ps->p;
		if (parse_string(ps, &m->key, &m->keylen))
			return ps->ret;
		m->value.type = JSON_NULL;
		v->obj.n++;
		for (size_t k = 0; k + 1 < v->obj.n; k++) {
			const struct json_member *o = &v->obj.members[k];

			if (o->keylen == m->keylen &&
			    !memcmp(o->key, m->key, m->keylen)) {
				char q[64];

				ps->p = key_at;
				json_quote(m->key, m->keylen, q, sizeof(q));
				return fail(ps, "member %s appears twice", q);
			}
		}
		skip_ws(ps);
		if (ps->p >= ps->end || *ps->p != ':')
			return unexpected(ps, "':' after a member name");
		ps->p++;
		if (parse_value(ps, &m->value))
			return ps->ret;
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			skip_ws(ps);
			continue;
		}
		if (ps->p < ps->end && *ps->p == '}') {
			ps->p++;
			break;
		}
		return unexpected(ps, "',' or '}' in an object");
	}
	ps->depth--;
	return 0;
}

static int parse_literal(struct parser *ps, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n))
		return unexpected(ps, "a JSON value");
	ps->p += n;
	return 0;
}

static int parse_value(struct parser *ps, struct json *v)
{
	v->type = JSON_NULL;
	skip_ws(ps);
	if (ps->p >= ps->end)
		return unexpected(ps, "a JSON value");
	switch (*ps->p) {
	case '{':
		return parse_object(ps, v);
	case '[':
		return parse_array(ps, v);
	case '"':
		if (parse_string(ps, &v->str.s, &v->str.len))
			return ps->ret;
		v->type = JSON_STRING;
		return 0;
	case 't':
		if (parse_literal(ps, "true"))
			return ps->ret;
		v->type = JSON_BOOL;
		v->b = true;
		return 0;
	case 'f':
		if (parse_literal(ps, "false"))
			return ps->ret;
		v->type = JSON_BOOL;
		v->b = false;
		return 0;
	case 'n':
		return parse_literal(ps, "null");
	default:
		if (*ps->p == '-' || (*ps->p >= '0' && *ps->p <= '9'))
			return parse_number(ps, v);
		return unexpected(ps, "a JSON value");
	}
}

int json_parse(const char *text, size_t len, struct json **out,
		   char *err, size_t errlen)
{
	struct parser ps = {
		.start = text,
		.p = text,
		.end = text + len,
		.err = err,
		.errlen = errlen,
	};
	struct json *v;

	*out = NULL;
	if (err && errlen)
		err[0] = '\0';
	if (len > JSON_MAX_SIZE) {
		if (err && errlen)
			snprintf(err, errlen,
				 "%zu bytes is more than the "
				 "limit of %d",
				 len, JSON_MAX_SIZE);
		return -E2BIG;
	}
	if (len && !text)
		return -EINVAL;
	if (!len) {
		ps.start = ps.p = ps.end = "";
	}
	v = malloc(sizeof(*v));
	if (!v)
		return fail_nomem(&ps);
	if (parse_value(&ps, v) == 0) {
		skip_ws(&ps);
		if (ps.p < ps.end)
			fail(&ps, "unexpected data after the JSON value");
	}
	if (ps.ret) {
		json_free(v);
		return ps.ret;
	}
	*out = v;
	return 0;
}

static void free_contents(struct json *v)
{
	switch (v->type) {
	case JSON_STRING:
		free(v->str.s);
		break;
	case JSON_ARRAY:
		for (size_t k = 0; k < v->arr.n; k++)
			free_contents(&v->arr.items[k]);
		free(v->arr.items);
		break;
	case JSON_OBJECT:
		for (size_t k = 0; k < v->obj.n; k++) {
			free(v->obj.members[k].key);
			free_contents(&v->obj.members[k].value);
		}
		free(v->obj.members);
		break;
	default:
		break;
	}
	v->type = JSON_NULL;
}

void json_free(struct json *v)
{
	if (!v)
		return;
	free_contents(v);
	free(v);
}

const char *json_type_name(enum json_type t)
{
	switch (t) {
	case JSON_NULL:
		return "null";
	case JSON_BOOL:
		return "a boolean";
	case JSON_INT:
		return "an integer";
	case JSON_STRING:
		return "a string";
	case JSON_ARRAY:
		return "an array";
	case JSON_OBJECT:
		return "an object";
	}
	return "a value";
}

const struct json *json_get(const struct json *v, const char *key)
{
	size_t n;

	if (!v || v->type != JSON_OBJECT || !key)
		return NULL;
	n = strlen(key);
	for (size_t k = 0; k < v->obj.n; k++) {
		const struct json_member *m = &v->obj.members[k];

		if (m->keylen == n && !memcmp(m->key, key, n))
			return &m->value;
	}
	return NULL;
}

const struct json_member *
json_unknown_member(const struct json *v, const char *const *allowed)
{
	if (!v || v->type != JSON_OBJECT)
		return NULL;
	for (size_t k = 0; k < v->obj.n; k++) {
		const struct json_member *m = &v->obj.members[k];
		bool known = false;

		for (const char *const *a = allowed; a && *a; a++)
			if (strlen(*a) == m->keylen &&
			    !memcmp(*a, m->key, m->keylen)) {
				known = true;
				break;
			}
		if (!known)
			return m;
	}
	return NULL;
}

void json_quote(const char *s, size_t len, char *out, size_t outlen)
{
	size_t o = 0;

	if (!out || outlen < 8) {
		if (out && outlen)
			out[0] = '\0';
		return;
	}
	out[o++] = '"';
	for (size_t k = 0; k < len; k++) {
		unsigned char c = (unsigned char)s[k];
		size_t need = (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
				      ? 1
			      : (c == '"' || c == '\\') ? 2
							: 4;

		/* Keep room for the closing quote, "..." and the NUL. */
		if (k >= 40 || o + need + 5 > outlen) {
			memcpy(out + o, "\"...", 4);
			o += 4;
			out[o] = '\0';
			return;
		}
		if (need == 1) {
			out[o++] = (char)c;
		} else if (need == 2) {
			out[o++] = '\\';
			out[o++] = (char)c;
		} else {
			snprintf(out + o, 5, "\\x%02x", c);
			o += 4;
		}
	}
	out[o++] = '"';
	out[o] = '\0';
}

/* ------------------------------------------------------------- writer */

static void w_grow(struct json_writer *w, size_t more)
{
	size_t need, ncap;
	char *nb;

	if (w->err)
		return;
	if (more > SIZE_MAX / 4 - w->len) {
		w->err = -ENOMEM;
		return;
	}
	need = w->len + more + 1;
	if (need <= w->cap)
		return;
	ncap = w->cap ? w->cap : 256;
	while (ncap < need)
		ncap *= 2;
	nb = realloc(w->buf, ncap);
	if (!nb) {
		w->err = -ENOMEM;
		return;
	}
	w->buf = nb;
	w->cap = ncap;
}

static void w_put(struct json_writer *w, const char *s, size_t n)
{
	w_grow(w, n);
	if (w->err)
		return;
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = '\0';
}

/* Before a value: inside an object only after a key, and only one
 * value at the top. */
static void w_value(struct json_writer *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (w->depth > 0 && w->in_array[w->depth]) {
		if (w->need_comma[w->depth])
			w_put(w, ",", 1);
		return;
	}
	if (w->depth > 0 || w->len > 0)
		w->err = w->err ? w->err : -EINVAL;
}

/* A member value done: the next key needs a comma. */
static void w_done(struct json_writer *w)
{
	if (w->depth > 0)
		w->need_comma[w->depth] = true;
}

void jw_begin(struct json_writer *w)
{
	w_value(w);
	if (w->depth >= JSON_MAX_DEPTH) {
		w->err = w->err ? w->err : -EINVAL;
		return;
	}
	w_put(w, "{", 1);
	w->depth++;
	w->need_comma[w->depth] = false;
	w->in_array[w->depth] = false;
}

void jw_end(struct json_writer *w)
{
	if (w->depth == 0 || w->after_key || w->in_array[w->depth]) {
		w->err = w->err ? w->err : -EINVAL;
		return;
	}
	w->depth--;
	w_put(w, "}", 1);
	w_done(w);
}

void jw_array_begin(struct json_writer *w)
{
	w_value(w);
	if (w->depth >= JSON_MAX_DEPTH) {
		w->err = w->err ? w->err : -EINVAL;
		return;
	}
	w_put(w, "[", 1);
	w->depth++;
	w->need_comma[w->depth] = false;
	w->in_array[w->depth] = true;
}

void jw_array_end(struct json_writer *w)
{
	if (w->depth == 0 || !w->in_array[w->depth]) {
		w->err = w->err ? w->err : -EINVAL;
		return;
	}
	w->in_array[w->depth] = false;
	w->depth--;
	w_put(w, "]", 1);
	w_done(w);
}

static void w_string(struct json_writer *w, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";

	w_put(w, "\"", 1);
	for (size_t k = 0; k < n && !w->err;) {
		unsigned char c = (unsigned char)s[k];
		char esc[7];
		uint32_t cp;
		size_t run;

		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			w_put(w, esc, 2);
			k++;
		} else if (c < 0x20 || c == 0x7f) {
			memcpy(esc, "\\u00", 4);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			w_put(w, esc, 6);
			k++;
		} else if (c < 0x80) {
			/* A run of plain characters in one copy. */
			for (run = k; run < n; run++) {
				unsigned char d = (unsigned char)s[run];

				if (d < 0x20 || d >= 0x7f || d == '"' ||
				    d == '\\')
					break;
			}
			w_put(w, s + k, run - k);
			k = run;
		} else {
			run = utf8_decode((const unsigned char *)s + k, n - k,
					  &cp);
			if (run) {
				w_put(w, s + k, run);
				k += run;
			} else {
				/* Never emit invalid UTF-8. */
				w_put(w, "\\ufffd", 6);
				k++;
			}
		}
	}
	w_put(w, "\"", 1);
}

void jw_key(struct json_writer *w, const char *key)
{
	if (w->depth == 0 || w->after_key || w->in_array[w->depth]) {
		w->err = w->err ? w->err : -EINVAL;
		return;
	}
	if (w->need_comma[w->depth])
		w_put(w, ",", 1);
	w->need_comma[w->depth] = false;
	w_string(w, key, strlen(key));
	w_put(w, ":", 1);
	w->after_key = true;
}

void jw_str(struct json_writer *w, const char *s, size_t len)
{
	w_value(w);
	w_string(w, s, len);
	w_done(w);
}

void jw_cstr(struct json_writer *w, const char *s)
{
	jw_str(w, s, strlen(s));
}

void jw_uint(struct json_writer *w, uint64_t v)
{
	char buf[24];
	int n = snprintf(buf, sizeof(buf), "%" PRIu64, v);

	w_value(w);
	w_put(w, buf, (size_t)n);
	w_done(w);
}

void jw_int(struct json_writer *w, int64_t v)
{
	char buf[24];
	int n = snprintf(buf, sizeof(buf), "%" PRId64, v);

	w_value(w);
	w_put(w, buf, (size_t)n);
	w_done(w);
}

void jw_bool(struct json_writer *w, bool b)
{
	w_value(w);
	w_put(w, b ? "true" : "false", b ? 4 : 5);
	w_done(w);
}

void jw_null(struct json_writer *w)
{
	w_value(w);
	w_put(w, "null", 4);
	w_done(w);
}

void jw_base64(struct json_writer *w, const uint8_t *p, size_t n)
{
	size_t enc;

	w_value(w);
	if (n > SIZE_MAX / 2) {
		w->err = w->err ? w->err : -ENOMEM;
		return;
	}
	enc = 4 * ((n + 2) / 3);
	w_put(w, "\"", 1);
	w_grow(w, enc + 1);
	if (!w->err) {
		w->len += base64_encode(p, n, w->buf + w->len);
		w->buf[w->len] = '\0';
	}
	w_put(w, "\"", 1);
	w_done(w);
}

void jw_hex(struct json_writer *w, const uint8_t *p, size_t n)
{
	w_value(w);
	if (n > SIZE_MAX / 4) {
		w->err = w->err ? w->err : -ENOMEM;
		return;
	}
	w_put(w, "\"", 1);
	w_grow(w, 2 * n + 1);
	if (!w->err) {
		hex_encode(p, n, w->buf + w->len);
		w->len += 2 * n;
	}
	w_put(w, "\"", 1);
	w_done(w);
}

void jw_raw(struct json_writer *w, const char *json)
{
	w_value(w);
	w_put(w, json, strlen(json));
	w_done(w);
}

int jw_finish(struct json_writer *w, char **out, size_t *len)
{
	int ret = w->err;

	if (!ret && (w->depth || w->after_key || !w->len))
		ret = -EINVAL;
	if (ret) {
		free(w->buf);
		*out = NULL;
	} else {
		*out = w->buf;
	}
	if (len)
		*len = ret ? 0 : w->len;
	*w = (struct json_writer){0};
	return ret;
}
