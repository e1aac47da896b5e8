/*
 * value.c -- typed getters for ormc_value, text parsers and formatting.
 *
 * Result cells of the text-encoded kinds are written by core/convert.c in
 * one canonical form (decimals plain and quantized, datetimes
 * "YYYY-MM-DDTHH:MM:SS[.ffffff][+HH:MM]"), but a value may also be made by
 * the caller, so every getter checks what it reads instead of trusting it.
 * Parsing is strict: a getter answers "is this a T, and which one", and a
 * lenient parse would turn a malformed value into a plausible wrong one.
 *
 * Nothing here keeps state or allocates: every function is safe to call from
 * any thread. Number text is produced and read so that it does not depend on
 * the C locale's decimal point (see format_double() and decimal_to_double()).
 */
#include "ormc/value.h"

#include <assert.h>
#include <float.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ormc/error.h"

/* ---- small helpers ------------------------------------------------------ */

/* ASCII only: isdigit() would follow the locale. */
static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* count digits at s[at..] into *v; 0 if they are all there and digits. */
static int
digits(const char *s, size_t len, size_t at, size_t count, int *v)
{
	size_t k;
	int x = 0;

	if (at > len || count > len - at)
		return -1;
	for (k = 0; k < count; k++) {
		if (!is_digit(s[at + k]))
			return -1;
		x = x * 10 + (s[at + k] - '0');
	}
	*v = x;
	return 0;
}

static int
is_text_kind(ormc_type t)
{
	return t == ORMC_TYPE_DECIMAL || t == ORMC_TYPE_TEXT ||
	       t == ORMC_TYPE_DATE || t == ORMC_TYPE_DATETIME ||
	       t == ORMC_TYPE_TIME;
}

/*
 * Common entry of every getter: ORMC_ENULL, ORMC_ETYPE, or ORMC_OK when v
 * has type want. A text kind whose s is NULL with a length is malformed: no
 * getter may read through it.
 */
static int
check(const ormc_value *v, ormc_type want)
{
	if (ormc_value_is_null(v))
		return ORMC_ENULL;
	if (v->type != want)
		return ORMC_ETYPE;
	if (is_text_kind(want) && v->s == NULL && v->len > 0)
		return ORMC_ETYPE;
	return ORMC_OK;
}

/* The text of a checked text-kind value: s NULL with len 0 reads as "". */
static const char *
text_of(const ormc_value *v)
{
	return v->s != NULL ? v->s : "";
}

/* ---- names -------------------------------------------------------------- */

const char *
ormc_type_name(ormc_type t)
{
	switch (t) {
	case ORMC_TYPE_NULL:     return "null";
	case ORMC_TYPE_INT:      return "int";
	case ORMC_TYPE_FLOAT:    return "float";
	case ORMC_TYPE_DECIMAL:  return "decimal";
	case ORMC_TYPE_TEXT:     return "text";
	case ORMC_TYPE_BOOL:     return "bool";
	case ORMC_TYPE_DATE:     return "date";
	case ORMC_TYPE_DATETIME: return "datetime";
	case ORMC_TYPE_TIME:     return "time";
	case ORMC_TYPE_DURATION: return "duration";
	}
	/* a caller's cast of an out-of-range int: not an assert, callers print it */
	return "unknown";
}

int
ormc_value_is_null(const ormc_value *v)
{
	return v == NULL || v->type == ORMC_TYPE_NULL;
}

/* ---- dates and times ---------------------------------------------------- */

