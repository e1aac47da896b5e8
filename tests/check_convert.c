/*
 * check_convert.c -- decimal text arithmetic and raw-cell conversion
 * (core/decimal.h, core/convert.c).
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decimal.h"
#include "types.h"

/* ---- helpers ------------------------------------------------------------ */

static const char *
quant(const char *in, int places)
{
	static char out[256];
	int r = ormc_decimal_quantize(in, strlen(in), places, out, sizeof(out));

	ck_assert_msg(r >= 0, "quantize(\"%s\", %d) failed: %d", in, places, r);
	ck_assert_int_eq((int)strlen(out), r);
	return out;
}

static const char *
fromf(double v)
{
	static char out[512];
	int r = ormc_decimal_from_double(v, out, sizeof(out));

	ck_assert_msg(r >= 0, "from_double(%.17g) failed: %d", v, r);
	return out;
}

static ormc_value
vint(int64_t i)
{
	ormc_value v;

	memset(&v, 0, sizeof(v));
	v.type = ORMC_TYPE_INT;
	v.i = i;
	return v;
}

static ormc_value
vfloat(double f)
{
	ormc_value v;

	memset(&v, 0, sizeof(v));
	v.type = ORMC_TYPE_FLOAT;
	v.f = f;
	return v;
}

static ormc_value
vtext(const char *s)
{
	ormc_value v;

	memset(&v, 0, sizeof(v));
	v.type = ORMC_TYPE_TEXT;
	v.s = s;
	v.len = strlen(s);
	return v;
}

static ormc_otype
kind(ormc_field_kind k)
{
	ormc_otype t;

	t.kind = k;
	t.max_digits = -1;
	t.decimal_places = -1;
	t.quotient = 0;
	return t;
}

static ormc_otype
decimal(int digits, int places)
{
	ormc_otype t;

	t.kind = ORMC_FIELD_DECIMAL;
	t.max_digits = digits;
	t.decimal_places = places;
	t.quotient = 0;
	return t;
}

/* Avg, StdDev, Variance of a DecimalField of places. */
static ormc_otype
quotient(int places)
{
	ormc_otype t = decimal(-1, places + ORMC_QUOTIENT_PLACES);

	t.quotient = 1;
	return t;
}

static char convbuf[256];

/* Convert and return the result; fails the test on error. */
static ormc_value
conv(ormc_value raw, ormc_otype t)
{
	ormc_value out;
	ormc_error err;
	int r;

	ormc_error_clear(&err);
	r = ormc_convert(&raw, &t, &out, convbuf, sizeof(convbuf), &err);
	ck_assert_msg(r == ORMC_OK, "convert failed: %s", err.message);
	return out;
}

static int
conv_fails(ormc_value raw, ormc_otype t, ormc_error *err)
{
	ormc_value out;

	ormc_error_clear(err);
	return ormc_convert(&raw, &t, &out, convbuf, sizeof(convbuf), err);
}

#define ck_assert_text(v, want)                                              \
	do {                                                                 \
		ormc_value v_ = (v);                                         \
		ck_assert_int_eq((int)v_.len, (int)strlen(want));            \
		ck_assert_msg(memcmp(v_.s, (want), v_.len) == 0,             \
		              "got '%.*s', want '%s'", (int)v_.len, v_.s, want); \
	} while (0)

/* ---- decimal: quantize -------------------------------------------------- */

START_TEST(test_quantize_basic)
{
	ck_assert_str_eq(quant("34.35", 2), "34.35");
	ck_assert_str_eq(quant("34.3500000000000000", 2), "34.35");
	ck_assert_str_eq(quant("9.99", 2), "9.99");
	ck_assert_str_eq(quant("9.9", 2), "9.90");
	ck_assert_str_eq(quant("12", 2), "12.00");
	ck_assert_str_eq(quant("12", 0), "12");
	ck_assert_str_eq(quant("0", 2), "0.00");
	ck_assert_str_eq(quant(".5", 1), "0.5");
	ck_assert_str_eq(quant("5.", 1), "5.0");
	ck_assert_str_eq(quant("+1.5", 1), "1.5");
	ck_assert_str_eq(quant("007.50", 2), "7.50");
	ck_assert_str_eq(quant("0.004", 2), "0.00");
	ck_assert_str_eq(quant("0.009", 2), "0.01");
	ck_assert_str_eq(quant("0.0000001", 2), "0.00");
	ck_assert_str_eq(quant("99.999", 2), "100.00");
	ck_assert_str_eq(quant("999.5", 0), "1000");
}
END_TEST

