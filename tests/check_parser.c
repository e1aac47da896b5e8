/*
 * check_parser.c -- Check suite for the lexer and the expression/script
 * parser (core/lexer.c, core/parser.c): every node kind, precedence,
 * pasted prompts, comments and imports, assignments, positions, and the
 * errors (code, offset, length, message) for bad input.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "ast.h"
#include "lexer.h"

static ormc_arena arena;
static ormc_error err;

static void
setup(void)
{
	ormc_arena_init(&arena);
	ormc_error_clear(&err);
}

static void
teardown(void)
{
	ormc_arena_free(&arena);
}

/*
 * Parse one expression, failing the test with the error if it does not
 * parse. Also checks every node's span (see check_spans).
 */
static void check_spans(const ormc_ast *n, const char *text);

static ormc_ast *
expr(const char *text)
{
	ormc_ast *e = NULL;
	int rc = ormc_parse_expr(&arena, text, strlen(text), &e, &err);

	ck_assert_msg(rc == ORMC_OK, "parse of <%s> failed: %s at %d", text,
	              err.message, err.offset);
	ck_assert_ptr_nonnull(e);
	check_spans(e, text);
	return e;
}

/* Why: every consumer points carets at pos/end, so they must be sane. */
static void
check_spans(const ormc_ast *n, const char *text)
{
	int len = (int)strlen(text), k;

	if (n == NULL)
		return;
	ck_assert_int_ge(n->pos, 0);
	ck_assert_int_gt(n->end, n->pos);
	ck_assert_int_le(n->end, len);
	if (n->left != NULL) {
		ck_assert_int_ge(n->left->pos, n->pos);
		ck_assert_int_le(n->left->end, n->end);
		check_spans(n->left, text);
	}
	if (n->right != NULL) {
		ck_assert_int_le(n->right->end, n->end);
		check_spans(n->right, text);
	}
	if (n->third != NULL) {
		ck_assert_int_le(n->third->end, n->end);
		check_spans(n->third, text);
	}
	for (k = 0; k < n->nargs; k++) {
		ck_assert_int_ge(n->args[k]->pos, n->pos);
		ck_assert_int_le(n->args[k]->end, n->end);
		check_spans(n->args[k], text);
	}
}

static void
assert_name(const ormc_ast *n, const char *name)
{
	ck_assert_int_eq(n->kind, ORMC_AST_NAME);
	ck_assert_str_eq(n->str, name);
}

static void
assert_text(const ormc_ast *n, const char *text, const char *want)
{
	ck_assert_int_eq(n->end - n->pos, (int)strlen(want));
	ck_assert_msg(strncmp(text + n->pos, want, strlen(want)) == 0,
	              "span <%.*s> != <%s>", n->end - n->pos, text + n->pos,
	              want);
}

/* ---- names, attributes, calls ------------------------------------------ */

START_TEST(test_name_attr)
{
	const char *t = "Book.objects";
	ormc_ast *e = expr(t);

	ck_assert_int_eq(e->kind, ORMC_AST_ATTR);
	ck_assert_str_eq(e->str, "objects");
	ck_assert_uint_eq(e->len, 7);
	ck_assert_int_eq(e->name_pos, 5);
	assert_name(e->left, "Book");
	assert_text(e, t, "Book.objects");
}
END_TEST

START_TEST(test_call_args)
{
	const char *t = "Book.objects.filter(Q(a=1), rating__gt=3.0, name='x',)";
	ormc_ast *e = expr(t);

	ck_assert_int_eq(e->kind, ORMC_AST_CALL);
	ck_assert_int_eq(e->nargs, 3);
	ck_assert_int_eq(e->left->kind, ORMC_AST_ATTR);
	ck_assert_str_eq(e->left->str, "filter");
	ck_assert_int_eq(e->name_pos, 13);
	ck_assert_ptr_null(e->kw[0]);
	ck_assert_int_eq(e->kw_pos[0], -1);
	ck_assert_str_eq(e->kw[1], "rating__gt");
	ck_assert_int_eq(e->kw_pos[1], (int)(strstr(t, "rating") - t));
	ck_assert_str_eq(e->kw[2], "name");
	ck_assert_int_eq(e->kw_pos[2], (int)(strstr(t, "name=") - t));
	ck_assert_int_eq(e->args[1]->kind, ORMC_AST_FLOAT);
	ck_assert_int_eq(e->args[0]->kind, ORMC_AST_CALL);
	ck_assert_str_eq(e->args[0]->kw[0], "a");
	assert_text(e, t, t);
	assert_text(e->args[0], t, "Q(a=1)");
}
END_TEST

