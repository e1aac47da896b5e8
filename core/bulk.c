/*
 * bulk.c -- batched writes of many rows into one table (see bulk.h).
 *
 * Three ways, chosen by the driver and the dialect:
 *
 *   COPY (driver version 3 with copy_begin, PostgreSQL: libpq)
 *       "COPY t (a, b) FROM STDIN" once, then rows in COPY's text format
 *       (columns separated by a tab, rows by a newline, NULL as \N,
 *       backslash, tab, newline and carriage return escaped), sent to the
 *       driver in chunks of about 1 MB. Values are written as the driver
 *       writes parameters: floats in their shortest exact text, booleans t
 *       and f, durations as "D days U microseconds".
 *
 *   LOAD (driver version 3 with copy_begin, MySQL: MariaDB Connector/C)
 *       "LOAD DATA LOCAL INFILE ... INTO TABLE t CHARACTER SET utf8mb4
 *       FIELDS TERMINATED BY '\t' ESCAPED BY '\\' LINES TERMINATED BY '\n'
 *       (a, b)", which the driver runs once for each chunk of about 4 MB of
 *       whole rows, in LOAD DATA's format: COPY's, but a NUL byte is \0,
 *       booleans 1 and 0, durations microseconds (as the driver binds them),
 *       and the bytes of text and binary values go as they are: text in the
 *       connection's utf8mb4 (MySQL 8 makes no JSON of a binary string),
 *       binary values unconverted into their binary columns (no byte of a
 *       UTF-8 sequence is ASCII, so a broken one cannot hide an escape).
 *       The driver fails a chunk that leaves a warning or stores fewer rows
 *       than it has: with LOCAL, the server turns bad values and duplicate
 *       keys into warnings and skips rows.
 *       A driver that cannot load on this connection (the server's
 *       local_infile is OFF) refuses copy_begin with ORMC_EUNSUPPORTED, and
 *       the rows go as INSERTs; ormc_bulk_method() says why.
 *
 *   INSERT (every other driver)
 *       "INSERT INTO t (a, b) VALUES (?, ?), (?, ?), ..." with bound values,
 *       rows_per_batch rows at a time. The statement of a full batch is
 *       prepared once on the server when the driver can prepare (version 2);
 *       the last, shorter batch is sent as text. Values are copied into the
 *       writer (text bytes into one buffer) until their batch is sent.
 */
#include "bulk.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "error.h"
#include "sqlbuf.h"

/* COPY data is sent when this much has gathered; LOAD DATA's, as one statement. */
#define COPY_CHUNK (1u << 20)
#define LOAD_CHUNK (4u << 20)

/* How the rows go. */
typedef enum bulk_way { WAY_INSERT, WAY_COPY, WAY_LOAD } bulk_way;

struct ormc_bulk {
	ormc_db *db;
	const char *table;
	const char *const *cols;
	int ncols;
	unsigned char *binary;   /* per column: a BinaryField's (ormc_bulk_set_binary) */
	bulk_way way;
	int copy;                /* 1: COPY or LOAD DATA is open (copy_begin done) */
	size_t chunk;            /* COPY, LOAD: bytes gathered before sending */
	char method[300];        /* ormc_bulk_method() */
	int rows_per_batch;      /* INSERT: rows in a full batch */
	/* INSERT: the batch being gathered */
	ormc_value *vals;        /* rows_per_batch * ncols */
	size_t *offs;            /* text values: offset of their bytes in text */
	int nrows;
	ormc_sqlbuf text;        /* INSERT: text bytes; COPY: the data to send */
	ormc_prepared *full;     /* the full batch's prepared statement, or NULL */
	int tried_prepare;
	int64_t sent;
};

static int
no_memory(ormc_error *err)
{
	return ormc_error_set(err, ORMC_ENOMEM, NULL, -1, 0, "out of memory");
}

/*
 * "INSERT INTO t (a, b) VALUES ", "COPY t (a, b) FROM STDIN" or MySQL's
 * LOAD DATA (the file name is the driver's to serve: it reads no file).
 */
static void
head(const ormc_bulk *w, ormc_sqlbuf *b, bulk_way way)
{
	int i;

	if (way == WAY_LOAD) {
		ormc_sqlbuf_append(b, "LOAD DATA LOCAL INFILE 'ormc-bulk' INTO TABLE ");
		w->db->dialect->quote_ident(b, w->table);
		ormc_sqlbuf_append(b, " CHARACTER SET utf8mb4 FIELDS TERMINATED BY "
		                   "'\\t' ESCAPED BY '\\\\' LINES TERMINATED BY "
		                   "'\\n' (");
	} else {
		ormc_sqlbuf_append(b, way == WAY_COPY ? "COPY " : "INSERT INTO ");
		w->db->dialect->quote_ident(b, w->table);
		ormc_sqlbuf_append(b, " (");
	}
	for (i = 0; i < w->ncols; i++) {
		if (i > 0)
			ormc_sqlbuf_append(b, ", ");
		w->db->dialect->quote_ident(b, w->cols[i]);
	}
	ormc_sqlbuf_append(b, way == WAY_COPY ? ") FROM STDIN"
	                      : way == WAY_LOAD ? ")" : ") VALUES ");
}

