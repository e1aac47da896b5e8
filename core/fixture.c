/*
 * fixture.c -- load a Django fixture (dumpdata JSON) into a database.
 *
 *   [{"model": "bookstore.book", "pk": 1,
 *     "fields": {"name": "...", "publisher": 2, "authors": [1, 2],
 *                "price": "9.99", "pubdate": "2007-12-06", "rating": 4.5}}]
 *
 * Objects are loaded in the file's order, all in one transaction: the
 * first error rolls everything back and is reported with the object's
 * 1-based position and model label ("fixture object 3 (bookstore.book):
 * unknown field 'titel'"). They are read (fixture_read.c) and written a
 * batch of ORMC_FIXTURE_BATCH at a time: the keys the batch's objects give
 * are looked up first (fixture_keys.c), a new row waits for the bulk writer
 * with the batch's other new rows (fixture_batch.c), and anything else (an
 * update, a natural key looked up) first writes what waits if its table
 * has rows waiting. The model is the part of the label after the last
 * '.', matched without regard to case. A foreign key is given by its name or
 * attname ("publisher" / "publisher_id"), a many-to-many field as a list of
 * target keys, which go into the join table (both directions for a
 * symmetrical ManyToManyField("self"), skipping pairs already there).
 *
 * Values are converted as Django's fields would (to_python, then the
 * backend's adapter) and always bound, never pasted into SQL: decimals as
 * text quantized to the field's places, datetimes as naive UTC text
 * "YYYY-MM-DD HH:MM:SS[.ffffff]", durations as microseconds, UUIDs as 32 hex
 * digits except on PostgreSQL. Foreign keys are not checked while loading
 * (deferred on PostgreSQL, FOREIGN_KEY_CHECKS=0 on MySQL, off on SQLite), so
 * objects may come in any order; they are checked, all alike, before the
 * commit (fixture_check.c).
 *
 * As Django's loaddata does, a record whose primary key exists updates that
 * row (the fields it gives; its many-to-many lists replace the row's
 * links). Natural keys (dumpdata --natural-foreign / --natural-primary) are
 * read: a foreign key given as a list (["alice"]) is the target row whose
 * natural key has those values, and a record without "pk" updates the row
 * with its natural key if there is one. The natural key of a model is its
 * one unique=True field, or its one Meta.unique_together set of as many
 * fields as the list has values (fixture_keys.c).
 */
#include "fixture.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "db.h"
#include "decimal.h"
#include "error.h"
#include "scan.h"
#include "sqlbuf.h"
#include "types.h"

static int
is_fk(const ormc_field *f)
{
	return f->kind == ORMC_FIELD_FOREIGNKEY || f->kind == ORMC_FIELD_ONETOONE;
}

static int
dialect_is(const ormc_loader *l, const char *name)
{
	return strcmp(l->d->name, name) == 0;
}

const ormc_model *
ormc_fixture__model(const ormc_schema *s, const char *label)
{
	const char *dot = strrchr(label, '.');
	const char *name = dot ? dot + 1 : label;
	int i;

	for (i = 0; i < s->nmodels; i++)
		if (ormc_name_equal_ci(s->models[i]->name, name))
			return s->models[i];
	return NULL;
}

/* A field by name or attname; reverse ends are not loadable. */
static const ormc_field *
find_field(const ormc_model *m, const char *key)
{
	int i;

	for (i = 0; i < m->nfields; i++) {
		const ormc_field *f = m->fields[i];

		if (f->kind == ORMC_FIELD_REVERSE_FK ||
		    f->kind == ORMC_FIELD_REVERSE_O2O ||
		    f->kind == ORMC_FIELD_REVERSE_M2M)
			continue;
		if (strcmp(f->name, key) == 0 ||
		    (f->column != NULL && strcmp(f->column, key) == 0))
			return f;
	}
	return NULL;
}

int
ormc_fixture__bad_value(ormc_loader *l, const ormc_field *f, json_t *j,
                        const char *what)
{
	char *text = json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT);
	int rc;

	rc = ormc_error_set(l->err, ORMC_EINVALID, NULL, -1, 0,
	                    "field '%s': %.80s is not %s", f->name,
	                    text ? text : "value", what);
	free(text);
	return rc;
}

int
ormc_fixture__nomem(ormc_loader *l)
{
	return ormc_error_set(l->err, ORMC_ENOMEM, NULL, -1, 0, "out of memory");
}

/*
 * A JSONField's value as its canonical text; a BinaryField's base64 as
 * bytes, bound as hex for PostgreSQL's bytea input (core/jsonbin.c).
 */
