/*
 * copy.c -- ormc_copy(): every table of a schema from one database to
 * another, all or nothing (ormc/copy.h).
 *
 *   1. the tables (core/scan.c), in foreign-key order, or those named;
 *   2. the source opens one read snapshot and counts each table's rows;
 *      each target table must exist and be empty (or is emptied, children
 *      first, with --truncate);
 *   3. the target opens one transaction; each table is streamed from the
 *      source cursor (drivers stream: libpq's single-row mode, MariaDB's
 *      unbuffered statements, sqlite3_step) through a batched writer
 *      (core/bulk.c), each value converted to its Django type and then to
 *      what the target stores;
 *   4. foreign keys checked on MySQL (whose own checks are off for the
 *      copy) and SQLite, PostgreSQL's key sequences set past the largest key;
 *   5. every target table's COUNT(*) must equal the rows read; then the
 *      target commits. Any failure rolls the target back.
 */
#define _POSIX_C_SOURCE 200809L

#include "ormc/copy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bulk.h"
#include "db.h"
#include "error.h"
#include "scan.h"
#include "sqlbuf.h"

/* Progress is reported at most this often (seconds), and at each table's end. */
#define PROGRESS_EVERY 0.2

typedef struct copier {
	ormc_db *from, *to;
	const ormc_copy_options *o;
	ormc_stable *t;          /* every table of the schema */
	int n;
	int *pick;               /* indexes into t of the tables to copy, in order */
	int npick;
	long long *total;        /* per pick: the source's rows */
	long long *rows;         /* per pick: rows copied */
	ormc_error *err;
} copier;

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
no_memory(ormc_error *err)
{
	return ormc_error_set(err, ORMC_ENOMEM, NULL, -1, 0, "out of memory");
}

static int
is(const ormc_db *db, const char *dialect)
{
	return strcmp(db->dialect->name, dialect) == 0;
}

/* The tables to copy: all, or those opts->tables names (table or model). */
static int
choose(copier *c)
{
	const ormc_copy_options *o = c->o;
	int i, k;

	c->pick = calloc((size_t)c->n + 1, sizeof(*c->pick));
	c->total = calloc((size_t)c->n + 1, sizeof(*c->total));
	c->rows = calloc((size_t)c->n + 1, sizeof(*c->rows));
	if (c->pick == NULL || c->total == NULL || c->rows == NULL)
		return no_memory(c->err);
	for (k = 0; o != NULL && o->tables != NULL && k < o->ntables; k++) {
		for (i = 0; i < c->n; i++)
			if (ormc_name_equal_ci(c->t[i].name, o->tables[k]) ||
			    (c->t[i].model != NULL &&
			     ormc_name_equal_ci(c->t[i].model->name, o->tables[k])))
				break;
		if (i == c->n)
			return ormc_error_set(c->err, ORMC_ENOFIELD, NULL, -1, 0,
			                      "no table or model '%s' in the models",
			                      o->tables[k]);
	}
	for (i = 0; i < c->n; i++) {
		int want = o == NULL || o->tables == NULL;

		for (k = 0; !want && k < o->ntables; k++)
			want = ormc_name_equal_ci(c->t[i].name, o->tables[k]) ||
			       (c->t[i].model != NULL &&
			        ormc_name_equal_ci(c->t[i].model->name, o->tables[k]));
		if (want)
			c->pick[c->npick++] = i;
	}
	return ORMC_OK;
}

/* The single integer a statement returns (COUNT(*)). */
static int
one_int(ormc_db *db, const char *sql, long long *out, ormc_error *err)
{
	ormc_cursor *cur;
	const ormc_value *row;
	int rc;

	*out = 0;
	rc = ormc_db_query(db, sql, NULL, 0, &cur, err);
	if (rc < 0)
		return rc;
	if (cur == NULL)
		return ormc_error_set(err, ORMC_EDRIVER, NULL, -1, 0,
		                      "%s returned no row", sql);
	rc = db->conn->driver->next(cur, &row, err);
	if (rc > 0 && row[0].type == ORMC_TYPE_INT)
		*out = (long long)row[0].i;
	else if (rc > 0 && row[0].s != NULL)
		*out = strtoll(row[0].s, NULL, 10);
	db->conn->driver->close_cursor(cur);
	return rc < 0 ? rc : ORMC_OK;
}

static int
count(ormc_db *db, const char *table, long long *out, ormc_error *err)
{
	char *sql = ormc_scan_count_sql(db, table);
	int rc;

	if (sql == NULL)
		return no_memory(err);
	rc = one_int(db, sql, out, err);
	free(sql);
	return rc;
}

