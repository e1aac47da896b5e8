/*
 * rel_lower.c -- a QuerySet lowered into its relational tree (rel.h).
 *
 * Each level becomes a chain of nodes over its rows: the model's table, or
 * the level below read as a derived table (what the level reads of it is
 * worked out here, so the level below selects exactly that), then its
 * filter() calls, its aggregation (keys: values(), the fields of order_by(),
 * or the primary key per object), the filters on aggregates, the output,
 * the ordering, distinct() and the slice. aggregate() and count() over a
 * query that must be computed first (grouped, distinct, sliced, or
 * annotated with an aggregate or a window) are an AGGREGATE over a LEVEL.
 *
 * Nothing here decides ormc's rules (rel_rewrite.c) or translates an
 * expression (planner.c and plan_expr.c, plan_cond.c).
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rel.h"
#include "sqlbuf.h"
#include "qwalk.h"

static ormc_rel *lower_level(plan *p, ormc_qs *qs, ormc_rel_mode mode, int purpose,
                             ormc_outcol *outs, int nouts);

ormc_rel *
ormc_rel_node(plan *p, ormc_rel_kind kind, ormc_qs *qs, ormc_rel *input)
{
	ormc_rel *r = NEW(p, ormc_rel);

	if (r == NULL) {
		ormc_pl_pfail(p, ORMC_ENOMEM, -1, "out of memory");
		return NULL;
	}
	memset(r, 0, sizeof(*r));
	r->kind = kind;
	r->qs = qs;
	r->input = input;
	r->filter = -1;
	return r;
}

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


/*
 * What a level reads of the derived table below it (ormc_rel_read): an
 * aggregate() over a wrapped query (READ_WRAP), or an aggregation level over
 * the level below (READ_LEVEL).
 */
enum { READ_WRAP, READ_LEVEL };


