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
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "ormc/query.h"
#include "query.h"

#define MAX_DEPTH 200

typedef struct ev {
	ormc_query *q;
	ormc_arena *a;
	const ormc_schema *s;
	const char *text;
	ormc_error *err;
	const ormc_script *script;
	int nbound;               /* statements visible to name lookup */
	int depth;
} ev;

static int fail(ev *e, int code, int pos, int len, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 5, 6)))
#endif
	;

static int
fail(ev *e, int code, int pos, int len, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return ormc_error_set(e->err, code, e->text, pos, len, "%s", msg);
}

static int
oom(ev *e)
{
	return ormc_error_set(e->err, ORMC_ENOMEM, NULL, -1, 0, "out of memory");
}

#define NEW(e, T) ((T *)ormc_arena_alloc((e)->a, sizeof(T)))

/* ---------------------------------------------------------------- types */

/* The kind NULL values have before they meet a typed operand. */
#define KIND_NULL ((ormc_field_kind)-1)

static ormc_otype
otype_of(ormc_field_kind k, int digits, int places)
{
	ormc_otype t;

	t.kind = k;
	t.max_digits = digits;
	t.decimal_places = places;
	return t;
}

/* The value type of a field: a foreign key's is its target's primary key. */
static ormc_otype
field_otype(const ormc_field *f)
{
	while (f->kind == ORMC_FIELD_FOREIGNKEY || f->kind == ORMC_FIELD_ONETOONE)
		f = f->target->pk;
	if (ormc_field_is_relation(f))
		f = f->target->pk;
	return otype_of(f->kind, f->max_digits, f->decimal_places);
}

/* Django's field classes, as used in output_field=. */
static const struct {
	const char *name;
	ormc_field_kind kind;
} field_classes[] = {
	{ "AutoField", ORMC_FIELD_AUTO }, { "BigAutoField", ORMC_FIELD_BIGAUTO },
	{ "SmallAutoField", ORMC_FIELD_SMALLAUTO },
	{ "CharField", ORMC_FIELD_CHAR }, { "TextField", ORMC_FIELD_TEXT },
	{ "SlugField", ORMC_FIELD_CHAR }, { "EmailField", ORMC_FIELD_CHAR },
	{ "IntegerField", ORMC_FIELD_INTEGER }, { "BigIntegerField", ORMC_FIELD_BIGINTEGER },
	{ "SmallIntegerField", ORMC_FIELD_SMALLINTEGER },
	{ "PositiveIntegerField", ORMC_FIELD_POSITIVEINTEGER },
	{ "PositiveSmallIntegerField", ORMC_FIELD_POSITIVEINTEGER },
	{ "PositiveBigIntegerField", ORMC_FIELD_POSITIVEINTEGER },
	{ "FloatField", ORMC_FIELD_FLOAT }, { "DecimalField", ORMC_FIELD_DECIMAL },
	{ "BooleanField", ORMC_FIELD_BOOLEAN }, { "NullBooleanField", ORMC_FIELD_BOOLEAN },
	{ "DateField", ORMC_FIELD_DATE }, { "DateTimeField", ORMC_FIELD_DATETIME },
	{ "TimeField", ORMC_FIELD_TIME }, { "DurationField", ORMC_FIELD_DURATION },
	{ "UUIDField", ORMC_FIELD_UUID },
};

/* ---------------------------------------------------------------- names */

/* The last segment of a dotted callee: models.Count -> "Count". */
static const char *
callee_name(const ormc_ast *callee)
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
static const ormc_ast *
deref(ev *e, const ormc_ast *n)
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

/* ---------------------------------------------------------------- args */

/* More arguments than this in one call is an error (callargs_done), never a truncation. */
#define ORMC_MAX_CALL_ARGS 256

typedef struct callargs {
	const ormc_ast *call;
	const char *fname;
	unsigned char used[ORMC_MAX_CALL_ARGS];
} callargs;

static const ormc_ast *
kwarg(callargs *c, const char *name)
{
	int i;

	for (i = 0; i < c->call->nargs && i < ORMC_MAX_CALL_ARGS; i++)
		if (c->call->kw[i] && strcmp(c->call->kw[i], name) == 0) {
			c->used[i] = 1;
			return c->call->args[i];
		}
	return NULL;
}

static int
npositional(const ormc_ast *call)
{
	int i, n = 0;

	for (i = 0; i < call->nargs; i++)
		if (call->kw[i] == NULL)
			n++;
	return n;
}

static const ormc_ast *
positional(callargs *c, int k)
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

static void
callargs_init(callargs *c, const ormc_ast *call, const char *fname)
{
	memset(c, 0, sizeof(*c));
	c->call = call;
	c->fname = fname;
}

/* Every argument must have been consumed: report the first that was not. */
static int
callargs_done(ev *e, callargs *c)
{
	int i;

	if (c->call->nargs > ORMC_MAX_CALL_ARGS)
		return fail(e, ORMC_EUNSUPPORTED, c->call->pos, 1,
		            "%s() takes at most %d arguments in ormc", c->fname, ORMC_MAX_CALL_ARGS);
	for (i = 0; i < c->call->nargs; i++) {
		if (c->used[i])
			continue;
		if (c->call->kw[i])
			return fail(e, ORMC_EINVALID, c->call->kw_pos[i],
			            (int)strlen(c->call->kw[i]),
			            "%s() got an unexpected keyword argument '%s'",
			            c->fname, c->call->kw[i]);
		return fail(e, ORMC_EINVALID, c->call->args[i]->pos,
		            c->call->args[i]->end - c->call->args[i]->pos,
		            "%s() got an unexpected positional argument", c->fname);
	}
	return ORMC_OK;
}

static int
literal_bool(ev *e, const ormc_ast *n, int *out)
{
	n = deref(e, n);
	if (n->kind == ORMC_AST_TRUE) { *out = 1; return ORMC_OK; }
	if (n->kind == ORMC_AST_FALSE) { *out = 0; return ORMC_OK; }
	if (n->kind == ORMC_AST_INT) { *out = n->ival != 0; return ORMC_OK; }
	return fail(e, ORMC_EINVALID, n->pos, n->end - n->pos, "expected True or False");
}

static int
literal_str(ev *e, const ormc_ast *n, const char **out)
{
	n = deref(e, n);
	if (n->kind != ORMC_AST_STR)
		return fail(e, ORMC_EINVALID, n->pos, n->end - n->pos, "expected a string");
	*out = n->str;
	return ORMC_OK;
}

/* output_field=IntegerField() / DecimalField(max_digits=12, decimal_places=2) */
static int
output_field(ev *e, const ormc_ast *n, ormc_otype *out)
{
	const char *name;
	size_t i;
	callargs c;

	n = deref(e, n);
	if (n->kind != ORMC_AST_CALL || (name = callee_name(n->left)) == NULL)
		return fail(e, ORMC_EINVALID, n->pos, n->end - n->pos,
		            "output_field must be a field instance such as IntegerField()");
	for (i = 0; i < sizeof(field_classes) / sizeof(field_classes[0]); i++)
		if (strcmp(field_classes[i].name, name) == 0)
			break;
	if (i == sizeof(field_classes) / sizeof(field_classes[0]))
		return fail(e, ORMC_EINVALID, n->left->pos, n->left->end - n->left->pos,
		            "unknown field class '%s' in output_field", name);
	*out = otype_of(field_classes[i].kind, -1, -1);
	callargs_init(&c, n, name);
	if (field_classes[i].kind == ORMC_FIELD_DECIMAL) {
		const ormc_ast *d = kwarg(&c, "max_digits"), *p = kwarg(&c, "decimal_places");

		if (d && d->kind == ORMC_AST_INT)
			out->max_digits = (int)d->ival;
		if (p && p->kind == ORMC_AST_INT)
			out->decimal_places = (int)p->ival;
	}
	/* Other field options (max_length, null, ...) do not change values. */
	return ORMC_OK;
}

/* ---------------------------------------------------------------- paths */

/* "a, b, c" list of names a model accepts in lookups, sorted, as Django. */
static int
cmpstr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static char *
choices(ev *e, const ormc_model *m, const ormc_qs *qs)
{
	const char *names[512];
	int n = 0, i;
	size_t len = 0;
	char *out, *p;

	for (i = 0; i < m->nfields && n < 500; i++) {
		const ormc_field *f = m->fields[i];

		names[n++] = f->name;
		if ((f->kind == ORMC_FIELD_FOREIGNKEY || f->kind == ORMC_FIELD_ONETOONE) && f->column)
			names[n++] = f->column;
	}
	if (qs)
		for (i = 0; i < qs->nannots && n < 510; i++)
			names[n++] = qs->annots[i]->alias;
	qsort(names, (size_t)n, sizeof(names[0]), cmpstr);
	for (i = 0; i < n; i++)
		len += strlen(names[i]) + 2;
	out = ormc_arena_alloc(e->a, len + 1);
	if (out == NULL)
		return "";
	p = out;
	for (i = 0; i < n; i++) {
		if (i > 0 && strcmp(names[i], names[i - 1]) == 0)
			continue;
		p += sprintf(p, "%s%s", p == out ? "" : ", ", names[i]);
	}
	return out;
}

static ormc_annot *
find_annot(const ormc_qs *qs, const char *name)
{
	int i;

	if (qs == NULL)
		return NULL;
	for (i = qs->nannots - 1; i >= 0; i--)
		if (strcmp(qs->annots[i]->alias, name) == 0)
			return qs->annots[i];
	return NULL;
}

static const char *const transforms[] = {
	"year", "iso_year", "month", "day", "week", "week_day", "iso_week_day",
	"quarter", "hour", "minute", "second", "date", "time", NULL
};

static const struct {
	const char *name;
	ormc_lookup lookup;
} lookups[] = {
	{ "exact", ORMC_LOOKUP_EXACT }, { "iexact", ORMC_LOOKUP_IEXACT },
	{ "gt", ORMC_LOOKUP_GT }, { "gte", ORMC_LOOKUP_GTE },
	{ "lt", ORMC_LOOKUP_LT }, { "lte", ORMC_LOOKUP_LTE },
	{ "in", ORMC_LOOKUP_IN }, { "range", ORMC_LOOKUP_RANGE },
	{ "isnull", ORMC_LOOKUP_ISNULL },
	{ "contains", ORMC_LOOKUP_CONTAINS }, { "icontains", ORMC_LOOKUP_ICONTAINS },
	{ "startswith", ORMC_LOOKUP_STARTSWITH }, { "istartswith", ORMC_LOOKUP_ISTARTSWITH },
	{ "endswith", ORMC_LOOKUP_ENDSWITH }, { "iendswith", ORMC_LOOKUP_IENDSWITH },
};

static int
find_lookup(const char *name, ormc_lookup *out)
{
	size_t i;

	for (i = 0; i < sizeof(lookups) / sizeof(lookups[0]); i++)
		if (strcmp(lookups[i].name, name) == 0) {
			*out = lookups[i].lookup;
			return 1;
		}
	return 0;
}

static int
is_transform(const char *name)
{
	int i;

	for (i = 0; transforms[i]; i++)
		if (strcmp(transforms[i], name) == 0)
			return 1;
	return 0;
}

/* Which transforms apply to a kind of value. */
static int
transform_applies(const char *t, ormc_field_kind k)
{
	int date_part = strcmp(t, "year") == 0 || strcmp(t, "iso_year") == 0 ||
	                strcmp(t, "month") == 0 || strcmp(t, "day") == 0 ||
	                strcmp(t, "week") == 0 || strcmp(t, "week_day") == 0 ||
	                strcmp(t, "iso_week_day") == 0 || strcmp(t, "quarter") == 0;
	int time_part = strcmp(t, "hour") == 0 || strcmp(t, "minute") == 0 ||
	                strcmp(t, "second") == 0;

	if (k == ORMC_FIELD_DATETIME)
		return 1;
	if (k == ORMC_FIELD_DATE)
		return date_part;
	if (k == ORMC_FIELD_TIME)
		return time_part;
	return 0;
}

