/*
 * check_golden.c -- the SQL every dialect gets, against golden text, and
 * on the servers.
 *
 *   check_golden              compare the SQL with the golden text
 *   check_golden postgresql   run every statement compiled for postgresql
 *   check_golden mysql        ... for mysql (MariaDB with ONLY_FULL_GROUP_BY)
 *
 * tests/golden/<example>.txt holds blocks separated by "====": the query,
 * then for each target a line "-- <dialect>" followed by the SQL and, when
 * there are parameters, a line "-- params: [...]". Targets: postgresql,
 * sqlite, sqlite 3.29 (no FILTER clause: the CASE fallback) and mysql.
 *
 * After a deliberate change to the generated SQL, regenerate with
 *   ORMC_GOLDEN_UPDATE=1 build/tests/check_golden
 * and review the diff before committing it.
 *
 * Text that looks right is not enough: a strict engine refuses a column
 * that is neither grouped nor aggregated, a parameter it cannot type, a
 * name it cannot resolve. With a server argument (CTest: golden_postgresql,
 * golden_mysql, on the "servers" fixture), each example gets a fresh
 * database on that test server, its tables made by ormc_migrate and its
 * fixture loaded, and every statement compiled for that dialect is prepared
 * and executed there with its bound parameters, all rows read. A statement
 * the server rejects fails the test with the query, the SQL and the
 * server's message, unless expected_failures below lists it. The exit
 * status is 77 (skipped) when ORMC_TEST_BACKENDS leaves that server out.
 */
#include <check.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends.h"
#include "db.h"
#include "ormc/ormc.h"
#include "testutil.h"

static const char *server;   /* argv[1]: "postgresql", "mysql"; NULL: text only */

static const struct {
	const char *label;
	const char *dialect;
	int version;
} targets[] = {
	{ "postgresql", "postgresql", 0 },
	{ "sqlite", "sqlite", 0 },
	{ "sqlite 3.29", "sqlite", 32900 },
	{ "mysql", "mysql", 0 },
};
#define NTARGETS ((int)(sizeof(targets) / sizeof(targets[0])))

static void
params_json(const ormc_query *q, ormc_sqlbuf *b)
{
	int i;

	ormc_sqlbuf_append(b, "-- params: [");
	for (i = 0; i < ormc_query_nparams(q); i++) {
		if (i)
			ormc_sqlbuf_append(b, ", ");
		tu_value(b, ormc_query_param(q, i));
	}
	ormc_sqlbuf_append(b, "]\n");
}

/* The expected text of one block, as compiled now. */
static int
render_block(const ormc_schema *schema, const char *query, ormc_sqlbuf *out, ormc_error *err)
{
	ormc_query *q = NULL;
	int t, rc;

	rc = ormc_query_parse(&q, schema, query, (size_t)-1, err);
	if (rc < 0)
		return rc;
	for (t = 0; t < NTARGETS; t++) {
		rc = ormc_query_compile(q, targets[t].dialect, targets[t].version, err);
		if (rc < 0)
			break;
		ormc_sqlbuf_appendf(out, "-- %s\n%s\n", targets[t].label, ormc_query_sql(q));
		if (ormc_query_nparams(q) > 0)
			params_json(q, out);
	}
	ormc_query_free(q);
	return rc;
}

/* examples/<name>/models.py, else tests/conformance/<name>/models.py */
static void
models_path(char *path, size_t n, const char *name)
{
	struct stat st;

	snprintf(path, n, "%s/examples/%s/models.py", ORMC_SOURCE_DIR, name);
	if (stat(path, &st) != 0)
		snprintf(path, n, "%s/tests/conformance/%s/models.py", ORMC_SOURCE_DIR, name);
}

static int
run_golden(const char *name)
{
	char path[1024], *text, *blocks[512];
	ormc_schema *schema = NULL;
	ormc_error err;
	ormc_sqlbuf updated;
	int n, i, failures = 0, update = getenv("ORMC_GOLDEN_UPDATE") != NULL;

	models_path(path, sizeof(path), name);
	ck_assert_msg(ormc_schema_load(&schema, path, NULL, &err) == ORMC_OK, "%s", err.message);
	snprintf(path, sizeof(path), "%s/tests/golden/%s.txt", ORMC_SOURCE_DIR, name);
	text = tu_read_file(path);
	ck_assert_msg(text != NULL, "cannot read %s", path);
	n = tu_blocks(text, blocks, 512);
	ck_assert_msg(n > 0, "no cases in %s", path);
	ormc_sqlbuf_init(&updated);
	for (i = 0; i < n; i++) {
		char *sections = strstr(blocks[i], "\n-- ");
		char *query = blocks[i];
		ormc_sqlbuf got;

		if (sections)
			*sections++ = '\0';
		else
			sections = "";
		ormc_sqlbuf_init(&got);
		if (render_block(schema, query, &got, &err) < 0) {
			fprintf(stderr, "%s case %d: %s\n  error: %s\n", name, i + 1, query, err.message);
			failures++;
		} else if (!update && strcmp(got.data, sections) != 0 &&
		           !(strlen(sections) + 1 == got.len && strncmp(got.data, sections, got.len - 1) == 0)) {
			fprintf(stderr, "%s case %d: %s\n  expected:\n%s\n  got:\n%s\n", name, i + 1, query,
			        sections, got.data);
			failures++;
		}
		if (update)
			ormc_sqlbuf_appendf(&updated, "%s%s\n%s", i ? "====\n" : "", query, got.data ? got.data : "");
		ormc_sqlbuf_free(&got);
	}
	if (update) {
		FILE *f = fopen(path, "w");

		ck_assert_msg(f != NULL, "cannot write %s", path);
		fputs(updated.data, f);
		fclose(f);
	}
	ormc_sqlbuf_free(&updated);
	free(text);
	ormc_schema_free(schema);
	return failures;
}

