// Tests of include/misim/time.hpp: parsing and printing of durations, clock stamps and rates.
#include "misim/time.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "misim/random.hpp"

namespace misim {
namespace {

using ::testing::HasSubstr;

// The message of a parse that must fail (and a test failure if it succeeded).
template <class T>
std::string error_of(const Result<T>& r) {
  EXPECT_FALSE(r.ok()) << "expected the parse to fail";
  return r.ok() ? std::string() : r.error().message;
}

TEST(ParseDuration, ReadsEveryUnit) {
  EXPECT_EQ(*parse_duration("7ns"), 7);
  EXPECT_EQ(*parse_duration("250us"), 250 * kMicrosecond);
  EXPECT_EQ(*parse_duration("5ms"), 5 * kMillisecond);
  EXPECT_EQ(*parse_duration("2s"), 2 * kSecond);
  EXPECT_EQ(*parse_duration("30m"), 30 * kMinute);
  EXPECT_EQ(*parse_duration("30min"), 30 * kMinute);
  EXPECT_EQ(*parse_duration("24h"), 24 * kHour);
  EXPECT_EQ(*parse_duration("90d"), 90 * kDay);
}

TEST(ParseDuration, ReadsClockTimesAsTimeSinceMidnight) {
  EXPECT_EQ(*parse_duration("09:00"), 9 * kHour);
  EXPECT_EQ(*parse_duration("9:05"), 9 * kHour + 5 * kMinute);
  EXPECT_EQ(*parse_duration("13:30:15"), 13 * kHour + 30 * kMinute + 15 * kSecond);
  EXPECT_EQ(*parse_duration("00:00:01.5"), 1500 * kMillisecond);
  EXPECT_EQ(*parse_duration("33:00"), kDay + 9 * kHour);  // 09:00 on the second day
}

TEST(ParseDuration, RejectsMalformedClockTimes) {
  for (const char* bad : {"09:", "09:0", "09:60", "09:00:", "09:00:60", "09:00:00:00", "09:x0", "09:00:5"}) {
    EXPECT_NE(error_of(parse_duration(bad)).find("HH:MM"), std::string::npos) << bad;
  }
}

TEST(ParseDuration, UnitsHaveTheirNanosecondValues) {
  EXPECT_EQ(*parse_duration("1us"), 1'000);
  EXPECT_EQ(*parse_duration("1ms"), 1'000'000);
  EXPECT_EQ(*parse_duration("1s"), 1'000'000'000);
  EXPECT_EQ(*parse_duration("1m"), 60'000'000'000);
  EXPECT_EQ(*parse_duration("1h"), 3'600'000'000'000);
  EXPECT_EQ(*parse_duration("1d"), 86'400'000'000'000);
}

TEST(ParseDuration, ReadsZero) {
  EXPECT_EQ(*parse_duration("0s"), 0);
  EXPECT_EQ(*parse_duration("0ns"), 0);
  EXPECT_EQ(*parse_duration("0.0h"), 0);
}

TEST(ParseDuration, ReadsDecimalFractionsExactly) {
  EXPECT_EQ(*parse_duration("1.5s"), 1'500'000'000);
  // 0.1 has no exact binary form; the parser works on decimal digits, so this is exact.
  EXPECT_EQ(*parse_duration("0.1s"), 100'000'000);
  EXPECT_EQ(*parse_duration("0.3s"), 300'000'000);
  EXPECT_EQ(*parse_duration("2.5us"), 2'500);
  EXPECT_EQ(*parse_duration("0.001ms"), 1'000);
  EXPECT_EQ(*parse_duration("1.25h"), 75 * kMinute);
  EXPECT_EQ(*parse_duration("0.5d"), 12 * kHour);
  EXPECT_EQ(*parse_duration("0.000000001s"), 1);
  EXPECT_EQ(*parse_duration("1.000000000s"), kSecond);
}

TEST(ParseDuration, ReadsTheLargestAcceptedValue) {
  // The parser accepts up to INT64_MAX / 2 ns (about 146 years).
  EXPECT_EQ(*parse_duration("53375d"), 53375 * kDay);
  EXPECT_EQ(*parse_duration("4611686018427387903ns"), INT64_MAX / 2);
}

TEST(ParseDuration, RejectsAMissingUnitAndSuggestsOne) {
  const std::string message = error_of(parse_duration("5"));
  EXPECT_THAT(message, HasSubstr("'5'"));
  EXPECT_THAT(message, HasSubstr("has no unit"));
  EXPECT_THAT(message, HasSubstr("5s"));
}

TEST(ParseDuration, RejectsAnUnknownUnitAndListsTheKnownOnes) {
  const std::string message = error_of(parse_duration("5y"));
  EXPECT_THAT(message, HasSubstr("unknown unit 'y'"));
  EXPECT_THAT(message, HasSubstr("ns, us, ms, s, m (minutes), h or d"));
  EXPECT_THAT(error_of(parse_duration("5 ms")), HasSubstr("unknown unit ' ms'"));
  EXPECT_THAT(error_of(parse_duration("5MS")), HasSubstr("unknown unit 'MS'"));
  EXPECT_THAT(error_of(parse_duration("5ms ")), HasSubstr("unknown unit 'ms '"));
  EXPECT_THAT(error_of(parse_duration("1e3s")), HasSubstr("unknown unit 'e3s'"));
}

TEST(ParseDuration, RejectsNegativeValues) {
  const std::string message = error_of(parse_duration("-5ms"));
  EXPECT_THAT(message, HasSubstr("'-5ms'"));
  EXPECT_THAT(message, HasSubstr("is negative"));
}

TEST(ParseDuration, RejectsTextThatIsNotANumber) {
  EXPECT_THAT(error_of(parse_duration("")), HasSubstr("empty duration"));
  EXPECT_THAT(error_of(parse_duration("ms")), HasSubstr("does not start with a number"));
  EXPECT_THAT(error_of(parse_duration("abc")), HasSubstr("does not start with a number"));
  EXPECT_THAT(error_of(parse_duration(" 5ms")), HasSubstr("does not start with a number"));
  EXPECT_THAT(error_of(parse_duration("+5ms")), HasSubstr("does not start with a number"));
  EXPECT_THAT(error_of(parse_duration(".s")), HasSubstr("does not start with a number"));
  EXPECT_THAT(error_of(parse_duration("1.2.3s")), HasSubstr("unknown unit '.3s'"));
}

TEST(ParseDuration, RejectsOverflow) {
  // Beyond INT64_MAX / 2 ns.
  EXPECT_THAT(error_of(parse_duration("53376d")), HasSubstr("is too long"));
  EXPECT_THAT(error_of(parse_duration("4611686018427387904ns")), HasSubstr("is too long"));
  EXPECT_THAT(error_of(parse_duration("9999999999999999999ns")), HasSubstr("is too long"));
  // More digits than 64 bits hold.
  EXPECT_THAT(error_of(parse_duration("99999999999999999999999999s")), HasSubstr("too many digits"));
}

TEST(ParseDuration, RejectsFractionsOfANanosecond) {
  EXPECT_THAT(error_of(parse_duration("0.5ns")), HasSubstr("not a whole number of nanoseconds"));
  EXPECT_THAT(error_of(parse_duration("1.0000000001s")), HasSubstr("not a whole number of nanoseconds"));
  EXPECT_THAT(error_of(parse_duration("0.0001us")), HasSubstr("not a whole number of nanoseconds"));
}

TEST(FormatDuration, PrintsTheLargestExactUnit) {
  EXPECT_EQ(format_duration(0), "0s");
  EXPECT_EQ(format_duration(90 * kDay), "90d");
  EXPECT_EQ(format_duration(24 * kHour), "1d");
  EXPECT_EQ(format_duration(25 * kHour), "25h");
  EXPECT_EQ(format_duration(30 * kMinute), "30m");
  EXPECT_EQ(format_duration(2 * kSecond), "2s");
  EXPECT_EQ(format_duration(1'500'000'000), "1500ms");
  EXPECT_EQ(format_duration(5 * kMillisecond), "5ms");
  EXPECT_EQ(format_duration(250 * kMicrosecond), "250us");
  EXPECT_EQ(format_duration(1), "1ns");
  EXPECT_EQ(format_duration(1'000'000'001), "1000000001ns");
}

TEST(FormatDuration, PrintsNegativeDurationsWithASign) {
  EXPECT_EQ(format_duration(-5 * kMillisecond), "-5ms");
  EXPECT_EQ(format_duration(INT64_MIN), "-9223372036854775808ns");
}

TEST(FormatDuration, RoundTripsThroughParseDuration) {
  // Property: parse_duration(format_duration(t)) == t for every t the parser accepts.
  std::vector<SimTime> values = {0,       1,     999,  1'000,     kMillisecond, kSecond,
                                 kMinute, kHour, kDay, 90 * kDay, INT64_MAX / 2};
  RandomStream rng(2024, 0, purpose("test.format_duration"));
  const SimTime units[] = {kNanosecond, kMicrosecond, kMillisecond, kSecond, kMinute, kHour, kDay};
  for (int i = 0; i < 20'000; ++i) {
    const SimTime unit = units[rng.below(7)];
    const auto limit = static_cast<std::uint64_t>(INT64_MAX / 2 / unit);
    // Small multiples most of the time, so every unit is the chosen one somewhere.
    const std::uint64_t count = rng.below((i % 2 == 0) ? limit + 1 : std::min<std::uint64_t>(limit + 1, 100'000));
    values.push_back(static_cast<SimTime>(count) * unit);
  }
  for (const SimTime t : values) {
    const std::string text = format_duration(t);
    const Result<SimTime> back = parse_duration(text);
    ASSERT_TRUE(back.ok()) << t << " printed as " << text << ": " << back.error().message;
    ASSERT_EQ(*back, t) << "printed as " << text;
  }
}

TEST(FormatClock, PrintsHoursMinutesSecondsAndMilliseconds) {
  EXPECT_EQ(format_clock(0), "00:00:00.000");
  EXPECT_EQ(format_clock(2 * kHour), "02:00:00.000");
  EXPECT_EQ(format_clock(13 * kHour + 4 * kMinute + 5 * kSecond + 678 * kMillisecond), "13:04:05.678");
  EXPECT_EQ(format_clock(kDay - 1), "23:59:59.999");
}

TEST(FormatClock, TruncatesBelowAMillisecond) {
  EXPECT_EQ(format_clock(1'999'999), "00:00:00.001");
  EXPECT_EQ(format_clock(999'999), "00:00:00.000");
}

TEST(FormatClock, PrefixesDaysPastTheFirst) {
  EXPECT_EQ(format_clock(kDay), "1d 00:00:00.000");
  EXPECT_EQ(format_clock(3 * kDay + 2 * kHour), "3d 02:00:00.000");
  EXPECT_EQ(format_clock(400 * kDay + 59 * kSecond), "400d 00:00:59.000");
}

TEST(FormatClock, PrintsNegativeTimesWithASign) { EXPECT_EQ(format_clock(-2 * kHour), "-02:00:00.000"); }

TEST(ParseRate, ReadsEveryUnit) {
  EXPECT_DOUBLE_EQ(parse_rate("20/s")->per_second, 20.0);
  EXPECT_DOUBLE_EQ(parse_rate("20/sec")->per_second, 20.0);
  EXPECT_DOUBLE_EQ(parse_rate("2/ms")->per_second, 2000.0);
  EXPECT_DOUBLE_EQ(parse_rate("1/min")->per_second, 1.0 / 60.0);
  EXPECT_DOUBLE_EQ(parse_rate("1/m")->per_second, 1.0 / 60.0);
  EXPECT_DOUBLE_EQ(parse_rate("3/h")->per_second, 3.0 / 3600.0);
  EXPECT_DOUBLE_EQ(parse_rate("0.5/h")->per_second, 0.5 / 3600.0);
  EXPECT_DOUBLE_EQ(parse_rate("86400/d")->per_second, 1.0);
  EXPECT_DOUBLE_EQ(parse_rate("0/s")->per_second, 0.0);
}

TEST(ParseRate, GivesTheMeanIntervalInNanoseconds) {
  EXPECT_DOUBLE_EQ(parse_rate("20/s")->mean_interval_ns(), 5e7);
  EXPECT_DOUBLE_EQ(parse_rate("1/min")->mean_interval_ns(), 6e10);
}

TEST(ParseRate, RejectsAMissingSlash) {
  const std::string message = error_of(parse_rate("20"));
  EXPECT_THAT(message, HasSubstr("'20'"));
  EXPECT_THAT(message, HasSubstr("needs a unit after '/'"));
}

TEST(ParseRate, RejectsAnUnknownUnitAndListsTheKnownOnes) {
  const std::string message = error_of(parse_rate("20/y"));
  EXPECT_THAT(message, HasSubstr("unknown unit 'y'"));
  EXPECT_THAT(message, HasSubstr("ms, s, min, h or d"));
  EXPECT_THAT(error_of(parse_rate("20/")), HasSubstr("unknown unit ''"));
  EXPECT_THAT(error_of(parse_rate("20/ s")), HasSubstr("unknown unit ' s'"));
}

TEST(ParseRate, RejectsNegativeRates) { EXPECT_THAT(error_of(parse_rate("-1/s")), HasSubstr("is negative")); }

TEST(ParseRate, RejectsACountThatIsNotANumber) {
  for (const char* text : {"/s", "abc/s", "1e3/s", "2x/s", " 2/s", "1.2.3/s"}) {
    EXPECT_THAT(error_of(parse_rate(text)), HasSubstr("must be a number, '/', and a unit")) << text;
  }
}

TEST(ParseRate, RejectsRatesThatAreTooHigh) {
  EXPECT_THAT(error_of(parse_rate("2000000000/ms")), HasSubstr("is too high"));
  EXPECT_THAT(error_of(parse_rate("99999999999999999999999/s")), HasSubstr("is too high"));
}

TEST(FormatRate, ChoosesTheUnitThatGivesAtLeastOne) {
  EXPECT_EQ(format_rate(*parse_rate("20/s")), "20/s");
  EXPECT_EQ(format_rate(*parse_rate("1/min")), "1/min");
  EXPECT_EQ(format_rate(*parse_rate("3/h")), "3/h");
  EXPECT_EQ(format_rate(*parse_rate("0.5/h")), "12/d");
  EXPECT_EQ(format_rate(*parse_rate("0.5/d")), "0.5/d");
  EXPECT_EQ(format_rate(*parse_rate("90/min")), "1.5/s");
}

TEST(FormatRate, RoundTripsThroughParseRate) {
  for (const char* text : {"20/s", "1/min", "3/h", "0.5/h", "0.5/d", "1000/s", "2/ms", "7/min", "0.25/s", "1/d"}) {
    const Rate rate = *parse_rate(text);
    const std::string printed = format_rate(rate);
    const Result<Rate> back = parse_rate(printed);
    ASSERT_TRUE(back.ok()) << text << " printed as " << printed << ": " << back.error().message;
    EXPECT_DOUBLE_EQ(back->per_second, rate.per_second) << text << " printed as " << printed;
  }
}

TEST(FormatRate, RoundTripsRandomRatesToTenSignificantDigits) {
  RandomStream rng(7, 0, purpose("test.format_rate"));
  for (int i = 0; i < 5'000; ++i) {
    // Rates from 1 per 10 days to a million per second.
    const Rate rate{std::pow(10.0, -6.0 + 12.0 * rng.uniform01())};
    const std::string printed = format_rate(rate);
    const Result<Rate> back = parse_rate(printed);
    ASSERT_TRUE(back.ok()) << rate.per_second << " printed as " << printed << ": " << back.error().message;
    EXPECT_NEAR(back->per_second / rate.per_second, 1.0, 1e-9) << printed;
  }
}

// Engine bug (reported to the lead): format_rate prints with "%.10g", which switches to exponent
// notation for rates of 1e10/s and more or below 1e-4 per day, and parse_rate rejects exponents,
// so format_rate breaks its contract "a readable rate that parse_rate reads back" for rates that
// parse_rate itself accepts. Enable when sim/engine/time.cpp prints fixed-point digits.
TEST(FormatRate, RoundTripsEveryRateTheParserAccepts) {
  for (const char* text : {"100000000000/s", "0.0000864/d"}) {
    const Rate rate = *parse_rate(text);
    const std::string printed = format_rate(rate);
    const Result<Rate> back = parse_rate(printed);
    ASSERT_TRUE(back.ok()) << text << " printed as " << printed << ": " << back.error().message;
    EXPECT_NEAR(back->per_second / rate.per_second, 1.0, 1e-9) << text << " printed as " << printed;
  }
}

}  // namespace
}  // namespace misim

namespace misim {
namespace {
TEST(ParseRate, AcceptsACountPerDuration) {
  EXPECT_DOUBLE_EQ(parse_rate("1/10min")->per_second, 1.0 / 600.0);
  EXPECT_DOUBLE_EQ(parse_rate("3/500ms")->per_second, 6.0);
  EXPECT_FALSE(parse_rate("1/0s").ok());
  EXPECT_FALSE(parse_rate("1/10").ok());
}

// round_ns replaces std::llround on the hot paths; a result that differs anywhere would change
// runs, so it is compared with llround on draws like the model's and on every awkward value.
TEST(RoundNs, GivesLlroundsResultForEveryValue) {
  std::vector<double> values = {0.0,
                                -0.0,
                                0.5,
                                1.5,
                                2.5,
                                0.49999999999999994,
                                1e-300,
                                4503599627370495.5,
                                4503599627370496.0,
                                9007199254740993.0,
                                0x1p62,
                                0x1p62 - 512.0,
                                0x1p63,
                                -0.5,
                                -1.5,
                                -3.7,
                                1e30,
                                -1e30,
                                std::nan(""),
                                HUGE_VAL,
                                -HUGE_VAL};
  for (std::int64_t k = 0; k < 2000; ++k) {
    const double half = static_cast<double>(k) + 0.5;
    values.push_back(half);
    values.push_back(std::nextafter(half, 0.0));
    values.push_back(std::nextafter(half, 1e9));
  }
  RandomStream stream(1, 2, 3);
  for (int i = 0; i < 200000; ++i) {
    values.push_back(-6e11 * std::log(stream.uniform_open0()));  // a call's gap: 10 minutes on average
    values.push_back(stream.uniform01() * std::ldexp(1.0, static_cast<int>(stream.below(63))));
  }
  std::size_t differ = 0;
  for (const double v : values) {
    if (round_ns(v) != std::llround(v)) ++differ;
  }
  EXPECT_EQ(differ, 0U);
  EXPECT_EQ(round_ns(2.5), 3);
  EXPECT_EQ(round_ns(0.49999999999999994), 0);
}
}  // namespace
}  // namespace misim
