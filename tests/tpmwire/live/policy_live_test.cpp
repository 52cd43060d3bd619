// The offline policy-digest calculator against what the TPM computes in a
// trial session, and against the file tpm2_policypcr writes.
#include "support/coro.hpp"
#include "support/swtpm.hpp"

#include "tpmwire/client/sessions.hpp"
#include "tpmwire/sessions/hash.hpp"
#include "tpmwire/sessions/name.hpp"
#include "tpmwire/sessions/policy_digest.hpp"
#include "tpmwire/transports/open.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>

using namespace tpmwire;

namespace {

net::awaitable<std::unique_ptr<AuthSession>> trial(client& tpm) {
    AuthSession::parameters params;
    params.type = TPM_SE_TRIAL;
    params.symmetric = {TPM_ALG_NULL, 0, 0};
    co_return co_await start_session(tpm, params);
}

struct digests {
    bytes pcr_value;
    bytes pcr, auth_value, password, secret, duplication, or_of_two;
};

net::awaitable<digests> tpm_digests(client& tpm) {
    digests d;
    const PCR_Read read{pcr_selection(TPM_ALG_SHA256, {23})};
    auto pcrs = co_await tpm.execute(read);
    d.pcr_value = pcrs.pcrValues.digests.at(0).buffer;

    {
        auto s = co_await trial(tpm);
        PolicyPCR pcr;
        pcr.policySession = NamedHandle(s->handle());
        pcr.pcrs = pcr_selection(TPM_ALG_SHA256, {23});
        co_await tpm.execute(pcr);
        d.pcr = co_await policy_get_digest(tpm, *s);
        co_await tpm.flush(s->handle());
    }
    {
        auto s = co_await trial(tpm);
        co_await policy_auth_value(tpm, *s);
        d.auth_value = co_await policy_get_digest(tpm, *s);
        co_await tpm.flush(s->handle());
    }
    {
        auto s = co_await trial(tpm);
        co_await policy_password(tpm, *s);  // the empty password: allowed
        d.password = co_await policy_get_digest(tpm, *s);
        co_await tpm.flush(s->handle());
    }
    {
        auto s = co_await trial(tpm);
        PolicySecret secret;
        secret.authHandle = AuthHandle(TPM_RH_ENDORSEMENT);
        secret.policySession = NamedHandle(s->handle());
        co_await tpm.execute(secret);
        d.secret = co_await policy_get_digest(tpm, *s);
        co_await tpm.flush(s->handle());
    }
    {
        auto s = co_await trial(tpm);
        PolicyDuplicationSelect dup;
        dup.policySession = NamedHandle(s->handle());
        dup.newParentName = TPM2B_NAME(from_hex("000b" + std::string(64, 'c')));
        dup.includeObject = 0;
        co_await tpm.execute(dup);
        d.duplication = co_await policy_get_digest(tpm, *s);
        co_await tpm.flush(s->handle());
    }
    {
        // PolicyOR needs the current digest to be one of the branches.
        auto s = co_await trial(tpm);
        co_await policy_auth_value(tpm, *s);
        PolicyOR any;
        any.policySession = NamedHandle(s->handle());
        any.pHashList.digests = {TPM2B_DIGEST(d.auth_value), TPM2B_DIGEST(d.duplication)};
        co_await tpm.execute(any);
        d.or_of_two = co_await policy_get_digest(tpm, *s);
        co_await tpm.flush(s->handle());
    }
    co_return d;
}

}  // namespace

TEST_CASE("policy digests: calculator == TPM trial session == tpm2_policypcr", "[swtpm]") {
    test::swtpm sw;
    digests d;
    {
        net::io_context io;
        client tpm(io.get_executor(), make_transport(io.get_executor(), parse_tpm_address(sw.address())));
        d = test::run_coro(io, tpm_digests(tpm));
        CHECK(tpm.tracked().empty());
    }
    auto calc_pcr = policy_digest().pcr(pcr_selection(TPM_ALG_SHA256, {23}), pcr_digest(TPM_ALG_SHA256, {d.pcr_value}));
    CHECK(to_hex(calc_pcr.digest()) == to_hex(d.pcr));
    CHECK(to_hex(policy_digest().auth_value().digest()) == to_hex(d.auth_value));
    CHECK(to_hex(policy_digest().password().digest()) == to_hex(d.password));
    CHECK(to_hex(policy_digest().secret(handle_name(TPM_RH_ENDORSEMENT)).digest()) == to_hex(d.secret));
    CHECK(to_hex(d.secret) == "837197674484b3f81a90cc8d46a5d724fd52d76e06520b64f2a1da1b331469aa");
    auto dup = policy_digest().duplication_select(TPM2B_NAME(from_hex("000b" + std::string(64, 'c'))), {}, false);
    CHECK(to_hex(dup.digest()) == to_hex(d.duplication));
    CHECK(to_hex(policy_digest().or_({d.auth_value, d.duplication}).digest()) == to_hex(d.or_of_two));

    // tpm2_policypcr's policy file for the same PCR.
    auto r = sw.tool({"tpm2_startauthsession", "-S", "trial.ctx"});
    REQUIRE(r.ok());
    r = sw.tool({"tpm2_policypcr", "-S", "trial.ctx", "-l", "sha256:23", "-L", "pcr23.policy"});
    REQUIRE(r.ok());
    std::ifstream in(sw.work_dir() / "pcr23.policy", std::ios::binary);
    bytes file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK(to_hex(file) == to_hex(calc_pcr.digest()));
}
