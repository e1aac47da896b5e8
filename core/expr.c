/*
 * expr.c -- expressions: F, Value, aggregates, functions, Case/When,
 * Subquery, Exists, OuterRef, arithmetic.
 *
 * An expression AST is resolved against the QuerySet that uses it, giving an
 * ormc_expr with its output type (Django's output_field, including its
 * "mixed types" and "cannot infer type" errors) and has_agg set when an
 * aggregate is inside. Strings name fields where Django reads them as F()
 * (aggregate and function arguments) and are values elsewhere.
 */
#include <string.h>

#include "query_int.h"

/* The kind NULL values have before they meet a typed operand. */
#define KIND_NULL ((ormc_field_kind)-1)

ormc_expr *
ormc_expr_new(ev *e, ormc_expr_kind kind, int pos)
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
	ormc_expr *x = ormc_expr_new(e, ORMC_EXPR_VALUE, n->pos);

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
	case ORMC_AST_LITERAL:
		x->value.type = (ormc_type)n->vtype;
		x->value.s = n->str;
		x->value.len = n->len;
		x->value.i = n->ival;
		x->type.kind = n->vtype == ORMC_TYPE_DECIMAL ? ORMC_FIELD_DECIMAL
		             : n->vtype == ORMC_TYPE_DATE ? ORMC_FIELD_DATE
		             : n->vtype == ORMC_TYPE_DATETIME ? ORMC_FIELD_DATETIME
		             : n->vtype == ORMC_TYPE_TIME ? ORMC_FIELD_TIME : ORMC_FIELD_DURATION;
		if (n->vtype == ORMC_TYPE_DECIMAL) {
			/* its own places: F("price") * Decimal("1.5") has 3, as PostgreSQL computes it */
			const char *dot = memchr(n->str, '.', n->len);
			int places = 0;

			while (dot != NULL && ++dot < n->str + n->len && *dot >= '0' && *dot <= '9')
				places++;
			x->type.decimal_places = memchr(n->str, 'e', n->len) || memchr(n->str, 'E', n->len)
			                       ? -1 : places;
		}
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
	case ORMC_AST_TRUE: case ORMC_AST_FALSE: case ORMC_AST_NONE: case ORMC_AST_LITERAL:
		return 1;
	default:
		return 0;
	}
}

/*
 * Is a field of kind a an instance of b's class (isinstance(a, type(b)) in
 * Django's _resolve_output_field)? AutoField, BigIntegerField,
 * SmallIntegerField, PositiveIntegerField and PositiveBigIntegerField
 * subclass IntegerField; BigAutoField subclasses BigIntegerField,
 * SmallAutoField and PositiveSmallIntegerField SmallIntegerField.
 */
static int
is_instance_of(ormc_field_kind a, ormc_field_kind b)
{
	if (a == b)
		return 1;
	if (b == ORMC_FIELD_INTEGER)
		return a == ORMC_FIELD_AUTO || a == ORMC_FIELD_BIGAUTO || a == ORMC_FIELD_SMALLAUTO ||
		       a == ORMC_FIELD_BIGINTEGER || a == ORMC_FIELD_SMALLINTEGER ||
		       a == ORMC_FIELD_POSITIVEINTEGER || a == ORMC_FIELD_POSITIVESMALLINTEGER ||
		       a == ORMC_FIELD_POSITIVEBIGINTEGER;
	if (b == ORMC_FIELD_BIGINTEGER)
		return a == ORMC_FIELD_BIGAUTO;
	if (b == ORMC_FIELD_SMALLINTEGER)
		return a == ORMC_FIELD_SMALLAUTO || a == ORMC_FIELD_POSITIVESMALLINTEGER;
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
		} else if (!is_instance_of(out->kind, t.kind)) {
			/* The first source is the output field: every other must be its class or a base. */
			return ormc_ev_fail(e, ORMC_EINVALID, pos, 0,
			                    "Expression contains mixed types: %s, %s. You must set output_field.",
			                    ormc_field_kind_name(out->kind), ormc_field_kind_name(t.kind));
		} else if (out->kind == ORMC_FIELD_DECIMAL && t.decimal_places > out->decimal_places) {
			out->decimal_places = t.decimal_places;
		}
	}
	if (!have)
		*out = ormc_otype_of(KIND_NULL, -1, -1);
	return ORMC_OK;
}

/* An argument that names a field ("price") or is an expression. */
int
ormc_resolve_arg(ev *e, ormc_qs *qs, const ormc_ast *n, ormc_expr **out)
{
	const ormc_ast *d = ormc_ev_deref(e, n);

	if (d->kind == ORMC_AST_STR)
		return ormc_resolve_ref(e, qs, qs->model, d->str, d->pos + 1, 1, out);
	return ormc_resolve_expr(e, qs, n, out);
}

static const char *const aggregates[] = {
	"Count", "Sum", "Avg", "Min", "Max", "StdDev", "Variance",
};

int
ormc_is_aggregate_name(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(aggregates) / sizeof(aggregates[0]); i++)
		if (strcmp(aggregates[i], name) == 0)
			return 1;
	return 0;
}

/*
 * Avg, StdDev, Variance of a decimal: a decimal of the field's places + 6
 * (docs/semantics.md), where Django would give whatever the engine computed.
 */
ormc_otype
ormc_quotient_type(ormc_otype src)
{
	ormc_otype t = ormc_otype_of(ORMC_FIELD_DECIMAL, -1, -1);

	if (src.decimal_places >= 0) {
		t.decimal_places = src.decimal_places + ORMC_QUOTIENT_PLACES;
		t.quotient = 1;
	}
	return t;
}

