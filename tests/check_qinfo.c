/*
 * check_qinfo.c -- what a query says about its rows (ormc_query_rows(),
 * keys, ordering columns, the text columns whose collation matters), as
 * `ormc compare` uses it to match rows; and raw floats in a result.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ormc/ormc.h"

static ormc_schema *schema;

static void
setup(void)
{
	static const char models[] =
		"from django.db import models\n"
		"class Author(models.Model):\n"
		"    name = models.CharField(max_length=100)\n"
		"    age = models.IntegerField()\n"
		"class Publisher(models.Model):\n"
		"    name = models.CharField(max_length=300)\n"
		"class Book(models.Model):\n"
		"    name = models.CharField(max_length=300)\n"
		"    rating = models.FloatField()\n"
		"    authors = models.ManyToManyField(Author)\n"
		"    publisher = models.ForeignKey(Publisher, on_delete=models.CASCADE)\n"
		"    class Meta:\n"
		"        ordering = [\"name\"]\n";
	ormc_error err;

	ck_assert_msg(ormc_schema_parse(&schema, models, strlen(models), NULL, &err) == ORMC_OK,
	              "%s", err.message);
}

static void
teardown(void)
{
	ormc_schema_free(schema);
}

static ormc_query *
parse(const char *text)
{
	ormc_query *q;
	ormc_error err;

	ck_assert_msg(ormc_query_parse(&q, schema, text, (size_t)-1, &err) == ORMC_OK, "%s: %s",
	              text, err.message);
	return q;
}

/* The keys of text, joined with ','. */
static void
assert_keys(const char *text, ormc_rows_kind kind, const char *keys)
{
	ormc_query *q = parse(text);
	char buf[256] = "";
	int i;

	ck_assert_msg(ormc_query_rows(q) == kind, "%s: rows kind %d, not %d", text,
	              (int)ormc_query_rows(q), (int)kind);
	for (i = 0; i < ormc_query_nkeys(q); i++) {
		if (i > 0)
			strcat(buf, ",");
		strcat(buf, ormc_query_key(q, i));
	}
	ck_assert_msg(strcmp(buf, keys) == 0, "%s: keys \"%s\", not \"%s\"", text, buf, keys);
	ck_assert_ptr_null(ormc_query_key(q, ormc_query_nkeys(q)));
	ormc_query_free(q);
}

START_TEST(test_rows_and_keys)
{
	assert_keys("Book.objects.aggregate(n=Count(\"id\"))", ORMC_ROWS_ONE, "");
	assert_keys("Book.objects.count()", ORMC_ROWS_ONE, "");
	assert_keys("Publisher.objects.first()", ORMC_ROWS_ONE, "");
	/* grouped by values(): the group key */
	assert_keys("Book.objects.values(\"publisher__name\").annotate(n=Count(\"id\"))",
	            ORMC_ROWS_KEYED, "publisher__name");
	assert_keys("Book.objects.values(\"name\", \"rating\").annotate(n=Count(\"authors\"))",
	            ORMC_ROWS_KEYED, "name,rating");
	/* model rows and values() with the pk: the pk */
	assert_keys("Publisher.objects.all()", ORMC_ROWS_KEYED, "id");
	assert_keys("Publisher.objects.annotate(n=Count(\"book\"))", ORMC_ROWS_KEYED, "id");
	assert_keys("Author.objects.values(\"id\", \"name\")", ORMC_ROWS_KEYED, "id");
	/* across a many-to-many the pk repeats: no key */
	assert_keys("Author.objects.values(\"id\", \"book__name\")", ORMC_ROWS_UNORDERED, "");
	assert_keys("Author.objects.values(\"name\")", ORMC_ROWS_UNORDERED, "");
	/* ordered: order_by(), or Meta.ordering of model rows */
	assert_keys("Author.objects.order_by(\"name\")", ORMC_ROWS_ORDERED, "id");
	assert_keys("Book.objects.all()", ORMC_ROWS_ORDERED, "id");
	assert_keys("Book.objects.order_by()", ORMC_ROWS_KEYED, "id");
	/* Meta.ordering does not apply to a grouped query (Django 3.1+) */
	assert_keys("Book.objects.values(\"name\").annotate(n=Count(\"id\"))", ORMC_ROWS_KEYED, "name");
	assert_keys("Author.objects.order_by(\"-age\")[:3]", ORMC_ROWS_ORDERED, "id");
}
END_TEST

START_TEST(test_order_columns)
{
	ormc_query *q = parse("Book.objects.values(\"publisher__name\").annotate(n=Count(\"id\"))"
	                      ".order_by(\"-n\", \"publisher__name\")");

	ck_assert_int_eq(ormc_query_norder(q), 2);
	ck_assert_str_eq(ormc_query_order_column(q, 0), "n");
	ck_assert_str_eq(ormc_query_order_column(q, 1), "publisher__name");
	ck_assert_ptr_null(ormc_query_order_column(q, 2));
	ormc_query_free(q);

	q = parse("Author.objects.order_by(\"age\").values(\"name\")");
	ck_assert_int_eq(ormc_query_norder(q), 1);
	ck_assert_ptr_null(ormc_query_order_column(q, 0));   /* age is not selected */
	ormc_query_free(q);

	q = parse("Book.objects.all()");                       /* Meta.ordering */
	ck_assert_int_eq(ormc_query_norder(q), 1);
	ck_assert_str_eq(ormc_query_order_column(q, 0), "name");
	ormc_query_free(q);

	q = parse("Book.objects.values(\"name\")");            /* unordered */
	ck_assert_int_eq(ormc_query_norder(q), 0);
	ormc_query_free(q);
}
END_TEST

