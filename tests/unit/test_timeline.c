// SPDX-License-Identifier: MIT
/*
 * The run's timeline (util/timeline.c) and its report (cli/timing.c): what
 * the phases cover, the --mark matching, the --json-events lines, and the
 * --timing-json document checked against the documented schema itself
 * (doc/timing.schema.json), by a small validator of the JSON Schema
 * keywords that file uses (type, const, enum, required, properties,
 * additionalProperties false, items).
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "testutil.h"

/* ------------------------------------------------ a schema validator */

static bool type_is(const struct json *v, const char *t)
{
	return (!strcmp(t, "object") && v->type == JSON_OBJECT) ||
	       (!strcmp(t, "array") && v->type == JSON_ARRAY) ||
	       (!strcmp(t, "string") && v->type == JSON_STRING) ||
	       (!strcmp(t, "integer") && v->type == JSON_INT) ||
	       (!strcmp(t, "boolean") && v->type == JSON_BOOL) ||
	       (!strcmp(t, "null") && v->type == JSON_NULL);
}

static bool json_equal(const struct json *a, const struct json *b)
{
	if (a->type != b->type)
		return false;
	switch (a->type) {
	case JSON_INT:
		return a->i.neg == b->i.neg && a->i.u == b->i.u;
	case JSON_STRING:
		return a->str.len == b->str.len &&
		       !memcmp(a->str.s, b->str.s, a->str.len);
	case JSON_BOOL:
		return a->b == b->b;
	case JSON_NULL:
		return true;
	default:
		return false; /* the schema compares scalars only */
	}
}

/* "" when v satisfies schema s, else the first violation in why. */
static bool validate(const struct json *v, const struct json *s,
		     const char *path, char *why, size_t len)
{
	const struct json *t = json_get(s, "type"), *x;
	char sub[200];

	if (t && t->type == JSON_STRING && !type_is(v, t->str.s)) {
		snprintf(why, len, "%s: not a %s", path, t->str.s);
		return false;
	}
	if (t && t->type == JSON_ARRAY) {
		bool ok = false;

		for (size_t k = 0; k < t->arr.n; k++)
			ok |= type_is(v, t->arr.items[k].str.s);
		if (!ok) {
			snprintf(why, len, "%s: none of its types", path);
			return false;
		}
	}
	x = json_get(s, "const");
	if (x && !json_equal(v, x)) {
		snprintf(why, len, "%s: not the constant", path);
		return false;
	}
	x = json_get(s, "enum");
	if (x) {
		bool ok = false;

		for (size_t k = 0; k < x->arr.n; k++)
			ok |= json_equal(v, &x->arr.items[k]);
		if (!ok) {
			snprintf(why, len, "%s: not one of the enum", path);
			return false;
		}
	}
	if (v->type == JSON_OBJECT) {
		const struct json *req = json_get(s, "required");
		const struct json *props = json_get(s, "properties");
		const struct json *addl = json_get(s, "additionalProperties");

		for (size_t k = 0; req && k < req->arr.n; k++)
			if (!json_get(v, req->arr.items[k].str.s)) {
				snprintf(why, len, "%s: lacks \"%s\"", path,
					 req->arr.items[k].str.s);
				return false;
			}
		for (size_t k = 0; k < v->obj.n; k++) {
			const struct json_member *m = &v->obj.members[k];
			const struct json *ps =
				props ? json_get(props, m->key) : NULL;

			snprintf(sub, sizeof(sub), "%.100s.%.80s", path,
				 m->key);
			if (!ps && addl && addl->type == JSON_BOOL &&
			    !addl->b) {
				snprintf(why, len, "%s: not in the schema",
					 sub);
				return false;
			}
			if (ps && !validate(&m->value, ps, sub, why, len))
				return false;
		}
	}
	x = json_get(s, "items");
	if (v->type == JSON_ARRAY && x)
		for (size_t k = 0; k < v->arr.n; k++) {
			snprintf(sub, sizeof(sub), "%.150s[%zu]", path, k);
			if (!validate(&v->arr.items[k], x, sub, why, len))
				return false;
		}
	return true;
}

