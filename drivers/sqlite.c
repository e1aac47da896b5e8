/*
 * sqlite.c -- the SQLite driver: "sqlite:path.db" and "sqlite::memory:".
 *
 * One sqlite3_stmt per cursor. execute() prepares, binds every parameter and
 * takes the first step, so errors surface there; prepare() keeps a
 * statement (SQLITE_PREPARE_PERSISTENT) that execute_prepared() resets,
 * binds and steps, its cursor borrowing it; a statement without result
 * columns (DDL, INSERT) runs to completion and yields no cursor. Rows are
 * then stepped one at a time into a value array owned by the cursor, whose
 * text pointers are SQLite's own and stay valid until the next step.
 *
 * Foreign key enforcement is left off (SQLite's default), unlike Django's
 * backend: fixtures may list rows in any order, and the tables ormc creates
 * are queried, not edited through it.
 */
#define _POSIX_C_SOURCE 200809L

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/db.h"
#include "core/error.h"

typedef struct sq_conn {
	ormc_conn base;          /* first: the core holds an ormc_conn * */
	sqlite3 *db;
} sq_conn;

typedef struct sq_prepared {
	ormc_prepared base;      /* first */
	sqlite3_stmt *stmt;
} sq_prepared;

typedef struct sq_cursor {
	ormc_cursor base;        /* first */
	sqlite3_stmt *stmt;
	int borrowed;            /* a prepared statement's: reset, not finalized, at close */
	ormc_value *row;         /* base.ncols cells */
	int pending;             /* execute() already stepped onto a row */
	int done;
} sq_cursor;

static int
sq_fail(sqlite3 *db, ormc_error *err)
{
	return ormc_error_set(err, ORMC_EDRIVER, NULL, -1, 0, "%s",
	                      db ? sqlite3_errmsg(db) : "out of memory");
}

/* Is the directory part of path missing? (sqlite only says "unable to open") */
static int
dir_missing(const char *path, char *dir, size_t n)
{
	const char *slash = strrchr(path, '/');
	struct stat st;
	size_t len;

	if (slash == NULL || slash == path)
		return 0;
	len = (size_t)(slash - path);
	if (len >= n)
		return 0;
	memcpy(dir, path, len);
	dir[len] = '\0';
	return stat(dir, &st) != 0 || !S_ISDIR(st.st_mode);
}

