// SPDX-License-Identifier: MIT
/*
 * The sub-commands' option parser and usage generator (cli/options.c,
 * compiled into this test: cli/ is not in the library) on a table with
 * every kind of option, and then bin/sevboot itself: the errors QEMU users
 * meet first, the command table, and `help CMD` == `CMD --help` for every
 * command (which also proves every real option table is well formed).
 */
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "tests/unit/testutil.h"

/* The parser and the number helper are not in libsev: compile them in. */
#include "cli/options.c"
#include "cli/opts.c"

struct t_opts {
	const char *ovmf, *mode;
	unsigned smp, timeout;
	int cbitpos; /* -1: not given, as run's --cbitpos */
	uint8_t width;
	uint32_t policy;
	uint64_t mem, snp_policy;
	bool verbose, quiet, snp, sev;
};

static const char *t_mode(void *opts, const char *v)
{
	struct t_opts *o = opts;

	if (strcmp(v, "a") && strcmp(v, "b"))
		return "must be a or b";
	o->mode = v;
	return NULL;
}

#define T(field) CLI_FIELD(struct t_opts, field)

static const struct cli_opt t_table[] = {
	{"ovmf", .arg = CLI_STRING, T(ovmf), .meta = "FILE",
	 .help = "firmware (alias --bios)"},
	{"bios", .arg = CLI_STRING, T(ovmf), .meta = "FILE"},
	{"smp", .arg = CLI_UINT, T(smp), .min = 1, .max = 256, .meta = "N",
	 .help = "vCPUs"},
	{"mem", .arg = CLI_SIZE, T(mem), .min = 16 << 20, .max = 1ULL << 40,
	 .meta = "SIZE", .qemu = "m", .help = "guest RAM"},
	{"timeout", .arg = CLI_UINT, T(timeout), .min = 1, .max = 604800,
	 .unit = "seconds", .meta = "S", .help = "stop after S seconds"},
	{"cbitpos", .arg = CLI_UINT, T(cbitpos), .max = 63, .meta = "N",
	 .help = "the C-bit"},
	{"width", .arg = CLI_HEX, T(width), .max = 0xff, .meta = "HEX",
	 .help = "a byte"},
	{"mode", .arg = CLI_CUSTOM, .parse = t_mode, .meta = "MODE",
	 .help = "a or b"},
	{"verbose", 'v', CLI_FLAG, T(verbose), .help = "say more"},
	{"quiet", 'q', CLI_FLAG, T(quiet), .help = "say less"},
	{.arg = CLI_SECTION, .help = "Launches:"},
	{"policy", .arg = CLI_HEX, T(policy), .max = UINT32_MAX,
	 CLI_ALSO(struct t_opts, sev), .meta = "HEX",
	 .bad = "give the guest policy in hex, e.g. 0x5",
	 .help = "an SEV policy; a help text long enough to be wrapped onto "
		 "a second line, and a third one too, because it goes on "
		 "and on about the policy"},
	{"snp", .arg = CLI_FLAG, T(snp), .help = "SNP"},
	{"snp-policy", .arg = CLI_HEX, T(snp_policy), .max = UINT64_MAX,
	 CLI_ALSO(struct t_opts, snp), .meta = "HEX", .bad = "give hex",
	 .help = "the SNP policy"},
	{.arg = CLI_END},
};

static const struct cli_spec t_spec = {
	.name = "test",
	.prefix = "sevboot: test: ",
	.synopsis = "test [OPTIONS] [FILE]",
	.about = "About.\n",
	.opts = t_table,
	.notes = "Exit codes: 2 usage.\n",
	.max_args = 1,
};

static const struct t_opts t_defaults = {
	.smp = 1, .cbitpos = -1, .mem = 512 << 20};

/* Parse the NULL-terminated words after a program name. */
static enum cli_result parse(const struct cli_spec *s, struct t_opts *o,
			     struct cli_args *a, char *err, size_t errlen,
			     const char *const *words)
{
	char *argv[32] = {"sevboot"};
	int argc = 1;

	while (*words)
		argv[argc++] = (char *)*words++;
	*o = t_defaults;
	return cli_parse_argv(s, argc, argv, o, a, err, errlen);
}

