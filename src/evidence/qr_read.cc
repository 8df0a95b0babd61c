#include "evidence/qr_read.h"

#define ZX_USE_UTF8 1  // text() as UTF-8 std::string (zxing-cpp 1.4)
#include <ZXing/ReadBarcode.h>

#include <exception>

namespace cfr::evidence {
namespace {

// The texts of the QR codes zxing finds in `image`, appended to *out without repeats.
void Read(const GrayImage& image, bool thorough, std::vector<std::string>* out) {
  ZXing::DecodeHints hints;
  hints.setFormats(ZXing::BarcodeFormat::QRCode);
  hints.setTryHarder(thorough);
  hints.setTryRotate(thorough);
  // Downscaling helps with large camera photos of a screen (big modules); on a phone screenshot it
  // only costs time.
  hints.setTryDownscale(thorough && static_cast<int64_t>(image.width) * image.height > 4'000'000);
  hints.setMaxNumberOfSymbols(8);
  const ZXing::ImageView view(image.pixels.data(), image.width, image.height, ZXing::ImageFormat::Lum);
  ZXing::Results results;
  try {
    results = ZXing::ReadBarcodes(view, hints);
  } catch (const std::exception&) {
    return;  // a picture zxing cannot read holds no QR we can use
  }
  for (const ZXing::Result& r : results) {
    if (!r.isValid()) continue;
    std::string text = r.text();
    bool seen = false;
    for (const auto& t : *out) seen = seen || t == text;
    if (!seen && !text.empty()) out->push_back(std::move(text));
  }
}

// The picture at half size (2×2 averages).
GrayImage Half(const GrayImage& g) {
  GrayImage h;
  h.width = g.width / 2;
  h.height = g.height / 2;
  h.pixels.resize(static_cast<size_t>(h.width) * static_cast<size_t>(h.height));
  for (int y = 0; y < h.height; ++y) {
    const uint8_t* a = g.pixels.data() + static_cast<size_t>(2 * y) * g.width;
    const uint8_t* b = a + g.width;
    uint8_t* o = h.pixels.data() + static_cast<size_t>(y) * h.width;
    for (int x = 0; x < h.width; ++x) {
      o[x] = static_cast<uint8_t>((a[2 * x] + a[2 * x + 1] + b[2 * x] + b[2 * x + 1] + 2) / 4);
    }
  }
  return h;
}

}  // namespace

std::vector<std::string> ReadQrCodes(const GrayImage& image) {
  std::vector<std::string> out;
  if (image.width <= 0 || image.height <= 0 ||
      image.pixels.size() != static_cast<size_t>(image.width) * static_cast<size_t>(image.height)) {
    return out;
  }
  // A phone screenshot's QR codes have modules of 5–10 pixels: at half size they still read, in a
  // quarter of the time. Only when nothing is found there is the full picture searched thoroughly
  // (small, rotated or blurred codes).
  if (image.width >= 800 && image.height >= 800) {
    Read(Half(image), /*thorough=*/false, &out);
    if (!out.empty()) return out;
  }
  Read(image, /*thorough=*/true, &out);
  return out;
}

}  // namespace cfr::evidence
