#include "cli/logging.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <chrono>

#include "core/json_escape.h"
#include "core/time.h"

namespace cfr::cli {
namespace {

class JsonLineFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    const auto millis =
        std::chrono::duration_cast<std::chrono::milliseconds>(msg.time.time_since_epoch()).count();
    dest.append(std::string_view("{\"time\":\""));
    dest.append(FormatRfc3339Millis(millis));
    dest.append(std::string_view("\",\"level\":\""));
    const auto level = spdlog::level::to_string_view(msg.level);
    dest.append(level.data(), level.data() + level.size());
    dest.append(std::string_view("\",\"msg\":"));
    std::string escaped;
    AppendJsonString(std::string_view(msg.payload.data(), msg.payload.size()), &escaped);
    dest.append(escaped);
    dest.append(std::string_view("}\n"));
  }
  std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<JsonLineFormatter>(); }
};

}  // namespace

Status SetUpLogging(std::string_view level, std::string_view format) {
  auto logger = std::make_shared<spdlog::logger>("cfr", std::make_shared<spdlog::sinks::stderr_sink_mt>());
  const auto lvl = spdlog::level::from_str(std::string(level));
  if (lvl == spdlog::level::off && level != "off") return InvalidArgument("unknown log level", "log.level");
  logger->set_level(lvl);
  if (format == "json") {
    logger->set_formatter(std::make_unique<JsonLineFormatter>());
  } else {
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ %v", spdlog::pattern_time_type::utc);
  }
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(std::move(logger));
  return Status::Ok();
}

}  // namespace cfr::cli
