# calm_library(): one library per stage, with layers the build enforces.
#
#   calm_library(NAME calm_eval PREFIX eval
#                SOURCES evaluator.cpp ...        # explicit: no GLOB
#                DEPS calm_graph calm_model       # the layers below it (public)
#                [PRIVATE_DEPS ...])              # third-party libraries used inside
#
# A library's headers are included as "<PREFIX>/file.h". Its folder is not exported as
# an include directory (a parent folder would expose its siblings, the project root
# every layer); instead each library exports a folder of its own in the build tree,
# include/<NAME>/, holding a single link <PREFIX> -> the library's source folder. A
# target therefore sees the headers of the libraries it links (and theirs) and no other:
# an #include that runs up the layers ("eval/value.h" in the model) fails to build.
# docs/architecture.md draws the resulting graph; tests/build checks it.
set(CALM_INCLUDE_STAGE ${CMAKE_BINARY_DIR}/include)

# The folder include/<STAGE>/ holding one link, <PREFIX> -> the current source folder;
# sets OUT to that folder (the include directory to give a target).
function(calm_stage_headers STAGE PREFIX OUT)
  set(stage ${CALM_INCLUDE_STAGE}/${STAGE})
  file(MAKE_DIRECTORY ${stage})
  if(NOT EXISTS ${stage}/${PREFIX})
    file(CREATE_LINK ${CMAKE_CURRENT_SOURCE_DIR} ${stage}/${PREFIX} SYMBOLIC)
  endif()
  set(${OUT} ${stage} PARENT_SCOPE)
endfunction()

function(calm_library)
  cmake_parse_arguments(L "" "NAME;PREFIX" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  list(TRANSFORM L_SOURCES PREPEND ${CMAKE_CURRENT_SOURCE_DIR}/)
  add_library(${L_NAME} STATIC ${L_SOURCES})
  calm_stage_headers(${L_NAME} ${L_PREFIX} stage)
  target_include_directories(${L_NAME} PUBLIC ${stage})
  target_link_libraries(${L_NAME} PUBLIC ${L_DEPS} PRIVATE ${L_PRIVATE_DEPS} calm_warnings)
  # Recorded for the layering test and the library graph (tests/build/layers.sh).
  set_property(GLOBAL APPEND PROPERTY CALM_LIBRARIES ${L_NAME})
  set_property(GLOBAL PROPERTY CALM_LIBRARY_${L_NAME}_PREFIX ${L_PREFIX})
  set_property(GLOBAL PROPERTY CALM_LIBRARY_${L_NAME}_DIR ${CMAKE_CURRENT_SOURCE_DIR})
  set(own_deps "")
  foreach(d IN LISTS L_DEPS)
    if(d MATCHES "^calm_")
      list(APPEND own_deps ${d})
    endif()
  endforeach()
  set_property(GLOBAL PROPERTY CALM_LIBRARY_${L_NAME}_DEPS "${own_deps}")
endfunction()

# Writes ${CMAKE_BINARY_DIR}/layers.txt: one line per library,
#   NAME PREFIX SOURCE_DIR DEP1,DEP2,...   (direct dependencies among calm's libraries)
# read by tests/build/layers.sh and compared with docs/architecture.md.
function(calm_write_layers)
  get_property(libs GLOBAL PROPERTY CALM_LIBRARIES)
  set(out "")
  foreach(l IN LISTS libs)
    get_property(p GLOBAL PROPERTY CALM_LIBRARY_${l}_PREFIX)
    get_property(d GLOBAL PROPERTY CALM_LIBRARY_${l}_DIR)
    get_property(deps GLOBAL PROPERTY CALM_LIBRARY_${l}_DEPS)
    string(REPLACE ";" "," deps "${deps}")
    if(deps STREQUAL "")
      set(deps "-")
    endif()
    file(RELATIVE_PATH rel ${PROJECT_SOURCE_DIR} ${d})
    string(APPEND out "${l} ${p} ${rel} ${deps}\n")
  endforeach()
  file(WRITE ${CMAKE_BINARY_DIR}/layers.txt "${out}")
endfunction()
