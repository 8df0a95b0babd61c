#include <cstdio>
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "core/text.h"
#include "http/error_mapping.h"
#include "http/identifier_json.h"
#include "ident/identifier.h"

namespace cfr::cli {

std::vector<std::string> ReadValues(const std::vector<std::string>& args) {
  std::vector<std::string> values;
  for (const std::string& v : args) {
    if (v != "-") {
      values.push_back(v);
      continue;
    }
    std::string line;
    while (std::getline(std::cin, line)) {
      if (!TrimSpace(line).empty()) values.push_back(line);
    }
  }
  return values;
}

std::optional<ident::NormalizeOptions> OptionsFromFlags(std::string_view command, const std::string& kind,
                                                        const std::string& bank) {
  ident::NormalizeOptions options;
  if (!kind.empty()) {
    auto k = ident::ParseKind(kind);
    if (!k.ok()) {
      std::fprintf(stderr, "cfr %.*s: --kind: %s\n", static_cast<int>(command.size()), command.data(),
                   k.status().message().c_str());
      return std::nullopt;
    }
    options.kind = *k;
  }
  options.bank = bank;
  return options;
}

int RunNormalize(const NormalizeArgs& args) {
  auto flags = OptionsFromFlags("normalize", args.kind, args.bank);
  if (!flags) return kExitUsage;
  ident::NormalizeOptions options = *flags;
  options.region = args.region;
  const std::vector<std::string> values = ReadValues(args.values);
  if (values.empty()) {
    std::fprintf(stderr, "cfr normalize: give at least one VALUE (or - to read lines from stdin)\n");
    return kExitUsage;
  }
  int failures = 0;
  for (const std::string& v : values) {
    auto r = ident::Normalize(v, options);
    if (!r.ok()) {
      ++failures;
      std::fprintf(stderr, "cfr normalize: %s: %s\n", QuoteForMessage(v, 80).c_str(),
                   r.status().message().c_str());
      if (args.json) {
        const nlohmann::json line = {{"input", v}};
        std::printf("{\"input\":%s,\"error\":%s}\n",
                    line["input"].dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str(),
                    ErrorObjectJson(r.status()).c_str());
      }
      continue;
    }
    if (args.json) {
      std::printf("%s\n", http::IdentifierJson(*r).c_str());
    } else {
      std::printf("%s\t%s\t%s\n", std::string(ident::KindName(r->kind)).c_str(), r->canonical.c_str(),
                  r->display.c_str());
    }
  }
  return failures == 0 ? kExitOk : kExitFailure;
}

}  // namespace cfr::cli
