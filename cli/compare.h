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

/**
 * Run each of the nq queries on the ndb databases and print to out a legend
 * of the databases (urls, passwords masked), then every difference: rows
 * present on one side only, and each cell that differs (query, row, column,
 * both values as JSON), then a summary line.
 */
int cli_compare(FILE *out, ormc_db **dbs, const char *const *urls, int ndb,
                ormc_query *const *qs, const char *const *texts, int nq,
                const ormc_params *params);

/** url with its password (user:PASS@, PWD=, password=) replaced by "***". */
void cli_mask_url(const char *url, char *buf, size_t n);

#endif
