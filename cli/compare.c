/*
 * compare.c -- `ormc compare`: run the same queries on several databases and
 * print every difference, query by query as each finishes.
 *
 * The query runs on every database at once and the rows are read in
 * lockstep, one row from each database at a time. Each database after the
 * first is matched against the first by a row matcher (rowmatch.h), which
 * pairs rows by the query's key: by position when the query is ordered, by
 * its grouping key or primary key when it has one, else as a multiset.
 * Cells are compared after ormc's conversion to Django types, by their JSON
 * spelling (decimals by value, floats within a relative tolerance), so two
 * databases agree when `ormc run --format json` prints the same values.
 * What is found goes into a report (compare_report.h), printed as text or
 * JSON when the query is done.
 */
#define _POSIX_C_SOURCE 200809L

#include "compare.h"

#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compare_report.h"
#include "format.h"
#include "rowmatch.h"

/* Does s start with key (ASCII, any case) at a key position (start, or after ; space & ? :)? */
static size_t
password_key(const char *url, const char *s)
{
	static const char *const keys[] = { "pwd=", "password=" };
	size_t k, j, len;

	if (s != url && strchr("; &?:", s[-1]) == NULL)
		return 0;
	for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		len = strlen(keys[k]);
		for (j = 0; j < len; j++)
			if (s[j] == '\0' || (s[j] | 0x20) != keys[k][j])
				break;
		if (j == len)
			return len;
	}
	return 0;
}

/*
 * A URL with every password replaced by "***", for printing: the
 * user:password@ of scheme://user:password@host (up to the last '@' before
 * the query), and the values of pwd= and password= keys (ODBC "PWD=x;",
 * with {braces}; libpq "password='x'"; URL query "?password=x&").
 */
void
cli_mask_url(const char *url, char *buf, size_t n)
{
	const char *p = url, *auth = strstr(url, "://"), *colon = NULL, *at = NULL;
	size_t o = 0, klen;

	if (n == 0)
		return;
	if (auth != NULL) {
		const char *q, *end;

		auth += 3;
		end = auth + strcspn(auth, "?");
		for (q = auth; q < end; q++)
			if (*q == '@')
				at = q;
		if (at != NULL) {
			colon = memchr(auth, ':', (size_t)(at - auth));
			if (colon == NULL)
				at = NULL;
		}
	}
#define PUT(c) do { if (o + 1 < n) buf[o++] = (c); } while (0)
	while (*p) {
		if (p == colon) {
			PUT(':');
			PUT('*'); PUT('*'); PUT('*');
			p = at;
			continue;
		}
		if ((klen = password_key(url, p)) > 0) {
			while (klen-- > 0)
				PUT(*p++);
			if (*p == '{' || *p == '\'') {
				char close = *p == '{' ? '}' : '\'';

				for (p++; *p && *p != close; p++)
					;
				if (*p)
					p++;
			} else {
				while (*p && *p != ';' && *p != ' ' && *p != '&')
					p++;
			}
			PUT('*'); PUT('*'); PUT('*');
			continue;
		}
		PUT(*p++);
	}
#undef PUT
	buf[o] = '\0';
}

/* 10^-d for d in 1..17, as literals (the CLI does not link libm). */
static double
tenth_power(int d)
{
	static const double t[] = { 1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-9,
	                            1e-10, 1e-11, 1e-12, 1e-13, 1e-14, 1e-15, 1e-16, 1e-17 };

	assert(d >= 1 && d <= 17);
	return t[d - 1];
}

