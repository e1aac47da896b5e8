#!/usr/bin/python3
"""difftest.py -- the differential tester: random querysets, Django vs ormc.

  difftest.py --batch PATH/ormc_batch --work DIR [--servers DIR] [--count N] [--seed S]
              [--minimize N] [--save-regressions] [--report FILE] [-v]

Generates N random aggregation querysets over the examples (qgen.py), runs
each through real Django on PostgreSQL, SQLite and MariaDB (djside.py) and
through ormc on the seven backend combinations of the conformance suite
(ormc_batch), and compares the answers as values (compare()). The
regression cases (regressions.txt) are replayed too. Every disagreement is
reported; those matching tests/difftest/known.txt are known bugs, any other
fails the run (exit 1). New disagreements are minimized (the query tree is
shrunk while the same disagreement persists) and, with --save-regressions,
appended to regressions.txt. See docs/testing.md.

Exit status: 0 no new disagreement, 1 a new one, 77 the servers were not
selected (ORMC_TEST_BACKENDS), 2 setup failed.
"""
import argparse
import copy
import decimal
import json
import math
import os
import re
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # nothing written into the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

import djside  # noqa: E402
import qgen    # noqa: E402

COMBOS = ("sqlite", "sqlite-nofilter", "sqlite-odbc", "postgresql", "postgresql-odbc",
          "mysql", "mysql-odbc")


# ---------------------------------------------------------------- ormc side

def combo_urls(servers_dir, engines):
    """The URL (and server version) of each combination, for the databases Django made."""
    pg, my, sq = engines["postgresql"], engines["mysql"], engines["sqlite"]
    db = djside.DBNAME
    pgauth = pg["user"] + (":" + pg["password"] if pg["password"] else "")
    return {
        "sqlite": ("sqlite:" + sq, 0),
        "sqlite-nofilter": ("sqlite:" + sq, 32900),
        "sqlite-odbc": ("odbc:Driver={ormc-sqlite3};Database=%s;" % sq, 0),
        "postgresql": ("postgresql://%s@%s:%s/%s" % (pgauth, pg["host"], pg["port"], db), 0),
        "postgresql-odbc": ("odbc:Driver={ormc-postgresql};Server=%s;Port=%s;Database=%s;"
                            "Uid=%s;Pwd=%s;BoolsAsChar=0;" % (pg["host"], pg["port"] or 5432,
                                                             db, pg["user"], pg["password"]), 0),
        "mysql": ("mysql://%s:%s@%s:%s/%s" % (my["user"], my["password"], my["host"],
                                              my["port"], db), 0),
        "mysql-odbc": ("odbc:Driver={ormc-mariadb};Server=%s;Port=%s;Database=%s;User=%s;"
                       "Password=%s;" % (my["host"], my["port"] or 3306, db, my["user"],
                                         my["password"]), 0),
    }


def models_args():
    return ["%s=%s" % (label, os.path.join(SOURCE, rel, "models.py"))
            for label, rel in djside.EXAMPLES.items()]


def run_batch(batch, url, version, lines, timeout=300):
    """Run lines ("label\\tquery") through ormc_batch; one answer per line.

    A crash (the program dies on a line) is that line's answer
    ({"crash": ...}); the batch is restarted after it.
    """
    out = []
    start = 0
    while start < len(lines):
        cmd = [batch, "--db", url] + (["--server-version", str(version)] if version else []) \
            + models_args()
        todo = lines[start:]
        try:
            p = subprocess.run(cmd, input="".join(l + "\n" for l in todo), capture_output=True,
                               text=True, timeout=timeout)
            got = [l for l in p.stdout.split("\n") if l.strip()]
            rc, err = p.returncode, p.stderr
        except subprocess.TimeoutExpired as e:
            got = [l for l in (e.stdout or b"").decode(errors="replace").split("\n") if l.strip()]
            rc, err = "timeout", ""
        for g in got[:len(todo)]:
            try:
                out.append(json.loads(g))
            except ValueError:
                out.append({"error": "ormc_batch: bad output line: " + g[:200]})
        if len(got) >= len(todo):
            break
        if len(got) == 0 and rc not in ("timeout",) and (rc == 1 or rc == 2):
            # cannot connect / bad usage: every line fails alike
            msg = "ormc_batch failed: " + err.strip()[:300]
            out += [{"error": msg, "setup": True}] * (len(todo))
            break
        sig = ("timeout" if rc == "timeout" else
               "signal %d" % -rc if isinstance(rc, int) and rc < 0 else "exit %s" % rc)
        out.append({"crash": "ormc_batch died (%s)" % sig, "stderr": err.strip()[-300:]})
        start = len(out)
    return out


