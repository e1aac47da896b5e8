/*
 * qs_methods.c -- the QuerySet methods: filter, exclude, annotate, alias,
 * values, values_list, order_by, reverse, distinct, aggregate, count, exists,
 * first, last, and slices.
 *
 * Each call changes the ormc_qs as the Django method changes the QuerySet's
 * state, in call order: the filters that precede an annotation constrain its
 * aggregates, values() before an aggregate annotate() groups by its fields,
 * and values() after one regroups the aggregated rows in a new level
 * (open_level).
 */
#include <ctype.h>
#include <stdint.h>
#include <string.h>

#include "query_int.h"

ormc_qs *
ormc_qs_new(ev *e, ormc_model *m, int pos, ormc_qs *outer)
{
	ormc_qs *qs = NEW(e, ormc_qs);

	if (qs) {
		qs->model = m;
		qs->pos = pos;
		qs->outer = outer;
		qs->limit = -1;
		qs->shape = ORMC_SHAPE_OBJECTS;
	}
	return qs;
}

static int
grow(ev *e, void **arr, int n, size_t size)
{
	void *p;

	if ((n & (n - 1)) != 0 && n != 0)
		return ORMC_OK;         /* room left: capacities are powers of two */
	p = ormc_arena_alloc(e->a, size * (size_t)(n ? n * 2 : 1));
	if (p == NULL)
		return ormc_ev_oom(e);
	if (n)
		memcpy(p, *arr, size * (size_t)n);
	*arr = p;
	return ORMC_OK;
}

static int open_level(ev *e, ormc_qs *qs);
static int method_annotate(ev *e, ormc_qs *qs, const ormc_ast *call, const char *method);

/* Append c as one filter() call of qs. */
static int
push_filter(ev *e, ormc_qs *qs, ormc_cond *c)
{
	int r, i;

	if (c->kind == ORMC_COND_TRUE)
		return ORMC_OK;
	if ((r = grow(e, (void **)&qs->filters, qs->nfilters, sizeof(ormc_filter))) < 0)
		return r;
	i = qs->nfilters++;
	qs->filters[i].cond = c;
	qs->filters[i].nannots_before = qs->nannots;
	return ORMC_OK;
}

/* The arguments args[from..] of call whose window-ness is want, as Q(...) resolved in qs. */
static int
resolve_args(ev *e, ormc_qs *qs, const ormc_ast *call, const unsigned char *windowed, int want,
             int exclude, ormc_cond **out)
{
	ormc_ast q = *call, name;
	const ormc_ast **args = ormc_arena_alloc(e->a, sizeof(ormc_ast *) * (size_t)(call->nargs + 1));
	const char **kw = ormc_arena_alloc(e->a, sizeof(char *) * (size_t)(call->nargs + 1));
	int *kwpos = ormc_arena_alloc(e->a, sizeof(int) * (size_t)(call->nargs + 1));
	ormc_cond *c;
	int i, r;

	if (args == NULL || kw == NULL || kwpos == NULL)
		return ormc_ev_oom(e);
	q.nargs = 0;
	for (i = 0; i < call->nargs; i++)
		if (windowed == NULL || windowed[i] == want) {
			args[q.nargs] = call->args[i];
			kw[q.nargs] = call->kw[i];
			kwpos[q.nargs] = call->kw_pos[i];
			q.nargs++;
		}
	q.args = (ormc_ast **)args;
	q.kw = kw;
	q.kw_pos = kwpos;
	memset(&name, 0, sizeof(name));
	name.kind = ORMC_AST_NAME;
	name.str = "Q";
	name.len = 1;
	q.left = &name;
	if ((r = ormc_resolve_cond(e, qs, &q, &c)) < 0)
		return r;
	if (exclude) {
		ormc_cond *n = ormc_cond_new(e, ORMC_COND_NOT, call->pos, 1);

		if (n == NULL)
			return ormc_ev_oom(e);
		n->kids[0] = c;
		n->nkids = 1;
		n->has_agg = c->has_agg;
		c = n;
	}
	*out = c;
	return ORMC_OK;
}

/* Does n hold a Window(...) of this query, outside any subquery? */
static int
ast_inline_window(ev *e, const ormc_ast *n0)
{
	const ormc_ast *n;
	const char *name;
	int i;

	if (n0 == NULL)
		return 0;
	n = ormc_ev_deref(e, n0);
	switch (n->kind) {
	case ORMC_AST_CALL:
		if (n->left->kind != ORMC_AST_NAME || (name = ormc_callee_name(n->left)) == NULL)
			return 0;     /* a method: a queryset's, read as a subquery */
		if (strcmp(name, "Window") == 0)
			return 1;
		if (strcmp(name, "Subquery") == 0 || strcmp(name, "Exists") == 0)
			return 0;
		/* fall through */
	case ORMC_AST_LIST:
	case ORMC_AST_TUPLE:
		for (i = 0; i < n->nargs; i++)
			if (ast_inline_window(e, n->args[i]))
				return 1;
		return 0;
	case ORMC_AST_BINOP:
	case ORMC_AST_NEG:
	case ORMC_AST_INVERT:
		return ast_inline_window(e, n->left) || (n->kind == ORMC_AST_BINOP && ast_inline_window(e, n->right));
	default:
		return 0;
	}
}

/*
 * filter(Exact(Window(Rank(), ...), 1)), Django 4.2: each Window written in
 * the condition becomes a hidden alias() of the query, and the condition
 * reads it as F("alias"), so it is filtered as a window annotation is.
 * *out is a copy of n with those replacements.
 */
static int
hoist_windows(ev *e, ormc_qs *qs, const ormc_ast *n0, ormc_ast **out)
{
	const ormc_ast *n = ormc_ev_deref(e, n0);
	ormc_ast *c;
	int i, r;

	if (!ast_inline_window(e, n)) {
		*out = (ormc_ast *)n;
		return ORMC_OK;
	}
	if (n->kind == ORMC_AST_CALL && strcmp(ormc_callee_name(n->left), "Window") == 0) {
		ormc_ast *call = NEW(e, ormc_ast), *attr = NEW(e, ormc_ast), *f = NEW(e, ormc_ast);
		ormc_ast *fname = NEW(e, ormc_ast), *str = NEW(e, ormc_ast);
		ormc_ast **args = ormc_arena_alloc(e->a, sizeof(ormc_ast *)), **fargs = ormc_arena_alloc(e->a, sizeof(ormc_ast *));
		const char **kw = ormc_arena_alloc(e->a, sizeof(char *)), **fkw = ormc_arena_alloc(e->a, sizeof(char *));
		int *kwp = ormc_arena_alloc(e->a, sizeof(int)), *fkwp = ormc_arena_alloc(e->a, sizeof(int));
		const char *alias = ormc_arena_printf(e->a, "__ormc_window%d", qs->nannots);

		if (call == NULL || attr == NULL || f == NULL || fname == NULL || str == NULL || args == NULL ||
		    fargs == NULL || kw == NULL || fkw == NULL || kwp == NULL || fkwp == NULL || alias == NULL)
			return ormc_ev_oom(e);
		/* qs.alias(__ormc_windowN=Window(...)) */
		attr->kind = ORMC_AST_ATTR;
		attr->str = "alias";
		attr->len = 5;
		attr->pos = attr->name_pos = n->pos;
		attr->end = n->end;
		args[0] = (ormc_ast *)n;
		kw[0] = alias;
		kwp[0] = n->pos;
		call->kind = ORMC_AST_CALL;
		call->left = attr;
		call->pos = n->pos;
		call->end = n->end;
		call->args = args;
		call->kw = kw;
		call->kw_pos = kwp;
		call->nargs = 1;
		if ((r = method_annotate(e, qs, call, "alias")) < 0)
			return r;
		/* F("__ormc_windowN") where the Window was */
		fname->kind = ORMC_AST_NAME;
		fname->str = "F";
		fname->len = 1;
		fname->pos = n->pos;
		fname->end = n->pos;
		str->kind = ORMC_AST_STR;
		str->str = alias;
		str->len = strlen(alias);
		str->pos = n->pos;
		str->end = n->end;
		fargs[0] = str;
		fkw[0] = NULL;
		fkwp[0] = -1;
		f->kind = ORMC_AST_CALL;
		f->left = fname;
		f->pos = n->pos;
		f->end = n->end;
		f->args = fargs;
		f->kw = fkw;
		f->kw_pos = fkwp;
		f->nargs = 1;
		*out = f;
		return ORMC_OK;
	}
	if ((c = NEW(e, ormc_ast)) == NULL)
		return ormc_ev_oom(e);
	*c = *n;
	if (n->nargs > 0) {
		if ((c->args = ormc_arena_alloc(e->a, sizeof(ormc_ast *) * (size_t)n->nargs)) == NULL)
			return ormc_ev_oom(e);
		for (i = 0; i < n->nargs; i++)
			if ((r = hoist_windows(e, qs, n->args[i], &c->args[i])) < 0)
				return r;
	}
	if (n->kind == ORMC_AST_BINOP || n->kind == ORMC_AST_NEG || n->kind == ORMC_AST_INVERT) {
		if ((r = hoist_windows(e, qs, n->left, &c->left)) < 0)
			return r;
		if (n->kind == ORMC_AST_BINOP && (r = hoist_windows(e, qs, n->right, &c->right)) < 0)
			return r;
	}
	*out = c;
	return ORMC_OK;
}