#define W(...) ((const char *const[]){__VA_ARGS__, NULL})

START_TEST(parses_every_kind)
{
	struct t_opts o;
	struct cli_args a;
	char err[512];

	ck_assert_int_eq(parse(&t_spec, &o, &a, err, sizeof(err),
			       W("--ovmf", "F", "--smp=2", "-vq", "--cbitpos",
				 "51", "--policy", "5", "--mem", "4G",
				 "--mode=a", "--snp-pol", "0x30000", "--width",
				 "ff", "--timeout", "0x10", "--", "-file")),
			 CLI_OK);
	ck_assert_str_eq(err, "");
	ck_assert_str_eq(o.ovmf, "F");
	ck_assert_uint_eq(o.smp, 2);
	ck_assert(o.verbose && o.quiet);
	ck_assert_int_eq(o.cbitpos, 51);
	ck_assert_uint_eq(o.policy, 5);
	ck_assert(o.sev); /* CLI_ALSO */
	ck_assert_uint_eq(o.mem, 4ULL << 30);
	ck_assert_str_eq(o.mode, "a");
	ck_assert_uint_eq(o.snp_policy, 0x30000);
	ck_assert(o.snp);
	ck_assert_uint_eq(o.width, 0xff);
	ck_assert_uint_eq(o.timeout, 16);
	ck_assert_uint_eq(a.n, 1);
	ck_assert_str_eq(a.v[0], "-file");

	/* What is not given keeps its default; the alias fills the same
	 * field; an unambiguous prefix is the option (as getopt_long). */
	ck_assert_int_eq(parse(&t_spec, &o, &a, err, sizeof(err),
			       W("--bios", "B", "--verb", "FILE")),
			 CLI_OK);
	ck_assert_str_eq(o.ovmf, "B");
	ck_assert(o.verbose && !o.quiet && !o.sev && !o.snp);
	ck_assert_int_eq(o.cbitpos, -1);
	ck_assert_uint_eq(o.smp, 1);
	ck_assert_uint_eq(o.mem, 512 << 20);
	ck_assert_str_eq(a.v[0], "FILE");

	/* The last of a repeated option wins; a dash alone is an operand. */
	ck_assert_int_eq(parse(&t_spec, &o, &a, err, sizeof(err),
			       W("--smp", "3", "-", "--smp", "4")),
			 CLI_OK);
	ck_assert_uint_eq(o.smp, 4);
	ck_assert_str_eq(a.v[0], "-");
}
END_TEST

