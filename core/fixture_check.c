/*
 * fixture_check.c -- the foreign keys of a load, checked before it commits.
 *
 * While a fixture loads, the engines' own checks are off or deferred
 * (FOREIGN_KEY_CHECKS=0 on MySQL, foreign_keys off on SQLite, constraints
 * deferred on PostgreSQL), so objects may come in any order, as in Django's
 * loaddata. Before the commit every foreign key of every model the fixture
 * touched, and both columns of its many-to-many tables, are checked with
 * the same anti-join on every engine:
 *
 *   SELECT c.pk, c.fk FROM child c
 *   WHERE c.fk IS NOT NULL
 *     AND NOT EXISTS (SELECT 1 FROM parent p WHERE p.pk = c.fk)
 *   ORDER BY c.pk LIMIT 1
 *
 * rather than SQLite's PRAGMA foreign_key_check or PostgreSQL's deferred
 * check at COMMIT, for two reasons: the message is the same on every
 * engine and through ODBC ("Order pk=17: field 'product' refers to Product
 * pk=999, which does not exist"), and a foreign key the database never
 * declared (SQLite cannot add one that closes a cycle; a table made by
 * hand) is checked all the same, from the models. Django's
 * check_constraints() also checks whole tables, not just the rows loaded.
 * The first violation (lowest key) is the error, with SQLSTATE 23503 as
 * PostgreSQL gives it; the caller rolls back.
 */
#include "fixture.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "db.h"
#include "error.h"
#include "sqlbuf.h"

/* A key as the message shows it: 17, abc, 2026-01-01. */
static void
key_text(const ormc_value *v, char *buf, size_t n)
{
	switch (v->type) {
	case ORMC_TYPE_NULL:
		snprintf(buf, n, "NULL");
		break;
	case ORMC_TYPE_INT:
	case ORMC_TYPE_BOOL:
		snprintf(buf, n, "%" PRId64, v->i);
		break;
	case ORMC_TYPE_FLOAT:
		snprintf(buf, n, "%.17g", v->f);
		break;
	default:
		snprintf(buf, n, "%.*s", (int)(v->len < 100 ? v->len : 100),
		         v->s != NULL ? v->s : "");
		break;
	}
}

/*
 * Run the anti-join in b; when it finds a row, set err from fmt with the
 * row's two values as text ("%s" twice, in fmt's order).
 */
static int
first_orphan(ormc_db *db, ormc_sqlbuf *b, char *k1, char *k2, size_t n,
             int *found, ormc_error *err)
{
	const ormc_driver *drv = db->conn->driver;
	ormc_cursor *cur = NULL;
	const ormc_value *row;
	int rc;

	*found = 0;
	if (b->failed)
		return ormc_error_set(err, ORMC_ENOMEM, NULL, -1, 0, "out of memory");
	rc = ormc_db_query(db, b->data, NULL, 0, &cur, err);
	if (rc < 0 || cur == NULL)
		return rc;
	rc = drv->next(cur, &row, err);
	if (rc > 0 && cur->ncols >= 2) {
		key_text(&row[0], k1, n);
		key_text(&row[1], k2, n);
		*found = 1;
	}
	drv->close_cursor(cur);
	return rc < 0 ? rc : ORMC_OK;
}

static int
violation(ormc_error *err, const char *fmt, const char *a, const char *b,
          const char *c, const char *d, const char *e)
{
	ormc_error_set(err, ORMC_EDRIVER, NULL, -1, 0, fmt, a, b, c, d, e);
	if (err != NULL)
		memcpy(err->sqlstate, "23503", 6);
	return ORMC_EDRIVER;
}

/*
 * SELECT c.<ccol_a>, c.<ccol_b> FROM <child> c WHERE c.<fk> IS NOT NULL AND
 * NOT EXISTS (SELECT 1 FROM <parent> p WHERE p.<pk> = c.<fk>)
 * ORDER BY c.<ccol_a>, c.<ccol_b> LIMIT 1
 */
