/*
 * literals.c -- Python's own values in query text, as in a Django shell:
 * date(2026, 2, 1), datetime(...), time(...), timedelta(days=1),
 * Decimal("1.50") (also datetime.date, decimal.Decimal), made LITERAL nodes
 * (ast.h) typed as Django types them; and the integer arguments of calls.
 */
#include <stdio.h>
#include <string.h>

#include "decimal.h"
#include "query_int.h"

int
ormc_int_arg(ev *e, const ormc_ast *a, long long lo, long long hi, long long *out)
{
	int neg = 0;

	a = ormc_ev_deref(e, a);
	if (a->kind == ORMC_AST_NEG) {
		neg = 1;
		a = ormc_ev_deref(e, a->left);
	}
	if (a->kind != ORMC_AST_INT)
		return -1;
	*out = neg ? -a->ival : a->ival;
	return *out >= lo && *out <= hi ? 0 : -1;
}

/* A number argument of timedelta(): an integer or a float, in *out. */
static int
num_arg(ev *e, const ormc_ast *a, double *out)
{
	int neg = 0;

	a = ormc_ev_deref(e, a);
	if (a->kind == ORMC_AST_NEG) {
		neg = 1;
		a = ormc_ev_deref(e, a->left);
	}
	if (a->kind == ORMC_AST_INT)
		*out = (double)a->ival;
	else if (a->kind == ORMC_AST_FLOAT)
		*out = a->fval;
	else
		return -1;
	if (neg)
		*out = -*out;
	return 0;
}

/*
 * Python's date(y, m, d), datetime(y, m, d[, H[, M[, S[, us]]]]), time([H[,
 * M[, S[, us]]]]), timedelta(days=, seconds=, microseconds=, milliseconds=,
 * minutes=, hours=, weeks=) and Decimal("1.50") (also spelt datetime.date,
 * decimal.Decimal...) as a LITERAL node, typed as Django types them.
 * Returns 1 and *out when n is one, 0 when it is another call, <0 on error.
 */
int
ormc_python_literal(ev *e, const ormc_ast *n, const ormc_ast **out)
{
	const char *name = ormc_callee_name(n->left);
	ormc_ast *lit;
	long long v[7] = { 0, 0, 0, 0, 0, 0, 0 };
	int i, np, kind;
	char text[96], norm[40];

	if (name == NULL)
		return 0;
	kind = strcmp(name, "date") == 0 ? 1 : strcmp(name, "datetime") == 0 ? 2
	     : strcmp(name, "time") == 0 ? 3 : strcmp(name, "timedelta") == 0 ? 4
	     : strcmp(name, "Decimal") == 0 ? 5 : 0;
	if (kind == 0)
		return 0;
	lit = NEW(e, ormc_ast);
	if (lit == NULL)
		return ormc_ev_oom(e);
	lit->kind = ORMC_AST_LITERAL;
	lit->pos = n->pos;
	lit->end = n->end;
	np = ormc_npositional(n);
	if (kind == 5) {
		const ormc_ast *a = np == 1 && n->nargs == 1 ? ormc_ev_deref(e, n->args[0]) : NULL;

		if (a != NULL && a->kind == ORMC_AST_STR && ormc_decimal_valid(a->str, a->len))
			lit->str = a->str;
		else if (a != NULL && a->kind == ORMC_AST_INT)
			lit->str = ormc_arena_printf(e->a, "%lld", (long long)a->ival);
		else
			return ormc_ev_fail(e, ORMC_EINVALID, n->pos, n->end - n->pos,
			                    "Decimal() takes a string of digits (Decimal(\"1.50\")) or an integer");
		if (lit->str == NULL)
			return ormc_ev_oom(e);
		lit->len = strlen(lit->str);
		lit->vtype = ORMC_TYPE_DECIMAL;
		*out = lit;
		return 1;
	}
	if (kind == 4) {
		static const struct { const char *kw; double us; } units[] = {
			{ "weeks", 604800e6 }, { "days", 86400e6 }, { "hours", 3600e6 },
			{ "minutes", 60e6 }, { "seconds", 1e6 }, { "milliseconds", 1e3 },
			{ "microseconds", 1 },
		};
		double total = 0;

		/* timedelta(days, seconds, microseconds, milliseconds, minutes, hours, weeks) */
		static const int order[] = { 1, 4, 6, 5, 3, 2, 0 };

		for (i = 0; i < n->nargs; i++) {
			double x;
			size_t u;

			if (n->kw[i] == NULL) {
				if (i >= 7)
					return ormc_ev_fail(e, ORMC_EINVALID, n->pos, n->end - n->pos,
					                    "timedelta() takes at most 7 arguments");
				u = (size_t)order[i];
			} else {
				for (u = 0; u < sizeof(units) / sizeof(units[0]); u++)
					if (strcmp(units[u].kw, n->kw[i]) == 0)
						break;
				if (u == sizeof(units) / sizeof(units[0]))
					return ormc_ev_fail(e, ORMC_EINVALID, n->args[i]->pos, 1,
					                    "'%s' is an invalid keyword argument for timedelta()", n->kw[i]);
			}
			if (num_arg(e, n->args[i], &x) < 0)
				return ormc_ev_fail(e, ORMC_EINVALID, n->args[i]->pos, 1,
				                    "timedelta() takes numbers");
			total += x * units[u].us;
		}
		if (total > 8.64e19 || total < -8.64e19)
			return ormc_ev_fail(e, ORMC_EINVALID, n->pos, n->end - n->pos,
			                    "timedelta out of range");
		lit->vtype = ORMC_TYPE_DURATION;
		lit->ival = (int64_t)(total < 0 ? total - 0.5 : total + 0.5);
		*out = lit;
		return 1;
	}
	{
		/* date(y, m, d) 3 args, datetime 3..7, time 0..4: positional integers */
		int min = kind == 3 ? 0 : 3, max = kind == 1 ? 3 : kind == 2 ? 7 : 4;
		static const long long lo[] = { 1, 1, 1, 0, 0, 0, 0 }, hi[] = { 9999, 12, 31, 23, 59, 59, 999999 };
		int off = kind == 3 ? 3 : 0;

		if (np != n->nargs)
			return ormc_ev_fail(e, ORMC_EUNSUPPORTED, n->pos, n->end - n->pos,
			                    "%s() with keyword arguments (tzinfo=...) is not supported: ormc works in UTC",
			                    name);
		if (np < min || np > max)
			return ormc_ev_fail(e, ORMC_EINVALID, n->pos, n->end - n->pos,
			                    "%s() takes %d to %d arguments", name, min, max);
		for (i = 0; i < np; i++)
			if (ormc_int_arg(e, n->args[i], lo[i + off], hi[i + off], &v[i + off]) < 0)
				return ormc_ev_fail(e, ORMC_EINVALID, n->args[i]->pos,
				                    n->args[i]->end - n->args[i]->pos,
				                    "%s() argument %d must be an integer from %lld to %lld",
				                    name, i + 1, lo[i + off], hi[i + off]);
		if (kind == 1)
			snprintf(text, sizeof(text), "%04lld-%02lld-%02lld", v[0], v[1], v[2]);
		else if (kind == 2)
			snprintf(text, sizeof(text), "%04lld-%02lld-%02lld %02lld:%02lld:%02lld.%06lld",
			         v[0], v[1], v[2], v[3], v[4], v[5], v[6]);
		else
			snprintf(text, sizeof(text), "%02lld:%02lld:%02lld.%06lld", v[3], v[4], v[5], v[6]);
		if (ormc_temporal_normalize(kind == 1 ? ORMC_FIELD_DATE : kind == 2 ? ORMC_FIELD_DATETIME
		                            : ORMC_FIELD_TIME, text, norm) < 0)
			return ormc_ev_fail(e, ORMC_EINVALID, n->pos, n->end - n->pos,
			                    "day is out of range for month");
		if ((lit->str = ormc_arena_strdup(e->a, norm)) == NULL)
			return ormc_ev_oom(e);
		lit->len = strlen(norm);
		lit->vtype = kind == 1 ? ORMC_TYPE_DATE : kind == 2 ? ORMC_TYPE_DATETIME : ORMC_TYPE_TIME;
		*out = lit;
		return 1;
	}
}

