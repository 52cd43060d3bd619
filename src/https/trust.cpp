#include "https/trust.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <sys/stat.h>

#include "base/error.hpp"

namespace atpc::https {
namespace {

std::string openssl_reason() {
    const unsigned long e = ERR_peek_last_error();
    const char* r = e != 0 ? ERR_reason_error_string(e) : nullptr;
    ERR_clear_error();
    return r != nullptr ? r : "unknown error";
}

void load_bundle(SSL_CTX* h, const std::string& path, const std::string& source) {
    // stat(2), not std::filesystem: the fetch would map more of libstdc++
    // for this one check (bench/README.md, memory).
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
        throw error(fault::config, "the CA bundle " + path + " (from " + source + ") does not exist or is not a file");
    }
    if (SSL_CTX_load_verify_locations(h, path.c_str(), nullptr) != 1) {
        throw error(fault::config, "could not load the CA bundle " + path + " (from " + source +
                                       "): " + openssl_reason() + "; it must be a readable PEM file");
    }
}

void use_system_dir(SSL_CTX* h, const std::string& dir) {
    // Lazily searched hashed directory, never the whole bundle.
    X509_STORE* store = SSL_CTX_get_cert_store(h);
    X509_LOOKUP* lookup = X509_STORE_add_lookup(store, X509_LOOKUP_hash_dir());
    if (lookup == nullptr || X509_LOOKUP_add_dir(lookup, dir.c_str(), X509_FILETYPE_PEM) != 1) {
        throw error(fault::config, "could not use the system CA directory " + dir + ": " + openssl_reason());
    }
}

}  // namespace

std::string trust_store::describe() const {
    return ca_bundle ? "the CA bundle " + *ca_bundle + " (from " + ca_bundle_source + ")" : "the system CA store";
}

trust_store resolve_trust(const std::optional<std::string>& ca_bundle, std::string source, const env_lookup& env) {
    trust_store t;
    if (ca_bundle && !ca_bundle->empty()) {
        t.ca_bundle = ca_bundle;
        t.ca_bundle_source = std::move(source);
    }
    const auto dir = env(X509_get_default_cert_dir_env());
    t.system_dir = dir && !dir->empty() ? *dir : std::string(X509_get_default_cert_dir());
    return t;
}

std::shared_ptr<boost::asio::ssl::context> make_tls_context(const trust_store& trust) {
    auto ctx = std::make_shared<boost::asio::ssl::context>(boost::asio::ssl::context::tls_client);
    SSL_CTX* h = ctx->native_handle();
    if (SSL_CTX_set_min_proto_version(h, TLS1_2_VERSION) != 1) {
        throw error(fault::internal, "could not require TLS 1.2 or later: " + openssl_reason());
    }
    // Received plaintext (a reply that may hold secrets) is wiped from
    // OpenSSL's record buffer once handed over.
    SSL_CTX_set_options(h, SSL_OP_CLEANSE_PLAINTEXT | SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
    SSL_CTX_set_verify(h, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
    if (trust.ca_bundle) {
        load_bundle(h, *trust.ca_bundle, trust.ca_bundle_source);
    } else {
        use_system_dir(h, trust.system_dir);
    }
    return ctx;
}

}  // namespace atpc::https
