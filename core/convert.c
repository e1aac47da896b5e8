/*
 * convert.c -- raw driver cells to Django-typed values; exact decimal text.
 *
 * Drivers hand back what the engine gave: SQLite a REAL for a DecimalField
 * sum, PostgreSQL "34.3500000000000000" as numeric text, MySQL "1" for a
 * boolean. ormc_convert() turns each cell into the value Django would hold
 * for the column's output field, so that results agree across backends.
 *
 * Decimals (decimal.h) are handled as digit strings, never as double, except
 * when the engine itself stored a binary float (SQLite): that value is first
 * read the way Django's SQLite backend reads it, as a decimal of 15
 * significant digits, and then quantized.
 *
 * Text results are written into the caller's buffer, except CHAR/TEXT cells
 * that arrive as text: those are passed through, borrowed from the raw cell
 * (which the driver keeps valid for as long as the row).
 */
#include "types.h"

#include <ctype.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decimal.h"
#include "error.h"

/* ------------------------------------------------------------------------ */
/* Decimal text                                                              */
/* ------------------------------------------------------------------------ */

/* Exponents beyond this are refused (the plain form would not fit anyway). */
#define DEC_MAX_EXP 100000L

/*
 * A parsed decimal: value = (-1)^neg * C * 10^exp, where C is the digit
 * string of the integer and fraction parts with leading zeros skipped,
 * addressed through dec_digit() (the digits are not copied).
 */
typedef struct dec {
	int neg;
	const char *ip;   /* integer-part digits */
	size_t ilen;
	const char *fp;   /* fraction digits */
	size_t flen;
	size_t lead;      /* index of the first non-zero digit in ip ++ fp */
	size_t ndig;      /* significant digits: ilen + flen - lead */
	long exp;         /* exponent of the last digit */
} dec;

static char
dec_digit(const dec *d, size_t k)   /* k-th significant digit, 0-based */
{
	size_t i = d->lead + k;

	return i < d->ilen ? d->ip[i] : d->fp[i - d->ilen];
}

static int
dec_parse(dec *d, const char *s, size_t len)
{
	size_t i = 0;
	long e = 0;
	int eneg = 0;

	memset(d, 0, sizeof(*d));
	if (i < len && (s[i] == '+' || s[i] == '-'))
		d->neg = s[i++] == '-';
	d->ip = s + i;
	while (i < len && isdigit((unsigned char)s[i]))
		i++, d->ilen++;
	if (i < len && s[i] == '.') {
		i++;
		d->fp = s + i;
		while (i < len && isdigit((unsigned char)s[i]))
			i++, d->flen++;
	}
	if (d->ilen + d->flen == 0)
		return -1;
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		size_t start;

		i++;
		if (i < len && (s[i] == '+' || s[i] == '-'))
			eneg = s[i++] == '-';
		start = i;
		while (i < len && isdigit((unsigned char)s[i])) {
			if (e <= DEC_MAX_EXP)
				e = e * 10 + (s[i] - '0');
			i++;
		}
		if (i == start || e > DEC_MAX_EXP)
			return -1;
		if (eneg)
			e = -e;
	}
	if (i != len)
		return -1;
	if (d->fp == NULL)
		d->fp = s + i;
	d->exp = e - (long)d->flen;
	while (d->lead < d->ilen + d->flen) {
		char c = d->lead < d->ilen ? d->ip[d->lead]
		                           : d->fp[d->lead - d->ilen];
		if (c != '0')
			break;
		d->lead++;
	}
	d->ndig = d->ilen + d->flen - d->lead;
	return 0;
}

/*
 * Write d rounded to places fraction digits (half-even). places < 0 keeps
 * every digit: places = max(0, -exp).
 */
