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

#include "error.h"
#include "groupcheck.h"
#include "plan.h"
#include "query.h"
#include "walk.h"
#include "../dialects/render.h"

typedef struct plan plan;
typedef struct scope scope;

struct plan {
	ormc_arena *a;
	const ormc_query *q;
	ormc_error *err;
	int nalias;
	int failed;
	int negated;     /* translating a condition under an odd number of NOTs */
};

typedef struct joinent {
	ormc_field **hops;
	int n;
	const char *alias;
} joinent;

typedef struct aggmap {
	const ormc_expr *agg;
	ormc_sx *sx;
} aggmap;

typedef struct annmap {
	const ormc_annot *annot;
	ormc_sx *sx;
} annmap;

struct scope {
	plan *p;
	ormc_select *sel;
	ormc_qs *qs;
	scope *parent;            /* rows this scope is correlated with */
	scope *outer;             /* enclosing query, for OuterRef */
	ormc_field **root;        /* relation walk that root_alias stands for */
	int nroot;
	const char *root_alias;
	ormc_model *root_model;
	int multi_ok;             /* may join multi-valued relations */
	ormc_join_kind chain_join;
	ormc_ptrvec joins;        /* joinent* */
	ormc_ptrvec aggs;         /* aggmap*: aggregates computed elsewhere */
	ormc_ptrvec anns;         /* annmap*: annotations already translated */
	ormc_field **ctx;         /* translation context of aggregates in this scope */
	int nctx;
};

#define NEW(p, T) ((T *)ormc_arena_alloc((p)->a, sizeof(T)))

static int
pfail(plan *p, int code, int pos, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 4, 5)))
#endif
	;

static int
pfail(plan *p, int code, int pos, const char *fmt, ...)
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

static const char *
new_alias(plan *p, const char *table)
{
	(void)table;
	return ormc_arena_printf(p->a, "T%d", ++p->nalias);
}

/* ---------------------------------------------------------------- sx builders */

static ormc_sx *
sx_new(plan *p, ormc_sx_kind kind, int nargs)
{
	ormc_sx *x = NEW(p, ormc_sx);

	if (x == NULL) {
		p->failed = 1;
		return NULL;
	}
	x->kind = kind;
	x->type.kind = ORMC_FIELD_INTEGER;
	x->type.max_digits = x->type.decimal_places = -1;
	if (nargs > 0) {
		x->args = ormc_arena_alloc(p->a, sizeof(ormc_sx *) * (size_t)nargs);
		if (x->args == NULL) {
			p->failed = 1;
			return NULL;
		}
	}
	x->nargs = nargs;
	return x;
}

static ormc_sx *
sx_col(plan *p, const char *table, const char *name, ormc_otype t)
{
	ormc_sx *x = sx_new(p, ORMC_SX_COL, 0);

	if (x) {
		x->table = table;
		x->name = name;
		x->type = t;
	}
	return x;
}

static ormc_sx *
sx_int(plan *p, int64_t v)
{
	ormc_sx *x = sx_new(p, ORMC_SX_INT, 0);

	if (x)
		x->ival = v;
	return x;
}

/* A comparison, or arithmetic when kind is ORMC_SX_ARITH; AND, NSEQ ignore op. */
static ormc_sx *
sx2(plan *p, ormc_sx_kind kind, ormc_op op, ormc_sx *a, ormc_sx *b)
{
	ormc_sx *x = sx_new(p, kind, 2);

	if (x == NULL || a == NULL || b == NULL)
		return NULL;
	x->op = op;
	x->args[0] = a;
	x->args[1] = b;
	x->type.kind = ORMC_FIELD_BOOLEAN;
	return x;
}

static ormc_sx *
sx1(plan *p, ormc_sx_kind kind, ormc_sx *a)
{
	ormc_sx *x = sx_new(p, kind, 1);

	if (x == NULL || a == NULL)
		return NULL;
	x->args[0] = a;
	x->type = a->type;
	return x;
}

/* AND of a and b, either may be NULL. */
static ormc_sx *
sx_and(plan *p, ormc_sx *a, ormc_sx *b)
{
	if (a == NULL)
		return b;
	if (b == NULL)
		return a;
	return sx2(p, ORMC_SX_AND, ORMC_OP_EQ, a, b);
}

static ormc_otype
ot(ormc_field_kind k)
{
	ormc_otype t;

	t.kind = k;
	t.max_digits = t.decimal_places = -1;
	return t;
}

static ormc_otype
pk_type(const ormc_model *m)
{
	return ot(m->pk->kind);
}

static int
from_add(plan *p, ormc_select *s, const char *table, ormc_select *sub,
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

static int
col_add(plan *p, ormc_select *s, ormc_sx *x, const char *name)
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
group_add(plan *p, ormc_select *s, ormc_sx *x)
{
	ormc_sx **g;
	int i;

	for (i = 0; i < s->ngroup; i++)
		if (ormc_sx_same(s->group[i], x))
			return 0;
	g = ormc_arena_alloc(p->a, sizeof(*g) * (size_t)(s->ngroup + 1));
	if (g == NULL || x == NULL) {
		p->failed = 1;
		return -1;
	}
	if (s->ngroup)
		memcpy(g, s->group, sizeof(*g) * (size_t)s->ngroup);
	g[s->ngroup++] = x;
	s->group = g;
	return 0;
}

static ormc_select *
select_new(plan *p)
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

/*
 * The relations a path walks, counting a final relation that is not a column
 * of its own table (Count("book"), Count("authors")) as one more hop; then
 * *col is the column-bearing field on the last model (NULL: its primary key).
 */
typedef struct walk {
	ormc_field *hops[ORMC_MAX_HOPS + 1];
	int n;
	ormc_field *field;        /* concrete field on the last model */
	int nchain;               /* hops up to and including the last multi-valued one */
} walk;

static void
walk_path(const ormc_path *path, walk *w)
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

static int
prefix_eq(ormc_field *const *a, ormc_field *const *b, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (a[i] != b[i])
			return 0;
	return 1;
}

static int
common_prefix(ormc_field *const *a, int na, ormc_field *const *b, int nb)
{
	int i;

	for (i = 0; i < na && i < nb; i++)
		if (a[i] != b[i])
			break;
	return i;
}

static scope *
scope_new(plan *p, ormc_select *sel, ormc_qs *qs, ormc_model *m, scope *parent)
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
static const char *
scope_base(scope *sc)
{
	plan *p = sc->p;

	sc->root_alias = new_alias(p, sc->root_model->table);
	if (sc->root_alias == NULL || from_add(p, sc->sel, sc->root_model->table, NULL,
	                                      sc->root_alias, ORMC_JOIN_NONE, NULL) < 0)
		p->failed = 1;
	return sc->root_alias;
}

static const char *scope_join(scope *sc, ormc_field *const *hops, int k, int pos);

/* Add the join for hop h from alias `from`; returns the new alias. */
static const char *
join_hop(scope *sc, const char *from, ormc_field *h, ormc_join_kind outer, int pos)
{
	plan *p = sc->p;
	ormc_model *src = h->model, *dst = h->target;
	const char *alias = new_alias(p, dst->table);
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
		const char *jalias = new_alias(p, h->m2m_table);
		int fwd = h->kind == ORMC_FIELD_MANYTOMANY;
		const char *near = fwd ? h->m2m_source_column : h->m2m_target_column;
		const char *far = fwd ? h->m2m_target_column : h->m2m_source_column;

		if (jalias == NULL)
			return NULL;
		on = sx2(p, ORMC_SX_CMP, ORMC_OP_EQ, sx_col(p, jalias, near, pk_type(src)),
		         sx_col(p, from, src->pk->column, pk_type(src)));
		if (from_add(p, sc->sel, h->m2m_table, NULL, jalias, outer, on) < 0)
			return NULL;
		jk = outer;
		on = sx2(p, ORMC_SX_CMP, ORMC_OP_EQ, sx_col(p, alias, dst->pk->column, pk_type(dst)),
		         sx_col(p, jalias, far, pk_type(dst)));
		break;
	}
	default:
		pfail(p, ORMC_EINVALID, pos, "'%s' is not a relation", h->name);
		return NULL;
	}
	if (from_add(p, sc->sel, dst->table, NULL, alias, jk, on) < 0)
		return NULL;
	return alias;
}

