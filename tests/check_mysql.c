/*
 * check_mysql.c -- the MySQL / MariaDB driver (drivers/mysql.c) against the
 * test server (tests/backends.h): URLs and sockets, the session it sets up,
 * parameters and cells of every type, streaming, errors and transactions,
 * and no local file sent for a LOAD DATA LOCAL.
 *
 * Every test works in the database ormc_check_my, made fresh by main().
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backends.h"
#include "db.h"
#include "ddl.h"
#include "schema.h"
#include "ormc/ormc.h"
#include "ormc/sys/driver.h"

#ifndef ORMC_SOURCE_DIR
#define ORMC_SOURCE_DIR "."
#endif

static char url[1024];        /* mysql://.../ormc_check_my */

/* ---- helpers ------------------------------------------------------------ */

static ormc_db *
open_db(void)
{
	return tb_open(url);
}

static const ormc_driver *
drv(ormc_db *db)
{
	return db->conn->driver;
}

/* The single cell of a one-row query, into out (text copied to buf). */
static void
one_cell(ormc_db *db, const char *sql, const ormc_value *p, int np,
         ormc_value *out, char *buf, size_t n)
{
	ormc_cursor *cur;
	const ormc_value *row;
	ormc_error err;
	int rc = ormc_db_query(db, sql, p, np, &cur, &err);

	ck_assert_msg(rc == ORMC_OK, "%s: %s", sql, err.message);
	ck_assert_ptr_nonnull(cur);
	ck_assert_int_eq(cur->ncols, 1);
	ck_assert_int_eq(drv(db)->next(cur, &row, &err), 1);
	*out = row[0];
	if (row[0].s != NULL) {
		ck_assert_uint_lt(row[0].len, n);
		memcpy(buf, row[0].s, row[0].len);
		buf[row[0].len] = '\0';
		out->s = buf;
	}
	ck_assert_int_eq(drv(db)->next(cur, &row, &err), 0);
	drv(db)->close_cursor(cur);
}

static long long
scalar(ormc_db *db, const char *sql)
{
	ormc_value v;
	char buf[64];

	one_cell(db, sql, NULL, 0, &v, buf, sizeof(buf));
	ck_assert_msg(v.type == ORMC_TYPE_INT, "%s: type %d", sql, (int)v.type);
	return (long long)v.i;
}

static void
text_is(const ormc_value *v, ormc_type type, const char *want)
{
	ck_assert_int_eq(v->type, type);
	ck_assert_int_eq((int)v->len, (int)strlen(want));
	ck_assert_msg(memcmp(v->s, want, v->len) == 0, "got '%.*s', want '%s'",
	              (int)v->len, v->s, want);
}

static ormc_value
text_param(ormc_type type, const char *s)
{
	ormc_value v;

	memset(&v, 0, sizeof(v));
	v.type = type;
	v.s = s;
	v.len = strlen(s);
	return v;
}

static ormc_value
int_param(ormc_type type, long long i)
{
	ormc_value v;

	memset(&v, 0, sizeof(v));
	v.type = type;
	v.i = i;
	return v;
}

