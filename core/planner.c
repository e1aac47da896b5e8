/*
 * planner.c -- from query IR to a relational plan (core/plan.h).
 *
 * The planner decides joins, semi-joins, grouping and where each aggregate is
 * computed; it knows nothing of SQL spelling. Its one rule beyond Django's:
 * aggregates over different multi-valued relations never multiply each
 * other (DESIGN.md section 3). For every aggregate it finds its chain, the
 * multi-valued relations (reverse foreign keys, many-to-many) its argument
 * walks. Aggregates are then put in blocks: same chain and same constraining
 * filters share a block.
 *
 *   blocks                          form
 *   ------------------------------  ----------------------------------------
 *   none, or only the base rows     inline: one SELECT, GROUP BY when needed
 *   exactly one chain, nothing else join: LEFT JOIN the chain, GROUP BY (Django's)
 *   anything else                   derived: each chain in its own derived table
 *                                   grouped by the query's keys, LEFT JOINed on
 *                                   them (scalar subqueries for aggregate())
 *
 * Filters: a filter() that precedes an aggregate and walks the aggregate's
 * chain constrains the aggregated rows (Django's join reuse); for the base
 * rows every condition on a multi-valued relation is a semi-join (EXISTS), so
 * rows are never duplicated. Conditions in one filter() call that walk the
 * same relation share one EXISTS (Django's "same related object" rule).
 */
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "planner.h"
#include "groupcheck.h"
#include "qwalk.h"
#include "walk.h"

/* ---------------------------------------------------------------- blocks */

typedef struct block {
	ormc_field *chain[ORMC_MAX_HOPS + 1];
	int n;
	int filters[1];           /* the filter() call that constrains its rows (Django's join reuse) */
	int nfilters;
	ormc_ptrvec aggs;         /* const ormc_expr* */
	int nbefore;              /* filters before (for identity) */
} block;

typedef struct aggref {
	const ormc_expr *agg;
	int nbefore;
} aggref;

/* The aggregates an expression computes at this level: each once, not those of annotations it reads. */
typedef struct aggs_ctx {
	plan *p;
	int nbefore;
	ormc_ptrvec *out;
} aggs_ctx;

static int
agg_expr(ormc_qwalker *w, const ormc_expr *x)
{
	aggs_ctx *c = w->ctx;
	aggref *r;
	int i;

	if (!x->has_agg || x->kind == ORMC_EXPR_REF)
		return ORMC_WALK_PRUNE;   /* a REF's are collected with its own annotation */
	if (x->kind != ORMC_EXPR_AGG)
		return ORMC_WALK_CONTINUE;
	for (i = 0; i < c->out->n; i++)
		if (((aggref *)c->out->items[i])->agg == x)
			return ORMC_WALK_PRUNE;
	if ((r = NEW(c->p, aggref)) == NULL || ormc_ptrvec_push(c->p->a, c->out, r) < 0) {
		c->p->failed = 1;
		return ORMC_WALK_ABORT;
	}
	r->agg = x;
	r->nbefore = c->nbefore;
	return ORMC_WALK_PRUNE;
}

static int
agg_cond(ormc_qwalker *w, const ormc_cond *c)
{
	(void)w;
	return c->has_agg ? ORMC_WALK_CONTINUE : ORMC_WALK_PRUNE;
}

static void
collect_aggs(plan *p, const ormc_expr *x, int nbefore, ormc_ptrvec *out)
{
	aggs_ctx c = { p, nbefore, out };
	ormc_qwalker w = { agg_expr, agg_cond, 0, &c, 0 };

	ormc_qwalk_expr(&w, x);
}

/* Group aggregates by (chain, constraining filters). */
static int
make_blocks(plan *p, ormc_qs *qs, ormc_ptrvec *aggs, ormc_ptrvec *blocks)
{
	int i, j, k;

	for (i = 0; i < aggs->n; i++) {
		aggref *r = aggs->items[i];
		block b, *bp = NULL;
		int n = 0;

		memset(&b, 0, sizeof(b));
		ormc_pl_expr_chain(r->agg->args ? r->agg->args[0] : NULL, b.chain, &n);
		if (n < 0)
			return ormc_pl_pfail(p, ORMC_EUNSUPPORTED, r->agg->pos,
			             "an aggregate over two different multi-valued relations at once is not supported");
		b.n = n;
		/*
		 * Django's aggregate reuses the most recent join of its relation, so
		 * the last filter() walking the chain picks the aggregated rows; the
		 * others only select base rows (semi-joins).
		 */
		for (j = r->nbefore - 1; j >= 0; j--)
			if (j < qs->nfilters && !qs->filters[j].cond->has_agg &&
			    ormc_pl_cond_touches(qs->filters[j].cond, b.chain, b.n)) {
				b.filters[b.nfilters++] = j;
				break;
			}
		for (j = 0; j < blocks->n; j++) {
			block *o = blocks->items[j];

			if (o->n == b.n && prefix_eq(o->chain, b.chain, b.n) && o->nfilters == b.nfilters) {
				for (k = 0; k < b.nfilters; k++)
					if (o->filters[k] != b.filters[k])
						break;
				if (k == b.nfilters) {
					bp = o;
					break;
				}
			}
		}
		if (bp == NULL) {
			bp = NEW(p, block);
			if (bp == NULL || ormc_ptrvec_push(p->a, blocks, bp) < 0)
				return ormc_pl_pfail(p, ORMC_ENOMEM, -1, "out of memory");
			*bp = b;
			memset(&bp->aggs, 0, sizeof(bp->aggs));
		}
		if (ormc_ptrvec_push(p->a, &bp->aggs, (void *)r->agg) < 0)
			return ormc_pl_pfail(p, ORMC_ENOMEM, -1, "out of memory");
	}
	return ORMC_OK;
}

