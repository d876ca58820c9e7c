// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness for the run's timeline (util/timeline.c) where a
 * guest reaches it: its serial output, matched line by line against the
 * --mark patterns (tl_feed_output), then the timeline written as JSON and
 * CSV.  The first input byte picks which of four fixed patterns are set
 * (the patterns are the user's, not the guest's) and how the rest is cut
 * into feeds; the rest is the guest's output.
 *
 * Checked: the JSON reads back with the project's reader; a pattern marks
 * at most once; the summary adds up; the done hook fires at most once,
 * and only once every pattern matched.
 *
 * Speed: 121 exec/s at first (15 s from the seeds, quiet core), nearly
 * all of it page faults and TLB shoot-downs: each input made four
 * 600 KiB arrays (the timeline and three entry copies), each an mmap and
 * munmap under ASan, and ASan's 256 MiB quarantine kept every allocation
 * on fresh pages.  The fuzz build's timeline holds 64 entries
 * (FUZZ_DEFS in the Makefile; no input here makes more than 6) and the
 * quarantine is 16 MiB (FUZZ_ASAN_OPTIONS): 6000 runs from the seeds
 * -seed=1 took 8.2 CPU s before, 2.3 after, same cov 203 and ft 506.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "fuzz_timeline: check failed: %s\n",   \
				#cond);                                        \
			abort();                                               \
		}                                                              \
	} while (0)

static const char *const patterns[] = {
	"SEVBOOT-GUEST-MARKER",
	"^Linux version [0-9]+\\.",
	"(a|b)+c$",
	"reboot: Power down",
};

static void done_cb(void *ctx)
{
	(*(int *)ctx)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct timeline *t;
	struct json_writer w = { 0 };
	struct tl_summary s;
	struct tl_entry *e;
	struct json *j = NULL;
	unsigned npat = 0, marks = 0, n;
	size_t chunk, len;
	char *text, err[128];
	int done = 0;

	if (!size)
		return 0;
	t = timeline_new();
	if (!t)
		return 0;
	for (unsigned k = 0; k < 4; k++)
		if (data[0] & (1u << k)) {
			CHECK(!tl_add_mark_regex(t, patterns[k], err,
						 sizeof(err)));
			npat++;
		}
	tl_on_marks_done(t, done_cb, &done);
	chunk = 1 + (data[0] >> 4) * 37;
	for (size_t off = 1; off < size; off += chunk)
		tl_feed_output(t, data + off,
			       size - off < chunk ? size - off : chunk);
	tl_finish(t);

	e = malloc(sizeof(*e) * TL_MAX_ENTRIES);
	CHECK(e);
	n = tl_entries(t, e, TL_MAX_ENTRIES);
	for (unsigned k = 0; k < n; k++)
		marks += e[k].kind == TL_MARK;
	CHECK(marks <= npat);
	CHECK(done <= 1);
	CHECK(done == (npat && marks == npat));
	free(e);

	tl_summary(t, &s);
	CHECK(s.attributed_ns + s.unattributed_ns == s.total_ns);

	jw_begin(&w);
	tl_json(t, &w);
	jw_end(&w);
	CHECK(!jw_finish(&w, &text, &len));
	CHECK(!json_parse(text, len, &j, err, sizeof(err)));
	json_free(j);
	free(text);

	text = NULL;
	len = 0;
	{
		FILE *f = open_memstream(&text, &len);

		CHECK(f);
		CHECK(!tl_csv(t, f));
		fclose(f);
	}
	free(text);
	timeline_free(t);
	return 0;
}
