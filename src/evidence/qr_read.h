// QR codes in a picture, read with zxing-cpp. Thread-safe.
#ifndef CFR_EVIDENCE_QR_READ_H_
#define CFR_EVIDENCE_QR_READ_H_

#include <string>
#include <vector>

#include "evidence/image.h"

namespace cfr::evidence {

// The texts of the QR codes found (at most 8, in reading order), empty when none. A slip's small
// verification QR and a pasted PromptPay QR are both found on a phone screenshot.
std::vector<std::string> ReadQrCodes(const GrayImage& image);

}  // namespace cfr::evidence

#endif  // CFR_EVIDENCE_QR_READ_H_
