/*
 * windows.c -- Window(expression, partition_by=, order_by=, frame=): the
 * window functions (RowNumber, Rank, ... NthValue) and aggregates over a
 * frame, resolved into WINDOW expressions (query.h), Django's checks and
 * errors; whether an expression or a condition reads a window.
 *
 * A window is not an aggregate of the query: Window(Sum("x")) sums the
 * rows of its frame and makes no GROUP BY, so the WINDOW node has_agg only
 * where its arguments do (Window(Rank(), order_by=Count("book"))).
 */
#include <string.h>

#include "query_int.h"
#include "qwalk.h"
#include "types.h"


/* Django's window functions: name, arguments, the output type's kind (-1: the expression's). */
static const struct {
	const char *name;
	int nexpr;                /* 0, or 1: a first argument that is an expression */
	const char *intkw;        /* a second, integer argument: its keyword, or NULL */
	long long intdef;
	int kind;
} window_funcs[] = {
	{ "RowNumber", 0, NULL, 0, ORMC_FIELD_BIGINTEGER },
	{ "Rank", 0, NULL, 0, ORMC_FIELD_BIGINTEGER },
	{ "DenseRank", 0, NULL, 0, ORMC_FIELD_BIGINTEGER },
	{ "PercentRank", 0, NULL, 0, ORMC_FIELD_FLOAT },
	{ "CumeDist", 0, NULL, 0, ORMC_FIELD_FLOAT },
	{ "Ntile", 0, "num_buckets", 1, ORMC_FIELD_BIGINTEGER },
	{ "Lag", 1, "offset", 1, -1 },
	{ "Lead", 1, "offset", 1, -1 },
	{ "FirstValue", 1, NULL, 0, -1 },
	{ "LastValue", 1, NULL, 0, -1 },
	{ "NthValue", 1, "nth", 1, -1 },
};

int
ormc_is_window_function(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(window_funcs) / sizeof(window_funcs[0]); i++)
		if (strcmp(window_funcs[i].name, name) == 0)
			return 1;
	return 0;
}

/* A frame= argument: RowRange(start=, end=) or ValueRange(start=, end=). */
static int
window_frame(ev *e, const ormc_ast *a, ormc_window *w)
{
	const char *name;
	callargs c;
	const ormc_ast *k;
	int i;

	a = ormc_ev_deref(e, a);
	if (a->kind != ORMC_AST_CALL || (name = ormc_callee_name(a->left)) == NULL ||
	    (strcmp(name, "RowRange") != 0 && strcmp(name, "ValueRange") != 0))
		return ormc_ev_fail(e, ORMC_EINVALID, a->pos, a->end - a->pos,
		                    "frame= takes RowRange(start=..., end=...) or ValueRange(...)");
	w->frame = name[0] == 'R' ? 1 : 2;
	ormc_callargs_init(&c, a, name);
	for (i = 0; i < 2; i++) {
		long long v;

		if ((k = ormc_kwarg(&c, i ? "end" : "start")) == NULL && (k = ormc_positional(&c, i)) == NULL)
			continue;
		k = ormc_ev_deref(e, k);
		if (k->kind == ORMC_AST_NONE)
			continue;
		if (ormc_int_arg(e, k, -1000000000LL, 1000000000LL, &v) < 0)
			return ormc_ev_fail(e, ORMC_EINVALID, k->pos, k->end - k->pos,
			                    "a frame's start and end are integers or None");
		if (i) {
			w->end_set = 1;
			w->end = v;
		} else {
			w->start_set = 1;
			w->start = v;
		}
	}
	if (w->start_set && w->end_set && w->start > w->end)
		return ormc_ev_fail(e, ORMC_EINVALID, a->pos, a->end - a->pos,
		                    "a frame cannot end before it starts");
	if ((k = ormc_kwarg(&c, "exclusion")) != NULL || (k = ormc_positional(&c, 2)) != NULL) {
		/* exclusion=WindowFrameExclusion.CURRENT_ROW (Django 5.1) */
		static const char *const kinds[] = { "CURRENT_ROW", "GROUP", "TIES", "NO_OTHERS" };
		const ormc_ast *x = ormc_ev_deref(e, k);

		if (x->kind == ORMC_AST_ATTR && x->left->kind == ORMC_AST_NAME &&
		    strcmp(x->left->str, "WindowFrameExclusion") == 0)
			for (i = 0; i < 4; i++)
				if (strcmp(x->str, kinds[i]) == 0)
					w->exclusion = i + 1;
		if (w->exclusion == 0 && x->kind != ORMC_AST_NONE)
			return ormc_ev_fail(e, ORMC_EINVALID, k->pos, k->end - k->pos,
			                    "WindowFrame.exclusion must be a WindowFrameExclusion instance.");
	}
	return ormc_callargs_done(e, &c);
}

