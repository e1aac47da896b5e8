#!/usr/bin/env bash
# install_test.sh -- ormc installed, moved elsewhere, and built on.
#
#   tests/install_test.sh BUILD_DIR SOURCE_DIR
#
# Installs the build in BUILD_DIR (cmake --install --prefix), and also
# configures, builds and installs ormc from SOURCE_DIR with the other kind
# of library (shared if BUILD_DIR's is static, static if shared), with the
# same compiler and flags. Then MOVES each installed tree elsewhere, and
# against each:
#
#   - the installed ormc runs (--version names the version of ormc/version.h)
#     and creates the bookstore example database (migrate, load);
#   - the man page, licence, ormc.pc and the CMake package are there;
#   - tests/install/hello.c builds with `pkg-config --cflags --libs ormc`
#     (a shared libormc) or `pkg-config --cflags --libs --static ormc` (a
#     static libormc.a), and prints the books per publisher;
#   - tests/install/cxx (C++, CMake, find_package(ormc CONFIG REQUIRED),
#     target_link_libraries(... ormc::ormc)) builds with CMAKE_PREFIX_PATH
#     set to the moved tree, and prints the average and highest price;
#   - a shared libormc.so has the SONAME libormc.so.0 and exports ormc_*
#     symbols only.
#
# The compiler (CMAKE_C_COMPILER; the C++ compiler is its g++/clang++
# sibling, or $CXX) and the flags (CMAKE_C_FLAGS, CMAKE_EXE_LINKER_FLAGS,
# ORMC_SANITIZE: CI's -fsanitize=address,undefined) come from BUILD_DIR's
# CMakeCache.txt, so the test programs link with what libormc was built
# with. Exits nonzero at the first problem, saying what it was.

set -euo pipefail

if [ $# -ne 2 ]; then
	echo "usage: $0 BUILD_DIR SOURCE_DIR" >&2
	exit 2
fi
BUILD=$(cd "$1" && pwd)
SRC=$(cd "$2" && pwd)

TMP=$(mktemp -d "${TMPDIR:-/tmp}/ormc-install.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

die() {
	echo "install_test: FAIL: $*" >&2
	exit 1
}
step() {
	echo "--- $*"
}

command -v pkg-config >/dev/null || die "pkg-config not found"

# cache NAME: the value of NAME in BUILD_DIR's CMakeCache.txt ("" if unset).
cache() {
	sed -n "/^$1:[A-Z]*=/{s/^$1:[A-Z]*=//p;q;}" "$BUILD/CMakeCache.txt"
}
onoff() {
	case "$1" in
	[Oo][Nn] | [Tt][Rr][Uu][Ee] | [Yy][Ee][Ss] | [Yy] | 1) echo ON ;;
	*) echo OFF ;;
	esac
}

CC=$(cache CMAKE_C_COMPILER)
[ -n "$CC" ] || die "no CMAKE_C_COMPILER in $BUILD/CMakeCache.txt"
if [ -z "${CXX:-}" ]; then
	# cc may be a link to gcc-12 or clang-14: the C++ sibling of what it is.
	real=$(readlink -f "$(command -v "$CC")")
	case "$(basename "$real")" in
	*clang*) CXX=$(dirname "$real")/$(basename "$real" | sed 's/clang/clang++/') ;;
	*gcc*) CXX=$(dirname "$real")/$(basename "$real" | sed 's/gcc/g++/') ;;
	*) CXX=c++ ;;
	esac
fi
command -v "$CXX" >/dev/null || die "no C++ compiler ($CXX) to match $CC"
BUILD_TYPE=$(cache CMAKE_BUILD_TYPE)
SAN=$(onoff "$(cache ORMC_SANITIZE)")
FLAGS=$(cache CMAKE_C_FLAGS)
LINKFLAGS=$(cache CMAKE_EXE_LINKER_FLAGS)
# ORMC_SANITIZE adds its flags to the targets, not to CMAKE_C_FLAGS.
if [ "$SAN" = ON ]; then
	FLAGS="$FLAGS -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
	LINKFLAGS="$LINKFLAGS -fsanitize=address,undefined"
fi
SHARED=$(onoff "$(cache BUILD_SHARED_LIBS)")
if [ "$SHARED" = ON ]; then OTHER=OFF; else OTHER=ON; fi
echo "compilers: $CC, $CXX; flags: $FLAGS; link flags: $LINKFLAGS"

