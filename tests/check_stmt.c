/*
 * check_stmt.c -- named parameters, compiled statements (ormc_stmt) and
 * parameter sets (ormc_params).
 *
 *   check_stmt              compile-only cases: the SQL, the parameters'
 *                           types, and every error, on the three dialects
 *   check_stmt COMBO DIR    on a database (sqlite, postgresql, mysql,
 *                           postgresql-odbc, mysql-odbc): a parameterised
 *                           query gives what the same query with the value
 *                           written in gives; a value can never become
 *                           query text; one statement executed many times,
 *                           and from 8 threads at once, each on its own
 *                           connection, while other threads parse against
 *                           the shared schema and compile.
 */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "backends.h"
#include "ormc/ormc.h"
#include "ormc/query.h"
#include "ormc/stmt.h"

static const char *combo;     /* argv[1], or NULL for the compile-only cases */
static const char *outdir;    /* argv[2] */
static ormc_schema *schema;   /* examples/shop */

static void
load_schema(void)
{
	char path[1024];
	ormc_error err;

	snprintf(path, sizeof(path), "%s/examples/shop/models.py", ORMC_SOURCE_DIR);
	ck_assert_msg(ormc_schema_load(&schema, path, NULL, &err) == ORMC_OK, "%s", err.message);
}

static void
free_schema(void)
{
	ormc_schema_free(schema);
	schema = NULL;
}

static ormc_query *
parse(const char *text)
{
	ormc_query *q;
	ormc_error err;

	ck_assert_msg(ormc_query_parse(&q, schema, text, (size_t)-1, &err) == ORMC_OK,
	              "%s: %s", text, err.message);
	return q;
}

/* ---------------------------------------------------------------- compile only */

/* The statement's parameters, as "name:type name:type". */
static void
param_list(const ormc_stmt *st, char *buf, size_t n)
{
	int i;
	size_t off = 0;

	buf[0] = '\0';
	for (i = 0; i < ormc_stmt_nparams(st) && off < n; i++)
		off += (size_t)snprintf(buf + off, n - off, "%s%s:%s", i ? " " : "",
		                        ormc_stmt_param_name(st, i),
		                        ormc_type_name(ormc_stmt_param_type(st, i)));
}

static void
expect_params(const char *text, const char *want)
{
	static const char *const dialects[] = { "postgresql", "sqlite", "mysql" };
	ormc_query *q = parse(text);
	ormc_stmt *st;
	ormc_error err;
	char got[512];
	int d;

	for (d = 0; d < 3; d++) {
		ck_assert_msg(ormc_stmt_prepare(&st, q, dialects[d], 0, &err) == ORMC_OK, "%s: %s",
		              text, err.message);
		param_list(st, got, sizeof(got));
		ck_assert_msg(strcmp(got, want) == 0, "%s on %s: parameters %s, expected %s", text,
		              dialects[d], got, want);
		ormc_stmt_free(st);
	}
	ormc_query_free(q);
}

START_TEST(test_types_from_what_they_meet)
{
	expect_params("Order.objects.filter(status=status).count()", "status:text");
	expect_params("Order.objects.filter(created_at__gte=since, total__gt=t).count()",
	              "since:datetime t:decimal");
	expect_params("Order.objects.filter(quantity__in=[a, b], created_at__range=(lo, hi)).count()",
	              "lo:datetime hi:datetime a:int b:int");   /* keywords in Django's sorted order */
	expect_params("Order.objects.filter(product__name__icontains=w, created_at__year=y).count()",
	              "y:int w:text");
	expect_params("Order.objects.aggregate(s=Sum(F(\"total\") * rate), d=Sum(\"total\", default=z))",
	              "rate:decimal z:decimal");
	expect_params("Order.objects.aggregate(c=Coalesce(Max(\"quantity\"), fallback))",
	              "fallback:int");
	expect_params("Order.objects.annotate(v=Value(k, output_field=IntegerField())).filter(v__gt=0).count()",
	              "k:int");
	expect_params("Product.objects.filter(in_stock=flag, price__lte=cap).count()",
	              "flag:bool cap:decimal");
	expect_params("Order.objects.annotate(c=Case(When(status=s, then=one), default=Value(0))).aggregate(n=Sum(\"c\"))",
	              "s:text one:int");
	/* one name, one parameter, however often it is used */
	expect_params("Order.objects.filter(Q(status=s) | Q(status=s), quantity__gte=n).count()",
	              "s:text n:int");
	/* a script's names are not parameters */
	expect_params("floor = 2\nOrder.objects.filter(quantity__gte=floor, status=st).count()",
	              "st:text");
}
END_TEST

