/*
 * planner.c -- the relational tree (rel.h) of a QuerySet as SQL plan
 * (core/plan.h): each level collapses into one SELECT.
 *
 * ormc_pl_select_in() lowers a QuerySet into its tree (rel_lower.c), has
 * ormc's rules decided on it (rel_rewrite.c), then writes each level: its
 * rows (the model's table, or the level below as a derived table) -> FROM,
 * its JOIN -> the joined chain, filters below the aggregate -> WHERE (a
 * semi-join where a filter reads a multi-valued relation it does not join),
 * the AGGREGATE -> GROUP BY, with each block of aggregates computed in
 * place, in a derived table or as scalar subqueries, filters above it ->
 * HAVING, the projection -> the select list, then ORDER BY, DISTINCT and
 * LIMIT. Expressions and conditions are translated by plan_expr.c and
 * plan_cond.c; grouping is completed and verified by groupcheck.c.
 */
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "planner.h"
#include "groupcheck.h"
#include "qwalk.h"
#include "rel.h"
#include "walk.h"

/* Does x contain an aggregate that is computed in place (not in a derived table)? */
static int
inline_agg_expr(ormc_qwalker *w, const ormc_expr *x)
{
	if (!x->has_agg)
		return ORMC_WALK_PRUNE;
	if (x->kind == ORMC_EXPR_AGG)
		return ormc_pl_agg_lookup(w->ctx, x) == NULL ? ORMC_WALK_ABORT : ORMC_WALK_PRUNE;
	if (x->kind == ORMC_EXPR_CASE || x->kind == ORMC_EXPR_COND)
		return ORMC_WALK_ABORT;   /* an aggregate in a condition (Q(n__gt=1)): not a key */
	return ORMC_WALK_CONTINUE;
}

static int
has_inline_agg(scope *sc, const ormc_expr *x)
{
	ormc_qwalker w = { inline_agg_expr, NULL, ORMC_QWALK_REFS, sc, 0 };

	return ormc_qwalk_expr(&w, x) == ORMC_WALK_ABORT;
}

/* The outermost expression of an aggregate as seen outside a derived table. */
static ormc_sx *
agg_outside(plan *p, const ormc_expr *agg, ormc_sx *col, scope *sc)
{
	ormc_sx *c;

	if (strcmp(agg->func, "Count") == 0) {
		c = sx_new(p, ORMC_SX_COALESCE, 2);
		if (c == NULL)
			return NULL;
		c->args[0] = col;
		c->args[1] = sx_int(p, 0);
		c->type = agg->type;
		return c;
	}
	if (agg->deflt)
		return ormc_pl_with_default(sc, agg, col);
	return col;
}

/* An aggregate without its default=, for use inside a derived table. */
static ormc_sx *
agg_bare(scope *sc, const ormc_expr *agg)
{
	ormc_expr copy = *agg;

	copy.deflt = NULL;
	return ormc_pl_agg_inline(sc, &copy);
}

/*
 * Build the derived table of one block (or, for aggregate(), its scalar
 * subqueries; or its subqueries correlated with the level's row) and
 * register where each of its aggregates can be read.
 */
