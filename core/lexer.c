/*
 * lexer.c -- Python tokenizer for query text and models files; see lexer.h.
 *
 * One pass over the text, no backtracking. Python's own tokenizer is the
 * model: bracket depth decides whether a newline ends a statement, a bracket
 * stack gives "'(' was never closed" and mismatch messages, string literals
 * are decoded here so the parser only ever sees values.
 */
#include "lexer.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"

#define MAX_DEPTH 200

typedef struct lexer {
	ormc_arena *arena;
	const char *s;
	int len;
	int i;
	unsigned flags;
	ormc_error *err;
	ormc_token *tok;        /* token array, grown by copying */
	int ntok;
	int captok;
	int depth;
	char stack[MAX_DEPTH];  /* open brackets */
	int stackpos[MAX_DEPTH];
	int line_has_tokens;    /* tokens since the last NEWLINE */
	int new_line;           /* next token is the first of a logical line */
	int line_col;           /* column of the first non-blank char of the physical line */
	int indent;             /* indentation of the current logical line */
} lexer;

/* Operators, longest first so the first match is the longest. */
static const char *const ops[] = {
	"**=", "//=", ">>=", "<<=", "...",
	"!=", "%=", "&=", "**", "*=", "+=", "-=", "->", "//", "/=", ":=",
	"<<", "<=", "==", ">=", ">>", "@=", "^=", "|=",
	"%", "&", "(", ")", "*", "+", ",", "-", ".", "/", ":", ";", "<", "=",
	">", "@", "[", "]", "^", "{", "|", "}", "~",
	NULL
};

static const char *const keywords[] = {
	"False", "None", "True", "and", "as", "assert", "async", "await",
	"break", "class", "continue", "def", "del", "elif", "else", "except",
	"finally", "for", "from", "global", "if", "import", "in", "is",
	"lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try",
	"while", "with", "yield",
	NULL
};

int
ormc_tok_is_op(const ormc_token *t, const char *op)
{
	return t->kind == ORMC_TOK_OP && strcmp(t->str, op) == 0;
}

int
ormc_tok_is_name(const ormc_token *t, const char *name)
{
	return t->kind == ORMC_TOK_NAME && strcmp(t->str, name) == 0;
}

int
ormc_is_keyword(const char *name)
{
	int k;

	for (k = 0; keywords[k] != NULL; k++)
		if (strcmp(keywords[k], name) == 0)
			return 1;
	return 0;
}

static int
is_ident_start(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	       c >= 0x80;
}

