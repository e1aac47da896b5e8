/*
 * schema_read.h -- the models reader's state, shared by its two passes
 * (private to core/schema_parse.c and core/schema.c).
 *
 * The first pass (schema_parse.c) reads one models text at a time: its
 * classes, fields, Meta options, constants and enums, and inheritance,
 * which needs only classes already read (Python evaluates a class's bases
 * when the class statement runs). The second pass (schema.c) runs once
 * every text is read: relation targets, join tables, reverse ends.
 */
#ifndef ORMC_SCHEMA_READ_H
#define ORMC_SCHEMA_READ_H

#include <ctype.h>
#include <string.h>

#include "error.h"
#include "lexer.h"
#include "schema.h"

/* A logical line: tokens [start, end), NEWLINE excluded. */
typedef struct stmt {
	int start;
	int end;
	int indent;
} stmt;

/* A relation field waiting for the second pass. */
typedef struct pending_rel {
	ormc_field *field;
	const char *text;       /* the models text that declares it (for errors) */
	const char *target;     /* model name as written, "self" resolved */
	const char *target_app; /* app label of "app.Model", else NULL */
	int target_pos;
	int target_len;
	int self_written;       /* target written as "self" */
	int auth_user;          /* settings.AUTH_USER_MODEL / get_user_model() */
	int symmetrical_given;  /* -1 if not given, else 0/1 */
	const char *db_table;   /* ManyToManyField(db_table=...) */
	/* ManyToManyField(through=...): the intermediate model, as the target */
	const char *through;    /* model name as written, or NULL */
	const char *through_app;
	int through_pos;
	int through_len;
	const char *through_fields[2];  /* through_fields=("src", "dst"), or NULL */
} pending_rel;

/* Per-model state of the reader. */
typedef struct model_state {
	ormc_model *model;
	const char *text;       /* the models text of the class */
	ormc_ptrvec fields;
	ormc_ptrvec const_names;
	ormc_ptrvec const_values;
	ormc_ptrvec ordering;
	ormc_ptrvec unique_sets;   /* Meta.unique_together: a LIST/TUPLE AST of names each */
	const char *db_table;   /* Meta.db_table */
	const char *app_label;  /* Meta.app_label, else the text's label */
	int has_meta;           /* a class Meta of its own */
	/*
	 * The abstract class whose Meta `Meta` names here, as Python's attribute
	 * lookup finds it (its own, for an abstract class with one: a concrete
	 * model's own Meta is taken out of the class), or NULL.
	 */
	const struct model_state *meta_from;
	int ordering_set;       /* Meta.ordering given (even empty) */
	int proxy;              /* Meta.proxy = True */
	int swappable;          /* Meta.swappable = "AUTH_USER_MODEL" (auth.User) */
	int managed_set;        /* Meta.managed given */
	const ormc_ast *natural_key;  /* `return ...` of def natural_key(self), own or inherited */
	int natural_key_set;    /* def natural_key seen (natural_key NULL: not readable) */
	struct model_state *concrete;  /* proxy: the concrete model's state */
} model_state;

typedef struct reader {
	ormc_schema *s;
	ormc_arena *a;
	ormc_error *err;
	/* The text being read (first pass). */
	const char *text;       /* the caller's bytes (error positions point into them) */
	size_t len;
	const char *label;      /* its app label, NULL for none */
	ormc_tokens toks;
	stmt *st;
	int nst;
	/* Every text. */
	int order;              /* next field's declaration order */
	int ntexts;             /* how many texts are read together */
	const char *auth_user_model;  /* "auth.User" unless told */
	ormc_ptrvec models;     /* model_state *, abstract and proxy included */
	ormc_ptrvec enums;      /* ormc_enum * */
	ormc_ptrvec rels;       /* pending_rel * */
	ormc_ptrvec plain;      /* names of classes that are not models */
	ormc_ptrvec fieldclasses;  /* struct field_class *: the texts' subclasses of Django's fields */
} reader;

