// XML bodies, read with expat. Expat allocates through a suite that wipes
// every block it frees, so the body's bytes do not outlive the parse in its
// buffers; element text is gathered into a wiped string. DOCTYPEs (and with
// them entity tricks) are refused.
#include <expat.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "sts/fields_internal.hpp"

namespace atpc::sts::detail {
namespace {

// Each block carries its size in front so free can wipe it.
constexpr std::size_t header = alignof(std::max_align_t) > sizeof(std::size_t) ? alignof(std::max_align_t)
                                                                               : sizeof(std::size_t);

void* wipe_malloc(std::size_t n) {
    auto* p = static_cast<unsigned char*>(std::malloc(n + header));
    if (p == nullptr) return nullptr;
    std::memcpy(p, &n, sizeof n);
    return p + header;
}

void wipe_free(void* ptr) {
    if (ptr == nullptr) return;
    auto* p = static_cast<unsigned char*>(ptr) - header;
    std::size_t n;
    std::memcpy(&n, p, sizeof n);
    tpmwire::secure_zero(p, n + header);
    std::free(p);
}

void* wipe_realloc(void* ptr, std::size_t n) {
    void* fresh = wipe_malloc(n);
    if (fresh == nullptr || ptr == nullptr) return fresh;
    std::size_t old;
    std::memcpy(&old, static_cast<unsigned char*>(ptr) - header, sizeof old);
    std::memcpy(fresh, ptr, old < n ? old : n);
    wipe_free(ptr);
    return fresh;
}

const XML_Memory_Handling_Suite wiping_suite = {wipe_malloc, wipe_realloc, wipe_free};

struct parse_state {
    XML_Parser parser = nullptr;
    field_collector& out;
    tpmwire::secret_string text = new_secret();
    std::string failure;  // set when the parse was stopped on purpose

    void stop(std::string why) {
        if (failure.empty()) failure = std::move(why);
        XML_StopParser(parser, XML_FALSE);
    }
};

std::string_view local_name(const XML_Char* name) {
    std::string_view n(name);
    const auto bar = n.rfind('|');
    return bar == std::string_view::npos ? n : n.substr(bar + 1);
}

void XMLCALL on_start(void* user, const XML_Char* name, const XML_Char**) {
    auto& st = *static_cast<parse_state*>(user);
    if (st.out.path.size() >= max_depth) return st.stop("the XML reply is nested too deeply");
    st.out.path.emplace_back(local_name(name));
    st.text.clear();
}

// Pretty-printed XML may wrap a value in whitespace; it is never part of one.
std::string_view trimmed(const tpmwire::secret_string& s) {
    auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    std::string_view v(s);
    while (!v.empty() && space(v.front())) v.remove_prefix(1);
    while (!v.empty() && space(v.back())) v.remove_suffix(1);
    return v;
}

void XMLCALL on_end(void* user, const XML_Char*) {
    auto& st = *static_cast<parse_state*>(user);
    if (st.out.path.empty()) return;
    try {
        if (const int index = st.out.match(); index >= 0) st.out.start(index).text.assign(trimmed(st.text));
    } catch (const reply_error& e) {
        st.stop(e.what());
    }
    st.text.clear();
    st.out.path.pop_back();
}

void XMLCALL on_text(void* user, const XML_Char* s, int len) {
    auto& st = *static_cast<parse_state*>(user);
    if (len < 0 || st.text.size() + static_cast<std::size_t>(len) > max_field_bytes) {
        return st.stop("an XML reply field is too long");
    }
    st.text.append(s, static_cast<std::size_t>(len));
}

void XMLCALL on_doctype(void* user, const XML_Char*, const XML_Char*, const XML_Char*, int) {
    static_cast<parse_state*>(user)->stop("the XML reply has a DOCTYPE, which AWS never sends");
}

void XMLCALL on_entity(void* user, const XML_Char*, int, const XML_Char*, int, const XML_Char*, const XML_Char*,
                       const XML_Char*, const XML_Char*) {
    static_cast<parse_state*>(user)->stop("the XML reply declares entities");
}

// Parses body; returns an empty string or the reason the parse failed.
std::string run(parse_state& st, XML_Parser p, std::string_view body) {
    st.parser = p;
    XML_SetUserData(p, &st);
    XML_SetElementHandler(p, on_start, on_end);
    XML_SetCharacterDataHandler(p, on_text);
    XML_SetStartDoctypeDeclHandler(p, on_doctype);
    XML_SetEntityDeclHandler(p, on_entity);
    XML_SetParamEntityParsing(p, XML_PARAM_ENTITY_PARSING_NEVER);
    if (body.size() > static_cast<std::size_t>(INT32_MAX)) return "the XML reply is too large";
    if (XML_Parse(p, body.data(), static_cast<int>(body.size()), XML_TRUE) == XML_STATUS_OK) return {};
    if (!st.failure.empty()) return st.failure;
    return std::string("the XML reply is malformed (") + XML_ErrorString(XML_GetErrorCode(p)) + " at line " +
           std::to_string(XML_GetCurrentLineNumber(p)) + ")";
}

}  // namespace

void read_xml(std::string_view body, field_collector& out) {
    parse_state st{nullptr, out, new_secret(), {}};
    XML_Parser p = XML_ParserCreate_MM(nullptr, &wiping_suite, "|");
    if (p == nullptr) throw reply_error("out of memory");
    const std::string why = run(st, p, body);
    XML_ParserFree(p);
    if (!why.empty()) throw reply_error(why);
}

}  // namespace atpc::sts::detail
