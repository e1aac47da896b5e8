/*
 * check_postgresql.c -- the PostgreSQL driver (drivers/postgresql.c) on the
 * test server: the three connection string forms and their errors (never
 * showing the password), every parameter type bound (never pasted), cell
 * types by column type, SQLSTATEs, streaming and closing a cursor early,
 * transactions, and migrate + fixture + a query end to end.
 *
 * main() gets a fresh database from tests/backends.c; an unreachable server
 * is a failure, the suite is skipped only when ORMC_TEST_BACKENDS leaves
 * PostgreSQL out.
 */
#define _POSIX_C_SOURCE 200809L

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backends.h"
#include "db.h"
#include "ddl.h"
#include "types.h"
#include "ormc/ormc.h"
#include "ormc/sys/driver.h"

#ifndef ORMC_SOURCE_DIR
#define ORMC_SOURCE_DIR "."
#endif

#define DBNAME "ormc_check_pg"

/* The test database's URL and its parts (set by main before the tests fork). */
static char url[1024];
static tb_url parts;            /* url's user, password, host, port */

/* ---- helpers ------------------------------------------------------------- */

/* " key='value'" for a libpq key/value string, quotes escaped. */
static void
kv(char *buf, size_t n, const char *key, const char *value)
{
	size_t pos = strlen(buf);

	if (*value == '\0')
		return;
	pos += (size_t)snprintf(buf + pos, n - pos, "%s%s='", pos ? " " : "", key);
	for (; *value && pos + 3 < n; value++) {
		if (*value == '\'' || *value == '\\')
			buf[pos++] = '\\';
		buf[pos++] = *value;
	}
	snprintf(buf + pos, n - pos, "'");
}

/* A URL like the test one with a password and port of our choosing. */
static void
url_with(char *buf, size_t n, const char *scheme, const char *pw,
         const char *p, const char *db)
{
	snprintf(buf, n, "%s://%s%s%s@%s%s%s/%s", scheme, parts.user, *pw ? ":" : "",
	         pw, parts.host, *p ? ":" : "", p, db);
}

static ormc_db *
open_test(void)
{
	return tb_open(url);
}

static const ormc_driver *
drv(ormc_db *db)
{
	return db->conn->driver;
}

/* Run sql with params and return its cursor on the first row. */
static ormc_cursor *
first_row(ormc_db *db, const char *sql, const ormc_value *p, int n,
          const ormc_value **row)
{
	ormc_cursor *cur = NULL;
	ormc_error err;
	int rc = ormc_db_query(db, sql, p, n, &cur, &err);

	ck_assert_msg(rc == ORMC_OK, "%s: %s", sql, err.message);
	ck_assert_ptr_nonnull(cur);
	rc = drv(db)->next(cur, row, &err);
	ck_assert_msg(rc == 1, "%s: next %d: %s", sql, rc, err.message);
	return cur;
}

/* The single integer a query returns. */
static long long
scalar(ormc_db *db, const char *sql)
{
	const ormc_value *row;
	ormc_cursor *cur = first_row(db, sql, NULL, 0, &row);
	ormc_error err;
	long long v;

	ck_assert_int_eq(row[0].type, ORMC_TYPE_INT);
	v = (long long)row[0].i;
	ck_assert_int_eq(drv(db)->next(cur, &row, &err), 0);
	drv(db)->close_cursor(cur);
	return v;
}

/* Is the single text a query returns equal to want? */
static void
text_is(ormc_db *db, const char *sql, const char *want)
{
	const ormc_value *row;
	ormc_cursor *cur = first_row(db, sql, NULL, 0, &row);

	ck_assert_msg(row[0].type == ORMC_TYPE_TEXT && row[0].len == strlen(want) &&
	              memcmp(row[0].s, want, row[0].len) == 0,
	              "%s: \"%.*s\", not \"%s\"", sql, (int)row[0].len,
	              row[0].s ? row[0].s : "", want);
	drv(db)->close_cursor(cur);
}

static int
cell_is(const ormc_value *v, ormc_type type, const char *text)
{
	return v->type == type && v->len == strlen(text) &&
	       memcmp(v->s, text, v->len) == 0;
}

#define CELL(v, ty, text)                                                  \
	ck_assert_msg(cell_is(&(v), ty, text), "%s: type %d \"%.*s\"", text, \
	              (int)(v).type, (int)(v).len, (v).s ? (v).s : "")

static ormc_value
p_int(long long i)
{
	ormc_value v;

	memset(&v, 0, sizeof(v));
	v.type = ORMC_TYPE_INT;
	v.i = i;
	return v;
}

static ormc_value
p_text(ormc_type type, const char *s)
{
	ormc_value v;

	memset(&v, 0, sizeof(v));
	v.type = type;
	v.s = s;
	v.len = strlen(s);
	return v;
}

static double
seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- connect ------------------------------------------------------------- */

START_TEST(test_connect_url)
{
	ormc_db *db = open_test();
	const ormc_driver *d = drv(db);
	long long v;
	int version = -1;

	ck_assert_str_eq(d->name, "postgresql");
	ck_assert_str_eq(d->schemes, "postgresql,postgres");
	ck_assert_msg(strncmp(d->library, "libpq", 5) == 0, "%s", d->library);
	ck_assert(d->begin == NULL);
	ck_assert(d->commit == NULL);
	ck_assert(d->rollback == NULL);
	ck_assert_str_eq(ormc_db_dialect(db), "postgresql");

	/* the server version, as major*10000 + minor*100 + patch */
	v = scalar(db, "SELECT current_setting('server_version_num')::integer");
	ck_assert_int_ge(v, 90000);
	ck_assert_int_eq(db->server_version, v);
	ck_assert_str_eq(d->dialect(db->conn, &version), "postgresql");
	ck_assert_int_eq(version, v);

	/* the session speaks the text formats the core parses */
	text_is(db, "SHOW client_encoding", "UTF8");
	text_is(db, "SELECT split_part(current_setting('DateStyle'), ',', 1)",
	        "ISO");
	text_is(db, "SHOW IntervalStyle", "postgres");
	text_is(db, "SHOW TimeZone", "UTC");
	text_is(db, "SHOW application_name", "ormc");
	text_is(db, "SELECT current_database()::text", DBNAME);
	ormc_disconnect(db);
	ormc_disconnect(NULL);
}
END_TEST

