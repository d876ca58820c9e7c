// SPDX-License-Identifier: MIT
/*
 * `sevboot bench-launch`: N launches, each a fresh sevboot process (so a
 * fresh VM, a fresh firmware context and a fresh model), stopped right
 * after the launch (`run --launch-only`) or, with --boot, run to the
 * guest's stop; every run's --timing-json read back and aggregated per
 * phase: min, median, p95, max, and MB/s for the firmware commands that
 * move data.  --compare prints the ratios of two such results.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"
#include "util/util.h"

#define BENCH_MAX_REPEAT 10000
#define BENCH_MAX_KEYS	 512
#define BENCH_SCHEMA	 "sevboot-bench-launch"

/* One phase (or mark) across the runs: its durations, one per run. */
struct bench_key {
	char key[TL_NAME_LEN + TL_DETAIL_LEN + 4];
	char kind[12];
	unsigned depth;
	uint64_t bytes; /* firmware: bytes per run (the first run's) */
	uint64_t *v;	/* per run that had it: its ns (summed) */
	unsigned n;	/* runs that had it */
	uint64_t med;	/* for --compare */
};

struct bench {
	struct bench_key *k;
	unsigned nkeys;
	unsigned runs; /* capacity of each v */
};

const struct cli_spec bench_launch_spec = {
	.name = "bench-launch",
	.prefix = "sevboot: bench-launch: ",
	.synopsis = "bench-launch --repeat N [--boot] [--json FILE] [RUN "
		    "OPTIONS]\n"
		    "       sevboot bench-launch --compare A.json B.json",
	.about = "N launches, each in a fresh sevboot process and VM, stopped "
		 "right after the\n"
		 "launch (LAUNCH_FINISH; `run --launch-only`), or with --boot "
		 "run until the\n"
		 "guest stops (give --mark REGEX to time a line of its "
		 "output).  Per phase:\n"
		 "min, median, p95 and max in ms, and MB/s for the firmware "
		 "commands that\n"
		 "move data.  Progress goes to stderr, the table to stdout.  "
		 "The run options\n"
		 "are `sevboot run`'s (not --timing-json, --timing-csv, "
		 "--json-events,\n"
		 "--launch-only: bench-launch sets those).\n"
		 "\n"
		 "  --repeat N        launches (1 to 10000)\n"
		 "  --boot            run each guest to its stop, not just the "
		 "launch; with\n"
		 "                    --mark REGEX, to the marker "
		 "(run --stop-at-mark)\n"
		 "  --json FILE       also write the per-phase figures as JSON "
		 "(for --compare)\n"
		 "  --compare A B     per-phase ratios B/A of two --json "
		 "results (or two\n"
		 "                    --timing-json files)\n"
		 "  --timeline-tsv T  a --timing-json file's phases and marks "
		 "as TSV rows\n"
		 "                    (start ms, end ms, depth, kind, label; "
		 "scripts/plot-timing)\n"
		 "  --medians-tsv F.. the median ms per phase of several "
		 "results, a column each\n",
	.notes = "Exit codes: 0 all runs succeeded, 2 usage, 3 a --compare "
		 "file is unreadable;\n"
		 "otherwise the exit code of the first run that failed.\n",
};

static int usage_error(const char *fmt, const char *a)
{
	fprintf(stderr, "sevboot: bench-launch: ");
	fprintf(stderr, fmt, a);
	fputc('\n', stderr);
	return EXIT_USAGE;
}

static struct bench_key *key_get(struct bench *b, const char *key,
				 const char *kind, unsigned depth)
{
	for (unsigned k = 0; k < b->nkeys; k++)
		if (!strcmp(b->k[k].key, key))
			return &b->k[k];
	if (b->nkeys >= BENCH_MAX_KEYS)
		return NULL;
	struct bench_key *e = &b->k[b->nkeys];

	memset(e, 0, sizeof(*e));
	snprintf(e->key, sizeof(e->key), "%s", key);
	snprintf(e->kind, sizeof(e->kind), "%s", kind);
	e->depth = depth;
	e->v = calloc(b->runs, sizeof(*e->v));
	if (!e->v)
		return NULL;
	b->nkeys++;
	return e;
}

static const char *str_member(const struct json *o, const char *key)
{
	const struct json *v = json_get(o, key);

	return v && v->type == JSON_STRING ? v->str.s : NULL;
}

