/*
 * planner.h -- what the planner's files share (core/planner.c, plan_build.c,
 * plan_expr.c, plan_cond.c). Not a public interface: everything here is
 * the planner's own, named ormc_pl_ when it crosses files.
 *
 *   file          concern
 *   ------------  ----------------------------------------------------------
 *   plan_build.c  errors, aliases, adding FROM items, columns and keys;
 *                 relation walks and the joins of a scope
 *   plan_expr.c   expressions: columns, aggregates in place, annotations,
 *                 functions, subqueries; multi-valued chains of expressions
 *   plan_cond.c   conditions: lookups, and where each is evaluated (WHERE,
 *                 EXISTS over a multi-valued relation, HAVING)
 *   planner.c     one QuerySet as a SELECT: aggregate blocks and derived
 *                 tables, grouping, levels, aggregate() and count() wrappers
 *   compile.c     ormc_plan_compile: plan, check, render
 *
 * A scope is the rows one SELECT reads: its base table (or the derived table
 * of the level below), the joins it has made, and where the aggregates and
 * annotations it has already translated can be read.
 */
#ifndef ORMC_PLANNER_H
#define ORMC_PLANNER_H

#include <stdint.h>

#include "error.h"
#include "plan.h"
#include "query.h"

typedef struct plan plan;
typedef struct scope scope;

struct plan {
	ormc_arena *a;
	const ormc_query *q;
	ormc_error *err;
	int nalias;
	int failed;
	int negated;     /* translating a condition under an odd number of NOTs */
	int in_agg;      /* translating an aggregate's argument or filter=: row conditions */
	int neg_on_row;  /* the next negation reads the joined related row (see plan_cond.c) */
	struct ormc_rel *tree;  /* the query's relational tree (rel.h): the first one lowered */
	ormc_ptrvec subtrees;   /* the others: its subqueries' and union parts', in the order planned */
};

typedef struct joinent {
	ormc_field **hops;
	int n;
	const char *alias;
	int tag;                  /* 0, or the scope's join_tag it was made under */
} joinent;

typedef struct aggmap {
	const ormc_expr *agg;
	ormc_sx *sx;
} aggmap;

typedef struct annmap {
	const ormc_annot *annot;
	ormc_sx *sx;
} annmap;

struct scope {
	plan *p;
	ormc_select *sel;
	ormc_qs *qs;
	scope *parent;            /* rows this scope is correlated with */
	scope *outer;             /* enclosing query, for OuterRef */
	ormc_field **root;        /* relation walk that root_alias stands for */
	int nroot;
	const char *root_alias;
	ormc_model *root_model;
	int multi_ok;             /* may join multi-valued relations */
	ormc_join_kind chain_join;
	ormc_ptrvec joins;        /* joinent* */
	ormc_ptrvec aggs;         /* aggmap*: aggregates computed elsewhere */
	ormc_ptrvec anns;         /* annmap*: annotations already translated */
	ormc_field **ctx;         /* translation context of aggregates in this scope */
	int nctx;
	int join_tag;             /* nonzero: walks join (and reuse) joins of this tag only */
};

#define NEW(p, T) ((T *)ormc_arena_alloc((p)->a, sizeof(T)))

/* What a (sub)query is planned for: its own rows, one value, EXISTS, IN (...). */
enum {
	PURPOSE_TOP,
	PURPOSE_SCALAR,
	PURPOSE_EXISTS,
	PURPOSE_IN,
	PURPOSE_EXISTS_ROWS   /* a sliced query under EXISTS: its rows, sliced, unordered (Django's exists()) */
};

/*
 * The relations a path walks, counting a final relation that is not a column
 * of its own table (Count("book"), Count("authors")) as one more hop; then
 * *col is the column-bearing field on the last model (NULL: its primary key).
 */
typedef struct walk {
	ormc_field *hops[ORMC_MAX_HOPS + 1];
	int n;
	ormc_field *field;        /* concrete field on the last model */
	int nchain;               /* hops up to and including the last multi-valued one */
} walk;

/* ---------------------------------------------------------------- small builders */

static inline ormc_otype
ot(ormc_field_kind k)
{
	return ormc_otype_of(k, -1, -1);
}

static inline ormc_otype
pk_type(const ormc_model *m)
{
	return ot(m->pk->kind);
}

static inline int
prefix_eq(ormc_field *const *a, ormc_field *const *b, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (a[i] != b[i])
			return 0;
	return 1;
}

static inline int
common_prefix(ormc_field *const *a, int na, ormc_field *const *b, int nb)
{
	int i;

	for (i = 0; i < na && i < nb; i++)
		if (a[i] != b[i])
			break;
	return i;
}

static inline ormc_sx *
sx_new(plan *p, ormc_sx_kind kind, int nargs)
{
	ormc_sx *x = NEW(p, ormc_sx);

	if (x == NULL) {
		p->failed = 1;
		return NULL;
	}
	x->kind = kind;
	x->type.kind = ORMC_FIELD_INTEGER;
	x->type.max_digits = x->type.decimal_places = -1;
	if (nargs > 0) {
		x->args = ormc_arena_alloc(p->a, sizeof(ormc_sx *) * (size_t)nargs);
		if (x->args == NULL) {
			p->failed = 1;
			return NULL;
		}
	}
	x->nargs = nargs;
	return x;
}

static inline ormc_sx *
sx_col(plan *p, const char *table, const char *name, ormc_otype t)
{
	ormc_sx *x = sx_new(p, ORMC_SX_COL, 0);

	if (x) {
		x->table = table;
		x->name = name;
		x->type = t;
	}
	return x;
}

