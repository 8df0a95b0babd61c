#include "evidence/image.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include "evidence/phash.h"
#include "evidence/qr_draw.h"
#include "evidence/qr_read.h"
#include "evidence/slip_qr.h"

namespace cfr::evidence {
namespace {

const std::string kSlip = BuildSlipQr({"004", "015334143528BPM05134"});

GrayImage Slip(uint64_t seed, int64_t amount, std::string_view qr = kSlip) {
  SlipPicture p;
  p.seed = seed;
  p.amount_satang = amount;
  p.qr = qr;
  auto g = DrawSlip(p);
  EXPECT_TRUE(g.ok());
  return *g;
}

std::string Encode(const GrayImage& g, FileType type, int quality = 90, double scale = 1.0) {
  auto e = EncodeImage(g.pixels.data(), g.width, g.height, 1, type, quality, scale);
  EXPECT_TRUE(e.ok()) << e.status().ToString();
  return e.ok() ? *e : "";
}

GrayImage Decode(const std::string& bytes) {
  auto d = DecodeImage(bytes, {});
  EXPECT_TRUE(d.ok()) << d.status().ToString();
  return d.ok() ? d->gray : GrayImage{};
}

TEST(ImageTest, TheTypeComesFromTheContent) {
  const GrayImage g = Slip(1, 150000);
  EXPECT_EQ(*SniffType(Encode(g, FileType::kPng)), FileType::kPng);
  EXPECT_EQ(*SniffType(Encode(g, FileType::kJpeg)), FileType::kJpeg);
  EXPECT_EQ(*SniffType(Encode(g, FileType::kWebp)), FileType::kWebp);
  EXPECT_EQ(*SniffType("%PDF-1.4\n"), FileType::kPdf);
  auto gif = SniffType("GIF89a\x01\x00\x01\x00");
  ASSERT_FALSE(gif.ok());
  EXPECT_EQ(gif.status().field(), "file");
  EXPECT_NE(gif.status().message().find("GIF"), std::string::npos);
  EXPECT_FALSE(SniffType("").ok());
  EXPECT_FALSE(SniffType("<svg xmlns=…>").ok());
}

TEST(ImageTest, ASlipScreenshotDecodesAndItsQrIsRead) {
  const GrayImage g = Slip(7, 250000);
  for (FileType t : {FileType::kPng, FileType::kJpeg, FileType::kWebp}) {
    auto d = DecodeImage(Encode(g, t, 80), {});
    ASSERT_TRUE(d.ok()) << MediaType(t) << ": " << d.status().ToString();
    EXPECT_EQ(d->info.width, 1080);
    EXPECT_EQ(d->info.height, 1920);
    EXPECT_EQ(d->info.type, t);
    EXPECT_EQ(ReadQrCodes(d->gray), std::vector<std::string>{kSlip}) << MediaType(t);
  }
  // Nothing to read on a picture without a QR.
  EXPECT_TRUE(ReadQrCodes(Decode(Encode(Slip(7, 250000, ""), FileType::kPng))).empty());
}

TEST(ImageTest, TruncatedAndCorruptFilesAreRefused) {
  const std::string png = Encode(Slip(3, 1000), FileType::kPng);
  const std::string jpeg = Encode(Slip(3, 1000), FileType::kJpeg);
  for (const std::string& bad :
       {png.substr(0, png.size() / 2), jpeg.substr(0, jpeg.size() / 2),
        std::string("\x89PNG\r\n\x1a\n") + std::string(100, 'x'),
        std::string("\xff\xd8\xff\xe0") + std::string(50, '\0'), std::string("%PDF-1.4\nnot really"),
        std::string("RIFF\x10\0\0\0WEBPVP8 ", 16)}) {
    auto d = DecodeImage(bad, {});
    ASSERT_FALSE(d.ok()) << bad.size();
    EXPECT_EQ(d.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(d.status().field(), "file");
  }
}

// A PNG whose header claims 100,000 × 100,000 pixels (10 G pixels): refused from the header, before
// any pixel memory is taken.
TEST(ImageTest, ADecompressionBombIsRefusedFromItsHeader) {
  std::string png = Encode(Slip(3, 1000), FileType::kPng);
  // IHDR: length (4) "IHDR" (4) width (4) height (4) … CRC over type and data (17 bytes).
  ASSERT_EQ(png.substr(12, 4), "IHDR");
  auto put32 = [&](size_t at, uint32_t v) {
    for (int i = 0; i < 4; ++i) png[at + i] = static_cast<char>((v >> (24 - 8 * i)) & 0xff);
  };
  put32(16, 100000);
  put32(20, 100000);
  put32(29, static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(png.data() + 12), 17)));
  auto d = DecodeImage(png, {});
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().field(), "file");
  EXPECT_NE(d.status().message().find("over the limit"), std::string::npos) << d.status().message();
  ImageLimits small;
  small.max_pixels = 1000;
  auto d2 = DecodeImage(Encode(Slip(3, 1000), FileType::kJpeg), small);
  ASSERT_FALSE(d2.ok());
  EXPECT_NE(d2.status().message().find("1080×1920"), std::string::npos) << d2.status().message();
}

