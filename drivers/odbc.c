/*
 * odbc.c -- the ODBC driver, on unixODBC: "odbc:" followed by any ODBC
 * connection string ("odbc:DSN=name;UID=u;PWD=p",
 * "odbc:Driver={PostgreSQL Unicode};Server=host;Database=db;...").
 *
 * Connecting: the string goes to SQLDriverConnect as it is, without prompts,
 * on an ODBC 3 environment of the connection's own (no global state). A
 * failed connection names the string with its PWD=/Password= values masked.
 * The data source is then asked what it is (SQL_DBMS_NAME, SQL_DBMS_VER):
 * PostgreSQL, MySQL or MariaDB ("mysql"), or SQLite; any other DBMS is
 * reported by its lowercased name and the core refuses it. The session is
 * set up as the native drivers do it: ISO dates, postgres intervals, UTC and
 * exact floats on PostgreSQL; UTC and ONLY_FULL_GROUP_BY on MySQL.
 *
 * Executing: the PostgreSQL dialect writes "$1::integer" placeholders, which
 * ODBC does not know. For a PostgreSQL data source the SQL is therefore
 * rewritten here: every $n outside string literals, quoted identifiers,
 * dollar-quoted strings and comments becomes ?, and the parameters are
 * bound in the order the ?s appear, repeated when a $n is (so '$1' in a
 * literal stays as it is). Values are bound with SQLBindParameter, never
 * pasted: integers as SQL_BIGINT, booleans as SQL_BIT, floats as SQL_DOUBLE,
 * decimals as SQL_DECIMAL text with their precision and scale, everything
 * else as SQL_VARCHAR text with its length (the text is not NUL-terminated).
 * A duration is microseconds, except on PostgreSQL where the dialect casts
 * it to interval: it goes as "<n> microseconds" text there. (Both the
 * rewriting and the binding are in odbc_params.c.)
 *
 * Prepared statements: prepare() rewrites the placeholders and SQLPrepares
 * the statement, once, on a handle of its own; execute_prepared() binds the
 * parameters as execute() does and runs SQLExecute, and its cursor borrows
 * the handle: closing the cursor closes the result (SQLFreeStmt SQL_CLOSE)
 * and unbinds the columns, whose buffers go with it, but keeps the handle.
 * finalize() frees the handle. After a failed execution or fetch the handle
 * is freed too, and the statement prepared again at its next execution: a
 * driver's statement need not recover from an error (MariaDB Connector/ODBC
 * 3.1 waits forever in the next SQLExecute of a statement whose rows ended
 * in an error, such as DOUBLE out of range).
 *
 * Fetching: rows come in blocks (SQL_ATTR_ROW_ARRAY_SIZE up to 256 rows,
 * column-wise binding, SQL_ATTR_ROWS_FETCHED_PTR), one SQLBindCol buffer
 * per column sized from SQLDescribeCol, so one SQLFetch fills many rows and
 * next() hands them out one at a time. Integers come as SQL_C_SBIGINT,
 * floats as SQL_C_DOUBLE, booleans (SQL_BIT) as SQL_C_BIT, everything else
 * as SQL_C_CHAR text (SQL_C_BINARY bytes for binary types) in the driver's
 * UTF-8, typed DECIMAL/DATE/DATETIME/TIME by the SQL type, else TEXT.
 * SQLite ODBC types an expression column by its first value (SUM() is
 * SQL_INTEGER when the first sum is 75 and the next 75.5), so on SQLite
 * numbers are read as text and each cell is typed INT, FLOAT or TEXT by
 * what it holds; its SQL_DBMS_VER is the SQLite it was built with, so the
 * version comes from sqlite_version() instead.
 *
 * A text cell longer than its buffer (the indicator says how long it is) is
 * read whole with SQLGetData. Where the column size cannot be trusted to
 * bound the values (long types, unknown or huge sizes, and every text
 * column on SQLite, which does not enforce declared sizes) buffers are
 * capped at CELL_CAP bytes, and the statement is fetched one row per
 * SQLFetch, still into the bound buffers, so that SQLGetData reads the
 * current row: reading a row of a block needs SQLSetPos, which only
 * psqlODBC does right (MariaDB Connector/ODBC 3.1 and SQLite ODBC 0.9998
 * lose their place in the result). With psqlODBC the statement keeps its
 * blocks and a long cell is re-read after SQLSetPos(SQL_POSITION), checked
 * against the length and prefix the block gave.
 *
 * A number column on SQLite holding text longer than NUMBER_WIDTH (SQLite
 * stores anything anywhere) cannot be re-read in a block: that is an error.
 *
 * Transactions: begin() turns autocommit off, commit()/rollback() end the
 * transaction with SQLEndTran and turn it back on; "BEGIN" as SQL text would
 * fight the ODBC driver's own idea of the transaction state.
 *
 * Handles (environment, connection, statement) are freed with their
 * connection and cursor; what stays allocated at exit belongs to unixODBC
 * and the drivers it loaded.
 */
#define _POSIX_C_SOURCE 200809L

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sql.h>
#include <sqlext.h>

#include "core/db.h"
#include "core/error.h"
#include "odbc_params.h"

/* The driver manager's version, when the build passes pkg-config's. */
#ifdef ORMC_ODBC_VERSION
#define OD_LIBRARY "unixODBC " ORMC_ODBC_VERSION
#else
#define OD_LIBRARY "unixODBC"
#endif

#define FETCH_ROWS   256                 /* rows per block, at most */
#define CELL_CAP     4096                /* bytes bound for a long text cell */
#define BLOCK_BUDGET (4u << 20)          /* bytes of bound buffers, about */
#define NUMBER_WIDTH 128                 /* bytes bound for a number as text */

typedef struct od_conn {
	ormc_conn base;          /* first: the core holds an ormc_conn * */
	SQLHENV env;
	SQLHDBC dbc;
	char dialect[64];        /* "postgresql", "mysql", "sqlite", or the DBMS */
	int version;             /* major*10000 + minor*100 + patch */
	int pg;                  /* PostgreSQL: $n placeholders to rewrite */
	int loose;               /* SQLite: column types and sizes are hints */
	int reread;              /* SQLSetPos + SQLGetData works within a block */
} od_conn;

typedef struct od_col {
	char *name;
	SQLSMALLINT ctype;       /* SQL_C_SBIGINT, _DOUBLE, _BIT, _CHAR, _BINARY */
	ormc_type type;          /* what its cells are */
	int is_unsigned;         /* BIGINT UNSIGNED as text: INT when it fits */
	int numeric_text;        /* a number as text: INT, FLOAT or TEXT by value */
	int guid;                /* SQL_GUID: lowercased, as the native drivers */
	int capped;              /* the buffer may be shorter than a value */
	SQLLEN width;            /* bytes per cell */
	char *data;              /* rows * width */
	SQLLEN *ind;             /* rows */
	char *big;               /* a whole long cell */
	size_t bigcap;
} od_col;

