/*
 * parser.c -- recursive-descent parser for the Python expression subset and
 * for scripts of such expressions; see ast.h for the tree it builds.
 *
 * Precedence, loosest first, as in Python's grammar:
 *
 *   level     operators          function
 *   --------  -----------------  -----------
 *   or        |                  parse_or
 *   and       &                  parse_and
 *   arith     + -                parse_arith
 *   term      * / %              parse_term
 *   unary     - + ~              parse_unary
 *   postfix   .name (...) [...]  parse_postfix
 *   atom      names, literals, (...) [...]
 *
 * Valid Python that ormc does not read (comparisons, `and`, comprehensions,
 * `**`, dicts, *args) is ORMC_EUNSUPPORTED with a message saying so;
 * anything else that is not Python is ORMC_EPARSE with Python's wording.
 */
#include "ast.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "lexer.h"

#define MAX_NEST 500

typedef struct parser {
	ormc_arena *arena;
	const char *text;       /* error source */
	const ormc_token *tok;
	int i;                  /* current token */
	int end;                /* tokens [i, end) are ours */
	ormc_token eof;         /* what peek() returns past end */
	int nest;               /* recursion depth */
	ormc_error *err;
	int failed;
} parser;

static ormc_ast *parse_or(parser *p);

static const ormc_token *
peek(const parser *p)
{
	return p->i < p->end ? &p->tok[p->i] : &p->eof;
}

static const ormc_token *
peek_at(const parser *p, int k)
{
	return p->i + k < p->end ? &p->tok[p->i + k] : &p->eof;
}

static const ormc_token *
advance(parser *p)
{
	const ormc_token *t = peek(p);

	if (p->i < p->end)
		p->i++;
	return t;
}

static int
at_op(const parser *p, const char *op)
{
	return ormc_tok_is_op(peek(p), op);
}

static int
at_end_of_stmt(const parser *p)
{
	const ormc_token *t = peek(p);

	return t->kind == ORMC_TOK_NEWLINE || t->kind == ORMC_TOK_EOF;
}

/*
 * Record the first error only; later ones are consequences. The message is
 * formatted straight into the error record: a smaller buffer of our own
 * in between cut messages that name a long identifier short of the room
 * the record has.
 */
static ormc_ast *
fail_at(parser *p, int code, int pos, int len, const char *hint,
        const char *fmt, ...)
{
	va_list ap;

	if (p->failed)
		return NULL;
	p->failed = code;
	ormc_error_set(p->err, code, p->text, pos, len, "%s", "");
	if (p->err != NULL) {
		va_start(ap, fmt);
		vsnprintf(p->err->message, sizeof(p->err->message), fmt, ap);
		va_end(ap);
	}
	if (hint != NULL)
		ormc_error_hint(p->err, "%s", hint);
	return NULL;
}

static ormc_ast *
nomem(parser *p)
{
	if (!p->failed) {
		p->failed = ORMC_ENOMEM;
		ormc_error_set(p->err, ORMC_ENOMEM, NULL, -1, 0, "out of memory");
	}
	return NULL;
}

static int
tok_len(const ormc_token *t)
{
	return t->len > 0 ? t->len : 1;
}

static int
is_name_tok(const ormc_token *t, const char *const *names)
{
	int k;

	if (t->kind != ORMC_TOK_NAME)
		return 0;
	for (k = 0; names[k] != NULL; k++)
		if (strcmp(t->str, names[k]) == 0)
			return 1;
	return 0;
}

static int
starts_atom(const ormc_token *t)
{
	return (t->kind == ORMC_TOK_NAME && !ormc_is_keyword(t->str)) ||
	       ormc_tok_is_name(t, "True") || ormc_tok_is_name(t, "False") ||
	       ormc_tok_is_name(t, "None") ||
	       t->kind == ORMC_TOK_INT || t->kind == ORMC_TOK_FLOAT ||
	       t->kind == ORMC_TOK_STRING || ormc_tok_is_op(t, "(") ||
	       ormc_tok_is_op(t, "[");
}

