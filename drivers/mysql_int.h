/*
 * mysql_int.h -- what the MySQL driver's files share: the connection, and
 * the bulk load of drivers/mysql_load.c (LOAD DATA LOCAL INFILE from
 * memory). Internal to drivers/mysql*.c.
 */
#ifndef ORMC_MYSQL_INT_H
#define ORMC_MYSQL_INT_H

#include <mysql.h>

#include "ormc/error.h"
#include "ormc/sys/driver.h"

typedef struct my_cursor my_cursor;
typedef struct my_prepared my_prepared;
typedef struct my_load my_load;

typedef struct my_conn {
	ormc_conn base;          /* first: the core holds an ormc_conn * */
	MYSQL *db;
	my_cursor *busy;         /* the cursor whose rows are still coming */
	my_prepared *stale;      /* finalized while busy: closed once it is not */
	my_load *load;           /* the bulk load's state (mysql_load.c) */
} my_conn;

/**
 * Before connecting: allow LOAD DATA LOCAL on the connection and install
 * the handler that serves it from memory, and only while copy_send() runs
 * its own statement: any other request of the server for a local file is
 * refused, so no file is ever read. 0, or -1 when out of memory.
 */
int ormc_my_load_init(my_conn *c);

/** Free what ormc_my_load_init() made (NULL c->load is fine). */
void ormc_my_load_free(my_conn *c);

/* The driver's version 3 methods (include/ormc/sys/driver.h). */
int ormc_my_copy_begin(ormc_conn *conn, const char *sql, ormc_error *err);
int ormc_my_copy_send(ormc_conn *conn, const char *data, size_t len,
                      ormc_error *err);
int ormc_my_copy_end(ormc_conn *conn, const char *abort, ormc_error *err);

#endif