/*
 * A copied table in a check on the target, before COMMIT: on MySQL read
 * through its primary key. InnoDB would count or scan the rows this
 * transaction wrote by the smallest secondary index (a foreign key's),
 * whose entries it must then check one by one against the table's own rows
 * for visibility: 11 s for 1,000,000 orders, against 0.8 s by the key.
 */
static void
target_table(const copier *c, ormc_sqlbuf *b, const ormc_stable *t,
             const char *alias)
{
	ormc_scan_ident(c->to, b, t->name);
	if (alias != NULL) {
		ormc_sqlbuf_appendc(b, ' ');
		ormc_sqlbuf_append(b, alias);
	}
	if (is(c->to, "mysql") && t->pk >= 0)
		ormc_sqlbuf_append(b, " FORCE INDEX (PRIMARY)");
}

/* One snapshot for all the reads, where the engine has them. */
static int
begin_snapshot(ormc_db *db, ormc_error *err)
{
	if (db->conn->driver->begin == NULL && is(db, "postgresql"))
		return ormc_db_exec(db, "BEGIN ISOLATION LEVEL REPEATABLE READ, "
		                    "READ ONLY", NULL, 0, err);
	if (db->conn->driver->begin == NULL && is(db, "mysql"))
		return ormc_db_exec(db, "START TRANSACTION WITH CONSISTENT SNAPSHOT",
		                    NULL, 0, err);
	return ormc_db_begin(db, err);
}

/* Each target table exists and is empty (or --truncate); sources counted. */
static int
check_tables(copier *c)
{
	int k, rc;

	for (k = 0; k < c->npick; k++) {
		const ormc_stable *t = &c->t[c->pick[k]];
		long long have;

		char msg[sizeof(c->err->message)];

		rc = count(c->from, t->name, &c->total[k], c->err);
		if (rc < 0) {
			snprintf(msg, sizeof(msg), "%s", c->err->message);
			ormc_error_set(c->err, rc, NULL, -1, 0,
			               "source table \"%s\": %s", t->name, msg);
			return rc;
		}
		rc = count(c->to, t->name, &have, c->err);
		if (rc < 0) {
			snprintf(msg, sizeof(msg), "%s", c->err->message);
			ormc_error_set(c->err, rc, NULL, -1, 0,
			               "target table \"%s\" cannot be read (%s)",
			               t->name, msg);
			ormc_error_hint(c->err, "The target's tables must exist: create "
			                "them with ormc migrate --models FILE --db URL.");
			return rc;
		}
		if (have > 0 && (c->o == NULL || !c->o->truncate))
			return ormc_error_set(c->err, ORMC_EINVALID, NULL, -1, 0,
			                      "target table \"%s\" is not empty (%lld "
			                      "rows): ormc copy fills empty tables only "
			                      "(--truncate empties them first)",
			                      t->name, have);
	}
	return ORMC_OK;
}

/* --truncate: DELETE, children first (TRUNCATE would commit on MySQL). */
static int
empty_targets(copier *c)
{
	int k, rc = ORMC_OK;

	for (k = c->npick - 1; k >= 0 && rc == ORMC_OK; k--) {
		ormc_sqlbuf b;

		ormc_sqlbuf_init(&b);
		ormc_sqlbuf_append(&b, "DELETE FROM ");
		ormc_scan_ident(c->to, &b, c->t[c->pick[k]].name);
		rc = b.failed ? no_memory(c->err)
		              : ormc_db_exec(c->to, b.data, NULL, 0, c->err);
		ormc_sqlbuf_free(&b);
	}
	return rc;
}

/*
 * Foreign keys. PostgreSQL checks them itself at COMMIT (Django makes them
 * DEFERRABLE INITIALLY DEFERRED). MySQL checks each row as it comes, so a
 * row that references a later row of its own table (a tree) would fail:
 * the copy turns the checks off and does them itself, as SQLite (which
 * checks nothing unless PRAGMA foreign_keys is on) needs too: for every
 * foreign key column of every copied table, one anti-join on the target
 * before COMMIT.
 */