/* Can t be the last token of an operand (for the forgotten-comma hint)? */
static int
ends_operand(const ormc_token *t)
{
	return (t->kind == ORMC_TOK_NAME && (!ormc_is_keyword(t->str) ||
	                                      ormc_tok_is_name(t, "True") ||
	                                      ormc_tok_is_name(t, "False") ||
	                                      ormc_tok_is_name(t, "None"))) ||
	       t->kind == ORMC_TOK_INT || t->kind == ORMC_TOK_FLOAT ||
	       t->kind == ORMC_TOK_STRING || ormc_tok_is_op(t, ")") ||
	       ormc_tok_is_op(t, "]");
}

/*
 * The token t cannot come here. Why a function: the same token means the
 * same mistake wherever it turns up, and Python users deserve to hear that
 * `==` or `and` is valid Python we do not read rather than "invalid syntax".
 */
static ormc_ast *
unexpected(parser *p, const ormc_token *t)
{
	static const char *const cmp[] = { "==", "!=", "<", ">", "<=", ">=", NULL };
	static const char *const arith[] = { "**", "//", "@", "<<", ">>", NULL };
	static const char *const boolops[] = { "and", "or", "not", NULL };
	int k, len = tok_len(t);

	if (t->kind == ORMC_TOK_OP) {
		for (k = 0; cmp[k] != NULL; k++)
			if (strcmp(t->str, cmp[k]) == 0)
				return fail_at(p, ORMC_EUNSUPPORTED, t->pos, len,
				               "filter with a lookup instead, e.g. filter(rating__gt=3)",
				               "comparison operators are not supported");
		for (k = 0; arith[k] != NULL; k++)
			if (strcmp(t->str, arith[k]) == 0)
				return fail_at(p, ORMC_EUNSUPPORTED, t->pos, len, NULL,
				               "operator '%s' is not supported",
				               t->str);
		if (strcmp(t->str, ")") == 0 || strcmp(t->str, "]") == 0 ||
		    strcmp(t->str, "}") == 0)
			return fail_at(p, ORMC_EPARSE, t->pos, len, NULL,
			               "unexpected '%s'", t->str);
		if (strcmp(t->str, "{") == 0)
			return fail_at(p, ORMC_EUNSUPPORTED, t->pos, len, NULL,
			               "dict and set displays are not supported");
		if (strcmp(t->str, "*") == 0 || strcmp(t->str, "**") == 0)
			return fail_at(p, ORMC_EUNSUPPORTED, t->pos, len, NULL,
			               "argument unpacking is not supported");
		if (strcmp(t->str, ":=") == 0)
			return fail_at(p, ORMC_EUNSUPPORTED, t->pos, len, NULL,
			               "assignment expressions are not supported");
	}
	if (t->kind == ORMC_TOK_NAME) {
		if (is_name_tok(t, boolops))
			return fail_at(p, ORMC_EUNSUPPORTED, t->pos, len,
			               "combine Q objects with & (and), | (or) and ~ (not)",
			               "'%s' is not supported", t->str);
		if (ormc_tok_is_name(t, "is") || ormc_tok_is_name(t, "in"))
			return fail_at(p, ORMC_EUNSUPPORTED, t->pos, len,
			               "filter with a lookup instead, e.g. filter(id__in=[1, 2])",
			               "comparison operators are not supported");
		if (ormc_tok_is_name(t, "if") || ormc_tok_is_name(t, "else"))
			return fail_at(p, ORMC_EUNSUPPORTED, t->pos, len,
			               "use Case(When(...), default=...)",
			               "conditional expressions are not supported");
		if (ormc_tok_is_name(t, "for") || ormc_tok_is_name(t, "async"))
			return fail_at(p, ORMC_EUNSUPPORTED, t->pos, len, NULL,
			               "comprehensions are not supported");
		if (ormc_tok_is_name(t, "lambda"))
			return fail_at(p, ORMC_EUNSUPPORTED, t->pos, len, NULL,
			               "lambda is not supported");
	}
	if (t->kind == ORMC_TOK_STRING && (t->flags & ORMC_TOKF_FSTRING))
		return fail_at(p, ORMC_EUNSUPPORTED, t->pos, len, NULL,
		               "f-strings are not supported");
	if (starts_atom(t) && t->depth > 0 && p->i > 0 &&
	    ends_operand(&p->tok[p->i - 1]))
		return fail_at(p, ORMC_EPARSE, t->pos, len, NULL,
		               "invalid syntax. Perhaps you forgot a comma?");
	return fail_at(p, ORMC_EPARSE, t->pos, len, NULL, "invalid syntax");
}

