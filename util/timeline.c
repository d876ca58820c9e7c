// SPDX-License-Identifier: MIT
/*
 * util/timeline.c: the run's timeline.  Phases (sevboot's own steps and
 * the firmware commands) and marks (milestones, events) on
 * CLOCK_MONOTONIC, one CLOCK_REALTIME anchor taken with the first
 * CLOCK_MONOTONIC reading, the guest-output marks (--mark) and the
 * --json-events stream.  The format is doc/timing-schema.md.
 *
 * One mutex guards the entries: phases are begun and ended on the main
 * thread, but marks come from the vCPU threads and the output drain
 * threads, and a recording call must never wait for more than a copy.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/util.h"

#define TL_LINE_MAX 1024 /* guest output line kept for matching */

struct tl_regex {
	regex_t re;
	char text[TL_DETAIL_LEN];
	bool hit;
};

struct timeline {
	pthread_mutex_t lock;
	uint64_t anchor_mono, anchor_real, end_ns;
	unsigned n, dropped, open;
	struct tl_entry e[TL_MAX_ENTRIES];

	struct tl_regex marks[TL_MAX_MARKS];
	unsigned nmarks, marks_left;
	char line[TL_LINE_MAX + 1];
	size_t linelen;
	bool line_cut; /* the line ran past TL_LINE_MAX: the rest is not kept */

	int events_fd;
	void (*marks_done)(void *ctx);
	void *marks_done_ctx;
};

static uint64_t ts_ns(const struct timespec *ts)
{
	return (uint64_t)ts->tv_sec * 1000000000ULL + (uint64_t)ts->tv_nsec;
}

uint64_t tl_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts_ns(&ts);
}

struct timeline *timeline_new(void)
{
	struct timeline *t = calloc(1, sizeof(*t));
	struct timespec real;

	if (!t)
		return NULL;
	/* Its pages now, not as phases are recorded (each fault would fall
	 * between phases, unattributed). */
	for (size_t off = 0; off < sizeof(t->e); off += 4096)
		((volatile char *)t->e)[off] = 0;
	pthread_mutex_init(&t->lock, NULL);
	t->events_fd = -1;
	t->anchor_mono = tl_now_ns();
	clock_gettime(CLOCK_REALTIME, &real);
	t->anchor_real = ts_ns(&real);
	return t;
}

void timeline_free(struct timeline *t)
{
	if (!t)
		return;
	for (unsigned k = 0; k < t->nmarks; k++)
		regfree(&t->marks[k].re);
	pthread_mutex_destroy(&t->lock);
	free(t);
}

static void copy_text(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src ? src : "");
}

/* A new entry under the lock, or NULL when the array is full. */
static struct tl_entry *add_locked(struct timeline *t, enum tl_kind kind,
				   const char *name, const char *detail,
				   uint64_t at)
{
	struct tl_entry *e;

	if (t->n >= TL_MAX_ENTRIES) {
		t->dropped++;
		return NULL;
	}
	e = &t->e[t->n++];
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	copy_text(e->name, sizeof(e->name), name);
	copy_text(e->detail, sizeof(e->detail), detail);
	e->start_ns = e->end_ns = at;
	return e;
}

int tl_begin(struct timeline *t, enum tl_kind kind, const char *name,
	     const char *detail)
{
	struct tl_entry *e;
	int id = -1;

	if (!t)
		return -1;
	pthread_mutex_lock(&t->lock);
	e = add_locked(t, kind, name, detail, tl_now_ns());
	if (e) {
		e->open = true;
		e->depth = t->open++;
		id = (int)(e - t->e);
	}
	pthread_mutex_unlock(&t->lock);
	return id;
}

void tl_end(struct timeline *t, int id)
{
	uint64_t now = tl_now_ns();

	if (!t || id < 0)
		return;
	pthread_mutex_lock(&t->lock);
	if ((unsigned)id < t->n && t->e[id].open) {
		t->e[id].end_ns = now;
		t->e[id].open = false;
		t->open--;
	}
	pthread_mutex_unlock(&t->lock);
}

void tl_set_bytes(struct timeline *t, int id, uint64_t bytes)
{
	if (!t || id < 0)
		return;
	pthread_mutex_lock(&t->lock);
	if ((unsigned)id < t->n)
		t->e[id].bytes = bytes;
	pthread_mutex_unlock(&t->lock);
}

void tl_set_result(struct timeline *t, int id, int ret, const char *status)
{
	if (!t || id < 0)
		return;
	pthread_mutex_lock(&t->lock);
	if ((unsigned)id < t->n) {
		t->e[id].has_result = true;
		t->e[id].ret = ret;
		copy_text(t->e[id].status, sizeof(t->e[id].status), status);
	}
	pthread_mutex_unlock(&t->lock);
}

