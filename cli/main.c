/*
 * main.c -- the ormc command: sql, run, compare, migrate, ddl, load, copy,
 * dump, --version, help.
 *
 * A thin shell over the public API (ormc/ormc.h, ormc/ddl.h,
 * ormc/sys/driver.h): parse the arguments, read the models and the queries,
 * call the library, print. The library never prints; everything the user
 * sees comes from here (results on stdout, errors on stderr).
 *
 * Exit status: 0 ok; 1 the database failed (ORMC_EDRIVER, ORMC_ENODRIVER,
 * ORMC_EINTERNAL: ormc broke its own invariant,
 * out of memory, a write error); 2 bad input (usage, unknown dialect or
 * format, a query or models file that does not parse or resolve, a file that
 * cannot be read). Queries are all parsed (and for `sql` compiled) before
 * anything is printed, so bad input never leaves partial output on stdout.
 */
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ormc/ddl.h>
#include <ormc/ormc.h>
#include <ormc/stmt.h>
#include <ormc/sys/driver.h>
#include <ormc/version.h>  /* ORMC_VERSION, generated from the project version */

#include "compare.h"
#include "format.h"
#include "loadmig.h"
#include "inspect.h"
#include "transfer.h"

enum {
	EXIT_OK = 0,
	EXIT_DB = 1,            /* the database (or the machine) failed */
	EXIT_INPUT = 2          /* the user's input is wrong */
};

/* Parsed command line. */
typedef struct options {
	const char *command;
	const char *models;     /* the first --models */
	const char *modelv[16]; /* every --models [LABEL=]FILE */
	int nmodels;
	const char *app_label;
	const char *auth_user_model;  /* --auth-user-model accounts.User */
	const char *dialect;
	const char *server_version;
	const char *db;         /* the first --db */
	const char *dbs[8];     /* every --db (compare) */
	int ndb;
	const char *format;
	const char *file;       /* --file: one query per line */
	const char *float_digits;   /* compare --float-digits N */
	const char *rel_tol;        /* compare --rel-tol X */
	ormc_params *params;    /* every --param name=value */
	int print;              /* migrate --print */
	int sql;                /* migrate --sql */
	int tree;               /* sql --tree */
	const char *from;       /* copy --from URL */
	const char *to;         /* copy --to URL */
	const char *tables;     /* copy --tables a,b */
	int truncate;           /* copy --truncate */
	int verbose;            /* copy --verbose */
	const char *args[32];   /* positional arguments after the command */
	int nargs;
} options;

/* One query text and where it came from (for messages). */
typedef struct qtext {
	char *text;             /* NUL-terminated, owned */
	size_t len;
	const char *origin;     /* file name, "<stdin>", or NULL for the argument */
	int line;               /* line in origin, 0 if not from a file */
	ormc_query *q;
	ormc_stmt *st;          /* run: compiled for the database, values checked */
} qtext;

static const char usage_text[] =
	"usage: ormc <command> [options] ...\n"
	"\n"
	"commands:\n"
	"  sql      --models FILE --dialect D [--server-version V] [--tree] QUERY\n"
	"           compile QUERY and print the SQL and its parameters\n"
	"           --tree: first the relational tree it was written from\n"
	"  run      --models FILE --db URL [--format table|json|csv]\n"
	"           [--param NAME=VALUE ...] QUERY\n"
	"           run QUERY and print its rows (default format: table)\n"
	"  compare  --models FILE --db URL1 --db URL2 [--db URL3 ...] QUERY\n"
	"           [--format table|json] [--float-digits N | --rel-tol X]\n"
	"           run QUERY (or each query of --file F) on every database and\n"
	"           print each difference; exit status 1 if any\n"
	"  migrate  --models FILE --db URL [--sql]\n"
	"           create the tables that are missing, check the others;\n"
	"           --sql: print what it would do instead\n"
	"  migrate  --models FILE --sql --dialect D  (or --print [--db URL])\n"
	"  ddl      --models FILE --dialect D\n"
	"           print the CREATE TABLE statements without a database\n"
	"  load     --models FILE --db URL FIXTURE.json\n"
	"           load a Django fixture (dumpdata JSON), all or nothing,\n"
	"           foreign keys checked\n"
	"  inspect  --db URL [--app-label L] [--tables T[,T...]] [TABLE ...]\n"
	"           print a models.py read from the database's tables\n"
	"  copy     --models FILE --from URL --to URL [--tables T1,T2] [--truncate]\n"
	"           [--verbose]  copy every table's rows into the migrated target,\n"
	"           all or nothing (--verbose: how each table's rows were written)\n"
	"  dump     --models FILE --db URL [MODEL ...]\n"
	"           print the rows as Django dumpdata JSON (what load reads)\n"
	"  help     this text;  --version: version, drivers and dialects\n"
	"\n"
	"common options:\n"
	"  --models FILE      a Django models.py; repeat as --models LABEL=FILE\n"
	"                     for several apps, each with its app label\n"
	"  --app-label L      Django app label: tables are named L_model\n"
	"  --auth-user-model APP.MODEL  settings.AUTH_USER_MODEL (default auth.User)\n"
	"  --param NAME=VALUE bind the query's parameter NAME (run, compare;\n"
	"                     repeatable): filter(status=status) --param status=paid\n"
	"\n"
	"QUERY is a Django QuerySet expression, e.g.\n"
	"  'Publisher.objects.annotate(num_books=Count(\"book\")).order_by(\"name\")'\n"
	"or - to read one query (or a short script of `name = expr` lines) from\n"
	"stdin, or --file F for one query per line ('#' starts a comment line).\n"
	"\n"
	"dialects: postgresql, sqlite, mysql.  URLs: sqlite:path.db, sqlite::memory:,\n"
	"  postgresql://user:pass@host:port/db (or libpq's \"host=... dbname=...\"),\n"
	"  mysql://user:pass@host:port/db[?socket=PATH] (or mariadb://...),\n"
	"  odbc:CONNECTION-STRING (\"odbc:DSN=name;UID=u;PWD=p\").\n"
	"exit status: 0 ok, 1 database error (compare: a difference), 2 bad input.\n";

