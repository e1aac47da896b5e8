/*
 * scan.h -- a schema's tables as copy and dump read and write them.
 *
 * Every model's table and every auto-created many-to-many table, in
 * foreign-key order (a table after the tables it references; M2M tables
 * last), each with its columns and the Django type of their values. Rows are
 * read in primary-key order and each cell is converted to the value Django
 * would hold (ormc_convert), except floats, which are kept exactly as the
 * engine has them; ormc_scan_param() turns such a value into what a target
 * engine stores (naive UTC datetimes, UUIDs as 32 hex digits outside
 * PostgreSQL), as the fixture loader does.
 */
#ifndef ORMC_SCAN_H
#define ORMC_SCAN_H

#include <stddef.h>

#include "ormc/ormc.h"
#include "schema.h"
#include "sqlbuf.h"
#include "types.h"

typedef struct ormc_scol {
	const char *name;          /* column name */
	const ormc_field *field;   /* the declared field; NULL for an M2M table's columns */
	ormc_otype type;           /* its values' type (a foreign key's: its target pk's) */
	size_t room;               /* bytes a converted value may need */
	const ormc_model *refers;  /* a foreign key's target model, else NULL */
} ormc_scol;

typedef struct ormc_stable {
	const char *name;          /* table name */
	const ormc_model *model;   /* the model, or NULL for an M2M table */
	const ormc_field *m2m;     /* the M2M field whose table this is, or NULL */
	ormc_scol *cols;
	int ncols;
	int pk;                    /* index of the primary key column */
	int auto_pk;               /* the key comes from a sequence / AUTO_INCREMENT */
} ormc_stable;

/**
 * The tables of s in foreign-key order; free with ormc_scan_free(). The
 * tables of models with Meta.managed = False (and a many-to-many table
 * between two such models) are left out, as Django's migrate leaves them
 * out: they are often views, which cannot be written.
 */
int ormc_scan_tables(const ormc_schema *s, ormc_stable **out, int *n,
                     ormc_error *err);
/** The same, with the unmanaged models' tables when unmanaged is 1 (dumpdata reads them). */
int ormc_scan_tables_with(const ormc_schema *s, int unmanaged,
                          ormc_stable **out, int *n, ormc_error *err);
void ormc_scan_free(ormc_stable *t, int n);

/**
 * "SELECT cols FROM t [WHERE pk > ?] ORDER BY pk [LIMIT n]" in db's dialect
 * (after: with the WHERE; limit 0: no LIMIT). malloc'd; NULL when out of memory.
 */
char *ormc_scan_select(const ormc_db *db, const ormc_stable *t, int after,
                       long limit);

/** "SELECT COUNT(*) FROM t", malloc'd. */
char *ormc_scan_count_sql(const ormc_db *db, const char *table);

/** Append name as db's dialect quotes an identifier. */
void ormc_scan_ident(const ormc_db *db, ormc_sqlbuf *b, const char *name);

/**
 * A driver's cell as Django's value of column c; text goes into buf (n
 * bytes, c->room suffices) or is borrowed from raw.
 */
int ormc_scan_value(const ormc_scol *c, const ormc_value *raw, ormc_value *out,
                    char *buf, size_t n, ormc_error *err);

/*
 * Does SQLite keep decimal text s exactly? Its decimal columns have NUMERIC
 * affinity: an integer that fits 64 bits is stored as one, anything else as
 * a double, which keeps 15 significant digits (trailing zeros of the
 * fraction do not count: the field's places are put back when read).
 */
int ormc_sqlite_keeps_decimal(const char *s, size_t len);

/** Django's value v of column c as bound for target (buf: c->room bytes). */
int ormc_scan_param(const ormc_db *target, const ormc_scol *c,
                    const ormc_value *v, ormc_value *out, char *buf, size_t n,
                    ormc_error *err);

#endif