void tl_mark_at(struct timeline *t, uint64_t ns, const char *name,
		const char *detail)
{
	if (!t)
		return;
	pthread_mutex_lock(&t->lock);
	add_locked(t, TL_MARK, name, detail, ns);
	pthread_mutex_unlock(&t->lock);
}

void tl_mark(struct timeline *t, const char *name, const char *detail)
{
	tl_mark_at(t, tl_now_ns(), name, detail);
}

void tl_add_span(struct timeline *t, enum tl_kind kind, const char *name,
		 const char *detail, unsigned depth, uint64_t start_ns,
		 uint64_t end_ns)
{
	struct tl_entry *e;

	if (!t)
		return;
	pthread_mutex_lock(&t->lock);
	e = add_locked(t, kind, name, detail, start_ns);
	if (e) {
		e->end_ns = end_ns > start_ns ? end_ns : start_ns;
		e->depth = depth;
	}
	pthread_mutex_unlock(&t->lock);
}

void tl_finish(struct timeline *t)
{
	uint64_t now = tl_now_ns();

	if (!t)
		return;
	pthread_mutex_lock(&t->lock);
	if (!t->end_ns) {
		t->end_ns = now;
		for (unsigned k = 0; k < t->n; k++)
			if (t->e[k].open) {
				t->e[k].end_ns = now;
				t->e[k].open = false;
			}
		t->open = 0;
	}
	pthread_mutex_unlock(&t->lock);
}

unsigned tl_entries(struct timeline *t, struct tl_entry *out, unsigned max)
{
	unsigned n;

	if (!t)
		return 0;
	pthread_mutex_lock(&t->lock);
	n = t->n < max ? t->n : max;
	memcpy(out, t->e, n * sizeof(*out));
	pthread_mutex_unlock(&t->lock);
	return n;
}

void tl_anchor(const struct timeline *t, uint64_t *mono_ns, uint64_t *real_ns)
{
	*mono_ns = t ? t->anchor_mono : 0;
	*real_ns = t ? t->anchor_real : 0;
}

struct span {
	uint64_t a, b;
};

static int span_cmp(const void *x, const void *y)
{
	const struct span *p = x, *q = y;

	return p->a < q->a ? -1 : p->a > q->a;
}

/*
 * What the phases cover: the union of their intervals (phases nest, and a
 * phase of the launch overlaps the machine's), clipped to the anchor and
 * the end.  The rest of [anchor, end] is unattributed.
 */
void tl_summary(struct timeline *t, struct tl_summary *s)
{
	struct span *spans;
	uint64_t end, covered = 0, cur_a = 0, cur_b = 0;
	unsigned n = 0;

	memset(s, 0, sizeof(*s));
	if (!t)
		return;
	spans = malloc(sizeof(*spans) * TL_MAX_ENTRIES);
	pthread_mutex_lock(&t->lock);
	end = t->end_ns ? t->end_ns : tl_now_ns();
	for (unsigned k = 0; k < t->n; k++) {
		const struct tl_entry *e = &t->e[k];
		uint64_t a = e->start_ns, b = e->open ? end : e->end_ns;

		if (e->kind == TL_MARK || !spans)
			continue;
		a = a < t->anchor_mono ? t->anchor_mono : a;
		b = b > end ? end : b;
		if (b > a)
			spans[n++] = (struct span){a, b};
	}
	s->total_ns = end > t->anchor_mono ? end - t->anchor_mono : 0;
	pthread_mutex_unlock(&t->lock);
	qsort(spans, n, sizeof(spans[0]), span_cmp);
	for (unsigned k = 0; k < n; k++) {
		if (k && spans[k].a <= cur_b) {
			if (spans[k].b > cur_b)
				cur_b = spans[k].b;
			continue;
		}
		covered += cur_b - cur_a;
		cur_a = spans[k].a;
		cur_b = spans[k].b;
	}
	covered += cur_b - cur_a;
	free(spans);
	s->attributed_ns = covered;
	s->unattributed_ns = s->total_ns - covered;
	s->unattributed_ppm =
		s->total_ns ? s->unattributed_ns * 1000000ULL / s->total_ns : 0;
}

/* ------------------------------------------------------------- output */

static const char *kind_name(enum tl_kind k)
{
	return k == TL_FIRMWARE ? "firmware" : k == TL_MARK ? "mark" : "phase";
}

