/*
 * mysql.c -- the MySQL / MariaDB driver, on MariaDB Connector/C:
 * "mysql://user:pass@host:port/db?socket=/path" and "mariadb://...".
 *
 * URL. user, password, host and database are percent-decoded ("p%40ss" is
 * "p@ss"). A missing port is 3306. As everywhere in libmysql, host
 * "localhost" (or no host at all) means the server's Unix socket, at the
 * library's default path; write 127.0.0.1 for TCP. Options after '?':
 * socket=/path connects through that socket (the host is then ignored), and
 * connect_timeout=SECONDS. A host that decodes to a path ("%2Frun%2Fmysqld.
 * sock") is a socket too. Option files (my.cnf) are not read. The password
 * never appears in a message.
 *
 * Session. The connection speaks utf8mb4 and sets time_zone '+00:00', so
 * TIMESTAMP columns read the same everywhere. sql_mode is the server's,
 * with ONLY_FULL_GROUP_BY added (ormc's SQL must pass it, as on MySQL
 * 5.7+), STRICT_TRANS_TABLES added unless a strict mode is on (a fixture
 * value that does not fit fails instead of being cut, as Django's check
 * mysql.W002 asks), and the modes removed that change what ormc's SQL
 * means: ANSI_QUOTES and PIPES_AS_CONCAT (the dialect writes `names` and
 * CONCAT_WS), HIGH_NOT_PRECEDENCE, EMPTY_STRING_IS_NULL, the compound modes
 * that imply them (ANSI, ORACLE, ...), and NO_BACKSLASH_ESCAPES: the
 * dialect escapes LIKE patterns with a backslash and writes no ESCAPE
 * clause, relying on LIKE's default escape character, which that mode
 * turns off.
 *
 * Bulk loads (ormc copy) are LOAD DATA LOCAL INFILE served from memory,
 * never from a file: drivers/mysql_load.c.
 *
 * Statements. execute() prepares every statement (one per call) and binds
 * the parameters natively: INT/BOOL/DURATION as LONGLONG, FLOAT as DOUBLE,
 * DECIMAL as NEWDECIMAL text, the rest as strings. A statement the server
 * cannot prepare (ER_UNSUPPORTED_PS) runs through the text protocol
 * instead when it has no parameters. Statements without result columns run
 * to completion and give no cursor.
 *
 * Prepared statements. prepare() keeps the MYSQL_STMT that execute() would
 * make and close (or, for ER_UNSUPPORTED_PS, the text to run as execute()
 * runs it); execute_prepared() binds and executes it again, exactly as
 * execute() does, and its cursor borrows it: closing the cursor drops the
 * rows not read (mysql_stmt_free_result, which leaves it ready to execute
 * again without the round trip of a mysql_stmt_reset) and keeps it. A
 * statement whose result cannot be freed is closed and prepared again at
 * its next execution. finalize() closes it, but not while another
 * statement's rows are coming: Connector/C's mysql_stmt_close reads and
 * drops whatever result is pending on the connection, whoever's it is, so
 * it waits until that cursor is done.
 *
 * Rows are streamed: no mysql_stmt_store_result, so the server sends rows
 * as they are fetched, one at a time, into per-column buffers sized from
 * the metadata; a longer text grows its buffer and is fetched again with
 * mysql_stmt_fetch_column. The protocol has no way to stop a result half
 * way: closing a cursor early reads and drops the rest of its rows, and
 * while a cursor has rows left the connection can run nothing else (that
 * is refused with a clear message rather than the library's "Commands out
 * of sync"). A cursor frees the connection as soon as its last row is read.
 *
 * Cells. Integer columns (TINYINT(1) booleans too: the core makes them
 * bools by the column's Django type) are INT, an unsigned BIGINT above
 * INT64_MAX is DECIMAL text; DOUBLE is FLOAT, and a single-precision FLOAT
 * is read as the shortest decimal that gives it back (0.1, not the
 * 0.100000001490116 of a plain conversion); DECIMAL is DECIMAL text; DATE,
 * DATETIME, TIMESTAMP and TIME are ISO text ("2026-11-21 10:00:00[.ffffff]",
 * the fraction only when not zero); a zero or partly zero date
 * ("0000-00-00") is NULL, as mysqlclient gives it to Django; everything
 * else (strings, BLOBs, BIT, JSON) is TEXT bytes.
 *
 * The server version is mysql_get_server_version(): MariaDB's 10.11.6 is
 * 101106 and MySQL's 8.0.36 is 80036; the dialect is "mysql" for both.
 * mysql_library_init() is called on every connect: Connector/C runs it once
 * under pthread_once, so connecting from several threads is safe.
 */
#define _POSIX_C_SOURCE 200809L

#include <mysql.h>
#include <mysqld_error.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/db.h"
#include "core/error.h"
#include "mysql_int.h"

#define MY_DEFAULT_PORT 3306
#define MY_TEXT_MIN 32          /* initial text buffer bounds, bytes */
#define MY_TEXT_MAX 1024

struct my_prepared {
	ormc_prepared base;      /* first */
	MYSQL_STMT *stmt;        /* NULL: run as text, or to be prepared again */
	char *sql;
	int nparams;
	int text;                /* the server will not prepare it: text protocol */
	my_cursor *cur;          /* the open cursor that borrows stmt */
	my_prepared *next;       /* on the connection's stale list */
};

/* How a column's value is bound and turned into a cell. */
typedef enum my_kind {
	MY_INT, MY_DOUBLE, MY_FLOAT, MY_DECIMAL, MY_DATE, MY_DATETIME, MY_TIME,
	MY_TEXT
} my_kind;

typedef struct my_col {
	my_kind kind;
	union {
		long long i;
		double d;
		float f;
		MYSQL_TIME t;
	} num;
	char *buf;               /* MY_TEXT, MY_DECIMAL */
	size_t cap;
	char fmt[64];            /* formatted dates, big unsigned integers */
	unsigned long length;
	my_bool is_null;
	my_bool error;           /* truncated */
} my_col;

