/*
 * conditions.c -- conditions: Q trees, lookup=value leaves, literal coercion.
 *
 * filter(), exclude(), Q(), When() and Aggregate(filter=) all come here. A
 * Q's keywords are sorted as Django sorts them; x=None becomes isnull; an
 * empty __in list is a condition that is always false. A literal compared
 * with a field takes the field's type as Django's get_prep_value does: text
 * to a date, time or number, a number to a decimal, an integer to a boolean.
 */
#define _POSIX_C_SOURCE 200809L     /* inet_pton, inet_ntop */
#include <arpa/inet.h>
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <ctype.h>
#include <string.h>

#include "query_int.h"

ormc_cond *
ormc_cond_new(ev *e, ormc_cond_kind kind, int pos, int nkids)
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
/* ---------------------------------------------------------------- literals */

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
 * so a literal compares equal to the stored text on SQLite (a zero fraction,
 * ".000000", is left out as Python's str() leaves it out). A UTC offset (Z,
 * +00:00) is accepted; others are not (ormc has no time zones yet).
 * Returns 0, or -1 when the text is not a valid value.
 */
int
ormc_temporal_normalize(ormc_field_kind kind, const char *s, char *out)
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
	if (nus > 0 && us != 0)   /* str(datetime) writes no fraction for zero microseconds */
		sprintf(out, ".%06d", us);
	return 0;
}

