/*
 * ddl.c -- CREATE TABLE for a schema in a dialect.
 *
 * Tables come out as Django's migrations would create them, closely enough
 * that queries behave the same: the primary key first, then the concrete
 * fields in declaration order, NOT NULL unless null=True, a foreign key typed
 * like its target's primary key (an AutoField target gives a plain integer)
 * with REFERENCES target(pk), UNIQUE for unique=True and each
 * Meta.unique_together, and one table per ManyToManyField with an `id`
 * key, the two foreign keys and UNIQUE (source, target). Every foreign key
 * column gets an index, as Django adds (InnoDB makes its own), named
 * "<table>_<column>_idx" (Django's "<table>_<column>_<hash>" differs only in
 * the suffix). On MySQL the foreign keys are table constraints, since it
 * ignores inline REFERENCES. ormc migrate itself (checking what exists,
 * creating what is missing) is core/migrate.c.
 *
 * Tables are ordered so that a table comes after the tables it references.
 * A cycle of foreign keys (A -> B -> A) cannot be ordered: the reference
 * that closes it is added afterwards with ALTER TABLE, except on SQLite,
 * which has no ADD CONSTRAINT (ormc leaves its foreign keys unenforced).
 * A self-reference needs nothing special.
 */
#include "ddl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "error.h"
#include "sqlbuf.h"

typedef struct stmt_list {
	char **items;
	const char **tables;   /* the table each statement creates or alters */
	int n;
	int cap;
	int failed;
} stmt_list;

static void
push(stmt_list *l, ormc_sqlbuf *b, const char *table)
{
	char *s = ormc_sqlbuf_detach(b);

	if (s == NULL) {
		l->failed = 1;
		return;
	}
	if (l->n == l->cap) {
		int cap = l->cap ? l->cap * 2 : 16;
		char **items = realloc(l->items, (size_t)cap * sizeof(char *));
		const char **tables;

		if (items == NULL) {
			free(s);
			l->failed = 1;
			return;
		}
		l->items = items;
		tables = realloc(l->tables, (size_t)cap * sizeof(char *));
		if (tables == NULL) {
			free(s);
			l->failed = 1;
			return;
		}
		l->tables = tables;
		l->cap = cap;
	}
	l->tables[l->n] = table;
	l->items[l->n++] = s;
}

static int
is_mysql(const ormc_dialect *d)
{
	return strcmp(d->name, "mysql") == 0;
}

static int
is_sqlite(const ormc_dialect *d)
{
	return strcmp(d->name, "sqlite") == 0;
}

static int
is_auto(ormc_field_kind k)
{
	return k == ORMC_FIELD_AUTO || k == ORMC_FIELD_BIGAUTO ||
	       k == ORMC_FIELD_SMALLAUTO;
}

static int
is_fk(const ormc_field *f)
{
	return f->kind == ORMC_FIELD_FOREIGNKEY || f->kind == ORMC_FIELD_ONETOONE;
}

/* A column on the model's own table: not M2M, not a reverse end. */
static int
concrete(const ormc_field *f)
{
	switch (f->kind) {
	case ORMC_FIELD_MANYTOMANY:
	case ORMC_FIELD_REVERSE_FK:
	case ORMC_FIELD_REVERSE_O2O:
	case ORMC_FIELD_REVERSE_M2M:
		return 0;
	default:
		return f->column != NULL;
	}
}

/* Standard spellings, for a dialect without a column_type hook. */
static const char *
default_type(const ormc_field *f, char *buf, size_t n)
{
	switch (f->kind) {
	case ORMC_FIELD_AUTO:
	case ORMC_FIELD_SMALLAUTO:
		return f->primary_key ? "integer NOT NULL PRIMARY KEY" : "integer";
	case ORMC_FIELD_BIGAUTO:
		return f->primary_key ? "bigint NOT NULL PRIMARY KEY" : "bigint";
	case ORMC_FIELD_CHAR:
		snprintf(buf, n, "varchar(%d)", f->max_length > 0 ? f->max_length : 255);
		return buf;
	case ORMC_FIELD_TEXT: return "text";
	case ORMC_FIELD_BIGINTEGER: return "bigint";
	case ORMC_FIELD_SMALLINTEGER: return "smallint";
	case ORMC_FIELD_POSITIVESMALLINTEGER: return "smallint";
	case ORMC_FIELD_POSITIVEBIGINTEGER: return "bigint";
	case ORMC_FIELD_JSON: return "text";
	case ORMC_FIELD_BINARY: return "blob";
	case ORMC_FIELD_FLOAT: return "double precision";
	case ORMC_FIELD_DECIMAL:
		snprintf(buf, n, "decimal(%d, %d)", f->max_digits, f->decimal_places);
		return buf;
	case ORMC_FIELD_BOOLEAN: return "boolean";
	case ORMC_FIELD_DATE: return "date";
	case ORMC_FIELD_DATETIME: return "timestamp";
	case ORMC_FIELD_TIME: return "time";
	case ORMC_FIELD_DURATION: return "bigint";
	case ORMC_FIELD_UUID: return "char(32)";
	case ORMC_FIELD_IPADDRESS: return "char(39)";
	default: return "integer";
	}
}

