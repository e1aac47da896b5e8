/*
 * schema.c -- the models.py reader and the model graph lookups; see
 * core/schema.h for the structures and include/ormc/schema.h for the API.
 *
 * Reading happens in two passes. The first walks the statements (logical
 * lines from the lexer, grouped into blocks by indentation) and records
 * models, fields, Meta options, class constants and enums; it parses only
 * the call arguments it needs, so choices=[... for v in E], lambdas and
 * anything else a real models file holds are skipped as token ranges. The
 * second pass, once every class is known, resolves relation targets
 * (forward references, "self", "app.Model"), names join tables and columns,
 * and adds the reverse ends, checking their names as Django's system checks
 * do (fields.E300, E303, E305).
 */
#include "schema.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "lexer.h"

/* A logical line: tokens [start, end), NEWLINE excluded. */
typedef struct stmt {
	int start;
	int end;
	int indent;
} stmt;

/* A relation field waiting for the second pass. */
typedef struct pending_rel {
	ormc_field *field;
	const char *target;     /* model name as written, "self" resolved */
	int target_pos;
	int target_len;
	int self_written;       /* target written as "self" */
	int symmetrical_given;  /* -1 if not given, else 0/1 */
	const char *db_table;   /* ManyToManyField(db_table=...) */
} pending_rel;

/* Per-model state of the reader. */
typedef struct model_state {
	ormc_model *model;
	ormc_ptrvec fields;
	ormc_ptrvec const_names;
	ormc_ptrvec const_values;
	ormc_ptrvec ordering;
	ormc_ptrvec unique_sets;   /* Meta.unique_together: a LIST/TUPLE AST of names each */
	const char *db_table;   /* Meta.db_table */
	const char *app_label;  /* Meta.app_label, else the option */
} model_state;

typedef struct reader {
	ormc_schema *s;
	ormc_arena *a;
	const char *text;
	ormc_tokens toks;
	stmt *st;
	int nst;
	ormc_error *err;
	ormc_ptrvec models;     /* model_state * */
	ormc_ptrvec enums;      /* ormc_enum * */
	ormc_ptrvec rels;       /* pending_rel * */
} reader;

static const struct field_class {
	const char *name;
	ormc_field_kind kind;
	int max_length;         /* Django's default, -1 for none */
} field_classes[] = {
	{ "AutoField", ORMC_FIELD_AUTO, -1 },
	{ "BigAutoField", ORMC_FIELD_BIGAUTO, -1 },
	{ "SmallAutoField", ORMC_FIELD_SMALLAUTO, -1 },
	{ "CharField", ORMC_FIELD_CHAR, -1 },
	{ "SlugField", ORMC_FIELD_CHAR, 50 },
	{ "EmailField", ORMC_FIELD_CHAR, 254 },
	{ "URLField", ORMC_FIELD_CHAR, 200 },
	{ "FileField", ORMC_FIELD_CHAR, 100 },
	{ "ImageField", ORMC_FIELD_CHAR, 100 },
	{ "FilePathField", ORMC_FIELD_CHAR, 100 },
	{ "GenericIPAddressField", ORMC_FIELD_CHAR, 39 },
	{ "TextField", ORMC_FIELD_TEXT, -1 },
	{ "IntegerField", ORMC_FIELD_INTEGER, -1 },
	{ "BigIntegerField", ORMC_FIELD_BIGINTEGER, -1 },
	{ "SmallIntegerField", ORMC_FIELD_SMALLINTEGER, -1 },
	{ "PositiveIntegerField", ORMC_FIELD_POSITIVEINTEGER, -1 },
	{ "PositiveSmallIntegerField", ORMC_FIELD_POSITIVEINTEGER, -1 },
	{ "PositiveBigIntegerField", ORMC_FIELD_POSITIVEINTEGER, -1 },
	{ "FloatField", ORMC_FIELD_FLOAT, -1 },
	{ "DecimalField", ORMC_FIELD_DECIMAL, -1 },
	{ "BooleanField", ORMC_FIELD_BOOLEAN, -1 },
	{ "NullBooleanField", ORMC_FIELD_BOOLEAN, -1 },
	{ "DateField", ORMC_FIELD_DATE, -1 },
	{ "DateTimeField", ORMC_FIELD_DATETIME, -1 },
	{ "TimeField", ORMC_FIELD_TIME, -1 },
	{ "DurationField", ORMC_FIELD_DURATION, -1 },
	{ "UUIDField", ORMC_FIELD_UUID, -1 },
	{ "ForeignKey", ORMC_FIELD_FOREIGNKEY, -1 },
	{ "OneToOneField", ORMC_FIELD_ONETOONE, -1 },
	{ "ManyToManyField", ORMC_FIELD_MANYTOMANY, -1 },
	{ NULL, ORMC_FIELD_AUTO, -1 }
};

/* Base classes that make a class an enum (schema->enums). */
static const char *const enum_bases[] = {
	"Enum", "IntEnum", "StrEnum", "Flag", "IntFlag", "Choices",
	"IntegerChoices", "TextChoices", NULL
};

/* ---- lookups ---------------------------------------------------------- */

ormc_model *
ormc_schema_model(const ormc_schema *s, const char *name)
{
	int i;

	if (s == NULL || name == NULL)
		return NULL;
	for (i = 0; i < s->nmodels; i++)
		if (strcmp(s->models[i]->name, name) == 0)
			return s->models[i];
	return NULL;
}

/*
 * "pk" is the primary key; a relation's attname ("publisher_id") finds the
 * relation, as Django's _forward_fields_map does.
 */
ormc_field *
ormc_model_field(const ormc_model *m, const char *name)
{
	int i;
	size_t n;

	if (m == NULL || name == NULL)
		return NULL;
	if (strcmp(name, "pk") == 0)
		return m->pk;
	for (i = 0; i < m->nfields; i++)
		if (strcmp(m->fields[i]->name, name) == 0)
			return m->fields[i];
	n = strlen(name);
	if (n > 3 && strcmp(name + n - 3, "_id") == 0) {
		for (i = 0; i < m->nfields; i++) {
			ormc_field *f = m->fields[i];

			if ((f->kind == ORMC_FIELD_FOREIGNKEY ||
			     f->kind == ORMC_FIELD_ONETOONE) &&
			    strlen(f->name) == n - 3 &&
			    strncmp(f->name, name, n - 3) == 0)
				return f;
		}
	}
	return NULL;
}

