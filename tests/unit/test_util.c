// SPDX-License-Identifier: MIT
/* util/: little-endian access, set_err, hex, base64, GUIDs. */
#include <errno.h>
#include <stdint.h>

#include "tests/unit/testutil.h"
#include "util/util.h"

static void ck_hex(const uint8_t *got, const char *want_hex, size_t n)
{
	uint8_t want[64];

	ck_assert_uint_le(n, sizeof(want));
	ck_unhex(want_hex, want, n);
	ck_assert_mem_eq(got, want, n);
}

START_TEST(le_round_trip)
{
	uint8_t b[16] = { 0 };

	put_le16(b, 0, 0x1234);
	put_le32(b, 2, 0x89abcdef);
	put_le64(b, 6, 0x0102030405060708ULL);
	ck_hex(b, "3412efcdab89080706050403020100", 15);
	ck_assert_uint_eq(get_le16(b, 0), 0x1234);
	ck_assert_uint_eq(get_le32(b, 2), 0x89abcdef);
	ck_assert_uint_eq(get_le64(b, 6), 0x0102030405060708ULL);
}
END_TEST

START_TEST(set_err_cuts_and_tolerates_null)
{
	char e[8];

	set_err(e, sizeof(e), "%s %d", "abcdef", 12345);
	ck_assert_str_eq(e, "abcdef ");
	set_err(NULL, 10, "x");	  /* no crash */
	e[0] = 'z';
	set_err(e, 0, "x");	  /* nothing written */
	ck_assert_int_eq(e[0], 'z');
}
END_TEST

START_TEST(hex_both_ways)
{
	static const uint8_t b[] = { 0x00, 0x9f, 0xa0, 0xff };
	uint8_t out[4];
	char text[9];

	hex_encode(b, 4, text);
	ck_assert_str_eq(text, "009fa0ff");
	ck_assert_int_eq(hex_decode("009FA0ff", 8, out, 4), 0);
	ck_assert_mem_eq(out, b, 4);
	ck_assert_int_eq(hex_decode("009fa0f", 7, out, 4), -EINVAL);
	ck_assert_int_eq(hex_decode("009fa0fg", 8, out, 4), -EINVAL);
	ck_assert_int_eq(hex_decode(" 09fa0ff", 8, out, 4), -EINVAL);
	ck_assert_int_eq(hex_nibble('G'), -1);
}
END_TEST

START_TEST(base64_strict)
{
	static const struct {
		const char *text;
		const char *hex; /* NULL: refused */
	} v[] = {
		{ "", "" },
		{ "Zg==", "66" },
		{ "Zm8=", "666f" },
		{ "Zm9v", "666f6f" },
		{ "+/+/", "fbffbf" },
		{ "Zh==", NULL },  /* padding bits not zero */
		{ "Zm9=", NULL },
		{ "Zg=", NULL },   /* not a multiple of 4 */
		{ "Zg", NULL },
		{ " Zg==", NULL }, /* white space */
		{ "Zg==\n", NULL },
		{ "Z===", NULL },
		{ "=Zg=", NULL },
		{ "Zm-v", NULL },  /* base64url is another alphabet */
		{ "Zg==Zg==", NULL },
	};

	for (size_t k = 0; k < sizeof(v) / sizeof(v[0]); k++) {
		uint8_t *out = NULL;
		size_t n = 99;
		int ret = base64_decode(v[k].text, strlen(v[k].text), &out,
					&n);

		if (!v[k].hex) {
			ck_assert_msg(ret == -EINVAL, "'%s' accepted",
				      v[k].text);
			ck_assert_ptr_null(out);
			continue;
		}
		ck_assert_msg(ret == 0, "'%s' refused", v[k].text);
		ck_assert_uint_eq(n, strlen(v[k].hex) / 2);
		ck_hex(out, v[k].hex, n);
		free(out);
	}
}
END_TEST

START_TEST(base64_encode_lengths)
{
	uint8_t b[300];
	char text[BASE64_LEN(300) + 1];

	for (size_t k = 0; k < sizeof(b); k++)
		b[k] = (uint8_t)(k * 7);
	for (size_t n = 0; n <= sizeof(b); n += 37) {
		uint8_t *back;
		size_t got;

		ck_assert_uint_eq(base64_encode(b, n, text), BASE64_LEN(n));
		ck_assert_uint_eq(strlen(text), BASE64_LEN(n));
		ck_assert_int_eq(base64_decode(text, strlen(text), &back, &got),
				 0);
		ck_assert_uint_eq(got, n);
		ck_assert_mem_eq(back, b, n);
		free(back);
	}
}
END_TEST

START_TEST(base64_text_files)
{
	static const uint8_t text[] = "Zm9v\nYmFy\n";
	uint8_t out[6];

	ck_assert_int_eq(base64_decode_text(text, sizeof(text) - 1, out, 6), 0);
	ck_assert_mem_eq(out, "foobar", 6);
	/* The length must be exactly the one asked for. */
	ck_assert_int_eq(base64_decode_text(text, sizeof(text) - 1, out, 5),
			 -EINVAL);
	ck_assert_int_eq(base64_decode_text((const uint8_t *)"  \n", 3, out, 0),
			 -EINVAL);
}
END_TEST

START_TEST(guid_parse_efi_order)
{
	struct guid g;

	ck_assert_int_eq(
		guid_parse("1e74f542-71dd-4d66-963e-ef4287ff173b", &g), 0);
	ck_hex(g.b, "42f5741edd71664d963eef4287ff173b", 16);
	ck_assert_int_eq(
		guid_parse("1E74F542-71DD-4D66-963E-EF4287FF173B", &g), 0);
	ck_hex(g.b, "42f5741edd71664d963eef4287ff173b", 16);

	static const char *const bad[] = {
		"",
		"1e74f542-71dd-4d66-963e-ef4287ff173",
		"1e74f542-71dd-4d66-963e-ef4287ff173bb",
		"1e74f54271dd-4d66-963e-ef4287ff173b0",
		"1e74f542-71dd-4d66-963e_ef4287ff173b",
		"1e74f542-71dd-4d66-963g-ef4287ff173b",
		"{e74f542-71dd-4d66-963e-ef4287ff173b",
	};
	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++)
		ck_assert_msg(guid_parse(bad[k], &g) == -EINVAL, "%s",
			      bad[k]);
	ck_assert_int_eq(guid_parse(NULL, &g), -EINVAL);
}
END_TEST

START_TEST(guid_format_round_trip)
{
	struct guid g;
	char text[37];

	ck_assert_int_eq(guid_parse("96B582DE-1fb2-45f7-baea-a366c55a082d", &g),
			 0);
	guid_format(&g, text);
	ck_assert_str_eq(text, "96b582de-1fb2-45f7-baea-a366c55a082d");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("util");
	TCase *tc = tcase_create("util");

	tcase_add_test(tc, le_round_trip);
	tcase_add_test(tc, set_err_cuts_and_tolerates_null);
	tcase_add_test(tc, hex_both_ways);
	tcase_add_test(tc, base64_strict);
	tcase_add_test(tc, base64_encode_lengths);
	tcase_add_test(tc, base64_text_files);
	tcase_add_test(tc, guid_parse_efi_order);
	tcase_add_test(tc, guid_format_round_trip);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