def ormc_cell(v):
    """An ormc_batch cell as a tagged value (the same form djside.cell gives)."""
    if v is None:
        return None
    if isinstance(v, bool):
        return ["bool", v]
    if isinstance(v, int):
        return ["int", v]
    if isinstance(v, str):
        return ["str", v]
    if isinstance(v, dict):
        (k, x), = v.items()
        if k == "f":
            return ["float", float(x)]
        return [k, x]
    return ["str", repr(v)]


# ---------------------------------------------------------------- the comparator

def norm_dt(s):
    s = s.replace(" ", "T").rstrip("Z")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return s


def dec_places(s):
    return len(s.split(".")[1]) if "." in s else 0


def cell_diff(exp, got, dec_fixed=None):
    """None if the tagged values agree, else a short reason.

    decimals: the expected exact value is rounded half-even to the places
    ormc printed (the output field's places), or to Django's own when it
    gave fewer (Django's AVG of a decimal on MySQL has the field's + 4, ormc
    the field's + 6), and compared numerically; a value within 1e-9 of a
    rounding tie may round either way. floats:
    relative 1e-9 (absolute 1e-12 near zero). Dates and datetimes as ISO
    text. Types must agree (an int is not a float).
    """
    if exp is None or got is None:
        return None if exp is None and got is None else "null"
    ke, kg = exp[0], got[0]
    if ke != kg:
        return "type %s vs %s" % (ke, kg)
    a, b = exp[1], got[1]
    if ke == "float":
        if math.isnan(a) or math.isnan(b):
            return None if math.isnan(a) and math.isnan(b) else "value"
        return None if math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12) else "value"
    if ke == "dec":
        da, db = decimal.Decimal(a), decimal.Decimal(b)
        p = dec_fixed if dec_fixed is not None else dec_places(b)
        if dec_fixed is None and dec_places(a) < p:
            p = dec_places(a)
            db = db.quantize(decimal.Decimal(1).scaleb(-p), rounding=decimal.ROUND_HALF_EVEN)
        unit = decimal.Decimal(1).scaleb(-p)
        if da.quantize(unit, rounding=decimal.ROUND_HALF_EVEN) == db:
            return None
        half = unit / 2
        rem = abs(da - da.quantize(unit, rounding=decimal.ROUND_DOWN))
        if abs(rem - half) <= decimal.Decimal("1e-9") and abs(da - db) <= half + \
                decimal.Decimal("1e-9"):
            return None
        return "value"
    if ke == "dt":
        return None if norm_dt(a) == norm_dt(b) else "value"
    return None if a == b else "value"


def sort_key(row):
    key = []
    for c in row:
        if c is None:
            key.append((0, ""))
        elif c[0] == "float":
            key.append((1, "%.9g" % c[1]))
        elif c[0] == "dec":
            key.append((1, "%.9g" % float(c[1])))
        elif c[0] == "dt":
            key.append((2, norm_dt(c[1])))
        else:
            key.append((2, repr(c[1])))
    return key


def compare(expect, got, columns, ordered, check_columns=True, dec_fixed=None):
    """None if the answers agree, else a one-line description of the first difference."""
    if check_columns and got.get("columns") is not None and got["columns"] != columns:
        return "columns %s, expected %s" % (got["columns"], columns)
    e, g = expect, got["rows"]
    if len(e) != len(g):
        return "%d rows, expected %d" % (len(g), len(e))
    if not ordered:
        e, g = sorted(e, key=sort_key), sorted(g, key=sort_key)
    for i, (re_, rg) in enumerate(zip(e, g)):
        if len(re_) != len(rg):
            return "row %d has %d cells, expected %d" % (i + 1, len(rg), len(re_))
        for j, (a, b) in enumerate(zip(re_, rg)):
            d = cell_diff(a, b, dec_fixed)
            if d:
                return "row %d, column %s: %s, expected %s (%s)" % (
                    i + 1, columns[j] if j < len(columns) else j, show(b), show(a), d)
    return None


