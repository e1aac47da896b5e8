/*
 * lexer.h -- tokenizer for the Python subset ormc reads (query text and
 * models.py), plus the parser's entry point over a range of tokens.
 *
 * The lexer turns the whole text into one array of tokens up front. It
 * knows Python's line structure: newlines inside (), [] and {} and after a
 * backslash are not statement ends, `#` comments and blank lines vanish,
 * and every token carries the indentation of its logical line so that the
 * models reader can find class bodies. It accepts every Python token (so a
 * models file's methods, f-strings and decorators can be skipped), even the
 * ones the expression parser later rejects.
 *
 * With ORMC_LEX_PROMPTS, `>>>` and `...` prompts at the start of a line are
 * treated as whitespace (offsets stay those of the input), and the newline
 * before a `...` line does not end the statement.
 */
#ifndef ORMC_LEXER_H
#define ORMC_LEXER_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "ast.h"
#include "ormc/error.h"

typedef enum ormc_tok_kind {
	ORMC_TOK_EOF,       /* always the last token, pos = len */
	ORMC_TOK_NEWLINE,   /* end of a logical line, or ';' (ORMC_TOKF_SEMI) */
	ORMC_TOK_NAME,      /* identifier or keyword */
	ORMC_TOK_INT,
	ORMC_TOK_FLOAT,
	ORMC_TOK_STRING,    /* one literal; adjacent literals are separate tokens */
	ORMC_TOK_OP         /* punctuation and operators: "(", "**", "->", ... */
} ormc_tok_kind;

/* ormc_token.flags */
#define ORMC_TOKF_BOL     0x01u  /* first token of a logical line */
#define ORMC_TOKF_SEMI    0x02u  /* NEWLINE made by ';' */
#define ORMC_TOKF_FSTRING 0x04u  /* STRING with an f prefix (not decoded) */
#define ORMC_TOKF_BYTES   0x08u  /* STRING with a b prefix */
#define ORMC_TOKF_IMAG    0x10u  /* INT/FLOAT with a j suffix */
#define ORMC_TOKF_BIGINT  0x20u  /* INT that does not fit in int64_t */

typedef struct ormc_token {
	ormc_tok_kind kind;
	int pos;            /* byte offset of the first character in the text */
	int len;            /* bytes of text the token covers (prefix and quotes included) */
	int indent;         /* column of the first token of this logical line (tabs to 8) */
	int depth;          /* bracket depth before this token */
	unsigned flags;     /* ORMC_TOKF_* */
	/*
	 * NAME: the identifier; OP: the operator; STRING: the decoded value
	 * (may hold NUL, see slen); INT/FLOAT: the digits as written without
	 * '_'; NEWLINE/EOF: "". Always NUL-terminated.
	 */
	const char *str;
	size_t slen;
	int64_t ival;       /* INT */
	double fval;        /* FLOAT */
} ormc_token;

typedef struct ormc_tokens {
	ormc_token *tok;    /* n tokens, the last one ORMC_TOK_EOF */
	int n;
} ormc_tokens;

#define ORMC_LEX_PROMPTS 0x01u   /* strip >>> / ... prompts */

/**
 * Tokenize text[0, len). All memory comes from arena. On a lexical error
 * (unterminated string, unbalanced bracket, stray character) returns
 * ORMC_EPARSE with err->source = text and the offending offset.
 */
int ormc_lex(ormc_arena *arena, const char *text, size_t len, unsigned flags,
             ormc_tokens *out, ormc_error *err);

/** Is t the operator op ("(", "=", "**")? */
int ormc_tok_is_op(const ormc_token *t, const char *op);
/** Is t the name (or keyword) name? */
int ormc_tok_is_name(const ormc_token *t, const char *name);
/** Is name one of Python's reserved keywords (True, False, None included)? */
int ormc_is_keyword(const char *name);

/**
 * Parse tokens [start, end) of toks as exactly one expression (a bare
 * `a, b` is a TUPLE). Implemented in parser.c; used by the models reader.
 * text is the text the tokens came from (for error positions).
 */
int ormc_parse_tokens(ormc_arena *arena, const char *text,
                      const ormc_tokens *toks, int start, int end,
                      ormc_ast **out, ormc_error *err);

#endif
