/*
 * capi.c -- the C builder API (include/ormc/query.h).
 *
 * Built queries reuse the text path: each call makes the AST the text would
 * have given and applies it, so both forms mean exactly the same. There is
 * no text, so positions are -1 and errors carry no caret.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decimal.h"
#include "error.h"
#include "ormc/query.h"
#include "query_int.h"

static ormc_ast *
node(ormc_query *q, ormc_ast_kind kind)
{
	ormc_ast *n = ormc_arena_alloc(&q->arena, sizeof(*n));

	if (n) {
		n->kind = kind;
		n->pos = n->end = n->name_pos = -1;
	}
	return n;
}

static ormc_ast *
name_node(ormc_query *q, const char *name)
{
	ormc_ast *n = node(q, ORMC_AST_NAME);

	if (n && (n->str = ormc_arena_strdup(&q->arena, name)) == NULL)
		return NULL;
	if (n)
		n->len = strlen(name);
	return n;
}

static void
api_ev(ev *e, ormc_query *q, ormc_error *err)
{
	memset(e, 0, sizeof(*e));
	e->q = q;
	e->a = &q->arena;
	e->s = q->schema;
	e->text = NULL;
	e->err = err;
}

int
ormc_query_new(ormc_query **out, const ormc_schema *schema, const char *model, ormc_error *err)
{
	ormc_query *q;
	ormc_model *m;

	*out = NULL;
	ormc_error_clear(err);
	m = ormc_schema_model(schema, model);
	if (m == NULL)
		return ormc_error_set(err, ORMC_ENOFIELD, NULL, -1, 0,
		                      "name '%s' is not defined: no such model in the models file", model);
	q = calloc(1, sizeof(*q));
	if (q == NULL)
		return ormc_error_set(err, ORMC_ENOMEM, NULL, -1, 0, "out of memory");
	ormc_arena_init(&q->arena);
	q->schema = schema;
	q->qs = ormc_arena_alloc(&q->arena, sizeof(ormc_qs));
	if (q->qs == NULL) {
		ormc_query_free(q);
		return ormc_error_set(err, ORMC_ENOMEM, NULL, -1, 0, "out of memory");
	}
	q->qs->model = m;
	q->qs->pos = -1;
	q->qs->limit = -1;
	q->qs->shape = ORMC_SHAPE_OBJECTS;
	*out = q;
	return ORMC_OK;
}

ormc_node *
ormc_int(ormc_query *q, long long v)
{
	ormc_ast *n = node(q, ORMC_AST_INT);

	if (n)
		n->ival = v;
	return n;
}

ormc_node *
ormc_float(ormc_query *q, double v)
{
	ormc_ast *n = node(q, ORMC_AST_FLOAT);

	if (n)
		n->fval = v;
	return n;
}

ormc_node *
ormc_text(ormc_query *q, const char *s)
{
	ormc_ast *n = node(q, ORMC_AST_STR);

	if (n && (n->str = ormc_arena_strdup(&q->arena, s)) == NULL)
		return NULL;
	if (n)
		n->len = strlen(s);
	return n;
}

ormc_node *
ormc_bool(ormc_query *q, int v)
{
	return node(q, v ? ORMC_AST_TRUE : ORMC_AST_FALSE);
}

ormc_node *
ormc_null(ormc_query *q)
{
	return node(q, ORMC_AST_NONE);
}

ormc_node *
ormc_param(ormc_query *q, const char *name)
{
	const char *p = name;

	/* An identifier, as in the query text. */
	if (name == NULL || !(isalpha((unsigned char)*p) || *p == '_'))
		return NULL;
	while (*++p)
		if (!(isalnum((unsigned char)*p) || *p == '_'))
			return NULL;
	return name_node(q, name);
}

static ormc_node *
literal(ormc_query *q, ormc_type t, const char *text)
{
	ormc_ast *n = node(q, ORMC_AST_LITERAL);

	if (n == NULL || (text && (n->str = ormc_arena_strdup(&q->arena, text)) == NULL))
		return NULL;
	n->vtype = t;
	n->len = text ? strlen(text) : 0;
	return n;
}

ormc_node *
ormc_lit_decimal(ormc_query *q, const char *digits)
{
	if (digits == NULL || !ormc_decimal_valid(digits, strlen(digits)))
		return NULL;
	return literal(q, ORMC_TYPE_DECIMAL, digits);
}

