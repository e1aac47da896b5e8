/*
 * combine.c -- union(), intersection() and difference(): the rows of several
 * QuerySets combined by UNION, INTERSECT or EXCEPT.
 *
 * As Django combines them: qs1.union(qs2, qs3, all=False) selects what qs1
 * selects. Each query's columns are its values() or else every field, then
 * its annotations; a query with no values() of its own takes the first
 * one's names, and values() called on the combination is given to every
 * query that has none (so union(...).values_list("name") combines names,
 * not whole rows). Every query must select as many columns, of kinds the
 * engines can combine; ormc says so before any engine does.
 *
 * The combined rows are a level of their own: an ormc_qs whose combinator
 * is set and whose parts are the queries (planned each as a SELECT, then
 * joined by the operator: planner.c, plan_compound). The QuerySet returned
 * is the level above it, reading each combined column as an annotation of
 * the level below, so order_by(), values(), slices, count(), exists(),
 * first()/last() and aggregate() work on the combined rows, by column name.
 * filter(), annotate() and the like are Django's NotSupportedError.
 */
#include <assert.h>
#include <string.h>

#include "query_int.h"

static const char *
combinator_name(ormc_combinator op)
{
	switch (op) {
	case ORMC_COMBINE_UNION: return "union";
	case ORMC_COMBINE_INTERSECT: return "intersection";
	case ORMC_COMBINE_EXCEPT: return "difference";
	case ORMC_COMBINE_NONE: break;
	}
	return "?";
}

/* What kinds of value the engines can put in one column of a compound. */
enum kind_class {
	CLASS_NULL,              /* a NULL literal: goes with anything */
	CLASS_NUMBER,
	CLASS_TEXT,
	CLASS_BOOL,
	CLASS_DATE,
	CLASS_DATETIME,
	CLASS_TIME,
	CLASS_DURATION,
	CLASS_UUID
};

static enum kind_class
kind_class(ormc_field_kind k)
{
	if (k == (ormc_field_kind)-1)
		return CLASS_NULL;
	if (ormc_field_kind_is_int(k) || k == ORMC_FIELD_FLOAT || k == ORMC_FIELD_DECIMAL)
		return CLASS_NUMBER;
	switch (k) {
	case ORMC_FIELD_BOOLEAN: return CLASS_BOOL;
	case ORMC_FIELD_DATE: return CLASS_DATE;
	case ORMC_FIELD_DATETIME: return CLASS_DATETIME;
	case ORMC_FIELD_TIME: return CLASS_TIME;
	case ORMC_FIELD_DURATION: return CLASS_DURATION;
	case ORMC_FIELD_UUID: return CLASS_UUID;
	default: return CLASS_TEXT;
	}
}

static const char *
class_name(enum kind_class c)
{
	static const char *const names[] = {
		"NULL", "a number", "text", "a boolean", "a date", "a datetime", "a time",
		"a duration", "a UUID"
	};

	return names[c];
}

/*
 * The type of a combined column: the first query's, widened as the engines
 * widen it (an integer with a decimal is a decimal of the most places, with
 * a float a float), so every engine's value converts the same way.
 */
static void
widen(ormc_otype *t, const ormc_otype *u)
{
	int quotient = t->quotient || u->quotient;

	if (kind_class(t->kind) == CLASS_NULL) {
		*t = *u;
		return;
	}
	if (kind_class(t->kind) != CLASS_NUMBER || kind_class(u->kind) != CLASS_NUMBER)
		return;
	if (t->kind == ORMC_FIELD_FLOAT || u->kind == ORMC_FIELD_FLOAT) {
		*t = ormc_otype_of(ORMC_FIELD_FLOAT, -1, -1);
	} else if (u->kind == ORMC_FIELD_DECIMAL) {
		int places = u->decimal_places;

		if (t->kind == ORMC_FIELD_DECIMAL && (t->decimal_places < 0 || places < 0))
			places = -1;
		else if (t->kind == ORMC_FIELD_DECIMAL && t->decimal_places > places)
			places = t->decimal_places;
		*t = ormc_otype_of(ORMC_FIELD_DECIMAL, -1, places);
	}
	/* t a decimal and u an integer (a decimal of no places): t as it is */
	if (t->kind == ORMC_FIELD_DECIMAL && t->decimal_places >= ORMC_QUOTIENT_PLACES)
		t->quotient = quotient;   /* an average's column keeps its rule */
}