/* Count(...), Sum(...), ...: the argument, distinct=, filter=, default=, output_field=. */
int
ormc_resolve_agg(ev *e, ormc_qs *qs, const ormc_ast *n, const char *name, ormc_expr **out)
{
	callargs c;
	const ormc_ast *arg, *a;
	ormc_expr *x = ormc_expr_new(e, ORMC_EXPR_AGG, n->pos), *src = NULL;
	int r, star = 0;

	if (x == NULL)
		return ormc_ev_oom(e);
	ormc_callargs_init(&c, n, name);
	x->func = name;
	x->has_agg = 1;
	arg = ormc_positional(&c, 0);
	if (arg == NULL)
		return ormc_ev_fail(e, ORMC_EINVALID, n->pos, n->end - n->pos,
		                    "%s() missing 1 required positional argument: 'expression'", name);
	if (ormc_positional(&c, 1) != NULL)
		return ormc_ev_fail(e, ORMC_EINVALID, n->pos, n->end - n->pos,
		                    "%s() takes exactly 1 expression", name);
	a = ormc_ev_deref(e, arg);
	if (a->kind == ORMC_AST_STR && strcmp(a->str, "*") == 0) {
		if (strcmp(name, "Count") != 0)
			return ormc_ev_fail(e, ORMC_EINVALID, a->pos, a->end - a->pos,
			                    "Cannot resolve keyword '*' into field.");
		star = 1;
	} else {
		if ((r = ormc_resolve_arg(e, qs, arg, &src)) < 0)
			return r;
		/* Over an aggregate: only aggregate() may (it wraps the query); see collect_annots. */
	}
	if ((a = ormc_kwarg(&c, "distinct")) != NULL && (r = ormc_literal_bool(e, a, &x->distinct)) < 0)
		return r;
	if ((a = ormc_kwarg(&c, "filter")) != NULL) {
		if (star)
			return ormc_ev_fail(e, ORMC_EINVALID, a->pos, a->end - a->pos,
			                    "Star cannot be used with filter. Please based your filter on a field.");
		if ((r = ormc_resolve_cond(e, qs, a, &x->filter)) < 0)
			return r;
	}
	if ((a = ormc_kwarg(&c, "sample")) != NULL) {
		if (strcmp(name, "StdDev") != 0 && strcmp(name, "Variance") != 0)
			return ormc_ev_fail(e, ORMC_EINVALID, a->pos - 7, 6,
			                    "%s() got an unexpected keyword argument 'sample'", name);
		if ((r = ormc_literal_bool(e, a, &x->sample)) < 0)
			return r;
	}
	if (x->distinct && strcmp(name, "Count") != 0 && strcmp(name, "Sum") != 0 &&
	    strcmp(name, "Avg") != 0)
		return ormc_ev_fail(e, ORMC_EINVALID, n->pos, n->end - n->pos,
		                    "%s does not allow distinct.", name);
	x->args = ormc_arena_alloc(e->a, sizeof(ormc_expr *));
	if (x->args == NULL)
		return ormc_ev_oom(e);
	x->args[0] = src;
	x->nargs = src ? 1 : 0;
	/* JSON and binary values have no order or sum on every engine: Count only. */
	if (src != NULL && strcmp(name, "Count") != 0 &&
	    !ormc_field_kind_is_scalar(src->type.kind))
		return ormc_ev_fail(e, ORMC_EUNSUPPORTED, n->pos, n->end - n->pos,
		                    "%s of a %s cannot be computed: only Count aggregates JSON and binary values",
		                    name, ormc_field_kind_name(src->type.kind));
	/* Output type, as Django's aggregates resolve it. */
	if (strcmp(name, "Count") == 0) {
		x->type = ormc_otype_of(ORMC_FIELD_INTEGER, -1, -1);
	} else if (strcmp(name, "StdDev") == 0 || strcmp(name, "Variance") == 0) {
		x->type = src->type.kind == ORMC_FIELD_DECIMAL ? ormc_quotient_type(src->type)
		                                               : ormc_otype_of(ORMC_FIELD_FLOAT, -1, -1);
	} else if (strcmp(name, "Avg") == 0) {
		if (src->type.kind == ORMC_FIELD_DECIMAL)
			x->type = ormc_quotient_type(src->type);
		else if (ormc_field_kind_is_int(src->type.kind) || src->type.kind == ORMC_FIELD_FLOAT ||
		         src->type.kind == KIND_NULL)
			x->type = ormc_otype_of(ORMC_FIELD_FLOAT, -1, -1);
		else if (src->type.kind == ORMC_FIELD_DURATION)
			x->type = src->type;
		else
			return ormc_ev_fail(e, ORMC_EINVALID, n->pos, n->end - n->pos,
			                    "Cannot compute Avg of a %s", ormc_field_kind_name(src->type.kind));
	} else {
		x->type = src->type;
		if (ormc_field_kind_is_int(x->type.kind))
			x->type.kind = strcmp(name, "Sum") == 0 ? ORMC_FIELD_INTEGER : x->type.kind;
	}
	if ((a = ormc_kwarg(&c, "output_field")) != NULL) {
		if ((r = ormc_output_field(e, a, &x->type)) < 0)
			return r;
		x->type_set = 1;
	} else if (src && src->type.kind == (ormc_field_kind)-2) {
		return ormc_ev_fail(e, ORMC_EINVALID, src->pos, 0, "%s", src->arg);
	}
	if ((a = ormc_kwarg(&c, "default")) != NULL) {
		if (strcmp(name, "Count") == 0)
			return ormc_ev_fail(e, ORMC_EINVALID, a->pos, a->end - a->pos, "Count does not allow default.");
		if ((r = ormc_resolve_arg(e, qs, a, &x->deflt)) < 0)
			return r;
		if ((r = ormc_param_meet(e, x->deflt, &x->type)) < 0)
			return r;
		if (!x->type_set && x->type.kind == ORMC_FIELD_DECIMAL &&
		    x->deflt->type.kind == ORMC_FIELD_DECIMAL &&
		    x->deflt->type.decimal_places > x->type.decimal_places) {
			/*
			 * Sum("price", default=Decimal("3.14159")): Django gives the
			 * default as it is; the result has its places, not the
			 * field's, so no answer is rounded.
			 */
			int ints = x->type.max_digits - x->type.decimal_places;
			int dints = x->deflt->type.max_digits - x->deflt->type.decimal_places;

			x->type.decimal_places = x->deflt->type.decimal_places;
			if (x->type.max_digits >= 0)
				x->type.max_digits = (dints > ints ? dints : ints) + x->type.decimal_places;
		}
	}
	if ((r = ormc_callargs_done(e, &c)) < 0)
		return r;
	if (x->deflt != NULL && x->deflt->has_agg) {
		/*
		 * A default that is itself an aggregate (Django 4.0:
		 * Sum("price", default=Avg("pages") / 10.0)): Django's own form,
		 * Coalesce(Sum("price"), default, output_field=the aggregate's).
		 */
		ormc_expr *co = ormc_expr_new(e, ORMC_EXPR_FUNC, n->pos);

		if (co == NULL || (co->args = ormc_arena_alloc(e->a, sizeof(ormc_expr *) * 2)) == NULL)
			return ormc_ev_oom(e);
		co->func = "Coalesce";
		co->args[0] = x;
		co->args[1] = x->deflt;
		co->nargs = 2;
		co->type = x->type;
		co->type_set = 1;
		co->has_agg = 1;
		x->deflt = NULL;
		*out = co;
		return ORMC_OK;
	}
	*out = x;
	return ORMC_OK;
}

/* Case(When(...), ..., default=..., output_field=...) */
static int
resolve_case(ev *e, ormc_qs *qs, const ormc_ast *n, ormc_expr **out)
{
	ormc_expr *x = ormc_expr_new(e, ORMC_EXPR_CASE, n->pos);
	ormc_expr **thens;
	ormc_expr **all;
	int npos = ormc_npositional(n), i, r, nall = 0;
	callargs c;
	const ormc_ast *a;

	if (x == NULL)
		return ormc_ev_oom(e);
	ormc_callargs_init(&c, n, "Case");
	x->whens = ormc_arena_alloc(e->a, sizeof(ormc_cond *) * (size_t)(npos + 1));
	thens = ormc_arena_alloc(e->a, sizeof(ormc_expr *) * (size_t)(npos + 1));
	all = ormc_arena_alloc(e->a, sizeof(ormc_expr *) * (size_t)(npos + 1));   /* the thens and the default */
	if (x->whens == NULL || thens == NULL || all == NULL)
		return ormc_ev_oom(e);
	for (i = 0; i < npos; i++) {
		const ormc_ast *w = ormc_ev_deref(e, ormc_positional(&c, i));
		callargs wc;
		const ormc_ast *then;
		ormc_cond *cond = NULL, *kw = NULL;
		int j;

		if (w->kind != ORMC_AST_CALL || ormc_callee_name(w->left) == NULL ||
		    strcmp(ormc_callee_name(w->left), "When") != 0)
			return ormc_ev_fail(e, ORMC_EINVALID, w->pos, w->end - w->pos,
			                    "Positional arguments must all be When objects.");
		ormc_callargs_init(&wc, w, "When");
		then = ormc_kwarg(&wc, "then");
		if (then == NULL)
			return ormc_ev_fail(e, ORMC_EINVALID, w->pos, w->end - w->pos,
			                    "When() missing 1 required keyword argument: 'then'");
		/* The condition: a positional Q / Exists, and/or lookups as keywords. */
		for (j = 0; j < w->nargs; j++) {
			ormc_cond *leaf;

			if (wc.used[j])
				continue;
			wc.used[j] = 1;
			if (w->kw[j] == NULL) {
				if ((r = ormc_resolve_cond(e, qs, w->args[j], &leaf)) < 0)
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
					if ((r = ormc_resolve_cond(e, qs, &q, &leaf)) < 0)
						return r;
				}
			}
			if (cond == NULL) {
				cond = leaf;
			} else {
				kw = NEW(e, ormc_cond);
				if (kw == NULL)
					return ormc_ev_oom(e);
				kw->kind = ORMC_COND_AND;
				kw->kids = ormc_arena_alloc(e->a, sizeof(ormc_cond *) * 2);
				if (kw->kids == NULL)
					return ormc_ev_oom(e);
				kw->kids[0] = cond;
				kw->kids[1] = leaf;
				kw->nkids = 2;
				kw->has_agg = cond->has_agg || leaf->has_agg;
				cond = kw;
			}
		}
		if (cond == NULL)
			return ormc_ev_fail(e, ORMC_EINVALID, w->pos, w->end - w->pos,
			                    "An empty Q() can't be used as a When() condition.");
		x->whens[i] = cond;
		if ((r = ormc_resolve_arg(e, qs, then, &thens[i])) < 0)
			return r;
		x->has_agg |= thens[i]->has_agg | cond->has_agg;
		all[nall++] = thens[i];
	}
	x->args = thens;
	x->nargs = npos;
	if ((a = ormc_kwarg(&c, "default")) != NULL) {
		if ((r = ormc_resolve_arg(e, qs, a, &x->else_)) < 0)
			return r;
		x->has_agg |= x->else_->has_agg;
		all[nall++] = x->else_;
	}
	if ((a = ormc_kwarg(&c, "output_field")) != NULL) {
		if ((r = ormc_output_field(e, a, &x->type)) < 0)
			return r;
		x->type_set = 1;
	} else if ((r = common_type(e, all, nall, n->pos, &x->type)) < 0) {
		return r;
	}
	if ((r = ormc_param_meet_all(e, all, nall, &x->type)) < 0 ||
	    (r = ormc_callargs_done(e, &c)) < 0)
		return r;
	*out = x;
	return ORMC_OK;
}

