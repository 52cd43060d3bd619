// The HTTP/1.1 server (Beast's parser, Asio coroutines, keep-alive) under
// the endpoints, with limits on what a request and a connection may take,
// so slow or hostile clients cannot starve others. Internal to server/ (it
// brings in Asio and Beast); run.hpp is the layer's interface.
//
// Deadlines: each connection records when the phase under way (waiting for
// a request, reading it, writing the reply) must end, and one sweep a
// second closes the connections past theirs (limits.hpp).
#pragma once

#include "server/exchange.hpp"
#include "server/routes.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>

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
    // Closes the connections past their deadline, until stop().
    net::awaitable<void> sweep_loop();
    // Stops accepting and closes idle connections; a request being read or
    // answered finishes, and its connection closes after the reply.
    void stop();
    std::size_t open_connections() const { return connections_.size(); }

private:
    using clock = std::chrono::steady_clock;
    // The request's bytes and headers, the Authorization token among them,
    // are held in wiped memory.
    using request_buffer = boost::beast::basic_flat_buffer<tpmwire::zeroizing_allocator<char>>;
    using request_parser =
        boost::beast::http::request_parser<boost::beast::http::empty_body, tpmwire::zeroizing_allocator<char>>;
    enum class phase { idle, reading, answering };
    struct connection {
        explicit connection(tcp::socket s) : socket(std::move(s)) {}
        tcp::socket socket;
        phase state = phase::idle;
        clock::time_point deadline{};            // of the phase under way
        std::list<connection*>::iterator place;  // in connections_, least recently active first
        local_endpoint local;
        std::string head;  // the response head being written
    };
    struct registration;

    net::awaitable<void> serve(tcp::socket socket);
    net::awaitable<bool> next_request(connection& c, request_buffer& buffer);
    net::awaitable<boost::system::error_code> read_request(connection& c, request_buffer& buffer,
                                                           request_parser& parser);
    net::awaitable<bool> exchange(connection& c, request_buffer& buffer);
    void evict_one();
    void log_request(const request_parser& parser, bool parsed, unsigned status, clock::time_point started) const;

    tcp::acceptor acceptor_;
    net::steady_timer sweeper_;
    router& routes_;
    std::size_t max_connections_;
    log_fn debug_;
    std::list<connection*> connections_;
    bool stopping_ = false;
};

}  // namespace atpc::server
