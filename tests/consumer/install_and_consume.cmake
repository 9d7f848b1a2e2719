# cmake -P script behind the `install` test (see CMakeLists.txt beside it):
#   1. cmake --install MISIM_BINARY_DIR --prefix WORK_DIR/prefix
#   2. configure project/ with CMAKE_PREFIX_PATH=WORK_DIR/prefix, same compiler and generator
#   3. check that it found misim in that prefix, build it, run it
cmake_minimum_required(VERSION 3.25)

foreach(var MISIM_BINARY_DIR CONSUMER_SOURCE_DIR WORK_DIR GENERATOR CXX_COMPILER)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "install_and_consume.cmake: -D${var}=... is required")
  endif()
endforeach()
if("${CONFIG}" STREQUAL "")
  set(CONFIG Release)
endif()

set(prefix ${WORK_DIR}/prefix)
set(build ${WORK_DIR}/build)
file(REMOVE_RECURSE ${WORK_DIR})

function(step what)
  message(STATUS "install test: ${what}")
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "install test: '${what}' failed (${rc})")
  endif()
endfunction()

# A sanitized misim's static libraries need the sanitizer runtime at the consumer's link.
set(flags "")
if(NOT "${SANITIZE}" STREQUAL "")
  set(flags "-fsanitize=${SANITIZE}")
endif()

step("install into ${prefix}"
     ${CMAKE_COMMAND} --install ${MISIM_BINARY_DIR} --prefix ${prefix} --config ${CONFIG})
step("configure the consumer"
     ${CMAKE_COMMAND} -S ${CONSUMER_SOURCE_DIR} -B ${build} -G ${GENERATOR}
     -DCMAKE_CXX_COMPILER=${CXX_COMPILER} -DCMAKE_BUILD_TYPE=${CONFIG}
     -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF
     "-DCMAKE_CXX_FLAGS=${flags}" "-DCMAKE_EXE_LINKER_FLAGS=${flags}")

# It must have found the misim just installed, not one elsewhere on the system.
file(STRINGS ${build}/CMakeCache.txt found REGEX "^misim_DIR:")
string(FIND "${found}" "${prefix}/" at)
if(NOT at GREATER -1)
  message(FATAL_ERROR "install test: the consumer found misim outside ${prefix}: ${found}")
endif()

step("build the consumer" ${CMAKE_COMMAND} --build ${build} --config ${CONFIG})

find_program(consumer misim_consumer PATHS ${build} ${build}/${CONFIG} NO_DEFAULT_PATH REQUIRED)
step("run ${consumer}" ${consumer})