/* Functions with expression arguments: Coalesce, Greatest, Upper, ... */
static const struct {
	const char *name;
	int min, max;             /* positional arguments */
	int typing;               /* 0: common type of args, 1: int, 2: text, 3: first arg, 4: float,
	                             5: Django's NumericOutputFieldMixin (decimal if a source is, else float),
	                             6: datetime */
} functions[] = {
	{ "Coalesce", 2, 32, 0 }, { "Greatest", 2, 32, 0 }, { "Least", 2, 32, 0 },
	{ "NullIf", 2, 2, 3 },
	{ "Upper", 1, 1, 2 }, { "Lower", 1, 1, 2 }, { "Length", 1, 1, 1 },
	{ "Trim", 1, 1, 2 }, { "Concat", 2, 32, 2 },
	{ "Abs", 1, 1, 3 }, { "Round", 1, 2, 3 }, { "Floor", 1, 1, 3 }, { "Ceil", 1, 1, 3 },
	{ "Sqrt", 1, 1, 5 }, { "Power", 2, 2, 5 }, { "Mod", 2, 2, 5 },
	{ "Substr", 2, 3, 2 }, { "Left", 2, 2, 2 }, { "Right", 2, 2, 2 }, { "StrIndex", 2, 2, 1 },
	{ "Replace", 2, 3, 2 }, { "LTrim", 1, 1, 2 }, { "RTrim", 1, 1, 2 }, { "LPad", 2, 3, 2 },
	{ "RPad", 2, 3, 2 }, { "Repeat", 2, 2, 2 }, { "Reverse", 1, 1, 2 },
	{ "Sign", 1, 1, 3 }, { "Ln", 1, 1, 5 }, { "Log", 2, 2, 5 }, { "Exp", 1, 1, 5 },
	{ "Now", 0, 0, 6 }, { "Random", 0, 0, 4 },
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
	int np = ormc_npositional(n), j, r;
	const ormc_ast *a, *kwargs[2] = { NULL, NULL };

	ormc_callargs_init(&c, n, name);
	/* Extract("field", "year") / ExtractYear("field") / Trunc("f", "month") / TruncMonth("f") */
	for (i = 0; i < sizeof(extract_funcs) / sizeof(extract_funcs[0]); i++)
		if (strcmp(extract_funcs[i].name, name) == 0)
			break;
	if (i < sizeof(extract_funcs) / sizeof(extract_funcs[0]) ||
	    strcmp(name, "Extract") == 0 || strcmp(name, "Trunc") == 0) {
		int trunc = name[0] == 'T';
		const char *part;
		ormc_expr *src;

		x = ormc_expr_new(e, ORMC_EXPR_FUNC, n->pos);
		if (x == NULL)
			return ormc_ev_oom(e);
		if ((a = ormc_positional(&c, 0)) == NULL)
			return ormc_ev_fail(e, ORMC_EINVALID, n->pos, n->end - n->pos, "%s() needs an expression", name);
		if ((r = ormc_resolve_arg(e, qs, a, &src)) < 0)
			return r;
		if (i < sizeof(extract_funcs) / sizeof(extract_funcs[0])) {
			part = extract_funcs[i].part;
		} else {
			const ormc_ast *k = ormc_positional(&c, 1);

			if (k == NULL && (k = ormc_kwarg(&c, trunc ? "kind" : "lookup_name")) == NULL)
				return ormc_ev_fail(e, ORMC_EINVALID, n->pos, n->end - n->pos, "%s() needs a kind", name);
			if ((r = ormc_literal_str(e, k, &part)) < 0)
				return r;
		}
		if (!trunc && !ormc_transform_applies(part, src->type.kind))
			return ormc_ev_fail(e, ORMC_EINVALID, a->pos, a->end - a->pos,
			                    "Extract input expression must be DateField, DateTimeField, TimeField, or DurationField.");
		if (trunc) {
			/* Django's TruncBase checks: a date has no hours, a time no days */
			int timepart = strcmp(part, "hour") == 0 || strcmp(part, "minute") == 0 ||
			               strcmp(part, "second") == 0 || strcmp(part, "time") == 0;
			const char *what = a->kind == ORMC_AST_STR ? a->str : "expression";

			if (src->type.kind == ORMC_FIELD_DATE && timepart)
				return ormc_ev_fail(e, ORMC_EINVALID, n->pos, n->end - n->pos,
				                    "Cannot truncate DateField '%s' to DateTimeField.", what);
			if (src->type.kind == ORMC_FIELD_TIME && !timepart)
				return ormc_ev_fail(e, ORMC_EINVALID, n->pos, n->end - n->pos,
				                    "Cannot truncate TimeField '%s' to DateTimeField.", what);
			if (src->type.kind != ORMC_FIELD_DATE && src->type.kind != ORMC_FIELD_DATETIME &&
			    src->type.kind != ORMC_FIELD_TIME && (int)src->type.kind >= 0)
				return ormc_ev_fail(e, ORMC_EINVALID, n->pos, n->end - n->pos,
				                    "Trunc only valid on DateField, TimeField, or DateTimeField.");
		}
		x->func = trunc ? "Trunc" : "Extract";
		x->arg = part;
		x->args = ormc_arena_alloc(e->a, sizeof(ormc_expr *));
		if (x->args == NULL)
			return ormc_ev_oom(e);
		x->args[0] = src;
		x->nargs = 1;
		x->has_agg = src->has_agg;
		if (trunc)
			x->type = strcmp(part, "date") == 0 ? ormc_otype_of(ORMC_FIELD_DATE, -1, -1)
			        : strcmp(part, "time") == 0 ? ormc_otype_of(ORMC_FIELD_TIME, -1, -1) : src->type;
		else
			x->type = ormc_otype_of(ORMC_FIELD_INTEGER, -1, -1);
		if ((a = ormc_kwarg(&c, "output_field")) != NULL) {
			if ((r = ormc_output_field(e, a, &x->type)) < 0)
				return r;
			x->type_set = 1;
		}
		if ((a = ormc_kwarg(&c, "tzinfo")) != NULL && (r = ormc_tzinfo_arg(e, a, &x->tz)) < 0)
			return r;
		if (x->tz.set && src->type.kind != ORMC_FIELD_DATETIME) {
			/* Django: a zone applies to datetimes only */
			if (trunc)
				return ormc_ev_fail(e, ORMC_EINVALID, a->pos, a->end - a->pos,
				                    "tzinfo can only be used with DateTimeField.");
			x->tz.set = 0;
		}
		if ((r = ormc_callargs_done(e, &c)) < 0)
			return r;
		*out = x;
		return ORMC_OK;
	}
	for (i = 0; i < sizeof(functions) / sizeof(functions[0]); i++)
		if (strcmp(functions[i].name, name) == 0)
			break;
	if (i == sizeof(functions) / sizeof(functions[0]) && strcmp(name, "Pi") == 0) {
		/* Django's Pi(): the double nearest to pi, as every engine's PI() */
		if ((r = ormc_callargs_done(e, &c)) < 0)
			return r;
		if ((x = ormc_expr_new(e, ORMC_EXPR_VALUE, n->pos)) == NULL)
			return ormc_ev_oom(e);
		x->value.type = ORMC_TYPE_FLOAT;
		x->value.f = 3.141592653589793;
		x->type = ormc_otype_of(ORMC_FIELD_FLOAT, -1, -1);
		*out = x;
		return ORMC_OK;
	}
	if (i == sizeof(functions) / sizeof(functions[0])) {
		/* Django's functions that ormc does not write: said so, not "not defined" */
		static const char *const django_fns[] = {
			"Collate", "JSONObject", "ACos", "ASin", "ATan", "ATan2", "Cos", "Cot", "Degrees",
			"Radians", "Sin", "Tan", "Chr", "Ord", "MD5", "SHA1", "SHA224", "SHA256", "SHA384",
			"SHA512", "ConcatPair", "JSONArray", "JSONArrayAgg", "StringAgg", "ArrayAgg",
		};
		size_t k;

		for (k = 0; k < sizeof(django_fns) / sizeof(django_fns[0]); k++)
			if (strcmp(django_fns[k], name) == 0)
				return ormc_ev_fail(e, ORMC_EUNSUPPORTED, n->left->pos, n->left->end - n->left->pos,
				                    "Django's %s() is not supported by ormc (docs/semantics.md, "
				                    "\"Functions\", lists those it writes)", name);
		return ormc_ev_fail(e, ORMC_ENOFIELD, n->left->pos, n->left->end - n->left->pos,
		                    "name '%s' is not defined", name);
	}
	{
		/* Django's keywords for the arguments after the first: Substr("x", 2, length=3) */
		static const struct { const char *fn; const char *kw[2]; } kws[] = {
			{ "Substr", { "pos", "length" } }, { "Left", { "length", NULL } },
			{ "Right", { "length", NULL } }, { "StrIndex", { "substring", NULL } },
			{ "Replace", { "text", "replacement" } }, { "LPad", { "length", "fill_text" } },
			{ "RPad", { "length", "fill_text" } }, { "Repeat", { "number", NULL } },
			{ "Round", { "precision", NULL } },
		};
		size_t k;
		int slot;

		for (k = 0; k < sizeof(kws) / sizeof(kws[0]); k++)
			if (strcmp(kws[k].fn, name) == 0)
				break;
		for (slot = 0; k < sizeof(kws) / sizeof(kws[0]) && slot < 2; slot++)
			if (kws[k].kw[slot] != NULL && np == slot + 1 &&
			    (a = ormc_kwarg(&c, kws[k].kw[slot])) != NULL) {
				kwargs[slot] = a;
				np++;
			}
	}
	if (np < functions[i].min || np > functions[i].max)
		return ormc_ev_fail(e, ORMC_EINVALID, n->pos, n->end - n->pos,
		                    functions[i].min == 2 && functions[i].max > 2
		                        ? "%s must take at least two expressions"
		                        : "%s() takes a different number of arguments", name);
	x = ormc_expr_new(e, ORMC_EXPR_FUNC, n->pos);
	if (x == NULL)
		return ormc_ev_oom(e);
	x->func = functions[i].name;
	x->args = ormc_arena_alloc(e->a, sizeof(ormc_expr *) * (size_t)(np + 1));
	if (x->args == NULL)
		return ormc_ev_oom(e);
	for (j = 0; j < np; j++) {
		/* kwargs[] holds the keywords of arguments 1 and 2 only: Concat has 32 positional ones */
		const ormc_ast *p = j > 0 && j <= 2 && kwargs[j - 1] != NULL ? kwargs[j - 1]
		                                                            : ormc_positional(&c, j);

		/* Round's places: an integer (-1, Value(2), a parameter); elsewhere strings name fields. */
		if (j == 1 && ormc_ev_deref(e, p)->kind == ORMC_AST_STR &&
		    (strcmp(name, "Left") == 0 || strcmp(name, "Right") == 0 || strcmp(name, "Substr") == 0 ||
		     strcmp(name, "LPad") == 0 || strcmp(name, "RPad") == 0 || strcmp(name, "Repeat") == 0)) {
			/* Django compares the length (position, number) with 0 before anything: Python's TypeError */
			return ormc_ev_fail(e, ORMC_EINVALID, p->pos, p->end - p->pos,
			                    "'<' not supported between instances of 'str' and 'int'");
		}
		if (strcmp(name, "Round") == 0 && j == 1) {
			ormc_otype it = ormc_otype_of(ORMC_FIELD_INTEGER, -1, -1);
			long long places;

			if ((r = ormc_resolve_expr(e, qs, p, &x->args[j])) < 0 ||
			    (r = ormc_param_meet(e, x->args[j], &it)) < 0)
				return r;
			if (!ormc_field_kind_is_int(x->args[j]->type.kind))
				return ormc_ev_fail(e, ORMC_EINVALID, p->pos, p->end - p->pos,
				                    "Round's precision must be an integer");
			if (ormc_int_arg(e, p, -1000, 1000, &places) < 0 && x->args[j]->kind == ORMC_EXPR_VALUE)
				return ormc_ev_fail(e, ORMC_EINVALID, p->pos, p->end - p->pos,
				                    "Round's precision must be between -1000 and 1000");
		} else if ((r = ormc_resolve_arg(e, qs, p, &x->args[j])) < 0) {
			return r;
		}
		x->has_agg |= x->args[j]->has_agg;
	}
	x->nargs = np;
	if (np == 2 && (strcmp(name, "LPad") == 0 || strcmp(name, "RPad") == 0 ||
	                strcmp(name, "Replace") == 0)) {
		/* Django's defaults: fill_text=Value(" "), replacement=Value("") */
		ormc_expr *d = ormc_expr_new(e, ORMC_EXPR_VALUE, n->pos);

		if (d == NULL)
			return ormc_ev_oom(e);
		d->value.type = ORMC_TYPE_TEXT;
		d->value.s = name[0] == 'R' && name[1] == 'e' ? "" : " ";
		d->value.len = strlen(d->value.s);
		d->type = ormc_otype_of(ORMC_FIELD_CHAR, -1, -1);
		x->args[x->nargs++] = d;
	}
	if (np >= 2 && x->args[1]->kind == ORMC_EXPR_VALUE && x->args[1]->value.type == ORMC_TYPE_INT) {
		/* Django's checks of a literal length, position or count */
		long long v = x->args[1]->value.i;
		const char *msg = NULL;

		if ((strcmp(name, "Left") == 0 || strcmp(name, "Right") == 0) && v <= 0)
			msg = "'length' must be greater than 0.";
		else if (strcmp(name, "Substr") == 0 && v <= 0)
			msg = "'pos' must be greater than 0";
		else if (strcmp(name, "Repeat") == 0 && v < 0)
			msg = "'number' must be greater or equal to 0.";
		else if ((strcmp(name, "LPad") == 0 || strcmp(name, "RPad") == 0) && v < 0)
			msg = "'length' must be greater or equal to 0.";
		if (msg != NULL)
			return ormc_ev_fail(e, ORMC_EINVALID, x->args[1]->pos, 1, "%s", msg);
	}
	if (strcmp(name, "Log") == 0 || strcmp(name, "Power") == 0 || strcmp(name, "Mod") == 0) {
		/* numbers: a parameter takes the other's type */
		if ((r = ormc_param_meet(e, x->args[0], &x->args[1]->type)) < 0 ||
		    (r = ormc_param_meet(e, x->args[1], &x->args[0]->type)) < 0)
			return r;
	}
	if ((strcmp(name, "Upper") == 0 || strcmp(name, "Lower") == 0) && x->args[0]->kind != ORMC_EXPR_PARAM &&
	    x->args[0]->type.kind != ORMC_FIELD_CHAR && x->args[0]->type.kind != ORMC_FIELD_TEXT &&
	    (int)x->args[0]->type.kind >= 0)
		/* each engine writes a number, a boolean or a date as text its own way */
		return ormc_ev_fail(e, ORMC_EINVALID, x->args[0]->pos, 1,
		                    "%s() takes text, not a %s: Cast(..., output_field=CharField()) first",
		                    name, ormc_field_kind_name(x->args[0]->type.kind));
	switch (functions[i].typing) {
	case 0:
		break;
	case 1: x->type = ormc_otype_of(ORMC_FIELD_INTEGER, -1, -1); break;
	case 2:
		/*
		 * Django's types: Substr, Left, Right, LPad, RPad and Repeat are a
		 * CharField; Upper, Lower, the trims and Reverse (transforms), and
		 * Concat and Replace (their sources' type), a TextField only of a
		 * TextField. Coalesce(Lower("name"), "name") is one type.
		 */
		x->type = ormc_otype_of(ORMC_FIELD_CHAR, -1, -1);
		if (strcmp(name, "Substr") != 0 && strcmp(name, "Left") != 0 && strcmp(name, "Right") != 0 &&
		    strcmp(name, "LPad") != 0 && strcmp(name, "RPad") != 0 && strcmp(name, "Repeat") != 0)
			for (j = 0; j < x->nargs; j++)
				if (x->args[j]->type.kind == ORMC_FIELD_TEXT)
					x->type = ormc_otype_of(ORMC_FIELD_TEXT, -1, -1);
		break;
	case 3: x->type = x->args[0]->type; break;
	case 4: x->type = ormc_otype_of(ORMC_FIELD_FLOAT, -1, -1); break;
	case 5:
		/*
		 * Django's NumericOutputFieldMixin: a decimal of a decimal, else a
		 * float. The decimal is computed in floating point on MySQL and
		 * SQLite: an average's rule (15 significant digits, the field's
		 * places + 6) gives one answer everywhere.
		 */
		x->type = ormc_otype_of(ORMC_FIELD_FLOAT, -1, -1);
		for (j = 0; j < np; j++)
			if (x->args[j]->type.kind == ORMC_FIELD_DECIMAL) {
				ormc_otype q = ormc_quotient_type(x->args[j]->type);

				if (x->type.kind != ORMC_FIELD_DECIMAL || q.decimal_places > x->type.decimal_places)
					x->type = q;
			}
		break;
	case 6: x->type = ormc_otype_of(ORMC_FIELD_DATETIME, -1, -1); break;
	}
	if ((a = ormc_kwarg(&c, "output_field")) != NULL) {
		if ((r = ormc_output_field(e, a, &x->type)) < 0)
			return r;
		x->type_set = 1;
	} else if (functions[i].typing == 0) {
		if ((r = common_type(e, x->args, np, n->pos, &x->type)) < 0)
			return r;
	}
	/* A parameter among the sources of Coalesce, NullIf, Abs... is of their type. */
	if (functions[i].typing == 0 || functions[i].typing == 3) {
		/* Round's places are its own integer */
		if ((r = ormc_param_meet_all(e, x->args, strcmp(name, "Round") == 0 ? 1 : np, &x->type)) < 0)
			return r;
		if (functions[i].typing == 3)
			x->type = x->args[0]->type;
	} else if (functions[i].typing == 2 || strcmp(name, "StrIndex") == 0) {
		/* text arguments are text; Substr's pos and length, a pad's length, Repeat's number are integers */
		ormc_otype text = ormc_otype_of(ORMC_FIELD_CHAR, -1, -1);
		ormc_otype num = ormc_otype_of(ORMC_FIELD_INTEGER, -1, -1);
		int numeric_from = strcmp(name, "Substr") == 0 || strcmp(name, "Left") == 0 ||
		                   strcmp(name, "Right") == 0 || strcmp(name, "Repeat") == 0 ? 1 : -1;

		for (j = 0; j < x->nargs; j++) {
			int is_num = (numeric_from >= 0 && j >= numeric_from) ||
			             ((strcmp(name, "LPad") == 0 || strcmp(name, "RPad") == 0) && j == 1);

			if ((r = ormc_param_meet(e, x->args[j], is_num ? &num : &text)) < 0)
				return r;
		}
	}
	if ((r = ormc_callargs_done(e, &c)) < 0)
		return r;
	if (!x->type_set && x->nargs > 0 && ormc_field_kind_is_int(x->args[0]->type.kind) &&
	    (strcmp(name, "Floor") == 0 || strcmp(name, "Ceil") == 0 ||
	     (strcmp(name, "Round") == 0 &&
	      (x->nargs == 1 || (x->args[1]->kind == ORMC_EXPR_VALUE &&
	                         x->args[1]->value.type == ORMC_TYPE_INT && x->args[1]->value.i >= 0))))) {
		/*
		 * An integer is its own floor, ceiling and rounding: exact on every
		 * engine, where PostgreSQL and MySQL would compute in doubles
		 * (FLOOR(bigint) is a double precision there, 9e18 for
		 * 8999999999999999997).
		 */
		*out = x->args[0];
		return ORMC_OK;
	}
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

	ormc_callargs_init(&c, n, name);
	if ((a = ormc_positional(&c, 0)) == NULL)
		return ormc_ev_fail(e, ORMC_EINVALID, n->pos, n->end - n->pos, "%s() needs a queryset", name);
	if ((r = ormc_eval_qs(e, a, qs, &sub)) < 0)
		return r;
	if (sub->terminal != ORMC_TERM_NONE)
		return ormc_ev_fail(e, ORMC_EINVALID, a->pos, a->end - a->pos,
		                    "%s() needs a queryset, not the result of a terminal call", name);
	x = ormc_expr_new(e, exists ? ORMC_EXPR_EXISTS : ORMC_EXPR_SUBQUERY, n->pos);
	if (x == NULL)
		return ormc_ev_oom(e);
	x->sub = sub;
	if (exists) {
		x->type = ormc_otype_of(ORMC_FIELD_BOOLEAN, -1, -1);
	} else {
		int cols = sub->values_set ? sub->nvalues : -1;

		if (cols != 1)
			return ormc_ev_fail(e, ORMC_EINVALID, a->pos, a->end - a->pos,
			                    "Subquery() must select exactly one column: end it with .values(\"field\")");
		x->type = sub->values[0].expr->type;
	}
	/* Subquery(queryset, output_field=None): the field may be positional. */
	if ((a = ormc_kwarg(&c, "output_field")) != NULL ||
	    (!exists && (a = ormc_positional(&c, 1)) != NULL)) {
		if ((r = ormc_output_field(e, a, &x->type)) < 0)
			return r;
		x->type_set = 1;
	}
	if ((r = ormc_callargs_done(e, &c)) < 0)
		return r;
	*out = x;
	return ORMC_OK;
}