/* ---- small helpers ------------------------------------------------------- */

static int
usage_error(const char *fmt, const char *arg)
{
	fputs("ormc: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs("\nTry 'ormc help'.\n", stderr);
	return EXIT_INPUT;
}

static int
exit_status(int code)
{
	switch (code) {
	case ORMC_OK:
		return EXIT_OK;
	case ORMC_EPARSE:
	case ORMC_ENOFIELD:
	case ORMC_EINVALID:
	case ORMC_EUNSUPPORTED:
	case ORMC_EIO:
	case ORMC_EPARAM:
		return EXIT_INPUT;
	default:                /* EDRIVER, ENODRIVER, ENOMEM */
		return EXIT_DB;
	}
}

/*
 * Print err on stderr as "ormc: [where: ]error: ..." with the caret lines
 * ormc_error_format() adds, and return the exit status for it.
 */
static int
report(const ormc_error *err, const char *origin, int line)
{
	char buf[8192];
	int n;

	fflush(stdout);
	n = ormc_error_format(err, buf, sizeof(buf));
	if (n <= 0 || buf[0] == '\0')
		snprintf(buf, sizeof(buf), "error: %s\n", ormc_strerror(err->code));
	fputs("ormc: ", stderr);
	if (origin != NULL && line > 0)
		fprintf(stderr, "%s:%d: ", origin, line);
	else if (origin != NULL)
		fprintf(stderr, "%s: ", origin);
	fputs(buf, stderr);
	if (buf[strlen(buf) - 1] != '\n')
		fputc('\n', stderr);
	return exit_status(err->code);
}

/*
 * The library's err->source may point into a copy of a text it has already
 * freed (a failed parse). The offset is relative to that text, which is a
 * copy of ours: point the error at our own text instead.
 */
static void
own_source(ormc_error *err, const char *text, size_t len)
{
	if (err->offset < 0)
		return;
	if (err->source != NULL && err->source >= text && err->source <= text + len)
		return;
	err->source = text;
}

/* Read a whole file (or stdin for "-") into a NUL-terminated buffer. */
static int
read_all(const char *path, char **out, size_t *len_out, ormc_error *err)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	char *buf = NULL, *p;
	size_t len = 0, cap = 0, got;

	ormc_error_clear(err);
	if (f == NULL) {
		err->code = ORMC_EIO;
		snprintf(err->message, sizeof(err->message), "cannot open %s: %s",
		         path, strerror(errno));
		return ORMC_EIO;
	}
	for (;;) {
		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 8192;
			p = realloc(buf, cap + 1);
			if (p == NULL) {
				free(buf);
				if (f != stdin)
					fclose(f);
				err->code = ORMC_ENOMEM;
				snprintf(err->message, sizeof(err->message), "out of memory");
				return ORMC_ENOMEM;
			}
			buf = p;
		}
		got = fread(buf + len, 1, cap - len, f);
		len += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		err->code = ORMC_EIO;
		snprintf(err->message, sizeof(err->message), "cannot read %s: %s",
		         strcmp(path, "-") == 0 ? "stdin" : path, strerror(errno));
		free(buf);
		if (f != stdin)
			fclose(f);
		return ORMC_EIO;
	}
	if (f != stdin)
		fclose(f);
	buf[len] = '\0';
	*out = buf;
	*len_out = len;
	return ORMC_OK;
}

static char *
copy_text(const char *s, size_t len)
{
	char *p = malloc(len + 1);

	if (p != NULL) {
		memcpy(p, s, len);
		p[len] = '\0';
	}
	return p;
}

/*
 * "--server-version": 150004 as the library counts (major*10000+minor*100+
 * patch), a dotted "15.4" / "3.30.1", or a bare major "15".
 */
static int
parse_server_version(const char *s, int *out)
{
	long part[3] = { 0, 0, 0 };
	int n = 0;
	char *end;

	if (s[0] < '0' || s[0] > '9')
		return -1;
	for (;;) {
		part[n] = strtol(s, &end, 10);
		if (end == s || part[n] < 0 || part[n] > 99999)
			return -1;
		n++;
		if (*end == '\0')
			break;
		if (*end != '.' || n == 3)
			return -1;
		s = end + 1;
	}
	if (n == 1)
		*out = part[0] < 1000 ? (int)part[0] * 10000 : (int)part[0];
	else if (part[1] > 99 || part[2] > 99)
		return -1;
	else
		*out = (int)(part[0] * 10000 + part[1] * 100 + part[2]);
	return 0;
}

/* ---- arguments ----------------------------------------------------------- */

