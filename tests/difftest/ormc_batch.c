/*
 * ormc_batch.c -- run many queries on one database, one JSON line each.
 *
 *   ormc_batch --db URL [--server-version N] LABEL=MODELS.py ...
 *
 * Reads queries from stdin, one per line, as "LABEL<TAB>QUERY"; LABEL picks
 * the models file (loaded with that Django app label, so tables are named
 * LABEL_model). For every line it prints exactly one line on stdout and
 * flushes it:
 *
 *   {"columns": [...], "shape": "objects", "rows": [[...], ...]}
 *   {"error": "message", "code": -5, "sqlstate": "42803"}
 *
 * Cells are typed: integers and booleans as JSON numbers and booleans,
 * floats as {"f": "repr"} (so 2.0 stays a float), decimals {"dec": "34.35"},
 * dates {"date": ...}, datetimes {"dt": ...}, times {"time": ...},
 * durations {"dur": microseconds}, text as strings, NULL as null.
 *
 * The differential tester (tests/difftest/difftest.py) runs one of these
 * per backend combination; if it dies on a query (a signal), the tester
 * records that query as a crash and restarts it after that line.
 *
 * --server-version compiles as for that server version (used for SQLite
 * 3.29, which has no FILTER clause), as check_conformance does.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "ormc/ormc.h"

#define MAX_SCHEMAS 16

static const char *labels[MAX_SCHEMAS];
static ormc_schema *schemas[MAX_SCHEMAS];
static int nschemas;
static FILE *o;              /* where json_* write: stdout, or a row buffer */

static void
json_string(const char *s, size_t n)
{
	size_t i;

	fputc('"', o);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			fprintf(o, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", o);
		else if (c == '\t')
			fputs("\\t", o);
		else if (c == '\r')
			fputs("\\r", o);
		else if (c < 0x20)
			fprintf(o, "\\u%04x", c);
		else
			fputc(c, o);
	}
	fputc('"', o);
}

static void
json_cstr(const char *s)
{
	json_string(s, strlen(s));
}

static void
json_tagged(const char *tag, const ormc_value *v)
{
	fprintf(o, "{\"%s\": ", tag);
	json_string(v->s ? v->s : "", v->len);
	fputc('}', o);
}

static void
json_value(const ormc_value *v)
{
	char buf[64];

	switch (v->type) {
	case ORMC_TYPE_NULL: fputs("null", o); break;
	case ORMC_TYPE_INT: fprintf(o, "%lld", (long long)v->i); break;
	case ORMC_TYPE_BOOL: fputs(v->i ? "true" : "false", o); break;
	case ORMC_TYPE_DURATION: fprintf(o, "{\"dur\": %lld}", (long long)v->i); break;
	case ORMC_TYPE_FLOAT:
		snprintf(buf, sizeof(buf), "%.17g", v->f);
		fprintf(o, "{\"f\": \"%s\"}", buf);
		break;
	case ORMC_TYPE_DECIMAL: json_tagged("dec", v); break;
	case ORMC_TYPE_DATE: json_tagged("date", v); break;
	case ORMC_TYPE_DATETIME: json_tagged("dt", v); break;
	case ORMC_TYPE_TIME: json_tagged("time", v); break;
	case ORMC_TYPE_TEXT: json_string(v->s ? v->s : "", v->len); break;
	default: fputs("null", o); break;
	}
}

static const char *
shape_name(ormc_shape s)
{
	switch (s) {
	case ORMC_SHAPE_OBJECTS: return "objects";
	case ORMC_SHAPE_LISTS: return "lists";
	case ORMC_SHAPE_FLAT: return "flat";
	case ORMC_SHAPE_AGGREGATE: return "aggregate";
	case ORMC_SHAPE_SCALAR: return "scalar";
	}
	return "?";
}

static void
print_error(const ormc_error *err)
{
	fputs("{\"error\": ", o);
	json_cstr(err->message);
	fprintf(o, ", \"code\": %d, \"sqlstate\": ", err->code);
	json_cstr(err->sqlstate);
	fputs("}\n", o);
}