static int
is_ident_char(unsigned char c)
{
	return is_ident_start(c) || (c >= '0' && c <= '9');
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Line number (1-based) of offset, for messages that name a line. */
static int
line_of(const lexer *lx, int off)
{
	int i, line = 1;

	for (i = 0; i < off && i < lx->len; i++)
		if (lx->s[i] == '\n')
			line++;
	return line;
}

static ormc_token *
push(lexer *lx, ormc_tok_kind kind, int pos, int len)
{
	ormc_token *t;

	if (lx->ntok == lx->captok) {
		/*
		 * Every token but the last NEWLINE and EOF covers at least one
		 * byte, so there are never more than len + 2 of them: capping
		 * the doubling there keeps it clear of INT_MAX (len <= 1 GiB).
		 */
		int cap = lx->captok == 0 ? 64 :
		          lx->captok > (lx->len + 2) / 2 ? lx->len + 2 : lx->captok * 2;
		ormc_token *nt;

		if (cap <= lx->ntok)
			return NULL;  /* cannot happen, see above */
		nt = ormc_arena_alloc(lx->arena, sizeof(*nt) * (size_t)cap);
		if (nt == NULL)
			return NULL;
		if (lx->ntok)
			memcpy(nt, lx->tok, sizeof(*nt) * (size_t)lx->ntok);
		lx->tok = nt;
		lx->captok = cap;
	}
	t = &lx->tok[lx->ntok++];
	memset(t, 0, sizeof(*t));
	t->kind = kind;
	t->pos = pos;
	t->len = len;
	t->depth = lx->depth;
	t->str = "";
	if (kind == ORMC_TOK_NEWLINE || kind == ORMC_TOK_EOF) {
		t->indent = lx->indent;
		return t;
	}
	if (lx->new_line) {
		t->flags |= ORMC_TOKF_BOL;
		lx->indent = lx->line_col;
		lx->new_line = 0;
	}
	t->indent = lx->indent;
	lx->line_has_tokens = 1;
	return t;
}

static int
nomem(lexer *lx)
{
	return ormc_error_set(lx->err, ORMC_ENOMEM, NULL, -1, 0, "out of memory");
}

static int
newline_token(lexer *lx, int pos, int len, unsigned flags)
{
	ormc_token *t;

	if (!lx->line_has_tokens)
		return 0;
	t = push(lx, ORMC_TOK_NEWLINE, pos, len);
	if (t == NULL)
		return nomem(lx);
	t->flags |= flags;
	lx->line_has_tokens = 0;
	if (!(flags & ORMC_TOKF_SEMI))
		lx->new_line = 1;
	return 0;
}

/*
 * Is there a `>>>` or `...` prompt at i (after blanks)? Returns the offset
 * just past the prompt (and one following blank), or -1. *cont is set for
 * `...`. A prompt must be followed by a blank, a newline or the end.
 */
static int
prompt_at(const lexer *lx, int i, int *cont)
{
	const char *s = lx->s;

	while (i < lx->len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i + 3 > lx->len)
		return -1;
	if (memcmp(s + i, ">>>", 3) != 0 && memcmp(s + i, "...", 3) != 0)
		return -1;
	if (i + 3 < lx->len && s[i + 3] != ' ' && s[i + 3] != '\t' &&
	    s[i + 3] != '\n' && s[i + 3] != '\r')
		return -1;
	if (cont != NULL)
		*cont = s[i] == '.';
	i += 3;
	if (i < lx->len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return i;
}

/* At the start of a physical line: skip a prompt and measure indentation. */
static void
start_line(lexer *lx)
{
	int col = 0, i = lx->i;

	if (lx->flags & ORMC_LEX_PROMPTS) {
		int p = prompt_at(lx, i, NULL);

		if (p >= 0)
			i = p;
	}
	while (i < lx->len) {
		char c = lx->s[i];

		if (c == ' ')
			col++;
		else if (c == '\t')
			col = (col / 8 + 1) * 8;
		else if (c != '\f' && c != '\r')
			break;
		i++;
	}
	lx->i = i;
	lx->line_col = col;
}

static void
put_utf8(char *out, size_t *n, unsigned long cp)
{
	if (cp < 0x80) {
		out[(*n)++] = (char)cp;
	} else if (cp < 0x800) {
		out[(*n)++] = (char)(0xC0 | (cp >> 6));
		out[(*n)++] = (char)(0x80 | (cp & 0x3F));
	} else if (cp < 0x10000) {
		out[(*n)++] = (char)(0xE0 | (cp >> 12));
		out[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[(*n)++] = (char)(0x80 | (cp & 0x3F));
	} else {
		out[(*n)++] = (char)(0xF0 | (cp >> 18));
		out[(*n)++] = (char)(0x80 | ((cp >> 12) & 0x3F));
		out[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[(*n)++] = (char)(0x80 | (cp & 0x3F));
	}
}

/*
 * Decode one escape sequence starting at the backslash s[*i]; appends to
 * out and advances *i past it. Unknown escapes keep the backslash, as
 * Python does. Why here and not in the parser: the value is all the parser
 * and the models reader want, and the positions are only known here.
 */
static int
decode_escape(lexer *lx, int *i, int end, int bytes, char *out, size_t *n)
{
	const char *s = lx->s;
	int start = *i, j = *i + 1, k, ndig;
	unsigned long cp = 0;
	char c = s[j];

	switch (c) {
	case '\n':
		*i = j + 1;
		return 0;
	case '\r':
		*i = (j + 1 < end && s[j + 1] == '\n') ? j + 2 : j + 1;
		return 0;
	case '\\': case '\'': case '"':
		out[(*n)++] = c;
		*i = j + 1;
		return 0;
	case 'a': out[(*n)++] = '\a'; *i = j + 1; return 0;
	case 'b': out[(*n)++] = '\b'; *i = j + 1; return 0;
	case 'f': out[(*n)++] = '\f'; *i = j + 1; return 0;
	case 'n': out[(*n)++] = '\n'; *i = j + 1; return 0;
	case 'r': out[(*n)++] = '\r'; *i = j + 1; return 0;
	case 't': out[(*n)++] = '\t'; *i = j + 1; return 0;
	case 'v': out[(*n)++] = '\v'; *i = j + 1; return 0;
	case 'x':
		ndig = 2;
		break;
	case 'u':
		ndig = bytes ? 0 : 4;
		break;
	case 'U':
		ndig = bytes ? 0 : 8;
		break;
	case 'N':
		if (!bytes)
			return ormc_error_set(lx->err, ORMC_EUNSUPPORTED, lx->s,
			                      start, 2,
			                      "\\N{...} escapes are not supported");
		ndig = 0;
		break;
	default:
		if (c >= '0' && c <= '7') {
			for (k = 0; k < 3 && j < end && s[j] >= '0' && s[j] <= '7';
			     k++, j++)
				cp = cp * 8 + (unsigned long)(s[j] - '0');
			*i = j;
			if (bytes || cp < 0x80)
				out[(*n)++] = (char)(cp & 0xFF);
			else
				put_utf8(out, n, cp);
			return 0;
		}
		ndig = 0;
		break;
	}
	if (ndig == 0) {
		/* Not an escape: keep both characters. */
		out[(*n)++] = '\\';
		*i = j;
		return 0;
	}
	j++;
	for (k = 0; k < ndig; k++, j++) {
		int h = j < end ? hexval((unsigned char)s[j]) : -1;

		if (h < 0)
			return ormc_error_set(lx->err, ORMC_EPARSE, lx->s, start,
			                      j - start, "truncated \\%c escape", c);
		cp = cp * 16 + (unsigned long)h;
	}
	if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return ormc_error_set(lx->err, ORMC_EPARSE, lx->s, start,
		                      j - start, "illegal Unicode character");
	*i = j;
	if (bytes)
		out[(*n)++] = (char)cp;
	else
		put_utf8(out, n, cp);
	return 0;
}

/* A string literal: prefix at pstart, opening quote at q. */
static int
lex_string(lexer *lx, int pstart, int q)
{
	const char *s = lx->s;
	char quote = s[q];
	int raw = 0, bytes = 0, fstr = 0, triple, i, body, bodyend;
	int rc, k;
	char *out;
	size_t n = 0;
	ormc_token *t;

	for (k = pstart; k < q; k++) {
		char c = s[k];

		if (c == 'r' || c == 'R')
			raw = 1;
		else if (c == 'b' || c == 'B')
			bytes = 1;
		else if (c == 'f' || c == 'F')
			fstr = 1;
	}
	triple = q + 2 < lx->len && s[q + 1] == quote && s[q + 2] == quote;
	body = q + (triple ? 3 : 1);
	/* Find the end first: the decoded value is never longer than this. */
	for (i = body;; i++) {
		if (i >= lx->len || (!triple && s[i] == '\n')) {
			int e = i;

			while (e < lx->len && s[e] != '\n')
				e++;
			return ormc_error_set(lx->err, ORMC_EPARSE, lx->s, pstart,
			                      e - pstart,
			                      triple ? "unterminated triple-quoted string literal (detected at line %d)"
			                             : "unterminated string literal (detected at line %d)",
			                      line_of(lx, i));
		}
		if (s[i] == '\\') {
			i++;
			continue;
		}
		if (s[i] == quote) {
			if (!triple)
				break;
			if (i + 2 < lx->len && s[i + 1] == quote &&
			    s[i + 2] == quote)
				break;
		}
	}
	bodyend = i;
	out = ormc_arena_alloc(lx->arena, (size_t)(bodyend - body) + 1);
	if (out == NULL)
		return nomem(lx);
	if (raw || fstr) {
		memcpy(out, s + body, (size_t)(bodyend - body));
		n = (size_t)(bodyend - body);
	} else {
		for (i = body; i < bodyend;) {
			if (s[i] == '\\') {
				rc = decode_escape(lx, &i, bodyend, bytes, out, &n);
				if (rc < 0)
					return rc;
			} else {
				out[n++] = s[i++];
			}
		}
	}
	out[n] = '\0';
	i = bodyend + (triple ? 3 : 1);
	t = push(lx, ORMC_TOK_STRING, pstart, i - pstart);
	if (t == NULL)
		return nomem(lx);
	t->str = out;
	t->slen = n;
	if (bytes)
		t->flags |= ORMC_TOKF_BYTES;
	if (fstr)
		t->flags |= ORMC_TOKF_FSTRING;
	lx->i = i;
	return 0;
}

static int
is_digit_in(int c, int base)
{
	int v = hexval(c);

	return v >= 0 && v < base && (base == 16 || (c >= '0' && c <= '9'));
}

/*
 * A number: int (any base), float, or imaginary. The extent is found first
 * and the digits are copied after, into a buffer the size of the literal:
 * sizing it by the rest of the text made every number cost (and zero) all
 * the text after it, quadratic in a long `__in` list.
 */
static int
lex_number(lexer *lx)
{
	const char *s = lx->s;
	int start = lx->i, i = lx->i, first = lx->i, base = 10, isfloat = 0, k;
	char *digits;
	size_t n = 0;
	ormc_token *t;

	if (s[i] == '0' && i + 1 < lx->len &&
	    strchr("xXoObB", s[i + 1]) != NULL && s[i + 1] != '\0') {
		char b = s[i + 1];

		base = (b == 'x' || b == 'X') ? 16 : (b == 'o' || b == 'O') ? 8 : 2;
		i += 2;
		first = i;
		while (i < lx->len && (is_digit_in((unsigned char)s[i], base) ||
		                       (s[i] == '_' && i + 1 < lx->len &&
		                        is_digit_in((unsigned char)s[i + 1], base))))
			i++;
		if (i == first)
			return ormc_error_set(lx->err, ORMC_EPARSE, lx->s, start,
			                      i - start, "invalid %s literal",
			                      base == 16 ? "hexadecimal" :
			                      base == 8 ? "octal" : "binary");
	} else {
#define DIGITS()                                                        \
	while (i < lx->len && ((s[i] >= '0' && s[i] <= '9') ||          \
	                       (s[i] == '_' && i + 1 < lx->len &&        \
	                        s[i + 1] >= '0' && s[i + 1] <= '9')))   \
		i++
		DIGITS();
		if (i < lx->len && s[i] == '.') {
			isfloat = 1;
			i++;
			DIGITS();
		}
		if (i < lx->len && (s[i] == 'e' || s[i] == 'E')) {
			int j = i + 1;

			if (j < lx->len && (s[j] == '+' || s[j] == '-'))
				j++;
			if (j < lx->len && s[j] >= '0' && s[j] <= '9') {
				isfloat = 1;
				i = j;
				DIGITS();
			}
		}
#undef DIGITS
	}
	/* The digits as written, without the base prefix and the '_'s. */
	digits = ormc_arena_alloc(lx->arena, (size_t)(i - first) + 1);
	if (digits == NULL)
		return nomem(lx);
	for (k = first; k < i; k++)
		if (s[k] != '_')
			digits[n++] = s[k];
	digits[n] = '\0';
	t = push(lx, isfloat ? ORMC_TOK_FLOAT : ORMC_TOK_INT, start, 0);
	if (t == NULL)
		return nomem(lx);
	if (i < lx->len && (s[i] == 'j' || s[i] == 'J') && base == 10) {
		t->flags |= ORMC_TOKF_IMAG;
		i++;
	}
	if (i < lx->len && is_ident_char((unsigned char)s[i]))
		return ormc_error_set(lx->err, ORMC_EPARSE, lx->s, start,
		                      i + 1 - start, "invalid %s literal",
		                      base == 10 ? "decimal" : base == 16 ?
		                      "hexadecimal" : base == 8 ? "octal" : "binary");
	t->len = i - start;
	t->str = digits;
	t->slen = n;
	if (isfloat) {
		t->fval = strtod(digits, NULL);
	} else {
		uint64_t v = 0;

		if (base == 10 && n > 1 && digits[0] == '0') {
			for (k = 0; digits[k] == '0'; k++)
				;
			if (digits[k] != '\0')
				return ormc_error_set(lx->err, ORMC_EPARSE, lx->s,
				                      start, i - start,
				                      "leading zeros in decimal integer literals are not permitted");
		}
		for (k = 0; digits[k] != '\0'; k++) {
			uint64_t d = (uint64_t)hexval((unsigned char)digits[k]);

			if (v > (UINT64_MAX - d) / (uint64_t)base) {
				t->flags |= ORMC_TOKF_BIGINT;
				break;
			}
			v = v * (uint64_t)base + d;
		}
		if (v > (uint64_t)INT64_MAX)
			t->flags |= ORMC_TOKF_BIGINT;
		t->ival = (t->flags & ORMC_TOKF_BIGINT) ? 0 : (int64_t)v;
	}
	lx->i = i;
	return 0;
}

static int
lex_op(lexer *lx)
{
	const char *s = lx->s;
	int i = lx->i, k;
	size_t n;
	ormc_token *t;
	char c = s[i];

	for (k = 0; ops[k] != NULL; k++) {
		n = strlen(ops[k]);
		if ((size_t)(lx->len - i) >= n && memcmp(s + i, ops[k], n) == 0)
			break;
	}
	if (ops[k] == NULL) {
		if (c == '\\')
			return ormc_error_set(lx->err, ORMC_EPARSE, lx->s, i, 1,
			                      "unexpected character after line continuation character");
		if (c == '!' || c == '$' || c == '?' || c == '`')
			return ormc_error_set(lx->err, ORMC_EPARSE, lx->s, i, 1,
			                      "invalid syntax");
		return ormc_error_set(lx->err, ORMC_EPARSE, lx->s, i, 1,
		                      "invalid character '%c' (U+%04X)",
		                      (c >= 32 && c < 127) ? c : '?',
		                      (unsigned)(unsigned char)c);
	}
	if (c == ';' && lx->depth == 0) {
		lx->i = i + 1;
		return newline_token(lx, i, 1, ORMC_TOKF_SEMI);
	}
	if (c == ')' || c == ']' || c == '}') {
		char open = c == ')' ? '(' : c == ']' ? '[' : '{';

		if (lx->depth == 0)
			return ormc_error_set(lx->err, ORMC_EPARSE, lx->s, i, 1,
			                      "unmatched '%c'", c);
		if (lx->stack[lx->depth - 1] != open)
			return ormc_error_set(lx->err, ORMC_EPARSE, lx->s, i, 1,
			                      "closing parenthesis '%c' does not match opening parenthesis '%c'",
			                      c, lx->stack[lx->depth - 1]);
		lx->depth--;
	}
	t = push(lx, ORMC_TOK_OP, i, (int)n);
	if (t == NULL)
		return nomem(lx);
	t->str = ops[k];
	t->slen = n;
	if (c == ')' || c == ']' || c == '}')
		t->depth = lx->depth;  /* a closer sits at its opener's depth */
	if (n == 1 && (c == '(' || c == '[' || c == '{')) {
		if (lx->depth >= MAX_DEPTH)
			return ormc_error_set(lx->err, ORMC_EPARSE, lx->s, i, 1,
			                      "too many nested parentheses");
		lx->stack[lx->depth] = c;
		lx->stackpos[lx->depth] = i;
		lx->depth++;
	}
	lx->i = i + (int)n;
	return 0;
}

static int
lex_name_or_string(lexer *lx)
{
	const char *s = lx->s;
	int start = lx->i, i = lx->i;
	ormc_token *t;

	while (i < lx->len && is_ident_char((unsigned char)s[i]))
		i++;
	/* String prefixes: r b u f and the two-letter combinations. */
	if (i < lx->len && (s[i] == '\'' || s[i] == '"') && i - start <= 2) {
		int k, ok = 1;

		for (k = start; k < i; k++)
			if (strchr("rRbBuUfF", s[k]) == NULL)
				ok = 0;
		if (ok)
			return lex_string(lx, start, i);
	}
	t = push(lx, ORMC_TOK_NAME, start, i - start);
	if (t == NULL)
		return nomem(lx);
	t->str = ormc_arena_strndup(lx->arena, s + start, (size_t)(i - start));
	if (t->str == NULL)
		return nomem(lx);
	t->slen = (size_t)(i - start);
	lx->i = i;
	return 0;
}

int
ormc_lex(ormc_arena *arena, const char *text, size_t len, unsigned flags,
         ormc_tokens *out, ormc_error *err)
{
	lexer lx;
	int rc = 0;
	ormc_token *t;

	out->tok = NULL;
	out->n = 0;
	/* Offsets are ints everywhere (tokens, AST, errors). */
	if (len > (size_t)(1 << 30))
		return ormc_error_set(err, ORMC_EUNSUPPORTED, NULL, -1, 0,
		                      "text too long: %zu bytes, the limit is 1 GiB",
		                      len);
	memset(&lx, 0, sizeof(lx));
	lx.arena = arena;
	lx.s = text;
	lx.len = (int)len;
	lx.flags = flags;
	lx.err = err;
	lx.new_line = 1;
	start_line(&lx);
	while (lx.i < lx.len && rc == 0) {
		unsigned char c = (unsigned char)text[lx.i];

		if (c == ' ' || c == '\t' || c == '\f' || c == '\r') {
			lx.i++;
		} else if (c == '\n') {
			int pos = lx.i, cont = 0;

			lx.i++;
			if (lx.depth == 0) {
				if ((flags & ORMC_LEX_PROMPTS) &&
				    prompt_at(&lx, lx.i, &cont) >= 0 && cont)
					;  /* a `...` line continues the statement */
				else
					rc = newline_token(&lx, pos, 1, 0);
			}
			start_line(&lx);
		} else if (c == '#') {
			while (lx.i < lx.len && text[lx.i] != '\n')
				lx.i++;
		} else if (c == '\\' && lx.i + 1 < lx.len &&
		           (text[lx.i + 1] == '\n' ||
		            (text[lx.i + 1] == '\r' && lx.i + 2 < lx.len &&
		             text[lx.i + 2] == '\n'))) {
			lx.i += text[lx.i + 1] == '\n' ? 2 : 3;
			start_line(&lx);  /* a prompt may follow; indent unchanged */
		} else if ((c >= '0' && c <= '9') ||
		           (c == '.' && lx.i + 1 < lx.len &&
		            text[lx.i + 1] >= '0' && text[lx.i + 1] <= '9')) {
			rc = lex_number(&lx);
		} else if (is_ident_start(c)) {
			rc = lex_name_or_string(&lx);
		} else if (c == '\'' || c == '"') {
			rc = lex_string(&lx, lx.i, lx.i);
		} else {
			rc = lex_op(&lx);
		}
		if (rc == 0 && arena->failed)
			rc = nomem(&lx);
	}
	if (rc < 0)
		return rc;
	if (lx.depth > 0) {
		int p = lx.stackpos[lx.depth - 1];

		return ormc_error_set(err, ORMC_EPARSE, text, p, 1,
		                      "'%c' was never closed", lx.stack[lx.depth - 1]);
	}
	if ((rc = newline_token(&lx, lx.len, 0, 0)) < 0)
		return rc;
	t = push(&lx, ORMC_TOK_EOF, lx.len, 0);
	if (t == NULL)
		return nomem(&lx);
	out->tok = lx.tok;
	out->n = lx.ntok;
	return 0;
}
