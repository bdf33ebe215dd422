# MuJoCo as the imported target mujoco::mujoco, from MUJOCO_ROOT: a prefix laid out like
# MuJoCo's release tarball (include/mujoco/mujoco.h, lib/libmujoco.so.<version>). The default
# is where scripts/setup-mujoco.sh installs the pinned official 4.0.0 build. Any MuJoCo >= 3.3
# works. The library's folder goes into the binaries' RPATH, so they run without
# LD_LIBRARY_PATH and never pick up another libmujoco (Debian's 2.2.2, say).

set(UMWELT_MUJOCO_MINIMUM 3.3.0)

# the setup script says what it installs and where, so the two never disagree
foreach(question prefix version)
  execute_process(COMMAND "${CMAKE_CURRENT_SOURCE_DIR}/scripts/setup-mujoco.sh" --${question}
                  OUTPUT_VARIABLE umwelt_mujoco_${question} OUTPUT_STRIP_TRAILING_WHITESPACE
                  RESULT_VARIABLE umwelt_failed)
  if(umwelt_failed)
    message(FATAL_ERROR "scripts/setup-mujoco.sh --${question} failed: ${umwelt_failed}")
  endif()
endforeach()
set(UMWELT_MUJOCO_PINNED "${umwelt_mujoco_version}")
set(MUJOCO_ROOT "${umwelt_mujoco_prefix}" CACHE PATH
    "MuJoCo prefix (include/mujoco/mujoco.h, lib/libmujoco.so.*)")

set(umwelt_mujoco_fix
    "Run scripts/setup-mujoco.sh (or scripts/setup.sh) to install the official MuJoCo \
${UMWELT_MUJOCO_PINNED}, or configure with -DMUJOCO_ROOT=<prefix of a MuJoCo >= \
${UMWELT_MUJOCO_MINIMUM} build>.")

set(umwelt_mujoco_header "${MUJOCO_ROOT}/include/mujoco/mujoco.h")
if(NOT EXISTS "${umwelt_mujoco_header}")
  message(FATAL_ERROR "MuJoCo not found: no ${umwelt_mujoco_header}. ${umwelt_mujoco_fix}")
endif()

# the header's version: 4000000 for 4.0.0 (MuJoCo >= 3.4), 330 for 3.3.0 (before)
file(STRINGS "${umwelt_mujoco_header}" umwelt_mujoco_define REGEX "^#define mjVERSION_HEADER ")
string(REGEX MATCH "[0-9]+" umwelt_mujoco_number "${umwelt_mujoco_define}")
if(NOT umwelt_mujoco_number)
  message(FATAL_ERROR "${umwelt_mujoco_header} declares no mjVERSION_HEADER: not a MuJoCo "
                      "header. ${umwelt_mujoco_fix}")
endif()
if(umwelt_mujoco_number GREATER_EQUAL 1000000)
  math(EXPR umwelt_major "${umwelt_mujoco_number} / 1000000")
  math(EXPR umwelt_minor "(${umwelt_mujoco_number} / 1000) % 1000")
  math(EXPR umwelt_patch "${umwelt_mujoco_number} % 1000")
else()
  math(EXPR umwelt_major "${umwelt_mujoco_number} / 100")
  math(EXPR umwelt_minor "(${umwelt_mujoco_number} / 10) % 10")
  math(EXPR umwelt_patch "${umwelt_mujoco_number} % 10")
endif()
set(MUJOCO_VERSION "${umwelt_major}.${umwelt_minor}.${umwelt_patch}")
if(MUJOCO_VERSION VERSION_LESS UMWELT_MUJOCO_MINIMUM)
  message(FATAL_ERROR "MuJoCo ${MUJOCO_VERSION} in ${MUJOCO_ROOT} is too old: Umwelt needs "
                      "${UMWELT_MUJOCO_MINIMUM} or newer. ${umwelt_mujoco_fix}")
endif()

# the library of the headers' own version, so that the two cannot disagree
set(umwelt_mujoco_library "${MUJOCO_ROOT}/lib/libmujoco.so.${MUJOCO_VERSION}")
if(NOT EXISTS "${umwelt_mujoco_library}")
  message(FATAL_ERROR "MuJoCo ${MUJOCO_VERSION} headers in ${MUJOCO_ROOT}, but no "
                      "${umwelt_mujoco_library}. ${umwelt_mujoco_fix}")
endif()

add_library(mujoco::mujoco SHARED IMPORTED)
set_target_properties(mujoco::mujoco PROPERTIES
  IMPORTED_LOCATION "${umwelt_mujoco_library}"
  IMPORTED_SONAME "libmujoco.so.${MUJOCO_VERSION}"
  INTERFACE_INCLUDE_DIRECTORIES "${MUJOCO_ROOT}/include")
message(STATUS "MuJoCo ${MUJOCO_VERSION}: ${umwelt_mujoco_library}")