/* Is n a QuerySet (Book.objects..., a method or a slice of one)? */
static int
is_qs_ast(ev *e, const ormc_ast *n0)
{
	const ormc_ast *n = ormc_ev_deref(e, n0);

	for (;;) {
		if (n->kind == ORMC_AST_ATTR && strcmp(n->str, "objects") == 0)
			return 1;
		if (n->kind == ORMC_AST_CALL && n->left->kind == ORMC_AST_ATTR)
			n = ormc_ev_deref(e, n->left->left);
		else if (n->kind == ORMC_AST_SLICE)
			n = ormc_ev_deref(e, n->left);
		else
			return 0;
	}
}

/*
 * A QuerySet where an expression goes, annotate(x=Book.objects.filter(...)
 * .values("pages")[:1]) or values_list(qs): Django resolves it as
 * Subquery(qs).
 */
static int
resolve_qs_expr(ev *e, ormc_qs *qs, const ormc_ast *n, ormc_expr **out)
{
	ormc_ast call, name, *args[1];
	const char *kws[1] = { NULL };
	int kwp[1] = { 0 };

	memset(&call, 0, sizeof(call));
	memset(&name, 0, sizeof(name));
	name.kind = ORMC_AST_NAME;
	name.str = "Subquery";
	name.len = 8;
	name.pos = n->pos;
	name.end = n->pos;
	call.kind = ORMC_AST_CALL;
	call.left = &name;
	call.pos = n->pos;
	call.end = n->end;
	args[0] = (ormc_ast *)n;
	call.args = args;
	call.kw = kws;
	call.kw_pos = kwp;
	call.nargs = 1;
	return resolve_subquery(e, qs, &call, "Subquery", out);
}