static uint64_t uint_member(const struct json *o, const char *key)
{
	const struct json *v = json_get(o, key);

	return v && v->type == JSON_INT && !v->i.neg ? v->i.u : 0;
}

/*
 * Add one value of the run being read under key: the occurrences of a
 * phase within one run are summed (SNP_LAUNCH_UPDATE's pages of one
 * kind), a mark counts once (its first time).  The runs are read one
 * after the other, so the current run's value is the key's last one.
 */
static void add_value(struct bench *b, const char *key, const char *kind,
		      unsigned depth, uint64_t ns, uint64_t bytes, bool *seen)
{
	struct bench_key *e = key_get(b, key, kind, depth);
	bool mark = !strcmp(kind, "mark");

	if (!e)
		return;
	if (!seen[e - b->k]) {
		seen[e - b->k] = true;
		e->v[e->n++] = 0;
	} else if (mark) {
		return;
	}
	e->v[e->n - 1] += ns;
	if (e->n == 1)
		e->bytes += bytes;
}

/* One timing document (a run) into the bench as run r. */
static int bench_add_doc(struct bench *b, const struct json *doc, char *err,
			 size_t errlen)
{
	const struct json *ph = json_get(doc, "phases");
	const struct json *mk = json_get(doc, "marks");
	const struct json *sum = json_get(doc, "summary");
	bool seen[BENCH_MAX_KEYS] = {false};

	if (!ph || ph->type != JSON_ARRAY || !sum) {
		set_err(err, errlen,
			"no \"phases\" and \"summary\": not a "
			"sevboot timing document");
		return -EINVAL;
	}
	add_value(b, "total", "summary", 0, uint_member(sum, "total_ns"), 0,
		  seen);
	add_value(b, "unattributed", "summary", 0,
		  uint_member(sum, "unattributed_ns"), 0, seen);
	for (size_t i = 0; i < ph->arr.n; i++) {
		const struct json *p = &ph->arr.items[i];
		const char *name = str_member(p, "name");
		const char *detail = str_member(p, "detail");
		const char *kind = str_member(p, "kind");
		char key[sizeof(b->k[0].key)];

		if (!name || !kind)
			continue;
		snprintf(key, sizeof(key), "%s%s%s%s", name, detail ? " (" : "",
			 detail ? detail : "", detail ? ")" : "");
		add_value(b, key, kind, (unsigned)uint_member(p, "depth"),
			  uint_member(p, "duration_ns"),
			  uint_member(p, "bytes"), seen);
	}
	for (size_t i = 0; mk && mk->type == JSON_ARRAY && i < mk->arr.n; i++) {
		const struct json *p = &mk->arr.items[i];
		const char *name = str_member(p, "name");
		const char *detail = str_member(p, "detail");
		char key[sizeof(b->k[0].key)];

		if (!name)
			continue;
		snprintf(key, sizeof(key), "@ %s%s%s%s", name,
			 detail ? " (" : "", detail ? detail : "",
			 detail ? ")" : "");
		if (!seen[0] || !key_get(b, key, "mark", 0) ||
		    !seen[key_get(b, key, "mark", 0) - b->k])
			add_value(b, key, "mark", 0, uint_member(p, "at_ns"), 0,
				  seen);
	}
	return 0;
}

