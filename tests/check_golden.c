/*
 * check_golden.c -- the SQL every dialect gets, against golden text.
 *
 * tests/golden/<example>.txt holds blocks separated by "====": the query,
 * then for each target a line "-- <dialect>" followed by the SQL and, when
 * there are parameters, a line "-- params: [...]". Targets: postgresql,
 * sqlite, sqlite 3.29 (no FILTER clause: the CASE fallback) and mysql.
 *
 * After a deliberate change to the generated SQL, regenerate with
 *   ORMC_GOLDEN_UPDATE=1 build/tests/check_golden
 * and review the diff before committing it.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ormc/ormc.h"
#include "testutil.h"

static const struct {
	const char *label;
	const char *dialect;
	int version;
} targets[] = {
	{ "postgresql", "postgresql", 0 },
	{ "sqlite", "sqlite", 0 },
	{ "sqlite 3.29", "sqlite", 32900 },
	{ "mysql", "mysql", 0 },
};
#define NTARGETS ((int)(sizeof(targets) / sizeof(targets[0])))

static void
params_json(const ormc_query *q, ormc_sqlbuf *b)
{
	int i;

	ormc_sqlbuf_append(b, "-- params: [");
	for (i = 0; i < ormc_query_nparams(q); i++) {
		if (i)
			ormc_sqlbuf_append(b, ", ");
		tu_value(b, ormc_query_param(q, i));
	}
	ormc_sqlbuf_append(b, "]\n");
}

/* The expected text of one block, as compiled now. */
static int
render_block(const ormc_schema *schema, const char *query, ormc_sqlbuf *out, ormc_error *err)
{
	ormc_query *q = NULL;
	int t, rc;

	rc = ormc_query_parse(&q, schema, query, (size_t)-1, err);
	if (rc < 0)
		return rc;
	for (t = 0; t < NTARGETS; t++) {
		rc = ormc_query_compile(q, targets[t].dialect, targets[t].version, err);
		if (rc < 0)
			break;
		ormc_sqlbuf_appendf(out, "-- %s\n%s\n", targets[t].label, ormc_query_sql(q));
		if (ormc_query_nparams(q) > 0)
			params_json(q, out);
	}
	ormc_query_free(q);
	return rc;
}

static int
run_golden(const char *name)
{
	char path[1024], *text, *blocks[512];
	ormc_schema *schema = NULL;
	ormc_error err;
	ormc_sqlbuf updated;
	int n, i, failures = 0, update = getenv("ORMC_GOLDEN_UPDATE") != NULL;

	snprintf(path, sizeof(path), "%s/examples/%s/models.py", ORMC_SOURCE_DIR, name);
	ck_assert_msg(ormc_schema_load(&schema, path, NULL, &err) == ORMC_OK, "%s", err.message);
	snprintf(path, sizeof(path), "%s/tests/golden/%s.txt", ORMC_SOURCE_DIR, name);
	text = tu_read_file(path);
	ck_assert_msg(text != NULL, "cannot read %s", path);
	n = tu_blocks(text, blocks, 512);
	ck_assert_msg(n > 0, "no cases in %s", path);
	ormc_sqlbuf_init(&updated);
	for (i = 0; i < n; i++) {
		char *sections = strstr(blocks[i], "\n-- ");
		char *query = blocks[i];
		ormc_sqlbuf got;

		if (sections)
			*sections++ = '\0';
		else
			sections = "";
		ormc_sqlbuf_init(&got);
		if (render_block(schema, query, &got, &err) < 0) {
			fprintf(stderr, "%s case %d: %s\n  error: %s\n", name, i + 1, query, err.message);
			failures++;
		} else if (!update && strcmp(got.data, sections) != 0 &&
		           !(strlen(sections) + 1 == got.len && strncmp(got.data, sections, got.len - 1) == 0)) {
			fprintf(stderr, "%s case %d: %s\n  expected:\n%s\n  got:\n%s\n", name, i + 1, query,
			        sections, got.data);
			failures++;
		}
		if (update)
			ormc_sqlbuf_appendf(&updated, "%s%s\n%s", i ? "====\n" : "", query, got.data ? got.data : "");
		ormc_sqlbuf_free(&got);
	}
	if (update) {
		FILE *f = fopen(path, "w");

		ck_assert_msg(f != NULL, "cannot write %s", path);
		fputs(updated.data, f);
		fclose(f);
	}
	ormc_sqlbuf_free(&updated);
	free(text);
	ormc_schema_free(schema);
	return failures;
}

START_TEST(test_bookstore) { ck_assert_int_eq(run_golden("bookstore"), 0); }
END_TEST
START_TEST(test_shop) { ck_assert_int_eq(run_golden("shop"), 0); }
END_TEST
START_TEST(test_auth) { ck_assert_int_eq(run_golden("auth"), 0); }
END_TEST
START_TEST(test_tasks) { ck_assert_int_eq(run_golden("tasks"), 0); }
END_TEST

int
main(void)
{
	Suite *s = suite_create("golden");
	TCase *tc = tcase_create("sql");
	SRunner *sr;
	int failed;

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
