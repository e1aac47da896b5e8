/*
 * argcheck.c -- Django's checks of QuerySet method arguments, in Django's
 * words: non-expressions given to annotate()/alias()/aggregate(), default
 * aliases, annotation names that conflict, aggregates over aggregates, and
 * an aggregate written in order_by() (with Django's str() of an
 * expression, which that message quotes).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "query_int.h"
#include "qwalk.h"
#include "sqlbuf.h"

/* Django's default alias: "price__avg", "authors__count". */
const char *
ormc_default_alias(ev *e, const ormc_ast *arg, const ormc_expr *x)
{
	const ormc_ast *a;
	char lower[32];
	size_t i;

	if (x->kind != ORMC_EXPR_AGG || arg->kind != ORMC_AST_CALL)
		return NULL;
	if (arg->nargs < 1 || arg->kw[0] != NULL)
		return NULL;
	a = ormc_ev_deref(e, arg->args[0]);
	for (i = 0; x->func[i] && i < sizeof(lower) - 1; i++)
		lower[i] = (char)tolower((unsigned char)x->func[i]);
	lower[i] = '\0';
	if (a->kind == ORMC_AST_STR && strcmp(a->str, "*") != 0)   /* Count("*") is Star(): no name */
		return ormc_arena_printf(e->a, "%s__%s", a->str, lower);
	if (a->kind == ORMC_AST_CALL && ormc_callee_name(a->left) && strcmp(ormc_callee_name(a->left), "F") == 0 &&
	    a->nargs == 1 && ormc_ev_deref(e, a->args[0])->kind == ORMC_AST_STR)
		return ormc_arena_printf(e->a, "%s__%s", ormc_ev_deref(e, a->args[0])->str, lower);
	return NULL;
}

/* Is an aggregate written inside x itself (not read from an annotation)? */
static int
own_agg_expr(ormc_qwalker *w, const ormc_expr *x)
{
	(void)w;
	if (!x->has_agg || x->kind == ORMC_EXPR_REF)
		return ORMC_WALK_PRUNE;
	return x->kind == ORMC_EXPR_AGG ? ORMC_WALK_ABORT : ORMC_WALK_CONTINUE;
}

static int
has_own_agg(const ormc_expr *x)
{
	ormc_qwalker w = { own_agg_expr, NULL, 0, NULL, 0 };

	return ormc_qwalk_expr(&w, x) == ORMC_WALK_ABORT;
}

/*
 * annotate(Sum("n")) where n is an aggregate: Django's FieldError. In
 * aggregate() (summarize) an aggregate over an annotation is allowed (the
 * query is wrapped), one written inside another is not.
 */
typedef struct nested_ctx {
	ev *e;
	int summarize;
	int rc;
} nested_ctx;

static int
nested_expr(ormc_qwalker *w, const ormc_expr *x)
{
	nested_ctx *c = w->ctx;
	const ormc_expr *a;

	if (!x->has_agg)
		return ORMC_WALK_PRUNE;
	if (x->kind != ORMC_EXPR_AGG &&
	    !(x->kind == ORMC_EXPR_WINDOW && x->win->nfargs > 0 && ormc_is_aggregate_name(x->func)))
		return ORMC_WALK_CONTINUE;
	/* Window(Sum("s")) with s an aggregate: the same error in Django */
	a = x->nargs && (x->kind == ORMC_EXPR_AGG || x->win->nfargs) ? x->args[0] : NULL;
	if (a && a->has_agg && (!c->summarize || has_own_agg(a))) {
		const char *what = a->kind == ORMC_EXPR_REF ? a->annot->alias :
		                   a->kind == ORMC_EXPR_AGG ? a->func : "expression";

		c->rc = ormc_ev_fail(c->e, ORMC_EINVALID, a->pos, a->kind == ORMC_EXPR_REF ? (int)strlen(what) : 1,
		                     "Cannot compute %s('%s'): '%s' is an aggregate", x->func, what, what);
		return ORMC_WALK_ABORT;
	}
	return ORMC_WALK_PRUNE;
}

int
ormc_check_nested_agg(ev *e, const ormc_expr *x, int summarize)
{
	nested_ctx c = { e, summarize, ORMC_OK };
	ormc_qwalker w = { nested_expr, NULL, 0, &c, 0 };

	ormc_qwalk_expr(&w, x);
	return c.rc;
}

/*
 * Does a new annotation's name conflict? As Django's _annotate: with no
 * values() yet, every field's name and attname ("product", "product_id");
 * after values(), only the names it selected.
 */
int
ormc_annot_conflicts(const ormc_qs *qs, const char *alias)
{
	int i;

	if (!qs->values_set)
		return ormc_model_field(qs->model, alias) != NULL;
	if (qs->values_all)
		return 0;
	for (i = 0; i < qs->nvalues; i++)
		if (strcmp(qs->values[i].name, alias) == 0)
			return 1;
	return 0;
}

