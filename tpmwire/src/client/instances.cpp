// tpmwire::asio_instances: the client's execute() for the command set,
// compiled once for the programs that link this target (see client.hpp).
#include "tpmwire/client/instances.hpp"
