# Installing termijn (docs/operations.md, "Packaging"): `cmake --install` for hosts that embed the
# engine, `cpack -G DEB` for a server. Three install components:
#   server  the program, libtermijn.so.0, the stdlib and the shipped processes
#   system  the systemd unit and /etc/termijn/termijn.toml: absolute paths, so a plain
#           `cmake --install build --prefix DIR` leaves them out (EXCLUDE_FROM_ALL) and never
#           writes to this machine's /etc; cpack packages them with `server`
#   dev     the headers, the library's link name, termijnConfig.cmake and termijn.pc
# Two Debian packages: `termijn` (server + system) and `termijn-dev` (dev). The shared library
# goes with the server, not the -dev package: at run time it needs the stdlib that `termijn`
# ships, and a host is built with -dev but runs with only the library and its data.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# Where installed code finds the stdlib, relative to the program or library that holds it
# (default_stdlib_dirs, engine/driver/compilation.cc). In every build, the instrumented ones too:
# the program the build tree tests is the program that gets installed.
set(TERMIJN_INSTALL_DATADIR ${CMAKE_INSTALL_DATADIR}/termijn)
file(RELATIVE_PATH stdlib_from_bindir ${CMAKE_INSTALL_FULL_BINDIR} ${CMAKE_INSTALL_PREFIX}/${TERMIJN_INSTALL_DATADIR}/stdlib)
file(RELATIVE_PATH stdlib_from_libdir ${CMAKE_INSTALL_FULL_LIBDIR} ${CMAKE_INSTALL_PREFIX}/${TERMIJN_INSTALL_DATADIR}/stdlib)
target_compile_definitions(termijn_driver PRIVATE TERMIJN_STDLIB_FROM_BINDIR="${stdlib_from_bindir}"
  TERMIJN_STDLIB_FROM_LIBDIR="${stdlib_from_libdir}" TERMIJN_BUILD_DIR="${CMAKE_BINARY_DIR}")
target_link_libraries(termijn_driver PRIVATE ${CMAKE_DL_LIBS})

# An instrumented build finds bugs; it is not a thing to install.
if(TERMIJN_SANITIZE OR TERMIJN_TSAN OR TERMIJN_FUZZ)
  return()
endif()

# ---- libtermijn.so.0: the engine for hosts, one shared library ----
# Made of every object of the stage libraries. They stay static libraries for the program, the
# tests and the benchmarks (one link, no run path, nothing to install to run a test), compiled
# position-independent so the same objects serve both (Debian's GCC makes PIE programs anyway).
# OBJECT libraries would need every target that links a stage to name its objects itself, since
# objects do not pass on through static libraries: a larger change to the build for the same
# library. Linking the stage libraries as well brings their own dependencies (fmt, ANTLR,
# date-tz, SQLite) and adds no code: the objects already define all that they define.
# (--whole-archive of the stages would not do: CMake repeats a static library that several
# others need, and linked whole twice, its symbols are defined twice.)
set(TERMIJN_LIBRARY_PARTS termijn_grammar termijn_base termijn_holidays termijn_time termijn_frontend
  termijn_model termijn_checker termijn_driver termijn_runtime termijn_store termijn_api)
set_target_properties(${TERMIJN_LIBRARY_PARTS} PROPERTIES POSITION_INDEPENDENT_CODE ON)
list(TRANSFORM TERMIJN_LIBRARY_PARTS REPLACE "(.+)" "$<TARGET_OBJECTS:\\1>" OUTPUT_VARIABLE objects)
add_library(termijn_library SHARED ${objects})
target_link_libraries(termijn_library PRIVATE ${TERMIJN_LIBRARY_PARTS})
# Only termijn:: is exported: the generated parser, and the fmt, JSON and standard library code
# instantiated inside, stay private, so a host with its own ANTLR grammar or fmt does not clash.
set(version_script ${CMAKE_SOURCE_DIR}/packaging/libtermijn.map)
target_link_options(termijn_library PRIVATE -Wl,--version-script=${version_script} -Wl,--no-undefined)
set_target_properties(termijn_library PROPERTIES OUTPUT_NAME termijn EXPORT_NAME termijn
  VERSION ${PROJECT_VERSION} SOVERSION ${PROJECT_VERSION_MAJOR} LINK_DEPENDS ${version_script})
