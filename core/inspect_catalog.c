/*
 * inspect_catalog.c -- read a live database's tables for ormc inspect.
 *
 * One set of catalog queries per dialect, run through the connection's
 * driver, so an ODBC data source is read with the queries of the engine
 * behind it. Each query covers every table at once (no query per table),
 * and its rows are read as text:
 *
 *   what          sqlite                     postgresql             mysql
 *   tables        sqlite_master              pg_class (visible)     information_schema.TABLES
 *   columns       pragma_table_info()        pg_attribute,          information_schema.COLUMNS
 *                                            format_type()
 *   primary key,  pragma_table_info().pk,    pg_index               information_schema.STATISTICS
 *   unique        pragma_index_list/_info                           (NON_UNIQUE = 0)
 *   foreign keys  pragma_foreign_key_list()  pg_constraint 'f'      information_schema.KEY_COLUMN_USAGE
 *
 * Foreign keys of more than one column are left out (Django has none), as
 * are partial and expression indexes.
 */
#include "inspect.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "error.h"

/* ---- text rows ----------------------------------------------------------- */

static char *
cell_text(ormc_arena *a, const ormc_value *v)
{
	switch (v->type) {
	case ORMC_TYPE_NULL:
		return NULL;
	case ORMC_TYPE_INT:
	case ORMC_TYPE_DURATION:
		return ormc_arena_printf(a, "%lld", (long long)v->i);
	case ORMC_TYPE_BOOL:
		return ormc_arena_strdup(a, v->i ? "1" : "0");
	case ORMC_TYPE_FLOAT:
		return ormc_arena_printf(a, "%.17g", v->f);
	default:
		return ormc_arena_strndup(a, v->s != NULL ? v->s : "", v->len);
	}
}

int
ormc_db__text_rows(ormc_db *db, const char *sql, ormc_arena *a,
                   ormc_ptrvec *rows, int ncols, ormc_error *err)
{
	const ormc_driver *drv = db->conn->driver;
	ormc_cursor *cur = NULL;
	const ormc_value *row;
	int rc, k;

	if ((rc = ormc_db_query(db, sql, NULL, 0, &cur, err)) < 0)
		return rc;
	if (cur == NULL)
		return ormc_error_set(err, ORMC_EINTERNAL, NULL, -1, 0,
		                      "catalog query returned no rows: %s", sql);
	if (cur->ncols < ncols) {
		drv->close_cursor(cur);
		return ormc_error_set(err, ORMC_EINTERNAL, NULL, -1, 0,
		                      "catalog query gave %d columns, not %d: %s",
		                      cur->ncols, ncols, sql);
	}
	while ((rc = drv->next(cur, &row, err)) > 0) {
		char **cells = ormc_arena_alloc(a, sizeof(char *) * (size_t)ncols);

		if (cells == NULL)
			break;
		for (k = 0; k < ncols; k++)
			cells[k] = cell_text(a, &row[k]);
		if (ormc_ptrvec_push(a, rows, cells) < 0)
			break;
	}
	drv->close_cursor(cur);
	if (rc < 0)
		return rc;
	if (a->failed)
		return ormc_error_set(err, ORMC_ENOMEM, NULL, -1, 0, "out of memory");
	return ORMC_OK;
}

/* ---- the catalog --------------------------------------------------------- */

/* The catalog queries of one dialect. Columns of each are fixed (see read). */
typedef struct catalog_sql {
	const char *dialect;
	const char *tables;    /* name */
	const char *columns;   /* table, column, type, not null, pk position, autoinc */
	const char *uniques;   /* table, index, primary (1/0), column (NULL: expression) */
	const char *fks;       /* table, constraint id, column, ref table, ref column */
	const char *checks;    /* table, column, definition; NULL if none */
} catalog_sql;

