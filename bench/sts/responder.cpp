// bench_sts_responder: a minimal local HTTPS "STS" that answers every request
// with one fixed GetSessionToken reply in STS's JSON shape. It checks
// nothing and does as little as possible, so a fetch against it measures
// TLS plus our own work, not a server's.
//
//   bench_sts_responder PORT CERT.pem KEY.pem [LIFETIME_SECONDS]
//
// One connection at a time, blocking OpenSSL; no session tickets (the
// clients never resume). Prints "ready" once listening, and "answered" on
// stderr for every reply sent. The credentials expire LIFETIME_SECONDS
// (default 3600) after the request: a short one makes `serve` refresh often.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>

namespace {

std::string reply(long lifetime) {
    // Shape of real STS JSON (Expiration in epoch seconds); fake values.
    std::string token(356, 'A');
    for (std::size_t i = 0; i < token.size(); ++i) token[i] = "FQoGZXIvYXdzEJr//////////wEaDH0example0123456789+/"[i % 50];
    std::string body = "{\"GetSessionTokenResponse\":{\"GetSessionTokenResult\":{\"Credentials\":{"
                       "\"AccessKeyId\":\"ASIAIOSFODNN7EXAMPLE\","
                       "\"SecretAccessKey\":\"wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY\","
                       "\"SessionToken\":\"" + token + "\","
                       "\"Expiration\":" + std::to_string(std::time(nullptr) + lifetime) +
                       "}},\"ResponseMetadata\":{\"RequestId\":\"58c5dbae-abef-11e0-8cfe-09039844ac7d\"}}}";
    return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
           "\r\nConnection: close\r\n\r\n" + body;
}

// Reads the request head and its Content-Length body; false on any failure.
bool read_request(SSL* ssl) {
    std::string in;
    char buf[4096];
    std::size_t head_end = std::string::npos;
    while (head_end == std::string::npos) {
        int n = SSL_read(ssl, buf, sizeof buf);
        if (n <= 0 || in.size() > 65536) return false;
        in.append(buf, static_cast<std::size_t>(n));
        head_end = in.find("\r\n\r\n");
    }
    std::size_t length = 0;
    for (const char* name : {"Content-Length:", "content-length:"}) {
        auto p = in.find(name);
        if (p != std::string::npos && p < head_end) length = std::strtoul(in.c_str() + p + 15, nullptr, 10);
    }
    while (in.size() < head_end + 4 + length) {
        int n = SSL_read(ssl, buf, sizeof buf);
        if (n <= 0) return false;
        in.append(buf, static_cast<std::size_t>(n));
    }
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 4 && argc != 5) {
        std::fprintf(stderr, "usage: bench_sts_responder PORT CERT.pem KEY.pem [LIFETIME_SECONDS]\n");
        return 2;
    }
    const long lifetime = argc == 5 ? std::atol(argv[4]) : 3600;
    std::signal(SIGPIPE, SIG_IGN);
    SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_num_tickets(ctx, 0);
    if (SSL_CTX_use_certificate_chain_file(ctx, argv[2]) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx, argv[3], SSL_FILETYPE_PEM) != 1) {
        ERR_print_errors_fp(stderr);
        return 1;
    }
    int lfd = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(std::atoi(argv[1])));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(lfd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(lfd, 64) != 0) {
        std::perror("bench_sts_responder: bind/listen");
        return 1;
    }
    std::printf("ready\n");
    std::fflush(stdout);
    for (;;) {
        int fd = ::accept(lfd, nullptr, nullptr);
        if (fd < 0) continue;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        timeval five{5, 0};
        ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &five, sizeof five);
        SSL* ssl = SSL_new(ctx);
        SSL_set_fd(ssl, fd);
        if (SSL_accept(ssl) == 1 && read_request(ssl)) {
            std::string r = reply(lifetime);
            if (SSL_write(ssl, r.data(), static_cast<int>(r.size())) > 0) {
                SSL_shutdown(ssl);
                std::fprintf(stderr, "answered\n");
            }
        }
        SSL_free(ssl);
        ::close(fd);
        ERR_clear_error();
    }
}