START_TEST(test_quantize_half_even)
{
	ck_assert_str_eq(quant("2.345", 2), "2.34");
	ck_assert_str_eq(quant("2.355", 2), "2.36");
	ck_assert_str_eq(quant("2.3450001", 2), "2.35");
	ck_assert_str_eq(quant("2.5", 0), "2");
	ck_assert_str_eq(quant("3.5", 0), "4");
	ck_assert_str_eq(quant("0.5", 0), "0");
	ck_assert_str_eq(quant("1.5", 0), "2");
	ck_assert_str_eq(quant("0.125", 2), "0.12");
	ck_assert_str_eq(quant("0.135", 2), "0.14");
	ck_assert_str_eq(quant("-2.345", 2), "-2.34");
	ck_assert_str_eq(quant("-2.355", 2), "-2.36");
}
END_TEST

START_TEST(test_quantize_sign)
{
	ck_assert_str_eq(quant("-1.5", 2), "-1.50");
	ck_assert_str_eq(quant("-0.00", 2), "0.00");
	ck_assert_str_eq(quant("-0", -1), "0");
	ck_assert_str_eq(quant("-0.001", 2), "0.00");
	ck_assert_str_eq(quant("-0.005", 2), "0.00");
	ck_assert_str_eq(quant("-0.0051", 2), "-0.01");
	ck_assert_str_eq(quant("-000123.4", 1), "-123.4");
}
END_TEST

START_TEST(test_quantize_exponent)
{
	ck_assert_str_eq(quant("1E+2", 2), "100.00");
	ck_assert_str_eq(quant("1E+2", -1), "100");
	ck_assert_str_eq(quant("3.5e-1", 2), "0.35");
	ck_assert_str_eq(quant("3.5e-1", -1), "0.35");
	ck_assert_str_eq(quant("1.2345E3", 1), "1234.5");
	ck_assert_str_eq(quant("1.23555E3", 1), "1235.6");
	ck_assert_str_eq(quant("5e-3", 2), "0.00");
	ck_assert_str_eq(quant("0E-7", 2), "0.00");
	ck_assert_str_eq(quant("0E+3", -1), "0");
}
END_TEST

START_TEST(test_quantize_plain)
{
	/* places < 0: digits kept as given */
	ck_assert_str_eq(quant("7.50", -1), "7.50");
	ck_assert_str_eq(quant("0.00", -1), "0.00");
	ck_assert_str_eq(quant("-12", -1), "-12");
	ck_assert_str_eq(quant("00012.3400", -1), "12.3400");
}
END_TEST

START_TEST(test_quantize_invalid)
{
	char out[16];
	static const char *const bad[] = {
		"", "-", "+", ".", "abc", "1.2.3", " 1", "1 ", "1e", "1e+",
		"NaN", "Infinity", "0x10", "1,5", "--1", "1e99999999"
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(ormc_decimal_quantize(bad[i], strlen(bad[i]), 2, out,
		                                    sizeof(out)) == ORMC_EINVALID,
		              "'%s' accepted", bad[i]);
		ck_assert(!ormc_decimal_valid(bad[i], strlen(bad[i])));
	}
	ck_assert(ormc_decimal_valid("9.99", 4));
	/* not NUL-terminated: only len bytes are read */
	ck_assert_int_eq(ormc_decimal_quantize("1.25xyz", 4, 1, out, sizeof(out)), 3);
	ck_assert_str_eq(out, "1.2");
	/* too small an output buffer */
	ck_assert_int_eq(ormc_decimal_quantize("123456.78", 9, 2, out, 5),
	                 ORMC_ENOMEM);
	ck_assert_int_eq(ormc_decimal_quantize("1E+50", 5, 2, out, sizeof(out)),
	                 ORMC_ENOMEM);
}
END_TEST

