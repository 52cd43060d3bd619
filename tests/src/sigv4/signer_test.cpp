// Signing-key chain, sign() and the date helpers.
#include "support/error_kind.hpp"
#include "sigv4/sigv4.hpp"

#include "base/error.hpp"

#include "tpmwire/bytes.hpp"

#include <catch2/catch.hpp>

#include <chrono>

namespace sigv4 = atpc::sigv4;
using namespace std::chrono;

namespace {

constexpr const char* secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

template <class F>
atpc::fault fault_of(F&& f) {
    return test::kind_of<atpc::error>(std::forward<F>(f));
}

sigv4::request sts_request() {
    return {"POST", "/", "", {{"Host", "sts.amazonaws.com"}, {"Content-Type", "application/x-www-form-urlencoded"}},
            "Action=GetSessionToken&Version=2011-06-15"};
}

}  // namespace

TEST_CASE("signing key from kDate matches the AWS documentation example", "[sigv4][signer]") {
    // AWS's "derive a signing key" example: this secret, 20150830, us-east-1, iam.
    const sigv4::scope s{"20150830", "us-east-1", "iam"};
    const tpmwire::bytes key = sigv4::signing_key(sigv4::software_kdate(secret, s.date), s);
    CHECK(tpmwire::to_hex(key) == "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9");
}

TEST_CASE("signing_key and signature refuse keys that are not 32 bytes", "[sigv4][signer]") {
    const sigv4::scope s{"20150830", "us-east-1", "sts"};
    const tpmwire::bytes short_key(31, 0x11);
    CHECK(fault_of([&] { sigv4::signing_key(short_key, s); }) == atpc::fault::internal);
    CHECK(fault_of([&] { sigv4::signature(short_key, "x"); }) == atpc::fault::internal);
    CHECK(fault_of([&] { sigv4::signing_key(tpmwire::bytes{}, s); }) == atpc::fault::internal);
}

TEST_CASE("scope values are checked", "[sigv4][signer]") {
    CHECK(sigv4::credential_scope({"20150830", "us-east-1", "sts"}) == "20150830/us-east-1/sts/aws4_request");
    for (const sigv4::scope& bad : {sigv4::scope{"2015083", "us-east-1", "sts"}, sigv4::scope{"20151330", "r", "s"},
                                    sigv4::scope{"20150830", "", "sts"}, sigv4::scope{"20150830", "us/east", "sts"},
                                    sigv4::scope{"20150830", "us-east-1", "s ts"}}) {
        INFO(bad.date << " " << bad.region << " " << bad.service);
        CHECK(fault_of([&] { sigv4::credential_scope(bad); }) == atpc::fault::usage);
    }
    CHECK(fault_of([] { sigv4::software_kdate(secret, "2015-08-30"); }) == atpc::fault::usage);
}

