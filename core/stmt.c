/*
 * stmt.c -- compiled statements (ormc_stmt), parameter sets (ormc_params),
 * and binding: the values of one execution, in placeholder order.
 *
 * A statement is one ormc_compiled plus what execution needs to know of the
 * query's named parameters (names and types), all copied into the
 * statement's arena, so it depends on nothing mutable and outlives its
 * query. Executing it converts each bound value to its parameter's type,
 * builds the placeholder values (a pattern lookup's parameter becomes its
 * LIKE or GLOB pattern here, escaped), and runs it through the
 * connection's prepared statement for it (db.c) or, without one, as text.
 */
#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "decimal.h"
#include "plan.h"
#include "error.h"
#include "query.h"
#include "result_int.h"
#include "ormc/stmt.h"

struct ormc_stmt {
	ormc_compiled c;
	uint64_t id;              /* unique in the process: the connections' cache key */
	const char **pnames;      /* c.arena: named parameters */
	ormc_type *ptypes;        /* their value types */
	ormc_otype *potypes;      /* their field types (a decimal's places) */
	unsigned char *pexact;    /* met as a value: a decimal must fit potypes' places */
	int np;
};

typedef struct pvalue {
	char *name;               /* malloc'd */
	ormc_value v;             /* text kinds: s malloc'd, NUL-terminated */
} pvalue;

struct ormc_params {
	pvalue *items;
	int n, cap;
};

static atomic_uint_fast64_t next_stmt_id = 1;

/* ---------------------------------------------------------------- patterns */

