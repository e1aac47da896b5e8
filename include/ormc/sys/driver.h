/*
 * ormc/sys/driver.h -- the driver interface, for implementors.
 *
 * A driver is a const struct of function pointers (like sqlite3_io_methods).
 * A connection is a struct whose first member is ormc_conn, and a cursor one
 * whose first member is ormc_cursor, so the core can hold them generically.
 *
 * Rows are streamed: next() returns one row at a time and the cells it yields
 * stay valid until the next call to next() or close(). Drivers return what the
 * engine gave (INT, FLOAT, TEXT, NULL, and DECIMAL/DATE... where the client
 * library knows them); the core converts each cell to the Django type of its
 * column, so a driver knows nothing about Django.
 */
#ifndef ORMC_SYS_DRIVER_H
#define ORMC_SYS_DRIVER_H

#include "ormc/error.h"
#include "ormc/value.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ormc_driver ormc_driver;

typedef struct ormc_conn {
	const ormc_driver *driver;
} ormc_conn;

typedef struct ormc_cursor {
	ormc_conn *conn;
	int ncols;
} ormc_cursor;

/* A statement prepared on the server: a struct whose first member is this. */
typedef struct ormc_prepared {
	ormc_conn *conn;
} ormc_prepared;

/*
 * 1: execute only; 2: prepare, execute_prepared and finalize (optional);
 * 3: copy_begin, copy_send and copy_end (optional).
 */
#define ORMC_DRIVER_VERSION 3

struct ormc_driver {
	unsigned version;          /* ORMC_DRIVER_VERSION */
	const char *name;          /* "sqlite", shown by ormc --version */
	const char *schemes;       /* URL schemes it opens, comma separated: "sqlite" */
	const char *library;       /* client library and version, for --version; may be NULL */

	/** Open url; on success *out is a connection whose first member is ormc_conn. */
	int (*connect)(ormc_conn **out, const char *url, ormc_error *err);

	/**
	 * Which SQL dialect the connection speaks ("sqlite", "postgresql", "mysql")
	 * and the server version as major*10000 + minor*100 + patch (0 if unknown).
	 */
	const char *(*dialect)(ormc_conn *conn, int *server_version);

	/**
	 * Run sql with the bound parameters. For a statement that returns rows,
	 * *out is a cursor; for anything else *out may be NULL.
	 */
	int (*execute)(ormc_conn *conn, const char *sql, const ormc_value *params,
	               int nparams, ormc_cursor **out, ormc_error *err);

	/** Column name, valid while the cursor is open. */
	const char *(*column_name)(ormc_cursor *cur, int col);

	/**
	 * Fetch the next row into *row (an array of cur->ncols values owned by the
	 * cursor). Returns 1 for a row, 0 at the end, a negative ORMC_E* on error.
	 */
	int (*next)(ormc_cursor *cur, const ormc_value **row, ormc_error *err);

	void (*close_cursor)(ormc_cursor *cur);

	/** Transactions; sql text is the dialect's ("BEGIN", ...), so these may be NULL. */
	int (*begin)(ormc_conn *conn, ormc_error *err);
	int (*commit)(ormc_conn *conn, ormc_error *err);
	int (*rollback)(ormc_conn *conn, ormc_error *err);

	void (*disconnect)(ormc_conn *conn);

	/* Version 2. All three or none (NULL: every execution goes through execute). */

	/**
	 * Prepare sql (nparams placeholders) on the server, once, for many
	 * executions on this connection.
	 */
	int (*prepare)(ormc_conn *conn, const char *sql, int nparams, ormc_prepared **out,
	               ormc_error *err);

	/**
	 * Execute a prepared statement with the bound parameters, as execute()
	 * does. The core opens at most one cursor of a prepared statement at a
	 * time and closes it before executing the statement again.
	 */
	int (*execute_prepared)(ormc_prepared *ps, const ormc_value *params, int nparams,
	                        ormc_cursor **out, ormc_error *err);

	/** Release a prepared statement (its cursor is closed); before disconnect. */
	void (*finalize)(ormc_prepared *ps);

	/*
	 * Version 3. All three or none (NULL: bulk loads are multi-row INSERTs).
	 * The engine's own bulk load: PostgreSQL's COPY ... FROM STDIN, MySQL's
	 * LOAD DATA LOCAL INFILE (core/bulk.c writes the statement and the data
	 * in the engine's text format). No other statement runs on the
	 * connection between copy_begin() and copy_end().
	 */

	/**
	 * Start the copy statement sql ("COPY t (a, b) FROM STDIN"). A driver
	 * that cannot bulk load on this connection (a server that refuses LOAD
	 * DATA LOCAL) returns ORMC_EUNSUPPORTED, err saying why, having changed
	 * nothing: the core then writes the rows as INSERTs.
	 */
	int (*copy_begin)(ormc_conn *conn, const char *sql, ormc_error *err);

	/**
	 * Send len bytes of data. The core sends whole rows in each call, so a
	 * driver may run one statement per call (MySQL's runs the LOAD DATA
	 * over them, and fails it for any warning or skipped row); PostgreSQL's
	 * engine joins the calls into one COPY.
	 */
	int (*copy_send)(ormc_conn *conn, const char *data, size_t len, ormc_error *err);

	/**
	 * End the copy: with abort NULL the rows are stored (errors in the data
	 * surface here); otherwise the copy is cancelled with that message (a
	 * driver that ran a statement per copy_send() cannot take back those:
	 * the caller rolls its transaction back).
	 */
	int (*copy_end)(ormc_conn *conn, const char *abort, ormc_error *err);
};

/**
 * Add a driver to the registry (it is tried before the built-in ones).
 * The struct must outlive every use. Not thread-safe: register at start-up.
 */
int ormc_driver_register(const ormc_driver *driver);

/** Number of registered drivers and the i-th, for listings. */
int ormc_driver_count(void);
const ormc_driver *ormc_driver_get(int i);

#ifdef __cplusplus
}
#endif
#endif
