/*
 * plan_expr.c -- expressions of the query IR as plan expressions: columns
 * through the joins of their scope, aggregates computed in place or read
 * from where a derived table computed them, annotations, functions, CASE,
 * subqueries; and the multi-valued chains an expression walks.
 */
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "planner.h"

/* ---------------------------------------------------------------- expressions */

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

/* A window function by its Django name, or -1 (an aggregate). */
static int
window_fn(const char *name)
{
	static const struct { const char *name; ormc_fn fn; } fns[] = {
		{ "RowNumber", ORMC_FN_ROW_NUMBER }, { "Rank", ORMC_FN_RANK },
		{ "DenseRank", ORMC_FN_DENSE_RANK }, { "PercentRank", ORMC_FN_PERCENT_RANK },
		{ "CumeDist", ORMC_FN_CUME_DIST }, { "Ntile", ORMC_FN_NTILE }, { "Lag", ORMC_FN_LAG },
		{ "Lead", ORMC_FN_LEAD }, { "FirstValue", ORMC_FN_FIRST_VALUE },
		{ "LastValue", ORMC_FN_LAST_VALUE }, { "NthValue", ORMC_FN_NTH_VALUE },
	};
	size_t i;

	for (i = 0; i < sizeof(fns) / sizeof(fns[0]); i++)
		if (strcmp(fns[i].name, name) == 0)
			return (int)fns[i].fn;
	return -1;
}

/*
 * Window(f, partition_by=, order_by=, frame=): f's node, then the partition
 * and ordering in the same args, the frame in win. An aggregate here sums
 * the frame's rows: it is marked over, so grouping looks through it.
 */
