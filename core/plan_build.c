/*
 * plan_build.c -- the planner's building blocks: errors, table aliases, FROM
 * items, select-list columns and GROUP BY keys, and relation walks with the
 * joins they make in a scope (see planner.h).
 */
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "planner.h"
#include "walk.h"

int
ormc_pl_pfail(plan *p, int code, int pos, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (p->failed)
		return p->err ? p->err->code : code;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	p->failed = 1;
	return ormc_error_set(p->err, code, p->q->text, pos, pos >= 0 ? 1 : 0, "%s", msg);
}

const char *
ormc_pl_new_alias(plan *p, const char *table)
{
	(void)table;
	return ormc_arena_printf(p->a, "T%d", ++p->nalias);
}

/* ---------------------------------------------------------------- sx builders */









int
ormc_pl_from_add(plan *p, ormc_select *s, const char *table, ormc_select *sub,
         const char *alias, ormc_join_kind join, ormc_sx *on)
{
	ormc_from *f = NEW(p, ormc_from);
	ormc_from **arr;

	if (f == NULL)
		return -1;
	f->table = table;
	f->sub = sub;
	f->alias = alias;
	f->join = s->nfrom == 0 ? ORMC_JOIN_NONE : join;
	f->on = on;
	arr = ormc_arena_alloc(p->a, sizeof(*arr) * (size_t)(s->nfrom + 1));
	if (arr == NULL)
		return -1;
	if (s->nfrom)
		memcpy(arr, s->from, sizeof(*arr) * (size_t)s->nfrom);
	arr[s->nfrom++] = f;
	s->from = arr;
	return 0;
}

int
ormc_pl_col_add(plan *p, ormc_select *s, ormc_sx *x, const char *name)
{
	ormc_sx **cols = ormc_arena_alloc(p->a, sizeof(*cols) * (size_t)(s->ncols + 1));
	const char **names = ormc_arena_alloc(p->a, sizeof(*names) * (size_t)(s->ncols + 1));

	if (cols == NULL || names == NULL || x == NULL) {
		p->failed = 1;
		return -1;
	}
	if (s->ncols) {
		memcpy(cols, s->cols, sizeof(*cols) * (size_t)s->ncols);
		memcpy(names, s->names, sizeof(*names) * (size_t)s->ncols);
	}
	cols[s->ncols] = x;
	names[s->ncols] = name;
	s->cols = cols;
	s->names = names;
	s->ncols++;
	return 0;
}

static int
local_read(ormc_walker *w, ormc_sx *x)
{
	if ((x->kind == ORMC_SX_COL && ormc_select_has_alias(w->ctx, x->table)) || x->sub != NULL)
		return ORMC_WALK_ABORT;
	return ORMC_WALK_CONTINUE;
}

int
ormc_pl_group_add(plan *p, ormc_select *s, ormc_sx *x)
{
	ormc_walker w;
	int i;

	/*
	 * A key that reads no row of s (a constant, an OuterRef) is the same
	 * for every row: Django leaves it out (get_group_by_cols is empty), and
	 * SQLite refuses an outer column in GROUP BY. A subquery stays.
	 */
	memset(&w, 0, sizeof(w));
	w.expr = local_read;
	w.ctx = s;
	if (x != NULL && ormc_walk_sx(&w, x) != ORMC_WALK_ABORT)
		return 0;

	/*
	 * A selected expression is grouped by its own position even when an
	 * equal one is a key already: MariaDB does not match expressions, so
	 * SELECT a * b AS x, a * b AS y ... GROUP BY 1 leaves y ungrouped.
	 */
	for (i = 0; i < s->ngroup; i++)
		if (s->group[i] == x || (ormc_sx_same(s->group[i], x) && !ormc_select_position(s, x)))
			return 0;
	if (x == NULL || ormc_select_add_group(p->a, s, x) < 0) {
		p->failed = 1;
		return -1;
	}
	return 0;
}

ormc_select *
ormc_pl_select_new(plan *p)
{
	ormc_select *s = NEW(p, ormc_select);

	if (s == NULL) {
		p->failed = 1;
		return NULL;
	}
	s->limit = -1;
	return s;
}

/* ---------------------------------------------------------------- paths and joins */


void
ormc_pl_walk_path(const ormc_path *path, walk *w)
{
	int i;

	w->n = 0;
	assert(path->nhops <= ORMC_MAX_HOPS);
	for (i = 0; i < path->nhops; i++)
		w->hops[w->n++] = path->hops[i];
	w->field = path->field;
	if (ormc_field_is_relation(path->field) && !ormc_field_is_concrete(path->field)) {
		w->hops[w->n++] = path->field;
		w->field = path->field->target->pk;
	}
	w->nchain = 0;
	for (i = 0; i < w->n; i++)
		if (ormc_field_is_multi(w->hops[i]))
			w->nchain = i + 1;
}



scope *
ormc_pl_scope_new(plan *p, ormc_select *sel, ormc_qs *qs, ormc_model *m, scope *parent)
{
	scope *sc = NEW(p, scope);

	if (sc == NULL) {
		p->failed = 1;
		return NULL;
	}
	sc->p = p;
	sc->sel = sel;
	sc->qs = qs;
	sc->parent = parent;
	sc->root_model = m;
	sc->chain_join = ORMC_JOIN_INNER;
	return sc;
}

/* FROM the base table of a scope. */
const char *
ormc_pl_scope_base(scope *sc)
{
	plan *p = sc->p;

	sc->root_alias = ormc_pl_new_alias(p, sc->root_model->table);
	if (sc->root_alias == NULL || ormc_pl_from_add(p, sc->sel, sc->root_model->table, NULL,
	                                      sc->root_alias, ORMC_JOIN_NONE, NULL) < 0)
		p->failed = 1;
	return sc->root_alias;
}

