/*
 * ddl.h -- CREATE TABLE statements for a schema in a dialect (ormc migrate).
 *
 * The public side (ormc_schema_ddl, ormc_migrate, ormc_fixture_load) is
 * ormc/ddl.h, which takes a dialect by name; this is the same build for a
 * dialect struct, which is internal.
 */
#ifndef ORMC_DDL_H
#define ORMC_DDL_H

#include "ormc/ddl.h"
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

#endif
