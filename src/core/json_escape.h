// JSON string escaping for hot output paths that write fixed-shape JSON directly (screening
// results, log lines) instead of building a DOM. Not a JSON writer: callers write the structure.
#ifndef CFR_CORE_JSON_ESCAPE_H_
#define CFR_CORE_JSON_ESCAPE_H_

#include <string>
#include <string_view>

namespace cfr {

// Appends `s` as a quoted JSON string. Control characters are escaped; invalid UTF-8 bytes are
// replaced with U+FFFD so that the output is always valid JSON.
void AppendJsonString(std::string_view s, std::string* out);

}  // namespace cfr

#endif  // CFR_CORE_JSON_ESCAPE_H_
