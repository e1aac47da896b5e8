/*
 * schema.h -- the in-memory model graph (private to the library).
 *
 * Built by schema.c from a models.py. Models, fields and relations are
 * arena-allocated and read-only once ormc_schema_parse() returns.
 *
 * Every relation has two ends, each an ormc_field:
 *
 *   declared as                 forward end (on the model      reverse end (on the target,
 *                               that declares it)              made by the reader)
 *   ForeignKey(T)               FOREIGNKEY   single-valued     REVERSE_FK   multi-valued
 *   OneToOneField(T)            ONETOONE     single-valued     REVERSE_O2O  single-valued
 *   ManyToManyField(T)          MANYTOMANY   multi-valued      REVERSE_M2M  multi-valued
 *
 * The reverse end's name is what Django accepts in lookups: related_query_name,
 * else related_name, else the lower-cased declaring model name ("book").
 * For ManyToManyField("self") with symmetrical=True (the default for "self")
 * no reverse end exists, as in Django, and rows are stored in both directions.
 */
#ifndef ORMC_SCHEMA_INT_H
#define ORMC_SCHEMA_INT_H

#include "arena.h"
#include "ast.h"
#include "ormc/schema.h"

typedef enum ormc_field_kind {
	ORMC_FIELD_AUTO,
	ORMC_FIELD_BIGAUTO,
	ORMC_FIELD_SMALLAUTO,
	ORMC_FIELD_CHAR,            /* CharField, SlugField, EmailField, URLField... */
	ORMC_FIELD_TEXT,
	ORMC_FIELD_INTEGER,
	ORMC_FIELD_BIGINTEGER,
	ORMC_FIELD_SMALLINTEGER,
	ORMC_FIELD_POSITIVEINTEGER,
	ORMC_FIELD_POSITIVESMALLINTEGER,
	ORMC_FIELD_POSITIVEBIGINTEGER,
	ORMC_FIELD_FLOAT,
	ORMC_FIELD_DECIMAL,
	ORMC_FIELD_BOOLEAN,         /* also NullBooleanField (null=True) */
	ORMC_FIELD_DATE,
	ORMC_FIELD_DATETIME,
	ORMC_FIELD_TIME,
	ORMC_FIELD_DURATION,
	ORMC_FIELD_UUID,
	ORMC_FIELD_IPADDRESS,       /* GenericIPAddressField: text; inet on PostgreSQL */
	ORMC_FIELD_JSON,            /* JSONField: results are JSON text */
	ORMC_FIELD_BINARY,          /* BinaryField: results are base64 text, as dumpdata */
	/* Relations from here on (ormc_field_is_relation relies on the order). */
	ORMC_FIELD_FOREIGNKEY,
	ORMC_FIELD_ONETOONE,
	ORMC_FIELD_MANYTOMANY,
	ORMC_FIELD_REVERSE_FK,
	ORMC_FIELD_REVERSE_O2O,
	ORMC_FIELD_REVERSE_M2M
} ormc_field_kind;

typedef struct ormc_model ormc_model;
typedef struct ormc_field ormc_field;

struct ormc_field {
	const char *name;         /* Python attribute / lookup name ("publisher", "book") */
	const char *column;       /* concrete column: "publisher_id", db_column; NULL for M2M and reverse ends */
	const char *class_name;   /* field class as written ("PositiveIntegerField"), for messages */
	ormc_field_kind kind;
	ormc_model *model;        /* model this field belongs to */
	int pos;                  /* byte offset of the declaration in the models text, -1 for implicit */
	int null;                 /* null=True */
	int primary_key;
	int unique;
	int max_length;           /* CharField, -1 if not given */
	int max_digits;           /* DecimalField, -1 if not given */
	int decimal_places;       /* DecimalField, -1 if not given */
	int order;                /* declaration order across every models text (Django's creation_counter); implicit fields -1 */
	int parent_link;          /* the one-to-one to the parent of multi-table inheritance */

	/* Relations only. */
	ormc_model *target;       /* related model */
	ormc_field *remote;       /* the other end (NULL for a symmetrical self M2M) */
	const char *related_name; /* forward end: as declared, or NULL */
	const char *related_query_name; /* forward end: as declared, or NULL */
	int symmetrical;          /* M2M to "self" */
	/* M2M (both ends point to the same strings): */
	const char *m2m_table;    /* "book_authors" or "app_book_authors" */
	const char *m2m_source_column;  /* column pointing at the declaring model: "book_id" / "from_author_id" */
	const char *m2m_target_column;  /* column pointing at the target: "author_id" / "to_author_id" */
};

/* A set of fields unique together (Meta.unique_together). */
typedef struct ormc_field_set {
	ormc_field **fields;
	int n;
} ormc_field_set;

/*
 * Inheritance, as Django's:
 *   abstract base   its fields are copied into each subclass (f->model is the
 *                   subclass); the abstract model itself is in
 *                   schema->abstracts, never in schema->models: no table.
 *   multi-table     `parent` is the parent model, `parent_link` the child's
 *                   one-to-one to it ("place_ptr"); `fields` holds the local
 *                   fields only, ormc_model_field() also finds the parents'
 *                   (f->model is then the ancestor: reach it through
 *                   ormc_model_parent_hops()), and `concrete` lists every
 *                   concrete field in Django's order (parents' first).
 *   proxy           `proxy_for` is the concrete model; table, fields, pk,
 *                   parent and concrete are the concrete model's. Proxies
 *                   are in schema->proxies, not schema->models.
 */
