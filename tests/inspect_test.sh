#!/usr/bin/env bash
# inspect_test.sh ORMC SOURCE_DIR WORK -- `ormc inspect` round trips.
#
# For examples/shop, examples/bookstore and tests/conformance/edge, on
# SQLite, PostgreSQL and MariaDB: migrate and load the example, inspect the
# database, then check that the inspected models.py
#   - compiles every query of tests/inspect/EXAMPLE.txt (forward relations
#     only: reverse names are not in a database) to the same SQL as the
#     original models, for the database's dialect, and
#   - gives the same `ormc run --format json` answers on the loaded data.
# The bookstore is also made with --app-label (tables bookstore_book, ...)
# and inspected with it: no db_table, same SQL. Through ODBC (SQLite,
# PostgreSQL and MariaDB data sources) inspect must print exactly what the
# native driver prints. Then a hand-made SQLite schema checks the names
# (keywords, spaces, self references, related_name, db_table, guesses), and
# the errors.
#
# The servers are the test fixture's (ORMC_TEST_SERVERS_DIR/servers.env); a
# backend that cannot be reached is a failure, not a skip.
set -uo pipefail
ormc=$1 src=$2 work=$3

env_file=${ORMC_TEST_SERVERS_DIR:?no ORMC_TEST_SERVERS_DIR}/servers.env
pg=$(sed -n 's/^postgresql=//p' "$env_file")
my=$(sed -n 's/^mysql=//p' "$env_file")
if [ -z "$pg" ] || [ -z "$my" ]; then
	echo "inspect_test: no PostgreSQL or MariaDB server in $env_file" >&2
	exit 1
fi
re='^[a-z]+://([^:@/]*)(:([^@/]*))?@([^:/]*)(:([0-9]+))?/?'
[[ $pg =~ $re ]] || { echo "inspect_test: cannot read $pg" >&2; exit 1; }
pg_user=${BASH_REMATCH[1]} pg_pass=${BASH_REMATCH[3]} pg_host=${BASH_REMATCH[4]} pg_port=${BASH_REMATCH[6]:-5432}
[[ $my =~ $re ]] || { echo "inspect_test: cannot read $my" >&2; exit 1; }
my_user=${BASH_REMATCH[1]} my_pass=${BASH_REMATCH[3]} my_host=${BASH_REMATCH[4]} my_port=${BASH_REMATCH[6]:-3306}
my_client() {
	MYSQL_PWD=$my_pass mariadb --no-defaults -u"$my_user" -h"$my_host" -P"$my_port" "$@"
}

prefix=${ORMC_INSPECT_DB_PREFIX:-ormc_inspect}   # database names
rm -rf "$work"
mkdir -p "$work"
status=0
pass() { echo "ok - $1"; }
fail() { echo "not ok - $1"; status=1; }

models_of() {   # example -> its models.py
	case $1 in
	edge) echo "$src/tests/conformance/edge/models.py" ;;
	*) echo "$src/examples/$1/models.py" ;;
	esac
}
url_of() {      # backend database -> URL
	case $1 in
	sqlite) echo "sqlite:$work/$2.db" ;;
	postgresql) echo "${pg%/*}/$2" ;;
	mysql) echo "${my%/*}/$2" ;;
	sqlite-odbc) echo "odbc:Driver={ormc-sqlite3};Database=$work/$2.db;" ;;
	postgresql-odbc) echo "odbc:Driver={ormc-postgresql};Server=$pg_host;Port=$pg_port;Database=$2;Uid=$pg_user;Pwd=$pg_pass;BoolsAsChar=0;" ;;
	mysql-odbc) echo "odbc:Driver={ormc-mariadb};Server=$my_host;Port=$my_port;Database=$2;User=$my_user;Password=$my_pass;" ;;
	esac
}
create_db() {   # backend database
	case $1 in
	sqlite) rm -f "$work/$2.db" ;;
	postgresql) PGOPTIONS="-c client_min_messages=warning" psql -q -X -v ON_ERROR_STOP=1 "$pg" -c "DROP DATABASE IF EXISTS $2 WITH (FORCE)" -c "CREATE DATABASE $2" ;;
	mysql) my_client -e "DROP DATABASE IF EXISTS $2; CREATE DATABASE $2 CHARACTER SET utf8mb4" ;;
	esac
}
drop_db() {
	case $1 in
	postgresql) psql -q -X "$pg" -c "DROP DATABASE IF EXISTS $2 WITH (FORCE)" ;;
	mysql) my_client -e "DROP DATABASE IF EXISTS $2" ;;
	esac
}

