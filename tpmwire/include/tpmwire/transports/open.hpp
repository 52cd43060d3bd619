// Turns an address (transports/address.hpp) into a transport.
#pragma once

#include "tpmwire/transports/address.hpp"
#include "tpmwire/transports/device.hpp"
#include "tpmwire/transports/tcp.hpp"

#include <memory>

namespace tpmwire {

// Nothing is opened yet: the client connects on its first command, under
// that command's deadline.
inline std::unique_ptr<transport> make_transport(net::any_io_executor ex, const tpm_address& address) {
    if (address.type == tpm_address::kind::tcp)
        return std::make_unique<tcp_transport>(std::move(ex), address.host, address.port);
    return std::make_unique<device_transport>(std::move(ex), address.path);
}

}  // namespace tpmwire