static int
sq_connect(ormc_conn **out, const char *url, ormc_error *err)
{
	const char *path;
	sq_conn *c;
	char dir[1024];
	int rc;

	*out = NULL;
	path = strchr(url, ':');   /* the core matched the scheme before it */
	if (path == NULL)
		return ormc_error_set(err, ORMC_ENODRIVER, NULL, -1, 0,
		                      "not an SQLite URL: \"%s\"", url);
	path++;
	if (*path == '\0') {
		ormc_error_set(err, ORMC_EDRIVER, NULL, -1, 0,
		               "no database path in URL \"%s\"", url);
		ormc_error_hint(err, "Write sqlite:PATH or sqlite::memory:.");
		return ORMC_EDRIVER;
	}
	if (strcmp(path, ":memory:") != 0 && dir_missing(path, dir, sizeof(dir)))
		return ormc_error_set(err, ORMC_EDRIVER, NULL, -1, 0,
		                      "cannot open database \"%s\": directory \"%s\" "
		                      "does not exist", path, dir);
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return ormc_error_set(err, ORMC_ENOMEM, NULL, -1, 0, "out of memory");
	c->base.driver = &ormc_driver_sqlite;
	rc = sqlite3_open_v2(path, &c->db,
	                     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc != SQLITE_OK) {
		ormc_error_set(err, ORMC_EDRIVER, NULL, -1, 0,
		               "cannot open database \"%s\": %s", path,
		               c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
		sqlite3_close(c->db);
		free(c);
		return ORMC_EDRIVER;
	}
	sqlite3_extended_result_codes(c->db, 1);
	sqlite3_busy_timeout(c->db, 5000);
	*out = &c->base;
	return ORMC_OK;
}

static const char *
sq_dialect(ormc_conn *conn, int *server_version)
{
	int v = sqlite3_libversion_number();   /* X*1000000 + Y*1000 + Z */

	(void)conn;
	if (server_version != NULL)
		*server_version = (v / 1000000) * 10000 + (v / 1000 % 1000) * 100 +
		                  v % 1000;
	return "sqlite";
}

static int
bind_all(sqlite3_stmt *stmt, const ormc_value *params, int nparams)
{
	int i, rc = SQLITE_OK;

	for (i = 0; i < nparams && rc == SQLITE_OK; i++) {
		const ormc_value *v = &params[i];

		switch (v->type) {
		case ORMC_TYPE_NULL:
			rc = sqlite3_bind_null(stmt, i + 1);
			break;
		case ORMC_TYPE_INT:
		case ORMC_TYPE_DURATION:   /* microseconds, as Django stores it */
			rc = sqlite3_bind_int64(stmt, i + 1, v->i);
			break;
		case ORMC_TYPE_BOOL:
			rc = sqlite3_bind_int(stmt, i + 1, v->i != 0);
			break;
		case ORMC_TYPE_FLOAT:
			rc = sqlite3_bind_double(stmt, i + 1, v->f);
			break;
		case ORMC_TYPE_DECIMAL:    /* text, as Django's adapter sends it */
		case ORMC_TYPE_TEXT:
		case ORMC_TYPE_DATE:
		case ORMC_TYPE_DATETIME:
		case ORMC_TYPE_TIME:
			rc = sqlite3_bind_text64(stmt, i + 1, v->s ? v->s : "",
			                         (sqlite3_uint64)v->len, SQLITE_TRANSIENT,
			                         SQLITE_UTF8);
			break;
		default:
			rc = SQLITE_MISMATCH;
			break;
		}
	}
	return rc;
}

static int
only_blanks(const char *s)
{
	for (; *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r' && *s != ';')
			return 0;
	return 1;
}

/*
 * A cursor over stmt, stepped onto its first row so errors surface here.
 * borrowed: the statement is a prepared one's, reset (not finalized) when
 * the cursor closes or fails.
 */
static int
open_cursor(sq_conn *c, sqlite3_stmt *stmt, int borrowed, ormc_cursor **out, ormc_error *err)
{
	sq_cursor *cur;
	int rc;

	cur = calloc(1, sizeof(*cur));
	if (cur != NULL) {
		cur->base.ncols = sqlite3_column_count(stmt);
		cur->row = calloc((size_t)cur->base.ncols, sizeof(ormc_value));
	}
	if (cur == NULL || cur->row == NULL) {
		if (cur != NULL)
			free(cur);
		if (borrowed)
			sqlite3_reset(stmt);
		else
			sqlite3_finalize(stmt);
		return ormc_error_set(err, ORMC_ENOMEM, NULL, -1, 0, "out of memory");
	}
	cur->base.conn = &c->base;
	cur->stmt = stmt;
	cur->borrowed = borrowed;
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		cur->pending = 1;
	} else if (rc == SQLITE_DONE) {
		cur->done = 1;
	} else {
		sq_fail(c->db, err);
		if (borrowed)
			sqlite3_reset(stmt);
		else
			sqlite3_finalize(stmt);
		free(cur->row);
		free(cur);
		return ORMC_EDRIVER;
	}
	*out = &cur->base;
	return ORMC_OK;
}

static int
sq_execute(ormc_conn *conn, const char *sql, const ormc_value *params,
           int nparams, ormc_cursor **out, ormc_error *err)
{
	sq_conn *c = (sq_conn *)conn;
	sqlite3_stmt *stmt = NULL;
	const char *tail = sql;
	int rc, first = 1;

	*out = NULL;
	/*
	 * Statements without rows may follow one another in sql ("BEGIN;
	 * CREATE ..."); parameters go to the first one.
	 */
	for (;;) {
		rc = sqlite3_prepare_v2(c->db, tail, -1, &stmt, &tail);
		if (rc != SQLITE_OK)
			return sq_fail(c->db, err);
		if (stmt == NULL)        /* only blanks or comments left */
			return ORMC_OK;
		if (sqlite3_bind_parameter_count(stmt) != (first ? nparams : 0)) {
			int want = sqlite3_bind_parameter_count(stmt);

			sqlite3_finalize(stmt);
			return ormc_error_set(err, ORMC_EDRIVER, NULL, -1, 0,
			                      "statement has %d parameters, %d given",
			                      want, first ? nparams : 0);
		}
		if (first && (rc = bind_all(stmt, params, nparams)) != SQLITE_OK) {
			sqlite3_finalize(stmt);
			return ormc_error_set(err, ORMC_EDRIVER, NULL, -1, 0,
			                      "cannot bind parameter: %s",
			                      sqlite3_errstr(rc));
		}
		first = 0;
		if (sqlite3_column_count(stmt) > 0)
			break;
		rc = sqlite3_step(stmt);
		while (rc == SQLITE_ROW)
			rc = sqlite3_step(stmt);
		if (rc != SQLITE_DONE) {
			sq_fail(c->db, err);
			sqlite3_finalize(stmt);
			return ORMC_EDRIVER;
		}
		sqlite3_finalize(stmt);
		stmt = NULL;
		if (tail == NULL || only_blanks(tail))
			return ORMC_OK;
	}
	if (tail != NULL && !only_blanks(tail)) {
		sqlite3_finalize(stmt);
		return ormc_error_set(err, ORMC_EDRIVER, NULL, -1, 0,
		                      "a query returning rows must be the last "
		                      "statement of the text");
	}
	return open_cursor(c, stmt, 0, out, err);
}

static int
sq_prepare(ormc_conn *conn, const char *sql, int nparams, ormc_prepared **out, ormc_error *err)
{
	sq_conn *c = (sq_conn *)conn;
	sq_prepared *ps;
	sqlite3_stmt *stmt = NULL;
	const char *tail = NULL;

	*out = NULL;
	if (sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, &tail) != SQLITE_OK)
		return sq_fail(c->db, err);
	if (stmt == NULL || (tail != NULL && !only_blanks(tail)) ||
	    sqlite3_bind_parameter_count(stmt) != nparams) {
		sqlite3_finalize(stmt);
		return ormc_error_set(err, ORMC_EDRIVER, NULL, -1, 0,
		                      "not one statement with %d parameters", nparams);
	}
	if ((ps = calloc(1, sizeof(*ps))) == NULL) {
		sqlite3_finalize(stmt);
		return ormc_error_set(err, ORMC_ENOMEM, NULL, -1, 0, "out of memory");
	}
	ps->base.conn = conn;
	ps->stmt = stmt;
	*out = &ps->base;
	return ORMC_OK;
}

