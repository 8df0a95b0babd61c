// Random-parameter comparison of two implementations, and opening a snapshot.
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <random>
#include <sstream>
#include <tuple>

#include "finbench/finbench.h"

namespace cfr::finbench {
namespace {

bool Near(double a, double b) { return std::fabs(a - b) <= 0.0011; }

bool Same(const std::vector<Tcr1Row>& a, const std::vector<Tcr1Row>& b) { return a == b; }
bool Same(int64_t a, int64_t b) { return a == b; }
bool Same(const std::vector<Tcr4Row>& a, const std::vector<Tcr4Row>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].other_id != b[i].other_id || a[i].num_edge2 != b[i].num_edge2 ||
        a[i].num_edge3 != b[i].num_edge3 || !Near(a[i].sum_edge2, b[i].sum_edge2) ||
        !Near(a[i].max_edge2, b[i].max_edge2) || !Near(a[i].sum_edge3, b[i].sum_edge3) ||
        !Near(a[i].max_edge3, b[i].max_edge3)) {
      return false;
    }
  }
  return true;
}
bool Same(const std::vector<Path>& a, const std::vector<Path>& b) { return a == b; }
bool Same(const std::vector<Tcr6Row>& a, const std::vector<Tcr6Row>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].mid_id != b[i].mid_id || !Near(a[i].sum_edge1, b[i].sum_edge1) ||
        !Near(a[i].sum_edge2, b[i].sum_edge2))
      return false;
  }
  return true;
}
bool Same(const Tcr7Result& a, const Tcr7Result& b) {
  return a.num_src == b.num_src && a.num_dst == b.num_dst && Near(a.in_out_ratio, b.in_out_ratio);
}
bool Same(const std::vector<Tcr8Row>& a, const std::vector<Tcr8Row>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].dst_id != b[i].dst_id || a[i].min_distance != b[i].min_distance || !Near(a[i].ratio, b[i].ratio))
      return false;
  }
  return true;
}

template <class T>
size_t SizeOf(const std::vector<T>& v) {
  return v.size();
}
size_t SizeOf(int64_t v) { return v >= 0 ? 1 : 0; }
size_t SizeOf(const Tcr7Result& r) { return r.num_src + r.num_dst > 0 ? 1 : 0; }

std::string Describe(const std::vector<Tcr1Row>& rows) {
  std::ostringstream o;
  for (const auto& r : rows) o << "(" << r.other_id << "," << r.distance << "," << r.medium_id << ")";
  return o.str();
}
std::string Describe(int64_t v) { return std::to_string(v); }
std::string Describe(const std::vector<Tcr4Row>& rows) {
  std::ostringstream o;
  for (const auto& r : rows)
    o << "(" << r.other_id << "," << r.num_edge2 << "," << r.sum_edge2 << "," << r.num_edge3 << ")";
  return o.str();
}
std::string Describe(const std::vector<Path>& paths) { return std::to_string(paths.size()) + " paths"; }
std::string Describe(const std::vector<Tcr6Row>& rows) {
  std::ostringstream o;
  for (const auto& r : rows) o << "(" << r.mid_id << "," << r.sum_edge1 << "," << r.sum_edge2 << ")";
  return o.str();
}
std::string Describe(const Tcr7Result& r) {
  return std::to_string(r.num_src) + "," + std::to_string(r.num_dst) + "," + std::to_string(r.in_out_ratio);
}
std::string Describe(const std::vector<Tcr8Row>& rows) {
  std::ostringstream o;
  for (const auto& r : rows) o << "(" << r.dst_id << "," << r.ratio << "," << r.min_distance << ")";
  return o.str();
}

}  // namespace