START_TEST(test_call_empty_and_chain)
{
	const char *t = "Publisher.objects.filter(book__rating__gt=3.0)"
	                ".annotate(num_books=Count(\"book\"))"
	                ".order_by(\"-num_books\")[:5]";
	ormc_ast *e = expr(t), *c;

	ck_assert_int_eq(e->kind, ORMC_AST_SLICE);
	ck_assert_ptr_null(e->right);
	ck_assert_int_eq(e->third->kind, ORMC_AST_INT);
	ck_assert_int_eq(e->third->ival, 5);
	c = e->left;
	ck_assert_int_eq(c->kind, ORMC_AST_CALL);
	ck_assert_str_eq(c->left->str, "order_by");
	ck_assert_str_eq(c->args[0]->str, "-num_books");
	c = c->left->left;
	ck_assert_str_eq(c->left->str, "annotate");
	ck_assert_str_eq(c->kw[0], "num_books");
	ck_assert_int_eq(c->args[0]->kind, ORMC_AST_CALL);
	assert_name(c->args[0]->left, "Count");

	e = expr("Book.objects.all()");
	ck_assert_int_eq(e->kind, ORMC_AST_CALL);
	ck_assert_int_eq(e->nargs, 0);
	e = expr("f()()");
	ck_assert_int_eq(e->kind, ORMC_AST_CALL);
	ck_assert_int_eq(e->left->kind, ORMC_AST_CALL);
	ck_assert_int_eq(e->name_pos, -1);
}
END_TEST

/* ---- literals ---------------------------------------------------------- */

START_TEST(test_strings)
{
	ormc_ast *e;

	e = expr("'abc'");
	ck_assert_int_eq(e->kind, ORMC_AST_STR);
	ck_assert_str_eq(e->str, "abc");
	e = expr("\"it's\"");
	ck_assert_str_eq(e->str, "it's");
	e = expr("'a\\'b\\n\\t\\\\\\x41\\u00e9\\101'");
	ck_assert_str_eq(e->str, "a'b\n\t\\A\xc3\xa9" "A");
	e = expr("r'\\d+\\.'");
	ck_assert_str_eq(e->str, "\\d+\\.");
	e = expr("'a' \"b\"\n");
	ck_assert_str_eq(e->str, "ab");
	ck_assert_int_eq(e->pos, 0);
	ck_assert_int_eq(e->end, 7);
	e = expr("('a'\n 'b')");
	ck_assert_str_eq(e->str, "ab");
	e = expr("'x\\0y'");
	ck_assert_uint_eq(e->len, 3);
	ck_assert_int_eq(e->str[1], 0);
	e = expr("'''tri\nple'''");
	ck_assert_str_eq(e->str, "tri\nple");
	e = expr("u'\\q'");
	ck_assert_str_eq(e->str, "\\q");
	e = expr("''");
	ck_assert_uint_eq(e->len, 0);
}
END_TEST

START_TEST(test_numbers)
{
	ormc_ast *e;

	e = expr("42");
	ck_assert_int_eq(e->kind, ORMC_AST_INT);
	ck_assert_int_eq(e->ival, 42);
	e = expr("1_000_000");
	ck_assert_int_eq(e->ival, 1000000);
	e = expr("0x1F");
	ck_assert_int_eq(e->ival, 31);
	e = expr("0");
	ck_assert_int_eq(e->ival, 0);
	e = expr("9223372036854775807");
	ck_assert(e->ival == INT64_MAX);
	e = expr("1.5");
	ck_assert_int_eq(e->kind, ORMC_AST_FLOAT);
	ck_assert_double_eq(e->fval, 1.5);
	ck_assert_str_eq(e->str, "1.5");
	e = expr("3.0");
	ck_assert_str_eq(e->str, "3.0");
	ck_assert_double_eq(e->fval, 3.0);
	e = expr("1e3");
	ck_assert_int_eq(e->kind, ORMC_AST_FLOAT);
	ck_assert_double_eq(e->fval, 1000.0);
	ck_assert_str_eq(e->str, "1e3");
	e = expr(".5");
	ck_assert_double_eq(e->fval, 0.5);
	e = expr("2.5E-1");
	ck_assert_double_eq(e->fval, 0.25);
}
END_TEST

