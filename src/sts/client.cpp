#include "sts/client.hpp"

#include "sts/reply.hpp"

namespace atpc::sts {

boost::asio::awaitable<credentials> call(call_options options, query_request request, signer sign,
                                         early_connection early) {
    std::optional<credentials> out;
    const reply_reader read = [&out](std::string_view body, std::string_view content_type) {
        out = parse_credentials(body, content_type);
    };
    co_await call_service(sts_service, std::move(options), std::move(request), std::move(sign), read,
                          std::move(early));
    co_return std::move(*out);
}

}  // namespace atpc::sts