START_TEST(test_normalize)
{
	char out[64];

	ck_assert_int_eq(ormc_decimal_normalize("34.3500", 7, out, sizeof(out)), 5);
	ck_assert_str_eq(out, "34.35");
	ormc_decimal_normalize("7.000", 5, out, sizeof(out));
	ck_assert_str_eq(out, "7");
	ormc_decimal_normalize("1E+2", 4, out, sizeof(out));
	ck_assert_str_eq(out, "100");
	ormc_decimal_normalize("-0.0", 4, out, sizeof(out));
	ck_assert_str_eq(out, "0");
	ormc_decimal_normalize("120", 3, out, sizeof(out));
	ck_assert_str_eq(out, "120");
}
END_TEST

/* ---- decimal: from double ----------------------------------------------- */

START_TEST(test_from_double)
{
	char out[64];

	/* Python: decimal.Context(prec=15).create_decimal_from_float(x) */
	ck_assert_str_eq(fromf(34.35), "34.3500000000000");
	ck_assert_str_eq(fromf(0.1 + 0.2), "0.300000000000000");
	ck_assert_str_eq(fromf(0.1), "0.100000000000000");
	ck_assert_str_eq(fromf(10.0), "10");
	ck_assert_str_eq(fromf(0.5), "0.5");
	ck_assert_str_eq(fromf(12.25), "12.25");
	ck_assert_str_eq(fromf(-2.5), "-2.5");
	ck_assert_str_eq(fromf(0.0), "0");
	ck_assert_str_eq(fromf(-0.0), "0");
	ck_assert_str_eq(fromf(1e20), "100000000000000000000");
	ck_assert_str_eq(fromf(8111390619505175.0), "8111390619505180");
	ck_assert_str_eq(fromf(2869.73), "2869.73000000000");
	ck_assert_int_eq(ormc_decimal_from_double(strtod("nan", NULL), out,
	                                          sizeof(out)), ORMC_EINVALID);
	ck_assert_int_eq(ormc_decimal_from_double(strtod("inf", NULL), out,
	                                          sizeof(out)), ORMC_EINVALID);
	ck_assert_int_eq(ormc_decimal_from_int(-42, out, sizeof(out)), 3);
	ck_assert_str_eq(out, "-42");
}
END_TEST

/* ---- ormc_convert ------------------------------------------------------- */

START_TEST(test_convert_quotient)
{
	/* the field's places + 6, half even, trailing zeros dropped down to the field's */
	ck_assert_text(conv(vtext("121.5671428571428571"), quotient(2)), "121.56714286");
	ck_assert_text(conv(vtext("29.8450000000000000"), quotient(2)), "29.845");
	ck_assert_text(conv(vtext("34.3500000000000000"), quotient(2)), "34.35");
	ck_assert_text(conv(vtext("34.3"), quotient(2)), "34.30");
	ck_assert_text(conv(vtext("7"), quotient(2)), "7.00");
	ck_assert_text(conv(vtext("-0.000000001"), quotient(2)), "0.00");
	ck_assert_text(conv(vtext("0.123456785"), quotient(2)), "0.12345678");
	ck_assert_text(conv(vtext("7"), quotient(0)), "7");
	ck_assert_text(conv(vtext("2.5000011"), quotient(0)), "2.500001");
	/* at most 15 significant digits, below 1 counted from the first nonzero */
	ck_assert_text(conv(vtext("12345678.123456789"), quotient(2)), "12345678.1234568");
	ck_assert_text(conv(vtext("0.0000123456789012345678"), quotient(20)), "0.00001234567890123460");
	/* more integer digits than 15 - places: rounded there, written with the places */
	ck_assert_text(conv(vtext("1234567890123456.78"), quotient(2)), "1234567890123460.00");
	ck_assert_text(conv(vtext("-99999999999999.999"), quotient(2)), "-100000000000000.00");
	/* a float (SQLite) first as Python makes it, to 15 digits */
	ck_assert_text(conv(vfloat(660.5166666666666), quotient(2)), "660.51666667");
	ck_assert_text(conv(vfloat(29.845), quotient(2)), "29.845");
}
END_TEST