START_TEST(test_constants)
{
	ck_assert_int_eq(expr("True")->kind, ORMC_AST_TRUE);
	ck_assert_int_eq(expr("False")->kind, ORMC_AST_FALSE);
	ck_assert_int_eq(expr("None")->kind, ORMC_AST_NONE);
	assert_name(expr("Truex"), "Truex");
}
END_TEST

/* ---- lists and tuples --------------------------------------------------- */

START_TEST(test_lists_tuples)
{
	ormc_ast *e;

	e = expr("[1, 'a', [2]]");
	ck_assert_int_eq(e->kind, ORMC_AST_LIST);
	ck_assert_int_eq(e->nargs, 3);
	ck_assert_int_eq(e->args[2]->kind, ORMC_AST_LIST);
	e = expr("[]");
	ck_assert_int_eq(e->kind, ORMC_AST_LIST);
	ck_assert_int_eq(e->nargs, 0);
	e = expr("[1, 2,]");
	ck_assert_int_eq(e->nargs, 2);
	e = expr("()");
	ck_assert_int_eq(e->kind, ORMC_AST_TUPLE);
	ck_assert_int_eq(e->nargs, 0);
	e = expr("(x,)");
	ck_assert_int_eq(e->kind, ORMC_AST_TUPLE);
	ck_assert_int_eq(e->nargs, 1);
	e = expr("(x)");
	assert_name(e, "x");
	e = expr("(1, 2)");
	ck_assert_int_eq(e->kind, ORMC_AST_TUPLE);
	ck_assert_int_eq(e->nargs, 2);
	ck_assert_int_eq(e->pos, 0);
	ck_assert_int_eq(e->end, 6);
	e = expr("1, 'label'");
	ck_assert_int_eq(e->kind, ORMC_AST_TUPLE);
	ck_assert_int_eq(e->nargs, 2);
	e = expr("[\n  'a',\n  'b',\n]");
	ck_assert_int_eq(e->nargs, 2);
}
END_TEST

/* ---- operators and precedence ------------------------------------------ */

START_TEST(test_unary)
{
	ormc_ast *e;

	e = expr("-1");
	ck_assert_int_eq(e->kind, ORMC_AST_NEG);
	ck_assert_int_eq(e->left->kind, ORMC_AST_INT);
	ck_assert_int_eq(e->pos, 0);
	e = expr("~Q(a=1)");
	ck_assert_int_eq(e->kind, ORMC_AST_INVERT);
	ck_assert_int_eq(e->left->kind, ORMC_AST_CALL);
	e = expr("+x");
	assert_name(e, "x");
	e = expr("--x");
	ck_assert_int_eq(e->kind, ORMC_AST_NEG);
	ck_assert_int_eq(e->left->kind, ORMC_AST_NEG);
	/* unary binds tighter than *, looser than call/attr */
	e = expr("-a.b * c");
	ck_assert_int_eq(e->kind, ORMC_AST_BINOP);
	ck_assert_int_eq(e->op, '*');
	ck_assert_int_eq(e->left->kind, ORMC_AST_NEG);
	ck_assert_int_eq(e->left->left->kind, ORMC_AST_ATTR);
}
END_TEST

START_TEST(test_precedence)
{
	ormc_ast *e;

	/* a | (b & (c + (d * (-e)))) */
	e = expr("a | b & c + d * -e");
	ck_assert_int_eq(e->op, '|');
	assert_name(e->left, "a");
	ck_assert_int_eq(e->right->op, '&');
	ck_assert_int_eq(e->right->right->op, '+');
	ck_assert_int_eq(e->right->right->right->op, '*');
	ck_assert_int_eq(e->right->right->right->right->kind, ORMC_AST_NEG);

	/* left associative */
	e = expr("a - b - c");
	ck_assert_int_eq(e->op, '-');
	ck_assert_int_eq(e->left->op, '-');
	assert_name(e->right, "c");
	e = expr("a / b % c * d");
	ck_assert_int_eq(e->op, '*');
	ck_assert_int_eq(e->left->op, '%');
	ck_assert_int_eq(e->left->left->op, '/');

	/* & binds tighter than | */
	e = expr("Q(a=1) & Q(b=2) | ~Q(c=3)");
	ck_assert_int_eq(e->op, '|');
	ck_assert_int_eq(e->left->op, '&');
	ck_assert_int_eq(e->right->kind, ORMC_AST_INVERT);

	/* parentheses */
	e = expr("(a | b) & c");
	ck_assert_int_eq(e->op, '&');
	ck_assert_int_eq(e->left->op, '|');
	e = expr("Sum(F('price') * F('qty'), output_field=DecimalField()) - 1");
	ck_assert_int_eq(e->op, '-');
	ck_assert_int_eq(e->left->kind, ORMC_AST_CALL);
	ck_assert_int_eq(e->left->args[0]->op, '*');

	e = expr("a + b");
	ck_assert_int_eq(e->pos, 0);
	ck_assert_int_eq(e->end, 5);
}
END_TEST

