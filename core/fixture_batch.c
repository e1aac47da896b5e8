/*
 * fixture_batch.c -- the new rows of a fixture load, written in batches.
 *
 * A record whose key is new (most of a dumpdata file) is not inserted at
 * once: its row waits in a list per table, and so do its many-to-many
 * pairs, until the batch ends or a statement reads or changes a table
 * that has rows waiting (a natural key looked up, a row updated, an
 * existing key asked for: ormc_fixture__flush_for). Then each list goes to the bulk writer
 * (core/bulk.h): COPY FROM STDIN on PostgreSQL, multi-row INSERT elsewhere.
 * The lists keep the order of the file; rows of one table wait in one list
 * while their records give the same fields, a record with other fields
 * writes what waits first.
 *
 * All of it happens within the load's transaction, and each flush within a
 * savepoint: when the engine refuses a batch (a NOT NULL or unique
 * constraint), the flush rolls back to the savepoint and writes the same
 * rows again one INSERT each, so the error is the engine's own for the
 * first row it refuses and names that row's object, as a load row by row
 * did. The values wait in the batch's arena and JSON (fixture.c).
 */
#include "fixture.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulk.h"
#include "error.h"

/* The rows waiting for one table. */
typedef struct ormc_pending {
	const ormc_model *m;     /* the model whose table, or whose field's join table */
	const ormc_field *m2m;   /* the many-to-many field, or NULL */
	const ormc_field **cols; /* model rows: the fields, in the record's order */
	const char **names;      /* the columns, for the bulk writer */
	int ncols;
	ormc_value *vals;        /* nrows * ncols */
	size_t *objs;            /* each row's object number */
	const char **labels;     /* ... and model label */
	int nrows, cap;
} ormc_pending;

static void
pending_free(ormc_pending *p)
{
	free(p->cols);
	free(p->names);
	free(p->vals);
	free(p->objs);
	free(p->labels);
}

static void
drop_pending(ormc_loader *l)
{
	int i;

	for (i = 0; i < l->npending; i++)
		pending_free(&l->pending[i]);
	free(l->pending);
	l->pending = NULL;
	l->npending = 0;
}

/* A new list for m's table (f == NULL: cols) or f's join table. */
static int
new_pending(ormc_loader *l, const ormc_model *m, const ormc_field *f,
            const ormc_field **cols, int ncols, ormc_pending **out)
{
	ormc_pending *v, *p;
	int i;

	v = realloc(l->pending, (size_t)(l->npending + 1) * sizeof(*v));
	if (v == NULL)
		return ormc_fixture__nomem(l);
	l->pending = v;
	p = &v[l->npending];
	memset(p, 0, sizeof(*p));
	p->m = m;
	p->m2m = f;
	p->ncols = f != NULL ? 2 : ncols;
	p->names = calloc((size_t)p->ncols, sizeof(*p->names));
	if (f == NULL)
		p->cols = calloc((size_t)ncols, sizeof(*p->cols));
	if (p->names == NULL || (f == NULL && p->cols == NULL)) {
		pending_free(p);
		return ormc_fixture__nomem(l);
	}
	if (f != NULL) {
		p->names[0] = f->m2m_source_column;
		p->names[1] = f->m2m_target_column;
	} else {
		for (i = 0; i < ncols; i++) {
			p->cols[i] = cols[i];
			p->names[i] = cols[i]->column;
		}
	}
	l->npending++;
	*out = p;
	return ORMC_OK;
}