static int read_json_file(const char *path, struct json **out, char *err,
			  size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *text;
	size_t n;
	int ret;

	if (!f) {
		set_err(err, errlen, "%s", strerror(errno));
		return -errno;
	}
	text = malloc(JSON_MAX_SIZE + 1);
	n = text ? fread(text, 1, JSON_MAX_SIZE + 1, f) : 0;
	fclose(f);
	if (!text) {
		set_err(err, errlen, "out of memory");
		return -ENOMEM;
	}
	ret = json_parse(text, n, out, err, errlen);
	free(text);
	return ret;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

void bench_stats(const uint64_t *values, unsigned n, uint64_t s[4])
{
	uint64_t *v = malloc(sizeof(*v) * (n ? n : 1));

	memset(s, 0, 4 * sizeof(*s));
	if (!v || !n) {
		free(v);
		return;
	}
	memcpy(v, values, n * sizeof(*v));
	qsort(v, n, sizeof(*v), cmp_u64);
	s[0] = v[0];
	s[1] = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	s[2] = v[(95 * n + 99) / 100 - 1];
	s[3] = v[n - 1];
	free(v);
}

/* min, median, p95, max of the runs that had it. */
static void key_stats(const struct bench_key *e, uint64_t s[4])
{
	bench_stats(e->v, e->n, s);
}

static void print_table(const struct bench *b, unsigned runs, FILE *f)
{
	fprintf(f, "%-52s %4s %10s %10s %10s %10s %8s\n",
		"phase (ms; @ = a "
		"mark, ms from the start)",
		"n", "min", "median", "p95", "max", "MB/s");
	for (unsigned k = 0; k < b->nkeys; k++) {
		const struct bench_key *e = &b->k[k];
		uint64_t s[4];
		char rate[16] = "-";

		key_stats(e, s);
		if (e->bytes && s[1])
			snprintf(rate, sizeof(rate), "%.1f",
				 (double)e->bytes * 1e3 / (double)s[1]);
		fprintf(f, "%*s%-*.*s %4u %10.3f %10.3f %10.3f %10.3f %8s\n",
			2 * (int)e->depth, "", 52 - 2 * (int)e->depth,
			52 - 2 * (int)e->depth, e->key, e->n, s[0] / 1e6,
			s[1] / 1e6, s[2] / 1e6, s[3] / 1e6, rate);
	}
	(void)runs;
}

static int write_bench_json(const struct bench *b, unsigned runs, bool boot,
			    const char *path, int argc, char **argv)
{
	struct json_writer w = {0};
	char *text;
	size_t len;
	FILE *f;

	jw_begin(&w);
	jw_key(&w, "schema");
	jw_cstr(&w, BENCH_SCHEMA);
	jw_key(&w, "schema_version");
	jw_uint(&w, 1);
	jw_key(&w, "runs");
	jw_uint(&w, runs);
	jw_key(&w, "boot");
	jw_bool(&w, boot);
	jw_key(&w, "run_options");
	jw_array_begin(&w);
	for (int k = 0; k < argc; k++)
		jw_cstr(&w, argv[k]);
	jw_array_end(&w);
	jw_key(&w, "phases");
	jw_array_begin(&w);
	for (unsigned k = 0; k < b->nkeys; k++) {
		uint64_t s[4];

		key_stats(&b->k[k], s);
		jw_begin(&w);
		jw_key(&w, "key");
		jw_cstr(&w, b->k[k].key);
		jw_key(&w, "kind");
		jw_cstr(&w, b->k[k].kind);
		jw_key(&w, "depth");
		jw_uint(&w, b->k[k].depth);
		jw_key(&w, "n");
		jw_uint(&w, b->k[k].n);
		jw_key(&w, "bytes");
		jw_uint(&w, b->k[k].bytes);
		jw_key(&w, "min_ns");
		jw_uint(&w, s[0]);
		jw_key(&w, "median_ns");
		jw_uint(&w, s[1]);
		jw_key(&w, "p95_ns");
		jw_uint(&w, s[2]);
		jw_key(&w, "max_ns");
		jw_uint(&w, s[3]);
		jw_end(&w);
	}
	jw_array_end(&w);
	jw_end(&w);
	if (jw_finish(&w, &text, &len)) {
		fprintf(stderr,
			"sevboot: bench-launch: --json %s: out of "
			"memory\n",
			path);
		return EXIT_RUNTIME;
	}
	f = fopen(path, "w");
	if (!f || fwrite(text, 1, len, f) != len || fputc('\n', f) == EOF ||
	    fclose(f)) {
		fprintf(stderr, "sevboot: bench-launch: --json %s: %s\n", path,
			strerror(errno));
		free(text);
		return EXIT_BAD_INPUT;
	}
	free(text);
	return 0;
}

/* The last line a failed run wrote on stderr. */
static void last_line(const char *path, char *out, size_t len)
{
	FILE *f = fopen(path, "r");
	char line[1024];

	snprintf(out, len, "(no message)");
	while (f && fgets(line, sizeof(line), f))
		if (line[0] && line[0] != '\n') {
			line[strcspn(line, "\n")] = 0;
			snprintf(out, len, "%s", line);
		}
	if (f)
		fclose(f);
}

/* One launch: sevboot run ARGS --timing-json PATH [--launch-only]. */
static int one_run(int argc, char **argv, bool boot, const char *json,
		   const char *errpath)
{
	char **av = calloc((size_t)argc + 7, sizeof(*av));
	int n = 0, status;
	pid_t pid;

	if (!av)
		return -ENOMEM;
	av[n++] = "sevboot";
	av[n++] = "run";
	for (int k = 0; k < argc; k++)
		av[n++] = argv[k];
	av[n++] = "--timing-json";
	av[n++] = (char *)json;
	if (!boot)
		av[n++] = "--launch-only";
	for (int k = 0; boot && k < argc; k++)
		if (!strcmp(argv[k], "--mark") ||
		    !strncmp(argv[k], "--mark=", 7)) {
			av[n++] = "--stop-at-mark";
			break;
		}
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		int err = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		if (null < 0 || err < 0)
			_exit(EXIT_RUNTIME);
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(err, STDERR_FILENO);
		execv("/proc/self/exe", av);
		_exit(127);
	}
	free(av);
	if (pid < 0)
		return -errno;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (WIFSIGNALED(status))
		return EXIT_SIGNAL_BASE + WTERMSIG(status);
	return WEXITSTATUS(status);
}

