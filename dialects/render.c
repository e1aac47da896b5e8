/*
 * render.c -- write a plan (core/plan.h) as SQL for a dialect.
 *
 * Standard SQL is written here; each dialect's emit() hook gets the first
 * word on every node and writes what it spells differently. Every value is a
 * bound parameter: the renderer records them in the order it writes their
 * placeholders.
 */
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/error.h"
#include "render.h"
#include "../core/walk.h"

#define MAX_DEPTH 200

const ormc_dialect *
ormc_dialect_find(const char *name)
{
	if (name == NULL)
		return NULL;
	if (strcmp(name, "postgresql") == 0 || strcmp(name, "postgres") == 0 || strcmp(name, "pg") == 0)
		return &ormc_dialect_postgresql;
	if (strcmp(name, "sqlite") == 0 || strcmp(name, "sqlite3") == 0)
		return &ormc_dialect_sqlite;
	if (strcmp(name, "mysql") == 0 || strcmp(name, "mariadb") == 0)
		return &ormc_dialect_mysql;
	return NULL;
}

void
ormc_dialect_value_placeholder(const ormc_dialect *d, ormc_sqlbuf *b, int n, int binary)
{
	if (binary && d->blob_placeholder != NULL)
		d->blob_placeholder(b, n);
	else
		d->placeholder(b, n);
}

void
ormc_render_fail(ormc_emit *e, const char *msg)
{
	if (!e->failed)
		ormc_error_set(e->err, ORMC_EUNSUPPORTED, NULL, -1, 0, "%s", msg);
	e->failed = 1;
}

void
ormc_render_quote(ormc_sqlbuf *b, const char *ident, char q)
{
	const char *s;

	ormc_sqlbuf_appendc(b, q);
	for (s = ident; *s; s++) {
		if (*s == q)
			ormc_sqlbuf_appendc(b, q);
		ormc_sqlbuf_appendc(b, *s);
	}
	ormc_sqlbuf_appendc(b, q);
}

void
ormc_render_qmark(ormc_sqlbuf *b, int n)
{
	(void)n;
	ormc_sqlbuf_appendc(b, '?');
}

void
ormc_render_param(ormc_emit *e, const ormc_value *v)
{
	ormc_pslot *slot = ormc_arena_alloc(e->arena, sizeof(*slot));

	if (slot == NULL || ormc_ptrvec_push(e->arena, &e->params, slot) < 0) {
		e->failed = 1;
		return;
	}
	slot->value = *v;
	slot->pnum = -1;
	e->dialect->placeholder(e->buf, e->params.n);
}

/* The slot index of PARAM node x written before, or -1; ins: record it as the last slot instead. */
static int
seen_param(ormc_emit *e, const ormc_sx *x, int ins)
{
	size_t h;

	if (ins && 2 * (e->nseen + 1) > e->seen_cap) {
		int cap = e->seen_cap ? 2 * e->seen_cap : 64, k;
		const ormc_sx **keys = ormc_arena_alloc(e->arena, sizeof(*keys) * (size_t)cap);
		int *slots = ormc_arena_alloc(e->arena, sizeof(int) * (size_t)cap);

		if (keys == NULL || slots == NULL) {
			e->failed = 1;
			return -1;
		}
		memset(keys, 0, sizeof(*keys) * (size_t)cap);
		for (k = 0; k < e->seen_cap; k++)
			if (e->seen[k] != NULL) {
				for (h = ((uintptr_t)e->seen[k] >> 4) & (size_t)(cap - 1); keys[h] != NULL;
				     h = (h + 1) & (size_t)(cap - 1))
					;
				keys[h] = e->seen[k];
				slots[h] = e->seen_slot[k];
			}
		e->seen = keys;
		e->seen_slot = slots;
		e->seen_cap = cap;
	}
	if (e->seen_cap == 0)
		return -1;
	for (h = ((uintptr_t)x >> 4) & (size_t)(e->seen_cap - 1); e->seen[h] != NULL;
	     h = (h + 1) & (size_t)(e->seen_cap - 1))
		if (e->seen[h] == x)
			return e->seen_slot[h];
	if (!ins)
		return -1;
	e->seen[h] = x;
	e->seen_slot[h] = e->params.n - 1;
	e->nseen++;
	return e->params.n - 1;
}

void
ormc_render_param_text(ormc_emit *e, const char *s, size_t len)
{
	ormc_value v;

	memset(&v, 0, sizeof(v));
	v.type = ORMC_TYPE_TEXT;
	v.s = ormc_arena_strndup(e->arena, s, len);
	v.len = len;
	if (v.s == NULL) {
		e->failed = 1;
		return;
	}
	ormc_render_param(e, &v);
}