START_TEST(test_connect_forms)
{
	char u[2048];
	ormc_db *db;

	/* postgres:// and any case of the scheme */
	url_with(u, sizeof(u), "postgres", parts.password, parts.port, DBNAME);
	db = tb_open(u);
	text_is(db, "SELECT current_database()::text", DBNAME);
	ormc_disconnect(db);
	url_with(u, sizeof(u), "PostgreSQL", parts.password, parts.port, DBNAME);
	db = tb_open(u);
	ormc_disconnect(db);

	/* libpq's key/value form, built from the URL's parts */
	u[0] = '\0';
	kv(u, sizeof(u), "host", parts.host);
	kv(u, sizeof(u), "port", parts.port);
	kv(u, sizeof(u), "dbname", DBNAME);
	kv(u, sizeof(u), "user", parts.user);
	kv(u, sizeof(u), "password", parts.password);
	db = tb_open(u);
	ck_assert_str_eq(ormc_db_dialect(db), "postgresql");
	text_is(db, "SELECT current_database()::text", DBNAME);
	text_is(db, "SHOW TimeZone", "UTC");
	ormc_disconnect(db);

	/* options of the string win over the driver's defaults */
	snprintf(u, sizeof(u), "%s?application_name=ormc_test&connect_timeout=5",
	         url);
	db = tb_open(u);
	text_is(db, "SHOW application_name", "ormc_test");
	ormc_disconnect(db);
}
END_TEST

/* err says nothing of secret, in its message or its hint */
static void
no_secret(const ormc_error *err, const char *secret)
{
	ck_assert_msg(strstr(err->message, secret) == NULL, "%s", err->message);
	ck_assert_msg(strstr(err->hint, secret) == NULL, "%s", err->hint);
}

START_TEST(test_connect_errors)
{
	ormc_db *db = (ormc_db *)1;
	ormc_error err;
	char u[1024];
	int rc;

	/* a closed port: libpq says where, the password stays out */
	url_with(u, sizeof(u), "postgresql", "Sekr1tPW", "1", DBNAME);
	ck_assert_int_eq(ormc_connect(&db, u, &err), ORMC_EDRIVER);
	ck_assert_ptr_null(db);
	ck_assert_int_eq(err.code, ORMC_EDRIVER);
	ck_assert_msg(strstr(err.message, "cannot connect to PostgreSQL database "
	                     "\"" DBNAME "\": ") != NULL, "%s", err.message);
	/* libpq 14 and later name the port in the message, older in the hint */
	ck_assert_msg(strstr(err.message, "port 1") != NULL ||
	              strstr(err.hint, "port 1") != NULL, "%s / %s", err.message,
	              err.hint);
	no_secret(&err, "Sekr1tPW");
	ck_assert_str_eq(err.sqlstate, "");

	/* strings libpq cannot parse: it quotes them, the password is masked */
	snprintf(u, sizeof(u), "postgresql://%s:Sekr1t%%zzPW@%s:%s/%s", parts.user,
	         parts.host, parts.port, DBNAME);
	ck_assert_int_eq(ormc_connect(&db, u, &err), ORMC_EDRIVER);
	ck_assert_msg(strncmp(err.message, "invalid PostgreSQL connection "
	                      "string: ", 35) == 0, "%s", err.message);
	no_secret(&err, "Sekr1t");
	ck_assert_int_eq(ormc_connect(&db, "postgresql://u:Sekr1tPW@[::1/db", &err),
	                 ORMC_EDRIVER);
	no_secret(&err, "Sekr1tPW");
	ck_assert_int_eq(ormc_connect(&db, "postgresql://u@h/db?password=Sekr1tPW"
	                              "&x=1=2", &err), ORMC_EDRIVER);
	no_secret(&err, "Sekr1tPW");
	ck_assert_int_eq(ormc_connect(&db, "host=h password='Sekr1tPW", &err),
	                 ORMC_EDRIVER);
	no_secret(&err, "Sekr1tPW");
	ck_assert_int_eq(ormc_connect(&db, "host=h nosuchoption=1", &err),
	                 ORMC_EDRIVER);
	ck_assert_msg(strstr(err.message, "nosuchoption") != NULL, "%s",
	              err.message);

	/* a database that does not exist is named */
	url_with(u, sizeof(u), "postgresql", parts.password, parts.port,
	         "ormc_no_such_db");
	ck_assert_int_eq(ormc_connect(&db, u, &err), ORMC_EDRIVER);
	ck_assert_msg(strstr(err.message, "\"ormc_no_such_db\" does not exist") !=
	              NULL, "%s", err.message);

	/* a wrong password, where the server asks for one */
	url_with(u, sizeof(u), "postgresql", "Wr0ngPW", parts.port, DBNAME);
	rc = ormc_connect(&db, u, &err);
	if (rc == ORMC_OK) {
		ormc_disconnect(db);   /* trust authentication: nothing to see */
	} else {
		ck_assert_int_eq(rc, ORMC_EDRIVER);
		no_secret(&err, "Wr0ngPW");
	}
}
END_TEST

/* ---- parameters and cells ------------------------------------------------ */

