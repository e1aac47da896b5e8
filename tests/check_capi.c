/*
 * check_capi.c -- queries built with C calls (ormc/query.h) mean what their
 * text means: same SQL for every dialect, same results, same errors.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ddl.h"
#include "ormc/ormc.h"
#include "ormc/query.h"
#include "testutil.h"

static ormc_schema *schema;

static void
setup(void)
{
	char path[1024];
	ormc_error err;

	snprintf(path, sizeof(path), "%s/examples/bookstore/models.py", ORMC_SOURCE_DIR);
	ck_assert_msg(ormc_schema_load(&schema, path, NULL, &err) == ORMC_OK, "%s", err.message);
}

static void
teardown(void)
{
	ormc_schema_free(schema);
}

/* Compile both for every dialect and compare SQL and parameters. */
static void
assert_same(ormc_query *built, const char *text)
{
	static const char *dialects[] = { "postgresql", "sqlite", "mysql" };
	ormc_query *parsed;
	ormc_error err;
	int d, i;

	ck_assert_msg(ormc_query_parse(&parsed, schema, text, (size_t)-1, &err) == ORMC_OK, "%s", err.message);
	for (d = 0; d < 3; d++) {
		ck_assert_msg(ormc_query_compile(built, dialects[d], 0, &err) == ORMC_OK, "%s", err.message);
		ck_assert_int_eq(ormc_query_compile(parsed, dialects[d], 0, &err), ORMC_OK);
		ck_assert_str_eq(ormc_query_sql(built), ormc_query_sql(parsed));
		ck_assert_int_eq(ormc_query_nparams(built), ormc_query_nparams(parsed));
		for (i = 0; i < ormc_query_nparams(built); i++)
			ck_assert_int_eq(ormc_query_param(built, i)->type, ormc_query_param(parsed, i)->type);
	}
	ck_assert_int_eq(ormc_query_shape(built), ormc_query_shape(parsed));
	ormc_query_free(parsed);
}

START_TEST(test_filter_annotate_order)
{
	ormc_query *q;
	ormc_error err;
	const char *order[] = { "-num_books", "name" };

	ck_assert_int_eq(ormc_query_new(&q, schema, "Publisher", &err), ORMC_OK);
	ck_assert_int_eq(ormc_query_filter(q, ormc_q(q, "book__rating__gt", ormc_float(q, 3.0)), &err), ORMC_OK);
	ck_assert_int_eq(ormc_query_annotate(q, "num_books", ormc_agg(q, "Count", "book"), &err), ORMC_OK);
	ck_assert_int_eq(ormc_query_order_by(q, order, 2, &err), ORMC_OK);
	assert_same(q, "Publisher.objects.filter(book__rating__gt=3.0)"
	               ".annotate(num_books=Count(\"book\")).order_by(\"-num_books\", \"name\")");
	ormc_query_free(q);
}
END_TEST

START_TEST(test_conditional_aggregate)
{
	ormc_query *q;
	ormc_error err;
	ormc_node *args[1], *kwargs[2];
	const char *kw[] = { "filter", "default" };
	const char *aliases[] = { "n", "s" };
	ormc_node *exprs[2];

	ck_assert_int_eq(ormc_query_new(&q, schema, "Book", &err), ORMC_OK);
	args[0] = ormc_text(q, "id");
	kwargs[0] = ormc_or(q, ormc_q(q, "rating__gt", ormc_int(q, 3)),
	                    ormc_not(q, ormc_q(q, "publisher__name", ormc_text(q, "C"))));
	exprs[0] = ormc_call(q, "Count", args, 1, kw, kwargs, 1);
	args[0] = ormc_text(q, "price");
	kwargs[1] = ormc_int(q, 0);
	exprs[1] = ormc_call(q, "Sum", args, 1, kw + 1, kwargs + 1, 1);
	ck_assert_int_eq(ormc_query_aggregate(q, aliases, exprs, 2, &err), ORMC_OK);
	assert_same(q, "Book.objects.aggregate(n=Count(\"id\", filter=Q(rating__gt=3) | ~Q(publisher__name=\"C\")),"
	               " s=Sum(\"price\", default=0))");
	ck_assert_int_eq(ormc_query_compile(q, "mysql", 0, &err), ORMC_OK);
	ck_assert_ptr_nonnull(strstr(ormc_query_sql(q), "CASE WHEN"));
	ck_assert_ptr_nonnull(strstr(ormc_query_sql(q), "COALESCE"));
	ormc_query_free(q);
}
END_TEST

