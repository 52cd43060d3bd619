#include "support/moto.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <stdexcept>
#include <thread>

#include "support/ports.hpp"

namespace test {
namespace {

// Everything an AWS client could pick up from the test runner's environment
// and that would send it elsewhere or sign with other credentials.
const char* const inherited_aws_variables[] = {"AWS_PROFILE",
                                               "AWS_DEFAULT_PROFILE",
                                               "AWS_ACCESS_KEY_ID",
                                               "AWS_SECRET_ACCESS_KEY",
                                               "AWS_SESSION_TOKEN",
                                               "AWS_SECURITY_TOKEN",
                                               "AWS_CREDENTIAL_EXPIRATION",
                                               "AWS_ENDPOINT_URL",
                                               "AWS_ENDPOINT_URL_STS",
                                               "AWS_ENDPOINT_URL_IAM",
                                               "AWS_ROLE_ARN",
                                               "AWS_ROLE_SESSION_NAME",
                                               "AWS_WEB_IDENTITY_TOKEN_FILE",
                                               "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                                               "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                                               "AWS_CONTAINER_AUTHORIZATION_TOKEN",
                                               "AWS_STS_REGIONAL_ENDPOINTS",
                                               "AWS_USE_FIPS_ENDPOINT",
                                               "AWS_USE_DUALSTACK_ENDPOINT",
                                               "HTTP_PROXY",
                                               "HTTPS_PROXY",
                                               "ALL_PROXY",
                                               "NO_PROXY",
                                               "http_proxy",
                                               "https_proxy",
                                               "all_proxy",
                                               "no_proxy",
                                               "REQUESTS_CA_BUNDLE",
                                               "SSL_CERT_FILE",
                                               "SSL_CERT_DIR",
                                               "CURL_CA_BUNDLE",
                                               "MOTO_ACCOUNT_ID"};

std::string ms(std::chrono::milliseconds d) {
    return std::to_string(d.count()) + " ms";
}

// Reads one JSON string starting at text[i] == '"'; ASCII \u escapes only.
std::string json_string(const std::string& text, std::size_t& i) {
    if (i >= text.size() || text[i] != '"') throw std::runtime_error("JSON: expected a string");
    std::string out;
    for (++i; i < text.size(); ++i) {
        char c = text[i];
        if (c == '"') {
            ++i;
            return out;
        }
        if (static_cast<unsigned char>(c) < 0x20) throw std::runtime_error("JSON: control character in string");
        if (c != '\\') {
            out.push_back(c);
            continue;
        }
        if (++i >= text.size()) break;
        switch (text[i]) {
            case '"': out.push_back('"'); break;
            case '\\': out.push_back('\\'); break;
            case '/': out.push_back('/'); break;
            case 'b': out.push_back('\b'); break;
            case 'f': out.push_back('\f'); break;
            case 'n': out.push_back('\n'); break;
            case 'r': out.push_back('\r'); break;
            case 't': out.push_back('\t'); break;
            case 'u': {
                if (i + 4 >= text.size()) throw std::runtime_error("JSON: truncated \\u escape");
                for (std::size_t k = 1; k <= 4; ++k)
                    if (!std::isxdigit(static_cast<unsigned char>(text[i + k])))
                        throw std::runtime_error("JSON: bad \\u escape");
                unsigned long v = std::stoul(text.substr(i + 1, 4), nullptr, 16);
                if (v > 0x7f) throw std::runtime_error("JSON: non-ASCII \\u escape not supported");
                out.push_back(static_cast<char>(v));
                i += 4;
                break;
            }
            default: throw std::runtime_error("JSON: bad escape");
        }
    }
    throw std::runtime_error("JSON: unterminated string");
}

void skip_space(const std::string& text, std::size_t& i) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\n' || text[i] == '\r' || text[i] == '\t')) ++i;
}

void expect(const std::string& text, std::size_t& i, char c) {
    skip_space(text, i);
    if (i >= text.size() || text[i] != c) throw std::runtime_error(std::string("JSON: expected '") + c + "'");
    ++i;
}

}  // namespace

std::map<std::string, std::string> parse_flat_json(const std::string& text) {
    std::map<std::string, std::string> out;
    std::size_t i = 0;
    expect(text, i, '{');
    skip_space(text, i);
    if (i < text.size() && text[i] == '}') {
        ++i;
    } else {
        for (;;) {
            skip_space(text, i);
            std::string key = json_string(text, i);
            expect(text, i, ':');
            skip_space(text, i);
            out[key] = json_string(text, i);
            skip_space(text, i);
            if (i < text.size() && text[i] == ',') {
                ++i;
                continue;
            }
            expect(text, i, '}');
            break;
        }
    }
    skip_space(text, i);
    if (i != text.size()) throw std::runtime_error("JSON: trailing data after the object");
    return out;
}

std::filesystem::path scripts_dir() {
    // ATPC_TEST_DATA_DIR is <source>/tests/data.
    return std::filesystem::path(ATPC_TEST_DATA_DIR).parent_path() / "support" / "scripts";
}

