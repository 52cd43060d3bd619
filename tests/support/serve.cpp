#include "support/serve.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <thread>

namespace test {

namespace {

std::string value_of(const std::string& out, const std::string& name) {
    const auto at = out.find(name + "=");
    if (at == std::string::npos) return {};
    const auto end = out.find('\n', at);
    return out.substr(at + name.size() + 1, end - at - name.size() - 1);
}

}  // namespace

serve_process::serve_process(std::vector<std::string> args, env_map env, std::chrono::milliseconds timeout) {
    const bool imds = std::find(args.begin(), args.end(), "--imds") != args.end();
    args.insert(args.begin(), {ATPC_BINARY, "serve"});
    proc_ = std::make_unique<process>(spawn_options{.argv = args, .env = env});
    const std::size_t lines = imds ? 3 : 2;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::string out;
    while (static_cast<std::size_t>(std::count(out.begin(), out.end(), '\n')) < lines) {
        if (!proc_->running() || std::chrono::steady_clock::now() > deadline)
            throw std::runtime_error("serve did not start: " + proc_->err());
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        out = proc_->out();
    }
    full_uri_ = value_of(out, "AWS_CONTAINER_CREDENTIALS_FULL_URI");
    token_file_ = value_of(out, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
    imds_endpoint_ = value_of(out, "AWS_EC2_METADATA_SERVICE_ENDPOINT");
    const auto colon = full_uri_.rfind(':');
    port_ = static_cast<std::uint16_t>(std::stoi(full_uri_.substr(colon + 1)));
}

std::string serve_process::token() const {
    std::ifstream in(token_file_, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

env_map serve_process::client_env() const {
    env_map e{{"AWS_CONTAINER_CREDENTIALS_FULL_URI", full_uri_}, {"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", token_file_}};
    if (!imds_endpoint_.empty()) e["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = imds_endpoint_;
    return e;
}

}  // namespace test