/*
 * Before a filter on a window opens a level: an expression selected or
 * ordered by that is not a column or an annotation (values_list(Upper("name")))
 * becomes a hidden annotation of the query below, computed there with the
 * windows, and is read above as any annotation is (Django 4.2 selects it in
 * the query that its filter wraps).
 */
static int
below_windows(ev *e, ormc_qs *qs)
{
	ormc_annot **annots;
	int i, k, n = 0;

	for (i = 0; i < qs->nvalues; i++)
		n += qs->values[i].expr->kind != ORMC_EXPR_COL && qs->values[i].expr->kind != ORMC_EXPR_REF;
	for (i = 0; i < qs->norder; i++)
		n += qs->order[i].expr != NULL && qs->order[i].expr->kind != ORMC_EXPR_COL &&
		     qs->order[i].expr->kind != ORMC_EXPR_REF;
	if (n == 0)
		return ORMC_OK;
	annots = ormc_arena_alloc(e->a, sizeof(ormc_annot *) * (size_t)(qs->nannots + n + 1));
	if (annots == NULL)
		return ormc_ev_oom(e);
	if (qs->nannots > 0)
		memcpy(annots, qs->annots, sizeof(ormc_annot *) * (size_t)qs->nannots);
	qs->annots = annots;
	for (k = 0; k < qs->nvalues + qs->norder; k++) {
		ormc_expr **xp = k < qs->nvalues ? &qs->values[k].expr : &qs->order[k - qs->nvalues].expr;
		ormc_annot *an;
		ormc_expr *ref;

		if (*xp == NULL || (*xp)->kind == ORMC_EXPR_COL || (*xp)->kind == ORMC_EXPR_REF)
			continue;
		an = NEW(e, ormc_annot);
		ref = ormc_expr_new(e, ORMC_EXPR_REF, (*xp)->pos);
		if (an == NULL || ref == NULL)
			return ormc_ev_oom(e);
		memset(an, 0, sizeof(*an));
		an->alias = ormc_arena_printf(e->a, "__ormc_below%d", qs->nannots);
		if (an->alias == NULL)
			return ormc_ev_oom(e);
		an->expr = *xp;
		an->pos = (*xp)->pos;
		an->nfilters_before = qs->nfilters;
		an->hidden = 1;
		ref->annot = an;
		ref->type = an->expr->type;
		ref->has_agg = an->expr->has_agg;
		*xp = ref;
		qs->annots[qs->nannots++] = an;
	}
	return ORMC_OK;
}

/*
 * filter()/exclude(). A condition on a window function is decided after the
 * windows are computed (Django 4.2): the query so far becomes a level of its
 * own, filtered in the query around it. Every other condition is decided
 * before them, in the level below, as Django puts it in WHERE and the
 * window's condition in the wrapping query, whatever the order of calls.
 */
static int
add_filter(ev *e, ormc_qs *qs, const ormc_ast *call, int exclude)
{
	ormc_cond *c;
	unsigned char *windowed;
	int r, i, nwin = 0;

	for (i = 0; i < call->nargs; i++)
		nwin += ast_inline_window(e, call->args[i]);
	if (nwin > 0) {
		ormc_ast *hoisted = NEW(e, ormc_ast);

		if (hoisted == NULL)
			return ormc_ev_oom(e);
		*hoisted = *call;
		if ((hoisted->args = ormc_arena_alloc(e->a, sizeof(ormc_ast *) * (size_t)call->nargs)) == NULL)
			return ormc_ev_oom(e);
		for (i = 0; i < call->nargs; i++)
			if ((r = hoist_windows(e, qs, call->args[i], &hoisted->args[i])) < 0)
				return r;
		call = hoisted;
		nwin = 0;
	}
	if (qs->window_level) {
		ormc_error saved;

		/* Below the windows if it can be said there (no annotation made since). */
		if (e->err)
			saved = *e->err;
		if (resolve_args(e, qs->inner, call, NULL, 0, exclude, &c) == ORMC_OK && !ormc_cond_has_window(c))
			return push_filter(e, qs->inner, c);
		if (e->err)
			*e->err = saved;
		if ((r = resolve_args(e, qs, call, NULL, 0, exclude, &c)) < 0)
			return r;
		return push_filter(e, qs, c);
	}
	if ((r = resolve_args(e, qs, call, NULL, 0, exclude, &c)) < 0)
		return r;
	if (!ormc_cond_has_window(c))
		return push_filter(e, qs, c);
	/* Which arguments read a window: exclude() keeps them all together. */
	windowed = ormc_arena_alloc(e->a, (size_t)call->nargs + 1);
	if (windowed == NULL)
		return ormc_ev_oom(e);
	for (i = 0; i < call->nargs; i++) {
		ormc_cond *one;
		unsigned char only[1] = { 1 };
		ormc_ast single = *call;

		single.args = (ormc_ast **)&call->args[i];
		single.kw = &call->kw[i];
		single.kw_pos = &call->kw_pos[i];
		single.nargs = 1;
		if ((r = resolve_args(e, qs, &single, only, 1, 0, &one)) < 0)
			return r;
		windowed[i] = exclude ? 1 : (unsigned char)ormc_cond_has_window(one);
		nwin += windowed[i];
	}
	if (nwin < call->nargs) {
		if ((r = resolve_args(e, qs, call, windowed, 0, 0, &c)) < 0 || (r = push_filter(e, qs, c)) < 0)
			return r;
	}
	if ((r = below_windows(e, qs)) < 0 || (r = open_level(e, qs)) < 0)
		return r;
	qs->window_level = 1;
	if ((r = resolve_args(e, qs, call, windowed, 1, exclude, &c)) < 0)
		return r;
	return push_filter(e, qs, c);
}

