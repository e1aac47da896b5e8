/*
 * postgresql.c -- the PostgreSQL driver, on libpq: "postgresql://user:pass@
 * host:port/db?opts", "postgres://..." and libpq's own "host=... dbname=..."
 * strings, all handed to libpq as they are.
 *
 * Connecting: libpq parses the string first (PQconninfoParse), so a malformed
 * one is reported before any network traffic; libpq's messages may quote
 * parts of the string, so the password is masked in every message shown.
 * Then the session is set up for the text formats the core parses:
 * client_encoding UTF8, DateStyle ISO, IntervalStyle postgres, TimeZone UTC,
 * and extra_float_digits 3 (exact floats from servers before 12 too).
 * Server notices (DROP ... IF EXISTS) are dropped: the library never prints.
 *
 * Executing: one statement per call, always through the extended protocol
 * (PQsendQueryParams), parameters in text format with no declared types (the
 * dialect writes "$1::integer"), so values are never pasted into SQL: numbers
 * as decimal text (floats exact, "NaN", "Infinity"), booleans "true"/"false",
 * a DURATION as "D days U microseconds" (psycopg's split of a timedelta, so
 * an interval is stored as Django stores it), the rest as the text it is.
 * Single row mode is switched on right after sending, and execute() waits for
 * the first result, so errors found before the first row surface there; a
 * statement without rows (DDL, INSERT, BEGIN) is then complete and yields no
 * cursor. next() takes one PGresult per row; the cells point into it and stay
 * valid until the next call.
 *
 * Prepared statements: prepare() is PQprepare under a name unique on the
 * connection ("ormc_1", "ormc_2", ...; never reused, so a statement that
 * could not be dropped never collides), with no declared parameter types,
 * as execute() sends none. execute_prepared() is PQsendQueryPrepared with
 * the same text parameters, then exactly what execute() does after sending.
 * finalize() drops the statement on the server (PQclosePrepared from libpq
 * 17, a protocol Close that works in any transaction state; before it
 * DEALLOCATE, only outside a transaction block: inside one, a failure
 * would abort the application's transaction, and in a failed one it is
 * refused). When it cannot be dropped now, or rows are still coming, it is
 * kept and dropped by a later prepare() or finalize(), or with the session.
 * A statement the server lost (DISCARD ALL: SQLSTATE 26000) fails once and
 * is prepared again at its next execution.
 *
 * libpq runs one statement at a time on a connection: while a cursor has rows
 * in flight, the connection is "busy" and execute() refuses another statement.
 * Closing a cursor early first takes whatever has already arrived; if more is
 * coming, a plain read outside a transaction block (SELECT/VALUES/TABLE/SHOW)
 * is cancelled (PQcancel), anything else is read to its end and discarded,
 * because a cancel would abort the transaction or undo a data change. Either
 * way the connection is ready for the next statement when close returns.
 *
 * Cells are typed by the column's type OID: bool, integers, floats (NaN and
 * Infinity included), numeric as DECIMAL text, date/timestamp/time as ISO
 * text; everything else (intervals, uuid, json, ...) is TEXT, which the core
 * converts to the column's Django type.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libpq-fe.h>

#include "core/db.h"
#include "core/error.h"

/*
 * The client library's version, for ormc --version: from the build (when
 * CMake passes pkg-config's), else from libpq's pg_config.h, else unknown.
 * Included last: pg_config.h defines many macros of its own.
 */
#if defined(ORMC_LIBPQ_VERSION)
#define PG_LIBRARY "libpq " ORMC_LIBPQ_VERSION
#elif defined(__has_include)
#if __has_include(<pg_config.h>)
#include <pg_config.h>
#endif
#endif
#if !defined(PG_LIBRARY) && defined(PG_VERSION)
#define PG_LIBRARY "libpq " PG_VERSION
#elif !defined(PG_LIBRARY)
#define PG_LIBRARY "libpq"
#endif

/* Type OIDs of built-in types (catalog/pg_type.h; stable across versions). */
#define BOOLOID        16
#define INT8OID        20
#define INT2OID        21
#define INT4OID        23
#define OIDOID         26
#define FLOAT4OID      700
#define FLOAT8OID      701
#define DATEOID        1082
#define TIMEOID        1083
#define TIMESTAMPOID   1114
#define TIMESTAMPTZOID 1184
#define NUMERICOID     1700

typedef struct pg_cursor pg_cursor;

typedef struct pg_prepared pg_prepared;

typedef struct pg_conn {
	ormc_conn base;          /* first: the core holds an ormc_conn * */
	PGconn *pg;
	pg_cursor *busy;         /* the cursor whose results are still coming */
	unsigned long nprepared; /* statements named so far: the next is ormc_<n+1> */
	pg_prepared *stale;      /* finalized, still to be dropped on the server */
} pg_conn;