static int
parse_args(int argc, char **argv, options *o)
{
	static const struct {
		const char *name;
		size_t off;
	} valued[] = {
		{ "--models", offsetof(options, models) },
		{ "--app-label", offsetof(options, app_label) },
		{ "--auth-user-model", offsetof(options, auth_user_model) },
		{ "--dialect", offsetof(options, dialect) },
		{ "--server-version", offsetof(options, server_version) },
		{ "--db", offsetof(options, db) },
		{ "--format", offsetof(options, format) },
		{ "--file", offsetof(options, file) },
		{ "--float-digits", offsetof(options, float_digits) },
		{ "--rel-tol", offsetof(options, rel_tol) },
		{ "--from", offsetof(options, from) },
		{ "--to", offsetof(options, to) },
		{ "--tables", offsetof(options, tables) },
	};
	int i, only_args = 0;
	size_t k;

	memset(o, 0, sizeof(*o));
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *eq;
		size_t nlen;

		if (only_args || a[0] != '-' || strcmp(a, "-") == 0) {
			if (o->command == NULL)
				o->command = a;
			else if (o->nargs < (int)(sizeof(o->args) / sizeof(o->args[0])))
				o->args[o->nargs++] = a;
			else
				return usage_error("too many arguments: '%s'", a);
			continue;
		}
		if (strcmp(a, "--") == 0) {
			only_args = 1;
			continue;
		}
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			o->command = "help";
			continue;
		}
		if (strcmp(a, "--version") == 0 || strcmp(a, "-V") == 0) {
			o->command = "version";
			continue;
		}
		if (strcmp(a, "--print") == 0) {
			o->print = 1;
			continue;
		}
		if (strcmp(a, "--sql") == 0) {
			o->sql = 1;
			continue;
		}
		if (strcmp(a, "--tree") == 0) {
			o->tree = 1;
			continue;
		}
		if (strcmp(a, "--truncate") == 0) {
			o->truncate = 1;
			continue;
		}
		if (strcmp(a, "--verbose") == 0) {
			o->verbose = 1;
			continue;
		}
		if (strncmp(a, "--param", 7) == 0 && (a[7] == '\0' || a[7] == '=')) {
			const char *nv = a[7] == '=' ? a + 8 : (i + 1 < argc ? argv[++i] : NULL);
			const char *sep = nv ? strchr(nv, '=') : NULL;
			char name[256];
			int rc;

			if (sep == NULL || sep == nv || (size_t)(sep - nv) >= sizeof(name))
				return usage_error("--param needs NAME=VALUE, got '%s'", nv ? nv : "");
			memcpy(name, nv, (size_t)(sep - nv));
			name[sep - nv] = '\0';
			if (o->params == NULL && ormc_params_new(&o->params) < 0)
				return usage_error("out of memory%s", "");
			for (k = 0; k < (size_t)ormc_params_count(o->params); k++)
				if (strcmp(ormc_params_name(o->params, (int)k), name) == 0)
					return usage_error("--param %s is given twice", name);
			rc = ormc_params_set_text(o->params, name, sep + 1, (size_t)-1);
			if (rc == ORMC_EPARAM)
				return usage_error("--param: '%s' is not a parameter name", name);
			if (rc < 0)
				return usage_error("out of memory%s", "");
			continue;
		}
		eq = strchr(a, '=');
		nlen = eq != NULL ? (size_t)(eq - a) : strlen(a);
		for (k = 0; k < sizeof(valued) / sizeof(valued[0]); k++)
			if (strlen(valued[k].name) == nlen &&
			    strncmp(valued[k].name, a, nlen) == 0)
				break;
		if (k == sizeof(valued) / sizeof(valued[0]))
			return usage_error("unknown option '%s'", a);
		if (eq == NULL && i + 1 >= argc)
			return usage_error("option '%s' needs a value", a);
		*(const char **)((char *)o + valued[k].off) =
			eq != NULL ? eq + 1 : argv[++i];
		if (valued[k].off == offsetof(options, models)) {
			if (o->nmodels == (int)(sizeof(o->modelv) / sizeof(o->modelv[0])))
				return usage_error("too many --models options (at most 16)%s", "");
			o->modelv[o->nmodels++] = o->models;
			o->models = o->modelv[0];
		}
		if (valued[k].off == offsetof(options, db)) {
			if (o->ndb == (int)(sizeof(o->dbs) / sizeof(o->dbs[0])))
				return usage_error("too many --db options (at most 8)%s", "");
			o->dbs[o->ndb++] = o->db;
			o->db = o->dbs[0];
		}
	}
	return EXIT_OK;
}

/* ---- models, queries, connection ----------------------------------------- */

/* "shop=shop/models.py": the label if arg starts with IDENTIFIER=, else NULL. */
static const char *
models_label(const char *arg, char *buf, size_t n, const char **path)
{
	const char *eq = strchr(arg, '=');
	size_t k, len;

	*path = arg;
	if (eq == NULL || eq == arg || (len = (size_t)(eq - arg)) >= n ||
	    isdigit((unsigned char)arg[0]))
		return NULL;
	for (k = 0; k < len; k++)
		if (!isalnum((unsigned char)arg[k]) && arg[k] != '_')
			return NULL;
	memcpy(buf, arg, len);
	buf[len] = '\0';
	*path = eq + 1;
	return buf;
}

/*
 * Read every models file (--models [LABEL=]FILE, repeatable) and parse them
 * into one schema; errors are reported here, against the file they are in.
 */
