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
 * over it. Whether it exists is known without a query per record: at the
 * start of each batch the keys its records give are looked up, per model
 * one query for a range of keys or one per 500 keys, and the keys the
 * batch inserts are kept (core/keyset.c); both sets are dropped at the end
 * of the batch, so memory follows the batch, not the file. A record without
 * a key (the engine chooses it) makes the model ask per record for the rest
 * of the batch. The natural keys a batch finds are kept likewise.
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
		if (w < 0)
			return ormc_error_set(l->err, ORMC_EINVALID, NULL, -1, 0,
			                      "model %s's natural_key() reads natural keys of "
			                      "relations more than 8 deep, or in a cycle", m->name);
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
 * The natural keys a batch has found, so that 200,000 orders of 300
 * customers ask for each customer once a batch: model, the key's values as
 * bytes, the row's primary key. Only keys found are kept, and only while no
 * row of the model is updated (its natural key may have changed). Byte for
 * byte the same values are the same row under any collation. In the
 * batch's arena.
 */
#define NATURAL_BUCKETS 1024

typedef struct ormc_natural {
	const ormc_model *m;
	unsigned updates;        /* the model's updates when found */
	char *key;
	size_t len;
	ormc_value pk;
	struct ormc_natural *next;
} ormc_natural;

/* The model's count of updated rows (0 if the fixture has no objects of it). */
static unsigned
updates_of(const ormc_loader *l, const ormc_model *m)
{
	int i;

	for (i = 0; i < l->ntouched; i++)
		if (l->touched[i].m == m)
			return l->touched[i].updates;
	return 0;
}

/* The values as bytes: per value its type, then its integer or its text. */
static char *
natural_bytes(ormc_loader *l, const ormc_value *vals, int n, size_t *len)
{
	size_t size = 0, at = 0;
	char *out;
	int i;

	for (i = 0; i < n; i++)
		size += 1 + sizeof(int64_t) + sizeof(size_t) +
		        (vals[i].s != NULL ? vals[i].len : 0);
	out = ormc_arena_alloc(&l->a, size + 1);
	if (out == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		const ormc_value *v = &vals[i];

		out[at++] = (char)v->type;
		if (v->s == NULL) {
			memcpy(out + at, &v->i, sizeof(int64_t));
			at += sizeof(int64_t);
		} else {
			memcpy(out + at, &v->len, sizeof(size_t));
			at += sizeof(size_t);
			memcpy(out + at, v->s, v->len);
			at += v->len;
		}
	}
	*len = at;
	return out;
}

static size_t
natural_hash(const ormc_model *m, const char *key, size_t len)
{
	uint64_t h = 14695981039346656037ULL ^ (uint64_t)(uintptr_t)m;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)key[i];
		h *= 1099511628211ULL;
	}
	return (size_t)(h % NATURAL_BUCKETS);
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
	ormc_natural *e;
	char *key;
	size_t klen, h;
	int i, np = 0, rc;

	memset(pk, 0, sizeof(*pk));
	p = ormc_arena_alloc(&l->a, (size_t)(n + 1) * sizeof(*p));
	if (p == NULL || m->pk == NULL)
		return p == NULL ? ormc_fixture__nomem(l) : ORMC_OK;
	if (l->natural == NULL) {
		l->natural = ormc_arena_alloc(&l->a, NATURAL_BUCKETS * sizeof(*l->natural));
		if (l->natural == NULL)
			return ormc_fixture__nomem(l);
		memset(l->natural, 0, NATURAL_BUCKETS * sizeof(*l->natural));
	}
	if ((key = natural_bytes(l, vals, n, &klen)) == NULL)
		return ormc_fixture__nomem(l);
	h = natural_hash(m, key, klen);
	for (e = l->natural[h]; e != NULL; e = e->next)
		if (e->m == m && e->len == klen && memcmp(e->key, key, klen) == 0 &&
		    e->updates == updates_of(l, m)) {
			*pk = e->pk;
			return ORMC_OK;
		}
	if ((rc = ormc_fixture__flush_for(l, m->table)) < 0)
		return rc;
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
	if (rc == ORMC_OK && pk->type != ORMC_TYPE_NULL) {
		e = ormc_arena_alloc(&l->a, sizeof(*e));
		if (e == NULL)
			return ormc_fixture__nomem(l);
		e->m = m;
		e->updates = updates_of(l, m);
		e->key = key;
		e->len = klen;
		e->pk = *pk;   /* its text is in the arena (query_value) */
		e->next = l->natural[h];
		l->natural[h] = e;
	}
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
	if ((rc = ormc_fixture__flush_for(l, m->table)) < 0)
		return rc;
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
ormc_fixture__note_touched(ormc_loader *l, const ormc_model *m, int *index_out)
{
	ormc_touched *v;
	int i;

	for (i = 0; i < l->ntouched; i++)
		if (l->touched[i].m == m) {
			*index_out = i;
			return ORMC_OK;
		}
	v = realloc(l->touched, (size_t)(l->ntouched + 1) * sizeof(*v));
	if (v == NULL)
		return ormc_fixture__nomem(l);
	l->touched = v;
	memset(&v[l->ntouched], 0, sizeof(*v));
	v[l->ntouched].m = m;
	*index_out = l->ntouched++;
	return ORMC_OK;
}