static ormc_ast *
node(parser *p, ormc_ast_kind kind, int pos, int end)
{
	ormc_ast *n = ormc_arena_alloc(p->arena, sizeof(*n));

	if (n == NULL)
		return nomem(p);
	n->kind = kind;
	n->pos = pos;
	n->end = end;
	n->name_pos = -1;
	return n;
}

static ormc_ast *
binop(parser *p, char op, ormc_ast *l, ormc_ast *r)
{
	ormc_ast *n = node(p, ORMC_AST_BINOP, l->pos, r->end);

	if (n == NULL)
		return NULL;
	n->op = op;
	n->left = l;
	n->right = r;
	return n;
}

/* Grow a pointer array (arena) to hold n+1 items. */
static int
grow(parser *p, ormc_ptrvec *v, void *item)
{
	if (ormc_ptrvec_push(p->arena, v, item) < 0) {
		nomem(p);
		return -1;
	}
	return 0;
}

/* Adjacent string literals: 'a' "b" r'c' -> one STR node. */
static ormc_ast *
parse_strings(parser *p)
{
	const ormc_token *first = peek(p), *t = first, *last = first;
	size_t total = 0;
	int k, count = 0;
	char *buf;
	ormc_ast *n;

	for (k = 0; (t = peek_at(p, k))->kind == ORMC_TOK_STRING; k++) {
		if (t->flags & ORMC_TOKF_FSTRING)
			return fail_at(p, ORMC_EUNSUPPORTED, t->pos, t->len, NULL,
			               "f-strings are not supported");
		if (t->flags & ORMC_TOKF_BYTES)
			return fail_at(p, ORMC_EUNSUPPORTED, t->pos, t->len, NULL,
			               "bytes literals are not supported");
		total += t->slen;
		count++;
		last = t;
	}
	buf = ormc_arena_alloc(p->arena, total + 1);
	if (buf == NULL)
		return nomem(p);
	total = 0;
	for (k = 0; k < count; k++) {
		t = advance(p);
		memcpy(buf + total, t->str, t->slen);
		total += t->slen;
	}
	buf[total] = '\0';
	n = node(p, ORMC_AST_STR, first->pos, last->pos + last->len);
	if (n == NULL)
		return NULL;
	n->str = buf;
	n->len = total;
	return n;
}

/*
 * Elements up to the closer: `a, b, c` with an optional trailing comma.
 * *had_comma tells `(x)` from `(x,)`.
 */
static int
parse_elements(parser *p, const char *closer, ormc_ptrvec *v, int *had_comma)
{
	*had_comma = 0;
	while (!at_op(p, closer)) {
		ormc_ast *e;

		if (at_op(p, "*"))
			return unexpected(p, peek(p)), -1;
		e = parse_or(p);
		if (e == NULL || grow(p, v, e) < 0)
			return -1;
		if (at_op(p, ",")) {
			advance(p);
			*had_comma = 1;
			continue;
		}
		if (!at_op(p, closer))
			return unexpected(p, peek(p)), -1;
	}
	return 0;
}

static ormc_ast *
seq_node(parser *p, ormc_ast_kind kind, int pos, int end, ormc_ptrvec *v)
{
	ormc_ast *n = node(p, kind, pos, end);

	if (n == NULL)
		return NULL;
	n->args = (ormc_ast **)v->items;
	n->nargs = v->n;
	return n;
}

