/*
 * check_odbc.c -- the ODBC driver (drivers/odbc.c), through each of the
 * three ODBC drivers the test setup knows: SQLite ODBC on a file in a
 * temporary directory, psqlODBC and MariaDB Connector/ODBC on fresh
 * databases of the test servers (tests/backends.h). Every test runs once
 * per data source (a Check loop test; _i indexes backends[]).
 */
#define _POSIX_C_SOURCE 200809L

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backends.h"
#include "db.h"
#include "types.h"
#include "ormc/ormc.h"
#include "ormc/sys/driver.h"

/* drivers/odbc.c, for the tests only */
void ormc_odbc_cursor_stats(const ormc_cursor *cur, unsigned long *fetches,
                            unsigned long *rowset);

enum { SQ, PG, MY, NBACKENDS };

static struct backend {
	const char *kind;        /* for tb_odbc_url */
	const char *dialect;     /* what dialect() must say */
	char url[1024];
} backends[NBACKENDS] = {
	{ "sqlite", "sqlite", "" },
	{ "postgresql", "postgresql", "" },
	{ "mysql", "mysql", "" },
};

static char tmpdir[256];

/* ---- helpers ------------------------------------------------------------ */

static ormc_db *
open_db(int b)
{
	ormc_db *db = NULL;
	ormc_error err;
	int rc = ormc_connect(&db, backends[b].url, &err);

	ck_assert_msg(rc == ORMC_OK, "%s: connect: %s", backends[b].kind,
	              err.message);
	ck_assert_ptr_nonnull(db);
	return db;
}

static const ormc_driver *
drv(ormc_db *db)
{
	return db->conn->driver;
}

/* The single integer a query returns. */
static long long
scalar(ormc_db *db, const char *sql)
{
	ormc_cursor *cur;
	const ormc_value *row;
	ormc_error err;
	long long v;
	int rc = ormc_db_query(db, sql, NULL, 0, &cur, &err);

	ck_assert_msg(rc == ORMC_OK, "%s: %s", sql, err.message);
	ck_assert_ptr_nonnull(cur);
	ck_assert_int_eq(drv(db)->next(cur, &row, &err), 1);
	/* MariaDB's SUM of integers is DECIMAL */
	if (row[0].type == ORMC_TYPE_DECIMAL) {
		char buf[32];

		ck_assert(row[0].len < sizeof(buf));
		memcpy(buf, row[0].s, row[0].len);
		buf[row[0].len] = '\0';
		v = strtoll(buf, NULL, 10);
	} else {
		ck_assert_msg(row[0].type == ORMC_TYPE_INT, "%s: type %d", sql,
		              (int)row[0].type);
		v = (long long)row[0].i;
	}
	ck_assert_int_eq(drv(db)->next(cur, &row, &err), 0);
	drv(db)->close_cursor(cur);
	return v;
}

static int
text_is(const ormc_value *v, const char *s)
{
	return (v->type == ORMC_TYPE_TEXT || v->type == ORMC_TYPE_DECIMAL ||
	        v->type == ORMC_TYPE_DATE || v->type == ORMC_TYPE_DATETIME ||
	        v->type == ORMC_TYPE_TIME) &&
	       v->len == strlen(s) && memcmp(v->s, s, v->len) == 0;
}

static ormc_value
int_value(long long i)
{
	ormc_value v;

	memset(&v, 0, sizeof(v));
	v.type = ORMC_TYPE_INT;
	v.i = i;
	return v;
}

static ormc_value
text_value(ormc_type t, const char *s)
{
	ormc_value v;

	memset(&v, 0, sizeof(v));
	v.type = t;
	v.s = s;
	v.len = strlen(s);
	return v;
}

/* The raw cell converted to a Django field kind by the core. */
static ormc_value
convert(const ormc_value *raw, ormc_field_kind kind, int places, char *buf,
        size_t n)
{
	ormc_otype t;
	ormc_value out;
	ormc_error err;
	int rc;

	t.kind = kind;
	t.max_digits = -1;
	t.decimal_places = places;
	rc = ormc_convert(raw, &t, &out, buf, n, &err);
	ck_assert_msg(rc == ORMC_OK, "convert: %s", err.message);
	return out;
}

/* "$n" on PostgreSQL, "?" elsewhere. */
static const char *
ph(int b, int n)
{
	static const char *const dollar[] = {
		"$0", "$1", "$2", "$3", "$4", "$5", "$6", "$7", "$8", "$9", "$10",
		"$11"
	};

	ck_assert(n >= 1 && n <= 11);
	return b == PG ? dollar[n] : "?";
}

/* 10000 rows of i = 1..10000, from a table of ten digits. */
static const char *
ten_thousand(void)
{
	return "SELECT a.d + 10 * b.d + 100 * c.d + 1000 * e.d + 1 AS i "
	       "FROM digits a CROSS JOIN digits b CROSS JOIN digits c "
	       "CROSS JOIN digits e";
}

