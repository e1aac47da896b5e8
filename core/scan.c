/*
 * scan.c -- a schema's tables as copy and dump read and write them (scan.h).
 *
 * The order is the one migrate creates tables in (core/ddl.c): depth first,
 * the targets of a model's foreign keys before the model, models in their
 * declaration order otherwise; a self-reference does not count. Then the
 * M2M tables Django creates by itself, in the order of their fields; a
 * ManyToManyField with an explicit through model has no table of its own
 * (the through model's table is a model table), and a table already listed
 * is not listed twice.
 */
#include "scan.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "error.h"

static int
is_fk(const ormc_field *f)
{
	return f->kind == ORMC_FIELD_FOREIGNKEY || f->kind == ORMC_FIELD_ONETOONE;
}

static int
is_auto(ormc_field_kind k)
{
	return k == ORMC_FIELD_AUTO || k == ORMC_FIELD_BIGAUTO ||
	       k == ORMC_FIELD_SMALLAUTO;
}

static void
set_col(ormc_scol *c, const char *name, const ormc_field *decl,
        const ormc_field *vf)
{
	c->name = name;
	c->field = decl;
	c->type = ormc_otype_of(vf ? vf->kind : ORMC_FIELD_INTEGER, vf ? vf->max_digits : -1,
	                        vf ? vf->decimal_places : -1);
	if (is_auto(c->type.kind))
		c->type.kind = ORMC_FIELD_BIGINTEGER;
	/* a decimal's digits, its places' padding, a float's expansion */
	c->room = 96;
	if (c->type.kind == ORMC_FIELD_DECIMAL)
		c->room += 480 + (size_t)(c->type.max_digits > 0 ? c->type.max_digits : 0) +
		           (size_t)(c->type.decimal_places > 0 ? c->type.decimal_places : 0);
	/* canonical JSON text, a binary value's base64 then bytes: up to 16 MiB, else an error */
	if (c->type.kind == ORMC_FIELD_JSON || c->type.kind == ORMC_FIELD_BINARY)
		c->room = (size_t)16 << 20;
}

static int
model_table(ormc_stable *t, const ormc_model *m)
{
	int k, n = 0;

	t->name = m->table;
	t->model = m;
	t->pk = -1;
	t->cols = calloc((size_t)m->nfields + 1, sizeof(*t->cols));
	if (t->cols == NULL)
		return ORMC_ENOMEM;
	for (k = 0; k < m->nfields; k++) {
		const ormc_field *f = m->fields[k];

		if (!ormc_field_is_concrete(f))
			continue;
		if (f == m->pk) {
			t->pk = n;
			t->auto_pk = is_auto(f->kind);
		}
		set_col(&t->cols[n], f->column, f, ormc_field_value_field(f));
		if (is_fk(f))
			t->cols[n].refers = f->target;
		n++;
	}
	t->ncols = n;
	return ORMC_OK;
}

static int
m2m_table(ormc_stable *t, const ormc_field *f)
{
	t->name = f->m2m_table;
	t->m2m = f;
	t->cols = calloc(3, sizeof(*t->cols));
	if (t->cols == NULL)
		return ORMC_ENOMEM;
	set_col(&t->cols[0], "id", NULL, NULL);
	set_col(&t->cols[1], f->m2m_source_column, NULL, ormc_field_value_field(f->model->pk));
	set_col(&t->cols[2], f->m2m_target_column, NULL, ormc_field_value_field(f));
	t->cols[1].refers = f->model;
	t->cols[2].refers = f->target;
	t->ncols = 3;
	t->pk = 0;
	t->auto_pk = 1;
	return ORMC_OK;
}

static int
listed(const ormc_stable *t, int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(t[i].name, name) == 0)
			return 1;
	return 0;
}