static ormc_ast *
parse_atom(parser *p)
{
	const ormc_token *t = peek(p);
	ormc_ast *n;

	switch (t->kind) {
	case ORMC_TOK_NAME:
		if (ormc_tok_is_name(t, "True") || ormc_tok_is_name(t, "False") ||
		    ormc_tok_is_name(t, "None")) {
			ormc_ast_kind k = t->str[0] == 'T' ? ORMC_AST_TRUE :
			                  t->str[0] == 'F' ? ORMC_AST_FALSE :
			                  ORMC_AST_NONE;

			advance(p);
			return node(p, k, t->pos, t->pos + t->len);
		}
		if (ormc_is_keyword(t->str))
			return unexpected(p, t);
		advance(p);
		n = node(p, ORMC_AST_NAME, t->pos, t->pos + t->len);
		if (n == NULL)
			return NULL;
		n->str = t->str;
		n->len = t->slen;
		return n;
	case ORMC_TOK_INT:
	case ORMC_TOK_FLOAT:
		if (t->flags & ORMC_TOKF_IMAG)
			return fail_at(p, ORMC_EUNSUPPORTED, t->pos, t->len, NULL,
			               "complex numbers are not supported");
		if (t->flags & ORMC_TOKF_BIGINT)
			return fail_at(p, ORMC_EUNSUPPORTED, t->pos, t->len, NULL,
			               "integer literal too large");
		advance(p);
		n = node(p, t->kind == ORMC_TOK_INT ? ORMC_AST_INT : ORMC_AST_FLOAT,
		         t->pos, t->pos + t->len);
		if (n == NULL)
			return NULL;
		n->ival = t->ival;
		n->fval = t->fval;
		n->str = t->str;
		n->len = t->slen;
		return n;
	case ORMC_TOK_STRING:
		return parse_strings(p);
	case ORMC_TOK_OP:
		if (ormc_tok_is_op(t, "(") || ormc_tok_is_op(t, "[")) {
			int list = t->str[0] == '[', had_comma;
			ormc_ptrvec v = { NULL, 0, 0 };
			const ormc_token *close;

			advance(p);
			if (parse_elements(p, list ? "]" : ")", &v, &had_comma) < 0)
				return NULL;
			close = advance(p);
			if (!list && v.n == 1 && !had_comma)
				return (ormc_ast *)v.items[0];  /* (x) is x */
			return seq_node(p, list ? ORMC_AST_LIST : ORMC_AST_TUPLE,
			                t->pos, close->pos + close->len, &v);
		}
		return unexpected(p, t);
	default:
		return unexpected(p, t);
	}
}

