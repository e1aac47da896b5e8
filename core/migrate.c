/*
 * migrate.c -- ormc migrate: create the tables that are missing, check the
 * ones that exist.
 *
 * The statements are ormc_ddl_build_tagged()'s, each tagged with the table
 * it creates or alters. Every table is looked up in the database's catalogue
 * first (nothing is written yet):
 *
 *   PostgreSQL  pg_attribute of to_regclass(name), format_type() of each
 *               column, attnotnull
 *   MySQL       information_schema.COLUMNS of DATABASE(): COLUMN_TYPE,
 *               IS_NULLABLE
 *   SQLite      pragma_table_info(name): type as declared, "notnull"
 *
 * (by the dialect, so through ODBC too). A table that is missing gets its
 * statements; a table that exists is checked against the models: each
 * model column must be there, of the same family of types as the one ormc
 * would create (integer, float, decimal, text, boolean, date, datetime,
 * time, duration, UUID: "int(11)" and "integer" agree, "timestamp" and
 * "timestamp with time zone" agree, lengths and precisions are not
 * compared), and NULL or NOT NULL as the field says (the primary key is
 * not checked for it). Columns the models do not know are left alone. Any
 * difference is reported (each through the note callback, the first in the
 * error) and nothing is created: a database half like the models is not
 * made worse. So a second `ormc migrate` finds every table and does
 * nothing.
 */
#include "ddl.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "error.h"
#include "sqlbuf.h"

/* Families of column types: what must agree between models and database. */
enum {
	FAM_OTHER, FAM_INT, FAM_FLOAT, FAM_DECIMAL, FAM_TEXT, FAM_BOOL, FAM_DATE,
	FAM_DATETIME, FAM_TIME, FAM_DURATION, FAM_UUID, FAM_JSON, FAM_BINARY
};

static const char *const family_names[] = {
	"an unknown", "an integer", "a floating-point", "a decimal", "a text",
	"a boolean", "a date", "a datetime", "a time", "a duration", "a UUID", "a JSON", "a binary"
};

/* A column as the models want it or as the catalogue has it. */
typedef struct column {
	char *name;
	char *type;
	int notnull;
	int pk;           /* expected side only: nullability not checked */
} column;

typedef struct column_list {
	column *items;
	int n;
	int cap;
} column_list;

typedef struct migrator {
	ormc_db *db;
	const ormc_dialect *d;
	const ormc_schema *s;
	const ormc_migrate_options *opts;
	ormc_error *err;
	int nmismatch;
	char first[600];  /* the first difference, for the error */
} migrator;

static int
dialect_is(const migrator *g, const char *name)
{
	return strcmp(g->d->name, name) == 0;
}

static int
nomem(migrator *g)
{
	return ormc_error_set(g->err, ORMC_ENOMEM, NULL, -1, 0, "out of memory");
}

static int
starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static int
family(const char *type)
{
	char t[128];
	size_t i;

	for (i = 0; type[i] != '\0' && i + 1 < sizeof(t); i++)
		t[i] = (char)tolower((unsigned char)type[i]);
	t[i] = '\0';
	if (strstr(t, "timestamp") != NULL || starts(t, "datetime"))
		return FAM_DATETIME;
	if (strstr(t, "interval") != NULL)
		return FAM_DURATION;
	if (starts(t, "date"))
		return FAM_DATE;
	if (starts(t, "time"))
		return FAM_TIME;
	if (strstr(t, "uuid") != NULL)
		return FAM_UUID;
	if (starts(t, "json"))
		return FAM_JSON;
	if (strstr(t, "blob") != NULL || starts(t, "bytea") || strstr(t, "binary") != NULL)
		return FAM_BINARY;
	if (starts(t, "bool") || starts(t, "tinyint(1)"))
		return FAM_BOOL;
	/* an IP address: Django's inet on PostgreSQL, char(39) elsewhere */
	if (strstr(t, "char") != NULL || strstr(t, "text") != NULL ||
	    strstr(t, "clob") != NULL || starts(t, "inet"))
		return FAM_TEXT;
	if (strstr(t, "int") != NULL)
		return FAM_INT;
	if (strstr(t, "double") != NULL || strstr(t, "real") != NULL ||
	    strstr(t, "float") != NULL)
		return FAM_FLOAT;
	if (strstr(t, "numeric") != NULL || strstr(t, "decimal") != NULL)
		return FAM_DECIMAL;
	return FAM_OTHER;
}