static int
load_schema(const options *o, ormc_schema **out)
{
	ormc_schema_options so = ORMC_SCHEMA_OPTIONS_INIT;
	ormc_schema_source src[16];
	char labels[16][64];
	ormc_error err;
	int rc, status = EXIT_OK, i, n = o->nmodels;

	*out = NULL;
	if (n == 0)
		return usage_error("%s needs --models FILE", o->command);
	if (o->app_label != NULL && n > 1)
		return usage_error("--app-label names the app of a single --models FILE; give each of several its own: --models LABEL=FILE%s", "");
	so.auth_user_model = o->auth_user_model;
	memset(src, 0, sizeof(src));
	for (i = 0; i < n && status == EXIT_OK; i++) {
		char *text;

		src[i].app_label = models_label(o->modelv[i], labels[i],
		                                sizeof(labels[i]), &src[i].origin);
		if (src[i].app_label == NULL)
			src[i].app_label = o->app_label;
		if ((rc = read_all(src[i].origin, &text, &src[i].len, &err)) < 0) {
			status = report(&err, NULL, 0);
			break;
		}
		src[i].text = text;
	}
	if (status == EXIT_OK) {
		ormc_error_clear(&err);
		rc = ormc_schema_parse_many(out, src, n, &so, &err);
		if (rc < 0) {
			const char *origin = NULL;

			/* Aim the caret at the file the error is in. */
			for (i = 0; i < n; i++)
				if (err.source != NULL && err.source >= src[i].text &&
				    err.source <= src[i].text + src[i].len)
					origin = src[i].origin;
			if (origin == NULL)
				err.source = NULL;
			status = report(&err, origin, 0);
			*out = NULL;
		}
	}
	for (i = 0; i < n; i++)
		free((char *)src[i].text);
	return status;
}

/* Split a --file text into queries: one per non-blank line, '#' comments. */
static int
split_lines(char *text, size_t len, const char *origin, qtext **qs, int *nq,
            int *cap)
{
	size_t start = 0, end, a, b;
	int line = 0;

	while (start < len) {
		line++;
		for (end = start; end < len && text[end] != '\n'; end++)
			;
		a = start;
		b = end;
		while (a < b && (text[a] == ' ' || text[a] == '\t'))
			a++;
		while (b > a && (text[b - 1] == ' ' || text[b - 1] == '\t' ||
		                 text[b - 1] == '\r'))
			b--;
		if (b > a && text[a] != '#') {
			if (*nq == *cap) {
				int ncap = *cap ? *cap * 2 : 16;
				qtext *p = realloc(*qs, (size_t)ncap * sizeof(*p));

				if (p == NULL)
					return -1;
				*qs = p;
				*cap = ncap;
			}
			(*qs)[*nq].text = copy_text(text + a, b - a);
			if ((*qs)[*nq].text == NULL)
				return -1;
			(*qs)[*nq].len = b - a;
			(*qs)[*nq].origin = origin;
			(*qs)[*nq].line = line;
			(*qs)[*nq].q = NULL;
			(*qs)[*nq].st = NULL;
			(*nq)++;
		}
		start = end + 1;
	}
	return 0;
}

/*
 * Gather the queries (argument, "-" or --file) and parse every one against
 * the schema. Errors are reported here; returns an exit status.
 */
static int
read_queries(const options *o, const ormc_schema *s, qtext **qs_out, int *n_out)
{
	qtext *qs = NULL;
	int nq = 0, cap = 0, i, rc;
	ormc_error err;
	char *text;
	size_t len;

	*qs_out = NULL;
	*n_out = 0;
	if (o->file != NULL && o->nargs > 0)
		return usage_error("give either QUERY or --file, not both%s", "");
	if (o->file == NULL && o->nargs == 0)
		return usage_error("%s needs a QUERY (or - or --file F)", o->command);
	if (o->nargs > 1)
		return usage_error("unexpected argument '%s' (quote the query)", o->args[1]);

	if (o->file != NULL) {
		if ((rc = read_all(o->file, &text, &len, &err)) < 0)
			return report(&err, NULL, 0);
		rc = split_lines(text, len, strcmp(o->file, "-") == 0 ? "<stdin>" : o->file,
		                 &qs, &nq, &cap);
		free(text);
		if (rc < 0)
			goto nomem;
		if (nq == 0) {
			free(qs);
			return usage_error("no queries in %s", o->file);
		}
	} else {
		qs = calloc(1, sizeof(*qs));
		if (qs == NULL)
			goto nomem;
		nq = 1;
		if (strcmp(o->args[0], "-") == 0) {
			if ((rc = read_all("-", &text, &len, &err)) < 0) {
				free(qs);
				return report(&err, NULL, 0);
			}
			qs[0].text = text;
			qs[0].len = len;
			qs[0].origin = "<stdin>";
		} else {
			qs[0].len = strlen(o->args[0]);
			qs[0].text = copy_text(o->args[0], qs[0].len);
			if (qs[0].text == NULL)
				goto nomem;
		}
	}
	*qs_out = qs;
	*n_out = nq;

	for (i = 0; i < nq; i++) {
		ormc_error_clear(&err);
		rc = ormc_query_parse(&qs[i].q, s, qs[i].text, qs[i].len, &err);
		if (rc < 0) {
			if (qs[i].q == NULL)
				own_source(&err, qs[i].text, qs[i].len);
			return report(&err, qs[i].origin, qs[i].line);
		}
	}
	return EXIT_OK;
nomem:
	*qs_out = qs;
	*n_out = nq;
	fputs("ormc: out of memory\n", stderr);
	return EXIT_DB;
}