typedef struct od_prepared od_prepared;

typedef struct od_cursor {
	ormc_cursor base;        /* first */
	SQLHSTMT stmt;
	od_prepared *ps;         /* stmt is this prepared statement's, or NULL */
	od_col *cols;
	ormc_value *row;         /* base.ncols cells */
	SQLUSMALLINT *status;    /* row status of the block */
	SQLULEN rows;            /* row array size */
	SQLULEN fetched;         /* rows in the current block */
	SQLULEN pos;             /* next row of the block to hand out */
	int done;
	int failed;              /* an error was met (a borrowed stmt is not reused) */
	int reread;              /* the driver re-reads a row of a block */
	unsigned long nfetch;    /* SQLFetch calls, for the tests */
} od_cursor;

struct od_prepared {
	ormc_prepared base;      /* first */
	SQLHSTMT stmt;           /* SQLPrepare'd; SQL_NULL_HSTMT: to prepare again */
	char *sql;               /* the text prepared ($n rewritten) */
	int nparams;
	int nbind;               /* parameter markers (?s) */
	int *map;                /* ? k takes parameter map[k] ($n rewritten), or NULL */
	ormc_odbc_param *slots;  /* nbind values, read at SQLExecute */
	od_cursor *cur;          /* the open cursor that borrows stmt */
};

/* ---- errors ------------------------------------------------------------- */

/*
 * One line: psqlODBC adds ";\nError while executing the query" to the
 * server's message and libpq's have "\n\tIs the server running...".
 */
static void
tidy(char *msg)
{
	static const char tail[] = ";\nError while executing the query";
	size_t n = strlen(msg), tl = strlen(tail), i, o = 0;

	if (n >= tl && strcmp(msg + n - tl, tail) == 0)
		msg[n -= tl] = '\0';
	for (i = 0; i < n; i++) {
		if (msg[i] == '\n' || msg[i] == '\r' || msg[i] == '\t') {
			if (o > 0 && msg[o - 1] != ' ')
				msg[o++] = ' ';
			continue;
		}
		msg[o++] = msg[i];
	}
	while (o > 0 && msg[o - 1] == ' ')
		o--;
	msg[o] = '\0';
}

/*
 * Set err from the diagnostics of handle: the first error record (warnings
 * skipped when an error follows), its message and SQLSTATE, after what.
 */
static int
od_fail(SQLSMALLINT htype, SQLHANDLE h, ormc_error *err, const char *what)
{
	SQLCHAR state[6], msg[1024], best_state[6] = "";
	char best[1024] = "";
	SQLINTEGER native;
	SQLSMALLINT len, i;

	for (i = 1; i <= 10; i++) {
		SQLRETURN rc = SQLGetDiagRec(htype, h, i, state, &native, msg,
		                             (SQLSMALLINT)sizeof(msg), &len);

		if (!SQL_SUCCEEDED(rc))
			break;
		if (best[0] == '\0' || strncmp((char *)best_state, "01", 2) == 0) {
			snprintf(best, sizeof(best), "%s", (char *)msg);
			memcpy(best_state, state, sizeof(state));
			if (strncmp((char *)state, "01", 2) != 0)
				break;
		}
	}
	tidy(best);
	if (best[0] == '\0')
		snprintf(best, sizeof(best), "the ODBC driver gave no reason");
	ormc_error_set(err, ORMC_EDRIVER, NULL, -1, 0, "%s%s%s",
	               what ? what : "", what ? ": " : "", best);
	if (err != NULL && strlen((char *)best_state) == 5)
		memcpy(err->sqlstate, best_state, 6);
	return ORMC_EDRIVER;
}

static int
nomem(ormc_error *err)
{
	return ormc_error_set(err, ORMC_ENOMEM, NULL, -1, 0, "out of memory");
}

/* ---- connecting --------------------------------------------------------- */

/* Does the key name a password ("PWD", "Password", "SSLPassword", ...)? */
static int
secret_key(const char *key, size_t len)
{
	static const char *const words[] = { "PWD", "PASSWORD" };
	size_t w, i, j;

	for (w = 0; w < sizeof(words) / sizeof(words[0]); w++) {
		size_t wl = strlen(words[w]);

		for (i = 0; i + wl <= len; i++) {
			for (j = 0; j < wl; j++)
				if (toupper((unsigned char)key[i + j]) != words[w][j])
					break;
			if (j == wl)
				return 1;
		}
	}
	return 0;
}

/*
 * Copy the connection string s into out (size n) with the values of PWD=,
 * PASSWORD= and the like replaced by ***. Values may be {braced}, with }}
 * for }.
 */
static void
mask_password(const char *s, char *out, size_t n)
{
	size_t o = 0;

#define OUT(c) do { if (o + 1 < n) out[o++] = (c); } while (0)
	while (*s) {
		const char *k = s, *ke;
		int secret;

		while (*s && *s != '=' && *s != ';')
			s++;
		ke = s;
		while (k < ke && isspace((unsigned char)*k)) {
			OUT(*k);
			k++;
		}
		{
			const char *kt = ke;

			while (kt > k && isspace((unsigned char)kt[-1]))
				kt--;
			secret = secret_key(k, (size_t)(kt - k));
		}
		for (; k < ke; k++)
			OUT(*k);
		if (*s == '=') {
			const char *v = ++s;

			OUT('=');
			while (*v == ' ')
				v++;
			if (*v == '{') {
				for (v++; *v; v++) {
					if (*v == '}') {
						if (v[1] != '}')
							break;
						v++;
					}
				}
				if (*v == '}')
					v++;
			}
			while (*v && *v != ';')
				v++;
			if (secret) {
				OUT('*'); OUT('*'); OUT('*');
			} else {
				for (; s < v; s++)
					OUT(*s);
			}
			s = v;
		}
		if (*s == ';') {
			OUT(*s);
			s++;
		}
	}
	out[o] = '\0';
#undef OUT
}

/*
 * "15.00.0004" (psqlODBC), "10.11.000019" (MariaDB), "3.39.3" (SQLite),
 * "5.5.5-10.11.6-MariaDB" (old MariaDB servers behind a MySQL prefix):
 * major*10000 + minor*100 + patch, each part clamped to 0..99.
 */
static int
parse_version(const char *s)
{
	long part[3] = { 0, 0, 0 };
	int i;

	if (strncmp(s, "5.5.5-", 6) == 0)
		s += 6;
	while (*s && !isdigit((unsigned char)*s))
		s++;
	for (i = 0; i < 3 && isdigit((unsigned char)*s); i++) {
		while (isdigit((unsigned char)*s)) {
			if (part[i] < 1000000)
				part[i] = part[i] * 10 + (*s - '0');
			s++;
		}
		if (*s != '.')
			break;
		s++;
	}
	if (part[0] > 9999)
		part[0] = 9999;
	if (part[1] > 99)
		part[1] = 99;
	if (part[2] > 99)
		part[2] = 99;
	return (int)(part[0] * 10000 + part[1] * 100 + part[2]);
}

