/*
 * query.c -- from call-chain AST to query IR, step by step as Django does.
 *
 * Query text is never evaluated as Python: the AST is walked and every name
 * must be one ormc knows (a model, a Q/F/aggregate/function class, a field
 * class used as output_field, a constant of the models file, or a name bound
 * earlier in the same script). Expressions such as F("price") or
 * Count("book") mean nothing until they meet a QuerySet, so they are resolved
 * against the QuerySet's model at the call that uses them (annotate, filter,
 * ...), exactly where Django resolves them. Errors carry the byte offset of
 * the offending token and Django's wording where Django has one.
 *
 * This file holds the entry point (ormc_query_parse), the evaluation of
 * Model.objects... chains (ormc_eval_qs) and the accessors, with the helpers
 * every step uses: errors, names bound by the script, call arguments. The
 * steps themselves are in resolve.c, expr.c, conditions.c and qs_methods.c,
 * the C builder API in capi.c; query_int.h says which is where.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "query_int.h"
#include "../dialects/dialect.h"

/* ---------------------------------------------------------------- errors */

int
ormc_ev_fail(ev *e, int code, int pos, int len, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return ormc_error_set(e->err, code, e->text, pos, len, "%s", msg);
}

int
ormc_ev_oom(ev *e)
{
	return ormc_error_set(e->err, ORMC_ENOMEM, NULL, -1, 0, "out of memory");
}

/* ---------------------------------------------------------------- names */

/* The last segment of a dotted callee: models.Count -> "Count". */
const char *
ormc_callee_name(const ormc_ast *callee)
{
	if (callee->kind == ORMC_AST_NAME || callee->kind == ORMC_AST_ATTR)
		return callee->str;
	return NULL;
}

/* A name bound by an earlier assignment of the script, or NULL. */
static const ormc_ast *
bound(ev *e, const char *name)
{
	int i;

	for (i = e->nbound - 1; i >= 0; i--) {
		const ormc_stmt_ast *st = &e->script->stmts[i];

		if (st->target != NULL && strcmp(st->target, name) == 0)
			return st->expr;
	}
	return NULL;
}

/* Follow names bound in the script (with a depth guard against cycles). */
const ormc_ast *
ormc_ev_deref(ev *e, const ormc_ast *n)
{
	int guard = 0;

	while (n->kind == ORMC_AST_NAME && guard++ < 50) {
		const ormc_ast *b = bound(e, n->str);

		if (b == NULL)
			break;
		n = b;
	}
	return n;
}

/* ---------------------------------------------------------------- call arguments */

const ormc_ast *
ormc_kwarg(callargs *c, const char *name)
{
	int i;

	for (i = 0; i < c->call->nargs && i < ORMC_MAX_CALL_ARGS; i++)
		if (c->call->kw[i] && strcmp(c->call->kw[i], name) == 0) {
			c->used[i] = 1;
			return c->call->args[i];
		}
	return NULL;
}

int
ormc_npositional(const ormc_ast *call)
{
	int i, n = 0;

	for (i = 0; i < call->nargs; i++)
		if (call->kw[i] == NULL)
			n++;
	return n;
}

const ormc_ast *
ormc_positional(callargs *c, int k)
{
	int i, n = 0;

	for (i = 0; i < c->call->nargs && i < ORMC_MAX_CALL_ARGS; i++)
		if (c->call->kw[i] == NULL) {
			if (n == k) {
				c->used[i] = 1;
				return c->call->args[i];
			}
			n++;
		}
	return NULL;
}

void
ormc_callargs_init(callargs *c, const ormc_ast *call, const char *fname)
{
	memset(c, 0, sizeof(*c));
	c->call = call;
	c->fname = fname;
}