static void
free_queries(qtext *qs, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		ormc_stmt_free(qs[i].st);
		ormc_query_free(qs[i].q);
		free(qs[i].text);
	}
	free(qs);
}

static int
connect_db(const options *o, ormc_db **out)
{
	ormc_error err;

	*out = NULL;
	if (o->db == NULL)
		return usage_error("%s needs --db URL", o->command);
	ormc_error_clear(&err);
	if (ormc_connect(out, o->db, &err) < 0) {
		*out = NULL;
		return report(&err, NULL, 0);
	}
	return EXIT_OK;
}

/*
 * The dialect named by --dialect, else the scheme of --db ("sqlite:..."):
 * its canonical name (ormc_dialect_name).
 */
static int
pick_dialect(const options *o, const char **out)
{
	char scheme[32];
	size_t n;

	if (o->dialect != NULL) {
		*out = ormc_dialect_name(o->dialect);
		if (*out == NULL)
			return usage_error("unknown dialect '%s' (postgresql, sqlite or mysql)",
			                   o->dialect);
		return EXIT_OK;
	}
	if (o->db != NULL) {
		n = strcspn(o->db, ":");
		if (o->db[n] == ':' && n < sizeof(scheme)) {
			memcpy(scheme, o->db, n);
			scheme[n] = '\0';
			if ((*out = ormc_dialect_name(scheme)) != NULL)
				return EXIT_OK;
		}
		return usage_error("cannot tell the dialect of '%s': give --dialect", o->db);
	}
	return usage_error("%s needs --dialect D", o->command);
}

/* ---- commands ------------------------------------------------------------ */

static int
finish_stdout(void)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "ormc: error writing output: %s\n", strerror(errno));
		return EXIT_DB;
	}
	return EXIT_OK;
}

/* The relational tree, each line an SQL comment. */
static void
print_tree(const char *tree)
{
	size_t n;

	while (tree != NULL && *tree != '\0') {
		n = strcspn(tree, "\n");
		fputs("-- ", stdout);
		fwrite(tree, 1, n, stdout);
		fputc('\n', stdout);
		tree += n;
		if (*tree == '\n')
			tree++;
	}
}

static int
cmd_sql(const options *o)
{
	ormc_schema *s = NULL;
	qtext *qs = NULL;
	int nq = 0, status, version = 0, i, k, np;
	const char *d;
	ormc_error err;

	if ((status = pick_dialect(o, &d)) != EXIT_OK)
		return status;
	if (o->server_version != NULL &&
	    parse_server_version(o->server_version, &version) < 0)
		return usage_error("bad --server-version '%s' (e.g. 15.4, 3.30.1 or 150004)",
		                   o->server_version);
	if ((status = load_schema(o, &s)) != EXIT_OK)
		return status;
	if ((status = read_queries(o, s, &qs, &nq)) != EXIT_OK)
		goto done;
	/* Compile everything first: a failure prints nothing on stdout. */
	for (i = 0; i < nq; i++) {
		ormc_error_clear(&err);
		if (ormc_query_compile(qs[i].q, d, version, &err) < 0) {
			status = report(&err, qs[i].origin, qs[i].line);
			goto done;
		}
	}
	for (i = 0; i < nq; i++) {
		const char *sql = ormc_query_sql(qs[i].q);
		size_t len = sql != NULL ? strlen(sql) : 0;

		if (i > 0)
			fputc('\n', stdout);
		if (o->tree)
			print_tree(ormc_query_tree(qs[i].q));
		fputs(sql != NULL ? sql : "", stdout);
		if (len == 0 || sql[len - 1] != ';')
			fputc(';', stdout);
		fputc('\n', stdout);
		np = ormc_query_nparams(qs[i].q);
		if (np > 0) {
			fputs("-- params: [", stdout);
			for (k = 0; k < np; k++) {
				const ormc_value *v = ormc_query_param(qs[i].q, k);
				const char *name = ormc_query_param_name(qs[i].q, k);
				ormc_value null_value;

				if (v == NULL) {
					memset(&null_value, 0, sizeof(null_value));
					v = &null_value;
				}
				if (k > 0)
					fputs(", ", stdout);
				if (name != NULL)
					/* a named parameter: its value comes at execution */
					fprintf(stdout, "{\"param\": \"%s\"}", name);
				else
					cli_json_value(stdout, v);
			}
			fputs("]\n", stdout);
		}
	}
	status = finish_stdout();
done:
	free_queries(qs, nq);
	ormc_schema_free(s);
	return status;
}

/* Every --param must name a parameter of some query: a misspelt name is an error. */
static int
check_params_used(const options *o, const qtext *qs, int nq)
{
	int p, i, k;

	for (p = 0; p < ormc_params_count(o->params); p++) {
		const char *name = ormc_params_name(o->params, p);
		int used = 0;

		for (i = 0; i < nq && !used; i++)
			for (k = 0; k < ormc_query_nnamed(qs[i].q) && !used; k++)
				used = strcmp(ormc_query_named(qs[i].q, k), name) == 0;
		if (!used)
			return usage_error("--param %s: no query has a parameter of that name", name);
	}
	return EXIT_OK;
}