static int
sq_execute_prepared(ormc_prepared *p, const ormc_value *params, int nparams, ormc_cursor **out,
                    ormc_error *err)
{
	sq_prepared *ps = (sq_prepared *)p;
	int rc;

	*out = NULL;
	sqlite3_reset(ps->stmt);
	sqlite3_clear_bindings(ps->stmt);
	if (sqlite3_bind_parameter_count(ps->stmt) != nparams)
		return ormc_error_set(err, ORMC_EDRIVER, NULL, -1, 0,
		                      "statement has %d parameters, %d given",
		                      sqlite3_bind_parameter_count(ps->stmt), nparams);
	if ((rc = bind_all(ps->stmt, params, nparams)) != SQLITE_OK)
		return ormc_error_set(err, ORMC_EDRIVER, NULL, -1, 0, "cannot bind parameter: %s",
		                      sqlite3_errstr(rc));
	if (sqlite3_column_count(ps->stmt) == 0) {
		rc = sqlite3_step(ps->stmt);
		while (rc == SQLITE_ROW)
			rc = sqlite3_step(ps->stmt);
		sqlite3_reset(ps->stmt);
		return rc == SQLITE_DONE ? ORMC_OK : sq_fail(sqlite3_db_handle(ps->stmt), err);
	}
	return open_cursor((sq_conn *)p->conn, ps->stmt, 1, out, err);
}

