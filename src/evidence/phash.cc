#include "evidence/phash.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <numbers>

#include "core/hex.h"

namespace cfr::evidence {
namespace {

constexpr int kSide = 64;    // the thumbnail
constexpr int kFreqs = 16;   // lowest frequencies kept per dimension
constexpr int kBlocks = 16;  // 16-bit blocks of the 256 bits in the index

struct Box {
  int x0 = 0, y0 = 0, x1 = 0, y1 = 0;  // [x0, x1) × [y0, y1)
};

// The picture without its blank margins: rows and columns at the edges that are of one colour
// (fewer than 1 % of their pixels more than 24 grey levels from the line's most common value),
// whatever the colour — a frame added when the picture was shared, the app's own background, a
// uniform title band — so that a copy with margins added or cropped meets the original in the
// same box. JPEG noise and anti-aliasing stay within the tolerance.
Box Content(const GrayImage& g) {
  const int w = g.width;
  std::array<int, 256> hist{};
  auto blank = [&](auto pixel, int from, int to) {
    hist.fill(0);
    for (int i = from; i < to; ++i) ++hist[pixel(i)];
    const int mode = static_cast<int>(std::max_element(hist.begin(), hist.end()) - hist.begin());
    int off = 0;
    for (int v = 0; v < 256; ++v) {
      if (std::abs(v - mode) > 24) off += hist[v];
    }
    return off < std::max(1, (to - from) / 100);
  };
  auto at = [&](int x, int y) { return static_cast<int>(g.pixels[static_cast<size_t>(y) * w + x]); };
  Box b{0, 0, w, g.height};
  auto row_blank = [&](int y) { return blank([&](int x) { return at(x, y); }, b.x0, b.x1); };
  auto col_blank = [&](int x) { return blank([&](int y) { return at(x, y); }, b.y0, b.y1); };
  // Rows and columns in turn until neither moves: a band that spans the frame is blank only once
  // the frame's columns are gone.
  for (bool moved = true; moved;) {
    const Box before = b;
    while (b.y0 < b.y1 && row_blank(b.y0)) ++b.y0;
    while (b.y1 > b.y0 && row_blank(b.y1 - 1)) --b.y1;
    while (b.x0 < b.x1 && col_blank(b.x0)) ++b.x0;
    while (b.x1 > b.x0 && col_blank(b.x1 - 1)) --b.x1;
    moved = before.x0 != b.x0 || before.x1 != b.x1 || before.y0 != b.y0 || before.y1 != b.y1;
  }
  if (b.x1 - b.x0 < 8 || b.y1 - b.y0 < 8) return Box{0, 0, w, g.height};  // (nearly) blank: hash it whole
  return b;
}

// Area-average of the box down to kSide × kSide.
std::array<double, kSide * kSide> Thumbnail(const GrayImage& g, const Box& b) {
  std::array<double, kSide * kSide> t{};
  const int bw = b.x1 - b.x0, bh = b.y1 - b.y0;
  std::vector<int> xs(kSide + 1), ys(kSide + 1);
  for (int i = 0; i <= kSide; ++i) {
    xs[i] = b.x0 + static_cast<int>(static_cast<int64_t>(i) * bw / kSide);
    ys[i] = b.y0 + static_cast<int>(static_cast<int64_t>(i) * bh / kSide);
  }
  std::vector<double> col_sums(static_cast<size_t>(kSide));
  for (int ty = 0; ty < kSide; ++ty) {
    const int y0 = ys[ty], y1 = std::max(ys[ty + 1], y0 + 1);
    std::fill(col_sums.begin(), col_sums.end(), 0.0);
    std::vector<double> counts(static_cast<size_t>(kSide), 0.0);
    for (int y = y0; y < y1 && y < b.y1; ++y) {
      const uint8_t* row = g.pixels.data() + static_cast<size_t>(y) * g.width;
      for (int tx = 0; tx < kSide; ++tx) {
        const int x0 = xs[tx], x1 = std::max(xs[tx + 1], x0 + 1);
        int64_t s = 0;
        int n = 0;
        for (int x = x0; x < x1 && x < b.x1; ++x, ++n) s += row[x];
        col_sums[tx] += static_cast<double>(s);
        counts[tx] += n;
      }
    }
    for (int tx = 0; tx < kSide; ++tx) t[ty * kSide + tx] = counts[tx] > 0 ? col_sums[tx] / counts[tx] : 0.0;
  }
  return t;
}

const std::array<double, kFreqs * kSide>& Cosines() {
  static const auto table = [] {
    std::array<double, kFreqs * kSide> c{};
    for (int u = 0; u < kFreqs; ++u) {
      for (int x = 0; x < kSide; ++x) {
        c[u * kSide + x] = std::cos((2.0 * x + 1.0) * u * std::numbers::pi / (2.0 * kSide));
      }
    }
    return c;
  }();
  return table;
}

double Median(std::vector<double> v) {
  const size_t mid = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid), v.end());
  return v[mid];
}

uint16_t BlockOf(const PerceptualHash& h, int block) {
  return static_cast<uint16_t>(h.words[block / 4] >> (16 * (block % 4)));
}

}  // namespace