def show(c):
    return "null" if c is None else json.dumps(c[1], ensure_ascii=False)


def show_rows(rows, limit=6):
    s = json.dumps([[None if c is None else c[1] for c in r] for r in rows[:limit]],
                   ensure_ascii=False, default=str)
    return s + (" ... (%d rows)" % len(rows) if len(rows) > limit else "")


# ---------------------------------------------------------------- known failures

def load_known(path):
    """known.txt: kind<TAB>combos<TAB>query regex<TAB>detail regex<TAB>reason."""
    known = []
    if not os.path.exists(path):
        return known
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            parts = line.split("\t")
            if len(parts) != 5:
                raise SystemExit("%s:%d: expected 5 tab-separated fields" % (path, n))
            kind, combos, qre, dre, reason = parts
            known.append({"kind": kind, "combos": combos, "query": re.compile(qre),
                          "detail": re.compile(dre), "reason": reason, "line": n, "hits": 0})
    return known


def match_known(known, d):
    for k in known:
        if k["kind"] not in ("*", d["kind"]):
            continue
        if k["combos"] != "*" and d["combo"] not in k["combos"].split(","):
            continue
        if k["query"].pattern.startswith("tag:"):
            if k["query"].pattern[4:] not in d.get("tags", ()):
                continue
        elif not k["query"].search(d["query"]):
            continue
        if k["detail"].search(d["detail"]):
            k["hits"] += 1
            return k
    return None


# ---------------------------------------------------------------- regressions

def load_regressions(path):
    """regressions.txt: blocks of "# comment", "label: L", "query: Q", "expect: JSON", then ====."""
    cases = []
    if not os.path.exists(path):
        return cases
    with open(path) as f:
        text = f.read()
    for block in text.split("\n====\n"):
        case = {}
        for line in block.split("\n"):
            if line.startswith("label: "):
                case["label"] = line[7:].strip()
            elif line.startswith("query: "):
                case["query"] = line[7:].strip()
            elif line.startswith("tags: "):
                case["tags"] = line[6:].split()
            elif line.startswith("expect: "):
                case["expect"] = json.loads(line[8:])
        if "query" in case:
            cases.append(case)
    return cases


def append_regression(path, label, query, tags, expect, comment):
    with open(path, "a") as f:
        f.write("# %s\nlabel: %s\nquery: %s\ntags: %s\nexpect: %s\n====\n" % (
            comment, label, query, " ".join(tags), json.dumps(expect, ensure_ascii=False)))


# ---------------------------------------------------------------- one query, everywhere

class Case:
    """A query to check: from the generator (tree) or from regressions.txt (stored answer)."""

    def __init__(self, label, ormc_text, tree=None, expect=None, origin="", tags=None):
        self.label, self.text, self.tree, self.expect, self.origin = label, ormc_text, tree, expect, origin
        self.info = []
        self.tags = qgen.tags(tree) if tree is not None else (tags or [])

    def line(self):
        return "%s\t%s" % (self.label, self.text)