static int
dec_format(const dec *d, int places, char *out, size_t n)
{
	char stack[128];
	char *r = stack;
	size_t rlen, keep, k, total, off, pos = 0;
	long p = places < 0 ? (d->exp < 0 ? -d->exp : 0) : places;
	int up = 0, nonzero = 0;

	if (p > DEC_MAX_EXP)
		return ORMC_EINVALID;
	/* Result digits R = C * 10^(exp + p), rounded to an integer. */
	if (d->exp + p >= 0) {
		long pad = d->exp + p;

		if (d->ndig == 0)
			pad = 0;
		rlen = d->ndig + (size_t)pad;
		keep = d->ndig;
	} else {
		size_t drop = (size_t)(-(d->exp + p));
		char first;

		keep = drop >= d->ndig ? 0 : d->ndig - drop;
		rlen = keep;
		/* first dropped digit, then whether anything after it is non-zero */
		first = drop > d->ndig ? '0' : dec_digit(d, keep);
		for (k = keep + 1; k < d->ndig && drop <= d->ndig; k++)
			if (dec_digit(d, k) != '0') {
				nonzero = 1;
				break;
			}
		if (first > '5' || (first == '5' && nonzero))
			up = 1;
		else if (first == '5')
			up = keep > 0 && ((dec_digit(d, keep - 1) - '0') & 1);
	}
	/*
	 * r holds R right-aligned, with at least one zero in front for a carry
	 * and enough zeros for "0.00ddd".
	 */
	total = rlen + 1 > (size_t)p + 1 ? rlen + 1 : (size_t)p + 1;
	/* necessary conditions, so a huge exponent never reaches malloc */
	if ((keep > 0 && rlen + 1 > n) || (size_t)p + 2 > n)
		return ORMC_ENOMEM;
	if (total > sizeof(stack)) {
		r = malloc(total);
		if (r == NULL)
			return ORMC_ENOMEM;
	}
	memset(r, '0', total);
	off = total - rlen;
	for (k = 0; k < keep; k++)
		r[off + k] = dec_digit(d, k);
	if (up) {
		size_t j = total;

		while (j-- > 0) {
			if (r[j] == '9') {
				r[j] = '0';
			} else {
				r[j]++;
				break;
			}
		}
	}
	{
		/* strip leading zeros, keeping one before the point */
		size_t start = 0, intdigits;
		int zero = 1;

		for (k = 0; k < total; k++)
			if (r[k] != '0') {
				zero = 0;
				break;
			}
		while (start < total && r[start] == '0' &&
		       total - start > (size_t)p + 1)
			start++;
		intdigits = total - start - (size_t)p;
		if ((size_t)(d->neg && !zero) + (total - start) + (p > 0) + 1 > n) {
			if (r != stack)
				free(r);
			return ORMC_ENOMEM;
		}
		if (d->neg && !zero)
			out[pos++] = '-';
		memcpy(out + pos, r + start, intdigits);
		pos += intdigits;
		if (p > 0) {
			out[pos++] = '.';
			memcpy(out + pos, r + start + intdigits, (size_t)p);
			pos += (size_t)p;
		}
		out[pos] = '\0';
	}
	if (r != stack)
		free(r);
	return (int)pos;
}

int
ormc_decimal_quantize(const char *in, size_t len, int places, char *out,
                      size_t n)
{
	dec d;

	if (in == NULL || dec_parse(&d, in, len) < 0)
		return ORMC_EINVALID;
	return dec_format(&d, places, out, n);
}

int
ormc_decimal_valid(const char *in, size_t len)
{
	dec d;

	return in != NULL && dec_parse(&d, in, len) == 0;
}

int
ormc_decimal_from_int(int64_t v, char *out, size_t n)
{
	int r = snprintf(out, n, "%lld", (long long)v);

	return r < 0 || (size_t)r >= n ? ORMC_ENOMEM : r;
}

int
ormc_decimal_normalize(const char *in, size_t len, char *out, size_t n)
{
	int r = ormc_decimal_quantize(in, len, -1, out, n);
	char *dot;

	if (r < 0)
		return r;
	dot = strchr(out, '.');
	if (dot != NULL) {
		char *end = out + r;

		while (end > dot + 1 && end[-1] == '0')
			end--;
		if (end == dot + 1)
			end = dot;
		*end = '\0';
		r = (int)(end - out);
	}
	if (strcmp(out, "-0") == 0) {
		strcpy(out, "0");
		r = 1;
	}
	return r;
}

int
ormc_decimal_from_double(double v, char *out, size_t n)
{
	char tmp[64];
	double f;
	int e2, j;
	uint64_t m;

	if (!isfinite(v))
		return ORMC_EINVALID;
	if (v == 0.0)
		return ormc_decimal_quantize("0", 1, -1, out, n);
	/*
	 * Exact value: v = m * 2^e2 with m odd. When e2 < 0 that is
	 * m * 5^-e2 / 10^-e2, a coefficient without trailing zeros; if it has
	 * at most 15 digits Python keeps it exactly, else rounds to 15.
	 */
	f = frexp(fabs(v), &e2);
	m = (uint64_t)ldexp(f, 53);
	e2 -= 53;
	while ((m & 1) == 0) {
		m >>= 1;
		e2++;
	}
	if (e2 >= 0) {
		if (fabs(v) < 1e15) {
			snprintf(tmp, sizeof(tmp), "%.0f", v);
			return ormc_decimal_quantize(tmp, strlen(tmp), -1, out, n);
		}
	} else {
		uint64_t c = m;
		int ok = 1;

		for (j = 0; j < -e2; j++) {
			if (c >= 200000000000000ULL) {   /* c * 5 >= 10^15 */
				ok = 0;
				break;
			}
			c *= 5;
		}
		if (ok && c < 1000000000000000ULL) {
			snprintf(tmp, sizeof(tmp), "%s%llue-%d", v < 0 ? "-" : "",
			         (unsigned long long)c, -e2);
			return ormc_decimal_quantize(tmp, strlen(tmp), -1, out, n);
		}
	}
	/* glibc rounds the exact binary value to nearest, ties to even. */
	snprintf(tmp, sizeof(tmp), "%.14e", v);
	return ormc_decimal_quantize(tmp, strlen(tmp), -1, out, n);
}