static ormc_otype
transform_type(const char *t)
{
	if (strcmp(t, "date") == 0)
		return otype_of(ORMC_FIELD_DATE, -1, -1);
	if (strcmp(t, "time") == 0)
		return otype_of(ORMC_FIELD_TIME, -1, -1);
	return otype_of(ORMC_FIELD_INTEGER, -1, -1);
}

/* Split "a__b__c" into parts, remembering each part's offset. */
typedef struct parts {
	char *v[32];
	int off[32];
	int n;
} parts;

static int
split(ev *e, const char *s, int pos, parts *p)
{
	const char *start = s, *q;

	p->n = 0;
	for (;;) {
		q = strstr(start, "__");
		if (p->n == 32)
			return fail(e, ORMC_EINVALID, pos, (int)strlen(s), "lookup has too many parts");
		p->off[p->n] = pos + (int)(start - s);
		p->v[p->n++] = ormc_arena_strndup(e->a, start, q ? (size_t)(q - start) : strlen(start));
		if (q == NULL)
			break;
		start = q + 2;
	}
	return ORMC_OK;
}

/*
 * Resolve the field part of "a__b__c__gt" from qs's model: the longest walk
 * through fields and relations. *used is how many parts were consumed; the
 * rest are transforms and a lookup. The first part may be an annotation.
 * str_pos is the offset of the string's first character in the text.
 */
static int
resolve_parts(ev *e, ormc_qs *qs, ormc_model *model, parts *p, int allow_annot,
              ormc_expr **out, int *used)
{
	ormc_path *path;
	ormc_model *m = model;
	ormc_field *hops[ORMC_MAX_HOPS];
	int nhops = 0, i;
	ormc_expr *x;

	if (allow_annot && qs) {
		/* An annotation named by the first n parts ("authors__count"), as Django's refs_expression. */
		ormc_annot *an = NULL;
		int n;
		char name[512];

		for (n = 1; n <= p->n && an == NULL; n++) {
			size_t len = 0;
			int k;

			name[0] = '\0';
			for (k = 0; k < n && len + strlen(p->v[k]) + 3 < sizeof(name); k++)
				len += (size_t)snprintf(name + len, sizeof(name) - len, "%s%s", k ? "__" : "", p->v[k]);
			an = find_annot(qs, name);
		}
		if (an != NULL) {
			n--;
			x = NEW(e, ormc_expr);
			if (x == NULL)
				return oom(e);
			x->kind = ORMC_EXPR_REF;
			x->pos = p->off[0];
			x->annot = an;
			x->type = an->expr->type;
			x->has_agg = an->expr->has_agg;
			*out = x;
			*used = n;
			return ORMC_OK;
		}
	}
	path = NEW(e, ormc_path);
	if (path == NULL)
		return oom(e);
	path->model = model;
	for (i = 0; i < p->n; i++) {
		ormc_field *f = ormc_model_field(m, p->v[i]);

		if (f == NULL) {
			if (i == 0)
				return fail(e, ORMC_ENOFIELD, p->off[i], (int)strlen(p->v[i]),
				            "Cannot resolve keyword '%s' into field. Choices are: %s",
				            p->v[i], choices(e, m, m == (qs ? qs->model : NULL) ? qs : NULL));
			break;
		}
		if (ormc_field_is_relation(f)) {
			/* A relation is walked only if something follows that is a field of the target. */
			if (i + 1 < p->n && ormc_model_field(f->target, p->v[i + 1]) != NULL) {
				if (nhops == ORMC_MAX_HOPS)
					return fail(e, ORMC_EUNSUPPORTED, p->off[i], (int)strlen(p->v[i]),
					            "a path may walk at most %d relations", ORMC_MAX_HOPS);
				hops[nhops++] = f;
				m = f->target;
				continue;
			}
			if (i + 1 < p->n && !is_transform(p->v[i + 1])) {
				ormc_lookup lk;

				if (!find_lookup(p->v[i + 1], &lk)) {
					if (i + 2 < p->n || f->kind != ORMC_FIELD_FOREIGNKEY)
						return fail(e, ORMC_ENOFIELD, p->off[i + 1], (int)strlen(p->v[i + 1]),
						            "Cannot resolve keyword '%s' into field. Choices are: %s",
						            p->v[i + 1], choices(e, f->target, NULL));
					return fail(e, ORMC_EINVALID, p->off[i + 1], (int)strlen(p->v[i + 1]),
					            "Related Field got invalid lookup: %s", p->v[i + 1]);
				}
			}
		}
		path->field = f;
		i++;
		break;
	}
	if (path->field == NULL) {
		/* Every part was a relation hop: the last one is the field. */
		nhops--;
		path->field = hops[nhops];
	}
	path->nhops = nhops;
	path->hops = ormc_arena_alloc(e->a, sizeof(ormc_field *) * (size_t)(nhops ? nhops : 1));
	if (path->hops == NULL)
		return oom(e);
	memcpy(path->hops, hops, sizeof(ormc_field *) * (size_t)nhops);
	x = NEW(e, ormc_expr);
	if (x == NULL)
		return oom(e);
	x->kind = ORMC_EXPR_COL;
	x->pos = p->off[0];
	x->path = path;
	x->type = field_otype(path->field);
	*out = x;
	*used = i;
	return ORMC_OK;
}

/* Apply transforms parts[from..to) to x (a COL or REF). */
static int
apply_transforms(ev *e, ormc_expr *x, parts *p, int from, int to)
{
	int i;

	for (i = from; i < to; i++) {
		if (!is_transform(p->v[i]) || !transform_applies(p->v[i], x->type.kind)) {
			ormc_lookup lk;

			if (find_lookup(p->v[i], &lk) || is_transform(p->v[i]))
				return fail(e, ORMC_EINVALID, p->off[i], (int)strlen(p->v[i]),
				            "Unsupported lookup '%s' for %s or join on the field not permitted.",
				            p->v[i], ormc_field_kind_name(x->type.kind));
			return fail(e, ORMC_ENOFIELD, p->off[i], (int)strlen(p->v[i]),
			            "Unsupported lookup '%s' for %s or join on the field not permitted.",
			            p->v[i], ormc_field_kind_name(x->type.kind));
		}
		if (x->kind == ORMC_EXPR_COL && x->ntransforms == 0) {
			x->transforms = ormc_arena_alloc(e->a, sizeof(char *) * 8);
			if (x->transforms == NULL)
				return oom(e);
		}
		if (x->kind != ORMC_EXPR_COL || x->ntransforms >= 8)
			return fail(e, ORMC_EUNSUPPORTED, p->off[i], (int)strlen(p->v[i]),
			            "transform '%s' is supported on model fields only", p->v[i]);
		x->transforms[x->ntransforms++] = p->v[i];
		x->type = transform_type(p->v[i]);
	}
	return ORMC_OK;
}

/* F("a__b__year"): a field reference with optional transforms, no lookup. */
static int
resolve_ref(ev *e, ormc_qs *qs, ormc_model *model, const char *s, int pos,
            int allow_annot, ormc_expr **out)
{
	parts p;
	int used, r;

	if ((r = split(e, s, pos, &p)) < 0)
		return r;
	if ((r = resolve_parts(e, qs, model, &p, allow_annot, out, &used)) < 0)
		return r;
	if (used < p.n) {
		if (!is_transform(p.v[used]))
			return fail(e, ORMC_ENOFIELD, p.off[used], (int)strlen(p.v[used]),
			            "Cannot resolve keyword '%s' into field. Join on '%s' not permitted.",
			            p.v[used], p.v[used - 1]);
		if ((r = apply_transforms(e, *out, &p, used, p.n)) < 0)
			return r;
	}
	return ORMC_OK;
}

/* ---------------------------------------------------------------- expressions */

static int resolve_expr(ev *e, ormc_qs *qs, const ormc_ast *n, ormc_expr **out);
static int resolve_cond(ev *e, ormc_qs *qs, const ormc_ast *n, ormc_cond **out);
static int eval_qs(ev *e, const ormc_ast *n, ormc_qs *outer, ormc_qs **out);

static ormc_expr *
new_expr(ev *e, ormc_expr_kind kind, int pos)
{
	ormc_expr *x = NEW(e, ormc_expr);

	if (x) {
		x->kind = kind;
		x->pos = pos;
		x->type.max_digits = x->type.decimal_places = -1;
	}
	return x;
}

static ormc_expr *
value_expr(ev *e, const ormc_ast *n)
{
	ormc_expr *x = new_expr(e, ORMC_EXPR_VALUE, n->pos);

	if (x == NULL)
		return NULL;
	switch (n->kind) {
	case ORMC_AST_STR:
		x->value.type = ORMC_TYPE_TEXT;
		x->value.s = n->str;
		x->value.len = n->len;
		x->type.kind = ORMC_FIELD_CHAR;
		break;
	case ORMC_AST_INT:
		x->value.type = ORMC_TYPE_INT;
		x->value.i = n->ival;
		x->type.kind = ORMC_FIELD_INTEGER;
		break;
	case ORMC_AST_FLOAT:
		x->value.type = ORMC_TYPE_FLOAT;
		x->value.f = n->fval;
		x->type.kind = ORMC_FIELD_FLOAT;
		break;
	case ORMC_AST_TRUE:
	case ORMC_AST_FALSE:
		x->value.type = ORMC_TYPE_BOOL;
		x->value.i = n->kind == ORMC_AST_TRUE;
		x->type.kind = ORMC_FIELD_BOOLEAN;
		break;
	default:
		x->value.type = ORMC_TYPE_NULL;
		x->type.kind = KIND_NULL;
		break;
	}
	return x;
}

/* Model.CONST or Enum.MEMBER (or Enum.MEMBER.value): its literal, or NULL. */
static const ormc_ast *
constant(ev *e, const ormc_ast *n)
{
	const ormc_ast *obj;
	int i;

	if (n->kind != ORMC_AST_ATTR)
		return NULL;
	obj = n->left;
	if (strcmp(n->str, "value") == 0 && obj->kind == ORMC_AST_ATTR)
		return constant(e, obj);
	if (obj->kind != ORMC_AST_NAME)
		return NULL;
	{
		const ormc_model *m = ormc_schema_model(e->s, obj->str);
		const ormc_enum *en;

		if (m != NULL) {
			for (i = 0; i < m->nconsts; i++)
				if (strcmp(m->const_names[i], n->str) == 0)
					return m->const_values[i];
			return NULL;
		}
		en = ormc_schema_enum(e->s, obj->str);
		if (en != NULL)
			for (i = 0; i < en->nmembers; i++)
				if (strcmp(en->member_names[i], n->str) == 0)
					return en->member_values[i];
	}
	return NULL;
}

static int
is_literal(const ormc_ast *n)
{
	switch (n->kind) {
	case ORMC_AST_STR: case ORMC_AST_INT: case ORMC_AST_FLOAT:
	case ORMC_AST_TRUE: case ORMC_AST_FALSE: case ORMC_AST_NONE:
		return 1;
	default:
		return 0;
	}
}

/*
 * Django's type for `lhs op rhs` (expressions.py _connector_combinations).
 * Returns 0 and sets *out, or -1 when Django cannot infer it.
 */
static int
combine_type(char op, ormc_otype l, ormc_otype r, ormc_otype *out)
{
	int li = ormc_field_kind_is_int(l.kind), ri = ormc_field_kind_is_int(r.kind);

	if (l.kind == KIND_NULL) { *out = r; return 0; }
	if (r.kind == KIND_NULL) { *out = l; return 0; }
	if (li && ri) { *out = otype_of(ORMC_FIELD_INTEGER, -1, -1); return 0; }
	if (l.kind == ORMC_FIELD_DECIMAL && (r.kind == ORMC_FIELD_DECIMAL || ri)) {
		int lp = l.decimal_places, rp = r.kind == ORMC_FIELD_DECIMAL ? r.decimal_places : 0;
		int places = -1;

		if (lp >= 0 && rp >= 0) {
			if (op == '+' || op == '-' || op == '%')
				places = lp > rp ? lp : rp;
			else if (op == '*')
				places = lp + rp;
		}
		*out = otype_of(ORMC_FIELD_DECIMAL, -1, places);
		return 0;
	}
	if (r.kind == ORMC_FIELD_DECIMAL && li)
		return combine_type(op, r, l, out);
	if ((l.kind == ORMC_FIELD_FLOAT && (r.kind == ORMC_FIELD_FLOAT || ri)) ||
	    (r.kind == ORMC_FIELD_FLOAT && li)) {
		*out = otype_of(ORMC_FIELD_FLOAT, -1, -1);
		return 0;
	}
	/*
	 * Float with decimal: Django's documentation computes
	 * Max("price", output_field=FloatField()) - Avg("price") as a float;
	 * ormc follows the documented result (docs/semantics.md).
	 */
	if ((l.kind == ORMC_FIELD_FLOAT && r.kind == ORMC_FIELD_DECIMAL) ||
	    (l.kind == ORMC_FIELD_DECIMAL && r.kind == ORMC_FIELD_FLOAT)) {
		*out = otype_of(ORMC_FIELD_FLOAT, -1, -1);
		return 0;
	}
	return -1;
}