struct pg_prepared {
	ormc_prepared base;      /* first */
	char name[32];           /* "ormc_<n>" */
	char *sql;               /* to prepare it again if the server lost it */
	int nparams;
	int reads;               /* only_reads(sql): closing early may cancel */
	int lost;                /* the server lost it: prepare again first */
	pg_prepared *next;       /* on the connection's stale list */
};

struct pg_cursor {
	ormc_cursor base;        /* first */
	pg_conn *c;              /* NULL once the connection is gone */
	PGresult *res;           /* the current result: rows [at, ntuples) unread */
	int at;
	int done;                /* no more results on the connection */
	int may_cancel;          /* closing early may cancel (see the top) */
	Oid *types;              /* base.ncols column type OIDs */
	char **names;            /* base.ncols column names, one allocation */
	ormc_value *row;         /* base.ncols cells */
};

/* ---- messages ------------------------------------------------------------ */

/* Copy at most n-1 bytes of s into buf without trailing blanks. */
static void
trimmed(char *buf, size_t n, const char *s)
{
	size_t len = s ? strlen(s) : 0;

	while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == '\r' ||
	                   s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (len >= n)
		len = n - 1;
	if (len > 0)
		memcpy(buf, s, len);
	buf[len] = '\0';
}

/* Replace every occurrence of secret[0..len) in buf (size n) with "***". */
static void
mask(char *buf, size_t n, const char *secret, size_t len)
{
	char *from = buf, *p;

	if (len == 0)
		return;
	while ((p = strstr(from, secret)) != NULL) {
		size_t tail = strlen(p + len) + 1;

		if (len >= 3 || (size_t)(p - buf) + 3 + tail <= n) {
			memmove(p + 3, p + len, tail);
			memcpy(p, "***", 3);
			from = p + 3;
		} else {
			memset(p, '*', len);   /* no room to grow: mask in place */
			from = p + len;
		}
	}
}

static int
hexval(int c)
{
	return c >= '0' && c <= '9' ? c - '0' :
	       c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	       c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Percent-decode s[0..len) into out (size n), as libpq does for URIs. */
static void
decode(const char *s, size_t len, char *out, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < len && k + 1 < n; i++) {
		if (s[i] == '%' && i + 2 < len && hexval(s[i + 1]) >= 0 &&
		    hexval(s[i + 2]) >= 0) {
			out[k++] = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
			i += 2;
		} else {
			out[k++] = s[i];
		}
	}
	out[k] = '\0';
}

/*
 * Mask in msg every spelling of a password that conninfo may hold, found
 * without libpq (for when it cannot parse the string): the one of a URI's
 * user info, raw and decoded, and any "password=" value, up to a blank or
 * '&' and without its quotes.
 */
static void
mask_passwords(char *msg, size_t n, const char *conninfo)
{
	const char *p = strstr(conninfo, "://"), *q;
	char dec[512];

	if (p != NULL) {
		const char *auth = p + 3, *end = auth + strcspn(auth, "/?"), *at;

		/* libpq takes the user info up to the first '@' before any '/' */
		at = memchr(auth, '@', (size_t)(end - auth));
		q = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
		if (q != NULL) {
			mask(msg, n, q + 1, (size_t)(at - q - 1));
			decode(q + 1, (size_t)(at - q - 1), dec, sizeof(dec));
			mask(msg, n, dec, strlen(dec));
		}
	}
	for (p = conninfo; (p = strstr(p, "password")) != NULL; p = q) {
		size_t len;

		q = p + 8;
		while (*q == ' ' || *q == '\t')
			q++;
		if (*q != '=')
			continue;
		q++;
		while (*q == ' ' || *q == '\t')
			q++;
		if (*q == '\'') {
			q++;
			len = strcspn(q, "'");
		} else {
			len = strcspn(q, " \t\n&");
		}
		mask(msg, n, q, len);
		decode(q, len, dec, sizeof(dec));
		mask(msg, n, dec, strlen(dec));
		q += len;
	}
}

/*
 * Fill err from a failed result: the server's primary message, its detail
 * and hint as the hint, and the SQLSTATE. Without a result (the connection
 * failed), libpq's message.
 */
static int
pg_fail(PGconn *pg, const PGresult *res, ormc_error *err)
{
	const char *primary = NULL, *detail = NULL, *hint = NULL, *state = NULL;
	char msg[512];

	if (res != NULL) {
		primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
		detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
		hint = PQresultErrorField(res, PG_DIAG_MESSAGE_HINT);
		state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
		if (primary == NULL || *primary == '\0')
			primary = PQresultErrorMessage(res);
	}
	if ((primary == NULL || *primary == '\0') && pg != NULL)
		primary = PQerrorMessage(pg);
	trimmed(msg, sizeof(msg), primary);
	ormc_error_set(err, ORMC_EDRIVER, NULL, -1, 0, "%s",
	               *msg ? msg : "PostgreSQL error");
	if (detail != NULL || hint != NULL)
		ormc_error_hint(err, "%s%s%s", detail ? detail : "",
		                detail && hint ? " " : "", hint ? hint : "");
	if (err != NULL && state != NULL && strlen(state) == 5)
		memcpy(err->sqlstate, state, 6);
	return ORMC_EDRIVER;
}

