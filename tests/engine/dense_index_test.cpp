// DenseIndex: keys numbered in the order first seen, found again through growth, and told apart
// when their hashes collide.
#include "misim/dense_index.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <unordered_map>

#include "misim/random.hpp"

namespace misim {
namespace {

TEST(DenseIndex, NumbersKeysInTheOrderFirstSeen) {
  DenseIndex index;
  EXPECT_EQ(index.find_or_add(42, 0), std::make_pair(0U, true));
  EXPECT_EQ(index.find_or_add(7, 1), std::make_pair(1U, true));
  EXPECT_EQ(index.find_or_add(42, 2), std::make_pair(0U, false));
  EXPECT_EQ(index.size(), 2U);
  EXPECT_EQ(index.find(7), 1U);
  EXPECT_EQ(index.find(8), DenseIndex::kAbsent);
}

TEST(DenseIndex, AgreesWithAHashMapThroughGrowth) {
  // Random pair-like keys (a 20-bit host, a 20-bit target), many repeated, against std::unordered_map.
  DenseIndex index;
  std::unordered_map<std::uint64_t, std::uint32_t> reference;
  RandomStream rng(11, 0, 0);
  for (int i = 0; i < 300'000; ++i) {
    const auto host = static_cast<std::uint64_t>(rng.uniform01() * (1 << 20));
    const auto target = static_cast<std::uint64_t>(rng.uniform01() * 8);
    const std::uint64_t key = host << 32 | target;
    const auto next = static_cast<std::uint32_t>(reference.size());
    const auto [it, inserted] = reference.try_emplace(key, next);
    ASSERT_EQ(index.find_or_add(key, next), std::make_pair(it->second, inserted)) << "at key " << i;
  }
  EXPECT_EQ(index.size(), reference.size());
  for (const auto& [key, value] : reference) ASSERT_EQ(index.find(key), value);
}

TEST(DenseIndex, TellsApartKeysThatShareAHomeSlot) {
  // Multiples of 2^60 differ only in bits the hash's top bits barely see in a small table: they
  // probe past each other.
  DenseIndex index;
  for (std::uint32_t i = 0; i < 16; ++i) EXPECT_TRUE(index.find_or_add(std::uint64_t{i} << 60, i).second);
  for (std::uint32_t i = 0; i < 16; ++i) EXPECT_EQ(index.find(std::uint64_t{i} << 60), i);
  EXPECT_EQ(index.find(std::uint64_t{1} << 59), DenseIndex::kAbsent);
}

TEST(DenseIndex, ReserveKeepsTheKeysAndClearForgetsThem) {
  DenseIndex index;
  index.find_or_add(5, 0);
  index.reserve(10'000);
  EXPECT_EQ(index.find(5), 0U);
  index.clear();
  EXPECT_EQ(index.size(), 0U);
  EXPECT_EQ(index.find(5), DenseIndex::kAbsent);
  EXPECT_EQ(index.find_or_add(5, 3), std::make_pair(3U, true));
}

}  // namespace
}  // namespace misim
