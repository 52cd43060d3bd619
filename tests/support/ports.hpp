// Loopback ports for peers the tests start.
//
// A port found free can be taken by someone else before our peer binds it
// (tests run in parallel), so peers are started with a retry on bind failure,
// and readiness is checked with listening_ports(pid): a port only counts as
// ours when OUR child holds the listening socket, never because something
// (perhaps another test's server) answers on it.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <set>
#include <utility>

namespace test {

// A TCP port on 127.0.0.1 that was free a moment ago (bind port 0, read, close).
std::uint16_t free_tcp_port();

// Two consecutive free ports (P, P+1), as swtpm needs: data and control.
std::pair<std::uint16_t, std::uint16_t> free_tcp_port_pair();

// The TCP ports on which process `pid` holds a listening socket (from /proc).
std::set<std::uint16_t> listening_ports(pid_t pid);

// True if a TCP connection to 127.0.0.1:port succeeds within `timeout`.
bool port_accepts(std::uint16_t port, std::chrono::milliseconds timeout = std::chrono::milliseconds(500));

}  // namespace test
