# Writes nvqual(1) from the built binary's own --help, so the man page can never
# describe flags the binary does not have. Run at build time (cmake -P) with
#   -DNVQUAL=<the built nvqual> -DOUTPUT=<dir>/nvqual.1 -DVERSION=<x.y.z>
# and writes OUTPUT plus OUTPUT.gz (gzip -9n: Debian policy 12.1 wants man pages
# compressed, without a time stamp so the package is reproducible).
foreach(var NVQUAL OUTPUT VERSION)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "manpage.cmake: pass -D${var}=...")
  endif()
endforeach()

function(nvqual_help out_var)
  execute_process(COMMAND ${NVQUAL} ${ARGN} --help OUTPUT_VARIABLE text RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "manpage.cmake: `nvqual ${ARGN} --help` failed (${rc}): ${err}")
  endif()
  # CLI11 names the program as invoked: the build path means nothing to a reader.
  string(REPLACE "${NVQUAL}" "nvqual" text "${text}")
  set(${out_var} "${text}" PARENT_SCOPE)
endfunction()

# roff: a backslash is \e, and a line starting with . or ' would be a request.
function(roff_verbatim out_var text)
  string(REPLACE "\\" "\\e" text "${text}")
  string(REGEX REPLACE "(^|\n)([.'])" "\\1\\\\&\\2" text "${text}")
  set(${out_var} ".nf\n${text}\n.fi\n" PARENT_SCOPE)
endfunction()

nvqual_help(root_help)
# The subcommands are the indented names under CLI11's "Subcommands:" heading.
string(REGEX MATCH "[Ss][Uu][Bb][Cc][Oo][Mm][Mm][Aa][Nn][Dd][Ss]:\n(  [^\n]*\n?)+" block "${root_help}")
string(REGEX MATCHALL "\n  [a-z][a-z0-9-]*" names "${block}")
if(NOT names)
  message(FATAL_ERROR "manpage.cmake: no subcommands found in `nvqual --help`")
endif()

roff_verbatim(root_roff "${root_help}")
set(page ".TH NVQUAL 1 \"\" \"nvqual ${VERSION}\" \"User Commands\"\n")
string(APPEND page ".SH NAME\nnvqual \\- userspace NVMe driver and conformance harness\n")
string(APPEND page ".SH SYNOPSIS\n.B nvqual\n\\fISUBCOMMAND\\fR [\\fIOPTIONS\\fR]\n")
string(APPEND page ".SH DESCRIPTION\n${root_roff}")
string(APPEND page ".SH COMMANDS\n")
foreach(name ${names})
  string(STRIP "${name}" name)
  nvqual_help(sub_help ${name})
  roff_verbatim(sub_roff "${sub_help}")
  string(APPEND page ".SS nvqual ${name}\n${sub_roff}")
endforeach()
string(APPEND page [=[
.SH ENVIRONMENT
.TP
.B NVQUAL_DATA_DIR
Directory holding suites/, models/ and sim/ (the layout of /usr/share/nvqual);
overrides where nvqual looks for the files it ships.
.TP
.B NVQUAL_SUITE_DIR
Directory of suites; overrides NVQUAL_DATA_DIR for suites.
.TP
.B NVQUAL_BDF
PCI address of the controller `nvqual run' drives when no target is named.
.SH FILES
.TP
.I /usr/share/nvqual/suites/
the conformance suites (YAML)
.TP
.I /usr/share/nvqual/models/
SSD model profiles for --model
.TP
.I /usr/share/nvqual/sim/
simulator profiles for --sim-profile
.TP
.I /usr/share/doc/nvqual/
README, report format, suite and lab-operations guides
.PP
nvqual finds these relative to its own executable (../share/nvqual), so a copy
installed under another prefix finds its own.
]=])

file(WRITE ${OUTPUT} "${page}")
execute_process(COMMAND gzip -9n -c ${OUTPUT} OUTPUT_FILE ${OUTPUT}.gz RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "manpage.cmake: gzip -9n ${OUTPUT} failed (${rc})")
endif()