/* ---- connect ------------------------------------------------------------- */

static void
quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/*
 * libpq matches its URI prefixes exactly, the core ignores case: hand libpq
 * "postgresql://" in lower case. Returns a malloc'ed copy or NULL.
 */
static char *
lower_scheme(const char *url)
{
	char *copy = strdup(url);
	size_t n = 0, i;

	if (copy == NULL)
		return NULL;
	if (strncasecmp(copy, "postgresql://", 13) == 0)
		n = 10;
	else if (strncasecmp(copy, "postgres://", 11) == 0)
		n = 8;
	for (i = 0; i < n; i++)
		if (copy[i] >= 'A' && copy[i] <= 'Z')
			copy[i] = (char)(copy[i] - 'A' + 'a');
	return copy;
}

static int
connect_fail(PGconn *pg, const char *conninfo, const char *password,
             ormc_error *err)
{
	char msg[512], *nl;
	const char *db = PQdb(pg);

	trimmed(msg, sizeof(msg), PQerrorMessage(pg));
	if (password != NULL)
		mask(msg, sizeof(msg), password, strlen(password));
	mask_passwords(msg, sizeof(msg), conninfo);
	/* libpq's first line says what failed, the rest how to fix it */
	nl = strchr(msg, '\n');
	if (nl != NULL)
		*nl = '\0';
	ormc_error_set(err, ORMC_EDRIVER, NULL, -1, 0,
	               "cannot connect to PostgreSQL database \"%s\": %s",
	               db && *db ? db : "(default)", msg);
	if (nl != NULL) {
		char *s = nl + 1;

		while (*s == '\t' || *s == ' ' || *s == '\n')
			s++;
		for (nl = s; *nl; nl++)
			if (*nl == '\n' || *nl == '\t')
				*nl = ' ';
		ormc_error_hint(err, "%s", s);
	}
	return ORMC_EDRIVER;
}

static int
pg_connect(ormc_conn **out, const char *url, ormc_error *err)
{
	const char *keys[3], *vals[3];
	char *conninfo, *errmsg = NULL, *password = NULL;
	PQconninfoOption *opts, *o;
	PGresult *res;
	pg_conn *c;
	int k = 0, ok, nomem = 0;

	*out = NULL;
	conninfo = lower_scheme(url);
	if (conninfo == NULL)
		return ormc_error_set(err, ORMC_ENOMEM, NULL, -1, 0, "out of memory");

	/* parse first: a malformed string fails here, and gives the password */
	opts = PQconninfoParse(conninfo, &errmsg);
	if (opts == NULL && errmsg == NULL) {
		free(conninfo);
		return ormc_error_set(err, ORMC_ENOMEM, NULL, -1, 0, "out of memory");
	}
	if (opts == NULL) {
		char msg[512];

		trimmed(msg, sizeof(msg), errmsg);
		mask_passwords(msg, sizeof(msg), conninfo);
		PQfreemem(errmsg);
		ormc_error_set(err, ORMC_EDRIVER, NULL, -1, 0,
		               "invalid PostgreSQL connection string: %s", msg);
		ormc_error_hint(err, "Write postgresql://USER:PASSWORD@HOST:PORT/DB "
		                "or \"host=HOST port=PORT dbname=DB user=USER\".");
		free(conninfo);
		return ORMC_EDRIVER;
	}
	for (o = opts; o->keyword != NULL; o++)
		if (strcmp(o->keyword, "password") == 0 && o->val != NULL &&
		    *o->val != '\0' && (password = strdup(o->val)) == NULL)
			nomem = 1;
	PQconninfoFree(opts);

	c = nomem ? NULL : calloc(1, sizeof(*c));
	if (c == NULL) {
		free(password);
		free(conninfo);
		return ormc_error_set(err, ORMC_ENOMEM, NULL, -1, 0, "out of memory");
	}
	c->base.driver = &ormc_driver_postgresql;
	/* before dbname, so that the string's own values win */
	keys[k] = "fallback_application_name";
	vals[k++] = "ormc";
	keys[k] = "dbname";
	vals[k++] = conninfo;
	keys[k] = NULL;
	vals[k] = NULL;
	c->pg = PQconnectdbParams(keys, vals, 1);
	if (c->pg == NULL) {
		free(c);
		free(password);
		free(conninfo);
		return ormc_error_set(err, ORMC_ENOMEM, NULL, -1, 0, "out of memory");
	}
	if (PQstatus(c->pg) != CONNECTION_OK) {
		connect_fail(c->pg, conninfo, password, err);
		PQfinish(c->pg);
		free(c);
		free(password);
		free(conninfo);
		return ORMC_EDRIVER;
	}
	free(password);
	free(conninfo);
	PQsetNoticeProcessor(c->pg, quiet, NULL);

	/* the text formats the core parses */
	if (PQsetClientEncoding(c->pg, "UTF8") != 0) {
		pg_fail(c->pg, NULL, err);
		PQfinish(c->pg);
		free(c);
		return ORMC_EDRIVER;
	}
	res = PQexec(c->pg, "SET DateStyle = ISO; SET IntervalStyle = postgres; "
	             "SET TimeZone = 'UTC'; SET extra_float_digits = 3");
	ok = res != NULL && PQresultStatus(res) == PGRES_COMMAND_OK;
	if (!ok) {
		pg_fail(c->pg, res, err);
		PQclear(res);
		PQfinish(c->pg);
		free(c);
		return ORMC_EDRIVER;
	}
	PQclear(res);
	*out = &c->base;
	return ORMC_OK;
}