static void
make_digits(ormc_db *db)
{
	tb_exec(db, "DROP TABLE IF EXISTS digits");
	tb_exec(db, "CREATE TABLE digits (d integer NOT NULL)");
	tb_exec(db, "INSERT INTO digits (d) VALUES (0), (1), (2), (3), (4), "
	        "(5), (6), (7), (8), (9)");
}

/* ---- tests -------------------------------------------------------------- */

START_TEST(test_dialect_version)
{
	ormc_db *db = open_db(_i);
	ormc_cursor *cur;
	const ormc_value *row;
	ormc_error err;
	const char *sql =
		_i == PG ? "SELECT current_setting('server_version_num')::integer" :
		_i == MY ? "SELECT VERSION()" : "SELECT sqlite_version()";
	int version = -1, want = 0, a = 0, bb = 0, c = 0;

	ck_assert_str_eq(ormc_db_dialect(db), backends[_i].dialect);
	ck_assert_str_eq(drv(db)->dialect(db->conn, &version), backends[_i].dialect);
	ck_assert_int_eq(version, db->server_version);
	ck_assert_int_eq(ormc_db_query(db, sql, NULL, 0, &cur, &err), ORMC_OK);
	ck_assert_int_eq(drv(db)->next(cur, &row, &err), 1);
	if (_i == PG) {
		/* 150020 for 15.20: what libpq's PQserverVersion says too */
		ck_assert_int_eq(row[0].type, ORMC_TYPE_INT);
		want = (int)row[0].i;
	} else {
		char v[64];

		ck_assert_int_eq(row[0].type, ORMC_TYPE_TEXT);
		snprintf(v, sizeof(v), "%.*s", (int)row[0].len, row[0].s);
		ck_assert_int_eq(sscanf(v, "%d.%d.%d", &a, &bb, &c), 3);
		want = a * 10000 + bb * 100 + c;
	}
	drv(db)->close_cursor(cur);
	ck_assert_int_eq(version, want);
	ck_assert_str_eq(drv(db)->name, "odbc");
	ck_assert_ptr_nonnull(strstr(drv(db)->library, "unixODBC"));
	ormc_disconnect(db);
}
END_TEST

