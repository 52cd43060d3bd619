// A transport decorator that records every byte written to and read from
// the TPM: the "bus" a passive listener would see. Header-only (Asio).
#pragma once

#include "tpmwire/transports/transport.hpp"

#include <memory>
#include <string>
#include <vector>

namespace test {

struct bus_record {
    std::vector<tpmwire::bytes> commands;
    std::vector<tpmwire::bytes> responses;

    // True when `needle` appears anywhere in what crossed the bus.
    bool contains(tpmwire::bytes_view needle) const {
        auto in = [&](const std::vector<tpmwire::bytes>& all) {
            for (const auto& b : all)
                if (std::search(b.begin(), b.end(), needle.begin(), needle.end()) != b.end()) return true;
            return false;
        };
        return in(commands) || in(responses);
    }
    // Responses that asked for the command to be sent again
    // (TPM_RC_RETRY, TPM_RC_YIELDED, TPM_RC_TESTING): libtpms answers
    // TPM_RC_RETRY once while it writes pending dictionary-attack state to NV.
    std::size_t retries() const {
        std::size_t n = 0;
        for (const auto& r : responses)
            if (r.size() == 10 && r[6] == 0 && r[7] == 0 && r[8] == 0x09 && (r[9] == 0x22 || r[9] == 0x08 || r[9] == 0x0A))
                ++n;
        return n;
    }
    // Codes of the commands the TPM answered, in order: a command resent at
    // the TPM's request (see retries()) counts once.
    std::vector<std::uint32_t> answered_codes() const {
        std::vector<std::uint32_t> out;
        const auto all = command_codes();
        for (std::size_t i = 0; i < all.size() && i < responses.size(); ++i) {
            const auto& r = responses[i];
            const bool resend = r.size() == 10 && r[6] == 0 && r[7] == 0 && r[8] == 0x09 &&
                                (r[9] == 0x22 || r[9] == 0x08 || r[9] == 0x0A);
            if (!resend) out.push_back(all[i]);
        }
        return out;
    }
    // Each TPM2_StartAuthSession sent: the salt key it names (TPM_RH_NULL:
    // none) and the size of its encryptedSalt. A salted session's keys come
    // from a secret only that TPM key can decrypt, so a recording gives no
    // way to a password it carries or a parameter it encrypts.
    struct session_start {
        std::uint32_t tpm_key = 0;
        std::size_t salt_size = 0;
    };
    std::vector<session_start> session_starts() const {
        std::vector<session_start> out;
        auto be = [](const tpmwire::bytes& b, std::size_t at, int n) {
            std::uint32_t v = 0;
            for (int i = 0; i < n; ++i) v = v << 8 | b.at(at + i);
            return v;
        };
        for (const auto& c : commands) {
            if (c.size() < 22 || be(c, 6, 4) != 0x176) continue;  // TPM_CC_StartAuthSession
            // header (10), tpmKey, bind, nonceCaller (TPM2B), encryptedSalt (TPM2B)
            const std::size_t salt_at = 20 + be(c, 18, 2);
            out.push_back({be(c, 10, 4), be(c, salt_at, 2)});
        }
        return out;
    }
    // Command codes sent, in order.
    std::vector<std::uint32_t> command_codes() const {
        std::vector<std::uint32_t> out;
        for (const auto& c : commands)
            if (c.size() >= 10) out.push_back(static_cast<std::uint32_t>(c[6]) << 24 | c[7] << 16 | c[8] << 8 | c[9]);
        return out;
    }
};

class capturing_transport final : public tpmwire::transport {
public:
    capturing_transport(std::unique_ptr<tpmwire::transport> inner, std::shared_ptr<bus_record> record)
        : inner_(std::move(inner)), record_(std::move(record)) {}
    tpmwire::net::awaitable<tpmwire::bytes> transact(tpmwire::bytes_view command) override {
        record_->commands.emplace_back(command.begin(), command.end());
        auto rsp = co_await inner_->transact(command);
        record_->responses.push_back(rsp);
        co_return rsp;
    }
    void close() noexcept override { inner_->close(); }
    bool is_open() const noexcept override { return inner_->is_open(); }
    tpmwire::net::awaitable<void> reopen() override { return inner_->reopen(); }
    std::string describe() const override { return inner_->describe(); }
    bool flushes_on_close() const noexcept override { return inner_->flushes_on_close(); }

private:
    std::unique_ptr<tpmwire::transport> inner_;
    std::shared_ptr<bus_record> record_;
};

}  // namespace test