int
ormc_is_reserved_name(ev *e, const char *name)
{
	static const char *const classes[] = {
		"F", "Q", "Value", "Case", "When", "Subquery", "OuterRef", "Exists",
		"ExpressionWrapper", "Cast", "Extract", "Trunc", "Func", "Aggregate", "Window",
		"RowRange", "ValueRange",
		"None", "True", "False",
	};
	size_t i;

	if (ormc_schema_model(e->s, name) != NULL || ormc_is_aggregate_name(name) ||
	    ormc_is_field_class(name) || ormc_is_window_function(name))
		return 1;
	for (i = 0; i < sizeof(classes) / sizeof(classes[0]); i++)
		if (strcmp(classes[i], name) == 0)
			return 1;
	for (i = 0; i < sizeof(functions) / sizeof(functions[0]); i++)
		if (strcmp(functions[i].name, name) == 0)
			return 1;
	for (i = 0; i < sizeof(extract_funcs) / sizeof(extract_funcs[0]); i++)
		if (strcmp(extract_funcs[i].name, name) == 0)
			return 1;
	return 0;
}

/*
 * Func(*expressions, function="UPPER", output_field=...): SQL written by
 * name in Django. ormc writes no SQL it does not know, so the functions
 * every engine has under that name are Django's functions of the same
 * meaning, and any other name is refused.
 */
