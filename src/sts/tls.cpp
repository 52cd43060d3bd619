// The TLS client context. Built once per STS call (before any network I/O, so
// a bad CA bundle is a configuration error, not a network one).
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <sys/stat.h>

#include "sts/transport.hpp"

namespace atpc::sts::detail {
namespace {

std::string openssl_reason() {
    unsigned long e = ERR_peek_last_error();
    const char* r = e != 0 ? ERR_reason_error_string(e) : nullptr;
    ERR_clear_error();
    return r != nullptr ? r : "unknown error";
}

}  // namespace

boost::asio::ssl::context make_tls_context(const trust_store& trust) {
    boost::asio::ssl::context ctx(boost::asio::ssl::context::tls_client);
    SSL_CTX* h = ctx.native_handle();
    if (SSL_CTX_set_min_proto_version(h, TLS1_2_VERSION) != 1) {
        throw error(fault::internal, "could not require TLS 1.2 or later: " + openssl_reason());
    }
    // Received plaintext (the reply with the credentials) is wiped from
    // OpenSSL's record buffer once handed over.
    SSL_CTX_set_options(h, SSL_OP_CLEANSE_PLAINTEXT | SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
    SSL_CTX_set_verify(h, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);

    if (trust.ca_bundle) {
        const std::string& path = *trust.ca_bundle;
        // stat(2), not std::filesystem: the fetch would map two more 64 KiB
        // windows of libstdc++ for this one check.
        struct stat st {};
        if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
            throw error(fault::config, "the CA bundle " + path + " (from " + trust.ca_bundle_source +
                                           ") does not exist or is not a file");
        }
        if (SSL_CTX_load_verify_locations(h, path.c_str(), nullptr) != 1) {
            throw error(fault::config, "could not load the CA bundle " + path + " (from " + trust.ca_bundle_source +
                                           "): " + openssl_reason() + "; it must be a readable PEM file");
        }
    } else {
        // Lazily searched hashed directory, never the whole bundle.
        X509_STORE* store = SSL_CTX_get_cert_store(h);
        X509_LOOKUP* lookup = X509_STORE_add_lookup(store, X509_LOOKUP_hash_dir());
        if (lookup == nullptr || X509_LOOKUP_add_dir(lookup, trust.system_dir.c_str(), X509_FILETYPE_PEM) != 1) {
            throw error(fault::config, "could not use the system CA directory " + trust.system_dir + ": " +
                                           openssl_reason() + "; pass --ca-bundle or set AWS_CA_BUNDLE");
        }
    }
    return ctx;
}

}  // namespace atpc::sts::detail