/* Coerce a literal to the type of the field it is compared with. */
static int
coerce_value(ev *e, ormc_expr *v, const ormc_otype *t)
{
	if (v->kind == ORMC_EXPR_PARAM || v->kind == ORMC_EXPR_NEG || v->kind == ORMC_EXPR_ARITH)
		return ormc_param_meet_lookup(e, v, t);   /* a parameter: converted when its value comes */
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
			return ormc_ev_oom(e);
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
		} else if (v->value.type == ORMC_TYPE_TEXT) {
			/* BooleanField.to_python: 't', 'True', '1' and 'f', 'False', '0' */
			const char *b = v->value.s;

			if (strcmp(b, "t") == 0 || strcmp(b, "True") == 0 || strcmp(b, "1") == 0)
				v->value.i = 1;
			else if (strcmp(b, "f") == 0 || strcmp(b, "False") == 0 || strcmp(b, "0") == 0)
				v->value.i = 0;
			else
				return ormc_ev_fail(e, ORMC_EINVALID, v->pos, (int)v->value.len + 2,
				                    "\u201c%s\u201d value must be either True or False.", b);
			v->value.type = ORMC_TYPE_BOOL;
			v->type = *t;
		}
		break;
	case ORMC_FIELD_DATE:
	case ORMC_FIELD_DATETIME:
	case ORMC_FIELD_TIME:
		if (t->kind == ORMC_FIELD_DATE && v->value.type == ORMC_TYPE_DATETIME && v->value.len >= 10) {
			/* a datetime compared with a date is its date (DateField.to_python) */
			v->value.s = ormc_arena_strndup(e->a, v->value.s, 10);
			if (v->value.s == NULL)
				return ormc_ev_oom(e);
			v->value.len = 10;
			v->value.type = ORMC_TYPE_DATE;
			v->type = *t;
			break;
		}
		if (v->value.type == ORMC_TYPE_TEXT ||
		    (v->value.type == ORMC_TYPE_DATE && t->kind == ORMC_FIELD_DATETIME)) {
			char *norm = ormc_arena_alloc(e->a, 40);

			if (norm == NULL)
				return ormc_ev_oom(e);
			if (ormc_temporal_normalize(t->kind, v->value.s, norm) < 0)
				return ormc_ev_fail(e, ORMC_EINVALID, v->pos, (int)v->value.len + 2, "%s",
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
	case ORMC_FIELD_CHAR:
	case ORMC_FIELD_TEXT:
		/* CharField.to_python: str(value), so isbn=159059725 is the text "159059725" */
		if (v->value.type == ORMC_TYPE_INT) {
			v->value.s = ormc_arena_printf(e->a, "%lld", (long long)v->value.i);
		} else if (v->value.type == ORMC_TYPE_FLOAT) {
			int prec;

			/* Python's repr: the shortest text that reads back, with a ".0" */
			for (prec = 1; prec <= 17; prec++) {
				if ((v->value.s = ormc_arena_printf(e->a, "%.*g", prec, v->value.f)) == NULL ||
				    strtod(v->value.s, NULL) == v->value.f)
					break;
			}
			if (v->value.s != NULL && strpbrk(v->value.s, ".en") == NULL)
				v->value.s = ormc_arena_printf(e->a, "%s.0", v->value.s);
		} else {
			break;
		}
		if (v->value.s == NULL)
			return ormc_ev_oom(e);
		v->value.len = strlen(v->value.s);
		v->value.type = ORMC_TYPE_TEXT;
		v->type = *t;
		break;
	case ORMC_FIELD_IPADDRESS:
		if (v->value.type == ORMC_TYPE_TEXT && memchr(v->value.s, ':', v->value.len) != NULL) {
			/*
			 * An IPv6 address as Django's GenericIPAddressField stores
			 * and compares it (clean_ipv6_address): compressed, lower
			 * case, "::ffff:1.2.3.4" for a mapped IPv4 one. Text that is
			 * no address is compared as it is, as Django does.
			 */
			unsigned char a[16];
			char buf[INET6_ADDRSTRLEN];
			int k, zero12 = 1;

			if (inet_pton(AF_INET6, v->value.s, a) != 1 ||
			    inet_ntop(AF_INET6, a, buf, sizeof(buf)) == NULL)
				break;
			for (k = 0; k < 12; k++)
				zero12 &= a[k] == 0;
			if (zero12 && strchr(buf, '.') != NULL)
				/* "::1.2.3.4" is Python's "::102:304" */
				snprintf(buf, sizeof(buf), "::%x:%x", (unsigned)(a[12] << 8 | a[13]),
				         (unsigned)(a[14] << 8 | a[15]));
			if ((v->value.s = ormc_arena_strdup(e->a, buf)) == NULL)
				return ormc_ev_oom(e);
			v->value.len = strlen(buf);
		}
		break;
	case ORMC_FIELD_UUID:
		if (v->value.type == ORMC_TYPE_TEXT) {
			/*
			 * Python's uuid.UUID(text), as Django's UUIDField.to_python:
			 * braces, "urn:uuid:" and hyphens left out, 32 hex digits,
			 * bound in the canonical form (the dialect binds what the
			 * column stores: 32 hex digits on SQLite and MySQL).
			 */
			const char *s = v->value.s;
			size_t n = v->value.len, i, k = 0;
			char hex[33], *canon;

			if (n >= 9 && strncmp(s, "urn:uuid:", 9) == 0) {
				s += 9;
				n -= 9;
			}
			for (i = 0; i < n; i++) {
				if (s[i] == '{' || s[i] == '}' || s[i] == '-')
					continue;
				if (!isxdigit((unsigned char)s[i]) || k == 32)
					break;
				hex[k++] = (char)tolower((unsigned char)s[i]);
			}
			if (i < n || k != 32)
				return ormc_ev_fail(e, ORMC_EINVALID, v->pos, (int)v->value.len + 2,
				                    "\u201c%s\u201d is not a valid UUID.", v->value.s);
			hex[32] = '\0';
			canon = ormc_arena_printf(e->a, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12,
			                          hex + 16, hex + 20);
			if (canon == NULL)
				return ormc_ev_oom(e);
			v->value.s = canon;
			v->value.len = 36;
			v->type = *t;
		}
		break;
	default:
		if (ormc_field_kind_is_int(t->kind) && v->value.type == ORMC_TYPE_TEXT) {
			char *end;
			long long i = strtoll(v->value.s, &end, 10);

			if (*end != '\0' || end == v->value.s)
				return ormc_ev_fail(e, ORMC_EINVALID, v->pos, (int)v->value.len + 2,
				                    "Field '%s' expected a number but got '%s'.", ormc_field_kind_name(t->kind), v->value.s);
			v->value.type = ORMC_TYPE_INT;
			v->value.i = i;
			v->type = *t;
		}
		break;
	}
	return ORMC_OK;
}

/*
 * A float compared with an integer, as Django's IntegerField does: gte and
 * lt round it up (IntegerFieldFloatRounding), every other lookup truncates
 * it (get_prep_value's int()), so goals__in=[7.9] is goals IN (7).
 */
