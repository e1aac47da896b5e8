/*
 * plan_cond.c -- conditions of the query IR as plan conditions. Each Q tree
 * is evaluated where its rows are: directly, or in one EXISTS over the
 * multi-valued relation its leaves walk (conditions of one filter() on the
 * same relation share it: Django's "same related object" rule).
 */
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "planner.h"

/* ---------------------------------------------------------------- conditions */

/*
 * Where must a condition be evaluated, relative to a context chain?
 *   0: directly (nothing beyond ctx is multi-valued)
 *   1: in one EXISTS over key[0..*nkey) (every leaf agrees)
 *   2: mixed: its parts go different ways
 */
static int cond_key(const ormc_cond *c, ormc_field *const *ctx, int nctx, ormc_field **key, int *nkey);

static int
expr_key(const ormc_expr *x, ormc_field *const *ctx, int nctx, ormc_field **key, int *nkey)
{
	int i, r = 0, k;

	if (x == NULL)
		return 0;
	switch (x->kind) {
	case ORMC_EXPR_COL: {
		walk w;
		int c, j;

		ormc_pl_walk_path(x->path, &w);
		c = common_prefix(w.hops, w.nchain, ctx, nctx);
		if (c >= w.nchain)
			return 0;
		/* The first multi-valued hop beyond the shared part. */
		for (j = c; j < w.nchain; j++)
			if (ormc_field_is_multi(w.hops[j]))
				break;
		if (*nkey == 0) {
			memcpy(key, w.hops, sizeof(ormc_field *) * (size_t)(j + 1));
			*nkey = j + 1;
			return 1;
		}
		return (*nkey == j + 1 && prefix_eq(key, w.hops, j + 1)) ? 1 : 2;
	}
	case ORMC_EXPR_REF:
		return 0;
	case ORMC_EXPR_AGG:
	case ORMC_EXPR_SUBQUERY:
	case ORMC_EXPR_EXISTS:
	case ORMC_EXPR_OUTERREF:
	case ORMC_EXPR_VALUE:
	case ORMC_EXPR_PARAM:
		return 0;
	case ORMC_EXPR_COND:
		return cond_key(x->cond, ctx, nctx, key, nkey);
	default:
		for (i = 0; i < x->nargs; i++) {
			k = expr_key(x->args[i], ctx, nctx, key, nkey);
			if (k > r)
				r = k;
		}
		k = expr_key(x->else_, ctx, nctx, key, nkey);
		return k > r ? k : r;
	}
}

static int
cond_key(const ormc_cond *c, ormc_field *const *ctx, int nctx, ormc_field **key, int *nkey)
{
	int i, r = 0, k;

	switch (c->kind) {
	case ORMC_COND_LEAF:
		if ((c->lookup == ORMC_LOOKUP_ISNULL || c->lookup == ORMC_LOOKUP_ISNOTNULL) &&
		    c->lhs->kind == ORMC_EXPR_COL && ormc_field_is_multi(c->lhs->path->field))
			return 0;     /* leaf_sx writes it as [NOT] EXISTS */
		r = expr_key(c->lhs, ctx, nctx, key, nkey);
		for (i = 0; i < c->nrhs; i++) {
			k = expr_key(c->rhs[i], ctx, nctx, key, nkey);
			if (k > r)
				r = k;
		}
		return r;
	case ORMC_COND_EXPR:
		return expr_key(c->lhs, ctx, nctx, key, nkey);
	case ORMC_COND_NOT:
		/*
		 * ~Q(book__rating__gt=3) is "no such book" (NOT EXISTS), never
		 * "a book that is not": a negation stays outside the EXISTS.
		 */
		return cond_key(c->kids[0], ctx, nctx, key, nkey) ? 2 : 0;
	case ORMC_COND_AND: case ORMC_COND_OR: {
		int direct = 0;

		for (i = 0; i < c->nkids; i++) {
			k = cond_key(c->kids[i], ctx, nctx, key, nkey);
			if (k == 0)
				direct = 1;
			if (k > r)
				r = k;
		}
		/* Conditions on this row beside conditions on related rows: each its own way. */
		return r == 1 && direct ? 2 : r;
	}
	default:
		return 0;
	}
}