static int
kind_is_temporal(ormc_field_kind k)
{
	return k == ORMC_FIELD_DATE || k == ORMC_FIELD_DATETIME || k == ORMC_FIELD_TIME ||
	       k == ORMC_FIELD_DURATION;
}

/* Is b's class a (sub)class of a's, as Django's isinstance check in _resolve_output_field? */
static int
same_class(ormc_field_kind a, ormc_field_kind b)
{
	if (a == b)
		return 1;
	/* Django: AutoField, BigIntegerField, SmallIntegerField, PositiveIntegerField subclass IntegerField. */
	if (a == ORMC_FIELD_INTEGER && ormc_field_kind_is_int(b))
		return 1;
	if (a == ORMC_FIELD_BIGINTEGER && b == ORMC_FIELD_BIGAUTO)
		return 1;
	if (a == ORMC_FIELD_CHAR && b == ORMC_FIELD_CHAR)
		return 1;
	return 0;
}

/* Output type of a function over sources, Django's "mixed types" rule. */
static int
common_type(ev *e, ormc_expr **args, int n, int pos, ormc_otype *out)
{
	int i, have = 0;

	for (i = 0; i < n; i++) {
		ormc_otype t = args[i]->type;

		if (t.kind == KIND_NULL)
			continue;
		if (!have) {
			*out = t;
			have = 1;
		} else if (!same_class(out->kind, t.kind)) {
			return fail(e, ORMC_EINVALID, pos, 0,
			            "Expression contains mixed types: %s, %s. You must set output_field.",
			            ormc_field_kind_name(out->kind), ormc_field_kind_name(t.kind));
		} else if (out->kind == ORMC_FIELD_DECIMAL && t.decimal_places > out->decimal_places) {
			out->decimal_places = t.decimal_places;
		}
	}
	if (!have)
		*out = otype_of(KIND_NULL, -1, -1);
	return ORMC_OK;
}

/* An argument that names a field ("price") or is an expression. */
static int
resolve_arg(ev *e, ormc_qs *qs, const ormc_ast *n, ormc_expr **out)
{
	const ormc_ast *d = deref(e, n);

	if (d->kind == ORMC_AST_STR)
		return resolve_ref(e, qs, qs->model, d->str, d->pos + 1, 1, out);
	return resolve_expr(e, qs, n, out);
}

static const char *const aggregates[] = {
	"Count", "Sum", "Avg", "Min", "Max", "StdDev", "Variance",
};

static int
is_aggregate_name(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(aggregates) / sizeof(aggregates[0]); i++)
		if (strcmp(aggregates[i], name) == 0)
			return 1;
	return 0;
}

/* Count(...), Sum(...), ...: the argument, distinct=, filter=, default=, output_field=. */
static int
resolve_agg(ev *e, ormc_qs *qs, const ormc_ast *n, const char *name, ormc_expr **out)
{
	callargs c;
	const ormc_ast *arg, *a;
	ormc_expr *x = new_expr(e, ORMC_EXPR_AGG, n->pos), *src = NULL;
	int r, star = 0;

	if (x == NULL)
		return oom(e);
	callargs_init(&c, n, name);
	x->func = name;
	x->has_agg = 1;
	arg = positional(&c, 0);
	if (arg == NULL)
		return fail(e, ORMC_EINVALID, n->pos, n->end - n->pos,
		            "%s() missing 1 required positional argument: 'expression'", name);
	if (positional(&c, 1) != NULL)
		return fail(e, ORMC_EINVALID, n->pos, n->end - n->pos,
		            "%s() takes exactly 1 expression", name);
	a = deref(e, arg);
	if (a->kind == ORMC_AST_STR && strcmp(a->str, "*") == 0) {
		if (strcmp(name, "Count") != 0)
			return fail(e, ORMC_EINVALID, a->pos, a->end - a->pos,
			            "Cannot resolve keyword '*' into field.");
		star = 1;
	} else {
		if ((r = resolve_arg(e, qs, arg, &src)) < 0)
			return r;
		/* Over an aggregate: only aggregate() may (it wraps the query); see collect_annots. */
	}
	if ((a = kwarg(&c, "distinct")) != NULL && (r = literal_bool(e, a, &x->distinct)) < 0)
		return r;
	if ((a = kwarg(&c, "filter")) != NULL) {
		if (star)
			return fail(e, ORMC_EINVALID, a->pos, a->end - a->pos,
			            "Star cannot be used with filter. Please based your filter on a field.");
		if ((r = resolve_cond(e, qs, a, &x->filter)) < 0)
			return r;
	}
	if ((a = kwarg(&c, "sample")) != NULL) {
		if (strcmp(name, "StdDev") != 0 && strcmp(name, "Variance") != 0)
			return fail(e, ORMC_EINVALID, a->pos - 7, 6,
			            "%s() got an unexpected keyword argument 'sample'", name);
		if ((r = literal_bool(e, a, &x->sample)) < 0)
			return r;
	}
	if (x->distinct && strcmp(name, "Count") != 0 && strcmp(name, "Sum") != 0 &&
	    strcmp(name, "Avg") != 0 && strcmp(name, "Min") != 0 && strcmp(name, "Max") != 0)
		return fail(e, ORMC_EINVALID, n->pos, n->end - n->pos,
		            "%s does not allow distinct.", name);
	x->args = ormc_arena_alloc(e->a, sizeof(ormc_expr *));
	if (x->args == NULL)
		return oom(e);
	x->args[0] = src;
	x->nargs = src ? 1 : 0;
	/* Output type, as Django's aggregates resolve it. */
	if (strcmp(name, "Count") == 0) {
		x->type = otype_of(ORMC_FIELD_INTEGER, -1, -1);
	} else if (strcmp(name, "StdDev") == 0 || strcmp(name, "Variance") == 0) {
		x->type = src->type.kind == ORMC_FIELD_DECIMAL ? src->type
		                                               : otype_of(ORMC_FIELD_FLOAT, -1, -1);
	} else if (strcmp(name, "Avg") == 0) {
		if (src->type.kind == ORMC_FIELD_DECIMAL)
			x->type = src->type;
		else if (ormc_field_kind_is_int(src->type.kind) || src->type.kind == ORMC_FIELD_FLOAT ||
		         src->type.kind == KIND_NULL)
			x->type = otype_of(ORMC_FIELD_FLOAT, -1, -1);
		else if (src->type.kind == ORMC_FIELD_DURATION)
			x->type = src->type;
		else
			return fail(e, ORMC_EINVALID, n->pos, n->end - n->pos,
			            "Cannot compute Avg of a %s", ormc_field_kind_name(src->type.kind));
	} else {
		x->type = src->type;
		if (ormc_field_kind_is_int(x->type.kind))
			x->type.kind = strcmp(name, "Sum") == 0 ? ORMC_FIELD_INTEGER : x->type.kind;
	}
	if ((a = kwarg(&c, "output_field")) != NULL) {
		if ((r = output_field(e, a, &x->type)) < 0)
			return r;
		x->type_set = 1;
	} else if (src && src->type.kind == (ormc_field_kind)-2) {
		return fail(e, ORMC_EINVALID, src->pos, 0, "%s", src->arg);
	}
	if ((a = kwarg(&c, "default")) != NULL) {
		if (strcmp(name, "Count") == 0)
			return fail(e, ORMC_EINVALID, a->pos, a->end - a->pos, "Count does not allow default.");
		if ((r = resolve_arg(e, qs, a, &x->deflt)) < 0)
			return r;
		if (x->deflt->has_agg)
			return fail(e, ORMC_EINVALID, a->pos, a->end - a->pos,
			            "default must not contain an aggregate");
	}
	if ((r = callargs_done(e, &c)) < 0)
		return r;
	*out = x;
	return ORMC_OK;
}

/* Case(When(...), ..., default=..., output_field=...) */
static int
resolve_case(ev *e, ormc_qs *qs, const ormc_ast *n, ormc_expr **out)
{
	ormc_expr *x = new_expr(e, ORMC_EXPR_CASE, n->pos);
	ormc_expr **thens;
	ormc_expr *all[65];
	int npos = npositional(n), i, r, nall = 0;
	callargs c;
	const ormc_ast *a;

	if (x == NULL)
		return oom(e);
	callargs_init(&c, n, "Case");
	x->whens = ormc_arena_alloc(e->a, sizeof(ormc_cond *) * (size_t)(npos + 1));
	thens = ormc_arena_alloc(e->a, sizeof(ormc_expr *) * (size_t)(npos + 1));
	if (x->whens == NULL || thens == NULL)
		return oom(e);
	if (npos > 64)
		return fail(e, ORMC_EUNSUPPORTED, n->pos, 4, "too many When() clauses");
	for (i = 0; i < npos; i++) {
		const ormc_ast *w = deref(e, positional(&c, i));
		callargs wc;
		const ormc_ast *then;
		ormc_cond *cond = NULL, *kw = NULL;
		int j;

		if (w->kind != ORMC_AST_CALL || callee_name(w->left) == NULL ||
		    strcmp(callee_name(w->left), "When") != 0)
			return fail(e, ORMC_EINVALID, w->pos, w->end - w->pos,
			            "Positional arguments must all be When objects.");
		callargs_init(&wc, w, "When");
		then = kwarg(&wc, "then");
		if (then == NULL)
			return fail(e, ORMC_EINVALID, w->pos, w->end - w->pos,
			            "When() missing 1 required keyword argument: 'then'");
		/* The condition: a positional Q / Exists, and/or lookups as keywords. */
		for (j = 0; j < w->nargs; j++) {
			ormc_cond *leaf;

			if (wc.used[j])
				continue;
			wc.used[j] = 1;
			if (w->kw[j] == NULL) {
				if ((r = resolve_cond(e, qs, w->args[j], &leaf)) < 0)
					return r;
			} else {
				{
					/* Reuse the Q(**kwargs) path on a one-keyword pseudo call. */
					ormc_ast q, *args[1];
					const char *kws[1];
					int kwp[1];
					ormc_ast name;

					memset(&q, 0, sizeof(q));
					memset(&name, 0, sizeof(name));
					name.kind = ORMC_AST_NAME;
					name.str = "Q";
					name.len = 1;
					q.kind = ORMC_AST_CALL;
					q.left = &name;
					q.pos = w->pos;
					q.end = w->end;
					args[0] = w->args[j];
					kws[0] = w->kw[j];
					kwp[0] = w->kw_pos[j];
					q.args = args;
					q.kw = kws;
					q.kw_pos = kwp;
					q.nargs = 1;
					if ((r = resolve_cond(e, qs, &q, &leaf)) < 0)
						return r;
				}
			}
			if (cond == NULL) {
				cond = leaf;
			} else {
				kw = NEW(e, ormc_cond);
				if (kw == NULL)
					return oom(e);
				kw->kind = ORMC_COND_AND;
				kw->kids = ormc_arena_alloc(e->a, sizeof(ormc_cond *) * 2);
				if (kw->kids == NULL)
					return oom(e);
				kw->kids[0] = cond;
				kw->kids[1] = leaf;
				kw->nkids = 2;
				kw->has_agg = cond->has_agg || leaf->has_agg;
				cond = kw;
			}
		}
		if (cond == NULL)
			return fail(e, ORMC_EINVALID, w->pos, w->end - w->pos,
			            "An empty Q() can't be used as a When() condition.");
		x->whens[i] = cond;
		if ((r = resolve_arg(e, qs, then, &thens[i])) < 0)
			return r;
		x->has_agg |= thens[i]->has_agg | cond->has_agg;
		all[nall++] = thens[i];
	}
	x->args = thens;
	x->nargs = npos;
	if ((a = kwarg(&c, "default")) != NULL) {
		if ((r = resolve_arg(e, qs, a, &x->else_)) < 0)
			return r;
		x->has_agg |= x->else_->has_agg;
		all[nall++] = x->else_;
	}
	if ((a = kwarg(&c, "output_field")) != NULL) {
		if ((r = output_field(e, a, &x->type)) < 0)
			return r;
		x->type_set = 1;
	} else if ((r = common_type(e, all, nall, n->pos, &x->type)) < 0) {
		return r;
	}
	if ((r = callargs_done(e, &c)) < 0)
		return r;
	*out = x;
	return ORMC_OK;
}

