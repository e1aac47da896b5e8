/*
 * odbc_params.h -- what the ODBC driver (odbc.c) sends with a statement:
 * ODBC's ? placeholders for PostgreSQL's $n, and the parameter values bound
 * with SQLBindParameter. Internal to drivers/odbc*.c.
 */
#ifndef ORMC_ODBC_PARAMS_H
#define ORMC_ODBC_PARAMS_H

#include <sql.h>
#include <sqlext.h>

#include "ormc/error.h"
#include "ormc/value.h"

/* One bound parameter: the value ODBC reads at execute time. */
typedef struct ormc_odbc_param {
	SQLLEN ind;
	union {
		SQLBIGINT i;
		SQLDOUBLE f;
		SQLCHAR bit;
		char text[40];
	} u;
} ormc_odbc_param;

/**
 * PostgreSQL SQL with $n placeholders to ODBC's ?: *out is the new text,
 * (*map)[k] the 0-based index of the parameter the k-th ? takes; *nmap is
 * how many ?s there are. Both malloc'ed.
 */
int ormc_odbc_rewrite_dollars(const char *sql, int nparams, char **out, int **map,
                              int *nmap, ormc_error *err);

/**
 * Bind v as parameter k of st, its value kept in p until the execution.
 * pg: the data source is PostgreSQL (a duration goes as interval text).
 * 0, -1 for a value of an unknown type, -2 when SQLBindParameter failed
 * (its diagnostics are on st).
 */
int ormc_odbc_bind_one(SQLHSTMT st, SQLUSMALLINT k, const ormc_value *v,
                       ormc_odbc_param *p, int pg);

#endif
