/*
 * arith.c -- arithmetic: `lhs op rhs` typed as Django types it
 * (expressions.py _connector_combinations): numbers, a float with a
 * declared decimal, dates and durations; a parameter typed by its operand.
 */
#include <string.h>

#include "query_int.h"

/* The kind NULL values have before they meet a typed operand. */
#define KIND_NULL ((ormc_field_kind)-1)

/*
 * Django's type for `lhs op rhs` (expressions.py _connector_combinations).
 * Returns 0 and sets *out, or -1 when Django cannot infer it.
 */
static int
combine_type(char op, ormc_otype l, ormc_otype r, int declared, ormc_otype *out)
{
	int li = ormc_field_kind_is_int(l.kind), ri = ormc_field_kind_is_int(r.kind);

	if (l.kind == KIND_NULL) { *out = r; return 0; }
	if (r.kind == KIND_NULL) { *out = l; return 0; }
	if (li && ri) { *out = ormc_otype_of(ORMC_FIELD_INTEGER, -1, -1); return 0; }
	if (l.kind == ORMC_FIELD_DECIMAL && (r.kind == ORMC_FIELD_DECIMAL || ri)) {
		int lp = l.decimal_places, rp = r.kind == ORMC_FIELD_DECIMAL ? r.decimal_places : 0;
		int places = -1;

		if (lp >= 0 && rp >= 0) {
			if (op == '+' || op == '-' || op == '%')
				places = lp > rp ? lp : rp;
			else if (op == '*')
				places = lp + rp;
			else if (op == '/')
				/*
				 * Engines divide decimals to different scales (PostgreSQL
				 * 16 digits, MySQL the dividend's + 4): MySQL's is the
				 * smallest, so every engine's quotient is rounded to it.
				 */
				places = lp + 4;
		}
		*out = ormc_otype_of(ORMC_FIELD_DECIMAL, -1, places);
		/* arithmetic on an average keeps its rule: 15 significant digits, as every engine has them */
		out->quotient = (l.quotient || r.quotient) && places >= ORMC_QUOTIENT_PLACES;
		return 0;
	}
	if (r.kind == ORMC_FIELD_DECIMAL && li)
		return combine_type(op, r, l, declared, out);
	if ((l.kind == ORMC_FIELD_FLOAT && (r.kind == ORMC_FIELD_FLOAT || ri)) ||
	    (r.kind == ORMC_FIELD_FLOAT && li)) {
		*out = ormc_otype_of(ORMC_FIELD_FLOAT, -1, -1);
		return 0;
	}
	/*
	 * Float with decimal is Django's error, except where the float was
	 * declared: Django's own aggregation guide computes
	 * Max("price", output_field=FloatField()) - Avg("price") as a float,
	 * and ormc gives the documented result (docs/semantics.md).
	 */
	if (declared &&
	    ((l.kind == ORMC_FIELD_FLOAT && r.kind == ORMC_FIELD_DECIMAL) ||
	     (l.kind == ORMC_FIELD_DECIMAL && r.kind == ORMC_FIELD_FLOAT))) {
		*out = ormc_otype_of(ORMC_FIELD_FLOAT, -1, -1);
		return 0;
	}
	return -1;
}

/* A float whose type the query declared: output_field=FloatField(), Cast(..., FloatField()). */
static int
float_declared(const ormc_expr *x)
{
	if (x->kind == ORMC_EXPR_REF && x->annot != NULL)
		x = x->annot->expr;
	return x->type.kind == ORMC_FIELD_FLOAT && x->type_set;
}

static int
kind_is_temporal(ormc_field_kind k)
{
	return k == ORMC_FIELD_DATE || k == ORMC_FIELD_DATETIME || k == ORMC_FIELD_TIME ||
	       k == ORMC_FIELD_DURATION;
}

/*
 * Date arithmetic as Django types it (_connector_combinations): a date or
 * datetime plus or minus a duration is a datetime, the difference of two
 * dates or datetimes a duration, durations add to a duration. -1: another
 * pair, Django's "Cannot infer type".
 */
static int
temporal_type(char op, ormc_field_kind a, ormc_field_kind b, ormc_field_kind *out)
{
	int ad = a == ORMC_FIELD_DATE || a == ORMC_FIELD_DATETIME;
	int bd = b == ORMC_FIELD_DATE || b == ORMC_FIELD_DATETIME;

	if (op != '+' && op != '-')
		return -1;
	if (a == ORMC_FIELD_DURATION && b == ORMC_FIELD_DURATION)
		*out = ORMC_FIELD_DURATION;
	else if (ad && b == ORMC_FIELD_DURATION)
		*out = ORMC_FIELD_DATETIME;
	else if (op == '+' && a == ORMC_FIELD_DURATION && bd)
		*out = ORMC_FIELD_DATETIME;
	else if (op == '-' && ad && bd)
		*out = ORMC_FIELD_DURATION;
	else
		return -1;
	return 0;
}