static const char *
col_type(const ormc_dialect *d, const ormc_field *f, char *buf, size_t n)
{
	const char *t = NULL;

	if (d->column_type != NULL)
		t = d->column_type(f, buf, n);
	return t ? t : default_type(f, buf, n);
}

/*
 * The field whose type a foreign key column takes: the target's primary key
 * (followed through a pk that is itself a one-to-one, as with multi-table
 * inheritance), as a plain non-key column. NULL when unknown.
 */
static const ormc_field *
fk_target_pk(const ormc_field *f)
{
	const ormc_field *t = f;
	int guard = 0;

	if (f->kind == ORMC_FIELD_MANYTOMANY)   /* its join table's target column */
		t = f->target ? f->target->pk : NULL;

	while (t != NULL && is_fk(t) && guard++ < 32)
		t = t->target ? t->target->pk : NULL;
	return t != NULL && is_fk(t) ? NULL : t;
}

static const char *
fk_type(const ormc_dialect *d, const ormc_field *f, char *buf, size_t n)
{
	const ormc_field *pk = fk_target_pk(f);
	ormc_field tmp;

	if (pk == NULL) {
		memset(&tmp, 0, sizeof(tmp));
		tmp.kind = ORMC_FIELD_INTEGER;
		tmp.max_length = tmp.max_digits = tmp.decimal_places = -1;
	} else {
		tmp = *pk;
	}
	tmp.primary_key = 0;
	tmp.unique = 0;
	tmp.null = f->null;
	tmp.name = f->name;
	tmp.column = f->column;
	tmp.model = f->model;
	switch (tmp.kind) {
	case ORMC_FIELD_AUTO: tmp.kind = ORMC_FIELD_INTEGER; break;
	case ORMC_FIELD_BIGAUTO: tmp.kind = ORMC_FIELD_BIGINTEGER; break;
	case ORMC_FIELD_SMALLAUTO: tmp.kind = ORMC_FIELD_SMALLINTEGER; break;
	default: break;
	}
	return col_type(d, &tmp, buf, n);
}

static const char *
pk_column(const ormc_model *m)
{
	return m->pk && m->pk->column ? m->pk->column : "id";
}

/*
 * A foreign key of column `column` to target's pk: inline after the column,
 * or, on MySQL (which parses and ignores inline REFERENCES), as a table
 * constraint appended to tail.
 */
static void references(const ormc_dialect *d, ormc_sqlbuf *b,
                       const ormc_model *target);

static void
foreign_key(const ormc_dialect *d, ormc_sqlbuf *b, ormc_sqlbuf *tail,
            const char *column, const ormc_model *target)
{
	if (!is_mysql(d)) {
		references(d, b, target);
		return;
	}
	ormc_sqlbuf_append(tail, ", FOREIGN KEY (");
	d->quote_ident(tail, column);
	ormc_sqlbuf_appendc(tail, ')');
	references(d, tail, target);
}

static void
references(const ormc_dialect *d, ormc_sqlbuf *b, const ormc_model *target)
{
	ormc_sqlbuf_append(b, " REFERENCES ");
	d->quote_ident(b, target->table);
	ormc_sqlbuf_append(b, " (");
	d->quote_ident(b, pk_column(target));
	ormc_sqlbuf_appendc(b, ')');
	/* Django's PostgreSQL and SQLite backends create them deferrable */
	if (!is_mysql(d))
		ormc_sqlbuf_append(b, " DEFERRABLE INITIALLY DEFERRED");
}

/* Index name "table_column_idx", shortened with a hash past 60 bytes. */
static void
index_name(char *out, size_t n, const char *table, const char *column)
{
	unsigned long h = 2166136261UL;
	const char *p;

	if (strlen(table) + strlen(column) + 5 <= 60 &&
	    snprintf(out, n, "%s_%s_idx", table, column) < (int)n)
		return;
	for (p = table; *p; p++)
		h = ((h ^ (unsigned char)*p) * 16777619UL) & 0xffffffffUL;
	for (p = column; *p; p++)
		h = ((h ^ (unsigned char)*p) * 16777619UL) & 0xffffffffUL;
	snprintf(out, n, "%.24s_%.24s_%08lx", table, column, h);
}

