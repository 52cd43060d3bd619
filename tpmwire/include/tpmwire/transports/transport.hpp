// The transport interface: send one command, receive one whole response.
//
// Transports know nothing of deadlines or retries; the client applies both
// in one place. A transport must tolerate close() at any time (the client's
// deadline closes it while transact() waits); after close() the next
// transact() reopens the connection itself.
//
// Header-only, Boost.Asio; tpmwire defines no Asio configuration macros.
#pragma once

#include "tpmwire/bytes.hpp"
#include "tpmwire/error.hpp"
#include "tpmwire/marshal/constants.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <algorithm>
#include <span>
#include <string>

namespace tpmwire {

namespace net = boost::asio;

// Largest response tpmwire accepts from any transport: far above any real
// TPM's (4096 on PC-client TPMs), small enough to bound a lying header.
inline constexpr std::size_t max_response_bytes = 65536;

class transport {
public:
    virtual ~transport() = default;
    // One command in, one whole response out.
    virtual net::awaitable<bytes> transact(bytes_view command) = 0;
    // Abandons the connection at once and never blocks the caller: a late
    // response must never be read as the answer to a later command.
    virtual void close() noexcept = 0;
    virtual bool is_open() const noexcept = 0;
    // (Re)connects; transact() calls it when the transport is closed.
    virtual net::awaitable<void> reopen() = 0;
    // "swtpm at 127.0.0.1:2321" or "/dev/tpmrm0", for messages.
    virtual std::string describe() const = 0;
    // True when closing flushes every object and session this connection
    // created (the kernel resource manager, /dev/tpmrm*).
    virtual bool flushes_on_close() const noexcept { return false; }
};

namespace detail {

// Validates a complete response header: tag, and responseSize equal to `n`.
inline std::uint32_t response_size(bytes_view header) {
    std::uint32_t size = static_cast<std::uint32_t>(header[2]) << 24 | static_cast<std::uint32_t>(header[3]) << 16 |
                         static_cast<std::uint32_t>(header[4]) << 8 | static_cast<std::uint32_t>(header[5]);
    std::uint16_t tag = static_cast<std::uint16_t>(header[0] << 8 | header[1]);
    if (tag != TPM_ST_NO_SESSIONS && tag != TPM_ST_SESSIONS && tag != 0x00C4 /* TPM 1.2 */)
        throw error(errc::transport, "the TPM sent a response with an invalid tag " + std::to_string(tag));
    if (size < 10 || size > max_response_bytes)
        throw error(errc::transport, "the TPM sent a response header with an impossible size " + std::to_string(size));
    return size;
}

// A transport's receive buffer, allocated (and zeroed) once per transport
// rather than per command: a fresh 4 KiB (TCP) or 64 KiB (device) buffer
// would be zeroed on allocation and wiped on release every time. Only the
// bytes a response used are copied out and wiped.
class receive_buffer {
public:
    explicit receive_buffer(std::size_t capacity) : capacity_(capacity) {}
    // At least `n` bytes (and the initial capacity); growing keeps what was
    // received, and the allocator wipes the storage it leaves.
    std::span<byte> space(std::size_t n = 0) {
        if (buf_.size() < std::max(capacity_, n)) buf_.resize(std::max(capacity_, n));
        return buf_;
    }
    // The first n bytes as the response; they are wiped here.
    bytes take(std::size_t n) {
        bytes out(buf_.begin(), buf_.begin() + static_cast<std::ptrdiff_t>(n));
        secure_zero(buf_.data(), n);
        return out;
    }
    // After a failed read: whatever arrived is dropped.
    void wipe() noexcept { secure_zero(buf_.data(), buf_.size()); }

private:
    std::size_t capacity_;
    bytes buf_;
};

}  // namespace detail
}  // namespace tpmwire