static const char *
pg_dialect(ormc_conn *conn, int *server_version)
{
	pg_conn *c = (pg_conn *)conn;
	int v = PQserverVersion(c->pg);

	/*
	 * 10 and later: major*10000 + minor ("15.4" is 150004); before: major*
	 * 10000 + minor*100 + patch ("9.6.24" is 90624). Both already read as
	 * major*10000 + minor*100 + patch.
	 */
	if (server_version != NULL)
		*server_version = v > 0 ? v : 0;
	return "postgresql";
}

/* ---- results ------------------------------------------------------------- */

/*
 * Take the next result off the connection, dealing with COPY (which ormc
 * never sends, but a statement might start) so that results end. NULL when
 * the statement is over.
 */
static PGresult *
next_result(PGconn *pg)
{
	PGresult *r = PQgetResult(pg);

	if (r == NULL)
		return NULL;
	switch (PQresultStatus(r)) {
	case PGRES_COPY_IN:
	case PGRES_COPY_BOTH:
		PQputCopyEnd(pg, "ormc does not support COPY");
		break;
	case PGRES_COPY_OUT: {
		char *buf;

		while (PQgetCopyData(pg, &buf, 0) > 0)
			PQfreemem(buf);
		break;
	}
	default:
		break;
	}
	return r;
}

/* Read and drop every remaining result of the statement. */
static void
drain(PGconn *pg)
{
	PGresult *r;
	int guard = 0;

	while ((r = next_result(pg)) != NULL) {
		ExecStatusType st = PQresultStatus(r);

		PQclear(r);
		/* a COPY that does not end would repeat forever */
		if ((st == PGRES_COPY_IN || st == PGRES_COPY_OUT ||
		     st == PGRES_COPY_BOTH) && ++guard > 8)
			break;
	}
}

/* Drop the results that have already arrived; 1 if that was all of them. */
static int
drain_arrived(PGconn *pg)
{
	PGresult *r;

	if (!PQconsumeInput(pg))
		return 0;
	while (!PQisBusy(pg)) {
		ExecStatusType st;

		r = PQgetResult(pg);
		if (r == NULL)
			return 1;
		st = PQresultStatus(r);
		PQclear(r);
		if (st == PGRES_COPY_IN || st == PGRES_COPY_OUT ||
		    st == PGRES_COPY_BOTH)
			return 0;
	}
	return 0;
}

/* The statement's results are all in: the connection is free. */
static void
finish(pg_cursor *q)
{
	q->done = 1;
	if (q->c != NULL && q->c->busy == q)
		q->c->busy = NULL;
}

/*
 * Make q->res hold an unread row: 1, or 0 at the end, or ORMC_EDRIVER (the
 * statement failed; the connection is free again).
 */
static int
advance(pg_cursor *q, ormc_error *err)
{
	PGresult *r;

	for (;;) {
		if (q->res != NULL && q->at < PQntuples(q->res))
			return 1;
		PQclear(q->res);
		q->res = NULL;
		q->at = 0;
		if (q->done || q->c == NULL)
			return 0;
		r = next_result(q->c->pg);
		if (r == NULL) {
			finish(q);
			return 0;
		}
		switch (PQresultStatus(r)) {
		case PGRES_SINGLE_TUPLE:
		case PGRES_TUPLES_OK:   /* the end; or all rows, if not row by row */
			q->res = r;
			break;
		case PGRES_COMMAND_OK:
		case PGRES_EMPTY_QUERY:
			PQclear(r);
			break;
		default:
			pg_fail(q->c->pg, r, err);
			PQclear(r);
			drain(q->c->pg);
			finish(q);
			return ORMC_EDRIVER;
		}
	}
}

/* ---- execute ------------------------------------------------------------- */

/* Does the statement only read (so cancelling it undoes nothing)? */
static int
only_reads(const char *sql)
{
	static const char *const words[] = { "select", "values", "table", "show" };
	const char *p = sql;
	size_t i, n;

	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' ||
		       *p == '(')
			p++;
		if (p[0] == '-' && p[1] == '-') {
			p += strcspn(p, "\n");
		} else if (p[0] == '/' && p[1] == '*') {
			const char *end = strstr(p + 2, "*/");

			if (end == NULL)
				return 0;
			p = end + 2;
		} else {
			break;
		}
	}
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		n = strlen(words[i]);
		if (strncasecmp(p, words[i], n) == 0 &&
		    !((p[n] >= 'a' && p[n] <= 'z') || (p[n] >= 'A' && p[n] <= 'Z') ||
		      (p[n] >= '0' && p[n] <= '9') || p[n] == '_' || p[n] == '$'))
			return 1;
	}
	return 0;
}

