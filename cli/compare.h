/*
 * compare.h -- `ormc compare`: the same queries on several databases.
 */
#ifndef ORMC_CLI_COMPARE_H
#define ORMC_CLI_COMPARE_H

#include <stddef.h>
#include <stdio.h>

#include <ormc/ormc.h>
#include <ormc/stmt.h>

enum {
	CLI_COMPARE_SAME = 0,     /* every query gave the same rows everywhere */
	CLI_COMPARE_DIFFER = 1,   /* at least one difference (printed) */
	CLI_COMPARE_ERROR = 2     /* a query failed alike everywhere, or out of memory */
};

/* How to compare and report. */
typedef struct cli_compare_opts {
	int json;                 /* --format json, else text */
	int float_digits;         /* floats equal when they agree to this many significant digits, */
	double rel_tol;           /* or within this relative difference (float_digits 0: only that) */
	int progress;             /* "[3/40] running on db2..." on stderr (a terminal) */
} cli_compare_opts;

/* The default tolerance: floats agreeing to 15 significant digits (docs/dialects.md). */
#define CLI_COMPARE_FLOAT_DIGITS 15

/**
 * Fill o from the command line's --format (NULL, "table" or "json"),
 * --float-digits N (1 to 17: the same N significant digits, or a relative
 * difference of at most 10^-N) and --rel-tol X
 * (a number from 0 to 1); at most one of the last two. Progress is on when
 * stderr is a terminal. Returns 0, or -1 with the reason in msg.
 */
int cli_compare_options(cli_compare_opts *o, const char *format, const char *float_digits,
                        const char *rel_tol, char *msg, size_t n);

/**
 * Run each of the nq queries on the ndb databases and print to out a legend
 * of the databases (urls, passwords masked), then, query by query as each
 * finishes, every difference: rows present on one database only, and each
 * cell of a row that differs (query, row, column, both values as JSON),
 * values equal only within the tolerance, warnings; then a summary line.
 * With o->json the same as one JSON document (docs/cli.md).
 */
int cli_compare(FILE *out, ormc_db **dbs, const char *const *urls, int ndb,
                ormc_query *const *qs, const char *const *texts, int nq,
                const ormc_params *params, const cli_compare_opts *o);

/** url with its password (user:PASS@, PWD=, password=) replaced by "***". */
void cli_mask_url(const char *url, char *buf, size_t n);

#endif