/* Is name the table of a model (an explicit through model's, say)? */
static int
model_table_name(const ormc_schema *s, const char *name)
{
	int i;

	for (i = 0; i < s->nmodels; i++)
		if (strcmp(s->models[i]->table, name) == 0)
			return 1;
	return 0;
}

int
ormc_scan_tables(const ormc_schema *s, ormc_stable **out, int *nout,
                 ormc_error *err)
{
	return ormc_scan_tables_with(s, 0, out, nout, err);
}

int
ormc_scan_tables_with(const ormc_schema *s, int unmanaged, ormc_stable **out,
                      int *nout, ormc_error *err)
{
	ormc_stable *t = NULL;
	int *order = NULL;
	int i, k, n = 0, norder = 0, cap, rc = ORMC_OK;

	*out = NULL;
	*nout = 0;
	cap = s->nmodels;
	for (i = 0; i < s->nmodels; i++)
		cap += s->models[i]->nfields;
	t = calloc((size_t)cap + 1, sizeof(*t));
	order = calloc((size_t)s->nmodels + 1, sizeof(*order));
	if (t == NULL || order == NULL) {
		rc = ORMC_ENOMEM;
		goto done;
	}
	norder = ormc_schema_fk_order(s, order);
	for (i = 0; i < norder && rc == ORMC_OK; i++) {
		const ormc_model *m = s->models[order[i]];

		if (listed(t, n, m->table) || (m->unmanaged && !unmanaged))
			continue;
		rc = model_table(&t[n], m);
		if (rc == ORMC_OK && t[n].pk < 0) {
			free(t[n].cols);
			rc = ormc_error_set(err, ORMC_EUNSUPPORTED, NULL, -1, 0,
			                    "model %s has no primary key column", m->name);
			goto done;
		}
		n++;
	}
	for (i = 0; i < s->nmodels && rc == ORMC_OK; i++) {
		const ormc_model *m = s->models[i];

		for (k = 0; k < m->nfields && rc == ORMC_OK; k++) {
			const ormc_field *f = m->fields[k];

			if (f->kind != ORMC_FIELD_MANYTOMANY || f->m2m_table == NULL ||
			    f->m2m_source_column == NULL ||
			    f->m2m_target_column == NULL || listed(t, n, f->m2m_table) ||
			    model_table_name(s, f->m2m_table) ||
			    (!unmanaged && m->unmanaged && f->target->unmanaged))
				continue;
			rc = m2m_table(&t[n], f);
			if (rc == ORMC_OK)
				n++;
		}
	}
done:
	free(order);
	if (rc < 0) {
		ormc_scan_free(t, n);
		return rc == ORMC_ENOMEM
		       ? ormc_error_set(err, ORMC_ENOMEM, NULL, -1, 0, "out of memory")
		       : rc;
	}
	*out = t;
	*nout = n;
	return ORMC_OK;
}

void
ormc_scan_free(ormc_stable *t, int n)
{
	int i;

	if (t == NULL)
		return;
	for (i = 0; i < n; i++)
		free(t[i].cols);
	free(t);
}

void
ormc_scan_ident(const ormc_db *db, ormc_sqlbuf *b, const char *name)
{
	db->dialect->quote_ident(b, name);
}