/* Every argument must have been consumed: report the first that was not. */
int
ormc_callargs_done(ev *e, callargs *c)
{
	int i;

	if (c->call->nargs > ORMC_MAX_CALL_ARGS)
		return ormc_ev_fail(e, ORMC_EUNSUPPORTED, c->call->pos, 1,
		                    "%s() takes at most %d arguments in ormc", c->fname, ORMC_MAX_CALL_ARGS);
	for (i = 0; i < c->call->nargs; i++) {
		if (c->used[i])
			continue;
		if (c->call->kw[i])
			return ormc_ev_fail(e, ORMC_EINVALID, c->call->kw_pos[i],
			                    (int)strlen(c->call->kw[i]),
			                    "%s() got an unexpected keyword argument '%s'",
			                    c->fname, c->call->kw[i]);
		return ormc_ev_fail(e, ORMC_EINVALID, c->call->args[i]->pos,
		                    c->call->args[i]->end - c->call->args[i]->pos,
		                    "%s() got an unexpected positional argument", c->fname);
	}
	return ORMC_OK;
}

int
ormc_literal_bool(ev *e, const ormc_ast *n, int *out)
{
	n = ormc_ev_deref(e, n);
	if (n->kind == ORMC_AST_TRUE) { *out = 1; return ORMC_OK; }
	if (n->kind == ORMC_AST_FALSE) { *out = 0; return ORMC_OK; }
	if (n->kind == ORMC_AST_INT) { *out = n->ival != 0; return ORMC_OK; }
	return ormc_ev_fail(e, ORMC_EINVALID, n->pos, n->end - n->pos, "expected True or False");
}

int
ormc_literal_str(ev *e, const ormc_ast *n, const char **out)
{
	n = ormc_ev_deref(e, n);
	if (n->kind != ORMC_AST_STR)
		return ormc_ev_fail(e, ORMC_EINVALID, n->pos, n->end - n->pos, "expected a string");
	*out = n->str;
	return ORMC_OK;
}

/* ---------------------------------------------------------------- QuerySet chains */

/* A field of the through model below, in the query's arena. */
static ormc_field *
through_field(ev *e, ormc_model *m, const char *name, const char *column, ormc_field_kind kind,
              ormc_model *target)
{
	ormc_field *f = NEW(e, ormc_field);

	if (f == NULL)
		return NULL;
	f->name = name;
	f->column = column;
	f->class_name = kind == ORMC_FIELD_AUTO ? "AutoField" : "ForeignKey";
	f->kind = kind;
	f->model = m;
	f->pos = -1;
	f->primary_key = kind == ORMC_FIELD_AUTO;
	f->max_length = f->max_digits = f->decimal_places = -1;
	f->order = -1;
	f->target = target;
	return f;
}

/*
 * Model.field.through: the model Django makes for a many-to-many's table,
 * "Book_authors" with an id and a foreign key to each end ("book",
 * "author"; "from_author", "to_author" from a model to itself). It has no
 * reverse ends and lives in this query only, never in the schema.
 */
static int
through_model(ev *e, const ormc_ast *n, ormc_model **out)
{
	const ormc_ast *fa = n->left, *ma = fa->left;
	ormc_model *src = ormc_schema_model(e->s, ma->str), *m;
	ormc_field *f = src ? ormc_model_field(src, fa->str) : NULL;
	const char *sname, *tname;
	char *lo;
	size_t i;

	if (src == NULL)
		return ormc_ev_fail(e, ORMC_ENOFIELD, ma->pos, ma->end - ma->pos,
		                    "name '%s' is not defined: no such model in the models file", ma->str);
	if (f == NULL && (i = strlen(fa->str)) > 4 && strcmp(fa->str + i - 4, "_set") == 0) {
		/* Author.book_set.through: the reverse accessor of Book.authors */
		char *q = ormc_arena_strndup(e->a, fa->str, i - 4);

		if (q == NULL)
			return ormc_ev_oom(e);
		f = ormc_model_field(src, q);
		if (f != NULL && (f->kind != ORMC_FIELD_REVERSE_M2M || f->remote == NULL ||
		                  f->remote->related_name != NULL))
			f = NULL;
	}
	if (f != NULL && f->kind == ORMC_FIELD_REVERSE_M2M && f->remote != NULL) {
		f = f->remote;
		src = f->model;
	}
	if (f == NULL || f->kind != ORMC_FIELD_MANYTOMANY || f->m2m_table == NULL)
		return ormc_ev_fail(e, ORMC_EINVALID, fa->name_pos, (int)strlen(fa->str),
		                    "'%s.%s' is not a many-to-many field with a table of its own", ma->str, fa->str);
	if ((m = NEW(e, ormc_model)) == NULL ||
	    (m->fields = ormc_arena_alloc(e->a, sizeof(ormc_field *) * 3)) == NULL ||
	    (m->name = ormc_arena_printf(e->a, "%s_%s", src->name, f->name)) == NULL ||
	    (sname = ormc_arena_printf(e->a, "%s%s", src == f->target ? "from_" : "", src->name)) == NULL ||
	    (tname = ormc_arena_printf(e->a, "%s%s", src == f->target ? "to_" : "", f->target->name)) == NULL)
		return ormc_ev_oom(e);
	for (lo = (char *)sname; *lo; lo++)
		*lo = (char)tolower((unsigned char)*lo);
	for (lo = (char *)tname; *lo; lo++)
		*lo = (char)tolower((unsigned char)*lo);
	m->table = f->m2m_table;
	m->app_label = src->app_label;
	m->pos = -1;
	m->fields[0] = through_field(e, m, "id", "id", ORMC_FIELD_AUTO, NULL);
	m->fields[1] = through_field(e, m, sname, f->m2m_source_column, ORMC_FIELD_FOREIGNKEY, src);
	m->fields[2] = through_field(e, m, tname, f->m2m_target_column, ORMC_FIELD_FOREIGNKEY, f->target);
	for (i = 0; i < 3; i++)
		if (m->fields[i] == NULL)
			return ormc_ev_oom(e);
	m->nfields = 3;
	m->concrete = m->fields;
	m->nconcrete = 3;
	m->pk = m->fields[0];
	*out = m;
	return ORMC_OK;
}