/* Resolve annotate()/aggregate()/alias() arguments into annotations. */
static int
collect_annots(ev *e, ormc_qs *qs, const ormc_ast *call, const char *method,
               ormc_annot ***out, int *nout, int into_qs)
{
	int i, r;

	/* Django names alias() "annotate" here: alias() is its _annotate() too */
	if ((r = ormc_check_expressions(e, call, strcmp(method, "alias") == 0 ? "annotate" : method)) < 0)
		return r;
	for (i = 0; i < call->nargs; i++) {
		const ormc_ast *arg = call->args[i];
		const char *alias = call->kw[i];
		int pos = alias ? call->kw_pos[i] : arg->pos;
		ormc_expr *x;
		ormc_annot *an;

		if (!into_qs && (r = ormc_check_sibling_agg(e, call, i)) < 0)
			return r;
		if (!into_qs) {
			e->siblings = call;
			e->nsiblings = i;
		}
		r = ormc_resolve_expr(e, qs, arg, &x);
		e->siblings = NULL;
		e->nsiblings = 0;
		if (r < 0)
			return r;
		if (alias == NULL) {
			alias = ormc_default_alias(e, ormc_ev_deref(e, arg), x);
			if (alias == NULL)
				return ormc_ev_fail(e, ORMC_EINVALID, arg->pos, arg->end - arg->pos,
				                    strcmp(method, "aggregate") == 0 ? "Complex aggregates require an alias"
				                                                      : "Complex annotations require an alias");
			if (strcmp(method, "aggregate") != 0) {
				int k;

				for (k = 0; k < call->nargs; k++)
					if (call->kw[k] != NULL && strcmp(call->kw[k], alias) == 0)
						return ormc_ev_fail(e, ORMC_EINVALID, arg->pos, arg->end - arg->pos,
						                    "The named annotation '%s' conflicts with the default name for another annotation.",
						                    alias);
			}
		}
		if (x->type.kind == (ormc_field_kind)-2)
			return ormc_ev_fail(e, ORMC_EINVALID, x->pos, 0, "%s", x->arg);
		if ((r = ormc_check_nested_agg(e, x, strcmp(method, "aggregate") == 0)) < 0)
			return r;
		if (strcmp(method, "aggregate") == 0 && !x->has_agg)
			return ormc_ev_fail(e, ORMC_EINVALID, arg->pos, arg->end - arg->pos,
			                    "%s is not an aggregate expression", alias);
		if (!into_qs && x->kind == ORMC_EXPR_AGG && x->nargs == 1 && x->args[0] != NULL &&
		    x->args[0]->kind == ORMC_EXPR_REF && x->args[0]->annot->expr->has_agg &&
		    strcmp(x->args[0]->annot->alias, alias) == 0)
			/* aggregate(n=Sum("n")) over the aggregate annotation n: Django's check */
			return ormc_ev_fail(e, ORMC_EINVALID, arg->pos, arg->end - arg->pos,
			                    "Cannot compute %s('%s'): '%s' is an aggregate", x->func, alias, alias);
		if (into_qs && ormc_annot_conflicts(qs, alias))
			return ormc_ev_fail(e, ORMC_EINVALID, pos, (int)strlen(alias),
			                    "The annotation '%s' conflicts with a field on the model.", alias);
		an = NEW(e, ormc_annot);
		if (an == NULL)
			return ormc_ev_oom(e);
		an->alias = alias;
		an->expr = x;
		an->pos = pos;
		an->nfilters_before = qs->nfilters;
		an->hidden = an->is_alias = strcmp(method, "alias") == 0;
		if (into_qs && an->is_alias) {
			int k;

			/* alias(g=...) over an annotation g replaces it: g is no longer selected */
			for (k = 0; k < qs->nannots; k++)
				if (strcmp(qs->annots[k]->alias, alias) == 0)
					qs->annots[k]->hidden = 1;
		}
		if (strcmp(method, "aggregate") == 0) {
			/*
			 * Django's aggregate() sets kwargs[arg.default_alias] = arg for
			 * each positional argument, after the keywords: one of the same
			 * name as another, positional or keyword, takes its place.
			 */
			int k, positional = call->kw[i] == NULL;

			for (k = 0; k < *nout; k++)
				if (strcmp((*out)[k]->alias, alias) == 0)
					break;
			if (k < *nout) {
				if (positional)
					(*out)[k] = an;
				continue;
			}
		}
		if ((r = grow(e, (void **)out, *nout, sizeof(ormc_annot *))) < 0)
			return r;
		(*out)[(*nout)++] = an;
		if (into_qs && (r = grow(e, (void **)&qs->annots, qs->nannots, sizeof(ormc_annot *))) < 0)
			return r;
		if (into_qs && &qs->annots != out)
			qs->annots[qs->nannots++] = an;
	}
	return ORMC_OK;
}

static int
add_outcol(ev *e, ormc_outcol **arr, int *n, const char *name, ormc_expr *x)
{
	int r;

	if ((r = grow(e, (void **)arr, *n, sizeof(ormc_outcol))) < 0)
		return r;
	(*arr)[*n].name = name;
	(*arr)[*n].expr = x;
	(*n)++;
	return ORMC_OK;
}

/*
 * values() naming no field: every concrete field by its attname (a
 * multi-table parent's first, read through the parent link), then the
 * annotations so far, as Django selects them; written out now so that a
 * later annotate() adds to them (and, named as a field, takes its place).
 */
static int
every_field(ev *e, ormc_qs *qs, ormc_outcol **cols, int *n)
{
	int i, r;

	for (i = 0; i < qs->model->nconcrete; i++) {
		const ormc_field *f = qs->model->concrete[i];
		const char *name = f->name;
		ormc_expr *x;

		if (!ormc_field_is_concrete(f))
			continue;
		if (f->kind == ORMC_FIELD_FOREIGNKEY || f->kind == ORMC_FIELD_ONETOONE)
			name = ormc_arena_printf(e->a, "%s_id", f->name);
		if (name == NULL)
			return ormc_ev_oom(e);
		if ((r = ormc_resolve_ref(e, qs, qs->model, name, -1, 1, &x)) < 0 ||
		    (r = add_outcol(e, cols, n, name, x)) < 0)
			return r;
	}
	for (i = 0; i < qs->nannots; i++) {
		ormc_expr *x;

		if (qs->annots[i]->hidden)
			continue;
		if ((x = ormc_expr_new(e, ORMC_EXPR_REF, qs->annots[i]->pos)) == NULL)
			return ormc_ev_oom(e);
		x->annot = qs->annots[i];
		x->type = qs->annots[i]->expr->type;
		x->has_agg = qs->annots[i]->expr->has_agg;
		if ((r = add_outcol(e, cols, n, qs->annots[i]->alias, x)) < 0)
			return r;
	}
	return ORMC_OK;
}

int
ormc_qs_add_column(ev *e, ormc_qs *qs, const char *name, ormc_expr *x)
{
	return add_outcol(e, &qs->values, &qs->nvalues, name, x);
}

int
ormc_qs_columns(ev *e, ormc_qs *qs, ormc_outcol **cols, int *n)
{
	if (qs->values_set && qs->nvalues > 0) {
		*cols = qs->values;
		*n = qs->nvalues;
		return ORMC_OK;
	}
	*cols = NULL;
	*n = 0;
	return every_field(e, qs, cols, n);
}

