/*
 * result.c -- running a compiled query and streaming Django-typed rows.
 *
 * The driver yields what the engine gave; every cell is converted to the
 * Django type of its column (core/convert.c) as it is read, into buffers the
 * result owns, so memory does not grow with the number of rows.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "error.h"
#include "query.h"
#include "result_int.h"
#include "types.h"

#define CELL_BUF 128

struct ormc_result {
	const ormc_compiled *c;   /* the statement's compile: columns and their types */
	ormc_stmt *owned;         /* freed with the result (ormc_query_run's own statement) */
	ormc_db *db;
	ormc_prepent *prep;       /* the connection's prepared statement this cursor keeps busy */
	ormc_cursor *cur;
	int ncols;
	ormc_value *row;          /* converted cells */
	char *text;               /* converted text of the current row */
	size_t textcap;
	ormc_shape shape;
	int done;
	int raw_floats;           /* ormc_result_set_raw_floats() */
	char *kept;               /* get(): the row's text, kept while the others are read */
};

int
ormc_result_open(ormc_result **out, ormc_db *db, const ormc_stmt *st, uint64_t cache_id,
                 const ormc_value *vals, ormc_stmt *owned, ormc_error *err)
{
	const ormc_compiled *c = ormc_stmt_compiled(st);
	ormc_result *r;
	ormc_cursor *cur = NULL;
	ormc_prepent *ent = NULL;
	int rc;

	*out = NULL;
	if (cache_id != 0)
		rc = ormc_db_execute_cached(db, cache_id, c->sql, vals, c->nslots, &cur, &ent, err);
	else
		rc = ormc_db_query(db, c->sql, vals, c->nslots, &cur, err);
	if (rc < 0) {
		ormc_stmt_free(owned);
		return rc;
	}
	r = calloc(1, sizeof(*r));
	if (r != NULL)
		r->row = calloc((size_t)(c->ncolumns ? c->ncolumns : 1), sizeof(ormc_value));
	if (r == NULL || r->row == NULL) {
		if (cur)
			db->conn->driver->close_cursor(cur);
		ormc_db_release(db, ent);
		if (r)
			free(r);
		ormc_stmt_free(owned);
		return ormc_error_set(err, ORMC_ENOMEM, NULL, -1, 0, "out of memory");
	}
	r->c = c;
	r->owned = owned;
	r->db = db;
	r->prep = ent;
	r->cur = cur;
	r->ncols = c->ncolumns;
	r->shape = c->shape;
	if (cur == NULL) {
		r->done = 1;
		ormc_db_release(db, ent);
		r->prep = NULL;
	}
	*out = r;
	return ORMC_OK;
}

int
ormc_query_execute(ormc_result **out, ormc_db *db, const ormc_query *q, const ormc_params *ps,
                   ormc_error *err)
{
	ormc_stmt *st;
	ormc_arena a;
	ormc_value *vals;
	int rc;

	if (out == NULL || q == NULL)
		return ormc_error_set(err, ORMC_EINVALID, NULL, -1, 0, "no query or no output");
	*out = NULL;
	ormc_error_clear(err);
	rc = ormc_stmt_prepare_for(&st, q, db, err);
	if (rc < 0)
		return rc;
	ormc_arena_init(&a);
	rc = ormc_stmt_bind(st, ps, &a, &vals, err);
	if (rc == ORMC_OK)
		rc = ormc_result_open(out, db, st, 0, vals, st, err);
	else
		ormc_stmt_free(st);
	ormc_arena_free(&a);
	return rc;
}

int
ormc_query_run(ormc_result **out, ormc_db *db, ormc_query *q, ormc_error *err)
{
	if (out == NULL || q == NULL)
		return ormc_error_set(err, ORMC_EINVALID, NULL, -1, 0, "no query or no output");
	*out = NULL;
	ormc_error_clear(err);
	if (q->nqparams > 0)
		return ormc_error_set(err, ORMC_EPARAM, q->text, q->qparams[0]->pos,
		                      (int)strlen(q->qparams[0]->name),
		                      "parameter '%s' is not bound: execute the query with a parameter "
		                      "set (ormc_query_execute, ormc_stmt_execute)", q->qparams[0]->name);
	return ormc_query_execute(out, db, q, NULL, err);
}

int
ormc_result_ncolumns(const ormc_result *r)
{
	return r->ncols;
}

const char *
ormc_result_column(const ormc_result *r, int i)
{
	return i >= 0 && i < r->ncols ? r->c->columns[i] : NULL;
}

int
ormc_result_column_index(const ormc_result *r, const char *name)
{
	int i;

	for (i = 0; name != NULL && i < r->ncols; i++)
		if (strcmp(r->c->columns[i], name) == 0)
			return i;
	return -1;
}

