#include "kdate/blocking_transport.hpp"

#include "common/clock.hpp"

namespace bench {

tpmwire::net::awaitable<void> blocking_transport::reopen() {
    auto t0 = now_ns();
    tpm_.connect();
    stats_.connect_ns += now_ns() - t0;
    co_return;
}

tpmwire::net::awaitable<tpmwire::bytes> blocking_transport::transact(tpmwire::bytes_view command) {
    if (!tpm_.is_open()) co_await reopen();
    auto t0 = now_ns();
    frame rsp = tpm_.transact(command.data(), command.size());
    stats_.io_ns += now_ns() - t0;
    ++stats_.commands;
    co_return tpmwire::bytes(rsp.begin(), rsp.end());
}

}  // namespace bench
