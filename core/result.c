/*
 * result.c -- running a compiled query and streaming Django-typed rows.
 *
 * The driver yields what the engine gave; every cell is converted to the
 * Django type of its column (core/convert.c) as it is read, into buffers the
 * result owns, so memory does not grow with the number of rows.
 */
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "error.h"
#include "query.h"
#include "types.h"

#define CELL_BUF 128

struct ormc_result {
	ormc_query *q;
	ormc_cursor *cur;
	int ncols;
	ormc_value *row;          /* converted cells */
	char *text;               /* converted text of the current row */
	size_t textcap;
	ormc_shape shape;
	int done;
};

int
ormc_query_run(ormc_result **out, ormc_db *db, ormc_query *q, ormc_error *err)
{
	ormc_result *r;
	ormc_cursor *cur = NULL;
	int rc;

	*out = NULL;
	ormc_error_clear(err);
	if (q->sql == NULL || q->dialect == NULL || strcmp(q->dialect, db->dialect->name) != 0 ||
	    q->server_version != db->server_version) {
		rc = ormc_plan_compile(q, db->dialect->name, db->server_version, err);
		if (rc < 0)
			return rc;
	}
	{
		/* Parameters live in the plan arena as pointers: pass a flat copy. */
		ormc_value *flat = NULL;
		int i;

		if (q->nparams > 0) {
			flat = malloc(sizeof(*flat) * (size_t)q->nparams);
			if (flat == NULL)
				return ormc_error_set(err, ORMC_ENOMEM, NULL, -1, 0, "out of memory");
			for (i = 0; i < q->nparams; i++)
				flat[i] = *q->params[i];
		}
		rc = ormc_db_query(db, q->sql, flat, q->nparams, &cur, err);
		free(flat);
	}
	if (rc < 0)
		return rc;
	r = calloc(1, sizeof(*r));
	if (r == NULL) {
		if (cur)
			db->conn->driver->close_cursor(cur);
		return ormc_error_set(err, ORMC_ENOMEM, NULL, -1, 0, "out of memory");
	}
	r->q = q;
	r->cur = cur;
	r->ncols = q->ncolumns;
	r->shape = ormc_query_shape(q);
	r->row = calloc((size_t)(r->ncols ? r->ncols : 1), sizeof(ormc_value));
	if (r->row == NULL) {
		ormc_result_free(r);
		return ormc_error_set(err, ORMC_ENOMEM, NULL, -1, 0, "out of memory");
	}
	if (cur == NULL)
		r->done = 1;
	*out = r;
	return ORMC_OK;
}

int
ormc_result_ncolumns(const ormc_result *r)
{
	return r->ncols;
}

const char *
ormc_result_column(const ormc_result *r, int i)
{
	return ormc_query_column(r->q, i);
}

ormc_shape
ormc_result_shape(const ormc_result *r)
{
	return r->shape;
}

int
ormc_result_next(ormc_result *r, const ormc_value **row, ormc_error *err)
{
	const ormc_value *raw;
	int rc, i;
	size_t off;

	if (r->done)
		return 0;
	rc = r->cur->conn->driver->next(r->cur, &raw, err);
	if (rc <= 0) {
		r->done = 1;
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
				r->done = 1;
				return ormc_error_set(err, ORMC_ENOMEM, NULL, -1, 0, "out of memory");
			}
			r->text = t;
			r->textcap = need;
		}
	}
	for (i = 0, off = 0; i < r->ncols && i < r->cur->ncols; i++) {
		rc = ormc_convert(&raw[i], &r->q->coltypes[i], &r->row[i],
		                  r->text + off, raw[i].len + CELL_BUF, err);
		off += raw[i].len + CELL_BUF;
		if (rc < 0) {
			r->done = 1;
			return rc;
		}
	}
	*row = r->row;
	return 1;
}

void
ormc_result_free(ormc_result *r)
{
	if (r == NULL)
		return;
	if (r->cur)
		r->cur->conn->driver->close_cursor(r->cur);
	free(r->row);
	free(r->text);
	free(r);
}
