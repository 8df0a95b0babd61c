#include "content/text.h"

#include <unicode/brkiter.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utext.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <memory>
#include <utility>

#include "core/text.h"

namespace cfr::content {
namespace {

// Cyrillic and Greek letters drawn like Latin ones, as scammers use them in brand names and links.
struct Homoglyph {
  UChar32 from;
  char to;
};
constexpr Homoglyph kHomoglyphs[] = {
    // Cyrillic lower case
    {0x0430, 'a'},
    {0x0435, 'e'},
    {0x043E, 'o'},
    {0x0440, 'p'},
    {0x0441, 'c'},
    {0x0443, 'y'},
    {0x0445, 'x'},
    {0x0456, 'i'},
    {0x0458, 'j'},
    {0x0455, 's'},
    {0x0501, 'd'},
    {0x04BB, 'h'},
    {0x051B, 'q'},
    {0x051D, 'w'},
    {0x043A, 'k'},
    {0x0442, 't'},
    {0x043C, 'm'},
    {0x043D, 'h'},
    {0x0432, 'b'},
    // Cyrillic upper case
    {0x0410, 'A'},
    {0x0412, 'B'},
    {0x0415, 'E'},
    {0x041A, 'K'},
    {0x041C, 'M'},
    {0x041D, 'H'},
    {0x041E, 'O'},
    {0x0420, 'P'},
    {0x0421, 'C'},
    {0x0422, 'T'},
    {0x0425, 'X'},
    {0x0406, 'I'},
    {0x0408, 'J'},
    {0x0405, 'S'},
    // Greek
    {0x0391, 'A'},
    {0x0392, 'B'},
    {0x0395, 'E'},
    {0x0396, 'Z'},
    {0x0397, 'H'},
    {0x0399, 'I'},
    {0x039A, 'K'},
    {0x039C, 'M'},
    {0x039D, 'N'},
    {0x039F, 'O'},
    {0x03A1, 'P'},
    {0x03A4, 'T'},
    {0x03A5, 'Y'},
    {0x03A7, 'X'},
    {0x03BF, 'o'},
    {0x03BD, 'v'},
    {0x03B1, 'a'},
    {0x03B9, 'i'},
    {0x03BA, 'k'},
    {0x03C1, 'p'},
    {0x03C4, 't'},
    {0x03C5, 'u'},
};

char LatinOf(UChar32 c) {
  for (const Homoglyph& h : kHomoglyphs) {
    if (h.from == c) return h.to;
  }
  return 0;
}

bool IsAsciiAlnum(UChar32 c) { return c < 0x80 && std::isalnum(static_cast<int>(c)) != 0; }

// Each run of letters and digits that mixes ASCII with look-alikes is made ASCII.
void FoldHomoglyphs(icu::UnicodeString* text) {
  const int32_t n = text->length();
  int32_t i = 0;
  while (i < n) {
    const UChar32 c = text->char32At(i);
    if (!u_isalnum(c)) {
      i = text->moveIndex32(i, 1);
      continue;
    }
    const int32_t start = i;
    bool ascii = false, lookalike = false;
    while (i < n && u_isalnum(text->char32At(i))) {
      const UChar32 d = text->char32At(i);
      ascii = ascii || IsAsciiAlnum(d);
      lookalike = lookalike || LatinOf(d) != 0;
      i = text->moveIndex32(i, 1);
    }
    if (!ascii || !lookalike) continue;
    icu::UnicodeString run;
    for (int32_t j = start; j < i; j = text->moveIndex32(j, 1)) {
      const UChar32 d = text->char32At(j);
      const char latin = LatinOf(d);
      if (latin != 0) {
        run.append(static_cast<UChar>(latin));
      } else {
        run.append(d);
      }
    }
    text->replace(start, i - start, run);
    i = start + run.length();
  }
}

bool StartsWithNoCase(std::string_view s, size_t at, std::string_view prefix) {
  if (s.size() - at < prefix.size()) return false;
  for (size_t k = 0; k < prefix.size(); ++k) {
    if (std::tolower(static_cast<unsigned char>(s[at + k])) != prefix[k]) return false;
  }
  return true;
}

// Defanged links made whole again: hxxp(s):// at a word's start, [.] (.) {.} [dot] (dot) {dot},
// [:] and [at] (at) [@].
std::string Refang(std::string_view in) {
  static constexpr std::pair<std::string_view, char> kBracketed[] = {
      {"[.]", '.'}, {"(.)", '.'},  {"{.}", '.'},  {"[dot]", '.'}, {"(dot)", '.'}, {"{dot}", '.'},
      {"[:]", ':'}, {"[at]", '@'}, {"(at)", '@'}, {"[@]", '@'},   {"[/]", '/'},
  };
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size();) {
    const bool word_start = i == 0 || !std::isalnum(static_cast<unsigned char>(in[i - 1]));
    if (word_start && (in[i] == 'h' || in[i] == 'H') &&
        (StartsWithNoCase(in, i, "hxxp://") || StartsWithNoCase(in, i, "hxxps://") ||
         StartsWithNoCase(in, i, "hxxp[:]//") || StartsWithNoCase(in, i, "hxxps[:]//"))) {
      out += "http";
      i += 4;
      continue;
    }
    bool replaced = false;
    if (in[i] == '[' || in[i] == '(' || in[i] == '{') {
      for (const auto& [pattern, with] : kBracketed) {
        if (StartsWithNoCase(in, i, pattern)) {
          out += with;
          i += pattern.size();
          replaced = true;
          break;
        }
      }
    }
    if (!replaced) out += in[i++];
  }
  return out;
}

// Digits spaced out one by one ("0 8 1 2 3 4 5 6 7 8", "0-8-1-…") joined: seven or more single
// digits each separated by one space, '-' or '.'.
std::string JoinSpacedDigits(std::string_view in) {
  auto digit = [&](size_t k) { return k < in.size() && in[k] >= '0' && in[k] <= '9'; };
  auto sep = [&](size_t k) { return k < in.size() && (in[k] == ' ' || in[k] == '-' || in[k] == '.'); };
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size();) {
    if (digit(i) && (i == 0 || !digit(i - 1)) && sep(i + 1) && digit(i + 2) && !digit(i + 3)) {
      size_t end = i + 1, count = 1;  // end: just after the last digit of the run
      while (sep(end) && digit(end + 1) && !digit(end + 2)) {
        end += 2;
        ++count;
      }
      if (count >= 7) {
        for (size_t k = i; k < end; k += 2) out += in[k];
        i = end;
        continue;
      }
    }
    out += in[i++];
  }
  return out;
}