/* Rows of a multi-valued hop: a correlated SELECT 1 FROM ... WHERE link. */
static scope *
exists_scope(scope *sc, ormc_field **key, int nkey, int pos)
{
	plan *p = sc->p;
	ormc_select *s = ormc_pl_select_new(p);
	ormc_field *h = key[nkey - 1];
	const char *from, *alias;
	scope *child;
	ormc_sx *link;

	from = ormc_pl_scope_join(sc, key, nkey - 1, pos);
	if (from == NULL || s == NULL)
		return NULL;
	child = ormc_pl_scope_new(p, s, sc->qs, h->target, sc);
	if (child == NULL)
		return NULL;
	child->root = ormc_arena_alloc(p->a, sizeof(ormc_field *) * (size_t)nkey);
	if (child->root == NULL)
		return NULL;
	memcpy(child->root, key, sizeof(ormc_field *) * (size_t)nkey);
	child->nroot = nkey;
	child->multi_ok = 1;
	alias = ormc_pl_new_alias(p, h->target->table);
	if (alias == NULL)
		return NULL;
	child->root_alias = alias;
	if (h->kind == ORMC_FIELD_REVERSE_FK || h->kind == ORMC_FIELD_REVERSE_O2O) {
		if (ormc_pl_from_add(p, s, h->target->table, NULL, alias, ORMC_JOIN_NONE, NULL) < 0)
			return NULL;
		link = sx2(p, ORMC_SX_CMP, ORMC_OP_EQ, sx_col(p, alias, h->remote->column, pk_type(h->model)),
		           sx_col(p, from, h->model->pk->column, pk_type(h->model)));
	} else {
		int fwd = h->kind == ORMC_FIELD_MANYTOMANY;
		const char *jalias = ormc_pl_new_alias(p, h->m2m_table);

		if (jalias == NULL || ormc_pl_from_add(p, s, h->m2m_table, NULL, jalias, ORMC_JOIN_NONE, NULL) < 0)
			return NULL;
		if (ormc_pl_from_add(p, s, h->target->table, NULL, alias, ORMC_JOIN_INNER,
		             sx2(p, ORMC_SX_CMP, ORMC_OP_EQ, sx_col(p, alias, h->target->pk->column, pk_type(h->target)),
		                 sx_col(p, jalias, fwd ? h->m2m_target_column : h->m2m_source_column,
		                        pk_type(h->target)))) < 0)
			return NULL;
		link = sx2(p, ORMC_SX_CMP, ORMC_OP_EQ,
		           sx_col(p, jalias, fwd ? h->m2m_source_column : h->m2m_target_column, pk_type(h->model)),
		           sx_col(p, from, h->model->pk->column, pk_type(h->model)));
	}
	s->where = link;
	ormc_pl_col_add(p, s, sx_int(p, 1), NULL);
	return child;
}

static ormc_sx *
exists_of(scope *sc, const ormc_cond *c, ormc_field **key, int nkey)
{
	plan *p = sc->p;
	scope *child = exists_scope(sc, key, nkey, c ? c->pos : -1);
	ormc_sx *x;

	if (child == NULL)
		return NULL;
	if (c != NULL) {
		int negated = p->negated;
		ormc_sx *inner;

		p->negated = 0;      /* NOT EXISTS (...): the inside is positive */
		inner = ormc_pl_c2sx(child, c, key, nkey);
		p->negated = negated;
		if (inner == NULL)
			return NULL;
		child->sel->where = sx_and(p, child->sel->where, inner);
	}
	x = sx_new(p, ORMC_SX_EXISTS, 0);
	if (x == NULL)
		return NULL;
	x->sub = child->sel;
	x->type = ot(ORMC_FIELD_BOOLEAN);
	return x;
}

/* Can column x be NULL (nullable column, or one reached through a nullable relation)? */
static int
col_nullable(const ormc_expr *x)
{
	walk w;
	int i;

	if (x == NULL || x->kind != ORMC_EXPR_COL)
		return 0;
	ormc_pl_walk_path(x->path, &w);
	if (w.field->null)
		return 1;
	for (i = 0; i < w.n; i++)
		if (w.hops[i]->null || !ormc_field_is_concrete(w.hops[i]))
			return 1;
	return 0;
}

static ormc_sx *leaf_sx1(scope *sc, const ormc_cond *c, ormc_field *const *ctx, int nctx);

/* "x IS NOT NULL" for column x. */
static ormc_sx *
not_null(scope *sc, const ormc_expr *x, ormc_field *const *ctx, int nctx)
{
	ormc_sx *l = ormc_pl_x2sx(sc, x, ctx, nctx);

	l = sx1(sc->p, ORMC_SX_NOT, sx1(sc->p, ORMC_SX_ISNULL, l));
	if (l != NULL)
		l->type = ot(ORMC_FIELD_BOOLEAN);
	return l;
}