void
ormc_render_param_sx(ormc_emit *e, const ormc_sx *x)
{
	int i;

	/*
	 * One value written twice is one parameter where placeholders name
	 * theirs: PostgreSQL sees the same expression in DISTINCT ON and
	 * ORDER BY only if both read $1, not $1 and $2.
	 */
	int numbered = x->kind == ORMC_SX_PARAM && (e->caps & ORMC_CAP_NUMBERED_PARAMS);

	if (numbered && (i = seen_param(e, x, 0)) >= 0) {
		e->dialect->placeholder(e->buf, i + 1);
		return;
	}
	ormc_render_param(e, &x->value);
	if (e->failed || (numbered && seen_param(e, x, 1) < 0))
		return;
	if (x->param != NULL) {
		ormc_pslot *slot = e->params.items[e->params.n - 1];

		slot->pnum = x->param->index;
	}
}

void
ormc_render_pattern_param(ormc_emit *e, const ormc_sx *x, ormc_pattern kind)
{
	ormc_pslot *slot;

	if (x->param == NULL) {
		size_t n;
		char *pat = ormc_pattern_make(kind, x->like, x->value.s, x->value.len, &n);

		if (pat == NULL) {
			e->failed = 1;
			return;
		}
		ormc_render_param_text(e, pat, n);
		free(pat);
		return;
	}
	ormc_render_param_sx(e, x);
	if (e->failed)
		return;
	slot = e->params.items[e->params.n - 1];
	slot->value.type = ORMC_TYPE_TEXT;
	slot->pattern = kind;
	slot->like = x->like;
}

void
ormc_render_uuid_pattern_param(ormc_emit *e, const ormc_sx *x, ormc_pattern kind)
{
	ormc_sx plain;
	char *s;
	size_t i, n = 0;

	if (x->param != NULL) {
		/* a value to come */
		ormc_sqlbuf_append(e->buf, "REPLACE(");
		ormc_render_pattern_param(e, x, kind);
		ormc_sqlbuf_append(e->buf, ", '-', '')");
		return;
	}
	if ((s = malloc(x->value.len + 1)) == NULL) {
		e->failed = 1;
		return;
	}
	for (i = 0; i < x->value.len; i++)
		if (x->value.s[i] != '-')
			s[n++] = x->value.s[i];
	s[n] = '\0';
	plain = *x;
	plain.value.s = s;
	plain.value.len = n;
	ormc_render_pattern_param(e, &plain, kind);
	free(s);
}

void
ormc_render_list(ormc_emit *e, ormc_sx *const *args, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		if (i)
			ormc_sqlbuf_append(e->buf, ", ");
		ormc_render_expr(e, args[i]);
	}
}

/* The argument of an aggregate, inside pre and post ("CAST(" ... " AS DOUBLE)"). */
static void
render_agg_arg(ormc_emit *e, const ormc_sx *arg, const char *pre, const char *post)
{
	ormc_sqlbuf_append(e->buf, pre);
	ormc_render_expr(e, arg);
	ormc_sqlbuf_append(e->buf, post);
}

const char *
ormc_agg_sql(ormc_agg_fn agg)
{
	static const char *const names[] = {
		[ORMC_AGG_COUNT] = "COUNT", [ORMC_AGG_SUM] = "SUM", [ORMC_AGG_AVG] = "AVG",
		[ORMC_AGG_MIN] = "MIN", [ORMC_AGG_MAX] = "MAX",
		[ORMC_AGG_STDDEV_POP] = "STDDEV_POP", [ORMC_AGG_STDDEV_SAMP] = "STDDEV_SAMP",
		[ORMC_AGG_VAR_POP] = "VAR_POP", [ORMC_AGG_VAR_SAMP] = "VAR_SAMP",
	};

	assert((unsigned)agg < sizeof(names) / sizeof(names[0]) && names[agg] != NULL);
	return names[agg];
}