int
cli_compare_options(cli_compare_opts *o, const char *format, const char *float_digits,
                    const char *rel_tol, char *msg, size_t n)
{
	char *end;

	memset(o, 0, sizeof(*o));
	o->float_digits = CLI_COMPARE_FLOAT_DIGITS;
	o->rel_tol = tenth_power(CLI_COMPARE_FLOAT_DIGITS);
	o->progress = isatty(fileno(stderr));
	if (format != NULL && strcmp(format, "json") == 0) {
		o->json = 1;
	} else if (format != NULL && strcmp(format, "table") != 0) {
		snprintf(msg, n, "compare: unknown format '%s' (table or json)", format);
		return -1;
	}
	if (float_digits != NULL && rel_tol != NULL) {
		snprintf(msg, n, "compare: give --float-digits or --rel-tol, not both");
		return -1;
	}
	if (float_digits != NULL) {
		long d;

		errno = 0;
		d = strtol(float_digits, &end, 10);
		if (errno != 0 || end == float_digits || *end != '\0' || d < 1 || d > 17) {
			snprintf(msg, n, "--float-digits wants a number of digits from 1 to 17, not '%s'",
			         float_digits);
			return -1;
		}
		o->float_digits = (int)d;
		o->rel_tol = tenth_power((int)d);
	}
	if (rel_tol != NULL) {
		double x;

		errno = 0;
		x = strtod(rel_tol, &end);
		if (errno != 0 || end == rel_tol || *end != '\0' || !(x >= 0 && x <= 1)) {
			snprintf(msg, n, "--rel-tol wants a number from 0 to 1, not '%s'", rel_tol);
			return -1;
		}
		o->float_digits = 0;
		o->rel_tol = x;
	}
	return 0;
}

/* ---- progress on a terminal -------------------------------------------------- */

