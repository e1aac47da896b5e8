/*
 * sqlbuf.c -- growable string buffer; see sqlbuf.h.
 */
#include "sqlbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
ormc_sqlbuf_init(ormc_sqlbuf *b)
{
	memset(b, 0, sizeof(*b));
}

void
ormc_sqlbuf_free(ormc_sqlbuf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

void
ormc_sqlbuf_reset(ormc_sqlbuf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

static int
grow(ormc_sqlbuf *b, size_t extra)
{
	size_t want, cap;
	char *p;

	if (b->failed)
		return -1;
	want = b->len + extra + 1;
	if (want <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 256;
	while (cap < want)
		cap *= 2;
	p = realloc(b->data, cap);
	if (p == NULL) {
		b->failed = 1;
		return -1;
	}
	b->data = p;
	b->cap = cap;
	return 0;
}

void
ormc_sqlbuf_appendn(ormc_sqlbuf *b, const char *s, size_t n)
{
	if (grow(b, n) < 0)
		return;
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void
ormc_sqlbuf_append(ormc_sqlbuf *b, const char *s)
{
	ormc_sqlbuf_appendn(b, s, strlen(s));
}

void
ormc_sqlbuf_appendc(ormc_sqlbuf *b, char c)
{
	ormc_sqlbuf_appendn(b, &c, 1);
}

void
ormc_sqlbuf_appendf(ormc_sqlbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->failed = 1;
		return;
	}
	if (grow(b, (size_t)n) < 0)
		return;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

char *
ormc_sqlbuf_detach(ormc_sqlbuf *b)
{
	char *p;

	if (b->failed) {
		ormc_sqlbuf_free(b);
		return NULL;
	}
	if (grow(b, 0) < 0)
		return NULL;
	p = b->data;
	memset(b, 0, sizeof(*b));
	return p;
}
