/*
 * ormc/stmt.h -- compiled statements and named parameters.
 *
 * A name in the query text that is not a model, a function or a name the
 * script binds is a named parameter:
 *
 *   Order.objects.filter(status=status, created__gte=since)
 *                .aggregate(n=Count("id"), revenue=Sum("total", default=0))
 *
 * Its type is the type of what it meets first: the field of a lookup
 * (status is text, since a datetime), the other operand of arithmetic, the
 * other arguments of Coalesce/Greatest/Least, the other branches of a Case,
 * an aggregate's type for default=, output_field= of Value(name,
 * output_field=...) or Cast. Its value is always sent to the server as a
 * bound parameter, never pasted into SQL.
 *
 * Compile once, execute many:
 *
 *   ormc_stmt *st;  ormc_params *ps;  ormc_result *r;
 *   ormc_stmt_prepare_for(&st, q, db, &err);      // parse + plan + SQL, once
 *   ormc_params_new(&ps);
 *   ormc_params_set_text(ps, "status", "paid", -1);
 *   ormc_params_set_datetime(ps, "since", 2024, 1, 1, 0, 0, 0, 0);
 *   ormc_stmt_execute(&r, st, db, ps, &err);      // no parse, no plan
 *
 * Threads. An ormc_stmt is immutable once made: any number of threads may
 * execute it at once, each on its own connection, and it may be freed once
 * no execution or result of it is left. An ormc_schema and an ormc_query that
 * is no longer modified (no builder call, no ormc_query_compile) may be read
 * by any number of threads, to prepare statements. A connection (ormc_db),
 * a result and an ormc_params belong to one thread at a time.
 *
 * On its connection, each driver prepares a statement on the server once
 * and reuses it for every later execution there (PQprepare, SQLPrepare,
 * mysql_stmt_prepare, sqlite3_prepare_v3): ormc_db keeps them until the
 * connection closes.
 */
#ifndef ORMC_STMT_H
#define ORMC_STMT_H

#include <stdint.h>

#include "ormc/ormc.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ormc_stmt ormc_stmt;
typedef struct ormc_params ormc_params;

/**
 * Compile q for a dialect ("postgresql", "sqlite", "mysql", or an alias) and
 * server version (major*10000+minor*100+patch, 0 for the newest). Reads q
 * only. Fails with ORMC_EPARAM when a parameter's type cannot be told.
 */
int ormc_stmt_prepare(ormc_stmt **out, const ormc_query *q, const char *dialect,
                      int server_version, ormc_error *err);
/** As ormc_stmt_prepare(), for the dialect and version db's server speaks. */
int ormc_stmt_prepare_for(ormc_stmt **out, const ormc_query *q, const ormc_db *db,
                          ormc_error *err);
void ormc_stmt_free(ormc_stmt *st);

/** The SQL text (placeholders $1 or ?), the dialect and version it was made for. */
const char *ormc_stmt_sql(const ormc_stmt *st);
const char *ormc_stmt_dialect(const ormc_stmt *st);
int ormc_stmt_server_version(const ormc_stmt *st);

/** The named parameters, in order of first use in the query text. */
int ormc_stmt_nparams(const ormc_stmt *st);
const char *ormc_stmt_param_name(const ormc_stmt *st, int i);
/** The type a value of parameter i is converted to (ORMC_TYPE_TEXT, ...). */
ormc_type ormc_stmt_param_type(const ormc_stmt *st, int i);
/** Index of the parameter called name, or -1. */
int ormc_stmt_param_index(const ormc_stmt *st, const char *name);

/** The result's shape, columns (result keys) and the type of each column's values. */
ormc_shape ormc_stmt_shape(const ormc_stmt *st);
int ormc_stmt_ncolumns(const ormc_stmt *st);
const char *ormc_stmt_column(const ormc_stmt *st, int i);
ormc_type ormc_stmt_column_type(const ormc_stmt *st, int i);

/**
 * Execute st on db with the values of params (NULL when st has no named
 * parameter). db must speak st's dialect. Every parameter of st must be
 * bound (values of names st does not use are left alone, so one set may
 * serve several statements); a value is converted to its parameter's type
 * (text "2024-01-01" to a date, an integer to a decimal, ...) or the call
 * fails with ORMC_EPARAM naming the parameter. The result borrows st: free
 * it before st. PostgreSQL (rows are streamed) and MySQL read one result at
 * a time on a connection: read a result to its end or free it before
 * executing again there, or the execution fails with ORMC_EDRIVER; SQLite
 * and ODBC allow several.
 */
int ormc_stmt_execute(ormc_result **out, const ormc_stmt *st, ormc_db *db,
                      const ormc_params *params, ormc_error *err);
/**
 * Would params do for st? The checks and conversions of ormc_stmt_execute(),
 * without a database: ORMC_OK, or ORMC_EPARAM naming the parameter.
 */
int ormc_stmt_check_params(const ormc_stmt *st, const ormc_params *params, ormc_error *err);

/**
 * Compile q for db and execute it once with params (NULL when q has no named
 * parameter): ormc_query_run() with parameters. The result owns what it
 * needs; q is only read.
 */
int ormc_query_execute(ormc_result **out, ormc_db *db, const ormc_query *q,
                       const ormc_params *params, ormc_error *err);

/* ---- a set of parameter values, by name */

int ormc_params_new(ormc_params **out);
void ormc_params_free(ormc_params *ps);
/** Unbind every value. */
void ormc_params_clear(ormc_params *ps);
/** Number of values bound, and the name of the i-th. */
int ormc_params_count(const ormc_params *ps);
const char *ormc_params_name(const ormc_params *ps, int i);

/*
 * Setters: bind name to a value (replacing an earlier one). Text is copied.
 * Each returns ORMC_OK, ORMC_ENOMEM, or ORMC_EPARAM for an invalid name or
 * value (a date that does not exist, a decimal that is not one).
 */
int ormc_params_set_null(ormc_params *ps, const char *name);
int ormc_params_set_int64(ormc_params *ps, const char *name, int64_t v);
int ormc_params_set_double(ormc_params *ps, const char *name, double v);
int ormc_params_set_bool(ormc_params *ps, const char *name, int v);
/**
 * Text; len may be (size_t)-1 for a NUL-terminated s. Text also binds a
 * parameter of another type when it reads as one, as Django reads a literal
 * compared with a field ("2024-01-01" for a date, "12.50" for a decimal,
 * "3" for an integer, "true"/"false"/"1"/"0" for a boolean): the CLI's
 * --param name=value binds text.
 */
int ormc_params_set_text(ormc_params *ps, const char *name, const char *s, size_t len);
/** An exact decimal written as text: "-12.50", "3", "1.5E+3". */
int ormc_params_set_decimal(ormc_params *ps, const char *name, const char *digits);
int ormc_params_set_date(ormc_params *ps, const char *name, int year, int month, int day);
int ormc_params_set_datetime(ormc_params *ps, const char *name, int year, int month, int day,
                             int hour, int minute, int second, int microsecond);
int ormc_params_set_time(ormc_params *ps, const char *name, int hour, int minute, int second,
                         int microsecond);
int ormc_params_set_duration(ormc_params *ps, const char *name, int64_t microseconds);
/** Any value (its text is copied). */
int ormc_params_set_value(ormc_params *ps, const char *name, const ormc_value *v);

#ifdef __cplusplus
}
#endif
#endif
