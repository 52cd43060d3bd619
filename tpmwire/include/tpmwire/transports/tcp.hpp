// swtpm's TCP data channel: raw TPM command bytes in, raw response out.
//
// swtpm reads a command with the bytes of one read() once it has the
// 10-byte header, so each command goes out in a single write. It serves one
// client at a time and cannot cancel a running command: on a deadline the
// client closes the connection and reconnects.
#pragma once

#include "tpmwire/transports/transport.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>


namespace tpmwire {

class tcp_transport final : public transport {
public:
    tcp_transport(net::any_io_executor ex, std::string host, std::uint16_t port)
        : ex_(std::move(ex)), host_(std::move(host)), port_(port), socket_(ex_) {}

    net::awaitable<void> reopen() override {
        close();
        net::ip::tcp::resolver::results_type endpoints;
        boost::system::error_code not_literal;
        const auto literal = net::ip::make_address(host_, not_literal);
        if (!not_literal) {
            // An address literal needs no lookup (and no resolver thread).
            endpoints = net::ip::tcp::resolver::results_type::create(net::ip::tcp::endpoint(literal, port_), host_,
                                                                     std::to_string(port_));
        } else {
            net::ip::tcp::resolver resolver(ex_);
            try {
                endpoints = co_await resolver.async_resolve(host_, std::to_string(port_), net::use_awaitable);
            } catch (const boost::system::system_error& e) {
                throw error(errc::transport, "cannot resolve TPM host " + host_ + ": " + e.code().message());
            }
        }
        net::ip::tcp::socket socket(ex_);
        net::ip::tcp::endpoint connected;
        try {
            connected = co_await net::async_connect(socket, endpoints, net::use_awaitable);
        } catch (const boost::system::system_error& e) {
            throw error(errc::transport, "cannot connect to the TPM at " + endpoint_text() + ": " + e.code().message() +
                                             " (is swtpm running there?)");
        }
        socket.set_option(net::ip::tcp::no_delay(true));
        // The connect left the socket registered with the event loop for
        // writability too, and Asio never drops that: every ACK of a command
        // would then wake the loop once, for nothing, while the TPM works
        // (bench/README.md). The same descriptor, adopted
        // afresh, is registered for reading only.
        net::ip::tcp::socket readable(ex_, connected.protocol(), socket.release());
        readable.non_blocking(true);  // transact() writes directly and must never block
        socket_ = std::move(readable);
    }

    net::awaitable<bytes> transact(bytes_view command) override {
        if (!socket_.is_open()) co_await reopen();
        try {
            // A command fits the socket buffer: write it directly, without a
            // round through the event loop; async_write only for a remainder.
            boost::system::error_code wec;
            std::size_t sent = socket_.write_some(net::buffer(command.data(), command.size()), wec);
            if (wec && wec != net::error::would_block) throw boost::system::system_error(wec);
            if (sent < command.size())
                co_await net::async_write(socket_, net::buffer(command.data() + sent, command.size() - sent),
                                          net::use_awaitable);
            // A response normally arrives in one segment: read what is there
            // (header and body together) and only then ask for the rest.
            std::span<byte> space = received_.space();
            std::size_t got = 0;
            while (got < 10)
                got += co_await socket_.async_read_some(net::buffer(space.data() + got, space.size() - got),
                                                        net::use_awaitable);
            std::uint32_t size = detail::response_size(space.first(got));
            if (got > size) throw error(errc::transport, "the TPM sent more than one response");
            if (size > got) {
                space = received_.space(size);  // grows for the rare response above 4 KiB
                co_await net::async_read(socket_, net::buffer(space.data() + got, size - got), net::use_awaitable);
            }
            co_return received_.take(size);
        } catch (const boost::system::system_error& e) {
            close();
            received_.wipe();
            if (e.code() == net::error::operation_aborted) throw;
            throw error(errc::transport, "connection to the TPM at " + endpoint_text() + " failed: " + e.code().message());
        } catch (const error&) {
            close();
            received_.wipe();
            throw;
        }
    }

    void close() noexcept override {
        boost::system::error_code ignored;
        socket_.close(ignored);
    }
    bool is_open() const noexcept override { return socket_.is_open(); }
    std::string describe() const override { return "swtpm at " + endpoint_text(); }

private:
    std::string endpoint_text() const {
        return host_.find(':') != std::string::npos ? "[" + host_ + "]:" + std::to_string(port_)
                                                    : host_ + ":" + std::to_string(port_);
    }

    net::any_io_executor ex_;
    std::string host_;
    std::uint16_t port_;
    net::ip::tcp::socket socket_;
    detail::receive_buffer received_{4096};
};

}  // namespace tpmwire