# same_sql NAME DIALECT QUERIES ORIGINAL INSPECTED [--app-label L]
same_sql() {
	local name=$1 dialect=$2 queries=$3 orig=$4 insp=$5
	shift 5
	if "$ormc" sql "$@" --models "$orig" --dialect "$dialect" --file "$queries" >"$work/sql.orig" &&
	   "$ormc" sql "$@" --models "$insp" --dialect "$dialect" --file "$queries" >"$work/sql.insp" &&
	   [ -s "$work/sql.orig" ] && diff -u "$work/sql.orig" "$work/sql.insp"; then
		pass "$name: the inspected models compile the same $dialect SQL"
	else
		fail "$name: the inspected models compile the same $dialect SQL"
	fi
}

# same_run NAME URL QUERIES ORIGINAL INSPECTED [--app-label L]
same_run() {
	local name=$1 url=$2 queries=$3 orig=$4 insp=$5
	shift 5
	if "$ormc" run "$@" --models "$orig" --db "$url" --format json --file "$queries" >"$work/run.orig" &&
	   "$ormc" run "$@" --models "$insp" --db "$url" --format json --file "$queries" >"$work/run.insp" &&
	   [ -s "$work/run.orig" ] && diff -u "$work/run.orig" "$work/run.insp"; then
		pass "$name: the inspected models give the same answers"
	else
		fail "$name: the inspected models give the same answers"
	fi
}

for backend in sqlite postgresql mysql; do
	dialect=$backend
	for ex in shop bookstore edge; do
		db=${prefix}_$ex
		models=$(models_of "$ex")
		url=$(url_of $backend $db)
		name="$ex on $backend"
		if ! create_db $backend $db ||
		   ! "$ormc" migrate --models "$models" --db "$url" ||
		   ! "$ormc" load --models "$models" --db "$url" "${models%/models.py}/fixture.json"; then
			fail "$name: migrate and load"
			continue
		fi
		insp=$work/$ex.$backend.py
		if "$ormc" inspect --db "$url" >"$insp" && [ -s "$insp" ] &&
		   "$ormc" ddl --models "$insp" --dialect $dialect >/dev/null; then
			pass "$name: inspect writes a models.py that ormc reads"
		else
			fail "$name: inspect writes a models.py that ormc reads"
			continue
		fi
		same_sql "$name" $dialect "$src/tests/inspect/$ex.txt" "$models" "$insp"
		same_run "$name" "$url" "$src/tests/inspect/$ex.txt" "$models" "$insp"
		# through ODBC the same catalog queries, so the same file
		odbc=$(url_of $backend-odbc $db)
		if "$ormc" inspect --db "$odbc" >"$work/odbc.py" && diff -u "$insp" "$work/odbc.py"; then
			pass "$name: inspect through ODBC prints the same models"
		else
			fail "$name: inspect through ODBC prints the same models"
		fi
	done
	grep -q '^    authors = models.ManyToManyField("Author")$' "$work/bookstore.$backend.py" &&
	grep -q '^    books = models.ManyToManyField("Book")$' "$work/bookstore.$backend.py" &&
	grep -q '^    tags = models.ManyToManyField("Tag")$' "$work/edge.$backend.py" &&
	! grep -q '^class BookAuthors\|^class StoreBooks\|^class PlayerTags' "$work/bookstore.$backend.py" "$work/edge.$backend.py" &&
	grep -q '^    publisher = models.ForeignKey("Publisher", on_delete=models.DO_NOTHING)$' "$work/bookstore.$backend.py" &&
	grep -q '^    team = models.ForeignKey("Team", on_delete=models.DO_NOTHING, null=True)$' "$work/edge.$backend.py" &&
	grep -q '^    price = models.DecimalField(max_digits=10, decimal_places=2)$' "$work/shop.$backend.py" &&
	grep -q '^    quantity = models.PositiveIntegerField()$' "$work/shop.$backend.py" &&
	! grep -q 'db_table\|    id = ' "$work/shop.$backend.py" "$work/bookstore.$backend.py" "$work/edge.$backend.py" &&
		pass "$backend: M2M tables as ManyToManyField, foreign keys, decimals, no db_table, implicit id" ||
		fail "$backend: M2M tables as ManyToManyField, foreign keys, decimals, no db_table, implicit id"

	# --app-label: tables bookstore_book & co. read back as Book, without db_table
	db=${prefix}_label
	models=$(models_of bookstore)
	url=$(url_of $backend $db)
	insp=$work/label.$backend.py
	if create_db $backend $db &&
	   "$ormc" migrate --app-label bookstore --models "$models" --db "$url" &&
	   "$ormc" load --app-label bookstore --models "$models" --db "$url" "$src/examples/bookstore/fixture.json" &&
	   "$ormc" inspect --app-label bookstore --db "$url" >"$insp" &&
	   grep -q '^class Book(models.Model):$' "$insp" && ! grep -q db_table "$insp"; then
		pass "bookstore --app-label on $backend: classes named without the label, no db_table"
	else
		fail "bookstore --app-label on $backend: classes named without the label, no db_table"
	fi
	same_sql "bookstore --app-label on $backend" $dialect "$src/tests/inspect/bookstore.txt" "$models" "$insp" --app-label bookstore
	same_run "bookstore --app-label on $backend" "$url" "$src/tests/inspect/bookstore.txt" "$models" "$insp" --app-label bookstore
	# without the label the same tables keep their names in Meta.db_table
	# (and the M2M tables, whose columns then do not fit, stay models)
	if "$ormc" inspect --db "$url" >"$work/nolabel.py" &&
	   grep -q '^class BookstoreBook(models.Model):$' "$work/nolabel.py" &&
	   grep -q 'db_table = "bookstore_book"' "$work/nolabel.py" &&
	   "$ormc" ddl --models "$work/nolabel.py" --dialect $dialect >/dev/null; then
		pass "bookstore tables without --app-label on $backend: classes BookstoreBook with db_table"
	else
		fail "bookstore tables without --app-label on $backend: classes BookstoreBook with db_table"
	fi
