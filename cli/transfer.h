/*
 * transfer.h -- `ormc copy` and `ormc dump`: data between databases and out.
 */
#ifndef ORMC_CLI_TRANSFER_H
#define ORMC_CLI_TRANSFER_H

#include <stdio.h>

#include <ormc/copy.h>
#include <ormc/ormc.h>

/**
 * Copy every table (or the comma-separated tables of @p tables, may be
 * NULL) of s from one database to the other: a progress bar on stderr when
 * it is a terminal, then one summary line on stdout. verbose: one line on
 * stderr per table copied, saying how its rows were written. Returns the
 * library's code; err has the failure.
 */
int cli_copy(ormc_db *from, ormc_db *to, const ormc_schema *s,
             const char *tables, int truncate, int verbose, ormc_error *err);

/**
 * Dump the models named in models[0..n) (all when n is 0) as dumpdata JSON
 * to out; label is the app label of "app.model".
 */
int cli_dump(FILE *out, ormc_db *db, const ormc_schema *s, const char *label,
             const char *const *models, int n, ormc_error *err);

#endif