static int
contains_ci(const char *s, const char *word)
{
	size_t n = strlen(word), i;

	for (; *s; s++) {
		for (i = 0; i < n; i++)
			if (tolower((unsigned char)s[i]) != word[i])
				break;
		if (i == n)
			return 1;
	}
	return 0;
}

/* Run sql without parameters or rows (session settings). */
static int
exec_simple(od_conn *c, const char *sql, ormc_error *err)
{
	SQLHSTMT st = SQL_NULL_HSTMT;
	SQLRETURN rc;
	int ret = ORMC_OK;

	rc = SQLAllocHandle(SQL_HANDLE_STMT, c->dbc, &st);
	if (!SQL_SUCCEEDED(rc))
		return od_fail(SQL_HANDLE_DBC, c->dbc, err,
		               "cannot allocate an ODBC statement");
	rc = SQLExecDirect(st, (SQLCHAR *)(uintptr_t)sql, SQL_NTS);
	if (!SQL_SUCCEEDED(rc) && rc != SQL_NO_DATA) {
		char what[160];

		snprintf(what, sizeof(what), "%.120s", sql);
		ret = od_fail(SQL_HANDLE_STMT, st, err, what);
	}
	SQLFreeHandle(SQL_HANDLE_STMT, st);
	return ret;
}

/* The first column of the first row of sql as text into buf, "" if none. */
static void
query_text(od_conn *c, const char *sql, char *buf, size_t n)
{
	SQLHSTMT st = SQL_NULL_HSTMT;
	SQLLEN ind = 0;

	buf[0] = '\0';
	if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_STMT, c->dbc, &st)))
		return;
	if (SQL_SUCCEEDED(SQLExecDirect(st, (SQLCHAR *)(uintptr_t)sql, SQL_NTS)) &&
	    SQL_SUCCEEDED(SQLFetch(st)) &&
	    (!SQL_SUCCEEDED(SQLGetData(st, 1, SQL_C_CHAR, buf, (SQLLEN)n, &ind)) ||
	     ind == SQL_NULL_DATA))
		buf[0] = '\0';
	SQLFreeHandle(SQL_HANDLE_STMT, st);
}

static int
setup_session(od_conn *c, ormc_error *err)
{
	static const char *const pg[] = {
		"SET DateStyle = 'ISO'",
		"SET IntervalStyle = 'postgres'",
		"SET TimeZone = 'UTC'",
		"SET extra_float_digits = 3",
		NULL
	};
	static const char *const my[] = {
		/* split_materialized loses rows on MariaDB, as in the native driver */
		"SET SESSION time_zone = '+00:00'"
		" /*M!100300 , SESSION optimizer_switch = 'split_materialized=off' */",
		/* modes that change what ormc's SQL means, as the native driver */
		"SET SESSION sql_mode = TRIM(BOTH ',' FROM REPLACE(REPLACE(REPLACE("
		"CONCAT(',', @@SESSION.sql_mode, ','), ',NO_BACKSLASH_ESCAPES,', ','), "
		"',ANSI_QUOTES,', ','), ',PIPES_AS_CONCAT,', ','))",
		"SET SESSION sql_mode = IF(FIND_IN_SET('ONLY_FULL_GROUP_BY', "
		"@@SESSION.sql_mode), @@SESSION.sql_mode, CONCAT_WS(',', "
		"NULLIF(@@SESSION.sql_mode, ''), 'ONLY_FULL_GROUP_BY'))",
		NULL
	};
	const char *const *list = NULL;
	int i, rc;

	if (strcmp(c->dialect, "postgresql") == 0)
		list = pg;
	else if (strcmp(c->dialect, "mysql") == 0)
		list = my;
	for (i = 0; list != NULL && list[i] != NULL; i++)
		if ((rc = exec_simple(c, list[i], err)) < 0)
			return rc;
	return ORMC_OK;
}

/* Ask the data source what it is; fill dialect, version and quirks. */
static void
identify(od_conn *c)
{
	char name[128] = "", ver[128] = "", drv[128] = "";
	SQLSMALLINT len;
	size_t i;

	SQLGetInfo(c->dbc, SQL_DBMS_NAME, name, (SQLSMALLINT)sizeof(name), &len);
	SQLGetInfo(c->dbc, SQL_DBMS_VER, ver, (SQLSMALLINT)sizeof(ver), &len);
	SQLGetInfo(c->dbc, SQL_DRIVER_NAME, drv, (SQLSMALLINT)sizeof(drv), &len);
	c->version = parse_version(ver);
	if (contains_ci(name, "postgres")) {
		snprintf(c->dialect, sizeof(c->dialect), "postgresql");
		c->pg = 1;
	} else if (contains_ci(name, "mysql") || contains_ci(name, "mariadb")) {
		/* MariaDB Connector/ODBC says "MariaDB" or "MySQL" */
		snprintf(c->dialect, sizeof(c->dialect), "mysql");
	} else if (contains_ci(name, "sqlite")) {
		snprintf(c->dialect, sizeof(c->dialect), "sqlite");
		c->loose = 1;
		/* SQL_DBMS_VER is the version SQLite ODBC was built with */
		query_text(c, "SELECT sqlite_version()", ver, sizeof(ver));
		if (ver[0] != '\0')
			c->version = parse_version(ver);
	} else {
		for (i = 0; name[i] && i + 1 < sizeof(c->dialect); i++)
			c->dialect[i] = (char)tolower((unsigned char)name[i]);
		c->dialect[i] = '\0';
		if (i == 0)
			snprintf(c->dialect, sizeof(c->dialect), "unknown");
		c->loose = 1;
	}
	/* psqlODBC re-reads a row of a block after SQLSetPos correctly */
	c->reread = contains_ci(drv, "psqlodbc");
}

static void
free_conn(od_conn *c)
{
	if (c->dbc != SQL_NULL_HDBC)
		SQLFreeHandle(SQL_HANDLE_DBC, c->dbc);
	if (c->env != SQL_NULL_HENV)
		SQLFreeHandle(SQL_HANDLE_ENV, c->env);
	free(c);
}

