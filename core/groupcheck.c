/*
 * groupcheck.c -- grouping completion and the GROUP BY verifier (see
 * groupcheck.h). Both are callbacks on the plan walker (walk.h).
 */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "groupcheck.h"
#include "ormc/error.h"
#include "walk.h"

typedef struct grouping {
	ormc_select *s;          /* the SELECT whose level is checked */
	ormc_arena *a;           /* completion: where GROUP BY grows */
	int complete;            /* add what is missing (else: report it) */
	int keyed;               /* completion: grouped by the base table's primary key */
	const ormc_sx *bad;      /* the first ungrouped column (verification), or the one
	                            that would regroup (completion); NULL: out of memory */
	const char *clause;
} grouping;

static int
is_grouped(const ormc_select *s, const ormc_sx *x)
{
	int i;

	for (i = 0; i < s->ngroup; i++)
		if (ormc_sx_same(s->group[i], x))
			return 1;
	return 0;
}

/*
 * Is x, a whole select-list column or ORDER BY term, grouped by position?
 * The renderer writes a selected expression in GROUP BY and ORDER BY as its
 * position, so the server sees the very same expression there, parameters
 * and all.
 */
static int
grouped_by_position(const ormc_select *s, const ormc_sx *x)
{
	int k = ormc_select_position(s, x), i;

	if (k == 0)
		return 0;
	for (i = 0; i < s->ngroup; i++)
		if (s->group[i] == s->cols[k - 1])
			return 1;
	return 0;
}

/*
 * Adding column c as a key is Django's rule, unless c is inside a key that
 * is an expression with parameters (CASE WHEN x > $1 ...): then the rows
 * would be grouped finer than that expression, a different answer. Grouped
 * by the primary key, every column of the row is already determined.
 */
static int
regroups(const grouping *g, const ormc_sx *c)
{
	int i;

	if (g->keyed)
		return 0;
	for (i = 0; i < g->s->ngroup; i++)
		if (g->s->group[i]->kind != ORMC_SX_COL && ormc_sx_has_param(g->s->group[i]) &&
		    ormc_sx_contains(g->s->group[i], c))
			return 1;
	return 0;
}

static int
ungrouped_expr(ormc_walker *w, ormc_sx *x)
{
	grouping *g = w->ctx;

	/*
	 * MariaDB resolves a column in HAVING only when it is itself a GROUP
	 * BY column, not inside a grouped expression: grouped by the primary
	 * key, where every column is determined anyway, HAVING's columns are
	 * made keys of their own.
	 */
	if (is_grouped(g->s, x) &&
	    !(g->complete && g->keyed && x->kind != ORMC_SX_COL && strcmp(g->clause, "HAVING") == 0))
		return ORMC_WALK_PRUNE;
	/* An aggregate of this level: its arguments are not grouped (a window's are). */
	if (x->kind == ORMC_SX_AGG && !x->over && w->depth == 0)
		return ORMC_WALK_PRUNE;
	if (x->kind != ORMC_SX_COL || !ormc_select_has_alias(g->s, x->table))
		return ORMC_WALK_CONTINUE;
	if (g->complete) {
		if (regroups(g, x)) {
			g->bad = x;
			return ORMC_WALK_ABORT;
		}
		if (ormc_select_add_group(g->a, g->s, x) < 0)
			return ORMC_WALK_ABORT;
		return ORMC_WALK_CONTINUE;
	}
	g->bad = x;
	return ORMC_WALK_ABORT;
}

static int
enter_any(ormc_walker *w, ormc_select *s)
{
	(void)w;
	(void)s;
	return ORMC_WALK_CONTINUE;
}

/* The clauses evaluated after grouping: select list, HAVING, ORDER BY. */
static int
walk_grouped_clauses(grouping *g)
{
	ormc_walker w;
	ormc_select *s = g->s;
	int i;

	memset(&w, 0, sizeof(w));
	w.expr = ungrouped_expr;
	w.select = enter_any;
	w.ctx = g;
	g->clause = "select list";
	for (i = 0; i < s->ncols; i++)
		if (!grouped_by_position(s, s->cols[i]) && ormc_walk_sx(&w, s->cols[i]) == ORMC_WALK_ABORT)
			return -1;
	g->clause = "HAVING";
	if (ormc_walk_sx(&w, s->having) == ORMC_WALK_ABORT)
		return -1;
	g->clause = "ORDER BY";
	for (i = 0; i < s->norder; i++)
		if (!grouped_by_position(s, s->order[i].expr) &&
		    ormc_walk_sx(&w, s->order[i].expr) == ORMC_WALK_ABORT)
			return -1;
	return 0;
}

/*
 * A key that is an expression with a parameter, read again inside another
 * expression of the select list, HAVING or ORDER BY (Least("min_pages",
 * "g") with g = Greatest("pages", Value(600)) a key): written twice it has
 * two placeholders, which the server does not see as one expression, and
 * grouping by its columns would split the groups. Within a group it has one
 * value, so there it is read as MIN() of itself, an aggregate, which needs
 * no grouping (not a boolean: PostgreSQL has no MIN of one).
 */
