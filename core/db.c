/*
 * db.c -- the driver registry and the connection API (ormc_connect & co).
 *
 * A URL picks its driver by the scheme before the first ':' ("sqlite" in
 * "sqlite::memory:"); a string with '=' before any ':' is libpq's
 * "host=... dbname=..." form and goes to PostgreSQL. Drivers registered by the program are tried first, in
 * registration order, then the built-in ones compiled into the library.
 * After connecting, the driver says which dialect the server speaks and its
 * version; the core keeps both on the ormc_db, so queries compile for it.
 */
#include "db.h"

#include <ctype.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "result_int.h"

#define MAX_REGISTERED 16

static const ormc_driver *registered[MAX_REGISTERED];
static pthread_mutex_t connect_lock = PTHREAD_MUTEX_INITIALIZER;
static int nregistered;

static const ormc_driver *const builtins[] = {
#ifdef ORMC_HAVE_SQLITE
	&ormc_driver_sqlite,
#endif
#ifdef ORMC_HAVE_POSTGRESQL
	&ormc_driver_postgresql,
#endif
#ifdef ORMC_HAVE_MYSQL
	&ormc_driver_mysql,
#endif
#ifdef ORMC_HAVE_ODBC
	&ormc_driver_odbc,
#endif
	NULL
};

#define NBUILTINS ((int)(sizeof(builtins) / sizeof(builtins[0])) - 1)

int
ormc_driver_register(const ormc_driver *driver)
{
	int i;

	if (driver == NULL || driver->version == 0 ||
	    driver->version > ORMC_DRIVER_VERSION || driver->name == NULL ||
	    driver->schemes == NULL || driver->connect == NULL ||
	    driver->dialect == NULL || driver->execute == NULL ||
	    driver->next == NULL || driver->close_cursor == NULL ||
	    driver->disconnect == NULL)
		return ORMC_EINVALID;
	for (i = 0; i < nregistered; i++)
		if (registered[i] == driver)
			return ORMC_OK;
	if (nregistered == MAX_REGISTERED)
		return ORMC_ENOMEM;
	registered[nregistered++] = driver;
	return ORMC_OK;
}

int
ormc_driver_count(void)
{
	return nregistered + NBUILTINS;
}

const ormc_driver *
ormc_driver_get(int i)
{
	if (i < 0)
		return NULL;
	if (i < nregistered)
		return registered[i];
	i -= nregistered;
	return i < NBUILTINS ? builtins[i] : NULL;
}

/* Does the comma-separated list contain scheme[0..len), ignoring case? */
static int
scheme_in(const char *list, const char *scheme, size_t len)
{
	const char *p = list;

	while (*p) {
		const char *end = strchr(p, ',');
		size_t n, k;

		if (end == NULL)
			end = p + strlen(p);
		while (p < end && *p == ' ')
			p++;
		n = (size_t)(end - p);
		while (n > 0 && p[n - 1] == ' ')
			n--;
		if (n == len) {
			for (k = 0; k < n; k++)
				if (tolower((unsigned char)p[k]) !=
				    tolower((unsigned char)scheme[k]))
					break;
			if (k == n)
				return 1;
		}
		p = *end ? end + 1 : end;
	}
	return 0;
}

/* "sqlite, postgresql" for messages. */
static void
available(char *buf, size_t n)
{
	size_t pos = 0;
	int i, count = ormc_driver_count();

	buf[0] = '\0';
	for (i = 0; i < count && pos + 1 < n; i++) {
		const char *s = ormc_driver_get(i)->schemes;
		size_t len = strlen(s);

		if (pos > 0 && pos + 2 < n) {
			memcpy(buf + pos, ", ", 2);
			pos += 2;
		}
		if (len > n - pos - 1)
			len = n - pos - 1;
		memcpy(buf + pos, s, len);
		pos += len;
		buf[pos] = '\0';
	}
	if (pos == 0)
		snprintf(buf, n, "none");
}

