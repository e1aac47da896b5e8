/*
 * fixture_read.c -- a fixture's list read one object at a time.
 *
 * json_loadb() of a whole dumpdata file builds the tree of every object at
 * once: about eight times the file in memory (340 MB for a 42 MB file of
 * 200,000 orders). The loader needs one batch of objects at a time, so the
 * list is read here: its '[', commas and ']' by this file, each object's
 * text found by matching its braces (outside strings) and handed to
 * jansson alone. From a FILE the text comes through a window that holds the
 * unread part of the current object and grows only to the largest object,
 * so memory follows the batch, not the file.
 *
 * Errors give the line and column in the whole text, as jansson would for
 * the whole file: "invalid fixture JSON: ',' or ']' expected (line 7,
 * column 3)". For a buffer the error also points into it (source, offset).
 */
#include "fixture.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

/* Bytes read from a FILE at a time. */
#define READ_CHUNK (1u << 16)

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

void
ormc_fixture__reader_buffer(ormc_fixture_reader *r, const char *p, size_t len)
{
	memset(r, 0, sizeof(*r));
	r->p = p;
	r->len = len;
	r->eof = 1;
	r->line = 1;
	r->column = 1;
}

void
ormc_fixture__reader_file(ormc_fixture_reader *r, FILE *fp)
{
	memset(r, 0, sizeof(*r));
	r->fp = fp;
	r->line = 1;
	r->column = 1;
}

void
ormc_fixture__reader_free(ormc_fixture_reader *r)
{
	free(r->buf);
	r->buf = NULL;
}

/* Count lines and (character) columns over p[0..n) from *line, *column. */
static void
advance(const char *p, size_t n, int *line, int *column)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] == '\n') {
			(*line)++;
			*column = 1;
		} else if (((unsigned char)p[i] & 0xC0) != 0x80) {
			(*column)++;
		}
	}
}

/* The line and column of byte at of the window. */
static void
position(const ormc_fixture_reader *r, size_t at, int *line, int *column)
{
	*line = r->line;
	*column = r->column;
	advance(r->p, at, line, column);
}

static int
read_error(ormc_error *err)
{
	return ormc_error_set(err, ORMC_EIO, NULL, -1, 0,
	                      "cannot read the fixture: %s", strerror(errno));
}

/*
 * Have at least need bytes from r->at in the window, unless the file ends
 * first: the bytes before r->at are dropped (counted into line, column),
 * the rest moved to the front and more read after them.
 */
static int
fill(ormc_fixture_reader *r, size_t need, ormc_error *err)
{
	size_t keep, got;

	if (r->fp == NULL || r->eof || r->len - r->at >= need)
		return ORMC_OK;
	advance(r->p, r->at, &r->line, &r->column);
	r->offset += r->at;
	keep = r->len - r->at;
	if (keep > 0 && r->at > 0)
		memmove(r->buf, r->buf + r->at, keep);
	r->at = 0;
	r->len = keep;
	while (!r->eof && r->len < need) {
		if (r->cap - r->len < READ_CHUNK) {
			size_t cap = r->cap > 0 ? 2 * r->cap : 4 * READ_CHUNK;
			char *b;

			while (cap - r->len < READ_CHUNK)
				cap *= 2;
			b = realloc(r->buf, cap);
			if (b == NULL)
				return ormc_error_set(err, ORMC_ENOMEM, NULL, -1, 0,
				                      "out of memory");
			r->buf = b;
			r->cap = cap;
		}
		got = fread(r->buf + r->len, 1, r->cap - r->len, r->fp);
		r->len += got;
		if (got == 0) {
			if (ferror(r->fp))
				return read_error(err);
			r->eof = 1;
		}
	}
	r->p = r->buf;
	return ORMC_OK;
}

/* Skip white space, reading on as needed; 0 at the end of the text. */
static int
skip_space(ormc_fixture_reader *r, ormc_error *err)
{
	int rc;

	for (;;) {
		while (r->at < r->len && is_space(r->p[r->at]))
			r->at++;
		if (r->at < r->len)
			return 1;
		if ((rc = fill(r, 1, err)) < 0)
			return rc;
		if (r->at >= r->len)
			return 0;
	}
}

static int
syntax_error(ormc_fixture_reader *r, size_t at, const char *what,
             ormc_error *err)
{
	int line, column;

	position(r, at, &line, &column);
	return ormc_error_set(err, ORMC_EPARSE, r->fp == NULL ? r->p : NULL,
	                      r->fp == NULL ? (int)at : -1, 1,
	                      "invalid fixture JSON: %s (line %d, column %d)",
	                      what, line, column);
}

/*
 * The scanner's state over the text of values: nesting depth outside
 * strings, and whether the scan is inside a string (or after a backslash).
 */
typedef struct scan {
	int depth;
	int in_string;
	int escaped;
} scan;

/* Feed c to the scan; 1 when it closes the value it is in at depth 1. */
static int
scan_char(scan *s, char c)
{
	if (s->in_string) {
		if (s->escaped)
			s->escaped = 0;
		else if (c == '\\')
			s->escaped = 1;
		else if (c == '"')
			s->in_string = 0;
		return 0;
	}
	if (c == '"') {
		s->in_string = 1;
	} else if (c == '[' || c == '{') {
		s->depth++;
	} else if (c == ']' || c == '}') {
		s->depth--;
		return s->depth == 0;
	}
	return 0;
}