static void
create_index(const ormc_dialect *d, stmt_list *l, const char *table,
             const char *column)
{
	ormc_sqlbuf b;
	char name[72];

	index_name(name, sizeof(name), table, column);
	ormc_sqlbuf_init(&b);
	ormc_sqlbuf_append(&b, "CREATE INDEX ");
	d->quote_ident(&b, name);
	ormc_sqlbuf_append(&b, " ON ");
	d->quote_ident(&b, table);
	ormc_sqlbuf_append(&b, " (");
	d->quote_ident(&b, column);
	ormc_sqlbuf_appendc(&b, ')');
	push(l, &b, table);
}

typedef struct deferred_fk {
	const ormc_model *model;
	const ormc_field *field;
} deferred_fk;

static void
create_model(const ormc_schema *s, const ormc_dialect *d, stmt_list *l,
             const ormc_model *m, const char *created, deferred_fk *late,
             int *nlate)
{
	ormc_sqlbuf b, tail;
	char buf[128];
	int k, ncols = 0;
	const ormc_field *pk = m->pk;

	ormc_sqlbuf_init(&b);
	ormc_sqlbuf_init(&tail);
	ormc_sqlbuf_append(&b, "CREATE TABLE ");
	d->quote_ident(&b, m->table);
	ormc_sqlbuf_append(&b, " (");
	if (pk != NULL && concrete(pk)) {
		d->quote_ident(&b, pk->column);
		ormc_sqlbuf_appendc(&b, ' ');
		if (is_auto(pk->kind)) {
			ormc_sqlbuf_append(&b, col_type(d, pk, buf, sizeof(buf)));
		} else {
			ormc_sqlbuf_append(&b, is_fk(pk) ? fk_type(d, pk, buf, sizeof(buf))
			                                 : col_type(d, pk, buf, sizeof(buf)));
			ormc_sqlbuf_append(&b, " NOT NULL PRIMARY KEY");
			if (is_fk(pk) && pk->target != NULL)
				foreign_key(d, &b, &tail, pk->column, pk->target);
		}
		ncols++;
	}
	for (k = 0; k < m->nfields; k++) {
		const ormc_field *f = m->fields[k];

		if (f == pk || !concrete(f))
			continue;
		if (ncols++ > 0)
			ormc_sqlbuf_append(&b, ", ");
		d->quote_ident(&b, f->column);
		ormc_sqlbuf_appendc(&b, ' ');
		ormc_sqlbuf_append(&b, is_fk(f) ? fk_type(d, f, buf, sizeof(buf))
		                                : col_type(d, f, buf, sizeof(buf)));
		ormc_sqlbuf_append(&b, f->null ? " NULL" : " NOT NULL");
		if (f->unique || f->kind == ORMC_FIELD_ONETOONE)
			ormc_sqlbuf_append(&b, " UNIQUE");
		if (f->kind == ORMC_FIELD_POSITIVEINTEGER ||
		    f->kind == ORMC_FIELD_POSITIVESMALLINTEGER ||
		    f->kind == ORMC_FIELD_POSITIVEBIGINTEGER) {
			ormc_sqlbuf_append(&b, " CHECK (");
			d->quote_ident(&b, f->column);
			ormc_sqlbuf_append(&b, " >= 0)");
		}
		if (f->kind == ORMC_FIELD_JSON && is_sqlite(d)) {
			/* Django's check: SQLite's text column holds JSON only */
			ormc_sqlbuf_append(&b, " CHECK ((JSON_VALID(");
			d->quote_ident(&b, f->column);
			ormc_sqlbuf_append(&b, ") OR ");
			d->quote_ident(&b, f->column);
			ormc_sqlbuf_append(&b, " IS NULL))");
		}
		if (is_fk(f) && f->target != NULL) {
			int t = ormc_schema_model_index(s, f->target);

			if (f->target == m || t < 0 || created[t])
				foreign_key(d, &b, &tail, f->column, f->target);
			else if (!is_sqlite(d)) {
				late[*nlate].model = m;
				late[*nlate].field = f;
				(*nlate)++;
			}
		}
	}
	for (k = 0; k < m->nunique_together; k++) {
		const ormc_field_set *u = &m->unique_together[k];
		int j;

		ormc_sqlbuf_append(&b, ", UNIQUE (");
		for (j = 0; j < u->n; j++) {
			if (j > 0)
				ormc_sqlbuf_append(&b, ", ");
			d->quote_ident(&b, u->fields[j]->column);
		}
		ormc_sqlbuf_appendc(&b, ')');
	}
	if (tail.len > 0)
		ormc_sqlbuf_append(&b, tail.data);
	if (tail.failed)
		b.failed = 1;
	ormc_sqlbuf_free(&tail);
	ormc_sqlbuf_appendc(&b, ')');
	if (is_mysql(d))
		ormc_sqlbuf_append(&b, " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4");
	push(l, &b, m->table);

	/* InnoDB indexes foreign key columns by itself */
	for (k = 0; k < m->nfields && !is_mysql(d); k++) {
		const ormc_field *f = m->fields[k];

		if (f != pk && concrete(f) && f->kind == ORMC_FIELD_FOREIGNKEY &&
		    !f->unique)
			create_index(d, l, m->table, f->column);
	}
}