/* ------------------------------------------------------------------------ */
/* Helpers for ormc_convert                                                  */
/* ------------------------------------------------------------------------ */

static int
ci_equal(const char *a, const char *b, size_t n)
{
	size_t k;

	for (k = 0; k < n; k++)
		if (tolower((unsigned char)a[k]) != tolower((unsigned char)b[k]))
			return 0;
	return 1;
}

static int
is_text(const ormc_value *v)
{
	switch (v->type) {
	case ORMC_TYPE_DECIMAL:
	case ORMC_TYPE_TEXT:
	case ORMC_TYPE_DATE:
	case ORMC_TYPE_DATETIME:
	case ORMC_TYPE_TIME:
		return 1;
	default:
		return 0;
	}
}

/* The raw value, shortened, for messages. */
static void
describe(const ormc_value *v, char *buf, size_t n)
{
	if (is_text(v))
		snprintf(buf, n, "'%.*s'", v->len > 60 ? 60 : (int)v->len,
		         v->s ? v->s : "");
	else if (v->type == ORMC_TYPE_FLOAT)
		snprintf(buf, n, "%.17g", v->f);
	else
		snprintf(buf, n, "%lld", (long long)v->i);
}

static int
fail(ormc_error *err, const ormc_value *raw, const ormc_otype *t,
     const char *why)
{
	char d[80];

	describe(raw, d, sizeof(d));
	return ormc_error_set(err, ORMC_EINVALID, NULL, -1, 0,
	                      "cannot convert %s to %s%s%s", d,
	                      ormc_field_kind_name(t->kind), why ? ": " : "",
	                      why ? why : "");
}

static void
set_text(ormc_value *out, ormc_type type, const char *s, size_t len)
{
	out->type = type;
	out->s = s;
	out->len = len;
}

/*
 * Strict integer text: [+-]digits, optionally followed by a fraction of
 * zeros ("6.000", as numeric sums come back). 0 ok, -1 bad, -2 overflow.
 */
static int
parse_int_text(const char *s, size_t len, int64_t *out)
{
	size_t i = 0;
	int neg = 0;
	uint64_t v = 0, lim;

	if (i < len && (s[i] == '+' || s[i] == '-'))
		neg = s[i++] == '-';
	if (i == len || !isdigit((unsigned char)s[i]))
		return -1;
	lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; i < len && isdigit((unsigned char)s[i]); i++) {
		unsigned dgt = (unsigned)(s[i] - '0');

		if (v > (lim - dgt) / 10)
			return -2;
		v = v * 10 + dgt;
	}
	if (i < len && s[i] == '.') {
		for (i++; i < len && s[i] == '0'; i++)
			;
	}
	if (i != len)
		return -1;
	*out = neg ? (v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v)
	           : (int64_t)v;
	return 0;
}

static int
parse_double_text(const char *s, size_t len, double *out)
{
	char tmp[128];
	char *end;

	if (len == 0 || len >= sizeof(tmp))
		return -1;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	if (isspace((unsigned char)tmp[0]))
		return -1;
	*out = strtod(tmp, &end);
	return *end == '\0' ? 0 : -1;
}

static int
ndigits(const char *s, size_t len, size_t at, size_t count, int *v)
{
	size_t k;

	if (at + count > len)
		return -1;
	*v = 0;
	for (k = 0; k < count; k++) {
		if (!isdigit((unsigned char)s[at + k]))
			return -1;
		*v = *v * 10 + (s[at + k] - '0');
	}
	return 0;
}

/* "YYYY-MM-DD" at the start of s; 0 ok. */
static int
scan_date(const char *s, size_t len, int *y, int *mo, int *d)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (ndigits(s, len, 0, 4, y) || len < 10 || s[4] != '-' ||
	    ndigits(s, len, 5, 2, mo) || s[7] != '-' || ndigits(s, len, 8, 2, d))
		return -1;
	if (*mo < 1 || *mo > 12 || *d < 1 || *d > mdays[*mo - 1])
		return -1;
	if (*mo == 2 && *d == 29 &&
	    !((*y % 4 == 0 && *y % 100 != 0) || *y % 400 == 0))
		return -1;
	return 0;
}

/*
 * "HH:MM[:SS[.ffffff]][offset]" from s[at..len) into out as
 * "HH:MM:SS[.ffffff][+HH:MM]" (Python's isoformat: fraction only when not
 * zero, six digits; a UTC offset dropped, others kept). Returns the length
 * written or -1.
 */