/* After '(' of a call: positional then keyword arguments. */
static ormc_ast *
parse_call(parser *p, ormc_ast *callee)
{
	ormc_ptrvec args = { NULL, 0, 0 }, kws = { NULL, 0, 0 };
	int *kwpos = NULL, nkw = 0, capkw = 0, k;
	const ormc_token *close;
	ormc_ast *n;

	advance(p);  /* ( */
	while (!at_op(p, ")")) {
		const ormc_token *t = peek(p);
		const char *kw = NULL;
		int kpos = -1;
		ormc_ast *e;

		if (at_op(p, "*") || at_op(p, "**"))
			return fail_at(p, ORMC_EUNSUPPORTED, t->pos, t->len, NULL,
			               "argument unpacking (*args, **kwargs) is not supported");
		if (t->kind == ORMC_TOK_NAME && ormc_tok_is_op(peek_at(p, 1), "=")) {
			if (ormc_is_keyword(t->str))
				return fail_at(p, ORMC_EPARSE, t->pos, t->len, NULL,
				               "cannot assign to %s", t->str);
			for (k = 0; k < kws.n; k++)
				if (kws.items[k] != NULL &&
				    strcmp((const char *)kws.items[k], t->str) == 0)
					return fail_at(p, ORMC_EPARSE, t->pos, t->len,
					               NULL,
					               "keyword argument repeated: %s",
					               t->str);
			kw = t->str;
			kpos = t->pos;
			nkw++;
			advance(p);
			advance(p);
			if (at_op(p, ",") || at_op(p, ")"))
				return fail_at(p, ORMC_EPARSE, peek(p)->pos, 1, NULL,
				               "expected argument value expression");
		} else if (nkw > 0) {
			e = parse_or(p);
			if (e == NULL)
				return NULL;
			return fail_at(p, ORMC_EPARSE, e->pos, e->end - e->pos, NULL,
			               "positional argument follows keyword argument");
		}
		e = parse_or(p);
		if (e == NULL)
			return NULL;
		if (grow(p, &args, e) < 0 || grow(p, &kws, (void *)kw) < 0)
			return NULL;
		if (args.n > capkw) {
			int *nk;

			capkw = capkw ? capkw * 2 : 4;
			nk = ormc_arena_alloc(p->arena, sizeof(int) * (size_t)capkw);
			if (nk == NULL)
				return nomem(p);
			if (kwpos != NULL)
				memcpy(nk, kwpos, sizeof(int) * (size_t)(args.n - 1));
			kwpos = nk;
		}
		kwpos[args.n - 1] = kpos;
		if (at_op(p, ",")) {
			advance(p);
			continue;
		}
		if (!at_op(p, ")"))
			return unexpected(p, peek(p));
	}
	close = advance(p);
	n = node(p, ORMC_AST_CALL, callee->pos, close->pos + close->len);
	if (n == NULL)
		return NULL;
	n->left = callee;
	n->args = (ormc_ast **)args.items;
	n->kw = (const char **)kws.items;
	n->kw_pos = kwpos;
	n->nargs = args.n;
	if (callee->kind == ORMC_AST_ATTR)
		n->name_pos = callee->name_pos;
	else if (callee->kind == ORMC_AST_NAME)
		n->name_pos = callee->pos;
	return n;
}

/* After '[': x[i], x[a:b], x[:b], x[a:], x[:]. */
static ormc_ast *
parse_subscript(parser *p, ormc_ast *obj)
{
	const ormc_token *open = advance(p), *close;
	ormc_ast *start = NULL, *stop = NULL, *n;
	int slice = 0;

	if (!at_op(p, ":")) {
		if (at_op(p, "]"))
			return unexpected(p, peek(p));
		start = parse_or(p);
		if (start == NULL)
			return NULL;
	}
	if (at_op(p, ":")) {
		slice = 1;
		advance(p);
		if (!at_op(p, "]") && !at_op(p, ":")) {
			stop = parse_or(p);
			if (stop == NULL)
				return NULL;
		}
		if (at_op(p, ":")) {
			advance(p);
			if (!at_op(p, "]"))
				return fail_at(p, ORMC_EUNSUPPORTED, peek(p)->pos,
				               tok_len(peek(p)), NULL,
				               "slice step is not supported");
		}
	}
	if (!at_op(p, "]"))
		return unexpected(p, peek(p));
	close = advance(p);
	n = node(p, slice ? ORMC_AST_SLICE : ORMC_AST_INDEX, obj->pos,
	         close->pos + close->len);
	if (n == NULL)
		return NULL;
	n->left = obj;
	n->right = start;
	n->third = stop;
	n->name_pos = open->pos;
	return n;
}

static ormc_ast *
parse_postfix(parser *p)
{
	ormc_ast *n = parse_atom(p);

	while (n != NULL) {
		if (at_op(p, ".")) {
			const ormc_token *name = peek_at(p, 1);
			ormc_ast *a;

			if (name->kind != ORMC_TOK_NAME || ormc_is_keyword(name->str)) {
				advance(p);
				return unexpected(p, name);
			}
			advance(p);
			advance(p);
			a = node(p, ORMC_AST_ATTR, n->pos, name->pos + name->len);
			if (a == NULL)
				return NULL;
			a->left = n;
			a->str = name->str;
			a->len = name->slen;
			a->name_pos = name->pos;
			n = a;
		} else if (at_op(p, "(")) {
			n = parse_call(p, n);
		} else if (at_op(p, "[")) {
			n = parse_subscript(p, n);
		} else {
			break;
		}
	}
	return n;
}