int
ormc_connect(ormc_db **out, const char *url, ormc_error *err)
{
	const ormc_driver *drv = NULL;
	const char *colon, *eq, *name, *scheme;
	size_t slen;
	ormc_conn *conn = NULL;
	ormc_db *db;
	char list[256];
	int i, count, rc, version = 0;

	*out = NULL;
	if (url == NULL)
		url = "";
	colon = strchr(url, ':');
	eq = strchr(url, '=');
	if (eq != NULL && (colon == NULL || eq < colon)) {
		/* libpq's "host=... dbname=..." form: no scheme, PostgreSQL's */
		scheme = "postgresql";
		slen = strlen(scheme);
	} else if (colon == NULL || colon == url) {
		available(list, sizeof(list));
		ormc_error_set(err, ORMC_ENODRIVER, NULL, -1, 0,
		               "database URL \"%s\" has no scheme (available: %s)",
		               url, list);
		ormc_error_hint(err, "For an SQLite file, write \"sqlite:%s\".",
		                colon == url ? "PATH" : url);
		return ORMC_ENODRIVER;
	} else {
		scheme = url;
		slen = (size_t)(colon - url);
	}
	count = ormc_driver_count();
	for (i = 0; i < count && drv == NULL; i++) {
		const ormc_driver *d = ormc_driver_get(i);

		if (scheme_in(d->schemes, scheme, slen))
			drv = d;
	}
	if (drv == NULL) {
		available(list, sizeof(list));
		return ormc_error_set(err, ORMC_ENODRIVER, NULL, -1, 0,
		                      "no driver for URL scheme '%.*s' (available: %s)",
		                      (int)slen, scheme, list);
	}

	ormc_error_clear(err);
	/*
	 * One connect at a time in the process: client libraries set
	 * themselves up on their first connect (mysql_library_init) and some
	 * change process state while connecting (psqlODBC calls setlocale()),
	 * neither safe from several threads at once.
	 */
	pthread_mutex_lock(&connect_lock);
	rc = drv->connect(&conn, url, err);
	pthread_mutex_unlock(&connect_lock);
	if (rc < 0 || conn == NULL) {
		if (rc >= 0)
			rc = ORMC_EDRIVER;
		if (err != NULL && err->code == 0)
			ormc_error_set(err, rc, NULL, -1, 0,
			               "driver '%s' could not open \"%s\"", drv->name, url);
		return rc;
	}
	conn->driver = drv;

	name = drv->dialect(conn, &version);
	db = calloc(1, sizeof(*db));
	if (db == NULL) {
		drv->disconnect(conn);
		return ormc_error_set(err, ORMC_ENOMEM, NULL, -1, 0, "out of memory");
	}
	db->conn = conn;
	db->server_version = version;
	db->dialect = name ? ormc_dialect_find(name) : NULL;
	if (db->dialect == NULL) {
		ormc_disconnect(db);
		return ormc_error_set(err, ORMC_EUNSUPPORTED, NULL, -1, 0,
		                      "driver '%s' speaks an unknown SQL dialect '%s'",
		                      drv->name, name ? name : "(none)");
	}
	*out = db;
	return ORMC_OK;
}

const char *
ormc_db_dialect(const ormc_db *db)
{
	return db && db->dialect ? db->dialect->name : NULL;
}

int
ormc_db_query(ormc_db *db, const char *sql, const ormc_value *params,
              int nparams, ormc_cursor **out, ormc_error *err)
{
	ormc_cursor *cur = NULL;
	int rc;

	*out = NULL;
	if (db == NULL || sql == NULL || nparams < 0 ||
	    (nparams > 0 && params == NULL))
		return ormc_error_set(err, ORMC_EINVALID, NULL, -1, 0,
		                      "invalid arguments to ormc_db_query");
	rc = db->conn->driver->execute(db->conn, sql, params, nparams, &cur, err);
	if (rc < 0) {
		if (err != NULL && err->code == 0)
			ormc_error_set(err, rc, NULL, -1, 0, "%s failed",
			               db->conn->driver->name);
		return rc;
	}
	if (cur != NULL)
		cur->conn = db->conn;
	*out = cur;
	return ORMC_OK;
}

int
ormc_db_exec(ormc_db *db, const char *sql, const ormc_value *params,
             int nparams, ormc_error *err)
{
	ormc_cursor *cur;
	const ormc_driver *drv;
	const ormc_value *row;
	int rc;

	rc = ormc_db_query(db, sql, params, nparams, &cur, err);
	if (rc < 0 || cur == NULL)
		return rc;
	/* a statement that returns rows: run it to the end, drop the rows */
	drv = db->conn->driver;
	while ((rc = drv->next(cur, &row, err)) > 0)
		;
	drv->close_cursor(cur);
	return rc < 0 ? rc : ORMC_OK;
}

static int
txn(ormc_db *db, int (*hook)(ormc_conn *, ormc_error *), const char *sql,
    ormc_error *err)
{
	if (db == NULL)
		return ormc_error_set(err, ORMC_EINVALID, NULL, -1, 0,
		                      "no connection");
	if (hook != NULL)
		return hook(db->conn, err);
	return ormc_db_exec(db, sql, NULL, 0, err);
}

int
ormc_db_begin(ormc_db *db, ormc_error *err)
{
	return txn(db, db ? db->conn->driver->begin : NULL, "BEGIN", err);
}