static int
method_values(ev *e, ormc_qs *qs, const ormc_ast *call, const char *method)
{
	int i, r;
	ormc_outcol *cols = NULL;
	int n = 0;

	/* the last values()/values_list() decides the shape: dicts, tuples, or flat= */
	qs->shape = strcmp(method, "values_list") == 0 ? ORMC_SHAPE_LISTS : ORMC_SHAPE_OBJECTS;
	for (i = 0; i < call->nargs; i++) {
		const ormc_ast *a = ormc_ev_deref(e, call->args[i]);
		ormc_expr *x;

		if (call->kw[i] != NULL) {
			if (strcmp(method, "values_list") == 0 && strcmp(call->kw[i], "flat") == 0) {
				int flat;

				if ((r = ormc_literal_bool(e, a, &flat)) < 0)
					return r;
				if (flat && call->nargs > 2)
					return ormc_ev_fail(e, ORMC_EINVALID, call->kw_pos[i], 4,
					                    "'flat' is not valid when values_list is called with more than one field.");
				qs->shape = flat ? ORMC_SHAPE_FLAT : ORMC_SHAPE_LISTS;
				continue;
			}
			if (strcmp(method, "values_list") == 0 && strcmp(call->kw[i], "named") == 0)
				continue;
			/*
			 * values(month=TruncMonth("created")): as Django, an annotation
			 * then its name, so order_by("month") and a following
			 * annotate() group by it and read it.
			 */
			{
				ormc_annot *an;
				ormc_expr *ref;

				if ((r = ormc_resolve_expr(e, qs, call->args[i], &x)) < 0)
					return r;
				if (x->type.kind == (ormc_field_kind)-2)
					return ormc_ev_fail(e, ORMC_EINVALID, x->pos, 0, "%s", x->arg);
				if (ormc_annot_conflicts(qs, call->kw[i]))
					return ormc_ev_fail(e, ORMC_EINVALID, call->kw_pos[i], (int)strlen(call->kw[i]),
					                    "The annotation '%s' conflicts with a field on the model.",
					                    call->kw[i]);
				an = NEW(e, ormc_annot);
				ref = ormc_expr_new(e, ORMC_EXPR_REF, a->pos);
				if (an == NULL || ref == NULL ||
				    (r = grow(e, (void **)&qs->annots, qs->nannots, sizeof(ormc_annot *))) < 0)
					return r < 0 ? r : ormc_ev_oom(e);
				an->alias = call->kw[i];
				an->expr = x;
				an->pos = call->kw_pos[i];
				an->nfilters_before = qs->nfilters;
				an->hidden = 1;      /* selected through values(), not as an annotation */
				qs->annots[qs->nannots++] = an;
				ref->annot = an;
				ref->type = x->type;
				ref->has_agg = x->has_agg;
				if ((r = add_outcol(e, &cols, &n, call->kw[i], ref)) < 0)
					return r;
			}
			continue;
		}
		if (a->kind != ORMC_AST_STR && strcmp(method, "values_list") == 0) {
			/* values_list(Upper("name")): an expression, keyed by its position */
			if ((r = ormc_resolve_expr(e, qs, call->args[i], &x)) < 0)
				return r;
			if ((r = add_outcol(e, &cols, &n, ormc_arena_printf(e->a, "expr%d", n + 1), x)) < 0)
				return r;
			continue;
		}
		if (a->kind != ORMC_AST_STR)
			return ormc_ev_fail(e, ORMC_EINVALID, a->pos, a->end - a->pos,
			                    "%s() takes field names as strings; an expression needs a name: "
			                    "values(name=expression)", method);
		if ((r = ormc_resolve_ref(e, qs, qs->model, a->str, a->pos + 1, 1, &x)) < 0)
			return r;
		if (x->kind == ORMC_EXPR_REF && x->annot->is_alias)
			return ormc_ev_fail(e, ORMC_EINVALID, a->pos, a->end - a->pos,
			                    "Cannot select the '%s' alias. Use annotate() to promote it.", a->str);
		if ((r = add_outcol(e, &cols, &n, a->str, x)) < 0)
			return r;
	}
	if (n == 0 && (r = every_field(e, qs, &cols, &n)) < 0)
		return r;
	qs->values_all = call->nargs == 0 || n == 0;
	if (qs->shape == ORMC_SHAPE_FLAT && n != 1)
		return ormc_ev_fail(e, ORMC_EINVALID, call->pos, call->end - call->pos,
		                    "'flat' is not valid when values_list is called with more than one field.");
	qs->values = cols;
	qs->nvalues = n;
	qs->values_set = 1;
	if (qs->grouped || qs->per_object)
		qs->regroup = 1;
	return ORMC_OK;
}

int
ormc_order_item_parse(ev *e, ormc_qs *qs, const ormc_ast *a0, ormc_order_item *it)
{
	const ormc_ast *a = ormc_ev_deref(e, a0);
	ormc_expr *x;
	int r;

	memset(it, 0, sizeof(*it));
	it->pos = a->pos;
	if (a->kind == ORMC_AST_STR) {
		const char *s = a->str;
		int off = a->pos + 1;

		if (strcmp(s, "?") == 0) {
			/* Django's Random(): rows in any order, never a GROUP BY key */
			if ((x = ormc_expr_new(e, ORMC_EXPR_FUNC, a->pos)) == NULL)
				return ormc_ev_oom(e);
			x->func = "Random";
			x->type = ormc_otype_of(ORMC_FIELD_FLOAT, -1, -1);
			it->expr = x;
			it->random = 1;
			return ORMC_OK;
		}
		if (s[0] == '-') {
			it->desc = 1;
			s++;
			off++;
		}
		if ((r = ormc_resolve_ref(e, qs, qs->model, s, off, 1, &x)) < 0)
			return r;
	} else if (a->kind == ORMC_AST_CALL && a->left->kind == ORMC_AST_ATTR &&
	           (strcmp(a->left->str, "desc") == 0 || strcmp(a->left->str, "asc") == 0)) {
		/* F("x").desc(nulls_last=True) */
		callargs c;
		const ormc_ast *k;
		int b;

		if ((r = ormc_resolve_expr(e, qs, a->left->left, &x)) < 0)
			return r;
		it->desc = strcmp(a->left->str, "desc") == 0;
		ormc_callargs_init(&c, a, a->left->str);
		if ((k = ormc_kwarg(&c, "nulls_first")) != NULL) {
			if ((r = ormc_literal_bool(e, k, &b)) < 0)
				return r;
			if (b)
				it->nulls = 1;
		}
		if ((k = ormc_kwarg(&c, "nulls_last")) != NULL) {
			if ((r = ormc_literal_bool(e, k, &b)) < 0)
				return r;
			if (b)
				it->nulls = 2;
		}
		if ((r = ormc_callargs_done(e, &c)) < 0)
			return r;
	} else {
		if ((r = ormc_resolve_expr(e, qs, a0, &x)) < 0)
			return r;
	}
	if ((r = ormc_check_order_agg(e, a, x)) < 0)
		return r;
	it->expr = x;
	return ORMC_OK;
}

static int
method_order_by(ev *e, ormc_qs *qs, const ormc_ast *call)
{
	int i, r;

	qs->order = NULL;
	qs->norder = 0;
	qs->order_set = 1;
	for (i = 0; i < call->nargs; i++) {
		ormc_order_item it;

		if (call->kw[i] != NULL)
			return ormc_ev_fail(e, ORMC_EINVALID, call->kw_pos[i], 1, "order_by() takes no keyword arguments");
		if ((r = ormc_order_item_parse(e, qs, call->args[i], &it)) < 0)
			return r;
		if ((r = grow(e, (void **)&qs->order, qs->norder, sizeof(ormc_order_item))) < 0)
			return r;
		qs->order[qs->norder++] = it;
	}
	return ORMC_OK;
}

/*
 * Does an annotate() argument call an aggregate of this query (not one inside
 * a Subquery or a method chain)? Decided on the text, before resolving, since
 * names resolve differently once a new level is open.
 */
static int
ast_has_agg(ev *e, const ormc_ast *n)
{
	const char *name;
	int i;

	if (n == NULL)
		return 0;
	n = ormc_ev_deref(e, n);
	switch (n->kind) {
	case ORMC_AST_CALL:
		if (n->left->kind != ORMC_AST_NAME || (name = ormc_callee_name(n->left)) == NULL)
			return 0;
		if (ormc_is_aggregate_name(name))
			return 1;
		if (strcmp(name, "Subquery") == 0 || strcmp(name, "Exists") == 0)
			return 0;
		if (strcmp(name, "Window") == 0) {
			/* Window(Sum("x")) sums a frame, not the query's groups: only its arguments count */
			for (i = 0; i < n->nargs; i++) {
				const ormc_ast *a = ormc_ev_deref(e, n->args[i]);
				int j;

				if ((n->kw[i] == NULL && i == 0) || (n->kw[i] && strcmp(n->kw[i], "expression") == 0)) {
					if (a->kind == ORMC_AST_CALL) {
						for (j = 0; j < a->nargs; j++)
							if (ast_has_agg(e, a->args[j]))
								return 1;
						continue;
					}
				}
				if (ast_has_agg(e, a))
					return 1;
			}
			return 0;
		}
		for (i = 0; i < n->nargs; i++)
			if (ast_has_agg(e, n->args[i]))
				return 1;
		return 0;
	case ORMC_AST_LIST:
	case ORMC_AST_TUPLE:
		for (i = 0; i < n->nargs; i++)
			if (ast_has_agg(e, n->args[i]))
				return 1;
		return 0;
	default:
		return (n->left && n->left != n && ast_has_agg(e, n->left)) ||
		       (n->right && ast_has_agg(e, n->right)) || (n->third && ast_has_agg(e, n->third));
	}
}

