/*
 * rel.h -- the relational tree of one QuerySet, between its IR and the SQL
 * plan (DESIGN.md section 1).
 *
 * A QuerySet level lowers to a chain of nodes, each reading the rows of its
 * input, bottom to top:
 *
 *   kind       rows                                  holds
 *   ---------  ------------------------------------  ---------------------------
 *   SCAN       the model's table                     model
 *   LEVEL      the level below, as a derived table   sub (its tree), reads
 *   COMBINE    union() / intersection() / ...        the combined QuerySet
 *   JOIN       the input, once per related row of    chain (empty: each walk
 *              a multi-valued chain (LEFT JOIN)      joins as it is met)
 *   FILTER     one filter() / exclude() call         filter (index), how, ctx
 *   AGGREGATE  one row per key                       keys, blocks, group_by
 *   WINDOW     the rows, with window functions       the annotations that hold them
 *   PROJECT    the output columns                    mode, purpose, cols
 *   SORT       order_by(), or Meta.ordering          meta
 *   DISTINCT   distinct(), distinct(*fields)
 *   LIMIT      a slice
 *
 * FILTER nodes below the AGGREGATE constrain the rows aggregated (WHERE);
 * those above it read aggregates (HAVING). An aggregate() over a grouped,
 * distinct or sliced query is an AGGREGATE over a LEVEL holding that query;
 * so is an annotate() with an aggregate after values() after an aggregate
 * (an aggregation level over the level below).
 *
 * ormc_rel_lower() builds the tree from what the QuerySet's steps made;
 * ormc_rel_rewrite() then decides ormc's rules for the whole level before
 * any SQL is built: where each aggregate is computed (its block: in place,
 * a derived table keyed by the level's keys, or a scalar subquery), which
 * multi-valued chain is joined (the one aggregate chain, or the relations
 * values(), order_by() or an OuterRef need), and how each filter reads a
 * multi-valued relation (the joined rows, the rows of an annotation bound
 * to it, or else a semi-join: some related row, EXISTS). A semi-join is
 * part of its FILTER, not a node of its own, because a condition may OR it
 * with conditions on the row itself (Q(price__gt=50) | Q(authors__age=30)). The planner (planner.c) then
 * collapses each level into one SELECT, translating the expressions.
 */
#ifndef ORMC_REL_H
#define ORMC_REL_H

#include "planner.h"

typedef enum ormc_rel_kind {
	ORMC_REL_SCAN,
	ORMC_REL_LEVEL,
	ORMC_REL_COMBINE,
	ORMC_REL_JOIN,
	ORMC_REL_FILTER,
	ORMC_REL_AGGREGATE,
	ORMC_REL_WINDOW,
	ORMC_REL_PROJECT,
	ORMC_REL_SORT,
	ORMC_REL_DISTINCT,
	ORMC_REL_LIMIT
} ormc_rel_kind;

/* What a level outputs. */
typedef enum ormc_rel_mode {
	ORMC_REL_ROWS,            /* its rows */
	ORMC_REL_AGG,             /* aggregate(): one row of the aggregates */
	ORMC_REL_COUNT            /* count(): one row, the number of rows */
} ormc_rel_mode;

/* How a FILTER reads a multi-valued relation its condition walks. */
typedef enum ormc_filter_how {
	ORMC_FILTER_SEMI,         /* the level's rows; some related row of each relation in semi (EXISTS) */
	ORMC_FILTER_JOINED,       /* the rows of the level's JOIN (ctx) */
	ORMC_FILTER_BOUND,        /* the joins of the annotations bound to it (join reuse) */
	ORMC_FILTER_HAVING,       /* above the AGGREGATE: reads aggregates */
	ORMC_FILTER_AFTER         /* reads aggregates, but the level does not group: WHERE */
} ormc_filter_how;

/* Where the aggregates of one block are computed. */
typedef enum ormc_agg_form {
	ORMC_FORM_INLINE,         /* in the level's own SELECT, over its rows (and its JOIN) */
	ORMC_FORM_DERIVED,        /* a derived table grouped by the keys, LEFT JOINed on them */
	ORMC_FORM_SCALAR,         /* aggregate(): a scalar subquery per aggregate */
	ORMC_FORM_CORRELATED      /* a scalar subquery per aggregate, correlated with the level's row */
} ormc_agg_form;

/*
 * Aggregates over one multi-valued chain (none: the base rows) and
 * constrained by the same filter() (Django's join reuse).
 */
typedef struct ormc_rel_block {
	ormc_field *chain[ORMC_MAX_HOPS + 1];
	int n;
	int filter;               /* the filter() that picks its rows, or -1 */
	ormc_ptrvec aggs;         /* const ormc_expr*, ORMC_EXPR_AGG */
	int nbefore;              /* filters before the first of them */
	ormc_agg_form form;
} ormc_rel_block;

