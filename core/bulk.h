/*
 * bulk.h -- batched writes of many rows into one table (ormc copy).
 *
 *   ormc_bulk *w;
 *   ormc_bulk_open(&w, db, "shop_order", cols, 4, 0, &err);
 *   while (...) ormc_bulk_append(w, row, &err);    (row: 4 values)
 *   ormc_bulk_finish(w, &err);
 *   ormc_bulk_free(w);
 *
 * A row is a list of values bound as parameters are (ormc/value.h): the
 * caller converts them to what the target stores (core/scan.h). Rows go in
 * batches: PostgreSQL's COPY ... FROM STDIN in text format, or MySQL's LOAD
 * DATA LOCAL INFILE from memory (one statement per 4 MB), when the driver
 * has copy_begin (version 3) and the server allows it; else multi-row
 * INSERT ... VALUES (...),(...) with bound values, as many rows as the
 * engine's placeholder limit allows (SQLite 32766, 999 before 3.32; MySQL
 * and PostgreSQL 65535) and at most the batch size. The table is written
 * within the caller's transaction; the writer neither begins nor commits,
 * and after a failure the caller rolls back (rows of LOAD DATA statements
 * already run stay in the transaction until then).
 */
#ifndef ORMC_BULK_H
#define ORMC_BULK_H

#include <stdint.h>

#include "ormc/ormc.h"

typedef struct ormc_bulk ormc_bulk;

/* Rows per INSERT batch when the caller gives 0. */
#define ORMC_BULK_ROWS 1000

/* An INSERT batch is sent once its text values reach this many bytes. */
#define ORMC_BULK_INSERT_BYTES ((size_t)4 << 20)

/**
 * A writer of rows of ncols values into table's columns cols (names, not
 * quoted; borrowed until ormc_bulk_free). batch_rows 0 is ORMC_BULK_ROWS.
 */
int ormc_bulk_open(ormc_bulk **out, ormc_db *db, const char *table,
                   const char *const *cols, int ncols, int batch_rows,
                   ormc_error *err);

/**
 * Column col holds a BinaryField's bytes (bound as text): its placeholder
 * is the dialect's blob_placeholder (SQLite's CAST(? AS BLOB)). Before the
 * first row.
 */
int ormc_bulk_set_binary(ormc_bulk *w, int col, ormc_error *err);

/** Add one row (ncols values, copied); sends a batch when one is full. */
int ormc_bulk_append(ormc_bulk *w, const ormc_value *row, ormc_error *err);

/** Send what is left and end the COPY; errors in the data surface here. */
int ormc_bulk_finish(ormc_bulk *w, ormc_error *err);

/**
 * How the rows go, for --verbose: "COPY FROM STDIN", "LOAD DATA LOCAL
 * INFILE", "multi-row INSERT", or "multi-row INSERT (why not the driver's
 * bulk load)". Valid until ormc_bulk_free.
 */
const char *ormc_bulk_method(const ormc_bulk *w);

/** Rows an INSERT batch holds (0 for COPY and LOAD DATA). */
int ormc_bulk_batch_rows(const ormc_bulk *w);

/** Rows the server has been sent so far. */
int64_t ormc_bulk_sent(const ormc_bulk *w);

/** Free the writer; an unfinished COPY is cancelled. Accepts NULL. */
void ormc_bulk_free(ormc_bulk *w);

#endif