static int
json_or_binary(ormc_loader *l, const ormc_field *f, json_t *j, ormc_value *v)
{
	size_t n;
	char *buf;
	unsigned char *bytes;

	v->type = ORMC_TYPE_TEXT;
	if (f->kind == ORMC_FIELD_JSON) {
		char *text = ormc_json_dump(j);

		if (text == NULL)
			return ormc_fixture__bad_value(l, f, j, "JSON");
		v->s = ormc_arena_strdup(&l->a, text);
		v->len = strlen(text);
		free(text);
		return v->s ? ORMC_OK : ormc_fixture__nomem(l);
	}
	if (!json_is_string(j))
		return ormc_fixture__bad_value(l, f, j, "base64 text");
	n = json_string_length(j);
	bytes = ormc_arena_alloc(&l->a, n + 4);
	buf = ormc_arena_alloc(&l->a, 2 * n + 8);
	if (bytes == NULL || buf == NULL)
		return ormc_fixture__nomem(l);
	if (ormc_base64_decode(json_string_value(j), n, bytes, &n) < 0)
		return ormc_fixture__bad_value(l, f, j, "base64 text");
	if (dialect_is(l, "postgresql")) {
		buf[0] = '\\';
		buf[1] = 'x';
		ormc_hex_encode(bytes, n, buf + 2);
		v->s = buf;
		v->len = 2 + 2 * n;
	} else {
		v->s = (const char *)bytes;
		v->len = n;
	}
	return ORMC_OK;
}