static void
columns_free(column_list *l)
{
	int i;

	for (i = 0; i < l->n; i++) {
		free(l->items[i].name);
		free(l->items[i].type);
	}
	free(l->items);
	memset(l, 0, sizeof(*l));
}

static int
columns_add(column_list *l, const char *name, size_t nlen, const char *type,
            size_t tlen, int notnull, int pk)
{
	column *c;

	if (l->n == l->cap) {
		int cap = l->cap ? l->cap * 2 : 16;
		column *v = realloc(l->items, (size_t)cap * sizeof(*v));

		if (v == NULL)
			return -1;
		l->items = v;
		l->cap = cap;
	}
	c = &l->items[l->n];
	c->name = malloc(nlen + 1);
	c->type = malloc(tlen + 1);
	if (c->name == NULL || c->type == NULL) {
		free(c->name);
		free(c->type);
		return -1;
	}
	memcpy(c->name, name, nlen);
	c->name[nlen] = '\0';
	memcpy(c->type, type, tlen);
	c->type[tlen] = '\0';
	c->notnull = notnull;
	c->pk = pk;
	l->n++;
	return 0;
}

static int
value_int(const ormc_value *v)
{
	switch (v->type) {
	case ORMC_TYPE_INT:
	case ORMC_TYPE_BOOL:
		return v->i != 0;
	case ORMC_TYPE_NULL:
		return 0;
	default:
		return v->s != NULL && v->len > 0 &&
		       (v->s[0] == '1' || v->s[0] == 't' || v->s[0] == 'T');
	}
}

/* The table's columns from the catalogue; none if it does not exist. */
static int
read_columns(migrator *g, const char *table, column_list *out)
{
	const char *sql;
	const ormc_driver *drv = g->db->conn->driver;
	ormc_cursor *cur = NULL;
	const ormc_value *row;
	ormc_value p;
	int rc;

	if (dialect_is(g, "postgresql"))
		sql = "SELECT a.attname, format_type(a.atttypid, a.atttypmod), "
		      "CASE WHEN a.attnotnull THEN 1 ELSE 0 END "
		      "FROM pg_catalog.pg_attribute a "
		      "WHERE a.attrelid = to_regclass(quote_ident($1::text)) "
		      "AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum";
	else if (dialect_is(g, "mysql"))
		sql = "SELECT COLUMN_NAME, COLUMN_TYPE, "
		      "CASE WHEN IS_NULLABLE = 'NO' THEN 1 ELSE 0 END "
		      "FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() "
		      "AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION";
	else
		sql = "SELECT name, type, \"notnull\" FROM pragma_table_info(?) "
		      "ORDER BY cid";
	memset(&p, 0, sizeof(p));
	p.type = ORMC_TYPE_TEXT;
	p.s = table;
	p.len = strlen(table);
	rc = ormc_db_query(g->db, sql, &p, 1, &cur, g->err);
	if (rc < 0)
		return rc;
	while (cur != NULL && (rc = drv->next(cur, &row, g->err)) > 0) {
		if (cur->ncols < 3 || row[0].s == NULL)
			continue;
		if (columns_add(out, row[0].s, row[0].len,
		                row[1].s != NULL ? row[1].s : "",
		                row[1].s != NULL ? row[1].len : 0,
		                value_int(&row[2]), 0) < 0) {
			rc = nomem(g);
			break;
		}
	}
	if (cur != NULL)
		drv->close_cursor(cur);
	return rc < 0 ? rc : ORMC_OK;
}

