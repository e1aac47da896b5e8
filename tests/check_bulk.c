/*
 * check_bulk.c -- the batched row writer (core/bulk.c) and ormc_copy() /
 * ormc_dump() through the C API, on SQLite files (always run).
 *
 *   - a table of 40 columns written with a batch size far above what one
 *     statement can bind: batches stay under SQLite's 32766 placeholders
 *     (7000 rows in one statement would pass even Debian's raised limit of
 *     250000), every row arrives, the last short batch too;
 *   - values of every kind, NULLs among them, read back as written;
 *   - ormc_copy() of 2,345 rows (two full batches and a short one) between
 *     two SQLite files: rows, sums, progress callbacks, options checked;
 *   - ormc_dump() stops with ORMC_EIO when its writer fails.
 */
#define _POSIX_C_SOURCE 200809L

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backends.h"
#include "bulk.h"
#include "db.h"
#include "ormc/copy.h"
#include "ormc/ddl.h"
#include "ormc/ormc.h"

static char dir[256];

static void
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/ormc_check_bulk_XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void
teardown(void)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static ormc_db *
open_file(const char *name)
{
	char url[512];

	snprintf(url, sizeof(url), "sqlite:%s/%s", dir, name);
	return tb_open(url);
}

static long long
scalar(ormc_db *db, const char *sql)
{
	ormc_cursor *cur = NULL;
	const ormc_value *row;
	ormc_error err;
	long long v = -1;

	ck_assert_int_eq(ormc_db_query(db, sql, NULL, 0, &cur, &err), ORMC_OK);
	ck_assert_ptr_nonnull(cur);
	ck_assert_int_eq(db->conn->driver->next(cur, &row, &err), 1);
	if (row[0].type == ORMC_TYPE_INT)
		v = (long long)row[0].i;
	db->conn->driver->close_cursor(cur);
	return v;
}

START_TEST(test_placeholder_limit)
{
	enum { NCOLS = 40, NROWS = 7000 };
	ormc_db *db = open_file("wide.db");
	const char *cols[NCOLS];
	char names[NCOLS][8], sql[2048];
	ormc_value row[NCOLS];
	ormc_bulk *w = NULL;
	ormc_error err;
	size_t at;
	int c, r;

	at = (size_t)snprintf(sql, sizeof(sql), "CREATE TABLE wide (");
	for (c = 0; c < NCOLS; c++) {
		snprintf(names[c], sizeof(names[c]), "c%d", c);
		cols[c] = names[c];
		at += (size_t)snprintf(sql + at, sizeof(sql) - at, "%s%s integer",
		                       c ? ", " : "", names[c]);
	}
	snprintf(sql + at, sizeof(sql) - at, ")");
	tb_exec(db, sql);
	tb_exec(db, "BEGIN");
	/* 100000 rows a batch would be 4 million placeholders */
	ck_assert_int_eq(ormc_bulk_open(&w, db, "wide", cols, NCOLS, 100000, &err),
	                 ORMC_OK);
	ck_assert_int_eq(ormc_bulk_batch_rows(w), 32766 / NCOLS);
	memset(row, 0, sizeof(row));
	for (r = 1; r <= NROWS; r++) {
		for (c = 0; c < NCOLS; c++) {
			row[c].type = ORMC_TYPE_INT;
			row[c].i = (int64_t)r * 100 + c;
		}
		ck_assert_msg(ormc_bulk_append(w, row, &err) == ORMC_OK, "%s",
		              err.message);
	}
	ck_assert_msg(ormc_bulk_finish(w, &err) == ORMC_OK, "%s", err.message);
	ck_assert_int_eq(ormc_bulk_sent(w), NROWS);
	ormc_bulk_free(w);
	tb_exec(db, "COMMIT");
	ck_assert_int_eq(scalar(db, "SELECT COUNT(*) FROM wide"), NROWS);
	ck_assert_int_eq(scalar(db, "SELECT SUM(c39) FROM wide"),
	                 (long long)NROWS * (NROWS + 1) / 2 * 100 + 39LL * NROWS);
	ck_assert_int_eq(scalar(db, "SELECT COUNT(*) FROM wide WHERE c7 <> c0 + 7"), 0);
	ormc_disconnect(db);
}
END_TEST

