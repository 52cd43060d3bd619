// The HTTP/1.1 server (Beast, coroutines, keep-alive) under the endpoints:
// limits on what a request and a connection may take, so slow or hostile
// clients cannot starve others. Internal to server/ (it brings in Asio and
// Beast); run.hpp is the layer's interface.
#pragma once

#include "server/exchange.hpp"
#include "server/routes.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include <functional>
#include <list>
#include <string>

namespace atpc::server {

namespace net = boost::asio;
using tcp = net::ip::tcp;

class http_server {
public:
    using log_fn = std::function<void(const std::string&)>;

    // Listens on `where` at once; throws atpc::error(fault::config) naming it.
    http_server(net::any_io_executor ex, const tcp::endpoint& where, router& routes, std::size_t max_connections,
                log_fn debug);
    tcp::endpoint listening_on() const { return acceptor_.local_endpoint(); }

    net::awaitable<void> accept_loop();
    // Stops accepting and closes idle connections; a request being read or
    // answered finishes, and its connection closes after the reply.
    void stop();
    std::size_t open_connections() const { return connections_.size(); }

private:
    using request_buffer = boost::beast::basic_flat_buffer<tpmwire::zeroizing_allocator<char>>;
    enum class phase { idle, reading, answering };
    struct connection {
        explicit connection(tcp::socket s) : stream(std::move(s)) {}
        boost::beast::tcp_stream stream;
        phase state = phase::idle;
        std::list<connection*>::iterator place;  // in connections_, least recently active first
        local_endpoint local;
        std::string head;  // the response head being written
    };
    struct registration;

    net::awaitable<void> serve(tcp::socket socket);
    net::awaitable<bool> next_request(connection& c, request_buffer& buffer);
    net::awaitable<bool> exchange(connection& c, request_buffer& buffer);
    void evict_one();
    void log_request(std::string_view method, std::string_view target, unsigned status,
                     std::chrono::steady_clock::time_point started) const;

    tcp::acceptor acceptor_;
    router& routes_;
    std::size_t max_connections_;
    log_fn debug_;
    std::list<connection*> connections_;
    bool stopping_ = false;
};

}  // namespace atpc::server