static struct json *parse_file(const char *path)
{
	static char text[JSON_MAX_SIZE];
	struct json *j = NULL;
	char err[256];
	FILE *f = fopen(path, "r");
	size_t n;

	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	n = fread(text, 1, sizeof(text), f);
	fclose(f);
	ck_assert_msg(!json_parse(text, n, &j, err, sizeof(err)), "%s: %s",
		      path, err);
	return j;
}

static struct json *schema(void)
{
	return parse_file("doc/timing.schema.json");
}

/* ------------------------------------------------------------ tests */

START_TEST(union_of_phases)
{
	struct timeline *t = timeline_new();
	struct tl_summary s;
	uint64_t a, r;

	ck_assert_ptr_nonnull(t);
	tl_anchor(t, &a, &r);
	ck_assert_uint_gt(r, 0);
	/* [0,10] and [5,20] overlap, [30,40] apart, a mark covers nothing:
	 * 30 ns attributed, whatever the real clock adds to the total. */
	tl_add_span(t, TL_PHASE, "one", NULL, 0, a, a + 10);
	tl_add_span(t, TL_FIRMWARE, "two", "x", 1, a + 5, a + 20);
	tl_add_span(t, TL_PHASE, "three", NULL, 0, a + 30, a + 40);
	tl_mark_at(t, a + 25, "m", NULL);
	/* before the anchor: clipped */
	tl_add_span(t, TL_PHASE, "early", NULL, 0, a - 100, a);
	tl_finish(t);
	tl_summary(t, &s);
	ck_assert_uint_eq(s.attributed_ns, 30);
	ck_assert_uint_eq(s.attributed_ns + s.unattributed_ns, s.total_ns);
	ck_assert_uint_ge(s.total_ns, 40);
	timeline_free(t);
}
END_TEST

START_TEST(nesting_and_finish)
{
	struct timeline *t = timeline_new();
	struct tl_entry e[8];
	struct tl_summary s;
	int outer, inner, open;

	outer = tl_begin(t, TL_PHASE, "outer", NULL);
	inner = tl_begin(t, TL_FIRMWARE, "LAUNCH_START", NULL);
	tl_set_bytes(t, inner, 4096);
	tl_set_result(t, inner, -5, "SEV_RET_INVALID_GUEST");
	tl_end(t, inner);
	tl_end(t, outer);
	tl_end(t, outer); /* twice: a no-op */
	open = tl_begin(t, TL_PHASE, "left open", NULL);
	tl_finish(t);
	ck_assert_uint_eq(tl_entries(t, e, 8), 3);
	ck_assert_uint_eq(e[0].depth, 0);
	ck_assert_uint_eq(e[1].depth, 1);
	ck_assert_uint_eq(e[1].bytes, 4096);
	ck_assert_int_eq(e[1].ret, -5);
	ck_assert_str_eq(e[1].status, "SEV_RET_INVALID_GUEST");
	ck_assert_uint_eq(e[2].depth, 0);
	ck_assert(!e[2].open);
	ck_assert_uint_ge(e[2].end_ns, e[2].start_ns);
	(void)open;
	/* everything after the anchor is in some phase but the gaps */
	tl_summary(t, &s);
	ck_assert_uint_eq(s.attributed_ns + s.unattributed_ns, s.total_ns);
	/* NULL timelines do nothing */
	ck_assert_int_eq(tl_begin(NULL, TL_PHASE, "x", NULL), -1);
	tl_end(NULL, 3);
	tl_mark(NULL, "x", NULL);
	tl_feed_output(NULL, (const uint8_t *)"x\n", 2);
	tl_event(NULL, "x", NULL);
	timeline_free(t);
}
END_TEST

START_TEST(full_timeline_counts_drops)
{
	struct timeline *t = timeline_new();
	struct json_writer w = {0};
	struct json *j = NULL;
	char *text;
	size_t len;

	for (unsigned k = 0; k < TL_MAX_ENTRIES + 5; k++)
		tl_mark(t, "m", NULL);
	tl_finish(t);
	jw_begin(&w);
	tl_json(t, &w);
	jw_end(&w);
	ck_assert_int_eq(jw_finish(&w, &text, &len), 0);
	ck_assert_int_eq(json_parse(text, len, &j, NULL, 0), 0);
	ck_assert_uint_eq(json_get(json_get(j, "summary"), "dropped")->i.u, 5);
	ck_assert_uint_eq(json_get(j, "marks")->arr.n, TL_MAX_ENTRIES);
	json_free(j);
	free(text);
	timeline_free(t);
}
END_TEST

