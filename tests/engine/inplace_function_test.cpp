// Tests of include/misim/inplace_function.hpp: calling, moving, resetting and destroying callables
// stored in place.
#include "misim/inplace_function.hpp"

#include <gtest/gtest.h>

#include <cstddef>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>

namespace misim {
namespace {

using Task = InplaceFunction<void(), 48>;
using BinaryOp = InplaceFunction<int(int, int), 32>;

/// Counts live instances; moved-from instances are marked and still count until destroyed.
struct Counted {
  static inline int live = 0;
  static inline int calls = 0;
  bool moved_from = false;
  Counted() { ++live; }
  Counted(Counted&& other) noexcept {
    other.moved_from = true;
    ++live;
  }
  Counted(const Counted&) = delete;
  Counted& operator=(const Counted&) = delete;
  Counted& operator=(Counted&&) = delete;
  ~Counted() { --live; }
  void operator()() const { ++calls; }
};

class InplaceFunctionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Counted::live = 0;
    Counted::calls = 0;
  }
  void TearDown() override { EXPECT_EQ(Counted::live, 0) << "a Counted leaked or died twice"; }
};

TEST_F(InplaceFunctionTest, IsEmptyWhenDefaultConstructed) {
  Task f;
  EXPECT_FALSE(f);
}

TEST_F(InplaceFunctionTest, CallsALambdaWithArgumentsAndReturnsItsResult) {
  BinaryOp add = [](int a, int b) { return a + b; };
  EXPECT_TRUE(add);
  EXPECT_EQ(add(2, 3), 5);
}

int multiply(int a, int b) { return a * b; }

TEST_F(InplaceFunctionTest, CallsAPlainFunctionPointer) {
  BinaryOp op = &multiply;
  EXPECT_EQ(op(6, 7), 42);
}

TEST_F(InplaceFunctionTest, KeepsMutableStateBetweenCalls) {
  InplaceFunction<int(), 16> counter = [n = 0]() mutable { return ++n; };
  EXPECT_EQ(counter(), 1);
  EXPECT_EQ(counter(), 2);
  EXPECT_EQ(counter(), 3);
}

TEST_F(InplaceFunctionTest, PassesReferenceArgumentsThrough) {
  InplaceFunction<void(int&), 16> increment = [](int& x) { ++x; };
  int value = 41;
  increment(value);
  EXPECT_EQ(value, 42);
}

TEST_F(InplaceFunctionTest, PassesMoveOnlyArguments) {
  InplaceFunction<int(std::unique_ptr<int>), 16> take = [](std::unique_ptr<int> p) { return *p; };
  EXPECT_EQ(take(std::make_unique<int>(9)), 9);
}

TEST_F(InplaceFunctionTest, HoldsANonTrivialCapture) {
  const std::string text = "a string long enough to live on the heap, not in the SSO buffer";
  InplaceFunction<std::size_t(), 48> length = [s = text] { return s.size(); };
  EXPECT_EQ(length(), text.size());
  InplaceFunction<std::size_t(), 48> moved = std::move(length);
  EXPECT_EQ(moved(), text.size());
}

TEST_F(InplaceFunctionTest, MoveConstructionTransfersTheCallableAndEmptiesTheSource) {
  int calls = 0;
  Task a = [&calls] { ++calls; };
  Task b = std::move(a);
  EXPECT_FALSE(a);  // NOLINT(bugprone-use-after-move): the moved-from state is specified
  ASSERT_TRUE(b);
  b();
  EXPECT_EQ(calls, 1);
}

TEST_F(InplaceFunctionTest, MoveAssignmentDestroysTheOldTargetAndTakesTheNew) {
  {
    Task a = Counted{};
    EXPECT_EQ(Counted::live, 1);
    Task b = Counted{};
    EXPECT_EQ(Counted::live, 2);
    a = std::move(b);
    EXPECT_EQ(Counted::live, 1);
    EXPECT_FALSE(b);  // NOLINT(bugprone-use-after-move)
    a();
    EXPECT_EQ(Counted::calls, 1);
  }
  EXPECT_EQ(Counted::live, 0);
}