static const struct {
	const char *const *words;
	const char *err;
} t_errors[] = {
	/* What QEMU users type first. */
	{W("-bios", "F"),
	 "unknown option '-bios' (sevboot's options take two dashes: "
	 "--bios)"},
	{W("--ovmf", "F", "-smp", "2"),
	 "unknown option '-smp' (sevboot's options take two dashes: --smp)"},
	{W("-m", "512"), "unknown option '-m' (QEMU's -m is --mem here)"},
	{W("--me=512"), "--me 512: must be a size from 16M to 1T, such as "
			"512M or 4G"},
	{W("--m", "1G"), "option '--m' is ambiguous: --mem, --mode"},
	/* Values: the option as typed, the value, what it must be. */
	{W("--smp", "x"), "--smp x: must be a number from 1 to 256"},
	{W("--smp", "0"), "--smp 0: must be a number from 1 to 256"},
	{W("--smp", "257"), "--smp 257: must be a number from 1 to 256"},
	{W("--smp", "-1"), "--smp -1: must be a number from 1 to 256"},
	{W("--smp", "+1"), "--smp +1: must be a number from 1 to 256"},
	{W("--smp="), "--smp '': must be a number from 1 to 256"},
	{W("--smp", "1 2"), "--smp '1 2': must be a number from 1 to 256"},
	{W("--sm", "x"), "--sm x: must be a number from 1 to 256"},
	{W("--timeout", "0"),
	 "--timeout 0: must be a number of seconds from 1 to 604800"},
	{W("--cbitpos", "64"), "--cbitpos 64: must be a number from 0 to 63"},
	{W("--cbitpos", "99999999999999999999999"),
	 "--cbitpos 99999999999999999999999: must be a number from 0 to 63"},
	{W("--width", "0x100"),
	 "--width 0x100: must be a hex number from 0x0 to 0xff"},
	{W("--mem", "12Q"),
	 "--mem 12Q: must be a size from 16M to 1T, such as 512M or 4G"},
	{W("--mem", "0"),
	 "--mem 0: must be a size from 16M to 1T, such as 512M or 4G"},
	{W("--mem", "1025G"),
	 "--mem 1025G: must be a size from 16M to 1T, such as 512M or 4G"},
	{W("--policy", "zz"),
	 "--policy zz: give the guest policy in hex, e.g. 0x5"},
	{W("--policy", "0x100000000"),
	 "--policy 0x100000000: give the guest policy in hex, e.g. 0x5"},
	{W("--mode", "c"), "--mode c: must be a or b"},
	/* Missing and unwanted values. */
	{W("--ovmf"), "--ovmf needs a value"},
	{W("--bios"), "--bios needs a value"},
	{W("--ovmf", "--smp", "2"),
	 "--ovmf needs a value (the next word, --smp, is an option)"},
	{W("--snp=1"), "--snp takes no value"},
	{W("--help=1"), "--help takes no value"},
	/* Unknown options and words. */
	{W("--ovfm", "F"), "unknown option '--ovfm' (did you mean --ovmf?)"},
	{W("--frobnicate"),
	 "unknown option '--frobnicate' (see sevboot test --help)"},
	{W("--frobnicate=2"),
	 "unknown option '--frobnicate' (see sevboot test --help)"},
	{W("-vx"), "unknown option '-vx' (see sevboot test --help)"},
	{W("-x"), "unknown option '-x' (see sevboot test --help)"},
	{W("--sn"), "option '--sn' is ambiguous: --snp, --snp-policy"},
	{W("a", "b"), "unexpected argument 'b'"},
	/* A word is repeated on one line, whatever it holds. */
	{W("a", "b\nc"), "unexpected argument 'b\\x0ac'"},
	{W("--smp", "1\n"), "--smp 1\\x0a: must be a number from 1 to 256"},
	{W("-\x1b[2J"), "unknown option '-\\x1b[2J' (see sevboot test "
			"--help)"},
	{W("--", "a", "--smp"), "unexpected argument '--smp'"},
	/* The first error wins, --help after it included. */
	{W("--smp", "x", "--help"), "--smp x: must be a number from 1 to 256"},
};

/* A limit below a digit's value (found by fuzz_numbers: max - d wrapped
 * and "0xE" passed a limit of 0). */
START_TEST(numbers_respect_small_limits)
{
	uint64_t v = 42;

	ck_assert_int_eq(cli_parse_num("E", true, 0, &v), -ERANGE);
	ck_assert_int_eq(cli_parse_num("0xf", false, 3, &v), -ERANGE);
	ck_assert_int_eq(cli_parse_num("9", false, 8, &v), -ERANGE);
	ck_assert_uint_eq(v, 42);
	ck_assert_int_eq(cli_parse_num("3", false, 3, &v), 0);
	ck_assert_uint_eq(v, 3);
	ck_assert_int_eq(cli_parse_num("0x3f", false, 63, &v), 0);
	ck_assert_uint_eq(v, 63);
	ck_assert_int_eq(cli_parse_num("0x40", false, 63, &v), -ERANGE);
	ck_assert_int_eq(cli_parse_num("18446744073709551615", false,
					 UINT64_MAX, &v),
			 0);
	ck_assert_uint_eq(v, UINT64_MAX);
	ck_assert_int_eq(cli_parse_num("18446744073709551616", false,
					 UINT64_MAX, &v),
			 -ERANGE);
}
END_TEST

START_TEST(errors_name_the_option)
{
	struct t_opts o;
	struct cli_args a;
	char err[512];

	for (size_t k = 0; k < sizeof(t_errors) / sizeof(t_errors[0]); k++) {
		enum cli_result r = parse(&t_spec, &o, &a, err, sizeof(err),
					  t_errors[k].words);

		ck_assert_msg(r == CLI_BAD, "case %zu (%s): result %d", k,
			      t_errors[k].err, r);
		ck_assert_str_eq(err, t_errors[k].err);
	}
}
END_TEST

