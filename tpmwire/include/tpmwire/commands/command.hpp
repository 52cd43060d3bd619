// One generic encoder and decoder for every TPM command (Part 1 §18).
//
// A command is an aggregate with its handles and parameters, e.g.
//
//   struct HMAC {
//       static constexpr TPM_CC command_code = TPM_CC_HMAC;
//       static constexpr std::string_view name = "TPM2_HMAC";
//       AuthHandle handle;                 // authorized: carries its session
//       TPM2B_MAX_BUFFER buffer;
//       TPMI_ALG_HASH hashAlg = TPM_ALG_NULL;
//       auto handles() const { return std::tie(handle); }
//       auto params() const { return std::tie(buffer, hashAlg); }
//       struct response { TPM2B_DIGEST outHMAC; auto handles() { return std::tie(); }
//                         auto params() { return std::tie(outHMAC); } };
//   };
//
// and optionally traits the client reads instead of switching on the code:
//
//   static constexpr bool creates_key = true;   // key_generation_timeout applies
//   std::array<TPM_HANDLE, 1> consumed() const; // handles a success flushes
//
// encode() lays out header, handles, authorization area and parameters, and
// lets each session encrypt and authorize; decode() checks the header, the
// response HMACs and decrypts before unmarshalling. Nothing here does I/O.
#pragma once

#include "tpmwire/commands/session.hpp"
#include "tpmwire/marshal/rc.hpp"

#include <array>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <vector>

namespace tpmwire {

// A handle that needs no authorization. The name is needed only when an
// HMAC session covers the command; for permanent handles, PCRs and sessions
// it is derived from the handle when left empty.
struct NamedHandle {
    NamedHandle() = default;
    NamedHandle(TPM_HANDLE h, TPM2B_NAME n = {}) : handle(h), name(std::move(n)) {}
    TPM_HANDLE handle = TPM_RH_NULL;
    TPM2B_NAME name;
};

// A handle that needs authorization (the spec's "@" handles). A null `auth`
// means the empty password (TPM_RS_PW with an empty HMAC).
struct AuthHandle {
    AuthHandle() = default;
    AuthHandle(TPM_HANDLE h, TPM2B_NAME n = {}, Session* a = nullptr) : handle(h), name(std::move(n)), auth(a) {}
    TPM_HANDLE handle = TPM_RH_NULL;
    TPM2B_NAME name;
    Session* auth = nullptr;
};

template <class C>
concept tpm_command = requires(const C& c) {
    { C::command_code } -> std::convertible_to<TPM_CC>;
    { C::name } -> std::convertible_to<std::string_view>;
    typename C::response;
    c.handles();
    c.params();
};

// The command's creates_key trait (false when it declares none).
template <tpm_command C>
inline constexpr bool creates_key = requires { requires C::creates_key; };

// The handles `cmd` flushes when it succeeds (none unless it declares consumed()).
template <tpm_command C>
auto consumed_handles(const C& cmd) {
    if constexpr (requires { cmd.consumed(); })
        return cmd.consumed();
    else
        return std::array<TPM_HANDLE, 0>{};
}

namespace detail {

struct handle_slot {
    TPM_HANDLE handle = 0;
    TPM2B_NAME name;
    Session* auth = nullptr;
    bool authorized = false;
};

inline handle_slot slot_of(TPM_HANDLE h) { return {h, {}, nullptr, false}; }
inline handle_slot slot_of(const NamedHandle& h) { return {h.handle, h.name, nullptr, false}; }
inline handle_slot slot_of(const AuthHandle& h) { return {h.handle, h.name, h.auth, true}; }

template <class Tuple>
constexpr bool first_is_sized() {
    if constexpr (std::tuple_size_v<Tuple> == 0) {
        return false;
    } else {
        using first = std::remove_cvref_t<std::tuple_element_t<0, Tuple>>;
        return requires { first::is_sized_buffer; };
    }
}

// The non-template halves of encode/decode.
bytes assemble_command(TPM_CC cc, std::vector<handle_slot>& handles, bytes params, bool first_param_sized,
                       std::span<Session* const> extra, std::vector<Session*>& sessions);

struct response_parts {
    std::vector<TPM_HANDLE> handles;
    bytes parameters;
};
response_parts split_response(TPM_CC cc, std::string_view command_name, bytes_view response,
                              std::size_t handle_count, std::span<Session* const> sessions,
                              bool first_param_sized);

}  // namespace detail

// Marshals `cmd` and runs its sessions. `sessions` receives every session
// in the authorization area, in order (authorizing sessions first, then
// `extra` ones used only for encryption or audit); pass it to decode().
template <tpm_command C>
bytes encode(const C& cmd, std::vector<Session*>& sessions, std::span<Session* const> extra = {}) {
    std::vector<detail::handle_slot> handles;
    std::apply([&](const auto&... h) { (handles.push_back(detail::slot_of(h)), ...); }, cmd.handles());
    Writer params;
    std::apply([&](const auto&... p) { (marshal(params, p), ...); }, cmd.params());
    constexpr bool sized = detail::first_is_sized<decltype(cmd.params())>();
    return detail::assemble_command(C::command_code, handles, params.take(), sized, extra, sessions);
}

// Checks and unmarshals the TPM's answer to `cmd`. Throws errc::tpm for a
// TPM error code, errc::integrity for a response HMAC that does not verify
// and errc::marshal for a malformed response.
template <tpm_command C>
typename C::response decode(const C&, bytes_view response, std::span<Session* const> sessions) {
    typename C::response out;
    auto handle_refs = out.handles();
    constexpr std::size_t handle_count = std::tuple_size_v<decltype(handle_refs)>;
    using out_params = decltype(out.params());
    constexpr bool sized = detail::first_is_sized<out_params>();
    auto parts = detail::split_response(C::command_code, C::name, response, handle_count, sessions, sized);
    std::size_t i = 0;
    std::apply([&](auto&... h) { ((h = parts.handles[i++]), ...); }, handle_refs);
    try {
        Reader r(parts.parameters);
        std::apply([&](auto&... p) { (unmarshal(r, p), ...); }, out.params());
        r.expect_end("response parameters");
    } catch (const error& e) {
        throw error(errc::marshal, std::string(C::name) + " response: " + e.what(), 0, C::command_code);
    }
    return out;
}

}  // namespace tpmwire
