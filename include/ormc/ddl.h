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
 * Create the tables of @p schema on @p db (the statements of
 * ormc_schema_ddl() for db's dialect), in one transaction where the engine
 * allows: MySQL commits each CREATE TABLE by itself. On error the transaction
 * is rolled back and @p err has the first failure.
 *
 * A connection is used by one thread at a time: do not use @p db elsewhere
 * during the call.
 */
int ormc_migrate(ormc_db *db, const ormc_schema *schema, ormc_error *err);

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

#ifdef __cplusplus
}
#endif
#endif