/* lhs op rhs (+ - * / %), n an ORMC_AST_BINOP of one of them. */
int
ormc_resolve_arith(ev *e, ormc_qs *qs, const ormc_ast *n, ormc_expr **out)
{
	ormc_expr *x, *l, *rr;
	ormc_field_kind tk = ORMC_FIELD_DURATION;
	int r, temporal;

	if ((r = ormc_resolve_expr(e, qs, n->left, &l)) < 0 ||
	    (r = ormc_resolve_expr(e, qs, n->right, &rr)) < 0)
		return r;
	/* a parameter added to or taken from a date is a duration (a timedelta in Django) */
	{
		ormc_otype dur = ormc_otype_of(ORMC_FIELD_DURATION, -1, -1);
		int ld = l->type.kind == ORMC_FIELD_DATE || l->type.kind == ORMC_FIELD_DATETIME;
		int rd = rr->type.kind == ORMC_FIELD_DATE || rr->type.kind == ORMC_FIELD_DATETIME;

		if ((n->op == '+' || n->op == '-') && ld && rr->kind == ORMC_EXPR_PARAM &&
		    (r = ormc_param_meet(e, rr, &dur)) < 0)
			return r;
		if (n->op == '+' && rd && l->kind == ORMC_EXPR_PARAM && (r = ormc_param_meet(e, l, &dur)) < 0)
			return r;
	}
	if ((r = ormc_param_meet(e, l, &rr->type)) < 0 || (r = ormc_param_meet(e, rr, &l->type)) < 0)
		return r;
	temporal = kind_is_temporal(l->type.kind) || kind_is_temporal(rr->type.kind);
	if (temporal && (l->type.kind == ORMC_FIELD_TIME || rr->type.kind == ORMC_FIELD_TIME)) {
		return ormc_ev_fail(e, ORMC_EUNSUPPORTED, n->pos, n->end - n->pos,
		                    "arithmetic on a TimeField is not supported yet (dates, datetimes "
		                    "and durations are)");
	}
	if (temporal && n->op == '*' &&
	    ((l->type.kind == ORMC_FIELD_DURATION && ormc_field_kind_is_int(rr->type.kind)) ||
	     (ormc_field_kind_is_int(l->type.kind) && rr->type.kind == ORMC_FIELD_DURATION))) {
		/*
		 * A duration times an integer: Django infers no type, and
		 * ExpressionWrapper(..., output_field=DurationField()) gives it.
		 * Every engine multiplies exactly: an interval on PostgreSQL,
		 * integer microseconds on the others. (A quotient is not: the
		 * engines round or truncate it differently.)
		 */
		temporal = 0;
	} else if (temporal && (n->op == '*' || n->op == '/') &&
	           ((l->type.kind == ORMC_FIELD_DURATION && (ormc_field_kind_is_int(rr->type.kind) ||
	             rr->type.kind == ORMC_FIELD_FLOAT || rr->type.kind == ORMC_FIELD_DECIMAL)) ||
	            (rr->type.kind == ORMC_FIELD_DURATION && n->op == '*' &&
	             (l->type.kind == ORMC_FIELD_FLOAT || l->type.kind == ORMC_FIELD_DECIMAL)))) {
		/*
		 * Django 4.0 multiplies and divides a duration by any number under
		 * ExpressionWrapper(..., output_field=DurationField()); the engines
		 * round such a fraction of a microsecond each its own way.
		 */
		return ormc_ev_fail(e, ORMC_EUNSUPPORTED, n->pos, n->end - n->pos,
		                    "%s %c %s is not supported: the engines round the microseconds "
		                    "differently (a duration times an integer is)",
		                    ormc_field_kind_name(l->type.kind), n->op, ormc_field_kind_name(rr->type.kind));
	} else if (temporal && l->type.kind != (ormc_field_kind)-2 && rr->type.kind != (ormc_field_kind)-2 &&
	           temporal_type(n->op, l->type.kind, rr->type.kind, &tk) < 0) {
		return ormc_ev_fail(e, ORMC_EINVALID, n->pos, n->end - n->pos,
		                    "Cannot infer type of '%c' expression involving these types: %s, %s. "
		                    "You must set output_field.", n->op, ormc_field_kind_name(l->type.kind),
		                    ormc_field_kind_name(rr->type.kind));
	}
	x = ormc_expr_new(e, ORMC_EXPR_ARITH, n->pos);
	if (x == NULL || (x->args = ormc_arena_alloc(e->a, sizeof(ormc_expr *) * 2)) == NULL)
		return ormc_ev_oom(e);
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
	} else if (temporal) {
		x->type = ormc_otype_of(tk, -1, -1);
	} else if (combine_type(n->op, l->type, rr->type, float_declared(l) || float_declared(rr),
	                        &x->type) < 0) {
		/* Deferred: an error only if nobody gives an output_field. */
		x->type.kind = (ormc_field_kind)-2;
		x->arg = ormc_arena_printf(e->a,
		        "Cannot infer type of '%c' expression involving these types: %s, %s. You must set output_field.",
		        n->op, ormc_field_kind_name(l->type.kind), ormc_field_kind_name(rr->type.kind));
	}
	*out = x;
	return ORMC_OK;
}