int
ormc_db_commit(ormc_db *db, ormc_error *err)
{
	return txn(db, db ? db->conn->driver->commit : NULL, "COMMIT", err);
}

int
ormc_db_rollback(ormc_db *db, ormc_error *err)
{
	return txn(db, db ? db->conn->driver->rollback : NULL, "ROLLBACK", err);
}

static int
can_prepare(const ormc_driver *d)
{
	return d->version >= 2 && d->prepare != NULL && d->execute_prepared != NULL &&
	       d->finalize != NULL;
}

int
ormc_db_execute_cached(ormc_db *db, uint64_t id, const char *sql, const ormc_value *vals, int n,
                       ormc_cursor **out, ormc_prepent **entp, ormc_error *err)
{
	const ormc_driver *d = db->conn->driver;
	ormc_prepent *ent = NULL;
	ormc_cursor *cur = NULL;
	int i, rc;

	*out = NULL;
	*entp = NULL;
	if (!can_prepare(d))
		return ormc_db_query(db, sql, vals, n, out, err);
	for (i = 0; i < db->nprep; i++)
		if (db->prep[i]->id == id) {
			ent = db->prep[i];
			break;
		}
	if (ent != NULL && ent->busy)
		/* Its cursor is still open (a second execution while the first is read): as text. */
		return ormc_db_query(db, sql, vals, n, out, err);
	if (ent == NULL) {
		ormc_prepared *ps = NULL;
		int victim = -1;

		if (db->nprep == ORMC_PREP_CACHE) {
			/* Full: the least recently used idle statement makes room, once this one is prepared. */
			for (i = 0; i < db->nprep; i++)
				if (!db->prep[i]->busy && (victim < 0 || db->prep[i]->used < db->prep[victim]->used))
					victim = i;
			if (victim < 0)
				return ormc_db_query(db, sql, vals, n, out, err);
		}
		if (db->prep == NULL &&
		    (db->prep = calloc(ORMC_PREP_CACHE, sizeof(*db->prep))) == NULL)
			return ormc_error_set(err, ORMC_ENOMEM, NULL, -1, 0, "out of memory");
		if ((ent = calloc(1, sizeof(*ent))) == NULL)
			return ormc_error_set(err, ORMC_ENOMEM, NULL, -1, 0, "out of memory");
		rc = d->prepare(db->conn, sql, n, &ps, err);
		if (rc < 0 || ps == NULL) {
			free(ent);
			if (rc >= 0)
				rc = ormc_error_set(err, ORMC_EDRIVER, NULL, -1, 0, "%s could not prepare", d->name);
			return rc;
		}
		if (victim >= 0) {
			d->finalize(db->prep[victim]->ps);
			free(db->prep[victim]);
			db->prep[victim] = db->prep[--db->nprep];
		}
		ps->conn = db->conn;
		ent->id = id;
		ent->ps = ps;
		db->prep[db->nprep++] = ent;
	}
	rc = d->execute_prepared(ent->ps, vals, n, &cur, err);
	if (rc < 0) {
		if (err != NULL && err->code == 0)
			ormc_error_set(err, rc, NULL, -1, 0, "%s failed", d->name);
		return rc;
	}
	ent->used = ++db->clock;
	if (cur != NULL) {
		cur->conn = db->conn;
		ent->busy = 1;
		*entp = ent;
	}
	*out = cur;
	return ORMC_OK;
}

void
ormc_db_release(ormc_db *db, ormc_prepent *ent)
{
	(void)db;
	if (ent != NULL)
		ent->busy = 0;
}

void
ormc_disconnect(ormc_db *db)
{
	int i;

	if (db == NULL)
		return;
	for (i = 0; i < db->nprep; i++) {
		db->conn->driver->finalize(db->prep[i]->ps);
		free(db->prep[i]);
	}
	free(db->prep);
	if (db->conn != NULL) {
		pthread_mutex_lock(&connect_lock);
		db->conn->driver->disconnect(db->conn);
		pthread_mutex_unlock(&connect_lock);
	}
	free(db);
}

void
ormc_db_float_text(double f, char *buf, size_t n)
{
	int prec;

	if (isnan(f)) {
		snprintf(buf, n, "NaN");
		return;
	}
	if (isinf(f)) {
		snprintf(buf, n, f > 0 ? "Infinity" : "-Infinity");
		return;
	}
	for (prec = 15; prec < 17; prec++) {
		snprintf(buf, n, "%.*g", prec, f);
		if (strtod(buf, NULL) == f)
			return;
	}
	snprintf(buf, n, "%.17g", f);
}