/* Room for "-106751992 days 86399999999 microseconds" or a %.17g double. */
#define NUMBER_ROOM 64

/*
 * The parameters as libpq's text values: *values (nparams pointers, NULL for
 * NULL) into one buffer *block. Both malloc'ed; free them after sending.
 */
static int
text_params(const ormc_value *params, int nparams, char ***values, char **block,
            ormc_error *err)
{
	size_t need = 0, pos = 0;
	char **v;
	char *b;
	int i;

	*values = NULL;
	*block = NULL;
	for (i = 0; i < nparams; i++) {
		const ormc_value *p = &params[i];

		switch (p->type) {
		case ORMC_TYPE_NULL:
			break;
		case ORMC_TYPE_INT:
		case ORMC_TYPE_BOOL:
		case ORMC_TYPE_FLOAT:
		case ORMC_TYPE_DURATION:
			need += NUMBER_ROOM;
			break;
		case ORMC_TYPE_DECIMAL:
		case ORMC_TYPE_TEXT:
		case ORMC_TYPE_DATE:
		case ORMC_TYPE_DATETIME:
		case ORMC_TYPE_TIME:
			if (p->len > 0 && p->s == NULL)
				return ormc_error_set(err, ORMC_EINVALID, NULL, -1, 0,
				                      "parameter %d has no text", i + 1);
			if (p->len > 0 && memchr(p->s, '\0', p->len) != NULL)
				return ormc_error_set(err, ORMC_EDRIVER, NULL, -1, 0,
				                      "parameter %d: PostgreSQL text cannot "
				                      "contain a NUL byte", i + 1);
			if (p->len > (size_t)-1 - need - 1)
				return ormc_error_set(err, ORMC_ENOMEM, NULL, -1, 0,
				                      "out of memory");
			need += p->len + 1;
			break;
		default:
			return ormc_error_set(err, ORMC_EINVALID, NULL, -1, 0,
			                      "parameter %d has an unknown type %d",
			                      i + 1, (int)p->type);
		}
	}
	v = calloc((size_t)(nparams > 0 ? nparams : 1), sizeof(*v));
	b = malloc(need > 0 ? need : 1);
	if (v == NULL || b == NULL) {
		free(v);
		free(b);
		return ormc_error_set(err, ORMC_ENOMEM, NULL, -1, 0, "out of memory");
	}
	for (i = 0; i < nparams; i++) {
		const ormc_value *p = &params[i];
		char *at = b + pos;

		switch (p->type) {
		case ORMC_TYPE_NULL:
			continue;
		case ORMC_TYPE_INT:
			snprintf(at, NUMBER_ROOM, "%lld", (long long)p->i);
			break;
		case ORMC_TYPE_BOOL:
			snprintf(at, NUMBER_ROOM, "%s", p->i ? "true" : "false");
			break;
		case ORMC_TYPE_FLOAT:
			ormc_db_float_text(p->f, at, NUMBER_ROOM);
			break;
		case ORMC_TYPE_DURATION: {
			/*
			 * Days apart, as psycopg sends a timedelta (days, then
			 * 0 <= rest < a day), so the interval is stored as
			 * Django stores it: "1 day 02:00:00", not "26:00:00".
			 */
			long long day = 86400000000LL, d = (long long)p->i / day,
			          us = (long long)p->i % day;

			if (us < 0) {
				us += day;
				d--;
			}
			snprintf(at, NUMBER_ROOM, "%lld days %lld microseconds", d, us);
			break;
		}
		default:   /* text kinds, checked above */
			if (p->len > 0)
				memcpy(at, p->s, p->len);
			at[p->len] = '\0';
			break;
		}
		v[i] = at;
		pos += strlen(at) + 1;
	}
	*values = v;
	*block = b;
	return ORMC_OK;
}

static void
free_cursor(pg_cursor *q)
{
	if (q == NULL)
		return;
	PQclear(q->res);
	free(q->types);
	free(q->names);
	free(q->row);
	free(q);
}

/* A cursor over the statement whose first result is r (taken over). */
static pg_cursor *
new_cursor(pg_conn *c, PGresult *r)
{
	pg_cursor *q = calloc(1, sizeof(*q));
	size_t size, len;
	char *text;
	int i, n = PQnfields(r);

	if (q == NULL)
		return NULL;
	q->base.ncols = n;
	q->c = c;
	q->types = calloc((size_t)(n > 0 ? n : 1), sizeof(Oid));
	q->row = calloc((size_t)(n > 0 ? n : 1), sizeof(ormc_value));
	size = (size_t)(n > 0 ? n : 1) * sizeof(char *);
	for (i = 0; i < n; i++)
		size += strlen(PQfname(r, i)) + 1;
	q->names = malloc(size);
	if (q->types == NULL || q->row == NULL || q->names == NULL) {
		free_cursor(q);
		return NULL;
	}
	/* the names outlive each row's result: copy them after the pointers */
	text = (char *)(q->names + (n > 0 ? n : 1));
	for (i = 0; i < n; i++) {
		len = strlen(PQfname(r, i)) + 1;
		memcpy(text, PQfname(r, i), len);
		q->names[i] = text;
		text += len;
		q->types[i] = PQftype(r, i);
	}
	q->res = r;
	return q;
}