/* Can the sets hold this key? (integers and text; anything else is asked) */
static int
keyable(const ormc_value *v)
{
	return v->type == ORMC_TYPE_INT || v->type == ORMC_TYPE_BOOL ||
	       (v->type != ORMC_TYPE_NULL && v->s != NULL);
}

/*
 * A key as the bytes of the key sets: "i" + digits for an integer, "s" +
 * text otherwise. as_int: the record's key is an integer, and a value the
 * database answered in text is read as one.
 */
static int
key_bytes(ormc_loader *l, const ormc_value *v, int as_int, char **out,
          size_t *len)
{
	char tmp[32];

	if (v->type == ORMC_TYPE_INT || v->type == ORMC_TYPE_BOOL ||
	    (as_int && v->s != NULL && v->len > 0 && v->len < 24)) {
		int64_t i = v->i;

		if (v->type != ORMC_TYPE_INT && v->type != ORMC_TYPE_BOOL) {
			char *end;

			memcpy(tmp, v->s, v->len);
			tmp[v->len] = '\0';
			i = (int64_t)strtoll(tmp, &end, 10);
			if (*end != '\0')
				i = INT64_MIN;   /* no record's key: not found */
		}
		*len = (size_t)snprintf(tmp, sizeof(tmp), "i%" PRId64, i);
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

/* The key a batch's object gives in "pk", converted; NULL if none or bad. */
static const ormc_model *
object_key(ormc_loader *l, json_t *obj, ormc_value *pk)
{
	json_t *jm = json_object_get(obj, "model");
	json_t *jpk = json_object_get(obj, "pk");
	const ormc_model *m;
	ormc_error *outer = l->err, scratch;

	memset(pk, 0, sizeof(*pk));
	if (!json_is_string(jm) || jpk == NULL || json_is_null(jpk) ||
	    json_is_array(jpk) || json_is_object(jpk))
		return NULL;
	m = ormc_fixture__model(l->s, json_string_value(jm));
	if (m == NULL || m->pk == NULL)
		return NULL;
	/* a bad key is the object's error when it loads */
	l->err = &scratch;
	if (ormc_fixture__to_param(l, m->pk, jpk, pk) < 0 || !keyable(pk))
		m = NULL;
	l->err = outer;
	return m;
}

/*
 * Look up the keys of model t's objects in the batch (models[k] == t's
 * model), 500 at a time: SELECT pk FROM t WHERE pk IN (...). A key the
 * table gives back that is not byte for byte one asked for (another case
 * under a case-insensitive collation, say) makes the model unsure.
 */
static int
lookup_model(ormc_loader *l, int t, const ormc_model **models,
             const ormc_value *keys, size_t n)
{
	ormc_touched *tt = &l->touched[t];
	const ormc_model *m = tt->m;
	const ormc_driver *drv = l->db->conn->driver;
	ormc_keyset asked;
	ormc_value *p;
	ormc_sqlbuf b;
	size_t k = 0;
	int rc = ORMC_OK, as_int = 0;

	memset(&asked, 0, sizeof(asked));
	p = ormc_arena_alloc(&l->a, 500 * sizeof(*p));
	if (p == NULL)
		return ormc_fixture__nomem(l);
	while (k < n && rc == ORMC_OK) {
		ormc_cursor *cur = NULL;
		const ormc_value *row;
		int np = 0;

		ormc_sqlbuf_init(&b);
		for (; k < n && np < 500; k++) {
			char *kb;
			size_t kn;

			if (models[k] != m)
				continue;
			as_int = keys[k].type == ORMC_TYPE_INT;
			if ((rc = key_bytes(l, &keys[k], 0, &kb, &kn)) < 0)
				break;
			if (ormc_keyset_add(&asked, kb, kn) < 0) {
				rc = ormc_fixture__nomem(l);
				break;
			}
			ormc_sqlbuf_append(&b, np == 0 ? "" : ", ");
			p[np] = keys[k];
			l->d->placeholder(&b, ++np);
		}
		if (rc < 0 || np == 0) {
			ormc_sqlbuf_free(&b);
			break;
		}
		ormc_sqlbuf_appendc(&b, ')');
		{
			ormc_sqlbuf q;

			ormc_sqlbuf_init(&q);
			ormc_sqlbuf_append(&q, "SELECT ");
			l->d->quote_ident(&q, m->pk->column);
			ormc_sqlbuf_append(&q, " FROM ");
			l->d->quote_ident(&q, m->table);
			ormc_sqlbuf_append(&q, " WHERE ");
			l->d->quote_ident(&q, m->pk->column);
			ormc_sqlbuf_append(&q, " IN (");
			ormc_sqlbuf_append(&q, b.data != NULL ? b.data : "");
			if (q.failed || b.failed)
				rc = ormc_fixture__nomem(l);
			else
				rc = ormc_db_query(l->db, q.data, p, np, &cur, l->err);
			ormc_sqlbuf_free(&q);
		}
		ormc_sqlbuf_free(&b);
		while (rc == ORMC_OK && cur != NULL &&
		       (rc = drv->next(cur, &row, l->err)) > 0) {
			char *kb;
			size_t kn;

			rc = key_bytes(l, &row[0], as_int, &kb, &kn);
			if (rc == ORMC_OK && !ormc_keyset_has(&asked, kb, kn))
				tt->unsure = 1;
			else if (rc == ORMC_OK &&
			         ormc_keyset_add(&tt->present, kb, kn) < 0)
				rc = ormc_fixture__nomem(l);
		}
		if (rc > 0)
			rc = ORMC_OK;
		if (cur != NULL)
			drv->close_cursor(cur);
	}
	ormc_keyset_free(&asked);
	if (rc == ORMC_OK)
		tt->looked_up = 1;
	return rc;
}

/*
 * Integer keys close together (a dumpdata file is in key order): one
 * query for the range lo..hi, every key found in it kept, instead of lists
 * of keys to match, which cost PostgreSQL more to plan than to run.
 */
static int
lookup_range(ormc_loader *l, int t, int64_t lo, int64_t hi)
{
	ormc_touched *tt = &l->touched[t];
	const ormc_model *m = tt->m;
	const ormc_driver *drv = l->db->conn->driver;
	ormc_cursor *cur = NULL;
	const ormc_value *row;
	ormc_value p[2];
	ormc_sqlbuf b;
	int rc;

	memset(p, 0, sizeof(p));
	p[0].type = p[1].type = ORMC_TYPE_INT;
	p[0].i = lo;
	p[1].i = hi;
	ormc_sqlbuf_init(&b);
	ormc_sqlbuf_append(&b, "SELECT ");
	l->d->quote_ident(&b, m->pk->column);
	ormc_sqlbuf_append(&b, " FROM ");
	l->d->quote_ident(&b, m->table);
	ormc_sqlbuf_append(&b, " WHERE ");
	l->d->quote_ident(&b, m->pk->column);
	ormc_sqlbuf_append(&b, " >= ");
	l->d->placeholder(&b, 1);
	ormc_sqlbuf_append(&b, " AND ");
	l->d->quote_ident(&b, m->pk->column);
	ormc_sqlbuf_append(&b, " <= ");
	l->d->placeholder(&b, 2);
	rc = b.failed ? ormc_fixture__nomem(l)
	              : ormc_db_query(l->db, b.data, p, 2, &cur, l->err);
	ormc_sqlbuf_free(&b);
	while (rc == ORMC_OK && cur != NULL &&
	       (rc = drv->next(cur, &row, l->err)) > 0) {
		char *kb;
		size_t kn;

		rc = key_bytes(l, &row[0], 1, &kb, &kn);
		if (rc == ORMC_OK && ormc_keyset_add(&tt->present, kb, kn) < 0)
			rc = ormc_fixture__nomem(l);
	}
	if (rc > 0)
		rc = ORMC_OK;
	if (cur != NULL)
		drv->close_cursor(cur);
	if (rc == ORMC_OK)
		tt->looked_up = 1;
	return rc;
}

/* Are m's keys in keys[0..n) integers within 4 times their number? */
static int
dense(const ormc_model *m, const ormc_model **models, const ormc_value *keys,
      size_t n, int64_t *lo, int64_t *hi)
{
	size_t k, count = 0;

	for (k = 0; k < n; k++) {
		if (models[k] != m)
			continue;
		if (keys[k].type != ORMC_TYPE_INT)
			return 0;
		if (count == 0 || keys[k].i < *lo)
			*lo = keys[k].i;
		if (count == 0 || keys[k].i > *hi)
			*hi = keys[k].i;
		count++;
	}
	return count > 0 && *lo > INT64_MIN / 2 && *hi < INT64_MAX / 2 &&
	       (uint64_t)(*hi - *lo) < 4 * (uint64_t)count;
}

int
ormc_fixture__lookup_keys(ormc_loader *l, json_t *const *objs, size_t n)
{
	const ormc_model **models;
	ormc_value *keys;
	int64_t lo = 0, hi = 0;
	size_t k;
	int rc, t;

	models = ormc_arena_alloc(&l->a, (n + 1) * sizeof(*models));
	keys = ormc_arena_alloc(&l->a, (n + 1) * sizeof(*keys));
	if (models == NULL || keys == NULL)
		return ormc_fixture__nomem(l);
	for (k = 0; k < n; k++)
		models[k] = object_key(l, objs[k], &keys[k]);
	for (k = 0; k < n; k++) {
		if (models[k] == NULL)
			continue;
		if ((rc = ormc_fixture__note_touched(l, models[k], &t)) < 0)
			return rc;
		if (l->touched[t].looked_up)
			continue;
		if (dense(models[k], models + k, keys + k, n - k, &lo, &hi))
			rc = lookup_range(l, t, lo, hi);
		else
			rc = lookup_model(l, t, models + k, keys + k, n - k);
		if (rc < 0)
			return rc;
	}
	return ORMC_OK;
}

/* Does a row with the record's key exist (see struct ormc_touched)? */
int
ormc_fixture__key_exists(ormc_loader *l, int t, const ormc_value *pk,
                         int looked_up, int *exists)
{
	ormc_touched *tt = &l->touched[t];
	char *k;
	size_t n;
	int rc;

	*exists = 0;
	if (keyable(pk)) {
		if ((rc = key_bytes(l, pk, 0, &k, &n)) < 0)
			return rc;
		if (ormc_keyset_has(&tt->inserted, k, n)) {
			*exists = 1;
			return ORMC_OK;
		}
		if (looked_up && tt->looked_up && !tt->unsure) {
			*exists = ormc_keyset_has(&tt->present, k, n);
			return ORMC_OK;
		}
	}
	return row_exists(l, tt->m, pk, exists);
}

/* After an insert: remember its key, or ask from now on (no key given). */
int
ormc_fixture__key_inserted(ormc_loader *l, int t, const ormc_value *pk,
                           int have_pk)
{
	ormc_touched *tt = &l->touched[t];
	char *k;
	size_t n;
	int rc;

	if (!have_pk || !keyable(pk)) {
		/* the engine chose a key this batch may name later */
		tt->unsure = 1;
		return ORMC_OK;
	}
	if ((rc = key_bytes(l, pk, 0, &k, &n)) < 0)
		return rc;
	return ormc_keyset_add(&tt->inserted, k, n) < 0 ? ormc_fixture__nomem(l)
	                                                : ORMC_OK;
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
		ormc_dialect_value_placeholder(l->d, &b, ++np, cols[i]->kind == ORMC_FIELD_BINARY);
	}
	ormc_sqlbuf_append(&b, " WHERE ");
	l->d->quote_ident(&b, m->pk->column);
	ormc_sqlbuf_append(&b, " = ");
	p[np] = *pk;
	l->d->placeholder(&b, ++np);
	for (i = 0; i < l->ntouched; i++)
		if (l->touched[i].m == m)
			l->touched[i].updates++;
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

	if ((rc = ormc_fixture__flush_for(l, f->m2m_table)) < 0)
		return rc;
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