const char *
ormc_fn_sql(ormc_fn fn)
{
	static const char *const names[] = {
		[ORMC_FN_GREATEST] = "GREATEST", [ORMC_FN_LEAST] = "LEAST", [ORMC_FN_NULLIF] = "NULLIF",
		[ORMC_FN_UPPER] = "UPPER", [ORMC_FN_LOWER] = "LOWER", [ORMC_FN_LENGTH] = "LENGTH",
		[ORMC_FN_TRIM] = "TRIM", [ORMC_FN_CONCAT] = "CONCAT", [ORMC_FN_ABS] = "ABS",
		[ORMC_FN_ROUND] = "ROUND", [ORMC_FN_FLOOR] = "FLOOR", [ORMC_FN_CEIL] = "CEIL",
		[ORMC_FN_SQRT] = "SQRT", [ORMC_FN_POWER] = "POWER", [ORMC_FN_MOD] = "MOD",
		[ORMC_FN_SUBSTR] = "SUBSTR", [ORMC_FN_LEFT] = "LEFT", [ORMC_FN_RIGHT] = "RIGHT",
		[ORMC_FN_STRINDEX] = "INSTR", [ORMC_FN_REPLACE] = "REPLACE", [ORMC_FN_LTRIM] = "LTRIM",
		[ORMC_FN_RTRIM] = "RTRIM", [ORMC_FN_LPAD] = "LPAD", [ORMC_FN_RPAD] = "RPAD",
		[ORMC_FN_REPEAT] = "REPEAT", [ORMC_FN_REVERSE] = "REVERSE", [ORMC_FN_SIGN] = "SIGN",
		[ORMC_FN_LN] = "LN", [ORMC_FN_LOG] = "LOG", [ORMC_FN_EXP] = "EXP", [ORMC_FN_NOW] = "NOW",
		[ORMC_FN_RANDOM] = "RANDOM",
		[ORMC_FN_ROW_NUMBER] = "ROW_NUMBER", [ORMC_FN_RANK] = "RANK",
		[ORMC_FN_DENSE_RANK] = "DENSE_RANK", [ORMC_FN_PERCENT_RANK] = "PERCENT_RANK",
		[ORMC_FN_CUME_DIST] = "CUME_DIST", [ORMC_FN_NTILE] = "NTILE", [ORMC_FN_LAG] = "LAG",
		[ORMC_FN_LEAD] = "LEAD", [ORMC_FN_FIRST_VALUE] = "FIRST_VALUE",
		[ORMC_FN_LAST_VALUE] = "LAST_VALUE", [ORMC_FN_NTH_VALUE] = "NTH_VALUE",
	};

	assert((unsigned)fn < sizeof(names) / sizeof(names[0]) && names[fn] != NULL);
	return names[fn];
}

const char *
ormc_op_sql(ormc_op op)
{
	static const char *const names[] = {
		[ORMC_OP_ADD] = "+", [ORMC_OP_SUB] = "-", [ORMC_OP_MUL] = "*", [ORMC_OP_DIV] = "/",
		[ORMC_OP_MOD] = "%", [ORMC_OP_EQ] = "=", [ORMC_OP_NE] = "<>", [ORMC_OP_LT] = "<",
		[ORMC_OP_LE] = "<=", [ORMC_OP_GT] = ">", [ORMC_OP_GE] = ">=",
	};

	assert((unsigned)op < sizeof(names) / sizeof(names[0]) && names[op] != NULL);
	return names[op];
}

const char *
ormc_part_name(ormc_part part)
{
	static const char *const names[] = {
		[ORMC_PART_YEAR] = "year", [ORMC_PART_ISO_YEAR] = "iso_year",
		[ORMC_PART_QUARTER] = "quarter", [ORMC_PART_MONTH] = "month",
		[ORMC_PART_WEEK] = "week", [ORMC_PART_WEEK_DAY] = "week_day",
		[ORMC_PART_ISO_WEEK_DAY] = "iso_week_day", [ORMC_PART_DAY] = "day",
		[ORMC_PART_HOUR] = "hour", [ORMC_PART_MINUTE] = "minute",
		[ORMC_PART_SECOND] = "second", [ORMC_PART_DATE] = "date", [ORMC_PART_TIME] = "time",
	};

	assert((unsigned)part < sizeof(names) / sizeof(names[0]) && names[part] != NULL);
	return names[part];
}

void
ormc_render_agg(ormc_emit *e, const ormc_sx *x, const char *pre, const char *post)
{
	ormc_sqlbuf *b = e->buf;
	const ormc_sx *arg = x->args[0];

	ormc_sqlbuf_append(b, ormc_agg_sql(x->agg));
	ormc_sqlbuf_appendc(b, '(');
	if (x->distinct)
		ormc_sqlbuf_append(b, "DISTINCT ");
	if (x->filter && !(e->caps & ORMC_CAP_AGG_FILTER)) {
		/* AGG(CASE WHEN c THEN x END): rows failing c become NULL, ignored. */
		ormc_sqlbuf_append(b, "CASE WHEN ");
		ormc_render_expr(e, x->filter);
		ormc_sqlbuf_append(b, " THEN ");
		if (arg->kind == ORMC_SX_STAR)
			ormc_sqlbuf_append(b, "1");
		else
			render_agg_arg(e, arg, pre, post);
		ormc_sqlbuf_append(b, " END)");
		return;
	}
	if (arg->kind == ORMC_SX_STAR)
		ormc_sqlbuf_append(b, "*");
	else
		render_agg_arg(e, arg, pre, post);
	ormc_sqlbuf_appendc(b, ')');
	if (x->filter) {
		ormc_sqlbuf_append(b, " FILTER (WHERE ");
		ormc_render_expr(e, x->filter);
		ormc_sqlbuf_appendc(b, ')');
	}
}

