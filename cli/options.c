// SPDX-License-Identifier: MIT
/*
 * The one option parser of the sub-commands, and their --help text, both
 * driven by a command's table of struct cli_opt (cli/cli.h).
 *
 * Why not getopt_long alone: inside a cluster of short options it blames
 * the word before ("-smp" is -s -m -p to it, and argv[optind - 1] is the
 * previous word), and it cannot tell a QEMU user who typed -smp that
 * sevboot spells it --smp.  What getopt_long accepted is still accepted:
 * --name VALUE, --name=VALUE, an unambiguous prefix of a long name,
 * clusters of one-letter flags (-v), operands anywhere, and "--" before
 * operands that start with a dash.  Nothing else is: a single-dash long
 * option is an error that says how to spell it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "loader/loader.h"

#define USAGE_COL   24 /* where the help of an option starts */
#define USAGE_WIDTH 79

static const struct cli_opt help_opt = {
	.name = "help",
	.short_name = 'h',
	.arg = CLI_HELP,
	.help = "this text",
};

struct parser {
	const struct cli_spec *s;
	void *opts;
	struct cli_args *args;
	int argc, k; /* argv[k] is the next word */
	char *const *argv;
	char *err;
	size_t errlen;
};

static enum cli_result __attribute__((format(printf, 3, 4)))
reject(struct parser *p, enum cli_result r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->err, p->errlen, fmt, ap);
	va_end(ap);
	return r;
}

const char *cli_word(char *buf, size_t cap, const char *w, size_t len)
{
	size_t i, o = 0;

	for (i = 0; i < len && w[i] && i < CLI_WORD_SHOWN && o + 5 < cap; i++) {
		unsigned char c = (unsigned char)w[i];

		if (c < 0x20 || c == 0x7f)
			o += (size_t)snprintf(buf + o, cap - o, "\\x%02x", c);
		else
			buf[o++] = (char)c;
	}
	if (i < len && w[i] && o + 4 < cap) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	if (cap)
		buf[o < cap ? o : cap - 1] = '\0';
	return buf;
}

/* Every option of s, the implicit --help last; NULL after it. */
static const struct cli_opt *next_opt(const struct cli_spec *s,
				      const struct cli_opt *o)
{
	if (o == &help_opt)
		return NULL;
	o = o ? o + 1 : s->opts;
	while (o && o->arg == CLI_SECTION)
		o++;
	return o && o->arg != CLI_END ? o : &help_opt;
}

#define for_each_opt(s, o) for (o = next_opt(s, NULL); o; o = next_opt(s, o))

static bool takes_value(const struct cli_opt *o)
{
	return o->arg != CLI_FLAG && o->arg != CLI_HELP;
}

static bool is_number(const struct cli_opt *o)
{
	return o->arg == CLI_UINT || o->arg == CLI_HEX || o->arg == CLI_SIZE;
}

static bool same(const char *name, const char *w, size_t len)
{
	return strlen(name) == len && !memcmp(name, w, len);
}

static const struct cli_opt *find_exact(const struct cli_spec *s, const char *w,
					size_t len)
{
	const struct cli_opt *o;

	for_each_opt(s, o) if (same(o->name, w, len)) return o;
	return NULL;
}

/* The option w[0..len) names exactly, or the only one it begins. */
static const struct cli_opt *find_long(const struct cli_spec *s, const char *w,
				       size_t len, unsigned *nmatch)
{
	const struct cli_opt *o, *found = NULL;

	*nmatch = 0;
	if ((found = find_exact(s, w, len))) {
		*nmatch = 1;
		return found;
	}
	for_each_opt(s,
		     o) if (len && !strncmp(o->name, w, len) && o->name[len] &&
			    (!found || found->off != o->off ||
			     found->arg != o->arg || found->parse != o->parse))
	{
		/* Aliases of one target are one option. */
		found = o;
		(*nmatch)++;
	}
	return *nmatch == 1 ? found : NULL;
}