START_TEST(long_words_are_cut)
{
	char word[4096], err[512];
	struct t_opts o;

	memset(word, '7', sizeof(word) - 1);
	word[sizeof(word) - 1] = '\0';
	ck_assert_int_eq(
		parse(&t_spec, &o, NULL, err, sizeof(err), W("--smp", word)),
		CLI_BAD);
	ck_assert_ptr_nonnull(strstr(err, "7..."));
	ck_assert_ptr_nonnull(strstr(err, ": must be a number from 1 to 256"));
	word[0] = '-';
	word[1] = '-';
	ck_assert_int_eq(parse(&t_spec, &o, NULL, err, sizeof(err), W(word)),
			 CLI_BAD);
	ck_assert_uint_lt(strlen(err), 200);
	/* No operands wanted: args may be NULL. */
	ck_assert_int_eq(parse(&t_spec, &o, NULL, err, sizeof(err), W("x")),
			 CLI_BAD);
	ck_assert_str_eq(err, "unexpected argument 'x'");
}
END_TEST

START_TEST(help_is_in_every_table)
{
	const char *const *asks[] = {W("--help"), W("-h"), W("-vh"), W("--he"),
				     W("--smp", "2", "-h")};
	struct t_opts o;
	char err[512];

	for (size_t k = 0; k < sizeof(asks) / sizeof(asks[0]); k++)
		ck_assert_int_eq(
			parse(&t_spec, &o, NULL, err, sizeof(err), asks[k]),
			CLI_ASKED_HELP);
	/* A word after "--" is an operand, even "--help". */
	ck_assert_int_eq(
		parse(&t_spec, &o, NULL, err, sizeof(err), W("--", "--help")),
		CLI_BAD);
}
END_TEST

START_TEST(broken_tables_are_refused)
{
	static const struct cli_opt dup[] = {
		{"smp", .arg = CLI_UINT, T(smp), .max = 9, .help = "a"},
		{"smp", .arg = CLI_UINT, T(smp), .max = 9, .help = "b"},
		{.arg = CLI_END},
	};
	static const struct cli_opt not_bool[] = {
		{"smp", .arg = CLI_FLAG, T(smp), .help = "a"},
		{.arg = CLI_END},
	};
	static const struct cli_opt too_big[] = {
		{"width", .arg = CLI_UINT, T(width), .max = 256, .help = "a"},
		{.arg = CLI_END},
	};
	static const struct cli_opt help_letter[] = {
		{"hold", 'h', CLI_FLAG, T(verbose), .help = "a"},
		{.arg = CLI_END},
	};
	static const struct cli_opt help_name[] = {
		{"help", .arg = CLI_FLAG, T(verbose), .help = "a"},
		{.arg = CLI_END},
	};
	static const struct cli_opt no_parse[] = {
		{"mode", .arg = CLI_CUSTOM, .help = "a"},
		{.arg = CLI_END},
	};
	static const struct cli_opt no_name[] = {
		{.arg = CLI_STRING, T(ovmf), .help = "a"},
		{.arg = CLI_END},
	};
	static const struct cli_opt *const broken[] = {
		dup,	   not_bool, too_big, help_letter,
		help_name, no_parse, no_name,
	};
	struct cli_spec s = t_spec;
	struct t_opts o;
	char err[512];

	for (size_t k = 0; k < sizeof(broken) / sizeof(broken[0]); k++) {
		s.opts = broken[k];
		ck_assert_int_eq(
			parse(&s, &o, NULL, err, sizeof(err), W("--verbose")),
			CLI_BROKEN);
		ck_assert_ptr_nonnull(strstr(err, "option table of sevboot "
						  "test"));
	}
	/* No table at all: only --help. */
	s.opts = NULL;
	ck_assert_int_eq(parse(&s, &o, NULL, err, sizeof(err), W("-h")),
			 CLI_ASKED_HELP);
	ck_assert_int_eq(parse(&s, &o, NULL, err, sizeof(err), W("--x")),
			 CLI_BAD);
}
END_TEST