static int
add_row(ormc_loader *l, ormc_pending *p, const ormc_value *vals)
{
	if (p->nrows == p->cap) {
		int cap = p->cap > 0 ? 2 * p->cap : 64;
		ormc_value *v = realloc(p->vals, (size_t)cap * (size_t)p->ncols *
		                                 sizeof(*v));
		size_t *o;
		const char **lb;

		if (v == NULL)
			return ormc_fixture__nomem(l);
		p->vals = v;
		o = realloc(p->objs, (size_t)cap * sizeof(*o));
		if (o == NULL)
			return ormc_fixture__nomem(l);
		p->objs = o;
		lb = realloc(p->labels, (size_t)cap * sizeof(*lb));
		if (lb == NULL)
			return ormc_fixture__nomem(l);
		p->labels = lb;
		p->cap = cap;
	}
	memcpy(&p->vals[(size_t)p->nrows * (size_t)p->ncols], vals,
	       (size_t)p->ncols * sizeof(*vals));
	p->objs[p->nrows] = l->object;
	p->labels[p->nrows] = l->label;
	p->nrows++;
	return ORMC_OK;
}

int
ormc_fixture__queue_row(ormc_loader *l, const ormc_model *m,
                        const ormc_field **cols, const ormc_value *vals,
                        int ncols)
{
	ormc_pending *p = NULL;
	int i, rc;

	assert(ncols > 0);
	for (i = 0; i < l->npending; i++)
		if (l->pending[i].m == m && l->pending[i].m2m == NULL)
			p = &l->pending[i];
	if (p != NULL && (p->ncols != ncols ||
	                  memcmp(p->cols, cols, (size_t)ncols * sizeof(*cols)) != 0)) {
		/* other fields: what waits goes first, in the file's order */
		if ((rc = ormc_fixture__flush(l)) < 0)
			return rc;
		p = NULL;
	}
	if (p == NULL && (rc = new_pending(l, m, NULL, cols, ncols, &p)) < 0)
		return rc;
	return add_row(l, p, vals);
}

int
ormc_fixture__queue_link(ormc_loader *l, const ormc_field *f,
                         const ormc_value *src, const ormc_value *dst)
{
	ormc_pending *p = NULL;
	ormc_value row[2];
	int i, rc;

	for (i = 0; i < l->npending; i++)
		if (l->pending[i].m2m == f)
			p = &l->pending[i];
	if (p == NULL && (rc = new_pending(l, f->model, f, NULL, 0, &p)) < 0)
		return rc;
	row[0] = *src;
	row[1] = *dst;
	return add_row(l, p, row);
}

static const char *
table_of(const ormc_pending *p)
{
	return p->m2m != NULL ? p->m2m->m2m_table : p->m->table;
}

/* Does f hold a BinaryField's bytes (written with the dialect's blob_placeholder)? */
static int
is_binary(const ormc_field *f)
{
	const ormc_field *vf = ormc_field_value_field(f);

	return vf != NULL && vf->kind == ORMC_FIELD_BINARY;
}

/* One list through the bulk writer. */
static int
write_bulk(ormc_loader *l, const ormc_pending *p)
{
	ormc_bulk *w;
	int r, rc;

	rc = ormc_bulk_open(&w, l->db, table_of(p), p->names, p->ncols, 0, l->err);
	for (r = 0; rc == ORMC_OK && p->cols != NULL && r < p->ncols; r++)
		if (is_binary(p->cols[r]))
			rc = ormc_bulk_set_binary(w, r, l->err);
	for (r = 0; rc == ORMC_OK && r < p->nrows; r++)
		rc = ormc_bulk_append(w, &p->vals[(size_t)r * (size_t)p->ncols],
		                      l->err);
	if (rc == ORMC_OK)
		rc = ormc_bulk_finish(w, l->err);
	ormc_bulk_free(w);
	return rc;
}

/*
 * The same rows again, one INSERT each, after the engine refused the batch:
 * the first row it refuses is the error, with its object's number.
 */
