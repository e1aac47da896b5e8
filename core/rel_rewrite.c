/*
 * rel_rewrite.c -- ormc's rules, decided on the relational tree (rel.h) of
 * each level before any SQL is built.
 *
 * Aggregates over different multi-valued relations never multiply each
 * other (DESIGN.md section 3). For every aggregate the level computes, its
 * chain is the multi-valued relations (reverse foreign keys, many-to-many)
 * its argument walks; aggregates with the same chain and the same
 * constraining filter() share a block.
 *
 *   blocks                          form
 *   ------------------------------  ----------------------------------------
 *   none, or only the base rows     in place: one SELECT, GROUP BY when needed
 *   exactly one chain, nothing else in place over a JOIN of the chain (Django's)
 *   anything else                   each chain a derived table grouped by the
 *                                   level's keys, LEFT JOINed on them (a scalar
 *                                   subquery per aggregate for aggregate())
 *
 * Output, grouping or ordering on a multi-valued relation joins it, and so
 * does a subquery's OuterRef through one (Django reuses the outer join); the
 * last filter() on that relation then picks the joined rows, and an
 * annotation that follows an earlier filter() on it reads the joins of that
 * one. Every other condition on a multi-valued relation is a semi-join
 * (EXISTS per related row), so rows are never repeated. A filter() that
 * precedes an aggregate and walks the aggregate's chain constrains the
 * aggregated rows (Django's join reuse).
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rel.h"
#include "qwalk.h"

/* ---------------------------------------------------------------- blocks */

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
	int i, j;

	for (i = 0; i < aggs->n; i++) {
		aggref *r = aggs->items[i];
		ormc_rel_block b, *bp = NULL;
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
		b.filter = -1;
		for (j = r->nbefore - 1; j >= 0; j--)
			if (j < qs->nfilters && !qs->filters[j].cond->has_agg &&
			    ormc_pl_cond_touches(qs->filters[j].cond, b.chain, b.n)) {
				b.filter = j;
				break;
			}
		for (j = 0; j < blocks->n; j++) {
			ormc_rel_block *o = blocks->items[j];

			if (o->n == b.n && prefix_eq(o->chain, b.chain, b.n) && o->filter == b.filter) {
				bp = o;
				break;
			}
		}
		if (bp == NULL) {
			b.nbefore = r->nbefore;
			bp = NEW(p, ormc_rel_block);
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

/* Put node r between the level's base and the node that read it. */
static void
insert_above_base(ormc_rel_parts *parts, ormc_rel *r)
{
	ormc_rel *n;

	for (n = parts->top; n->input != parts->base; n = n->input)
		assert(n->input != NULL);
	r->input = parts->base;
	n->input = r;
}

static ormc_field **
chain_copy(plan *p, ormc_field *const *chain, int n)
{
	ormc_field **c = ormc_arena_alloc(p->a, sizeof(ormc_field *) * (size_t)(n + 1));

	if (c == NULL) {
		ormc_pl_pfail(p, ORMC_ENOMEM, -1, "out of memory");
		return NULL;
	}
	memcpy(c, chain, sizeof(ormc_field *) * (size_t)n);
	return c;
}

/* The multi-valued relations a filter reads beyond its context chain: its semi-joins. */
typedef struct semi_ctx {
	plan *p;
	ormc_rel *f;
	int cap;
} semi_ctx;

static int
semi_expr(ormc_qwalker *w, const ormc_expr *x)
{
	semi_ctx *c = w->ctx;
	ormc_rel *f = c->f;
	walk path;
	int k, j, i;

	switch (x->kind) {
	case ORMC_EXPR_COL:
		break;
	case ORMC_EXPR_AGG:
	case ORMC_EXPR_SUBQUERY:
	case ORMC_EXPR_EXISTS:
	case ORMC_EXPR_OUTERREF:
		return ORMC_WALK_PRUNE;
	default:
		return ORMC_WALK_CONTINUE;
	}
	ormc_pl_walk_path(x->path, &path);
	k = common_prefix(path.hops, path.nchain, f->ctx, f->nctx);
	if (k >= path.nchain)
		return ORMC_WALK_PRUNE;
	for (j = k; j < path.nchain && !ormc_field_is_multi(path.hops[j]); j++)
		;
	for (i = 0; i < f->nsemi; i++)
		if (f->semi[i].n == j + 1 && prefix_eq(f->semi[i].hops, path.hops, j + 1))
			return ORMC_WALK_PRUNE;
	if (f->nsemi == c->cap) {
		ormc_rel_path *grown = ormc_arena_alloc(c->p->a, sizeof(ormc_rel_path) * (size_t)(2 * c->cap + 2));

		if (grown == NULL) {
			ormc_pl_pfail(c->p, ORMC_ENOMEM, -1, "out of memory");
			return ORMC_WALK_ABORT;
		}
		if (f->nsemi > 0)
			memcpy(grown, f->semi, sizeof(ormc_rel_path) * (size_t)f->nsemi);
		f->semi = grown;
		c->cap = 2 * c->cap + 2;
	}
	f->semi[f->nsemi].hops = x->path->nhops > j ? (ormc_field *const *)x->path->hops : NULL;
	if (f->semi[f->nsemi].hops == NULL) {
		/* the relation is the path's own last field (isnull on a reverse relation) */
		ormc_field **h = ormc_arena_alloc(c->p->a, sizeof(ormc_field *) * (size_t)(j + 1));

		if (h == NULL) {
			ormc_pl_pfail(c->p, ORMC_ENOMEM, -1, "out of memory");
			return ORMC_WALK_ABORT;
		}
		memcpy(h, path.hops, sizeof(ormc_field *) * (size_t)(j + 1));
		f->semi[f->nsemi].hops = h;
	}
	f->semi[f->nsemi++].n = j + 1;
	return ORMC_WALK_PRUNE;
}

static int
filter_semi(plan *p, ormc_rel *f, const ormc_cond *c)
{
	semi_ctx sc = { p, f, 0 };
	ormc_qwalker w = { semi_expr, NULL, 0, &sc, 0 };

	return ormc_qwalk_cond(&w, c) == ORMC_WALK_ABORT ? -1 : 0;
}

/*
 * Should the blocks of a level of rows be computed per row, by correlated
 * subqueries, rather than in derived tables over every row? When a slice
 * keeps a few rows and nothing before it reads the aggregates (ordering,
 * distinct(), HAVING), the engines compute the subqueries for the rows kept
 * only, where a derived table aggregates every row first: a store's product
 * count and revenue over 1,000,000 orders for 10 of 1,000 stores took 0.06 s
 * against 3.8 s on SQLite and 0.23 s against 1.1 s on PostgreSQL
 * (bench/multirel.sh). Over every row, derived tables are as fast or faster
 * (3.5 times on PostgreSQL). A level that groups keeps derived tables: its
 * GROUP BY would have to hold the subqueries.
 */
static int
per_row(const ormc_rel_parts *parts, int hasempty, int keychain)
{
	const ormc_qs *qs = parts->top->qs;
	int i;

	if (parts->limit == NULL || qs->limit < 0 || parts->distinct != NULL || qs->grouped || !qs->per_object ||
	    parts->agg == NULL || parts->agg->nkeys != 1 || hasempty || keychain)
		return 0;   /* correlated by the row's key: one row per object */
	for (i = 0; i < qs->norder; i++)
		if (qs->order[i].expr->has_agg || qs->order[i].random)
			return 0;
	for (i = 0; i < qs->nfilters; i++)
		if (qs->filters[i].cond->has_agg)
			return 0;
	return 1;
}

static int
decide_level(plan *p, ormc_rel_parts *parts)
{
	ormc_qs *qs = parts->top->qs;
	ormc_rel *agg = parts->agg, *join = NULL, *f;
	ormc_rel_mode mode = parts->project->mode;
	ormc_outcol *outs = parts->project->cols;
	int nouts = parts->project->ncols, i, j;
	ormc_field *keyctx[ORMC_MAX_HOPS + 1], **kctx = NULL;
	int nkeyctx = 0, keychain = 0, keyfilter = -1, nonempty = 0, hasempty = 0, inline_aggs = 0;
	ormc_ptrvec aggs = { 0 }, blocks = { 0 };
	ormc_rel_block *joinblock = NULL;
	int grouped;

	/* The aggregates of the level and their blocks. */
	if (agg != NULL) {
		if (mode == ORMC_REL_AGG)
			for (i = 0; i < qs->naggregates; i++)
				collect_aggs(p, qs->aggregates[i]->expr, qs->nfilters, &aggs);
		for (i = 0; i < qs->nannots; i++)
			collect_aggs(p, qs->annots[i]->expr, qs->annots[i]->nfilters_before, &aggs);
		if (p->failed || make_blocks(p, qs, &aggs, &blocks) < 0)
			return -1;
		agg->blocks = (ormc_rel_block **)blocks.items;
		agg->nblocks = blocks.n;
		for (i = 0; i < blocks.n; i++) {
			ormc_rel_block *b = blocks.items[i];

			if (b->n == 0)
				hasempty = 1;
			else {
				nonempty++;
				joinblock = b;
			}
		}
	}

	/* The multi-valued relations the level's rows must be joined to. */
	for (i = 0; i < nouts; i++) {
		keychain |= multi_outside_agg(outs[i].expr);
		ormc_pl_expr_chain(outs[i].expr, keyctx, &nkeyctx);
		outer_chain(outs[i].expr, keyctx, &nkeyctx);
	}
	for (i = 0; agg != NULL && i < agg->nkeys; i++) {
		keychain |= multi_outside_agg(agg->keys[i]);
		ormc_pl_expr_chain(agg->keys[i], keyctx, &nkeyctx);
	}
	for (i = 0; i < qs->norder; i++) {
		keychain |= multi_outside_agg(qs->order[i].expr);
		ormc_pl_expr_chain(qs->order[i].expr, keyctx, &nkeyctx);
	}
	for (i = 0; i < qs->nannots; i++)
		outer_chain(qs->annots[i]->expr, keyctx, &nkeyctx);
	for (i = 0; i < qs->nfilters; i++)
		outer_chain_cond(qs->filters[i].cond, keyctx, &nkeyctx);
	if (nkeyctx > 0) {
		keychain = 1;
		if ((kctx = chain_copy(p, keyctx, nkeyctx)) == NULL)
			return -1;
	}
	if (keychain && nonempty > 1)
		return ormc_pl_pfail(p, ORMC_EUNSUPPORTED, qs->pos,
		                     "selecting a multi-valued relation together with aggregates over several relations is not supported");

	/* Where each block is computed, and the JOIN. */
	if (nonempty == 1 && (!hasempty || keychain)) {
		/* One chain only: join it, as Django does. */
		if ((join = ormc_rel_node(p, ORMC_REL_JOIN, qs, NULL)) == NULL)
			return -1;
		join->chain = joinblock->chain;
		join->nchain = joinblock->n;
		join->for_aggs = 1;
		inline_aggs = 1;
	} else {
		joinblock = NULL;
		inline_aggs = hasempty;
		if (keychain) {
			if ((join = ormc_rel_node(p, ORMC_REL_JOIN, qs, NULL)) == NULL)
				return -1;
			join->chain = kctx;
			join->nchain = nkeyctx;
		}
		for (i = 0; i < blocks.n; i++) {
			ormc_rel_block *b = blocks.items[i];

			if (b->n > 0)
				b->form = mode == ORMC_REL_AGG ? ORMC_FORM_SCALAR
				        : per_row(parts, hasempty, keychain) ? ORMC_FORM_CORRELATED : ORMC_FORM_DERIVED;
		}
	}
	if (join != NULL) {
		insert_above_base(parts, join);
		parts->join = join;
	}

	/* The last filter() on the relation values() or order_by() joins picks its rows. */
	if (keychain && nkeyctx > 0)
		for (i = qs->nfilters - 1; i >= 0 && keyfilter < 0; i--)
			if (!qs->filters[i].cond->has_agg && ormc_pl_cond_touches(qs->filters[i].cond, keyctx, nkeyctx) &&
			    !(joinblock && joinblock->filter == i))
				keyfilter = i;
	for (i = 0; i < qs->nfilters; i++) {
		f = parts->filters[i];
		assert(f != NULL);
		if (joinblock != NULL && joinblock->filter == i) {
			f->how = ORMC_FILTER_JOINED;
			f->ctx = join->chain;
			f->nctx = join->nchain;
		} else if (i == keyfilter) {
			f->how = ORMC_FILTER_JOINED;
			f->ctx = kctx;
			f->nctx = nkeyctx;
		}
	}

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
			ormc_rel_bind *bind;
			int b = -1;

			if (an->expr->has_agg || !multi_outside_agg(an->expr))
				continue;
			for (j = an->nfilters_before - 1; j >= 0 && j < qs->nfilters && b < 0; j--)
				if (!qs->filters[j].cond->has_agg &&
				    ormc_pl_cond_touches(qs->filters[j].cond, keyctx, nkeyctx))
					b = j;
			if (b < 0 || b == keyfilter)
				continue;
			if ((bind = NEW(p, ormc_rel_bind)) == NULL || ormc_ptrvec_push(p->a, &join->binds, bind) < 0)
				return ormc_pl_pfail(p, ORMC_ENOMEM, -1, "out of memory");
			bind->annot = an;
			bind->filter = b;
			f = parts->filters[b];
			f->how = ORMC_FILTER_BOUND;
			f->ctx = kctx;
			f->nctx = nkeyctx;
		}
	}

	for (i = 0; i < qs->nfilters; i++)
		if (!qs->filters[i].cond->has_agg && filter_semi(p, parts->filters[i], qs->filters[i].cond) < 0)
			return -1;

	/* GROUP BY, HAVING, and Meta.ordering (not when the level groups, Django 3.1+). */
	grouped = mode == ORMC_REL_ROWS && (qs->grouped || (inline_aggs && (qs->per_object || keychain)));
	assert(!grouped || agg != NULL);
	if (agg != NULL) {
		agg->group_by = grouped;
		agg->inline_aggs = inline_aggs;
	}
	for (i = 0; i < qs->nfilters; i++)
		if (qs->filters[i].cond->has_agg)
			parts->filters[i]->how = grouped || (mode != ORMC_REL_ROWS && inline_aggs) ? ORMC_FILTER_HAVING
			                                                                          : ORMC_FILTER_AFTER;
	if (parts->sort != NULL)
		parts->sort->meta = !qs->order_set && !grouped && !qs->per_object;
	return p->failed ? -1 : 0;
}

