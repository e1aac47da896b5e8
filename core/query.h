/*
 * query.h -- the query IR: a QuerySet's state after its chain of calls.
 *
 * query.c and the files query_int.h lists evaluate the call-chain AST
 * against a schema, step by step as Django's QuerySet does, resolving every
 * name (Django's errors where Django has them). planner.c turns the IR into
 * a relational plan.
 *
 * Expression kinds and members:
 *
 *   kind      members
 *   --------  ---------------------------------------------------------------
 *   COL       path (from the query's model), transforms (year, month, ...)
 *   OUTERREF  path (from the enclosing query's model)
 *   VALUE     value
 *   REF       annot: an earlier annotation of the same query
 *   AGG       func, args[0] (NULL for Count("*")), distinct, filter, deflt
 *   ARITH     op, args[0..1]
 *   NEG       args[0]
 *   CASE      whens[i] -> args[i]; else_ (NULL: NULL)
 *   FUNC      func ("Coalesce", "Cast", "Upper", "Extract", ...), args
 *   COND      cond: a Q used as a value (ExpressionWrapper(Q(...)))
 *   SUBQUERY  sub (one column)
 *   EXISTS    sub
 *   INNER     annot: a column of the level below (an annotation computed
 *             there, read here as a plain value); see ormc_qs.inner
 *
 * Every node has type (its output_field) and pos (byte offset, -1 if none).
 */
#ifndef ORMC_QUERY_H
#define ORMC_QUERY_H

#include "arena.h"
#include "ast.h"
#include "schema.h"
#include "types.h"
#include "ormc/ormc.h"

typedef struct ormc_expr ormc_expr;
typedef struct ormc_cond ormc_cond;
typedef struct ormc_qs ormc_qs;
typedef struct ormc_annot ormc_annot;

/* The longest relation walk in a path (a__b__c...): longer is an error, not a truncation. */
#define ORMC_MAX_HOPS 32

/* A walk from a model along relations, ending at a field (or a relation). */
typedef struct ormc_path {
	ormc_model *model;        /* where the walk starts */
	ormc_field **hops;        /* relations walked, in order */
	int nhops;
	ormc_field *field;        /* final field on the last model; a relation end is allowed */
} ormc_path;

typedef enum ormc_expr_kind {
	ORMC_EXPR_COL,
	ORMC_EXPR_OUTERREF,
	ORMC_EXPR_VALUE,
	ORMC_EXPR_REF,
	ORMC_EXPR_AGG,
	ORMC_EXPR_ARITH,
	ORMC_EXPR_NEG,
	ORMC_EXPR_CASE,
	ORMC_EXPR_FUNC,
	ORMC_EXPR_COND,
	ORMC_EXPR_SUBQUERY,
	ORMC_EXPR_EXISTS,
	ORMC_EXPR_INNER
} ormc_expr_kind;

struct ormc_expr {
	ormc_expr_kind kind;
	int pos;
	ormc_otype type;
	int type_set;             /* output_field given explicitly */
	ormc_path *path;          /* COL OUTERREF */
	const char **transforms;  /* COL: "year", "month", "date", ... applied in order */
	int ntransforms;
	ormc_value value;         /* VALUE */
	ormc_annot *annot;        /* REF; INNER: the annotation of the level below */
	const char *func;         /* AGG: "Count" "Sum" "Avg" "Min" "Max" "StdDev" "Variance"; FUNC name */
	const char *arg;          /* FUNC: extra text argument (Extract's / Trunc's kind) */
	int distinct;             /* AGG */
	int sample;               /* AGG StdDev/Variance(sample=True) */
	ormc_cond *filter;        /* AGG */
	ormc_expr *deflt;         /* AGG default= */
	char op;                  /* ARITH */
	ormc_expr **args;
	int nargs;
	ormc_cond **whens;        /* CASE */
	ormc_expr *else_;         /* CASE */
	ormc_cond *cond;          /* COND */
	ormc_qs *sub;             /* SUBQUERY EXISTS */
	int has_agg;              /* an AGG is inside (or is this node) */
};

typedef enum ormc_lookup {
	ORMC_LOOKUP_EXACT,
	ORMC_LOOKUP_IEXACT,
	ORMC_LOOKUP_GT,
	ORMC_LOOKUP_GTE,
	ORMC_LOOKUP_LT,
	ORMC_LOOKUP_LTE,
	ORMC_LOOKUP_IN,
	ORMC_LOOKUP_RANGE,
	ORMC_LOOKUP_ISNULL,
	ORMC_LOOKUP_ISNOTNULL,    /* isnull=False: "has one", not "not (has none)" */
	ORMC_LOOKUP_CONTAINS,
	ORMC_LOOKUP_ICONTAINS,
	ORMC_LOOKUP_STARTSWITH,
	ORMC_LOOKUP_ISTARTSWITH,
	ORMC_LOOKUP_ENDSWITH,
	ORMC_LOOKUP_IENDSWITH
} ormc_lookup;