static int
write_rows(ormc_loader *l, const ormc_pending *p)
{
	ormc_sqlbuf b;
	int r, c, rc = ORMC_OK;

	ormc_sqlbuf_init(&b);
	ormc_sqlbuf_append(&b, "INSERT INTO ");
	l->d->quote_ident(&b, table_of(p));
	for (c = 0; c < p->ncols; c++) {
		ormc_sqlbuf_append(&b, c == 0 ? " (" : ", ");
		l->d->quote_ident(&b, p->names[c]);
	}
	for (c = 0; c < p->ncols; c++) {
		ormc_sqlbuf_append(&b, c == 0 ? ") VALUES (" : ", ");
		ormc_dialect_value_placeholder(l->d, &b, c + 1, p->cols != NULL && is_binary(p->cols[c]));
	}
	ormc_sqlbuf_appendc(&b, ')');
	if (b.failed)
		rc = ormc_fixture__nomem(l);
	for (r = 0; rc == ORMC_OK && r < p->nrows; r++) {
		rc = ormc_db_exec(l->db, b.data, &p->vals[(size_t)r * (size_t)p->ncols],
		                  p->ncols, l->err);
		if (rc < 0) {
			l->err_object = p->objs[r];
			l->err_label = p->labels[r];
		}
	}
	ormc_sqlbuf_free(&b);
	return rc;
}

int
ormc_fixture__flush(ormc_loader *l)
{
	ormc_error bulk_err;
	int i, rc = ORMC_OK, failed = -1;

	if (l->npending == 0)
		return ORMC_OK;
	if ((rc = ormc_db_exec(l->db, "SAVEPOINT ormc_load", NULL, 0, l->err)) < 0)
		goto out;
	for (i = 0; i < l->npending && rc == ORMC_OK; i++)
		if ((rc = write_bulk(l, &l->pending[i])) < 0)
			failed = i;
	if (rc == ORMC_OK) {
		rc = ormc_db_exec(l->db, "RELEASE SAVEPOINT ormc_load", NULL, 0, l->err);
		goto out;
	}
	/* find the row the engine refuses, and say which object it is */
	assert(failed >= 0);
	bulk_err = *l->err;
	if (ormc_db_exec(l->db, "ROLLBACK TO SAVEPOINT ormc_load", NULL, 0,
	                 NULL) < 0) {
		*l->err = bulk_err;   /* the first error, without its object */
		goto out;
	}
	rc = ORMC_OK;
	for (i = 0; i < l->npending && rc == ORMC_OK; i++)
		rc = write_rows(l, &l->pending[i]);
	if (rc == ORMC_OK) {
		/* each row went in alone: the batch's error stands, for its rows */
		const ormc_pending *p = &l->pending[failed];

		*l->err = bulk_err;
		rc = bulk_err.code < 0 ? bulk_err.code : ORMC_EDRIVER;
		ormc_error_set(l->err, rc, NULL, -1, 0,
		               "the rows of objects %zu to %zu, written together: %s",
		               p->objs[0], p->objs[p->nrows - 1], bulk_err.message);
		memcpy(l->err->sqlstate, bulk_err.sqlstate, sizeof(bulk_err.sqlstate));
		l->err_object = p->objs[0];
		l->err_label = p->labels[0];
	}
out:
	drop_pending(l);
	return rc;
}

int
ormc_fixture__flush_for(ormc_loader *l, const char *table)
{
	int i;

	for (i = 0; i < l->npending; i++)
		if (strcmp(table_of(&l->pending[i]), table) == 0)
			return ormc_fixture__flush(l);
	return ORMC_OK;
}

void
ormc_fixture__batch_end(ormc_loader *l)
{
	int i;

	drop_pending(l);
	l->natural = NULL;   /* in the batch's arena */
	for (i = 0; i < l->ntouched; i++) {
		ormc_touched *t = &l->touched[i];

		ormc_keyset_free(&t->present);
		ormc_keyset_free(&t->inserted);
		t->looked_up = 0;
		t->unsure = 0;
	}
}

void
ormc_fixture__loader_free(ormc_loader *l)
{
	ormc_fixture__batch_end(l);
	free(l->touched);
	free(l->reseed);
	l->touched = NULL;
	l->ntouched = 0;
	l->reseed = NULL;
	l->nreseed = 0;
}
