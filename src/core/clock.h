// Clock: the seam through which all code reads the time, so that tests control it (holds that
// expire after 72 hours, deadlines, "future time" validation).
//
// Times are milliseconds since the Unix epoch, UTC, as int64. Implementations are thread-safe.
#ifndef CFR_CORE_CLOCK_H_
#define CFR_CORE_CLOCK_H_

#include <atomic>
#include <cstdint>

namespace cfr {

class Clock {
 public:
  virtual ~Clock() = default;
  // Milliseconds since 1970-01-01T00:00:00Z.
  virtual int64_t NowMillis() const = 0;

  // The process-wide wall clock. Never null; lives for the whole program.
  static Clock& Real();
};

// A clock that moves only when told to. Thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t start_millis) : now_(start_millis) {}
  int64_t NowMillis() const override { return now_.load(std::memory_order_acquire); }
  void Set(int64_t millis) { now_.store(millis, std::memory_order_release); }
  void Advance(int64_t millis) { now_.fetch_add(millis, std::memory_order_acq_rel); }

 private:
  std::atomic<int64_t> now_;
};

}  // namespace cfr

#endif  // CFR_CORE_CLOCK_H_
