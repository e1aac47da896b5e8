/*
 * backends.h -- which database servers the tests may use, where they are,
 * and the example databases the suites run on.
 *
 * The CTest fixture "servers" (tests/servers.sh) starts private PostgreSQL
 * and MariaDB servers and writes their admin URLs to
 * $ORMC_TEST_SERVERS_DIR/servers.env, next to its odbc.ini/odbcinst.ini.
 * ORMC_TEST_POSTGRES_URL and ORMC_TEST_MYSQL_URL, when set, name servers of
 * the user's instead (the URL's database is only used to connect; the tests
 * create and drop their own databases, named ormc_*).
 *
 * ORMC_TEST_BACKENDS (comma list of sqlite, postgresql, mysql, odbc; default
 * all) selects what runs. A suite for a backend that is not selected exits
 * TB_SKIP, which CTest reports as skipped; a selected backend that cannot be
 * reached is a failure, never a skip.
 */
#ifndef ORMC_TEST_BACKENDS_H
#define ORMC_TEST_BACKENDS_H

#include <stddef.h>

#include "ormc/ormc.h"

#define TB_SKIP 77   /* exit status CTest reports as "skipped" */

/** The parts of scheme://user:password@host:port/db?query (no percent escapes). */
typedef struct tb_url {
	char scheme[32], user[128], password[128], host[256], port[16], db[128];
	char query[256];
} tb_url;

/** Split url into *u. Returns 0, or -1 if it is not scheme://... */
int tb_parse_url(const char *url, tb_url *u);

/** Connect to url; a failure fails the running Check test. */
ormc_db *tb_open(const char *url);

/** Run sql without parameters; a failure fails the running Check test. */
void tb_exec(ormc_db *db, const char *sql);

/** Is backend name selected by ORMC_TEST_BACKENDS (default: all)? */
int tb_selected(const char *name);

/**
 * Make a fresh empty database called dbname on the test server of kind
 * "postgresql" or "mysql" (dropped first if it exists) and write its native
 * URL into url. Returns 0, or -1 with the reason in why.
 */
int tb_fresh_db(const char *kind, const char *dbname, char *url, size_t n,
                char *why, size_t nwhy);

/**
 * The "odbc:..." connection string for database dbname through the ODBC
 * driver for kind ("postgresql", "mysql", or "sqlite", where dbname is a file
 * path). Returns 0, or -1 with the reason in why.
 */
int tb_odbc_url(const char *kind, const char *dbname, char *url, size_t n,
                char *why, size_t nwhy);

/**
 * Give db the tables of the models file at models (ormc_migrate) and the
 * rows of the fixture.json beside it (ormc_fixture_load), through db's own
 * connection; *schema is the models file's schema, for the caller to free.
 * A failure fails the running Check test.
 */
void tb_load_example(ormc_db *db, const char *models, ormc_schema **schema);

#endif
