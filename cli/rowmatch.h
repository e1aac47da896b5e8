/*
 * rowmatch.h -- matching the rows of one query's results from two databases
 * (`ormc compare`), by the query's key.
 *
 * A row is kept as the JSON text of its cells (what `ormc run --format json`
 * prints) plus a canonical identity: decimals by value ("1.50" is "1.5", as
 * Python's Decimal compares), everything else by its JSON text. Two rows are
 * identical when their identities are; they are equal within tolerance when
 * they differ only in float cells that agree to the relative tolerance.
 *
 * How rows are paired depends on the query (ormc_query_rows()):
 *
 *   kind        pairing
 *   ----------  ------------------------------------------------------------
 *   ONE         the row with the row
 *   ORDERED     by position, realigning after rows present on one side only:
 *               the rows between two agreeing rows are a "hunk"; in a hunk,
 *               rows are paired by key when the query has one, else by
 *               position when both sides have as many, else reported as
 *               present on one side only. When every ordering column is
 *               selected, the unit is not a row but a run of rows that tie
 *               on the ordering (engines return ties in any order): runs
 *               with the same ordering value are compared as multisets
 *   KEYED       rows with the same key; identical rows cancel as they arrive
 *   UNORDERED   a multiset: identical rows cancel as they arrive, the rest
 *               pair when equal within tolerance
 *
 * Memory: a matcher holds only rows not yet matched (for ORDERED, at most
 * CMP_WINDOW rows or runs a side: past that the oldest are paired by
 * position), and for ORDERED the current run of ties.
 */
#ifndef ORMC_CLI_ROWMATCH_H
#define ORMC_CLI_ROWMATCH_H

#include <stddef.h>

#include <ormc/ormc.h>

/* Rows an ordered comparison holds a side while looking for where the results realign. */
#define CMP_WINDOW 1000

typedef struct cmp_row {
	long pos;                 /* 1-based position in its database's result */
	int ncols;
	char **cells;             /* JSON text of each cell */
	const char *id;           /* canonical cells, '\x1f'-separated: identity */
	const char *key;          /* canonical key cells (keyed), else the non-float cells */
	unsigned idhash, keyhash;
	unsigned nfhash, ohash;   /* of the non-float cells; of the non-float ordering cells */
	int nfloats;              /* float cells that are not null */
	struct cmp_row *hnext;    /* hash chain (identity) */
	struct cmp_row *knext;    /* hash chain (key) */
	struct cmp_row *prev, *next;   /* arrival order in a pending set */
} cmp_row;

/* What the query's rows are and how to compare them; shared by every matcher of a query. */
typedef struct cmp_shape {
	int ncols;
	const char *const *names; /* column names */
	const ormc_type *types;   /* column types */
	const int *iskey;         /* per column: part of the key */
	int nkeys;                /* key columns present (0: none) */
	const int *isorder;       /* per column: an ordering column */
	int norder;               /* ordering columns, when every one is selected (else 0) */
	ormc_rows_kind kind;
	int float_digits;         /* floats agreeing to this many significant digits are equal... */
	double rel_tol;           /* ...and so are those within this relative difference (0: none) */
} cmp_shape;

/* Where a matcher reports; k is the matcher's database (1-based, >= 2). */
typedef struct cmp_sink {
	void *ctx;
	/* row is present on side (0: db1, 1: db k) only */
	int (*only)(void *ctx, int k, int side, const cmp_row *row);
	/* a and b are the same row (key, position) with different values */
	int (*changed)(void *ctx, int k, const cmp_row *a, const cmp_row *b);
	/* a and b differ only in floats that agree within the tolerance */
	int (*tolerance)(void *ctx, int k, const cmp_row *a, const cmp_row *b);
	/* an ordered comparison gave up realigning (CMP_WINDOW): note it once */
	int (*window)(void *ctx, int k, long pos_a, long pos_b);
} cmp_sink;

/** A row of values as a cmp_row (malloc'd, one block). NULL when out of memory. */
cmp_row *cmp_row_make(const cmp_shape *sh, const ormc_value *vals, long pos);
/** A copy of r (to give each matcher its own). */
cmp_row *cmp_row_copy(const cmp_row *r);
void cmp_row_free(cmp_row *r);

/**
 * Compare cell i of two rows (JSON texts a and b): 1 identical (by value,
 * see above), 2 floats equal within the tolerance of sh, 0 different.
 * Floats a and b are equal within tolerance when both are finite and they
 * are the same rounded to float_digits significant digits (when not 0), or
 * |a - b| <= rel_tol * max(|a|, |b|).
 */
int cmp_cell_equal(const cmp_shape *sh, int i, const char *a, const char *b);

typedef struct cmp_match cmp_match;

/** A matcher of db1 against database k. NULL when out of memory. */
cmp_match *cmp_match_new(const cmp_shape *sh, const cmp_sink *sink, int k);
/**
 * The next row of side 0 (db1) or 1 (database k); the matcher takes r.
 * Returns 0, or -1 out of memory, or the non-zero return of a sink.
 */
int cmp_match_add(cmp_match *m, int side, cmp_row *r);
/** Both sides are at their end: report what is left. Returns as cmp_match_add(). */
int cmp_match_finish(cmp_match *m);
void cmp_match_free(cmp_match *m);

#endif
