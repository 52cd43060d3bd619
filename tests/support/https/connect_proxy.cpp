#include "support/https/connect_proxy.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <mutex>
#include <thread>

namespace test {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
using namespace asio::experimental::awaitable_operators;

struct connect_proxy::impl {
    asio::io_context ioc;
    tcp::acceptor acceptor{ioc};
    std::thread thread;
    std::optional<std::string> expected;
    std::optional<unsigned> status_override;
    mutable std::mutex mu;
    std::vector<seen_connect> log;
    std::uint16_t port = 0;

    static asio::awaitable<void> pump(tcp::socket& from, tcp::socket& to) {
        char buf[4096];
        try {
            for (;;) {
                std::size_t n = co_await from.async_read_some(asio::buffer(buf), asio::use_awaitable);
                co_await asio::async_write(to, asio::buffer(buf, n), asio::use_awaitable);
            }
        } catch (const std::exception&) {
        }
        boost::system::error_code ec;
        to.shutdown(tcp::socket::shutdown_send, ec);
    }

    asio::awaitable<void> serve(tcp::socket client) {
        try {
            boost::beast::flat_buffer buf;
            http::request_parser<http::empty_body> parser;
            co_await http::async_read_header(client, buf, parser, asio::use_awaitable);
            auto& req = parser.get();
            seen_connect s{std::string(req.target()), std::string(req[http::field::proxy_authorization])};
            {
                std::lock_guard lock(mu);
                log.push_back(s);
            }
            auto answer = [&](unsigned status, const char* extra) -> asio::awaitable<void> {
                std::string r = "HTTP/1.1 " + std::to_string(status) + " X\r\n" + extra + "Content-Length: 0\r\n\r\n";
                co_await asio::async_write(client, asio::buffer(r), asio::use_awaitable);
            };
            if (req.method() != http::verb::connect) {
                co_await answer(405, "");
                co_return;
            }
            if (status_override) {
                co_await answer(*status_override, "");
                co_return;
            }
            if (expected && s.authorization != *expected) {
                co_await answer(407, "Proxy-Authenticate: Basic realm=\"test\"\r\n");
                co_return;
            }
            auto colon = s.target.rfind(':');
            tcp::resolver resolver(client.get_executor());
            auto results = co_await resolver.async_resolve(s.target.substr(0, colon), s.target.substr(colon + 1),
                                                           asio::use_awaitable);
            tcp::socket upstream(client.get_executor());
            co_await asio::async_connect(upstream, results, asio::use_awaitable);
            std::string ok = "HTTP/1.1 200 Connection established\r\n\r\n";
            co_await asio::async_write(client, asio::buffer(ok), asio::use_awaitable);
            if (buf.size() != 0) co_await asio::async_write(upstream, buf.data(), asio::use_awaitable);
            co_await (pump(client, upstream) && pump(upstream, client));
        } catch (const std::exception&) {
        }
    }

    asio::awaitable<void> accept_loop() {
        for (;;) {
            tcp::socket s = co_await acceptor.async_accept(asio::use_awaitable);
            asio::co_spawn(ioc, serve(std::move(s)), asio::detached);
        }
    }
};

connect_proxy::connect_proxy(std::optional<std::string> expected_authorization, std::optional<unsigned> status_override)
    : impl_(std::make_unique<impl>()) {
    impl_->expected = std::move(expected_authorization);
    impl_->status_override = status_override;
    tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), 0);
    impl_->acceptor.open(ep.protocol());
    impl_->acceptor.bind(ep);
    impl_->acceptor.listen();
    impl_->port = impl_->acceptor.local_endpoint().port();
    asio::co_spawn(impl_->ioc, impl_->accept_loop(), asio::detached);
    impl_->thread = std::thread([this] { impl_->ioc.run(); });
}

connect_proxy::~connect_proxy() {
    impl_->ioc.stop();
    impl_->thread.join();
}

std::uint16_t connect_proxy::port() const { return impl_->port; }

std::vector<connect_proxy::seen_connect> connect_proxy::seen() const {
    std::lock_guard lock(impl_->mu);
    return impl_->log;
}

}  // namespace test
