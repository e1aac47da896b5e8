/*
 * fixture.h -- loading fixtures: what fixture.c, fixture_keys.c and
 * fixture_check.c share (private to the library).
 */
#ifndef ORMC_FIXTURE_H
#define ORMC_FIXTURE_H

#include <jansson.h>
#include <stdio.h>

#include "arena.h"
#include "db.h"
#include "keyset.h"
#include "ormc/ddl.h"
#include "schema.h"
#include "sqlbuf.h"

/* Objects read, keys looked up and rows written at a time (fixture.c). */
#define ORMC_FIXTURE_BATCH 2000

/*
 * One load (fixture.c): the connection, what the objects so far did, and
 * the rows of the current batch that wait for the bulk writer
 * (fixture_batch.c).
 */
typedef struct ormc_loader {
	ormc_db *db;
	const ormc_dialect *d;
	const ormc_schema *s;
	ormc_arena a;            /* per batch: values and converted text */
	ormc_error *err;         /* the inner error, without the object prefix */
	const ormc_model **reseed;   /* models given explicit keys (PostgreSQL) */
	int nreseed;
	struct ormc_touched *touched;     /* models the fixture has objects of */
	int ntouched;
	struct ormc_pending *pending;     /* rows not written yet, by table */
	int npending;
	size_t object;           /* the object being loaded, from 1 */
	const char *label;       /* its model label (the batch's JSON) */
	struct ormc_natural **natural;    /* natural keys found this batch (arena) */
	size_t err_object;       /* an error of an earlier object's row: its number */
	const char *err_label;   /* ... and label */
} ormc_loader;

/*
 * A model the fixture has objects of, and what the current batch knows of
 * its keys. At the start of a batch the keys its records give are looked
 * up in one query (ormc_fixture__lookup_keys); a record's key then exists
 * if the table had it or the batch inserted it. Once the engine has chosen
 * a key in this batch (a record without one), or the table answered with a
 * key in another spelling (a collation), the table is asked per record.
 */
typedef struct ormc_touched {
	const ormc_model *m;
	int looked_up;           /* the batch's keys were looked up */
	int unsure;              /* ask the table per record for the rest of the batch */
	ormc_keyset present;     /* keys of the batch found in the table at its start */
	ormc_keyset inserted;    /* keys the batch inserted */
	unsigned updates;        /* rows updated: natural keys found before may be stale */
} ormc_touched;

/* fixture.c */

/** The model of a label ("shop.order": Order, without regard to case), or NULL. */
const ormc_model *ormc_fixture__model(const ormc_schema *s, const char *label);

/** Out of memory, in l->err. */
int ormc_fixture__nomem(ormc_loader *l);
/** "field 'f': <json> is not <what>", in l->err. */
int ormc_fixture__bad_value(ormc_loader *l, const ormc_field *f, json_t *j,
                            const char *what);
/** The fixture's JSON value for field f as a bound parameter (arena text). */
int ormc_fixture__to_param(ormc_loader *l, const ormc_field *f, json_t *j,
                           ormc_value *v);
/**
 * The first column of sql's first row into *out (arena copy; NULL if none).
 * The caller has written the rows the query must see
 * (ormc_fixture__flush_for).
 */
int ormc_fixture__query_value(ormc_loader *l, const char *sql,
                              const ormc_value *params, int n,
                              ormc_value *out);

/* fixture_keys.c: which row a record is */

/** A foreign key given as a natural key (["alice"]): the target's key. */
int ormc_fixture__natural_fk(ormc_loader *l, const ormc_field *f, json_t *j,
                             ormc_value *v);
/** A record without "pk": the key of the row with its natural key, or NULL. */
int ormc_fixture__natural_primary(ormc_loader *l, const ormc_model *m,
                                  const ormc_field **cols,
                                  const ormc_value *vals, int ncols,
                                  ormc_value *pk);
/**
 * Look up which of the keys the batch's objects give in "pk" the tables
 * have (ormc_touched): per model one query for a range of integer keys
 * close together, else one per 500 keys.
 */
int ormc_fixture__lookup_keys(ormc_loader *l, json_t *const *objs, size_t n);
/** The index in l->touched of model m, added on the first object of m. */
int ormc_fixture__note_touched(ormc_loader *l, const ormc_model *m,
                               int *index_out);
