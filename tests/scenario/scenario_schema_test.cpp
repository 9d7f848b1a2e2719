// docs/scenario.schema.json, the JSON Schema editors complete scenario files from, against the
// loader's own table of keys (sim/scenario/language.hpp): every section's keys agree both ways, so
// a key added to one and not the other fails here with the names of the keys. Then every scenario
// under scenarios/ is validated against the schema.
//
// The validator below is deliberately small: the subset of JSON Schema (draft-07) the schema uses
// ($ref to local definitions, type, enum, const, pattern, properties, required,
// additionalProperties, propertyNames, items, minItems, maxItems, minimum, oneOf, anyOf, allOf),
// with YAML scalars typed by the YAML 1.2 core schema as an editor does. It needs no network and no
// package beyond yaml-cpp and nlohmann_json, which misim already uses.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

// yaml-cpp 0.7 trips GCC 12's -Wdangling-pointer in its own headers (see sim/scenario/yaml_reader.hpp).
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 12
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdangling-pointer"
#include <yaml-cpp/yaml.h>
#pragma GCC diagnostic pop
#else
#include <yaml-cpp/yaml.h>
#endif

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "language.hpp"
#include "misim/client_profile.hpp"
#include "misim/resource_type.hpp"
#include "misim/role_definition.hpp"
#include "misim/scenario.hpp"
#include "misim/time.hpp"
#include "read_file.hpp"

namespace misim::scenario {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using testing::HasSubstr;

using test_support::read_file;

const Json& schema() {
  static const Json parsed = Json::parse(read_file(fs::path(MISIM_SOURCE_DIR) / "docs" / "scenario.schema.json"));
  return parsed;
}

/// The schema's definition of a section: the root for the scenario, else definitions/<name>.
const Json* definition(std::string_view name) {
  if (name == "scenario") return &schema();
  const Json& defs = schema().at("definitions");
  const auto it = defs.find(std::string(name));
  return it == defs.end() ? nullptr : &*it;
}

std::set<std::string> property_names(const Json& def) {
  std::set<std::string> out;
  if (def.contains("properties")) {
    for (const auto& [key, value] : def.at("properties").items()) out.insert(key);
  }
  return out;
}

std::set<std::string> as_set(const std::vector<std::string_view>& words) { return {words.begin(), words.end()}; }

std::string listed(const std::set<std::string>& words) {
  std::string out;
  for (const std::string& w : words) out += (out.empty() ? "'" : ", '") + w + "'";
  return out;
}

/// "" when equal, else which words are only in the loader and which only in the schema.
std::string difference(const std::set<std::string>& loader, const std::set<std::string>& in_schema) {
  std::set<std::string> only_loader;
  std::set<std::string> only_schema;
  for (const std::string& k : loader) {
    if (in_schema.count(k) == 0) only_loader.insert(k);
  }
  for (const std::string& k : in_schema) {
    if (loader.count(k) == 0) only_schema.insert(k);
  }
  std::string out;
  if (!only_loader.empty()) {
    out += "the loader (sim/scenario/language.cpp) accepts " + listed(only_loader) +
           " but docs/scenario.schema.json does not have it; ";
  }
  if (!only_schema.empty())
    out += "docs/scenario.schema.json has " + listed(only_schema) + " but the loader rejects it";
  return out;
}

/// The definition a property's schema refers to, directly or through allOf: "definitions/x" -> "x".
std::string referenced(const Json& property) {
  const std::string prefix = "#/definitions/";
  if (property.contains("$ref")) return property.at("$ref").get<std::string>().substr(prefix.size());
  if (property.contains("allOf") && property.at("allOf").size() == 1) return referenced(property.at("allOf").at(0));
  return "";
}

// ---- the small validator -------------------------------------------------------------------------

class Validator {
 public:
  explicit Validator(const Json& root) : root_(root) {}