static int
resolve_raw_func(ev *e, ormc_qs *qs, const ormc_ast *n, ormc_expr **out)
{
	static const struct { const char *sql; const char *fn; } known[] = {
		{ "COALESCE", "Coalesce" }, { "UPPER", "Upper" }, { "LOWER", "Lower" },
		{ "LENGTH", "Length" }, { "CHAR_LENGTH", "Length" }, { "ABS", "Abs" },
		{ "GREATEST", "Greatest" }, { "LEAST", "Least" }, { "NULLIF", "NullIf" },
		{ "REPLACE", "Replace" }, { "TRIM", "Trim" }, { "LTRIM", "LTrim" }, { "RTRIM", "RTrim" },
		{ "SIGN", "Sign" }, { "SQRT", "Sqrt" }, { "FLOOR", "Floor" }, { "CEIL", "Ceil" },
		{ "CEILING", "Ceil" }, { "EXP", "Exp" }, { "LN", "Ln" }, { "MOD", "Mod" },
		{ "POWER", "Power" }, { "SUBSTR", "Substr" }, { "SUBSTRING", "Substr" },
	};
	ormc_ast *call;
	const ormc_ast *fa = NULL;
	const char *fname = NULL, *fn = NULL;
	size_t k;
	int i, j, r;

	for (i = 0; i < n->nargs; i++)
		if (n->kw[i] != NULL && strcmp(n->kw[i], "function") == 0)
			fa = n->args[i];
		else if (n->kw[i] != NULL && strcmp(n->kw[i], "output_field") != 0)
			return ormc_ev_fail(e, ORMC_EUNSUPPORTED, n->kw_pos[i], (int)strlen(n->kw[i]),
			                    "Func(%s=...) is not supported", n->kw[i]);
	if (fa == NULL)
		return ormc_ev_fail(e, ORMC_EUNSUPPORTED, n->pos, n->end - n->pos,
		                    "Func() without function= is not supported");
	if ((r = ormc_literal_str(e, fa, &fname)) < 0)
		return r;
	for (k = 0; k < sizeof(known) / sizeof(known[0]) && fn == NULL; k++)
		if (ormc_name_equal_ci(known[k].sql, fname))
			fn = known[k].fn;
	if (fn == NULL)
		return ormc_ev_fail(e, ORMC_EUNSUPPORTED, fa->pos, fa->end - fa->pos,
		                    "Func(function='%s') is SQL ormc does not write; the functions it knows by "
		                    "name are Django's (Upper, Coalesce, ...)", fname);
	/* the call without function=, as Django's function fn */
	if ((call = NEW(e, ormc_ast)) == NULL)
		return ormc_ev_oom(e);
	*call = *n;
	call->args = ormc_arena_alloc(e->a, sizeof(ormc_ast *) * (size_t)(n->nargs + 1));
	call->kw = ormc_arena_alloc(e->a, sizeof(char *) * (size_t)(n->nargs + 1));
	call->kw_pos = ormc_arena_alloc(e->a, sizeof(int) * (size_t)(n->nargs + 1));
	if (call->args == NULL || call->kw == NULL || call->kw_pos == NULL)
		return ormc_ev_oom(e);
	for (i = j = 0; i < n->nargs; i++)
		if (n->args[i] != fa) {
			call->args[j] = n->args[i];
			call->kw[j] = n->kw[i];
			call->kw_pos[j++] = n->kw_pos[i];
		}
	call->nargs = j;
	return resolve_func(e, qs, call, fn, out);
}

/* A condition (Q(...), Q & Q, ~Q) used as a boolean expression. */
static int
cond_expr(ev *e, ormc_qs *qs, const ormc_ast *n, ormc_expr **out)
{
	ormc_cond *cond;
	ormc_expr *x;
	int r;

	if ((r = ormc_resolve_cond(e, qs, n, &cond)) < 0)
		return r;
	if ((x = ormc_expr_new(e, ORMC_EXPR_COND, n->pos)) == NULL)
		return ormc_ev_oom(e);
	x->cond = cond;
	x->type = ormc_otype_of(ORMC_FIELD_BOOLEAN, -1, -1);
	x->has_agg = cond->has_agg;
	*out = x;
	return ORMC_OK;
}

/* A slice bound of F()[...]: a literal integer, not below 0, in *out. */
static int
slice_bound(ev *e, const ormc_ast *b0, long long *out)
{
	const ormc_ast *b = ormc_ev_deref(e, b0);

	if (b->kind == ORMC_AST_NEG && ormc_ev_deref(e, b->left)->kind == ORMC_AST_INT)
		return ormc_ev_fail(e, ORMC_EINVALID, b->pos, b->end - b->pos,
		                    "Negative indexing is not supported.");
	if (b->kind != ORMC_AST_INT)
		return ormc_ev_fail(e, ORMC_EINVALID, b->pos, b->end - b->pos,
		                    "Argument to slice must be either int or slice instance.");
	*out = b->ival;
	return ORMC_OK;
}

