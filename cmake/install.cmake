# Install rules and the Debian package, so a lab machine installs nvqual like any
# Debian tool (docs/lab-operations.md). Included from the top-level CMakeLists.txt
# after the nvqual target exists.
#
# Layout under the prefix (/usr in the .deb):
#   bin/nvqual
#   share/nvqual/{suites,models,golden,sim}/  found at run time as <exe>/../share/nvqual
#                                       (driver/src/data_dir.cpp): keep BINDIR and
#                                       DATADIR siblings
#   share/man/man1/nvqual.1.gz          generated from --help at build time
#   share/doc/nvqual/                   README and the guides
include(GNUInstallDirs)

# The man page comes from the binary just built (cmake/manpage.cmake), so it is
# rebuilt whenever nvqual is and always matches its flags.
set(NVQUAL_MAN_PAGE ${CMAKE_BINARY_DIR}/man/nvqual.1)
add_custom_command(OUTPUT ${NVQUAL_MAN_PAGE} ${NVQUAL_MAN_PAGE}.gz
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/man
  COMMAND ${CMAKE_COMMAND} -DNVQUAL=$<TARGET_FILE:nvqual> -DOUTPUT=${NVQUAL_MAN_PAGE} -DVERSION=${PROJECT_VERSION}
          -P ${CMAKE_SOURCE_DIR}/cmake/manpage.cmake
  DEPENDS nvqual ${CMAKE_SOURCE_DIR}/cmake/manpage.cmake
  COMMENT "Writing the nvqual(1) man page from nvqual --help"
  VERBATIM)
add_custom_target(nvqual_manpage ALL DEPENDS ${NVQUAL_MAN_PAGE}.gz)

install(TARGETS nvqual RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${CMAKE_SOURCE_DIR}/suites/ DESTINATION ${CMAKE_INSTALL_DATADIR}/nvqual/suites
        FILES_MATCHING PATTERN "*.yaml")
install(DIRECTORY ${CMAKE_SOURCE_DIR}/fixtures/models/ DESTINATION ${CMAKE_INSTALL_DATADIR}/nvqual/models
        FILES_MATCHING PATTERN "*.yaml")
# Model profiles name their golden data as ../golden/FILE: the two stay siblings.
install(DIRECTORY ${CMAKE_SOURCE_DIR}/fixtures/golden/ DESTINATION ${CMAKE_INSTALL_DATADIR}/nvqual/golden)
install(DIRECTORY ${CMAKE_SOURCE_DIR}/fixtures/sim/ DESTINATION ${CMAKE_INSTALL_DATADIR}/nvqual/sim)
install(FILES ${NVQUAL_MAN_PAGE}.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${CMAKE_SOURCE_DIR}/README.md ${CMAKE_SOURCE_DIR}/docs/lab-operations.md
              ${CMAKE_SOURCE_DIR}/docs/report-screenshot.png
        DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES ${CMAKE_SOURCE_DIR}/reports/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR} RENAME reports.md)
install(FILES ${CMAKE_SOURCE_DIR}/suites/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR} RENAME suites.md)
install(FILES ${CMAKE_SOURCE_DIR}/fixtures/sim/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR} RENAME sim-profiles.md)

# `cpack` runs the install rules after building the "preinstall" target, which
# by default depends on "all" (every test and benchmark). The package holds
# only nvqual and its man page, so build those (or anything) first, as
# docs/lab-operations.md says, and let cpack and `cmake --install` just install.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)

# CPack's DEB generator (cmake Help/cpack_gen/deb.rst): `cpack -G DEB` in a
# configured build tree writes nvqual_<version>_<arch>.deb.
set(CPACK_PACKAGE_NAME nvqual)
set(CPACK_PACKAGE_VENDOR "nvqual")
set(CPACK_PACKAGE_CONTACT "nvqual maintainers <nvqual@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "userspace NVMe driver and conformance harness for SSD qualification")
# The long description; CPack puts the summary above it as the synopsis line.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "nvqual takes a vfio-pci bound NVMe controller over from user space, runs\n"
    "YAML conformance suites against it and writes JUnit and JSON reports for CI.\n"
    "A strict simulated controller built in (--sim) runs the suites without hardware.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_STRIP_FILES ON)
# Declared, not computed by dpkg-shlibdeps, so the package builds the same on any
# machine; tests/lab/package_test.sh checks that every library the binary links
# comes from a package named here (dpkg -S), so the list cannot fall behind.
# Versions: Debian 12 (bookworm).
set(CPACK_DEBIAN_PACKAGE_DEPENDS
    "libc6 (>= 2.36), libstdc++6 (>= 12), libgcc-s1 (>= 3.3.1), libyaml-cpp0.7 (>= 0.7.0), libfmt9 (>= 9.1.0), "
    "libpugixml1v5 (>= 1.13), libssl3 (>= 3.0.0)")
string(REPLACE ";" "" CPACK_DEBIAN_PACKAGE_DEPENDS "${CPACK_DEBIAN_PACKAGE_DEPENDS}")
string(REPLACE ";" "" CPACK_DEBIAN_PACKAGE_DESCRIPTION "${CPACK_DEBIAN_PACKAGE_DESCRIPTION}")
include(CPack)