/* ---- subscripts and slices ---------------------------------------------- */

START_TEST(test_subscripts)
{
	const char *t;
	ormc_ast *e;

	e = expr("qs[0]");
	ck_assert_int_eq(e->kind, ORMC_AST_INDEX);
	assert_name(e->left, "qs");
	ck_assert_int_eq(e->right->ival, 0);
	ck_assert_int_eq(e->name_pos, 2);
	e = expr("qs[:5]");
	ck_assert_int_eq(e->kind, ORMC_AST_SLICE);
	ck_assert_ptr_null(e->right);
	ck_assert_int_eq(e->third->ival, 5);
	e = expr("qs[2:5]");
	ck_assert_int_eq(e->right->ival, 2);
	ck_assert_int_eq(e->third->ival, 5);
	e = expr("qs[2:]");
	ck_assert_int_eq(e->right->ival, 2);
	ck_assert_ptr_null(e->third);
	e = expr("qs[:]");
	ck_assert_int_eq(e->kind, ORMC_AST_SLICE);
	ck_assert_ptr_null(e->right);
	ck_assert_ptr_null(e->third);
	e = expr("qs[1:2:]");
	ck_assert_int_eq(e->kind, ORMC_AST_SLICE);
	t = "x.values('a')[0]['a']";
	e = expr(t);
	ck_assert_int_eq(e->kind, ORMC_AST_INDEX);
	ck_assert_int_eq(e->left->kind, ORMC_AST_INDEX);
	ck_assert_str_eq(e->right->str, "a");
	assert_text(e, t, t);
}
END_TEST

/* ---- scripts -------------------------------------------------------------- */

static ormc_script
script(const char *text)
{
	ormc_script s;
	int rc = ormc_parse_script(&arena, text, strlen(text), &s, &err);
	int k;

	ck_assert_msg(rc == ORMC_OK, "script failed: %s at %d", err.message,
	              err.offset);
	for (k = 0; k < s.nstmts; k++)
		check_spans(s.stmts[k].expr, text);
	return s;
}

START_TEST(test_script_plain)
{
	const char *t =
		"from django.db.models import Avg, Count\n"
		"from django.db.models import (\n    Max,\n    Min,\n)\n"
		"import decimal\n"
		"\n"
		"# a comment\n"
		"q = Book.objects.annotate(Count('authors'))  # trailing\n"
		"q[0].authors__count\n"
		"a = 1; b = 2\n";
	ormc_script s = script(t);

	ck_assert_int_eq(s.nstmts, 4);
	ck_assert_str_eq(s.stmts[0].target, "q");
	ck_assert_int_eq(s.stmts[0].target_pos, (int)(strstr(t, "q =") - t));
	ck_assert_int_eq(s.stmts[0].expr->kind, ORMC_AST_CALL);
	ck_assert_ptr_null(s.stmts[1].target);
	ck_assert_int_eq(s.stmts[1].target_pos, -1);
	ck_assert_int_eq(s.stmts[1].expr->kind, ORMC_AST_ATTR);
	ck_assert_str_eq(s.stmts[2].target, "a");
	ck_assert_str_eq(s.stmts[3].target, "b");
	ck_assert_int_eq(s.stmts[3].expr->ival, 2);
}
END_TEST

