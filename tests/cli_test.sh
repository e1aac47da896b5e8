#!/bin/sh
# cli_test.sh -- end-to-end tests of the ormc command on examples/bookstore.
#
#   tests/cli_test.sh ORMC_BIN SOURCE_DIR
#
# Creates a SQLite database in a temporary directory with `ormc migrate` and
# `ormc load`, then checks results, SQL per dialect, output formats, query
# input (-, --file), error messages and exit statuses (0 ok, 1 database error,
# 2 bad input). The fixture has publishers A, B, C with books rated A: 4, 5;
# B: 1, 4; C: 1; average price 34.35, highest 81.20.
#
# Prints one "ok"/"not ok" line per check and "N passed, N failed" at the end;
# exits 1 if any check failed. POSIX sh.

if [ $# -ne 2 ]; then
	echo "usage: $0 ORMC_BIN SOURCE_DIR" >&2
	exit 2
fi
ORMC=$1
SRC=$2
MODELS=$SRC/examples/bookstore/models.py
FIXTURE=$SRC/examples/bookstore/fixture.json

TMP=$(mktemp -d "${TMPDIR:-/tmp}/ormc-cli.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT INT TERM
DB=sqlite:$TMP/books.db

passed=0
failed=0

# run CMD...: run with stdin from /dev/null; stdout, stderr and status kept.
run() {
	last="$*"
	"$@" </dev/null >"$TMP/out" 2>"$TMP/err"
	status=$?
}

# run_in FILE CMD...: the same with stdin from FILE.
run_in() {
	input=$1
	shift
	last="$* < $input"
	"$@" <"$input" >"$TMP/out" 2>"$TMP/err"
	status=$?
}

pass() {
	passed=$((passed + 1))
	echo "ok - $1"
}

fail() {
	failed=$((failed + 1))
	echo "not ok - $1"
	echo "    command: $last"
	echo "    status:  $status"
	echo "    stdout:"
	sed -n '1,20s/^/      /p' "$TMP/out"
	echo "    stderr:"
	sed -n '1,20s/^/      /p' "$TMP/err"
}

# check NAME CONDITION...: pass if the shell condition holds.
check() {
	name=$1
	shift
	if "$@"; then pass "$name"; else fail "$name"; fi
}

# Predicates on the last run.
status_is() { [ "$status" -eq "$1" ]; }
ok_and() { [ "$status" -eq 0 ] && "$@"; }
out_has() { grep -F -- "$1" "$TMP/out" >/dev/null; }
err_has() { grep -F -- "$1" "$TMP/err" >/dev/null; }
out_empty() { [ ! -s "$TMP/out" ]; }
# stdout with all blanks removed equals $1 (for JSON)
compact() { tr -d ' \t\r\n' <"$TMP/out"; }
json_is() { [ "$(compact)" = "$1" ]; }
first_line_is() { [ "$(sed -n 1p "$TMP/out")" = "$1" ]; }


for f in "$ORMC" "$MODELS" "$FIXTURE"; do
	if [ ! -e "$f" ]; then
		echo "missing: $f" >&2
		echo "0 passed, 1 failed"
		exit 1
	fi
done

# ---- the example database -------------------------------------------------

run "$ORMC" migrate --models "$MODELS" --db "$DB"
check "migrate creates the tables" status_is 0
run "$ORMC" load --models "$MODELS" --db "$DB" "$FIXTURE"
check "load the bookstore fixture" status_is 0

# ---- results (JSON) -----------------------------------------------------------

run "$ORMC" run --models "$MODELS" --db "$DB" --format json 'Book.objects.aggregate(Avg("price"))'
check "aggregate Avg(price) is the exact decimal 34.35" ok_and json_is '{"price__avg":"34.35"}'

run "$ORMC" run --models "$MODELS" --db "$DB" --format json 'Book.objects.aggregate(Max("price"))'
check "aggregate Max(price) keeps its places: 81.20" ok_and json_is '{"price__max":"81.20"}'

run "$ORMC" run --models "$MODELS" --db "$DB" --format json 'Book.objects.count()'
check "count() prints the bare value 5" ok_and json_is '5'

run "$ORMC" run --models "$MODELS" --db "$DB" --format json \
	'Publisher.objects.filter(book__rating__gt=3.0).annotate(num_books=Count("book")).order_by("name")'
counts=$(compact | grep -o '"num_books":[0-9]*' | sed 's/.*://' | tr '\n' ' ')
check "filter before annotate: A=2, B=1" ok_and [ "$counts" = "2 1 " ]
check "annotate() over objects prints a JSON list" ok_and out_has '['

run "$ORMC" run --models "$MODELS" --db "$DB" --format json \
	'Publisher.objects.annotate(num_books=Count("book")).order_by("name").values_list("num_books", flat=True)'
check "values_list(flat=True) prints a flat list" ok_and json_is '[2,2,1]'

run "$ORMC" run --models "$MODELS" --db "$DB" --format json \
	'Publisher.objects.annotate(num_books=Count("book")).order_by("name").values_list("num_books")'
check "values_list() prints a list of arrays" ok_and json_is '[[2],[2],[1]]'

# ---- SQL per dialect ------------------------------------------------------------

q='Book.objects.aggregate(n=Count("id", filter=Q(rating__gt=3)))'
run "$ORMC" sql --models "$MODELS" --dialect postgresql "$q"
check "postgresql: conditional count uses FILTER (WHERE" ok_and out_has 'FILTER (WHERE'
run "$ORMC" sql --models "$MODELS" --dialect sqlite "$q"
check "sqlite: conditional count uses FILTER (WHERE" ok_and out_has 'FILTER (WHERE'
run "$ORMC" sql --models "$MODELS" --dialect sqlite --server-version 3.29 "$q"
check "sqlite 3.29: no FILTER, CASE WHEN" ok_and out_has 'CASE WHEN'
run "$ORMC" sql --models "$MODELS" --dialect mysql "$q"
check "mysql: conditional count uses CASE WHEN" ok_and out_has 'CASE WHEN'
check "mysql: identifiers in backquotes" out_has '`'
run "$ORMC" sql --models "$MODELS" --dialect postgresql 'Book.objects.aggregate(Sum("price", default=0))'
check "default= compiles to COALESCE" ok_and out_has 'COALESCE'
run "$ORMC" sql --models "$MODELS" --dialect postgresql 'Book.objects.filter(rating__gt=3).count()'
check "sql prints the bound parameters" ok_and out_has '-- params: [3'
check "postgresql placeholders are \$1" out_has '$1'
run "$ORMC" sql --models "$MODELS" --dialect postgresql --tree 'Book.objects.annotate(n=Count("authors"), s=Count("store"))'
check "sql --tree: one derived table per multi-valued relation" ok_and out_has '--     block Count(authors): derived table on the keys, over authors'
check "sql --tree: then the SQL" out_has 'LEFT OUTER JOIN (SELECT'
run "$ORMC" run --models "$MODELS" --db "sqlite:$TMP/none.db" --tree 'Book.objects.count()'
check "--tree is for sql only" status_is 2
run "$ORMC" sql --models "$MODELS" --dialect oracle 'Book.objects.count()'
check "unknown dialect exits 2" status_is 2
check "unknown dialect prints nothing on stdout" out_empty

# ---- DDL ----------------------------------------------------------------------

run "$ORMC" migrate --models "$MODELS" --print --dialect postgresql
check "migrate --print shows CREATE TABLE" ok_and out_has 'CREATE TABLE'
run "$ORMC" ddl --models "$MODELS" --dialect mysql
check "ddl --dialect mysql shows CREATE TABLE" ok_and out_has 'CREATE TABLE'

# ---- formats --------------------------------------------------------------------

vq='Publisher.objects.annotate(num_books=Count("book")).order_by("name").values("name", "num_books")'
run "$ORMC" run --models "$MODELS" --db "$DB" --format csv "$vq"
check "csv prints the header" ok_and first_line_is 'name,num_books'
check "csv prints one line per row" [ "$(wc -l <"$TMP/out")" -eq 4 ]

run "$ORMC" run --models "$MODELS" --db "$DB" "$vq"
check "table prints the header" ok_and sh -c 'sed -n 1p "$1" | grep "name *| *num_books" >/dev/null' sh "$TMP/out"
check "table prints a rule under the header" sh -c 'sed -n 2p "$1" | grep "^-*+-*$" >/dev/null' sh "$TMP/out"
check "table prints (3 rows)" out_has '(3 rows)'

run "$ORMC" run --models "$MODELS" --db "$DB" --format yaml 'Book.objects.count()'
check "unknown format exits 2" status_is 2

# ---- query input: --file and - ----------------------------------------------------

cat >"$TMP/queries.txt" <<'EOF'
# two queries, one per line

Book.objects.count()
Book.objects.aggregate(Avg("price"))
EOF
run "$ORMC" run --models "$MODELS" --db "$DB" --format json --file "$TMP/queries.txt"
check "--file runs each line, one JSON document each" ok_and json_is '5{"price__avg":"34.35"}'

run "$ORMC" sql --models "$MODELS" --dialect sqlite --file "$TMP/queries.txt"
check "sql --file prints each query" ok_and [ "$(grep -c 'SELECT' "$TMP/out")" -eq 2 ]

echo 'Book.objects.count()' >"$TMP/one.txt"
run_in "$TMP/one.txt" "$ORMC" run --models "$MODELS" --db "$DB" --format json -
check "- reads the query from stdin" ok_and json_is '5'

printf 'good = Book.objects.filter(rating__gt=3)\ngood.count()\n' >"$TMP/script.txt"
run_in "$TMP/script.txt" "$ORMC" run --models "$MODELS" --db "$DB" --format json -
check "- accepts a short script (name = expr)" ok_and json_is '3'

# ---- errors -----------------------------------------------------------------------

run "$ORMC" run --models "$MODELS" --db "$DB" 'Book.objects.filter(bok=1)'
check "misspelled field exits 2" status_is 2
check "misspelled field: Django's message" err_has "Cannot resolve keyword 'bok' into field. Choices are:"
check "misspelled field: a caret under the name" err_has '^'
check "misspelled field: nothing on stdout" out_empty

run "$ORMC" sql --models "$MODELS" --dialect postgresql 'Book.objects.filter(bok=1)'
check "sql: misspelled field exits 2" status_is 2

run "$ORMC" sql --models "$MODELS" --dialect postgresql 'Book.objects.filter(rating__gt=3'
check "syntax error exits 2" status_is 2
check "syntax error: nothing on stdout" out_empty

run "$ORMC" run --models "$MODELS" --db "sqlite:$TMP/no/such/dir/x.db" 'Book.objects.count()'
check "unopenable database exits 1" status_is 1
check "unopenable database: nothing on stdout" out_empty

run "$ORMC" run --models "$TMP/no-such-models.py" --db "$DB" 'Book.objects.count()'
check "missing models file exits 2" status_is 2

run "$ORMC" run --models "$MODELS" --db "$DB"
check "missing query exits 2" status_is 2
run "$ORMC" frobnicate
check "unknown command exits 2" status_is 2
run "$ORMC" run --models "$MODELS" --db "$DB" --no-such-option 'Book.objects.count()'
check "unknown option exits 2" status_is 2

run "$ORMC" --version
check "--version names the sqlite driver" ok_and out_has 'sqlite'
check "--version names the dialects" out_has 'postgresql'
run "$ORMC" --help
check "--help prints the usage" ok_and out_has 'usage: ormc'

# ---- fixtures are all or nothing ----------------------------------------------------

# The real fixture, plus one record with a field Book does not have.
label=$(grep -o '"model" *: *"[^".]*\.' "$FIXTURE" | head -n 1 | sed 's/.*"//; s/\.$//')
body=$(cat "$FIXTURE")
body=${body%]*}
printf '%s, {"model": "%s.book", "pk": 999, "fields": {"no_such_field": 1}}]\n' \
	"$body" "$label" >"$TMP/broken.json"
printf '[{"model": "%s.publisher", "pk": 1, "fields": {' "$label" >"$TMP/truncated.json"

DB2=sqlite:$TMP/broken.db
run "$ORMC" migrate --models "$MODELS" --db "$DB2"
check "migrate a second database" status_is 0
run "$ORMC" load --models "$MODELS" --db "$DB2" "$TMP/broken.json"
check "broken fixture (unknown field) fails" [ "$status" -ne 0 ]
run "$ORMC" load --models "$MODELS" --db "$DB2" "$TMP/truncated.json"
check "broken fixture (bad JSON) exits 2" status_is 2
run "$ORMC" run --models "$MODELS" --db "$DB2" --format json 'Book.objects.count()'
check "after a failed load no book is stored" ok_and json_is '0'
run "$ORMC" run --models "$MODELS" --db "$DB2" --format json 'Publisher.objects.count()'
check "after a failed load no publisher is stored" ok_and json_is '0'

# ---- compare ---------------------------------------------------------------------

DB3=sqlite:$TMP/copy.db
run "$ORMC" migrate --models "$MODELS" --db "$DB3"
check "migrate a copy" status_is 0
run "$ORMC" load --models "$MODELS" --db "$DB3" "$FIXTURE"
check "load the copy" status_is 0
Q='Publisher.objects.annotate(n=Count("book"), p=Avg("book__price")).order_by("name").values_list("name", "n", "p")'
run "$ORMC" compare --models "$MODELS" --db "$DB" --db "$DB3" "$Q"
check "compare: the same data gives no difference" ok_and out_has '1 query, 0 with differences'
printf '%s\n' "$Q" 'Book.objects.count()' '# a comment' 'Book.objects.aggregate(Max("price"))' >"$TMP/queries.txt"
run "$ORMC" compare --models "$MODELS" --db "$DB" --db "$DB3" --db "$DB" --file "$TMP/queries.txt"
check "compare --file with three databases" ok_and out_has '3 queries, 0 with differences'
check "compare names each database" out_has "db3: $DB (sqlite)"
# Change one book of the copy.
if sqlite3 "$TMP/copy.db" 'UPDATE book SET price = 99 WHERE id = 1'; then
	run "$ORMC" compare --models "$MODELS" --db "$DB" --db "$DB3" "$Q"
	check "compare: a changed row is a difference (exit 1)" status_is 1
	check "compare prints row, column and both values" out_has 'row 1, column "p": db1 "26.72", db2 "61.225"'
	check "compare counts the query with differences" out_has '1 query, 1 with differences'
else
	fail "change a book of the copy with sqlite3"
fi
run "$ORMC" compare --models "$MODELS" --db "$DB" "$Q"
check "compare needs two databases (exit 2)" status_is 2
run "$ORMC" run --models "$MODELS" --db "$DB" --db "$DB3" "$Q"
check "run refuses two --db (exit 2)" status_is 2
run "$ORMC" compare --models "$MODELS" --db "$DB" --db "postgresql://u:s3cret@127.0.0.1:1/x" "$Q"
check "compare: an unreachable database exits 1" status_is 1
check "compare never prints the password" sh -c "! grep -q s3cret '$TMP/err' '$TMP/out'"

# ---- named parameters ---------------------------------------------------------

PQ='Book.objects.filter(rating__gte=r, publisher__name=p).aggregate(n=Count("id"))'
run "$ORMC" run --models "$MODELS" --db "$DB" --format json --param r=4 --param p=A "$PQ"
check "--param binds values: A has 2 books rated 4 or more" ok_and json_is '{"n":2}'
run "$ORMC" run --models "$MODELS" --db "$DB" --format json --param=r=4 --param p=B "$PQ"
check "--param=NAME=VALUE works too" ok_and json_is '{"n":1}'
run "$ORMC" run --models "$MODELS" --db "$DB" --param r=4 "$PQ"
check "an unbound parameter exits 2" status_is 2
check "an unbound parameter is named" err_has "parameter 'p' is not bound"
check "an unbound parameter prints nothing" out_empty
run "$ORMC" run --models "$MODELS" --db "$DB" --param r=four --param p=A "$PQ"
check "a value that is not a number exits 2" status_is 2
check "a bad value names its parameter" err_has "parameter 'r': 'four' is not a finite number"
run "$ORMC" run --models "$MODELS" --db "$DB" --format json --param r=0 \
	--param 'p=A") | Q(id__gt=0) | Q(name="' "$PQ"
check "a value is never query text (no injection)" ok_and json_is '{"n":0}'
run "$ORMC" run --models "$MODELS" --db "$DB" --format json --param r=0 --param "p=A' OR '1'='1" "$PQ"
check "a value is never SQL text (no injection)" ok_and json_is '{"n":0}'
run "$ORMC" run --models "$MODELS" --db "$DB" --param r=4 --param p=A --param q=1 "$PQ"
check "a --param the query does not use exits 2" status_is 2
check "an unused --param is named" err_has "--param q: no query has a parameter of that name"
run "$ORMC" run --models "$MODELS" --db "$DB" --param r "$PQ"
check "--param without = exits 2" status_is 2
run "$ORMC" sql --models "$MODELS" --dialect postgresql "$PQ"
check "sql shows which placeholder is which parameter" ok_and out_has '-- params: [{"param": "p"}, {"param": "r"}]'
run "$ORMC" sql --models "$MODELS" --dialect postgresql --param r=1 "$PQ"
check "sql takes no --param (exit 2)" status_is 2
run "$ORMC" run --models "$MODELS" --db "$DB" --format json --param since=2008-01-01 \
	'Book.objects.filter(pubdate__gte=since).count()'
check "a date parameter from text" ok_and json_is '3'
run "$ORMC" run --models "$MODELS" --db "$DB" --param since=2001-02-30 'Book.objects.filter(pubdate__gte=since).count()'
check "an impossible date exits 2" status_is 2
run "$ORMC" run --models "$MODELS" --db "$DB" --param x=1 'Book.objects.annotate(v=Value(x)).count()'
check "a parameter of no known type exits 2" status_is 2
check "a parameter of no known type is explained" err_has "the type of parameter 'x' cannot be told"
run "$ORMC" run --models "$MODELS" --db "$DB" --param x=1 'Book.objects.filter(rating=x, name=x).count()'
check "one parameter used as two types exits 2" status_is 2
printf 'Book.objects.count()\nBook.objects.filter(pages__gt=v).count()\n' >"$TMP/two.txt"
run "$ORMC" run --models "$MODELS" --db "$DB" --file "$TMP/two.txt" --param v=many
check "--file: a bad value for the second query exits 2" status_is 2
check "--file: a bad value for the second query prints nothing" out_empty
run "$ORMC" run --models "$MODELS" --db "$DB" --file "$TMP/two.txt" --param v=400 --format json
check "--file: each query takes the parameters it names" ok_and json_is '54'
run "$ORMC" run --models "$MODELS" --db "$DB" --param v=1 --param v=2 'Book.objects.filter(pages__gt=v).count()'
check "a --param given twice exits 2" status_is 2
run "$ORMC" run --models "$MODELS" --db "$DB" --format json --param k=400 'Book.objects.filter(pages__gt=-k).count()'
check "-k takes the type of what it meets" ok_and json_is '5'
run "$ORMC" run --models "$MODELS" --db "$DB" --param r=1.005 'Book.objects.aggregate(s=Sum(F("price") * r))'
check "a decimal with more places than the field it multiplies exits 2" status_is 2
check "... and says the answer would be rounded" err_has "so the answer would be rounded"
run "$ORMC" run --models "$MODELS" --db "$DB" --format json --param r=1.5 'Book.objects.aggregate(s=Sum(F("price") * r))'
check "a decimal parameter in arithmetic" ok_and json_is '{"s":"257.6250"}'

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