/*
 * Compile every query for db and check the parameters' values against each,
 * so that nothing is printed when one of them is wrong.
 */
static int
prepare_all(ormc_db *db, qtext *qs, int nq, const ormc_params *params)
{
	ormc_error err;
	int i;

	for (i = 0; i < nq; i++) {
		ormc_error_clear(&err);
		if (ormc_stmt_prepare_for(&qs[i].st, qs[i].q, db, &err) < 0 ||
		    ormc_stmt_check_params(qs[i].st, params, &err) < 0)
			return report(&err, qs[i].origin, qs[i].line);
	}
	return EXIT_OK;
}

/* Run one compiled query and print its rows. */
static int
run_one(ormc_db *db, qtext *qt, const ormc_params *params, cli_format format, int index)
{
	ormc_result *r = NULL;
	cli_writer *w = NULL;
	const ormc_value *row;
	const char **names = NULL;
	ormc_error err;
	int rc, status = EXIT_OK, ncols, i;

	ormc_error_clear(&err);
	if (ormc_stmt_execute(&r, qt->st, db, params, &err) < 0) {
		r = NULL;
		return report(&err, qt->origin, qt->line);
	}
	/* Fetch the first row before printing, so an early failure prints nothing. */
	rc = ormc_result_next(r, &row, &err);
	if (rc < 0) {
		status = report(&err, qt->origin, qt->line);
		goto done;
	}
	ncols = ormc_result_ncolumns(r);
	names = calloc((size_t)(ncols > 0 ? ncols : 1), sizeof(*names));
	if (names == NULL)
		goto nomem;
	for (i = 0; i < ncols; i++)
		names[i] = ormc_result_column(r, i);
	w = cli_writer_new(stdout, format, ormc_result_shape(r), ncols, names);
	if (w == NULL)
		goto nomem;
	cli_writer_set_single(w, ormc_result_single(r));
	if (index > 0 && format != CLI_FORMAT_JSON)
		fputc('\n', stdout);
	while (rc > 0) {
		if (cli_writer_row(w, row) < 0)
			goto nomem;
		rc = ormc_result_next(r, &row, &err);
	}
	if (rc < 0) {
		/* Mid-stream: what was printed stays, the error follows. */
		status = report(&err, qt->origin, qt->line);
		goto done;
	}
	if (cli_writer_finish(w) < 0)
		goto nomem;
	goto done;
nomem:
	fflush(stdout);
	fputs("ormc: out of memory\n", stderr);
	status = EXIT_DB;
done:
	cli_writer_free(w);
	free(names);
	ormc_result_free(r);
	return status;
}

static int
cmd_run(const options *o)
{
	ormc_schema *s = NULL;
	ormc_db *db = NULL;
	qtext *qs = NULL;
	int nq = 0, status, i;
	cli_format format = CLI_FORMAT_TABLE;

	if (o->format != NULL && cli_format_parse(o->format, &format) < 0)
		return usage_error("unknown format '%s' (table, json or csv)", o->format);
	if (o->db == NULL)
		return usage_error("%s needs --db URL", o->command);
	if ((status = load_schema(o, &s)) != EXIT_OK)
		return status;
	if ((status = read_queries(o, s, &qs, &nq)) != EXIT_OK ||
	    (status = check_params_used(o, qs, nq)) != EXIT_OK)
		goto done;
	if ((status = connect_db(o, &db)) != EXIT_OK ||
	    (status = prepare_all(db, qs, nq, o->params)) != EXIT_OK)
		goto done;
	for (i = 0; i < nq && status == EXIT_OK; i++)
		status = run_one(db, &qs[i], o->params, format, i);
	if (status == EXIT_OK)
		status = finish_stdout();
done:
	free_queries(qs, nq);
	if (db != NULL)
		ormc_disconnect(db);
	ormc_schema_free(s);
	return status;
}

static int
cmd_compare(const options *o)
{
	ormc_schema *s = NULL;
	ormc_db *dbs[8] = { NULL };
	ormc_query **queries = NULL;
	const char **texts = NULL;
	ormc_error err;
	qtext *qs = NULL;
	int nq = 0, status, i, d;
	cli_compare_opts copts;
	char msg[256];

	if (o->ndb < 2)
		return usage_error("compare needs at least two --db URL options%s", "");
	if (cli_compare_options(&copts, o->format, o->float_digits, o->rel_tol, msg, sizeof(msg)) < 0)
		return usage_error("%s", msg);
	if ((status = load_schema(o, &s)) != EXIT_OK)
		return status;
	if ((status = read_queries(o, s, &qs, &nq)) != EXIT_OK ||
	    (status = check_params_used(o, qs, nq)) != EXIT_OK)
		goto done;
	for (d = 0; d < o->ndb; d++) {
		ormc_error_clear(&err);
		if (ormc_connect(&dbs[d], o->dbs[d], &err) < 0) {
			char masked[1024];

			cli_mask_url(o->dbs[d], masked, sizeof(masked));
			dbs[d] = NULL;
			status = report(&err, masked, 0);
			goto done;
		}
	}
	if ((status = prepare_all(dbs[0], qs, nq, o->params)) != EXIT_OK)
		goto done;
	queries = calloc((size_t)nq, sizeof(*queries));
	texts = calloc((size_t)nq, sizeof(*texts));
	if (queries == NULL || texts == NULL) {
		fputs("ormc: out of memory\n", stderr);
		status = EXIT_DB;
		goto done;
	}
	for (i = 0; i < nq; i++) {
		queries[i] = qs[i].q;
		texts[i] = qs[i].text;
	}
	status = cli_compare(stdout, dbs, o->dbs, o->ndb, queries, texts, nq, o->params, &copts);
	if (status == CLI_COMPARE_ERROR)
		status = EXIT_INPUT;
	if (finish_stdout() != EXIT_OK)
		status = EXIT_DB;
done:
	free(queries);
	free(texts);
	free_queries(qs, nq);
	for (d = 0; d < o->ndb; d++)
		if (dbs[d] != NULL)
			ormc_disconnect(dbs[d]);
	ormc_schema_free(s);
	return status;
}