void
ormc_sort_kw(const ormc_ast *call, int *order, int n)
{
	int i, j;

	/* insertion sort: a call has a handful of keywords, and equal ones keep their order */
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && strcmp(call->kw[order[j - 1]], call->kw[order[j]]) > 0; j--) {
			int t = order[j];

			order[j] = order[j - 1];
			order[j - 1] = t;
		}
}

/*
 * One side of qs1 | qs2 or qs1 & qs2: Model.objects followed by filter(),
 * exclude(), all() and none() only, or such a combination itself. *model
 * is its model's name.
 */
static int
combinable_side(ev *e, const ormc_ast *n0, char op, const char **model)
{
	const ormc_ast *n = ormc_ev_deref(e, n0);
	int r = ORMC_OK;

	if (++e->depth > MAX_DEPTH) {
		e->depth--;
		return ormc_ev_fail(e, ORMC_EINVALID, n->pos, 1, "query nested too deeply");
	}
	while (n->kind == ORMC_AST_CALL && n->left->kind == ORMC_AST_ATTR) {
		const char *m = n->left->str;

		if (strcmp(m, "filter") != 0 && strcmp(m, "exclude") != 0 && strcmp(m, "all") != 0 &&
		    strcmp(m, "none") != 0) {
			r = ormc_ev_fail(e, ORMC_EUNSUPPORTED, n->left->name_pos, (int)strlen(m),
			                 "combining querysets with '%c' after %s() is not supported: "
			                 "only filter(), exclude(), all() and none() before it", op, m);
			goto done;
		}
		n = ormc_ev_deref(e, n->left->left);
	}
	if (n->kind == ORMC_AST_SLICE || n->kind == ORMC_AST_INDEX) {
		r = ormc_ev_fail(e, ORMC_EINVALID, n->pos, n->end - n->pos,
		                 "Cannot combine queries once a slice has been taken.");
	} else if (n->kind == ORMC_AST_BINOP && (n->op == '|' || n->op == '&')) {
		const char *l = NULL, *rm = NULL;

		if ((r = combinable_side(e, n->left, n->op, &l)) < 0 ||
		    (r = combinable_side(e, n->right, n->op, &rm)) < 0)
			goto done;
		if (strcmp(l, rm) != 0)
			r = ormc_ev_fail(e, ORMC_EINVALID, n->pos, n->end - n->pos,
			                 "Cannot combine queries on two different base models.");
		*model = l;
	} else if (n->kind == ORMC_AST_ATTR && strcmp(n->str, "objects") == 0 &&
	           n->left->kind == ORMC_AST_NAME) {
		*model = n->left->str;
	} else {
		r = ormc_ev_fail(e, ORMC_EINVALID, n->pos, n->end - n->pos,
		                 "expected a QuerySet such as Book.objects.all()");
	}
done:
	e->depth--;
	return r;
}