static int
table_taken(const ormc_schema *s, const char *table, int upto_model,
            int upto_field)
{
	int i, k;

	for (i = 0; i < s->nmodels; i++) {
		const ormc_model *m = s->models[i];

		if (strcmp(m->table, table) == 0)
			return 1;   /* an explicit through model */
		for (k = 0; k < m->nfields && (i < upto_model ||
		     (i == upto_model && k < upto_field)); k++) {
			const ormc_field *f = m->fields[k];

			if (f->kind == ORMC_FIELD_MANYTOMANY && f->m2m_table &&
			    strcmp(f->m2m_table, table) == 0)
				return 1;
		}
	}
	return 0;
}

static void
create_m2m(const ormc_dialect *d, stmt_list *l, const ormc_field *f)
{
	ormc_sqlbuf b, tail;
	ormc_field id, src;
	char buf[128];

	memset(&id, 0, sizeof(id));
	id.name = id.column = "id";
	id.class_name = "AutoField";
	id.kind = ORMC_FIELD_AUTO;
	id.primary_key = 1;
	id.max_length = id.max_digits = id.decimal_places = -1;
	id.pos = -1;
	/* the source column has the declaring model's pk type */
	memset(&src, 0, sizeof(src));
	src.kind = ORMC_FIELD_FOREIGNKEY;
	src.name = src.column = f->m2m_source_column;
	src.target = f->model;
	src.max_length = src.max_digits = src.decimal_places = -1;

	ormc_sqlbuf_init(&b);
	ormc_sqlbuf_init(&tail);
	ormc_sqlbuf_append(&b, "CREATE TABLE ");
	d->quote_ident(&b, f->m2m_table);
	ormc_sqlbuf_append(&b, " (");
	d->quote_ident(&b, "id");
	ormc_sqlbuf_appendc(&b, ' ');
	ormc_sqlbuf_append(&b, col_type(d, &id, buf, sizeof(buf)));
	ormc_sqlbuf_append(&b, ", ");
	d->quote_ident(&b, f->m2m_source_column);
	ormc_sqlbuf_appendc(&b, ' ');
	ormc_sqlbuf_append(&b, fk_type(d, &src, buf, sizeof(buf)));
	ormc_sqlbuf_append(&b, " NOT NULL");
	foreign_key(d, &b, &tail, f->m2m_source_column, f->model);
	ormc_sqlbuf_append(&b, ", ");
	d->quote_ident(&b, f->m2m_target_column);
	ormc_sqlbuf_appendc(&b, ' ');
	ormc_sqlbuf_append(&b, fk_type(d, f, buf, sizeof(buf)));
	ormc_sqlbuf_append(&b, " NOT NULL");
	if (f->target != NULL)
		foreign_key(d, &b, &tail, f->m2m_target_column, f->target);
	ormc_sqlbuf_append(&b, ", UNIQUE (");
	d->quote_ident(&b, f->m2m_source_column);
	ormc_sqlbuf_append(&b, ", ");
	d->quote_ident(&b, f->m2m_target_column);
	ormc_sqlbuf_appendc(&b, ')');
	if (tail.len > 0)
		ormc_sqlbuf_append(&b, tail.data);
	if (tail.failed)
		b.failed = 1;
	ormc_sqlbuf_free(&tail);
	ormc_sqlbuf_appendc(&b, ')');
	if (is_mysql(d))
		ormc_sqlbuf_append(&b, " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4");
	push(l, &b, f->m2m_table);
	/* UNIQUE (source, target) serves lookups by source; add target's */
	if (!is_mysql(d))
		create_index(d, l, f->m2m_table, f->m2m_target_column);
}

