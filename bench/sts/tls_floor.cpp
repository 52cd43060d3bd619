// bench_tls_floor: the floor for the network half of a fetch. A fresh
// process that does only what the program must do on the network, with the
// same trust setup (TLS 1.2+, peer verification against one CA bundle file,
// the IP address checked against the certificate): one TCP connect, one
// handshake, one POST of a signed-request-sized GetSessionToken, one reply.
//
//   bench_tls_floor HOST PORT CA_BUNDLE     (HOST: an IPv4 address)
//   bench_tls_floor --load-only             (exit 0 at once: the cost of starting with OpenSSL)
//
// Prints the reply body; exit 0 on HTTP 200.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

int main(int argc, char** argv) {
    if (argc == 2 && std::string(argv[1]) == "--load-only") return 0;
    if (argc != 4) {
        std::fprintf(stderr, "usage: bench_tls_floor HOST PORT CA_BUNDLE\n");
        return 2;
    }
    const std::string host = argv[1], port = argv[2];
    SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_options(ctx, SSL_OP_CLEANSE_PLAINTEXT | SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
    if (SSL_CTX_load_verify_locations(ctx, argv[3], nullptr) != 1) {
        std::fprintf(stderr, "bench_tls_floor: cannot load %s\n", argv[3]);
        return 1;
    }
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(std::atoi(port.c_str())));
    if (::inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1 ||
        ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        std::perror("bench_tls_floor: connect");
        return 1;
    }
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    SSL* ssl = SSL_new(ctx);
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host.c_str());
    SSL_set_fd(ssl, fd);
    if (SSL_connect(ssl) != 1 || SSL_get_verify_result(ssl) != X509_V_OK) {
        std::fprintf(stderr, "bench_tls_floor: handshake failed\n");
        return 1;
    }
    // The size and shape of the program's signed GetSessionToken request.
    const std::string body = "Action=GetSessionToken&DurationSeconds=3600&Version=2011-06-15";
    std::string req = "POST / HTTP/1.1\r\nHost: " + host + ":" + port +
                      "\r\nContent-Type: application/x-www-form-urlencoded; charset=utf-8"
                      "\r\nContent-Length: " + std::to_string(body.size()) +
                      "\r\nX-Amz-Date: 20250101T000000Z"
                      "\r\nAuthorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20250101/us-east-1/sts/"
                      "aws4_request, SignedHeaders=content-length;content-type;host;x-amz-date, Signature="
                      "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"
                      "\r\nAccept: application/json\r\nUser-Agent: bench-tls-floor\r\n\r\n" + body;
    if (SSL_write(ssl, req.data(), static_cast<int>(req.size())) <= 0) return 1;
    std::string in;
    char buf[4096];
    std::size_t head_end = std::string::npos, length = 0;
    for (;;) {
        if (head_end != std::string::npos && in.size() >= head_end + 4 + length) break;
        int n = SSL_read(ssl, buf, sizeof buf);
        if (n <= 0) break;
        in.append(buf, static_cast<std::size_t>(n));
        if (head_end == std::string::npos && (head_end = in.find("\r\n\r\n")) != std::string::npos) {
            auto p = in.find("Content-Length:");
            if (p != std::string::npos && p < head_end) length = std::strtoul(in.c_str() + p + 15, nullptr, 10);
        }
    }
    if (head_end == std::string::npos || in.compare(0, 12, "HTTP/1.1 200") != 0) return 1;
    std::fwrite(in.data() + head_end + 4, 1, in.size() - head_end - 4, stdout);
    return 0;
}