/* Run one query; rows are printed only once all of them arrived. */
static void
run_one(ormc_db *db, const char *label, const char *text)
{
	ormc_query *q = NULL;
	ormc_result *r = NULL;
	ormc_error err;
	const ormc_value *row;
	char *rows = NULL;
	size_t rowslen = 0;
	FILE *mem;
	int i, n, rc, nrows = 0;
	const ormc_schema *schema = NULL;

	ormc_error_clear(&err);
	for (i = 0; i < nschemas; i++)
		if (strcmp(labels[i], label) == 0)
			schema = schemas[i];
	if (schema == NULL) {
		snprintf(err.message, sizeof(err.message), "ormc_batch: no models for label %s", label);
		err.code = ORMC_EINVALID;
		print_error(&err);
		return;
	}
	rc = ormc_query_parse(&q, schema, text, (size_t)-1, &err);
	if (rc == ORMC_OK)
		rc = ormc_query_run(&r, db, q, &err);
	if (rc != ORMC_OK) {
		print_error(&err);
		ormc_query_free(q);
		return;
	}
	/* The rows go to a memory stream first: an error after some rows must
	 * still print one line only. */
	mem = open_memstream(&rows, &rowslen);
	if (mem == NULL) {
		fputs("{\"error\": \"ormc_batch: out of memory\", \"code\": -6, \"sqlstate\": \"\"}\n", o);
		ormc_result_free(r);
		ormc_query_free(q);
		return;
	}
	n = ormc_result_ncolumns(r);
	{
		o = mem;
		while ((rc = ormc_result_next(r, &row, &err)) > 0) {
			fputs(nrows++ ? ", [" : "[", o);
			for (i = 0; i < n; i++) {
				if (i)
					fputs(", ", o);
				json_value(&row[i]);
			}
			fputc(']', o);
		}
		o = stdout;
	}
	fclose(mem);
	if (rc < 0) {
		print_error(&err);
	} else {
		fputs("{\"columns\": [", o);
		for (i = 0; i < n; i++) {
			if (i)
				fputs(", ", o);
			json_cstr(ormc_result_column(r, i));
		}
		fprintf(o, "], \"shape\": \"%s\", \"rows\": [%s]}\n", shape_name(ormc_result_shape(r)),
		       rows ? rows : "");
	}
	free(rows);
	ormc_result_free(r);
	ormc_query_free(q);
}

int
main(int argc, char **argv)
{
	const char *url = NULL;
	int server_version = 0, i;
	ormc_db *db = NULL;
	ormc_error err;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;

	o = stdout;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
			url = argv[++i];
		} else if (strcmp(argv[i], "--server-version") == 0 && i + 1 < argc) {
			server_version = atoi(argv[++i]);
		} else if (strchr(argv[i], '=') != NULL && nschemas < MAX_SCHEMAS) {
			char *eq = strchr(argv[i], '=');
			ormc_schema_options opts = ORMC_SCHEMA_OPTIONS_INIT;

			*eq = '\0';
			labels[nschemas] = argv[i];
			opts.app_label = argv[i];
			if (ormc_schema_load(&schemas[nschemas], eq + 1, &opts, &err) != ORMC_OK) {
				fprintf(stderr, "ormc_batch: %s: %s\n", eq + 1, err.message);
				return 2;
			}
			nschemas++;
		} else {
			fprintf(stderr, "usage: %s --db URL [--server-version N] LABEL=MODELS.py ...\n",
			        argv[0]);
			return 2;
		}
	}
	o = stdout;
	if (url == NULL || nschemas == 0) {
		fprintf(stderr, "usage: %s --db URL [--server-version N] LABEL=MODELS.py ...\n", argv[0]);
		return 2;
	}
	if (ormc_connect(&db, url, &err) != ORMC_OK) {
		fprintf(stderr, "ormc_batch: cannot connect: %s\n", err.message);
		return 1;
	}
	if (server_version > 0)
		db->server_version = server_version;
	while ((len = getline(&line, &cap, stdin)) >= 0) {
		char *tab;

		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		tab = strchr(line, '\t');
		if (tab == NULL) {
			ormc_error_clear(&err);
			snprintf(err.message, sizeof(err.message), "ormc_batch: line without LABEL<TAB>");
			err.code = ORMC_EINVALID;
			print_error(&err);
		} else {
			*tab = '\0';
			run_one(db, line, tab + 1);
		}
		fflush(stdout);
	}
	free(line);
	ormc_disconnect(db);
	for (i = 0; i < nschemas; i++)
		ormc_schema_free(schemas[i]);
	return 0;
}
