// Social-media accounts as "platform:handle": from profile or page URLs, "platform:handle", or
// "platform @handle". Each platform's rules for case and allowed characters are applied, so the
// handle is the one the platform itself would resolve.
#include <algorithm>

#include "core/text.h"
#include "ident/identifier.h"
#include "ident/internal/url_internal.h"

namespace cfr::ident {
namespace {

struct Platform {
  std::string_view name;
  std::string_view hosts[6];
};

constexpr Platform kPlatforms[] = {
    {"facebook", {"facebook.com", "fb.com", "fb.me", "facebook.co.th", "", ""}},
    {"tiktok", {"tiktok.com", "", "", "", "", ""}},
    {"instagram", {"instagram.com", "instagr.am", "", "", "", ""}},
    {"x", {"x.com", "twitter.com", "", "", "", ""}},
    {"telegram", {"t.me", "telegram.me", "telegram.dog", "", "", ""}},
    {"youtube", {"youtube.com", "youtu.be", "", "", "", ""}},
};

const Platform* PlatformByName(std::string_view name) {
  const std::string lower = ToLowerAscii(name);
  if (lower == "twitter") return &kPlatforms[3];
  if (lower == "fb") return &kPlatforms[0];
  if (lower == "ig") return &kPlatforms[2];
  if (lower == "tg") return &kPlatforms[4];
  if (lower == "yt") return &kPlatforms[5];
  for (const Platform& p : kPlatforms) {
    if (p.name == lower) return &p;
  }
  return nullptr;
}

const Platform* PlatformByDomain(std::string_view domain) {
  for (const Platform& p : kPlatforms) {
    for (std::string_view h : p.hosts) {
      if (!h.empty() && h == domain) return &p;
    }
  }
  return nullptr;
}

Status CheckChars(std::string_view platform, std::string_view handle, std::string_view extra, size_t min_len,
                  size_t max_len) {
  if (handle.size() < min_len || handle.size() > max_len) {
    return InvalidArgument(std::string(platform) + " handle: must have " + std::to_string(min_len) + " to " +
                               std::to_string(max_len) + " characters",
                           "value");
  }
  for (char c : handle) {
    if (!IsAsciiAlnum(c) && extra.find(c) == std::string_view::npos) {
      return InvalidArgument(std::string(platform) + " handle: character " +
                                 QuoteForMessage(std::string_view(&c, 1)) + " is not allowed",
                             "value");
    }
  }
  return Status::Ok();
}

std::vector<std::string_view> Segments(std::string_view path) {
  std::vector<std::string_view> out;
  size_t pos = 0;
  while (pos < path.size()) {
    size_t slash = path.find('/', pos);
    if (slash == std::string_view::npos) slash = path.size();
    if (slash > pos) out.push_back(path.substr(pos, slash - pos));
    pos = slash + 1;
  }
  return out;
}

std::string QueryParam(std::string_view query, std::string_view key) {
  size_t pos = 0;
  while (pos < query.size()) {
    size_t amp = query.find('&', pos);
    if (amp == std::string_view::npos) amp = query.size();
    const std::string_view p = query.substr(pos, amp - pos);
    if (p.starts_with(key) && p.size() > key.size() && p[key.size()] == '=') {
      return std::string(p.substr(key.size() + 1));
    }
    pos = amp + 1;
  }
  return {};
}

// Canonical handle for `platform`, from a handle as written (no '@' needed).
Result<std::string> CanonicalHandle(const Platform& platform, std::string_view handle) {
  const std::string_view name = platform.name;
  std::string h(handle);
  if (!h.empty() && h.front() == '@') h.erase(0, 1);
  if (name == "facebook") {
    // Facebook ignores case and the dots in a username; numeric IDs name profiles and pages.
    h = ToLowerAscii(h);
    CFR_RETURN_IF_ERROR(CheckChars(name, h, ".", 1, 60));
    const bool had_dots = h.find('.') != std::string::npos;
    h.erase(std::remove(h.begin(), h.end(), '.'), h.end());
    if (std::all_of(h.begin(), h.end(), IsAsciiDigit)) {
      if (had_dots) return InvalidArgument("facebook handle: a numeric ID has no dots", "value");
      CFR_RETURN_IF_ERROR(CheckChars(name, h, "", 5, 20));
      return h;
    }
    // Length counts without the dots, as Facebook counts it.
    CFR_RETURN_IF_ERROR(CheckChars(name, h, "", 5, 50));
    return h;
  }
  if (name == "tiktok") {
    h = ToLowerAscii(h);
    CFR_RETURN_IF_ERROR(CheckChars(name, h, "._", 2, 24));
    return "@" + h;
  }
  if (name == "instagram") {
    h = ToLowerAscii(h);
    CFR_RETURN_IF_ERROR(CheckChars(name, h, "._", 1, 30));
    return h;
  }
  if (name == "x") {
    h = ToLowerAscii(h);
    CFR_RETURN_IF_ERROR(CheckChars(name, h, "_", 1, 15));
    return h;
  }
  if (name == "telegram") {
    if (!h.empty() && h.front() == '+') {  // private invite link: the hash is case-sensitive
      CFR_RETURN_IF_ERROR(CheckChars(name, std::string_view(h).substr(1), "_-", 8, 64));
      return h;
    }
    h = ToLowerAscii(h);
    CFR_RETURN_IF_ERROR(CheckChars(name, h, "_", 4, 32));
    return h;
  }
  // YouTube: "@handle" is case-insensitive; "channel/UC…" IDs are case-sensitive.
  if (h.starts_with("channel/")) {
    CFR_RETURN_IF_ERROR(CheckChars(name, std::string_view(h).substr(8), "_-", 24, 24));
    return h;
  }
  if (h.starts_with("c/") || h.starts_with("user/")) {
    const size_t slash = h.find('/');
    const std::string rest = ToLowerAscii(std::string_view(h).substr(slash + 1));
    CFR_RETURN_IF_ERROR(CheckChars(name, rest, "_-.", 1, 100));
    return h.substr(0, slash + 1) + rest;
  }
  h = ToLowerAscii(h);
  CFR_RETURN_IF_ERROR(CheckChars(name, h, "_-.", 3, 30));
  return "@" + h;
}

// The handle in a profile or page URL of `platform`.
Result<std::string> HandleFromUrl(const Platform& platform, const internal::ParsedUrl& url) {
  const auto segs = Segments(url.path);
  const std::string_view name = platform.name;
  auto not_profile = [&] {
    return InvalidArgument(
        std::string(name) + ": this link is not a profile or page (" + url.Canonical() + ")", "value");
  };
  if (name == "facebook") {
    if (!segs.empty() && (segs[0] == "profile.php")) {
      const std::string fb_id = QueryParam(url.query, "id");
      if (fb_id.empty()) return not_profile();
      return std::string(fb_id);
    }
    if (segs.size() >= 3 && (segs[0] == "people" || segs[0] == "pages")) return std::string(segs[2]);
    if (segs.size() >= 2 && segs[0] == "pg") return std::string(segs[1]);
    static constexpr std::string_view kReserved[] = {
        "share",       "sharer.php", "watch", "photo.php", "story.php", "permalink.php", "groups", "events",
        "marketplace", "login",      "reel",  "photo",     "videos",    "hashtag",       "help",   "l.php"};
    if (segs.empty() ||
        std::find(std::begin(kReserved), std::end(kReserved), segs[0]) != std::end(kReserved)) {
      return not_profile();
    }
    return std::string(segs[0]);
  }
  if (name == "tiktok") {
    if (segs.empty() || !segs[0].starts_with("@")) return not_profile();
    return std::string(segs[0]);
  }
  if (name == "instagram") {
    static constexpr std::string_view kReserved[] = {"p",        "reel", "reels", "explore",
                                                     "accounts", "tv",   "direct"};
    if (segs.size() >= 2 && segs[0] == "stories") return std::string(segs[1]);
    if (segs.empty() ||
        std::find(std::begin(kReserved), std::end(kReserved), segs[0]) != std::end(kReserved)) {
      return not_profile();
    }
    return std::string(segs[0]);
  }
  if (name == "x") {
    static constexpr std::string_view kReserved[] = {"home",    "i",       "search",   "intent", "share",
                                                     "explore", "hashtag", "settings", "login"};
    if (segs.empty() ||
        std::find(std::begin(kReserved), std::end(kReserved), segs[0]) != std::end(kReserved)) {
      return not_profile();
    }
    return std::string(segs[0]);
  }
  if (name == "telegram") {
    if (segs.size() >= 2 && (segs[0] == "s" || segs[0] == "joinchat")) {
      return segs[0] == "joinchat" ? "+" + std::string(segs[1]) : std::string(segs[1]);
    }
    if (segs.empty()) return not_profile();
    return std::string(segs[0]);
  }
  // youtube
  if (segs.empty()) return not_profile();
  if (segs[0].starts_with("@")) return std::string(segs[0]);
  if (segs.size() >= 2 && (segs[0] == "channel" || segs[0] == "c" || segs[0] == "user")) {
    return std::string(segs[0]) + "/" + std::string(segs[1]);
  }
  return not_profile();
}

}  // namespace

Result<Identifier> NormalizeSocial(std::string_view value) {
  value = TrimSpace(value);
  const Platform* platform = nullptr;
  std::string handle;
  const size_t colon = value.find(':');
  const size_t space = value.find(' ');
  const bool has_scheme = value.find("://") != std::string_view::npos;
  if (!has_scheme && colon != std::string_view::npos && (platform = PlatformByName(value.substr(0, colon)))) {
    handle = std::string(TrimSpace(value.substr(colon + 1)));
  } else if (!has_scheme && space != std::string_view::npos &&
             (platform = PlatformByName(value.substr(0, space)))) {
    handle = std::string(TrimSpace(value.substr(space + 1)));
  } else {
    auto url = internal::ParseUrl(value);
    if (!url.ok()) {
      return InvalidArgument(
          "social: write 'platform:handle' (facebook, tiktok, instagram, x, telegram, youtube) or "
          "give a profile URL",
          "value");
    }
    platform = PlatformByDomain(url->domain);
    if (platform == nullptr) {
      return InvalidArgument("social: " + url->domain + " is not a supported platform", "value");
    }
    CFR_ASSIGN_OR_RETURN(handle, HandleFromUrl(*platform, *url));
  }
  CFR_ASSIGN_OR_RETURN(std::string canonical_handle, CanonicalHandle(*platform, handle));
  Identifier id;
  id.kind = Kind::kSocial;
  id.canonical = std::string(platform->name) + ":" + canonical_handle;
  id.display = id.canonical;
  id.attributes.push_back({"platform", std::string(platform->name)});
  id.attributes.push_back({"handle", canonical_handle});
  return id;
}

}  // namespace cfr::ident
