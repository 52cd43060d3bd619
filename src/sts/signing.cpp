#include "sts/signing.hpp"

#include "sigv4/amz_date.hpp"
#include "sigv4/signer.hpp"

namespace atpc::sts {

void sign_request(https::request& out, std::string_view access_key_id, tpmwire::bytes_view kdate,
                  const std::string& date, const signing_scope& scope, const std::string& amz_date) {
    sigv4::request r;
    r.method = out.method;
    r.path = out.target;
    r.body = out.body;
    for (const auto& [name, value] : out.headers) r.headers.push_back({name, value});
    const std::size_t before = r.headers.size();
    sigv4::sign(r, access_key_id, kdate, sigv4::scope{date, scope.region, scope.service}, amz_date);
    for (std::size_t i = before; i < r.headers.size(); ++i) {
        out.headers.emplace_back(r.headers[i].name, r.headers[i].value);
    }
}

signer make_signer(std::string access_key_id, const tpmwire::bytes& kdate, std::string kdate_date,
                   signing_scope scope) {
    return [akid = std::move(access_key_id), &kdate, date = std::move(kdate_date), scope = std::move(scope)](
               https::request& out, std::chrono::system_clock::time_point now) {
        std::string amz = sigv4::amz_date(now);
        const std::string day = sigv4::date_stamp(amz);
        if (day > date) amz = date + "T235959Z";
        else if (day < date) amz = date + "T000000Z";  // the clock went back across midnight
        sign_request(out, akid, kdate, date, scope, amz);
    };
}

signer make_temporary_signer(const credentials& c, signing_scope scope) {
    return [&c, scope = std::move(scope)](https::request& out, std::chrono::system_clock::time_point now) {
        const std::string amz = sigv4::amz_date(now);
        const std::string day = sigv4::date_stamp(amz);
        const tpmwire::bytes kdate = sigv4::software_kdate(c.secret_access_key, day);
        // TODO(secrets): sigv4::request holds header values in std::string, so
        // the session token is copied into unwiped memory here.
        out.headers.emplace_back("X-Amz-Security-Token", std::string(c.session_token.data(), c.session_token.size()));
        sign_request(out, c.access_key_id, kdate, day, scope, amz);
    };
}

}  // namespace atpc::sts
