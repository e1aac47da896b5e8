"""djside.py -- the oracle: real Django 3.2 on SQLite, PostgreSQL and MariaDB.

Django is configured in-process (settings.configure) with one app per
example, the app label being the example's name, so that loaddata reads the
fixtures as they are ("bookstore.book") and the tables are named
<label>_<model>, which ormc reads with --app-label. The tables are created
by Django (migrate --run-syncdb: the apps have no migrations) and the
fixtures loaded by Django, on each engine; ormc then reads those same
databases.

A query is evaluated from its Django source text (see qgen.py) with a
database router that sends every read to the engine being asked.
"""
import base64
import datetime
import decimal
import json
import os
import re
import sys
import threading
import uuid

EXAMPLES = {
    "bookstore": "examples/bookstore",
    "shop": "examples/shop",
    "auth": "examples/auth",
    "tasks": "examples/tasks",
    "edge": "tests/conformance/edge",
    "inherit": "tests/conformance/inherit",
}
ENGINES = ("postgresql", "sqlite", "mysql")
DBNAME = "ormc_difftest"
MYSQL_MODE = ("ONLY_FULL_GROUP_BY,STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,"
              "ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION")

_current = threading.local()


class Router:
    """Every read and write goes to the engine being asked (djside.using)."""

    def db_for_read(self, model, **hints):
        return getattr(_current, "alias", None)

    db_for_write = db_for_read

    def allow_migrate(self, db, app_label, **hints):
        return True


def parse_url(url):
    """scheme://user:pass@host:port/db -> dict (no percent escapes, as the suite's URLs)."""
    m = re.match(r"^(\w+)://(?:([^:@/]*)(?::([^@/]*))?@)?([^:/?]*)(?::(\d+))?(?:/([^?]*))?", url)
    if not m:
        raise ValueError("not a server URL: %s" % url)
    scheme, user, password, host, port, db = m.groups()
    return {"scheme": scheme, "user": user or "", "password": password or "",
            "host": host or "127.0.0.1", "port": port or "", "db": db or ""}


def read_servers(servers_dir):
    """The admin URLs of the test servers: environment first, then DIR/servers.env."""
    urls = {}
    path = os.path.join(servers_dir, "servers.env") if servers_dir else None
    if path and os.path.exists(path):
        with open(path) as f:
            for line in f:
                line = line.strip()
                if "=" in line and not line.startswith("#"):
                    k, v = line.split("=", 1)
                    urls[k] = v
    if os.environ.get("ORMC_TEST_POSTGRES_URL"):
        urls["postgresql"] = os.environ["ORMC_TEST_POSTGRES_URL"]
    if os.environ.get("ORMC_TEST_MYSQL_URL"):
        urls["mysql"] = os.environ["ORMC_TEST_MYSQL_URL"]
    return urls


def _write_app(appsdir, label, srcdir):
    """A package <label> whose models.py is the example's models.py.

    The tasks example omits on_delete= (older Django); Django 3.2 requires
    it, so ForeignKey gets CASCADE when the file does not say.
    """
    pkg = os.path.join(appsdir, label)
    os.makedirs(pkg, exist_ok=True)
    with open(os.path.join(pkg, "__init__.py"), "w") as f:
        f.write("")
    with open(os.path.join(srcdir, "models.py")) as f:
        text = f.read()
    shim = ("from django.db import models as _dm\n"
            "class _FK(_dm.ForeignKey):\n"
            "    def __init__(self, to, on_delete=_dm.CASCADE, **kw):\n"
            "        super().__init__(to, on_delete, **kw)\n")
    text = text.replace("models.ForeignKey(", "_FK(")
    # keep "from __future__"-free files simple: the shim goes first
    with open(os.path.join(pkg, "models.py"), "w") as f:
        f.write(shim + text)


def _create_databases(urls, work):
    import psycopg2
    import MySQLdb

    sqlite_path = os.path.join(work, "django.sqlite3")
    if os.path.exists(sqlite_path):
        os.remove(sqlite_path)
    pg = parse_url(urls["postgresql"])
    conn = psycopg2.connect(host=pg["host"], port=pg["port"] or 5432, user=pg["user"],
                            password=pg["password"], dbname=pg["db"] or "postgres")
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % DBNAME)
    cur.execute("CREATE DATABASE \"%s\" ENCODING 'UTF8' TEMPLATE template0" % DBNAME)
    conn.close()
    my = parse_url(urls["mysql"])
    conn = MySQLdb.connect(host=my["host"], port=int(my["port"] or 3306), user=my["user"],
                           passwd=my["password"], db=my["db"] or "mysql")
    cur = conn.cursor()
    cur.execute("DROP DATABASE IF EXISTS `%s`" % DBNAME)
    # Binary collation: text compares, groups and sorts by code point, as
    # the tables ormc creates (docs/dialects.md, "Text").
    cur.execute("CREATE DATABASE `%s` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin" % DBNAME)
    conn.close()
    return sqlite_path, pg, my