START_TEST(test_bind_every_type)
{
	ormc_db *db = open_test();
	ormc_value p[14];
	const ormc_value *row;
	ormc_cursor *cur;
	ormc_error err;

	memset(p, 0, sizeof(p));
	p[0] = p_int(-9000000000LL);
	p[1] = p_text(ORMC_TYPE_TEXT, "Django Unleashed");
	p[2] = p_text(ORMC_TYPE_DECIMAL, "9.99xx");
	p[2].len = 4;               /* only len bytes are bound */
	p[3].type = ORMC_TYPE_BOOL;
	p[3].i = 1;
	p[4].type = ORMC_TYPE_FLOAT;
	p[4].f = 0.1;
	p[5] = p_text(ORMC_TYPE_DATE, "2007-12-06");
	p[6].type = ORMC_TYPE_DURATION;
	p[6].i = 93600000001LL;     /* 1 day, 2 hours and a microsecond */
	p[7] = p_text(ORMC_TYPE_DATETIME, "2026-11-21 10:00:00.25");
	p[8] = p_text(ORMC_TYPE_TIME, "10:30:00");
	p[9].type = ORMC_TYPE_NULL;
	p[10].type = ORMC_TYPE_BOOL;
	p[10].i = 0;
	p[11].type = ORMC_TYPE_FLOAT;
	p[11].f = NAN;
	p[12].type = ORMC_TYPE_FLOAT;
	p[12].f = -INFINITY;
	p[13] = p_text(ORMC_TYPE_TEXT, "");
	cur = first_row(db, "SELECT $1::bigint, $2::text, $3::numeric, "
	                "$4::boolean, $5::double precision, $6::date, "
	                "$7::interval, $8::timestamp, $9::time, $10::text, "
	                "$11::boolean, $12::double precision, "
	                "$13::double precision, $14::text",
	                p, 14, &row);
	ck_assert_int_eq(cur->ncols, 14);
	ck_assert_int_eq(row[0].type, ORMC_TYPE_INT);
	ck_assert(row[0].i == -9000000000LL);
	CELL(row[1], ORMC_TYPE_TEXT, "Django Unleashed");
	CELL(row[2], ORMC_TYPE_DECIMAL, "9.99");
	ck_assert_int_eq(row[3].type, ORMC_TYPE_BOOL);
	ck_assert_int_eq(row[3].i, 1);
	ck_assert_int_eq(row[4].type, ORMC_TYPE_FLOAT);
	ck_assert(row[4].f == 0.1);
	CELL(row[5], ORMC_TYPE_DATE, "2007-12-06");
	/* days apart, as psycopg sends a timedelta; intervals come back as
	 * PostgreSQL's text, which the core parses */
	CELL(row[6], ORMC_TYPE_TEXT, "1 day 02:00:00.000001");
	CELL(row[7], ORMC_TYPE_DATETIME, "2026-11-21 10:00:00.25");
	CELL(row[8], ORMC_TYPE_TIME, "10:30:00");
	ck_assert_int_eq(row[9].type, ORMC_TYPE_NULL);
	ck_assert_int_eq(row[10].type, ORMC_TYPE_BOOL);
	ck_assert_int_eq(row[10].i, 0);
	ck_assert_int_eq(row[11].type, ORMC_TYPE_FLOAT);
	ck_assert(isnan(row[11].f));
	ck_assert(isinf(row[12].f) && row[12].f < 0);
	/* the empty text is not NULL */
	ck_assert_int_eq(row[13].type, ORMC_TYPE_TEXT);
	ck_assert_int_eq((int)row[13].len, 0);
	ck_assert_ptr_nonnull(row[13].s);
	ck_assert_int_eq(drv(db)->next(cur, &row, &err), 0);
	ck_assert_int_eq(drv(db)->next(cur, &row, &err), 0);
	drv(db)->close_cursor(cur);

	/* floats round-trip exactly, integers at their limits */
	{
		static const double fl[] = { 1.0 / 3.0, 1e308, -4.9e-324, 123456789.125,
		                             0.30000000000000004 };
		static const long long il[] = { 9223372036854775807LL,
		                                -9223372036854775807LL - 1, 0 };
		size_t i;

		for (i = 0; i < sizeof(fl) / sizeof(fl[0]); i++) {
			memset(p, 0, sizeof(p));
			p[0].type = ORMC_TYPE_FLOAT;
			p[0].f = fl[i];
			cur = first_row(db, "SELECT $1::double precision", p, 1, &row);
			ck_assert_msg(row[0].type == ORMC_TYPE_FLOAT && row[0].f == fl[i],
			              "%.17g came back as %.17g", fl[i], row[0].f);
			drv(db)->close_cursor(cur);
		}
		for (i = 0; i < sizeof(il) / sizeof(il[0]); i++) {
			p[0] = p_int(il[i]);
			cur = first_row(db, "SELECT $1::bigint", p, 1, &row);
			ck_assert(row[0].type == ORMC_TYPE_INT && row[0].i == il[i]);
			drv(db)->close_cursor(cur);
		}
	}

	/* durations: stored as Django stores them, read back exactly */
	{
		static const struct { long long us; const char *text; } du[] = {
			{ -93600000001LL, "-2 days +21:59:59.999999" },
			{ -1, "-1 days +23:59:59.999999" },
			{ 0, "00:00:00" },
			{ 86400000000LL, "1 day" },
			{ 3000000, "00:00:03" },
		};
		ormc_otype t = { ORMC_FIELD_DURATION, -1, -1, 0 };
		ormc_value out;
		char buf[64];
		size_t i;

		for (i = 0; i < sizeof(du) / sizeof(du[0]); i++) {
			memset(p, 0, sizeof(p));
			p[0].type = ORMC_TYPE_DURATION;
			p[0].i = du[i].us;
			cur = first_row(db, "SELECT $1::interval", p, 1, &row);
			CELL(row[0], ORMC_TYPE_TEXT, du[i].text);
			ck_assert_int_eq(ormc_convert(&row[0], &t, &out, buf,
			                              sizeof(buf), &err), ORMC_OK);
			ck_assert_int_eq(out.type, ORMC_TYPE_DURATION);
			ck_assert_msg(out.i == du[i].us, "%s -> %lld", du[i].text,
			              (long long)out.i);
			drv(db)->close_cursor(cur);
		}
	}
	ormc_disconnect(db);
}
END_TEST

START_TEST(test_cell_types)
{
	ormc_db *db = open_test();
	const ormc_value *row;
	ormc_cursor *cur;

	cur = first_row(db,
		"SELECT 7::smallint AS a, 8::integer, 9::bigint, "
		"'pg_class'::regclass::oid, "
		"1.5::real, 'NaN'::float8, 'Infinity'::float8, 12.50::numeric(6,2), "
		"DATE '2026-11-21', TIMESTAMP '2026-11-21 10:00:00', "
		"TIMESTAMPTZ '2026-11-21 10:00:00+02', TIME '10:30:00.5', "
		"'10:30:00+02'::timetz, '550e8400-e29b-41d4-a716-446655440000'::uuid, "
		"INTERVAL '-1 day +02:00:00', '{\"a\": 1}'::jsonb, NULL::integer, "
		"true, false, 'd\xc3\xa9j\xc3\xa0'::varchar, "
		"'x'::char(3) AS \"Mixed Case\"",
		NULL, 0, &row);
	ck_assert_int_eq(cur->ncols, 21);
	ck_assert_str_eq(drv(db)->column_name(cur, 0), "a");
	ck_assert_str_eq(drv(db)->column_name(cur, 1), "int4");
	ck_assert_str_eq(drv(db)->column_name(cur, 20), "Mixed Case");
	ck_assert_ptr_null(drv(db)->column_name(cur, 21));
	ck_assert_ptr_null(drv(db)->column_name(cur, -1));
	ck_assert(row[0].type == ORMC_TYPE_INT && row[0].i == 7);
	ck_assert(row[1].type == ORMC_TYPE_INT && row[1].i == 8);
	ck_assert(row[2].type == ORMC_TYPE_INT && row[2].i == 9);
	ck_assert(row[3].type == ORMC_TYPE_INT && row[3].i == 1259);
	ck_assert(row[4].type == ORMC_TYPE_FLOAT && row[4].f == 1.5);
	ck_assert(row[5].type == ORMC_TYPE_FLOAT && isnan(row[5].f));
	ck_assert(row[6].type == ORMC_TYPE_FLOAT && isinf(row[6].f) &&
	          row[6].f > 0);
	CELL(row[7], ORMC_TYPE_DECIMAL, "12.50");
	CELL(row[8], ORMC_TYPE_DATE, "2026-11-21");
	CELL(row[9], ORMC_TYPE_DATETIME, "2026-11-21 10:00:00");
	CELL(row[10], ORMC_TYPE_DATETIME, "2026-11-21 08:00:00+00");
	CELL(row[11], ORMC_TYPE_TIME, "10:30:00.5");
	CELL(row[12], ORMC_TYPE_TEXT, "10:30:00+02");
	CELL(row[13], ORMC_TYPE_TEXT, "550e8400-e29b-41d4-a716-446655440000");
	CELL(row[14], ORMC_TYPE_TEXT, "-1 days +02:00:00");
	CELL(row[15], ORMC_TYPE_TEXT, "{\"a\": 1}");
	ck_assert_int_eq(row[16].type, ORMC_TYPE_NULL);
	ck_assert(row[17].type == ORMC_TYPE_BOOL && row[17].i == 1);
	ck_assert(row[18].type == ORMC_TYPE_BOOL && row[18].i == 0);
	CELL(row[19], ORMC_TYPE_TEXT, "d\xc3\xa9j\xc3\xa0");
	CELL(row[20], ORMC_TYPE_TEXT, "x  ");
	drv(db)->close_cursor(cur);
	ormc_disconnect(db);
}
END_TEST

