/*
 * walk.h -- one walker for the relational plan (core/plan.h).
 *
 * As SQLite's walker.c: a callback sees each expression node before its
 * children and answers ORMC_WALK_CONTINUE (go into the children),
 * ORMC_WALK_PRUNE (skip them) or ORMC_WALK_ABORT (stop the whole walk). A
 * subquery met inside an expression (EXISTS, a scalar SUBQUERY, IN (SELECT
 * ...)) or a derived table in FROM is entered only when the walker has a
 * select callback, which is asked first and answers the same way.
 *
 * Every analysis of a finished plan (the GROUP BY check, grouping
 * completion) is a pair of callbacks on this walker, not a recursion of its
 * own.
 */
#ifndef ORMC_WALK_H
#define ORMC_WALK_H

#include "plan.h"

enum {
	ORMC_WALK_CONTINUE = 0,
	ORMC_WALK_PRUNE = 1,
	ORMC_WALK_ABORT = 2
};

typedef struct ormc_walker ormc_walker;

struct ormc_walker {
	int (*expr)(ormc_walker *w, ormc_sx *x);        /* NULL: continue everywhere */
	int (*select)(ormc_walker *w, ormc_select *s);  /* NULL: subqueries are not entered */
	void *ctx;
	int depth;              /* subqueries entered above the current node */
};

/* Walk x and its children. Returns ORMC_WALK_ABORT if a callback aborted, else 0. */
int ormc_walk_sx(ormc_walker *w, ormc_sx *x);

/*
 * Walk every expression of s: select list, FROM (join conditions, and
 * derived tables through the select callback), WHERE, GROUP BY, HAVING,
 * ORDER BY. The select callback is not called for s itself.
 */
int ormc_walk_select(ormc_walker *w, ormc_select *s);

/*
 * Do a and b compute the same value, written as the same SQL? Only for the
 * shapes grouping repeats (columns, transforms, arithmetic and functions of
 * columns): a parameter or a subquery is never "the same", not even as itself,
 * since each time it is written it is a new placeholder.
 */
int ormc_sx_same(const ormc_sx *a, const ormc_sx *b);

/*
 * Position (1-based) of x among s's selected columns when x is one of them
 * (the same node) and not a plain column, else 0. The renderer writes such
 * an expression in GROUP BY and ORDER BY by its position, since written again
 * it would bind new parameters.
 */
int ormc_select_position(const ormc_select *s, const ormc_sx *x);

/* Does x contain a parameter (outside subqueries)? */
int ormc_sx_has_param(const ormc_sx *x);

/* Does x contain a node ormc_sx_same as y (outside subqueries)? */
int ormc_sx_contains(const ormc_sx *x, const ormc_sx *y);

/*
 * Does a derived table (a SELECT in FROM) anywhere in s read a column of a
 * query around it? MariaDB (and MySQL before 8.0.14) cannot run that.
 */
int ormc_plan_derived_reads_outer(ormc_select *s);

/* Append x to s's GROUP BY; -1 when out of memory. */
int ormc_select_add_group(ormc_arena *a, ormc_select *s, ormc_sx *x);

/* Is alias one of the FROM items of s? */
int ormc_select_has_alias(const ormc_select *s, const char *alias);

#endif
