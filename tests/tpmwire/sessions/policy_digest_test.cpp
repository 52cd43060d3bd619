// The offline policy calculator against digests a real TPM computed.
//
// Oracle values were recorded once with swtpm 0.7.1 and tpm2-tools 5.4 in
// trial sessions (fresh TPM state, so PCR 23 is all zeros):
//   swtpm socket --tpm2 --server type=tcp,port=47611 --ctrl type=tcp,port=47612
//     --flags not-need-init,startup-clear --tpmstate dir=/tmp/dir &   (one line)
//   export TPM2TOOLS_TCTI=swtpm:host=127.0.0.1,port=47611
//   tpm2_startauthsession -S s.ctx                        # trial, SHA-256
//   tpm2_policypcr -S s.ctx -l sha256:23 -L pcr23.dat     -> 3c87a4b3...560deec8
//   tpm2_policyauthvalue -S s.ctx -L authvalue.dat        -> 8fcd2169...c1fddb0e
//   tpm2_policypassword -S s.ctx -L password.dat          -> 8fcd2169...c1fddb0e
//   tpm2_policysecret -S s.ctx -c e -L secret_e.dat       -> 83719767...331469aa
//   tpm2_policycommandcode -S s.ctx -L cc.dat TPM2_CC_Duplicate -> bef56b8c...aba8e8a2
//   tpm2_policypcr -l sha256:23, then tpm2_policyauthvalue (one session) -> 57689d20...15b4c994
//   tpm2_policyor -S s.ctx -l sha256:pcr23.dat,authvalue.dat -L or.dat -> 2541ce84...0a73ec4f
//   tpm2_policyor ... -l sha256:pcr23.dat,authvalue.dat,secret_e.dat   -> 7a788fdf...77b4b3ea
//   tpm2_policyduplicationselect -S s.ctx -n obj.name -N parent.name -L d.dat -> 820aae21...604dadce
//     (obj.name = 000b || 32 x 0x11, parent.name = 000b || 32 x 0x22)
//   tpm2_pcrextend 16:sha1=01*20,sha256=01*32
//   tpm2_policypcr -S s.ctx -l sha1:16+sha256:16,23 -L m.dat -> a7ecc2a7...97e281aa
//   tpm2_startauthsession -S s.ctx -g sha1; tpm2_policypcr -l sha256:23 -> 02b2eb6a...4beafd1776fe173f
//     then tpm2_policyauthvalue                                         -> 85bd8101...8999773e
// (each session flushed with tpm2_flushcontext s.ctx).
//
// tpm2-tools 5.4 sends includeObject = NO even with --include-object (seen
// in a pcap of its command), so the YES case was sent raw with tpm2_send:
//   StartAuthSession 8001 0000002b 00000176 40000007 40000007 0010 aa*16 0000 03 0010 000b
//   PolicyDuplicationSelect 8001 00000057 00000188 <handle> 0022 <obj.name> 0022 <parent.name> 01
//   PolicyGetDigest 8001 0000000e 00000189 <handle>          -> cb20b19c...bf3f56bf
// and the same with 00 gave 820aae21...604dadce, matching the tools.
#include "tpmwire/error.hpp"
#include "tpmwire/sessions/hash.hpp"
#include "tpmwire/sessions/name.hpp"
#include "tpmwire/sessions/policy_digest.hpp"

#include "support/error_kind.hpp"

#include <catch2/catch.hpp>

using namespace tpmwire;

