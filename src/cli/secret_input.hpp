// The AWS secret access key for `import`: from standard input (read without
// echo when it is a terminal) or AWS_SECRET_ACCESS_KEY; never from the
// command line and never to disk. Messages about it never quote it.
#pragma once

#include "base/env.hpp"

#include "tpmwire/bytes.hpp"

#include <string_view>

namespace atpc::cli {

enum class secret_source { terminal, standard_input, environment };

struct secret_input {
    tpmwire::secret_string value;  // the 40-character secret, without "AWS4"
    secret_source source = secret_source::standard_input;
};

// Throws atpc::error(fault::usage) unless `secret` looks like an AWS secret
// access key: 40 characters of A-Z a-z 0-9 / + =. The message gives the
// length and the kind of mistake (an access key id, an "AWS4" prefix), never
// a character of the value.
void check_secret(std::string_view secret);

// Reads the secret:
//   - stdin is a terminal: AWS_SECRET_ACCESS_KEY when set, else a prompt on
//     stderr with echo off (restored on return and on SIGINT/SIGTERM/SIGHUP);
//   - otherwise: one line from stdin (surrounding blanks and the line end are
//     dropped); when stdin is empty, AWS_SECRET_ACCESS_KEY. Both set and
//     different is an error (which one did the user mean?).
// Then check_secret(). Throws atpc::error(fault::usage).
secret_input read_secret(const env_lookup& env, int fd = 0);

// "AWS4" + secret: the HMAC key whose HMAC of a date is SigV4's kDate.
tpmwire::bytes hmac_key_bytes(std::string_view secret);

std::string_view describe(secret_source s);

}  // namespace atpc::cli