/* Convert the fixture's JSON value for field f into a bound parameter. */
int
ormc_fixture__to_param(ormc_loader *l, const ormc_field *f, json_t *j,
                       ormc_value *v)
{
	const ormc_field *vf = ormc_field_value_field(f);
	ormc_field_kind kind = vf ? vf->kind : ORMC_FIELD_INTEGER;
	ormc_otype t;
	ormc_value raw, out;
	ormc_error e;
	char tmp[512];
	char *buf;
	size_t bn;
	int r;

	memset(v, 0, sizeof(*v));
	if (json_is_null(j))
		return ORMC_OK;
	if (json_is_array(j) && f->target != NULL &&
	    (is_fk(f) || f->kind == ORMC_FIELD_MANYTOMANY))
		return ormc_fixture__natural_fk(l, f, j, v);
	if (kind == ORMC_FIELD_JSON || kind == ORMC_FIELD_BINARY)
		return json_or_binary(l, f, j, v);
	if (json_is_array(j) || json_is_object(j))
		return ormc_fixture__bad_value(l, f, j, "a single value");
	memset(&raw, 0, sizeof(raw));
	t = ormc_otype_of(kind, vf ? vf->max_digits : -1, vf ? vf->decimal_places : -1);

	switch (kind) {
	case ORMC_FIELD_AUTO:
	case ORMC_FIELD_BIGAUTO:
	case ORMC_FIELD_SMALLAUTO:
	case ORMC_FIELD_INTEGER:
	case ORMC_FIELD_BIGINTEGER:
	case ORMC_FIELD_SMALLINTEGER:
	case ORMC_FIELD_POSITIVEINTEGER:
	case ORMC_FIELD_POSITIVESMALLINTEGER:
	case ORMC_FIELD_POSITIVEBIGINTEGER:
		v->type = ORMC_TYPE_INT;
		if (json_is_integer(j)) {
			v->i = (int64_t)json_integer_value(j);
			return ORMC_OK;
		}
		if (json_is_real(j) && json_real_value(j) == floor(json_real_value(j)) &&
		    fabs(json_real_value(j)) < 9e18) {
			v->i = (int64_t)json_real_value(j);
			return ORMC_OK;
		}
		if (json_is_string(j)) {
			raw.type = ORMC_TYPE_TEXT;
			raw.s = json_string_value(j);
			raw.len = json_string_length(j);
			if (ormc_convert(&raw, &t, &out, tmp, sizeof(tmp), &e) == 0 &&
			    memchr(raw.s, '.', raw.len) == NULL) {
				v->i = out.i;
				return ORMC_OK;
			}
		}
		return ormc_fixture__bad_value(l, f, j, "an integer");

	case ORMC_FIELD_FLOAT:
		v->type = ORMC_TYPE_FLOAT;
		if (json_is_number(j)) {
			v->f = json_number_value(j);
			return ORMC_OK;
		}
		if (json_is_string(j)) {
			raw.type = ORMC_TYPE_TEXT;
			raw.s = json_string_value(j);
			raw.len = json_string_length(j);
			if (ormc_convert(&raw, &t, &out, tmp, sizeof(tmp), &e) == 0) {
				v->f = out.f;
				return ORMC_OK;
			}
		}
		return ormc_fixture__bad_value(l, f, j, "a number");

	case ORMC_FIELD_DECIMAL:
		if (json_is_string(j)) {
			raw.type = ORMC_TYPE_DECIMAL;
			raw.s = json_string_value(j);
			raw.len = json_string_length(j);
		} else if (json_is_integer(j)) {
			raw.type = ORMC_TYPE_INT;
			raw.i = (int64_t)json_integer_value(j);
		} else if (json_is_real(j)) {
			raw.type = ORMC_TYPE_FLOAT;
			raw.f = json_real_value(j);
		} else {
			return ormc_fixture__bad_value(l, f, j, "a decimal number");
		}
		/* room for the digits, padding to the places, a float's expansion */
		bn = raw.len + 480 +
		     (t.decimal_places > 0 ? (size_t)t.decimal_places : 0);
		buf = ormc_arena_alloc(&l->a, bn);
		if (buf == NULL)
			return ormc_error_set(l->err, ORMC_ENOMEM, NULL, -1, 0,
			                      "out of memory");
		if (ormc_convert(&raw, &t, &out, buf, bn, &e) < 0)
			return ormc_fixture__bad_value(l, f, j, "a decimal number");
		if (dialect_is(l, "sqlite") && !ormc_sqlite_keeps_decimal(out.s, out.len))
			return ormc_fixture__bad_value(l, f, j, "a decimal of at most 15 significant digits "
			                               "(SQLite's decimal columns hold floating-point numbers: "
			                               "it would store another number)");
		*v = out;
		return ORMC_OK;

	case ORMC_FIELD_BOOLEAN:
		v->type = ORMC_TYPE_BOOL;
		if (json_is_boolean(j)) {
			v->i = json_is_true(j);
			return ORMC_OK;
		}
		if (json_is_integer(j)) {
			raw.type = ORMC_TYPE_INT;
			raw.i = (int64_t)json_integer_value(j);
		} else if (json_is_string(j)) {
			raw.type = ORMC_TYPE_TEXT;
			raw.s = json_string_value(j);
			raw.len = json_string_length(j);
		} else {
			return ormc_fixture__bad_value(l, f, j, "a boolean");
		}
		if (ormc_convert(&raw, &t, &out, tmp, sizeof(tmp), &e) < 0)
			return ormc_fixture__bad_value(l, f, j, "a boolean");
		v->i = out.i;
		return ORMC_OK;

	case ORMC_FIELD_DATE:
	case ORMC_FIELD_DATETIME:
	case ORMC_FIELD_TIME:
	case ORMC_FIELD_DURATION:
	case ORMC_FIELD_UUID:
		if (!json_is_string(j))
			return ormc_fixture__bad_value(l, f, j, kind == ORMC_FIELD_DURATION
			                 ? "a duration (\"1 02:00:00\")" : "a string");
		raw.type = ORMC_TYPE_TEXT;
		raw.s = json_string_value(j);
		raw.len = json_string_length(j);
		if (ormc_convert(&raw, &t, &out, tmp, sizeof(tmp), &e) < 0 ||
		    (kind == ORMC_FIELD_DURATION && out.type != ORMC_TYPE_DURATION))
			return ormc_fixture__bad_value(l, f, j,
			                 kind == ORMC_FIELD_DATE ? "a date (YYYY-MM-DD)" :
			                 kind == ORMC_FIELD_DATETIME ? "a datetime" :
			                 kind == ORMC_FIELD_TIME ? "a time" :
			                 kind == ORMC_FIELD_DURATION ? "a duration" :
			                 "a UUID");
		if (kind == ORMC_FIELD_DURATION) {
			*v = out;
			return ORMC_OK;
		}
		if (kind == ORMC_FIELD_UUID && out.len != 36)
			return ormc_fixture__bad_value(l, f, j, "a UUID");
		buf = ormc_arena_alloc(&l->a, out.len + 1);
		if (buf == NULL)
			return ormc_error_set(l->err, ORMC_ENOMEM, NULL, -1, 0,
			                      "out of memory");
		if (kind == ORMC_FIELD_DATETIME) {
			int r = ormc_datetime_naive_utc(out.s, out.len, buf, out.len + 1);

			v->type = ORMC_TYPE_DATETIME;
			if (r < 0)
				return ormc_fixture__bad_value(l, f, j, "a datetime");
			v->len = (size_t)r;
		} else if (kind == ORMC_FIELD_UUID && !dialect_is(l, "postgresql")) {
			/* Django's char(32) storage: hex digits only */
			size_t k;

			v->type = ORMC_TYPE_TEXT;
			for (k = 0; k < out.len; k++)
				if (out.s[k] != '-')
					buf[v->len++] = out.s[k];
			buf[v->len] = '\0';
		} else {
			v->type = kind == ORMC_FIELD_UUID ? ORMC_TYPE_TEXT : out.type;
			memcpy(buf, out.s, out.len);
			buf[out.len] = '\0';
			v->len = out.len;
		}
		v->s = buf;
		return ORMC_OK;

	default:   /* CHAR, TEXT and anything else: text */
		v->type = ORMC_TYPE_TEXT;
		if (json_is_string(j)) {
			v->s = json_string_value(j);
			v->len = json_string_length(j);
			return ORMC_OK;
		}
		if (json_is_integer(j))
			r = snprintf(tmp, sizeof(tmp), "%" JSON_INTEGER_FORMAT,
			             json_integer_value(j));
		else if (json_is_real(j))
			r = snprintf(tmp, sizeof(tmp), "%.17g", json_real_value(j));
		else
			return ormc_fixture__bad_value(l, f, j, "a string");
		v->s = ormc_arena_strndup(&l->a, tmp, (size_t)r);
		v->len = (size_t)r;
		if (v->s == NULL)
			return ormc_error_set(l->err, ORMC_ENOMEM, NULL, -1, 0,
			                      "out of memory");
		return ORMC_OK;
	}
}