/*
 * The chain of this query's multi-valued relations that the OuterRefs of the
 * subqueries in x walk: such a relation must be joined (Django reuses the
 * outer query's join), not turned into a semi-join. depth is how many
 * subqueries down the walk is (0: this query).
 */
typedef struct outer_ctx {
	int depth;
	ormc_field **chain;
	int *n;
} outer_ctx;

static void outer_chain_qs(ormc_qwalker *w, const ormc_qs *sub);

static int
outer_expr(ormc_qwalker *w, const ormc_expr *x)
{
	outer_ctx *c = w->ctx;

	if (*c->n < 0)
		return ORMC_WALK_ABORT;
	switch (x->kind) {
	case ORMC_EXPR_OUTERREF:
		if (c->depth != x->levels + 1) {
			/* another query's */
		} else if (x->annot != NULL) {
			ormc_pl_expr_chain(x->annot->expr, c->chain, c->n);
		} else {
			ormc_expr col = *x;

			col.kind = ORMC_EXPR_COL;
			ormc_pl_expr_chain(&col, c->chain, c->n);
		}
		return ORMC_WALK_PRUNE;
	case ORMC_EXPR_SUBQUERY:
	case ORMC_EXPR_EXISTS:
		c->depth++;
		outer_chain_qs(w, x->sub);
		c->depth--;
		return ORMC_WALK_PRUNE;
	case ORMC_EXPR_REF:
		/* this query's annotation; a subquery's own are read there */
		if (c->depth == 0)
			ormc_qwalk_expr(w, x->annot->expr);
		return ORMC_WALK_PRUNE;
	default:
		return ORMC_WALK_CONTINUE;
	}
}

/* The OuterRefs of a subquery (one level further down): what it reads of the queries around it. */
static void
outer_chain_qs(ormc_qwalker *w, const ormc_qs *sub)
{
	int i;

	for (i = 0; i < sub->nfilters; i++)
		ormc_qwalk_cond(w, sub->filters[i].cond);
	for (i = 0; i < sub->nannots; i++)
		ormc_qwalk_expr(w, sub->annots[i]->expr);
	for (i = 0; i < sub->nvalues; i++)
		ormc_qwalk_expr(w, sub->values[i].expr);
	for (i = 0; i < sub->naggregates; i++)
		ormc_qwalk_expr(w, sub->aggregates[i]->expr);
}

static void
outer_chain(const ormc_expr *x, ormc_field **chain, int *n)
{
	outer_ctx c = { 0, chain, n };
	ormc_qwalker w = { outer_expr, NULL, 0, &c, 0 };

	ormc_qwalk_expr(&w, x);
}

static void
outer_chain_cond(const ormc_cond *cond, ormc_field **chain, int *n)
{
	outer_ctx c = { 0, chain, n };
	ormc_qwalker w = { outer_expr, NULL, 0, &c, 0 };

	ormc_qwalk_cond(&w, cond);
}

static int
block_has_filter(const block *b, int f)
{
	int i;

	for (i = 0; i < b->nfilters; i++)
		if (b->filters[i] == f)
			return 1;
	return 0;
}

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

enum { MODE_ROWS, MODE_AGG, MODE_COUNT };

static int plan_level_from(plan *p, ormc_qs *qs, scope *sc, scope *outer, int mode,
                           ormc_outcol *outs, int nouts);
static ormc_select *plan_core(plan *p, ormc_qs *qs, scope *outer, int mode, int purpose,
                              ormc_outcol *outs, int nouts);

/* A model field as the query below selects it (no transforms, no hops). */
static ormc_expr *
bare_field(plan *p, ormc_model *m, ormc_field *f, int pos)
{
	ormc_expr *x = NEW(p, ormc_expr);
	ormc_path *path = NEW(p, ormc_path);

	if (x == NULL || path == NULL) {
		ormc_pl_pfail(p, ORMC_ENOMEM, -1, "out of memory");
		return NULL;
	}
	path->model = m;
	path->field = f;
	x->kind = ORMC_EXPR_COL;
	x->pos = pos;
	x->path = path;
	x->type = ot(f->kind);
	return x;
}

static ormc_expr *
pk_expr(plan *p, ormc_model *m)
{
	ormc_expr *x = bare_field(p, m, m->pk, -1);

	if (x != NULL)
		x->type = pk_type(m);
	return x;
}

/*
 * Build the derived table (or, for aggregate(), the scalar subqueries) of
 * one block and register where each of its aggregates can be read.
 */