START_TEST(test_bind_every_type)
{
	ormc_db *db = open_db(_i);
	const char *weird = "it's; \"quoted\" -- \\ é€😀 ?";
	const char *longdec = "-1234567890123456789012345678901234567890123456789"
	                      "0.123456789012345678901234567890";
	ormc_value p[11];
	ormc_cursor *cur;
	const ormc_value *row;
	ormc_value v;
	ormc_error err;
	char sql[1024], buf[128];
	int b = _i;

	memset(p, 0, sizeof(p));
	p[0] = int_value(9000000000LL);
	p[1].type = ORMC_TYPE_FLOAT;
	p[1].f = 0.1;
	p[2] = text_value(ORMC_TYPE_DECIMAL, "12345678901234567890.1234567890");
	p[3].type = ORMC_TYPE_BOOL;
	p[3].i = 1;
	p[4] = text_value(ORMC_TYPE_TEXT, weird);
	p[5] = text_value(ORMC_TYPE_DATE, "2026-11-21");
	p[6] = text_value(ORMC_TYPE_DATETIME, "2026-11-21 21:30:00.500000");
	p[7] = text_value(ORMC_TYPE_TIME, "10:30:00");
	p[8].type = ORMC_TYPE_DURATION;
	p[8].i = 93600500000LL;      /* 1 day, 2 hours, 0.5 s */
	p[9].type = ORMC_TYPE_NULL;
	p[10] = text_value(ORMC_TYPE_TEXT, "");
	if (b == PG)
		snprintf(sql, sizeof(sql), "SELECT %s::bigint, %s::double precision, "
		         "%s::numeric, %s::boolean, %s::text, %s::date, %s::timestamp, "
		         "%s::time, %s::interval, %s::text, %s::text",
		         ph(b, 1), ph(b, 2), ph(b, 3), ph(b, 4), ph(b, 5), ph(b, 6),
		         ph(b, 7), ph(b, 8), ph(b, 9), ph(b, 10), ph(b, 11));
	else if (b == MY)
		snprintf(sql, sizeof(sql), "SELECT ?, ?, CAST(? AS DECIMAL(40, 10)), ?, "
		         "?, CAST(? AS DATE), CAST(? AS DATETIME(6)), CAST(? AS TIME), "
		         "?, ?, ?");
	else
		snprintf(sql, sizeof(sql), "SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?");
	ck_assert_msg(ormc_db_query(db, sql, p, 11, &cur, &err) == ORMC_OK, "%s",
	              err.message);
	ck_assert_ptr_nonnull(cur);
	ck_assert_int_eq(cur->ncols, 11);
	ck_assert_int_eq(drv(db)->next(cur, &row, &err), 1);

	ck_assert_int_eq(row[0].type, ORMC_TYPE_INT);
	ck_assert(row[0].i == 9000000000LL);
	ck_assert_int_eq(row[1].type, ORMC_TYPE_FLOAT);
	ck_assert(row[1].f == 0.1);
	/* exact digits; SQLite has no decimal type and gives the text back */
	ck_assert_msg(text_is(&row[2], "12345678901234567890.1234567890"),
	              "%d %.*s", (int)row[2].type, (int)row[2].len, row[2].s);
	if (b != SQ)
		ck_assert_int_eq(row[2].type, ORMC_TYPE_DECIMAL);
	v = convert(&row[3], ORMC_FIELD_BOOLEAN, -1, buf, sizeof(buf));
	ck_assert(v.type == ORMC_TYPE_BOOL && v.i == 1);
	ck_assert_msg(text_is(&row[4], weird), "%.*s", (int)row[4].len, row[4].s);
	ck_assert_msg(text_is(&row[5], "2026-11-21"), "%.*s", (int)row[5].len,
	              row[5].s);
	if (b != SQ)
		ck_assert_int_eq(row[5].type, ORMC_TYPE_DATE);
	v = convert(&row[6], ORMC_FIELD_DATETIME, -1, buf, sizeof(buf));
	ck_assert_msg(text_is(&v, "2026-11-21T21:30:00.500000"), "%.*s",
	              (int)v.len, v.s);
	if (b != SQ)
		ck_assert_int_eq(row[6].type, ORMC_TYPE_DATETIME);
	v = convert(&row[7], ORMC_FIELD_TIME, -1, buf, sizeof(buf));
	ck_assert_msg(text_is(&v, "10:30:00"), "%.*s", (int)v.len, v.s);
	if (b != SQ)
		ck_assert_int_eq(row[7].type, ORMC_TYPE_TIME);
	/* an interval's text on PostgreSQL, microseconds elsewhere */
	if (b == PG)
		ck_assert_int_eq(row[8].type, ORMC_TYPE_TEXT);
	else
		ck_assert_int_eq(row[8].type, ORMC_TYPE_INT);
	v = convert(&row[8], ORMC_FIELD_DURATION, -1, buf, sizeof(buf));
	ck_assert(v.type == ORMC_TYPE_DURATION && v.i == 93600500000LL);
	ck_assert_int_eq(row[9].type, ORMC_TYPE_NULL);
	ck_assert_msg(text_is(&row[10], ""), "%d", (int)row[10].type);
	ck_assert_int_eq(drv(db)->next(cur, &row, &err), 0);
	drv(db)->close_cursor(cur);

	/* the same values stored in columns of the dialect's types and back */
	tb_exec(db, "DROP TABLE IF EXISTS kinds");
	tb_exec(db, b == PG ?
		"CREATE TABLE kinds (i bigint, f double precision, d numeric(30, 10), "
		"b boolean, t text, dd date, dt timestamp, tm time, du interval, "
		"n integer, e varchar(10))" : b == MY ?
		"CREATE TABLE kinds (i bigint, f double precision, d numeric(30, 10), "
		"b bool, t longtext, dd date, dt datetime(6), tm time(6), du bigint, "
		"n integer, e varchar(10))" :
		"CREATE TABLE kinds (i bigint, f real, d decimal, b bool, t text, "
		"dd date, dt datetime, tm time, du bigint, n integer, e varchar(10))");
	snprintf(sql, sizeof(sql), "INSERT INTO kinds VALUES (%s, %s, %s, %s, %s, "
	         "%s, %s, %s, %s, %s, %s)", ph(b, 1), ph(b, 2), ph(b, 3), ph(b, 4),
	         ph(b, 5), ph(b, 6), ph(b, 7), ph(b, 8), ph(b, 9), ph(b, 10),
	         ph(b, 11));
	ck_assert_msg(ormc_db_exec(db, sql, p, 11, &err) == ORMC_OK, "%s",
	              err.message);
	ck_assert_int_eq(ormc_db_query(db, "SELECT * FROM kinds", NULL, 0, &cur, &err),
	                 ORMC_OK);
	ck_assert_int_eq(drv(db)->next(cur, &row, &err), 1);
	ck_assert_str_eq(drv(db)->column_name(cur, 0), "i");
	ck_assert_str_eq(drv(db)->column_name(cur, 10), "e");
	ck_assert_ptr_null(drv(db)->column_name(cur, 11));
	ck_assert(row[0].type == ORMC_TYPE_INT && row[0].i == 9000000000LL);
	ck_assert(row[1].type == ORMC_TYPE_FLOAT && row[1].f == 0.1);
	/* SQLite's decimal column has numeric affinity: a float, 15 digits */
	v = convert(&row[2], ORMC_FIELD_DECIMAL, 2, buf, sizeof(buf));
	ck_assert_msg(text_is(&v, b == SQ ? "12345678901234600000.00" :
	                      "12345678901234567890.12"), "%.*s", (int)v.len, v.s);
	v = convert(&row[3], ORMC_FIELD_BOOLEAN, -1, buf, sizeof(buf));
	ck_assert(v.type == ORMC_TYPE_BOOL && v.i == 1);
	ck_assert(text_is(&row[4], weird));
	v = convert(&row[5], ORMC_FIELD_DATE, -1, buf, sizeof(buf));
	ck_assert(text_is(&v, "2026-11-21"));
	v = convert(&row[6], ORMC_FIELD_DATETIME, -1, buf, sizeof(buf));
	ck_assert_msg(text_is(&v, "2026-11-21T21:30:00.500000"), "%.*s",
	              (int)v.len, v.s);
	v = convert(&row[7], ORMC_FIELD_TIME, -1, buf, sizeof(buf));
	ck_assert_msg(text_is(&v, "10:30:00"), "%.*s", (int)v.len, v.s);
	v = convert(&row[8], ORMC_FIELD_DURATION, -1, buf, sizeof(buf));
	ck_assert(v.type == ORMC_TYPE_DURATION && v.i == 93600500000LL);
	ck_assert_int_eq(row[9].type, ORMC_TYPE_NULL);
	ck_assert(text_is(&row[10], ""));
	ck_assert_int_eq(drv(db)->next(cur, &row, &err), 0);
	drv(db)->close_cursor(cur);

	/* a value with quotes and a semicolon is bound: it matches itself */
	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM kinds WHERE t = %s",
	         ph(b, 1));
	ck_assert_int_eq(ormc_db_query(db, sql, &p[4], 1, &cur, &err), ORMC_OK);
	ck_assert_int_eq(drv(db)->next(cur, &row, &err), 1);
	ck_assert(row[0].type == ORMC_TYPE_INT && row[0].i == 1);
	drv(db)->close_cursor(cur);
	ck_assert_int_eq(scalar(db, "SELECT COUNT(*) FROM kinds"), 1);

	/* 80 digits: more than MySQL's DECIMAL holds, sent as text whole */
	p[0] = text_value(ORMC_TYPE_DECIMAL, longdec);
	ck_assert_int_eq(ormc_db_query(db, b == PG ? "SELECT $1::numeric" :
	                               "SELECT ?", p, 1, &cur, &err), ORMC_OK);
	ck_assert_int_eq(drv(db)->next(cur, &row, &err), 1);
	ck_assert_msg(text_is(&row[0], longdec), "%.*s", (int)row[0].len,
	              row[0].s);
	drv(db)->close_cursor(cur);
	ormc_disconnect(db);
}
END_TEST