static void
render_junction(ormc_emit *e, const ormc_sx *x, const char *word)
{
	int i;

	ormc_sqlbuf_appendc(e->buf, '(');
	for (i = 0; i < x->nargs; i++) {
		if (i)
			ormc_sqlbuf_append(e->buf, word);
		ormc_render_expr(e, x->args[i]);
	}
	ormc_sqlbuf_appendc(e->buf, ')');
}

/*
 * Is a GROUP BY column of s named name? MySQL prefers such a column to a
 * select alias of the same name in HAVING (or calls it ambiguous).
 */
static int
grouped_column_named(const ormc_select *s, const char *name)
{
	int i;

	for (i = 0; i < s->ngroup; i++)
		if (s->group[i]->kind == ORMC_SX_COL && strcmp(s->group[i]->name, name) == 0)
			return 1;
	return 0;
}

void
ormc_render_expr(ormc_emit *e, const ormc_sx *x)
{
	ormc_sqlbuf *b = e->buf;
	int i;

	if (e->failed)
		return;
	if (x == NULL) {
		ormc_render_fail(e, "internal: missing expression");
		return;
	}
	if (++e->depth > MAX_DEPTH) {
		ormc_render_fail(e, "expression nested too deeply");
		return;
	}
	if (e->having != NULL) {
		/*
		 * MySQL resolves a column in HAVING only if it is a GROUP BY
		 * column, not inside a grouped expression: a selected expression
		 * is read by its alias there.
		 */
		const ormc_select *s = e->having;

		for (i = 0; i < s->ncols; i++)
			if (s->names != NULL && s->names[i] != NULL && x->kind != ORMC_SX_COL &&
			    (s->cols[i] == x || ormc_sx_same(s->cols[i], x)) &&
			    !grouped_column_named(s, s->names[i])) {
				e->dialect->quote_ident(b, s->names[i]);
				e->depth--;
				return;
			}
	}
	if (e->dialect->emit && e->dialect->emit(e, x)) {
		e->depth--;
		return;
	}
	switch (x->kind) {
	case ORMC_SX_COL:
		if (x->table) {
			e->dialect->quote_ident(b, x->table);
			ormc_sqlbuf_appendc(b, '.');
		}
		e->dialect->quote_ident(b, x->name);
		break;
	case ORMC_SX_PARAM:
		ormc_render_param_sx(e, x);
		break;
	case ORMC_SX_INT:
		ormc_sqlbuf_appendf(b, "%lld", (long long)x->ival);
		break;
	case ORMC_SX_NULL:
		ormc_sqlbuf_append(b, "NULL");
		break;
	case ORMC_SX_STAR:
		ormc_sqlbuf_append(b, "*");
		break;
	case ORMC_SX_TRUE:
		ormc_sqlbuf_append(b, "(1 = 1)");
		break;
	case ORMC_SX_FALSE:
		ormc_sqlbuf_append(b, "(1 = 0)");
		break;
	case ORMC_SX_AGG:
		ormc_render_agg(e, x, "", "");
		break;
	case ORMC_SX_ARITH:
		if (x->op == ORMC_OP_DIV && x->type.kind == ORMC_FIELD_DECIMAL && x->type.decimal_places >= 0) {
			/*
			 * A decimal quotient stops at MySQL's scale, the dividend's
			 * places + 4, on every engine, and in the SQL itself: MySQL
			 * keeps more inside AVG or CAST than it shows.
			 */
			ormc_sqlbuf_append(b, "ROUND((");
			ormc_render_expr(e, x->args[0]);
			ormc_sqlbuf_append(b, " / ");
			ormc_render_expr(e, x->args[1]);
			ormc_sqlbuf_appendf(b, "), %d)", x->type.decimal_places);
			break;
		}
		/* fall through */
	case ORMC_SX_CMP:
		ormc_sqlbuf_appendc(b, '(');
		ormc_render_expr(e, x->args[0]);
		ormc_sqlbuf_appendf(b, " %s ", ormc_op_sql(x->op));
		ormc_render_expr(e, x->args[1]);
		ormc_sqlbuf_appendc(b, ')');
		break;
	case ORMC_SX_NSEQ:
		ormc_sqlbuf_appendc(b, '(');
		ormc_render_expr(e, x->args[0]);
		ormc_sqlbuf_append(b, " IS NOT DISTINCT FROM ");
		ormc_render_expr(e, x->args[1]);
		ormc_sqlbuf_appendc(b, ')');
		break;
	case ORMC_SX_NEG:
		ormc_sqlbuf_append(b, "(-");
		ormc_render_expr(e, x->args[0]);
		ormc_sqlbuf_appendc(b, ')');
		break;
	case ORMC_SX_NOT:
		ormc_sqlbuf_append(b, "NOT ");
		ormc_render_expr(e, x->args[0]);
		break;
	case ORMC_SX_AND:
		render_junction(e, x, " AND ");
		break;
	case ORMC_SX_OR:
		render_junction(e, x, " OR ");
		break;
	case ORMC_SX_ISNULL:
		ormc_sqlbuf_appendc(b, '(');
		ormc_render_expr(e, x->args[0]);
		ormc_sqlbuf_append(b, x->negated ? " IS NOT NULL)" : " IS NULL)");
		break;
	case ORMC_SX_LIKE:
		ormc_sqlbuf_appendc(b, '(');
		if (x->ci) {
			ormc_sqlbuf_append(b, "UPPER(");
			ormc_render_expr(e, x->args[0]);
			ormc_sqlbuf_append(b, ") LIKE ");
			ormc_render_pattern_param(e, x, ORMC_PATTERN_ILIKE);
			ormc_sqlbuf_appendc(b, ')');
		} else {
			ormc_render_expr(e, x->args[0]);
			ormc_sqlbuf_append(b, " LIKE ");
			ormc_render_pattern_param(e, x, ORMC_PATTERN_LIKE);
			ormc_sqlbuf_appendc(b, ')');
		}
		break;
	case ORMC_SX_IN:
		ormc_sqlbuf_appendc(b, '(');
		ormc_render_expr(e, x->args[0]);
		ormc_sqlbuf_append(b, x->negated ? " NOT IN (" : " IN (");
		if (x->sub)
			ormc_render_select(e, x->sub);
		else
			ormc_render_list(e, x->args + 1, x->nargs - 1);
		ormc_sqlbuf_append(b, "))");
		break;
	case ORMC_SX_CASE:
		ormc_sqlbuf_append(b, "CASE");
		for (i = 0; i + 1 < x->nargs; i += 2) {
			ormc_sqlbuf_append(b, " WHEN ");
			ormc_render_expr(e, x->args[i]);
			ormc_sqlbuf_append(b, " THEN ");
			ormc_render_expr(e, x->args[i + 1]);
		}
		if (x->else_) {
			ormc_sqlbuf_append(b, " ELSE ");
			ormc_render_expr(e, x->else_);
		}
		ormc_sqlbuf_append(b, " END");
		break;
	case ORMC_SX_COALESCE:
		ormc_sqlbuf_append(b, "COALESCE(");
		ormc_render_list(e, x->args, x->nargs);
		ormc_sqlbuf_appendc(b, ')');
		break;
	case ORMC_SX_FUNC:
		if (x->fn == ORMC_FN_LN || x->fn == ORMC_FN_LOG) {
			/*
			 * No logarithm of 0 or below (or to base 1): NULL on every
			 * engine, where PostgreSQL would fail and the others give NULL.
			 */
			const ormc_sx *v = x->args[x->nargs - 1];

			ormc_sqlbuf_append(b, "CASE WHEN ");
			ormc_render_expr(e, v);
			ormc_sqlbuf_append(b, " > 0");
			if (x->fn == ORMC_FN_LOG) {
				ormc_sqlbuf_append(b, " AND ");
				ormc_render_expr(e, x->args[0]);
				ormc_sqlbuf_append(b, " > 0 AND ");
				ormc_render_expr(e, x->args[0]);
				ormc_sqlbuf_append(b, " <> 1");
			}
			/* LOG(b, x) as LN(x) / LN(b): SQLite's log refuses a base below 1 */
			ormc_sqlbuf_append(b, " THEN (LN(");
			ormc_render_expr(e, v);
			if (x->fn == ORMC_FN_LOG) {
				ormc_sqlbuf_append(b, ") / LN(");
				ormc_render_expr(e, x->args[0]);
			}
			ormc_sqlbuf_append(b, ")) END");
			break;
		}
		ormc_sqlbuf_append(b, ormc_fn_sql(x->fn));
		ormc_sqlbuf_appendc(b, '(');
		ormc_render_list(e, x->args, x->nargs);
		ormc_sqlbuf_appendc(b, ')');
		break;
	case ORMC_SX_WINDOW:
		if (!(e->caps & ORMC_CAP_WINDOW)) {
			ormc_render_fail(e, e->dialect->name[0] == 'm'
			                    ? "window functions need MySQL 8.0 or MariaDB 10.2"
			                    : "window functions need SQLite 3.25");
			break;
		}
		ormc_render_expr(e, x->args[0]);
		ormc_sqlbuf_append(b, " OVER ");
		ormc_render_window_spec(e, x, -1);
		break;
	case ORMC_SX_EXISTS:
		ormc_sqlbuf_append(b, x->negated ? "NOT EXISTS (" : "EXISTS (");
		ormc_render_select(e, x->sub);
		ormc_sqlbuf_appendc(b, ')');
		break;
	case ORMC_SX_SUBQUERY:
		ormc_sqlbuf_appendc(b, '(');
		ormc_render_select(e, x->sub);
		ormc_sqlbuf_appendc(b, ')');
		break;
	case ORMC_SX_CAST:
	case ORMC_SX_EXTRACT:
	case ORMC_SX_TRUNC:
	case ORMC_SX_TZ_LOCAL:
	case ORMC_SX_TZ_UTC:
		/* No standard spelling all three share: each dialect writes these. */
		ormc_render_fail(e, "internal: dialect does not render CAST/EXTRACT/TRUNC or a time zone");
		break;
	}
	e->depth--;
}

