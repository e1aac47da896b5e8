/*
 * mysql_load.c -- the MySQL driver's bulk load (driver version 3):
 * LOAD DATA LOCAL INFILE, its data served from memory.
 *
 * copy_begin() keeps the statement the core wrote (core/bulk.c: "LOAD DATA
 * LOCAL INFILE 'ormc-bulk' INTO TABLE t CHARACTER SET utf8mb4 FIELDS ...
 * (a, b)") after asking the server whether it allows LOAD DATA LOCAL at
 * all (@@GLOBAL.local_infile; MySQL 8 has it OFF by default): if not, it
 * returns ORMC_EUNSUPPORTED and the core writes INSERTs instead. Each
 * copy_send() runs the statement once over the whole rows it is given:
 * when the server asks for the "file", Connector/C calls the handler
 * installed at connect (mysql_set_local_infile_handler), which hands it
 * those bytes. copy_end() has nothing to finish.
 *
 * With LOCAL, MySQL and MariaDB do not fail a LOAD DATA for bad data (a
 * value too long, a string that is not a number) or a duplicate key, even
 * under a strict sql_mode: they store what they can, skip the duplicate
 * row and leave warnings, since the client cannot be told to stop sending.
 * So each statement is checked: any warning (or note) fails it with the
 * server's first warnings as the message, and so do fewer rows stored
 * than sent (rows are counted by their unescaped newlines: a newline in a
 * value is always written as \n). The caller's transaction is then rolled
 * back: nothing is written.
 *
 * Safety. Connector/C, once LOAD DATA LOCAL is allowed, would by default
 * send any file the server names. The handler installed here reads no
 * file: it serves the rows of the copy_send() that is running and refuses
 * every other request (a server asking for a file after some other
 * statement, say).
 */
#define _POSIX_C_SOURCE 200809L

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "mysql_int.h"

struct my_load {
	char *sql;               /* the LOAD DATA statement; NULL: no copy open */
	const char *data;        /* the rows being served, while active */
	size_t len, pos;
	int active;              /* 1 while copy_send()'s statement runs */
	int served;              /* the server asked for the rows */
	char refused[300];       /* why a request was refused */
};

/* ---- the handler Connector/C calls ------------------------------------- */

static int
infile_init(void **ptr, const char *filename, void *userdata)
{
	my_load *l = userdata;

	*ptr = l;
	if (l == NULL || !l->active || l->served) {
		if (l != NULL)
			snprintf(l->refused, sizeof(l->refused),
			         "ormc refuses the server's request for the local file "
			         "'%.200s': it sends no file", filename ? filename : "");
		return 1;
	}
	l->served = 1;
	l->pos = 0;
	return 0;
}

static int
infile_read(void *ptr, char *buf, unsigned int buf_len)
{
	my_load *l = ptr;
	size_t n;

	assert(l != NULL && l->active);
	n = l->len - l->pos;
	if (n > buf_len)
		n = buf_len;
	memcpy(buf, l->data + l->pos, n);
	l->pos += n;
	return (int)n;
}

static void
infile_end(void *ptr)
{
	(void)ptr;
}

static int
infile_error(void *ptr, char *buf, unsigned int buf_len)
{
	my_load *l = ptr;

	snprintf(buf, buf_len, "%s", l != NULL && l->refused[0] != '\0'
	         ? l->refused : "ormc refuses to send a local file");
	return 2000;   /* CR_UNKNOWN_ERROR */
}

int
ormc_my_load_init(my_conn *c)
{
	unsigned int on = 1;

	c->load = calloc(1, sizeof(*c->load));
	if (c->load == NULL)
		return -1;
	mysql_set_local_infile_handler(c->db, infile_init, infile_read,
	                               infile_end, infile_error, c->load);
	return mysql_options(c->db, MYSQL_OPT_LOCAL_INFILE, &on) != 0 ? -1 : 0;
}

void
ormc_my_load_free(my_conn *c)
{
	if (c->load == NULL)
		return;
	free(c->load->sql);
	free(c->load);
	c->load = NULL;
}

/* ---- errors ------------------------------------------------------------- */

static int
load_fail(MYSQL *db, ormc_error *err)
{
	const char *state = mysql_sqlstate(db);

	ormc_error_set(err, ORMC_EDRIVER, NULL, -1, 0, "%s", mysql_error(db));
	if (err != NULL && state != NULL && strlen(state) == 5 &&
	    strcmp(state, "00000") != 0)
		memcpy(err->sqlstate, state, 6);
	return ORMC_EDRIVER;
}

