// StaticSite: the web console's built files (web/dist), loaded into memory at start and served at
// "/" by `cfr serve` for paths no API route claims.
//
// - A file is answered with its media type, an ETag (If-None-Match → 304), and caching suited to
//   Vite's output: files under /assets/ carry a content hash in their name and are cached for a
//   year (immutable); everything else (index.html) is revalidated on every load.
// - A browser navigating to one of the console's own routes (/cases/CFR-2026-000123, a path with
//   no such file, asking for text/html) gets index.html: the console routes in the browser.
// - API prefixes (/api/, /taxii2/) never fall back to the console: their unknown paths stay JSON
//   404s.
// - Text files (HTML, scripts, styles, JSON, SVG) are gzip-compressed once at load and sent
//   compressed to browsers that accept gzip (Vary: Accept-Encoding; the compressed form has its
//   own ETag).
// - HTML answers carry a Content-Security-Policy (scripts, styles, fonts, connections only from
//   this origin; no framing) and the usual hardening headers.
// Paths are matched against the loaded file list only, so nothing outside the directory can be
// named ("..", encoded slashes, symlinks out of it are never followed at load).
#ifndef CFR_HTTP_STATIC_SITE_H_
#define CFR_HTTP_STATIC_SITE_H_

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "core/status.h"
#include "http/http_types.h"

namespace cfr::http {

class StaticSite {
 public:
  // Reads every regular file under `root` (at most 64 MiB in all). Fails when `root` is not a
  // directory or has no index.html.
  static Result<std::unique_ptr<StaticSite>> Load(const std::string& root);

  // The answer for a GET or HEAD of `request.path`, or nullopt when the site has nothing for it.
  std::optional<HttpResponse> Serve(const HttpRequest& request) const;

  size_t file_count() const { return files_.size(); }
  size_t total_bytes() const { return total_bytes_; }
  const std::string& root() const { return root_; }

 private:
  struct File {
    std::string body;
    std::string gzip;  // the body gzip-compressed, or empty when not worth it
    std::string content_type;
    std::string etag;
    bool immutable = false;
  };
  HttpResponse Answer(const File& file, const HttpRequest& request) const;

  std::string root_;
  std::unordered_map<std::string, File> files_;  // "/index.html", "/assets/index-3f2a.js", …
  size_t total_bytes_ = 0;
};

// The media type for a file name, by extension ("application/octet-stream" when unknown).
std::string MediaTypeFor(std::string_view name);

}  // namespace cfr::http

#endif  // CFR_HTTP_STATIC_SITE_H_