struct my_cursor {
	ormc_cursor base;        /* first */
	my_conn *c;              /* NULL once the connection is gone */
	MYSQL_STMT *stmt;        /* binary protocol; NULL when done */
	my_prepared *ps;         /* stmt is this prepared statement's, or NULL */
	MYSQL_RES *res;          /* text protocol (fallback), or NULL */
	MYSQL_BIND *binds;       /* base.ncols */
	my_col *cols;
	char **names;            /* copies: valid until close */
	ormc_value *row;
	int done;
};

/* ---- errors ------------------------------------------------------------- */

static void
set_sqlstate(ormc_error *err, const char *state)
{
	if (err == NULL || state == NULL || strlen(state) != 5 ||
	    strcmp(state, "00000") == 0)
		return;
	memcpy(err->sqlstate, state, 6);
}

static int
conn_fail(MYSQL *db, ormc_error *err)
{
	ormc_error_set(err, ORMC_EDRIVER, NULL, -1, 0, "%s", mysql_error(db));
	set_sqlstate(err, mysql_sqlstate(db));
	return ORMC_EDRIVER;
}

static int
stmt_fail(MYSQL_STMT *stmt, ormc_error *err)
{
	ormc_error_set(err, ORMC_EDRIVER, NULL, -1, 0, "%s",
	               mysql_stmt_error(stmt));
	set_sqlstate(err, mysql_stmt_sqlstate(stmt));
	return ORMC_EDRIVER;
}

static int
no_memory(ormc_error *err)
{
	return ormc_error_set(err, ORMC_ENOMEM, NULL, -1, 0, "out of memory");
}

/* ---- URL ---------------------------------------------------------------- */

typedef struct my_url {
	char *mem;               /* every decoded part lives here */
	char *w;                 /* next free byte of mem */
	const char *user, *password, *host, *db, *socket;
	unsigned port;
	unsigned timeout;        /* seconds; 0: the library's default */
} my_url;

static int
hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* Percent-decode [s, end) into u->mem; NULL on a bad escape or a %00. */
static const char *
decode(my_url *u, const char *s, const char *end)
{
	char *start = u->w;

	while (s < end) {
		if (*s == '%') {
			int hi = end - s >= 3 ? hexval((unsigned char)s[1]) : -1;

			if (hi < 0 || hexval((unsigned char)s[2]) < 0)
				return NULL;
			*u->w = (char)(hi * 16 + hexval((unsigned char)s[2]));
			if (*u->w == '\0')
				return NULL;
			u->w++;
			s += 3;
		} else {
			*u->w++ = *s++;
		}
	}
	*u->w++ = '\0';
	return start;
}

static int
bad_url(ormc_error *err, const char *what)
{
	ormc_error_set(err, ORMC_EDRIVER, NULL, -1, 0, "invalid MySQL URL: %s",
	               what);
	ormc_error_hint(err, "Write mysql://USER:PASSWORD@HOST:PORT/DATABASE"
	                "[?socket=PATH], percent-encoding special characters.");
	return ORMC_EDRIVER;
}

static int
parse_number(const char *s, const char *end, unsigned max, unsigned *out)
{
	unsigned long v = 0;

	if (s == end)
		return -1;
	for (; s < end; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (unsigned long)(*s - '0');
		if (v > max)
			return -1;
	}
	*out = (unsigned)v;
	return 0;
}

static int
parse_options(my_url *u, const char *q, ormc_error *err)
{
	while (*q) {
		const char *end = q + strcspn(q, "&");
		const char *eq = memchr(q, '=', (size_t)(end - q));
		const char *val;
		size_t klen;

		if (end == q) {
			q++;
			continue;
		}
		if (eq == NULL)
			eq = end;
		klen = (size_t)(eq - q);
		val = decode(u, eq < end ? eq + 1 : end, end);
		if (val == NULL)
			return bad_url(err, "bad percent-escape in an option");
		if (klen == 6 && strncmp(q, "socket", 6) == 0) {
			if (*val == '\0')
				return bad_url(err, "empty socket path");
			u->socket = val;
		} else if (klen == 15 && strncmp(q, "connect_timeout", 15) == 0) {
			if (parse_number(val, val + strlen(val), 86400, &u->timeout) < 0)
				return bad_url(err, "connect_timeout must be a number "
				               "of seconds");
		} else {
			ormc_error_set(err, ORMC_EDRIVER, NULL, -1, 0,
			               "invalid MySQL URL: unknown option '%.*s'",
			               (int)klen, q);
			ormc_error_hint(err, "Options: socket=PATH, "
			                "connect_timeout=SECONDS.");
			return ORMC_EDRIVER;
		}
		q = *end ? end + 1 : end;
	}
	return ORMC_OK;
}

static int
parse_url(const char *url, my_url *u, ormc_error *err)
{
	const char *p = strchr(url, ':');
	const char *auth, *auth_end, *at = NULL, *hp, *hend, *colon, *q;
	size_t n = strlen(url);

	memset(u, 0, sizeof(*u));
	u->port = MY_DEFAULT_PORT;
	if (p == NULL || strncmp(p, "://", 3) != 0)
		return bad_url(err, "it must start with mysql:// or mariadb://");
	u->mem = malloc(n + 16);   /* decoded parts are never longer */
	if (u->mem == NULL)
		return no_memory(err);
	u->w = u->mem;
	auth = p + 3;
	auth_end = auth + strcspn(auth, "/?");

	/* user[:password]@, up to the authority's last '@' */
	for (q = auth; q < auth_end; q++)
		if (*q == '@')
			at = q;
	hp = auth;
	if (at != NULL) {
		colon = memchr(auth, ':', (size_t)(at - auth));
		u->user = decode(u, auth, colon ? colon : at);
		if (u->user == NULL)
			return bad_url(err, "bad percent-escape in the user name");
		if (colon != NULL) {
			u->password = decode(u, colon + 1, at);
			if (u->password == NULL)
				return bad_url(err, "bad percent-escape in the "
				               "password");
		}
		if (*u->user == '\0')
			u->user = NULL;
		hp = at + 1;
	}

	/* host[:port], the host possibly [an:ipv6::address] */
	if (hp < auth_end && *hp == '[') {
		hend = memchr(hp, ']', (size_t)(auth_end - hp));
		if (hend == NULL)
			return bad_url(err, "unclosed '[' in the host");
		u->host = decode(u, hp + 1, hend);
		hend++;
		if (hend < auth_end && *hend != ':')
			return bad_url(err, "junk after the ']' of the host");
		colon = hend < auth_end ? hend : NULL;
	} else {
		colon = memchr(hp, ':', (size_t)(auth_end - hp));
		hend = colon ? colon : auth_end;
		u->host = decode(u, hp, hend);
	}
	if (u->host == NULL)
		return bad_url(err, "bad percent-escape in the host");
	if (*u->host == '\0')
		u->host = NULL;
	if (colon != NULL && colon + 1 < auth_end &&
	    parse_number(colon + 1, auth_end, 65535, &u->port) < 0)
		return bad_url(err, "the port must be a number up to 65535");
	if (u->host != NULL && u->host[0] == '/') {
		u->socket = u->host;
		u->host = NULL;
	}

	/* /database */
	q = auth_end;
	if (*q == '/') {
		const char *dend = q + 1 + strcspn(q + 1, "?");

		u->db = decode(u, q + 1, dend);
		if (u->db == NULL)
			return bad_url(err, "bad percent-escape in the database "
			               "name");
		if (*u->db == '\0')
			u->db = NULL;
		q = dend;
	}
	if (*q == '?')
		return parse_options(u, q + 1, err);
	return ORMC_OK;
}

