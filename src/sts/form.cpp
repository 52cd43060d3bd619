#include "sts/form.hpp"

#include "sigv4/encoding.hpp"

namespace atpc::sts {

std::string form_encode(std::vector<std::pair<std::string, std::string>> fields) {
    return sigv4::form_encode(std::move(fields));
}

}  // namespace atpc::sts
