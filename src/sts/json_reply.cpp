// JSON replies, read with simdjson On-Demand. Strings are never unescaped by
// simdjson (that would copy secrets into the parser's own, unwiped string
// buffer): values are taken raw and unescaped here into wiped storage.
#include <simdjson.h>

#include <cstring>

#include "sts/reply_internal.hpp"

namespace atpc::sts::detail {
namespace {

namespace ond = simdjson::ondemand;

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// The body copied into a padded buffer that is wiped when released.
struct padded_copy {
    explicit padded_copy(std::string_view body) : bytes(body.size() + simdjson::SIMDJSON_PADDING), size(body.size()) {
        if (!body.empty()) std::memcpy(bytes.data(), body.data(), body.size());
    }
    const char* data() const { return reinterpret_cast<const char*>(bytes.data()); }
    const char* end() const { return data() + size; }
    tpmwire::bytes bytes;
    std::size_t size;
};

[[noreturn]] void malformed(simdjson::error_code e) {
    throw reply_error(std::string("the JSON reply is malformed (") + simdjson::error_message(e) + ")");
}

void check(simdjson::error_code e) {
    if (e) malformed(e);
}

void put_utf8(std::uint32_t cp, auto& out) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

bool hex4(const char*& p, const char* end, std::uint32_t& out) {
    if (end - p < 4) return false;
    out = 0;
    for (int i = 0; i < 4; ++i, ++p) {
        char c = *p;
        std::uint32_t v;
        if (c >= '0' && c <= '9') v = static_cast<std::uint32_t>(c - '0');
        else if (c >= 'a' && c <= 'f') v = static_cast<std::uint32_t>(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v = static_cast<std::uint32_t>(c - 'A' + 10);
        else return false;
        out = out * 16 + v;
    }
    return true;
}

// Unescapes the JSON string whose body starts at p (just after the opening
// quote) into out; false if it is malformed, unterminated or too long.
template <class Out>
bool unescape(const char* p, const char* end, Out& out) {
    while (p < end) {
        char c = *p++;
        if (c == '"') return true;
        if (static_cast<unsigned char>(c) < 0x20) return false;
        if (out.size() >= max_field_bytes) return false;
        if (c != '\\') {
            out += c;
            continue;
        }
        if (p >= end) return false;
        switch (*p++) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
            std::uint32_t cp;
            if (!hex4(p, end, cp)) return false;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                std::uint32_t lo;
                if (end - p < 2 || p[0] != '\\' || p[1] != 'u') return false;
                p += 2;
                if (!hex4(p, end, lo) || lo < 0xDC00 || lo > 0xDFFF) return false;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                return false;
            }
            put_utf8(cp, out);
            break;
        }
        default: return false;
        }
    }
    return false;
}

class reader {
public:
    explicit reader(std::string_view body) : copy_(body) {}

    // Runs fn(key, value) for each field of the root object; true when the
    // whole document was consumed.
    template <class Fn>
    void root(Fn&& fn) {
        check(parser_.iterate(copy_.data(), copy_.size, copy_.bytes.size()).get(doc_));
        ond::object obj;
        check(doc_.get_object().get(obj));
        fields(obj, fn);
        // Past the root object the iterator must be out of bounds.
        if (doc_.current_location().error() == simdjson::SUCCESS) {
            throw reply_error("the JSON reply has data after the root object");
        }
    }

    template <class Fn>
    void fields(ond::object& obj, Fn&& fn) {
        for (auto item : obj) {
            ond::field field;
            check(std::move(item).get(field));
            std::string_view key;
            check(field.unescaped_key().get(key));
            ond::value value = field.value();
            fn(key, value);
        }
    }

    template <class Fn>
    void object(ond::value& v, Fn&& fn) {
        ond::json_type t;
        check(v.type().get(t));
        if (t != ond::json_type::object) return;  // not what we look for: skipped
        ond::object obj;
        check(v.get_object().get(obj));
        fields(obj, fn);
    }

    template <class Out>
    void string(ond::value& v, Out& out, std::string_view name) {
        ond::raw_json_string raw;
        if (v.get_raw_json_string().get(raw)) throw reply_error("the reply's " + std::string(name) + " is not a string");
        if (!unescape(raw.raw(), copy_.end(), out)) {
            throw reply_error("the reply's " + std::string(name) + " is not a valid JSON string");
        }
    }