START_TEST(test_sql_binds_never_pastes)
{
	ormc_query *q = parse("Order.objects.filter(status=status, total__gt=t, product__name__contains=w).count()");
	ormc_stmt *st;
	ormc_error err;
	const char *sql;

	ck_assert_int_eq(ormc_stmt_prepare(&st, q, "postgresql", 0, &err), ORMC_OK);
	sql = ormc_stmt_sql(st);
	ck_assert_ptr_nonnull(strstr(sql, "\"status\" = $"));
	ck_assert_ptr_nonnull(strstr(sql, "::numeric"));
	ck_assert_ptr_nonnull(strstr(sql, " LIKE $"));
	ormc_stmt_free(st);
	ck_assert_int_eq(ormc_stmt_prepare(&st, q, "mysql", 0, &err), ORMC_OK);
	ck_assert_ptr_nonnull(strstr(ormc_stmt_sql(st), "CAST(? AS DECIMAL(65, 30))"));
	ck_assert_ptr_nonnull(strstr(ormc_stmt_sql(st), "LIKE BINARY ?"));
	ormc_stmt_free(st);
	ck_assert_int_eq(ormc_stmt_prepare(&st, q, "sqlite", 0, &err), ORMC_OK);
	ck_assert_ptr_nonnull(strstr(ormc_stmt_sql(st), "GLOB ?"));
	ormc_stmt_free(st);
	/* the query's own compile shows which placeholder is which parameter */
	ck_assert_int_eq(ormc_query_compile(q, "postgresql", 0, &err), ORMC_OK);
	ck_assert_int_eq(ormc_query_nparams(q), 3);
	{
		char names[64] = "";
		int i;

		for (i = 0; i < 3; i++) {
			strcat(names, ormc_query_param_name(q, i));
			strcat(names, " ");
		}
		/* WHERE in Django's order of the sorted keywords */
		ck_assert_str_eq(names, "w status t ");
	}
	ormc_query_free(q);
}
END_TEST

static void
expect_error(const char *text, int at_prepare, int code, const char *msg)
{
	ormc_query *q = NULL;
	ormc_stmt *st;
	ormc_error err;
	int rc;

	rc = ormc_query_parse(&q, schema, text, (size_t)-1, &err);
	if (at_prepare) {
		ck_assert_msg(rc == ORMC_OK, "%s: %s", text, err.message);
		rc = ormc_stmt_prepare(&st, q, "postgresql", 0, &err);
	}
	ck_assert_msg(rc == code, "%s: code %d, expected %d (%s)", text, rc, code, err.message);
	ck_assert_msg(strstr(err.message, msg) != NULL, "%s: message \"%s\" lacks \"%s\"", text,
	              err.message, msg);
	ormc_query_free(q);
}

START_TEST(test_errors)
{
	expect_error("Order.objects.filter(status=x, quantity=x).count()", 0, ORMC_EPARAM,
	             "parameter 'x' meets CharField here and PositiveIntegerField before");
	expect_error("Order.objects.annotate(v=Value(x)).values(\"v\")", 1, ORMC_EPARAM,
	             "the type of parameter 'x' cannot be told");
	expect_error("Order.objects.filter(status__in=statuses).count()", 0, ORMC_EPARAM,
	             "parameter 'statuses' cannot be a list");
	expect_error("Order.objects.filter(quantity=Count).count()", 0, ORMC_EINVALID,
	             "'Count' is a model or a function");
	expect_error("Order.objects.filter(product=Product).count()", 0, ORMC_EINVALID,
	             "'Product' is a model or a function");
}
END_TEST