char *
ormc_scan_select(const ormc_db *db, const ormc_stable *t, int after, long limit)
{
	ormc_sqlbuf b;
	int i;

	ormc_sqlbuf_init(&b);
	ormc_sqlbuf_append(&b, "SELECT ");
	for (i = 0; i < t->ncols; i++) {
		int pg = strcmp(db->dialect->name, "postgresql") == 0;
		int lite = strcmp(db->dialect->name, "sqlite") == 0;

		if (i > 0)
			ormc_sqlbuf_append(&b, ", ");
		if (t->cols[i].type.kind != ORMC_FIELD_BINARY) {
			ormc_scan_ident(db, &b, t->cols[i].name);
			continue;
		}
		/* binary as hex digits, as a query's SELECT reads it (dialects/render.c) */
		if (lite) {
			ormc_sqlbuf_append(&b, "CASE WHEN ");
			ormc_scan_ident(db, &b, t->cols[i].name);
			ormc_sqlbuf_append(&b, " IS NULL THEN NULL ELSE hex(");
		} else {
			ormc_sqlbuf_append(&b, pg ? "encode(" : "hex(");
		}
		ormc_scan_ident(db, &b, t->cols[i].name);
		ormc_sqlbuf_append(&b, lite ? ") END" : pg ? ", 'hex')" : ")");
	}
	ormc_sqlbuf_append(&b, " FROM ");
	ormc_scan_ident(db, &b, t->name);
	if (after) {
		ormc_sqlbuf_append(&b, " WHERE ");
		ormc_scan_ident(db, &b, t->cols[t->pk].name);
		ormc_sqlbuf_append(&b, " > ");
		db->dialect->placeholder(&b, 1);
	}
	ormc_sqlbuf_append(&b, " ORDER BY ");
	ormc_scan_ident(db, &b, t->cols[t->pk].name);
	if (limit > 0)
		ormc_sqlbuf_appendf(&b, " LIMIT %ld", limit);
	if (b.failed) {
		ormc_sqlbuf_free(&b);
		return NULL;
	}
	return ormc_sqlbuf_detach(&b);
}

char *
ormc_scan_count_sql(const ormc_db *db, const char *table)
{
	ormc_sqlbuf b;

	ormc_sqlbuf_init(&b);
	ormc_sqlbuf_append(&b, "SELECT COUNT(*) FROM ");
	ormc_scan_ident(db, &b, table);
	if (b.failed) {
		ormc_sqlbuf_free(&b);
		return NULL;
	}
	return ormc_sqlbuf_detach(&b);
}

int
ormc_scan_value(const ormc_scol *c, const ormc_value *raw, ormc_value *out,
                char *buf, size_t n, ormc_error *err)
{
	if (c->type.kind == ORMC_FIELD_FLOAT && raw->type != ORMC_TYPE_NULL) {
		/* exactly as stored: ormc_convert() rounds to 15 digits */
		memset(out, 0, sizeof(*out));
		out->type = ORMC_TYPE_FLOAT;
		if (raw->type == ORMC_TYPE_FLOAT) {
			out->f = raw->f;
			return ORMC_OK;
		}
		if (raw->type == ORMC_TYPE_INT) {
			out->f = (double)raw->i;
			return ORMC_OK;
		}
		if ((raw->type == ORMC_TYPE_TEXT || raw->type == ORMC_TYPE_DECIMAL) &&
		    raw->s != NULL && raw->len < n) {
			char *end;

			memcpy(buf, raw->s, raw->len);
			buf[raw->len] = '\0';
			out->f = strtod(buf, &end);
			if (end != buf && *end == '\0')
				return ORMC_OK;
		}
		return ormc_error_set(err, ORMC_EINVALID, NULL, -1, 0,
		                      "column \"%s\": a value that is not a number",
		                      c->name);
	}
	return ormc_convert(raw, &c->type, out, buf, n, err);
}

/* A datetime as naive UTC "YYYY-MM-DD HH:MM:SS[.ffffff]", as Django stores it. */
static int
naive_utc(const ormc_scol *c, const ormc_value *v, ormc_value *out, char *buf,
          size_t n, ormc_error *err)
{
	int r = ormc_datetime_naive_utc(v->s, v->len, buf, n);

	if (r < 0)
		return ormc_error_set(err, ORMC_EINVALID, NULL, -1, 0,
		                      "column \"%s\": \"%.*s\" is not a datetime in range",
		                      c->name, (int)(v->len > 64 ? 64 : v->len), v->s);
	memset(out, 0, sizeof(*out));
	out->type = ORMC_TYPE_DATETIME;
	out->s = buf;
	out->len = (size_t)r;
	return ORMC_OK;
}

