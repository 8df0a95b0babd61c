// Text of messages people forward (SMS, chat, "news"): normalisation and word segmentation, Thai
// and English (C10). Pure functions over ICU; thread-safe.
//
// NormalizeText: invalid UTF-8 replaced by U+FFFD; Unicode NFKC (NFC, and full-width letters,
// ligatures and styled letters folded to plain ones; Thai SARA AM, which NFKC splits, put back
// together, and SARA E typed twice read as SARA AE); every decimal digit (Thai ๐–๙, Arabic-Indic,
// full-width, …) to ASCII; format characters (zero-width spaces and joiners, bidi controls, soft
// hyphens, BOM) removed; control characters and line breaks to a space; look-alike Cyrillic and
// Greek letters next to Latin ones to Latin ("pаypal" with a Cyrillic а → "paypal"); defanged
// links refanged ("hxxps://", "[.]", "(.)", "{.}", "[dot]", "[:]", "[at]", "(at)"); digits spaced
// out to dodge filters joined ("0 8 1 2 3 4 5 6 7 8" → "0812345678"); runs of spaces to one.
// Case is kept (wallets and LINE IDs are case-sensitive).
//
// Tokenize: ICU's word BreakIterator (its Thai dictionary segments Thai, which has no spaces
// between words); letters and numbers only, lower-cased; a number becomes its shape ("<d6>" for
// six digits) so that codes and amounts generalise.
#ifndef CFR_CONTENT_TEXT_H_
#define CFR_CONTENT_TEXT_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace cfr::content {

// Longest text analysed, in bytes (a long news article; beyond it: kPayloadTooLarge).
inline constexpr size_t kMaxTextBytes = 256 * 1024;

// The normalised text (see the header comment). kInvalidArgument for an empty text (field
// "text"), kPayloadTooLarge beyond kMaxTextBytes.
Result<std::string> NormalizeText(std::string_view text);

namespace internal {
// NormalizeText without its fast path for Thai and ASCII text (the reference its test compares with).
Result<std::string> NormalizeTextWithIcu(std::string_view text);
// Tokenize with ICU's break iterator whatever the text (ASCII text takes a path of its own).
std::vector<std::string> TokenizeWithIcu(std::string_view normalized);
}  // namespace internal

// Word tokens of a normalised text, lower-cased; numbers as their shape.
std::vector<std::string> Tokenize(std::string_view normalized);

// The script a text is mostly written in: "th", "en" (Latin) or "other" (by letters counted).
std::string_view DominantScript(std::string_view normalized);

}  // namespace cfr::content

#endif  // CFR_CONTENT_TEXT_H_