START_TEST(test_pg_placeholders)
{
	ormc_db *db = open_db(PG);
	ormc_value p[3];
	ormc_cursor *cur;
	const ormc_value *row;
	ormc_error err;

	p[0] = int_value(7);
	p[1] = text_value(ORMC_TYPE_TEXT, "two");
	p[2] = int_value(40);
	/* reordered, repeated, and $n left alone where it is not a placeholder */
	ck_assert_int_eq(ormc_db_query(db,
		"SELECT '$1' AS \"a$1\", $2::text, $1::integer + $3::integer, "
		"E'\\'$1', $$ $1 ? $$, $tag$$1$tag$, /* $1 /* $2 */ */ $1::integer "
		"-- $3\n, 'it''s $2', $2::text || 'x'",
		p, 3, &cur, &err), ORMC_OK);
	ck_assert_int_eq(cur->ncols, 9);
	ck_assert_str_eq(drv(db)->column_name(cur, 0), "a$1");
	ck_assert_int_eq(drv(db)->next(cur, &row, &err), 1);
	ck_assert(text_is(&row[0], "$1"));
	ck_assert(text_is(&row[1], "two"));
	ck_assert(row[2].type == ORMC_TYPE_INT && row[2].i == 47);
	ck_assert(text_is(&row[3], "'$1"));
	ck_assert(text_is(&row[4], " $1 ? "));
	ck_assert(text_is(&row[5], "$1"));
	ck_assert(row[6].type == ORMC_TYPE_INT && row[6].i == 7);
	ck_assert(text_is(&row[7], "it's $2"));
	ck_assert(text_is(&row[8], "twox"));
	drv(db)->close_cursor(cur);

	/* a placeholder beyond the parameters */
	ck_assert_int_eq(ormc_db_query(db, "SELECT $4::integer", p, 3, &cur, &err),
	                 ORMC_EDRIVER);
	ck_assert_ptr_nonnull(strstr(err.message, "$4"));
	ormc_disconnect(db);
}
END_TEST

START_TEST(test_errors)
{
	ormc_db *db = open_db(_i);
	ormc_cursor *cur = NULL;
	ormc_error err;
	const char *want = _i == PG ? "syntax error" : _i == MY ? "SQL syntax" :
	                   "syntax error";
	int rc;

	rc = ormc_db_query(db, "SELEC 1 FROM nowhere", NULL, 0, &cur, &err);
	ck_assert_int_eq(rc, ORMC_EDRIVER);
	ck_assert_ptr_null(cur);
	ck_assert_int_eq(err.code, ORMC_EDRIVER);
	ck_assert_msg(strlen(err.sqlstate) == 5, "sqlstate '%s'", err.sqlstate);
	if (_i == PG)
		ck_assert_str_eq(err.sqlstate, "42601");
	else if (_i == MY)
		ck_assert_str_eq(err.sqlstate, "42000");
	ck_assert_msg(strstr(err.message, want) != NULL, "%s", err.message);

	/* a missing table, and the connection goes on */
	rc = ormc_db_query(db, "SELECT * FROM no_such_table", NULL, 0, &cur, &err);
	ck_assert_int_eq(rc, ORMC_EDRIVER);
	if (_i == PG)
		ck_assert_str_eq(err.sqlstate, "42P01");
	else if (_i == MY)
		ck_assert_str_eq(err.sqlstate, "42S02");
	ck_assert_int_eq(scalar(db, "SELECT 1 + 1"), 2);
	ormc_disconnect(db);
}
END_TEST

