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

/**
 * The same, with *tables_out a malloc'd array (free() it) of the table each
 * statement creates or alters (borrowed from the schema): CREATE TABLE and
 * CREATE INDEX of a table, and an ALTER TABLE ADD FOREIGN KEY that closes a
 * cycle, belong to the table they name.
 */
int ormc_ddl_build_tagged(const ormc_schema *s, const ormc_dialect *d,
                          char ***out, const char ***tables_out, int *n,
                          ormc_error *err);

/** The column type the DDL gives field f (a relation: its target's key type). */
const char *ormc_ddl_column_type(const ormc_dialect *d, const ormc_field *f,
                                 char *buf, size_t n);

/** The type of the source column of M2M field f's join table. */
const char *ormc_ddl_m2m_source_type(const ormc_dialect *d,
                                     const ormc_field *f, char *buf, size_t n);

#endif
