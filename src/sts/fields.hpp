// The one reader of AWS Query-protocol reply bodies: it extracts named flat
// fields from a JSON or an XML body, the format told by the first non-space
// byte (Content-Type only breaks ties for a blank body). Credentials,
// service errors and identities are all read through it.
//
// A field is found by its path of element names (XML) or object keys
// (JSON), which are the same for AWS replies:
//   "*Response/*Result/Credentials/AccessKeyId"
// Segments: a name, "*Suffix" (any name ending in Suffix), or a leading
// "**" (any number of enclosing elements). '|' separates alternatives.
//
// Secrets: every byte of a value may be a secret. JSON is read by simdjson
// On-Demand from a padded copy that is wiped, and strings are unescaped here
// (never by simdjson, whose string buffer is not wiped) into wiped storage;
// expat allocates through a suite that wipes every block it frees. DOCTYPEs
// and entity declarations are refused.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <tpmwire/bytes.hpp>

#include "base/error.hpp"

namespace atpc::sts {

// A body that could not be understood: an atpc::error (fault::sts) whose
// what() is a short reason without any byte of the body (which may hold
// credentials). The call loop adds which reply and what to check.
class reply_error : public error {
public:
    explicit reply_error(const std::string& why) : error(fault::sts, why) {}
};

struct field_spec {
    std::string_view name;   // for messages: "the reply has no <name>"
    std::string_view paths;  // see above
    bool once = true;        // a second match is an error (else the last one wins)
    bool number_ok = false;  // JSON: a number is accepted, its token kept as text
};

struct field_value {
    bool found = false;
    bool number = false;         // a JSON number token, not a string
    tpmwire::secret_string text; // unescaped (JSON) or trimmed (XML) value
};

// Upper bound for one value (session tokens are a few KiB at most).
inline constexpr std::size_t max_field_bytes = 16 * 1024;

// One value per spec, in order. Throws reply_error on a malformed body, a
// body that is neither JSON nor XML, a field found twice, or a field that
// is not a string (nor a number where allowed).
std::vector<field_value> read_fields(std::string_view body, std::string_view content_type,
                                     std::span<const field_spec> specs);

// A secret_string whose storage is on the heap (the small-string buffer inside
// the object is not wiped by the allocator).
tpmwire::secret_string new_secret();

}  // namespace atpc::sts