typedef enum ormc_cond_kind {
	ORMC_COND_AND,
	ORMC_COND_OR,
	ORMC_COND_NOT,
	ORMC_COND_LEAF,           /* lhs lookup rhs (rhs list for IN/RANGE) */
	ORMC_COND_EXPR,           /* a boolean expression: Exists(...), a boolean annotation */
	ORMC_COND_TRUE,           /* Q() */
	ORMC_COND_FALSE           /* x__in=[] */
} ormc_cond_kind;

struct ormc_cond {
	ormc_cond_kind kind;
	int pos;
	ormc_cond **kids;         /* AND OR NOT */
	int nkids;
	ormc_expr *lhs;           /* LEAF; EXPR */
	ormc_lookup lookup;       /* LEAF */
	ormc_expr **rhs;          /* LEAF: one value, or the IN list, or RANGE's two */
	int nrhs;
	int has_agg;              /* refers to an aggregate: HAVING */
};

struct ormc_annot {
	const char *alias;
	ormc_expr *expr;
	int pos;
	int nfilters_before;      /* filter() calls that precede it: they constrain its aggregates */
	int hidden;               /* alias(): usable, not selected */
};

/* One filter() / exclude() call. */
typedef struct ormc_filter {
	ormc_cond *cond;          /* exclude() is stored as NOT(cond) */
	int nannots_before;       /* annotations that precede it */
} ormc_filter;

typedef struct ormc_order_item {
	ormc_expr *expr;
	int desc;
	int nulls;                /* 0 default, 1 first, 2 last */
	int pos;
} ormc_order_item;

/* A selected output column: values("a", "b__c") or an annotation. */
typedef struct ormc_outcol {
	const char *name;
	ormc_expr *expr;          /* COL or REF */
} ormc_outcol;

typedef enum ormc_terminal {
	ORMC_TERM_NONE,
	ORMC_TERM_AGGREGATE,
	ORMC_TERM_COUNT,
	ORMC_TERM_EXISTS
} ormc_terminal;

/*
 * One QuerySet, at one aggregation level. values() after an aggregate
 * annotate() followed by another aggregate annotate() regroups the
 * aggregated rows: the state so far becomes `inner`, a level of its own whose
 * rows this one reads (a derived table), and its annotations are seen here as
 * INNER columns. So annotate(n=Count("tags")).values("n").annotate(k=Count("id"))
 * counts products per tag count.
 */
struct ormc_qs {
	ormc_model *model;
	int pos;
	ormc_qs *inner;           /* the level below, or NULL: rows come from the model's table */
	int level;                /* 0, or inner->level + 1 */
	int regroup;              /* values() after an aggregate: the next aggregate opens a level */
	ormc_qs *outer;           /* enclosing query for OuterRef, or NULL */
	ormc_filter *filters;
	int nfilters;
	ormc_annot **annots;
	int nannots;
	/* values()/values_list(): the output columns, or NULL for all fields + annotations */
	ormc_outcol *values;
	int nvalues;
	int values_set;
	ormc_shape shape;         /* OBJECTS, LISTS, FLAT */
	/* GROUP BY from values() before an aggregate annotate(): */
	ormc_outcol *group;
	int ngroup;
	int grouped;              /* group decided: 1 values-grouping */
	int per_object;           /* an aggregate was annotated with no values(): group by pk */
	ormc_order_item *order;
	int norder;
	int order_set;            /* order_by() called (even empty: clears Meta.ordering) */
	int64_t limit;            /* -1 none */
	int64_t offset;
	int distinct;
	int reverse;              /* reverse() */
	ormc_terminal terminal;
	ormc_annot **aggregates;  /* aggregate(): the result keys and expressions */
	int naggregates;
};

struct ormc_query {
	ormc_arena arena;
	const ormc_schema *schema;
	char *text;               /* owned copy of the query text */
	ormc_qs *qs;
	/* Last compile: */
	char *sql;                /* malloc'd */
	ormc_value **params;      /* arena */
	int nparams;
	const char **columns;     /* arena: result keys */
	ormc_otype *coltypes;     /* arena: result types */
	int ncolumns;
	const char *dialect;      /* dialect of the last compile */
	struct ormc_select *plan; /* plan_arena: the checked plan of the last compile */
	int server_version;
	ormc_arena plan_arena;    /* plan + params of the last compile */
};

/** Plan and render q->qs for a dialect; fills the compile fields of q. */
int ormc_plan_compile(ormc_query *q, const char *dialect, int server_version,
                      ormc_error *err);

#endif
