/*
 * decimal.h -- exact decimal text arithmetic: parse, quantize, print.
 *
 * Decimals travel as text ("34.35", "-0.5", "1E+2"). These helpers never go
 * through double when the input is exact: digits are moved and rounded as
 * characters, with Python decimal's default rounding (ROUND_HALF_EVEN).
 * Output is always plain notation (no exponent), at least one digit before
 * the point, and never a negative zero ("-0.00" becomes "0.00").
 *
 * Every function writes a NUL-terminated string into out (size n) and returns
 * its length (>= 0), ORMC_EINVALID when the input is not a finite decimal
 * number, or ORMC_ENOMEM when out is too small.
 */
#ifndef ORMC_DECIMAL_H
#define ORMC_DECIMAL_H

#include <stddef.h>
#include <stdint.h>

/**
 * Round the decimal text in[0..len) to places digits after the point
 * (ROUND_HALF_EVEN), padding with zeros: ("2.345", 2) -> "2.34",
 * ("1E+2", 2) -> "100.00", ("-0.001", 2) -> "0.00". With places < 0 the value
 * is only rewritten in plain notation, keeping its digits: "3.5e-1" -> "0.35",
 * "007.50" -> "7.50". Leading and trailing blanks are not accepted.
 */
int ormc_decimal_quantize(const char *in, size_t len, int places, char *out,
                          size_t n);

/**
 * A double as Python's decimal.Context(prec=15).create_decimal_from_float()
 * makes it: the exact binary value when it has at most 15 significant digits
 * (10.0 -> "10", 0.5 -> "0.5"), else rounded to 15 significant digits
 * (34.35 -> "34.3500000000000", 0.1 + 0.2 -> "0.300000000000000").
 * NaN and infinities are ORMC_EINVALID.
 */
int ormc_decimal_from_double(double v, char *out, size_t n);

/** An integer as decimal text ("-42"). */
int ormc_decimal_from_int(int64_t v, char *out, size_t n);

/**
 * Plain notation with trailing fractional zeros removed, like Python's
 * Decimal.normalize() but never in exponent form: "34.3500" -> "34.35",
 * "7.000" -> "7", "1E+2" -> "100", "-0.0" -> "0".
 */
int ormc_decimal_normalize(const char *in, size_t len, char *out, size_t n);

/** 1 if in[0..len) is a finite decimal number ("1.5", "-2", "3e-1"), else 0. */
int ormc_decimal_valid(const char *in, size_t len);

#endif
