/*
 * qinfo.c -- what a query says about its rows, for comparing results of the
 * same query from several databases (`ormc compare`): how its rows are
 * identified (by position, by a key, or as a multiset), and which text
 * columns it groups, orders or takes distinct values by (whose answer then
 * depends on the column's collation); plus the collation of a column on a
 * MySQL/MariaDB server.
 *
 * Everything here reads the query's IR (query.h) only: no compile needed.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "error.h"
#include "query.h"
#include "qwalk.h"

ormc_rows_kind
ormc_query_rows(const ormc_query *q)
{
	const ormc_qs *qs = q->qs;

	if (qs->terminal != ORMC_TERM_NONE || qs->single)
		return ORMC_ROWS_ONE;
	if (qs->norder > 0)
		return ORMC_ROWS_ORDERED;
	/* Meta.ordering applies as the planner applies it (planner.c, "ORDER BY"). */
	if (!qs->order_set && !qs->grouped && !qs->per_object && qs->values_set == 0 &&
	    qs->model->nordering > 0)
		return ORMC_ROWS_ORDERED;
	return ormc_query_nkeys(q) > 0 ? ORMC_ROWS_KEYED : ORMC_ROWS_UNORDERED;
}

/* The result key of the model's primary key column, as the planner names it. */
static const char *
pk_name(const ormc_model *m)
{
	const ormc_field *pk = m->pk;

	if (pk == NULL)
		return NULL;
	/* a foreign key as primary key is selected as its attname, "parent_id": not a key here */
	if (pk->kind == ORMC_FIELD_FOREIGNKEY || pk->kind == ORMC_FIELD_ONETOONE)
		return NULL;
	return pk->name;
}

/*
 * Does x read a column across a multi-valued relation (reverse foreign key,
 * many-to-many) outside an aggregate? Each row of the model then comes once
 * per related row, and its primary key no longer names one row.
 */
static int
multi_col(ormc_qwalker *w, const ormc_expr *x)
{
	int i;

	(void)w;
	if (x->has_agg)
		return ORMC_WALK_PRUNE;     /* an aggregate is one value per row */
	if (x->kind == ORMC_EXPR_COL && x->path != NULL)
		for (i = 0; i < x->path->nhops; i++)
			switch (x->path->hops[i]->kind) {
			case ORMC_FIELD_REVERSE_FK:
			case ORMC_FIELD_MANYTOMANY:
			case ORMC_FIELD_REVERSE_M2M:
				return ORMC_WALK_ABORT;
			default:
				break;
			}
	return ORMC_WALK_CONTINUE;
}

static int
multi_valued(const ormc_expr *x)
{
	/* a condition reads "some related row": it repeats no row */
	ormc_qwalker w = { multi_col, ormc_qwalk_prune_cond, ORMC_QWALK_REFS, NULL, 0 };

	return ormc_qwalk_expr(&w, x) == ORMC_WALK_ABORT;
}

/* Is the primary key one of the selected columns, naming one row each? */
static int
pk_selected(const ormc_qs *qs)
{
	const char *pk = pk_name(qs->model);
	int i;

	if (pk == NULL)
		return 0;
	for (i = 0; i < qs->nannots; i++)
		if (multi_valued(qs->annots[i]->expr))
			return 0;
	for (i = 0; i < qs->nvalues; i++)
		if (multi_valued(qs->values[i].expr))
			return 0;
	if (!qs->values_set || qs->nvalues == 0)
		return 1;       /* model rows: every concrete field */
	for (i = 0; i < qs->nvalues; i++) {
		const ormc_expr *x = qs->values[i].expr;

		if (x->kind == ORMC_EXPR_COL && x->path->nhops == 0 &&
		    x->path->field == qs->model->pk && x->ntransforms == 0 &&
		    strcmp(qs->values[i].name, pk) == 0)
			return 1;
	}
	return 0;
}

int
ormc_query_nkeys(const ormc_query *q)
{
	const ormc_qs *qs = q->qs;

	if (qs->terminal != ORMC_TERM_NONE || qs->single)
		return 0;
	if (qs->grouped)
		return qs->ngroup;
	/* rows of the model's table (grouped per object or not): the primary key, when selected */
	if (qs->inner == NULL && pk_selected(qs))
		return 1;
	return 0;
}

const char *
ormc_query_key(const ormc_query *q, int i)
{
	const ormc_qs *qs = q->qs;

	if (i < 0 || i >= ormc_query_nkeys(q))
		return NULL;
	if (qs->grouped)
		return qs->group[i].name;
	return pk_name(qs->model);
}

/* ---- ordering columns ------------------------------------------------------ */