/* A temporal literal from its parts, checked as Django's parse_* check them. */
static ormc_node *
temporal(ormc_query *q, ormc_type t, ormc_field_kind k, const char *in)
{
	char out[40];

	if (ormc_temporal_normalize(k, in, out) < 0)
		return NULL;
	return literal(q, t, out);
}

ormc_node *
ormc_lit_date(ormc_query *q, int y, int m, int d)
{
	char in[64];

	if (y < 1 || y > 9999)
		return NULL;
	snprintf(in, sizeof(in), "%04d-%02d-%02d", y, m, d);
	return temporal(q, ORMC_TYPE_DATE, ORMC_FIELD_DATE, in);
}

ormc_node *
ormc_lit_datetime(ormc_query *q, int y, int mo, int d, int h, int mi, int s, int us)
{
	char in[96];

	if (y < 1 || y > 9999 || h < 0 || mi < 0 || s < 0 || us < 0 || us > 999999)
		return NULL;
	snprintf(in, sizeof(in), "%04d-%02d-%02d %02d:%02d:%02d.%06d", y, mo, d, h, mi, s, us);
	return temporal(q, ORMC_TYPE_DATETIME, ORMC_FIELD_DATETIME, in);
}

ormc_node *
ormc_lit_time(ormc_query *q, int h, int mi, int s, int us)
{
	char in[64];

	if (h < 0 || mi < 0 || s < 0 || us < 0 || us > 999999)
		return NULL;
	snprintf(in, sizeof(in), "%02d:%02d:%02d.%06d", h, mi, s, us);
	return temporal(q, ORMC_TYPE_TIME, ORMC_FIELD_TIME, in);
}

ormc_node *
ormc_lit_duration(ormc_query *q, long long microseconds)
{
	ormc_ast *n = literal(q, ORMC_TYPE_DURATION, NULL);

	if (n)
		n->ival = microseconds;
	return n;
}

static ormc_ast *
args_node(ormc_query *q, ormc_ast *n, ormc_node *const *args, int nargs,
          const char *const *kw, ormc_node *const *kwargs, int nkw)
{
	int i, total = nargs + nkw;

	if (n == NULL)
		return NULL;
	n->args = ormc_arena_alloc(&q->arena, sizeof(ormc_ast *) * (size_t)(total + 1));
	n->kw = ormc_arena_alloc(&q->arena, sizeof(char *) * (size_t)(total + 1));
	n->kw_pos = ormc_arena_alloc(&q->arena, sizeof(int) * (size_t)(total + 1));
	if (n->args == NULL || n->kw == NULL || n->kw_pos == NULL)
		return NULL;
	for (i = 0; i < nargs; i++) {
		if (args[i] == NULL)
			return NULL;
		n->args[i] = args[i];
		n->kw_pos[i] = -1;
	}
	for (i = 0; i < nkw; i++) {
		if (kwargs[i] == NULL || (n->kw[nargs + i] = ormc_arena_strdup(&q->arena, kw[i])) == NULL)
			return NULL;
		n->args[nargs + i] = kwargs[i];
		n->kw_pos[nargs + i] = -1;
	}
	n->nargs = total;
	return n;
}

ormc_node *
ormc_list(ormc_query *q, ormc_node *const *items, int n)
{
	return args_node(q, node(q, ORMC_AST_LIST), items, n, NULL, NULL, 0);
}

ormc_node *
ormc_call(ormc_query *q, const char *func, ormc_node *const *args, int nargs,
          const char *const *kw, ormc_node *const *kwargs, int nkw)
{
	ormc_ast *n = node(q, ORMC_AST_CALL);

	if (n == NULL || (n->left = name_node(q, func)) == NULL)
		return NULL;
	return args_node(q, n, args, nargs, kw, kwargs, nkw);
}

ormc_node *
ormc_f(ormc_query *q, const char *path)
{
	ormc_node *a = ormc_text(q, path);

	return ormc_call(q, "F", &a, 1, NULL, NULL, 0);
}

ormc_node *
ormc_q(ormc_query *q, const char *lookup, ormc_node *value)
{
	return ormc_call(q, "Q", NULL, 0, &lookup, &value, 1);
}

static ormc_node *
binop(ormc_query *q, char op, ormc_node *a, ormc_node *b)
{
	ormc_ast *n = node(q, ORMC_AST_BINOP);

	if (n == NULL || a == NULL || b == NULL)
		return NULL;
	n->op = op;
	n->left = a;
	n->right = b;
	return n;
}