ormc_type
ormc_result_column_type(const ormc_result *r, int i)
{
	return i >= 0 && i < r->ncols ? ormc_otype_value_type(&r->c->coltypes[i]) : ORMC_TYPE_NULL;
}

void
ormc_result_set_raw_floats(ormc_result *r, int raw)
{
	r->raw_floats = raw != 0;
}

ormc_shape
ormc_result_shape(const ormc_result *r)
{
	return r->shape;
}

int
ormc_result_single(const ormc_result *r)
{
	return r->c->single;
}

/* Close the cursor: the connection's prepared statement is free again. */
static void
finish(ormc_result *r)
{
	r->done = 1;
	if (r->cur)
		r->cur->conn->driver->close_cursor(r->cur);
	r->cur = NULL;
	ormc_db_release(r->db, r->prep);
	r->prep = NULL;
}

static int next_row(ormc_result *r, const ormc_value **row, ormc_error *err);

/*
 * get(): the one row, after reading the others the query gave (at most 20
 * more: its LIMIT is 21), with Django's errors for none and for several.
 */
static int
get_row(ormc_result *r, const ormc_value **row, ormc_error *err)
{
	const ormc_value *raw;
	int rc, n = 1;

	assert(r->c->get_model != NULL);
	if ((rc = next_row(r, row, err)) < 0)
		return rc;
	if (rc == 0)
		return ormc_error_set(err, ORMC_EINVALID, NULL, -1, 0, "%s matching query does not exist.",
		                      r->c->get_model);
	{
		/* A cell's text may be the driver's, which its next row overwrites. */
		size_t need = 1, off = 0;
		int i;

		for (i = 0; i < r->ncols; i++)
			if (r->row[i].s != NULL)
				need += r->row[i].len;
		if ((r->kept = malloc(need)) == NULL) {
			finish(r);
			return ormc_error_set(err, ORMC_ENOMEM, NULL, -1, 0, "out of memory");
		}
		for (i = 0; i < r->ncols; i++)
			if (r->row[i].s != NULL) {
				memcpy(r->kept + off, r->row[i].s, r->row[i].len);
				r->row[i].s = r->kept + off;
				off += r->row[i].len;
			}
	}
	while (!r->done && (rc = r->cur->conn->driver->next(r->cur, &raw, err)) > 0)
		n++;
	finish(r);
	if (rc < 0)
		return rc;
	if (n > 1) {
		if (n > 20)
			return ormc_error_set(err, ORMC_EINVALID, NULL, -1, 0,
			                      "get() returned more than one %s -- it returned more than 20!",
			                      r->c->get_model);
		return ormc_error_set(err, ORMC_EINVALID, NULL, -1, 0,
		                      "get() returned more than one %s -- it returned %d!", r->c->get_model, n);
	}
	return 1;
}

int
ormc_result_next(ormc_result *r, const ormc_value **row, ormc_error *err)
{
	if (r->done)
		return 0;
	if (r->c->get_model != NULL)
		return get_row(r, row, err);
	return next_row(r, row, err);
}

static int
next_row(ormc_result *r, const ormc_value **row, ormc_error *err)
{
	const ormc_value *raw;
	int rc, i;
	size_t off;

	if (r->done)
		return 0;
	rc = r->cur->conn->driver->next(r->cur, &raw, err);
	if (rc <= 0) {
		finish(r);
		return rc;
	}
	{
		/* Room for every cell's text: its raw length plus formatting slack. */
		size_t need = 0;

		for (i = 0; i < r->ncols && i < r->cur->ncols; i++)
			need += raw[i].len + CELL_BUF;
		if (need > r->textcap) {
			char *t = realloc(r->text, need);

			if (t == NULL) {
				finish(r);
				return ormc_error_set(err, ORMC_ENOMEM, NULL, -1, 0, "out of memory");
			}
			r->text = t;
			r->textcap = need;
		}
	}
	for (i = 0, off = 0; i < r->ncols && i < r->cur->ncols; i++) {
		rc = ormc_convert(&raw[i], &r->c->coltypes[i], &r->row[i],
		                  r->text + off, raw[i].len + CELL_BUF, err);
		off += raw[i].len + CELL_BUF;
		if (rc < 0) {
			finish(r);
			return rc;
		}
		if (r->raw_floats && r->row[i].type == ORMC_TYPE_FLOAT)
			(void)ormc_raw_double(&raw[i], &r->row[i].f);   /* converted, so a number */
	}
	*row = r->row;
	return 1;
}

void
ormc_result_free(ormc_result *r)
{
	if (r == NULL)
		return;
	finish(r);
	free(r->row);
	free(r->text);
	free(r->kept);
	ormc_stmt_free(r->owned);
	free(r);
}
