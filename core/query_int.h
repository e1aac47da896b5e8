/*
 * query_int.h -- what the files of the query evaluator share.
 *
 * The call-chain AST becomes the IR of query.h in nine files, one concern
 * each:
 *
 *   file            holds
 *   --------------  --------------------------------------------------------
 *   query.c         ormc_query_parse and the accessors; QuerySet chains
 *                   (ormc_eval_qs); errors, script names, call arguments
 *   resolve.c       output types; paths a__b__c through fields, relations
 *                   and annotations; transforms and lookups
 *   expr.c          expressions: F, Value, aggregates, functions, Case/When,
 *                   Subquery, Exists, OuterRef, arithmetic
 *   conditions.c    Q trees, lookup=value leaves, literal coercion
 *   qs_methods.c    QuerySet methods (filter, annotate, values, order_by,
 *                   aggregate, ...), slices, aggregation levels
 *   argcheck.c      Django's checks of method arguments (names, aggregates,
 *                   non-expressions), with Django's str() of an expression
 *   capi.c          the C builder API (ormc/query.h)
 *   qparams.c       named parameters: filter(status=status)
 *   windows.c       Window() and the window functions
 *   literals.c      Python literals: date(), Decimal(), timedelta()
 *
 * Only what another of these files calls is declared here; the rest is
 * static. Functions returning int return ORMC_OK, or a negative ORMC_E*
 * with e->err filled in (Django's wording, the offending token's offset).
 * Everything they allocate lives in the query's arena.
 */
#ifndef ORMC_QUERY_INT_H
#define ORMC_QUERY_INT_H

#include "arena.h"
#include "ast.h"
#include "query.h"

/* Nesting deeper than this, of expressions or of querysets, is an error. */
#define MAX_DEPTH 200

/* The evaluation of one query text (or of one C API call). */
typedef struct ev {
	ormc_query *q;
	ormc_arena *a;
	const ormc_schema *s;
	const char *text;
	ormc_error *err;
	const ormc_script *script;
	int nbound;               /* statements visible to name lookup */
	int depth;
	const ormc_qs *summarize;  /* aggregate() of this queryset is being resolved */
	const ormc_ast *siblings;  /* that aggregate() call: its first nsiblings named aggregates may be read */
	int nsiblings;
} ev;

/* A zeroed T from the query's arena, or NULL. */
#define NEW(e, T) ((T *)ormc_arena_alloc((e)->a, sizeof(T)))

/* ---- query.c: errors, names, call arguments, QuerySet chains */

/* Fail with code at [pos, pos+len) of the query text; returns code. */
int ormc_ev_fail(ev *e, int code, int pos, int len, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 5, 6)))
#endif
	;

/* Fail with ORMC_ENOMEM. */
int ormc_ev_oom(ev *e);

/* Follow names bound by the script's assignments to the expression they name. */
const ormc_ast *ormc_ev_deref(ev *e, const ormc_ast *n);

/* The last segment of a dotted callee (models.Count -> "Count"), or NULL. */
const char *ormc_callee_name(const ormc_ast *callee);

/* More arguments than this in one call is an error (ormc_callargs_done), never a truncation. */
#define ORMC_MAX_CALL_ARGS 256

/* The arguments of one call, and which of them were consumed. */
typedef struct callargs {
	const ormc_ast *call;
	const char *fname;
	unsigned char used[ORMC_MAX_CALL_ARGS];
} callargs;

void ormc_callargs_init(callargs *c, const ormc_ast *call, const char *fname);
/* The keyword argument name (marked consumed), or NULL. */
const ormc_ast *ormc_kwarg(callargs *c, const char *name);
/* The k-th positional argument (marked consumed), or NULL. */
const ormc_ast *ormc_positional(callargs *c, int k);
/* Every argument must have been consumed: report the first that was not. */
int ormc_callargs_done(ev *e, callargs *c);
/* How many positional arguments call has. */
int ormc_npositional(const ormc_ast *call);

/* True / False (or an integer) as *out = 1 / 0. */
int ormc_literal_bool(ev *e, const ormc_ast *n, int *out);
/* A string literal. */
int ormc_literal_str(ev *e, const ormc_ast *n, const char **out);

/* Drop the last compile of ormc_query_compile() (the query changed). */
void ormc_query_forget_compile(ormc_query *q);

/* Evaluate an expression that must yield a QuerySet; outer is the enclosing query for OuterRef. */
int ormc_eval_qs(ev *e, const ormc_ast *n, ormc_qs *outer, ormc_qs **out);