static const char *const forbidden[] = {
	"--timing-json", "--timing-csv",  "--json-events",
	"--launch-only", "--stop-at-mark", NULL};

/* The runs, one by one, each read back into b.  0 or an exit code. */
static int run_all(struct bench *b, unsigned repeat, bool boot, int argc,
		   char **argv, const char *dir)
{
	char json[PATH_MAX], errp[PATH_MAX], why[1024];

	for (unsigned r = 0; r < repeat; r++) {
		struct json *doc = NULL;
		const struct json *sum;
		int rc;

		snprintf(json, sizeof(json), "%s/run-%u.json", dir, r + 1);
		snprintf(errp, sizeof(errp), "%s/run-%u.err", dir, r + 1);
		rc = one_run(argc, argv, boot, json, errp);
		if (rc) {
			last_line(errp, why, sizeof(why));
			fprintf(stderr,
				"sevboot: bench-launch: run %u of %u: exit %d: "
				"%s\n",
				r + 1, repeat, rc,
				rc < 0 ? strerror(-rc) : why);
			return rc < 0 ? EXIT_RUNTIME : rc;
		}
		if (read_json_file(json, &doc, why, sizeof(why)) ||
		    bench_add_doc(b, doc, why, sizeof(why))) {
			fprintf(stderr,
				"sevboot: bench-launch: run %u: its timing "
				"JSON: %s\n",
				r + 1, why);
			json_free(doc);
			return EXIT_RUNTIME;
		}
		sum = json_get(doc, "summary");
		fprintf(stderr,
			"bench-launch: run %u/%u: %.3f ms, unattributed %.3f "
			"%%\n",
			r + 1, repeat, uint_member(sum, "total_ns") / 1e6,
			uint_member(sum, "unattributed_ppm") / 1e4);
		json_free(doc);
		unlink(json);
		unlink(errp);
	}
	return 0;
}

static void bench_free(struct bench *b)
{
	for (unsigned k = 0; k < b->nkeys; k++)
		free(b->k[k].v);
	free(b->k);
}

/* A --compare operand: an aggregate (median_ns) or one timing document. */
static int compare_load(const char *path, struct bench *b)
{
	struct json *doc = NULL;
	const struct json *ph;
	char err[256];

	b->runs = 1;
	b->k = calloc(BENCH_MAX_KEYS, sizeof(*b->k));
	if (!b->k || read_json_file(path, &doc, err, sizeof(err))) {
		fprintf(stderr, "sevboot: bench-launch: --compare %s: %s\n",
			path, b->k ? err : "out of memory");
		json_free(doc);
		return EXIT_BAD_INPUT;
	}
	ph = json_get(doc, "phases");
	if (str_member(doc, "schema") &&
	    !strcmp(str_member(doc, "schema"), BENCH_SCHEMA) && ph &&
	    ph->type == JSON_ARRAY) {
		for (size_t i = 0; i < ph->arr.n; i++) {
			const struct json *p = &ph->arr.items[i];
			const char *key = str_member(p, "key");
			struct bench_key *e =
				key ? key_get(b, key, "", 0) : NULL;

			if (e) {
				e->med = uint_member(p, "median_ns");
				e->n = 1;
			}
		}
	} else if (bench_add_doc(b, doc, err, sizeof(err))) {
		fprintf(stderr, "sevboot: bench-launch: --compare %s: %s\n",
			path, err);
		json_free(doc);
		return EXIT_BAD_INPUT;
	} else {
		for (unsigned k = 0; k < b->nkeys; k++)
			b->k[k].med = b->k[k].v[0];
	}
	json_free(doc);
	return 0;
}

