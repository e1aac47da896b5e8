/*
 * plan.h -- the relational plan: a dialect-neutral SQL tree.
 *
 * The planner (planner.c) turns a query's IR into one ormc_select; the
 * renderer (dialects/render.c) spells it for a dialect. Nothing here is text
 * yet: every user value is a PARAM node holding the value itself, and the
 * renderer numbers the placeholders in the order it writes them.
 *
 *   kind        members used
 *   ----------  ------------------------------------------------------------
 *   COL         table (alias), name (column)
 *   PARAM       value
 *   INT         ival: a constant the compiler writes itself (0 in COALESCE ...)
 *   NULL STAR TRUE FALSE
 *   AGG         agg (ormc_agg_fn), args[0] (or STAR), distinct, filter
 *   ARITH       op ORMC_OP_ADD .. ORMC_OP_MOD, args[0..1]; type says int/float/decimal
 *   NEG NOT     args[0]
 *   CMP         op ORMC_OP_EQ .. ORMC_OP_GE, args[0..1]
 *   NSEQ        args[0] IS NOT DISTINCT FROM args[1]
 *   AND OR      args[0..n-1]
 *   ISNULL      args[0]; negated: IS NOT NULL
 *   LIKE        args[0]; value: the plain text to match; like: which lookup;
 *               ci: case-insensitive. The renderer escapes and wraps it.
 *   IN          args[0] IN (args[1..n-1]), or sub when set; negated
 *   CASE        args: when0, then0, when1, then1, ...; else_ (or NULL)
 *   COALESCE    args
 *   CAST        args[0] to type
 *   EXTRACT     part (ormc_part: a date part), args[0]
 *   TRUNC       part (ormc_part: YEAR .. SECOND, or DATE / TIME), args[0]
 *   FUNC        fn (ormc_fn), args
 *   EXISTS      sub; negated: NOT EXISTS
 *   SUBQUERY    sub (one column)
 *
 * type is the expression's Django output type (for CAST targets, result
 * conversion and the dialect's choices, e.g. integer division).
 *
 * Functions, aggregates, operators and date parts are enums: a dialect
 * decides how each is spelled (render.c has the standard spellings) and
 * never compares names.
 */
#ifndef ORMC_PLAN_H
#define ORMC_PLAN_H

#include <stdint.h>

#include "arena.h"
#include "ormc/value.h"
#include "types.h"

typedef enum ormc_sx_kind {
	ORMC_SX_COL,
	ORMC_SX_PARAM,
	ORMC_SX_INT,
	ORMC_SX_NULL,
	ORMC_SX_STAR,
	ORMC_SX_TRUE,
	ORMC_SX_FALSE,
	ORMC_SX_AGG,
	ORMC_SX_ARITH,
	ORMC_SX_NEG,
	ORMC_SX_NOT,
	ORMC_SX_CMP,
	ORMC_SX_NSEQ,
	ORMC_SX_AND,
	ORMC_SX_OR,
	ORMC_SX_ISNULL,
	ORMC_SX_LIKE,
	ORMC_SX_IN,
	ORMC_SX_CASE,
	ORMC_SX_COALESCE,
	ORMC_SX_CAST,
	ORMC_SX_EXTRACT,
	ORMC_SX_TRUNC,
	ORMC_SX_TZ_LOCAL,       /* args[0], a UTC datetime, as wall-clock time in tz */
	ORMC_SX_TZ_UTC,         /* args[0], a wall-clock time in tz, as a UTC datetime */
	ORMC_SX_FUNC,
	ORMC_SX_EXISTS,
	ORMC_SX_SUBQUERY,
	ORMC_SX_WINDOW          /* args[0] OVER (PARTITION BY args[1..] ORDER BY ...): see win */
} ormc_sx_kind;

typedef enum ormc_agg_fn {
	ORMC_AGG_COUNT,
	ORMC_AGG_SUM,
	ORMC_AGG_AVG,
	ORMC_AGG_MIN,
	ORMC_AGG_MAX,
	ORMC_AGG_STDDEV_POP,
	ORMC_AGG_STDDEV_SAMP,
	ORMC_AGG_VAR_POP,
	ORMC_AGG_VAR_SAMP
} ormc_agg_fn;

typedef enum ormc_fn {
	ORMC_FN_GREATEST,
	ORMC_FN_LEAST,
	ORMC_FN_NULLIF,
	ORMC_FN_UPPER,
	ORMC_FN_LOWER,
	ORMC_FN_LENGTH,
	ORMC_FN_TRIM,
	ORMC_FN_CONCAT,
	ORMC_FN_ABS,
	ORMC_FN_ROUND,
	ORMC_FN_FLOOR,
	ORMC_FN_CEIL,
	ORMC_FN_SQRT,
	ORMC_FN_POWER,
	ORMC_FN_MOD,
	ORMC_FN_SUBSTR,
	ORMC_FN_LEFT,
	ORMC_FN_RIGHT,
	ORMC_FN_STRINDEX,         /* 1-based position of args[1] in args[0], 0 if none */
	ORMC_FN_REPLACE,
	ORMC_FN_LTRIM,
	ORMC_FN_RTRIM,
	ORMC_FN_LPAD,
	ORMC_FN_RPAD,
	ORMC_FN_REPEAT,
	ORMC_FN_REVERSE,
	ORMC_FN_SIGN,
	ORMC_FN_LN,
	ORMC_FN_LOG,              /* LOG(base, x) */
	ORMC_FN_EXP,
	ORMC_FN_NOW,              /* the current time, UTC */
	ORMC_FN_RANDOM,           /* order_by("?"): a random number per row */
	/* window functions */
	ORMC_FN_ROW_NUMBER,
	ORMC_FN_RANK,
	ORMC_FN_DENSE_RANK,
	ORMC_FN_PERCENT_RANK,
	ORMC_FN_CUME_DIST,
	ORMC_FN_NTILE,
	ORMC_FN_LAG,
	ORMC_FN_LEAD,
	ORMC_FN_FIRST_VALUE,
	ORMC_FN_LAST_VALUE,
	ORMC_FN_NTH_VALUE
} ormc_fn;

