/*
 * ormc/value.h -- typed values: query parameters and result cells.
 *
 * Exact types travel as text: a DECIMAL is its decimal digits ("34.35",
 * "-0.5"), DATE/DATETIME/TIME are ISO-8601 ("2026-11-21", "2026-11-21 10:00:00",
 * "10:00:00"). A DURATION is a count of microseconds, as Django stores it on
 * SQLite and MySQL.
 */
#ifndef ORMC_VALUE_H
#define ORMC_VALUE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ormc_type {
	ORMC_TYPE_NULL = 0,
	ORMC_TYPE_INT,
	ORMC_TYPE_FLOAT,
	ORMC_TYPE_DECIMAL,   /* text */
	ORMC_TYPE_TEXT,      /* text */
	ORMC_TYPE_BOOL,      /* i: 0 or 1 */
	ORMC_TYPE_DATE,      /* text */
	ORMC_TYPE_DATETIME,  /* text */
	ORMC_TYPE_TIME,      /* text */
	ORMC_TYPE_DURATION   /* i: microseconds */
} ormc_type;

typedef struct ormc_value {
	ormc_type type;
	int64_t i;           /* INT BOOL DURATION */
	double f;            /* FLOAT */
	const char *s;       /* DECIMAL TEXT DATE DATETIME TIME: not necessarily NUL-terminated */
	size_t len;          /* length of s */
} ormc_value;

/*
 * Typed getters.
 *
 * Each getter checks the value's type and returns ORMC_OK with *out filled
 * in, ORMC_ENULL for a NULL value (a NULL pointer or ORMC_TYPE_NULL), or
 * ORMC_ETYPE when the value has another type. There is no silent conversion
 * across kinds: a BOOL is not an INT, a DECIMAL is not TEXT, a DATE is not a
 * DATETIME; the one deliberate widening is ormc_value_double(). For the kinds
 * that travel as text (DECIMAL, DATE, DATETIME, TIME) the getter also parses
 * the text, and a malformed text is ORMC_ETYPE too. On any error the outputs
 * are left untouched. Output pointers must not be NULL unless a getter says
 * otherwise.
 *
 * The cells of ormc_result_next() come in the one form the library writes
 * them in (decimals plain and quantized, datetimes with 'T' and six-digit
 * microseconds), which these getters accept; a value the caller made is
 * checked the same way, never trusted. The getters are stricter than the
 * result conversion in two corners, where they answer ORMC_ETYPE: a date in
 * year 0000 (Python's date cannot hold it) and a TIME with a UTC offset
 * (ormc_time has no field for it).
 *
 * All of these functions are pure: no state, no allocation, no dependence
 * on the C locale; safe to call from any thread.
 */

/** A calendar date, as Python's datetime.date: year 1..9999, month 1..12. */
typedef struct ormc_date {
	int year;
	int month;
	int day;
} ormc_date;

/** A time of day, as Python's datetime.time without tzinfo. */
typedef struct ormc_time {
	int hour;          /**< 0..23 */
	int minute;        /**< 0..59 */
	int second;        /**< 0..59 (no leap second, as Python) */
	int microsecond;   /**< 0..999999 */
} ormc_time;

/**
 * A date and time. When the text ends in a UTC offset ("+05:30", "-08:00",
 * "Z"), has_offset is 1 and offset_minutes is the signed offset east of UTC
 * ("Z" and "+00:00" give 1 and 0); otherwise both are 0: a naive datetime.
 * Result cells carry no offset for UTC, as Django reads them (the converter
 * drops "+00:00"), so has_offset is 1 only for a non-UTC offset there.
 */
typedef struct ormc_datetime {
	ormc_date date;
	ormc_time time;
	int has_offset;
	int offset_minutes;   /**< -1439..1439 */
} ormc_datetime;

/**
 * Name of a type: "null", "int", "float", "decimal", "text", "bool", "date",
 * "datetime", "time", "duration"; "unknown" for a value outside the enum.
 * Static storage, never NULL.
 */
const char *ormc_type_name(ormc_type t);

/** 1 if @p v is NULL or has type ORMC_TYPE_NULL, else 0. */
int ormc_value_is_null(const ormc_value *v);

/**
 * An INT. Strictly INT: a BOOL, a DURATION or an integral DECIMAL is
 * ORMC_ETYPE (read them with their own getters).
 */
int ormc_value_int64(const ormc_value *v, int64_t *out);

/**
 * A number as a double: a FLOAT as it is; an INT converted, exactly when
 * |i| <= 2^53 and rounded to nearest beyond; a DECIMAL's digits read as the
 * nearest double (so possibly inexact: "0.1" is not 1/10 in binary; a
 * decimal beyond the double range gives +-HUGE_VAL). A DECIMAL of any length
 * is correctly rounded, with no allocation, whatever the C locale. A DECIMAL
 * text that ormc_value_decimal() refuses, or any other type, is ORMC_ETYPE.
 */
int ormc_value_double(const ormc_value *v, double *out);

/** A BOOL, as 0 or 1 (any non-zero i of a caller-made BOOL gives 1). */
int ormc_value_bool(const ormc_value *v, int *out);

