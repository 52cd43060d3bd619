#include "https/message.hpp"

#include <boost/beast/core/string.hpp>

namespace atpc::https {
namespace {

const std::string* find(const header_list& headers, std::string_view name) {
    for (const auto& [k, v] : headers) {
        if (boost::beast::iequals(k, name)) return &v;
    }
    return nullptr;
}

}  // namespace

const std::string* request::header(std::string_view name) const { return find(headers, name); }

std::optional<std::string> reply::header(std::string_view name) const {
    const std::string* v = find(headers, name);
    return v ? std::optional<std::string>(*v) : std::nullopt;
}

}  // namespace atpc::https