static int
od_connect(ormc_conn **out, const char *url, ormc_error *err)
{
	const char *cs;
	char shown[256], what[300];
	od_conn *c;
	SQLRETURN rc;
	size_t len;
	int ret;

	*out = NULL;
	cs = strchr(url, ':');   /* the core matched the scheme before it */
	if (cs == NULL)
		return ormc_error_set(err, ORMC_ENODRIVER, NULL, -1, 0,
		                      "not an ODBC URL");
	cs++;
	while (*cs == ' ')
		cs++;
	if (*cs == '\0') {
		ormc_error_set(err, ORMC_EDRIVER, NULL, -1, 0,
		               "no ODBC connection string after \"odbc:\"");
		ormc_error_hint(err, "Write odbc:DSN=name or "
		                "odbc:Driver={name};Server=host;Database=db;...");
		return ORMC_EDRIVER;
	}
	len = strlen(cs);
	mask_password(cs, shown, sizeof(shown));
	if (strlen(shown) > 240)   /* leave room for the reason */
		memcpy(shown + 237, "...", 4);
	if (len > 32767)
		return ormc_error_set(err, ORMC_EDRIVER, NULL, -1, 0,
		                      "ODBC connection string too long");
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return nomem(err);
	c->base.driver = &ormc_driver_odbc;
	c->env = SQL_NULL_HENV;
	c->dbc = SQL_NULL_HDBC;
	rc = SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &c->env);
	if (!SQL_SUCCEEDED(rc)) {
		c->env = SQL_NULL_HENV;
		free_conn(c);
		return ormc_error_set(err, ORMC_EDRIVER, NULL, -1, 0,
		                      "cannot allocate an ODBC environment");
	}
	rc = SQLSetEnvAttr(c->env, SQL_ATTR_ODBC_VERSION,
	                   (SQLPOINTER)(uintptr_t)SQL_OV_ODBC3, 0);
	if (SQL_SUCCEEDED(rc))
		rc = SQLAllocHandle(SQL_HANDLE_DBC, c->env, &c->dbc);
	if (!SQL_SUCCEEDED(rc)) {
		od_fail(SQL_HANDLE_ENV, c->env, err, "cannot set up ODBC");
		c->dbc = SQL_NULL_HDBC;
		free_conn(c);
		return ORMC_EDRIVER;
	}
	rc = SQLDriverConnect(c->dbc, NULL, (SQLCHAR *)(uintptr_t)cs,
	                      (SQLSMALLINT)len, NULL, 0, NULL,
	                      SQL_DRIVER_NOPROMPT);
	if (!SQL_SUCCEEDED(rc)) {
		snprintf(what, sizeof(what), "cannot connect to \"%s\"", shown);
		od_fail(SQL_HANDLE_DBC, c->dbc, err, what);
		free_conn(c);
		return ORMC_EDRIVER;
	}
	identify(c);
	if ((ret = setup_session(c, err)) < 0) {
		SQLDisconnect(c->dbc);
		free_conn(c);
		return ret;
	}
	*out = &c->base;
	return ORMC_OK;
}

static const char *
od_dialect(ormc_conn *conn, int *server_version)
{
	od_conn *c = (od_conn *)conn;

	if (server_version != NULL)
		*server_version = c->version;
	return c->dialect;
}

/* ---- executing ---------------------------------------------------------- */

/*
 * Done with the result of st: execute()'s own handle is freed; a prepared
 * statement's (borrowed) is closed and its columns unbound, since their
 * buffers go with the cursor, and kept for the next execution.
 */
static void
release_stmt(SQLHSTMT st, int borrowed)
{
	if (!borrowed) {
		SQLFreeHandle(SQL_HANDLE_STMT, st);
		return;
	}
	SQLFreeStmt(st, SQL_CLOSE);
	SQLFreeStmt(st, SQL_UNBIND);
	SQLSetStmtAttr(st, SQL_ATTR_ROWS_FETCHED_PTR, NULL, 0);
	SQLSetStmtAttr(st, SQL_ATTR_ROW_STATUS_PTR, NULL, 0);
}

static void
free_cursor(od_cursor *q)
{
	int i;

	if (q->stmt != SQL_NULL_HSTMT)
		release_stmt(q->stmt, q->ps != NULL && !q->failed);
	if (q->ps != NULL) {
		q->ps->cur = NULL;
		if (q->failed)   /* freed: prepared again (see the top) */
			q->ps->stmt = SQL_NULL_HSTMT;
	}
	if (q->cols != NULL) {
		for (i = 0; i < q->base.ncols; i++) {
			free(q->cols[i].name);
			free(q->cols[i].data);
			free(q->cols[i].ind);
			free(q->cols[i].big);
		}
		free(q->cols);
	}
	free(q->row);
	free(q->status);
	free(q);
}

/* Column i's name, C type and cell width, from SQLDescribeCol. */
static int
describe(od_conn *c, od_cursor *q, int i, ormc_error *err)
{
	od_col *col = &q->cols[i];
	SQLCHAR name[256];
	SQLSMALLINT namelen = 0, type = 0, digits = 0, nullable = 0;
	SQLULEN size = 0;
	SQLLEN uns = SQL_FALSE;
	SQLRETURN rc;
	int chars = 0, longtype = 0;

	rc = SQLDescribeCol(q->stmt, (SQLUSMALLINT)(i + 1), name,
	                    (SQLSMALLINT)sizeof(name), &namelen, &type, &size,
	                    &digits, &nullable);
	if (!SQL_SUCCEEDED(rc))
		return od_fail(SQL_HANDLE_STMT, q->stmt, err,
		               "cannot describe a result column");
	if (namelen < 0)
		namelen = 0;
	col->name = malloc((size_t)namelen + 1);
	if (col->name == NULL)
		return nomem(err);
	if ((size_t)namelen < sizeof(name)) {
		memcpy(col->name, name, (size_t)namelen + 1);
	} else {   /* longer than the buffer: ask again */
		SQLSMALLINT got = 0;

		rc = SQLColAttribute(q->stmt, (SQLUSMALLINT)(i + 1), SQL_DESC_NAME,
		                     col->name, (SQLSMALLINT)(namelen + 1), &got,
		                     NULL);
		if (!SQL_SUCCEEDED(rc))
			memcpy(col->name, name, sizeof(name));
		col->name[namelen] = '\0';
	}

	col->ctype = SQL_C_CHAR;
	col->type = ORMC_TYPE_TEXT;
	if (c->loose && (type == SQL_BIT || type == SQL_TINYINT ||
	                 type == SQL_SMALLINT || type == SQL_INTEGER ||
	                 type == SQL_BIGINT || type == SQL_REAL ||
	                 type == SQL_FLOAT || type == SQL_DOUBLE)) {
		/*
		 * SQLite ODBC types an expression column by its first value:
		 * SUM() is SQL_INTEGER when the first sum is 75 and the next
		 * 75.5. Numbers are therefore read as text and typed one by one.
		 */
		col->numeric_text = 1;
		col->type = type == SQL_BIT ? ORMC_TYPE_BOOL : ORMC_TYPE_INT;
		col->width = NUMBER_WIDTH;
		return ORMC_OK;
	}
	switch (type) {
	case SQL_BIT:
		col->ctype = SQL_C_BIT;
		col->type = ORMC_TYPE_BOOL;
		col->width = 1;
		return ORMC_OK;
	case SQL_BIGINT:
		SQLColAttribute(q->stmt, (SQLUSMALLINT)(i + 1), SQL_DESC_UNSIGNED,
		                NULL, 0, NULL, &uns);
		if (uns == SQL_TRUE) {   /* may not fit int64: as text */
			col->is_unsigned = 1;
			col->type = ORMC_TYPE_INT;
			col->width = 32;
			return ORMC_OK;
		}
		/* fall through */
	case SQL_TINYINT:
	case SQL_SMALLINT:
	case SQL_INTEGER:
		col->ctype = SQL_C_SBIGINT;
		col->type = ORMC_TYPE_INT;
		col->width = (SQLLEN)sizeof(SQLBIGINT);
		return ORMC_OK;
	case SQL_REAL:
	case SQL_FLOAT:
	case SQL_DOUBLE:
		col->ctype = SQL_C_DOUBLE;
		col->type = ORMC_TYPE_FLOAT;
		col->width = (SQLLEN)sizeof(SQLDOUBLE);
		return ORMC_OK;
	case SQL_DECIMAL:
	case SQL_NUMERIC:
		col->type = ORMC_TYPE_DECIMAL;
		break;
	case SQL_TYPE_DATE:
	case SQL_DATE:
		col->type = ORMC_TYPE_DATE;
		break;
	case SQL_TYPE_TIMESTAMP:
	case SQL_TIMESTAMP:
		col->type = ORMC_TYPE_DATETIME;
		break;
	case SQL_TYPE_TIME:
	case SQL_TIME:
		col->type = ORMC_TYPE_TIME;
		break;
	case SQL_GUID:
		col->guid = 1;
		break;
	case SQL_BINARY:
	case SQL_VARBINARY:
		col->ctype = SQL_C_BINARY;
		break;
	case SQL_LONGVARBINARY:
		col->ctype = SQL_C_BINARY;
		longtype = 1;
		break;
	case SQL_LONGVARCHAR:
	case SQL_WLONGVARCHAR:
		longtype = 1;
		break;
	case SQL_CHAR:
	case SQL_VARCHAR:
	case SQL_WCHAR:
	case SQL_WVARCHAR:
		chars = 1;
		break;
	default:
		break;
	}
	/* text: size is in characters, up to 4 bytes each in UTF-8 */
	if (longtype || size == 0 || size > CELL_CAP || c->loose) {
		col->capped = 1;
		col->width = CELL_CAP;
	} else if (col->ctype == SQL_C_BINARY) {
		col->width = (SQLLEN)size;
	} else {
		col->width = (SQLLEN)(chars ? size * 4 + 1 : size + 40);
		if (col->width > CELL_CAP) {
			col->capped = 1;
			col->width = CELL_CAP;
		}
	}
	if (col->width < 1)
		col->width = 1;
	return ORMC_OK;
}