/* "127.0.0.1:3306" or "socket /run/mysqld/mysqld.sock", for messages. */
static void
describe(const my_url *u, char *buf, size_t n)
{
	if (u->socket != NULL)
		snprintf(buf, n, "socket %s", u->socket);
	else if (u->host == NULL || strcmp(u->host, "localhost") == 0)
		snprintf(buf, n, "localhost (default socket)");
	else if (strchr(u->host, ':') != NULL)
		snprintf(buf, n, "[%s]:%u", u->host, u->port);
	else
		snprintf(buf, n, "%s:%u", u->host, u->port);
}

/* ---- session ------------------------------------------------------------ */

/* Modes that change what the dialect's SQL means (see the header). */
static const char *const bad_modes[] = {
	"ANSI", "ANSI_QUOTES", "DB2", "EMPTY_STRING_IS_NULL",
	"HIGH_NOT_PRECEDENCE", "MAXDB", "MSSQL", "NO_BACKSLASH_ESCAPES",
	"ORACLE", "PIPES_AS_CONCAT", "POSTGRESQL", NULL
};

static int
bad_mode(const char *m, size_t n)
{
	int i;

	for (i = 0; bad_modes[i] != NULL; i++)
		if (strlen(bad_modes[i]) == n && memcmp(bad_modes[i], m, n) == 0)
			return 1;
	return 0;
}

/* Append name to the mode list being written at *w (after the opening '). */
static void
add_mode(char **w, const char *name, size_t len)
{
	if ((*w)[-1] != '\'')
		*(*w)++ = ',';
	memcpy(*w, name, len);
	*w += len;
}

/*
 * "SET SESSION time_zone = '+00:00', SESSION sql_mode = '...'" from the
 * current mode (a list of names of letters, digits and '_').
 */
static char *
session_sql(const char *mode)
{
	/*
	 * MariaDB (only: the M! comment is MariaDB's) loses rows of a derived
	 * table that its split_materialized rewrite turns into a lateral
	 * lookup: a per-relation SUM came back NULL (difftest). Off.
	 */
	static const char head[] =
		"SET SESSION time_zone = '+00:00'"
		" /*M!100300 , SESSION optimizer_switch = 'split_materialized=off' */"
		", SESSION sql_mode = '";
	static const char ofgb[] = "ONLY_FULL_GROUP_BY";
	static const char strict[] = "STRICT_TRANS_TABLES";
	size_t n = strlen(mode);
	char *sql = malloc(sizeof(head) + n + sizeof(ofgb) + sizeof(strict) + 2);
	char *w;
	int have_ofgb = 0, have_strict = 0;

	if (sql == NULL)
		return NULL;
	memcpy(sql, head, sizeof(head) - 1);
	w = sql + sizeof(head) - 1;
	while (*mode) {
		size_t len = strcspn(mode, ",");
		size_t k;

		for (k = 0; k < len; k++)
			if (!((mode[k] >= 'A' && mode[k] <= 'Z') ||
			      (mode[k] >= '0' && mode[k] <= '9') || mode[k] == '_'))
				break;
		if (len > 0 && k == len && !bad_mode(mode, len)) {
			if (len == sizeof(ofgb) - 1 && memcmp(mode, ofgb, len) == 0)
				have_ofgb = 1;
			if (len > 7 && memcmp(mode, "STRICT_", 7) == 0)
				have_strict = 1;
			add_mode(&w, mode, len);
		}
		mode += len;
		if (*mode == ',')
			mode++;
	}
	if (!have_ofgb)
		add_mode(&w, ofgb, sizeof(ofgb) - 1);
	if (!have_strict)
		add_mode(&w, strict, sizeof(strict) - 1);
	*w++ = '\'';
	*w = '\0';
	return sql;
}

static int
setup_session(MYSQL *db, ormc_error *err)
{
	static const char q[] = "SELECT @@SESSION.sql_mode";
	MYSQL_RES *res;
	MYSQL_ROW row;
	char *sql;
	int rc;

	if (mysql_real_query(db, q, sizeof(q) - 1) != 0 ||
	    (res = mysql_store_result(db)) == NULL)
		return conn_fail(db, err);
	row = mysql_fetch_row(res);
	sql = session_sql(row != NULL && row[0] != NULL ? row[0] : "");
	mysql_free_result(res);
	if (sql == NULL)
		return no_memory(err);
	rc = mysql_real_query(db, sql, strlen(sql)) != 0 ? conn_fail(db, err)
	                                                : ORMC_OK;
	free(sql);
	return rc;
}

/* ---- connect ------------------------------------------------------------ */