/* A REF to one of the level's stand-ins for the annotations below. */
static int
relevel_ref(ev *e, ormc_qs *qs, ormc_expr **xp, const char *what)
{
	ormc_expr *x = *xp, *y;
	ormc_annot *an;

	if (x->kind == ORMC_EXPR_COL)
		return ORMC_OK;
	if (x->kind != ORMC_EXPR_REF || (an = ormc_find_annot(qs, x->annot->alias)) == NULL)
		return ormc_ev_fail(e, ORMC_EUNSUPPORTED, x->pos, 1,
		                    "only fields and annotations can be %s when values() regroups aggregated rows", what);
	y = ormc_expr_new(e, ORMC_EXPR_REF, x->pos);
	if (y == NULL)
		return ormc_ev_oom(e);
	y->annot = an;
	y->type = an->expr->type;
	*xp = y;
	return ORMC_OK;
}

/*
 * Open a new aggregation level: everything so far becomes qs->inner, and
 * each of its annotations is seen here as a column (an INNER stand-in of the
 * same name). The values() list that regroups, and the ordering, move up.
 */
/* The annotation of the level below, read on this level as a column (INNER) of the same name. */
static ormc_annot *
standin(ev *e, ormc_annot *below, int nfilters_before)
{
	ormc_annot *an = NEW(e, ormc_annot);
	ormc_expr *x = ormc_expr_new(e, ORMC_EXPR_INNER, below->pos);

	if (an == NULL || x == NULL)
		return NULL;
	*an = *below;
	x->annot = below;
	x->type = below->expr->type;
	an->expr = x;
	an->nfilters_before = nfilters_before;
	return an;
}

static int
open_level(ev *e, ormc_qs *qs)
{
	ormc_qs *lower = NEW(e, ormc_qs);
	ormc_annot **annots;
	int i, r;

	if (lower == NULL)
		return ormc_ev_oom(e);
	*lower = *qs;
	lower->order = NULL;
	lower->norder = 0;
	lower->regroup = 0;
	annots = ormc_arena_alloc(e->a, sizeof(ormc_annot *) * (size_t)(qs->nannots + 1));
	if (annots == NULL)
		return ormc_ev_oom(e);
	for (i = 0; i < qs->nannots; i++)
		if ((annots[i] = standin(e, qs->annots[i], 0)) == NULL)
			return ormc_ev_oom(e);
	qs->inner = lower;
	qs->level = lower->level + 1;
	qs->annots = annots;
	qs->filters = NULL;
	qs->nfilters = 0;
	qs->grouped = 0;
	qs->per_object = 0;
	qs->group = NULL;
	qs->ngroup = 0;
	qs->regroup = 0;
	/* The columns selected so far are the new level's: copy before re-pointing. */
	{
		ormc_outcol *v = ormc_arena_alloc(e->a, sizeof(ormc_outcol) * (size_t)(qs->nvalues + 1));

		if (v == NULL)
			return ormc_ev_oom(e);
		if (qs->nvalues > 0)
			memcpy(v, qs->values, sizeof(ormc_outcol) * (size_t)qs->nvalues);
		qs->values = v;
	}
	for (i = 0; i < qs->nvalues; i++)
		if ((r = relevel_ref(e, qs, &qs->values[i].expr, "selected")) < 0)
			return r;
	if (qs->norder > 0) {
		ormc_order_item *o = ormc_arena_alloc(e->a, sizeof(ormc_order_item) * (size_t)qs->norder);

		if (o == NULL)
			return ormc_ev_oom(e);
		memcpy(o, qs->order, sizeof(ormc_order_item) * (size_t)qs->norder);
		qs->order = o;
		for (i = 0; i < qs->norder; i++)
			if ((r = relevel_ref(e, qs, &qs->order[i].expr, "ordered by")) < 0)
				return r;
	}
	return ORMC_OK;
}

static int
method_annotate(ev *e, ormc_qs *qs, const ormc_ast *call, const char *method)
{
	int first, i, r, agg = 0;

	if (qs->terminal != ORMC_TERM_NONE)
		return ormc_ev_fail(e, ORMC_EINVALID, call->pos, 1, "%s() after a terminal call", method);
	if (qs->regroup)
		for (i = 0; i < call->nargs; i++)
			if (ast_has_agg(e, call->args[i])) {
				if ((r = open_level(e, qs)) < 0)
					return r;
				break;
			}
	if (qs->window_level && !qs->grouped && !qs->per_object) {
		/*
		 * After a filter on a window, Django 4.2 still computes every
		 * annotation, windows and aggregates alike, in the query below the
		 * filter (the filter alone wraps it): it goes down there, and is
		 * read here as the others are. An aggregate there annotates each
		 * object. Where values() groups the rows below, only windows go
		 * down; the rest is made here, over the filtered rows.
		 */
		ormc_qs *in = qs->inner;
		int below = in->nannots, k, aggs = 0;
		int by_values = in->grouped || (in->values_set && in->nvalues > 0 && !in->values_all);

		if ((r = collect_annots(e, in, call, method, &in->annots, &in->nannots, 1)) < 0)
			return r;
		for (k = below; k < in->nannots; k++) {
			const ormc_expr *x = in->annots[k]->expr;
			int win = ormc_expr_has_window(x);

			if (win && !x->has_agg)
				continue;
			if (!win && !by_values) {
				aggs |= x->has_agg;
				continue;
			}
			break;
		}
		first = qs->nannots;
		if (k == in->nannots) {
			if (aggs && !in->per_object)
				in->per_object = 1;
			for (k = below; k < in->nannots; k++) {
				if ((r = grow(e, (void **)&qs->annots, qs->nannots, sizeof(ormc_annot *))) < 0)
					return r;
				if ((qs->annots[qs->nannots++] = standin(e, in->annots[k], qs->nfilters)) == NULL)
					return ormc_ev_oom(e);
			}
			goto select;      /* nothing groups here */
		}
		/* not only windows and aggregates: made here, over the filtered rows */
		in->nannots = below;
	}
	first = qs->nannots;
	if ((r = collect_annots(e, qs, call, method, &qs->annots, &qs->nannots, 1)) < 0)
		return r;
	for (i = first; i < qs->nannots; i++)
		agg |= qs->annots[i]->expr->has_agg;
	/*
	 * values() before the first aggregate annotation groups by its fields;
	 * an aggregate with no values() annotates each object (group by pk).
	 */
	if (agg && !qs->grouped && !qs->per_object) {
		if (qs->values_set && qs->nvalues > 0 && !qs->values_all) {
			qs->grouped = 1;
			qs->group = qs->values;
			qs->ngroup = qs->nvalues;
		} else {
			qs->per_object = 1;
		}
	}
select:
	/* After values(), new annotations join the selected columns. */
	if (qs->values_set) {
		for (i = first; i < qs->nannots; i++) {
			ormc_expr *x;
			int j;

			if (qs->annots[i]->hidden)
				continue;
			x = ormc_expr_new(e, ORMC_EXPR_REF, qs->annots[i]->pos);
			if (x == NULL)
				return ormc_ev_oom(e);
			x->annot = qs->annots[i];
			x->type = qs->annots[i]->expr->type;
			x->has_agg = qs->annots[i]->expr->has_agg;
			/* after values() of every field, an annotation named as a field replaces it */
			for (j = 0; qs->values_all && j < qs->nvalues; j++)
				if (strcmp(qs->values[j].name, qs->annots[i]->alias) == 0)
					break;
			if (qs->values_all && j < qs->nvalues)
				qs->values[j].expr = x;
			else if ((r = add_outcol(e, &qs->values, &qs->nvalues, qs->annots[i]->alias, x)) < 0)
				return r;
		}
	}
	return ORMC_OK;
}

