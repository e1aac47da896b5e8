/*
 * ast.h -- syntax tree of the Python expression subset ormc reads.
 *
 * Produced by parser.c from query text and reused by the models reader
 * (schema.c). Nothing here knows about Django: a name is just a name.
 *
 * Node kinds and the members each one uses:
 *
 *   kind          members
 *   ------------  ------------------------------------------------------------
 *   NAME          str/len: identifier
 *   ATTR          left: object; str/len: attribute name
 *   CALL          left: callee; args/nargs; kw[i]: keyword name or NULL
 *   STR           str/len: decoded value (escapes processed; may hold NUL)
 *   INT           ival
 *   FLOAT         fval; str/len: the literal's digits as written ("3.0")
 *   TRUE FALSE NONE   -
 *   LIST TUPLE    args/nargs
 *   NEG INVERT    left: operand (unary -, ~); unary + is dropped
 *   BINOP         op: one of + - * / % & |; left, right
 *   INDEX         left: object; right: index expression
 *   SLICE         left: object; right: start or NULL; third: stop or NULL
 *   LITERAL       a typed value the C API made (ormc_date(), ormc_decimal()...):
 *                 vtype (an ormc_type); str/len its text, or ival a duration
 *
 * Every node has pos, the byte offset of its first character in the text it
 * was parsed from, and end, one past its last; for CALL, ATTR and INDEX pos
 * is the start of the whole expression and name_pos the start of the
 * attribute / keyword name where there is one.
 */
#ifndef ORMC_AST_H
#define ORMC_AST_H

#include <stdint.h>
#include <stddef.h>

#include "arena.h"
#include "ormc/error.h"

typedef enum ormc_ast_kind {
	ORMC_AST_NAME,
	ORMC_AST_ATTR,
	ORMC_AST_CALL,
	ORMC_AST_STR,
	ORMC_AST_INT,
	ORMC_AST_FLOAT,
	ORMC_AST_TRUE,
	ORMC_AST_FALSE,
	ORMC_AST_NONE,
	ORMC_AST_LIST,
	ORMC_AST_TUPLE,
	ORMC_AST_NEG,
	ORMC_AST_INVERT,
	ORMC_AST_BINOP,
	ORMC_AST_INDEX,
	ORMC_AST_SLICE,
	ORMC_AST_LITERAL
} ormc_ast_kind;

typedef struct ormc_ast ormc_ast;

struct ormc_ast {
	ormc_ast_kind kind;
	int pos;                /* byte offset of the first character */
	int end;                /* byte offset one past the last character */
	int name_pos;           /* ATTR: offset of the attribute name */
	const char *str;        /* NAME ATTR STR FLOAT: NUL-terminated */
	size_t len;             /* length of str */
	int64_t ival;           /* INT */
	double fval;            /* FLOAT */
	char op;                /* BINOP: '+', '-', '*', '/', '%', '&', '|' */
	ormc_ast *left;         /* see table above */
	ormc_ast *right;
	ormc_ast *third;
	ormc_ast **args;        /* CALL LIST TUPLE */
	const char **kw;        /* CALL: kw[i] is the keyword of args[i], or NULL */
	int *kw_pos;            /* CALL: offset of each keyword name, or -1 */
	int nargs;
	int vtype;              /* LITERAL: its ormc_type; the text in str/len, a duration in ival */
};

/*
 * A script is what a user pastes: statements separated by newlines (outside
 * brackets) or ';'. `>>> ` and `... ` prompts at the start of a line, blank
 * lines, `# comments`, and `import x` / `from x import a, b` statements are
 * skipped. `name = expr` binds a name; anything else is an expression.
 */
typedef struct ormc_stmt_ast {
	const char *target;     /* assigned name, or NULL for an expression */
	int target_pos;
	ormc_ast *expr;
} ormc_stmt_ast;

typedef struct ormc_script {
	ormc_stmt_ast *stmts;
	int nstmts;
} ormc_script;

/**
 * Parse text as a script. All memory comes from arena. On a syntax error
 * returns ORMC_EPARSE with err pointing at the offending token of text.
 */
int ormc_parse_script(ormc_arena *arena, const char *text, size_t len,
                      ormc_script *out, ormc_error *err);

/** Parse text as exactly one expression (prompts and comments allowed). */
int ormc_parse_expr(ormc_arena *arena, const char *text, size_t len,
                    ormc_ast **out, ormc_error *err);

#endif