static int
my_connect(ormc_conn **out, const char *url, ormc_error *err)
{
	my_url u;
	my_conn *c;
	char where[300];
	my_bool on = 1;
	int rc;

	*out = NULL;
	rc = parse_url(url, &u, err);
	if (rc < 0) {
		free(u.mem);
		return rc;
	}
	describe(&u, where, sizeof(where));
	if (mysql_library_init(0, NULL, NULL) != 0) {
		free(u.mem);
		return ormc_error_set(err, ORMC_EDRIVER, NULL, -1, 0,
		                      "cannot initialize the MySQL client library");
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL || (c->db = mysql_init(NULL)) == NULL) {
		free(c);
		free(u.mem);
		return no_memory(err);
	}
	c->base.driver = &ormc_driver_mysql;
	if (ormc_my_load_init(c) != 0 ||
	    mysql_options(c->db, MYSQL_SET_CHARSET_NAME, "utf8mb4") != 0 ||
	    mysql_options(c->db, MYSQL_REPORT_DATA_TRUNCATION, &on) != 0 ||
	    (u.timeout > 0 &&
	     mysql_options(c->db, MYSQL_OPT_CONNECT_TIMEOUT, &u.timeout) != 0)) {
		rc = ormc_error_set(err, ORMC_EDRIVER, NULL, -1, 0,
		                    "cannot set MySQL client options: %s",
		                    mysql_error(c->db));
		goto fail;
	}
	if (mysql_real_connect(c->db, u.socket ? "localhost" : u.host, u.user,
	                       u.password, u.db, u.port, u.socket, 0) == NULL) {
		rc = ormc_error_set(err, ORMC_EDRIVER, NULL, -1, 0,
		                    "cannot connect to MySQL at %s%s%s%s: %s", where,
		                    u.db ? " (database \"" : "", u.db ? u.db : "",
		                    u.db ? "\")" : "", mysql_error(c->db));
		set_sqlstate(err, mysql_sqlstate(c->db));
		goto fail;
	}
	rc = setup_session(c->db, err);
	if (rc < 0)
		goto fail;
	free(u.mem);
	*out = &c->base;
	return ORMC_OK;

fail:
	mysql_close(c->db);
	ormc_my_load_free(c);
	free(c);
	free(u.mem);
	return rc;
}

static const char *
my_dialect(ormc_conn *conn, int *server_version)
{
	my_conn *c = (my_conn *)conn;

	/* MariaDB or MySQL: both spell SQL the "mysql" way ormc writes it. */
	if (server_version != NULL)
		*server_version = (int)mysql_get_server_version(c->db);
	return "mysql";
}

/* ---- parameters --------------------------------------------------------- */

typedef struct my_scratch {
	long long i;
	double f;
	unsigned long len;
} my_scratch;

static int
bind_params(MYSQL_STMT *stmt, const ormc_value *params, int nparams,
            ormc_error *err)
{
	MYSQL_BIND *b;
	my_scratch *s;
	int i, rc = ORMC_OK;

	b = calloc((size_t)nparams, sizeof(*b));
	s = calloc((size_t)nparams, sizeof(*s));
	if (b == NULL || s == NULL) {
		free(b);
		free(s);
		return no_memory(err);
	}
	for (i = 0; i < nparams && rc == ORMC_OK; i++) {
		const ormc_value *v = &params[i];

		switch (v->type) {
		case ORMC_TYPE_NULL:
			b[i].buffer_type = MYSQL_TYPE_NULL;
			break;
		case ORMC_TYPE_INT:
		case ORMC_TYPE_DURATION:   /* microseconds, as Django stores it */
		case ORMC_TYPE_BOOL:
			s[i].i = v->type == ORMC_TYPE_BOOL ? v->i != 0 : v->i;
			b[i].buffer_type = MYSQL_TYPE_LONGLONG;
			b[i].buffer = &s[i].i;
			break;
		case ORMC_TYPE_FLOAT:
			s[i].f = v->f;
			b[i].buffer_type = MYSQL_TYPE_DOUBLE;
			b[i].buffer = &s[i].f;
			break;
		case ORMC_TYPE_DECIMAL:
		case ORMC_TYPE_TEXT:
		case ORMC_TYPE_DATE:
		case ORMC_TYPE_DATETIME:
		case ORMC_TYPE_TIME:
			/* the library only reads the buffer */
			s[i].len = (unsigned long)v->len;
			b[i].buffer_type = v->type == ORMC_TYPE_DECIMAL
			                   ? MYSQL_TYPE_NEWDECIMAL : MYSQL_TYPE_STRING;
			b[i].buffer = (char *)(uintptr_t)(v->s ? v->s : "");
			b[i].buffer_length = s[i].len;
			b[i].length = &s[i].len;
			break;
		default:
			rc = ormc_error_set(err, ORMC_EDRIVER, NULL, -1, 0,
			                    "cannot bind parameter %d: unknown type %d",
			                    i + 1, (int)v->type);
			break;
		}
	}
	if (rc == ORMC_OK && mysql_stmt_bind_param(stmt, b) != 0)
		rc = stmt_fail(stmt, err);
	if (rc == ORMC_OK && mysql_stmt_execute(stmt) != 0)
		rc = stmt_fail(stmt, err);
	free(b);
	free(s);
	return rc;
}

/* ---- cursors ------------------------------------------------------------ */

static my_kind
kind_of(const MYSQL_FIELD *f)
{
	switch (f->type) {
	case MYSQL_TYPE_TINY:
	case MYSQL_TYPE_SHORT:
	case MYSQL_TYPE_LONG:
	case MYSQL_TYPE_LONGLONG:
	case MYSQL_TYPE_INT24:
	case MYSQL_TYPE_YEAR:
		return MY_INT;
	case MYSQL_TYPE_DOUBLE:
		return MY_DOUBLE;
	case MYSQL_TYPE_FLOAT:
		return MY_FLOAT;
	case MYSQL_TYPE_DECIMAL:
	case MYSQL_TYPE_NEWDECIMAL:
		return MY_DECIMAL;
	case MYSQL_TYPE_DATE:
	case MYSQL_TYPE_NEWDATE:
		return MY_DATE;
	case MYSQL_TYPE_DATETIME:
	case MYSQL_TYPE_TIMESTAMP:
		return MY_DATETIME;
	case MYSQL_TYPE_TIME:
		return MY_TIME;
	default:
		return MY_TEXT;
	}
}