std::vector<QueryCheck> Check(Queries& first, Queries& second, const Ids& ids, int per_query, uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto pick = [&](const std::vector<int64_t>& v) { return v.empty() ? 0 : v[rng() % v.size()]; };
  auto window = [&](int64_t* start, int64_t* end, uint64_t whole_one_in) {
    const int64_t span = std::max<int64_t>(1, ids.last_ms - ids.first_ms);
    const int64_t a = ids.first_ms + static_cast<int64_t>(rng() % static_cast<uint64_t>(span));
    const int64_t b = ids.first_ms + static_cast<int64_t>(rng() % static_cast<uint64_t>(span));
    *start = std::min(a, b) - 1;
    *end = std::max(a, b) + 1;
    if (rng() % whole_one_in == 0) {  // the whole range, now and then
      *start = ids.first_ms - 1;
      *end = ids.last_ms + 1;
    }
  };
  auto truncation = [&] {
    static const int kLimits[] = {-1, 1, 2, 5, 20, 100};
    Truncation t;
    t.limit = kLimits[rng() % 6];
    t.order = static_cast<Order>(rng() % 4);
    return t;
  };
  auto amount = [&] { return std::pow(10.0, 3.0 + static_cast<double>(rng() % 5000) / 1000.0); };  // 1e3..1e8
  std::vector<QueryCheck> out;
  for (int query : {1, 3, 4, 5, 6, 7, 8}) {
    QueryCheck c;
    c.query = query;
    for (int run = 0; run < per_query; ++run) {
      int64_t start = 0, end = 0;
      // Sparse answers (1, 4, 6) get the whole range more often.
      window(&start, &end, query == 1 || query == 4 || query == 6 ? 2 : 4);
      const Truncation t = truncation();
      std::ostringstream params;
      params << "start=" << start << " end=" << end << " limit=" << t.limit
             << " order=" << OrderName(t.order);
      auto compare = [&](auto run_first, auto run_second) {
        auto t0 = std::chrono::steady_clock::now();
        auto a = run_first();
        auto t1 = std::chrono::steady_clock::now();
        auto b = run_second();
        auto t2 = std::chrono::steady_clock::now();
        c.first_ms += std::chrono::duration<double, std::milli>(t1 - t0).count();
        c.second_ms += std::chrono::duration<double, std::milli>(t2 - t1).count();
        ++c.runs;
        if (SizeOf(a) > 0) ++c.non_empty;
        if (Same(a, b)) {
          ++c.agreed;
        } else if (c.first_mismatch.empty()) {
          c.first_mismatch = params.str() + ": " + Describe(a) + " vs " + Describe(b);
        }
      };
      switch (query) {
        case 1: {
          const int64_t id = rng() % 4 != 0 ? pick(ids.near_blocked) : pick(ids.payers);
          params << " id=" << id;
          compare([&] { return first.Tcr1(id, start, end, t); },
                  [&] { return second.Tcr1(id, start, end, t); });
          break;
        }
        case 3: {
          const int64_t a = pick(ids.accounts), b = pick(ids.accounts);
          params << " id1=" << a << " id2=" << b;
          compare([&] { return first.Tcr3(a, b, start, end); },
                  [&] { return second.Tcr3(a, b, start, end); });
          break;
        }
        case 4: {
          // Mostly a pair on a cycle, so that the answer is not empty by construction alone.
          int64_t a = pick(ids.accounts), b = pick(ids.accounts);
          if (rng() % 4 != 0 && !ids.cycle_pairs.empty())
            std::tie(a, b) = ids.cycle_pairs[rng() % ids.cycle_pairs.size()];
          params << " id1=" << a << " id2=" << b;
          compare([&] { return first.Tcr4(a, b, start, end); },
                  [&] { return second.Tcr4(a, b, start, end); });
          break;
        }
        case 5: {
          const int64_t p = pick(ids.persons);
          params << " person=" << p;
          compare([&] { return first.Tcr5(p, start, end, t); },
                  [&] { return second.Tcr5(p, start, end, t); });
          break;
        }
        case 6: {
          const int64_t card = rng() % 4 != 0 ? pick(ids.paid_cards) : pick(ids.cards);
          const double t1 = rng() % 2 == 0 ? 0.0 : amount() / 1000,
                       t2 = rng() % 2 == 0 ? 0.0 : amount() / 1000;
          params << " card=" << card << " threshold1=" << t1 << " threshold2=" << t2;
          compare([&] { return first.Tcr6(card, t1, t2, start, end, t); },
                  [&] { return second.Tcr6(card, t1, t2, start, end, t); });
          break;
        }
        case 7: {
          const int64_t id = pick(ids.accounts);
          const double threshold = amount() / 100;
          params << " id=" << id << " threshold=" << threshold;
          compare([&] { return first.Tcr7(id, threshold, start, end, t); },
                  [&] { return second.Tcr7(id, threshold, start, end, t); });
          break;
        }
        case 8: {
          const int64_t loan = pick(ids.loans);
          static const double kThresholds[] = {0.0, 0.01, 0.1, 0.5, 1.0};
          const double threshold = kThresholds[rng() % 5];
          params << " loan=" << loan << " threshold=" << threshold;
          compare([&] { return first.Tcr8(loan, threshold, start, end, t); },
                  [&] { return second.Tcr8(loan, threshold, start, end, t); });
          break;
        }
        default:
          break;
      }
    }
    out.push_back(std::move(c));
  }
  return out;
}

Result<std::string> SnapshotDir(const std::string& path, std::string* extracted_root) {
  extracted_root->clear();
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    if (std::filesystem::exists(std::filesystem::path(path) / "snapshot" / "Account.csv", ec)) {
      return (std::filesystem::path(path) / "snapshot").string();
    }
    return path;
  }
  if (!std::filesystem::exists(path, ec)) return NotFound("finbench: no snapshot at " + path);
  // mkdtemp fills in the trailing six characters of its template.
  std::string dir =
      (std::filesystem::temp_directory_path() / ("cfr-finbench-" + std::string(6, 'X'))).string();
  if (mkdtemp(dir.data()) == nullptr) return Internal("finbench: cannot create a temporary folder");
  const std::string command = "tar -xJf '" + path + "' -C '" + dir + "'";
  *extracted_root = dir;
  if (path.find('\'') != std::string::npos || std::system(command.c_str()) != 0) {
    return InvalidArgument("finbench: cannot extract " + path + " (tar -xJf)");
  }
  std::string unused;
  return SnapshotDir(dir, &unused);
}

}  // namespace cfr::finbench
