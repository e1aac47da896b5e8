/*
 * sqlbuf.h -- growable, always NUL-terminated string buffer (malloc-backed).
 *
 * Like PostgreSQL's StringInfo, usually on the stack; an allocation failure is
 * sticky (->failed) and checked once, at ormc_sqlbuf_finish() or by the caller.
 */
#ifndef ORMC_SQLBUF_H
#define ORMC_SQLBUF_H

#include <stddef.h>

typedef struct ormc_sqlbuf {
	char *data;
	size_t len;
	size_t cap;
	int failed;
} ormc_sqlbuf;

void ormc_sqlbuf_init(ormc_sqlbuf *b);
void ormc_sqlbuf_free(ormc_sqlbuf *b);
void ormc_sqlbuf_reset(ormc_sqlbuf *b);
void ormc_sqlbuf_append(ormc_sqlbuf *b, const char *s);
void ormc_sqlbuf_appendn(ormc_sqlbuf *b, const char *s, size_t n);
void ormc_sqlbuf_appendc(ormc_sqlbuf *b, char c);
void ormc_sqlbuf_appendf(ormc_sqlbuf *b, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;
/** Take the data (caller frees), leaving b empty. NULL if an append failed. */
char *ormc_sqlbuf_detach(ormc_sqlbuf *b);

#endif
