// Reading the snapshot's |-separated tables (shared by both implementations' loaders).
#ifndef CFR_FINBENCH_TABLE_H_
#define CFR_FINBENCH_TABLE_H_

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace cfr::finbench {

// Calls `row` with the named columns of each row of DIR/NAME.csv (in the order asked), after
// checking the header has them. Errors name the file and line.
Status ReadTable(const std::string& dir, const std::string& name, const std::vector<std::string>& columns,
                 const std::function<Status(const std::vector<std::string_view>&)>& row);

Result<int64_t> ParseId(std::string_view text);
Result<double> ParseAmount(std::string_view text);

}  // namespace cfr::finbench

#endif  // CFR_FINBENCH_TABLE_H_
