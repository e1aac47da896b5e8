/*
 * mysql.c -- the MySQL / MariaDB dialect.
 *
 * `backquoted` identifiers, ? placeholders, no FILTER clause (the core
 * writes AGG(CASE WHEN c THEN x END)), no NULLS FIRST/LAST, `/` that never
 * truncates (DIV for integers), <=> for NULL-safe equality. Tables ormc
 * creates compare text by code point (utf8mb4_bin); case-sensitive lookups
 * also say LIKE BINARY, for tables under MySQL's case-insensitive default
 * collations.
 */
#include <stdio.h>
#include <string.h>

#include "dialect.h"
#include "render.h"
#include "../core/walk.h"

/*
 * x with its ASCII letters upper- (or lower-) cased and nothing else: the
 * case rule of every engine, since SQLite folds no more (docs/dialects.md),
 * where MySQL's UPPER folds every letter. REPLACE is case-sensitive under
 * any collation.
 */
static void
ascii_case(ormc_emit *e, const ormc_sx *x, int upper)
{
	char c;

	for (c = 'a'; c <= 'z'; c++)
		ormc_sqlbuf_append(e->buf, "REPLACE(");
	ormc_render_expr(e, x);
	for (c = 'a'; c <= 'z'; c++)
		ormc_sqlbuf_appendf(e->buf, ", '%c', '%c')", upper ? c : c - 'a' + 'A',
		                    upper ? c - 'a' + 'A' : c);
}

/* A date or a datetime (date arithmetic). */
static int
is_date(const ormc_sx *x)
{
	return x->type.kind == ORMC_FIELD_DATE || x->type.kind == ORMC_FIELD_DATETIME;
}

static void
my_quote_ident(ormc_sqlbuf *b, const char *ident)
{
	ormc_render_quote(b, ident, '`');
}

static const char *
my_column_type(const ormc_field *f, char *buf, size_t n)
{
	switch (f->kind) {
	case ORMC_FIELD_AUTO:
		return f->primary_key ? "integer AUTO_INCREMENT NOT NULL PRIMARY KEY" : "integer";
	case ORMC_FIELD_BIGAUTO:
		return f->primary_key ? "bigint AUTO_INCREMENT NOT NULL PRIMARY KEY" : "bigint";
	case ORMC_FIELD_SMALLAUTO:
		return f->primary_key ? "smallint AUTO_INCREMENT NOT NULL PRIMARY KEY" : "smallint";
	/*
	 * Text is compared, grouped and sorted by code point, as on SQLite and
	 * PostgreSQL with the C collation (docs/dialects.md), not by MySQL's
	 * case-insensitive default collation.
	 */
	case ORMC_FIELD_CHAR:
		snprintf(buf, n, "varchar(%d) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin",
		         f->max_length > 0 ? f->max_length : 255);
		return buf;
	case ORMC_FIELD_TEXT: return "longtext CHARACTER SET utf8mb4 COLLATE utf8mb4_bin";
	case ORMC_FIELD_INTEGER: return "integer";
	case ORMC_FIELD_BIGINTEGER: return "bigint";
	case ORMC_FIELD_SMALLINTEGER: return "smallint";
	case ORMC_FIELD_POSITIVEINTEGER: return "integer UNSIGNED";
	case ORMC_FIELD_POSITIVESMALLINTEGER: return "smallint UNSIGNED";
	case ORMC_FIELD_POSITIVEBIGINTEGER: return "bigint UNSIGNED";
	case ORMC_FIELD_JSON: return "json";
	case ORMC_FIELD_BINARY: return "longblob";
	case ORMC_FIELD_FLOAT: return "double precision";
	case ORMC_FIELD_DECIMAL:
		snprintf(buf, n, "numeric(%d, %d)", f->max_digits, f->decimal_places);
		return buf;
	case ORMC_FIELD_BOOLEAN: return "bool";
	case ORMC_FIELD_DATE: return "date";
	case ORMC_FIELD_DATETIME: return "datetime(6)";
	case ORMC_FIELD_TIME: return "time(6)";
	case ORMC_FIELD_DURATION: return "bigint";
	case ORMC_FIELD_UUID: return "char(32)";
	/* Django's char(39), compared by code point like the other text */
	case ORMC_FIELD_IPADDRESS: return "char(39) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin";
	default: return "integer";
	}
}