/* partition_by= / order_by=: one item or a list of them. */
static int
window_items(ev *e, ormc_qs *qs, const ormc_ast *a, int order, ormc_expr ***xs, int *n,
             unsigned char **desc, unsigned char **nulls)
{
	const ormc_ast *const *items = &a;
	int count = 1, i, r;

	a = ormc_ev_deref(e, a);
	if (a->kind == ORMC_AST_LIST || a->kind == ORMC_AST_TUPLE) {
		items = (const ormc_ast *const *)a->args;
		count = a->nargs;
	}
	*xs = ormc_arena_alloc(e->a, sizeof(**xs) * (size_t)(count + 1));
	*desc = ormc_arena_alloc(e->a, (size_t)(count + 1));
	*nulls = ormc_arena_alloc(e->a, (size_t)(count + 1));
	if (*xs == NULL || *desc == NULL || *nulls == NULL)
		return ormc_ev_oom(e);
	for (i = 0; i < count; i++) {
		if (order) {
			ormc_order_item it;

			if ((r = ormc_order_item_parse(e, qs, items[i], &it)) < 0)
				return r;
			(*xs)[i] = it.expr;
			(*desc)[i] = (unsigned char)it.desc;
			(*nulls)[i] = (unsigned char)it.nulls;
		} else if ((r = ormc_resolve_arg(e, qs, items[i], &(*xs)[i])) < 0) {
			return r;
		}
	}
	*n = count;
	return ORMC_OK;
}