/*
 * Golden statements a server rejects today: known planner bugs, listed so
 * that the suite stays green while they are fixed and any other rejection
 * still fails it. An entry names the example, the server, the query exactly
 * as its golden file writes it, and a piece of the server's message. A
 * listed statement that fails with another message, or that now runs, fails
 * the test: remove its entry with the fix. So does an entry whose query is
 * no longer in the golden file. An entry looks like
 *
 *   { "bookstore", "mysql", "Book.objects.values(\"rating\").annotate(...)",
 *     "isn't in GROUP BY" },
 *
 * Empty when it was written: all 109 statements ran on PostgreSQL 15 and
 * on MariaDB 10.11 with ONLY_FULL_GROUP_BY.
 */
static const struct xfail {
	const char *example;
	const char *server;      /* "postgresql" or "mysql" */
	const char *query;
	const char *message;     /* part of the server's error message */
} expected_failures[] = {
	{ NULL, NULL, NULL, NULL }
};
#define NXFAIL ((int)(sizeof(expected_failures) / sizeof(expected_failures[0])) - 1)

static const struct xfail *
find_xfail(const char *example, const char *query, int *index)
{
	int k;

	for (k = 0; k < NXFAIL; k++)
		if (strcmp(expected_failures[k].example, example) == 0 &&
		    strcmp(expected_failures[k].server, server) == 0 &&
		    strcmp(expected_failures[k].query, query) == 0) {
			*index = k;
			return &expected_failures[k];
		}
	return NULL;
}

/*
 * The server must refuse a column that is neither grouped nor aggregated,
 * or a statement passing here proves nothing about grouping. On MariaDB
 * that takes ONLY_FULL_GROUP_BY in the session's sql_mode, which the mysql
 * driver adds to whatever the server has (MySQL 5.7+ has it by default).
 */
static void
check_strict_grouping(ormc_db *db)
{
	static const char probe[] = "SELECT a, b FROM ormc_golden_probe GROUP BY a";
	ormc_error err;
	int rc;

	if (strcmp(server, "mysql") == 0) {
		ormc_cursor *cur = NULL;
		const ormc_value *row;
		char mode[512];

		rc = ormc_db_query(db, "SELECT @@SESSION.sql_mode", NULL, 0, &cur, &err);
		ck_assert_msg(rc == ORMC_OK && cur != NULL, "sql_mode: %s", err.message);
		rc = cur->conn->driver->next(cur, &row, &err);
		ck_assert_msg(rc == 1, "sql_mode: no row (%s)", rc < 0 ? err.message : "");
		snprintf(mode, sizeof(mode), "%.*s", (int)row[0].len, row[0].s ? row[0].s : "");
		cur->conn->driver->close_cursor(cur);
		ck_assert_msg(strstr(mode, "ONLY_FULL_GROUP_BY") != NULL,
		              "the mysql driver's session lacks ONLY_FULL_GROUP_BY: sql_mode '%s'",
		              mode);
	}
	tb_exec(db, "CREATE TABLE ormc_golden_probe (a INTEGER, b INTEGER)");
	rc = ormc_db_exec(db, probe, NULL, 0, &err);
	ck_assert_msg(rc < 0, "%s: the %s server accepts a column that is not grouped", probe,
	              server);
	tb_exec(db, "DROP TABLE ormc_golden_probe");
}