ormc_node *ormc_and(ormc_query *q, ormc_node *a, ormc_node *b) { return binop(q, '&', a, b); }
ormc_node *ormc_or(ormc_query *q, ormc_node *a, ormc_node *b) { return binop(q, '|', a, b); }

ormc_node *
ormc_arith(ormc_query *q, char op, ormc_node *a, ormc_node *b)
{
	if (op != '+' && op != '-' && op != '*' && op != '/')
		return NULL;
	return binop(q, op, a, b);
}

ormc_node *
ormc_not(ormc_query *q, ormc_node *a)
{
	ormc_ast *n = node(q, ORMC_AST_INVERT);

	if (n == NULL || a == NULL)
		return NULL;
	n->left = a;
	return n;
}

ormc_node *
ormc_agg(ormc_query *q, const char *func, const char *field)
{
	ormc_node *a = ormc_text(q, field);

	return ormc_call(q, func, &a, 1, NULL, NULL, 0);
}

int
ormc_query_call(ormc_query *q, const char *method, ormc_node *const *args, int nargs,
                const char *const *kw, ormc_node *const *kwargs, int nkw, ormc_error *err)
{
	ormc_ast *call = node(q, ORMC_AST_CALL), *attr = node(q, ORMC_AST_ATTR);
	ev e;
	int rc;

	ormc_error_clear(err);
	if (call == NULL || attr == NULL || (attr->str = ormc_arena_strdup(&q->arena, method)) == NULL ||
	    args_node(q, call, args, nargs, kw, kwargs, nkw) == NULL)
		return ormc_error_set(err, ORMC_ENOMEM, NULL, -1, 0, "out of memory (or a NULL node)");
	attr->len = strlen(method);
	call->left = attr;
	api_ev(&e, q, err);
	ormc_query_forget_compile(q);
	rc = ormc_qs_apply_method(&e, q->qs, call, method);
	ormc_param_fixup(q);
	return rc;
}

int
ormc_query_filter(ormc_query *q, ormc_node *cond, ormc_error *err)
{
	return ormc_query_call(q, "filter", &cond, 1, NULL, NULL, 0, err);
}

int
ormc_query_exclude(ormc_query *q, ormc_node *cond, ormc_error *err)
{
	return ormc_query_call(q, "exclude", &cond, 1, NULL, NULL, 0, err);
}

int
ormc_query_annotate(ormc_query *q, const char *alias, ormc_node *expr, ormc_error *err)
{
	return ormc_query_call(q, "annotate", NULL, 0, &alias, &expr, 1, err);
}

static int
names_call(ormc_query *q, const char *method, const char *const *fields, int n, ormc_error *err)
{
	ormc_node **args = ormc_arena_alloc(&q->arena, sizeof(ormc_node *) * (size_t)(n + 1));
	int i;

	if (args == NULL)
		return ormc_error_set(err, ORMC_ENOMEM, NULL, -1, 0, "out of memory");
	for (i = 0; i < n; i++)
		args[i] = ormc_text(q, fields[i]);
	return ormc_query_call(q, method, args, n, NULL, NULL, 0, err);
}

int
ormc_query_values(ormc_query *q, const char *const *fields, int n, ormc_error *err)
{
	return names_call(q, "values", fields, n, err);
}

int
ormc_query_order_by(ormc_query *q, const char *const *fields, int n, ormc_error *err)
{
	return names_call(q, "order_by", fields, n, err);
}

int
ormc_query_aggregate(ormc_query *q, const char *const *aliases, ormc_node *const *exprs, int n,
                     ormc_error *err)
{
	return ormc_query_call(q, "aggregate", NULL, 0, aliases, exprs, n, err);
}

int
ormc_query_count(ormc_query *q, ormc_error *err)
{
	return ormc_query_call(q, "count", NULL, 0, NULL, NULL, 0, err);
}

int
ormc_query_slice(ormc_query *q, long long start, long long stop, ormc_error *err)
{
	ormc_qs *qs = q->qs;

	ormc_error_clear(err);
	if (start < 0 || (stop >= 0 && stop < start))
		return ormc_error_set(err, ORMC_EINVALID, NULL, -1, 0, "Negative indexing is not supported.");
	if (qs->terminal != ORMC_TERM_NONE)
		return ormc_error_set(err, ORMC_EINVALID, NULL, -1, 0, "cannot slice the result of a terminal call");
	ormc_qs_slice(qs, start, stop);
	ormc_query_forget_compile(q);
	return ORMC_OK;
}
