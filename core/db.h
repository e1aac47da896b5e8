/*
 * db.h -- a connection as the core sees it: driver connection + dialect.
 */
#ifndef ORMC_DB_H
#define ORMC_DB_H

#include <stdint.h>

#include "ormc/ormc.h"
#include "ormc/sys/driver.h"
#include "../dialects/dialect.h"

struct ormc_prepent;

struct ormc_db {
	ormc_conn *conn;
	const ormc_dialect *dialect;
	int server_version;       /* major*10000+minor*100+patch, 0 if unknown */
	/* Statements prepared on this connection (result_int.h), least recently used evicted. */
	struct ormc_prepent **prep;
	int nprep;
	uint64_t clock;
};

/* Prepared statements a connection keeps at most; the least recently used idle one goes. */
#define ORMC_PREP_CACHE 64

/** Built-in drivers (each file in drivers/ defines one, when built). */
extern const ormc_driver ormc_driver_sqlite;
extern const ormc_driver ormc_driver_postgresql;
extern const ormc_driver ormc_driver_mysql;
extern const ormc_driver ormc_driver_odbc;

/**
 * A double as the shortest text that reads back the same, NaN and the
 * infinities as PostgreSQL spells them ("NaN", "Infinity"): how a float is
 * sent as text (libpq's parameters, COPY, a bulk INSERT's values).
 */
void ormc_db_float_text(double f, char *buf, size_t n);

/** Run sql and return a cursor (or NULL for statements without rows). */
int ormc_db_query(ormc_db *db, const char *sql, const ormc_value *params,
                  int nparams, ormc_cursor **out, ormc_error *err);

#endif