def django_answer(case, schemas, cross=True):
    """The expected answer: Django on PostgreSQL (the oracle text), checked on SQLite and MariaDB.

    Returns {"kind", "columns", "ordered", "rows"} or {"error": ...}; notes
    go to case.info.
    """
    q = case.tree
    kind, columns = q.shape(schemas[q.label])
    code, rewritten = qgen.oracle_code(q, schemas[q.label])
    case.django = code
    case.rewritten = rewritten
    ordered = q.total_order()
    ans = {}
    for eng in (djside.ENGINES if cross else ("postgresql",)):
        ans[eng] = djside.run(eng, q.label, code, kind, columns)
    ref = ans["postgresql"]
    if "error" in ref:
        others = [a for e, a in ans.items() if e != "postgresql" and "error" not in a]
        if others:
            case.info.append(("django-postgresql-error", ref["error"]))
            return {"error": ref["error"], "undecided": True}
        return {"error": ref["error"]}
    for eng, a in ans.items():
        if eng == "postgresql":
            continue
        if "error" in a:
            case.info.append(("django-%s-error" % eng, a["error"]))
            continue
        d = compare(ref["rows"], {"rows": a["rows"]}, columns, ordered, check_columns=False,
                    dec_fixed=2)
        if d:
            case.info.append(("django-%s-differs" % eng, d))
    if rewritten:
        native = djside.run("postgresql", q.label, q.plain_dj(), kind, columns)
        if "rows" in native and compare(ref["rows"], {"rows": native["rows"]}, columns, ordered,
                                        check_columns=False, dec_fixed=2):
            case.info.append(("django-inflated", "native Django differs from the oracle"))
    # Django 3.2 leaves Sum() of an AutoField as PostgreSQL's numeric (its
    # integer converter looks for "...IntegerField" types only): an integral
    # decimal in a column the generator typed as an integer is that integer.
    # So is an integral float there: Floor/Ceil/Round/Abs/Sign of an
    # AutoField are AutoFields for Django, and PostgreSQL's floor(integer)
    # is a double precision that no converter turns back.
    kinds = q.column_kinds(schemas[q.label]) if kind != "scalar" else ["int"]
    for row in ref["rows"]:
        for i, c in enumerate(row):
            if c is None or i >= len(kinds) or kinds[i] != "int":
                continue
            if c[0] == "dec" and decimal.Decimal(c[1]) == \
                    decimal.Decimal(c[1]).to_integral_value():
                row[i] = ["int", int(decimal.Decimal(c[1]))]
            elif c[0] == "float" and math.isfinite(c[1]) and c[1] == int(c[1]):
                row[i] = ["int", int(c[1])]
    return {"kind": kind, "columns": columns, "ordered": ordered, "rows": ref["rows"]}


def judge(case, expect, got, combo):
    """One disagreement dict, or None when ormc's answer on combo is right."""
    d = {"query": case.text, "label": case.label, "combo": combo, "origin": case.origin,
         "tags": case.tags}
    if "crash" in got:
        d.update(kind="crash", detail=got["crash"] + " " + got.get("stderr", ""))
        return d
    if "error" in expect:
        if expect.get("undecided"):
            return None
        if "error" in got:
            return None       # both reject it
        d.update(kind="ormc-accepts", detail="Django: " + expect["error"])
        return d
    if "error" in got:
        d.update(kind="ormc-error", detail=got["error"] +
                 (" (SQLSTATE %s)" % got["sqlstate"] if got.get("sqlstate") else ""))
        return d
    rows = [[ormc_cell(c) for c in r] for r in got["rows"]]
    diff = compare(expect["rows"], {"rows": rows, "columns": got.get("columns")},
                   expect["columns"], expect["ordered"],
                   check_columns=expect["kind"] != "scalar")
    if diff:
        d.update(kind="mismatch", detail=diff, ormc=show_rows(rows),
                 django=show_rows(expect["rows"]))
        return d
    return None


# ---------------------------------------------------------------- shrinking

def slots(node):
    """(container, key) of every tree node below node, depth first."""
    out = []
    if isinstance(node, list):
        items = list(enumerate(node))
    elif isinstance(node, tuple):
        return out
    elif isinstance(node, (qgen.Node, qgen.Query)):
        items = list(vars(node).items())
    else:
        return out
    for k, v in items:
        if isinstance(v, qgen.Node):
            out.append((node, k))
            out += slots(v)
        elif isinstance(v, list):
            for i, x in enumerate(v):
                if isinstance(x, qgen.Node):
                    out.append((v, i))
                    out += slots(x)
                elif isinstance(x, tuple):
                    # (name, expr) and (cond, then) pairs
                    for j, y in enumerate(x):
                        if isinstance(y, qgen.Node):
                            out.append((("pair", v, i), j))
                            out += slots(y)
    return out