const ormc_enum *
ormc_schema_enum(const ormc_schema *s, const char *name)
{
	int i;

	if (s == NULL || name == NULL)
		return NULL;
	for (i = 0; i < s->nenums; i++)
		if (strcmp(s->enums[i]->name, name) == 0)
			return s->enums[i];
	return NULL;
}

int
ormc_field_is_multi(const ormc_field *f)
{
	return f->kind == ORMC_FIELD_REVERSE_FK ||
	       f->kind == ORMC_FIELD_MANYTOMANY ||
	       f->kind == ORMC_FIELD_REVERSE_M2M;
}

int
ormc_field_is_relation(const ormc_field *f)
{
	return f->kind >= ORMC_FIELD_FOREIGNKEY;
}

int
ormc_field_is_concrete(const ormc_field *f)
{
	return f->kind < ORMC_FIELD_MANYTOMANY;
}

/* ---- helpers ---------------------------------------------------------- */

static int
nomem(reader *r)
{
	return ormc_error_set(r->err, ORMC_ENOMEM, NULL, -1, 0, "out of memory");
}

static const ormc_token *
tok(const reader *r, int i)
{
	return &r->toks.tok[i];
}

static char *
lower_dup(ormc_arena *a, const char *s)
{
	char *p = ormc_arena_strdup(a, s), *q;

	if (p != NULL)
		for (q = p; *q; q++)
			*q = (char)tolower((unsigned char)*q);
	return p;
}

static int
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int
is_literal(const ormc_ast *e)
{
	switch (e->kind) {
	case ORMC_AST_STR: case ORMC_AST_INT: case ORMC_AST_FLOAT:
	case ORMC_AST_TRUE: case ORMC_AST_FALSE: case ORMC_AST_NONE:
		return 1;
	case ORMC_AST_NEG:
		return e->left->kind == ORMC_AST_INT ||
		       e->left->kind == ORMC_AST_FLOAT;
	default:
		return 0;
	}
}

/* Parse tokens [a, b) as an expression, quietly: NULL if not parseable. */
static ormc_ast *
try_parse(reader *r, int a, int b)
{
	ormc_error scratch;
	ormc_ast *e = NULL;

	if (a >= b)
		return NULL;
	ormc_error_clear(&scratch);
	if (ormc_parse_tokens(r->a, r->text, &r->toks, a, b, &e, &scratch) < 0)
		return NULL;
	return e;
}

/* Index of the closer matching the opener at i (same depth). */
static int
match_close(const reader *r, int i, int end)
{
	int depth = tok(r, i)->depth, k;

	for (k = i + 1; k < end; k++)
		if (tok(r, k)->kind == ORMC_TOK_OP && tok(r, k)->depth == depth &&
		    strchr(")]}", tok(r, k)->str[0]) != NULL)
			return k;
	return -1;
}

/* First depth-0 op in [a, b), or -1. */
static int
find_op(const reader *r, int a, int b, const char *op)
{
	int k, depth = a < b ? tok(r, a)->depth : 0;

	for (k = a; k < b; k++)
		if (tok(r, k)->depth == depth && ormc_tok_is_op(tok(r, k), op))
			return k;
	return -1;
}

/*
 * Last component of a dotted name at [a, b) ("models.Model" -> "Model"),
 * or NULL if the range is not a dotted name.
 */
static const ormc_token *
dotted_last(const reader *r, int a, int b)
{
	int k;

	if (a >= b || (b - a) % 2 == 0)
		return NULL;
	for (k = a; k < b; k++) {
		const ormc_token *t = tok(r, k);

		if ((k - a) % 2 == 0 ? t->kind != ORMC_TOK_NAME
		                     : !ormc_tok_is_op(t, "."))
			return NULL;
	}
	return tok(r, b - 1);
}

/*
 * Statements [i+1, *end) indented deeper than statement i form its body.
 * Returns the body's indentation (that of its first statement), or -1 if
 * the block has no indented body.
 */
static int
block_body(const reader *r, int i, int *end)
{
	int j = i + 1;

	while (j < r->nst && r->st[j].indent > r->st[i].indent)
		j++;
	*end = j;
	return j > i + 1 ? r->st[i + 1].indent : -1;
}

/* ---- error helpers ---------------------------------------------------- */

static int
err_at(reader *r, int code, int pos, int len, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 5, 6)))
#endif
	;

/* ormc_error_set with the models text as source. */
static int
err_at(reader *r, int code, int pos, int len, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return ormc_error_set(r->err, code, r->text, pos, len, "%s", msg);
}

/* ---- fields ----------------------------------------------------------- */

/* One call argument: tokens [start, end), keyword name or NULL. */
typedef struct arg {
	const char *kw;
	int kw_pos;
	int start;
	int end;
} arg;

static int
arg_value(reader *r, const arg *g, ormc_ast **out)
{
	return ormc_parse_tokens(r->a, r->text, &r->toks, g->start, g->end, out,
	                         r->err);
}

static int
arg_int(reader *r, const arg *g, int *out)
{
	ormc_ast *e;
	int rc = arg_value(r, g, &e);

	if (rc < 0)
		return rc;
	if (e->kind != ORMC_AST_INT || e->ival > 1000000000)
		return ormc_error_set(r->err, ORMC_EINVALID, r->text, e->pos,
		                      e->end - e->pos,
		                      "'%s' must be a positive integer", g->kw);
	*out = (int)e->ival;
	return 0;
}

static int
arg_bool(reader *r, const arg *g, int *out)
{
	ormc_ast *e;
	int rc = arg_value(r, g, &e);

	if (rc < 0)
		return rc;
	if (e->kind != ORMC_AST_TRUE && e->kind != ORMC_AST_FALSE)
		return ormc_error_set(r->err, ORMC_EINVALID, r->text, e->pos,
		                      e->end - e->pos,
		                      "'%s' must be True or False", g->kw);
	*out = e->kind == ORMC_AST_TRUE;
	return 0;
}

static int
arg_str(reader *r, const arg *g, const char **out)
{
	ormc_ast *e;
	int rc = arg_value(r, g, &e);

	if (rc < 0)
		return rc;
	if (e->kind != ORMC_AST_STR)
		return ormc_error_set(r->err, ORMC_EINVALID, r->text, e->pos,
		                      e->end - e->pos, "'%s' must be a string",
		                      g->kw);
	*out = e->str;
	return 0;
}