/* Describe the columns, size the block, bind the buffers. */
static int
setup_fetch(od_conn *c, od_cursor *q, ormc_error *err)
{
	SQLULEN rows, got = 0;
	size_t rowbytes = 0;
	int i, capped = 0, rc;

	for (i = 0; i < q->base.ncols; i++) {
		if ((rc = describe(c, q, i, err)) < 0)
			return rc;
		capped |= q->cols[i].capped;
		rowbytes += (size_t)q->cols[i].width + sizeof(SQLLEN);
	}
	/*
	 * A capped cell is read whole with SQLGetData on the current row:
	 * inside a block that needs SQLSetPos, which only some drivers do.
	 */
	if (capped && !c->reread) {
		rows = 1;
	} else {
		rows = BLOCK_BUDGET / (rowbytes > 0 ? rowbytes : 1);
		if (rows > FETCH_ROWS)
			rows = FETCH_ROWS;
		if (rows < 1)
			rows = 1;
	}
	SQLSetStmtAttr(q->stmt, SQL_ATTR_ROW_BIND_TYPE,
	               (SQLPOINTER)(uintptr_t)SQL_BIND_BY_COLUMN, 0);
	if (!SQL_SUCCEEDED(SQLSetStmtAttr(q->stmt, SQL_ATTR_ROW_ARRAY_SIZE,
	                                  (SQLPOINTER)(uintptr_t)rows, 0)))
		rows = 1;
	/* the driver may have settled for fewer (01S02) */
	if (SQL_SUCCEEDED(SQLGetStmtAttr(q->stmt, SQL_ATTR_ROW_ARRAY_SIZE, &got,
	                                 0, NULL)) && got >= 1 && got < rows)
		rows = got;
	q->rows = rows;
	q->reread = c->reread;
	q->status = calloc(rows, sizeof(SQLUSMALLINT));
	if (q->status == NULL)
		return nomem(err);
	if (!SQL_SUCCEEDED(SQLSetStmtAttr(q->stmt, SQL_ATTR_ROWS_FETCHED_PTR,
	                                  &q->fetched, 0)) ||
	    !SQL_SUCCEEDED(SQLSetStmtAttr(q->stmt, SQL_ATTR_ROW_STATUS_PTR,
	                                  q->status, 0)))
		return od_fail(SQL_HANDLE_STMT, q->stmt, err,
		               "cannot set up fetching");
	for (i = 0; i < q->base.ncols; i++) {
		od_col *col = &q->cols[i];

		col->data = malloc(rows * (size_t)col->width);
		col->ind = calloc(rows, sizeof(SQLLEN));
		if (col->data == NULL || col->ind == NULL)
			return nomem(err);
		if (!SQL_SUCCEEDED(SQLBindCol(q->stmt, (SQLUSMALLINT)(i + 1),
		                              col->ctype, col->data, col->width,
		                              col->ind)))
			return od_fail(SQL_HANDLE_STMT, q->stmt, err,
			               "cannot bind a result column");
	}
	return ORMC_OK;
}

/* Fetch the next block into the bound buffers. */
static int
fetch_block(od_cursor *q, ormc_error *err)
{
	SQLRETURN rc;

	q->fetched = 0;
	q->pos = 0;
	rc = SQLFetch(q->stmt);
	q->nfetch++;
	if (rc == SQL_NO_DATA) {
		q->done = 1;
		return ORMC_OK;
	}
	if (!SQL_SUCCEEDED(rc)) {
		q->done = 1;
		q->fetched = 0;
		return od_fail(SQL_HANDLE_STMT, q->stmt, err, NULL);
	}
	if (q->fetched > q->rows)   /* a driver that ignored the pointer */
		q->fetched = q->rows;
	if (q->fetched == 0 && q->rows == 1)
		q->fetched = 1;
	return ORMC_OK;
}

/* A statement handle on c, without ODBC escape scanning. */
static int
new_stmt(od_conn *c, SQLHSTMT *st, ormc_error *err)
{
	if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_STMT, c->dbc, st))) {
		*st = SQL_NULL_HSTMT;
		return od_fail(SQL_HANDLE_DBC, c->dbc, err,
		               "cannot allocate an ODBC statement");
	}
	/* ormc's SQL has no ODBC {escapes}: a brace is just a brace */
	SQLSetStmtAttr(*st, SQL_ATTR_NOSCAN, (SQLPOINTER)(uintptr_t)SQL_NOSCAN_ON,
	               0);
	return ORMC_OK;
}

