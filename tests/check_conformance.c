/*
 * check_conformance.c -- the conformance suite on one backend combination.
 *
 *   check_conformance COMBO OUTDIR
 *
 * COMBO is one of the seven ways ormc reaches a database:
 *   sqlite, sqlite-nofilter (SQLite compiled as 3.29: the CASE fallback for
 *   FILTER), sqlite-odbc, postgresql, postgresql-odbc, mysql, mysql-odbc.
 *
 * For every case file tests/conformance/<name>.txt, a fresh database is
 * created on that backend, ormc_migrate creates the tables of
 * examples/<name>/models.py (or tests/conformance/<name>/models.py) and
 * ormc_fixture_load fills them, through the same connection. Each case is
 * the query, then "=> " and the expected JSON (`ormc run --format json`,
 * blanks ignored) or "!! " and a piece of the expected error message.
 *
 * Every answer is also written to OUTDIR/COMBO.out, one line per case, so
 * that conformance_agree can compare the combinations with each other.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "backends.h"
#include "db.h"
#include "ormc/ormc.h"
#include "testutil.h"

static const char *combo;     /* argv[1] */
static const char *outdir;    /* argv[2] */

/* Which backend (for ORMC_TEST_BACKENDS) a combination needs. */
static const char *
combo_backend(const char *c)
{
	if (strstr(c, "-odbc") != NULL)
		return "odbc";
	if (strncmp(c, "sqlite", 6) == 0)
		return "sqlite";
	return c;
}

static int
known_combo(const char *c)
{
	static const char *const all[] = {
		"sqlite", "sqlite-nofilter", "sqlite-odbc", "postgresql",
		"postgresql-odbc", "mysql", "mysql-odbc"
	};
	size_t i;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (strcmp(c, all[i]) == 0)
			return 1;
	return 0;
}

/* A fresh database for case file name on this combination. */
static void
open_db(const char *name, ormc_db **db)
{
	char url[1024], why[512], dbname[128], path[900];
	ormc_error err;
	int odbc = strstr(combo, "-odbc") != NULL;

	if (strncmp(combo, "sqlite", 6) == 0) {
		snprintf(path, sizeof(path), "%s/%s-%s.db", outdir, combo, name);
		remove(path);
		if (odbc)
			ck_assert_msg(tb_odbc_url("sqlite", path, url, sizeof(url), why,
			                          sizeof(why)) == 0, "%s", why);
		else
			snprintf(url, sizeof(url), "sqlite:%s", path);
	} else {
		const char *kind = strncmp(combo, "mysql", 5) == 0 ? "mysql" : "postgresql";

		snprintf(dbname, sizeof(dbname), "ormc_conf_%s%s", odbc ? "odbc_" : "", name);
		ck_assert_msg(tb_fresh_db(kind, dbname, url, sizeof(url), why, sizeof(why)) == 0,
		              "%s: %s", combo, why);
		if (odbc)
			ck_assert_msg(tb_odbc_url(kind, dbname, url, sizeof(url), why,
			                          sizeof(why)) == 0, "%s: %s", combo, why);
	}
	ck_assert_msg(ormc_connect(db, url, &err) == ORMC_OK, "%s: cannot connect: %s",
	              combo, err.message);
	if (strcmp(combo, "sqlite-nofilter") == 0)
		(*db)->server_version = 32900;   /* compile as for SQLite 3.29 */
}

static void
load_example(const char *name, ormc_db *db, ormc_schema **schema)
{
	char path[1024];
	struct stat st;

	snprintf(path, sizeof(path), "%s/examples/%s/models.py", ORMC_SOURCE_DIR, name);
	if (stat(path, &st) != 0)
		snprintf(path, sizeof(path), "%s/tests/conformance/%s/models.py",
		         ORMC_SOURCE_DIR, name);
	tb_load_example(db, path, schema);
}