/**
 * A TEXT value: *s its bytes, *len (when @p len is not NULL) their count.
 * The text may hold NUL bytes, so prefer len to strlen().
 *
 * NUL termination: in the cells of ormc_result_next(), s[len] is '\0' for
 * text the database sent as text (SQLite, libpq, MariaDB and ODBC character
 * data); the bytes of a binary value (a BLOB stored in a text column) are not
 * guaranteed to be followed by a NUL. For a caller-made ormc_value, *s is
 * whatever pointer the caller gave. A TEXT with s == NULL and len == 0 gives
 * "" (NUL-terminated); s == NULL with len > 0 is ORMC_ETYPE.
 *
 * *s is borrowed from @p v: for a result cell it is valid until the next
 * ormc_result_next().
 */
int ormc_value_text(const ormc_value *v, const char **s, size_t *len);

/**
 * A DECIMAL: *digits its exact text, borrowed from @p v as for
 * ormc_value_text() (so "-12.50", not normalized), *len its length, and
 * *scale the number of digits after the point, 0 when there is none
 * ("-0.50": 2, "12": 0, "7.": 0). Any of digits, len and scale may be NULL.
 *
 * Only plain notation is accepted: an optional sign, digits, an optional
 * point and digits, at least one digit in all ("[+-]D[.D]", "[+-].D",
 * "[+-]D." as Python's Decimal reads them). ormc's result cells are always in
 * this form (quantized to the field's decimal_places). An exponent form
 * ("1E+2"), "NaN", "Infinity", spaces or an empty text are ORMC_ETYPE: with
 * an exponent the digits and the scale would no longer describe the text,
 * and silently rewriting it would break "exact text".
 */
int ormc_value_decimal(const ormc_value *v, const char **digits, size_t *len,
                       int *scale);

/**
 * A DATE from its text "YYYY-MM-DD" (exactly: four-digit year 0001..9999,
 * two-digit month and day, the day checked against the month's length with
 * Gregorian leap years: 2024-02-29 and 2000-02-29 exist, 1900-02-29 and
 * 2023-02-29 do not). Anything after the day is ORMC_ETYPE.
 */
int ormc_value_date(const ormc_value *v, ormc_date *out);

/**
 * A DATETIME from its text "YYYY-MM-DD HH:MM:SS[.f][offset]", with ' ' or
 * 'T' between date and time (ormc's result cells use 'T', as Python's
 * isoformat()). The date is checked as for ormc_value_date() and the time as
 * for ormc_value_time(); the optional UTC offset is "Z" or "+HH", "+HHMM",
 * "+HH:MM" (or '-'), hours 00..23 and minutes 00..59, the forms Django's
 * parse_datetime() accepts. A date alone is not a datetime (ORMC_ETYPE).
 */
int ormc_value_datetime(const ormc_value *v, ormc_datetime *out);

/**
 * A TIME from its text "HH:MM:SS[.f]": two digits each, hour 00..23 (so
 * "24:00:00" is refused), minute and second 00..59, and an optional fraction
 * of 1 to 6 digits read as a decimal fraction of a second (".5" is 500000
 * microseconds, ".000001" is 1). Seconds are required ("12:30" is refused),
 * and so is the '.' (not ','). A UTC offset is ORMC_ETYPE: ormc_time has no
 * field for one, and Django's TimeField has no time zone.
 */
int ormc_value_time(const ormc_value *v, ormc_time *out);

/** A DURATION, in microseconds (negative for a negative timedelta). */
int ormc_value_duration(const ormc_value *v, int64_t *microseconds);

/**
 * Text of any value, written as snprintf() does: at most @p size bytes
 * including a terminating NUL (nothing at all when size is 0, and then buf
 * may be NULL), returning the length of the whole text, not counting the
 * NUL; a return value >= size means the text was cut.
 *
 *   NULL      ""  (returns 0: a NULL has no text; test ormc_value_is_null())
 *   INT       decimal digits, "-42"
 *   FLOAT     the shortest "%g"-style text that reads back as the same
 *             double ("0.1", "2.5", "0.30000000000000004", "1e+300", "-0",
 *             "5e-324"), with a '.' whatever the C locale; "inf", "-inf",
 *             "nan". Not Python's repr(): no ".0" is added ("1", not "1.0")
 *   BOOL      "true" or "false"
 *   DURATION  ISO 8601 as Django's duration_iso_string():
 *             "P1DT02H03M04.000005S", "-P0DT00H00M00.500000S",
 *             "P0DT00H00M00S" (days unbounded; microseconds only when not 0)
 *   DECIMAL, TEXT, DATE, DATETIME, TIME
 *             the value's text, byte for byte, unchecked
 *
 * Returns ORMC_ETYPE (and writes "" when size > 0) for a value that is not
 * well-formed: a type outside the enum, or a text kind with s == NULL and
 * len > 0; ORMC_EINVALID for a text too long for the int result.
 */
int ormc_value_format(const ormc_value *v, char *buf, size_t size);

/*
 * Parsers from text to fields, as the getters above use them (and the
 * parameter code may): @p s need not be NUL-terminated, @p len is its length,
 * and the whole of it must match. Each returns ORMC_OK, or ORMC_ETYPE for
 * malformed text with *out untouched.
 */

/** "YYYY-MM-DD", as ormc_value_date(). */
int ormc_date_parse(const char *s, size_t len, ormc_date *out);

/** "HH:MM:SS[.f]", as ormc_value_time(). */
int ormc_time_parse(const char *s, size_t len, ormc_time *out);

/** "YYYY-MM-DD[ T]HH:MM:SS[.f][offset]", as ormc_value_datetime(). */
int ormc_datetime_parse(const char *s, size_t len, ormc_datetime *out);

#ifdef __cplusplus
}
#endif
#endif
