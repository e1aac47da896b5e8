/*
 * check_value.c -- typed getters, text parsers and formatting of ormc_value
 * (include/ormc/value.h, core/value.c).
 */
#include <check.h>
#include <float.h>
#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ormc/error.h"
#include "ormc/value.h"
#include "types.h"

/* ---- helpers ------------------------------------------------------------ */

static ormc_value
vnull(void)
{
	ormc_value v;

	memset(&v, 0, sizeof(v));
	v.type = ORMC_TYPE_NULL;
	return v;
}

static ormc_value
vi(ormc_type t, int64_t i)
{
	ormc_value v;

	memset(&v, 0, sizeof(v));
	v.type = t;
	v.i = i;
	return v;
}

static ormc_value
vf(double f)
{
	ormc_value v;

	memset(&v, 0, sizeof(v));
	v.type = ORMC_TYPE_FLOAT;
	v.f = f;
	return v;
}

static ormc_value
vs(ormc_type t, const char *s)
{
	ormc_value v;

	memset(&v, 0, sizeof(v));
	v.type = t;
	v.s = s;
	v.len = s != NULL ? strlen(s) : 0;
	return v;
}

/* One value of every type, for the "wrong type" checks. */
static ormc_value
sample(ormc_type t)
{
	switch (t) {
	case ORMC_TYPE_NULL:     return vnull();
	case ORMC_TYPE_INT:      return vi(t, 12);
	case ORMC_TYPE_FLOAT:    return vf(1.5);
	case ORMC_TYPE_DECIMAL:  return vs(t, "12");
	case ORMC_TYPE_TEXT:     return vs(t, "12");
	case ORMC_TYPE_BOOL:     return vi(t, 1);
	case ORMC_TYPE_DATE:     return vs(t, "2024-02-29");
	case ORMC_TYPE_DATETIME: return vs(t, "2024-02-29 10:00:00");
	case ORMC_TYPE_TIME:     return vs(t, "10:00:00");
	case ORMC_TYPE_DURATION: return vi(t, 12);
	}
	ck_abort_msg("no sample for type %d", (int)t);
	return vnull();
}

#define NTYPES ((int)ORMC_TYPE_DURATION + 1)

static ormc_date
date_ok(const char *s)
{
	ormc_value v = vs(ORMC_TYPE_DATE, s);
	ormc_date d;
	int rc = ormc_value_date(&v, &d);

	ck_assert_msg(rc == ORMC_OK, "date '%s': %d", s, rc);
	return d;
}

static void
date_bad(const char *s)
{
	ormc_value v = vs(ORMC_TYPE_DATE, s);
	ormc_date d = { -7, -7, -7 };
	int rc = ormc_value_date(&v, &d);

	ck_assert_msg(rc == ORMC_ETYPE, "date '%s' accepted (%d)", s, rc);
	ck_assert_int_eq(d.year, -7);     /* untouched */
	ck_assert_int_eq(d.month, -7);
	ck_assert_int_eq(d.day, -7);
}

static ormc_time
time_ok(const char *s)
{
	ormc_value v = vs(ORMC_TYPE_TIME, s);
	ormc_time t;
	int rc = ormc_value_time(&v, &t);

	ck_assert_msg(rc == ORMC_OK, "time '%s': %d", s, rc);
	return t;
}

static void
time_bad(const char *s)
{
	ormc_value v = vs(ORMC_TYPE_TIME, s);
	ormc_time t = { -7, -7, -7, -7 };
	int rc = ormc_value_time(&v, &t);

	ck_assert_msg(rc == ORMC_ETYPE, "time '%s' accepted (%d)", s, rc);
	ck_assert_int_eq(t.hour, -7);
	ck_assert_int_eq(t.microsecond, -7);
}

static ormc_datetime
datetime_ok(const char *s)
{
	ormc_value v = vs(ORMC_TYPE_DATETIME, s);
	ormc_datetime dt;
	int rc = ormc_value_datetime(&v, &dt);

	ck_assert_msg(rc == ORMC_OK, "datetime '%s': %d", s, rc);
	return dt;
}

static void
datetime_bad(const char *s)
{
	ormc_value v = vs(ORMC_TYPE_DATETIME, s);
	ormc_datetime dt;
	int rc;

	memset(&dt, 0x5a, sizeof(dt));
	rc = ormc_value_datetime(&v, &dt);
	ck_assert_msg(rc == ORMC_ETYPE, "datetime '%s' accepted (%d)", s, rc);
	ck_assert_int_eq(dt.date.year, 0x5a5a5a5a);
	ck_assert_int_eq(dt.has_offset, 0x5a5a5a5a);
}

static int
decimal_scale(const char *s)
{
	ormc_value v = vs(ORMC_TYPE_DECIMAL, s);
	const char *d = NULL;
	size_t len = 0;
	int scale = -1, rc = ormc_value_decimal(&v, &d, &len, &scale);

	ck_assert_msg(rc == ORMC_OK, "decimal '%s': %d", s, rc);
	ck_assert_ptr_eq(d, s);           /* borrowed, the exact text */
	ck_assert_uint_eq(len, strlen(s));
	return scale;
}

static void
decimal_bad(const char *s)
{
	ormc_value v = vs(ORMC_TYPE_DECIMAL, s);
	const char *d = "untouched";
	size_t len = 99;
	int scale = 99, rc = ormc_value_decimal(&v, &d, &len, &scale);
	double f = 99.0;

	ck_assert_msg(rc == ORMC_ETYPE, "decimal '%s' accepted (%d)", s, rc);
	ck_assert_str_eq(d, "untouched");
	ck_assert_uint_eq(len, 99);
	ck_assert_int_eq(scale, 99);
	ck_assert_int_eq(ormc_value_double(&v, &f), ORMC_ETYPE);
	ck_assert(f == 99.0);
}

static double
decimal_double(const char *s)
{
	ormc_value v = vs(ORMC_TYPE_DECIMAL, s);
	double f;
	int rc = ormc_value_double(&v, &f);

	ck_assert_msg(rc == ORMC_OK, "double of decimal '%.40s': %d", s, rc);
	return f;
}