char *
ormc_pattern_make(ormc_pattern kind, int like, const char *s, size_t len, size_t *outlen)
{
	char *out = malloc(len * 3 + 3);
	size_t i, k = 0;
	int lead = like == ORMC_LIKE_CONTAINS || like == ORMC_LIKE_ENDSWITH;
	int trail = like == ORMC_LIKE_CONTAINS || like == ORMC_LIKE_STARTSWITH;

	assert(kind == ORMC_PATTERN_LIKE || kind == ORMC_PATTERN_ILIKE || kind == ORMC_PATTERN_GLOB);
	if (out == NULL)
		return NULL;
	if (lead)
		out[k++] = kind == ORMC_PATTERN_GLOB ? '*' : '%';
	for (i = 0; i < len; i++) {
		char c = s[i];

		if (kind == ORMC_PATTERN_ILIKE && c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');     /* ASCII only: the one folding every engine can do */
		if (kind != ORMC_PATTERN_GLOB) {
			if (c == '\\' || c == '%' || c == '_')
				out[k++] = '\\';
			out[k++] = c;
		} else if (c == '*' || c == '?' || c == '[') {
			out[k++] = '[';
			out[k++] = c;
			out[k++] = ']';
		} else {
			out[k++] = c;
		}
	}
	if (trail)
		out[k++] = kind == ORMC_PATTERN_GLOB ? '*' : '%';
	out[k] = '\0';
	*outlen = k;
	return out;
}

/* ---------------------------------------------------------------- statements */

/* Copy the text of every literal into the statement's arena: it may point into the query. */
static int
own_literals(ormc_compiled *c)
{
	int i;

	for (i = 0; i < c->nslots; i++) {
		ormc_value *v = &c->slots[i]->value;

		if (c->slots[i]->pnum < 0 && v->s != NULL &&
		    (v->s = ormc_arena_strndup(&c->arena, v->s, v->len)) == NULL)
			return -1;
	}
	for (i = 0; i < c->ncolumns; i++)
		if ((c->columns[i] = ormc_arena_strdup(&c->arena, c->columns[i])) == NULL)
			return -1;
	if (c->get_model != NULL && (c->get_model = ormc_arena_strdup(&c->arena, c->get_model)) == NULL)
		return -1;
	c->plan = NULL;            /* it points into the query */
	return 0;
}

int
ormc_stmt_prepare(ormc_stmt **out, const ormc_query *q, const char *dialect, int server_version,
                  ormc_error *err)
{
	ormc_stmt *st;
	int rc, i;

	if (out == NULL || q == NULL || dialect == NULL)
		return ormc_error_set(err, ORMC_EINVALID, NULL, -1, 0, "no query, dialect or output");
	*out = NULL;
	ormc_error_clear(err);
	st = calloc(1, sizeof(*st));
	if (st == NULL)
		return ormc_error_set(err, ORMC_ENOMEM, NULL, -1, 0, "out of memory");
	rc = ormc_compile(q, dialect, server_version, &st->c, err);
	if (rc < 0) {
		ormc_stmt_free(st);
		return rc;
	}
	st->np = q->nqparams;
	st->pnames = ormc_arena_alloc(&st->c.arena, sizeof(*st->pnames) * (size_t)(st->np + 1));
	st->ptypes = ormc_arena_alloc(&st->c.arena, sizeof(*st->ptypes) * (size_t)(st->np + 1));
	st->potypes = ormc_arena_alloc(&st->c.arena, sizeof(*st->potypes) * (size_t)(st->np + 1));
	st->pexact = ormc_arena_alloc(&st->c.arena, (size_t)(st->np + 1));
	for (i = 0; st->pnames && st->ptypes && st->potypes && st->pexact && i < st->np; i++) {
		st->pnames[i] = ormc_arena_strdup(&st->c.arena, q->qparams[i]->name);
		st->ptypes[i] = ormc_otype_value_type(&q->qparams[i]->type);
		st->potypes[i] = q->qparams[i]->type;
		st->pexact[i] = (unsigned char)q->qparams[i]->exact;
	}
	if (own_literals(&st->c) < 0 || st->c.arena.failed) {
		ormc_stmt_free(st);
		return ormc_error_set(err, ORMC_ENOMEM, NULL, -1, 0, "out of memory");
	}
	st->id = atomic_fetch_add(&next_stmt_id, 1);
	*out = st;
	return ORMC_OK;
}

int
ormc_stmt_prepare_for(ormc_stmt **out, const ormc_query *q, const ormc_db *db, ormc_error *err)
{
	if (out == NULL)
		return ormc_error_set(err, ORMC_EINVALID, NULL, -1, 0, "no output");
	*out = NULL;
	if (db == NULL || db->dialect == NULL)
		return ormc_error_set(err, ORMC_EINVALID, NULL, -1, 0, "no connection");
	return ormc_stmt_prepare(out, q, db->dialect->name, db->server_version, err);
}

void
ormc_stmt_free(ormc_stmt *st)
{
	if (st == NULL)
		return;
	ormc_compiled_free(&st->c);
	free(st);
}

const char *ormc_stmt_sql(const ormc_stmt *st) { return st ? st->c.sql : NULL; }
const char *ormc_stmt_dialect(const ormc_stmt *st) { return st ? st->c.dialect : NULL; }
int ormc_stmt_server_version(const ormc_stmt *st) { return st ? st->c.server_version : 0; }
int ormc_stmt_nparams(const ormc_stmt *st) { return st ? st->np : 0; }
ormc_shape ormc_stmt_shape(const ormc_stmt *st) { return st ? st->c.shape : ORMC_SHAPE_OBJECTS; }
int ormc_stmt_ncolumns(const ormc_stmt *st) { return st ? st->c.ncolumns : 0; }

const char *
ormc_stmt_param_name(const ormc_stmt *st, int i)
{
	return st && i >= 0 && i < st->np ? st->pnames[i] : NULL;
}

ormc_type
ormc_stmt_param_type(const ormc_stmt *st, int i)
{
	return st && i >= 0 && i < st->np ? st->ptypes[i] : ORMC_TYPE_NULL;
}

int
ormc_stmt_param_index(const ormc_stmt *st, const char *name)
{
	int i;

	for (i = 0; st != NULL && name != NULL && i < st->np; i++)
		if (strcmp(st->pnames[i], name) == 0)
			return i;
	return -1;
}

const char *
ormc_stmt_column(const ormc_stmt *st, int i)
{
	return st && i >= 0 && i < st->c.ncolumns ? st->c.columns[i] : NULL;
}

ormc_type
ormc_stmt_column_type(const ormc_stmt *st, int i)
{
	return st && i >= 0 && i < st->c.ncolumns ? ormc_otype_value_type(&st->c.coltypes[i])
	                                          : ORMC_TYPE_NULL;
}

const ormc_compiled *
ormc_stmt_compiled(const ormc_stmt *st)
{
	return &st->c;
}

uint64_t
ormc_stmt_id(const ormc_stmt *st)
{
	return st->id;
}

/* ---------------------------------------------------------------- parameter sets */

int
ormc_params_new(ormc_params **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? ORMC_OK : ORMC_ENOMEM;
}

void
ormc_params_clear(ormc_params *ps)
{
	int i;

	if (ps == NULL)
		return;
	for (i = 0; i < ps->n; i++) {
		free(ps->items[i].name);
		free((char *)ps->items[i].v.s);
	}
	ps->n = 0;
}

void
ormc_params_free(ormc_params *ps)
{
	if (ps == NULL)
		return;
	ormc_params_clear(ps);
	free(ps->items);
	free(ps);
}

int
ormc_params_count(const ormc_params *ps)
{
	return ps ? ps->n : 0;
}

const char *
ormc_params_name(const ormc_params *ps, int i)
{
	return ps != NULL && i >= 0 && i < ps->n ? ps->items[i].name : NULL;
}

static const pvalue *
params_find(const ormc_params *ps, const char *name)
{
	int i;

	for (i = 0; ps != NULL && i < ps->n; i++)
		if (strcmp(ps->items[i].name, name) == 0)
			return &ps->items[i];
	return NULL;
}

/* A Python identifier: what the query text can name. */
static int
valid_name(const char *name)
{
	const char *p = name;

	if (name == NULL || !(isalpha((unsigned char)*p) || *p == '_'))
		return 0;
	while (*++p)
		if (!(isalnum((unsigned char)*p) || *p == '_'))
			return 0;
	return 1;
}

/* Bind name to v, copying its text. */
static int
params_put(ormc_params *ps, const char *name, const ormc_value *v)
{
	pvalue *slot = (pvalue *)params_find(ps, name);
	char *s = NULL;

	if (ps == NULL || !valid_name(name))
		return ORMC_EPARAM;
	if (v->s != NULL) {
		if ((s = malloc(v->len + 1)) == NULL)
			return ORMC_ENOMEM;
		memcpy(s, v->s, v->len);
		s[v->len] = '\0';
	}
	if (slot == NULL) {
		if (ps->n == ps->cap) {
			int cap = ps->cap ? ps->cap * 2 : 8;
			pvalue *items = realloc(ps->items, sizeof(*items) * (size_t)cap);

			if (items == NULL) {
				free(s);
				return ORMC_ENOMEM;
			}
			ps->items = items;
			ps->cap = cap;
		}
		slot = &ps->items[ps->n];
		if ((slot->name = malloc(strlen(name) + 1)) == NULL) {
			free(s);
			return ORMC_ENOMEM;
		}
		strcpy(slot->name, name);
		ps->n++;
	} else {
		free((char *)slot->v.s);
	}
	slot->v = *v;
	slot->v.s = s;
	return ORMC_OK;
}

static int
put_text(ormc_params *ps, const char *name, ormc_type t, const char *s, size_t len)
{
	ormc_value v;

	memset(&v, 0, sizeof(v));
	v.type = t;
	v.s = s;
	v.len = len;
	return params_put(ps, name, &v);
}

/* A value of a kind held in i: NULL, INT, BOOL, DURATION. */
static int
put_int(ormc_params *ps, const char *name, ormc_type t, int64_t i)
{
	ormc_value v;

	memset(&v, 0, sizeof(v));
	v.type = t;
	v.i = i;
	return params_put(ps, name, &v);
}

int
ormc_params_set_null(ormc_params *ps, const char *name)
{
	return put_int(ps, name, ORMC_TYPE_NULL, 0);
}

int
ormc_params_set_int64(ormc_params *ps, const char *name, int64_t i)
{
	return put_int(ps, name, ORMC_TYPE_INT, i);
}

int
ormc_params_set_double(ormc_params *ps, const char *name, double f)
{
	ormc_value v;

	if (!isfinite(f))
		return ORMC_EPARAM;
	memset(&v, 0, sizeof(v));
	v.type = ORMC_TYPE_FLOAT;
	v.f = f;
	return params_put(ps, name, &v);
}

int
ormc_params_set_bool(ormc_params *ps, const char *name, int b)
{
	return put_int(ps, name, ORMC_TYPE_BOOL, b != 0);
}

int
ormc_params_set_text(ormc_params *ps, const char *name, const char *s, size_t len)
{
	if (s == NULL)
		return ORMC_EPARAM;
	return put_text(ps, name, ORMC_TYPE_TEXT, s, len == (size_t)-1 ? strlen(s) : len);
}

int
ormc_params_set_decimal(ormc_params *ps, const char *name, const char *digits)
{
	if (digits == NULL || !ormc_decimal_valid(digits, strlen(digits)))
		return ORMC_EPARAM;
	return put_text(ps, name, ORMC_TYPE_DECIMAL, digits, strlen(digits));
}

int
ormc_params_set_date(ormc_params *ps, const char *name, int y, int m, int d)
{
	char in[64], out[40];

	snprintf(in, sizeof(in), "%04d-%02d-%02d", y, m, d);
	if (y < 1 || y > 9999 || ormc_temporal_normalize(ORMC_FIELD_DATE, in, out) < 0)
		return ORMC_EPARAM;
	return put_text(ps, name, ORMC_TYPE_DATE, out, strlen(out));
}

int
ormc_params_set_datetime(ormc_params *ps, const char *name, int y, int mo, int d, int h, int mi,
                         int s, int us)
{
	char in[96], out[40];

	if (y < 1 || y > 9999 || us < 0 || us > 999999 || h < 0 || mi < 0 || s < 0)
		return ORMC_EPARAM;
	snprintf(in, sizeof(in), "%04d-%02d-%02d %02d:%02d:%02d.%06d", y, mo, d, h, mi, s, us);
	if (ormc_temporal_normalize(ORMC_FIELD_DATETIME, in, out) < 0)
		return ORMC_EPARAM;
	return put_text(ps, name, ORMC_TYPE_DATETIME, out, strlen(out));
}

int
ormc_params_set_time(ormc_params *ps, const char *name, int h, int mi, int s, int us)
{
	char in[64], out[40];

	if (us < 0 || us > 999999 || h < 0 || mi < 0 || s < 0)
		return ORMC_EPARAM;
	snprintf(in, sizeof(in), "%02d:%02d:%02d.%06d", h, mi, s, us);
	if (ormc_temporal_normalize(ORMC_FIELD_TIME, in, out) < 0)
		return ORMC_EPARAM;
	return put_text(ps, name, ORMC_TYPE_TIME, out, strlen(out));
}

int
ormc_params_set_duration(ormc_params *ps, const char *name, int64_t us)
{
	return put_int(ps, name, ORMC_TYPE_DURATION, us);
}

int
ormc_params_set_value(ormc_params *ps, const char *name, const ormc_value *v)
{
	if (v == NULL)
		return ORMC_EPARAM;
	switch (v->type) {
	case ORMC_TYPE_DECIMAL: case ORMC_TYPE_TEXT: case ORMC_TYPE_DATE:
	case ORMC_TYPE_DATETIME: case ORMC_TYPE_TIME:
		if (v->s == NULL)
			return ORMC_EPARAM;
		break;
	default:
		break;
	}
	return params_put(ps, name, v);
}

/* ---------------------------------------------------------------- binding */

/* ISO 8601 "[-]P[nD][T[nH][nM][n[.f]S]]" (Django's iso8601_duration_re, days and time). */
static int
parse_iso_duration(const char *s, int64_t *us)
{
	const char *p = s;
	int neg = 0, in_time = 0, any = 0;
	double total = 0;

	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	if (*p++ != 'P')
		return -1;
	while (*p) {
		char *end;
		double v;

		if (*p == 'T' && !in_time) {
			in_time = 1;
			p++;
			continue;
		}
		if (!isdigit((unsigned char)*p) && *p != '.')
			return -1;
		v = strtod(p, &end);
		if (end == p)
			return -1;
		p = end;
		switch (*p) {
		case 'D': if (in_time) return -1; total += v * 86400e6; break;
		case 'H': if (!in_time) return -1; total += v * 3600e6; break;
		case 'M': if (!in_time) return -1; total += v * 60e6; break;
		case 'S': if (!in_time) return -1; total += v * 1e6; break;
		default: return -1;
		}
		p++;
		any = 1;
	}
	if (!any || total > 9.2e18)
		return -1;
	*us = (int64_t)(total + 0.5);
	if (neg)
		*us = -*us;
	return 0;
}

/*
 * Django's parse_duration: the standard form "[D day[s], ][[H]H:]MM:SS[.ffffff]",
 * seconds alone, or ISO 8601 ("P1DT02H00M00S", what ormc prints). *us is
 * the total in microseconds.
 */
static int
parse_duration(const char *s, int64_t *us)
{
	if (*s == 'P' || ((*s == '-' || *s == '+') && s[1] == 'P'))
		return parse_iso_duration(s, us);
	long long days = 0, part[3] = { 0, 0, 0 };
	int nparts = 0, neg = 0, frac = 0, nfrac = 0;
	const char *p = s;
	char *end;

	errno = 0;
	if (strchr(s, ' ') != NULL) {
		days = strtoll(p, &end, 10);
		if (end == p || errno)
			return -1;
		p = end;
		if (*p++ != ' ')
			return -1;
		if (strncmp(p, "days, ", 6) == 0)
			p += 6;
		else if (strncmp(p, "day, ", 5) == 0)
			p += 5;
	}
	if (*p == '-') {
		neg = 1;
		p++;
	}
	for (;;) {
		if (!isdigit((unsigned char)*p) || nparts == 3)
			return -1;
		part[nparts++] = strtoll(p, &end, 10);
		if (errno)
			return -1;
		p = end;
		if (*p != ':')
			break;
		p++;
	}
	if (*p == '.' || *p == ',') {
		p++;
		while (isdigit((unsigned char)*p)) {
			if (nfrac < 6) {
				frac = frac * 10 + (*p - '0');
				nfrac++;
			}
			p++;
		}
		if (nfrac == 0)
			return -1;
		while (nfrac++ < 6)
			frac *= 10;
	}
	if (*p != '\0')
		return -1;
	{
		long long h = nparts == 3 ? part[0] : 0;
		long long m = nparts >= 2 ? part[nparts - 2] : 0;
		long long sec = part[nparts - 1];
		long long t;

		if (days > 106751991LL || days < -106751991LL || h > 2562047788LL || m > 153722867280LL ||
		    sec > 9223372036LL)
			return -1;
		t = ((h * 60 + m) * 60 + sec) * 1000000LL + frac;
		*us = days * 86400000000LL + (neg ? -t : t);
	}
	return 0;
}

/* s without leading and trailing blanks (in place: s is the arena's copy). */
static char *
trim(char *s)
{
	size_t n;

	while (isspace((unsigned char)*s))
		s++;
	n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

/* Is s[0..len) well-formed UTF-8 (no overlongs, no surrogates)? */
static int
utf8_valid(const unsigned char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		unsigned c = s[i];
		size_t n, k;
		unsigned long cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			n = 1, cp = c & 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			n = 2, cp = c & 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 3, cp = c & 0x07;
		else
			return 0;
		for (k = 1; k <= n; k++) {
			if (i + k >= len || (s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += n + 1;
	}
	return 1;
}

/* The most decimal places a value may have: MySQL's DECIMAL(65, 30) holds no more. */
#define MAX_PLACES 30

static int
bind_fail(ormc_error *err, const char *name, const char *fmt, const char *a, const char *b)
{
	char msg[300];

	snprintf(msg, sizeof(msg), fmt, a, b);
	return ormc_error_set(err, ORMC_EPARAM, NULL, -1, 0, "parameter '%s': %s", name, msg);
}

/* A NUL-terminated copy of a value's text in the arena. */
static const char *
text_of(ormc_arena *a, const ormc_value *v)
{
	return ormc_arena_strndup(a, v->s ? v->s : "", v->s ? v->len : 0);
}

/* How to give a parameter another type, for the messages that say it does not fit. */
#define RETYPE_HINT " (a parameter takes the type of what it meets; Value(%s, output_field=...) gives it another)"

/* The decimal text s in plain notation in a; its places and integer digits. */
static const char *
plain_decimal(ormc_arena *a, const char *s, int *places, int *idigits)
{
	char buf[512];
	const char *dot, *p;
	int n = ormc_decimal_quantize(s, strlen(s), -1, buf, sizeof(buf));

	if (n < 0)
		return NULL;
	dot = strchr(buf, '.');
	*places = dot ? (int)strlen(dot + 1) : 0;
	*idigits = 0;
	for (p = buf; *p && p != dot; p++)
		if (isdigit((unsigned char)*p) && (*idigits > 0 || *p != '0'))
			(*idigits)++;
	return ormc_arena_strdup(a, buf);
}

/*
 * v converted to parameter name's type t (ot its field type; exact: used as
 * a value, so a decimal must fit ot's places) into *out, text in a. The
 * conversions are those of a literal compared with a field (conditions.c),
 * as Django's get_prep_value makes them.
 */
static int
convert_param(ormc_arena *a, const char *name, ormc_type t, const ormc_otype *ot, int exact,
              const ormc_value *v, ormc_value *out, ormc_error *err)
{
	char *s;
	char *end;

	memset(out, 0, sizeof(*out));
	if (v->type == ORMC_TYPE_NULL)
		return ORMC_OK;
	out->type = t;
	s = v->s ? (char *)text_of(a, v) : NULL;
	if (v->s && s == NULL)
		return ormc_error_set(err, ORMC_ENOMEM, NULL, -1, 0, "out of memory");
	switch (t) {
	case ORMC_TYPE_TEXT:
		if (v->type != ORMC_TYPE_TEXT)
			return bind_fail(err, name, "expected text, got %s%s", ormc_type_name(v->type), "");
		if (!utf8_valid((const unsigned char *)s, v->len))
			return bind_fail(err, name, "the text is not valid UTF-8%s%s", "", "");
		out->s = s;
		out->len = v->len;
		return ORMC_OK;
	case ORMC_TYPE_INT:
		switch (v->type) {
		case ORMC_TYPE_INT:
			out->i = v->i;
			return ORMC_OK;
		case ORMC_TYPE_FLOAT:
			/* int(2.0) is 2; a fraction would be cut off silently: refused */
			if (v->f == floor(v->f) && fabs(v->f) < 9.2e18) {
				out->i = (int64_t)v->f;
				return ORMC_OK;
			}
			break;
		case ORMC_TYPE_TEXT:
		case ORMC_TYPE_DECIMAL: {
			char *t2 = trim(s);
			int places, idigits;
			const char *plain;

			errno = 0;
			out->i = strtoll(t2, &end, 10);
			if (end != t2 && *end == '\0' && errno == 0)
				return ORMC_OK;
			/* "2.00", "1e3": a whole number written as a decimal */
			if (v->type == ORMC_TYPE_DECIMAL &&
			    (plain = plain_decimal(a, t2, &places, &idigits)) != NULL) {
				const char *dot = strchr(plain, '.');

				if (dot == NULL || strspn(dot + 1, "0") == strlen(dot + 1)) {
					errno = 0;
					out->i = strtoll(plain, &end, 10);
					if (errno == 0 && (*end == '\0' || *end == '.'))
						return ORMC_OK;
				}
			}
			return ormc_error_set(err, ORMC_EPARAM, NULL, -1, 0,
			                      "parameter '%s': '%s' is not an integer" RETYPE_HINT,
			                      name, s, name);
		}
		default:
			break;
		}
		return ormc_error_set(err, ORMC_EPARAM, NULL, -1, 0,
		                      "parameter '%s': expected an integer, got %s" RETYPE_HINT,
		                      name, v->type == ORMC_TYPE_FLOAT ? "a number with a fraction"
		                                                       : ormc_type_name(v->type), name);
	case ORMC_TYPE_FLOAT:
		if (v->type == ORMC_TYPE_FLOAT || v->type == ORMC_TYPE_INT) {
			out->f = v->type == ORMC_TYPE_FLOAT ? v->f : (double)v->i;
			return ORMC_OK;
		}
		if (v->type == ORMC_TYPE_TEXT || v->type == ORMC_TYPE_DECIMAL) {
			char *t2 = trim(s);

			out->f = strtod(t2, &end);   /* an underflow is 0 or a subnormal, as in Python */
			if (end != t2 && *end == '\0' && isfinite(out->f))
				return ORMC_OK;
			return bind_fail(err, name, "'%s' is not a finite number%s", s, "");
		}
		return bind_fail(err, name, "expected a number, got %s%s", ormc_type_name(v->type), "");
	case ORMC_TYPE_DECIMAL: {
		int places, idigits;

		if (v->type == ORMC_TYPE_INT) {
			s = ormc_arena_printf(a, "%lld", (long long)v->i);
		} else if (v->type == ORMC_TYPE_FLOAT) {
			if (!isfinite(v->f))
				return bind_fail(err, name, "a decimal cannot be infinite or NaN%s%s", "", "");
			s = ormc_arena_printf(a, "%.15g", v->f);
		} else if (v->type == ORMC_TYPE_DECIMAL || v->type == ORMC_TYPE_TEXT) {
			s = trim(s);
			if (!ormc_decimal_valid(s, strlen(s)))
				return bind_fail(err, name, "'%s' is not a decimal number%s", s, "");
		} else {
			return bind_fail(err, name, "expected a decimal, got %s%s", ormc_type_name(v->type), "");
		}
		if (s == NULL || (out->s = plain_decimal(a, s, &places, &idigits)) == NULL)
			return bind_fail(err, name, "'%s' is not a decimal number ormc can hold%s", s ? s : "", "");
		if (places > MAX_PLACES)
			return ormc_error_set(err, ORMC_EPARAM, NULL, -1, 0,
			                      "parameter '%s': %s has more than %d decimal places "
			                      "(the most MySQL holds; ormc allows no more anywhere)",
			                      name, s, MAX_PLACES);
		if (exact && ot->decimal_places >= 0 && places > ot->decimal_places)
			return ormc_error_set(err, ORMC_EPARAM, NULL, -1, 0,
			                      "parameter '%s': %s has more than %d decimal places, the places of "
			                      "the DecimalField it meets, so the answer would be rounded"
			                      RETYPE_HINT, name, s, ot->decimal_places, name);
		if (exact && ot->max_digits > 0 && ot->decimal_places >= 0 &&
		    idigits > ot->max_digits - ot->decimal_places)
			return ormc_error_set(err, ORMC_EPARAM, NULL, -1, 0,
			                      "parameter '%s': %s has more than %d digits before the point, "
			                      "the most the DecimalField it meets holds" RETYPE_HINT,
			                      name, s, ot->max_digits - ot->decimal_places, name);
		out->len = strlen(out->s);
		return ORMC_OK;
	}
	case ORMC_TYPE_BOOL:
		if (v->type == ORMC_TYPE_BOOL) {
			out->i = v->i != 0;
			return ORMC_OK;
		}
		if (v->type == ORMC_TYPE_INT && (v->i == 0 || v->i == 1)) {
			out->i = v->i;
			return ORMC_OK;
		}
		if (v->type == ORMC_TYPE_TEXT) {
			s = trim(s);
			/* Django's BooleanField.to_python */
			if (strcmp(s, "true") == 0 || strcmp(s, "True") == 0 || strcmp(s, "t") == 0 ||
			    strcmp(s, "1") == 0) {
				out->i = 1;
				return ORMC_OK;
			}
			if (strcmp(s, "false") == 0 || strcmp(s, "False") == 0 || strcmp(s, "f") == 0 ||
			    strcmp(s, "0") == 0) {
				out->i = 0;
				return ORMC_OK;
			}
			return bind_fail(err, name, "\u201c%s\u201d value must be either True or False%s", s, "");
		}
		return bind_fail(err, name, "expected a boolean, got %s%s", ormc_type_name(v->type), "");
	case ORMC_TYPE_DATE:
	case ORMC_TYPE_DATETIME:
	case ORMC_TYPE_TIME: {
		ormc_field_kind k = t == ORMC_TYPE_DATE ? ORMC_FIELD_DATE
		                  : t == ORMC_TYPE_TIME ? ORMC_FIELD_TIME : ORMC_FIELD_DATETIME;
		char *norm = ormc_arena_alloc(a, 40);

		if (norm == NULL)
			return ormc_error_set(err, ORMC_ENOMEM, NULL, -1, 0, "out of memory");
		if (!(v->type == t || v->type == ORMC_TYPE_TEXT ||
		      (t == ORMC_TYPE_DATETIME && v->type == ORMC_TYPE_DATE)))
			return bind_fail(err, name, "expected %s, got %s", ormc_type_name(t), ormc_type_name(v->type));
		s = trim(s);
		if (strlen(s) > 64 || ormc_temporal_normalize(k, s, norm) < 0)
			return bind_fail(err, name, t == ORMC_TYPE_DATE
			                 ? "\u201c%s\u201d is not a date (YYYY-MM-DD)%s"
			                 : t == ORMC_TYPE_TIME ? "\u201c%s\u201d is not a time (HH:MM[:ss[.uuuuuu]])%s"
			                 : "\u201c%s\u201d is not a date and time (YYYY-MM-DD HH:MM[:ss[.uuuuuu]], "
			                   "in UTC: no other offset)%s",
			                 s, "");
		out->s = norm;
		out->len = strlen(norm);
		return ORMC_OK;
	}
	case ORMC_TYPE_DURATION:
		if (v->type == ORMC_TYPE_DURATION) {
			out->i = v->i;
			return ORMC_OK;
		}
		if (v->type == ORMC_TYPE_TEXT && parse_duration(trim(s), &out->i) == 0)
			return ORMC_OK;
		if (v->type == ORMC_TYPE_TEXT)
			return bind_fail(err, name, "\u201c%s\u201d is not a duration ([DD] [[HH:]MM:]ss[.uuuuuu] "
			                 "or ISO 8601 P...)%s", s, "");
		return bind_fail(err, name, "expected a duration, got %s%s", ormc_type_name(v->type), "");
	default:
		break;
	}
	return ormc_error_set(err, ORMC_EINTERNAL, NULL, -1, 0,
	                      "internal error: parameter '%s' has no type", name);
}

int
ormc_stmt_bind(const ormc_stmt *st, const ormc_params *ps, ormc_arena *a, ormc_value **out,
               ormc_error *err)
{
	const ormc_compiled *c = &st->c;
	ormc_value *pv = NULL, *vals;
	int i, rc;

	*out = NULL;
	if (st->np > 0) {
		pv = ormc_arena_alloc(a, sizeof(*pv) * (size_t)st->np);
		if (pv == NULL)
			return ormc_error_set(err, ORMC_ENOMEM, NULL, -1, 0, "out of memory");
	}
	for (i = 0; i < st->np; i++) {
		const pvalue *v = params_find(ps, st->pnames[i]);

		if (v == NULL)
			return ormc_error_set(err, ORMC_EPARAM, NULL, -1, 0,
			                      "parameter '%s' is not bound", st->pnames[i]);
		if ((rc = convert_param(a, st->pnames[i], st->ptypes[i], &st->potypes[i], st->pexact[i],
		                        &v->v, &pv[i], err)) < 0)
			return rc;
	}
	vals = ormc_arena_alloc(a, sizeof(*vals) * (size_t)(c->nslots + 1));
	if (vals == NULL)
		return ormc_error_set(err, ORMC_ENOMEM, NULL, -1, 0, "out of memory");
	for (i = 0; i < c->nslots; i++) {
		const ormc_pslot *slot = c->slots[i];

		if (slot->pnum < 0) {
			vals[i] = slot->value;
			continue;
		}
		assert(slot->pnum < st->np);
		vals[i] = pv[slot->pnum];
		if (vals[i].type == ORMC_TYPE_TEXT && slot->pattern != ORMC_PATTERN_NONE) {
			size_t n;
			char *pat = ormc_pattern_make(slot->pattern, slot->like, vals[i].s, vals[i].len, &n);

			if (pat == NULL || (vals[i].s = ormc_arena_strndup(a, pat, n)) == NULL) {
				free(pat);
				return ormc_error_set(err, ORMC_ENOMEM, NULL, -1, 0, "out of memory");
			}
			free(pat);
			vals[i].len = n;
		} else if (vals[i].type != ORMC_TYPE_NULL && vals[i].type != slot->value.type) {
			/* a parameter met by two types: the slot's own (a pattern's text) wins */
			return ormc_error_set(err, ORMC_EINTERNAL, NULL, -1, 0,
			                      "internal error: parameter '%s' is bound as %s where %s is expected",
			                      st->pnames[slot->pnum], ormc_type_name(vals[i].type),
			                      ormc_type_name(slot->value.type));
		}
	}
	*out = vals;
	return a->failed ? ormc_error_set(err, ORMC_ENOMEM, NULL, -1, 0, "out of memory") : ORMC_OK;
}

int
ormc_stmt_check_params(const ormc_stmt *st, const ormc_params *ps, ormc_error *err)
{
	ormc_arena a;
	ormc_value *vals;
	int rc;

	ormc_error_clear(err);
	if (st == NULL)
		return ormc_error_set(err, ORMC_EINVALID, NULL, -1, 0, "no statement");
	ormc_arena_init(&a);
	rc = ormc_stmt_bind(st, ps, &a, &vals, err);
	ormc_arena_free(&a);
	return rc;
}

int
ormc_stmt_execute(ormc_result **out, const ormc_stmt *st, ormc_db *db, const ormc_params *ps,
                  ormc_error *err)
{
	ormc_arena a;
	ormc_value *vals;
	int rc;

	if (out == NULL)
		return ormc_error_set(err, ORMC_EINVALID, NULL, -1, 0, "no output");
	*out = NULL;
	ormc_error_clear(err);
	if (db == NULL || st == NULL)
		return ormc_error_set(err, ORMC_EINVALID, NULL, -1, 0, "no statement or no connection");
	if (strcmp(db->dialect->name, st->c.dialect) != 0)
		return ormc_error_set(err, ORMC_EINVALID, NULL, -1, 0,
		                      "the statement was compiled for %s, the connection speaks %s",
		                      st->c.dialect, db->dialect->name);
	ormc_arena_init(&a);
	rc = ormc_stmt_bind(st, ps, &a, &vals, err);
	if (rc == ORMC_OK)
		rc = ormc_result_open(out, db, st, st->id, vals, NULL, err);
	ormc_arena_free(&a);
	return rc;
}