static int compare(const char *a_path, const char *b_path)
{
	struct bench a = {0}, b = {0};
	int rc = compare_load(a_path, &a);

	rc = rc ?: compare_load(b_path, &b);
	if (!rc) {
		printf("%-52s %12s %12s %8s\n", "phase (ms)", "A", "B", "B/A");
		for (int pass = 0; pass < 2; pass++) {
			const struct bench *x = pass ? &b : &a;
			const struct bench *y = pass ? &a : &b;

			for (unsigned k = 0; k < x->nkeys; k++) {
				const struct bench_key *e = &x->k[k], *o = NULL;
				char ratio[16] = "-";

				for (unsigned j = 0; j < y->nkeys; j++)
					if (!strcmp(y->k[j].key, e->key))
						o = &y->k[j];
				if (pass && o)
					continue; /* printed in the first pass
						   */
				const struct bench_key *ea = pass ? o : e;
				const struct bench_key *eb = pass ? e : o;

				if (ea && eb && ea->med)
					snprintf(ratio, sizeof(ratio), "%.3f",
						 (double)eb->med /
							 (double)ea->med);
				printf("%-52.52s %12.3f %12.3f %8s\n", e->key,
				       ea ? ea->med / 1e6 : 0.0,
				       eb ? eb->med / 1e6 : 0.0, ratio);
			}
		}
	}
	bench_free(&a);
	bench_free(&b);
	return rc;
}

/* --timeline-tsv: one timing document's phases and marks as rows for
 * scripts/plot-timing: start ms, end ms, depth, kind, label. */
static int timeline_tsv(const char *path)
{
	struct json *doc = NULL;
	const struct json *ph, *mk;
	char err[256];

	if (read_json_file(path, &doc, err, sizeof(err))) {
		fprintf(stderr,
			"sevboot: bench-launch: --timeline-tsv %s: %s\n", path,
			err);
		return EXIT_BAD_INPUT;
	}
	ph = json_get(doc, "phases");
	mk = json_get(doc, "marks");
	if (!ph || ph->type != JSON_ARRAY) {
		fprintf(stderr,
			"sevboot: bench-launch: --timeline-tsv %s: no "
			"\"phases\": not a sevboot timing document\n",
			path);
		json_free(doc);
		return EXIT_BAD_INPUT;
	}
	for (int pass = 0; pass < 2; pass++) {
		const struct json *a = pass ? mk : ph;

		for (size_t i = 0; a && a->type == JSON_ARRAY && i < a->arr.n;
		     i++) {
			const struct json *p = &a->arr.items[i];
			const char *name = str_member(p, "name");
			const char *detail = str_member(p, "detail");
			uint64_t s =
				uint_member(p, pass ? "at_ns" : "start_ns");
			uint64_t e = pass ? s : uint_member(p, "end_ns");

			if (!name)
				continue;
			printf("%.6f\t%.6f\t%u\t%s\t%s%s%s%s\n", s / 1e6,
			       e / 1e6, (unsigned)uint_member(p, "depth"),
			       pass ? "mark" : str_member(p, "kind"), name,
			       detail ? " (" : "", detail ? detail : "",
			       detail ? ")" : "");
		}
	}
	json_free(doc);
	return 0;
}

/* --medians-tsv: the medians (ms) of several results, a column each, a
 * row per phase (marks and the summary left out). */
static int medians_tsv(int n, char **paths)
{
	struct bench *b = calloc((size_t)n, sizeof(*b));
	int rc = b ? 0 : EXIT_RUNTIME;

	for (int k = 0; k < n && !rc; k++)
		rc = compare_load(paths[k], &b[k]);
	if (!rc) {
		printf("phase");
		for (int k = 0; k < n; k++) {
			const char *base = strrchr(paths[k], '/');

			printf("\t%s", base ? base + 1 : paths[k]);
		}
		printf("\n");
		/* every key of every result, once, in the order met */
		for (int f = 0; f < n; f++)
			for (unsigned i = 0; i < b[f].nkeys; i++) {
				const struct bench_key *e = &b[f].k[i];
				bool before = false;

				for (int g = 0; g < f && !before; g++)
					for (unsigned j = 0; j < b[g].nkeys;
					     j++)
						before |= !strcmp(b[g].k[j].key,
								  e->key);
				if (before || e->key[0] == '@' ||
				    !strcmp(e->key, "total") ||
				    !strcmp(e->key, "unattributed"))
					continue;
				printf("%s", e->key);
				for (int k = 0; k < n; k++) {
					double v = 0;

					for (unsigned j = 0; j < b[k].nkeys;
					     j++)
						if (!strcmp(b[k].k[j].key,
							    e->key))
							v = b[k].k[j].med / 1e6;
					printf("\t%.6f", v);
				}
				printf("\n");
			}
	}
	for (int k = 0; b && k < n; k++)
		bench_free(&b[k]);
	free(b);
	return rc;
}