/**
 * Does a row of l->touched[t] with key *pk exist? looked_up: the key is
 * the record's "pk", which ormc_fixture__lookup_keys has looked up.
 */
int ormc_fixture__key_exists(ormc_loader *l, int t, const ormc_value *pk,
                             int looked_up, int *exists);
/** After an insert (have_pk: with the key *pk): keep what key_exists needs. */
int ormc_fixture__key_inserted(ormc_loader *l, int t, const ormc_value *pk,
                               int have_pk);
/** Replace the given fields of the row with key *pk. */
int ormc_fixture__update_row(ormc_loader *l, const ormc_model *m,
                             const ormc_field **cols, const ormc_value *vals,
                             int ncols, const ormc_value *pk);
/** Drop the many-to-many links of field f of the row with key *pk. */
int ormc_fixture__unlink_all(ormc_loader *l, const ormc_model *m,
                             const ormc_field *f, const ormc_value *pk);

/* fixture_read.c: the list, one object at a time */

/* Where the fixture's text comes from, and how far it is read. */
typedef struct ormc_fixture_reader {
	FILE *fp;                /* the file, or NULL: the text is p[0..len) */
	char *buf;               /* FILE: the window (p == buf), cap bytes */
	size_t cap;
	const char *p;           /* the text, or the window onto it */
	size_t len;              /* bytes in p */
	size_t at;               /* the next byte to read in p */
	size_t offset;           /* FILE: the text's offset of p[0] */
	int line, column;        /* ... and its line and column, from 1 */
	int eof;                 /* nothing more to read into the window */
	int state;               /* 0: before '[', 1: in the list, 2: after ']' */
} ormc_fixture_reader;

/** Read the text p[0..len) (borrowed). */
void ormc_fixture__reader_buffer(ormc_fixture_reader *r, const char *p,
                                 size_t len);
/** Read the file fp (borrowed), from where it is. */
void ormc_fixture__reader_file(ormc_fixture_reader *r, FILE *fp);
/** The number of values in the list, for the progress; 0 for a pipe. */
int ormc_fixture__count(ormc_fixture_reader *r, size_t *total, ormc_error *err);
/** The next value of the list into *out (a new reference): 1, 0 at the end. */
int ormc_fixture__next(ormc_fixture_reader *r, json_t **out, ormc_error *err);
/** Free the window. */
void ormc_fixture__reader_free(ormc_fixture_reader *r);

/* fixture_batch.c: rows written in batches */

/** A new row of m (cols, vals: ncols > 0), written at the next flush. */
int ormc_fixture__queue_row(ormc_loader *l, const ormc_model *m,
                            const ormc_field **cols, const ormc_value *vals,
                            int ncols);
/** A new row (src, dst) of many-to-many field f's join table, likewise. */
int ormc_fixture__queue_link(ormc_loader *l, const ormc_field *f,
                             const ormc_value *src, const ormc_value *dst);
/**
 * Write the waiting rows with the bulk writer (core/bulk.h), within a
 * savepoint. When the engine refuses a batch, it is rolled back to the
 * savepoint and written again row by row, so that the error names the
 * object whose row it refused (l->err_object).
 */
int ormc_fixture__flush(ormc_loader *l);
/**
 * Before a statement that reads or changes table: when rows of it wait,
 * write all that waits (in the file's order), else nothing.
 */
int ormc_fixture__flush_for(ormc_loader *l, const char *table);
/** The end of a batch: forget what it knew of keys. */
void ormc_fixture__batch_end(ormc_loader *l);
/** Free what the loader holds besides the arena. */
void ormc_fixture__loader_free(ormc_loader *l);

/* fixture_check.c */

/**
 * Check every foreign key of @p models (and both columns of their
 * many-to-many tables) on @p db, inside the load's transaction: the first
 * row that refers to no row is an ORMC_EDRIVER error with SQLSTATE 23503,
 * "Order pk=17: field 'product' refers to Product pk=999, which does not
 * exist", the same on every engine (fixture_check.c).
 */
int ormc_fixture_check_fks(ormc_db *db, const ormc_model *const *models,
                           int n, ormc_error *err);

#endif