moto_sts::moto_sts(moto_options options)
    : options_(std::move(options)), dir_("atpc-moto"), root_(std::filesystem::absolute(dir_.path())) {
    auto started = std::chrono::steady_clock::now();
    auto deadline = started + options_.start_timeout;
    std::filesystem::create_directory(work_dir());
    ca_ = std::make_unique<tls_ca>(root_, "moto-ca");
    std::vector<std::string> names{"localhost"};
    names.insert(names.end(), options_.extra_dns_names.begin(), options_.extra_dns_names.end());
    tls_cert server_cert = ca_->issue_server("moto-server", names, {"127.0.0.1"});

    // The setup script starts first: it imports boto3 while moto_server
    // starts, then waits for the endpoint file.
    auto endpoint_file = root_ / "endpoint";
    process setup({{"python3", (scripts_dir() / "moto_setup.py").string(), endpoint_file.string(), ca_file().string(),
                    std::to_string(setup_calls)},
                   client_env(),
                   std::nullopt,
                   work_dir().string()});

    env_map server_env;
    for (const char* name : inherited_aws_variables) server_env[name] = std::nullopt;
    server_env["INITIAL_NO_AUTH_ACTION_COUNT"] = std::to_string(setup_calls);
    server_env["PYTHONUNBUFFERED"] = "1";
    // Port 0: moto_server (werkzeug) binds a free port itself.
    server_ = std::make_unique<process>(spawn_options{
        {"moto_server", "-H", "127.0.0.1", "-p", "0", "-c", server_cert.cert.string(), "-k", server_cert.key.string()},
        server_env,
        std::nullopt,
        work_dir().string()});
    for (;;) {
        if (!server_->running())
            throw std::runtime_error("moto_server exited while starting (" +
                                     std::to_string(server_->status()->exit_code) + "): " + log());
        auto listening = listening_ports(server_->pid());
        if (!listening.empty()) {
            port_ = *listening.begin();
            break;
        }
        if (std::chrono::steady_clock::now() > deadline)
            throw std::runtime_error("moto_server did not listen within " + ms(options_.start_timeout) + ": " + log());
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }

    // Hand the endpoint over atomically (the script polls for the name).
    {
        auto tmp = root_ / "endpoint.tmp";
        std::ofstream(tmp) << endpoint() << "\n";
        std::filesystem::rename(tmp, endpoint_file);
    }

    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    auto st = setup.wait_for(std::max(left, std::chrono::milliseconds(1000)));
    if (!st)
        throw std::runtime_error("moto_setup.py did not finish within " + ms(options_.start_timeout) + ": " + log());
    if (!st->ok())
        throw std::runtime_error("moto_setup.py failed (exit " + std::to_string(st->exit_code) + "): " + setup.err() +
                                 "; moto_server log: " + log());
    auto values = parse_flat_json(setup.out());
    auto get = [&](const char* key) {
        auto it = values.find(key);
        if (it == values.end() || it->second.empty())
            throw std::runtime_error(std::string("moto_setup.py output lacks ") + key);
        return it->second;
    };
    creds_ = {get("access_key_id"), get("secret_access_key"), get("user_name"), get("user_arn"),
              get("role_name"),     get("role_arn"),          get("account_id")};
}

moto_sts::~moto_sts() = default;

env_map moto_sts::cli_env(const std::filesystem::path& home, const std::string& config) const {
    env_map e = client_env();
    e["HOME"] = home.string();
    e["AWS_ENDPOINT_URL_STS"] = endpoint();
    if (!config.empty()) {
        const auto path = home / "config";
        std::ofstream(path) << config;
        e["AWS_CONFIG_FILE"] = path.string();
    }
    return e;
}

env_map moto_sts::client_env() const {
    env_map env;
    for (const char* name : inherited_aws_variables) env[name] = std::nullopt;
    env["AWS_CA_BUNDLE"] = ca_file().string();
    env["AWS_DEFAULT_REGION"] = "us-east-1";
    env["AWS_REGION"] = "us-east-1";
    env["AWS_CONFIG_FILE"] = (root_ / "no-aws-config").string();
    env["AWS_SHARED_CREDENTIALS_FILE"] = (root_ / "no-aws-credentials").string();
    env["AWS_EC2_METADATA_DISABLED"] = "true";
    env["AWS_PAGER"] = "";
    env["MOTO_CA_FILE"] = ca_file().string();
    if (port_) env["MOTO_ENDPOINT"] = endpoint();
    return env;
}

env_map moto_sts::user_env() const {
    env_map env = client_env();
    env["AWS_ACCESS_KEY_ID"] = creds_.access_key_id;
    env["AWS_SECRET_ACCESS_KEY"] = creds_.secret_access_key;
    return env;
}

run_result moto_sts::python(const std::string& code, const env_map& env, std::chrono::milliseconds timeout) const {
    env_map e = client_env();
    for (const auto& [k, v] : env) e[k] = v;
    return run(spawn_options{{"python3", "-c", code}, std::move(e), std::nullopt, work_dir().string()}, timeout);
}

run_result moto_sts::aws(const std::vector<std::string>& args, const env_map& env,
                         std::chrono::milliseconds timeout) const {
    env_map e = client_env();
    for (const auto& [k, v] : env) e[k] = v;
    std::vector<std::string> argv{"aws", "--endpoint-url", endpoint()};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(spawn_options{std::move(argv), std::move(e), std::nullopt, work_dir().string()}, timeout);
}

std::string moto_sts::log() const {
    return server_ ? server_->out() + server_->err() : std::string();
}

}  // namespace test