START_TEST(test_values_slice_count)
{
	ormc_query *q;
	ormc_error err;
	const char *fields[] = { "publisher__name" };
	ck_assert_int_eq(ormc_query_new(&q, schema, "Book", &err), ORMC_OK);
	/* Only + - * / are arithmetic. */
	ck_assert_ptr_null(ormc_arith(q, '^', ormc_f(q, "price"), ormc_f(q, "pages")));
	ck_assert_int_eq(ormc_query_values(q, fields, 1, &err), ORMC_OK);
	ck_assert_int_eq(ormc_query_annotate(q, "total", ormc_arith(q, '*', ormc_f(q, "price"), ormc_f(q, "pages")), &err),
	                 ORMC_OK);
	ck_assert_int_eq(ormc_query_slice(q, 0, 2, &err), ORMC_OK);
	assert_same(q, "Book.objects.values(\"publisher__name\").annotate(total=F(\"price\") * F(\"pages\"))[:2]");
	ormc_query_free(q);
}
END_TEST

START_TEST(test_run_on_sqlite)
{
	ormc_query *q;
	ormc_db *db;
	ormc_error err;
	ormc_sqlbuf got;
	char path[1024], *fixture;

	ck_assert_int_eq(ormc_connect(&db, "sqlite::memory:", &err), ORMC_OK);
	ck_assert_int_eq(ormc_migrate(db, schema, &err), ORMC_OK);
	snprintf(path, sizeof(path), "%s/examples/bookstore/fixture.json", ORMC_SOURCE_DIR);
	fixture = tu_read_file(path);
	ck_assert_ptr_nonnull(fixture);
	ck_assert_int_eq(ormc_fixture_load(db, schema, fixture, strlen(fixture), &err), ORMC_OK);
	free(fixture);
	ck_assert_int_eq(ormc_query_new(&q, schema, "Book", &err), ORMC_OK);
	ck_assert_int_eq(ormc_query_filter(q, ormc_q(q, "authors__age__gt", ormc_int(q, 40)), &err), ORMC_OK);
	ck_assert_int_eq(ormc_query_count(q, &err), ORMC_OK);
	ormc_sqlbuf_init(&got);
	ck_assert_int_eq(tu_run_json(db, q, &got, &err), 0);
	ck_assert_str_eq(got.data, "2");
	ormc_sqlbuf_free(&got);
	ormc_query_free(q);
	ormc_disconnect(db);
}
END_TEST

START_TEST(test_errors_without_position)
{
	ormc_query *q;
	ormc_error err;

	ck_assert_int_eq(ormc_query_new(&q, schema, "Bok", &err), ORMC_ENOFIELD);
	ck_assert_int_eq(ormc_query_new(&q, schema, "Book", &err), ORMC_OK);
	ck_assert_int_eq(ormc_query_filter(q, ormc_q(q, "bok", ormc_int(q, 1)), &err), ORMC_ENOFIELD);
	ck_assert_ptr_nonnull(strstr(err.message, "Cannot resolve keyword 'bok' into field. Choices are: authors"));
	ck_assert_int_eq(err.offset, -1);
	ck_assert_int_eq(ormc_query_filter(q, NULL, &err), ORMC_ENOMEM);
	ck_assert_int_eq(ormc_query_call(q, "frobnicate", NULL, 0, NULL, NULL, 0, &err), ORMC_EUNSUPPORTED);
	ormc_query_free(q);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("capi");
	TCase *tc = tcase_create("builder");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_filter_annotate_order);
	tcase_add_test(tc, test_conditional_aggregate);
	tcase_add_test(tc, test_values_slice_count);
	tcase_add_test(tc, test_run_on_sqlite);
	tcase_add_test(tc, test_errors_without_position);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
