// Tests of include/misim/directory_export.hpp: DOT and JSON of the live directory.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "estate.hpp"
#include "misim/directory.hpp"
#include "misim/directory_export.hpp"

namespace misim {
namespace {

using testing::Estate;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::ok;

struct Exported : Estate {
  Exported() {
    vault = resource("vault", "key_vault");
    vm = resource("web-0", "vm", true);
    id = user_assigned("web-id");
    ok(dir.attach(vm, id, 0));
    live = assign(id, "Key Vault Secrets User", vault);
    gone = user_assigned("old-id");
    orphan = assign(gone, "Key Vault Secrets Officer", vault);
    ok(dir.delete_entity(gone, kHour));
  }
  ResourceId vault, vm;
  IdentityId id, gone;
  RoleAssignmentId live, orphan;
};

TEST(DotExport, MarksIdentityKindsAndOrphanedAssignmentsVisibly) {
  Exported e;
  const std::string dot = export_dot(e.dir);
  EXPECT_THAT(dot, HasSubstr("digraph directory {"));
  EXPECT_THAT(dot, HasSubstr("subgraph cluster_t0"));
  EXPECT_THAT(dot, HasSubstr("subgraph cluster_g0"));
  EXPECT_THAT(dot, HasSubstr("\"i0\" [label=\"web-0\\nsystem-assigned\", shape=ellipse"));
  EXPECT_THAT(dot, HasSubstr("\"i1\" [label=\"web-id\\nuser-assigned\", shape=hexagon"));
  EXPECT_THAT(dot, HasSubstr("\"r0\" [label=\"vault\\nkey_vault\", shape=cylinder]"));
  EXPECT_THAT(dot, HasSubstr("\"r1\" -> \"i1\" [label=\"uses\""));
  EXPECT_THAT(dot, HasSubstr("\"i1\" -> \"ra0\""));
  EXPECT_THAT(dot, HasSubstr("Key Vault Secrets Officer\\nIdentity not found\\n" +
                             e.dir.identity(e.gone).object_id.to_string()));
  EXPECT_THAT(dot, HasSubstr("\"ra1\" [label=\"Key Vault Secrets Officer\\nIdentity not found"));
  EXPECT_THAT(dot, HasSubstr("style=dashed, color=\"#d0021b\""));
  EXPECT_THAT(dot, Not(HasSubstr("old-id")));  // deleted entities are not drawn
}

TEST(DotExport, EscapesNamesAndIsDeterministic) {
  Estate e;
  e.resource("we\"ird\\name", "vm");
  const std::string dot = export_dot(e.dir);
  EXPECT_THAT(dot, HasSubstr("we\\\"ird\\\\name"));
  EXPECT_EQ(dot, export_dot(e.dir));
}

TEST(JsonExport, DescribesTheLiveDirectoryForScripts) {
  Exported e;
  const auto j = nlohmann::json::parse(export_json(e.dir));
  EXPECT_EQ(j["tenants"][0]["name"], "contoso");
  EXPECT_EQ(j["subscriptions"][0]["role_assignments"], 2);
  ASSERT_EQ(j["resources"].size(), 2U);
  EXPECT_EQ(j["resources"][1]["name"], "web-0");
  EXPECT_EQ(j["resources"][1]["system_assigned"], true);
  EXPECT_EQ(j["resources"][1]["user_assigned"][0], "web-id");
  EXPECT_EQ(j["resources"][1]["arm_id"], e.dir.arm_id(e.vm));
  ASSERT_EQ(j["identities"].size(), 2U);  // old-id is deleted
  EXPECT_EQ(j["identities"][0]["kind"], "system_assigned");
  EXPECT_EQ(j["identities"][1]["client_id"], e.dir.identity(e.id).client_id.to_string());
  ASSERT_EQ(j["role_assignments"].size(), 2U);
  EXPECT_EQ(j["role_assignments"][0]["principal"], "web-id");
  EXPECT_EQ(j["role_assignments"][0]["orphaned"], false);
  EXPECT_TRUE(j["role_assignments"][1]["principal"].is_null());
  EXPECT_EQ(j["role_assignments"][1]["orphaned"], true);
  EXPECT_EQ(j["role_assignments"][1]["orphaned_since_s"], 3600.0);
  EXPECT_EQ(j["role_assignments"][1]["principal_object_id"], e.dir.identity(e.gone).object_id.to_string());
  EXPECT_EQ(export_json(e.dir), export_json(e.dir));
}

}  // namespace
}  // namespace misim