/* ormc_value_format into a roomy buffer; checks the return is the length. */
static const char *
fmt(ormc_value v)
{
	static char buf[256];
	int r = ormc_value_format(&v, buf, sizeof(buf));

	ck_assert_msg(r >= 0, "format failed: %d", r);
	ck_assert_int_eq((int)strlen(buf), r);
	return buf;
}

/* ---- names and NULL ----------------------------------------------------- */

START_TEST(test_type_name)
{
	static const char *const names[NTYPES] = {
		"null", "int", "float", "decimal", "text", "bool", "date",
		"datetime", "time", "duration"
	};
	int t;

	for (t = 0; t < NTYPES; t++)
		ck_assert_str_eq(ormc_type_name((ormc_type)t), names[t]);
	ck_assert_str_eq(ormc_type_name((ormc_type)99), "unknown");
	ck_assert_str_eq(ormc_type_name((ormc_type)-1), "unknown");
}
END_TEST

START_TEST(test_is_null)
{
	ormc_value v = vnull();
	int t;

	ck_assert_int_eq(ormc_value_is_null(NULL), 1);
	ck_assert_int_eq(ormc_value_is_null(&v), 1);
	for (t = 1; t < NTYPES; t++) {
		v = sample((ormc_type)t);
		ck_assert_int_eq(ormc_value_is_null(&v), 0);
	}
	/* an empty text is a value, not NULL */
	v = vs(ORMC_TYPE_TEXT, "");
	ck_assert_int_eq(ormc_value_is_null(&v), 0);
}
END_TEST

/*
 * Every getter on every type: ORMC_ENULL for NULL (also a NULL pointer),
 * ORMC_OK for the types it takes, ORMC_ETYPE for the others, and the
 * output untouched whenever it fails.
 */