static int
is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
days_in_month(int y, int m)
{
	static const int mdays[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	assert(m >= 1 && m <= 12);
	return m == 2 && is_leap(y) ? 29 : mdays[m - 1];
}

/* "YYYY-MM-DD" at s[0..10); the caller checks what follows. */
static int
scan_date(const char *s, size_t len, ormc_date *d)
{
	if (digits(s, len, 0, 4, &d->year) || len < 10 || s[4] != '-' ||
	    digits(s, len, 5, 2, &d->month) || s[7] != '-' ||
	    digits(s, len, 8, 2, &d->day))
		return -1;
	/* Python's date: MINYEAR is 1, so "0000-01-01" is no date */
	if (d->year < 1 || d->month < 1 || d->month > 12 || d->day < 1 ||
	    d->day > days_in_month(d->year, d->month))
		return -1;
	return 0;
}

/*
 * "HH:MM:SS[.f]" at s[at..]; *end is where it stopped. The fraction takes 1
 * to 6 digits: a seventh would be below a microsecond, which nothing can
 * hold, and dropping it silently would be the lenient parse this file avoids.
 */
static int
scan_time(const char *s, size_t len, size_t at, ormc_time *t, size_t *end)
{
	size_t i = at, k;

	if (digits(s, len, i, 2, &t->hour) || i + 2 >= len || s[i + 2] != ':' ||
	    digits(s, len, i + 3, 2, &t->minute) || i + 5 >= len ||
	    s[i + 5] != ':' || digits(s, len, i + 6, 2, &t->second))
		return -1;
	i += 8;
	t->microsecond = 0;
	if (i < len && s[i] == '.') {
		i++;
		for (k = 0; i < len && is_digit(s[i]); i++, k++) {
			if (k == 6)
				return -1;
			t->microsecond = t->microsecond * 10 + (s[i] - '0');
		}
		if (k == 0)
			return -1;
		for (; k < 6; k++)      /* ".5" is half a second */
			t->microsecond *= 10;
	}
	if (t->hour > 23 || t->minute > 59 || t->second > 59)
		return -1;
	*end = i;
	return 0;
}

int
ormc_date_parse(const char *s, size_t len, ormc_date *out)
{
	ormc_date d;

	assert(out != NULL);
	if (s == NULL || len != 10 || scan_date(s, len, &d) < 0)
		return ORMC_ETYPE;
	*out = d;
	return ORMC_OK;
}

int
ormc_time_parse(const char *s, size_t len, ormc_time *out)
{
	ormc_time t;
	size_t end;

	assert(out != NULL);
	if (s == NULL || scan_time(s, len, 0, &t, &end) < 0 || end != len)
		return ORMC_ETYPE;
	*out = t;
	return ORMC_OK;
}

int
ormc_datetime_parse(const char *s, size_t len, ormc_datetime *out)
{
	ormc_datetime dt;
	size_t i;

	assert(out != NULL);
	memset(&dt, 0, sizeof(dt));
	/* at least "YYYY-MM-DD HH:MM:SS": a bare date is a DATE, not this */
	if (s == NULL || len < 19 || scan_date(s, len, &dt.date) < 0 ||
	    (s[10] != ' ' && s[10] != 'T') ||
	    scan_time(s, len, 11, &dt.time, &i) < 0)
		return ORMC_ETYPE;
	if (i < len && s[i] == 'Z') {
		dt.has_offset = 1;
		i++;
	} else if (i < len && (s[i] == '+' || s[i] == '-')) {
		/* "+HH", "+HHMM", "+HH:MM": what Django's parse_datetime() takes */
		int neg = s[i] == '-', oh, om = 0;

		if (digits(s, len, i + 1, 2, &oh))
			return ORMC_ETYPE;
		i += 3;
		if (i < len) {
			if (s[i] == ':')
				i++;
			if (digits(s, len, i, 2, &om))
				return ORMC_ETYPE;
			i += 2;
		}
		if (oh > 23 || om > 59)
			return ORMC_ETYPE;
		dt.has_offset = 1;
		dt.offset_minutes = (neg ? -1 : 1) * (oh * 60 + om);
	}
	if (i != len)
		return ORMC_ETYPE;
	*out = dt;
	return ORMC_OK;
}

/* ---- decimals ----------------------------------------------------------- */

/*
 * A plain decimal "[+-]D[.D]" in s[0..len): the integer digits are
 * s[*ip .. *ip + *ilen), the fraction digits s[*fp .. *fp + *flen).
 */
static int
scan_decimal(const char *s, size_t len, int *neg, size_t *ip, size_t *ilen,
             size_t *fp, size_t *flen)
{
	size_t i = 0;

	*neg = 0;
	if (i < len && (s[i] == '+' || s[i] == '-'))
		*neg = s[i++] == '-';
	*ip = i;
	while (i < len && is_digit(s[i]))
		i++;
	*ilen = i - *ip;
	*fp = i;
	*flen = 0;
	if (i < len && s[i] == '.') {
		*fp = ++i;
		while (i < len && is_digit(s[i]))
			i++;
		*flen = i - *fp;
	}
	return i == len && *ilen + *flen > 0 ? 0 : -1;
}

/*
 * Significant digits kept for strtod(). A decimal lies on the same side of
 * every halfway point between two doubles as its first 780 significant
 * digits followed by a non-zero "sticky" digit when any dropped digit is
 * non-zero: those halfway points have at most 767 significant digits. So a
 * fixed buffer reads any length exactly rounded, with no allocation.
 */
#define DEC_SIG_MAX 780

/*
 * The nearest double to a checked plain decimal. The text given to strtod()
 * has no decimal point ("-1250e-2" for "-12.50"), so the C locale's
 * LC_NUMERIC cannot change how it reads.
 */
static double
decimal_to_double(const char *s, int neg, size_t ip, size_t ilen, size_t fp,
                  size_t flen)
{
	char buf[DEC_SIG_MAX + 48];
	size_t n = ilen + flen, k, o = 0, lead = 0, kept;
	long long exp10;
	int sticky = 0;

#define DIGIT(k) ((k) < ilen ? s[ip + (k)] : s[fp + (k) - ilen])
	if (neg)
		buf[o++] = '-';
	while (lead < n && DIGIT(lead) == '0')
		lead++;
	kept = n - lead < DEC_SIG_MAX ? n - lead : DEC_SIG_MAX;
	for (k = 0; k < kept; k++)
		buf[o++] = DIGIT(lead + k);
	for (k = lead + kept; k < n && !sticky; k++)
		sticky = DIGIT(k) != '0';
#undef DIGIT
	if (kept == 0) {
		buf[o++] = '0';    /* "-0.00" reads as -0.0, as float(Decimal) */
		buf[o] = '\0';
		return strtod(buf, NULL);
	}
	if (sticky)
		buf[o++] = '1';
	/*
	 * value = digits * 10^(ilen - lead - kept - sticky); the sizes are
	 * object sizes, so they fit a long long with room to spare.
	 */
	exp10 = (long long)ilen - (long long)lead - (long long)kept - sticky;
	snprintf(buf + o, sizeof(buf) - o, "e%lld", exp10);
	return strtod(buf, NULL);
}

/* ---- getters ------------------------------------------------------------ */

int
ormc_value_int64(const ormc_value *v, int64_t *out)
{
	int rc = check(v, ORMC_TYPE_INT);

	assert(out != NULL);
	if (rc == ORMC_OK)
		*out = v->i;
	return rc;
}

int
ormc_value_double(const ormc_value *v, double *out)
{
	size_t ip, ilen, fp, flen;
	int neg;

	assert(out != NULL);
	if (ormc_value_is_null(v))
		return ORMC_ENULL;
	switch (v->type) {
	case ORMC_TYPE_FLOAT:
		*out = v->f;
		return ORMC_OK;
	case ORMC_TYPE_INT:
		*out = (double)v->i;
		return ORMC_OK;
	case ORMC_TYPE_DECIMAL:
		if (check(v, ORMC_TYPE_DECIMAL) != ORMC_OK ||
		    scan_decimal(text_of(v), v->len, &neg, &ip, &ilen, &fp,
		                 &flen) < 0)
			return ORMC_ETYPE;
		*out = decimal_to_double(text_of(v), neg, ip, ilen, fp, flen);
		return ORMC_OK;
	default:
		return ORMC_ETYPE;
	}
}

int
ormc_value_bool(const ormc_value *v, int *out)
{
	int rc = check(v, ORMC_TYPE_BOOL);

	assert(out != NULL);
	if (rc == ORMC_OK)
		*out = v->i != 0;
	return rc;
}

int
ormc_value_text(const ormc_value *v, const char **s, size_t *len)
{
	int rc = check(v, ORMC_TYPE_TEXT);

	assert(s != NULL);
	if (rc != ORMC_OK)
		return rc;
	*s = text_of(v);
	if (len != NULL)
		*len = v->len;
	return ORMC_OK;
}

int
ormc_value_decimal(const ormc_value *v, const char **digits_out, size_t *len,
                   int *scale)
{
	size_t ip, ilen, fp, flen;
	int neg, rc = check(v, ORMC_TYPE_DECIMAL);

	if (rc != ORMC_OK)
		return rc;
	if (scan_decimal(text_of(v), v->len, &neg, &ip, &ilen, &fp, &flen) < 0 ||
	    flen > INT_MAX)
		return ORMC_ETYPE;
	if (digits_out != NULL)
		*digits_out = text_of(v);
	if (len != NULL)
		*len = v->len;
	if (scale != NULL)
		*scale = (int)flen;
	return ORMC_OK;
}

int
ormc_value_date(const ormc_value *v, ormc_date *out)
{
	int rc = check(v, ORMC_TYPE_DATE);

	assert(out != NULL);
	return rc != ORMC_OK ? rc : ormc_date_parse(text_of(v), v->len, out);
}

int
ormc_value_datetime(const ormc_value *v, ormc_datetime *out)
{
	int rc = check(v, ORMC_TYPE_DATETIME);

	assert(out != NULL);
	return rc != ORMC_OK ? rc : ormc_datetime_parse(text_of(v), v->len, out);
}

int
ormc_value_time(const ormc_value *v, ormc_time *out)
{
	int rc = check(v, ORMC_TYPE_TIME);

	assert(out != NULL);
	return rc != ORMC_OK ? rc : ormc_time_parse(text_of(v), v->len, out);
}

int
ormc_value_duration(const ormc_value *v, int64_t *microseconds)
{
	int rc = check(v, ORMC_TYPE_DURATION);

	assert(microseconds != NULL);
	if (rc == ORMC_OK)
		*microseconds = v->i;
	return rc;
}

/* ---- formatting --------------------------------------------------------- */

/*
 * The shortest "%.<p>g" text that strtod() reads back as f. For a normal
 * double only p = 15, 16, 17 need trying: if its shortest round-trip text
 * has k <= 15 digits, "%.15g" prints those digits and zeros, which "%g"
 * drops, because 15-digit decimals are spaced wider than doubles (relative
 * spacing >= 1e-15 against 2^-52). Subnormals are spaced wider than that,
 * so for them ("5e-324") every p from 1 is tried.
 * printf and strtod use the locale's decimal point alike, so the round-trip
 * test holds in any locale; the point is then rewritten as '.'.
 */
static int
format_double(double f, char *out, size_t n)
{
	char tmp[64];
	int prec, r = 0;
	size_t i, j;

	assert(n >= sizeof(tmp));
	if (isnan(f))
		return snprintf(out, n, "nan");    /* glibc would say "-nan" */
	if (isinf(f))
		return snprintf(out, n, f < 0 ? "-inf" : "inf");
	for (prec = f != 0.0 && fabs(f) < DBL_MIN ? 1 : 15; prec <= 17; prec++) {
		r = snprintf(tmp, sizeof(tmp), "%.*g", prec, f);
		assert(r > 0 && (size_t)r < sizeof(tmp));
		if (strtod(tmp, NULL) == f)
			break;
	}
	/* "%.17g" always reads back: a double has at most 17 significant digits */
	assert(prec <= 17);
	(void)r;
	/* the radix is whatever lies between the leading digits and the next digit or 'e' */
	for (i = tmp[0] == '-'; is_digit(tmp[i]); i++)
		;
	if (tmp[i] != '\0' && tmp[i] != 'e') {
		for (j = i; tmp[j] != '\0' && !is_digit(tmp[j]) && tmp[j] != 'e'; j++)
			;
		tmp[i] = '.';
		memmove(tmp + i + 1, tmp + j, strlen(tmp + j) + 1);
	}
	return snprintf(out, n, "%s", tmp);
}

/*
 * Django's duration_iso_string(): "[-]P<days>DT<HH>H<MM>M<SS>[.ffffff]S",
 * with the sign in front and the components of the magnitude, so
 * -1 microsecond is "-P0DT00H00M00.000001S" (not timedelta's normalised
 * "-1 day, 23:59:59.999999"). The magnitude of INT64_MIN needs uint64_t.
 */
static int
format_duration(int64_t us, char *out, size_t n)
{
	uint64_t u = us < 0 ? (uint64_t)0 - (uint64_t)us : (uint64_t)us;
	uint64_t micro = u % 1000000u, secs = u / 1000000u;
	uint64_t days = secs / 86400u;
	char frac[8] = "";

	secs %= 86400u;
	if (micro != 0)
		snprintf(frac, sizeof(frac), ".%06u", (unsigned)micro);
	return snprintf(out, n, "%sP%" PRIu64 "DT%02uH%02uM%02u%sS",
	                us < 0 ? "-" : "", days, (unsigned)(secs / 3600u),
	                (unsigned)(secs / 60u % 60u), (unsigned)(secs % 60u),
	                frac);
}

int
ormc_value_format(const ormc_value *v, char *buf, size_t size)
{
	char tmp[64];
	const char *src = tmp;
	size_t srclen;
	int r, rc = ORMC_OK;

	assert(buf != NULL || size == 0);
	if (ormc_value_is_null(v)) {
		src = "";
		srclen = 0;
	} else {
		switch (v->type) {
		case ORMC_TYPE_INT:
			r = snprintf(tmp, sizeof(tmp), "%" PRId64, v->i);
			break;
		case ORMC_TYPE_FLOAT:
			r = format_double(v->f, tmp, sizeof(tmp));
			break;
		case ORMC_TYPE_BOOL:
			r = snprintf(tmp, sizeof(tmp), "%s", v->i ? "true" : "false");
			break;
		case ORMC_TYPE_DURATION:
			r = format_duration(v->i, tmp, sizeof(tmp));
			break;
		case ORMC_TYPE_DECIMAL:
		case ORMC_TYPE_TEXT:
		case ORMC_TYPE_DATE:
		case ORMC_TYPE_DATETIME:
		case ORMC_TYPE_TIME:
			r = 0;
			src = text_of(v);
			if (v->s == NULL && v->len > 0)
				rc = ORMC_ETYPE;
			else if (v->len > INT_MAX)
				rc = ORMC_EINVALID;
			break;
		default:
			r = 0;
			rc = ORMC_ETYPE;
			break;
		}
		if (rc != ORMC_OK) {
			if (size > 0)
				buf[0] = '\0';
			return rc;
		}
		srclen = src == tmp ? (size_t)r : v->len;
		/* every number fits tmp: 20 digits, 29 bytes of duration, 24 of %.17g */
		assert(src != tmp || (r >= 0 && (size_t)r < sizeof(tmp)));
	}
	if (size > 0) {
		size_t k = srclen < size - 1 ? srclen : size - 1;

		memcpy(buf, src, k);
		buf[k] = '\0';
	}
	return (int)srclen;
}

/* ---------------------------------------------------------------- naive UTC */

/* Days since 1970-01-01 of a civil date (H. Hinnant's algorithm). */
static long
days_from_civil(long y, long m, long d)
{
	long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void
civil_from_days(long z, long *y, long *m, long *d)
{
	long era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp + (mp < 10 ? 3 : -9);
	*y = yoe + era * 400 + (*m <= 2);
}

int
ormc_datetime_naive_utc(const char *in, size_t len, char *out, size_t n)
{
	ormc_datetime dt;
	long y, mo, d, days, secs;
	int r;

	if (ormc_datetime_parse(in, len, &dt) < 0)
		return -1;
	y = dt.date.year;
	mo = dt.date.month;
	d = dt.date.day;
	secs = dt.time.hour * 3600L + dt.time.minute * 60L + dt.time.second -
	       (dt.has_offset ? dt.offset_minutes * 60L : 0);
	days = days_from_civil(y, mo, d);
	days += secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
	secs -= (days - days_from_civil(y, mo, d)) * 86400;
	civil_from_days(days, &y, &mo, &d);
	if (dt.time.microsecond != 0)
		r = snprintf(out, n, "%04ld-%02ld-%02ld %02ld:%02ld:%02ld.%06d", y, mo, d,
		             secs / 3600, secs / 60 % 60, secs % 60, dt.time.microsecond);
	else
		r = snprintf(out, n, "%04ld-%02ld-%02ld %02ld:%02ld:%02ld", y, mo, d,
		             secs / 3600, secs / 60 % 60, secs % 60);
	return r < 0 || (size_t)r >= n ? -1 : r;
}