START_TEST(test_params_api)
{
	ormc_params *ps;

	ck_assert_int_eq(ormc_params_new(&ps), ORMC_OK);
	ck_assert_int_eq(ormc_params_set_text(ps, "status", "paid", (size_t)-1), ORMC_OK);
	ck_assert_int_eq(ormc_params_set_text(ps, "status", "pending", (size_t)-1), ORMC_OK);
	ck_assert_int_eq(ormc_params_count(ps), 1);
	ck_assert_int_eq(ormc_params_set_date(ps, "d", 2024, 2, 29), ORMC_OK);
	ck_assert_int_eq(ormc_params_set_date(ps, "d", 2023, 2, 29), ORMC_EPARAM);
	ck_assert_int_eq(ormc_params_set_datetime(ps, "t", 2024, 1, 1, 24, 0, 0, 0), ORMC_EPARAM);
	ck_assert_int_eq(ormc_params_set_decimal(ps, "m", "12.50"), ORMC_OK);
	ck_assert_int_eq(ormc_params_set_decimal(ps, "m", "12,50"), ORMC_EPARAM);
	ck_assert_int_eq(ormc_params_set_int64(ps, "1x", 1), ORMC_EPARAM);
	ck_assert_int_eq(ormc_params_set_int64(ps, "", 1), ORMC_EPARAM);
	ck_assert_int_eq(ormc_params_count(ps), 3);
	ormc_params_clear(ps);
	ck_assert_int_eq(ormc_params_count(ps), 0);
	ormc_params_free(ps);
}
END_TEST

START_TEST(test_builder_param)
{
	ormc_query *built, *parsed;
	ormc_error err;
	ormc_node *conds[3];

	ck_assert_int_eq(ormc_query_new(&built, schema, "Order", &err), ORMC_OK);
	conds[0] = ormc_q(built, "status", ormc_param(built, "status"));
	conds[1] = ormc_q(built, "created_at__gte", ormc_lit_date(built, 2026, 1, 1));
	conds[2] = ormc_q(built, "total__gt", ormc_lit_decimal(built, "10.5"));
	ck_assert_int_eq(ormc_query_filter(built, ormc_and(built, ormc_and(built, conds[0], conds[1]), conds[2]),
	                                   &err), ORMC_OK);
	ck_assert_int_eq(ormc_query_count(built, &err), ORMC_OK);
	parsed = parse("Order.objects.filter(Q(status=status) & Q(created_at__gte=\"2026-01-01\") & "
	               "Q(total__gt=\"10.5\")).count()");
	ck_assert_int_eq(ormc_query_compile(built, "postgresql", 0, &err), ORMC_OK);
	ck_assert_int_eq(ormc_query_compile(parsed, "postgresql", 0, &err), ORMC_OK);
	ck_assert_str_eq(ormc_query_sql(built), ormc_query_sql(parsed));
	{
		int i, named = 0;

		for (i = 0; i < ormc_query_nparams(built); i++)
			if (ormc_query_param_name(built, i) != NULL) {
				ck_assert_str_eq(ormc_query_param_name(built, i), "status");
				named++;
			}
		ck_assert_int_eq(named, 1);
	}
	ck_assert_ptr_null(ormc_param(built, "not a name"));
	ck_assert_ptr_null(ormc_lit_date(built, 2026, 2, 30));
	ck_assert_ptr_null(ormc_lit_decimal(built, "1.2.3"));
	ormc_query_free(built);
	ormc_query_free(parsed);
}
END_TEST

START_TEST(test_run_needs_values)
{
	ormc_query *q = parse("Order.objects.filter(status=status).count()");
	ormc_db *db;
	ormc_result *r;
	ormc_error err;

	ck_assert_int_eq(ormc_connect(&db, "sqlite::memory:", &err), ORMC_OK);
	ck_assert_int_eq(ormc_query_run(&r, db, q, &err), ORMC_EPARAM);
	ck_assert_ptr_nonnull(strstr(err.message, "parameter 'status' is not bound"));
	ck_assert_int_eq(ormc_query_execute(&r, db, q, NULL, &err), ORMC_EPARAM);
	ck_assert_ptr_nonnull(strstr(err.message, "parameter 'status' is not bound"));
	ormc_disconnect(db);
	ormc_query_free(q);
}
END_TEST

/* ---------------------------------------------------------------- on a database */

static char db_url[1024];

static const char *
combo_backend(const char *c)
{
	if (strstr(c, "-odbc") != NULL)
		return "odbc";
	return c;
}

/* A database with the shop example, once per run; its URL in db_url. */
static void
make_db(void)
{
	char why[512], path[900];
	ormc_db *db;
	ormc_schema *s;
	ormc_error err;
	int odbc = strstr(combo, "-odbc") != NULL;

	if (strcmp(combo, "sqlite") == 0) {
		snprintf(path, sizeof(path), "%s/stmt-sqlite.db", outdir);
		remove(path);
		snprintf(db_url, sizeof(db_url), "sqlite:%s", path);
	} else {
		const char *kind = strncmp(combo, "mysql", 5) == 0 ? "mysql" : "postgresql";
		const char *dbname = odbc ? "ormc_stmt_odbc" : "ormc_stmt";

		ck_assert_msg(tb_fresh_db(kind, dbname, db_url, sizeof(db_url), why, sizeof(why)) == 0,
		              "%s: %s", combo, why);
		if (odbc)
			ck_assert_msg(tb_odbc_url(kind, dbname, db_url, sizeof(db_url), why, sizeof(why)) == 0,
			              "%s: %s", combo, why);
	}
	ck_assert_msg(ormc_connect(&db, db_url, &err) == ORMC_OK, "%s: %s", combo, err.message);
	snprintf(path, sizeof(path), "%s/examples/shop/models.py", ORMC_SOURCE_DIR);
	tb_load_example(db, path, &s);
	ormc_schema_free(s);
	ormc_disconnect(db);
}