static int build_levels(ev *e, ormc_qs *qs, ormc_qs *c, int pos, int hidden);

/*
 * Did qs choose its columns itself? Not when it selects every field, nor
 * when a combination gave it its values() (they are given again).
 */
static int
own_values(const ormc_qs *qs)
{
	return qs->values_set && !qs->values_all && !qs->values_pushed;
}

/*
 * A query with no values() of its own selects the first query's names; a
 * combination passes them on to its own queries, as Django compiles it.
 */
static int
take_names(ev *e, ormc_qs *part, const ormc_outcol *names, int n, int pos)
{
	ormc_outcol *cols;
	int i, r;

	if (ORMC_QS_COMBINED(part)) {
		ormc_qs *c = part->inner;

		for (i = 0; i < c->nparts; i++)
			if (!own_values(c->parts[i]) && (r = take_names(e, c->parts[i], names, n, pos)) < 0)
				return r;
		part->values_pushed = 1;
		return build_levels(e, part, c, pos, 0);
	}
	if ((cols = ormc_arena_alloc(e->a, sizeof(ormc_outcol) * (size_t)(n + 1))) == NULL)
		return ormc_ev_oom(e);
	for (i = 0; i < n; i++) {
		cols[i].name = names[i].name;
		if ((r = ormc_resolve_ref(e, part, part->model, names[i].name, pos, 1, &cols[i].expr)) < 0)
			return r;
	}
	part->values = cols;
	part->nvalues = n;
	part->values_set = 1;
	part->values_all = 0;
	part->values_pushed = 1;
	return ORMC_OK;
}

/*
 * The places in an ordering expression that hold a column of the combined
 * rows (a REF), through arithmetic, functions and Case's values:
 * order_by(F("annotation") * F("multiplier")). Their number; at most max
 * are stored.
 */
static int
order_ref_slots(ormc_expr **slot, ormc_expr ***out, int n, int max)
{
	ormc_expr *x = *slot;
	int i;

	if (x == NULL)
		return n;
	if (x->kind == ORMC_EXPR_REF) {
		if (n < max)
			out[n] = slot;
		return n + 1;
	}
	if (x->kind == ORMC_EXPR_ARITH || x->kind == ORMC_EXPR_NEG || x->kind == ORMC_EXPR_FUNC ||
	    x->kind == ORMC_EXPR_CASE) {
		for (i = 0; i < x->nargs; i++)
			n = order_ref_slots(&x->args[i], out, n, max);
		if (x->kind == ORMC_EXPR_CASE)
			n = order_ref_slots(&x->else_, out, n, max);
	}
	return n;
}

#define MAX_ORDER_REFS 32

/* The column slots of qs's i-th ordering (see order_ref_slots), at most MAX_ORDER_REFS; or an error. */
static int
ordering_slots(ev *e, ormc_qs *qs, int i, ormc_expr **slots[MAX_ORDER_REFS])
{
	int n = order_ref_slots(&qs->order[i].expr, slots, 0, MAX_ORDER_REFS);

	if (n > MAX_ORDER_REFS)
		return ormc_ev_fail(e, ORMC_EUNSUPPORTED, qs->order[i].pos, 1,
		                    "more than %d columns in one ordering of combined rows", MAX_ORDER_REFS);
	return n;
}

/*
 * Make the level of combined rows below qs, from the parts' columns: its
 * annotations are the columns, seen above (in qs) as INNER stand-ins that
 * qs selects in order.
 */
