/*
 * sqlite.c -- the SQLite dialect.
 *
 * SQLite >= 3.30 has AGG(x) FILTER (WHERE c) and NULLS FIRST/LAST; older
 * versions get the CASE form. Dates are text (Django's storage), so date
 * parts come from strftime(). LIKE is case-insensitive for ASCII, so the
 * case-sensitive lookups use GLOB. There is no STDDEV: it is computed from
 * sums of squares.
 */
#include <stdio.h>
#include <string.h>

#include "dialect.h"
#include "render.h"

static void
sqlite_quote_ident(ormc_sqlbuf *b, const char *ident)
{
	ormc_render_quote(b, ident, '"');
}

static unsigned
sqlite_caps_for(int v)
{
	if (v != 0 && v < 32500)
		return ORMC_CAP_NULLS_LOW | ORMC_CAP_INTERSECT;
	if (v != 0 && v < 33000)
		return ORMC_CAP_NULLS_LOW | ORMC_CAP_WINDOW | ORMC_CAP_INTERSECT;
	return ORMC_CAP_AGG_FILTER | ORMC_CAP_NULLS_ORDER | ORMC_CAP_NULLS_LOW | ORMC_CAP_WINDOW |
	       ORMC_CAP_INTERSECT;
}

static const char *
sqlite_column_type(const ormc_field *f, char *buf, size_t n)
{
	switch (f->kind) {
	case ORMC_FIELD_AUTO:
	case ORMC_FIELD_BIGAUTO:
	case ORMC_FIELD_SMALLAUTO:
		return f->primary_key ? "integer NOT NULL PRIMARY KEY AUTOINCREMENT" : "integer";
	case ORMC_FIELD_CHAR:
		if (f->max_length > 0) {
			snprintf(buf, n, "varchar(%d)", f->max_length);
			return buf;
		}
		return "varchar";
	case ORMC_FIELD_TEXT: return "text";
	case ORMC_FIELD_INTEGER: return "integer";
	case ORMC_FIELD_BIGINTEGER: return "bigint";
	case ORMC_FIELD_SMALLINTEGER: return "smallint";
	case ORMC_FIELD_POSITIVEINTEGER: return "integer unsigned";
	case ORMC_FIELD_POSITIVESMALLINTEGER: return "smallint unsigned";
	case ORMC_FIELD_POSITIVEBIGINTEGER: return "bigint unsigned";
	case ORMC_FIELD_JSON: return "text";
	case ORMC_FIELD_BINARY: return "BLOB";
	case ORMC_FIELD_FLOAT: return "real";
	case ORMC_FIELD_DECIMAL:
		/*
		 * Django writes "decimal"; the digits change nothing in SQLite
		 * (NUMERIC affinity either way) but let ormc inspect read them back.
		 */
		if (f->max_digits > 0 && f->decimal_places >= 0) {
			snprintf(buf, n, "decimal(%d, %d)", f->max_digits, f->decimal_places);
			return buf;
		}
		return "decimal";
	case ORMC_FIELD_BOOLEAN: return "bool";
	case ORMC_FIELD_DATE: return "date";
	case ORMC_FIELD_DATETIME: return "datetime";
	case ORMC_FIELD_TIME: return "time";
	case ORMC_FIELD_DURATION: return "bigint";
	case ORMC_FIELD_UUID: return "char(32)";
	case ORMC_FIELD_IPADDRESS: return "char(39)";
	default: return "integer";
	}
}

/* x, or CASE WHEN filter THEN x END for an aggregate we spell ourselves. */
static void
agg_arg(ormc_emit *e, const ormc_sx *agg, const char *pre, const char *post)
{
	ormc_sqlbuf *b = e->buf;

	ormc_sqlbuf_append(b, pre);
	if (agg->filter) {
		ormc_sqlbuf_append(b, "CASE WHEN ");
		ormc_render_expr(e, agg->filter);
		ormc_sqlbuf_append(b, " THEN ");
	}
	ormc_sqlbuf_append(b, "CAST(");
	ormc_render_expr(e, agg->args[0]);
	ormc_sqlbuf_append(b, " AS REAL)");
	if (agg->filter)
		ormc_sqlbuf_append(b, " END");
	ormc_sqlbuf_append(b, post);
}

/*
 * VAR_POP = (SUM(x*x) - SUM(x)*SUM(x)/COUNT(x)) / COUNT(x), VAR_SAMP divides
 * by COUNT(x) - 1 (NULL for a single row, as the SQL standard's), STDDEV is
 * its square root.
 */