/*
 * Bind the parameters and run st: SQLExecDirect of sql, or SQLExecute of
 * the statement prepared on st when sql is NULL. The k-th marker takes
 * params[map ? map[k] : k], its value kept in slots until the execution.
 * *nodata: the driver said SQL_NO_DATA (a change of no rows).
 */
static int
run(SQLHSTMT st, const char *sql, const ormc_value *params, const int *map,
    int nbind, int pg, ormc_odbc_param *slots, int *nodata, ormc_error *err)
{
	SQLRETURN rc;
	int k, ret = ORMC_OK;

	*nodata = 0;
	for (k = 0; k < nbind && ret == ORMC_OK; k++) {
		const ormc_value *v = &params[map ? map[k] : k];
		int r = ormc_odbc_bind_one(st, (SQLUSMALLINT)(k + 1), v, &slots[k], pg);

		if (r == -2)
			ret = od_fail(SQL_HANDLE_STMT, st, err,
			              "cannot bind a parameter");
		else if (r < 0)
			ret = ormc_error_set(err, ORMC_EDRIVER, NULL, -1, 0,
			                     "cannot bind parameter %d: unsupported "
			                     "value type %d", (map ? map[k] : k) + 1,
			                     (int)v->type);
	}
	if (ret == ORMC_OK) {
		rc = sql != NULL ? SQLExecDirect(st, (SQLCHAR *)(uintptr_t)sql, SQL_NTS)
		                 : SQLExecute(st);
		if (rc == SQL_NO_DATA)
			*nodata = 1;
		else if (!SQL_SUCCEEDED(rc))
			ret = od_fail(SQL_HANDLE_STMT, st, err, NULL);
	}
	/* the parameters were read: drop them before their memory goes */
	SQLFreeStmt(st, SQL_RESET_PARAMS);
	return ret;
}

/*
 * After st ran: a cursor over its rows, or none for a statement without
 * rows. ps: the prepared statement st belongs to (the cursor borrows it),
 * or NULL (the cursor takes it over; freed here if there is none).
 */
static int
open_cursor(od_conn *c, SQLHSTMT st, od_prepared *ps, int nodata,
            ormc_cursor **out, ormc_error *err)
{
	SQLSMALLINT ncols = 0;
	od_cursor *q;
	int ret;

	if (nodata || !SQL_SUCCEEDED(SQLNumResultCols(st, &ncols)) || ncols <= 0) {
		release_stmt(st, ps != NULL);
		return ORMC_OK;
	}
	q = calloc(1, sizeof(*q));
	if (q == NULL) {
		release_stmt(st, ps != NULL);
		return nomem(err);
	}
	q->base.conn = &c->base;
	q->base.ncols = ncols;
	q->stmt = st;
	q->ps = ps;
	if (ps != NULL)
		ps->cur = q;
	q->cols = calloc((size_t)ncols, sizeof(od_col));
	q->row = calloc((size_t)ncols, sizeof(ormc_value));
	if (q->cols == NULL || q->row == NULL) {
		free_cursor(q);
		return nomem(err);
	}
	/* errors found at the first fetch surface here, as with the others */
	if ((ret = setup_fetch(c, q, err)) < 0 ||
	    (ret = fetch_block(q, err)) < 0) {
		q->failed = 1;
		free_cursor(q);
		return ret;
	}
	*out = &q->base;
	return ORMC_OK;
}

static int
od_execute(ormc_conn *conn, const char *sql, const ormc_value *params,
           int nparams, ormc_cursor **out, ormc_error *err)
{
	od_conn *c = (od_conn *)conn;
	SQLHSTMT st = SQL_NULL_HSTMT;
	ormc_odbc_param *slots = NULL;
	char *text = NULL;
	int *map = NULL, nbind = nparams, nodata = 0, ret;

	*out = NULL;
	if (c->pg && nparams > 0) {
		ret = ormc_odbc_rewrite_dollars(sql, nparams, &text, &map, &nbind,
		                                err);
		if (ret < 0)
			return ret;
		sql = text;
	}
	if (nbind > 0 && (slots = calloc((size_t)nbind, sizeof(*slots))) == NULL)
		ret = nomem(err);
	else
		ret = new_stmt(c, &st, err);
	if (ret == ORMC_OK)
		ret = run(st, sql, params, map, nbind, c->pg, slots, &nodata, err);
	free(slots);
	free(text);
	free(map);
	if (ret < 0) {
		if (st != SQL_NULL_HSTMT)
			SQLFreeHandle(SQL_HANDLE_STMT, st);
		return ret;
	}
	return open_cursor(c, st, NULL, nodata, out, err);
}

/* ---- prepared statements ------------------------------------------------ */

static void
free_prepared(od_prepared *ps)
{
	if (ps->stmt != SQL_NULL_HSTMT)
		SQLFreeHandle(SQL_HANDLE_STMT, ps->stmt);
	free(ps->sql);
	free(ps->map);
	free(ps->slots);
	free(ps);
}

/* SQLPrepare ps->sql on a new handle, unless it has one. */
static int
ready(od_conn *c, od_prepared *ps, ormc_error *err)
{
	int ret;

	if (ps->stmt != SQL_NULL_HSTMT)
		return ORMC_OK;
	if ((ret = new_stmt(c, &ps->stmt, err)) < 0)
		return ret;
	if (!SQL_SUCCEEDED(SQLPrepare(ps->stmt, (SQLCHAR *)ps->sql, SQL_NTS))) {
		ret = od_fail(SQL_HANDLE_STMT, ps->stmt, err, NULL);
		SQLFreeHandle(SQL_HANDLE_STMT, ps->stmt);
		ps->stmt = SQL_NULL_HSTMT;
		return ret;
	}
	return ORMC_OK;
}

static int
od_prepare(ormc_conn *conn, const char *sql, int nparams, ormc_prepared **out,
           ormc_error *err)
{
	od_conn *c = (od_conn *)conn;
	od_prepared *ps;
	int ret = ORMC_OK;

	*out = NULL;
	ps = calloc(1, sizeof(*ps));
	if (ps == NULL)
		return nomem(err);
	ps->base.conn = conn;
	ps->stmt = SQL_NULL_HSTMT;
	ps->nparams = nparams;
	ps->nbind = nparams;
	if (c->pg && nparams > 0)
		ret = ormc_odbc_rewrite_dollars(sql, nparams, &ps->sql, &ps->map,
		                                &ps->nbind, err);
	else if ((ps->sql = strdup(sql)) == NULL)
		ret = nomem(err);
	if (ret == ORMC_OK && ps->nbind > 0 &&
	    (ps->slots = calloc((size_t)ps->nbind, sizeof(*ps->slots))) == NULL)
		ret = nomem(err);
	if (ret == ORMC_OK)
		ret = ready(c, ps, err);
	if (ret < 0) {
		free_prepared(ps);
		return ret;
	}
	*out = &ps->base;
	return ORMC_OK;
}

