// The objectAttributes import gives the HMAC key per option.
#include "tpm/import.hpp"

#include <catch2/catch.hpp>

using atpc::tpm::key_attributes;

TEST_CASE("the key's attributes per option") {
    using namespace tpmwire;
    CHECK(key_attributes(false, false) == (TPMA_OBJECT_fixedTPM | TPMA_OBJECT_fixedParent | TPMA_OBJECT_sign |
                                           TPMA_OBJECT_userWithAuth | TPMA_OBJECT_noDA));
    CHECK(key_attributes(true, false) == (TPMA_OBJECT_fixedTPM | TPMA_OBJECT_fixedParent | TPMA_OBJECT_sign |
                                          TPMA_OBJECT_userWithAuth));
    CHECK(key_attributes(false, true) == (TPMA_OBJECT_fixedTPM | TPMA_OBJECT_fixedParent | TPMA_OBJECT_sign |
                                          TPMA_OBJECT_noDA));
    CHECK(key_attributes(true, true) == (TPMA_OBJECT_fixedTPM | TPMA_OBJECT_fixedParent | TPMA_OBJECT_sign));
}
