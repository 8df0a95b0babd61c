// How well a forward trail matches the generator's ground truth (ledger/generator.h): used by the
// accuracy test and the trail benchmark.
#ifndef CFR_TRAIL_ACCURACY_H_
#define CFR_TRAIL_ACCURACY_H_

#include "ledger/generator.h"
#include "trail/trail.h"

namespace cfr::trail {

// The share (0-1) of the victim's money that the trail puts where the ground truth says it ended:
// for each true end (an account still holding it, or an exit), the least of the true amount and
// the trail's amount there, summed, over the total.
double ShareFoundWhereItEnded(const ledger::ScamTruth& truth, const TrailResult& r);

}  // namespace cfr::trail

#endif  // CFR_TRAIL_ACCURACY_H_
