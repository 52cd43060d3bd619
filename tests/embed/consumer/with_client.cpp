// Uses tpmwire::asio: a client over whatever address argv[1] names.
// Built header-only (with_client) and with tpmwire::asio_instances.
#include <tpmwire/client/sessions.hpp>
#include <tpmwire/transports/open.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <cstdio>

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s <tpm address>\n", argv[0]);
        return 2;
    }
    boost::asio::io_context io;
    tpmwire::client tpm(io.get_executor(),
                        tpmwire::make_transport(io.get_executor(), tpmwire::parse_tpm_address(argv[1])));
    int rc = 1;
    auto job = [&]() -> boost::asio::awaitable<void> {
        const tpmwire::GetRandom cmd{8};
        auto r = co_await tpm.execute(cmd);
        std::printf("%s\n", tpmwire::to_hex(r.randomBytes.buffer).c_str());
        rc = r.randomBytes.size() == 8 ? 0 : 1;
    };
    boost::asio::co_spawn(io, job(), boost::asio::detached);
    io.run();
    return rc;
}