static const catalog_sql catalogs[] = {
	{
		"sqlite",
		"SELECT name FROM sqlite_master WHERE type = 'table'"
		" AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
		/* an INTEGER PRIMARY KEY alone is the rowid: assigned when omitted */
		"SELECT m.name, p.name, p.type, p.\"notnull\", p.pk,"
		" CASE WHEN p.pk = 1 AND lower(p.type) = 'integer' AND"
		"  (SELECT count(*) FROM pragma_table_info(m.name) q WHERE q.pk > 0) = 1"
		"  THEN 1 ELSE 0 END"
		" FROM sqlite_master m JOIN pragma_table_info(m.name) p"
		" WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
		" ORDER BY m.name, p.cid",
		"SELECT m.name, l.name, 0, i.name"
		" FROM sqlite_master m JOIN pragma_index_list(m.name) l"
		" JOIN pragma_index_info(l.name) i"
		" WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
		" AND l.\"unique\" = 1 AND l.origin <> 'pk' AND l.partial = 0"
		" ORDER BY m.name, l.name, i.seqno",
		"SELECT m.name, f.id, f.\"from\", f.\"table\", f.\"to\""
		" FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f"
		" WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
		" ORDER BY m.name, f.id, f.seq",
		/* no catalog of checks: the columns a JSON_VALID check names, with its text */
		"SELECT m.name, p.name, 'JSON_VALID(' || p.name || ')'"
		" FROM sqlite_master m JOIN pragma_table_info(m.name) p"
		" WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
		" AND instr(lower(m.sql), lower('json_valid(\"' || p.name || '\")')) > 0"
		" ORDER BY m.name, p.cid"
	},
	{
		"postgresql",
		"SELECT c.relname FROM pg_catalog.pg_class c"
		" JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
		" WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
		" AND n.nspname NOT LIKE 'pg\\_toast%' AND pg_catalog.pg_table_is_visible(c.oid)"
		" ORDER BY c.relname",
		"SELECT c.relname, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod),"
		" CASE WHEN a.attnotnull THEN 1 ELSE 0 END, 0,"
		" CASE WHEN a.attidentity IN ('a', 'd') OR"
		"  pg_catalog.pg_get_expr(d.adbin, d.adrelid) LIKE 'nextval(%' THEN 1 ELSE 0 END"
		" FROM pg_catalog.pg_class c"
		" JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
		" JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid"
		" LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum"
		" WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
		" AND n.nspname NOT LIKE 'pg\\_toast%' AND pg_catalog.pg_table_is_visible(c.oid)"
		" AND a.attnum > 0 AND NOT a.attisdropped"
		" ORDER BY c.relname, a.attnum",
		"SELECT c.relname, ic.relname, CASE WHEN i.indisprimary THEN 1 ELSE 0 END,"
		" a.attname"
		" FROM pg_catalog.pg_index i"
		" JOIN pg_catalog.pg_class c ON c.oid = i.indrelid"
		" JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid"
		" JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
		" CROSS JOIN LATERAL pg_catalog.generate_subscripts(i.indkey, 1) AS k(pos)"
		" LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum = i.indkey[k.pos]"
		" WHERE i.indisunique AND i.indpred IS NULL"
		" AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
		" AND pg_catalog.pg_table_is_visible(c.oid)"
		" ORDER BY c.relname, ic.relname, k.pos",
		"SELECT c.relname, k.conname, a.attname, rc.relname, ra.attname"
		" FROM pg_catalog.pg_constraint k"
		" JOIN pg_catalog.pg_class c ON c.oid = k.conrelid"
		" JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
		" JOIN pg_catalog.pg_class rc ON rc.oid = k.confrelid"
		" CROSS JOIN LATERAL pg_catalog.generate_subscripts(k.conkey, 1) AS s(pos)"
		" JOIN pg_catalog.pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[s.pos]"
		" JOIN pg_catalog.pg_attribute ra ON ra.attrelid = k.confrelid AND ra.attnum = k.confkey[s.pos]"
		" WHERE k.contype = 'f' AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
		" AND pg_catalog.pg_table_is_visible(c.oid)"
		" ORDER BY c.relname, k.conname, s.pos",
		"SELECT c.relname, a.attname, pg_catalog.pg_get_constraintdef(k.oid)"
		" FROM pg_catalog.pg_constraint k"
		" JOIN pg_catalog.pg_class c ON c.oid = k.conrelid"
		" JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
		" JOIN pg_catalog.pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1]"
		" WHERE k.contype = 'c' AND pg_catalog.array_length(k.conkey, 1) = 1"
		" AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
		" AND pg_catalog.pg_table_is_visible(c.oid)"
		" ORDER BY c.relname, a.attname"
	},
	{
		"mysql",
		"SELECT TABLE_NAME FROM information_schema.TABLES"
		" WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE'"
		" ORDER BY TABLE_NAME",
		"SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE,"
		" CASE WHEN IS_NULLABLE = 'NO' THEN 1 ELSE 0 END, 0,"
		" CASE WHEN EXTRA LIKE '%auto_increment%' THEN 1 ELSE 0 END"
		" FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE()"
		" ORDER BY TABLE_NAME, ORDINAL_POSITION",
		"SELECT TABLE_NAME, INDEX_NAME, CASE WHEN INDEX_NAME = 'PRIMARY' THEN 1 ELSE 0 END,"
		" COLUMN_NAME"
		" FROM information_schema.STATISTICS"
		" WHERE TABLE_SCHEMA = DATABASE() AND NON_UNIQUE = 0"
		" ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX",
		"SELECT TABLE_NAME, CONSTRAINT_NAME, COLUMN_NAME, REFERENCED_TABLE_NAME,"
		" REFERENCED_COLUMN_NAME"
		" FROM information_schema.KEY_COLUMN_USAGE"
		" WHERE TABLE_SCHEMA = DATABASE() AND REFERENCED_TABLE_SCHEMA = DATABASE()"
		" AND REFERENCED_TABLE_NAME IS NOT NULL"
		" ORDER BY TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION",
		/* MariaDB names a column's own check after the column */
		"SELECT tc.TABLE_NAME, tc.CONSTRAINT_NAME, cc.CHECK_CLAUSE"
		" FROM information_schema.TABLE_CONSTRAINTS tc"
		" JOIN information_schema.CHECK_CONSTRAINTS cc"
		"  ON cc.CONSTRAINT_SCHEMA = tc.CONSTRAINT_SCHEMA AND cc.CONSTRAINT_NAME = tc.CONSTRAINT_NAME"
		" WHERE tc.TABLE_SCHEMA = DATABASE() AND tc.CONSTRAINT_TYPE = 'CHECK'"
		" ORDER BY tc.TABLE_NAME, tc.CONSTRAINT_NAME"
	},
};