static int
build_levels(ev *e, ormc_qs *qs, ormc_qs *c, int pos, int hidden)
{
	const char *what = combinator_name(c->combinator);
	ormc_outcol *first = NULL, *cols;
	int nfirst = 0, n, i, k, r;
	ormc_otype *types;

	for (k = 0; k < c->nparts; k++) {
		if ((r = ormc_qs_columns(e, c->parts[k], &cols, &n)) < 0)
			return r;
		if (k == 0) {
			first = cols;
			nfirst = n;
			types = ormc_arena_alloc(e->a, sizeof(ormc_otype) * (size_t)(n + 1));
			if (types == NULL)
				return ormc_ev_oom(e);
			for (i = 0; i < n; i++)
				types[i] = cols[i].expr->type;
			continue;
		}
		if (n != nfirst)
			return ormc_ev_fail(e, ORMC_EINVALID, c->parts[k]->pos, 0,
			                    "%s(): every query must select the same number of columns: "
			                    "the first selects %d, query %d selects %d",
			                    what, nfirst, k + 1, n);
		for (i = 0; i < n; i++) {
			enum kind_class a = kind_class(types[i].kind), b = kind_class(cols[i].expr->type.kind);

			if (a != CLASS_NULL && b != CLASS_NULL && a != b)
				return ormc_ev_fail(e, ORMC_EINVALID, c->parts[k]->pos, 0,
				                    "%s(): column %d ('%s') is %s in the first query and %s in "
				                    "query %d; give them one type (Cast, or values() of other fields)",
				                    what, i + 1, first[i].name, class_name(a), class_name(b), k + 1);
			widen(&types[i], &cols[i].expr->type);
		}
	}
	/* The combined columns, as annotations of the level below. */
	c->annots = ormc_arena_alloc(e->a, sizeof(ormc_annot *) * (size_t)(nfirst + 1));
	qs->annots = ormc_arena_alloc(e->a, sizeof(ormc_annot *) * (size_t)(nfirst + 1));
	qs->values = ormc_arena_alloc(e->a, sizeof(ormc_outcol) * (size_t)(nfirst + 1));
	if (c->annots == NULL || qs->annots == NULL || qs->values == NULL)
		return ormc_ev_oom(e);
	for (i = 0; i < nfirst; i++) {
		ormc_annot *below = NEW(e, ormc_annot), *above = NEW(e, ormc_annot);
		ormc_expr *v = ormc_expr_new(e, ORMC_EXPR_VALUE, pos);
		ormc_expr *in = ormc_expr_new(e, ORMC_EXPR_INNER, pos);
		ormc_expr *ref = ormc_expr_new(e, ORMC_EXPR_REF, pos);

		if (below == NULL || above == NULL || v == NULL || in == NULL || ref == NULL)
			return ormc_ev_oom(e);
		/* Below, a column is made by the parts' SELECTs, never planned from this node. */
		v->value.type = ORMC_TYPE_NULL;
		v->type = types[i];
		below->alias = first[i].name;
		below->expr = v;
		below->pos = pos;
		below->hidden = 1;
		c->annots[i] = below;
		in->annot = below;
		in->type = types[i];
		*above = *below;
		above->expr = in;
		qs->annots[i] = above;
		ref->annot = above;
		ref->type = types[i];
		qs->values[i].name = first[i].name;
		qs->values[i].expr = ref;
	}
	c->nannots = nfirst;
	qs->nannots = nfirst;
	qs->nvalues = nfirst - hidden;   /* the last hidden columns are there for the ordering */
	qs->values_set = 1;
	/* an ordering made before values() reads the new columns of its names */
	for (i = 0; i < qs->norder; i++) {
		ormc_expr **slots[MAX_ORDER_REFS];
		int nslots = ordering_slots(e, qs, i, slots), s;

		if (nslots < 0)
			return nslots;
		for (s = 0; s < nslots; s++) {
			ormc_expr *o = *slots[s];
			ormc_annot *an;

			if ((an = ormc_find_annot(qs, o->annot->alias)) == NULL)
				return ormc_ev_fail(e, ORMC_ENOFIELD, o->pos, (int)strlen(o->annot->alias),
				                    "ORDER BY term does not match any column in the result set: '%s'",
				                    o->annot->alias);
			if ((o = ormc_expr_new(e, ORMC_EXPR_REF, o->pos)) == NULL)
				return ormc_ev_oom(e);
			o->annot = an;
			o->type = an->expr->type;
			*slots[s] = o;
		}
	}
	return ORMC_OK;
}