START_TEST(test_kinds)
{
	ormc_db *db = open_file("kinds.db");
	const char *cols[] = { "i", "f", "d", "t", "b", "n" };
	ormc_value row[6];
	ormc_bulk *w = NULL;
	ormc_error err;
	char text[64];
	int r;

	tb_exec(db, "CREATE TABLE k (i integer, f real, d text, t text, b integer, n text)");
	ck_assert_int_eq(ormc_bulk_open(&w, db, "k", cols, 6, 7, &err), ORMC_OK);
	for (r = 0; r < 30; r++) {
		memset(row, 0, sizeof(row));
		row[0].type = ORMC_TYPE_INT;
		row[0].i = r;
		row[1].type = ORMC_TYPE_FLOAT;
		row[1].f = r + 0.1;
		row[2].type = ORMC_TYPE_DECIMAL;
		row[2].s = "12.50";
		row[2].len = 5;
		/* the writer copies text: this buffer changes every row */
		snprintf(text, sizeof(text), "row\t%d\n\\", r);
		row[3].type = ORMC_TYPE_TEXT;
		row[3].s = text;
		row[3].len = strlen(text);
		row[4].type = ORMC_TYPE_BOOL;
		row[4].i = r % 2;
		row[5].type = ORMC_TYPE_NULL;
		ck_assert_int_eq(ormc_bulk_append(w, row, &err), ORMC_OK);
	}
	ck_assert_int_eq(ormc_bulk_finish(w, &err), ORMC_OK);
	ormc_bulk_free(w);
	ck_assert_int_eq(scalar(db, "SELECT COUNT(*) FROM k"), 30);
	ck_assert_int_eq(scalar(db, "SELECT COUNT(*) FROM k WHERE t = 'row' || char(9) || i || char(10) || '\\'"), 30);
	ck_assert_int_eq(scalar(db, "SELECT COUNT(*) FROM k WHERE n IS NULL AND b = i % 2 AND abs(f - i - 0.1) < 1e-9"), 30);
	ormc_disconnect(db);
}
END_TEST

typedef struct seen {
	int calls, done;
	long long rows;
} seen;

static void
on_progress(const ormc_copy_progress *p, void *ctx)
{
	seen *s = ctx;

	ck_assert_int_le(p->rows, p->total);
	s->calls++;
	if (p->done) {
		s->done++;
		s->rows += p->rows;
	}
}