static inline ormc_sx *
sx_int(plan *p, int64_t v)
{
	ormc_sx *x = sx_new(p, ORMC_SX_INT, 0);

	if (x)
		x->ival = v;
	return x;
}

/* A comparison, or arithmetic when kind is ORMC_SX_ARITH; AND, NSEQ ignore op. */
static inline ormc_sx *
sx2(plan *p, ormc_sx_kind kind, ormc_op op, ormc_sx *a, ormc_sx *b)
{
	ormc_sx *x = sx_new(p, kind, 2);

	if (x == NULL || a == NULL || b == NULL)
		return NULL;
	x->op = op;
	x->args[0] = a;
	x->args[1] = b;
	x->type.kind = ORMC_FIELD_BOOLEAN;
	return x;
}

static inline ormc_sx *
sx1(plan *p, ormc_sx_kind kind, ormc_sx *a)
{
	ormc_sx *x = sx_new(p, kind, 1);

	if (x == NULL || a == NULL)
		return NULL;
	x->args[0] = a;
	x->type = a->type;
	return x;
}

/* AND of a and b, either may be NULL; a TRUE (an empty Q()) is left out. */
static inline ormc_sx *
sx_and(plan *p, ormc_sx *a, ormc_sx *b)
{
	if (a == NULL || (a->kind == ORMC_SX_TRUE && b != NULL))
		return b;
	if (b == NULL || b->kind == ORMC_SX_TRUE)
		return a;
	return sx2(p, ORMC_SX_AND, ORMC_OP_EQ, a, b);
}

/* ---------------------------------------------------------------- plan_build.c */

/* Record the first error (later ones are ignored) and mark the plan failed; returns code. */
int ormc_pl_pfail(plan *p, int code, int pos, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 4, 5)))
#endif
	;
/* A fresh table alias: T1, T2, ... */
const char *ormc_pl_new_alias(plan *p, const char *table);
/* Append a FROM item (a table, or the derived table sub); -1 when out of memory. */
int ormc_pl_from_add(plan *p, ormc_select *s, const char *table, ormc_select *sub,
                     const char *alias, ormc_join_kind join, ormc_sx *on);
/* Append a select-list column; -1 (and the plan failed) if x is NULL or out of memory. */
int ormc_pl_col_add(plan *p, ormc_select *s, ormc_sx *x, const char *name);
/* Add a GROUP BY key unless an equal one is there. */
int ormc_pl_group_add(plan *p, ormc_select *s, ormc_sx *x);
/* An empty SELECT (no LIMIT). */
ormc_select *ormc_pl_select_new(plan *p);
/* The relations path walks, and the last multi-valued one (see walk). */
void ormc_pl_walk_path(const ormc_path *path, walk *w);
/* A scope over sel for the rows of model m; parent: rows it is correlated with. */
scope *ormc_pl_scope_new(plan *p, ormc_select *sel, ormc_qs *qs, ormc_model *m, scope *parent);
/* FROM the scope's base table; returns its alias. */
const char *ormc_pl_scope_base(scope *sc);
/* The alias of hops[0..k) from the scope's rows, joining what is missing. */
const char *ormc_pl_scope_join(scope *sc, ormc_field *const *hops, int k, int pos);

/* ---------------------------------------------------------------- plan_expr.c */

/* Widen chain to the multi-valued relations x walks outside aggregates; *n = -1: two chains. */
void ormc_pl_expr_chain(const ormc_expr *x, ormc_field **chain, int *n);
/* Does a positive leaf of c walk into chain? */
int ormc_pl_cond_touches(const ormc_cond *c, ormc_field *const *chain, int n);
/* Where an aggregate computed elsewhere (a derived table) is read, or NULL. */
ormc_sx *ormc_pl_agg_lookup(scope *sc, const ormc_expr *x);
/* COALESCE(value, default) for an aggregate with default=. */
ormc_sx *ormc_pl_with_default(scope *sc, const ormc_expr *agg, ormc_sx *value);
/* An aggregate computed in the scope's own SELECT. */
ormc_sx *ormc_pl_agg_inline(scope *sc, const ormc_expr *x);
/* An IR expression in scope sc; ctx: the multi-valued chain its aggregates may join. */
ormc_sx *ormc_pl_x2sx(scope *sc, const ormc_expr *x, ormc_field *const *ctx, int nctx);

/* ---------------------------------------------------------------- plan_cond.c */

/* An IR condition in scope sc; ctx as for ormc_pl_x2sx. */
ormc_sx *ormc_pl_c2sx(scope *sc, const ormc_cond *c, ormc_field *const *ctx, int nctx);

/* ---------------------------------------------------------------- planner.c */

/* Plan a (sub)query; names/types/ncols (may be NULL) receive its output columns. */
ormc_select *ormc_pl_plan_query(plan *p, ormc_qs *qs, scope *outer, int purpose,
                                const char ***names, ormc_otype **types, int *ncols);

/* ---- planner.c and plan_combine.c: whole SELECTs */

/* qs planned as a SELECT for purpose (PURPOSE_*); names/types/ncols, when not NULL, its columns. */
ormc_select *ormc_pl_select_in(plan *p, ormc_qs *qs, scope *outer, int purpose,
                               const char ***names, ormc_otype **types, int *ncols);
/* The combined rows of c (ORMC_COMBINE_*): each part planned, joined by the operator. */
ormc_select *ormc_pl_compound(plan *p, ormc_qs *c, scope *outer);
/* sel, DISTINCT and ordered by unselected terms: those selected too, in a query around it. */
ormc_select *ormc_pl_distinct_ordered(plan *p, ormc_select *sel);

#endif