START_TEST(test_connect_errors)
{
	ormc_db *db = NULL;
	ormc_error err;
	char url[1024];
	int rc;

	rc = ormc_connect(&db, "odbc:", &err);
	ck_assert_int_eq(rc, ORMC_EDRIVER);
	ck_assert_ptr_null(db);
	ck_assert_ptr_nonnull(strstr(err.hint, "DSN="));

	rc = ormc_connect(&db, "odbc:DSN=ormc_no_such_dsn;PWD=hush", &err);
	ck_assert_int_eq(rc, ORMC_EDRIVER);
	ck_assert_str_eq(err.sqlstate, "IM002");
	ck_assert_ptr_null(strstr(err.message, "hush"));
	ck_assert_ptr_nonnull(strstr(err.message, "DSN=ormc_no_such_dsn;PWD=***"));

	/* nothing listens on port 1; the password is masked, braces too */
	rc = ormc_connect(&db, "odbc:Driver={ormc-postgresql};Server=127.0.0.1;"
	                  "Port=1;Database=x;Uid=ormc;pwd = {se;cr}}et}", &err);
	ck_assert_int_eq(rc, ORMC_EDRIVER);
	ck_assert_msg(strstr(err.message, "se;cr") == NULL &&
	              strstr(err.message, "et}") == NULL, "%s", err.message);
	ck_assert_msg(strstr(err.message, "Server=127.0.0.1;Port=1;") != NULL &&
	              strstr(err.message, "pwd =***") != NULL, "%s",
	              err.message);

	/* a wrong password on MariaDB: 28000, not shown */
	snprintf(url, sizeof(url), "%s", backends[MY].url);
	ck_assert_ptr_nonnull(strstr(url, "Password="));
	strcpy(strstr(url, "Password="), "Password=Wr0ngSecret;");
	rc = ormc_connect(&db, url, &err);
	ck_assert_int_eq(rc, ORMC_EDRIVER);
	ck_assert_str_eq(err.sqlstate, "28000");
	ck_assert_msg(strstr(err.message, "Wr0ngSecret") == NULL, "%s", err.message);
	ck_assert_ptr_nonnull(strstr(err.message, "Password=***"));
}
END_TEST

START_TEST(test_block_fetch)
{
	ormc_db *db = open_db(_i);
	ormc_cursor *cur;
	const ormc_value *row;
	ormc_error err;
	unsigned long fetches, rowset;
	long long n = 0, sum = 0;
	int rc;

	make_digits(db);
	ck_assert_int_eq(ormc_db_query(db, ten_thousand(), NULL, 0, &cur, &err),
	                 ORMC_OK);
	while ((rc = drv(db)->next(cur, &row, &err)) == 1) {
		ck_assert_int_eq(row[0].type, ORMC_TYPE_INT);
		sum += row[0].i;
		n++;
	}
	ck_assert_int_eq(rc, 0);
	ck_assert_int_eq(n, 10000);
	ck_assert(sum == 50005000LL);
	/* whole blocks per SQLFetch, and one more call that finds the end */
	ormc_odbc_cursor_stats(cur, &fetches, &rowset);
	ck_assert_uint_eq(rowset, 256);
	ck_assert_uint_eq(fetches, (10000 + 255) / 256 + 1);
	ck_assert_int_eq(drv(db)->next(cur, &row, &err), 0);
	drv(db)->close_cursor(cur);
	ormc_disconnect(db);
}
END_TEST

START_TEST(test_close_half_way)
{
	ormc_db *db = open_db(_i);
	ormc_cursor *cur;
	const ormc_value *row;
	ormc_error err;
	int k;

	make_digits(db);
	ck_assert_int_eq(ormc_db_query(db, ten_thousand(), NULL, 0, &cur, &err),
	                 ORMC_OK);
	for (k = 0; k < 300; k++)
		ck_assert_int_eq(drv(db)->next(cur, &row, &err), 1);
	drv(db)->close_cursor(cur);
	/* the connection serves the next statements */
	ck_assert_int_eq(scalar(db, "SELECT COUNT(*) FROM digits"), 10);
	tb_exec(db, "DROP TABLE IF EXISTS half");
	tb_exec(db, "CREATE TABLE half (x integer)");
	tb_exec(db, "INSERT INTO half VALUES (1)");
	ck_assert_int_eq(scalar(db, "SELECT SUM(x) FROM half"), 1);
	/* and an empty result */
	ck_assert_int_eq(ormc_db_query(db, "SELECT x FROM half WHERE x > 5", NULL,
	                               0, &cur, &err), ORMC_OK);
	ck_assert_ptr_nonnull(cur);
	ck_assert_int_eq(drv(db)->next(cur, &row, &err), 0);
	ck_assert_int_eq(drv(db)->next(cur, &row, &err), 0);
	drv(db)->close_cursor(cur);
	ormc_disconnect(db);
}
END_TEST

