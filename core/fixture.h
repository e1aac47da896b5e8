/*
 * fixture.h -- loading fixtures: what fixture.c and fixture_check.c share.
 */
#ifndef ORMC_FIXTURE_H
#define ORMC_FIXTURE_H

#include "ormc/ddl.h"
#include "schema.h"

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
