/*
 * walk.c -- the plan walker (see walk.h).
 */
#include <assert.h>
#include <string.h>

#include "walk.h"

static int
walk_sub(ormc_walker *w, ormc_select *s)
{
	int r;

	if (s == NULL || w->select == NULL)
		return ORMC_WALK_CONTINUE;
	r = w->select(w, s);
	if (r != ORMC_WALK_CONTINUE)
		return r == ORMC_WALK_ABORT ? ORMC_WALK_ABORT : ORMC_WALK_CONTINUE;
	w->depth++;
	r = ormc_walk_select(w, s);
	w->depth--;
	return r;
}

int
ormc_walk_sx(ormc_walker *w, ormc_sx *x)
{
	int i, r;

	if (x == NULL)
		return ORMC_WALK_CONTINUE;
	r = w->expr != NULL ? w->expr(w, x) : ORMC_WALK_CONTINUE;
	if (r == ORMC_WALK_ABORT)
		return ORMC_WALK_ABORT;
	if (r == ORMC_WALK_PRUNE)
		return ORMC_WALK_CONTINUE;
	assert(x->nargs == 0 || x->args != NULL);
	for (i = 0; i < x->nargs; i++)
		if (ormc_walk_sx(w, x->args[i]) == ORMC_WALK_ABORT)
			return ORMC_WALK_ABORT;
	if (ormc_walk_sx(w, x->filter) == ORMC_WALK_ABORT ||
	    ormc_walk_sx(w, x->else_) == ORMC_WALK_ABORT)
		return ORMC_WALK_ABORT;
	return walk_sub(w, x->sub);
}

int
ormc_walk_select(ormc_walker *w, ormc_select *s)
{
	int i;

	assert(s != NULL);
	/* A compound is its parts, each a SELECT of its own. */
	for (i = 0; i < s->nparts; i++)
		if (walk_sub(w, s->parts[i]) == ORMC_WALK_ABORT)
			return ORMC_WALK_ABORT;
	for (i = 0; i < s->ncols; i++)
		if (ormc_walk_sx(w, s->cols[i]) == ORMC_WALK_ABORT)
			return ORMC_WALK_ABORT;
	for (i = 0; i < s->nfrom; i++) {
		if (walk_sub(w, s->from[i]->sub) == ORMC_WALK_ABORT ||
		    ormc_walk_sx(w, s->from[i]->on) == ORMC_WALK_ABORT)
			return ORMC_WALK_ABORT;
	}
	if (ormc_walk_sx(w, s->where) == ORMC_WALK_ABORT)
		return ORMC_WALK_ABORT;
	for (i = 0; i < s->ngroup; i++)
		if (ormc_walk_sx(w, s->group[i]) == ORMC_WALK_ABORT)
			return ORMC_WALK_ABORT;
	if (ormc_walk_sx(w, s->having) == ORMC_WALK_ABORT)
		return ORMC_WALK_ABORT;
	for (i = 0; i < s->norder; i++)
		if (ormc_walk_sx(w, s->order[i].expr) == ORMC_WALK_ABORT)
			return ORMC_WALK_ABORT;
	for (i = 0; i < s->ndistinct_on; i++)
		if (ormc_walk_sx(w, s->distinct_on[i]) == ORMC_WALK_ABORT)
			return ORMC_WALK_ABORT;
	return ORMC_WALK_CONTINUE;
}

