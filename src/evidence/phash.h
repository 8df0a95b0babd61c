// Perceptual hashes of pictures, and the index that finds a picture seen before even after it was
// re-compressed, resized or had its margins cropped.
//
// The hash: the picture's uniform margins are trimmed, the rest is averaged down to 64×64 grey
// pixels, and its 2-D DCT's 16×16 lowest frequencies (the DC term aside) are compared with their
// median: 256 bits. words[0] holds the 8×8 lowest of them — the classic 64-bit pHash, reported
// but not decisive: two different slips of one bank's app share their layout, and measured on
// synthetic slips the 64-bit distance between different slips (6–16) overlaps that of a copy
// with an edited amount (12), while the 256-bit distance does not (74–106 against 24).
//
// The index: multi-index hashing over the 256 bits split into sixteen 16-bit blocks. Two hashes
// within 31 bits of each other agree on some block to within one bit (16 blocks differing in two
// bits or more would make 32), so probing each block's value and its 16 one-bit neighbours finds
// every candidate; the candidates are then checked on all 256 bits.
//
// PerceptualHash functions are pure; ReuseIndex is not thread-safe (its owner locks).
#ifndef CFR_EVIDENCE_PHASH_H_
#define CFR_EVIDENCE_PHASH_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "evidence/image.h"

namespace cfr::evidence {

struct PerceptualHash {
  std::array<uint64_t, 4> words{};
  bool operator==(const PerceptualHash&) const = default;
};

// The hash of a picture (any size ≥ 1×1).
PerceptualHash HashPicture(const GrayImage& image);
// Bits that differ: of the 64-bit pHash (words[0]), and of all 256.
int Distance64(const PerceptualHash& a, const PerceptualHash& b);
int Distance256(const PerceptualHash& a, const PerceptualHash& b);
// 64 hex digits, and back (kInvalidArgument otherwise).
std::string HashHex(const PerceptualHash& h);
Result<PerceptualHash> HashFromHex(std::string_view hex);

struct ReuseThresholds {
  int max_distance256 = 31;  // of 256; at most 31: the index finds no more
};

class ReuseIndex {
 public:
  ReuseIndex();
  // Adds a picture under `id` (the caller's number for it; ids need not be dense or ordered).
  void Add(uint32_t id, const PerceptualHash& hash);
  struct Match {
    uint32_t id = 0;
    int distance64 = 0, distance256 = 0;
  };
  // The pictures within the thresholds, nearest (by 256-bit distance) first.
  std::vector<Match> Find(const PerceptualHash& hash, const ReuseThresholds& thresholds = {}) const;
  size_t size() const { return size_; }
  size_t MemoryBytes() const;

 private:
  struct Entry {
    PerceptualHash hash;
    uint32_t id = 0;
  };
  std::vector<Entry> entries_;
  // Per block (16) and block value (65,536): positions in entries_.
  std::vector<std::vector<uint32_t>> buckets_;
  size_t size_ = 0;
};

}  // namespace cfr::evidence

#endif  // CFR_EVIDENCE_PHASH_H_
