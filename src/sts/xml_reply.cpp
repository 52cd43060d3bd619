// XML replies, read with expat. Expat allocates through a suite that wipes
// every block it frees, so the body's bytes do not outlive the parse in its
// buffers; element text is gathered into a wiped string. DOCTYPEs (and with
// them entity tricks) are refused.
#include <expat.h>

#include <cstdlib>
#include <cstring>
#include <vector>

#include "sts/reply_internal.hpp"

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

constexpr std::size_t max_depth = 32;

struct parse_state {
    XML_Parser parser = nullptr;
    std::vector<std::string> path;  // local names from the root
    tpmwire::secret_string text = new_secret();
    std::string failure;  // set when the parse was stopped on purpose
    void (*on_leaf)(parse_state&, std::string_view name) = nullptr;
    raw_credentials creds;
    service_error err;
    bool found_error = false;

    void stop(std::string why) {
        if (failure.empty()) failure = std::move(why);
        XML_StopParser(parser, XML_FALSE);
    }
    std::string_view parent() const { return path.size() >= 2 ? std::string_view(path[path.size() - 2]) : ""; }
};

std::string_view local_name(const XML_Char* name) {
    std::string_view n(name);
    auto bar = n.rfind('|');
    return bar == std::string_view::npos ? n : n.substr(bar + 1);
}

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

void XMLCALL on_start(void* user, const XML_Char* name, const XML_Char**) {
    auto& st = *static_cast<parse_state*>(user);
    if (st.path.size() >= max_depth) return st.stop("the XML reply is nested too deeply");
    st.path.emplace_back(local_name(name));
    st.text.clear();
}

// Pretty-printed XML may wrap a value in whitespace; it is never part of one.
void trim(tpmwire::secret_string& s) {
    auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    std::size_t end = s.size();
    while (end > 0 && space(s[end - 1])) --end;
    s.resize(end);
    std::size_t start = 0;
    while (start < s.size() && space(s[start])) ++start;
    s.erase(0, start);
}

void XMLCALL on_end(void* user, const XML_Char*) {
    auto& st = *static_cast<parse_state*>(user);
    if (st.path.empty()) return;
    trim(st.text);
    st.on_leaf(st, st.path.back());
    st.text.clear();
    st.path.pop_back();
}

void XMLCALL on_text(void* user, const XML_Char* s, int len) {
    auto& st = *static_cast<parse_state*>(user);
    if (len < 0 || st.text.size() + static_cast<std::size_t>(len) > max_field_bytes) {
        return st.stop("an XML reply field is too long");
    }
    st.text.append(s, static_cast<std::size_t>(len));
}

void XMLCALL on_doctype(void* user, const XML_Char*, const XML_Char*, const XML_Char*, int) {
    static_cast<parse_state*>(user)->stop("the XML reply has a DOCTYPE, which is never sent by STS");
}

void XMLCALL on_entity(void* user, const XML_Char*, int, const XML_Char*, int, const XML_Char*, const XML_Char*,
                       const XML_Char*, const XML_Char*) {
    static_cast<parse_state*>(user)->stop("the XML reply declares entities");
}

template <class T>
bool take_once(parse_state& st, std::optional<T>& slot, std::string_view name) {
    if (slot) {
        st.stop("the reply has " + std::string(name) + " twice");
        return false;
    }
    slot.emplace();
    return true;
}

void credentials_leaf(parse_state& st, std::string_view name) {
    // <XResponse><XResult><Credentials><Field>  or  ...<AssumedRoleUser><Field>
    if (st.path.size() != 4 || !ends_with(st.path[0], "Response") || !ends_with(st.path[1], "Result")) return;
    auto& c = st.creds;
    if (st.path[2] == "Credentials") {
        if (name == "AccessKeyId" && take_once(st, c.access_key_id, name)) {
            c.access_key_id->assign(st.text.data(), st.text.size());
        } else if (name == "SecretAccessKey" && take_once(st, c.secret_access_key, name)) {
            *c.secret_access_key = new_secret();
            c.secret_access_key->assign(st.text);
        } else if (name == "SessionToken" && take_once(st, c.session_token, name)) {
            *c.session_token = new_secret();
            c.session_token->assign(st.text);
        } else if (name == "Expiration" && take_once(st, c.expiration, name)) {
            c.expiration->assign(st.text.data(), st.text.size());
        }
    } else if (st.path[2] == "AssumedRoleUser") {
        if (name == "Arn" && take_once(st, c.arn, name)) {
            c.arn->assign(st.text.data(), st.text.size());
        } else if (name == "AssumedRoleId" && take_once(st, c.role_id, name)) {
            c.role_id->assign(st.text.data(), st.text.size());
        }
    }
}

void error_leaf(parse_state& st, std::string_view name) {
    auto set = [&](std::string& out) {
        out.assign(st.text.data(), st.text.size());
        st.found_error = true;
    };
    if (st.parent() == "Error") {
        if (name == "Code") set(st.err.code);
        if (name == "Message") set(st.err.message);
        if (name == "Type") set(st.err.type);
    }
    if (name == "RequestId" || name == "RequestID") st.err.request_id.assign(st.text.data(), st.text.size());
}

// Parses body with st's leaf handler; returns an empty string or the reason
// the parse failed.
std::string run(parse_state& st, std::string_view body) {
    XML_Parser p = XML_ParserCreate_MM(nullptr, &wiping_suite, "|");
    if (p == nullptr) return "out of memory";
    st.parser = p;
    XML_SetUserData(p, &st);
    XML_SetElementHandler(p, on_start, on_end);
    XML_SetCharacterDataHandler(p, on_text);
    XML_SetStartDoctypeDeclHandler(p, on_doctype);
    XML_SetEntityDeclHandler(p, on_entity);
    XML_SetParamEntityParsing(p, XML_PARAM_ENTITY_PARSING_NEVER);
    std::string why;
    if (body.size() > static_cast<std::size_t>(INT32_MAX)) {
        why = "the XML reply is too large";
    } else if (XML_Parse(p, body.data(), static_cast<int>(body.size()), XML_TRUE) != XML_STATUS_OK) {
        why = !st.failure.empty() ? st.failure
                                  : std::string("the XML reply is malformed (") +
                                        XML_ErrorString(XML_GetErrorCode(p)) + " at line " +
                                        std::to_string(XML_GetCurrentLineNumber(p)) + ")";
    }
    XML_ParserFree(p);
    st.parser = nullptr;
    return why;
}

}  // namespace

credentials parse_xml_credentials(std::string_view body) {
    parse_state st;
    st.on_leaf = credentials_leaf;
    if (auto why = run(st, body); !why.empty()) throw reply_error(why);
    return finish(std::move(st.creds));
}

std::optional<service_error> parse_xml_error(std::string_view body) {
    parse_state st;
    st.on_leaf = error_leaf;
    if (auto why = run(st, body); !why.empty() || !st.found_error) return std::nullopt;
    return std::move(st.err);
}

}  // namespace atpc::sts::detail