START_TEST(test_values_not_pasted)
{
	static const char *evil = "x'); DROP TABLE victim; -- \"$1\" \\' ;";
	ormc_db *db = open_test();
	ormc_value p[2];
	const ormc_value *row;
	ormc_cursor *cur;
	ormc_error err;

	tb_exec(db, "CREATE TABLE victim (s text)");
	p[0] = p_text(ORMC_TYPE_TEXT, evil);
	cur = first_row(db, "SELECT $1::text", p, 1, &row);
	CELL(row[0], ORMC_TYPE_TEXT, evil);
	drv(db)->close_cursor(cur);
	ck_assert_int_eq(ormc_db_exec(db, "INSERT INTO victim VALUES ($1)", p, 1,
	                              &err), ORMC_OK);
	cur = first_row(db, "SELECT s, length(s) FROM victim", NULL, 0, &row);
	CELL(row[0], ORMC_TYPE_TEXT, evil);
	ck_assert_int_eq(row[1].i, (long long)strlen(evil));
	drv(db)->close_cursor(cur);
	ck_assert_int_eq(scalar(db, "SELECT COUNT(*) FROM victim"), 1);

	/* PostgreSQL text cannot hold NUL: refused before sending */
	p[1].type = ORMC_TYPE_TEXT;
	p[1].s = "a\0b";
	p[1].len = 3;
	ck_assert_int_eq(ormc_db_query(db, "SELECT $1::text", &p[1], 1, &cur, &err),
	                 ORMC_EDRIVER);
	ck_assert_msg(strstr(err.message, "NUL") != NULL, "%s", err.message);
	ck_assert_int_eq(scalar(db, "SELECT 1"), 1);
	ormc_disconnect(db);
}
END_TEST

/* ---- errors -------------------------------------------------------------- */

static void
fails_with(ormc_db *db, const char *sql, const ormc_value *p, int n,
           const char *state, const char *text)
{
	ormc_cursor *cur = (ormc_cursor *)1;
	ormc_error err;
	int rc = ormc_db_query(db, sql, p, n, &cur, &err);

	ck_assert_msg(rc == ORMC_EDRIVER, "%s: %d", sql, rc);
	ck_assert_ptr_null(cur);
	ck_assert_int_eq(err.code, ORMC_EDRIVER);
	ck_assert_msg(strcmp(err.sqlstate, state) == 0, "%s: sqlstate %s (%s)",
	              sql, err.sqlstate, err.message);
	ck_assert_msg(strstr(err.message, text) != NULL, "%s: %s", sql,
	              err.message);
	/* the connection is still usable */
	ck_assert_int_eq(scalar(db, "SELECT 1"), 1);
}

START_TEST(test_errors)
{
	ormc_db *db = open_test();
	ormc_value p[2];
	ormc_cursor *cur;
	const ormc_value *row;
	ormc_error err;
	int rc, n = 0;

	fails_with(db, "SELEC 1", NULL, 0, "42601",
	           "syntax error at or near \"SELEC\"");
	fails_with(db, "SELECT * FROM missing", NULL, 0, "42P01",
	           "relation \"missing\" does not exist");
	fails_with(db, "SELECT 1 / 0", NULL, 0, "22012", "division by zero");
	fails_with(db, "SELECT lenght('x')", NULL, 0, "42883", "lenght");
	ck_assert_int_eq(ormc_db_query(db, "SELECT lenght('x')", NULL, 0, &cur,
	                               &err), ORMC_EDRIVER);
	ck_assert_msg(strstr(err.hint, "No function matches") != NULL, "%s",
	              err.hint);
	/* COPY is refused, and leaves the connection usable */
	tb_exec(db, "CREATE TABLE c (x integer)");
	ck_assert_int_eq(ormc_db_exec(db, "COPY c FROM STDIN", NULL, 0, &err),
	                 ORMC_EDRIVER);
	ck_assert_str_eq(err.message, "COPY is not supported");
	ck_assert_int_eq(scalar(db, "SELECT 7"), 7);
	ck_assert_int_eq(ormc_db_exec(db, "COPY (SELECT generate_series(1, 10000)) "
	                              "TO STDOUT", NULL, 0, &err), ORMC_EDRIVER);
	ck_assert_str_eq(err.message, "COPY is not supported");
	ck_assert_int_eq(scalar(db, "SELECT COUNT(*) FROM c"), 0);
	/* several statements are refused: one per call */
	fails_with(db, "SELECT 1; SELECT 2", NULL, 0, "42601",
	           "cannot insert multiple commands");

	tb_exec(db, "CREATE TABLE u (x integer UNIQUE NOT NULL)");
	p[0] = p_int(1);
	p[1] = p_int(2);
	ck_assert_int_eq(ormc_db_exec(db, "INSERT INTO u VALUES ($1)", p, 1, &err),
	                 ORMC_OK);
	fails_with(db, "INSERT INTO u VALUES ($1)", p, 1, "23505",
	           "duplicate key value violates unique constraint \"u_x_key\"");
	ck_assert_int_eq(ormc_db_exec(db, "INSERT INTO u VALUES ($1)", p, 1, &err),
	                 ORMC_EDRIVER);
	ck_assert_msg(strstr(err.hint, "Key (x)=(1) already exists.") != NULL, "%s",
	              err.hint);
	fails_with(db, "INSERT INTO u VALUES (NULL)", NULL, 0, "23502",
	           "null value in column \"x\"");
	/* parameter count: the server says so */
	fails_with(db, "INSERT INTO u VALUES ($1)", p, 2, "08P01",
	           "supplies 2 parameters");
	fails_with(db, "INSERT INTO u VALUES ($1)", NULL, 0, "08P01",
	           "supplies 0 parameters");

	/* a failure after rows were sent surfaces from next() */
	rc = ormc_db_query(db, "SELECT 1 / (5000 - x) FROM generate_series(1, "
	                   "100000) x", NULL, 0, &cur, &err);
	ck_assert_msg(rc == ORMC_OK, "%s", err.message);
	while ((rc = drv(db)->next(cur, &row, &err)) > 0)
		n++;
	ck_assert_int_eq(rc, ORMC_EDRIVER);
	ck_assert_str_eq(err.sqlstate, "22012");
	ck_assert_int_lt(n, 5000);
	ck_assert_int_eq(drv(db)->next(cur, &row, &err), 0);
	drv(db)->close_cursor(cur);
	ck_assert_int_eq(scalar(db, "SELECT 2"), 2);
	ormc_disconnect(db);
}
END_TEST