static int
is_text(const ormc_sx *x)
{
	return x->type.kind == ORMC_FIELD_CHAR || x->type.kind == ORMC_FIELD_TEXT ||
	       x->type.kind == ORMC_FIELD_IPADDRESS;
}

static int
my_emit(ormc_emit *e, const ormc_sx *x)
{
	ormc_sqlbuf *b = e->buf;
	char buf[64];

	switch (x->kind) {
	case ORMC_SX_NSEQ:
		ormc_sqlbuf_appendc(b, '(');
		ormc_render_expr(e, x->args[0]);
		ormc_sqlbuf_append(b, " <=> ");
		ormc_render_expr(e, x->args[1]);
		ormc_sqlbuf_appendc(b, ')');
		return 1;
	case ORMC_SX_PARAM:
		if (x->type.kind == ORMC_FIELD_UUID && x->value.type == ORMC_TYPE_TEXT) {
			/* the column holds 32 hex digits, as Django's UUIDField stores them here */
			ormc_sqlbuf_append(b, "REPLACE(");
			ormc_render_param_sx(e, x);
			ormc_sqlbuf_append(b, ", '-', '')");
			return 1;
		}
		if (x->value.type == ORMC_TYPE_DECIMAL) {
			/*
			 * A decimal travels as text, and some clients (MariaDB
			 * Connector/ODBC) send it as a string: COALESCE(SUM(x), '0')
			 * would then sort and compare as text. Make it a number of
			 * its own precision.
			 */
			int digits = 0, scale = 0, frac = 0;
			size_t i;

			if (x->param != NULL) {
				/* A value to come: any decimal fits the widest. */
				digits = 65;
				scale = 30;
			}
			for (i = 0; x->param == NULL && i < x->value.len; i++) {
				char c = x->value.s[i];

				if (c == '.')
					frac = 1;
				else if (c >= '0' && c <= '9') {
					digits++;
					scale += frac;
				} else if (c == 'e' || c == 'E') {
					digits = 65;      /* 1e+20: the widest decimal */
					scale = 30;
					break;
				}
			}
			if (scale > 30)
				scale = 30;
			if (digits < scale + 1)
				digits = scale + 1;
			if (digits > 65)
				digits = 65;
			ormc_sqlbuf_append(b, "CAST(");
			ormc_render_param_sx(e, x);
			ormc_sqlbuf_appendf(b, " AS DECIMAL(%d, %d))", digits, scale);
			return 1;
		}
		return 0;
	case ORMC_SX_CMP:
		if (is_text(x->args[0]) && is_text(x->args[1])) {
			/*
			 * Text compares by code point, also in tables under MySQL's
			 * case-insensitive default collations.
			 */
			ormc_sqlbuf_appendc(b, '(');
			ormc_render_expr(e, x->args[0]);
			ormc_sqlbuf_appendf(b, " %s ", ormc_op_sql(x->op));
			ormc_render_expr(e, x->args[1]);
			ormc_sqlbuf_append(b, " COLLATE utf8mb4_bin)");
			return 1;
		}
		return 0;
	case ORMC_SX_IN:
		if (x->sub != NULL && x->sub->op == ORMC_COMBINE_NONE &&
		    (x->sub->limit >= 0 || x->sub->offset > 0)) {
			/*
			 * pk__in=qs[:2]: MySQL and MariaDB take no LIMIT in an IN
			 * subquery ("doesn't yet support 'LIMIT & IN/ALL/ANY/SOME
			 * subquery'"), but do in a derived table read by one, which
			 * cannot read the enclosing query's rows.
			 */
			ormc_select wrap;
			ormc_from from, *fromp = &from;

			memset(&wrap, 0, sizeof(wrap));
			memset(&from, 0, sizeof(from));
			from.sub = x->sub;
			wrap.from = &fromp;
			wrap.nfrom = 1;
			if (ormc_plan_derived_reads_outer(&wrap)) {
				ormc_render_fail(e, "a sliced queryset that reads the enclosing query (OuterRef) "
				                    "cannot be the list of an __in lookup on MySQL and MariaDB");
				return 1;
			}
			ormc_sqlbuf_appendc(b, '(');
			ormc_render_expr(e, x->args[0]);
			ormc_sqlbuf_append(b, x->negated ? " NOT IN (SELECT * FROM (" : " IN (SELECT * FROM (");
			ormc_render_select(e, x->sub);
			ormc_sqlbuf_append(b, ") AS `ormc_in`))");
			return 1;
		}
		if (x->sub == NULL && is_text(x->args[0])) {
			ormc_sqlbuf_appendc(b, '(');
			ormc_render_expr(e, x->args[0]);
			ormc_sqlbuf_append(b, x->negated ? " COLLATE utf8mb4_bin NOT IN ("
			                                 : " COLLATE utf8mb4_bin IN (");
			ormc_render_list(e, x->args + 1, x->nargs - 1);
			ormc_sqlbuf_append(b, "))");
			return 1;
		}
		return 0;
	case ORMC_SX_AGG:
		if (x->agg == ORMC_AGG_AVG && x->args[0]->kind != ORMC_SX_STAR &&
		    (ormc_field_kind_is_int(x->args[0]->type.kind) || x->args[0]->type.kind == ORMC_FIELD_FLOAT)) {
			/*
			 * AVG of integers is DECIMAL with 4 places here: average
			 * doubles (x + 0E0 is one on every version; CAST AS
			 * DOUBLE needs MySQL 8.0.17). A float may be one too:
			 * Mod(F("id"), 2) is a FloatField by Django's rule and an
			 * integer to MySQL.
			 */
			ormc_render_agg(e, x, "(", " + 0E0)");
			return 1;
		}
		if (x->agg == ORMC_AGG_STDDEV_POP || x->agg == ORMC_AGG_STDDEV_SAMP ||
		    x->agg == ORMC_AGG_VAR_POP || x->agg == ORMC_AGG_VAR_SAMP) {
			/* in doubles, as STDDEV is outside a window (over one, MariaDB keeps 4 places) */
			ormc_render_agg(e, x, "(", " + 0E0)");
			return 1;
		}
		if (x->agg == ORMC_AGG_AVG && x->args[0]->kind != ORMC_SX_STAR &&
		    x->args[0]->type.kind == ORMC_FIELD_DECIMAL) {
			/*
			 * AVG of DECIMAL(m, p) has p + 4 places here: give it as many
			 * as 65 digits leave beside the field's integer digits (30 at
			 * most), never fewer than it needs.
			 */
			const ormc_otype *t = &x->args[0]->type;
			int scale = 30;

			if (t->max_digits > 0 && t->decimal_places >= 0 && 65 - (t->max_digits - t->decimal_places) < 30)
				scale = 65 - (t->max_digits - t->decimal_places);
			snprintf(buf, sizeof(buf), " AS DECIMAL(65, %d))", scale);
			ormc_render_agg(e, x, "CAST(", buf);
			return 1;
		}
		return 0;
	case ORMC_SX_ARITH:
		if (is_date(x->args[0]) && is_date(x->args[1])) {
			/* the difference of two dates or datetimes: a duration, in microseconds as stored */
			ormc_sqlbuf_append(b, "TIMESTAMPDIFF(MICROSECOND, ");
			ormc_render_expr(e, x->args[1]);
			ormc_sqlbuf_append(b, ", ");
			ormc_render_expr(e, x->args[0]);
			ormc_sqlbuf_appendc(b, ')');
			return 1;
		}
		if (is_date(x->args[0]) != is_date(x->args[1])) {
			/* a date or datetime moved by a duration (microseconds) */
			const ormc_sx *d = is_date(x->args[0]) ? x->args[0] : x->args[1];
			const ormc_sx *n = d == x->args[0] ? x->args[1] : x->args[0];

			ormc_sqlbuf_appendc(b, '(');
			ormc_render_expr(e, d);
			ormc_sqlbuf_append(b, x->op == ORMC_OP_SUB ? " - INTERVAL (" : " + INTERVAL (");
			ormc_render_expr(e, n);
			ormc_sqlbuf_append(b, ") MICROSECOND)");
			return 1;
		}
		if (x->op == ORMC_OP_DIV && ormc_field_kind_is_int(x->args[0]->type.kind) &&
		    ormc_field_kind_is_int(x->args[1]->type.kind)) {
			/* Integer division truncates, as on PostgreSQL and SQLite. */
			ormc_sqlbuf_appendc(b, '(');
			ormc_render_expr(e, x->args[0]);
			ormc_sqlbuf_append(b, " DIV ");
			ormc_render_expr(e, x->args[1]);
			ormc_sqlbuf_appendc(b, ')');
			return 1;
		}
		return 0;
	case ORMC_SX_CAST: {
		const char *t;

		switch (x->type.kind) {
		case ORMC_FIELD_FLOAT: t = "DOUBLE"; break;
		case ORMC_FIELD_DECIMAL:
			if (x->type.max_digits > 0 && x->type.decimal_places >= 0) {
				snprintf(buf, sizeof(buf), "DECIMAL(%d, %d)", x->type.max_digits, x->type.decimal_places);
				t = buf;
			} else {
				t = "DECIMAL(65, 30)";
			}
			break;
		case ORMC_FIELD_CHAR: case ORMC_FIELD_TEXT: case ORMC_FIELD_UUID:
		case ORMC_FIELD_IPADDRESS: t = "CHAR"; break;
		case ORMC_FIELD_DATE: t = "DATE"; break;
		case ORMC_FIELD_DATETIME: t = "DATETIME(6)"; break;
		case ORMC_FIELD_TIME: t = "TIME(6)"; break;
		default: t = "SIGNED"; break;
		}
		ormc_sqlbuf_append(b, "CAST(");
		ormc_render_expr(e, x->args[0]);
		ormc_sqlbuf_appendf(b, " AS %s)", t);
		return 1;
	}
	case ORMC_SX_EXTRACT: {
		const char *f = NULL, *close = ")";

		switch (x->part) {
		case ORMC_PART_WEEK_DAY: f = "DAYOFWEEK("; break;
		case ORMC_PART_ISO_WEEK_DAY: f = "(WEEKDAY("; close = ") + 1)"; break;
		case ORMC_PART_QUARTER: f = "QUARTER("; break;
		case ORMC_PART_WEEK: f = "WEEK("; close = ", 3)"; break;
		case ORMC_PART_ISO_YEAR: f = "(YEARWEEK("; close = ", 3) DIV 100)"; break;
		default: break;
		}
		if (f != NULL) {
			ormc_sqlbuf_append(b, f);
			ormc_render_expr(e, x->args[0]);
			ormc_sqlbuf_append(b, close);
			return 1;
		}
		snprintf(buf, sizeof(buf), "EXTRACT(%s FROM ", ormc_part_name(x->part));
		{
			char *c;

			for (c = buf; *c; c++)
				if (*c >= 'a' && *c <= 'z')
					*c = (char)(*c - 32);
		}
		ormc_sqlbuf_append(b, buf);
		ormc_render_expr(e, x->args[0]);
		ormc_sqlbuf_appendc(b, ')');
		return 1;
	}
	case ORMC_SX_TZ_LOCAL:
	case ORMC_SX_TZ_UTC:
		if (x->tz.name != NULL) {
			ormc_render_fail(e, "tzinfo= with a zone name needs PostgreSQL: MySQL knows zone names "
			                    "only once its time zone tables are loaded (a fixed offset, "
			                    "timezone(timedelta(hours=2)), works everywhere)");
			return 1;
		}
		/* a fixed offset: seconds added (LOCAL) or taken away (UTC); a DATE_FORMAT text is cast back */
		ormc_sqlbuf_append(b, "(CAST(");
		ormc_render_expr(e, x->args[0]);
		ormc_sqlbuf_appendf(b, " AS DATETIME(6)) %c INTERVAL %d SECOND)",
		                    (x->kind == ORMC_SX_TZ_LOCAL) == (x->tz.offset > 0) ? '+' : '-',
		                    x->tz.offset < 0 ? -x->tz.offset : x->tz.offset);
		return 1;
	case ORMC_SX_TRUNC: {
		const char *fmt;
		int dt = x->args[0]->type.kind == ORMC_FIELD_DATETIME;

		switch (x->part) {
		case ORMC_PART_DATE:
		case ORMC_PART_TIME:
			ormc_sqlbuf_append(b, x->part == ORMC_PART_DATE ? "DATE(" : "TIME(");
			ormc_render_expr(e, x->args[0]);
			ormc_sqlbuf_appendc(b, ')');
			return 1;
		case ORMC_PART_YEAR: fmt = dt ? "%Y-01-01 00:00:00" : "%Y-01-01"; break;
		case ORMC_PART_MONTH: fmt = dt ? "%Y-%m-01 00:00:00" : "%Y-%m-01"; break;
		case ORMC_PART_DAY: fmt = dt ? "%Y-%m-%d 00:00:00" : "%Y-%m-%d"; break;
		case ORMC_PART_HOUR: fmt = "%Y-%m-%d %H:00:00"; break;
		case ORMC_PART_MINUTE: fmt = "%Y-%m-%d %H:%i:00"; break;
		case ORMC_PART_SECOND: fmt = "%Y-%m-%d %H:%i:%s"; break;
		case ORMC_PART_WEEK:
			/* the Monday on or before: WEEKDAY() is 0 on Monday */
			ormc_sqlbuf_append(b, "DATE_FORMAT(DATE_SUB(");
			ormc_render_expr(e, x->args[0]);
			ormc_sqlbuf_append(b, ", INTERVAL WEEKDAY(");
			ormc_render_expr(e, x->args[0]);
			ormc_sqlbuf_appendf(b, ") DAY), '%s')", dt ? "%Y-%m-%d 00:00:00" : "%Y-%m-%d");
			return 1;
		case ORMC_PART_QUARTER:
			ormc_sqlbuf_append(b, "CONCAT(YEAR(");
			ormc_render_expr(e, x->args[0]);
			ormc_sqlbuf_append(b, "), '-', LPAD((QUARTER(");
			ormc_render_expr(e, x->args[0]);
			ormc_sqlbuf_appendf(b, ") - 1) * 3 + 1, 2, '0'), '%s')", dt ? "-01 00:00:00" : "-01");
			return 1;
		default:
			ormc_render_fail(e, "this truncation is not supported on MySQL");
			return 1;
		}
		ormc_sqlbuf_append(b, "DATE_FORMAT(");
		ormc_render_expr(e, x->args[0]);
		ormc_sqlbuf_appendf(b, ", '%s')", fmt);
		return 1;
	}
	case ORMC_SX_WINDOW: {
		const ormc_sx *f = x->args[0];

		/*
		 * MariaDB's LAG and LEAD take no default: the row offset away
		 * exists when the frame up to (from) this row holds more rows
		 * than the offset, and only then is LAG's value the answer.
		 */
		if (f->kind != ORMC_SX_FUNC || (f->fn != ORMC_FN_LAG && f->fn != ORMC_FN_LEAD) ||
		    f->nargs != 3 || !(e->caps & ORMC_CAP_WINDOW))
			return 0;
		ormc_sqlbuf_append(b, "CASE WHEN COUNT(*) OVER ");
		ormc_render_window_spec(e, x, f->fn == ORMC_FN_LAG ? 3 : 4);
		ormc_sqlbuf_append(b, " > ");
		ormc_render_expr(e, f->args[1]);
		ormc_sqlbuf_appendf(b, " THEN %s(", ormc_fn_sql(f->fn));
		ormc_render_list(e, f->args, 2);
		ormc_sqlbuf_append(b, ") OVER ");
		ormc_render_window_spec(e, x, -1);
		ormc_sqlbuf_append(b, " ELSE ");
		ormc_render_expr(e, f->args[2]);
		ormc_sqlbuf_append(b, " END");
		return 1;
	}
	case ORMC_SX_LIKE: {
		/*
		 * Case-insensitive: UPPER(x) LIKE UPPER(p), as the core writes it,
		 * whatever the column's collation. Case-sensitive: LIKE BINARY,
		 * also under a case-insensitive collation of someone else's table.
		 */
		ormc_sqlbuf_appendc(b, '(');
		if (x->ci)
			ascii_case(e, x->args[0], 1);
		else
			ormc_render_expr(e, x->args[0]);
		ormc_sqlbuf_append(b, " LIKE BINARY ");
		/* a UUID is stored as 32 hex digits: the pattern without hyphens */
		(x->args[0]->type.kind == ORMC_FIELD_UUID ? ormc_render_uuid_pattern_param
		                                          : ormc_render_pattern_param)
			(e, x, x->ci ? ORMC_PATTERN_ILIKE : ORMC_PATTERN_LIKE);
		ormc_sqlbuf_appendc(b, ')');
		return 1;
	}
	case ORMC_SX_FUNC:
		if (x->fn == ORMC_FN_UPPER || x->fn == ORMC_FN_LOWER) {
			ascii_case(e, x->args[0], x->fn == ORMC_FN_UPPER);
			return 1;
		}
		if (x->fn == ORMC_FN_STRINDEX) {
			/* by code point and case-sensitively, also under a case-insensitive collation */
			ormc_sqlbuf_append(b, "INSTR(");
			ormc_render_expr(e, x->args[0]);
			ormc_sqlbuf_append(b, " COLLATE utf8mb4_bin, ");
			ormc_render_expr(e, x->args[1]);
			ormc_sqlbuf_append(b, " COLLATE utf8mb4_bin)");
			return 1;
		}
		if (x->fn == ORMC_FN_LPAD || x->fn == ORMC_FN_RPAD) {
			/* a negative length is NULL here, '' on PostgreSQL: never below 0 */
			ormc_sqlbuf_appendf(b, "%s(", ormc_fn_sql(x->fn));
			ormc_render_expr(e, x->args[0]);
			ormc_sqlbuf_append(b, ", GREATEST(");
			ormc_render_expr(e, x->args[1]);
			ormc_sqlbuf_append(b, ", 0), ");
			ormc_render_expr(e, x->args[2]);
			ormc_sqlbuf_appendc(b, ')');
			return 1;
		}
		if (x->fn == ORMC_FN_LEFT || x->fn == ORMC_FN_RIGHT) {
			/*
			 * PostgreSQL's answer for a negative length: that many
			 * characters left out at the end (LEFT) or the start (RIGHT);
			 * MySQL gives ''.
			 */
			ormc_sqlbuf_append(b, "CASE WHEN ");
			ormc_render_expr(e, x->args[1]);
			if (x->fn == ORMC_FN_LEFT) {
				ormc_sqlbuf_append(b, " < 0 THEN LEFT(");
				ormc_render_expr(e, x->args[0]);
				ormc_sqlbuf_append(b, ", GREATEST(CHAR_LENGTH(");
				ormc_render_expr(e, x->args[0]);
				ormc_sqlbuf_append(b, ") + (");
				ormc_render_expr(e, x->args[1]);
				ormc_sqlbuf_append(b, "), 0))");
			} else {
				ormc_sqlbuf_append(b, " < 0 THEN SUBSTRING(");
				ormc_render_expr(e, x->args[0]);
				ormc_sqlbuf_append(b, ", 1 - (");
				ormc_render_expr(e, x->args[1]);
				ormc_sqlbuf_append(b, "))");
			}
			ormc_sqlbuf_appendf(b, " ELSE %s(", ormc_fn_sql(x->fn));
			ormc_render_expr(e, x->args[0]);
			ormc_sqlbuf_append(b, ", ");
			ormc_render_expr(e, x->args[1]);
			ormc_sqlbuf_append(b, ") END");
			return 1;
		}
		if (x->fn == ORMC_FN_RANDOM) {
			ormc_sqlbuf_append(b, "RAND()");
			return 1;
		}
		if (x->fn == ORMC_FN_NOW) {
			ormc_sqlbuf_append(b, "UTC_TIMESTAMP(6)");
			return 1;
		}
		if (x->fn == ORMC_FN_LENGTH) {
			/* LENGTH counts bytes here; Django's Length is CHAR_LENGTH. */
			ormc_sqlbuf_append(b, "CHAR_LENGTH(");
			ormc_render_list(e, x->args, x->nargs);
			ormc_sqlbuf_appendc(b, ')');
			return 1;
		}
		if (x->fn == ORMC_FN_CONCAT) {
			/* CONCAT is NULL if any part is: Django's Concat treats NULL as ''. */
			ormc_sqlbuf_append(b, "CONCAT_WS('', ");
			ormc_render_list(e, x->args, x->nargs);
			ormc_sqlbuf_appendc(b, ')');
			return 1;
		}
		return 0;
	default:
		return 0;
	}
}