START_TEST(test_script_prompts)
{
	const char *t =
		">>> from django.db.models import Count, Q\n"
		">>> above_5 = Count('book', filter=Q(book__rating__gt=5))\n"
		">>> pubs = Publisher.objects.annotate(\n"
		"...     below_5=below_5,\n"
		"... ).annotate(above_5=above_5)\n"
		">>>\n"
		"    >>> pubs[0].above_5\n"
		">>> Book.objects.filter(x=1)\n"
		"...     .count()\n";
	ormc_script s = script(t);
	const ormc_ast *e;

	ck_assert_int_eq(s.nstmts, 4);
	ck_assert_str_eq(s.stmts[0].target, "above_5");
	ck_assert_int_eq(s.stmts[0].target_pos, (int)(strstr(t, "above_5 =") - t));
	ck_assert_str_eq(s.stmts[1].target, "pubs");
	e = s.stmts[1].expr;
	ck_assert_int_eq(e->kind, ORMC_AST_CALL);
	ck_assert_str_eq(e->kw[0], "above_5");
	/* offsets are those of the original text, prompts included */
	ck_assert_int_eq(e->left->left->kw_pos[0], (int)(strstr(t, "below_5=") - t));
	ck_assert_int_eq(s.stmts[2].expr->kind, ORMC_AST_ATTR);
	ck_assert_int_eq(s.stmts[2].expr->pos, (int)(strstr(t, "pubs[0]") - t));
	/* a `...` line continues the statement even outside brackets */
	ck_assert_int_eq(s.stmts[3].expr->kind, ORMC_AST_CALL);
	ck_assert_str_eq(s.stmts[3].expr->left->str, "count");
}
END_TEST

START_TEST(test_script_seed_forms)
{
	/* Seed 002 style: parenthesised chains over several lines. */
	const char *t =
		"(User.objects\n"
		".values('is_active')\n"
		".annotate(total=Count('id'))\n"
		".order_by('is_active'))\n"
		"\n"
		"User.objects.aggregate(total=Count('id'))\\\n"
		"  \n";
	ormc_script s = script(t);

	ck_assert_int_eq(s.nstmts, 2);
	ck_assert_int_eq(s.stmts[0].expr->kind, ORMC_AST_CALL);
	ck_assert_str_eq(s.stmts[0].expr->left->str, "order_by");
	ck_assert_str_eq(s.stmts[1].expr->left->str, "aggregate");

	s = script("");
	ck_assert_int_eq(s.nstmts, 0);
	s = script("# nothing\n\n>>> \n");
	ck_assert_int_eq(s.nstmts, 0);
	s = script("x = 1\r\ny = 2\r\n");
	ck_assert_int_eq(s.nstmts, 2);
}
END_TEST

START_TEST(test_lexer_tokens)
{
	ormc_tokens toks;
	const char *t = "class A(models.Model):\n    x = f(a,\n  b)  # c\n\ty = 'a' \\\n  'b'\n";
	int rc = ormc_lex(&arena, t, strlen(t), 0, &toks, &err);

	ck_assert_int_eq(rc, ORMC_OK);
	ck_assert_int_eq(toks.tok[0].kind, ORMC_TOK_NAME);
	ck_assert(toks.tok[0].flags & ORMC_TOKF_BOL);
	ck_assert_int_eq(toks.tok[0].indent, 0);
	ck_assert(ormc_tok_is_name(&toks.tok[0], "class"));
	ck_assert(ormc_tok_is_op(&toks.tok[2], "("));
	ck_assert_int_eq(toks.tok[3].depth, 1);
	/* "x" starts a logical line indented 4; "b" continues it */
	ck_assert(ormc_tok_is_name(&toks.tok[9], "x"));
	ck_assert_int_eq(toks.tok[9].indent, 4);
	ck_assert(ormc_tok_is_name(&toks.tok[15], "b"));
	ck_assert(!(toks.tok[15].flags & ORMC_TOKF_BOL));
	ck_assert_int_eq(toks.tok[15].indent, 4);
	ck_assert_int_eq(toks.tok[17].kind, ORMC_TOK_NEWLINE);
	/* a tab indents to 8 */
	ck_assert(ormc_tok_is_name(&toks.tok[18], "y"));
	ck_assert_int_eq(toks.tok[18].indent, 8);
	ck_assert_int_eq(toks.tok[20].kind, ORMC_TOK_STRING);
	ck_assert_int_eq(toks.tok[21].kind, ORMC_TOK_STRING);
	ck_assert_int_eq(toks.tok[22].kind, ORMC_TOK_NEWLINE);
	ck_assert_int_eq(toks.tok[toks.n - 1].kind, ORMC_TOK_EOF);
	ck_assert_int_eq(toks.n, 24);

	/* every Python token lexes, even those the parser rejects */
	t = "def f(*a, **k) -> None: return f\"{x!r}\" if a != b else {1: 2} @ c ** d // e";
	rc = ormc_lex(&arena, t, strlen(t), 0, &toks, &err);
	ck_assert_int_eq(rc, ORMC_OK);
	ck_assert(ormc_is_keyword("lambda"));
	ck_assert(!ormc_is_keyword("Count"));
}
END_TEST

/* ---- errors ----------------------------------------------------------------- */