/* The model a relation points at: Name, "Name", "app.Name", "self". */
static int
relation_target(reader *r, const arg *g, model_state *ms, pending_rel *pr)
{
	ormc_ast *e;
	int rc = arg_value(r, g, &e);
	const char *name, *dot;

	if (rc < 0)
		return rc;
	if (e->kind == ORMC_AST_NAME || e->kind == ORMC_AST_ATTR)
		name = e->str;
	else if (e->kind == ORMC_AST_STR)
		name = e->str;
	else
		return ormc_error_set(r->err, ORMC_EINVALID, r->text, e->pos,
		                      e->end - e->pos,
		                      "relation target must be a model class or a model name string");
	if (e->kind == ORMC_AST_STR && strcmp(name, "self") == 0) {
		name = ms->model->name;
		pr->self_written = 1;
	} else if ((dot = strrchr(name, '.')) != NULL) {
		name = dot + 1;
	}
	pr->target = name;
	pr->target_pos = e->pos;
	pr->target_len = e->end - e->pos;
	return 0;
}

/*
 * Split the arguments of the call whose '(' is token lp and ')' token rp
 * at top-level commas. Arguments are kept as token ranges and only the
 * ones a caller asks for are parsed, so arbitrary Python in the others
 * (choices comprehensions, lambdas, on_delete) never matters.
 */
static int
split_args(reader *r, int lp, int rp, arg **out, int *nout)
{
	int depth = tok(r, lp)->depth + 1, k, a = lp + 1, n = 0, cap = 8;
	arg *v = ormc_arena_alloc(r->a, sizeof(arg) * (size_t)cap);

	if (v == NULL)
		return nomem(r);
	for (k = lp + 1; k <= rp; k++) {
		const ormc_token *t = tok(r, k);

		if (k < rp && !(t->depth == depth && ormc_tok_is_op(t, ",")))
			continue;
		if (k > a) {
			if (n == cap) {
				arg *nv = ormc_arena_alloc(r->a, sizeof(arg) *
				                                 (size_t)cap * 2);

				if (nv == NULL)
					return nomem(r);
				memcpy(nv, v, sizeof(arg) * (size_t)n);
				v = nv;
				cap *= 2;
			}
			v[n].kw = NULL;
			v[n].kw_pos = -1;
			v[n].start = a;
			v[n].end = k;
			if (k - a >= 2 && tok(r, a)->kind == ORMC_TOK_NAME &&
			    ormc_tok_is_op(tok(r, a + 1), "=")) {
				v[n].kw = tok(r, a)->str;
				v[n].kw_pos = tok(r, a)->pos;
				v[n].start = a + 2;
			}
			n++;
		}
		a = k + 1;
	}
	*out = v;
	*nout = n;
	return 0;
}

static ormc_field *
new_field(reader *r, model_state *ms, const char *name, int pos)
{
	ormc_field *f = ormc_arena_alloc(r->a, sizeof(*f));

	if (f == NULL)
		return NULL;
	f->name = name;
	f->model = ms->model;
	f->pos = pos;
	f->max_length = -1;
	f->max_digits = -1;
	f->decimal_places = -1;
	return f;
}

/* Add f to the model; a second field of the same name replaces the first. */
static int
add_field(reader *r, model_state *ms, ormc_field *f)
{
	int k;

	for (k = 0; k < ms->fields.n; k++) {
		ormc_field *g = ms->fields.items[k];

		if (strcmp(g->name, f->name) == 0) {
			ms->fields.items[k] = f;
			return 0;
		}
	}
	return ormc_ptrvec_push(r->a, &ms->fields, f) < 0 ? nomem(r) : 0;
}

/*
 * name = [models.]XField(args): tokens name_tok, callee [cs, lp), '(' at lp,
 * ')' at rp. cls is the field class (already known to exist).
 */
static int
read_field(reader *r, model_state *ms, const ormc_token *name_tok,
           const struct field_class *cls, const ormc_token *cls_tok,
           int lp, int rp)
{
	ormc_field *f;
	pending_rel *pr = NULL;
	arg *args = NULL;
	int nargs = 0, k, rc, npos = 0;
	int is_rel = cls->kind >= ORMC_FIELD_FOREIGNKEY;
	const char *db_column = NULL;

	if ((rc = split_args(r, lp, rp, &args, &nargs)) < 0)
		return rc;
	f = new_field(r, ms, name_tok->str, name_tok->pos);
	if (f == NULL)
		return nomem(r);
	f->class_name = cls_tok->str;
	f->kind = cls->kind;
	f->max_length = cls->max_length;
	if (strcmp(cls->name, "NullBooleanField") == 0)
		f->null = 1;
	if (cls->kind == ORMC_FIELD_ONETOONE)
		f->unique = 1;
	if (is_rel) {
		pr = ormc_arena_alloc(r->a, sizeof(*pr));
		if (pr == NULL)
			return nomem(r);
		pr->field = f;
		pr->symmetrical_given = -1;
		pr->target_pos = cls_tok->pos;
	}
	for (k = 0; k < nargs && rc == 0; k++) {
		const arg *g = &args[k];
		const char *kw = g->kw;

		if (kw == NULL) {
			if (npos++ == 0 && is_rel &&
			    !ormc_tok_is_op(tok(r, g->start), "*") &&
			    !ormc_tok_is_op(tok(r, g->start), "**"))
				rc = relation_target(r, g, ms, pr);
			continue;
		}
		if (strcmp(kw, "to") == 0 && is_rel)
			rc = relation_target(r, g, ms, pr);
		else if (strcmp(kw, "max_length") == 0)
			rc = arg_int(r, g, &f->max_length);
		else if (strcmp(kw, "max_digits") == 0)
			rc = arg_int(r, g, &f->max_digits);
		else if (strcmp(kw, "decimal_places") == 0)
			rc = arg_int(r, g, &f->decimal_places);
		else if (strcmp(kw, "null") == 0)
			rc = arg_bool(r, g, &f->null);
		else if (strcmp(kw, "primary_key") == 0)
			rc = arg_bool(r, g, &f->primary_key);
		else if (strcmp(kw, "unique") == 0)
			rc = arg_bool(r, g, &f->unique);
		else if (strcmp(kw, "db_column") == 0)
			rc = arg_str(r, g, &db_column);
		else if (is_rel && strcmp(kw, "related_name") == 0)
			rc = arg_str(r, g, &f->related_name);
		else if (is_rel && strcmp(kw, "related_query_name") == 0)
			rc = arg_str(r, g, &f->related_query_name);
		else if (is_rel && strcmp(kw, "symmetrical") == 0) {
			int v = 0;

			rc = arg_bool(r, g, &v);
			pr->symmetrical_given = v;
		} else if (cls->kind == ORMC_FIELD_MANYTOMANY &&
		           strcmp(kw, "db_table") == 0)
			rc = arg_str(r, g, &pr->db_table);
		else if (is_rel && (strcmp(kw, "through") == 0 ||
		                    strcmp(kw, "through_fields") == 0))
			rc = err_at(r, ORMC_EUNSUPPORTED, g->kw_pos,
			            (int)strlen(kw),
			            "%s with through= is not supported (field '%s.%s'); declare the intermediate model's foreign keys and query through it",
			            cls->name, ms->model->name, f->name);
		else if (is_rel && strcmp(kw, "to_field") == 0)
			rc = err_at(r, ORMC_EUNSUPPORTED, g->kw_pos,
			            (int)strlen(kw),
			            "%s with to_field= is not supported (field '%s.%s')",
			            cls->name, ms->model->name, f->name);
	}
	if (rc < 0)
		return rc;
	if (is_rel && pr->target == NULL)
		return err_at(r, ORMC_EINVALID, cls_tok->pos, (int)cls_tok->len,
		              "%s.__init__() missing 1 required positional argument: 'to'",
		              cls->name);
	if (cls->kind == ORMC_FIELD_FOREIGNKEY || cls->kind == ORMC_FIELD_ONETOONE)
		f->column = db_column ? db_column :
		            ormc_arena_printf(r->a, "%s_id", f->name);
	else if (cls->kind != ORMC_FIELD_MANYTOMANY)
		f->column = db_column ? db_column : f->name;
	if (pr != NULL && ormc_ptrvec_push(r->a, &r->rels, pr) < 0)
		return nomem(r);
	return add_field(r, ms, f);
}