/* What a base of a class statement is. */
typedef enum base_kind {
	BASE_UNKNOWN = 0,       /* anything else: imported from elsewhere */
	BASE_DJANGO,            /* Model, models.Model */
	BASE_MODEL,             /* a model read before: abstract, concrete or proxy */
	BASE_ENUM,              /* Enum, TextChoices, ... */
	BASE_PLAIN              /* object, or a class of the texts that is not a model */
} base_kind;

#define MAX_BASES 16

typedef struct class_bases {
	int n;
	base_kind kind[MAX_BASES];
	const ormc_token *name[MAX_BASES];   /* last component, or the first token */
	model_state *model[MAX_BASES];       /* BASE_MODEL */
	const char *enum_base;
	int models;                          /* BASE_DJANGO and BASE_MODEL bases */
} class_bases;

/*
 * A field class the reader knows (core/schema_fields.c): one of Django's,
 * or a subclass of one that the models texts declare.
 */
struct field_class {
	const char *name;
	ormc_field_kind kind;
	int max_length;         /* Django's default, -1 for none */
	/*
	 * A subclass of a Django field declared in the models texts
	 * (read_field_class()); none in the table below (FC).
	 */
	const struct field_class *base;  /* Django's class it derives from */
	int max_digits;         /* defaults its __init__ gives, -1 for none */
	int decimal_places;
	int null;               /* -1 unless __init__ sets it */
	int unique;
	const char *unread;     /* a method that changes values (from_db_value...), or NULL */
};

/* The field class named name: the texts' own first unless django_only (models.X). */
const struct field_class *ormc_sr_field_class(const reader *r, const char *name,
                                              int django_only);

/* class NAME(Base) at statement i, Base a field class: record the subclass. */
int ormc_sr_read_field_class(reader *r, int i, int colon, const ormc_token *name,
                             const struct field_class *base);

/* Tokens [a, b) as an expression, quietly: NULL if not parseable. */
ormc_ast *ormc_sr_try_parse(reader *r, int a, int b);

/* Index of the closer matching the opener at token i (same depth), or -1. */
int ormc_sr_match_close(const reader *r, int i, int end);

/* The statements of the block of statement i end before *end; their indent, or -1. */
int ormc_sr_block_body(const reader *r, int i, int *end);

/* Read the classes of r->text (first pass). */
int ormc_sr_read_text(reader *r);

/*
 * The top-level classes of r->text, without reading them: their names
 * into *defined, and the last name of each of their bases
 * (models.Model -> "Model") into *bases (const char * each).
 */
int ormc_sr_scan_classes(reader *r, ormc_ptrvec *defined, ormc_ptrvec *bases);

/* ormc_error_set at pos of text (r->text if NULL), printf-style. */
int ormc_sr_err(reader *r, const char *text, int code, int pos, int len,
                const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 6, 7)))
#endif
	;

/* A field of ms named name, declared at pos (-1: implicit), in r's arena. */
ormc_field *ormc_sr_new_field(reader *r, model_state *ms, const char *name,
                              int pos);

/* schema_inherit.c: what class ms inherits from the bases cb (name is the class's). */
int ormc_sr_inherit(reader *r, model_state *ms, const class_bases *cb,
                    const ormc_token *name);
/* The primary key: the declared one, the parent link, else an implicit `id`. */
int ormc_sr_primary_key(reader *r, model_state *ms);
/* Local fields in Django's order: implicit ones first, then as declared. */
void ormc_sr_sort_fields(model_state *ms);

/* Model state by class name, or NULL. */
model_state *ormc_sr_find(reader *r, const char *name);

static inline int
ormc_sr_nomem(reader *r)
{
	return ormc_error_set(r->err, ORMC_ENOMEM, NULL, -1, 0, "out of memory");
}

static inline char *
ormc_sr_lower(ormc_arena *a, const char *s)
{
	char *p = ormc_arena_strdup(a, s), *q;

	if (p != NULL)
		for (q = p; *q; q++)
			*q = (char)tolower((unsigned char)*q);
	return p;
}

static inline int
ormc_sr_ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

#endif