/* One ORDER BY item, NULLs as the largest value (ormc's rule, as PostgreSQL's). */
static void
render_order_item(ormc_emit *e, const ormc_sx *x, int desc, int nulls, int position)
{
	ormc_sqlbuf *b = e->buf;
	int nulls_first = nulls == 1 || (nulls == 0 && desc);
	int native_first = (e->caps & ORMC_CAP_NULLS_LOW) ? !desc : desc;

	if (nulls_first != native_first && !(e->caps & ORMC_CAP_NULLS_ORDER)) {
		/* No NULLS FIRST/LAST: sort on "is null" first. */
		ormc_sqlbuf_append(b, "CASE WHEN ");
		ormc_render_expr(e, x);
		ormc_sqlbuf_append(b, nulls_first ? " IS NULL THEN 0 ELSE 1 END, "
		                                  : " IS NULL THEN 1 ELSE 0 END, ");
	}
	/* A selected expression by position: written again it would bind new parameters. */
	if (position)
		ormc_sqlbuf_appendf(b, "%d", position);
	else
		ormc_render_expr(e, x);
	ormc_sqlbuf_append(b, desc ? " DESC" : " ASC");
	if (nulls_first != native_first && (e->caps & ORMC_CAP_NULLS_ORDER))
		ormc_sqlbuf_append(b, nulls_first ? " NULLS FIRST" : " NULLS LAST");
}