/* ---- class bodies ----------------------------------------------------- */

/* Where a statement's inline body after "class X:" starts, or -1. */
static int
header_colon(const reader *r, const stmt *s)
{
	return find_op(r, s->start, s->end, ":");
}

/*
 * Meta.unique_together: a tuple or list of tuples of field names, or one
 * tuple of names (Django's normalize_together). Names are resolved when the
 * model's fields are known (resolve_unique_together).
 */
static int
read_unique_together(reader *r, model_state *ms, ormc_ast *e)
{
	int k, j;

	if (e->kind != ORMC_AST_LIST && e->kind != ORMC_AST_TUPLE)
		return err_at(r, ORMC_EINVALID, e->pos, e->end - e->pos,
		              "'unique_together' must be a list or tuple.");
	if (e->nargs > 0 && e->args[0]->kind == ORMC_AST_STR)
		return ormc_ptrvec_push(r->a, &ms->unique_sets, e) < 0 ? nomem(r) : 0;
	for (k = 0; k < e->nargs; k++) {
		const ormc_ast *set = e->args[k];

		if (set->kind != ORMC_AST_LIST && set->kind != ORMC_AST_TUPLE)
			return err_at(r, ORMC_EINVALID, set->pos, set->end - set->pos,
			              "All 'unique_together' elements must be lists or tuples.");
		for (j = 0; j < set->nargs; j++)
			if (set->args[j]->kind != ORMC_AST_STR)
				return err_at(r, ORMC_EINVALID, set->args[j]->pos,
				              set->args[j]->end - set->args[j]->pos,
				              "'unique_together' entries must be field names");
		if (ormc_ptrvec_push(r->a, &ms->unique_sets, (void *)set) < 0)
			return nomem(r);
	}
	return 0;
}

/* Each unique_together name to its concrete field (Django's check E012). */
static int
resolve_unique_together(reader *r, model_state *ms)
{
	ormc_model *m = ms->model;
	int k, j;

	if (ms->unique_sets.n == 0)
		return 0;
	m->unique_together = ormc_arena_alloc(r->a, sizeof(ormc_field_set) *
	                                            (size_t)ms->unique_sets.n);
	if (m->unique_together == NULL)
		return nomem(r);
	for (k = 0; k < ms->unique_sets.n; k++) {
		const ormc_ast *set = ms->unique_sets.items[k];
		ormc_field_set *fs = &m->unique_together[k];

		fs->fields = ormc_arena_alloc(r->a, sizeof(ormc_field *) *
		                                    (size_t)(set->nargs + 1));
		if (fs->fields == NULL)
			return nomem(r);
		for (j = 0; j < set->nargs; j++) {
			const ormc_ast *name = set->args[j];
			ormc_field *f = ormc_model_field(m, name->str);

			if (f == NULL || !ormc_field_is_concrete(f))
				return err_at(r, ORMC_EINVALID, name->pos,
				              name->end - name->pos,
				              "'unique_together' refers to the %s field '%s'.",
				              f == NULL ? "nonexistent" : "non-concrete",
				              name->str);
			fs->fields[fs->n++] = f;
		}
	}
	m->nunique_together = ms->unique_sets.n;
	return 0;
}

static int
read_meta_stmt(reader *r, model_state *ms, int a, int b)
{
	const ormc_token *name = tok(r, a);
	ormc_ast *e;
	int rc, k;

	if (b - a < 3 || name->kind != ORMC_TOK_NAME ||
	    !ormc_tok_is_op(tok(r, a + 1), "="))
		return 0;
	if (strcmp(name->str, "db_table") == 0 ||
	    strcmp(name->str, "app_label") == 0) {
		rc = ormc_parse_tokens(r->a, r->text, &r->toks, a + 2, b, &e, r->err);
		if (rc < 0)
			return rc;
		if (e->kind != ORMC_AST_STR)
			return err_at(r, ORMC_EINVALID, e->pos, e->end - e->pos,
			              "Meta.%s must be a string", name->str);
		if (name->str[0] == 'd')
			ms->db_table = e->str;
		else
			ms->app_label = e->str;
	} else if (strcmp(name->str, "ordering") == 0) {
		rc = ormc_parse_tokens(r->a, r->text, &r->toks, a + 2, b, &e, r->err);
		if (rc < 0)
			return rc;
		if (e->kind == ORMC_AST_STR) {
			if (ormc_ptrvec_push(r->a, &ms->ordering, (void *)e->str) < 0)
				return nomem(r);
			return 0;
		}
		if (e->kind != ORMC_AST_LIST && e->kind != ORMC_AST_TUPLE)
			return err_at(r, ORMC_EINVALID, e->pos, e->end - e->pos,
			              "'ordering' must be a tuple or list (even if you want to order by only one field).");
		for (k = 0; k < e->nargs; k++) {
			const ormc_ast *o = e->args[k];

			if (o->kind != ORMC_AST_STR)
				return err_at(r, ORMC_EUNSUPPORTED, o->pos,
				              o->end - o->pos,
				              "Meta.ordering entries other than field name strings are not supported");
			if (ormc_ptrvec_push(r->a, &ms->ordering, (void *)o->str) < 0)
				return nomem(r);
		}
	} else if (strcmp(name->str, "unique_together") == 0) {
		rc = ormc_parse_tokens(r->a, r->text, &r->toks, a + 2, b, &e, r->err);
		if (rc < 0)
			return rc;
		return read_unique_together(r, ms, e);
	} else if (strcmp(name->str, "abstract") == 0) {
		e = try_parse(r, a + 2, b);
		if (e != NULL && e->kind == ORMC_AST_TRUE)
			return err_at(r, ORMC_EUNSUPPORTED, name->pos, name->len,
			              "abstract models are not supported (model '%s')",
			              ms->model->name);
	}
	return 0;
}

