/*
 * testutil.h -- shared by the file-driven suites (check_golden, check_results).
 *
 * Case files hold one case per block, blocks separated by a line "====":
 * the query text first (it may span lines: a short script is allowed), then
 * the expectations, each introduced by a line starting with "-- " (golden
 * SQL) or "=> " (expected JSON).
 */
#ifndef ORMC_TESTUTIL_H
#define ORMC_TESTUTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ormc/ormc.h"
#include "sqlbuf.h"

static inline char *
tu_read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	long n;
	char *s;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	s = malloc((size_t)n + 1);
	if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
		free(s);
		s = NULL;
	}
	if (s)
		s[n] = '\0';
	fclose(f);
	return s;
}

/* Split a case file into blocks (in place). Returns the count. */
static inline int
tu_blocks(char *text, char **blocks, int max)
{
	int n = 0;
	char *p = text, *sep;

	while (p && *p && n < max) {
		sep = strstr(p, "\n====\n");
		if (sep)
			*sep = '\0';
		while (*p == '\n')
			p++;
		if (*p)
			blocks[n++] = p;
		p = sep ? sep + 6 : NULL;
	}
	return n;
}

/* A float the way Python's repr writes it: shortest round trip, ".0" when integral. */
static inline void
tu_float(ormc_sqlbuf *b, double v)
{
	char buf[64];
	int prec;

	for (prec = 15; prec <= 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	ormc_sqlbuf_append(b, buf);
	if (strspn(buf, "-0123456789") == strlen(buf))
		ormc_sqlbuf_append(b, ".0");
}

static inline void
tu_string(ormc_sqlbuf *b, const char *s, size_t n)
{
	size_t i;

	ormc_sqlbuf_appendc(b, '"');
	for (i = 0; i < n; i++) {
		if (s[i] == '"' || s[i] == '\\')
			ormc_sqlbuf_appendc(b, '\\');
		ormc_sqlbuf_appendc(b, s[i]);
	}
	ormc_sqlbuf_appendc(b, '"');
}

static inline void
tu_value(ormc_sqlbuf *b, const ormc_value *v)
{
	switch (v->type) {
	case ORMC_TYPE_NULL: ormc_sqlbuf_append(b, "null"); break;
	case ORMC_TYPE_INT: ormc_sqlbuf_appendf(b, "%lld", (long long)v->i); break;
	case ORMC_TYPE_DURATION: ormc_sqlbuf_appendf(b, "%lld", (long long)v->i); break;
	case ORMC_TYPE_BOOL: ormc_sqlbuf_append(b, v->i ? "true" : "false"); break;
	case ORMC_TYPE_FLOAT: tu_float(b, v->f); break;
	default: tu_string(b, v->s, v->len); break;
	}
}

/* Run q on db and write its result as compact JSON (ormc run --format json, minus spaces). */
static inline int
tu_run_json(ormc_db *db, ormc_query *q, ormc_sqlbuf *b, ormc_error *err)
{
	ormc_result *r;
	const ormc_value *row;
	int rc, i, nrows = 0, n, single;
	ormc_shape shape;

	rc = ormc_query_run(&r, db, q, err);
	if (rc < 0)
		return rc;
	shape = ormc_result_shape(r);
	n = ormc_result_ncolumns(r);
	single = ormc_result_single(r);
	if (shape != ORMC_SHAPE_AGGREGATE && shape != ORMC_SHAPE_SCALAR && !single)
		ormc_sqlbuf_appendc(b, '[');
	while ((rc = ormc_result_next(r, &row, err)) > 0) {
		if (nrows++ && shape != ORMC_SHAPE_AGGREGATE && shape != ORMC_SHAPE_SCALAR)
			ormc_sqlbuf_appendc(b, ',');
		if (shape == ORMC_SHAPE_SCALAR || shape == ORMC_SHAPE_FLAT) {
			tu_value(b, &row[0]);
			continue;
		}
		ormc_sqlbuf_appendc(b, shape == ORMC_SHAPE_LISTS ? '[' : '{');
		for (i = 0; i < n; i++) {
			const char *name = ormc_result_column(r, i);

			if (i)
				ormc_sqlbuf_appendc(b, ',');
			if (shape != ORMC_SHAPE_LISTS) {
				tu_string(b, name, strlen(name));
				ormc_sqlbuf_appendc(b, ':');
			}
			tu_value(b, &row[i]);
		}
		ormc_sqlbuf_appendc(b, shape == ORMC_SHAPE_LISTS ? ']' : '}');
	}
	if (single && nrows == 0)
		ormc_sqlbuf_append(b, "null");
	else if (shape != ORMC_SHAPE_AGGREGATE && shape != ORMC_SHAPE_SCALAR && !single)
		ormc_sqlbuf_appendc(b, ']');
	ormc_result_free(r);
	return rc;
}

/* The expected text with blanks outside strings removed, for comparison. */
static inline void
tu_squeeze(char *s)
{
	char *w = s;
	int instr = 0;

	for (; *s; s++) {
		if (*s == '"' && (w == s || s[-1] != '\\'))
			instr = !instr;
		if (!instr && (*s == ' ' || *s == '\n' || *s == '\t' || *s == '\r'))
			continue;
		*w++ = *s;
	}
	*w = '\0';
}

#endif
