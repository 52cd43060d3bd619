#include "sts/outgoing.hpp"

#include "sts/url.hpp"

namespace atpc::sts {

outgoing make_outgoing(const endpoint& target, std::string body) {
    outgoing o;
    o.method = "POST";
    o.host = target.host_header();
    o.path = target.path;
    o.headers = {
        {"Host", o.host},
        {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"},
        {"Content-Length", std::to_string(body.size())},
    };
    o.body = std::move(body);
    return o;
}

const std::string* outgoing::header(std::string_view name) const {
    const auto want = to_lower(name);
    for (const auto& [k, v] : headers) {
        if (to_lower(k) == want) return &v;
    }
    return nullptr;
}

}  // namespace atpc::sts