static ormc_ast *
parse_unary(parser *p)
{
	const ormc_token *t = peek(p);
	ormc_ast *operand, *n;

	if (!ormc_tok_is_op(t, "-") && !ormc_tok_is_op(t, "+") &&
	    !ormc_tok_is_op(t, "~"))
		return parse_postfix(p);
	if (++p->nest > MAX_NEST)
		return fail_at(p, ORMC_EPARSE, t->pos, 1, NULL,
		               "expression too deeply nested");
	advance(p);
	operand = parse_unary(p);
	p->nest--;
	if (operand == NULL || t->str[0] == '+')
		return operand;
	n = node(p, t->str[0] == '-' ? ORMC_AST_NEG : ORMC_AST_INVERT, t->pos,
	         operand->end);
	if (n != NULL)
		n->left = operand;
	return n;
}

static ormc_ast *
parse_term(parser *p)
{
	ormc_ast *l = parse_unary(p);

	while (l != NULL && (at_op(p, "*") || at_op(p, "/") || at_op(p, "%"))) {
		char op = advance(p)->str[0];
		ormc_ast *r = parse_unary(p);

		if (r == NULL)
			return NULL;
		l = binop(p, op, l, r);
	}
	return l;
}

static ormc_ast *
parse_arith(parser *p)
{
	ormc_ast *l = parse_term(p);

	while (l != NULL && (at_op(p, "+") || at_op(p, "-"))) {
		char op = advance(p)->str[0];
		ormc_ast *r = parse_term(p);

		if (r == NULL)
			return NULL;
		l = binop(p, op, l, r);
	}
	return l;
}

static ormc_ast *
parse_and(parser *p)
{
	ormc_ast *l = parse_arith(p);

	while (l != NULL && at_op(p, "&")) {
		ormc_ast *r;

		advance(p);
		r = parse_arith(p);
		if (r == NULL)
			return NULL;
		l = binop(p, '&', l, r);
	}
	return l;
}

/* Python's `^` binds tighter than `|` and looser than `&`: Q(a) ^ Q(b) (Django 4.1). */
static ormc_ast *
parse_xor(parser *p)
{
	ormc_ast *l = parse_and(p);

	while (l != NULL && at_op(p, "^")) {
		ormc_ast *r;

		advance(p);
		r = parse_and(p);
		if (r == NULL)
			return NULL;
		l = binop(p, '^', l, r);
	}
	return l;
}

static ormc_ast *
parse_or(parser *p)
{
	ormc_ast *l;

	if (++p->nest > MAX_NEST)
		return fail_at(p, ORMC_EPARSE, peek(p)->pos, tok_len(peek(p)),
		               NULL, "expression too deeply nested");
	l = parse_xor(p);
	while (l != NULL && at_op(p, "|")) {
		ormc_ast *r;

		advance(p);
		r = parse_xor(p);
		if (r == NULL)
			return NULL;
		l = binop(p, '|', l, r);
	}
	p->nest--;
	return l;
}

/* expr or a bare tuple `a, b` (statement level). */
static ormc_ast *
parse_exprlist(parser *p)
{
	ormc_ast *first = parse_or(p);
	ormc_ptrvec v = { NULL, 0, 0 };
	int end;

	if (first == NULL || !at_op(p, ","))
		return first;
	if (grow(p, &v, first) < 0)
		return NULL;
	end = first->end;
	while (at_op(p, ",")) {
		ormc_ast *e;

		end = advance(p)->pos + 1;
		if (!starts_atom(peek(p)) && !at_op(p, "-") && !at_op(p, "+") &&
		    !at_op(p, "~"))
			break;
		e = parse_or(p);
		if (e == NULL || grow(p, &v, e) < 0)
			return NULL;
		end = e->end;
	}
	return seq_node(p, ORMC_AST_TUPLE, first->pos, end, &v);
}