static int
expect(migrator *g, column_list *l, const char *name, const char *type,
       int notnull, int pk)
{
	if (columns_add(l, name, strlen(name), type, strlen(type), notnull, pk) < 0)
		return nomem(g);
	return ORMC_OK;
}

/* The columns ormc would create for table (a model's, or an M2M table). */
static int
expected_columns(migrator *g, const char *table, column_list *out)
{
	char buf[160];
	int i, k, rc;

	for (i = 0; i < g->s->nmodels; i++) {
		const ormc_model *m = g->s->models[i];

		if (strcmp(m->table, table) != 0)
			continue;
		for (k = 0; k < m->nfields; k++) {
			const ormc_field *f = m->fields[k];

			if (!ormc_field_is_concrete(f) ||
			    f->kind == ORMC_FIELD_MANYTOMANY)
				continue;
			rc = expect(g, out, f->column,
			            ormc_ddl_column_type(g->d, f, buf, sizeof(buf)),
			            !f->null, f == m->pk);
			if (rc < 0)
				return rc;
		}
		return ORMC_OK;
	}
	for (i = 0; i < g->s->nmodels; i++) {
		const ormc_model *m = g->s->models[i];

		for (k = 0; k < m->nfields; k++) {
			const ormc_field *f = m->fields[k];

			if (f->kind != ORMC_FIELD_MANYTOMANY || f->m2m_table == NULL ||
			    strcmp(f->m2m_table, table) != 0)
				continue;
			if ((rc = expect(g, out, "id", "integer", 1, 1)) < 0 ||
			    (rc = expect(g, out, f->m2m_source_column,
			                 ormc_ddl_m2m_source_type(g->d, f, buf,
			                                          sizeof(buf)),
			                 1, 0)) < 0 ||
			    (rc = expect(g, out, f->m2m_target_column,
			                 ormc_ddl_column_type(g->d, f, buf, sizeof(buf)),
			                 1, 0)) < 0)
				return rc;
			return ORMC_OK;
		}
	}
	return ORMC_OK;
}

static void
note(migrator *g, ormc_migrate_note kind, const char *text)
{
	if (g->opts != NULL && g->opts->note != NULL)
		g->opts->note(g->opts->ctx, kind, text);
}

static void
mismatch(migrator *g, const char *text)
{
	if (g->nmismatch++ == 0)
		snprintf(g->first, sizeof(g->first), "%s", text);
	note(g, ORMC_MIGRATE_MISMATCH, text);
}

static const column *
find_column(const column_list *l, const char *name)
{
	int i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->items[i].name, name) == 0)
			return &l->items[i];
	/* MySQL and SQLite match column names without regard to case */
	for (i = 0; i < l->n; i++) {
		const char *a = l->items[i].name, *b = name;

		for (; *a && *b && tolower((unsigned char)*a) ==
		                   tolower((unsigned char)*b); a++, b++)
			;
		if (*a == '\0' && *b == '\0')
			return &l->items[i];
	}
	return NULL;
}

/* Compare an existing table with the models; differences are noted. */
static void
check_table(migrator *g, const char *table, const column_list *want,
            const column_list *found)
{
	char text[600];
	int i;

	for (i = 0; i < want->n; i++) {
		const column *w = &want->items[i];
		const column *f = find_column(found, w->name);
		int fw = family(w->type), ff;

		if (f == NULL) {
			snprintf(text, sizeof(text),
			         "table \"%s\": column \"%s\" is missing (expected %s "
			         "column)", table, w->name, family_names[fw]);
			mismatch(g, text);
			continue;
		}
		ff = family(f->type);
		/* MariaDB's JSON is a LONGTEXT (with a JSON_VALID check), as Django makes it */
		if (ff != fw && !(fw == FAM_JSON && ff == FAM_TEXT && dialect_is(g, "mysql"))) {
			snprintf(text, sizeof(text),
			         "table \"%s\", column \"%s\": expected %s column, found "
			         "\"%s\"", table, w->name, family_names[fw], f->type);
			mismatch(g, text);
		}
		if (!w->pk && w->notnull != f->notnull) {
			snprintf(text, sizeof(text),
			         "table \"%s\", column \"%s\": expected %s, found %s",
			         table, w->name, w->notnull ? "NOT NULL" : "NULL allowed",
			         f->notnull ? "NOT NULL" : "NULL allowed");
			mismatch(g, text);
		}
	}
}