/* A node of the query's own making, at the text's n; CALL with room for nargs arguments. */
static ormc_ast *
made_node(ev *e, ormc_ast_kind kind, const ormc_ast *n, int nargs)
{
	ormc_ast *x = ormc_arena_alloc(e->a, sizeof(ormc_ast));
	int i;

	if (x == NULL)
		return NULL;
	x->kind = kind;
	x->pos = n->pos;
	x->end = n->end;
	x->name_pos = n->pos;
	if (kind == ORMC_AST_CALL) {
		x->args = ormc_arena_alloc(e->a, sizeof(ormc_ast *) * (size_t)(nargs + 1));
		x->kw = ormc_arena_alloc(e->a, sizeof(char *) * (size_t)(nargs + 1));
		x->kw_pos = ormc_arena_alloc(e->a, sizeof(int) * (size_t)(nargs + 1));
		if (x->args == NULL || x->kw == NULL || x->kw_pos == NULL)
			return NULL;
		for (i = 0; i <= nargs; i++)
			x->kw_pos[i] = -1;
	}
	return x;
}

/* Q(kw=value) at n. */
static ormc_ast *
made_q(ev *e, const ormc_ast *n, const char *kw, ormc_ast *value)
{
	ormc_ast *q = made_node(e, ORMC_AST_CALL, n, 1), *name = made_node(e, ORMC_AST_NAME, n, 0);

	if (q == NULL || name == NULL)
		return NULL;
	name->str = "Q";
	name->len = 1;
	q->left = name;
	q->args[0] = value;
	q->kw[0] = kw;
	q->kw_pos[0] = n->pos;
	q->nargs = 1;
	return q;
}

static int
mentions_outerref(ev *e, const ormc_ast *n)
{
	const char *name;
	int i;

	if (n == NULL)
		return 0;
	n = ormc_ev_deref(e, n);
	if (n->kind == ORMC_AST_CALL && (name = ormc_callee_name(n->left)) != NULL &&
	    strcmp(name, "OuterRef") == 0)
		return 1;
	for (i = 0; i < n->nargs; i++)
		if (mentions_outerref(e, n->args[i]))
			return 1;
	return (n->left != NULL && n->left != n && mentions_outerref(e, n->left)) ||
	       mentions_outerref(e, n->right) || mentions_outerref(e, n->third);
}

/*
 * A side of a combination (combinable_side() said yes) as one condition of
 * a filter(): Q(<its one filter()'s arguments>), ~Q(...) of an exclude(),
 * a condition true of every row for all(), false for none(), and an `|`
 * combination the OR of its sides'. *out is NULL when the side has two
 * filter() calls or more, or is an `&` combination: one condition would
 * read its multi-valued relations as one related row where Django joins
 * them once per call.
 */
static int
side_condition(ev *e, const ormc_ast *n0, ormc_ast **out)
{
	const ormc_ast *n = ormc_ev_deref(e, n0), *call = NULL;
	ormc_ast *l, *r, *x;
	int ncalls = 0, none = 0, rc;

	*out = NULL;
	if (n->kind == ORMC_AST_BINOP) {
		if (n->op != '|')
			return ORMC_OK;
		if ((rc = side_condition(e, n->left, &l)) < 0 || (rc = side_condition(e, n->right, &r)) < 0)
			return rc;
		if (l == NULL || r == NULL)
			return ORMC_OK;
		if ((x = made_node(e, ORMC_AST_BINOP, n, 0)) == NULL)
			return ormc_ev_oom(e);
		x->op = '|';
		x->left = l;
		x->right = r;
		*out = x;
		return ORMC_OK;
	}
	for (; n->kind == ORMC_AST_CALL; n = ormc_ev_deref(e, n->left->left)) {
		if (strcmp(n->left->str, "none") == 0) {
			none = 1;
		} else if (strcmp(n->left->str, "all") != 0) {
			call = n;
			ncalls++;
		}
	}
	if (none) {
		/* pk__in=[]: no row */
		ormc_ast *empty = made_node(e, ORMC_AST_LIST, n0, 0);

		if (empty == NULL || (*out = made_q(e, n0, "pk__in", empty)) == NULL)
			return ormc_ev_oom(e);
		return ORMC_OK;
	}
	if (ncalls == 0) {
		/* every row (Q() would be left out of an OR, as Django leaves it) */
		ormc_ast *f = made_node(e, ORMC_AST_FALSE, n0, 0);

		if (f == NULL || (*out = made_q(e, n0, "pk__isnull", f)) == NULL)
			return ormc_ev_oom(e);
		return ORMC_OK;
	}
	if (ncalls > 1)
		return ORMC_OK;
	/* filter(*args, **kwargs) is Q(*args, **kwargs), exclude() its negation, as in Django */
	if ((x = made_node(e, ORMC_AST_CALL, call, 0)) == NULL || (l = made_node(e, ORMC_AST_NAME, call, 0)) == NULL)
		return ormc_ev_oom(e);
	*x = *call;
	l->str = "Q";
	l->len = 1;
	x->left = l;
	if (strcmp(call->left->str, "exclude") == 0) {
		if ((r = made_node(e, ORMC_AST_INVERT, call, 0)) == NULL)
			return ormc_ev_oom(e);
		r->left = x;
		x = r;
	}
	*out = x;
	return ORMC_OK;
}

