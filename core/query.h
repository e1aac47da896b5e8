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
 *   OUTERREF  path (from the enclosing query's model), or annot: an annotation of the
 *             enclosing query, read as its expression there
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
 *   PARAM     param: a named parameter, bound when the statement executes
 *   WINDOW    func ("Sum", "Rank", "Lag", ...) OVER a window: win says how
 *             args splits into the function's arguments, PARTITION BY and
 *             ORDER BY; filter (aggregates). Not an aggregate of the query.
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
	ORMC_EXPR_INNER,
	ORMC_EXPR_PARAM,
	ORMC_EXPR_WINDOW
} ormc_expr_kind;

/*
 * Window(expression, partition_by=, order_by=, frame=): the expression's
 * arguments, the partition and the ordering are all in the WINDOW node's
 * args, in that order, so every walk over args sees their columns.
 */
typedef struct ormc_window {
	int nfargs;               /* args[0 .. nfargs): the function's arguments */
	int npart;                /* then PARTITION BY */
	int norder;               /* then ORDER BY */
	unsigned char *desc;      /* per ORDER BY expression */
	unsigned char *nulls;     /* 0 default, 1 first, 2 last */
	int frame;                /* 0 none, 1 ROWS, 2 RANGE */
	int start_set, end_set;   /* 0: UNBOUNDED */
	long long start, end;     /* <0 PRECEDING, 0 CURRENT ROW, >0 FOLLOWING */
	long long n;              /* Ntile's buckets, Lag/Lead's offset, NthValue's nth */
	int exclusion;            /* frame's EXCLUDE: 0 none, 1 CURRENT ROW, 2 GROUP, 3 TIES, 4 NO OTHERS */
} ormc_window;

/*
 * A named parameter: a name in the query text that is neither a model, a
 * function nor a name the script binds (filter(status=status)). It has no
 * value until execution; its type is the type of what it meets first (the
 * field of a lookup, the other operand, output_field=), and every later
 * use must agree.
 */
typedef struct ormc_qparam {
	const char *name;
	int pos;                  /* first use */
	int index;                /* in ormc_query.qparams */
	int typed;
	ormc_otype type;
	int exact;                /* met as a value, not only compared: a decimal must fit type's places */
} ormc_qparam;

struct ormc_expr {
	ormc_expr_kind kind;
	int pos;
	ormc_otype type;
	int type_set;             /* output_field given explicitly */
	ormc_path *path;          /* COL OUTERREF */
	int levels;               /* OUTERREF: queries out, less one (OuterRef(OuterRef("x")) is 1) */
	const char **transforms;  /* COL: "year", "month", "date", ... applied in order */
	int ntransforms;
	ormc_value value;         /* VALUE */
	ormc_annot *annot;        /* REF, OUTERREF of an annotation; INNER: the annotation of the level below */
	const char *func;         /* AGG: "Count" "Sum" "Avg" "Min" "Max" "StdDev" "Variance"; FUNC name */
	const char *arg;          /* FUNC: extra text argument (Extract's / Trunc's kind) */
	ormc_tz tz;               /* FUNC Extract / Trunc: tzinfo= */
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
	ormc_qparam *param;       /* PARAM */
	ormc_window *win;         /* WINDOW */
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
	int hidden;               /* alias() or values(key=expr): not selected as an annotation */
	int is_alias;             /* alias(): may not be selected or aggregated */
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
	int random;               /* order_by("?") */
} ormc_order_item;

/* A selected output column: values("a", "b__c") or an annotation. */
typedef struct ormc_outcol {
	const char *name;
	ormc_expr *expr;          /* COL or REF */
	ormc_annot *as_annot;     /* a grouping key read by aggregate() above it, as an annotation */
} ormc_outcol;

typedef enum ormc_terminal {
	ORMC_TERM_NONE,
	ORMC_TERM_AGGREGATE,
	ORMC_TERM_COUNT,
	ORMC_TERM_EXISTS
} ormc_terminal;