  /// Problems of `value` against `s`, each "PATH: what".
  void check(const Json& s, const Json& value, const std::string& path, std::vector<std::string>& errors) const {
    if (s.is_boolean()) {
      if (!s.get<bool>()) errors.push_back(path + ": not allowed");
      return;
    }
    if (s.contains("$ref")) check(resolve(s.at("$ref").get<std::string>()), value, path, errors);
    if (s.contains("type") && !has_type(s.at("type"), value)) {
      errors.push_back(path + ": " + value.dump() + " is not of type " + s.at("type").dump());
      return;
    }
    if (s.contains("const") && value != s.at("const")) errors.push_back(path + ": must be " + s.at("const").dump());
    if (s.contains("enum")) {
      bool found = false;
      for (const Json& e : s.at("enum")) found = found || e == value;
      if (!found) errors.push_back(path + ": " + value.dump() + " is not one of " + s.at("enum").dump());
    }
    if (s.contains("pattern") && value.is_string() && !matches(s.at("pattern"), value.get<std::string>())) {
      errors.push_back(path + ": " + value.dump() + " does not match " + s.at("pattern").get<std::string>());
    }
    if (s.contains("minimum") && value.is_number() && value.get<double>() < s.at("minimum").get<double>()) {
      errors.push_back(path + ": below the minimum " + s.at("minimum").dump());
    }
    if (value.is_object()) check_object(s, value, path, errors);
    if (value.is_array()) check_array(s, value, path, errors);
    if (s.contains("allOf")) {
      for (const Json& sub : s.at("allOf")) check(sub, value, path, errors);
    }
    if (s.contains("anyOf") && count_valid(s.at("anyOf"), value, path) == 0) {
      errors.push_back(path + ": " + value.dump() + " matches none of the alternatives" +
                       first_problems(s.at("anyOf"), value, path));
    }
    if (s.contains("oneOf")) {
      const std::size_t n = count_valid(s.at("oneOf"), value, path);
      if (n == 0) {
        errors.push_back(path + ": " + value.dump() + " matches none of the alternatives" +
                         first_problems(s.at("oneOf"), value, path));
      }
      if (n > 1)
        errors.push_back(path + ": " + value.dump() + " matches " + std::to_string(n) + " alternatives, not one");
    }
  }

 private:
  const Json& resolve(const std::string& ref) const {
    if (ref.rfind("#/", 0) != 0) throw std::runtime_error("only local $ref are supported: " + ref);
    return root_.at(Json::json_pointer(ref.substr(1)));
  }

  static bool has_type(const Json& type, const Json& v) {
    if (type.is_array()) {
      for (const Json& t : type) {
        if (has_type(t, v)) return true;
      }
      return false;
    }
    const std::string t = type.get<std::string>();
    if (t == "object") return v.is_object();
    if (t == "array") return v.is_array();
    if (t == "string") return v.is_string();
    if (t == "boolean") return v.is_boolean();
    if (t == "null") return v.is_null();
    if (t == "number") return v.is_number();
    // A number with no fraction is an integer (draft-06 and later): YAML's 1e6 is one.
    if (t == "integer")
      return v.is_number_integer() || (v.is_number_float() && std::floor(v.get<double>()) == v.get<double>());
    return false;
  }

  static bool matches(const Json& pattern, const std::string& text) {
    // JSON Schema patterns are ECMA-262 and not anchored: std::regex's default grammar, searched.
    return std::regex_search(text, std::regex(pattern.get<std::string>()));
  }

  void check_object(const Json& s, const Json& value, const std::string& path, std::vector<std::string>& errors) const {
    if (s.contains("required")) {
      for (const Json& k : s.at("required")) {
        if (!value.contains(k.get<std::string>())) errors.push_back(path + ": missing required key " + k.dump());
      }
    }
    for (const auto& [key, v] : value.items()) {
      const std::string at = path + "." + key;
      if (s.contains("propertyNames")) check(s.at("propertyNames"), Json(key), at + " (the key)", errors);
      if (s.contains("properties") && s.at("properties").contains(key)) {
        check(s.at("properties").at(key), v, at, errors);
      } else if (s.contains("additionalProperties")) {
        const Json& extra = s.at("additionalProperties");
        if (extra.is_boolean() && !extra.get<bool>()) {
          errors.push_back(at + ": unknown key '" + key + "'");
        } else {
          check(extra, v, at, errors);
        }
      }
    }
  }