START_TEST(test_convert_decimal)
{
	ormc_value v;
	ormc_value raw = vtext("34.3500000000000000");

	raw.type = ORMC_TYPE_DECIMAL;
	v = conv(raw, decimal(10, 2));
	ck_assert_int_eq(v.type, ORMC_TYPE_DECIMAL);
	ck_assert_text(v, "34.35");
	ck_assert_text(conv(vtext("81.2"), decimal(10, 2)), "81.20");
	ck_assert_text(conv(vtext("-0.00"), decimal(10, 2)), "0.00");
	ck_assert_text(conv(vtext("1E+2"), decimal(10, 2)), "100.00");
	ck_assert_text(conv(vtext("2.345"), decimal(10, 2)), "2.34");
	ck_assert_text(conv(vtext("2.355"), decimal(10, 2)), "2.36");
	/* unknown places: exact digits as given */
	ck_assert_text(conv(vtext("34.3500000000000000"), decimal(-1, -1)),
	               "34.3500000000000000");
	/* floats (SQLite): 15 significant digits, then quantized */
	ck_assert_text(conv(vfloat(34.35), decimal(10, 2)), "34.35");
	ck_assert_text(conv(vfloat(0.1 + 0.2), decimal(10, 2)), "0.30");
	ck_assert_text(conv(vfloat(171.75 / 5), decimal(10, 2)), "34.35");
	ck_assert_text(conv(vfloat(81.2), decimal(10, 2)), "81.20");
	ck_assert_text(conv(vfloat(34.35), decimal(-1, -1)), "34.3500000000000");
	ck_assert_text(conv(vfloat(2.675), decimal(10, 2)), "2.68");
	/* integers */
	ck_assert_text(conv(vint(12), decimal(10, 2)), "12.00");
	ck_assert_text(conv(vint(-3), decimal(-1, -1)), "-3");
}
END_TEST

START_TEST(test_convert_decimal_invalid)
{
	ormc_error err;

	ck_assert_int_eq(conv_fails(vtext("abc"), decimal(10, 2), &err),
	                 ORMC_EINVALID);
	ck_assert_int_eq(err.code, ORMC_EINVALID);
	ck_assert_str_eq(err.message, "cannot convert 'abc' to DecimalField");
	ck_assert_int_eq(conv_fails(vfloat(strtod("inf", NULL)), decimal(10, 2),
	                            &err), ORMC_EINVALID);
}
END_TEST

START_TEST(test_convert_int)
{
	ormc_value v;
	ormc_error err;

	v = conv(vint(42), kind(ORMC_FIELD_INTEGER));
	ck_assert_int_eq(v.type, ORMC_TYPE_INT);
	ck_assert_int_eq(v.i, 42);
	/* Django on SQLite: int(value) */
	ck_assert_int_eq(conv(vfloat(3.9), kind(ORMC_FIELD_INTEGER)).i, 3);
	ck_assert_int_eq(conv(vfloat(-3.9), kind(ORMC_FIELD_BIGINTEGER)).i, -3);
	ck_assert_int_eq(conv(vtext("123"), kind(ORMC_FIELD_AUTO)).i, 123);
	ck_assert_int_eq(conv(vtext("-7"), kind(ORMC_FIELD_INTEGER)).i, -7);
	/* numeric sums come back as "6" or "6.000" */
	ck_assert_int_eq(conv(vtext("6.000"), kind(ORMC_FIELD_INTEGER)).i, 6);
	ck_assert_int_eq(conv(vtext("-9223372036854775808"),
	                      kind(ORMC_FIELD_BIGINTEGER)).i, INT64_MIN);
	ck_assert_int_eq(conv_fails(vtext("12a"), kind(ORMC_FIELD_INTEGER), &err),
	                 ORMC_EINVALID);
	ck_assert_int_eq(conv_fails(vtext("1.5"), kind(ORMC_FIELD_INTEGER), &err),
	                 ORMC_EINVALID);
	ck_assert_int_eq(conv_fails(vtext(""), kind(ORMC_FIELD_INTEGER), &err),
	                 ORMC_EINVALID);
	ck_assert_int_eq(conv_fails(vtext("9223372036854775808"),
	                            kind(ORMC_FIELD_INTEGER), &err), ORMC_EINVALID);
	ck_assert_int_eq(conv_fails(vfloat(1e300), kind(ORMC_FIELD_INTEGER), &err),
	                 ORMC_EINVALID);
}
END_TEST