static void
anti_join(const ormc_dialect *d, ormc_sqlbuf *b, const char *child,
          const char *cola, const char *colb, const char *fk,
          const char *parent, const char *pk)
{
	ormc_sqlbuf_reset(b);
	ormc_sqlbuf_append(b, "SELECT c.");
	d->quote_ident(b, cola);
	ormc_sqlbuf_append(b, ", c.");
	d->quote_ident(b, colb);
	ormc_sqlbuf_append(b, " FROM ");
	d->quote_ident(b, child);
	ormc_sqlbuf_append(b, " c WHERE c.");
	d->quote_ident(b, fk);
	ormc_sqlbuf_append(b, " IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ");
	d->quote_ident(b, parent);
	ormc_sqlbuf_append(b, " p WHERE p.");
	d->quote_ident(b, pk);
	ormc_sqlbuf_append(b, " = c.");
	d->quote_ident(b, fk);
	ormc_sqlbuf_append(b, ") ORDER BY c.");
	d->quote_ident(b, cola);
	ormc_sqlbuf_append(b, ", c.");
	d->quote_ident(b, colb);
	ormc_sqlbuf_append(b, " LIMIT 1");
}

static int
check_field(ormc_db *db, ormc_sqlbuf *b, const ormc_model *m,
            const ormc_field *f, ormc_error *err)
{
	const ormc_dialect *d = db->dialect;
	char k1[128], k2[128];
	int found = 0, rc;
	const ormc_model *t = f->target;

	if (t == NULL || t->pk == NULL || t->pk->column == NULL ||
	    m->pk == NULL || m->pk->column == NULL)
		return ORMC_OK;
	if (f->kind == ORMC_FIELD_FOREIGNKEY || f->kind == ORMC_FIELD_ONETOONE) {
		if (f->column == NULL)
			return ORMC_OK;
		anti_join(d, b, m->table, m->pk->column, f->column, f->column,
		          t->table, t->pk->column);
		rc = first_orphan(db, b, k1, k2, sizeof(k1), &found, err);
		if (rc == ORMC_OK && found)
			rc = violation(err, "%s pk=%s: field '%s' refers to %s pk=%s, "
			               "which does not exist", m->name, k1, f->name,
			               t->name, k2);
		return rc;
	}
	if (f->kind != ORMC_FIELD_MANYTOMANY || f->m2m_table == NULL)
		return ORMC_OK;
	/* the target side: the usual mistake */
	anti_join(d, b, f->m2m_table, f->m2m_source_column, f->m2m_target_column,
	          f->m2m_target_column, t->table, t->pk->column);
	rc = first_orphan(db, b, k1, k2, sizeof(k1), &found, err);
	if (rc == ORMC_OK && found)
		return violation(err, "%s pk=%s: field '%s' refers to %s pk=%s, "
		                 "which does not exist", m->name, k1, f->name,
		                 t->name, k2);
	if (rc < 0)
		return rc;
	/* the source side: rows of the join table left by someone else */
	anti_join(d, b, f->m2m_table, f->m2m_source_column, f->m2m_target_column,
	          f->m2m_source_column, m->table, m->pk->column);
	rc = first_orphan(db, b, k1, k2, sizeof(k1), &found, err);
	if (rc == ORMC_OK && found)
		return violation(err, "%s pk=%s, which does not exist, has %s pk=%s "
		                 "in field '%s'", m->name, k1, t->name, k2, f->name);
	return rc;
}

int
ormc_fixture_check_fks(ormc_db *db, const ormc_model *const *models, int n,
                       ormc_error *err)
{
	ormc_sqlbuf b;
	int i, k, rc = ORMC_OK;

	ormc_sqlbuf_init(&b);
	for (i = 0; i < n && rc == ORMC_OK; i++) {
		const ormc_model *m = models[i];

		for (k = 0; k < m->nfields && rc == ORMC_OK; k++)
			rc = check_field(db, &b, m, m->fields[k], err);
	}
	ormc_sqlbuf_free(&b);
	return rc;
}
