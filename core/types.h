/*
 * types.h -- Django output types of expressions and result conversion.
 */
#ifndef ORMC_TYPES_H
#define ORMC_TYPES_H

#include <stddef.h>

#include "ormc/error.h"
#include "ormc/value.h"
#include "schema.h"

/*
 * The Django field class an expression's value has (its output_field), with
 * DecimalField's digits. kind is a concrete value kind: never a relation
 * (a foreign key's value has the kind of the target's primary key).
 */
/* How union()/intersection()/difference() combine rows (a compound SELECT). */
typedef enum ormc_combinator {
	ORMC_COMBINE_NONE,
	ORMC_COMBINE_UNION,
	ORMC_COMBINE_INTERSECT,
	ORMC_COMBINE_EXCEPT       /* difference() */
} ormc_combinator;

/*
 * A time zone that Trunc and Extract work in (tzinfo=): UTC when not set;
 * else a tz database name (PostgreSQL only) or a fixed offset from UTC.
 */
typedef struct ormc_tz {
	int set;
	const char *name;     /* "Europe/Paris", or NULL: offset */
	int offset;           /* seconds east of UTC, when name is NULL */
} ormc_tz;

typedef struct ormc_otype {
	ormc_field_kind kind;
	int max_digits;       /* -1 if unknown */
	int decimal_places;   /* -1 if unknown: no quantizing */
	/*
	 * A decimal quotient (Avg, StdDev, Variance of a DecimalField): then
	 * decimal_places is the field's + ORMC_QUOTIENT_PLACES, the value is
	 * also rounded to 15 significant digits, and trailing zeros past the
	 * field's places are dropped (core/convert.c).
	 */
	int quotient;
} ormc_otype;

/* Places a decimal quotient keeps beyond its field's. */
#define ORMC_QUOTIENT_PLACES 6

/* The type of kind k with those digits and places (-1: unknown); not a quotient. */
static inline ormc_otype
ormc_otype_of(ormc_field_kind k, int digits, int places)
{
	ormc_otype t;

	t.kind = k;
	t.max_digits = digits;
	t.decimal_places = places;
	t.quotient = 0;
	return t;
}

/**
 * Convert a raw cell from a driver to the Django type of its column:
 *   integer kinds (AUTO, INTEGER, ...)  -> ORMC_TYPE_INT
 *   FLOAT                               -> ORMC_TYPE_FLOAT, rounded to 15 significant
 *                                          digits (DBL_DIG), where engines agree
 *   DECIMAL                             -> ORMC_TYPE_DECIMAL, exact digits, quantized to
 *                                          decimal_places (ROUND_HALF_EVEN) when >= 0;
 *                                          a float is first rounded to 15 significant
 *                                          digits, as Django does on SQLite
 *   BOOLEAN                             -> ORMC_TYPE_BOOL
 *   DATE / DATETIME / TIME              -> ISO-8601 text ("2026-11-21", "2026-11-21T10:00:00")
 *   DURATION                            -> ORMC_TYPE_DURATION (microseconds)
 *   CHAR / TEXT / UUID                  -> ORMC_TYPE_TEXT
 *   JSON                                -> ORMC_TYPE_TEXT, the JSON text made canonical
 *                                          (ormc_json_canonical)
 *   BINARY                              -> ORMC_TYPE_TEXT, base64 as Django's dumpdata,
 *                                          from the hex digits the top SELECT reads
 * NULL stays NULL. Text results are written into buf (size n), which must
 * outlive *out. Returns ORMC_OK or ORMC_EINVALID when the value cannot be
 * converted (err says which value).
 */
int ormc_convert(const ormc_value *raw, const ormc_otype *type, ormc_value *out,
                 char *buf, size_t n, ormc_error *err);

/**
 * A FLOAT result cell's raw value as a double, before ormc_convert()'s
 * rounding to 15 significant digits (ormc_result_set_raw_floats()).
 * Returns 0, or -1 when raw is not a number.
 */
int ormc_raw_double(const ormc_value *raw, double *out);
/*
 * JSON and binary values (core/jsonbin.c).
 *
 * A JSON value is stored and returned as canonical text, identical on every
 * engine whatever each keeps (PostgreSQL's jsonb reorders keys and adds
 * spaces, MariaDB keeps the text as written): compact, object keys sorted,
 * numbers with at most 15 significant digits. Binary values travel as hex
 * digits (PostgreSQL's bytea input takes \x and hex) and come out as
 * base64, the text Django's dumpdata writes.
 */

/**
 * Canonical JSON text of s[0..len) into buf (size n): 0, -1 if s is not
 * JSON, -2 if buf is too small. *outlen is the text's length.
 */
int ormc_json_canonical(const char *s, size_t len, char *buf, size_t n,
                        size_t *outlen);
/** Canonical JSON text of a jansson value, malloc'ed (free()), or NULL. */
char *ormc_json_dump(const void *json);
/** Bytes of base64 text s into out (room for len * 3 / 4 + 3): 0 or -1. */
int ormc_base64_decode(const char *s, size_t len, unsigned char *out,
                       size_t *outlen);
/** Base64 of bytes into out (room for 4 * ((n + 2) / 3) + 1); returns the length. */
size_t ormc_base64_encode(const unsigned char *bytes, size_t n, char *out);
/** Hex digits of bytes into out (room for 2 * n + 1). */
void ormc_hex_encode(const unsigned char *bytes, size_t n, char *out);

/** The kind of value an expression of type t has (ORMC_TYPE_INT for the integer kinds, ...). */
ormc_type ormc_otype_value_type(const ormc_otype *t);

/*
 * A datetime's text (with or without an offset) as the naive UTC text Django
 * stores, "YYYY-MM-DD HH:MM:SS[.ffffff]" (no fraction when it is zero), in
 * out (size n): its length, or -1 when in is not a datetime or out too small.
 */
int ormc_datetime_naive_utc(const char *in, size_t len, char *out, size_t n);

#endif