/* A text function of the plan: fn(args...). */
static ormc_sx *
text_fn(plan *p, ormc_fn fn, ormc_field_kind kind, ormc_sx *a, ormc_sx *b)
{
	ormc_sx *x = sx_new(p, ORMC_SX_FUNC, b ? 2 : 1);

	if (x == NULL || a == NULL || (b == NULL && x->nargs == 2))
		return NULL;
	x->fn = fn;
	x->args[0] = a;
	if (b)
		x->args[1] = b;
	x->type = a->type;
	x->type.kind = kind;
	return x;
}

/*
 * A pattern lookup whose value is an expression (name__startswith=F("x"),
 * OuterRef(...)): Django escapes the value into a LIKE pattern in SQL; the
 * same test without a pattern needs no escaping on any engine. contains is
 * "found" (StrIndex > 0), startswith "found first" (= 1), endswith "the
 * last LENGTH(value) characters are the value", iexact equality, and the i
 * forms compare Upper() of both (ASCII letters, ormc's rule).
 */
static ormc_sx *
pattern_expr(plan *p, ormc_lookup lookup, ormc_sx *l, ormc_sx *r)
{
	ormc_sx *start;
	int ci = lookup == ORMC_LOOKUP_IEXACT || lookup == ORMC_LOOKUP_ICONTAINS ||
	         lookup == ORMC_LOOKUP_ISTARTSWITH || lookup == ORMC_LOOKUP_IENDSWITH;

	if (ci) {
		l = text_fn(p, ORMC_FN_UPPER, l->type.kind, l, NULL);
		r = text_fn(p, ORMC_FN_UPPER, r->type.kind, r, NULL);
		if (l == NULL || r == NULL)
			return NULL;
	}
	switch (lookup) {
	case ORMC_LOOKUP_IEXACT:
		return sx2(p, ORMC_SX_CMP, ORMC_OP_EQ, l, r);
	case ORMC_LOOKUP_CONTAINS:
	case ORMC_LOOKUP_ICONTAINS:
		return sx2(p, ORMC_SX_CMP, ORMC_OP_GT, text_fn(p, ORMC_FN_STRINDEX, ORMC_FIELD_INTEGER, l, r),
		           sx_int(p, 0));
	case ORMC_LOOKUP_STARTSWITH:
	case ORMC_LOOKUP_ISTARTSWITH:
		return sx2(p, ORMC_SX_CMP, ORMC_OP_EQ, text_fn(p, ORMC_FN_STRINDEX, ORMC_FIELD_INTEGER, l, r),
		           sx_int(p, 1));
	default:
		/* SUBSTR(l, LENGTH(l) - LENGTH(r) + 1) = r; a longer r leaves a shorter text, never equal */
		start = sx2(p, ORMC_SX_ARITH, ORMC_OP_ADD,
		            sx2(p, ORMC_SX_ARITH, ORMC_OP_SUB, text_fn(p, ORMC_FN_LENGTH, ORMC_FIELD_INTEGER, l, NULL),
		                text_fn(p, ORMC_FN_LENGTH, ORMC_FIELD_INTEGER, r, NULL)),
		            sx_int(p, 1));
		if (start == NULL)
			return NULL;
		start->type.kind = ORMC_FIELD_INTEGER;
		start->args[0]->type.kind = ORMC_FIELD_INTEGER;
		return sx2(p, ORMC_SX_CMP, ORMC_OP_EQ, text_fn(p, ORMC_FN_SUBSTR, l->type.kind, l, start), r);
	}
}
/*
 * A lookup under NOT: Django makes NOT (x = 3) keep the rows where x is
 * NULL, by writing NOT (x = 3 AND x IS NOT NULL), and likewise for a
 * nullable column on the right (F("y")).
 */
static ormc_sx *
leaf_sx(scope *sc, const ormc_cond *c, ormc_field *const *ctx, int nctx)
{
	plan *p = sc->p;
	ormc_sx *y = leaf_sx1(sc, c, ctx, nctx);
	const ormc_expr *rhs = c->nrhs == 1 ? c->rhs[0] : NULL;

	if (y == NULL || !p->negated || c->lookup == ORMC_LOOKUP_ISNULL ||
	    c->lookup == ORMC_LOOKUP_ISNOTNULL || y->kind == ORMC_SX_ISNULL || y->kind == ORMC_SX_EXISTS)
		return y;
	if (col_nullable(c->lhs) && (y = sx_and(p, y, not_null(sc, c->lhs, ctx, nctx))) == NULL)
		return NULL;
	if (col_nullable(rhs) && (y = sx_and(p, y, not_null(sc, rhs, ctx, nctx))) == NULL)
		return NULL;
	return y;
}