/* Every statement of examples/<name> compiled for server, run there. */
static int
run_on_server(const char *name)
{
	char path[1024], url[1024], why[512], dbname[64], *text, *blocks[512];
	int used[NXFAIL + 1];
	ormc_schema *schema = NULL;
	ormc_db *db;
	ormc_error err;
	int n, i, k, failures = 0, xfailed = 0, ran = 0;

	memset(used, 0, sizeof(used));
	snprintf(dbname, sizeof(dbname), "ormc_golden_%s", name);
	ck_assert_msg(tb_fresh_db(server, dbname, url, sizeof(url), why, sizeof(why)) == 0, "%s",
	              why);
	db = tb_open(url);
	check_strict_grouping(db);
	models_path(path, sizeof(path), name);
	tb_load_example(db, path, &schema);
	snprintf(path, sizeof(path), "%s/tests/golden/%s.txt", ORMC_SOURCE_DIR, name);
	text = tu_read_file(path);
	ck_assert_msg(text != NULL, "cannot read %s", path);
	n = tu_blocks(text, blocks, 512);
	ck_assert_msg(n > 0, "no cases in %s", path);
	for (i = 0; i < n; i++) {
		char *query = blocks[i], *sections = strstr(blocks[i], "\n-- ");
		ormc_value params[256];
		const struct xfail *xf;
		ormc_query *q = NULL;
		ormc_sqlbuf shown;
		int rc, np = 0, x = -1;

		if (sections)
			*sections = '\0';
		rc = ormc_query_parse(&q, schema, query, (size_t)-1, &err);
		if (rc == ORMC_OK)
			rc = ormc_query_compile(q, server, 0, &err);
		if (rc < 0) {
			fprintf(stderr, "%s: %s case %d: %s\n  does not compile: %s\n", server, name,
			        i + 1, query, err.message);
			failures++;
			ormc_query_free(q);
			continue;
		}
		np = ormc_query_nparams(q);
		ck_assert_msg(np <= 256, "%s case %d: %d parameters", name, i + 1, np);
		for (k = 0; k < np; k++)
			params[k] = *ormc_query_param(q, k);
		rc = ormc_db_exec(db, ormc_query_sql(q), params, np, &err);
		xf = find_xfail(name, query, &x);
		if (x >= 0)
			used[x] = 1;
		ormc_sqlbuf_init(&shown);
		if (np > 0)
			params_json(q, &shown);
		if (rc < 0 && xf != NULL && strstr(err.message, xf->message) != NULL) {
			printf("%s: %s case %d: expected failure: %s\n  %s\n", server, name, i + 1,
			       query, err.message);
			xfailed++;
		} else if (rc < 0) {
			fprintf(stderr, "%s: %s case %d: %s\n  sql: %s\n%s%s  server: %s%s%s%s\n",
			        server, name, i + 1, query, ormc_query_sql(q),
			        np > 0 ? "  " : "", np > 0 ? shown.data : "", err.message,
			        err.sqlstate[0] ? " (SQLSTATE " : "", err.sqlstate,
			        err.sqlstate[0] ? ")" : "");
			if (xf != NULL)
				fprintf(stderr, "  (listed in expected_failures with another message: %s)\n",
				        xf->message);
			failures++;
		} else if (xf != NULL) {
			fprintf(stderr, "%s: %s case %d: %s\n  now runs on %s: remove its entry from "
			        "expected_failures in tests/check_golden.c\n", server, name, i + 1,
			        query, server);
			failures++;
		} else {
			ran++;
		}
		ormc_sqlbuf_free(&shown);
		ormc_query_free(q);
	}
	for (k = 0; k < NXFAIL; k++)
		if (!used[k] && strcmp(expected_failures[k].example, name) == 0 &&
		    strcmp(expected_failures[k].server, server) == 0) {
			fprintf(stderr, "%s: %s: expected_failures lists a query that is not in %s: %s\n",
			        server, name, path, expected_failures[k].query);
			failures++;
		}
	printf("%s: %s: %d statements, %d ran, %d expected failures, %d failed\n", server, name,
	       n, ran, xfailed, failures);
	fflush(stdout);   /* a failed Check assertion ends this forked child */
	free(text);
	ormc_disconnect(db);
	ormc_schema_free(schema);
	return failures;
}

static int
run(const char *name)
{
	return server != NULL ? run_on_server(name) : run_golden(name);
}

START_TEST(test_bookstore) { ck_assert_int_eq(run("bookstore"), 0); }
END_TEST
START_TEST(test_shop) { ck_assert_int_eq(run("shop"), 0); }
END_TEST
START_TEST(test_auth) { ck_assert_int_eq(run("auth"), 0); }
END_TEST
START_TEST(test_tasks) { ck_assert_int_eq(run("tasks"), 0); }
END_TEST
START_TEST(test_inherit) { ck_assert_int_eq(run("inherit"), 0); }
END_TEST

int
main(int argc, char **argv)
{
	Suite *s;
	TCase *tc;
	SRunner *sr;
	int failed;

	if (argc > 2 || (argc == 2 && strcmp(argv[1], "postgresql") != 0 &&
	                 strcmp(argv[1], "mysql") != 0)) {
		fprintf(stderr, "usage: %s [postgresql|mysql]\n", argv[0]);
		return EXIT_FAILURE;
	}
	if (argc == 2) {
		server = argv[1];
		if (!tb_selected(server)) {
			printf("%s: not selected by ORMC_TEST_BACKENDS\n", server);
			return TB_SKIP;
		}
	}
	s = suite_create("golden");
	tc = tcase_create(server != NULL ? server : "sql");
	if (server != NULL)
		tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_bookstore);
	tcase_add_test(tc, test_shop);
	tcase_add_test(tc, test_auth);
	tcase_add_test(tc, test_tasks);
	tcase_add_test(tc, test_inherit);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