/* An integer value the reader makes itself (1 and 0 of a Case, a Substr's start). */
ormc_expr *
ormc_int_expr(ev *e, int pos, long long v)
{
	ormc_expr *x = ormc_expr_new(e, ORMC_EXPR_VALUE, pos);

	if (x == NULL)
		return NULL;
	x->value.type = ORMC_TYPE_INT;
	x->value.i = v;
	x->type = ormc_otype_of(ORMC_FIELD_INTEGER, -1, -1);
	return x;
}

/*
 * F("name")[:3], F("name")[2:5], F("name")[0], OuterRef("name")[0], a slice
 * of a slice (Django 5.0's Sliced): Substr(x, start + 1, length) of a text
 * field or annotation, with Django's checks of the subscript. A stop below
 * the start is refused even when one of them is 0 (Django would hand the
 * engines a negative length, which PostgreSQL refuses and the others read
 * as an empty text).
 */
static int
resolve_sliced(ev *e, ormc_qs *qs, const ormc_ast *n, ormc_expr **out)
{
	const ormc_ast *obj = ormc_ev_deref(e, n->left);
	const char *callee = obj->kind == ORMC_AST_CALL ? ormc_callee_name(obj->left) : NULL;
	long long start = 0, stop = 0;
	int has_stop = 0, r;
	ormc_expr *src, *x;

	if (n->kind == ORMC_AST_SLICE && is_qs_ast(e, n))
		return resolve_qs_expr(e, qs, n, out);
	if (obj->kind != ORMC_AST_INDEX && obj->kind != ORMC_AST_SLICE &&
	    (callee == NULL || (strcmp(callee, "F") != 0 && strcmp(callee, "OuterRef") != 0)))
		return ormc_ev_fail(e, ORMC_EINVALID, n->pos, n->end - n->pos, "not an expression");
	if (n->kind == ORMC_AST_INDEX) {
		if ((r = slice_bound(e, n->right, &start)) < 0)
			return r;
		stop = start + 1;
		has_stop = 1;
	} else {
		if (n->right != NULL && (r = slice_bound(e, n->right, &start)) < 0)
			return r;
		if (n->third != NULL) {
			if ((r = slice_bound(e, n->third, &stop)) < 0)
				return r;
			has_stop = 1;
			if (stop < start)
				return ormc_ev_fail(e, ORMC_EINVALID, n->pos, n->end - n->pos,
				                    "Slice stop must be greater than slice start.");
		}
	}
	if ((r = ormc_resolve_expr(e, qs, obj, &src)) < 0)
		return r;
	if (src->type.kind != ORMC_FIELD_CHAR && src->type.kind != ORMC_FIELD_TEXT)
		return ormc_ev_fail(e, ORMC_EUNSUPPORTED, n->pos, n->end - n->pos,
		                    "This field does not support slicing.");
	x = ormc_expr_new(e, ORMC_EXPR_FUNC, n->pos);
	if (x == NULL || (x->args = ormc_arena_alloc(e->a, sizeof(ormc_expr *) * 3)) == NULL ||
	    (x->args[1] = ormc_int_expr(e, n->pos, start + 1)) == NULL ||
	    (has_stop && (x->args[2] = ormc_int_expr(e, n->pos, stop - start)) == NULL))
		return ormc_ev_oom(e);
	x->func = "Substr";
	x->args[0] = src;
	x->nargs = has_stop ? 3 : 2;
	x->type = ormc_otype_of(ORMC_FIELD_CHAR, -1, -1);
	x->has_agg = src->has_agg;
	*out = x;
	return ORMC_OK;
}