static void
frame_bound(ormc_sqlbuf *b, int set, long long v, const char *unbounded)
{
	if (!set)
		ormc_sqlbuf_append(b, unbounded);
	else if (v == 0)
		ormc_sqlbuf_append(b, "CURRENT ROW");
	else
		ormc_sqlbuf_appendf(b, "%lld %s", v < 0 ? -v : v, v < 0 ? "PRECEDING" : "FOLLOWING");
}

void
ormc_render_window_spec(ormc_emit *e, const ormc_sx *x, int frame)
{
	ormc_sqlbuf *b = e->buf;
	const ormc_window *w = x->win;
	int i;

	ormc_sqlbuf_appendc(b, '(');
	if (w->npart > 0) {
		ormc_sqlbuf_append(b, "PARTITION BY ");
		ormc_render_list(e, x->args + 1, w->npart);
	}
	if (frame < 0)
		frame = w->frame;
	if (w->norder > 0) {
		/*
		 * A RANGE frame with an offset needs one sort key, the value itself:
		 * no NULL-placing key then (NULLs are peers only of each other, so
		 * where they sort changes no value).
		 */
		int range_offset = frame == 2 && ((w->start_set && w->start != 0) || (w->end_set && w->end != 0));

		ormc_sqlbuf_append(b, w->npart > 0 ? " ORDER BY " : "ORDER BY ");
		for (i = 0; i < w->norder; i++) {
			const ormc_sx *o = x->args[1 + w->npart + i];

			if (i)
				ormc_sqlbuf_append(b, ", ");
			if (range_offset) {
				ormc_render_expr(e, o);
				ormc_sqlbuf_append(b, w->desc[i] ? " DESC" : " ASC");
			} else {
				render_order_item(e, o, w->desc[i], w->nulls[i], 0);
			}
		}
	} else if ((e->caps & ORMC_CAP_WINDOW_ORDER) && x->args[0]->kind != ORMC_SX_AGG) {
		/* MySQL's RANK(), LAG()... need an ORDER BY: a constant makes every row a peer, as none does */
		ormc_sqlbuf_append(b, w->npart > 0 ? " ORDER BY NULL" : "ORDER BY NULL");
	}
	if (frame == 3) {
		/* the caller's own frame: every row up to this one (Lag's fallback on MySQL) */
		ormc_sqlbuf_append(b, " ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW");
	} else if (frame == 4) {
		ormc_sqlbuf_append(b, " ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING");
	} else if (frame > 0) {
		ormc_sqlbuf_append(b, frame == 1 ? " ROWS BETWEEN " : " RANGE BETWEEN ");
		frame_bound(b, w->start_set, w->start, "UNBOUNDED PRECEDING");
		ormc_sqlbuf_append(b, " AND ");
		frame_bound(b, w->end_set, w->end, "UNBOUNDED FOLLOWING");
		if (w->exclusion > 0) {
			static const char *const excl[] = { "", " EXCLUDE CURRENT ROW", " EXCLUDE GROUP",
			                                    " EXCLUDE TIES", " EXCLUDE NO OTHERS" };

			/* PostgreSQL 11 and SQLite 3.28 have EXCLUDE; MySQL and MariaDB do not */
			if (strcmp(e->dialect->name, "mysql") == 0) {
				ormc_render_fail(e, "This backend does not support window frame exclusions.");
				return;
			}
			ormc_sqlbuf_append(b, excl[w->exclusion]);
		}
	}
	ormc_sqlbuf_appendc(b, ')');
}