static const struct cli_opt *find_short(const struct cli_spec *s, char c)
{
	const struct cli_opt *o;

	for_each_opt(s, o) if (o->short_name && o->short_name == c) return o;
	return NULL;
}

/* Edits from a[0..alen) to b: insert, delete, change, or swap two
 * neighbours (the typo "--ovfm" is one edit from --ovmf). */
static size_t edit_distance(const char *a, size_t alen, const char *b)
{
	unsigned char d[64][64];
	size_t blen = strlen(b);

	if (alen >= 64 || blen >= 64)
		return SIZE_MAX;
	for (size_t i = 0; i <= alen; i++)
		d[i][0] = (unsigned char)i;
	for (size_t j = 0; j <= blen; j++)
		d[0][j] = (unsigned char)j;
	for (size_t i = 1; i <= alen; i++) {
		for (size_t j = 1; j <= blen; j++) {
			unsigned v = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);

			if (d[i - 1][j] + 1u < v)
				v = d[i - 1][j] + 1u;
			if (d[i][j - 1] + 1u < v)
				v = d[i][j - 1] + 1u;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1u < v)
				v = d[i - 2][j - 2] + 1u;
			d[i][j] = (unsigned char)v;
		}
	}
	return d[alen][blen];
}

const char *cli_nearest(const char *word, size_t len, const void *names,
			size_t n, size_t stride)
{
	const char *best = NULL;
	/* One typo in a short name, two in a longer one. */
	size_t best_d = len <= 4 ? 2 : 3;

	for (size_t k = 0; k < n; k++) {
		const char *name;
		size_t d;

		memcpy(&name, (const char *)names + k * stride, sizeof(name));
		if (!name)
			continue;
		d = edit_distance(word, len, name);
		if (d < best_d) {
			best = name;
			best_d = d;
		}
	}
	return best;
}

static const char *nearest_opt(const struct cli_spec *s, const char *w,
			       size_t len)
{
	const char *best = NULL;
	size_t n = 0;

	/* The table is an array; its entries with no name are skipped. */
	if (s->opts) {
		while (s->opts[n].arg != CLI_END)
			n++;
		best = cli_nearest(w, len, s->opts, n, sizeof(*s->opts));
	}
	return best ? best
		    : cli_nearest(w, len, &help_opt, 1, sizeof(help_opt));
}

/* ------------------------------------------------------------ values */

static void store_uint(void *field, size_t size, uint64_t v)
{
	uint8_t b = (uint8_t)v;
	uint16_t h = (uint16_t)v;
	uint32_t w = (uint32_t)v;

	if (size == 1)
		memcpy(field, &b, 1);
	else if (size == 2)
		memcpy(field, &h, 2);
	else if (size == 4)
		memcpy(field, &w, 4);
	else
		memcpy(field, &v, 8);
}

/* 16M, 1T: the largest unit that divides n. */
/* What a number option's value must be. */
static const char *number_rule(const struct cli_opt *o, char *buf, size_t len)
{
	char lo[32], hi[32];

	if (o->bad)
		return o->bad;
	if (o->arg == CLI_SIZE) {
		size_format(o->min, lo, sizeof(lo));
		size_format(o->max, hi, sizeof(hi));
		snprintf(buf, len,
			 "must be a size from %s to %s, such as "
			 "512M or 4G",
			 lo, hi);
	} else if (o->arg == CLI_HEX) {
		snprintf(buf, len, "must be a hex number from 0x%llx to 0x%llx",
			 (unsigned long long)o->min,
			 (unsigned long long)o->max);
	} else {
		snprintf(buf, len, "must be a number%s%s from %llu to %llu",
			 o->unit ? " of " : "", o->unit ? o->unit : "",
			 (unsigned long long)o->min,
			 (unsigned long long)o->max);
	}
	return buf;
}

static bool number_ok(const struct cli_opt *o, const char *v, uint64_t *n)
{
	int ret = o->arg == CLI_SIZE
			  ? parse_size(v, n)
			  : cli_parse_num(v, o->arg == CLI_HEX, o->max, n);

	return !ret && *n >= o->min && *n <= o->max;
}

