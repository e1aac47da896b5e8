#!/usr/bin/env bash
# servers.sh -- start or stop the private database servers of the test suite.
#
#   servers.sh start DIR     start PostgreSQL and MariaDB with data under DIR,
#                            write DIR/servers.env and DIR/odbcinst.ini
#   servers.sh stop DIR      stop them and remove their data
#
# CTest runs these as the setup and cleanup of the fixture "servers"
# (tests/CMakeLists.txt). The servers come from Debian's packages
# (postgresql, mariadb-server), listen on free loopback ports, keep their data
# in DIR and run as root too (PostgreSQL through the postgres account, which
# it insists on; when that account cannot reach DIR, as under /root, its data
# goes to a private folder in /tmp, removed on stop). They are tuned for
# tests, not for safety: no fsync.
#
# ORMC_TEST_POSTGRES_URL / ORMC_TEST_MYSQL_URL name servers of the user's
# instead: nothing is started for those. ORMC_TEST_BACKENDS (comma list of
# sqlite, postgresql, mysql, odbc; default all) says which servers are needed;
# a needed server that cannot start makes this script fail, and so the run.
set -u

cmd=${1:-}
dir=${2:-}
if [ -z "$cmd" ] || [ -z "$dir" ]; then
	echo "usage: $0 start|stop DIR" >&2
	exit 2
fi
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