# What the installed headers include themselves: nlohmann/json.hpp, date/date.h, sqlite3.h and
# boost/container/flat_map.hpp (header only).
target_link_libraries(termijn_library INTERFACE nlohmann_json::nlohmann_json date::date SQLite::SQLite3 Boost::boost)
target_compile_features(termijn_library INTERFACE cxx_std_20)
target_include_directories(termijn_library INTERFACE
  $<BUILD_INTERFACE:${CMAKE_SOURCE_DIR}> $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}/termijn>)

# The public headers: engine/api/engine.h and what it includes, transitively (the out-of-tree
# test compiles a host against exactly these, so a header missing here fails it), and
# engine/api/real_time.h, the Boost.Asio driver (header only; the host brings Boost). They keep
# their engine/... paths under include/termijn/, so a host includes "engine/api/engine.h"
# installed or in-tree alike.
set(TERMIJN_PUBLIC_HEADERS
  api/engine.h api/real_time.h clock/clock.h driver/compilation.h
  base/binary_op.h base/diagnostic.h base/duration.h base/id_index.h base/language.h base/source.h base/status.h
  base/sha256.h base/utf8.h
  frontend/ast.h frontend/loader.h frontend/source_text.h
  model/instrument.h model/model.h model/type.h
  runtime/audit_kind.h runtime/changes.h runtime/due_queue.h runtime/instance.h runtime/runtime.h
  store/audit_chain.h store/row_batch.h store/sqlite.h store/store.h
  time/holidays.h time/instant.h time/legal_time.h)
foreach(header ${TERMIJN_PUBLIC_HEADERS})
  get_filename_component(dir ${header} DIRECTORY)
  install(FILES engine/${header} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/termijn/engine/${dir} COMPONENT dev)
endforeach()

install(TARGETS termijn RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT server)
install(TARGETS termijn_library EXPORT termijnTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT server NAMELINK_COMPONENT dev)
install(DIRECTORY stdlib/ DESTINATION ${TERMIJN_INSTALL_DATADIR}/stdlib COMPONENT server)
# The process files; their scenarios (processes/scenarios) are tests for whoever edits them.
install(DIRECTORY processes/ DESTINATION ${TERMIJN_INSTALL_DATADIR}/processes COMPONENT server
  FILES_MATCHING PATTERN "*.wth" PATTERN scenarios EXCLUDE)
install(FILES docs/operations.md docs/api.md DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT server)

# ---- CMake package and pkg-config file ----
set(cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/termijn)
install(EXPORT termijnTargets NAMESPACE termijn:: DESTINATION ${cmake_dir} COMPONENT dev)
configure_package_config_file(packaging/termijnConfig.cmake.in ${CMAKE_BINARY_DIR}/packaging/termijnConfig.cmake
  INSTALL_DESTINATION ${cmake_dir} PATH_VARS TERMIJN_INSTALL_DATADIR)
# 0.x: a minor version may break the API, so only the same 0.minor satisfies a request.
write_basic_package_version_file(${CMAKE_BINARY_DIR}/packaging/termijnConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/packaging/termijnConfig.cmake ${CMAKE_BINARY_DIR}/packaging/termijnConfigVersion.cmake
  DESTINATION ${cmake_dir} COMPONENT dev)
# termijn.pc names its prefix relative to where it lies, so it is right under any install prefix.
file(RELATIVE_PATH pc_prefix ${CMAKE_INSTALL_FULL_LIBDIR}/pkgconfig ${CMAKE_INSTALL_PREFIX})
string(REGEX REPLACE "/$" "" pc_prefix "${pc_prefix}")
configure_file(packaging/termijn.pc.in ${CMAKE_BINARY_DIR}/packaging/termijn.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/packaging/termijn.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT dev)