std::string CollapseSpaces(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (char c : in) {
    if (c == ' ' && (out.empty() || out.back() == ' ')) continue;
    out += c;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

bool IsThaiOrAscii(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    const auto b = static_cast<unsigned char>(s[i]);
    if (b < 0x80) continue;
    // Thai: U+0E00–U+0E7F is E0 B8 80 – E0 B9 BF.
    if (b == 0xE0 && i + 2 < s.size() && (static_cast<unsigned char>(s[i + 1]) & 0xFE) == 0xB8) {
      i += 2;
      continue;
    }
    return false;
  }
  return true;
}

// The canonical combining class of a code point of the Thai block (the others there are 0):
// PHINTHU 9, SARA U and SARA UU 103, the four tone marks 107.
int ThaiCombiningClass(char16_t c) {
  if (c == 0x0E3A) return 9;
  if (c == 0x0E38 || c == 0x0E39) return 103;
  if (c >= 0x0E48 && c <= 0x0E4B) return 107;
  return 0;
}

// Replaces every `from` pair with `to`, left to right, as icu::UnicodeString::findAndReplace does.
void ReplacePairs(std::u16string* s, char16_t from0, char16_t from1, char16_t to) {
  size_t w = 0;
  for (size_t r = 0; r < s->size();) {
    if (r + 1 < s->size() && (*s)[r] == from0 && (*s)[r + 1] == from1) {
      (*s)[w++] = to;
      r += 2;
    } else {
      (*s)[w++] = (*s)[r++];
    }
  }
  s->resize(w);
}

// The ICU path's result for a text of ASCII and the Thai block only (most messages), computed on
// the code points: in this range NFKC only splits SARA AM (put back together below, as on the ICU
// path) and puts a run of combining marks in canonical order; there are no format characters or
// look-alike letters, and the only other digits are Thai. False when the text holds anything else.
bool NormalizeThaiOrAscii(std::string_view text, std::string* utf8) {
  std::u16string cps;
  cps.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const auto b = static_cast<unsigned char>(text[i]);
    if (b < 0x80) {
      cps.push_back(b < 0x20 || b == 0x7f ? u' ' : static_cast<char16_t>(b));
      continue;
    }
    // U+0E00–U+0E7F is E0 B8 80 – E0 B9 BF.
    if (b != 0xE0 || i + 2 >= text.size()) return false;
    const auto b1 = static_cast<unsigned char>(text[i + 1]), b2 = static_cast<unsigned char>(text[i + 2]);
    if ((b1 & 0xFE) != 0xB8 || (b2 & 0xC0) != 0x80) return false;
    const auto c = static_cast<char16_t>(0x0E00 | ((b1 & 0x01) << 6) | (b2 & 0x3F));
    if (c == 0x0E33) {  // NFKC: NIKHAHIT + SARA AA
      cps.push_back(0x0E4D);
      cps.push_back(0x0E32);
    } else if (c >= 0x0E50 && c <= 0x0E59) {
      cps.push_back(static_cast<char16_t>(u'0' + (c - 0x0E50)));
    } else {
      cps.push_back(c);
    }
    i += 2;
  }
  // Canonical order: each run of marks of non-zero class, stably by class.
  for (size_t i = 0; i < cps.size();) {
    if (ThaiCombiningClass(cps[i]) == 0) {
      ++i;
      continue;
    }
    size_t end = i;
    while (end < cps.size() && ThaiCombiningClass(cps[end]) != 0) ++end;
    std::stable_sort(cps.begin() + static_cast<std::ptrdiff_t>(i),
                     cps.begin() + static_cast<std::ptrdiff_t>(end),
                     [](char16_t a, char16_t b) { return ThaiCombiningClass(a) < ThaiCombiningClass(b); });
    i = end;
  }
  ReplacePairs(&cps, 0x0E4D, 0x0E32, 0x0E33);  // SARA AM
  ReplacePairs(&cps, 0x0E40, 0x0E40, 0x0E41);  // SARA E twice: SARA AE
  utf8->clear();
  utf8->reserve(text.size());
  for (const char16_t c : cps) AppendUtf8(c, utf8);
  return true;
}

