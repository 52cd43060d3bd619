#include "sts/identity.hpp"

#include <algorithm>
#include <array>

#include "sts/actions.hpp"
#include "sts/reply.hpp"

namespace atpc::sts {
namespace {

constexpr std::size_t max_field = 2048;

constexpr std::array<field_spec, 3> identity_fields = {{
    {"Account", "GetCallerIdentityResponse/GetCallerIdentityResult/Account"},
    {"Arn", "GetCallerIdentityResponse/GetCallerIdentityResult/Arn"},
    {"UserId", "GetCallerIdentityResponse/GetCallerIdentityResult/UserId"},
}};

std::string plain(const field_value& v, std::string_view name) {
    if (!v.found) throw reply_error("the reply has no " + std::string(name));
    if (v.text.size() > max_field) throw reply_error("the reply's " + std::string(name) + " is too long");
    return std::string(v.text.data(), v.text.size());
}

}  // namespace

query_request get_caller_identity_request() {
    return {"GetCallerIdentity", form_encode({{"Action", "GetCallerIdentity"}, {"Version", std::string(sts_api_version)}})};
}

caller_identity parse_caller_identity(std::string_view body, std::string_view content_type) {
    const auto f = read_fields(body, content_type, identity_fields);
    caller_identity id{plain(f[0], "Account"), plain(f[1], "Arn"), plain(f[2], "UserId")};
    const auto& a = id.account;
    if (a.size() != 12 || !std::all_of(a.begin(), a.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        throw reply_error("the reply's Account is not 12 digits");
    }
    const auto arn_account = account_from_arn(id.arn);
    if (!arn_account || !printable_no_space(id.arn)) throw reply_error("the reply's Arn is not an ARN with an account");
    if (*arn_account != a) throw reply_error("the reply's Arn and Account name different accounts");
    if (id.user_id.empty() || id.user_id.size() > 256 || !printable_no_space(id.user_id)) {
        throw reply_error("the reply's UserId is empty or not printable ASCII");
    }
    return id;
}

boost::asio::awaitable<caller_identity> get_caller_identity(call_options options, signer sign,
                                                            early_connection early) {
    std::optional<caller_identity> out;
    const reply_reader read = [&out](std::string_view body, std::string_view content_type) {
        out = parse_caller_identity(body, content_type);
    };
    const query_request request = get_caller_identity_request();  // named: g++ 12 and temporaries in co_await
    co_await call_service(sts_service, std::move(options), request, std::move(sign), read, std::move(early));
    co_return std::move(*out);
}

}  // namespace atpc::sts