START_TEST(test_getter_types)
{
	int t;

	for (t = 0; t < NTYPES; t++) {
		ormc_value v = sample((ormc_type)t);
		int64_t i = -77;
		double f = -77.0;
		int b = -77, scale = -77;
		const char *s = "untouched";
		size_t len = 77;
		ormc_date d = { -77, -77, -77 };
		ormc_time tm = { -77, -77, -77, -77 };
		ormc_datetime dt;
		int want_null = t == ORMC_TYPE_NULL;
		int rc;

		memset(&dt, 0, sizeof(dt));
		dt.date.year = -77;

#define EXPECT(call, ok_type, untouched)                                     \
	do {                                                                 \
		rc = (call);                                                 \
		if (want_null)                                               \
			ck_assert_msg(rc == ORMC_ENULL, "%s on null: %d",    \
			              #call, rc);                            \
		else if (ok_type)                                            \
			ck_assert_msg(rc == ORMC_OK, "%s on %s: %d", #call,  \
			              ormc_type_name((ormc_type)t), rc);     \
		else                                                         \
			ck_assert_msg(rc == ORMC_ETYPE, "%s on %s: %d",      \
			              #call, ormc_type_name((ormc_type)t), rc); \
		if (rc != ORMC_OK)                                           \
			ck_assert_msg(untouched, "%s wrote on failure", #call); \
	} while (0)

		EXPECT(ormc_value_int64(&v, &i), t == ORMC_TYPE_INT, i == -77);
		EXPECT(ormc_value_double(&v, &f),
		       t == ORMC_TYPE_FLOAT || t == ORMC_TYPE_INT ||
		       t == ORMC_TYPE_DECIMAL, f == -77.0);
		EXPECT(ormc_value_bool(&v, &b), t == ORMC_TYPE_BOOL, b == -77);
		EXPECT(ormc_value_text(&v, &s, &len), t == ORMC_TYPE_TEXT,
		       strcmp(s, "untouched") == 0 && len == 77);
		s = "untouched";
		len = 77;
		EXPECT(ormc_value_decimal(&v, &s, &len, &scale),
		       t == ORMC_TYPE_DECIMAL,
		       strcmp(s, "untouched") == 0 && len == 77 && scale == -77);
		EXPECT(ormc_value_date(&v, &d), t == ORMC_TYPE_DATE, d.year == -77);
		EXPECT(ormc_value_datetime(&v, &dt), t == ORMC_TYPE_DATETIME,
		       dt.date.year == -77);
		EXPECT(ormc_value_time(&v, &tm), t == ORMC_TYPE_TIME,
		       tm.hour == -77);
		i = -77;
		EXPECT(ormc_value_duration(&v, &i), t == ORMC_TYPE_DURATION,
		       i == -77);
#undef EXPECT
	}
}
END_TEST

START_TEST(test_getter_null_pointer)
{
	int64_t i;
	double f;
	int b, scale;
	const char *s;
	size_t len;
	ormc_date d;
	ormc_time tm;
	ormc_datetime dt;

	ck_assert_int_eq(ormc_value_int64(NULL, &i), ORMC_ENULL);
	ck_assert_int_eq(ormc_value_double(NULL, &f), ORMC_ENULL);
	ck_assert_int_eq(ormc_value_bool(NULL, &b), ORMC_ENULL);
	ck_assert_int_eq(ormc_value_text(NULL, &s, &len), ORMC_ENULL);
	ck_assert_int_eq(ormc_value_decimal(NULL, &s, &len, &scale), ORMC_ENULL);
	ck_assert_int_eq(ormc_value_date(NULL, &d), ORMC_ENULL);
	ck_assert_int_eq(ormc_value_datetime(NULL, &dt), ORMC_ENULL);
	ck_assert_int_eq(ormc_value_time(NULL, &tm), ORMC_ENULL);
	ck_assert_int_eq(ormc_value_duration(NULL, &i), ORMC_ENULL);
}
END_TEST

/* ---- numbers ------------------------------------------------------------ */

START_TEST(test_int64)
{
	ormc_value v = vi(ORMC_TYPE_INT, INT64_MIN);
	int64_t i = 0;

	ck_assert_int_eq(ormc_value_int64(&v, &i), ORMC_OK);
	ck_assert(i == INT64_MIN);
	v = vi(ORMC_TYPE_INT, INT64_MAX);
	ck_assert_int_eq(ormc_value_int64(&v, &i), ORMC_OK);
	ck_assert(i == INT64_MAX);
	/* strict: an integral decimal or a bool is not an int */
	v = vs(ORMC_TYPE_DECIMAL, "5");
	ck_assert_int_eq(ormc_value_int64(&v, &i), ORMC_ETYPE);
	v = vi(ORMC_TYPE_BOOL, 1);
	ck_assert_int_eq(ormc_value_int64(&v, &i), ORMC_ETYPE);
	v = vs(ORMC_TYPE_TEXT, "5");
	ck_assert_int_eq(ormc_value_int64(&v, &i), ORMC_ETYPE);
}
END_TEST

START_TEST(test_double)
{
	ormc_value v = vf(0.1);
	double f = 0;

	ck_assert_int_eq(ormc_value_double(&v, &f), ORMC_OK);
	ck_assert(f == 0.1);
	v = vf(-0.0);
	ck_assert_int_eq(ormc_value_double(&v, &f), ORMC_OK);
	ck_assert(f == 0.0 && signbit(f));
	v = vi(ORMC_TYPE_INT, -42);
	ck_assert_int_eq(ormc_value_double(&v, &f), ORMC_OK);
	ck_assert(f == -42.0);
	/* exact up to 2^53, rounded to nearest (even) beyond */
	v = vi(ORMC_TYPE_INT, INT64_C(9007199254740992));
	ck_assert_int_eq(ormc_value_double(&v, &f), ORMC_OK);
	ck_assert(f == 9007199254740992.0);
	v = vi(ORMC_TYPE_INT, INT64_C(9007199254740993));
	ck_assert_int_eq(ormc_value_double(&v, &f), ORMC_OK);
	ck_assert(f == 9007199254740992.0);
	/* a bool or a duration is no number here */
	v = vi(ORMC_TYPE_BOOL, 1);
	ck_assert_int_eq(ormc_value_double(&v, &f), ORMC_ETYPE);
	v = vi(ORMC_TYPE_DURATION, 1);
	ck_assert_int_eq(ormc_value_double(&v, &f), ORMC_ETYPE);
}
END_TEST

START_TEST(test_double_of_decimal)
{
	char big[1200];
	double f;

	ck_assert(decimal_double("-12.50") == -12.5);
	ck_assert(decimal_double("0.1") == 0.1);
	ck_assert(decimal_double("34.35") == 34.35);
	ck_assert(decimal_double("12") == 12.0);
	ck_assert(decimal_double("7.") == 7.0);
	ck_assert(decimal_double(".5") == 0.5);
	ck_assert(decimal_double("+3.25") == 3.25);
	ck_assert(decimal_double("000123.4500") == 123.45);
	ck_assert(decimal_double("0.000000000000000000001") == 1e-21);
	/* DBL_MAX written out: 17976931348623157 and 292 zeros */
	strcpy(big, "17976931348623157");
	memset(big + 17, '0', 292);
	big[17 + 292] = '\0';
	ck_assert(decimal_double(big) == DBL_MAX);
	f = decimal_double("0.00");
	ck_assert(f == 0.0 && !signbit(f));
	f = decimal_double("-0.00");     /* float(Decimal("-0.00")) is -0.0 */
	ck_assert(f == 0.0 && signbit(f));

	/*
	 * 2^53 + 1 is halfway between two doubles: it rounds to even, but any
	 * non-zero digit after it, however far, rounds up. 900 zeros put that
	 * digit beyond the significant digits kept for strtod().
	 */
	ck_assert(decimal_double("9007199254740993") == 9007199254740992.0);
	strcpy(big, "9007199254740993.");
	memset(big + strlen(big), '0', 900);
	big[17 + 900] = '\0';
	ck_assert(decimal_double(big) == 9007199254740992.0);
	big[17 + 900] = '1';
	big[17 + 901] = '\0';
	ck_assert(decimal_double(big) == 9007199254740994.0);
	big[0] = '-';       /* "-007199254740993.000...1" */
	ck_assert(decimal_double(big) == -7199254740993.0);

	/* 10^400: beyond the double range */
	big[0] = '1';
	memset(big + 1, '0', 400);
	big[401] = '\0';
	ck_assert(isinf(decimal_double(big)) && decimal_double(big) > 0);
	/* 10^-400 as "0.000...1": below the smallest subnormal */
	strcpy(big, "0.");
	memset(big + 2, '0', 399);
	strcpy(big + 401, "1");
	f = decimal_double(big);
	ck_assert(f == 0.0);
	/* 5e-324, the smallest subnormal, written out in full */
	strcpy(big, "0.");
	memset(big + 2, '0', 323);
	strcpy(big + 325, "5");
	ck_assert(decimal_double(big) == 5e-324);
}
END_TEST

START_TEST(test_bool)
{
	ormc_value v = vi(ORMC_TYPE_BOOL, 1);
	int b = -1;

	ck_assert_int_eq(ormc_value_bool(&v, &b), ORMC_OK);
	ck_assert_int_eq(b, 1);
	v = vi(ORMC_TYPE_BOOL, 0);
	ck_assert_int_eq(ormc_value_bool(&v, &b), ORMC_OK);
	ck_assert_int_eq(b, 0);
	v = vi(ORMC_TYPE_BOOL, 5);       /* caller-made: any non-zero is true */
	ck_assert_int_eq(ormc_value_bool(&v, &b), ORMC_OK);
	ck_assert_int_eq(b, 1);
	v = vi(ORMC_TYPE_INT, 1);
	ck_assert_int_eq(ormc_value_bool(&v, &b), ORMC_ETYPE);
	v = vs(ORMC_TYPE_TEXT, "true");
	ck_assert_int_eq(ormc_value_bool(&v, &b), ORMC_ETYPE);
}
END_TEST

START_TEST(test_duration)
{
	ormc_value v = vi(ORMC_TYPE_DURATION, -93784000005LL);
	int64_t us = 0;

	ck_assert_int_eq(ormc_value_duration(&v, &us), ORMC_OK);
	ck_assert(us == -93784000005LL);
	v = vi(ORMC_TYPE_INT, 5);
	us = 3;
	ck_assert_int_eq(ormc_value_duration(&v, &us), ORMC_ETYPE);
	ck_assert(us == 3);
}
END_TEST

/* ---- text and decimal --------------------------------------------------- */

START_TEST(test_text)
{
	static const char withnul[] = "a\0b";
	ormc_value v = vs(ORMC_TYPE_TEXT, "hello");
	const char *s = NULL;
	size_t len = 0;

	ck_assert_int_eq(ormc_value_text(&v, &s, &len), ORMC_OK);
	ck_assert_ptr_eq(s, v.s);
	ck_assert_uint_eq(len, 5);
	ck_assert_str_eq(s, "hello");
	s = NULL;
	ck_assert_int_eq(ormc_value_text(&v, &s, NULL), ORMC_OK);  /* len optional */
	ck_assert_str_eq(s, "hello");

	/* the length counts, not the NUL */
	v.s = withnul;
	v.len = 3;
	ck_assert_int_eq(ormc_value_text(&v, &s, &len), ORMC_OK);
	ck_assert_uint_eq(len, 3);
	ck_assert_int_eq(memcmp(s, "a\0b", 3), 0);

	/* s NULL: "" when empty, malformed otherwise */
	v.s = NULL;
	v.len = 0;
	ck_assert_int_eq(ormc_value_text(&v, &s, &len), ORMC_OK);
	ck_assert_str_eq(s, "");
	ck_assert_uint_eq(len, 0);
	v.len = 4;
	s = "untouched";
	ck_assert_int_eq(ormc_value_text(&v, &s, &len), ORMC_ETYPE);
	ck_assert_str_eq(s, "untouched");

	/* other text-encoded kinds are not TEXT */
	v = vs(ORMC_TYPE_DECIMAL, "1.5");
	ck_assert_int_eq(ormc_value_text(&v, &s, &len), ORMC_ETYPE);
	v = vs(ORMC_TYPE_DATE, "2024-01-01");
	ck_assert_int_eq(ormc_value_text(&v, &s, &len), ORMC_ETYPE);
}
END_TEST

START_TEST(test_decimal)
{
	ormc_value v;
	const char *d;

	ck_assert_int_eq(decimal_scale("-12.50"), 2);
	ck_assert_int_eq(decimal_scale("-0.50"), 2);
	ck_assert_int_eq(decimal_scale("12"), 0);
	ck_assert_int_eq(decimal_scale("0"), 0);
	ck_assert_int_eq(decimal_scale("7."), 0);
	ck_assert_int_eq(decimal_scale(".5"), 1);
	ck_assert_int_eq(decimal_scale("+3.0"), 1);
	ck_assert_int_eq(decimal_scale("0.0000000001"), 10);
	ck_assert_int_eq(decimal_scale("123456789012345678901234567890.123"), 3);

	/* digits, len and scale are each optional */
	v = vs(ORMC_TYPE_DECIMAL, "1.25");
	ck_assert_int_eq(ormc_value_decimal(&v, NULL, NULL, NULL), ORMC_OK);
	d = NULL;
	ck_assert_int_eq(ormc_value_decimal(&v, &d, NULL, NULL), ORMC_OK);
	ck_assert_str_eq(d, "1.25");

	/* only part of a longer buffer: len bounds the text */
	v.s = "1.25xyz";
	v.len = 4;
	ck_assert_int_eq(ormc_value_decimal(&v, NULL, NULL, NULL), ORMC_OK);
	v.len = 5;
	ck_assert_int_eq(ormc_value_decimal(&v, NULL, NULL, NULL), ORMC_ETYPE);

	/* plain notation only */
	decimal_bad("1E+2");
	decimal_bad("1e2");
	decimal_bad("1.5e-3");
	decimal_bad("NaN");
	decimal_bad("Infinity");
	decimal_bad("-inf");
	decimal_bad("");
	decimal_bad("-");
	decimal_bad("+");
	decimal_bad(".");
	decimal_bad("-.");
	decimal_bad(" 1");
	decimal_bad("1 ");
	decimal_bad("1.2.3");
	decimal_bad("--1");
	decimal_bad("+-1");
	decimal_bad("0x10");
	decimal_bad("1,5");
	decimal_bad("12a");
}
END_TEST

/* ---- dates and times ---------------------------------------------------- */

START_TEST(test_date)
{
	ormc_date d = date_ok("2026-11-21");

	ck_assert_int_eq(d.year, 2026);
	ck_assert_int_eq(d.month, 11);
	ck_assert_int_eq(d.day, 21);
	d = date_ok("0001-01-01");
	ck_assert_int_eq(d.year, 1);
	d = date_ok("9999-12-31");
	ck_assert_int_eq(d.year, 9999);
	ck_assert_int_eq(d.day, 31);

	/* leap years: every 4th, not every 100th, every 400th */
	d = date_ok("2024-02-29");
	ck_assert_int_eq(d.day, 29);
	date_ok("2000-02-29");
	date_ok("1600-02-29");
	date_bad("1900-02-29");
	date_bad("2100-02-29");
	date_bad("2023-02-29");
	date_bad("2024-02-30");
	date_ok("2023-02-28");

	/* month lengths */
	date_ok("2024-01-31");
	date_ok("2024-03-31");
	date_bad("2024-04-31");
	date_bad("2024-06-31");
	date_bad("2024-09-31");
	date_bad("2024-11-31");
	date_ok("2024-12-31");
	date_bad("2024-01-32");
	date_bad("2024-01-00");
	date_bad("2024-00-10");
	date_bad("2024-13-01");
	date_bad("0000-01-01");       /* Python's MINYEAR is 1 */

	/* shape */
	date_bad("");
	date_bad("2024-1-01");
	date_bad("24-01-01");
	date_bad("20240101");
	date_bad("2024/01/01");
	date_bad("2024-01-01x");
	date_bad("2024-01-01 ");
	date_bad(" 2024-01-01");
	date_bad("2024-01-01 00:00:00");   /* a datetime is not a date */
	date_bad("2024-01-0a");
	date_bad("+2024-01-01");
	date_bad("12024-01-01");
}
END_TEST

START_TEST(test_time)
{
	static const struct { const char *s; int us; } frac[] = {
		{ "12:34:56.5", 500000 },
		{ "12:34:56.25", 250000 },
		{ "12:34:56.125", 125000 },
		{ "12:34:56.0625", 62500 },
		{ "12:34:56.03125", 31250 },
		{ "12:34:56.000001", 1 },
		{ "12:34:56.999999", 999999 },
		{ "12:34:56.000000", 0 },
		{ "12:34:56.0", 0 },
	};
	ormc_time t = time_ok("12:34:56");
	size_t k;

	ck_assert_int_eq(t.hour, 12);
	ck_assert_int_eq(t.minute, 34);
	ck_assert_int_eq(t.second, 56);
	ck_assert_int_eq(t.microsecond, 0);
	t = time_ok("00:00:00");
	ck_assert_int_eq(t.hour, 0);
	t = time_ok("23:59:59.999999");
	ck_assert_int_eq(t.hour, 23);
	ck_assert_int_eq(t.minute, 59);
	ck_assert_int_eq(t.second, 59);
	ck_assert_int_eq(t.microsecond, 999999);
	for (k = 0; k < sizeof(frac) / sizeof(frac[0]); k++) {
		t = time_ok(frac[k].s);
		ck_assert_msg(t.microsecond == frac[k].us, "%s: %d us", frac[k].s,
		              t.microsecond);
		ck_assert_int_eq(t.second, 56);
	}

	time_bad("24:00:00");
	time_bad("23:60:00");
	time_bad("23:00:60");        /* no leap second */
	time_bad("12:3:00");
	time_bad("1:30:00");
	time_bad("12:30");           /* seconds are required */
	time_bad("12:30:0");
	time_bad("12:30:00.");
	time_bad("12:30:00.1234567"); /* below a microsecond */
	time_bad("12:30:00,5");
	time_bad("12:30:00 ");
	time_bad(" 12:30:00");
	time_bad("12:30:00x");
	time_bad("12:30:00Z");       /* no offset on a time */
	time_bad("12:30:00+05:00");
	time_bad("12-30-00");
	time_bad("1230:00");
	time_bad("");
	time_bad("2024-01-01 12:30:00");
	time_bad("-12:30:00");
}
END_TEST

START_TEST(test_datetime)
{
	ormc_datetime dt = datetime_ok("2026-11-21 10:20:30");

	ck_assert_int_eq(dt.date.year, 2026);
	ck_assert_int_eq(dt.date.month, 11);
	ck_assert_int_eq(dt.date.day, 21);
	ck_assert_int_eq(dt.time.hour, 10);
	ck_assert_int_eq(dt.time.minute, 20);
	ck_assert_int_eq(dt.time.second, 30);
	ck_assert_int_eq(dt.time.microsecond, 0);
	ck_assert_int_eq(dt.has_offset, 0);
	ck_assert_int_eq(dt.offset_minutes, 0);

	/* 'T' too, as the converter writes it, and fractions of 1-6 digits */
	dt = datetime_ok("2026-11-21T10:20:30.5");
	ck_assert_int_eq(dt.time.microsecond, 500000);
	dt = datetime_ok("2026-11-21T10:20:30.000001");
	ck_assert_int_eq(dt.time.microsecond, 1);
	dt = datetime_ok("2024-02-29T23:59:59.999999");
	ck_assert_int_eq(dt.date.day, 29);
	ck_assert_int_eq(dt.time.microsecond, 999999);

	/* offsets */
	dt = datetime_ok("2026-11-21T10:20:30+05:30");
	ck_assert_int_eq(dt.has_offset, 1);
	ck_assert_int_eq(dt.offset_minutes, 330);
	dt = datetime_ok("2026-11-21 10:20:30.25-08:00");
	ck_assert_int_eq(dt.time.microsecond, 250000);
	ck_assert_int_eq(dt.has_offset, 1);
	ck_assert_int_eq(dt.offset_minutes, -480);
	dt = datetime_ok("2026-11-21T10:20:30Z");
	ck_assert_int_eq(dt.has_offset, 1);
	ck_assert_int_eq(dt.offset_minutes, 0);
	dt = datetime_ok("2026-11-21T10:20:30+00:00");
	ck_assert_int_eq(dt.has_offset, 1);
	ck_assert_int_eq(dt.offset_minutes, 0);
	dt = datetime_ok("2026-11-21T10:20:30-0930");
	ck_assert_int_eq(dt.offset_minutes, -570);
	dt = datetime_ok("2026-11-21T10:20:30+05");
	ck_assert_int_eq(dt.offset_minutes, 300);
	dt = datetime_ok("2026-11-21T10:20:30.5+23:59");
	ck_assert_int_eq(dt.offset_minutes, 1439);
	ck_assert_int_eq(dt.time.microsecond, 500000);

	datetime_bad("2026-11-21");          /* a date alone is not a datetime */
	datetime_bad("2026-11-21 ");
	datetime_bad("2026-11-21T");
	datetime_bad("2026-11-21 10:20");
	datetime_bad("2026-11-21X10:20:30");
	datetime_bad("2026-11-2110:20:30");
	datetime_bad("2024-02-30 10:20:30");
	datetime_bad("2023-02-29 10:20:30");
	datetime_bad("1900-02-29 10:20:30");
	datetime_bad("2026-11-21 24:00:00");
	datetime_bad("2026-11-21 12:3:00");
	datetime_bad("2026-11-21 10:20:30.");
	datetime_bad("2026-11-21 10:20:30.1234567");
	datetime_bad("2026-11-21 10:20:30 +05:00");
	datetime_bad("2026-11-21 10:20:30+24:00");
	datetime_bad("2026-11-21 10:20:30+05:60");
	datetime_bad("2026-11-21 10:20:30+5:30");
	datetime_bad("2026-11-21 10:20:30+05:");
	datetime_bad("2026-11-21 10:20:30+05:3");
	datetime_bad("2026-11-21 10:20:30+053");
	datetime_bad("2026-11-21 10:20:30+05:30:00");
	datetime_bad("2026-11-21 10:20:30z");
	datetime_bad("2026-11-21 10:20:30Z ");
	datetime_bad("2026-11-21 10:20:30ZZ");
	datetime_bad("2026-11-21 10:20:30junk");
	datetime_bad("");
}
END_TEST

/* The parsers read exactly len bytes: no NUL needed, none looked for. */
START_TEST(test_parsers_len)
{
	static const char buf[] = "2024-02-29 12:30:45.5+01:00 and more";
	ormc_date d;
	ormc_time t;
	ormc_datetime dt;

	ck_assert_int_eq(ormc_date_parse(buf, 10, &d), ORMC_OK);
	ck_assert_int_eq(d.day, 29);
	ck_assert_int_eq(ormc_date_parse(buf, 11, &d), ORMC_ETYPE);
	ck_assert_int_eq(ormc_date_parse(buf, 9, &d), ORMC_ETYPE);
	ck_assert_int_eq(ormc_time_parse(buf + 11, 8, &t), ORMC_OK);
	ck_assert_int_eq(t.second, 45);
	ck_assert_int_eq(t.microsecond, 0);
	ck_assert_int_eq(ormc_time_parse(buf + 11, 10, &t), ORMC_OK);
	ck_assert_int_eq(t.microsecond, 500000);
	ck_assert_int_eq(ormc_time_parse(buf + 11, 7, &t), ORMC_ETYPE);
	ck_assert_int_eq(ormc_datetime_parse(buf, 19, &dt), ORMC_OK);
	ck_assert_int_eq(dt.has_offset, 0);
	ck_assert_int_eq(ormc_datetime_parse(buf, 27, &dt), ORMC_OK);
	ck_assert_int_eq(dt.offset_minutes, 60);
	ck_assert_int_eq(ormc_datetime_parse(buf, 24, &dt), ORMC_OK);  /* "+01" */
	ck_assert_int_eq(dt.offset_minutes, 60);
	ck_assert_int_eq(ormc_datetime_parse(buf, 25, &dt), ORMC_ETYPE); /* "+01:" */
	ck_assert_int_eq(ormc_datetime_parse(buf, 28, &dt), ORMC_ETYPE);
	ck_assert_int_eq(ormc_date_parse(NULL, 0, &d), ORMC_ETYPE);
	ck_assert_int_eq(ormc_time_parse(NULL, 0, &t), ORMC_ETYPE);
	ck_assert_int_eq(ormc_datetime_parse(NULL, 0, &dt), ORMC_ETYPE);
}
END_TEST

/* A text kind with s NULL and a length is malformed for every getter. */
START_TEST(test_null_text_pointer)
{
	ormc_value v;
	ormc_date d;
	ormc_time t;
	ormc_datetime dt;
	double f;

	v = vs(ORMC_TYPE_DATE, NULL);
	ck_assert_int_eq(ormc_value_date(&v, &d), ORMC_ETYPE);   /* "" */
	v.len = 10;
	ck_assert_int_eq(ormc_value_date(&v, &d), ORMC_ETYPE);
	v.type = ORMC_TYPE_TIME;
	ck_assert_int_eq(ormc_value_time(&v, &t), ORMC_ETYPE);
	v.type = ORMC_TYPE_DATETIME;
	ck_assert_int_eq(ormc_value_datetime(&v, &dt), ORMC_ETYPE);
	v.type = ORMC_TYPE_DECIMAL;
	ck_assert_int_eq(ormc_value_decimal(&v, NULL, NULL, NULL), ORMC_ETYPE);
	ck_assert_int_eq(ormc_value_double(&v, &f), ORMC_ETYPE);
}
END_TEST

/*
 * What the converter writes is what the getters read: a raw driver cell
 * through ormc_convert(), then the getter.
 */
START_TEST(test_converted_cells)
{
	char buf[128];
	ormc_value raw, out;
	ormc_otype ty;
	ormc_datetime dt;
	ormc_date d;
	ormc_time t;
	const char *digits;
	size_t len;
	int scale;

	ty.max_digits = -1;
	ty.decimal_places = -1;

	raw = vs(ORMC_TYPE_TEXT, "2024-02-29 10:00:00.25+05:30");
	ty.kind = ORMC_FIELD_DATETIME;
	ck_assert_int_eq(ormc_convert(&raw, &ty, &out, buf, sizeof(buf), NULL),
	                 ORMC_OK);
	ck_assert_int_eq(ormc_value_datetime(&out, &dt), ORMC_OK);
	ck_assert_int_eq(dt.date.day, 29);
	ck_assert_int_eq(dt.time.microsecond, 250000);
	ck_assert_int_eq(dt.offset_minutes, 330);
	ck_assert_str_eq(buf, "2024-02-29T10:00:00.250000+05:30");
	ck_assert_int_eq(out.s[out.len], '\0');

	ty.kind = ORMC_FIELD_DATE;
	ck_assert_int_eq(ormc_convert(&raw, &ty, &out, buf, sizeof(buf), NULL),
	                 ORMC_OK);
	ck_assert_int_eq(ormc_value_date(&out, &d), ORMC_OK);
	ck_assert_int_eq(d.month, 2);

	raw = vs(ORMC_TYPE_TEXT, "10:30");
	ty.kind = ORMC_FIELD_TIME;
	ck_assert_int_eq(ormc_convert(&raw, &ty, &out, buf, sizeof(buf), NULL),
	                 ORMC_OK);
	ck_assert_int_eq(ormc_value_time(&out, &t), ORMC_OK);
	ck_assert_int_eq(t.minute, 30);

	raw = vf(12.5);
	ty.kind = ORMC_FIELD_DECIMAL;
	ty.max_digits = 10;
	ty.decimal_places = 2;
	ck_assert_int_eq(ormc_convert(&raw, &ty, &out, buf, sizeof(buf), NULL),
	                 ORMC_OK);
	ck_assert_int_eq(ormc_value_decimal(&out, &digits, &len, &scale), ORMC_OK);
	ck_assert_int_eq((int)len, 5);
	ck_assert_int_eq(memcmp(digits, "12.50", 5), 0);
	ck_assert_int_eq(scale, 2);
	raw = vs(ORMC_TYPE_TEXT, "1E+2");
	ck_assert_int_eq(ormc_convert(&raw, &ty, &out, buf, sizeof(buf), NULL),
	                 ORMC_OK);
	ck_assert_int_eq(ormc_value_decimal(&out, &digits, &len, &scale), ORMC_OK);
	ck_assert_int_eq(memcmp(digits, "100.00", 6), 0);
}
END_TEST

/* ---- formatting --------------------------------------------------------- */

START_TEST(test_format_scalars)
{
	ormc_value v = vnull();

	ck_assert_str_eq(fmt(v), "");
	{
		char buf[4] = "xyz";

		ck_assert_int_eq(ormc_value_format(NULL, buf, sizeof(buf)), 0);
		ck_assert_str_eq(buf, "");
	}
	ck_assert_str_eq(fmt(vi(ORMC_TYPE_INT, 0)), "0");
	ck_assert_str_eq(fmt(vi(ORMC_TYPE_INT, -42)), "-42");
	ck_assert_str_eq(fmt(vi(ORMC_TYPE_INT, INT64_MIN)), "-9223372036854775808");
	ck_assert_str_eq(fmt(vi(ORMC_TYPE_INT, INT64_MAX)), "9223372036854775807");
	ck_assert_str_eq(fmt(vi(ORMC_TYPE_BOOL, 1)), "true");
	ck_assert_str_eq(fmt(vi(ORMC_TYPE_BOOL, 0)), "false");
	ck_assert_str_eq(fmt(vi(ORMC_TYPE_BOOL, 7)), "true");
	ck_assert_str_eq(fmt(vs(ORMC_TYPE_DECIMAL, "-12.50")), "-12.50");
	ck_assert_str_eq(fmt(vs(ORMC_TYPE_TEXT, "h\xc3\xa9llo")), "h\xc3\xa9llo");
	ck_assert_str_eq(fmt(vs(ORMC_TYPE_TEXT, "")), "");
	ck_assert_str_eq(fmt(vs(ORMC_TYPE_TEXT, NULL)), "");
	ck_assert_str_eq(fmt(vs(ORMC_TYPE_DATE, "2024-02-29")), "2024-02-29");
	ck_assert_str_eq(fmt(vs(ORMC_TYPE_DATETIME, "2024-02-29T10:00:00.500000+05:30")),
	                 "2024-02-29T10:00:00.500000+05:30");
	ck_assert_str_eq(fmt(vs(ORMC_TYPE_TIME, "10:00:00")), "10:00:00");
	/* a text kind is copied by its length, not up to a NUL */
	v = vs(ORMC_TYPE_TEXT, "abcdef");
	v.len = 3;
	ck_assert_str_eq(fmt(v), "abc");
}
END_TEST

START_TEST(test_format_float)
{
	static const struct { double f; const char *want; } cases[] = {
		{ 0.1, "0.1" },
		{ 2.5, "2.5" },
		{ 1e300, "1e+300" },
		{ -0.0, "-0" },
		{ 0.0, "0" },
		{ 1.0, "1" },
		{ -1.5, "-1.5" },
		{ 1.0 / 3.0, "0.3333333333333333" },
		{ 0.1 + 0.2, "0.30000000000000004" },
		{ 123456789012.0, "123456789012" },
		{ 1e16, "1e+16" },
		{ 5e-324, "5e-324" },
		{ -2.5e-320, "-2.5e-320" },
		{ DBL_MAX, "1.7976931348623157e+308" },
		{ 34.35, "34.35" },
	};
	size_t k;
	uint64_t x = 88172645463325252ULL;

	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		const char *got = fmt(vf(cases[k].f));

		ck_assert_msg(strcmp(got, cases[k].want) == 0, "%.17g: got %s, want %s",
		              cases[k].f, got, cases[k].want);
		ck_assert_msg(strtod(got, NULL) == cases[k].f &&
		              signbit(strtod(got, NULL)) == signbit(cases[k].f),
		              "%s does not read back", got);
	}
	ck_assert_str_eq(fmt(vf(INFINITY)), "inf");
	ck_assert_str_eq(fmt(vf(-INFINITY)), "-inf");
	ck_assert_str_eq(fmt(vf(NAN)), "nan");
	ck_assert_str_eq(fmt(vf(-NAN)), "nan");

	/* random bit patterns: every finite double reads back */
	for (k = 0; k < 20000; k++) {
		double f;
		const char *got;

		x ^= x << 13;      /* xorshift64 */
		x ^= x >> 7;
		x ^= x << 17;
		memcpy(&f, &x, sizeof(f));
		if (!isfinite(f))
			continue;
		got = fmt(vf(f));
		ck_assert_msg(strtod(got, NULL) == f, "%.17g -> %s", f, got);
		ck_assert_msg(strlen(got) <= 24, "%s is long", got);
	}
}
END_TEST

/*
 * Django 3.2's duration_iso_string(timedelta(microseconds=us)), from
 *   python3 -c "from datetime import timedelta;
 *     from django.utils.duration import duration_iso_string as d;
 *     print(d(timedelta(microseconds=...)))"
 */
START_TEST(test_format_duration)
{
	static const struct { int64_t us; const char *want; } cases[] = {
		{ 0, "P0DT00H00M00S" },
		{ 1, "P0DT00H00M00.000001S" },
		{ -1, "-P0DT00H00M00.000001S" },
		{ 5, "P0DT00H00M00.000005S" },
		{ 500000, "P0DT00H00M00.500000S" },
		{ -500000, "-P0DT00H00M00.500000S" },
		{ 1000000, "P0DT00H00M01S" },
		{ 59999999, "P0DT00H00M59.999999S" },
		{ 3600000000LL, "P0DT01H00M00S" },
		{ 86400000000LL, "P1DT00H00M00S" },
		{ -86400000000LL, "-P1DT00H00M00S" },
		{ 93784000005LL, "P1DT02H03M04.000005S" },
		{ -93784000005LL, "-P1DT02H03M04.000005S" },
		{ -86400000001LL, "-P1DT00H00M00.000001S" },
		{ 86399999999LL, "P0DT23H59M59.999999S" },
		{ 864000000007LL, "P10DT00H00M00.000007S" },
		{ INT64_MAX, "P106751991DT04H00M54.775807S" },
		{ INT64_MIN, "-P106751991DT04H00M54.775808S" },
	};
	size_t k;

	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++)
		ck_assert_str_eq(fmt(vi(ORMC_TYPE_DURATION, cases[k].us)),
		                 cases[k].want);
}
END_TEST

START_TEST(test_format_truncation)
{
	ormc_value v = vi(ORMC_TYPE_DURATION, 93784000005LL);  /* 20 chars */
	char buf[8];

	/* size 0: nothing written, buf may be NULL, the full length returned */
	ck_assert_int_eq(ormc_value_format(&v, NULL, 0), 20);
	memset(buf, 'x', sizeof(buf));
	ck_assert_int_eq(ormc_value_format(&v, buf, 0), 20);
	ck_assert_int_eq(buf[0], 'x');
	/* size 1: just the NUL */
	ck_assert_int_eq(ormc_value_format(&v, buf, 1), 20);
	ck_assert_str_eq(buf, "");
	ck_assert_int_eq(buf[1], 'x');
	/* small buffer: size - 1 bytes and the NUL */
	ck_assert_int_eq(ormc_value_format(&v, buf, 4), 20);
	ck_assert_str_eq(buf, "P1D");
	ck_assert_int_eq(buf[4], 'x');
	ck_assert_int_eq(ormc_value_format(&v, buf, sizeof(buf)), 20);
	ck_assert_str_eq(buf, "P1DT02H");

	/* exact fit: the text and its NUL */
	v = vs(ORMC_TYPE_TEXT, "1234567");
	ck_assert_int_eq(ormc_value_format(&v, buf, sizeof(buf)), 7);
	ck_assert_str_eq(buf, "1234567");
	v = vs(ORMC_TYPE_TEXT, "12345678");
	ck_assert_int_eq(ormc_value_format(&v, buf, sizeof(buf)), 8);
	ck_assert_str_eq(buf, "1234567");
	v = vf(0.1 + 0.2);
	ck_assert_int_eq(ormc_value_format(&v, NULL, 0), 19);
	ck_assert_int_eq(ormc_value_format(&v, buf, 3), 19);
	ck_assert_str_eq(buf, "0.");
	v = vnull();
	ck_assert_int_eq(ormc_value_format(&v, NULL, 0), 0);
}
END_TEST

START_TEST(test_format_malformed)
{
	ormc_value v = vs(ORMC_TYPE_TEXT, NULL);
	char buf[8] = "xyz";

	v.len = 3;
	ck_assert_int_eq(ormc_value_format(&v, buf, sizeof(buf)), ORMC_ETYPE);
	ck_assert_str_eq(buf, "");
	v = vi((ormc_type)99, 1);
	strcpy(buf, "xyz");
	ck_assert_int_eq(ormc_value_format(&v, buf, sizeof(buf)), ORMC_ETYPE);
	ck_assert_str_eq(buf, "");
	ck_assert_int_eq(ormc_value_format(&v, NULL, 0), ORMC_ETYPE);
}
END_TEST

/*
 * A locale whose decimal point is not '.' changes neither the text of a
 * float nor the reading of a decimal. Runs with each such locale that is
 * installed (none may be: then there is nothing to check); to try it
 * without installing one:
 *   localedef -i de_DE -f UTF-8 /tmp/loc/de_DE.UTF-8
 *   localedef -i ps_AF -f UTF-8 /tmp/loc/ps_AF.UTF-8   (a two-byte point)
 *   LOCPATH=/tmp/loc ./check_value
 * (in a sanitized build also ASAN_OPTIONS=detect_leaks=0: glibc keeps a
 * small allocation for LOCPATH that LeakSanitizer reports at exit).
 */
START_TEST(test_locale)
{
	static const char *const locales[] = {
		"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "ps_AF.UTF-8"
	};
	size_t k;

	for (k = 0; k < sizeof(locales) / sizeof(locales[0]); k++) {
		if (setlocale(LC_NUMERIC, locales[k]) == NULL)
			continue;
		ck_assert_str_eq(fmt(vf(2.5)), "2.5");
		ck_assert_str_eq(fmt(vf(-0.30000000000000004)), "-0.30000000000000004");
		ck_assert_str_eq(fmt(vf(1.5e-300)), "1.5e-300");
		ck_assert_str_eq(fmt(vf(4e-320)), "4e-320");
		ck_assert(decimal_double("-12.50") == -12.5);
		ck_assert(decimal_double(".5") == 0.5);
		setlocale(LC_NUMERIC, "C");
	}
}
END_TEST

static Suite *
value_suite(void)
{
	Suite *s = suite_create("value");
	TCase *tc;

	tc = tcase_create("types");
	tcase_add_test(tc, test_type_name);
	tcase_add_test(tc, test_is_null);
	tcase_add_test(tc, test_getter_types);
	tcase_add_test(tc, test_getter_null_pointer);
	suite_add_tcase(s, tc);

	tc = tcase_create("numbers");
	tcase_add_test(tc, test_int64);
	tcase_add_test(tc, test_double);
	tcase_add_test(tc, test_double_of_decimal);
	tcase_add_test(tc, test_bool);
	tcase_add_test(tc, test_duration);
	suite_add_tcase(s, tc);

	tc = tcase_create("text");
	tcase_add_test(tc, test_text);
	tcase_add_test(tc, test_decimal);
	suite_add_tcase(s, tc);

	tc = tcase_create("temporal");
	tcase_add_test(tc, test_date);
	tcase_add_test(tc, test_time);
	tcase_add_test(tc, test_datetime);
	tcase_add_test(tc, test_parsers_len);
	tcase_add_test(tc, test_null_text_pointer);
	tcase_add_test(tc, test_converted_cells);
	suite_add_tcase(s, tc);

	tc = tcase_create("format");
	tcase_add_test(tc, test_format_scalars);
	tcase_add_test(tc, test_format_float);
	tcase_add_test(tc, test_format_duration);
	tcase_add_test(tc, test_format_truncation);
	tcase_add_test(tc, test_format_malformed);
	tcase_add_test(tc, test_locale);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(value_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed != 0;
}