static int
print_ddl(const ormc_schema *s, const char *dialect)
{
	ormc_error err;
	char **stmts = NULL;
	int n = 0, i;

	ormc_error_clear(&err);
	if (ormc_schema_ddl(&stmts, &n, s, dialect, &err) < 0)
		return report(&err, NULL, 0);
	for (i = 0; i < n; i++)
		printf("%s;\n", stmts[i]);
	ormc_ddl_free(stmts, n);
	return finish_stdout();
}

/*
 * migrate on a database: create what is missing, check what exists; a dry
 * run (--sql) prints the statements it would run instead.
 */
static int
cmd_migrate_live(const options *o, int dry_run)
{
	ormc_migrate_options mo = ORMC_MIGRATE_OPTIONS_INIT;
	cli_migrate_out out = { stdout, stderr, 0, 0 };
	ormc_schema *s = NULL;
	ormc_db *db = NULL;
	ormc_error err;
	int status, n = 0;

	out.dry_run = mo.dry_run = dry_run;
	mo.note = cli_migrate_note;
	mo.ctx = &out;
	if ((status = load_schema(o, &s)) != EXIT_OK)
		return status;
	if ((status = connect_db(o, &db)) == EXIT_OK) {
		ormc_error_clear(&err);
		if (ormc_migrate_with(db, s, &mo, &n, &err) < 0)
			status = report(&err, NULL, 0);
		else if (n == 0)
			printf("%sNo changes: every table exists and matches the models.\n",
			       dry_run ? "-- " : "");
		if (status == EXIT_OK)
			status = finish_stdout();
		ormc_disconnect(db);
	}
	ormc_schema_free(s);
	return status;
}

static int
cmd_migrate(const options *o, int print)
{
	ormc_schema *s = NULL;
	const char *d;
	int status;

	if (o->nargs > 0)
		return usage_error("unexpected argument '%s'", o->args[0]);
	if (o->sql && o->db != NULL && o->dialect == NULL && !o->print)
		return cmd_migrate_live(o, 1);
	if (print || o->sql) {
		if ((status = pick_dialect(o, &d)) != EXIT_OK)
			return status;
		if ((status = load_schema(o, &s)) != EXIT_OK)
			return status;
		status = print_ddl(s, d);
		ormc_schema_free(s);
		return status;
	}
	if (o->db == NULL)
		return usage_error("migrate needs --db URL (or --sql)%s", "");
	return cmd_migrate_live(o, 0);
}

static int
cmd_load(const options *o)
{
	ormc_schema *s = NULL;
	ormc_db *db = NULL;
	ormc_load_options lo = ORMC_LOAD_OPTIONS_INIT;
	cli_progress progress;
	ormc_error err;
	FILE *f = NULL;
	size_t nobjects = 0;
	int status, rc;

	if (o->nargs != 1)
		return usage_error("load needs one FIXTURE.json argument%s", "");
	if (o->db == NULL)
		return usage_error("%s needs --db URL", o->command);
	if ((status = load_schema(o, &s)) != EXIT_OK)
		return status;
	/* read as it loads, a batch at a time (ormc_fixture_load_file) */
	f = strcmp(o->args[0], "-") == 0 ? stdin : fopen(o->args[0], "rb");
	if (f == NULL) {
		ormc_error_clear(&err);
		err.code = ORMC_EIO;
		snprintf(err.message, sizeof(err.message), "cannot open %s: %s",
		         o->args[0], strerror(errno));
		status = report(&err, NULL, 0);
		goto done;
	}
	if ((status = connect_db(o, &db)) != EXIT_OK)
		goto done;
	ormc_error_clear(&err);
	cli_progress_init(&progress, stderr);
	lo.progress = cli_progress_update;
	lo.ctx = &progress;
	rc = ormc_fixture_load_file(db, s, f, &lo, &nobjects, &err);
	cli_progress_end(&progress);
	if (rc < 0) {
		status = report(&err, strcmp(o->args[0], "-") == 0 ? "<stdin>" : o->args[0], 0);
	} else {
		/* as Django's loaddata says it */
		printf("Installed %zu object(s) from 1 fixture(s)\n", nobjects);
		status = finish_stdout();
	}
done:
	if (db != NULL)
		ormc_disconnect(db);
	if (f != NULL && f != stdin)
		fclose(f);
	ormc_schema_free(s);
	return status;
}