/*
 * The end of the value at r->at: after its closing brace for an object or
 * a list, before the next ',', ']' or space for anything else, or the end
 * of the text. Reads on as needed.
 */
static int
value_end(ormc_fixture_reader *r, size_t *end, ormc_error *err)
{
	scan s;
	size_t i = r->at;
	int nested = r->p[r->at] == '{' || r->p[r->at] == '[', rc;

	memset(&s, 0, sizeof(s));
	for (;;) {
		for (; i < r->len; i++) {
			char c = r->p[i];

			if (!nested && !s.in_string &&
			    (c == ',' || c == ']' || c == '}' || is_space(c))) {
				*end = i;
				return ORMC_OK;
			}
			if (scan_char(&s, c) && nested) {
				*end = i + 1;
				return ORMC_OK;
			}
		}
		/* fill() moves the window: keep i relative to r->at */
		i -= r->at;
		if ((rc = fill(r, i + READ_CHUNK, err)) < 0)
			return rc;
		i += r->at;
		if (i >= r->len) {
			*end = r->len;   /* unfinished: jansson says what is wrong */
			return ORMC_OK;
		}
	}
}

int
ormc_fixture__next(ormc_fixture_reader *r, json_t **out, ormc_error *err)
{
	json_error_t jerr;
	size_t end;
	int rc;

	*out = NULL;
	if ((rc = skip_space(r, err)) < 0)
		return rc;
	if (r->state == 0) {
		if (rc == 0)
			return syntax_error(r, r->at, "'[' expected near end of file", err);
		if (r->p[r->at] != '[') {
			/* another JSON value, or not JSON */
			if (r->p[r->at] != '\0' &&
			    strchr("{\"-0123456789tfn", r->p[r->at]) != NULL)
				return ormc_error_set(err, ORMC_EPARSE, NULL, -1, 0,
				                      "a fixture is a JSON list of objects");
			return syntax_error(r, r->at, "'[' expected", err);
		}
		r->at++;
		r->state = 1;
		if ((rc = skip_space(r, err)) < 0)
			return rc;
		if (rc > 0 && r->p[r->at] == ']') {
			r->at++;
			r->state = 2;
		}
	} else if (r->state == 1) {
		if (rc > 0 && r->p[r->at] == ']') {
			r->at++;
			r->state = 2;
		} else if (rc > 0 && r->p[r->at] == ',') {
			r->at++;
			if ((rc = skip_space(r, err)) < 0)
				return rc;
		} else {
			return syntax_error(r, r->at, rc == 0
			                    ? "']' expected near end of file"
			                    : "',' or ']' expected", err);
		}
	}
	if (r->state == 2) {
		if ((rc = skip_space(r, err)) < 0)
			return rc;
		if (rc > 0)
			return syntax_error(r, r->at, "end of file expected after the list",
			                    err);
		return 0;
	}
	if (rc == 0)
		return syntax_error(r, r->at, "a value expected near end of file", err);
	if ((rc = value_end(r, &end, err)) < 0)
		return rc;
	if (end == r->at)
		return syntax_error(r, r->at, "a value expected", err);
	*out = json_loadb(r->p + r->at, end - r->at, JSON_DECODE_ANY, &jerr);
	if (*out == NULL) {
		int line, column;

		position(r, r->at, &line, &column);
		if (jerr.line > 1)
			column = jerr.column;
		else
			column += jerr.column - 1;
		return ormc_error_set(err, ORMC_EPARSE, r->fp == NULL ? r->p : NULL,
		                      r->fp == NULL ? (int)(r->at + (size_t)jerr.position) : -1,
		                      1, "invalid fixture JSON: %s (line %d, column %d)",
		                      jerr.text, line + jerr.line - 1, column);
	}
	r->at = end;
	return 1;
}

/* Count the values of the list in p[0..n) into s and *count. */
static void
count_chunk(scan *s, int *seen, const char *p, size_t n, size_t *count)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char c = p[i];

		if (!s->in_string && is_space(c))
			continue;
		if (!s->in_string && s->depth == 1 && c == ',') {
			*seen = 0;
			continue;
		}
		if (!s->in_string && s->depth == 1 && c != ']' && !*seen) {
			*seen = 1;
			(*count)++;
		}
		(void)scan_char(s, c);
		if (s->depth == 0)
			*seen = 0;
	}
}

int
ormc_fixture__count(ormc_fixture_reader *r, size_t *total, ormc_error *err)
{
	scan s;
	char *chunk;
	size_t got;
	long start;
	int seen = 0;

	*total = 0;
	memset(&s, 0, sizeof(s));
	if (r->fp == NULL) {
		count_chunk(&s, &seen, r->p, r->len, total);
		return ORMC_OK;
	}
	/* a pipe cannot be read twice: its total stays unknown (0) */
	if ((start = ftell(r->fp)) < 0 || fseek(r->fp, start, SEEK_SET) != 0) {
		clearerr(r->fp);
		return ORMC_OK;
	}
	chunk = malloc(READ_CHUNK);
	if (chunk == NULL)
		return ormc_error_set(err, ORMC_ENOMEM, NULL, -1, 0, "out of memory");
	while ((got = fread(chunk, 1, READ_CHUNK, r->fp)) > 0)
		count_chunk(&s, &seen, chunk, got, total);
	free(chunk);
	if (ferror(r->fp))
		return read_error(err);
	if (fseek(r->fp, start, SEEK_SET) != 0)
		return read_error(err);
	return ORMC_OK;
}
