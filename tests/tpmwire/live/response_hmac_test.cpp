// A response whose HMAC does not verify is an error: one byte of the
// TPM's answer is changed in transit by a tampering transport.
#include "support/coro.hpp"
#include "support/swtpm.hpp"

#include "tpmwire/client/sessions.hpp"
#include "tpmwire/keyfile/templates.hpp"
#include "tpmwire/transports/open.hpp"

#include <catch2/catch.hpp>

using namespace tpmwire;

namespace {

// Flips one bit of the byte at `offset` from the end of the next response
// that carries sessions.
class tampering_transport final : public transport {
public:
    tampering_transport(std::unique_ptr<transport> inner, std::size_t offset) : inner_(std::move(inner)), offset_(offset) {}
    net::awaitable<bytes> transact(bytes_view command) override {
        auto rsp = co_await inner_->transact(command);
        if (armed && rsp.size() > offset_ && rsp[0] == 0x80 && rsp[1] == 0x02) {
            rsp[rsp.size() - 1 - offset_] ^= 0x01;
            armed = false;
        }
        co_return rsp;
    }
    void close() noexcept override { inner_->close(); }
    bool is_open() const noexcept override { return inner_->is_open(); }
    net::awaitable<void> reopen() override { return inner_->reopen(); }
    std::string describe() const override { return inner_->describe(); }
    bool armed = false;

private:
    std::unique_ptr<transport> inner_;
    std::size_t offset_;
};

net::awaitable<errc> hmac_through_session(client& tpm, tampering_transport& bus) {
    CreatePrimary cp;
    cp.inPublic.publicArea = h2_ecc_primary_template();
    auto primary = co_await tpm.execute(cp);
    AuthSession::parameters params;
    params.salt_handle = primary.objectHandle;
    params.salt_public = primary.outPublic.publicArea;
    // A session that authorizes nothing must encrypt or audit something.
    params.attributes = TPMA_SESSION_continueSession | TPMA_SESSION_encrypt;
    auto session = co_await start_session(tpm, params);
    const GetRandom random{8};
    std::array<Session*, 1> extra{session.get()};
    bus.armed = true;
    errc kind = errc::usage;
    try {
        co_await tpm.execute(random, extra);
    } catch (const error& e) {
        kind = e.kind();
    }
    co_await tpm.flush_tracked();
    co_return kind;
}

}  // namespace

TEST_CASE("a response HMAC that does not verify is refused", "[swtpm]") {
    test::swtpm sw;
    net::io_context io;
    auto offset = GENERATE(std::size_t{0}, std::size_t{20});  // in the HMAC, in the nonce
    auto bus = std::make_unique<tampering_transport>(make_transport(io.get_executor(), parse_tpm_address(sw.address())),
                                                     offset);
    auto* raw = bus.get();
    client tpm(io.get_executor(), std::move(bus));
    CHECK(test::run_coro(io, hmac_through_session(tpm, *raw)) == errc::integrity);
}