struct bad_case {
	const char *text;
	int code;
	int offset;
	int length;
	const char *message;  /* substring */
};

static const struct bad_case bad_cases[] = {
	{ "Book.objects.filter(", ORMC_EPARSE, 19, 1, "'(' was never closed" },
	{ "f(a, [b)", ORMC_EPARSE, 7, 1, "closing parenthesis ')' does not match opening parenthesis '['" },
	{ "f(a))", ORMC_EPARSE, 4, 1, "unmatched ')'" },
	{ "f(a b)", ORMC_EPARSE, 4, 1, "Perhaps you forgot a comma?" },
	{ "f(,)", ORMC_EPARSE, 2, 1, "invalid syntax" },
	{ "f(a=)", ORMC_EPARSE, 4, 1, "expected argument value expression" },
	{ "f(x=1, 2)", ORMC_EPARSE, 7, 1, "positional argument follows keyword argument" },
	{ "f(x=1, x=2)", ORMC_EPARSE, 7, 1, "keyword argument repeated: x" },
	{ "x = 'abc", ORMC_EPARSE, 4, 4, "unterminated string literal" },
	{ "x = '''abc\n", ORMC_EPARSE, 4, 7, "unterminated triple-quoted string literal" },
	{ "a +", ORMC_EPARSE, 3, 1, "invalid syntax" },
	{ "Book.objects.", ORMC_EPARSE, 13, 1, "invalid syntax" },
	{ "a.1", ORMC_EPARSE, 1, 2, "invalid syntax" },
	{ "x = $", ORMC_EPARSE, 4, 1, "invalid syntax" },
	{ "12abc", ORMC_EPARSE, 0, 3, "invalid decimal literal" },
	{ "007", ORMC_EPARSE, 0, 3, "leading zeros" },
	{ "'\\x4'", ORMC_EPARSE, 1, 3, "truncated \\x escape" },
	{ "a = \\ b", ORMC_EPARSE, 4, 1, "unexpected character after line continuation character" },
	{ ">>> x = f(\n>>> y", ORMC_EPARSE, 9, 1, "'(' was never closed" },
	{ "qs[]", ORMC_EPARSE, 3, 1, "unexpected ']'" },
	{ "True = 1", ORMC_EPARSE, 0, 4, "cannot assign to True" },
	{ "f(None=1)", ORMC_EPARSE, 2, 4, "cannot assign to None" },
	{ "x = ", ORMC_EPARSE, 4, 1, "invalid syntax" },
	/* valid Python ormc does not read */
	{ "a, b = 1, 2", ORMC_EUNSUPPORTED, 0, 4, "tuple assignment is not supported" },
	{ "q.x = 1", ORMC_EUNSUPPORTED, 0, 3, "only assignment to a plain name" },
	{ "a = b = 1", ORMC_EUNSUPPORTED, 6, 1, "chained assignment" },
	{ "a += 1", ORMC_EUNSUPPORTED, 2, 2, "augmented assignment" },
	{ "Q(a=1) and Q(b=2)", ORMC_EUNSUPPORTED, 7, 3, "'and' is not supported" },
	{ "not x", ORMC_EUNSUPPORTED, 0, 3, "'not' is not supported" },
	{ "f(rating > 3)", ORMC_EUNSUPPORTED, 9, 1, "comparison operators are not supported" },
	{ "F('a') ** 2", ORMC_EUNSUPPORTED, 7, 2, "operator '**' is not supported" },
	{ "f({'a': 1})", ORMC_EUNSUPPORTED, 2, 1, "dict and set displays" },
	{ "f(**kw)", ORMC_EUNSUPPORTED, 2, 2, "argument unpacking" },
	{ "[x for x in y]", ORMC_EUNSUPPORTED, 3, 3, "comprehensions are not supported" },
	{ "lambda: 1", ORMC_EUNSUPPORTED, 0, 6, "lambda is not supported" },
	{ "qs[::2]", ORMC_EUNSUPPORTED, 5, 1, "slice step is not supported" },
	{ "f'{x}'", ORMC_EUNSUPPORTED, 0, 6, "f-strings are not supported" },
	{ "b'x'", ORMC_EUNSUPPORTED, 0, 4, "bytes literals are not supported" },
	{ "3j", ORMC_EUNSUPPORTED, 0, 2, "complex numbers" },
	{ "99999999999999999999", ORMC_EUNSUPPORTED, 0, 20, "integer literal too large" },
	{ "for x in y: pass", ORMC_EUNSUPPORTED, 0, 3, "'for' statements are not supported" },
	{ "x if y else z", ORMC_EUNSUPPORTED, 2, 2, "conditional expressions" },
};