static int
run_cases(const char *name)
{
	char path[1024], *cases, *blocks[1024];
	ormc_schema *schema = NULL;
	ormc_db *db = NULL;
	ormc_error err;
	FILE *out;
	int nblocks, i, failures = 0;

	open_db(name, &db);
	load_example(name, db, &schema);

	snprintf(path, sizeof(path), "%s/%s.out", outdir, combo);
	out = fopen(path, "a");
	ck_assert_msg(out != NULL, "cannot write %s", path);
	snprintf(path, sizeof(path), "%s/tests/conformance/%s.txt", ORMC_SOURCE_DIR, name);
	cases = tu_read_file(path);
	ck_assert_msg(cases != NULL, "cannot read %s", path);
	nblocks = tu_blocks(cases, blocks, 1024);
	ck_assert_msg(nblocks > 0, "no cases in %s", path);
	for (i = 0; i < nblocks; i++) {
		char *expect = strstr(blocks[i], "\n=> ");
		char *experr = strstr(blocks[i], "\n!! ");
		char *query = blocks[i];
		ormc_query *q = NULL;
		ormc_sqlbuf got;
		int rc;

		ck_assert_msg(expect || experr, "%s case %d has no expectation", name, i + 1);
		if (expect) {
			*expect = '\0';
			expect += 4;
			tu_squeeze(expect);
		} else {
			*experr = '\0';
			experr += 4;
			experr[strcspn(experr, "\n")] = '\0';
		}
		while (*query == '#') {               /* comment lines before the query */
			query = strchr(query, '\n');
			if (query == NULL)
				break;
			query++;
		}
		ck_assert_msg(query != NULL, "%s case %d: empty", name, i + 1);
		ormc_sqlbuf_init(&got);
		rc = ormc_query_parse(&q, schema, query, (size_t)-1, &err);
		if (rc == ORMC_OK)
			rc = tu_run_json(db, q, &got, &err);
		fprintf(out, "%s %d\t%s%s\n", name, i + 1, rc < 0 ? "!! " : "",
		        rc < 0 ? err.message : (got.data ? got.data : ""));
		if (expect) {
			if (rc < 0) {
				fprintf(stderr, "%s: %s case %d: %s\n  error: %s%s%s%s\n  sql: %s\n",
				        combo, name, i + 1, query, err.message,
				        err.sqlstate[0] ? " (SQLSTATE " : "", err.sqlstate,
				        err.sqlstate[0] ? ")" : "", q ? ormc_query_sql(q) : "");
				failures++;
			} else if (got.data == NULL || strcmp(got.data, expect) != 0) {
				fprintf(stderr, "%s: %s case %d: %s\n  expected: %s\n  got:      %s\n  sql: %s\n",
				        combo, name, i + 1, query, expect, got.data ? got.data : "",
				        q ? ormc_query_sql(q) : "");
				failures++;
			}
		} else if (rc >= 0 || strstr(err.message, experr) == NULL) {
			fprintf(stderr, "%s: %s case %d: %s\n  expected error: %s\n  got: %s\n", combo,
			        name, i + 1, query, experr, rc < 0 ? err.message : (got.data ? got.data : ""));
			failures++;
		}
		ormc_sqlbuf_free(&got);
		ormc_query_free(q);
	}
	printf("%s: %s: %d cases, %d failed\n", combo, name, nblocks, failures);
	fclose(out);
	free(cases);
	ormc_disconnect(db);
	ormc_schema_free(schema);
	return failures;
}

START_TEST(test_bookstore)
{
	ck_assert_int_eq(run_cases("bookstore"), 0);
}
END_TEST

START_TEST(test_shop)
{
	ck_assert_int_eq(run_cases("shop"), 0);
}
END_TEST

START_TEST(test_auth)
{
	ck_assert_int_eq(run_cases("auth"), 0);
}
END_TEST

START_TEST(test_tasks)
{
	ck_assert_int_eq(run_cases("tasks"), 0);
}
END_TEST

START_TEST(test_edge)
{
	ck_assert_int_eq(run_cases("edge"), 0);
}
END_TEST

START_TEST(test_inherit)
{
	ck_assert_int_eq(run_cases("inherit"), 0);
}
END_TEST

START_TEST(test_djagg)
{
	ck_assert_int_eq(run_cases("djagg"), 0);
}
END_TEST

START_TEST(test_djwin)
{
	ck_assert_int_eq(run_cases("djwin"), 0);
}
END_TEST

int
main(int argc, char **argv)
{
	Suite *s;
	TCase *tc;
	SRunner *sr;
	char path[1024];
	int failed;

	if (argc != 3 || !known_combo(argv[1])) {
		fprintf(stderr, "usage: %s COMBO OUTDIR\n", argv[0]);
		return EXIT_FAILURE;
	}
	combo = argv[1];
	outdir = argv[2];
	if (!tb_selected(combo_backend(combo))) {
		printf("%s: not selected by ORMC_TEST_BACKENDS\n", combo);
		return TB_SKIP;
	}
	mkdir(outdir, 0777);
	snprintf(path, sizeof(path), "%s/%s.out", outdir, combo);
	remove(path);

	s = suite_create("conformance");
	tc = tcase_create(combo);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_bookstore);
	tcase_add_test(tc, test_shop);
	tcase_add_test(tc, test_auth);
	tcase_add_test(tc, test_tasks);
	tcase_add_test(tc, test_edge);
	tcase_add_test(tc, test_djagg);
	tcase_add_test(tc, test_djwin);
	tcase_add_test(tc, test_inherit);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
