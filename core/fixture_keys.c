/*
 * fixture_keys.c -- which row a fixture record is: natural keys, and
 * whether its key exists already.
 *
 * Natural keys (dumpdata --natural-foreign / --natural-primary): a foreign
 * key given as a list (["alice"]) is the target row whose natural key has
 * those values, and a record without "pk" is the row with its natural key
 * if there is one. Django asks the model manager's get_by_natural_key(),
 * which a models.py read as text does not have: a model's natural key is
 * what its natural_key() method returns, read by the models reader
 * (core/schema.c: `(self.codename,) + self.content_type.natural_key()` is
 * the codename and the content type's own natural key, flattened, as
 * Django's contrib.auth writes them), else its one unique=True field, or
 * its one Meta.unique_together set of as many fields as the list has
 * values (natural_key()).
 *
 * A record whose key exists updates the row, as Django's loaddata saves
 * over it. Knowing whether it exists costs a query per record, except while
 * the table was empty when the load came to it: then the keys this load
 * inserted are kept (core/keyset.c) and looked up instead.
 */
#include "fixture.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

/* How many values m's declared natural key has (nested keys flattened); -1 if too deep. */
static int
natural_width(const ormc_model *m, int depth)
{
	int i, w = 0, k;

	if (depth > 8)
		return -1;
	for (i = 0; i < m->nnatural; i++) {
		if (!m->natural_nested[i]) {
			w++;
			continue;
		}
		if (m->natural[i]->target->nnatural == 0)
			k = 1;   /* the target's key by the other rules: one value */
		else if ((k = natural_width(m->natural[i]->target, depth + 1)) < 0)
			return -1;
		w += k;
	}
	return w;
}

/*
 * The fields of m's natural key of n values (n < 0: of any size): its
 * natural_key() method's fields when the models declare it, else its one
 * unique=True field besides the primary key when n is 1 (or any), else its
 * one Meta.unique_together set of n fields. Django asks the model's
 * manager (get_by_natural_key), which a models.py read as text does not
 * have; this is the rule that stands in for it. *nout is 0 when m has
 * none; with n >= 0 that is an error naming the model.
 */
static int
natural_key(ormc_loader *l, const ormc_model *m, int n,
            const ormc_field ***out, int *nout)
{
	const ormc_field *one = NULL;
	const ormc_field_set *set = NULL;
	int i, count = 0, nsets = 0;

	*out = NULL;
	*nout = 0;
	if (m->nnatural > 0) {
		int w = natural_width(m, 0);

		if (w >= 0 && (n < 0 || n == w)) {
			*out = (const ormc_field **)m->natural;
			*nout = m->nnatural;
			return ORMC_OK;
		}
		if (n < 0)
			return ORMC_OK;
		return ormc_error_set(l->err, ORMC_EINVALID, NULL, -1, 0,
		                      "model %s's natural_key() has %d value%s, the fixture gives %d",
		                      m->name, w, w == 1 ? "" : "s", n);
	}
	if (m->natural_unread && n >= 0)
		return ormc_error_set(l->err, ORMC_EINVALID, NULL, -1, 0,
		                      "model %s: its natural_key() is not one ormc can read (it reads "
		                      "a tuple of self.field, self.get_username() and "
		                      "self.relation.natural_key())", m->name);
	for (i = 0; i < m->nfields; i++) {
		const ormc_field *f = m->fields[i];

		if (f != m->pk && f->unique && ormc_field_is_concrete(f) &&
		    f->kind != ORMC_FIELD_MANYTOMANY) {
			one = f;
			count++;
		}
	}
	if (count == 1 && (n == 1 || n < 0)) {
		*out = ormc_arena_alloc(&l->a, sizeof(**out));
		if (*out == NULL)
			return ormc_fixture__nomem(l);
		(*out)[0] = one;
		*nout = 1;
		return ORMC_OK;
	}
	for (i = 0; i < m->nunique_together; i++)
		if (n < 0 || m->unique_together[i].n == n) {
			set = &m->unique_together[i];
			nsets++;
		}
	if (nsets == 1 && (n >= 0 || count == 0)) {
		*out = ormc_arena_alloc(&l->a, (size_t)set->n * sizeof(**out));
		if (*out == NULL)
			return ormc_fixture__nomem(l);
		for (i = 0; i < set->n; i++)
			(*out)[i] = set->fields[i];
		*nout = set->n;
		return ORMC_OK;
	}
	if (n < 0)
		return ORMC_OK;
	return ormc_error_set(l->err, ORMC_EINVALID, NULL, -1, 0,
	                      "model %s has no natural key of %d value%s: ormc "
	                      "takes it from the model's one unique=True field, "
	                      "or its one Meta.unique_together of as many fields",
	                      m->name, n, n == 1 ? "" : "s");
}

