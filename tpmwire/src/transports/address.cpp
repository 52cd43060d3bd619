#include "tpmwire/transports/address.hpp"

#include "tpmwire/error.hpp"

#include <charconv>

namespace tpmwire {

namespace {

[[noreturn]] void bad(std::string_view text, const std::string& why) {
    throw error(errc::address, "TPM address '" + std::string(text) + "': " + why);
}

std::uint16_t parse_port(std::string_view text, std::string_view port) {
    unsigned v = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), v);
    if (port.empty() || ec != std::errc() || end != port.data() + port.size() || v == 0 || v > 65535)
        bad(text, "port '" + std::string(port) + "' is not a number from 1 to 65535");
    return static_cast<std::uint16_t>(v);
}

tpm_address tcp(std::string_view text, std::string_view host, std::string_view port) {
    if (host.empty()) bad(text, "the host is empty");
    tpm_address a;
    a.type = tpm_address::kind::tcp;
    a.host = std::string(host);
    a.port = parse_port(text, port);
    return a;
}

tpm_address device(std::string_view text, std::string_view path) {
    if (path.empty() || path.front() != '/') bad(text, "a device must be an absolute path such as /dev/tpmrm0");
    tpm_address a;
    a.type = tpm_address::kind::device;
    a.path = std::string(path);
    return a;
}

// "host=h,port=p" as tpm2-tss's swtpm TCTI takes it.
tpm_address swtpm_conf(std::string_view text, std::string_view conf) {
    std::string_view host = "localhost", port = "2321";
    while (!conf.empty()) {
        auto comma = conf.find(',');
        std::string_view item = conf.substr(0, comma);
        conf = comma == std::string_view::npos ? std::string_view{} : conf.substr(comma + 1);
        auto eq = item.find('=');
        if (eq == std::string_view::npos) bad(text, "expected key=value in '" + std::string(item) + "'");
        std::string_view key = item.substr(0, eq), value = item.substr(eq + 1);
        if (key == "host") host = value;
        else if (key == "port") port = value;
        else bad(text, "unknown swtpm option '" + std::string(key) + "' (known: host, port)");
    }
    return tcp(text, host, port);
}

}  // namespace

tpm_address parse_tpm_address(std::string_view text) {
    if (text.empty()) bad(text, "empty");
    if (text.front() == '/') return device(text, text);
    if (text.starts_with("device:")) {
        std::string_view path = text.substr(7);
        return device(text, path.empty() ? "/dev/tpmrm0" : path);
    }
    if (text.starts_with("swtpm:")) return swtpm_conf(text, text.substr(6));
    if (text.front() == '[') {  // [v6]:port
        auto close = text.find(']');
        if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
            bad(text, "expected [address]:port");
        return tcp(text, text.substr(1, close - 1), text.substr(close + 2));
    }
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos)
        bad(text, "expected a device path, host:port, device:<path> or swtpm:host=<host>,port=<port>");
    std::string_view head = text.substr(0, colon), tail = text.substr(colon + 1);
    bool looks_like_tcti = head.find_first_of(".:[]/") == std::string_view::npos &&
                           (tail.empty() || tail.find_first_not_of("0123456789") != std::string_view::npos);
    if (looks_like_tcti)
        bad(text, "TCTI kind '" + std::string(head) +
                      "' is not supported; use a device path, host:port, device:<path> or swtpm:host=<host>,port=<port>");
    return tcp(text, head, tail);
}

std::string tpm_address::to_string() const {
    if (type == kind::device) return path;
    if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
    return host + ":" + std::to_string(port);
}

bool tpm_address::has_resource_manager() const {
    return type == kind::device && path.find("/tpmrm") != std::string::npos;
}

}  // namespace tpmwire