/* The marks of n feeds, as "name/detail;" */
static void marks_of(struct timeline *t, char *out, size_t len)
{
	struct tl_entry e[16];
	unsigned n = tl_entries(t, e, 16);

	out[0] = 0;
	for (unsigned k = 0; k < n; k++)
		if (e[k].kind == TL_MARK)
			snprintf(out + strlen(out), len - strlen(out), "%s/%s;",
				 e[k].name, e[k].detail);
}

START_TEST(mark_regex_lines)
{
	struct timeline *t = timeline_new();
	char got[512], err[256];
	const char *a = "boot: SEVBOOT-GUEST-MA", *b = "RKER cpus=1\r\nnext\n";

	ck_assert_int_eq(tl_add_mark_regex(t, "GUEST-MARKER cpus=[0-9]+$", err,
					   sizeof(err)),
			 0);
	ck_assert_int_eq(tl_add_mark_regex(t, "^next$", err, sizeof(err)), 0);
	ck_assert_int_eq(tl_add_mark_regex(t, "never", err, sizeof(err)), 0);
	ck_assert_int_eq(tl_add_mark_regex(t, "a(", err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "regular expression"), "%s", err);
	ck_assert_uint_eq(tl_mark_regex_count(t), 3);
	/* a line split across two feeds, a CR before its newline; the
	 * same line again marks nothing new */
	tl_feed_output(t, (const uint8_t *)a, strlen(a));
	marks_of(t, got, sizeof(got));
	ck_assert_str_eq(got, "");
	tl_feed_output(t, (const uint8_t *)b, strlen(b));
	tl_feed_output(t, (const uint8_t *)"next\n", 5);
	marks_of(t, got, sizeof(got));
	ck_assert_str_eq(got, "mark/GUEST-MARKER cpus=[0-9]+$;mark/^next$;");
	timeline_free(t);
}
END_TEST

static void count_done(void *ctx)
{
	(*(int *)ctx)++;
}

/* --stop-at-mark's hook: once, when the last pattern matched. */
START_TEST(marks_done_once)
{
	struct timeline *t = timeline_new();
	char err[128];
	int done = 0;

	ck_assert_int_eq(tl_add_mark_regex(t, "^one", err, sizeof(err)), 0);
	ck_assert_int_eq(tl_add_mark_regex(t, "two$", err, sizeof(err)), 0);
	tl_on_marks_done(t, count_done, &done);
	tl_feed_output(t, (const uint8_t *)"one\n", 4);
	ck_assert_int_eq(done, 0);
	tl_feed_output(t, (const uint8_t *)"x two\none\n", 10);
	ck_assert_int_eq(done, 1);
	tl_feed_output(t, (const uint8_t *)"two\n", 4);
	ck_assert_int_eq(done, 1);
	tl_on_marks_done(t, NULL, NULL);
	timeline_free(t);
}
END_TEST

START_TEST(events_one_json_per_line)
{
	struct timeline *t = timeline_new();
	char buf[4096], err[128];
	int p[2];
	ssize_t n;
	unsigned lines = 0;
	char *line, *save;

	ck_assert_int_eq(pipe(p), 0);
	tl_set_events_fd(t, p[1]);
	ck_assert_int_eq(tl_add_mark_regex(t, "READY", err, sizeof(err)), 0);
	tl_event(t, "finish", NULL);
	tl_event(t, "exit", "\"code\":0");
	tl_event_str(t, "guest-stop", "reason", "po\"we\nroff");
	tl_feed_output(t, (const uint8_t *)"READY\n", 6);
	close(p[1]);
	n = read(p[0], buf, sizeof(buf) - 1);
	close(p[0]);
	ck_assert_int_gt(n, 0);
	buf[n] = 0;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		struct json *j = NULL;
		const struct json *ev;

		ck_assert_msg(
			!json_parse(line, strlen(line), &j, err, sizeof(err)),
			"%s: %s", line, err);
		ev = json_get(j, "event");
		ck_assert_ptr_nonnull(ev);
		ck_assert_ptr_nonnull(json_get(j, "t_ns"));
		if (lines == 1)
			ck_assert_uint_eq(json_get(j, "code")->i.u, 0);
		if (lines == 2)
			ck_assert_str_eq(json_get(j, "reason")->str.s,
					 "po\"we\nroff");
		if (lines == 3)
			ck_assert_str_eq(json_get(j, "regex")->str.s, "READY");
		json_free(j);
		lines++;
	}
	ck_assert_uint_eq(lines, 4);
	timeline_free(t);
}
END_TEST