/* A side as a condition: side_condition(), else Q(pk__in=side) (the side as a subquery). */
static int
side_as_filter(ev *e, const ormc_ast *n, ormc_qs *outer, ormc_ast **out)
{
	int r;

	if ((r = side_condition(e, n, out)) < 0 || *out != NULL)
		return r;
	if (outer != NULL && mentions_outerref(e, n))
		/* inside the subquery, OuterRef() would name the combination, not the query around it */
		return ormc_ev_fail(e, ORMC_EUNSUPPORTED, n->pos, n->end - n->pos,
		                    "combining with '|' or '&' a queryset of two filter() calls or more that "
		                    "reads OuterRef() is not supported yet: write its conditions in one filter()");
	if ((*out = made_q(e, ormc_ev_deref(e, n), "pk__in", (ormc_ast *)n)) == NULL)
		return ormc_ev_oom(e);
	return ORMC_OK;
}

/* filter(cond) on qs, cond at n. */
static int
apply_filter(ev *e, ormc_qs *qs, const ormc_ast *n, ormc_ast *cond)
{
	ormc_ast *attr = made_node(e, ORMC_AST_ATTR, n, 0), *call = made_node(e, ORMC_AST_CALL, n, 1);

	if (attr == NULL || call == NULL)
		return ormc_ev_oom(e);
	attr->str = "filter";
	attr->len = 6;
	attr->left = cond;
	call->left = attr;
	call->args[0] = cond;
	call->nargs = 1;
	return ormc_qs_apply_method(e, qs, call, "filter");
}

/*
 * qs1 | qs2, qs1 & qs2 (Django's QuerySet.__or__ and __and__) over querysets
 * of one model made of filter(), exclude(), all() and none().
 *
 * qs1 & qs2 is qs1 with qs2's calls applied after its own, which is what
 * Django does (the right side's joins are new ones, as a later filter()'s).
 * qs1 | qs2 is one filter() of the OR of both sides' conditions, as Django
 * ORs the two WHERE clauses and lets the right side reuse the left side's
 * joins: an aggregate annotated after it reads the related rows the
 * condition picks, as after filter(Q(a) | Q(b)). A side of several filter()
 * calls is Q(pk__in=side) there, since one condition would read its
 * multi-valued relations as one related row. Rows are never repeated,
 * where Django repeats a row per related row of a multi-valued relation
 * in the condition (ormc's semi-join rule, docs/semantics.md).
 */
