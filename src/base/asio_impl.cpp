// Asio and Beast are compiled once, here (BOOST_ASIO_SEPARATE_COMPILATION and
// BOOST_BEAST_SEPARATE_COMPILATION are set for every translation unit of the
// program by src/CMakeLists.txt). tpmwire never sets these macros: its Asio
// layer is header-only and follows the embedding program's choice.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
