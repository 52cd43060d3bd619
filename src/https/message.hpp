// An HTTP/1.1 request and its reply, as the client sends and receives them.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <tpmwire/bytes.hpp>

namespace atpc::https {

using header_list = std::vector<std::pair<std::string, std::string>>;  // name, value; in order

struct request {
    std::string method = "POST";
    std::string target = "/";  // the request target, e.g. "/"
    header_list headers;       // sent exactly as given (Host included)
    std::string body;

    // Value of the first header named `name` (ASCII case-insensitive), or nullptr.
    const std::string* header(std::string_view name) const;
};

struct reply {
    unsigned status = 0;
    std::string reason;
    header_list headers;
    tpmwire::secret_string body;  // may hold secrets: wiped when released

    // Value of the first header named `name` (ASCII case-insensitive).
    std::optional<std::string> header(std::string_view name) const;
};

}  // namespace atpc::https
