# Writes OUT (a .cc file) holding every sql/NNN_name.sql migration as a string,
# so the server binary carries its own schema and needs no files at run time.
# Invoked with -DSQL_DIR=... -DOUT=...
file(GLOB files "${SQL_DIR}/[0-9][0-9][0-9]_*.sql")
list(SORT files)
set(body "// Generated from sql/*.sql by cmake/embed_sql.cmake. Do not edit.\n")
string(APPEND body "#include \"store/mysql/migrations.h\"\n\nnamespace survey::store::mysql {\n\n")
string(APPEND body "const std::vector<Migration>& EmbeddedMigrations() {\n  static const std::vector<Migration> kMigrations = {\n")
foreach(f ${files})
  get_filename_component(name "${f}" NAME_WE)
  string(SUBSTRING "${name}" 0 3 num)
  math(EXPR version "${num}")
  file(READ "${f}" text)
  string(APPEND body "    {${version}, \"${name}\", R\"survey_sql(${text})survey_sql\"},\n")
endforeach()
string(APPEND body "  };\n  return kMigrations;\n}\n\n}  // namespace survey::store::mysql\n")
file(WRITE "${OUT}.tmp" "${body}")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different "${OUT}.tmp" "${OUT}")
