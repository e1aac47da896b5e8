/*
 * error.h -- filling an ormc_error from inside the library.
 */
#ifndef ORMC_CORE_ERROR_H
#define ORMC_CORE_ERROR_H

#include "ormc/error.h"

/**
 * Set err (if non-NULL) to code and a printf-formatted message, pointing at
 * [offset, offset+length) of source (source may be NULL, offset -1).
 * @return code, so callers can write `return ormc_error_set(...)`.
 */
int ormc_error_set(ormc_error *err, int code, const char *source, int offset,
                   int length, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 6, 7)))
#endif
	;

/** Set the hint of an error already set. */
void ormc_error_hint(ormc_error *err, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

#endif