int
ormc_resolve_expr(ev *e, ormc_qs *qs, const ormc_ast *n0, ormc_expr **out)
{
	const ormc_ast *n = ormc_ev_deref(e, n0);
	const char *name;
	callargs c;
	const ormc_ast *a;
	ormc_expr *x;
	int r;

	if (++e->depth > MAX_DEPTH) {
		e->depth--;
		return ormc_ev_fail(e, ORMC_EINVALID, n->pos, 1, "expression nested too deeply");
	}
	r = ORMC_OK;
	switch (n->kind) {
	case ORMC_AST_STR: case ORMC_AST_INT: case ORMC_AST_FLOAT:
	case ORMC_AST_TRUE: case ORMC_AST_FALSE: case ORMC_AST_NONE: case ORMC_AST_LITERAL:
		if ((*out = value_expr(e, n)) == NULL)
			r = ormc_ev_oom(e);
		break;
	case ORMC_AST_NAME:
		if (ormc_is_reserved_name(e, n->str))
			r = ormc_ev_fail(e, ORMC_EINVALID, n->pos, n->end - n->pos,
			                 "'%s' is a model or a function: it cannot stand for a value", n->str);
		else
			r = ormc_param_ref(e, n, out);
		break;
	case ORMC_AST_ATTR: {
		const ormc_ast *k = constant(e, n);

		if (k == NULL)
			r = ormc_ev_fail(e, ORMC_ENOFIELD, n->pos, n->end - n->pos,
			                 "'%s' is not a constant of the models file", n->str);
		else if ((*out = value_expr(e, k)) == NULL)
			r = ormc_ev_oom(e);
		else
			(*out)->pos = n->pos;
		break;
	}
	case ORMC_AST_NEG:
		if ((r = ormc_resolve_expr(e, qs, n->left, &x)) < 0)
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
		*out = ormc_expr_new(e, ORMC_EXPR_NEG, n->pos);
		if (*out == NULL) {
			r = ormc_ev_oom(e);
			break;
		}
		(*out)->args = ormc_arena_alloc(e->a, sizeof(ormc_expr *));
		if ((*out)->args == NULL) {
			r = ormc_ev_oom(e);
			break;
		}
		(*out)->args[0] = x;
		(*out)->nargs = 1;
		(*out)->type = x->type;
		(*out)->has_agg = x->has_agg;
		break;
	case ORMC_AST_BINOP:
		if (n->op == '&' || n->op == '|' || n->op == '^') {
			r = cond_expr(e, qs, n, out);
			break;
		}
		r = ormc_resolve_arith(e, qs, n, out);
		break;
	case ORMC_AST_INVERT:
		/* ~Q(...), ~Exists(...): a negated condition is a boolean expression too */
		r = cond_expr(e, qs, n, out);
		break;
	case ORMC_AST_INDEX:
	case ORMC_AST_SLICE:
		r = resolve_sliced(e, qs, n, out);
		break;
	case ORMC_AST_LIST:
	case ORMC_AST_TUPLE:
		r = ormc_ev_fail(e, ORMC_EINVALID, n->pos, n->end - n->pos, "not an expression");
		break;
	case ORMC_AST_CALL: {
		const ormc_ast *lit;

		name = ormc_callee_name(n->left);
		if (name == NULL) {
			r = ormc_ev_fail(e, ORMC_EINVALID, n->pos, n->end - n->pos, "not an expression");
			break;
		}
		if ((r = ormc_python_literal(e, n, &lit)) != 0) {
			if (r > 0 && (*out = value_expr(e, lit)) == NULL)
				r = ormc_ev_oom(e);
			else if (r > 0)
				r = ORMC_OK;
			break;
		}
		if (n->left->kind == ORMC_AST_ATTR && is_qs_ast(e, n)) {
			r = resolve_qs_expr(e, qs, n, out);
			break;
		}
		if (ormc_is_lookup_expr(name)) {
			/* GreaterThan(F("year"), 1910): a condition, a boolean expression (Django 4.0) */
			r = cond_expr(e, qs, n, out);
			break;
		}
		if (strcmp(name, "F") == 0) {
			const char *s;

			ormc_callargs_init(&c, n, name);
			if ((a = ormc_positional(&c, 0)) == NULL || (r = ormc_literal_str(e, a, &s)) < 0) {
				if (r == ORMC_OK)
					r = ormc_ev_fail(e, ORMC_EINVALID, n->pos, n->end - n->pos, "F() needs a field name");
				break;
			}
			if ((r = ormc_callargs_done(e, &c)) < 0)
				break;
			r = ormc_resolve_ref(e, qs, qs->model, s, ormc_ev_deref(e, a)->pos + 1, 1, out);
		} else if (strcmp(name, "OuterRef") == 0) {
			const char *s;
			ormc_qs *target = qs->outer;
			int levels = 0;

			ormc_callargs_init(&c, n, name);
			if (qs->outer == NULL) {
				r = ormc_ev_fail(e, ORMC_EINVALID, n->pos, n->end - n->pos,
				                 "This queryset contains a reference to an outer query and may only be used in a subquery.");
				break;
			}
			/* OuterRef(OuterRef("x")): x of the query around the enclosing one */
			while ((a = ormc_positional(&c, 0)) != NULL && (a = ormc_ev_deref(e, a))->kind == ORMC_AST_CALL &&
			       ormc_callee_name(a->left) != NULL && strcmp(ormc_callee_name(a->left), "OuterRef") == 0) {
				if ((r = ormc_callargs_done(e, &c)) < 0)
					break;
				if (target->outer == NULL) {
					r = ormc_ev_fail(e, ORMC_EINVALID, a->pos, a->end - a->pos,
					                 "This queryset contains a reference to an outer query and may only be used in a subquery.");
					break;
				}
				target = target->outer;
				levels++;
				ormc_callargs_init(&c, a, name);
			}
			if (r < 0)
				break;
			if (a == NULL || (r = ormc_literal_str(e, a, &s)) < 0) {
				if (r == ORMC_OK)
					r = ormc_ev_fail(e, ORMC_EINVALID, n->pos, n->end - n->pos, "OuterRef() needs a field name");
				break;
			}
			if ((r = ormc_resolve_ref(e, target, target->model, s, ormc_ev_deref(e, a)->pos + 1, 1, &x)) < 0)
				break;
			/*
			 * An annotation of the outer query is its expression there; one
			 * over aggregates or windows would be the outer query's
			 * aggregate inside the subquery, which ormc does not write.
			 */
			if (x->kind != ORMC_EXPR_COL &&
			    (x->kind != ORMC_EXPR_REF || x->annot->expr->has_agg ||
			     ormc_expr_has_window(x->annot->expr) || x->ntransforms > 0)) {
				r = ormc_ev_fail(e, ORMC_EUNSUPPORTED, a->pos, a->end - a->pos,
				                 "OuterRef() to an aggregate or window annotation is not supported yet");
				break;
			}
			x->kind = ORMC_EXPR_OUTERREF;
			x->levels = levels;
			*out = x;
		} else if (strcmp(name, "Value") == 0) {
			ormc_callargs_init(&c, n, name);
			if ((a = ormc_positional(&c, 0)) == NULL) {
				r = ormc_ev_fail(e, ORMC_EINVALID, n->pos, n->end - n->pos, "Value() needs a value");
				break;
			}
			a = ormc_ev_deref(e, a);
			if (a->kind == ORMC_AST_NEG && (ormc_ev_deref(e, a->left)->kind == ORMC_AST_INT ||
			                                ormc_ev_deref(e, a->left)->kind == ORMC_AST_FLOAT)) {
				/* Value(-1): a negative number is a literal too */
				if ((x = value_expr(e, ormc_ev_deref(e, a->left))) == NULL) {
					r = ormc_ev_oom(e);
					break;
				}
				if (x->value.type == ORMC_TYPE_INT)
					x->value.i = -x->value.i;
				else
					x->value.f = -x->value.f;
			} else if (a->kind == ORMC_AST_CALL && (r = ormc_python_literal(e, a, &a)) != 0) {
				if (r < 0)
					break;
				r = ORMC_OK;
				if ((x = value_expr(e, a)) == NULL) {
					r = ormc_ev_oom(e);
					break;
				}
			} else if (a->kind == ORMC_AST_NAME && !ormc_is_reserved_name(e, a->str)) {
				if ((r = ormc_param_ref(e, a, &x)) < 0)
					break;
			} else if (!is_literal(a) && (a = constant(e, a)) == NULL) {
				r = ormc_ev_fail(e, ORMC_EINVALID, n->pos, n->end - n->pos, "Value() needs a literal");
				break;
			} else if ((x = value_expr(e, a)) == NULL) {
				r = ormc_ev_oom(e);
				break;
			}
			/* Value(value, output_field=None): the field may come second, unnamed */
			if ((a = ormc_positional(&c, 1)) != NULL || (a = ormc_kwarg(&c, "output_field")) != NULL) {
				ormc_otype t;

				if ((r = ormc_output_field(e, a, &t)) < 0)
					break;
				if (x->kind == ORMC_EXPR_PARAM) {
					if ((r = ormc_param_meet(e, x, &t)) < 0)
						break;
				} else {
					x->type = t;
					x->type_set = 1;
				}
			}
			if ((r = ormc_callargs_done(e, &c)) < 0)
				break;
			*out = x;
		} else if (strcmp(name, "Window") == 0) {
			r = ormc_resolve_window(e, qs, n, out);
		} else if (ormc_is_window_function(name)) {
			r = ormc_ev_fail(e, ORMC_EINVALID, n->pos, n->end - n->pos,
			                 "%s() is only meaningful inside Window()", name);
		} else if (ormc_is_aggregate_name(name)) {
			r = ormc_resolve_agg(e, qs, n, name, out);
		} else if (strcmp(name, "Case") == 0) {
			r = resolve_case(e, qs, n, out);
		} else if (strcmp(name, "Q") == 0 || strcmp(name, "Exists") == 0) {
			if (strcmp(name, "Exists") == 0)
				r = resolve_subquery(e, qs, n, name, out);
			else
				r = cond_expr(e, qs, n, out);
		} else if (strcmp(name, "Subquery") == 0) {
			r = resolve_subquery(e, qs, n, name, out);
		} else if (strcmp(name, "ExpressionWrapper") == 0 || strcmp(name, "Cast") == 0) {
			int cast = name[0] == 'C';
			ormc_otype t;

			ormc_callargs_init(&c, n, name);
			if ((a = ormc_positional(&c, 0)) == NULL) {
				r = ormc_ev_fail(e, ORMC_EINVALID, n->pos, n->end - n->pos, "%s() needs an expression", name);
				break;
			}
			if ((r = ormc_resolve_arg(e, qs, a, &x)) < 0)
				break;
			if ((a = ormc_positional(&c, 1)) == NULL && (a = ormc_kwarg(&c, "output_field")) == NULL) {
				r = ormc_ev_fail(e, ORMC_EINVALID, n->pos, n->end - n->pos,
				                 "%s() missing 1 required positional argument: 'output_field'", name);
				break;
			}
			if ((r = ormc_output_field(e, a, &t)) < 0 || (r = ormc_callargs_done(e, &c)) < 0 ||
			    (r = ormc_param_meet(e, x, &t)) < 0)
				break;
			if (cast) {
				ormc_expr *y = ormc_expr_new(e, ORMC_EXPR_FUNC, n->pos);

				if (y == NULL || (y->args = ormc_arena_alloc(e->a, sizeof(ormc_expr *))) == NULL) {
					r = ormc_ev_oom(e);
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
		} else if (strcmp(name, "Func") == 0) {
			r = resolve_raw_func(e, qs, n, out);
		} else if (ormc_is_field_class(name)) {
			r = ormc_ev_fail(e, ORMC_EINVALID, n->pos, n->end - n->pos,
			                 "a field class is only meaningful as output_field=");
		} else if (strcmp(name, "When") == 0) {
			r = ormc_ev_fail(e, ORMC_EINVALID, n->pos, n->end - n->pos,
			                 "When() is only meaningful inside Case()");
		} else {
			r = resolve_func(e, qs, n, name, out);
		}
		break;
	}
	}
	e->depth--;
	return r;
}
