// tpmwire's client compiled once for the whole program (TPMWIRE_EXTERN_CLIENT
// is defined for every layer above this one), with the program's Asio
// configuration: tpmwire::asio_instances would be built without it.
#include "tpmwire/client/instances.hpp"
