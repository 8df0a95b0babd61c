# Writes OUT, a C++ file defining cfr::embedded::VAR with the bytes of IN, as hex so that any
# content (quotes, delimiters, NUL) survives.
file(READ ${IN} content HEX)
string(LENGTH "${content}" hex_len)
math(EXPR len "${hex_len} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," bytes "${content}")
file(WRITE ${OUT} "// Generated from ${IN}; do not edit.\n#include <string_view>\nnamespace cfr::embedded {\nstatic const char kBytes[] = {${bytes} 0};\nextern const std::string_view ${VAR};\nconst std::string_view ${VAR}(kBytes, ${len});\n}  // namespace cfr::embedded\n")
