#include "credential/sts_signer.hpp"

#include "sigv4/amz_date.hpp"
#include "sigv4/signer.hpp"

namespace atpc::credential {

sts::signer make_signer(std::string access_key_id, const tpmwire::bytes& kdate, std::string kdate_date,
                        std::string region) {
    return [akid = std::move(access_key_id), &kdate, date = std::move(kdate_date), region = std::move(region)](
               sts::outgoing& out, std::chrono::system_clock::time_point now) {
        std::string amz = sigv4::amz_date(now);
        std::string day = sigv4::date_stamp(amz);
        if (day > date) amz = date + "T235959Z";
        else if (day < date) amz = date + "T000000Z";  // the clock went back across midnight
        sigv4::request r;
        r.method = out.method;
        r.path = out.path;
        r.body = out.body;
        for (const auto& [name, value] : out.headers) r.headers.push_back({name, value});
        const std::size_t before = r.headers.size();
        sigv4::sign(r, akid, kdate, sigv4::scope{date, region, "sts"}, amz);
        for (std::size_t i = before; i < r.headers.size(); ++i)
            out.headers.emplace_back(r.headers[i].name, r.headers[i].value);
    };
}

}  // namespace atpc::credential
