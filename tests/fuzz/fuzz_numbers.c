// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness for the number parsers: cli_parse_num (cli/opts.c,
 * compiled in: cli/ is not in the library; every numeric option, the
 * policies with their limits), parse_size (--mem and the other sizes),
 * cpu_model_signature (--cpu), guid_parse and sev_host_param_parse (a
 * kvm_amd parameter file).  The first input byte picks the parser and
 * its limit, the rest is the text.
 *
 * Checked: nothing above the limit is accepted; what is accepted prints
 * back to text that reads the same (numbers, GUIDs); a refusal is one
 * sentence where the parser gives one.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/opts.c"
#include "loader/loader.h"
#include "sev/sev.h"

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "fuzz_numbers: check failed: %s\n",    \
				#cond);                                        \
			abort();                                               \
		}                                                              \
	} while (0)

/* The limits sevboot's options use (cli/run.c, cli/measure.c). */
static const uint64_t maxes[] = {
	UINT64_MAX, UINT32_MAX, (1ULL << 52) - 1, 0xff, 0xf + 0xff, 0xf, 255, 0,
};
#define NMAXES (sizeof(maxes) / sizeof(maxes[0]))

static void fuzz_num(uint8_t sel, const char *s)
{
	uint64_t max = maxes[(sel >> 1) % NMAXES], v = 0, back = 0;
	bool hex = sel & 1;
	char text[40];
	int ret = cli_parse_num(s, hex, max, &v);

	CHECK(ret == 0 || ret == -EINVAL || ret == -ERANGE);
	if (ret)
		return;
	CHECK(v <= max);
	snprintf(text, sizeof(text), hex ? "%" PRIx64 : "%" PRIu64, v);
	CHECK(cli_parse_num(text, hex, max, &back) == 0 && back == v);
	snprintf(text, sizeof(text), "0x%" PRIx64, v);
	CHECK(cli_parse_num(text, false, max, &back) == 0 && back == v);
}

static void fuzz_size(const char *s)
{
	uint64_t v = 0, back = 0;
	char text[40];
	int ret = parse_size(s, &v);

	CHECK(ret == 0 || ret == -EINVAL || ret == -ERANGE);
	if (ret)
		return;
	/* Plain bytes read back the same. */
	snprintf(text, sizeof(text), "%" PRIu64, v);
	CHECK(parse_size(text, &back) == 0 && back == v);
}

static void fuzz_cpu(const char *s)
{
	uint32_t sig = 0;
	char err[1024];
	int ret;

	memset(err, 'x', sizeof(err));
	ret = cpu_model_signature(s, &sig, err, sizeof(err));
	if (ret) {
		CHECK(ret == -EINVAL);
		CHECK(memchr(err, '\0', sizeof(err)) && err[0] &&
		      !strchr(err, '\n'));
	}
}

static void fuzz_guid(const char *s)
{
	struct guid g, back;
	char text[37];

	if (guid_parse(s, &g))
		return;
	guid_format(&g, text);
	CHECK(strlen(text) == 36 && strcasecmp(text, s) == 0);
	CHECK(guid_parse(text, &back) == 0 &&
	      memcmp(&g, &back, sizeof(g)) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t n)
{
	struct sev_host_param_value pv;
	char *s;

	if (!n)
		return 0;
	/* The words come from argv: NUL-terminated, no NUL inside. */
	s = malloc(n);
	CHECK(s);
	memcpy(s, in + 1, n - 1);
	s[n - 1] = '\0';
	switch (in[0] >> 5) {
	case 0:
	case 1:
	case 2:
		fuzz_num(in[0], s);
		break;
	case 3:
		fuzz_size(s);
		break;
	case 4:
		fuzz_cpu(s);
		break;
	case 5:
		fuzz_guid(s);
		break;
	default:
		/* A parameter file's bytes, NULs and all. */
		sev_host_param_parse((const char *)in + 1, n - 1, &pv);
		break;
	}
	free(s);
	return 0;
}
