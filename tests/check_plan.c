/*
 * check_plan.c -- the plan's structure, the GROUP BY verifier and grouping
 * completion (core/groupcheck.c), looked at as trees rather than SQL text.
 *
 * The verifier is PostgreSQL's check_ungrouped_columns rule with no
 * functional dependencies; these tests build plans by hand that break it in
 * each clause, and compile queries whose plans must keep it: mixed columns,
 * HAVING on a joined column, aggregation levels, derived tables.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "groupcheck.h"
#include "plan.h"
#include "query.h"
#include "qwalk.h"
#include "rel.h"
#include "walk.h"
#include "ormc/ormc.h"

static ormc_arena arena;

static void
setup(void)
{
	ormc_arena_init(&arena);
}

static void
teardown(void)
{
	ormc_arena_free(&arena);
}

/* ---------------------------------------------------------------- hand-made plans */

static ormc_sx *
node(ormc_sx_kind kind, int nargs)
{
	ormc_sx *x = ormc_arena_alloc(&arena, sizeof(*x));

	ck_assert_ptr_nonnull(x);
	x->kind = kind;
	x->type.kind = ORMC_FIELD_INTEGER;
	x->nargs = nargs;
	if (nargs > 0) {
		x->args = ormc_arena_alloc(&arena, sizeof(ormc_sx *) * (size_t)nargs);
		ck_assert_ptr_nonnull(x->args);
	}
	return x;
}

static ormc_sx *
col(const char *table, const char *name)
{
	ormc_sx *x = node(ORMC_SX_COL, 0);

	x->table = table;
	x->name = name;
	return x;
}

static ormc_sx *
param(int64_t v)
{
	ormc_sx *x = node(ORMC_SX_PARAM, 0);

	x->value.type = ORMC_TYPE_INT;
	x->value.i = v;
	return x;
}

static ormc_sx *
agg(ormc_agg_fn fn, ormc_sx *arg)
{
	ormc_sx *x = node(ORMC_SX_AGG, 1);

	x->agg = fn;
	x->args[0] = arg;
	return x;
}

static ormc_sx *
op2(ormc_sx_kind kind, ormc_op op, ormc_sx *a, ormc_sx *b)
{
	ormc_sx *x = node(kind, 2);

	x->op = op;
	x->args[0] = a;
	x->args[1] = b;
	return x;
}

/* SELECT ... FROM book AS T1 with the given columns, GROUP BY keys. */
static ormc_select *
select_of(ormc_sx **cols, int ncols, ormc_sx **group, int ngroup)
{
	ormc_select *s = ormc_arena_alloc(&arena, sizeof(*s));
	ormc_from *f = ormc_arena_alloc(&arena, sizeof(*f));

	ck_assert_ptr_nonnull(s);
	ck_assert_ptr_nonnull(f);
	f->table = "book";
	f->alias = "T1";
	s->from = ormc_arena_alloc(&arena, sizeof(ormc_from *));
	s->from[0] = f;
	s->nfrom = 1;
	s->cols = cols;
	s->ncols = ncols;
	s->group = group;
	s->ngroup = ngroup;
	s->limit = -1;
	return s;
}

START_TEST(test_verify_select_list)
{
	ormc_sx *cols[2], *group[1];
	char why[256];
	ormc_select *s;

	/* SELECT T1.a, COUNT(*) ... GROUP BY T1.b: a is not grouped */
	cols[0] = col("T1", "a");
	cols[1] = agg(ORMC_AGG_COUNT, node(ORMC_SX_STAR, 0));
	group[0] = col("T1", "b");
	s = select_of(cols, 2, group, 1);
	ck_assert_int_eq(ormc_group_verify(s, why, sizeof(why)), -1);
	ck_assert_msg(strstr(why, "T1.a") && strstr(why, "select list"), "%s", why);

	/* GROUP BY T1.a, T1.b: fine */
	group[0] = col("T1", "a");
	ck_assert_int_eq(ormc_group_verify(s, why, sizeof(why)), 0);

	/* A column inside the aggregate is not a grouping matter. */
	cols[0] = agg(ORMC_AGG_SUM, col("T1", "z"));
	ck_assert_int_eq(ormc_group_verify(s, why, sizeof(why)), 0);
}
END_TEST