/* Functions with expression arguments: Coalesce, Greatest, Upper, ... */
static const struct {
	const char *name;
	int min, max;             /* positional arguments */
	int typing;               /* 0: common type of args, 1: int, 2: text, 3: first arg, 4: float */
} functions[] = {
	{ "Coalesce", 2, 32, 0 }, { "Greatest", 2, 32, 0 }, { "Least", 2, 32, 0 },
	{ "NullIf", 2, 2, 3 },
	{ "Upper", 1, 1, 2 }, { "Lower", 1, 1, 2 }, { "Length", 1, 1, 1 },
	{ "Trim", 1, 1, 2 }, { "Concat", 2, 32, 2 },
	{ "Abs", 1, 1, 3 }, { "Round", 1, 2, 3 }, { "Floor", 1, 1, 3 }, { "Ceil", 1, 1, 3 },
	{ "Sqrt", 1, 1, 4 }, { "Power", 2, 2, 4 }, { "Mod", 2, 2, 3 },
};

static const struct {
	const char *name;
	const char *part;
} extract_funcs[] = {
	{ "ExtractYear", "year" }, { "ExtractIsoYear", "iso_year" },
	{ "ExtractMonth", "month" }, { "ExtractDay", "day" }, { "ExtractWeek", "week" },
	{ "ExtractWeekDay", "week_day" }, { "ExtractIsoWeekDay", "iso_week_day" },
	{ "ExtractQuarter", "quarter" }, { "ExtractHour", "hour" },
	{ "ExtractMinute", "minute" }, { "ExtractSecond", "second" },
	{ "TruncYear", "year" }, { "TruncQuarter", "quarter" }, { "TruncMonth", "month" },
	{ "TruncWeek", "week" }, { "TruncDay", "day" }, { "TruncDate", "date" },
	{ "TruncTime", "time" }, { "TruncHour", "hour" }, { "TruncMinute", "minute" },
	{ "TruncSecond", "second" },
};

static int
resolve_func(ev *e, ormc_qs *qs, const ormc_ast *n, const char *name, ormc_expr **out)
{
	callargs c;
	ormc_expr *x;
	size_t i;
	int np = npositional(n), j, r;
	const ormc_ast *a;

	callargs_init(&c, n, name);
	/* Extract("field", "year") / ExtractYear("field") / Trunc("f", "month") / TruncMonth("f") */
	for (i = 0; i < sizeof(extract_funcs) / sizeof(extract_funcs[0]); i++)
		if (strcmp(extract_funcs[i].name, name) == 0)
			break;
	if (i < sizeof(extract_funcs) / sizeof(extract_funcs[0]) ||
	    strcmp(name, "Extract") == 0 || strcmp(name, "Trunc") == 0) {
		int trunc = name[0] == 'T';
		const char *part;
		ormc_expr *src;

		x = new_expr(e, ORMC_EXPR_FUNC, n->pos);
		if (x == NULL)
			return oom(e);
		if ((a = positional(&c, 0)) == NULL)
			return fail(e, ORMC_EINVALID, n->pos, n->end - n->pos, "%s() needs an expression", name);
		if ((r = resolve_arg(e, qs, a, &src)) < 0)
			return r;
		if (i < sizeof(extract_funcs) / sizeof(extract_funcs[0])) {
			part = extract_funcs[i].part;
		} else {
			const ormc_ast *k = positional(&c, 1);

			if (k == NULL && (k = kwarg(&c, trunc ? "kind" : "lookup_name")) == NULL)
				return fail(e, ORMC_EINVALID, n->pos, n->end - n->pos, "%s() needs a kind", name);
			if ((r = literal_str(e, k, &part)) < 0)
				return r;
		}
		if (!trunc && !transform_applies(part, src->type.kind))
			return fail(e, ORMC_EINVALID, a->pos, a->end - a->pos,
			            "Extract input expression must be DateField, DateTimeField, TimeField, or DurationField.");
		x->func = trunc ? "Trunc" : "Extract";
		x->arg = part;
		x->args = ormc_arena_alloc(e->a, sizeof(ormc_expr *));
		if (x->args == NULL)
			return oom(e);
		x->args[0] = src;
		x->nargs = 1;
		x->has_agg = src->has_agg;
		if (trunc)
			x->type = strcmp(part, "date") == 0 ? otype_of(ORMC_FIELD_DATE, -1, -1)
			        : strcmp(part, "time") == 0 ? otype_of(ORMC_FIELD_TIME, -1, -1) : src->type;
		else
			x->type = otype_of(ORMC_FIELD_INTEGER, -1, -1);
		if ((a = kwarg(&c, "output_field")) != NULL) {
			if ((r = output_field(e, a, &x->type)) < 0)
				return r;
			x->type_set = 1;
		}
		kwarg(&c, "tzinfo");
		if ((r = callargs_done(e, &c)) < 0)
			return r;
		*out = x;
		return ORMC_OK;
	}
	for (i = 0; i < sizeof(functions) / sizeof(functions[0]); i++)
		if (strcmp(functions[i].name, name) == 0)
			break;
	if (i == sizeof(functions) / sizeof(functions[0]))
		return fail(e, ORMC_ENOFIELD, n->left->pos, n->left->end - n->left->pos,
		            "name '%s' is not defined", name);
	if (np < functions[i].min || np > functions[i].max)
		return fail(e, ORMC_EINVALID, n->pos, n->end - n->pos,
		            functions[i].min == 2 && functions[i].max > 2
		                ? "%s must take at least two expressions"
		                : "%s() takes a different number of arguments", name);
	x = new_expr(e, ORMC_EXPR_FUNC, n->pos);
	if (x == NULL)
		return oom(e);
	x->func = functions[i].name;
	x->args = ormc_arena_alloc(e->a, sizeof(ormc_expr *) * (size_t)np);
	if (x->args == NULL)
		return oom(e);
	for (j = 0; j < np; j++) {
		const ormc_ast *p = positional(&c, j);

		/* Concat's and Round's literals are values; elsewhere strings name fields. */
		if (strcmp(name, "Round") == 0 && j == 1) {
			const ormc_ast *d = deref(e, p);

			x->args[j] = value_expr(e, d);
			if (x->args[j] == NULL)
				return oom(e);
		} else if ((r = resolve_arg(e, qs, p, &x->args[j])) < 0) {
			return r;
		}
		x->has_agg |= x->args[j]->has_agg;
	}
	x->nargs = np;
	switch (functions[i].typing) {
	case 0:
		break;
	case 1: x->type = otype_of(ORMC_FIELD_INTEGER, -1, -1); break;
	case 2: x->type = otype_of(ORMC_FIELD_TEXT, -1, -1); break;
	case 3: x->type = x->args[0]->type; break;
	case 4: x->type = otype_of(ORMC_FIELD_FLOAT, -1, -1); break;
	}
	if ((a = kwarg(&c, "output_field")) != NULL) {
		if ((r = output_field(e, a, &x->type)) < 0)
			return r;
		x->type_set = 1;
	} else if (functions[i].typing == 0) {
		if ((r = common_type(e, x->args, np, n->pos, &x->type)) < 0)
			return r;
	}
	if ((r = callargs_done(e, &c)) < 0)
		return r;
	*out = x;
	return ORMC_OK;
}

static int
resolve_subquery(ev *e, ormc_qs *qs, const ormc_ast *n, const char *name, ormc_expr **out)
{
	callargs c;
	const ormc_ast *a;
	ormc_expr *x;
	ormc_qs *sub;
	int r, exists = strcmp(name, "Exists") == 0;

	callargs_init(&c, n, name);
	if ((a = positional(&c, 0)) == NULL)
		return fail(e, ORMC_EINVALID, n->pos, n->end - n->pos, "%s() needs a queryset", name);
	if ((r = eval_qs(e, a, qs, &sub)) < 0)
		return r;
	if (sub->terminal != ORMC_TERM_NONE)
		return fail(e, ORMC_EINVALID, a->pos, a->end - a->pos,
		            "%s() needs a queryset, not the result of a terminal call", name);
	x = new_expr(e, exists ? ORMC_EXPR_EXISTS : ORMC_EXPR_SUBQUERY, n->pos);
	if (x == NULL)
		return oom(e);
	x->sub = sub;
	if (exists) {
		x->type = otype_of(ORMC_FIELD_BOOLEAN, -1, -1);
	} else {
		int cols = sub->values_set ? sub->nvalues : -1;

		if (cols != 1)
			return fail(e, ORMC_EINVALID, a->pos, a->end - a->pos,
			            "Subquery() must select exactly one column: end it with .values(\"field\")");
		x->type = sub->values[0].expr->type;
	}
	if ((a = kwarg(&c, "output_field")) != NULL) {
		if ((r = output_field(e, a, &x->type)) < 0)
			return r;
		x->type_set = 1;
	}
	if ((r = callargs_done(e, &c)) < 0)
		return r;
	*out = x;
	return ORMC_OK;
}