static void json_entry(struct json_writer *w, const struct tl_entry *e,
		       uint64_t anchor)
{
	uint64_t a = e->start_ns > anchor ? e->start_ns - anchor : 0;
	uint64_t b = e->end_ns > anchor ? e->end_ns - anchor : 0;

	jw_begin(w);
	jw_key(w, "kind");
	jw_cstr(w, kind_name(e->kind));
	jw_key(w, "name");
	jw_cstr(w, e->name);
	if (e->detail[0]) {
		jw_key(w, "detail");
		jw_cstr(w, e->detail);
	}
	if (e->kind == TL_MARK) {
		jw_key(w, "at_ns");
		jw_uint(w, a);
		jw_end(w);
		return;
	}
	jw_key(w, "depth");
	jw_uint(w, e->depth);
	jw_key(w, "start_ns");
	jw_uint(w, a);
	jw_key(w, "end_ns");
	jw_uint(w, b);
	jw_key(w, "duration_ns");
	jw_uint(w, b > a ? b - a : 0);
	if (e->kind == TL_FIRMWARE) {
		jw_key(w, "bytes");
		jw_uint(w, e->bytes);
	}
	if (e->has_result) {
		jw_key(w, "ret");
		jw_int(w, e->ret);
		jw_key(w, "fw_status");
		jw_cstr(w, e->status);
	}
	jw_end(w);
}

static void json_anchor(struct json_writer *w, const struct timeline *t)
{
	char iso[64];
	time_t sec = (time_t)(t->anchor_real / 1000000000ULL);
	struct tm tm;

	gmtime_r(&sec, &tm);
	snprintf(iso, sizeof(iso), "%04d-%02d-%02dT%02d:%02d:%02d.%06uZ",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec,
		 (unsigned)(t->anchor_real % 1000000000ULL / 1000));
	jw_key(w, "anchor");
	jw_begin(w);
	jw_key(w, "monotonic_ns");
	jw_uint(w, t->anchor_mono);
	jw_key(w, "realtime_ns");
	jw_uint(w, t->anchor_real);
	jw_key(w, "realtime");
	jw_cstr(w, iso);
	jw_end(w);
}

void tl_json(struct timeline *t, struct json_writer *w)
{
	struct tl_summary s;
	struct tl_entry *e;
	unsigned n;

	if (!t)
		return;
	tl_summary(t, &s);
	json_anchor(w, t);
	jw_key(w, "summary");
	jw_begin(w);
	jw_key(w, "total_ns");
	jw_uint(w, s.total_ns);
	jw_key(w, "attributed_ns");
	jw_uint(w, s.attributed_ns);
	jw_key(w, "unattributed_ns");
	jw_uint(w, s.unattributed_ns);
	jw_key(w, "unattributed_ppm");
	jw_uint(w, s.unattributed_ppm);
	jw_key(w, "dropped");
	jw_uint(w, t->dropped);
	jw_end(w);
	e = malloc(sizeof(*e) * TL_MAX_ENTRIES);
	n = e ? tl_entries(t, e, TL_MAX_ENTRIES) : 0;
	if (!e)
		w->err = w->err ? w->err : -ENOMEM;
	for (int pass = 0; pass < 2; pass++) {
		jw_key(w, pass ? "marks" : "phases");
		jw_array_begin(w);
		for (unsigned k = 0; k < n; k++)
			if ((e[k].kind == TL_MARK) == (pass == 1))
				json_entry(w, &e[k], t->anchor_mono);
		jw_array_end(w);
	}
	free(e);
}