/* "[3/40] running on db2 (postgresql)..." over the previous one, on stderr; nothing when off. */
static void
progress(const cli_compare_opts *o, const char *fmt, ...)
{
	va_list ap;

	if (!o->progress)
		return;
	fputs("\r\033[K", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fflush(stderr);
}

static void
progress_clear(const cli_compare_opts *o)
{
	if (o->progress) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
}

/* ---- collation ---------------------------------------------------------------- */

/*
 * On every MySQL/MariaDB database, the text columns whose collation decides
 * the query's answer (ormc_query_text_columns()) that have a
 * case-insensitive collation (a name ending in "_ci"): a warning each.
 */
static int
collation_warnings(cmp_report *rep, ormc_db **dbs, int ndb, const ormc_query *q)
{
	const char **tables = NULL, **cols = NULL;
	int d, i, n, rc = 0;

	for (d = 0; d < ndb; d++)
		if (strcmp(ormc_db_dialect(dbs[d]), "mysql") == 0)
			break;
	if (d == ndb)
		return 0;
	if ((n = ormc_query_text_columns(q, NULL, NULL, 0)) <= 0)
		return n;
	tables = calloc((size_t)n, sizeof(*tables));
	cols = calloc((size_t)n, sizeof(*cols));
	if (tables == NULL || cols == NULL || ormc_query_text_columns(q, tables, cols, n) != n) {
		free(tables);
		free(cols);
		return -1;
	}
	for (d = 0; d < ndb; d++) {
		if (strcmp(ormc_db_dialect(dbs[d]), "mysql") != 0)
			continue;
		for (i = 0; i < n; i++) {
			char coll[128];
			ormc_error err;
			size_t len;

			ormc_error_clear(&err);
			rc = ormc_db_column_collation(dbs[d], tables[i], cols[i], coll, sizeof(coll), &err);
			if (rc < 0) {
				cmp_report_collation(rep, d + 1, tables[i], cols[i], NULL, err.message);
				continue;
			}
			len = strlen(coll);
			if (rc == 1 && len >= 3 && strcmp(coll + len - 3, "_ci") == 0)
				cmp_report_collation(rep, d + 1, tables[i], cols[i], coll, NULL);
		}
	}
	free(tables);
	free(cols);
	return 0;
}

/* ---- one query ----------------------------------------------------------------- */

typedef struct side {
	ormc_result *r;
	ormc_error err;
	int failed;     /* query or fetch failed: err says why */
	int done;
	long rows;
} side;

/* What a query found, for the summary. */
enum { ONE_SAME, ONE_DIFFER, ONE_FAILED, ONE_TOLERANCE };

static const char *
kind_name(ormc_rows_kind k)
{
	switch (k) {
	case ORMC_ROWS_ONE: return "one";
	case ORMC_ROWS_ORDERED: return "position";
	case ORMC_ROWS_KEYED: return "key";
	case ORMC_ROWS_UNORDERED: return "multiset";
	}
	return "?";
}

/* The shape of the query's rows: column names and types from db1's result, key columns present. */
static int
make_shape(cmp_shape *sh, const ormc_query *q, const ormc_result *r, const cli_compare_opts *o)
{
	int i, no, nk = ormc_query_nkeys(q);

	memset(sh, 0, sizeof(*sh));
	sh->ncols = r != NULL ? ormc_result_ncolumns(r) : 0;
	sh->kind = ormc_query_rows(q);
	sh->rel_tol = o->rel_tol;
	sh->float_digits = o->float_digits;
	sh->names = calloc((size_t)sh->ncols + 1, sizeof(*sh->names));
	sh->types = calloc((size_t)sh->ncols + 1, sizeof(*sh->types));
	sh->iskey = calloc((size_t)sh->ncols + 1, sizeof(*sh->iskey));
	sh->isorder = calloc((size_t)sh->ncols + 1, sizeof(*sh->isorder));
	if (sh->names == NULL || sh->types == NULL || sh->iskey == NULL || sh->isorder == NULL)
		return -1;
	for (i = 0; i < sh->ncols; i++) {
		((const char **)sh->names)[i] = ormc_result_column(r, i);
		((ormc_type *)sh->types)[i] = ormc_result_column_type(r, i);
	}
	for (i = 0; i < nk && r != NULL; i++) {
		int c = ormc_result_column_index(r, ormc_query_key(q, i));

		if (c < 0)
			break;
		((int *)sh->iskey)[c] = 1;
	}
	sh->nkeys = i == nk ? nk : 0;     /* a key not selected: no key */
	if (sh->nkeys == 0)
		memset((int *)sh->iskey, 0, sizeof(int) * (size_t)sh->ncols);
	no = ormc_query_norder(q);
	for (i = 0; i < no && r != NULL; i++) {
		int c = ormc_result_column_index(r, ormc_query_order_column(q, i));

		if (c < 0)
			break;
		((int *)sh->isorder)[c] = 1;
	}
	sh->norder = i == no ? no : 0;    /* an ordering column not selected: rows one by one */
	if (sh->nkeys == 0 && sh->kind == ORMC_ROWS_KEYED)
		sh->kind = ORMC_ROWS_UNORDERED;
	return 0;
}

static void
free_shape(cmp_shape *sh)
{
	free((void *)sh->names);
	free((void *)sh->types);
	free((void *)sh->iskey);
	free((void *)sh->isorder);
}

/* Print the report of query qno (text). */
static void
print_text(FILE *out, const cmp_report *rep, int qno, const char *text, int status, int ndb,
           const side *sd)
{
	size_t len = strcspn(text, "\n");
	long more;

	if (status == ONE_SAME && rep->nnotes == 0)
		return;
	fprintf(out, "query %d: %.*s%s\n", qno, (int)len, text, text[len] ? " ..." : "");
	if (status == ONE_FAILED) {
		int d;

		for (d = 0; d < ndb; d++)
			fprintf(out, "  db%d: error: %s%s%s%s\n", d + 1, sd[d].err.message,
			        sd[d].err.sqlstate[0] ? " (SQLSTATE " : "", sd[d].err.sqlstate,
			        sd[d].err.sqlstate[0] ? ")" : "");
	}
	fputs(rep->diffs_text, out);
	if ((more = rep->ndiffs - CMP_SHOWN) > 0)
		fprintf(out, "  ... and %ld more differences\n", more);
	fputs(rep->tols_text, out);
	if ((more = rep->ntols - CMP_SHOWN) > 0)
		fprintf(out, "  ... and %ld more equal within tolerance\n", more);
	fputs(rep->notes_text, out);
}

/* Print the report of query qno (one JSON object of the "queries" list). */
static void
print_json(FILE *out, const cmp_report *rep, const cmp_shape *sh, int qno, const char *text,
           int status, int ndb, const side *sd, int first)
{
	static const char *const names[] = { "equal", "different", "failed", "equal_within_tolerance" };
	int d, i, n;

	fputs(first ? "\n    {" : ",\n    {", out);
	fprintf(out, "\"query\": %d, \"text\": ", qno);
	cli_json_string(out, text, strlen(text));
	fprintf(out, ", \"status\": \"%s\", \"rows_matched_by\": \"%s\", \"key\": ",
	        names[status], kind_name(sh->kind));
	if (sh->nkeys > 0) {
		fputc('[', out);
		for (i = 0, n = 0; i < sh->ncols; i++)
			if (sh->iskey[i]) {
				if (n++ > 0)
					fputs(", ", out);
				cli_json_string(out, sh->names[i], strlen(sh->names[i]));
			}
		fputc(']', out);
	} else {
		fputs("null", out);
	}
	fputs(",\n      \"rows\": {", out);
	for (d = 0; d < ndb; d++) {
		fprintf(out, "%s\"db%d\": ", d > 0 ? ", " : "", d + 1);
		if (sd[d].failed)
			fputs("null", out);
		else
			fprintf(out, "%ld", sd[d].rows);
	}
	fputs("},\n      \"errors\": [", out);
	for (d = 0, n = 0; d < ndb; d++) {
		if (!sd[d].failed)
			continue;
		fprintf(out, "%s{\"db\": \"db%d\", \"message\": ", n++ > 0 ? ", " : "", d + 1);
		cli_json_string(out, sd[d].err.message, strlen(sd[d].err.message));
		fputs(", \"sqlstate\": ", out);
		if (sd[d].err.sqlstate[0])
			cli_json_string(out, sd[d].err.sqlstate, strlen(sd[d].err.sqlstate));
		else
			fputs("null", out);
		fputc('}', out);
	}
	fprintf(out, "],\n      \"differences_total\": %ld, \"differences\": [%s%s]", rep->ndiffs,
	        rep->diffs_text, rep->ndiffs > 0 ? "\n      " : "");
	fprintf(out, ",\n      \"within_tolerance_total\": %ld, \"within_tolerance\": [%s%s]", rep->ntols,
	        rep->tols_text, rep->ntols > 0 ? "\n      " : "");
	fprintf(out, ",\n      \"notes\": [%s%s]}", rep->notes_text, rep->nnotes > 0 ? "\n      " : "");
}

/*
 * Compare one query on every database and print its report. Returns ONE_*,
 * or -1 out of memory.
 */
static int
compare_one(FILE *out, ormc_db **dbs, int ndb, ormc_query *q, int qno, int nq,
            const char *text, const ormc_params *params, const cli_compare_opts *o)
{
	side *sd = calloc((size_t)ndb, sizeof(*sd));
	cmp_match **m = calloc((size_t)ndb, sizeof(*m));
	const ormc_value *row;
	cmp_shape sh;
	cmp_report rep;
	int d, i, status = ONE_SAME, oom = 0, mismatch = 0, rc, have_rep = 0;
	long nrows = 0;

	memset(&sh, 0, sizeof(sh));
	if (sd == NULL || m == NULL)
		goto oom;
	/* the shape is filled in below: the report only keeps the pointer */
	if (cmp_report_init(&rep, &sh, o->json) < 0)
		goto oom;
	have_rep = 1;
	/* before the query runs: a MySQL connection reads one result at a time */
	progress(o, "[%d/%d] reading collations...", qno, nq);
	if (collation_warnings(&rep, dbs, ndb, q) < 0)
		goto oom;
	for (d = 0; d < ndb; d++) {
		progress(o, "[%d/%d] running on db%d (%s)...", qno, nq, d + 1, ormc_db_dialect(dbs[d]));
		ormc_error_clear(&sd[d].err);
		if (ormc_query_execute(&sd[d].r, dbs[d], q, params, &sd[d].err) < 0) {
			sd[d].failed = 1;
			sd[d].done = 1;
		} else {
			ormc_result_set_raw_floats(sd[d].r, 1);     /* the tolerance is ours */
		}
	}
	/*
	 * Where one database refused the query, a server that reports its error
	 * with the first row (MySQL computes as it sends) must be asked for it
	 * too, or its error would pass for "no error".
	 */
	for (d = 0; d < ndb; d++)
		if (sd[d].failed)
			break;
	if (d < ndb)
		for (d = 0; d < ndb; d++)
			if (!sd[d].failed && ormc_result_next(sd[d].r, &row, &sd[d].err) < 0) {
				sd[d].failed = 1;
				sd[d].done = 1;
			}
	for (d = 1; d < ndb; d++)
		if (sd[d].failed != sd[0].failed ||
		    (sd[d].failed && strcmp(sd[d].err.message, sd[0].err.message) != 0))
			mismatch = 1;
	if (make_shape(&sh, q, sd[0].failed ? NULL : sd[0].r, o) < 0)
		goto oom;
	if (mismatch || sd[0].failed) {
		status = mismatch ? ONE_DIFFER : ONE_FAILED;
		if (mismatch)
			for (d = 0; d < ndb; d++)
				if (sd[d].failed)
					cmp_report_error(&rep, d + 1, 0, sd[d].err.message, sd[d].err.sqlstate);
		goto report;
	}

	for (d = 1; d < ndb; d++)
		if ((m[d] = cmp_match_new(&sh, &rep.sink, d + 1)) == NULL)
			goto oom;
	for (;;) {
		int live = 0;

		for (d = 0; d < ndb && !oom; d++) {
			cmp_row *r;

			if (sd[d].done)
				continue;
			rc = ormc_result_next(sd[d].r, &row, &sd[d].err);
			if (rc < 0) {
				sd[d].failed = 1;
				sd[d].done = 1;
				status = ONE_DIFFER;
				cmp_report_error(&rep, d + 1, sd[d].rows + 1, sd[d].err.message, sd[d].err.sqlstate);
				if (d == 0) {           /* nothing to compare against any more */
					for (i = 1; i < ndb; i++)
						sd[i].done = 1;
				} else {
					cmp_match_free(m[d]);
					m[d] = NULL;
				}
				continue;
			}
			if (rc == 0) {
				sd[d].done = 1;
				continue;
			}
			live++;
			sd[d].rows++;
			if ((r = cmp_row_make(&sh, row, sd[d].rows)) == NULL) {
				oom = 1;
				break;
			}
			if (d > 0) {
				if (m[d] == NULL)
					cmp_row_free(r);
				else if (cmp_match_add(m[d], 1, r) != 0)
					oom = 1;
				continue;
			}
			/* each matcher takes a copy of db1's row */
			for (i = 1; i < ndb && !oom; i++) {
				cmp_row *c;

				if (m[i] == NULL)
					continue;
				if ((c = cmp_row_copy(r)) == NULL || cmp_match_add(m[i], 0, c) != 0)
					oom = 1;
			}
			cmp_row_free(r);
		}
		if (oom)
			goto oom;
		if (live == 0)
			break;
		if (++nrows % 1000 == 0)
			progress(o, "[%d/%d] comparing: %ld rows", qno, nq, nrows);
	}
	/* a database that failed part way is reported as such: its rows are not compared further */
	for (d = 1; d < ndb && !sd[0].failed; d++)
		if (m[d] != NULL && cmp_match_finish(m[d]) != 0)
			goto oom;
	for (d = 1; d < ndb; d++)
		if (!sd[d].failed && !sd[0].failed && sd[d].rows != sd[0].rows)
			cmp_report_rowcount(&rep, d + 1, sd[0].rows, sd[d].rows);
	if (rep.ndiffs > 0 && sh.kind == ORMC_ROWS_ORDERED && sh.norder == 0 && ormc_query_norder(q) > 0)
		cmp_report_note(&rep, "ties", "not every ordering column is selected: rows that tie "
		                "on the ordering may come in any order, and are compared by position");
	if (rep.ndiffs > 0)
		status = ONE_DIFFER;
	else if (rep.ntols > 0)
		status = ONE_TOLERANCE;
report:
	if (cmp_report_close(&rep) < 0)
		goto oom;
	progress_clear(o);
	if (o->json)
		print_json(out, &rep, &sh, qno, text, status, ndb, sd, qno == 1);
	else
		print_text(out, &rep, qno, text, status, ndb, sd);
	fflush(out);
	goto done;
oom:
	status = -1;
done:
	if (have_rep)
		cmp_report_free(&rep);
	for (d = 0; d < ndb && m != NULL; d++)
		cmp_match_free(m[d]);
	for (d = 0; d < ndb && sd != NULL; d++)
		ormc_result_free(sd[d].r);
	free_shape(&sh);
	free(sd);
	free(m);
	return status;
}

int
cli_compare(FILE *out, ormc_db **dbs, const char *const *urls, int ndb,
            ormc_query *const *qs, const char *const *texts, int nq,
            const ormc_params *params, const cli_compare_opts *o)
{
	char masked[1024];
	int i, d, differ = 0, failed = 0, tolerant = 0, rc;

	if (o->json) {
		fputs("{\n  \"databases\": [", out);
		for (d = 0; d < ndb; d++) {
			cli_mask_url(urls[d], masked, sizeof(masked));
			fprintf(out, "%s{\"name\": \"db%d\", \"url\": ", d > 0 ? ", " : "", d + 1);
			cli_json_string(out, masked, strlen(masked));
			fprintf(out, ", \"dialect\": \"%s\"}", ormc_db_dialect(dbs[d]));
		}
		cli_float_repr(o->rel_tol, masked, sizeof(masked));
		fprintf(out, "],\n  \"float_digits\": ");
		if (o->float_digits > 0)
			fprintf(out, "%d", o->float_digits);
		else
			fputs("null", out);
		fprintf(out, ", \"rel_tol\": %s,\n  \"queries\": [", masked);
	} else {
		for (d = 0; d < ndb; d++) {
			cli_mask_url(urls[d], masked, sizeof(masked));
			fprintf(out, "db%d: %s (%s)\n", d + 1, masked, ormc_db_dialect(dbs[d]));
		}
	}
	fflush(out);
	for (i = 0; i < nq; i++) {
		rc = compare_one(out, dbs, ndb, qs[i], i + 1, nq, texts[i], params, o);
		if (rc < 0) {
			progress_clear(o);
			return CLI_COMPARE_ERROR;
		}
		differ += rc == ONE_DIFFER;
		failed += rc == ONE_FAILED;
		tolerant += rc == ONE_TOLERANCE;
	}
	if (o->json) {
		fprintf(out, "%s],\n  \"summary\": {\"queries\": %d, \"different\": %d, "
		        "\"equal_within_tolerance\": %d, \"failed\": %d}\n}\n",
		        nq > 0 ? "\n  " : "", nq, differ, tolerant, failed);
	} else {
		fprintf(out, "%d %s, %d with differences", nq, nq == 1 ? "query" : "queries", differ);
		if (tolerant > 0)
			fprintf(out, ", %d equal within tolerance", tolerant);
		if (failed > 0)
			fprintf(out, ", %d failed on every database", failed);
		fputc('\n', out);
	}
	if (differ > 0)
		return CLI_COMPARE_DIFFER;
	return failed > 0 ? CLI_COMPARE_ERROR : CLI_COMPARE_SAME;
}