static int
resolve_expr(ev *e, ormc_qs *qs, const ormc_ast *n0, ormc_expr **out)
{
	const ormc_ast *n = deref(e, n0);
	const char *name;
	callargs c;
	const ormc_ast *a;
	ormc_expr *x;
	int r;

	if (++e->depth > MAX_DEPTH) {
		e->depth--;
		return fail(e, ORMC_EINVALID, n->pos, 1, "expression nested too deeply");
	}
	r = ORMC_OK;
	switch (n->kind) {
	case ORMC_AST_STR: case ORMC_AST_INT: case ORMC_AST_FLOAT:
	case ORMC_AST_TRUE: case ORMC_AST_FALSE: case ORMC_AST_NONE:
		if ((*out = value_expr(e, n)) == NULL)
			r = oom(e);
		break;
	case ORMC_AST_NAME:
		r = fail(e, ORMC_ENOFIELD, n->pos, n->end - n->pos, "name '%s' is not defined", n->str);
		break;
	case ORMC_AST_ATTR: {
		const ormc_ast *k = constant(e, n);

		if (k == NULL)
			r = fail(e, ORMC_ENOFIELD, n->pos, n->end - n->pos,
			         "'%s' is not a constant of the models file", n->str);
		else if ((*out = value_expr(e, k)) == NULL)
			r = oom(e);
		else
			(*out)->pos = n->pos;
		break;
	}
	case ORMC_AST_NEG:
		if ((r = resolve_expr(e, qs, n->left, &x)) < 0)
			break;
		if (x->kind == ORMC_EXPR_VALUE && x->value.type == ORMC_TYPE_INT) {
			x->value.i = -x->value.i;
			*out = x;
			break;
		}
		if (x->kind == ORMC_EXPR_VALUE && x->value.type == ORMC_TYPE_FLOAT) {
			x->value.f = -x->value.f;
			*out = x;
			break;
		}
		*out = new_expr(e, ORMC_EXPR_NEG, n->pos);
		if (*out == NULL) {
			r = oom(e);
			break;
		}
		(*out)->args = ormc_arena_alloc(e->a, sizeof(ormc_expr *));
		if ((*out)->args == NULL) {
			r = oom(e);
			break;
		}
		(*out)->args[0] = x;
		(*out)->nargs = 1;
		(*out)->type = x->type;
		(*out)->has_agg = x->has_agg;
		break;
	case ORMC_AST_BINOP:
		if (n->op == '&' || n->op == '|') {
			ormc_cond *cond;

			if ((r = resolve_cond(e, qs, n, &cond)) < 0)
				break;
			x = new_expr(e, ORMC_EXPR_COND, n->pos);
			if (x == NULL) {
				r = oom(e);
				break;
			}
			x->cond = cond;
			x->type = otype_of(ORMC_FIELD_BOOLEAN, -1, -1);
			x->has_agg = cond->has_agg;
			*out = x;
			break;
		} else {
			ormc_expr *l, *rr;

			if ((r = resolve_expr(e, qs, n->left, &l)) < 0 ||
			    (r = resolve_expr(e, qs, n->right, &rr)) < 0)
				break;
			if (kind_is_temporal(l->type.kind) || kind_is_temporal(rr->type.kind)) {
				/* Each engine subtracts dates its own way; not compiled into agreement yet. */
				r = fail(e, ORMC_EUNSUPPORTED, n->pos, n->end - n->pos,
				         "arithmetic on dates, times and durations is not supported yet");
				break;
			}
			x = new_expr(e, ORMC_EXPR_ARITH, n->pos);
			if (x == NULL || (x->args = ormc_arena_alloc(e->a, sizeof(ormc_expr *) * 2)) == NULL) {
				r = oom(e);
				break;
			}
			x->op = n->op;
			x->args[0] = l;
			x->args[1] = rr;
			x->nargs = 2;
			x->has_agg = l->has_agg || rr->has_agg;
			if (l->type.kind == (ormc_field_kind)-2) {
				x->type = l->type;
				x->arg = l->arg;
			} else if (rr->type.kind == (ormc_field_kind)-2) {
				x->type = rr->type;
				x->arg = rr->arg;
			} else if (combine_type(n->op, l->type, rr->type, &x->type) < 0) {
				/* Deferred: an error only if nobody gives an output_field. */
				x->type.kind = (ormc_field_kind)-2;
				x->arg = ormc_arena_printf(e->a,
				        "Cannot infer type of '%c' expression involving these types: %s, %s. You must set output_field.",
				        n->op, ormc_field_kind_name(l->type.kind), ormc_field_kind_name(rr->type.kind));
			}
			*out = x;
		}
		break;
	case ORMC_AST_INVERT:
	case ORMC_AST_LIST:
	case ORMC_AST_TUPLE:
	case ORMC_AST_INDEX:
	case ORMC_AST_SLICE:
		r = fail(e, ORMC_EINVALID, n->pos, n->end - n->pos, "not an expression");
		break;
	case ORMC_AST_CALL:
		name = callee_name(n->left);
		if (name == NULL) {
			r = fail(e, ORMC_EINVALID, n->pos, n->end - n->pos, "not an expression");
			break;
		}
		if (strcmp(name, "F") == 0) {
			const char *s;

			callargs_init(&c, n, name);
			if ((a = positional(&c, 0)) == NULL || (r = literal_str(e, a, &s)) < 0) {
				if (r == ORMC_OK)
					r = fail(e, ORMC_EINVALID, n->pos, n->end - n->pos, "F() needs a field name");
				break;
			}
			if ((r = callargs_done(e, &c)) < 0)
				break;
			r = resolve_ref(e, qs, qs->model, s, deref(e, a)->pos + 1, 1, out);
		} else if (strcmp(name, "OuterRef") == 0) {
			const char *s;

			callargs_init(&c, n, name);
			if (qs->outer == NULL) {
				r = fail(e, ORMC_EINVALID, n->pos, n->end - n->pos,
				         "This queryset contains a reference to an outer query and may only be used in a subquery.");
				break;
			}
			if ((a = positional(&c, 0)) == NULL || (r = literal_str(e, a, &s)) < 0) {
				if (r == ORMC_OK)
					r = fail(e, ORMC_EINVALID, n->pos, n->end - n->pos, "OuterRef() needs a field name");
				break;
			}
			if ((r = resolve_ref(e, qs->outer, qs->outer->model, s, deref(e, a)->pos + 1, 1, &x)) < 0)
				break;
			if (x->kind != ORMC_EXPR_COL) {
				r = fail(e, ORMC_EUNSUPPORTED, a->pos, a->end - a->pos,
				         "OuterRef() to an annotation is not supported yet");
				break;
			}
			x->kind = ORMC_EXPR_OUTERREF;
			*out = x;
		} else if (strcmp(name, "Value") == 0) {
			callargs_init(&c, n, name);
			if ((a = positional(&c, 0)) == NULL) {
				r = fail(e, ORMC_EINVALID, n->pos, n->end - n->pos, "Value() needs a value");
				break;
			}
			a = deref(e, a);
			if (!is_literal(a) && (a = constant(e, a)) == NULL) {
				r = fail(e, ORMC_EINVALID, n->pos, n->end - n->pos, "Value() needs a literal");
				break;
			}
			if ((x = value_expr(e, a)) == NULL) {
				r = oom(e);
				break;
			}
			if ((a = kwarg(&c, "output_field")) != NULL) {
				if ((r = output_field(e, a, &x->type)) < 0)
					break;
				x->type_set = 1;
			}
			if ((r = callargs_done(e, &c)) < 0)
				break;
			*out = x;
		} else if (is_aggregate_name(name)) {
			r = resolve_agg(e, qs, n, name, out);
		} else if (strcmp(name, "Case") == 0) {
			r = resolve_case(e, qs, n, out);
		} else if (strcmp(name, "Q") == 0 || strcmp(name, "Exists") == 0) {
			if (strcmp(name, "Exists") == 0) {
				r = resolve_subquery(e, qs, n, name, out);
			} else {
				ormc_cond *cond;

				if ((r = resolve_cond(e, qs, n, &cond)) < 0)
					break;
				x = new_expr(e, ORMC_EXPR_COND, n->pos);
				if (x == NULL) {
					r = oom(e);
					break;
				}
				x->cond = cond;
				x->type = otype_of(ORMC_FIELD_BOOLEAN, -1, -1);
				x->has_agg = cond->has_agg;
				*out = x;
			}
		} else if (strcmp(name, "Subquery") == 0) {
			r = resolve_subquery(e, qs, n, name, out);
		} else if (strcmp(name, "ExpressionWrapper") == 0 || strcmp(name, "Cast") == 0) {
			int cast = name[0] == 'C';
			ormc_otype t;

			callargs_init(&c, n, name);
			if ((a = positional(&c, 0)) == NULL) {
				r = fail(e, ORMC_EINVALID, n->pos, n->end - n->pos, "%s() needs an expression", name);
				break;
			}
			if ((r = resolve_arg(e, qs, a, &x)) < 0)
				break;
			if ((a = positional(&c, 1)) == NULL && (a = kwarg(&c, "output_field")) == NULL) {
				r = fail(e, ORMC_EINVALID, n->pos, n->end - n->pos,
				         "%s() missing 1 required positional argument: 'output_field'", name);
				break;
			}
			if ((r = output_field(e, a, &t)) < 0 || (r = callargs_done(e, &c)) < 0)
				break;
			if (cast) {
				ormc_expr *y = new_expr(e, ORMC_EXPR_FUNC, n->pos);

				if (y == NULL || (y->args = ormc_arena_alloc(e->a, sizeof(ormc_expr *))) == NULL) {
					r = oom(e);
					break;
				}
				y->func = "Cast";
				y->args[0] = x;
				y->nargs = 1;
				y->has_agg = x->has_agg;
				x = y;
			}
			x->type = t;
			x->type_set = 1;
			*out = x;
		} else {
			size_t i;

			for (i = 0; i < sizeof(field_classes) / sizeof(field_classes[0]); i++)
				if (strcmp(field_classes[i].name, name) == 0)
					break;
			if (i < sizeof(field_classes) / sizeof(field_classes[0]))
				r = fail(e, ORMC_EINVALID, n->pos, n->end - n->pos,
				         "a field class is only meaningful as output_field=");
			else if (strcmp(name, "When") == 0)
				r = fail(e, ORMC_EINVALID, n->pos, n->end - n->pos, "When() is only meaningful inside Case()");
			else
				r = resolve_func(e, qs, n, name, out);
		}
		break;
	}
	e->depth--;
	return r;
}

/* ---------------------------------------------------------------- conditions */

static ormc_cond *
new_cond(ev *e, ormc_cond_kind kind, int pos, int nkids)
{
	ormc_cond *c = NEW(e, ormc_cond);

	if (c == NULL)
		return NULL;
	c->kind = kind;
	c->pos = pos;
	if (nkids > 0) {
		c->kids = ormc_arena_alloc(e->a, sizeof(ormc_cond *) * (size_t)nkids);
		if (c->kids == NULL)
			return NULL;
	}
	return c;
}

/* Up to max digits from *s into *out; how many were read. */
static int
digits(const char **s, int max, int *out)
{
	int n = 0;

	*out = 0;
	while (n < max && **s >= '0' && **s <= '9') {
		*out = *out * 10 + (**s - '0');
		(*s)++;
		n++;
	}
	return n;
}

/*
 * Django's parse_date / parse_time / parse_datetime, written back in the form
 * Django stores ("2026-01-05", "10:00:00", "2026-01-05 10:00:00[.ffffff]"),
 * so a literal compares equal to the stored text on SQLite. A UTC offset (Z,
 * +00:00) is accepted; others are not (ormc has no time zones yet).
 * Returns 0, or -1 when the text is not a valid value.
 */
static int
normalize_temporal(ormc_field_kind kind, const char *s, char *out)
{
	int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0, us = 0, nus = 0, n;
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (kind != ORMC_FIELD_TIME) {
		if (digits(&s, 4, &y) != 4 || *s++ != '-' || digits(&s, 2, &mo) < 1 || *s++ != '-' ||
		    digits(&s, 2, &d) < 1)
			return -1;
		if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] ||
		    (mo == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))))
			return -1;
		if (kind == ORMC_FIELD_DATE) {
			if (*s != '\0')
				return -1;
			sprintf(out, "%04d-%02d-%02d", y, mo, d);
			return 0;
		}
		if (*s == '\0') {
			sprintf(out, "%04d-%02d-%02d 00:00:00", y, mo, d);
			return 0;
		}
		if (*s != 'T' && *s != ' ')
			return -1;
		s++;
	}
	if (digits(&s, 2, &h) < 1 || *s++ != ':' || digits(&s, 2, &mi) < 1)
		return -1;
	if (*s == ':') {
		s++;
		if (digits(&s, 2, &sec) < 1)
			return -1;
		if (*s == '.' || *s == ',') {
			s++;
			n = digits(&s, 6, &us);
			if (n < 1)
				return -1;
			nus = n;
			while (n++ < 6)
				us *= 10;
			while (*s >= '0' && *s <= '9')
				s++;
		}
	}
	if (kind == ORMC_FIELD_DATETIME) {
		while (*s == ' ')
			s++;
		if (*s == 'Z')
			s++;
		else if (strcmp(s, "+00:00") == 0 || strcmp(s, "+0000") == 0 || strcmp(s, "+00") == 0)
			s += strlen(s);
	}
	if (*s != '\0' || h > 23 || mi > 59 || sec > 59)
		return -1;
	if (kind == ORMC_FIELD_TIME)
		out += sprintf(out, "%02d:%02d:%02d", h, mi, sec);
	else
		out += sprintf(out, "%04d-%02d-%02d %02d:%02d:%02d", y, mo, d, h, mi, sec);
	if (nus > 0)
		sprintf(out, ".%06d", us);
	return 0;
}