START_TEST(usage_comes_from_the_table)
{
	char *text = NULL, *line, *save = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	const char *help, *section;

	ck_assert_ptr_nonnull(f);
	cli_usage(&t_spec, f);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(text, "usage: sevboot test [OPTIONS] "
					   "[FILE]\nAbout.\n\n"));
	/* Every visible option once, hidden aliases not at all. */
	for (const struct cli_opt *o = t_table; o->arg != CLI_END; o++) {
		char want[64];

		if (o->arg == CLI_SECTION || !o->help)
			continue;
		snprintf(want, sizeof(want), "--%s%s%s", o->name,
			 o->meta ? " " : "", o->meta ? o->meta : "");
		ck_assert_msg(strstr(text, want), "no '%s' in:\n%s", want,
			      text);
	}
	ck_assert_ptr_null(strstr(text, "  --bios"));
	ck_assert_ptr_nonnull(
		strstr(text, "  -v, --verbose         say more\n"));
	ck_assert_ptr_nonnull(strstr(text, "  --smp N               vCPUs\n"));
	/* --help closes the first group, before the first section. */
	help = strstr(text, "  -h, --help            this text\n");
	section = strstr(text, "\nLaunches:\n");
	ck_assert(help && section && help < section);
	ck_assert_ptr_nonnull(strstr(text, "\nExit codes: 2 usage.\n"));
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		ck_assert_msg(strlen(line) <= USAGE_WIDTH, "too long: %s",
			      line);
	free(text);
}
END_TEST

START_TEST(nearest_names)
{
	static const struct {
		const char *name;
		int other;
	} cmds[] = {
		{"run", 0}, {"measure", 0}, {"model-keys", 0}, {"inspect", 0}};

	ck_assert_str_eq(cli_nearest("mesure", 6, cmds, 4, sizeof(cmds[0])),
			 "measure");
	ck_assert_str_eq(cli_nearest("rnu", 3, cmds, 4, sizeof(cmds[0])),
			 "run");
	ck_assert_str_eq(cli_nearest("model-key", 9, cmds, 4, sizeof(cmds[0])),
			 "model-keys");
	ck_assert_ptr_null(cli_nearest("frob", 4, cmds, 4, sizeof(cmds[0])));
	ck_assert_ptr_null(cli_nearest("", 0, cmds, 4, sizeof(cmds[0])));
}
END_TEST

/* Random words from pieces of real ones: never a crash, always one
 * sentence, strings only ever point into argv. */
START_TEST(any_argv_is_safe)
{
	static const char *const pieces[] = {
		"-",	 "--",	   "--smp",   "-v",	  "=",	  "x",
		"",	 "-bios",  "--ovmf=", "0x",	  "512M", "--mode",
		"a",	 "-h",	   "--s",     "--snp",	  "-vq",  "--policy",
		"--mem", "-m",	   "ff",      "--width=", "1",	  "\xff",
		"\n",	 "--ovmf",
	};
	const size_t np = sizeof(pieces) / sizeof(pieces[0]);
	char words[8][64], *argv[9] = {"sevboot"}, err[512];
	unsigned seed = 1;

	for (int iter = 0; iter < 50000; iter++) {
		int argc = 1 + (int)(rand_r(&seed) % 8);
		struct t_opts o = t_defaults;
		struct cli_args a;
		enum cli_result r;

		for (int k = 1; k < argc; k++) {
			words[k][0] = '\0';
			for (int n = rand_r(&seed) % 3; n >= 0; n--)
				strncat(words[k], pieces[rand_r(&seed) % np],
					sizeof(words[k]) - strlen(words[k]) -
						1);
			argv[k] = words[k];
		}
		r = cli_parse_argv(&t_spec, argc, argv, &o, &a, err,
				   sizeof(err));
		ck_assert(r == CLI_OK || r == CLI_ASKED_HELP || r == CLI_BAD);
		if (r == CLI_BAD)
			ck_assert(err[0] && !strchr(err, '\n'));
		if (r == CLI_OK && o.ovmf) {
			bool found = false;

			for (int k = 1; k < argc; k++)
				found |= o.ovmf >= argv[k] &&
					 o.ovmf <= argv[k] + strlen(argv[k]);
			ck_assert(found);
		}
	}
}
END_TEST

