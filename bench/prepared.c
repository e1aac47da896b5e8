/*
 * prepared.c -- what a prepared statement costs: compile once, execute many.
 *
 *   bench_prepared MODELS.py URL [N]
 *
 * On the database at URL (loaded with examples/shop), for the aggregate
 *
 *   Order.objects.filter(status=status, created_at__gte=since)
 *               .aggregate(orders=Count("id"), revenue=Sum("total"))
 *
 * it measures, each over N runs (default 2000) with the values changing at
 * every run:
 *
 *   compile     ormc_stmt_prepare: parse is done once, this is plan + SQL
 *   prepared    ormc_stmt_execute on one connection (the server statement
 *               prepared on the first run, reused after), all rows read
 *   one-off     ormc_query_execute: compile + send the text, every run
 *   native      the same SQL through the client library's own prepared
 *               statement (sqlite3_step, PQexecPrepared, mysql_stmt_execute),
 *               values bound as text: the floor ormc adds its cost to
 *
 * and prints microseconds per run. A benchmark prints figures and never
 * fails on time; bench/README.md has the figures of a run and how to rerun.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>
#ifdef ORMC_HAVE_POSTGRESQL
#include <libpq-fe.h>
#endif
#ifdef ORMC_HAVE_MYSQL
#include <mysql.h>
#endif

#include <ormc/ormc.h>
#include <ormc/stmt.h>

static const char query[] =
	"Order.objects.filter(status=status, created_at__gte=since)"
	".aggregate(orders=Count(\"id\"), revenue=Sum(\"total\"))";
static const char *const statuses[] = { "paid", "pending", "refunded" };
static const char *const sinces[] = { "2026-01-01 00:00:00", "2026-02-01 00:00:00",
                                      "2026-03-01 00:00:00" };

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static void
die(const char *what, const ormc_error *err)
{
	char msg[2048];

	ormc_error_format(err, msg, sizeof(msg));
	fprintf(stderr, "bench_prepared: %s: %s\n", what, msg);
	exit(1);
}

/* Read every row of r, then free it. */
static void
drain(ormc_result *r)
{
	const ormc_value *row;
	ormc_error err;
	int rc;

	while ((rc = ormc_result_next(r, &row, &err)) > 0)
		;
	if (rc < 0)
		die("fetch", &err);
	ormc_result_free(r);
}