static int
eval_combined_operator(ev *e, const ormc_ast *n, ormc_qs *outer, ormc_qs **out)
{
	const char *name = NULL;
	const ormc_ast *rn;
	ormc_ast *l, *rc;
	int r;

	if ((r = combinable_side(e, n, n->op, &name)) < 0)
		return r;
	if (ormc_schema_model(e->s, name) == NULL) {
		/* not a model: the left side says why */
		if ((r = ormc_eval_qs(e, n->left, outer, out)) < 0)
			return r;
		return ormc_ev_fail(e, ORMC_ENOFIELD, n->pos, n->end - n->pos, "no such model: '%s'", name);
	}
	if (n->op == '&') {
		if ((r = ormc_eval_qs(e, n->left, outer, out)) < 0)
			return r;
		rn = ormc_ev_deref(e, n->right);
		if (rn->kind == ORMC_AST_BINOP) {
			if ((r = side_as_filter(e, rn, outer, &rc)) < 0)
				return r;
			return apply_filter(e, *out, rn, rc);
		}
		/* the right side's calls, in order, after the left side's */
		{
			const ormc_ast *calls[64];
			int k = 0;

			for (; rn->kind == ORMC_AST_CALL; rn = ormc_ev_deref(e, rn->left->left)) {
				if (k == (int)(sizeof(calls) / sizeof(calls[0])))
					return ormc_ev_fail(e, ORMC_EUNSUPPORTED, rn->pos, rn->end - rn->pos,
					                    "more than %d calls in a side of '&'", k);
				calls[k++] = rn;
			}
			while (k-- > 0)
				if ((r = ormc_qs_apply_method(e, *out, calls[k], calls[k]->left->str)) < 0)
					return r;
		}
		return ORMC_OK;
	}
	if ((r = side_as_filter(e, n->left, outer, &l)) < 0 || (r = side_as_filter(e, n->right, outer, &rc)) < 0)
		return r;
	{
		ormc_ast *op = made_node(e, ORMC_AST_BINOP, n, 0);

		if (op == NULL)
			return ormc_ev_oom(e);
		op->op = '|';
		op->left = l;
		op->right = rc;
		if ((*out = ormc_qs_new(e, ormc_schema_model(e->s, name), n->pos, outer)) == NULL)
			return ormc_ev_oom(e);
		return apply_filter(e, *out, n, op);
	}
}