Result<std::string> Normalize(std::string_view text, bool thai_fast_path) {
  if (text.size() > kMaxTextBytes) {
    return PayloadTooLarge("longer than " + std::to_string(kMaxTextBytes / 1024) + " KiB", "text");
  }
  std::string utf8;
  if (std::all_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; })) {
    // ASCII: NFKC changes nothing, and there are no other digits, format characters or look-alikes.
    utf8.assign(text);
    for (char& c : utf8) {
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
    }
  } else if (thai_fast_path && NormalizeThaiOrAscii(text, &utf8)) {
    // Thai and ASCII: the same result without ICU's conversions (ThaiFastPathIsIcusAnswer).
  } else {
    icu::UnicodeString u =
        icu::UnicodeString::fromUTF8(icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* nfkc = icu::Normalizer2::getNFKCInstance(status);
    if (U_FAILURE(status)) return Internal(std::string("ICU: ") + u_errorName(status));
    icu::UnicodeString normalized = nfkc->normalize(u, status);
    if (U_FAILURE(status)) return Internal(std::string("ICU: ") + u_errorName(status));
    icu::UnicodeString cleaned;
    for (int32_t i = 0; i < normalized.length(); i = normalized.moveIndex32(i, 1)) {
      const UChar32 c = normalized.char32At(i);
      const int8_t type = u_charType(c);
      if (type == U_FORMAT_CHAR) continue;  // zero-width, bidi controls, soft hyphen, BOM
      if (type == U_CONTROL_CHAR || type == U_LINE_SEPARATOR || type == U_PARAGRAPH_SEPARATOR ||
          type == U_SPACE_SEPARATOR) {
        cleaned.append(static_cast<UChar>(' '));
      } else if (type == U_DECIMAL_DIGIT_NUMBER) {
        cleaned.append(static_cast<UChar>('0' + u_charDigitValue(c)));
      } else {
        cleaned.append(c);
      }
    }
    // NFKC splits Thai SARA AM (ำ) into NIKHAHIT + SARA AA (ํา), and people type SARA E twice (เเ)
    // for SARA AE (แ): both are put back as one letter, or ICU's dictionary no longer knows the word.
    cleaned.findAndReplace(icu::UnicodeString(u"\u0E4D\u0E32"), icu::UnicodeString(u"\u0E33"));
    cleaned.findAndReplace(icu::UnicodeString(u"\u0E40\u0E40"), icu::UnicodeString(u"\u0E41"));
    FoldHomoglyphs(&cleaned);
    cleaned.toUTF8String(utf8);
  }
  // Each pass only when the text holds what it looks for (one look at each byte).
  bool refang = false, digits = false;
  for (const char c : utf8) {
    refang = refang || c == 'h' || c == 'H' || c == '[' || c == '(' || c == '{';
    digits = digits || (c >= '0' && c <= '9');
  }
  if (refang) utf8 = Refang(utf8);
  if (digits) utf8 = JoinSpacedDigits(utf8);
  std::string out = CollapseSpaces(utf8);
  if (out.empty()) return InvalidArgument("is empty (nothing but spaces or invisible characters)", "text");
  return out;
}

}  // namespace