static int
str_same(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

int
ormc_sx_same(const ormc_sx *a, const ormc_sx *b)
{
	int i;

	/*
	 * No shortcut for a == b: the same node holding a parameter is written
	 * twice as two placeholders ($1, $2), which the server does not see as
	 * one expression.
	 */
	if (a == NULL || b == NULL || a->kind != b->kind || a->nargs != b->nargs)
		return 0;
	switch (a->kind) {
	case ORMC_SX_COL:
		return str_same(a->table, b->table) && str_same(a->name, b->name);
	case ORMC_SX_INT:
		return a->ival == b->ival;
	case ORMC_SX_NULL: case ORMC_SX_TRUE: case ORMC_SX_FALSE:
		return 1;
	case ORMC_SX_EXTRACT: case ORMC_SX_TRUNC: case ORMC_SX_ARITH: case ORMC_SX_CMP:
	case ORMC_SX_NEG: case ORMC_SX_NOT: case ORMC_SX_CAST: case ORMC_SX_FUNC:
	case ORMC_SX_COALESCE: case ORMC_SX_AND: case ORMC_SX_OR: case ORMC_SX_NSEQ:
	case ORMC_SX_ISNULL: case ORMC_SX_TZ_LOCAL: case ORMC_SX_TZ_UTC:
		if (((a->kind == ORMC_SX_EXTRACT || a->kind == ORMC_SX_TRUNC) && a->part != b->part) ||
		    ((a->kind == ORMC_SX_TZ_LOCAL || a->kind == ORMC_SX_TZ_UTC) &&
		     (a->tz.offset != b->tz.offset || !str_same(a->tz.name, b->tz.name))) ||
		    ((a->kind == ORMC_SX_ARITH || a->kind == ORMC_SX_CMP) && a->op != b->op) ||
		    (a->kind == ORMC_SX_FUNC && a->fn != b->fn) ||
		    a->negated != b->negated || a->type.kind != b->type.kind ||
		    a->type.max_digits != b->type.max_digits ||
		    a->type.decimal_places != b->type.decimal_places)
			return 0;
		for (i = 0; i < a->nargs; i++)
			if (!ormc_sx_same(a->args[i], b->args[i]))
				return 0;
		return 1;
	case ORMC_SX_CASE:
		for (i = 0; i < a->nargs; i++)
			if (!ormc_sx_same(a->args[i], b->args[i]))
				return 0;
		return a->type.kind == b->type.kind &&
		       ((a->else_ == NULL && b->else_ == NULL) || ormc_sx_same(a->else_, b->else_));
	default:
		return 0;
	}
}

int
ormc_select_add_group(ormc_arena *a, ormc_select *s, ormc_sx *x)
{
	ormc_sx **arr = ormc_arena_alloc(a, sizeof(*arr) * (size_t)(s->ngroup + 1));

	assert(x != NULL);
	if (arr == NULL)
		return -1;
	if (s->ngroup)
		memcpy(arr, s->group, sizeof(*arr) * (size_t)s->ngroup);
	arr[s->ngroup++] = x;
	s->group = arr;
	return 0;
}

int
ormc_select_has_alias(const ormc_select *s, const char *alias)
{
	int i;

	if (alias == NULL)
		return 0;
	for (i = 0; i < s->nfrom; i++)
		if (s->from[i]->alias != NULL && strcmp(s->from[i]->alias, alias) == 0)
			return 1;
	return 0;
}

int
ormc_select_position(const ormc_select *s, const ormc_sx *x)
{
	int k;

	if (x == NULL || x->kind == ORMC_SX_COL)
		return 0;
	for (k = 0; k < s->ncols; k++)
		if (s->cols[k] == x)
			return k + 1;
	return 0;
}

static int
find_param(ormc_walker *w, ormc_sx *x)
{
	if (x->kind == ORMC_SX_PARAM || x->kind == ORMC_SX_LIKE) {
		*(int *)w->ctx = 1;
		return ORMC_WALK_ABORT;
	}
	return ORMC_WALK_CONTINUE;
}

int
ormc_sx_has_param(const ormc_sx *x)
{
	ormc_walker w;
	int found = 0;

	memset(&w, 0, sizeof(w));
	w.expr = find_param;
	w.ctx = &found;
	ormc_walk_sx(&w, (ormc_sx *)x);
	return found;
}

typedef struct contains {
	const ormc_sx *y;
	int found;
} contains;

static int
find_same(ormc_walker *w, ormc_sx *x)
{
	contains *c = w->ctx;

	if (ormc_sx_same(x, c->y)) {
		c->found = 1;
		return ORMC_WALK_ABORT;
	}
	return ORMC_WALK_CONTINUE;
}

int
ormc_sx_contains(const ormc_sx *x, const ormc_sx *y)
{
	ormc_walker w;
	contains c;

	memset(&w, 0, sizeof(w));
	c.y = y;
	c.found = 0;
	w.expr = find_same;
	w.ctx = &c;
	ormc_walk_sx(&w, (ormc_sx *)x);
	return c.found;
}

/* ---------------------------------------------------------------- outer reads of derived tables */

/* The SELECTs entered inside one derived table, innermost first (one frame each, on the C stack). */
typedef struct entered {
	const ormc_select *s;
	const struct entered *up;
} entered;

typedef struct scopes {
	const entered *top;
	int found;
} scopes;

static int
defined_inside(const scopes *sc, const char *alias)
{
	const entered *e;

	for (e = sc->top; e != NULL; e = e->up)
		if (ormc_select_has_alias(e->s, alias))
			return 1;
	return 0;
}

static int outer_in_select(scopes *sc, ormc_select *s);

static int
outer_expr(ormc_walker *w, ormc_sx *x)
{
	scopes *sc = w->ctx;

	if (x->kind == ORMC_SX_COL && x->table != NULL && !defined_inside(sc, x->table)) {
		sc->found = 1;
		return ORMC_WALK_ABORT;
	}
	return ORMC_WALK_CONTINUE;
}

static int
outer_sub(ormc_walker *w, ormc_select *s)
{
	return outer_in_select(w->ctx, s) ? ORMC_WALK_ABORT : ORMC_WALK_PRUNE;
}

/* Walk s as a SELECT inside the derived table being checked. */
static int
outer_in_select(scopes *sc, ormc_select *s)
{
	ormc_walker w;
	entered e;

	e.s = s;
	e.up = sc->top;
	sc->top = &e;
	memset(&w, 0, sizeof(w));
	w.expr = outer_expr;
	w.select = outer_sub;
	w.ctx = sc;
	ormc_walk_select(&w, s);
	sc->top = e.up;
	return sc->found;
}

static int
check_derived(ormc_walker *w, ormc_select *s)
{
	int *found = w->ctx;
	int i;

	for (i = 0; i < s->nfrom && !*found; i++)
		if (s->from[i]->sub != NULL) {
			scopes sc;

			memset(&sc, 0, sizeof(sc));
			*found = outer_in_select(&sc, s->from[i]->sub);
		}
	return *found ? ORMC_WALK_ABORT : ORMC_WALK_CONTINUE;
}

int
ormc_plan_derived_reads_outer(ormc_select *s)
{
	ormc_walker w;
	int found = 0;

	memset(&w, 0, sizeof(w));
	w.select = check_derived;
	w.ctx = &found;
	if (check_derived(&w, s) == ORMC_WALK_CONTINUE)
		ormc_walk_select(&w, s);
	return found;
}
