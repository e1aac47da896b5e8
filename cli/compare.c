/*
 * compare.c -- `ormc compare`: run the same queries on several databases and
 * print every difference.
 *
 * The query runs on every database at once and the rows are read in
 * lockstep, one row from each database at a time, so memory does not grow
 * with the size of the results. Cells are compared by their JSON spelling
 * (cli_json_value), that is after ormc's conversion to Django types: two
 * databases agree when `ormc run --format json` prints the same text.
 */
#define _POSIX_C_SOURCE 200809L

#include "compare.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"

/* Differences printed per query before "... and N more". */
#define MAX_SHOWN 10

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

/* One row's cell as JSON text, in a malloc'd string. */
static char *
cell_json(const ormc_value *v)
{
	char *s = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&s, &len);

	if (f == NULL)
		return NULL;
	cli_json_value(f, v);
	if (fclose(f) != 0) {
		free(s);
		return NULL;
	}
	return s;
}

/* Print the first line of a query, for headings. */
static void
heading(FILE *out, int qno, const char *text)
{
	size_t len = strcspn(text, "\n");

	fprintf(out, "query %d: %.*s%s\n", qno, (int)len, text,
	        text[len] ? " ..." : "");
}

typedef struct side {
	ormc_result *r;
	ormc_error err;
	int failed;     /* query or fetch failed: err says why */
	int done;
	long rows;
} side;

/* Compare one query on every database. Returns 1 if they differ, 0 if not, -1 out of memory. */
static int
compare_one(FILE *out, ormc_db **dbs, int ndb, ormc_query *q, int qno,
            const char *text, const ormc_params *params)
{
	side *sd = calloc((size_t)ndb, sizeof(*sd));
	const ormc_value **rows = calloc((size_t)ndb, sizeof(*rows));
	int d, i, shown = 0, more = 0, differ = 0, headed = 0, ncols = 0, oom = 0, mismatch = 0;
	long row;

	if (sd == NULL || rows == NULL) {
		free(sd);
		free(rows);
		return -1;
	}
#define DIFF_HEAD() do { if (!headed) { heading(out, qno, text); headed = 1; } differ = 1; } while (0)

	for (d = 0; d < ndb; d++) {
		ormc_error_clear(&sd[d].err);
		if (ormc_query_execute(&sd[d].r, dbs[d], q, params, &sd[d].err) < 0) {
			sd[d].failed = 1;
			sd[d].done = 1;
		} else if (d == 0 || ncols == 0) {
			ncols = ormc_result_ncolumns(sd[d].r);
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
			if (!sd[d].failed && ormc_result_next(sd[d].r, &rows[d], &sd[d].err) < 0) {
				sd[d].failed = 1;
				sd[d].done = 1;
			}
	/* Errors: a difference unless every database failed alike. */
	for (d = 1; d < ndb; d++)
		if (sd[d].failed != sd[0].failed ||
		    (sd[d].failed && strcmp(sd[d].err.message, sd[0].err.message) != 0))
			mismatch = 1;
	if (mismatch || sd[0].failed) {
		if (mismatch)
			DIFF_HEAD();
		else
			heading(out, qno, text);
		for (d = 0; d < ndb; d++)
			if (sd[d].failed)
				fprintf(out, "  db%d: error: %s%s%s%s\n", d + 1, sd[d].err.message,
				        sd[d].err.sqlstate[0] ? " (SQLSTATE " : "", sd[d].err.sqlstate,
				        sd[d].err.sqlstate[0] ? ")" : "");
			else
				fprintf(out, "  db%d: no error\n", d + 1);
		if (!mismatch)
			differ = 2;      /* the same error everywhere */
		goto done;
	}

	for (row = 1;; row++) {
		int live = 0;

		for (d = 0; d < ndb; d++) {
			rows[d] = NULL;
			if (sd[d].done)
				continue;
			i = ormc_result_next(sd[d].r, &rows[d], &sd[d].err);
			if (i < 0) {
				sd[d].failed = 1;
				sd[d].done = 1;
				DIFF_HEAD();
				fprintf(out, "  db%d: error at row %ld: %s\n", d + 1, row,
				        sd[d].err.message);
			} else if (i == 0) {
				sd[d].done = 1;
			} else {
				sd[d].rows++;
				live++;
			}
		}
		if (live == 0)
			break;
		for (d = 1; d < ndb; d++) {
			if (rows[0] == NULL || rows[d] == NULL) {
				if (rows[0] != NULL || rows[d] != NULL) {
					DIFF_HEAD();
					if (shown++ < MAX_SHOWN)
						fprintf(out, "  row %ld: only on db%d\n", row,
						        rows[0] != NULL ? 1 : d + 1);
					else
						more++;
				}
				continue;
			}
			for (i = 0; i < ncols; i++) {
				char *a = cell_json(&rows[0][i]), *b = cell_json(&rows[d][i]);

				if (a == NULL || b == NULL) {
					oom = 1;
				} else if (strcmp(a, b) != 0) {
					DIFF_HEAD();
					if (shown++ < MAX_SHOWN)
						fprintf(out, "  row %ld, column \"%s\": db1 %s, db%d %s\n",
						        row, ormc_result_column(sd[0].r, i), a, d + 1, b);
					else
						more++;
				}
				free(a);
				free(b);
			}
		}
		if (oom)
			break;
	}
	if (more > 0)
		fprintf(out, "  ... and %d more differences\n", more);
	for (d = 1; d < ndb && !oom; d++)
		if (sd[d].rows != sd[0].rows && !sd[d].failed && !sd[0].failed)
			fprintf(out, "  rows: db1 %ld, db%d %ld\n", sd[0].rows, d + 1, sd[d].rows);
done:
	for (d = 0; d < ndb; d++)
		ormc_result_free(sd[d].r);
	free(sd);
	free(rows);
#undef DIFF_HEAD
	return oom ? -1 : differ;
}

int
cli_compare(FILE *out, ormc_db **dbs, const char *const *urls, int ndb,
            ormc_query *const *qs, const char *const *texts, int nq,
            const ormc_params *params)
{
	char masked[1024];
	int i, d, differ = 0, failed = 0, rc;

	for (d = 0; d < ndb; d++) {
		cli_mask_url(urls[d], masked, sizeof(masked));
		fprintf(out, "db%d: %s (%s)\n", d + 1, masked, ormc_db_dialect(dbs[d]));
	}
	for (i = 0; i < nq; i++) {
		rc = compare_one(out, dbs, ndb, qs[i], i + 1, texts[i], params);
		if (rc < 0)
			return CLI_COMPARE_ERROR;
		if (rc == 1)
			differ++;
		else if (rc == 2)
			failed++;
	}
	fprintf(out, "%d %s, %d with differences", nq, nq == 1 ? "query" : "queries", differ);
	if (failed > 0)
		fprintf(out, ", %d failed on every database", failed);
	fputc('\n', out);
	if (differ > 0)
		return CLI_COMPARE_DIFFER;
	return failed > 0 ? CLI_COMPARE_ERROR : CLI_COMPARE_SAME;
}
