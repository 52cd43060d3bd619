// Handle hygiene on a TPM without a resource manager (swtpm): everything a
// scoped() block creates is flushed after success and after each kind of
// failure: a TPM error, a failed authorization, and an exception of the
// caller's own.
#include "support/coro.hpp"
#include "support/swtpm.hpp"

#include "tpmwire/client/sessions.hpp"
#include "tpmwire/keyfile/templates.hpp"
#include "tpmwire/transports/open.hpp"

#include <catch2/catch.hpp>

using namespace tpmwire;

namespace {

enum class ending { success, tpm_error, bad_auth, caller_exception };

// Creates a primary, a key under it and a session; then ends as asked.
net::awaitable<int> busy_body(client& tpm, ending how) {
    CreatePrimary cp;
    cp.inPublic.publicArea = h2_ecc_primary_template();
    auto primary = co_await tpm.execute(cp);

    Create create;
    create.parentHandle = AuthHandle(primary.objectHandle, primary.name);
    create.inSensitive.sensitive.userAuth = TPM2B_AUTH(to_bytes("right"));
    create.inSensitive.sensitive.data = TPM2B_SENSITIVE_DATA(to_bytes("AWS4secret"));
    create.inPublic.publicArea = hmac_key_template(TPMA_OBJECT_fixedTPM | TPMA_OBJECT_fixedParent |
                                                   TPMA_OBJECT_userWithAuth | TPMA_OBJECT_noDA | TPMA_OBJECT_sign);
    auto created = co_await tpm.execute(create);
    Load load;
    load.parentHandle = AuthHandle(primary.objectHandle, primary.name);
    load.inPrivate = created.outPrivate;
    load.inPublic = created.outPublic;
    auto key = co_await tpm.execute(load);

    AuthSession::parameters params;
    params.salt_handle = primary.objectHandle;
    params.salt_public = primary.outPublic.publicArea;
    auto session = co_await start_session(tpm, params);
    CHECK(tpm.tracked().size() == 3);

    HMAC hmac;
    hmac.handle = AuthHandle(key.objectHandle, key.name, session.get());
    hmac.buffer = TPM2B_MAX_BUFFER(to_bytes("20150830"));
    hmac.hashAlg = TPM_ALG_SHA256;
    switch (how) {
        case ending::success:
            session->set_auth_value(to_bytes("right"));
            co_await tpm.execute(hmac);
            co_return 1;
        case ending::tpm_error: {
            const ReadPublic missing{NamedHandle(0x81777777)};
            co_await tpm.execute(missing);
            co_return 0;
        }
        case ending::bad_auth:
            session->set_auth_value(to_bytes("wrong"));
            co_await tpm.execute(hmac);
            co_return 0;
        case ending::caller_exception:
            throw std::runtime_error("the caller's own failure");
    }
    co_return 0;
}

net::awaitable<int> scoped_run(client& tpm, ending how) { co_return co_await tpm.scoped(busy_body(tpm, how)); }

}  // namespace

TEST_CASE("scoped() leaves no transient object or session behind, on every path", "[swtpm]") {
    auto how = GENERATE(ending::success, ending::tpm_error, ending::bad_auth, ending::caller_exception);
    test::swtpm sw;
    net::io_context io;
    {
        client tpm(io.get_executor(), make_transport(io.get_executor(), parse_tpm_address(sw.address())));
        int result = -1;
        std::string failure;
        try {
            result = test::run_coro(io, scoped_run(tpm, how));
        } catch (const std::exception& e) {
            failure = e.what();
        }
        switch (how) {
            case ending::success: CHECK(result == 1); break;
            case ending::tpm_error: CHECK_THAT(failure, Catch::StartsWith("TPM2_ReadPublic: TPM_RC_HANDLE")); break;
            case ending::bad_auth: CHECK_THAT(failure, Catch::StartsWith("TPM2_HMAC: TPM_RC_BAD_AUTH (session 1)")); break;
            case ending::caller_exception: CHECK(failure == "the caller's own failure"); break;
        }
        CHECK(tpm.tracked().empty());
    }
    CHECK(sw.transient_handles().empty());
    CHECK(sw.loaded_sessions().empty());
}