static int
plan_block(plan *p, ormc_qs *qs, scope *main, ormc_rel_block *b, ormc_expr **gkeys, ormc_sx **gsx,
           int ngkeys, int per_object)
{
	int i, j;

	if (b->form == ORMC_FORM_SCALAR || b->form == ORMC_FORM_CORRELATED) {
		assert(b->form == ORMC_FORM_SCALAR || per_object);
		for (i = 0; i < b->aggs.n; i++) {
			const ormc_expr *agg = b->aggs.items[i];
			ormc_select *d = ormc_pl_select_new(p);
			scope *ds = d ? ormc_pl_scope_new(p, d, qs, qs->model, NULL) : NULL;
			ormc_sx *sub, *val;
			aggmap *m;

			if (ds == NULL)
				return ORMC_ENOMEM;
			ds->outer = main->outer;
			ds->multi_ok = 1;
			ds->ctx = b->chain;
			ds->nctx = b->n;
			ormc_pl_scope_base(ds);
			if (b->form == ORMC_FORM_CORRELATED) {
				/* the row's own: its key, and the filter() that picks the block's rows */
				for (j = 0; j < ngkeys; j++)
					d->where = sx_and(p, d->where, sx2(p, ORMC_SX_CMP, ORMC_OP_EQ,
					                                   ormc_pl_x2sx(ds, gkeys[j], NULL, 0), gsx[j]));
				if (b->filter >= 0)
					d->where = sx_and(p, d->where, ormc_pl_c2sx(ds, qs->filters[b->filter].cond, b->chain, b->n));
			} else {
				for (j = 0; j < qs->nfilters; j++) {
					const ormc_cond *c = qs->filters[j].cond;

					if (c->has_agg)
						continue;
					d->where = sx_and(p, d->where, b->filter == j ? ormc_pl_c2sx(ds, c, b->chain, b->n)
					                                              : ormc_pl_c2sx(ds, c, NULL, 0));
				}
			}
			ormc_pl_col_add(p, d, agg_bare(ds, agg), NULL);
			sub = sx_new(p, ORMC_SX_SUBQUERY, 0);
			if (sub == NULL)
				return ORMC_ENOMEM;
			sub->sub = d;
			sub->type = agg->type;
			val = agg_outside(p, agg, sub, main);
			m = NEW(p, aggmap);
			if (m == NULL || val == NULL || ormc_ptrvec_push(p->a, &main->aggs, m) < 0)
				return ORMC_ENOMEM;
			m->agg = agg;
			m->sx = val;
		}
		return p->failed ? ORMC_ENOMEM : ORMC_OK;
	}
	{
		ormc_select *d = ormc_pl_select_new(p);
		scope *ds = d ? ormc_pl_scope_new(p, d, qs, qs->model, NULL) : NULL;
		const char *dalias;
		ormc_sx *on = NULL;

		if (ds == NULL)
			return ORMC_ENOMEM;
		ds->outer = main->outer;
		ds->multi_ok = 1;
		ds->ctx = b->chain;
		ds->nctx = b->n;
		ormc_pl_scope_base(ds);
		dalias = ormc_pl_new_alias(p, "d");
		for (i = 0; i < ngkeys; i++) {
			ormc_sx *k = ormc_pl_x2sx(ds, gkeys[i], NULL, 0);
			/*
			 * '#' is in no Python name: no annotation alias can be the
			 * same; the derived table's alias makes it unique in the
			 * query (MariaDB resolves a HAVING column by its name).
			 */
			const char *kname = ormc_arena_printf(p->a, "#%s_k%d", dalias, i);

			ormc_pl_col_add(p, d, k, kname);
			ormc_pl_group_add(p, d, k);
			if (per_object)
				on = sx_and(p, on, sx2(p, ORMC_SX_CMP, ORMC_OP_EQ, sx_col(p, dalias, kname, k ? k->type : ot(0)), gsx[i]));
			else
				on = sx_and(p, on, sx2(p, ORMC_SX_NSEQ, ORMC_OP_EQ, sx_col(p, dalias, kname, k ? k->type : ot(0)), gsx[i]));
		}
		for (j = 0; j < qs->nfilters; j++) {
			const ormc_cond *c = qs->filters[j].cond;

			if (c->has_agg)
				continue;
			if (b->filter == j)
				d->where = sx_and(p, d->where, ormc_pl_c2sx(ds, c, b->chain, b->n));
			else if (!per_object)
				d->where = sx_and(p, d->where, ormc_pl_c2sx(ds, c, NULL, 0));
		}
		for (i = 0; i < b->aggs.n; i++) {
			const ormc_expr *agg = b->aggs.items[i];
			const char *aname = ormc_arena_printf(p->a, "#%s_a%d", dalias, i);
			aggmap *m = NEW(p, aggmap);

			ormc_pl_col_add(p, d, agg_bare(ds, agg), aname);
			if (m == NULL || ormc_ptrvec_push(p->a, &main->aggs, m) < 0)
				return ORMC_ENOMEM;
			m->agg = agg;
			m->sx = agg_outside(p, agg, sx_col(p, dalias, aname, agg->type), main);
		}
		if (on == NULL)
			on = sx_new(p, ORMC_SX_TRUE, 0);
		if (ormc_pl_from_add(p, main->sel, NULL, d, dalias, ORMC_JOIN_LEFT, on) < 0)
			return ORMC_ENOMEM;
	}
	return p->failed ? ORMC_ENOMEM : ORMC_OK;
}


