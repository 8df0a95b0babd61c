// Who is acting: recorded in every history entry and audit record, and (with the access-control
// issue) checked against the endpoint's rules. Plain data, thread-compatible.
#ifndef CFR_CORE_ACTOR_H_
#define CFR_CORE_ACTOR_H_

#include <string>

namespace cfr {

struct Actor {
  std::string user;    // "somchai.k", "bank-api-key-7", "system"
  std::string agency;  // "AOC", "KBANK", "RTP-CIB", …
  std::string role;    // operator, bank, telco, platform, police, analyst, partner, public, admin

  static Actor System() { return {"system", "OpenCFR", "admin"}; }
};

}  // namespace cfr

#endif  // CFR_CORE_ACTOR_H_
