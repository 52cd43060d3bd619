// The kind() of the error a callable throws; fails the test when it throws
// none. kind_of<E> for any error type with kind() (tpmwire::error,
// atpc::error); error_kind for tpmwire's.
#pragma once

#include "tpmwire/error.hpp"

#include <catch2/catch.hpp>

#include <utility>

namespace test {

template <class Error, class F>
auto kind_of(F&& f) -> decltype(std::declval<const Error&>().kind()) {
    try {
        std::forward<F>(f)();
    } catch (const Error& e) {
        return e.kind();
    }
    FAIL("the expected error was not thrown");
    return {};
}

template <class F>
tpmwire::errc error_kind(F&& f) {
    return kind_of<tpmwire::error>(std::forward<F>(f));
}

}  // namespace test