/* Run sql and read the first column of its first row into *out (arena copy). */
int
ormc_fixture__query_value(ormc_loader *l, const char *sql,
                          const ormc_value *params, int n,
            ormc_value *out)
{
	ormc_cursor *cur;
	const ormc_value *row;
	const ormc_driver *drv = l->db->conn->driver;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = ormc_db_query(l->db, sql, params, n, &cur, l->err);
	if (rc < 0)
		return rc;
	if (cur == NULL)
		return ORMC_OK;
	rc = drv->next(cur, &row, l->err);
	if (rc > 0 && cur->ncols > 0) {
		*out = row[0];
		if (out->s != NULL) {
			out->s = ormc_arena_strndup(&l->a, out->s, out->len);
			if (out->s == NULL)
				rc = ormc_error_set(l->err, ORMC_ENOMEM, NULL, -1, 0,
				                    "out of memory");
		}
	}
	drv->close_cursor(cur);
	return rc < 0 ? rc : ORMC_OK;
}

/* Insert (src, dst) into an M2M table unless the pair is there already. */
static int
link(ormc_loader *l, const ormc_field *f, const ormc_value *src,
     const ormc_value *dst)
{
	ormc_sqlbuf b;
	ormc_value p[2], found;
	int rc;

	if ((rc = ormc_fixture__flush_for(l, f->m2m_table)) < 0)
		return rc;
	p[0] = *src;
	p[1] = *dst;
	ormc_sqlbuf_init(&b);
	ormc_sqlbuf_append(&b, "SELECT 1 FROM ");
	l->d->quote_ident(&b, f->m2m_table);
	ormc_sqlbuf_append(&b, " WHERE ");
	l->d->quote_ident(&b, f->m2m_source_column);
	ormc_sqlbuf_append(&b, " = ");
	l->d->placeholder(&b, 1);
	ormc_sqlbuf_append(&b, " AND ");
	l->d->quote_ident(&b, f->m2m_target_column);
	ormc_sqlbuf_append(&b, " = ");
	l->d->placeholder(&b, 2);
	if (b.failed) {
		ormc_sqlbuf_free(&b);
		return ormc_error_set(l->err, ORMC_ENOMEM, NULL, -1, 0, "out of memory");
	}
	rc = ormc_fixture__query_value(l, b.data, p, 2, &found);
	if (rc == ORMC_OK && found.type == ORMC_TYPE_NULL) {
		ormc_sqlbuf_reset(&b);
		ormc_sqlbuf_append(&b, "INSERT INTO ");
		l->d->quote_ident(&b, f->m2m_table);
		ormc_sqlbuf_append(&b, " (");
		l->d->quote_ident(&b, f->m2m_source_column);
		ormc_sqlbuf_append(&b, ", ");
		l->d->quote_ident(&b, f->m2m_target_column);
		ormc_sqlbuf_append(&b, ") VALUES (");
		l->d->placeholder(&b, 1);
		ormc_sqlbuf_append(&b, ", ");
		l->d->placeholder(&b, 2);
		ormc_sqlbuf_appendc(&b, ')');
		rc = b.failed ? ormc_error_set(l->err, ORMC_ENOMEM, NULL, -1, 0,
		                               "out of memory")
		              : ormc_db_exec(l->db, b.data, p, 2, l->err);
	}
	ormc_sqlbuf_free(&b);
	return rc;
}

static int
note_reseed(ormc_loader *l, const ormc_model *m)
{
	const ormc_model **v;
	int i;

	for (i = 0; i < l->nreseed; i++)
		if (l->reseed[i] == m)
			return ORMC_OK;
	v = realloc(l->reseed, (size_t)(l->nreseed + 1) * sizeof(*v));
	if (v == NULL)
		return ormc_error_set(l->err, ORMC_ENOMEM, NULL, -1, 0, "out of memory");
	l->reseed = v;
	l->reseed[l->nreseed++] = m;
	return ORMC_OK;
}


/* Is seen[k] one of seen[0..k)? (a key listed twice is one link) */
static int
listed_before(const ormc_value *seen, size_t k)
{
	const ormc_value *v = &seen[k];
	size_t j;

	for (j = 0; j < k; j++) {
		const ormc_value *w = &seen[j];

		if (w->type != v->type)
			continue;
		if (v->s == NULL ? w->s == NULL && w->i == v->i
		                 : w->s != NULL && w->len == v->len &&
		                   memcmp(w->s, v->s, v->len) == 0)
			return 1;
	}
	return 0;
}