static void
int_of_float(ormc_expr *v, const ormc_otype *t, ormc_lookup lk)
{
	int64_t i;

	if (v->kind != ORMC_EXPR_VALUE || v->type_set || v->value.type != ORMC_TYPE_FLOAT ||
	    !ormc_field_kind_is_int(t->kind) || !(v->value.f > -9.2e18 && v->value.f < 9.2e18))
		return;
	i = (int64_t)v->value.f;          /* toward zero */
	if ((lk == ORMC_LOOKUP_GTE || lk == ORMC_LOOKUP_LT) && (double)i < v->value.f)
		i++;
	v->value.type = ORMC_TYPE_INT;
	v->value.i = i;
	v->type = *t;
}

/* ---------------------------------------------------------------- conditions */

/* lookup=value as a leaf: "book__rating__gt", 3.0 */
/*
 * The condition lhs lookup value, lhs resolved: from a keyword
 * (rating__gt=3) or a lookup expression (GreaterThan(F("rating"), 3)).
 */
static int
leaf_of(ev *e, ormc_qs *qs, ormc_expr *lhs, ormc_lookup lk, int key_pos, const ormc_ast *vast,
        ormc_cond **out)
{
	ormc_cond *c;
	int r, i;
	const ormc_ast *v = ormc_ev_deref(e, vast);

	c = ormc_cond_new(e, ORMC_COND_LEAF, key_pos, 0);
	if (c == NULL)
		return ormc_ev_oom(e);
	c->lhs = lhs;
	c->lookup = lk;
	c->has_agg = lhs->has_agg;
	if ((lk == ORMC_LOOKUP_EXACT || lk == ORMC_LOOKUP_IEXACT) && v->kind == ORMC_AST_NONE) {
		/* Django: exact=None and iexact=None are isnull=True */
		c->lookup = ORMC_LOOKUP_ISNULL;
		lk = ORMC_LOOKUP_ISNULL;
		v = NULL;
	} else if (lk != ORMC_LOOKUP_ISNULL && lk != ORMC_LOOKUP_IN && lk != ORMC_LOOKUP_RANGE &&
	           v->kind == ORMC_AST_NONE) {
		return ormc_ev_fail(e, ORMC_EINVALID, v->pos, v->end - v->pos, "Cannot use None as a query value");
	}
	if (lk == ORMC_LOOKUP_ISNULL) {
		int b = 1;

		if (v != NULL && (r = ormc_literal_bool(e, v, &b)) < 0)
			return ormc_ev_fail(e, ORMC_EINVALID, v->pos, v->end - v->pos,
			                    "The QuerySet value for an isnull lookup must be True or False.");
		c->nrhs = 0;
		/*
		 * isnull=False is a lookup of its own, not NOT (isnull=True): on
		 * a multi-valued relation tags__label__isnull=False is "a tag
		 * whose label is set", not "no tag without a label".
		 */
		if (!b)
			c->lookup = ORMC_LOOKUP_ISNOTNULL;
		*out = c;
		return ORMC_OK;
	}
	if (lk == ORMC_LOOKUP_IN || lk == ORMC_LOOKUP_RANGE) {
		if (v->kind == ORMC_AST_LIST || v->kind == ORMC_AST_TUPLE) {
			if (lk == ORMC_LOOKUP_RANGE && v->nargs != 2)
				return ormc_ev_fail(e, ORMC_EINVALID, v->pos, v->end - v->pos,
				                    "range needs exactly two values");
			int n = 0;

			/* Django leaves None out of an __in list: NULL equals nothing */
			for (i = 0; i < v->nargs; i++)
				if (lk == ORMC_LOOKUP_RANGE || ormc_ev_deref(e, v->args[i])->kind != ORMC_AST_NONE)
					n++;
			if (n == 0) {
				c->kind = ORMC_COND_FALSE;
				*out = c;
				return ORMC_OK;
			}
			c->rhs = ormc_arena_alloc(e->a, sizeof(ormc_expr *) * (size_t)v->nargs);
			if (c->rhs == NULL)
				return ormc_ev_oom(e);
			for (i = 0, n = 0; i < v->nargs; i++) {
				if (lk == ORMC_LOOKUP_IN && ormc_ev_deref(e, v->args[i])->kind == ORMC_AST_NONE)
					continue;
				if ((r = ormc_resolve_arg(e, qs, v->args[i], &c->rhs[n])) < 0 &&
				    (r = ormc_resolve_expr(e, qs, v->args[i], &c->rhs[n])) < 0)
					return r;
				if ((r = coerce_value(e, c->rhs[n], &lhs->type)) < 0)
					return r;
				int_of_float(c->rhs[n], &lhs->type, lk);
				n++;
			}
			c->nrhs = n;
		} else if (lk == ORMC_LOOKUP_IN && v->kind == ORMC_AST_NAME &&
		           !ormc_is_reserved_name(e, v->str)) {
			return ormc_ev_fail(e, ORMC_EPARAM, v->pos, v->end - v->pos,
			                    "parameter '%s' cannot be a list: write __in=[%s1, %s2, ...] "
			                    "with one parameter for each value", v->str, v->str, v->str);
		} else if (lk == ORMC_LOOKUP_IN) {
			ormc_qs *sub;
			ormc_expr *x;

			/* __in=Subquery(qs) is __in=qs */
			if (v->kind == ORMC_AST_CALL && ormc_callee_name(v->left) != NULL &&
			    strcmp(ormc_callee_name(v->left), "Subquery") == 0 && v->nargs >= 1 && v->kw[0] == NULL)
				v = ormc_ev_deref(e, v->args[0]);
			if ((r = ormc_eval_qs(e, v, qs, &sub)) < 0)
				return r;
			if (!sub->values_set) {
				/* pk__in=Model.objects.filter(...): the subquery selects its pk. */
				ormc_expr *pk;

				if ((r = ormc_resolve_ref(e, sub, sub->model, "pk", v->pos, 0, &pk)) < 0)
					return r;
				sub->values = ormc_arena_alloc(e->a, sizeof(ormc_outcol));
				if (sub->values == NULL)
					return ormc_ev_oom(e);
				sub->values[0].name = "pk";
				sub->values[0].expr = pk;
				sub->nvalues = 1;
				sub->values_set = 1;
			}
			if (sub->nvalues != 1)
				return ormc_ev_fail(e, ORMC_EINVALID, v->pos, v->end - v->pos,
				                    "The QuerySet value for an exact lookup must be limited to one result using slicing.");
			x = ormc_expr_new(e, ORMC_EXPR_SUBQUERY, v->pos);
			if (x == NULL || (c->rhs = ormc_arena_alloc(e->a, sizeof(ormc_expr *))) == NULL)
				return ormc_ev_oom(e);
			x->sub = sub;
			x->type = sub->values[0].expr->type;
			c->rhs[0] = x;
			c->nrhs = 1;
		} else {
			return ormc_ev_fail(e, ORMC_EINVALID, v->pos, v->end - v->pos, "range needs a list or tuple");
		}
		*out = c;
		return ORMC_OK;
	}
	c->rhs = ormc_arena_alloc(e->a, sizeof(ormc_expr *));
	if (c->rhs == NULL)
		return ormc_ev_oom(e);
	if ((r = ormc_resolve_expr(e, qs, vast, &c->rhs[0])) < 0)
		return r;
	c->nrhs = 1;
	c->has_agg |= c->rhs[0]->has_agg;
	if (lk >= ORMC_LOOKUP_CONTAINS || lk == ORMC_LOOKUP_IEXACT) {
		if (c->rhs[0]->kind == ORMC_EXPR_PARAM) {
			ormc_otype text = ormc_otype_of(ORMC_FIELD_CHAR, -1, -1);

			if ((r = ormc_param_meet_lookup(e, c->rhs[0], &text)) < 0)
				return r;
		} else if (c->rhs[0]->kind == ORMC_EXPR_VALUE && c->rhs[0]->value.type != ORMC_TYPE_TEXT) {
			/* Django str()s the value for pattern lookups. */
			ormc_expr *x = c->rhs[0];

			if (x->value.type == ORMC_TYPE_INT)
				x->value.s = ormc_arena_printf(e->a, "%lld", (long long)x->value.i);
			else if (x->value.type == ORMC_TYPE_FLOAT)
				x->value.s = ormc_arena_printf(e->a, "%.17g", x->value.f);
			else
				return ormc_ev_fail(e, ORMC_EINVALID, x->pos, 1, "pattern lookups need a string");
			if (x->value.s == NULL)
				return ormc_ev_oom(e);
			x->value.len = strlen(x->value.s);
			x->value.type = ORMC_TYPE_TEXT;
			x->type = ormc_otype_of(ORMC_FIELD_CHAR, -1, -1);
		}
	} else if ((r = coerce_value(e, c->rhs[0], &lhs->type)) < 0) {
		return r;
	} else {
		int_of_float(c->rhs[0], &lhs->type, lk);
	}
	*out = c;
	return ORMC_OK;
}