/* ----------------------------------------------------- bin/sevboot */

static void slurp(int fd, char *buf, size_t len)
{
	ssize_t n;
	size_t used = 0;

	lseek(fd, 0, SEEK_SET);
	while (used + 1 < len && (n = read(fd, buf + used, len - 1 - used)) > 0)
		used += (size_t)n;
	buf[used] = '\0';
	close(fd);
}

/* Run bin/sevboot with words, signal sig (0: none) pending and blocked
 * as it starts; its exit code, stdout and stderr. */
static int run_sig(const char *bin, const char *const *words, int sig,
		   char *out, size_t outlen, char *err, size_t errlen)
{
	char *argv[16] = {(char *)bin}, o_path[] = "/tmp/cliopt-o.XXXXXX",
	     e_path[] = "/tmp/cliopt-e.XXXXXX";
	int argc = 1, ofd = mkstemp(o_path), efd = mkstemp(e_path), st;
	pid_t pid;

	ck_assert(ofd >= 0 && efd >= 0);
	unlink(o_path);
	unlink(e_path);
	while (*words)
		argv[argc++] = (char *)*words++;
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		dup2(ofd, 1);
		dup2(efd, 2);
		if (sig) {
			/* Blocked and pending signals survive execve(2). */
			sigset_t set;

			sigemptyset(&set);
			sigaddset(&set, sig);
			sigprocmask(SIG_BLOCK, &set, NULL);
			raise(sig);
		}
		execv(bin, argv);
		_exit(127);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	slurp(ofd, out, outlen);
	slurp(efd, err, errlen);
	ck_assert_msg(WIFEXITED(st), "sevboot died: status %d", st);
	return WEXITSTATUS(st);
}

static int run(const char *bin, const char *const *words, char *out,
	       size_t outlen, char *err, size_t errlen)
{
	return run_sig(bin, words, 0, out, outlen, err, errlen);
}

static const struct {
	const char *const *words;
	const char *err;
} sevboot_errors[] = {
	{W("-bios", "F"),
	 "sevboot: unknown option '-bios' (sevboot's options take two "
	 "dashes: --bios)\n"},
	{W("--ovmf", "F", "-smp", "2"),
	 "sevboot: unknown option '-smp' (sevboot's options take two dashes: "
	 "--smp)\n"},
	{W("-m", "1G"), "sevboot: unknown option '-m' (QEMU's -m is --mem "
			"here)\n"},
	{W("--smp", "x"), "sevboot: --smp x: must be a number from 1 to 256\n"},
	{W("--ovmf"), "sevboot: --ovmf needs a value\n"},
	{W("run", "--kernel"), "sevboot: --kernel needs a value\n"},
	{W("--mem", "1025G", "--kernel", "k"),
	 "sevboot: --mem 1025G: must be a size from 16M to 1T, such as 512M "
	 "or 4G\n"},
	{W("--frobnicate"),
	 "sevboot: unknown option '--frobnicate' (see sevboot run --help)\n"},
	{W("--cbitpos", "51", "--kernel", "k"),
	 "sevboot: --cbitpos, --reduced-phys-bits, --legacy-init and the "
	 "other SEV options need --policy or --snp\n"},
	{W("frob"), "sevboot: unknown command 'frob' (see sevboot --help)\n"},
	{W("fr\nob"),
	 "sevboot: unknown command 'fr\\x0aob' (see sevboot --help)\n"},
	{W("mesure"),
	 "sevboot: unknown command 'mesure' (did you mean measure?)\n"},
	{W("help", "frob"),
	 "sevboot: help: unknown command 'frob' (see sevboot --help)\n"},
	{W("measure", "-smp", "2"),
	 "sevboot: measure: unknown option '-smp' (QEMU's -smp is --vcpus "
	 "here)\n"},
	{W("measure", "--vcpus", "0"),
	 "sevboot: measure: --vcpus 0: must be a number from 1 to 256\n"},
	{W("inspect", "--jsn", "F"),
	 "sevboot: inspect: unknown option '--jsn' (did you mean --json?)\n"},
	{W("owner", "--digst", "0"),
	 "sevboot: owner: unknown option '--digst' (did you mean "
	 "--digest?)\n"},
	{W("session", "--policy", "0xz"),
	 "sevboot: session: --policy 0xz: must be a 32-bit hex number\n"},
	{W("model-keys", "-x"),
	 "sevboot: model-keys: unknown option '-x' (see sevboot model-keys "
	 "--help)\n"},
};