START_TEST(test_copy_sqlite)
{
	ormc_db *a = open_file("a.db"), *b = open_file("b.db");
	ormc_copy_options o = ORMC_COPY_OPTIONS_INIT;
	ormc_schema *s = NULL;
	ormc_error err;
	seen sn;
	char path[512];

	snprintf(path, sizeof(path), "%s/examples/shop/models.py", ORMC_SOURCE_DIR);
	ck_assert_int_eq(ormc_schema_load(&s, path, NULL, &err), ORMC_OK);
	ck_assert_int_eq(ormc_migrate(a, s, &err), ORMC_OK);
	ck_assert_int_eq(ormc_migrate(b, s, &err), ORMC_OK);
	tb_exec(a, "INSERT INTO store (id, name, city) VALUES (1, 'S', 'C')");
	tb_exec(a, "INSERT INTO product (id, name, store_id, price, in_stock) VALUES (1, 'P', 1, 2.5, 1)");
	tb_exec(a, "WITH RECURSIVE i(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM i WHERE k < 2345) "
	        "INSERT INTO \"order\" (id, product_id, quantity, total, status, created_at) "
	        "SELECT k, 1, k % 5, k / 4.0, 'paid', '2026-01-01 00:00:00' FROM i");

	memset(&sn, 0, sizeof(sn));
	o.progress = on_progress;
	o.progress_ctx = &sn;
	ck_assert_msg(ormc_copy(a, b, s, &o, &err) == ORMC_OK, "%s", err.message);
	ck_assert_int_eq(sn.done, 3);
	ck_assert_int_eq(sn.rows, 2347);
	ck_assert_int_ge(sn.calls, 6);
	ck_assert_int_eq(scalar(b, "SELECT COUNT(*) FROM \"order\""), 2345);
	ck_assert_int_eq(scalar(b, "SELECT SUM(quantity) FROM \"order\""),
	                 scalar(a, "SELECT SUM(quantity) FROM \"order\""));
	ck_assert_int_eq(scalar(b, "SELECT CAST(SUM(total) * 4 AS integer) FROM \"order\""),
	                 2345LL * 2346 / 2);

	/* again: refused, the target not empty; then with truncate */
	ck_assert_int_eq(ormc_copy(a, b, s, NULL, &err), ORMC_EINVALID);
	ck_assert_ptr_nonnull(strstr(err.message, "is not empty"));
	o.truncate = 1;
	o.progress = NULL;
	ck_assert_int_eq(ormc_copy(a, b, s, &o, &err), ORMC_OK);
	ck_assert_int_eq(scalar(b, "SELECT COUNT(*) FROM \"order\""), 2345);

	/* only some tables; an unknown one; bad options; one connection twice */
	{
		const char *only[] = { "order" };
		const char *nope[] = { "nope" };
		ormc_copy_options bad = ORMC_COPY_OPTIONS_INIT;

		o.tables = only;
		o.ntables = 1;
		ck_assert_int_eq(ormc_copy(a, b, s, &o, &err), ORMC_OK);
		o.tables = nope;
		ck_assert_int_eq(ormc_copy(a, b, s, &o, &err), ORMC_ENOFIELD);
		ck_assert_ptr_nonnull(strstr(err.message, "'nope'"));
		bad.version = 99;
		ck_assert_int_eq(ormc_copy(a, b, s, &bad, &err), ORMC_EINVALID);
		ck_assert_int_eq(ormc_copy(a, a, s, NULL, &err), ORMC_EINVALID);
	}
	ormc_schema_free(s);
	ormc_disconnect(a);
	ormc_disconnect(b);
}
END_TEST

static int
failing_write(const char *data, size_t len, void *ctx)
{
	int *n = ctx;

	(void)data;
	(void)len;
	return ++*n > 3 ? -1 : 0;
}

START_TEST(test_dump_write_error)
{
	ormc_db *a = open_file("d.db");
	ormc_dump_options o = ORMC_DUMP_OPTIONS_INIT;
	ormc_schema *s = NULL;
	ormc_error err;
	char path[512];
	int n = 0;

	snprintf(path, sizeof(path), "%s/examples/shop/models.py", ORMC_SOURCE_DIR);
	ck_assert_int_eq(ormc_schema_load(&s, path, NULL, &err), ORMC_OK);
	ck_assert_int_eq(ormc_migrate(a, s, &err), ORMC_OK);
	tb_exec(a, "INSERT INTO store (id, name, city) VALUES (1, 'S', 'C'), (2, 'T', 'D')");
	o.write = failing_write;
	o.write_ctx = &n;
	ck_assert_int_eq(ormc_dump(a, s, &o, &err), ORMC_EIO);
	o.write = NULL;
	ck_assert_int_eq(ormc_dump(a, s, &o, &err), ORMC_EINVALID);
	ormc_schema_free(s);
	ormc_disconnect(a);
}
END_TEST

static Suite *
bulk_suite(void)
{
	Suite *s = suite_create("bulk");
	TCase *tc = tcase_create("bulk");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_placeholder_limit);
	tcase_add_test(tc, test_kinds);
	tcase_add_test(tc, test_copy_sqlite);
	tcase_add_test(tc, test_dump_write_error);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(bulk_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