static ormc_select *plan_level(plan *p, ormc_rel *top, scope *outer);

/*
 * FROM the level below as a derived table (rel_lower.c chose what it
 * selects); the scope's rows are then that table's.
 */
static int
plan_level_from(plan *p, ormc_rel *lv, scope *sc, scope *outer)
{
	ormc_select *inner;

	assert(lv->kind == ORMC_REL_LEVEL && !lv->wrap);
	inner = lv->sub->kind == ORMC_REL_COMBINE ? ormc_pl_compound(p, lv->sub->qs, outer)
	                                          : plan_level(p, lv->sub, outer);
	if (inner == NULL)
		return -1;
	/* The ordering matters only when it decides which rows a slice takes. */
	if (inner->limit < 0 && inner->offset == 0)
		inner->norder = 0;
	sc->root_alias = ormc_pl_new_alias(p, "level");
	if (sc->root_alias == NULL || ormc_pl_from_add(p, sc->sel, NULL, inner, sc->root_alias, ORMC_JOIN_NONE, NULL) < 0)
		return ormc_pl_pfail(p, ORMC_ENOMEM, -1, "out of memory");
	return 0;
}

/* The model's Meta.ordering (else the inherited one) as ORDER BY terms. */
static int
meta_ordering(plan *p, ormc_qs *qs, scope *sc, ormc_select *sel)
{
	int i;

	for (i = 0; i < qs->model->nordering; i++) {
		const char *name = qs->model->ordering[i];
		int desc = name[0] == '-';
		ormc_field *f = ormc_model_field(qs->model, name + desc);
		ormc_field *hops[ORMC_MAX_HOPS];
		int nhops;

		if (f == NULL || !ormc_field_is_concrete(f))
			continue;
		nhops = ormc_model_parent_hops(qs->model, f->model, hops, ORMC_MAX_HOPS);
		if (nhops > 0) {
			/* a multi-table parent's field, read through the parent links */
			ormc_expr *x = NEW(p, ormc_expr);
			ormc_path *path = NEW(p, ormc_path);

			if (x == NULL || path == NULL ||
			    (path->hops = ormc_arena_alloc(p->a, sizeof(ormc_field *) * (size_t)nhops)) == NULL)
				return ormc_pl_pfail(p, ORMC_ENOMEM, -1, "out of memory");
			memcpy(path->hops, hops, sizeof(ormc_field *) * (size_t)nhops);
			path->nhops = nhops;
			path->model = qs->model;
			path->field = f;
			x->kind = ORMC_EXPR_COL;
			x->pos = -1;
			x->path = path;
			x->type = ot(f->kind);
			if ((sel->order[sel->norder].expr = ormc_pl_x2sx(sc, x, sc->ctx, sc->nctx)) == NULL)
				return -1;
		} else {
			sel->order[sel->norder].expr = sx_col(p, sc->root_alias, f->column, ot(f->kind));
		}
		sel->order[sel->norder].desc = desc ^ qs->reverse;
		sel->norder++;
	}
	return 0;
}

/*
 * Does a subquery's level read the combined rows below it as they are: no
 * filter, aggregate, ordering, distinct() or slice of its own, and every
 * combined column in order (or, under EXISTS, any)? Then the combination
 * itself is the subquery, with no derived table around it, which MySQL and
 * MariaDB cannot correlate with the query around it (a union() of querysets
 * with OuterRef()s).
 */