/* COUNT(X), SUM(X) or SUM(X * X) (which 0, 1, 2) of X, a decimal of places as a whole number. */
static void
dec_sum(ormc_emit *e, const ormc_sx *agg, int which, long long scale)
{
	ormc_sqlbuf *b = e->buf;
	int k;

	ormc_sqlbuf_append(b, which == 0 ? "COUNT(" : "SUM(");
	for (k = 0; k < (which == 2 ? 2 : 1); k++) {
		if (k)
			ormc_sqlbuf_append(b, " * ");
		if (agg->filter) {
			ormc_sqlbuf_append(b, "CASE WHEN ");
			ormc_render_expr(e, agg->filter);
			ormc_sqlbuf_append(b, " THEN ");
		}
		ormc_sqlbuf_append(b, "CAST(ROUND(");
		ormc_render_expr(e, agg->args[0]);
		ormc_sqlbuf_appendf(b, " * %lld) AS INTEGER)", scale);
		if (agg->filter)
			ormc_sqlbuf_append(b, " END");
	}
	ormc_sqlbuf_appendc(b, ')');
}

/*
 * The variance of a DecimalField of p places, exactly: with X = x * 10^p a
 * whole number, n = COUNT(X), S = SUM(X), q = S / n and r = S % n (integer
 * division), n^2 * VAR_POP * 10^2p = n * (SUM(X*X) - n*q*q - 2*q*r) - r*r,
 * all in 64-bit integers, which SQLite keeps exact (a SUM that overflows is
 * its error, not a wrong answer). The cancellation E[x^2] - E[x]^2 suffers
 * in floating point (10000.01, 10000.02, 10000.03) happens here in whole
 * numbers around the mean.
 */
static void
emit_decimal_variance(ormc_emit *e, const ormc_sx *x, int places, int sample)
{
	ormc_sqlbuf *b = e->buf;
	long long scale = 1;
	int i;

	for (i = 0; i < places; i++)
		scale *= 10;
	ormc_sqlbuf_append(b, "((");
	dec_sum(e, x, 0, scale);                      /* n * (S2 - n*q*q - 2*q*r) */
	ormc_sqlbuf_append(b, " * (");
	dec_sum(e, x, 2, scale);
	ormc_sqlbuf_append(b, " - ");
	dec_sum(e, x, 0, scale);
	ormc_sqlbuf_append(b, " * (");
	dec_sum(e, x, 1, scale);
	ormc_sqlbuf_append(b, " / ");
	dec_sum(e, x, 0, scale);
	ormc_sqlbuf_append(b, ") * (");
	dec_sum(e, x, 1, scale);
	ormc_sqlbuf_append(b, " / ");
	dec_sum(e, x, 0, scale);
	ormc_sqlbuf_append(b, ") - 2 * (");
	dec_sum(e, x, 1, scale);
	ormc_sqlbuf_append(b, " / ");
	dec_sum(e, x, 0, scale);
	ormc_sqlbuf_append(b, ") * (");
	dec_sum(e, x, 1, scale);
	ormc_sqlbuf_append(b, " % ");
	dec_sum(e, x, 0, scale);
	ormc_sqlbuf_append(b, ")) - (");              /* - r*r */
	dec_sum(e, x, 1, scale);
	ormc_sqlbuf_append(b, " % ");
	dec_sum(e, x, 0, scale);
	ormc_sqlbuf_append(b, ") * (");
	dec_sum(e, x, 1, scale);
	ormc_sqlbuf_append(b, " % ");
	dec_sum(e, x, 0, scale);
	ormc_sqlbuf_append(b, ")) * 1.0 / (");       /* / (n * n) or (n * (n - 1)), as a float */
	dec_sum(e, x, 0, scale);
	ormc_sqlbuf_append(b, " * ");
	if (sample) {
		ormc_sqlbuf_appendc(b, '(');
		dec_sum(e, x, 0, scale);
		ormc_sqlbuf_append(b, " - 1)");
	} else {
		dec_sum(e, x, 0, scale);
	}
	ormc_sqlbuf_appendf(b, ") / %lld.0 / %lld.0)", scale, scale);
}