START_TEST(test_verify_having_order_subquery)
{
	ormc_sx *cols[1], *group[1];
	ormc_select *s, *sub;
	ormc_sx *ex;
	char why[256];

	cols[0] = agg(ORMC_AGG_COUNT, node(ORMC_SX_STAR, 0));
	group[0] = col("T1", "a");
	s = select_of(cols, 1, group, 1);

	/* HAVING T1.b > 1 */
	s->having = op2(ORMC_SX_CMP, ORMC_OP_GT, col("T1", "b"), param(1));
	ck_assert_int_eq(ormc_group_verify(s, why, sizeof(why)), -1);
	ck_assert_msg(strstr(why, "T1.b") && strstr(why, "HAVING"), "%s", why);
	s->having = NULL;

	/* ORDER BY T1.c */
	s->order = ormc_arena_alloc(&arena, sizeof(ormc_order));
	s->order[0].expr = col("T1", "c");
	s->norder = 1;
	ck_assert_int_eq(ormc_group_verify(s, why, sizeof(why)), -1);
	ck_assert_msg(strstr(why, "ORDER BY"), "%s", why);
	s->norder = 0;

	/* a correlated subquery in the select list reading the ungrouped T1.d */
	sub = select_of(NULL, 0, NULL, 0);
	sub->from[0]->alias = "T2";
	sub->cols = ormc_arena_alloc(&arena, sizeof(ormc_sx *));
	sub->cols[0] = node(ORMC_SX_INT, 0);
	sub->ncols = 1;
	sub->where = op2(ORMC_SX_CMP, ORMC_OP_EQ, col("T2", "x"), col("T1", "d"));
	ex = node(ORMC_SX_EXISTS, 0);
	ex->sub = sub;
	cols[0] = ex;
	s->cols = ormc_arena_alloc(&arena, sizeof(ormc_sx *) * 2);
	s->cols[0] = ex;
	s->cols[1] = agg(ORMC_AGG_COUNT, node(ORMC_SX_STAR, 0));
	s->ncols = 2;
	ck_assert_int_eq(ormc_group_verify(s, why, sizeof(why)), -1);
	ck_assert_msg(strstr(why, "T1.d"), "%s", why);
	/* the same subquery reading the grouped T1.a is fine */
	sub->where->args[1] = col("T1", "a");
	ck_assert_int_eq(ormc_group_verify(s, why, sizeof(why)), 0);
}
END_TEST

START_TEST(test_verify_nested_select)
{
	ormc_sx *cols[1], *inner_cols[2], *group[1];
	ormc_select *outer, *inner;
	char why[256];

	/* a derived table that is itself invalid is found too */
	inner_cols[0] = col("T2", "a");
	inner_cols[1] = agg(ORMC_AGG_MAX, col("T2", "b"));
	inner = select_of(inner_cols, 2, NULL, 0);
	inner->from[0]->alias = "T2";
	cols[0] = col("T1", "a");
	outer = select_of(cols, 1, NULL, 0);
	outer->from[0]->table = NULL;
	outer->from[0]->sub = inner;
	ck_assert_int_eq(ormc_group_verify(outer, why, sizeof(why)), -1);
	ck_assert_msg(strstr(why, "T2.a"), "%s", why);
	group[0] = col("T2", "a");
	inner->group = group;
	inner->ngroup = 1;
	ck_assert_int_eq(ormc_group_verify(outer, why, sizeof(why)), 0);
}
END_TEST

START_TEST(test_verify_parameters)
{
	ormc_sx *cols[2], *group[1], *key;
	ormc_select *s;
	char why[256];

	/* SELECT T1.a * $1, COUNT(*) GROUP BY 1: grouped by position */
	key = op2(ORMC_SX_ARITH, ORMC_OP_MUL, col("T1", "a"), param(2));
	cols[0] = key;
	cols[1] = agg(ORMC_AGG_COUNT, node(ORMC_SX_STAR, 0));
	group[0] = key;
	s = select_of(cols, 2, group, 1);
	ck_assert_int_eq(ormc_select_position(s, key), 1);
	ck_assert_int_eq(ormc_group_verify(s, why, sizeof(why)), 0);
	/* HAVING repeats it: written again it is T1.a * $2, which the server does not match */
	s->having = op2(ORMC_SX_CMP, ORMC_OP_GT, key, param(3));
	ck_assert_int_eq(ormc_group_verify(s, why, sizeof(why)), -1);
	ck_assert_msg(strstr(why, "T1.a") && strstr(why, "HAVING"), "%s", why);
	ck_assert(!ormc_sx_same(key, key));
	ck_assert(ormc_sx_same(col("T1", "a"), col("T1", "a")));
}
END_TEST