static ormc_sx *
window_sx(scope *sc, const ormc_expr *x, ormc_field *const *ctx, int nctx)
{
	plan *p = sc->p;
	const ormc_window *w = x->win;
	ormc_sx *y = sx_new(p, ORMC_SX_WINDOW, 1 + w->npart + w->norder), *f;
	int i;

	if (y == NULL)
		return NULL;
	if (window_fn(x->func) < 0) {
		ormc_expr agg = *x;

		agg.kind = ORMC_EXPR_AGG;
		agg.nargs = w->nfargs;
		agg.win = NULL;
		f = ormc_pl_agg_inline(sc, &agg);
		if (f != NULL)
			f->over = 1;
	} else {
		ormc_fn fn = (ormc_fn)window_fn(x->func);
		int n = w->nfargs + (fn == ORMC_FN_NTILE || fn == ORMC_FN_NTH_VALUE ||
		                     fn == ORMC_FN_LAG || fn == ORMC_FN_LEAD);

		f = sx_new(p, ORMC_SX_FUNC, n);
		if (f == NULL)
			return NULL;
		f->fn = fn;
		f->type = x->type;
		/* the expression first; Lag's default (its second) goes after the offset */
		for (i = 0; i < w->nfargs; i++)
			if ((f->args[i == 0 ? 0 : 2] = ormc_pl_x2sx(sc, x->args[i], ctx, nctx)) == NULL)
				return NULL;
		if (n > w->nfargs) {
			/* NTILE(n), NTH_VALUE(x, n), LAG(x, n[, default]): n after the expression */
			ormc_sx *k = sx_new(p, ORMC_SX_INT, 0);

			if (k == NULL)
				return NULL;
			k->ival = w->n;
			k->type = ot(ORMC_FIELD_BIGINTEGER);
			f->args[fn == ORMC_FN_NTILE ? 0 : 1] = k;
		}
	}
	if (f == NULL)
		return NULL;
	y->args[0] = f;
	for (i = 0; i < w->npart + w->norder; i++)
		if ((y->args[1 + i] = ormc_pl_x2sx(sc, x->args[w->nfargs + i], ctx, nctx)) == NULL)
			return NULL;
	y->win = w;
	y->type = x->type;
	return y;
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
		{ "Substr", ORMC_FN_SUBSTR }, { "Left", ORMC_FN_LEFT }, { "Right", ORMC_FN_RIGHT },
		{ "StrIndex", ORMC_FN_STRINDEX }, { "Replace", ORMC_FN_REPLACE }, { "LTrim", ORMC_FN_LTRIM },
		{ "RTrim", ORMC_FN_RTRIM }, { "LPad", ORMC_FN_LPAD }, { "RPad", ORMC_FN_RPAD },
		{ "Repeat", ORMC_FN_REPEAT }, { "Reverse", ORMC_FN_REVERSE }, { "Sign", ORMC_FN_SIGN },
		{ "Ln", ORMC_FN_LN }, { "Log", ORMC_FN_LOG }, { "Exp", ORMC_FN_EXP }, { "Now", ORMC_FN_NOW },
		{ "Random", ORMC_FN_RANDOM },
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

	ormc_pl_walk_path(path, &w);
	alias = ormc_pl_scope_join(sc, w.hops, w.n, pos);
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

/*
 * Extract or Trunc y of a UTC datetime, done in the wall-clock time of tz
 * (tzinfo=): its argument is moved into the zone; a datetime it gives is
 * moved back, since every datetime ormc gives is UTC (a date or a time,
 * TruncDate and TruncTime, is the zone's).
 */
static ormc_sx *
in_zone(plan *p, ormc_sx *y, const ormc_tz *tz)
{
	ormc_sx *local = sx1(p, ORMC_SX_TZ_LOCAL, y->args[0]);

	if (local == NULL)
		return NULL;
	local->tz = *tz;
	local->type = y->args[0]->type;
	y->args[0] = local;
	if (y->kind == ORMC_SX_TRUNC && y->type.kind == ORMC_FIELD_DATETIME) {
		ormc_sx *back = sx1(p, ORMC_SX_TZ_UTC, y);

		if (back == NULL)
			return NULL;
		back->tz = *tz;
		back->type = y->type;
		return back;
	}
	return y;
}

/* The chain of the positive conditions of a When: they pick rows, as an argument does. */
static void
cond_chain(const ormc_cond *c, ormc_field **chain, int *n)
{
	int i;

	switch (c->kind) {
	case ORMC_COND_LEAF:
		ormc_pl_expr_chain(c->lhs, chain, n);
		for (i = 0; i < c->nrhs; i++)
			ormc_pl_expr_chain(c->rhs[i], chain, n);
		return;
	case ORMC_COND_EXPR:
		ormc_pl_expr_chain(c->lhs, chain, n);
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
void
ormc_pl_expr_chain(const ormc_expr *x, ormc_field **chain, int *n)
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

		ormc_pl_walk_path(x->path, &w);
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
			ormc_pl_expr_chain(x->annot->expr, chain, n);
		return;
	case ORMC_EXPR_CASE:
		for (i = 0; i < x->nargs; i++) {
			ormc_pl_expr_chain(x->args[i], chain, n);
			cond_chain(x->whens[i], chain, n);
		}
		ormc_pl_expr_chain(x->else_, chain, n);
		return;
	case ORMC_EXPR_COND:
		cond_chain(x->cond, chain, n);
		return;
	default:
		for (i = 0; i < x->nargs; i++)
			ormc_pl_expr_chain(x->args[i], chain, n);
		return;
	}
}

/* Does any leaf of c walk a multi-valued relation sharing a first hop with chain? */

static int
expr_touches(const ormc_expr *x, ormc_field *const *chain, int n)
{
	int i;

	if (x == NULL)
		return 0;
	if (x->kind == ORMC_EXPR_COL) {
		walk w;

		ormc_pl_walk_path(x->path, &w);
		return w.nchain > 0 && n > 0 && w.hops[0] == chain[0] &&
		       common_prefix(w.hops, w.nchain, chain, n) > 0;
	}
	if (x->kind == ORMC_EXPR_REF)
		return !x->annot->expr->has_agg && expr_touches(x->annot->expr, chain, n);
	if (x->kind == ORMC_EXPR_COND)
		return ormc_pl_cond_touches(x->cond, chain, n);
	for (i = 0; i < x->nargs; i++)
		if (expr_touches(x->args[i], chain, n))
			return 1;
	return expr_touches(x->else_, chain, n);
}

int
ormc_pl_cond_touches(const ormc_cond *c, ormc_field *const *chain, int n)
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
			if (ormc_pl_cond_touches(c->kids[i], chain, n))
				return 1;
		return 0;
	default:
		return 0;
	}
}