/* Coerce a literal to the type of the field it is compared with. */
static int
coerce_value(ev *e, ormc_expr *v, const ormc_otype *t)
{
	if (v->kind != ORMC_EXPR_VALUE || v->type_set || v->value.type == ORMC_TYPE_NULL)
		return ORMC_OK;
	switch (t->kind) {
	case ORMC_FIELD_DECIMAL:
		if (v->value.type == ORMC_TYPE_INT) {
			v->value.s = ormc_arena_printf(e->a, "%lld", (long long)v->value.i);
		} else if (v->value.type == ORMC_TYPE_FLOAT) {
			v->value.s = ormc_arena_printf(e->a, "%.15g", v->value.f);
		} else if (v->value.type == ORMC_TYPE_TEXT) {
			/* Django: Decimal("12.5") */
		} else {
			break;
		}
		if (v->value.s == NULL)
			return oom(e);
		v->value.len = strlen(v->value.s);
		v->value.type = ORMC_TYPE_DECIMAL;
		v->type = *t;
		break;
	case ORMC_FIELD_FLOAT:
		if (v->value.type == ORMC_TYPE_INT) {
			v->value.f = (double)v->value.i;
			v->value.type = ORMC_TYPE_FLOAT;
			v->type = *t;
		}
		break;
	case ORMC_FIELD_BOOLEAN:
		if (v->value.type == ORMC_TYPE_INT) {
			v->value.type = ORMC_TYPE_BOOL;
			v->value.i = v->value.i != 0;
			v->type = *t;
		}
		break;
	case ORMC_FIELD_DATE:
	case ORMC_FIELD_DATETIME:
	case ORMC_FIELD_TIME:
		if (v->value.type == ORMC_TYPE_TEXT) {
			char *norm = ormc_arena_alloc(e->a, 40);

			if (norm == NULL)
				return oom(e);
			if (normalize_temporal(t->kind, v->value.s, norm) < 0)
				return fail(e, ORMC_EINVALID, v->pos, (int)v->value.len + 2, "%s",
				            t->kind == ORMC_FIELD_DATE
				                ? ormc_arena_printf(e->a, "\u201c%s\u201d value has an invalid date format. It must be in YYYY-MM-DD format.", v->value.s)
				            : t->kind == ORMC_FIELD_TIME
				                ? ormc_arena_printf(e->a, "\u201c%s\u201d value has an invalid format. It must be in HH:MM[:ss[.uuuuuu]] format.", v->value.s)
				                : ormc_arena_printf(e->a, "\u201c%s\u201d value has an invalid format. It must be in YYYY-MM-DD HH:MM[:ss[.uuuuuu]][TZ] format.", v->value.s));
			v->value.s = norm;
			v->value.len = strlen(norm);
			v->value.type = t->kind == ORMC_FIELD_DATE ? ORMC_TYPE_DATE
			              : t->kind == ORMC_FIELD_TIME ? ORMC_TYPE_TIME : ORMC_TYPE_DATETIME;
			v->type = *t;
		}
		break;
	default:
		if (ormc_field_kind_is_int(t->kind) && v->value.type == ORMC_TYPE_TEXT) {
			char *end;
			long long i = strtoll(v->value.s, &end, 10);

			if (*end != '\0' || end == v->value.s)
				return fail(e, ORMC_EINVALID, v->pos, (int)v->value.len + 2,
				            "Field '%s' expected a number but got '%s'.", ormc_field_kind_name(t->kind), v->value.s);
			v->value.type = ORMC_TYPE_INT;
			v->value.i = i;
			v->type = *t;
		}
		break;
	}
	return ORMC_OK;
}

/* lookup=value as a leaf: "book__rating__gt", 3.0 */
static int
make_leaf(ev *e, ormc_qs *qs, const char *key, int key_pos, const ormc_ast *vast, ormc_cond **out)
{
	parts p;
	int used, r, i;
	ormc_expr *lhs;
	ormc_lookup lk = ORMC_LOOKUP_EXACT;
	ormc_cond *c;
	const ormc_ast *v = deref(e, vast);

	if ((r = split(e, key, key_pos, &p)) < 0)
		return r;
	if ((r = resolve_parts(e, qs, qs->model, &p, 1, &lhs, &used)) < 0)
		return r;
	if (used < p.n && find_lookup(p.v[p.n - 1], &lk)) {
		if ((r = apply_transforms(e, lhs, &p, used, p.n - 1)) < 0)
			return r;
	} else if (used < p.n) {
		if (!is_transform(p.v[p.n - 1]) && lhs->kind == ORMC_EXPR_COL && lhs->ntransforms == 0 &&
		    used == p.n - 1)
			return fail(e, ORMC_EINVALID, p.off[p.n - 1], (int)strlen(p.v[p.n - 1]),
			            "Unsupported lookup '%s' for %s or join on the field not permitted.",
			            p.v[p.n - 1], lhs->path && ormc_field_is_relation(lhs->path->field)
			                              ? lhs->path->field->class_name : ormc_field_kind_name(lhs->type.kind));
		if ((r = apply_transforms(e, lhs, &p, used, p.n)) < 0)
			return r;
	}
	c = new_cond(e, ORMC_COND_LEAF, key_pos, 0);
	if (c == NULL)
		return oom(e);
	c->lhs = lhs;
	c->lookup = lk;
	c->has_agg = lhs->has_agg;
	if (lk == ORMC_LOOKUP_EXACT && v->kind == ORMC_AST_NONE) {
		c->lookup = ORMC_LOOKUP_ISNULL;
		lk = ORMC_LOOKUP_ISNULL;
		v = NULL;
	}
	if (lk == ORMC_LOOKUP_ISNULL) {
		int b = 1;

		if (v != NULL && (r = literal_bool(e, v, &b)) < 0)
			return fail(e, ORMC_EINVALID, v->pos, v->end - v->pos,
			            "The QuerySet value for an isnull lookup must be True or False.");
		c->nrhs = 0;
		if (!b) {
			ormc_cond *n = new_cond(e, ORMC_COND_NOT, key_pos, 1);

			if (n == NULL)
				return oom(e);
			n->kids[0] = c;
			n->nkids = 1;
			n->has_agg = c->has_agg;
			c = n;
		}
		*out = c;
		return ORMC_OK;
	}
	if (lk == ORMC_LOOKUP_IN || lk == ORMC_LOOKUP_RANGE) {
		if (v->kind == ORMC_AST_LIST || v->kind == ORMC_AST_TUPLE) {
			if (lk == ORMC_LOOKUP_RANGE && v->nargs != 2)
				return fail(e, ORMC_EINVALID, v->pos, v->end - v->pos,
				            "range needs exactly two values");
			if (v->nargs == 0) {
				c->kind = ORMC_COND_FALSE;
				*out = c;
				return ORMC_OK;
			}
			c->rhs = ormc_arena_alloc(e->a, sizeof(ormc_expr *) * (size_t)v->nargs);
			if (c->rhs == NULL)
				return oom(e);
			for (i = 0; i < v->nargs; i++) {
				if ((r = resolve_arg(e, qs, v->args[i], &c->rhs[i])) < 0 &&
				    (r = resolve_expr(e, qs, v->args[i], &c->rhs[i])) < 0)
					return r;
				if ((r = coerce_value(e, c->rhs[i], &lhs->type)) < 0)
					return r;
			}
			c->nrhs = v->nargs;
		} else if (lk == ORMC_LOOKUP_IN) {
			ormc_qs *sub;
			ormc_expr *x;

			if ((r = eval_qs(e, v, qs, &sub)) < 0)
				return r;
			if (!sub->values_set) {
				/* pk__in=Model.objects.filter(...): the subquery selects its pk. */
				ormc_expr *pk;

				if ((r = resolve_ref(e, sub, sub->model, "pk", v->pos, 0, &pk)) < 0)
					return r;
				sub->values = ormc_arena_alloc(e->a, sizeof(ormc_outcol));
				if (sub->values == NULL)
					return oom(e);
				sub->values[0].name = "pk";
				sub->values[0].expr = pk;
				sub->nvalues = 1;
				sub->values_set = 1;
			}
			if (sub->nvalues != 1)
				return fail(e, ORMC_EINVALID, v->pos, v->end - v->pos,
				            "The QuerySet value for an exact lookup must be limited to one result using slicing.");
			x = new_expr(e, ORMC_EXPR_SUBQUERY, v->pos);
			if (x == NULL || (c->rhs = ormc_arena_alloc(e->a, sizeof(ormc_expr *))) == NULL)
				return oom(e);
			x->sub = sub;
			x->type = sub->values[0].expr->type;
			c->rhs[0] = x;
			c->nrhs = 1;
		} else {
			return fail(e, ORMC_EINVALID, v->pos, v->end - v->pos, "range needs a list or tuple");
		}
		*out = c;
		return ORMC_OK;
	}
	c->rhs = ormc_arena_alloc(e->a, sizeof(ormc_expr *));
	if (c->rhs == NULL)
		return oom(e);
	if ((r = resolve_expr(e, qs, vast, &c->rhs[0])) < 0)
		return r;
	c->nrhs = 1;
	c->has_agg |= c->rhs[0]->has_agg;
	if (lk >= ORMC_LOOKUP_CONTAINS || lk == ORMC_LOOKUP_IEXACT) {
		if (c->rhs[0]->kind == ORMC_EXPR_VALUE && c->rhs[0]->value.type != ORMC_TYPE_TEXT) {
			/* Django str()s the value for pattern lookups. */
			ormc_expr *x = c->rhs[0];

			if (x->value.type == ORMC_TYPE_INT)
				x->value.s = ormc_arena_printf(e->a, "%lld", (long long)x->value.i);
			else if (x->value.type == ORMC_TYPE_FLOAT)
				x->value.s = ormc_arena_printf(e->a, "%.17g", x->value.f);
			else
				return fail(e, ORMC_EINVALID, x->pos, 1, "pattern lookups need a string");
			if (x->value.s == NULL)
				return oom(e);
			x->value.len = strlen(x->value.s);
			x->value.type = ORMC_TYPE_TEXT;
			x->type = otype_of(ORMC_FIELD_CHAR, -1, -1);
		}
	} else if ((r = coerce_value(e, c->rhs[0], &lhs->type)) < 0) {
		return r;
	}
	*out = c;
	return ORMC_OK;
}

static int
resolve_cond(ev *e, ormc_qs *qs, const ormc_ast *n0, ormc_cond **out)
{
	const ormc_ast *n = deref(e, n0);
	const char *name;
	ormc_cond *c;
	int r, i;

	if (n->kind == ORMC_AST_BINOP && (n->op == '&' || n->op == '|')) {
		ormc_cond *l, *rr;

		if ((r = resolve_cond(e, qs, n->left, &l)) < 0 ||
		    (r = resolve_cond(e, qs, n->right, &rr)) < 0)
			return r;
		c = new_cond(e, n->op == '&' ? ORMC_COND_AND : ORMC_COND_OR, n->pos, 2);
		if (c == NULL)
			return oom(e);
		c->kids[0] = l;
		c->kids[1] = rr;
		c->nkids = 2;
		c->has_agg = l->has_agg || rr->has_agg;
		*out = c;
		return ORMC_OK;
	}
	if (n->kind == ORMC_AST_INVERT) {
		ormc_cond *k;

		if ((r = resolve_cond(e, qs, n->left, &k)) < 0)
			return r;
		c = new_cond(e, ORMC_COND_NOT, n->pos, 1);
		if (c == NULL)
			return oom(e);
		c->kids[0] = k;
		c->nkids = 1;
		c->has_agg = k->has_agg;
		*out = c;
		return ORMC_OK;
	}
	if (n->kind == ORMC_AST_CALL && (name = callee_name(n->left)) != NULL && strcmp(name, "Q") == 0) {
		/* Q(*args, **kwargs): AND of its children, keywords sorted as Django does. */
		int order[64], nk = 0, j;

		if (n->nargs > 64)
			return fail(e, ORMC_EUNSUPPORTED, n->pos, 1, "too many arguments to Q()");
		c = new_cond(e, ORMC_COND_AND, n->pos, n->nargs);
		if (c == NULL)
			return oom(e);
		if (n->nargs == 0) {
			c->kind = ORMC_COND_TRUE;
			*out = c;
			return ORMC_OK;
		}
		for (i = 0; i < n->nargs; i++) {
			if (n->kw[i] == NULL) {
				if ((r = resolve_cond(e, qs, n->args[i], &c->kids[c->nkids])) < 0)
					return r;
				c->has_agg |= c->kids[c->nkids++]->has_agg;
			} else {
				order[nk++] = i;
			}
		}
		for (i = 1; i < nk; i++)
			for (j = i; j > 0 && strcmp(n->kw[order[j - 1]], n->kw[order[j]]) > 0; j--) {
				int t = order[j];

				order[j] = order[j - 1];
				order[j - 1] = t;
			}
		for (i = 0; i < nk; i++) {
			int k = order[i];

			if ((r = make_leaf(e, qs, n->kw[k], n->kw_pos[k], n->args[k], &c->kids[c->nkids])) < 0)
				return r;
			c->has_agg |= c->kids[c->nkids++]->has_agg;
		}
		*out = c->nkids == 1 ? c->kids[0] : c;
		return ORMC_OK;
	}
	{
		/* A boolean expression: Exists(...), an annotation, ... */
		ormc_expr *x;

		if ((r = resolve_expr(e, qs, n, &x)) < 0)
			return r;
		if (x->kind == ORMC_EXPR_COND) {
			*out = x->cond;
			return ORMC_OK;
		}
		if (x->type.kind != ORMC_FIELD_BOOLEAN)
			return fail(e, ORMC_EINVALID, n->pos, n->end - n->pos,
			            "Cannot filter against a non-conditional expression.");
		c = new_cond(e, ORMC_COND_EXPR, n->pos, 0);
		if (c == NULL)
			return oom(e);
		c->lhs = x;
		c->has_agg = x->has_agg;
		*out = c;
		return ORMC_OK;
	}
}