/* Alias of the model reached after hops[0..k), joining what is missing. */
static const char *
scope_join(scope *sc, ormc_field *const *hops, int k, int pos)
{
	plan *p = sc->p;
	joinent *je;
	const char *from;
	int i, left = 0;

	if (k < sc->nroot || !prefix_eq(hops, sc->root, sc->nroot)) {
		if (sc->parent == NULL) {
			pfail(p, ORMC_EUNSUPPORTED, pos, "internal: relation walk outside the query");
			return NULL;
		}
		return scope_join(sc->parent, hops, k, pos);
	}
	if (k == sc->nroot)
		return sc->root_alias;
	for (i = 0; i < sc->joins.n; i++) {
		je = sc->joins.items[i];
		if (je->n == k && prefix_eq(je->hops, hops, k))
			return je->alias;
	}
	from = scope_join(sc, hops, k - 1, pos);
	if (from == NULL)
		return NULL;
	if (ormc_field_is_multi(hops[k - 1]) && !sc->multi_ok) {
		pfail(p, ORMC_EUNSUPPORTED, pos,
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
	if (ormc_ptrvec_push(p->a, &sc->joins, je) < 0)
		return NULL;
	return from;
}

/* ---------------------------------------------------------------- expressions */

static ormc_sx *x2sx(scope *sc, const ormc_expr *x, ormc_field *const *ctx, int nctx);
static ormc_sx *c2sx(scope *sc, const ormc_cond *c, ormc_field *const *ctx, int nctx);
static ormc_select *plan_select(plan *p, ormc_qs *qs, scope *outer, int purpose,
                                const char ***names, ormc_otype **types, int *ncols);

enum { PURPOSE_TOP, PURPOSE_SCALAR, PURPOSE_EXISTS, PURPOSE_IN };

static ormc_agg_fn
agg_fn(const ormc_expr *x)
{
	if (strcmp(x->func, "Count") == 0) return ORMC_AGG_COUNT;
	if (strcmp(x->func, "Sum") == 0) return ORMC_AGG_SUM;
	if (strcmp(x->func, "Avg") == 0) return ORMC_AGG_AVG;
	if (strcmp(x->func, "Min") == 0) return ORMC_AGG_MIN;
	if (strcmp(x->func, "Max") == 0) return ORMC_AGG_MAX;
	if (strcmp(x->func, "StdDev") == 0) return x->sample ? ORMC_AGG_STDDEV_SAMP : ORMC_AGG_STDDEV_POP;
	assert(strcmp(x->func, "Variance") == 0);
	return x->sample ? ORMC_AGG_VAR_SAMP : ORMC_AGG_VAR_POP;
}

/* A date part or truncation by its Django name; -1 if unknown. */
static int
part_of(const char *name)
{
	static const struct { const char *name; ormc_part part; } parts[] = {
		{ "year", ORMC_PART_YEAR }, { "iso_year", ORMC_PART_ISO_YEAR },
		{ "quarter", ORMC_PART_QUARTER }, { "month", ORMC_PART_MONTH },
		{ "week", ORMC_PART_WEEK }, { "week_day", ORMC_PART_WEEK_DAY },
		{ "iso_week_day", ORMC_PART_ISO_WEEK_DAY }, { "day", ORMC_PART_DAY },
		{ "hour", ORMC_PART_HOUR }, { "minute", ORMC_PART_MINUTE },
		{ "second", ORMC_PART_SECOND }, { "date", ORMC_PART_DATE }, { "time", ORMC_PART_TIME },
	};
	size_t i;

	for (i = 0; name != NULL && i < sizeof(parts) / sizeof(parts[0]); i++)
		if (strcmp(parts[i].name, name) == 0)
			return (int)parts[i].part;
	return -1;
}

/* A function of the FUNC node by its Django name; -1 if unknown. */
static int
fn_of(const char *name)
{
	static const struct { const char *name; ormc_fn fn; } fns[] = {
		{ "Greatest", ORMC_FN_GREATEST }, { "Least", ORMC_FN_LEAST }, { "NullIf", ORMC_FN_NULLIF },
		{ "Upper", ORMC_FN_UPPER }, { "Lower", ORMC_FN_LOWER }, { "Length", ORMC_FN_LENGTH },
		{ "Trim", ORMC_FN_TRIM }, { "Concat", ORMC_FN_CONCAT }, { "Abs", ORMC_FN_ABS },
		{ "Round", ORMC_FN_ROUND }, { "Floor", ORMC_FN_FLOOR }, { "Ceil", ORMC_FN_CEIL },
		{ "Sqrt", ORMC_FN_SQRT }, { "Power", ORMC_FN_POWER }, { "Mod", ORMC_FN_MOD },
	};
	size_t i;

	for (i = 0; i < sizeof(fns) / sizeof(fns[0]); i++)
		if (strcmp(fns[i].name, name) == 0)
			return (int)fns[i].fn;
	return -1;
}

static ormc_sx *
col_sx(scope *sc, const ormc_path *path, const char **transforms, int ntransforms, int pos)
{
	plan *p = sc->p;
	walk w;
	const char *alias;
	ormc_sx *x;
	ormc_otype t;
	const ormc_field *f;
	int i;

	walk_path(path, &w);
	alias = scope_join(sc, w.hops, w.n, pos);
	if (alias == NULL)
		return NULL;
	f = w.field;
	/* A foreign key's value is the target's key: its type is that of the key. */
	t = ot(f->kind);
	if (f->kind == ORMC_FIELD_FOREIGNKEY || f->kind == ORMC_FIELD_ONETOONE)
		t = pk_type(f->target);
	t.max_digits = f->max_digits;
	t.decimal_places = f->decimal_places;
	x = sx_col(p, alias, f->column, t);
	for (i = 0; x && i < ntransforms; i++) {
		const char *tr = transforms[i];
		int trunc = strcmp(tr, "date") == 0 || strcmp(tr, "time") == 0;
		ormc_sx *y = sx1(p, trunc ? ORMC_SX_TRUNC : ORMC_SX_EXTRACT, x);

		if (y == NULL)
			return NULL;
		assert(part_of(tr) >= 0);
		y->part = (ormc_part)part_of(tr);
		y->type = ot(strcmp(tr, "date") == 0 ? ORMC_FIELD_DATE
		           : strcmp(tr, "time") == 0 ? ORMC_FIELD_TIME : ORMC_FIELD_INTEGER);
		x = y;
	}
	return x;
}

static void expr_chain(const ormc_expr *x, ormc_field **chain, int *n);

/* The chain of the positive conditions of a When: they pick rows, as an argument does. */
static void
cond_chain(const ormc_cond *c, ormc_field **chain, int *n)
{
	int i;

	switch (c->kind) {
	case ORMC_COND_LEAF:
		expr_chain(c->lhs, chain, n);
		for (i = 0; i < c->nrhs; i++)
			expr_chain(c->rhs[i], chain, n);
		return;
	case ORMC_COND_EXPR:
		expr_chain(c->lhs, chain, n);
		return;
	case ORMC_COND_AND: case ORMC_COND_OR:
		for (i = 0; i < c->nkids; i++)
			cond_chain(c->kids[i], chain, n);
		return;
	default:
		return;
	}
}

/*
 * The chain of an aggregate: the multi-valued relations its argument walks.
 * References to non-aggregate annotations are followed. *n = -1 when two
 * paths walk diverging chains.
 */
static void
expr_chain(const ormc_expr *x, ormc_field **chain, int *n)
{
	int i;

	if (x == NULL || *n < 0)
		return;
	switch (x->kind) {
	case ORMC_EXPR_AGG:
	case ORMC_EXPR_SUBQUERY:
	case ORMC_EXPR_EXISTS:
		return;           /* their rows are their own */
	case ORMC_EXPR_COL: {
		walk w;
		int c;

		walk_path(x->path, &w);
		c = common_prefix(chain, *n, w.hops, w.nchain);
		if (c < *n && c < w.nchain) {
			*n = -1;
			return;
		}
		if (w.nchain > *n) {
			memcpy(chain, w.hops, sizeof(ormc_field *) * (size_t)w.nchain);
			*n = w.nchain;
		}
		return;
	}
	case ORMC_EXPR_REF:
		if (!x->annot->expr->has_agg)
			expr_chain(x->annot->expr, chain, n);
		return;
	case ORMC_EXPR_CASE:
		for (i = 0; i < x->nargs; i++) {
			expr_chain(x->args[i], chain, n);
			cond_chain(x->whens[i], chain, n);
		}
		expr_chain(x->else_, chain, n);
		return;
	case ORMC_EXPR_COND:
		cond_chain(x->cond, chain, n);
		return;
	default:
		for (i = 0; i < x->nargs; i++)
			expr_chain(x->args[i], chain, n);
		return;
	}
}

/* Does any leaf of c walk a multi-valued relation sharing a first hop with chain? */
static int cond_touches(const ormc_cond *c, ormc_field *const *chain, int n);

static int
expr_touches(const ormc_expr *x, ormc_field *const *chain, int n)
{
	int i;

	if (x == NULL)
		return 0;
	if (x->kind == ORMC_EXPR_COL) {
		walk w;

		walk_path(x->path, &w);
		return w.nchain > 0 && n > 0 && w.hops[0] == chain[0] &&
		       common_prefix(w.hops, w.nchain, chain, n) > 0;
	}
	if (x->kind == ORMC_EXPR_REF)
		return !x->annot->expr->has_agg && expr_touches(x->annot->expr, chain, n);
	if (x->kind == ORMC_EXPR_COND)
		return cond_touches(x->cond, chain, n);
	for (i = 0; i < x->nargs; i++)
		if (expr_touches(x->args[i], chain, n))
			return 1;
	return expr_touches(x->else_, chain, n);
}

static int
cond_touches(const ormc_cond *c, ormc_field *const *chain, int n)
{
	int i;

	if (n == 0)
		return 0;
	switch (c->kind) {
	case ORMC_COND_LEAF:
		if (expr_touches(c->lhs, chain, n))
			return 1;
		for (i = 0; i < c->nrhs; i++)
			if (expr_touches(c->rhs[i], chain, n))
				return 1;
		return 0;
	case ORMC_COND_EXPR:
		return expr_touches(c->lhs, chain, n);
	case ORMC_COND_NOT:
		return 0;     /* exclude() is a semi-join: it never picks the aggregated rows */
	case ORMC_COND_AND: case ORMC_COND_OR:
		for (i = 0; i < c->nkids; i++)
			if (cond_touches(c->kids[i], chain, n))
				return 1;
		return 0;
	default:
		return 0;
	}
}

static ormc_sx *
agg_lookup(scope *sc, const ormc_expr *x)
{
	scope *s;
	int i;

	for (s = sc; s; s = s->parent)
		for (i = 0; i < s->aggs.n; i++) {
			aggmap *m = s->aggs.items[i];

			if (m->agg == x)
				return m->sx;
		}
	return NULL;
}

/*
 * default= as Django compiles it: COALESCE(aggregate, default), the default
 * taking the aggregate's type (Sum("price", default=0) is a decimal 0).
 */
static ormc_sx *
with_default(scope *sc, const ormc_expr *agg, ormc_sx *value)
{
	plan *p = sc->p;
	ormc_sx *c = sx_new(p, ORMC_SX_COALESCE, 2);
	ormc_sx *d = x2sx(sc, agg->deflt, NULL, 0);

	if (c == NULL || d == NULL || value == NULL)
		return NULL;
	if (d->kind == ORMC_SX_PARAM && agg->type.kind == ORMC_FIELD_DECIMAL &&
	    d->value.type == ORMC_TYPE_INT) {
		d->value.type = ORMC_TYPE_DECIMAL;
		d->value.s = ormc_arena_printf(p->a, "%lld", (long long)d->value.i);
		if (d->value.s == NULL)
			return NULL;
		d->value.len = strlen(d->value.s);
	}
	d->type = agg->type;
	c->args[0] = value;
	c->args[1] = d;
	c->type = agg->type;
	return c;
}

/* An aggregate written in place, its argument and filter in the scope's context. */
static ormc_sx *
agg_inline(scope *sc, const ormc_expr *x)
{
	plan *p = sc->p;
	ormc_sx *a, *arg;

	a = sx_new(p, ORMC_SX_AGG, 1);
	if (a == NULL)
		return NULL;
	a->agg = agg_fn(x);
	a->distinct = x->distinct;
	a->type = x->type;
	if (x->nargs == 0) {
		arg = sx_new(p, ORMC_SX_STAR, 0);
	} else {
		arg = x2sx(sc, x->args[0], sc->ctx, sc->nctx);
	}
	if (arg == NULL)
		return NULL;
	a->args[0] = arg;
	if (x->filter) {
		a->filter = c2sx(sc, x->filter, sc->ctx, sc->nctx);
		if (a->filter == NULL)
			return NULL;
	}
	if (x->deflt)
		return with_default(sc, x, a);
	return a;
}

static ormc_sx *
annot_sx(scope *sc, const ormc_annot *an)
{
	scope *s;
	int i;
	annmap *m;

	for (s = sc; s; s = s->parent)
		for (i = 0; i < s->anns.n; i++) {
			m = s->anns.items[i];
			if (m->annot == an)
				return m->sx;
		}
	m = NEW(sc->p, annmap);
	if (m == NULL)
		return NULL;
	m->annot = an;
	m->sx = x2sx(sc, an->expr, NULL, 0);
	if (m->sx == NULL || ormc_ptrvec_push(sc->p->a, &sc->anns, m) < 0)
		return NULL;
	return m->sx;
}

static ormc_sx *
param_sx(plan *p, const ormc_expr *x)
{
	ormc_sx *y;

	if (x->value.type == ORMC_TYPE_NULL) {
		y = sx_new(p, ORMC_SX_NULL, 0);
		if (y)
			y->type = x->type;
		return y;
	}
	y = sx_new(p, ORMC_SX_PARAM, 0);
	if (y) {
		y->value = x->value;
		y->type = x->type;
	}
	return y;
}

static ormc_sx *
x2sx(scope *sc, const ormc_expr *x, ormc_field *const *ctx, int nctx)
{
	plan *p = sc->p;
	ormc_sx *y;
	int i;

	if (p->failed)
		return NULL;
	switch (x->kind) {
	case ORMC_EXPR_COL: {
		walk w;

		walk_path(x->path, &w);
		if (w.nchain > 0 && (w.nchain > nctx || !prefix_eq(w.hops, ctx, w.nchain))) {
			/* A multi-valued field outside an aggregate: allowed when the scope joins it. */
			int k;

			for (k = 0; k < sc->joins.n; k++) {
				joinent *je = sc->joins.items[k];

				if (je->n >= w.nchain && prefix_eq(je->hops, w.hops, w.nchain))
					break;
			}
			if (k == sc->joins.n && !sc->multi_ok) {
				pfail(p, ORMC_EUNSUPPORTED, x->pos,
				      "'%s' walks a multi-valued relation: use it inside an aggregate or a filter",
				      x->path->field->name);
				return NULL;
			}
		}
		return col_sx(sc, x->path, x->transforms, x->ntransforms, x->pos);
	}
	case ORMC_EXPR_OUTERREF: {
		scope *o = sc;

		while (o && o->outer == NULL)
			o = o->parent;
		if (o == NULL) {
			pfail(p, ORMC_EINVALID, x->pos, "OuterRef() outside a subquery");
			return NULL;
		}
		return col_sx(o->outer, x->path, x->transforms, x->ntransforms, x->pos);
	}
	case ORMC_EXPR_VALUE:
		return param_sx(p, x);
	case ORMC_EXPR_REF:
		return annot_sx(sc, x->annot);
	case ORMC_EXPR_INNER: {
		scope *o = sc;

		/* The level's own rows: its base scope, not a derived table of a chain. */
		while (o->parent)
			o = o->parent;
		return sx_col(p, o->root_alias, x->annot->alias, x->type);
	}
	case ORMC_EXPR_AGG:
		y = agg_lookup(sc, x);
		if (y != NULL)
			return y;
		return agg_inline(sc, x);
	case ORMC_EXPR_ARITH: {
		ormc_op op = x->op == '+' ? ORMC_OP_ADD : x->op == '-' ? ORMC_OP_SUB
		           : x->op == '*' ? ORMC_OP_MUL : x->op == '/' ? ORMC_OP_DIV : ORMC_OP_MOD;

		assert(strchr("+-*/%", x->op) != NULL);

		y = sx2(p, ORMC_SX_ARITH, op, x2sx(sc, x->args[0], ctx, nctx), x2sx(sc, x->args[1], ctx, nctx));
		if (y)
			y->type = x->type;
		return y;
	}
	case ORMC_EXPR_NEG:
		y = sx1(p, ORMC_SX_NEG, x2sx(sc, x->args[0], ctx, nctx));
		if (y)
			y->type = x->type;
		return y;
	case ORMC_EXPR_CASE:
		y = sx_new(p, ORMC_SX_CASE, x->nargs * 2);
		if (y == NULL)
			return NULL;
		for (i = 0; i < x->nargs; i++) {
			y->args[2 * i] = c2sx(sc, x->whens[i], ctx, nctx);
			y->args[2 * i + 1] = x2sx(sc, x->args[i], ctx, nctx);
			if (y->args[2 * i] == NULL || y->args[2 * i + 1] == NULL)
				return NULL;
		}
		if (x->else_ && (y->else_ = x2sx(sc, x->else_, ctx, nctx)) == NULL)
			return NULL;
		y->type = x->type;
		return y;
	case ORMC_EXPR_FUNC: {
		ormc_sx_kind k = ORMC_SX_FUNC;

		if (strcmp(x->func, "Coalesce") == 0)
			k = ORMC_SX_COALESCE;
		else if (strcmp(x->func, "Cast") == 0)
			k = ORMC_SX_CAST;
		else if (strcmp(x->func, "Extract") == 0)
			k = ORMC_SX_EXTRACT;
		else if (strcmp(x->func, "Trunc") == 0)
			k = ORMC_SX_TRUNC;
		y = sx_new(p, k, x->nargs);
		if (y == NULL)
			return NULL;
		for (i = 0; i < x->nargs; i++)
			if ((y->args[i] = x2sx(sc, x->args[i], ctx, nctx)) == NULL)
				return NULL;
		y->type = x->type;
		if (k == ORMC_SX_EXTRACT || k == ORMC_SX_TRUNC) {
			int part = part_of(x->arg);

			if (part < 0) {
				pfail(p, ORMC_EINTERNAL, x->pos, "internal: unknown date part '%s'", x->arg ? x->arg : "");
				return NULL;
			}
			y->part = (ormc_part)part;
		} else if (k == ORMC_SX_FUNC) {
			int fn = fn_of(x->func);

			if (fn < 0) {
				pfail(p, ORMC_EINTERNAL, x->pos, "internal: no SQL function for %s()", x->func);
				return NULL;
			}
			y->fn = (ormc_fn)fn;
		}
		return y;
	}
	case ORMC_EXPR_COND:
		y = c2sx(sc, x->cond, ctx, nctx);
		if (y)
			y->type = x->type;
		return y;
	case ORMC_EXPR_SUBQUERY:
	case ORMC_EXPR_EXISTS:
		y = sx_new(p, x->kind == ORMC_EXPR_EXISTS ? ORMC_SX_EXISTS : ORMC_SX_SUBQUERY, 0);
		if (y == NULL)
			return NULL;
		y->sub = plan_select(p, x->sub, sc,
		                     x->kind == ORMC_EXPR_EXISTS ? PURPOSE_EXISTS : PURPOSE_SCALAR,
		                     NULL, NULL, NULL);
		if (y->sub == NULL)
			return NULL;
		y->type = x->type;
		return y;
	}
	pfail(p, ORMC_EUNSUPPORTED, x->pos, "internal: unknown expression");
	return NULL;
}

/* ---------------------------------------------------------------- conditions */

/*
 * Where must a condition be evaluated, relative to a context chain?
 *   0: directly (nothing beyond ctx is multi-valued)
 *   1: in one EXISTS over key[0..*nkey) (every leaf agrees)
 *   2: mixed: its parts go different ways
 */
static int cond_key(const ormc_cond *c, ormc_field *const *ctx, int nctx, ormc_field **key, int *nkey);

static int
expr_key(const ormc_expr *x, ormc_field *const *ctx, int nctx, ormc_field **key, int *nkey)
{
	int i, r = 0, k;

	if (x == NULL)
		return 0;
	switch (x->kind) {
	case ORMC_EXPR_COL: {
		walk w;
		int c, j;

		walk_path(x->path, &w);
		c = common_prefix(w.hops, w.nchain, ctx, nctx);
		if (c >= w.nchain)
			return 0;
		/* The first multi-valued hop beyond the shared part. */
		for (j = c; j < w.nchain; j++)
			if (ormc_field_is_multi(w.hops[j]))
				break;
		if (*nkey == 0) {
			memcpy(key, w.hops, sizeof(ormc_field *) * (size_t)(j + 1));
			*nkey = j + 1;
			return 1;
		}
		return (*nkey == j + 1 && prefix_eq(key, w.hops, j + 1)) ? 1 : 2;
	}
	case ORMC_EXPR_REF:
		return 0;
	case ORMC_EXPR_AGG:
	case ORMC_EXPR_SUBQUERY:
	case ORMC_EXPR_EXISTS:
	case ORMC_EXPR_OUTERREF:
	case ORMC_EXPR_VALUE:
		return 0;
	case ORMC_EXPR_COND:
		return cond_key(x->cond, ctx, nctx, key, nkey);
	default:
		for (i = 0; i < x->nargs; i++) {
			k = expr_key(x->args[i], ctx, nctx, key, nkey);
			if (k > r)
				r = k;
		}
		k = expr_key(x->else_, ctx, nctx, key, nkey);
		return k > r ? k : r;
	}
}

static int
cond_key(const ormc_cond *c, ormc_field *const *ctx, int nctx, ormc_field **key, int *nkey)
{
	int i, r = 0, k;

	switch (c->kind) {
	case ORMC_COND_LEAF:
		if (c->lookup == ORMC_LOOKUP_ISNULL && c->lhs->kind == ORMC_EXPR_COL &&
		    ormc_field_is_multi(c->lhs->path->field))
			return 0;     /* leaf_sx writes it as NOT EXISTS */
		r = expr_key(c->lhs, ctx, nctx, key, nkey);
		for (i = 0; i < c->nrhs; i++) {
			k = expr_key(c->rhs[i], ctx, nctx, key, nkey);
			if (k > r)
				r = k;
		}
		return r;
	case ORMC_COND_EXPR:
		return expr_key(c->lhs, ctx, nctx, key, nkey);
	case ORMC_COND_NOT:
		/*
		 * ~Q(book__rating__gt=3) is "no such book" (NOT EXISTS), never
		 * "a book that is not": a negation stays outside the EXISTS.
		 */
		return cond_key(c->kids[0], ctx, nctx, key, nkey) ? 2 : 0;
	case ORMC_COND_AND: case ORMC_COND_OR: {
		int direct = 0;

		for (i = 0; i < c->nkids; i++) {
			k = cond_key(c->kids[i], ctx, nctx, key, nkey);
			if (k == 0)
				direct = 1;
			if (k > r)
				r = k;
		}
		/* Conditions on this row beside conditions on related rows: each its own way. */
		return r == 1 && direct ? 2 : r;
	}
	default:
		return 0;
	}
}

/* Rows of a multi-valued hop: a correlated SELECT 1 FROM ... WHERE link. */
static scope *
exists_scope(scope *sc, ormc_field **key, int nkey, int pos)
{
	plan *p = sc->p;
	ormc_select *s = select_new(p);
	ormc_field *h = key[nkey - 1];
	const char *from, *alias;
	scope *child;
	ormc_sx *link;

	from = scope_join(sc, key, nkey - 1, pos);
	if (from == NULL || s == NULL)
		return NULL;
	child = scope_new(p, s, sc->qs, h->target, sc);
	if (child == NULL)
		return NULL;
	child->root = ormc_arena_alloc(p->a, sizeof(ormc_field *) * (size_t)nkey);
	if (child->root == NULL)
		return NULL;
	memcpy(child->root, key, sizeof(ormc_field *) * (size_t)nkey);
	child->nroot = nkey;
	child->multi_ok = 1;
	alias = new_alias(p, h->target->table);
	if (alias == NULL)
		return NULL;
	child->root_alias = alias;
	if (h->kind == ORMC_FIELD_REVERSE_FK || h->kind == ORMC_FIELD_REVERSE_O2O) {
		if (from_add(p, s, h->target->table, NULL, alias, ORMC_JOIN_NONE, NULL) < 0)
			return NULL;
		link = sx2(p, ORMC_SX_CMP, ORMC_OP_EQ, sx_col(p, alias, h->remote->column, pk_type(h->model)),
		           sx_col(p, from, h->model->pk->column, pk_type(h->model)));
	} else {
		int fwd = h->kind == ORMC_FIELD_MANYTOMANY;
		const char *jalias = new_alias(p, h->m2m_table);

		if (jalias == NULL || from_add(p, s, h->m2m_table, NULL, jalias, ORMC_JOIN_NONE, NULL) < 0)
			return NULL;
		if (from_add(p, s, h->target->table, NULL, alias, ORMC_JOIN_INNER,
		             sx2(p, ORMC_SX_CMP, ORMC_OP_EQ, sx_col(p, alias, h->target->pk->column, pk_type(h->target)),
		                 sx_col(p, jalias, fwd ? h->m2m_target_column : h->m2m_source_column,
		                        pk_type(h->target)))) < 0)
			return NULL;
		link = sx2(p, ORMC_SX_CMP, ORMC_OP_EQ,
		           sx_col(p, jalias, fwd ? h->m2m_source_column : h->m2m_target_column, pk_type(h->model)),
		           sx_col(p, from, h->model->pk->column, pk_type(h->model)));
	}
	s->where = link;
	col_add(p, s, sx_int(p, 1), NULL);
	return child;
}

static ormc_sx *
exists_of(scope *sc, const ormc_cond *c, ormc_field **key, int nkey)
{
	plan *p = sc->p;
	scope *child = exists_scope(sc, key, nkey, c ? c->pos : -1);
	ormc_sx *x;

	if (child == NULL)
		return NULL;
	if (c != NULL) {
		int negated = p->negated;
		ormc_sx *inner;

		p->negated = 0;      /* NOT EXISTS (...): the inside is positive */
		inner = c2sx(child, c, key, nkey);
		p->negated = negated;
		if (inner == NULL)
			return NULL;
		child->sel->where = sx_and(p, child->sel->where, inner);
	}
	x = sx_new(p, ORMC_SX_EXISTS, 0);
	if (x == NULL)
		return NULL;
	x->sub = child->sel;
	x->type = ot(ORMC_FIELD_BOOLEAN);
	return x;
}

/* Can column x be NULL (nullable column, or one reached through a nullable relation)? */
static int
col_nullable(const ormc_expr *x)
{
	walk w;
	int i;

	if (x == NULL || x->kind != ORMC_EXPR_COL)
		return 0;
	walk_path(x->path, &w);
	if (w.field->null)
		return 1;
	for (i = 0; i < w.n; i++)
		if (w.hops[i]->null || !ormc_field_is_concrete(w.hops[i]))
			return 1;
	return 0;
}

static ormc_sx *leaf_sx1(scope *sc, const ormc_cond *c, ormc_field *const *ctx, int nctx);

/* "x IS NOT NULL" for column x. */
static ormc_sx *
not_null(scope *sc, const ormc_expr *x, ormc_field *const *ctx, int nctx)
{
	ormc_sx *l = x2sx(sc, x, ctx, nctx);

	l = sx1(sc->p, ORMC_SX_NOT, sx1(sc->p, ORMC_SX_ISNULL, l));
	if (l != NULL)
		l->type = ot(ORMC_FIELD_BOOLEAN);
	return l;
}

/*
 * A lookup under NOT: Django makes NOT (x = 3) keep the rows where x is
 * NULL, by writing NOT (x = 3 AND x IS NOT NULL), and likewise for a
 * nullable column on the right (F("y")).
 */
static ormc_sx *
leaf_sx(scope *sc, const ormc_cond *c, ormc_field *const *ctx, int nctx)
{
	plan *p = sc->p;
	ormc_sx *y = leaf_sx1(sc, c, ctx, nctx);
	const ormc_expr *rhs = c->nrhs == 1 ? c->rhs[0] : NULL;

	if (y == NULL || !p->negated || c->lookup == ORMC_LOOKUP_ISNULL ||
	    y->kind == ORMC_SX_ISNULL || y->kind == ORMC_SX_EXISTS)
		return y;
	if (col_nullable(c->lhs) && (y = sx_and(p, y, not_null(sc, c->lhs, ctx, nctx))) == NULL)
		return NULL;
	if (col_nullable(rhs) && (y = sx_and(p, y, not_null(sc, rhs, ctx, nctx))) == NULL)
		return NULL;
	return y;
}

static ormc_sx *
leaf_sx1(scope *sc, const ormc_cond *c, ormc_field *const *ctx, int nctx)
{
	plan *p = sc->p;
	ormc_sx *l, *r, *y;
	int i;

	/* rel__isnull=True on a multi-valued relation: no related rows at all. */
	if (c->lookup == ORMC_LOOKUP_ISNULL && c->lhs->kind == ORMC_EXPR_COL &&
	    ormc_field_is_multi(c->lhs->path->field)) {
		walk w;

		walk_path(c->lhs->path, &w);
		if (!(w.n <= nctx && prefix_eq(w.hops, ctx, w.n))) {
			int i2, multi = 0;

			for (i2 = nctx; i2 < w.n - 1; i2++)
				multi |= ormc_field_is_multi(w.hops[i2]);
			if (multi) {
				/* Django: no related row at the end of some branch; not compiled yet. */
				pfail(p, ORMC_EUNSUPPORTED, c->pos,
				      "__isnull across two multi-valued relations is not supported yet");
				return NULL;
			}
			y = exists_of(sc, NULL, w.hops, w.n);
			if (y)
				y->negated = 1;
			return y;
		}
	}
	l = x2sx(sc, c->lhs, ctx, nctx);
	if (l == NULL)
		return NULL;
	switch (c->lookup) {
	case ORMC_LOOKUP_ISNULL:
		return sx1(p, ORMC_SX_ISNULL, l);
	case ORMC_LOOKUP_IN:
		y = sx_new(p, ORMC_SX_IN, c->nrhs + 1);
		if (y == NULL)
			return NULL;
		y->args[0] = l;
		y->type = ot(ORMC_FIELD_BOOLEAN);
		if (c->nrhs == 1 && c->rhs[0]->kind == ORMC_EXPR_SUBQUERY) {
			y->sub = plan_select(p, c->rhs[0]->sub, sc, PURPOSE_IN, NULL, NULL, NULL);
			y->nargs = 1;
			return y->sub ? y : NULL;
		}
		for (i = 0; i < c->nrhs; i++)
			if ((y->args[i + 1] = x2sx(sc, c->rhs[i], ctx, nctx)) == NULL)
				return NULL;
		return y;
	case ORMC_LOOKUP_RANGE:
		return sx_and(p, sx2(p, ORMC_SX_CMP, ORMC_OP_GE, l, x2sx(sc, c->rhs[0], ctx, nctx)),
		              sx2(p, ORMC_SX_CMP, ORMC_OP_LE, l, x2sx(sc, c->rhs[1], ctx, nctx)));
	default:
		break;
	}
	r = x2sx(sc, c->rhs[0], ctx, nctx);
	if (r == NULL)
		return NULL;
	if (r->kind == ORMC_SX_NULL && c->lookup == ORMC_LOOKUP_EXACT)
		return sx1(p, ORMC_SX_ISNULL, l);
	switch (c->lookup) {
	case ORMC_LOOKUP_EXACT: return sx2(p, ORMC_SX_CMP, ORMC_OP_EQ, l, r);
	case ORMC_LOOKUP_GT: return sx2(p, ORMC_SX_CMP, ORMC_OP_GT, l, r);
	case ORMC_LOOKUP_GTE: return sx2(p, ORMC_SX_CMP, ORMC_OP_GE, l, r);
	case ORMC_LOOKUP_LT: return sx2(p, ORMC_SX_CMP, ORMC_OP_LT, l, r);
	case ORMC_LOOKUP_LTE: return sx2(p, ORMC_SX_CMP, ORMC_OP_LE, l, r);
	default: break;
	}
	/* Pattern lookups: the renderer escapes and wraps the text. */
	if (r->kind != ORMC_SX_PARAM || r->value.type != ORMC_TYPE_TEXT) {
		pfail(p, ORMC_EUNSUPPORTED, c->pos, "pattern lookups against expressions are not supported yet");
		return NULL;
	}
	y = sx1(p, ORMC_SX_LIKE, l);
	if (y == NULL)
		return NULL;
	y->value = r->value;
	y->type = ot(ORMC_FIELD_BOOLEAN);
	switch (c->lookup) {
	case ORMC_LOOKUP_IEXACT: y->like = ORMC_LIKE_EXACT; y->ci = 1; break;
	case ORMC_LOOKUP_CONTAINS: y->like = ORMC_LIKE_CONTAINS; break;
	case ORMC_LOOKUP_ICONTAINS: y->like = ORMC_LIKE_CONTAINS; y->ci = 1; break;
	case ORMC_LOOKUP_STARTSWITH: y->like = ORMC_LIKE_STARTSWITH; break;
	case ORMC_LOOKUP_ISTARTSWITH: y->like = ORMC_LIKE_STARTSWITH; y->ci = 1; break;
	case ORMC_LOOKUP_ENDSWITH: y->like = ORMC_LIKE_ENDSWITH; break;
	default: y->like = ORMC_LIKE_ENDSWITH; y->ci = 1; break;
	}
	return y;
}

static ormc_sx *
c2sx(scope *sc, const ormc_cond *c, ormc_field *const *ctx, int nctx)
{
	plan *p = sc->p;
	ormc_field *key[ORMC_MAX_HOPS + 1];
	int nkey = 0, k, i, j;
	ormc_sx *y;

	if (p->failed)
		return NULL;
	k = cond_key(c, ctx, nctx, key, &nkey);
	if (k == 1 && c->has_agg) {
		pfail(p, ORMC_EUNSUPPORTED, c->pos,
		      "comparing an aggregate with a field of a multi-valued relation is not supported");
		return NULL;
	}
	if (k == 1)
		return exists_of(sc, c, key, nkey);
	switch (c->kind) {
	case ORMC_COND_TRUE:
		return sx_new(p, ORMC_SX_TRUE, 0);
	case ORMC_COND_FALSE:
		return sx_new(p, ORMC_SX_FALSE, 0);
	case ORMC_COND_LEAF:
		return leaf_sx(sc, c, ctx, nctx);
	case ORMC_COND_EXPR:
		return x2sx(sc, c->lhs, ctx, nctx);
	case ORMC_COND_NOT:
		p->negated ^= 1;
		y = c2sx(sc, c->kids[0], ctx, nctx);
		p->negated ^= 1;
		y = sx1(p, ORMC_SX_NOT, y);
		if (y)
			y->type = ot(ORMC_FIELD_BOOLEAN);
		return y;
	case ORMC_COND_AND:
	case ORMC_COND_OR: {
		/*
		 * Children that need the same EXISTS share it (same related row);
		 * the others are translated each on its own.
		 */
		char *done = ormc_arena_alloc(p->a, (size_t)c->nkids);
		ormc_sx **parts = ormc_arena_alloc(p->a, sizeof(ormc_sx *) * (size_t)c->nkids);
		int nparts = 0;

		if (done == NULL || parts == NULL) {
			pfail(p, ORMC_ENOMEM, -1, "out of memory");
			return NULL;
		}
		memset(done, 0, (size_t)c->nkids);
		for (i = 0; i < c->nkids; i++) {
			ormc_field *ki[ORMC_MAX_HOPS + 1];
			int nki = 0;
			ormc_cond *grp;

			if (done[i])
				continue;
			done[i] = 1;
			if (cond_key(c->kids[i], ctx, nctx, ki, &nki) != 1) {
				parts[nparts++] = c2sx(sc, c->kids[i], ctx, nctx);
				continue;
			}
			grp = NEW(p, ormc_cond);
			if (grp == NULL)
				return NULL;
			grp->kind = c->kind;
			grp->kids = ormc_arena_alloc(p->a, sizeof(ormc_cond *) * (size_t)c->nkids);
			if (grp->kids == NULL)
				return NULL;
			grp->kids[grp->nkids++] = c->kids[i];
			for (j = i + 1; j < c->nkids; j++) {
				ormc_field *kj[ORMC_MAX_HOPS + 1];
				int nkj = 0;

				if (!done[j] && cond_key(c->kids[j], ctx, nctx, kj, &nkj) == 1 &&
				    nkj == nki && prefix_eq(ki, kj, nki)) {
					grp->kids[grp->nkids++] = c->kids[j];
					done[j] = 1;
				}
			}
			parts[nparts++] = exists_of(sc, grp->nkids == 1 ? grp->kids[0] : grp, ki, nki);
		}
		if (nparts == 1)
			return parts[0];
		y = sx_new(p, c->kind == ORMC_COND_AND ? ORMC_SX_AND : ORMC_SX_OR, nparts);
		if (y == NULL)
			return NULL;
		for (i = 0; i < nparts; i++) {
			if (parts[i] == NULL)
				return NULL;
			y->args[i] = parts[i];
		}
		y->type = ot(ORMC_FIELD_BOOLEAN);
		return y;
	}
	}
	return NULL;
}

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

static void collect_aggs_cond(plan *p, const ormc_cond *c, int nbefore, ormc_ptrvec *out);

static void
collect_aggs(plan *p, const ormc_expr *x, int nbefore, ormc_ptrvec *out)
{
	int i;

	if (x == NULL || !x->has_agg)
		return;
	if (x->kind == ORMC_EXPR_AGG) {
		aggref *r = NEW(p, aggref);

		for (i = 0; i < out->n; i++)
			if (((aggref *)out->items[i])->agg == x)
				return;
		if (r == NULL || ormc_ptrvec_push(p->a, out, r) < 0) {
			p->failed = 1;
			return;
		}
		r->agg = x;
		r->nbefore = nbefore;
		return;
	}
	if (x->kind == ORMC_EXPR_REF)
		return;           /* collected with its own annotation */
	for (i = 0; i < x->nargs; i++)
		collect_aggs(p, x->args[i], nbefore, out);
	collect_aggs(p, x->else_, nbefore, out);
	if (x->kind == ORMC_EXPR_CASE)
		for (i = 0; i < x->nargs; i++)
			collect_aggs_cond(p, x->whens[i], nbefore, out);
	if (x->kind == ORMC_EXPR_COND)
		collect_aggs_cond(p, x->cond, nbefore, out);
}

static void
collect_aggs_cond(plan *p, const ormc_cond *c, int nbefore, ormc_ptrvec *out)
{
	int i;

	if (c == NULL || !c->has_agg)
		return;
	collect_aggs(p, c->lhs, nbefore, out);
	for (i = 0; i < c->nrhs; i++)
		collect_aggs(p, c->rhs[i], nbefore, out);
	for (i = 0; i < c->nkids; i++)
		collect_aggs_cond(p, c->kids[i], nbefore, out);
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
		expr_chain(r->agg->args ? r->agg->args[0] : NULL, b.chain, &n);
		if (n < 0)
			return pfail(p, ORMC_EUNSUPPORTED, r->agg->pos,
			             "an aggregate over two different multi-valued relations at once is not supported");
		b.n = n;
		/*
		 * Django's aggregate reuses the most recent join of its relation, so
		 * the last filter() walking the chain picks the aggregated rows; the
		 * others only select base rows (semi-joins).
		 */
		for (j = r->nbefore - 1; j >= 0; j--)
			if (j < qs->nfilters && !qs->filters[j].cond->has_agg &&
			    cond_touches(qs->filters[j].cond, b.chain, b.n)) {
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
				return pfail(p, ORMC_ENOMEM, -1, "out of memory");
			*bp = b;
			memset(&bp->aggs, 0, sizeof(bp->aggs));
		}
		if (ormc_ptrvec_push(p->a, &bp->aggs, (void *)r->agg) < 0)
			return pfail(p, ORMC_ENOMEM, -1, "out of memory");
	}
	return ORMC_OK;
}

static void outer_chain_qs(const ormc_qs *sub, ormc_field **chain, int *n);

/*
 * The chain of this query's multi-valued relations that the OuterRefs of the
 * subqueries in x walk: such a relation must be joined (Django reuses the
 * outer query's join), not turned into a semi-join.
 */
static void
outer_chain(const ormc_expr *x, int depth, ormc_field **chain, int *n)
{
	int i;

	if (x == NULL || *n < 0)
		return;
	switch (x->kind) {
	case ORMC_EXPR_OUTERREF:
		if (depth == 1) {
			ormc_expr col = *x;

			col.kind = ORMC_EXPR_COL;
			expr_chain(&col, chain, n);
		}
		return;
	case ORMC_EXPR_SUBQUERY:
	case ORMC_EXPR_EXISTS:
		if (depth == 0)
			outer_chain_qs(x->sub, chain, n);
		return;
	case ORMC_EXPR_REF:
		if (depth == 0)
			outer_chain(x->annot->expr, depth, chain, n);
		return;
	default:
		break;
	}
	for (i = 0; i < x->nargs; i++)
		outer_chain(x->args[i], depth, chain, n);
	outer_chain(x->else_, depth, chain, n);
}

static void
outer_chain_cond(const ormc_cond *c, int depth, ormc_field **chain, int *n)
{
	int i;

	if (c == NULL)
		return;
	outer_chain(c->lhs, depth, chain, n);
	for (i = 0; i < c->nrhs; i++)
		outer_chain(c->rhs[i], depth, chain, n);
	for (i = 0; i < c->nkids; i++)
		outer_chain_cond(c->kids[i], depth, chain, n);
}

/* The OuterRefs of one subquery: what it reads of the query around it. */
static void
outer_chain_qs(const ormc_qs *sub, ormc_field **chain, int *n)
{
	int i;

	for (i = 0; i < sub->nfilters; i++)
		outer_chain_cond(sub->filters[i].cond, 1, chain, n);
	for (i = 0; i < sub->nannots; i++)
		outer_chain(sub->annots[i]->expr, 1, chain, n);
	for (i = 0; i < sub->nvalues; i++)
		outer_chain(sub->values[i].expr, 1, chain, n);
	for (i = 0; i < sub->naggregates; i++)
		outer_chain(sub->aggregates[i]->expr, 1, chain, n);
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
has_inline_agg(scope *sc, const ormc_expr *x)
{
	int i;

	if (x == NULL || !x->has_agg)
		return 0;
	if (x->kind == ORMC_EXPR_AGG)
		return agg_lookup(sc, x) == NULL;
	if (x->kind == ORMC_EXPR_REF)
		return has_inline_agg(sc, x->annot->expr);
	for (i = 0; i < x->nargs; i++)
		if (has_inline_agg(sc, x->args[i]))
			return 1;
	if (x->kind == ORMC_EXPR_CASE)
		return 1;
	return has_inline_agg(sc, x->else_);
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
		return with_default(sc, agg, col);
	return col;
}

/* An aggregate without its default=, for use inside a derived table. */
static ormc_sx *
agg_bare(scope *sc, const ormc_expr *agg)
{
	ormc_expr copy = *agg;

	copy.deflt = NULL;
	return agg_inline(sc, &copy);
}

enum { MODE_ROWS, MODE_AGG, MODE_COUNT };

static int plan_level_from(plan *p, ormc_qs *qs, scope *sc, scope *outer, int mode,
                           ormc_outcol *outs, int nouts);
static ormc_select *plan_core(plan *p, ormc_qs *qs, scope *outer, int mode, int purpose,
                              ormc_outcol *outs, int nouts);

static ormc_expr *
pk_expr(plan *p, ormc_model *m)
{
	ormc_expr *x = NEW(p, ormc_expr);
	ormc_path *path = NEW(p, ormc_path);

	if (x == NULL || path == NULL) {
		p->failed = 1;
		return NULL;
	}
	path->model = m;
	path->field = m->pk;
	x->kind = ORMC_EXPR_COL;
	x->pos = -1;
	x->path = path;
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
			ormc_select *d = select_new(p);
			scope *ds = d ? scope_new(p, d, qs, qs->model, NULL) : NULL;
			ormc_sx *sub, *val;
			aggmap *m;

			if (ds == NULL)
				return ORMC_ENOMEM;
			ds->outer = main->outer;
			ds->multi_ok = 1;
			ds->ctx = b->chain;
			ds->nctx = b->n;
			scope_base(ds);
			for (j = 0; j < qs->nfilters; j++) {
				const ormc_cond *c = qs->filters[j].cond;

				if (c->has_agg)
					continue;
				d->where = sx_and(p, d->where, block_has_filter(b, j) ? c2sx(ds, c, b->chain, b->n)
				                                                       : c2sx(ds, c, NULL, 0));
			}
			col_add(p, d, agg_bare(ds, agg), NULL);
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
		ormc_select *d = select_new(p);
		scope *ds = d ? scope_new(p, d, qs, qs->model, NULL) : NULL;
		const char *dalias;
		ormc_sx *on = NULL;

		if (ds == NULL)
			return ORMC_ENOMEM;
		ds->outer = main->outer;
		ds->multi_ok = 1;
		ds->ctx = b->chain;
		ds->nctx = b->n;
		scope_base(ds);
		dalias = new_alias(p, "d");
		for (i = 0; i < ngkeys; i++) {
			ormc_sx *k = x2sx(ds, gkeys[i], NULL, 0);
			const char *kname = ormc_arena_printf(p->a, "k%d", i);

			col_add(p, d, k, kname);
			group_add(p, d, k);
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
				d->where = sx_and(p, d->where, c2sx(ds, c, b->chain, b->n));
			else if (!per_object)
				d->where = sx_and(p, d->where, c2sx(ds, c, NULL, 0));
		}
		for (i = 0; i < b->aggs.n; i++) {
			const ormc_expr *agg = b->aggs.items[i];
			const char *aname = ormc_arena_printf(p->a, "a%d", i);
			aggmap *m = NEW(p, aggmap);

			col_add(p, d, agg_bare(ds, agg), aname);
			if (m == NULL || ormc_ptrvec_push(p->a, &main->aggs, m) < 0)
				return ORMC_ENOMEM;
			m->agg = agg;
			m->sx = agg_outside(p, agg, sx_col(p, dalias, aname, agg->type), main);
		}
		if (on == NULL)
			on = sx_new(p, ORMC_SX_TRUE, 0);
		if (from_add(p, main->sel, NULL, d, dalias, ORMC_JOIN_LEFT, on) < 0)
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
		if (qs->annots[i]->expr->has_agg)
			return 1;
	return 0;
}

/* Does x walk a multi-valued relation outside any aggregate? */
static int
multi_outside_agg(const ormc_expr *x)
{
	int i;

	if (x == NULL || x->kind == ORMC_EXPR_AGG || x->kind == ORMC_EXPR_SUBQUERY ||
	    x->kind == ORMC_EXPR_EXISTS)
		return 0;
	if (x->kind == ORMC_EXPR_COL) {
		walk w;

		walk_path(x->path, &w);
		return w.nchain > 0;
	}
	if (x->kind == ORMC_EXPR_REF)
		return multi_outside_agg(x->annot->expr);
	for (i = 0; i < x->nargs; i++)
		if (multi_outside_agg(x->args[i]))
			return 1;
	return multi_outside_agg(x->else_);
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
	cols = ormc_arena_alloc(p->a, sizeof(ormc_outcol) * (size_t)(qs->model->nfields + qs->nannots + 1));
	if (cols == NULL)
		return ORMC_ENOMEM;
	for (i = 0; i < qs->model->nfields; i++) {
		ormc_field *f = qs->model->fields[i];
		ormc_expr *x;
		ormc_path *path;

		if (!ormc_field_is_concrete(f))
			continue;
		x = NEW(p, ormc_expr);
		path = NEW(p, ormc_path);
		if (x == NULL || path == NULL)
			return ORMC_ENOMEM;
		path->model = qs->model;
		path->field = f;
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
	ormc_select *sel = select_new(p);
	scope *sc;
	ormc_expr **gkeys = ormc_arena_alloc(p->a, sizeof(ormc_expr *) * (size_t)(qs->ngroup + qs->norder + 1));
	ormc_sx **gsx = ormc_arena_alloc(p->a, sizeof(ormc_sx *) * (size_t)(qs->ngroup + qs->norder + 1));
	int ngkeys = 0, i, j, grouped, inline_aggs = 0, keychain = 0;
	ormc_field *keyctx[ORMC_MAX_HOPS + 1];
	int nkeyctx = 0, keyfilter = -1;
	ormc_ptrvec aggs = { 0 }, blocks = { 0 };
	block *joinblock = NULL;
	int nonempty = 0, hasempty = 0;
	ormc_sx *having = NULL;

	if (sel == NULL || gkeys == NULL || gsx == NULL) {
		pfail(p, ORMC_ENOMEM, -1, "out of memory");
		return NULL;
	}
	sc = scope_new(p, sel, qs, qs->model, NULL);
	if (sc == NULL)
		return NULL;
	sc->outer = outer;
	if (qs->inner != NULL) {
		if (plan_level_from(p, qs, sc, outer, mode, outs, nouts) < 0)
			return NULL;
	} else {
		scope_base(sc);
	}

	/* Grouping keys. */
	if (mode == MODE_ROWS && qs->grouped) {
		for (i = 0; i < qs->ngroup; i++)
			gkeys[ngkeys++] = qs->group[i].expr;
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
		expr_chain(outs[i].expr, keyctx, &nkeyctx);
		outer_chain(outs[i].expr, 0, keyctx, &nkeyctx);
	}
	for (i = 0; i < ngkeys; i++) {
		keychain |= multi_outside_agg(gkeys[i]);
		expr_chain(gkeys[i], keyctx, &nkeyctx);
	}
	for (i = 0; i < qs->norder; i++) {
		keychain |= multi_outside_agg(qs->order[i].expr);
		expr_chain(qs->order[i].expr, keyctx, &nkeyctx);
	}
	for (i = 0; i < qs->nannots; i++)
		outer_chain(qs->annots[i]->expr, 0, keyctx, &nkeyctx);
	for (i = 0; i < qs->nfilters; i++)
		outer_chain_cond(qs->filters[i].cond, 0, keyctx, &nkeyctx);
	if (nkeyctx > 0)
		keychain = 1;
	if (keychain) {
		sc->multi_ok = 1;
		sc->chain_join = ORMC_JOIN_LEFT;
		if (nonempty > 1) {
			pfail(p, ORMC_EUNSUPPORTED, qs->pos,
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
			for (i = qs->nfilters - 1; i >= 0 && keyfilter < 0; i--)
				if (!qs->filters[i].cond->has_agg && cond_touches(qs->filters[i].cond, keyctx, nkeyctx))
					keyfilter = i;
		}
		if (nonempty > 0) {
			for (i = 0; i < ngkeys; i++)
				if ((gsx[i] = x2sx(sc, gkeys[i], NULL, 0)) == NULL)
					return NULL;
			for (i = 0; i < blocks.n; i++) {
				block *b = blocks.items[i];

				if (b->n > 0 && plan_block(p, qs, sc, b, gkeys, gsx, ngkeys, mode,
				                           mode == MODE_ROWS && qs->per_object) < 0)
					return NULL;
			}
		}
	}

	/* WHERE, and HAVING for conditions on aggregates. */
	for (i = 0; i < qs->nfilters; i++) {
		const ormc_cond *c = qs->filters[i].cond;

		if (c->has_agg)
			continue;
		if (joinblock && block_has_filter(joinblock, i))
			sel->where = sx_and(p, sel->where, c2sx(sc, c, joinblock->chain, joinblock->n));
		else if (i == keyfilter)
			sel->where = sx_and(p, sel->where, c2sx(sc, c, keyctx, nkeyctx));
		else
			sel->where = sx_and(p, sel->where, c2sx(sc, c, NULL, 0));
	}

	/* Output columns. */
	if (mode == MODE_AGG) {
		for (i = 0; i < qs->naggregates; i++)
			col_add(p, sel, x2sx(sc, qs->aggregates[i]->expr, sc->ctx, sc->nctx),
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
		col_add(p, sel, cnt, "count");
	} else if (purpose == PURPOSE_EXISTS) {
		col_add(p, sel, sx_int(p, 1), NULL);
	} else {
		for (i = 0; i < nouts; i++)
			if (col_add(p, sel, x2sx(sc, outs[i].expr, sc->ctx, sc->nctx), outs[i].name) < 0)
				return NULL;
		assert(sel->ncols == nouts);
	}
	if (p->failed)
		return NULL;

	/* GROUP BY: the keys and everything selected that is not an aggregate. */
	grouped = mode == MODE_ROWS && (qs->grouped || (inline_aggs && (qs->per_object || keychain)));
	if (grouped) {
		for (i = 0; i < ngkeys; i++)
			group_add(p, sel, x2sx(sc, gkeys[i], sc->ctx, sc->nctx));
		if (purpose != PURPOSE_EXISTS)
			for (i = 0; i < nouts; i++)
				if (!has_inline_agg(sc, outs[i].expr))
					group_add(p, sel, sel->cols[i]);
	}

	for (i = 0; i < qs->nfilters; i++) {
		const ormc_cond *c = qs->filters[i].cond;

		if (c->has_agg)
			having = sx_and(p, having, c2sx(sc, c, NULL, 0));
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

			o->expr = x2sx(sc, items[i].expr, sc->ctx, sc->nctx);
			o->desc = items[i].desc ^ qs->reverse;
			o->nulls = items[i].nulls;
			if (grouped && !has_inline_agg(sc, items[i].expr))
				group_add(p, sel, o->expr);
		}
		/* Meta.ordering, unless order_by() was called or the query groups (Django 3.1+). */
		if (!qs->order_set && !grouped && !qs->per_object && qs->values_set == 0) {
			for (i = 0; i < qs->model->nordering; i++) {
				const char *name = qs->model->ordering[i];
				int desc = name[0] == '-';
				ormc_field *f = ormc_model_field(qs->model, name + desc);

				if (f == NULL || !ormc_field_is_concrete(f))
					continue;
				sel->order[sel->norder].expr = sx_col(p, sc->root_alias, f->column, ot(f->kind));
				sel->order[sel->norder].desc = desc ^ qs->reverse;
				sel->norder++;
			}
		}
		sel->limit = qs->limit;
		sel->offset = qs->offset;
		sel->distinct = qs->distinct;
	}
	if (p->failed)
		return NULL;
	/* Whatever the select list, HAVING and ORDER BY read outside an aggregate is a key. */
	if (grouped && ormc_group_complete(p->a, sel) < 0) {
		pfail(p, ORMC_ENOMEM, -1, "out of memory");
		return NULL;
	}
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

static int collect_reads_cond(plan *p, const ormc_cond *c, int how, ormc_ptrvec *out);

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
		return pfail(p, ORMC_ENOMEM, -1, "out of memory");
	rc->name = name;
	rc->expr = expr;
	rc->annot = an;
	return 0;
}

/* A model field as the query below selects it (no transforms, no hops). */
static ormc_expr *
bare_field(plan *p, ormc_model *m, ormc_field *f, int pos)
{
	ormc_expr *x = NEW(p, ormc_expr);
	ormc_path *path = NEW(p, ormc_path);

	if (x == NULL || path == NULL) {
		pfail(p, ORMC_ENOMEM, -1, "out of memory");
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

/* What x reads from the derived table below (see readcol). */
static int
collect_reads(plan *p, const ormc_expr *x, int how, ormc_ptrvec *out)
{
	int i;

	if (x == NULL)
		return 0;
	switch (x->kind) {
	case ORMC_EXPR_REF:
		if (how == READ_LEVEL)
			return collect_reads(p, x->annot->expr, how, out);
		return read_add(p, out, x->annot->alias, (ormc_expr *)x, x->annot);
	case ORMC_EXPR_INNER: {
		ormc_expr *ref = NEW(p, ormc_expr);

		if (ref == NULL)
			return pfail(p, ORMC_ENOMEM, -1, "out of memory");
		ref->kind = ORMC_EXPR_REF;
		ref->pos = x->pos;
		ref->annot = x->annot;
		ref->type = x->annot->expr->type;
		ref->has_agg = x->annot->expr->has_agg;
		return read_add(p, out, x->annot->alias, ref, NULL);
	}
	case ORMC_EXPR_COL: {
		const ormc_path *path = x->path;
		ormc_field *f;
		ormc_expr *bare;

		if (how == READ_WRAP && (path->nhops != 0 || !ormc_field_is_concrete(path->field)))
			return pfail(p, ORMC_EUNSUPPORTED, x->pos,
			             "aggregate() over an annotated or sliced query can use annotations and the model's own fields only");
		for (i = 0; i < path->nhops; i++)
			if (path->hops[i]->kind != ORMC_FIELD_FOREIGNKEY && path->hops[i]->kind != ORMC_FIELD_ONETOONE)
				break;
		if (i < path->nhops || !ormc_field_is_concrete(path->field))
			return pfail(p, ORMC_EUNSUPPORTED, x->pos,
			             "above a regrouping values(), only the rows' own fields, annotations and foreign keys can be read ('%s')",
			             path->field->name);
		/* A walk from the rows below starts at the column its first hop joins on. */
		f = path->nhops > 0 ? path->hops[0] : path->field;
		if ((bare = bare_field(p, path->model, f, x->pos)) == NULL)
			return -1;
		return read_add(p, out, f->column, bare, NULL);
	}
	case ORMC_EXPR_SUBQUERY:
	case ORMC_EXPR_EXISTS:
	case ORMC_EXPR_OUTERREF:
	case ORMC_EXPR_VALUE:
		return 0;
	default:
		break;
	}
	for (i = 0; i < x->nargs; i++)
		if (collect_reads(p, x->args[i], how, out) < 0)
			return -1;
	if (x->kind == ORMC_EXPR_CASE)
		for (i = 0; i < x->nargs; i++)
			if (collect_reads_cond(p, x->whens[i], how, out) < 0)
				return -1;
	if (collect_reads(p, x->else_, how, out) < 0 || collect_reads(p, x->deflt, how, out) < 0 ||
	    collect_reads_cond(p, x->filter, how, out) < 0 ||
	    (x->kind == ORMC_EXPR_COND && collect_reads_cond(p, x->cond, how, out) < 0))
		return -1;
	return 0;
}

static int
collect_reads_cond(plan *p, const ormc_cond *c, int how, ormc_ptrvec *out)
{
	int i;

	if (c == NULL)
		return 0;
	if (collect_reads(p, c->lhs, how, out) < 0)
		return -1;
	for (i = 0; i < c->nrhs; i++)
		if (collect_reads(p, c->rhs[i], how, out) < 0)
			return -1;
	for (i = 0; i < c->nkids; i++)
		if (collect_reads_cond(p, c->kids[i], how, out) < 0)
			return -1;
	return 0;
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
		if (collect_reads(p, outs[i].expr, READ_LEVEL, &used) < 0)
			return -1;
	for (i = 0; i < qs->ngroup; i++)
		if (collect_reads(p, qs->group[i].expr, READ_LEVEL, &used) < 0)
			return -1;
	for (i = 0; i < qs->nannots; i++)
		if (collect_reads(p, qs->annots[i]->expr, READ_LEVEL, &used) < 0)
			return -1;
	for (i = 0; i < qs->nfilters; i++)
		if (collect_reads_cond(p, qs->filters[i].cond, READ_LEVEL, &used) < 0)
			return -1;
	for (i = 0; i < qs->norder; i++)
		if (collect_reads(p, qs->order[i].expr, READ_LEVEL, &used) < 0)
			return -1;
	if (mode == MODE_AGG)
		for (i = 0; i < qs->naggregates; i++)
			if (collect_reads(p, qs->aggregates[i]->expr, READ_LEVEL, &used) < 0)
				return -1;
	cols = ormc_arena_alloc(p->a, sizeof(ormc_outcol) * (size_t)(used.n + 1));
	if (cols == NULL)
		return pfail(p, ORMC_ENOMEM, -1, "out of memory");
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
	inner = plan_core(p, qs->inner, outer, MODE_ROWS, PURPOSE_TOP, cols, j);
	if (inner == NULL)
		return -1;
	if (inner->limit < 0 && inner->offset == 0)
		inner->norder = 0;
	sc->root_alias = new_alias(p, "level");
	if (sc->root_alias == NULL || from_add(p, sc->sel, NULL, inner, sc->root_alias, ORMC_JOIN_NONE, NULL) < 0)
		return pfail(p, ORMC_ENOMEM, -1, "out of memory");
	return 0;
}

/* aggregate() over a query that must be computed first: wrap it. */
static ormc_select *
plan_wrapped(plan *p, ormc_qs *qs, scope *outer, int mode)
{
	ormc_select *inner, *sel = select_new(p);
	ormc_outcol *outs;
	int nouts, i, j, k = 0;
	scope *sc;
	const char *alias = new_alias(p, "sub");

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
		col_add(p, sel, cnt, "count");
		from_add(p, sel, NULL, inner, alias, ORMC_JOIN_NONE, NULL);
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
			if (collect_reads(p, qs->aggregates[i]->expr, READ_WRAP, &used) < 0)
				return NULL;
		cols = ormc_arena_alloc(p->a, sizeof(ormc_outcol) * (size_t)(nouts + used.n + 1));
		sc = scope_new(p, sel, qs, qs->model, NULL);
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
		if (from_add(p, sel, NULL, inner, alias, ORMC_JOIN_NONE, NULL) < 0)
			return NULL;
		for (i = 0; i < qs->naggregates; i++)
			if (col_add(p, sel, x2sx(sc, qs->aggregates[i]->expr, NULL, 0),
			            qs->aggregates[i]->alias) < 0)
				return NULL;
	}
	return p->failed ? NULL : sel;
}

static ormc_select *
plan_select_in(plan *p, ormc_qs *qs, scope *outer, int purpose, const char ***names,
               ormc_otype **types, int *ncols)
{
	ormc_select *sel;
	ormc_outcol *outs = NULL;
	int nouts = 0, i;

	if (p->failed)
		return NULL;
	if (qs->terminal == ORMC_TERM_AGGREGATE) {
		sel = needs_wrap(qs) ? plan_wrapped(p, qs, outer, MODE_AGG)
		                     : plan_core(p, qs, outer, MODE_AGG, purpose, NULL, 0);
	} else if (qs->terminal == ORMC_TERM_COUNT) {
		sel = needs_wrap(qs) ? plan_wrapped(p, qs, outer, MODE_COUNT)
		                     : plan_core(p, qs, outer, MODE_COUNT, purpose, NULL, 0);
	} else if (qs->terminal == ORMC_TERM_EXISTS) {
		ormc_select *inner = plan_core(p, qs, outer, MODE_ROWS, PURPOSE_EXISTS, NULL, 0);
		ormc_sx *ex = sx_new(p, ORMC_SX_EXISTS, 0);

		sel = select_new(p);
		if (inner == NULL || ex == NULL || sel == NULL)
			return NULL;
		ex->sub = inner;
		ex->type = ot(ORMC_FIELD_BOOLEAN);
		col_add(p, sel, ex, "exists");
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
static ormc_select *
plan_select(plan *p, ormc_qs *qs, scope *outer, int purpose, const char ***names,
            ormc_otype **types, int *ncols)
{
	int negated = p->negated;
	ormc_select *sel;

	p->negated = 0;
	sel = plan_select_in(p, qs, outer, purpose, names, types, ncols);
	p->negated = negated;
	return sel;
}

int
ormc_plan_compile(ormc_query *q, const char *dialect, int server_version, ormc_error *err)
{
	const ormc_dialect *d = ormc_dialect_find(dialect);
	plan p;
	ormc_select *sel;
	int r;

	if (d == NULL)
		return ormc_error_set(err, ORMC_EINVALID, NULL, -1, 0,
		                      "unknown dialect '%s' (postgresql, sqlite, mysql)", dialect);
	ormc_arena_free(&q->plan_arena);
	ormc_arena_init(&q->plan_arena);
	free(q->sql);
	q->sql = NULL;
	q->nparams = 0;
	q->ncolumns = 0;
	memset(&p, 0, sizeof(p));
	p.a = &q->plan_arena;
	p.q = q;
	p.err = err;
	sel = plan_select(&p, q->qs, NULL, PURPOSE_TOP, &q->columns, &q->coltypes, &q->ncolumns);
	if (sel == NULL) {
		if (!p.failed || err == NULL || err->code == 0)
			return ormc_error_set(err, ORMC_ENOMEM, NULL, -1, 0, "out of memory");
		return err->code;
	}
	{
		char why[256];

		if (ormc_group_verify(sel, why, sizeof(why)) < 0)
			return ormc_error_set(err, ORMC_EINTERNAL, q->text, q->qs->pos, q->qs->pos >= 0 ? 1 : 0,
			                      "internal error: the plan is invalid SQL (%s); please report this query", why);
	}
	r = ormc_render(d, server_version, sel, &q->plan_arena, &q->sql, &q->params, &q->nparams, err);
	if (r < 0)
		return r;
	q->dialect = d->name;
	q->server_version = server_version;
	return ORMC_OK;
}
