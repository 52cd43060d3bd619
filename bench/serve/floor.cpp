// bench_serve_floor: the floor for `serve`'s container endpoint — the
// smallest Beast HTTP/1.1 server, built the same way (one thread, one
// coroutine per connection, keep-alive, TCP_NODELAY), answering every
// request with the same fixed body and doing nothing else: no Host or token
// check, no deadlines, no limits.
//
//   bench_serve_floor PORT BODY_FILE      prints "ready" once listening
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>

namespace net = boost::asio;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;

namespace {

constexpr auto as_result = net::as_tuple(net::use_awaitable);

net::awaitable<void> serve(tcp::socket socket, const std::string& body) {
    boost::beast::flat_buffer buffer;
    for (;;) {
        http::request<http::empty_body> req;
        auto [ec, n] = co_await http::async_read(socket, buffer, req, as_result);
        if (ec) break;
        http::response<http::string_body> res{http::status::ok, req.version()};
        res.set(http::field::content_type, "application/json");
        res.body() = body;
        res.keep_alive(req.keep_alive());
        res.prepare_payload();
        auto [wec, written] = co_await http::async_write(socket, res, as_result);
        if (wec || !req.keep_alive()) break;
    }
}

net::awaitable<void> accept(tcp::acceptor& acceptor, const std::string& body) {
    for (;;) {
        auto [ec, socket] = co_await acceptor.async_accept(as_result);
        if (ec) continue;
        socket.set_option(tcp::no_delay(true));
        net::co_spawn(acceptor.get_executor(), serve(std::move(socket), body), net::detached);
    }
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: bench_serve_floor PORT BODY_FILE\n");
        return 2;
    }
    std::ifstream in(argv[2], std::ios::binary);
    const std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    net::io_context io(1);
    tcp::acceptor acceptor(io, tcp::endpoint(net::ip::make_address("127.0.0.1"),
                                             static_cast<unsigned short>(std::atoi(argv[1]))));
    net::co_spawn(io, accept(acceptor, body), net::detached);
    std::printf("ready\n");
    std::fflush(stdout);
    io.run();
}