/* Evaluate an expression that must yield a QuerySet. */
int
ormc_eval_qs(ev *e, const ormc_ast *n0, ormc_qs *outer, ormc_qs **out)
{
	const ormc_ast *n = ormc_ev_deref(e, n0);
	int r;

	if (++e->depth > MAX_DEPTH) {
		e->depth--;
		return ormc_ev_fail(e, ORMC_EINVALID, n->pos, 1, "query nested too deeply");
	}
	r = ORMC_OK;
	switch (n->kind) {
	case ORMC_AST_ATTR:
		if (strcmp(n->str, "objects") == 0 && n->left->kind == ORMC_AST_NAME) {
			ormc_model *m = ormc_schema_model(e->s, n->left->str);

			if (m == NULL && ormc_schema_abstract(e->s, n->left->str) != NULL) {
				/* An abstract model has no manager: Django's AttributeError. */
				r = ormc_ev_fail(e, ORMC_EINVALID, n->left->pos, n->end - n->left->pos,
				                 "type object '%s' has no attribute 'objects': the model is abstract",
				                 n->left->str);
				break;
			}
			if (m == NULL) {
				r = ormc_ev_fail(e, ORMC_ENOFIELD, n->left->pos, n->left->end - n->left->pos,
				                 "name '%s' is not defined: no such model in the models file", n->left->str);
				break;
			}
			if ((*out = ormc_qs_new(e, m, n->pos, outer)) == NULL)
				r = ormc_ev_oom(e);
			break;
		}
		if (strcmp(n->str, "objects") == 0 && n->left->kind == ORMC_AST_ATTR &&
		    strcmp(n->left->str, "through") == 0 && n->left->left->kind == ORMC_AST_ATTR &&
		    n->left->left->left->kind == ORMC_AST_NAME) {
			/* Book.authors.through.objects */
			ormc_model *m = NULL;

			if ((r = through_model(e, n->left, &m)) < 0)
				break;
			if ((*out = ormc_qs_new(e, m, n->pos, outer)) == NULL)
				r = ormc_ev_oom(e);
			break;
		}
		r = ormc_ev_fail(e, ORMC_EINVALID, n->name_pos, (int)n->len,
		                 "expected Model.objects or a QuerySet method, got '%s'", n->str);
		break;
	case ORMC_AST_CALL:
		if (n->left->kind == ORMC_AST_ATTR) {
			if ((r = ormc_eval_qs(e, n->left->left, outer, out)) < 0)
				break;
			r = ormc_qs_apply_method(e, *out, n, n->left->str);
			break;
		}
		r = ormc_ev_fail(e, ORMC_EINVALID, n->pos, n->end - n->pos, "expected a QuerySet");
		break;
	case ORMC_AST_SLICE:
	case ORMC_AST_INDEX: {
		const ormc_ast *lo = n->right;
		const ormc_ast *hi = n->kind == ORMC_AST_SLICE ? n->third : NULL;
		int64_t start = 0, stop = -1;

		if ((r = ormc_eval_qs(e, n->left, outer, out)) < 0)
			break;
		if ((lo && ormc_ev_deref(e, lo)->kind == ORMC_AST_NEG) || (hi && ormc_ev_deref(e, hi)->kind == ORMC_AST_NEG)) {
			r = ormc_ev_fail(e, ORMC_EINVALID, n->pos, n->end - n->pos, "Negative indexing is not supported.");
			break;
		}
		if (lo && (lo = ormc_ev_deref(e, lo))->kind != ORMC_AST_INT) {
			r = ormc_ev_fail(e, ORMC_EINVALID, lo->pos, lo->end - lo->pos, "slice bounds must be integers");
			break;
		}
		if (hi && (hi = ormc_ev_deref(e, hi))->kind != ORMC_AST_INT) {
			r = ormc_ev_fail(e, ORMC_EINVALID, hi->pos, hi->end - hi->pos, "slice bounds must be integers");
			break;
		}
		if (lo)
			start = lo->ival;
		if (n->kind == ORMC_AST_INDEX)
			stop = start + 1;
		else if (hi)
			stop = hi->ival;
		if (start < 0) {
			r = ormc_ev_fail(e, ORMC_EINVALID, n->pos, n->end - n->pos, "Negative indexing is not supported.");
			break;
		}
		if ((*out)->terminal != ORMC_TERM_NONE) {
			r = ormc_ev_fail(e, ORMC_EINVALID, n->pos, n->end - n->pos, "cannot slice the result of a terminal call");
			break;
		}
		if ((r = ormc_qs_push_step(e, *out, ORMC_STEP_SLICE, "slice", n)) < 0)
			break;
		ormc_qs_slice(*out, start, stop);
		/* qs[i] is one object (or dict, tuple, value), as in Django, not a list of one */
		if (n->kind == ORMC_AST_INDEX)
			(*out)->single = 1;
		break;
	}
	case ORMC_AST_BINOP:
		if (n->op == '|' || n->op == '&') {
			r = eval_combined_operator(e, n, outer, out);
			break;
		}
		if (n->op == '^') {
			/* Django's qs1 ^ qs2 (4.1): not read, said so */
			r = ormc_ev_fail(e, ORMC_EUNSUPPORTED, n->pos, n->end - n->pos,
			                 "combining QuerySets with '^' is not supported: combine the conditions "
			                 "with Q objects in one filter(), filter(Q(...) ^ Q(...))");
			break;
		}
		/* fall through */
	default:
		r = ormc_ev_fail(e, ORMC_EINVALID, n->pos, n->end - n->pos, "expected a QuerySet such as Book.objects.all()");
		break;
	}
	e->depth--;
	return r;
}

/* ---------------------------------------------------------------- public */

