// AWS Signature Version 4 (header signing, HMAC-SHA256), pure functions.
#pragma once

#include "sigv4/amz_date.hpp"
#include "sigv4/canonical.hpp"
#include "sigv4/encoding.hpp"
#include "sigv4/request.hpp"
#include "sigv4/signer.hpp"