static ormc_db *
open_db(void)
{
	ormc_db *db;
	ormc_error err;

	ck_assert_msg(ormc_connect(&db, db_url, &err) == ORMC_OK, "%s: %s", combo, err.message);
	return db;
}

/* Every row of r as text, "a|b\n" per row; err filled on failure. Returns 0 or <0. */
static int
rows_text(ormc_result *r, char *buf, size_t n, ormc_error *err)
{
	const ormc_value *row;
	size_t off = 0;
	int rc, i;

	buf[0] = '\0';
	while ((rc = ormc_result_next(r, &row, err)) > 0) {
		for (i = 0; i < ormc_result_ncolumns(r); i++) {
			char cell[256];

			ormc_value_format(&row[i], cell, sizeof(cell));
			off += (size_t)snprintf(buf + off, off < n ? n - off : 0, "%s%s", i ? "|" : "",
			                        row[i].type == ORMC_TYPE_NULL ? "NULL" : cell);
		}
		off += (size_t)snprintf(buf + off, off < n ? n - off : 0, "\n");
	}
	ck_assert_msg(off < n, "result too long for the buffer");
	return rc;
}

/* The answer of text (no parameters) on db. */
static void
answer_of(ormc_db *db, const char *text, char *buf, size_t n)
{
	ormc_query *q = parse(text);
	ormc_result *r;
	ormc_error err;

	ck_assert_msg(ormc_query_run(&r, db, q, &err) == ORMC_OK, "%s: %s", text, err.message);
	ck_assert_msg(rows_text(r, buf, n, &err) == 0, "%s: %s", text, err.message);
	ormc_result_free(r);
	ormc_query_free(q);
}

/* The answer of st executed with ps, through db's prepared statement. */
static void
answer_stmt(ormc_db *db, const ormc_stmt *st, const ormc_params *ps, char *buf, size_t n)
{
	ormc_result *r;
	ormc_error err;

	ck_assert_msg(ormc_stmt_execute(&r, st, db, ps, &err) == ORMC_OK, "%s: %s", combo, err.message);
	ck_assert_msg(rows_text(r, buf, n, &err) == 0, "%s: %s", combo, err.message);
	ormc_result_free(r);
}

/*
 * One case: a query with parameters, the values (name=value as the CLI
 * takes them), and the same query with the values written in.
 */
typedef struct pcase {
	const char *with_params;
	const char *values[4];
	const char *literal;
} pcase;