static int
reads_combination_whole(const ormc_rel_parts *parts)
{
	const ormc_rel *proj = parts->project;
	const ormc_qs *c;
	int i;

	if (proj->purpose == PURPOSE_TOP || proj->mode != ORMC_REL_ROWS ||
	    parts->base->kind != ORMC_REL_LEVEL || parts->base->sub->kind != ORMC_REL_COMBINE ||
	    parts->join != NULL || parts->agg != NULL || parts->distinct != NULL ||
	    (parts->sort != NULL && (parts->sort->meta || parts->top->qs->norder > 0)) ||
	    parts->limit != NULL || parts->nfilters > 0)
		return 0;
	if (proj->purpose == PURPOSE_EXISTS)
		return 1;
	c = parts->base->sub->qs;
	if (proj->ncols != c->nannots)
		return 0;
	for (i = 0; i < proj->ncols; i++) {
		const ormc_expr *x = proj->cols[i].expr;

		if (x->kind == ORMC_EXPR_REF)
			x = x->annot->expr;
		if (x->kind != ORMC_EXPR_INNER || x->annot != c->annots[i])
			return 0;
	}
	return 1;
}

/* One level of the tree (top: its top node) as a SELECT. outer: the enclosing query's scope. */
static ormc_select *
plan_level(plan *p, ormc_rel *top, scope *outer)
{
	ormc_rel_parts parts;
	ormc_qs *qs = top->qs;
	ormc_select *sel = ormc_pl_select_new(p);
	scope *sc;
	ormc_rel *agg, *proj;
	ormc_outcol *outs;
	ormc_expr **gkeys;
	ormc_sx **gsx, *having = NULL, *y;
	int ngkeys, nouts, i, j, grouped, derived = 0, mode, purpose, inline_aggs;

	if (sel == NULL || ormc_rel_parts_of(p, top, &parts) < 0) {
		ormc_pl_pfail(p, ORMC_ENOMEM, -1, "out of memory");
		return NULL;
	}
	if (reads_combination_whole(&parts))
		return ormc_pl_compound(p, parts.base->sub->qs, outer);
	agg = parts.agg;
	proj = parts.project;
	mode = proj->mode;
	purpose = proj->purpose;
	outs = proj->cols;
	nouts = proj->ncols;
	gkeys = agg ? agg->keys : NULL;
	ngkeys = agg ? agg->nkeys : 0;
	grouped = agg != NULL && agg->group_by;
	inline_aggs = agg != NULL && agg->inline_aggs;
	gsx = ormc_arena_alloc(p->a, sizeof(ormc_sx *) * (size_t)(ngkeys + 1));
	if (gsx == NULL) {
		ormc_pl_pfail(p, ORMC_ENOMEM, -1, "out of memory");
		return NULL;
	}
	sc = ormc_pl_scope_new(p, sel, qs, qs->model, NULL);
	if (sc == NULL)
		return NULL;
	sc->outer = outer;

	/* FROM: the rows, and the joined chain. */
	if (parts.base->kind == ORMC_REL_LEVEL) {
		if (plan_level_from(p, parts.base, sc, outer) < 0)
			return NULL;
	} else {
		assert(parts.base->kind == ORMC_REL_SCAN);
		ormc_pl_scope_base(sc);
	}
	if (parts.join != NULL) {
		sc->multi_ok = 1;
		sc->chain_join = ORMC_JOIN_LEFT;
		if (parts.join->nchain > 0) {
			sc->ctx = parts.join->chain;
			sc->nctx = parts.join->nchain;
		}
	}

	/* The blocks computed elsewhere: derived tables on the keys, or scalar subqueries. */
	for (i = 0; agg != NULL && i < agg->nblocks; i++)
		derived |= agg->blocks[i]->form != ORMC_FORM_INLINE;
	if (derived) {
		for (i = 0; i < ngkeys; i++)
			if ((gsx[i] = ormc_pl_x2sx(sc, gkeys[i], NULL, 0)) == NULL)
				return NULL;
		for (i = 0; i < agg->nblocks; i++) {
			ormc_rel_block *b = agg->blocks[i];

			if (b->form != ORMC_FORM_INLINE &&
			    plan_block(p, qs, sc, b, gkeys, gsx, ngkeys, mode == ORMC_REL_ROWS && qs->per_object) < 0)
				return NULL;
		}
	}

	/* Annotations that read the joins of an earlier filter() (rel_rewrite.c). */
	for (i = 0; parts.join != NULL && i < parts.join->binds.n; i++) {
		const ormc_rel_bind *bind = parts.join->binds.items[i];
		ormc_expr ref;

		memset(&ref, 0, sizeof(ref));
		ref.kind = ORMC_EXPR_REF;
		ref.annot = bind->annot;
		ref.type = bind->annot->expr->type;
		sc->join_tag = bind->filter + 1;
		y = ormc_pl_x2sx(sc, &ref, NULL, 0);    /* kept for every later reading */
		sc->join_tag = 0;
		if (y == NULL)
			return NULL;
	}

	/* WHERE, and HAVING for conditions on aggregates. */
	for (i = 0; i < parts.nfilters; i++) {
		const ormc_rel *f = parts.filters[i];
		const ormc_cond *c = qs->filters[i].cond;

		switch (f->how) {
		case ORMC_FILTER_SEMI:
			sel->where = sx_and(p, sel->where, ormc_pl_c2sx(sc, c, NULL, 0));
			break;
		case ORMC_FILTER_JOINED:
			sel->where = sx_and(p, sel->where, ormc_pl_c2sx(sc, c, f->ctx, f->nctx));
			break;
		case ORMC_FILTER_BOUND:
			sc->join_tag = i + 1;
			sel->where = sx_and(p, sel->where, ormc_pl_c2sx(sc, c, f->ctx, f->nctx));
			sc->join_tag = 0;
			break;
		case ORMC_FILTER_HAVING:
		case ORMC_FILTER_AFTER:
			break;
		}
	}

	/* Output columns. */
	if (mode == ORMC_REL_AGG) {
		for (i = 0; i < qs->naggregates; i++)
			ormc_pl_col_add(p, sel, ormc_pl_x2sx(sc, qs->aggregates[i]->expr, sc->ctx, sc->nctx),
			                qs->aggregates[i]->alias);
		if (!inline_aggs) {
			/* Every aggregate is a scalar subquery: no rows of our own. */
			sel->nfrom = 0;
			sel->where = NULL;
		}
	} else if (mode == ORMC_REL_COUNT) {
		ormc_sx *cnt = sx_new(p, ORMC_SX_AGG, 1);

		if (cnt == NULL)
			return NULL;
		cnt->agg = ORMC_AGG_COUNT;
		cnt->args[0] = sx_new(p, ORMC_SX_STAR, 0);
		ormc_pl_col_add(p, sel, cnt, "count");
	} else if (purpose == PURPOSE_EXISTS) {
		ormc_pl_col_add(p, sel, sx_int(p, 1), NULL);
	} else {
		for (i = 0; i < nouts; i++)
			if (ormc_pl_col_add(p, sel, ormc_pl_x2sx(sc, outs[i].expr, sc->ctx, sc->nctx), outs[i].name) < 0)
				return NULL;
		assert(sel->ncols == nouts);
	}
	if (p->failed)
		return NULL;

	/* GROUP BY: the keys and everything selected that is not an aggregate. */
	if (grouped) {
		for (i = 0; i < ngkeys; i++) {
			/*
			 * A key that is also selected is the selected node itself, so
			 * the renderer writes it by position and the server sees the
			 * very same expression (translated again, a CAST or a
			 * parameter would be a new one).
			 */
			ormc_sx *k = NULL;

			for (j = 0; j < nouts && j < sel->ncols && purpose != PURPOSE_EXISTS; j++)
				if (outs[j].expr == gkeys[i])
					k = sel->cols[j];
			ormc_pl_group_add(p, sel, k ? k : ormc_pl_x2sx(sc, gkeys[i], sc->ctx, sc->nctx));
		}
		if (purpose != PURPOSE_EXISTS)
			for (i = 0; i < nouts; i++)
				if (!has_inline_agg(sc, outs[i].expr) && !ormc_expr_has_window(outs[i].expr))
					ormc_pl_group_add(p, sel, sel->cols[i]);
	}

	for (i = 0; i < parts.nfilters; i++)
		if (parts.filters[i]->how == ORMC_FILTER_HAVING || parts.filters[i]->how == ORMC_FILTER_AFTER)
			having = sx_and(p, having, ormc_pl_c2sx(sc, qs->filters[i].cond, NULL, 0));
	if (having) {
		for (i = 0; i < parts.nfilters; i++)
			assert(parts.filters[i]->how != ORMC_FILTER_AFTER || !grouped);
		if (grouped || (mode != ORMC_REL_ROWS && inline_aggs))
			sel->having = having;
		else
			sel->where = sx_and(p, sel->where, having);
	}

	/* ORDER BY, LIMIT, DISTINCT. */
	if (parts.sort != NULL) {
		ormc_order_item *items = qs->order;
		int nitems = qs->norder;

		sel->order = ormc_arena_alloc(p->a, sizeof(ormc_order) * (size_t)(nitems + qs->model->nordering + 1));
		if (sel->order == NULL)
			return NULL;
		for (i = 0; i < nitems; i++) {
			ormc_order *o = &sel->order[sel->norder++];

			if (items[i].random && (qs->limit >= 0 || qs->offset > 0 || qs->distinct)) {
				ormc_pl_pfail(p, ORMC_EUNSUPPORTED, items[i].pos,
				              "random ordering ('?') with a slice, first(), last() or distinct() "
				              "picks different rows on every run; not supported");
				return NULL;
			}
			o->expr = ormc_pl_x2sx(sc, items[i].expr, sc->ctx, sc->nctx);
			o->desc = items[i].desc ^ qs->reverse;
			o->nulls = items[i].nulls;
			if (grouped && !has_inline_agg(sc, items[i].expr) && !ormc_expr_has_window(items[i].expr))
				ormc_pl_group_add(p, sel, o->expr);
		}
		/* Meta.ordering unless order_by() was called or the level groups; values() keeps it, as Django. */
		if (parts.sort->meta && meta_ordering(p, qs, sc, sel) < 0)
			return NULL;
	}
	if (parts.limit != NULL) {
		sel->limit = qs->limit;
		sel->offset = qs->offset;
	}
	if (parts.distinct != NULL) {
		sel->distinct = qs->distinct;
		if (qs->ndistinct_on > 0) {
			sel->distinct_on = ormc_arena_alloc(p->a, sizeof(ormc_sx *) * (size_t)qs->ndistinct_on);
			if (sel->distinct_on == NULL)
				return NULL;
			for (i = 0; i < qs->ndistinct_on; i++) {
				if ((sel->distinct_on[i] = ormc_pl_x2sx(sc, qs->distinct_on[i], sc->ctx, sc->nctx)) == NULL)
					return NULL;
				if (grouped && !has_inline_agg(sc, qs->distinct_on[i]))
					ormc_pl_group_add(p, sel, sel->distinct_on[i]);
			}
			sel->ndistinct_on = qs->ndistinct_on;
		}
	}
	if (p->failed)
		return NULL;
	/* Whatever the select list, HAVING and ORDER BY read outside an aggregate is a key. */
	if (grouped) {
		char why[256];
		int r = ormc_group_complete(p->a, sel, qs->per_object, why, sizeof(why));

		if (r == ORMC_ENOMEM || r == ORMC_EUNSUPPORTED) {
			ormc_pl_pfail(p, r, qs->pos, "%s", r == ORMC_ENOMEM ? "out of memory" : why);
			return NULL;
		}
	}
	if (mode == ORMC_REL_ROWS && purpose == PURPOSE_TOP && sel->distinct && sel->ndistinct_on == 0)
		return ormc_pl_distinct_ordered(p, sel);
	return sel;
}