/* The INSERT of n rows, placeholders numbered from 1. */
static char *
insert_sql(const ormc_bulk *w, int n)
{
	ormc_sqlbuf b;
	int r, c, k = 1;

	ormc_sqlbuf_init(&b);
	head(w, &b, WAY_INSERT);
	for (r = 0; r < n; r++) {
		ormc_sqlbuf_append(&b, r > 0 ? ", (" : "(");
		for (c = 0; c < w->ncols; c++) {
			if (c > 0)
				ormc_sqlbuf_append(&b, ", ");
			ormc_dialect_value_placeholder(w->db->dialect, &b, k++,
			                               w->binary != NULL && w->binary[c]);
		}
		ormc_sqlbuf_appendc(&b, ')');
	}
	if (b.failed) {
		ormc_sqlbuf_free(&b);
		return NULL;
	}
	return ormc_sqlbuf_detach(&b);
}

/* How many placeholders one statement may have on this engine. */
static int
max_params(const ormc_db *db)
{
	if (strcmp(db->dialect->name, "sqlite") == 0)
		return db->server_version > 0 && db->server_version < 33200 ? 999
		                                                            : 32766;
	return 65535;   /* MySQL's and PostgreSQL's protocol limit */
}

static int
can_copy(const ormc_driver *d)
{
	return d->version >= 3 && d->copy_begin != NULL && d->copy_send != NULL &&
	       d->copy_end != NULL;
}

static int
can_prepare(const ormc_driver *d)
{
	return d->version >= 2 && d->prepare != NULL &&
	       d->execute_prepared != NULL && d->finalize != NULL;
}

int
ormc_bulk_open(ormc_bulk **out, ormc_db *db, const char *table,
               const char *const *cols, int ncols, int batch_rows,
               ormc_error *err)
{
	const ormc_driver *d;
	ormc_bulk *w;
	int rc;

	*out = NULL;
	if (db == NULL || table == NULL || cols == NULL || ncols <= 0 ||
	    batch_rows < 0)
		return ormc_error_set(err, ORMC_EINVALID, NULL, -1, 0,
		                      "invalid arguments to ormc_bulk_open");
	d = db->conn->driver;
	if (ncols > max_params(db))
		return ormc_error_set(err, ORMC_EUNSUPPORTED, NULL, -1, 0,
		                      "table \"%s\" has %d columns, more than one "
		                      "statement can bind on %s (%d)", table, ncols,
		                      db->dialect->name, max_params(db));
	w = calloc(1, sizeof(*w));
	if (w == NULL)
		return no_memory(err);
	w->db = db;
	w->table = table;
	w->cols = cols;
	w->ncols = ncols;
	ormc_sqlbuf_init(&w->text);
	if (can_copy(d)) {
		ormc_error refused;
		ormc_sqlbuf b;
		bulk_way way = strcmp(db->dialect->name, "mysql") == 0 ? WAY_LOAD
		                                                      : WAY_COPY;

		ormc_error_clear(&refused);
		ormc_sqlbuf_init(&b);
		head(w, &b, way);
		rc = b.failed ? no_memory(err)
		              : d->copy_begin(db->conn, b.data, &refused);
		ormc_sqlbuf_free(&b);
		if (rc == ORMC_OK) {
			w->way = way;
			w->copy = 1;
			w->chunk = way == WAY_LOAD ? LOAD_CHUNK : COPY_CHUNK;
			snprintf(w->method, sizeof(w->method), "%s",
			         way == WAY_LOAD ? "LOAD DATA LOCAL INFILE"
			                         : "COPY FROM STDIN");
			*out = w;
			return ORMC_OK;
		}
		if (rc != ORMC_EUNSUPPORTED) {
			if (err != NULL && refused.code != ORMC_OK)
				*err = refused;
			free(w);
			return rc;
		}
		/* the driver cannot here: INSERTs, and the method says why */
		snprintf(w->method, sizeof(w->method), "multi-row INSERT (%.280s)",
		         refused.message);
	} else {
		snprintf(w->method, sizeof(w->method), "multi-row INSERT");
	}
	w->rows_per_batch = batch_rows > 0 ? batch_rows : ORMC_BULK_ROWS;
	if (w->rows_per_batch > max_params(db) / ncols)
		w->rows_per_batch = max_params(db) / ncols;
	assert(w->rows_per_batch >= 1);
	w->vals = calloc((size_t)w->rows_per_batch * (size_t)ncols,
	                 sizeof(*w->vals));
	w->offs = calloc((size_t)w->rows_per_batch * (size_t)ncols,
	                 sizeof(*w->offs));
	if (w->vals == NULL || w->offs == NULL) {
		ormc_bulk_free(w);
		return no_memory(err);
	}
	*out = w;
	return ORMC_OK;
}

