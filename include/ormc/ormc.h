/*
 * ormc/ormc.h -- compile Django aggregation queries to SQL and run them.
 *
 *   ormc_schema *s;  ormc_query *q;  ormc_db *db;  ormc_result *r;
 *   ormc_schema_load(&s, "models.py", NULL, &err);
 *   ormc_query_parse(&q, s, "Book.objects.aggregate(Avg('price'))", -1, &err);
 *   ormc_connect(&db, "sqlite:books.db", &err);
 *   ormc_query_run(&r, db, q, &err);
 *   while (ormc_result_next(r, &row, &err) > 0) ...
 *
 * Queries can also be built with calls (ormc/query.h) instead of text, and
 * compiled once to run many times with named parameters (ormc/stmt.h).
 *
 * Threads. The library has no global state but its driver registry
 * (register drivers at start-up) and a lock around connecting. What may be
 * shared:
 *
 *   object        shared by
 *   ------------  -------------------------------------------------------
 *   ormc_schema   any number of threads, once loaded
 *   ormc_query    any number of threads reading it (preparing statements,
 *                 ormc_query_run, ormc_query_execute) while no thread
 *                 changes it (builder calls, ormc_query_compile, which keeps
 *                 its last compile in the query)
 *   ormc_stmt     any number of threads, each executing on its own connection
 *   ormc_db       one thread at a time (with its results)
 *   ormc_result   one thread at a time; freed before its connection
 *   ormc_params   one thread at a time
 *   ormc_error    the caller's
 */
#ifndef ORMC_H
#define ORMC_H

#include <stddef.h>

#include "ormc/error.h"
#include "ormc/schema.h"
#include "ormc/value.h"
#include "ormc/version.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ormc_query ormc_query;
typedef struct ormc_db ormc_db;
typedef struct ormc_result ormc_result;

/** What a query returns, i.e. how its rows should be presented. */
typedef enum ormc_shape {
	ORMC_SHAPE_OBJECTS,   /**< values() / model rows: a list of objects */
	ORMC_SHAPE_LISTS,     /**< values_list(): a list of arrays */
	ORMC_SHAPE_FLAT,      /**< values_list(flat=True): a list of values */
	ORMC_SHAPE_AGGREGATE, /**< aggregate(): exactly one object */
	ORMC_SHAPE_SCALAR     /**< count(), exists(): one value */
} ormc_shape;

/**
 * Parse one query expression (Django syntax) against a schema. A short script
 * is accepted too: `name = expr` lines bind names, and the last expression is
 * the query. len may be (size_t)-1 for a NUL-terminated text. On error,
 * err->source points at text (when it is NUL-terminated), so the error can
 * be formatted with a caret for as long as the caller keeps text.
 */
int ormc_query_parse(ormc_query **out, const ormc_schema *schema,
                     const char *text, size_t len, ormc_error *err);

/**
 * Compile for a dialect ("postgresql", "sqlite", "mysql"); server_version is
 * major*10000+minor*100+patch, or 0 for the newest. May be called again to
 * recompile for another dialect.
 */
int ormc_query_compile(ormc_query *q, const char *dialect, int server_version,
                       ormc_error *err);

/**
 * The name ormc_query_compile() and ormc_schema_ddl() know a dialect by:
 * "postgresql" for "postgresql", "postgres" or "pg"; "sqlite" for "sqlite"
 * or "sqlite3"; "mysql" for "mysql" or "mariadb". NULL for any other name.
 * The string is static; safe to call from any thread.
 */
const char *ormc_dialect_name(const char *name);

/*
 * A query keeps its last ormc_query_compile() for the accessors below: a
 * query being compiled belongs to one thread. To run one query from many
 * threads, or again with new parameter values, prepare an ormc_stmt
 * (ormc/stmt.h), which only reads the query.
 */

