#include "credential/fetch.hpp"

#include "runner/bounded_run.hpp"
#include "sts/signing.hpp"
#include "base/error.hpp"
#include "sigv4/amz_date.hpp"
#include "sts/actions.hpp"
#include "sts/client.hpp"
#include "sts/endpoint.hpp"
#include "tpm/kdate.hpp"

#include "runner/run_until.hpp"
#include "tpmwire/keyfile/keyfile.hpp"
#include "tpmwire/transports/address.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <fmt/format.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace atpc::credential {

namespace net = boost::asio;
using namespace std::chrono_literals;
using namespace boost::asio::experimental::awaitable_operators;

namespace {

std::string generated_session_name() {
    unsigned char r[8];
    if (RAND_bytes(r, sizeof r) != 1) throw error(fault::internal, "no randomness for the session name");
    return "aws-tpm-" + tpmwire::to_hex(tpmwire::bytes_view(r, sizeof r));
}

struct run_state {
    const settings& o;
    tpm::key_plan plan;
    sts::call_options call;
    sts::query_request request;
    tpm::trace_fn trace;
    std::chrono::steady_clock::time_point deadline;
    std::string stage = "starting";
};

net::awaitable<tpm::kdate_result> tpm_part(run_state& s, std::string date) {
    s.stage = "waiting for the TPM lock";
    auto result = co_await tpm::kdate_from(s.plan, s.o.timeout, s.deadline, std::move(date), s.trace,
                                           [&s] { s.stage = "using the TPM at " + s.plan.address.to_string(); });
    s.stage = "connecting to STS at " + s.call.target.url();
    co_return result;
}

net::awaitable<sts::credentials> pipeline(run_state& s) {
    // kDate for today's UTC date; the signer copes with a retry past midnight.
    std::string date = sigv4::date_stamp(sigv4::amz_date(std::chrono::system_clock::now()));
    // The STS connection (lookup, connect, proxy, TLS handshake) needs
    // nothing from the TPM: open it while the TPM works. If the TPM part
    // fails, the opening is cancelled and the TPM's error is the one reported.
    sts::early_connection early(s.call);
    auto tpm_work = tpm_part(s, date);
    auto opening = early.open();
    tpm::kdate_result kd = co_await (std::move(tpm_work) && std::move(opening));

    s.stage = "calling STS at " + s.call.target.url();
    if (s.trace) s.trace("STS: " + s.request.action + " at " + s.call.target.url() + " (" + s.call.target.source + ")");
    const sts::signer sign = sts::make_signer(s.o.access_key_id, kd.kdate, date, {s.call.target.signing_region, "sts"});
    co_return co_await sts::call(s.call, s.request, sign, std::move(early));
}

// A key file is a few hundred bytes of PEM: read it with plain read(2) (an
// ifstream would initialise the C++ locale machinery, resident
// libstdc++ pages in a process this short) and refuse anything that cannot
// be one rather than read it whole.
tpmwire::bytes read_key_file(const std::string& path) {
    constexpr std::size_t max_key_file = 64 * 1024;
    auto failed = [&](const char* what) {
        return error(fault::config, "cannot read --credential-file " + path + ": " + what);
    };
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw failed(std::strerror(errno));
    tpmwire::bytes content;
    tpmwire::byte buf[4096];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            int e = errno;
            ::close(fd);
            throw failed(std::strerror(e));
        }
        if (n == 0) break;
        content.insert(content.end(), buf, buf + n);
        if (content.size() > max_key_file) {
            ::close(fd);
            throw failed("larger than 64 KiB, not a TSS2 key file");
        }
    }
    ::close(fd);
    tpmwire::secure_zero(buf, sizeof buf);
    return content;
}

}  // namespace

tpm::key_plan plan_from(const settings& o) {
    tpm::key_plan plan;
    try {
        plan.address = tpmwire::parse_tpm_address(o.tpm_path);
    } catch (const tpmwire::error& e) {
        throw error(fault::usage, std::string("--tpm-path: ") + e.what());
    }
    plan.persistent_handle = o.persistent_handle;
    if (!o.credential_file.empty()) {
        const tpmwire::bytes content = read_key_file(o.credential_file);
        try {
            plan.key_file = tpmwire::parse_tss2_key(content);
        } catch (const tpmwire::error& e) {
            throw error(fault::config, o.credential_file + ": " + e.what());
        }
        if (plan.key_file->type != tpmwire::keyfile_type::loadable)
            throw error(fault::config, o.credential_file + ": not a loadable key (importable and sealed keys are not supported)");
        plan.key_file_path = o.credential_file;
    }
    plan.key_auth = tpmwire::bytes(o.key_pass.begin(), o.key_pass.end());
    plan.parent_auth = tpmwire::bytes(o.parent_pass.begin(), o.parent_pass.end());
    plan.pcrs = o.pcrs;
    plan.ek_parent = o.use_ek_parent;
    plan.salt_name = o.encrypt_with_name;
    plan.lockout_reserve = o.lockout_reserve;
    return plan;
}

namespace {

// Everything about STS is settled before any I/O: the endpoint, the trust
// store and the request.
void prepare_call(run_state& s, const env_lookup& env) {
    const settings& o = s.o;
    s.call = sts::resolve_call_options(sts::endpoint_inputs{o.sts_endpoint, o.region}, o.ca_bundle, env, s.deadline);
    s.call.trace = s.trace;
    std::optional<sts::mfa> mfa;
    if (o.serial_number) mfa = sts::mfa{*o.serial_number, o.token_code.value_or("")};
    if (o.assume_role) {
        sts::assume_role_params p;
        p.role_arn = o.role_arn;
        p.role_session_name = o.session_name.empty() ? generated_session_name() : o.session_name;
        p.duration_seconds = o.duration.count();
        p.external_id = o.external_id;
        p.mfa_device = mfa;
        p.source_identity = o.source_identity;
        s.request = sts::build_request(p);
    } else {
        sts::get_session_token_params p;
        p.duration_seconds = o.duration.count();
        p.mfa_device = mfa;
        s.request = sts::build_request(p);
    }
}

}  // namespace

net::awaitable<sts::credentials> fetch_async(settings o, env_lookup env, tpm::trace_fn trace) {
    // OpenSSL reads its configuration on first use; do it now rather than
    // while holding the TPM lock.
    OPENSSL_init_ssl(OPENSSL_INIT_LOAD_CONFIG, nullptr);
    run_state s{o, plan_from(o), {}, {}, std::move(trace), std::chrono::steady_clock::now() + o.deadline};
    prepare_call(s, env);
    auto work = pipeline(s);
    std::optional<sts::credentials> got = co_await runner::run_until(std::move(work), s.deadline);
    if (!got)
        throw error(fault::timeout, fmt::format("no credentials within the {} ms deadline (--deadline) while {}",
                                                o.deadline.count(), s.stage));
    co_return std::move(*got);
}

sts::credentials fetch(const settings& o, const env_lookup& env, tpm::trace_fn trace) {
    // fetch_async keeps the deadline and names the stage it stopped in; the
    // runner's own, a moment later, only backs it up.
    const auto backstop = std::chrono::steady_clock::now() + o.deadline + 1s;
    return runner::run_bounded(fetch_async(o, env, std::move(trace)), backstop, [&] {
        return fmt::format("no credentials within the {} ms deadline (--deadline)", o.deadline.count());
    });
}

}  // namespace atpc::credential