/* Record `A = lit` / `A, B = lit, lit` as class constants. */
static int
read_consts(reader *r, model_state *ms, int a, int b, int eq)
{
	ormc_ast *e = try_parse(r, eq + 1, b);
	int k, n = (eq - a + 1) / 2;

	if (e == NULL)
		return 0;
	if (n == 1) {
		if (!is_literal(e))
			return 0;
		if (ormc_ptrvec_push(r->a, &ms->const_names,
		                     (void *)tok(r, a)->str) < 0 ||
		    ormc_ptrvec_push(r->a, &ms->const_values, e) < 0)
			return nomem(r);
		return 0;
	}
	if (e->kind != ORMC_AST_TUPLE || e->nargs != n)
		return 0;
	for (k = 0; k < n; k++) {
		if (!is_literal(e->args[k]))
			continue;
		if (ormc_ptrvec_push(r->a, &ms->const_names,
		                     (void *)tok(r, a + 2 * k)->str) < 0 ||
		    ormc_ptrvec_push(r->a, &ms->const_values, e->args[k]) < 0)
			return nomem(r);
	}
	return 0;
}

/* One statement [a, b) directly in a model class body. */
static int
read_model_stmt(reader *r, model_state *ms, int a, int b)
{
	int eq, k, lp, rp;
	const ormc_token *last;
	const struct field_class *cls;

	if (tok(r, a)->kind != ORMC_TOK_NAME || ormc_is_keyword(tok(r, a)->str))
		return 0;
	eq = find_op(r, a, b, "=");
	if (eq < 0)
		return 0;
	/* Targets: NAME (',' NAME)* */
	for (k = a; k < eq; k++)
		if ((k - a) % 2 == 0 ? tok(r, k)->kind != ORMC_TOK_NAME
		                     : !ormc_tok_is_op(tok(r, k), ","))
			return 0;
	if ((eq - a) % 2 == 0)
		return 0;
	if (eq - a > 1)
		return read_consts(r, ms, a, b, eq);
	/* name = dotted.Callee( ... ) */
	lp = find_op(r, eq + 1, b, "(");
	last = lp > eq + 1 ? dotted_last(r, eq + 1, lp) : NULL;
	if (last == NULL)
		return read_consts(r, ms, a, b, eq);
	rp = match_close(r, lp, b);
	if (rp != b - 1)
		return 0;
	for (cls = field_classes; cls->name != NULL; cls++)
		if (strcmp(cls->name, last->str) == 0)
			return read_field(r, ms, tok(r, a), cls, last, lp, rp);
	if (ends_with(last->str, "Field"))
		return err_at(r, ORMC_EUNSUPPORTED, last->pos, last->len,
		              "unknown field type '%s'", last->str);
	return 0;  /* a manager or anything else */
}

/* Enum member values: literal, (value, label) -> value, auto(). */
static int
read_enum_body(reader *r, ormc_enum *en, const char *base, int bstart,
               int bend, int bindent, int inline_a, int inline_b)
{
	ormc_ptrvec names = { NULL, 0, 0 }, values = { NULL, 0, 0 };
	int j, text_enum = strcmp(base, "TextChoices") == 0 ||
	                   strcmp(base, "StrEnum") == 0;
	int64_t next_auto = 1;

	for (j = bstart - 1; j < bend; j++) {
		int a, b;
		ormc_ast *e, *v;
		const ormc_token *name;

		if (j == bstart - 1) {
			if (inline_a < 0)
				continue;
			a = inline_a;
			b = inline_b;
		} else {
			if (r->st[j].indent != bindent)
				continue;
			a = r->st[j].start;
			b = r->st[j].end;
		}
		name = tok(r, a);
		if (b - a < 3 || name->kind != ORMC_TOK_NAME ||
		    name->str[0] == '_' || !ormc_tok_is_op(tok(r, a + 1), "="))
			continue;
		e = try_parse(r, a + 2, b);
		if (e == NULL)
			continue;
		v = e;
		if ((e->kind == ORMC_AST_TUPLE || e->kind == ORMC_AST_LIST) &&
		    e->nargs > 0)
			v = e->args[0];
		if (v->kind == ORMC_AST_CALL && v->nargs == 0 &&
		    v->left->kind == ORMC_AST_NAME && strcmp(v->left->str, "auto") == 0) {
			ormc_ast *g = ormc_arena_alloc(r->a, sizeof(*g));

			if (g == NULL)
				return nomem(r);
			*g = *v;
			g->left = NULL;
			if (text_enum) {
				g->kind = ORMC_AST_STR;
				g->str = strcmp(base, "StrEnum") == 0 ?
				         lower_dup(r->a, name->str) : name->str;
				g->len = strlen(name->str);
			} else {
				g->kind = ORMC_AST_INT;
				g->ival = next_auto;
			}
			v = g;
		}
		if (!is_literal(v))
			continue;
		if (v->kind == ORMC_AST_INT)
			next_auto = v->ival + 1;
		if (ormc_ptrvec_push(r->a, &names, (void *)name->str) < 0 ||
		    ormc_ptrvec_push(r->a, &values, v) < 0)
			return nomem(r);
	}
	en->member_names = (const char **)names.items;
	en->member_values = (ormc_ast **)values.items;
	en->nmembers = names.n;
	return 0;
}

/*
 * Classify a class statement by its bases. Returns 1 model, 2 enum, 0
 * other; *enum_base is the enum base's last component.
 */
