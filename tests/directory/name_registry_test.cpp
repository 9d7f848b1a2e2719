// Tests of sim/directory/name_registry.hpp (internal): the open-addressing name index against a
// std::unordered_map under a long random sequence of claims and releases.
#include "name_registry.hpp"

#include <gtest/gtest.h>

#include <string>
#include <unordered_map>
#include <vector>

#include "misim/random.hpp"

namespace misim::directory_detail {
namespace {

TEST(NameRegistry, FindsClaimedNamesAndRefusesTakenOnes) {
  NameRegistry names;
  const auto h = names.claim("web-0", EntityRef(EntityKind::kResource, 0));
  ASSERT_TRUE(h);
  EXPECT_EQ(names.text(*h), "web-0");
  EXPECT_EQ(*names.find("web-0"), EntityRef(EntityKind::kResource, 0));
  EXPECT_FALSE(names.claim("web-0", EntityRef(EntityKind::kIdentity, 3)));
  EXPECT_FALSE(names.find("web-1"));
  EXPECT_FALSE(names.find(""));
}

TEST(NameRegistry, ReleasedNamesAreFreeButTheirTextStays) {
  NameRegistry names;
  const auto h = *names.claim("web-id", EntityRef(EntityKind::kIdentity, 0));
  names.release(h);
  EXPECT_FALSE(names.find("web-id"));
  EXPECT_EQ(names.text(h), "web-id");
  names.release(h);  // twice: harmless
  const auto again = names.claim("web-id", EntityRef(EntityKind::kIdentity, 1));
  ASSERT_TRUE(again);
  EXPECT_NE(*again, h);
  EXPECT_EQ(names.find("web-id")->index, 1U);
  EXPECT_EQ(names.size(), 1U);
}

TEST(NameRegistry, AgreesWithAnUnorderedMapOverRandomClaimsAndReleases) {
  NameRegistry names;
  std::unordered_map<std::string, std::pair<std::uint32_t, std::uint32_t>> reference;  // name -> (index, handle)
  RandomStream rng(1, 2, 3);
  std::uint32_t next = 0;
  for (int step = 0; step < 200'000; ++step) {
    const std::string name = "n" + std::to_string(rng.below(5'000));
    const auto it = reference.find(name);
    if (it == reference.end()) {
      const auto h = names.claim(name, EntityRef(EntityKind::kResource, next));
      ASSERT_TRUE(h) << name;
      reference.emplace(name, std::make_pair(next++, *h));
    } else if (rng.below(2) == 0) {
      ASSERT_FALSE(names.claim(name, EntityRef(EntityKind::kResource, next)));
    } else {
      names.release(it->second.second);
      reference.erase(it);
    }
    if (step % 10'000 == 0) {
      ASSERT_EQ(names.size(), reference.size());
      for (const auto& [n, v] : reference) ASSERT_EQ(names.find(n)->index, v.first) << n;
    }
  }
  for (int i = 0; i < 5'000; ++i) {
    const std::string name = "n" + std::to_string(i);
    EXPECT_EQ(names.find(name).has_value(), reference.count(name) == 1) << name;
  }
}

TEST(NameRegistry, KeepsTextReadableAcrossManyChunks) {
  NameRegistry names;
  std::vector<std::uint32_t> handles;
  const std::string long_name(200, 'x');
  for (std::uint32_t i = 0; i < 2'000; ++i) {
    handles.push_back(*names.claim(long_name + std::to_string(i), EntityRef(EntityKind::kResource, i)));
  }
  for (std::uint32_t i = 0; i < 2'000; ++i) EXPECT_EQ(names.text(handles[i]), long_name + std::to_string(i));
}

}  // namespace
}  // namespace misim::directory_detail