int
ormc_qs_combine(ev *e, ormc_qs *qs, const ormc_ast *call, const char *m)
{
	ormc_combinator op = strcmp(m, "union") == 0 ? ORMC_COMBINE_UNION
	                   : strcmp(m, "intersection") == 0 ? ORMC_COMBINE_INTERSECT : ORMC_COMBINE_EXCEPT;
	ormc_qs *c, *first;
	callargs ca;
	const ormc_ast *a;
	int all = 0, n = ormc_npositional(call), i, r;

	ormc_callargs_init(&ca, call, m);
	if ((a = ormc_kwarg(&ca, "all")) != NULL) {
		if (op != ORMC_COMBINE_UNION)
			return ormc_ev_fail(e, ORMC_EINVALID, a->pos, a->end - a->pos,
			                    "%s() got an unexpected keyword argument 'all'", m);
		if ((r = ormc_literal_bool(e, a, &all)) < 0)
			return r;
	}
	for (i = 0; i < n; i++)
		(void)ormc_positional(&ca, i);
	if ((r = ormc_callargs_done(e, &ca)) < 0)
		return r;
	if (n == 0)
		return ORMC_OK;        /* combined with nothing: the same rows */
	c = ormc_qs_new(e, qs->model, call->pos, qs->outer);
	first = NEW(e, ormc_qs);
	if (c == NULL || first == NULL ||
	    (c->parts = ormc_arena_alloc(e->a, sizeof(ormc_qs *) * (size_t)(n + 1))) == NULL)
		return ormc_ev_oom(e);
	*first = *qs;
	c->combinator = op;
	c->combine_all = all;
	c->order_set = 1;
	/* Django's union() leaves out none(): the first other query then sets the columns */
	if (!(op == ORMC_COMBINE_UNION && first->none))
		c->parts[c->nparts++] = first;
	for (i = 0; i < call->nargs; i++) {
		ormc_qs *part;

		if (call->kw[i] != NULL)
			continue;
		if ((r = ormc_eval_qs(e, call->args[i], qs->outer, &part)) < 0)
			return r;
		if (part->terminal != ORMC_TERM_NONE || part->single)
			return ormc_ev_fail(e, ORMC_EINVALID, call->args[i]->pos,
			                    call->args[i]->end - call->args[i]->pos,
			                    "%s() combines QuerySets: this gives %s", m,
			                    part->single ? "one row" : "a value");
		if (op == ORMC_COMBINE_UNION && part->none)
			continue;
		c->parts[c->nparts++] = part;
	}
	if (c->nparts == 0)
		return ORMC_OK;        /* every query none(): no row, as qs already is */
	if (c->nparts == 1 && qs->none) {
		*qs = *c->parts[0];    /* none().union(b) is b itself (Django) */
		return ORMC_OK;
	}
	first = c->parts[0];
	/* Django: a query without values() selects the first one's (by name). */
	if (own_values(first))
		for (i = 1; i < c->nparts; i++)
			if (!own_values(c->parts[i]) &&
			    (r = take_names(e, c->parts[i], first->values, first->nvalues, call->pos)) < 0)
				return r;
	/* qs becomes the level that reads the combined rows. */
	memset(qs, 0, sizeof(*qs));
	qs->model = first->model;
	qs->pos = call->pos;
	qs->outer = first->outer;
	qs->inner = c;
	qs->level = c->level + 1;
	qs->limit = -1;
	qs->shape = first->shape;
	qs->order_set = 1;        /* the parts' orderings are not the combination's */
	qs->values_all = 1;       /* no values() of its own yet */
	return build_levels(e, qs, c, call->pos, 0);
}

