// `aws-tpm-process-credential whoami`: GetCallerIdentity signed with the
// TPM-held key (kDate from the TPM, as the credential flow computes it), or
// with --via-sts signed with the temporary credentials the credential flow
// obtains. The one-command check that a key and its access key id match.
#include "commands/commands.hpp"
#include "commands/credential_flags.hpp"
#include "commands/parse.hpp"
#include "commands/whoami/whoami_options.hpp"

#include "credential/fetch.hpp"
#include "runner/bounded_run.hpp"
#include "sts/signing.hpp"
#include "base/error.hpp"
#include "output/process_output.hpp"
#include "sigv4/amz_date.hpp"
#include "sts/endpoint.hpp"
#include "sts/identity.hpp"
#include "tpm/kdate.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <fmt/format.h>

namespace atpc::commands {

namespace net = boost::asio;
using namespace boost::asio::experimental::awaitable_operators;

namespace {

sts::call_options call_options_for(const credential::settings& o, const env_lookup& env,
                                   std::chrono::steady_clock::time_point deadline) {
    return sts::resolve_call_options(sts::endpoint_inputs{o.sts_endpoint, o.region}, o.ca_bundle, env, deadline);
}

// Runs `body` under the run's deadline (runner/bounded_run.hpp).
template <class T>
T run(net::awaitable<T> body, std::chrono::steady_clock::time_point deadline, std::chrono::milliseconds budget,
      const std::string& what) {
    return runner::run_bounded(std::move(body), deadline, [&] {
        return fmt::format("no answer within the {} ms deadline (--deadline) while {}", budget.count(), what);
    });
}

net::awaitable<sts::caller_identity> signed_by_tpm(const credential::settings& o, const tpm::key_plan& plan,
                                                   sts::call_options call, std::chrono::steady_clock::time_point deadline,
                                                   tpm::trace_fn trace) {
    std::string date = sigv4::date_stamp(sigv4::amz_date(std::chrono::system_clock::now()));
    // As in the credential flow: STS's connection opens while the TPM works.
    sts::early_connection early(call);
    auto tpm_work = tpm::kdate_from(plan, o.timeout, deadline, date, trace);
    auto opening = early.open();
    tpm::kdate_result kd = co_await (std::move(tpm_work) && std::move(opening));
    if (trace) trace("STS: GetCallerIdentity at " + call.target.url() + ", signed with the TPM key");
    const sts::signer sign = sts::make_signer(o.access_key_id, kd.kdate, date, {call.target.signing_region, "sts"});
    co_return co_await sts::get_caller_identity(std::move(call), sign, std::move(early));
}

}  // namespace

cli::flag_table whoami_rows(whoami_options& o) {
    cli::flag_table via_sts{{.name = "via-sts", .kind = cli::flag_kind::boolean,
                             .help = "sign with the temporary credentials instead of the TPM key",
                             .set = cli::store(o.via_sts)}};
    return cli::join({credential_rows(o.settings), via_sts, cli::common_rows(o)});
}

std::string whoami_usage() {
    whoami_options unused;
    return "Usage: aws-tpm-process-credential whoami --aws-access-key-id=AKID [--via-sts] [flags]\n"
           "\n"
           "Signs STS GetCallerIdentity with the TPM-held key and prints the account, ARN and user id\n"
           "it belongs to: the check that a key in the TPM and an access key id match. With --via-sts,\n"
           "first obtains temporary credentials exactly as credential_process would (GetSessionToken,\n"
           "or AssumeRole with --assumeRole=true --aws-arn=...) and signs with those instead.\n"
           "\n"
           "Flags (-flag and --flag, -flag=value and -flag value):\n" +
           cli::flag_help(whoami_rows(unused));
}

int whoami_main(int argc, char** argv, const env_lookup& env) {
    whoami_options w;
    if (parse_or_help(argc, argv, whoami_rows(w), env, w, whoami_usage)) return 0;
    const credential::settings& o = w.settings;
    validate(o);
    tpm::trace_fn trace = output::debug_trace(w.debug);

    const auto deadline = std::chrono::steady_clock::now() + o.deadline;
    sts::caller_identity id;
    if (w.via_sts) {
        // The credential flow itself (its own deadline), then a software-signed call.
        const sts::credentials creds = credential::fetch(o, env, trace);
        sts::call_options call = call_options_for(o, env, deadline);
        call.trace = trace;
        if (trace) trace("STS: GetCallerIdentity at " + call.target.url() + ", signed with the temporary credentials");
        const sts::signer sign = sts::make_temporary_signer(creds, {call.target.signing_region, "sts"});
        id = run(sts::get_caller_identity(std::move(call), sign), deadline, o.deadline, "calling STS GetCallerIdentity");
    } else {
        const tpm::key_plan plan = credential::plan_from(o);
        sts::call_options call = call_options_for(o, env, deadline);
        call.trace = trace;
        id = run(signed_by_tpm(o, plan, std::move(call), deadline, trace), deadline, o.deadline,
                 "computing kDate and calling STS GetCallerIdentity");
    }
    std::string out = fmt::format("Account: {}\nArn:     {}\nUserId:  {}\n", id.account, id.arn, id.user_id);
    if (!output::write_all(1, out)) throw error(fault::config, "cannot write to standard output");
    return 0;
}

}  // namespace atpc::commands