static void
emit_variance(ormc_emit *e, const ormc_sx *x)
{
	ormc_sqlbuf *b = e->buf;
	int sample = x->agg == ORMC_AGG_STDDEV_SAMP || x->agg == ORMC_AGG_VAR_SAMP;
	int root = x->agg == ORMC_AGG_STDDEV_POP || x->agg == ORMC_AGG_STDDEV_SAMP;
	const ormc_otype *t = &x->args[0]->type;

	if (x->distinct) {
		ormc_render_fail(e, "StdDev/Variance with distinct=True is not supported on SQLite");
		return;
	}
	if (x->over) {
		ormc_render_fail(e, "StdDev/Variance over a window needs PostgreSQL or MySQL: SQLite has "
		                    "no such window function");
		return;
	}
	if (t->kind == ORMC_FIELD_DECIMAL && t->decimal_places >= 0 && t->decimal_places <= 9) {
		if (root)
			ormc_sqlbuf_append(b, "SQRT(");
		emit_decimal_variance(e, x, t->decimal_places, sample);
		if (root)
			ormc_sqlbuf_appendc(b, ')');
		return;
	}
	if (root)
		ormc_sqlbuf_append(b, "SQRT(");
	ormc_sqlbuf_append(b, "((");
	agg_arg(e, x, "SUM(", "");
	agg_arg(e, x, " * ", ")");
	agg_arg(e, x, " - SUM(", ")");
	agg_arg(e, x, " * SUM(", ")");
	agg_arg(e, x, " / COUNT(", "))");
	if (sample) {
		agg_arg(e, x, " / NULLIF(COUNT(", ") - 1, 0))");
	} else {
		agg_arg(e, x, " / NULLIF(COUNT(", "), 0))");
	}
	if (root)
		ormc_sqlbuf_appendc(b, ')');
}

/* A date or a datetime (date arithmetic). */
static int
is_date(const ormc_sx *x)
{
	return x->type.kind == ORMC_FIELD_DATE || x->type.kind == ORMC_FIELD_DATETIME;
}

/* The microseconds of a stored datetime ("... 10:00:00.25" -> 250000; none -> 0). */
static void
micros(ormc_emit *e, const ormc_sx *t)
{
	ormc_sqlbuf_append(e->buf, "CAST(substr(substr(");
	ormc_render_expr(e, t);
	ormc_sqlbuf_append(e->buf, ", 21) || '000000', 1, 6) AS INTEGER)");
}

/* Seconds since 1970 of a stored date or datetime, whole. */
static void
epoch(ormc_emit *e, const ormc_sx *t)
{
	ormc_sqlbuf_append(e->buf, "CAST(strftime('%s', ");
	ormc_render_expr(e, t);
	ormc_sqlbuf_append(e->buf, ") AS INTEGER)");
}

/* t's microseconds plus (or minus) the duration d, in microseconds. */
static void
moved_micros(ormc_emit *e, const ormc_sx *t, const ormc_sx *d, int minus)
{
	ormc_sqlbuf_appendc(e->buf, '(');
	micros(e, t);
	ormc_sqlbuf_append(e->buf, minus ? " - " : " + ");
	ormc_render_expr(e, d);
	ormc_sqlbuf_appendc(e->buf, ')');
}

/*
 * Date arithmetic on text dates, exact to the microsecond as Django stores
 * them: a difference is whole seconds (strftime '%s') and microseconds (the
 * fraction's digits); a date moved by a duration is moved by whole seconds
 * (a strftime modifier, floor division so that a negative fraction borrows)
 * and written back with its fraction, none when it is zero, as Django
 * writes one.
 */
static void
date_arith(ormc_emit *e, const ormc_sx *x)
{
	ormc_sqlbuf *b = e->buf;
	const ormc_sx *a = x->args[0], *c = x->args[1];

	if (is_date(a) && is_date(c)) {
		ormc_sqlbuf_append(b, "((");
		epoch(e, a);
		ormc_sqlbuf_append(b, " - ");
		epoch(e, c);
		ormc_sqlbuf_append(b, ") * 1000000 + ");
		micros(e, a);
		ormc_sqlbuf_append(b, " - ");
		micros(e, c);
		ormc_sqlbuf_appendc(b, ')');
		return;
	}
	if (!is_date(a)) {     /* duration + date */
		const ormc_sx *t = a;

		a = c;
		c = t;
	}
	ormc_sqlbuf_append(b, "(strftime('%Y-%m-%d %H:%M:%S', ");
	ormc_render_expr(e, a);
	ormc_sqlbuf_append(b, ", ((");
	moved_micros(e, a, c, x->op == ORMC_OP_SUB);
	ormc_sqlbuf_append(b, " - ((");
	moved_micros(e, a, c, x->op == ORMC_OP_SUB);
	ormc_sqlbuf_append(b, " % 1000000) + 1000000) % 1000000) / 1000000) || ' seconds') || CASE WHEN ((");
	moved_micros(e, a, c, x->op == ORMC_OP_SUB);
	ormc_sqlbuf_append(b, " % 1000000) + 1000000) % 1000000 = 0 THEN '' ELSE printf('.%06d', ((");
	moved_micros(e, a, c, x->op == ORMC_OP_SUB);
	ormc_sqlbuf_append(b, " % 1000000) + 1000000) % 1000000) END)");
}

