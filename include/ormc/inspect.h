/*
 * ormc/inspect.h -- a models.py from a live database (ormc inspect).
 *
 *   ormc_inspect_options o = ORMC_INSPECT_OPTIONS_INIT;
 *   char *py;
 *
 *   o.app_label = "shop";
 *   if (ormc_inspect(&py, db, &o, &err) == ORMC_OK) {
 *           fputs(py, stdout);
 *           ormc_inspect_free(py);
 *   }
 *
 * Like Django's inspectdb: tables, columns and their types, primary keys,
 * foreign keys and unique constraints become models and fields; a
 * many-to-many table (an id, two foreign keys, UNIQUE on the pair) becomes a
 * ManyToManyField of its first model. Reverse relation names are not in a
 * database and cannot be recovered (docs/cli.md, "ormc inspect").
 */
#ifndef ORMC_INSPECT_API_H
#define ORMC_INSPECT_API_H

#include "ormc/ormc.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ormc_inspect_options {
	unsigned version;            /**< ORMC_INSPECT_OPTIONS_VERSION */
	const char *app_label;       /**< tables "label_x" become class X with no db_table; NULL for none */
	const char *const *tables;   /**< only these tables (and those they reference); NULL: all */
	int ntables;                 /**< entries in tables */
} ormc_inspect_options;

#define ORMC_INSPECT_OPTIONS_VERSION 1
#define ORMC_INSPECT_OPTIONS_INIT { ORMC_INSPECT_OPTIONS_VERSION, NULL, NULL, 0 }

/**
 * Read the tables of @p db (SQLite: the main database; PostgreSQL: the
 * tables visible on the search path; MySQL/MariaDB: the current database)
 * and write a models.py for them.
 *
 * @param out   a malloc'd NUL-terminated models.py text, freed with
 *              ormc_inspect_free(); NULL on error.
 * @param opts  NULL for the defaults.
 * @return ORMC_OK; ORMC_EINVALID for a table in opts->tables that the
 *         database does not have; ORMC_EDRIVER when a catalog query fails;
 *         ORMC_ENOMEM.
 *
 * A connection is used by one thread at a time: do not use @p db elsewhere
 * during the call.
 */
int ormc_inspect(char **out, ormc_db *db, const ormc_inspect_options *opts,
                 ormc_error *err);

/** Free what ormc_inspect() returned. Accepts NULL. */
void ormc_inspect_free(char *text);

#ifdef __cplusplus
}
#endif
#endif