struct bench_opts {
	char **rest; /* the options passed on to each run */
	int nrest;
	unsigned repeat;
	bool boot;
	const char *json_out;
};

#define BENCH_GO (-1) /* bench_parse: the options are for a benchmark */

/* bench-launch's own options into o, the rest kept for the runs; the modes
 * that end here (--help, --compare, the TSV helpers) and usage errors
 * return their exit status, a benchmark to run BENCH_GO. */
static int bench_parse(int argc, char **argv, struct bench_opts *o)
{
	for (int k = 1; k < argc; k++) {
		const char *a = argv[k];
		uint64_t v;

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			cli_usage(&bench_launch_spec, stdout);
			return 0;
		} else if (!strcmp(a, "--timeline-tsv") && k == 1 &&
			   argc == 3) {
			return timeline_tsv(argv[2]);
		} else if (!strcmp(a, "--medians-tsv") && k == 1 && argc > 2) {
			return medians_tsv(argc - 2, argv + 2);
		} else if (!strcmp(a, "--compare")) {
			if (k + 3 != argc)
				return usage_error("--compare takes two files, "
						   "A.json B.json, and nothing "
						   "after them%s",
						   "");
			return compare(argv[k + 1], argv[k + 2]);
		} else if (!strcmp(a, "--repeat")) {
			if (k + 1 >= argc ||
			    cli_parse_num(argv[k + 1], false, BENCH_MAX_REPEAT,
					  &v) ||
			    !v)
				return usage_error(
					"--repeat %s: must be a number "
					"from 1 to 10000",
					k + 1 < argc ? argv[k + 1] : "(none)");
			o->repeat = (unsigned)v;
			k++;
		} else if (!strcmp(a, "--boot")) {
			o->boot = true;
		} else if (!strcmp(a, "--json")) {
			if (k + 1 >= argc)
				return usage_error("--json needs a value%s",
						   "");
			o->json_out = argv[++k];
		} else {
			for (unsigned f = 0; forbidden[f]; f++)
				if (!strncmp(a, forbidden[f],
					     strlen(forbidden[f])))
					return usage_error("%s: bench-launch "
							   "sets it itself",
							   forbidden[f]);
			o->rest[o->nrest++] = argv[k];
		}
	}
	if (!o->repeat)
		return usage_error("give --repeat N (or --compare A B)%s", "");
	return BENCH_GO;
}

int cmd_bench_launch(int argc, char **argv)
{
	struct bench_opts o = {0};
	struct bench b = {0};
	char dir[] = "/tmp/sevboot-bench.XXXXXX";
	int rc;

	o.rest = calloc((size_t)argc + 1, sizeof(*o.rest));
	if (!o.rest)
		return EXIT_RUNTIME;
	rc = bench_parse(argc, argv, &o);
	if (rc != BENCH_GO) {
		free(o.rest);
		return rc;
	}
	b.runs = o.repeat;
	b.k = calloc(BENCH_MAX_KEYS, sizeof(*b.k));
	if (!b.k || !mkdtemp(dir)) {
		fprintf(stderr, "sevboot: bench-launch: %s\n", strerror(errno));
		free(o.rest);
		free(b.k);
		return EXIT_RUNTIME;
	}
	fprintf(stderr, "bench-launch: %u %s, each a fresh sevboot process\n",
		o.repeat,
		o.boot ? "boots to the guest's stop (or its --mark)"
		       : "launches stopped after the launch");
	rc = run_all(&b, o.repeat, o.boot, o.nrest, o.rest, dir);
	if (!rc) {
		printf("bench-launch: %u run%s (%s)\n", o.repeat,
		       o.repeat == 1 ? "" : "s",
		       o.boot ? "--boot: to the guest's stop or its --mark"
			      : "stopped after the launch");
		print_table(&b, o.repeat, stdout);
		if (o.json_out)
			rc = write_bench_json(&b, o.repeat, o.boot, o.json_out,
					      o.nrest, o.rest);
	}
	rmdir(dir);
	bench_free(&b);
	free(o.rest);
	return rc;
}