  void check_array(const Json& s, const Json& value, const std::string& path, std::vector<std::string>& errors) const {
    if (s.contains("minItems") && value.size() < s.at("minItems").get<std::size_t>()) {
      errors.push_back(path + ": fewer than " + s.at("minItems").dump() + " items");
    }
    if (s.contains("maxItems") && value.size() > s.at("maxItems").get<std::size_t>()) {
      errors.push_back(path + ": more than " + s.at("maxItems").dump() + " items");
    }
    if (s.contains("items")) {
      for (std::size_t i = 0; i < value.size(); ++i)
        check(s.at("items"), value[i], path + "[" + std::to_string(i) + "]", errors);
    }
  }

  std::size_t count_valid(const Json& alternatives, const Json& value, const std::string& path) const {
    std::size_t n = 0;
    for (const Json& sub : alternatives) {
      std::vector<std::string> e;
      check(sub, value, path, e);
      n += e.empty() ? 1 : 0;
    }
    return n;
  }

  std::string first_problems(const Json& alternatives, const Json& value, const std::string& path) const {
    std::string out;
    for (const Json& sub : alternatives) {
      std::vector<std::string> e;
      check(sub, value, path, e);
      if (!e.empty()) out += "\n      - " + e.front();
    }
    return out;
  }

  const Json& root_;
};

// ---- YAML as an editor sees it -------------------------------------------------------------------

/// `${name}` -> `$<name>` (same length) so that flow mappings such as {count: ${vms}} parse, as the
/// loader does (scenario_loader.cpp, protect_param_references); scalars are turned back below.
std::string protect(const std::string& text) {
  return std::regex_replace(text, std::regex(R"(\$\{([A-Za-z0-9_-]+)\})"), "$$<$1>");
}
std::string unprotect(const std::string& text) {
  return std::regex_replace(text, std::regex(R"(\$<([A-Za-z0-9_-]+)>)"), "$${$1}");
}

/// A plain scalar typed by the YAML 1.2 core schema; a quoted one is always a string.
Json scalar_json(const YAML::Node& node) {
  const std::string& s = node.Scalar();
  if (node.Tag() == "!") return unprotect(s);
  static const std::regex kInt(R"(^[-+]?[0-9]+$)");
  static const std::regex kFloat(R"(^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$)");
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  if (std::regex_match(s, kInt)) return std::stoll(s);
  if (std::regex_match(s, kFloat)) return std::stod(s);
  return unprotect(s);
}

Json yaml_to_json(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      Json out = Json::object();
      for (auto it = node.begin(); it != node.end(); ++it)
        out[unprotect(it->first.Scalar())] = yaml_to_json(it->second);
      return out;
    }
    case YAML::NodeType::Sequence: {
      Json out = Json::array();
      for (const YAML::Node& item : node) out.push_back(yaml_to_json(item));
      return out;
    }
    case YAML::NodeType::Scalar:
      return scalar_json(node);
    default:
      return nullptr;
  }
}

std::vector<std::string> schema_problems(const std::string& yaml_text) {
  const Json document = yaml_to_json(YAML::Load(protect(yaml_text)));
  std::vector<std::string> errors;
  Validator(schema()).check(schema(), document, "scenario", errors);
  return errors;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) out += "\n  " + l;
  return out;
}

// ---- the schema against the loader's table -------------------------------------------------------

TEST(ScenarioSchema, IsADraft07SchemaThatRejectsUnknownTopLevelKeys) {
  EXPECT_EQ(schema().at("$schema"), "http://json-schema.org/draft-07/schema#");
  EXPECT_EQ(schema().at("additionalProperties"), false);
}

TEST(ScenarioSchema, TheLoadersTableHasOneRowPerSectionAndChoiceInOrder) {
  ASSERT_EQ(sections().size(), kSectionCount);
  for (std::size_t i = 0; i < sections().size(); ++i) EXPECT_EQ(static_cast<std::size_t>(sections()[i].section), i);
  ASSERT_EQ(choice_sets().size(), kChoiceCount);
  for (std::size_t i = 0; i < choice_sets().size(); ++i)
    EXPECT_EQ(static_cast<std::size_t>(choice_sets()[i].choice), i);
}