/* A walk to a multi-valued relation: hops[0 .. n), the last one multi-valued. */
typedef struct ormc_rel_path {
	ormc_field *const *hops;
	int n;
} ormc_rel_path;

/* An annotation read through the joins of the filter() it follows (see ORMC_FILTER_BOUND). */
typedef struct ormc_rel_bind {
	ormc_annot *annot;
	int filter;
} ormc_rel_bind;

/*
 * A column a level reads from the LEVEL below: name is the derived table's
 * column, expr what the level below selects under that name; annot, for
 * aggregate() over a query, the annotation read by that name above.
 */
typedef struct ormc_rel_read {
	const char *name;
	ormc_expr *expr;
	const ormc_annot *annot;
} ormc_rel_read;

typedef struct ormc_rel ormc_rel;

struct ormc_rel {
	ormc_rel_kind kind;
	ormc_rel *input;          /* the rows read; NULL for SCAN, LEVEL, COMBINE */
	ormc_qs *qs;              /* the QuerySet level the node belongs to */

	/* LEVEL: the tree below, and what the level reads of it (aggregate() reads annotations by name) */
	ormc_rel *sub;
	ormc_rel_read *reads;
	int nreads;
	int wrap;                 /* the same QuerySet, computed first for aggregate() or count() */

	/* JOIN */
	ormc_field **chain;
	int nchain;
	int for_aggs;             /* the one aggregate chain (Django's join), not only values()/order_by()/OuterRef */
	ormc_ptrvec binds;        /* ormc_rel_bind*, in annotation order */

	/* FILTER */
	int filter;               /* index in qs->filters */
	ormc_filter_how how;
	ormc_field **ctx;         /* JOINED, BOUND: the chain its walks read through the join */
	int nctx;
	ormc_rel_path *semi;      /* the multi-valued relations it reads beyond ctx: semi-joins */
	int nsemi;

	/* AGGREGATE */
	ormc_expr **keys;         /* values() (and order_by() fields), or the primary key per object */
	int nkeys;
	int per_object;
	int group_by;             /* GROUP BY is written */
	int inline_aggs;          /* some aggregate is computed in place */
	ormc_rel_block **blocks;
	int nblocks;

	/* WINDOW: the annotations computed with a window function, over the rows as they are here */
	ormc_ptrvec windows;      /* ormc_annot* */

	/* PROJECT */
	ormc_rel_mode mode;
	int purpose;              /* PURPOSE_* (planner.h) */
	ormc_outcol *cols;        /* ORMC_REL_ROWS: the output columns */
	int ncols;

	/* SORT: qs->order, then the model's Meta.ordering when meta */
	int meta;
};

/* The nodes of one level, found by kind (filters in filter() order, below and above the aggregate). */
typedef struct ormc_rel_parts {
	ormc_rel *top;
	ormc_rel *base;           /* SCAN, LEVEL or COMBINE */
	ormc_rel *join;
	ormc_rel *agg;
	ormc_rel *window;
	ormc_rel *project;
	ormc_rel *sort;
	ormc_rel *distinct;
	ormc_rel *limit;
	ormc_rel **filters;       /* by index in qs->filters */
	int nfilters;
} ormc_rel_parts;

/* ---------------------------------------------------------------- rel_lower.c */

/* A node of kind over input (NULL for rows), for qs's level; NULL (the plan failed) when out of memory. */
ormc_rel *ormc_rel_node(plan *p, ormc_rel_kind kind, ormc_qs *qs, ormc_rel *input);

/*
 * The tree of qs as a level of rows (ORMC_REL_ROWS, with the output columns
 * cols, or all of them when cols is NULL), or as aggregate() or count():
 * an AGGREGATE over a LEVEL when the query must be computed first.
 */
ormc_rel *ormc_rel_lower(plan *p, ormc_qs *qs, ormc_rel_mode mode, int purpose,
                         ormc_outcol *cols, int ncols);
/* The nodes of the level whose top node is top. */
int ormc_rel_parts_of(plan *p, ormc_rel *top, ormc_rel_parts *parts);
/* Append the tree to b, one node a line, each input indented below the node that reads it. */
struct ormc_sqlbuf;
void ormc_rel_print(struct ormc_sqlbuf *b, const ormc_rel *top, int depth);

/* ---------------------------------------------------------------- rel_rewrite.c */

/* Decide blocks, the joined chain and each filter's reading for every level of top. */
int ormc_rel_rewrite(plan *p, ormc_rel *top);
/*
 * Are the tree's invariants kept (node order per level, filters on the
 * right side of the aggregate, blocks consistent with the JOIN and the
 * output)? 0, or -1 with why. Every tree is checked after its rewrites.
 */
int ormc_rel_check(const ormc_rel *top, char *why, size_t len);

#endif