Result<std::string> NormalizeText(std::string_view text) { return Normalize(text, /*thai_fast_path=*/true); }

namespace internal {
Result<std::string> NormalizeTextWithIcu(std::string_view text) {
  return Normalize(text, /*thai_fast_path=*/false);
}
}  // namespace internal

namespace {

// A token as the word rules end it: letters (ICU status >= 200), a number (100–199), or neither.
void AddToken(std::string_view piece, int32_t rule, std::vector<std::string>* tokens) {
  if (rule < UBRK_WORD_NONE_LIMIT) return;  // spaces, punctuation
  if (rule >= UBRK_WORD_NUMBER && rule < UBRK_WORD_NUMBER_LIMIT) {
    const auto digits =
        std::count_if(piece.begin(), piece.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (digits > 0) tokens->push_back("<d" + std::to_string(std::min<int64_t>(digits, 13)) + ">");
    return;
  }
  if (IsThaiOrAscii(piece)) {
    std::string t(piece);
    for (char& c : t) c = (c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c);
    tokens->push_back(std::move(t));
  } else {
    icu::UnicodeString w =
        icu::UnicodeString::fromUTF8(icu::StringPiece(piece.data(), static_cast<int32_t>(piece.size())));
    std::string t;
    w.toLower().toUTF8String(t);
    tokens->push_back(std::move(t));
  }
}

// The Word_Break classes of ASCII (UAX #29) that ICU's word rules use.
enum class WordClass : uint8_t {
  kOther,
  kLetter,
  kNumeric,
  kMidNumLet,
  kSingleQuote,
  kMidNum,
  kExtendNumLet
};

// ICU 72 (CLDR 42) counts '@' as a letter (e-mail addresses stay whole) and leaves ':' out of
// MidLetter; ASCII has no other MidLetter.
WordClass ClassOf(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '@') return WordClass::kLetter;
  if (c >= '0' && c <= '9') return WordClass::kNumeric;
  switch (c) {
    case '.':
      return WordClass::kMidNumLet;
    case '\'':
      return WordClass::kSingleQuote;
    case ',':
    case ';':
      return WordClass::kMidNum;
    case '_':
      return WordClass::kExtendNumLet;
    default:
      return WordClass::kOther;
  }
}

// ICU's word rules (word.txt: rules 5-13b, chained) on ASCII text, which has no format, extend,
// dictionary or emoji characters: the same tokens and statuses as ICU 72's break iterator
// (AsciiTokensAreIcus; the status of a chain is its last link's, and a digit's single-character
// rule ends a word in a digit as a number), without it.
void TokenizeAscii(std::string_view s, std::vector<std::string>* tokens) {
  using C = WordClass;
  size_t i = 0;
  while (i < s.size()) {
    C prev = ClassOf(s[i]);
    int32_t status = prev == C::kLetter    ? UBRK_WORD_LETTER
                     : prev == C::kNumeric ? UBRK_WORD_NUMBER
                                           : UBRK_WORD_NONE;
    size_t j = i + 1;
    if (prev == C::kLetter || prev == C::kNumeric || prev == C::kExtendNumLet) {
      while (j < s.size()) {
        const C c = ClassOf(s[j]);
        if (c == C::kLetter) {  // rules 5, 10, 13b
          status = UBRK_WORD_LETTER;
        } else if (c == C::kNumeric) {  // rules 8, 9, 13b: a word that ends in a digit is a number
          status = UBRK_WORD_NUMBER;
        } else if (c == C::kExtendNumLet) {  // rule 13a
          status = prev == C::kNumeric ? UBRK_WORD_NUMBER : UBRK_WORD_LETTER;
        } else if (prev == C::kLetter && (c == C::kMidNumLet || c == C::kSingleQuote) && j + 1 < s.size() &&
                   ClassOf(s[j + 1]) == C::kLetter) {  // rules 6, 7
          status = UBRK_WORD_LETTER;
          ++j;
        } else if (prev == C::kNumeric && (c == C::kMidNum || c == C::kMidNumLet || c == C::kSingleQuote) &&
                   j + 1 < s.size() && ClassOf(s[j + 1]) == C::kNumeric) {  // rules 11, 12
          status = UBRK_WORD_NUMBER;
          ++j;
        } else {
          break;
        }
        prev = ClassOf(s[j]);
        ++j;
      }
    }
    AddToken(s.substr(i, j - i), status, tokens);
    i = j;
  }
}

}  // namespace