static void
render_order(ormc_emit *e, const ormc_select *s, const ormc_order *o)
{
	render_order_item(e, o->expr, o->desc, o->nulls, ormc_select_position(s, o->expr));
}

/* parts[0] UNION parts[1] ...: each part a plain SELECT (planner.c, plan_compound). */
static void
render_compound(ormc_emit *e, const ormc_select *s)
{
	const char *op = s->op == ORMC_COMBINE_UNION ? (s->op_all ? " UNION ALL " : " UNION ")
	               : s->op == ORMC_COMBINE_INTERSECT ? " INTERSECT " : " EXCEPT ";
	int i;

	if (s->op != ORMC_COMBINE_UNION && !(e->caps & ORMC_CAP_INTERSECT)) {
		ormc_render_fail(e, s->op == ORMC_COMBINE_INTERSECT
		                 ? "intersection() (INTERSECT) needs a newer server: MySQL 8.0.31 or MariaDB 10.3"
		                 : "difference() (EXCEPT) needs a newer server: MySQL 8.0.31 or MariaDB 10.3");
		return;
	}
	for (i = 0; i < s->nparts; i++) {
		assert(s->parts[i]->op == ORMC_COMBINE_NONE && s->parts[i]->norder == 0 &&
		       s->parts[i]->limit < 0 && s->parts[i]->offset == 0);
		if (i)
			ormc_sqlbuf_append(e->buf, op);
		e->result_parts = e->depth == 1;
		ormc_render_select(e, s->parts[i]);
		e->result_parts = 0;
	}
}

