#include "sts/signing.hpp"

#include "sigv4/amz_date.hpp"
#include "sigv4/signer.hpp"

namespace atpc::sts {

void sign_outgoing(outgoing& out, std::string_view access_key_id, tpmwire::bytes_view kdate,
                   const std::string& date, const std::string& region, const std::string& amz_date) {
    sigv4::request r;
    r.method = out.method;
    r.path = out.path;
    r.body = out.body;
    for (const auto& [name, value] : out.headers) r.headers.push_back({name, value});
    const std::size_t before = r.headers.size();
    sigv4::sign(r, access_key_id, kdate, sigv4::scope{date, region, "sts"}, amz_date);
    for (std::size_t i = before; i < r.headers.size(); ++i) out.headers.emplace_back(r.headers[i].name, r.headers[i].value);
}

signer make_signer(std::string access_key_id, const tpmwire::bytes& kdate, std::string kdate_date,
                        std::string region) {
    return [akid = std::move(access_key_id), &kdate, date = std::move(kdate_date), region = std::move(region)](
               outgoing& out, std::chrono::system_clock::time_point now) {
        std::string amz = sigv4::amz_date(now);
        std::string day = sigv4::date_stamp(amz);
        if (day > date) amz = date + "T235959Z";
        else if (day < date) amz = date + "T000000Z";  // the clock went back across midnight
        sign_outgoing(out, akid, kdate, date, region, amz);
    };
}

}  // namespace atpc::sts