int
ormc_ddl_build(const ormc_schema *s, const ormc_dialect *d, char ***out,
               int *n, ormc_error *err)
{
	const char **tables = NULL;
	int rc = ormc_ddl_build_tagged(s, d, out, &tables, n, err);

	free(tables);
	return rc;
}

int
ormc_ddl_build_tagged(const ormc_schema *s, const ormc_dialect *d,
                      char ***out, const char ***tables_out, int *n,
                      ormc_error *err)
{
	stmt_list l;
	char *created = NULL;
	int *order = NULL;
	deferred_fk *late = NULL;
	int i, k, norder = 0, nlate = 0, nfk = 0;

	*out = NULL;
	*tables_out = NULL;
	*n = 0;
	if (s == NULL || d == NULL)
		return ormc_error_set(err, ORMC_EINVALID, NULL, -1, 0,
		                      "no schema or dialect for DDL");
	memset(&l, 0, sizeof(l));
	for (i = 0; i < s->nmodels; i++)
		nfk += s->models[i]->nfields;
	created = calloc((size_t)s->nmodels + 1, 1);
	order = calloc((size_t)s->nmodels + 1, sizeof(int));
	late = calloc((size_t)nfk + 1, sizeof(*late));
	if (created == NULL || order == NULL || late == NULL) {
		l.failed = 1;
		goto done;
	}

	norder = ormc_schema_fk_order(s, order);
	for (i = 0; i < norder; i++) {
		/* Meta.managed = False: Django's migrate makes no table for it */
		if (!s->models[order[i]]->unmanaged)
			create_model(s, d, &l, s->models[order[i]], created, late, &nlate);
		created[order[i]] = 1;
	}
	for (i = 0; i < s->nmodels; i++) {
		const ormc_model *m = s->models[i];

		for (k = 0; k < m->nfields; k++) {
			const ormc_field *f = m->fields[k];

			if (f->kind == ORMC_FIELD_MANYTOMANY && f->m2m_table != NULL &&
			    !table_taken(s, f->m2m_table, i, k) &&
			    !(m->unmanaged && f->target->unmanaged))
				create_m2m(d, &l, f);
		}
	}
	for (i = 0; i < nlate; i++) {
		ormc_sqlbuf b;

		ormc_sqlbuf_init(&b);
		ormc_sqlbuf_append(&b, "ALTER TABLE ");
		d->quote_ident(&b, late[i].model->table);
		ormc_sqlbuf_append(&b, " ADD FOREIGN KEY (");
		d->quote_ident(&b, late[i].field->column);
		ormc_sqlbuf_appendc(&b, ')');
		references(d, &b, late[i].field->target);
		push(&l, &b, late[i].model->table);
	}

done:
	free(created);
	free(order);
	free(late);
	if (l.failed) {
		ormc_ddl_free(l.items, l.n);
		free(l.tables);
		return ormc_error_set(err, ORMC_ENOMEM, NULL, -1, 0, "out of memory");
	}
	*out = l.items;
	*tables_out = l.tables;
	*n = l.n;
	return ORMC_OK;
}

int
ormc_schema_ddl(char ***out, int *n_out, const ormc_schema *schema,
                const char *dialect, ormc_error *err)
{
	const ormc_dialect *d = ormc_dialect_find(dialect);

	*out = NULL;
	*n_out = 0;
	ormc_error_clear(err);
	if (d == NULL)
		return ormc_error_set(err, ORMC_EINVALID, NULL, -1, 0,
		                      "unknown dialect '%s' (postgresql, sqlite, mysql)",
		                      dialect != NULL ? dialect : "");
	return ormc_ddl_build(schema, d, out, n_out, err);
}

void
ormc_ddl_free(char **stmts, int n)
{
	int i;

	if (stmts == NULL)
		return;
	for (i = 0; i < n; i++)
		free(stmts[i]);
	free(stmts);
}

const char *
ormc_ddl_column_type(const ormc_dialect *d, const ormc_field *f, char *buf,
                     size_t n)
{
	if (is_fk(f) || f->kind == ORMC_FIELD_MANYTOMANY)
		return fk_type(d, f, buf, n);
	return col_type(d, f, buf, n);
}

const char *
ormc_ddl_m2m_source_type(const ormc_dialect *d, const ormc_field *f,
                         char *buf, size_t n)
{
	ormc_field src;

	memset(&src, 0, sizeof(src));
	src.kind = ORMC_FIELD_FOREIGNKEY;
	src.name = src.column = f->m2m_source_column;
	src.target = f->model;
	src.max_length = src.max_digits = src.decimal_places = -1;
	return fk_type(d, &src, buf, n);
}