/* Add the join for hop h from alias `from`; returns the new alias. */
static const char *
join_hop(scope *sc, const char *from, ormc_field *h, ormc_join_kind outer, int pos)
{
	plan *p = sc->p;
	ormc_model *src = h->model, *dst = h->target;
	const char *alias = ormc_pl_new_alias(p, dst->table);
	ormc_sx *on;
	ormc_join_kind jk;

	if (alias == NULL)
		return NULL;
	switch (h->kind) {
	case ORMC_FIELD_FOREIGNKEY:
	case ORMC_FIELD_ONETOONE:
		jk = (h->null || outer == ORMC_JOIN_LEFT) ? ORMC_JOIN_LEFT : ORMC_JOIN_INNER;
		on = sx2(p, ORMC_SX_CMP, ORMC_OP_EQ, sx_col(p, alias, dst->pk->column, pk_type(dst)),
		         sx_col(p, from, h->column, pk_type(dst)));
		break;
	case ORMC_FIELD_REVERSE_O2O:
	case ORMC_FIELD_REVERSE_FK:
		jk = h->kind == ORMC_FIELD_REVERSE_O2O ? ORMC_JOIN_LEFT : outer;
		on = sx2(p, ORMC_SX_CMP, ORMC_OP_EQ, sx_col(p, alias, h->remote->column, pk_type(src)),
		         sx_col(p, from, src->pk->column, pk_type(src)));
		break;
	case ORMC_FIELD_MANYTOMANY:
	case ORMC_FIELD_REVERSE_M2M: {
		const char *jalias = ormc_pl_new_alias(p, h->m2m_table);
		int fwd = h->kind == ORMC_FIELD_MANYTOMANY;
		const char *near = fwd ? h->m2m_source_column : h->m2m_target_column;
		const char *far = fwd ? h->m2m_target_column : h->m2m_source_column;

		if (jalias == NULL)
			return NULL;
		on = sx2(p, ORMC_SX_CMP, ORMC_OP_EQ, sx_col(p, jalias, near, pk_type(src)),
		         sx_col(p, from, src->pk->column, pk_type(src)));
		if (ormc_pl_from_add(p, sc->sel, h->m2m_table, NULL, jalias, outer, on) < 0)
			return NULL;
		jk = outer;
		on = sx2(p, ORMC_SX_CMP, ORMC_OP_EQ, sx_col(p, alias, dst->pk->column, pk_type(dst)),
		         sx_col(p, jalias, far, pk_type(dst)));
		break;
	}
	default:
		ormc_pl_pfail(p, ORMC_EINVALID, pos, "'%s' is not a relation", h->name);
		return NULL;
	}
	if (ormc_pl_from_add(p, sc->sel, dst->table, NULL, alias, jk, on) < 0)
		return NULL;
	return alias;
}

/* Alias of the model reached after hops[0..k), joining what is missing. */
const char *
ormc_pl_scope_join(scope *sc, ormc_field *const *hops, int k, int pos)
{
	plan *p = sc->p;
	joinent *je;
	const char *from;
	int i, left = 0;

	if (k < sc->nroot || !prefix_eq(hops, sc->root, sc->nroot)) {
		if (sc->parent == NULL) {
			ormc_pl_pfail(p, ORMC_EUNSUPPORTED, pos, "internal: relation walk outside the query");
			return NULL;
		}
		return ormc_pl_scope_join(sc->parent, hops, k, pos);
	}
	if (k == sc->nroot)
		return sc->root_alias;
	for (i = 0; i < sc->joins.n; i++) {
		je = sc->joins.items[i];
		if (je->n == k && je->tag == sc->join_tag && prefix_eq(je->hops, hops, k))
			return je->alias;
	}
	from = ormc_pl_scope_join(sc, hops, k - 1, pos);
	if (from == NULL)
		return NULL;
	if (ormc_field_is_multi(hops[k - 1]) && !sc->multi_ok) {
		ormc_pl_pfail(p, ORMC_EUNSUPPORTED, pos,
		      "'%s' is a multi-valued relation here: use it inside an aggregate or a filter",
		      hops[k - 1]->name);
		return NULL;
	}
	/* Once a walk has gone through a LEFT JOIN, the rest of it must too. */
	for (i = sc->nroot; i < k - 1; i++)
		if (ormc_field_is_multi(hops[i]) ? sc->chain_join == ORMC_JOIN_LEFT
		                                 : (hops[i]->null || hops[i]->kind == ORMC_FIELD_REVERSE_O2O))
			left = 1;
	from = join_hop(sc, from, hops[k - 1],
	                (left || (ormc_field_is_multi(hops[k - 1]) && sc->chain_join == ORMC_JOIN_LEFT))
	                    ? ORMC_JOIN_LEFT : (ormc_field_is_multi(hops[k - 1]) ? sc->chain_join : ORMC_JOIN_INNER),
	                pos);
	if (from == NULL)
		return NULL;
	je = NEW(p, joinent);
	if (je == NULL)
		return NULL;
	je->hops = ormc_arena_alloc(p->a, sizeof(ormc_field *) * (size_t)k);
	if (je->hops == NULL)
		return NULL;
	memcpy(je->hops, hops, sizeof(ormc_field *) * (size_t)k);
	je->n = k;
	je->alias = from;
	je->tag = sc->join_tag;
	if (ormc_ptrvec_push(p->a, &sc->joins, je) < 0)
		return NULL;
	return from;
}