/* ---- streaming ----------------------------------------------------------- */

START_TEST(test_stream_rows)
{
	ormc_db *db = open_test();
	ormc_cursor *cur, *other;
	const ormc_value *row;
	ormc_error err;
	long long i, sum = 0;
	int rc;

	/* 100000 rows, one by one */
	rc = ormc_db_query(db, "SELECT x, 'row ' || x AS label FROM "
	                   "generate_series(1, 100000) x", NULL, 0, &cur, &err);
	ck_assert_msg(rc == ORMC_OK, "%s", err.message);
	ck_assert_int_eq(cur->ncols, 2);
	ck_assert_str_eq(drv(db)->column_name(cur, 1), "label");
	for (i = 1; (rc = drv(db)->next(cur, &row, &err)) > 0; i++) {
		ck_assert(row[0].type == ORMC_TYPE_INT && row[0].i == i);
		sum += row[0].i;
	}
	ck_assert_int_eq(rc, 0);
	ck_assert(i - 1 == 100000);
	ck_assert(sum == 5000050000LL);
	/* read to the end: the connection is free before the cursor closes */
	ck_assert_int_eq(scalar(db, "SELECT 3"), 3);
	drv(db)->close_cursor(cur);

	/* half way, then closed: the connection serves the next query */
	rc = ormc_db_query(db, "SELECT x FROM generate_series(1, 100000) x", NULL,
	                   0, &cur, &err);
	ck_assert_int_eq(rc, ORMC_OK);
	for (i = 1; i <= 50000; i++) {
		ck_assert_int_eq(drv(db)->next(cur, &row, &err), 1);
		ck_assert(row[0].i == i);
	}
	/* while rows are coming, the connection takes no other statement */
	rc = ormc_db_query(db, "SELECT 1", NULL, 0, &other, &err);
	ck_assert_int_eq(rc, ORMC_EDRIVER);
	ck_assert_msg(strstr(err.message, "still being read") != NULL, "%s",
	              err.message);
	drv(db)->close_cursor(cur);
	ck_assert_int_eq(scalar(db, "SELECT 4"), 4);

	/* closed before the first next() */
	rc = ormc_db_query(db, "SELECT x FROM generate_series(1, 100000) x", NULL,
	                   0, &cur, &err);
	ck_assert_int_eq(rc, ORMC_OK);
	drv(db)->close_cursor(cur);
	ck_assert_int_eq(scalar(db, "SELECT 5"), 5);

	/* an enormous read is cancelled, not read to its end */
	{
		double t0 = seconds();

		rc = ormc_db_query(db, "SELECT generate_series(1, 2000000000)",
		                   NULL, 0, &cur, &err);
		ck_assert_int_eq(rc, ORMC_OK);
		for (i = 0; i < 3; i++)
			ck_assert_int_eq(drv(db)->next(cur, &row, &err), 1);
		drv(db)->close_cursor(cur);
		ck_assert_int_eq(scalar(db, "SELECT 6"), 6);
		ck_assert_msg(seconds() - t0 < 20, "closing took %.1f s",
		              seconds() - t0);
	}

	/* an empty result still has its columns */
	rc = ormc_db_query(db, "SELECT 1 AS a, 2 AS b WHERE false", NULL, 0, &cur,
	                   &err);
	ck_assert_int_eq(rc, ORMC_OK);
	ck_assert_ptr_nonnull(cur);
	ck_assert_int_eq(cur->ncols, 2);
	ck_assert_str_eq(drv(db)->column_name(cur, 1), "b");
	ck_assert_int_eq(drv(db)->next(cur, &row, &err), 0);
	drv(db)->close_cursor(cur);

	/* exec of a query reads it through */
	tb_exec(db, "SELECT x FROM generate_series(1, 1000) x");
	ormc_disconnect(db);
}
END_TEST

START_TEST(test_no_rows)
{
	ormc_db *db = open_test();
	ormc_cursor *cur = (ormc_cursor *)1;
	const ormc_value *row;
	ormc_value p = p_int(7);
	ormc_error err;

	/* statements without rows give no cursor */
	ck_assert_int_eq(ormc_db_query(db, "CREATE TABLE t (id serial PRIMARY KEY, "
	                               "x integer)", NULL, 0, &cur, &err), ORMC_OK);
	ck_assert_ptr_null(cur);
	ck_assert_int_eq(ormc_db_query(db, "INSERT INTO t (x) VALUES ($1)", &p, 1,
	                               &cur, &err), ORMC_OK);
	ck_assert_ptr_null(cur);
	ck_assert_int_eq(ormc_db_query(db, "UPDATE t SET x = x + 1", NULL, 0, &cur,
	                               &err), ORMC_OK);
	ck_assert_ptr_null(cur);
	ck_assert_int_eq(ormc_db_query(db, "DROP TABLE IF EXISTS nothing_here",
	                               NULL, 0, &cur, &err), ORMC_OK);
	ck_assert_ptr_null(cur);
	ck_assert_int_eq(ormc_db_query(db, "", NULL, 0, &cur, &err), ORMC_OK);
	ck_assert_ptr_null(cur);
	/* but RETURNING has rows */
	cur = first_row(db, "INSERT INTO t (x) VALUES ($1) RETURNING id, x", &p, 1,
	                &row);
	ck_assert(row[0].i == 2 && row[1].i == 7);
	ck_assert_int_eq(drv(db)->next(cur, &row, &err), 0);
	drv(db)->close_cursor(cur);
	ck_assert_int_eq(scalar(db, "SELECT SUM(x) FROM t"), 15);
	ormc_disconnect(db);
}
END_TEST

