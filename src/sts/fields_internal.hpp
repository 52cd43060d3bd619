// Shared by the JSON and XML halves of the field reader (not a public header).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sts/fields.hpp"

namespace atpc::sts::detail {

// Deeper paths are refused (AWS replies nest four or five levels).
inline constexpr std::size_t max_depth = 32;

class field_collector {
public:
    explicit field_collector(std::span<const field_spec> specs);

    std::vector<std::string> path;  // names from the root to the current value

    // The spec matching `path` exactly, or -1.
    int match() const;
    // True when some spec may match below `path`.
    bool may_contain() const;
    // Storage for spec `index`'s value, emptied; throws reply_error when the
    // field may appear only once and already did.
    field_value& start(int index);

    const field_spec& spec(int index) const { return specs_[static_cast<std::size_t>(index)]; }
    std::vector<field_value> take() { return std::move(values_); }

private:
    std::span<const field_spec> specs_;
    std::vector<field_value> values_;
};

void read_json(std::string_view body, field_collector& out);
void read_xml(std::string_view body, field_collector& out);

}  // namespace atpc::sts::detail