struct ormc_model {
	const char *name;         /* "Book" */
	const char *table;        /* "book", db_table, or "app_book" */
	const char *app_label;    /* Meta.app_label, the text's label, or NULL */
	int pos;                  /* offset of the class statement */
	ormc_field **fields;      /* local fields: pk first if implicit, then by declaration order, then reverse ends */
	int nfields;
	ormc_field **concrete;    /* every concrete field, inherited ones first (values() with no names) */
	int nconcrete;
	ormc_field *pk;
	ormc_model *parent;       /* multi-table inheritance: the parent model, else NULL */
	ormc_field *parent_link;  /* its one-to-one to the parent ("place_ptr") */
	ormc_model *proxy_for;    /* proxy model: the concrete model, else NULL */
	int abstract;             /* Meta.abstract = True */
	int unmanaged;            /* Meta.managed = False: Django never creates its table (often a view) */
	const char **ordering;    /* Meta.ordering entries as written ("-pubdate"), may be empty */
	int nordering;
	ormc_field_set *unique_together;  /* Meta.unique_together, each set resolved to fields */
	int nunique_together;
	/*
	 * def natural_key(self) as Django's loaddata calls it, read from its
	 * `return`: the fields in order; natural_nested[i] when part i is a
	 * relation's own natural_key() (its values, flattened), else the
	 * field's value. nnatural 0: none declared, or natural_unread: one
	 * ormc cannot read (core/schema.c, resolve_natural_key).
	 */
	ormc_field **natural;
	unsigned char *natural_nested;
	int nnatural;
	int natural_unread;
	/* Class-level constants (PAID = "paid"; PENDING, PAID = "p", "q"): name -> literal AST */
	const char **const_names;
	ormc_ast **const_values;
	int nconsts;
};

/* A non-model class: Enum / IntegerChoices / TextChoices, members -> literal AST. */
typedef struct ormc_enum {
	const char *name;
	const char **member_names;
	ormc_ast **member_values; /* for IntegerChoices tuples (1, "label"), the first element */
	int nmembers;
} ormc_enum;

struct ormc_schema {
	ormc_arena arena;
	char *text;               /* the models text, owned (AST strings may point into the arena) */
	const char *app_label;    /* NULL if none */
	ormc_model **models;      /* concrete models, declaration order: one table each */
	int nmodels;
	ormc_model **proxies;     /* proxy models (queries only) */
	int nproxies;
	ormc_model **abstracts;   /* abstract models (named in errors only) */
	int nabstracts;
	ormc_enum **enums;
	int nenums;
};

/** Concrete or proxy model by class name (exact), or NULL. */
ormc_model *ormc_schema_model(const ormc_schema *s, const char *name);
/** Abstract model by class name, or NULL (queries on it are an error). */
ormc_model *ormc_schema_abstract(const ormc_schema *s, const char *name);
/**
 * Field of model by lookup name, or NULL. "pk" is the primary key. Fields
 * of multi-table parents are found too: f->model is then that parent.
 */
ormc_field *ormc_model_field(const ormc_model *m, const char *name);
/**
 * The parent links that lead from m to its ancestor `owner` (the model of
 * an inherited field), in join order, into hops[0..max); returns their
 * number (0 when owner is m or m's concrete model), or -1 if owner is not
 * an ancestor or there are more than max.
 */
int ormc_model_parent_hops(const ormc_model *m, const ormc_model *owner,
                           ormc_field **hops, int max);
/** Enum by class name, or NULL. */
const ormc_enum *ormc_schema_enum(const ormc_schema *s, const char *name);

/** Is this field a relation end that yields many rows per row of its model? */
int ormc_field_is_multi(const ormc_field *f);
/** Is this a relation end (forward or reverse)? */
int ormc_field_is_relation(const ormc_field *f);
/** Has this field a column on its model's own table (not M2M, not reverse)? */
int ormc_field_is_concrete(const ormc_field *f);

/** Can this kind be aggregated, compared and sorted (not JSON or binary)? */
int ormc_field_kind_is_scalar(ormc_field_kind k);
/** Is a value of this kind an integer (AutoField, IntegerField, ...)? */
int ormc_field_kind_is_int(ormc_field_kind k);
/** Django's class name of a value kind ("DecimalField"), for messages. */
const char *ormc_field_kind_name(ormc_field_kind k);

/*
 * The models of s in an order where the target of each foreign key (and a
 * child's parent) comes before the model, a cycle broken where it is met:
 * indexes into s->models, in order (room for s->nmodels). Returns how many,
 * or ORMC_ENOMEM.
 */
int ormc_schema_fk_order(const ormc_schema *s, int *order);

/* Names equal but for ASCII case ("shop.Order" names the model Order, table shop_order). */
int ormc_name_equal_ci(const char *a, const char *b);

/*
 * The field whose values a column of f holds: f itself, or for a foreign
 * key (or a many-to-many end) its target's primary key, followed through
 * keys that are themselves foreign keys (a child's parent link); NULL past
 * 32 of those (a cycle).
 */
const ormc_field *ormc_field_value_field(const ormc_field *f);

/* m's index in s->models, or -1. */
int ormc_schema_model_index(const ormc_schema *s, const ormc_model *m);

#endif
