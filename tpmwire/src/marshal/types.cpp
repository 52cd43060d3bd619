#include "tpmwire/marshal/types.hpp"

#include <string>

namespace tpmwire {

namespace {

[[noreturn]] void fail(const std::string& message) { throw error(errc::marshal, message); }

std::string hex16(std::uint32_t v) {
    static constexpr char d[] = "0123456789abcdef";
    std::string s = "0x";
    bool started = false;
    for (int shift = 28; shift >= 0; shift -= 4) {
        unsigned n = (v >> shift) & 0xF;
        if (n || started || shift < 16) {
            s.push_back(d[n]);
            started = true;
        }
    }
    return s;
}

template <class F>
void write_sized_struct(Writer& w, std::string_view what, F&& body) {
    auto mark = w.open_sized();
    body();
    w.close_sized(mark, what);
}

}  // namespace

// ---- TPMT_SYM_DEF ---------------------------------------------------------

void marshal(Writer& w, const TPMT_SYM_DEF& v) {
    w.u16(v.algorithm);
    if (v.algorithm == TPM_ALG_NULL) return;
    w.u16(v.keyBits);
    if (v.algorithm != TPM_ALG_XOR) w.u16(v.mode);
}

void unmarshal(Reader& r, TPMT_SYM_DEF& v) {
    v = {};
    v.algorithm = r.u16("TPMT_SYM_DEF algorithm");
    if (v.algorithm == TPM_ALG_NULL) return;
    v.keyBits = r.u16("TPMT_SYM_DEF keyBits");
    if (v.algorithm != TPM_ALG_XOR) v.mode = r.u16("TPMT_SYM_DEF mode");
}

// ---- schemes -------------------------------------------------------------

namespace {

void marshal_scheme(Writer& w, const TPMT_ASYM_SCHEME& s) {
    w.u16(s.scheme);
    if (s.scheme == TPM_ALG_NULL) return;
    w.u16(s.hashAlg);
    if (s.scheme == TPM_ALG_ECDAA) w.u16(s.count);
}

void unmarshal_scheme(Reader& r, TPMT_ASYM_SCHEME& s, bool rsa) {
    s = {};
    s.scheme = r.u16("TPMT_ASYM_SCHEME scheme");
    switch (s.scheme) {
        case TPM_ALG_NULL: return;
        case TPM_ALG_RSAES:  // no details
            if (!rsa) fail("TPMT_ECC_SCHEME: RSAES is not an ECC scheme");
            return;
        case TPM_ALG_ECDAA:
            s.hashAlg = r.u16("TPMT_ECC_SCHEME hashAlg");
            s.count = r.u16("TPMT_ECC_SCHEME count");
            return;
        case TPM_ALG_RSASSA: case TPM_ALG_RSAPSS: case TPM_ALG_OAEP:
        case TPM_ALG_ECDSA: case TPM_ALG_ECDH: case TPM_ALG_ECSCHNORR: case TPM_ALG_ECMQV:
            s.hashAlg = r.u16("TPMT_ASYM_SCHEME hashAlg");
            return;
        default:
            fail("TPMT_ASYM_SCHEME: unsupported scheme " + hex16(s.scheme));
    }
}

void marshal_rsa_scheme(Writer& w, const TPMT_ASYM_SCHEME& s) {
    w.u16(s.scheme);
    if (s.scheme == TPM_ALG_NULL || s.scheme == TPM_ALG_RSAES) return;
    w.u16(s.hashAlg);
}

void marshal(Writer& w, const TPMT_KDF_SCHEME& s) {
    w.u16(s.scheme);
    if (s.scheme != TPM_ALG_NULL) w.u16(s.hashAlg);
}

void unmarshal(Reader& r, TPMT_KDF_SCHEME& s) {
    s = {};
    s.scheme = r.u16("TPMT_KDF_SCHEME scheme");
    if (s.scheme != TPM_ALG_NULL) s.hashAlg = r.u16("TPMT_KDF_SCHEME hashAlg");
}

void marshal(Writer& w, const TPMT_KEYEDHASH_SCHEME& s) {
    w.u16(s.scheme);
    if (s.scheme == TPM_ALG_HMAC) {
        w.u16(s.hashAlg);
    } else if (s.scheme == TPM_ALG_XOR) {
        w.u16(s.hashAlg);
        w.u16(s.kdf);
    }
}

void unmarshal(Reader& r, TPMT_KEYEDHASH_SCHEME& s) {
    s = {};
    s.scheme = r.u16("TPMT_KEYEDHASH_SCHEME scheme");
    if (s.scheme == TPM_ALG_HMAC) {
        s.hashAlg = r.u16("TPMS_SCHEME_HMAC hashAlg");
    } else if (s.scheme == TPM_ALG_XOR) {
        s.hashAlg = r.u16("TPMS_SCHEME_XOR hashAlg");
        s.kdf = r.u16("TPMS_SCHEME_XOR kdf");
    } else if (s.scheme != TPM_ALG_NULL) {
        fail("TPMT_KEYEDHASH_SCHEME: unsupported scheme " + hex16(s.scheme));
    }
}

}  // namespace

// ---- TPMS_ECC_POINT ---------------------------------------------------------

void marshal(Writer& w, const TPMS_ECC_POINT& v) {
    marshal(w, v.x);
    marshal(w, v.y);
}

void unmarshal(Reader& r, TPMS_ECC_POINT& v) {
    unmarshal(r, v.x);
    unmarshal(r, v.y);
}

// ---- TPMT_PUBLIC -------------------------------------------------------------

void marshal(Writer& w, const TPMT_PUBLIC& v) {
    w.u16(v.type);
    w.u16(v.nameAlg);
    w.u32(v.objectAttributes);
    marshal(w, v.authPolicy);
    auto mismatch = [&] { fail("TPMT_PUBLIC: parameters or unique do not match type " + hex16(v.type)); };
    switch (v.type) {
        case TPM_ALG_KEYEDHASH: {
            auto* p = std::get_if<TPMS_KEYEDHASH_PARMS>(&v.parameters);
            auto* u = std::get_if<TPM2B_DIGEST>(&v.unique);
            if (!p || !u) mismatch();
            marshal(w, p->scheme);
            marshal(w, *u);
            return;
        }
        case TPM_ALG_SYMCIPHER: {
            auto* p = std::get_if<TPMS_SYMCIPHER_PARMS>(&v.parameters);
            auto* u = std::get_if<TPM2B_DIGEST>(&v.unique);
            if (!p || !u) mismatch();
            marshal(w, p->sym);
            marshal(w, *u);
            return;
        }
        case TPM_ALG_RSA: {
            auto* p = std::get_if<TPMS_RSA_PARMS>(&v.parameters);
            auto* u = std::get_if<TPM2B_PUBLIC_KEY_RSA>(&v.unique);
            if (!p || !u) mismatch();
            marshal(w, p->symmetric);
            marshal_rsa_scheme(w, p->scheme);
            w.u16(p->keyBits);
            w.u32(p->exponent);
            marshal(w, *u);
            return;
        }
        case TPM_ALG_ECC: {
            auto* p = std::get_if<TPMS_ECC_PARMS>(&v.parameters);
            auto* u = std::get_if<TPMS_ECC_POINT>(&v.unique);
            if (!p || !u) mismatch();
            marshal(w, p->symmetric);
            marshal_scheme(w, p->scheme);
            w.u16(p->curveID);
            marshal(w, p->kdf);
            marshal(w, *u);
            return;
        }
        default:
            fail("TPMT_PUBLIC: unsupported type " + hex16(v.type));
    }
}

void unmarshal(Reader& r, TPMT_PUBLIC& v) {
    v = {};
    v.type = r.u16("TPMT_PUBLIC type");
    v.nameAlg = r.u16("TPMT_PUBLIC nameAlg");
    v.objectAttributes = r.u32("TPMT_PUBLIC objectAttributes");
    unmarshal(r, v.authPolicy);
    switch (v.type) {
        case TPM_ALG_KEYEDHASH: {
            TPMS_KEYEDHASH_PARMS p;
            unmarshal(r, p.scheme);
            TPM2B_DIGEST u;
            unmarshal(r, u);
            v.parameters = p;
            v.unique = std::move(u);
            return;
        }
        case TPM_ALG_SYMCIPHER: {
            TPMS_SYMCIPHER_PARMS p;
            unmarshal(r, p.sym);
            TPM2B_DIGEST u;
            unmarshal(r, u);
            v.parameters = p;
            v.unique = std::move(u);
            return;
        }
        case TPM_ALG_RSA: {
            TPMS_RSA_PARMS p;
            unmarshal(r, p.symmetric);
            unmarshal_scheme(r, p.scheme, true);
            p.keyBits = r.u16("TPMS_RSA_PARMS keyBits");
            p.exponent = r.u32("TPMS_RSA_PARMS exponent");
            TPM2B_PUBLIC_KEY_RSA u;
            unmarshal(r, u);
            v.parameters = p;
            v.unique = std::move(u);
            return;
        }
        case TPM_ALG_ECC: {
            TPMS_ECC_PARMS p;
            unmarshal(r, p.symmetric);
            unmarshal_scheme(r, p.scheme, false);
            p.curveID = r.u16("TPMS_ECC_PARMS curveID");
            unmarshal(r, p.kdf);
            TPMS_ECC_POINT u;
            unmarshal(r, u);
            v.parameters = p;
            v.unique = std::move(u);
            return;
        }
        default:
            fail("TPMT_PUBLIC: unsupported type " + hex16(v.type));
    }
}

bytes marshal_to_bytes(const TPMT_PUBLIC& v) {
    Writer w;
    marshal(w, v);
    return w.take();
}

void marshal(Writer& w, const TPM2B_PUBLIC& v) {
    write_sized_struct(w, "TPM2B_PUBLIC", [&] { marshal(w, v.publicArea); });
}

void unmarshal(Reader& r, TPM2B_PUBLIC& v) {
    Reader in = r.sized_struct("TPM2B_PUBLIC");
    unmarshal(in, v.publicArea);
    in.expect_end("TPM2B_PUBLIC");
}

// ---- TPM2B_SENSITIVE_CREATE ---------------------------------------------------

void marshal(Writer& w, const TPM2B_SENSITIVE_CREATE& v) {
    write_sized_struct(w, "TPM2B_SENSITIVE_CREATE", [&] {
        marshal(w, v.sensitive.userAuth);
        marshal(w, v.sensitive.data);
    });
}

void unmarshal(Reader& r, TPM2B_SENSITIVE_CREATE& v) {
    Reader in = r.sized_struct("TPM2B_SENSITIVE_CREATE");
    unmarshal(in, v.sensitive.userAuth);
    unmarshal(in, v.sensitive.data);
    in.expect_end("TPM2B_SENSITIVE_CREATE");
}

// ---- TPMS_NV_PUBLIC ------------------------------------------------------------

void marshal(Writer& w, const TPMS_NV_PUBLIC& v) {
    w.u32(v.nvIndex);
    w.u16(v.nameAlg);
    w.u32(v.attributes);
    marshal(w, v.authPolicy);
    w.u16(v.dataSize);
}

void unmarshal(Reader& r, TPMS_NV_PUBLIC& v) {
    v = {};
    v.nvIndex = r.u32("TPMS_NV_PUBLIC nvIndex");
    if (handle_type(v.nvIndex) != TPM_HT_NV_INDEX) fail("TPMS_NV_PUBLIC: nvIndex " + hex16(v.nvIndex) + " is not an NV index");
    v.nameAlg = r.u16("TPMS_NV_PUBLIC nameAlg");
    if (digest_size(v.nameAlg) == 0) fail("TPMS_NV_PUBLIC: nameAlg " + hex16(v.nameAlg) + " is not a hash tpmwire knows");
    v.attributes = r.u32("TPMS_NV_PUBLIC attributes");
    unmarshal(r, v.authPolicy);
    v.dataSize = r.u16("TPMS_NV_PUBLIC dataSize");
}

bytes marshal_to_bytes(const TPMS_NV_PUBLIC& v) {
    Writer w;
    marshal(w, v);
    return w.take();
}

void marshal(Writer& w, const TPM2B_NV_PUBLIC& v) {
    write_sized_struct(w, "TPM2B_NV_PUBLIC", [&] { marshal(w, v.nvPublic); });
}

void unmarshal(Reader& r, TPM2B_NV_PUBLIC& v) {
    Reader in = r.sized_struct("TPM2B_NV_PUBLIC");
    unmarshal(in, v.nvPublic);
    in.expect_end("TPM2B_NV_PUBLIC");
}

// ---- PCR selections ----------------------------------------------------------

namespace {
constexpr std::size_t max_banks = 16;
constexpr std::size_t max_digests = 8;
}  // namespace

void marshal(Writer& w, const TPML_PCR_SELECTION& v) {
    if (v.pcrSelections.size() > max_banks) fail("TPML_PCR_SELECTION: too many banks");
    w.u32(static_cast<std::uint32_t>(v.pcrSelections.size()));
    for (const auto& s : v.pcrSelections) {
        if (s.pcrSelect.size() > 255) fail("TPMS_PCR_SELECTION: sizeofSelect too large");
        w.u16(s.hash);
        w.u8(static_cast<std::uint8_t>(s.pcrSelect.size()));
        for (auto b : s.pcrSelect) w.u8(b);
    }
}

void unmarshal(Reader& r, TPML_PCR_SELECTION& v) {
    std::uint32_t count = r.u32("TPML_PCR_SELECTION count");
    if (count > max_banks) fail("TPML_PCR_SELECTION: count " + std::to_string(count) + " exceeds " +
                                std::to_string(max_banks));
    v.pcrSelections.clear();
    for (std::uint32_t i = 0; i < count; ++i) {
        TPMS_PCR_SELECTION s;
        s.hash = r.u16("TPMS_PCR_SELECTION hash");
        std::uint8_t n = r.u8("TPMS_PCR_SELECTION sizeofSelect");
        if (n > MAX_PCR_SELECT_BYTES) fail("TPMS_PCR_SELECTION: sizeofSelect " + std::to_string(n) + " exceeds " +
                                           std::to_string(MAX_PCR_SELECT_BYTES));
        auto sel = r.raw(n, "TPMS_PCR_SELECTION pcrSelect");
        s.pcrSelect.assign(sel.begin(), sel.end());
        v.pcrSelections.push_back(std::move(s));
    }
}

TPML_PCR_SELECTION pcr_selection(TPMI_ALG_HASH bank, const std::vector<unsigned>& pcrs) {
    TPMS_PCR_SELECTION s;
    s.hash = bank;
    for (unsigned p : pcrs) {
        if (p >= IMPLEMENTATION_PCR)
            throw error(errc::usage, "PCR " + std::to_string(p) + " is out of range (0-23)");
        s.pcrSelect[p / 8] |= static_cast<std::uint8_t>(1u << (p % 8));
    }
    return TPML_PCR_SELECTION{{s}};
}

std::vector<unsigned> selected_pcrs(const TPMS_PCR_SELECTION& s) {
    std::vector<unsigned> out;
    for (std::size_t i = 0; i < s.pcrSelect.size(); ++i)
        for (unsigned bit = 0; bit < 8; ++bit)
            if (s.pcrSelect[i] & (1u << bit)) out.push_back(static_cast<unsigned>(i * 8 + bit));
    return out;
}

void marshal(Writer& w, const TPML_DIGEST& v) {
    if (v.digests.size() > max_digests) fail("TPML_DIGEST: more than 8 digests");
    w.u32(static_cast<std::uint32_t>(v.digests.size()));
    for (const auto& d : v.digests) marshal(w, d);
}

void unmarshal(Reader& r, TPML_DIGEST& v) {
    std::uint32_t count = r.u32("TPML_DIGEST count");
    if (count > max_digests) fail("TPML_DIGEST: count " + std::to_string(count) + " exceeds 8");
    v.digests.assign(count, {});
    for (auto& d : v.digests) unmarshal(r, d);
}

std::size_t digest_size(TPMI_ALG_HASH alg) {
    switch (alg) {
        case TPM_ALG_SHA1: return 20;
        case TPM_ALG_SHA256: return 32;
        case TPM_ALG_SHA384: return 48;
        case TPM_ALG_SHA512: return 64;
        default: return 0;
    }
}

void marshal(Writer& w, const TPML_DIGEST_VALUES& v) {
    if (v.digests.size() > max_banks) fail("TPML_DIGEST_VALUES: too many digests");
    w.u32(static_cast<std::uint32_t>(v.digests.size()));
    for (const auto& d : v.digests) {
        std::size_t n = digest_size(d.hashAlg);
        if (n == 0 || d.digest.size() != n) fail("TPMT_HA: digest size does not match hash " + hex16(d.hashAlg));
        w.u16(d.hashAlg);
        w.raw(d.digest);
    }
}

void unmarshal(Reader& r, TPML_DIGEST_VALUES& v) {
    std::uint32_t count = r.u32("TPML_DIGEST_VALUES count");
    if (count > max_banks) fail("TPML_DIGEST_VALUES: count too large");
    v.digests.clear();
    for (std::uint32_t i = 0; i < count; ++i) {
        TPMT_HA d;
        d.hashAlg = r.u16("TPMT_HA hashAlg");
        std::size_t n = digest_size(d.hashAlg);
        if (n == 0) fail("TPMT_HA: unknown hash " + hex16(d.hashAlg));
        auto b = r.raw(n, "TPMT_HA digest");
        d.digest.assign(b.begin(), b.end());
        v.digests.push_back(std::move(d));
    }
}

// ---- tickets, contexts, capabilities -------------------------------------------

void marshal(Writer& w, const TPMT_TK& v) {
    w.u16(v.tag);
    w.u32(v.hierarchy);
    marshal(w, v.digest);
}

void unmarshal(Reader& r, TPMT_TK& v) {
    v.tag = r.u16("TPMT_TK tag");
    v.hierarchy = r.u32("TPMT_TK hierarchy");
    unmarshal(r, v.digest);
}

void marshal(Writer& w, const TPMS_CONTEXT& v) {
    w.u64(v.sequence);
    w.u32(v.savedHandle);
    w.u32(v.hierarchy);
    marshal(w, v.contextBlob);
}

void unmarshal(Reader& r, TPMS_CONTEXT& v) {
    v.sequence = r.u64("TPMS_CONTEXT sequence");
    v.savedHandle = r.u32("TPMS_CONTEXT savedHandle");
    v.hierarchy = r.u32("TPMS_CONTEXT hierarchy");
    unmarshal(r, v.contextBlob);
}

void unmarshal(Reader& r, TPMS_CAPABILITY_DATA& v) {
    v = {};
    v.capability = r.u32("TPMS_CAPABILITY_DATA capability");
    // Each list is bounded by what fits in a response, checked again by the
    // reader as elements are consumed.
    auto count_of = [&](std::string_view what, std::size_t element) {
        std::uint32_t n = r.u32(what);
        if (static_cast<std::uint64_t>(n) * element > r.remaining())
            fail(std::string(what) + ": count " + std::to_string(n) + " does not fit in the " +
                 std::to_string(r.remaining()) + " bytes left");
        return n;
    };
    switch (v.capability) {
        case TPM_CAP_HANDLES: {
            std::uint32_t n = count_of("TPML_HANDLE count", 4);
            for (std::uint32_t i = 0; i < n; ++i) v.handles.push_back(r.u32("TPML_HANDLE handle"));
            return;
        }
        case TPM_CAP_TPM_PROPERTIES: {
            std::uint32_t n = count_of("TPML_TAGGED_TPM_PROPERTY count", 8);
            for (std::uint32_t i = 0; i < n; ++i) {
                TPMS_TAGGED_PROPERTY p;
                p.property = r.u32("TPMS_TAGGED_PROPERTY property");
                p.value = r.u32("TPMS_TAGGED_PROPERTY value");
                v.tpmProperties.push_back(p);
            }
            return;
        }
        case TPM_CAP_PCRS:
            unmarshal(r, v.assignedPCR);
            return;
        default:
            fail("TPMS_CAPABILITY_DATA: capability " + hex16(v.capability) + " is not supported by tpmwire");
    }
}

// ---- authorization area --------------------------------------------------------

void marshal(Writer& w, const TPMS_AUTH_COMMAND& v) {
    w.u32(v.sessionHandle);
    marshal(w, v.nonce);
    w.u8(v.sessionAttributes);
    marshal(w, v.hmac);
}

void unmarshal(Reader& r, TPMS_AUTH_RESPONSE& v) {
    unmarshal(r, v.nonce);
    v.sessionAttributes = r.u8("TPMS_AUTH_RESPONSE sessionAttributes");
    unmarshal(r, v.hmac);
}

}  // namespace tpmwire
