#include "server/exchange.hpp"

#include "output/served_output.hpp"

#include <fmt/format.h>

namespace atpc::server {

response refusal(unsigned status, std::string_view code, std::string_view message) {
    response r;
    r.status = status;
    r.body = std::make_shared<const tpmwire::secret_string>(output::error_json(code, message));
    return r;
}

std::string_view status_line(unsigned status) {
    switch (status) {
        case 200: return "200 OK";
        case 400: return "400 Bad Request";
        case 401: return "401 Unauthorized";
        case 403: return "403 Forbidden";
        case 404: return "404 Not Found";
        case 405: return "405 Method Not Allowed";
        case 413: return "413 Content Too Large";
        case 431: return "431 Request Header Fields Too Large";
        case 503: return "503 Service Unavailable";
        default: return "500 Internal Server Error";
    }
}

void append_head(std::string& out, const response& r) {
    out += "HTTP/1.1 ";
    out += status_line(r.status);
    out += "\r\nContent-Type: ";
    out += r.content_type;
    fmt::format_to(std::back_inserter(out), "\r\nContent-Length: {}", r.body ? r.body->size() : 0);
    // Credentials and tokens must never sit in a cache.
    out += "\r\nCache-Control: no-store";
    if (r.token_ttl) fmt::format_to(std::back_inserter(out), "\r\nX-aws-ec2-metadata-token-ttl-seconds: {}", *r.token_ttl);
    if (!r.allow.empty()) {
        out += "\r\nAllow: ";
        out += r.allow;
    }
    if (r.close) out += "\r\nConnection: close";
    out += "\r\n\r\n";
}

}  // namespace atpc::server