/*
 * Insert the row now, after the rows of its table that wait: a row of no
 * columns, or one whose key the engine chooses and its many-to-many rows
 * need (into *pkval).
 */
static int
insert_now(ormc_loader *l, const ormc_model *m, const ormc_field **cols,
           const ormc_value *vals, int ncols, int have_pk, int nm2m,
           ormc_value *pkval)
{
	ormc_sqlbuf b;
	int i, rc;

	if ((rc = ormc_fixture__flush_for(l, m->table)) < 0)
		return rc;
	ormc_sqlbuf_init(&b);
	ormc_sqlbuf_append(&b, "INSERT INTO ");
	l->d->quote_ident(&b, m->table);
	if (ncols == 0) {
		ormc_sqlbuf_append(&b, dialect_is(l, "mysql") ? " () VALUES ()"
		                                             : " DEFAULT VALUES");
	} else {
		ormc_sqlbuf_append(&b, " (");
		for (i = 0; i < ncols; i++) {
			if (i > 0)
				ormc_sqlbuf_append(&b, ", ");
			l->d->quote_ident(&b, cols[i]->column);
		}
		ormc_sqlbuf_append(&b, ") VALUES (");
		for (i = 0; i < ncols; i++) {
			const ormc_field *vf = ormc_field_value_field(cols[i]);

			if (i > 0)
				ormc_sqlbuf_append(&b, ", ");
			ormc_dialect_value_placeholder(l->d, &b, i + 1,
			                               vf != NULL && vf->kind == ORMC_FIELD_BINARY);
		}
		ormc_sqlbuf_appendc(&b, ')');
	}
	/*
	 * the new key is needed for the M2M rows: RETURNING on PostgreSQL, the
	 * connection's last key on MySQL and SQLite (SQLite's RETURNING gives
	 * no row through its ODBC driver)
	 */
	if (!have_pk && nm2m > 0 && m->pk != NULL && dialect_is(l, "postgresql")) {
		ormc_sqlbuf_append(&b, " RETURNING ");
		l->d->quote_ident(&b, m->pk->column);
	}
	if (b.failed) {
		rc = ormc_error_set(l->err, ORMC_ENOMEM, NULL, -1, 0, "out of memory");
	} else if (!have_pk && nm2m > 0 && m->pk != NULL) {
		if (strstr(b.data, " RETURNING ") != NULL) {
			rc = ormc_fixture__query_value(l, b.data, vals, ncols, pkval);
		} else {
			rc = ormc_db_exec(l->db, b.data, vals, ncols, l->err);
			if (rc == ORMC_OK && dialect_is(l, "mysql")) {
				rc = ormc_fixture__query_value(l, "SELECT LAST_INSERT_ID()",
				                               NULL, 0, pkval);
			} else if (rc == ORMC_OK && dialect_is(l, "sqlite")) {
				rc = ormc_fixture__query_value(l, "SELECT last_insert_rowid()",
				                               NULL, 0, pkval);
			} else if (rc == ORMC_OK) {
				ormc_sqlbuf_reset(&b);
				ormc_sqlbuf_append(&b, "SELECT MAX(");
				l->d->quote_ident(&b, m->pk->column);
				ormc_sqlbuf_append(&b, ") FROM ");
				l->d->quote_ident(&b, m->table);
				rc = ormc_fixture__query_value(l, b.data, NULL, 0, pkval);
			}
		}
	} else {
		rc = ormc_db_exec(l->db, b.data, vals, ncols, l->err);
	}
	ormc_sqlbuf_free(&b);
	return rc;
}

