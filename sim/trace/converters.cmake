# The trace converters (`misim trace convert|stats|sequence`, docs/traces.md "Converting"), part of
# misim_trace. Included at the end of this folder's CMakeLists.txt, after misim_add_layer(trace).
# SQLite (Debian's libsqlite3-dev) and nlohmann_json stay private to the layer.
find_package(SQLite3 REQUIRED)
set(MISIM_TRACE_CONVERTER_SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/convert.cpp
    ${CMAKE_CURRENT_LIST_DIR}/atomic_output_file.cpp
    ${CMAKE_CURRENT_LIST_DIR}/entity_names.cpp
    ${CMAKE_CURRENT_LIST_DIR}/text_format.cpp
    ${CMAKE_CURRENT_LIST_DIR}/lifecycle_words.cpp
    ${CMAKE_CURRENT_LIST_DIR}/chrome_export.cpp
    ${CMAKE_CURRENT_LIST_DIR}/trace_tables.cpp
    ${CMAKE_CURRENT_LIST_DIR}/csv_export.cpp
    ${CMAKE_CURRENT_LIST_DIR}/sqlite_export.cpp
    ${CMAKE_CURRENT_LIST_DIR}/trace_stats.cpp
    ${CMAKE_CURRENT_LIST_DIR}/sequence_diagram.cpp)
target_sources(misim_trace PRIVATE ${MISIM_TRACE_CONVERTER_SOURCES})
target_link_libraries(misim_trace PRIVATE SQLite::SQLite3 nlohmann_json::nlohmann_json)
