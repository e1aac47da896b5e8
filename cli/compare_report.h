/*
 * compare_report.h -- what `ormc compare` found for one query, written as
 * text or as JSON (docs/cli.md, "ormc compare").
 *
 * The row matchers (rowmatch.h) report into a cmp_report through its sink;
 * the report keeps the first CMP_SHOWN differences and the first CMP_SHOWN
 * values equal within tolerance, already written in the output format, and
 * counts all of them. compare.c prints the report when the query is done.
 */
#ifndef ORMC_CLI_COMPARE_REPORT_H
#define ORMC_CLI_COMPARE_REPORT_H

#include <stdio.h>

#include "rowmatch.h"

/* Differences (and values equal within tolerance) written per query before "... and N more". */
#define CMP_SHOWN 10

typedef struct cmp_report {
	int json;                 /* write JSON items, else text lines */
	const cmp_shape *sh;
	FILE *diffs;              /* rendered differences (memstream) */
	char *diffs_text;
	size_t diffs_len;
	FILE *tols;               /* rendered values equal within tolerance */
	char *tols_text;
	size_t tols_len;
	FILE *notes;              /* warnings and notes */
	char *notes_text;
	size_t notes_len;
	long ndiffs, ntols, nnotes;
	int oom;
	cmp_sink sink;            /* for the matchers: ctx is the report */
} cmp_report;

/** Start an empty report for a query of shape sh. Returns 0, or -1 out of memory. */
int cmp_report_init(cmp_report *rep, const cmp_shape *sh, int json);

/** A database failed (at row `row`, or 0 when running the query). */
void cmp_report_error(cmp_report *rep, int db, long row, const char *message,
                      const char *sqlstate);
/** Database db has n rows where db1 has n1 (after the comparison). */
void cmp_report_rowcount(cmp_report *rep, int db, long n1, long n);
/**
 * A warning, not a difference: on database db, table.column has the
 * case-insensitive collation (or, with error set, its collation could not
 * be read) and the query groups, orders or compares by it.
 */
void cmp_report_collation(cmp_report *rep, int db, const char *table, const char *column,
                          const char *collation, const char *error);
/** A note about the comparison: kind ("ties", ...) and a message. */
void cmp_report_note(cmp_report *rep, const char *kind, const char *message);

/**
 * Close the buffers; afterwards diffs_text, tols_text and notes_text hold
 * the items (NUL-terminated). Returns 0, or -1 when out of memory (then
 * or earlier).
 */
int cmp_report_close(cmp_report *rep);
void cmp_report_free(cmp_report *rep);

/** Write a row as a JSON object of its columns ({"name": "A", "n": 2}); key only: its key columns. */
void cmp_write_row(FILE *out, const cmp_shape *sh, const cmp_row *r, int key_only);

#endif