static int
busy_error(ormc_error *err)
{
	ormc_error_set(err, ORMC_EDRIVER, NULL, -1, 0,
	               "another statement's rows are still being read on "
	               "this connection");
	ormc_error_hint(err, "Read its result to the end or free it first.");
	return ORMC_EDRIVER;
}

/*
 * The statement has been sent: switch to single row mode and wait for its
 * first result. Rows give a cursor (reads: closing it early may cancel);
 * a statement without rows is complete and gives none. On failure the
 * server's SQLSTATE goes to state (6 bytes) too, when state is not NULL.
 */
static int
first_result(pg_conn *c, int reads, ormc_cursor **out, char *state, ormc_error *err)
{
	pg_cursor *q;
	PGresult *r;

	/* if this fails, whole results come instead of rows: handled alike */
	PQsetSingleRowMode(c->pg);

	for (;;) {
		r = next_result(c->pg);
		if (r == NULL)
			return ORMC_OK;   /* no rows: DDL, INSERT, BEGIN ... */
		switch (PQresultStatus(r)) {
		case PGRES_SINGLE_TUPLE:
		case PGRES_TUPLES_OK:
			q = new_cursor(c, r);
			if (q == NULL) {
				PQclear(r);
				drain(c->pg);
				return ormc_error_set(err, ORMC_ENOMEM, NULL, -1, 0,
				                      "out of memory");
			}
			q->base.conn = &c->base;
			q->may_cancel = reads;
			c->busy = q;
			*out = &q->base;
			return ORMC_OK;
		case PGRES_COMMAND_OK:
		case PGRES_EMPTY_QUERY:
			PQclear(r);
			break;
		case PGRES_COPY_IN:
		case PGRES_COPY_OUT:
		case PGRES_COPY_BOTH:
			PQclear(r);
			drain(c->pg);
			return ormc_error_set(err, ORMC_EDRIVER, NULL, -1, 0,
			                      "COPY is not supported");
		default:
			if (state != NULL) {
				const char *s = PQresultErrorField(r, PG_DIAG_SQLSTATE);

				if (s != NULL && strlen(s) == 5)
					memcpy(state, s, 6);
			}
			pg_fail(c->pg, r, err);
			PQclear(r);
			drain(c->pg);
			return ORMC_EDRIVER;
		}
	}
}

static int
pg_execute(ormc_conn *conn, const char *sql, const ormc_value *params,
           int nparams, ormc_cursor **out, ormc_error *err)
{
	pg_conn *c = (pg_conn *)conn;
	char **values = NULL, *block = NULL;
	int rc, reads, sent;

	*out = NULL;
	if (c->busy != NULL)
		return busy_error(err);
	rc = text_params(params, nparams, &values, &block, err);
	if (rc < 0)
		return rc;
	/* a cancel outside a transaction block undoes nothing but the read */
	reads = PQtransactionStatus(c->pg) == PQTRANS_IDLE && only_reads(sql);
	sent = PQsendQueryParams(c->pg, sql, nparams, NULL,
	                         (const char *const *)values, NULL, NULL, 0);
	free(values);
	free(block);
	if (!sent)
		return pg_fail(c->pg, NULL, err);
	return first_result(c, reads, out, NULL, err);
}

/* ---- prepared statements ------------------------------------------------- */

/* Can a finalized statement be dropped on the server now (see the top)? */
static int
can_drop(pg_conn *c)
{
	if (c->busy != NULL)
		return 0;   /* a synchronous call would swallow the rows still coming */
#ifdef LIBPQ_HAS_CLOSE_PREPARED
	return PQstatus(c->pg) == CONNECTION_OK;
#else
	return PQtransactionStatus(c->pg) == PQTRANS_IDLE;
#endif
}

/* Drop ps on the server and free it. */
static void
drop(pg_conn *c, pg_prepared *ps)
{
	PGresult *r;
#ifdef LIBPQ_HAS_CLOSE_PREPARED
	r = PQclosePrepared(c->pg, ps->name);
#else
	char sql[64];

	snprintf(sql, sizeof(sql), "DEALLOCATE %s", ps->name);
	r = PQexec(c->pg, sql);
#endif
	/* failing (the server lost it already) leaves nothing to undo */
	PQclear(r);
	free(ps->sql);
	free(ps);
}