/* A plain run's document and an SEV-less header, written by timing_write
 * and checked against doc/timing.schema.json. */
START_TEST(document_matches_schema)
{
	struct timeline *t = timeline_new();
	char dir[] = "/tmp/test_timeline.XXXXXX", path[128], csv[128], why[512];
	static const uint8_t kernel[] = "not really a kernel";
	char *argv[] = {"sevboot", "--kernel", "k", NULL};
	struct timing_header h = {
		.vcpus = 2,
		.mem = 64 << 20,
		.inputs = {{"--kernel", "k", kernel, sizeof(kernel)}},
		.ninputs = 1,
		.argc = 3,
		.argv = argv,
		.exit_code = 0,
	};
	struct json *doc, *s;
	const struct json *in;
	int id;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/t.json", dir);
	snprintf(csv, sizeof(csv), "%s/t.csv", dir);
	id = tl_begin(t, TL_PHASE, "options", NULL);
	tl_end(t, id);
	id = tl_begin(t, TL_FIRMWARE, "SNP_LAUNCH_UPDATE", "firmware, \"x\"");
	tl_set_bytes(t, id, 4194304);
	tl_set_result(t, id, 0, "SEV_RET_SUCCESS");
	tl_end(t, id);
	tl_mark(t, "first serial byte", NULL);
	tl_finish(t);
	ck_assert_int_eq(timing_write(path, csv, &h, t, NULL), 0);
	doc = parse_file(path);
	s = schema();
	ck_assert_msg(validate(doc, s, "$", why, sizeof(why)), "%s", why);
	ck_assert_str_eq(json_get(doc, "mode")->str.s, "plain");
	in = &json_get(json_get(doc, "header"), "inputs")->arr.items[0];
	/* SHA-256 of the bytes given */
	ck_assert_str_eq(json_get(in, "sha256")->str.s,
			 "e158e66118893526178a16fcab51d17ad388c7b5cdaba49c9ad00"
			 "ee8f95de021");
	json_free(doc);

	/* a document that breaks the schema is caught */
	{
		static const char bad[] =
			"{\"mode\":\"plain\",\"steps\":[],\"schema\":"
			"\"sevboot-timing\",\"schema_version\":2}";
		ck_assert_int_eq(
			json_parse(bad, sizeof(bad) - 1, &doc, NULL, 0), 0);
		ck_assert(!validate(doc, s, "$", why, sizeof(why)));
		json_free(doc);
	}
	json_free(s);
	unlink(path);
	unlink(csv);
	rmdir(dir);
	timeline_free(t);
}
END_TEST

START_TEST(csv_quotes_fields)
{
	struct timeline *t = timeline_new();
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int id = tl_begin(t, TL_PHASE, "inputs", "load, \"parse\"");

	tl_end(t, id);
	tl_finish(t);
	ck_assert_int_eq(tl_csv(t, f), 0);
	fclose(f);
	ck_assert_msg(strstr(text, "phase,inputs,\"load, \"\"parse\"\"\",0,"),
		      "%s", text);
	ck_assert(!strncmp(text, "kind,name,detail,depth,", 23));
	free(text);
	timeline_free(t);
}
END_TEST

START_TEST(writer_arrays)
{
	struct json_writer w = {0};
	char *text;
	size_t len;

	jw_begin(&w);
	jw_key(&w, "a");
	jw_array_begin(&w);
	jw_uint(&w, 1);
	jw_int(&w, -2);
	jw_array_begin(&w);
	jw_array_end(&w);
	jw_begin(&w);
	jw_end(&w);
	jw_array_end(&w);
	jw_end(&w);
	ck_assert_int_eq(jw_finish(&w, &text, &len), 0);
	ck_assert_str_eq(text, "{\"a\":[1,-2,[],{}]}");
	free(text);
	/* a key inside an array, or ] closing an object, is misuse */
	jw_begin(&w);
	jw_key(&w, "a");
	jw_array_begin(&w);
	jw_key(&w, "b");
	ck_assert_int_eq(jw_finish(&w, &text, &len), -EINVAL);
	jw_begin(&w);
	jw_array_end(&w);
	ck_assert_int_eq(jw_finish(&w, &text, &len), -EINVAL);
}
END_TEST

