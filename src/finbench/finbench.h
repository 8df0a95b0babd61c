// LDBC FinBench transaction workload, the transfer queries TCR1, TCR3–TCR8 (C6), over the
// example snapshot in ../shared/data/finbench (|-separated CSV). Two implementations of the same
// definitions: `Snapshot` (in memory, per-account adjacency) and `SqlSnapshot` (SQLite, recursive
// CTEs), which `cfr finbench --check` and the tests compare on random parameters; the SQL one is
// also the speed baseline. docs/finbench.md states each query's definition where the YAML
// specifications leave room (truncation, ties, windows, card accounts).
//
// Times are milliseconds since the epoch (the snapshot's "2020-01-09 18:08:45.162" read as UTC);
// windows are open: start < t < end. Amounts are the snapshot's doubles; results round sums and
// ratios to 3 decimals as the specifications ask.
//
// Thread-safety: a loaded Snapshot is immutable; SqlSnapshot is not thread-safe.
#ifndef CFR_FINBENCH_FINBENCH_H_
#define CFR_FINBENCH_FINBENCH_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace cfr::finbench {

// Truncation: at each step the edges of the account being expanded are sorted by this key (ties:
// the other account's id, then time, amount, transfers before withdrawals, file order, all
// ascending) and only the first `limit` are considered, before any other condition.
// limit < 0: no truncation.
enum class Order { kTimeAsc, kTimeDesc, kAmountAsc, kAmountDesc };
Result<Order> ParseOrder(std::string_view name);  // TIMESTAMP_ASCENDING, …, AMOUNT_DESCENDING
std::string_view OrderName(Order order);
bool OrderByTime(Order order);  // else by amount
bool OrderAscending(Order order);

struct Truncation {
  int limit = -1;
  Order order = Order::kTimeDesc;
};

// "2020-01-09 18:08:45.162" (fraction optional, 1-3 digits), or milliseconds since the epoch.
Result<int64_t> ParseTime(std::string_view text);

double Round3(double x);

struct Tcr1Row {
  int64_t other_id = 0;
  int distance = 0;
  int64_t medium_id = 0;
  std::string medium_type;
  bool operator==(const Tcr1Row&) const = default;
};
struct Tcr4Row {
  int64_t other_id = 0;
  int64_t num_edge2 = 0;
  double sum_edge2 = 0, max_edge2 = 0;
  int64_t num_edge3 = 0;
  double sum_edge3 = 0, max_edge3 = 0;
};
struct Tcr6Row {
  int64_t mid_id = 0;
  double sum_edge1 = 0, sum_edge2 = 0;
};
struct Tcr7Result {
  int64_t num_src = 0, num_dst = 0;
  double in_out_ratio = -1;
};
struct Tcr8Row {
  int64_t dst_id = 0;
  double ratio = 0;
  int min_distance = 0;
};
using Path = std::vector<int64_t>;  // account ids, from the person's account on

// The queries, both implementations.
class Queries {
 public:
  virtual ~Queries() = default;
  virtual std::vector<Tcr1Row> Tcr1(int64_t account, int64_t start, int64_t end, Truncation t) = 0;
  virtual int64_t Tcr3(int64_t src, int64_t dst, int64_t start, int64_t end) = 0;
  virtual std::vector<Tcr4Row> Tcr4(int64_t src, int64_t dst, int64_t start, int64_t end) = 0;
  virtual std::vector<Path> Tcr5(int64_t person, int64_t start, int64_t end, Truncation t) = 0;
  virtual std::vector<Tcr6Row> Tcr6(int64_t card, double threshold1, double threshold2, int64_t start,
                                    int64_t end, Truncation t) = 0;
  virtual Tcr7Result Tcr7(int64_t account, double threshold, int64_t start, int64_t end, Truncation t) = 0;
  virtual std::vector<Tcr8Row> Tcr8(int64_t loan, double threshold, int64_t start, int64_t end,
                                    Truncation t) = 0;
};

// Ids present in a snapshot, for drawing random parameters.
struct Ids {
  std::vector<int64_t> accounts, cards, persons, loans;
  std::vector<int64_t> payers;        // accounts with a transfer out
  std::vector<int64_t> near_blocked;  // accounts 1 or 2 transfers from one a blocked medium signed in to
  std::vector<int64_t> paid_cards;    // cards with a withdrawal into them
  std::vector<std::pair<int64_t, int64_t>> cycle_pairs;  // src -> dst with some dst -> x -> src
  int64_t first_ms = 0, last_ms = 0;                     // of the transfers
};

// Loads a snapshot directory (Account.csv, AccountTransferAccount.csv, …).
Result<std::unique_ptr<Queries>> LoadInMemory(const std::string& dir, Ids* ids = nullptr);
Result<std::unique_ptr<Queries>> LoadSql(const std::string& dir);

// Sort results into the specifications' order (both implementations return them so).
void SortTcr1(std::vector<Tcr1Row>* rows);
void SortTcr4(std::vector<Tcr4Row>* rows);
void SortTcr5(std::vector<Path>* paths);  // longest first, then by the ids
void SortTcr6(std::vector<Tcr6Row>* rows);
void SortTcr8(std::vector<Tcr8Row>* rows);

// Runs `per_query` random parameter sets through both implementations for each query and
// compares the answers (amounts to 0.001). Parameters: accounts, persons, cards and loans drawn
// from the snapshot, windows within its time range, truncation limits from {-1, 1, 2, 5, 20, 100}
// and any order, thresholds spread over the amounts seen.
struct QueryCheck {
  int query = 0;
  int runs = 0, agreed = 0, non_empty = 0;
  double first_ms = 0, second_ms = 0;  // total time in each implementation
  std::string first_mismatch;          // parameters and both answers, when one disagreed
};
std::vector<QueryCheck> Check(Queries& first, Queries& second, const Ids& ids, int per_query, uint64_t seed);

// Extracts a snapshot tarball (snapshot.tar.xz, with `tar`) into a new temporary folder, or
// uses `path` itself when it is a folder; returns the folder holding the CSV files.
// *extracted_root: the temporary folder to remove once loaded (empty when nothing was extracted).
Result<std::string> SnapshotDir(const std::string& path, std::string* extracted_root);

}  // namespace cfr::finbench

#endif  // CFR_FINBENCH_FINBENCH_H_
