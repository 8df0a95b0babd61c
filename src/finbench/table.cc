#include "finbench/table.h"

#include <charconv>
#include <cmath>
#include <fstream>

#include "finbench/finbench.h"

namespace cfr::finbench {
namespace {

std::vector<std::string_view> Split(std::string_view line) {
  std::vector<std::string_view> out;
  size_t from = 0;
  for (size_t i = 0; i <= line.size(); ++i) {
    if (i == line.size() || line[i] == '|') {
      out.push_back(line.substr(from, i - from));
      from = i + 1;
    }
  }
  return out;
}

}  // namespace

Status ReadTable(const std::string& dir, const std::string& name, const std::vector<std::string>& columns,
                 const std::function<Status(const std::vector<std::string_view>&)>& row) {
  const std::string path = dir + "/" + name + ".csv";
  std::ifstream in(path);
  if (!in) return NotFound("finbench: cannot open " + path);
  std::string line;
  if (!std::getline(in, line)) return InvalidArgument(path + ": empty");
  if (!line.empty() && line.back() == '\r') line.pop_back();
  const std::vector<std::string_view> header = Split(line);
  std::vector<size_t> at;
  for (const std::string& c : columns) {
    size_t i = 0;
    while (i < header.size() && header[i] != c) ++i;
    if (i == header.size()) {
      std::string message = path;
      message += ": no column ";
      message += c;
      return InvalidArgument(message);
    }
    at.push_back(i);
  }
  std::vector<std::string_view> picked(columns.size());
  for (size_t n = 2; std::getline(in, line); ++n) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    const std::vector<std::string_view> fields = Split(line);
    if (fields.size() != header.size()) {
      return InvalidArgument(path + ":" + std::to_string(n) + ": " + std::to_string(fields.size()) +
                             " fields, the header has " + std::to_string(header.size()));
    }
    for (size_t k = 0; k < at.size(); ++k) picked[k] = fields[at[k]];
    if (Status s = row(picked); !s.ok())
      return InvalidArgument(path + ":" + std::to_string(n) + ": " + s.message());
  }
  return Status::Ok();
}

Result<int64_t> ParseId(std::string_view text) {
  int64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size())
    return InvalidArgument("not an id: " + std::string(text));
  return v;
}

Result<double> ParseAmount(std::string_view text) {
  double v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(v)) {
    return InvalidArgument("not an amount: " + std::string(text));
  }
  return v;
}

}  // namespace cfr::finbench