def _backport_meta_ordering_group_by():
    """Django 4.0's fix of ticket #32546 in the oracle's Django 3.2.

    Since Django 3.1 a model's Meta.ordering does not order a GROUP BY query,
    but 3.2 still adds its columns to the GROUP BY: values("stars").annotate(...)
    over a model ordered by "id" gives one row per id. Django 4.0 leaves them
    out (django/db/models/sql/compiler.py, get_group_by: "if not
    self._meta_ordering"), which is what ormc follows.
    """
    from django.db.models.sql import compiler

    group_by_32 = compiler.SQLCompiler.get_group_by

    def get_group_by(self, select, order_by):
        return group_by_32(self, select, [] if self._meta_ordering else order_by)

    compiler.SQLCompiler.get_group_by = get_group_by


def setup(source_dir, work, urls, load=True):
    """Configure Django, create the three databases and load every fixture.

    Returns the dict of database settings by engine (for the ormc URLs).
    """
    import django
    from django.conf import settings

    appsdir = os.path.join(work, "apps")
    for label, rel in EXAMPLES.items():
        _write_app(appsdir, label, os.path.join(source_dir, rel))
    sys.path.insert(0, appsdir)
    if load:
        sqlite_path, pg, my = _create_databases(urls, work)
    else:
        sqlite_path = os.path.join(work, "django.sqlite3")
        pg, my = parse_url(urls["postgresql"]), parse_url(urls["mysql"])
    databases = {
        "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": sqlite_path},
        "postgresql": {"ENGINE": "django.db.backends.postgresql", "NAME": DBNAME,
                       "USER": pg["user"], "PASSWORD": pg["password"], "HOST": pg["host"],
                       "PORT": pg["port"]},
        "mysql": {"ENGINE": "django.db.backends.mysql", "NAME": DBNAME, "USER": my["user"],
                  "PASSWORD": my["password"], "HOST": my["host"], "PORT": my["port"],
                  "OPTIONS": {"charset": "utf8mb4",
                              # the same sql_mode as ormc's MySQL session
                              "init_command": "SET sql_mode='%s', time_zone='+00:00'"
                                              % MYSQL_MODE}},
    }
    databases["sqlite"] = dict(databases["default"])
    settings.configure(
        DEBUG=False,
        DATABASES=databases,
        INSTALLED_APPS=list(EXAMPLES),
        MIGRATION_MODULES={label: None for label in EXAMPLES},
        DATABASE_ROUTERS=["djside.Router"],
        DEFAULT_AUTO_FIELD="django.db.models.AutoField",
        USE_TZ=False,
        TIME_ZONE="UTC",
    )
    django.setup()
    _backport_meta_ordering_group_by()
    if load:
        from django.core.management import call_command
        for alias in ENGINES:
            _current.alias = alias
            call_command("migrate", database=alias, run_syncdb=True, verbosity=0)
            for label, rel in EXAMPLES.items():
                call_command("loaddata", os.path.join(source_dir, rel, "fixture.json"),
                             database=alias, verbosity=0)
        _current.alias = None
    return {"sqlite": sqlite_path, "postgresql": pg, "mysql": my}


def namespace(label):
    """What a query's Django text may name: the app's models and Django's expressions."""
    from django.apps import apps
    from django.db import models as m
    from django.db.models import functions as fn

    ns = {}
    for name in ("Count", "Sum", "Avg", "Min", "Max", "StdDev", "Variance", "Q", "F",
                 "Value", "Case", "When", "Subquery", "OuterRef", "Exists",
                 "ExpressionWrapper", "IntegerField", "FloatField", "DecimalField",
                 "BooleanField", "CharField", "DateField", "DateTimeField"):
        ns[name] = getattr(m, name)
    for name in ("Window", "RowRange", "ValueRange"):
        ns[name] = getattr(m, name)
    # the functions qgen_funcs draws (Django 3.2 names them as ormc does)
    for name in ("Coalesce", "Greatest", "Least", "NullIf", "Cast", "Length", "Upper",
                 "Lower", "Concat", "Substr", "Left", "Right", "StrIndex", "Replace", "LPad",
                 "RPad", "Reverse", "Trim", "Abs", "Ceil", "Floor", "Round", "Mod", "Power",
                 "Sqrt", "Sign", "Rank", "DenseRank", "RowNumber", "Ntile", "Lag", "Lead",
                 "FirstValue", "TruncYear", "TruncQuarter", "TruncMonth", "TruncWeek",
                 "TruncDay", "TruncDate", "TruncHour", "ExtractYear", "ExtractQuarter",
                 "ExtractMonth", "ExtractWeek", "ExtractDay", "ExtractWeekDay",
                 "ExtractIsoWeekDay", "ExtractIsoYear", "ExtractHour"):
        ns[name] = getattr(fn, name)
    for model in apps.get_app_config(label).get_models():
        ns[model.__name__] = model
    ns["_merge"] = _merge
    ns["_rows_aggregate"] = _rows_aggregate
    return ns


