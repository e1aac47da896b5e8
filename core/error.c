/*
 * error.c -- ormc_error: setting, formatting with a caret under the token.
 */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void
ormc_error_clear(ormc_error *err)
{
	if (err == NULL)
		return;
	memset(err, 0, sizeof(*err));
	err->offset = -1;
}

int
ormc_error_set(ormc_error *err, int code, const char *source, int offset,
               int length, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return code;
	ormc_error_clear(err);
	err->code = code;
	err->source = source;
	err->offset = source ? offset : -1;
	err->length = length;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return code;
}

void
ormc_error_hint(ormc_error *err, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(err->hint, sizeof(err->hint), fmt, ap);
	va_end(ap);
}

const char *
ormc_strerror(int code)
{
	switch (code) {
	case ORMC_OK: return "no error";
	case ORMC_EPARSE: return "syntax error";
	case ORMC_ENOFIELD: return "unknown name";
	case ORMC_EINVALID: return "invalid query";
	case ORMC_EUNSUPPORTED: return "not supported";
	case ORMC_EDRIVER: return "database error";
	case ORMC_EPARAM: return "parameter error";
	case ORMC_ETYPE: return "wrong type";
	case ORMC_ENULL: return "null value";
	case ORMC_ENOMEM: return "out of memory";
	case ORMC_EIO: return "i/o error";
	case ORMC_ENODRIVER: return "no driver";
	case ORMC_EINTERNAL: return "internal error";
	}
	return "unknown error";
}

int
ormc_error_format(const ormc_error *err, char *buf, unsigned long size)
{
	char tmp[4096];
	size_t n = 0;
	int r;

#define PUT(...)                                                         \
	do {                                                             \
		r = snprintf(tmp + n, sizeof(tmp) - n, __VA_ARGS__);     \
		if (r > 0)                                               \
			n += (size_t)r < sizeof(tmp) - n ? (size_t)r     \
			                                 : sizeof(tmp) - n - 1; \
	} while (0)

	if (err->sqlstate[0])
		PUT("error: %s (SQLSTATE %s)\n", err->message, err->sqlstate);
	else
		PUT("error: %s\n", err->message);
	if (err->source != NULL && err->offset >= 0) {
		const char *s = err->source;
		int len = (int)strlen(s);
		int off = err->offset > len ? len : err->offset;
		int start = off, end = off, line = 1, col, i;

		while (start > 0 && s[start - 1] != '\n')
			start--;
		while (end < len && s[end] != '\n')
			end++;
		for (i = 0; i < start; i++)
			if (s[i] == '\n')
				line++;
		col = off - start;
		PUT("  --> line %d, column %d\n", line, col + 1);
		PUT("  %.*s\n  ", end - start, s + start);
		for (i = 0; i < col; i++)
			PUT("%c", s[start + i] == '\t' ? '\t' : ' ');
		PUT("^");
		for (i = 1; i < err->length && off + i < end; i++)
			PUT("~");
		PUT("\n");
	}
	if (err->hint[0])
		PUT("hint: %s\n", err->hint);
#undef PUT
	if (size > 0)
		snprintf(buf, size, "%s", tmp);
	return (int)n;
}