ormc_sx *
ormc_pl_agg_lookup(scope *sc, const ormc_expr *x)
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
ormc_sx *
ormc_pl_with_default(scope *sc, const ormc_expr *agg, ormc_sx *value)
{
	plan *p = sc->p;
	ormc_sx *c = sx_new(p, ORMC_SX_COALESCE, 2);
	ormc_sx *d = ormc_pl_x2sx(sc, agg->deflt, NULL, 0);

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
ormc_sx *
ormc_pl_agg_inline(scope *sc, const ormc_expr *x)
{
	plan *p = sc->p;
	ormc_sx *a, *arg;
	int negated;

	a = sx_new(p, ORMC_SX_AGG, 1);
	if (a == NULL)
		return NULL;
	a->agg = agg_fn(x);
	a->distinct = x->distinct;
	a->type = x->type;
	/* The argument and filter= read the aggregated row itself, whatever NOTs surround it. */
	negated = p->negated;
	p->negated = 0;
	p->in_agg++;
	if (x->nargs == 0) {
		arg = sx_new(p, ORMC_SX_STAR, 0);
	} else {
		arg = ormc_pl_x2sx(sc, x->args[0], sc->ctx, sc->nctx);
	}
	if (arg != NULL && x->filter != NULL)
		a->filter = ormc_pl_c2sx(sc, x->filter, sc->ctx, sc->nctx);
	p->in_agg--;
	p->negated = negated;
	if (arg == NULL || (x->filter != NULL && a->filter == NULL))
		return NULL;
	if (a->filter != NULL && a->filter->kind == ORMC_SX_TRUE)
		a->filter = NULL;         /* filter=Q(), filter=~Q(): no filter, as in Django */
	a->args[0] = arg;
	if (x->deflt)
		return ormc_pl_with_default(sc, x, a);
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
	{
		/* An annotation's value does not depend on the NOTs around its first use. */
		int negated = sc->p->negated;

		sc->p->negated = 0;
		m->sx = ormc_pl_x2sx(sc, an->expr, NULL, 0);
		sc->p->negated = negated;
	}
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

ormc_sx *
ormc_pl_x2sx(scope *sc, const ormc_expr *x, ormc_field *const *ctx, int nctx)
{
	plan *p = sc->p;
	ormc_sx *y;
	int i;

	if (p->failed)
		return NULL;
	switch (x->kind) {
	case ORMC_EXPR_COL: {
		walk w;

		ormc_pl_walk_path(x->path, &w);
		if (w.nchain > 0 && (w.nchain > nctx || !prefix_eq(w.hops, ctx, w.nchain))) {
			/* A multi-valued field outside an aggregate: allowed when the scope joins it. */
			int k;

			for (k = 0; k < sc->joins.n; k++) {
				joinent *je = sc->joins.items[k];

				if (je->n >= w.nchain && prefix_eq(je->hops, w.hops, w.nchain))
					break;
			}
			if (k == sc->joins.n && !sc->multi_ok) {
				ormc_pl_pfail(p, ORMC_EUNSUPPORTED, x->pos,
				      "'%s' walks a multi-valued relation: use it inside an aggregate or a filter",
				      x->path->field->name);
				return NULL;
			}
		}
		return col_sx(sc, x->path, x->transforms, x->ntransforms, x->pos);
	}
	case ORMC_EXPR_OUTERREF: {
		scope *o = sc;
		int up;

		for (up = 0; up <= x->levels; up++) {
			if (up > 0)
				o = o->outer;
			while (o && o->outer == NULL)
				o = o->parent;
			if (o == NULL) {
				ormc_pl_pfail(p, ORMC_EINVALID, x->pos, "OuterRef() outside a subquery");
				return NULL;
			}
		}
		if (x->annot != NULL)
			return annot_sx(o->outer, x->annot);   /* the outer annotation's expression */
		return col_sx(o->outer, x->path, x->transforms, x->ntransforms, x->pos);
	}
	case ORMC_EXPR_VALUE:
		return param_sx(p, x);
	case ORMC_EXPR_WINDOW:
		return window_sx(sc, x, ctx, nctx);
	case ORMC_EXPR_PARAM:
		/* A value to come: its type, and which parameter it is. */
		assert(x->param->typed);
		y = sx_new(p, ORMC_SX_PARAM, 0);
		if (y) {
			y->value.type = ormc_otype_value_type(&x->param->type);
			y->type = x->param->type;
			y->param = x->param;
		}
		return y;
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
		y = ormc_pl_agg_lookup(sc, x);
		if (y != NULL)
			return y;
		return ormc_pl_agg_inline(sc, x);
	case ORMC_EXPR_ARITH: {
		ormc_op op = x->op == '+' ? ORMC_OP_ADD : x->op == '-' ? ORMC_OP_SUB
		           : x->op == '*' ? ORMC_OP_MUL : x->op == '/' ? ORMC_OP_DIV : ORMC_OP_MOD;

		assert(strchr("+-*/%", x->op) != NULL);

		y = sx2(p, ORMC_SX_ARITH, op, ormc_pl_x2sx(sc, x->args[0], ctx, nctx), ormc_pl_x2sx(sc, x->args[1], ctx, nctx));
		if (y)
			y->type = x->type;
		return y;
	}
	case ORMC_EXPR_NEG:
		y = sx1(p, ORMC_SX_NEG, ormc_pl_x2sx(sc, x->args[0], ctx, nctx));
		if (y)
			y->type = x->type;
		return y;
	case ORMC_EXPR_CASE:
		y = sx_new(p, ORMC_SX_CASE, x->nargs * 2);
		if (y == NULL)
			return NULL;
		for (i = 0; i < x->nargs; i++) {
			y->args[2 * i] = ormc_pl_c2sx(sc, x->whens[i], ctx, nctx);
			y->args[2 * i + 1] = ormc_pl_x2sx(sc, x->args[i], ctx, nctx);
			if (y->args[2 * i] == NULL || y->args[2 * i + 1] == NULL)
				return NULL;
		}
		if (x->else_ && (y->else_ = ormc_pl_x2sx(sc, x->else_, ctx, nctx)) == NULL)
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
			if ((y->args[i] = ormc_pl_x2sx(sc, x->args[i], ctx, nctx)) == NULL)
				return NULL;
		y->type = x->type;
		if (k == ORMC_SX_EXTRACT || k == ORMC_SX_TRUNC) {
			int part = part_of(x->arg);

			if (part < 0) {
				ormc_pl_pfail(p, ORMC_EINTERNAL, x->pos, "internal: unknown date part '%s'", x->arg ? x->arg : "");
				return NULL;
			}
			y->part = (ormc_part)part;
			if (x->tz.set && (y = in_zone(p, y, &x->tz)) == NULL)
				return NULL;
		} else if (k == ORMC_SX_FUNC) {
			int fn = fn_of(x->func);

			if (fn < 0) {
				ormc_pl_pfail(p, ORMC_EINTERNAL, x->pos, "internal: no SQL function for %s()", x->func);
				return NULL;
			}
			y->fn = (ormc_fn)fn;
		}
		return y;
	}
	case ORMC_EXPR_COND:
		y = ormc_pl_c2sx(sc, x->cond, ctx, nctx);
		if (y)
			y->type = x->type;
		return y;
	case ORMC_EXPR_SUBQUERY:
	case ORMC_EXPR_EXISTS:
		y = sx_new(p, x->kind == ORMC_EXPR_EXISTS ? ORMC_SX_EXISTS : ORMC_SX_SUBQUERY, 0);
		if (y == NULL)
			return NULL;
		y->sub = ormc_pl_plan_query(p, x->sub, sc,
		                     x->kind == ORMC_EXPR_EXISTS ? PURPOSE_EXISTS : PURPOSE_SCALAR,
		                     NULL, NULL, NULL);
		if (y->sub == NULL)
			return NULL;
		y->type = x->type;
		return y;
	}
	ormc_pl_pfail(p, ORMC_EUNSUPPORTED, x->pos, "internal: unknown expression");
	return NULL;
}