static const pcase cases[] = {
	{ "Order.objects.filter(status=s).aggregate(n=Count(\"id\"), t=Sum(\"total\"))",
	  { "s=paid" }, "Order.objects.filter(status=\"paid\").aggregate(n=Count(\"id\"), t=Sum(\"total\"))" },
	{ "Order.objects.filter(status=s).aggregate(n=Count(\"id\"), t=Sum(\"total\"))",
	  { "s=refunded" }, "Order.objects.filter(status=\"refunded\").aggregate(n=Count(\"id\"), t=Sum(\"total\"))" },
	{ "Order.objects.filter(created_at__gte=since).values(\"status\").annotate(n=Count(\"id\")).order_by(\"status\")",
	  { "since=2026-02-01" },
	  "Order.objects.filter(created_at__gte=\"2026-02-01\").values(\"status\").annotate(n=Count(\"id\")).order_by(\"status\")" },
	{ "Order.objects.filter(total__gte=lo, total__lt=hi).aggregate(n=Count(\"id\"))",
	  { "lo=10.5", "hi=200" },
	  "Order.objects.filter(total__gte=10.5, total__lt=200).aggregate(n=Count(\"id\"))" },
	{ "Order.objects.filter(quantity__in=[a, b]).aggregate(n=Count(\"id\"), q=Sum(\"quantity\"))",
	  { "a=1", "b=3" }, "Order.objects.filter(quantity__in=[1, 3]).aggregate(n=Count(\"id\"), q=Sum(\"quantity\"))" },
	{ "Order.objects.filter(created_at__range=(lo, hi)).count()",
	  { "lo=2026-01-01", "hi=2026-02-15 00:00:00" },
	  "Order.objects.filter(created_at__range=(\"2026-01-01\", \"2026-02-15 00:00:00\")).count()" },
	{ "Product.objects.filter(name__icontains=w).values(\"name\").order_by(\"name\")",
	  { "w=E" }, "Product.objects.filter(name__icontains=\"E\").values(\"name\").order_by(\"name\")" },
	{ "Product.objects.filter(name__startswith=w).count()",
	  { "w=%" }, "Product.objects.filter(name__startswith=\"%\").count()" },
	{ "Product.objects.filter(name__contains=w).count()",
	  { "w=_" }, "Product.objects.filter(name__contains=\"_\").count()" },
	{ "Product.objects.filter(in_stock=b).count()",
	  { "b=false" }, "Product.objects.filter(in_stock=False).count()" },
	{ "Store.objects.annotate(rev=Sum(\"products__orders__total\", default=z)).values(\"name\", \"rev\").order_by(\"name\")",
	  { "z=0" },
	  "Store.objects.annotate(rev=Sum(\"products__orders__total\", default=0)).values(\"name\", \"rev\").order_by(\"name\")" },
	/* rate takes total's type, DecimalField(max_digits=10, decimal_places=2) */
	{ "Order.objects.aggregate(s=Sum(F(\"total\") * rate))",
	  { "rate=2" },
	  "Order.objects.aggregate(s=Sum(F(\"total\") * Value(\"2.00\", "
	  "output_field=DecimalField(max_digits=10, decimal_places=2))))" },
	{ "Order.objects.filter(created_at__year=y, created_at__month=m).count()",
	  { "y=2026", "m=1" }, "Order.objects.filter(created_at__year=2026, created_at__month=1).count()" },
	{ "Order.objects.annotate(paid=Count(\"id\", filter=Q(status=s))).filter(paid__gte=k).aggregate(n=Count(\"id\"))",
	  { "s=paid", "k=1" },
	  "Order.objects.annotate(paid=Count(\"id\", filter=Q(status=\"paid\"))).filter(paid__gte=1).aggregate(n=Count(\"id\"))" },
};

static ormc_params *
params_of(const char *const *values)
{
	ormc_params *ps;
	int i;

	ck_assert_int_eq(ormc_params_new(&ps), ORMC_OK);
	for (i = 0; i < 4 && values[i]; i++) {
		const char *eq = strchr(values[i], '=');
		char name[64];

		ck_assert_ptr_nonnull(eq);
		snprintf(name, sizeof(name), "%.*s", (int)(eq - values[i]), values[i]);
		ck_assert_int_eq(ormc_params_set_text(ps, name, eq + 1, (size_t)-1), ORMC_OK);
	}
	return ps;
}

START_TEST(test_same_as_written_in)
{
	ormc_db *db = open_db();
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char want[4096], got[4096], again[4096];
		ormc_query *q;
		ormc_stmt *st;
		ormc_params *ps;
		ormc_result *r;
		ormc_error err;

		answer_of(db, cases[i].literal, want, sizeof(want));
		q = parse(cases[i].with_params);
		ps = params_of(cases[i].values);
		ck_assert_msg(ormc_stmt_prepare_for(&st, q, db, &err) == ORMC_OK, "%s", err.message);
		answer_stmt(db, st, ps, got, sizeof(got));
		ck_assert_msg(strcmp(want, got) == 0, "%s: %s\nwith parameters:\n%s\nwritten in:\n%s", combo,
		              cases[i].with_params, got, want);
		/* the prepared statement again, and the one-off path */
		answer_stmt(db, st, ps, again, sizeof(again));
		ck_assert_str_eq(again, want);
		ck_assert_msg(ormc_query_execute(&r, db, q, ps, &err) == ORMC_OK, "%s", err.message);
		ck_assert_int_eq(rows_text(r, again, sizeof(again), &err), 0);
		ck_assert_str_eq(again, want);
		ormc_result_free(r);
		ormc_params_free(ps);
		ormc_stmt_free(st);
		ormc_query_free(q);
	}
	ormc_disconnect(db);
}
END_TEST