int
ormc_rel_rewrite(plan *p, ormc_rel *top)
{
	ormc_rel_parts parts;

	if (ormc_rel_parts_of(p, top, &parts) < 0)
		return -1;
	if (parts.base->kind == ORMC_REL_LEVEL && parts.base->sub->kind != ORMC_REL_COMBINE &&
	    ormc_rel_rewrite(p, parts.base->sub) < 0)
		return -1;
	if (parts.base->kind == ORMC_REL_LEVEL && parts.base->wrap)
		return 0;   /* aggregate() or count() over the query: read from it by name */
	return decide_level(p, &parts);
}

/* ---------------------------------------------------------------- the tree's invariants */

static int
bad(char *why, size_t len, const char *what)
{
	snprintf(why, len, "relational tree: %s", what);
	return -1;
}

/*
 * One level, bottom up: its rows, at most one JOIN right above them, the
 * filters on rows, at most one AGGREGATE, the filters on aggregates, one
 * PROJECT, then DISTINCT, SORT, LIMIT in that order; and each decision
 * consistent with the others.
 */
static int
check_level(const ormc_rel *top, char *why, size_t len)
{
	const ormc_rel *r, *chain[16 + 1];
	const ormc_rel *base = NULL, *join = NULL, *agg = NULL, *proj = NULL;
	int n = 0, i, stage = 0;

	/* rows, JOIN, FILTER*, AGGREGATE, FILTER*, WINDOW, PROJECT, DISTINCT, SORT, LIMIT: 9 kinds, filters aside */
	for (r = top; r != NULL; r = r->input) {
		if (r->kind == ORMC_REL_FILTER)
			continue;
		if (n == 16)
			return bad(why, len, "a level of more nodes than it has kinds");
		chain[n++] = r;
	}
	for (i = n - 1; i >= 0; i--) {
		static const int order[] = {
			[ORMC_REL_SCAN] = 0, [ORMC_REL_LEVEL] = 0, [ORMC_REL_COMBINE] = 0,
			[ORMC_REL_JOIN] = 1, [ORMC_REL_AGGREGATE] = 2, [ORMC_REL_WINDOW] = 3,
			[ORMC_REL_PROJECT] = 4, [ORMC_REL_DISTINCT] = 5, [ORMC_REL_SORT] = 6, [ORMC_REL_LIMIT] = 7,
		};
		int k = order[chain[i]->kind];

		if ((i == n - 1) != (k == 0) || (i < n - 1 && k <= stage))
			return bad(why, len, "nodes out of order");
		stage = k;
		switch (chain[i]->kind) {
		case ORMC_REL_SCAN: case ORMC_REL_LEVEL: case ORMC_REL_COMBINE: base = chain[i]; break;
		case ORMC_REL_JOIN: join = chain[i]; break;
		case ORMC_REL_AGGREGATE: agg = chain[i]; break;
		case ORMC_REL_PROJECT: proj = chain[i]; break;
		default: break;
		}
	}
	if (base == NULL || proj == NULL)
		return bad(why, len, "a level without rows or output");
	if (join != NULL && join->input != base)
		return bad(why, len, "a JOIN not right above the rows");
	for (r = top, stage = agg == NULL; r != base; r = r->input) {
		if (r == agg)
			stage = 1;
		if (r->kind != ORMC_REL_FILTER)
			continue;
		if (stage == 0 && r->how != ORMC_FILTER_HAVING && r->how != ORMC_FILTER_AFTER)
			return bad(why, len, "a filter on rows above the aggregate");
		if (stage == 1 && (r->how == ORMC_FILTER_HAVING || r->how == ORMC_FILTER_AFTER))
			return bad(why, len, "a filter on aggregates below the aggregate");
		if (r->how == ORMC_FILTER_HAVING && (agg == NULL || (!agg->group_by && !agg->inline_aggs)))
			return bad(why, len, "HAVING where nothing is aggregated in place");
		if ((r->how == ORMC_FILTER_JOINED || r->how == ORMC_FILTER_BOUND) && (join == NULL || r->nctx == 0))
			return bad(why, len, "a filter on joined rows without a JOIN");
	}
	if (agg != NULL) {
		if (agg->group_by && proj->mode != ORMC_REL_ROWS)
			return bad(why, len, "GROUP BY for aggregate() or count()");
		for (i = 0; i < agg->nblocks; i++) {
			const ormc_rel_block *b = agg->blocks[i];

			if (b->form == ORMC_FORM_SCALAR && proj->mode != ORMC_REL_AGG)
				return bad(why, len, "a scalar-subquery block outside aggregate()");
			if ((b->form == ORMC_FORM_DERIVED || b->form == ORMC_FORM_CORRELATED) && proj->mode != ORMC_REL_ROWS)
				return bad(why, len, "a derived-table or correlated block outside rows");
			if (b->form == ORMC_FORM_CORRELATED && agg->group_by)
				return bad(why, len, "a correlated block in a level that groups");
			if (b->form == ORMC_FORM_INLINE && b->n > 0 &&
			    (join == NULL || !join->for_aggs || join->nchain != b->n || !prefix_eq(join->chain, b->chain, b->n)))
				return bad(why, len, "an aggregate over a relation computed in place without its JOIN");
		}
	}
	if (base->kind == ORMC_REL_LEVEL) {
		if (base->sub == NULL)
			return bad(why, len, "a LEVEL without the level below");
		if (base->wrap && (agg == NULL || agg->nkeys > 0))
			return bad(why, len, "aggregate() over a query that is not one AGGREGATE");
		if (base->sub->kind != ORMC_REL_COMBINE)
			return check_level(base->sub, why, len);
	}
	return 0;
}

int
ormc_rel_check(const ormc_rel *top, char *why, size_t len)
{
	return check_level(top, why, len);
}