static int
cmd_copy(const options *o)
{
	ormc_schema *s = NULL;
	ormc_db *from = NULL, *to = NULL;
	options one = *o;
	ormc_error err;
	int status;

	if (o->nargs > 0)
		return usage_error("unexpected argument '%s'", o->args[0]);
	if (o->from == NULL || o->to == NULL || o->db != NULL)
		return usage_error("copy needs --from URL and --to URL (not --db)%s", "");
	if ((status = load_schema(o, &s)) != EXIT_OK)
		return status;
	one.db = o->from;
	if ((status = connect_db(&one, &from)) == EXIT_OK) {
		one.db = o->to;
		status = connect_db(&one, &to);
	}
	if (status == EXIT_OK) {
		ormc_error_clear(&err);
		if (cli_copy(from, to, s, o->tables, o->truncate, o->verbose, &err) < 0)
			status = report(&err, NULL, 0);
		else
			status = finish_stdout();
	}
	ormc_disconnect(to);
	ormc_disconnect(from);
	ormc_schema_free(s);
	return status;
}

static int
cmd_dump(const options *o)
{
	ormc_schema *s = NULL;
	ormc_db *db = NULL;
	ormc_error err;
	char label[256];
	const char *end, *start;
	int status;

	if (o->db == NULL)
		return usage_error("%s needs --db URL", o->command);
	if ((status = load_schema(o, &s)) != EXIT_OK)
		return status;
	/* "app.model": --app-label or --models LABEL=FILE, else the models file's directory */
	snprintf(label, sizeof(label), "%s", o->app_label ? o->app_label : "app");
	end = strrchr(o->models, '/');
	if (o->app_label == NULL && models_label(o->models, label, sizeof(label), &start) != NULL)
		end = NULL;
	if (o->app_label == NULL && end != NULL) {
		for (start = end; start > o->models && start[-1] != '/'; start--)
			;
		if (end > start && strncmp(start, "..", (size_t)(end - start)) != 0)
			snprintf(label, sizeof(label), "%.*s", (int)(end - start), start);
	}
	if ((status = connect_db(o, &db)) == EXIT_OK) {
		ormc_error_clear(&err);
		if (cli_dump(stdout, db, s, label, o->args, o->nargs, &err) < 0)
			status = report(&err, NULL, 0);
		else
			status = finish_stdout();
		ormc_disconnect(db);
	}
	ormc_schema_free(s);
	return status;
}

static int
cmd_version(void)
{
	static const char *const dialects[] = { "postgresql", "sqlite", "mysql" };
	int i, n = ormc_driver_count();
	size_t k;

	printf("ormc %s\n", ORMC_VERSION);
	printf("drivers:\n");
	for (i = 0; i < n; i++) {
		const ormc_driver *drv = ormc_driver_get(i);

		if (drv == NULL)
			continue;
		printf("  %-10s schemes: %s", drv->name != NULL ? drv->name : "?",
		       drv->schemes != NULL ? drv->schemes : "");
		if (drv->library != NULL)
			printf("; %s", drv->library);
		putchar('\n');
	}
	if (n == 0)
		printf("  (none)\n");
	printf("dialects:");
	for (k = 0; k < sizeof(dialects) / sizeof(dialects[0]); k++) {
		const char *d = ormc_dialect_name(dialects[k]);

		if (d != NULL)
			printf(" %s", d);
	}
	putchar('\n');
	return finish_stdout();
}

static int
dispatch(const options *o)
{
	if (o->command == NULL) {
		fputs(usage_text, stderr);
		return EXIT_INPUT;
	}
	if (strcmp(o->command, "help") == 0) {
		fputs(usage_text, stdout);
		return finish_stdout();
	}
	if (strcmp(o->command, "version") == 0)
		return cmd_version();
	if (o->ndb > 1 && strcmp(o->command, "compare") != 0)
		return usage_error("only compare takes more than one --db%s", "");
	if ((o->float_digits != NULL || o->rel_tol != NULL) && strcmp(o->command, "compare") != 0)
		return usage_error("--float-digits and --rel-tol are for compare, not %s", o->command);
	if (o->params != NULL && strcmp(o->command, "run") != 0 && strcmp(o->command, "compare") != 0)
		return usage_error("--param is for run and compare, not %s", o->command);
	if ((o->sql || o->print) && strcmp(o->command, "migrate") != 0 &&
	    strcmp(o->command, "ddl") != 0)
		return usage_error("--sql and --print are for migrate, not %s", o->command);
	if (o->tree && strcmp(o->command, "sql") != 0)
		return usage_error("--tree is for sql, not %s", o->command);
	if (strcmp(o->command, "sql") == 0)
		return cmd_sql(o);
	if (strcmp(o->command, "run") == 0)
		return cmd_run(o);
	if (strcmp(o->command, "compare") == 0)
		return cmd_compare(o);
	if (strcmp(o->command, "migrate") == 0)
		return cmd_migrate(o, o->print);
	if (strcmp(o->command, "ddl") == 0)
		return cmd_migrate(o, 1);
	if (strcmp(o->command, "load") == 0)
		return cmd_load(o);
	if (strcmp(o->command, "copy") == 0)
		return cmd_copy(o);
	if (strcmp(o->command, "dump") == 0)
		return cmd_dump(o);
	return usage_error("unknown command '%s'", o->command);
}

int
main(int argc, char **argv)
{
	options o;
	int status;

	if ((status = cli_inspect_main(argc, argv)) >= 0)
		return status;   /* inspect has arguments of its own */
	status = parse_args(argc, argv, &o);
	if (status == EXIT_OK)
		status = dispatch(&o);
	ormc_params_free(o.params);
	return status;
}
