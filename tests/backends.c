/*
 * backends.c -- test servers: selection, fresh databases, ODBC strings,
 * example tables and fixtures.
 * See backends.h.
 */
#include "backends.h"

#include <check.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ddl.h"
#include "ormc/ormc.h"
#include "testutil.h"

int
tb_selected(const char *name)
{
	const char *list = getenv("ORMC_TEST_BACKENDS");
	size_t len = strlen(name);
	const char *p;

	if (list == NULL || *list == '\0' || strcmp(list, "all") == 0)
		return 1;
	for (p = list; (p = strstr(p, name)) != NULL; p += len)
		if ((p == list || p[-1] == ',' || p[-1] == ' ') &&
		    (p[len] == '\0' || p[len] == ',' || p[len] == ' '))
			return 1;
	return 0;
}

/* The admin URL of server kind: environment first, then the fixture's file. */
static int
server_url(const char *kind, char *url, size_t n, char *why, size_t nwhy)
{
	const char *env = strcmp(kind, "postgresql") == 0 ?
	                  "ORMC_TEST_POSTGRES_URL" : "ORMC_TEST_MYSQL_URL";
	const char *dir = getenv("ORMC_TEST_SERVERS_DIR");
	const char *v = getenv(env);
	char path[1024], line[1024];
	size_t klen = strlen(kind);
	FILE *f;

	if (v != NULL && *v != '\0') {
		snprintf(url, n, "%s", v);
		return 0;
	}
	if (dir == NULL || *dir == '\0') {
		snprintf(why, nwhy, "no %s server: %s is not set and the tests "
		         "were not started by CTest (ORMC_TEST_SERVERS_DIR)",
		         kind, env);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/servers.env", dir);
	f = fopen(path, "r");
	if (f == NULL) {
		snprintf(why, nwhy, "no %s server: %s is missing (did the "
		         "servers_start test fail? see %s/*.log)", kind, path, dir);
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		if (strncmp(line, kind, klen) == 0 && line[klen] == '=') {
			snprintf(url, n, "%s", line + klen + 1);
			fclose(f);
			return 0;
		}
	}
	fclose(f);
	snprintf(why, nwhy, "no %s server in %s (see %s/%s.log)", kind, path,
	         dir, kind);
	return -1;
}

static void
copy_span(char *dst, size_t n, const char *s, size_t len)
{
	if (len >= n)
		len = n - 1;
	memcpy(dst, s, len);
	dst[len] = '\0';
}

int
tb_parse_url(const char *url, tb_url *u)
{
	const char *p = strstr(url, "://"), *at, *slash, *colon, *q, *hend;

	memset(u, 0, sizeof(*u));
	if (p == NULL)
		return -1;
	copy_span(u->scheme, sizeof(u->scheme), url, (size_t)(p - url));
	p += 3;
	slash = p + strcspn(p, "/?");
	at = memchr(p, '@', (size_t)(slash - p));
	if (at != NULL) {
		colon = memchr(p, ':', (size_t)(at - p));
		if (colon != NULL) {
			copy_span(u->user, sizeof(u->user), p, (size_t)(colon - p));
			copy_span(u->password, sizeof(u->password), colon + 1,
			          (size_t)(at - colon - 1));
		} else {
			copy_span(u->user, sizeof(u->user), p, (size_t)(at - p));
		}
		p = at + 1;
	}
	colon = memchr(p, ':', (size_t)(slash - p));
	hend = colon ? colon : slash;
	copy_span(u->host, sizeof(u->host), p, (size_t)(hend - p));
	if (colon != NULL)
		copy_span(u->port, sizeof(u->port), colon + 1,
		          (size_t)(slash - colon - 1));
	if (*slash == '/') {
		q = slash + 1 + strcspn(slash + 1, "?");
		copy_span(u->db, sizeof(u->db), slash + 1, (size_t)(q - slash - 1));
		slash = q;
	}
	if (*slash == '?')
		snprintf(u->query, sizeof(u->query), "%s", slash + 1);
	return 0;
}

static void
build_url(const tb_url *u, const char *db, char *url, size_t n)
{
	snprintf(url, n, "%s://%s%s%s%s%s%s%s/%s%s%s", u->scheme, u->user,
	         *u->password ? ":" : "", u->password, *u->user ? "@" : "",
	         u->host, *u->port ? ":" : "", u->port, db,
	         *u->query ? "?" : "", u->query);
}

static int
valid_name(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return 0;
	return 1;
}

int
tb_fresh_db(const char *kind, const char *dbname, char *url, size_t n,
            char *why, size_t nwhy)
{
	int pg = strcmp(kind, "postgresql") == 0;
	char admin[1024], sql[256];
	ormc_db *db = NULL;
	ormc_error err;
	tb_url u;
	int rc;

	if (!valid_name(dbname) || (!pg && strcmp(kind, "mysql") != 0)) {
		snprintf(why, nwhy, "bad test database %s/%s", kind, dbname);
		return -1;
	}
	if (server_url(kind, admin, sizeof(admin), why, nwhy) < 0)
		return -1;
	if (tb_parse_url(admin, &u) < 0) {
		snprintf(why, nwhy, "%s server URL is not scheme://...: %s", kind,
		         admin);
		return -1;
	}
	if (ormc_connect(&db, admin, &err) < 0) {
		snprintf(why, nwhy, "cannot connect to the %s test server: %s",
		         kind, err.message);
		return -1;
	}
	/* PostgreSQL cannot drop a database others are connected to. */
	snprintf(sql, sizeof(sql), pg ? "DROP DATABASE IF EXISTS \"%s\" WITH (FORCE)"
	                              : "DROP DATABASE IF EXISTS `%s`", dbname);
	rc = ormc_db_exec(db, sql, NULL, 0, &err);
	if (rc == ORMC_OK) {
		snprintf(sql, sizeof(sql), pg ? "CREATE DATABASE \"%s\" ENCODING 'UTF8' TEMPLATE template0"
		                              : "CREATE DATABASE `%s` CHARACTER SET utf8mb4",
		         dbname);
		rc = ormc_db_exec(db, sql, NULL, 0, &err);
	}
	ormc_disconnect(db);
	if (rc != ORMC_OK) {
		snprintf(why, nwhy, "%s: %s", sql, err.message);
		return -1;
	}
	build_url(&u, dbname, url, n);
	return 0;
}

int
tb_odbc_url(const char *kind, const char *dbname, char *url, size_t n,
            char *why, size_t nwhy)
{
	char admin[1024];
	tb_url u;

	if (strcmp(kind, "sqlite") == 0) {
		snprintf(url, n, "odbc:Driver={ormc-sqlite3};Database=%s;", dbname);
		return 0;
	}
	if (server_url(kind, admin, sizeof(admin), why, nwhy) < 0)
		return -1;
	if (tb_parse_url(admin, &u) < 0) {
		snprintf(why, nwhy, "%s server URL is not scheme://...: %s", kind,
		         admin);
		return -1;
	}
	if (strcmp(kind, "postgresql") == 0)
		snprintf(url, n, "odbc:Driver={ormc-postgresql};Server=%s;Port=%s;"
		         "Database=%s;Uid=%s;Pwd=%s;BoolsAsChar=0;", u.host,
		         *u.port ? u.port : "5432", dbname, u.user, u.password);
	else
		snprintf(url, n, "odbc:Driver={ormc-mariadb};Server=%s;Port=%s;"
		         "Database=%s;User=%s;Password=%s;", u.host,
		         *u.port ? u.port : "3306", dbname, u.user, u.password);
	return 0;
}

ormc_db *
tb_open(const char *url)
{
	ormc_db *db = NULL;
	ormc_error err;
	int rc = ormc_connect(&db, url, &err);

	ck_assert_msg(rc == ORMC_OK, "connect: %s", err.message);
	ck_assert_ptr_nonnull(db);
	return db;
}

void
tb_exec(ormc_db *db, const char *sql)
{
	ormc_error err;
	int rc = ormc_db_exec(db, sql, NULL, 0, &err);

	ck_assert_msg(rc == ORMC_OK, "%s: %s", sql, err.message);
}

void
tb_load_example(ormc_db *db, const char *models, ormc_schema **schema)
{
	const char *slash = strrchr(models, '/');
	char path[1024], *fixture;
	ormc_error err;

	ck_assert_msg(ormc_schema_load(schema, models, NULL, &err) == ORMC_OK, "%s: %s",
	              models, err.message);
	ck_assert_msg(ormc_migrate(db, *schema, &err) == ORMC_OK, "%s: migrate on %s: %s",
	              models, ormc_db_dialect(db), err.message);
	snprintf(path, sizeof(path), "%.*sfixture.json",
	         slash ? (int)(slash + 1 - models) : 0, models);
	fixture = tu_read_file(path);
	ck_assert_msg(fixture != NULL, "cannot read %s", path);
	ck_assert_msg(ormc_fixture_load(db, *schema, fixture, strlen(fixture), &err) == ORMC_OK,
	              "%s: load on %s: %s", path, ormc_db_dialect(db), err.message);
	free(fixture);
}