START_TEST(test_complete)
{
	ormc_sx *cols[2], *group[1], *key;
	ormc_select *s;
	char why[256];

	/* values("name").annotate(x=Sum("age") + F("age")): age becomes a key */
	cols[0] = col("T1", "name");
	cols[1] = op2(ORMC_SX_ARITH, ORMC_OP_ADD, agg(ORMC_AGG_SUM, col("T1", "age")), col("T1", "age"));
	group[0] = col("T1", "name");
	s = select_of(cols, 2, group, 1);
	ck_assert_int_eq(ormc_group_complete(&arena, s, 0, why, sizeof(why)), 0);
	ck_assert_int_eq(s->ngroup, 2);
	ck_assert(ormc_sx_same(s->group[1], col("T1", "age")));
	ck_assert_int_eq(ormc_group_verify(s, why, sizeof(why)), 0);
	ck_assert_int_eq(ormc_group_complete(&arena, s, 0, why, sizeof(why)), 0);
	ck_assert_int_eq(s->ngroup, 2);           /* nothing twice */

	/* CASE-like key with a parameter, and a HAVING that repeats it: a clear refusal */
	key = op2(ORMC_SX_CMP, ORMC_OP_GT, col("T1", "pages"), param(500));
	cols[0] = key;
	cols[1] = agg(ORMC_AGG_COUNT, node(ORMC_SX_STAR, 0));
	s = select_of(cols, 2, ormc_arena_alloc(&arena, sizeof(ormc_sx *)), 1);
	s->group[0] = key;
	s->having = key;
	ck_assert_int_eq(ormc_group_complete(&arena, s, 0, why, sizeof(why)), ORMC_EUNSUPPORTED);
	ck_assert_msg(strstr(why, "pages"), "%s", why);
	/* grouped by the primary key, the column is determined already: added */
	ck_assert_int_eq(ormc_group_complete(&arena, s, 1, why, sizeof(why)), 0);
	ck_assert_int_eq(ormc_group_verify(s, why, sizeof(why)), 0);

	/*
	 * values("g").annotate(m=Min("pages"), least=Least("m", "g")) with g =
	 * Greatest("pages", Value(600)): g read again inside Least is MIN(g),
	 * one value per group, and pages is no key.
	 */
	key = op2(ORMC_SX_FUNC, 0, col("T1", "pages"), param(600));
	key->fn = ORMC_FN_GREATEST;
	cols[0] = key;
	cols[1] = op2(ORMC_SX_FUNC, 0, agg(ORMC_AGG_MIN, col("T1", "pages")), key);
	cols[1]->fn = ORMC_FN_LEAST;
	s = select_of(cols, 2, ormc_arena_alloc(&arena, sizeof(ormc_sx *)), 1);
	s->group[0] = key;
	ck_assert_int_eq(ormc_group_verify(s, why, sizeof(why)), -1);
	ck_assert_int_eq(ormc_group_complete(&arena, s, 0, why, sizeof(why)), 0);
	ck_assert_int_eq(s->ngroup, 1);
	ck_assert_int_eq(cols[1]->args[1]->kind, ORMC_SX_AGG);
	ck_assert_int_eq(cols[1]->args[1]->agg, ORMC_AGG_MIN);
	ck_assert_ptr_eq(cols[1]->args[1]->args[0], key);
	ck_assert_int_eq(ormc_group_verify(s, why, sizeof(why)), 0);
}
END_TEST

/* ---------------------------------------------------------------- compiled plans */

static ormc_schema *schema;

static void
load_djagg(void)
{
	ormc_error err;

	ormc_arena_init(&arena);
	ck_assert_msg(ormc_schema_load(&schema, ORMC_SOURCE_DIR "/tests/conformance/djagg/models.py",
	                               NULL, &err) == ORMC_OK, "%s", err.message);
}

static void
free_djagg(void)
{
	ormc_schema_free(schema);
	ormc_arena_free(&arena);
}

static ormc_query *
compiled(const char *text, const char *dialect)
{
	ormc_query *q = NULL;
	ormc_error err;

	ck_assert_msg(ormc_query_parse(&q, schema, text, (size_t)-1, &err) == ORMC_OK,
	              "%s: %s", text, err.message);
	ck_assert_msg(ormc_query_compile(q, dialect, 0, &err) == ORMC_OK, "%s: %s", text, err.message);
	ck_assert_ptr_nonnull(q->last->plan);
	return q;
}

START_TEST(test_plan_mixed_column)
{
	ormc_query *q = compiled("Author.objects.values(\"name\").annotate(another_age=Sum(\"age\") + F(\"age\"))",
	                         "postgresql");
	const ormc_select *s = q->last->plan;

	ck_assert_int_eq(s->ncols, 2);
	ck_assert_int_eq(s->ngroup, 2);          /* name, and the plain age of the mixed column */
	ck_assert_str_eq(s->group[1]->name, "age");
	ormc_query_free(q);
}
END_TEST

START_TEST(test_plan_having_joined_column)
{
	ormc_query *q = compiled("Book.objects.annotate(acount=Count(\"authors\"))"
	                         ".filter(acount=F(\"publisher__num_awards\"))", "mysql");
	const ormc_select *s = q->last->plan;
	int i, found = 0;

	ck_assert_ptr_nonnull(s->having);
	for (i = 0; i < s->ngroup; i++)
		if (s->group[i]->kind == ORMC_SX_COL && strcmp(s->group[i]->name, "num_awards") == 0)
			found = 1;
	ck_assert_msg(found, "publisher.num_awards is not a GROUP BY key");
	ormc_query_free(q);
}
END_TEST