static ormc_sx *
leaf_sx1(scope *sc, const ormc_cond *c, ormc_field *const *ctx, int nctx)
{
	plan *p = sc->p;
	ormc_sx *l, *r, *y;
	int i;

	/* rel__isnull on a multi-valued relation: no related row at all, or one. */
	if ((c->lookup == ORMC_LOOKUP_ISNULL || c->lookup == ORMC_LOOKUP_ISNOTNULL) &&
	    c->lhs->kind == ORMC_EXPR_COL && ormc_field_is_multi(c->lhs->path->field)) {
		walk w;

		ormc_pl_walk_path(c->lhs->path, &w);
		if (!(w.n <= nctx && prefix_eq(w.hops, ctx, w.n))) {
			int i2, multi = 0;

			for (i2 = nctx; i2 < w.n - 1; i2++)
				multi |= ormc_field_is_multi(w.hops[i2]);
			if (multi && c->lookup == ORMC_LOOKUP_ISNULL) {
				/* Django: no related row at the end of some branch; not compiled yet. */
				ormc_pl_pfail(p, ORMC_EUNSUPPORTED, c->pos,
				      "__isnull across two multi-valued relations is not supported yet");
				return NULL;
			}
			y = exists_of(sc, NULL, w.hops, w.n);
			if (y)
				y->negated = c->lookup == ORMC_LOOKUP_ISNULL;
			return y;
		}
	}
	l = ormc_pl_x2sx(sc, c->lhs, ctx, nctx);
	if (l == NULL)
		return NULL;
	switch (c->lookup) {
	case ORMC_LOOKUP_ISNULL:
	case ORMC_LOOKUP_ISNOTNULL:
		y = sx1(p, ORMC_SX_ISNULL, l);
		if (y != NULL) {
			y->negated = c->lookup == ORMC_LOOKUP_ISNOTNULL;
			y->type = ot(ORMC_FIELD_BOOLEAN);
		}
		return y;
	case ORMC_LOOKUP_IN:
		y = sx_new(p, ORMC_SX_IN, c->nrhs + 1);
		if (y == NULL)
			return NULL;
		y->args[0] = l;
		y->type = ot(ORMC_FIELD_BOOLEAN);
		if (c->nrhs == 1 && c->rhs[0]->kind == ORMC_EXPR_SUBQUERY) {
			y->sub = ormc_pl_plan_query(p, c->rhs[0]->sub, sc, PURPOSE_IN, NULL, NULL, NULL);
			y->nargs = 1;
			return y->sub ? y : NULL;
		}
		for (i = 0; i < c->nrhs; i++)
			if ((y->args[i + 1] = ormc_pl_x2sx(sc, c->rhs[i], ctx, nctx)) == NULL)
				return NULL;
		return y;
	case ORMC_LOOKUP_RANGE:
		return sx_and(p, sx2(p, ORMC_SX_CMP, ORMC_OP_GE, l, ormc_pl_x2sx(sc, c->rhs[0], ctx, nctx)),
		              sx2(p, ORMC_SX_CMP, ORMC_OP_LE, l, ormc_pl_x2sx(sc, c->rhs[1], ctx, nctx)));
	default:
		break;
	}
	r = ormc_pl_x2sx(sc, c->rhs[0], ctx, nctx);
	if (r == NULL)
		return NULL;
	if (r->kind == ORMC_SX_NULL && c->lookup == ORMC_LOOKUP_EXACT)
		return sx1(p, ORMC_SX_ISNULL, l);
	switch (c->lookup) {
	case ORMC_LOOKUP_EXACT: return sx2(p, ORMC_SX_CMP, ORMC_OP_EQ, l, r);
	case ORMC_LOOKUP_GT: return sx2(p, ORMC_SX_CMP, ORMC_OP_GT, l, r);
	case ORMC_LOOKUP_GTE: return sx2(p, ORMC_SX_CMP, ORMC_OP_GE, l, r);
	case ORMC_LOOKUP_LT: return sx2(p, ORMC_SX_CMP, ORMC_OP_LT, l, r);
	case ORMC_LOOKUP_LTE: return sx2(p, ORMC_SX_CMP, ORMC_OP_LE, l, r);
	default: break;
	}
	/* Pattern lookups: the renderer escapes and wraps the text. */
	if (r->kind != ORMC_SX_PARAM || r->value.type != ORMC_TYPE_TEXT) {
		if (ormc_otype_value_type(&l->type) == ORMC_TYPE_TEXT && ormc_otype_value_type(&r->type) == ORMC_TYPE_TEXT)
			return pattern_expr(p, c->lookup, l, r);
		ormc_pl_pfail(p, ORMC_EUNSUPPORTED, c->pos, "pattern lookups against expressions are not supported yet");
		return NULL;
	}
	y = sx1(p, ORMC_SX_LIKE, l);
	if (y == NULL)
		return NULL;
	y->value = r->value;
	y->param = r->param;
	y->type = ot(ORMC_FIELD_BOOLEAN);
	switch (c->lookup) {
	case ORMC_LOOKUP_IEXACT: y->like = ORMC_LIKE_EXACT; y->ci = 1; break;
	case ORMC_LOOKUP_CONTAINS: y->like = ORMC_LIKE_CONTAINS; break;
	case ORMC_LOOKUP_ICONTAINS: y->like = ORMC_LIKE_CONTAINS; y->ci = 1; break;
	case ORMC_LOOKUP_STARTSWITH: y->like = ORMC_LIKE_STARTSWITH; break;
	case ORMC_LOOKUP_ISTARTSWITH: y->like = ORMC_LIKE_STARTSWITH; y->ci = 1; break;
	case ORMC_LOOKUP_ENDSWITH: y->like = ORMC_LIKE_ENDSWITH; break;
	default: y->like = ORMC_LIKE_ENDSWITH; y->ci = 1; break;
	}
	return y;
}