/* The statement left warnings: fail with the first few, as the server says them. */
static int
warnings_fail(MYSQL *db, unsigned nwarn, ormc_error *err)
{
	static const char q[] = "SHOW WARNINGS LIMIT 3";
	char text[400];
	size_t at = 0;
	MYSQL_RES *res;
	MYSQL_ROW row;

	text[0] = '\0';
	if (mysql_real_query(db, q, sizeof(q) - 1) == 0 &&
	    (res = mysql_store_result(db)) != NULL) {
		while ((row = mysql_fetch_row(res)) != NULL && at < sizeof(text) - 1) {
			int n = snprintf(text + at, sizeof(text) - at, "%s%s %s: %s",
			                 at > 0 ? "; " : "", row[0] ? row[0] : "",
			                 row[1] ? row[1] : "", row[2] ? row[2] : "");

			if (n < 0)
				break;
			at += (size_t)n;
		}
		mysql_free_result(res);
	}
	if (at >= sizeof(text))
		at = sizeof(text) - 1;
	text[at] = '\0';
	ormc_error_set(err, ORMC_EDRIVER, NULL, -1, 0,
	               "the server stored the rows with %u warning%s (%s)", nwarn,
	               nwarn == 1 ? "" : "s", at > 0 ? text : "SHOW WARNINGS gave none");
	ormc_error_hint(err, "LOAD DATA LOCAL turns bad values and duplicate keys "
	                "into warnings; ormc copy fails on any, and writes nothing.");
	return ORMC_EDRIVER;
}

/* ---- the driver's methods ----------------------------------------------- */

static int
busy_fail(ormc_error *err)
{
	return ormc_error_set(err, ORMC_EDRIVER, NULL, -1, 0,
	                      "the rows of another query are still being read on "
	                      "this MySQL connection");
}

/* Does the server allow LOAD DATA LOCAL? 1 yes, 0 no, < 0 error. */
static int
server_allows(my_conn *c, ormc_error *err)
{
	static const char q[] = "SELECT @@GLOBAL.local_infile";
	MYSQL_RES *res;
	MYSQL_ROW row;
	int on;

	if (mysql_real_query(c->db, q, sizeof(q) - 1) != 0 ||
	    (res = mysql_store_result(c->db)) == NULL)
		return load_fail(c->db, err);
	row = mysql_fetch_row(res);
	on = row != NULL && row[0] != NULL &&
	     (strcmp(row[0], "1") == 0 || strcmp(row[0], "ON") == 0);
	mysql_free_result(res);
	return on;
}

int
ormc_my_copy_begin(ormc_conn *conn, const char *sql, ormc_error *err)
{
	my_conn *c = (my_conn *)conn;
	my_load *l = c->load;
	int rc;

	assert(l != NULL && sql != NULL);
	if (c->busy != NULL)
		return busy_fail(err);
	if (l->sql != NULL)
		return ormc_error_set(err, ORMC_EINTERNAL, NULL, -1, 0,
		                      "a bulk load is already open on this MySQL "
		                      "connection");
	rc = server_allows(c, err);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return ormc_error_set(err, ORMC_EUNSUPPORTED, NULL, -1, 0,
		                      "the server does not allow LOAD DATA LOCAL "
		                      "INFILE: local_infile is OFF");
	l->sql = strdup(sql);
	return l->sql != NULL ? ORMC_OK
	       : ormc_error_set(err, ORMC_ENOMEM, NULL, -1, 0, "out of memory");
}

int
ormc_my_copy_send(ormc_conn *conn, const char *data, size_t len,
                  ormc_error *err)
{
	my_conn *c = (my_conn *)conn;
	my_load *l = c->load;
	unsigned long long rows = 0, stored;
	unsigned nwarn;
	const char *p, *end = data + len;
	int failed;

	assert(l != NULL);
	if (l->sql == NULL)
		return ormc_error_set(err, ORMC_EINTERNAL, NULL, -1, 0,
		                      "copy_send without copy_begin");
	if (len == 0)
		return ORMC_OK;
	/* whole rows (driver.h): each ends with its newline */
	if (data[len - 1] != '\n')
		return ormc_error_set(err, ORMC_EINTERNAL, NULL, -1, 0,
		                      "LOAD DATA sent a partial row");
	for (p = data; p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++)
		rows++;
	l->data = data;
	l->len = len;
	l->pos = 0;
	l->active = 1;
	l->served = 0;
	l->refused[0] = '\0';
	failed = mysql_real_query(c->db, l->sql, strlen(l->sql)) != 0;
	l->active = 0;
	l->data = NULL;
	if (failed)
		return load_fail(c->db, err);
	if (!l->served || l->pos != l->len)
		return ormc_error_set(err, ORMC_EDRIVER, NULL, -1, 0,
		                      "the server read %zu of the %zu bytes of rows "
		                      "sent by LOAD DATA", l->pos, l->len);
	nwarn = mysql_warning_count(c->db);
	if (nwarn > 0)
		return warnings_fail(c->db, nwarn, err);
	stored = (unsigned long long)mysql_affected_rows(c->db);
	if (stored != rows)
		return ormc_error_set(err, ORMC_EDRIVER, NULL, -1, 0,
		                      "LOAD DATA stored %llu of the %llu rows sent (%s)",
		                      stored, rows, mysql_info(c->db) ? mysql_info(c->db) : "");
	return ORMC_OK;
}

int
ormc_my_copy_end(ormc_conn *conn, const char *abort, ormc_error *err)
{
	my_conn *c = (my_conn *)conn;
	my_load *l = c->load;

	(void)abort;   /* each copy_send() was a whole statement: the caller rolls back */
	(void)err;
	assert(l != NULL);
	free(l->sql);
	l->sql = NULL;
	return ORMC_OK;
}