static const char *
sqlite_cast_type(ormc_field_kind k)
{
	switch (k) {
	case ORMC_FIELD_FLOAT: return "REAL";
	case ORMC_FIELD_DECIMAL: return "NUMERIC";
	case ORMC_FIELD_CHAR: case ORMC_FIELD_TEXT: case ORMC_FIELD_UUID:
	case ORMC_FIELD_IPADDRESS: case ORMC_FIELD_DATE: case ORMC_FIELD_DATETIME: case ORMC_FIELD_TIME:
		return "TEXT";
	default: return "INTEGER";
	}
}

/*
 * The float x rounded to a whole number half to even, as PostgreSQL and
 * MariaDB round a double (2.5 -> 2, 3.5 -> 4); SQLite's ROUND goes half away
 * from zero, so at exactly .5 round x / 2 and double it.
 */
static void
round_half_even(ormc_emit *e, const ormc_sx *x)
{
	ormc_sqlbuf_append(e->buf, "CASE WHEN ABS(");
	ormc_render_expr(e, x);
	ormc_sqlbuf_append(e->buf, " - CAST(");
	ormc_render_expr(e, x);
	ormc_sqlbuf_append(e->buf, " AS INTEGER)) = 0.5 THEN 2 * ROUND(");
	ormc_render_expr(e, x);
	ormc_sqlbuf_append(e->buf, " / 2.0) ELSE ROUND(");
	ormc_render_expr(e, x);
	ormc_sqlbuf_append(e->buf, ") END");
}

/* n copies of the text s: replace each "00" of n zero bytes in hex. */
static void
repeat_text(ormc_emit *e, const ormc_sx *s, const ormc_sx *n)
{
	ormc_sqlbuf_append(e->buf, "replace(hex(zeroblob(");
	ormc_render_expr(e, n);
	ormc_sqlbuf_append(e->buf, ")), '00', ");
	ormc_render_expr(e, s);
	ormc_sqlbuf_appendc(e->buf, ')');
}

/*
 * The text functions SQLite lacks, as PostgreSQL computes them: LEFT, RIGHT,
 * LPAD, RPAD (which also cut to the length), REPEAT; NOW in UTC.
 */