START_TEST(test_text_columns)
{
	const char *tables[4], *columns[4];
	ormc_query *q;

	/* grouped by a text column, Max of another */
	q = parse("Book.objects.values(\"publisher__name\").annotate(m=Max(\"name\"), n=Count(\"id\"))");
	ck_assert_int_eq(ormc_query_text_columns(q, NULL, NULL, 0), 2);
	ck_assert_int_eq(ormc_query_text_columns(q, tables, columns, 1), 2);   /* counts past max */
	ck_assert_int_eq(ormc_query_text_columns(q, tables, columns, 4), 2);
	ck_assert_str_eq(tables[0], "publisher");
	ck_assert_str_eq(columns[0], "name");
	ck_assert_str_eq(tables[1], "book");
	ck_assert_str_eq(columns[1], "name");
	ormc_query_free(q);

	/* a filter on text is binary on MySQL: not listed; Count is not a comparison */
	q = parse("Book.objects.filter(name=\"A\").aggregate(n=Count(\"name\"))");
	ck_assert_int_eq(ormc_query_text_columns(q, tables, columns, 4), 0);
	ormc_query_free(q);

	/* a case-insensitive lookup is LIKE under the column's collation, in a filter or filter= */
	q = parse("Book.objects.filter(publisher__name__icontains=\"a\", name__gt=\"b\").count()");
	ck_assert_int_eq(ormc_query_text_columns(q, tables, columns, 4), 1);
	ck_assert_str_eq(tables[0], "publisher");
	ck_assert_str_eq(columns[0], "name");
	ormc_query_free(q);
	q = parse("Book.objects.aggregate(n=Count(\"id\", filter=Q(name__iexact=\"a\") | Q(rating__gt=1)))");
	ck_assert_int_eq(ormc_query_text_columns(q, tables, columns, 4), 1);
	ck_assert_str_eq(tables[0], "book");
	ormc_query_free(q);

	/* ordering and a distinct count do compare */
	q = parse("Author.objects.order_by(\"name\").values(\"age\")");
	ck_assert_int_eq(ormc_query_text_columns(q, tables, columns, 4), 1);
	ck_assert_str_eq(tables[0], "author");
	ormc_query_free(q);
	q = parse("Book.objects.aggregate(n=Count(\"authors__name\", distinct=True))");
	ck_assert_int_eq(ormc_query_text_columns(q, tables, columns, 4), 1);
	ck_assert_str_eq(tables[0], "author");
	ormc_query_free(q);
}
END_TEST

START_TEST(test_raw_floats)
{
	ormc_query *q = parse("Book.objects.order_by(\"id\").values(\"rating\")");
	ormc_db *db;
	ormc_result *r;
	const ormc_value *row;
	ormc_error err;
	int raw;

	ck_assert_int_eq(ormc_connect(&db, "sqlite::memory:", &err), ORMC_OK);
	ck_assert_int_eq(ormc_db_exec(db, "CREATE TABLE book (id integer primary key, name text, "
	                              "rating real, publisher_id integer)", NULL, 0, &err), ORMC_OK);
	/* 0.1 + 0.2: 0.30000000000000004, which 15 digits round to 0.3 */
	ck_assert_int_eq(ormc_db_exec(db, "INSERT INTO book VALUES (1, 'a', 0.1 + 0.2, 1)", NULL, 0, &err),
	                 ORMC_OK);
	for (raw = 0; raw <= 1; raw++) {
		ck_assert_int_eq(ormc_query_run(&r, db, q, &err), ORMC_OK);
		ormc_result_set_raw_floats(r, raw);
		ck_assert_int_eq(ormc_result_next(r, &row, &err), 1);
		ck_assert_int_eq(row[0].type, ORMC_TYPE_FLOAT);
		if (raw)
			ck_assert(row[0].f == 0.1 + 0.2);
		else
			ck_assert(row[0].f == 0.3);
		ormc_result_free(r);
	}
	/* not MySQL: no collation to read */
	{
		char buf[65];

		ck_assert_int_eq(ormc_db_column_collation(db, "book", "name", buf, sizeof(buf), &err), 0);
		ck_assert_str_eq(buf, "");
	}
	ormc_disconnect(db);
	ormc_query_free(q);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("qinfo");
	TCase *tc = tcase_create("qinfo");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_rows_and_keys);
	tcase_add_test(tc, test_order_columns);
	tcase_add_test(tc, test_text_columns);
	tcase_add_test(tc, test_raw_floats);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