static void
free_cursor(my_cursor *q)
{
	int i;

	if (q->cols != NULL)
		for (i = 0; i < q->base.ncols; i++)
			free(q->cols[i].buf);
	if (q->names != NULL)
		for (i = 0; i < q->base.ncols; i++)
			free(q->names[i]);
	free(q->binds);
	free(q->cols);
	free(q->names);
	free(q->row);
	free(q);
}

/* A cursor over ncols fields, with column name copies; NULL: no memory. */
static my_cursor *
new_cursor(my_conn *c, const MYSQL_FIELD *fields, int ncols)
{
	my_cursor *q = calloc(1, sizeof(*q));
	size_t n = (size_t)(ncols > 0 ? ncols : 1);
	int i;

	if (q == NULL)
		return NULL;
	q->base.conn = &c->base;
	q->base.ncols = ncols;
	q->c = c;
	q->binds = calloc(n, sizeof(*q->binds));
	q->cols = calloc(n, sizeof(*q->cols));
	q->names = calloc(n, sizeof(*q->names));
	q->row = calloc(n, sizeof(*q->row));
	if (q->binds == NULL || q->cols == NULL || q->names == NULL ||
	    q->row == NULL) {
		free_cursor(q);
		return NULL;
	}
	for (i = 0; i < ncols; i++) {
		size_t len = fields[i].name ? fields[i].name_length : 0;

		q->names[i] = malloc(len + 1);
		if (q->names[i] == NULL) {
			free_cursor(q);
			return NULL;
		}
		if (len > 0)
			memcpy(q->names[i], fields[i].name, len);
		q->names[i][len] = '\0';
		q->cols[i].kind = kind_of(&fields[i]);
	}
	return q;
}

/* Point each bind at its column's buffer, sized from the metadata. */
static int
bind_results(my_cursor *q, const MYSQL_FIELD *fields)
{
	int i;

	for (i = 0; i < q->base.ncols; i++) {
		const MYSQL_FIELD *f = &fields[i];
		MYSQL_BIND *b = &q->binds[i];
		my_col *col = &q->cols[i];

		b->length = &col->length;
		b->is_null = &col->is_null;
		b->error = &col->error;
		switch (col->kind) {
		case MY_INT:
			b->buffer_type = MYSQL_TYPE_LONGLONG;
			b->buffer = &col->num.i;
			b->is_unsigned = (f->flags & UNSIGNED_FLAG) != 0;
			break;
		case MY_DOUBLE:
			b->buffer_type = MYSQL_TYPE_DOUBLE;
			b->buffer = &col->num.d;
			break;
		case MY_FLOAT:
			b->buffer_type = MYSQL_TYPE_FLOAT;
			b->buffer = &col->num.f;
			break;
		case MY_DATE:
		case MY_DATETIME:
		case MY_TIME:
			b->buffer_type = f->type == MYSQL_TYPE_NEWDATE
			                 ? MYSQL_TYPE_DATE : f->type;
			b->buffer = &col->num.t;
			break;
		case MY_DECIMAL:
		case MY_TEXT:
			col->cap = f->length < MY_TEXT_MIN ? MY_TEXT_MIN
			           : f->length > MY_TEXT_MAX ? MY_TEXT_MAX
			           : (size_t)f->length;
			col->cap++;
			col->buf = malloc(col->cap);
			if (col->buf == NULL)
				return -1;
			b->buffer_type = MYSQL_TYPE_STRING;
			b->buffer = col->buf;
			b->buffer_length = (unsigned long)col->cap;
			break;
		}
	}
	return 0;
}

/* Close the finalized statements, once no rows are coming (see the top). */
static void
close_stale(my_conn *c)
{
	while (c->stale != NULL && c->busy == NULL) {
		my_prepared *ps = c->stale;

		c->stale = ps->next;
		if (ps->stmt != NULL)
			mysql_stmt_close(ps->stmt);
		free(ps->sql);
		free(ps);
	}
}

/*
 * Done with the result of stmt: execute()'s own statement is closed, a
 * prepared one (ps) drops its rows not fetched and is kept, or, if that
 * fails, closed, to be prepared again.
 */
static void
release_stmt(MYSQL_STMT *stmt, my_prepared *ps)
{
	if (ps == NULL) {
		mysql_stmt_close(stmt);   /* drops rows not fetched */
		return;
	}
	/* an error here is "no result" (a statement without rows): nothing to drop */
	if (mysql_stmt_field_count(stmt) > 0 && mysql_stmt_free_result(stmt) != 0) {
		mysql_stmt_close(stmt);
		ps->stmt = NULL;
	}
}

/* The rows are all read (or abandoned): give the connection back. */
static void
finish(my_cursor *q)
{
	if (q->done)
		return;
	q->done = 1;
	if (q->stmt != NULL) {
		release_stmt(q->stmt, q->ps);
		if (q->ps != NULL)
			q->ps->cur = NULL;
		q->ps = NULL;
		q->stmt = NULL;
	}
	if (q->res != NULL) {
		MYSQL *db = q->c != NULL ? q->c->db : NULL;

		mysql_free_result(q->res);   /* likewise */
		q->res = NULL;
		/* results after this one (a CALL), unread */
		while (db != NULL && mysql_more_results(db) &&
		       mysql_next_result(db) == 0) {
			MYSQL_RES *more = mysql_use_result(db);

			if (more != NULL)
				mysql_free_result(more);
		}
	}
	if (q->c != NULL && q->c->busy == q) {
		q->c->busy = NULL;
		close_stale(q->c);
	}
	q->c = NULL;             /* the cursor needs it no more */
}