static int
scan_time(const char *s, size_t len, size_t at, char *out, size_t n)
{
	int h, mi, sec = 0, us = 0, oh = 0, om = 0, pos;
	size_t i = at, k;
	char osign = 0;

	if (ndigits(s, len, i, 2, &h) || i + 2 >= len || s[i + 2] != ':' ||
	    ndigits(s, len, i + 3, 2, &mi))
		return -1;
	i += 5;
	if (i < len && s[i] == ':') {
		if (ndigits(s, len, i + 1, 2, &sec))
			return -1;
		i += 3;
		if (i < len && (s[i] == '.' || s[i] == ',')) {
			i++;
			if (i == len || !isdigit((unsigned char)s[i]))
				return -1;
			for (k = 0; i < len && isdigit((unsigned char)s[i]); i++, k++)
				if (k < 6)
					us = us * 10 + (s[i] - '0');
			for (; k < 6; k++)
				us *= 10;
		}
	}
	if (h > 23 || mi > 59 || sec > 59)
		return -1;
	if (i < len && (s[i] == 'Z' || s[i] == 'z')) {
		i++;
	} else if (i < len && (s[i] == '+' || s[i] == '-')) {
		osign = s[i++];
		if (ndigits(s, len, i, 2, &oh))
			return -1;
		i += 2;
		if (i < len && s[i] == ':')
			i++;
		if (i < len) {
			if (ndigits(s, len, i, 2, &om))
				return -1;
			i += 2;
		}
		if (oh > 23 || om > 59)
			return -1;
	}
	if (i != len)
		return -1;
	pos = snprintf(out, n, "%02d:%02d:%02d", h, mi, sec);
	if (us != 0)
		pos += snprintf(out + pos, n > (size_t)pos ? n - (size_t)pos : 0,
		                ".%06d", us);
	if (osign && (oh || om))
		pos += snprintf(out + pos, n > (size_t)pos ? n - (size_t)pos : 0,
		                "%c%02d:%02d", osign, oh, om);
	return (size_t)pos < n ? pos : -1;
}

static int
add_us(int64_t *acc, int64_t count, int64_t unit)
{
	int64_t v;

	if (count != 0 && (count > INT64_MAX / unit || count < INT64_MIN / unit))
		return -1;
	v = count * unit;
	if ((v > 0 && *acc > INT64_MAX - v) || (v < 0 && *acc < INT64_MIN - v))
		return -1;
	*acc += v;
	return 0;
}

/*
 * A PostgreSQL interval in its default output style ("1 day 02:00:00",
 * "-1 days +02:00:00", "1 year 2 mons", "02:00:00.5"), also MySQL's TIME
 * ("-838:59:59"), Python's str(timedelta) ("1 day, 2:00:00") and Django's
 * duration_string() ("1 02:00:00", as dumpdata writes it), to
 * microseconds. A month is 30 days and a year 365, as psycopg reads them.
 */
static int
parse_interval(const char *s, size_t len, int64_t *out)
{
	size_t i = 0;
	int64_t acc = 0;
	int any = 0;

	while (i < len) {
		int neg = 0;
		int64_t num = 0;
		size_t start;

		while (i < len && (s[i] == ' ' || s[i] == ','))
			i++;
		if (i == len)
			break;
		if (s[i] == '+' || s[i] == '-')
			neg = s[i++] == '-';
		start = i;
		while (i < len && isdigit((unsigned char)s[i])) {
			if (num > (INT64_MAX - 9) / 10)
				return -1;
			num = num * 10 + (s[i++] - '0');
		}
		if (i == start)
			return -1;
		if (i < len && s[i] == ':') {
			/* [-]H+:MM[:SS[.f]] */
			int64_t mi = 0, sec = 0, us = 0, t;
			size_t k;
			int v;

			if (ndigits(s, len, i + 1, 2, &v))
				return -1;
			mi = v;
			i += 3;
			if (i < len && s[i] == ':') {
				if (ndigits(s, len, i + 1, 2, &v))
					return -1;
				sec = v;
				i += 3;
				if (i < len && s[i] == '.') {
					i++;
					for (k = 0; i < len && isdigit((unsigned char)s[i]); i++, k++)
						if (k < 6)
							us = us * 10 + (s[i] - '0');
					if (k == 0)
						return -1;
					for (; k < 6; k++)
						us *= 10;
				}
			}
			if (mi > 59 || sec > 59)
				return -1;
			t = 0;
			if (add_us(&t, num, 3600000000LL) ||
			    add_us(&t, mi * 60 + sec, 1000000LL) ||
			    add_us(&t, us, 1))
				return -1;
			if (add_us(&acc, neg ? -t : t, 1))
				return -1;
			any = 1;
		} else {
			/* number + unit word */
			size_t w, sp = i;
			int64_t unit;

			while (i < len && s[i] == ' ')
				i++;
			w = i;
			while (i < len && isalpha((unsigned char)s[i]))
				i++;
			if (i == w && w > sp && w < len && isdigit((unsigned char)s[w]))
				unit = 86400000000LL;   /* Django's "1 02:00:00" */
			else if (i - w >= 3 && strncmp(s + w, "day", 3) == 0)
				unit = 86400000000LL;
			else if (i - w >= 3 && strncmp(s + w, "mon", 3) == 0)
				unit = 30 * 86400000000LL;
			else if (i - w >= 4 && strncmp(s + w, "year", 4) == 0)
				unit = 365 * 86400000000LL;
			else if (i - w >= 4 && strncmp(s + w, "hour", 4) == 0)
				unit = 3600000000LL;
			else if (i - w >= 3 && strncmp(s + w, "min", 3) == 0)
				unit = 60000000LL;
			else if (i - w >= 3 && strncmp(s + w, "sec", 3) == 0)
				unit = 1000000LL;
			else
				return -1;
			if (add_us(&acc, neg ? -num : num, unit))
				return -1;
			any = 1;
		}
	}
	if (!any)
		return -1;
	*out = acc;
	return 0;
}