START_TEST(test_convert_float)
{
	ormc_value v = conv(vint(4), kind(ORMC_FIELD_FLOAT));

	ck_assert_int_eq(v.type, ORMC_TYPE_FLOAT);
	ck_assert(v.f == 4.0);
	ck_assert(conv(vtext("34.3500000000000000"), kind(ORMC_FIELD_FLOAT)).f == 34.35);
	ck_assert(conv(vfloat(2.5), kind(ORMC_FIELD_FLOAT)).f == 2.5);
}
END_TEST

START_TEST(test_convert_null)
{
	ormc_value raw, v;

	memset(&raw, 0, sizeof(raw));
	v = conv(raw, decimal(10, 2));
	ck_assert_int_eq(v.type, ORMC_TYPE_NULL);
	v = conv(raw, kind(ORMC_FIELD_BOOLEAN));
	ck_assert_int_eq(v.type, ORMC_TYPE_NULL);
}
END_TEST

START_TEST(test_convert_bool)
{
	static const char *const yes[] = { "t", "true", "1", "TRUE", "T" };
	static const char *const no[] = { "f", "false", "0", "False" };
	ormc_error err;
	size_t i;
	ormc_value v = conv(vint(1), kind(ORMC_FIELD_BOOLEAN));

	ck_assert_int_eq(v.type, ORMC_TYPE_BOOL);
	ck_assert_int_eq(v.i, 1);
	ck_assert_int_eq(conv(vint(0), kind(ORMC_FIELD_BOOLEAN)).i, 0);
	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		ck_assert_int_eq(conv(vtext(yes[i]), kind(ORMC_FIELD_BOOLEAN)).i, 1);
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		ck_assert_int_eq(conv(vtext(no[i]), kind(ORMC_FIELD_BOOLEAN)).i, 0);
	ck_assert_int_eq(conv_fails(vint(2), kind(ORMC_FIELD_BOOLEAN), &err),
	                 ORMC_EINVALID);
	ck_assert_int_eq(conv_fails(vtext("yes"), kind(ORMC_FIELD_BOOLEAN), &err),
	                 ORMC_EINVALID);
}
END_TEST

START_TEST(test_convert_date)
{
	ormc_error err;
	ormc_value v = conv(vtext("2007-12-06"), kind(ORMC_FIELD_DATE));

	ck_assert_int_eq(v.type, ORMC_TYPE_DATE);
	ck_assert_text(v, "2007-12-06");
	ck_assert_text(conv(vtext("2026-11-21 10:00:00"), kind(ORMC_FIELD_DATE)),
	               "2026-11-21");
	ck_assert_text(conv(vtext("2026-11-21T10:00:00+00:00"),
	                    kind(ORMC_FIELD_DATE)), "2026-11-21");
	ck_assert_text(conv(vtext("2024-02-29"), kind(ORMC_FIELD_DATE)),
	               "2024-02-29");
	ck_assert_int_eq(conv_fails(vtext("2023-02-29"), kind(ORMC_FIELD_DATE),
	                            &err), ORMC_EINVALID);
	ck_assert_int_eq(conv_fails(vtext("2023-13-01"), kind(ORMC_FIELD_DATE),
	                            &err), ORMC_EINVALID);
	ck_assert_int_eq(conv_fails(vtext("20231301"), kind(ORMC_FIELD_DATE),
	                            &err), ORMC_EINVALID);
	ck_assert_int_eq(conv_fails(vint(3), kind(ORMC_FIELD_DATE), &err),
	                 ORMC_EINVALID);
}
END_TEST