PerceptualHash HashPicture(const GrayImage& image) {
  PerceptualHash h;
  if (image.width <= 0 || image.height <= 0) return h;
  const auto thumb = Thumbnail(image, Content(image));
  const auto& cos = Cosines();
  // Rows first: r[y][u] = Σx thumb[y][x]·cos_u(x); then columns: f[v][u] = Σy cos_v(y)·r[y][u].
  std::array<double, kSide * kFreqs> rows{};
  for (int y = 0; y < kSide; ++y) {
    for (int u = 0; u < kFreqs; ++u) {
      double s = 0;
      for (int x = 0; x < kSide; ++x) s += thumb[y * kSide + x] * cos[u * kSide + x];
      rows[y * kFreqs + u] = s;
    }
  }
  std::array<double, kFreqs * kFreqs> f{};
  for (int v = 0; v < kFreqs; ++v) {
    for (int u = 0; u < kFreqs; ++u) {
      double s = 0;
      for (int y = 0; y < kSide; ++y) s += cos[v * kSide + y] * rows[y * kFreqs + u];
      f[v * kFreqs + u] = s;
    }
  }
  // words[0]: the 8×8 lowest, against the median of its 63 AC terms.
  std::vector<double> low, high;
  for (int v = 0; v < kFreqs; ++v) {
    for (int u = 0; u < kFreqs; ++u) {
      if (v == 0 && u == 0) continue;
      (v < 8 && u < 8 ? low : high).push_back(f[v * kFreqs + u]);
    }
  }
  const double low_median = Median(low), high_median = Median(high);
  int high_bit = 0;
  for (int v = 0; v < kFreqs; ++v) {
    for (int u = 0; u < kFreqs; ++u) {
      const double c = f[v * kFreqs + u];
      if (v < 8 && u < 8) {
        if (v == 0 && u == 0) continue;  // the DC term: bit 0 stays 0
        if (c > low_median) h.words[0] |= uint64_t{1} << (v * 8 + u);
      } else {
        if (c > high_median) h.words[1 + high_bit / 64] |= uint64_t{1} << (high_bit % 64);
        ++high_bit;
      }
    }
  }
  return h;
}

int Distance64(const PerceptualHash& a, const PerceptualHash& b) {
  return std::popcount(a.words[0] ^ b.words[0]);
}

int Distance256(const PerceptualHash& a, const PerceptualHash& b) {
  int d = 0;
  for (size_t i = 0; i < a.words.size(); ++i) d += std::popcount(a.words[i] ^ b.words[i]);
  return d;
}

std::string HashHex(const PerceptualHash& h) {
  std::string bytes;
  for (uint64_t w : h.words) {
    for (int i = 7; i >= 0; --i) bytes += static_cast<char>((w >> (8 * i)) & 0xff);
  }
  return HexEncode(bytes);
}

Result<PerceptualHash> HashFromHex(std::string_view hex) {
  if (hex.size() != 64) return InvalidArgument("a perceptual hash has 64 hex digits", "phash");
  auto bytes = HexDecode(hex);
  if (!bytes.ok()) return InvalidArgument("a perceptual hash has 64 hex digits", "phash");
  PerceptualHash h;
  for (size_t i = 0; i < 4; ++i) {
    uint64_t w = 0;
    for (size_t k = 0; k < 8; ++k) w = (w << 8) | static_cast<uint8_t>((*bytes)[i * 8 + k]);
    h.words[i] = w;
  }
  return h;
}

ReuseIndex::ReuseIndex() : buckets_(static_cast<size_t>(kBlocks) << 16) {}

void ReuseIndex::Add(uint32_t id, const PerceptualHash& hash) {
  const auto pos = static_cast<uint32_t>(entries_.size());
  entries_.push_back(Entry{hash, id});
  for (int b = 0; b < kBlocks; ++b)
    buckets_[(static_cast<size_t>(b) << 16) | BlockOf(hash, b)].push_back(pos);
  ++size_;
}

std::vector<ReuseIndex::Match> ReuseIndex::Find(const PerceptualHash& hash, const ReuseThresholds& t) const {
  // Every bucket's entries are checked as they come (a picture found through several blocks is
  // reported once, below); the entry a few places ahead is fetched meanwhile, since the entries
  // of a bucket lie anywhere in memory.
  constexpr size_t kAhead = 16;
  std::vector<Match> out;
  for (int b = 0; b < kBlocks; ++b) {
    const uint16_t key = BlockOf(hash, b);
    for (int flip = -1; flip < 16; ++flip) {
      const uint16_t probe = flip < 0 ? key : static_cast<uint16_t>(key ^ (1u << flip));
      const auto& bucket = buckets_[(static_cast<size_t>(b) << 16) | probe];
      for (size_t i = 0; i < bucket.size(); ++i) {
        if (i + kAhead < bucket.size()) __builtin_prefetch(&entries_[bucket[i + kAhead]]);
        const Entry& e = entries_[bucket[i]];
        const int d256 = Distance256(e.hash, hash);
        if (d256 <= t.max_distance256) out.push_back(Match{e.id, Distance64(e.hash, hash), d256});
      }
    }
  }
  std::sort(out.begin(), out.end(), [](const Match& x, const Match& y) {
    return x.distance256 != y.distance256 ? x.distance256 < y.distance256 : x.id < y.id;
  });
  out.erase(std::unique(out.begin(), out.end(), [](const Match& x, const Match& y) { return x.id == y.id; }),
            out.end());
  return out;
}

size_t ReuseIndex::MemoryBytes() const {
  size_t bytes = entries_.capacity() * sizeof(Entry) + buckets_.capacity() * sizeof(std::vector<uint32_t>);
  for (const auto& b : buckets_) bytes += b.capacity() * sizeof(uint32_t);
  return bytes;
}

}  // namespace cfr::evidence