static int
class_kind(const reader *r, const stmt *s, int colon, const char **enum_base)
{
	int lp = s->start + 2, rp, a, k, kind = 0;

	if (lp >= colon || !ormc_tok_is_op(tok(r, lp), "("))
		return 0;
	rp = match_close(r, lp, colon);
	if (rp < 0)
		return 0;
	for (a = lp + 1, k = lp + 1; k <= rp; k++) {
		const ormc_token *last;
		int e;

		if (k < rp && !(tok(r, k)->depth == tok(r, lp)->depth + 1 &&
		                ormc_tok_is_op(tok(r, k), ",")))
			continue;
		last = dotted_last(r, a, k);
		a = k + 1;
		if (last == NULL)
			continue;
		for (e = 0; enum_bases[e] != NULL; e++)
			if (strcmp(last->str, enum_bases[e]) == 0) {
				*enum_base = enum_bases[e];
				kind = kind ? kind : 2;
			}
		if (ends_with(last->str, "Model"))
			kind = 1;
	}
	return kind;
}

static int read_class(reader *r, int i, model_state *outer, int *next);

static int
read_enum(reader *r, int i, const char *base, const char *prefix, int colon,
          int *next)
{
	const stmt *s = &r->st[i];
	ormc_enum *en = ormc_arena_alloc(r->a, sizeof(*en));
	int bend, bindent = block_body(r, i, &bend);
	int ia = colon + 1 < s->end ? colon + 1 : -1;

	*next = bend;
	if (en == NULL)
		return nomem(r);
	en->name = prefix ? ormc_arena_printf(r->a, "%s.%s", prefix,
	                                      tok(r, s->start + 1)->str)
	                  : tok(r, s->start + 1)->str;
	if (en->name == NULL)
		return nomem(r);
	if (read_enum_body(r, en, base, i + 1, bend, bindent, ia, s->end) < 0)
		return -1;
	return ormc_ptrvec_push(r->a, &r->enums, en) < 0 ? nomem(r) : 0;
}

/* A model class: fields, constants, Meta, nested enums. */
static int
read_model(reader *r, int i, int colon, int *next)
{
	const stmt *s = &r->st[i];
	const ormc_token *name = tok(r, s->start + 1);
	model_state *ms = ormc_arena_alloc(r->a, sizeof(*ms));
	ormc_model *m = ormc_arena_alloc(r->a, sizeof(*m));
	int bend, bindent = block_body(r, i, &bend), j, rc = 0, k, npk = 0;
	ormc_field *pk = NULL;
	const char *label;

	*next = bend;
	if (ms == NULL || m == NULL)
		return nomem(r);
	for (k = 0; k < r->models.n; k++)
		if (strcmp(((model_state *)r->models.items[k])->model->name,
		           name->str) == 0)
			return err_at(r, ORMC_EINVALID, name->pos, name->len,
			              "model '%s' is defined twice", name->str);
	ms->model = m;
	m->name = name->str;
	m->pos = tok(r, s->start)->pos;
	ms->app_label = r->s->app_label;
	if (colon + 1 < s->end && !ormc_tok_is_name(tok(r, colon + 1), "class"))
		rc = read_model_stmt(r, ms, colon + 1, s->end);
	for (j = i + 1; j < bend && rc == 0; j++) {
		const stmt *b = &r->st[j];
		const ormc_token *t = tok(r, b->start);

		if (b->indent != bindent)
			continue;
		if (ormc_tok_is_name(t, "class")) {
			int nj;

			rc = read_class(r, j, ms, &nj);
			j = nj - 1;
			continue;
		}
		rc = read_model_stmt(r, ms, b->start, b->end);
	}
	if (rc < 0)
		return rc;
	/* Primary key: the declared one, else an implicit `id` first. */
	for (k = 0; k < ms->fields.n; k++) {
		ormc_field *f = ms->fields.items[k];

		if (f->primary_key) {
			if (npk++ > 0)
				return err_at(r, ORMC_EINVALID, f->pos,
				              (int)strlen(f->name),
				              "The model cannot have more than one field with 'primary_key=True'.");
			pk = f;
			f->unique = 1;
		}
	}
	if (pk == NULL) {
		for (k = 0; k < ms->fields.n; k++) {
			ormc_field *f = ms->fields.items[k];

			if (strcmp(f->name, "id") == 0)
				return err_at(r, ORMC_EINVALID, f->pos, 2,
				              "'id' can only be used as a field name if the field also sets 'primary_key=True'.");
		}
		pk = new_field(r, ms, "id", -1);
		if (pk == NULL || ormc_ptrvec_push(r->a, &ms->fields, pk) < 0)
			return nomem(r);
		memmove(ms->fields.items + 1, ms->fields.items,
		        sizeof(void *) * (size_t)(ms->fields.n - 1));
		ms->fields.items[0] = pk;
		pk->column = "id";
		pk->class_name = "AutoField";
		pk->kind = ORMC_FIELD_AUTO;
		pk->primary_key = 1;
		pk->unique = 1;
	}
	m->pk = pk;
	label = ms->app_label;
	if (ms->db_table != NULL)
		m->table = ms->db_table;
	else if (label != NULL && label[0] != '\0')
		m->table = ormc_arena_printf(r->a, "%s_%s", label,
		                             lower_dup(r->a, m->name));
	else
		m->table = lower_dup(r->a, m->name);
	if (m->table == NULL)
		return nomem(r);
	return ormc_ptrvec_push(r->a, &r->models, ms) < 0 ? nomem(r) : 0;
}

/* class Meta: inside a model. */
static int
read_meta(reader *r, int i, model_state *ms, int colon, int *next)
{
	const stmt *s = &r->st[i];
	int bend, bindent = block_body(r, i, &bend), j, rc = 0;

	*next = bend;
	if (colon + 1 < s->end)
		rc = read_meta_stmt(r, ms, colon + 1, s->end);
	for (j = i + 1; j < bend && rc == 0; j++)
		if (r->st[j].indent == bindent)
			rc = read_meta_stmt(r, ms, r->st[j].start, r->st[j].end);
	return rc;
}

/*
 * A class statement at r->st[i]: model, enum, Meta (when outer is a
 * model) or something to skip. *next is the statement after its block.
 */
static int
read_class(reader *r, int i, model_state *outer, int *next)
{
	const stmt *s = &r->st[i];
	const char *enum_base = NULL;
	int colon = header_colon(r, s), kind, bend;

	block_body(r, i, &bend);
	*next = bend;
	if (s->end - s->start < 3 || tok(r, s->start + 1)->kind != ORMC_TOK_NAME ||
	    colon < 0)
		return 0;
	if (outer != NULL && ormc_tok_is_name(tok(r, s->start + 1), "Meta"))
		return read_meta(r, i, outer, colon, next);
	kind = class_kind(r, s, colon, &enum_base);
	if (kind == 2)
		return read_enum(r, i, enum_base,
		                 outer ? outer->model->name : NULL, colon, next);
	if (kind == 1 && outer == NULL)
		return read_model(r, i, colon, next);
	return 0;
}