def get_slot(container, key):
    if isinstance(container, tuple) and container[0] == "pair":
        return container[1][container[2]][key]
    if isinstance(container, list):
        return container[key]
    return getattr(container, key)


def set_slot(container, key, value):
    if isinstance(container, tuple) and container[0] == "pair":
        lst, i = container[1], container[2]
        t = list(lst[i])
        t[key] = value
        lst[i] = tuple(t)
    elif isinstance(container, list):
        container[key] = value
    else:
        setattr(container, key, value)


def candidates(q):
    """Smaller variants of q: an op, an annotation, a condition or an argument less."""
    out = []
    for i in range(len(q.ops)):
        c = copy.deepcopy(q)
        del c.ops[i]
        out.append(c)
    if q.terminal is not None and isinstance(q.terminal, qgen.Aggregate) and \
            len(q.terminal.items) > 1:
        for i in range(len(q.terminal.items)):
            c = copy.deepcopy(q)
            del c.terminal.items[i]
            out.append(c)
    for oi, o in enumerate(q.ops):
        for attr in ("items", "conds", "names", "keys"):
            lst = getattr(o, attr, None)
            if isinstance(lst, list) and len(lst) > 1:
                for i in range(len(lst)):
                    c = copy.deepcopy(q)
                    del getattr(c.ops[oi], attr)[i]
                    out.append(c)
    if hasattr(q, "candidates"):
        out += q.candidates()     # a combined query's parts (qgen_combine)
    n = len(slots(q))
    for si in range(n):
        c0 = copy.deepcopy(q)
        sl = slots(c0)
        if si >= len(sl):
            break
        node = get_slot(*sl[si])
        for alt in node.alts():
            c = copy.deepcopy(q)
            sl2 = slots(c)
            set_slot(*sl2[si], copy.deepcopy(alt))
            out.append(c)
    return out


def signature(d):
    if d["kind"] in ("ormc-error", "crash"):
        msg = re.sub(r"[\"'`][^\"'`]*[\"'`]", "", d["detail"])
        msg = re.sub(r"\d+", "N", msg)
        return (d["kind"], d["combo"], msg[:60])
    return (d["kind"], d["combo"])


def minimize(case, d, schemas, batch, urls, budget=25):
    """Shrink case.tree while the disagreement d (same kind, combo, error) persists."""
    sig = signature(d)
    best, best_d = case, d
    url, version = urls[d["combo"]]
    for _round in range(budget):
        cands = []
        for q in candidates(best.tree):
            if qgen.check(q, schemas[q.label]) is not None:
                continue
            try:
                text = q.ormc()
            except Exception:
                continue
            if len(text) >= len(best.text):
                continue
            cands.append(Case(q.label, text, q, origin=case.origin))
        if not cands:
            break
        cands.sort(key=lambda c: len(c.text))
        cands = cands[:40]
        expects = [django_answer(c, schemas, cross=False) for c in cands]
        gots = run_batch(batch, url, version, [c.line() for c in cands])
        found = None
        for c, e, g in zip(cands, expects, gots):
            if "error" in e and not (d["kind"] == "ormc-accepts"):
                continue
            nd = judge(c, e, g, d["combo"])
            if nd is not None and signature(nd) == sig:
                found = (c, nd, e)
                break
        if found is None:
            break
        best, best_d = found[0], found[1]
        best.expect_answer = found[2]
    return best, best_d