static int
make_leaf(ev *e, ormc_qs *qs, const char *key, int key_pos, const ormc_ast *vast, ormc_cond **out)
{
	parts p;
	int used, r;
	ormc_expr *lhs;
	ormc_lookup lk = ORMC_LOOKUP_EXACT;

	if ((r = ormc_parts_split(e, key, key_pos, &p)) < 0)
		return r;
	if ((r = ormc_resolve_parts(e, qs, qs->model, &p, 1, &lhs, &used)) < 0)
		return r;
	if (used < p.n && ormc_find_lookup(p.v[p.n - 1], &lk)) {
		if ((r = ormc_apply_transforms(e, lhs, &p, used, p.n - 1)) < 0)
			return r;
	} else if (used < p.n) {
		if (!ormc_is_transform(p.v[p.n - 1]) && lhs->kind == ORMC_EXPR_COL && lhs->ntransforms == 0 &&
		    used == p.n - 1)
			return ormc_ev_fail(e, ORMC_EINVALID, p.off[p.n - 1], (int)strlen(p.v[p.n - 1]),
			                    "Unsupported lookup '%s' for %s or join on the field not permitted.",
			                    p.v[p.n - 1], lhs->path && ormc_field_is_relation(lhs->path->field)
			                                      ? lhs->path->field->class_name : ormc_field_kind_name(lhs->type.kind));
		if ((r = ormc_apply_transforms(e, lhs, &p, used, p.n)) < 0)
			return r;
	}
	return leaf_of(e, qs, lhs, lk, key_pos, vast, out);
}