static int
od_execute_prepared(ormc_prepared *p, const ormc_value *params, int nparams,
                    ormc_cursor **out, ormc_error *err)
{
	od_prepared *ps = (od_prepared *)p;
	od_conn *c = (od_conn *)p->conn;
	int nodata = 0, ret;

	*out = NULL;
	if (nparams != ps->nparams)
		return ormc_error_set(err, ORMC_EDRIVER, NULL, -1, 0,
		                      "statement has %d parameters, %d given",
		                      ps->nparams, nparams);
	if (ps->cur != NULL)
		return ormc_error_set(err, ORMC_EDRIVER, NULL, -1, 0,
		                      "the statement's previous result is still open");
	if ((ret = ready(c, ps, err)) < 0)
		return ret;
	ret = run(ps->stmt, NULL, params, ps->map, ps->nbind, c->pg, ps->slots,
	          &nodata, err);
	if (ret < 0) {
		/* prepared again next time (see the top) */
		SQLFreeHandle(SQL_HANDLE_STMT, ps->stmt);
		ps->stmt = SQL_NULL_HSTMT;
		return ret;
	}
	return open_cursor(c, ps->stmt, ps, nodata, out, err);
}

static void
od_finalize(ormc_prepared *p)
{
	od_prepared *ps = (od_prepared *)p;

	if (ps == NULL)
		return;
	if (ps->cur != NULL) {
		/* its cursor outlives the handle: it ends with the rows handed out */
		od_cursor *q = ps->cur;

		q->stmt = SQL_NULL_HSTMT;
		q->ps = NULL;
		q->done = 1;
		q->fetched = q->pos;
	}
	free_prepared(ps);
}

static const char *
od_column_name(ormc_cursor *cur, int col)
{
	od_cursor *q = (od_cursor *)cur;

	if (col < 0 || col >= cur->ncols)
		return NULL;
	return q->cols[col].name;
}

/* Make room for need bytes in col->big. */
static int
grow_big(od_col *col, size_t need)
{
	char *p;
	size_t cap = col->bigcap ? col->bigcap : 8192;

	if (need <= col->bigcap)
		return 0;
	while (cap < need)
		cap *= 2;
	p = realloc(col->big, cap);
	if (p == NULL)
		return -1;
	col->big = p;
	col->bigcap = cap;
	return 0;
}

/*
 * Read cell (r, i) whole with SQLGetData into col->big; *len gets its
 * length. In a block the row is selected with SQLSetPos first, and what
 * comes back must agree with the block (length and first bytes).
 */
static int
read_long(od_cursor *q, SQLULEN r, int i, size_t *len, ormc_error *err)
{
	od_col *col = &q->cols[i];
	SQLLEN total = col->ind[r], ind = 0;
	size_t got = 0, term = col->ctype == SQL_C_CHAR ? 1 : 0;
	SQLRETURN rc;

	if (q->rows > 1 && !q->reread)   /* a size the DBMS did not keep to */
		return ormc_error_set(err, ORMC_EDRIVER, NULL, -1, 0,
		                      "a value of column \"%s\" is longer than the "
		                      "column's size, and the ODBC driver cannot "
		                      "re-read it", col->name);
	if (q->rows > 1) {
		rc = SQLSetPos(q->stmt, (SQLSETPOSIROW)(r + 1), SQL_POSITION,
		               SQL_LOCK_NO_CHANGE);
		if (!SQL_SUCCEEDED(rc))
			return od_fail(SQL_HANDLE_STMT, q->stmt, err,
			               "cannot re-read a long value");
	}
	if (grow_big(col, total != SQL_NO_TOTAL && total >= 0 ?
	             (size_t)total + 1 : 8192) < 0)
		return nomem(err);
	for (;;) {
		size_t room = col->bigcap - got;

		rc = SQLGetData(q->stmt, (SQLUSMALLINT)(i + 1), col->ctype,
		                col->big + got, (SQLLEN)room, &ind);
		if (rc == SQL_NO_DATA)
			break;
		if (!SQL_SUCCEEDED(rc))
			return od_fail(SQL_HANDLE_STMT, q->stmt, err,
			               "cannot read a long value");
		if (ind == SQL_NULL_DATA)
			break;
		if (ind != SQL_NO_TOTAL && (size_t)ind + term <= room) {
			got += (size_t)ind;   /* the rest fitted */
			break;
		}
		/* the buffer is full: the rest follows on the next call */
		got += room - term;
		if (grow_big(col, ind != SQL_NO_TOTAL ?
		             got + (size_t)ind - (room - term) + 1 :
		             col->bigcap * 2) < 0)
			return nomem(err);
	}
	if (q->rows > 1 &&
	    ((total != SQL_NO_TOTAL && (SQLLEN)got != total) ||
	     got < (size_t)col->width - term ||
	     memcmp(col->big, col->data + r * (size_t)col->width,
	            (size_t)col->width - term) != 0))
		return ormc_error_set(err, ORMC_EDRIVER, NULL, -1, 0,
		                      "the ODBC driver re-read a different value "
		                      "for column \"%s\"", col->name);
	*len = got;
	return ORMC_OK;
}

/* "18446744073709551615": INT when it fits in int64, else DECIMAL text. */
static void
unsigned_cell(ormc_value *v, const char *s, size_t len)
{
	uint64_t x = 0;
	size_t i;

	v->s = s;
	v->len = len;
	v->type = ORMC_TYPE_DECIMAL;
	for (i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]) || x > (UINT64_MAX - 9) / 10)
			return;
		x = x * 10 + (uint64_t)(s[i] - '0');
	}
	if (len > 0 && x <= (uint64_t)INT64_MAX) {
		v->type = ORMC_TYPE_INT;
		v->i = (int64_t)x;
		v->s = NULL;
		v->len = 0;
	}
}

/*
 * A number as SQLite ODBC gives it: INT for integer text (BOOL for 0 or 1 in
 * a boolean column), FLOAT for other numeric text, else the text itself
 * (SQLite stores any value in any column).
 */
static void
number_cell(ormc_value *v, ormc_type type, const char *s, size_t len)
{
	char buf[NUMBER_WIDTH + 1], *end;
	long long i;
	double d;

	v->type = ORMC_TYPE_TEXT;
	v->s = s;
	v->len = len;
	if (len == 0 || len > NUMBER_WIDTH ||
	    !(isdigit((unsigned char)s[0]) || s[0] == '-' || s[0] == '+' ||
	      s[0] == '.'))
		return;
	memcpy(buf, s, len);
	buf[len] = '\0';
	errno = 0;
	i = strtoll(buf, &end, 10);
	if (*end == '\0' && errno == 0) {
		v->type = type == ORMC_TYPE_BOOL && (i == 0 || i == 1) ?
		          ORMC_TYPE_BOOL : ORMC_TYPE_INT;
		v->i = (int64_t)i;
	} else {
		d = strtod(buf, &end);
		if (*end != '\0')
			return;
		v->type = ORMC_TYPE_FLOAT;
		v->f = d;
	}
	v->s = NULL;
	v->len = 0;
}

