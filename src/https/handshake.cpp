// The TLS step of open(): SNI, host name (or IP) verification, handshake.
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "https/connection.hpp"
#include "https/url.hpp"

namespace atpc::https::detail {
namespace {

namespace asio = boost::asio;

void expect_peer(connection_base& c, const std::string& host) {
    SSL* ssl = c.stream.native_handle();
    bool ok;
    if (parse_ip(host)) {
        ok = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host.c_str()) == 1;  // no SNI for IPs (RFC 6066)
    } else {
        SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
        ok = SSL_set_tlsext_host_name(ssl, host.c_str()) == 1 && SSL_set1_host(ssl, host.c_str()) == 1;
    }
    if (!ok) {
        throw failure(fault::internal, "could not set up TLS verification for " + host, step::handshake, cause::tls,
                      false);
    }
}

failure rejected(const connection_base& c, long v) {
    std::string msg = "TLS certificate of " + c.who + " was rejected (" + X509_verify_cert_error_string(v) + "); ";
    cause why = cause::bad_certificate;
    switch (v) {
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
        msg += "the certificate is for another host: check the URL, and that nothing intercepts TLS";
        break;
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
        msg += "its issuer is not trusted by " + c.trust;
        why = cause::untrusted;
        break;
    case X509_V_ERR_CERT_HAS_EXPIRED:
    case X509_V_ERR_CERT_NOT_YET_VALID:
        msg += "check the system clock";
        break;
    default:
        msg += "check " + c.trust;
        break;
    }
    return failure(fault::tls, msg, step::handshake, why, false);
}

failure handshake_failure(connection_base& c, const error_code& ec) {
    if (const long v = SSL_get_verify_result(c.stream.native_handle()); v != X509_V_OK) return rejected(c, v);
    if (is_disconnect(ec)) {
        return failure(fault::network, "connection to " + c.who + " was closed during the TLS handshake",
                       step::handshake, cause::closed, true);
    }
    return failure(fault::tls, "TLS handshake with " + c.who + " failed: " + ec.message() +
                                   "; the peer must speak TLS 1.2 or later",
                   step::handshake, cause::tls, false);
}

}  // namespace

asio::awaitable<void> tls_handshake(connection_base& c, const std::string& host) {
    c.begin(step::handshake, "TLS handshake with " + c.who);
    expect_peer(c, host);
    error_code ec;
    co_await c.stream.async_handshake(asio::ssl::stream_base::client, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) fail(c, ec, handshake_failure(c, ec));
}

}  // namespace atpc::https::detail