static int
load_object(ormc_loader *l, const ormc_model *m, json_t *obj)
{
	json_t *fields = json_object_get(obj, "fields");
	json_t *jpk = json_object_get(obj, "pk");
	json_t *jv;
	const char *key;
	const ormc_field **cols = NULL, **m2m = NULL;
	json_t **m2mvals = NULL;
	ormc_value *vals = NULL, pkval;
	int ncols = 0, nm2m = 0, rc = ORMC_OK, i, have_pk = 0, exists = 0;
	int pk_given = 0, t;
	size_t nkeys;

	if (fields != NULL && !json_is_object(fields))
		return ormc_error_set(l->err, ORMC_EPARSE, NULL, -1, 0,
		                      "\"fields\" is not an object");
	nkeys = fields ? json_object_size(fields) : 0;
	cols = ormc_arena_alloc(&l->a, (nkeys + 1) * sizeof(*cols));
	vals = ormc_arena_alloc(&l->a, (nkeys + 1) * sizeof(*vals));
	m2m = ormc_arena_alloc(&l->a, (nkeys + 1) * sizeof(*m2m));
	m2mvals = ormc_arena_alloc(&l->a, (nkeys + 1) * sizeof(*m2mvals));
	if (cols == NULL || vals == NULL || m2m == NULL || m2mvals == NULL)
		return ormc_error_set(l->err, ORMC_ENOMEM, NULL, -1, 0, "out of memory");
	memset(&pkval, 0, sizeof(pkval));

	if (jpk != NULL && !json_is_null(jpk) && m->pk != NULL) {
		rc = ormc_fixture__to_param(l, m->pk, jpk, &vals[0]);
		if (rc < 0)
			return rc;
		cols[ncols++] = m->pk;
		pkval = vals[0];
		have_pk = 1;
		pk_given = !json_is_array(jpk) && !json_is_object(jpk);
	}
	if (fields != NULL) {
		json_object_foreach(fields, key, jv) {
			const ormc_field *f = find_field(m, key);

			if (f == NULL)
				return ormc_error_set(l->err, ORMC_ENOFIELD, NULL, -1, 0,
				                      "unknown field '%s'", key);
			if (f->kind == ORMC_FIELD_MANYTOMANY) {
				if (!json_is_array(jv) && !json_is_null(jv))
					return ormc_fixture__bad_value(l, f, jv, "a list of keys");
				m2m[nm2m] = f;
				m2mvals[nm2m++] = jv;
				continue;
			}
			if (f == m->pk) {
				if (have_pk)
					continue;   /* "pk" wins, as in Django */
				have_pk = 1;
			}
			for (i = 0; i < ncols; i++)
				if (cols[i] == f)
					return ormc_error_set(l->err, ORMC_EINVALID, NULL, -1, 0,
					                      "field '%s' given twice", f->name);
			rc = ormc_fixture__to_param(l, f, jv, &vals[ncols]);
			if (rc < 0)
				return rc;
			if (f == m->pk)
				pkval = vals[ncols];
			cols[ncols++] = f;
		}
	}

	if ((rc = ormc_fixture__note_touched(l, m, &t)) < 0)
		return rc;
	if (have_pk && m->pk != NULL)
		rc = ormc_fixture__key_exists(l, t, &pkval, pk_given, &exists);
	else if (m->pk != NULL &&
	         (rc = ormc_fixture__natural_primary(l, m, cols, vals, ncols,
	                                                &pkval)) == ORMC_OK)
		exists = pkval.type != ORMC_TYPE_NULL;
	if (rc < 0)
		return rc;
	if (exists) {
		if ((rc = ormc_fixture__flush_for(l, m->table)) < 0 ||
		    (rc = ormc_fixture__update_row(l, m, cols, vals, ncols, &pkval)) < 0)
			return rc;
		goto links;
	}
	if (ncols > 0 && m->pk != NULL && (have_pk || nm2m == 0)) {
		/* a new row: it waits for the bulk writer (fixture_batch.c) */
		if ((rc = ormc_fixture__queue_row(l, m, cols, vals, ncols)) < 0)
			return rc;
	} else if ((rc = insert_now(l, m, cols, vals, ncols, have_pk, nm2m,
	                            &pkval)) < 0) {
		return rc;
	}
	if ((rc = ormc_fixture__key_inserted(l, t, &pkval, have_pk)) < 0)
		return rc;
	if (have_pk && m->pk != NULL &&
	    (m->pk->kind == ORMC_FIELD_AUTO || m->pk->kind == ORMC_FIELD_BIGAUTO ||
	     m->pk->kind == ORMC_FIELD_SMALLAUTO) &&
	    (rc = note_reseed(l, m)) < 0)
		return rc;

links:
	for (i = 0; i < nm2m; i++) {
		const ormc_field *f = m2m[i];
		ormc_value *seen;
		size_t k;

		if (json_is_null(m2mvals[i]))
			continue;
		if (f->m2m_table == NULL || f->m2m_source_column == NULL ||
		    f->m2m_target_column == NULL)
			return ormc_error_set(l->err, ORMC_EINVALID, NULL, -1, 0,
			                      "field '%s' has no join table", f->name);
		if (pkval.type == ORMC_TYPE_NULL)
			return ormc_error_set(l->err, ORMC_EINVALID, NULL, -1, 0,
			                      "field '%s': the object has no key",
			                      f->name);
		if (exists && (rc = ormc_fixture__unlink_all(l, m, f, &pkval)) < 0)
			return rc;
		seen = ormc_arena_alloc(&l->a, (json_array_size(m2mvals[i]) + 1) *
		                               sizeof(*seen));
		if (seen == NULL)
			return ormc_fixture__nomem(l);
		for (k = 0; k < json_array_size(m2mvals[i]); k++) {
			json_t *jt = json_array_get(m2mvals[i], k);
			ormc_value target;

			if ((rc = ormc_fixture__to_param(l, f, jt, &target)) < 0)
				return rc;
			if (target.type == ORMC_TYPE_NULL)
				return ormc_fixture__bad_value(l, f, jt, "a key");
			if (!(f->symmetrical && f->target == m)) {
				/*
				 * a new row, or one whose links were just dropped, has
				 * none but those listed before
				 */
				seen[k] = target;
				if (!listed_before(seen, k) &&
				    (rc = ormc_fixture__queue_link(l, f, &pkval, &target)) < 0)
					return rc;
				continue;
			}
			rc = link(l, f, &pkval, &target);
			if (rc == ORMC_OK && f->symmetrical && f->target == m)
				rc = link(l, f, &target, &pkval);
			if (rc < 0)
				return rc;
		}
	}
	return ORMC_OK;
}

