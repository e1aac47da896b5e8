/*
 * plan_combine.c -- plans that combine or wrap whole SELECTs: the compound
 * of union()/intersection()/difference() (core/combine.c makes the level),
 * and distinct() ordered by terms it does not select.
 */
#include <assert.h>
#include <string.h>

#include "planner.h"
#include "walk.h"

/* The first plain SELECT of a compound (whose columns name and type the compound's). */
static const ormc_select *
compound_first(const ormc_select *s)
{
	while (s->op != ORMC_COMBINE_NONE)
		s = s->parts[0];
	return s;
}

/*
 * The combined rows of c (union() and the like): each part planned as its
 * own query, then joined by the operator. A part's ordering counts only
 * with its slice; a part with either, or itself a compound, is read from a
 * derived table, since not every engine takes ORDER BY, LIMIT or
 * parentheses in a compound's parts.
 */
ormc_select *
ormc_pl_compound(plan *p, ormc_qs *c, scope *outer)
{
	ormc_select *sel = ormc_pl_select_new(p);
	int k, i;

	if (sel == NULL ||
	    (sel->parts = ormc_arena_alloc(p->a, sizeof(ormc_select *) * (size_t)c->nparts)) == NULL) {
		ormc_pl_pfail(p, ORMC_ENOMEM, -1, "out of memory");
		return NULL;
	}
	sel->op = c->combinator;
	sel->op_all = c->combine_all;
	for (k = 0; k < c->nparts; k++) {
		ormc_select *part = ormc_pl_select_in(p, c->parts[k], outer, PURPOSE_TOP, NULL, NULL, NULL);

		if (part == NULL)
			return NULL;
		if (part->limit < 0 && part->offset == 0)
			part->norder = 0;
		if (part->norder > 0 || part->limit >= 0 || part->offset > 0 || part->op != ORMC_COMBINE_NONE) {
			const ormc_select *f = compound_first(part);
			ormc_select *w = ormc_pl_select_new(p);
			const char *alias = ormc_pl_new_alias(p, "part");

			if (w == NULL || alias == NULL || ormc_pl_from_add(p, w, NULL, part, alias, ORMC_JOIN_NONE, NULL) < 0) {
				ormc_pl_pfail(p, ORMC_ENOMEM, -1, "out of memory");
				return NULL;
			}
			for (i = 0; i < f->ncols; i++)
				if (ormc_pl_col_add(p, w, sx_col(p, alias, f->names[i], f->cols[i]->type), f->names[i]) < 0)
					return NULL;
			part = w;
		}
		sel->parts[sel->nparts++] = part;
	}
	return p->failed ? NULL : sel;
}

/*
 * distinct() ordered by what it does not select: Django selects the ordering
 * too, so the rows are distinct over both; SQL then needs it in the select
 * list (PostgreSQL and MySQL refuse ORDER BY of an unselected term under
 * DISTINCT). sel gets the terms as extra columns, and a query around it
 * selects the rest and orders by them.
 */
ormc_select *
ormc_pl_distinct_ordered(plan *p, ormc_select *sel)
{
	ormc_select *w;
	const char *alias;
	int i, k, ncols = sel->ncols, extra = 0;

	for (i = 0; i < sel->norder; i++) {
		for (k = 0; k < ncols && !ormc_sx_same(sel->cols[k], sel->order[i].expr); k++)
			;
		if (k == ncols)
			extra++;
	}
	if (extra == 0)
		return sel;
	w = ormc_pl_select_new(p);
	alias = ormc_pl_new_alias(p, "distinct");
	if (w == NULL || alias == NULL ||
	    (w->order = ormc_arena_alloc(p->a, sizeof(ormc_order) * (size_t)sel->norder)) == NULL) {
		ormc_pl_pfail(p, ORMC_ENOMEM, -1, "out of memory");
		return NULL;
	}
	for (i = 0; i < ncols; i++)
		if (ormc_pl_col_add(p, w, sx_col(p, alias, sel->names[i], sel->cols[i]->type), sel->names[i]) < 0)
			return NULL;
	for (i = 0; i < sel->norder; i++) {
		const char *name;

		for (k = 0; k < sel->ncols && !ormc_sx_same(sel->cols[k], sel->order[i].expr); k++)
			;
		if (k < sel->ncols) {
			name = sel->names[k];
		} else if ((name = ormc_arena_printf(p->a, "__order%d", i + 1)) == NULL ||
		           ormc_pl_col_add(p, sel, sel->order[i].expr, name) < 0) {
			ormc_pl_pfail(p, ORMC_ENOMEM, -1, "out of memory");
			return NULL;
		}
		w->order[w->norder].expr = sx_col(p, alias, name, sel->order[i].expr->type);
		w->order[w->norder].desc = sel->order[i].desc;
		w->order[w->norder++].nulls = sel->order[i].nulls;
	}
	/* the rows a slice takes are chosen below, in that order; only the order is repeated */
	if (sel->limit < 0 && sel->offset == 0)
		sel->norder = 0;
	if (ormc_pl_from_add(p, w, NULL, sel, alias, ORMC_JOIN_NONE, NULL) < 0) {
		ormc_pl_pfail(p, ORMC_ENOMEM, -1, "out of memory");
		return NULL;
	}
	return p->failed ? NULL : w;
}