/* ---------------------------------------------------------------- QuerySet methods */

static ormc_qs *
qs_new(ev *e, ormc_model *m, int pos, ormc_qs *outer)
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
		return oom(e);
	if (n)
		memcpy(p, *arr, size * (size_t)n);
	*arr = p;
	return ORMC_OK;
}

static int
add_filter(ev *e, ormc_qs *qs, const ormc_ast *call, int exclude)
{
	ormc_cond *c;
	int r, i;

	c = new_cond(e, ORMC_COND_AND, call->pos, call->nargs);
	if (c == NULL)
		return oom(e);
	/* filter(a=1, b=2) is Q(a=1, b=2): reuse the Q path on the call itself. */
	{
		ormc_ast q = *call, name;

		memset(&name, 0, sizeof(name));
		name.kind = ORMC_AST_NAME;
		name.str = "Q";
		name.len = 1;
		q.left = &name;
		if ((r = resolve_cond(e, qs, &q, &c)) < 0)
			return r;
	}
	if (exclude) {
		ormc_cond *n = new_cond(e, ORMC_COND_NOT, call->pos, 1);

		if (n == NULL)
			return oom(e);
		n->kids[0] = c;
		n->nkids = 1;
		n->has_agg = c->has_agg;
		c = n;
	}
	if (c->kind == ORMC_COND_TRUE)
		return ORMC_OK;
	if ((r = grow(e, (void **)&qs->filters, qs->nfilters, sizeof(ormc_filter))) < 0)
		return r;
	i = qs->nfilters++;
	qs->filters[i].cond = c;
	qs->filters[i].nannots_before = qs->nannots;
	return ORMC_OK;
}

/* Django's default alias: "price__avg", "authors__count". */
static const char *
default_alias(ev *e, const ormc_ast *arg, const ormc_expr *x)
{
	const ormc_ast *a;
	char lower[32];
	size_t i;

	if (x->kind != ORMC_EXPR_AGG || arg->kind != ORMC_AST_CALL)
		return NULL;
	if (arg->nargs < 1 || arg->kw[0] != NULL)
		return NULL;
	a = deref(e, arg->args[0]);
	for (i = 0; x->func[i] && i < sizeof(lower) - 1; i++)
		lower[i] = (char)tolower((unsigned char)x->func[i]);
	lower[i] = '\0';
	if (a->kind == ORMC_AST_STR)
		return ormc_arena_printf(e->a, "%s__%s", a->str, lower);
	if (a->kind == ORMC_AST_CALL && callee_name(a->left) && strcmp(callee_name(a->left), "F") == 0 &&
	    a->nargs == 1 && deref(e, a->args[0])->kind == ORMC_AST_STR)
		return ormc_arena_printf(e->a, "%s__%s", deref(e, a->args[0])->str, lower);
	return NULL;
}

/* annotate(Sum("n")) where n is an aggregate: Django's FieldError. */
static int
check_nested_agg(ev *e, const ormc_expr *x)
{
	int i, r;

	if (x == NULL || !x->has_agg)
		return ORMC_OK;
	if (x->kind == ORMC_EXPR_AGG) {
		const ormc_expr *a = x->nargs ? x->args[0] : NULL;

		if (a && a->has_agg) {
			const char *what = a->kind == ORMC_EXPR_REF ? a->annot->alias : "expression";

			return fail(e, ORMC_EINVALID, a->pos, a->kind == ORMC_EXPR_REF ? (int)strlen(what) : 1,
			            "Cannot compute %s('%s'): '%s' is an aggregate", x->func, what, what);
		}
		return ORMC_OK;
	}
	for (i = 0; i < x->nargs; i++)
		if ((r = check_nested_agg(e, x->args[i])) < 0)
			return r;
	return check_nested_agg(e, x->else_);
}