/* Django's lookups as expressions (Django 4.0): GreaterThan(F("year"), 1910). */
static const struct {
	const char *name;
	ormc_lookup lookup;
} lookup_exprs[] = {
	{ "Exact", ORMC_LOOKUP_EXACT }, { "IExact", ORMC_LOOKUP_IEXACT },
	{ "GreaterThan", ORMC_LOOKUP_GT }, { "GreaterThanOrEqual", ORMC_LOOKUP_GTE },
	{ "LessThan", ORMC_LOOKUP_LT }, { "LessThanOrEqual", ORMC_LOOKUP_LTE },
	{ "In", ORMC_LOOKUP_IN }, { "Range", ORMC_LOOKUP_RANGE }, { "IsNull", ORMC_LOOKUP_ISNULL },
	{ "Contains", ORMC_LOOKUP_CONTAINS }, { "IContains", ORMC_LOOKUP_ICONTAINS },
	{ "StartsWith", ORMC_LOOKUP_STARTSWITH }, { "IStartsWith", ORMC_LOOKUP_ISTARTSWITH },
	{ "EndsWith", ORMC_LOOKUP_ENDSWITH }, { "IEndsWith", ORMC_LOOKUP_IENDSWITH },
};

/* Is name one of Django's lookup classes, usable as a boolean expression? */
int
ormc_is_lookup_expr(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(lookup_exprs) / sizeof(lookup_exprs[0]); i++)
		if (strcmp(lookup_exprs[i].name, name) == 0)
			return 1;
	return 0;
}

/* Exact(lhs, rhs), LessThan(F("year"), 1900), IsNull(F("x"), True), ...: lhs lookup rhs. */
static int
resolve_lookup_expr(ev *e, ormc_qs *qs, const ormc_ast *n, const char *name, ormc_cond **out)
{
	ormc_lookup lk = ORMC_LOOKUP_EXACT;
	ormc_expr *lhs;
	size_t i;
	int r;

	for (i = 0; i < sizeof(lookup_exprs) / sizeof(lookup_exprs[0]); i++)
		if (strcmp(lookup_exprs[i].name, name) == 0)
			lk = lookup_exprs[i].lookup;
	if (n->nargs != 2 || n->kw[0] != NULL || n->kw[1] != NULL)
		return ormc_ev_fail(e, ORMC_EINVALID, n->pos, n->end - n->pos,
		                    "%s() takes two positional arguments: an expression and a value", name);
	if ((r = ormc_resolve_expr(e, qs, n->args[0], &lhs)) < 0)
		return r;
	return leaf_of(e, qs, lhs, lk, n->pos, n->args[1], out);
}

