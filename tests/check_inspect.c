/*
 * check_inspect.c -- ormc_inspect() (ormc/inspect.h) on SQLite in memory:
 * every example migrated, inspected and read back gives the same DDL on
 * every dialect; the options are checked. The server engines and ODBC are
 * tests/inspect_test.sh's.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ormc/ddl.h"
#include "ormc/inspect.h"
#include "ormc/ormc.h"

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The DDL of s for dialect, sorted (the inspected models come in table order). */
static char *
sorted_ddl(const ormc_schema *s, const char *dialect)
{
	char **stmts = NULL, *all;
	size_t len = 1;
	int n = 0, i;
	ormc_error err;

	ck_assert_msg(ormc_schema_ddl(&stmts, &n, s, dialect, &err) == ORMC_OK, "%s", err.message);
	qsort(stmts, (size_t)n, sizeof(char *), cmp_str);
	for (i = 0; i < n; i++)
		len += strlen(stmts[i]) + 2;
	all = malloc(len);
	ck_assert_ptr_nonnull(all);
	all[0] = '\0';
	for (i = 0; i < n; i++) {
		strcat(all, stmts[i]);
		strcat(all, ";\n");
	}
	ormc_ddl_free(stmts, n);
	return all;
}

static const char *const examples[] = {
	"examples/shop/models.py", "examples/bookstore/models.py",
	"examples/auth/models.py", "examples/tasks/models.py",
	"tests/conformance/edge/models.py",
};

START_TEST(test_round_trip_ddl)
{
	static const char *const dialects[] = { "postgresql", "sqlite", "mysql" };
	ormc_schema *orig = NULL, *back = NULL;
	ormc_db *db = NULL;
	ormc_error err;
	char path[1024], *py = NULL;
	int d;

	snprintf(path, sizeof(path), "%s/%s", ORMC_SOURCE_DIR, examples[_i]);
	ck_assert_msg(ormc_schema_load(&orig, path, NULL, &err) == ORMC_OK, "%s", err.message);
	ck_assert_msg(ormc_connect(&db, "sqlite::memory:", &err) == ORMC_OK, "%s", err.message);
	ck_assert_msg(ormc_migrate(db, orig, &err) == ORMC_OK, "%s", err.message);
	ck_assert_msg(ormc_inspect(&py, db, NULL, &err) == ORMC_OK, "%s", err.message);
	ck_assert_msg(ormc_schema_parse(&back, py, strlen(py), NULL, &err) == ORMC_OK,
	              "%s: %s\n%s", examples[_i], err.message, py);
	for (d = 0; d < 3; d++) {
		char *a = sorted_ddl(orig, dialects[d]), *b = sorted_ddl(back, dialects[d]);

		ck_assert_msg(strcmp(a, b) == 0, "%s, %s:\n%s\nvs inspected:\n%s\n%s",
		              examples[_i], dialects[d], a, b, py);
		free(a);
		free(b);
	}
	ormc_inspect_free(py);
	ormc_schema_free(back);
	ormc_schema_free(orig);
	ormc_disconnect(db);
}
END_TEST

/* --app-label: tables bookstore_book read back as class Book, no db_table. */
START_TEST(test_app_label)
{
	ormc_schema_options so = ORMC_SCHEMA_OPTIONS_INIT;
	ormc_inspect_options o = ORMC_INSPECT_OPTIONS_INIT;
	ormc_schema *orig = NULL, *back = NULL;
	ormc_db *db = NULL;
	ormc_error err;
	char path[1024], *py = NULL, *a, *b;

	so.app_label = o.app_label = "bookstore";
	snprintf(path, sizeof(path), "%s/examples/bookstore/models.py", ORMC_SOURCE_DIR);
	ck_assert_msg(ormc_schema_load(&orig, path, &so, &err) == ORMC_OK, "%s", err.message);
	ck_assert_msg(ormc_connect(&db, "sqlite::memory:", &err) == ORMC_OK, "%s", err.message);
	ck_assert_msg(ormc_migrate(db, orig, &err) == ORMC_OK, "%s", err.message);
	ck_assert_msg(ormc_inspect(&py, db, &o, &err) == ORMC_OK, "%s", err.message);
	ck_assert_ptr_nonnull(strstr(py, "\nclass Book(models.Model):\n"));
	ck_assert_ptr_nonnull(strstr(py, "    authors = models.ManyToManyField(\"Author\")\n"));
	ck_assert_ptr_null(strstr(py, "db_table"));
	ck_assert_msg(ormc_schema_parse(&back, py, strlen(py), &so, &err) == ORMC_OK, "%s", err.message);
	a = sorted_ddl(orig, "postgresql");
	b = sorted_ddl(back, "postgresql");
	ck_assert_str_eq(a, b);
	free(a);
	free(b);
	ormc_inspect_free(py);
	ormc_schema_free(back);
	ormc_schema_free(orig);
	ormc_disconnect(db);
}
END_TEST

START_TEST(test_options)
{
	ormc_inspect_options o = ORMC_INSPECT_OPTIONS_INIT;
	const char *tables[] = { "nope" };
	ormc_db *db = NULL;
	ormc_error err;
	char *py = (char *)"x";

	ck_assert_int_eq(ormc_connect(&db, "sqlite::memory:", &err), ORMC_OK);
	ck_assert_int_eq(ormc_inspect(NULL, db, NULL, &err), ORMC_EINVALID);
	ck_assert_int_eq(ormc_inspect(&py, NULL, NULL, &err), ORMC_EINVALID);
	ck_assert_ptr_null(py);
	o.version = 0;
	ck_assert_int_eq(ormc_inspect(&py, db, &o, &err), ORMC_EINVALID);
	o.version = ORMC_INSPECT_OPTIONS_VERSION;
	o.ntables = 1;
	ck_assert_int_eq(ormc_inspect(&py, db, &o, &err), ORMC_EINVALID);   /* tables NULL */
	o.tables = tables;
	ck_assert_int_eq(ormc_inspect(&py, db, &o, &err), ORMC_EINVALID);
	ck_assert_str_eq(err.message, "table \"nope\" is not in the database");
	ck_assert_ptr_null(py);
	/* an empty database: the header and the import, no class */
	ck_assert_int_eq(ormc_inspect(&py, db, NULL, &err), ORMC_OK);
	ck_assert_ptr_nonnull(strstr(py, "from django.db import models\n"));
	ck_assert_ptr_null(strstr(py, "class "));
	ormc_inspect_free(py);
	ormc_inspect_free(NULL);
	ormc_disconnect(db);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("inspect");
	TCase *tc = tcase_create("inspect");
	SRunner *sr;
	int failed;

	tcase_add_loop_test(tc, test_round_trip_ddl, 0, (int)(sizeof(examples) / sizeof(examples[0])));
	tcase_add_test(tc, test_app_label);
	tcase_add_test(tc, test_options);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