/*
 * aggregate() or count() over a query computed first (an AGGREGATE over a
 * LEVEL): the query as a derived table, its aggregates read from it by name.
 */
static ormc_select *
plan_wrapped(plan *p, ormc_rel *top, scope *outer)
{
	ormc_qs *qs = top->qs;
	ormc_select *inner, *sel = ormc_pl_select_new(p);
	ormc_rel *lv = top->input->input;
	scope *sc;
	const char *alias = ormc_pl_new_alias(p, "sub");
	int i;

	assert(top->kind == ORMC_REL_PROJECT && top->input->kind == ORMC_REL_AGGREGATE);
	assert(lv->kind == ORMC_REL_LEVEL && lv->wrap);
	if (sel == NULL || alias == NULL)
		return NULL;
	if (top->mode == ORMC_REL_COUNT) {
		ormc_sx *cnt = sx_new(p, ORMC_SX_AGG, 1);

		inner = plan_level(p, lv->sub, outer);
		if (inner == NULL || cnt == NULL)
			return NULL;
		/* The ordering matters only when it decides which rows a slice takes. */
		if (inner->limit < 0 && inner->offset == 0)
			inner->norder = 0;
		cnt->agg = ORMC_AGG_COUNT;
		cnt->args[0] = sx_new(p, ORMC_SX_STAR, 0);
		ormc_pl_col_add(p, sel, cnt, "count");
		ormc_pl_from_add(p, sel, NULL, inner, alias, ORMC_JOIN_NONE, NULL);
		return p->failed ? NULL : sel;
	}
	/* Above the derived table each annotation the aggregates read is its column of that name. */
	sc = ormc_pl_scope_new(p, sel, qs, qs->model, NULL);
	if (sc == NULL)
		return NULL;
	sc->outer = outer;
	sc->root_alias = alias;
	for (i = 0; i < lv->nreads; i++) {
		const ormc_rel_read *rc = &lv->reads[i];
		annmap *m;

		if (rc->annot == NULL)
			continue;
		if ((m = NEW(p, annmap)) == NULL || ormc_ptrvec_push(p->a, &sc->anns, m) < 0)
			return NULL;
		m->annot = rc->annot;
		m->sx = sx_col(p, alias, rc->name, rc->annot->expr->type);
	}
	inner = plan_level(p, lv->sub, outer);
	if (inner == NULL)
		return NULL;
	if (inner->limit < 0 && inner->offset == 0)
		inner->norder = 0;
	if (ormc_pl_from_add(p, sel, NULL, inner, alias, ORMC_JOIN_NONE, NULL) < 0)
		return NULL;
	for (i = 0; i < qs->naggregates; i++)
		if (ormc_pl_col_add(p, sel, ormc_pl_x2sx(sc, qs->aggregates[i]->expr, NULL, 0),
		                    qs->aggregates[i]->alias) < 0)
			return NULL;
	return p->failed ? NULL : sel;
}

