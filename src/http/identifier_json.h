// The JSON form of a normalised identifier, shared by the API and `cfr normalize --json`:
// {"kind":"phone","canonical":"+66812345678","display":"081-234-5678","type":"mobile",…}
// (attributes flattened into the object).
#ifndef CFR_HTTP_IDENTIFIER_JSON_H_
#define CFR_HTTP_IDENTIFIER_JSON_H_

#include <string>

#include "ident/identifier.h"

namespace cfr::http {

std::string IdentifierJson(const ident::Identifier& id);

}  // namespace cfr::http

#endif  // CFR_HTTP_IDENTIFIER_JSON_H_