TEST(ScenarioSchema, HasEverySectionOfTheLoaderWithTheSameKeys) {
  for (const SectionSpec& section : sections()) {
    const Json* def = definition(section.name);
    if (def == nullptr) {
      ADD_FAILURE() << "docs/scenario.schema.json has no definitions/" << section.name << " for the loader's section '"
                    << section.name << "'";
      continue;
    }
    EXPECT_EQ(difference(as_set(section.keys), property_names(*def)), "") << "in section '" << section.name << "'";
    EXPECT_EQ(def->value("additionalProperties", Json(true)), false)
        << "section '" << section.name << "': the loader rejects unknown keys, so the schema must say "
        << "\"additionalProperties\": false";
  }
}

TEST(ScenarioSchema, EveryClosedMappingOfTheSchemaIsASectionOfTheLoader) {
  std::set<std::string> names;
  for (const SectionSpec& section : sections()) names.insert(std::string(section.name));
  for (const auto& [name, def] : schema().at("definitions").items()) {
    if (!def.contains("properties")) continue;
    if (name == "services") continue;               // an open mapping; checked by NamesTheTokenPathServicesOfTheLoader
    if (name == "distribution_by_param") continue;  // checked by AcceptsAnyKindsKeysWhenTheKindIsAParam
    EXPECT_EQ(names.count(name), 1U) << "definitions/" << name
                                     << " is a mapping with fixed keys, but the loader (sim/scenario/language.cpp) "
                                     << "has no section of that name";
  }
}

TEST(ScenarioSchema, DocumentsEveryKeyWithADescriptionAndExamples) {
  for (const SectionSpec& section : sections()) {
    const Json* def = definition(section.name);
    if (def == nullptr || !def->contains("properties")) continue;
    for (const auto& [key, property] : def->at("properties").items()) {
      EXPECT_TRUE(property.contains("description")) << section.name << "." << key << " has no description";
      EXPECT_TRUE(property.contains("examples") && !property.at("examples").empty())
          << section.name << "." << key << " has no examples";
    }
  }
}

TEST(ScenarioSchema, ListsTheLoadersClosedSetsOfWords) {
  for (const ChoiceSpec& choice : choice_sets()) {
    const Json* def = definition(choice.name);
    ASSERT_NE(def, nullptr) << "docs/scenario.schema.json has no definitions/" << choice.name;
    const std::set<std::string> in_schema = def->at("enum").get<std::set<std::string>>();
    EXPECT_EQ(difference(as_set(choice.words), in_schema), "") << "in the words of '" << choice.name << "'";
  }
}

TEST(ScenarioSchema, AllowsExactlyOneTimelineActionPerEntry) {
  std::set<std::string> in_schema;
  for (const Json& alternative : definition("timeline_entry")->at("oneOf")) {
    for (const Json& key : alternative.at("required")) in_schema.insert(key.get<std::string>());
  }
  EXPECT_EQ(difference(as_set(timeline_actions()), in_schema), "") << "in the oneOf of timeline_entry";
}

TEST(ScenarioSchema, NamesTheTokenPathServicesOfTheLoader) {
  const Json& services = *definition("services");
  std::set<std::string> names;
  for (const TokenService& service : token_services()) {
    names.insert(std::string(service.name));
    ASSERT_TRUE(services.at("properties").contains(std::string(service.name))) << service.name;
    EXPECT_EQ(referenced(services.at("properties").at(std::string(service.name))),
              sections()[static_cast<std::size_t>(service.section)].name)
        << "services." << service.name;
  }
  EXPECT_EQ(difference(names, property_names(services)), "") << "in the token path's services";
  EXPECT_EQ(referenced(services.at("additionalProperties")), "service");
}

TEST(ScenarioSchema, DescribesEachDistributionKindByItsOwnSection) {
  std::set<std::string> alternatives;
  for (const Json& alternative : definition("distribution")->at("oneOf")) alternatives.insert(referenced(alternative));
  std::set<std::string> all_keys;
  for (std::string_view kind : words(Choice::kDistributionKind)) {
    const SectionSpec& section = sections()[static_cast<std::size_t>(distribution_section(kind))];
    EXPECT_EQ(alternatives.count(std::string(section.name)), 1U) << kind << " is not an alternative of distribution";
    EXPECT_EQ(definition(section.name)->at("properties").at("dist").at("const"), std::string(kind));
    all_keys.insert(section.keys.begin(), section.keys.end());
  }
  // {dist: ${kind}, ...}: the kind is known only once params are, so any kind's keys are accepted.
  EXPECT_EQ(difference(all_keys, property_names(*definition("distribution_by_param"))), "")
      << "in distribution_by_param";
}

