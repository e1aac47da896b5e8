/*
 * render.h -- writing a plan (core/plan.h) as SQL text for a dialect.
 *
 * Follows PostgreSQL's ruleutils: one emit function per construct, each writes
 * an indivisible term (parenthesised where needed), state threaded through an
 * ormc_emit. Parameters are collected in the order their placeholders are
 * written, so "?" dialects get them in the right order.
 */
#ifndef ORMC_RENDER_H
#define ORMC_RENDER_H

#include "../core/arena.h"
#include "../core/plan.h"
#include "../core/query.h"
#include "../core/sqlbuf.h"
#include "dialect.h"

struct ormc_emit {
	ormc_sqlbuf *buf;
	const ormc_dialect *dialect;
	unsigned caps;              /* dialect capabilities for this server version */
	ormc_arena *arena;          /* for parameter text made while rendering */
	ormc_ptrvec params;         /* ormc_pslot* in placeholder order */
	/* ORMC_CAP_NUMBERED_PARAMS: the PARAM nodes written so far and their slots (open addressing) */
	const ormc_sx **seen;
	int *seen_slot;
	int nseen, seen_cap;
	int depth;                  /* recursion guard */
	int result_parts;           /* rendering the parts of a top compound: their columns are the result's */
	int failed;                 /* an error was met: message in err */
	const ormc_select *having;  /* writing this SELECT's HAVING (ORMC_CAP_HAVING_ALIAS) */
	ormc_error *err;
};

/** Render s. On success *sql is malloc'd text; its placeholders (arena) in order. */
int ormc_render(const ormc_dialect *d, int server_version,
                const ormc_select *s, ormc_arena *arena, char **sql,
                ormc_pslot ***slots, int *nslots, ormc_error *err);

void ormc_render_expr(ormc_emit *e, const ormc_sx *x);
void ormc_render_select(ormc_emit *e, const ormc_select *s);
/** The "?" placeholder of SQLite and MySQL (a dialect's placeholder hook). */
void ormc_render_qmark(ormc_sqlbuf *b, int n);
/** Bind a value: write the placeholder and remember the value. */
void ormc_render_param(ormc_emit *e, const ormc_value *v);
/** Bind a PARAM node: its literal, or its named parameter. */
void ormc_render_param_sx(ormc_emit *e, const ormc_sx *x);
/**
 * Bind the pattern of a LIKE node: its text escaped for LIKE (backslash)
 * or GLOB and wrapped as the lookup says; for a named parameter the
 * pattern is made of the value at execution.
 */
void ormc_render_pattern_param(ormc_emit *e, const ormc_sx *x, ormc_pattern kind);
/*
 * The same for a lookup on a UUIDField stored as 32 hex digits (SQLite,
 * MySQL): the pattern without its hyphens, as Django's UUIDTextMixin
 * (Replace(rhs, Value("-"), Value(""))).
 */
void ormc_render_uuid_pattern_param(ormc_emit *e, const ormc_sx *x, ormc_pattern kind);
/** Bind a text value (copied into the arena). */
void ormc_render_param_text(ormc_emit *e, const char *s, size_t len);
/** Write ident between quote characters q, doubling any q inside. */
void ormc_render_quote(ormc_sqlbuf *b, const char *ident, char q);
/** Write args separated by ", ". */
void ormc_render_list(ormc_emit *e, ormc_sx *const *args, int n);
/** An aggregate, its argument written inside pre and post (both "" for as is). */
void ormc_render_agg(ormc_emit *e, const ormc_sx *x, const char *pre, const char *post);
/* Standard SQL spellings: an aggregate's and a function's name, an operator. */
const char *ormc_agg_sql(ormc_agg_fn agg);
const char *ormc_fn_sql(ormc_fn fn);
const char *ormc_op_sql(ormc_op op);
/** Lower-case name of a date part ("year", "week_day", "date"), as DATE_TRUNC takes it. */
const char *ormc_part_name(ormc_part part);

/**
 * A window's "(PARTITION BY ... ORDER BY ... frame)". frame: -1 the window's
 * own; 3 rows up to the current one, 4 from it on (a dialect's workaround).
 */
void ormc_render_window_spec(ormc_emit *e, const ormc_sx *x, int frame);

/** Mark the rendering failed with a message (first one wins). */
void ormc_render_fail(ormc_emit *e, const char *msg);

#endif
