#include "auth/audit_scope.h"

namespace cfr::auth {
namespace {

thread_local const AuditContext* tls_context = nullptr;

}  // namespace

AuditScope::AuditScope(AuditContext context) : context_(std::move(context)), previous_(tls_context) {
  tls_context = &context_;
}

AuditScope::~AuditScope() { tls_context = previous_; }

const AuditContext* CurrentAuditContext() { return tls_context; }

}  // namespace cfr::auth