static int
wrap_param_keys(grouping *g, ormc_sx *x)
{
	int i, k;

	if (x == NULL || x->sub != NULL || (x->kind == ORMC_SX_AGG && !x->over))
		return 0;
	for (i = 0; i < x->nargs + 1; i++) {
		ormc_sx **slot = i < x->nargs ? &x->args[i] : &x->else_, *a = *slot, *m;

		if (a == NULL)
			continue;
		for (k = 0; k < g->s->ngroup; k++)
			if (a == g->s->group[k])
				break;
		if (k == g->s->ngroup || a->kind == ORMC_SX_COL || !ormc_sx_has_param(a) ||
		    a->type.kind == ORMC_FIELD_BOOLEAN) {
			if (wrap_param_keys(g, a) < 0)
				return -1;
			continue;
		}
		m = ormc_arena_alloc(g->a, sizeof(*m));
		if (m == NULL || (m->args = ormc_arena_alloc(g->a, sizeof(ormc_sx *))) == NULL)
			return -1;
		m->kind = ORMC_SX_AGG;
		m->agg = ORMC_AGG_MIN;
		m->type = a->type;
		m->args[0] = a;
		m->nargs = 1;
		*slot = m;
	}
	return 0;
}

int
ormc_group_complete(ormc_arena *a, ormc_select *s, int keyed, char *why, size_t whysize)
{
	grouping g;
	int i;

	assert(s != NULL);   /* no key at all: an aggregate over every row, keys added as needed */
	memset(&g, 0, sizeof(g));
	g.s = s;
	g.a = a;
	g.complete = 1;
	g.keyed = keyed;
	for (i = 0; i < s->ncols; i++)
		if (!grouped_by_position(s, s->cols[i]) && wrap_param_keys(&g, s->cols[i]) < 0)
			return ORMC_ENOMEM;
	if (wrap_param_keys(&g, s->having) < 0)
		return ORMC_ENOMEM;
	for (i = 0; i < s->norder; i++)
		if (!grouped_by_position(s, s->order[i].expr) && wrap_param_keys(&g, s->order[i].expr) < 0)
			return ORMC_ENOMEM;
	if (walk_grouped_clauses(&g) == 0)
		return 0;
	if (g.bad == NULL)
		return ORMC_ENOMEM;
	snprintf(why, whysize,
	         "the %s repeats a grouped expression that holds a parameter; "
	         "grouping by its column %s would split its groups",
	         g.clause, g.bad->name);
	return ORMC_EUNSUPPORTED;
}

/* ---------------------------------------------------------------- the verifier */

static int
find_agg(ormc_walker *w, ormc_sx *x)
{
	if (x->kind == ORMC_SX_AGG && !x->over) {
		*(int *)w->ctx = 1;
		return ORMC_WALK_ABORT;
	}
	return ORMC_WALK_CONTINUE;
}

/* Does s aggregate: GROUP BY, HAVING, or an aggregate of its own level? */
static int
aggregates(ormc_select *s)
{
	ormc_walker w;
	int found = 0, i;

	if (s->ngroup > 0 || s->having != NULL)
		return 1;
	memset(&w, 0, sizeof(w));
	w.expr = find_agg;         /* subqueries are not entered: their aggregates are theirs */
	w.ctx = &found;
	for (i = 0; i < s->ncols && !found; i++)
		ormc_walk_sx(&w, s->cols[i]);
	for (i = 0; i < s->norder && !found; i++)
		ormc_walk_sx(&w, s->order[i].expr);
	return found;
}

typedef struct verify {
	char *why;
	size_t whysize;
} verify;

static int verify_one(verify *v, ormc_select *s);

/* Every SELECT met inside another is verified in turn. */
static int
verify_sub(ormc_walker *w, ormc_select *s)
{
	return verify_one(w->ctx, s) < 0 ? ORMC_WALK_ABORT : ORMC_WALK_PRUNE;
}

static int
verify_one(verify *v, ormc_select *s)
{
	ormc_walker w;
	int i, j;

	if (aggregates(s)) {
		grouping g;

		memset(&g, 0, sizeof(g));
		g.s = s;
		if (walk_grouped_clauses(&g) < 0) {
			assert(g.bad != NULL);
			snprintf(v->why, v->whysize,
			         "column %s.%s is read by the %s of an aggregating SELECT without being grouped",
			         g.bad->table, g.bad->name, g.clause);
			return -1;
		}
	}
	/*
	 * SELECT DISTINCT can order only by what it selects (PostgreSQL); DISTINCT
	 * ON orders by anything, its own expressions first (the server checks that).
	 */
	if (s->distinct && s->ndistinct_on == 0)
		for (i = 0; i < s->norder; i++) {
			for (j = 0; j < s->ncols; j++)
				if (s->cols[j] == s->order[i].expr || ormc_sx_same(s->cols[j], s->order[i].expr))
					break;
			if (j == s->ncols && s->order[i].expr->kind != ORMC_SX_PARAM) {
				snprintf(v->why, v->whysize,
				         "ORDER BY term %d of a SELECT DISTINCT is not in its select list", i + 1);
				return -1;
			}
		}
	memset(&w, 0, sizeof(w));
	w.select = verify_sub;
	w.ctx = v;
	return ormc_walk_select(&w, s) == ORMC_WALK_ABORT ? -1 : 0;
}

int
ormc_group_verify(ormc_select *s, char *why, size_t whysize)
{
	verify v;

	assert(s != NULL && why != NULL && whysize > 0);
	memset(&v, 0, sizeof(v));
	v.why = why;
	v.whysize = whysize;
	why[0] = '\0';
	return verify_one(&v, s);
}