static void
my_limit(ormc_sqlbuf *b, long long limit, long long offset)
{
	if (limit >= 0)
		ormc_sqlbuf_appendf(b, " LIMIT %lld", limit);
	else
		ormc_sqlbuf_append(b, " LIMIT 18446744073709551615");
	if (offset > 0)
		ormc_sqlbuf_appendf(b, " OFFSET %lld", offset);
}

#define MY_CAPS (ORMC_CAP_NULLS_LOW | ORMC_CAP_HAVING_ALIAS | ORMC_CAP_NO_OUTER_IN_DERIVED | \
                 ORMC_CAP_WINDOW_ORDER)

/*
 * Window functions: MySQL 8.0 (80000..) and MariaDB 10.2 (100200..);
 * INTERSECT and EXCEPT: MySQL 8.0.31 and MariaDB 10.3. The two count
 * versions apart, MariaDB's from 100000.
 */
static unsigned
my_caps_for(int v)
{
	unsigned caps = MY_CAPS;

	if (v == 0 || v >= 100200 || (v >= 80000 && v < 100000))
		caps |= ORMC_CAP_WINDOW;
	if (v == 0 || v >= 100300 || (v >= 80031 && v < 100000))
		caps |= ORMC_CAP_INTERSECT;
	return caps;
}

const ormc_dialect ormc_dialect_mysql = {
	ORMC_DIALECT_VERSION,
	"mysql",
	MY_CAPS | ORMC_CAP_WINDOW | ORMC_CAP_INTERSECT,
	my_caps_for,
	my_quote_ident,
	ormc_render_qmark,
	my_column_type,
	my_emit,
	my_limit,
	NULL,   /* blob_placeholder: a LONGBLOB stores the bound bytes */
};