done

# A schema no models file made: names Django's inspectdb would write.
tricky=$work/tricky.db
rm -f "$tricky"
sqlite3 "$tricky" <<'SQL'
CREATE TABLE person (id integer PRIMARY KEY AUTOINCREMENT, name varchar(40) NOT NULL,
  "class" integer NULL, "Weird Name" text, mentor_id integer NULL REFERENCES person(id),
  boss integer NULL REFERENCES person(id));
CREATE TABLE app_data (code varchar(10) PRIMARY KEY, person_id integer NOT NULL UNIQUE REFERENCES person(id),
  blob_col blob, amount decimal, spot point, doc text CHECK (JSON_VALID("doc")), UNIQUE (code, amount));
CREATE TABLE person_friends (id integer PRIMARY KEY AUTOINCREMENT,
  from_person_id integer NOT NULL REFERENCES person(id),
  to_person_id integer NOT NULL REFERENCES person(id), UNIQUE (from_person_id, to_person_id));
CREATE TABLE label (id integer PRIMARY KEY AUTOINCREMENT, other integer NULL);
CREATE TABLE other (id integer PRIMARY KEY AUTOINCREMENT, n integer NOT NULL,
  label_id integer NULL REFERENCES label(id));
SQL
"$ormc" inspect --db "sqlite:$tricky" >"$work/tricky.py"
expect=(
	'^class AppData(models.Model):$'
	'^    code = models.CharField(max_length=10, primary_key=True)$'
	'^    person = models.OneToOneField("Person", on_delete=models.DO_NOTHING)$'
	'^    blob_col = models.BinaryField(null=True)$'
	'^    spot = models.TextField(null=True)  # This field type is a guess.$'
	'^    doc = models.JSONField(null=True)$'
	'^    amount = models.DecimalField(max_digits=10, decimal_places=5, null=True)  # max_digits and decimal_places have been guessed'
	'^        db_table = "app_data"$'
	'^        unique_together = (("code", "amount"),)$'
	'^    class_field = models.IntegerField(db_column="class", null=True)$'
	'^    weird_name = models.TextField(db_column="Weird Name", null=True)$'
	'^    mentor = models.ForeignKey("self", on_delete=models.DO_NOTHING, related_name="person_mentor_set", null=True)$'
	'^    boss = models.ForeignKey("self", on_delete=models.DO_NOTHING, db_column="boss", related_name="person_boss_set", null=True)$'
	'^    friends = models.ManyToManyField("self", symmetrical=False, related_name="person_friends_set")$'
	'^    label = models.ForeignKey("Label", on_delete=models.DO_NOTHING, related_name="other_label_set", null=True)$'
)
ok=1
for e in "${expect[@]}"; do
	grep -q -- "$e" "$work/tricky.py" || { echo "# missing: $e"; ok=0; }