/* 32 hex digits (Django's UUIDField on SQLite/MySQL) -> hyphenated form. */
static int
uuid_text(const char *s, size_t len, char *buf, size_t n, size_t *outlen)
{
	size_t i, j = 0;

	if (len != 32 || n < 37)
		return -1;
	for (i = 0; i < 32; i++) {
		if (!isxdigit((unsigned char)s[i]))
			return -1;
		if (i == 8 || i == 12 || i == 16 || i == 20)
			buf[j++] = '-';
		buf[j++] = (char)tolower((unsigned char)s[i]);
	}
	buf[j] = '\0';
	*outlen = j;
	return 0;
}

/* Shortest text that reads back as the same double (Python's repr). */
static int
float_text(double v, char *buf, size_t n)
{
	int prec, r = -1;

	for (prec = 1; prec <= 17; prec++) {
		r = snprintf(buf, n, "%.*g", prec, v);
		if (r < 0 || (size_t)r >= n)
			return -1;
		if (strtod(buf, NULL) == v)
			break;
	}
	return r;
}

/* ------------------------------------------------------------------------ */
/* Conversions by target kind                                                */
/* ------------------------------------------------------------------------ */

static int
to_int(const ormc_value *raw, const ormc_otype *t, ormc_value *out,
       ormc_error *err)
{
	int64_t v;
	int r;

	switch (raw->type) {
	case ORMC_TYPE_INT:
	case ORMC_TYPE_BOOL:
		v = raw->i;
		break;
	case ORMC_TYPE_FLOAT:
		/* Django on SQLite: int(value), truncating toward zero. */
		if (!isfinite(raw->f) || raw->f >= 9223372036854775808.0 ||
		    raw->f < -9223372036854775808.0)
			return fail(err, raw, t, "out of range");
		v = (int64_t)raw->f;
		break;
	default:
		if (!is_text(raw))
			return fail(err, raw, t, NULL);
		r = parse_int_text(raw->s, raw->len, &v);
		if (r == -2)
			return fail(err, raw, t, "out of range");
		if (r < 0)
			return fail(err, raw, t, NULL);
		break;
	}
	out->type = ORMC_TYPE_INT;
	out->i = v;
	return ORMC_OK;
}

int
ormc_raw_double(const ormc_value *raw, double *out)
{
	switch (raw->type) {
	case ORMC_TYPE_FLOAT:
		*out = raw->f;
		return 0;
	case ORMC_TYPE_INT:
	case ORMC_TYPE_BOOL:
		*out = (double)raw->i;
		return 0;
	default:
		return is_text(raw) ? parse_double_text(raw->s, raw->len, out) : -1;
	}
}

static int
to_float(const ormc_value *raw, const ormc_otype *t, ormc_value *out,
         ormc_error *err)
{
	double v;

	switch (raw->type) {
	case ORMC_TYPE_FLOAT:
		v = raw->f;
		break;
	case ORMC_TYPE_INT:
	case ORMC_TYPE_BOOL:
		v = (double)raw->i;
		break;
	default:
		if (!is_text(raw) || parse_double_text(raw->s, raw->len, &v) < 0)
			return fail(err, raw, t, NULL);
		break;
	}
	/*
	 * Engines sum and average in their own order and print floats with
	 * their own digits: 15 significant digits (DBL_DIG, all that survive a
	 * trip through decimal text) is the precision every backend agrees on.
	 */
	if (isfinite(v) && v != 0.0) {
		char tmp[40];

		snprintf(tmp, sizeof(tmp), "%.*g", DBL_DIG, v);
		v = strtod(tmp, NULL);
	}
	out->type = ORMC_TYPE_FLOAT;
	out->f = v;
	return ORMC_OK;
}

/*
 * A decimal quotient (ormc_otype.quotient): rounded half-even to places +
 * ORMC_QUOTIENT_PLACES and to at most 15 significant digits, the precision
 * every engine gives (SQLite averages, and MySQL's STDDEV computes, in
 * floating point), then trailing zeros dropped down to places.
 */