static void
init_parser(parser *p, ormc_arena *arena, const char *text,
            const ormc_tokens *toks, int start, int end, ormc_error *err)
{
	memset(p, 0, sizeof(*p));
	p->arena = arena;
	p->text = text;
	p->tok = toks->tok;
	p->i = start;
	p->end = end;
	p->err = err;
	p->eof = toks->tok[end < toks->n ? end : toks->n - 1];
	p->eof.kind = ORMC_TOK_EOF;
	p->eof.str = "";
	if (end >= toks->n || toks->tok[end].kind == ORMC_TOK_EOF)
		p->eof.len = 0;
}

static int
finish(parser *p)
{
	if (p->failed)
		return p->failed;
	if (p->arena->failed) {
		nomem(p);
		return ORMC_ENOMEM;
	}
	return ORMC_OK;
}

int
ormc_parse_tokens(ormc_arena *arena, const char *text,
                  const ormc_tokens *toks, int start, int end,
                  ormc_ast **out, ormc_error *err)
{
	parser p;
	ormc_ast *e;

	*out = NULL;
	init_parser(&p, arena, text, toks, start, end, err);
	if (p.i >= p.end)
		return ormc_error_set(err, ORMC_EPARSE, text, p.eof.pos, 1,
		                      "expected an expression");
	e = parse_exprlist(&p);
	if (e != NULL && p.i < p.end)
		unexpected(&p, peek(&p));
	if (finish(&p) < 0)
		return finish(&p);
	*out = e;
	return ORMC_OK;
}

int
ormc_parse_expr(ormc_arena *arena, const char *text, size_t len,
                ormc_ast **out, ormc_error *err)
{
	ormc_tokens toks;
	parser p;
	ormc_ast *e;
	int rc;

	*out = NULL;
	if ((rc = ormc_lex(arena, text, len, ORMC_LEX_PROMPTS, &toks, err)) < 0)
		return rc;
	init_parser(&p, arena, text, &toks, 0, toks.n, err);
	while (peek(&p)->kind == ORMC_TOK_NEWLINE)
		advance(&p);
	if (peek(&p)->kind == ORMC_TOK_EOF)
		return ormc_error_set(err, ORMC_EPARSE, text, 0, 0,
		                      "empty expression");
	e = parse_exprlist(&p);
	while (e != NULL && peek(&p)->kind == ORMC_TOK_NEWLINE &&
	       !(peek(&p)->flags & ORMC_TOKF_SEMI))
		advance(&p);
	if (e != NULL && peek(&p)->kind != ORMC_TOK_EOF) {
		const ormc_token *t = peek(&p);

		if (t->kind == ORMC_TOK_NEWLINE)
			fail_at(&p, ORMC_EPARSE, t->pos, 1, NULL,
			        "expected one expression, found several statements");
		else
			unexpected(&p, t);
	}
	if ((rc = finish(&p)) < 0)
		return rc;
	*out = e;
	return ORMC_OK;
}

/* Statements ormc has no use for, reported by name. */
static const char *const stmt_keywords[] = {
	"assert", "break", "class", "continue", "def", "del", "elif", "else",
	"except", "finally", "for", "global", "if", "nonlocal", "pass",
	"raise", "return", "try", "while", "with", "async", NULL
};

/*
 * One statement, up to its NEWLINE. Why the up-front scan for '=':
 * a target like `a, b` or `x.y` parses as an expression first, so the
 * assignment has to be recognised before parsing to give a clear message.
 */