/* ---- resolve.c: types and paths */

/* Is name a Django field class (IntegerField, ...)? */
int ormc_is_field_class(const char *name);
/* output_field=IntegerField() / DecimalField(max_digits=12, decimal_places=2) */
int ormc_output_field(ev *e, const ormc_ast *n, ormc_otype *out);

/* The annotation of qs named name (the latest), or NULL. */
ormc_annot *ormc_find_annot(const ormc_qs *qs, const char *name);
/* Is name a lookup ("gt", "in", ...)? Sets *out. */
int ormc_find_lookup(const char *name, ormc_lookup *out);
/* Is name a transform ("year", "date", ...)? */
int ormc_is_transform(const char *name);
/* Does transform t apply to a value of kind k? */
int ormc_transform_applies(const char *t, ormc_field_kind k);

/* "a__b__c" split into parts, with each part's offset in the text. */
typedef struct parts {
	char *v[32];
	int off[32];
	int n;
} parts;

int ormc_parts_split(ev *e, const char *s, int pos, parts *p);
/*
 * The longest walk of p through fields and relations from model (or an
 * annotation of qs named by the first parts, if allow_annot): a COL or REF;
 * *used is how many parts it took.
 */
int ormc_resolve_parts(ev *e, ormc_qs *qs, ormc_model *model, parts *p, int allow_annot,
                       ormc_expr **out, int *used);
/* Apply transforms p->v[from..to) to x (a COL or REF; a REF is an error). */
int ormc_apply_transforms(ev *e, ormc_expr *x, parts *p, int from, int to);
/* F("a__b__year"): a field (or annotation) with optional transforms, no lookup. */
int ormc_resolve_ref(ev *e, ormc_qs *qs, ormc_model *model, const char *s, int pos,
                     int allow_annot, ormc_expr **out);

/* ---- expr.c: expressions */

/* A new expression of kind at pos, its type not set yet; NULL if out of memory. */
ormc_expr *ormc_expr_new(ev *e, ormc_expr_kind kind, int pos);
/* An integer VALUE of IntegerField type. */
ormc_expr *ormc_int_expr(ev *e, int pos, long long v);
/* Resolve an expression AST against qs. */
int ormc_resolve_expr(ev *e, ormc_qs *qs, const ormc_ast *n, ormc_expr **out);
/* As ormc_resolve_expr, but a string names a field ("price"), as F("price"). */
int ormc_resolve_arg(ev *e, ormc_qs *qs, const ormc_ast *n, ormc_expr **out);
/*
 * Python's date(...), datetime(...), time(...), timedelta(...), Decimal("...")
 * call n as a LITERAL node: 1 and *out, 0 if n is another call, <0 on error.
 */
int ormc_python_literal(ev *e, const ormc_ast *n, const ormc_ast **out);
/* Is name a model, a function or a class of the query language (not a parameter)? */
int ormc_is_reserved_name(ev *e, const char *name);
/* Count(...), Sum(...), ...: an aggregate call named name. */
int ormc_resolve_agg(ev *e, ormc_qs *qs, const ormc_ast *n, const char *name, ormc_expr **out);

/* ---- windows.c: Window() */

/* RowNumber, Rank, DenseRank, PercentRank, CumeDist, Ntile, Lag, Lead, FirstValue, ... */
int ormc_is_window_function(const char *name);
/* Window(expression, partition_by=, order_by=, frame=, output_field=) */
int ormc_resolve_window(ev *e, ormc_qs *qs, const ormc_ast *n, ormc_expr **out);

/* ---- literals.c: Python literals */

/* An integer literal (or -integer) a within [lo, hi] into *out: 0, or -1 (no error set). */
int ormc_int_arg(ev *e, const ormc_ast *a, long long lo, long long hi, long long *out);
/*
 * tzinfo=: None, timezone.utc, ZoneInfo("Europe/Paris") / pytz.timezone(...)
 * (a name; UTC's names are UTC), timezone(timedelta(hours=2)) (an offset).
 */
int ormc_tzinfo_arg(ev *e, const ormc_ast *a, ormc_tz *out);
/* One order_by() item ("-x", F("x").desc(nulls_last=True), an expression) into *it. */
int ormc_order_item_parse(ev *e, ormc_qs *qs, const ormc_ast *a, ormc_order_item *it);
/* Count, Sum, Avg, Min, Max, StdDev, Variance. */
int ormc_is_aggregate_name(const char *name);

/* ---- argcheck.c: Django's checks of method arguments */