/*
 * The primary key of the row of m whose natural key fields keys[] have the
 * values vals[] (converted already), into *pk; NULL if there is none.
 */
static int
natural_lookup(ormc_loader *l, const ormc_model *m, const ormc_field **keys,
               const ormc_value *vals, int n, ormc_value *pk)
{
	ormc_sqlbuf b;
	ormc_value *p;
	int i, np = 0, rc;

	memset(pk, 0, sizeof(*pk));
	p = ormc_arena_alloc(&l->a, (size_t)(n + 1) * sizeof(*p));
	if (p == NULL || m->pk == NULL)
		return p == NULL ? ormc_fixture__nomem(l) : ORMC_OK;
	ormc_sqlbuf_init(&b);
	ormc_sqlbuf_append(&b, "SELECT ");
	l->d->quote_ident(&b, m->pk->column);
	ormc_sqlbuf_append(&b, " FROM ");
	l->d->quote_ident(&b, m->table);
	for (i = 0; i < n; i++) {
		ormc_sqlbuf_append(&b, i == 0 ? " WHERE " : " AND ");
		l->d->quote_ident(&b, keys[i]->column);
		if (vals[i].type == ORMC_TYPE_NULL) {
			ormc_sqlbuf_append(&b, " IS NULL");
			continue;
		}
		ormc_sqlbuf_append(&b, " = ");
		p[np] = vals[i];
		l->d->placeholder(&b, ++np);
	}
	rc = b.failed ? ormc_fixture__nomem(l)
	              : ormc_fixture__query_value(l, b.data, p, np, pk);
	ormc_sqlbuf_free(&b);
	return rc;
}

/*
 * A foreign key (or one key of a many-to-many list) given by the target's
 * natural key, as dumpdata --natural-foreign writes it: ["alice"] or
 * ["Tolkien", "The Hobbit"], each value converted for its key field (which
 * may itself be a natural foreign key). The target row must be in the
 * database already, or earlier in the fixture.
 */
int
ormc_fixture__natural_fk(ormc_loader *l, const ormc_field *f, json_t *j,
                         ormc_value *v)
{
	const ormc_field **keys;
	ormc_value *vals;
	int n = (int)json_array_size(j), nkeys, i, k, rc;
	char *text;

	if (n == 0)
		return ormc_fixture__bad_value(l, f, j, "a key");
	if ((rc = natural_key(l, f->target, n, &keys, &nkeys)) < 0)
		return rc;
	assert(nkeys == n || f->target->nnatural == nkeys);
	vals = ormc_arena_alloc(&l->a, (size_t)nkeys * sizeof(*vals));
	if (vals == NULL)
		return ormc_fixture__nomem(l);
	for (i = 0, k = 0; i < nkeys; i++) {
		const ormc_model *t = keys[i]->target;
		int w = f->target->nnatural > 0 && f->target->natural_nested[i] && t->nnatural > 0
		        ? natural_width(t, 0) : 1;
		json_t *part;

		if (w == 1 && !(f->target->nnatural > 0 && f->target->natural_nested[i])) {
			part = json_incref(json_array_get(j, (size_t)k));
		} else {
			/* a relation's own natural key, flattened into this one: its values */
			int q;

			if ((part = json_array()) == NULL)
				return ormc_fixture__nomem(l);
			for (q = 0; q < w; q++)
				if (json_array_append(part, json_array_get(j, (size_t)(k + q))) < 0) {
					json_decref(part);
					return ormc_fixture__nomem(l);
				}
		}
		k += w;
		rc = ormc_fixture__to_param(l, keys[i], part, &vals[i]);
		json_decref(part);
		if (rc < 0)
			return rc;
	}
	assert(k == n);
	if ((rc = natural_lookup(l, f->target, keys, vals, nkeys, v)) < 0)
		return rc;
	if (v->type != ORMC_TYPE_NULL)
		return ORMC_OK;
	text = json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT);
	rc = ormc_error_set(l->err, ORMC_EINVALID, NULL, -1, 0,
	                    "field '%s': no %s has the natural key %.200s",
	                    f->name, f->target->name, text ? text : "");
	free(text);
	return rc;
}