/*
 * A QuerySet method as a step of the chain (Book.objects.filter(...)
 * .values(...).annotate(...)[:5] is FILTER, VALUES, ANNOTATE, SLICE): the
 * method's name is read once, here, and every later stage switches on the
 * kind. ORMC_STEP_UNKNOWN is a name that is no QuerySet method ormc knows.
 */
typedef enum ormc_step_kind {
	ORMC_STEP_UNKNOWN,
	ORMC_STEP_ALL,
	ORMC_STEP_FILTER,
	ORMC_STEP_EXCLUDE,
	ORMC_STEP_ANNOTATE,
	ORMC_STEP_ALIAS,
	ORMC_STEP_VALUES,
	ORMC_STEP_VALUES_LIST,
	ORMC_STEP_ORDER_BY,
	ORMC_STEP_REVERSE,
	ORMC_STEP_DISTINCT,
	ORMC_STEP_SLICE,          /* qs[a:b], qs[i] */
	ORMC_STEP_NONE,
	ORMC_STEP_UNION,
	ORMC_STEP_INTERSECTION,
	ORMC_STEP_DIFFERENCE,
	ORMC_STEP_DATES,
	ORMC_STEP_DATETIMES,
	ORMC_STEP_SELECT_RELATED, /* how Django loads objects: names checked, rows unchanged */
	ORMC_STEP_PREFETCH_RELATED,
	ORMC_STEP_ONLY,
	ORMC_STEP_DEFER,
	ORMC_STEP_USING,
	/* terminal, or one row */
	ORMC_STEP_AGGREGATE,
	ORMC_STEP_COUNT,
	ORMC_STEP_EXISTS,
	ORMC_STEP_FIRST,
	ORMC_STEP_LAST,
	ORMC_STEP_EARLIEST,
	ORMC_STEP_LATEST,
	ORMC_STEP_GET
} ormc_step_kind;

/* One step applied to a QuerySet, in the order Django applies them. */
typedef struct ormc_step {
	ormc_step_kind kind;
	const char *name;         /* the method as written, for messages ("values_list") */
	const ormc_ast *call;     /* the call, or the slice */
	int level;                /* the QuerySet's aggregation level after the step */
} ormc_step;

/* The kind of QuerySet method name (ORMC_STEP_UNKNOWN if none). */
ormc_step_kind ormc_step_kind_of(const char *name);

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
	/*
	 * The steps applied so far, in order (the level below keeps the steps
	 * up to the one that opened this level). What they made is the state
	 * below.
	 */
	ormc_step *steps;
	int nsteps;
	ormc_qs *inner;           /* the level below, or NULL: rows come from the model's table */
	int level;                /* 0, or inner->level + 1 */
	int regroup;              /* values() after an aggregate: the next aggregate opens a level */
	int window_level;         /* opened by a filter on a window: other conditions go below */
	int dates;                /* dates()/datetimes(): its values list is fixed */
	ormc_qs *outer;           /* enclosing query for OuterRef, or NULL */
	ormc_filter *filters;
	int nfilters;
	ormc_annot **annots;
	int nannots;
	/* values()/values_list(): the output columns, or NULL for all fields + annotations */
	ormc_outcol *values;
	int nvalues;
	int values_set;
	int values_all;           /* values() named no field: every field, and no name conflicts */
	int values_pushed;        /* a combination's part: its values() are the combination's */
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
	ormc_expr **distinct_on;  /* distinct(*fields): PostgreSQL's DISTINCT ON */
	int ndistinct_on;
	int reverse;              /* reverse() */
	int single;               /* first(), last(), earliest(), latest(): one row or none, not a list */
	int get;                  /* get(): exactly one row, else Django's DoesNotExist or MultipleObjectsReturned */
	int none;                 /* none(): no row, whatever else is called */
	ormc_terminal terminal;
	ormc_annot **aggregates;  /* aggregate(): the result keys and expressions */
	int naggregates;
	/*
	 * union()/intersection()/difference(): this qs is the level of rows
	 * made by combining parts (core/combine.c). The query that reads them
	 * is the level above, whose inner this is; its annotations are the
	 * combined columns, named as the first part names them.
	 */
	ormc_combinator combinator;
	int combine_all;          /* union(all=True): UNION ALL */
	ormc_qs **parts;
	int nparts;
};