START_TEST(sevboot_usage_errors)
{
	const char *bin = sevboot_bin();
	char out[4096], err[4096];

	if (!bin)
		SKIP_TEST("bin/sevboot is not built");
	for (size_t k = 0;
	     k < sizeof(sevboot_errors) / sizeof(sevboot_errors[0]); k++) {
		int rc = run(bin, sevboot_errors[k].words, out, sizeof(out),
			     err, sizeof(err));

		ck_assert_msg(rc == 2, "case %zu: exit %d: %s", k, rc, err);
		ck_assert_str_eq(err, sevboot_errors[k].err);
		ck_assert_str_eq(out, "");
	}
}
END_TEST

START_TEST(sevboot_help)
{
	static const char *const cmds[] = {
		"run",	       "inspect",    "measure",	     "session",
		"owner",       "model-keys", "verify-chain", "verify-report",
		"show-report", "fetch",	     "help"};
	const char *bin = sevboot_bin();
	static char list[16384], out[16384], out2[16384], err[4096];

	if (!bin)
		SKIP_TEST("bin/sevboot is not built");
	ck_assert_int_eq(
		run(bin, W("--help"), list, sizeof(list), err, sizeof(err)), 0);
	ck_assert_str_eq(err, "");
	ck_assert_int_eq(
		run(bin, W("help"), out, sizeof(out), err, sizeof(err)), 0);
	ck_assert_str_eq(out, list);
	for (size_t k = 0; k < sizeof(cmds) / sizeof(cmds[0]); k++) {
		char want[64];

		/* sevboot --help lists it ... */
		snprintf(want, sizeof(want), "\n  %-13s ", cmds[k]);
		ck_assert_msg(strstr(list, want), "--help lacks %s", cmds[k]);
		if (!strcmp(cmds[k], "help"))
			continue;
		/* ... and help CMD is CMD --help, from a table that is
		 * well formed (a broken one exits 1). */
		ck_assert_int_eq(run(bin, W("help", cmds[k]), out, sizeof(out),
				     err, sizeof(err)),
				 0);
		ck_assert_int_eq(run(bin, W(cmds[k], "--help"), out2,
				     sizeof(out2), err, sizeof(err)),
				 0);
		ck_assert_str_eq(err, "");
		ck_assert_str_eq(out, out2);
		snprintf(want, sizeof(want), "usage: sevboot %s",
			 strcmp(cmds[k], "run") ? cmds[k] : "[run]");
		ck_assert_msg(!strncmp(out, want, strlen(want)), "%s", out);
		ck_assert_ptr_nonnull(strstr(out, "  -h, --help "));
		ck_assert_ptr_nonnull(strstr(out, "Exit codes: "));
	}
	/* Only options: run's.  The options of run are in its --help. */
	ck_assert_int_eq(run(bin, W("-v", "--help"), out2, sizeof(out2), err,
			     sizeof(err)),
			 0);
	ck_assert_int_eq(
		run(bin, W("help", "run"), out, sizeof(out), err, sizeof(err)),
		0);
	ck_assert_str_eq(out, out2);
	ck_assert_ptr_nonnull(strstr(out, "\n  --smp N "));
	ck_assert_ptr_nonnull(strstr(out, "(alias --bios)"));
	ck_assert_int_eq(
		run(bin, W("--version"), out, sizeof(out), err, sizeof(err)),
		0);
	ck_assert_ptr_nonnull(strstr(out, "sevboot "));
}
END_TEST

