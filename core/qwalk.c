/*
 * qwalk.c -- the query IR walker (see qwalk.h), and the comparison of
 * column references the analyses share.
 */
#include <assert.h>
#include <string.h>

#include "qwalk.h"

/* Walk below a node whose callback said CONTINUE. */
static int
expr_children(ormc_qwalker *w, const ormc_expr *x)
{
	int i;

	assert(x->nargs == 0 || x->args != NULL);
	for (i = 0; i < x->nargs; i++)
		if (ormc_qwalk_expr(w, x->args[i]) == ORMC_WALK_ABORT)
			return ORMC_WALK_ABORT;
	if (ormc_qwalk_expr(w, x->else_) == ORMC_WALK_ABORT)
		return ORMC_WALK_ABORT;
	for (i = 0; x->kind == ORMC_EXPR_CASE && x->whens != NULL && i < x->nargs; i++)
		if (ormc_qwalk_cond(w, x->whens[i]) == ORMC_WALK_ABORT)
			return ORMC_WALK_ABORT;
	if (ormc_qwalk_cond(w, x->filter) == ORMC_WALK_ABORT ||
	    ormc_qwalk_expr(w, x->deflt) == ORMC_WALK_ABORT ||
	    ormc_qwalk_cond(w, x->cond) == ORMC_WALK_ABORT)
		return ORMC_WALK_ABORT;
	if (x->annot != NULL &&
	    ((x->kind == ORMC_EXPR_REF && (w->flags & ORMC_QWALK_REFS)) ||
	     (x->kind == ORMC_EXPR_INNER && (w->flags & ORMC_QWALK_INNER))))
		return ormc_qwalk_expr(w, x->annot->expr);
	return ORMC_WALK_CONTINUE;
}

int
ormc_qwalk_expr(ormc_qwalker *w, const ormc_expr *x)
{
	int r;

	if (x == NULL)
		return ORMC_WALK_CONTINUE;
	r = w->expr != NULL ? w->expr(w, x) : ORMC_WALK_CONTINUE;
	if (r == ORMC_WALK_ABORT)
		return ORMC_WALK_ABORT;
	if (r == ORMC_WALK_PRUNE)
		return ORMC_WALK_CONTINUE;
	w->depth++;
	r = expr_children(w, x);
	w->depth--;
	return r;
}

int
ormc_qwalk_prune_cond(ormc_qwalker *w, const ormc_cond *c)
{
	(void)w;
	(void)c;
	return ORMC_WALK_PRUNE;
}

int
ormc_qwalk_cond(ormc_qwalker *w, const ormc_cond *c)
{
	int i, r;

	if (c == NULL)
		return ORMC_WALK_CONTINUE;
	r = w->cond != NULL ? w->cond(w, c) : ORMC_WALK_CONTINUE;
	if (r == ORMC_WALK_ABORT)
		return ORMC_WALK_ABORT;
	if (r == ORMC_WALK_PRUNE)
		return ORMC_WALK_CONTINUE;
	w->depth++;
	r = ORMC_WALK_CONTINUE;
	for (i = 0; i < c->nkids && r != ORMC_WALK_ABORT; i++)
		r = ormc_qwalk_cond(w, c->kids[i]);
	if (r != ORMC_WALK_ABORT)
		r = ormc_qwalk_expr(w, c->lhs);
	for (i = 0; i < c->nrhs && r != ORMC_WALK_ABORT; i++)
		r = ormc_qwalk_expr(w, c->rhs[i]);
	w->depth--;
	return r;
}

/* Do a and b read the same column (COL: same walk and transforms; REF, INNER: same annotation)? */
int
ormc_expr_same_column(const ormc_expr *a, const ormc_expr *b)
{
	int i;

	if (a->kind != b->kind)
		return 0;
	if (a->kind == ORMC_EXPR_REF || a->kind == ORMC_EXPR_INNER)
		return a->annot == b->annot;
	if (a->kind != ORMC_EXPR_COL || a->path->nhops != b->path->nhops ||
	    a->path->field != b->path->field || a->ntransforms != b->ntransforms)
		return 0;
	for (i = 0; i < a->path->nhops; i++)
		if (a->path->hops[i] != b->path->hops[i])
			return 0;
	for (i = 0; i < a->ntransforms; i++)
		if (strcmp(a->transforms[i], b->transforms[i]) != 0)
			return 0;
	return 1;
}
