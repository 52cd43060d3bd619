#include "support/https/https_server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <mutex>
#include <thread>

namespace test {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

std::string lower(std::string_view s) {
    std::string o(s);
    for (auto& c : o) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return o;
}

std::string reason_for(unsigned status) {
    auto r = http::obsolete_reason(static_cast<http::status>(status));
    return r.empty() ? "Unknown" : std::string(r);
}

}  // namespace

std::string recorded_request::header(std::string_view name) const {
    for (const auto& [k, v] : headers) {
        if (lower(k) == lower(name)) return v;
    }
    return {};
}

std::size_t recorded_request::count(std::string_view name) const {
    std::size_t n = 0;
    for (const auto& [k, v] : headers) n += lower(k) == lower(name);
    return n;
}

std::string http_date(std::chrono::system_clock::time_point t) {
    std::time_t tt = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    return buf;
}

scripted_reply json_reply(unsigned status, std::string body) {
    scripted_reply r;
    r.status = status;
    r.headers = {{"Content-Type", "application/json"}, {"x-amzn-RequestId", "test-request"}};
    r.body = std::move(body);
    return r;
}

scripted_reply xml_reply(unsigned status, std::string body) {
    scripted_reply r;
    r.status = status;
    r.headers = {{"Content-Type", "text/xml"}};
    r.body = std::move(body);
    return r;
}

struct https_server::impl {
    asio::io_context ioc;
    ssl::context ctx{ssl::context::tls_server};
    tcp::acceptor acceptor{ioc};
    std::thread thread;
    mutable std::mutex mu;
    std::vector<scripted_reply> replies;
    std::size_t next = 0;
    std::function<scripted_reply(const recorded_request&)> fn;
    std::vector<recorded_request> seen;
    int accepted = 0;
    std::uint16_t port = 0;

    scripted_reply pick(const recorded_request& req) {
        std::lock_guard lock(mu);
        seen.push_back(req);
        if (fn) return fn(req);
        if (replies.empty()) return json_reply(500, "{}");
        auto r = replies[std::min(next, replies.size() - 1)];
        ++next;
        return r;
    }

    asio::awaitable<void> serve(tcp::socket sock) {
        ssl::stream<tcp::socket> stream(std::move(sock), ctx);
        try {
            co_await stream.async_handshake(ssl::stream_base::server, asio::use_awaitable);
            boost::beast::flat_buffer buf;
            http::request<http::string_body> req;
            co_await http::async_read(stream, buf, req, asio::use_awaitable);
            recorded_request rec;
            rec.method = std::string(req.method_string());
            rec.target = std::string(req.target());
            for (const auto& f : req) rec.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
            rec.body = req.body();
            rec.received = std::chrono::system_clock::now();
            if (const char* sni = SSL_get_servername(stream.native_handle(), TLSEXT_NAMETYPE_host_name)) rec.sni = sni;
            scripted_reply r = pick(rec);
            if (r.delay.count() > 0) {
                asio::steady_timer t(stream.get_executor());
                t.expires_after(r.delay);
                co_await t.async_wait(asio::use_awaitable);
            }
            std::string out;
            if (r.raw) {
                out = *r.raw;
            } else {
                out = "HTTP/1.1 " + std::to_string(r.status) + " " + reason_for(r.status) + "\r\n";
                for (const auto& [k, v] : r.headers) out += k + ": " + v + "\r\n";
                out += "Date: " + r.date.value_or(http_date(std::chrono::system_clock::now())) + "\r\n";
                out += "Content-Length: " + std::to_string(r.body.size()) + "\r\n\r\n" + r.body;
            }
            if (r.cut_after && *r.cut_after < out.size()) out.resize(*r.cut_after);
            co_await asio::async_write(stream, asio::buffer(out), asio::use_awaitable);
            if (r.cut_after || r.raw) {
                // Drop the connection without close_notify, like a crash.
                stream.next_layer().close();
                co_return;
            }
            boost::system::error_code ec;
            co_await stream.async_shutdown(asio::redirect_error(asio::use_awaitable, ec));
        } catch (const std::exception&) {
            // The client went away or refused our certificate: nothing to do.
        }
    }

    asio::awaitable<void> accept_loop() {
        for (;;) {
            tcp::socket s = co_await acceptor.async_accept(asio::use_awaitable);
            {
                std::lock_guard lock(mu);
                ++accepted;
            }
            asio::co_spawn(ioc, serve(std::move(s)), asio::detached);
        }
    }
};

https_server::https_server(const std::string& cert_pem, const std::string& key_pem, bool ipv6)
    : impl_(std::make_unique<impl>()) {
    impl_->ctx.use_certificate_chain_file(cert_pem);
    impl_->ctx.use_private_key_file(key_pem, ssl::context::pem);
    tcp::endpoint ep(ipv6 ? asio::ip::make_address("::1") : asio::ip::make_address("127.0.0.1"), 0);
    impl_->acceptor.open(ep.protocol());
    impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
    impl_->acceptor.bind(ep);
    impl_->acceptor.listen();
    impl_->port = impl_->acceptor.local_endpoint().port();
    asio::co_spawn(impl_->ioc, impl_->accept_loop(), asio::detached);
    impl_->thread = std::thread([this] { impl_->ioc.run(); });
}

https_server::~https_server() {
    impl_->ioc.stop();
    impl_->thread.join();
}

std::uint16_t https_server::port() const { return impl_->port; }

void https_server::script(std::vector<scripted_reply> replies) {
    std::lock_guard lock(impl_->mu);
    impl_->replies = std::move(replies);
    impl_->next = 0;
}

void https_server::handler(std::function<scripted_reply(const recorded_request&)> fn) {
    std::lock_guard lock(impl_->mu);
    impl_->fn = std::move(fn);
}

std::vector<recorded_request> https_server::requests() const {
    std::lock_guard lock(impl_->mu);
    return impl_->seen;
}

int https_server::connections() const {
    std::lock_guard lock(impl_->mu);
    return impl_->accepted;
}

}  // namespace test
