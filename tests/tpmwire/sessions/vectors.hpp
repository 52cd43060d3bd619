// Test-only reader for the TPM crypto vectors in tests/data/tpm-crypto: a
// JSON array of flat objects whose values are strings or integers. Anything
// else fails loudly, so a changed file format cannot silently skip vectors.
#pragma once

#include <cctype>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace test {

// One vector: field name -> value (integers kept as their decimal text).
using vector_fields = std::map<std::string, std::string>;

class flat_json {
public:
    explicit flat_json(std::string text) : s_(std::move(text)) {}

    std::vector<vector_fields> parse() {
        std::vector<vector_fields> out;
        expect('[');
        if (peek() == ']') return finish(out);
        for (;;) {
            out.push_back(object());
            if (peek() == ',') { ++i_; continue; }
            expect(']');
            return finish(out);
        }
    }

private:
    std::vector<vector_fields>& finish(std::vector<vector_fields>& out) {
        if (peek() != '\0') fail("trailing data");
        return out;
    }
    vector_fields object() {
        vector_fields o;
        expect('{');
        if (peek() == '}') { ++i_; return o; }
        for (;;) {
            std::string key = string();
            expect(':');
            std::string value = peek() == '"' ? string() : integer();
            if (!o.emplace(std::move(key), std::move(value)).second) fail("duplicate key");
            if (peek() == ',') { ++i_; continue; }
            expect('}');
            return o;
        }
    }
    std::string string() {
        expect('"');
        std::string v;
        while (i_ < s_.size() && s_[i_] != '"') {
            if (s_[i_] == '\\') fail("escapes are not expected in the vectors");
            v.push_back(s_[i_++]);
        }
        if (i_ == s_.size()) fail("unterminated string");
        ++i_;
        return v;
    }
    std::string integer() {
        std::string v;
        while (i_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[i_]))) v.push_back(s_[i_++]);
        if (v.empty()) fail("expected a string or an integer");
        return v;
    }
    char peek() {
        while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
        return i_ < s_.size() ? s_[i_] : '\0';
    }
    void expect(char c) {
        if (peek() != c) fail(std::string("expected '") + c + "'");
        ++i_;
    }
    [[noreturn]] void fail(const std::string& why) {
        throw std::runtime_error("vector file: " + why + " at offset " + std::to_string(i_));
    }
    std::string s_;
    std::size_t i_ = 0;
};

// Loads tests/data/tpm-crypto/<name>.
inline std::vector<vector_fields> load_vectors(const std::string& name) {
    const std::string path = std::string(ATPC_TEST_DATA_DIR) + "/tpm-crypto/" + name;
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open " + path);
    std::stringstream ss;
    ss << in.rdbuf();
    return flat_json(ss.str()).parse();
}

// The field, or an exception naming it (a missing field is a test failure,
// not a skipped check).
inline const std::string& field(const vector_fields& v, const std::string& key) {
    auto it = v.find(key);
    if (it == v.end()) throw std::runtime_error("vector has no field " + key);
    return it->second;
}

}  // namespace test