static int
read_add(plan *p, ormc_ptrvec *out, const char *name, ormc_expr *expr, const ormc_annot *an)
{
	ormc_rel_read *rc;
	int i;

	for (i = 0; i < out->n; i++)
		if (strcmp(((ormc_rel_read *)out->items[i])->name, name) == 0)
			return 0;
	rc = NEW(p, ormc_rel_read);
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


/* ---------------------------------------------------------------- lowering */

/*
 * The keys of a level that groups: values() and the fields of order_by()
 * (they take part in grouping, as in Django), or the primary key when an
 * aggregate was annotated per object.
 */
static int
level_keys(plan *p, ormc_qs *qs, ormc_rel_mode mode, ormc_expr ***keys, int *nkeys)
{
	ormc_expr **k = ormc_arena_alloc(p->a, sizeof(ormc_expr *) * (size_t)(qs->ngroup + qs->norder + 1));
	int n = 0, i, j;

	if (k == NULL)
		return ormc_pl_pfail(p, ORMC_ENOMEM, -1, "out of memory");
	if (mode == ORMC_REL_ROWS && qs->grouped) {
		for (i = 0; i < qs->ngroup; i++) {
			if (ormc_expr_has_window(qs->group[i].expr))
				return ormc_pl_pfail(p, ORMC_EUNSUPPORTED, qs->pos,
				                     "grouping by a window function is not supported (no SQL engine "
				                     "groups by one): filter on the window first");
			k[n++] = qs->group[i].expr;
		}
		for (i = 0; i < qs->norder; i++) {
			const ormc_expr *x = qs->order[i].expr;

			if (x->has_agg)
				continue;
			for (j = 0; j < n; j++)
				if (ormc_expr_same_column(k[j], x))
					break;
			if (j == n)
				k[n++] = (ormc_expr *)x;
		}
	} else if (mode == ORMC_REL_ROWS && qs->per_object) {
		if ((k[n++] = pk_expr(p, qs->model)) == NULL)
			return -1;
	}
	*keys = k;
	*nkeys = n;
	return 0;
}

/*
 * The rows of a level: its model's table, or the level below (qs->inner)
 * as a derived table that selects what this level reads of it in outs, its
 * keys, annotations, filters, ordering and aggregate().
 */
static ormc_rel *
level_base(plan *p, ormc_qs *qs, ormc_rel_mode mode, ormc_outcol *outs, int nouts)
{
	ormc_ptrvec used = { 0 };
	ormc_outcol *cols;
	ormc_rel *lv;
	int i, j;

	if (qs->inner == NULL)
		return ormc_rel_node(p, ORMC_REL_SCAN, qs, NULL);
	assert(qs->level == qs->inner->level + 1);
	for (i = 0; i < nouts; i++)
		if (collect_reads(p, qs->inner, outs[i].expr, READ_LEVEL, &used) < 0)
			return NULL;
	for (i = 0; i < qs->ngroup; i++)
		if (collect_reads(p, qs->inner, qs->group[i].expr, READ_LEVEL, &used) < 0)
			return NULL;
	for (i = 0; i < qs->nannots; i++)
		if (collect_reads(p, qs->inner, qs->annots[i]->expr, READ_LEVEL, &used) < 0)
			return NULL;
	for (i = 0; i < qs->nfilters; i++)
		if (collect_reads_cond(p, qs->inner, qs->filters[i].cond, READ_LEVEL, &used) < 0)
			return NULL;
	for (i = 0; i < qs->norder; i++)
		if (collect_reads(p, qs->inner, qs->order[i].expr, READ_LEVEL, &used) < 0)
			return NULL;
	if (mode == ORMC_REL_AGG)
		for (i = 0; i < qs->naggregates; i++)
			if (collect_reads(p, qs->inner, qs->aggregates[i]->expr, READ_LEVEL, &used) < 0)
				return NULL;
	cols = ormc_arena_alloc(p->a, sizeof(ormc_outcol) * (size_t)(used.n + 1));
	if (cols == NULL || (lv = ormc_rel_node(p, ORMC_REL_LEVEL, qs, NULL)) == NULL) {
		ormc_pl_pfail(p, ORMC_ENOMEM, -1, "out of memory");
		return NULL;
	}
	memset(cols, 0, sizeof(ormc_outcol) * (size_t)(used.n + 1));
	for (j = 0; j < used.n; j++) {
		cols[j].name = ((ormc_rel_read *)used.items[j])->name;
		cols[j].expr = ((ormc_rel_read *)used.items[j])->expr;
	}
	if (used.n == 0) {
		/* Count("*") reads nothing, but a SELECT needs a column. */
		if ((cols[0].expr = pk_expr(p, qs->inner->model)) == NULL)
			return NULL;
		cols[0].name = qs->inner->model->pk->column;
		j = 1;
	}
	lv->sub = qs->inner->combinator != ORMC_COMBINE_NONE
	          ? ormc_rel_node(p, ORMC_REL_COMBINE, qs->inner, NULL)
	          : lower_level(p, qs->inner, ORMC_REL_ROWS, PURPOSE_TOP, cols, j);
	return lv->sub != NULL ? lv : NULL;
}

static int
has_agg_annot(const ormc_qs *qs)
{
	int i;

	for (i = 0; i < qs->nannots; i++)
		if (qs->annots[i]->expr->has_agg)
			return 1;
	return 0;
}

/* One level: its rows, filters, aggregation, output, ordering, distinct() and slice. */
static ormc_rel *
lower_level(plan *p, ormc_qs *qs, ormc_rel_mode mode, int purpose, ormc_outcol *outs, int nouts)
{
	ormc_rel *r, *x;
	ormc_expr **keys = NULL;
	int nkeys = 0, i;

	if ((r = level_base(p, qs, mode, outs, nouts)) == NULL)
		return NULL;
	if (level_keys(p, qs, mode, &keys, &nkeys) < 0)
		return NULL;
	for (i = 0; i < qs->nfilters; i++)
		if (ormc_cond_has_window(qs->filters[i].cond)) {
			/* Django 4.2 filters in a query around; not built yet */
			ormc_pl_pfail(p, ORMC_EUNSUPPORTED, qs->filters[i].cond->pos,
			              "filtering on a window function's annotation is not supported yet");
			return NULL;
		}
	for (i = 0; i < qs->nfilters; i++)
		if (qs->filters[i].cond->has_agg && nkeys == 0 && !has_agg_annot(qs)) {
			/*
			 * filter(GreaterThan(Count("book"), 1)) with nothing
			 * aggregated: Django writes HAVING with no GROUP BY, which
			 * PostgreSQL and MySQL refuse.
			 */
			ormc_pl_pfail(p, ORMC_EUNSUPPORTED, qs->filters[i].cond->pos,
			              "a filter on an aggregate needs the query to aggregate first: "
			              "annotate it, then filter on its name (annotate(n=Count(...)).filter(n__gt=1))");
			return NULL;
		}
	for (i = 0; i < qs->nfilters; i++)
		if (!qs->filters[i].cond->has_agg) {
			if ((r = ormc_rel_node(p, ORMC_REL_FILTER, qs, r)) == NULL)
				return NULL;
			r->filter = i;
			r->how = ORMC_FILTER_SEMI;
		}
	if (mode != ORMC_REL_ROWS || nkeys > 0 || has_agg_annot(qs)) {
		if ((r = ormc_rel_node(p, ORMC_REL_AGGREGATE, qs, r)) == NULL)
			return NULL;
		r->keys = keys;
		r->nkeys = nkeys;
		r->per_object = qs->per_object;
	}
	for (i = 0; i < qs->nfilters; i++)
		if (qs->filters[i].cond->has_agg) {
			if ((r = ormc_rel_node(p, ORMC_REL_FILTER, qs, r)) == NULL)
				return NULL;
			r->filter = i;
			r->how = ORMC_FILTER_HAVING;
		}
	for (i = 0; i < qs->nannots; i++)
		if (ormc_expr_has_window(qs->annots[i]->expr)) {
			if ((r->kind != ORMC_REL_WINDOW && (r = ormc_rel_node(p, ORMC_REL_WINDOW, qs, r)) == NULL) ||
			    ormc_ptrvec_push(p->a, &r->windows, qs->annots[i]) < 0) {
				ormc_pl_pfail(p, ORMC_ENOMEM, -1, "out of memory");
				return NULL;
			}
		}
	if ((r = ormc_rel_node(p, ORMC_REL_PROJECT, qs, r)) == NULL)
		return NULL;
	r->mode = mode;
	r->purpose = purpose;
	r->cols = outs;
	r->ncols = nouts;
	if (mode != ORMC_REL_ROWS || purpose == PURPOSE_EXISTS)
		return r;
	if ((qs->distinct || qs->ndistinct_on > 0) && (r = ormc_rel_node(p, ORMC_REL_DISTINCT, qs, r)) == NULL)
		return NULL;
	/* Under EXISTS the ordering decides nothing, and Django's exists() drops it (DISTINCT over the output only). */
	if ((qs->norder > 0 || qs->model->nordering > 0) && purpose != PURPOSE_EXISTS_ROWS &&
	    (r = ormc_rel_node(p, ORMC_REL_SORT, qs, r)) == NULL)
		return NULL;
	if ((qs->limit >= 0 || qs->offset > 0) && (x = ormc_rel_node(p, ORMC_REL_LIMIT, qs, r)) != NULL)
		r = x;
	return p->failed ? NULL : r;
}

/*
 * aggregate() or count() over a query that must be computed first: an
 * AGGREGATE over the query as a LEVEL. aggregate() reads each annotation
 * and model field its aggregates read (in an argument, filter= or default=)
 * by name from the level below, which selects them besides its output.
 */
static ormc_rel *
lower_wrapped(plan *p, ormc_qs *qs, ormc_rel_mode mode)
{
	ormc_outcol *outs, *cols = NULL;
	int nouts, i, j, k = 0;
	ormc_ptrvec used = { 0 };
	ormc_rel *lv, *agg, *r;

	if (output_columns(p, qs, &outs, &nouts) < 0) {
		ormc_pl_pfail(p, ORMC_ENOMEM, -1, "out of memory");
		return NULL;
	}
	if ((lv = ormc_rel_node(p, ORMC_REL_LEVEL, qs, NULL)) == NULL)
		return NULL;
	lv->wrap = 1;
	if (mode == ORMC_REL_COUNT) {
		cols = outs;
		k = nouts;
	} else {
		for (i = 0; i < qs->naggregates; i++)
			if (collect_reads(p, qs, qs->aggregates[i]->expr, READ_WRAP, &used) < 0)
				return NULL;
		cols = ormc_arena_alloc(p->a, sizeof(ormc_outcol) * (size_t)(nouts + used.n + 1));
		lv->reads = ormc_arena_alloc(p->a, sizeof(ormc_rel_read) * (size_t)(used.n + 1));
		if (cols == NULL || lv->reads == NULL) {
			ormc_pl_pfail(p, ORMC_ENOMEM, -1, "out of memory");
			return NULL;
		}
		for (i = 0; i < nouts; i++)
			cols[k++] = outs[i];
		for (i = 0; i < used.n; i++) {
			const ormc_rel_read *rc = used.items[i];

			lv->reads[lv->nreads++] = *rc;
			for (j = 0; j < k; j++)
				if (strcmp(cols[j].name, rc->name) == 0)
					break;
			if (j < k)
				continue;
			memset(&cols[k], 0, sizeof(cols[k]));
			cols[k].name = rc->name;
			cols[k++].expr = rc->expr;
		}
	}
	if ((lv->sub = lower_level(p, qs, ORMC_REL_ROWS, PURPOSE_TOP, cols, k)) == NULL)
		return NULL;
	if ((agg = ormc_rel_node(p, ORMC_REL_AGGREGATE, qs, lv)) == NULL || (r = ormc_rel_node(p, ORMC_REL_PROJECT, qs, agg)) == NULL)
		return NULL;
	r->mode = mode;
	r->purpose = PURPOSE_TOP;
	return r;
}

ormc_rel *
ormc_rel_lower(plan *p, ormc_qs *qs, ormc_rel_mode mode, int purpose, ormc_outcol *cols, int ncols)
{
	if (p->failed)
		return NULL;
	if (mode != ORMC_REL_ROWS && needs_wrap(qs))
		return lower_wrapped(p, qs, mode);
	if (purpose == PURPOSE_EXISTS && (qs->limit >= 0 || qs->offset > 0))
		purpose = PURPOSE_EXISTS_ROWS;   /* are there rows in the slice: the rows themselves, sliced */
	if (mode == ORMC_REL_ROWS && cols == NULL && purpose != PURPOSE_EXISTS) {
		if (output_columns(p, qs, &cols, &ncols) < 0) {
			ormc_pl_pfail(p, ORMC_ENOMEM, -1, "out of memory");
			return NULL;
		}
		if (purpose == PURPOSE_SCALAR || purpose == PURPOSE_IN)
			ncols = ncols > 0 ? 1 : 0;
	}
	return lower_level(p, qs, mode, purpose, cols, ncols);
}

int
ormc_rel_parts_of(plan *p, ormc_rel *top, ormc_rel_parts *parts)
{
	ormc_rel *r;

	memset(parts, 0, sizeof(*parts));
	parts->top = top;
	parts->nfilters = top->qs->nfilters;
	if (parts->nfilters > 0) {
		parts->filters = ormc_arena_alloc(p->a, sizeof(ormc_rel *) * (size_t)parts->nfilters);
		if (parts->filters == NULL)
			return ormc_pl_pfail(p, ORMC_ENOMEM, -1, "out of memory");
		memset(parts->filters, 0, sizeof(ormc_rel *) * (size_t)parts->nfilters);
	}
	for (r = top; r != NULL; r = r->input) {
		assert(r->qs == top->qs);
		switch (r->kind) {
		case ORMC_REL_SCAN:
		case ORMC_REL_LEVEL:
		case ORMC_REL_COMBINE:
			parts->base = r;
			break;
		case ORMC_REL_JOIN:
			parts->join = r;
			break;
		case ORMC_REL_FILTER:
			assert(r->filter >= 0 && r->filter < parts->nfilters);
			parts->filters[r->filter] = r;
			break;
		case ORMC_REL_AGGREGATE:
			parts->agg = r;
			break;
		case ORMC_REL_WINDOW:
			parts->window = r;
			break;
		case ORMC_REL_PROJECT:
			parts->project = r;
			break;
		case ORMC_REL_SORT:
			parts->sort = r;
			break;
		case ORMC_REL_DISTINCT:
			parts->distinct = r;
			break;
		case ORMC_REL_LIMIT:
			parts->limit = r;
			break;
		}
	}
	assert(parts->base != NULL && parts->project != NULL);
	return 0;
}

/* ---------------------------------------------------------------- printing */

/* A short name for an expression: a field path, an annotation, Agg(path). */
static void
print_expr(ormc_sqlbuf *b, const ormc_expr *x)
{
	int i;

	switch (x->kind) {
	case ORMC_EXPR_COL:
		for (i = 0; i < x->path->nhops; i++)
			ormc_sqlbuf_appendf(b, "%s__", x->path->hops[i]->name);
		ormc_sqlbuf_append(b, x->path->field ? x->path->field->name : x->path->model->pk->name);
		for (i = 0; i < x->ntransforms; i++)
			ormc_sqlbuf_appendf(b, "__%s", x->transforms[i]);
		break;
	case ORMC_EXPR_REF:
	case ORMC_EXPR_INNER:
		ormc_sqlbuf_append(b, x->annot->alias);
		break;
	case ORMC_EXPR_AGG:
		ormc_sqlbuf_appendf(b, "%s(", x->func);
		if (x->nargs > 0 && x->args[0] != NULL)
			print_expr(b, x->args[0]);
		else
			ormc_sqlbuf_append(b, "*");
		ormc_sqlbuf_append(b, x->distinct ? ", distinct)" : ")");
		break;
	default:
		ormc_sqlbuf_append(b, "<expression>");
		break;
	}
}

static void
print_chain(ormc_sqlbuf *b, ormc_field *const *chain, int n)
{
	int i;

	for (i = 0; i < n; i++)
		ormc_sqlbuf_appendf(b, "%s%s", i > 0 ? "__" : "", chain[i]->name);
}

static const char *const filter_how[] = {
	[ORMC_FILTER_SEMI] = "the rows",
	[ORMC_FILTER_JOINED] = "the joined rows",
	[ORMC_FILTER_BOUND] = "the rows of the annotations bound to it",
	[ORMC_FILTER_HAVING] = "aggregates (HAVING)",
	[ORMC_FILTER_AFTER] = "aggregates of no group (WHERE)",
};

static const char *const agg_form[] = {
	[ORMC_FORM_INLINE] = "in place",
	[ORMC_FORM_DERIVED] = "derived table on the keys",
	[ORMC_FORM_SCALAR] = "scalar subquery",
	[ORMC_FORM_CORRELATED] = "correlated subquery per row",
};

/* below: r is the top of a level read by the level above as a derived table. */
static void
print_level(ormc_sqlbuf *b, const ormc_rel *r, int depth, int below)
{
	int i, j, sliced = r != NULL && r->kind == ORMC_REL_LIMIT;

	for (; r != NULL; r = r->input, depth++) {
		if (r->kind == ORMC_REL_SORT && r->qs->norder == 0 && !r->meta) {
			depth--;   /* Meta.ordering that does not apply: no ordering */
			continue;
		}
		for (i = 0; i < depth; i++)
			ormc_sqlbuf_append(b, "  ");
		switch (r->kind) {
		case ORMC_REL_SCAN:
			ormc_sqlbuf_appendf(b, "SCAN %s\n", r->qs->model->name);
			break;
		case ORMC_REL_COMBINE:
			ormc_sqlbuf_appendf(b, "COMBINE %d querysets\n", r->qs->nparts);
			break;
		case ORMC_REL_LEVEL:
			ormc_sqlbuf_appendf(b, "LEVEL %s\n", r->wrap ? "(the query, computed first)" : "(the level below)");
			print_level(b, r->sub, depth + 1, 1);
			break;
		case ORMC_REL_JOIN:
			ormc_sqlbuf_append(b, "JOIN ");
			if (r->nchain > 0)
				print_chain(b, r->chain, r->nchain);
			else
				ormc_sqlbuf_append(b, "(each multi-valued relation as it is read)");
			ormc_sqlbuf_append(b, r->for_aggs ? " for the aggregates\n" : " for values(), order_by() or an OuterRef\n");
			break;
		case ORMC_REL_FILTER:
			ormc_sqlbuf_appendf(b, "FILTER #%d on %s", r->filter + 1, filter_how[r->how]);
			if (r->nctx > 0) {
				ormc_sqlbuf_append(b, " through ");
				print_chain(b, r->ctx, r->nctx);
			}
			for (i = 0; i < r->nsemi; i++) {
				ormc_sqlbuf_append(b, i == 0 ? "; semi-join " : ", ");
				print_chain(b, r->semi[i].hops, r->semi[i].n);
			}
			ormc_sqlbuf_append(b, "\n");
			break;
		case ORMC_REL_AGGREGATE:
			ormc_sqlbuf_append(b, "AGGREGATE");
			if (r->nkeys > 0) {
				ormc_sqlbuf_append(b, " by ");
				for (i = 0; i < r->nkeys; i++) {
					if (i > 0)
						ormc_sqlbuf_append(b, ", ");
					print_expr(b, r->keys[i]);
				}
			}
			ormc_sqlbuf_append(b, r->group_by ? " (GROUP BY)\n" : "\n");
			for (i = 0; i < r->nblocks; i++) {
				const ormc_rel_block *k = r->blocks[i];

				for (j = 0; j < depth + 1; j++)
					ormc_sqlbuf_append(b, "  ");
				ormc_sqlbuf_append(b, "block ");
				for (j = 0; j < k->aggs.n; j++) {
					if (j > 0)
						ormc_sqlbuf_append(b, ", ");
					print_expr(b, k->aggs.items[j]);
				}
				ormc_sqlbuf_appendf(b, ": %s", agg_form[k->form]);
				if (k->n > 0) {
					ormc_sqlbuf_append(b, ", over ");
					print_chain(b, k->chain, k->n);
				}
				if (k->filter >= 0)
					ormc_sqlbuf_appendf(b, ", rows of filter #%d", k->filter + 1);
				ormc_sqlbuf_append(b, "\n");
			}
			break;
		case ORMC_REL_WINDOW:
			ormc_sqlbuf_append(b, "WINDOW");
			for (i = 0; i < r->windows.n; i++)
				ormc_sqlbuf_appendf(b, " %s", ((const ormc_annot *)r->windows.items[i])->alias);
			ormc_sqlbuf_append(b, "\n");
			break;
		case ORMC_REL_PROJECT:
			if (r->mode == ORMC_REL_COUNT)
				ormc_sqlbuf_append(b, "PROJECT count\n");
			else if (r->mode == ORMC_REL_AGG) {
				ormc_sqlbuf_append(b, "PROJECT aggregate:");
				for (i = 0; i < r->qs->naggregates; i++)
					ormc_sqlbuf_appendf(b, " %s", r->qs->aggregates[i]->alias);
				ormc_sqlbuf_append(b, "\n");
			} else if (r->purpose == PURPOSE_EXISTS) {
				ormc_sqlbuf_append(b, "PROJECT 1 (EXISTS)\n");
			} else {
				ormc_sqlbuf_append(b, "PROJECT");
				for (i = 0; i < r->ncols; i++)
					ormc_sqlbuf_appendf(b, " %s", r->cols[i].name);
				ormc_sqlbuf_append(b, r->purpose == PURPOSE_EXISTS_ROWS ? " (EXISTS: are there rows in the slice)\n" : "\n");
			}
			break;
		case ORMC_REL_SORT:
			ormc_sqlbuf_append(b, "SORT");
			for (i = 0; i < r->qs->norder; i++) {
				ormc_sqlbuf_append(b, r->qs->order[i].desc ^ r->qs->reverse ? " -" : " ");
				if (r->qs->order[i].random)
					ormc_sqlbuf_append(b, "?");
				else
					print_expr(b, r->qs->order[i].expr);
			}
			ormc_sqlbuf_append(b, r->meta ? " Meta.ordering" : "");
			/* the planner drops it (planner.c): it would decide nothing */
			ormc_sqlbuf_append(b, below && !sliced ? " (dropped: the level above reads every row)\n" : "\n");
			break;
		case ORMC_REL_DISTINCT:
			ormc_sqlbuf_appendf(b, "DISTINCT%s\n", r->qs->ndistinct_on > 0 ? " ON fields" : "");
			break;
		case ORMC_REL_LIMIT:
			if (r->qs->limit >= 0)
				ormc_sqlbuf_appendf(b, "LIMIT %lld OFFSET %lld\n", (long long)r->qs->limit,
				                    (long long)r->qs->offset);
			else
				ormc_sqlbuf_appendf(b, "OFFSET %lld\n", (long long)r->qs->offset);
			break;
		}
	}
}

void
ormc_rel_print(ormc_sqlbuf *b, const ormc_rel *top, int depth)
{
	print_level(b, top, depth, 0);
}