/** The SQL of the last compile, or NULL. Borrowed from q. */
const char *ormc_query_sql(const ormc_query *q);
/**
 * The relational tree the last compile wrote its SQL from, or NULL: one node
 * a line, each node's input indented below it (SCAN, LEVEL, JOIN, FILTER,
 * AGGREGATE with where each aggregate is computed, PROJECT, SORT, DISTINCT,
 * LIMIT; docs/architecture.md). For reading, not parsing. Borrowed from q.
 */
const char *ormc_query_tree(const ormc_query *q);
int ormc_query_nparams(const ormc_query *q);
/**
 * The value of the i-th placeholder of the last compile. Borrowed from q.
 * For a named parameter only its type is set: see ormc_query_param_name().
 */
const ormc_value *ormc_query_param(const ormc_query *q, int i);
/** The name of the named parameter the i-th placeholder binds, or NULL for a literal. */
const char *ormc_query_param_name(const ormc_query *q, int i);
/** The query's named parameters (ormc/stmt.h), in order of first use; no compile needed. */
int ormc_query_nnamed(const ormc_query *q);
const char *ormc_query_named(const ormc_query *q, int i);
ormc_shape ormc_query_shape(const ormc_query *q);
/**
 * Does q end in first(), last(), earliest() or latest()? Its result is then
 * one row in its shape (an object, a list, a value) or none, presented as
 * that row or null, not as a list.
 */
int ormc_query_single(const ormc_query *q);
int ormc_query_ncolumns(const ormc_query *q);
/** Result key of column i ("price__avg"). */
const char *ormc_query_column(const ormc_query *q, int i);
void ormc_query_free(ormc_query *q);

/**
 * How the rows of q's result are told apart, for comparing the results of
 * the same query from several databases (ormc compare):
 */
typedef enum ormc_rows_kind {
	ORMC_ROWS_ONE,        /**< aggregate(), count(), exists(), first()...: one row or none */
	ORMC_ROWS_ORDERED,    /**< order_by() (or Meta.ordering, dates()): a row is its position */
	ORMC_ROWS_KEYED,      /**< unordered; the ormc_query_key() columns identify a row */
	ORMC_ROWS_UNORDERED   /**< unordered, no key: the rows are a multiset */
} ormc_rows_kind;

/** How q's rows are identified (above). Reads q only; no compile needed. */
ormc_rows_kind ormc_query_rows(const ormc_query *q);
/**
 * The number of key columns of q's rows: the grouping columns of
 * values(...).annotate(aggregate), else the primary key when the rows are
 * the model's own and it is selected; 0 when there is no key (aggregate(),
 * values() without the key, a regrouped level). A key names each group once
 * on a well-behaved server; ordered queries have keys too.
 */
int ormc_query_nkeys(const ormc_query *q);
/** The result key (column name) of key column i, or NULL. Borrowed from q. */
const char *ormc_query_key(const ormc_query *q, int i);
/**
 * The number of expressions an ORMC_ROWS_ORDERED query is ordered by
 * (order_by(), or Meta.ordering); 0 for the other kinds.
 */
int ormc_query_norder(const ormc_query *q);
/**
 * The result key of the selected column that ordering expression i is, or
 * NULL when it is not selected (or is a relation's "x_id"). Rows with equal
 * values in every ordering column may come in any order. Borrowed from q.
 */
const char *ormc_query_order_column(const ormc_query *q, int i);
/**
 * The text columns (CharField, TextField) whose collation decides q's
 * answer: those it groups by, orders by, takes distinct values of,
 * compares in Min, Max or a distinct aggregate, or filters with a
 * case-insensitive lookup (iexact, icontains, istartswith, iendswith: LIKE
 * on MySQL, where a "_ci" collation ignores accents too), at every level.
 * Other comparisons are not listed: ormc makes them binary on MySQL
 * (docs/dialects.md). Fills tables[i] (the model's table) and columns[i]
 * (borrowed from q's schema) for the first max of them and returns how many
 * there are, so a return value > max means more room is needed;
 * ORMC_ENOMEM when out of memory.
 */