static int
check_references(copier *c)
{
	int k, i, rc = ORMC_OK;

	if (is(c->to, "postgresql"))
		return ORMC_OK;
	for (k = 0; k < c->npick && rc == ORMC_OK; k++) {
		const ormc_stable *t = &c->t[c->pick[k]];

		for (i = 0; i < t->ncols && rc == ORMC_OK; i++) {
			const ormc_scol *col = &t->cols[i];
			const ormc_model *m = col->refers;
			ormc_cursor *cur = NULL;
			const ormc_value *row;
			ormc_sqlbuf b;
			char bad[64];

			if (m == NULL || m->pk == NULL || m->pk->column == NULL)
				continue;
			ormc_sqlbuf_init(&b);
			ormc_sqlbuf_append(&b, "SELECT c.");
			ormc_scan_ident(c->to, &b, col->name);
			ormc_sqlbuf_append(&b, " FROM ");
			target_table(c, &b, t, "c");
			ormc_sqlbuf_append(&b, " LEFT JOIN ");
			ormc_scan_ident(c->to, &b, m->table);
			ormc_sqlbuf_append(&b, " p ON p.");
			ormc_scan_ident(c->to, &b, m->pk->column);
			ormc_sqlbuf_append(&b, " = c.");
			ormc_scan_ident(c->to, &b, col->name);
			ormc_sqlbuf_append(&b, " WHERE c.");
			ormc_scan_ident(c->to, &b, col->name);
			ormc_sqlbuf_append(&b, " IS NOT NULL AND p.");
			ormc_scan_ident(c->to, &b, m->pk->column);
			ormc_sqlbuf_append(&b, " IS NULL LIMIT 1");
			rc = b.failed ? no_memory(c->err)
			     : ormc_db_query(c->to, b.data, NULL, 0, &cur, c->err);
			ormc_sqlbuf_free(&b);
			if (rc < 0 || cur == NULL)
				break;
			rc = c->to->conn->driver->next(cur, &row, c->err);
			if (rc > 0) {
				if (row[0].type == ORMC_TYPE_INT)
					snprintf(bad, sizeof(bad), "%lld", (long long)row[0].i);
				else
					snprintf(bad, sizeof(bad), "\"%.*s\"",
					         (int)(row[0].len > 40 ? 40 : row[0].len),
					         row[0].s ? row[0].s : "");
				rc = ormc_error_set(c->err, ORMC_EDRIVER, NULL, -1, 0,
				                    "table \"%s\": %s %s refers to no row of "
				                    "\"%s\"", t->name, col->name, bad,
				                    m->table);
			}
			c->to->conn->driver->close_cursor(cur);
		}
	}
	return rc;
}

static void
report(copier *c, int k, long long rows, double start, int done,
       const char *method)
{
	ormc_copy_progress p;

	if (c->o == NULL || c->o->progress == NULL)
		return;
	p.table = c->t[c->pick[k]].name;
	p.table_index = k;
	p.ntables = c->npick;
	p.rows = rows;
	p.total = c->total[k];
	p.seconds = now() - start;
	p.done = done;
	p.method = method;
	c->o->progress(&p, c->o->progress_ctx);
}