/* Django's default alias of an aggregate argument ("price__avg"), or NULL. */
const char *ormc_default_alias(ev *e, const ormc_ast *arg, const ormc_expr *x);
/* An aggregate over an aggregate: Django's "Cannot compute Sum('n'): 'n' is an aggregate". */
int ormc_check_nested_agg(ev *e, const ormc_expr *x, int summarize);
/* Does a new annotation's name conflict with a field (or a values() name)? */
int ormc_annot_conflicts(const ormc_qs *qs, const char *alias);
/* aggregate(a=Sum("x"), b=Sum("a")): Django's error for argument i. */
int ormc_check_sibling_agg(ev *e, const ormc_ast *call, int i);
/* annotate(x=True): "QuerySet.annotate() received non-expression(s): True." */
int ormc_check_expressions(ev *e, const ormc_ast *call, const char *method);
/* An aggregate written in order_by() item (resolved as x): Django's FieldError. */
int ormc_check_order_agg(ev *e, const ormc_ast *item, const ormc_expr *x);

/* ---- conditions.c: conditions */

/* A new condition of kind with room for nkids children; NULL if out of memory. */
ormc_cond *ormc_cond_new(ev *e, ormc_cond_kind kind, int pos, int nkids);
/* Resolve a condition: Q(...), a & b, a | b, ~a, or a boolean expression. */
int ormc_resolve_cond(ev *e, ormc_qs *qs, const ormc_ast *n, ormc_cond **out);
int ormc_is_lookup_expr(const char *name);

/* ---- qparams.c: named parameters */

/* A use of the parameter named by n (a NAME node): a PARAM expression. */
int ormc_param_ref(ev *e, const ormc_ast *n, ormc_expr **out);
/*
 * x (when a PARAM, or -x, x + y of PARAMs) meets a value of type t: its
 * type, or an error if it has another. _lookup: only compared with it.
 */
int ormc_param_meet(ev *e, ormc_expr *x, const ormc_otype *t);
int ormc_param_meet_lookup(ev *e, ormc_expr *x, const ormc_otype *t);
int ormc_param_meet_all(ev *e, ormc_expr **xs, int n, const ormc_otype *t);
/* Give every use of a parameter the type it took (after an evaluation). */
void ormc_param_fixup(ormc_query *q);

/* ---- arith.c: arithmetic */

/* lhs op rhs (+ - * / %): typed as Django types it, dates and durations included. */
int ormc_resolve_arith(ev *e, ormc_qs *qs, const ormc_ast *n, ormc_expr **out);
/* Avg, StdDev, Variance of a decimal (and Sqrt, Ln...): the field's places + 6, a quotient. */
ormc_otype ormc_quotient_type(ormc_otype src);

/* ---- qs_methods.c: QuerySet methods */

/* Model.objects.all() for model m. */
ormc_qs *ormc_qs_new(ev *e, ormc_model *m, int pos, ormc_qs *outer);
/* Apply QuerySet method m (filter, annotate, ...) called as call. */
int ormc_qs_apply_method(ev *e, ormc_qs *qs, const ormc_ast *call, const char *m);
/*
 * Sort order[0..n), indices of call's keyword arguments, by keyword (as
 * Python sorts **kwargs where Django does: filter(b=1, a=2) is a, then b).
 */
void ormc_sort_kw(const ormc_ast *call, int *order, int n);
/* Record a step on qs (ormc_qs.steps) before it is applied. */
int ormc_qs_push_step(ev *e, ormc_qs *qs, ormc_step_kind kind, const char *name, const ormc_ast *call);
/* qs[start:stop] (stop -1: open), relative to a slice already taken. */
void ormc_qs_slice(ormc_qs *qs, int64_t start, int64_t stop);
/* Append a column named name to qs's values(). */
int ormc_qs_add_column(ev *e, ormc_qs *qs, const char *name, ormc_expr *x);
/* The columns qs selects: its values(), or every field and then its annotations. */
int ormc_qs_columns(ev *e, ormc_qs *qs, ormc_outcol **cols, int *n);

/* ---- combine.c: union(), intersection(), difference() */

/* qs.union(...) (m "union", "intersection" or "difference") called as call. */
int ormc_qs_combine(ev *e, ormc_qs *qs, const ormc_ast *call, const char *m);
/*
 * Method m on a combination (ORMC_QS_COMBINED(qs)): Django's error for
 * those it refuses, values() given to the parts; 1 when the method's own
 * code is to run on the combined columns, else ORMC_OK or an error.
 */
int ormc_qs_combined_method(ev *e, ormc_qs *qs, const ormc_ast *call, const char *m);

#endif
