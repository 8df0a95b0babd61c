// Small, allocation-light text helpers for untrusted UTF-8 input.
#ifndef CFR_CORE_TEXT_H_
#define CFR_CORE_TEXT_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace cfr {

// Decodes one UTF-8 code point at s[*pos] and advances *pos. Returns -1 (and advances by one
// byte) on an invalid, overlong or surrogate sequence.
int32_t DecodeUtf8(std::string_view s, size_t* pos);

// Appends the UTF-8 encoding of `cp` (which must be a valid scalar value).
void AppendUtf8(int32_t cp, std::string* out);

bool IsValidUtf8(std::string_view s);

// True for white space and invisible characters that pasted identifiers carry: ASCII space and
// controls, NBSP, the Unicode spaces, zero-width space/joiners, BOM.
bool IsSpaceOrInvisible(int32_t cp);

// Removes leading and trailing IsSpaceOrInvisible code points.
std::string_view TrimSpace(std::string_view s);

// The ASCII digit for '0'-'9', Thai digits U+0E50-U+0E59 and full-width digits U+FF10-U+FF19;
// -1 otherwise.
int DigitValue(int32_t cp);

inline char ToLowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }
std::string ToLowerAscii(std::string_view s);
inline bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }
inline bool IsAsciiAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
inline bool IsAsciiAlnum(char c) { return IsAsciiDigit(c) || IsAsciiAlpha(c); }

// Case-insensitive ASCII comparison and prefix test.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);
bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix);

// A printable rendering of untrusted input for error messages: at most `max` code points,
// control characters escaped, invalid UTF-8 shown as U+FFFD.
std::string QuoteForMessage(std::string_view s, size_t max = 40);

}  // namespace cfr

#endif  // CFR_CORE_TEXT_H_