namespace {

// Recorded from swtpm (see above).
const std::string tpm_pcr23 = "3c87a4b3fb85ebeea58c5fb36ac22d3f280cec27a9f6dd0fa23be9ce560deec8";
const std::string tpm_authvalue = "8fcd2169ab92694e0c633f1ab772842b8241bbc20288981fc7ac1eddc1fddb0e";
const std::string tpm_secret_endorsement = "837197674484b3f81a90cc8d46a5d724fd52d76e06520b64f2a1da1b331469aa";
const std::string tpm_cc_duplicate = "bef56b8c1cc84e11edd717528d2cd99356bd2bbf8f015209c3f84aeeaba8e8a2";
const std::string tpm_pcr23_then_authvalue = "57689d20acc2066a79fb75da85c049b4c332ffeeff1f84f67f8e6bd815b4c994";
const std::string tpm_or2 = "2541ce84e0e43da4229487d5d3cb01058180d7d1c0f7271e8bacf4ef0a73ec4f";
const std::string tpm_or3 = "7a788fdf0fb66e7ff6fa2deadab4872f94d1b6cf92dd5b99a6f3a79d77b4b3ea";
const std::string tpm_dupsel_no = "820aae210e1deb8ce8335ab6cfee2818fea5e0cd43c9f1e55bf178d4604dadce";
const std::string tpm_dupsel_yes = "cb20b19c2f10e6a1658196c10f2c778cc19923891bb615d331cc2990bf3f56bf";
const std::string tpm_pcr_multi = "a7ecc2a756ca4cfe751536c0717490bf980a9d366a91e9f94675598497e281aa";
const std::string tpm_sha1_pcr23 = "02b2eb6a9faa208c8055a4204beafd1776fe173f";
const std::string tpm_sha1_pcr23_authvalue = "85bd81010c43d901327210c3c2b3907a8999773e";

constexpr TPM_CC cc_duplicate = 0x0000014B;

TPM2B_NAME name_of(std::uint8_t fill) {
    bytes n{0x00, 0x0b};
    n.insert(n.end(), 32, fill);
    return TPM2B_NAME(std::move(n));
}

// PCR value after one extend from zeros: H(0..0 || data).
bytes extended_once(TPMI_ALG_HASH alg, byte fill) {
    const bytes zeros(digest_size(alg), 0), data(digest_size(alg), fill);
    return hash(alg, {zeros, data});
}

using test::error_kind;

}  // namespace

TEST_CASE("A fresh policy digest is all zeros of the hash size", "[policy]") {
    CHECK(policy_digest().digest() == bytes(32, 0));
    CHECK(policy_digest(TPM_ALG_SHA1).digest() == bytes(20, 0));
    CHECK(policy_digest(TPM_ALG_SHA384).digest() == bytes(48, 0));
    CHECK(error_kind([] { policy_digest p(0x0099); }) == errc::usage);
}

TEST_CASE("PolicySecret(endorsement) is the TCG EK authPolicy", "[policy]") {
    policy_digest p;
    p.secret(handle_name(TPM_RH_ENDORSEMENT));
    CHECK(to_hex(p.digest()) == tpm_secret_endorsement);
    // A policyRef takes part in the second hash.
    policy_digest q;
    q.secret(handle_name(TPM_RH_ENDORSEMENT), from_hex("01"));
    CHECK(q.digest() != p.digest());
}

TEST_CASE("PolicyAuthValue and PolicyPassword extend with the same code", "[policy]") {
    CHECK(to_hex(policy_digest().auth_value().digest()) == tpm_authvalue);
    CHECK(to_hex(policy_digest().password().digest()) == tpm_authvalue);
}

TEST_CASE("PolicyCommandCode matches the TPM", "[policy]") {
    CHECK(to_hex(policy_digest().command_code(cc_duplicate).digest()) == tpm_cc_duplicate);
}