# ---- the service: unit and configuration ----
# /etc/termijn/termijn.toml is examples/termijn.toml with the database and the processes set, so
# the two never drift apart; a change to those example lines stops the build here.
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS examples/termijn.toml)
file(READ examples/termijn.toml toml)
foreach(line [=[db = "/var/lib/termijn/termijn.db"]=] [=[processes = [ "/usr/share/termijn/processes" ]]=])
  string(FIND "${toml}" "# ${line}\n" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "examples/termijn.toml lacks the line '# ${line}' that the package's configuration sets")
  endif()
  string(REPLACE "# ${line}\n" "${line}\n" toml "${toml}")
endforeach()
string(REGEX REPLACE "^# termijn's configuration file[^\n]*\n" "# termijn's configuration file, read by termijn.service (docs/operations.md, \"Packaging\").\n" toml "${toml}")
file(CONFIGURE OUTPUT ${CMAKE_BINARY_DIR}/packaging/termijn.toml CONTENT "${toml}" @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/packaging/termijn.toml DESTINATION /etc/termijn COMPONENT system EXCLUDE_FROM_ALL)
# Debian 12 still ships units in /lib/systemd/system (merged /usr makes it /usr/lib too).
install(FILES packaging/debian/termijn.service DESTINATION /lib/systemd/system COMPONENT system EXCLUDE_FROM_ALL)

# ---- cpack -G DEB ----
set(TERMIJN_PACKAGE_MAINTAINER "termijn maintainers <maintainers@users.noreply.r-seed-723b33a2.example>"
  CACHE STRING "The Maintainer field of the Debian packages")
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME termijn)
set(CPACK_PACKAGE_CONTACT "${TERMIJN_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL server system dev)
set(CPACK_COMPONENT_SERVER_GROUP termijn)
set(CPACK_COMPONENT_SYSTEM_GROUP termijn)
set(CPACK_COMPONENT_DEV_GROUP dev)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION misc)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_TERMIJN_PACKAGE_NAME termijn)
# tzdata: legal time is Europe/Amsterdam's, read from /usr/share/zoneinfo; adduser: the postinst;
# SQLite 3.35: the store's migrations use UPDATE ... FROM (6) and DROP COLUMN (8), newer than
# the symbols dpkg-shlibdeps finds ask for.
set(CPACK_DEBIAN_TERMIJN_PACKAGE_DEPENDS "tzdata, adduser, libsqlite3-0 (>= 3.35)")
# The first line of a description is the package's summary (CPack adds the indentation).
set(CPACK_DEBIAN_TERMIJN_DESCRIPTION "workflow engine for casework on legal terms
termijn runs processes written in its own language (.wth) with durable state in SQLite,
computes legal deadlines in Europe/Amsterdam time and escalates missed ones. This package
holds the server (termijn.service), the command line, the shared library hosts embed,
the standard library and the shipped processes.")
# A shlibs file for libtermijn.so.0 (only `termijn` has a shared object), and ldconfig run by a
# trigger: CPack calls it only from maintainer scripts it writes itself.
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
set(CPACK_DEBIAN_TERMIJN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_TERMIJN_PACKAGE_CONTROL_EXTRA ${CMAKE_SOURCE_DIR}/packaging/debian/postinst
  ${CMAKE_SOURCE_DIR}/packaging/debian/prerm ${CMAKE_SOURCE_DIR}/packaging/debian/postrm
  ${CMAKE_SOURCE_DIR}/packaging/debian/conffiles ${CMAKE_SOURCE_DIR}/packaging/debian/triggers)
set(CPACK_DEBIAN_DEV_PACKAGE_NAME termijn-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS
  "termijn (= ${PROJECT_VERSION}), nlohmann-json3-dev, libhowardhinnant-date-dev, libsqlite3-dev, libboost-dev")
set(CPACK_DEBIAN_DEV_DESCRIPTION "termijn workflow engine: headers, CMake and pkg-config files
For hosts that embed termijn::Engine (engine/api/engine.h): find_package(termijn) gives
termijn::termijn; pkg-config --cflags --libs termijn. engine/api/real_time.h needs Boost.Asio.")
include(CPack)