START_TEST(test_errors)
{
	const struct bad_case *c = &bad_cases[_i];
	ormc_script s;
	int rc = ormc_parse_script(&arena, c->text, strlen(c->text), &s, &err);

	ck_assert_msg(rc == c->code, "<%s>: rc %d, want %d (%s)", c->text, rc,
	              c->code, err.message);
	ck_assert_int_eq(err.code, c->code);
	ck_assert_msg(strstr(err.message, c->message) != NULL,
	              "<%s>: message <%s> lacks <%s>", c->text, err.message,
	              c->message);
	ck_assert_msg(err.offset == c->offset && err.length == c->length,
	              "<%s>: at %d+%d, want %d+%d (%s)", c->text, err.offset,
	              err.length, c->offset, c->length, err.message);
	ck_assert_ptr_eq(err.source, c->text);
}
END_TEST

START_TEST(test_expr_errors)
{
	ormc_ast *e = (ormc_ast *)1;
	char buf[1024];

	ck_assert_int_eq(ormc_parse_expr(&arena, "a; b", 4, &e, &err), ORMC_EPARSE);
	ck_assert_ptr_null(e);
	ck_assert_int_eq(err.offset, 1);
	ck_assert_int_eq(ormc_parse_expr(&arena, "", 0, &e, &err), ORMC_EPARSE);
	ck_assert_int_eq(ormc_parse_expr(&arena, "x = 1", 5, &e, &err), ORMC_EPARSE);
	ck_assert_int_eq(err.offset, 2);
	/* the error formats with a caret under the token */
	ck_assert_int_eq(ormc_parse_expr(&arena, "Count('id'", 10, &e, &err),
	                 ORMC_EPARSE);
	ormc_error_format(&err, buf, sizeof(buf));
	ck_assert_msg(strstr(buf, "'(' was never closed") != NULL, "%s", buf);
	ck_assert_msg(strstr(buf, "line 1, column 6") != NULL, "%s", buf);
	/* a parse limited to a token range stops at its end */
	{
		ormc_tokens toks;
		const char *t = "f(1 + 2, x)";

		ck_assert_int_eq(ormc_lex(&arena, t, strlen(t), 0, &toks, &err), 0);
		ck_assert_int_eq(ormc_parse_tokens(&arena, t, &toks, 2, 5, &e, &err), 0);
		ck_assert_int_eq(e->op, '+');
		ck_assert_int_eq(ormc_parse_tokens(&arena, t, &toks, 2, 4, &e, &err),
		                 ORMC_EPARSE);
		ck_assert_int_eq(err.offset, 6);
	}
}
END_TEST

START_TEST(test_deep_nesting)
{
	char buf[2100];
	ormc_ast *e;
	int k;

	/* 150 nested lists parse; 300 hit the bracket limit cleanly */
	for (k = 0; k < 150; k++)
		buf[k] = '[';
	for (k = 0; k < 150; k++)
		buf[150 + k] = ']';
	buf[300] = '\0';
	ck_assert_int_eq(ormc_parse_expr(&arena, buf, 300, &e, &err), ORMC_OK);
	for (k = 0; k < 300; k++)
		buf[k] = '(';
	buf[300] = '\0';
	ck_assert_int_eq(ormc_parse_expr(&arena, buf, 300, &e, &err), ORMC_EPARSE);
	ck_assert_msg(strstr(err.message, "too many nested") != NULL, "%s",
	              err.message);
	for (k = 0; k < 2000; k++)
		buf[k] = '-';
	buf[2000] = 'x';
	buf[2001] = '\0';
	ck_assert_int_eq(ormc_parse_expr(&arena, buf, 2001, &e, &err), ORMC_EPARSE);
}
END_TEST

/*
 * A long `__in` list (issue 7): what the lexer and parser take must grow
 * with the text, not with its square. The lexer once sized each number's
 * buffer by all the text after it, so 30,000 numbers took 2.6 GB. The
 * measure is what the arena took from malloc (it counts under ASan too).
 * 10,000 elements come first: there the old cost (about 300 MB) fails the
 * bound cleanly instead of exhausting the machine at 100,000.
 */
