#include "tpmwire/keyfile/keyfile.hpp"

#include "tpmwire/keyfile/der.hpp"
#include "tpmwire/keyfile/pem.hpp"

#include <algorithm>
#include <cstdio>

namespace tpmwire {

namespace {

using der::fail;

constexpr std::string_view pem_label = "TSS2 PRIVATE KEY";

// Content octets of the type OIDs: {2 23 133 10 1 n} and legacy {2 23 133 10 2}.
constexpr byte oid_loadable[] = {0x67, 0x81, 0x05, 0x0A, 0x01, 0x03};
constexpr byte oid_importable[] = {0x67, 0x81, 0x05, 0x0A, 0x01, 0x04};
constexpr byte oid_sealed[] = {0x67, 0x81, 0x05, 0x0A, 0x01, 0x05};
constexpr byte oid_legacy[] = {0x67, 0x81, 0x05, 0x0A, 0x02};
constexpr byte oid_tpmkey_arc[] = {0x67, 0x81, 0x05, 0x0A, 0x01};

bool same(bytes_view a, bytes_view b) { return std::equal(a.begin(), a.end(), b.begin(), b.end()); }

std::string hex32(std::uint32_t v) {
    char buf[11];
    std::snprintf(buf, sizeof buf, "0x%08x", v);
    return buf;
}

// Names of the optional fields, by context tag number.
constexpr const char* field_names[] = {"emptyAuth [0]", "policy [1]", "secret [2]",
                                       "authPolicy [3]", "description [4]", "rsaParent [5]"};
constexpr unsigned last_field = 5;

// ---- reading ----------------------------------------------------------------------

// The body of a [n] EXPLICIT field holding `SEQUENCE OF TPMPolicy`.
std::vector<TPMPolicy> read_policies(der::reader& field, const std::string& what) {
    der::reader seq = field.enter(der::SEQUENCE, what);
    if (seq.empty()) fail(what + " is present but lists no policy commands");
    std::vector<TPMPolicy> out;
    while (!seq.empty()) {
        const std::string item = what + " entry " + std::to_string(out.size() + 1);
        der::reader p = seq.enter(der::SEQUENCE, item);
        TPMPolicy policy;
        der::reader cc = p.enter(der::context(0), item + " commandCode [0]");
        policy.commandCode = der::decode_uint32(cc.next(der::INTEGER, item + " commandCode"), item + " commandCode");
        cc.expect_end(item + " commandCode");
        der::reader cp = p.enter(der::context(1), item + " commandPolicy [1]");
        bytes_view body = cp.next(der::OCTET_STRING, item + " commandPolicy");
        policy.commandPolicy.assign(body.begin(), body.end());
        cp.expect_end(item + " commandPolicy");
        p.expect_end(item);
        out.push_back(std::move(policy));
    }
    return out;
}

std::vector<TPMAuthPolicy> read_auth_policies(der::reader& field, const std::string& what) {
    der::reader seq = field.enter(der::SEQUENCE, what);
    if (seq.empty()) fail(what + " is present but lists no policies");
    std::vector<TPMAuthPolicy> out;
    while (!seq.empty()) {
        const std::string item = what + " entry " + std::to_string(out.size() + 1);
        der::reader ap = seq.enter(der::SEQUENCE, item);
        TPMAuthPolicy auth;
        if (!ap.empty() && ap.peek_tag() == der::context(0)) {
            der::reader name = ap.enter(der::context(0), item + " name [0]");
            auth.name = der::decode_utf8(name.next(der::UTF8String, item + " name"), item + " name");
            name.expect_end(item + " name");
        }
        der::reader pol = ap.enter(der::context(1), item + " policy [1]");
        auth.policy = read_policies(pol, item + " policy");
        pol.expect_end(item + " policy");
        ap.expect_end(item);
        out.push_back(std::move(auth));
    }
    return out;
}

void read_optional_field(tss2_private_key& key, unsigned n, der::reader& f) {
    const std::string what = field_names[n];
    switch (n) {
        case 0: key.emptyAuth = der::decode_boolean(f.next(der::BOOLEAN, what), what); break;
        case 1: key.policy = read_policies(f, what); break;
        case 2: {
            bytes_view s = f.next(der::OCTET_STRING, what);
            key.secret = bytes(s.begin(), s.end());
            break;
        }
        case 3: key.authPolicy = read_auth_policies(f, what); break;
        case 4: key.description = der::decode_utf8(f.next(der::UTF8String, what), what); break;
        case 5: key.rsaParent = der::decode_boolean(f.next(der::BOOLEAN, what), what); break;
        default: fail("unknown field [" + std::to_string(n) + "]");
    }
    f.expect_end(what);
}

void read_type(tss2_private_key& key, bytes_view oid) {
    if (same(oid, oid_loadable)) {
        key.type = keyfile_type::loadable;
    } else if (same(oid, oid_importable)) {
        key.type = keyfile_type::importable;
    } else if (same(oid, oid_sealed)) {
        key.type = keyfile_type::sealed;
    } else if (same(oid, oid_legacy)) {
        key.type = keyfile_type::loadable;
        key.legacy_oid = true;
    } else {
        std::string dotted = der::decode_oid(oid, "type");
        bool tpm_arc = oid.size() > sizeof oid_tpmkey_arc &&
                       same(oid.first(sizeof oid_tpmkey_arc), oid_tpmkey_arc);
        if (tpm_arc) fail("unknown TPM key type (object identifier " + dotted + ")");
        fail("not a TSS2 PRIVATE KEY (object identifier " + dotted + ")");
    }
}

// TPM structures inside the OCTET STRINGs; their own errors become key file errors.
template <class F>
void read_tpm(std::string_view what, F&& f) {
    try {
        f();
    } catch (const error& e) {
        if (e.kind() != errc::marshal) throw;
        fail(std::string(what) + ": " + e.what());
    }
}

// ---- rules shared by reader and writer ------------------------------------------------

// What makes a decoded key unusable as a key file, or empty when it is fine.
std::string problem(const tss2_private_key& key) {
    std::uint8_t mso = static_cast<std::uint8_t>(key.parent >> 24);
    if (mso != TPM_HT_PERMANENT && mso != TPM_HT_TRANSIENT && mso != TPM_HT_PERSISTENT)
        return "parent " + hex32(key.parent) + " is not a permanent, transient or persistent handle";
    if (key.type == keyfile_type::importable && !key.secret) return "importable key has no secret [2]";
    if (key.type != keyfile_type::importable && key.secret) return "secret [2] is only allowed in importable keys";
    if (key.privkey.empty()) return "privkey is an empty TPM2B_PRIVATE";
    for (std::size_t i = 0; i < key.authPolicy.size(); ++i)
        if (key.authPolicy[i].policy.empty())
            return "authPolicy [3] entry " + std::to_string(i + 1) + " lists no policy commands";
    return {};
}

// ---- writing ----------------------------------------------------------------------

void write_explicit(bytes& out, unsigned n, const bytes& inner) { der::write(out, der::context(n), inner); }

bytes policies_der(const std::vector<TPMPolicy>& policies) {
    bytes seq;
    for (const auto& p : policies) {
        bytes item, cc, cp;
        der::write_uint32(cc, p.commandCode);
        write_explicit(item, 0, cc);
        der::write(cp, der::OCTET_STRING, p.commandPolicy);
        write_explicit(item, 1, cp);
        der::write(seq, der::SEQUENCE, item);
    }
    bytes out;
    der::write(out, der::SEQUENCE, seq);
    return out;
}

bytes utf8_der(const std::string& s, std::string_view what) {
    try {
        der::decode_utf8(as_bytes(s), what);
    } catch (const error& e) {
        throw error(errc::usage, e.what());
    }
    bytes out;
    der::write(out, der::UTF8String, as_bytes(s));
    return out;
}

// Optional [n] EXPLICIT fields, each at most once and in ascending order.
void read_optional_fields(tss2_private_key& key, der::reader& in) {
    int previous = -1;
    while (!in.empty() && (in.peek_tag() & 0xC0) == 0x80) {
        byte tag = in.peek_tag();
        unsigned n = tag & 0x1F;
        if (n > last_field) fail("unknown field " + der::tag_name(tag));
        if ((tag & 0x20) == 0) fail(std::string(field_names[n]) + " must be EXPLICIT (constructed), not IMPLICIT");
        if (static_cast<int>(n) <= previous)
            fail(std::string(field_names[n]) + " is repeated or out of order");
        previous = static_cast<int>(n);
        der::reader f = in.enter(tag, field_names[n]);
        read_optional_field(key, n, f);
    }
}

}  // namespace

tss2_private_key parse_tss2_key_der(bytes_view input) {
    der::reader file(input);
    if (file.empty()) fail("file is empty");
    if (file.peek_tag() != der::SEQUENCE)
        fail("not a TSS2 PRIVATE KEY (expected a DER SEQUENCE, found " + der::tag_name(file.peek_tag()) + ")");
    der::reader in = file.enter(der::SEQUENCE, "TPMKey SEQUENCE");
    file.expect_end("the TPMKey SEQUENCE");

    tss2_private_key key;
    if (!in.empty() && in.peek_tag() != der::OBJECT_IDENTIFIER)
        fail("not a TSS2 PRIVATE KEY (first field is " + der::tag_name(in.peek_tag()) +
             ", not an OBJECT IDENTIFIER)");
    read_type(key, in.next(der::OBJECT_IDENTIFIER, "type"));
    read_optional_fields(key, in);
    key.parent = der::decode_uint32(in.next(der::INTEGER, "parent"), "parent");

    bytes_view pub = in.next(der::OCTET_STRING, "pubkey");
    read_tpm("pubkey is not a valid TPM2B_PUBLIC", [&] {
        Reader r(pub);
        unmarshal(r, key.pubkey);
        r.expect_end("TPM2B_PUBLIC");
    });
    // tpmwire re-marshals pubkey to compute the key's name; a file whose
    // bytes would not come back identical would give a name the TPM disagrees with.
    Writer canon;
    read_tpm("pubkey cannot be re-encoded", [&] { marshal(canon, key.pubkey); });
    if (!same(canon.buffer(), pub)) fail("pubkey is not in canonical TPM form");

    bytes_view priv = in.next(der::OCTET_STRING, "privkey");
    read_tpm("privkey is not a valid TPM2B_PRIVATE", [&] {
        Reader r(priv);
        unmarshal(r, key.privkey);
        r.expect_end("TPM2B_PRIVATE");
    });
    in.expect_end("privkey");

    if (key.secret)
        read_tpm("secret [2] is not a valid TPM2B_ENCRYPTED_SECRET", [&] {
            Reader r(*key.secret);
            TPM2B_ENCRYPTED_SECRET s;
            unmarshal(r, s);
            r.expect_end("TPM2B_ENCRYPTED_SECRET");
        });
    if (auto p = problem(key); !p.empty()) fail(p);
    return key;
}

tss2_private_key parse_tss2_key_pem(std::string_view text) {
    bytes der = pem::decode(text, pem_label);
    return parse_tss2_key_der(der);
}

tss2_private_key parse_tss2_key(bytes_view file) {
    // DER when the whole file is exactly one SEQUENCE; otherwise PEM if it
    // has armour; otherwise DER again, for its error message.
    bool is_der = false;
    if (!file.empty() && file[0] == der::SEQUENCE) {
        try {
            der::reader r(file);
            r.next(der::SEQUENCE, "TPMKey SEQUENCE");
            is_der = r.empty();
        } catch (const error&) {
        }
    }
    std::string_view text(reinterpret_cast<const char*>(file.data()), file.size());
    if (!is_der && text.find("-----BEGIN") != std::string_view::npos) return parse_tss2_key_pem(text);
    if (!is_der && (file.empty() || file[0] != der::SEQUENCE))
        fail("neither PEM (no \"-----BEGIN " + std::string(pem_label) + "-----\" line) nor DER");
    return parse_tss2_key_der(file);
}

bytes to_der(const tss2_private_key& key) {
    if (auto p = problem(key); !p.empty()) throw error(errc::usage, "key file: " + p);
    bytes body;
    if (key.legacy_oid && key.type != keyfile_type::loadable)
        throw error(errc::usage, "key file: the legacy object identifier only exists for loadable keys");
    const bytes_view oid = key.legacy_oid                           ? bytes_view(oid_legacy)
                           : key.type == keyfile_type::importable ? bytes_view(oid_importable)
                           : key.type == keyfile_type::sealed     ? bytes_view(oid_sealed)
                                                                  : bytes_view(oid_loadable);
    der::write(body, der::OBJECT_IDENTIFIER, oid);
    if (key.emptyAuth) {
        bytes b;
        der::write_boolean(b, *key.emptyAuth);
        write_explicit(body, 0, b);
    }
    if (!key.policy.empty()) write_explicit(body, 1, policies_der(key.policy));
    if (key.secret) {
        bytes s;
        der::write(s, der::OCTET_STRING, *key.secret);
        write_explicit(body, 2, s);
    }
    if (!key.authPolicy.empty()) {
        bytes seq;
        for (const auto& a : key.authPolicy) {
            bytes item;
            if (a.name) write_explicit(item, 0, utf8_der(*a.name, "authPolicy name"));
            write_explicit(item, 1, policies_der(a.policy));
            der::write(seq, der::SEQUENCE, item);
        }
        bytes list;
        der::write(list, der::SEQUENCE, seq);
        write_explicit(body, 3, list);
    }
    if (key.description) write_explicit(body, 4, utf8_der(*key.description, "description"));
    if (key.rsaParent) {
        bytes b;
        der::write_boolean(b, *key.rsaParent);
        write_explicit(body, 5, b);
    }
    der::write_uint32(body, key.parent);
    Writer pub;
    marshal(pub, key.pubkey);
    der::write(body, der::OCTET_STRING, pub.buffer());
    Writer priv;
    marshal(priv, key.privkey);
    der::write(body, der::OCTET_STRING, priv.buffer());
    bytes out;
    der::write(out, der::SEQUENCE, body);
    return out;
}

std::string to_pem(const tss2_private_key& key) { return pem::encode(to_der(key), pem_label); }

bool parent_is_h2_primary(TPM_HANDLE parent) { return parent == TPM_RH_OWNER || parent == HR_TRANSIENT; }

bool parent_is_h2_primary(const tss2_private_key& key) {
    return parent_is_h2_primary(key.parent) && !key.rsaParent.value_or(false);
}

}  // namespace tpmwire