START_TEST(test_plan_levels)
{
	/* a histogram: authors per number of books is two SELECTs */
	ormc_query *q = compiled("Author.objects.annotate(n_books=Count(\"book\"))"
	                         ".values(\"n_books\").annotate(n=Count(\"id\"))", "postgresql");
	const ormc_select *top = q->last->plan, *inner;

	ck_assert_ptr_nonnull(q->qs->inner);
	ck_assert_int_eq(q->qs->level, 1);
	ck_assert_int_eq(top->nfrom, 1);
	inner = top->from[0]->sub;
	ck_assert_ptr_nonnull(inner);
	ck_assert_int_eq(top->ngroup, 1);        /* n_books of the level below */
	ck_assert_int_eq(top->group[0]->kind, ORMC_SX_COL);
	ck_assert_str_eq(top->group[0]->table, top->from[0]->alias);
	ck_assert_str_eq(top->group[0]->name, "n_books");
	ck_assert_int_ge(inner->ngroup, 1);      /* per author */
	ormc_query_free(q);
}
END_TEST

START_TEST(test_plan_errors_stop)
{
	ormc_query *q = NULL;
	ormc_error err;

	/* an error in the select list stops the plan (this crashed) */
	ck_assert_int_eq(ormc_query_parse(&q, schema,
	                 "Author.objects.values(\"name\", \"book__name\").annotate(n=Count(\"book\"), m=Count(\"friends\"))",
	                 (size_t)-1, &err), ORMC_OK);
	ck_assert_int_lt(ormc_query_compile(q, "postgresql", 0, &err), 0);
	ck_assert_ptr_null(q->last);
	ormc_query_free(q);
	/* a relation path past the limit is an error, not a truncation */
	{
		char text[2048] = "Author.objects.filter(";
		int i;

		for (i = 0; i < 10; i++)      /* 40 hops: author, book, publisher, book, author, ... */
			strcat(text, "book__publisher__book__authors__");
		strcat(text, "id=1)");
		ck_assert_int_lt(ormc_query_parse(&q, schema, text, (size_t)-1, &err), 0);
		ck_assert_msg(strstr(err.message, "at most 32") != NULL, "%s", err.message);
	}
}
END_TEST

/* distinct(*fields): PostgreSQL's DISTINCT ON; Django's error for the others, at compile. */
START_TEST(test_plan_distinct_on)
{
	static const char text[] = "Book.objects.order_by(\"publisher\", \"-price\").distinct(\"publisher\").values(\"name\")";
	ormc_query *q;
	ormc_error err;

	ck_assert_int_eq(ormc_query_parse(&q, schema, text, (size_t)-1, &err), ORMC_OK);
	ck_assert_int_eq(ormc_query_compile(q, "postgresql", 0, &err), ORMC_OK);
	ck_assert_int_eq(q->last->plan->ndistinct_on, 1);
	ck_assert_ptr_nonnull(strstr(ormc_query_sql(q), "SELECT DISTINCT ON (\"T1\".\"publisher_id\") "));
	ck_assert_int_lt(ormc_query_compile(q, "mysql", 0, &err), 0);
	ck_assert_str_eq(err.message, "DISTINCT ON fields is not supported by this database backend");
	ck_assert_int_lt(ormc_query_compile(q, "sqlite", 0, &err), 0);
	ck_assert_str_eq(err.message, "DISTINCT ON fields is not supported by this database backend");
	ormc_query_free(q);
}
END_TEST

START_TEST(test_plan_outer_in_derived)
{
	/* a Subquery whose query regroups: the level below reads OuterRef("pk") */
	static const char text[] =
		"Publisher.objects.annotate(n=Subquery(Book.objects.filter(publisher=OuterRef(\"pk\"))"
		".annotate(na=Count(\"authors\")).filter(na__gt=1).values(\"publisher\")"
		".annotate(c=Count(\"id\")).values(\"c\")))";
	ormc_query *q = compiled(text, "postgresql");
	ormc_error err;

	ck_assert(ormc_plan_derived_reads_outer(q->last->plan));
	/* MariaDB cannot run it: a clear error, no SQL */
	ck_assert_int_eq(ormc_query_compile(q, "mysql", 0, &err), ORMC_EUNSUPPORTED);
	ck_assert_msg(strstr(err.message, "MariaDB") != NULL, "%s", err.message);
	ormc_query_free(q);
	/* an ordinary derived table reads only its own rows */
	q = compiled("Book.objects.annotate(a=Count(\"authors\"), s=Count(\"store\"))", "mysql");
	ck_assert(!ormc_plan_derived_reads_outer(q->last->plan));
	ormc_query_free(q);
}
END_TEST