/* earliest(*fields) / latest(*fields): the first row by those fields (or Meta.get_latest_by). */
static int
method_earliest(ev *e, ormc_qs *qs, const ormc_ast *call, int latest)
{
	int i, r;

	if (qs->limit >= 0 || qs->offset > 0)
		return ormc_ev_fail(e, ORMC_EINVALID, call->pos, call->end - call->pos,
		                    "Cannot change a query once a slice has been taken.");
	if (call->nargs == 0)
		return ormc_ev_fail(e, ORMC_EINVALID, call->pos, call->end - call->pos,
		                    "earliest() and latest() require either fields as positional arguments "
		                    "or 'get_latest_by' in the model's Meta.");
	qs->order = NULL;
	qs->norder = 0;
	qs->order_set = 1;
	for (i = 0; i < call->nargs; i++) {
		ormc_order_item it;

		if (call->kw[i] != NULL)
			return ormc_ev_fail(e, ORMC_EINVALID, call->kw_pos[i], 1,
			                    "%s() takes field names", latest ? "latest" : "earliest");
		if ((r = ormc_order_item_parse(e, qs, call->args[i], &it)) < 0)
			return r;
		if (latest)
			it.desc = !it.desc;
		if ((r = grow(e, (void **)&qs->order, qs->norder, sizeof(ormc_order_item))) < 0)
			return r;
		qs->order[qs->norder++] = it;
	}
	qs->reverse = 0;
	ormc_qs_slice(qs, 0, 1);
	qs->single = 1;
	return ORMC_OK;
}

/*
 * dates(field, kind, order="ASC") / datetimes(...): Django's
 * annotate(datefield=Trunc(field, kind)).values_list("datefield", flat=True)
 * .distinct().filter(field__isnull=False).order_by("datefield").
 */
static int
method_dates(ev *e, ormc_qs *qs, const ormc_ast *call, int datetimes)
{
	static const char *const date_kinds[] = { "year", "month", "week", "day" };
	static const char *const dt_kinds[] = { "year", "month", "week", "day", "hour", "minute", "second" };
	const char *const *kinds = datetimes ? dt_kinds : date_kinds;
	size_t nkinds = datetimes ? 7 : 4, k;
	const char *m = datetimes ? "datetimes" : "dates";
	const char *field, *kind, *order = "ASC";
	const ormc_ast *a;
	callargs c;
	ormc_expr *col, *tr;
	ormc_cond *nn;
	ormc_tz tz;
	int r;

	ormc_callargs_init(&c, call, m);
	if ((a = ormc_kwarg(&c, "field_name")) == NULL && (a = ormc_positional(&c, 0)) == NULL)
		return ormc_ev_fail(e, ORMC_EINVALID, call->pos, call->end - call->pos,
		                    "%s() missing 2 required positional arguments: 'field_name' and 'kind'", m);
	if ((r = ormc_literal_str(e, a, &field)) < 0)
		return r;
	/* a field, or an annotation or alias() of one (Django's dates() reads F(field_name)) */
	if ((r = ormc_resolve_ref(e, qs, qs->model, field, ormc_ev_deref(e, a)->pos + 1, 1, &col)) < 0)
		return r;
	if (col->has_agg)
		return ormc_ev_fail(e, ORMC_EUNSUPPORTED, ormc_ev_deref(e, a)->pos, ormc_ev_deref(e, a)->end - ormc_ev_deref(e, a)->pos,
		                    "%s() of an aggregate annotation is not supported yet", m);
	if ((a = ormc_kwarg(&c, "kind")) == NULL && (a = ormc_positional(&c, 1)) == NULL)
		return ormc_ev_fail(e, ORMC_EINVALID, call->pos, call->end - call->pos,
		                    "%s() missing 1 required positional argument: 'kind'", m);
	if ((r = ormc_literal_str(e, a, &kind)) < 0)
		return r;
	for (k = 0; k < nkinds && strcmp(kinds[k], kind) != 0; k++)
		;
	if (k == nkinds)
		return ormc_ev_fail(e, ORMC_EINVALID, a->pos, a->end - a->pos,
		                    datetimes ? "'kind' must be one of 'year', 'month', 'week', 'day', 'hour', 'minute', or 'second'."
		                              : "'kind' must be one of 'year', 'month', 'week', or 'day'.");
	if (((a = ormc_kwarg(&c, "order")) != NULL || (a = ormc_positional(&c, 2)) != NULL) &&
	    ((r = ormc_literal_str(e, a, &order)) < 0 || (strcmp(order, "ASC") != 0 && strcmp(order, "DESC") != 0)))
		return r < 0 ? r : ormc_ev_fail(e, ORMC_EINVALID, a->pos, a->end - a->pos,
		                                "'order' must be either 'ASC' or 'DESC'.");
	memset(&tz, 0, sizeof(tz));
	if (datetimes && ((a = ormc_kwarg(&c, "tzinfo")) != NULL || (a = ormc_positional(&c, 3)) != NULL) &&
	    (r = ormc_tzinfo_arg(e, a, &tz)) < 0)
		return r;
	if ((r = ormc_callargs_done(e, &c)) < 0)
		return r;
	if (datetimes ? col->type.kind != ORMC_FIELD_DATETIME
	              : col->type.kind != ORMC_FIELD_DATE && col->type.kind != ORMC_FIELD_DATETIME)
		return ormc_ev_fail(e, ORMC_EINVALID, call->pos, call->end - call->pos,
		                    datetimes ? "'%s' isn't a DateTimeField." : "'%s' isn't a DateField, TimeField, or DateTimeField.",
		                    field);
	tr = ormc_expr_new(e, ORMC_EXPR_FUNC, call->pos);
	nn = ormc_cond_new(e, ORMC_COND_LEAF, call->pos, 0);
	if (tr == NULL || nn == NULL || (tr->args = ormc_arena_alloc(e->a, sizeof(ormc_expr *))) == NULL)
		return ormc_ev_oom(e);
	tr->func = "Trunc";
	tr->arg = kinds[k];
	tr->args[0] = col;
	tr->nargs = 1;
	tr->type = ormc_otype_of(datetimes ? ORMC_FIELD_DATETIME : ORMC_FIELD_DATE, -1, -1);
	tr->type_set = 1;
	tr->tz = tz;
	nn->lhs = col;
	nn->lookup = ORMC_LOOKUP_ISNOTNULL;
	if ((r = grow(e, (void **)&qs->filters, qs->nfilters, sizeof(ormc_filter))) < 0)
		return r;
	qs->filters[qs->nfilters].cond = nn;
	qs->filters[qs->nfilters].nannots_before = qs->nannots;
	qs->nfilters++;
	qs->values = ormc_arena_alloc(e->a, sizeof(ormc_outcol));
	qs->order = ormc_arena_alloc(e->a, sizeof(ormc_order_item));
	if (qs->values == NULL || qs->order == NULL)
		return ormc_ev_oom(e);
	qs->values[0].name = "datefield";
	qs->values[0].expr = tr;
	qs->nvalues = 1;
	qs->values_set = 1;
	qs->shape = ORMC_SHAPE_FLAT;
	qs->distinct = 1;
	qs->order[0].expr = tr;
	qs->order[0].desc = strcmp(order, "DESC") == 0;
	qs->norder = 1;
	qs->order_set = 1;
	qs->dates = 1;
	return ORMC_OK;
}

/*
 * get(*args, **kwargs): filter(*args, **kwargs) without its ordering (unless
 * sliced), at most 21 rows (Django's MAX_GET_RESULTS); the result then
 * checks that there is exactly one (result.c).
 */
static int
method_get(ev *e, ormc_qs *qs, const ormc_ast *call)
{
	int r;

	if (call->nargs > 0) {
		if (qs->limit >= 0 || qs->offset > 0)
			return ormc_ev_fail(e, ORMC_EINVALID, call->left->name_pos, 3,
			                    "Cannot filter a query once a slice has been taken.");
		if ((r = add_filter(e, qs, call, 0)) < 0)
			return r;
	}
	if (qs->limit < 0 && qs->offset == 0 && qs->ndistinct_on == 0 && !ORMC_QS_COMBINED(qs)) {
		qs->order = NULL;
		qs->norder = 0;
		qs->order_set = 1;
		qs->reverse = 0;
	}
	ormc_qs_slice(qs, 0, 21);
	qs->single = 1;
	qs->get = 1;
	return ORMC_OK;
}

