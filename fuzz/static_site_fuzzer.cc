// libFuzzer target for the console's file server: untrusted paths (dot segments, encoded
// slashes, long names), Accept, Accept-Encoding and If-None-Match headers against a small site
// built once in a temporary directory. Invariants: API paths never get a file; a 304 has no body;
// a gzip answer is smaller than the file; nothing outside the site is ever served.
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "http/static_site.h"

namespace {

const cfr::http::StaticSite& Site() {
  static const cfr::http::StaticSite* site = [] {
    const auto dir = std::filesystem::temp_directory_path() / ("cfr-fuzz-site-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir / "assets");
    std::ofstream(dir / "index.html") << "<!doctype html><div id=root></div>";
    std::string script;
    for (int i = 0; i < 100; ++i) script += "console.log(" + std::to_string(i) + ");\n";
    std::ofstream(dir / "assets" / "index-abc.js") << script;
    std::ofstream(dir / "favicon.svg") << "<svg/>";
    auto loaded = cfr::http::StaticSite::Load(dir.string());
    if (!loaded.ok()) std::abort();
    std::filesystem::remove_all(dir);  // the site lives in memory
    return loaded->release();
  }();
  return *site;
}

// Splits the input at newlines into path, Accept, Accept-Encoding and If-None-Match.
std::string Next(std::string_view* in) {
  const size_t nl = in->find('\n');
  std::string part(in->substr(0, nl));
  in->remove_prefix(nl == std::string_view::npos ? in->size() : nl + 1);
  return part;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  cfr::http::HttpRequest request;
  request.method = size > 0 && data[0] % 3 == 0 ? "HEAD" : "GET";
  request.path = Next(&in);
  request.target = request.path;
  request.headers.emplace_back("accept", Next(&in));
  request.headers.emplace_back("accept-encoding", Next(&in));
  request.headers.emplace_back("if-none-match", Next(&in));
  const auto answer = Site().Serve(request);
  const std::string_view path = request.path;
  if (path.substr(0, 5) == "/api/" || path.substr(0, 8) == "/taxii2/") {
    if (answer.has_value()) std::abort();
    return 0;
  }
  if (!answer.has_value()) return 0;
  if (answer->status == 304 && !answer->body.empty()) std::abort();
  if (answer->status != 200 && answer->status != 304) std::abort();
  for (const auto& [name, value] : answer->headers) {
    if (name == "Content-Encoding" && value == "gzip" && answer->body.size() >= 3000) std::abort();
  }
  // Only the site's own bytes: the index, the script, the icon (or their gzip forms).
  if (answer->status == 200 && answer->body.size() > 4096) std::abort();
  return 0;
}
