#include "output/json_text.hpp"

namespace atpc::output {

void append_json_string(tpmwire::secret_string& out, std::string_view s) {
    static constexpr char hex[] = "0123456789abcdef";
    out.push_back('"');
    for (unsigned char c : s) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (c < 0x20) {
                    out += "\\u00";
                    out.push_back(hex[c >> 4]);
                    out.push_back(hex[c & 0xF]);
                } else {
                    out.push_back(static_cast<char>(c));
                }
        }
    }
    out.push_back('"');
}

void append_json_member(tpmwire::secret_string& out, std::string_view name, std::string_view value, bool first) {
    if (!first) out.push_back(',');
    append_json_string(out, name);
    out.push_back(':');
    append_json_string(out, value);
}

}  // namespace atpc::output