static int
sqlite_text_fn(ormc_emit *e, const ormc_sx *x)
{
	ormc_sqlbuf *b = e->buf;
	const ormc_sx *const *a = (const ormc_sx *const *)x->args;

	switch (x->fn) {
	case ORMC_FN_ROUND:
		if (x->nargs == 2) {
			/* no negative places here: round x / 10^-n to a whole and scale back */
			ormc_sqlbuf_append(b, "CASE WHEN ");
			ormc_render_expr(e, a[1]);
			ormc_sqlbuf_append(b, " >= 0 THEN ROUND(");
			ormc_render_expr(e, a[0]);
			ormc_sqlbuf_append(b, ", ");
			ormc_render_expr(e, a[1]);
			ormc_sqlbuf_append(b, ") ELSE ROUND(");
			ormc_render_expr(e, a[0]);
			ormc_sqlbuf_append(b, " / POWER(10, -(");
			ormc_render_expr(e, a[1]);
			ormc_sqlbuf_append(b, "))) * POWER(10, -(");
			ormc_render_expr(e, a[1]);
			ormc_sqlbuf_append(b, ")) END");
			return 1;
		}
		if (a[0]->type.kind != ORMC_FIELD_FLOAT)
			return 0;
		/* a float's .5 to even, as PostgreSQL's and MariaDB's ROUND(double) */
		round_half_even(e, a[0]);
		return 1;
	case ORMC_FN_RANDOM:
		/* a float in [0, 1), as PostgreSQL's random() and Django's RAND on SQLite */
		ormc_sqlbuf_append(b, "(abs(random() % 9007199254740992) / 9007199254740992.0)");
		return 1;
	case ORMC_FN_LEFT:
		/* PostgreSQL's: a negative length leaves that many characters out at the end */
		ormc_sqlbuf_append(b, "substr(");
		ormc_render_expr(e, a[0]);
		ormc_sqlbuf_append(b, ", 1, CASE WHEN ");
		ormc_render_expr(e, a[1]);
		ormc_sqlbuf_append(b, " < 0 THEN max(length(");
		ormc_render_expr(e, a[0]);
		ormc_sqlbuf_append(b, ") + (");
		ormc_render_expr(e, a[1]);
		ormc_sqlbuf_append(b, "), 0) ELSE ");
		ormc_render_expr(e, a[1]);
		ormc_sqlbuf_append(b, " END)");
		return 1;
	case ORMC_FN_RIGHT:
		/* a negative length leaves that many out at the start; a NULL one is NULL */
		ormc_sqlbuf_append(b, "CASE WHEN ");
		ormc_render_expr(e, a[1]);
		ormc_sqlbuf_append(b, " > 0 THEN substr(");
		ormc_render_expr(e, a[0]);
		ormc_sqlbuf_append(b, ", -(");
		ormc_render_expr(e, a[1]);
		ormc_sqlbuf_append(b, ")) WHEN ");
		ormc_render_expr(e, a[1]);
		ormc_sqlbuf_append(b, " < 0 THEN substr(");
		ormc_render_expr(e, a[0]);
		ormc_sqlbuf_append(b, ", 1 - (");
		ormc_render_expr(e, a[1]);
		ormc_sqlbuf_append(b, ")) WHEN ");
		ormc_render_expr(e, a[1]);
		ormc_sqlbuf_append(b, " = 0 THEN substr(");
		ormc_render_expr(e, a[0]);
		ormc_sqlbuf_append(b, ", 1, 0) END");
		return 1;
	case ORMC_FN_LPAD:
	case ORMC_FN_RPAD:
		ormc_sqlbuf_append(b, "CASE WHEN length(");
		ormc_render_expr(e, a[0]);
		ormc_sqlbuf_append(b, ") >= ");
		ormc_render_expr(e, a[1]);
		ormc_sqlbuf_append(b, " THEN substr(");
		ormc_render_expr(e, a[0]);
		ormc_sqlbuf_append(b, ", 1, ");
		ormc_render_expr(e, a[1]);
		ormc_sqlbuf_append(b, ") ELSE ");
		if (x->fn == ORMC_FN_RPAD) {
			ormc_render_expr(e, a[0]);
			ormc_sqlbuf_append(b, " || ");
		}
		ormc_sqlbuf_append(b, "substr(");
		repeat_text(e, a[2], a[1]);
		ormc_sqlbuf_append(b, ", 1, ");
		ormc_render_expr(e, a[1]);
		ormc_sqlbuf_append(b, " - length(");
		ormc_render_expr(e, a[0]);
		ormc_sqlbuf_append(b, "))");
		if (x->fn == ORMC_FN_LPAD) {
			ormc_sqlbuf_append(b, " || ");
			ormc_render_expr(e, a[0]);
		}
		ormc_sqlbuf_append(b, " END");
		return 1;
	case ORMC_FN_REPEAT:
		repeat_text(e, a[0], a[1]);
		return 1;
	case ORMC_FN_REVERSE:
		/* no REVERSE: a recursive CTE takes the characters from the last one back */
		ormc_sqlbuf_append(b, "(WITH RECURSIVE ormc_rev(i, s) AS (SELECT length(");
		ormc_render_expr(e, a[0]);
		ormc_sqlbuf_append(b, "), '' UNION ALL SELECT i - 1, s || substr(");
		ormc_render_expr(e, a[0]);
		ormc_sqlbuf_append(b, ", i, 1) FROM ormc_rev WHERE i > 0) SELECT s FROM ormc_rev WHERE i = 0)");
		return 1;
	case ORMC_FN_NOW:
		ormc_sqlbuf_append(b, "strftime('%Y-%m-%d %H:%M:%f', 'now')");
		return 1;
	default:
		return 0;
	}
}