/* Drop the finalized statements that can be dropped now. */
static void
drop_stale(pg_conn *c)
{
	while (c->stale != NULL && can_drop(c)) {
		pg_prepared *ps = c->stale;

		c->stale = ps->next;
		drop(c, ps);
	}
}

/* PQprepare ps->sql as ps->name. */
static int
server_prepare(pg_conn *c, pg_prepared *ps, ormc_error *err)
{
	PGresult *r;
	int ok;

	/* no declared types (0 of them), as execute() sends the parameters */
	r = PQprepare(c->pg, ps->name, ps->sql, 0, NULL);
	ok = r != NULL && PQresultStatus(r) == PGRES_COMMAND_OK;
	if (!ok)
		pg_fail(c->pg, r, err);
	PQclear(r);
	return ok ? ORMC_OK : ORMC_EDRIVER;
}

static int
pg_prepare(ormc_conn *conn, const char *sql, int nparams, ormc_prepared **out,
           ormc_error *err)
{
	pg_conn *c = (pg_conn *)conn;
	pg_prepared *ps;
	int rc;

	*out = NULL;
	if (c->busy != NULL)
		return busy_error(err);
	drop_stale(c);
	ps = calloc(1, sizeof(*ps));
	if (ps == NULL || (ps->sql = strdup(sql)) == NULL) {
		free(ps);
		return ormc_error_set(err, ORMC_ENOMEM, NULL, -1, 0, "out of memory");
	}
	ps->base.conn = conn;
	snprintf(ps->name, sizeof(ps->name), "ormc_%lu", ++c->nprepared);
	ps->nparams = nparams;
	ps->reads = only_reads(sql);
	if ((rc = server_prepare(c, ps, err)) < 0) {
		free(ps->sql);
		free(ps);
		return rc;
	}
	*out = &ps->base;
	return ORMC_OK;
}

static int
pg_execute_prepared(ormc_prepared *p, const ormc_value *params, int nparams,
                    ormc_cursor **out, ormc_error *err)
{
	pg_prepared *ps = (pg_prepared *)p;
	pg_conn *c = (pg_conn *)p->conn;
	char **values = NULL, *block = NULL, state[6] = "";
	int rc, reads, sent;

	*out = NULL;
	if (c->busy != NULL)
		return busy_error(err);
	if (nparams != ps->nparams)
		return ormc_error_set(err, ORMC_EDRIVER, NULL, -1, 0,
		                      "statement has %d parameters, %d given",
		                      ps->nparams, nparams);
	if (ps->lost) {
		if ((rc = server_prepare(c, ps, err)) < 0)
			return rc;
		ps->lost = 0;
	}
	rc = text_params(params, nparams, &values, &block, err);
	if (rc < 0)
		return rc;
	reads = ps->reads && PQtransactionStatus(c->pg) == PQTRANS_IDLE;
	sent = PQsendQueryPrepared(c->pg, ps->name, nparams,
	                           (const char *const *)values, NULL, NULL, 0);
	free(values);
	free(block);
	if (!sent)
		return pg_fail(c->pg, NULL, err);
	rc = first_result(c, reads, out, state, err);
	/* 26000: gone (DISCARD ALL, DEALLOCATE ALL); the next execution prepares it */
	if (rc < 0 && strcmp(state, "26000") == 0)
		ps->lost = 1;
	return rc;
}

static void
pg_finalize(ormc_prepared *p)
{
	pg_prepared *ps = (pg_prepared *)p;
	pg_conn *c;

	if (ps == NULL)
		return;
	c = (pg_conn *)p->conn;
	ps->next = c->stale;
	c->stale = ps;
	drop_stale(c);
}

static const char *
pg_column_name(ormc_cursor *cur, int col)
{
	pg_cursor *q = (pg_cursor *)cur;

	if (col < 0 || col >= cur->ncols)
		return NULL;
	return q->names[col];
}

/* An integer cell; 0, or -1 if the text is not one (then it goes as TEXT). */
static int
int_cell(const char *s, int64_t *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0')
		return -1;
	*out = (int64_t)v;
	return 0;
}

static void
fetch_row(pg_cursor *q)
{
	const PGresult *r = q->res;
	int i, at = q->at;

	for (i = 0; i < q->base.ncols; i++) {
		ormc_value *v = &q->row[i];
		const char *s;

		memset(v, 0, sizeof(*v));
		if (PQgetisnull(r, at, i)) {
			v->type = ORMC_TYPE_NULL;
			continue;
		}
		s = PQgetvalue(r, at, i);
		v->s = s;
		v->len = (size_t)PQgetlength(r, at, i);
		switch (q->types[i]) {
		case BOOLOID:
			v->type = ORMC_TYPE_BOOL;
			v->i = s[0] == 't';
			v->s = NULL;
			v->len = 0;
			break;
		case INT2OID:
		case INT4OID:
		case INT8OID:
		case OIDOID:
			v->type = ORMC_TYPE_TEXT;
			if (int_cell(s, &v->i) == 0) {
				v->type = ORMC_TYPE_INT;
				v->s = NULL;
				v->len = 0;
			}
			break;
		case FLOAT4OID:
		case FLOAT8OID:
			/* strtod reads "NaN", "Infinity" and "-Infinity" too */
			v->type = ORMC_TYPE_FLOAT;
			v->f = strtod(s, NULL);
			v->s = NULL;
			v->len = 0;
			break;
		case NUMERICOID:
			v->type = ORMC_TYPE_DECIMAL;
			break;
		case DATEOID:
			v->type = ORMC_TYPE_DATE;
			break;
		case TIMESTAMPOID:
		case TIMESTAMPTZOID:
			v->type = ORMC_TYPE_DATETIME;
			break;
		case TIMEOID:
			v->type = ORMC_TYPE_TIME;
			break;
		default:
			v->type = ORMC_TYPE_TEXT;
			break;
		}
	}
}