/* The result key of a concrete field of the model's own rows ("publisher_id" for a relation). */
static const char *
own_column(const ormc_field *f)
{
	if (f == NULL || !ormc_field_is_concrete(f))
		return NULL;
	if (f->kind == ORMC_FIELD_FOREIGNKEY || f->kind == ORMC_FIELD_ONETOONE)
		return NULL;      /* selected as "x_id": no name to borrow; not an ordering key here */
	return f->name;
}

/* The selected column that x reads, or NULL. */
static const char *
selected(const ormc_qs *qs, const ormc_expr *x)
{
	int i;

	if (qs->values_set && qs->nvalues > 0) {
		for (i = 0; i < qs->nvalues; i++)
			if (ormc_expr_same_column(qs->values[i].expr, x))
				return qs->values[i].name;
		return NULL;
	}
	if (x->kind == ORMC_EXPR_REF)
		return x->annot->hidden ? NULL : x->annot->alias;
	if (x->kind == ORMC_EXPR_COL && x->path->nhops == 0 && x->ntransforms == 0)
		return own_column(x->path->field);
	return NULL;
}

int
ormc_query_norder(const ormc_query *q)
{
	const ormc_qs *qs = q->qs;

	if (ormc_query_rows(q) != ORMC_ROWS_ORDERED)
		return 0;
	return qs->norder > 0 ? qs->norder : qs->model->nordering;
}

const char *
ormc_query_order_column(const ormc_query *q, int i)
{
	const ormc_qs *qs = q->qs;
	const char *name;

	if (i < 0 || i >= ormc_query_norder(q))
		return NULL;
	if (qs->norder > 0)
		return selected(qs, qs->order[i].expr);
	/* Meta.ordering of model rows (ormc_query_rows(): no values()) */
	name = qs->model->ordering[i];
	name += name[0] == '-';
	return own_column(ormc_model_field(qs->model, name));
}

/* ---- text columns whose collation decides the answer ----------------------- */

typedef struct collector {
	const char **tables;
	const char **columns;
	int max;
	int n;
	int sensitive;           /* while walking: the value walked is grouped, ordered or distinct */
} collector;

static void
add_column(collector *c, const ormc_field *f)
{
	int i;

	if (f->column == NULL || (f->kind != ORMC_FIELD_CHAR && f->kind != ORMC_FIELD_TEXT &&
	                          f->kind != ORMC_FIELD_IPADDRESS))
		return;
	for (i = 0; i < c->n && i < c->max; i++)
		if (strcmp(c->tables[i], f->model->table) == 0 && strcmp(c->columns[i], f->column) == 0)
			return;
	if (c->n < c->max) {
		c->tables[c->n] = f->model->table;
		c->columns[c->n] = f->column;
	}
	c->n++;         /* past max, possibly a duplicate: ormc_query_text_columns() recounts */
}

/*
 * The text columns whose collation matters, collected by walking the IR
 * with c->sensitive saying whether the value walked is itself grouped,
 * ordered or made distinct. Inside an aggregate only Min, Max and distinct
 * aggregates compare their argument's values; an aggregate's filter=
 * compares as a filter does. A condition's columns matter when a
 * case-insensitive lookup (iexact, icontains, istartswith, iendswith)
 * compares them, which MySQL evaluates with LIKE under the column's
 * collation, so that a "_ci" collation also ignores accents there; the
 * other lookups are binary on MySQL (docs/dialects.md, "Text").
 */
static int
text_expr(ormc_qwalker *w, const ormc_expr *x)
{
	collector *c = w->ctx;
	int i, was = c->sensitive;

	switch (x->kind) {
	case ORMC_EXPR_COL:
		if (c->sensitive && x->path != NULL && x->path->field != NULL)
			add_column(c, x->path->field);
		return ORMC_WALK_PRUNE;
	case ORMC_EXPR_AGG:
		ormc_qwalk_cond(w, x->filter);
		c->sensitive = x->distinct || strcmp(x->func, "Min") == 0 || strcmp(x->func, "Max") == 0;
		for (i = 0; i < x->nargs; i++)
			ormc_qwalk_expr(w, x->args[i]);
		c->sensitive = was;
		return ORMC_WALK_PRUNE;
	default:
		return ORMC_WALK_CONTINUE;
	}
}

static int
text_cond(ormc_qwalker *w, const ormc_cond *cond)
{
	collector *c = w->ctx;
	int was = c->sensitive;

	if (cond->kind != ORMC_COND_LEAF)
		return cond->kind == ORMC_COND_EXPR ? ORMC_WALK_PRUNE : ORMC_WALK_CONTINUE;
	switch (cond->lookup) {
	case ORMC_LOOKUP_IEXACT:
	case ORMC_LOOKUP_ICONTAINS:
	case ORMC_LOOKUP_ISTARTSWITH:
	case ORMC_LOOKUP_IENDSWITH:
		c->sensitive = 1;
		ormc_qwalk_expr(w, cond->lhs);
		c->sensitive = was;
		break;
	default:
		break;
	}
	return ORMC_WALK_PRUNE;
}

