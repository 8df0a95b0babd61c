#include "evidence/qr_draw.h"

#include "ident/emv_qr.h"

#include <qrencode.h>

#include <algorithm>
#include <cstdio>
#include <string>

namespace cfr::evidence {
namespace {

void FillRect(GrayImage* g, int x0, int y0, int w, int h, uint8_t v) {
  for (int y = std::max(0, y0); y < std::min(g->height, y0 + h); ++y) {
    for (int x = std::max(0, x0); x < std::min(g->width, x0 + w); ++x) {
      g->pixels[static_cast<size_t>(y) * g->width + x] = v;
    }
  }
}

// Seven-segment digit `d` (0–9) at (x, y), `s` pixels a segment.
void Digit(GrayImage* g, int d, int x, int y, int s) {
  static constexpr uint8_t kSegments[10] = {0x3f, 0x06, 0x5b, 0x4f, 0x66, 0x6d, 0x7d, 0x07, 0x7f, 0x6f};
  const int t = std::max(2, s / 5);
  const uint8_t m = kSegments[d];
  if (m & 0x01) FillRect(g, x, y, s, t, 20);              // a: top
  if (m & 0x02) FillRect(g, x + s - t, y, t, s, 20);      // b: upper right
  if (m & 0x04) FillRect(g, x + s - t, y + s, t, s, 20);  // c: lower right
  if (m & 0x08) FillRect(g, x, y + 2 * s - t, s, t, 20);  // d: bottom
  if (m & 0x10) FillRect(g, x, y + s, t, s, 20);          // e: lower left
  if (m & 0x20) FillRect(g, x, y, t, s, 20);              // f: upper left
  if (m & 0x40) FillRect(g, x, y + s - t / 2, s, t, 20);  // g: middle
}

std::string Field(int tag, std::string_view v) {
  char h[8];
  std::snprintf(h, sizeof h, "%02d%02zu", tag, v.size());
  return h + std::string(v);
}

}  // namespace

std::string PromptPayQrForMobile(std::string_view mobile_0066) {
  std::string p = Field(0, "01") + Field(1, "11") +
                  Field(29, Field(0, "A000000677010111") + Field(1, mobile_0066)) + Field(53, "764") +
                  Field(58, "TH") + "6304";
  char crc[8];
  std::snprintf(crc, sizeof crc, "%04X", ident::Crc16CcittFalse(p));
  return p + crc;
}

Result<GrayImage> DrawQr(std::string_view text, int module_px) {
  const std::string s(text);
  QRcode* code = QRcode_encodeString8bit(s.c_str(), 0, QR_ECLEVEL_M);
  if (code == nullptr) return InvalidArgument("cannot encode as a QR code", "text");
  const int quiet = 4, n = code->width, side = (n + 2 * quiet) * module_px;
  GrayImage g;
  g.width = g.height = side;
  g.pixels.assign(static_cast<size_t>(side) * side, 255);
  for (int y = 0; y < n; ++y) {
    for (int x = 0; x < n; ++x) {
      if (code->data[y * n + x] & 1)
        FillRect(&g, (x + quiet) * module_px, (y + quiet) * module_px, module_px, module_px, 0);
    }
  }
  QRcode_free(code);
  return g;
}

void Paste(const GrayImage& src, int x, int y, GrayImage* dst) {
  for (int sy = 0; sy < src.height; ++sy) {
    const int dy = y + sy;
    if (dy < 0 || dy >= dst->height) continue;
    for (int sx = 0; sx < src.width; ++sx) {
      const int dx = x + sx;
      if (dx < 0 || dx >= dst->width) continue;
      dst->pixels[static_cast<size_t>(dy) * dst->width + dx] =
          src.pixels[static_cast<size_t>(sy) * src.width + sx];
    }
  }
}

Result<GrayImage> DrawSlip(const SlipPicture& p) {
  GrayImage g;
  g.width = p.width;
  g.height = p.height;
  g.pixels.assign(static_cast<size_t>(p.width) * p.height, 245);
  FillRect(&g, 0, 0, p.width, p.height / 8, static_cast<uint8_t>(p.header_grey));
  // Lines of "text": words as dark bars of lengths drawn from the seed (xorshift).
  uint64_t r = p.seed * 0x9E3779B97F4A7C15ull + 1;
  auto next = [&r] {
    r ^= r << 13;
    r ^= r >> 7;
    r ^= r << 17;
    return r;
  };
  const int line_h = p.height / 40;
  for (int line = 0; line < 14; ++line) {
    const int y = p.height / 6 + line * line_h * 2;
    int x = p.width / 12;
    while (x < p.width * 11 / 12) {
      const int w = static_cast<int>(next() % (p.width / 6)) + p.width / 40;
      FillRect(&g, x, y, std::min(w, p.width * 11 / 12 - x), line_h, 70);
      x += w + p.width / 50;
    }
  }
  // The amount, large, under the text.
  const std::string digits = std::to_string(p.amount_satang / 100);
  const int s = p.width / 14, ay = p.height / 6 + 28 * line_h + s / 2;
  for (size_t i = 0; i < digits.size(); ++i)
    Digit(&g, digits[i] - '0', p.width / 12 + static_cast<int>(i) * s * 3 / 2, ay, s);
  const int module = std::max(2, p.width / 180);
  if (!p.qr.empty()) {
    CFR_ASSIGN_OR_RETURN(GrayImage q, DrawQr(p.qr, module));
    Paste(q, p.width - q.width - p.width / 12, p.height - q.height - p.height / 12, &g);
  }
  if (!p.payment_qr.empty()) {
    CFR_ASSIGN_OR_RETURN(GrayImage q, DrawQr(p.payment_qr, module));
    Paste(q, p.width / 12, p.height - q.height - p.height / 12, &g);
  }
  return g;
}

}  // namespace cfr::evidence