/* ---------------------------------------------------------------- the relational tree */

/* The node below r (its input), checked to be of kind k. */
static const ormc_rel *
below(const ormc_rel *r, ormc_rel_kind k)
{
	ck_assert_ptr_nonnull(r->input);
	ck_assert_int_eq(r->input->kind, k);
	return r->input;
}

START_TEST(test_rel_levels)
{
	/* the histogram: an AGGREGATE over the LEVEL of an AGGREGATE per author */
	ormc_query *q = compiled("Author.objects.annotate(n_books=Count(\"book\"))"
	                         ".values(\"n_books\").annotate(n=Count(\"id\"))", "postgresql");
	const ormc_rel *r = q->last->rel, *agg, *lv, *inner;

	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->kind, ORMC_REL_PROJECT);
	ck_assert_int_eq(r->ncols, 2);
	agg = below(r, ORMC_REL_AGGREGATE);
	ck_assert_int_eq(agg->nkeys, 1);
	ck_assert(agg->group_by);
	ck_assert_int_eq(agg->nblocks, 1);
	ck_assert_int_eq(agg->blocks[0]->form, ORMC_FORM_INLINE);
	lv = below(agg, ORMC_REL_LEVEL);
	ck_assert(!lv->wrap);
	inner = lv->sub;
	ck_assert_int_eq(inner->kind, ORMC_REL_PROJECT);
	agg = below(inner, ORMC_REL_AGGREGATE);
	ck_assert(agg->per_object && agg->group_by);
	ck_assert_int_eq(agg->nblocks, 1);
	ck_assert_int_eq(agg->blocks[0]->n, 1);                 /* over book */
	r = below(agg, ORMC_REL_JOIN);
	ck_assert(r->for_aggs);
	ck_assert_str_eq(r->chain[0]->name, "book");
	below(r, ORMC_REL_SCAN);
	ck_assert_ptr_nonnull(strstr(ormc_query_tree(q), "LEVEL (the level below)"));
	ormc_query_free(q);
}
END_TEST

START_TEST(test_rel_blocks)
{
	/* two multi-valued relations: a derived table each, the level itself does not group */
	ormc_query *q = compiled("Book.objects.annotate(a=Count(\"authors\"), s=Count(\"store\"))", "mysql");
	const ormc_rel *agg = below(q->last->rel, ORMC_REL_AGGREGATE);

	ck_assert_int_eq(agg->nblocks, 2);
	ck_assert_int_eq(agg->blocks[0]->form, ORMC_FORM_DERIVED);
	ck_assert_int_eq(agg->blocks[1]->form, ORMC_FORM_DERIVED);
	ck_assert(!agg->group_by);
	below(agg, ORMC_REL_SCAN);
	ormc_query_free(q);
	/* aggregate(): a scalar subquery each */
	q = compiled("Book.objects.aggregate(a=Count(\"authors\"), s=Count(\"store\"))", "sqlite");
	agg = below(q->last->rel, ORMC_REL_AGGREGATE);
	ck_assert_int_eq(agg->nblocks, 2);
	ck_assert_int_eq(agg->blocks[0]->form, ORMC_FORM_SCALAR);
	ck_assert_int_eq(agg->blocks[1]->form, ORMC_FORM_SCALAR);
	ck_assert(!agg->inline_aggs);
	ormc_query_free(q);
	/* one relation and the base rows: the relation in a derived table, the base rows' in place */
	q = compiled("Publisher.objects.annotate(n=Count(\"book\"), s=Sum(\"num_awards\"))", "postgresql");
	agg = below(q->last->rel, ORMC_REL_AGGREGATE);
	ck_assert_int_eq(agg->nblocks, 2);
	ck_assert_int_eq(agg->blocks[0]->form, ORMC_FORM_DERIVED);
	ck_assert_int_eq(agg->blocks[1]->form, ORMC_FORM_INLINE);
	ck_assert(agg->group_by && agg->inline_aggs);
	below(agg, ORMC_REL_SCAN);
	ormc_query_free(q);
	/* under a slice that nothing before it reads the aggregates for: a correlated subquery each */
	q = compiled("Book.objects.annotate(a=Count(\"authors\"), s=Count(\"store\")).order_by(\"id\")[:2]", "mysql");
	agg = below(below(below(q->last->rel, ORMC_REL_SORT), ORMC_REL_PROJECT), ORMC_REL_AGGREGATE);
	ck_assert_int_eq(agg->blocks[0]->form, ORMC_FORM_CORRELATED);
	ck_assert_int_eq(agg->blocks[1]->form, ORMC_FORM_CORRELATED);
	ck_assert(!agg->group_by);
	ck_assert_int_eq(q->last->plan->nfrom, 1);
	ormc_query_free(q);
	/* ordered by one of them, or grouped by values(): every row's are needed, derived tables */
	q = compiled("Book.objects.annotate(a=Count(\"authors\"), s=Count(\"store\")).order_by(\"-a\")[:2]", "mysql");
	agg = below(below(below(q->last->rel, ORMC_REL_SORT), ORMC_REL_PROJECT), ORMC_REL_AGGREGATE);
	ck_assert_int_eq(agg->blocks[0]->form, ORMC_FORM_DERIVED);
	ormc_query_free(q);
	q = compiled("Book.objects.values(\"publisher\").annotate(a=Count(\"authors\"), s=Count(\"store\")).order_by(\"publisher\")[:2]", "mysql");
	agg = below(below(below(q->last->rel, ORMC_REL_SORT), ORMC_REL_PROJECT), ORMC_REL_AGGREGATE);
	ck_assert_int_eq(agg->blocks[0]->form, ORMC_FORM_DERIVED);
	ormc_query_free(q);
	/* one relation only: joined, in place (Django's) */
	q = compiled("Publisher.objects.annotate(n=Count(\"book\"))", "postgresql");
	agg = below(q->last->rel, ORMC_REL_AGGREGATE);
	ck_assert_int_eq(agg->nblocks, 1);
	ck_assert_int_eq(agg->blocks[0]->form, ORMC_FORM_INLINE);
	ck_assert_int_eq(below(agg, ORMC_REL_JOIN)->for_aggs, 1);
	ormc_query_free(q);
}
END_TEST

