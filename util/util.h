/* SPDX-License-Identifier: MIT */
/*
 * util: the lowest level of sevboot.  It includes nothing of the project,
 * and every module may use it.  Each helper here exists once:
 *
 *   little-endian field access at byte offsets
 *   the one error-sentence helper (set_err)
 *   hex and base64 (base64 through OpenSSL)
 *   GUIDs in their EFI byte order
 *   a strict JSON reader and a compact JSON writer
 *   the run's timeline: named phases and marks on CLOCK_MONOTONIC
 */
#ifndef SEVBOOT_UTIL_H
#define SEVBOOT_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ----------------------------------------------------- little endian */

static inline uint16_t get_le16(const uint8_t *p, size_t off)
{
	return (uint16_t)(p[off] | (p[off + 1] << 8));
}

static inline uint32_t get_le32(const uint8_t *p, size_t off)
{
	return (uint32_t)get_le16(p, off) | (uint32_t)get_le16(p, off + 2)
						    << 16;
}

static inline uint64_t get_le64(const uint8_t *p, size_t off)
{
	return (uint64_t)get_le32(p, off) | (uint64_t)get_le32(p, off + 4)
						    << 32;
}

static inline void put_le16(uint8_t *p, size_t off, uint16_t v)
{
	p[off] = (uint8_t)v;
	p[off + 1] = (uint8_t)(v >> 8);
}

static inline void put_le32(uint8_t *p, size_t off, uint32_t v)
{
	put_le16(p, off, (uint16_t)v);
	put_le16(p, off + 2, (uint16_t)(v >> 16));
}

static inline void put_le64(uint8_t *p, size_t off, uint64_t v)
{
	put_le32(p, off, (uint32_t)v);
	put_le32(p, off + 4, (uint32_t)(v >> 32));
}

/* ------------------------------------------------------------- errors */

/*
 * Every failure in sevboot is one sentence that names the input and the
 * problem.  set_err writes it into err[errlen]; either may be NULL/0, and
 * the text is always NUL-terminated (cut if need be).
 */
void set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void vset_err(char *err, size_t errlen, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

/* ---------------------------------------------------------------- hex */

/* The value of one hex digit (either case), or -1. */
int hex_nibble(char c);
/* n bytes as 2n lower-case digits and a NUL into out[2n + 1]. */
void hex_encode(const uint8_t *in, size_t n, char *out);
/* Exactly 2 * outlen hex digits (either case) -> out.  -EINVAL. */
int hex_decode(const char *in, size_t n, uint8_t *out, size_t outlen);

/* ------------------------------------------------------------- base64 */

/* RFC 4648 base64 with padding, as QEMU's QMP carries binary data. */
#define BASE64_LEN(n) (4 * (((n) + 2) / 3))
/* Base64 of n bytes into out (room for BASE64_LEN(n) + 1); returns the
 * length written, without the NUL. */
size_t base64_encode(const uint8_t *in, size_t n, char *out);
/* Strict base64 of n characters -> *out (malloc'ed, *outlen bytes; the
 * caller frees).  -EINVAL for anything but canonical padded base64 (no
 * white space, padding bits zero), -ENOMEM. */
int base64_decode(const char *in, size_t n, uint8_t **out, size_t *outlen);
/* Base64 text as people keep it in files (white space anywhere is
 * ignored) -> exactly want bytes into out.  -EINVAL otherwise, -ENOMEM.
 * Intermediate copies are wiped: the text may be a secret. */
int base64_decode_text(const uint8_t *text, size_t len, uint8_t *out,
		       size_t want);

/* What users paste for a fixed-size value (a digest, a nonce): exactly
 * 2n hex digits, or the canonical base64 of n bytes.  -EINVAL. */
int hex_or_base64_decode(const char *s, uint8_t *out, size_t n);

/* -------------------------------------------------------------- GUIDs */

#define GUID_LEN 16

/* A GUID as it is stored (EFI byte order: the first three fields little
 * endian, the last eight bytes as written). */
struct guid {
	uint8_t b[GUID_LEN];
};

/* "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (either case, exactly 36
 * characters) -> g.  -EINVAL. */
int guid_parse(const char *s, struct guid *g);
/* g as 36 lower-case characters and a NUL. */
void guid_format(const struct guid *g, char out[37]);

/* --------------------------------------------------------------- JSON */

/*
 * A small, strict JSON reader and writer (the guest owner protocol, the
 * --json outputs, timing records).  The reader takes RFC 8259 JSON with
 * three restrictions: numbers are integers (no fraction, no exponent) of
 * at most 64 bits (-2^63 .. 2^64-1), an object may not name a member
 * twice, and documents are bounded in size and depth.  Strings must be
 * valid UTF-8; escapes, \uXXXX and surrogate pairs included, are decoded.
 * Nothing may follow the value but white space.  The writer emits compact
 * JSON with no newline.
 */
#define JSON_MAX_DEPTH   32 /* objects and arrays inside each other */
#define JSON_MAX_SIZE    (1 << 20) /* bytes of text */
#define JSON_MAX_MEMBERS 256       /* per object */

enum json_type {
	JSON_NULL,
	JSON_BOOL,
	JSON_INT,
	JSON_STRING,
	JSON_ARRAY,
	JSON_OBJECT,
};

struct json_member;

struct json {
	enum json_type type;
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
			struct json *items;
			size_t n;
		} arr;
		struct {
			struct json_member *members;
			size_t n;
		} obj;
	};
};