/* PostgreSQL identity sequences do not move for explicit keys: catch up. */
static int
reseed(ormc_loader *l)
{
	ormc_sqlbuf b, name;
	ormc_value p[2];
	int i, rc = ORMC_OK;

	if (!dialect_is(l, "postgresql"))
		return ORMC_OK;
	for (i = 0; i < l->nreseed && rc == ORMC_OK; i++) {
		const ormc_model *m = l->reseed[i];

		ormc_sqlbuf_init(&b);
		ormc_sqlbuf_init(&name);
		l->d->quote_ident(&name, m->table);
		ormc_sqlbuf_append(&b, "SELECT setval(pg_get_serial_sequence(");
		l->d->placeholder(&b, 1);
		ormc_sqlbuf_append(&b, ", ");
		l->d->placeholder(&b, 2);
		ormc_sqlbuf_append(&b, "), (SELECT MAX(");
		l->d->quote_ident(&b, m->pk->column);
		ormc_sqlbuf_append(&b, ") FROM ");
		l->d->quote_ident(&b, m->table);
		ormc_sqlbuf_append(&b, "))");
		memset(p, 0, sizeof(p));
		p[0].type = p[1].type = ORMC_TYPE_TEXT;
		p[0].s = name.data;
		p[0].len = name.len;
		p[1].s = m->pk->column;
		p[1].len = strlen(m->pk->column);
		if (b.failed || name.failed)
			rc = ormc_error_set(l->err, ORMC_ENOMEM, NULL, -1, 0,
			                    "out of memory");
		else
			rc = ormc_db_exec(l->db, b.data, p, 2, l->err);
		ormc_sqlbuf_free(&b);
		ormc_sqlbuf_free(&name);
	}
	return rc;
}

/* "fixture object 3 (bookstore.book): <inner>" into err. */
static int
object_error(ormc_error *err, int rc, size_t object, const char *label,
             const ormc_error *inner)
{
	ormc_error_set(err, rc, NULL, -1, 0, "fixture object %zu%s%s%s: %s",
	               object, label ? " (" : "", label ? label : "",
	               label ? ")" : "", inner->message);
	if (err != NULL)
		memcpy(err->sqlstate, inner->sqlstate, sizeof(err->sqlstate));
	return rc;
}

/* One object of the batch, as the object numbered l->object. */
static int
load_one(ormc_loader *l, json_t *obj)
{
	json_t *jm = json_object_get(obj, "model");
	const ormc_model *m;

	l->label = json_is_string(jm) ? json_string_value(jm) : NULL;
	if (!json_is_object(obj))
		return ormc_error_set(l->err, ORMC_EPARSE, NULL, -1, 0,
		                      "not an object");
	if (l->label == NULL)
		return ormc_error_set(l->err, ORMC_EPARSE, NULL, -1, 0,
		                      "no \"model\" label");
	if ((m = ormc_fixture__model(l->s, l->label)) == NULL)
		return ormc_error_set(l->err, ORMC_ENOFIELD, NULL, -1, 0,
		                      "unknown model '%s'", l->label);
	return load_object(l, m, obj);
}

/*
 * Load the batch objs[0..n), numbered from first + 1: look up its keys,
 * load each object (new rows wait), write what waits.
 */
static int
load_batch(ormc_loader *l, json_t **objs, size_t n, size_t first,
           size_t total, const ormc_load_options *opts, ormc_error *err)
{
	size_t k;
	int rc;

	l->err_object = 0;
	l->object = first + 1;
	l->label = NULL;
	rc = ormc_fixture__lookup_keys(l, objs, n);
	if (rc < 0)
		return ormc_error_set(err, rc, NULL, -1, 0, "looking up the keys of "
		                      "fixture objects %zu to %zu: %s", first + 1,
		                      first + n, l->err->message);
	for (k = 0; k < n && rc == ORMC_OK; k++) {
		l->object = first + k + 1;
		rc = load_one(l, objs[k]);
		if (rc == ORMC_OK && opts != NULL && opts->progress != NULL)
			opts->progress(opts->ctx, l->object, total);
	}
	if (rc == ORMC_OK)
		rc = ormc_fixture__flush(l);
	if (rc < 0 && l->err_object > 0)
		return object_error(err, rc, l->err_object, l->err_label, l->err);
	if (rc < 0)
		return object_error(err, rc, l->object, l->label, l->err);
	return ORMC_OK;
}

