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

#ifdef __cplusplus
}
#endif
#endif