/* The native client library running sql (prepared once) n times; microseconds per run, or -1. */
static double
native(const char *url, const char *sql, int n)
{
	double t0;
	int i;

	if (strncmp(url, "sqlite:", 7) == 0) {
		sqlite3 *db;
		sqlite3_stmt *st;

		if (sqlite3_open(url + 7, &db) != SQLITE_OK ||
		    sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
			return -1;
		t0 = now_us();
		for (i = 0; i < n; i++) {
			sqlite3_bind_text(st, 1, sinces[i % 3], -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 2, statuses[i % 3], -1, SQLITE_STATIC);
			while (sqlite3_step(st) == SQLITE_ROW)
				;
			sqlite3_reset(st);
		}
		t0 = now_us() - t0;
		sqlite3_finalize(st);
		sqlite3_close(db);
		return t0 / n;
	}
#ifdef ORMC_HAVE_POSTGRESQL
	if (strncmp(url, "postgresql:", 11) == 0 || strncmp(url, "postgres:", 9) == 0) {
		PGconn *c = PQconnectdb(url);
		PGresult *res;

		if (PQstatus(c) != CONNECTION_OK)
			return -1;
		res = PQprepare(c, "b", sql, 0, NULL);
		if (PQresultStatus(res) != PGRES_COMMAND_OK)
			return -1;
		PQclear(res);
		t0 = now_us();
		for (i = 0; i < n; i++) {
			const char *v[2] = { sinces[i % 3], statuses[i % 3] };

			res = PQexecPrepared(c, "b", 2, v, NULL, NULL, 0);
			if (PQresultStatus(res) != PGRES_TUPLES_OK)
				return -1;
			PQclear(res);
		}
		t0 = now_us() - t0;
		PQfinish(c);
		return t0 / n;
	}
#endif
#ifdef ORMC_HAVE_MYSQL
	if (strncmp(url, "mysql:", 6) == 0) {
		char user[128], pass[128], host[256], dbname[128];
		unsigned port = 3306;
		MYSQL *m = mysql_init(NULL);
		MYSQL_STMT *st;

		if (sscanf(url, "mysql://%127[^:]:%127[^@]@%255[^:]:%u/%127s", user, pass, host, &port,
		           dbname) != 5 ||
		    mysql_real_connect(m, host, user, pass, dbname, port, NULL, 0) == NULL)
			return -1;
		st = mysql_stmt_init(m);
		if (mysql_stmt_prepare(st, sql, strlen(sql)) != 0)
			return -1;
		t0 = now_us();
		for (i = 0; i < n; i++) {
			MYSQL_BIND b[2];
			unsigned long len[2] = { strlen(sinces[i % 3]), strlen(statuses[i % 3]) };

			memset(b, 0, sizeof(b));
			b[0].buffer_type = MYSQL_TYPE_STRING;
			b[0].buffer = (void *)sinces[i % 3];
			b[0].length = &len[0];
			b[1].buffer_type = MYSQL_TYPE_STRING;
			b[1].buffer = (void *)statuses[i % 3];
			b[1].length = &len[1];
			if (mysql_stmt_bind_param(st, b) != 0 || mysql_stmt_execute(st) != 0 ||
			    mysql_stmt_store_result(st) != 0)
				return -1;
			while (mysql_stmt_fetch(st) == 0)
				;
			mysql_stmt_free_result(st);
		}
		t0 = now_us() - t0;
		mysql_stmt_close(st);
		mysql_close(m);
		return t0 / n;
	}
#endif
	return -1;
}

int
main(int argc, char **argv)
{
	ormc_schema *schema;
	ormc_query *q;
	ormc_db *db;
	ormc_stmt *st;
	ormc_params *ps;
	ormc_result *r;
	ormc_error err;
	double t0, compile_us, prepared_us, oneoff_us, native_us;
	int n, i;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: %s MODELS.py URL [N]\n", argv[0]);
		return 2;
	}
	n = argc == 4 ? atoi(argv[3]) : 2000;
	if (n < 1)
		n = 1;
	if (ormc_schema_load(&schema, argv[1], NULL, &err) < 0)
		die("models", &err);
	if (ormc_query_parse(&q, schema, query, (size_t)-1, &err) < 0)
		die("parse", &err);
	if (ormc_connect(&db, argv[2], &err) < 0)
		die("connect", &err);
	ormc_params_new(&ps);

	t0 = now_us();
	for (i = 0; i < n; i++) {
		if (ormc_stmt_prepare_for(&st, q, db, &err) < 0)
			die("compile", &err);
		ormc_stmt_free(st);
	}
	compile_us = (now_us() - t0) / n;

	if (ormc_stmt_prepare_for(&st, q, db, &err) < 0)
		die("compile", &err);
	/* warm-up: the server prepares the statement on the first run */
	ormc_params_set_text(ps, "status", "paid", (size_t)-1);
	ormc_params_set_text(ps, "since", sinces[0], (size_t)-1);
	if (ormc_stmt_execute(&r, st, db, ps, &err) < 0)
		die("execute", &err);
	drain(r);
	t0 = now_us();
	for (i = 0; i < n; i++) {
		ormc_params_set_text(ps, "status", statuses[i % 3], (size_t)-1);
		ormc_params_set_text(ps, "since", sinces[i % 3], (size_t)-1);
		if (ormc_stmt_execute(&r, st, db, ps, &err) < 0)
			die("execute", &err);
		drain(r);
	}
	prepared_us = (now_us() - t0) / n;

	t0 = now_us();
	for (i = 0; i < n; i++) {
		ormc_params_set_text(ps, "status", statuses[i % 3], (size_t)-1);
		ormc_params_set_text(ps, "since", sinces[i % 3], (size_t)-1);
		if (ormc_query_execute(&r, db, q, ps, &err) < 0)
			die("execute", &err);
		drain(r);
	}
	oneoff_us = (now_us() - t0) / n;

	native_us = native(argv[2], ormc_stmt_sql(st), n);

	printf("%-10s %8s %10s %10s %10s %12s\n", "backend", "compile", "prepared", "one-off",
	       "native", "prepared-native");
	printf("%-10s %8.1f %10.1f %10.1f ", ormc_db_dialect(db), compile_us, prepared_us, oneoff_us);
	if (native_us >= 0)
		printf("%10.1f %12.1f\n", native_us, prepared_us - native_us);
	else
		printf("%10s %12s\n", "-", "-");
	printf("(microseconds per run, %d runs; %s)\n", n, ormc_stmt_sql(st));

	ormc_stmt_free(st);
	ormc_params_free(ps);
	ormc_disconnect(db);
	ormc_query_free(q);
	ormc_schema_free(schema);
	return 0;
}