START_TEST(test_transactions)
{
	ormc_db *db = open_test();
	ormc_cursor *cur;
	const ormc_value *row;
	ormc_error err;
	int i;

	tb_exec(db, "CREATE TABLE t (x integer)");
	ck_assert_int_eq(ormc_db_begin(db, &err), ORMC_OK);
	tb_exec(db, "INSERT INTO t VALUES (1)");
	ck_assert_int_eq(scalar(db, "SELECT COUNT(*) FROM t"), 1);
	ck_assert_int_eq(ormc_db_rollback(db, &err), ORMC_OK);
	ck_assert_int_eq(scalar(db, "SELECT COUNT(*) FROM t"), 0);

	ck_assert_int_eq(ormc_db_begin(db, &err), ORMC_OK);
	tb_exec(db, "INSERT INTO t VALUES (1)");
	/* a cursor closed early inside a transaction leaves it intact */
	ck_assert_int_eq(ormc_db_query(db, "SELECT x FROM generate_series(1, "
	                               "100000) x", NULL, 0, &cur, &err), ORMC_OK);
	for (i = 0; i < 10; i++)
		ck_assert_int_eq(drv(db)->next(cur, &row, &err), 1);
	drv(db)->close_cursor(cur);
	tb_exec(db, "INSERT INTO t VALUES (2)");
	ck_assert_int_eq(ormc_db_commit(db, &err), ORMC_OK);
	ck_assert_int_eq(scalar(db, "SELECT SUM(x) FROM t"), 3);

	/* an error aborts the transaction until the rollback */
	ck_assert_int_eq(ormc_db_begin(db, &err), ORMC_OK);
	ck_assert_int_eq(ormc_db_exec(db, "INSERT INTO t VALUES ('x')", NULL, 0,
	                              &err), ORMC_EDRIVER);
	ck_assert_str_eq(err.sqlstate, "22P02");
	ck_assert_int_eq(ormc_db_exec(db, "INSERT INTO t VALUES (3)", NULL, 0,
	                              &err), ORMC_EDRIVER);
	ck_assert_str_eq(err.sqlstate, "25P02");
	ck_assert_int_eq(ormc_db_rollback(db, &err), ORMC_OK);
	ck_assert_int_eq(scalar(db, "SELECT SUM(x) FROM t"), 3);
	ormc_disconnect(db);
}
END_TEST

START_TEST(test_disconnect_first)
{
	ormc_db *db = open_test();
	const ormc_driver *d = drv(db);
	ormc_cursor *cur;
	const ormc_value *row;
	ormc_error err;

	/* a cursor freed after its connection keeps to what it holds */
	cur = first_row(db, "SELECT x FROM generate_series(1, 100000) x", NULL, 0,
	                &row);
	ormc_disconnect(db);
	ck_assert_int_eq(d->next(cur, &row, &err), 0);
	d->close_cursor(cur);
}
END_TEST

START_TEST(test_connection_lost)
{
	ormc_db *db = open_test(), *killer = open_test();
	ormc_value p;
	ormc_cursor *cur;
	ormc_error err;
	int rc;

	p = p_int(scalar(db, "SELECT pg_backend_pid()"));
	ck_assert_int_eq(ormc_db_exec(killer, "SELECT pg_terminate_backend($1)",
	                              &p, 1, &err), ORMC_OK);
	ormc_disconnect(killer);
	rc = ormc_db_query(db, "SELECT 1", NULL, 0, &cur, &err);
	ck_assert_int_eq(rc, ORMC_EDRIVER);
	ck_assert_msg(*err.message != '\0', "no message");
	/* and again, once libpq knows the connection is gone */
	rc = ormc_db_query(db, "SELECT 1", NULL, 0, &cur, &err);
	ck_assert_int_eq(rc, ORMC_EDRIVER);
	ck_assert_msg(*err.message != '\0', "no message");
	ormc_disconnect(db);
}
END_TEST

/* ---- end to end ---------------------------------------------------------- */

