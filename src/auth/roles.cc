#include "auth/roles.h"

#include <array>

namespace cfr::auth {
namespace {

constexpr std::array<std::string_view, static_cast<size_t>(Role::kCount)> kNames = {
    "public", "operator", "bank", "telco", "platform", "police", "analyst", "partner", "admin"};
constexpr std::array<Role, static_cast<size_t>(Role::kCount)> kRoles = {
    Role::kPublic, Role::kOperator, Role::kBank,    Role::kTelco, Role::kPlatform,
    Role::kPolice, Role::kAnalyst,  Role::kPartner, Role::kAdmin};

}  // namespace

std::string_view RoleName(Role role) { return kNames[static_cast<size_t>(role)]; }

std::optional<Role> ParseRole(std::string_view name) {
  for (size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == name) return kRoles[i];
  }
  return std::nullopt;
}

std::span<const Role> AllRoles() { return kRoles; }

bool RoleSet::HasName(std::string_view name) const {
  const auto role = ParseRole(name);
  return role.has_value() && Has(*role);
}

}  // namespace cfr::auth
