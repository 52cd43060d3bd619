#include "raw_request.hpp"

#include <fstream>
#include <iterator>
#include <stdexcept>
#include <vector>

namespace sigv4_test {

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open " + path.string());
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

namespace {

std::vector<std::string> split_lines(const std::string& text) {
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (true) {
        const std::size_t end = text.find('\n', start);
        lines.push_back(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
        if (end == std::string::npos) return lines;
        start = end + 1;
    }
}

std::string trim(const std::string& s) {
    const auto first = s.find_first_not_of(" \t");
    if (first == std::string::npos) return "";
    return s.substr(first, s.find_last_not_of(" \t") - first + 1);
}

}  // namespace

atpc::sigv4::request parse_raw_request(const std::string& text) {
    const auto lines = split_lines(text);
    const std::string& start = lines.at(0);
    const auto first_space = start.find(' ');
    const auto last_space = start.rfind(' ');
    if (first_space == std::string::npos || last_space == first_space)
        throw std::runtime_error("bad request line: " + start);
    atpc::sigv4::request r;
    r.method = start.substr(0, first_space);
    const std::string target = start.substr(first_space + 1, last_space - first_space - 1);
    const auto question = target.find('?');
    r.path = target.substr(0, question);
    if (question != std::string::npos) r.query = target.substr(question + 1);

    std::size_t i = 1;
    for (; i < lines.size() && !lines[i].empty(); ++i) {
        const std::string& line = lines[i];
        if (line[0] == ' ' || line[0] == '\t') {
            if (r.headers.empty()) throw std::runtime_error("continuation line before any header");
            r.headers.push_back({r.headers.back().name, trim(line)});
            continue;
        }
        const auto colon = line.find(':');
        if (colon == std::string::npos) throw std::runtime_error("header line without ':': " + line);
        r.headers.push_back({line.substr(0, colon), line.substr(colon + 1)});
    }
    // Everything after the blank line is the body, newlines included.
    for (std::size_t b = i + 1; b < lines.size(); ++b) {
        if (b > i + 1) r.body += '\n';
        r.body += lines[b];
    }
    return r;
}

}  // namespace sigv4_test