static int
sqlite_emit(ormc_emit *e, const ormc_sx *x)
{
	ormc_sqlbuf *b = e->buf;
	const char *fmt = NULL;

	switch (x->kind) {
	case ORMC_SX_PARAM:
		if (x->type.kind == ORMC_FIELD_UUID && x->value.type == ORMC_TYPE_TEXT) {
			/* the column holds 32 hex digits, as Django's UUIDField stores them here */
			ormc_sqlbuf_append(b, "REPLACE(");
			ormc_render_param_sx(e, x);
			ormc_sqlbuf_append(b, ", '-', '')");
			return 1;
		}
		if (x->value.type == ORMC_TYPE_DECIMAL) {
			/* Django's decimals are bound as text: make them numbers. */
			ormc_sqlbuf_append(b, "CAST(");
			ormc_render_param_sx(e, x);
			ormc_sqlbuf_append(b, " AS NUMERIC)");
			return 1;
		}
		return 0;
	case ORMC_SX_ARITH:
		if (is_date(x->args[0]) || is_date(x->args[1])) {
			date_arith(e, x);
			return 1;
		}
		if (x->op == ORMC_OP_DIV && x->type.kind == ORMC_FIELD_DECIMAL) {
			/*
			 * A decimal column holding 30.00 is the integer 30 here, and
			 * 30 / 8 would be 3: divide as reals, as PostgreSQL and MySQL
			 * divide decimals.
			 */
			ormc_sqlbuf_append(b, x->type.decimal_places >= 0 ? "ROUND(CAST(" : "(CAST(");
			ormc_render_expr(e, x->args[0]);
			ormc_sqlbuf_append(b, " AS REAL) / ");
			ormc_render_expr(e, x->args[1]);
			if (x->type.decimal_places >= 0)   /* MySQL's scale, where the others stop too */
				ormc_sqlbuf_appendf(b, ", %d", x->type.decimal_places);
			ormc_sqlbuf_appendc(b, ')');
			return 1;
		}
		return 0;
	case ORMC_SX_NSEQ:
		ormc_sqlbuf_appendc(b, '(');
		ormc_render_expr(e, x->args[0]);
		ormc_sqlbuf_append(b, " IS ");
		ormc_render_expr(e, x->args[1]);
		ormc_sqlbuf_appendc(b, ')');
		return 1;
	case ORMC_SX_AGG:
		if (x->agg == ORMC_AGG_STDDEV_POP || x->agg == ORMC_AGG_STDDEV_SAMP ||
		    x->agg == ORMC_AGG_VAR_POP || x->agg == ORMC_AGG_VAR_SAMP) {
			emit_variance(e, x);
			return 1;
		}
		return 0;
	case ORMC_SX_CAST:
		if (x->type.kind == ORMC_FIELD_DATE || x->type.kind == ORMC_FIELD_DATETIME ||
		    x->type.kind == ORMC_FIELD_TIME) {
			ormc_sqlbuf_append(b, x->type.kind == ORMC_FIELD_DATE ? "date(" :
			                      x->type.kind == ORMC_FIELD_TIME ? "time(" : "datetime(");
			ormc_render_expr(e, x->args[0]);
			ormc_sqlbuf_appendc(b, ')');
			return 1;
		}
		if ((x->type.kind == ORMC_FIELD_CHAR || x->type.kind == ORMC_FIELD_TEXT) &&
		    x->args[0]->type.kind == ORMC_FIELD_DECIMAL && x->args[0]->type.decimal_places >= 0 &&
		    x->args[0]->type.decimal_places <= 30) {
			/* a decimal as text keeps its places ("81.20"), as the others write it */
			ormc_sqlbuf_append(b, "CASE WHEN ");
			ormc_render_expr(e, x->args[0]);
			ormc_sqlbuf_appendf(b, " IS NULL THEN NULL ELSE printf('%%.%df', ", x->args[0]->type.decimal_places);
			ormc_render_expr(e, x->args[0]);
			ormc_sqlbuf_append(b, ") END");
			return 1;
		}
		if (ormc_field_kind_is_int(x->type.kind) &&
		    x->args[0]->type.kind == ORMC_FIELD_FLOAT) {
			/*
			 * PostgreSQL rounds a float half to even (3.5 -> 4,
			 * 2.5 -> 2); SQLite's CAST truncates and its ROUND goes
			 * half away from zero: at exactly .5, round x / 2.
			 */
			ormc_sqlbuf_append(b, "CAST(");
			round_half_even(e, x->args[0]);
			ormc_sqlbuf_append(b, " AS INTEGER)");
			return 1;
		}
		if (ormc_field_kind_is_int(x->type.kind) &&
		    x->args[0]->type.kind == ORMC_FIELD_DECIMAL) {
			/* PostgreSQL rounds a numeric half away from zero, as ROUND does. */
			ormc_sqlbuf_append(b, "CAST(ROUND(");
			ormc_render_expr(e, x->args[0]);
			ormc_sqlbuf_append(b, ") AS INTEGER)");
			return 1;
		}
		ormc_sqlbuf_append(b, "CAST(");
		ormc_render_expr(e, x->args[0]);
		ormc_sqlbuf_appendf(b, " AS %s)", sqlite_cast_type(x->type.kind));
		return 1;
	case ORMC_SX_EXTRACT:
		switch (x->part) {
		case ORMC_PART_YEAR: fmt = "%Y"; break;
		case ORMC_PART_MONTH: fmt = "%m"; break;
		case ORMC_PART_DAY: fmt = "%d"; break;
		case ORMC_PART_HOUR: fmt = "%H"; break;
		case ORMC_PART_MINUTE: fmt = "%M"; break;
		case ORMC_PART_SECOND: fmt = "%S"; break;
		case ORMC_PART_WEEK_DAY: case ORMC_PART_ISO_WEEK_DAY: case ORMC_PART_QUARTER:
		case ORMC_PART_WEEK: case ORMC_PART_ISO_YEAR:
			fmt = NULL;
			break;
		default:
			ormc_render_fail(e, "this date part is not supported on SQLite");
			return 1;
		}
		if (fmt != NULL) {
			ormc_sqlbuf_appendf(b, "CAST(strftime('%s', ", fmt);
			ormc_render_expr(e, x->args[0]);
			ormc_sqlbuf_append(b, ") AS INTEGER)");
		} else if (x->part == ORMC_PART_QUARTER) {
			ormc_sqlbuf_append(b, "((CAST(strftime('%m', ");
			ormc_render_expr(e, x->args[0]);
			ormc_sqlbuf_append(b, ") AS INTEGER) + 2) / 3)");
		} else if (x->part == ORMC_PART_WEEK || x->part == ORMC_PART_ISO_YEAR) {
			/*
			 * ISO 8601 (strftime has no %V or %G before 3.46): a week
			 * belongs to the year of its Thursday, and is numbered by
			 * that Thursday's day of the year.
			 */
			ormc_sqlbuf_append(b, x->part == ORMC_PART_WEEK ? "((CAST(strftime('%j', " : "CAST(strftime('%Y', ");
			ormc_render_expr(e, x->args[0]);
			ormc_sqlbuf_append(b, x->part == ORMC_PART_WEEK
			                      ? ", '-3 days', 'weekday 4') AS INTEGER) - 1) / 7 + 1)"
			                      : ", '-3 days', 'weekday 4') AS INTEGER)");
		} else {
			/* Django: week_day 1 = Sunday ... 7; iso_week_day 1 = Monday ... 7. */
			ormc_sqlbuf_append(b, "((CAST(strftime('%w', ");
			ormc_render_expr(e, x->args[0]);
			ormc_sqlbuf_append(b, x->part == ORMC_PART_WEEK_DAY ? ") AS INTEGER)) + 1)"
			                                                    : ") AS INTEGER) + 6) % 7 + 1)");
		}
		return 1;
	case ORMC_SX_TZ_LOCAL:
	case ORMC_SX_TZ_UTC:
		if (x->tz.name != NULL) {
			ormc_render_fail(e, "tzinfo= with a zone name needs PostgreSQL: SQLite has no time zone "
			                    "database (a fixed offset, timezone(timedelta(hours=2)), works everywhere)");
			return 1;
		}
		/* a fixed offset: seconds added (LOCAL) or taken away (UTC) */
		ormc_sqlbuf_append(b, "datetime(");
		ormc_render_expr(e, x->args[0]);
		ormc_sqlbuf_appendf(b, ", '%+d seconds')", x->kind == ORMC_SX_TZ_LOCAL ? x->tz.offset : -x->tz.offset);
		return 1;
	case ORMC_SX_TRUNC: {
		int dt = x->args[0]->type.kind == ORMC_FIELD_DATETIME;

		switch (x->part) {
		case ORMC_PART_DATE: fmt = "%Y-%m-%d"; break;
		case ORMC_PART_TIME: fmt = "%H:%M:%S"; break;
		case ORMC_PART_YEAR: fmt = dt ? "%Y-01-01 00:00:00" : "%Y-01-01"; break;
		case ORMC_PART_MONTH: fmt = dt ? "%Y-%m-01 00:00:00" : "%Y-%m-01"; break;
		case ORMC_PART_DAY: fmt = dt ? "%Y-%m-%d 00:00:00" : "%Y-%m-%d"; break;
		case ORMC_PART_HOUR: fmt = "%Y-%m-%d %H:00:00"; break;
		case ORMC_PART_MINUTE: fmt = "%Y-%m-%d %H:%M:00"; break;
		case ORMC_PART_SECOND: fmt = "%Y-%m-%d %H:%M:%S"; break;
		case ORMC_PART_WEEK:
			/* the Monday on or before: the first Monday from six days back */
			ormc_sqlbuf_appendf(b, "strftime('%s', ", dt ? "%Y-%m-%d 00:00:00" : "%Y-%m-%d");
			ormc_render_expr(e, x->args[0]);
			ormc_sqlbuf_append(b, ", '-6 days', 'weekday 1')");
			return 1;
		case ORMC_PART_QUARTER:
			ormc_sqlbuf_append(b, "(strftime('%Y-', ");
			ormc_render_expr(e, x->args[0]);
			ormc_sqlbuf_append(b, ") || printf('%02d', (CAST(strftime('%m', ");
			ormc_render_expr(e, x->args[0]);
			ormc_sqlbuf_appendf(b, ") AS INTEGER) - 1) / 3 * 3 + 1) || '%s')", dt ? "-01 00:00:00" : "-01");
			return 1;
		default:
			ormc_render_fail(e, "this truncation is not supported on SQLite");
			return 1;
		}
		ormc_sqlbuf_appendf(b, "strftime('%s', ", fmt);
		ormc_render_expr(e, x->args[0]);
		ormc_sqlbuf_appendc(b, ')');
		return 1;
	}
	case ORMC_SX_LIKE: {
		/* a UUID is stored as 32 hex digits: the pattern without hyphens */
		void (*pattern)(ormc_emit *, const ormc_sx *, ormc_pattern) =
			x->args[0]->type.kind == ORMC_FIELD_UUID ? ormc_render_uuid_pattern_param
			                                          : ormc_render_pattern_param;

		ormc_sqlbuf_appendc(b, '(');
		ormc_render_expr(e, x->args[0]);
		if (x->ci) {
			/* SQLite's LIKE folds ASCII letters only: ormc's rule everywhere */
			ormc_sqlbuf_append(b, " LIKE ");
			pattern(e, x, ORMC_PATTERN_ILIKE);
			ormc_sqlbuf_append(b, " ESCAPE '\\')");
		} else {
			ormc_sqlbuf_append(b, " GLOB ");
			pattern(e, x, ORMC_PATTERN_GLOB);
			ormc_sqlbuf_appendc(b, ')');
		}
		return 1;
	}
	case ORMC_SX_FUNC:
		if (x->fn == ORMC_FN_GREATEST || x->fn == ORMC_FN_LEAST) {
			ormc_sqlbuf_append(b, x->fn == ORMC_FN_GREATEST ? "MAX(" : "MIN(");
			ormc_render_list(e, x->args, x->nargs);
			ormc_sqlbuf_appendc(b, ')');
			return 1;
		}
		if (x->fn == ORMC_FN_CONCAT) {
			int i;

			ormc_sqlbuf_appendc(b, '(');
			for (i = 0; i < x->nargs; i++) {
				ormc_sqlbuf_append(b, i ? " || COALESCE(" : "COALESCE(");
				ormc_render_expr(e, x->args[i]);
				ormc_sqlbuf_append(b, ", '')");
			}
			ormc_sqlbuf_appendc(b, ')');
			return 1;
		}
		if (x->fn == ORMC_FN_MOD && (x->args[0]->type.kind == ORMC_FIELD_FLOAT ||
		                             x->args[1]->type.kind == ORMC_FIELD_FLOAT ||
		                             x->args[0]->type.kind == ORMC_FIELD_DECIMAL ||
		                             x->args[1]->type.kind == ORMC_FIELD_DECIMAL))
			return 0;     /* MOD(), not %, which works on integers */
		if (x->fn == ORMC_FN_MOD) {
			ormc_sqlbuf_appendc(b, '(');
			ormc_render_expr(e, x->args[0]);
			ormc_sqlbuf_append(b, " % ");
			ormc_render_expr(e, x->args[1]);
			ormc_sqlbuf_appendc(b, ')');
			return 1;
		}
		return sqlite_text_fn(e, x);
	default:
		return 0;
	}
}

static void
sqlite_limit(ormc_sqlbuf *b, long long limit, long long offset)
{
	ormc_sqlbuf_appendf(b, " LIMIT %lld", limit >= 0 ? limit : -1LL);
	if (offset > 0)
		ormc_sqlbuf_appendf(b, " OFFSET %lld", offset);
}

static void
sqlite_blob_placeholder(ormc_sqlbuf *b, int n)
{
	ormc_sqlbuf_append(b, "CAST(");
	ormc_render_qmark(b, n);
	ormc_sqlbuf_append(b, " AS BLOB)");
}

const ormc_dialect ormc_dialect_sqlite = {
	ORMC_DIALECT_VERSION,
	"sqlite",
	ORMC_CAP_AGG_FILTER | ORMC_CAP_NULLS_ORDER | ORMC_CAP_NULLS_LOW | ORMC_CAP_WINDOW | ORMC_CAP_INTERSECT,
	sqlite_caps_for,
	sqlite_quote_ident,
	ormc_render_qmark,
	sqlite_column_type,
	sqlite_emit,
	sqlite_limit,
	sqlite_blob_placeholder,
};