START_TEST(test_convert_datetime)
{
	ormc_error err;
	ormc_value v = conv(vtext("2026-11-21 10:00:00"), kind(ORMC_FIELD_DATETIME));

	ck_assert_int_eq(v.type, ORMC_TYPE_DATETIME);
	ck_assert_text(v, "2026-11-21T10:00:00");
	ck_assert_text(conv(vtext("2026-11-21 10:00:00.123456"),
	                    kind(ORMC_FIELD_DATETIME)), "2026-11-21T10:00:00.123456");
	ck_assert_text(conv(vtext("2026-11-21 10:00:00.5"),
	                    kind(ORMC_FIELD_DATETIME)), "2026-11-21T10:00:00.500000");
	ck_assert_text(conv(vtext("2026-11-21 10:00:00.000000"),
	                    kind(ORMC_FIELD_DATETIME)), "2026-11-21T10:00:00");
	ck_assert_text(conv(vtext("2026-11-21 10:00:00+00:00"),
	                    kind(ORMC_FIELD_DATETIME)), "2026-11-21T10:00:00");
	ck_assert_text(conv(vtext("2026-11-21 10:00:00+00"),
	                    kind(ORMC_FIELD_DATETIME)), "2026-11-21T10:00:00");
	ck_assert_text(conv(vtext("2026-11-21T10:00:00Z"),
	                    kind(ORMC_FIELD_DATETIME)), "2026-11-21T10:00:00");
	ck_assert_text(conv(vtext("2026-11-21 10:00:00.25+02:00"),
	                    kind(ORMC_FIELD_DATETIME)),
	               "2026-11-21T10:00:00.250000+02:00");
	ck_assert_text(conv(vtext("2026-11-21 10:00:00-05"),
	                    kind(ORMC_FIELD_DATETIME)), "2026-11-21T10:00:00-05:00");
	ck_assert_text(conv(vtext("2026-11-21 10:00"), kind(ORMC_FIELD_DATETIME)),
	               "2026-11-21T10:00:00");
	ck_assert_text(conv(vtext("2026-11-21"), kind(ORMC_FIELD_DATETIME)),
	               "2026-11-21T00:00:00");
	ck_assert_int_eq(conv_fails(vtext("2026-11-21 25:00:00"),
	                            kind(ORMC_FIELD_DATETIME), &err), ORMC_EINVALID);
	ck_assert_int_eq(conv_fails(vtext("2026-11-21 10:00:00 junk"),
	                            kind(ORMC_FIELD_DATETIME), &err), ORMC_EINVALID);
}
END_TEST

START_TEST(test_convert_time)
{
	ormc_value v = conv(vtext("10:30:00"), kind(ORMC_FIELD_TIME));

	ck_assert_int_eq(v.type, ORMC_TYPE_TIME);
	ck_assert_text(v, "10:30:00");
	ck_assert_text(conv(vtext("10:30"), kind(ORMC_FIELD_TIME)), "10:30:00");
	ck_assert_text(conv(vtext("10:30:00.5"), kind(ORMC_FIELD_TIME)),
	               "10:30:00.500000");
	ck_assert_text(conv(vtext("2026-11-21 10:30:00"), kind(ORMC_FIELD_TIME)),
	               "10:30:00");
}
END_TEST

