#include "output/served_output.hpp"

#include "output/json_text.hpp"
#include "output/process_output.hpp"

namespace atpc::output {

namespace {

void append_keys(tpmwire::secret_string& out, const sts::credentials& c, bool first) {
    append_json_member(out, "AccessKeyId", c.access_key_id, first);
    append_json_member(out, "SecretAccessKey", c.secret_access_key);
    append_json_member(out, "Token", c.session_token);
    append_json_member(out, "Expiration", rfc3339(c.expiration));
}

}  // namespace

tpmwire::secret_string container_json(const sts::credentials& c) {
    tpmwire::secret_string out;
    out.reserve(256 + c.secret_access_key.size() + c.session_token.size());
    out += "{";
    append_keys(out, c, true);
    if (c.account_id) append_json_member(out, "AccountId", *c.account_id);
    out += "}";
    return out;
}

tpmwire::secret_string imds_json(const sts::credentials& c, std::chrono::system_clock::time_point last_updated) {
    tpmwire::secret_string out;
    out.reserve(256 + c.secret_access_key.size() + c.session_token.size());
    out += "{";
    append_json_member(out, "Code", "Success", true);
    append_json_member(out, "LastUpdated", rfc3339(last_updated));
    append_json_member(out, "Type", "AWS-HMAC");
    append_keys(out, c, false);
    out += "}";
    return out;
}

tpmwire::secret_string error_json(std::string_view code, std::string_view message) {
    tpmwire::secret_string out = "{";
    append_json_member(out, "Code", code, true);
    append_json_member(out, "Message", message);
    out += "}";
    return out;
}

}  // namespace atpc::output