/*
 * Is condition c true of a related row that does not exist? Django joins a
 * multi-valued relation with a LEFT JOIN where isnull=True asks for it, so
 * a row with no related row at all passes tasks__due__isnull=True: its
 * columns are all NULL. Every other lookup is false (unknown) on NULLs.
 */
static int
null_row_true(const ormc_cond *c)
{
	int i;

	switch (c->kind) {
	case ORMC_COND_LEAF:
		return c->lookup == ORMC_LOOKUP_ISNULL;
	case ORMC_COND_TRUE:
		return 1;
	case ORMC_COND_AND:
		for (i = 0; i < c->nkids; i++)
			if (!null_row_true(c->kids[i]))
				return 0;
		return 1;
	case ORMC_COND_OR:
		for (i = 0; i < c->nkids; i++)
			if (null_row_true(c->kids[i]))
				return 1;
		return 0;
	default:
		return 0;
	}
}

/*
 * EXISTS (a related row along key where c holds), or, when c holds of the
 * missing row too, "... OR NOT EXISTS (any related row)".
 */
static ormc_sx *
exists_or_none(scope *sc, const ormc_cond *c, ormc_field **key, int nkey)
{
	plan *p = sc->p;
	ormc_sx *some, *none, *y;

	/*
	 * Deeper relations are handled inside: translated in the EXISTS's
	 * scope, a condition on the next multi-valued relation is again
	 * "a row where it holds, or none at all", as Django's chain of LEFT
	 * JOINs has it.
	 */
	some = exists_of(sc, c, key, nkey);
	if (some == NULL || !null_row_true(c))
		return some;
	none = exists_of(sc, NULL, key, nkey);
	if (none == NULL)
		return NULL;
	none->negated = 1;
	y = sx2(p, ORMC_SX_OR, ORMC_OP_EQ, some, none);
	return y;
}

/*
 * Is c empty? Django leaves an empty Q() out wherever it stands: Q() | X is
 * X, ~Q() and exclude() without arguments select everything.
 */
static int
cond_empty(const ormc_cond *c)
{
	int i;

	switch (c->kind) {
	case ORMC_COND_TRUE:
		return 1;
	case ORMC_COND_NOT:
		return cond_empty(c->kids[0]);
	case ORMC_COND_AND:
	case ORMC_COND_OR:
		for (i = 0; i < c->nkids; i++)
			if (!cond_empty(c->kids[i]))
				return 0;
		return 1;
	default:
		return 0;
	}
}

