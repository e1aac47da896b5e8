/*
 * ormc/copy.h -- moving a schema's data: between databases, and out as JSON.
 *
 *   ormc_copy(src, dst, schema, &opts, &err);     every table, all or nothing
 *   ormc_dump(db, schema, &dopts, &err);          Django dumpdata JSON
 *
 * Both read each table in primary-key order without holding it in memory
 * and convert every value to the Django type of its field, so they work
 * between any two engines (docs/cli.md, "ormc copy" and "ormc dump").
 */
#ifndef ORMC_COPY_H
#define ORMC_COPY_H

#include <stddef.h>

#include "ormc/ormc.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Where a copy is, for a progress display. */
typedef struct ormc_copy_progress {
	const char *table;       /**< the table being copied */
	int table_index;         /**< 0-based, in the order copied */
	int ntables;             /**< tables to copy */
	long long rows;          /**< rows of this table written so far */
	long long total;         /**< rows the source table had when the copy began */
	double seconds;          /**< since this table's copy began */
	int done;                /**< 1 once this table is complete (then rows is final) */
	/**
	 * How the rows are written: "COPY FROM STDIN", "LOAD DATA LOCAL INFILE",
	 * "multi-row INSERT", or "multi-row INSERT (why not the engine's bulk
	 * load)". Valid during the call.
	 */
	const char *method;
} ormc_copy_progress;

typedef struct ormc_copy_options {
	unsigned version;                /**< ORMC_COPY_OPTIONS_VERSION */
	const char *const *tables;       /**< tables or models to copy (names, case-insensitive); NULL: all */
	int ntables;
	int truncate;                    /**< 1: empty the target tables first; 0: refuse a non-empty one */
	int batch_rows;                  /**< rows per INSERT batch; 0: the default (1000) */
	/** Called after each batch and at each table's end; may be NULL. */
	void (*progress)(const ormc_copy_progress *p, void *ctx);
	void *progress_ctx;
} ormc_copy_options;

#define ORMC_COPY_OPTIONS_VERSION 1
#define ORMC_COPY_OPTIONS_INIT { ORMC_COPY_OPTIONS_VERSION, NULL, 0, 0, 0, NULL, NULL }

/**
 * Copy the rows of every table of @p schema (models and many-to-many
 * tables, or those opts->tables names) from @p from to @p to, in
 * foreign-key order, in one transaction on the target: on any error nothing
 * is written. The target's tables must exist (ormc_migrate()) and be empty
 * unless opts->truncate. The source is read in one snapshot where the engine
 * has them (REPEATABLE READ on PostgreSQL, a consistent snapshot on MySQL, a
 * read transaction on SQLite). Rows go in batches (PostgreSQL COPY FROM
 * STDIN, MySQL LOAD DATA LOCAL INFILE from memory where the server allows
 * it, any warning failing the copy; multi-row INSERT elsewhere); then
 * foreign keys are checked (PostgreSQL's deferred constraints at COMMIT;
 * on MySQL, whose own checks are off for the copy, and SQLite, one
 * anti-join per foreign key column),
 * PostgreSQL's key sequences are moved past the largest key (MySQL's
 * AUTO_INCREMENT and SQLite's rowid follow inserted keys by themselves), and
 * every table's row count on the target is checked against the rows read.
 * A SQLite target gets a 64 MB page cache for the copy. opts may be NULL.
 *
 * @return ORMC_OK; ORMC_EINVALID for a target table that is not empty (or
 * bad arguments), ORMC_ENOFIELD for an unknown name in opts->tables,
 * ORMC_EDRIVER for anything the databases refuse (err names the table).
 */
int ormc_copy(ormc_db *from, ormc_db *to, const ormc_schema *schema,
              const ormc_copy_options *opts, ormc_error *err);

typedef struct ormc_dump_options {
	unsigned version;                /**< ORMC_DUMP_OPTIONS_VERSION */
	const char *app_label;           /**< "app" of "app.model"; NULL: the schema's --app-label */
	const char *const *models;       /**< models to dump (names, case-insensitive); NULL: all */
	int nmodels;
	/** Receives the JSON in pieces; returns 0, or < 0 to stop (ORMC_EIO). */
	int (*write)(const char *data, size_t len, void *ctx);
	void *write_ctx;
} ormc_dump_options;

#define ORMC_DUMP_OPTIONS_VERSION 1
#define ORMC_DUMP_OPTIONS_INIT { ORMC_DUMP_OPTIONS_VERSION, NULL, NULL, 0, NULL, NULL }

/**
 * Write the rows of @p schema's models on @p db as Django's dumpdata does:
 * a JSON list of {"model": "app.model", "pk": ..., "fields": {...}}, models
 * in declaration order, objects in primary-key order, foreign keys as the
 * target's key, many-to-many fields as lists of keys, values as Django's
 * DjangoJSONEncoder writes them. Streamed: at most a page of rows is held.
 */
int ormc_dump(ormc_db *db, const ormc_schema *schema,
              const ormc_dump_options *opts, ormc_error *err);

#ifdef __cplusplus
}
#endif
#endif
