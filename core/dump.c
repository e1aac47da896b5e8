/*
 * dump.c -- ormc_dump(): a schema's rows as Django's dumpdata JSON
 * (ormc/copy.h), the format ormc_fixture_load() reads.
 *
 *   [{"model": "shop.order", "pk": 1, "fields": {"customer": 1, ...,
 *     "tags": [1, 2]}}, ...]
 *
 * As Django's serializer writes it: models in declaration order, objects
 * in primary-key order, "fields" holding the model's concrete fields but
 * the key, in declaration order, then its many-to-many fields (those with
 * an auto-created table) as lists of target keys; foreign keys as the
 * target's key; objects separated by ", " and keys by ": ", all on one
 * line with no newline at the end, byte for byte what `manage.py dumpdata`
 * writes without --indent. Values as DjangoJSONEncoder
 * writes them with USE_TZ: integers, floats as Python's repr(), decimals
 * as strings, datetimes in UTC as "2026-01-05T10:00:00.123Z" (Django cuts
 * microseconds to milliseconds), times alike, durations as Django's
 * duration_string ("1 02:00:00"), UUIDs with hyphens. A NaN or infinite
 * float, which JSON cannot hold, is an error.
 *
 * Rows are read in keyset pages (WHERE pk > last ORDER BY pk LIMIT n):
 * each page's many-to-many rows are read after it, on the same connection,
 * with the page's first and last keys, and merged in, so at most a page of
 * objects is held. A page's rows are kept as their JSON text.
 */
#include "ormc/copy.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "error.h"
#include "scan.h"
#include "sqlbuf.h"

#define PAGE 1000

typedef struct dumper {
	ormc_db *db;
	const ormc_dump_options *o;
	const char *label;
	const ormc_schema *schema;
	ormc_error *err;
	int first;               /* no object written yet */
	char *page[PAGE];        /* the page's objects, without the m2m lists and "}}" */
	ormc_value pks[PAGE];    /* their keys as Django values (text in keytext) */
	ormc_sqlbuf keytext;
	size_t keyoff[PAGE];
	int n;
} dumper;

static int
no_memory(ormc_error *err)
{
	return ormc_error_set(err, ORMC_ENOMEM, NULL, -1, 0, "out of memory");
}

static int
emit(dumper *d, const char *s, size_t len)
{
	if (d->o->write(s, len, d->o->write_ctx) < 0)
		return ormc_error_set(d->err, ORMC_EIO, NULL, -1, 0,
		                      "writing the dump failed");
	return ORMC_OK;
}

/* A JSON string, escaped as Python's json.dumps(ensure_ascii=False). */
static void
json_str(ormc_sqlbuf *b, const char *s, size_t len)
{
	size_t k;

	ormc_sqlbuf_appendc(b, '"');
	for (k = 0; k < len; k++) {
		unsigned char c = (unsigned char)s[k];

		switch (c) {
		case '"': ormc_sqlbuf_append(b, "\\\""); break;
		case '\\': ormc_sqlbuf_append(b, "\\\\"); break;
		case '\n': ormc_sqlbuf_append(b, "\\n"); break;
		case '\r': ormc_sqlbuf_append(b, "\\r"); break;
		case '\t': ormc_sqlbuf_append(b, "\\t"); break;
		case '\b': ormc_sqlbuf_append(b, "\\b"); break;
		case '\f': ormc_sqlbuf_append(b, "\\f"); break;
		default:
			if (c < 0x20)
				ormc_sqlbuf_appendf(b, "\\u%04x", c);
			else
				ormc_sqlbuf_appendc(b, (char)c);
		}
	}
	ormc_sqlbuf_appendc(b, '"');
}