/* Is qs the level above a combination (union() and the like)? */
#define ORMC_QS_COMBINED(qs) ((qs)->inner != NULL && (qs)->inner->combinator != ORMC_COMBINE_NONE)

/*
 * One parameter placeholder of a compiled statement, in placeholder order:
 * a literal of the query text, or a named parameter whose value comes at
 * execution. A named parameter under a pattern lookup (contains, ...) is
 * bound as the pattern made of its value.
 */
typedef enum ormc_pattern {
	ORMC_PATTERN_NONE,
	ORMC_PATTERN_LIKE,        /* escape \ % _ with a backslash */
	ORMC_PATTERN_ILIKE,       /* the same, ASCII letters upper-cased (iexact, icontains, ...) */
	ORMC_PATTERN_GLOB         /* SQLite GLOB: * ? [ inside brackets */
} ormc_pattern;

typedef struct ormc_pslot {
	ormc_value value;         /* the literal; for a named parameter, its type only */
	int pnum;                 /* index into the query's named parameters, or -1 */
	ormc_pattern pattern;
	int like;                 /* ORMC_LIKE_* (plan.h) when pattern != NONE */
} ormc_pslot;

/*
 * What one compile makes, all in its own arena: the SQL, its placeholders,
 * and the result's columns. Immutable once made (an ormc_stmt is one).
 */
typedef struct ormc_compiled {
	ormc_arena arena;
	char *sql;                /* malloc'd */
	/*
	 * The relational trees (rel.h) the SQL was written from, the query's and
	 * its subqueries': they read the query's IR, so only while the query
	 * lives. tree is their text, made when first asked for (ormc_query_tree).
	 */
	const struct ormc_rel *rel;
	const struct ormc_rel *const *subrels;
	int nsubrels;
	const char *tree;
	ormc_pslot **slots;       /* arena */
	int nslots;
	const char **columns;     /* arena: result keys */
	ormc_otype *coltypes;     /* arena: result types */
	int ncolumns;
	ormc_shape shape;
	int single;               /* one row or none (first(), latest()...) */
	const char *get_model;    /* get(): the model named by its errors (single is set); else NULL */
	const char *dialect;      /* static name */
	int server_version;
	struct ormc_select *plan; /* the checked plan */
} ormc_compiled;

struct ormc_query {
	ormc_arena arena;
	const ormc_schema *schema;
	char *text;               /* owned copy of the query text */
	ormc_qs *qs;
	ormc_qparam **qparams;    /* arena: the named parameters, in order of first use */
	int nqparams;
	ormc_ptrvec param_uses;   /* arena: every PARAM expression, for their types */
	/* Last compile by ormc_query_compile(), for ormc_query_sql() & co: */
	ormc_compiled *last;      /* NULL before the first */
	ormc_value **params;      /* last's literal values, in placeholder order */
};

/* Does x (c) read a window function, itself or through an annotation? */
int ormc_expr_has_window(const ormc_expr *x);
int ormc_cond_has_window(const ormc_cond *c);

/*
 * The LIKE (escape \\ % _ with a backslash) or GLOB (* ? [ in brackets)
 * pattern matching s as the lookup `like` (ORMC_LIKE_*) says. malloc'd,
 * NUL-terminated; *outlen its length.
 */
char *ormc_pattern_make(ormc_pattern kind, int like, const char *s, size_t len, size_t *outlen);

/*
 * Django's parse_date / parse_time / parse_datetime of the NUL-terminated s,
 * written back as Django stores it ("2026-01-05", "10:00:00",
 * "2026-01-05 10:00:00[.ffffff]") into out (40 bytes). 0, or -1 if invalid.
 */
int ormc_temporal_normalize(ormc_field_kind kind, const char *s, char *out);

/**
 * Plan, check and render q->qs for a dialect into *out (initialized here;
 * release with ormc_compiled_free). Reads q only: any number of compiles of
 * one query may run at once.
 */
int ormc_compile(const ormc_query *q, const char *dialect, int server_version,
                 ormc_compiled *out, ormc_error *err);
void ormc_compiled_free(ormc_compiled *c);

#endif