TEST_CASE("PolicyPCR matches the TPM", "[policy]") {
    const bytes pcr23(32, 0);
    SECTION("one PCR, SHA-256 session") {
        policy_digest p;
        p.pcr(pcr_selection(TPM_ALG_SHA256, {23}), pcr_digest(TPM_ALG_SHA256, {pcr23}));
        CHECK(to_hex(p.digest()) == tpm_pcr23);
        p.auth_value();
        CHECK(to_hex(p.digest()) == tpm_pcr23_then_authvalue);
    }
    SECTION("SHA-256 bank in a SHA-1 session") {
        policy_digest p(TPM_ALG_SHA1);
        p.pcr(pcr_selection(TPM_ALG_SHA256, {23}), pcr_digest(TPM_ALG_SHA1, {pcr23}));
        CHECK(to_hex(p.digest()) == tpm_sha1_pcr23);
        p.auth_value();
        CHECK(to_hex(p.digest()) == tpm_sha1_pcr23_authvalue);
    }
    SECTION("two banks, values in selection order") {
        TPML_PCR_SELECTION sel = pcr_selection(TPM_ALG_SHA1, {16});
        sel.pcrSelections.push_back(pcr_selection(TPM_ALG_SHA256, {16, 23}).pcrSelections.at(0));
        const bytes sha1_16 = extended_once(TPM_ALG_SHA1, 0x01);
        const bytes sha256_16 = extended_once(TPM_ALG_SHA256, 0x01);
        // The values tpm2_pcrread showed.
        CHECK(to_hex(sha1_16) == "c3ad7f64b8d976aaf2b3a9c98f7ee5631cde7125");
        CHECK(to_hex(sha256_16) == "5c85955f709283ecce2b74f1b1552918819f390911816e7bb466805a38ab87f3");
        policy_digest p;
        p.pcr(sel, pcr_digest(TPM_ALG_SHA256, {sha1_16, sha256_16, pcr23}));
        CHECK(to_hex(p.digest()) == tpm_pcr_multi);
    }
    SECTION("pcrDigest of the wrong size") {
        CHECK(error_kind([&] { policy_digest().pcr(pcr_selection(TPM_ALG_SHA256, {23}), bytes(20, 0)); }) ==
              errc::usage);
    }
}

TEST_CASE("PolicyOR matches the TPM and ignores the digest before it", "[policy]") {
    const bytes a = from_hex(tpm_pcr23), b = from_hex(tpm_authvalue), c = from_hex(tpm_secret_endorsement);
    CHECK(to_hex(policy_digest().or_({a, b}).digest()) == tpm_or2);
    CHECK(to_hex(policy_digest().or_({a, b, c}).digest()) == tpm_or3);
    // The session is in one branch when PolicyOR runs; the result is the same.
    CHECK(to_hex(policy_digest().auth_value().or_({a, b}).digest()) == tpm_or2);
    // Order matters.
    CHECK(to_hex(policy_digest().or_({b, a}).digest()) != tpm_or2);
    CHECK(error_kind([&] { policy_digest().or_({a}); }) == errc::usage);
    CHECK(error_kind([&] { policy_digest().or_(std::vector<bytes>(9, a)); }) == errc::usage);
    CHECK(error_kind([&] { policy_digest().or_({a, bytes(20, 0)}); }) == errc::usage);
}

TEST_CASE("PolicyDuplicationSelect matches the TPM", "[policy]") {
    const TPM2B_NAME obj = name_of(0x11), parent = name_of(0x22);
    CHECK(to_hex(policy_digest().duplication_select(parent, obj, false).digest()) == tpm_dupsel_no);
    // Without includeObject the object's name does not matter.
    CHECK(to_hex(policy_digest().duplication_select(parent, TPM2B_NAME{}, false).digest()) == tpm_dupsel_no);
    CHECK(to_hex(policy_digest().duplication_select(parent, obj, true).digest()) == tpm_dupsel_yes);
    CHECK(error_kind([&] { policy_digest().duplication_select(parent, TPM2B_NAME{}, true); }) == errc::usage);
    CHECK(error_kind([&] { policy_digest().duplication_select(TPM2B_NAME{}, obj, false); }) == errc::usage);
}

TEST_CASE("reset returns to zeros and pcr_digest hashes the concatenation", "[policy]") {
    policy_digest p;
    p.auth_value().reset();
    CHECK(p.digest() == bytes(32, 0));
    const bytes x(20, 0xAB), y(32, 0xCD);
    CHECK(pcr_digest(TPM_ALG_SHA256, {x, y}) == hash(TPM_ALG_SHA256, {x, y}));
    CHECK(error_kind([&] { pcr_digest(TPM_ALG_SHA256, {bytes{}}); }) == errc::usage);
}