static int
count_empty(const ormc_cond *c)
{
	int i, n = 0;

	for (i = 0; i < c->nkids; i++)
		n += cond_empty(c->kids[i]);
	return n;
}

/* The conjuncts of an AND, nested ANDs opened up (empty ones left out). */
static int
count_conjuncts(const ormc_cond *c)
{
	int i, n = 0;

	for (i = 0; i < c->nkids; i++)
		if (!cond_empty(c->kids[i]))
			n += c->kids[i]->kind == ORMC_COND_AND ? count_conjuncts(c->kids[i]) : 1;
	return n;
}

static void
list_conjuncts(const ormc_cond *c, ormc_cond **out, int *n)
{
	int i;

	for (i = 0; i < c->nkids; i++)
		if (cond_empty(c->kids[i]))
			continue;
		else if (c->kids[i]->kind == ORMC_COND_AND)
			list_conjuncts(c->kids[i], out, n);
		else
			out[(*n)++] = c->kids[i];
}

/*
 * The multi-valued key of c's positive leaves (those not under a NOT, which
 * are "no such row" subqueries of their own): 0 none, 1 one (in key), 2 more.
 */
static int
positive_key(const ormc_cond *c, ormc_field *const *ctx, int nctx, ormc_field **key, int *nkey)
{
	ormc_field *k1[ORMC_MAX_HOPS + 1];
	int n1 = 0, i, r = 0, k;

	switch (c->kind) {
	case ORMC_COND_LEAF:
	case ORMC_COND_EXPR:
		k = cond_key(c, ctx, nctx, k1, &n1);
		if (k != 1)
			return k;
		if (*nkey == 0) {
			memcpy(key, k1, sizeof(ormc_field *) * (size_t)n1);
			*nkey = n1;
			return 1;
		}
		return n1 == *nkey && prefix_eq(key, k1, n1) ? 1 : 2;
	case ORMC_COND_AND:
	case ORMC_COND_OR:
		for (i = 0; i < c->nkids; i++)
			if ((k = positive_key(c->kids[i], ctx, nctx, key, nkey)) > r)
				r = k;
		return r;
	default:
		return 0;
	}
}

/*
 * Would translating c's children each on its own lose "the same related
 * row"? That is when a child (not a negation) itself mixes conditions on
 * the related row with others: Q(a__x=1) & (Q(a__y=2) | Q(id=3)).
 */
static int
mixed_child(const ormc_cond *c, ormc_field *const *ctx, int nctx)
{
	ormc_field *k1[ORMC_MAX_HOPS + 1];
	int i, n1;

	for (i = 0; i < c->nkids; i++) {
		const ormc_cond *kid = c->kids[i];

		n1 = 0;
		if (kid->kind == ORMC_COND_AND && c->kind == ORMC_COND_AND) {
			if (mixed_child(kid, ctx, nctx))
				return 1;
		} else if (kid->kind != ORMC_COND_NOT && cond_key(kid, ctx, nctx, k1, &n1) == 2) {
			return 1;
		}
	}
	return 0;
}

/*
 * c on a related row that does not exist: its leaves on that row are false,
 * or true for isnull=True (Django's LEFT JOIN gives NULLs); the others as
 * they are. *konst is 0 or 1 when the result is that constant, else -1.
 */
static ormc_sx *
null_row_sx(scope *sc, const ormc_cond *c, ormc_field *const *ctx, int nctx,
            ormc_field *const *key, int nkey, int *konst)
{
	plan *p = sc->p;
	ormc_field *k1[ORMC_MAX_HOPS + 1];
	int n1 = 0, i, k;

	*konst = -1;
	switch (c->kind) {
	case ORMC_COND_TRUE:
		*konst = 1;
		return NULL;
	case ORMC_COND_FALSE:
		*konst = 0;
		return NULL;
	case ORMC_COND_LEAF:
	case ORMC_COND_EXPR:
		k = cond_key(c, ctx, nctx, k1, &n1);
		if (k == 0)
			return ormc_pl_c2sx(sc, c, ctx, nctx);
		*konst = k == 1 && n1 == nkey && prefix_eq(k1, key, nkey) &&
		         c->kind == ORMC_COND_LEAF && c->lookup == ORMC_LOOKUP_ISNULL;
		return NULL;
	case ORMC_COND_NOT:
		/* "no such row" subqueries do not read the missing row */
		return ormc_pl_c2sx(sc, c, ctx, nctx);
	case ORMC_COND_AND:
	case ORMC_COND_OR: {
		int and = c->kind == ORMC_COND_AND;
		ormc_sx *acc = NULL;

		for (i = 0; i < c->nkids; i++) {
			int kk;
			ormc_sx *y = null_row_sx(sc, c->kids[i], ctx, nctx, key, nkey, &kk);

			if (p->failed)
				return NULL;
			if (kk == (and ? 0 : 1)) {
				*konst = kk;          /* FALSE in an AND, TRUE in an OR */
				return NULL;
			}
			if (kk >= 0)
				continue;             /* TRUE in an AND, FALSE in an OR */
			acc = acc == NULL ? y : sx2(p, and ? ORMC_SX_AND : ORMC_SX_OR, ORMC_OP_EQ, acc, y);
		}
		if (acc == NULL)
			*konst = and;
		return acc;
	}
	default:
		return NULL;
	}
}