START_TEST(test_convert_duration)
{
	ormc_error err;
	ormc_value v = conv(vint(7200000000LL), kind(ORMC_FIELD_DURATION));

	ck_assert_int_eq(v.type, ORMC_TYPE_DURATION);
	ck_assert_int_eq(v.i, 7200000000LL);
	ck_assert_int_eq(conv(vtext("1 day 02:00:00"), kind(ORMC_FIELD_DURATION)).i,
	                 93600000000LL);
	ck_assert_int_eq(conv(vtext("02:00:00.5"), kind(ORMC_FIELD_DURATION)).i,
	                 7200500000LL);
	ck_assert_int_eq(conv(vtext("3 days"), kind(ORMC_FIELD_DURATION)).i,
	                 3 * 86400000000LL);
	ck_assert_int_eq(conv(vtext("-1 days +02:00:00"),
	                      kind(ORMC_FIELD_DURATION)).i, -79200000000LL);
	ck_assert_int_eq(conv(vtext("-00:00:01"), kind(ORMC_FIELD_DURATION)).i,
	                 -1000000LL);
	ck_assert_int_eq(conv(vtext("1 day, 2:00:00"), kind(ORMC_FIELD_DURATION)).i,
	                 93600000000LL);
	ck_assert_int_eq(conv(vtext("1 02:00:00"), kind(ORMC_FIELD_DURATION)).i,
	                 93600000000LL);
	ck_assert_int_eq(conv(vtext("-1 02:00:00"), kind(ORMC_FIELD_DURATION)).i,
	                 -79200000000LL);
	ck_assert_int_eq(conv(vtext("-838:59:59"), kind(ORMC_FIELD_DURATION)).i,
	                 -(838LL * 3600 + 59 * 60 + 59) * 1000000LL);
	ck_assert_int_eq(conv(vtext("1 mon"), kind(ORMC_FIELD_DURATION)).i,
	                 30 * 86400000000LL);
	ck_assert_int_eq(conv(vtext("3600000000"), kind(ORMC_FIELD_DURATION)).i,
	                 3600000000LL);
	ck_assert_int_eq(conv(vfloat(2.5), kind(ORMC_FIELD_DURATION)).i, 2);
	ck_assert_int_eq(conv(vfloat(3.5), kind(ORMC_FIELD_DURATION)).i, 4);
	ck_assert_int_eq(conv_fails(vtext("soon"), kind(ORMC_FIELD_DURATION), &err),
	                 ORMC_EINVALID);
	ck_assert_int_eq(conv_fails(vtext("1 fortnight"), kind(ORMC_FIELD_DURATION),
	                            &err), ORMC_EINVALID);
}
END_TEST

START_TEST(test_convert_text)
{
	ormc_value raw = vtext("Django Unleashed");
	ormc_value v = conv(raw, kind(ORMC_FIELD_CHAR));

	ck_assert_int_eq(v.type, ORMC_TYPE_TEXT);
	ck_assert_text(v, "Django Unleashed");
	ck_assert_text(conv(vint(5), kind(ORMC_FIELD_TEXT)), "5");
	ck_assert_text(conv(vfloat(0.1), kind(ORMC_FIELD_TEXT)), "0.1");
	ck_assert_text(conv(vtext("550E8400E29B41D4A716446655440000"),
	                    kind(ORMC_FIELD_UUID)),
	               "550e8400-e29b-41d4-a716-446655440000");
	ck_assert_text(conv(vtext("550e8400-e29b-41d4-a716-446655440000"),
	                    kind(ORMC_FIELD_UUID)),
	               "550e8400-e29b-41d4-a716-446655440000");
}
END_TEST