def _rows_aggregate(qs, columns, specs):
    """aggregate() over a combined queryset, from its rows (Django 3.2 fails on it).

    columns: the names the combination selects; specs: [(name, func, column)]
    with func Count, Sum, Avg, Min or Max, computed as SQL does (NULLs left
    out; an empty Sum, Avg, Min, Max is None; Avg of integers a float).
    """
    rows = []
    for r in qs:
        if isinstance(r, dict):
            rows.append(r)
        elif isinstance(r, tuple):
            rows.append(dict(zip(columns, r)))
        else:
            rows.append({columns[0]: r})
    out = {}
    for name, func, col in specs:
        vals = [r[col] for r in rows if r[col] is not None]
        if func == "Count":
            out[name] = len(vals)
        elif not vals:
            out[name] = None
        elif func in ("Sum", "Avg"):
            total = sum(vals[1:], vals[0])
            if func == "Sum":
                out[name] = total
            elif isinstance(total, decimal.Decimal):
                out[name] = total / len(vals)
            else:
                out[name] = float(total) / len(vals)
        else:
            out[name] = (min if func == "Min" else max)(vals)
    return out


def _merge(*dicts):
    out = {}
    for d in dicts:
        out.update(d)
    return out


def cell(v):
    """A Django value as a tagged value for the comparator (see compare.py)."""
    if v is None:
        return None
    if isinstance(v, bool):
        return ["bool", v]
    if isinstance(v, int):
        return ["int", v]
    if isinstance(v, float):
        return ["float", v]
    if isinstance(v, decimal.Decimal):
        return ["dec", str(v)]
    if isinstance(v, datetime.datetime):
        return ["dt", v.isoformat()]
    if isinstance(v, datetime.date):
        return ["date", v.isoformat()]
    if isinstance(v, datetime.time):
        return ["time", v.isoformat()]
    if isinstance(v, datetime.timedelta):
        return ["dur", int(v.total_seconds() * 1000000)]
    if isinstance(v, str):
        return ["str", v]
    # ormc's text for the field kinds of docs/models.md
    if isinstance(v, uuid.UUID):
        return ["str", str(v)]
    if isinstance(v, (bytes, memoryview)):
        return ["str", base64.b64encode(bytes(v)).decode("ascii")]
    if isinstance(v, (dict, list)):    # JSONField: canonical JSON text
        return ["str", json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=False)]
    if hasattr(v, "name") and type(v).__name__ in ("FieldFile", "ImageFieldFile"):
        return ["str", v.name]
    return ["str", repr(v)]


def run(engine, label, code, kind, columns):
    """Evaluate Django text code on engine; return {"rows": [...]} or {"error": ...}.

    kind is what the query returns ("objects", "values", "lists", "flat",
    "aggregate", "scalar"); columns the expected column names, in order.
    """
    from django.db import connections

    _current.alias = engine
    try:
        result = eval(code, namespace(label))
        if kind == "scalar":
            rows = [[cell(result)]]
        elif kind == "aggregate":
            if sorted(result) != sorted(columns):
                return {"error": "django: aggregate keys %s" % list(result)}
            rows = [[cell(result[c]) for c in columns]]
        else:
            rows = []
            for obj in result:
                if kind == "flat":
                    rows.append([cell(obj)])
                elif kind == "lists":
                    rows.append([cell(x) for x in obj])
                elif kind == "values":
                    if sorted(obj) != sorted(columns):
                        return {"error": "django: values keys %s" % list(obj)}
                    rows.append([cell(obj[c]) for c in columns])
                else:
                    rows.append([cell(getattr(obj, c)) for c in columns])
        return {"rows": rows}
    except Exception as e:  # any Django or database error is an answer
        msg = "%s: %s" % (type(e).__name__, str(e).strip().splitlines()[0] if str(e).strip() else "")
        try:
            connections[engine].close()
        except Exception:
            pass
        return {"error": msg}
    finally:
        _current.alias = None
