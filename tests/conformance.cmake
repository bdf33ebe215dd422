# Included by CTest when it starts (TEST_INCLUDE_FILES), with UMWELT set to the binary: one
# conformance test per env of the registry (`umwelt envs --json`), on its state and on its
# pixels, so that CTest runs them in parallel and a failure names its env. A new task is tested
# the moment it is registered; no list of ids is kept here.
execute_process(COMMAND "${UMWELT}" envs --json OUTPUT_VARIABLE listing RESULT_VARIABLE failed)
if(NOT failed EQUAL 0)
  # a registry that cannot list itself is a failing test, not a silently empty suite
  add_test("conformance: umwelt envs --json" "${UMWELT}" envs --json)
  return()
endif()
string(JSON count LENGTH "${listing}" envs)
math(EXPR last "${count} - 1")
set(tests "")
foreach(i RANGE ${last})
  string(JSON id GET "${listing}" envs ${i} id)
  add_test("conformance: ${id}" "${UMWELT}" check --env "${id}")
  foreach(keep_state 0 1)
    set(name "conformance: ${id} pixels=24x16 pixels_and_state=${keep_state}")
    add_test("${name}" "${UMWELT}" check --env "${id}" --option pixels=24x16
             --option pixels_and_state=${keep_state} --option max_steps=30 --steps 20
             --save-after 5)
    list(APPEND tests "${name}")
  endforeach()
  list(APPEND tests "conformance: ${id}")
endforeach()
# headless, as on a cluster node
set_tests_properties(${tests} PROPERTIES ENVIRONMENT_MODIFICATION
  "DISPLAY=unset:;WAYLAND_DISPLAY=unset:;EGL_PLATFORM=unset:")