START_TEST(test_rel_filters)
{
	/* a filter on the aggregated relation after the aggregate: a semi-join, not the join */
	ormc_query *q = compiled("Publisher.objects.annotate(num_books=Count(\"book\"))"
	                         ".filter(book__rating__gt=3.0)", "postgresql");
	const ormc_rel *agg = below(q->last->rel, ORMC_REL_AGGREGATE), *f;

	f = below(agg, ORMC_REL_FILTER);
	ck_assert_int_eq(f->how, ORMC_FILTER_SEMI);
	ck_assert_int_eq(f->nsemi, 1);
	ck_assert_str_eq(f->semi[0].hops[0]->name, "book");
	ck_assert(below(f, ORMC_REL_JOIN)->for_aggs);
	ormc_query_free(q);
	/* before it: the filter picks the aggregated rows (Django's join reuse) */
	q = compiled("Publisher.objects.filter(book__rating__gt=3.0)"
	             ".annotate(num_books=Count(\"book\"))", "postgresql");
	agg = below(q->last->rel, ORMC_REL_AGGREGATE);
	f = below(agg, ORMC_REL_FILTER);
	ck_assert_int_eq(f->how, ORMC_FILTER_JOINED);
	ck_assert_int_eq(f->nsemi, 0);
	ck_assert_int_eq(agg->blocks[0]->filter, 0);
	ormc_query_free(q);
	/* values() on the relation joins it; the last filter() on it picks the joined rows */
	q = compiled("Author.objects.filter(friends__age=35).filter(friends__name=\"Adrian\")"
	             ".values(\"name\", \"friends__name\")", "mysql");
	f = below(q->last->rel, ORMC_REL_FILTER);
	ck_assert_int_eq(f->filter, 1);
	ck_assert_int_eq(f->how, ORMC_FILTER_JOINED);
	f = below(f, ORMC_REL_FILTER);
	ck_assert_int_eq(f->how, ORMC_FILTER_SEMI);
	ck_assert_int_eq(f->nsemi, 1);
	ck_assert(!below(f, ORMC_REL_JOIN)->for_aggs);
	ormc_query_free(q);
	/* a condition on an aggregate is above the AGGREGATE: HAVING */
	q = compiled("Book.objects.annotate(n=Count(\"authors\")).filter(n__gt=1).order_by(\"name\")[:2]", "postgresql");
	f = below(below(below(q->last->rel, ORMC_REL_SORT), ORMC_REL_PROJECT), ORMC_REL_FILTER);
	ck_assert_int_eq(f->how, ORMC_FILTER_HAVING);
	below(f, ORMC_REL_AGGREGATE);
	ck_assert_int_eq(q->last->rel->kind, ORMC_REL_LIMIT);
	ormc_query_free(q);
}
END_TEST