/* typed: the option as the user wrote it ("--smp", "-v", "--bios"). */
static enum cli_result set(struct parser *p, const struct cli_opt *o,
			   const char *typed, int tlen, const char *v)
{
	char *field = (char *)p->opts + o->off, rule[160];
	const char *why = NULL;
	const bool yes = true;
	uint64_t n;

	if (o->arg == CLI_FLAG)
		memcpy(field, &yes, sizeof(yes));
	else if (o->arg == CLI_STRING)
		memcpy(field, &v, sizeof(v));
	else if (o->arg == CLI_CUSTOM)
		why = o->parse(p->opts, v);
	else if (!number_ok(o, v, &n))
		why = number_rule(o, rule, sizeof(rule));
	else
		store_uint(field, o->size, n);
	if (why) {
		char shown[CLI_WORD_MAX];
		bool quote = !*v || strpbrk(v, " \t");

		return reject(p, CLI_BAD, "%.*s %s%s%s: %s", tlen, typed,
			      quote ? "'" : "",
			      cli_word(shown, sizeof(shown), v, SIZE_MAX),
			      quote ? "'" : "", why);
	}
	if (o->also)
		memcpy((char *)p->opts + o->also - 1, &yes, sizeof(yes));
	return CLI_OK;
}

/* "--kernel" as the value of --ovmf is a forgotten value, not a file. */
static bool is_option_word(const struct cli_spec *s, const char *w)
{
	return w[0] == '-' && w[1] == '-' && w[2] &&
	       find_exact(s, w + 2, strcspn(w + 2, "="));
}

/* The value of o: glued (--mem=4G, or what follows a short letter) or
 * the next word. */
static enum cli_result take(struct parser *p, const struct cli_opt *o,
			    const char *typed, int tlen, const char *glued)
{
	const char *v = glued;

	if (o->arg == CLI_HELP)
		return glued ? reject(p, CLI_BAD, "%.*s takes no value", tlen,
				      typed)
			     : CLI_ASKED_HELP;
	if (!takes_value(o))
		return glued ? reject(p, CLI_BAD, "%.*s takes no value", tlen,
				      typed)
			     : set(p, o, typed, tlen, NULL);
	if (!v) {
		if (p->k >= p->argc)
			return reject(p, CLI_BAD, "%.*s needs a value", tlen,
				      typed);
		v = p->argv[p->k];
		if (is_option_word(p->s, v))
			return reject(p, CLI_BAD,
				      "%.*s needs a value (the next word, "
				      "%.*s, is an option)",
				      tlen, typed, (int)strcspn(v, "="), v);
		p->k++;
	}
	return set(p, o, typed, tlen, v);
}

/* ------------------------------------------------------------- words */

/* w[0..len) is "-name" or "--name": no such option.  Say what was meant
 * if we can tell. */
static enum cli_result unknown(struct parser *p, const char *w, size_t len)
{
	const char *name = w + 1 + (w[1] == '-');
	size_t nlen = len - (size_t)(name - w);
	const struct cli_opt *o;
	const char *near;
	char shown[CLI_WORD_MAX];

	cli_word(shown, sizeof(shown), w, len);
	if (w[1] != '-' && (o = find_exact(p->s, name, nlen)))
		return reject(p, CLI_BAD,
			      "unknown option '%s' (sevboot's options take "
			      "two dashes: --%s)",
			      shown, o->name);
	for_each_opt(p->s, o) if (
		o->qemu &&
		same(o->qemu, name,
		     nlen)) return reject(p, CLI_BAD,
					  "unknown option '%s' (QEMU's -%s is "
					  "--%s here)",
					  shown, o->qemu, o->name);
	near = nearest_opt(p->s, name, nlen);
	if (near)
		return reject(p, CLI_BAD,
			      "unknown option '%s' (did you mean --%s?)", shown,
			      near);
	return reject(p, CLI_BAD, "unknown option '%s' (see sevboot %s --help)",
		      shown, p->s->name);
}