static void
walk_expr(collector *c, const ormc_expr *x, int sensitive)
{
	ormc_qwalker w = { text_expr, text_cond, ORMC_QWALK_REFS | ORMC_QWALK_INNER, c, 0 };

	c->sensitive = sensitive;
	ormc_qwalk_expr(&w, x);
}

static void
walk_cond(collector *c, const ormc_cond *cond)
{
	ormc_qwalker w = { text_expr, text_cond, ORMC_QWALK_REFS | ORMC_QWALK_INNER, c, 0 };

	c->sensitive = 0;
	ormc_qwalk_cond(&w, cond);
}

static void
walk_level(collector *c, const ormc_qs *qs)
{
	int i;

	for (; qs != NULL; qs = qs->inner) {
		if (qs->grouped)
			for (i = 0; i < qs->ngroup; i++)
				walk_expr(c, qs->group[i].expr, 1);
		for (i = 0; i < qs->norder; i++)
			walk_expr(c, qs->order[i].expr, 1);
		if (qs->distinct)
			for (i = 0; i < qs->nvalues; i++)
				walk_expr(c, qs->values[i].expr, 1);
		for (i = 0; i < qs->ndistinct_on; i++)
			walk_expr(c, qs->distinct_on[i], 1);
		for (i = 0; i < qs->nannots; i++)
			walk_expr(c, qs->annots[i]->expr, 0);
		for (i = 0; i < qs->naggregates; i++)
			walk_expr(c, qs->aggregates[i]->expr, 0);
		for (i = 0; i < qs->nfilters; i++)
			walk_cond(c, qs->filters[i].cond);
	}
}

int
ormc_query_text_columns(const ormc_query *q, const char **tables, const char **columns,
                        int max)
{
	collector c;

	assert(max == 0 || (tables != NULL && columns != NULL));
	c.tables = tables;
	c.columns = columns;
	c.max = max < 0 ? 0 : max;
	c.n = 0;
	/*
	 * Past max, duplicates cannot be recognised: collect into a buffer of
	 * the right size instead, so the count returned is exact.
	 */
	walk_level(&c, q->qs);
	if (c.n > c.max) {
		const char **t = malloc(sizeof(*t) * (size_t)c.n), **col = malloc(sizeof(*col) * (size_t)c.n);
		int n = c.n;

		if (t == NULL || col == NULL) {
			free(t);
			free(col);
			return ORMC_ENOMEM;
		}
		c.tables = t;
		c.columns = col;
		c.max = n;
		c.n = 0;
		walk_level(&c, q->qs);
		n = c.n;
		free(t);
		free(col);
		return n;
	}
	return c.n;
}

int
ormc_db_column_collation(ormc_db *db, const char *table, const char *column, char *buf,
                         size_t n, ormc_error *err)
{
	static const char sql[] =
		"SELECT COLLATION_NAME FROM information_schema.COLUMNS"
		" WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND COLUMN_NAME = ?";
	ormc_value params[2];
	ormc_cursor *cur = NULL;
	const ormc_value *row;
	int rc, found = 0;

	ormc_error_clear(err);
	if (db == NULL || table == NULL || column == NULL || (buf == NULL && n > 0))
		return ormc_error_set(err, ORMC_EINVALID, NULL, -1, 0,
		                      "invalid arguments to ormc_db_column_collation");
	if (n > 0)
		buf[0] = '\0';
	if (strcmp(db->dialect->name, "mysql") != 0)
		return 0;
	memset(params, 0, sizeof(params));
	params[0].type = ORMC_TYPE_TEXT;
	params[0].s = table;
	params[0].len = strlen(table);
	params[1].type = ORMC_TYPE_TEXT;
	params[1].s = column;
	params[1].len = strlen(column);
	if ((rc = ormc_db_query(db, sql, params, 2, &cur, err)) < 0)
		return rc;
	if (cur == NULL)
		return 0;
	while ((rc = db->conn->driver->next(cur, &row, err)) > 0) {
		if (found || row[0].type != ORMC_TYPE_TEXT)
			continue;
		found = 1;
		if (n > 0) {
			size_t len = row[0].len < n - 1 ? row[0].len : n - 1;

			memcpy(buf, row[0].s, len);
			buf[len] = '\0';
		}
	}
	db->conn->driver->close_cursor(cur);
	return rc < 0 ? rc : found;
}