VERSION=$(sed -n 's/^#define ORMC_VERSION "\(.*\)"$/\1/p' "$BUILD/include/ormc/version.h")
[ -n "$VERSION" ] || die "no ORMC_VERSION in $BUILD/include/ormc/version.h"

MODELS=$SRC/examples/bookstore/models.py
FIXTURE=$SRC/examples/bookstore/fixture.json

# --- Install this build, and build and install the other kind of library.
kind() { if [ "$1" = ON ]; then echo shared; else echo static; fi; }
step "install $BUILD ($(kind "$SHARED") libormc)"
cmake --install "$BUILD" --prefix "$TMP/inst-$(kind "$SHARED")" >"$TMP/install.log" ||
	{ cat "$TMP/install.log"; die "cmake --install $BUILD"; }

step "configure, build and install a $(kind "$OTHER") libormc"
# -lm etc. for the drivers found: same options as BUILD_DIR, tests off.
if ! { cmake -S "$SRC" -B "$TMP/build-other" \
	-DCMAKE_C_COMPILER="$CC" -DCMAKE_BUILD_TYPE="$BUILD_TYPE" \
	-DCMAKE_C_FLAGS="$(cache CMAKE_C_FLAGS)" \
	-DCMAKE_EXE_LINKER_FLAGS="$(cache CMAKE_EXE_LINKER_FLAGS)" \
	-DCMAKE_SHARED_LINKER_FLAGS="$(cache CMAKE_SHARED_LINKER_FLAGS)" \
	-DBUILD_SHARED_LIBS="$OTHER" -DORMC_BUILD_TESTS=OFF \
	-DORMC_SANITIZE="$SAN" -DORMC_WERROR="$(onoff "$(cache ORMC_WERROR)")" \
	-DORMC_REQUIRE_DRIVERS="$(onoff "$(cache ORMC_REQUIRE_DRIVERS)")" &&
	cmake --build "$TMP/build-other" -j2 &&
	cmake --install "$TMP/build-other" --prefix "$TMP/inst-$(kind "$OTHER")"; } >"$TMP/other.log" 2>&1; then
	tail -n 40 "$TMP/other.log"
	die "building the $(kind "$OTHER") library"
fi

# --- Move both installed trees: nothing may point at the old place.
mkdir "$TMP/moved"
mv "$TMP/inst-static" "$TMP/moved/static"
mv "$TMP/inst-shared" "$TMP/moved/shared"
if grep -rlF "$TMP/inst-" "$TMP/moved" >"$TMP/stale" 2>/dev/null; then
	cat "$TMP/stale"
	die "installed files name the install prefix (listed above)"
fi

# expect NAME FILE: FILE must equal $TMP/expected.
expect() {
	if ! diff -u "$TMP/expected" "$2"; then
		die "$1: output differs from the expected (diff above)"
	fi
}

DB=sqlite:$TMP/books.db
printf 'ormc %s\nA: 2\nB: 2\nC: 1\n' "$VERSION" >"$TMP/expected.c"
printf 'ormc %s\nprice__avg=34.35\nprice__max=81.20\n' "$VERSION" >"$TMP/expected.cxx"

