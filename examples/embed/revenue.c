/*
 * revenue.c -- ormc embedded in a C program: one compiled statement with
 * named parameters, executed with several values from 8 threads at once,
 * each thread on its own connection.
 *
 *   revenue MODELS.py DATABASE-URL
 *
 * e.g. revenue examples/shop/models.py sqlite:shop.db. Prints, for every
 * (status, since) pair, the number of orders and their revenue, in a fixed
 * order whatever the threads' timing.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ormc/ormc.h>
#include <ormc/stmt.h>

#define NTHREADS 8

/* The query: status and since are parameters, bound at each execution. */
static const char query[] =
	"Order.objects.filter(status=status, created_at__gte=since)"
	".aggregate(orders=Count(\"id\"), revenue=Sum(\"total\", default=0))";

static const char *const statuses[] = { "paid", "pending", "refunded" };
static const char *const sinces[] = { "2026-01-01", "2026-02-01", "2026-03-01", "2027-01-01" };
#define NJOBS (3 * 4)

static const char *url;
static const ormc_stmt *stmt;            /* shared by every thread: immutable */
static char answers[NJOBS][128];         /* answers[job], written by one thread each */

typedef struct worker {
	int first;                       /* jobs first, first + NTHREADS, ... */
	char failure[600];
} worker;

static void *
work(void *arg)
{
	worker *w = arg;
	ormc_db *db = NULL;
	ormc_params *ps = NULL;
	ormc_error err;
	int job;

	if (ormc_connect(&db, url, &err) < 0 || ormc_params_new(&ps) < 0) {
		snprintf(w->failure, sizeof(w->failure), "connect: %.500s", err.message);
		goto done;
	}
	for (job = w->first; job < NJOBS; job += NTHREADS) {
		ormc_result *r;
		const ormc_value *row;
		int64_t orders;
		const char *revenue;
		size_t len;
		int scale;

		ormc_params_set_text(ps, "status", statuses[job / 4], (size_t)-1);
		ormc_params_set_text(ps, "since", sinces[job % 4], (size_t)-1);
		if (ormc_stmt_execute(&r, stmt, db, ps, &err) < 0) {
			snprintf(w->failure, sizeof(w->failure), "execute: %.500s", err.message);
			goto done;
		}
		if (ormc_result_next(r, &row, &err) != 1 ||
		    ormc_value_int64(&row[ormc_result_column_index(r, "orders")], &orders) != ORMC_OK ||
		    ormc_value_decimal(&row[ormc_result_column_index(r, "revenue")], &revenue, &len,
		                       &scale) != ORMC_OK) {
			snprintf(w->failure, sizeof(w->failure), "fetch: %.500s", err.message);
			ormc_result_free(r);
			goto done;
		}
		snprintf(answers[job], sizeof(answers[job]), "%-8s since %s: %lld orders, revenue %.*s",
		         statuses[job / 4], sinces[job % 4], (long long)orders, (int)len, revenue);
		ormc_result_free(r);
	}
done:
	ormc_params_free(ps);
	ormc_disconnect(db);
	return NULL;
}

int
main(int argc, char **argv)
{
	ormc_schema *schema = NULL;
	ormc_query *q = NULL;
	ormc_db *db = NULL;
	ormc_stmt *st = NULL;
	ormc_error err;
	pthread_t threads[NTHREADS];
	worker workers[NTHREADS];
	char msg[2048];
	int i, status = 1;

	if (argc != 3) {
		fprintf(stderr, "usage: %s MODELS.py DATABASE-URL\n", argv[0]);
		return 2;
	}
	url = argv[2];
	/* Load, parse and compile once; the statement is for this server's dialect. */
	if (ormc_schema_load(&schema, argv[1], NULL, &err) < 0 ||
	    ormc_query_parse(&q, schema, query, (size_t)-1, &err) < 0 ||
	    ormc_connect(&db, url, &err) < 0 ||
	    ormc_stmt_prepare_for(&st, q, db, &err) < 0) {
		ormc_error_format(&err, msg, sizeof(msg));
		fprintf(stderr, "revenue: %s\n", msg);
		goto done;
	}
	stmt = st;
	for (i = 0; i < NTHREADS; i++) {
		memset(&workers[i], 0, sizeof(workers[i]));
		workers[i].first = i;
		if (pthread_create(&threads[i], NULL, work, &workers[i]) != 0) {
			fprintf(stderr, "revenue: cannot start a thread\n");
			while (i-- > 0)
				pthread_join(threads[i], NULL);
			goto done;
		}
	}
	for (i = 0; i < NTHREADS; i++)
		pthread_join(threads[i], NULL);
	status = 0;
	for (i = 0; i < NTHREADS; i++)
		if (workers[i].failure[0] != '\0') {
			fprintf(stderr, "revenue: thread %d: %s\n", i, workers[i].failure);
			status = 1;
		}
	if (status == 0)
		for (i = 0; i < NJOBS; i++)
			printf("%s\n", answers[i]);
done:
	ormc_stmt_free(st);
	ormc_disconnect(db);
	ormc_query_free(q);
	ormc_schema_free(schema);
	return status;
}