static int
quotient_format(const char *in, size_t len, int places, char *out, size_t n)
{
	char plain[512], tmp[512];
	int r = ormc_decimal_quantize(in, len, -1, plain, sizeof(plain));
	int keep = places + ORMC_QUOTIENT_PLACES, sig;
	const char *s = plain, *dot;
	char *end;

	if (r < 0)
		return r;
	if (*s == '-')
		s++;
	dot = strchr(s, '.');
	if (s[0] == '0') {
		/* |v| < 1: the leading zeros after the point are not significant */
		const char *d = dot ? dot + 1 : s + 1;

		while (*d == '0')
			d++;
		sig = *d ? 15 + (int)(d - (dot + 1)) : keep;
	} else {
		sig = 15 - (int)(dot ? dot - s : (ptrdiff_t)strlen(s));
	}
	if (sig < keep)
		keep = sig;
	if (keep < places) {
		/*
		 * More integer digits than 15 - places: rounded there (left of the
		 * point when keep < 0, by moving the point), then written with places.
		 */
		char shifted[600];

		if (keep < 0) {
			snprintf(shifted, sizeof(shifted), "%se-%d", plain, -keep);
			if ((r = ormc_decimal_quantize(shifted, strlen(shifted), 0, tmp, sizeof(tmp))) < 0)
				return r;
			snprintf(shifted, sizeof(shifted), "%se%d", tmp, -keep);
		} else {
			if ((r = ormc_decimal_quantize(plain, strlen(plain), keep, tmp, sizeof(tmp))) < 0)
				return r;
			snprintf(shifted, sizeof(shifted), "%s", tmp);
		}
		return ormc_decimal_quantize(shifted, strlen(shifted), places, out, n);
	}
	if ((r = ormc_decimal_quantize(plain, (size_t)r, keep, out, n)) < 0)
		return r;
	if ((dot = strchr(out, '.')) == NULL)
		return r;
	end = out + r;
	while (end > dot + 1 + places && end[-1] == '0')
		end--;
	if (end == dot + 1)
		end--;
	*end = '\0';
	return (int)(end - out);
}

/* Quantize in to t's places: exactly, or as a quotient (see quotient_format). */
static int
decimal_format(const char *in, size_t len, const ormc_otype *t, char *out, size_t n)
{
	if (t->quotient && t->decimal_places >= ORMC_QUOTIENT_PLACES)
		return quotient_format(in, len, t->decimal_places - ORMC_QUOTIENT_PLACES, out, n);
	return ormc_decimal_quantize(in, len, t->decimal_places, out, n);
}

static int
to_decimal(const ormc_value *raw, const ormc_otype *t, ormc_value *out,
           char *buf, size_t n, ormc_error *err)
{
	char tmp[512];
	int r;

	switch (raw->type) {
	case ORMC_TYPE_INT:
	case ORMC_TYPE_BOOL:
		ormc_decimal_from_int(raw->i, tmp, sizeof(tmp));
		r = decimal_format(tmp, strlen(tmp), t, buf, n);
		break;
	case ORMC_TYPE_FLOAT:
		r = ormc_decimal_from_double(raw->f, tmp, sizeof(tmp));
		if (r >= 0)
			r = decimal_format(tmp, (size_t)r, t, buf, n);
		break;
	default:
		if (!is_text(raw))
			return fail(err, raw, t, NULL);
		r = decimal_format(raw->s, raw->len, t, buf, n);
		break;
	}
	if (r == ORMC_ENOMEM)
		return fail(err, raw, t, "value too long");
	if (r < 0)
		return fail(err, raw, t, NULL);
	set_text(out, ORMC_TYPE_DECIMAL, buf, (size_t)r);
	return ORMC_OK;
}

static int
to_bool(const ormc_value *raw, const ormc_otype *t, ormc_value *out,
        ormc_error *err)
{
	int v = -1;

	switch (raw->type) {
	case ORMC_TYPE_INT:
	case ORMC_TYPE_BOOL:
		if (raw->i == 0 || raw->i == 1)
			v = (int)raw->i;
		break;
	case ORMC_TYPE_FLOAT:
		if (raw->f == 0.0 || raw->f == 1.0)
			v = raw->f == 1.0;
		break;
	default:
		if (is_text(raw)) {
			static const char *const yes[] = { "t", "true", "1" };
			static const char *const no[] = { "f", "false", "0" };
			size_t k;

			for (k = 0; k < 3; k++) {
				size_t ly = strlen(yes[k]), ln = strlen(no[k]);

				if (raw->len == ly && ci_equal(raw->s, yes[k], ly))
					v = 1;
				if (raw->len == ln && ci_equal(raw->s, no[k], ln))
					v = 0;
			}
		}
		break;
	}
	if (v < 0)
		return fail(err, raw, t, NULL);
	out->type = ORMC_TYPE_BOOL;
	out->i = v;
	return ORMC_OK;
}

/* DATE from "YYYY-MM-DD", or the date part of a datetime text. */
static int
to_date(const ormc_value *raw, const ormc_otype *t, ormc_value *out,
        char *buf, size_t n, ormc_error *err)
{
	int y, mo, d;

	if (!is_text(raw) || scan_date(raw->s, raw->len, &y, &mo, &d) < 0 ||
	    (raw->len > 10 && raw->s[10] != ' ' && raw->s[10] != 'T'))
		return fail(err, raw, t, NULL);
	if (n < 11)
		return fail(err, raw, t, "value too long");
	memcpy(buf, raw->s, 10);
	buf[10] = '\0';
	set_text(out, ORMC_TYPE_DATE, buf, 10);
	return ORMC_OK;
}

