// Who is acting on this thread, for the audit log (auth/audit.h): the HTTP router opens an
// AuditScope per request with the caller, the client address and the route; every write and
// personal-data read made on the thread meanwhile is audited as that. Header-light: the router
// includes it.
#ifndef CFR_AUTH_AUDIT_SCOPE_H_
#define CFR_AUTH_AUDIT_SCOPE_H_

#include <string>

#include "core/actor.h"

namespace cfr::auth {

struct AuditContext {
  Actor actor;
  std::string from;    // the client's address
  std::string action;  // "POST /api/v1/reports"
  std::string target;  // "/api/v1/reports" (the request's path)
};

// Sets the thread's audit context until destroyed (scopes nest; the innermost wins).
class AuditScope {
 public:
  explicit AuditScope(AuditContext context);
  ~AuditScope();
  AuditScope(const AuditScope&) = delete;
  AuditScope& operator=(const AuditScope&) = delete;

 private:
  AuditContext context_;
  const AuditContext* previous_;
};
// The thread's innermost context, or null.
const AuditContext* CurrentAuditContext();

}  // namespace cfr::auth

#endif  // CFR_AUTH_AUDIT_SCOPE_H_