static long long
utf8_chars(const char *s)
{
	long long n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

/* url with its scheme replaced */
static void
with_scheme(char *out, size_t n, const char *scheme)
{
	const char *rest = strstr(url, "://");

	ck_assert_ptr_nonnull(rest);
	snprintf(out, n, "%s%s", scheme, rest);
}

/* Append s percent-encoded (everything but [A-Za-z0-9._-]). */
static void
pct(char *out, size_t n, const char *s)
{
	size_t k = strlen(out);

	for (; *s && k + 4 < n; s++) {
		unsigned char ch = (unsigned char)*s;

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-')
			out[k++] = (char)ch;
		else
			k += (size_t)snprintf(out + k, n - k, "%%%02X", ch);
	}
	out[k] = '\0';
}

/* ---- connect ------------------------------------------------------------ */

START_TEST(test_connect)
{
	char u[1100];
	ormc_db *db = open_db();

	ck_assert_str_eq(ormc_db_dialect(db), "mysql");
	ck_assert_str_eq(drv(db)->name, "mysql");
	ck_assert_str_eq(drv(db)->schemes, "mysql,mariadb");
	ck_assert_msg(strncmp(drv(db)->library, "MariaDB Connector/C ", 20) == 0,
	              "%s", drv(db)->library);
	/* MariaDB 10.11.6 is 101106, MySQL 8.0.36 is 80036 */
	ck_assert_int_ge(db->server_version, 50500);
	ck_assert_int_lt(db->server_version, 1000000);
	ck_assert_int_eq(scalar(db, "SELECT 1"), 1);
	ormc_disconnect(db);

	with_scheme(u, sizeof(u), "mariadb");
	db = tb_open(u);
	ck_assert_str_eq(ormc_db_dialect(db), "mysql");
	ck_assert_int_eq(scalar(db, "SELECT DATABASE() = 'ormc_check_my'"), 1);
	ormc_disconnect(db);
	/* scheme matching ignores case */
	with_scheme(u, sizeof(u), "MySQL");
	db = tb_open(u);
	ormc_disconnect(db);
}
END_TEST

START_TEST(test_session)
{
	ormc_db *db = open_db();
	ormc_value v;
	char buf[1024];
	ormc_error err;

	one_cell(db, "SELECT @@SESSION.sql_mode", NULL, 0, &v, buf, sizeof(buf));
	ck_assert_int_eq(v.type, ORMC_TYPE_TEXT);
	ck_assert_msg(strstr(buf, "ONLY_FULL_GROUP_BY") != NULL, "%s", buf);
	ck_assert_msg(strstr(buf, "STRICT_") != NULL, "%s", buf);
	ck_assert_msg(strstr(buf, "ANSI") == NULL, "%s", buf);
	ck_assert_msg(strstr(buf, "NO_BACKSLASH_ESCAPES") == NULL, "%s", buf);
	ck_assert_msg(strstr(buf, "PIPES_AS_CONCAT") == NULL, "%s", buf);
	one_cell(db, "SELECT @@SESSION.time_zone", NULL, 0, &v, buf, sizeof(buf));
	ck_assert_str_eq(buf, "+00:00");
	/* MariaDB's split_materialized rewrite loses rows: off (MySQL has none) */
	one_cell(db, "SELECT @@SESSION.optimizer_switch", NULL, 0, &v, buf, sizeof(buf));
	ck_assert_msg(strstr(buf, "split_materialized") == NULL ||
	              strstr(buf, "split_materialized=off") != NULL, "%s", buf);
	one_cell(db, "SELECT @@character_set_client", NULL, 0, &v, buf,
	         sizeof(buf));
	ck_assert_str_eq(buf, "utf8mb4");
	one_cell(db, "SELECT @@character_set_results", NULL, 0, &v, buf,
	         sizeof(buf));
	ck_assert_str_eq(buf, "utf8mb4");
	/* TIMESTAMP reads in UTC */
	one_cell(db, "SELECT FROM_UNIXTIME(0)", NULL, 0, &v, buf, sizeof(buf));
	text_is(&v, ORMC_TYPE_DATETIME, "1970-01-01 00:00:00");

	/* ONLY_FULL_GROUP_BY is really on */
	tb_exec(db, "CREATE TABLE ses (a integer, b integer)");
	ck_assert_int_eq(ormc_db_exec(db, "SELECT a, b FROM ses GROUP BY a",
	                              NULL, 0, &err), ORMC_EDRIVER);
	ck_assert_str_eq(err.sqlstate, "42000");
	ck_assert_msg(strstr(err.message, "GROUP BY") != NULL, "%s", err.message);
	ormc_disconnect(db);
}
END_TEST

/* The server's socket, if it is on this machine; "" otherwise. */
static void
server_socket(ormc_db *db, char *buf, size_t n)
{
	ormc_value v;

	one_cell(db, "SELECT @@socket", NULL, 0, &v, buf, n);
	if (v.type != ORMC_TYPE_TEXT || buf[0] != '/' || access(buf, F_OK) != 0)
		buf[0] = '\0';
}

START_TEST(test_connect_socket)
{
	/* every character URLs treat specially, and a 4-byte one */
	static const char password[] = "p@ss:w/rd%?&#+ \xF0\x9F\x94\x91";
	ormc_db *db = open_db(), *s;
	ormc_value v;
	char sock[512], u[2048], buf[256];
	ormc_error err;

	server_socket(db, sock, sizeof(sock));
	if (sock[0] == '\0') {
		printf("check_mysql: the server's socket is not on this machine; "
		       "socket connections not tested\n");
		ormc_disconnect(db);
		return;
	}
	if (ormc_db_exec(db, "DROP USER IF EXISTS 'ormc_check_sock'@'localhost'",
	                 NULL, 0, &err) < 0 ||
	    ormc_db_exec(db, "CREATE USER 'ormc_check_sock'@'localhost' "
	                 "IDENTIFIED BY 'p@ss:w/rd%?&#+ \xF0\x9F\x94\x91'",
	                 NULL, 0, &err) < 0) {
		/* a server of the user's, without the CREATE USER privilege */
		printf("check_mysql: socket connections not tested: %s\n",
		       err.message);
		ormc_disconnect(db);
		return;
	}

	/* ?socket= (the host is ignored), no database */
	snprintf(u, sizeof(u), "mysql://ormc_check_sock:");
	pct(u, sizeof(u), password);
	strcat(u, "@ignored.invalid:1/?socket=");
	pct(u, sizeof(u), sock);
	ck_assert_int_eq(ormc_connect(&s, u, &err), ORMC_OK);
	one_cell(s, "SELECT CURRENT_USER()", NULL, 0, &v, buf, sizeof(buf));
	ck_assert_str_eq(buf, "ormc_check_sock@localhost");
	one_cell(s, "SELECT DATABASE()", NULL, 0, &v, buf, sizeof(buf));
	ck_assert_int_eq(v.type, ORMC_TYPE_NULL);
	ormc_disconnect(s);

	/* a host that is a path is a socket */
	snprintf(u, sizeof(u), "mariadb://ormc_check_sock:");
	pct(u, sizeof(u), password);
	strcat(u, "@");
	pct(u, sizeof(u), sock);
	ck_assert_int_eq(ormc_connect(&s, u, &err), ORMC_OK);
	one_cell(s, "SELECT CURRENT_USER()", NULL, 0, &v, buf, sizeof(buf));
	ck_assert_str_eq(buf, "ormc_check_sock@localhost");
	ormc_disconnect(s);

	/* wrong password through the socket */
	snprintf(u, sizeof(u), "mysql://ormc_check_sock:nope@localhost/"
	         "?socket=%s", sock);
	ck_assert_int_eq(ormc_connect(&s, u, &err), ORMC_EDRIVER);
	ck_assert_str_eq(err.sqlstate, "28000");
	ck_assert_msg(strstr(err.message, sock) != NULL, "%s", err.message);
	ck_assert_msg(strstr(err.message, "nope") == NULL, "%s", err.message);

	tb_exec(db, "DROP USER 'ormc_check_sock'@'localhost'");
	ormc_disconnect(db);
}
END_TEST

START_TEST(test_connect_errors)
{
	const char *auth = strstr(url, "://"), *at = strrchr(url, '@'), *colon;
	ormc_db *db = (ormc_db *)1;
	ormc_error err;
	char full[2048];

	/* the test URL with a wrong password */
	ck_assert_ptr_nonnull(auth);
	ck_assert_ptr_nonnull(at);
	auth += 3;
	colon = memchr(auth, ':', (size_t)(at - auth));
	snprintf(full, sizeof(full), "%.*s:Wr0ngS3cret%%21%s",
	         (int)((colon ? colon : at) - url), url, at);
	ck_assert_int_eq(ormc_connect(&db, full, &err), ORMC_EDRIVER);
	ck_assert_ptr_null(db);
	ck_assert_int_eq(err.code, ORMC_EDRIVER);
	ck_assert_str_eq(err.sqlstate, "28000");
	ck_assert_msg(strstr(err.message, "Access denied") != NULL, "%s",
	              err.message);
	ck_assert_msg(strstr(err.message, "ormc_check_my") != NULL, "%s",
	              err.message);
	ck_assert_msg(strstr(err.message, "Wr0ng") == NULL, "%s", err.message);
	ck_assert_msg(strstr(err.hint, "Wr0ng") == NULL, "%s", err.hint);

	/* nobody listens there */
	ck_assert_int_eq(ormc_connect(&db, "mysql://u:Secr3t@127.0.0.1:1/x", &err),
	                 ORMC_EDRIVER);
	ck_assert_msg(strstr(err.message, "127.0.0.1:1") != NULL, "%s",
	              err.message);
	ck_assert_msg(strstr(err.message, "Secr3t") == NULL, "%s", err.message);

	/* malformed URLs, said without the password */
	ck_assert_int_eq(ormc_connect(&db, "mysql:x", &err), ORMC_EDRIVER);
	ck_assert_msg(strstr(err.message, "invalid MySQL URL") != NULL, "%s",
	              err.message);
	ck_assert_int_eq(ormc_connect(&db, "mysql://u:Secr3t@h:99999/x", &err),
	                 ORMC_EDRIVER);
	ck_assert_msg(strstr(err.message, "port") != NULL, "%s", err.message);
	ck_assert_int_eq(ormc_connect(&db, "mysql://u:Secr3t@h:3x/x", &err),
	                 ORMC_EDRIVER);
	ck_assert_int_eq(ormc_connect(&db, "mysql://u:Secr3t%zz@h/x", &err),
	                 ORMC_EDRIVER);
	ck_assert_msg(strstr(err.message, "password") != NULL, "%s", err.message);
	ck_assert_msg(strstr(err.message, "Secr3t") == NULL, "%s", err.message);
	ck_assert_int_eq(ormc_connect(&db, "mysql://u:Secr3t@h/x%00y", &err),
	                 ORMC_EDRIVER);
	ck_assert_int_eq(ormc_connect(&db, "mysql://u:Secr3t@[::1/x", &err),
	                 ORMC_EDRIVER);
	ck_assert_int_eq(ormc_connect(&db, "mysql://u:Secr3t@h/x?sslmode=on",
	                              &err), ORMC_EDRIVER);
	ck_assert_msg(strstr(err.message, "unknown option 'sslmode'") != NULL,
	              "%s", err.message);
	ck_assert_int_eq(ormc_connect(&db, "mysql://u@h/x?connect_timeout=soon",
	                              &err), ORMC_EDRIVER);
	ck_assert_int_eq(ormc_connect(&db, "mysql://u@h/x?socket=", &err),
	                 ORMC_EDRIVER);
	ck_assert_ptr_null(db);
}
END_TEST

START_TEST(test_url_forms)
{
	char u[1200], *slash;
	ormc_db *db;
	ormc_error err;

	/* options: a timeout; empty ones are skipped */
	snprintf(u, sizeof(u), "%s?connect_timeout=5&&", url);
	db = tb_open(u);
	ormc_disconnect(db);

	/* no database: connected, none selected */
	snprintf(u, sizeof(u), "%s", url);
	slash = strrchr(u, '/');
	ck_assert_ptr_nonnull(slash);
	slash[1] = '\0';
	db = tb_open(u);
	ck_assert_int_eq(ormc_db_exec(db, "CREATE TABLE nodb (x integer)", NULL,
	                              0, &err), ORMC_EDRIVER);
	ck_assert_str_eq(err.sqlstate, "3D000");
	ormc_disconnect(db);

	/* a percent-encoded database name */
	strcat(u, "ormc%5fcheck%5Fmy");
	db = tb_open(u);
	ck_assert_int_eq(scalar(db, "SELECT DATABASE() = 'ormc_check_my'"), 1);
	ormc_disconnect(db);

	/* a missing database is named */
	slash[1] = '\0';
	strcat(u, "ormc_no_such_db");
	ck_assert_int_eq(ormc_connect(&db, u, &err), ORMC_EDRIVER);
	ck_assert_msg(strstr(err.message, "ormc_no_such_db") != NULL, "%s",
	              err.message);
	ck_assert_str_eq(err.sqlstate, "42000");
}
END_TEST

/* ---- parameters and cells ----------------------------------------------- */

START_TEST(test_every_type)
{
	ormc_db *db = open_db();
	ormc_value p[12];
	ormc_cursor *cur;
	const ormc_value *row;
	ormc_error err;
	int rc;

	tb_exec(db, "CREATE TABLE types (n integer, i bigint, f double, "
	            "d numeric(10, 2), s varchar(50), b bool, dt date, "
	            "ts datetime(6), tm time(6), du bigint, ub bigint unsigned, "
	            "sf float, y year, bl blob, tsz timestamp(3) NULL, "
	            "si smallint, ti tinyint, mi mediumint)");
	memset(p, 0, sizeof(p));
	p[0].type = ORMC_TYPE_NULL;
	p[1] = int_param(ORMC_TYPE_INT, -9000000000LL);
	p[2].type = ORMC_TYPE_FLOAT;
	p[2].f = 4.5e-7;
	p[3] = text_param(ORMC_TYPE_DECIMAL, "-9.99xx");   /* len bytes only */
	p[3].len = 5;
	p[4] = text_param(ORMC_TYPE_TEXT, "Django Unleashed");
	p[5] = int_param(ORMC_TYPE_BOOL, 7);               /* any nonzero: 1 */
	p[6] = text_param(ORMC_TYPE_DATE, "2007-12-06");
	p[7] = text_param(ORMC_TYPE_DATETIME, "2026-11-21 10:00:00.000250");
	p[8] = text_param(ORMC_TYPE_TIME, "10:30:00.5");
	p[9] = int_param(ORMC_TYPE_DURATION, 7200000000LL);
	p[10] = text_param(ORMC_TYPE_DECIMAL, "18446744073709551615");
	p[11].type = ORMC_TYPE_FLOAT;
	p[11].f = 0.1;
	rc = ormc_db_exec(db, "INSERT INTO types VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
	                  "?, ?, ?, ?, 2024, x'00410042', "
	                  "'2026-01-02 03:04:05.678', -5, 127, -8388608)",
	                  p, 12, &err);
	ck_assert_msg(rc == ORMC_OK, "%s", err.message);

	rc = ormc_db_query(db, "SELECT n, i, f, d, s, b, dt, ts, tm, du, ub, sf, "
	                   "y, bl, tsz, si, ti, mi, ts AS `ts again`, "
	                   "CAST(ts AS DATE) AS `day` FROM types",
	                   NULL, 0, &cur, &err);
	ck_assert_msg(rc == ORMC_OK, "%s", err.message);
	ck_assert_ptr_nonnull(cur);
	ck_assert_int_eq(cur->ncols, 20);
	ck_assert_str_eq(drv(db)->column_name(cur, 1), "i");
	ck_assert_str_eq(drv(db)->column_name(cur, 18), "ts again");
	ck_assert_ptr_null(drv(db)->column_name(cur, 20));
	ck_assert_ptr_null(drv(db)->column_name(cur, -1));
	ck_assert_int_eq(drv(db)->next(cur, &row, &err), 1);
	ck_assert_int_eq(row[0].type, ORMC_TYPE_NULL);
	ck_assert_int_eq(row[1].type, ORMC_TYPE_INT);
	ck_assert(row[1].i == -9000000000LL);
	ck_assert_int_eq(row[2].type, ORMC_TYPE_FLOAT);
	ck_assert(row[2].f == 4.5e-7);
	text_is(&row[3], ORMC_TYPE_DECIMAL, "-9.99");
	text_is(&row[4], ORMC_TYPE_TEXT, "Django Unleashed");
	/* bool is tinyint(1): an INT, the core makes it a bool */
	ck_assert_int_eq(row[5].type, ORMC_TYPE_INT);
	ck_assert_int_eq(row[5].i, 1);
	text_is(&row[6], ORMC_TYPE_DATE, "2007-12-06");
	text_is(&row[7], ORMC_TYPE_DATETIME, "2026-11-21 10:00:00.000250");
	text_is(&row[8], ORMC_TYPE_TIME, "10:30:00.500000");
	ck_assert_int_eq(row[9].type, ORMC_TYPE_INT);
	ck_assert(row[9].i == 7200000000LL);
	/* beyond INT64_MAX: exact text */
	text_is(&row[10], ORMC_TYPE_DECIMAL, "18446744073709551615");
	/* single precision: the decimal the server would print */
	ck_assert_int_eq(row[11].type, ORMC_TYPE_FLOAT);
	ck_assert(row[11].f == 0.1);
	ck_assert_int_eq(row[12].type, ORMC_TYPE_INT);
	ck_assert_int_eq(row[12].i, 2024);
	ck_assert_int_eq(row[13].type, ORMC_TYPE_TEXT);
	ck_assert_int_eq((int)row[13].len, 4);
	ck_assert(memcmp(row[13].s, "\0A\0B", 4) == 0);
	text_is(&row[14], ORMC_TYPE_DATETIME, "2026-01-02 03:04:05.678000");
	ck_assert_int_eq(row[15].i, -5);
	ck_assert_int_eq(row[16].i, 127);
	ck_assert_int_eq(row[17].type, ORMC_TYPE_INT);
	ck_assert_int_eq(row[17].i, -8388608);
	text_is(&row[18], ORMC_TYPE_DATETIME, "2026-11-21 10:00:00.000250");
	text_is(&row[19], ORMC_TYPE_DATE, "2026-11-21");
	ck_assert_int_eq(drv(db)->next(cur, &row, &err), 0);
	ck_assert_int_eq(drv(db)->next(cur, &row, &err), 0);
	drv(db)->close_cursor(cur);
	ormc_disconnect(db);
}
END_TEST

/* Each parameter type alone in a SELECT comes back as itself. */
START_TEST(test_param_roundtrip)
{
	ormc_db *db = open_db();
	ormc_value p, v;
	char buf[128];

	p = int_param(ORMC_TYPE_INT, INT64_MIN);
	one_cell(db, "SELECT ?", &p, 1, &v, buf, sizeof(buf));
	ck_assert_int_eq(v.type, ORMC_TYPE_INT);
	ck_assert(v.i == INT64_MIN);
	p = int_param(ORMC_TYPE_INT, INT64_MAX);
	one_cell(db, "SELECT ?", &p, 1, &v, buf, sizeof(buf));
	ck_assert(v.i == INT64_MAX);
	p = int_param(ORMC_TYPE_BOOL, 1);
	one_cell(db, "SELECT ? AND TRUE", &p, 1, &v, buf, sizeof(buf));
	ck_assert_int_eq(v.type, ORMC_TYPE_INT);
	ck_assert_int_eq(v.i, 1);
	p = int_param(ORMC_TYPE_DURATION, -86400000000LL);
	one_cell(db, "SELECT ?", &p, 1, &v, buf, sizeof(buf));
	ck_assert_int_eq(v.type, ORMC_TYPE_INT);
	ck_assert(v.i == -86400000000LL);
	memset(&p, 0, sizeof(p));
	p.type = ORMC_TYPE_FLOAT;
	p.f = 1.0 / 3.0;
	one_cell(db, "SELECT ?", &p, 1, &v, buf, sizeof(buf));
	ck_assert_int_eq(v.type, ORMC_TYPE_FLOAT);
	ck_assert(v.f == 1.0 / 3.0);
	p = text_param(ORMC_TYPE_DECIMAL, "12345678901234567890.123456789");
	one_cell(db, "SELECT ? + 0", &p, 1, &v, buf, sizeof(buf));
	text_is(&v, ORMC_TYPE_DECIMAL, "12345678901234567890.123456789");
	p = text_param(ORMC_TYPE_DATE, "2024-02-29");
	one_cell(db, "SELECT CAST(? AS DATE) + INTERVAL 1 DAY", &p, 1, &v, buf,
	         sizeof(buf));
	text_is(&v, ORMC_TYPE_DATE, "2024-03-01");
	p = text_param(ORMC_TYPE_DATETIME, "2024-12-31 23:59:59.999999");
	one_cell(db, "SELECT CAST(? AS DATETIME(6))", &p, 1, &v, buf, sizeof(buf));
	text_is(&v, ORMC_TYPE_DATETIME, "2024-12-31 23:59:59.999999");
	p = text_param(ORMC_TYPE_TIME, "-838:59:59");
	one_cell(db, "SELECT CAST(? AS TIME)", &p, 1, &v, buf, sizeof(buf));
	text_is(&v, ORMC_TYPE_TIME, "-838:59:59");
	p = text_param(ORMC_TYPE_TEXT, "");
	one_cell(db, "SELECT ?", &p, 1, &v, buf, sizeof(buf));
	text_is(&v, ORMC_TYPE_TEXT, "");
	memset(&p, 0, sizeof(p));
	p.type = ORMC_TYPE_TEXT;     /* a NULL pointer of length 0 is "" */
	one_cell(db, "SELECT CHAR_LENGTH(?)", &p, 1, &v, buf, sizeof(buf));
	ck_assert_int_eq(v.type, ORMC_TYPE_INT);
	ck_assert_int_eq(v.i, 0);
	memset(&p, 0, sizeof(p));
	p.type = ORMC_TYPE_NULL;
	one_cell(db, "SELECT ?", &p, 1, &v, buf, sizeof(buf));
	ck_assert_int_eq(v.type, ORMC_TYPE_NULL);
	one_cell(db, "SELECT NULL", NULL, 0, &v, buf, sizeof(buf));
	ck_assert_int_eq(v.type, ORMC_TYPE_NULL);
	one_cell(db, "SELECT 18446744073709551615", NULL, 0, &v, buf, sizeof(buf));
	text_is(&v, ORMC_TYPE_DECIMAL, "18446744073709551615");
	one_cell(db, "SELECT CAST(9223372036854775807 AS UNSIGNED)", NULL, 0, &v,
	         buf, sizeof(buf));
	ck_assert_int_eq(v.type, ORMC_TYPE_INT);
	ck_assert(v.i == INT64_MAX);
	one_cell(db, "SELECT 2.50 * 2", NULL, 0, &v, buf, sizeof(buf));
	text_is(&v, ORMC_TYPE_DECIMAL, "5.00");
	one_cell(db, "SELECT AVG(x) FROM (SELECT 1 AS x UNION ALL SELECT 2) t",
	         NULL, 0, &v, buf, sizeof(buf));
	text_is(&v, ORMC_TYPE_DECIMAL, "1.5000");
	ormc_disconnect(db);
}
END_TEST

START_TEST(test_zero_dates)
{
	ormc_db *db = open_db();
	ormc_cursor *cur;
	const ormc_value *row;
	ormc_error err;

	/* as mysqlclient gives Django: a zero date is None */
	tb_exec(db, "SET SESSION sql_mode = 'ONLY_FULL_GROUP_BY'");
	ck_assert_int_eq(ormc_db_query(db, "SELECT DATE '0000-00-00', "
	                               "CAST('2020-00-00' AS DATE), "
	                               "CAST('0000-00-00 00:00:00' AS DATETIME), "
	                               "TIME '00:00:00'", NULL, 0, &cur, &err),
	                 ORMC_OK);
	ck_assert_int_eq(drv(db)->next(cur, &row, &err), 1);
	ck_assert_int_eq(row[0].type, ORMC_TYPE_NULL);
	ck_assert_int_eq(row[1].type, ORMC_TYPE_NULL);
	ck_assert_int_eq(row[2].type, ORMC_TYPE_NULL);
	text_is(&row[3], ORMC_TYPE_TIME, "00:00:00");
	drv(db)->close_cursor(cur);
	ormc_disconnect(db);
}
END_TEST

START_TEST(test_text_roundtrip)
{
	static const char nasty[] =
		"it's \"quoted\" \\ back\\\\slash \\' \\0 %_ \xF0\x9F\xA6\x84 "
		"\xC3\xBC\xC3\xB1\xC3\xAF\xC3\xA7\xC3\xB8" "d\xC3\xA9 \t\n\r end";
	ormc_db *db = open_db();
	ormc_value p[2], v;
	char buf[256];
	ormc_error err;

	tb_exec(db, "CREATE TABLE txt (id integer PRIMARY KEY, s varchar(100)) "
	            "DEFAULT CHARSET=utf8mb4");
	p[0] = int_param(ORMC_TYPE_INT, 1);
	p[1] = text_param(ORMC_TYPE_TEXT, nasty);
	ck_assert_int_eq(ormc_db_exec(db, "INSERT INTO txt VALUES (?, ?)", p, 2,
	                              &err), ORMC_OK);
	p[0] = int_param(ORMC_TYPE_INT, 2);
	p[1] = text_param(ORMC_TYPE_TEXT, "a_b");
	ck_assert_int_eq(ormc_db_exec(db, "INSERT INTO txt VALUES (?, ?)", p, 2,
	                              &err), ORMC_OK);
	p[0] = int_param(ORMC_TYPE_INT, 3);
	p[1] = text_param(ORMC_TYPE_TEXT, "axb");
	ck_assert_int_eq(ormc_db_exec(db, "INSERT INTO txt VALUES (?, ?)", p, 2,
	                              &err), ORMC_OK);

	one_cell(db, "SELECT s FROM txt WHERE id = 1", NULL, 0, &v, buf,
	         sizeof(buf));
	text_is(&v, ORMC_TYPE_TEXT, nasty);
	/* the emoji is one character of four bytes, stored as such */
	ck_assert_int_eq(scalar(db, "SELECT CHAR_LENGTH(s) FROM txt WHERE id = 1"),
	                 utf8_chars(nasty));
	ck_assert_int_eq(scalar(db, "SELECT LENGTH(s) FROM txt WHERE id = 1"),
	                 (long long)strlen(nasty));
	/* found by equality with a parameter */
	p[0] = text_param(ORMC_TYPE_TEXT, nasty);
	one_cell(db, "SELECT id FROM txt WHERE s = ?", p, 1, &v, buf, sizeof(buf));
	ck_assert_int_eq(v.i, 1);
	/*
	 * LIKE patterns as the dialect writes them: \ % _ escaped with a
	 * backslash and no ESCAPE clause (so NO_BACKSLASH_ESCAPES must be off)
	 */
	p[0] = text_param(ORMC_TYPE_TEXT, "a\\_b");
	one_cell(db, "SELECT COUNT(*) FROM txt WHERE s LIKE BINARY ?", p, 1, &v,
	         buf, sizeof(buf));
	ck_assert_int_eq(v.i, 1);
	p[0] = text_param(ORMC_TYPE_TEXT, "%back\\\\\\\\slash%");
	one_cell(db, "SELECT id FROM txt WHERE s LIKE ?", p, 1, &v, buf,
	         sizeof(buf));
	ck_assert_int_eq(v.i, 1);
	p[0] = text_param(ORMC_TYPE_TEXT, "%\\%\\_%");
	one_cell(db, "SELECT id FROM txt WHERE s LIKE ?", p, 1, &v, buf,
	         sizeof(buf));
	ck_assert_int_eq(v.i, 1);
	ormc_disconnect(db);
}
END_TEST

START_TEST(test_long_text)
{
	ormc_db *db = open_db();
	ormc_cursor *cur;
	const ormc_value *row;
	ormc_value p[2];
	ormc_error err;
	size_t n = 300000, i;
	char *big = malloc(n + 1);
	int id;

	ck_assert_ptr_nonnull(big);
	for (i = 0; i < n; i++)
		big[i] = (char)('a' + i % 26);
	memcpy(big + 1000, "\xF0\x9F\xA6\x84", 4);
	big[n] = '\0';
	tb_exec(db, "CREATE TABLE big (id integer PRIMARY KEY, t longtext, "
	            "v varchar(10))");
	for (id = 1; id <= 4; id++) {
		p[0] = int_param(ORMC_TYPE_INT, id);
		/* long, short, longer, short */
		p[1] = text_param(ORMC_TYPE_TEXT, big);
		p[1].len = id == 1 ? 5000 : id == 3 ? n : 3;
		ck_assert_int_eq(ormc_db_exec(db, "INSERT INTO big VALUES (?, ?, 'v')",
		                              p, 2, &err), ORMC_OK);
	}
	ck_assert_int_eq(ormc_db_query(db, "SELECT id, t, v, REPEAT(t, 2) AS tt "
	                               "FROM big ORDER BY id", NULL, 0, &cur,
	                               &err), ORMC_OK);
	for (id = 1; id <= 4; id++) {
		size_t len = id == 1 ? 5000 : id == 3 ? n : 3;

		ck_assert_int_eq(drv(db)->next(cur, &row, &err), 1);
		ck_assert_int_eq(row[0].i, id);
		ck_assert_int_eq(row[1].type, ORMC_TYPE_TEXT);
		ck_assert_uint_eq(row[1].len, len);
		ck_assert(memcmp(row[1].s, big, len) == 0);
		text_is(&row[2], ORMC_TYPE_TEXT, "v");
		ck_assert_uint_eq(row[3].len, 2 * len);
		ck_assert(memcmp(row[3].s, big, len) == 0);
		ck_assert(memcmp(row[3].s + len, big, len) == 0);
	}
	ck_assert_int_eq(drv(db)->next(cur, &row, &err), 0);
	drv(db)->close_cursor(cur);
	/* a long decimal */
	{
		ormc_value v;
		char buf[128];

		one_cell(db, "SELECT CAST(-1 AS DECIMAL(65, 30)) / 3", NULL, 0, &v,
		         buf, sizeof(buf));
		ck_assert_int_eq(v.type, ORMC_TYPE_DECIMAL);
		ck_assert_msg(strncmp(buf, "-0.3333333333333333333333333333333",
		                      34) == 0, "%s", buf);
	}
	free(big);
	ormc_disconnect(db);
}
END_TEST

/* ---- errors ------------------------------------------------------------- */

START_TEST(test_errors)
{
	ormc_db *db = open_db();
	ormc_cursor *cur = (ormc_cursor *)1;
	ormc_value p[2];
	ormc_error err;

	ck_assert_int_eq(ormc_db_exec(db, "SELEC 1", NULL, 0, &err), ORMC_EDRIVER);
	ck_assert_int_eq(err.code, ORMC_EDRIVER);
	ck_assert_str_eq(err.sqlstate, "42000");
	ck_assert_msg(strstr(err.message, "SQL syntax") != NULL, "%s",
	              err.message);
	ck_assert_int_eq(ormc_db_query(db, "SELECT * FROM missing", NULL, 0, &cur,
	                               &err), ORMC_EDRIVER);
	ck_assert_ptr_null(cur);
	ck_assert_str_eq(err.sqlstate, "42S02");
	ck_assert_msg(strstr(err.message, "missing") != NULL, "%s", err.message);

	tb_exec(db, "CREATE TABLE uq (x integer UNIQUE)");
	p[0] = int_param(ORMC_TYPE_INT, 1);
	ck_assert_int_eq(ormc_db_exec(db, "INSERT INTO uq VALUES (?)", p, 1, &err),
	                 ORMC_OK);
	ck_assert_int_eq(ormc_db_exec(db, "INSERT INTO uq VALUES (?)", p, 1, &err),
	                 ORMC_EDRIVER);
	ck_assert_str_eq(err.sqlstate, "23000");
	ck_assert_msg(strstr(err.message, "Duplicate entry '1'") != NULL, "%s",
	              err.message);
	ck_assert_int_eq(ormc_db_exec(db, "INSERT INTO uq VALUES (?)", p, 2, &err),
	                 ORMC_EDRIVER);
	ck_assert_str_eq(err.message, "statement has 1 parameters, 2 given");
	ck_assert_int_eq(ormc_db_exec(db, "INSERT INTO uq VALUES (?)", NULL, 0,
	                              &err), ORMC_EDRIVER);
	p[0].type = (ormc_type)99;
	ck_assert_int_eq(ormc_db_exec(db, "INSERT INTO uq VALUES (?)", p, 1, &err),
	                 ORMC_EDRIVER);
	ck_assert_msg(strstr(err.message, "cannot bind parameter 1") != NULL,
	              "%s", err.message);
	/* strict mode: a value that does not fit */
	p[0] = int_param(ORMC_TYPE_INT, 1LL << 40);
	ck_assert_int_eq(ormc_db_exec(db, "INSERT INTO uq VALUES (?)", p, 1, &err),
	                 ORMC_EDRIVER);
	ck_assert_str_eq(err.sqlstate, "22003");
	/* an error while the rows come */
	ck_assert_int_eq(ormc_db_query(db, "SELECT 1 FROM uq WHERE x = "
	                               "(SELECT 1 UNION ALL SELECT 2)", NULL, 0,
	                               &cur, &err), ORMC_EDRIVER);
	ck_assert_str_eq(err.sqlstate, "21000");
	/* an error the server sends in the middle of the rows keeps its message */
	tb_exec(db, "INSERT INTO uq VALUES (2)");
	{
		const ormc_value *row;
		int rc = ormc_db_query(db, "SELECT x, (SELECT x FROM uq AS u2 WHERE u2.x >= uq.x) "
		                       "FROM uq ORDER BY x DESC", NULL, 0, &cur, &err);

		if (rc == ORMC_OK)
			while ((rc = drv(db)->next(cur, &row, &err)) == 1)
				;
		ck_assert_int_eq(rc, ORMC_EDRIVER);
		ck_assert_str_eq(err.sqlstate, "21000");
		ck_assert_msg(strstr(err.message, "more than 1 row") != NULL, "'%s'", err.message);
		if (cur != NULL)
			drv(db)->close_cursor(cur);
	}
	tb_exec(db, "DELETE FROM uq WHERE x = 2");
	/* the connection is still good */
	ck_assert_int_eq(scalar(db, "SELECT COUNT(*) FROM uq"), 1);
	ormc_disconnect(db);
}
END_TEST

/* ---- streaming ---------------------------------------------------------- */

static void
fill_numbers(ormc_db *db)
{
	int i;

	/* 2^17 = 131072 rows by doubling (n has gaps: auto-increment
	 * values are reserved in batches) */
	tb_exec(db, "CREATE TABLE nums (n integer AUTO_INCREMENT PRIMARY KEY, "
	            "s varchar(20))");
	tb_exec(db, "INSERT INTO nums (s) VALUES ('row')");
	for (i = 0; i < 17; i++)
		tb_exec(db, "INSERT INTO nums (s) SELECT s FROM nums");
}

START_TEST(test_stream_rows)
{
	ormc_db *db = open_db();
	ormc_cursor *cur, *other;
	const ormc_value *row;
	ormc_error err;
	long long sum = 0, last = 0;
	int n = 0, rc;

	fill_numbers(db);
	ck_assert_int_eq(scalar(db, "SELECT COUNT(*) FROM nums"), 131072);
	ck_assert_int_eq(ormc_db_query(db, "SELECT n, s, n * 2 AS twice FROM nums "
	                               "ORDER BY n LIMIT 100000", NULL, 0, &cur,
	                               &err), ORMC_OK);
	ck_assert_int_eq(cur->ncols, 3);
	while ((rc = drv(db)->next(cur, &row, &err)) > 0) {
		ck_assert(row[0].i > last);
		ck_assert(row[2].i == 2 * row[0].i);
		ck_assert_uint_eq(row[1].len, 3);
		last = row[0].i;
		sum += row[0].i;
		n++;
	}
	ck_assert_int_eq(rc, 0);
	ck_assert_int_eq(n, 100000);
	/* past the end, the connection is free before the cursor is closed */
	ck_assert_int_eq(scalar(db, "SELECT 7"), 7);
	drv(db)->close_cursor(cur);
	ck_assert(sum > 0);

	/* closed half way: the connection is usable */
	ck_assert_int_eq(ormc_db_query(db, "SELECT n, s FROM nums ORDER BY n",
	                               NULL, 0, &cur, &err), ORMC_OK);
	for (n = 0; n < 50000; n++)
		ck_assert_int_eq(drv(db)->next(cur, &row, &err), 1);
	last = row[0].i;
	/* while rows are pending, another statement is refused clearly */
	ck_assert_int_eq(ormc_db_query(db, "SELECT 1", NULL, 0, &other, &err),
	                 ORMC_EDRIVER);
	ck_assert_msg(strstr(err.message, "still being read") != NULL, "%s",
	              err.message);
	ck_assert_int_eq(ormc_db_begin(db, &err), ORMC_EDRIVER);
	ck_assert_int_eq(drv(db)->next(cur, &row, &err), 1);
	ck_assert(row[0].i > last);
	drv(db)->close_cursor(cur);
	ck_assert_int_eq(scalar(db, "SELECT COUNT(*) FROM nums"), 131072);

	/* an empty result still has columns */
	ck_assert_int_eq(ormc_db_query(db, "SELECT n, s AS t FROM nums WHERE n < 0",
	                               NULL, 0, &cur, &err), ORMC_OK);
	ck_assert_ptr_nonnull(cur);
	ck_assert_int_eq(cur->ncols, 2);
	ck_assert_str_eq(drv(db)->column_name(cur, 1), "t");
	ck_assert_int_eq(drv(db)->next(cur, &row, &err), 0);
	drv(db)->close_cursor(cur);
	/* exec of a query runs it and drops the rows */
	tb_exec(db, "SELECT * FROM nums");

	/* a cursor left open when the connection goes */
	ck_assert_int_eq(ormc_db_query(db, "SELECT n FROM nums", NULL, 0, &cur,
	                               &err), ORMC_OK);
	ck_assert_int_eq(drv(db)->next(cur, &row, &err), 1);
	{
		const ormc_driver *d = drv(db);

		ormc_disconnect(db);
		ck_assert_int_eq(d->next(cur, &row, &err), 0);
		d->close_cursor(cur);
	}
}
END_TEST

/* ---- statements without rows, fallback, transactions ------------------- */

START_TEST(test_no_cursor)
{
	ormc_db *db = open_db();
	ormc_cursor *cur = (ormc_cursor *)1;
	ormc_value v;
	char buf[64];
	ormc_error err;

	ck_assert_int_eq(ormc_db_query(db, "CREATE TABLE nc (x integer)", NULL, 0,
	                               &cur, &err), ORMC_OK);
	ck_assert_ptr_null(cur);
	cur = (ormc_cursor *)1;
	ck_assert_int_eq(ormc_db_query(db, "INSERT INTO nc VALUES (1), (2)", NULL,
	                               0, &cur, &err), ORMC_OK);
	ck_assert_ptr_null(cur);
	ck_assert_int_eq(ormc_db_query(db, "SET @ormc_x = 5", NULL, 0, &cur, &err),
	                 ORMC_OK);
	ck_assert_ptr_null(cur);
	ck_assert_int_eq(scalar(db, "SELECT @ormc_x"), 5);
	ck_assert_int_eq(ormc_db_query(db, "DELETE FROM nc WHERE x = 2", NULL, 0,
	                               &cur, &err), ORMC_OK);
	ck_assert_ptr_null(cur);
	ck_assert_int_eq(scalar(db, "SELECT COUNT(*) FROM nc"), 1);
	tb_exec(db, "INSERT INTO nc VALUES (9)");
	ck_assert_int_eq(scalar(db, "SELECT LAST_INSERT_ID() >= 0"), 1);

	/*
	 * Statements the server will not prepare (ER_UNSUPPORTED_PS) go
	 * through the text protocol; their rows too.
	 */
	tb_exec(db, "PREPARE ormc_s FROM 'SELECT x, x * 1.5 AS y, ''t'' AS t, "
	            "CAST(''2020-01-02'' AS DATE) AS d, NULL AS z, "
	            "18446744073709551615 AS u, 0.5e0 AS f FROM nc ORDER BY x'");
	ck_assert_int_eq(ormc_db_query(db, "EXECUTE ormc_s", NULL, 0, &cur, &err),
	                 ORMC_OK);
	ck_assert_ptr_nonnull(cur);
	ck_assert_int_eq(cur->ncols, 7);
	ck_assert_str_eq(drv(db)->column_name(cur, 1), "y");
	{
		const ormc_value *row;

		ck_assert_int_eq(drv(db)->next(cur, &row, &err), 1);
		ck_assert_int_eq(row[0].type, ORMC_TYPE_INT);
		ck_assert_int_eq(row[0].i, 1);
		text_is(&row[1], ORMC_TYPE_DECIMAL, "1.5");
		text_is(&row[2], ORMC_TYPE_TEXT, "t");
		text_is(&row[3], ORMC_TYPE_DATE, "2020-01-02");
		ck_assert_int_eq(row[4].type, ORMC_TYPE_NULL);
		text_is(&row[5], ORMC_TYPE_DECIMAL, "18446744073709551615");
		ck_assert_int_eq(row[6].type, ORMC_TYPE_FLOAT);
		ck_assert(row[6].f == 0.5);
		ck_assert_int_eq(drv(db)->next(cur, &row, &err), 1);
		ck_assert_int_eq(row[0].i, 9);
		/* busy meanwhile */
		ck_assert_int_eq(ormc_db_exec(db, "SELECT 1", NULL, 0, &err),
		                 ORMC_EDRIVER);
		ck_assert_int_eq(drv(db)->next(cur, &row, &err), 0);
	}
	drv(db)->close_cursor(cur);
	/* closed early */
	ck_assert_int_eq(ormc_db_query(db, "EXECUTE ormc_s", NULL, 0, &cur, &err),
	                 ORMC_OK);
	drv(db)->close_cursor(cur);
	tb_exec(db, "DEALLOCATE PREPARE ormc_s");
	ck_assert_int_eq(ormc_db_exec(db, "EXECUTE ormc_s", NULL, 0, &err),
	                 ORMC_EDRIVER);
	ck_assert_int_ne(err.sqlstate[0], '\0');
	one_cell(db, "SELECT 'still fine'", NULL, 0, &v, buf, sizeof(buf));
	ck_assert_str_eq(buf, "still fine");
	ormc_disconnect(db);
}
END_TEST

START_TEST(test_transactions)
{
	ormc_db *db = open_db();
	ormc_error err;

	tb_exec(db, "CREATE TABLE tx (x integer) ENGINE=InnoDB");
	ck_assert_int_eq(ormc_db_begin(db, &err), ORMC_OK);
	tb_exec(db, "INSERT INTO tx VALUES (1)");
	ck_assert_int_eq(scalar(db, "SELECT COUNT(*) FROM tx"), 1);
	ck_assert_int_eq(ormc_db_rollback(db, &err), ORMC_OK);
	ck_assert_int_eq(scalar(db, "SELECT COUNT(*) FROM tx"), 0);
	ck_assert_int_eq(ormc_db_begin(db, &err), ORMC_OK);
	tb_exec(db, "INSERT INTO tx VALUES (1)");
	ck_assert_int_eq(ormc_db_commit(db, &err), ORMC_OK);
	ck_assert_int_eq(scalar(db, "SELECT COUNT(*) FROM tx"), 1);
	/* the statements themselves, through execute */
	tb_exec(db, "BEGIN");
	tb_exec(db, "INSERT INTO tx VALUES (2)");
	tb_exec(db, "ROLLBACK");
	ck_assert_int_eq(scalar(db, "SELECT COUNT(*) FROM tx"), 1);
	tb_exec(db, "START TRANSACTION");
	tb_exec(db, "INSERT INTO tx VALUES (3)");
	tb_exec(db, "COMMIT");
	ck_assert_int_eq(scalar(db, "SELECT CAST(SUM(x) AS SIGNED) FROM tx"), 4);
	ormc_disconnect(db);
}
END_TEST

/* ---- the core on MySQL: migrate, load, query ------------------------------ */

START_TEST(test_bookstore)
{
	ormc_schema *s = NULL;
	ormc_db *db = open_db();
	ormc_query *q = NULL;
	ormc_result *r = NULL;
	const ormc_value *row;
	char *json;
	FILE *f;
	long n;
	ormc_error err;
	int rc, rows = 0;

	rc = ormc_schema_load(&s, ORMC_SOURCE_DIR "/examples/bookstore/models.py",
	                      NULL, &err);
	ck_assert_msg(rc == ORMC_OK, "%s", err.message);
	f = fopen(ORMC_SOURCE_DIR "/examples/bookstore/fixture.json", "rb");
	ck_assert_ptr_nonnull(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	json = malloc((size_t)n);
	ck_assert_ptr_nonnull(json);
	ck_assert_int_eq((long)fread(json, 1, (size_t)n, f), n);
	fclose(f);
	rc = ormc_migrate(db, s, &err);
	ck_assert_msg(rc == ORMC_OK, "migrate: %s", err.message);
	rc = ormc_fixture_load(db, s, json, (size_t)n, &err);
	ck_assert_msg(rc == ORMC_OK, "load: %s", err.message);
	free(json);

	rc = ormc_query_parse(&q, s, "Book.objects.filter(name__contains=\"Django\")"
	                      ".values(\"name\", \"price\", \"pubdate\")"
	                      ".order_by(\"pubdate\")", (size_t)-1, &err);
	ck_assert_msg(rc == ORMC_OK, "%s", err.message);
	rc = ormc_query_run(&r, db, q, &err);
	ck_assert_msg(rc == ORMC_OK, "%s", err.message);
	while ((rc = ormc_result_next(r, &row, &err)) > 0) {
		ck_assert_int_eq(row[1].type, ORMC_TYPE_DECIMAL);
		ck_assert_int_eq(row[2].type, ORMC_TYPE_DATE);
		rows++;
	}
	ck_assert_msg(rc == 0, "%s", err.message);
	ck_assert_int_gt(rows, 0);
	ormc_result_free(r);
	ormc_query_free(q);
	ormc_disconnect(db);
	ormc_schema_free(s);
}
END_TEST

/*
 * LOAD DATA LOCAL is allowed on every connection, for ormc copy
 * (drivers/mysql_load.c), but the driver sends no file: a statement that
 * names one is refused, and nothing is read or stored.
 */
START_TEST(test_no_local_file)
{
	ormc_db *db = open_db();
	ormc_cursor *cur = NULL;
	const ormc_value *row;
	ormc_error err;

	tb_exec(db, "CREATE TABLE lf (a text)");
	ck_assert_int_eq(ormc_db_exec(db, "LOAD DATA LOCAL INFILE '/etc/passwd' "
	                              "INTO TABLE lf", NULL, 0, &err), ORMC_EDRIVER);
	ck_assert_msg(strstr(err.message, "ormc refuses the server's request for "
	                     "the local file '/etc/passwd'") != NULL, "%s",
	              err.message);
	ck_assert_int_eq(ormc_db_query(db, "SELECT COUNT(*) FROM lf", NULL, 0,
	                               &cur, &err), ORMC_OK);
	ck_assert_int_eq(drv(db)->next(cur, &row, &err), 1);
	ck_assert_int_eq(row[0].type, ORMC_TYPE_INT);
	ck_assert_int_eq(row[0].i, 0);
	drv(db)->close_cursor(cur);
	ormc_disconnect(db);
}
END_TEST

static Suite *
mysql_suite(void)
{
	Suite *s = suite_create("mysql");
	TCase *tc;

	tc = tcase_create("connect");
	tcase_add_test(tc, test_connect);
	tcase_add_test(tc, test_session);
	tcase_add_test(tc, test_connect_socket);
	tcase_add_test(tc, test_connect_errors);
	tcase_add_test(tc, test_url_forms);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	tc = tcase_create("values");
	tcase_add_test(tc, test_every_type);
	tcase_add_test(tc, test_param_roundtrip);
	tcase_add_test(tc, test_zero_dates);
	tcase_add_test(tc, test_text_roundtrip);
	tcase_add_test(tc, test_long_text);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	tc = tcase_create("execute");
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_stream_rows);
	tcase_add_test(tc, test_no_cursor);
	tcase_add_test(tc, test_transactions);
	tcase_add_test(tc, test_no_local_file);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);

	tc = tcase_create("core");
	tcase_add_test(tc, test_bookstore);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	char why[512];
	int failed;

	if (!tb_selected("mysql"))
		return TB_SKIP;
	if (tb_fresh_db("mysql", "ormc_check_my", url, sizeof(url), why,
	                sizeof(why)) < 0) {
		fprintf(stderr, "check_mysql: %s\n", why);
		return 1;
	}
	sr = srunner_create(mysql_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed != 0;
}
