/*
 * ormc/ddl.h -- a schema's tables: their DDL, creating them, filling them.
 *
 *   ormc_connect(&db, "sqlite:books.db", &err);
 *   ormc_migrate(db, schema, &err);
 *   ormc_fixture_load(db, schema, json, len, &err);
 *
 * Tables are made as Django's migrations would make them, closely enough
 * that queries behave the same (docs/architecture.md, core/ddl.c).
 */
#ifndef ORMC_DDL_API_H
#define ORMC_DDL_API_H

#include <stddef.h>
#include <stdio.h>

#include "ormc/ormc.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * The statements that create every model's table and every many-to-many
 * table of @p schema in @p dialect ("postgresql", "sqlite", "mysql", or an
 * alias ormc_dialect_name() knows), each table after the tables it
 * references; no database is needed.
 *
 * @param out     a malloc'd array of *n_out malloc'd statements without a
 *                trailing ';', owned by the caller, who frees it with
 *                ormc_ddl_free(); NULL on error.
 * @param n_out   the number of statements; 0 on error.
 * @return ORMC_OK, ORMC_EINVALID for an unknown dialect, or ORMC_ENOMEM.
 *
 * Reads the schema only: any number of threads may call it on one schema.
 */
int ormc_schema_ddl(char ***out, int *n_out, const ormc_schema *schema,
                    const char *dialect, ormc_error *err);

/** Free what ormc_schema_ddl() returned. Accepts NULL. */
void ormc_ddl_free(char **stmts, int n);

/**
 * Create the tables of @p schema that @p db lacks (the statements of
 * ormc_schema_ddl() for db's dialect), in one transaction where the engine
 * allows: MySQL commits each CREATE TABLE by itself. Tables that exist are
 * checked against the models (each model column present, of a compatible
 * type, NULL or NOT NULL as the field says); any difference is an error
 * (ORMC_EDRIVER, the first difference in the message) and nothing is
 * created. So a second call does nothing. On error the transaction is
 * rolled back and @p err has the first failure.
 *
 * A connection is used by one thread at a time: do not use @p db elsewhere
 * during the call.
 */
int ormc_migrate(ormc_db *db, const ormc_schema *schema, ormc_error *err);

/** What ormc_migrate_with() tells its note callback. */
typedef enum ormc_migrate_note {
	ORMC_MIGRATE_CREATED,   /**< text: a table that is (or would be) created */
	ORMC_MIGRATE_STATEMENT, /**< text: a statement run (dry run: to be run) */
	ORMC_MIGRATE_MISMATCH   /**< text: one difference between a table and the
	                             models ("table \"x\", column \"y\": expected
	                             a datetime column, found \"text\"") */
} ormc_migrate_note;

/** Options of ormc_migrate_with(); start from ORMC_MIGRATE_OPTIONS_INIT. */
typedef struct ormc_migrate_options {
	unsigned int version;   /**< ORMC_MIGRATE_OPTIONS_VERSION */
	int dry_run;            /**< check and report, change nothing */
	/** Called as the work goes; @p text is valid during the call only. */
	void (*note)(void *ctx, ormc_migrate_note kind, const char *text);
	void *ctx;              /**< passed to note */
} ormc_migrate_options;

#define ORMC_MIGRATE_OPTIONS_VERSION 1
#define ORMC_MIGRATE_OPTIONS_INIT { ORMC_MIGRATE_OPTIONS_VERSION, 0, NULL, NULL }

/**
 * ormc_migrate() with options (NULL: the defaults): a dry run passes the
 * statements that would run to the note callback instead of running them.
 *
 * @param ncreated_out  if not NULL, the number of tables created (dry run:
 *                      that would be created); 0 on error.
 */
int ormc_migrate_with(ormc_db *db, const ormc_schema *schema,
                      const ormc_migrate_options *opts, int *ncreated_out,
                      ormc_error *err);

/**
 * Load a Django fixture (dumpdata JSON: [{"model": "app.book", "pk": 1,
 * "fields": {...}}], many-to-many fields as lists of keys) into @p db, all or
 * nothing: in one transaction, rolled back on the first error, which names
 * the object ("fixture object 3 (bookstore.book): ..."). @p json need not be
 * NUL-terminated and is not kept.
 *
 * A connection is used by one thread at a time: do not use @p db elsewhere
 * during the call.
 */
int ormc_fixture_load(ormc_db *db, const ormc_schema *schema, const char *json,
                      size_t len, ormc_error *err);

/** Options of ormc_fixture_load_with(); start from ORMC_LOAD_OPTIONS_INIT. */
typedef struct ormc_load_options {
	unsigned int version;   /**< ORMC_LOAD_OPTIONS_VERSION */
	/** Called after each object with the objects done and in the fixture. */
	void (*progress)(void *ctx, size_t done, size_t total);
	void *ctx;              /**< passed to progress */
} ormc_load_options;

#define ORMC_LOAD_OPTIONS_VERSION 1
#define ORMC_LOAD_OPTIONS_INIT { ORMC_LOAD_OPTIONS_VERSION, NULL, NULL }

/**
 * ormc_fixture_load() with options (NULL: none). Before the commit every
 * foreign key of the models the fixture has objects of, and their
 * many-to-many tables, is checked on every engine; a row that refers to no
 * row fails the load (ORMC_EDRIVER, SQLSTATE 23503: "Order pk=17: field
 * 'product' refers to Product pk=999, which does not exist"). A record
 * whose primary key exists updates that row; natural keys are resolved
 * (docs/cli.md, "ormc load"). Objects are loaded in batches: new rows go
 * to the tables through COPY on PostgreSQL, multi-row INSERT elsewhere.
 *
 * @param nobjects_out  if not NULL, the number of objects loaded; 0 on error.
 */
int ormc_fixture_load_with(ormc_db *db, const ormc_schema *schema,
                           const char *json, size_t len,
                           const ormc_load_options *opts, size_t *nobjects_out,
                           ormc_error *err);

/**
 * ormc_fixture_load_with() reading the fixture from @p fp, from where it
 * is, to its end (the caller opens and closes it). The objects are read a
 * batch at a time, so memory follows the batch, not the file. A file that
 * can seek is read twice, the first time to count the objects for
 * opts->progress; from a pipe its total is 0 (unknown).
 */
int ormc_fixture_load_file(ormc_db *db, const ormc_schema *schema, FILE *fp,
                           const ormc_load_options *opts, size_t *nobjects_out,
                           ormc_error *err);

#ifdef __cplusplus
}
#endif
#endif