/*
 * aggregate(a=Sum("x"), b=Sum("a")): an aggregate over another of the same
 * call, Django's FieldError (named by its string or F()).
 */
int
ormc_check_sibling_agg(ev *e, const ormc_ast *call, int i)
{
	const ormc_ast *arg = ormc_ev_deref(e, call->args[i]), *src;
	const char *fn = arg->kind == ORMC_AST_CALL ? ormc_callee_name(arg->left) : NULL;
	int k;

	if (fn == NULL || !ormc_is_aggregate_name(fn) || arg->nargs == 0 || arg->kw[0] != NULL)
		return ORMC_OK;
	src = ormc_ev_deref(e, arg->args[0]);
	if (src->kind == ORMC_AST_CALL && ormc_callee_name(src->left) &&
	    strcmp(ormc_callee_name(src->left), "F") == 0 && src->nargs == 1)
		src = ormc_ev_deref(e, src->args[0]);
	if (src->kind != ORMC_AST_STR)
		return ORMC_OK;
	for (k = 0; k < i; k++)
		if (call->kw[k] != NULL && strcmp(call->kw[k], src->str) == 0)
			return ormc_ev_fail(e, ORMC_EINVALID, src->pos, src->end - src->pos,
			                    "Cannot compute %s('%s'): '%s' is an aggregate", fn, src->str, src->str);
	return ORMC_OK;
}

/* ---------------------------------------------------------------- str() of an expression */

static void django_str(ev *e, ormc_sqlbuf *b, const ormc_ast *n, int arg);

/* The source text of n, for what has no str() of its own here. */
static void
source_text(ev *e, ormc_sqlbuf *b, const ormc_ast *n)
{
	if (n->end > n->pos)
		ormc_sqlbuf_appendn(b, e->text + n->pos, (size_t)(n->end - n->pos));
}

/*
 * A call as Django's Func.__repr__ writes it: Name(arg, arg, key=value),
 * the options sorted, output_field= left out; an order_by() direction as
 * OrderBy(expr, descending=...).
 */
static void
call_str(ev *e, ormc_sqlbuf *b, const ormc_ast *n)
{
	const char *name = ormc_callee_name(n->left);
	int i, first = 1, order[16], nk = 0;

	if (n->left->kind == ORMC_AST_ATTR && (strcmp(n->left->str, "desc") == 0 ||
	                                       strcmp(n->left->str, "asc") == 0)) {
		ormc_sqlbuf_append(b, "OrderBy(");
		django_str(e, b, n->left->left, 1);
		ormc_sqlbuf_appendf(b, ", descending=%s)", n->left->str[0] == 'd' ? "True" : "False");
		return;
	}
	if (name == NULL || strcmp(name, "Q") == 0) {
		source_text(e, b, n);
		return;
	}
	if (strcmp(name, "F") == 0 && n->nargs == 1 && ormc_ev_deref(e, n->args[0])->kind == ORMC_AST_STR) {
		ormc_sqlbuf_appendf(b, "F(%s)", ormc_ev_deref(e, n->args[0])->str);
		return;
	}
	if (strcmp(name, "Value") == 0 && n->nargs >= 1 && n->kw[0] == NULL) {
		ormc_sqlbuf_append(b, "Value(");
		django_str(e, b, n->args[0], 0);
		ormc_sqlbuf_appendc(b, ')');
		return;
	}
	ormc_sqlbuf_appendf(b, "%s(", name);
	for (i = 0; i < n->nargs; i++) {
		if (n->kw[i] != NULL) {
			if (strcmp(n->kw[i], "output_field") != 0 && nk < 16)
				order[nk++] = i;
			continue;
		}
		if (!first)
			ormc_sqlbuf_append(b, ", ");
		first = 0;
		django_str(e, b, n->args[i], 1);
	}
	ormc_sort_kw(n, order, nk);
	for (i = 0; i < nk; i++) {
		ormc_sqlbuf_appendf(b, "%s%s=", first ? "" : ", ", n->kw[order[i]]);
		first = 0;
		django_str(e, b, n->args[order[i]], 0);
	}
	ormc_sqlbuf_appendc(b, ')');
}

/*
 * Django's str() of what n builds. arg: n stands where an expression is
 * expected, so a string is F(name) ('*' for Count's) and a number Value(n).
 */
