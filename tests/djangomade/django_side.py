"""django_side.py SRCDIR WORK PG_URL MY_URL make|dumpdata ALIAS

Django 3.2 (USE_TZ=True) with the app "djangomade" (tests/djangomade):
`make` creates the MariaDB database ormc_dm_src and the PostgreSQL
database ormc_dm_dst, has Django make the tables on both and write rows
on MariaDB; `dumpdata ALIAS` prints Django's dumpdata of the app there.
"""
import datetime as dt
import decimal
import io
import os
import re
import sys
import uuid

src, work, pg_url, my_url, cmd = sys.argv[1:6]


def parse(url):
    m = re.match(r"^\w+://([^:@/]*)(?::([^@/]*))?@([^:/?]*)(?::(\d+))?", url)
    return {"user": m.group(1), "password": m.group(2) or "", "host": m.group(3),
            "port": m.group(4) or ""}


pg, my = parse(pg_url), parse(my_url)
app = os.path.join(work, "apps", "djangomade")
os.makedirs(app, exist_ok=True)
open(os.path.join(app, "__init__.py"), "w").close()
with open(os.path.join(src, "tests", "djangomade", "models.py")) as f:
    text = f.read()
with open(os.path.join(app, "models.py"), "w") as f:
    f.write(text)
sys.path.insert(0, os.path.join(work, "apps"))

if cmd == "make":
    import MySQLdb
    import psycopg2
    c = psycopg2.connect(host=pg["host"], port=pg["port"], user=pg["user"], password=pg["password"],
                         dbname="postgres")
    c.autocommit = True
    c.cursor().execute("DROP DATABASE IF EXISTS ormc_dm_dst WITH (FORCE)")
    c.cursor().execute("CREATE DATABASE ormc_dm_dst")
    c.close()
    c = MySQLdb.connect(host=my["host"], port=int(my["port"] or 3306), user=my["user"],
                        passwd=my["password"], db="mysql")
    c.cursor().execute("DROP DATABASE IF EXISTS ormc_dm_src")
    # the server's default collation, as a project's database has it
    c.cursor().execute("CREATE DATABASE ormc_dm_src CHARACTER SET utf8mb4")
    c.close()

import django
from django.conf import settings

settings.configure(
    DATABASES={
        "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"},
        "postgresql": {"ENGINE": "django.db.backends.postgresql", "NAME": "ormc_dm_dst",
                       "USER": pg["user"], "PASSWORD": pg["password"], "HOST": pg["host"],
                       "PORT": pg["port"]},
        "mysql": {"ENGINE": "django.db.backends.mysql", "NAME": "ormc_dm_src", "USER": my["user"],
                  "PASSWORD": my["password"], "HOST": my["host"], "PORT": my["port"],
                  "OPTIONS": {"charset": "utf8mb4"}}},
    INSTALLED_APPS=["djangomade"], MIGRATION_MODULES={"djangomade": None},
    DEFAULT_AUTO_FIELD="django.db.models.AutoField", USE_TZ=True, TIME_ZONE="UTC")
django.setup()
from django.core.management import call_command

if cmd == "dumpdata":
    out = io.StringIO()
    call_command("dumpdata", "djangomade", database=sys.argv[6], stdout=out)
    sys.stdout.write(out.getvalue())
    sys.exit(0)

from djangomade.models import Account, Group, Membership, Order, Tag, User  # noqa: E402

from django.db import connections

for alias in ("postgresql", "mysql"):
    call_command("migrate", database=alias, run_syncdb=True, verbosity=0)
    # the unmanaged model's view, as a project's RunSQL makes it
    with connections[alias].cursor() as c:
        c.execute("CREATE VIEW group_size AS SELECT group_id, COUNT(*) AS n "
                  "FROM djangomade_membership GROUP BY group_id")
D = decimal.Decimal
utc = dt.timezone.utc
db = "mysql"
balances = [D("123456789012345678.0123456789"), D("-0.0000000001"), D("0"),
            D("-999999999999999999.9999999999"), D("0.0000001234")]
totals = [D("12345678901234.0123456789"), D("-0.0000000001"), D("0"),
          D("-99999999999999.9999999999"), D("1.5")]
names = ["Zoë 😀", "alice", "Bob", "Ångström", "日本語"]
accounts = []
for i in range(5):
    a = Account(id=uuid.UUID(int=(i + 1) * 0x1111111111111111), name=names[i],
                display="Disp %d ñ" % i, active=[True, False, None, True, None][i],
                balance=balances[i], fee=D(i * 37) / 4, code="AC-%d" % i if i % 2 else None)
    a.save(using=db)
    accounts.append(a)
root = Group(name="root")
root.save(using=db)
child = Group(name="child", parent=root)
child.save(using=db)
leaf = Group(name="leaf", parent=child)
leaf.save(using=db)
users = []
for i in range(6):
    u = User(id=10 ** 12 + i, login="user%d" % i, account=accounts[i % 5],
             main_group=[root, child, leaf, None, root, child][i],
             last_seen=dt.datetime(2024, 3, 10 + i, 1 + i, 2, 3, 123456 * i, tzinfo=utc) if i != 2 else None,
             wake=dt.time(6, 30, 0, 999999 - i) if i != 4 else None,
             session=dt.timedelta(days=i, seconds=3600 * i + 1, microseconds=17 * i) if i != 5
             else dt.timedelta(microseconds=-1),
             score=[0.1, 1e-300, -2.5, None, 1.0 / 3, 12345678.9][i])
    u.save(using=db)
    users.append(u)
root.owner = users[5]        # the cycle: group -> user -> group
root.save(using=db)
leaf.owner = users[0]
leaf.save(using=db)
for i, u in enumerate(users):
    Membership(user=u, group=[root, child, leaf][i % 3], role=["admin", "member", "member"][i % 3],
               joined=dt.date(2020, 1, 1 + i)).save(using=db)
    if i % 2:
        Membership(user=u, group=root if i % 3 else child, role="guest",
                   joined=dt.date(2021, 2, 1 + i)).save(using=db)
tags = []
for t in ["red", "rouge", "blue", "📦", "o'neil"]:
    x = Tag(name=t)
    x.save(using=db)
    tags.append(x)
for i in range(20):
    o = Order(user=users[i % 6], total=totals[i % 5] if i % 7 else D("10"),
              created=dt.datetime(2025, 1 + i % 12, 1 + i, 23, 59, 59, 999999 if i % 2 else 0, tzinfo=utc))
    o.save(using=db)
    o.tags.add(*tags[: i % 4])
print("made")