struct json_member {
	char *key; /* NUL-terminated */
	size_t keylen;
	struct json value;
};

/*
 * Parse len bytes of text (need not be NUL-terminated) into a tree *out
 * (free with json_free).  0; -EINVAL with err "at byte N: ..." for
 * malformed or refused JSON; -E2BIG when len > JSON_MAX_SIZE; -ENOMEM.
 */
int json_parse(const char *text, size_t len, struct json **out,
		   char *err, size_t errlen);
void json_free(struct json *v);

/* "object", "string", ... for error messages. */
const char *json_type_name(enum json_type t);

/* The member key of object v, or NULL (also when v is not an object). */
const struct json *json_get(const struct json *v, const char *key);

/*
 * The first member of object v whose name is not in allowed (a NULL-ended
 * list), or NULL when every member is known.
 */
const struct json_member *
json_unknown_member(const struct json *v, const char *const *allowed);

/* s as a short, printable, double-quoted string for an error message:
 * non-printable and non-ASCII bytes as \xNN, cut with "..." after 40. */
void json_quote(const char *s, size_t len, char *out, size_t outlen);

/* ------------------------------------------------------------- writer */

struct json_writer {
	char *buf;
	size_t len, cap;
	int err; /* the first failure (-ENOMEM, -EINVAL); sticky */
	unsigned depth;
	bool after_key;
	bool need_comma[JSON_MAX_DEPTH + 1];
	bool in_array[JSON_MAX_DEPTH + 1];
};

/* A zeroed writer is ready; the calls build one value, e.g.
 * begin, key, str, key, uint, end.  Misuse sets err to -EINVAL. */
void jw_begin(struct json_writer *w); /* { */
void jw_end(struct json_writer *w);   /* } */
void jw_array_begin(struct json_writer *w); /* [ */
void jw_array_end(struct json_writer *w);   /* ] */
void jw_key(struct json_writer *w, const char *key);
void jw_str(struct json_writer *w, const char *s, size_t len);
void jw_cstr(struct json_writer *w, const char *s);
void jw_uint(struct json_writer *w, uint64_t v);
void jw_int(struct json_writer *w, int64_t v);
void jw_bool(struct json_writer *w, bool b);
void jw_null(struct json_writer *w);
void jw_base64(struct json_writer *w, const uint8_t *p, size_t n);
void jw_hex(struct json_writer *w, const uint8_t *p, size_t n);
/* A value that is already JSON text (trusted: it is not checked). */
void jw_raw(struct json_writer *w, const char *json);
/*
 * The text (NUL-terminated, malloc'ed, the caller frees it) and its
 * length; or the first error, with nothing returned.  The writer is
 * reset either way.
 */
int jw_finish(struct json_writer *w, char **out, size_t *len);

/* ----------------------------------------------------------- timeline */

/*
 * The run's timeline (util/timeline.c): every interval of a run in a named
 * phase, on CLOCK_MONOTONIC, with one CLOCK_REALTIME anchor taken when it
 * is made.  Phases nest (depth = the phases open when one begins) and are
 * begun and ended on one thread; marks (instants) may come from any
 * thread.  Every call takes a NULL timeline and then does nothing, so a
 * module times itself whether or not anyone listens.  The same object
 * carries the guest-output marks (--mark REGEX, matched line by line) and
 * the --json-events stream (one JSON object per line).
 */
enum tl_kind {
	TL_PHASE,    /* a step of sevboot's own */
	TL_FIRMWARE, /* one firmware command (sev/launch.c) */
	TL_MARK,     /* an instant: a milestone or an event */
};
/* The entries a timeline holds (its array is made and touched at once:
 * about 600 KiB).  The fuzz build (Makefile, FUZZ_DEFS) makes it small,
 * so a harness's timelines stay out of ASan's mmap-backed allocator. */