/* JSONField: canonical text whatever each engine stored; BinaryField: hex in, base64 out. */
START_TEST(test_convert_json_binary)
{
	ormc_error err;
	unsigned char bytes[16];
	char b64[32];
	size_t n;

	/* jsonb's spacing and order, MariaDB's text as written: one answer */
	ck_assert_text(conv(vtext("{\"b\": [1, 2], \"a\": \"x\"}"), kind(ORMC_FIELD_JSON)),
	               "{\"a\":\"x\",\"b\":[1,2]}");
	ck_assert_text(conv(vtext("{\"a\":\"x\",\"b\":[1,2]}"), kind(ORMC_FIELD_JSON)),
	               "{\"a\":\"x\",\"b\":[1,2]}");
	ck_assert_text(conv(vtext(" 0.1 "), kind(ORMC_FIELD_JSON)), "0.1");
	ck_assert_text(conv(vtext("\"\u00e9\""), kind(ORMC_FIELD_JSON)), "\"\xc3\xa9\"");
	ck_assert_text(conv(vtext("null"), kind(ORMC_FIELD_JSON)), "null");
	ck_assert_text(conv(vtext("123456789012345678901"), kind(ORMC_FIELD_JSON)),
	               "1.23456789012346e20");
	{
		ormc_value nul;

		memset(&nul, 0, sizeof(nul));
		ck_assert_int_eq(conv(nul, kind(ORMC_FIELD_JSON)).type, ORMC_TYPE_NULL);
	}
	ck_assert_int_eq(conv_fails(vtext("{oops"), kind(ORMC_FIELD_JSON), &err), ORMC_EINVALID);
	ck_assert_msg(strstr(err.message, "not JSON") != NULL, "%s", err.message);

	/* hex from encode(x, 'hex') / hex(x), either case, with PostgreSQL's \x or not */
	ck_assert_text(conv(vtext("0001686aff"), kind(ORMC_FIELD_BINARY)), "AAFoav8=");
	ck_assert_text(conv(vtext("0001686AFF"), kind(ORMC_FIELD_BINARY)), "AAFoav8=");
	ck_assert_text(conv(vtext("\\x0001686aff"), kind(ORMC_FIELD_BINARY)), "AAFoav8=");
	ck_assert_text(conv(vtext(""), kind(ORMC_FIELD_BINARY)), "");
	ck_assert_text(conv(vtext("616263"), kind(ORMC_FIELD_BINARY)), "YWJj");
	ck_assert_text(conv(vtext("6162"), kind(ORMC_FIELD_BINARY)), "YWI=");
	ck_assert_int_eq(conv_fails(vtext("abc"), kind(ORMC_FIELD_BINARY), &err), ORMC_EINVALID);
	ck_assert_int_eq(conv_fails(vtext("zz"), kind(ORMC_FIELD_BINARY), &err), ORMC_EINVALID);
	ck_assert_msg(strstr(err.message, "not hex digits") != NULL, "%s", err.message);

	/* base64 both ways, as dumpdata writes it */
	ck_assert_int_eq(ormc_base64_decode("AAFoaf8=", 8, bytes, &n), 0);
	ck_assert_int_eq((int)n, 5);
	ck_assert_int_eq(bytes[4], 0xff);
	ck_assert_int_eq((int)ormc_base64_encode(bytes, n, b64), 8);
	ck_assert_str_eq(b64, "AAFoaf8=");
	ck_assert_int_eq(ormc_base64_decode("AA*=", 4, bytes, &n), -1);
	ck_assert_int_eq(ormc_base64_decode("AA=A", 4, bytes, &n), -1);
	ormc_hex_encode(bytes, 2, b64);
	ck_assert_str_eq(b64, "0001");
}
END_TEST

static Suite *
convert_suite(void)
{
	Suite *s = suite_create("convert");
	TCase *tc;

	tc = tcase_create("quantize");
	tcase_add_test(tc, test_quantize_basic);
	tcase_add_test(tc, test_convert_quotient);
	tcase_add_test(tc, test_quantize_half_even);
	tcase_add_test(tc, test_quantize_sign);
	tcase_add_test(tc, test_quantize_exponent);
	tcase_add_test(tc, test_quantize_plain);
	tcase_add_test(tc, test_quantize_invalid);
	tcase_add_test(tc, test_normalize);
	suite_add_tcase(s, tc);

	tc = tcase_create("from_double");
	tcase_add_test(tc, test_from_double);
	suite_add_tcase(s, tc);

	tc = tcase_create("decimal");
	tcase_add_test(tc, test_convert_decimal);
	tcase_add_test(tc, test_convert_decimal_invalid);
	suite_add_tcase(s, tc);

	tc = tcase_create("numbers");
	tcase_add_test(tc, test_convert_int);
	tcase_add_test(tc, test_convert_float);
	tcase_add_test(tc, test_convert_null);
	tcase_add_test(tc, test_convert_bool);
	suite_add_tcase(s, tc);

	tc = tcase_create("temporal");
	tcase_add_test(tc, test_convert_date);
	tcase_add_test(tc, test_convert_datetime);
	tcase_add_test(tc, test_convert_time);
	tcase_add_test(tc, test_convert_duration);
	suite_add_tcase(s, tc);

	tc = tcase_create("text");
	tcase_add_test(tc, test_convert_text);
	tcase_add_test(tc, test_convert_json_binary);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(convert_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed != 0;
}