START_TEST(test_injection_is_impossible)
{
	static const char *const attacks[] = {
		"paid\") | Q(id__gt=0) | Q(status=\"",
		"paid' OR '1'='1",
		"paid\" OR \"1\"=\"1",
		"'; DROP TABLE shop_order; --",
		"paid\\",
		"%",
	};
	ormc_db *db = open_db();
	ormc_query *q = parse("Order.objects.filter(status=status).count()");
	ormc_query *total = parse("Order.objects.count()");
	ormc_stmt *st;
	ormc_params *ps;
	ormc_error err;
	char got[256], all[256];
	size_t i;

	ck_assert_int_eq(ormc_stmt_prepare_for(&st, q, db, &err), ORMC_OK);
	ck_assert_int_eq(ormc_params_new(&ps), ORMC_OK);
	ormc_params_set_text(ps, "status", "paid", (size_t)-1);
	answer_stmt(db, st, ps, got, sizeof(got));
	answer_of(db, "Order.objects.filter(status=\"paid\").count()", all, sizeof(all));
	ck_assert_str_eq(got, all);
	ck_assert_str_ne(got, "0\n");
	for (i = 0; i < sizeof(attacks) / sizeof(attacks[0]); i++) {
		ormc_params_set_text(ps, "status", attacks[i], (size_t)-1);
		answer_stmt(db, st, ps, got, sizeof(got));
		ck_assert_msg(strcmp(got, "0\n") == 0, "%s: status=%s counted %s", combo, attacks[i], got);
	}
	answer_of(db, "Order.objects.count()", all, sizeof(all));
	ck_assert_str_eq(all, "7\n");   /* nothing was dropped */
	ormc_params_free(ps);
	ormc_stmt_free(st);
	ormc_query_free(q);
	ormc_query_free(total);
	ormc_disconnect(db);
}
END_TEST

START_TEST(test_bad_values_name_the_parameter)
{
	ormc_db *db = open_db();
	ormc_query *q = parse("Order.objects.filter(quantity__gte=n, created_at__lt=before).count()");
	ormc_stmt *st;
	ormc_params *ps;
	ormc_result *r;
	ormc_error err;

	ck_assert_int_eq(ormc_stmt_prepare_for(&st, q, db, &err), ORMC_OK);
	ck_assert_int_eq(ormc_params_new(&ps), ORMC_OK);
	ormc_params_set_text(ps, "n", "two", (size_t)-1);
	ormc_params_set_text(ps, "before", "2026-01-01", (size_t)-1);
	ck_assert_int_eq(ormc_stmt_execute(&r, st, db, ps, &err), ORMC_EPARAM);
	ck_assert_msg(strstr(err.message, "parameter 'n'") != NULL, "%s", err.message);
	ormc_params_set_int64(ps, "n", 2);
	ormc_params_set_text(ps, "before", "2026-02-30", (size_t)-1);
	ck_assert_int_eq(ormc_stmt_execute(&r, st, db, ps, &err), ORMC_EPARAM);
	ck_assert_msg(strstr(err.message, "parameter 'before'") != NULL, "%s", err.message);
	ormc_params_set_date(ps, "before", 2026, 2, 28);
	ormc_params_set_text(ps, "extra", "not a number", (size_t)-1);   /* a name st does not use */
	ck_assert_int_eq(ormc_stmt_execute(&r, st, db, ps, &err), ORMC_OK);
	ormc_result_free(r);
	ormc_params_clear(ps);
	ormc_params_set_int64(ps, "n", 2);
	ck_assert_int_eq(ormc_stmt_execute(&r, st, db, ps, &err), ORMC_EPARAM);
	ck_assert_msg(strstr(err.message, "parameter 'before' is not bound") != NULL, "%s", err.message);
	ormc_params_set_text(ps, "n", "2", (size_t)-1);
	ormc_params_set_text(ps, "before", "2026-02-28", (size_t)-1);
	ck_assert_int_eq(ormc_stmt_execute(&r, st, db, ps, &err), ORMC_OK);
	ormc_result_free(r);
	ormc_params_free(ps);
	ormc_stmt_free(st);
	ormc_query_free(q);
	ormc_disconnect(db);
}
END_TEST

/* Values cycled through by the repeated and threaded executions. */
static const char *const statuses[] = { "paid", "pending", "refunded", "none" };
static const char *const floors[] = { "0", "10", "50.25", "1000" };

#define STMT_QUERY \
	"Order.objects.filter(status=s, total__gte=lo).aggregate(n=Count(\"id\"), t=Sum(\"total\", default=0), " \
	"q=Max(\"quantity\"))"