START_TEST(test_bookstore)
{
	ormc_schema *s = NULL;
	ormc_query *q = NULL;
	ormc_result *r = NULL;
	ormc_db *db = open_test();
	const ormc_value *row;
	ormc_error err;
	FILE *f;
	char *json;
	long n;
	int rc;

	ck_assert_int_eq(ormc_schema_load(&s, ORMC_SOURCE_DIR
	                                  "/examples/bookstore/models.py", NULL,
	                                  &err), ORMC_OK);
	f = fopen(ORMC_SOURCE_DIR "/examples/bookstore/fixture.json", "rb");
	ck_assert_ptr_nonnull(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	json = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(json);
	ck_assert_int_eq((long)fread(json, 1, (size_t)n, f), n);
	fclose(f);
	rc = ormc_migrate(db, s, &err);
	ck_assert_msg(rc == ORMC_OK, "migrate: %s", err.message);
	rc = ormc_fixture_load(db, s, json, (size_t)n, &err);
	ck_assert_msg(rc == ORMC_OK, "load: %s", err.message);
	free(json);
	ck_assert_int_eq(scalar(db, "SELECT COUNT(*) FROM book"), 5);
	ck_assert_int_eq(scalar(db, "SELECT COUNT(*) FROM book_authors"), 8);

	rc = ormc_query_parse(&q, s, "Book.objects.aggregate(Avg('price'), "
	                      "n=Count('authors', filter=Q(price__gt=20)))",
	                      (size_t)-1, &err);
	ck_assert_msg(rc == ORMC_OK, "%s", err.message);
	rc = ormc_query_run(&r, db, q, &err);
	ck_assert_msg(rc == ORMC_OK, "%s", err.message);
	ck_assert_int_eq(ormc_result_next(r, &row, &err), 1);
	CELL(row[0], ORMC_TYPE_DECIMAL, "34.35");
	ck_assert_int_eq(row[1].type, ORMC_TYPE_INT);
	ck_assert_int_eq(ormc_result_next(r, &row, &err), 0);
	ormc_result_free(r);
	ormc_query_free(q);
	ormc_disconnect(db);
	ormc_schema_free(s);
}
END_TEST

/* tzinfo= with a zone name: PostgreSQL's time zone database (docs/semantics.md). */
START_TEST(test_zone_names)
{
	static const char *models =
		"from django.db import models\n"
		"class Visit(models.Model):\n"
		"    at = models.DateTimeField()\n";
	ormc_schema *s = NULL;
	ormc_query *q = NULL;
	ormc_result *r = NULL;
	ormc_db *db = open_test();
	const ormc_value *row;
	ormc_error err;
	int rc;

	ck_assert_int_eq(ormc_schema_parse(&s, models, strlen(models), NULL, &err), ORMC_OK);
	ck_assert_int_eq(ormc_migrate(db, s, &err), ORMC_OK);
	ck_assert_int_eq(ormc_db_exec(db, "INSERT INTO visit (at) VALUES ('2026-01-05 10:00:00'), "
	                              "('2026-07-05 10:00:00')", NULL, 0, &err), ORMC_OK);
	/* Auckland is UTC+13 in January, UTC+12 in July; New York -5 and -4 */
	rc = ormc_query_parse(&q, s, "Visit.objects.annotate("
	                      "d=TruncDay('at', tzinfo=ZoneInfo('Pacific/Auckland')), "
	                      "h=ExtractHour('at', tzinfo=ZoneInfo('America/New_York')), "
	                      "dd=TruncDate('at', tzinfo=ZoneInfo('Pacific/Auckland')))"
	                      ".values_list('d', 'h', 'dd').order_by('at')", (size_t)-1, &err);
	ck_assert_msg(rc == ORMC_OK, "%s", err.message);
	rc = ormc_query_run(&r, db, q, &err);
	ck_assert_msg(rc == ORMC_OK, "%s", err.message);
	ck_assert_int_eq(ormc_result_next(r, &row, &err), 1);
	CELL(row[0], ORMC_TYPE_DATETIME, "2026-01-04T11:00:00");
	ck_assert_int_eq((int)row[1].i, 5);
	CELL(row[2], ORMC_TYPE_DATE, "2026-01-05");
	ck_assert_int_eq(ormc_result_next(r, &row, &err), 1);
	CELL(row[0], ORMC_TYPE_DATETIME, "2026-07-04T12:00:00");
	ck_assert_int_eq((int)row[1].i, 6);
	CELL(row[2], ORMC_TYPE_DATE, "2026-07-05");
	ck_assert_int_eq(ormc_result_next(r, &row, &err), 0);
	ormc_result_free(r);
	ormc_query_free(q);
	ormc_disconnect(db);
	ormc_schema_free(s);
}
END_TEST

/*
 * distinct("r") of a selected expression with a parameter: DISTINCT ON names
 * the column by position as ORDER BY does (written again it had a parameter
 * of its own, and PostgreSQL refused it: 42P10).
 */
START_TEST(test_distinct_on_expression)
{
	static const char *models =
		"from django.db import models\n"
		"class Book(models.Model):\n"
		"    rating = models.FloatField()\n";
	ormc_schema *s = NULL;
	ormc_query *q = NULL;
	ormc_result *r = NULL;
	ormc_db *db = open_test();
	const ormc_value *row;
	ormc_error err;
	int rc;

	ck_assert_int_eq(ormc_schema_parse(&s, models, strlen(models), NULL, &err), ORMC_OK);
	ck_assert_int_eq(ormc_migrate(db, s, &err), ORMC_OK);
	ck_assert_int_eq(ormc_db_exec(db, "INSERT INTO book (rating) VALUES (4), (3), (4), (5)",
	                              NULL, 0, &err), ORMC_OK);
	rc = ormc_query_parse(&q, s, "Book.objects.annotate(r=F('rating') - 1).order_by('r')"
	                      ".distinct('r').values_list('r', flat=True)", (size_t)-1, &err);
	ck_assert_msg(rc == ORMC_OK, "%s", err.message);
	rc = ormc_query_run(&r, db, q, &err);
	ck_assert_msg(rc == ORMC_OK, "%s", err.message);
	ck_assert_int_eq(ormc_result_next(r, &row, &err), 1);
	ck_assert(row[0].type == ORMC_TYPE_FLOAT && row[0].f == 2.0);
	ck_assert_int_eq(ormc_result_next(r, &row, &err), 1);
	ck_assert(row[0].type == ORMC_TYPE_FLOAT && row[0].f == 3.0);
	ck_assert_int_eq(ormc_result_next(r, &row, &err), 1);
	ck_assert(row[0].type == ORMC_TYPE_FLOAT && row[0].f == 4.0);
	rc = ormc_result_next(r, &row, &err);
	ck_assert_msg(rc == 0, "rc %d: %s", rc, rc < 0 ? err.message : "a fourth row");
	ormc_result_free(r);
	ormc_query_free(q);
	/*
	 * Not selected: DISTINCT ON and ORDER BY each write the expression, and
	 * PostgreSQL sees they are one only if both read one parameter ($1, not
	 * $1 and $2: 42P10 before).
	 */
	rc = ormc_query_parse(&q, s, "Book.objects.annotate(r=F('rating') - 1).order_by('r', 'pk')"
	                      ".distinct('r').values_list('pk', flat=True)", (size_t)-1, &err);
	ck_assert_msg(rc == ORMC_OK, "%s", err.message);
	rc = ormc_query_run(&r, db, q, &err);
	ck_assert_msg(rc == ORMC_OK, "%s", err.message);
	{
		static const long long want[] = { 2, 1, 4 };   /* ratings 3, 4 (first of 1 and 3), 5 */
		int i;

		for (i = 0; i < 3; i++) {
			ck_assert_int_eq(ormc_result_next(r, &row, &err), 1);
			ck_assert_int_eq(row[0].i, want[i]);
		}
	}
	ck_assert_int_eq(ormc_result_next(r, &row, &err), 0);
	ormc_result_free(r);
	ormc_query_free(q);
	ormc_disconnect(db);
	ormc_schema_free(s);
}
END_TEST

/*
 * A frame's exclusion= (Django 5.1): EXCLUDE on PostgreSQL; MySQL and MariaDB
 * have none, and compiling for them is Django's error.
 */
START_TEST(test_frame_exclusion)
{
	static const char *models =
		"from django.db import models\n"
		"class Emp(models.Model):\n"
		"    dept = models.CharField(max_length=10)\n"
		"    salary = models.IntegerField()\n";
	ormc_schema *s = NULL;
	ormc_query *q = NULL;
	ormc_result *r = NULL;
	ormc_db *db = open_test();
	const ormc_value *row;
	ormc_error err;
	int rc;
	const long long want[][2] = { { 37000, 0 }, { 45000, 82000 }, { 45000, 82000 }, { 50000, 127000 } };
	size_t i;

	ck_assert_int_eq(ormc_schema_parse(&s, models, strlen(models), NULL, &err), ORMC_OK);
	ck_assert_int_eq(ormc_migrate(db, s, &err), ORMC_OK);
	ck_assert_int_eq(ormc_db_exec(db, "INSERT INTO emp (dept, salary) VALUES ('A', 45000), "
	                              "('A', 37000), ('A', 45000), ('A', 50000)", NULL, 0, &err), ORMC_OK);
	/* expressions_window's test_range_exclude_current, on its Accounting rows */
	rc = ormc_query_parse(&q, s, "Emp.objects.annotate(s=Window(Sum('salary'), "
	                      "order_by=F('salary').asc(), partition_by='dept', frame=ValueRange(end=2, "
	                      "exclusion=WindowFrameExclusion.CURRENT_ROW))).order_by('salary', 'pk')"
	                      ".values_list('salary', 's')", (size_t)-1, &err);
	ck_assert_msg(rc == ORMC_OK, "%s", err.message);
	rc = ormc_query_run(&r, db, q, &err);
	ck_assert_msg(rc == ORMC_OK, "%s", err.message);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		ck_assert_int_eq(ormc_result_next(r, &row, &err), 1);
		ck_assert_int_eq((long long)row[0].i, want[i][0]);
		if (want[i][1] == 0)
			ck_assert_int_eq(row[1].type, ORMC_TYPE_NULL);
		else
			ck_assert_int_eq((long long)row[1].i, want[i][1]);
	}
	ck_assert_int_eq(ormc_result_next(r, &row, &err), 0);
	ormc_result_free(r);
	ck_assert_int_lt(ormc_query_compile(q, "mysql", 0, &err), 0);
	ck_assert_msg(strstr(err.message, "does not support window frame exclusions") != NULL, "%s",
	              err.message);
	ormc_query_free(q);
	ormc_disconnect(db);
	ormc_schema_free(s);
}
END_TEST