static const struct {
	const char *name;
	ormc_step_kind kind;
} step_names[] = {
	{ "all", ORMC_STEP_ALL }, { "filter", ORMC_STEP_FILTER }, { "exclude", ORMC_STEP_EXCLUDE },
	{ "annotate", ORMC_STEP_ANNOTATE }, { "alias", ORMC_STEP_ALIAS },
	{ "values", ORMC_STEP_VALUES }, { "values_list", ORMC_STEP_VALUES_LIST },
	{ "order_by", ORMC_STEP_ORDER_BY }, { "reverse", ORMC_STEP_REVERSE },
	{ "distinct", ORMC_STEP_DISTINCT }, { "none", ORMC_STEP_NONE },
	{ "union", ORMC_STEP_UNION }, { "intersection", ORMC_STEP_INTERSECTION },
	{ "difference", ORMC_STEP_DIFFERENCE }, { "dates", ORMC_STEP_DATES },
	{ "datetimes", ORMC_STEP_DATETIMES }, { "select_related", ORMC_STEP_SELECT_RELATED },
	{ "prefetch_related", ORMC_STEP_PREFETCH_RELATED }, { "only", ORMC_STEP_ONLY },
	{ "defer", ORMC_STEP_DEFER }, { "using", ORMC_STEP_USING },
	{ "aggregate", ORMC_STEP_AGGREGATE }, { "count", ORMC_STEP_COUNT },
	{ "exists", ORMC_STEP_EXISTS }, { "first", ORMC_STEP_FIRST }, { "last", ORMC_STEP_LAST },
	{ "earliest", ORMC_STEP_EARLIEST }, { "latest", ORMC_STEP_LATEST }, { "get", ORMC_STEP_GET },
};

ormc_step_kind
ormc_step_kind_of(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(step_names) / sizeof(step_names[0]); i++)
		if (strcmp(step_names[i].name, name) == 0)
			return step_names[i].kind;
	return ORMC_STEP_UNKNOWN;
}

/* Note the step on qs before it is applied; its level once it is. */
int
ormc_qs_push_step(ev *e, ormc_qs *qs, ormc_step_kind kind, const char *name, const ormc_ast *call)
{
	int r;

	if ((r = grow(e, (void **)&qs->steps, qs->nsteps, sizeof(ormc_step))) < 0)
		return r;
	qs->steps[qs->nsteps].kind = kind;
	qs->steps[qs->nsteps].name = name;
	qs->steps[qs->nsteps].call = call;
	qs->steps[qs->nsteps].level = qs->level;
	qs->nsteps++;
	return ORMC_OK;
}

/* select_related(), prefetch_related(), only(), defer(), using(): the names checked as Django checks them. */
static int
method_loading(ev *e, ormc_qs *qs, const ormc_ast *call, ormc_step_kind kind, const char *m, callargs *c)
{
	int i, r;

	if (kind == ORMC_STEP_USING) {
		(void)ormc_positional(c, 0);
		return ormc_callargs_done(e, c);
	}
	for (i = 0; i < call->nargs; i++) {
		const ormc_ast *a = ormc_ev_deref(e, call->args[i]);
		ormc_expr *x;

		if (call->kw[i] != NULL || a->kind == ORMC_AST_NONE)
			continue;
		if (a->kind != ORMC_AST_STR)
			return ormc_ev_fail(e, ORMC_EINVALID, a->pos, a->end - a->pos,
			                    "%s() takes field names", m);
		if ((kind == ORMC_STEP_ONLY || kind == ORMC_STEP_DEFER) && strstr(a->str, "__") == NULL &&
		    ormc_model_field(qs->model, a->str) == NULL)
			/* Django's FieldDoesNotExist, an annotation's name included */
			return ormc_ev_fail(e, ORMC_ENOFIELD, a->pos, a->end - a->pos,
			                    "%s has no field named '%s'", qs->model->name, a->str);
		if ((r = ormc_resolve_ref(e, qs, qs->model, a->str, a->pos + 1, 0, &x)) < 0)
			return r;
		if (kind == ORMC_STEP_SELECT_RELATED &&
		    (x->kind != ORMC_EXPR_COL || x->path->field == NULL ||
		     (x->path->field->kind != ORMC_FIELD_FOREIGNKEY && x->path->field->kind != ORMC_FIELD_ONETOONE &&
		      x->path->field->kind != ORMC_FIELD_REVERSE_O2O)))
			return ormc_ev_fail(e, ORMC_EINVALID, a->pos, a->end - a->pos,
			                    "Non-relational field given in select_related: '%s'.", a->str);
	}
	return ORMC_OK;
}

/* distinct("a", "b"): DISTINCT ON, PostgreSQL's; other dialects refuse it (compile) */
static int
method_distinct(ev *e, ormc_qs *qs, const ormc_ast *call)
{
	int i, r;

	if (call->nargs > 0 &&
	    (qs->distinct_on = ormc_arena_alloc(e->a, sizeof(ormc_expr *) * (size_t)call->nargs)) == NULL)
		return ormc_ev_oom(e);
	for (i = 0; i < call->nargs; i++) {
		const ormc_ast *a = ormc_ev_deref(e, call->args[i]);

		if (call->kw[i] != NULL || a->kind != ORMC_AST_STR)
			return ormc_ev_fail(e, ORMC_EINVALID, a->pos, a->end - a->pos,
			                    "distinct() takes field names");
		if ((r = ormc_resolve_ref(e, qs, qs->model, a->str, a->pos + 1, 1,
		                          &qs->distinct_on[i])) < 0)
			return r;
		if (qs->distinct_on[i]->kind == ORMC_EXPR_REF && qs->distinct_on[i]->annot->is_alias)
			/* Django: an alias() is not selected, so DISTINCT ON cannot name it */
			return ormc_ev_fail(e, ORMC_ENOFIELD, a->pos, a->end - a->pos,
			                    "Cannot resolve keyword '%s' into field. An alias() is not selected: "
			                    "annotate() it to use it in distinct()", a->str);
	}
	qs->ndistinct_on = call->nargs;
	qs->distinct = 1;
	return ORMC_OK;
}

/* first(), last(): ordered by the query's ordering, else the primary key (Django). */
static int
method_first(ev *e, ormc_qs *qs, const ormc_ast *call, int last)
{
	int r;
	/*
	 * Django's QuerySet.ordered: an order_by() with fields, or Meta.ordering
	 * unless order_by() cleared it or the query groups (values() with an
	 * aggregate, or an aggregate annotated per object).
	 */
	int ordered = qs->norder > 0 ||
	              (!ORMC_QS_COMBINED(qs) && !qs->order_set && qs->model->nordering > 0 &&
	               !qs->grouped && !qs->per_object);

	if (qs->limit >= 0 || qs->offset > 0) {
		/* first(): order_by("pk") unless ordered; last(): reverse(), or order_by("-pk") */
		if (!ordered)
			return ormc_ev_fail(e, ORMC_EINVALID, call->left->name_pos, last ? 4 : 5,
			                    "Cannot reorder a query once a slice has been taken.");
		if (last)
			return ormc_ev_fail(e, ORMC_EINVALID, call->left->name_pos, 4,
			                    "Cannot reverse a query once a slice has been taken.");
	}
	if (!ordered) {
		ormc_expr *pk;

		if ((r = ormc_resolve_ref(e, qs, qs->model, "pk", call->pos, 0, &pk)) < 0)
			return r;
		qs->order = ormc_arena_alloc(e->a, sizeof(ormc_order_item));
		if (qs->order == NULL)
			return ormc_ev_oom(e);
		qs->order[0].expr = pk;
		qs->norder = 1;
		qs->order_set = 1;
	}
	if (last)
		qs->reverse = !qs->reverse;
	ormc_qs_slice(qs, 0, 1);
	qs->single = 1;
	return ORMC_OK;
}