static void
django_str(ev *e, ormc_sqlbuf *b, const ormc_ast *n0, int arg)
{
	const ormc_ast *n = ormc_ev_deref(e, n0);

	switch (n->kind) {
	case ORMC_AST_STR:
		if (!arg)
			ormc_sqlbuf_append(b, n->str);
		else if (strcmp(n->str, "*") == 0)
			ormc_sqlbuf_append(b, "'*'");
		else
			ormc_sqlbuf_appendf(b, "F(%s)", n->str);
		return;
	case ORMC_AST_INT:
	case ORMC_AST_FLOAT:
	case ORMC_AST_TRUE:
	case ORMC_AST_FALSE:
	case ORMC_AST_NONE:
		if (arg)
			ormc_sqlbuf_append(b, "Value(");
		source_text(e, b, n);
		if (arg)
			ormc_sqlbuf_appendc(b, ')');
		return;
	case ORMC_AST_BINOP:
		if (strchr("+-*/%", n->op) != NULL) {
			/* CombinedExpression: "{lhs} {connector} {rhs}" */
			django_str(e, b, n->left, 1);
			ormc_sqlbuf_appendf(b, " %c ", n->op);
			django_str(e, b, n->right, 1);
			return;
		}
		break;
	case ORMC_AST_CALL:
		call_str(e, b, n);
		return;
	default:
		break;
	}
	source_text(e, b, n);
}

/* ---------------------------------------------------------------- the checks */

/* Does n build no expression at all (a Python value, a field class)? Its str() into b. */
static int
non_expression(ev *e, const ormc_ast *n0, ormc_sqlbuf *b)
{
	const ormc_ast *n = ormc_ev_deref(e, n0);
	const char *name;

	switch (n->kind) {
	case ORMC_AST_STR:
		ormc_sqlbuf_append(b, n->str);
		return 1;
	case ORMC_AST_INT: case ORMC_AST_FLOAT: case ORMC_AST_TRUE: case ORMC_AST_FALSE:
	case ORMC_AST_NONE: case ORMC_AST_LIST: case ORMC_AST_TUPLE:
		source_text(e, b, n);
		return 1;
	case ORMC_AST_NEG:
		if (ormc_ev_deref(e, n->left)->kind != ORMC_AST_INT && ormc_ev_deref(e, n->left)->kind != ORMC_AST_FLOAT)
			return 0;
		ormc_sqlbuf_appendc(b, '-');
		source_text(e, b, ormc_ev_deref(e, n->left));
		return 1;
	case ORMC_AST_CALL:
		name = ormc_callee_name(n->left);
		if (name == NULL || !ormc_is_field_class(name))
			return 0;
		ormc_sqlbuf_appendf(b, "<django.db.models.fields.%s>", name);
		return 1;
	default:
		return 0;
	}
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
ormc_check_expressions(ev *e, const ormc_ast *call, const char *method)
{
	char **bad;
	int i, nbad = 0, r = ORMC_OK;
	ormc_sqlbuf b, all;

	if (call->nargs == 0)
		return ORMC_OK;
	if ((bad = calloc((size_t)call->nargs, sizeof(char *))) == NULL)
		return ormc_ev_oom(e);
	for (i = 0; i < call->nargs; i++) {
		ormc_sqlbuf_init(&b);
		if (non_expression(e, call->args[i], &b)) {
			if (b.failed) {
				ormc_sqlbuf_free(&b);
				r = ormc_ev_oom(e);
				goto done;
			}
			bad[nbad++] = ormc_sqlbuf_detach(&b);
		} else {
			ormc_sqlbuf_free(&b);
		}
	}
	if (nbad == 0)
		goto done;
	qsort(bad, (size_t)nbad, sizeof(char *), str_cmp);   /* Python's sorted() of the str()s */
	ormc_sqlbuf_init(&all);
	for (i = 0; i < nbad; i++)
		ormc_sqlbuf_appendf(&all, "%s%s", i ? ", " : "", bad[i]);
	r = all.failed ? ormc_ev_oom(e)
	    : ormc_ev_fail(e, ORMC_EINVALID, call->left->name_pos, (int)strlen(method),
	                   "QuerySet.%s() received non-expression(s): %s.", method, all.data ? all.data : "");
	ormc_sqlbuf_free(&all);
done:
	for (i = 0; i < nbad; i++)
		free(bad[i]);
	free(bad);
	return r;
}

int
ormc_check_order_agg(ev *e, const ormc_ast *item, const ormc_expr *x)
{
	ormc_sqlbuf b;
	int r;

	if (!has_own_agg(x))
		return ORMC_OK;
	ormc_sqlbuf_init(&b);
	django_str(e, &b, item, 1);
	r = b.failed ? ormc_ev_oom(e)
	    : ormc_ev_fail(e, ORMC_EINVALID, item->pos, item->end - item->pos,
	                   "Using an aggregate in order_by() without also including it in annotate() "
	                   "is not allowed: %s", b.data ? b.data : "");
	ormc_sqlbuf_free(&b);
	return r;
}
