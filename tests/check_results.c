/*
 * check_results.c -- seed queries run on SQLite against hand-computed answers.
 *
 * For each example (examples/<name>/models.py + fixture.json) a fresh
 * in-memory database is created with ormc_migrate and ormc_fixture_load, and
 * every case of tests/results/<name>.txt is run. A case is the query, then
 * "=> " and the expected JSON (as `ormc run --format json` prints it, blanks
 * ignored), or "!! " and a piece of the expected error message.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ddl.h"
#include "ormc/ormc.h"
#include "testutil.h"

static int
run_cases(const char *name)
{
	char path[1024], *fixture, *cases, *blocks[512];
	ormc_schema *schema = NULL;
	ormc_db *db = NULL;
	ormc_error err;
	int nblocks, i, failures = 0;

	snprintf(path, sizeof(path), "%s/examples/%s/models.py", ORMC_SOURCE_DIR, name);
	ck_assert_msg(ormc_schema_load(&schema, path, NULL, &err) == ORMC_OK, "%s: %s", path, err.message);
	ck_assert_int_eq(ormc_connect(&db, "sqlite::memory:", &err), ORMC_OK);
	ck_assert_msg(ormc_migrate(db, schema, &err) == ORMC_OK, "migrate: %s", err.message);
	snprintf(path, sizeof(path), "%s/examples/%s/fixture.json", ORMC_SOURCE_DIR, name);
	fixture = tu_read_file(path);
	ck_assert_msg(fixture != NULL, "cannot read %s", path);
	ck_assert_msg(ormc_fixture_load(db, schema, fixture, strlen(fixture), &err) == ORMC_OK,
	              "load: %s", err.message);
	free(fixture);

	snprintf(path, sizeof(path), "%s/tests/results/%s.txt", ORMC_SOURCE_DIR, name);
	cases = tu_read_file(path);
	ck_assert_msg(cases != NULL, "cannot read %s", path);
	nblocks = tu_blocks(cases, blocks, 512);
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
		if (expect) {
			if (rc < 0) {
				fprintf(stderr, "%s case %d: %s\n  error: %s\n", name, i + 1, query, err.message);
				failures++;
			} else if (got.data == NULL || strcmp(got.data, expect) != 0) {
				fprintf(stderr, "%s case %d: %s\n  expected: %s\n  got:      %s\n  sql: %s\n", name,
				        i + 1, query, expect, got.data ? got.data : "", q ? ormc_query_sql(q) : "");
				failures++;
			}
		} else if (rc >= 0 || strstr(err.message, experr) == NULL) {
			fprintf(stderr, "%s case %d: %s\n  expected error: %s\n  got: %s\n", name, i + 1, query,
			        experr, rc < 0 ? err.message : (got.data ? got.data : ""));
			failures++;
		}
		ormc_sqlbuf_free(&got);
		ormc_query_free(q);
	}
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

int
main(void)
{
	Suite *s = suite_create("results");
	TCase *tc = tcase_create("sqlite");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_bookstore);
	tcase_add_test(tc, test_shop);
	tcase_add_test(tc, test_auth);
	tcase_add_test(tc, test_tasks);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