/* Statements without parameters the server will not prepare. */
static int
text_execute(my_conn *c, const char *sql, ormc_cursor **out, ormc_error *err)
{
	MYSQL_RES *res;
	my_cursor *q;

	if (mysql_real_query(c->db, sql, strlen(sql)) != 0)
		return conn_fail(c->db, err);
	if (mysql_field_count(c->db) == 0) {
		while (mysql_more_results(c->db) && mysql_next_result(c->db) == 0) {
			res = mysql_use_result(c->db);
			if (res != NULL)
				mysql_free_result(res);
		}
		return ORMC_OK;
	}
	res = mysql_use_result(c->db);
	if (res == NULL)
		return conn_fail(c->db, err);
	q = new_cursor(c, mysql_fetch_fields(res), (int)mysql_num_fields(res));
	if (q == NULL) {
		mysql_free_result(res);
		return no_memory(err);
	}
	q->res = res;
	c->busy = q;
	*out = &q->base;
	return ORMC_OK;
}

static int
busy_error(ormc_error *err)
{
	ormc_error_set(err, ORMC_EDRIVER, NULL, -1, 0,
	               "the rows of another query are still being read on "
	               "this MySQL connection");
	ormc_error_hint(err, "Read that result to the end or close it first.");
	return ORMC_EDRIVER;
}

/*
 * A statement for sql with nparams placeholders in *out; or 1 (*out NULL)
 * when the server will not prepare it (ER_UNSUPPORTED_PS) and it has no
 * parameters: it runs through the text protocol instead.
 */
static int
new_stmt(my_conn *c, const char *sql, int nparams, MYSQL_STMT **out,
         ormc_error *err)
{
	MYSQL_STMT *stmt;
	int rc;

	*out = NULL;
	stmt = mysql_stmt_init(c->db);
	if (stmt == NULL)
		return no_memory(err);
	if (mysql_stmt_prepare(stmt, sql, (unsigned long)strlen(sql)) != 0) {
		if (mysql_stmt_errno(stmt) == ER_UNSUPPORTED_PS && nparams == 0) {
			mysql_stmt_close(stmt);
			return 1;
		}
		rc = stmt_fail(stmt, err);
		mysql_stmt_close(stmt);
		return rc;
	}
	if (mysql_stmt_param_count(stmt) != (unsigned long)nparams) {
		rc = ormc_error_set(err, ORMC_EDRIVER, NULL, -1, 0,
		                    "statement has %lu parameters, %d given",
		                    mysql_stmt_param_count(stmt), nparams);
		mysql_stmt_close(stmt);
		return rc;
	}
	*out = stmt;
	return ORMC_OK;
}

/*
 * Bind the parameters to stmt, execute it and open a cursor over its rows
 * (none for a statement without rows). ps: the prepared statement stmt
 * belongs to, which the cursor borrows it from; NULL: stmt is execute()'s
 * own, which the cursor takes over, or which is closed here.
 */
static int
run_stmt(my_conn *c, MYSQL_STMT *stmt, my_prepared *ps,
         const ormc_value *params, int nparams, ormc_cursor **out,
         ormc_error *err)
{
	MYSQL_RES *meta;
	my_cursor *q;
	int rc;

	if (nparams > 0)
		rc = bind_params(stmt, params, nparams, err);
	else
		rc = mysql_stmt_execute(stmt) != 0 ? stmt_fail(stmt, err) : ORMC_OK;
	if (rc < 0 || mysql_stmt_field_count(stmt) == 0) {
		if (ps == NULL)
			mysql_stmt_close(stmt);
		return rc;
	}

	/* the metadata as the execution has it (a ? column has a type now) */
	meta = mysql_stmt_result_metadata(stmt);
	if (meta == NULL) {
		rc = mysql_stmt_errno(stmt) != 0 ? stmt_fail(stmt, err)
		                                 : no_memory(err);
		release_stmt(stmt, ps);
		return rc;
	}
	q = new_cursor(c, mysql_fetch_fields(meta), (int)mysql_num_fields(meta));
	if (q == NULL || bind_results(q, mysql_fetch_fields(meta)) < 0) {
		if (q != NULL)
			free_cursor(q);
		mysql_free_result(meta);
		release_stmt(stmt, ps);
		return no_memory(err);
	}
	mysql_free_result(meta);
	q->stmt = stmt;
	q->ps = ps;
	if (ps != NULL)
		ps->cur = q;
	c->busy = q;
	if (mysql_stmt_bind_result(stmt, q->binds) != 0) {
		rc = stmt_fail(stmt, err);
		finish(q);
		free_cursor(q);
		return rc;
	}
	*out = &q->base;
	return ORMC_OK;
}

static int
my_execute(ormc_conn *conn, const char *sql, const ormc_value *params,
           int nparams, ormc_cursor **out, ormc_error *err)
{
	my_conn *c = (my_conn *)conn;
	MYSQL_STMT *stmt;
	int rc;

	*out = NULL;
	if (c->busy != NULL)
		return busy_error(err);
	rc = new_stmt(c, sql, nparams, &stmt, err);
	if (rc < 0)
		return rc;
	if (rc > 0)
		return text_execute(c, sql, out, err);
	return run_stmt(c, stmt, NULL, params, nparams, out, err);
}

/* ---- prepared statements ------------------------------------------------- */

/* Prepare ps on the server unless it is there (or runs as text). */
static int
ready(my_conn *c, my_prepared *ps, ormc_error *err)
{
	int rc;

	if (ps->stmt != NULL || ps->text)
		return ORMC_OK;
	rc = new_stmt(c, ps->sql, ps->nparams, &ps->stmt, err);
	if (rc > 0)
		ps->text = 1;
	return rc < 0 ? rc : ORMC_OK;
}

static int
my_prepare(ormc_conn *conn, const char *sql, int nparams, ormc_prepared **out,
           ormc_error *err)
{
	my_conn *c = (my_conn *)conn;
	my_prepared *ps;
	int rc;

	*out = NULL;
	if (c->busy != NULL)
		return busy_error(err);
	ps = calloc(1, sizeof(*ps));
	if (ps == NULL || (ps->sql = strdup(sql)) == NULL) {
		free(ps);
		return no_memory(err);
	}
	ps->base.conn = conn;
	ps->nparams = nparams;
	if ((rc = ready(c, ps, err)) < 0) {
		free(ps->sql);
		free(ps);
		return rc;
	}
	*out = &ps->base;
	return ORMC_OK;
}

