// The reply carries no secret (account, ARN, user id), so it is parsed with
// simdjson's DOM and plain expat rather than the wiping readers that
// credentials need; the same shape checks apply to both formats.
#include "sts/identity.hpp"

#include <expat.h>
#include <simdjson.h>

#include <algorithm>
#include <optional>
#include <vector>

#include "sts/client.hpp"
#include "sts/reply.hpp"

namespace atpc::sts {
namespace {

constexpr std::size_t max_field = 2048;

struct raw_identity {
    std::optional<std::string> account, arn, user_id;
};

void set_once(std::optional<std::string>& slot, std::string_view name, std::string_view value) {
    if (slot) throw reply_error("the reply has " + std::string(name) + " twice");
    if (value.size() > max_field) throw reply_error("the reply's " + std::string(name) + " is too long");
    slot.emplace(value);
}

void take(raw_identity& id, std::string_view key, std::string_view value) {
    if (key == "Account") set_once(id.account, key, value);
    else if (key == "Arn") set_once(id.arn, key, value);
    else if (key == "UserId") set_once(id.user_id, key, value);
}

bool printable_no_space(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

caller_identity finish(raw_identity raw) {
    if (!raw.account || !raw.arn || !raw.user_id)
        throw reply_error(std::string("the reply has no ") + (!raw.account ? "Account" : !raw.arn ? "Arn" : "UserId"));
    const auto& a = *raw.account;
    if (a.size() != 12 || !std::all_of(a.begin(), a.end(), [](char c) { return c >= '0' && c <= '9'; }))
        throw reply_error("the reply's Account is not 12 digits");
    auto arn_account = account_from_arn(*raw.arn);
    if (!arn_account || !printable_no_space(*raw.arn)) throw reply_error("the reply's Arn is not an ARN with an account");
    if (*arn_account != a) throw reply_error("the reply's Arn and Account name different accounts");
    if (raw.user_id->empty() || raw.user_id->size() > 256 || !printable_no_space(*raw.user_id))
        throw reply_error("the reply's UserId is empty or not printable ASCII");
    return {std::move(a), std::move(*raw.arn), std::move(*raw.user_id)};
}

// {"GetCallerIdentityResponse":{"GetCallerIdentityResult":{"Account":..,"Arn":..,"UserId":..}, ...}}
caller_identity parse_json(std::string_view body) {
    simdjson::dom::parser parser;
    simdjson::padded_string copy(body);
    simdjson::dom::element root;
    if (auto e = parser.parse(copy).get(root))
        throw reply_error(std::string("the JSON reply is malformed (") + simdjson::error_message(e) + ")");
    simdjson::dom::object response, result;
    if (root["GetCallerIdentityResponse"].get(response) || response["GetCallerIdentityResult"].get(result))
        throw reply_error("the JSON reply has no GetCallerIdentityResponse.GetCallerIdentityResult object");
    raw_identity id;
    for (auto [key, value] : result) {
        std::string_view text;
        if (key != "Account" && key != "Arn" && key != "UserId") continue;
        if (value.get(text)) throw reply_error("the reply's " + std::string(key) + " is not a string");
        take(id, key, text);
    }
    return finish(std::move(id));
}

struct xml_state {
    XML_Parser parser = nullptr;
    std::vector<std::string> path;
    std::string text;
    std::string failure;
    raw_identity id;

    void stop(std::string why) {
        if (failure.empty()) failure = std::move(why);
        XML_StopParser(parser, XML_FALSE);
    }
};

std::string_view local_name(const XML_Char* name) {
    std::string_view n(name);
    auto bar = n.rfind('|');
    return bar == std::string_view::npos ? n : n.substr(bar + 1);
}

void XMLCALL on_start(void* user, const XML_Char* name, const XML_Char**) {
    auto& st = *static_cast<xml_state*>(user);
    if (st.path.size() >= 16) return st.stop("the XML reply is nested too deeply");
    st.path.emplace_back(local_name(name));
    st.text.clear();
}

void XMLCALL on_end(void* user, const XML_Char*) {
    auto& st = *static_cast<xml_state*>(user);
    if (st.path.empty()) return;
    // <GetCallerIdentityResponse><GetCallerIdentityResult><Field>
    if (st.path.size() == 3 && st.path[0] == "GetCallerIdentityResponse" && st.path[1] == "GetCallerIdentityResult") {
        auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
        std::string_view v = st.text;
        while (!v.empty() && space(v.front())) v.remove_prefix(1);
        while (!v.empty() && space(v.back())) v.remove_suffix(1);
        try {
            take(st.id, st.path.back(), v);
        } catch (const reply_error& e) {
            st.stop(e.what());
        }
    }
    st.text.clear();
    st.path.pop_back();
}

void XMLCALL on_text(void* user, const XML_Char* s, int len) {
    auto& st = *static_cast<xml_state*>(user);
    if (len < 0 || st.text.size() + static_cast<std::size_t>(len) > max_field) return st.stop("an XML reply field is too long");
    st.text.append(s, static_cast<std::size_t>(len));
}

void XMLCALL on_doctype(void* user, const XML_Char*, const XML_Char*, const XML_Char*, int) {
    static_cast<xml_state*>(user)->stop("the XML reply has a DOCTYPE, which is never sent by STS");
}

void XMLCALL on_entity(void* user, const XML_Char*, int, const XML_Char*, int, const XML_Char*, const XML_Char*,
                       const XML_Char*, const XML_Char*) {
    static_cast<xml_state*>(user)->stop("the XML reply declares entities");
}

caller_identity parse_xml(std::string_view body) {
    if (body.size() > 1024 * 1024) throw reply_error("the XML reply is too large");
    xml_state st;
    XML_Parser p = XML_ParserCreateNS(nullptr, '|');
    if (p == nullptr) throw reply_error("out of memory");
    st.parser = p;
    XML_SetUserData(p, &st);
    XML_SetElementHandler(p, on_start, on_end);
    XML_SetCharacterDataHandler(p, on_text);
    XML_SetStartDoctypeDeclHandler(p, on_doctype);
    XML_SetEntityDeclHandler(p, on_entity);
    XML_SetParamEntityParsing(p, XML_PARAM_ENTITY_PARSING_NEVER);
    std::string why;
    if (XML_Parse(p, body.data(), static_cast<int>(body.size()), XML_TRUE) != XML_STATUS_OK)
        why = !st.failure.empty() ? st.failure
                                  : std::string("the XML reply is malformed (") + XML_ErrorString(XML_GetErrorCode(p)) + ")";
    XML_ParserFree(p);
    if (!why.empty()) throw reply_error(why);
    return finish(std::move(st.id));
}

}  // namespace

sts_request get_caller_identity_request() {
    return {"GetCallerIdentity", form_encode({{"Action", "GetCallerIdentity"}, {"Version", "2011-06-15"}})};
}

caller_identity parse_caller_identity(std::string_view body, std::string_view /*content_type*/) {
    for (char c : body) {
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
        if (c == '{') return parse_json(body);
        if (c == '<') return parse_xml(body);
        break;
    }
    throw reply_error(body.empty() ? "the reply body is empty" : "the reply body is neither JSON nor XML");
}

boost::asio::awaitable<caller_identity> get_caller_identity(call_options options, signer sign,
                                                            early_connection early) {
    std::optional<caller_identity> out;
    const reply_reader read = [&out](std::string_view body, std::string_view content_type) {
        out = parse_caller_identity(body, content_type);
    };
    const sts_request request = get_caller_identity_request();  // named: g++ 12 and temporaries in co_await
    co_await call(std::move(options), request, std::move(sign), read, std::move(early));
    co_return std::move(*out);
}

}  // namespace atpc::sts
