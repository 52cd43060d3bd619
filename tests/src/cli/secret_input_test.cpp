// The AWS secret for import: its shape, and where it is read from.
#include "base/error.hpp"
#include "cli/secret_input.hpp"

#include <catch2/catch.hpp>

#include <unistd.h>

using namespace atpc::cli;

namespace {

const std::string secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

atpc::env_lookup no_env() {
    return [](std::string_view) -> std::optional<std::string> { return std::nullopt; };
}

// The message never quotes the value: no 8-character piece of it appears.
void never_quotes(const std::string& message, std::string_view value) {
    for (std::size_t i = 0; i + 8 <= value.size(); ++i) CHECK_THAT(message, !Catch::Contains(std::string(value.substr(i, 8))));
}

std::string secret_error(std::string_view s) {
    try {
        check_secret(s);
    } catch (const atpc::error& e) {
        CHECK(e.kind() == atpc::fault::usage);
        never_quotes(e.what(), s);
        return e.what();
    }
    return "(accepted)";
}

// A pipe holding `data`, as standard input.
int pipe_with(const std::string& data) {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    REQUIRE(::write(fds[1], data.data(), data.size()) == static_cast<ssize_t>(data.size()));
    ::close(fds[1]);
    return fds[0];
}

}  // namespace

TEST_CASE("secret shape: 40 characters of the AWS alphabet, errors never quote it") {
    CHECK(secret_error(secret) == "(accepted)");
    CHECK(secret_error("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA+=") == "(accepted)");
    CHECK_THAT(secret_error(""), Catch::Contains("no secret access key"));
    CHECK_THAT(secret_error(secret.substr(0, 39)), Catch::Contains("got 39"));
    CHECK_THAT(secret_error(secret.substr(0, 20) + " " + secret.substr(21)), Catch::Contains("position 21"));
    CHECK_THAT(secret_error(secret.substr(0, 39) + "\xc3"), Catch::Contains("position 40"));
    CHECK_THAT(secret_error("AKIAIOSFODNN7EXAMPLE"), Catch::Contains("access key id"));
    CHECK_THAT(secret_error("AWS4" + secret), Catch::Contains("AWS4"));
    for (auto s : {secret_error(secret.substr(1)), secret_error(secret.substr(0, 39) + "!")})
        CHECK_THAT(s, !Catch::Contains(secret.substr(5, 8)));
    CHECK(hmac_key_bytes(secret) == tpmwire::to_bytes("AWS4" + secret));
}

TEST_CASE("reading the secret: stdin trimmed, the environment as fallback, both must agree") {
    auto env_with = [](std::string v) {
        return [v](std::string_view name) -> std::optional<std::string> {
            if (name == "AWS_SECRET_ACCESS_KEY") return v;
            return std::nullopt;
        };
    };
    int fd = pipe_with("  " + secret + "\r\n");
    auto in = read_secret(no_env(), fd);
    ::close(fd);
    CHECK(std::string_view(in.value) == secret);
    CHECK(in.source == secret_source::standard_input);

    fd = pipe_with("");
    in = read_secret(env_with(secret), fd);
    ::close(fd);
    CHECK(in.source == secret_source::environment);
    CHECK(std::string_view(in.value) == secret);

    fd = pipe_with(secret + "\n");
    in = read_secret(env_with(secret), fd);  // the same secret twice is fine
    ::close(fd);
    CHECK(in.source == secret_source::standard_input);

    fd = pipe_with(secret.substr(1) + "A\n");
    CHECK_THROWS_WITH(read_secret(env_with(secret), fd), Catch::Contains("different secrets"));
    ::close(fd);

    fd = pipe_with(std::string(5000, 'A'));
    CHECK_THROWS_WITH(read_secret(no_env(), fd), Catch::Contains("too long"));
    ::close(fd);
}