TEST_F(InplaceFunctionTest, SelfMoveAssignmentKeepsTheTarget) {
  Task a = Counted{};
  Task& alias = a;
  a = std::move(alias);
  ASSERT_TRUE(a);
  a();
  EXPECT_EQ(Counted::calls, 1);
  EXPECT_EQ(Counted::live, 1);
}

TEST_F(InplaceFunctionTest, MovingAnEmptyFunctionGivesAnEmptyFunction) {
  Task a;
  Task b = std::move(a);
  EXPECT_FALSE(b);
  Task c = Counted{};
  c = std::move(b);
  EXPECT_FALSE(c);
  EXPECT_EQ(Counted::live, 0);
}

TEST_F(InplaceFunctionTest, DestroysTheCallableExactlyOnce) {
  {
    Task f = Counted{};
    EXPECT_EQ(Counted::live, 1);
    Task g = std::move(f);
    EXPECT_EQ(Counted::live, 1);  // relocation destroys the source
  }
  EXPECT_EQ(Counted::live, 0);
}

TEST_F(InplaceFunctionTest, ResetDestroysTheCallableAndEmpties) {
  Task f = Counted{};
  f.reset();
  EXPECT_FALSE(f);
  EXPECT_EQ(Counted::live, 0);
  f.reset();  // resetting an empty function is harmless
  EXPECT_FALSE(f);
}

TEST_F(InplaceFunctionTest, EmplaceReplacesTheOldCallable) {
  Task f = Counted{};
  int calls = 0;
  f.emplace([&calls] { ++calls; });
  EXPECT_EQ(Counted::live, 0);
  f();
  EXPECT_EQ(calls, 1);
  f.emplace(Counted{});
  EXPECT_EQ(Counted::live, 1);
  f();
  EXPECT_EQ(Counted::calls, 1);
}

TEST_F(InplaceFunctionTest, AcceptsACallableOfExactlyTheCapacity) {
  struct Exact {
    std::byte pad[40];
    int* out;
    void operator()() const { *out = 7; }
  };
  static_assert(sizeof(Exact) == 48);
  int out = 0;
  Task f = Exact{{}, &out};
  f();
  EXPECT_EQ(out, 7);
}

TEST_F(InplaceFunctionTest, StoresTheCallableInsideTheObject) {
  // The footprint is the capacity plus one pointer to the operations table, padded to the alignment.
  static_assert(sizeof(Task) == 48 + alignof(std::max_align_t));
  static_assert(alignof(Task) == alignof(std::max_align_t));
  static_assert(Task::kCapacity == 48);
  static_assert(std::is_nothrow_move_constructible_v<Task>);
  static_assert(std::is_nothrow_move_assignable_v<Task>);
  static_assert(!std::is_copy_constructible_v<Task>);
  static_assert(!std::is_copy_assignable_v<Task>);
  // A callable with the wrong signature does not convert.
  static_assert(!std::is_constructible_v<BinaryOp, void (*)()>);
  static_assert(std::is_constructible_v<BinaryOp, int (*)(int, int)>);
  SUCCEED();
}

TEST_F(InplaceFunctionTest, RelocatesACallableThatPointsIntoItself) {
  // A non-trivially-copyable callable is moved with its move constructor, not memcpy.
  struct SelfReferential {
    int value = 5;
    const int* self = &value;
    SelfReferential() = default;
    SelfReferential(SelfReferential&& o) noexcept : value(o.value), self(&value) {}
    bool operator()() const { return self == &value && *self == 5; }
  };
  InplaceFunction<bool(), 32> f = SelfReferential{};
  EXPECT_TRUE(f());
  InplaceFunction<bool(), 32> g = std::move(f);
  EXPECT_TRUE(g());
  InplaceFunction<bool(), 32> h;
  h = std::move(g);
  EXPECT_TRUE(h());
}

}  // namespace
}  // namespace misim
