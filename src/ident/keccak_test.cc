#include "ident/internal/keccak.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

namespace cfr::ident::internal {
namespace {

std::string Hex(const std::array<uint8_t, 32>& h) {
  std::string s;
  char buf[8];
  for (uint8_t b : h) {
    std::snprintf(buf, sizeof buf, "%02x", b);
    s += buf;
  }
  return s;
}

TEST(KeccakTest, PublishedVectors) {
  EXPECT_EQ(Hex(Keccak256("")), "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
  EXPECT_EQ(Hex(Keccak256("abc")), "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45");
  EXPECT_EQ(Hex(Keccak256("The quick brown fox jumps over the lazy dog")),
            "4d741b6f1eb29cb2a9b9911c82f56fa8d73b04959d3d9d222895df6c0b28aa15");
}

TEST(KeccakTest, MultiBlockInputDiffersFromPrefix) {
  const std::string a(200, 'a');
  EXPECT_NE(Hex(Keccak256(a)), Hex(Keccak256(a.substr(0, 136))));
  EXPECT_EQ(Hex(Keccak256(a)), Hex(Keccak256(std::string(200, 'a'))));
}

}  // namespace
}  // namespace cfr::ident::internal