/* Python's repr() of a finite double: shortest digits, ".0", e+XX. */
static void
py_float(ormc_sqlbuf *b, double f)
{
	char tmp[40], digits[24];
	int p, nd = 0, exp, k;
	const char *e;

	for (p = 0; p < 17; p++) {
		snprintf(tmp, sizeof(tmp), "%.*e", p, f);
		if (strtod(tmp, NULL) == f)
			break;
	}
	e = strchr(tmp, 'e');
	exp = atoi(e + 1);
	for (k = tmp[0] == '-' ? 1 : 0; tmp + k < e; k++)
		if (isdigit((unsigned char)tmp[k]))
			digits[nd++] = tmp[k];
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	digits[nd] = '\0';
	if (signbit(f))
		ormc_sqlbuf_appendc(b, '-');
	if (exp >= -4 && exp < 16) {
		if (exp >= nd - 1) {
			ormc_sqlbuf_append(b, digits);
			for (k = nd - 1; k < exp; k++)
				ormc_sqlbuf_appendc(b, '0');
			ormc_sqlbuf_append(b, ".0");
		} else if (exp >= 0) {
			ormc_sqlbuf_appendn(b, digits, (size_t)exp + 1);
			ormc_sqlbuf_appendc(b, '.');
			ormc_sqlbuf_append(b, digits + exp + 1);
		} else {
			ormc_sqlbuf_append(b, "0.");
			for (k = 0; k < -exp - 1; k++)
				ormc_sqlbuf_appendc(b, '0');
			ormc_sqlbuf_append(b, digits);
		}
		return;
	}
	ormc_sqlbuf_appendc(b, digits[0]);
	if (nd > 1) {
		ormc_sqlbuf_appendc(b, '.');
		ormc_sqlbuf_append(b, digits + 1);
	}
	ormc_sqlbuf_appendf(b, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
}

/* "HH:MM:SS[.ffffff]" with the fraction cut to milliseconds. */
static void
clock_ms(ormc_sqlbuf *b, const char *s, size_t len)
{
	ormc_sqlbuf_appendn(b, s, len > 12 ? 12 : len);
}

/* Django's duration_string(): "[D ]HH:MM:SS[.ffffff]", days floored. */
static void
duration(ormc_sqlbuf *b, long long us)
{
	long long day = 86400000000LL, d = us / day, rest = us % day, s;

	if (rest < 0) {
		rest += day;
		d--;
	}
	s = rest / 1000000;
	ormc_sqlbuf_appendc(b, '"');
	if (d != 0)
		ormc_sqlbuf_appendf(b, "%lld ", d);
	ormc_sqlbuf_appendf(b, "%02lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
	if (rest % 1000000 != 0)
		ormc_sqlbuf_appendf(b, ".%06lld", rest % 1000000);
	ormc_sqlbuf_appendc(b, '"');
}

/*
 * A decimal as Python's str(Decimal) writes it, which is what
 * DjangoJSONEncoder writes: the plain text unless the adjusted exponent is
 * below -6, then scientific notation. Django quantizes a DecimalField to its
 * places, so a field of 7 or more places gives "0E-10" for zero and "-1E-10"
 * for -0.0000000001. s is ormc's plain decimal text ("-0.0000000001"); the
 * exponent of a quantized value is never positive.
 */
static void
py_decimal(ormc_sqlbuf *b, const char *s, size_t len)
{
	size_t i = 0, k, dot, first, ndig = 0, nfrac = 0;
	long adjusted;

	if (i < len && (s[i] == '-' || s[i] == '+'))
		i++;
	for (dot = i; dot < len && s[dot] != '.'; dot++)
		;
	if (dot < len)
		nfrac = len - dot - 1;
	/* the coefficient's first significant digit */
	for (first = i; first < len && (s[first] == '0' || s[first] == '.'); first++)
		;
	for (k = first; k < len; k++)
		if (isdigit((unsigned char)s[k]))
			ndig++;
	for (k = i; k < len; k++)
		if (!isdigit((unsigned char)s[k]) && k != dot) {
			json_str(b, s, len);   /* not plain decimal text: as it is */
			return;
		}
	if (ndig == 0)
		ndig = 1;      /* zero: the coefficient is "0" */
	adjusted = (long)ndig - 1 - (long)nfrac;
	if (adjusted >= -6) {
		json_str(b, s, len);
		return;
	}
	ormc_sqlbuf_appendc(b, '"');
	if (s[0] == '-')
		ormc_sqlbuf_appendc(b, '-');
	if (first == len) {
		ormc_sqlbuf_appendc(b, '0');
	} else {
		k = first;
		ormc_sqlbuf_appendc(b, s[k++]);   /* after the dot: no dot follows */
		if (k < len)
			ormc_sqlbuf_appendc(b, '.');
		ormc_sqlbuf_appendn(b, s + k, len - k);
	}
	ormc_sqlbuf_appendf(b, "E%ld\"", adjusted);
}

/*
 * A JSONField's value, canonical compact JSON (core/jsonbin.c), spaced as
 * Python's json.dumps() spaces it inside dumpdata: ", " and ": ".
 */
static void
json_spaced(ormc_sqlbuf *b, const char *s, size_t len)
{
	size_t i;
	int in_str = 0;

	for (i = 0; i < len; i++) {
		char ch = s[i];

		ormc_sqlbuf_appendc(b, ch);
		if (in_str) {
			if (ch == '\\' && i + 1 < len)
				ormc_sqlbuf_appendc(b, s[++i]);
			else if (ch == '"')
				in_str = 0;
		} else if (ch == '"') {
			in_str = 1;
		} else if (ch == ',' || ch == ':') {
			ormc_sqlbuf_appendc(b, ' ');
		}
	}
}

/* One Django value as DjangoJSONEncoder writes it. */
static int
json_value(dumper *d, ormc_sqlbuf *b, const ormc_scol *c, const ormc_value *v)
{
	char utc[40];
	ormc_value u;
	int rc;

	switch (v->type) {
	case ORMC_TYPE_NULL:
		ormc_sqlbuf_append(b, "null");
		return ORMC_OK;
	case ORMC_TYPE_INT:
		ormc_sqlbuf_appendf(b, "%lld", (long long)v->i);
		return ORMC_OK;
	case ORMC_TYPE_BOOL:
		ormc_sqlbuf_append(b, v->i ? "true" : "false");
		return ORMC_OK;
	case ORMC_TYPE_FLOAT:
		if (!isfinite(v->f))
			return ormc_error_set(d->err, ORMC_EINVALID, NULL, -1, 0,
			                      "column \"%s\" holds %s, which JSON cannot "
			                      "hold", c->name, isnan(v->f) ? "NaN"
			                      : "an infinity");
		py_float(b, v->f);
		return ORMC_OK;
	case ORMC_TYPE_DURATION:
		duration(b, (long long)v->i);
		return ORMC_OK;
	case ORMC_TYPE_DATETIME:
		/* naive UTC "YYYY-MM-DD HH:MM:SS[.ffffff]", then Django's form */
		rc = ormc_scan_param(d->db, c, v, &u, utc, sizeof(utc), d->err);
		if (rc < 0)
			return rc;
		ormc_sqlbuf_appendc(b, '"');
		ormc_sqlbuf_appendn(b, u.s, 10);
		ormc_sqlbuf_appendc(b, 'T');
		clock_ms(b, u.s + 11, u.len - 11);
		ormc_sqlbuf_append(b, "Z\"");
		return ORMC_OK;
	case ORMC_TYPE_TIME:
		ormc_sqlbuf_appendc(b, '"');
		clock_ms(b, v->s, v->len);
		ormc_sqlbuf_appendc(b, '"');
		return ORMC_OK;
	case ORMC_TYPE_DECIMAL:
		if (v->s != NULL) {
			py_decimal(b, v->s, v->len);
			return ORMC_OK;
		}
		json_str(b, "", 0);
		return ORMC_OK;
	default:   /* TEXT, DATE: their text; a JSONField's value as JSON */
		if (c->type.kind == ORMC_FIELD_JSON && v->type == ORMC_TYPE_TEXT && v->s != NULL)
			json_spaced(b, v->s, v->len);
		else
			json_str(b, v->s ? v->s : "", v->len);
		return ORMC_OK;
	}
}

/*
 * The app of a model's "app.model": its own (another file's label,
 * Meta.app_label) when it is not the schema's first label, else the
 * option's (the CLI's --app-label or the models file's directory).
 */
static const char *
model_label(const dumper *d, const ormc_model *m)
{
	const char *first = d->schema->app_label;

	if (m->app_label != NULL && (first == NULL || strcmp(m->app_label, first) != 0))
		return m->app_label;
	return d->label;
}

static void
drop_page(dumper *d)
{
	int i;

	for (i = 0; i < d->n; i++) {
		free(d->page[i]);
		d->page[i] = NULL;
	}
	d->n = 0;
	ormc_sqlbuf_reset(&d->keytext);
}

/* Do two keys (Django values of one column) match? */
static int
same_key(const ormc_value *a, const ormc_value *b)
{
	if (a->type != b->type)
		return 0;
	if (a->type == ORMC_TYPE_INT)
		return a->i == b->i;
	return a->len == b->len && (a->len == 0 || memcmp(a->s, b->s, a->len) == 0);
}

static int
keep_key(dumper *d, int i, const ormc_value *v)
{
	d->pks[i] = *v;
	if (v->type != ORMC_TYPE_INT && v->type != ORMC_TYPE_NULL) {
		d->keyoff[i] = d->keytext.len;
		ormc_sqlbuf_appendn(&d->keytext, v->s ? v->s : "", v->len);
		ormc_sqlbuf_appendc(&d->keytext, '\0');
	}
	return d->keytext.failed ? no_memory(d->err) : ORMC_OK;
}

/* Read one page of t after the key *after (NULL: from the start). */
static int
read_page(dumper *d, const ormc_stable *t, const ormc_value *after,
          char *bufs, int *more)
{
	const ormc_driver *drv = d->db->conn->driver;
	ormc_cursor *cur = NULL;
	const ormc_value *row;
	char *sql = ormc_scan_select(d->db, t, after != NULL, PAGE);
	int rc, i;

	*more = 0;
	if (sql == NULL)
		return no_memory(d->err);
	rc = ormc_db_query(d->db, sql, after, after != NULL, &cur, d->err);
	free(sql);
	if (rc == ORMC_OK && (cur == NULL || cur->ncols != t->ncols))
		rc = ormc_error_set(d->err, ORMC_EDRIVER, NULL, -1, 0,
		                    "reading \"%s\" gave no rows", t->name);
	while (rc == ORMC_OK && (rc = drv->next(cur, &row, d->err)) > 0) {
		ormc_sqlbuf b;
		int nf = 0;

		rc = ORMC_OK;
		ormc_sqlbuf_init(&b);
		ormc_sqlbuf_append(&b, "{\"model\": ");
		ormc_sqlbuf_appendf(&b, "\"%s.", model_label(d, t->model));
		for (i = 0; t->model->name[i]; i++)
			ormc_sqlbuf_appendc(&b, (char)tolower((unsigned char)t->model->name[i]));
		ormc_sqlbuf_append(&b, "\", \"pk\": ");
		for (i = 0; i < t->ncols && rc == ORMC_OK; i++) {
			const ormc_scol *c = &t->cols[i];
			char *buf = bufs + (size_t)i * 1024;
			ormc_value v;

			rc = ormc_scan_value(c, &row[i], &v, buf,
			                     c->room < 1024 ? c->room : 1024, d->err);
			if (rc < 0)
				break;
			if (i == t->pk) {
				rc = json_value(d, &b, c, &v);
				if (rc == ORMC_OK)
					rc = keep_key(d, d->n, &v);
				ormc_sqlbuf_append(&b, ", \"fields\": {");
				continue;
			}
			if (nf++ > 0)
				ormc_sqlbuf_append(&b, ", ");
			json_str(&b, c->field->name, strlen(c->field->name));
			ormc_sqlbuf_append(&b, ": ");
			rc = json_value(d, &b, c, &v);
		}
		if (rc == ORMC_OK && b.failed)
			rc = no_memory(d->err);
		if (rc < 0) {
			ormc_sqlbuf_free(&b);
			break;
		}
		d->page[d->n++] = ormc_sqlbuf_detach(&b);
	}
	if (cur != NULL)
		drv->close_cursor(cur);
	if (rc < 0)
		return rc;
	/* the text of the kept keys may have moved */
	for (i = 0; i < d->n; i++)
		if (d->pks[i].type != ORMC_TYPE_INT && d->pks[i].type != ORMC_TYPE_NULL)
			d->pks[i].s = d->keytext.data + d->keyoff[i];
	*more = d->n == PAGE;
	return ORMC_OK;
}

/* Add field f's list of keys to each object of the page. */
static int
add_m2m(dumper *d, const ormc_stable *mt, int nfields_before, char *bufs)
{
	const ormc_driver *drv = d->db->conn->driver;
	const ormc_field *f = mt->m2m;
	ormc_sqlbuf b, *lists = NULL;
	ormc_cursor *cur = NULL;
	const ormc_value *row;
	ormc_value range[2];
	int rc, i, at = 0;

	if (d->n == 0)
		return ORMC_OK;
	ormc_sqlbuf_init(&b);
	ormc_sqlbuf_append(&b, "SELECT ");
	ormc_scan_ident(d->db, &b, f->m2m_source_column);
	ormc_sqlbuf_append(&b, ", ");
	ormc_scan_ident(d->db, &b, f->m2m_target_column);
	ormc_sqlbuf_append(&b, " FROM ");
	ormc_scan_ident(d->db, &b, f->m2m_table);
	ormc_sqlbuf_append(&b, " WHERE ");
	ormc_scan_ident(d->db, &b, f->m2m_source_column);
	ormc_sqlbuf_append(&b, " >= ");
	if (d->db->dialect->placeholder)
		d->db->dialect->placeholder(&b, 1);
	else
		ormc_sqlbuf_appendc(&b, '?');
	ormc_sqlbuf_append(&b, " AND ");
	ormc_scan_ident(d->db, &b, f->m2m_source_column);
	ormc_sqlbuf_append(&b, " <= ");
	if (d->db->dialect->placeholder)
		d->db->dialect->placeholder(&b, 2);
	else
		ormc_sqlbuf_appendc(&b, '?');
	ormc_sqlbuf_append(&b, " ORDER BY 1, 2");
	lists = calloc((size_t)d->n, sizeof(*lists));
	if (b.failed || lists == NULL) {
		ormc_sqlbuf_free(&b);
		free(lists);
		return no_memory(d->err);
	}
	for (i = 0; i < d->n; i++) {
		ormc_sqlbuf_init(&lists[i]);
		ormc_sqlbuf_append(&lists[i], nfields_before > 0 ? ", " : "");
		json_str(&lists[i], f->name, strlen(f->name));
		ormc_sqlbuf_append(&lists[i], ": [");
	}
	/* the page's first and last keys, as the engine stores them */
	rc = ormc_scan_param(d->db, &mt->cols[1], &d->pks[0], &range[0], bufs,
	                     512, d->err);
	if (rc == ORMC_OK)
		rc = ormc_scan_param(d->db, &mt->cols[1], &d->pks[d->n - 1],
		                     &range[1], bufs + 512, 512, d->err);
	if (rc == ORMC_OK)
		rc = ormc_db_query(d->db, b.data, range, 2, &cur, d->err);
	ormc_sqlbuf_free(&b);
	while (rc == ORMC_OK && cur != NULL &&
	       (rc = drv->next(cur, &row, d->err)) > 0) {
		ormc_value src, dst;

		rc = ormc_scan_value(&mt->cols[1], &row[0], &src, bufs + 1024, 512,
		                     d->err);
		if (rc == ORMC_OK)
			rc = ormc_scan_value(&mt->cols[2], &row[1], &dst, bufs + 1536,
			                     512, d->err);
		while (rc == ORMC_OK && at < d->n && !same_key(&d->pks[at], &src))
			at++;
		if (rc == ORMC_OK && at == d->n)
			rc = ormc_error_set(d->err, ORMC_EINTERNAL, NULL, -1, 0,
			                    "table \"%s\": a row out of key order",
			                    f->m2m_table);
		if (rc == ORMC_OK) {
			size_t len = lists[at].len;

			if (lists[at].data[len - 1] != '[')
				ormc_sqlbuf_append(&lists[at], ", ");
			rc = json_value(d, &lists[at], &mt->cols[2], &dst);
		}
	}
	if (cur != NULL)
		drv->close_cursor(cur);
	for (i = 0; i < d->n; i++) {
		char *joined;
		size_t len;

		ormc_sqlbuf_appendc(&lists[i], ']');
		if (rc == ORMC_OK && lists[i].failed)
			rc = no_memory(d->err);
		if (rc == ORMC_OK) {
			len = strlen(d->page[i]);
			joined = realloc(d->page[i], len + lists[i].len + 1);
			if (joined == NULL) {
				rc = no_memory(d->err);
			} else {
				memcpy(joined + len, lists[i].data, lists[i].len + 1);
				d->page[i] = joined;
			}
		}
		ormc_sqlbuf_free(&lists[i]);
	}
	free(lists);
	return rc < 0 ? rc : ORMC_OK;
}

static int
write_page(dumper *d)
{
	int i, rc = ORMC_OK;

	for (i = 0; i < d->n && rc == ORMC_OK; i++) {
		if (!d->first)
			rc = emit(d, ", ", 2);
		d->first = 0;
		if (rc == ORMC_OK)
			rc = emit(d, d->page[i], strlen(d->page[i]));
		if (rc == ORMC_OK)
			rc = emit(d, "}}", 2);
	}
	return rc;
}

static int
wanted(const dumper *d, const ormc_model *m)
{
	int k;

	if (d->o->models == NULL)
		return 1;
	for (k = 0; k < d->o->nmodels; k++)
		if (ormc_name_equal_ci(d->o->models[k], m->name) ||
		    ormc_name_equal_ci(d->o->models[k], m->table))
			return 1;
	return 0;
}

static int
dump_model(dumper *d, const ormc_stable *t, const ormc_stable *all, int nall,
           char *bufs)
{
	ormc_value last;
	char lastbuf[1024];
	int rc, more = 1, first = 1, k, nf = t->ncols - 1;

	while (more) {
		rc = read_page(d, t, first ? NULL : &last, bufs, &more);
		first = 0;
		for (k = 0; rc == ORMC_OK && k < nall; k++)
			if (all[k].m2m != NULL && all[k].m2m->model == t->model) {
				rc = add_m2m(d, &all[k], nf, bufs);
				nf++;
			}
		if (rc == ORMC_OK)
			rc = write_page(d);
		if (rc == ORMC_OK && d->n > 0) {
			/* the last key, as the engine stores it, for the next page */
			rc = ormc_scan_param(d->db, &t->cols[t->pk], &d->pks[d->n - 1],
			                     &last, lastbuf, sizeof(lastbuf), d->err);
			if (rc == ORMC_OK && last.s != NULL && last.s != lastbuf &&
			    last.len < sizeof(lastbuf)) {
				memcpy(lastbuf, last.s, last.len);
				lastbuf[last.len] = '\0';
				last.s = lastbuf;
			}
		}
		drop_page(d);
		if (rc < 0)
			return rc;
		nf = t->ncols - 1;
	}
	return ORMC_OK;
}

int
ormc_dump(ormc_db *db, const ormc_schema *schema, const ormc_dump_options *opts,
          ormc_error *err)
{
	dumper d;
	ormc_error local;
	ormc_stable *t = NULL;
	char *bufs = NULL;
	int n = 0, i, k, rc;

	ormc_error_clear(err);
	if (db == NULL || schema == NULL || opts == NULL || opts->write == NULL ||
	    opts->version != ORMC_DUMP_OPTIONS_VERSION || opts->nmodels < 0)
		return ormc_error_set(err, ORMC_EINVALID, NULL, -1, 0,
		                      "ormc_dump needs a connection, a schema and a "
		                      "write function");
	memset(&d, 0, sizeof(d));
	d.db = db;
	d.o = opts;
	d.err = err != NULL ? err : &local;
	d.first = 1;
	d.schema = schema;
	d.label = opts->app_label ? opts->app_label
	          : schema->app_label ? schema->app_label : "app";
	ormc_sqlbuf_init(&d.keytext);
	for (k = 0; opts->models != NULL && k < opts->nmodels; k++) {
		for (i = 0; i < schema->nmodels; i++)
			if (ormc_name_equal_ci(opts->models[k], schema->models[i]->name) ||
			    ormc_name_equal_ci(opts->models[k], schema->models[i]->table))
				break;
		if (i == schema->nmodels)
			return ormc_error_set(d.err, ORMC_ENOFIELD, NULL, -1, 0,
			                      "no model '%s' in the models", opts->models[k]);
	}
	/* dumpdata reads unmanaged models too (a view's rows) */
	rc = ormc_scan_tables_with(schema, 1, &t, &n, d.err);
	if (rc < 0)
		return rc;
	bufs = malloc((size_t)64 * 1024 + 2048);
	if (bufs == NULL) {
		ormc_scan_free(t, n);
		return no_memory(d.err);
	}
	rc = emit(&d, "[", 1);
	/* models in declaration order, as dumpdata lists an app's models */
	for (i = 0; rc == ORMC_OK && i < schema->nmodels; i++) {
		const ormc_model *m = schema->models[i];

		if (!wanted(&d, m))
			continue;
		for (k = 0; k < n; k++)
			if (t[k].model == m)
				break;
		if (k == n)
			continue;   /* shares a table listed before */
		if (t[k].ncols > 64) {
			rc = ormc_error_set(d.err, ORMC_EUNSUPPORTED, NULL, -1, 0,
			                    "model %s has more than 64 columns", m->name);
			break;
		}
		rc = dump_model(&d, &t[k], t, n, bufs);
	}
	if (rc == ORMC_OK)
		rc = emit(&d, "]", 1);
	drop_page(&d);
	ormc_sqlbuf_free(&d.keytext);
	ormc_scan_free(t, n);
	free(bufs);
	return rc;
}