TEST_CASE("string_to_sign needs an X-Amz-Date on the scope's day", "[sigv4][signer]") {
    const sigv4::scope s{"20150830", "us-east-1", "sts"};
    CHECK(sigv4::string_to_sign("20150830T000000Z", s, "") ==
          "AWS4-HMAC-SHA256\n20150830T000000Z\n20150830/us-east-1/sts/aws4_request\n"
          "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(fault_of([&] { sigv4::string_to_sign("20150831T000000Z", s, ""); }) == atpc::fault::usage);
    CHECK(fault_of([&] { sigv4::string_to_sign("20150830T123600", s, ""); }) == atpc::fault::usage);
}

TEST_CASE("authorization checks its parts", "[sigv4][signer]") {
    const sigv4::scope s{"20150830", "us-east-1", "sts"};
    const std::string sig(64, 'a');
    CHECK(sigv4::authorization("AKID", s, "host", sig) ==
          "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=" + sig);
    CHECK(fault_of([&] { sigv4::authorization("", s, "host", sig); }) == atpc::fault::usage);
    CHECK(fault_of([&] { sigv4::authorization("AKID/x", s, "host", sig); }) == atpc::fault::usage);
    CHECK(fault_of([&] { sigv4::authorization("AKID", s, "", sig); }) == atpc::fault::internal);
    CHECK(fault_of([&] { sigv4::authorization("AKID", s, "host", std::string(64, 'A')); }) == atpc::fault::internal);
    CHECK(fault_of([&] { sigv4::authorization("AKID", s, "host", std::string(63, 'a')); }) == atpc::fault::internal);
}

TEST_CASE("sign adds X-Amz-Date and Authorization, or leaves the request alone", "[sigv4][signer]") {
    const sigv4::scope s{"20150830", "us-east-1", "sts"};
    const tpmwire::bytes kdate = sigv4::software_kdate(secret, s.date);

    sigv4::request r = sts_request();
    sigv4::sign(r, "AKIDEXAMPLE", kdate, s, "20150830T123600Z");
    REQUIRE(r.headers.size() == 4);
    CHECK(r.headers[2].name == "X-Amz-Date");
    CHECK(r.headers[2].value == "20150830T123600Z");
    CHECK(r.headers[3].name == "Authorization");
    CHECK(r.headers[3].value.rfind("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/sts/aws4_request, "
                                   "SignedHeaders=content-type;host;x-amz-date, Signature=",
                                   0) == 0);

    // Same inputs, same signature; another kDate, another signature.
    sigv4::request again = sts_request();
    sigv4::sign(again, "AKIDEXAMPLE", kdate, s, "20150830T123600Z");
    CHECK(again.headers[3].value == r.headers[3].value);
    sigv4::request other = sts_request();
    sigv4::sign(other, "AKIDEXAMPLE", sigv4::software_kdate("another secret", s.date), s, "20150830T123600Z");
    CHECK(other.headers[3].value != r.headers[3].value);

    // Refusals leave the request as it was.
    const sigv4::request before = r;
    CHECK(fault_of([&] { sigv4::sign(r, "AKIDEXAMPLE", kdate, s, "20150830T123600Z"); }) == atpc::fault::usage);
    CHECK(r.headers.size() == before.headers.size());

    sigv4::request fresh = sts_request();
    CHECK(fault_of([&] { sigv4::sign(fresh, "AKIDEXAMPLE", kdate, s, "20150831T000000Z"); }) == atpc::fault::usage);
    CHECK(fresh.headers.size() == 2);
    CHECK(fault_of([&] { sigv4::sign(fresh, "AKID/X", kdate, s, "20150830T123600Z"); }) == atpc::fault::usage);
    CHECK(fresh.headers.size() == 2);
    CHECK(fault_of([&] { sigv4::sign(fresh, "AKIDEXAMPLE", tpmwire::bytes(16), s, "20150830T123600Z"); }) ==
          atpc::fault::internal);
    CHECK(fresh.headers.size() == 2);

    fresh.headers.push_back({"x-amz-date", "20150830T000000Z"});
    CHECK(fault_of([&] { sigv4::sign(fresh, "AKIDEXAMPLE", kdate, s, "20150830T123600Z"); }) == atpc::fault::usage);
    CHECK(fresh.headers.size() == 3);
}

TEST_CASE("amz_date and date_stamp", "[sigv4][date]") {
    const auto at = [](long long secs) { return system_clock::time_point{seconds{secs}}; };
    CHECK(sigv4::amz_date(at(0)) == "19700101T000000Z");
    CHECK(sigv4::amz_date(at(1440938160)) == "20150830T123600Z");
    CHECK(sigv4::amz_date(at(1709251199)) == "20240229T235959Z");
    CHECK(sigv4::amz_date(at(1709251199) + milliseconds{999}) == "20240229T235959Z");  // truncated, not rounded
    CHECK(sigv4::amz_date(at(1709251200)) == "20240301T000000Z");
    CHECK(sigv4::amz_date(at(-1) + milliseconds{500}) == "19691231T235959Z");
    CHECK(sigv4::amz_date(at(4102444799)) == "20991231T235959Z");
    // Years past 9999 cannot be tested here: libstdc++'s system_clock counts
    // int64 nanoseconds, which end in 2262.

    CHECK(sigv4::date_stamp("20150830T123600Z") == "20150830");
    for (const char* bad : {"", "20150830T123600", "20150830t123600Z", "2015083OT123600Z", "20150830T243600Z",
                            "20150830T126000Z", "20150832T123600Z", "20150001T123600Z", "20150830T123600Z "}) {
        INFO(bad);
        CHECK(fault_of([&] { sigv4::date_stamp(bad); }) == atpc::fault::usage);
    }
}