for k in static shared; do
	P=$TMP/moved/$k
	step "$k: installed tree at $P"
	for f in bin/ormc include/ormc/ormc.h include/ormc/version.h; do
		[ -f "$P/$f" ] || die "$k: $f not installed"
	done
	man=$(find "$P" -path '*/man1/ormc.1' -print -quit)
	[ -n "$man" ] || die "$k: man page ormc.1 not installed"
	[ -n "$(find "$P" -name LICENSE)" ] || die "$k: LICENSE not installed"
	pcdir=$(dirname "$(find "$P" -name ormc.pc -print -quit)")
	[ -f "$pcdir/ormc.pc" ] || die "$k: ormc.pc not installed"
	grep -q '^# License: MIT' "$pcdir/ormc.pc" || die "$k: no licence in ormc.pc"
	cfgdir=$(dirname "$(find "$P" -name ormcConfig.cmake -print -quit)")
	[ -f "$cfgdir/ormcConfigVersion.cmake" ] || die "$k: no ormcConfigVersion.cmake"
	if [ $k = shared ]; then
		lib=$(find "$P" -name "libormc.so.$VERSION" -print -quit)
		[ -n "$lib" ] || die "shared: libormc.so.$VERSION not installed"
		[ -z "$(find "$P" -name 'libormc.a')" ] || die "shared: libormc.a installed too"
		soname=$(readelf -d "$lib" | sed -n 's/.*(SONAME).*\[\(.*\)\].*/\1/p')
		[ "$soname" = libormc.so.0 ] || die "shared: SONAME is '$soname', not libormc.so.0"
		[ -L "$(dirname "$lib")/libormc.so.0" ] || die "shared: no libormc.so.0 link"
		# (whole outputs to files: grep -q under pipefail can see SIGPIPE)
		nm -D --defined-only "$lib" >"$TMP/nm.out"
		awk 'NF == 3 && $3 !~ /^ormc_/' "$TMP/nm.out" >"$TMP/exports"
		if [ -s "$TMP/exports" ]; then
			head -n 20 "$TMP/exports"
			die "shared: libormc.so exports symbols outside ormc_* (above)"
		fi
		grep -q ' T ormc_query_parse$' "$TMP/nm.out" ||
			die "shared: ormc_query_parse not exported"
	else
		[ -n "$(find "$P" -name libormc.a)" ] || die "static: libormc.a not installed"
	fi

	# The installed ormc, run from the moved tree (a shared libormc is
	# found through its $ORIGIN run path).
	"$P/bin/ormc" --version >"$TMP/version.out" || die "$k: installed ormc --version failed"
	[ "$(head -n 1 "$TMP/version.out")" = "ormc $VERSION" ] ||
		die "$k: ormc --version says '$(head -n 1 "$TMP/version.out")', ormc/version.h $VERSION"
	rm -f "$TMP/books.db"
	"$P/bin/ormc" migrate --models "$MODELS" --db "$DB" || die "$k: ormc migrate"
	"$P/bin/ormc" load --models "$MODELS" --db "$DB" "$FIXTURE" || die "$k: ormc load"

	# C, with pkg-config.
	export PKG_CONFIG_PATH=$pcdir
	pfx=$(cd "$(pkg-config --variable=prefix ormc)" && pwd -P)
	[ "$pfx" = "$(cd "$P" && pwd -P)" ] || die "$k: ormc.pc's prefix is $pfx, not $P"
	if [ $k = static ]; then
		pcflags=$(pkg-config --cflags --libs --static ormc)
	else
		pcflags=$(pkg-config --cflags --libs ormc)
	fi
	echo "pkg-config: $pcflags"
	# shellcheck disable=SC2086 # flags are words
	$CC -std=c11 -Wall -Wextra -Wpedantic -Werror $FLAGS -o "$TMP/hello-$k" \
		"$SRC/tests/install/hello.c" $pcflags $LINKFLAGS ||
		die "$k: building hello.c with pkg-config"
	libdir=$(pkg-config --variable=libdir ormc)
	LD_LIBRARY_PATH=$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} \
		"$TMP/hello-$k" "$MODELS" "$DB" >"$TMP/hello.out" || die "$k: hello failed"
	cp "$TMP/expected.c" "$TMP/expected"
	expect "$k: hello" "$TMP/hello.out"
	if [ $k = shared ]; then
		readelf -d "$TMP/hello-$k" >"$TMP/readelf.out"
		grep -q 'NEEDED.*\[libormc\.so\.0\]' "$TMP/readelf.out" ||
			die "shared: hello is not linked to libormc.so.0"
	fi
	unset PKG_CONFIG_PATH

	# C++, with CMake's find_package.
	if ! { cmake -S "$SRC/tests/install/cxx" -B "$TMP/cxx-$k" \
		-DCMAKE_CXX_COMPILER="$CXX" -DCMAKE_BUILD_TYPE="$BUILD_TYPE" \
		-DCMAKE_CXX_FLAGS="$FLAGS" -DCMAKE_EXE_LINKER_FLAGS="$LINKFLAGS" \
		-DCMAKE_PREFIX_PATH="$P" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF &&
		cmake --build "$TMP/cxx-$k"; } >"$TMP/cxx.log" 2>&1; then
		cat "$TMP/cxx.log"
		die "$k: building the C++ program with find_package(ormc)"
	fi
	grep -F -- "-- ormc $VERSION from $cfgdir" "$TMP/cxx.log" ||
		die "$k: find_package(ormc) did not take $cfgdir"
	"$TMP/cxx-$k/cxx_client" "$MODELS" "$DB" >"$TMP/cxx.out" || die "$k: cxx_client failed"
	cp "$TMP/expected.cxx" "$TMP/expected"
	expect "$k: cxx_client" "$TMP/cxx.out"
	echo "ok - $k"
done
echo "install_test: all passed"