ins_table *
ormc_inspect__table(const ins_catalog *cat, const char *name)
{
	int lo = 0, hi = cat->tables.n - 1;

	/* tables are sorted by strcmp (see sort_tables) */
	while (lo <= hi) {
		int mid = (lo + hi) / 2;
		ins_table *t = cat->tables.items[mid];
		int c = strcmp(name, t->name);

		if (c == 0)
			return t;
		if (c < 0)
			hi = mid - 1;
		else
			lo = mid + 1;
	}
	return NULL;
}

static ins_column *
find_column(const ins_table *t, const char *name)
{
	int k;

	for (k = 0; k < t->cols.n; k++) {
		ins_column *c = t->cols.items[k];

		if (strcmp(c->name, name) == 0)
			return c;
	}
	return NULL;
}

static int
cmp_tables(const void *x, const void *y)
{
	const ins_table *a = *(ins_table *const *)x, *b = *(ins_table *const *)y;

	return strcmp(a->name, b->name);
}

/*
 * "character varying(120)" -> base "character varying", nums {120};
 * "int(10) unsigned" -> "int", {10}, unsigned; "timestamp(6) with time
 * zone" -> "timestamp with time zone", {6}.
 */
static void
parse_type(ormc_arena *a, ins_column *c, const char *raw)
{
	char *base = ormc_arena_alloc(a, strlen(raw) + 1);
	size_t n = 0;
	const char *p = raw;
	int depth = 0, k = 0;

	c->nums[0] = c->nums[1] = -1;
	if (base == NULL)
		return;
	for (; *p; p++) {
		if (*p == '(') {
			if (depth++ == 0 && k == 0) {
				const char *q = p + 1;

				while (k < 2) {
					char *end;
					long v;

					while (*q == ' ')
						q++;
					v = strtol(q, &end, 10);
					if (end == q)
						break;
					c->nums[k++] = v < 0 || v > 1000000000L ? -1 : (int)v;
					q = end;
					while (*q == ' ')
						q++;
					if (*q != ',')
						break;
					q++;
				}
			}
			continue;
		}
		if (*p == ')') {
			depth--;
			continue;
		}
		if (depth > 0)
			continue;
		if (isspace((unsigned char)*p)) {
			if (n > 0 && base[n - 1] != ' ')
				base[n++] = ' ';
			continue;
		}
		base[n++] = (char)tolower((unsigned char)*p);
	}
	while (n > 0 && base[n - 1] == ' ')
		n--;
	base[n] = '\0';
	/* "unsigned" and "zerofill" are attributes, not the type */
	for (;;) {
		char *w = strstr(base, " unsigned");

		if (w == NULL)
			w = strstr(base, " zerofill");
		if (w == NULL)
			break;
		if (strncmp(w, " unsigned", 9) == 0)
			c->is_unsigned = 1;
		memmove(w, w + 9, strlen(w + 9) + 1);
	}
	c->base = base;
}

