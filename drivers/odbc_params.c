/*
 * odbc_params.c -- the parameters of the ODBC driver (see odbc.c's header):
 * PostgreSQL's $n placeholders rewritten to ODBC's ?, and each value bound
 * with SQLBindParameter, never pasted into the SQL.
 */
#define _POSIX_C_SOURCE 200809L

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "odbc_params.h"

static int
nomem(ormc_error *err)
{
	return ormc_error_set(err, ORMC_ENOMEM, NULL, -1, 0, "out of memory");
}

/* ---- $n placeholders ---------------------------------------------------- */

static int
ident_char(char ch)
{
	return isalnum((unsigned char)ch) || ch == '_' || ch == '$' ||
	       (unsigned char)ch >= 0x80;
}

/* Length of a dollar-quote tag "$tag$" or "$$" at s, 0 if none. */
static size_t
dollar_tag(const char *s)
{
	size_t i = 1;

	if (s[1] == '$')
		return 2;
	if (!isalpha((unsigned char)s[1]) && s[1] != '_' &&
	    (unsigned char)s[1] < 0x80)
		return 0;
	while (isalnum((unsigned char)s[i]) || s[i] == '_' ||
	       (unsigned char)s[i] >= 0x80)
		i++;
	return s[i] == '$' ? i + 1 : 0;
}

/*
 * PostgreSQL SQL with $n placeholders to ODBC's ?: *out is the new text,
 * (*map)[k] the 0-based index of the parameter the k-th ? takes; *nmap is
 * how many ?s there are. Literals ('...', E'...\'', $tag$...$tag$), quoted
 * identifiers and comments are copied as they are.
 */
int
ormc_odbc_rewrite_dollars(const char *sql, int nparams, char **out, int **map,
                          int *nmap, ormc_error *err)
{
	size_t n = strlen(sql), o = 0, i = 0, cap = 16;
	char *buf = malloc(n + 1);
	int *m = malloc(cap * sizeof(int));
	int count = 0;

	*out = NULL;
	*map = NULL;
	*nmap = 0;
	if (buf == NULL || m == NULL) {
		free(buf);
		free(m);
		return nomem(err);
	}
	while (i < n) {
		char ch = sql[i];
		size_t start = i;

		if (ch == '\'') {
			int esc = i > 0 && (sql[i - 1] == 'E' || sql[i - 1] == 'e') &&
			          (i < 2 || !ident_char(sql[i - 2]));

			for (i++; i < n; i++) {
				if (esc && sql[i] == '\\' && i + 1 < n) {
					i++;
				} else if (sql[i] == '\'') {
					if (i + 1 < n && sql[i + 1] == '\'')
						i++;
					else
						break;
				}
			}
			i = i < n ? i + 1 : n;
		} else if (ch == '"') {
			for (i++; i < n; i++) {
				if (sql[i] == '"') {
					if (i + 1 < n && sql[i + 1] == '"')
						i++;
					else
						break;
				}
			}
			i = i < n ? i + 1 : n;
		} else if (ch == '-' && sql[i + 1] == '-') {
			while (i < n && sql[i] != '\n')
				i++;
		} else if (ch == '/' && sql[i + 1] == '*') {
			int depth = 1;

			for (i += 2; i < n && depth > 0; i++) {
				if (sql[i] == '/' && sql[i + 1] == '*') {
					depth++;
					i++;
				} else if (sql[i] == '*' && sql[i + 1] == '/') {
					depth--;
					i++;
				}
			}
		} else if (ch == '$' && (i == 0 || !ident_char(sql[i - 1])) &&
		           isdigit((unsigned char)sql[i + 1])) {
			long k = 0;

			for (i++; i < n && isdigit((unsigned char)sql[i]); i++)
				if (k < 100000)
					k = k * 10 + (sql[i] - '0');
			if (k < 1 || k > nparams) {
				free(buf);
				free(m);
				return ormc_error_set(err, ORMC_EDRIVER, NULL, -1, 0,
				                      "placeholder $%ld but %d parameter%s "
				                      "given", k, nparams,
				                      nparams == 1 ? "" : "s");
			}
			if ((size_t)count == cap) {
				int *bigger = realloc(m, cap * 2 * sizeof(int));

				if (bigger == NULL) {
					free(buf);
					free(m);
					return nomem(err);
				}
				m = bigger;
				cap *= 2;
			}
			m[count++] = (int)k - 1;
			buf[o++] = '?';
			continue;
		} else if (ch == '$' && (i == 0 || !ident_char(sql[i - 1])) &&
		           dollar_tag(sql + i) > 0) {
			size_t tl = dollar_tag(sql + i);
			const char *end = NULL, *p;

			for (p = sql + i + tl; (p = strchr(p, '$')) != NULL; p++)
				if (strncmp(p, sql + i, tl) == 0) {
					end = p;
					break;
				}
			i = end ? (size_t)(end - sql) + tl : n;
		} else {
			i++;
		}
		memcpy(buf + o, sql + start, i - start);
		o += i - start;
	}
	buf[o] = '\0';
	*out = buf;
	*map = m;
	*nmap = count;
	return ORMC_OK;
}

