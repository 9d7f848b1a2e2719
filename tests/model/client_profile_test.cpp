// The built-in client SDK profiles carry the published retry and refresh behaviour (azure-facts.md).
#include "misim/client_profile.hpp"

#include <gtest/gtest.h>

namespace misim {
namespace {

std::vector<SimTime> schedule(const ClientProfile& p, int status) {
  std::vector<SimTime> out;
  for (std::size_t k = 0; k < 20; ++k) {
    auto d = p.retry_delay(status, k);
    if (!d) break;
    out.push_back(*d);
  }
  return out;
}

TEST(ClientProfile, ImdsGuidanceRetriesFiveTimesAt0_2_6_14_30Seconds) {
  const ClientProfile& p = *builtin_client_profile("imds-guidance");
  const std::vector<SimTime> expected = {0, 2 * kSecond, 6 * kSecond, 14 * kSecond, 30 * kSecond};
  for (int status : {404, 410, 429, 500, 503}) EXPECT_EQ(schedule(p, status), expected) << status;
  EXPECT_TRUE(schedule(p, 400).empty());
}

TEST(ClientProfile, MsalRetries410SevenTimesTenSecondsApartAndOthersAt1_2_4Seconds) {
  const ClientProfile& p = *builtin_client_profile("msal");
  EXPECT_EQ(schedule(p, 410), std::vector<SimTime>(7, 10 * kSecond));
  const std::vector<SimTime> expected = {kSecond, 2 * kSecond, 4 * kSecond};
  for (int status : {404, 408, 429, 500, 599}) EXPECT_EQ(schedule(p, status), expected) << status;
  EXPECT_TRUE(schedule(p, 400).empty());
  EXPECT_TRUE(schedule(p, 401).empty());
}

TEST(ClientProfile, MsalRefreshesHalfwayThroughTokensLongerThanTwoHours) {
  const ClientProfile& p = *builtin_client_profile("msal");
  EXPECT_EQ(p.refresh_at(0, 24 * kHour), 12 * kHour);
  EXPECT_EQ(p.refresh_at(0, 2 * kHour), 2 * kHour);  // not over 2 h: at expiry
}

TEST(ClientProfile, AzureIdentityPythonRefreshesFiveMinutesBeforeExpiry) {
  const ClientProfile& p = *builtin_client_profile("azure-identity-python");
  EXPECT_EQ(p.refresh_at(0, 24 * kHour), 24 * kHour - 300 * kSecond);
  EXPECT_EQ(p.min_refresh_interval, 30 * kSecond);
  EXPECT_EQ(schedule(p, 429).size(), 5U);
  EXPECT_EQ(schedule(p, 429).front(), 800 * kMillisecond);
}

TEST(ClientProfile, DotnetProbesFirst) {
  EXPECT_TRUE(builtin_client_profile("azure-identity-dotnet")->probe_first);
  EXPECT_FALSE(builtin_client_profile("msal")->probe_first);
}

TEST(ClientProfile, NoneNeitherCachesNorRetries) {
  const ClientProfile& p = *builtin_client_profile("none");
  EXPECT_FALSE(p.caches_tokens);
  EXPECT_TRUE(schedule(p, 429).empty());
  EXPECT_TRUE(schedule(p, 503).empty());
}

TEST(ClientProfile, UnknownNamesAreNull) { EXPECT_EQ(builtin_client_profile("msall"), nullptr); }

}  // namespace
}  // namespace misim