int
ormc_migrate_with(ormc_db *db, const ormc_schema *s,
                  const ormc_migrate_options *opts, int *ncreated_out,
                  ormc_error *err)
{
	char **stmts = NULL;
	const char **tables = NULL;
	char *missing = NULL;   /* per statement: its table is to be created */
	migrator g;
	int i, k, n = 0, rc, ncreated = 0, began = 0;

	if (ncreated_out != NULL)
		*ncreated_out = 0;
	ormc_error_clear(err);
	if (db == NULL || db->dialect == NULL || s == NULL)
		return ormc_error_set(err, ORMC_EINVALID, NULL, -1, 0,
		                      "no connection or schema");
	memset(&g, 0, sizeof(g));
	g.db = db;
	g.d = db->dialect;
	g.s = s;
	g.opts = opts;
	g.err = err;
	rc = ormc_ddl_build_tagged(s, db->dialect, &stmts, &tables, &n, err);
	if (rc < 0)
		return rc;
	missing = calloc((size_t)n + 1, 1);
	if (missing == NULL) {
		rc = nomem(&g);
		goto done;
	}

	/* Look at every table first: nothing is written unless all agree. */
	for (i = 0; i < n; i++) {
		column_list want, found;

		for (k = 0; k < i && strcmp(tables[k], tables[i]) != 0; k++)
			;
		if (k < i) {
			missing[i] = missing[k];
			continue;
		}
		memset(&want, 0, sizeof(want));
		memset(&found, 0, sizeof(found));
		rc = read_columns(&g, tables[i], &found);
		if (rc == ORMC_OK && found.n == 0) {
			missing[i] = 1;
			ncreated++;
		} else if (rc == ORMC_OK) {
			rc = expected_columns(&g, tables[i], &want);
			if (rc == ORMC_OK)
				check_table(&g, tables[i], &want, &found);
		}
		columns_free(&want);
		columns_free(&found);
		if (rc < 0)
			goto done;
	}
	if (g.nmismatch > 0) {
		rc = ormc_error_set(err, ORMC_EDRIVER, NULL, -1, 0,
		                    "the database does not match the models "
		                    "(%d difference%s): %s; nothing was changed",
		                    g.nmismatch, g.nmismatch == 1 ? "" : "s", g.first);
		goto done;
	}

	for (i = 0; i < n; i++) {
		for (k = 0; k < i && strcmp(tables[k], tables[i]) != 0; k++)
			;
		if (missing[i] && k == i)
			note(&g, ORMC_MIGRATE_CREATED, tables[i]);
	}
	if (opts != NULL && opts->dry_run) {
		for (i = 0; i < n; i++)
			if (missing[i])
				note(&g, ORMC_MIGRATE_STATEMENT, stmts[i]);
		goto done;
	}
	if (ncreated == 0)
		goto done;
	rc = ormc_db_begin(db, err);
	began = rc == ORMC_OK;
	for (i = 0; rc == ORMC_OK && i < n; i++) {
		if (!missing[i])
			continue;
		rc = ormc_db_exec(db, stmts[i], NULL, 0, err);
		if (rc == ORMC_OK)
			note(&g, ORMC_MIGRATE_STATEMENT, stmts[i]);
	}
	if (rc == ORMC_OK)
		rc = ormc_db_commit(db, err);
	if (rc < 0 && began)
		ormc_db_rollback(db, NULL);   /* keep the first error */

done:
	if (rc == ORMC_OK && ncreated_out != NULL)
		*ncreated_out = ncreated;
	free(missing);
	free(tables);
	ormc_ddl_free(stmts, n);
	return rc;
}

int
ormc_migrate(ormc_db *db, const ormc_schema *s, ormc_error *err)
{
	return ormc_migrate_with(db, s, NULL, NULL, err);
}