/*
 * The rows of a sliced query under EXISTS: the rows themselves, sliced and
 * unordered (rel_lower.c), and read from a derived table when they are
 * distinct or grouped, since SQLite and MariaDB drop DISTINCT inside EXISTS,
 * and MariaDB a GROUP BY that selects no aggregate, and would count the
 * slice over every row (Book.objects.values("rating").distinct()[4:].exists()).
 */
static ormc_select *
exists_rows(plan *p, ormc_select *sel)
{
	ormc_select *w;
	const char *alias;

	if (sel == NULL || !(sel->distinct || sel->ndistinct_on > 0 || sel->ngroup > 0) ||
	    (sel->limit < 0 && sel->offset == 0))
		return sel;
	w = ormc_pl_select_new(p);
	alias = ormc_pl_new_alias(p, "sliced");
	if (w == NULL || alias == NULL || ormc_pl_from_add(p, w, NULL, sel, alias, ORMC_JOIN_NONE, NULL) < 0 ||
	    ormc_pl_col_add(p, w, sx_int(p, 1), NULL) < 0) {
		ormc_pl_pfail(p, ORMC_ENOMEM, -1, "out of memory");
		return NULL;
	}
	return w;
}

ormc_select *
ormc_pl_select_in(plan *p, ormc_qs *qs, scope *outer, int purpose, const char ***names,
                  ormc_otype **types, int *ncols)
{
	ormc_select *sel;
	ormc_rel *top, *proj;
	ormc_rel_mode mode = ORMC_REL_ROWS;
	int i;

	if (p->failed)
		return NULL;
	if (qs->terminal == ORMC_TERM_AGGREGATE && qs->naggregates == 0) {
		/* aggregate() of nothing is Django's {}: one row of no column (SELECT 1, unseen) */
		if ((sel = ormc_pl_select_new(p)) == NULL || ormc_pl_col_add(p, sel, sx_int(p, 1), "none") < 0)
			return NULL;
		if (names != NULL) {
			*names = NULL;
			*types = NULL;
			*ncols = 0;
		}
		return sel;
	}
	if (qs->terminal == ORMC_TERM_AGGREGATE)
		mode = ORMC_REL_AGG;
	else if (qs->terminal == ORMC_TERM_COUNT)
		mode = ORMC_REL_COUNT;
	else if (qs->terminal == ORMC_TERM_EXISTS)
		purpose = PURPOSE_EXISTS;
	top = ormc_rel_lower(p, qs, mode, purpose, NULL, 0);
	if (top == NULL || ormc_rel_rewrite(p, top) < 0)
		return NULL;
	{
		char why[256];

		if (ormc_rel_check(top, why, sizeof(why)) < 0) {
			assert(!"relational tree invariant");
			ormc_pl_pfail(p, ORMC_EINTERNAL, qs->pos,
			              "internal error: %s; please report this query", why);
			return NULL;
		}
	}
	if (p->tree == NULL)
		p->tree = top;   /* the query's own: its subqueries are lowered while it is written */
	else if (ormc_ptrvec_push(p->a, &p->subtrees, top) < 0) {
		ormc_pl_pfail(p, ORMC_ENOMEM, -1, "out of memory");
		return NULL;
	}
	for (proj = top; proj->kind != ORMC_REL_PROJECT; proj = proj->input)
		assert(proj->input != NULL);
	if (qs->terminal == ORMC_TERM_EXISTS) {
		ormc_select *inner = exists_rows(p, plan_level(p, top, outer));
		ormc_sx *ex = sx_new(p, ORMC_SX_EXISTS, 0);

		sel = ormc_pl_select_new(p);
		if (inner == NULL || ex == NULL || sel == NULL)
			return NULL;
		ex->sub = inner;
		ex->type = ot(ORMC_FIELD_BOOLEAN);
		ormc_pl_col_add(p, sel, ex, "exists");
	} else if (proj->input != NULL && proj->input->kind == ORMC_REL_AGGREGATE &&
	           proj->input->input != NULL && proj->input->input->kind == ORMC_REL_LEVEL &&
	           proj->input->input->wrap) {
		sel = plan_wrapped(p, top, outer);
	} else {
		sel = plan_level(p, top, outer);
		if (purpose == PURPOSE_EXISTS)
			sel = exists_rows(p, sel);
	}
	if (sel == NULL)
		return NULL;
	if (names != NULL) {
		*names = ormc_arena_alloc(p->a, sizeof(char *) * (size_t)(sel->ncols + 1));
		*types = ormc_arena_alloc(p->a, sizeof(ormc_otype) * (size_t)(sel->ncols + 1));
		if (*names == NULL || *types == NULL)
			return NULL;
		for (i = 0; i < sel->ncols; i++) {
			(*names)[i] = sel->names[i] ? sel->names[i] : "?column?";
			(*types)[i] = sel->cols[i]->type;
		}
		*ncols = sel->ncols;
		if (qs->terminal == ORMC_TERM_AGGREGATE)
			for (i = 0; i < qs->naggregates && i < sel->ncols; i++)
				(*types)[i] = qs->aggregates[i]->expr->type;
		else if (qs->terminal == ORMC_TERM_COUNT)
			(*types)[0] = ot(ORMC_FIELD_INTEGER);
		else if (qs->terminal == ORMC_TERM_EXISTS)
			(*types)[0] = ot(ORMC_FIELD_BOOLEAN);
		else
			for (i = 0; i < proj->ncols && i < sel->ncols; i++)
				/* A field's type is the column's (the model-field columns carry none in the IR). */
				(*types)[i] = proj->cols[i].expr->kind == ORMC_EXPR_COL ? sel->cols[i]->type
				                                                        : proj->cols[i].expr->type;
	}
	return sel;
}

/* A (sub)query: its conditions are its own, whatever NOTs surround it. */
ormc_select *
ormc_pl_plan_query(plan *p, ormc_qs *qs, scope *outer, int purpose, const char ***names,
            ormc_otype **types, int *ncols)
{
	int negated = p->negated, in_agg = p->in_agg, neg_on_row = p->neg_on_row;
	ormc_select *sel;

	/* A subquery's conditions are its own: no surrounding NOT or aggregate. */
	p->negated = 0;
	p->in_agg = 0;
	p->neg_on_row = 0;
	sel = ormc_pl_select_in(p, qs, outer, purpose, names, types, ncols);
	p->negated = negated;
	p->in_agg = in_agg;
	p->neg_on_row = neg_on_row;
	return sel;
}