/*
 * Ctrl-C, SIGTERM and SIGHUP during start-up (reading the inputs, building
 * the launch plan) stop sevboot at the next step with 128 + n and one line
 * naming the signal; nothing is written (no --timing-json).  The signal is
 * made pending before sevboot starts, so this needs no KVM and no timing.
 */
START_TEST(sevboot_stops_during_startup)
{
	const char *bin = sevboot_bin();
	char fw[512], amd[512], out[4096], err[4096];
	char tj[] = "/tmp/cliopt-tj.XXXXXX";
	int fd, rc;

	if (!bin)
		SKIP_TEST("bin/sevboot is not built");
	if (!shared_path("firmware/OVMF.deb12.fd", fw, sizeof(fw)) ||
	    !shared_path("firmware/OVMF.amdsev.sid.fd", amd, sizeof(amd)))
		SKIP_TEST("no ../shared/firmware (SEVBOOT_SHARED)");
	rc = run_sig(bin, W("--ovmf", fw, "--mem", "64M"), SIGTERM, out,
		     sizeof(out), err, sizeof(err));
	ck_assert_msg(rc == 128 + SIGTERM, "exit %d: %s", rc, err);
	ck_assert_str_eq(err, "sevboot: stopped by signal 15 (Terminated) "
			      "while reading the inputs\n");
	ck_assert_str_eq(out, "");

	fd = mkstemp(tj);
	ck_assert_int_ge(fd, 0);
	close(fd);
	unlink(tj);
	rc = run_sig(bin,
		     W("--ovmf", amd, "--policy", "0x1", "--sev-model",
		       "--timing-json", tj),
		     SIGHUP, out, sizeof(out), err, sizeof(err));
	ck_assert_msg(rc == 128 + SIGHUP, "exit %d: %s", rc, err);
	ck_assert_str_eq(err, "sevboot: stopped by signal 1 (Hangup) while "
			      "reading the inputs\n");
	ck_assert_int_eq(access(tj, F_OK), -1);

	/* Without the signal the same run goes on (to the missing
	 * /dev/kvm here, or further where there is one). */
	rc = run(bin, W("--ovmf", fw, "--mem", "64M", "--timeout", "1"), out,
		 sizeof(out), err, sizeof(err));
	ck_assert_msg(rc != 128 + SIGTERM && !strstr(err, "stopped by signal"),
		      "exit %d: %s", rc, err);
}
END_TEST

/* No command of sevboot may leave a core with keys or secrets in it. */
START_TEST(core_dumps_are_off)
{
	struct rlimit rl;

	ck_assert_int_eq(cli_no_core_dumps(), 0);
	ck_assert_int_eq(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 0);
	ck_assert_int_eq(getrlimit(RLIMIT_CORE, &rl), 0);
	ck_assert_uint_eq(rl.rlim_cur, 0);
	ck_assert_uint_eq(rl.rlim_max, 0);
}
END_TEST

static Suite *cli_opts_suite(void)
{
	Suite *s = suite_create("cli_opts");
	TCase *parser = tcase_create("parser");
	TCase *bin = tcase_create("sevboot");

	tcase_add_test(parser, parses_every_kind);
	tcase_add_test(parser, numbers_respect_small_limits);
	tcase_add_test(parser, errors_name_the_option);
	tcase_add_test(parser, long_words_are_cut);
	tcase_add_test(parser, help_is_in_every_table);
	tcase_add_test(parser, broken_tables_are_refused);
	tcase_add_test(parser, usage_comes_from_the_table);
	tcase_add_test(parser, nearest_names);
	tcase_set_timeout(parser, 30);
	tcase_add_test(parser, any_argv_is_safe);
	suite_add_tcase(s, parser);

	tcase_set_timeout(bin, 30);
	tcase_add_test(bin, sevboot_usage_errors);
	tcase_add_test(bin, sevboot_help);
	tcase_add_test(bin, core_dumps_are_off);
	tcase_add_test(bin, sevboot_stops_during_startup);
	suite_add_tcase(s, bin);
	return s;
}

int main(void)
{
	return run_suite(cli_opts_suite());
}