void
ormc_render_select(ormc_emit *e, const ormc_select *s)
{
	ormc_sqlbuf *b = e->buf;
	const ormc_select *having = e->having;   /* a subquery inside a HAVING has its own names */
	int i;

	if (e->failed)
		return;
	if (++e->depth > MAX_DEPTH) {
		ormc_render_fail(e, "query nested too deeply");
		return;
	}
	e->having = NULL;
	if (s->op != ORMC_COMBINE_NONE) {
		render_compound(e, s);
		e->having = having;
		e->depth--;
		return;
	}
	if (s->ndistinct_on > 0) {
		if (!(e->caps & ORMC_CAP_DISTINCT_ON)) {
			ormc_render_fail(e, "DISTINCT ON fields is not supported by this database backend");
			return;
		}
		/* ORDER BY must begin with these: PostgreSQL says so when it does not */
		ormc_sqlbuf_append(b, "SELECT DISTINCT ON (");
		for (i = 0; i < s->ndistinct_on; i++) {
			/*
			 * A selected expression by position, as ORDER BY writes it:
			 * written again it would bind new parameters, and PostgreSQL
			 * would not see it is the ORDER BY's.
			 */
			int k = ormc_select_position(s, s->distinct_on[i]);

			if (i)
				ormc_sqlbuf_append(b, ", ");
			if (k > 0)
				ormc_sqlbuf_appendf(b, "%d", k);
			else
				ormc_render_expr(e, s->distinct_on[i]);
		}
		ormc_sqlbuf_append(b, ") ");
	} else {
		ormc_sqlbuf_append(b, s->distinct ? "SELECT DISTINCT " : "SELECT ");
	}
	for (i = 0; i < s->ncols; i++) {
		/*
		 * A binary column of the result is read as hex digits, the one
		 * spelling every driver returns alike (core/jsonbin.c).
		 */
		int hex = (e->depth == 1 || (e->depth == 2 && e->result_parts)) &&
		          s->cols[i]->type.kind == ORMC_FIELD_BINARY;
		int pg = strcmp(e->dialect->name, "postgresql") == 0;
		int lite = strcmp(e->dialect->name, "sqlite") == 0;

		if (i)
			ormc_sqlbuf_append(b, ", ");
		if (hex && lite) {
			/* SQLite's hex(NULL) is '', not NULL */
			ormc_sqlbuf_append(b, "CASE WHEN ");
			ormc_render_expr(e, s->cols[i]);
			ormc_sqlbuf_append(b, " IS NULL THEN NULL ELSE ");
		}
		if (hex)
			ormc_sqlbuf_append(b, pg ? "encode(" : "hex(");
		ormc_render_expr(e, s->cols[i]);
		if (hex)
			ormc_sqlbuf_append(b, pg ? ", 'hex')" : lite ? ") END" : ")");
		if (s->names && s->names[i]) {
			ormc_sqlbuf_append(b, " AS ");
			e->dialect->quote_ident(b, s->names[i]);
		}
	}
	for (i = 0; i < s->nfrom; i++) {
		const ormc_from *f = s->from[i];

		switch (f->join) {
		case ORMC_JOIN_NONE: ormc_sqlbuf_append(b, i ? ", " : " FROM "); break;
		case ORMC_JOIN_INNER: ormc_sqlbuf_append(b, " INNER JOIN "); break;
		case ORMC_JOIN_LEFT: ormc_sqlbuf_append(b, " LEFT OUTER JOIN "); break;
		case ORMC_JOIN_CROSS: ormc_sqlbuf_append(b, " CROSS JOIN "); break;
		}
		if (f->sub) {
			ormc_sqlbuf_appendc(b, '(');
			ormc_render_select(e, f->sub);
			ormc_sqlbuf_appendc(b, ')');
		} else {
			e->dialect->quote_ident(b, f->table);
		}
		ormc_sqlbuf_append(b, " AS ");
		e->dialect->quote_ident(b, f->alias);
		if (f->on && (f->join == ORMC_JOIN_INNER || f->join == ORMC_JOIN_LEFT)) {
			ormc_sqlbuf_append(b, " ON ");
			ormc_render_expr(e, f->on);
		}
	}
	if (s->where) {
		ormc_sqlbuf_append(b, " WHERE ");
		ormc_render_expr(e, s->where);
	}
	if (s->ngroup) {
		ormc_sqlbuf_append(b, " GROUP BY ");
		for (i = 0; i < s->ngroup; i++) {
			int k;

			if (i)
				ormc_sqlbuf_append(b, ", ");
			/*
			 * An expression that is also selected is grouped by its
			 * position: written again it would bind new parameters, which
			 * PostgreSQL does not see as the same expression.
			 */
			if ((k = ormc_select_position(s, s->group[i])) > 0)
				ormc_sqlbuf_appendf(b, "%d", k);
			else
				ormc_render_expr(e, s->group[i]);
		}
	}
	if (s->having) {
		ormc_sqlbuf_append(b, " HAVING ");
		if (e->caps & ORMC_CAP_HAVING_ALIAS)
			e->having = s;
		ormc_render_expr(e, s->having);
		e->having = NULL;
	}
	if (s->norder) {
		ormc_sqlbuf_append(b, " ORDER BY ");
		for (i = 0; i < s->norder; i++) {
			if (i)
				ormc_sqlbuf_append(b, ", ");
			render_order(e, s, &s->order[i]);
		}
	}
	if (s->limit >= 0 || s->offset > 0)
		e->dialect->limit(b, (long long)s->limit, (long long)s->offset);
	e->having = having;
	e->depth--;
}

int
ormc_render(const ormc_dialect *d, int server_version, const ormc_select *s,
            ormc_arena *arena, char **sql, ormc_pslot ***slots, int *nslots,
            ormc_error *err)
{
	ormc_sqlbuf b;
	ormc_emit e;

	ormc_sqlbuf_init(&b);
	memset(&e, 0, sizeof(e));
	e.buf = &b;
	e.dialect = d;
	e.caps = d->caps_for ? d->caps_for(server_version) : d->caps;
	e.arena = arena;
	e.err = err;
	ormc_render_select(&e, s);
	if (e.failed || arena->failed) {
		ormc_sqlbuf_free(&b);
		if (!e.failed)
			return ormc_error_set(err, ORMC_ENOMEM, NULL, -1, 0, "out of memory");
		return err ? err->code : ORMC_EUNSUPPORTED;
	}
	*sql = ormc_sqlbuf_detach(&b);
	if (*sql == NULL)
		return ormc_error_set(err, ORMC_ENOMEM, NULL, -1, 0, "out of memory");
	*slots = (ormc_pslot **)e.params.items;
	*nslots = e.params.n;
	return ORMC_OK;
}
