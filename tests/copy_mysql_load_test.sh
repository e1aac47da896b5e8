#!/usr/bin/env bash
# copy_mysql_load_test.sh ORMC SOURCE_DIR -- `ormc copy` into MariaDB by
# LOAD DATA LOCAL INFILE (drivers/mysql_load.c), on the test fixture's
# servers (tests/servers.sh) and SQLite files.
#
# The models and fixture of tests/copyload (bytes LOAD DATA escapes: NUL,
# tab, newline, backslash, a literal \N, and in binary values broken UTF-8
# before them; empty strings beside NULLs; non-ASCII text, JSON, decimals, datetimes with
# microseconds), with 30,000 more rows of 200-odd bytes so that the big
# table goes in several LOAD DATA statements of 4 MB:
#   - copied from SQLite and from PostgreSQL into MariaDB, --verbose says
#     LOAD DATA LOCAL INFILE, and the target's dump is byte for byte the
#     source's; the stored bytes are checked with MariaDB's own client too;
#   - a duplicate key in the second LOAD DATA (a unique index on the target
#     that the data breaks: MariaDB makes it a warning and skips the row)
#     fails the copy with the server's warning, nothing written;
#   - a value too long for its column (MariaDB makes it a warning and cuts
#     it) fails the copy, nothing written;
#   - with local_infile OFF on the server (SET GLOBAL, put back after), the
#     copy goes by multi-row INSERTs, --verbose says why, and the dump is
#     the same again.
#
# A missing server is a failure, never a skip.
set -u
export PGOPTIONS="-c client_min_messages=warning"
ormc=$1
src=$2

. "$src/tests/servers_env.sh"
servers_env copy_mysql_load_test || exit 1

tmp=$(mktemp -d)
: > "$tmp/pg_dbs"
: > "$tmp/my_dbs"
infile_off=0
cleanup() {
	[ "$infile_off" = 1 ] && my_client -e "SET GLOBAL local_infile = 1"
	drop_listed_dbs "$tmp"
	rm -rf "$tmp"
}
trap cleanup EXIT

status=0
ok() { echo "ok - $1"; }
fail() { echo "not ok - $1"; status=1; }

m=(--models "$src/tests/copyload/models.py" --app-label copyload)
newmy() {   # NAME -> URL of a new migrated MariaDB database
	local name=ormc_cl_$1
	my_client -e "DROP DATABASE IF EXISTS $name; CREATE DATABASE $name CHARACTER SET utf8mb4" || return 1
	echo "$name" >> "$tmp/my_dbs"
	"$ormc" migrate "${m[@]}" --db "$my_base/$name" >/dev/null || return 1
	echo "$my_base/$name"
}
# myq URL SQL -> the result, tab separated, no column names
myq() { my_client -N "${1##*/}" -e "$2"; }

# ---- the sources: the fixture and 30,000 rows more ----------------------
sq=sqlite:$tmp/src.db
if "$ormc" migrate "${m[@]}" --db "$sq" >/dev/null &&
	"$ormc" load "${m[@]}" --db "$sq" "$src/tests/copyload/fixture.json" >/dev/null &&
	sqlite3 "$tmp/src.db" "WITH RECURSIVE i(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM i WHERE k < 30000)
		INSERT INTO copyload_item (id, code, group_id, text, ratio, flag, amount, at)
		SELECT 100 + k, 'g' || k, 1 + k % 2, printf('%0200d' || char(9) || '\\ %d', k, k), k * 1.5,
		       k % 2, k || '.25', '2026-01-01 00:00:00.' || printf('%06d', k) FROM i"; then
	ok "sqlite source: fixture and 30,000 rows"
else
	fail "sqlite source: fixture and 30,000 rows"
fi
pgname=ormc_cl_src
psql -q -X -v ON_ERROR_STOP=1 "$pg" -c "DROP DATABASE IF EXISTS $pgname WITH (FORCE)" \
	-c "CREATE DATABASE $pgname" >/dev/null && echo "$pgname" >> "$tmp/pg_dbs"
pgurl=$pg_base/$pgname
if "$ormc" migrate "${m[@]}" --db "$pgurl" >/dev/null &&
	"$ormc" load "${m[@]}" --db "$pgurl" "$src/tests/copyload/fixture.json" >/dev/null &&
	psql -q -X -v ON_ERROR_STOP=1 "$pgurl" -c "INSERT INTO copyload_item (id, code, group_id, text, ratio, flag, amount, at)
		SELECT 100 + k, 'g' || k, 1 + k % 2, lpad(k::text, 200, '0') || chr(9) || '\\ ' || k, k * 1.5,
		       k % 2 = 1, (k || '.25')::numeric, timestamptz '2026-01-01 00:00:00+00' + k * interval '1 microsecond'
		FROM generate_series(1, 30000) k" >/dev/null; then
	ok "postgresql source: fixture and 30,000 rows"