START_TEST(test_long_text)
{
	ormc_db *db = open_db(_i);
	size_t big = 100 * 1024, k;
	char *text = malloc(big + 1), sql[256];
	ormc_value p[2];
	ormc_cursor *cur;
	const ormc_value *row;
	ormc_error err;
	unsigned long fetches, rowset;
	long long n = 0;
	int b = _i, rc;

	ck_assert_ptr_nonnull(text);
	for (k = 0; k < big; k++)
		text[k] = (char)('a' + k % 26);
	memcpy(text + big - 4, "\xc3\xa9!!", 4);   /* non-ASCII at the end */
	text[big] = '\0';
	tb_exec(db, "DROP TABLE IF EXISTS longs");
	tb_exec(db, b == MY ? "CREATE TABLE longs (id integer, body longtext)" :
	                      "CREATE TABLE longs (id integer, body text)");
	snprintf(sql, sizeof(sql), "INSERT INTO longs VALUES (%s, %s)", ph(b, 1),
	         ph(b, 2));
	/* 600 rows, every 50th of them 100 kB long: blocks with long cells */
	for (k = 0; k < 600; k++) {
		char small[32];

		p[0] = int_value((long long)k);
		if (k % 50 == 7) {
			p[1] = text_value(ORMC_TYPE_TEXT, text);
		} else {
			snprintf(small, sizeof(small), "row %zu", k);
			p[1] = text_value(ORMC_TYPE_TEXT, small);
		}
		rc = ormc_db_exec(db, sql, p, 2, &err);
		ck_assert_msg(rc == ORMC_OK, "%s", err.message);
	}
	ck_assert_int_eq(ormc_db_query(db, "SELECT id, body FROM longs ORDER BY id",
	                               NULL, 0, &cur, &err), ORMC_OK);
	while ((rc = drv(db)->next(cur, &row, &err)) == 1) {
		long long id = row[0].i;

		ck_assert_int_eq(row[0].type, ORMC_TYPE_INT);
		ck_assert_int_eq(id, n);
		ck_assert_int_eq(row[1].type, ORMC_TYPE_TEXT);
		if (id % 50 == 7) {
			ck_assert_uint_eq(row[1].len, big);
			ck_assert(memcmp(row[1].s, text, big) == 0);
		} else {
			char small[32];

			snprintf(small, sizeof(small), "row %lld", id);
			ck_assert(text_is(&row[1], small));
		}
		n++;
	}
	ck_assert_msg(rc == 0, "%s", err.message);
	ck_assert_int_eq(n, 600);
	/*
	 * Long text columns: psqlODBC keeps the blocks and re-reads long cells
	 * after SQLSetPos; the others fetch them one row per SQLFetch.
	 */
	ormc_odbc_cursor_stats(cur, &fetches, &rowset);
	if (b == PG)
		ck_assert_uint_eq(rowset, 256);
	else
		ck_assert_uint_eq(rowset, 1);
	drv(db)->close_cursor(cur);

	/* and as a parameter straight back */
	snprintf(sql, sizeof(sql), b == PG ? "SELECT %s::text" : "SELECT %s",
	         ph(b, 1));
	p[0] = text_value(ORMC_TYPE_TEXT, text);
	ck_assert_int_eq(ormc_db_query(db, sql, p, 1, &cur, &err), ORMC_OK);
	ck_assert_int_eq(drv(db)->next(cur, &row, &err), 1);
	ck_assert_uint_eq(row[0].len, big);
	ck_assert(memcmp(row[0].s, text, big) == 0);
	drv(db)->close_cursor(cur);
	free(text);
	ormc_disconnect(db);
}
END_TEST