static int
make_row(od_cursor *q, SQLULEN r, ormc_error *err)
{
	int i, rc;

	if (q->status[r] == SQL_ROW_ERROR)
		return od_fail(SQL_HANDLE_STMT, q->stmt, err, "cannot fetch a row");
	for (i = 0; i < q->base.ncols; i++) {
		od_col *col = &q->cols[i];
		ormc_value *v = &q->row[i];
		SQLLEN ind = col->ind[r];
		char *cell = col->data + r * (size_t)col->width;

		memset(v, 0, sizeof(*v));
		if (ind == SQL_NULL_DATA) {
			v->type = ORMC_TYPE_NULL;
			continue;
		}
		switch (col->ctype) {
		case SQL_C_SBIGINT: {
			SQLBIGINT x;

			memcpy(&x, cell, sizeof(x));
			v->type = ORMC_TYPE_INT;
			v->i = (int64_t)x;
			break;
		}
		case SQL_C_DOUBLE:
			memcpy(&v->f, cell, sizeof(v->f));
			v->type = ORMC_TYPE_FLOAT;
			break;
		case SQL_C_BIT:
			v->type = ORMC_TYPE_BOOL;
			v->i = cell[0] != 0;
			break;
		default: {
			SQLLEN avail = col->width - (col->ctype == SQL_C_CHAR);
			size_t len = 0;   /* set by read_long() when it succeeds */

			if (ind == SQL_NO_TOTAL || ind > avail) {
				if ((rc = read_long(q, r, i, &len, err)) < 0)
					return rc;
				cell = col->big;
			} else {
				len = ind >= 0 ? (size_t)ind : 0;
			}
			if (col->is_unsigned) {
				unsigned_cell(v, cell, len);
			} else if (col->numeric_text) {
				number_cell(v, col->type, cell, len);
			} else {
				if (col->guid) {
					size_t k;

					for (k = 0; k < len; k++)
						cell[k] = (char)tolower((unsigned char)cell[k]);
				}
				v->type = col->type;
				v->s = cell;
				v->len = len;
			}
			break;
		}
		}
	}
	return ORMC_OK;
}

static int
od_next(ormc_cursor *cur, const ormc_value **row, ormc_error *err)
{
	od_cursor *q = (od_cursor *)cur;
	int rc;

	*row = NULL;
	for (;;) {
		if (q->pos < q->fetched)
			break;
		if (q->done)
			return 0;
		if ((rc = fetch_block(q, err)) < 0) {
			q->failed = 1;
			return rc;
		}
	}
	rc = make_row(q, q->pos++, err);
	if (rc < 0) {
		q->done = 1;
		q->failed = 1;
		q->fetched = 0;
		return rc;
	}
	*row = q->row;
	return 1;
}

static void
od_close_cursor(ormc_cursor *cur)
{
	if (cur != NULL)
		free_cursor((od_cursor *)cur);
}

/* For the tests: SQLFetch calls so far and rows per block of an ODBC cursor. */
void ormc_odbc_cursor_stats(const ormc_cursor *cur, unsigned long *fetches,
                            unsigned long *rowset);

void
ormc_odbc_cursor_stats(const ormc_cursor *cur, unsigned long *fetches,
                       unsigned long *rowset)
{
	const od_cursor *q = (const od_cursor *)cur;

	*fetches = q->nfetch;
	*rowset = (unsigned long)q->rows;
}

/* ---- transactions ------------------------------------------------------- */

static int
od_begin(ormc_conn *conn, ormc_error *err)
{
	od_conn *c = (od_conn *)conn;
	SQLRETURN rc;

	rc = SQLSetConnectAttr(c->dbc, SQL_ATTR_AUTOCOMMIT,
	                       (SQLPOINTER)(uintptr_t)SQL_AUTOCOMMIT_OFF,
	                       SQL_IS_UINTEGER);
	if (!SQL_SUCCEEDED(rc))
		return od_fail(SQL_HANDLE_DBC, c->dbc, err,
		               "cannot start a transaction");
	return ORMC_OK;
}

/*
 * End the transaction and go back to autocommit. A failed commit is rolled
 * back, so the connection is never left inside a transaction.
 */
static int
end_txn(od_conn *c, SQLSMALLINT how, ormc_error *err)
{
	SQLRETURN rc;
	int ret = ORMC_OK;

	rc = SQLEndTran(SQL_HANDLE_DBC, c->dbc, how);
	if (!SQL_SUCCEEDED(rc)) {
		ret = od_fail(SQL_HANDLE_DBC, c->dbc, err, how == SQL_COMMIT ?
		              "cannot commit" : "cannot roll back");
		if (how == SQL_COMMIT)
			SQLEndTran(SQL_HANDLE_DBC, c->dbc, SQL_ROLLBACK);
	}
	rc = SQLSetConnectAttr(c->dbc, SQL_ATTR_AUTOCOMMIT,
	                       (SQLPOINTER)(uintptr_t)SQL_AUTOCOMMIT_ON,
	                       SQL_IS_UINTEGER);
	if (!SQL_SUCCEEDED(rc) && ret == ORMC_OK)
		ret = od_fail(SQL_HANDLE_DBC, c->dbc, err,
		              "cannot return to autocommit");
	return ret;
}

static int
od_commit(ormc_conn *conn, ormc_error *err)
{
	return end_txn((od_conn *)conn, SQL_COMMIT, err);
}

static int
od_rollback(ormc_conn *conn, ormc_error *err)
{
	return end_txn((od_conn *)conn, SQL_ROLLBACK, err);
}

static void
od_disconnect(ormc_conn *conn)
{
	od_conn *c = (od_conn *)conn;

	if (c == NULL)
		return;
	if (!SQL_SUCCEEDED(SQLDisconnect(c->dbc))) {
		/* 25000: a transaction is open; drop it and try again */
		SQLEndTran(SQL_HANDLE_DBC, c->dbc, SQL_ROLLBACK);
		SQLDisconnect(c->dbc);
	}
	free_conn(c);
}

const ormc_driver ormc_driver_odbc = {
	ORMC_DRIVER_VERSION,
	"odbc",
	"odbc",
	OD_LIBRARY,
	od_connect,
	od_dialect,
	od_execute,
	od_column_name,
	od_next,
	od_close_cursor,
	od_begin,
	od_commit,
	od_rollback,
	od_disconnect,
	od_prepare,
	od_execute_prepared,
	od_finalize,
	NULL,   /* copy_begin: bulk loads are multi-row INSERTs */
	NULL,
	NULL,
};
