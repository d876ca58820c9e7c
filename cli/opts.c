// SPDX-License-Identifier: MIT
/* Option values shared by the sub-commands. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "cli/cli.h"
#include "loader/loader.h"
#include "util/util.h"

/*
 * Numbers: "0x..." is hex, anything else decimal, except where the option
 * is documented as HEX, where the 0x is optional.  Digits only: strtoull
 * alone would take signs, spaces and empty strings.
 */
int cli_parse_num(const char *s, bool hex, uint64_t max, uint64_t *out)
{
	const char *p = s;
	uint64_t v = 0;
	unsigned base = hex ? 16 : 10;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	if (!*p)
		return -EINVAL;
	for (; *p; p++) {
		unsigned d;

		if (*p >= '0' && *p <= '9')
			d = (unsigned)(*p - '0');
		else if (base == 16 && *p >= 'a' && *p <= 'f')
			d = (unsigned)(*p - 'a' + 10);
		else if (base == 16 && *p >= 'A' && *p <= 'F')
			d = (unsigned)(*p - 'A' + 10);
		else
			return -EINVAL;
		/* d > max first: max - d would wrap and let anything in. */
		if (d > max || v > (max - d) / base)
			return -ERANGE;
		v = v * base + d;
	}
	*out = v;
	return 0;
}

int cli_read_blob(const char *opt, const char *path, size_t want,
		  uint8_t *out)
{
	/* Room for the base64 of want bytes with line breaks. */
	size_t cap = want * 2 + 4096;
	struct blob text;
	char err[256];
	int ret = file_read(path, cap, &text, err, sizeof(err));

	if (ret == -EFBIG) {
		fprintf(stderr,
			"sevboot: %s %s: too big: expected %zu bytes (raw) or "
			"their base64\n",
			opt, path, want);
		return EXIT_BAD_INPUT;
	}
	if (ret) {
		fprintf(stderr, "sevboot: %s %s: %s\n", opt, path, err);
		return ret == -ENOMEM ? EXIT_RUNTIME : EXIT_BAD_INPUT;
	}
	if (text.len == want) {
		memcpy(out, text.data, want);
	} else if (base64_decode_text(text.data, text.len, out, want)) {
		fprintf(stderr,
			"sevboot: %s %s: expected %zu bytes (raw) or their "
			"base64, found %zu bytes that are neither\n",
			opt, path, want, text.len);
		ret = EXIT_BAD_INPUT;
	}
	OPENSSL_cleanse(text.data, text.len);
	blob_free(&text);
	return ret;
}

int owner_exit_code(int ret)
{
	switch (ret) {
	case 0:
		return 0;
	case -EINVAL:
	case -ENAMETOOLONG:
	case -EEXIST:
	case -EADDRINUSE:
		return EXIT_USAGE;
	case -ETIMEDOUT:
		return EXIT_TIMEOUT;
	case -EBADMSG:
		return EXIT_BAD_INPUT;
	case -ECANCELED:
		return EXIT_SEV;
	default:
		return EXIT_RUNTIME;
	}
}

int cli_no_core_dumps(void)
{
	const struct rlimit none = { 0, 0 };

	/* RLIMIT_CORE 0 for the core file; not dumpable also covers a
	 * core_pattern pipe (which ignores RLIMIT_CORE) and ptrace. */
	if (setrlimit(RLIMIT_CORE, &none) || prctl(PR_SET_DUMPABLE, 0, 0, 0, 0))
		return -1;
	return 0;
}