/* Expression columns are typed by their values, whatever the first row was. */
START_TEST(test_expression_types)
{
	ormc_db *db = open_db(_i);
	ormc_cursor *cur;
	const ormc_value *row;
	ormc_value v;
	ormc_error err;
	char buf[64];

	tb_exec(db, "DROP TABLE IF EXISTS sales");
	tb_exec(db, "CREATE TABLE sales (p integer, total decimal(10, 2))");
	tb_exec(db, "INSERT INTO sales VALUES (1, 50), (1, 25), (2, 75.5), (3, 0.25)");
	ck_assert_int_eq(ormc_db_query(db, "SELECT p, SUM(total), COUNT(*), "
	                               "AVG(total) FROM sales GROUP BY p ORDER BY p",
	                               NULL, 0, &cur, &err), ORMC_OK);
	ck_assert_int_eq(drv(db)->next(cur, &row, &err), 1);
	v = convert(&row[1], ORMC_FIELD_DECIMAL, 2, buf, sizeof(buf));
	ck_assert_msg(text_is(&v, "75.00"), "%.*s", (int)v.len, v.s);
	v = convert(&row[2], ORMC_FIELD_INTEGER, -1, buf, sizeof(buf));
	ck_assert(v.type == ORMC_TYPE_INT && v.i == 2);
	v = convert(&row[3], ORMC_FIELD_FLOAT, -1, buf, sizeof(buf));
	ck_assert(v.type == ORMC_TYPE_FLOAT && v.f == 37.5);
	ck_assert_int_eq(drv(db)->next(cur, &row, &err), 1);
	v = convert(&row[1], ORMC_FIELD_DECIMAL, 2, buf, sizeof(buf));
	ck_assert_msg(text_is(&v, "75.50"), "%.*s", (int)v.len, v.s);
	ck_assert_int_eq(drv(db)->next(cur, &row, &err), 1);
	v = convert(&row[1], ORMC_FIELD_DECIMAL, 2, buf, sizeof(buf));
	ck_assert_msg(text_is(&v, "0.25"), "%.*s", (int)v.len, v.s);
	ck_assert_int_eq(drv(db)->next(cur, &row, &err), 0);
	drv(db)->close_cursor(cur);

	if (_i == MY) {   /* BIGINT UNSIGNED: INT when it fits, else digits */
		ck_assert_int_eq(ormc_db_query(db, "SELECT CAST(5 AS UNSIGNED), "
		                               "CAST(18446744073709551615 AS UNSIGNED)",
		                               NULL, 0, &cur, &err), ORMC_OK);
		ck_assert_int_eq(drv(db)->next(cur, &row, &err), 1);
		ck_assert(row[0].type == ORMC_TYPE_INT && row[0].i == 5);
		ck_assert_int_eq(row[1].type, ORMC_TYPE_DECIMAL);
		ck_assert(text_is(&row[1], "18446744073709551615"));
		drv(db)->close_cursor(cur);
	}
	if (_i == PG) {   /* uuids in lower case, as libpq gives them */
		ck_assert_int_eq(ormc_db_query(db, "SELECT 'A0EEBC99-9C0B-4EF8-BB6D-"
		                               "6BB9BD380A11'::uuid", NULL, 0, &cur,
		                               &err), ORMC_OK);
		ck_assert_int_eq(drv(db)->next(cur, &row, &err), 1);
		ck_assert(text_is(&row[0], "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"));
		drv(db)->close_cursor(cur);
	}
	ormc_disconnect(db);
}
END_TEST

START_TEST(test_transactions)
{
	ormc_db *db = open_db(_i), *other;
	ormc_cursor *cur = NULL;
	ormc_error err;

	tb_exec(db, "DROP TABLE IF EXISTS txn");
	tb_exec(db, "CREATE TABLE txn (x integer)");
	ck_assert_int_eq(ormc_db_begin(db, &err), ORMC_OK);
	tb_exec(db, "INSERT INTO txn VALUES (1)");
	tb_exec(db, "INSERT INTO txn VALUES (2)");
	ck_assert_int_eq(scalar(db, "SELECT COUNT(*) FROM txn"), 2);
	ck_assert_int_eq(ormc_db_rollback(db, &err), ORMC_OK);
	ck_assert_int_eq(scalar(db, "SELECT COUNT(*) FROM txn"), 0);

	ck_assert_int_eq(ormc_db_begin(db, &err), ORMC_OK);
	tb_exec(db, "INSERT INTO txn VALUES (3)");
	ck_assert_int_eq(ormc_db_commit(db, &err), ORMC_OK);
	/* back in autocommit: this one needs no commit */
	tb_exec(db, "INSERT INTO txn VALUES (4)");
	other = open_db(_i);
	ck_assert_int_eq(scalar(other, "SELECT SUM(x) FROM txn"), 7);
	ormc_disconnect(other);

	/* statements without rows give no cursor; an UPDATE of no rows is fine */
	ck_assert_int_eq(ormc_db_query(db, "UPDATE txn SET x = 0 WHERE x > 100",
	                               NULL, 0, &cur, &err), ORMC_OK);
	ck_assert_ptr_null(cur);
	ck_assert_int_eq(ormc_db_query(db, "DELETE FROM txn WHERE x = 3", NULL, 0,
	                               &cur, &err), ORMC_OK);
	ck_assert_ptr_null(cur);
	ck_assert_int_eq(scalar(db, "SELECT COUNT(*) FROM txn"), 1);

	/* a failed statement inside a transaction, then rollback */
	ck_assert_int_eq(ormc_db_begin(db, &err), ORMC_OK);
	tb_exec(db, "INSERT INTO txn VALUES (5)");
	ck_assert_int_eq(ormc_db_exec(db, "INSERT INTO nowhere VALUES (1)", NULL, 0,
	                              &err), ORMC_EDRIVER);
	ck_assert_int_eq(ormc_db_rollback(db, &err), ORMC_OK);
	ck_assert_int_eq(scalar(db, "SELECT COUNT(*) FROM txn"), 1);

	/* disconnecting inside a transaction drops it */
	ck_assert_int_eq(ormc_db_begin(db, &err), ORMC_OK);
	tb_exec(db, "INSERT INTO txn VALUES (6)");
	ormc_disconnect(db);
	db = open_db(_i);
	ck_assert_int_eq(scalar(db, "SELECT COUNT(*) FROM txn"), 1);
	ormc_disconnect(db);
}
END_TEST

