/*
 * transfer.c -- `ormc copy` and `ormc dump` (transfer.h).
 *
 * The progress of a copy goes to stderr, and only when stderr is a
 * terminal: one line per table, redrawn at most five times a second,
 *
 *   [3/9] shop_order    120,000 / 200,000 rows  60%  81,204 rows/s  ETA 0:01
 *
 * and left in place with its final figures when the table is done. Then one
 * summary line on stdout, terminal or not:
 *
 *   copied 9 tables, 200,421 rows in 3.1 s (64,652 rows/s)
 *
 * With --verbose, each finished table's line is instead, terminal or not,
 *
 *   shop_order: 200,000 rows by LOAD DATA LOCAL INFILE in 2.31 s
 */
#define _POSIX_C_SOURCE 200809L

#include "transfer.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct progress {
	int tty;
	int verbose;
	long long rows;          /* every finished table's rows */
	int tables;
} progress;

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* 1234567 -> "1,234,567" */
static const char *
grouped(long long v, char *buf, size_t n)
{
	char tmp[32];
	size_t len, i, o = 0;
	int neg = v < 0;

	snprintf(tmp, sizeof(tmp), "%lld", neg ? -v : v);
	len = strlen(tmp);
	if (neg && o + 1 < n)
		buf[o++] = '-';
	for (i = 0; i < len && o + 2 < n; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = tmp[i];
	}
	buf[o] = '\0';
	return buf;
}

static void
on_progress(const ormc_copy_progress *p, void *ctx)
{
	progress *pr = ctx;
	char a[32], b[32], c[32];
	double rate = p->seconds > 0 ? (double)p->rows / p->seconds : 0;

	if (p->done) {
		pr->rows += p->rows;
		pr->tables++;
	}
	if (p->done && pr->verbose) {
		if (pr->tty)
			fputs("\r\033[K", stderr);
		fprintf(stderr, "%s: %s rows by %s in %.2f s\n", p->table,
		        grouped(p->rows, a, sizeof(a)),
		        p->method != NULL ? p->method : "?", p->seconds);
		fflush(stderr);
		return;
	}
	if (!pr->tty)
		return;
	fprintf(stderr, "\r[%d/%d] %-24s %s / %s rows", p->table_index + 1,
	        p->ntables, p->table, grouped(p->rows, a, sizeof(a)),
	        grouped(p->total, b, sizeof(b)));
	if (p->total > 0)
		fprintf(stderr, " %3d%%", (int)(100 * p->rows / p->total));
	if (rate > 0)
		fprintf(stderr, "  %s rows/s", grouped((long long)rate, c, sizeof(c)));
	if (!p->done && rate > 0 && p->total > p->rows) {
		long eta = (long)((double)(p->total - p->rows) / rate + 0.5);

		fprintf(stderr, "  ETA %ld:%02ld", eta / 60, eta % 60);
	}
	fputs(p->done ? "\033[K\n" : "\033[K", stderr);
	fflush(stderr);
}

int
cli_copy(ormc_db *from, ormc_db *to, const ormc_schema *s, const char *tables,
         int truncate, int verbose, ormc_error *err)
{
	ormc_copy_options o = ORMC_COPY_OPTIONS_INIT;
	progress pr;
	char *list = NULL, *p, **names = NULL, a[32], b[32];
	double start = now(), secs;
	int rc, n = 0;

	memset(&pr, 0, sizeof(pr));
	pr.tty = isatty(fileno(stderr));
	pr.verbose = verbose;
	if (tables != NULL) {
		/* "a,b,c" -> names */
		list = malloc(strlen(tables) + 1);
		names = calloc(strlen(tables) + 1, sizeof(*names));
		if (list == NULL || names == NULL) {
			free(list);
			free(names);
			err->code = ORMC_ENOMEM;
			snprintf(err->message, sizeof(err->message), "out of memory");
			return ORMC_ENOMEM;
		}
		strcpy(list, tables);
		for (p = strtok(list, ","); p != NULL; p = strtok(NULL, ","))
			if (*p != '\0')
				names[n++] = p;
		o.tables = (const char *const *)names;
		o.ntables = n;
	}
	o.truncate = truncate;
	o.progress = on_progress;
	o.progress_ctx = &pr;
	rc = ormc_copy(from, to, s, &o, err);
	secs = now() - start;   /* with the checks and the commit */
	if (rc < 0 && pr.tty)
		fputc('\n', stderr);
	if (rc == ORMC_OK)
		printf("copied %d table%s, %s rows in %.1f s (%s rows/s)\n", pr.tables,
		       pr.tables == 1 ? "" : "s", grouped(pr.rows, a, sizeof(a)),
		       secs, grouped(secs > 0 ? (long long)((double)pr.rows / secs)
		                              : pr.rows, b, sizeof(b)));
	free(list);
	free(names);
	return rc;
}

static int
to_file(const char *data, size_t len, void *ctx)
{
	return fwrite(data, 1, len, (FILE *)ctx) == len ? 0 : -1;
}

int
cli_dump(FILE *out, ormc_db *db, const ormc_schema *s, const char *label,
         const char *const *models, int n, ormc_error *err)
{
	ormc_dump_options o = ORMC_DUMP_OPTIONS_INIT;

	o.app_label = label;
	o.models = n > 0 ? models : NULL;
	o.nmodels = n;
	o.write = to_file;
	o.write_ctx = out;
	return ormc_dump(db, s, &o, err);
}