// EXIF written by a phone: an APP1 segment with Make, Model and DateTime in IFD0.
std::string WithExif(const std::string& jpeg) {
  std::string tiff = std::string("II*\0", 4) + std::string("\x08\0\0\0", 4);
  struct Tag {
    uint16_t id;
    std::string value;
  };
  const std::vector<Tag> tags = {{0x010F, std::string("Apple\0", 6)},
                                 {0x0110, std::string("iPhone 15\0", 10)},
                                 {0x0132, std::string("2026:11:30 14:02:11\0", 20)}};
  auto le16 = [](uint16_t v) { return std::string{static_cast<char>(v & 0xff), static_cast<char>(v >> 8)}; };
  auto le32 = [](uint32_t v) {
    std::string s;
    for (int i = 0; i < 4; ++i) s += static_cast<char>((v >> (8 * i)) & 0xff);
    return s;
  };
  uint32_t data_at = 8 + 2 + 12 * static_cast<uint32_t>(tags.size()) + 4;
  std::string ifd = le16(static_cast<uint16_t>(tags.size())), data;
  for (const Tag& t : tags) {
    ifd += le16(t.id) + le16(2) + le32(static_cast<uint32_t>(t.value.size())) +
           le32(data_at + static_cast<uint32_t>(data.size()));
    data += t.value;
  }
  ifd += le32(0);
  tiff += ifd + data;
  const std::string payload = std::string("Exif\0\0", 6) + tiff;
  const auto len = static_cast<uint16_t>(payload.size() + 2);
  const std::string app1 =
      std::string("\xff\xe1") + static_cast<char>(len >> 8) + static_cast<char>(len & 0xff) + payload;
  return jpeg.substr(0, 2) + app1 + jpeg.substr(2);
}

TEST(ImageTest, ExifCaptureTimeAndDeviceAreRead) {
  auto d = DecodeImage(WithExif(Encode(Slip(5, 99900), FileType::kJpeg)), {});
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->info.exif_make, "Apple");
  EXPECT_EQ(d->info.exif_model, "iPhone 15");
  EXPECT_EQ(d->info.exif_captured_at, "2026-11-30T14:02:11");
  auto plain = DecodeImage(Encode(Slip(5, 99900), FileType::kPng), {});
  ASSERT_TRUE(plain.ok());
  EXPECT_TRUE(plain->info.exif_make.empty());
}

TEST(PerceptualHashTest, HexRoundTrips) {
  const PerceptualHash h = HashPicture(Slip(9, 1200));
  EXPECT_EQ(*HashFromHex(HashHex(h)), h);
  EXPECT_FALSE(HashFromHex("xyz").ok());
}

// The same picture re-compressed, resized or with margins added or cropped is found; another
// slip of the same layout (other text, other amount) is not.
TEST(PerceptualHashTest, FindsThePictureAgainButNotAnotherSlip) {
  const GrayImage original = Decode(Encode(Slip(11, 4500000), FileType::kPng));
  const PerceptualHash h = HashPicture(original);
  const ReuseThresholds t;
  GrayImage framed;  // a white frame around it, as a re-shared screenshot often has
  framed.width = original.width + 200;
  framed.height = original.height + 300;
  framed.pixels.assign(static_cast<size_t>(framed.width) * framed.height, 255);
  Paste(original, 100, 150, &framed);
  const std::vector<std::pair<std::string, GrayImage>> copies = {
      {"jpeg q60", Decode(Encode(original, FileType::kJpeg, 60))},
      {"jpeg q30", Decode(Encode(original, FileType::kJpeg, 30))},
      {"webp q50", Decode(Encode(original, FileType::kWebp, 50))},
      {"half size", Decode(Encode(original, FileType::kPng, 90, 0.5))},
      {"third size jpeg", Decode(Encode(original, FileType::kJpeg, 70, 0.33))},
      {"framed", framed},
      // The same screenshot with its amount edited (THB 45,000 → 450,000), re-compressed.
      {"amount edited", Decode(Encode(Slip(11, 45000000), FileType::kJpeg, 60))},
  };
  for (const auto& [name, copy] : copies) {
    EXPECT_LE(Distance256(h, HashPicture(copy)), t.max_distance256) << name;
  }
  for (uint64_t seed = 12; seed < 20; ++seed) {
    const PerceptualHash other = HashPicture(Slip(seed, 4500000 + static_cast<int64_t>(seed) * 100));
    EXPECT_GT(Distance256(h, other), t.max_distance256) << "seed " << seed;
  }
}

TEST(ReuseIndexTest, FindsEveryHashWithinThirtyOneBits) {
  ReuseIndex index;
  uint64_t r = 88172645463325252ull;
  auto next = [&r] {
    r ^= r << 13;
    r ^= r >> 7;
    r ^= r << 17;
    return r;
  };
  std::vector<PerceptualHash> hashes(5000);
  for (uint32_t i = 0; i < hashes.size(); ++i) {
    for (auto& w : hashes[i].words) w = next();
    index.Add(i, hashes[i]);
  }
  const ReuseThresholds t;
  for (int flips = 0; flips <= 31; ++flips) {
    // Spread over the words, two bits per 16-bit block where possible: the hardest case.
    PerceptualHash q = hashes[flips * 100];
    for (int k = 0; k < flips; ++k) {
      const int bit = (k % 16) * 16 + (k / 16) * 7;
      q.words[bit / 64] ^= uint64_t{1} << (bit % 64);
    }
    const auto found = index.Find(q, t);
    ASSERT_FALSE(found.empty()) << flips;
    EXPECT_EQ(found[0].id, static_cast<uint32_t>(flips * 100));
    EXPECT_EQ(found[0].distance256, flips);
  }
}

}  // namespace
}  // namespace cfr::evidence
