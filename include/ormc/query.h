/*
 * ormc/query.h -- building a query with calls instead of text.
 *
 * Each call does what the Django method of the same name does, and the
 * result is the same query as the text form would give: the same IR, the
 * same SQL, the same errors (without a position, since there is no text).
 *
 *   ormc_query *q;
 *   ormc_query_new(&q, schema, "Publisher", &err);
 *   ormc_query_filter(q, ormc_q(q, "book__rating__gt", ormc_float(q, 3.0)), &err);
 *   ormc_query_annotate(q, "num_books", ormc_agg(q, "Count", "book"), &err);
 *   ormc_query_order_by(q, (const char *[]){ "-num_books" }, 1, &err);
 *
 * Nodes are owned by the query and freed with it; a node may be used in
 * several calls of the same query. A NULL node (from an allocation failure)
 * makes the call that receives it fail with ORMC_ENOMEM.
 */
#ifndef ORMC_QUERY_API_H
#define ORMC_QUERY_API_H

#include "ormc/ormc.h"

#ifdef __cplusplus
extern "C" {
#endif

/** An expression, a condition (Q) or a value, to pass to the calls below. */
typedef struct ormc_ast ormc_node;

/** Start Model.objects.all(). */
int ormc_query_new(ormc_query **out, const ormc_schema *schema, const char *model,
                   ormc_error *err);

/* Values. Text is copied. */
ormc_node *ormc_int(ormc_query *q, long long v);
ormc_node *ormc_float(ormc_query *q, double v);
ormc_node *ormc_text(ormc_query *q, const char *s);
ormc_node *ormc_bool(ormc_query *q, int v);
ormc_node *ormc_null(ormc_query *q);
/**
 * Typed literals, as Django's date(...), datetime(...), time(...),
 * timedelta(microseconds=...) and Decimal("...") are. NULL for a value that
 * does not exist (February 30th, "1.2.3").
 */
ormc_node *ormc_lit_decimal(ormc_query *q, const char *digits);
ormc_node *ormc_lit_date(ormc_query *q, int year, int month, int day);
ormc_node *ormc_lit_datetime(ormc_query *q, int year, int month, int day, int hour, int minute,
                         int second, int microsecond);
ormc_node *ormc_lit_time(ormc_query *q, int hour, int minute, int second, int microsecond);
ormc_node *ormc_lit_duration(ormc_query *q, long long microseconds);
/**
 * The named parameter name (an identifier), bound when a statement of the
 * query executes (ormc/stmt.h): ormc_q(q, "status", ormc_param(q, "status")).
 * NULL if name is not an identifier.
 */
ormc_node *ormc_param(ormc_query *q, const char *name);
/** A list of values, for __in and __range. */
ormc_node *ormc_list(ormc_query *q, ormc_node *const *items, int n);

/** F("field__path") */
ormc_node *ormc_f(ormc_query *q, const char *path);
/** Q(lookup=value), e.g. ormc_q(q, "status", ormc_text(q, "paid")). */
ormc_node *ormc_q(ormc_query *q, const char *lookup, ormc_node *value);
ormc_node *ormc_and(ormc_query *q, ormc_node *a, ormc_node *b);   /* a & b */
ormc_node *ormc_or(ormc_query *q, ormc_node *a, ormc_node *b);    /* a | b */
ormc_node *ormc_not(ormc_query *q, ormc_node *a);                 /* ~a */
/** a op b, op one of + - * / */
ormc_node *ormc_arith(ormc_query *q, char op, ormc_node *a, ormc_node *b);
/** Count("field") and the other aggregates over a field path ("*" for Count). */
ormc_node *ormc_agg(ormc_query *q, const char *func, const char *field);

/**
 * Any function or class of the query language by name, with positional
 * arguments and keyword arguments: ormc_call(q, "Count", args, 1,
 * (const char *[]){ "filter", "distinct" }, kwargs, 2) is
 * Count(args[0], filter=kwargs[0], distinct=kwargs[1]). Field classes
 * (output_field=) are calls too: ormc_call(q, "FloatField", NULL, 0, NULL, NULL, 0).
 */
ormc_node *ormc_call(ormc_query *q, const char *func, ormc_node *const *args, int nargs,
                     const char *const *kw, ormc_node *const *kwargs, int nkw);

/** Apply any QuerySet method by name, with arguments as for ormc_call(). */
int ormc_query_call(ormc_query *q, const char *method, ormc_node *const *args, int nargs,
                    const char *const *kw, ormc_node *const *kwargs, int nkw, ormc_error *err);

int ormc_query_filter(ormc_query *q, ormc_node *cond, ormc_error *err);
int ormc_query_exclude(ormc_query *q, ormc_node *cond, ormc_error *err);
int ormc_query_annotate(ormc_query *q, const char *alias, ormc_node *expr, ormc_error *err);
int ormc_query_values(ormc_query *q, const char *const *fields, int n, ormc_error *err);
int ormc_query_order_by(ormc_query *q, const char *const *fields, int n, ormc_error *err);
/** aggregate(alias[0]=exprs[0], ...): terminal. */
int ormc_query_aggregate(ormc_query *q, const char *const *aliases, ormc_node *const *exprs,
                         int n, ormc_error *err);
int ormc_query_count(ormc_query *q, ormc_error *err);
/** [start:stop]; stop -1 for none. */
int ormc_query_slice(ormc_query *q, long long start, long long stop, ormc_error *err);

#ifdef __cplusplus
}
#endif
#endif