namespace internal {
std::vector<std::string> TokenizeWithIcu(std::string_view normalized);
}  // namespace internal

std::vector<std::string> Tokenize(std::string_view normalized) {
  if (std::all_of(normalized.begin(), normalized.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x80; })) {
    std::vector<std::string> tokens;
    TokenizeAscii(normalized, &tokens);
    return tokens;
  }
  return internal::TokenizeWithIcu(normalized);
}

std::vector<std::string> internal::TokenizeWithIcu(std::string_view normalized) {
  std::vector<std::string> tokens;
  if (normalized.empty()) return tokens;
  // One break iterator per thread (they keep state); made from the Thai locale's dictionary.
  thread_local std::unique_ptr<icu::BreakIterator> words = [] {
    UErrorCode status = U_ZERO_ERROR;
    std::unique_ptr<icu::BreakIterator> it(icu::BreakIterator::createWordInstance(icu::Locale("th"), status));
    if (U_FAILURE(status)) it.reset();
    return it;
  }();
  if (!words) return tokens;
  // ICU iterates UTF-16 text natively (a UTF-8 UText maps every access): the text in UTF-16,
  // with the byte offset of each unit to cut the tokens from the UTF-8.
  thread_local std::u16string units;
  thread_local std::vector<int32_t> offsets;
  units.clear();
  offsets.clear();
  for (size_t i = 0; i < normalized.size();) {
    const int32_t at = static_cast<int32_t>(i);
    const int32_t c = DecodeUtf8(normalized, &i);
    if (c >= 0x10000) {
      units.push_back(static_cast<char16_t>(0xD800 + ((c - 0x10000) >> 10)));
      units.push_back(static_cast<char16_t>(0xDC00 + ((c - 0x10000) & 0x3FF)));
      offsets.push_back(at);
      offsets.push_back(at);
    } else {
      units.push_back(static_cast<char16_t>(c < 0 ? 0xFFFD : c));
      offsets.push_back(at);
    }
  }
  offsets.push_back(static_cast<int32_t>(normalized.size()));
  UErrorCode status = U_ZERO_ERROR;
  UText local = UTEXT_INITIALIZER;
  UText* ut = utext_openUChars(&local, units.data(), static_cast<int64_t>(units.size()), &status);
  if (U_FAILURE(status)) return tokens;
  words->setText(ut, status);
  if (U_FAILURE(status)) {
    utext_close(ut);
    return tokens;
  }
  int32_t start = words->first();
  for (int32_t end = words->next(); end != icu::BreakIterator::DONE; start = end, end = words->next()) {
    const auto from = static_cast<size_t>(offsets[static_cast<size_t>(start)]);
    const auto to = static_cast<size_t>(offsets[static_cast<size_t>(end)]);
    AddToken(normalized.substr(from, to - from), words->getRuleStatus(), &tokens);
  }
  utext_close(ut);
  return tokens;
}

std::string_view DominantScript(std::string_view normalized) {
  size_t thai = 0, latin = 0, other = 0;
  for (size_t i = 0; i < normalized.size(); ++i) {
    const auto b = static_cast<unsigned char>(normalized[i]);
    if (b < 0x80) {
      latin += std::isalpha(b) != 0 ? 1 : 0;
    } else if (b == 0xE0 && i + 1 < normalized.size() &&
               (static_cast<unsigned char>(normalized[i + 1]) & 0xFE) == 0xB8) {
      ++thai;
      i += 2;
    } else if ((b & 0xC0) == 0xC0) {
      ++other;  // a lead byte of another script's character
    }
  }
  if (thai == 0 && latin == 0 && other == 0) return "other";
  if (thai >= latin && thai >= other) return "th";
  return latin >= other ? "en" : "other";
}

}  // namespace cfr::content