static int
plan_block(plan *p, ormc_qs *qs, scope *main, block *b, ormc_expr **gkeys, ormc_sx **gsx,
           int ngkeys, int mode, int per_object)
{
	int i, j;

	if (mode == MODE_AGG) {
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
			for (j = 0; j < qs->nfilters; j++) {
				const ormc_cond *c = qs->filters[j].cond;

				if (c->has_agg)
					continue;
				d->where = sx_and(p, d->where, block_has_filter(b, j) ? ormc_pl_c2sx(ds, c, b->chain, b->n)
				                                                       : ormc_pl_c2sx(ds, c, NULL, 0));
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
			if (block_has_filter(b, j))
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

static int
needs_wrap(const ormc_qs *qs)
{
	int i;

	if (qs->grouped || qs->distinct || qs->limit >= 0 || qs->offset > 0)
		return 1;
	for (i = 0; i < qs->nannots; i++)
		if (qs->annots[i]->expr->has_agg || ormc_expr_has_window(qs->annots[i]->expr))
			return 1;   /* a window cannot be an aggregate's argument: aggregate its rows */
	return 0;
}

/* Does x walk a multi-valued relation outside any aggregate? */
static int
multi_col_expr(ormc_qwalker *w, const ormc_expr *x)
{
	walk path;

	(void)w;
	if (x->kind == ORMC_EXPR_AGG || x->kind == ORMC_EXPR_SUBQUERY || x->kind == ORMC_EXPR_EXISTS)
		return ORMC_WALK_PRUNE;
	if (x->kind != ORMC_EXPR_COL)
		return ORMC_WALK_CONTINUE;
	ormc_pl_walk_path(x->path, &path);
	return path.nchain > 0 ? ORMC_WALK_ABORT : ORMC_WALK_PRUNE;
}

static int
multi_outside_agg(const ormc_expr *x)
{
	/* a condition on the relation is "some related row": no row of its own */
	ormc_qwalker w = { multi_col_expr, ormc_qwalk_prune_cond, ORMC_QWALK_REFS, NULL, 0 };

	return ormc_qwalk_expr(&w, x) == ORMC_WALK_ABORT;
}

static const char *
attname(plan *p, const ormc_field *f)
{
	if (f->kind == ORMC_FIELD_FOREIGNKEY || f->kind == ORMC_FIELD_ONETOONE)
		return ormc_arena_printf(p->a, "%s_id", f->name);
	return f->name;
}

/* Output columns of a query: values() or every field plus the annotations. */
static int
output_columns(plan *p, ormc_qs *qs, ormc_outcol **out, int *n)
{
	int i, k = 0;
	ormc_outcol *cols;

	if (qs->values_set && qs->nvalues > 0) {
		*out = qs->values;
		*n = qs->nvalues;
		return ORMC_OK;
	}
	cols = ormc_arena_alloc(p->a, sizeof(ormc_outcol) * (size_t)(qs->model->nconcrete + qs->nannots + 1));
	if (cols == NULL)
		return ORMC_ENOMEM;
	for (i = 0; i < qs->model->nconcrete; i++) {
		ormc_field *f = qs->model->concrete[i];
		ormc_expr *x;
		ormc_path *path;
		ormc_field *hops[ORMC_MAX_HOPS];
		int nhops = ormc_model_parent_hops(qs->model, f->model, hops, ORMC_MAX_HOPS);

		assert(ormc_field_is_concrete(f));
		x = NEW(p, ormc_expr);
		path = NEW(p, ormc_path);
		if (x == NULL || path == NULL || nhops < 0)
			return nhops < 0 ? ORMC_EINTERNAL : ORMC_ENOMEM;
		path->model = qs->model;
		path->field = f;
		if (nhops > 0) {
			/* A multi-table parent's field, through the parent links (Django's INNER JOIN). */
			path->hops = ormc_arena_alloc(p->a, sizeof(ormc_field *) * (size_t)nhops);
			if (path->hops == NULL)
				return ORMC_ENOMEM;
			memcpy(path->hops, hops, sizeof(ormc_field *) * (size_t)nhops);
			path->nhops = nhops;
		}
		x->kind = ORMC_EXPR_COL;
		x->pos = -1;
		x->path = path;
		cols[k].name = attname(p, f);
		cols[k++].expr = x;
	}
	for (i = 0; i < qs->nannots; i++) {
		ormc_expr *x;

		if (qs->annots[i]->hidden)
			continue;
		x = NEW(p, ormc_expr);
		if (x == NULL)
			return ORMC_ENOMEM;
		x->kind = ORMC_EXPR_REF;
		x->annot = qs->annots[i];
		x->type = qs->annots[i]->expr->type;
		x->has_agg = qs->annots[i]->expr->has_agg;
		cols[k].name = qs->annots[i]->alias;
		cols[k++].expr = x;
	}
	*out = cols;
	*n = k;
	return ORMC_OK;
}

static int
same_col(const ormc_expr *a, const ormc_expr *b)
{
	int i;

	if (a->kind == ORMC_EXPR_REF && b->kind == ORMC_EXPR_REF)
		return a->annot == b->annot;
	if (a->kind != ORMC_EXPR_COL || b->kind != ORMC_EXPR_COL)
		return 0;
	if (a->path->nhops != b->path->nhops || a->path->field != b->path->field ||
	    a->ntransforms != b->ntransforms)
		return 0;
	for (i = 0; i < a->path->nhops; i++)
		if (a->path->hops[i] != b->path->hops[i])
			return 0;
	for (i = 0; i < a->ntransforms; i++)
		if (strcmp(a->transforms[i], b->transforms[i]) != 0)
			return 0;
	return 1;
}

/*
 * Plan one QuerySet as a SELECT. mode: rows, aggregate() (one row of the
 * terminal aggregates) or count(). outer: the enclosing query's scope.
 */
static ormc_select *
plan_core(plan *p, ormc_qs *qs, scope *outer, int mode, int purpose,
          ormc_outcol *outs, int nouts)
{
	ormc_select *sel = ormc_pl_select_new(p);
	scope *sc;
	ormc_expr **gkeys = ormc_arena_alloc(p->a, sizeof(ormc_expr *) * (size_t)(qs->ngroup + qs->norder + 1));
	ormc_sx **gsx = ormc_arena_alloc(p->a, sizeof(ormc_sx *) * (size_t)(qs->ngroup + qs->norder + 1));
	int ngkeys = 0, i, j, grouped, inline_aggs = 0, keychain = 0;
	ormc_field *keyctx[ORMC_MAX_HOPS + 1];
	int nkeyctx = 0, keyfilter = -1;
	ormc_ptrvec aggs = { 0 }, blocks = { 0 };
	block *joinblock = NULL;
	int nonempty = 0, hasempty = 0;
	ormc_sx *having = NULL, *y;
	unsigned char *bound = NULL;  /* filters that constrain an annotation's own joins */

	if (sel == NULL || gkeys == NULL || gsx == NULL) {
		ormc_pl_pfail(p, ORMC_ENOMEM, -1, "out of memory");
		return NULL;
	}
	sc = ormc_pl_scope_new(p, sel, qs, qs->model, NULL);
	if (sc == NULL)
		return NULL;
	sc->outer = outer;
	if (qs->inner != NULL) {
		if (plan_level_from(p, qs, sc, outer, mode, outs, nouts) < 0)
			return NULL;
	} else {
		ormc_pl_scope_base(sc);
	}

	/* Grouping keys. */
	if (mode == MODE_ROWS && qs->grouped) {
		for (i = 0; i < qs->ngroup; i++) {
			if (ormc_expr_has_window(qs->group[i].expr)) {
				ormc_pl_pfail(p, ORMC_EUNSUPPORTED, qs->pos,
				              "grouping by a window function is not supported (no SQL engine "
				              "groups by one): filter on the window first");
				return NULL;
			}
			gkeys[ngkeys++] = qs->group[i].expr;
		}
		/* Fields in order_by() take part in grouping, as in Django. */
		for (i = 0; i < qs->norder; i++) {
			const ormc_expr *x = qs->order[i].expr;

			if (x->has_agg)
				continue;
			for (j = 0; j < ngkeys; j++)
				if (same_col(gkeys[j], x))
					break;
			if (j == ngkeys)
				gkeys[ngkeys++] = (ormc_expr *)x;
		}
	} else if (mode == MODE_ROWS && qs->per_object) {
		gkeys[ngkeys++] = pk_expr(p, qs->model);
	}

	/* Aggregates and their blocks. */
	if (mode == MODE_AGG)
		for (i = 0; i < qs->naggregates; i++)
			collect_aggs(p, qs->aggregates[i]->expr, qs->nfilters, &aggs);
	for (i = 0; i < qs->nannots; i++)
		collect_aggs(p, qs->annots[i]->expr, qs->annots[i]->nfilters_before, &aggs);
	if (make_blocks(p, qs, &aggs, &blocks) < 0)
		return NULL;
	for (i = 0; i < blocks.n; i++) {
		block *b = blocks.items[i];

		if (b->n == 0)
			hasempty = 1;
		else {
			nonempty++;
			joinblock = b;
		}
	}
	/*
	 * Output, grouping or ordering on a multi-valued relation joins it in the
	 * main query, and so does a subquery's OuterRef through one; a filter()
	 * on that relation then picks the joined rows (Django's join reuse).
	 */
	for (i = 0; i < nouts; i++) {
		keychain |= multi_outside_agg(outs[i].expr);
		ormc_pl_expr_chain(outs[i].expr, keyctx, &nkeyctx);
		outer_chain(outs[i].expr, keyctx, &nkeyctx);
	}
	for (i = 0; i < ngkeys; i++) {
		keychain |= multi_outside_agg(gkeys[i]);
		ormc_pl_expr_chain(gkeys[i], keyctx, &nkeyctx);
	}
	for (i = 0; i < qs->norder; i++) {
		keychain |= multi_outside_agg(qs->order[i].expr);
		ormc_pl_expr_chain(qs->order[i].expr, keyctx, &nkeyctx);
	}
	for (i = 0; i < qs->nannots; i++)
		outer_chain(qs->annots[i]->expr, keyctx, &nkeyctx);
	for (i = 0; i < qs->nfilters; i++)
		outer_chain_cond(qs->filters[i].cond, keyctx, &nkeyctx);
	if (nkeyctx > 0)
		keychain = 1;
	if (keychain) {
		sc->multi_ok = 1;
		sc->chain_join = ORMC_JOIN_LEFT;
		if (nonempty > 1) {
			ormc_pl_pfail(p, ORMC_EUNSUPPORTED, qs->pos,
			      "selecting a multi-valued relation together with aggregates over several relations is not supported");
			return NULL;
		}
	}
	if (nonempty == 1 && (!hasempty || keychain)) {
		/* One chain only: join it, as Django does. */
		sc->multi_ok = 1;
		sc->chain_join = ORMC_JOIN_LEFT;
		sc->ctx = joinblock->chain;
		sc->nctx = joinblock->n;
		inline_aggs = 1;
	} else {
		joinblock = NULL;
		inline_aggs = hasempty;
		if (keychain && nkeyctx > 0) {
			sc->ctx = keyctx;
			sc->nctx = nkeyctx;
		}
		if (nonempty > 0) {
			for (i = 0; i < ngkeys; i++)
				if ((gsx[i] = ormc_pl_x2sx(sc, gkeys[i], NULL, 0)) == NULL)
					return NULL;
			for (i = 0; i < blocks.n; i++) {
				block *b = blocks.items[i];

				if (b->n > 0 && plan_block(p, qs, sc, b, gkeys, gsx, ngkeys, mode,
				                           mode == MODE_ROWS && qs->per_object) < 0)
					return NULL;
			}
		}
	}

	/* The last filter() on the relation values() or order_by() joins picks its rows. */
	if (keychain && nkeyctx > 0)
		for (i = qs->nfilters - 1; i >= 0 && keyfilter < 0; i--)
			if (!qs->filters[i].cond->has_agg && ormc_pl_cond_touches(qs->filters[i].cond, keyctx, nkeyctx) &&
			    !(joinblock && block_has_filter(joinblock, i)))
				keyfilter = i;

	/*
	 * Django's join reuse for annotations: F("friends__name") annotated
	 * after filter(friends__age=35) reads that filter's join, and one
	 * annotated after a second filter() on the relation the second's. An
	 * annotation bound so to an earlier filter() than the one that picks
	 * the joined rows gets joins of its own, with that filter on them.
	 */
	if (keychain && nkeyctx > 0 && nonempty == 0 && keyfilter >= 0) {
		for (i = 0; i < qs->nannots; i++) {
			ormc_annot *an = qs->annots[i];
			ormc_expr ref;
			int b = -1, j;

			if (an->expr->has_agg || !multi_outside_agg(an->expr))
				continue;
			for (j = an->nfilters_before - 1; j >= 0 && j < qs->nfilters && b < 0; j--)
				if (!qs->filters[j].cond->has_agg &&
				    ormc_pl_cond_touches(qs->filters[j].cond, keyctx, nkeyctx))
					b = j;
			if (b < 0 || b == keyfilter)
				continue;
			if (bound == NULL && (bound = ormc_arena_alloc(p->a, (size_t)qs->nfilters)) == NULL)
				return NULL;
			memset(&ref, 0, sizeof(ref));
			ref.kind = ORMC_EXPR_REF;
			ref.annot = an;
			ref.type = an->expr->type;
			sc->join_tag = b + 1;
			y = ormc_pl_x2sx(sc, &ref, NULL, 0);    /* kept for every later reading */
			sc->join_tag = 0;
			if (y == NULL)
				return NULL;
			bound[b] = 1;
		}
	}

	/* WHERE, and HAVING for conditions on aggregates. */
	for (i = 0; i < qs->nfilters; i++) {
		const ormc_cond *c = qs->filters[i].cond;

		if (ormc_cond_has_window(c)) {
			/* Django 4.2 filters in a query around; not built yet */
			ormc_pl_pfail(p, ORMC_EUNSUPPORTED, c->pos,
			              "filtering on a window function's annotation is not supported yet");
			return NULL;
		}
		if (c->has_agg)
			continue;
		if (joinblock && block_has_filter(joinblock, i))
			sel->where = sx_and(p, sel->where, ormc_pl_c2sx(sc, c, joinblock->chain, joinblock->n));
		else if (i == keyfilter)
			sel->where = sx_and(p, sel->where, ormc_pl_c2sx(sc, c, keyctx, nkeyctx));
		else if (bound != NULL && bound[i]) {
			sc->join_tag = i + 1;
			sel->where = sx_and(p, sel->where, ormc_pl_c2sx(sc, c, keyctx, nkeyctx));
			sc->join_tag = 0;
		} else
			sel->where = sx_and(p, sel->where, ormc_pl_c2sx(sc, c, NULL, 0));
	}

	/* Output columns. */
	if (mode == MODE_AGG) {
		for (i = 0; i < qs->naggregates; i++)
			ormc_pl_col_add(p, sel, ormc_pl_x2sx(sc, qs->aggregates[i]->expr, sc->ctx, sc->nctx),
			        qs->aggregates[i]->alias);
		if (!inline_aggs) {
			/* Every aggregate is a scalar subquery: no rows of our own. */
			sel->nfrom = 0;
			sel->where = NULL;
		}
	} else if (mode == MODE_COUNT) {
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
	grouped = mode == MODE_ROWS && (qs->grouped || (inline_aggs && (qs->per_object || keychain)));
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

	for (i = 0; i < qs->nfilters; i++) {
		const ormc_cond *c = qs->filters[i].cond;

		if (c->has_agg)
			having = sx_and(p, having, ormc_pl_c2sx(sc, c, NULL, 0));
	}
	if (having) {
		if (grouped || (mode != MODE_ROWS && inline_aggs))
			sel->having = having;
		else
			sel->where = sx_and(p, sel->where, having);
	}

	/* ORDER BY, LIMIT, DISTINCT. */
	if (mode == MODE_ROWS && purpose != PURPOSE_EXISTS) {
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
		/*
		 * Meta.ordering (the model's, else inherited), unless order_by() was
		 * called or the query groups (Django 3.1+); values() keeps it, as Django.
		 */
		if (!qs->order_set && !grouped && !qs->per_object) {
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
						return NULL;
					memcpy(path->hops, hops, sizeof(ormc_field *) * (size_t)nhops);
					path->nhops = nhops;
					path->model = qs->model;
					path->field = f;
					x->kind = ORMC_EXPR_COL;
					x->pos = -1;
					x->path = path;
					x->type = ot(f->kind);
					if ((sel->order[sel->norder].expr = ormc_pl_x2sx(sc, x, sc->ctx, sc->nctx)) == NULL)
						return NULL;
				} else {
					sel->order[sel->norder].expr = sx_col(p, sc->root_alias, f->column, ot(f->kind));
				}
				sel->order[sel->norder].desc = desc ^ qs->reverse;
				sel->norder++;
			}
		}
		sel->limit = qs->limit;
		sel->offset = qs->offset;
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
	if (mode == MODE_ROWS && purpose == PURPOSE_TOP && sel->distinct && sel->ndistinct_on == 0)
		return ormc_pl_distinct_ordered(p, sel);
	return sel;
}

/*
 * A column that a query reads from the derived table below it: an
 * aggregate() over a wrapped query (READ_WRAP), or an aggregation level over
 * the level below (READ_LEVEL). name is the derived table's column; expr is
 * what the query below selects under that name.
 */
typedef struct readcol {
	const char *name;
	ormc_expr *expr;
	const ormc_annot *annot;  /* READ_WRAP: an annotation read by name above */
} readcol;

enum { READ_WRAP, READ_LEVEL };


static int
read_add(plan *p, ormc_ptrvec *out, const char *name, ormc_expr *expr, const ormc_annot *an)
{
	readcol *rc;
	int i;

	for (i = 0; i < out->n; i++)
		if (strcmp(((readcol *)out->items[i])->name, name) == 0)
			return 0;
	rc = NEW(p, readcol);
	if (rc == NULL || ormc_ptrvec_push(p->a, out, rc) < 0)
		return ormc_pl_pfail(p, ORMC_ENOMEM, -1, "out of memory");
	rc->name = name;
	rc->expr = expr;
	rc->annot = an;
	return 0;
}

/*
 * May the level above read field f of below's rows? Grouped by values(),
 * below has one row per group: only its grouping fields (and what a foreign
 * key among them reaches) have one value there; reading another would make
 * it a key and split the groups.
 */
static int
readable(const ormc_qs *below, const ormc_field *f)
{
	int i;

	if (!below->grouped)
		return 1;
	for (i = 0; i < below->ngroup; i++) {
		const ormc_expr *k = below->group[i].expr;

		if (k->kind == ORMC_EXPR_COL && k->path->nhops == 0 && k->ntransforms == 0 &&
		    k->path->field == f)
			return 1;
	}
	return 0;
}

/* What x reads from the derived table below (see readcol). */
typedef struct reads_ctx {
	plan *p;
	const ormc_qs *below;
	int how;
	ormc_ptrvec *out;
} reads_ctx;

/* What x reads of the rows below, each once, into c->out; ABORT on an error. */
static int
read_expr(ormc_qwalker *w, const ormc_expr *x)
{
	reads_ctx *c = w->ctx;
	plan *p = c->p;
	const ormc_qs *below = c->below;
	int how = c->how, i;
	ormc_ptrvec *out = c->out;

	switch (x->kind) {
	case ORMC_EXPR_REF:
		if (how == READ_LEVEL)
			return ormc_qwalk_expr(w, x->annot->expr) == ORMC_WALK_ABORT ? ORMC_WALK_ABORT
			                                                             : ORMC_WALK_PRUNE;
		return read_add(p, out, x->annot->alias, (ormc_expr *)x, x->annot) < 0 ? ORMC_WALK_ABORT
		                                                                       : ORMC_WALK_PRUNE;
	case ORMC_EXPR_INNER: {
		ormc_expr *ref = NEW(p, ormc_expr);

		if (ref == NULL) {
			ormc_pl_pfail(p, ORMC_ENOMEM, -1, "out of memory");
			return ORMC_WALK_ABORT;
		}
		ref->kind = ORMC_EXPR_REF;
		ref->pos = x->pos;
		ref->annot = x->annot;
		ref->type = x->annot->expr->type;
		ref->has_agg = x->annot->expr->has_agg;
		return read_add(p, out, x->annot->alias, ref, NULL) < 0 ? ORMC_WALK_ABORT : ORMC_WALK_PRUNE;
	}
	case ORMC_EXPR_COL: {
		const ormc_path *path = x->path;
		ormc_field *f;
		ormc_expr *bare;

		/*
		 * The rows below are one per object (or group): what they determine
		 * is their own fields and what forward foreign keys reach. A
		 * multi-valued relation would have to be aggregated down there.
		 */
		for (i = 0; i < path->nhops; i++)
			if (ormc_field_is_multi(path->hops[i]))
				break;
		if (i < path->nhops || !ormc_field_is_concrete(path->field)) {
			ormc_pl_pfail(p, ORMC_EUNSUPPORTED, x->pos, how == READ_WRAP
			                     ? "aggregate() over an annotated, grouped or sliced query can read annotations, fields and fields of single-valued relations only, not the multi-valued relation '%s'"
			                     : "above a regrouping values(), only the rows' own fields, annotations and fields of single-valued relations can be read, not the multi-valued relation '%s'",
			                     i < path->nhops ? path->hops[i]->name : path->field->name);
			return ORMC_WALK_ABORT;
		}
		/*
		 * A walk from the rows below starts at the column its first hop
		 * joins on: the foreign key's own, or the key a reverse one-to-one
		 * points at.
		 */
		f = path->field;
		if (path->nhops > 0)
			f = path->hops[0]->kind == ORMC_FIELD_REVERSE_O2O ? path->model->pk : path->hops[0];
		if (!readable(below, f)) {
			ormc_pl_pfail(p, ORMC_EUNSUPPORTED, x->pos,
			              "'%s' is not one of the values() the rows below are grouped by, "
			              "so it has no single value there", path->field->name);
			return ORMC_WALK_ABORT;
		}
		if ((bare = bare_field(p, path->model, f, x->pos)) == NULL ||
		    read_add(p, out, f->column, bare, NULL) < 0)
			return ORMC_WALK_ABORT;
		return ORMC_WALK_PRUNE;
	}
	case ORMC_EXPR_SUBQUERY:
	case ORMC_EXPR_EXISTS:
	case ORMC_EXPR_OUTERREF:
	case ORMC_EXPR_VALUE:
	case ORMC_EXPR_PARAM:
		return ORMC_WALK_PRUNE;
	default:
		return ORMC_WALK_CONTINUE;
	}
}

static int
collect_reads(plan *p, const ormc_qs *below, const ormc_expr *x, int how, ormc_ptrvec *out)
{
	reads_ctx c = { p, below, how, out };
	ormc_qwalker w = { read_expr, NULL, 0, &c, 0 };

	return ormc_qwalk_expr(&w, x) == ORMC_WALK_ABORT ? -1 : 0;
}

static int
collect_reads_cond(plan *p, const ormc_qs *below, const ormc_cond *cond, int how, ormc_ptrvec *out)
{
	reads_ctx c = { p, below, how, out };
	ormc_qwalker w = { read_expr, NULL, 0, &c, 0 };

	return ormc_qwalk_cond(&w, cond) == ORMC_WALK_ABORT ? -1 : 0;
}

/*
 * FROM the level below (qs->inner) as a derived table that selects what this
 * level reads, in its outputs outs, keys, annotations, filters, ordering and
 * aggregate(); the scope's rows are then that table's.
 */
static int
plan_level_from(plan *p, ormc_qs *qs, scope *sc, scope *outer, int mode,
                ormc_outcol *outs, int nouts)
{
	ormc_ptrvec used = { 0 };
	ormc_outcol *cols;
	ormc_select *inner;
	int i, j;

	assert(qs->inner != NULL && qs->level == qs->inner->level + 1);
	for (i = 0; i < nouts; i++)
		if (collect_reads(p, qs->inner, outs[i].expr, READ_LEVEL, &used) < 0)
			return -1;
	for (i = 0; i < qs->ngroup; i++)
		if (collect_reads(p, qs->inner, qs->group[i].expr, READ_LEVEL, &used) < 0)
			return -1;
	for (i = 0; i < qs->nannots; i++)
		if (collect_reads(p, qs->inner, qs->annots[i]->expr, READ_LEVEL, &used) < 0)
			return -1;
	for (i = 0; i < qs->nfilters; i++)
		if (collect_reads_cond(p, qs->inner, qs->filters[i].cond, READ_LEVEL, &used) < 0)
			return -1;
	for (i = 0; i < qs->norder; i++)
		if (collect_reads(p, qs->inner, qs->order[i].expr, READ_LEVEL, &used) < 0)
			return -1;
	if (mode == MODE_AGG)
		for (i = 0; i < qs->naggregates; i++)
			if (collect_reads(p, qs->inner, qs->aggregates[i]->expr, READ_LEVEL, &used) < 0)
				return -1;
	cols = ormc_arena_alloc(p->a, sizeof(ormc_outcol) * (size_t)(used.n + 1));
	if (cols == NULL)
		return ormc_pl_pfail(p, ORMC_ENOMEM, -1, "out of memory");
	for (j = 0; j < used.n; j++) {
		cols[j].name = ((readcol *)used.items[j])->name;
		cols[j].expr = ((readcol *)used.items[j])->expr;
	}
	if (used.n == 0) {
		/* Count("*") reads nothing, but a SELECT needs a column. */
		if ((cols[0].expr = pk_expr(p, qs->inner->model)) == NULL)
			return -1;
		cols[0].name = qs->inner->model->pk->column;
		j = 1;
	}
	inner = qs->inner->combinator != ORMC_COMBINE_NONE ? ormc_pl_compound(p, qs->inner, outer)
	                                                  : plan_core(p, qs->inner, outer, MODE_ROWS, PURPOSE_TOP, cols, j);
	if (inner == NULL)
		return -1;
	if (inner->limit < 0 && inner->offset == 0)
		inner->norder = 0;
	sc->root_alias = ormc_pl_new_alias(p, "level");
	if (sc->root_alias == NULL || ormc_pl_from_add(p, sc->sel, NULL, inner, sc->root_alias, ORMC_JOIN_NONE, NULL) < 0)
		return ormc_pl_pfail(p, ORMC_ENOMEM, -1, "out of memory");
	return 0;
}

/* aggregate() over a query that must be computed first: wrap it. */
static ormc_select *
plan_wrapped(plan *p, ormc_qs *qs, scope *outer, int mode)
{
	ormc_select *inner, *sel = ormc_pl_select_new(p);
	ormc_outcol *outs;
	int nouts, i, j, k = 0;
	scope *sc;
	const char *alias = ormc_pl_new_alias(p, "sub");

	if (sel == NULL || output_columns(p, qs, &outs, &nouts) < 0)
		return NULL;
	if (mode == MODE_COUNT) {
		ormc_sx *cnt = sx_new(p, ORMC_SX_AGG, 1);

		inner = plan_core(p, qs, outer, MODE_ROWS, PURPOSE_TOP, outs, nouts);
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
	/*
	 * aggregate(): the inner query selects its output columns plus every
	 * annotation and model field that the aggregates read (in an argument,
	 * filter= or default=); above it, each resolves to the derived table's
	 * column of that name.
	 */
	{
		ormc_ptrvec used = { 0 };
		ormc_outcol *cols;

		for (i = 0; i < qs->naggregates; i++)
			if (collect_reads(p, qs, qs->aggregates[i]->expr, READ_WRAP, &used) < 0)
				return NULL;
		cols = ormc_arena_alloc(p->a, sizeof(ormc_outcol) * (size_t)(nouts + used.n + 1));
		sc = ormc_pl_scope_new(p, sel, qs, qs->model, NULL);
		if (cols == NULL || sc == NULL)
			return NULL;
		sc->outer = outer;
		sc->root_alias = alias;
		for (i = 0; i < nouts; i++)
			cols[k++] = outs[i];
		for (i = 0; i < used.n; i++) {
			const readcol *rc = used.items[i];

			if (rc->annot != NULL) {
				annmap *m = NEW(p, annmap);

				if (m == NULL || ormc_ptrvec_push(p->a, &sc->anns, m) < 0)
					return NULL;
				m->annot = rc->annot;
				m->sx = sx_col(p, alias, rc->name, rc->annot->expr->type);
			}
			for (j = 0; j < k; j++)
				if (strcmp(cols[j].name, rc->name) == 0)
					break;
			if (j < k)
				continue;
			cols[k].name = rc->name;
			cols[k++].expr = rc->expr;
		}
		inner = plan_core(p, qs, outer, MODE_ROWS, PURPOSE_TOP, cols, k);
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
	}
	return p->failed ? NULL : sel;
}

ormc_select *
ormc_pl_select_in(plan *p, ormc_qs *qs, scope *outer, int purpose, const char ***names,
               ormc_otype **types, int *ncols)
{
	ormc_select *sel;
	ormc_outcol *outs = NULL;
	int nouts = 0, i;

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
	} else if (qs->terminal == ORMC_TERM_AGGREGATE) {
		sel = needs_wrap(qs) ? plan_wrapped(p, qs, outer, MODE_AGG)
		                     : plan_core(p, qs, outer, MODE_AGG, purpose, NULL, 0);
	} else if (qs->terminal == ORMC_TERM_COUNT) {
		sel = needs_wrap(qs) ? plan_wrapped(p, qs, outer, MODE_COUNT)
		                     : plan_core(p, qs, outer, MODE_COUNT, purpose, NULL, 0);
	} else if (qs->terminal == ORMC_TERM_EXISTS) {
		ormc_select *inner = plan_core(p, qs, outer, MODE_ROWS, PURPOSE_EXISTS, NULL, 0);
		ormc_sx *ex = sx_new(p, ORMC_SX_EXISTS, 0);

		sel = ormc_pl_select_new(p);
		if (inner == NULL || ex == NULL || sel == NULL)
			return NULL;
		ex->sub = inner;
		ex->type = ot(ORMC_FIELD_BOOLEAN);
		ormc_pl_col_add(p, sel, ex, "exists");
	} else {
		if (output_columns(p, qs, &outs, &nouts) < 0)
			return NULL;
		if (purpose == PURPOSE_SCALAR || purpose == PURPOSE_IN)
			nouts = nouts > 0 ? 1 : 0;
		sel = plan_core(p, qs, outer, MODE_ROWS, purpose, outs, nouts);
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
			for (i = 0; i < nouts && i < sel->ncols; i++)
				/* A field's type is the column's (the model-field columns carry none in the IR). */
				(*types)[i] = outs[i].expr->kind == ORMC_EXPR_COL ? sel->cols[i]->type
				                                                  : outs[i].expr->type;
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