/* Resolve annotate()/aggregate()/alias() arguments into annotations. */
static int
collect_annots(ev *e, ormc_qs *qs, const ormc_ast *call, const char *method,
               ormc_annot ***out, int *nout, int into_qs)
{
	int i, r;

	for (i = 0; i < call->nargs; i++) {
		const ormc_ast *arg = call->args[i];
		const char *alias = call->kw[i];
		int pos = alias ? call->kw_pos[i] : arg->pos;
		ormc_expr *x;
		ormc_annot *an;

		if ((r = resolve_expr(e, qs, arg, &x)) < 0)
			return r;
		if (alias == NULL) {
			alias = default_alias(e, deref(e, arg), x);
			if (alias == NULL)
				return fail(e, ORMC_EINVALID, arg->pos, arg->end - arg->pos,
				            strcmp(method, "aggregate") == 0 ? "Complex aggregates require an alias"
				                                              : "Complex annotations require an alias");
		}
		if (x->type.kind == (ormc_field_kind)-2)
			return fail(e, ORMC_EINVALID, x->pos, 0, "%s", x->arg);
		if (strcmp(method, "aggregate") != 0 && (r = check_nested_agg(e, x)) < 0)
			return r;
		if (strcmp(method, "aggregate") == 0 && !x->has_agg)
			return fail(e, ORMC_EINVALID, arg->pos, arg->end - arg->pos,
			            "%s is not an aggregate expression", alias);
		if (into_qs && ormc_model_field(qs->model, alias) != NULL)
			return fail(e, ORMC_EINVALID, pos, (int)strlen(alias),
			            "The annotation '%s' conflicts with a field on the model.", alias);
		an = NEW(e, ormc_annot);
		if (an == NULL)
			return oom(e);
		an->alias = alias;
		an->expr = x;
		an->pos = pos;
		an->nfilters_before = qs->nfilters;
		an->hidden = strcmp(method, "alias") == 0;
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

static int
method_values(ev *e, ormc_qs *qs, const ormc_ast *call, const char *method)
{
	int i, r;
	ormc_outcol *cols = NULL;
	int n = 0;

	for (i = 0; i < call->nargs; i++) {
		const ormc_ast *a = deref(e, call->args[i]);
		ormc_expr *x;

		if (call->kw[i] != NULL) {
			if (strcmp(method, "values_list") == 0 && strcmp(call->kw[i], "flat") == 0) {
				int flat;

				if ((r = literal_bool(e, a, &flat)) < 0)
					return r;
				if (flat && call->nargs > 2)
					return fail(e, ORMC_EINVALID, call->kw_pos[i], 4,
					            "'flat' is not valid when values_list is called with more than one field.");
				qs->shape = flat ? ORMC_SHAPE_FLAT : ORMC_SHAPE_LISTS;
				continue;
			}
			if (strcmp(method, "values_list") == 0 && strcmp(call->kw[i], "named") == 0)
				continue;
			/* values(total=F("x")): an expression, as annotate() then values(). */
			if ((r = resolve_expr(e, qs, call->args[i], &x)) < 0)
				return r;
			if ((r = add_outcol(e, &cols, &n, call->kw[i], x)) < 0)
				return r;
			continue;
		}
		if (a->kind != ORMC_AST_STR)
			return fail(e, ORMC_EINVALID, a->pos, a->end - a->pos,
			            "%s() takes field names as strings", method);
		if ((r = resolve_ref(e, qs, qs->model, a->str, a->pos + 1, 1, &x)) < 0)
			return r;
		if ((r = add_outcol(e, &cols, &n, a->str, x)) < 0)
			return r;
	}
	if (strcmp(method, "values_list") == 0 && qs->shape == ORMC_SHAPE_OBJECTS)
		qs->shape = ORMC_SHAPE_LISTS;
	if (qs->shape == ORMC_SHAPE_FLAT && n != 1)
		return fail(e, ORMC_EINVALID, call->pos, call->end - call->pos,
		            "'flat' is not valid when values_list is called with more than one field.");
	qs->values = cols;
	qs->nvalues = n;
	qs->values_set = 1;
	if (qs->grouped || qs->per_object)
		qs->regroup = 1;
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
		const ormc_ast *a = deref(e, call->args[i]);
		ormc_order_item it;
		ormc_expr *x;

		memset(&it, 0, sizeof(it));
		it.pos = a->pos;
		if (call->kw[i] != NULL)
			return fail(e, ORMC_EINVALID, call->kw_pos[i], 1, "order_by() takes no keyword arguments");
		if (a->kind == ORMC_AST_STR) {
			const char *s = a->str;
			int off = a->pos + 1;

			if (strcmp(s, "?") == 0)
				return fail(e, ORMC_EUNSUPPORTED, a->pos, a->end - a->pos,
				            "random ordering ('?') gives different rows on every backend; not supported");
			if (s[0] == '-') {
				it.desc = 1;
				s++;
				off++;
			}
			if ((r = resolve_ref(e, qs, qs->model, s, off, 1, &x)) < 0)
				return r;
		} else if (a->kind == ORMC_AST_CALL && a->left->kind == ORMC_AST_ATTR &&
		           (strcmp(a->left->str, "desc") == 0 || strcmp(a->left->str, "asc") == 0)) {
			/* F("x").desc(nulls_last=True) */
			callargs c;
			const ormc_ast *k;
			int b;

			if ((r = resolve_expr(e, qs, a->left->left, &x)) < 0)
				return r;
			it.desc = strcmp(a->left->str, "desc") == 0;
			callargs_init(&c, a, a->left->str);
			if ((k = kwarg(&c, "nulls_first")) != NULL) {
				if ((r = literal_bool(e, k, &b)) < 0)
					return r;
				if (b)
					it.nulls = 1;
			}
			if ((k = kwarg(&c, "nulls_last")) != NULL) {
				if ((r = literal_bool(e, k, &b)) < 0)
					return r;
				if (b)
					it.nulls = 2;
			}
			if ((r = callargs_done(e, &c)) < 0)
				return r;
		} else {
			if ((r = resolve_expr(e, qs, call->args[i], &x)) < 0)
				return r;
		}
		it.expr = x;
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
	n = deref(e, n);
	switch (n->kind) {
	case ORMC_AST_CALL:
		if (n->left->kind != ORMC_AST_NAME || (name = callee_name(n->left)) == NULL)
			return 0;
		if (is_aggregate_name(name))
			return 1;
		if (strcmp(name, "Subquery") == 0 || strcmp(name, "Exists") == 0)
			return 0;
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
	if (x->kind != ORMC_EXPR_REF || (an = find_annot(qs, x->annot->alias)) == NULL)
		return fail(e, ORMC_EUNSUPPORTED, x->pos, 1,
		            "only fields and annotations can be %s when values() regroups aggregated rows", what);
	y = new_expr(e, ORMC_EXPR_REF, x->pos);
	if (y == NULL)
		return oom(e);
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
static int
open_level(ev *e, ormc_qs *qs)
{
	ormc_qs *lower = NEW(e, ormc_qs);
	ormc_annot **annots;
	int i, r;

	if (lower == NULL)
		return oom(e);
	*lower = *qs;
	lower->order = NULL;
	lower->norder = 0;
	lower->regroup = 0;
	annots = ormc_arena_alloc(e->a, sizeof(ormc_annot *) * (size_t)(qs->nannots + 1));
	if (annots == NULL)
		return oom(e);
	for (i = 0; i < qs->nannots; i++) {
		ormc_annot *an = NEW(e, ormc_annot);
		ormc_expr *x = new_expr(e, ORMC_EXPR_INNER, qs->annots[i]->pos);

		if (an == NULL || x == NULL)
			return oom(e);
		*an = *qs->annots[i];
		x->annot = qs->annots[i];
		x->type = qs->annots[i]->expr->type;
		an->expr = x;
		an->nfilters_before = 0;
		annots[i] = an;
	}
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
			return oom(e);
		memcpy(v, qs->values, sizeof(ormc_outcol) * (size_t)qs->nvalues);
		qs->values = v;
	}
	for (i = 0; i < qs->nvalues; i++)
		if ((r = relevel_ref(e, qs, &qs->values[i].expr, "selected")) < 0)
			return r;
	if (qs->norder > 0) {
		ormc_order_item *o = ormc_arena_alloc(e->a, sizeof(ormc_order_item) * (size_t)qs->norder);

		if (o == NULL)
			return oom(e);
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
		return fail(e, ORMC_EINVALID, call->pos, 1, "%s() after a terminal call", method);
	if (qs->regroup)
		for (i = 0; i < call->nargs; i++)
			if (ast_has_agg(e, call->args[i])) {
				if ((r = open_level(e, qs)) < 0)
					return r;
				break;
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
		if (qs->values_set && qs->nvalues > 0) {
			qs->grouped = 1;
			qs->group = qs->values;
			qs->ngroup = qs->nvalues;
		} else {
			qs->per_object = 1;
		}
	}
	/* After values(), new annotations join the selected columns. */
	if (qs->values_set) {
		for (i = first; i < qs->nannots; i++) {
			ormc_expr *x;

			if (qs->annots[i]->hidden)
				continue;
			x = new_expr(e, ORMC_EXPR_REF, qs->annots[i]->pos);
			if (x == NULL)
				return oom(e);
			x->annot = qs->annots[i];
			x->type = qs->annots[i]->expr->type;
			x->has_agg = qs->annots[i]->expr->has_agg;
			if ((r = add_outcol(e, &qs->values, &qs->nvalues, qs->annots[i]->alias, x)) < 0)
				return r;
		}
	}
	return ORMC_OK;
}

static int
apply_method(ev *e, ormc_qs *qs, const ormc_ast *call, const char *m)
{
	int r;
	callargs c;

	if (qs->terminal != ORMC_TERM_NONE)
		return fail(e, ORMC_EINVALID, call->left->name_pos, (int)strlen(m),
		            "'%s' object has no attribute '%s'",
		            qs->terminal == ORMC_TERM_AGGREGATE ? "dict" :
		            qs->terminal == ORMC_TERM_COUNT ? "int" : "bool", m);
	if ((qs->limit >= 0 || qs->offset > 0) &&
	    (strcmp(m, "filter") == 0 || strcmp(m, "exclude") == 0 || strcmp(m, "annotate") == 0))
		return fail(e, ORMC_EINVALID, call->left->name_pos, (int)strlen(m),
		            "Cannot filter a query once a slice has been taken.");
	if ((qs->limit >= 0 || qs->offset > 0) && strcmp(m, "order_by") == 0)
		return fail(e, ORMC_EINVALID, call->left->name_pos, (int)strlen(m),
		            "Cannot reorder a query once a slice has been taken.");
	callargs_init(&c, call, m);
	if (strcmp(m, "all") == 0) {
		return callargs_done(e, &c);
	} else if (strcmp(m, "filter") == 0 || strcmp(m, "exclude") == 0) {
		return add_filter(e, qs, call, m[0] == 'e');
	} else if (strcmp(m, "annotate") == 0 || strcmp(m, "alias") == 0) {
		return method_annotate(e, qs, call, m);
	} else if (strcmp(m, "values") == 0 || strcmp(m, "values_list") == 0) {
		return method_values(e, qs, call, m);
	} else if (strcmp(m, "order_by") == 0) {
		return method_order_by(e, qs, call);
	} else if (strcmp(m, "reverse") == 0) {
		qs->reverse = !qs->reverse;
		return callargs_done(e, &c);
	} else if (strcmp(m, "distinct") == 0) {
		if (call->nargs > 0)
			return fail(e, ORMC_EUNSUPPORTED, call->args[0]->pos, 1,
			            "DISTINCT ON fields is not supported by this database backend");
		qs->distinct = 1;
		return ORMC_OK;
	} else if (strcmp(m, "aggregate") == 0) {
		if ((r = collect_annots(e, qs, call, m, &qs->aggregates, &qs->naggregates, 0)) < 0)
			return r;
		qs->terminal = ORMC_TERM_AGGREGATE;
		return ORMC_OK;
	} else if (strcmp(m, "count") == 0 || strcmp(m, "exists") == 0) {
		qs->terminal = m[0] == 'c' ? ORMC_TERM_COUNT : ORMC_TERM_EXISTS;
		return callargs_done(e, &c);
	} else if (strcmp(m, "first") == 0 || strcmp(m, "last") == 0) {
		/* Ordered by the query's ordering, else the primary key (Django). */
		if (!qs->order_set && qs->model->nordering == 0) {
			ormc_expr *pk;

			if ((r = resolve_ref(e, qs, qs->model, "pk", call->pos, 0, &pk)) < 0)
				return r;
			qs->order = ormc_arena_alloc(e->a, sizeof(ormc_order_item));
			if (qs->order == NULL)
				return oom(e);
			qs->order[0].expr = pk;
			qs->norder = 1;
			qs->order_set = 1;
		}
		if (m[0] == 'l')
			qs->reverse = !qs->reverse;
		qs->limit = 1;
		return callargs_done(e, &c);
	}
	return fail(e, ORMC_EUNSUPPORTED, call->left->name_pos, (int)strlen(m),
	            "QuerySet method '%s' is not supported", m);
}

/*
 * qs[start:stop] (stop -1: open). Slicing a slice narrows it: the bounds are
 * relative to the current offset and never reach past the current end.
 */
static void
qs_slice(ormc_qs *qs, int64_t start, int64_t stop)
{
	int64_t old_end = qs->limit < 0 ? -1 : qs->offset + qs->limit;
	int64_t new_off = qs->offset + start;
	int64_t new_end = stop < 0 ? -1 : qs->offset + stop;

	if (old_end >= 0 && (new_end < 0 || new_end > old_end))
		new_end = old_end;
	qs->offset = new_off;
	qs->limit = new_end < 0 ? -1 : (new_end > new_off ? new_end - new_off : 0);
}

/* Evaluate an expression that must yield a QuerySet. */
static int
eval_qs(ev *e, const ormc_ast *n0, ormc_qs *outer, ormc_qs **out)
{
	const ormc_ast *n = deref(e, n0);
	int r;

	if (++e->depth > MAX_DEPTH) {
		e->depth--;
		return fail(e, ORMC_EINVALID, n->pos, 1, "query nested too deeply");
	}
	r = ORMC_OK;
	switch (n->kind) {
	case ORMC_AST_ATTR:
		if (strcmp(n->str, "objects") == 0 && n->left->kind == ORMC_AST_NAME) {
			ormc_model *m = ormc_schema_model(e->s, n->left->str);

			if (m == NULL) {
				r = fail(e, ORMC_ENOFIELD, n->left->pos, n->left->end - n->left->pos,
				         "name '%s' is not defined: no such model in the models file", n->left->str);
				break;
			}
			if ((*out = qs_new(e, m, n->pos, outer)) == NULL)
				r = oom(e);
			break;
		}
		r = fail(e, ORMC_EINVALID, n->name_pos, (int)n->len,
		         "expected Model.objects or a QuerySet method, got '%s'", n->str);
		break;
	case ORMC_AST_CALL:
		if (n->left->kind == ORMC_AST_ATTR) {
			if ((r = eval_qs(e, n->left->left, outer, out)) < 0)
				break;
			r = apply_method(e, *out, n, n->left->str);
			break;
		}
		r = fail(e, ORMC_EINVALID, n->pos, n->end - n->pos, "expected a QuerySet");
		break;
	case ORMC_AST_SLICE:
	case ORMC_AST_INDEX: {
		const ormc_ast *lo = n->right;
		const ormc_ast *hi = n->kind == ORMC_AST_SLICE ? n->third : NULL;
		int64_t start = 0, stop = -1;

		if ((r = eval_qs(e, n->left, outer, out)) < 0)
			break;
		if ((lo && deref(e, lo)->kind == ORMC_AST_NEG) || (hi && deref(e, hi)->kind == ORMC_AST_NEG)) {
			r = fail(e, ORMC_EINVALID, n->pos, n->end - n->pos, "Negative indexing is not supported.");
			break;
		}
		if (lo && (lo = deref(e, lo))->kind != ORMC_AST_INT) {
			r = fail(e, ORMC_EINVALID, lo->pos, lo->end - lo->pos, "slice bounds must be integers");
			break;
		}
		if (hi && (hi = deref(e, hi))->kind != ORMC_AST_INT) {
			r = fail(e, ORMC_EINVALID, hi->pos, hi->end - hi->pos, "slice bounds must be integers");
			break;
		}
		if (lo)
			start = lo->ival;
		if (n->kind == ORMC_AST_INDEX)
			stop = start + 1;
		else if (hi)
			stop = hi->ival;
		if (start < 0 || (stop >= 0 && stop < 0)) {
			r = fail(e, ORMC_EINVALID, n->pos, n->end - n->pos, "Negative indexing is not supported.");
			break;
		}
		if ((*out)->terminal != ORMC_TERM_NONE) {
			r = fail(e, ORMC_EINVALID, n->pos, n->end - n->pos, "cannot slice the result of a terminal call");
			break;
		}
		qs_slice(*out, start, stop);
		break;
	}
	default:
		r = fail(e, ORMC_EINVALID, n->pos, n->end - n->pos, "expected a QuerySet such as Book.objects.all()");
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
	ormc_arena_init(&q->plan_arena);
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
	r = eval_qs(&e, script.stmts[last].expr, NULL, &q->qs);
	if (r < 0)
		goto fail;
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

const char *
ormc_query_sql(const ormc_query *q)
{
	return q->sql;
}

int
ormc_query_nparams(const ormc_query *q)
{
	return q->nparams;
}

const ormc_value *
ormc_query_param(const ormc_query *q, int i)
{
	return i >= 0 && i < q->nparams ? q->params[i] : NULL;
}

int
ormc_query_ncolumns(const ormc_query *q)
{
	return q->ncolumns;
}

const char *
ormc_query_column(const ormc_query *q, int i)
{
	return i >= 0 && i < q->ncolumns ? q->columns[i] : NULL;
}

int
ormc_query_compile(ormc_query *q, const char *dialect, int server_version, ormc_error *err)
{
	ormc_error_clear(err);
	return ormc_plan_compile(q, dialect, server_version, err);
}

void
ormc_query_free(ormc_query *q)
{
	if (q == NULL)
		return;
	free(q->sql);
	free(q->text);
	ormc_arena_free(&q->plan_arena);
	ormc_arena_free(&q->arena);
	free(q);
}

/* ---------------------------------------------------------------- the C API */

/*
 * Built queries reuse the text path: each call makes the AST the text would
 * have given and applies it, so both forms mean exactly the same. There is
 * no text, so positions are -1 and errors carry no caret.
 */
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
	ormc_arena_init(&q->plan_arena);
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

	ormc_error_clear(err);
	if (call == NULL || attr == NULL || (attr->str = ormc_arena_strdup(&q->arena, method)) == NULL ||
	    args_node(q, call, args, nargs, kw, kwargs, nkw) == NULL)
		return ormc_error_set(err, ORMC_ENOMEM, NULL, -1, 0, "out of memory (or a NULL node)");
	attr->len = strlen(method);
	call->left = attr;
	api_ev(&e, q, err);
	free(q->sql);
	q->sql = NULL;
	q->dialect = NULL;
	return apply_method(&e, q->qs, call, method);
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
	qs_slice(qs, start, stop);
	free(q->sql);
	q->sql = NULL;
	q->dialect = NULL;
	return ORMC_OK;
}
