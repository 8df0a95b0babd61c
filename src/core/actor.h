// Who is acting: recorded in every history entry and audit record, and (with the access-control
// issue) checked against the endpoint's rules. Plain data, thread-compatible.
#ifndef CFR_CORE_ACTOR_H_
#define CFR_CORE_ACTOR_H_

#include <string>
#include <utility>

namespace cfr {

struct Actor {
  Actor() = default;
  Actor(std::string user_, std::string agency_, std::string role_, std::string credential_ = {})
      : user(std::move(user_)),
        agency(std::move(agency_)),
        role(std::move(role_)),
        credential(std::move(credential_)) {}

  std::string user;        // "somchai.k", "bank-api-key-7", "system"
  std::string agency;      // "AOC", "KBANK", "RTP-CIB", …
  std::string role;        // operator, bank, telco, platform, police, analyst, partner, public, admin
  std::string credential;  // what proved it: "key:<id>", "session:<id>"; empty for the public

  // "user@agency" (or the user alone without an agency): how history entries name who acted.
  std::string Label() const { return agency.empty() ? user : user + "@" + agency; }

  static Actor System() { return {"system", "OpenCFR", "admin", "system"}; }
};

}  // namespace cfr

#endif  // CFR_CORE_ACTOR_H_