# ---------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("--batch", required=True, help="the ormc_batch program")
    ap.add_argument("--work", required=True, help="a folder for the databases and the report")
    ap.add_argument("--servers", default=os.environ.get("ORMC_TEST_SERVERS_DIR"),
                    help="the servers folder of tests/servers.sh (servers.env, odbcinst.ini)")
    ap.add_argument("--count", type=int, default=1500)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--known", default=os.path.join(HERE, "known.txt"))
    ap.add_argument("--regressions", default=os.path.join(HERE, "regressions.txt"))
    ap.add_argument("--minimize", type=int, default=10,
                    help="minimize at most this many new disagreements (default 10)")
    ap.add_argument("--minimize-known", action="store_true",
                    help="minimize known disagreements too (one per known entry)")
    ap.add_argument("--save-regressions", action="store_true",
                    help="append the minimized cases to the regressions file")
    ap.add_argument("--no-cross", action="store_true",
                    help="ask Django on PostgreSQL only (no SQLite/MariaDB cross-check)")
    ap.add_argument("--combos", default=",".join(COMBOS))
    ap.add_argument("--report", help="write every disagreement as JSON lines here")
    ap.add_argument("--print-queries", action="store_true",
                    help="print the generated queries (ormc and Django text) and stop")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()

    t0 = time.time()
    try:
        import django, psycopg2, MySQLdb  # noqa: F401
    except ImportError as e:
        print("difftest: %s (Debian packages python3-django, python3-psycopg2, "
              "python3-mysqldb)" % e, file=sys.stderr)
        return 2
    combos = [c for c in args.combos.split(",") if c]
    sel = os.environ.get("ORMC_TEST_BACKENDS", "all").replace(" ", "")
    if sel not in ("", "all") and not all(b in sel.split(",")
                                          for b in ("sqlite", "postgresql", "mysql", "odbc")):
        print("difftest: needs every backend (ORMC_TEST_BACKENDS=%s)" % sel)
        return 77
    os.makedirs(args.work, exist_ok=True)
    if args.servers:
        os.environ.setdefault("ODBCSYSINI", args.servers)
        os.environ.setdefault("ODBCINI", os.path.join(args.servers, "odbc.ini"))
    urls = djside.read_servers(args.servers)
    if "postgresql" not in urls or "mysql" not in urls:
        print("difftest: no servers (start them with tests/servers.sh start DIR and pass "
              "--servers DIR)", file=sys.stderr)
        return 2
    engines = djside.setup(SOURCE, args.work, urls)
    schemas = {label: qgen.load_schema(label) for label in djside.EXAMPLES}
    curls = combo_urls(args.servers, engines)
    known = load_known(args.known)
    t_setup = time.time()

    trees = qgen.generate(schemas, args.seed, args.count)
    cases = [Case(q.label, q.ormc(), q, origin="seed %d #%d" % (args.seed, i + 1))
             for i, q in enumerate(trees)]
    if args.print_queries:
        for c in cases:
            print(c.text)
            print("    django: " + qgen.oracle_code(c.tree, schemas[c.label])[0])
        return 0
    regs = load_regressions(args.regressions)
    for i, r in enumerate(regs):
        cases.append(Case(r["label"], r["query"], None, expect=r["expect"],
                          origin="regression %d" % (i + 1), tags=r.get("tags")))

    # Django first (one process, three engines), then ormc's seven batches in parallel.
    for c in cases:
        if c.tree is not None:
            c.expect = django_answer(c, schemas, cross=not args.no_cross)
    t_django = time.time()
    lines = [c.line() for c in cases]
    procs = {}
    answers = {}
    import concurrent.futures as cf
    with cf.ThreadPoolExecutor(max_workers=4) as ex:
        for combo in combos:
            url, version = curls[combo]
            procs[combo] = ex.submit(run_batch, args.batch, url, version, lines)
        for combo, fut in procs.items():
            answers[combo] = fut.result()
    t_ormc = time.time()

    # judge
    disagreements = []
    stats = {"queries": len(trees), "regressions": len(regs), "django-errors": 0,
             "undecided": 0, "rewritten": 0}
    infos = {}
    for i, c in enumerate(cases):
        if "error" in c.expect:
            stats["undecided" if c.expect.get("undecided") else "django-errors"] += 1
        if getattr(c, "rewritten", False):
            stats["rewritten"] += 1
        for k, v in c.info:
            infos.setdefault(k, []).append((c, v))
        for combo in combos:
            d = judge(c, c.expect, answers[combo][i], combo)
            if d is not None:
                d["case"] = i
                disagreements.append(d)

    new, old = [], []
    for d in disagreements:
        k = match_known(known, d)
        if k is not None:
            d["known"] = k["reason"]
            old.append(d)
        else:
            new.append(d)

    # minimize: the new ones (and, when asked, one per known entry)
    minimized = []
    done_sigs = set()
    todo = [d for d in new if cases[d["case"]].tree is not None]
    if args.minimize_known:
        seen = set()
        for d in old:
            if d["known"] not in seen and cases[d["case"]].tree is not None:
                seen.add(d["known"])
                todo.append(d)
    for d in todo:
        if len(minimized) >= args.minimize + (len(todo) if args.minimize_known else 0):
            break
        s = signature(d) if d["kind"] != "mismatch" else (d["kind"], d["case"])
        if s in done_sigs:
            continue
        done_sigs.add(s)
        small, sd = minimize(cases[d["case"]], d, schemas, args.batch, curls)
        exp = getattr(small, "expect_answer", None) or cases[d["case"]].expect
        minimized.append((d, small, sd, exp))
        if args.save_regressions and "error" not in exp and \
                small.text not in {r["query"] for r in load_regressions(args.regressions)}:
            append_regression(args.regressions, small.label, small.text, small.tags, exp,
                              "%s on %s (%s): %s" % (sd["kind"], sd["combo"], d["origin"],
                                                     sd["detail"][:150].replace("\n", " ")))

    # report
    by_kind = {}
    for d in disagreements:
        by_kind.setdefault((d["kind"], "known" if "known" in d else "NEW"), set()).add(d["case"])
    print("difftest: seed %d, %d generated queries + %d regression cases, %d combinations"
          % (args.seed, len(trees), len(regs), len(combos)))
    print("  Django: %d rejected by Django everywhere, %d undecided (PostgreSQL failed), "
          "%d answered by the rewritten oracle" % (stats["django-errors"], stats["undecided"],
                                                   stats["rewritten"]))
    for k in sorted(infos):
        print("  note: %-28s %d queries" % (k, len(infos[k])))
    qs_bad = {d["case"] for d in disagreements}
    print("  disagreements: %d (query, combination) pairs in %d queries" % (
        len(disagreements), len(qs_bad)))
    for (kind, status), s in sorted(by_kind.items()):
        print("    %-13s %-5s %d queries" % (kind, status, len(s)))
    for k in known:
        if k["hits"]:
            print("  known (%d): %s" % (k["hits"], k["reason"]))
    shown = set()
    for d in new:
        key = (d["case"], d["kind"])
        if key in shown:
            continue
        shown.add(key)
        combos_of = sorted({x["combo"] for x in new if x["case"] == d["case"]
                            and x["kind"] == d["kind"]})
        print("NEW %s on %s [%s]\n  query:  %s\n  detail: %s" % (
            d["kind"], ",".join(combos_of), d["origin"], d["query"], d["detail"][:400]))
        if "ormc" in d:
            print("  ormc:   %s\n  django: %s" % (d["ormc"][:400], d["django"][:400]))
        c = cases[d["case"]]
        if getattr(c, "django", None):
            print("  django code: %s" % c.django)
        if len(shown) >= 40 and not args.verbose:
            print("  ... (more: --verbose or --report)")
            break
    for d, small, sd, exp in minimized:
        print("MINIMIZED %s on %s [%s]:\n  %s\n  detail: %s" % (
            sd["kind"], sd["combo"], d["origin"], small.text, sd["detail"][:300]))
        if "ormc" in sd:
            print("  ormc:   %s\n  django: %s" % (sd["ormc"][:300], sd["django"][:300]))
    if args.verbose:
        for k in sorted(infos):
            for c, v in infos[k][:5]:
                print("  %s: %s\n      %s" % (k, c.text, v[:200]))
    if args.report:
        with open(args.report, "w") as f:
            for d in disagreements:
                f.write(json.dumps(d, ensure_ascii=False, default=str) + "\n")
    print("  time: setup %.0fs, Django %.0fs, ormc %.0fs, total %.0fs" % (
        t_setup - t0, t_django - t_setup, t_ormc - t_django, time.time() - t0))
    if new:
        print("difftest: FAILED: %d new disagreements (not in %s)" % (len(new), args.known))
        return 1
    print("difftest: OK (no new disagreement)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