/* Stream one table from the source into the target. */
static int
copy_table(copier *c, int k)
{
	const ormc_stable *t = &c->t[c->pick[k]];
	const ormc_driver *src = c->from->conn->driver;
	const char **names = NULL;
	char *sql = NULL, *bufs = NULL;
	ormc_value *vals = NULL;
	ormc_cursor *cur = NULL;
	ormc_bulk *w = NULL;
	const ormc_value *row;
	size_t *off = NULL, room = 0;
	long long rows = 0;
	double start = now(), last = start;
	int i, rc;

	names = calloc((size_t)t->ncols, sizeof(*names));
	vals = calloc((size_t)t->ncols, sizeof(*vals));
	off = calloc((size_t)t->ncols, sizeof(*off));
	if (names == NULL || vals == NULL || off == NULL) {
		rc = no_memory(c->err);
		goto done;
	}
	for (i = 0; i < t->ncols; i++) {
		names[i] = t->cols[i].name;
		off[i] = room;
		room += 2 * t->cols[i].room;   /* the Django value, then the target's */
	}
	bufs = malloc(room);
	sql = ormc_scan_select(c->from, t, 0, 0);
	if (bufs == NULL || sql == NULL) {
		rc = no_memory(c->err);
		goto done;
	}
	rc = ormc_bulk_open(&w, c->to, t->name, names, t->ncols,
	                    c->o ? c->o->batch_rows : 0, c->err);
	for (i = 0; rc == ORMC_OK && i < t->ncols; i++)
		if (t->cols[i].type.kind == ORMC_FIELD_BINARY)
			rc = ormc_bulk_set_binary(w, i, c->err);
	if (rc < 0)
		goto done;
	report(c, k, 0, start, 0, ormc_bulk_method(w));
	rc = ormc_db_query(c->from, sql, NULL, 0, &cur, c->err);
	if (rc == ORMC_OK && (cur == NULL || cur->ncols != t->ncols))
		rc = ormc_error_set(c->err, ORMC_EDRIVER, NULL, -1, 0,
		                    "reading \"%s\" gave no rows", t->name);
	while (rc == ORMC_OK && (rc = src->next(cur, &row, c->err)) > 0) {
		rc = ORMC_OK;
		for (i = 0; i < t->ncols && rc == ORMC_OK; i++) {
			const ormc_scol *col = &t->cols[i];
			ormc_value v;
			char *b = bufs + off[i];

			rc = ormc_scan_value(col, &row[i], &v, b, col->room, c->err);
			if (rc == ORMC_OK)
				rc = ormc_scan_param(c->to, col, &v, &vals[i],
				                     b + col->room, col->room, c->err);
		}
		if (rc == ORMC_OK)
			rc = ormc_bulk_append(w, vals, c->err);
		rows++;
		if (rc == ORMC_OK && (rows & 1023) == 0 && now() - last >= PROGRESS_EVERY) {
			last = now();
			report(c, k, rows, start, 0, ormc_bulk_method(w));
		}
	}
	if (cur != NULL)
		src->close_cursor(cur);
	cur = NULL;
	if (rc == ORMC_OK)
		rc = ormc_bulk_finish(w, c->err);
	if (rc == ORMC_OK) {
		c->rows[k] = rows;
		report(c, k, rows, start, 1, ormc_bulk_method(w));
	}
done:
	if (cur != NULL)
		src->close_cursor(cur);
	ormc_bulk_free(w);
	free(names);
	free(vals);
	free(off);
	free(bufs);
	free(sql);
	if (rc < 0) {
		char msg[sizeof(c->err->message)];

		snprintf(msg, sizeof(msg), "%s", c->err->message);
		snprintf(c->err->message, sizeof(c->err->message),
		         "copying table \"%.64s\" (%lld rows read): %.360s", t->name, rows,
		         msg);
	}
	return rc;
}

/* PostgreSQL: each key sequence past the largest key (or back to 1). */
static int
reset_sequences(copier *c)
{
	int k, rc = ORMC_OK;

	if (!is(c->to, "postgresql"))
		return ORMC_OK;
	for (k = 0; k < c->npick && rc == ORMC_OK; k++) {
		const ormc_stable *t = &c->t[c->pick[k]];
		ormc_sqlbuf b, name;
		ormc_value p[2];

		if (!t->auto_pk)
			continue;
		ormc_sqlbuf_init(&b);
		ormc_sqlbuf_init(&name);
		ormc_scan_ident(c->to, &name, t->name);
		ormc_sqlbuf_append(&b, "SELECT setval(pg_get_serial_sequence($1, $2), "
		                   "COALESCE(MAX(");
		ormc_scan_ident(c->to, &b, t->cols[t->pk].name);
		ormc_sqlbuf_append(&b, "), 0) + 1, false) FROM ");
		ormc_scan_ident(c->to, &b, t->name);
		memset(p, 0, sizeof(p));
		p[0].type = p[1].type = ORMC_TYPE_TEXT;
		p[0].s = name.data;
		p[0].len = name.len;
		p[1].s = t->cols[t->pk].name;
		p[1].len = strlen(p[1].s);
		rc = b.failed || name.failed ? no_memory(c->err)
		     : ormc_db_exec(c->to, b.data, p, 2, c->err);
		ormc_sqlbuf_free(&b);
		ormc_sqlbuf_free(&name);
	}
	return rc;
}

/*
 * SQLite keeps 2 MB of pages by default: a table and its indexes outgrow
 * that early in a big copy, and every batch then spills pages to the file
 * and reads them back. The copy gets SQLITE_CACHE_KIB (freed as the copy
 * ends); *was is the setting to restore.
 */
#define SQLITE_CACHE_KIB 65536

static int
sqlite_cache(copier *c, long long *was)
{
	char sql[64];
	int rc;

	*was = 0;
	if (!is(c->to, "sqlite"))
		return ORMC_OK;
	rc = one_int(c->to, "PRAGMA cache_size", was, c->err);
	if (rc < 0)
		return rc;
	snprintf(sql, sizeof(sql), "PRAGMA cache_size = -%d", SQLITE_CACHE_KIB);
	return ormc_db_exec(c->to, sql, NULL, 0, c->err);
}

