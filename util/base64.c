// SPDX-License-Identifier: MIT
/*
 * util/base64.c: RFC 4648 base64 with padding, through OpenSSL's
 * EVP_EncodeBlock/EVP_DecodeBlock.  OpenSSL's decoder is lenient (it
 * skips leading and trailing white space and does not check the bits the
 * padding stands for), so the strict decoder re-encodes what it decoded
 * and accepts only text that comes out the same: canonical base64.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "util/util.h"

size_t base64_encode(const uint8_t *in, size_t n, char *out)
{
	size_t o = 0;

	/* EVP_EncodeBlock takes an int length: feed it whole groups. */
	while (n) {
		size_t chunk = n > (size_t)3 << 24 ? (size_t)3 << 24 : n;

		o += (size_t)EVP_EncodeBlock((unsigned char *)out + o, in,
					     (int)chunk);
		in += chunk;
		n -= chunk;
	}
	out[o] = '\0';
	return o;
}

/* n characters of base64 (no white space) -> buf; the decoded length or
 * -EINVAL.  buf holds n / 4 * 3 bytes. */
static long decode_block(const char *in, size_t n, uint8_t *buf)
{
	size_t pad;
	int got;

	if (n == 0)
		return 0;
	if (n % 4 || n > INT_MAX)
		return -EINVAL;
	pad = (in[n - 1] == '=') + (in[n - 2] == '=');
	got = EVP_DecodeBlock(buf, (const unsigned char *)in, (int)n);
	if (got < 0 || (size_t)got < pad)
		return -EINVAL;
	return (long)((size_t)got - pad);
}

int base64_decode(const char *in, size_t n, uint8_t **out, size_t *outlen)
{
	uint8_t *buf;
	char *again;
	long len;

	*out = NULL;
	*outlen = 0;
	if (n % 4 || n > INT_MAX)
		return -EINVAL;
	buf = calloc(1, n / 4 * 3 + 1);
	again = malloc(n + 1);
	if (!buf || !again) {
		free(buf);
		free(again);
		return -ENOMEM;
	}
	len = decode_block(in, n, buf);
	/* Canonical only: the same text must come back. */
	if (len < 0 || base64_encode(buf, (size_t)len, again) != n ||
	    memcmp(again, in, n)) {
		OPENSSL_cleanse(buf, n / 4 * 3 + 1);
		free(buf);
		free(again);
		return -EINVAL;
	}
	OPENSSL_cleanse(again, n + 1);
	free(again);
	*out = buf;
	*outlen = (size_t)len;
	return 0;
}

int base64_decode_text(const uint8_t *text, size_t len, uint8_t *out,
		       size_t want)
{
	uint8_t *buf = NULL;
	size_t n = 0, got = 0;
	char *clean = malloc(len + 1);
	int ret;

	if (!clean)
		return -ENOMEM;
	for (size_t i = 0; i < len; i++)
		if (!isspace(text[i]))
			clean[n++] = (char)text[i];
	ret = n ? base64_decode(clean, n, &buf, &got) : -EINVAL;
	OPENSSL_cleanse(clean, len + 1);
	free(clean);
	if (!ret && got != want)
		ret = -EINVAL;
	if (!ret)
		memcpy(out, buf, want);
	if (buf) {
		OPENSSL_cleanse(buf, got);
		free(buf);
	}
	return ret;
}

int hex_or_base64_decode(const char *s, uint8_t *out, size_t n)
{
	size_t len = strlen(s);
	uint8_t *buf;
	size_t got;
	int ret;

	if (len == 2 * n)
		return hex_decode(s, len, out, n);
	ret = base64_decode(s, len, &buf, &got);
	if (ret)
		return ret == -ENOMEM ? ret : -EINVAL;
	ret = got == n ? 0 : -EINVAL;
	if (!ret)
		memcpy(out, buf, n);
	OPENSSL_cleanse(buf, got);
	free(buf);
	return ret;
}
