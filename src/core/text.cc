#include "core/text.h"

#include <cstdio>

namespace cfr {

int32_t DecodeUtf8(std::string_view s, size_t* pos) {
  const size_t i = *pos;
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) {
    *pos = i + 1;
    return b0;
  }
  int len;
  int32_t cp;
  int32_t min;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2, cp = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, cp = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, cp = b0 & 0x07, min = 0x10000;
  } else {
    *pos = i + 1;
    return -1;
  }
  if (i + len > s.size()) {
    *pos = i + 1;
    return -1;
  }
  for (int k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) {
      *pos = i + 1;
      return -1;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    *pos = i + 1;
    return -1;
  }
  *pos = i + len;
  return cp;
}

void AppendUtf8(int32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

bool IsValidUtf8(std::string_view s) {
  size_t pos = 0;
  while (pos < s.size() && static_cast<unsigned char>(s[pos]) < 0x80) ++pos;  // ASCII: the common case
  while (pos < s.size()) {
    if (DecodeUtf8(s, &pos) < 0) return false;
  }
  return true;
}

bool IsSpaceOrInvisible(int32_t cp) {
  return cp <= 0x20 || cp == 0x7F || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200F) ||
         cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x2060 || cp == 0x3000 ||
         cp == 0xFEFF;
}

std::string_view TrimSpace(std::string_view s) {
  size_t begin = 0;
  while (begin < s.size()) {
    size_t next = begin;
    const int32_t cp = DecodeUtf8(s, &next);
    if (cp < 0 || !IsSpaceOrInvisible(cp)) break;
    begin = next;
  }
  size_t end = s.size();
  while (end > begin) {
    // Step back to the start of the last code point.
    size_t start = end - 1;
    while (start > begin && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) --start;
    size_t next = start;
    const int32_t cp = DecodeUtf8(s, &next);
    if (cp < 0 || next != end || !IsSpaceOrInvisible(cp)) break;
    end = start;
  }
  return s.substr(begin, end - begin);
}

int DigitValue(int32_t cp) {
  if (cp >= '0' && cp <= '9') return cp - '0';
  if (cp >= 0x0E50 && cp <= 0x0E59) return cp - 0x0E50;
  if (cp >= 0xFF10 && cp <= 0xFF19) return cp - 0xFF10;
  return -1;
}

std::string ToLowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = ToLowerAscii(c);
  return out;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (ToLowerAscii(a[i]) != ToLowerAscii(b[i])) return false;
  }
  return true;
}

bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && EqualsIgnoreCase(s.substr(0, prefix.size()), prefix);
}

std::string QuoteForMessage(std::string_view s, size_t max) {
  std::string out = "'";
  size_t pos = 0;
  size_t count = 0;
  while (pos < s.size()) {
    if (count == max) {
      out += "…";
      break;
    }
    const int32_t cp = DecodeUtf8(s, &pos);
    if (cp < 0) {
      out += "\xEF\xBF\xBD";
    } else if (cp < 0x20 || cp == 0x7F) {
      char buf[16];
      std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned>(cp));
      out += buf;
    } else {
      AppendUtf8(cp, &out);
    }
    ++count;
  }
  out += "'";
  return out;
}

}  // namespace cfr