/* ---- second pass: relations ------------------------------------------- */

static model_state *
find_state(reader *r, const char *name)
{
	int k;

	for (k = 0; k < r->models.n; k++) {
		model_state *ms = r->models.items[k];

		if (strcmp(ms->model->name, name) == 0)
			return ms;
	}
	return NULL;
}

static int
add_reverse(reader *r, ormc_field *f, model_state *target)
{
	ormc_field *rev;
	const char *qname = f->related_query_name ? f->related_query_name :
	                    f->related_name ? f->related_name :
	                    lower_dup(r->a, f->model->name);
	int k;

	if (qname == NULL)
		return nomem(r);
	for (k = 0; k < target->fields.n; k++) {
		ormc_field *g = target->fields.items[k];
		char buf[512];

		if (strcmp(g->name, qname) != 0)
			continue;
		if (g->kind >= ORMC_FIELD_REVERSE_FK) {
			snprintf(buf, sizeof(buf), "%s.%s", g->remote->model->name,
			         g->remote->name);
			ormc_error_set(r->err, ORMC_EINVALID, r->text, f->pos,
			               (int)strlen(f->name),
			               "Reverse query name for '%s.%s' clashes with reverse query name for '%s'.",
			               f->model->name, f->name, buf);
			ormc_error_hint(r->err,
			                "Add or change a related_name argument to the definition for '%s.%s' or '%s'.",
			                f->model->name, f->name, buf);
		} else {
			ormc_error_set(r->err, ORMC_EINVALID, r->text, f->pos,
			               (int)strlen(f->name),
			               "Reverse query name for '%s.%s' clashes with field name '%s.%s'.",
			               f->model->name, f->name, target->model->name,
			               g->name);
			ormc_error_hint(r->err,
			                "Rename field '%s.%s', or add/change a related_name argument to the definition for field '%s.%s'.",
			                target->model->name, g->name,
			                f->model->name, f->name);
		}
		return ORMC_EINVALID;
	}
	rev = ormc_arena_alloc(r->a, sizeof(*rev));
	if (rev == NULL)
		return nomem(r);
	rev->name = qname;
	rev->model = target->model;
	rev->pos = f->pos;
	rev->max_length = rev->max_digits = rev->decimal_places = -1;
	rev->target = f->model;
	rev->remote = f;
	f->remote = rev;
	switch (f->kind) {
	case ORMC_FIELD_FOREIGNKEY:
		rev->kind = ORMC_FIELD_REVERSE_FK;
		rev->class_name = "ManyToOneRel";
		break;
	case ORMC_FIELD_ONETOONE:
		rev->kind = ORMC_FIELD_REVERSE_O2O;
		rev->class_name = "OneToOneRel";
		break;
	default:
		rev->kind = ORMC_FIELD_REVERSE_M2M;
		rev->class_name = "ManyToManyRel";
		rev->m2m_table = f->m2m_table;
		rev->m2m_source_column = f->m2m_source_column;
		rev->m2m_target_column = f->m2m_target_column;
		break;
	}
	return ormc_ptrvec_push(r->a, &target->fields, rev) < 0 ? nomem(r) : 0;
}

/*
 * Resolve targets and add reverse ends. Why in declaration order of the
 * declaring fields: the reverse ends then appear on each target in the
 * order Django lists them, and the first clash is the one reported.
 */
static int
resolve_relations(reader *r)
{
	int k, rc;

	for (k = 0; k < r->rels.n; k++) {
		pending_rel *pr = r->rels.items[k];
		ormc_field *f = pr->field;
		model_state *src = find_state(r, f->model->name);
		model_state *dst = find_state(r, pr->target);
		int given = pr->symmetrical_given;

		if (dst == NULL)
			return err_at(r, ORMC_EINVALID, pr->target_pos,
			              pr->target_len,
			              "Field defines a relation with model '%s', which is either not installed, or is abstract.",
			              pr->target);
		f->target = dst->model;
		if (f->kind == ORMC_FIELD_MANYTOMANY) {
			const char *from = lower_dup(r->a, f->model->name);
			const char *to = lower_dup(r->a, dst->model->name);

			/* Django's intermediary model: from_x / to_x for a self M2M. */
			const char *fmt_from = src == dst ? "from_%s_id" : "%s_id";
			const char *fmt_to = src == dst ? "to_%s_id" : "%s_id";

			if (src == dst)
				f->symmetrical = given >= 0 ? given : pr->self_written;
			f->m2m_source_column = ormc_arena_printf(r->a, fmt_from, from);
			f->m2m_target_column = ormc_arena_printf(r->a, fmt_to, to);
			f->m2m_table = pr->db_table ? pr->db_table :
			               ormc_arena_printf(r->a, "%s_%s",
			                                 f->model->table, f->name);
			if (r->a->failed)
				return nomem(r);
			if (f->symmetrical)
				continue;
		}
		if (f->related_name != NULL && ends_with(f->related_name, "+"))
			continue;
		if ((rc = add_reverse(r, f, dst)) < 0)
			return rc;
	}
	return 0;
}

/* ---- entry points ----------------------------------------------------- */

static int
split_statements(reader *r)
{
	int k, n = 0, a = 0;

	r->st = ormc_arena_alloc(r->a, sizeof(stmt) * (size_t)(r->toks.n + 1));
	if (r->st == NULL)
		return nomem(r);
	for (k = 0; k < r->toks.n; k++) {
		ormc_tok_kind kind = r->toks.tok[k].kind;

		if (kind != ORMC_TOK_NEWLINE && kind != ORMC_TOK_EOF)
			continue;
		if (k > a) {
			r->st[n].start = a;
			r->st[n].end = k;
			r->st[n].indent = r->toks.tok[a].indent;
			n++;
		}
		a = k + 1;
	}
	r->nst = n;
	return 0;
}

