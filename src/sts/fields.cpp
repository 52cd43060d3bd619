#include "sts/fields.hpp"

#include "https/url.hpp"
#include "sts/fields_internal.hpp"

namespace atpc::sts {
namespace detail {
namespace {

enum class fit { none, prefix, exact };

bool segment_matches(std::string_view pattern, std::string_view name) {
    if (!pattern.empty() && pattern.front() == '*') return name.ends_with(pattern.substr(1));
    return pattern == name;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> out;
    for (auto at = s.find(sep); at != std::string_view::npos; at = s.find(sep)) {
        out.push_back(s.substr(0, at));
        s.remove_prefix(at + 1);
    }
    out.push_back(s);
    return out;
}

// How one alternative ("**/Error/Code") relates to `path`.
fit fit_of(std::string_view alternative, const std::vector<std::string>& path) {
    auto segments = split(alternative, '/');
    if (segments.front() == "**") {
        segments.erase(segments.begin());
        if (path.size() < segments.size()) return fit::prefix;
        const std::size_t skip = path.size() - segments.size();
        for (std::size_t i = 0; i < segments.size(); ++i) {
            if (!segment_matches(segments[i], path[skip + i])) return fit::prefix;
        }
        return fit::exact;
    }
    if (path.size() > segments.size()) return fit::none;
    for (std::size_t i = 0; i < path.size(); ++i) {
        if (!segment_matches(segments[i], path[i])) return fit::none;
    }
    return path.size() == segments.size() ? fit::exact : fit::prefix;
}

enum class format { json, xml, unknown };

format sniff(std::string_view body, std::string_view content_type) {
    for (char c : body) {
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
        if (c == '{') return format::json;
        if (c == '<') return format::xml;
        return format::unknown;
    }
    // Empty or blank body: only the declared type is left to go on.
    const auto ct = https::to_lower(content_type);
    if (ct.find("json") != std::string::npos) return format::json;
    if (ct.find("xml") != std::string::npos) return format::xml;
    return format::unknown;
}

}  // namespace

field_collector::field_collector(std::span<const field_spec> specs) : specs_(specs), values_(specs.size()) {}

int field_collector::match() const {
    for (std::size_t i = 0; i < specs_.size(); ++i) {
        for (auto alternative : split(specs_[i].paths, '|')) {
            if (fit_of(alternative, path) == fit::exact) return static_cast<int>(i);
        }
    }
    return -1;
}

bool field_collector::may_contain() const {
    for (const auto& spec : specs_) {
        for (auto alternative : split(spec.paths, '|')) {
            if (fit_of(alternative, path) != fit::none) return true;
        }
    }
    return false;
}

field_value& field_collector::start(int index) {
    const auto& spec = specs_[static_cast<std::size_t>(index)];
    auto& v = values_[static_cast<std::size_t>(index)];
    if (v.found && spec.once) throw reply_error("the reply has " + std::string(spec.name) + " twice");
    v.found = true;
    v.number = false;
    v.text = new_secret();
    return v;
}

}  // namespace detail

tpmwire::secret_string new_secret() {
    tpmwire::secret_string s;
    s.reserve(64);
    return s;
}

std::vector<field_value> read_fields(std::string_view body, std::string_view content_type,
                                     std::span<const field_spec> specs) {
    detail::field_collector out(specs);
    switch (detail::sniff(body, content_type)) {
    case detail::format::json: detail::read_json(body, out); break;
    case detail::format::xml: detail::read_xml(body, out); break;
    case detail::format::unknown:
        throw reply_error(body.empty() ? "the reply body is empty" : "the reply body is neither JSON nor XML");
    }
    return out.take();
}

}  // namespace atpc::sts