/*
 * DATETIME: "YYYY-MM-DD[ T]HH:MM[:SS[.f]][offset]" (or a bare date, at
 * midnight) -> "YYYY-MM-DDTHH:MM:SS[.ffffff][+HH:MM]".
 */
static int
to_datetime(const ormc_value *raw, const ormc_otype *t, ormc_value *out,
            char *buf, size_t n, ormc_error *err)
{
	int y, mo, d, r;

	if (!is_text(raw) || scan_date(raw->s, raw->len, &y, &mo, &d) < 0)
		return fail(err, raw, t, NULL);
	if (n < 20)
		return fail(err, raw, t, "value too long");
	memcpy(buf, raw->s, 10);
	buf[10] = 'T';
	if (raw->len == 10) {
		memcpy(buf + 11, "00:00:00", 9);
		r = 8;
	} else {
		if (raw->s[10] != ' ' && raw->s[10] != 'T')
			return fail(err, raw, t, NULL);
		r = scan_time(raw->s, raw->len, 11, buf + 11, n - 11);
		if (r < 0)
			return fail(err, raw, t, NULL);
	}
	set_text(out, ORMC_TYPE_DATETIME, buf, 11 + (size_t)r);
	return ORMC_OK;
}

/* TIME: "HH:MM[:SS[.f]]", or the time part of a datetime text. */
static int
to_time(const ormc_value *raw, const ormc_otype *t, ormc_value *out,
        char *buf, size_t n, ormc_error *err)
{
	size_t at = 0;
	int y, mo, d, r;

	if (!is_text(raw))
		return fail(err, raw, t, NULL);
	if (raw->len > 10 && scan_date(raw->s, raw->len, &y, &mo, &d) == 0 &&
	    (raw->s[10] == ' ' || raw->s[10] == 'T'))
		at = 11;
	r = scan_time(raw->s, raw->len, at, buf, n);
	if (r < 0)
		return fail(err, raw, t, NULL);
	set_text(out, ORMC_TYPE_TIME, buf, (size_t)r);
	return ORMC_OK;
}

static int
to_duration(const ormc_value *raw, const ormc_otype *t, ormc_value *out,
            ormc_error *err)
{
	int64_t v;

	switch (raw->type) {
	case ORMC_TYPE_INT:
	case ORMC_TYPE_DURATION:
		v = raw->i;
		break;
	case ORMC_TYPE_FLOAT:
		/* timedelta(microseconds=x) rounds half to even */
		if (!isfinite(raw->f) || fabs(raw->f) >= 9.2e18)
			return fail(err, raw, t, "out of range");
		v = (int64_t)nearbyint(raw->f);
		break;
	default:
		if (!is_text(raw))
			return fail(err, raw, t, NULL);
		if (parse_int_text(raw->s, raw->len, &v) < 0 &&
		    parse_interval(raw->s, raw->len, &v) < 0)
			return fail(err, raw, t, NULL);
		break;
	}
	out->type = ORMC_TYPE_DURATION;
	out->i = v;
	return ORMC_OK;
}

static int
to_text(const ormc_value *raw, const ormc_otype *t, ormc_value *out,
        char *buf, size_t n, ormc_error *err)
{
	size_t len;
	int r;

	switch (raw->type) {
	case ORMC_TYPE_INT:
	case ORMC_TYPE_BOOL:
	case ORMC_TYPE_DURATION:
		r = ormc_decimal_from_int(raw->i, buf, n);
		if (r < 0)
			return fail(err, raw, t, "value too long");
		set_text(out, ORMC_TYPE_TEXT, buf, (size_t)r);
		return ORMC_OK;
	case ORMC_TYPE_FLOAT:
		r = float_text(raw->f, buf, n);
		if (r < 0)
			return fail(err, raw, t, "value too long");
		set_text(out, ORMC_TYPE_TEXT, buf, (size_t)r);
		return ORMC_OK;
	default:
		if (!is_text(raw))
			return fail(err, raw, t, NULL);
		if (t->kind == ORMC_FIELD_UUID &&
		    uuid_text(raw->s, raw->len, buf, n, &len) == 0) {
			set_text(out, ORMC_TYPE_TEXT, buf, len);
			return ORMC_OK;
		}
		/* borrowed from the raw cell: see the note at the top */
		set_text(out, ORMC_TYPE_TEXT, raw->s, raw->len);
		return ORMC_OK;
	}
}

/* JSON text, made canonical (core/jsonbin.c). */
static int
to_json(const ormc_value *raw, const ormc_otype *t, ormc_value *out,
        char *buf, size_t n, ormc_error *err)
{
	size_t len;
	int r;

	if (!is_text(raw))
		return fail(err, raw, t, NULL);
	r = ormc_json_canonical(raw->s, raw->len, buf, n, &len);
	if (r < 0)
		return fail(err, raw, t, r == -2 ? "value too long" : "not JSON");
	set_text(out, ORMC_TYPE_TEXT, buf, len);
	return ORMC_OK;
}

