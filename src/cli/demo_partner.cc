// cfr demo's partner abroad, kept apart from demo_command.cc (whose size makes GCC 12 warn
// falsely about moved-from variants when more is inlined into it).
#include <cstdio>
#include <string>

#include "auth/pii.h"
#include "core/actor.h"
#include "core/clock.h"
#include "exchange/exchange.h"
#include "registry/registry.h"
#include "store/store.h"

namespace cfr::cli {

// The demo partner (its key is among the demo keys) with one agreement: the demo data's accounts,
// numbers and links, pseudonymised, under TLP:AMBER; the partner may push. Returns the line for
// demo-keys.txt with the agreement's key.
std::string DemoPartner(store::Store& store, registry::Registry& registry,
                        const auth::PersonalDataCipher& cipher) {
  exchange::Exchange exchange(store, registry, cipher, Clock::Real(), "AOC",
                              "Thailand Anti Online Scam Operations Centre", nullptr);
  const Actor admin{"cfr demo", "AOC", "admin"};
  auto partner = exchange::PartnerFromJson(
      R"json({"id":"KH-NCC","name":"Cambodia cyber-crime centre (demo partner)","country":"KH","contact":"demo@example.kh"})json");
  auto agreement = exchange::AgreementFromJson(
      R"({"id":"th-kh-demo","partner":"KH-NCC","kinds":["bank_account","phone","promptpay","url","domain","line_id","crypto_wallet"],)"
      R"("tiers":["black","dark_grey","light_grey"],"tlp":"amber","pseudonymise":true,"partner_may_push":true})");
  if (!partner.ok() || !agreement.ok() || !exchange.PutPartner(*partner, admin).ok()) {
    std::fprintf(stderr, "cfr demo: the demo partner could not be made\n");
    return "";
  }
  auto made = exchange.CreateAgreement(*agreement, admin);
  if (!made.ok()) {
    std::fprintf(stderr, "cfr demo: the demo partner's agreement: %s\n", made.status().ToString().c_str());
    return "";
  }
  return "agreement\tth-kh-demo\t" + made->second + "\t(the pseudonym key; TAXII collection " +
         made->first.collection_id + ")\n";
}

}  // namespace cfr::cli
