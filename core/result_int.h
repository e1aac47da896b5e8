/*
 * result_int.h -- what stmt.c, result.c and db.c share: executing a
 * compiled statement and the connection's cache of server-prepared ones.
 */
#ifndef ORMC_RESULT_INT_H
#define ORMC_RESULT_INT_H

#include <stdint.h>

#include "arena.h"
#include "query.h"
#include "ormc/stmt.h"
#include "ormc/sys/driver.h"

/* The compile a statement holds; its id, unique in the process. */
const ormc_compiled *ormc_stmt_compiled(const ormc_stmt *st);
uint64_t ormc_stmt_id(const ormc_stmt *st);

/*
 * The values of st's placeholders for one execution with ps: each named
 * parameter's value converted to its type (ORMC_EPARAM naming it when it is
 * unbound or does not fit), patterns made; in a.
 */
int ormc_stmt_bind(const ormc_stmt *st, const ormc_params *ps, ormc_arena *a, ormc_value **out,
                   ormc_error *err);

/*
 * Execute st's SQL with vals on db and open its result. cache_id != 0 runs
 * it through the connection's server-prepared statement for that id
 * (prepared on first use); 0 sends the text. owned, when not NULL, is
 * freed with the result.
 */
int ormc_result_open(ormc_result **out, ormc_db *db, const ormc_stmt *st, uint64_t cache_id,
                     const ormc_value *vals, ormc_stmt *owned, ormc_error *err);

/* A statement prepared on a connection, kept for reuse by its statement's id. */
typedef struct ormc_prepent {
	uint64_t id;
	ormc_prepared *ps;
	int busy;                 /* a cursor of it is open */
	uint64_t used;            /* when last used (the connection's clock) */
} ormc_prepent;

/*
 * Execute sql through db's prepared statement for id, preparing it on
 * first use. *ent is the entry, busy until ormc_db_release(); NULL when the
 * driver cannot prepare or the entry is busy (then the text was executed).
 */
int ormc_db_execute_cached(ormc_db *db, uint64_t id, const char *sql, const ormc_value *vals,
                           int n, ormc_cursor **cur, ormc_prepent **ent, ormc_error *err);
void ormc_db_release(ormc_db *db, ormc_prepent *ent);

#endif
