/*
 * inspect.c -- `ormc inspect --db URL [--app-label L] [--tables T,...] [T ...]`:
 * print a models.py read from a live database (ormc_inspect()).
 *
 * It has its own arguments (no --models, and table names), so main() hands
 * it the command line whole when the command is inspect.
 */
#include "inspect.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ormc/inspect.h>
#include <ormc/ormc.h>

#define MAX_TABLES 1024

static const char inspect_usage[] =
	"usage: ormc inspect --db URL [--app-label L] [--tables T[,T...]] [TABLE ...]\n"
	"  print a Django models.py for the database's tables (all, or the\n"
	"  tables named and the tables they reference)\n";

/* Options of the other commands that take a value, to find the command word. */
static const char *const valued[] = {
	"--models", "--app-label", "--dialect", "--server-version", "--db",
	"--format", "--file", "--param", "--tables", NULL
};

static int
takes_value(const char *a)
{
	int k;

	for (k = 0; valued[k] != NULL; k++)
		if (strcmp(a, valued[k]) == 0)
			return 1;
	return 0;
}

static int
usage(const char *fmt, const char *arg)
{
	fputs("ormc: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs("\nTry 'ormc inspect --help'.\n", stderr);
	return 2;
}

static int
status_of(int code)
{
	switch (code) {
	case ORMC_OK:
		return 0;
	case ORMC_EPARSE:
	case ORMC_ENOFIELD:
	case ORMC_EINVALID:
	case ORMC_EUNSUPPORTED:
	case ORMC_EIO:
	case ORMC_EPARAM:
		return 2;
	default:
		return 1;
	}
}

static int
fail(const ormc_error *err)
{
	char buf[4096];

	fflush(stdout);
	if (ormc_error_format(err, buf, sizeof(buf)) <= 0 || buf[0] == '\0')
		snprintf(buf, sizeof(buf), "error: %s\n", ormc_strerror(err->code));
	fprintf(stderr, "ormc: %s", buf);
	if (buf[strlen(buf) - 1] != '\n')
		fputc('\n', stderr);
	return status_of(err->code);
}

/* Add the comma-separated names of list to tables. */
static int
add_tables(char *list, const char **tables, int *n)
{
	char *p = list, *comma;

	for (;;) {
		comma = strchr(p, ',');
		if (comma != NULL)
			*comma = '\0';
		if (*p == '\0')
			return usage("empty table name in '%s'", list);
		if (*n == MAX_TABLES)
			return usage("too many tables (at most 1024)%s", "");
		tables[(*n)++] = p;
		if (comma == NULL)
			return 0;
		p = comma + 1;
	}
}

int
cli_inspect_main(int argc, char **argv)
{
	ormc_inspect_options o = ORMC_INSPECT_OPTIONS_INIT;
	const char **tables;
	const char *url = NULL;
	ormc_db *db = NULL;
	ormc_error err;
	char *py = NULL;
	int i, n = 0, seen = 0, only_args = 0, status = 0;

	/* the command word: the first argument that is not an option or its value */
	for (i = 1; i < argc; i++) {
		if (argv[i][0] != '-' || strcmp(argv[i], "-") == 0 ||
		    strcmp(argv[i], "--") == 0)
			break;
		if (takes_value(argv[i]))
			i++;
	}
	if (i >= argc || strcmp(argv[i], "inspect") != 0)
		return -1;
	if ((tables = calloc(MAX_TABLES, sizeof(*tables))) == NULL) {
		fputs("ormc: out of memory\n", stderr);
		return 1;
	}
	for (i = 1; i < argc && status == 0; i++) {
		char *a = argv[i], *eq, *val;
		size_t nlen;

		if (only_args || a[0] != '-') {
			if (!seen && strcmp(a, "inspect") == 0)
				seen = 1;
			else
				status = add_tables(a, tables, &n);
			continue;
		}
		if (strcmp(a, "--") == 0) {
			only_args = 1;
			continue;
		}
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(inspect_usage, stdout);
			free(tables);
			return fflush(stdout) == 0 ? 0 : 1;
		}
		eq = strchr(a, '=');
		nlen = eq != NULL ? (size_t)(eq - a) : strlen(a);
		if (!(nlen == 4 && strncmp(a, "--db", 4) == 0) &&
		    !(nlen == 11 && strncmp(a, "--app-label", 11) == 0) &&
		    !(nlen == 8 && strncmp(a, "--tables", 8) == 0)) {
			status = usage("inspect takes --db, --app-label and --tables, not '%s'", a);
			break;
		}
		if (eq == NULL && i + 1 >= argc) {
			status = usage("option '%s' needs a value", a);
			break;
		}
		val = eq != NULL ? eq + 1 : argv[++i];
		if (nlen == 4)
			url = val;
		else if (nlen == 11)
			o.app_label = val;
		else
			status = add_tables(val, tables, &n);
	}
	if (status == 0 && url == NULL)
		status = usage("inspect needs --db URL%s", "");
	if (status != 0) {
		free(tables);
		return status;
	}
	o.tables = tables;
	o.ntables = n;
	ormc_error_clear(&err);
	if (ormc_connect(&db, url, &err) < 0)
		status = fail(&err);
	else if (ormc_inspect(&py, db, &o, &err) < 0)
		status = fail(&err);
	else if (fputs(py, stdout) == EOF || fflush(stdout) != 0) {
		perror("ormc: stdout");
		status = 1;
	}
	ormc_inspect_free(py);
	if (db != NULL)
		ormc_disconnect(db);
	free(tables);
	return status;
}
