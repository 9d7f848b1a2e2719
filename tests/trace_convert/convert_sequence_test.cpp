// misim trace sequence: a Mermaid diagram of one token request, read by streaming.
#include <gtest/gtest.h>

#include <string>
#include <utility>

#include "misim/sequence_diagram.hpp"
#include "synthetic_trace.hpp"

namespace misim {
namespace {

using testing::AttemptSpec;
using testing::SyntheticTrace;

/// Counts the events a consumer was given before it was done.
class CountingConsumer final : public TraceConsumer {
 public:
  explicit CountingConsumer(TraceConsumer& inner) : inner_(inner) {}
  void on_header(const TraceHeader& h) override { inner_.on_header(h); }
  void on_entity(const TraceEntity& e) override { inner_.on_entity(e); }
  void on_event(const TraceEvent& e) override {
    ++events;
    inner_.on_event(e);
  }
  Status on_footer(const TraceFooter& f) override { return inner_.on_footer(f); }
  [[nodiscard]] bool done() const noexcept override { return inner_.done(); }
  std::size_t events = 0;

 private:
  TraceConsumer& inner_;
};

std::string diagram_of(std::uint64_t request) {
  RequestSequence sequence(request);
  EXPECT_TRUE(testing::feed(SyntheticTrace::standard(), sequence).ok());
  EXPECT_TRUE(sequence.found());
  return sequence.mermaid();
}

TEST(RequestSequence, DrawsARetriedRequestWithItsArrows) {
  const std::string d = diagram_of(2);
  for (const char* line :
       {"sequenceDiagram\n", "    participant App as App on web-0 (client SDK)\n",
        "    participant IMDS as imds (token endpoint)\n", "    participant AAD as aad.eastus (Entra ID)\n",
        "    participant Target as vault\n", "    App->>IMDS: attempt 1: GET token at 00:00:02.010\n",
        "    IMDS-->>App: 429 Too Many Requests at once\n", "    Note over App: retries in 500.0 ms\n",
        "    App->>IMDS: attempt 2: GET token at 00:00:02.510\n", "    IMDS->>AAD: token request after 2.0 ms\n",
        "    Note over AAD: waited 5.0 ms for a server\n", "    Note over AAD: served in 40.0 ms\n",
        "    AAD-->>IMDS: token\n", "    IMDS-->>App: 200 OK after 47.0 ms\n",
        "    Note over App: token for web-id after 2 attempts, 547.0 ms\n", "    App->>Target: 1 call with the token\n",
        "    Target-->>App: granted\n"}) {
    EXPECT_NE(d.find(line), std::string::npos) << "missing: " << line << "in:\n" << d;
  }
  EXPECT_LT(d.find("attempt 1"), d.find("retries in"));
  EXPECT_LT(d.find("retries in"), d.find("attempt 2"));
}

TEST(RequestSequence, NamesTheTokenEndpointByWhatTheHostsTypeAsks) {
  // The endpoint station is `imds` for every host; the participant says what the host really asks.
  const std::pair<const char*, const char*> cases[] = {
      {"vm", "    participant IMDS as imds (token endpoint)\n"},
      {"app_service", "    participant IMDS as App Service identity endpoint (IDENTITY_ENDPOINT)\n"},
      {"function_app", "    participant IMDS as Functions identity endpoint (IDENTITY_ENDPOINT)\n"},
      {"container_app", "    participant IMDS as Container Apps identity endpoint (IDENTITY_ENDPOINT)\n"},
      {"arc_server", "    participant IMDS as Arc HIMDS\n"},
      {"aks_workload", "    participant IMDS as AKS workload identity (token exchange at AAD)\n"},
  };
  for (const auto& [type, participant] : cases) {
    SyntheticTrace trace = SyntheticTrace::standard();
    for (TraceEntity& e : trace.entities) {
      if (e.kind == EntityKind::kResource && e.name == "web-0") e.type = type;
    }
    RequestSequence sequence(2);
    ASSERT_TRUE(testing::feed(trace, sequence).ok());
    const std::string d = sequence.mermaid();
    EXPECT_NE(d.find(participant), std::string::npos) << type << ":\n" << d;
  }
}

TEST(RequestSequence, DrawsAnEndpointCacheHitAndAGivenUpRequest) {
  EXPECT_NE(diagram_of(3).find("    Note over IMDS: answered from its token cache\n"), std::string::npos);
  const std::string failed = diagram_of(5);
  EXPECT_NE(failed.find("    Note over AAD: queue full\n    AAD-->>IMDS: 503 Service Unavailable\n"), std::string::npos)
      << failed;
  EXPECT_NE(failed.find("    AAD-->>IMDS: 401 Unauthorized\n"), std::string::npos) << failed;
  EXPECT_NE(failed.find("gives up after 2 attempts, 1.03 s (401 Unauthorized)"), std::string::npos) << failed;
}

TEST(RequestSequence, NotesTheFaultsThatAnsweredAnAttempt) {
  SyntheticTrace t = SyntheticTrace::with_hosts(1);
  TraceEvent outage;
  outage.kind = EventKind::kFault;
  outage.time = outage.begin = 10 * kSecond;
  outage.status = 1;
  outage.station = testing::kAad;
  t.add(outage);
  t.add_request(7, testing::kFirstHost, 15 * kSecond, {{AttemptSpec::Path::kRefusedByAad, 503}});
  t.sort();
  RequestSequence sequence(7);
  ASSERT_TRUE(testing::feed(t, sequence).ok());
  ASSERT_TRUE(sequence.found());
  EXPECT_NE(sequence.mermaid().find("    IMDS->>AAD: token request\n"
                                    "    Note over AAD: AAD outage in eastus from 00:00:10.000 to 00:00:20.000\n"
                                    "    AAD-->>IMDS: 503 Service Unavailable\n"),
            std::string::npos)
      << sequence.mermaid();
  // No visit named the region: the run's only one.
  EXPECT_NE(sequence.mermaid().find("participant AAD as aad.eastus (Entra ID)"), std::string::npos);
}

TEST(RequestSequence, StopsReadingOnceTheRequestHasEnded) {
  const SyntheticTrace t = SyntheticTrace::standard();
  RequestSequence sequence(1);
  CountingConsumer counting(sequence);
  ASSERT_TRUE(testing::feed(t, counting).ok());
  EXPECT_TRUE(sequence.found());
  EXPECT_LT(counting.events, t.events.size() / 2);
}

TEST(RequestSequence, SaysWhyAnUnknownRequestHasNoDiagram) {
  RequestSequence sequence(999);
  ASSERT_TRUE(testing::feed(SyntheticTrace::standard(), sequence).ok());
  EXPECT_FALSE(sequence.found());
  EXPECT_EQ(sequence.why_not_found(),
            "no token request 999 in the trace (5 token requests ended; list some with --list)");
  RequestSequence customer(101);
  ASSERT_TRUE(testing::feed(SyntheticTrace::standard(), customer).ok());
  EXPECT_EQ(customer.why_not_found(), "request 101 is a customer of a plain stage, not a token request");
}

TEST(RequestIndex, ListsTheFirstRequestsAndThoseThatFailed) {
  RequestIndex index(2, 5);
  ASSERT_TRUE(testing::feed(SyntheticTrace::standard(), index).ok());
  const std::string text = index.text();
  EXPECT_NE(text.find("         4  00:00:00.500  web-1 -> vault as web-id: 200 OK after 1 attempt, 45.0 ms\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("         1  00:00:02.000  web-0 -> vault"), std::string::npos) << text;
  EXPECT_EQ(text.find("         2  00:00:02.010"), std::string::npos) << text;
  EXPECT_NE(text.find("failed later:\n         5  00:00:05.000  web-1 -> vault as web-id: 401 Unauthorized after 2 "
                      "attempts, 1.03 s\n"),
            std::string::npos)
      << text;
}

}  // namespace
}  // namespace misim