static int
read_all(reader *r)
{
	int i, rc, k, base;

	if ((rc = ormc_lex(r->a, r->text, strlen(r->s->text), 0, &r->toks,
	                   r->err)) < 0)
		return rc;
	if ((rc = split_statements(r)) < 0)
		return rc;
	base = r->nst > 0 ? r->st[0].indent : 0;
	for (i = 0; i < r->nst;) {
		int next = i + 1;

		if (r->st[i].indent == base &&
		    ormc_tok_is_name(tok(r, r->st[i].start), "class")) {
			if ((rc = read_class(r, i, NULL, &next)) < 0)
				return rc;
		}
		i = next;
	}
	if ((rc = resolve_relations(r)) < 0)
		return rc;
	r->s->models = ormc_arena_alloc(r->a, sizeof(ormc_model *) *
	                                      (size_t)(r->models.n + 1));
	if (r->s->models == NULL)
		return nomem(r);
	for (k = 0; k < r->models.n; k++) {
		model_state *ms = r->models.items[k];
		ormc_model *m = ms->model;

		m->fields = (ormc_field **)ms->fields.items;
		m->nfields = ms->fields.n;
		m->ordering = (const char **)ms->ordering.items;
		m->nordering = ms->ordering.n;
		if ((rc = resolve_unique_together(r, ms)) < 0)
			return rc;
		m->const_names = (const char **)ms->const_names.items;
		m->const_values = (ormc_ast **)ms->const_values.items;
		m->nconsts = ms->const_names.n;
		r->s->models[k] = m;
	}
	r->s->nmodels = r->models.n;
	r->s->enums = (ormc_enum **)r->enums.items;
	r->s->nenums = r->enums.n;
	return r->a->failed ? nomem(r) : 0;
}

int
ormc_schema_parse(ormc_schema **out, const char *text, size_t len,
                  const ormc_schema_options *opts, ormc_error *err)
{
	ormc_schema *s;
	reader r;
	int rc;

	*out = NULL;
	if (memchr(text, '\0', len) != NULL)
		return ormc_error_set(err, ORMC_EPARSE, NULL, -1, 0,
		                      "models text contains a NUL byte");
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return ormc_error_set(err, ORMC_ENOMEM, NULL, -1, 0, "out of memory");
	ormc_arena_init(&s->arena);
	s->text = ormc_arena_strndup(&s->arena, text, len);
	if (opts != NULL && opts->app_label != NULL)
		s->app_label = ormc_arena_strdup(&s->arena, opts->app_label);
	memset(&r, 0, sizeof(r));
	r.s = s;
	r.a = &s->arena;
	r.err = err;
	if (s->text == NULL || s->arena.failed) {
		rc = nomem(&r);
	} else {
		/*
		 * Lex the caller's text (same bytes as s->text), so error
		 * positions and err->source refer to it and stay valid after
		 * we free ours on failure.
		 */
		r.text = text;
		rc = read_all(&r);
	}
	if (rc < 0) {
		ormc_schema_free(s);
		return rc;
	}
	*out = s;
	return ORMC_OK;
}

int
ormc_schema_load(ormc_schema **out, const char *path,
                 const ormc_schema_options *opts, ormc_error *err)
{
	FILE *fp;
	char *buf = NULL;
	size_t len = 0, cap = 0, n;
	int rc;

	*out = NULL;
	fp = fopen(path, "rb");
	if (fp == NULL)
		return ormc_error_set(err, ORMC_EIO, NULL, -1, 0,
		                      "could not open '%s': %s", path,
		                      strerror(errno));
	for (;;) {
		if (cap - len < 4096) {
			char *nb;

			cap = cap ? cap * 2 : 16384;
			nb = realloc(buf, cap + 1);
			if (nb == NULL) {
				free(buf);
				fclose(fp);
				return ormc_error_set(err, ORMC_ENOMEM, NULL, -1, 0,
				                      "out of memory");
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len, fp);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(fp)) {
		int e = errno;

		free(buf);
		fclose(fp);
		return ormc_error_set(err, ORMC_EIO, NULL, -1, 0,
		                      "could not read '%s': %s", path, strerror(e));
	}
	fclose(fp);
	buf[len] = '\0';
	rc = ormc_schema_parse(out, buf, len, opts, err);
	if (rc < 0 && err != NULL) {
		/* The text goes away: put the position into the message. */
		if (err->source != NULL && err->offset >= 0) {
			int line = 1, col = 1, k;
			size_t used = strlen(err->message);

			for (k = 0; k < err->offset && (size_t)k < len; k++) {
				if (buf[k] == '\n') {
					line++;
					col = 1;
				} else {
					col++;
				}
			}
			snprintf(err->message + used, sizeof(err->message) - used,
			         " (%s, line %d, column %d)", path, line, col);
		}
		err->source = NULL;
	}
	free(buf);
	return rc;
}

void
ormc_schema_free(ormc_schema *schema)
{
	if (schema == NULL)
		return;
	ormc_arena_free(&schema->arena);
	free(schema);
}

/* ------------------------------------------------------------------------ */
/* Field kinds                                                               */
/* ------------------------------------------------------------------------ */

int
ormc_field_kind_is_int(ormc_field_kind k)
{
	switch (k) {
	case ORMC_FIELD_AUTO: case ORMC_FIELD_BIGAUTO: case ORMC_FIELD_SMALLAUTO:
	case ORMC_FIELD_INTEGER: case ORMC_FIELD_BIGINTEGER:
	case ORMC_FIELD_SMALLINTEGER: case ORMC_FIELD_POSITIVEINTEGER:
		return 1;
	default:
		return 0;
	}
}

const char *
ormc_field_kind_name(ormc_field_kind k)
{
	switch (k) {
	case ORMC_FIELD_AUTO: return "AutoField";
	case ORMC_FIELD_BIGAUTO: return "BigAutoField";
	case ORMC_FIELD_SMALLAUTO: return "SmallAutoField";
	case ORMC_FIELD_CHAR: return "CharField";
	case ORMC_FIELD_TEXT: return "TextField";
	case ORMC_FIELD_INTEGER: return "IntegerField";
	case ORMC_FIELD_BIGINTEGER: return "BigIntegerField";
	case ORMC_FIELD_SMALLINTEGER: return "SmallIntegerField";
	case ORMC_FIELD_POSITIVEINTEGER: return "PositiveIntegerField";
	case ORMC_FIELD_FLOAT: return "FloatField";
	case ORMC_FIELD_DECIMAL: return "DecimalField";
	case ORMC_FIELD_BOOLEAN: return "BooleanField";
	case ORMC_FIELD_DATE: return "DateField";
	case ORMC_FIELD_DATETIME: return "DateTimeField";
	case ORMC_FIELD_TIME: return "TimeField";
	case ORMC_FIELD_DURATION: return "DurationField";
	case ORMC_FIELD_UUID: return "UUIDField";
	default: return "Field";
	}
}