static int
my_execute_prepared(ormc_prepared *p, const ormc_value *params, int nparams,
                    ormc_cursor **out, ormc_error *err)
{
	my_prepared *ps = (my_prepared *)p;
	my_conn *c = (my_conn *)p->conn;
	int rc;

	*out = NULL;
	if (c->busy != NULL)
		return busy_error(err);
	if (nparams != ps->nparams)
		return ormc_error_set(err, ORMC_EDRIVER, NULL, -1, 0,
		                      "statement has %d parameters, %d given",
		                      ps->nparams, nparams);
	if ((rc = ready(c, ps, err)) < 0)
		return rc;
	if (ps->text)
		return text_execute(c, ps->sql, out, err);
	return run_stmt(c, ps->stmt, ps, params, nparams, out, err);
}

static void
my_finalize(ormc_prepared *p)
{
	my_prepared *ps = (my_prepared *)p;
	my_conn *c;

	if (ps == NULL)
		return;
	c = (my_conn *)p->conn;
	if (ps->cur != NULL)     /* its cursor keeps the row it has, no more */
		finish(ps->cur);
	ps->next = c->stale;
	c->stale = ps;
	close_stale(c);
}

static const char *
my_column_name(ormc_cursor *cur, int col)
{
	my_cursor *q = (my_cursor *)cur;

	if (col < 0 || col >= cur->ncols)
		return NULL;
	return q->names[col];
}

/* Refetch the columns a row did not fit in, into grown buffers. */
static int
refetch_truncated(my_cursor *q, ormc_error *err)
{
	int i, grown = 0;

	for (i = 0; i < q->base.ncols; i++) {
		my_col *col = &q->cols[i];
		MYSQL_BIND *b = &q->binds[i];
		size_t need;
		char *buf;

		if (!col->error)
			continue;
		if (col->kind != MY_TEXT && col->kind != MY_DECIMAL)
			return ormc_error_set(err, ORMC_EDRIVER, NULL, -1, 0,
			                      "the value of column '%s' does not fit "
			                      "its type", q->names[i]);
		need = (size_t)col->length + 1;
		if (need < col->cap * 2)
			need = col->cap * 2;
		buf = realloc(col->buf, need);
		if (buf == NULL)
			return no_memory(err);
		col->buf = buf;
		col->cap = need;
		b->buffer = buf;
		b->buffer_length = (unsigned long)need;
		if (mysql_stmt_fetch_column(q->stmt, b, (unsigned)i, 0) != 0)
			return stmt_fail(q->stmt, err);
		grown = 1;
	}
	/* later rows go straight into the bigger buffers */
	if (grown && mysql_stmt_bind_result(q->stmt, q->binds) != 0)
		return stmt_fail(q->stmt, err);
	return ORMC_OK;
}

/* A float as the shortest decimal that reads back as it, then a double. */
static double
float_value(float f)
{
	char buf[32];
	int prec;

	for (prec = 6; prec < 9; prec++) {
		snprintf(buf, sizeof(buf), "%.*g", prec, (double)f);
		if (strtof(buf, NULL) == f)
			return strtod(buf, NULL);
	}
	snprintf(buf, sizeof(buf), "%.9g", (double)f);
	return strtod(buf, NULL);
}

static void
text_cell(ormc_value *v, ormc_type type, const char *s, size_t len)
{
	v->type = type;
	v->s = s;
	v->len = len;
}

/* A MYSQL_TIME as ISO text; 0 for a zero date (NULL). */
static int
format_time(my_col *col)
{
	const MYSQL_TIME *t = &col->num.t;
	int n = 0;

	if (col->kind != MY_TIME) {
		if (t->month == 0 || t->day == 0)
			return 0;
		n = snprintf(col->fmt, sizeof(col->fmt), "%04u-%02u-%02u",
		             t->year, t->month, t->day);
		if (col->kind == MY_DATE)
			return n;
		col->fmt[n++] = ' ';
	}
	n += snprintf(col->fmt + n, sizeof(col->fmt) - (size_t)n,
	              "%s%02u:%02u:%02u", col->kind == MY_TIME && t->neg ? "-" : "",
	              t->hour, t->minute, t->second);
	if (t->second_part > 0)
		n += snprintf(col->fmt + n, sizeof(col->fmt) - (size_t)n, ".%06lu",
		              t->second_part % 1000000);
	return n;
}

static void
stmt_row(my_cursor *q)
{
	int i;

	for (i = 0; i < q->base.ncols; i++) {
		my_col *col = &q->cols[i];
		ormc_value *v = &q->row[i];
		int n;

		memset(v, 0, sizeof(*v));
		if (col->is_null) {
			v->type = ORMC_TYPE_NULL;
			continue;
		}
		switch (col->kind) {
		case MY_INT:
			if (q->binds[i].is_unsigned &&
			    (unsigned long long)col->num.i > (unsigned long long)INT64_MAX) {
				n = snprintf(col->fmt, sizeof(col->fmt), "%llu",
				             (unsigned long long)col->num.i);
				text_cell(v, ORMC_TYPE_DECIMAL, col->fmt, (size_t)n);
			} else {
				v->type = ORMC_TYPE_INT;
				v->i = (int64_t)col->num.i;
			}
			break;
		case MY_DOUBLE:
			v->type = ORMC_TYPE_FLOAT;
			v->f = col->num.d;
			break;
		case MY_FLOAT:
			v->type = ORMC_TYPE_FLOAT;
			v->f = float_value(col->num.f);
			break;
		case MY_DECIMAL:
			text_cell(v, ORMC_TYPE_DECIMAL, col->buf, col->length);
			break;
		case MY_DATE:
		case MY_DATETIME:
		case MY_TIME:
			n = format_time(col);
			if (n == 0)
				v->type = ORMC_TYPE_NULL;
			else
				text_cell(v, col->kind == MY_DATE ? ORMC_TYPE_DATE :
				          col->kind == MY_TIME ? ORMC_TYPE_TIME :
				          ORMC_TYPE_DATETIME, col->fmt, (size_t)n);
			break;
		case MY_TEXT:
			text_cell(v, ORMC_TYPE_TEXT, col->buf, col->length);
			break;
		}
	}
}