static int
pg_next(ormc_cursor *cur, const ormc_value **row, ormc_error *err)
{
	pg_cursor *q = (pg_cursor *)cur;
	int rc;

	*row = NULL;
	rc = advance(q, err);
	if (rc <= 0)
		return rc;
	fetch_row(q);
	q->at++;   /* the cells stay in q->res until the next call */
	*row = q->row;
	return 1;
}

static void
pg_close_cursor(ormc_cursor *cur)
{
	pg_cursor *q = (pg_cursor *)cur;

	if (q == NULL)
		return;
	if (!q->done && q->c != NULL) {
		PGconn *pg = q->c->pg;

		/* the rest may be here already; if not, stop or skip it */
		if (!drain_arrived(pg)) {
			if (q->may_cancel) {
				PGcancel *cancel = PQgetCancel(pg);
				char why[256];

				if (cancel != NULL) {
					PQcancel(cancel, why, (int)sizeof(why));
					PQfreeCancel(cancel);
				}
			}
			drain(pg);
		}
		finish(q);
	}
	free_cursor(q);
}

/* ---- COPY ... FROM STDIN --------------------------------------------------- */

/*
 * The core's bulk writer sends rows in COPY's text format. The connection is
 * in blocking mode, so PQputCopyData() returns once libpq has buffered or
 * sent the data; the server's verdict on the rows comes at copy_end().
 */
static int
pg_copy_begin(ormc_conn *conn, const char *sql, ormc_error *err)
{
	pg_conn *c = (pg_conn *)conn;
	PGresult *r;

	if (c->busy != NULL)
		return busy_error(err);
	r = PQexec(c->pg, sql);
	if (r != NULL && PQresultStatus(r) == PGRES_COPY_IN) {
		PQclear(r);
		return ORMC_OK;
	}
	pg_fail(c->pg, r, err);
	PQclear(r);
	drain(c->pg);
	return ORMC_EDRIVER;
}

static int
pg_copy_send(ormc_conn *conn, const char *data, size_t len, ormc_error *err)
{
	pg_conn *c = (pg_conn *)conn;

	while (len > 0) {
		int n = len > (1u << 30) ? (1 << 30) : (int)len;

		if (PQputCopyData(c->pg, data, n) != 1)
			return pg_fail(c->pg, NULL, err);
		data += n;
		len -= (size_t)n;
	}
	return ORMC_OK;
}

static int
pg_copy_end(ormc_conn *conn, const char *abort, ormc_error *err)
{
	pg_conn *c = (pg_conn *)conn;
	PGresult *r;
	int rc = ORMC_OK;

	if (PQputCopyEnd(c->pg, abort) != 1)
		rc = pg_fail(c->pg, NULL, err);
	while ((r = PQgetResult(c->pg)) != NULL) {
		if (rc == ORMC_OK && abort == NULL &&
		    PQresultStatus(r) != PGRES_COMMAND_OK)
			rc = pg_fail(c->pg, r, err);   /* the first row it refused */
		PQclear(r);
	}
	return rc;
}

static void
pg_disconnect(ormc_conn *conn)
{
	pg_conn *c = (pg_conn *)conn;

	if (c == NULL)
		return;
	if (c->busy != NULL) {
		/* its cursor outlives us: it keeps the rows it holds, no more */
		c->busy->c = NULL;
		c->busy->done = 1;
	}
	/* statements not dropped yet go with the session */
	while (c->stale != NULL) {
		pg_prepared *ps = c->stale;

		c->stale = ps->next;
		free(ps->sql);
		free(ps);
	}
	PQfinish(c->pg);
	free(c);
}

const ormc_driver ormc_driver_postgresql = {
	ORMC_DRIVER_VERSION,
	"postgresql",
	"postgresql,postgres",
	PG_LIBRARY,
	pg_connect,
	pg_dialect,
	pg_execute,
	pg_column_name,
	pg_next,
	pg_close_cursor,
	NULL,   /* begin: "BEGIN" through execute */
	NULL,
	NULL,
	pg_disconnect,
	pg_prepare,
	pg_execute_prepared,
	pg_finalize,
	pg_copy_begin,
	pg_copy_send,
	pg_copy_end,
};