static void
sqlite_cache_restore(copier *c, long long was)
{
	char sql[64];

	if (!is(c->to, "sqlite") || was == 0)
		return;
	snprintf(sql, sizeof(sql), "PRAGMA cache_size = %lld", was);
	ormc_db_exec(c->to, sql, NULL, 0, NULL);
}

/* Every target table holds exactly the rows read. */
static int
verify(copier *c)
{
	int k, rc;

	for (k = 0; k < c->npick; k++) {
		const char *name = c->t[c->pick[k]].name;
		long long have;
		ormc_sqlbuf b;

		ormc_sqlbuf_init(&b);
		ormc_sqlbuf_append(&b, "SELECT COUNT(*) FROM ");
		target_table(c, &b, &c->t[c->pick[k]], NULL);
		rc = b.failed ? no_memory(c->err) : one_int(c->to, b.data, &have, c->err);
		ormc_sqlbuf_free(&b);
		if (rc < 0)
			return rc;
		if (have != c->rows[k])
			return ormc_error_set(c->err, ORMC_EDRIVER, NULL, -1, 0,
			                      "table \"%s\": %lld rows read from the "
			                      "source but %lld on the target", name,
			                      c->rows[k], have);
		if (c->total[k] != c->rows[k])
			return ormc_error_set(c->err, ORMC_EDRIVER, NULL, -1, 0,
			                      "table \"%s\": the source counted %lld "
			                      "rows but %lld were read (was it written "
			                      "to during the copy?)", name, c->total[k],
			                      c->rows[k]);
	}
	return ORMC_OK;
}

int
ormc_copy(ormc_db *from, ormc_db *to, const ormc_schema *schema,
          const ormc_copy_options *opts, ormc_error *err)
{
	copier c;
	ormc_error local;
	int rc, k, reading = 0, writing = 0, checks_off = 0;
	long long cache = 0;

	ormc_error_clear(err);
	if (from == NULL || to == NULL || schema == NULL)
		return ormc_error_set(err, ORMC_EINVALID, NULL, -1, 0,
		                      "ormc_copy needs two connections and a schema");
	if (from == to)
		return ormc_error_set(err, ORMC_EINVALID, NULL, -1, 0,
		                      "ormc_copy needs two connections");
	if (opts != NULL && (opts->version != ORMC_COPY_OPTIONS_VERSION ||
	                     opts->batch_rows < 0 || opts->ntables < 0))
		return ormc_error_set(err, ORMC_EINVALID, NULL, -1, 0,
		                      "invalid ormc_copy_options");
	memset(&c, 0, sizeof(c));
	c.from = from;
	c.to = to;
	c.o = opts;
	c.err = err != NULL ? err : &local;
	ormc_error_clear(c.err);

	rc = ormc_scan_tables(schema, &c.t, &c.n, c.err);
	if (rc == ORMC_OK)
		rc = choose(&c);
	if (rc == ORMC_OK && (rc = begin_snapshot(from, c.err)) == ORMC_OK)
		reading = 1;
	if (rc == ORMC_OK)
		rc = check_tables(&c);
	if (rc == ORMC_OK)
		rc = sqlite_cache(&c, &cache);
	if (rc == ORMC_OK && is(to, "mysql") &&
	    (rc = ormc_db_exec(to, "SET FOREIGN_KEY_CHECKS = 0", NULL, 0,
	                       c.err)) == ORMC_OK)
		checks_off = 1;
	if (rc == ORMC_OK && (rc = ormc_db_begin(to, c.err)) == ORMC_OK)
		writing = 1;
	if (rc == ORMC_OK && opts != NULL && opts->truncate)
		rc = empty_targets(&c);
	for (k = 0; rc == ORMC_OK && k < c.npick; k++)
		rc = copy_table(&c, k);
	if (rc == ORMC_OK)
		rc = check_references(&c);
	if (rc == ORMC_OK)
		rc = reset_sequences(&c);
	if (rc == ORMC_OK)
		rc = verify(&c);
	if (rc == ORMC_OK && writing) {
		writing = 0;
		rc = ormc_db_commit(to, c.err);
	}
	if (writing)
		ormc_db_rollback(to, NULL);   /* keep the first error */
	if (reading) {
		if (rc == ORMC_OK)
			rc = ormc_db_commit(from, c.err);
		else
			ormc_db_rollback(from, NULL);
	}
	if (checks_off)
		ormc_db_exec(to, "SET FOREIGN_KEY_CHECKS = 1", NULL, 0, NULL);
	sqlite_cache_restore(&c, cache);
	ormc_scan_free(c.t, c.n);
	free(c.pick);
	free(c.total);
	free(c.rows);
	return rc;
}
