// Lower-case hexadecimal encoding of bytes, and its validated inverse.
#ifndef CFR_CORE_HEX_H_
#define CFR_CORE_HEX_H_

#include <string>
#include <string_view>

#include "core/status.h"

namespace cfr {

std::string HexEncode(std::string_view bytes);

// Decodes an even number of hex digits (either case); kInvalidArgument otherwise.
Result<std::string> HexDecode(std::string_view hex);

}  // namespace cfr

#endif  // CFR_CORE_HEX_H_