/* Is s a time zone name as the tz database writes them ("Europe/Paris", "Etc/GMT+2")? */
static int
zone_name_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > 64)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '/' || s[i] == '_' || s[i] == '-' || s[i] == '+'))
			return 0;
	return 1;
}

int
ormc_tzinfo_arg(ev *e, const ormc_ast *a0, ormc_tz *out)
{
	const ormc_ast *a = ormc_ev_deref(e, a0);
	const char *fn;

	memset(out, 0, sizeof(*out));
	if (a->kind == ORMC_AST_NONE)
		return ORMC_OK;
	/* timezone.utc, datetime.timezone.utc */
	if (a->kind == ORMC_AST_ATTR && strcmp(a->str, "utc") == 0)
		return ORMC_OK;
	fn = a->kind == ORMC_AST_CALL ? ormc_callee_name(a->left) : NULL;
	if (fn != NULL && a->nargs == 1 && a->kw[0] == NULL &&
	    (strcmp(fn, "ZoneInfo") == 0 || strcmp(fn, "timezone") == 0 || strcmp(fn, "gettz") == 0)) {
		const ormc_ast *arg = ormc_ev_deref(e, a->args[0]);
		const ormc_ast *lit;
		int r;

		if (arg->kind == ORMC_AST_STR) {
			/* ZoneInfo("Europe/Paris"), pytz.timezone("Europe/Paris") */
			if (!zone_name_ok(arg->str))
				return ormc_ev_fail(e, ORMC_EINVALID, arg->pos, arg->end - arg->pos,
				                    "'%s' is not a time zone name (such as \"Europe/Paris\")", arg->str);
			if (strcmp(arg->str, "UTC") == 0 || strcmp(arg->str, "Etc/UTC") == 0 ||
			    strcmp(arg->str, "GMT") == 0 || strcmp(arg->str, "Etc/GMT") == 0 ||
			    strcmp(arg->str, "Zulu") == 0 || strcmp(arg->str, "Etc/Zulu") == 0)
				return ORMC_OK;
			out->name = arg->str;
			out->set = 1;
			return ORMC_OK;
		}
		/* datetime.timezone(timedelta(hours=2)): a fixed offset */
		if (strcmp(fn, "timezone") == 0 && (r = ormc_python_literal(e, arg, &lit)) != 0) {
			if (r < 0)
				return r;
			if (lit->vtype == ORMC_TYPE_DURATION) {
				if (lit->ival % 1000000 != 0 || lit->ival <= -86400000000LL || lit->ival >= 86400000000LL)
					return ormc_ev_fail(e, ORMC_EINVALID, arg->pos, arg->end - arg->pos,
					                    "offset must be a timedelta strictly between -timedelta(hours=24) "
					                    "and timedelta(hours=24), in whole seconds");
				out->offset = (int)(lit->ival / 1000000);
				out->set = out->offset != 0;
				return ORMC_OK;
			}
		}
	}
	return ormc_ev_fail(e, ORMC_EINVALID, a->pos, a->end - a->pos,
	                    "tzinfo= takes ZoneInfo(\"Area/City\"), pytz.timezone(\"Area/City\"), "
	                    "timezone.utc or timezone(timedelta(...))");
}