/* The table of a row's first cell; rows come grouped by table, so keep the last. */
static ins_table *
row_table(ins_catalog *cat, const char *name, ins_table **last)
{
	if (name == NULL)
		return NULL;
	if (*last == NULL || strcmp((*last)->name, name) != 0)
		*last = ormc_inspect__table(cat, name);
	return *last;
}

static int
read_tables(ins_catalog *cat, ormc_db *db, const catalog_sql *q, ormc_error *err)
{
	ormc_ptrvec rows = { NULL, 0, 0 };
	int k, rc;

	if ((rc = ormc_db__text_rows(db, q->tables, cat->a, &rows, 1, err)) < 0)
		return rc;
	for (k = 0; k < rows.n; k++) {
		char **r = rows.items[k];
		ins_table *t;

		if (r[0] == NULL)
			continue;
		if ((t = ormc_arena_alloc(cat->a, sizeof(*t))) == NULL)
			break;
		memset(t, 0, sizeof(*t));
		t->name = r[0];
		if (ormc_ptrvec_push(cat->a, &cat->tables, t) < 0)
			break;
	}
	if (cat->a->failed)
		return ormc_error_set(err, ORMC_ENOMEM, NULL, -1, 0, "out of memory");
	/* The server's ORDER BY follows its collation; lookups need strcmp order. */
	if (cat->tables.n > 1)
		qsort(cat->tables.items, (size_t)cat->tables.n, sizeof(void *), cmp_tables);
	return ORMC_OK;
}

static int
read_columns(ins_catalog *cat, ormc_db *db, const catalog_sql *q, ormc_error *err)
{
	ormc_ptrvec rows = { NULL, 0, 0 };
	ins_table *last = NULL;
	int k, rc;

	if ((rc = ormc_db__text_rows(db, q->columns, cat->a, &rows, 6, err)) < 0)
		return rc;
	for (k = 0; k < rows.n; k++) {
		char **r = rows.items[k];
		ins_table *t = row_table(cat, r[0], &last);
		ins_column *c;

		if (t == NULL || r[1] == NULL)
			continue;
		if ((c = ormc_arena_alloc(cat->a, sizeof(*c))) == NULL)
			break;
		memset(c, 0, sizeof(*c));
		c->name = r[1];
		c->raw_type = r[2] != NULL ? r[2] : "";
		parse_type(cat->a, c, c->raw_type);
		c->nullable = r[3] == NULL || atoi(r[3]) == 0;
		c->pk = r[4] != NULL ? atoi(r[4]) : 0;
		c->autoinc = r[5] != NULL && atoi(r[5]) != 0;
		if (ormc_ptrvec_push(cat->a, &t->cols, c) < 0)
			break;
	}
	if (cat->a->failed)
		return ormc_error_set(err, ORMC_ENOMEM, NULL, -1, 0, "out of memory");
	return ORMC_OK;
}