START_TEST(bench_statistics)
{
	static const uint64_t odd[] = { 5, 1, 3 };
	static const uint64_t even[] = { 4, 1, 3, 2 };
	uint64_t twenty[20], s[4];

	bench_stats(odd, 3, s);
	ck_assert_uint_eq(s[0], 1);
	ck_assert_uint_eq(s[1], 3);
	ck_assert_uint_eq(s[2], 5);
	ck_assert_uint_eq(s[3], 5);
	bench_stats(even, 4, s);
	ck_assert_uint_eq(s[1], 2); /* (2 + 3) / 2 */
	/* 20 values 1..20 reversed: p95 is the 19th smallest */
	for (unsigned k = 0; k < 20; k++)
		twenty[k] = 20 - k;
	bench_stats(twenty, 20, s);
	ck_assert_uint_eq(s[0], 1);
	ck_assert_uint_eq(s[1], 10);
	ck_assert_uint_eq(s[2], 19);
	ck_assert_uint_eq(s[3], 20);
	bench_stats(NULL, 0, s);
	ck_assert_uint_eq(s[3], 0);
}
END_TEST

/* --compare of two timing documents: the ratios of their phases, through
 * the program. */
START_TEST(bench_compare_ratios)
{
	const char *bin = getenv("SEVBOOT_BIN");
	char dir[] = "/tmp/test_bench.XXXXXX", a[64], b[64], cmd[256];
	char out[4096] = "";
	FILE *f, *p;
	size_t n;

	if (!bin || access(bin, X_OK))
		SKIP_TEST("SEVBOOT_BIN is not set to a built sevboot");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(a, sizeof(a), "%s/a.json", dir);
	snprintf(b, sizeof(b), "%s/b.json", dir);
	f = fopen(a, "w");
	fputs("{\"summary\":{\"total_ns\":4000000,\"unattributed_ns\":0},"
	      "\"phases\":[{\"kind\":\"phase\",\"name\":\"memory\","
	      "\"duration_ns\":1000000},{\"kind\":\"firmware\",\"name\":"
	      "\"X\",\"detail\":\"d\",\"duration_ns\":500000},"
	      "{\"kind\":\"firmware\",\"name\":\"X\",\"detail\":\"d\","
	      "\"duration_ns\":500000}],\"marks\":[]}",
	      f);
	fclose(f);
	f = fopen(b, "w");
	fputs("{\"summary\":{\"total_ns\":2000000,\"unattributed_ns\":0},"
	      "\"phases\":[{\"kind\":\"phase\",\"name\":\"memory\","
	      "\"duration_ns\":3000000}],\"marks\":[]}",
	      f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "%s bench-launch --compare %s %s", bin, a,
		 b);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = 0;
	ck_assert_int_eq(pclose(p), 0);
	/* B/A: total 0.5, memory 3; X (d), two commands summed, only in A */
	ck_assert_msg(strstr(out, "total ") && strstr(out, " 0.500\n"), "%s",
		      out);
	ck_assert_msg(strstr(out, " 3.000\n"), "%s", out);
	ck_assert_msg(strstr(out, "X (d)") && strstr(out, "1.000        0.000"),
		      "%s", out);
	unlink(a);
	unlink(b);
	rmdir(dir);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("timeline");
	TCase *tc = tcase_create("timeline");

	tcase_add_test(tc, union_of_phases);
	tcase_add_test(tc, nesting_and_finish);
	tcase_add_test(tc, full_timeline_counts_drops);
	tcase_add_test(tc, mark_regex_lines);
	tcase_add_test(tc, marks_done_once);
	tcase_add_test(tc, events_one_json_per_line);
	tcase_add_test(tc, document_matches_schema);
	tcase_add_test(tc, csv_quotes_fields);
	tcase_add_test(tc, writer_arrays);
	tcase_add_test(tc, bench_statistics);
	tcase_add_test(tc, bench_compare_ratios);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