TEST(ScenarioSchema, ListsTheDirectorysResourceTypesRolesAndClientProfiles) {
  std::set<std::string> types;
  const ResourceTypeRegistry registry = ResourceTypeRegistry::with_builtins();
  for (std::uint32_t i = 0; i < registry.size(); ++i) types.insert(registry.info(ResourceTypeId(i)).name);
  EXPECT_EQ(difference(types, definition("resource_type")->at("anyOf").at(0).at("enum").get<std::set<std::string>>()),
            "");

  std::set<std::string> roles;
  const RoleCatalog catalog = RoleCatalog::with_builtins();
  for (std::uint32_t i = 0; i < catalog.size(); ++i) roles.insert(catalog.role(RoleDefinitionId(i)).name);
  EXPECT_EQ(difference(roles, definition("role")->at("anyOf").at(0).at("enum").get<std::set<std::string>>()), "");

  EXPECT_EQ(difference(as_set(builtin_client_profile_names()),
                       definition("client_profile")->at("anyOf").at(0).at("enum").get<std::set<std::string>>()),
            "");
}

TEST(ScenarioSchema, PatternsForDurationsAndRatesAgreeWithTheParsers) {
  const std::regex duration(definition("duration")->at("pattern").get<std::string>());
  for (const char* text : {"250us", "5ms", "1.5s", "30m", "24h", "90d", "2min", "10ns", ".5s", "10", "5 ms", "5sec",
                           "-1s", "1e3s", "ms"}) {
    EXPECT_EQ(std::regex_search(text, duration), static_cast<bool>(parse_duration(text))) << "duration " << text;
  }
  const std::regex rate(definition("rate")->at("pattern").get<std::string>());
  for (const char* text : {"20/s", "1/min", "3/h", "0.5/d", "2/sec", "5/ms", "1/10min", "3/1.5h", "20", "20/x", "-1/s",
                           "1e3/s", "/s", "1/10", "1/10 min"}) {
    EXPECT_EQ(std::regex_search(text, rate), static_cast<bool>(parse_rate(text))) << "rate " << text;
  }
}

// ---- the schema against scenario files -----------------------------------------------------------

TEST(ScenarioSchema, AcceptsEveryScenarioOfTheLibrary) {
  std::size_t files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(fs::path(MISIM_SOURCE_DIR) / "scenarios")) {
    if (entry.path().extension() != ".yaml") continue;
    ++files;
    const std::vector<std::string> problems = schema_problems(read_file(entry.path()));
    EXPECT_TRUE(problems.empty()) << entry.path().string()
                                  << " does not fit docs/scenario.schema.json:" << joined(problems);
  }
  EXPECT_GT(files, 3U);
}

TEST(ScenarioSchema, RejectsWhatTheLoaderRejects) {
  const std::string base = "name: x\nduration: 1h\n";
  EXPECT_THAT(joined(schema_problems(base + "durration: 2h\n")), HasSubstr("unknown key 'durration'"));
  EXPECT_THAT(joined(schema_problems("name: x\nduration: 10\n")), HasSubstr("scenario.duration"));
  EXPECT_THAT(joined(schema_problems("name: x\n")), HasSubstr("missing required key \"duration\""));
  EXPECT_THAT(joined(schema_problems(base + "timeline: [{at: 1h, delete: a, detach: {identity: a, from: b}}]\n")),
              HasSubstr("alternatives, not one"));
  EXPECT_THAT(joined(schema_problems(base + "services: {s: {latency: {dist: lognormal, median: 4ms, sd: 1ms}}}\n")),
              HasSubstr("unknown key 'sd'"));
  EXPECT_THAT(joined(schema_problems(base + "topology: {resources: [{name: v, type: vault}]}\n")),
              HasSubstr("scenario.topology.resources[0].type"));
  // What the loader accepts, the schema accepts too: params in flow mappings, any kind from a param.
  EXPECT_EQ(joined(schema_problems(base + "params: {n: 3, k: exponential}\n"
                                          "topology: {resources: [{name: w, type: vm, count: ${n}}]}\n"
                                          "services: {s: {latency: {dist: ${k}, mean: 5ms}}}\n")),
            "");
}

}  // namespace
}  // namespace misim::scenario