static int
is_text_type(ormc_type t)
{
	return t == ORMC_TYPE_DECIMAL || t == ORMC_TYPE_TEXT ||
	       t == ORMC_TYPE_DATE || t == ORMC_TYPE_DATETIME ||
	       t == ORMC_TYPE_TIME;
}

/* v's decimal digits at b. */
static void
append_int(ormc_sqlbuf *b, long long v)
{
	char num[24], *p = num + sizeof(num);
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v
	                             : (unsigned long long)v;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u > 0);
	if (v < 0)
		*--p = '-';
	ormc_sqlbuf_appendn(b, p, (size_t)(num + sizeof(num) - p));
}

/*
 * One value in COPY's text format, or in LOAD DATA's: the same escapes of
 * backslash, tab, newline and carriage return; a NUL byte is \0 for LOAD
 * DATA and an error for PostgreSQL; booleans and durations as each driver
 * binds them.
 */
static int
copy_value(ormc_bulk *w, const ormc_value *v, int col, ormc_error *err)
{
	ormc_sqlbuf *b = &w->text;
	int load = w->way == WAY_LOAD;
	char num[64];
	size_t k, from;

	switch (v->type) {
	case ORMC_TYPE_NULL:
		ormc_sqlbuf_appendn(b, "\\N", 2);
		return ORMC_OK;
	case ORMC_TYPE_INT:
		append_int(b, (long long)v->i);
		return ORMC_OK;
	case ORMC_TYPE_BOOL:
		ormc_sqlbuf_appendc(b, load ? (v->i ? '1' : '0') : (v->i ? 't' : 'f'));
		return ORMC_OK;
	case ORMC_TYPE_FLOAT:
		ormc_db_float_text(v->f, num, sizeof(num));
		ormc_sqlbuf_append(b, num);
		return ORMC_OK;
	case ORMC_TYPE_DURATION: {
		/* MySQL: microseconds (drivers/mysql.c); PostgreSQL: days apart */
		long long day = 86400000000LL, d = (long long)v->i / day,
		          us = (long long)v->i % day;

		if (load) {
			append_int(b, (long long)v->i);
			return ORMC_OK;
		}
		if (us < 0) {
			us += day;
			d--;
		}
		ormc_sqlbuf_appendf(b, "%lld days %lld microseconds", d, us);
		return ORMC_OK;
	}
	default:
		break;
	}
	if (!is_text_type(v->type) || (v->s == NULL && v->len > 0))
		return ormc_error_set(err, ORMC_EINVALID, NULL, -1, 0,
		                      "column \"%s\": a value of type %d",
		                      w->cols[col], (int)v->type);
	/* runs of plain bytes at once, each special byte escaped */
	for (k = from = 0; k < v->len; k++) {
		const char *esc;
		char c = v->s[k];

		switch (c) {
		case '\\': esc = "\\\\"; break;
		case '\t': esc = "\\t"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\0':
			if (!load)
				return ormc_error_set(err, ORMC_EDRIVER, NULL, -1, 0,
				                      "column \"%s\": PostgreSQL text "
				                      "cannot contain a NUL byte",
				                      w->cols[col]);
			esc = "\\0";
			break;
		default:
			continue;
		}
		ormc_sqlbuf_appendn(b, v->s + from, k - from);
		ormc_sqlbuf_appendn(b, esc, 2);
		from = k + 1;
	}
	ormc_sqlbuf_appendn(b, v->s + from, v->len - from);
	return ORMC_OK;
}

static int
copy_flush(ormc_bulk *w, ormc_error *err)
{
	int rc;

	if (w->text.failed)
		return no_memory(err);
	if (w->text.len == 0)
		return ORMC_OK;
	rc = w->db->conn->driver->copy_send(w->db->conn, w->text.data,
	                                    w->text.len, err);
	ormc_sqlbuf_reset(&w->text);
	return rc;
}

