/*
 * fixture.h -- loading fixtures: what fixture.c, fixture_keys.c and
 * fixture_check.c share (private to the library).
 */
#ifndef ORMC_FIXTURE_H
#define ORMC_FIXTURE_H

#include <jansson.h>

#include "arena.h"
#include "db.h"
#include "keyset.h"
#include "ormc/ddl.h"
#include "schema.h"
#include "sqlbuf.h"

/* One load (fixture.c): the connection, and what the objects so far did. */
typedef struct ormc_loader {
	ormc_db *db;
	const ormc_dialect *d;
	const ormc_schema *s;
	ormc_arena a;            /* per object: values and converted text */
	ormc_error *err;         /* the inner error, without the object prefix */
	const ormc_model **reseed;   /* models given explicit keys (PostgreSQL) */
	int nreseed;
	struct ormc_touched *touched;     /* models the fixture has objects of */
	int ntouched;
} ormc_loader;

/*
 * A model the fixture has objects of. Whether a record's key exists is a
 * query per record, unless the table was empty when the load first came to
 * it: then only keys this load inserted can exist, and they are kept here.
 */
typedef struct ormc_touched {
	const ormc_model *m;
	int was_empty;           /* no row before this load, none without a key since */
	ormc_keyset keys;        /* keys inserted (while was_empty) */
} ormc_touched;

/* fixture.c */

/** Out of memory, in l->err. */
int ormc_fixture__nomem(ormc_loader *l);
/** "field 'f': <json> is not <what>", in l->err. */
int ormc_fixture__bad_value(ormc_loader *l, const ormc_field *f, json_t *j,
                            const char *what);
/** The fixture's JSON value for field f as a bound parameter (arena text). */
int ormc_fixture__to_param(ormc_loader *l, const ormc_field *f, json_t *j,
                           ormc_value *v);
/** The first column of sql's first row into *out (arena copy; NULL if none). */
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
/** The state of model m in this load, made on the first object of m. */
int ormc_fixture__note_touched(ormc_loader *l, const ormc_model *m,
                               ormc_touched **out);
/** Does a row with key *pk exist? */
int ormc_fixture__key_exists(ormc_loader *l, ormc_touched *t,
                             const ormc_value *pk, int *exists);
/** After an insert (have_pk: with the key *pk): keep what key_exists needs. */
int ormc_fixture__key_inserted(ormc_loader *l, ormc_touched *t,
                               const ormc_value *pk, int have_pk);
/** Replace the given fields of the row with key *pk. */
int ormc_fixture__update_row(ormc_loader *l, const ormc_model *m,
                             const ormc_field **cols, const ormc_value *vals,
                             int ncols, const ormc_value *pk);
/** Drop the many-to-many links of field f of the row with key *pk. */
int ormc_fixture__unlink_all(ormc_loader *l, const ormc_model *m,
                             const ormc_field *f, const ormc_value *pk);

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