/*
 * One filter() reads one related row for all its conditions on a relation
 * (Django joins it once): EXISTS (a row where all of c holds), or, when c
 * can hold with no related row at all, "no row and c on NULLs".
 */
static ormc_sx *
exists_one_row(scope *sc, const ormc_cond *c, ormc_field *const *ctx, int nctx,
               ormc_field **key, int nkey)
{
	plan *p = sc->p;
	ormc_sx *some, *none, *rest;
	int konst;

	some = exists_of(sc, c, key, nkey);
	if (some == NULL)
		return NULL;
	rest = null_row_sx(sc, c, ctx, nctx, key, nkey, &konst);
	if (p->failed)
		return NULL;
	if (konst == 0)
		return some;
	none = exists_of(sc, NULL, key, nkey);
	if (none == NULL)
		return NULL;
	none->negated = 1;
	if (konst < 0)
		none = sx2(p, ORMC_SX_AND, ORMC_OP_EQ, none, rest);
	return sx2(p, ORMC_SX_OR, ORMC_OP_EQ, some, none);
}

ormc_sx *
ormc_pl_c2sx(scope *sc, const ormc_cond *c, ormc_field *const *ctx, int nctx)
{
	plan *p = sc->p;
	ormc_field *key[ORMC_MAX_HOPS + 1];
	int nkey = 0, k, i, j;
	ormc_sx *y;

	if (p->failed)
		return NULL;
	if (cond_empty(c)) {
		y = sx_new(p, ORMC_SX_TRUE, 0);
		if (y != NULL)
			y->type = ot(ORMC_FIELD_BOOLEAN);
		return y;
	}
	k = cond_key(c, ctx, nctx, key, &nkey);
	if (k == 1 && c->has_agg) {
		ormc_pl_pfail(p, ORMC_EUNSUPPORTED, c->pos,
		      "comparing an aggregate with a field of a multi-valued relation is not supported");
		return NULL;
	}
	if (k == 1)
		return exists_or_none(sc, c, key, nkey);
	if (k == 2 && nctx == 0 && !p->in_agg && !c->has_agg &&
	    (c->kind == ORMC_COND_AND || c->kind == ORMC_COND_OR) && mixed_child(c, ctx, nctx)) {
		/* (with a joined relation around it, its leaves must stay on that join: per part) */
		nkey = 0;
		if (positive_key(c, ctx, nctx, key, &nkey) == 1)
			return exists_one_row(sc, c, ctx, nctx, key, nkey);
	}
	switch (c->kind) {
	case ORMC_COND_TRUE:
		return sx_new(p, ORMC_SX_TRUE, 0);
	case ORMC_COND_FALSE:
		return sx_new(p, ORMC_SX_FALSE, 0);
	case ORMC_COND_LEAF:
		return leaf_sx(sc, c, ctx, nctx);
	case ORMC_COND_EXPR:
		return ormc_pl_x2sx(sc, c->lhs, ctx, nctx);
	case ORMC_COND_NOT: {
		/*
		 * A negation over a multi-valued relation in a filter() is "no
		 * such related row" (Django's split_exclude), also where the
		 * relation is joined for an aggregate. It reads the joined row
		 * only where a positive condition before it in the same filter()
		 * joined the relation (Django then correlates its subquery with
		 * that join: neg_on_row), and in an aggregate's filter=.
		 */
		ormc_field *nk[ORMC_MAX_HOPS + 1];
		int on_row = p->in_agg || p->neg_on_row;
		int nnk = 0, multi = !on_row && cond_key(c->kids[0], NULL, 0, nk, &nnk) != 0;

		p->neg_on_row = 0;
		p->negated ^= 1;
		y = ormc_pl_c2sx(sc, c->kids[0], multi ? NULL : ctx, multi ? 0 : nctx);
		p->negated ^= 1;
		y = sx1(p, ORMC_SX_NOT, y);
		if (y)
			y->type = ot(ORMC_FIELD_BOOLEAN);
		return y;
	}
	case ORMC_COND_AND:
	case ORMC_COND_OR: {
		/*
		 * Children that need the same EXISTS share it (same related row);
		 * the others are translated each on its own. Nested ANDs are one
		 * conjunction: Q(tasks__a=1) & Q(id=2) beside tasks__b=3 in one
		 * filter() is one task with a = 1 and b = 3.
		 */
		int nk = c->kind == ORMC_COND_AND ? count_conjuncts(c) : c->nkids - count_empty(c);
		ormc_cond **kids = ormc_arena_alloc(p->a, sizeof(ormc_cond *) * (size_t)nk);
		char *done = ormc_arena_alloc(p->a, (size_t)nk);
		ormc_sx **parts = ormc_arena_alloc(p->a, sizeof(ormc_sx *) * (size_t)nk);
		int nparts = 0, n = 0;

		if (kids == NULL || done == NULL || parts == NULL) {
			ormc_pl_pfail(p, ORMC_ENOMEM, -1, "out of memory");
			return NULL;
		}
		if (c->kind == ORMC_COND_AND)
			list_conjuncts(c, kids, &n);
		else
			for (i = 0; i < c->nkids; i++)
				if (!cond_empty(c->kids[i]))
					kids[n++] = c->kids[i];
		assert(n == nk && nk > 0);
		memset(done, 0, (size_t)nk);
		for (i = 0; i < nk; i++) {
			ormc_field *ki[ORMC_MAX_HOPS + 1];
			int nki = 0;
			ormc_cond *grp;

			if (done[i])
				continue;
			done[i] = 1;
			if (cond_key(kids[i], ctx, nctx, ki, &nki) != 1) {
				/* A negation after a positive condition on the joined relation reads its row. */
				if (c->kind == ORMC_COND_AND && kids[i]->kind == ORMC_COND_NOT && nctx > 0)
					for (j = 0; j < i; j++)
						if (kids[j]->kind != ORMC_COND_NOT && ormc_pl_cond_touches(kids[j], ctx, nctx))
							p->neg_on_row = 1;
				parts[nparts++] = ormc_pl_c2sx(sc, kids[i], ctx, nctx);
				p->neg_on_row = 0;
				continue;
			}
			grp = NEW(p, ormc_cond);
			if (grp == NULL)
				return NULL;
			grp->kind = c->kind;
			grp->kids = ormc_arena_alloc(p->a, sizeof(ormc_cond *) * (size_t)nk);
			if (grp->kids == NULL)
				return NULL;
			grp->kids[grp->nkids++] = kids[i];
			for (j = i + 1; j < nk; j++) {
				ormc_field *kj[ORMC_MAX_HOPS + 1];
				int nkj = 0;

				if (!done[j] && cond_key(kids[j], ctx, nctx, kj, &nkj) == 1 &&
				    nkj == nki && prefix_eq(ki, kj, nki)) {
					grp->kids[grp->nkids++] = kids[j];
					done[j] = 1;
				} else if (!done[j] && c->kind == ORMC_COND_AND && kids[j]->kind == ORMC_COND_NOT &&
				           cond_key(kids[j]->kids[0], ctx, nctx, kj, &nkj) == 1 &&
				           nkj == nki && prefix_eq(ki, kj, nki)) {
					/* ~Q on the relation after a positive one: on the same related row. */
					grp->kids[grp->nkids++] = kids[j];
					done[j] = 1;
				}
			}
			parts[nparts++] = exists_or_none(sc, grp->nkids == 1 ? grp->kids[0] : grp, ki, nki);
		}
		if (nparts == 1)
			return parts[0];
		y = sx_new(p, c->kind == ORMC_COND_AND ? ORMC_SX_AND : ORMC_SX_OR, nparts);
		if (y == NULL)
			return NULL;
		for (i = 0; i < nparts; i++) {
			if (parts[i] == NULL)
				return NULL;
			y->args[i] = parts[i];
		}
		y->type = ot(ORMC_FIELD_BOOLEAN);
		return y;
	}
	}
	return NULL;
}