static int
parse_statement(parser *p, ormc_ptrvec *stmts)
{
	const ormc_token *t = peek(p);
	ormc_stmt_ast *st;
	int k;

	if (ormc_tok_is_name(t, "import") || ormc_tok_is_name(t, "from")) {
		while (!at_end_of_stmt(p))
			advance(p);
		return 0;
	}
	if (is_name_tok(t, stmt_keywords))
		return fail_at(p, ORMC_EUNSUPPORTED, t->pos, t->len, NULL,
		               "'%s' statements are not supported", t->str),
		       -1;
	st = ormc_arena_alloc(p->arena, sizeof(*st));
	if (st == NULL)
		return nomem(p), -1;
	st->target_pos = -1;
	if (t->kind == ORMC_TOK_NAME && ormc_tok_is_op(peek_at(p, 1), "=")) {
		if (ormc_is_keyword(t->str))
			return fail_at(p, ORMC_EPARSE, t->pos, t->len, NULL,
			               "cannot assign to %s", t->str), -1;
		st->target = t->str;
		st->target_pos = t->pos;
		advance(p);
		advance(p);
		if (at_end_of_stmt(p))
			return unexpected(p, peek(p)), -1;
	} else {
		static const char *const aug[] = {
			"+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "**=",
			"//=", "<<=", ">>=", "@=", NULL
		};
		int comma = 0;

		for (k = 0; p->i + k < p->end; k++) {
			const ormc_token *u = &p->tok[p->i + k];
			int a;

			if (u->kind == ORMC_TOK_NEWLINE || u->kind == ORMC_TOK_EOF)
				break;
			if (u->kind != ORMC_TOK_OP || u->depth != t->depth)
				continue;
			if (strcmp(u->str, ",") == 0)
				comma = 1;
			if (strcmp(u->str, "=") == 0 && k == 0)
				return unexpected(p, u), -1;
			if (strcmp(u->str, "=") == 0)
				return fail_at(p, ORMC_EUNSUPPORTED, t->pos,
				               k > 0 ? u[-1].pos + u[-1].len - t->pos : 1,
				               NULL,
				               comma ? "tuple assignment is not supported; assign one name per statement"
				                     : "only assignment to a plain name is supported"),
				       -1;
			for (a = 0; aug[a] != NULL; a++)
				if (strcmp(u->str, aug[a]) == 0)
					return fail_at(p, ORMC_EUNSUPPORTED, u->pos,
					               u->len, NULL,
					               "augmented assignment is not supported"),
					       -1;
		}
	}
	st->expr = parse_exprlist(p);
	if (st->expr == NULL)
		return -1;
	if (at_op(p, "="))
		return fail_at(p, ORMC_EUNSUPPORTED, peek(p)->pos, 1, NULL,
		               "chained assignment is not supported"), -1;
	if (!at_end_of_stmt(p))
		return unexpected(p, peek(p)), -1;
	return grow(p, stmts, st);
}

int
ormc_parse_script(ormc_arena *arena, const char *text, size_t len,
                  ormc_script *out, ormc_error *err)
{
	ormc_tokens toks;
	ormc_ptrvec stmts = { NULL, 0, 0 };
	parser p;
	int rc, k;

	out->stmts = NULL;
	out->nstmts = 0;
	if ((rc = ormc_lex(arena, text, len, ORMC_LEX_PROMPTS, &toks, err)) < 0)
		return rc;
	init_parser(&p, arena, text, &toks, 0, toks.n, err);
	while (peek(&p)->kind != ORMC_TOK_EOF) {
		if (peek(&p)->kind == ORMC_TOK_NEWLINE) {
			advance(&p);
			continue;
		}
		if (parse_statement(&p, &stmts) < 0)
			break;
	}
	if ((rc = finish(&p)) < 0)
		return rc;
	if (stmts.n > 0) {
		out->stmts = ormc_arena_alloc(arena, sizeof(ormc_stmt_ast) *
		                                     (size_t)stmts.n);
		if (out->stmts == NULL)
			return ormc_error_set(err, ORMC_ENOMEM, NULL, -1, 0,
			                      "out of memory");
		for (k = 0; k < stmts.n; k++)
			out->stmts[k] = *(ormc_stmt_ast *)stmts.items[k];
	}
	out->nstmts = stmts.n;
	return ORMC_OK;
}
