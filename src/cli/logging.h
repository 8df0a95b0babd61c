// Structured logs through spdlog: human-readable text, or one JSON object per line
// ({"time":"…","level":"info","msg":"…"}) for log shippers.
#ifndef CFR_CLI_LOGGING_H_
#define CFR_CLI_LOGGING_H_

#include <string_view>

#include "core/status.h"

namespace cfr::cli {

// Installs the default logger (stderr). `level`: trace…error; `format`: text or json.
Status SetUpLogging(std::string_view level, std::string_view format);

}  // namespace cfr::cli

#endif  // CFR_CLI_LOGGING_H_
