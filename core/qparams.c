/*
 * qparams.c -- named parameters in the query text.
 *
 * A name that is neither a model, a function nor bound by the script is a
 * parameter: filter(status=status). Every use of one name is one
 * ormc_qparam of the query. It takes its type from the first thing it
 * meets (conditions.c: the field of a lookup; expr.c: the other operand,
 * the other arguments of Coalesce and Case, output_field=, an aggregate's
 * default=), and a later use that meets another kind of value is an error
 * naming it. Until it meets one its expressions have no type, so type
 * inference around it works as around None, and a parameter that never
 * meets one cannot be compiled (compile.c).
 */
#include <string.h>

#include "query_int.h"
#include "types.h"

int
ormc_param_ref(ev *e, const ormc_ast *n, ormc_expr **out)
{
	ormc_query *q = e->q;
	ormc_qparam *p = NULL;
	ormc_expr *x;
	int i;

	for (i = 0; i < q->nqparams; i++)
		if (strcmp(q->qparams[i]->name, n->str) == 0) {
			p = q->qparams[i];
			break;
		}
	if (p == NULL) {
		ormc_qparam **arr = ormc_arena_alloc(e->a, sizeof(*arr) * (size_t)(q->nqparams + 1));

		if (arr == NULL || (p = NEW(e, ormc_qparam)) == NULL ||
		    (p->name = ormc_arena_strdup(e->a, n->str)) == NULL)
			return ormc_ev_oom(e);
		if (q->nqparams > 0)
			memcpy(arr, q->qparams, sizeof(*arr) * (size_t)q->nqparams);
		p->pos = n->pos;
		p->index = q->nqparams;
		p->type = ormc_otype_of((ormc_field_kind)-1, -1, -1);
		arr[q->nqparams++] = p;
		q->qparams = arr;
	}
	x = ormc_expr_new(e, ORMC_EXPR_PARAM, n->pos);
	if (x == NULL || ormc_ptrvec_push(e->a, &q->param_uses, x) < 0)
		return ormc_ev_oom(e);
	x->param = p;
	x->type = p->type;
	*out = x;
	return ORMC_OK;
}

static int meet(ev *e, ormc_expr *x, const ormc_otype *t, int exact);

int
ormc_param_meet(ev *e, ormc_expr *x, const ormc_otype *t)
{
	return meet(e, x, t, 1);
}

int
ormc_param_meet_lookup(ev *e, ormc_expr *x, const ormc_otype *t)
{
	return meet(e, x, t, 0);
}

/*
 * exact: x is used as a value (arithmetic, default=, Coalesce...), whose
 * result has t's decimal places; a decimal bound to it must have no more,
 * or the answer would be rounded. A value only compared (a lookup) may
 * have any.
 */
static int
meet(ev *e, ormc_expr *x, const ormc_otype *t, int exact)
{
	ormc_qparam *p;
	int i, r;

	if (x == NULL || (int)t->kind < 0)
		return ORMC_OK;
	if ((x->kind == ORMC_EXPR_NEG || x->kind == ORMC_EXPR_ARITH) && (int)x->type.kind == -1) {
		/* -k, k + k: untyped only because their parameters are; they meet t as a whole */
		for (i = 0; i < x->nargs; i++)
			if ((r = meet(e, x->args[i], t, exact)) < 0)
				return r;
		x->type = *t;
		return ORMC_OK;
	}
	if (x->kind != ORMC_EXPR_PARAM)
		return ORMC_OK;
	p = x->param;
	if (ormc_otype_value_type(t) == ORMC_TYPE_NULL)
		return ormc_ev_fail(e, ORMC_EPARAM, x->pos, (int)strlen(p->name),
		                    "parameter '%s' cannot stand for a %s", p->name,
		                    ormc_field_kind_name(t->kind));
	if (!p->typed) {
		p->type = *t;
		p->typed = 1;
	} else if (ormc_otype_value_type(&p->type) != ormc_otype_value_type(t)) {
		return ormc_ev_fail(e, ORMC_EPARAM, x->pos, (int)strlen(p->name),
		                    "parameter '%s' meets %s here and %s before: one parameter has one type",
		                    p->name, ormc_field_kind_name(t->kind),
		                    ormc_field_kind_name(p->type.kind));
	}
	p->exact |= exact;
	x->type = p->type;
	return ORMC_OK;
}

int
ormc_param_meet_all(ev *e, ormc_expr **xs, int n, const ormc_otype *t)
{
	int i, r;

	for (i = 0; i < n; i++)
		if ((r = ormc_param_meet(e, xs[i], t)) < 0)
			return r;
	return ORMC_OK;
}

void
ormc_param_fixup(ormc_query *q)
{
	int i;

	for (i = 0; i < q->param_uses.n; i++) {
		ormc_expr *x = q->param_uses.items[i];

		if (x->param->typed)
			x->type = x->param->type;
	}
}