int
ormc_qs_combined_method(ev *e, ormc_qs *qs, const ormc_ast *call, const char *m)
{
	static const char *const refused[] = {
		"filter", "exclude", "annotate", "alias", "distinct", "select_related",
		"prefetch_related", "only", "defer", "dates", "datetimes", NULL
	};
	ormc_qs *c = qs->inner;
	int i, r, own = 0, hidden = 0;

	assert(ORMC_QS_COMBINED(qs));
	for (i = 0; refused[i]; i++)
		if (strcmp(m, refused[i]) == 0)
			return ormc_ev_fail(e, ORMC_EUNSUPPORTED, call->left->name_pos, (int)strlen(m),
			                    "Calling QuerySet.%s() after %s() is not supported.", m,
			                    combinator_name(c->combinator));
	if (strcmp(m, "get") == 0 && call->nargs > 0)
		return ormc_ev_fail(e, ORMC_EUNSUPPORTED, call->left->name_pos, 3,
		                    "Calling QuerySet.get(...) with filters after %s() is not supported.",
		                    combinator_name(c->combinator));
	if (strcmp(m, "values") != 0 && strcmp(m, "values_list") != 0)
		return 1;             /* the method's own code, on the combined columns */
	/*
	 * values() of the combination: given to every query with none of its own
	 * (Django's get_combinator_sql), so the engines combine those columns.
	 * Where every query chose its columns, it picks among the combined ones.
	 */
	for (i = 0; i < c->nparts; i++)
		own += own_values(c->parts[i]);
	if (own == c->nparts)
		return 1;
	for (i = 0; i < c->nparts; i++)
		if (!own_values(c->parts[i])) {
			ormc_qs *part = c->parts[i];

			if (!ORMC_QS_COMBINED(part)) {
				part->values_set = 0;
				part->values_all = 0;
				part->values = NULL;
				part->nvalues = 0;
			}
			if ((r = ormc_qs_apply_method(e, part, call, m)) < 0)
				return r;
			part->values_pushed = 1;
		}
	qs->shape = c->parts[0]->shape;
	qs->values_all = 0;
	/*
	 * order_by() before values() of a column values() leaves out: Django
	 * selects it too, unseen (get_order_by's add_select_col).
	 */
	for (i = 0; i < qs->norder; i++) {
		ormc_expr **slots[MAX_ORDER_REFS];
		int nslots = ordering_slots(e, qs, i, slots), s;

		if (nslots < 0)
			return nslots;
		for (s = 0; s < nslots; s++) {
			const ormc_expr *o = *slots[s];
			int k, j;

			for (k = 0; k < c->parts[0]->nvalues; k++)
				if (strcmp(c->parts[0]->values[k].name, o->annot->alias) == 0)
					break;
			if (k < c->parts[0]->nvalues)
				continue;
			for (j = 0; j < c->nparts; j++) {
				ormc_qs *part = c->parts[j];
				ormc_expr *x;

				if (!part->values_pushed || ORMC_QS_COMBINED(part))
					return ormc_ev_fail(e, ORMC_EUNSUPPORTED, o->pos, (int)strlen(o->annot->alias),
					                    "ORDER BY term does not match any column in the result set: '%s'",
					                    o->annot->alias);
				if ((r = ormc_resolve_ref(e, part, part->model, o->annot->alias, o->pos, 1, &x)) < 0 ||
				    (r = ormc_qs_add_column(e, part, o->annot->alias, x)) < 0)
					return r;
			}
			hidden++;
		}
	}
	return build_levels(e, qs, c, call->pos, hidden);
}