/* Is there a row of m with primary key *pk? */
static int
row_exists(ormc_loader *l, const ormc_model *m, const ormc_value *pk,
           int *exists)
{
	ormc_sqlbuf b;
	ormc_value found;
	int rc;

	*exists = 0;
	ormc_sqlbuf_init(&b);
	ormc_sqlbuf_append(&b, "SELECT 1 FROM ");
	l->d->quote_ident(&b, m->table);
	ormc_sqlbuf_append(&b, " WHERE ");
	l->d->quote_ident(&b, m->pk->column);
	ormc_sqlbuf_append(&b, " = ");
	l->d->placeholder(&b, 1);
	rc = b.failed ? ormc_fixture__nomem(l)
	              : ormc_fixture__query_value(l, b.data, pk, 1, &found);
	ormc_sqlbuf_free(&b);
	*exists = rc == ORMC_OK && found.type != ORMC_TYPE_NULL;
	return rc;
}

int
ormc_fixture__note_touched(ormc_loader *l, const ormc_model *m,
                           ormc_touched **out)
{
	ormc_touched *v;
	ormc_sqlbuf b;
	ormc_value found;
	int i, rc;

	for (i = 0; i < l->ntouched; i++)
		if (l->touched[i].m == m) {
			*out = &l->touched[i];
			return ORMC_OK;
		}
	ormc_sqlbuf_init(&b);
	ormc_sqlbuf_append(&b, "SELECT 1 FROM ");
	l->d->quote_ident(&b, m->table);
	ormc_sqlbuf_append(&b, " LIMIT 1");
	rc = b.failed ? ormc_fixture__nomem(l)
	              : ormc_fixture__query_value(l, b.data, NULL, 0, &found);
	ormc_sqlbuf_free(&b);
	if (rc < 0)
		return rc;
	v = realloc(l->touched, (size_t)(l->ntouched + 1) * sizeof(*v));
	if (v == NULL)
		return ormc_fixture__nomem(l);
	l->touched = v;
	*out = &l->touched[l->ntouched++];
	memset(*out, 0, sizeof(**out));
	(*out)->m = m;
	(*out)->was_empty = found.type == ORMC_TYPE_NULL;
	return ORMC_OK;
}

/* Can the set hold this key? (integers and text; anything else is asked) */
static int
keyable(const ormc_value *v)
{
	return v->type == ORMC_TYPE_INT || v->type == ORMC_TYPE_BOOL ||
	       (v->type != ORMC_TYPE_NULL && v->s != NULL);
}

/* A key as the bytes of the set of inserted keys: "i" + digits, "s" + text. */
static int
key_bytes(ormc_loader *l, const ormc_value *v, char **out, size_t *len)
{
	char tmp[32];

	if (v->type == ORMC_TYPE_INT || v->type == ORMC_TYPE_BOOL) {
		*len = (size_t)snprintf(tmp, sizeof(tmp), "i%" PRId64, v->i);
		*out = ormc_arena_strndup(&l->a, tmp, *len);
	} else {
		*len = v->len + 1;
		*out = ormc_arena_alloc(&l->a, *len);
		if (*out != NULL) {
			(*out)[0] = 's';
			if (v->len > 0)
				memcpy(*out + 1, v->s, v->len);
		}
	}
	return *out == NULL ? ormc_fixture__nomem(l) : ORMC_OK;
}

/* Does a row with the record's key exist (see struct touched)? */
int
ormc_fixture__key_exists(ormc_loader *l, ormc_touched *t,
                         const ormc_value *pk, int *exists)
{
	char *k;
	size_t n;
	int rc;

	if (t->was_empty && !keyable(pk)) {
		t->was_empty = 0;
		ormc_keyset_free(&t->keys);
	}
	if (!t->was_empty)
		return row_exists(l, t->m, pk, exists);
	if ((rc = key_bytes(l, pk, &k, &n)) < 0)
		return rc;
	*exists = ormc_keyset_has(&t->keys, k, n);
	return ORMC_OK;
}

/* After an insert: remember its key, or give up the set (no key given). */
int
ormc_fixture__key_inserted(ormc_loader *l, ormc_touched *t,
                           const ormc_value *pk, int have_pk)
{
	char *k;
	size_t n;
	int rc;

	if (!t->was_empty)
		return ORMC_OK;
	if (!have_pk || !keyable(pk)) {
		/* the engine chose a key this load may name later */
		t->was_empty = 0;
		ormc_keyset_free(&t->keys);
		return ORMC_OK;
	}
	if ((rc = key_bytes(l, pk, &k, &n)) < 0)
		return rc;
	return ormc_keyset_add(&t->keys, k, n) < 0 ? ormc_fixture__nomem(l) : ORMC_OK;
}

