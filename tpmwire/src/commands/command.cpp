#include "tpmwire/commands/command.hpp"

#include <array>
#include <cstdio>

namespace tpmwire {
namespace detail {

namespace {

constexpr std::size_t header_size = 10;  // tag, size, code
constexpr std::size_t max_sessions = 3;  // Part 1 §18.9

std::string hex32(std::uint32_t v) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%08x", v);
    return buf;
}

bool named_by_handle(TPM_HANDLE h) {
    switch (handle_type(h)) {
        case TPM_HT_PCR:
        case TPM_HT_HMAC_SESSION:
        case TPM_HT_POLICY_SESSION:
        case TPM_HT_PERMANENT:
            return true;
        default:
            return false;
    }
}

// The data bytes of the TPM2B at the start of `area` (after its size).
std::span<byte> first_sized_data(bytes& area, std::string_view what) {
    if (area.size() < 2) throw error(errc::marshal, std::string(what) + ": first parameter is missing");
    std::size_t n = static_cast<std::size_t>(area[0]) << 8 | area[1];
    if (n > area.size() - 2) throw error(errc::marshal, std::string(what) + ": first parameter overruns the area");
    return std::span<byte>(area).subspan(2, n);
}

// The names of the handles (cpHash input) and the sessions in the
// authorization area: one per handle that needs authorization, then `extra`.
std::vector<TPM2B_NAME> names_and_sessions(TPM_CC cc, std::vector<handle_slot>& handles,
                                           std::span<Session* const> extra, std::vector<Session*>& sessions) {
    std::vector<TPM2B_NAME> names;
    names.reserve(handles.size());
    for (auto& h : handles) {
        if (h.name.empty() && named_by_handle(h.handle)) {
            Writer w;
            w.u32(h.handle);
            h.name = TPM2B_NAME(w.take());
        }
        names.push_back(std::move(h.name));  // `handles` is encode()'s own copy
        if (h.authorized) sessions.push_back(h.auth ? h.auth : &empty_password());
    }
    for (Session* s : extra)
        if (s) sessions.push_back(s);
    if (sessions.size() > max_sessions)
        throw error(errc::usage, "a command carries at most 3 sessions, " + std::to_string(sessions.size()) + " given",
                    0, cc);
    return names;
}

struct crypt_sessions {
    Session* decrypt = nullptr;  // encrypts the command's first parameter
    Session* encrypt = nullptr;  // encrypts the response's first parameter
};

// Starts each session's command (fresh nonces) and finds the one session,
// if any, for each direction of parameter encryption.
crypt_sessions begin_sessions(TPM_CC cc, const std::vector<Session*>& sessions) {
    crypt_sessions out;
    for (Session* s : sessions) {
        s->begin_command();
        TPMA_SESSION a = s->attributes();
        if (a & TPMA_SESSION_decrypt) {
            if (out.decrypt) throw error(errc::usage, "only one session may encrypt a command", 0, cc);
            out.decrypt = s;
        }
        if (a & TPMA_SESSION_encrypt) {
            if (out.encrypt) throw error(errc::usage, "only one session may encrypt a response", 0, cc);
            out.encrypt = s;
        }
    }
    return out;
}

// The authorization area over the final (encrypted) parameters.
bytes authorization_area(TPM_CC cc, std::span<const TPM2B_NAME> names, bytes_view params,
                          const std::vector<Session*>& sessions, crypt_sessions crypt) {
    Writer area;
    for (std::size_t i = 0; i < sessions.size(); ++i) {
        command_context ctx;
        ctx.commandCode = cc;
        ctx.names = names;
        ctx.parameters = params;
        ctx.first = i == 0;
        if (i == 0) {
            if (crypt.decrypt && crypt.decrypt != sessions[0]) ctx.decryptNonce = crypt.decrypt->nonce_tpm();
            if (crypt.encrypt && crypt.encrypt != sessions[0] && crypt.encrypt != crypt.decrypt)
                ctx.encryptNonce = crypt.encrypt->nonce_tpm();
        }
        marshal(area, sessions[i]->authorize(ctx));
    }
    return area.take();
}

}  // namespace

bytes assemble_command(TPM_CC cc, std::vector<handle_slot>& handles, bytes params, bool first_param_sized,
                       std::span<Session* const> extra, std::vector<Session*>& sessions) {
    sessions.clear();
    const std::vector<TPM2B_NAME> names = names_and_sessions(cc, handles, extra, sessions);
    const crypt_sessions crypt = begin_sessions(cc, sessions);
    if (crypt.decrypt) {
        if (!first_param_sized)
            throw error(errc::usage, "command " + hex32(cc) + " cannot use parameter encryption: its first "
                        "parameter is not a sized buffer", 0, cc);
        crypt.decrypt->encrypt_parameter(first_sized_data(params, "command parameters"));
    }
    const bytes auth_area = authorization_area(cc, names, params, sessions, crypt);

    Writer w;
    w.u16(sessions.empty() ? TPM_ST_NO_SESSIONS : TPM_ST_SESSIONS);
    w.u32(0);  // size, patched below
    w.u32(cc);
    for (const auto& h : handles) w.u32(h.handle);
    if (!sessions.empty()) {
        w.u32(static_cast<std::uint32_t>(auth_area.size()));
        w.raw(auth_area);
    }
    w.raw(params);
    bytes out = w.take();
    std::uint32_t size = static_cast<std::uint32_t>(out.size());
    out[2] = static_cast<byte>(size >> 24);
    out[3] = static_cast<byte>(size >> 16);
    out[4] = static_cast<byte>(size >> 8);
    out[5] = static_cast<byte>(size);
    return out;
}

response_parts split_response(TPM_CC cc, std::string_view command_name, bytes_view response,
                              std::size_t handle_count, std::span<Session* const> sessions,
                              bool first_param_sized) {
    // Built only for a message: this runs on every response.
    auto what = [&] { return std::string(command_name) + " response"; };
    response_parts out;
    TPM_RC rc = 0;
    try {
        Reader r(response);
        TPM_ST tag = r.u16("tag");
        std::uint32_t size = r.u32("responseSize");
        rc = r.u32("responseCode");
        if (size != response.size())
            throw error(errc::marshal, "responseSize " + std::to_string(size) + " but " +
                                           std::to_string(response.size()) + " bytes received");
        if (rc != 0) {
            if (response.size() != header_size)
                throw error(errc::marshal, "error response longer than its header");
        } else {
            for (std::size_t i = 0; i < handle_count; ++i) out.handles.push_back(r.u32("handle"));
            if (sessions.empty()) {
                if (tag != TPM_ST_NO_SESSIONS) throw error(errc::marshal, "tag " + hex32(tag) + " but no sessions were sent");
                auto rest = r.raw(r.remaining(), "parameters");
                out.parameters.assign(rest.begin(), rest.end());
            } else {
                if (tag != TPM_ST_SESSIONS) throw error(errc::marshal, "tag " + hex32(tag) + " but sessions were sent");
                std::uint32_t parameter_size = r.u32("parameterSize");
                auto params = r.raw(parameter_size, "parameters");
                out.parameters.assign(params.begin(), params.end());
                std::array<TPMS_AUTH_RESPONSE, max_sessions> auths;
                if (sessions.size() > auths.size()) throw error(errc::usage, "more than 3 sessions");
                for (std::size_t i = 0; i < sessions.size(); ++i) unmarshal(r, auths[i]);
                r.expect_end("authorization area");
                response_context ctx{cc, params};
                for (std::size_t i = 0; i < sessions.size(); ++i) sessions[i]->verify(ctx, auths[i]);
            }
        }
    } catch (const error& e) {
        if (e.kind() != errc::marshal) throw;
        throw error(errc::marshal, what() + ": " + e.what(), 0, cc);
    }
    if (rc != 0) throw error(errc::tpm, std::string(command_name) + ": " + describe_rc(rc), rc, cc);
    for (Session* s : sessions) {
        if (s->attributes() & TPMA_SESSION_encrypt) {
            if (!first_param_sized)
                throw error(errc::usage, what() + ": first parameter is not a sized buffer and cannot be encrypted", 0,
                            cc);
            s->decrypt_parameter(first_sized_data(out.parameters, what()));
            break;
        }
    }
    return out;
}

}  // namespace detail
}  // namespace tpmwire
