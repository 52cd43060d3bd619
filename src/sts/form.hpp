// The AWS Query protocol's request: an action name (for messages) and its
// application/x-www-form-urlencoded body, POSTed and signed with SigV4. Any
// Query service (STS, IAM) builds its actions on this.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace atpc::sts {

struct query_request {
    std::string action;
    std::string body;  // application/x-www-form-urlencoded
};

// Go's url.Values.Encode: keys sorted bytewise, A-Z a-z 0-9 - _ . ~ kept,
// space as '+', every other byte as %XX (upper-case hex).
// (sigv4::form_encode, which the signature tests pin byte for byte)
std::string form_encode(std::vector<std::pair<std::string, std::string>> fields);

}  // namespace atpc::sts