static char expected[4][4][256];

static void
compute_expected(ormc_db *db)
{
	int i, j;

	for (i = 0; i < 4; i++)
		for (j = 0; j < 4; j++) {
			char text[512];

			snprintf(text, sizeof(text),
			         "Order.objects.filter(status=\"%s\", total__gte=%s).aggregate(n=Count(\"id\"), "
			         "t=Sum(\"total\", default=0), q=Max(\"quantity\"))", statuses[i], floors[j]);
			answer_of(db, text, expected[i][j], sizeof(expected[i][j]));
		}
}

START_TEST(test_execute_many)
{
	ormc_db *db = open_db();
	ormc_query *q = parse(STMT_QUERY);
	ormc_stmt *st;
	ormc_params *ps;
	ormc_result *r;
	const ormc_value *row;
	ormc_error err;
	char got[256];
	int k;

	compute_expected(db);
	ck_assert_int_eq(ormc_stmt_prepare_for(&st, q, db, &err), ORMC_OK);
	ormc_query_free(q);          /* the statement does not need its query */
	ck_assert_int_eq(ormc_params_new(&ps), ORMC_OK);
	for (k = 0; k < 64; k++) {
		ormc_params_set_text(ps, "s", statuses[k % 4], (size_t)-1);
		ormc_params_set_text(ps, "lo", floors[(k / 4) % 4], (size_t)-1);
		answer_stmt(db, st, ps, got, sizeof(got));
		ck_assert_msg(strcmp(got, expected[k % 4][(k / 4) % 4]) == 0, "%s: run %d: %s, expected %s",
		              combo, k, got, expected[k % 4][(k / 4) % 4]);
	}
	/* a result left unread, then freed: the statement runs again */
	ck_assert_int_eq(ormc_stmt_execute(&r, st, db, ps, &err), ORMC_OK);
	ormc_result_free(r);
	/* two results of one statement open at once on one connection */
	{
		ormc_result *r2;
		char a[256], b[256];

		ormc_params_set_text(ps, "s", "paid", (size_t)-1);
		ormc_params_set_text(ps, "lo", "0", (size_t)-1);
		ck_assert_int_eq(ormc_stmt_execute(&r, st, db, ps, &err), ORMC_OK);
		ck_assert_int_eq(ormc_result_next(r, &row, &err), 1);
		/*
		 * SQLite runs it on a second statement; PostgreSQL (rows streamed
		 * one at a time) and MySQL's protocol cannot interleave two open
		 * results on one connection: a clear error, and the first result
		 * is still read to its end.
		 */
		ormc_params_set_text(ps, "s", "pending", (size_t)-1);
		if (ormc_stmt_execute(&r2, st, db, ps, &err) == ORMC_OK) {
			ck_assert_int_eq(rows_text(r2, b, sizeof(b), &err), 0);
			ck_assert_str_eq(b, expected[1][0]);
			ormc_result_free(r2);
		} else {
			ck_assert_msg(strcmp(combo, "sqlite") != 0, "%s", err.message);
			ck_assert_int_eq(err.code, ORMC_EDRIVER);
		}
		ormc_value_format(&row[0], a, sizeof(a));
		ck_assert_int_eq(atoi(a), atoi(expected[0][0]));
		ormc_result_free(r);
	}
	ormc_params_free(ps);
	ormc_stmt_free(st);
	ormc_disconnect(db);
}
END_TEST

/* 8 threads, each on its own connection, execute one shared statement. */
#define NTHREADS 8
#define NRUNS 24

static ormc_stmt *shared_stmt;
static ormc_query *shared_query;

typedef struct worker {
	int id;
	char failure[512];
} worker;

