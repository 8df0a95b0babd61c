// Labelled transfer data for training and evaluating mule detection (`cfr train mules`,
// `cfr eval mules`): transactions read into a TransferGraph, and labels per account.
//
// Transactions: AMLSim's transactions.csv (sourceNodeId, targetNodeId, value, time — value in
// currency units, time in steps, read as days), or OpenCFR transfers as `cfr gen transfers`
// writes them (CSV or NDJSON; the format is told by the first line). AMLSim node n becomes the
// account "000:<n, 10 digits>".
//
// Labels: AMLSim's nodes.csv (nodeid, isFraud, …: only nodeid and isFraud are read; fraudStep
// and init_balance never are), or OpenCFR's account,is_mule[,reported] (reported = a victim
// named the account; the registry lists it). Accounts missing from a labels file are not mules.
// Labels are only ever used as the target: features never read them.
//
// Errors name the file, the line and the column.
#ifndef CFR_MULE_DATASET_H_
#define CFR_MULE_DATASET_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "ledger/generator.h"
#include "ledger/graph.h"
#include "mule/features.h"

namespace cfr::mule {

struct Dataset {
  std::unique_ptr<ledger::TransferGraph> graph;
  std::vector<uint32_t> accounts;  // every account node, in node order (exits excluded)
  int64_t as_of_ms = 0;            // just after the last transfer: features are computed here
  size_t transfers = 0;
};

Result<Dataset> LoadTransactions(const std::string& path);

struct Labels {
  std::vector<float> is_mule;   // per Dataset::accounts entry: 1 or 0
  std::vector<bool> reported;   // per Dataset::accounts entry
  size_t unknown_accounts = 0;  // labelled accounts with no transfer (not in the data set)
};
Result<Labels> LoadLabels(const std::string& path, const Dataset& data);
// Investigators' decisions on alerts (`cfr alerts export`: account,is_mule — acknowledged 1,
// dismissed 0) over labels already loaded: each account the file names takes its label; the
// others keep theirs. Returns how many accounts of the data set it named.
Result<size_t> ApplyFeedback(const std::string& path, const Dataset& data, Labels* labels);

// A labelled data set straight from the generator of `cfr gen transfers` (the demo's model, tests):
// mules labelled, the scams' first mules reported.
struct Generated {
  Dataset data;
  Labels labels;
};
Result<Generated> GenerateDataset(const ledger::GeneratorOptions& options);

// Every account's features and the neighbourhood, as the model takes them. The registry's view
// ("listed") is the labels' `reported` flags: what victims told us, never the mule label.
struct Prepared {
  std::vector<float> x;
  Neighbourhood neighbours;
};
Prepared Prepare(const Dataset& data, const Labels& labels, int threads);

}  // namespace cfr::mule

#endif  // CFR_MULE_DATASET_H_