static enum cli_result long_word(struct parser *p, const char *w)
{
	const char *name = w + 2, *eq = strchr(name, '=');
	size_t len = eq ? (size_t)(eq - name) : strlen(name);
	const struct cli_opt *o, *c;
	unsigned n;
	char list[256] = "";
	size_t used = 0;

	o = find_long(p->s, name, len, &n);
	if (o)
		return take(p, o, w, (int)(len + 2), eq ? eq + 1 : NULL);
	if (n <= 1)
		return unknown(p, w, len + 2);
	for_each_opt(p->s,
		     c) if (!strncmp(c->name, name, len) && used < sizeof(list))
		used += (size_t)snprintf(list + used, sizeof(list) - used,
					 "%s--%s", used ? ", " : "", c->name);
	/* A prefix of two names or more: it is not long, nor odd. */
	return reject(p, CLI_BAD, "option '--%.*s' is ambiguous: %s", (int)len,
		      name, list);
}

/* "-v", "-vh": one-letter options; a letter that takes a value takes
 * the rest of the word, or the next word. */
static enum cli_result short_word(struct parser *p, const char *w)
{
	const struct cli_opt *o;
	enum cli_result r;
	size_t i;

	for (i = 1; w[i]; i++) {
		o = find_short(p->s, w[i]);
		if (!o)
			return unknown(p, w, strcspn(w, "="));
		if (takes_value(o))
			break;
	}
	for (i = 1; w[i]; i++) {
		char typed[2] = {'-', w[i]};

		o = find_short(p->s, w[i]);
		if (takes_value(o))
			return take(p, o, typed, 2,
				    w[i + 1] ? w + i + 1 : NULL);
		r = take(p, o, typed, 2, NULL);
		if (r != CLI_OK)
			return r;
	}
	return CLI_OK;
}

static enum cli_result operand(struct parser *p, const char *w)
{
	char shown[CLI_WORD_MAX];

	if (p->args && p->args->n < p->s->max_args) {
		p->args->v[p->args->n++] = w;
		return CLI_OK;
	}
	return reject(p, CLI_BAD, "unexpected argument '%s'",
		      cli_word(shown, sizeof(shown), w, SIZE_MAX));
}

/* ------------------------------------------------------------- table */

static const char *check_opt(const struct cli_spec *s, const struct cli_opt *o)
{
	const struct cli_opt *q;

	if (!o->name || strlen(o->name) < 2 || strchr(o->name, '='))
		return "a long name of two letters or more";
	for_each_opt(s,
		     q) if (q != o && q->name &&
			    (!strcmp(q->name, o->name) ||
			     (o->short_name &&
			      q->short_name ==
				      o->short_name))) return "a second option "
							      "of that name";
	if (o->arg == CLI_FLAG && o->size != sizeof(bool))
		return "a flag needs a bool";
	if (o->arg == CLI_STRING && o->size != sizeof(const char *))
		return "a string needs a const char *";
	if (o->arg == CLI_CUSTOM && !o->parse)
		return "a custom option needs .parse";
	if (is_number(o) &&
	    ((o->size != 1 && o->size != 2 && o->size != 4 && o->size != 8) ||
	     o->min > o->max || (o->size < 8 && o->max >> (o->size * 8))))
		return "a number needs a field of 1, 2, 4 or 8 bytes that "
		       "holds "
		       ".min to .max";
	if (o->arg < CLI_FLAG || o->arg > CLI_CUSTOM)
		return "an argument kind";
	return NULL;
}

static enum cli_result check_spec(struct parser *p)
{
	const struct cli_spec *s = p->s;
	const struct cli_opt *o;
	const char *why;

	if (s->max_args > CLI_MAX_ARGS)
		return reject(p, CLI_BROKEN,
			      "sevboot %s takes more operands "
			      "than CLI_MAX_ARGS",
			      s->name);
	for (o = s->opts; o && o->arg != CLI_END; o++) {
		if (o->arg == CLI_SECTION)
			why = o->help ? NULL : "a section needs a text";
		else
			why = check_opt(s, o);
		if (why)
			return reject(p, CLI_BROKEN,
				      "the option table of sevboot %s: --%s: "
				      "wants %s",
				      s->name, o->name ? o->name : "?", why);
	}
	return CLI_OK;
}