typedef enum ormc_op {
	ORMC_OP_ADD,
	ORMC_OP_SUB,
	ORMC_OP_MUL,
	ORMC_OP_DIV,
	ORMC_OP_MOD,
	ORMC_OP_EQ,
	ORMC_OP_NE,
	ORMC_OP_LT,
	ORMC_OP_LE,
	ORMC_OP_GT,
	ORMC_OP_GE
} ormc_op;

typedef enum ormc_part {
	ORMC_PART_YEAR,
	ORMC_PART_ISO_YEAR,
	ORMC_PART_QUARTER,
	ORMC_PART_MONTH,
	ORMC_PART_WEEK,
	ORMC_PART_WEEK_DAY,         /* Django's: 1 = Sunday .. 7 = Saturday */
	ORMC_PART_ISO_WEEK_DAY,     /* 1 = Monday .. 7 = Sunday */
	ORMC_PART_DAY,
	ORMC_PART_HOUR,
	ORMC_PART_MINUTE,
	ORMC_PART_SECOND,
	ORMC_PART_DATE,             /* TRUNC only: the date of a datetime */
	ORMC_PART_TIME              /* TRUNC only: the time of a datetime */
} ormc_part;

typedef enum ormc_like_kind {
	ORMC_LIKE_EXACT,        /* iexact */
	ORMC_LIKE_CONTAINS,
	ORMC_LIKE_STARTSWITH,
	ORMC_LIKE_ENDSWITH
} ormc_like_kind;

typedef struct ormc_select ormc_select;
typedef struct ormc_sx ormc_sx;

struct ormc_sx {
	ormc_sx_kind kind;
	ormc_otype type;
	const char *table;      /* COL: table alias */
	const char *name;       /* COL: column */
	ormc_agg_fn agg;        /* AGG */
	ormc_fn fn;             /* FUNC */
	ormc_op op;             /* ARITH CMP */
	ormc_part part;         /* EXTRACT TRUNC */
	ormc_tz tz;             /* TZ_LOCAL TZ_UTC: the zone */
	ormc_value value;       /* PARAM, LIKE: the literal (for a named parameter, its type) */
	const struct ormc_qparam *param; /* PARAM, LIKE: a named parameter, or NULL for a literal */
	int64_t ival;           /* INT */
	ormc_like_kind like;    /* LIKE */
	int ci;                 /* LIKE: case-insensitive */
	int distinct;           /* AGG */
	int negated;            /* ISNULL IN EXISTS */
	ormc_sx *filter;        /* AGG: FILTER (WHERE ...) or NULL */
	ormc_sx *else_;         /* CASE */
	ormc_sx **args;
	int nargs;
	ormc_select *sub;       /* EXISTS SUBQUERY IN */
	int over;               /* AGG: a window's function (SX_WINDOW's args[0]), not a grouping aggregate */
	const struct ormc_window *win;  /* WINDOW: args[1 .. 1+npart) partition, then ORDER BY */
};

typedef enum ormc_join_kind {
	ORMC_JOIN_NONE,         /* the first FROM item */
	ORMC_JOIN_INNER,
	ORMC_JOIN_LEFT,
	ORMC_JOIN_CROSS
} ormc_join_kind;

typedef struct ormc_from {
	const char *table;      /* a table, or NULL for a derived table */
	ormc_select *sub;       /* derived table */
	const char *alias;
	ormc_join_kind join;
	ormc_sx *on;            /* INNER/LEFT */
} ormc_from;

typedef struct ormc_order {
	ormc_sx *expr;
	int desc;
	int nulls;              /* 0: the documented default, 1: NULLS FIRST, 2: NULLS LAST */
} ormc_order;

struct ormc_select {
	ormc_sx **cols;
	const char **names;     /* output alias of each column, or NULL */
	int ncols;
	int distinct;
	ormc_sx **distinct_on;  /* PostgreSQL's DISTINCT ON (...): distinct(*fields) */
	int ndistinct_on;
	ormc_from **from;
	int nfrom;
	ormc_sx *where;
	ormc_sx **group;
	int ngroup;
	ormc_sx *having;
	ormc_order *order;
	int norder;
	int64_t limit;          /* -1: none */
	int64_t offset;         /* 0: none */
	/*
	 * A compound, parts[0] op parts[1] op ...: then only names (parts[0]'s)
	 * is set besides; each part is a plain SELECT (the planner wraps one
	 * with its own ORDER BY, LIMIT or compound in a derived table).
	 */
	ormc_combinator op;     /* ORMC_COMBINE_NONE: a plain SELECT */
	int op_all;             /* UNION ALL */
	ormc_select **parts;
	int nparts;
};

#endif
