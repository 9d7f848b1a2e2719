// Tests of include/misim/uuid.hpp: deterministic GUIDs from (seed, entity, purpose) in Azure's form.
#include "misim/uuid.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <string>

#include "misim/random.hpp"

namespace misim {
namespace {

TEST(Uuid, IsTheSameForTheSameSeedEntityAndPurpose) {
  const Uuid a = make_uuid(42, entity_key(EntityKind::kIdentity, 7), purpose("directory.object_id"));
  const Uuid b = make_uuid(42, entity_key(EntityKind::kIdentity, 7), purpose("directory.object_id"));
  EXPECT_EQ(a, b);
}

TEST(Uuid, DiffersBySeedEntityKindIndexAndPurpose) {
  const std::uint64_t p = purpose("directory.object_id");
  const Uuid base = make_uuid(42, entity_key(EntityKind::kIdentity, 7), p);
  EXPECT_NE(base, make_uuid(43, entity_key(EntityKind::kIdentity, 7), p));
  EXPECT_NE(base, make_uuid(42, entity_key(EntityKind::kIdentity, 8), p));
  EXPECT_NE(base, make_uuid(42, entity_key(EntityKind::kResource, 7), p));
  EXPECT_NE(base, make_uuid(42, entity_key(EntityKind::kIdentity, 7), purpose("directory.client_id")));
}

TEST(Uuid, PrintsAsLowercaseVersion4Rfc4122) {
  const std::regex form("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  for (std::uint32_t i = 0; i < 1000; ++i) {
    const std::string text = make_uuid(1, entity_key(EntityKind::kIdentity, i), 5).to_string();
    ASSERT_TRUE(std::regex_match(text, form)) << text;
  }
}

TEST(Uuid, DoesNotCollideOverAMillionEntities) {
  std::set<Uuid> seen;
  for (std::uint32_t i = 0; i < 1'000'000; ++i) seen.insert(make_uuid(7, entity_key(EntityKind::kResource, i), 3));
  EXPECT_EQ(seen.size(), 1'000'000U);
}

TEST(Uuid, ParsesWhatItPrintsInEitherCase) {
  const Uuid u = make_uuid(9, 9, 9);
  EXPECT_EQ(*Uuid::parse(u.to_string()), u);
  std::string upper = u.to_string();
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_EQ(*Uuid::parse(upper), u);
  EXPECT_EQ(Uuid::parse("8e3af657-a8ff-443c-a75c-2fe8c4bcb635")->to_string(), "8e3af657-a8ff-443c-a75c-2fe8c4bcb635");
}

TEST(Uuid, RejectsMalformedText) {
  EXPECT_FALSE(Uuid::parse(""));
  EXPECT_FALSE(Uuid::parse("8e3af657a8ff443ca75c2fe8c4bcb635"));
  EXPECT_FALSE(Uuid::parse("8e3af657-a8ff-443c-a75c-2fe8c4bcb63g"));
  EXPECT_FALSE(Uuid::parse("8e3af657-a8ff-443c-a75c_2fe8c4bcb635"));
  EXPECT_NE(Uuid::parse("nope").error().message.find("not a GUID"), std::string::npos);
}

}  // namespace
}  // namespace misim