/* Run the INSERT of the gathered rows. */
static int
insert_flush(ormc_bulk *w, ormc_error *err)
{
	const ormc_driver *d = w->db->conn->driver;
	int n = w->nrows * w->ncols, i, rc;
	ormc_cursor *cur = NULL;
	char *sql;

	if (w->nrows == 0)
		return ORMC_OK;
	if (w->text.failed)
		return no_memory(err);
	/* the text buffer may have moved while the batch gathered */
	for (i = 0; i < n; i++)
		if (is_text_type(w->vals[i].type))
			w->vals[i].s = w->text.data + w->offs[i];
	if (w->nrows == w->rows_per_batch && !w->tried_prepare && can_prepare(d)) {
		w->tried_prepare = 1;
		sql = insert_sql(w, w->nrows);
		if (sql == NULL)
			return no_memory(err);
		rc = d->prepare(w->db->conn, sql, n, &w->full, err);
		free(sql);
		if (rc < 0)
			return rc;
		if (w->full != NULL)
			w->full->conn = w->db->conn;
	}
	if (w->nrows == w->rows_per_batch && w->full != NULL) {
		rc = d->execute_prepared(w->full, w->vals, n, &cur, err);
	} else {
		sql = insert_sql(w, w->nrows);
		if (sql == NULL)
			return no_memory(err);
		rc = ormc_db_query(w->db, sql, w->vals, n, &cur, err);
		free(sql);
	}
	if (cur != NULL)
		d->close_cursor(cur);
	if (rc < 0)
		return rc;
	w->sent += w->nrows;
	w->nrows = 0;
	ormc_sqlbuf_reset(&w->text);
	return ORMC_OK;
}

int
ormc_bulk_set_binary(ormc_bulk *w, int col, ormc_error *err)
{
	assert(col >= 0 && col < w->ncols);
	assert(w->sent == 0 && w->nrows == 0);
	if (w->binary == NULL && (w->binary = calloc((size_t)w->ncols, 1)) == NULL)
		return no_memory(err);
	w->binary[col] = 1;
	return ORMC_OK;
}

int
ormc_bulk_append(ormc_bulk *w, const ormc_value *row, ormc_error *err)
{
	int c, rc;

	assert(w != NULL && row != NULL);
	if (w->copy) {
		for (c = 0; c < w->ncols; c++) {
			if (c > 0)
				ormc_sqlbuf_appendc(&w->text, '\t');
			if ((rc = copy_value(w, &row[c], c, err)) < 0)
				return rc;
		}
		ormc_sqlbuf_appendc(&w->text, '\n');
		w->sent++;
		return w->text.len >= w->chunk ? copy_flush(w, err) : ORMC_OK;
	}
	for (c = 0; c < w->ncols; c++) {
		size_t at = (size_t)w->nrows * (size_t)w->ncols + (size_t)c;
		ormc_value *v = &w->vals[at];

		*v = row[c];
		if (is_text_type(v->type)) {
			if (v->s == NULL && v->len > 0)
				return ormc_error_set(err, ORMC_EINVALID, NULL, -1, 0,
				                      "column \"%s\": a text value without "
				                      "text", w->cols[c]);
			w->offs[at] = w->text.len;
			ormc_sqlbuf_appendn(&w->text, v->s ? v->s : "", v->len);
			ormc_sqlbuf_appendc(&w->text, '\0');
		}
	}
	w->nrows++;
	/* a batch of long texts goes sooner: MariaDB refuses a packet over max_allowed_packet (16 MB) */
	return w->nrows == w->rows_per_batch || w->text.len >= ORMC_BULK_INSERT_BYTES
	       ? insert_flush(w, err) : ORMC_OK;
}

int
ormc_bulk_finish(ormc_bulk *w, ormc_error *err)
{
	int rc;

	assert(w != NULL);
	if (!w->copy)
		return insert_flush(w, err);
	rc = copy_flush(w, err);
	w->copy = 0;
	if (rc < 0) {
		w->db->conn->driver->copy_end(w->db->conn, "ormc: copy failed", NULL);
		return rc;
	}
	return w->db->conn->driver->copy_end(w->db->conn, NULL, err);
}

const char *
ormc_bulk_method(const ormc_bulk *w)
{
	return w != NULL ? w->method : "";
}

int
ormc_bulk_batch_rows(const ormc_bulk *w)
{
	return w != NULL && w->way == WAY_INSERT ? w->rows_per_batch : 0;
}

int64_t
ormc_bulk_sent(const ormc_bulk *w)
{
	return w != NULL ? w->sent : 0;
}

void
ormc_bulk_free(ormc_bulk *w)
{
	if (w == NULL)
		return;
	if (w->copy)
		w->db->conn->driver->copy_end(w->db->conn, "ormc: copy cancelled",
		                              NULL);
	if (w->full != NULL)
		w->db->conn->driver->finalize(w->full);
	free(w->vals);
	free(w->offs);
	free(w->binary);
	ormc_sqlbuf_free(&w->text);
	free(w);
}
