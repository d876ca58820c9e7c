// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness for the sub-commands' option parser (cli/options.c,
 * compiled in: cli/ is not in the library).  The input is argv, words
 * split at NUL bytes.  The parser must never crash or read outside argv;
 * a refusal is one non-empty line; what it stores points into argv.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/options.c"
#include "cli/opts.c"

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "fuzz_cli_opts: check failed: %s\n",   \
				#cond);                                        \
			abort();                                               \
		}                                                              \
	} while (0)

struct f_opts {
	const char *file, *custom;
	unsigned n;
	int small;
	uint8_t byte;
	uint64_t size, hex;
	bool flag, also;
};

static const char *f_custom(void *opts, const char *v)
{
	struct f_opts *o = opts;

	if (!*v)
		return "must not be empty";
	o->custom = v;
	return NULL;
}

#define F(field) CLI_FIELD(struct f_opts, field)

static const struct cli_opt f_table[] = {
	{"file", 'f', CLI_STRING, F(file), .meta = "FILE", .help = "a"},
	{"alias", .arg = CLI_STRING, F(file), .meta = "FILE"},
	{"num", 'n', CLI_UINT, F(n), .min = 1, .max = 256, .qemu = "smp",
	 .help = "b"},
	{"small", .arg = CLI_UINT, F(small), .max = 63, .help = "c"},
	{"byte", .arg = CLI_HEX, F(byte), .max = 0xff, .help = "d"},
	{"size", .arg = CLI_SIZE, F(size), .min = 1 << 20, .max = 1ULL << 40,
	 .qemu = "m", .help = "e"},
	{"hex", .arg = CLI_HEX, F(hex), .max = UINT64_MAX,
	 CLI_ALSO(struct f_opts, also), .bad = "give hex", .help = "f"},
	{"custom", .arg = CLI_CUSTOM, .parse = f_custom, .help = "g"},
	{.arg = CLI_SECTION, .help = "More:"},
	{"flag", 'v', CLI_FLAG, F(flag), .help = "h"},
	{.arg = CLI_END},
};

static const struct cli_spec f_spec = {
	.name = "fuzz",
	.prefix = "sevboot: fuzz: ",
	.synopsis = "fuzz [OPTIONS] [A [B]]",
	.opts = f_table,
	.max_args = 2,
};

static bool in_argv(const char *p, int argc, char **argv)
{
	for (int k = 1; k < argc; k++)
		if (p >= argv[k] && p <= argv[k] + strlen(argv[k]))
			return true;
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), *argv[33] = {"sevboot"}, err[512];
	struct f_opts o = {.small = -1};
	struct cli_args a;
	enum cli_result r;
	int argc = 1;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	for (char *w = buf; argc < 33 && w <= buf + size; w += strlen(w) + 1)
		argv[argc++] = w;
	r = cli_parse_argv(&f_spec, argc, argv, &o, &a, err, sizeof(err));
	CHECK(r == CLI_OK || r == CLI_ASKED_HELP || r == CLI_BAD);
	CHECK(memchr(err, '\0', sizeof(err)) != NULL);
	if (r == CLI_BAD)
		CHECK(err[0] && !strchr(err, '\n'));
	if (r == CLI_OK) {
		CHECK(a.n <= 2);
		for (unsigned k = 0; k < a.n; k++)
			CHECK(in_argv(a.v[k], argc, argv));
		CHECK(!o.file || in_argv(o.file, argc, argv));
		CHECK(!o.custom || in_argv(o.custom, argc, argv));
		CHECK(o.small >= -1 && o.small <= 63);
		CHECK(o.n <= 256 && o.size <= (1ULL << 40));
	}
	free(buf);
	return 0;
}
