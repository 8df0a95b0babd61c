// Micro-benchmarks of C15 (docs/benchmarks.md, "Falsified evidence"):
//   BM_SlipVerify/type:<t>/hash:<h>: a 1080×1920 phone screenshot of a slip (0 PNG, 1 JPEG) →
//     decoded, its QR read, the slip checked against the ledger (goal: ≥ 100 images/s per core);
//     hash:1 adds the perceptual hash (the upload path). CPU time of the whole process (libvips
//     decodes on a thread of its own), so items_per_second is images per core-second.
//   BM_ReuseLookup: a perceptual-hash lookup among CFR_BENCH_IMAGES stored pictures (default
//     1,000,000; the goal is stated at 10,000,000: p99 ≤ 10 ms), reported as p50/p99 counters.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <map>

#include "evidence/image.h"
#include "evidence/phash.h"
#include "evidence/qr_draw.h"
#include "evidence/qr_read.h"
#include "evidence/slip_qr.h"
#include "evidence/verify.h"
#include "ledger/graph.h"

namespace cfr::evidence {
namespace {

std::string SlipFile(FileType type) {
  SlipPicture p;
  p.qr = BuildSlipQr({"004", "015330000001BPM00001"});
  p.amount_satang = 150000;
  p.seed = 5;
  auto g = DrawSlip(p);
  return *EncodeImage(g->pixels.data(), g->width, g->height, 1, type, 85);
}

void BM_SlipVerify(benchmark::State& state) {
  const auto type = static_cast<FileType>(state.range(0));
  const std::string file = SlipFile(type);
  std::map<std::string, std::string, std::less<>> chunks;
  ledger::TransferGraph graph([&chunks](std::string_view key) -> Result<std::string> {
    auto it = chunks.find(key);
    if (it == chunks.end()) return NotFound("chunk");
    return it->second;
  });
  ledger::Transfer t;
  t.bank = "004";
  t.txn_id = "015330000001BPM00001";
  t.from = "004:1234567891";
  t.to = "004:9876543210";
  t.amount_satang = 150000;
  t.at_ms = 1795700000000;
  std::string chunk;
  ledger::AppendEncoded(t, &chunk);
  chunks["0000000000000001"] = chunk;
  if (!graph.ApplyChunk("0000000000000001", chunk).ok()) state.SkipWithError("graph");
  SlipClaims claims;
  claims.amount_satang = 150000;
  const bool with_hash = state.range(1) != 0;  // the upload path also hashes the picture
  GrayImage gray;  // reused, as each server worker thread does (EvidenceBook::Inspect)
  for (auto _ : state) {
    auto info = DecodeImageInto(file, {}, &gray);
    auto qr = ReadQrCodes(gray);
    auto v = VerifySlip(qr, claims, graph);
    if (!info.ok() || !v.ok() || v->status != "verified") state.SkipWithError("not verified");
    if (with_hash) benchmark::DoNotOptimize(HashPicture(gray));
    benchmark::DoNotOptimize(v);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(std::string(MediaType(type)) + ", " + std::to_string(file.size() / 1024) + " KiB");
}
BENCHMARK(BM_SlipVerify)
    ->ArgNames({"type", "hash"})
    ->Args({static_cast<int>(FileType::kPng), 0})
    ->Args({static_cast<int>(FileType::kJpeg), 0})
    ->Args({static_cast<int>(FileType::kPng), 1})
    ->Args({static_cast<int>(FileType::kJpeg), 1})
    ->Unit(benchmark::kMillisecond)
    ->MeasureProcessCPUTime();

void BM_ReuseLookup(benchmark::State& state) {
  const char* env = std::getenv("CFR_BENCH_IMAGES");
  const size_t n = env != nullptr ? std::strtoull(env, nullptr, 10) : 1'000'000;
  uint64_t r = 88172645463325252ull;
  auto next = [&r] {
    r ^= r << 13;
    r ^= r >> 7;
    r ^= r << 17;
    return r;
  };
  ReuseIndex index;
  std::vector<PerceptualHash> sample;
  for (size_t i = 0; i < n; ++i) {
    PerceptualHash h;
    for (auto& w : h.words) w = next();
    index.Add(static_cast<uint32_t>(i), h);
    if (i % (n / 1000 + 1) == 0) sample.push_back(h);
  }
  std::vector<double> us;
  size_t k = 0;
  for (auto _ : state) {
    PerceptualHash q = sample[k++ % sample.size()];
    q.words[0] ^= (uint64_t{1} << (k % 64)) | (uint64_t{1} << ((k * 7) % 64));  // a near copy
    q.words[2] ^= next() & 0x0101010101ull;
    const auto t0 = std::chrono::steady_clock::now();
    auto found = index.Find(q);
    us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
    if (found.empty()) state.SkipWithError("a near copy was not found");
    benchmark::DoNotOptimize(found);
  }
  std::sort(us.begin(), us.end());
  state.counters["p50_us"] = us[us.size() / 2];
  state.counters["p99_us"] = us[us.size() * 99 / 100];
  state.counters["images"] = static_cast<double>(n);
  state.counters["MiB"] = static_cast<double>(index.MemoryBytes()) / (1 << 20);
}
BENCHMARK(BM_ReuseLookup)->Iterations(20000)->Unit(benchmark::kMicrosecond);

void BM_PerceptualHash(benchmark::State& state) {
  SlipPicture p;
  p.qr = BuildSlipQr({"004", "015330000001BPM00001"});
  auto g = DrawSlip(p);
  for (auto _ : state) benchmark::DoNotOptimize(HashPicture(*g));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PerceptualHash)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace cfr::evidence