START_TEST(test_fixture_types)
{
	static const char *models =
		"from django.db import models\n"
		"class Event(models.Model):\n"
		"    done = models.BooleanField(default=False)\n"
		"    at = models.DateTimeField()\n"
		"    took = models.DurationField(null=True)\n"
		"    starts = models.TimeField(null=True)\n"
		"    ref = models.UUIDField(null=True)\n";
	static const char *fixture =
		"[{\"model\": \"app.event\", \"pk\": 1, \"fields\": {\"done\": true,\n"
		"   \"at\": \"2026-11-21T23:30:00.5+02:00\",\n"
		"   \"took\": \"1 02:00:00\", \"starts\": \"10:30\",\n"
		"   \"ref\": \"550e8400-e29b-41d4-a716-446655440000\"}},\n"
		" {\"model\": \"app.event\", \"pk\": 2, \"fields\": {\"done\": false,\n"
		"   \"at\": \"2026-01-01T00:30:00Z\", \"took\": null,\n"
		"   \"starts\": null, \"ref\": null}}]";
	ormc_schema *s = NULL;
	ormc_query *q = NULL;
	ormc_result *r = NULL;
	ormc_db *db = open_test();
	const ormc_value *row;
	ormc_error err;
	int rc;

	ck_assert_int_eq(ormc_schema_parse(&s, models, strlen(models), NULL, &err),
	                 ORMC_OK);
	ck_assert_int_eq(ormc_migrate(db, s, &err), ORMC_OK);
	rc = ormc_fixture_load(db, s, fixture, strlen(fixture), &err);
	ck_assert_msg(rc == ORMC_OK, "%s", err.message);
	/* stored as Django stores them */
	text_is(db, "SELECT took::text FROM event WHERE id = 1", "1 day 02:00:00");
	text_is(db, "SELECT at::text FROM event WHERE id = 1",
	        "2026-11-21 21:30:00.5+00");
	text_is(db, "SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
	        "WHERE attrelid = 'event'::regclass AND attname = 'at'",
	        "timestamp with time zone");
	rc = ormc_query_parse(&q, s, "Event.objects.order_by('id').values_list("
	                      "'done', 'at', 'took', 'starts', 'ref')", (size_t)-1,
	                      &err);
	ck_assert_msg(rc == ORMC_OK, "%s", err.message);
	rc = ormc_query_run(&r, db, q, &err);
	ck_assert_msg(rc == ORMC_OK, "%s", err.message);
	ck_assert_int_eq(ormc_result_next(r, &row, &err), 1);
	ck_assert(row[0].type == ORMC_TYPE_BOOL && row[0].i == 1);
	ck_assert_msg(row[1].len >= 19 &&
	              memcmp(row[1].s, "2026-11-21T21:30:00.5", 21) == 0,
	              "%.*s", (int)row[1].len, row[1].s);
	ck_assert_int_eq(row[2].type, ORMC_TYPE_DURATION);
	ck_assert(row[2].i == 93600000000LL);
	ck_assert(memcmp(row[3].s, "10:30:00", 8) == 0);
	CELL(row[4], ORMC_TYPE_TEXT, "550e8400-e29b-41d4-a716-446655440000");
	ck_assert_int_eq(ormc_result_next(r, &row, &err), 1);
	ck_assert(row[0].type == ORMC_TYPE_BOOL && row[0].i == 0);
	ck_assert_int_eq(row[2].type, ORMC_TYPE_NULL);
	ck_assert_int_eq(ormc_result_next(r, &row, &err), 0);
	ormc_result_free(r);
	ormc_query_free(q);
	ormc_disconnect(db);
	ormc_schema_free(s);
}
END_TEST

/* Each test starts from an empty public schema. */
static void
reset(void)
{
	ormc_db *db = open_test();

	tb_exec(db, "DROP SCHEMA public CASCADE");
	tb_exec(db, "CREATE SCHEMA public");
	ormc_disconnect(db);
}

static Suite *
postgresql_suite(void)
{
	Suite *s = suite_create("postgresql");
	TCase *tc;

	tc = tcase_create("connect");
	tcase_add_test(tc, test_connect_url);
	tcase_add_test(tc, test_connect_forms);
	tcase_add_test(tc, test_connect_errors);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	tc = tcase_create("execute");
	tcase_add_checked_fixture(tc, reset, NULL);
	tcase_add_test(tc, test_bind_every_type);
	tcase_add_test(tc, test_cell_types);
	tcase_add_test(tc, test_values_not_pasted);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_stream_rows);
	tcase_add_test(tc, test_no_rows);
	tcase_add_test(tc, test_transactions);
	tcase_add_test(tc, test_disconnect_first);
	tcase_add_test(tc, test_connection_lost);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);

	tc = tcase_create("end to end");
	tcase_add_checked_fixture(tc, reset, NULL);
	tcase_add_test(tc, test_bookstore);
	tcase_add_test(tc, test_zone_names);
	tcase_add_test(tc, test_distinct_on_expression);
	tcase_add_test(tc, test_frame_exclusion);
	tcase_add_test(tc, test_fixture_types);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	char why[512];
	SRunner *sr;
	int failed;

	if (!tb_selected("postgresql"))
		return TB_SKIP;
	if (tb_fresh_db("postgresql", DBNAME, url, sizeof(url), why,
	                sizeof(why)) < 0) {
		fprintf(stderr, "check_postgresql: %s\n", why);
		return 1;
	}
	if (tb_parse_url(url, &parts) < 0) {
		fprintf(stderr, "check_postgresql: not a URL: %s\n", url);
		return 1;
	}
	sr = srunner_create(postgresql_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed != 0;
}