/* A CSV field (RFC 4180): quoted when it holds a comma, quote or line. */
static void csv_field(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

int tl_csv(struct timeline *t, FILE *f)
{
	struct tl_entry *e = malloc(sizeof(*e) * TL_MAX_ENTRIES);
	unsigned n;

	if (!e)
		return -ENOMEM;
	n = tl_entries(t, e, TL_MAX_ENTRIES);
	fputs("kind,name,detail,depth,start_ns,end_ns,duration_ns,bytes,"
	      "ret,fw_status\n",
	      f);
	for (unsigned k = 0; k < n; k++) {
		uint64_t a = e[k].start_ns - t->anchor_mono;
		uint64_t b = e[k].end_ns - t->anchor_mono;

		fprintf(f, "%s,", kind_name(e[k].kind));
		csv_field(f, e[k].name);
		fputc(',', f);
		csv_field(f, e[k].detail);
		fprintf(f, ",%u,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64,
			e[k].depth, a, b, b - a, e[k].bytes);
		if (e[k].has_result) {
			fprintf(f, ",%d,", e[k].ret);
			csv_field(f, e[k].status);
			fputc('\n', f);
		} else {
			fputs(",,\n", f);
		}
	}
	free(e);
	return ferror(f) ? -EIO : 0;
}

/* ------------------------------------------------------- output marks */

int tl_add_mark_regex(struct timeline *t, const char *re, char *err,
		      size_t errlen)
{
	struct tl_regex *m;
	int rc;

	if (t->nmarks >= TL_MAX_MARKS) {
		set_err(err, errlen, "at most %d --mark patterns",
			TL_MAX_MARKS);
		return -EINVAL;
	}
	if (strlen(re) >= sizeof(m->text)) {
		set_err(err, errlen, "longer than %zu characters",
			sizeof(m->text) - 1);
		return -EINVAL;
	}
	m = &t->marks[t->nmarks];
	rc = regcomp(&m->re, re, REG_EXTENDED | REG_NOSUB);
	if (rc) {
		char why[128];

		regerror(rc, &m->re, why, sizeof(why));
		set_err(err, errlen,
			"not a POSIX extended regular expression: %s", why);
		return -EINVAL;
	}
	copy_text(m->text, sizeof(m->text), re);
	m->hit = false;
	t->nmarks++;
	t->marks_left++;
	return 0;
}

unsigned tl_mark_regex_count(const struct timeline *t)
{
	return t ? t->nmarks : 0;
}

/* A whole line: every pattern not yet seen is tried on it. */
static void match_line(struct timeline *t, uint64_t now)
{
	t->line[t->linelen] = 0;
	for (unsigned k = 0; k < t->nmarks; k++) {
		struct tl_regex *m = &t->marks[k];

		if (m->hit || regexec(&m->re, t->line, 0, NULL, 0))
			continue;
		m->hit = true;
		t->marks_left--;
		add_locked(t, TL_MARK, "mark", m->text, now);
		if (t->events_fd >= 0) {
			struct json_writer w = {0};
			char *text = NULL;
			size_t len;

			jw_begin(&w);
			jw_key(&w, "event");
			jw_cstr(&w, "mark");
			jw_key(&w, "t_ns");
			jw_uint(&w, now - t->anchor_mono);
			jw_key(&w, "regex");
			jw_cstr(&w, m->text);
			jw_end(&w);
			if (!jw_finish(&w, &text, &len)) {
				text[len] = '\n';
				(void)!write(t->events_fd, text, len + 1);
			}
			free(text);
		}
	}
}

void tl_on_marks_done(struct timeline *t, void (*fn)(void *ctx), void *ctx)
{
	if (!t)
		return;
	pthread_mutex_lock(&t->lock);
	t->marks_done = fn;
	t->marks_done_ctx = ctx;
	pthread_mutex_unlock(&t->lock);
}

void tl_feed_output(struct timeline *t, const uint8_t *p, size_t n)
{
	void (*done)(void *ctx) = NULL;
	void *done_ctx = NULL;
	bool pending;
	uint64_t now;

	if (!t || !n)
		return;
	now = tl_now_ns();
	pthread_mutex_lock(&t->lock);
	pending = t->marks_left > 0;
	for (size_t i = 0; i < n && t->marks_left; i++) {
		if (p[i] == '\n') {
			match_line(t, now);
			t->linelen = 0;
			t->line_cut = false;
		} else if (p[i] == '\r' || p[i] == 0) {
			continue;
		} else if (t->linelen < TL_LINE_MAX) {
			t->line[t->linelen++] = (char)p[i];
		} else {
			t->line_cut = true;
		}
	}
	if (pending && !t->marks_left) {
		done = t->marks_done;
		done_ctx = t->marks_done_ctx;
	}
	pthread_mutex_unlock(&t->lock);
	if (done)
		done(done_ctx);
}

/* ------------------------------------------------------------- events */

void tl_set_events_fd(struct timeline *t, int fd)
{
	if (t)
		t->events_fd = fd;
}

void tl_event(struct timeline *t, const char *name, const char *members_json)
{
	tl_event_at(t, tl_now_ns(), name, members_json);
}

void tl_event_at(struct timeline *t, uint64_t now, const char *name,
		 const char *members_json)
{
	char *line;

	if (!t)
		return;
	tl_mark_at(t, now, name, NULL);
	if (t->events_fd < 0)
		return;
	/* name is one of sevboot's constants: nothing to escape. */
	if (asprintf(&line, "{\"event\":\"%s\",\"t_ns\":%" PRIu64 "%s%s}\n",
		     name, now - t->anchor_mono,
		     members_json && *members_json ? "," : "",
		     members_json ? members_json : "") < 0)
		return;
	/* One write per line: a pipe reader never sees half of one. */
	(void)!write(t->events_fd, line, strlen(line));
	free(line);
}

void tl_event_str(struct timeline *t, const char *name, const char *key,
		  const char *value)
{
	struct json_writer w = {0};
	char *text = NULL;
	size_t len;

	if (!t)
		return;
	jw_begin(&w);
	jw_key(&w, key);
	jw_cstr(&w, value);
	jw_end(&w);
	if (jw_finish(&w, &text, &len)) {
		tl_event(t, name, NULL);
		return;
	}
	/* The members without their braces. */
	text[len - 1] = 0;
	tl_event(t, name, text + 1);
	free(text);
}