/*
 * Unique indexes and constraints, the primary key among them: rows come
 * grouped by (table, index) in column order. An index with an expression
 * (NULL column) says nothing about columns and is dropped.
 */
static void
end_index(ins_catalog *cat, ins_table *t, ins_unique *u, int primary, int expr)
{
	ins_column *c;
	int k;

	if (t == NULL || u == NULL || expr || u->cols.n == 0)
		return;
	if (primary) {
		for (k = 0; k < u->cols.n; k++)
			if ((c = find_column(t, u->cols.items[k])) != NULL)
				c->pk = k + 1;
		return;
	}
	if (u->cols.n == 1) {
		if ((c = find_column(t, u->cols.items[0])) != NULL && c->pk == 0)
			c->unique = 1;
		return;
	}
	ormc_ptrvec_push(cat->a, &t->uniques, u);
}

static int
read_uniques(ins_catalog *cat, ormc_db *db, const catalog_sql *q, ormc_error *err)
{
	ormc_ptrvec rows = { NULL, 0, 0 };
	ins_table *last = NULL, *t = NULL;
	ins_unique *u = NULL;
	char **first = NULL;
	int k, rc, expr = 0, primary = 0;

	if ((rc = ormc_db__text_rows(db, q->uniques, cat->a, &rows, 4, err)) < 0)
		return rc;
	for (k = 0; k <= rows.n; k++) {
		char **r = k < rows.n ? rows.items[k] : NULL;

		if (r != NULL && (r[0] == NULL || r[1] == NULL))
			continue;
		if (r == NULL || first == NULL || strcmp(r[0], first[0]) != 0 ||
		    strcmp(r[1], first[1]) != 0) {
			end_index(cat, t, u, primary, expr);
			if (r == NULL)
				break;
			first = r;
			expr = 0;
			primary = r[2] != NULL && atoi(r[2]) != 0;
			t = row_table(cat, r[0], &last);
			if ((u = ormc_arena_alloc(cat->a, sizeof(*u))) == NULL)
				break;
			memset(u, 0, sizeof(*u));
			u->name = r[1];
		}
		if (r[3] == NULL)
			expr = 1;
		else
			ormc_ptrvec_push(cat->a, &u->cols, r[3]);
	}
	if (cat->a->failed)
		return ormc_error_set(err, ORMC_ENOMEM, NULL, -1, 0, "out of memory");
	return ORMC_OK;
}

/* Foreign keys: rows grouped by (table, constraint); one-column ones kept. */
static int
read_fks(ins_catalog *cat, ormc_db *db, const catalog_sql *q, ormc_error *err)
{
	ormc_ptrvec rows = { NULL, 0, 0 };
	ins_table *last = NULL;
	int k, j, rc;

	if ((rc = ormc_db__text_rows(db, q->fks, cat->a, &rows, 5, err)) < 0)
		return rc;
	for (k = 0; k < rows.n; k = j) {
		char **r = rows.items[k];
		ins_table *t;
		ins_column *c;

		for (j = k + 1; j < rows.n; j++) {
			char **s = rows.items[j];

			if (s[0] == NULL || s[1] == NULL || r[0] == NULL || r[1] == NULL ||
			    strcmp(s[0], r[0]) != 0 || strcmp(s[1], r[1]) != 0)
				break;
		}
		if (j - k != 1 || r[2] == NULL || r[3] == NULL)
			continue;
		if ((t = row_table(cat, r[0], &last)) == NULL ||
		    (c = find_column(t, r[2])) == NULL || c->fk_table != NULL)
			continue;
		c->fk_table = r[3];
		c->fk_column = r[4];
	}
	return ORMC_OK;
}