/* Window(expression, partition_by=None, order_by=None, frame=None, output_field=None) */
int
ormc_resolve_window(ev *e, ormc_qs *qs, const ormc_ast *n, ormc_expr **out)
{
	callargs c;
	const ormc_ast *fa, *a;
	const char *fname;
	ormc_expr *x, **fargs = NULL, **part = NULL, **ord = NULL;
	ormc_window *w;
	unsigned char *pdesc, *pnulls, *desc = NULL, *nulls = NULL;
	int nf = 0, np = 0, no = 0, i, r;
	size_t k;

	ormc_callargs_init(&c, n, "Window");
	if ((fa = ormc_kwarg(&c, "expression")) == NULL && (fa = ormc_positional(&c, 0)) == NULL)
		return ormc_ev_fail(e, ORMC_EINVALID, n->pos, n->end - n->pos,
		                    "Window() missing 1 required positional argument: 'expression'");
	fa = ormc_ev_deref(e, fa);
	if (fa->kind != ORMC_AST_CALL || (fname = ormc_callee_name(fa->left)) == NULL ||
	    (!ormc_is_aggregate_name(fname) && !ormc_is_window_function(fname)))
		return ormc_ev_fail(e, ORMC_EINVALID, fa->pos, fa->end - fa->pos,
		                    "Expression '%s' isn't compatible with OVER clauses.",
		                    fa->kind == ORMC_AST_CALL && ormc_callee_name(fa->left) ? ormc_callee_name(fa->left)
		                                                                           : "this");
	x = ormc_expr_new(e, ORMC_EXPR_WINDOW, n->pos);
	w = NEW(e, ormc_window);
	if (x == NULL || w == NULL)
		return ormc_ev_oom(e);
	x->win = w;
	if (ormc_is_aggregate_name(fname)) {
		ormc_expr *agg;

		/* The aggregate of the frame's rows, not of the query: not an aggregate of it. */
		if ((r = ormc_resolve_agg(e, qs, fa, fname, &agg)) < 0)
			return r;
		if (agg->distinct)
			return ormc_ev_fail(e, ORMC_EUNSUPPORTED, fa->pos, fa->end - fa->pos,
			                    "distinct aggregates are not allowed over a window (PostgreSQL has none)");
		if (agg->deflt)
			return ormc_ev_fail(e, ORMC_EINVALID, fa->pos, fa->end - fa->pos,
			                    "Expression 'Coalesce' isn't compatible with OVER clauses. "
			                    "(default= makes one: wrap the Window in Coalesce instead)");
		x->func = agg->func;
		x->sample = agg->sample;      /* StdDev/Variance: SQLite refuses them (dialects/sqlite.c) */
		x->type = agg->type;
		x->filter = agg->filter;
		fargs = agg->args;
		nf = agg->nargs;
	} else {
		callargs fc;
		const ormc_ast *ia;
		ormc_expr *src = NULL;

		for (k = 0; strcmp(window_funcs[k].name, fname) != 0; k++)
			;
		x->func = window_funcs[k].name;
		ormc_callargs_init(&fc, fa, fname);
		if (window_funcs[k].nexpr) {
			if ((ia = ormc_kwarg(&fc, "expression")) == NULL && (ia = ormc_positional(&fc, 0)) == NULL)
				return ormc_ev_fail(e, ORMC_EINVALID, fa->pos, fa->end - fa->pos,
				                    "%s() missing 1 required positional argument: 'expression'", fname);
			if ((r = ormc_resolve_arg(e, qs, ia, &src)) < 0)
				return r;
			fargs = ormc_arena_alloc(e->a, sizeof(*fargs) * 2);
			if (fargs == NULL)
				return ormc_ev_oom(e);
			fargs[nf++] = src;
		}
		w->n = window_funcs[k].intdef;
		if (window_funcs[k].intkw != NULL &&
		    ((ia = ormc_kwarg(&fc, window_funcs[k].intkw)) != NULL ||
		     (ia = ormc_positional(&fc, window_funcs[k].nexpr)) != NULL)) {
			const ormc_ast *d = ormc_ev_deref(e, ia);

			if (d->kind == ORMC_AST_STR)   /* Django compares it with 0 first: Python's TypeError */
				return ormc_ev_fail(e, ORMC_EINVALID, ia->pos, ia->end - ia->pos,
				                    "'<=' not supported between instances of 'str' and 'int'");
			if (d->kind == ORMC_AST_NAME && !ormc_is_reserved_name(e, d->str))
				return ormc_ev_fail(e, ORMC_EUNSUPPORTED, ia->pos, ia->end - ia->pos,
				                    "%s's %s must be an integer written in the query, not a "
				                    "parameter (MySQL takes only a constant there)",
				                    fname, window_funcs[k].intkw);
			if (ormc_int_arg(e, ia, 1, 1000000000LL, &w->n) < 0)
				return ormc_ev_fail(e, ORMC_EINVALID, ia->pos, ia->end - ia->pos,
				                    strcmp(fname, "Ntile") == 0 ? "num_buckets must be greater than 0."
				                    : strcmp(fname, "NthValue") == 0
				                        ? "NthValue requires a positive integer as for nth."
				                        : "%s requires a positive integer for the offset.", fname);
		}
		if ((strcmp(fname, "Lag") == 0 || strcmp(fname, "Lead") == 0) &&
		    ((ia = ormc_kwarg(&fc, "default")) != NULL || (ia = ormc_positional(&fc, 2)) != NULL)) {
			ormc_expr *d, **two = ormc_arena_alloc(e->a, sizeof(*two) * 2);

			if (two == NULL)
				return ormc_ev_oom(e);
			if ((r = ormc_resolve_arg(e, qs, ia, &d)) < 0 || (r = ormc_param_meet(e, d, &src->type)) < 0)
				return r;
			/* the default may be of another type: the output is the expression's (Django) */
			two[0] = src;
			two[1] = d;
			fargs = two;
			nf = 2;
		}
		if ((r = ormc_callargs_done(e, &fc)) < 0)
			return r;
		x->type = window_funcs[k].kind >= 0 ? ormc_otype_of((ormc_field_kind)window_funcs[k].kind, -1, -1)
		                                    : src->type;
	}
	if ((a = ormc_kwarg(&c, "partition_by")) != NULL && ormc_ev_deref(e, a)->kind != ORMC_AST_NONE &&
	    (r = window_items(e, qs, a, 0, &part, &np, &pdesc, &pnulls)) < 0)
		return r;
	if ((a = ormc_kwarg(&c, "order_by")) != NULL && ormc_ev_deref(e, a)->kind != ORMC_AST_NONE &&
	    (r = window_items(e, qs, a, 1, &ord, &no, &desc, &nulls)) < 0)
		return r;
	if (no == 0 && (!qs->grouped || qs->per_object) && qs->model != NULL &&
	    (strcmp(fname, "RowNumber") == 0 || strcmp(fname, "Ntile") == 0 ||
	     strcmp(fname, "Lag") == 0 || strcmp(fname, "Lead") == 0)) {
		/*
		 * Numbered, bucketed or offset rows with no order_by: in primary key
		 * order, so every engine gives one answer (PostgreSQL and SQLite
		 * follow the order they read the rows in, MySQL any order; Django's
		 * test_row_number_no_ordering expects the rows' insertion order).
		 * Their frame does not depend on the ORDER BY.
		 */
		if ((ord = ormc_arena_alloc(e->a, sizeof(*ord))) == NULL ||
		    (desc = ormc_arena_alloc(e->a, 1)) == NULL || (nulls = ormc_arena_alloc(e->a, 1)) == NULL)
			return ormc_ev_oom(e);
		if ((r = ormc_resolve_ref(e, qs, qs->model, "pk", n->pos, 0, &ord[0])) < 0)
			return r;
		desc[0] = 0;
		nulls[0] = 0;
		no = 1;
	}
	if ((a = ormc_kwarg(&c, "frame")) != NULL && ormc_ev_deref(e, a)->kind != ORMC_AST_NONE &&
	    (r = window_frame(e, a, w)) < 0)
		return r;
	if (w->frame == 2 && (w->start_set && w->start != 0 ? 1 : 0) + (w->end_set && w->end != 0 ? 1 : 0) > 0 &&
	    no != 1)
		return ormc_ev_fail(e, ORMC_EINVALID, n->pos, n->end - n->pos,
		                    "a ValueRange frame with an offset needs exactly one order_by expression");
	if ((a = ormc_kwarg(&c, "output_field")) != NULL) {
		if ((r = ormc_output_field(e, a, &x->type)) < 0)
			return r;
		x->type_set = 1;
	}
	if ((r = ormc_callargs_done(e, &c)) < 0)
		return r;
	x->args = ormc_arena_alloc(e->a, sizeof(ormc_expr *) * (size_t)(nf + np + no + 1));
	if (x->args == NULL)
		return ormc_ev_oom(e);
	for (i = 0; i < nf; i++)
		x->args[x->nargs++] = fargs[i];
	for (i = 0; i < np; i++)
		x->args[x->nargs++] = part[i];
	for (i = 0; i < no; i++)
		x->args[x->nargs++] = ord[i];
	w->nfargs = nf;
	w->npart = np;
	w->norder = no;
	w->desc = desc;
	w->nulls = nulls;
	for (i = 0; i < x->nargs; i++)
		if (ormc_expr_has_window(x->args[i]))
			return ormc_ev_fail(e, ORMC_EINVALID, x->args[i]->pos, 1,
			                    "a window cannot read another window function (no SQL engine "
			                    "nests them): filter or annotate in two steps");
	/* It aggregates the query only where its arguments do (Window(Rank(), order_by=Count(...))). */
	for (i = 0; i < x->nargs; i++)
		x->has_agg |= x->args[i]->has_agg;
	if (x->filter != NULL)
		x->has_agg |= x->filter->has_agg;
	*out = x;
	return ORMC_OK;
}

static int
is_window(ormc_qwalker *w, const ormc_expr *x)
{
	(void)w;
	return x->kind == ORMC_EXPR_WINDOW ? ORMC_WALK_ABORT : ORMC_WALK_CONTINUE;
}

/* A window read here, itself or through an annotation of this level. */
int
ormc_expr_has_window(const ormc_expr *x)
{
	ormc_qwalker w = { is_window, NULL, ORMC_QWALK_REFS, NULL, 0 };

	return ormc_qwalk_expr(&w, x) == ORMC_WALK_ABORT;
}

int
ormc_cond_has_window(const ormc_cond *c)
{
	ormc_qwalker w = { is_window, NULL, ORMC_QWALK_REFS, NULL, 0 };

	return ormc_qwalk_cond(&w, c) == ORMC_WALK_ABORT;
}