int
ormc_query_parse(ormc_query **out, const ormc_schema *schema, const char *text,
                 size_t len, ormc_error *err)
{
	ormc_query *q;
	ormc_script script;
	ev e;
	int r, i, last = -1;
	int nul_terminated = len == (size_t)-1;

	*out = NULL;
	ormc_error_clear(err);
	if (nul_terminated)
		len = strlen(text);
	q = calloc(1, sizeof(*q));
	if (q == NULL)
		return ormc_error_set(err, ORMC_ENOMEM, NULL, -1, 0, "out of memory");
	ormc_arena_init(&q->arena);
	q->schema = schema;
	q->text = malloc(len + 1);
	if (q->text == NULL) {
		ormc_query_free(q);
		return ormc_error_set(err, ORMC_ENOMEM, NULL, -1, 0, "out of memory");
	}
	memcpy(q->text, text, len);
	q->text[len] = '\0';
	r = ormc_parse_script(&q->arena, q->text, len, &script, err);
	if (r < 0)
		goto fail;
	for (i = 0; i < script.nstmts; i++)
		if (script.stmts[i].target == NULL)
			last = i;
	if (last < 0) {
		r = ormc_error_set(err, ORMC_EPARSE, q->text, (int)len, 0,
		                   script.nstmts ? "the script binds names but has no query expression"
		                                 : "empty query");
		goto fail;
	}
	memset(&e, 0, sizeof(e));
	e.q = q;
	e.a = &q->arena;
	e.s = schema;
	e.text = q->text;
	e.err = err;
	e.script = &script;
	e.nbound = last;
	r = ormc_eval_qs(&e, script.stmts[last].expr, NULL, &q->qs);
	if (r < 0)
		goto fail;
	ormc_param_fixup(q);
	if (q->arena.failed) {
		r = ormc_error_set(err, ORMC_ENOMEM, NULL, -1, 0, "out of memory");
		goto fail;
	}
	*out = q;
	return ORMC_OK;
fail:
	/*
	 * The error points into q->text, which is freed below: point it at the
	 * caller's text instead (same offsets), when that text is a C string.
	 */
	if (err != NULL && err->source == q->text)
		err->source = nul_terminated ? text : NULL;
	ormc_query_free(q);
	return r;
}

ormc_shape
ormc_query_shape(const ormc_query *q)
{
	if (q->qs->terminal == ORMC_TERM_AGGREGATE)
		return ORMC_SHAPE_AGGREGATE;
	if (q->qs->terminal != ORMC_TERM_NONE)
		return ORMC_SHAPE_SCALAR;
	return q->qs->shape;
}

int
ormc_query_single(const ormc_query *q)
{
	return q->qs->single;
}

const char *
ormc_query_sql(const ormc_query *q)
{
	return q->last ? q->last->sql : NULL;
}

int
ormc_query_nparams(const ormc_query *q)
{
	return q->last ? q->last->nslots : 0;
}

const ormc_value *
ormc_query_param(const ormc_query *q, int i)
{
	return q->last && i >= 0 && i < q->last->nslots ? &q->last->slots[i]->value : NULL;
}

const char *
ormc_query_param_name(const ormc_query *q, int i)
{
	if (q->last == NULL || i < 0 || i >= q->last->nslots || q->last->slots[i]->pnum < 0)
		return NULL;
	return q->qparams[q->last->slots[i]->pnum]->name;
}

int
ormc_query_nnamed(const ormc_query *q)
{
	return q->nqparams;
}

const char *
ormc_query_named(const ormc_query *q, int i)
{
	return i >= 0 && i < q->nqparams ? q->qparams[i]->name : NULL;
}

int
ormc_query_ncolumns(const ormc_query *q)
{
	return q->last ? q->last->ncolumns : 0;
}

const char *
ormc_query_column(const ormc_query *q, int i)
{
	return q->last && i >= 0 && i < q->last->ncolumns ? q->last->columns[i] : NULL;
}

void
ormc_query_forget_compile(ormc_query *q)
{
	if (q->last != NULL) {
		ormc_compiled_free(q->last);
		free(q->last);
		q->last = NULL;
	}
}

int
ormc_query_compile(ormc_query *q, const char *dialect, int server_version, ormc_error *err)
{
	ormc_compiled *c = malloc(sizeof(*c));
	int rc;

	ormc_error_clear(err);
	if (c == NULL)
		return ormc_error_set(err, ORMC_ENOMEM, NULL, -1, 0, "out of memory");
	rc = ormc_compile(q, dialect, server_version, c, err);
	if (rc < 0) {
		ormc_compiled_free(c);
		free(c);
		return rc;
	}
	ormc_query_forget_compile(q);
	q->last = c;
	return ORMC_OK;
}

/* Canonical name of a dialect named by name or alias (ormc_dialect_find). */
const char *
ormc_dialect_name(const char *name)
{
	const ormc_dialect *d = ormc_dialect_find(name);

	return d != NULL ? d->name : NULL;
}

void
ormc_query_free(ormc_query *q)
{
	if (q == NULL)
		return;
	ormc_query_forget_compile(q);
	free(q->text);
	ormc_arena_free(&q->arena);
	free(q);
}
