#include "core/clock.h"

#include <chrono>

namespace cfr {
namespace {

class RealClock final : public Clock {
 public:
  int64_t NowMillis() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

}  // namespace

Clock& Clock::Real() {
  static RealClock* clock = new RealClock();  // never destroyed: usable during shutdown
  return *clock;
}

}  // namespace cfr
