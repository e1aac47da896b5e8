/*
 * ddl.h -- CREATE TABLE statements for a schema in a dialect (ormc migrate).
 */
#ifndef ORMC_DDL_H
#define ORMC_DDL_H

#include "ormc/ormc.h"
#include "schema.h"
#include "../dialects/dialect.h"

/**
 * Build the DDL that creates every model's table and every M2M table, parents
 * before the tables that reference them. *out is a malloc'd array of *n
 * malloc'd statements (no trailing ';'); free with ormc_ddl_free().
 */
int ormc_ddl_build(const ormc_schema *s, const ormc_dialect *d, char ***out,
                   int *n, ormc_error *err);
void ormc_ddl_free(char **stmts, int n);

/** Create the tables on db, in one transaction where the engine allows. */
int ormc_migrate(ormc_db *db, const ormc_schema *s, ormc_error *err);

/**
 * Load a Django fixture (dumpdata JSON: [{"model": "app.book", "pk": 1,
 * "fields": {...}}], M2M as lists of keys) into db, all or nothing.
 */
int ormc_fixture_load(ormc_db *db, const ormc_schema *s, const char *json,
                      size_t len, ormc_error *err);

#endif