#ifndef TL_MAX_ENTRIES
#define TL_MAX_ENTRIES 2048
#endif
#define TL_MAX_MARKS   16 /* --mark REGEX */
#define TL_NAME_LEN    48
#define TL_DETAIL_LEN  160

struct tl_entry {
	enum tl_kind kind;
	char name[TL_NAME_LEN];
	char detail[TL_DETAIL_LEN];
	unsigned depth;
	uint64_t start_ns, end_ns; /* CLOCK_MONOTONIC; marks: start == end */
	bool open;
	uint64_t bytes; /* firmware commands: the bytes they cover */
	bool has_result;
	int ret;		  /* 0 or -errno */
	char status[40];	  /* the firmware status, by name */
};

struct timeline;

struct tl_summary {
	uint64_t total_ns;	  /* the anchor to the end */
	uint64_t attributed_ns;	  /* covered by some phase */
	uint64_t unattributed_ns; /* total - attributed */
	uint64_t unattributed_ppm; /* of the total, in millionths */
};

/* A timeline anchored now; NULL when out of memory. */
struct timeline *timeline_new(void);
void timeline_free(struct timeline *t);
uint64_t tl_now_ns(void); /* CLOCK_MONOTONIC in ns */

/* A phase from now on; its id for tl_end (-1 when t is NULL or full). */
int tl_begin(struct timeline *t, enum tl_kind kind, const char *name,
	     const char *detail);
void tl_end(struct timeline *t, int id);
/* A firmware command's bytes and result, on its entry. */
void tl_set_bytes(struct timeline *t, int id, uint64_t bytes);
void tl_set_result(struct timeline *t, int id, int ret, const char *status);
/* An instant: now, or at a CLOCK_MONOTONIC time taken earlier. */
void tl_mark(struct timeline *t, const char *name, const char *detail);
/* A phase timed elsewhere, [start_ns, end_ns] on CLOCK_MONOTONIC. */
void tl_add_span(struct timeline *t, enum tl_kind kind, const char *name,
		 const char *detail, unsigned depth, uint64_t start_ns,
		 uint64_t end_ns);
void tl_mark_at(struct timeline *t, uint64_t ns, const char *name,
		const char *detail);
/* The end of the timeline: open phases end here too. */
void tl_finish(struct timeline *t);

/* The entries, in the order they began (a snapshot under the lock). */
unsigned tl_entries(struct timeline *t, struct tl_entry *out, unsigned max);
void tl_summary(struct timeline *t, struct tl_summary *s);
/* The anchor: CLOCK_MONOTONIC and CLOCK_REALTIME ns, taken together. */
void tl_anchor(const struct timeline *t, uint64_t *mono_ns,
	       uint64_t *real_ns);

/* The timeline's members ("anchor", "summary", "phases", "marks") into an
 * object the writer has open; times relative to the anchor. */
void tl_json(struct timeline *t, struct json_writer *w);
/* The entries as CSV, one line each, with a header line. */
int tl_csv(struct timeline *t, FILE *f);

/*
 * Guest-output marks: each --mark REGEX (POSIX extended, regcomp) is
 * matched against every line of guest output fed in, and recorded once,
 * at the first line it matches, as a mark named "mark" whose detail is the
 * regex.  0, or -EINVAL with err naming the problem.
 */
int tl_add_mark_regex(struct timeline *t, const char *re, char *err,
		      size_t errlen);
unsigned tl_mark_regex_count(const struct timeline *t);
/* Guest output (any thread; bytes as they leave the output buffer). */
void tl_feed_output(struct timeline *t, const uint8_t *p, size_t n);
/* fn(ctx) once every pattern has matched, from the thread that fed the
 * last line, outside the timeline's lock (NULL: none; set it back to
 * NULL before ctx goes away). */
void tl_on_marks_done(struct timeline *t, void (*fn)(void *ctx), void *ctx);

/*
 * --json-events: one line `{"event":NAME,"t_ns":N,...}` on fd for each
 * event, members_json being further members (already JSON, may be NULL).
 * Each event is also a mark on the timeline.  fd < 0: marks only.
 */
void tl_set_events_fd(struct timeline *t, int fd);
void tl_event(struct timeline *t, const char *name, const char *members_json);
/* The same for something that happened at ns (CLOCK_MONOTONIC), said now. */
void tl_event_at(struct timeline *t, uint64_t ns, const char *name,
		 const char *members_json);
/* An event whose one extra member is a string (escaped here). */
void tl_event_str(struct timeline *t, const char *name, const char *key,
		  const char *value);

#endif
