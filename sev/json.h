/* SPDX-License-Identifier: MIT */
/*
 * sev/json.h: a small, strict JSON reader and writer for the guest owner
 * protocol (private to sev/; the public messages are in sev/owner.h).
 *
 * The reader takes RFC 8259 JSON with three restrictions that the owner
 * protocol relies on: numbers are integers (no fraction, no exponent) of
 * at most 64 bits (-2^63 .. 2^64-1), an object may not name a member
 * twice, and documents are bounded in size and depth.  Strings must be
 * valid UTF-8; escapes, \uXXXX and surrogate pairs included, are decoded.
 * Nothing may follow the value but white space.
 *
 * Messages are one line each on the wire, so the writer emits compact
 * JSON with no newline.  Both sides carry binary data as base64 (RFC 4648
 * with padding, as QEMU's QMP does) or lower-case hex; the decoders here
 * are strict: no white space, canonical padding only.
 */
#ifndef SEVBOOT_SEV_JSON_H
#define SEVBOOT_SEV_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SEV_JSON_MAX_DEPTH   32 /* objects and arrays inside each other */
#define SEV_JSON_MAX_SIZE    (1 << 20) /* bytes of text */
#define SEV_JSON_MAX_MEMBERS 256       /* per object */

enum sev_json_type {
	SEV_JSON_NULL,
	SEV_JSON_BOOL,
	SEV_JSON_INT,
	SEV_JSON_STRING,
	SEV_JSON_ARRAY,
	SEV_JSON_OBJECT,
};

struct sev_json_member;

struct sev_json {
	enum sev_json_type type;
	union {
		bool b;
		struct {
			bool neg; /* the value is -u (u <= 2^63), else u */
			uint64_t u;
		} i;
		struct {
			char *s;    /* NUL-terminated; may hold \u0000 */
			size_t len; /* bytes, without the terminator */
		} str;
		struct {
			struct sev_json *items;
			size_t n;
		} arr;
		struct {
			struct sev_json_member *members;
			size_t n;
		} obj;
	};
};

struct sev_json_member {
	char *key; /* NUL-terminated */
	size_t keylen;
	struct sev_json value;
};

/*
 * Parse len bytes of text (need not be NUL-terminated) into a tree *out
 * (free with sev_json_free).  0; -EINVAL with err "at byte N: ..." for
 * malformed or refused JSON; -E2BIG when len > SEV_JSON_MAX_SIZE; -ENOMEM.
 */
int sev_json_parse(const char *text, size_t len, struct sev_json **out,
		   char *err, size_t errlen);
void sev_json_free(struct sev_json *v);

/* "object", "string", ... for error messages. */
const char *sev_json_type_name(enum sev_json_type t);

/* The member key of object v, or NULL (also when v is not an object). */
const struct sev_json *sev_json_get(const struct sev_json *v, const char *key);

/*
 * The first member of object v whose name is not in allowed (a NULL-ended
 * list), or NULL when every member is known.
 */
const struct sev_json_member *
sev_json_unknown_member(const struct sev_json *v, const char *const *allowed);

/* s as a short, printable, double-quoted string for an error message:
 * non-printable and non-ASCII bytes as \xNN, cut with "..." after 40. */
void sev_json_quote(const char *s, size_t len, char *out, size_t outlen);

/* ------------------------------------------------------------- writer */

struct sev_json_writer {
	char *buf;
	size_t len, cap;
	int err; /* the first failure (-ENOMEM, -EINVAL); sticky */
	unsigned depth;
	bool after_key;
	bool need_comma[SEV_JSON_MAX_DEPTH + 1];
};

/* A zeroed writer is ready; the calls build one value, e.g.
 * begin, key, str, key, uint, end.  Misuse sets err to -EINVAL. */
void sev_jw_begin(struct sev_json_writer *w); /* { */
void sev_jw_end(struct sev_json_writer *w);   /* } */
void sev_jw_key(struct sev_json_writer *w, const char *key);
void sev_jw_str(struct sev_json_writer *w, const char *s, size_t len);
void sev_jw_cstr(struct sev_json_writer *w, const char *s);
void sev_jw_uint(struct sev_json_writer *w, uint64_t v);
void sev_jw_bool(struct sev_json_writer *w, bool b);
void sev_jw_null(struct sev_json_writer *w);
void sev_jw_base64(struct sev_json_writer *w, const uint8_t *p, size_t n);
void sev_jw_hex(struct sev_json_writer *w, const uint8_t *p, size_t n);
/* A value that is already JSON text (trusted: it is not checked). */
void sev_jw_raw(struct sev_json_writer *w, const char *json);
/*
 * The text (NUL-terminated, malloc'ed, the caller frees it) and its
 * length; or the first error, with nothing returned.  The writer is
 * reset either way.
 */
int sev_jw_finish(struct sev_json_writer *w, char **out, size_t *len);

/* ---------------------------------------------------------- encodings */

/* Base64 of n bytes into out (room for 4 * ((n + 2) / 3) + 1); returns
 * the length written, without the NUL. */
size_t sev_base64_encode(const uint8_t *in, size_t n, char *out);
/* Strict base64 of n characters -> *out (malloc'ed, *outlen bytes; the
 * caller frees).  -EINVAL for anything but canonical padded base64. */
int sev_base64_decode(const char *in, size_t n, uint8_t **out, size_t *outlen);
/* Exactly 2 * outlen hex digits (either case) -> out.  -EINVAL. */
int sev_hex_decode(const char *in, size_t n, uint8_t *out, size_t outlen);

#endif