START_TEST(test_rel_wrapped)
{
	/* aggregate() over a sliced query: an AGGREGATE over the query as a LEVEL */
	ormc_query *q = compiled("Book.objects.values(\"publisher__name\").annotate(n=Count(\"id\"))"
	                         ".order_by(\"-n\")[:3].aggregate(Sum(\"n\"))", "postgresql");
	const ormc_rel *r = q->last->rel, *lv;

	ck_assert_int_eq(r->mode, ORMC_REL_AGG);
	lv = below(below(r, ORMC_REL_AGGREGATE), ORMC_REL_LEVEL);
	ck_assert(lv->wrap);
	ck_assert_int_eq(lv->nreads, 1);
	ck_assert_str_eq(lv->reads[0].name, "n");
	ck_assert_int_eq(lv->sub->kind, ORMC_REL_LIMIT);
	ck_assert_int_eq(below(lv->sub, ORMC_REL_SORT)->meta, 0);
	ormc_query_free(q);
	/* window functions over the aggregated rows: a WINDOW between the AGGREGATE and the output */
	q = compiled("Book.objects.values(\"publisher\").annotate(n=Count(\"id\"), "
	             "r=Window(expression=Rank(), order_by=F(\"n\").desc())).values(\"publisher\", \"r\")", "postgresql");
	lv = below(q->last->rel, ORMC_REL_WINDOW);
	ck_assert_int_eq(lv->windows.n, 1);
	below(lv, ORMC_REL_AGGREGATE);
	ormc_query_free(q);
	/* Meta.ordering where nothing groups */
	q = compiled("Book.objects.count()", "sqlite");
	ck_assert_int_eq(q->last->rel->mode, ORMC_REL_COUNT);
	ormc_query_free(q);
}
END_TEST


START_TEST(test_rel_check)
{
	/* trees that break the invariants, built by hand over a real QuerySet */
	ormc_query *q = compiled("Book.objects.annotate(n=Count(\"authors\")).filter(n__gt=1)", "postgresql");
	ormc_rel scan, join, filter, agg, proj, sort;
	char why[256];

	ck_assert_int_eq(ormc_rel_check(q->last->rel, why, sizeof(why)), 0);
	memset(&scan, 0, sizeof(scan));
	scan.kind = ORMC_REL_SCAN;
	scan.qs = q->qs;
	agg = scan;
	agg.kind = ORMC_REL_AGGREGATE;
	agg.input = &scan;
	filter = scan;
	filter.kind = ORMC_REL_FILTER;
	filter.how = ORMC_FILTER_SEMI;
	filter.input = &agg;
	proj = scan;
	proj.kind = ORMC_REL_PROJECT;
	proj.input = &filter;
	ck_assert_int_eq(ormc_rel_check(&proj, why, sizeof(why)), -1);
	ck_assert_str_eq(why, "relational tree: a filter on rows above the aggregate");
	filter.how = ORMC_FILTER_HAVING;     /* HAVING, but nothing aggregated in place */
	ck_assert_int_eq(ormc_rel_check(&proj, why, sizeof(why)), -1);
	agg.group_by = 1;
	ck_assert_int_eq(ormc_rel_check(&proj, why, sizeof(why)), 0);
	sort = scan;                         /* SORT below PROJECT */
	sort.kind = ORMC_REL_SORT;
	sort.input = &agg;
	filter.input = &sort;
	ck_assert_int_eq(ormc_rel_check(&proj, why, sizeof(why)), -1);
	ck_assert_str_eq(why, "relational tree: nodes out of order");
	filter.input = &agg;
	join = scan;                         /* a JOIN above the aggregate */
	join.kind = ORMC_REL_JOIN;
	join.input = &filter;
	proj.input = &join;
	ck_assert_int_eq(ormc_rel_check(&proj, why, sizeof(why)), -1);
	ormc_query_free(q);
}
END_TEST

START_TEST(test_no_silent_limits)
{
	/* a Case of 100 When()s: no cap (it was an error past 64) */
	char text[8192] = "Book.objects.annotate(c=Case(";
	ormc_query *q;
	int i;

	for (i = 0; i < 100; i++)
		sprintf(text + strlen(text), "When(pages=%d, then=Value(%d)), ", i, i);
	strcat(text, "default=Value(-1)))");
	q = compiled(text, "postgresql");
	ck_assert_ptr_nonnull(strstr(ormc_query_sql(q), "WHEN (\"T1\".\"pages\" = $199::integer)"));
	ormc_query_free(q);
}
END_TEST

/* ---------------------------------------------------------------- the IR walker */

typedef struct counts {
	int aggs, conds, cols;
	const char *stop_at;     /* abort at the column of this name */
} counts;

static int
count_expr(ormc_qwalker *w, const ormc_expr *x)
{
	counts *n = w->ctx;

	n->aggs += x->kind == ORMC_EXPR_AGG;
	if (x->kind == ORMC_EXPR_COL) {
		n->cols++;
		if (n->stop_at != NULL && strcmp(x->path->field->name, n->stop_at) == 0)
			return ORMC_WALK_ABORT;
	}
	return ORMC_WALK_CONTINUE;
}

static int
count_cond(ormc_qwalker *w, const ormc_cond *c)
{
	(void)c;
	((counts *)w->ctx)->conds++;
	return ORMC_WALK_CONTINUE;
}