static void *
work(void *arg)
{
	worker *w = arg;
	ormc_db *db = NULL;
	ormc_params *ps = NULL;
	ormc_error err;
	int k;

	if (ormc_connect(&db, db_url, &err) < 0) {
		snprintf(w->failure, sizeof(w->failure), "connect: %.400s", err.message);
		return NULL;
	}
	if (ormc_params_new(&ps) < 0) {
		snprintf(w->failure, sizeof(w->failure), "out of memory");
		goto done;
	}
	for (k = 0; k < NRUNS; k++) {
		int i = (k + w->id) % 4, j = (k / 4 + w->id) % 4;
		ormc_stmt *own = NULL;
		const ormc_stmt *st = shared_stmt;
		ormc_result *r;
		char got[256];

		if (k % 6 == 5) {
			/* compile from the shared query, concurrently with the others */
			if (ormc_stmt_prepare_for(&own, shared_query, db, &err) < 0) {
				snprintf(w->failure, sizeof(w->failure), "prepare: %.400s", err.message);
				goto done;
			}
			st = own;
		} else if (k % 6 == 2) {
			/* parse a query of its own against the shared schema, and compile it */
			ormc_query *mine;

			if (ormc_query_parse(&mine, schema, STMT_QUERY, (size_t)-1, &err) < 0 ||
			    ormc_stmt_prepare_for(&own, mine, db, &err) < 0) {
				snprintf(w->failure, sizeof(w->failure), "parse: %.400s", err.message);
				goto done;
			}
			ormc_query_free(mine);   /* the statement outlives its query */
			st = own;
		}
		ormc_params_set_text(ps, "s", statuses[i], (size_t)-1);
		ormc_params_set_text(ps, "lo", floors[j], (size_t)-1);
		if (ormc_stmt_execute(&r, st, db, ps, &err) < 0 ||
		    rows_text(r, got, sizeof(got), &err) < 0) {
			snprintf(w->failure, sizeof(w->failure), "run %d: %.400s", k, err.message);
			ormc_stmt_free(own);
			goto done;
		}
		ormc_result_free(r);
		ormc_stmt_free(own);
		if (strcmp(got, expected[i][j]) != 0) {
			snprintf(w->failure, sizeof(w->failure), "run %d: %.200s, expected %.200s", k, got,
			         expected[i][j]);
			goto done;
		}
	}
done:
	ormc_params_free(ps);
	ormc_disconnect(db);
	return NULL;
}

START_TEST(test_threads)
{
	ormc_db *db = open_db();
	pthread_t t[NTHREADS];
	worker w[NTHREADS];
	ormc_error err;
	int i;

	compute_expected(db);
	shared_query = parse(STMT_QUERY);
	ck_assert_int_eq(ormc_stmt_prepare_for(&shared_stmt, shared_query, db, &err), ORMC_OK);
	ormc_disconnect(db);
	for (i = 0; i < NTHREADS; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].id = i;
		ck_assert_int_eq(pthread_create(&t[i], NULL, work, &w[i]), 0);
	}
	for (i = 0; i < NTHREADS; i++)
		pthread_join(t[i], NULL);
	for (i = 0; i < NTHREADS; i++)
		ck_assert_msg(w[i].failure[0] == '\0', "%s: thread %d: %s", combo, i, w[i].failure);
	ormc_stmt_free(shared_stmt);
	ormc_query_free(shared_query);
}
END_TEST

static int
known_combo(const char *c)
{
	static const char *const all[] = {
		"sqlite", "postgresql", "mysql", "postgresql-odbc", "mysql-odbc"
	};
	size_t i;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (strcmp(c, all[i]) == 0)
			return 1;
	return 0;
}

int
main(int argc, char **argv)
{
	Suite *s = suite_create("stmt");
	TCase *tc;
	SRunner *sr;
	int failed;

	if (argc == 1) {
		tc = tcase_create("compile");
		tcase_add_checked_fixture(tc, load_schema, free_schema);
		tcase_add_test(tc, test_types_from_what_they_meet);
		tcase_add_test(tc, test_sql_binds_never_pastes);
		tcase_add_test(tc, test_errors);
		tcase_add_test(tc, test_params_api);
		tcase_add_test(tc, test_builder_param);
		tcase_add_test(tc, test_run_needs_values);
	} else {
		if (argc != 3 || !known_combo(argv[1])) {
			fprintf(stderr, "usage: %s [COMBO OUTDIR]\n", argv[0]);
			return EXIT_FAILURE;
		}
		combo = argv[1];
		outdir = argv[2];
		if (!tb_selected(combo_backend(combo))) {
			printf("%s: not selected by ORMC_TEST_BACKENDS\n", combo);
			return TB_SKIP;
		}
		mkdir(outdir, 0777);
		tc = tcase_create(combo);
		tcase_set_timeout(tc, 300);
		tcase_add_unchecked_fixture(tc, load_schema, free_schema);
		tcase_add_unchecked_fixture(tc, make_db, NULL);
		tcase_add_test(tc, test_same_as_written_in);
		tcase_add_test(tc, test_injection_is_impossible);
		tcase_add_test(tc, test_bad_values_name_the_parameter);
		tcase_add_test(tc, test_execute_many);
		tcase_add_test(tc, test_threads);
	}
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
