/*
 * check_sqlite.c -- the SQLite driver, the driver registry and connection
 * API (core/db.c), DDL and migrate (core/ddl.c) and fixture loading
 * (core/fixture.c), on in-memory databases.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends.h"
#include "ddl.h"
#include "db.h"
#include "schema.h"
#include "types.h"
#include "ormc/ormc.h"
#include "ormc/sys/driver.h"

#ifndef ORMC_SOURCE_DIR
#define ORMC_SOURCE_DIR "."
#endif

/* ---- helpers ------------------------------------------------------------ */

static ormc_db *
open_memory(void)
{
	ormc_db *db = NULL;
	ormc_error err;
	int rc = ormc_connect(&db, "sqlite::memory:", &err);

	ck_assert_msg(rc == ORMC_OK, "connect: %s", err.message);
	ck_assert_ptr_nonnull(db);
	return db;
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
	ck_assert_int_eq(db->conn->driver->next(cur, &row, &err), 1);
	ck_assert_int_eq(row[0].type, ORMC_TYPE_INT);
	v = (long long)row[0].i;
	ck_assert_int_eq(db->conn->driver->next(cur, &row, &err), 0);
	db->conn->driver->close_cursor(cur);
	return v;
}

static char *
read_text(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	ck_assert_msg(f != NULL, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_int_eq((long)fread(buf, 1, (size_t)n, f), n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static ormc_schema *
parse_models(const char *text)
{
	ormc_schema *s = NULL;
	ormc_error err;
	int rc = ormc_schema_parse(&s, text, strlen(text), NULL, &err);

	ck_assert_msg(rc == ORMC_OK, "models: %s", err.message);
	return s;
}

static ormc_schema *
bookstore(void)
{
	ormc_schema *s = NULL;
	ormc_error err;
	int rc = ormc_schema_load(&s, ORMC_SOURCE_DIR "/examples/bookstore/models.py",
	                          NULL, &err);

	ck_assert_msg(rc == ORMC_OK, "bookstore models: %s", err.message);
	return s;
}

static int
load_fixture(ormc_db *db, const ormc_schema *s, const char *json,
             ormc_error *err)
{
	return ormc_fixture_load(db, s, json, strlen(json), err);
}

/* ---- connect ------------------------------------------------------------ */

START_TEST(test_connect_memory)
{
	ormc_db *db = open_memory();

	ck_assert_str_eq(ormc_db_dialect(db), "sqlite");
	ck_assert_ptr_nonnull(db->dialect);
	ck_assert_int_ge(db->server_version, 30000);
	ck_assert_int_lt(db->server_version, 100000);
	ormc_disconnect(db);
	ormc_disconnect(NULL);
}
END_TEST

START_TEST(test_connect_file)
{
	const char *path = "check_sqlite_test.db";
	ormc_db *db = NULL;
	ormc_error err;

	remove(path);
	ck_assert_int_eq(ormc_connect(&db, "sqlite:check_sqlite_test.db", &err),
	                 ORMC_OK);
	tb_exec(db, "CREATE TABLE t (x integer)");
	tb_exec(db, "INSERT INTO t VALUES (7)");
	ormc_disconnect(db);
	ck_assert_int_eq(ormc_connect(&db, "sqlite:check_sqlite_test.db", &err),
	                 ORMC_OK);
	ck_assert_int_eq(scalar(db, "SELECT x FROM t"), 7);
	ormc_disconnect(db);
	remove(path);
}
END_TEST

START_TEST(test_connect_errors)
{
	ormc_db *db = (ormc_db *)1;
	ormc_error err;

	ck_assert_int_eq(ormc_connect(&db, "nosuch://x", &err), ORMC_ENODRIVER);
	ck_assert_ptr_null(db);
	ck_assert_int_eq(err.code, ORMC_ENODRIVER);
	ck_assert_msg(strstr(err.message, "no driver for URL scheme 'nosuch' "
	                     "(available: ") != NULL, "%s", err.message);
	ck_assert_msg(strstr(err.message, "sqlite") != NULL, "%s", err.message);

	ck_assert_int_eq(ormc_connect(&db, "books.db", &err), ORMC_ENODRIVER);
	ck_assert_msg(strstr(err.hint, "sqlite:books.db") != NULL, "%s", err.hint);

	ck_assert_int_eq(ormc_connect(&db, "sqlite:/nonexistent-dir/x/books.db",
	                              &err), ORMC_EDRIVER);
	ck_assert_msg(strstr(err.message, "directory \"/nonexistent-dir/x\" does "
	                     "not exist") != NULL, "%s", err.message);

	ck_assert_int_eq(ormc_connect(&db, "sqlite:", &err), ORMC_EDRIVER);
	/* scheme matching ignores case */
	ck_assert_int_eq(ormc_connect(&db, "SQLite::memory:", &err), ORMC_OK);
	ormc_disconnect(db);
}
END_TEST

/* ---- execute and stream ------------------------------------------------- */

START_TEST(test_bind_every_type)
{
	ormc_db *db = open_memory();
	ormc_value p[10];
	ormc_cursor *cur;
	const ormc_value *row;
	ormc_error err;
	int rc;

	tb_exec(db, "CREATE TABLE t (n integer, i integer, f real, d decimal, "
	            "s text, b bool, dt date, ts datetime, tm time, du bigint)");
	memset(p, 0, sizeof(p));
	p[0].type = ORMC_TYPE_NULL;
	p[1].type = ORMC_TYPE_INT;
	p[1].i = -9000000000LL;
	p[2].type = ORMC_TYPE_FLOAT;
	p[2].f = 4.5;
	p[3].type = ORMC_TYPE_DECIMAL;
	p[3].s = "9.99xx";          /* only len bytes are bound */
	p[3].len = 4;
	p[4].type = ORMC_TYPE_TEXT;
	p[4].s = "Django Unleashed";
	p[4].len = strlen(p[4].s);
	p[5].type = ORMC_TYPE_BOOL;
	p[5].i = 1;
	p[6].type = ORMC_TYPE_DATE;
	p[6].s = "2007-12-06";
	p[6].len = 10;
	p[7].type = ORMC_TYPE_DATETIME;
	p[7].s = "2026-11-21 10:00:00";
	p[7].len = 19;
	p[8].type = ORMC_TYPE_TIME;
	p[8].s = "10:30:00";
	p[8].len = 8;
	p[9].type = ORMC_TYPE_DURATION;
	p[9].i = 7200000000LL;
	rc = ormc_db_exec(db, "INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	                  p, 10, &err);
	ck_assert_msg(rc == ORMC_OK, "%s", err.message);

	rc = ormc_db_query(db, "SELECT n, i, f, d, s, b, dt, ts, tm, du, "
	                   "typeof(d), x'414243' AS blob FROM t", NULL, 0, &cur, &err);
	ck_assert_msg(rc == ORMC_OK, "%s", err.message);
	ck_assert_ptr_nonnull(cur);
	ck_assert_int_eq(cur->ncols, 12);
	ck_assert_str_eq(db->conn->driver->column_name(cur, 1), "i");
	ck_assert_str_eq(db->conn->driver->column_name(cur, 11), "blob");
	ck_assert_ptr_null(db->conn->driver->column_name(cur, 12));
	ck_assert_int_eq(db->conn->driver->next(cur, &row, &err), 1);
	ck_assert_int_eq(row[0].type, ORMC_TYPE_NULL);
	ck_assert_int_eq(row[1].type, ORMC_TYPE_INT);
	ck_assert(row[1].i == -9000000000LL);
	ck_assert_int_eq(row[2].type, ORMC_TYPE_FLOAT);
	ck_assert(row[2].f == 4.5);
	/* NUMERIC affinity turns the decimal text into a REAL, as with Django */
	ck_assert_int_eq(row[3].type, ORMC_TYPE_FLOAT);
	ck_assert(row[3].f == 9.99);
	ck_assert_int_eq(row[4].type, ORMC_TYPE_TEXT);
	ck_assert_int_eq((int)row[4].len, 16);
	ck_assert(memcmp(row[4].s, "Django Unleashed", 16) == 0);
	ck_assert_int_eq(row[5].type, ORMC_TYPE_INT);
	ck_assert_int_eq(row[5].i, 1);
	ck_assert_int_eq(row[6].type, ORMC_TYPE_TEXT);
	ck_assert(memcmp(row[6].s, "2007-12-06", 10) == 0);
	ck_assert(memcmp(row[7].s, "2026-11-21 10:00:00", 19) == 0);
	ck_assert(memcmp(row[8].s, "10:30:00", 8) == 0);
	ck_assert_int_eq(row[9].type, ORMC_TYPE_INT);
	ck_assert(row[9].i == 7200000000LL);
	ck_assert(memcmp(row[10].s, "real", 4) == 0);
	ck_assert_int_eq(row[11].type, ORMC_TYPE_TEXT);
	ck_assert_int_eq((int)row[11].len, 3);
	ck_assert(memcmp(row[11].s, "ABC", 3) == 0);
	ck_assert_int_eq(db->conn->driver->next(cur, &row, &err), 0);
	ck_assert_int_eq(db->conn->driver->next(cur, &row, &err), 0);
	db->conn->driver->close_cursor(cur);
	ormc_disconnect(db);
}
END_TEST

START_TEST(test_stream_rows)
{
	ormc_db *db = open_memory();
	ormc_cursor *cur;
	const ormc_value *row;
	ormc_value p;
	ormc_error err;
	int i, n = 0;
	long long sum = 0;

	tb_exec(db, "CREATE TABLE t (x integer)");
	ck_assert_int_eq(ormc_db_begin(db, &err), ORMC_OK);
	memset(&p, 0, sizeof(p));
	p.type = ORMC_TYPE_INT;
	for (i = 1; i <= 2000; i++) {
		p.i = i;
		ck_assert_int_eq(ormc_db_exec(db, "INSERT INTO t VALUES (?)", &p, 1,
		                              &err), ORMC_OK);
	}
	ck_assert_int_eq(ormc_db_commit(db, &err), ORMC_OK);
	ck_assert_int_eq(ormc_db_query(db, "SELECT x FROM t ORDER BY x", NULL, 0,
	                               &cur, &err), ORMC_OK);
	while (db->conn->driver->next(cur, &row, &err) > 0) {
		n++;
		sum += row[0].i;
	}
	db->conn->driver->close_cursor(cur);
	ck_assert_int_eq(n, 2000);
	ck_assert(sum == 2001000LL);

	/* an empty result still has columns */
	ck_assert_int_eq(ormc_db_query(db, "SELECT x, x AS y FROM t WHERE x < 0",
	                               NULL, 0, &cur, &err), ORMC_OK);
	ck_assert_ptr_nonnull(cur);
	ck_assert_int_eq(cur->ncols, 2);
	ck_assert_int_eq(db->conn->driver->next(cur, &row, &err), 0);
	db->conn->driver->close_cursor(cur);

	/* statements without rows give no cursor */
	ck_assert_int_eq(ormc_db_query(db, "DELETE FROM t WHERE x > 10", NULL, 0,
	                               &cur, &err), ORMC_OK);
	ck_assert_ptr_null(cur);
	ck_assert_int_eq(scalar(db, "SELECT COUNT(*) FROM t"), 10);
	/* several statements without rows in one text */
	tb_exec(db, "CREATE TABLE u (y integer); INSERT INTO u VALUES (1); "
	            "INSERT INTO u VALUES (2);");
	ck_assert_int_eq(scalar(db, "SELECT SUM(y) FROM u"), 3);
	/* exec of a query runs it and drops the rows */
	tb_exec(db, "SELECT * FROM t");
	ormc_disconnect(db);
}
END_TEST

START_TEST(test_errors)
{
	ormc_db *db = open_memory();
	ormc_cursor *cur;
	ormc_value p[2];
	ormc_error err;

	ck_assert_int_eq(ormc_db_exec(db, "SELEC 1", NULL, 0, &err), ORMC_EDRIVER);
	ck_assert_int_eq(err.code, ORMC_EDRIVER);
	ck_assert_msg(strstr(err.message, "syntax error") != NULL, "%s",
	              err.message);
	ck_assert_int_eq(ormc_db_query(db, "SELECT * FROM missing", NULL, 0, &cur,
	                               &err), ORMC_EDRIVER);
	ck_assert_str_eq(err.message, "no such table: missing");

	tb_exec(db, "CREATE TABLE t (x integer UNIQUE)");
	memset(p, 0, sizeof(p));
	p[0].type = ORMC_TYPE_INT;
	p[0].i = 1;
	ck_assert_int_eq(ormc_db_exec(db, "INSERT INTO t VALUES (?)", p, 1, &err),
	                 ORMC_OK);
	ck_assert_int_eq(ormc_db_exec(db, "INSERT INTO t VALUES (?)", p, 1, &err),
	                 ORMC_EDRIVER);
	ck_assert_msg(strstr(err.message, "UNIQUE constraint failed: t.x") != NULL,
	              "%s", err.message);
	ck_assert_int_eq(ormc_db_exec(db, "INSERT INTO t VALUES (?)", p, 2, &err),
	                 ORMC_EDRIVER);
	ck_assert_str_eq(err.message, "statement has 1 parameters, 2 given");
	ck_assert_int_eq(ormc_db_exec(db, "INSERT INTO t VALUES (?)", NULL, 0,
	                              &err), ORMC_EDRIVER);
	/* a failure while stepping */
	ck_assert_int_eq(ormc_db_query(db, "SELECT abs(-9223372036854775807 - 1)",
	                               NULL, 0, &cur, &err), ORMC_EDRIVER);
	ck_assert_str_eq(err.message, "integer overflow");
	ormc_disconnect(db);
}
END_TEST

START_TEST(test_transactions)
{
	ormc_db *db = open_memory();
	ormc_error err;

	tb_exec(db, "CREATE TABLE t (x integer)");
	ck_assert_int_eq(ormc_db_begin(db, &err), ORMC_OK);
	tb_exec(db, "INSERT INTO t VALUES (1)");
	ck_assert_int_eq(ormc_db_rollback(db, &err), ORMC_OK);
	ck_assert_int_eq(scalar(db, "SELECT COUNT(*) FROM t"), 0);
	ck_assert_int_eq(ormc_db_begin(db, &err), ORMC_OK);
	tb_exec(db, "INSERT INTO t VALUES (1)");
	ck_assert_int_eq(ormc_db_commit(db, &err), ORMC_OK);
	ck_assert_int_eq(scalar(db, "SELECT COUNT(*) FROM t"), 1);
	ck_assert_int_eq(ormc_db_commit(db, &err), ORMC_EDRIVER);
	ormc_disconnect(db);
}
END_TEST

/* ---- registry: a fake driver -------------------------------------------- */

typedef struct fake_conn {
	ormc_conn base;
	char log[512];
} fake_conn;

static int fake_disconnects;

static int
fake_connect(ormc_conn **out, const char *url, ormc_error *err)
{
	fake_conn *c;

	if (strcmp(url, "fake:fail") == 0) {
		ormc_error_clear(err);
		err->code = ORMC_EDRIVER;
		strcpy(err->message, "fake refused");
		return ORMC_EDRIVER;
	}
	c = calloc(1, sizeof(*c));
	*out = &c->base;
	return ORMC_OK;
}

static const char *
fake_dialect(ormc_conn *conn, int *version)
{
	(void)conn;
	*version = 150004;
	return "postgresql";
}

static int
fake_execute(ormc_conn *conn, const char *sql, const ormc_value *params,
             int nparams, ormc_cursor **out, ormc_error *err)
{
	fake_conn *c = (fake_conn *)conn;

	(void)params;
	(void)nparams;
	(void)err;
	*out = NULL;
	strncat(c->log, sql, sizeof(c->log) - strlen(c->log) - 2);
	strcat(c->log, ";");
	return ORMC_OK;
}

static int
fake_next(ormc_cursor *cur, const ormc_value **row, ormc_error *err)
{
	(void)cur;
	(void)row;
	(void)err;
	return 0;
}

static void
fake_close(ormc_cursor *cur)
{
	(void)cur;
}

static void
fake_disconnect(ormc_conn *conn)
{
	fake_disconnects++;
	free(conn);
}

static const ormc_driver fake_driver = {
	ORMC_DRIVER_VERSION, "fake", "fake, fk", NULL,
	fake_connect, fake_dialect, fake_execute, NULL, fake_next, fake_close,
	NULL, NULL, NULL, fake_disconnect, NULL, NULL, NULL, NULL, NULL, NULL,
};

START_TEST(test_register_driver)
{
	static const ormc_driver broken = { ORMC_DRIVER_VERSION, "broken", "b",
		NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
		NULL, NULL, NULL };
	ormc_db *db;
	ormc_error err;
	int before = ormc_driver_count();
	fake_conn *c;

	ck_assert_int_ge(before, 1);
	ck_assert_int_eq(ormc_driver_register(NULL), ORMC_EINVALID);
	ck_assert_int_eq(ormc_driver_register(&broken), ORMC_EINVALID);
	ck_assert_int_eq(ormc_driver_register(&fake_driver), ORMC_OK);
	ck_assert_int_eq(ormc_driver_register(&fake_driver), ORMC_OK);
	ck_assert_int_eq(ormc_driver_count(), before + 1);
	ck_assert_ptr_eq(ormc_driver_get(0), &fake_driver);
	ck_assert_str_eq(ormc_driver_get(1)->name, "sqlite");   /* the built-ins follow */
	ck_assert_ptr_nonnull(ormc_driver_get(before));
	ck_assert_ptr_null(ormc_driver_get(before + 1));
	ck_assert_ptr_null(ormc_driver_get(-1));

	ck_assert_int_eq(ormc_connect(&db, "fk:anything", &err), ORMC_OK);
	ck_assert_str_eq(ormc_db_dialect(db), "postgresql");
	ck_assert_int_eq(db->server_version, 150004);
	ck_assert_ptr_eq(db->conn->driver, &fake_driver);
	ck_assert_int_eq(ormc_db_begin(db, &err), ORMC_OK);
	ck_assert_int_eq(ormc_db_exec(db, "SELECT 1", NULL, 0, &err), ORMC_OK);
	ck_assert_int_eq(ormc_db_commit(db, &err), ORMC_OK);
	ck_assert_int_eq(ormc_db_rollback(db, &err), ORMC_OK);
	c = (fake_conn *)db->conn;
	ck_assert_str_eq(c->log, "BEGIN;SELECT 1;COMMIT;ROLLBACK;");
	ormc_disconnect(db);
	ck_assert_int_eq(fake_disconnects, 1);

	ck_assert_int_eq(ormc_connect(&db, "fake:fail", &err), ORMC_EDRIVER);
	ck_assert_str_eq(err.message, "fake refused");
	ck_assert_int_eq(ormc_connect(&db, "nosuch:x", &err), ORMC_ENODRIVER);
	ck_assert_msg(strstr(err.message, "(available: fake, fk, sqlite") != NULL,
	              "%s", err.message);
	/* sqlite still works next to it */
	db = open_memory();
	ormc_disconnect(db);
}
END_TEST

/* ---- DDL ------------------------------------------------------------------ */

static int
find_stmt(char **stmts, int n, const char *prefix)
{
	int i;

	for (i = 0; i < n; i++)
		if (strncmp(stmts[i], prefix, strlen(prefix)) == 0)
			return i;
	return -1;
}

START_TEST(test_ddl_bookstore)
{
	ormc_schema *s = bookstore();
	const ormc_dialect *d = ormc_dialect_find("sqlite");
	char **stmts;
	int n, book, pub, ba, sb, i;
	ormc_error err;

	ck_assert_ptr_nonnull(d);
	ck_assert_int_eq(ormc_ddl_build(s, d, &stmts, &n, &err), ORMC_OK);
	book = find_stmt(stmts, n, "CREATE TABLE \"book\" (");
	pub = find_stmt(stmts, n, "CREATE TABLE \"publisher\" (");
	ba = find_stmt(stmts, n, "CREATE TABLE \"book_authors\" (");
	sb = find_stmt(stmts, n, "CREATE TABLE \"store_books\" (");
	ck_assert_int_ge(pub, 0);
	ck_assert_int_gt(book, pub);
	ck_assert_int_gt(ba, book);
	ck_assert_int_gt(sb, book);
	ck_assert_msg(strstr(stmts[book], ", \"publisher_id\" ") != NULL &&
	              strstr(stmts[book], " NOT NULL REFERENCES \"publisher\" "
	                     "(\"id\")") != NULL, "%s", stmts[book]);
	ck_assert_msg(strstr(stmts[book], "\"id\" ") ==
	              stmts[book] + strlen("CREATE TABLE \"book\" ("), "%s",
	              stmts[book]);
	ck_assert_msg(strstr(stmts[ba], "UNIQUE (\"book_id\", \"author_id\")") !=
	              NULL, "%s", stmts[ba]);
	for (i = 0; i < n; i++)
		ck_assert_msg(stmts[i][strlen(stmts[i]) - 1] != ';', "%s", stmts[i]);
	ck_assert_int_ge(find_stmt(stmts, n, "CREATE INDEX \"book_publisher_id_idx\""),
	                 0);
	ormc_ddl_free(stmts, n);

	d = ormc_dialect_find("mysql");
	ck_assert_ptr_nonnull(d);
	ck_assert_int_eq(ormc_ddl_build(s, d, &stmts, &n, &err), ORMC_OK);
	book = find_stmt(stmts, n, "CREATE TABLE `book` (");
	ck_assert_int_ge(book, 0);
	ck_assert_msg(strstr(stmts[book], ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4")
	              != NULL, "%s", stmts[book]);
	ck_assert_msg(strstr(stmts[book], "DEFERRABLE") == NULL, "%s", stmts[book]);
	/* MySQL ignores inline REFERENCES: table constraints instead */
	ck_assert_msg(strstr(stmts[book], ", FOREIGN KEY (`publisher_id`) "
	                     "REFERENCES `publisher` (`id`)") != NULL, "%s",
	              stmts[book]);
	ormc_ddl_free(stmts, n);
	ormc_schema_free(s);
}
END_TEST

START_TEST(test_ddl_cycles)
{
	ormc_schema *s = parse_models(
		"from django.db import models\n"
		"class Employee(models.Model):\n"
		"    name = models.CharField(max_length=50)\n"
		"    boss = models.ForeignKey('self', null=True, on_delete=models.CASCADE)\n"
		"    dept = models.ForeignKey('Dept', on_delete=models.CASCADE)\n"
		"class Dept(models.Model):\n"
		"    head = models.ForeignKey(Employee, null=True, related_name='heads',\n"
		"                             on_delete=models.CASCADE)\n");
	const ormc_dialect *d = ormc_dialect_find("postgresql");
	char **stmts;
	int n, emp, dept, alter;
	ormc_error err;

	ck_assert_ptr_nonnull(d);
	ck_assert_int_eq(ormc_ddl_build(s, d, &stmts, &n, &err), ORMC_OK);
	emp = find_stmt(stmts, n, "CREATE TABLE \"employee\" (");
	dept = find_stmt(stmts, n, "CREATE TABLE \"dept\" (");
	alter = find_stmt(stmts, n, "ALTER TABLE ");
	ck_assert_int_ge(emp, 0);
	ck_assert_int_ge(dept, 0);
	ck_assert_msg(strstr(stmts[emp], "\"boss_id\" integer NULL REFERENCES "
	                     "\"employee\" (\"id\")") != NULL, "%s", stmts[emp]);
	/* the reference closing the cycle comes afterwards */
	ck_assert_int_gt(alter, emp);
	ck_assert_int_gt(alter, dept);
	ck_assert_msg(strstr(stmts[alter], "ADD FOREIGN KEY") != NULL, "%s",
	              stmts[alter]);
	ormc_ddl_free(stmts, n);

	/* and on SQLite the tables are created */
	{
		ormc_db *db = open_memory();

		ck_assert_int_eq(ormc_migrate(db, s, &err), ORMC_OK);
		ck_assert_int_eq(scalar(db, "SELECT COUNT(*) FROM employee"), 0);
		ck_assert_int_eq(scalar(db, "SELECT COUNT(*) FROM dept"), 0);
		ormc_disconnect(db);
	}
	ormc_schema_free(s);
}
END_TEST

/* What Django creates: timestamptz, datetime(6), UNIQUE of unique_together. */
START_TEST(test_ddl_django)
{
	ormc_schema *s = parse_models(
		"from django.db import models\n"
		"class Tag(models.Model):\n"
		"    label = models.CharField(max_length=30)\n"
		"    lang = models.CharField(max_length=5)\n"
		"    at = models.DateTimeField()\n"
		"    class Meta:\n"
		"        unique_together = ((\"label\", \"lang\"),)\n");
	char **stmts;
	int n;
	ormc_error err;

	ck_assert_int_eq(ormc_schema_ddl(&stmts, &n, s, "postgresql", &err), ORMC_OK);
	ck_assert_int_eq(n, 1);
	ck_assert_msg(strstr(stmts[0], "\"at\" timestamp with time zone NOT NULL, "
	                     "UNIQUE (\"label\", \"lang\"))") != NULL, "%s",
	              stmts[0]);
	ormc_ddl_free(stmts, n);
	ck_assert_int_eq(ormc_schema_ddl(&stmts, &n, s, "mysql", &err), ORMC_OK);
	ck_assert_msg(strstr(stmts[0], "`at` datetime(6) NOT NULL, "
	                     "UNIQUE (`label`, `lang`))") != NULL, "%s", stmts[0]);
	ormc_ddl_free(stmts, n);
	ormc_schema_free(s);
}
END_TEST

static void
count_notes(void *ctx, ormc_migrate_note kind, const char *text)
{
	int *counts = ctx;

	(void)text;
	counts[kind]++;
}

/*
 * migrate twice: the second finds every table (a cycle's ALTER too) and does
 * nothing; a dry run reports without creating; a difference is an error
 * and nothing is created.
 */
START_TEST(test_migrate_idempotent)
{
	ormc_schema *s = bookstore();
	ormc_schema *wrong = parse_models(
		"from django.db import models\n"
		"class Author(models.Model):\n"
		"    name = models.IntegerField()\n"
		"    age = models.IntegerField(null=True)\n"
		"class Extra(models.Model):\n"
		"    x = models.IntegerField()\n");
	ormc_migrate_options mo = ORMC_MIGRATE_OPTIONS_INIT;
	ormc_db *db = open_memory();
	ormc_error err;
	int counts[3] = { 0, 0, 0 }, n = -1;

	mo.note = count_notes;
	mo.ctx = counts;
	mo.dry_run = 1;
	ck_assert_int_eq(ormc_migrate_with(db, s, &mo, &n, &err), ORMC_OK);
	ck_assert_int_eq(n, 6);
	ck_assert_int_eq(counts[ORMC_MIGRATE_CREATED], 6);
	ck_assert_int_ge(counts[ORMC_MIGRATE_STATEMENT], 6);
	ck_assert_int_eq(scalar(db, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'"), 0);

	mo.dry_run = 0;
	memset(counts, 0, sizeof(counts));
	ck_assert_int_eq(ormc_migrate_with(db, s, &mo, &n, &err), ORMC_OK);
	ck_assert_int_eq(n, 6);
	memset(counts, 0, sizeof(counts));
	ck_assert_int_eq(ormc_migrate_with(db, s, &mo, &n, &err), ORMC_OK);
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(counts[ORMC_MIGRATE_CREATED] + counts[ORMC_MIGRATE_STATEMENT] +
	                 counts[ORMC_MIGRATE_MISMATCH], 0);
	ck_assert_int_eq(ormc_migrate(db, s, &err), ORMC_OK);

	ck_assert_int_eq(ormc_migrate_with(db, wrong, &mo, &n, &err), ORMC_EDRIVER);
	ck_assert_int_eq(counts[ORMC_MIGRATE_MISMATCH], 2);
	ck_assert_msg(strstr(err.message, "(2 differences): table \"author\", column "
	                     "\"name\": expected an integer column, found \"varchar(100)\"")
	              != NULL, "%s", err.message);
	ck_assert_int_eq(scalar(db, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'extra'"), 0);
	ormc_disconnect(db);
	ormc_schema_free(wrong);
	ormc_schema_free(s);
}
END_TEST

/* ---- migrate + fixture ---------------------------------------------------- */

START_TEST(test_migrate_and_load_bookstore)
{
	ormc_schema *s = bookstore();
	ormc_db *db = open_memory();
	ormc_error err;
	size_t len;
	char *json = read_text(ORMC_SOURCE_DIR "/examples/bookstore/fixture.json",
	                       &len);
	int rc;

	rc = ormc_migrate(db, s, &err);
	ck_assert_msg(rc == ORMC_OK, "migrate: %s", err.message);
	rc = ormc_fixture_load(db, s, json, len, &err);
	ck_assert_msg(rc == ORMC_OK, "load: %s", err.message);
	ck_assert_int_eq(scalar(db, "SELECT COUNT(*) FROM author"), 5);
	ck_assert_int_eq(scalar(db, "SELECT COUNT(*) FROM publisher"), 3);
	ck_assert_int_eq(scalar(db, "SELECT COUNT(*) FROM book"), 5);
	ck_assert_int_eq(scalar(db, "SELECT COUNT(*) FROM store"), 3);
	ck_assert_int_eq(scalar(db, "SELECT COUNT(*) FROM book_authors"), 8);
	ck_assert_int_eq(scalar(db, "SELECT COUNT(*) FROM store_books"), 9);
	/* the data of the aggregation guide */
	ck_assert_int_eq(scalar(db, "SELECT COUNT(*) FROM book b JOIN publisher p "
	                        "ON p.id = b.publisher_id WHERE p.name = 'A'"), 2);
	ck_assert_int_eq(scalar(db, "SELECT CAST(ROUND(AVG(price) * 100) AS "
	                        "INTEGER) FROM book"), 3435);
	ck_assert_int_eq(scalar(db, "SELECT CAST(ROUND(MAX(price) * 100) AS "
	                        "INTEGER) FROM book"), 8120);
	ck_assert_int_eq(scalar(db, "SELECT CAST(ROUND(MIN(price) * 100) AS "
	                        "INTEGER) FROM book"), 1299);
	ck_assert_int_eq(scalar(db, "SELECT COUNT(*) FROM book WHERE name LIKE "
	                        "'Django%'"), 1);
	ck_assert_int_eq(scalar(db, "SELECT COUNT(*) FROM book WHERE name LIKE "
	                        "'%web%'"), 0);
	ck_assert_int_eq(scalar(db, "SELECT COUNT(*) FROM store_books WHERE "
	                        "book_id = 1"), 3);
	ck_assert_int_eq(scalar(db, "SELECT COUNT(*) FROM book_authors WHERE "
	                        "book_id = 1"), 2);
	/* the average price converts to exactly 34.35 */
	{
		ormc_cursor *cur;
		const ormc_value *row;
		ormc_value out;
		ormc_otype t = { ORMC_FIELD_DECIMAL, 10, 2, 0 };
		char buf[64];

		ck_assert_int_eq(ormc_db_query(db, "SELECT AVG(price) FROM book", NULL,
		                               0, &cur, &err), ORMC_OK);
		ck_assert_int_eq(db->conn->driver->next(cur, &row, &err), 1);
		ck_assert_int_eq(ormc_convert(&row[0], &t, &out, buf, sizeof(buf),
		                              &err), ORMC_OK);
		ck_assert_int_eq((int)out.len, 5);
		ck_assert(memcmp(out.s, "34.35", 5) == 0);
		db->conn->driver->close_cursor(cur);
	}
	free(json);
	ormc_disconnect(db);
	ormc_schema_free(s);
}
END_TEST

START_TEST(test_fixture_all_or_nothing)
{
	ormc_schema *s = bookstore();
	ormc_db *db = open_memory();
	ormc_error err;

	ck_assert_int_eq(ormc_migrate(db, s, &err), ORMC_OK);
	ck_assert_int_eq(load_fixture(db, s,
		"[{\"model\": \"bookstore.publisher\", \"pk\": 1, \"fields\": {\"name\": \"A\"}},\n"
		" {\"model\": \"bookstore.author\", \"pk\": 1, \"fields\": {\"name\": \"X\", \"age\": 3}},\n"
		" {\"model\": \"bookstore.book\", \"pk\": 1, \"fields\": {\"titel\": \"T\"}}]",
		&err), ORMC_ENOFIELD);
	ck_assert_str_eq(err.message,
	                 "fixture object 3 (bookstore.book): unknown field 'titel'");
	ck_assert_int_eq(scalar(db, "SELECT COUNT(*) FROM publisher"), 0);
	ck_assert_int_eq(scalar(db, "SELECT COUNT(*) FROM author"), 0);

	ck_assert_int_eq(load_fixture(db, s,
		"[{\"model\": \"bookstore.publisher\", \"pk\": 1, \"fields\": {\"name\": \"A\"}},\n"
		" {\"model\": \"bookstore.publisher\", \"pk\": 2, \"fields\": {\"name\": null}}]",
		&err), ORMC_EDRIVER);
	ck_assert_msg(strstr(err.message, "fixture object 2 (bookstore.publisher): "
	                     "NOT NULL constraint failed") != NULL, "%s", err.message);
	ck_assert_int_eq(scalar(db, "SELECT COUNT(*) FROM publisher"), 0);

	ck_assert_int_eq(load_fixture(db, s,
		"[{\"model\": \"bookstore.bok\", \"pk\": 1, \"fields\": {}}]", &err),
		ORMC_ENOFIELD);
	ck_assert_str_eq(err.message,
	                 "fixture object 1 (bookstore.bok): unknown model 'bookstore.bok'");
	ck_assert_int_eq(load_fixture(db, s,
		"[{\"model\": \"bookstore.book\", \"pk\": 1, \"fields\": {\"price\": \"cheap\"}}]",
		&err), ORMC_EINVALID);
	ck_assert_str_eq(err.message, "fixture object 1 (bookstore.book): field "
	                 "'price': \"cheap\" is not a decimal number");
	ck_assert_int_eq(load_fixture(db, s, "[{\"model\": 1}]", &err), ORMC_EPARSE);
	ck_assert_str_eq(err.message, "fixture object 1: no \"model\" label");
	ck_assert_int_eq(load_fixture(db, s, "[{\"model\": ", &err), ORMC_EPARSE);
	ck_assert_msg(strncmp(err.message, "invalid fixture JSON: ", 22) == 0, "%s",
	              err.message);
	ck_assert_int_eq(load_fixture(db, s, "{}", &err), ORMC_EPARSE);
	ck_assert_int_eq(scalar(db, "SELECT COUNT(*) FROM book"), 0);
	ormc_disconnect(db);
	ormc_schema_free(s);
}
END_TEST

/*
 * A key given twice, or given after the engine chose it, is an update of
 * that row (Django's loaddata), also while the table was empty at the start
 * of the load, when the loader keeps the keys it inserted instead of asking.
 */
START_TEST(test_fixture_existing_keys)
{
	ormc_schema *s = bookstore();
	ormc_db *db = open_memory();
	ormc_error err;

	ck_assert_int_eq(ormc_migrate(db, s, &err), ORMC_OK);
	ck_assert_int_eq(load_fixture(db, s,
		"[{\"model\": \"bookstore.publisher\", \"pk\": 1, \"fields\": {\"name\": \"A\"}},\n"
		" {\"model\": \"bookstore.publisher\", \"pk\": 1, \"fields\": {\"name\": \"B\"}}]",
		&err), ORMC_OK);
	ck_assert_int_eq(scalar(db, "SELECT COUNT(*) FROM publisher"), 1);
	ck_assert_int_eq(scalar(db, "SELECT COUNT(*) FROM publisher WHERE name = 'B'"), 1);

	ck_assert_int_eq(load_fixture(db, s,
		"[{\"model\": \"bookstore.author\", \"fields\": {\"name\": \"X\", \"age\": 3}},\n"
		" {\"model\": \"bookstore.author\", \"pk\": 1, \"fields\": {\"name\": \"Y\", \"age\": 4}},\n"
		" {\"model\": \"bookstore.author\", \"pk\": 2, \"fields\": {\"name\": \"Z\", \"age\": 5}}]",
		&err), ORMC_OK);
	ck_assert_int_eq(scalar(db, "SELECT COUNT(*) FROM author"), 2);
	ck_assert_int_eq(scalar(db, "SELECT age FROM author WHERE id = 1"), 4);
	ck_assert_int_eq(scalar(db, "SELECT age FROM author WHERE id = 2"), 5);
	ormc_disconnect(db);
	ormc_schema_free(s);
}
END_TEST

START_TEST(test_fixture_values)
{
	ormc_schema *s = bookstore();
	ormc_db *db = open_memory();
	ormc_error err;
	ormc_cursor *cur;
	const ormc_value *row;
	int rc;

	ck_assert_int_eq(ormc_migrate(db, s, &err), ORMC_OK);
	/* attname for the FK, decimals as numbers or text, no pk (auto) with M2M,
	 * model label in another case, duplicate M2M keys ignored */
	rc = load_fixture(db, s,
		"[{\"model\": \"bookstore.Author\", \"fields\": {\"name\": \"X\", \"age\": 30}},\n"
		" {\"model\": \"bookstore.Author\", \"fields\": {\"name\": \"Y\", \"age\": 40}},\n"
		" {\"model\": \"BOOKSTORE.PUBLISHER\", \"pk\": 7, \"fields\": {\"name\": \"P\"}},\n"
		" {\"model\": \"bookstore.book\", \"fields\": {\"name\": \"B1\", \"pages\": 10,\n"
		"   \"price\": 9.999, \"rating\": 4, \"publisher_id\": 7, \"pubdate\": \"2008-01-02\",\n"
		"   \"authors\": [1, 2, 2]}},\n"
		" {\"model\": \"bookstore.book\", \"pk\": 10, \"fields\": {\"name\": \"B2\", \"pages\": \"20\",\n"
		"   \"price\": \"1E+1\", \"rating\": 4.5, \"publisher\": 7, \"pubdate\": \"2008-01-03\",\n"
		"   \"authors\": []}}]",
		&err);
	ck_assert_msg(rc == ORMC_OK, "%s", err.message);
	ck_assert_int_eq(scalar(db, "SELECT COUNT(*) FROM book_authors"), 2);
	ck_assert_int_eq(scalar(db, "SELECT id FROM book WHERE name = 'B1'"), 1);
	ck_assert_int_eq(scalar(db, "SELECT COUNT(*) FROM book WHERE publisher_id = 7"),
	                 2);
	ck_assert_int_eq(ormc_db_query(db, "SELECT price, pages, rating FROM book "
	                               "ORDER BY id", NULL, 0, &cur, &err), ORMC_OK);
	/* 9.999 is quantized to "10.00", which NUMERIC affinity stores as 10 */
	ck_assert_int_eq(db->conn->driver->next(cur, &row, &err), 1);
	ck_assert_int_eq(row[0].type, ORMC_TYPE_INT);
	ck_assert_int_eq(row[0].i, 10);
	ck_assert_int_eq(row[2].type, ORMC_TYPE_FLOAT);
	ck_assert_int_eq(db->conn->driver->next(cur, &row, &err), 1);
	ck_assert_int_eq(row[0].i, 10);
	ck_assert_int_eq(row[1].type, ORMC_TYPE_INT);
	ck_assert_int_eq(row[1].i, 20);
	db->conn->driver->close_cursor(cur);
	ormc_disconnect(db);
	ormc_schema_free(s);
}
END_TEST

START_TEST(test_fixture_types)
{
	ormc_schema *s = parse_models(
		"from django.db import models\n"
		"class Event(models.Model):\n"
		"    done = models.BooleanField(default=False)\n"
		"    at = models.DateTimeField()\n"
		"    took = models.DurationField(null=True)\n"
		"    starts = models.TimeField(null=True)\n"
		"    ref = models.UUIDField(null=True)\n");
	ormc_db *db = open_memory();
	ormc_error err;
	ormc_cursor *cur;
	const ormc_value *row;
	int rc;

	ck_assert_int_eq(ormc_migrate(db, s, &err), ORMC_OK);
	rc = load_fixture(db, s,
		"[{\"model\": \"app.event\", \"pk\": 1, \"fields\": {\"done\": true,\n"
		"   \"at\": \"2026-11-21T23:30:00.5+02:00\", \"took\": \"1 02:00:00\",\n"
		"   \"starts\": \"10:30\", \"ref\": \"550e8400-e29b-41d4-a716-446655440000\"}},\n"
		" {\"model\": \"app.event\", \"pk\": 2, \"fields\": {\"done\": false,\n"
		"   \"at\": \"2026-01-01T00:30:00Z\", \"took\": null, \"starts\": null,\n"
		"   \"ref\": null}}]",
		&err);
	ck_assert_msg(rc == ORMC_OK, "%s", err.message);
	ck_assert_int_eq(ormc_db_query(db, "SELECT done, at, took, starts, ref "
	                               "FROM event ORDER BY id", NULL, 0, &cur, &err),
	                 ORMC_OK);
	ck_assert_int_eq(db->conn->driver->next(cur, &row, &err), 1);
	ck_assert_int_eq(row[0].i, 1);
	ck_assert_msg(row[1].len == 26 &&
	              memcmp(row[1].s, "2026-11-21 21:30:00.500000", 26) == 0,
	              "%.*s", (int)row[1].len, row[1].s);
	ck_assert(row[2].i == 93600000000LL);
	ck_assert(memcmp(row[3].s, "10:30:00", 8) == 0);
	ck_assert_msg(row[4].len == 32 &&
	              memcmp(row[4].s, "550e8400e29b41d4a716446655440000", 32) == 0,
	              "%.*s", (int)row[4].len, row[4].s);
	ck_assert_int_eq(db->conn->driver->next(cur, &row, &err), 1);
	ck_assert_int_eq(row[0].i, 0);
	ck_assert(memcmp(row[1].s, "2026-01-01 00:30:00", 19) == 0 &&
	          row[1].len == 19);
	ck_assert_int_eq(row[2].type, ORMC_TYPE_NULL);
	db->conn->driver->close_cursor(cur);

	rc = load_fixture(db, s,
		"[{\"model\": \"app.event\", \"pk\": 3, \"fields\": {\"done\": 2,\n"
		"   \"at\": \"2026-01-01 00:00:00\"}}]", &err);
	ck_assert_int_eq(rc, ORMC_EINVALID);
	ck_assert_str_eq(err.message, "fixture object 1 (app.event): field 'done': "
	                 "2 is not a boolean");
	ormc_disconnect(db);
	ormc_schema_free(s);
}
END_TEST

/*
 * StdDev/Variance of a DecimalField: exact, also where the values' spread is
 * tiny next to their size (E[x^2] - E[x]^2 in floating point gives
 * 0.00816686 here); PostgreSQL's answers.
 */
START_TEST(test_decimal_variance)
{
	static const char *models =
		"from django.db import models\n"
		"class V(models.Model):\n"
		"    g = models.IntegerField()\n"
		"    x = models.DecimalField(max_digits=12, decimal_places=2, null=True)\n";
	ormc_schema *s = NULL;
	ormc_query *q = NULL;
	ormc_result *r = NULL;
	ormc_db *db = open_memory();
	const ormc_value *row;
	ormc_error err;

	ck_assert_int_eq(ormc_schema_parse(&s, models, strlen(models), NULL, &err), ORMC_OK);
	ck_assert_int_eq(ormc_migrate(db, s, &err), ORMC_OK);
	ck_assert_int_eq(ormc_db_exec(db, "INSERT INTO v (g, x) VALUES (1, 10000.01), (1, 10000.02), "
	                              "(1, 10000.03), (2, 1000000.01), (2, 1000000.02), (2, 1000000.04), "
	                              "(3, -5.5), (3, NULL)", NULL, 0, &err), ORMC_OK);
	ck_assert_int_eq(ormc_query_parse(&q, s, "V.objects.values('g').annotate(s=StdDev('x'), "
	                                  "v=Variance('x', sample=True)).values_list('s', 'v').order_by('g')",
	                                  (size_t)-1, &err), ORMC_OK);
	ck_assert_msg(ormc_query_run(&r, db, q, &err) == ORMC_OK, "%s", err.message);
	ck_assert_int_eq(ormc_result_next(r, &row, &err), 1);
	ck_assert_str_eq(row[0].s, "0.00816497");
	ck_assert_str_eq(row[1].s, "0.0001");
	ck_assert_int_eq(ormc_result_next(r, &row, &err), 1);
	ck_assert_str_eq(row[0].s, "0.01247219");
	ck_assert_str_eq(row[1].s, "0.00023333");
	ck_assert_int_eq(ormc_result_next(r, &row, &err), 1);
	ck_assert_str_eq(row[0].s, "0.00");
	ck_assert_int_eq(row[1].type, ORMC_TYPE_NULL);
	ck_assert_int_eq(ormc_result_next(r, &row, &err), 0);
	ormc_result_free(r);
	ormc_query_free(q);
	ormc_disconnect(db);
	ormc_schema_free(s);
}
END_TEST

START_TEST(test_fixture_symmetrical)
{
	ormc_schema *s = parse_models(
		"from django.db import models\n"
		"class Person(models.Model):\n"
		"    name = models.CharField(max_length=20)\n"
		"    friends = models.ManyToManyField('self')\n");
	ormc_db *db = open_memory();
	ormc_error err;
	int rc;

	ck_assert_int_eq(ormc_migrate(db, s, &err), ORMC_OK);
	rc = load_fixture(db, s,
		"[{\"model\": \"app.person\", \"pk\": 1, \"fields\": {\"name\": \"a\", \"friends\": [2, 3]}},\n"
		" {\"model\": \"app.person\", \"pk\": 2, \"fields\": {\"name\": \"b\", \"friends\": [1]}},\n"
		" {\"model\": \"app.person\", \"pk\": 3, \"fields\": {\"name\": \"c\", \"friends\": [1]}}]",
		&err);
	ck_assert_msg(rc == ORMC_OK, "%s", err.message);
	/* (1,2) (2,1) (1,3) (3,1), each once */
	ck_assert_int_eq(scalar(db, "SELECT COUNT(*) FROM person_friends"), 4);
	ck_assert_int_eq(scalar(db, "SELECT COUNT(*) FROM person_friends WHERE "
	                        "from_person_id = 3 AND to_person_id = 1"), 1);
	/* an existing row's list replaces its links, both directions */
	rc = load_fixture(db, s,
		"[{\"model\": \"app.person\", \"pk\": 1, \"fields\": {\"name\": \"a\", \"friends\": [3]}}]",
		&err);
	ck_assert_msg(rc == ORMC_OK, "%s", err.message);
	ck_assert_int_eq(scalar(db, "SELECT COUNT(*) FROM person_friends"), 2);
	ck_assert_int_eq(scalar(db, "SELECT COUNT(*) FROM person_friends WHERE "
	                        "from_person_id = 2 OR to_person_id = 2"), 0);
	ormc_disconnect(db);
	ormc_schema_free(s);
}
END_TEST

static Suite *
sqlite_suite(void)
{
	Suite *s = suite_create("sqlite");
	TCase *tc;

	tc = tcase_create("connect");
	tcase_add_test(tc, test_connect_memory);
	tcase_add_test(tc, test_connect_file);
	tcase_add_test(tc, test_connect_errors);
	suite_add_tcase(s, tc);

	tc = tcase_create("execute");
	tcase_add_test(tc, test_bind_every_type);
	tcase_add_test(tc, test_stream_rows);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_transactions);
	suite_add_tcase(s, tc);

	tc = tcase_create("registry");
	tcase_add_test(tc, test_register_driver);
	suite_add_tcase(s, tc);

	tc = tcase_create("ddl");
	tcase_add_test(tc, test_ddl_bookstore);
	tcase_add_test(tc, test_ddl_cycles);
	tcase_add_test(tc, test_ddl_django);
	tcase_add_test(tc, test_migrate_idempotent);
	suite_add_tcase(s, tc);

	tc = tcase_create("fixture");
	tcase_add_test(tc, test_migrate_and_load_bookstore);
	tcase_add_test(tc, test_fixture_all_or_nothing);
	tcase_add_test(tc, test_fixture_existing_keys);
	tcase_add_test(tc, test_fixture_values);
	tcase_add_test(tc, test_fixture_types);
	tcase_add_test(tc, test_fixture_symmetrical);
	tcase_add_test(tc, test_decimal_variance);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(sqlite_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed != 0;
}