/* Does the check's text s call JSON_VALID on column col (quoted or not)? */
static int
json_valid_of(const char *s, const char *col)
{
	static const char fn[] = "json_valid(";
	size_t n = strlen(col), i, k;

	for (i = 0; s[i] != '\0'; i++) {
		const char *p = s + i + sizeof(fn) - 1;

		for (k = 0; k < sizeof(fn) - 1; k++)
			if (tolower((unsigned char)s[i + k]) != fn[k])
				break;
		if (k < sizeof(fn) - 1)
			continue;
		if (*p == '"' || *p == '`')
			p++;
		if (strncmp(p, col, n) == 0 && (p[n] == ')' || p[n] == '"' || p[n] == '`'))
			return 1;
	}
	return 0;
}

/*
 * CHECK ((col >= 0)) marks a PositiveIntegerField's column on PostgreSQL;
 * CHECK (JSON_VALID(col)) a JSONField's on MariaDB and SQLite.
 */
static int
read_checks(ins_catalog *cat, ormc_db *db, const catalog_sql *q, ormc_error *err)
{
	ormc_ptrvec rows = { NULL, 0, 0 };
	ins_table *last = NULL;
	int k, rc;

	if (q->checks == NULL)
		return ORMC_OK;
	if ((rc = ormc_db__text_rows(db, q->checks, cat->a, &rows, 3, err)) < 0)
		return rc;
	for (k = 0; k < rows.n; k++) {
		char **r = rows.items[k];
		ins_table *t = row_table(cat, r[0], &last);
		ins_column *c;

		if (t == NULL || r[1] == NULL || r[2] == NULL ||
		    (c = find_column(t, r[1])) == NULL)
			continue;
		if (json_valid_of(r[2], r[1])) {
			c->json_check = 1;
			continue;
		}
		/* "CHECK ((quantity >= 0))": one comparison, nothing else */
		if (strstr(r[2], ">= 0)") != NULL &&
		    strstr(r[2], r[1]) != NULL && strchr(r[2], '<') == NULL &&
		    strstr(r[2], " AND ") == NULL && strstr(r[2], " OR ") == NULL)
			c->nonneg_check = 1;
	}
	return ORMC_OK;
}

int
ormc_inspect__read(ins_catalog *cat, ormc_db *db, ormc_error *err)
{
	const catalog_sql *q = NULL;
	const char *d = ormc_db_dialect(db);
	size_t k;
	int i, j, rc;

	for (k = 0; k < sizeof(catalogs) / sizeof(catalogs[0]); k++)
		if (d != NULL && strcmp(catalogs[k].dialect, d) == 0)
			q = &catalogs[k];
	if (q == NULL)
		return ormc_error_set(err, ORMC_EUNSUPPORTED, NULL, -1, 0,
		                      "ormc inspect cannot read the catalog of a '%s' database",
		                      d != NULL ? d : "(unknown)");
	cat->dialect = q->dialect;
	if (strcmp(q->dialect, "mysql") == 0) {
		/* information_schema by DATABASE(): NULL when the URL names none */
		ormc_ptrvec rows = { NULL, 0, 0 };

		if ((rc = ormc_db__text_rows(db, "SELECT DATABASE()", cat->a, &rows, 1, err)) < 0)
			return rc;
		if (rows.n != 1 || ((char **)rows.items[0])[0] == NULL)
			return ormc_error_set(err, ORMC_EINVALID, NULL, -1, 0,
			                      "the connection has no current database to inspect");
	}
	if ((rc = read_tables(cat, db, q, err)) < 0 ||
	    (rc = read_columns(cat, db, q, err)) < 0 ||
	    (rc = read_uniques(cat, db, q, err)) < 0 ||
	    (rc = read_fks(cat, db, q, err)) < 0 ||
	    (rc = read_checks(cat, db, q, err)) < 0)
		return rc;
	/* resolve the foreign keys now that every table is known */
	for (i = 0; i < cat->tables.n; i++) {
		ins_table *t = cat->tables.items[i];

		for (j = 0; j < t->cols.n; j++) {
			ins_column *c = t->cols.items[j];

			if (c->fk_table != NULL)
				c->fk_target = ormc_inspect__table(cat, c->fk_table);
		}
	}
	return ORMC_OK;
}