/* none(): no row; aggregates over nothing, count() 0, as Django answers without a query */
static int
method_none(ev *e, ormc_qs *qs, const ormc_ast *call)
{
	ormc_cond *f = ormc_cond_new(e, ORMC_COND_FALSE, call->pos, 0);
	int r;

	if (f == NULL || (r = grow(e, (void **)&qs->filters, qs->nfilters, sizeof(ormc_filter))) < 0)
		return f == NULL ? ormc_ev_oom(e) : r;
	qs->filters[qs->nfilters].cond = f;
	qs->filters[qs->nfilters].nannots_before = qs->nannots;
	qs->nfilters++;
	qs->none = 1;
	return ORMC_OK;
}

/* Apply one step, kind (named m), to qs. */
static int
apply_step(ev *e, ormc_qs *qs, const ormc_ast *call, ormc_step_kind kind, const char *m)
{
	int r;
	callargs c;

	if (qs->terminal != ORMC_TERM_NONE || qs->single)
		return ormc_ev_fail(e, ORMC_EINVALID, call->left->name_pos, (int)strlen(m),
		                    "'%s' object has no attribute '%s'",
		                    qs->single ? (qs->shape == ORMC_SHAPE_OBJECTS && !qs->values_set ? qs->model->name
		                                  : qs->shape == ORMC_SHAPE_OBJECTS ? "dict"
		                                  : qs->shape == ORMC_SHAPE_LISTS ? "tuple" : "value") :
		                    qs->terminal == ORMC_TERM_AGGREGATE ? "dict" :
		                    qs->terminal == ORMC_TERM_COUNT ? "int" : "bool", m);
	if ((qs->limit >= 0 || qs->offset > 0) && (kind == ORMC_STEP_FILTER || kind == ORMC_STEP_EXCLUDE))
		return ormc_ev_fail(e, ORMC_EINVALID, call->left->name_pos, (int)strlen(m),
		                    "Cannot filter a query once a slice has been taken.");
	if ((qs->limit >= 0 || qs->offset > 0) && kind == ORMC_STEP_ORDER_BY)
		return ormc_ev_fail(e, ORMC_EINVALID, call->left->name_pos, (int)strlen(m),
		                    "Cannot reorder a query once a slice has been taken.");
	if (ORMC_QS_COMBINED(qs) && (r = ormc_qs_combined_method(e, qs, call, m)) <= 0)
		return r;
	ormc_callargs_init(&c, call, m);
	if (qs->dates && (kind == ORMC_STEP_VALUES || kind == ORMC_STEP_VALUES_LIST ||
	                  kind == ORMC_STEP_ANNOTATE || kind == ORMC_STEP_ALIAS ||
	                  kind == ORMC_STEP_DATES || kind == ORMC_STEP_DATETIMES))
		return ormc_ev_fail(e, ORMC_EINVALID, call->left->name_pos, (int)strlen(m),
		                    "%s() after dates() or datetimes(), whose rows are the dates: call those last",
		                    m);
	switch (kind) {
	case ORMC_STEP_ALL:
		return ormc_callargs_done(e, &c);
	case ORMC_STEP_UNION:
	case ORMC_STEP_INTERSECTION:
	case ORMC_STEP_DIFFERENCE:
		return ormc_qs_combine(e, qs, call, m);
	case ORMC_STEP_FILTER:
	case ORMC_STEP_EXCLUDE:
		return add_filter(e, qs, call, kind == ORMC_STEP_EXCLUDE);
	case ORMC_STEP_ANNOTATE:
	case ORMC_STEP_ALIAS:
		return method_annotate(e, qs, call, m);
	case ORMC_STEP_VALUES:
	case ORMC_STEP_VALUES_LIST:
		return method_values(e, qs, call, m);
	case ORMC_STEP_ORDER_BY:
		return method_order_by(e, qs, call);
	case ORMC_STEP_REVERSE:
		if (qs->limit >= 0 || qs->offset > 0)
			return ormc_ev_fail(e, ORMC_EINVALID, call->left->name_pos, (int)strlen(m),
			                    "Cannot reverse a query once a slice has been taken.");
		qs->reverse = !qs->reverse;
		return ormc_callargs_done(e, &c);
	case ORMC_STEP_DISTINCT:
		if (qs->limit >= 0 || qs->offset > 0)
			return ormc_ev_fail(e, ORMC_EINVALID, call->left->name_pos, (int)strlen(m),
			                    "Cannot create distinct fields once a slice has been taken.");
		return method_distinct(e, qs, call);
	case ORMC_STEP_AGGREGATE:
		e->summarize = qs;
		r = collect_annots(e, qs, call, m, &qs->aggregates, &qs->naggregates, 0);
		e->summarize = NULL;
		if (r < 0)
			return r;
		qs->terminal = ORMC_TERM_AGGREGATE;
		return ORMC_OK;
	case ORMC_STEP_COUNT:
	case ORMC_STEP_EXISTS:
		qs->terminal = kind == ORMC_STEP_COUNT ? ORMC_TERM_COUNT : ORMC_TERM_EXISTS;
		return ormc_callargs_done(e, &c);
	case ORMC_STEP_FIRST:
	case ORMC_STEP_LAST:
		if ((r = method_first(e, qs, call, kind == ORMC_STEP_LAST)) < 0)
			return r;
		return ormc_callargs_done(e, &c);
	case ORMC_STEP_EARLIEST:
	case ORMC_STEP_LATEST:
		return method_earliest(e, qs, call, kind == ORMC_STEP_LATEST);
	case ORMC_STEP_GET:
		return method_get(e, qs, call);
	case ORMC_STEP_SELECT_RELATED:
	case ORMC_STEP_PREFETCH_RELATED:
	case ORMC_STEP_ONLY:
	case ORMC_STEP_DEFER:
	case ORMC_STEP_USING:
		return method_loading(e, qs, call, kind, m, &c);
	case ORMC_STEP_NONE:
		if ((r = method_none(e, qs, call)) < 0)
			return r;
		return ormc_callargs_done(e, &c);
	case ORMC_STEP_DATES:
	case ORMC_STEP_DATETIMES:
		return method_dates(e, qs, call, kind == ORMC_STEP_DATETIMES);
	case ORMC_STEP_SLICE:
	case ORMC_STEP_UNKNOWN:
		break;
	}
	return ormc_ev_fail(e, ORMC_EUNSUPPORTED, call->left->name_pos, (int)strlen(m),
	                    "QuerySet method '%s' is not supported", m);
}

int
ormc_qs_apply_method(ev *e, ormc_qs *qs, const ormc_ast *call, const char *m)
{
	ormc_step_kind kind = ormc_step_kind_of(m);
	ormc_step *steps;
	int r, k = qs->nsteps;

	if ((r = ormc_qs_push_step(e, qs, kind, m, call)) < 0)
		return r;
	steps = qs->steps;
	if ((r = apply_step(e, qs, call, kind, m)) < 0)
		return r;
	/* union() and the like make qs anew, the level above the combination: the chain is still this one */
	qs->steps = steps;
	qs->nsteps = k + 1;
	qs->steps[k].level = qs->level;
	return r;
}

/*
 * qs[start:stop] (stop -1: open). Slicing a slice narrows it: the bounds are
 * relative to the current offset and never reach past the current end.
 */
void
ormc_qs_slice(ormc_qs *qs, int64_t start, int64_t stop)
{
	int64_t old_end = qs->limit < 0 ? -1 : qs->offset + qs->limit;
	int64_t new_off = qs->offset + start;
	int64_t new_end = stop < 0 ? -1 : qs->offset + stop;

	if (old_end >= 0 && (new_end < 0 || new_end > old_end))
		new_end = old_end;
	qs->offset = new_off;
	qs->limit = new_end < 0 ? -1 : (new_end > new_off ? new_end - new_off : 0);
}