selected() {
	local list=",${ORMC_TEST_BACKENDS:-all},"
	list=${list// /}
	[ "$list" = ",all," ] || [[ $list == *",$1,"* ]]
}
need_pg() { selected postgresql || selected odbc; }
need_my() { selected mysql || selected odbc; }

# Run a command as the account that owns the PostgreSQL data.
as_pg() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

port_free() {
	! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

free_port() {
	local p i
	for i in $(seq 1 50); do
		p=$((20000 + RANDOM % 40000))
		if port_free "$p"; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

odbc_driver() {   # path of an ODBC driver library by file name
	local f
	for f in /usr/lib/*/odbc/"$1" /usr/lib/odbc/"$1" /usr/lib64/odbc/"$1"; do
		if [ -e "$f" ]; then
			echo "$f"
			return 0
		fi
	done
	return 1
}

write_odbc() {
	local pg my sq
	pg=$(odbc_driver psqlodbcw.so) || pg=
	my=$(odbc_driver libmaodbc.so) || my=
	sq=$(odbc_driver libsqlite3odbc.so) || sq=
	# Our own entries: Debian's psqlODBC entry turns on CommLog, which
	# writes every exchange to /tmp and slows everything down.
	{
		echo "# written by tests/servers.sh; ODBCSYSINI points here"
		[ -n "$pg" ] && printf '[ormc-postgresql]\nDriver = %s\nCommLog = 0\nDebug = 0\n\n' "$pg"
		[ -n "$my" ] && printf '[ormc-mariadb]\nDriver = %s\n\n' "$my"
		[ -n "$sq" ] && printf '[ormc-sqlite3]\nDriver = %s\n\n' "$sq"
	} > "$dir/odbcinst.ini"
	echo "# no DSNs: the tests use Driver={...} connection strings" > "$dir/odbc.ini"
	if selected odbc; then
		for d in "psqlodbcw.so:$pg" "libmaodbc.so:$my" "libsqlite3odbc.so:$sq"; do
			if [ -z "${d#*:}" ]; then
				echo "ODBC driver ${d%%:*} not found (packages odbc-postgresql, odbc-mariadb, libsqliteodbc)" >&2
				return 1
			fi
		done
	fi
	return 0
}

start_pg() {
	local bin port data log attempt
	if [ -n "${ORMC_TEST_POSTGRES_URL:-}" ]; then
		echo "postgresql=$ORMC_TEST_POSTGRES_URL" >> "$dir/servers.env"
		return 0
	fi
	bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
	if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
		echo "PostgreSQL server not installed (Debian package postgresql)" >&2
		return 1
	fi
	data="$dir/pg"
	log="$dir/postgresql.log"
	rm -rf "$data"
	mkdir -p "$data"
	if [ "$(id -u)" -eq 0 ]; then
		chown postgres "$data"
		if ! runuser -u postgres -- test -w "$data"; then
			# A parent of the build folder is closed to other accounts
			# (/root/...): keep PostgreSQL's data in a private /tmp folder.
			rmdir "$data"
			data=$(mktemp -d "${TMPDIR:-/tmp}/ormc-pg.XXXXXX") || return 1
			chown postgres "$data"
			echo "the postgres account cannot reach $dir; PostgreSQL data in $data" >&2
		fi
	fi
	echo "$data" > "$dir/pg.data"
	log="$data/postgresql.log"
	as_pg touch "$log"
	ln -sf "$log" "$dir/postgresql.log"
	as_pg "$bin/initdb" -D "$data/data" -A trust -U ormc -E UTF8 --no-locale \
		>> "$log" 2>&1 || { echo "initdb failed; see $log" >&2; return 1; }
	# TCP on loopback only: no unix socket (its path could be too long). A
	# free port taken by someone else before the server binds it: another.
	for attempt in 1 2 3; do
		port=$(free_port) || { echo "no free port" >&2; return 1; }
		if as_pg "$bin/pg_ctl" -D "$data/data" -l "$log" -w -t 60 \
			-o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories= -c fsync=off -c full_page_writes=off -c synchronous_commit=off" \
			start > /dev/null; then
			break
		fi
		if [ "$attempt" -lt 3 ] && tail -n 5 "$log" | grep -q "Address already in use"; then
			echo "port $port was taken meanwhile; another" >&2
			continue
		fi
		echo "PostgreSQL did not start; see $log" >&2
		tail -n 20 "$log" >&2
		return 1
	done
	echo "$bin" > "$dir/pg.bin"
	echo "postgresql=postgresql://ormc@127.0.0.1:$port/postgres" >> "$dir/servers.env"
}

start_my() {
	local server install client port data log sock user i attempt
	if [ -n "${ORMC_TEST_MYSQL_URL:-}" ]; then
		echo "mysql=$ORMC_TEST_MYSQL_URL" >> "$dir/servers.env"
		return 0
	fi
	server=$(command -v mariadbd || ls /usr/sbin/mariadbd 2>/dev/null) || server=
	install=$(command -v mariadb-install-db) || install=
	client=$(command -v mariadb) || client=
	if [ -z "$server" ] || [ -z "$install" ] || [ -z "$client" ]; then
		echo "MariaDB server not installed (Debian package mariadb-server)" >&2
		return 1
	fi
	data="$dir/my"
	log="$dir/mysql.log"
	rm -rf "$data"
	mkdir -p "$data"
	user=$(id -un)
	sock=$(mktemp -u "${TMPDIR:-/tmp}/ormc-my.XXXXXX")
	"$install" --no-defaults --datadir="$data/data" --user="$user" \
		--auth-root-authentication-method=normal --skip-test-db \
		> "$log" 2>&1 || { echo "mariadb-install-db failed; see $log" >&2; return 1; }
	echo "$sock" > "$dir/my.sock"
	# A free port can be taken by someone else before the server binds it:
	# then, and only then, try another.
	for attempt in 1 2 3; do
		port=$(free_port) || { echo "no free port" >&2; return 1; }
		# MariaDB's default collation (utf8mb4_general_ci, case-insensitive)
		# and MySQL 8's default sql_mode with ONLY_FULL_GROUP_BY: ormc must
		# be right under both. LOAD DATA LOCAL allowed (MariaDB's default,
		# said here): ormc copy loads MySQL that way (tests/copy_mysql_load_test.sh).
		"$server" --no-defaults --datadir="$data/data" --user="$user" \
			--port="$port" --bind-address=127.0.0.1 --socket="$sock" \
			--pid-file="$data/mariadbd.pid" --log-error="$log" --skip-log-bin \
			--character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci \
			--sql-mode=ONLY_FULL_GROUP_BY,STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION \
			--innodb-buffer-pool-size=64M --innodb-flush-log-at-trx-commit=0 \
			--innodb-doublewrite=0 --local-infile=1 < /dev/null > /dev/null 2>&1 &
		for i in $(seq 1 120); do
			if "$client" --no-defaults --socket="$sock" -uroot -e "SELECT 1" > /dev/null 2>&1; then
				break 2
			fi
			if [ "$i" -eq 120 ] || ! kill -0 $! 2>/dev/null; then
				if [ "$attempt" -lt 3 ] && grep -q "Address already in use" "$log"; then
					echo "port $port was taken meanwhile; another" >&2
					break
				fi
				echo "MariaDB did not start; see $log" >&2
				tail -n 20 "$log" >&2
				return 1
			fi
			sleep 0.5
		done
	done
	"$client" --no-defaults --socket="$sock" -uroot -e \
		"CREATE USER 'ormc'@'%' IDENTIFIED BY 'ormc'; GRANT ALL ON *.* TO 'ormc'@'%';" \
		>> "$log" 2>&1 || { echo "cannot create the test user; see $log" >&2; return 1; }
	echo "mysql=mysql://ormc:ormc@127.0.0.1:$port/mysql" >> "$dir/servers.env"
}

stop_all() {
	local bin pid= i data
	if [ -f "$dir/pg.data" ]; then
		data=$(cat "$dir/pg.data")
		if [ -f "$dir/pg.bin" ] && [ -d "$data/data" ]; then
			bin=$(cat "$dir/pg.bin")
			as_pg "$bin/pg_ctl" -D "$data/data" -m immediate -w stop > /dev/null 2>&1
		fi
		# keep the log of the last run, for a failure's post-mortem
		cp "$data/postgresql.log" "$dir/postgresql.last.log" 2>/dev/null
		[ "$data" != "$dir/pg" ] && rm -rf "$data"
	fi
	if [ -f "$dir/my/mariadbd.pid" ]; then
		pid=$(cat "$dir/my/mariadbd.pid")
		# a leftover pid file (after a reboot) may name someone else
		case $(cat "/proc/$pid/comm" 2>/dev/null) in
		mariadbd|mysqld) ;;
		*) pid= ;;
		esac
	fi
	if [ -n "${pid:-}" ]; then
		kill "$pid" 2>/dev/null
		for i in $(seq 1 60); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.5
		done
		kill -9 "$pid" 2>/dev/null
	fi
	[ -f "$dir/my.sock" ] && rm -f "$(cat "$dir/my.sock")"
	rm -rf "$dir/pg" "$dir/my" "$dir/pg.bin" "$dir/pg.data" "$dir/my.sock" "$dir/servers.env" "$dir/postgresql.log"
}

case $cmd in
start)
	stop_all    # leftovers of an interrupted run
	: > "$dir/servers.env"
	status=0
	write_odbc || status=1
	if need_pg; then start_pg || status=1; fi
	if need_my; then start_my || status=1; fi
	cat "$dir/servers.env"
	exit $status
	;;
stop)
	stop_all
	exit 0
	;;
*)
	echo "usage: $0 start|stop DIR" >&2
	exit 2
	;;
esac