enum cli_result cli_parse_argv(const struct cli_spec *s, int argc,
			       char *const *argv, void *opts,
			       struct cli_args *args, char *err, size_t errlen)
{
	struct parser p = {.s = s,
			   .opts = opts,
			   .args = args,
			   .argc = argc,
			   .k = 1,
			   .argv = argv,
			   .err = err,
			   .errlen = errlen};
	enum cli_result r;
	bool operands_only = false;

	if (errlen)
		err[0] = '\0';
	if (args)
		args->n = 0;
	r = check_spec(&p);
	while (r == CLI_OK && p.k < argc) {
		const char *w = argv[p.k++];

		if (operands_only || w[0] != '-' || !w[1])
			r = operand(&p, w);
		else if (!strcmp(w, "--"))
			operands_only = true;
		else if (w[1] == '-')
			r = long_word(&p, w);
		else
			r = short_word(&p, w);
	}
	return r;
}

int cli_error(const struct cli_spec *s, const char *fmt, ...)
{
	va_list ap;

	fputs(s->prefix, stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_USAGE;
}

void cli_cmd_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "sevboot: %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int cli_parse(const struct cli_spec *s, int argc, char **argv, void *opts,
	      struct cli_args *args)
{
	char err[512];

	switch (cli_parse_argv(s, argc, argv, opts, args, err, sizeof(err))) {
	case CLI_OK:
		return -1;
	case CLI_ASKED_HELP:
		cli_usage(s, stdout);
		return 0;
	case CLI_BROKEN:
		fprintf(stderr, "sevboot: internal error: %s\n", err);
		return EXIT_RUNTIME;
	default:
		return cli_error(s, "%s", err);
	}
}

/* ------------------------------------------------------------- usage */

/* Words of text from column col on, wrapped to lines indented by indent. */
static void wrap(FILE *f, const char *text, size_t col, size_t indent)
{
	const char *w = text;

	while (*w) {
		size_t n = strcspn(w, " ");

		if (col > indent && col + 1 + n > USAGE_WIDTH) {
			fprintf(f, "\n%*s", (int)indent, "");
			col = indent;
		} else if (col > indent) {
			fputc(' ', f);
			col++;
		}
		fwrite(w, 1, n, f);
		col += n;
		w += n;
		w += strspn(w, " ");
	}
	fputc('\n', f);
}

static void usage_opt(FILE *f, const struct cli_opt *o)
{
	int col;

	if (o->short_name)
		col = fprintf(f, "  -%c, --%s", o->short_name, o->name);
	else
		col = fprintf(f, "  --%s", o->name);
	if (takes_value(o))
		col += fprintf(f, " %s", o->meta ? o->meta : "VALUE");
	if (col < 0 || col >= USAGE_COL - 1) {
		fputc('\n', f);
		col = 0;
	}
	fprintf(f, "%*s", USAGE_COL - col, "");
	wrap(f, o->help, USAGE_COL, USAGE_COL);
}

/* --help goes last among the options, before the first section (the
 * sections that follow are about options for special cases). */
void cli_usage(const struct cli_spec *s, FILE *f)
{
	const struct cli_opt *o;
	bool help_done = false;

	fprintf(f, "usage: sevboot %s\n", s->synopsis);
	if (s->about)
		fputs(s->about, f);
	fputc('\n', f);
	for (o = s->opts; o && o->arg != CLI_END; o++) {
		if (o->arg == CLI_SECTION) {
			if (!help_done)
				usage_opt(f, &help_opt);
			help_done = true;
			fputc('\n', f);
			wrap(f, o->help, 0, 0);
		} else if (o->help) {
			usage_opt(f, o);
		}
	}
	if (!help_done)
		usage_opt(f, &help_opt);
	if (s->notes) {
		fputc('\n', f);
		fputs(s->notes, f);
	}
}