/* A zero date in text ("0000-00-00", "2020-00-00 ...") reads as NULL. */
static int
zero_date(const char *s, size_t len)
{
	return len >= 10 && (memcmp(s + 5, "00", 2) == 0 ||
	                     memcmp(s + 8, "00", 2) == 0);
}

static int
text_row(my_cursor *q, MYSQL_ROW r, const unsigned long *lens,
         ormc_error *err)
{
	int i;

	for (i = 0; i < q->base.ncols; i++) {
		ormc_value *v = &q->row[i];
		const char *s = r[i];
		size_t len = lens[i];
		my_col *col = &q->cols[i];
		char *end;

		memset(v, 0, sizeof(*v));
		if (s == NULL) {
			v->type = ORMC_TYPE_NULL;
			continue;
		}
		switch (col->kind) {
		case MY_INT:
			errno = 0;
			v->i = (int64_t)strtoll(s, &end, 10);
			if (errno == ERANGE && s[0] != '-') {
				text_cell(v, ORMC_TYPE_DECIMAL, s, len);
				break;
			}
			if (errno != 0 || end != s + len)
				return ormc_error_set(err, ORMC_EDRIVER, NULL, -1, 0,
				                      "column '%s': bad integer '%.*s'",
				                      q->names[i], (int)len, s);
			v->type = ORMC_TYPE_INT;
			break;
		case MY_DOUBLE:
		case MY_FLOAT:
			v->type = ORMC_TYPE_FLOAT;
			v->f = strtod(s, NULL);
			break;
		case MY_DECIMAL:
			text_cell(v, ORMC_TYPE_DECIMAL, s, len);
			break;
		case MY_DATE:
		case MY_DATETIME:
			if (zero_date(s, len))
				v->type = ORMC_TYPE_NULL;
			else
				text_cell(v, col->kind == MY_DATE ? ORMC_TYPE_DATE
				          : ORMC_TYPE_DATETIME, s, len);
			break;
		case MY_TIME:
			text_cell(v, ORMC_TYPE_TIME, s, len);
			break;
		case MY_TEXT:
			text_cell(v, ORMC_TYPE_TEXT, s, len);
			break;
		}
	}
	return ORMC_OK;
}

static int
my_next(ormc_cursor *cur, const ormc_value **row, ormc_error *err)
{
	my_cursor *q = (my_cursor *)cur;
	int i, rc;

	*row = NULL;
	if (q->done)
		return 0;
	if (q->res != NULL) {
		MYSQL_ROW r = mysql_fetch_row(q->res);

		if (r == NULL) {
			rc = mysql_errno(q->c->db) != 0 ? conn_fail(q->c->db, err) : 0;
			finish(q);
			return rc;
		}
		rc = text_row(q, r, mysql_fetch_lengths(q->res), err);
		if (rc < 0) {
			finish(q);
			return rc;
		}
		*row = q->row;
		return 1;
	}
	for (i = 0; i < cur->ncols; i++)
		q->cols[i].error = 0;
	rc = mysql_stmt_fetch(q->stmt);
	if (rc == MYSQL_NO_DATA) {
		finish(q);
		return 0;
	}
	if (rc == MYSQL_DATA_TRUNCATED)
		rc = refetch_truncated(q, err);
	else if (rc != 0) {
		/*
		 * An error the server sends in the middle of the rows ("Subquery
		 * returns more than 1 row") is kept on the connection, not on the
		 * statement, by Connector/C.
		 */
		if (mysql_stmt_errno(q->stmt) == 0 && q->c != NULL && mysql_errno(q->c->db) != 0)
			rc = conn_fail(q->c->db, err);
		else
			rc = stmt_fail(q->stmt, err);
	}
	if (rc < 0) {
		finish(q);
		return rc;
	}
	stmt_row(q);
	*row = q->row;
	return 1;
}

static void
my_close_cursor(ormc_cursor *cur)
{
	my_cursor *q = (my_cursor *)cur;

	if (q == NULL)
		return;
	finish(q);
	free_cursor(q);
}

/* ---- transactions ------------------------------------------------------- */

static int
my_begin(ormc_conn *conn, ormc_error *err)
{
	my_conn *c = (my_conn *)conn;
	static const char q[] = "START TRANSACTION";

	if (c->busy != NULL)
		return busy_error(err);
	return mysql_real_query(c->db, q, sizeof(q) - 1) != 0
	       ? conn_fail(c->db, err) : ORMC_OK;
}

static int
my_commit(ormc_conn *conn, ormc_error *err)
{
	my_conn *c = (my_conn *)conn;

	if (c->busy != NULL)
		return busy_error(err);
	return mysql_commit(c->db) != 0 ? conn_fail(c->db, err) : ORMC_OK;
}

static int
my_rollback(ormc_conn *conn, ormc_error *err)
{
	my_conn *c = (my_conn *)conn;

	if (c->busy != NULL)
		return busy_error(err);
	return mysql_rollback(c->db) != 0 ? conn_fail(c->db, err) : ORMC_OK;
}

static void
my_disconnect(ormc_conn *conn)
{
	my_conn *c = (my_conn *)conn;

	if (c == NULL)
		return;
	if (c->busy != NULL)     /* a cursor left open: it outlives us */
		finish(c->busy);
	close_stale(c);
	mysql_close(c->db);
	ormc_my_load_free(c);
	free(c);
}

const ormc_driver ormc_driver_mysql = {
	ORMC_DRIVER_VERSION,
	"mysql",
	"mysql,mariadb",
	"MariaDB Connector/C " MARIADB_PACKAGE_VERSION,
	my_connect,
	my_dialect,
	my_execute,
	my_column_name,
	my_next,
	my_close_cursor,
	my_begin,
	my_commit,
	my_rollback,
	my_disconnect,
	my_prepare,
	my_execute_prepared,
	my_finalize,
	ormc_my_copy_begin,   /* LOAD DATA LOCAL INFILE: mysql_load.c */
	ormc_my_copy_send,
	ormc_my_copy_end,
};