static char *
in_list_query(int n)
{
	size_t cap = (size_t)n * 12 + 64, len;
	char *s = malloc(cap);
	int k;

	ck_assert_ptr_nonnull(s);
	len = (size_t)snprintf(s, cap, "Book.objects.filter(id__in=[");
	for (k = 1; k <= n; k++)
		len += (size_t)snprintf(s + len, cap - len, "%s%d", k > 1 ? ", " : "", k);
	snprintf(s + len, cap - len, "]).count()");
	return s;
}

START_TEST(test_long_in_list)
{
	static const int sizes[] = { 10000, 100000 };
	size_t z;

	for (z = 0; z < sizeof(sizes) / sizeof(sizes[0]); z++) {
		int n = sizes[z];
		char *text = in_list_query(n);
		ormc_ast *e = NULL;
		const ormc_ast *filter, *list;
		char last[16];
		int rc;

		ormc_arena_free(&arena);
		ormc_arena_init(&arena);
		rc = ormc_parse_expr(&arena, text, strlen(text), &e, &err);
		ck_assert_msg(rc == ORMC_OK, "%d elements: %s", n, err.message);
		/* count() of filter(...) of Book.objects */
		ck_assert_int_eq(e->kind, ORMC_AST_CALL);
		filter = e->left->left;
		ck_assert_int_eq(filter->kind, ORMC_AST_CALL);
		ck_assert_int_eq(filter->nargs, 1);
		ck_assert_str_eq(filter->kw[0], "id__in");
		list = filter->args[0];
		ck_assert_int_eq(list->kind, ORMC_AST_LIST);
		ck_assert_int_eq(list->nargs, n);
		ck_assert_int_eq(list->args[0]->ival, 1);
		ck_assert_int_eq(list->args[n - 1]->ival, n);
		snprintf(last, sizeof(last), "%d", n);
		ck_assert_str_eq(list->args[n - 1]->str, last);
		/* about 520 bytes an element today (tokens, nodes, digits) */
		ck_assert_msg(arena.bytes < (size_t)n * 1024,
		              "%d elements took %zu bytes (%zu an element)", n,
		              arena.bytes, arena.bytes / (size_t)n);
		free(text);
	}
}
END_TEST

/* Limits are errors that say so, never a quiet cut. */
START_TEST(test_limits)
{
	char text[1100], name[451];
	ormc_tokens toks;
	ormc_ast *e;

	/* 1 GiB of text at most: refused before a byte is read */
	ck_assert_int_eq(ormc_lex(&arena, "x", ((size_t)1 << 30) + 1, 0, &toks, &err),
	                 ORMC_EUNSUPPORTED);
	ck_assert_msg(strstr(err.message, "text too long") != NULL, "%s", err.message);
	/* a message naming a long identifier keeps all of it */
	memset(name, 'k', 450);
	name[450] = '\0';
	snprintf(text, sizeof(text), "f(%s=1, %s=2)", name, name);
	ck_assert_int_eq(ormc_parse_expr(&arena, text, strlen(text), &e, &err), ORMC_EPARSE);
	ck_assert_msg(strncmp(err.message, "keyword argument repeated: ", 27) == 0 &&
	              strcmp(err.message + 27, name) == 0, "%s", err.message);
}
END_TEST

static Suite *
parser_suite(void)
{
	Suite *s = suite_create("parser");
	TCase *tc;

	tc = tcase_create("names_calls");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_name_attr);
	tcase_add_test(tc, test_call_args);
	tcase_add_test(tc, test_call_empty_and_chain);
	suite_add_tcase(s, tc);

	tc = tcase_create("literals");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_strings);
	tcase_add_test(tc, test_numbers);
	tcase_add_test(tc, test_constants);
	tcase_add_test(tc, test_lists_tuples);
	suite_add_tcase(s, tc);

	tc = tcase_create("operators");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_unary);
	tcase_add_test(tc, test_precedence);
	tcase_add_test(tc, test_subscripts);
	suite_add_tcase(s, tc);

	tc = tcase_create("scripts");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_script_plain);
	tcase_add_test(tc, test_script_prompts);
	tcase_add_test(tc, test_script_seed_forms);
	tcase_add_test(tc, test_lexer_tokens);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_errors, 0,
	                    (int)(sizeof(bad_cases) / sizeof(bad_cases[0])));
	tcase_add_test(tc, test_expr_errors);
	tcase_add_test(tc, test_deep_nesting);
	suite_add_tcase(s, tc);

	/* generous for sanitizer builds: the 100,000-element parse takes well under a second */
	tc = tcase_create("limits");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_long_in_list);
	tcase_add_test(tc, test_limits);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(parser_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed != 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
