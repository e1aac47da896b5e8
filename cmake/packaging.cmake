# packaging.cmake -- what `cmake --install` puts where: the library and the
# command, the headers (with the generated ormc/version.h), ormc.pc, the CMake
# package (find_package(ormc CONFIG)), the man page and the licence.
#
# Everything installed is relocatable: ormc.pc finds its prefix from
# ${pcfiledir}, the CMake files from their own directory, and a shared
# libormc is found by the installed ormc through $ORIGIN.

include(CMakePackageConfigHelpers)
include(CheckCSourceCompiles)

set(ORMC_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/ormc CACHE STRING
    "Where to install ormcConfig.cmake (relative to the prefix)")

install(TARGETS ormc EXPORT ormcTargets
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(TARGETS ormc_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY include/ormc DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  FILES_MATCHING PATTERN "*.h")
install(FILES ${PROJECT_BINARY_DIR}/include/ormc/version.h
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/ormc)
install(FILES docs/ormc.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES LICENSE README.md CHANGELOG.md DESTINATION ${CMAKE_INSTALL_DOCDIR})

# --- ormc.pc ---------------------------------------------------------------
#
# prefix is ${pcfiledir} and the way up from <libdir>/pkgconfig ("../.." for
# lib, "../../.." for lib/x86_64-linux-gnu). A directory given as an absolute
# path outside the prefix stays absolute.
function(ormc_pc_path var dir)
  if(IS_ABSOLUTE "${dir}")
    file(RELATIVE_PATH rel "${CMAKE_INSTALL_PREFIX}" "${dir}")
    if(rel MATCHES "^\\.\\./" OR rel STREQUAL "..")
      set(${var} "${dir}" PARENT_SCOPE)
      return()
    endif()
  else()
    set(rel "${dir}")
  endif()
  if(rel STREQUAL "")
    set(${var} "\${prefix}" PARENT_SCOPE)
  else()
    set(${var} "\${prefix}/${rel}" PARENT_SCOPE)
  endif()
endfunction()
file(RELATIVE_PATH ORMC_PC_PREFIX_FROM_PCDIR
  "${CMAKE_INSTALL_FULL_LIBDIR}/pkgconfig" "${CMAKE_INSTALL_PREFIX}")
string(REGEX REPLACE "/$" "" ORMC_PC_PREFIX_FROM_PCDIR "${ORMC_PC_PREFIX_FROM_PCDIR}")
ormc_pc_path(ORMC_PC_LIBDIR "${CMAKE_INSTALL_LIBDIR}")
ormc_pc_path(ORMC_PC_INCLUDEDIR "${CMAKE_INSTALL_INCLUDEDIR}")

# Requires.private names each client library built in, so that
# `pkg-config --static --libs ormc` links libormc.a. pkg-config then adds
# that module's own Libs.private, and some distributions' .pc files name
# libraries there that no package puts on the linker's path (Debian 12:
# libpq.pc's -lpgcommon -lpgport, odbc.pc's -lltdl without libltdl-dev). So a
# module goes into Requires.private when its `pkg-config --static --libs`
# links here, and otherwise its plain --libs (-lpq) go into Libs.private,
# with a comment in ormc.pc saying so.
set(ORMC_PC_REQUIRES_PRIVATE "")
set(ORMC_PC_LIBS_FALLBACK "")
set(ORMC_PC_NOTE "")
function(ormc_pc_dep module prefix)
  set(CMAKE_REQUIRED_QUIET ON)
  set(CMAKE_REQUIRED_LINK_OPTIONS ${${prefix}_STATIC_LDFLAGS})
  check_c_source_compiles("int main(void) { return 0; }" ORMC_PC_STATIC_LINKS_${prefix})
  if(ORMC_PC_STATIC_LINKS_${prefix})
    set(ORMC_PC_REQUIRES_PRIVATE "${ORMC_PC_REQUIRES_PRIVATE} ${module}" PARENT_SCOPE)
    message(STATUS "ormc.pc: Requires.private ${module}")
  else()
    # -l for each library, -L only for a directory the linker does not search.
    set(flags "")
    foreach(dir IN LISTS ${prefix}_LIBRARY_DIRS)
      string(REGEX REPLACE "/$" "" dir "${dir}")
      if(NOT dir IN_LIST CMAKE_C_IMPLICIT_LINK_DIRECTORIES)
        list(APPEND flags "-L${dir}")
      endif()
    endforeach()
    foreach(lib IN LISTS ${prefix}_LIBRARIES)
      list(APPEND flags "-l${lib}")
    endforeach()
    list(JOIN flags " " flags)
    set(sflags "")
    foreach(lib IN LISTS ${prefix}_STATIC_LIBRARIES)
      list(APPEND sflags "-l${lib}")
    endforeach()
    list(JOIN sflags " " sflags)
    set(ORMC_PC_LIBS_FALLBACK "${ORMC_PC_LIBS_FALLBACK} ${flags}" PARENT_SCOPE)
    set(ORMC_PC_NOTE "${ORMC_PC_NOTE}# ${module}: in Libs.private as ${flags}, since its own static flags\n#   (${sflags}) did not link when ormc was configured\n" PARENT_SCOPE)
    message(STATUS "ormc.pc: Libs.private ${flags} (${module}'s static flags do not link here)")
  endif()
endfunction()

pkg_check_modules(ORMC_PC_SQLITE3 QUIET sqlite3)
if(ORMC_PC_SQLITE3_FOUND)
  ormc_pc_dep(sqlite3 ORMC_PC_SQLITE3)
else()
  set(ORMC_PC_LIBS_FALLBACK "${ORMC_PC_LIBS_FALLBACK} -lsqlite3")
  set(ORMC_PC_NOTE "${ORMC_PC_NOTE}# sqlite3: no sqlite3.pc when ormc was configured; -lsqlite3 in Libs.private\n")
endif()
ormc_pc_dep(jansson JANSSON)
# The CMake package finds the same modules again: PREFIX=module pairs.
set(ORMC_CMAKE_PC_DEPS "JANSSON=jansson")
foreach(dep IN ITEMS "LIBPQ;libpq" "MARIADB;libmariadb" "ODBC;odbc")
  list(GET dep 0 prefix)
  list(GET dep 1 module)
  if(${prefix}_FOUND)
    ormc_pc_dep(${module} ${prefix})
    string(APPEND ORMC_CMAKE_PC_DEPS " ${prefix}=${module}")
  endif()
endforeach()
string(STRIP "${ORMC_PC_REQUIRES_PRIVATE}" ORMC_PC_REQUIRES_PRIVATE)
# -lm (and the threads library where there is one) after -lormc and the
# fallbacks.
string(STRIP "${ORMC_PC_LIBS_FALLBACK} -lm ${CMAKE_THREAD_LIBS_INIT}" ORMC_PC_LIBS_PRIVATE)

configure_file(ormc.pc.in ${PROJECT_BINARY_DIR}/ormc.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/ormc.pc
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# --- The CMake package -----------------------------------------------------
install(EXPORT ormcTargets NAMESPACE ormc::
  DESTINATION ${ORMC_CMAKEDIR} FILE ormcTargets.cmake)
# BUILD_SHARED_LIBS as a CMake boolean the config file can test.
if(BUILD_SHARED_LIBS)
  set(ORMC_CONFIG_SHARED ON)
else()
  set(ORMC_CONFIG_SHARED OFF)
endif()
configure_package_config_file(cmake/ormcConfig.cmake.in
  ${PROJECT_BINARY_DIR}/ormcConfig.cmake
  INSTALL_DESTINATION ${ORMC_CMAKEDIR})
# 0.x: a new minor version may break the API, so only x.y.* match.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/ormcConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/ormcConfig.cmake
              ${PROJECT_BINARY_DIR}/ormcConfigVersion.cmake
  DESTINATION ${ORMC_CMAKEDIR})
