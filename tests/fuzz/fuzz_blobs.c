// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness for the readers of binary values people keep as raw
 * bytes, hex or base64: hex_or_base64_decode (digests and nonces typed
 * on a command line), base64_decode_text (files with white space),
 * hex_decode, and cli_read_blob (cli/opts.c, compiled in: --id-block,
 * --id-auth, --dh-cert-file, --session-file), which reads a real file
 * (a memfd holding the input).  The first input byte picks the reader and
 * the wanted size, the rest is the text.
 *
 * Checked: what is accepted has exactly the wanted size and encodes back
 * to the text (hex in either case; base64 without its white space); a
 * file of exactly the wanted size is taken raw; the rest is refused.
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cli/opts.c"
#include "tests/fuzz/quiet.h"
#include "util/util.h"

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "fuzz_blobs: check failed: %s\n",      \
				#cond);                                        \
			abort();                                               \
		}                                                              \
	} while (0)

/* The sizes sevboot reads: nonces, digests, SNP's, the ID block, the
 * session blob, the ID auth and a SEV certificate. */
static const size_t wants[] = {16, 32, 48, 64, 96, 0x80, 4096, 0x824};
#define NWANTS (sizeof(wants) / sizeof(wants[0]))

/* s (len bytes) without white space equals the encoding in enc. */
static bool same_text(const char *s, size_t len, const char *enc)
{
	size_t k = 0;

	for (size_t i = 0; i < len; i++) {
		if (isspace((unsigned char)s[i]))
			continue;
		if (tolower((unsigned char)s[i]) !=
		    tolower((unsigned char)enc[k]))
			return false;
		k++;
	}
	return enc[k] == '\0';
}

static void fuzz_hex_or_base64(size_t want, const char *s, size_t len)
{
	uint8_t *out = malloc(want);
	char *enc = malloc(BASE64_LEN(want) + 2 * want + 1);

	CHECK(out && enc);
	if (!hex_or_base64_decode(s, out, want)) {
		if (len == 2 * want)
			hex_encode(out, want, enc);
		else
			base64_encode(out, want, enc);
		CHECK(same_text(s, len, enc));
	}
	free(out);
	free(enc);
}

static void fuzz_base64_text(size_t want, const char *s, size_t len)
{
	uint8_t *out = malloc(want);
	char *enc = malloc(BASE64_LEN(want) + 1);

	CHECK(out && enc);
	if (!base64_decode_text((const uint8_t *)s, len, out, want)) {
		base64_encode(out, want, enc);
		CHECK(same_text(s, len, enc));
	}
	free(out);
	free(enc);
}

static void fuzz_hex(size_t want, const char *s, size_t len)
{
	uint8_t *out = malloc(want);
	char *enc = malloc(2 * want + 1);

	CHECK(out && enc);
	if (!hex_decode(s, len, out, want)) {
		CHECK(len == 2 * want);
		hex_encode(out, want, enc);
		CHECK(same_text(s, len, enc));
	}
	free(out);
	free(enc);
}

static void fuzz_file(size_t want, const uint8_t *d, size_t len)
{
	uint8_t *out = malloc(want);
	char path[64];
	int fd = memfd_create("blob", MFD_CLOEXEC), ret;

	CHECK(out && fd >= 0);
	CHECK(write(fd, d, len) == (ssize_t)len);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	/* Its refusals go to stderr: quiet them (not the checks below). */
	quiet_begin();
	ret = cli_read_blob("--fuzz", path, want, out);
	quiet_end();
	CHECK(ret == 0 || ret == EXIT_BAD_INPUT);
	if (len == want)
		CHECK(ret == 0 && memcmp(out, d, want) == 0);
	close(fd);
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t n)
{
	size_t want, len;
	char *s;

	if (!n)
		return 0;
	want = wants[in[0] % NWANTS];
	len = n - 1;
	s = malloc(len + 1);
	CHECK(s);
	memcpy(s, in + 1, len);
	s[len] = '\0';
	switch (in[0] >> 6) {
	case 0:
		/* A command-line word: up to the first NUL. */
		fuzz_hex_or_base64(want, s, strlen(s));
		break;
	case 1:
		fuzz_base64_text(want, s, len);
		break;
	case 2:
		fuzz_hex(want, s, len);
		break;
	default:
		fuzz_file(want, in + 1, len);
		break;
	}
	free(s);
	return 0;
}
