#include "http/static_site.h"

#include <xxhash.h>
#include <zlib.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string_view>

#include "core/hex.h"

namespace cfr::http {
namespace {

constexpr size_t kMaxSiteBytes = 64u << 20;

constexpr std::string_view kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'";

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool StartsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// Whether `list` (an If-None-Match value) names `etag`: "*", or one of its comma-separated tags,
// weak ones included.
bool MatchesEtag(std::string_view list, std::string_view etag) {
  while (!list.empty()) {
    size_t comma = list.find(',');
    std::string_view tag = list.substr(0, comma);
    while (!tag.empty() && tag.front() == ' ') tag.remove_prefix(1);
    while (!tag.empty() && tag.back() == ' ') tag.remove_suffix(1);
    if (StartsWith(tag, "W/")) tag.remove_prefix(2);
    if (tag == "*" || tag == etag) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

bool Compressible(std::string_view type) {
  return StartsWith(type, "text/") || StartsWith(type, "application/json") || StartsWith(type, "image/svg") ||
         StartsWith(type, "application/manifest");
}

// The gzip form of `data` (zlib, best compression), or empty on failure.
std::string Gzip(std::string_view data) {
  z_stream z{};
  if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK) return {};
  std::string out(deflateBound(&z, static_cast<uLong>(data.size())) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return rc == Z_STREAM_END ? out : std::string();
}

// Whether an Accept-Encoding value accepts gzip (and does not refuse it with q=0).
bool AcceptsGzip(std::string_view accept) {
  size_t at = accept.find("gzip");
  if (at == std::string_view::npos) return false;
  std::string_view rest = accept.substr(at + 4);
  rest = rest.substr(0, rest.find(','));
  const size_t q = rest.find("q=");
  if (q == std::string_view::npos) return true;
  std::string_view value = rest.substr(q + 2);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  return !(value == "0" || value == "0.0" || value == "0.00" || value == "0.000");
}

}  // namespace

std::string MediaTypeFor(std::string_view name) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 18> kTypes = {{
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},
      {".gif", "image/gif"},
      {".webp", "image/webp"},
      {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},
      {".woff", "font/woff"},
      {".ttf", "font/ttf"},
      {".txt", "text/plain; charset=utf-8"},
      {".webmanifest", "application/manifest+json"},
  }};
  for (const auto& [ext, type] : kTypes) {
    if (EndsWith(name, ext)) return std::string(type);
  }
  return "application/octet-stream";
}

Result<std::unique_ptr<StaticSite>> StaticSite::Load(const std::string& root) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(root, ec)) return NotFound("the console directory " + root + " does not exist");
  auto site = std::unique_ptr<StaticSite>(new StaticSite());
  site->root_ = root;
  const fs::path base = fs::canonical(root, ec);
  if (ec) return Unavailable("cannot read the console directory " + root + ": " + ec.message());
  for (fs::recursive_directory_iterator it(base, fs::directory_options::none, ec), end; !ec && it != end;
       it.increment(ec)) {
    if (!it->is_regular_file(ec) || it->is_symlink(ec)) continue;
    std::ifstream in(it->path(), std::ios::binary);
    std::ostringstream content;
    content << in.rdbuf();
    if (!in) return Unavailable("cannot read " + it->path().string());
    File file;
    file.body = std::move(content).str();
    site->total_bytes_ += file.body.size();
    if (site->total_bytes_ > kMaxSiteBytes)
      return InvalidArgument("the console directory exceeds 64 MiB", root);
    const std::string rel = "/" + fs::relative(it->path(), base).generic_string();
    file.content_type = MediaTypeFor(rel);
    const uint64_t hash = XXH3_64bits(file.body.data(), file.body.size());
    file.etag = "\"" + HexEncode(std::string_view(reinterpret_cast<const char*>(&hash), sizeof hash)) + "\"";
    file.immutable = StartsWith(rel, "/assets/");
    if (Compressible(file.content_type) && file.body.size() >= 1024) {
      file.gzip = Gzip(file.body);
      if (file.gzip.size() >= file.body.size()) file.gzip.clear();
    }
    site->files_.emplace(rel, std::move(file));
  }
  if (ec) return Unavailable("cannot list the console directory " + root + ": " + ec.message());
  if (site->files_.find("/index.html") == site->files_.end()) {
    return NotFound("the console directory " + root + " has no index.html (build it: npm run build in web/)");
  }
  return site;
}

HttpResponse StaticSite::Answer(const File& file, const HttpRequest& request) const {
  // The compressed form is another representation: its own ETag.
  const bool gzip = !file.gzip.empty() && AcceptsGzip(request.Header("accept-encoding"));
  const std::string etag = gzip ? file.etag.substr(0, file.etag.size() - 1) + "-gz\"" : file.etag;
  HttpResponse r;
  r.content_type = file.content_type;
  r.headers.emplace_back("ETag", etag);
  r.headers.emplace_back("Cache-Control",
                         file.immutable ? "public, max-age=31536000, immutable" : "no-cache");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  if (StartsWith(file.content_type, "text/html")) {
    r.headers.emplace_back("Content-Security-Policy", std::string(kContentSecurityPolicy));
    r.headers.emplace_back("X-Frame-Options", "DENY");
    r.headers.emplace_back("Referrer-Policy", "same-origin");
  }
  if (!file.gzip.empty()) r.headers.emplace_back("Vary", "Accept-Encoding");
  if (MatchesEtag(request.Header("if-none-match"), etag)) {
    r.status = 304;
    return r;
  }
  r.status = 200;
  if (gzip) {
    r.headers.emplace_back("Content-Encoding", "gzip");
    r.body = file.gzip;
  } else {
    r.body = file.body;
  }
  return r;
}

std::optional<HttpResponse> StaticSite::Serve(const HttpRequest& request) const {
  if (request.method != "GET" && request.method != "HEAD") return std::nullopt;
  const std::string_view path = request.path;
  if (StartsWith(path, "/api/") || StartsWith(path, "/taxii2/")) return std::nullopt;
  auto it = files_.find(path == "/" ? std::string("/index.html") : std::string(path));
  if (it != files_.end()) return Answer(it->second, request);
  // One of the console's own routes, opened in the browser: the app decides what it shows.
  if (request.Header("accept").find("text/html") != std::string_view::npos) {
    return Answer(files_.at("/index.html"), request);
  }
  return std::nullopt;
}

}  // namespace cfr::http