static void
sq_finalize(ormc_prepared *p)
{
	sq_prepared *ps = (sq_prepared *)p;

	if (ps == NULL)
		return;
	sqlite3_finalize(ps->stmt);
	free(ps);
}

static const char *
sq_column_name(ormc_cursor *cur, int col)
{
	sq_cursor *q = (sq_cursor *)cur;

	if (col < 0 || col >= cur->ncols)
		return NULL;
	return sqlite3_column_name(q->stmt, col);
}

static void
fetch_row(sq_cursor *q)
{
	int i;

	for (i = 0; i < q->base.ncols; i++) {
		ormc_value *v = &q->row[i];

		memset(v, 0, sizeof(*v));
		switch (sqlite3_column_type(q->stmt, i)) {
		case SQLITE_INTEGER:
			v->type = ORMC_TYPE_INT;
			v->i = sqlite3_column_int64(q->stmt, i);
			break;
		case SQLITE_FLOAT:
			v->type = ORMC_TYPE_FLOAT;
			v->f = sqlite3_column_double(q->stmt, i);
			break;
		case SQLITE_TEXT:
			v->type = ORMC_TYPE_TEXT;
			v->s = (const char *)sqlite3_column_text(q->stmt, i);
			v->len = (size_t)sqlite3_column_bytes(q->stmt, i);
			break;
		case SQLITE_BLOB:
			v->type = ORMC_TYPE_TEXT;
			v->s = (const char *)sqlite3_column_blob(q->stmt, i);
			v->len = (size_t)sqlite3_column_bytes(q->stmt, i);
			if (v->s == NULL)
				v->s = "";
			break;
		default:
			v->type = ORMC_TYPE_NULL;
			break;
		}
	}
}

static int
sq_next(ormc_cursor *cur, const ormc_value **row, ormc_error *err)
{
	sq_cursor *q = (sq_cursor *)cur;
	int rc;

	*row = NULL;
	if (q->done)
		return 0;
	if (q->pending) {
		q->pending = 0;
	} else {
		rc = sqlite3_step(q->stmt);
		if (rc == SQLITE_DONE) {
			q->done = 1;
			return 0;
		}
		if (rc != SQLITE_ROW) {
			q->done = 1;
			return sq_fail(sqlite3_db_handle(q->stmt), err);
		}
	}
	fetch_row(q);
	*row = q->row;
	return 1;
}

static void
sq_close_cursor(ormc_cursor *cur)
{
	sq_cursor *q = (sq_cursor *)cur;

	if (q == NULL)
		return;
	if (q->borrowed)
		sqlite3_reset(q->stmt);
	else
		sqlite3_finalize(q->stmt);
	free(q->row);
	free(q);
}

static void
sq_disconnect(ormc_conn *conn)
{
	sq_conn *c = (sq_conn *)conn;

	if (c == NULL)
		return;
	sqlite3_close_v2(c->db);
	free(c);
}

const ormc_driver ormc_driver_sqlite = {
	ORMC_DRIVER_VERSION,
	"sqlite",
	"sqlite",
	"SQLite " SQLITE_VERSION,
	sq_connect,
	sq_dialect,
	sq_execute,
	sq_column_name,
	sq_next,
	sq_close_cursor,
	NULL,   /* begin: "BEGIN" through execute */
	NULL,
	NULL,
	sq_disconnect,
	sq_prepare,
	sq_execute_prepared,
	sq_finalize,
	NULL,   /* copy_begin: bulk loads are multi-row INSERTs */
	NULL,
	NULL,
};
