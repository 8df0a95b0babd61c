// libFuzzer target for the mule model file (`cfr train mules --out`, loaded by `cfr serve` and
// `cfr eval mules --model`; mule/model.h): the input is the file's text. A model file is read
// from disk that an operator copies around, so a damaged or hostile one must be refused with an
// error, never crash the server or hang it. Properties beyond "no crash": every error names a
// field; a model that loads scores rows (with missing values) to probabilities in [0, 1], and
// explains a row with features of this build.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "mule/model.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using cfr::mule::kFeatureCount;
  using cfr::mule::kSecondStageColumns;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto model = cfr::mule::MuleModel::FromJson(text);
  if (!model.ok()) {
    if (model.status().field().empty()) {
      std::fprintf(stderr, "an error without a field: %s\n", model.status().ToString().c_str());
      std::abort();
    }
    return 0;
  }
  // Three accounts: zeros, large values, missing values.
  std::vector<float> x(3 * kFeatureCount, 0.0f);
  for (int f = 0; f < kFeatureCount; ++f) {
    x[kFeatureCount + f] = 1e6f;
    x[2 * kFeatureCount + f] = std::nanf("");
  }
  cfr::mule::Neighbourhood neighbours;
  neighbours.begin = {0, 1, 1, 2};
  neighbours.items = {{1, 0.5f, 0.5f}, {0, 1.0f, 1.0f}};
  auto scores = (*model)->Score(x, neighbours);
  if (!scores.ok()) return 0;
  if (scores->size() != 3) std::abort();
  for (float s : *scores) {
    if (!(s >= 0.0f && s <= 1.0f)) std::abort();
  }
  std::vector<float> row(kSecondStageColumns, 0.0f);
  auto reasons = (*model)->Explain(row, 3);
  if (reasons.ok()) {
    if (reasons->size() > 3) std::abort();
    for (const auto& r : *reasons) {
      if (r.feature.empty()) std::abort();
    }
  }
  return 0;
}