else
	fail "postgresql source: fixture and 30,000 rows"
fi
"$ormc" dump "${m[@]}" --db "$sq" > "$tmp/sq.json" || fail "dump of the sqlite source"
"$ormc" dump "${m[@]}" --db "$pgurl" > "$tmp/pg.json" || fail "dump of the postgresql source"
if cmp -s "$tmp/sq.json" "$tmp/pg.json"; then
	ok "the two sources dump the same"
else
	fail "the two sources dump the same"
	diff "$tmp/sq.json" "$tmp/pg.json" | head -5
fi

# ---- copies into MariaDB by LOAD DATA -----------------------------------
for from in sqlite postgresql; do
	case $from in sqlite) url=$sq ;; postgresql) url=$pgurl ;; esac
	dst=$(newmy "from_$from") || { fail "$from: a MariaDB target"; continue; }
	if "$ormc" copy "${m[@]}" --from "$url" --to "$dst" --verbose > "$tmp/out" 2> "$tmp/err"; then
		ok "$from -> mysql: copied"
	else
		fail "$from -> mysql: copied"
		cat "$tmp/err"
	fi
	if grep -qx "copyload_item: 30,005 rows by LOAD DATA LOCAL INFILE in .* s" "$tmp/err" &&
		grep -qx "copyload_group: 2 rows by LOAD DATA LOCAL INFILE in .* s" "$tmp/err"; then
		ok "$from -> mysql: --verbose says LOAD DATA LOCAL INFILE"
	else
		fail "$from -> mysql: --verbose says LOAD DATA LOCAL INFILE"
		cat "$tmp/err"
	fi
	"$ormc" dump "${m[@]}" --db "$dst" > "$tmp/my_$from.json"
	if cmp -s "$tmp/sq.json" "$tmp/my_$from.json"; then
		ok "$from -> mysql: the target's dump is the source's"
	else
		fail "$from -> mysql: the target's dump is the source's"
		diff "$tmp/sq.json" "$tmp/my_$from.json" | head -10
	fi
	# the bytes stored, as MariaDB's own client reads them
	got=$(myq "$dst" "SELECT id, HEX(\`blob\`), HEX(\`text\`), \`text\` IS NULL, HEX(code), amount, \`at\`, spent
		FROM copyload_item WHERE id <= 5 ORDER BY id" | tr '\t\n' '|;')
	want='1|00090A0D5C4EFF8000E45C00F09F09C35C|68656C6C6F|0|706C61696E|123456789.123456|2026-01-05 10:00:00.123456|93784000005;'
	want+='2||5C4E|0|65736361706573|-0.000001|1999-12-31 23:59:59.999999|-1;'
	want+='3|NULL||0||0.000000|NULL|NULL;'
	want+="4|$(python3 -c 'print(bytes(range(256)).hex().upper())')|"
	want+='C3A9E4B8ADF09F9880207461620968657265206C696E650A6E6578740D0A6261636B5C736C617368205C4E205C30205C7420656E645C'
	want+='|0|75746638|-99999999.999999|2026-11-30 00:00:00.000000|0;'
	want+='5|NULL|NULL|1|6E756C6C73|NULL|NULL|NULL;'
	if [ "$got" = "$want" ]; then
		ok "$from -> mysql: the stored bytes, empty strings and NULLs"
	else
		fail "$from -> mysql: the stored bytes, empty strings and NULLs"
		echo "got:  $got"
		echo "want: $want"
	fi
	got=$(myq "$dst" "SELECT COUNT(*), SUM(ratio), SUM(amount), SUM(LENGTH(\`text\`)), MAX(\`at\`), SUM(flag)
		FROM copyload_item WHERE id > 100" | tr '\t' '|')
	if [ "$got" = "30000|675022500|450022500.000000|6228894|2026-01-01 00:00:00.030000|15000" ]; then
		ok "$from -> mysql: the 30,000 rows of several LOAD DATA statements"
	else
		fail "$from -> mysql: the 30,000 rows of several LOAD DATA statements ($got)"
	fi
	if json=$(myq "$dst" "SELECT JSON_EXTRACT(doc, '\$.n[1]'), JSON_UNQUOTE(JSON_EXTRACT(doc, '\$.k')) = CONCAT('é\\\\n', CHAR(9)) FROM copyload_item WHERE id = 1") &&
		[ "$json" = "2.5	1" ]; then
		ok "$from -> mysql: JSON readable by the server"
	else
		fail "$from -> mysql: JSON readable by the server (${json:-})"
	fi
done

# ---- warnings fail the copy, nothing written ----------------------------
# empty: every table of the target has no row
empty() { [ "$(myq "$1" "SELECT (SELECT COUNT(*) FROM copyload_group) + (SELECT COUNT(*) FROM copyload_item)")" = 0 ]; }

cp "$tmp/src.db" "$tmp/dup.db"
sqlite3 "$tmp/dup.db" "UPDATE copyload_item SET ratio = 0.1 WHERE id = 100 + 29000"
if dst=$(newmy dup) && myq "$dst" "CREATE UNIQUE INDEX ormc_cl_ratio ON copyload_item (ratio)"; then
	"$ormc" copy "${m[@]}" --from "sqlite:$tmp/dup.db" --to "$dst" --verbose > "$tmp/out" 2> "$tmp/err"
	rc=$?
	if [ $rc -ne 0 ] && grep -q "copying table \"copyload_item\".*warning.*Duplicate entry '0.1'" "$tmp/err"; then
		ok "a duplicate key in the second LOAD DATA fails the copy, with the server's warning"
	else
		fail "a duplicate key in the second LOAD DATA fails the copy, with the server's warning (exit $rc)"
		cat "$tmp/err"
	fi
	if empty "$dst"; then
		ok "the duplicate key: nothing written"
	else
		fail "the duplicate key: nothing written"
	fi
else
	fail "a MariaDB target with a unique index"
fi

if dst=$(newmy long) && myq "$dst" "ALTER TABLE copyload_item MODIFY code varchar(4) NOT NULL"; then
	"$ormc" copy "${m[@]}" --from "$sq" --to "$dst" > "$tmp/out" 2> "$tmp/err"
	rc=$?
	if [ $rc -ne 0 ] && grep -q "copying table \"copyload_item\".*warning.*'code'" "$tmp/err"; then
		ok "a value too long fails the copy, with the server's warning"
	else
		fail "a value too long fails the copy, with the server's warning (exit $rc)"
		cat "$tmp/err"
	fi
	if empty "$dst"; then
		ok "the value too long: nothing written"
	else
		fail "the value too long: nothing written"
	fi
else
	fail "a MariaDB target with a short column"
fi

# ---- a server that refuses LOAD DATA LOCAL: INSERTs ---------------------
if my_client -e "SET GLOBAL local_infile = 0"; then
	infile_off=1
	dst=$(newmy off) || fail "a MariaDB target"
	"$ormc" copy "${m[@]}" --from "$sq" --to "$dst" --verbose > "$tmp/out" 2> "$tmp/err"
	rc=$?
	# 40 texts of 800 KB: INSERT batches are cut by bytes, within the
	# server's 16 MB max_allowed_packet ("Server has gone away" before)
	printf 'from django.db import models\n\n\nclass Doc(models.Model):\n    body = models.TextField()\n' > "$tmp/doc.py"
	sqlite3 "$tmp/doc.db" "CREATE TABLE d_doc (id integer PRIMARY KEY, body text NOT NULL);
		WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 40)
		INSERT INTO d_doc SELECT i, replace(hex(zeroblob(400000)), '00', 'xy') || i FROM n;"
	docs=$(newmy docs) || fail "a MariaDB target"
	"$ormc" migrate --models "d=$tmp/doc.py" --db "$docs" > /dev/null &&
		"$ormc" copy --models "d=$tmp/doc.py" --from "sqlite:$tmp/doc.db" --to "$docs" > /dev/null 2> "$tmp/docerr"
	rc_docs=$?
	my_client -e "SET GLOBAL local_infile = 1" && infile_off=0
	if [ $rc_docs -eq 0 ] &&
	   [ "$(my_client -N -e "SELECT COUNT(*), SUM(LENGTH(body)) FROM ${docs##*/}.d_doc")" = "$(printf '40\t32000071')" ]; then
		ok "local_infile OFF: 32 MB of long texts in INSERT batches cut by bytes"
	else
		fail "local_infile OFF: 32 MB of long texts in INSERT batches cut by bytes (exit $rc_docs)"
		cat "$tmp/docerr"
	fi
	if [ $rc -eq 0 ] && grep -qx "copyload_item: 30,005 rows by multi-row INSERT (the server does not allow LOAD DATA LOCAL INFILE: local_infile is OFF) in .* s" "$tmp/err"; then
		ok "local_infile OFF: multi-row INSERTs, and --verbose says why"
	else
		fail "local_infile OFF: multi-row INSERTs, and --verbose says why (exit $rc)"
		cat "$tmp/err"
	fi
	"$ormc" dump "${m[@]}" --db "$dst" > "$tmp/off.json"
	if cmp -s "$tmp/sq.json" "$tmp/off.json"; then
		ok "local_infile OFF: the target's dump is the source's"
	else
		fail "local_infile OFF: the target's dump is the source's"
		diff "$tmp/sq.json" "$tmp/off.json" | head -5
	fi
else
	fail "SET GLOBAL local_infile = 0"
fi

exit $status
