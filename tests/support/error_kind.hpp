// The kind of tpmwire::error a callable throws (fails the test when it
// throws none).
#pragma once

#include "tpmwire/error.hpp"

#include <catch2/catch.hpp>

namespace test {

template <class F>
tpmwire::errc error_kind(F&& f) {
    try {
        f();
    } catch (const tpmwire::error& e) {
        return e.kind();
    }
    FAIL("no tpmwire::error thrown");
    return tpmwire::errc::marshal;
}

}  // namespace test