/* ---- values ------------------------------------------------------------- */

/* Precision and scale of decimal text ("-12.340" -> 5, 3). */
static void
decimal_digits(const char *s, size_t len, SQLULEN *precision,
               SQLSMALLINT *scale)
{
	size_t i, digits = 0, frac = 0, after = 0;

	for (i = 0; i < len; i++) {
		if (s[i] == 'e' || s[i] == 'E')
			break;
		if (s[i] == '.')
			after = 1;
		else if (isdigit((unsigned char)s[i])) {
			digits++;
			frac += after;
		}
	}
	if (digits == 0)
		digits = 1;
	if (frac > 32767)
		frac = 32767;
	*precision = digits;
	*scale = (SQLSMALLINT)frac;
}

int
ormc_odbc_bind_one(SQLHSTMT st, SQLUSMALLINT k, const ormc_value *v,
                   ormc_odbc_param *p, int pg)
{
	SQLSMALLINT ctype = SQL_C_CHAR, sqltype = SQL_VARCHAR, scale = 0;
	SQLULEN size = 1;
	SQLPOINTER data = p->u.text;
	SQLLEN buflen = 0;

	p->ind = 0;
	switch (v->type) {
	case ORMC_TYPE_NULL:
		p->u.text[0] = '\0';
		p->ind = SQL_NULL_DATA;
		break;
	case ORMC_TYPE_DURATION:
		if (pg) {   /* the dialect writes $n::interval */
			/*
			 * Days apart, as the native driver (and psycopg) send
			 * it, so it is stored as "1 day 02:00:00".
			 */
			long long day = 86400000000LL, d = (long long)v->i / day,
			          us = (long long)v->i - d * day;
			int r;

			if (us < 0) {
				us += day;
				d--;
			}
			r = snprintf(p->u.text, sizeof(p->u.text),
			             "%lld days %lld microseconds", d, us);

			p->ind = buflen = r;
			size = (SQLULEN)r;
			break;
		}
		/* elsewhere microseconds, as Django stores them */
		/* fall through */
	case ORMC_TYPE_INT:
		ctype = SQL_C_SBIGINT;
		sqltype = SQL_BIGINT;
		size = 19;
		p->u.i = (SQLBIGINT)v->i;
		data = &p->u.i;
		break;
	case ORMC_TYPE_BOOL:
		ctype = SQL_C_BIT;
		sqltype = SQL_BIT;
		p->u.bit = v->i != 0;
		data = &p->u.bit;
		break;
	case ORMC_TYPE_FLOAT:
		ctype = SQL_C_DOUBLE;
		sqltype = SQL_DOUBLE;
		size = 15;
		p->u.f = v->f;
		data = &p->u.f;
		break;
	case ORMC_TYPE_DECIMAL:
	case ORMC_TYPE_TEXT:
	case ORMC_TYPE_DATE:
	case ORMC_TYPE_DATETIME:
	case ORMC_TYPE_TIME:
		if (v->len > (size_t)INT32_MAX)
			return -1;
		if (v->type == ORMC_TYPE_DECIMAL) {
			sqltype = SQL_DECIMAL;
			decimal_digits(v->s ? v->s : "", v->len, &size, &scale);
		} else {
			size = v->len > 0 ? (SQLULEN)v->len : 1;
		}
		if (v->len > 0 && v->s != NULL) {
			data = (SQLPOINTER)(uintptr_t)v->s;   /* only read */
		} else {
			p->u.text[0] = '\0';
		}
		p->ind = buflen = (SQLLEN)v->len;
		break;
	default:
		return -1;
	}
	return SQL_SUCCEEDED(SQLBindParameter(st, k, SQL_PARAM_INPUT, ctype,
	                                      sqltype, size, scale, data, buflen,
	                                      &p->ind)) ? 0 : -2;
}