START_TEST(test_qwalk)
{
	/* b's Case reads a When on rating and the annotation a (two aggregates, one with filter=) */
	static const char text[] =
		"Book.objects.annotate(a=Sum(\"pages\", filter=Q(rating__gt=3)) + Count(\"authors\"), "
		"b=Case(When(rating__lt=2, then=F(\"a\")), default=Value(0)))";
	ormc_query *q;
	ormc_error err;
	counts n;
	ormc_qwalker w = { count_expr, count_cond, 0, &n, 0 };
	const ormc_expr *b;

	ck_assert_int_eq(ormc_query_parse(&q, schema, text, (size_t)-1, &err), ORMC_OK);
	ck_assert_int_eq(q->qs->nannots, 2);
	b = q->qs->annots[1]->expr;
	memset(&n, 0, sizeof(n));
	ck_assert_int_eq(ormc_qwalk_expr(&w, b), 0);
	ck_assert_int_eq(n.aggs, 0);             /* F("a") is a REF, not followed */
	ck_assert_int_eq(n.conds, 1);            /* the When */
	ck_assert_int_eq(n.cols, 1);             /* rating */
	memset(&n, 0, sizeof(n));
	w.flags = ORMC_QWALK_REFS;
	ck_assert_int_eq(ormc_qwalk_expr(&w, b), 0);
	ck_assert_int_eq(n.aggs, 2);             /* through a: Sum and Count */
	ck_assert_int_eq(n.conds, 2);            /* the When, Sum's filter= */
	ck_assert_int_eq(n.cols, 4);             /* pages, rating (filter=), authors, rating (When) */
	memset(&n, 0, sizeof(n));
	n.stop_at = "pages";
	ck_assert_int_eq(ormc_qwalk_expr(&w, b), ORMC_WALK_ABORT);
	ck_assert_int_eq(n.cols, 1);             /* pages, through a, before the When's rating */
	ck_assert_int_eq(w.depth, 0);
	ormc_query_free(q);
}
END_TEST

START_TEST(test_steps)
{
	/* the chain as Django applies it; the second aggregate opens level 1 */
	static const char text[] =
		"Author.objects.filter(age__gt=20).annotate(n=Count(\"book\")).values(\"n\")"
		".annotate(k=Count(\"id\")).order_by(\"n\")[:3]";
	static const ormc_step_kind kinds[] = {
		ORMC_STEP_FILTER, ORMC_STEP_ANNOTATE, ORMC_STEP_VALUES, ORMC_STEP_ANNOTATE,
		ORMC_STEP_ORDER_BY, ORMC_STEP_SLICE
	};
	static const int levels[] = { 0, 0, 0, 1, 1, 1 };
	ormc_query *q;
	ormc_error err;
	int i;

	ck_assert_int_eq(ormc_query_parse(&q, schema, text, (size_t)-1, &err), ORMC_OK);
	ck_assert_int_eq(q->qs->nsteps, 6);
	for (i = 0; i < 6; i++) {
		ck_assert_int_eq(q->qs->steps[i].kind, kinds[i]);
		ck_assert_int_eq(q->qs->steps[i].level, levels[i]);
	}
	ck_assert_str_eq(q->qs->steps[2].name, "values");
	ck_assert_ptr_nonnull(q->qs->inner);
	ck_assert_int_eq(q->qs->inner->nsteps, 4);   /* the level below: up to the annotate() that opened level 1 */
	ormc_query_free(q);
	ck_assert_int_eq(ormc_step_kind_of("values_list"), ORMC_STEP_VALUES_LIST);
	ck_assert_int_eq(ormc_step_kind_of("iterator"), ORMC_STEP_UNKNOWN);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("plan");
	TCase *tc = tcase_create("verifier");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_verify_select_list);
	tcase_add_test(tc, test_verify_having_order_subquery);
	tcase_add_test(tc, test_verify_nested_select);
	tcase_add_test(tc, test_verify_parameters);
	tcase_add_test(tc, test_complete);
	suite_add_tcase(s, tc);
	tc = tcase_create("compiled");
	tcase_add_checked_fixture(tc, load_djagg, free_djagg);
	tcase_add_test(tc, test_plan_mixed_column);
	tcase_add_test(tc, test_plan_having_joined_column);
	tcase_add_test(tc, test_plan_levels);
	tcase_add_test(tc, test_plan_errors_stop);
	tcase_add_test(tc, test_plan_outer_in_derived);
	tcase_add_test(tc, test_plan_distinct_on);
	tcase_add_test(tc, test_rel_levels);
	tcase_add_test(tc, test_rel_blocks);
	tcase_add_test(tc, test_rel_filters);
	tcase_add_test(tc, test_rel_wrapped);
	tcase_add_test(tc, test_rel_check);
	tcase_add_test(tc, test_no_silent_limits);
	tcase_add_test(tc, test_qwalk);
	tcase_add_test(tc, test_steps);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
