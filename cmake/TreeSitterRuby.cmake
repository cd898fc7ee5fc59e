# Fetches the tree-sitter-ruby grammar at configure time with a pinned `npm pack`,
# checks its sha256, and extracts only package/src/ and package/LICENSE into the
# build tree. The generated grammar is never committed to the repository.
set(TS_RUBY_VERSION 0.23.1)
set(TS_RUBY_SHA256 1f0f0c100e31ddf650962ebb1f1fb8420bdbabccd49582f6e731ea7478db639d)
set(TS_RUBY_DIR ${CMAKE_BINARY_DIR}/_deps/tree-sitter-ruby)
set(TS_RUBY_TGZ ${TS_RUBY_DIR}/tree-sitter-ruby-${TS_RUBY_VERSION}.tgz)

if(CALM_TREE_SITTER_RUBY_TARBALL)
  set(TS_RUBY_TGZ ${CALM_TREE_SITTER_RUBY_TARBALL})
elseif(NOT EXISTS ${TS_RUBY_TGZ})
  find_program(NPM_EXECUTABLE npm)
  if(NOT NPM_EXECUTABLE)
    message(FATAL_ERROR "npm is needed to fetch tree-sitter-ruby ${TS_RUBY_VERSION} "
                        "(or set CALM_TREE_SITTER_RUBY_TARBALL to a local tarball)")
  endif()
  file(MAKE_DIRECTORY ${TS_RUBY_DIR})
  message(STATUS "Fetching tree-sitter-ruby@${TS_RUBY_VERSION} with npm pack")
  execute_process(
    COMMAND ${NPM_EXECUTABLE} pack tree-sitter-ruby@${TS_RUBY_VERSION} --silent
    WORKING_DIRECTORY ${TS_RUBY_DIR}
    RESULT_VARIABLE npm_result OUTPUT_QUIET)
  if(NOT npm_result EQUAL 0 OR NOT EXISTS ${TS_RUBY_TGZ})
    message(FATAL_ERROR "npm pack tree-sitter-ruby@${TS_RUBY_VERSION} failed (${npm_result})")
  endif()
endif()

file(SHA256 ${TS_RUBY_TGZ} ts_ruby_actual)
if(NOT ts_ruby_actual STREQUAL TS_RUBY_SHA256)
  message(FATAL_ERROR "tree-sitter-ruby tarball ${TS_RUBY_TGZ} has sha256 ${ts_ruby_actual}, "
                      "expected ${TS_RUBY_SHA256}")
endif()

set(TS_RUBY_SRC ${TS_RUBY_DIR}/package/src)
set(TS_RUBY_LICENSE ${TS_RUBY_DIR}/package/LICENSE)
if(NOT EXISTS ${TS_RUBY_SRC}/parser.c OR NOT EXISTS ${TS_RUBY_LICENSE})
  file(ARCHIVE_EXTRACT INPUT ${TS_RUBY_TGZ} DESTINATION ${TS_RUBY_DIR}
       PATTERNS package/src/* package/LICENSE)
endif()
# Keep the grammar's MIT notice next to the binaries.
file(COPY_FILE ${TS_RUBY_LICENSE} ${CMAKE_BINARY_DIR}/LICENSE.tree-sitter-ruby ONLY_IF_DIFFERENT)

add_library(tree_sitter_ruby STATIC ${TS_RUBY_SRC}/parser.c ${TS_RUBY_SRC}/scanner.c)
target_include_directories(tree_sitter_ruby PRIVATE ${TS_RUBY_SRC})
# Generated code: compile quietly and without sanitizers (it is not ours, and it is big).
target_compile_options(tree_sitter_ruby PRIVATE -w -O1 -fno-sanitize=all)
set_target_properties(tree_sitter_ruby PROPERTIES POSITION_INDEPENDENT_CODE ON C_STANDARD 11)