    bool is_type(ond::value& v, ond::json_type want) {
        ond::json_type t;
        check(v.type().get(t));
        return t == want;
    }

    std::string number_token(ond::value& v) {
        std::string_view token = v.raw_json_token();
        return std::string(token.substr(0, 64));
    }

private:
    padded_copy copy_;
    ond::parser parser_;
    ond::document doc_;
};

template <class T>
void set_once(std::optional<T>& slot, std::string_view name) {
    if (slot) throw reply_error("the reply has " + std::string(name) + " twice");
    slot.emplace();
}

}  // namespace

credentials parse_json_credentials(std::string_view body) {
    reader r(body);
    raw_credentials raw;
    auto on_credentials = [&](std::string_view key, ond::value& v) {
        if (key == "AccessKeyId") {
            set_once(raw.access_key_id, key);
            r.string(v, *raw.access_key_id, key);
        } else if (key == "SecretAccessKey") {
            set_once(raw.secret_access_key, key);
            *raw.secret_access_key = new_secret();
            r.string(v, *raw.secret_access_key, key);
        } else if (key == "SessionToken") {
            set_once(raw.session_token, key);
            *raw.session_token = new_secret();
            r.string(v, *raw.session_token, key);
        } else if (key == "Expiration") {
            set_once(raw.expiration, key);
            if (r.is_type(v, ond::json_type::number)) {
                raw.expiration_is_number = true;
                *raw.expiration = r.number_token(v);
            } else {
                r.string(v, *raw.expiration, key);
            }
        }
    };
    auto on_user = [&](std::string_view key, ond::value& v) {
        if (key == "Arn") {
            set_once(raw.arn, key);
            r.string(v, *raw.arn, key);
        } else if (key == "AssumedRoleId") {
            set_once(raw.role_id, key);
            r.string(v, *raw.role_id, key);
        }
    };
    auto on_result = [&](std::string_view key, ond::value& v) {
        if (key == "Credentials") r.object(v, on_credentials);
        if (key == "AssumedRoleUser") r.object(v, on_user);
    };
    auto on_response = [&](std::string_view key, ond::value& v) {
        if (ends_with(key, "Result")) r.object(v, on_result);
    };
    r.root([&](std::string_view key, ond::value& v) {
        if (ends_with(key, "Response")) r.object(v, on_response);
    });
    return finish(std::move(raw));
}

std::optional<service_error> parse_json_error(std::string_view body) {
    try {
        reader r(body);
        service_error e;
        bool found = false;
        auto text = [&](ond::value& v, std::string& out, std::string_view name) {
            if (!r.is_type(v, ond::json_type::string)) return;
            out.clear();
            r.string(v, out, name);
            found = true;
        };
        auto on_error = [&](std::string_view key, ond::value& v) {
            if (key == "Code" || key == "code") text(v, e.code, key);
            if (key == "Message" || key == "message") text(v, e.message, key);
            if (key == "Type" || key == "type") text(v, e.type, key);
        };
        r.root([&](std::string_view key, ond::value& v) {
            if (key == "Error") {
                r.object(v, on_error);
            } else if (key == "__type") {
                // awsJson form: "namespace#Code" or just "Code".
                text(v, e.code, key);
                if (auto hash = e.code.rfind('#'); hash != std::string::npos) e.code.erase(0, hash + 1);
            } else if (key == "message" || key == "Message") {
                text(v, e.message, key);
            } else if (key == "code" || key == "Code") {
                text(v, e.code, key);
            } else if (key == "RequestId" || key == "requestId") {
                if (r.is_type(v, ond::json_type::string)) r.string(v, e.request_id, key);
            } else if (key == "ResponseMetadata") {
                r.object(v, [&](std::string_view k, ond::value& inner) {
                    if (k == "RequestId" && r.is_type(inner, ond::json_type::string)) r.string(inner, e.request_id, k);
                });
            }
        });
        if (!found) return std::nullopt;
        return e;
    } catch (const reply_error&) {
        return std::nullopt;
    }
}

}  // namespace atpc::sts::detail
