/*
 * hello.c -- a program built against an installed ormc with pkg-config
 * (tests/install_test.sh): books per publisher on the bookstore example.
 *
 *   hello MODELS.py DB-URL
 *
 * Prints "ormc VERSION" and then "publisher: count" lines. Public API only.
 */
#include <stdio.h>

#include <ormc/ormc.h>
#include <ormc/version.h>

#if !defined(ORMC_VERSION_NUMBER) || ORMC_VERSION_NUMBER < 100 || \
    ORMC_VERSION_NUMBER != ORMC_VERSION_MAJOR * 10000 + ORMC_VERSION_MINOR * 100 + ORMC_VERSION_PATCH
#error "ormc/version.h: ORMC_VERSION_NUMBER"
#endif

int
main(int argc, char **argv)
{
	ormc_schema *schema = NULL;
	ormc_query *q = NULL;
	ormc_db *db = NULL;
	ormc_result *r = NULL;
	const ormc_value *row;
	ormc_error err;
	char msg[2048];
	int rc;

	if (argc != 3) {
		fprintf(stderr, "usage: %s MODELS.py DB-URL\n", argv[0]);
		return 2;
	}
	printf("ormc %s\n", ORMC_VERSION);
	ormc_error_clear(&err);
	if ((rc = ormc_schema_load(&schema, argv[1], NULL, &err)) < 0 ||
	    (rc = ormc_query_parse(&q, schema,
	        "Publisher.objects.annotate(n=Count('book')).order_by('name').values_list('name', 'n')",
	        (size_t)-1, &err)) < 0 ||
	    (rc = ormc_connect(&db, argv[2], &err)) < 0 ||
	    (rc = ormc_query_run(&r, db, q, &err)) < 0)
		goto done;
	while ((rc = ormc_result_next(r, &row, &err)) > 0) {
		if (row[0].type != ORMC_TYPE_TEXT || row[1].type != ORMC_TYPE_INT) {
			fprintf(stderr, "hello: unexpected cell types %d, %d\n",
			        (int)row[0].type, (int)row[1].type);
			rc = -1;
			break;
		}
		printf("%.*s: %lld\n", (int)row[0].len, row[0].s, (long long)row[1].i);
	}
done:
	if (rc < 0 && ormc_error_format(&err, msg, sizeof(msg)) > 0)
		fprintf(stderr, "hello: %s\n", msg);
	ormc_result_free(r);
	if (db != NULL)
		ormc_disconnect(db);
	ormc_query_free(q);
	ormc_schema_free(schema);
	return rc < 0;
}
