#include "core/http_client.h"

#include <curl/curl.h>

#include <cctype>
#include <memory>
#include <string_view>
#include <vector>

#include "core/text.h"

namespace cfr {
namespace {

size_t Append(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

// One header line ("Name: value\r\n"); the status line and the blank line are skipped.
size_t AppendHeader(char* data, size_t size, size_t n, void* out) {
  const std::string_view line(data, size * n);
  const size_t colon = line.find(':');
  if (colon != std::string_view::npos) {
    std::string name(line.substr(0, colon));
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    static_cast<HttpResult*>(out)->headers.emplace_back(std::move(name),
                                                        std::string(TrimSpace(line.substr(colon + 1))));
  }
  return size * n;
}

Result<HttpResult> Perform(const std::string& url, const std::string* post_body,
                           const std::vector<std::string>& header_lines, const char* method = nullptr) {
  static const bool initialised = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  if (!initialised) return Internal("libcurl failed to initialise");
  std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) return Internal("libcurl failed to initialise");
  HttpResult result;
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, Append);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &result.body);
  curl_easy_setopt(curl.get(), CURLOPT_HEADERFUNCTION, AppendHeader);
  curl_easy_setopt(curl.get(), CURLOPT_HEADERDATA, &result);
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT, 60L);
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  std::unique_ptr<curl_slist, void (*)(curl_slist*)> headers(nullptr, curl_slist_free_all);
  for (const std::string& h : header_lines) headers.reset(curl_slist_append(headers.release(), h.c_str()));
  if (headers) curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers.get());
  if (post_body != nullptr) {
    curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, post_body->c_str());
    curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(post_body->size()));
  }
  if (method != nullptr) curl_easy_setopt(curl.get(), CURLOPT_CUSTOMREQUEST, method);
  const CURLcode rc = curl_easy_perform(curl.get());
  if (rc != CURLE_OK) return Unavailable("cannot reach " + url + ": " + curl_easy_strerror(rc));
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &result.status);
  return result;
}

}  // namespace

std::string HttpResult::Header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (n == name) return v;
  }
  return {};
}

Result<HttpResult> HttpGet(const std::string& url, const std::string& api_key) {
  std::vector<std::string> headers;
  if (!api_key.empty()) headers.push_back(AuthorizationHeader(api_key));
  return Perform(url, nullptr, headers);
}
Result<HttpResult> HttpPostJson(const std::string& url, const std::string& body, const std::string& api_key) {
  std::vector<std::string> headers = {"Content-Type: application/json"};
  if (!api_key.empty()) headers.push_back(AuthorizationHeader(api_key));
  return Perform(url, &body, headers);
}

Result<HttpResult> HttpGetWith(const std::string& url, const std::vector<std::string>& headers) {
  return Perform(url, nullptr, headers);
}

Result<HttpResult> HttpPutJson(const std::string& url, const std::string& body, const std::string& api_key) {
  std::vector<std::string> headers = {"Content-Type: application/json"};
  if (!api_key.empty()) headers.push_back(AuthorizationHeader(api_key));
  return Perform(url, &body, headers, "PUT");
}

std::string AuthorizationHeader(const std::string& api_key) { return "Authorization: Bearer " + api_key; }

Result<HttpResult> HttpPost(const std::string& url, const std::string& body,
                            const std::vector<std::string>& headers) {
  return Perform(url, &body, headers);
}

std::string UrlEncode(const std::string& value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
        c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace cfr