/*
 * The row exists: replace the fields the fixture gives, as Django's
 * loaddata saves over it (fields the record leaves out keep their value:
 * ormc does not know the models' defaults).
 */
int
ormc_fixture__update_row(ormc_loader *l, const ormc_model *m,
                         const ormc_field **cols, const ormc_value *vals,
                         int ncols, const ormc_value *pk)
{
	ormc_sqlbuf b;
	ormc_value *p;
	int i, np = 0, rc;

	p = ormc_arena_alloc(&l->a, (size_t)(ncols + 1) * sizeof(*p));
	if (p == NULL)
		return ormc_fixture__nomem(l);
	ormc_sqlbuf_init(&b);
	ormc_sqlbuf_append(&b, "UPDATE ");
	l->d->quote_ident(&b, m->table);
	for (i = 0; i < ncols; i++) {
		if (cols[i] == m->pk)
			continue;
		ormc_sqlbuf_append(&b, np == 0 ? " SET " : ", ");
		l->d->quote_ident(&b, cols[i]->column);
		ormc_sqlbuf_append(&b, " = ");
		p[np] = vals[i];
		l->d->placeholder(&b, ++np);
	}
	ormc_sqlbuf_append(&b, " WHERE ");
	l->d->quote_ident(&b, m->pk->column);
	ormc_sqlbuf_append(&b, " = ");
	p[np] = *pk;
	l->d->placeholder(&b, ++np);
	if (b.failed)
		rc = ormc_fixture__nomem(l);
	else if (np == 1)
		rc = ORMC_OK;   /* nothing but the key */
	else
		rc = ormc_db_exec(l->db, b.data, p, np, l->err);
	ormc_sqlbuf_free(&b);
	return rc;
}

/* Drop the row's many-to-many links of field f before they are given anew. */
int
ormc_fixture__unlink_all(ormc_loader *l, const ormc_model *m,
                         const ormc_field *f, const ormc_value *pk)
{
	ormc_sqlbuf b;
	ormc_value p[2];
	int rc, np = 1;

	p[0] = p[1] = *pk;   /* "?" placeholders: the key once per use */
	ormc_sqlbuf_init(&b);
	ormc_sqlbuf_append(&b, "DELETE FROM ");
	l->d->quote_ident(&b, f->m2m_table);
	ormc_sqlbuf_append(&b, " WHERE ");
	l->d->quote_ident(&b, f->m2m_source_column);
	ormc_sqlbuf_append(&b, " = ");
	l->d->placeholder(&b, 1);
	if (f->symmetrical && f->target == m) {
		ormc_sqlbuf_append(&b, " OR ");
		l->d->quote_ident(&b, f->m2m_target_column);
		ormc_sqlbuf_append(&b, " = ");
		l->d->placeholder(&b, ++np);
	}
	rc = b.failed ? ormc_fixture__nomem(l)
	              : ormc_db_exec(l->db, b.data, p, np, l->err);
	ormc_sqlbuf_free(&b);
	return rc;
}

/*
 * A record without "pk" (dumpdata --natural-primary): the row whose
 * natural key has the record's values, if there is one.
 */
int
ormc_fixture__natural_primary(ormc_loader *l, const ormc_model *m,
                              const ormc_field **cols, const ormc_value *vals,
                              int ncols, ormc_value *pk)
{
	const ormc_field **keys;
	ormc_value *kv;
	int nkeys, i, k, rc;

	memset(pk, 0, sizeof(*pk));
	if ((rc = natural_key(l, m, -1, &keys, &nkeys)) < 0 || nkeys == 0)
		return rc;
	kv = ormc_arena_alloc(&l->a, (size_t)nkeys * sizeof(*kv));
	if (kv == NULL)
		return ormc_fixture__nomem(l);
	for (i = 0; i < nkeys; i++) {
		for (k = 0; k < ncols && cols[k] != keys[i]; k++)
			;
		if (k == ncols)
			return ORMC_OK;   /* the record does not give the whole key */
		kv[i] = vals[k];
	}
	return natural_lookup(l, m, keys, kv, nkeys, pk);
}