int
ormc_sqlite_keeps_decimal(const char *s, size_t len)
{
	size_t i = 0, first, last, dot = len, sig = 0, intdigits = 0, k;
	int frac = 0;

	if (i < len && (s[i] == '-' || s[i] == '+'))
		i++;
	for (k = i; k < len; k++)
		if (s[k] == '.')
			dot = k;
	last = len;
	if (dot < len)
		while (last > dot + 1 && s[last - 1] == '0')
			last--;
	if (dot < len && last > dot + 1)
		frac = 1;
	if (dot < len && last == dot + 1)
		last = dot;     /* an integer: "12.000" */
	for (first = i; first < last && (s[first] == '0' || s[first] == '.'); first++)
		;
	for (k = first; k < last; k++)
		if (s[k] != '.') {
			sig++;
			if (k < dot)
				intdigits++;
		}
	if (!frac && intdigits == 19)   /* within a 64-bit integer? */
		return strncmp(s + first, s[0] == '-' ? "9223372036854775808"
		               : "9223372036854775807", 19) <= 0;
	if (!frac)
		return intdigits < 19;
	return sig <= 15;
}

int
ormc_scan_param(const ormc_db *target, const ormc_scol *c, const ormc_value *v,
                ormc_value *out, char *buf, size_t n, ormc_error *err)
{
	size_t k;

	if (v->type == ORMC_TYPE_NULL) {
		*out = *v;
		return ORMC_OK;
	}
	if (c->type.kind == ORMC_FIELD_DATETIME)
		return naive_utc(c, v, out, buf, n, err);
	if (v->type == ORMC_TYPE_DECIMAL && v->s != NULL &&
	    strcmp(target->dialect->name, "sqlite") == 0 &&
	    !ormc_sqlite_keeps_decimal(v->s, v->len))
		return ormc_error_set(err, ORMC_EINVALID, NULL, -1, 0,
		                      "column \"%s\": %.*s has more significant digits than SQLite keeps (15: its decimal columns hold floating-point numbers), so SQLite would store another number",
		                      c->name, (int)v->len, v->s);
	if (c->type.kind == ORMC_FIELD_BINARY && v->type == ORMC_TYPE_TEXT) {
		/* the value's base64 to the bytes stored: \x and hex digits for bytea */
		int pg = strcmp(target->dialect->name, "postgresql") == 0;
		unsigned char *bytes = (unsigned char *)buf + (pg ? n / 2 : 0);
		size_t nb;

		if (v->len / 4 * 3 + 3 > (pg ? n / 2 : n) ||
		    ormc_base64_decode(v->s, v->len, bytes, &nb) < 0)
			return ormc_error_set(err, ORMC_EINVALID, NULL, -1, 0,
			                      "column \"%s\": a binary value too long or not base64", c->name);
		*out = *v;
		if (pg) {
			if (2 * nb + 3 > n / 2)
				return ormc_error_set(err, ORMC_EINVALID, NULL, -1, 0,
				                      "column \"%s\": a binary value too long", c->name);
			buf[0] = '\\';
			buf[1] = 'x';
			ormc_hex_encode(bytes, nb, buf + 2);
			out->s = buf;
			out->len = 2 + 2 * nb;
		} else {
			out->s = (const char *)bytes;
			out->len = nb;
		}
		return ORMC_OK;
	}
	if (c->type.kind == ORMC_FIELD_UUID &&
	    strcmp(target->dialect->name, "postgresql") != 0) {
		/* Django's char(32) storage: hex digits only */
		assert(n > 32);
		*out = *v;
		out->len = 0;
		for (k = 0; k < v->len && out->len < n - 1; k++)
			if (v->s[k] != '-')
				buf[out->len++] = v->s[k];
		buf[out->len] = '\0';
		out->s = buf;
		return ORMC_OK;
	}
	*out = *v;
	return ORMC_OK;
}