/* The operands of a ^ b ^ c, in order: XOR is associative, as Django's Q squashes it. */
static int
xor_operands(ev *e, const ormc_ast *n0, const ormc_ast **ops, int *nops, int max)
{
	const ormc_ast *n = ormc_ev_deref(e, n0);
	int r;

	if (n->kind == ORMC_AST_BINOP && n->op == '^') {
		if ((r = xor_operands(e, n->left, ops, nops, max)) < 0)
			return r;
		return xor_operands(e, n->right, ops, nops, max);
	}
	if (*nops == max)
		return ormc_ev_fail(e, ORMC_EUNSUPPORTED, n->pos, n->end - n->pos,
		                    "more than %d operands of '^'", max);
	ops[(*nops)++] = n;
	return ORMC_OK;
}

/*
 * Q(a) ^ Q(b) ^ ... (Django 4.1): true when an odd number of the operands
 * are true, never NULL. Written as Django writes it for a database without
 * XOR, (a OR b OR ...) AND (CASE WHEN a THEN 1 ELSE 0 END + ...) = 1 (IN
 * (1, 3, ...) for more than two), on every engine: MySQL's own XOR is NULL
 * when an operand is, and would keep other rows. Each operand is resolved
 * twice, once for the OR and once for its CASE, so no node is shared.
 */
static int
resolve_xor(ev *e, ormc_qs *qs, const ormc_ast *n, ormc_cond **out)
{
	enum { MAX_XOR = 32 };
	const ormc_ast *ops[MAX_XOR];
	ormc_cond *any, *odd, *c;
	ormc_expr *sum = NULL;
	int nops = 0, i, r;

	if ((r = xor_operands(e, n, ops, &nops, MAX_XOR)) < 0)
		return r;
	assert(nops >= 2);
	any = ormc_cond_new(e, ORMC_COND_OR, n->pos, nops);
	odd = ormc_cond_new(e, ORMC_COND_LEAF, n->pos, 0);
	c = ormc_cond_new(e, ORMC_COND_AND, n->pos, 2);
	if (any == NULL || odd == NULL || c == NULL)
		return ormc_ev_oom(e);
	for (i = 0; i < nops; i++) {
		ormc_expr *cs;

		if ((r = ormc_resolve_cond(e, qs, ops[i], &any->kids[i])) < 0)
			return r;
		any->has_agg |= any->kids[i]->has_agg;
		cs = ormc_expr_new(e, ORMC_EXPR_CASE, ops[i]->pos);
		if (cs == NULL || (cs->whens = ormc_arena_alloc(e->a, sizeof(ormc_cond *))) == NULL ||
		    (cs->args = ormc_arena_alloc(e->a, sizeof(ormc_expr *))) == NULL ||
		    (cs->args[0] = ormc_int_expr(e, ops[i]->pos, 1)) == NULL ||
		    (cs->else_ = ormc_int_expr(e, ops[i]->pos, 0)) == NULL)
			return ormc_ev_oom(e);
		if ((r = ormc_resolve_cond(e, qs, ops[i], &cs->whens[0])) < 0)
			return r;
		cs->nargs = 1;
		cs->type = ormc_otype_of(ORMC_FIELD_INTEGER, -1, -1);
		cs->has_agg = cs->whens[0]->has_agg;
		if (sum == NULL) {
			sum = cs;
		} else {
			ormc_expr *add = ormc_expr_new(e, ORMC_EXPR_ARITH, n->pos);

			if (add == NULL || (add->args = ormc_arena_alloc(e->a, sizeof(ormc_expr *) * 2)) == NULL)
				return ormc_ev_oom(e);
			add->op = '+';
			add->args[0] = sum;
			add->args[1] = cs;
			add->nargs = 2;
			add->type = cs->type;
			add->has_agg = sum->has_agg || cs->has_agg;
			sum = add;
		}
	}
	any->nkids = nops;
	odd->lhs = sum;
	odd->lookup = nops == 2 ? ORMC_LOOKUP_EXACT : ORMC_LOOKUP_IN;
	odd->nrhs = (nops + 1) / 2;
	if ((odd->rhs = ormc_arena_alloc(e->a, sizeof(ormc_expr *) * (size_t)odd->nrhs)) == NULL)
		return ormc_ev_oom(e);
	for (i = 0; i < odd->nrhs; i++)
		if ((odd->rhs[i] = ormc_int_expr(e, n->pos, 2 * i + 1)) == NULL)
			return ormc_ev_oom(e);
	odd->has_agg = sum->has_agg;
	c->kids[0] = any;
	c->kids[1] = odd;
	c->nkids = 2;
	c->has_agg = any->has_agg || odd->has_agg;
	*out = c;
	return ORMC_OK;
}