int ormc_query_text_columns(const ormc_query *q, const char **tables,
                            const char **columns, int max);

/**
 * Open a database by URL; the scheme picks the driver:
 *   "sqlite:path.db", "sqlite::memory:"
 *   "postgresql://user:pass@host:port/db?opts", "postgres://...", or a libpq
 *   key/value string "host=... dbname=..." (no scheme)
 *   "mysql://user:pass@host:port/db?socket=/path", "mariadb://..."
 *   "odbc:" + an ODBC connection string ("odbc:DSN=name;UID=u")
 * Drivers whose client library was not found at build time are absent
 * (ormc --version lists those that are built).
 */
int ormc_connect(ormc_db **out, const char *url, ormc_error *err);
/** The dialect name the connection speaks. */
const char *ormc_db_dialect(const ormc_db *db);
/** Run SQL text with no result (DDL, transactions). */
int ormc_db_exec(ormc_db *db, const char *sql, const ormc_value *params,
                 int nparams, ormc_error *err);
int ormc_db_begin(ormc_db *db, ormc_error *err);
int ormc_db_commit(ormc_db *db, ormc_error *err);
int ormc_db_rollback(ormc_db *db, ormc_error *err);
void ormc_disconnect(ormc_db *db);
/**
 * The collation of table.column in the connection's current database, as
 * information_schema.COLUMNS.COLLATION_NAME gives it ("utf8mb4_general_ci"),
 * on a MySQL or MariaDB connection (native or through ODBC). Copied into buf
 * (n bytes, NUL-terminated; 65 bytes hold any collation name). Returns 1
 * when found, 0 when the column does not exist, has no collation, or the
 * connection is not MySQL's, <0 on a database error.
 */
int ormc_db_column_collation(ormc_db *db, const char *table, const char *column,
                             char *buf, size_t n, ormc_error *err);

/**
 * Compile q for db's dialect and server and execute it: a query without
 * named parameters (those need ormc_stmt_execute()). q is only read, and the
 * result depends on nothing in it: q may be freed or changed while the
 * result is read. Rows are streamed with ormc_result_next().
 */
int ormc_query_run(ormc_result **out, ormc_db *db, ormc_query *q,
                   ormc_error *err);
int ormc_result_ncolumns(const ormc_result *r);
/** The result key of column i ("price__avg"), or NULL. */
const char *ormc_result_column(const ormc_result *r, int i);
/** The index of the column keyed name, or -1. */
int ormc_result_column_index(const ormc_result *r, const char *name);
/** The type of column i's non-NULL values (ORMC_TYPE_DECIMAL, ...). */
ormc_type ormc_result_column_type(const ormc_result *r, int i);
ormc_shape ormc_result_shape(const ormc_result *r);
/** One row or none (ormc_query_single()). */
int ormc_result_single(const ormc_result *r);
/**
 * Next row, each cell converted to the Django type of its column (decimals
 * quantized to the output field's places, booleans as BOOL, ...). The row is
 * valid until the next call. Returns 1 for a row, 0 at the end, <0 on error.
 * A query ending in get() gives its one row, or ORMC_EINVALID with Django's
 * message when there is none ("Book matching query does not exist.") or
 * several ("get() returned more than one Book -- it returned 2!").
 */
int ormc_result_next(ormc_result *r, const ormc_value **row, ormc_error *err);
/**
 * raw != 0: float cells as the engine gave them, not rounded to 15
 * significant digits (docs/dialects.md, "Floats agree to 15 significant
 * digits"), for a caller that compares floats with a tolerance of its own
 * (ormc compare). Applies to the rows read after the call.
 */
void ormc_result_set_raw_floats(ormc_result *r, int raw);
void ormc_result_free(ormc_result *r);

#ifdef __cplusplus
}
#endif
#endif