/* A load from reader r (ormc_fixture_load_with, ormc_fixture_load_file). */
static int
load(ormc_db *db, const ormc_schema *s, ormc_fixture_reader *r,
     const ormc_load_options *opts, size_t *nobjects_out, ormc_error *err)
{
	json_t **objs;
	ormc_loader l;
	ormc_error inner;
	size_t n, k, done = 0, total;
	int rc = ORMC_OK, mysql, more = 1;

	if ((rc = ormc_fixture__count(r, &total, err)) < 0)
		return rc;
	objs = calloc(ORMC_FIXTURE_BATCH, sizeof(*objs));
	if (objs == NULL)
		return ormc_error_set(err, ORMC_ENOMEM, NULL, -1, 0, "out of memory");

	memset(&l, 0, sizeof(l));
	l.db = db;
	l.d = db->dialect;
	l.s = s;
	l.err = &inner;
	ormc_error_clear(&inner);
	mysql = dialect_is(&l, "mysql");
	if (mysql && (rc = ormc_db_exec(db, "SET FOREIGN_KEY_CHECKS = 0", NULL, 0,
	                                err)) < 0) {
		free(objs);
		return rc;
	}
	rc = ormc_db_begin(db, err);
	if (rc < 0)
		goto out;
	/* ormc's tables are DEFERRABLE; others' keep their own timing */
	if (dialect_is(&l, "postgresql"))
		rc = ormc_db_exec(db, "SET CONSTRAINTS ALL DEFERRED", NULL, 0, err);

	while (rc == ORMC_OK && more) {
		for (n = 0; n < ORMC_FIXTURE_BATCH; n++) {
			if ((rc = ormc_fixture__next(r, &objs[n], err)) <= 0)
				break;
		}
		more = rc > 0;
		if (rc >= 0 && n > 0) {
			ormc_arena_init(&l.a);
			ormc_error_clear(&inner);
			rc = load_batch(&l, objs, n, done, total, opts, err);
			ormc_fixture__batch_end(&l);
			ormc_arena_free(&l.a);
		}
		for (k = 0; k < n; k++)
			json_decref(objs[k]);
		done += n;
	}
	if (rc == ORMC_OK) {
		const ormc_model **models = calloc((size_t)l.ntouched + 1,
		                                   sizeof(*models));
		int i;

		if (models == NULL) {
			rc = ormc_error_set(err, ORMC_ENOMEM, NULL, -1, 0, "out of memory");
		} else {
			for (i = 0; i < l.ntouched; i++)
				models[i] = l.touched[i].m;
			rc = ormc_fixture_check_fks(db, models, l.ntouched, err);
			free(models);
		}
	}
	if (rc == ORMC_OK && (rc = reseed(&l)) < 0)
		ormc_error_set(err, rc, NULL, -1, 0, "resetting key sequences: %s",
		               inner.message);
	if (rc == ORMC_OK)
		rc = ormc_db_commit(db, err);
	if (rc < 0)
		ormc_db_rollback(db, NULL);   /* keep the first error */
	else if (nobjects_out != NULL)
		*nobjects_out = done;

out:
	if (mysql)
		ormc_db_exec(db, "SET FOREIGN_KEY_CHECKS = 1", NULL, 0, NULL);
	ormc_fixture__loader_free(&l);
	free(objs);
	return rc;
}

int
ormc_fixture_load_with(ormc_db *db, const ormc_schema *s, const char *json,
                       size_t len, const ormc_load_options *opts,
                       size_t *nobjects_out, ormc_error *err)
{
	ormc_fixture_reader r;

	if (nobjects_out != NULL)
		*nobjects_out = 0;
	ormc_error_clear(err);
	if (db == NULL || db->dialect == NULL || s == NULL || json == NULL)
		return ormc_error_set(err, ORMC_EINVALID, NULL, -1, 0,
		                      "no connection, schema or fixture");
	ormc_fixture__reader_buffer(&r, json, len);
	return load(db, s, &r, opts, nobjects_out, err);
}

int
ormc_fixture_load_file(ormc_db *db, const ormc_schema *s, FILE *fp,
                       const ormc_load_options *opts, size_t *nobjects_out,
                       ormc_error *err)
{
	ormc_fixture_reader r;
	int rc;

	if (nobjects_out != NULL)
		*nobjects_out = 0;
	ormc_error_clear(err);
	if (db == NULL || db->dialect == NULL || s == NULL || fp == NULL)
		return ormc_error_set(err, ORMC_EINVALID, NULL, -1, 0,
		                      "no connection, schema or fixture");
	ormc_fixture__reader_file(&r, fp);
	rc = load(db, s, &r, opts, nobjects_out, err);
	ormc_fixture__reader_free(&r);
	return rc;
}

int
ormc_fixture_load(ormc_db *db, const ormc_schema *s, const char *json,
                  size_t len, ormc_error *err)
{
	return ormc_fixture_load_with(db, s, json, len, NULL, NULL, err);
}
