// Roles (C12): what kind of caller an API key or a session speaks for. Every role is scoped to an
// agency (a bank's key acts for that bank only); `public` is the caller without credentials.
// A RoleSet is the policy of one endpoint: the roles that may call it at all (handlers narrow
// further by agency, e.g. a bank sees its own accounts' orders only).
#ifndef CFR_AUTH_ROLES_H_
#define CFR_AUTH_ROLES_H_

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string_view>

namespace cfr::auth {

enum class Role : uint8_t {
  kPublic,
  kOperator,  // the operations centre's hotline and case officers
  kBank,
  kTelco,
  kPlatform,  // social platforms, marketplaces, registrars
  kPolice,
  kAnalyst,  // the centre's intelligence analysts
  kPartner,  // a partner country's centre
  kAdmin,
  kCount
};

std::string_view RoleName(Role role);
std::optional<Role> ParseRole(std::string_view name);
// Every role, in enum order.
std::span<const Role> AllRoles();

class RoleSet {
 public:
  constexpr RoleSet() = default;
  constexpr RoleSet(std::initializer_list<Role> roles) {
    for (Role r : roles) bits_ |= Bit(r);
  }
  constexpr bool Has(Role r) const { return (bits_ & Bit(r)) != 0; }
  constexpr RoleSet operator|(RoleSet o) const { return RoleSet(bits_ | o.bits_); }
  constexpr bool operator==(const RoleSet&) const = default;
  constexpr uint32_t bits() const { return bits_; }
  // Whether the role named `name` is in the set (unknown names are not).
  bool HasName(std::string_view name) const;

 private:
  constexpr explicit RoleSet(uint32_t bits) : bits_(bits) {}
  static constexpr uint32_t Bit(Role r) { return 1u << static_cast<unsigned>(r); }
  uint32_t bits_ = 0;
};

// The usual policies.
inline constexpr RoleSet kAdminOnly = {Role::kAdmin};
// The operations centre: who may see every case, network and alert.
inline constexpr RoleSet kCentre = {Role::kOperator, Role::kAnalyst, Role::kPolice, Role::kAdmin};
// Every caller with credentials.
inline constexpr RoleSet kAgencies = {Role::kOperator, Role::kBank,    Role::kTelco,   Role::kPlatform,
                                      Role::kPolice,   Role::kAnalyst, Role::kPartner, Role::kAdmin};
// Who may link identifiers to people and decide appeals.
inline constexpr RoleSet kOfficers = {Role::kOperator, Role::kPolice, Role::kAdmin};
// The centre and the banks (alerts, mule scores, money trails).
inline constexpr RoleSet kCentreAndBanks = kCentre | RoleSet{Role::kBank};
// Who links an identifier to its owner (a bank its account holders, a telco its SIMs' owners).
inline constexpr RoleSet kPersonLinkers = {Role::kOperator, Role::kPolice,   Role::kBank,
                                           Role::kTelco,    Role::kPlatform, Role::kAdmin};
// Who submits transfers.
inline constexpr RoleSet kBanks = {Role::kBank, Role::kAdmin};
// Who reads the exchange's partners, agreements and exports (admins manage them).
inline constexpr RoleSet kExchangeReaders = {Role::kAnalyst, Role::kAdmin};
// TAXII: partners (their own collections) and the centre's admins.
inline constexpr RoleSet kPartners = {Role::kPartner, Role::kAdmin};
// Everyone, with or without credentials.
inline constexpr RoleSet kEveryone = kAgencies | RoleSet{Role::kPublic};

}  // namespace cfr::auth

#endif  // CFR_AUTH_ROLES_H_
