#!/usr/bin/env bash
# tsan.sh SOURCE_DIR BUILD_DIR -- the threads test under ThreadSanitizer.
#
# Builds libormc and check_stmt with -fsanitize=thread in BUILD_DIR (its own
# configuration: ThreadSanitizer cannot be combined with the AddressSanitizer
# build the suite may run under, so CFLAGS/LDFLAGS are replaced), then runs
# check_stmt on every backend: 8 threads executing one shared statement, each
# on its own connection, while others compile from the shared query. Any
# report fails the test (halt_on_error). Needs the suite's servers (the CTest
# fixture) and their environment.
set -euo pipefail

src=$1
build=$2

export CFLAGS="-fsanitize=thread -g -O1"
export LDFLAGS="-fsanitize=thread"
cmake -S "$src" -B "$build" -DORMC_WERROR=ON -DORMC_REQUIRE_DRIVERS=ON \
	-DCMAKE_BUILD_TYPE= >"$build.configure.log" 2>&1 ||
	{ cat "$build.configure.log"; exit 1; }
cmake --build "$build" -j2 --target check_stmt >"$build.build.log" 2>&1 ||
	{ tail -40 "$build.build.log"; exit 1; }

export TSAN_OPTIONS="halt_on_error=1 exitcode=66 second_deadlock_stack=1"
export CK_FORK=yes
status=0
for combo in sqlite postgresql mysql postgresql-odbc mysql-odbc; do
	if "$build/tests/check_stmt" "$combo" "$build/stmt-out" >"$build/$combo.log" 2>&1; then
		echo "$combo: ok ($(grep -o 'Checks: [0-9]*' "$build/$combo.log"))"
	else
		rc=$?
		if [ "$rc" -eq 77 ]; then
			echo "$combo: not selected by ORMC_TEST_BACKENDS"
			continue
		fi
		echo "$combo: FAILED (exit $rc)"
		cat "$build/$combo.log"
		status=1
	fi
done
exit $status