START_TEST(test_session)
{
	ormc_db *db = open_db(_i);
	ormc_cursor *cur;
	const ormc_value *row;
	ormc_error err;

	if (_i == SQ) {
		ormc_disconnect(db);
		return;
	}
	ck_assert_int_eq(ormc_db_query(db, _i == PG ?
		"SELECT current_setting('DateStyle'), current_setting('TimeZone'), "
		"current_setting('IntervalStyle')" :
		"SELECT @@SESSION.time_zone, "
		"FIND_IN_SET('ONLY_FULL_GROUP_BY', @@SESSION.sql_mode) > 0, "
		"@@SESSION.optimizer_switch NOT LIKE '%split_materialized=on%'",
		NULL, 0, &cur, &err), ORMC_OK);
	ck_assert_int_eq(drv(db)->next(cur, &row, &err), 1);
	if (_i == PG) {
		ck_assert(row[0].len >= 3 && memcmp(row[0].s, "ISO", 3) == 0);
		ck_assert(text_is(&row[1], "UTC"));
		ck_assert(text_is(&row[2], "postgres"));
	} else {
		ck_assert(text_is(&row[0], "+00:00"));
		ck_assert(row[1].type == ORMC_TYPE_INT && row[1].i == 1);
		ck_assert(row[2].type == ORMC_TYPE_INT && row[2].i == 1);
	}
	drv(db)->close_cursor(cur);
	ormc_disconnect(db);
}
END_TEST

static Suite *
odbc_suite(void)
{
	Suite *s = suite_create("odbc");
	TCase *tc;

	tc = tcase_create("connect");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_dialect_version, 0, NBACKENDS);
	tcase_add_loop_test(tc, test_session, 0, NBACKENDS);
	tcase_add_test(tc, test_connect_errors);
	suite_add_tcase(s, tc);

	tc = tcase_create("execute");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_bind_every_type, 0, NBACKENDS);
	tcase_add_test(tc, test_pg_placeholders);
	tcase_add_loop_test(tc, test_errors, 0, NBACKENDS);
	tcase_add_loop_test(tc, test_transactions, 0, NBACKENDS);
	suite_add_tcase(s, tc);

	tc = tcase_create("fetch");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_block_fetch, 0, NBACKENDS);
	tcase_add_loop_test(tc, test_close_half_way, 0, NBACKENDS);
	tcase_add_loop_test(tc, test_long_text, 0, NBACKENDS);
	tcase_add_loop_test(tc, test_expression_types, 0, NBACKENDS);
	suite_add_tcase(s, tc);
	return s;
}

/* Remove the SQLite file and the temporary directory. */
static void
cleanup(void)
{
	char path[512];

	if (tmpdir[0] == '\0')
		return;
	snprintf(path, sizeof(path), "%s/odbc.db", tmpdir);
	remove(path);
	snprintf(path, sizeof(path), "%s/odbc.db-journal", tmpdir);
	remove(path);
	rmdir(tmpdir);
}

int
main(void)
{
	SRunner *sr;
	char why[512], url[1024], path[512];
	const char *tmp = getenv("TMPDIR");
	int failed;

	if (!tb_selected("odbc"))
		return TB_SKIP;
	snprintf(tmpdir, sizeof(tmpdir), "%s/ormc-odbc-XXXXXX",
	         tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(tmpdir) == NULL) {
		fprintf(stderr, "check_odbc: cannot make a temporary directory\n");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/odbc.db", tmpdir);
	if (tb_odbc_url("sqlite", path, backends[SQ].url, sizeof(backends[SQ].url),
	                why, sizeof(why)) < 0 ||
	    tb_fresh_db("postgresql", "ormc_check_odbc_pg", url, sizeof(url), why,
	                sizeof(why)) < 0 ||
	    tb_odbc_url("postgresql", "ormc_check_odbc_pg", backends[PG].url,
	                sizeof(backends[PG].url), why, sizeof(why)) < 0 ||
	    tb_fresh_db("mysql", "ormc_check_odbc_my", url, sizeof(url), why,
	                sizeof(why)) < 0 ||
	    tb_odbc_url("mysql", "ormc_check_odbc_my", backends[MY].url,
	                sizeof(backends[MY].url), why, sizeof(why)) < 0) {
		fprintf(stderr, "check_odbc: %s\n", why);
		cleanup();
		return 1;
	}

	sr = srunner_create(odbc_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	cleanup();
	return failed != 0;
}
