// cfr finbench: LDBC FinBench TCR1, TCR3-TCR8 over the example snapshot — one query's answer as
// JSON lines, or --check N: both implementations (in memory and SQL) on N random parameter sets
// per query, agreement and time per query (exit 1 on any disagreement).
#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>

#include "cli/commands.h"
#include "finbench/finbench.h"

namespace cfr::cli {

using nlohmann::json;

namespace {

int Fail(const std::string& message) {
  std::fprintf(stderr, "cfr finbench: %s\n", message.c_str());
  return kExitUsage;
}

}  // namespace

int RunFinbench(const FinbenchArgs& args) {
  // A tarball is extracted to a temporary folder, removed once loaded.
  std::string extracted;
  auto dir = finbench::SnapshotDir(args.snapshot, &extracted);
  if (!extracted.empty() && !dir.ok()) std::filesystem::remove_all(extracted);
  if (!dir.ok()) return Fail(dir.status().message());
  finbench::Ids ids;
  auto memory = finbench::LoadInMemory(*dir, &ids);
  auto sql = memory.ok() && (args.check > 0 || args.sql)
                 ? finbench::LoadSql(*dir)
                 : Result<std::unique_ptr<finbench::Queries>>(nullptr);
  if (!extracted.empty()) std::filesystem::remove_all(extracted);
  if (!memory.ok()) return Fail(memory.status().message());
  if (!sql.ok()) return Fail(sql.status().message());

  if (args.check > 0) {
    std::printf(
        "| query | parameter sets | agreed | non-empty | in memory | SQL (recursive CTEs) | speed-up |\n");
    std::printf("|---|---|---|---|---|---|---|\n");
    bool all = true;
    for (const auto& c : finbench::Check(**memory, **sql, ids, args.check, args.seed)) {
      std::printf("| TCR%d | %d | %d | %d | %.3f ms | %.3f ms | %.0fx |\n", c.query, c.runs, c.agreed,
                  c.non_empty, c.first_ms, c.second_ms, c.second_ms / std::max(c.first_ms, 1e-6));
      if (c.agreed != c.runs) {
        all = false;
        std::fprintf(stderr, "TCR%d disagrees: %s\n", c.query, c.first_mismatch.c_str());
      }
    }
    return all ? kExitOk : kExitFailure;
  }

  finbench::Queries& q = args.sql ? **sql : **memory;
  auto order = finbench::ParseOrder(args.order);
  if (!order.ok()) return Fail("--order: " + order.status().message());
  const finbench::Truncation t{args.limit, *order};
  auto id = [&](const std::string& text, const char* flag) -> Result<int64_t> {
    if (text.empty()) return InvalidArgument(std::string(flag) + " is required");
    auto v = finbench::ParseTime(text);  // digits: the id itself
    if (!v.ok()) return InvalidArgument(std::string(flag) + ": not an id");
    return v;
  };
  auto start = finbench::ParseTime(args.start.empty() ? "0" : args.start);
  auto end = finbench::ParseTime(args.end.empty() ? "9999999999999" : args.end);
  if (!start.ok()) return Fail("--start: " + start.status().message());
  if (!end.ok()) return Fail("--end: " + end.status().message());
  auto id1 = id(args.id, "--id");
  if (!id1.ok()) return Fail(id1.status().message());
  auto print = [](const json& j) { std::printf("%s\n", j.dump().c_str()); };
  switch (args.query) {
    case 1:
      for (const auto& r : q.Tcr1(*id1, *start, *end, t)) {
        print({{"otherId", r.other_id},
               {"accountDistance", r.distance},
               {"mediumId", r.medium_id},
               {"mediumType", r.medium_type}});
      }
      return kExitOk;
    case 3:
    case 4: {
      auto id2 = id(args.id2, "--id2");
      if (!id2.ok()) return Fail(id2.status().message());
      if (args.query == 3) {
        print({{"shortestPathLength", q.Tcr3(*id1, *id2, *start, *end)}});
        return kExitOk;
      }
      for (const auto& r : q.Tcr4(*id1, *id2, *start, *end)) {
        print({{"otherId", r.other_id},
               {"numEdge2", r.num_edge2},
               {"sumEdge2Amount", r.sum_edge2},
               {"maxEdge2Amount", r.max_edge2},
               {"numEdge3", r.num_edge3},
               {"sumEdge3Amount", r.sum_edge3},
               {"maxEdge3Amount", r.max_edge3}});
      }
      return kExitOk;
    }
    case 5:
      for (const auto& p : q.Tcr5(*id1, *start, *end, t)) print({{"path", p}});
      return kExitOk;
    case 6:
      for (const auto& r : q.Tcr6(*id1, args.threshold, args.threshold2, *start, *end, t)) {
        print({{"midId", r.mid_id}, {"sumEdge1Amount", r.sum_edge1}, {"sumEdge2Amount", r.sum_edge2}});
      }
      return kExitOk;
    case 7: {
      const auto r = q.Tcr7(*id1, args.threshold, *start, *end, t);
      print({{"numSrc", r.num_src}, {"numDst", r.num_dst}, {"inOutRatio", r.in_out_ratio}});
      return kExitOk;
    }
    case 8:
      for (const auto& r : q.Tcr8(*id1, args.threshold, *start, *end, t)) {
        print({{"dstId", r.dst_id}, {"ratio", r.ratio}, {"minDistanceFromLoan", r.min_distance}});
      }
      return kExitOk;
    default:
      return Fail("--query: 1, 3, 4, 5, 6, 7 or 8 (or --check N)");
  }
}

}  // namespace cfr::cli