static int
hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Binary: the hex digits the top SELECT reads (each dialect's hex()) as
 * base64. The bytes are decoded into the tail of buf and encoded into its
 * head: n >= raw->len + 1 and base64 never catches up with its input.
 */
static int
to_binary(const ormc_value *raw, const ormc_otype *t, ormc_value *out,
          char *buf, size_t n, ormc_error *err)
{
	const char *s = raw->s;
	size_t len = raw->len, nb, i, k;
	unsigned char *bytes;

	if (!is_text(raw))
		return fail(err, raw, t, NULL);
	if (len >= 2 && s[0] == '\\' && s[1] == 'x')
		s += 2, len -= 2;
	nb = len / 2;
	if (len % 2 != 0 || n < 4 * ((nb + 2) / 3) + 1 + nb)
		return fail(err, raw, t, len % 2 ? "not hex digits" : "value too long");
	bytes = (unsigned char *)buf + n - nb;
	for (i = 0; i < nb; i++) {
		int hi = hex_digit((unsigned char)s[2 * i]);
		int lo = hex_digit((unsigned char)s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return fail(err, raw, t, "not hex digits");
		bytes[i] = (unsigned char)(hi << 4 | lo);
	}
	k = ormc_base64_encode(bytes, nb, buf);
	set_text(out, ORMC_TYPE_TEXT, buf, k);
	return ORMC_OK;
}

int
ormc_convert(const ormc_value *raw, const ormc_otype *type, ormc_value *out,
             char *buf, size_t n, ormc_error *err)
{
	memset(out, 0, sizeof(*out));
	if (raw->type == ORMC_TYPE_NULL)
		return ORMC_OK;
	if (is_text(raw) && raw->s == NULL && raw->len > 0)
		return fail(err, raw, type, NULL);
	switch (type->kind) {
	case ORMC_FIELD_AUTO:
	case ORMC_FIELD_BIGAUTO:
	case ORMC_FIELD_SMALLAUTO:
	case ORMC_FIELD_INTEGER:
	case ORMC_FIELD_BIGINTEGER:
	case ORMC_FIELD_SMALLINTEGER:
	case ORMC_FIELD_POSITIVEINTEGER:
	case ORMC_FIELD_POSITIVESMALLINTEGER:
	case ORMC_FIELD_POSITIVEBIGINTEGER:
		return to_int(raw, type, out, err);
	case ORMC_FIELD_FLOAT:
		return to_float(raw, type, out, err);
	case ORMC_FIELD_DECIMAL:
		return to_decimal(raw, type, out, buf, n, err);
	case ORMC_FIELD_BOOLEAN:
		return to_bool(raw, type, out, err);
	case ORMC_FIELD_DATE:
		return to_date(raw, type, out, buf, n, err);
	case ORMC_FIELD_DATETIME:
		return to_datetime(raw, type, out, buf, n, err);
	case ORMC_FIELD_TIME:
		return to_time(raw, type, out, buf, n, err);
	case ORMC_FIELD_DURATION:
		return to_duration(raw, type, out, err);
	case ORMC_FIELD_CHAR:
	case ORMC_FIELD_TEXT:
	case ORMC_FIELD_UUID:
	case ORMC_FIELD_IPADDRESS:
		return to_text(raw, type, out, buf, n, err);
	case ORMC_FIELD_JSON:
		return to_json(raw, type, out, buf, n, err);
	case ORMC_FIELD_BINARY:
		return to_binary(raw, type, out, buf, n, err);
	default:
		/* relations never reach here (types.h); pass the cell through */
		*out = *raw;
		return ORMC_OK;
	}
}

ormc_type
ormc_otype_value_type(const ormc_otype *t)
{
	switch (t->kind) {
	case ORMC_FIELD_FLOAT: return ORMC_TYPE_FLOAT;
	case ORMC_FIELD_DECIMAL: return ORMC_TYPE_DECIMAL;
	case ORMC_FIELD_BOOLEAN: return ORMC_TYPE_BOOL;
	case ORMC_FIELD_DATE: return ORMC_TYPE_DATE;
	case ORMC_FIELD_DATETIME: return ORMC_TYPE_DATETIME;
	case ORMC_FIELD_TIME: return ORMC_TYPE_TIME;
	case ORMC_FIELD_DURATION: return ORMC_TYPE_DURATION;
	case ORMC_FIELD_CHAR: case ORMC_FIELD_TEXT: case ORMC_FIELD_UUID:
	case ORMC_FIELD_IPADDRESS: case ORMC_FIELD_JSON: case ORMC_FIELD_BINARY:
		return ORMC_TYPE_TEXT;
	default:
		return ormc_field_kind_is_int(t->kind) ? ORMC_TYPE_INT : ORMC_TYPE_NULL;
	}
}