done
grep -q '^class PersonFriends' "$work/tricky.py" && ok=0
[ $ok = 1 ] && pass "a hand-made schema: keywords, spaces, self relations, reverse name clashes, db_table, guesses" ||
	{ cat "$work/tricky.py"; fail "a hand-made schema: keywords, spaces, self relations, reverse name clashes, db_table, guesses"; }
if "$ormc" sql --models "$work/tricky.py" --dialect sqlite \
	'Person.objects.filter(mentor__name="x", friends__name="y", boss__class_field=3).count()' >"$work/out" &&
   grep -q '"T[0-9]*"."class" = ?' "$work/out" && grep -q '"person_friends"' "$work/out" &&
   "$ormc" sql --models "$work/tricky.py" --dialect sqlite 'Other.objects.filter(label__other=1).count()' >/dev/null; then
	pass "the hand-made schema's models load and compile"
else
	fail "the hand-made schema's models load and compile"
fi

# --tables: the named tables and what they reference, nothing else
"$ormc" inspect --db "sqlite:$tricky" --tables app_data >"$work/some.py"
if grep -q '^class AppData' "$work/some.py" && grep -q '^class Person' "$work/some.py" &&
   ! grep -q '^class Other\|friends' "$work/some.py"; then
	pass "--tables app_data writes AppData and the Person it references only"
else
	fail "--tables app_data writes AppData and the Person it references only"
fi
"$ormc" inspect --db "sqlite:$tricky" other >"$work/some.py"
grep -q '^class Other' "$work/some.py" && grep -q '^class Label' "$work/some.py" &&
	! grep -q '^class Person' "$work/some.py" &&
	pass "a table named as an argument, with the table it references" ||
	fail "a table named as an argument, with the table it references"

# errors: exit 2 for bad input with nothing on stdout, exit 1 for the database
"$ormc" inspect --db "sqlite:$tricky" --tables nope >"$work/out" 2>"$work/err"
rc=$?
[ $rc = 2 ] && [ ! -s "$work/out" ] && grep -q 'table "nope" is not in the database' "$work/err" &&
	pass "an unknown table is exit 2, nothing printed" || fail "an unknown table is exit 2, nothing printed (exit $rc)"
"$ormc" inspect >"$work/out" 2>"$work/err"
rc=$?
[ $rc = 2 ] && grep -q 'inspect needs --db URL' "$work/err" &&
	pass "inspect without --db is exit 2" || fail "inspect without --db is exit 2 (exit $rc)"
"$ormc" inspect --models x.py --db "sqlite:$tricky" >"$work/out" 2>"$work/err"
rc=$?
[ $rc = 2 ] && grep -q "inspect takes --db" "$work/err" &&
	pass "inspect rejects --models" || fail "inspect rejects --models (exit $rc)"
"$ormc" inspect --db "${pg%/*}/${prefix}_no_such_db" >"$work/out" 2>"$work/err"
rc=$?
[ $rc = 1 ] && [ ! -s "$work/out" ] &&
	pass "a database that cannot be opened is exit 1" || fail "a database that cannot be opened is exit 1 (exit $rc)"

for backend in postgresql mysql; do
	for db in ${prefix}_shop ${prefix}_bookstore ${prefix}_edge ${prefix}_label; do
		drop_db $backend $db >/dev/null 2>&1
	done
done
exit $status
