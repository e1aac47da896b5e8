/*
 * qwalk.h -- one walker for the query IR (core/query.h), as walk.h is the
 * plan's.
 *
 * A callback sees each expression (or condition) before its children and
 * answers ORMC_WALK_CONTINUE (go into them), ORMC_WALK_PRUNE (skip them) or
 * ORMC_WALK_ABORT (stop the whole walk). The children of an expression are,
 * in this order, its arguments (a Case's thens), its else, a Case's When
 * conditions, an aggregate's filter= and default=, and the Q of an
 * ExpressionWrapper; those of a condition are its
 * operands and its lhs and rhs values. With ORMC_QWALK_REFS an annotation
 * read by name (REF), with ORMC_QWALK_INNER one of the level below (INNER),
 * is walked where it is read. A Subquery's or Exists' own queryset is never entered: it is another
 * query, which a callback may walk itself.
 *
 * Every analysis of the IR that asks "is there such a node?" or collects
 * nodes is a callback on this walker, not a recursion of its own.
 */
#ifndef ORMC_QWALK_H
#define ORMC_QWALK_H

#include "query.h"
#include "walk.h"

enum {
	ORMC_QWALK_REFS = 1,    /* follow REF into the annotation's expression */
	ORMC_QWALK_INNER = 2    /* follow INNER into the level below's expression */
};

typedef struct ormc_qwalker ormc_qwalker;

struct ormc_qwalker {
	int (*expr)(ormc_qwalker *w, const ormc_expr *x);   /* NULL: continue */
	int (*cond)(ormc_qwalker *w, const ormc_cond *c);   /* NULL: continue */
	unsigned flags;
	void *ctx;
	int depth;              /* nodes above the current one */
};

/*
 * A cond callback that enters no condition: for analyses of values, to
 * which a condition (a When, a Q as a value) is "some related row" and no
 * value of its own.
 */
int ormc_qwalk_prune_cond(ormc_qwalker *w, const ormc_cond *c);

/* Walk x and its children: ORMC_WALK_ABORT if a callback aborted, else 0. */
int ormc_qwalk_expr(ormc_qwalker *w, const ormc_expr *x);

/* Walk c and its children: ORMC_WALK_ABORT if a callback aborted, else 0. */
int ormc_qwalk_cond(ormc_qwalker *w, const ormc_cond *c);

/* Do a and b read the same column (COL: same walk and transforms; REF, INNER: same annotation)? */
int ormc_expr_same_column(const ormc_expr *a, const ormc_expr *b);

#endif
