// JSON bodies, read with simdjson On-Demand. Strings are never unescaped by
// simdjson (that would copy secrets into the parser's own, unwiped string
// buffer): values are taken raw and unescaped here into wiped storage.
#include <simdjson.h>

#include <cstring>

#include <tpmwire/error.hpp>

#include "sts/fields_internal.hpp"

namespace atpc::sts::detail {
namespace {

namespace ond = simdjson::ondemand;

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

void check(simdjson::error_code e) {
    if (e) throw reply_error(std::string("the JSON reply is malformed (") + simdjson::error_message(e) + ")");
}

void put_utf8(std::uint32_t cp, tpmwire::secret_string& out) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
        return;
    }
    const int extra = cp < 0x800 ? 1 : cp < 0x10000 ? 2 : 3;
    static constexpr unsigned char lead[] = {0, 0xC0, 0xE0, 0xF0};
    out += static_cast<char>(lead[extra] | (cp >> (6 * extra)));
    for (int i = extra - 1; i >= 0; --i) out += static_cast<char>(0x80 | ((cp >> (6 * i)) & 0x3F));
}

// Four hex digits of a \u escape, through the program's one hex decoder.
bool hex4(const char*& p, const char* end, std::uint32_t& out) {
    if (end - p < 4) return false;
    try {
        const tpmwire::bytes b = tpmwire::from_hex(std::string_view(p, 4));
        out = static_cast<std::uint32_t>(b[0]) << 8 | b[1];
    } catch (const tpmwire::error&) {
        return false;
    }
    p += 4;
    return true;
}

// A \uXXXX escape (p just after the 'u'), surrogate pairs joined.
bool unicode_escape(const char*& p, const char* end, tpmwire::secret_string& out) {
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
    return true;
}

// Unescapes the JSON string whose body starts at p (just after the opening
// quote) into out; false if it is malformed, unterminated or too long.
bool unescape(const char* p, const char* end, tpmwire::secret_string& out) {
    static constexpr std::string_view from = "\"\\/bfnrt", to = "\"\\/\b\f\n\r\t";
    while (p < end) {
        const char c = *p++;
        if (c == '"') return true;
        if (static_cast<unsigned char>(c) < 0x20 || out.size() >= max_field_bytes || (c == '\\' && p >= end)) {
            return false;
        }
        if (c != '\\') {
            out += c;
        } else if (*p == 'u') {
            if (!unicode_escape(++p, end, out)) return false;
        } else if (const auto i = from.find(*p++); i != std::string_view::npos) {
            out += to[i];
        } else {
            return false;
        }
    }
    return false;
}

struct json_walk {
    const padded_copy& copy;
    field_collector& out;

    void value(std::string_view name, ond::value& v, int index) {
        ond::json_type t;
        check(v.type().get(t));
        field_value& slot = out.start(index);
        if (t == ond::json_type::number && out.spec(index).number_ok) {
            slot.number = true;
            slot.text.assign(v.raw_json_token().substr(0, 64));
            return;
        }
        ond::raw_json_string raw;
        if (t != ond::json_type::string || v.get_raw_json_string().get(raw)) {
            throw reply_error("the reply's " + std::string(name) + " is not a string");
        }
        if (!unescape(raw.raw(), copy.end(), slot.text)) {
            throw reply_error("the reply's " + std::string(name) + " is not a valid JSON string");
        }
    }

    void object(ond::object& obj) {
        if (out.path.size() >= max_depth) throw reply_error("the JSON reply is nested too deeply");
        for (auto item : obj) {
            ond::field field;
            check(std::move(item).get(field));
            std::string_view key;
            check(field.unescaped_key().get(key));
            out.path.emplace_back(key);
            ond::value v = field.value();
            member(key, v);
            out.path.pop_back();
        }
    }

    void member(std::string_view key, ond::value& v) {
        if (const int index = out.match(); index >= 0) return value(key, v, index);
        if (!out.may_contain()) return;  // skipped by the iterator
        ond::json_type t;
        check(v.type().get(t));
        if (t != ond::json_type::object) return;
        ond::object inner;
        check(v.get_object().get(inner));
        object(inner);
    }
};

}  // namespace

void read_json(std::string_view body, field_collector& out) {
    const padded_copy copy(body);
    ond::parser parser;
    ond::document doc;
    check(parser.iterate(copy.data(), copy.size, copy.bytes.size()).get(doc));
    ond::object root;
    check(doc.get_object().get(root));
    json_walk walk{copy, out};
    walk.object(root);
    // Past the root object the iterator must be out of bounds.
    if (doc.current_location().error() == simdjson::SUCCESS) {
        throw reply_error("the JSON reply has data after the root object");
    }
}

}  // namespace atpc::sts::detail