int
ormc_resolve_cond(ev *e, ormc_qs *qs, const ormc_ast *n0, ormc_cond **out)
{
	const ormc_ast *n = ormc_ev_deref(e, n0);
	const char *name;
	ormc_cond *c;
	int r, i;

	if (n->kind == ORMC_AST_BINOP && n->op == '^')
		return resolve_xor(e, qs, n, out);
	if (n->kind == ORMC_AST_BINOP && (n->op == '&' || n->op == '|')) {
		ormc_cond *l, *rr;

		if ((r = ormc_resolve_cond(e, qs, n->left, &l)) < 0 ||
		    (r = ormc_resolve_cond(e, qs, n->right, &rr)) < 0)
			return r;
		c = ormc_cond_new(e, n->op == '&' ? ORMC_COND_AND : ORMC_COND_OR, n->pos, 2);
		if (c == NULL)
			return ormc_ev_oom(e);
		c->kids[0] = l;
		c->kids[1] = rr;
		c->nkids = 2;
		c->has_agg = l->has_agg || rr->has_agg;
		*out = c;
		return ORMC_OK;
	}
	if (n->kind == ORMC_AST_INVERT) {
		ormc_cond *k;

		if ((r = ormc_resolve_cond(e, qs, n->left, &k)) < 0)
			return r;
		c = ormc_cond_new(e, ORMC_COND_NOT, n->pos, 1);
		if (c == NULL)
			return ormc_ev_oom(e);
		c->kids[0] = k;
		c->nkids = 1;
		c->has_agg = k->has_agg;
		*out = c;
		return ORMC_OK;
	}
	if (n->kind == ORMC_AST_CALL && (name = ormc_callee_name(n->left)) != NULL && ormc_is_lookup_expr(name))
		return resolve_lookup_expr(e, qs, n, name, out);
	if (n->kind == ORMC_AST_CALL && (name = ormc_callee_name(n->left)) != NULL && strcmp(name, "Q") == 0) {
		/* Q(*args, **kwargs): AND of its children, keywords sorted as Django does. */
		int order[64], nk = 0;

		if (n->nargs > 64)
			return ormc_ev_fail(e, ORMC_EUNSUPPORTED, n->pos, 1, "too many arguments to Q()");
		c = ormc_cond_new(e, ORMC_COND_AND, n->pos, n->nargs);
		if (c == NULL)
			return ormc_ev_oom(e);
		if (n->nargs == 0) {
			c->kind = ORMC_COND_TRUE;
			*out = c;
			return ORMC_OK;
		}
		for (i = 0; i < n->nargs; i++) {
			if (n->kw[i] == NULL) {
				if ((r = ormc_resolve_cond(e, qs, n->args[i], &c->kids[c->nkids])) < 0)
					return r;
				c->has_agg |= c->kids[c->nkids++]->has_agg;
			} else {
				order[nk++] = i;
			}
		}
		ormc_sort_kw(n, order, nk);
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

		if ((r = ormc_resolve_expr(e, qs, n, &x)) < 0)
			return r;
		if (x->kind == ORMC_EXPR_COND) {
			*out = x->cond;
			return ORMC_OK;
		}
		if (x->type.kind != ORMC_FIELD_BOOLEAN)
			return ormc_ev_fail(e, ORMC_EINVALID, n->pos, n->end - n->pos,
			                    "Cannot filter against a non-conditional expression.");
		c = ormc_cond_new(e, ORMC_COND_EXPR, n->pos, 0);
		if (c == NULL)
			return ormc_ev_oom(e);
		c->lhs = x;
		c->has_agg = x->has_agg;
		*out = c;
		return ORMC_OK;
	}
}
