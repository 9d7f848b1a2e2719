// The parameters of the token endpoints other than IMDS: App Service / Functions / Container Apps
// (IDENTITY_ENDPOINT), Azure Arc servers (HIMDS) and AKS workload identity (a service-account
// token exchanged at Entra ID). Which one a resource calls follows from its type
// (resource_type.hpp, TokenEndpoint); the rules are in docs/model.md ("Other hosts' token
// endpoints"). Every default cites azure-facts.md or is a stated assumption.
//
//   services:
//     app_service: {latency: 5ms, max_concurrent: 50}
//     arc_himds: {key_read: 2ms}
//     workload_identity: {service_account_token_lifetime: 1h}
#pragma once

#include "misim/distribution.hpp"
#include "misim/time.hpp"

namespace misim {

/// A host's token endpoint with limits, latency and a token cache, like IMDS.
struct HostEndpointConfig {
  /// Requests per second per host before 429; 0: no limit. No limit is documented for these
  /// endpoints (azure-facts.md:61, :62 give none), so by default there is none.
  double rate_limit_per_second = 0.0;
  /// Requests in flight per host before 429; 0: no limit (likewise undocumented).
  int max_concurrent = 0;
  /// The endpoint's own time per request (assumption: a local HTTP hop like IMDS's, median 2 ms,
  /// p99 15 ms; no figure is published).
  Distribution latency = *Distribution::lognormal_median_p99(2e6, 15e6);
  /// The endpoint caches tokens per (identity, audience) and asks AAD only on a miss (assumption,
  /// as IMDS does, azure-facts.md:36).
  bool caches_tokens = true;
  SimTime cache_margin = 5 * kMinute;
};

/// Azure Arc's Hybrid IMDS (localhost:40342): every request is first answered 401 with a
/// challenge naming a key file; the client reads the key (a privileged file read) and sends the
/// request again with it (azure-facts.md:62).
struct ArcHimdsConfig {
  HostEndpointConfig endpoint;
  /// The client's time to read the key file between the challenge and the retry (assumption: a
  /// local file read, 1 ms).
  Distribution key_read = Distribution::constant(1e6);
};

/// AKS workload identity: no host endpoint; the SDK reads the pod's projected service-account
/// token and exchanges it at Entra ID through a federated identity credential of a user-assigned
/// identity, which must match the token's issuer and subject (azure-facts.md:65).
struct WorkloadIdentityConfig {
  /// The projected service-account token's lifetime (default 1 h, up to 24 h: azure-facts.md:65).
  SimTime service_account_token_lifetime = kHour;
  /// The kubelet renews the projected token before it expires (Kubernetes: at 80% of its
  /// lifetime, https://kubernetes.io/docs/concepts/storage/projected-volumes/). False models a
  /// kubelet that has stopped: the token expires `service_account_token_lifetime` after the pod
  /// started and every exchange is refused from then on.
  bool kubelet_refresh = true;
  /// The SDK's time to read the token file before it calls AAD (assumption: 0.1 ms).
  Distribution latency = Distribution::constant(1e5);
  /// A federated credential added during the run matches no exchange at AAD for seconds to
  /// minutes (azure-facts.md:56; AADSTS70021 meanwhile: learn: entra/workload-id/
  /// workload-identity-federation-considerations): the same default as identities' replication
  /// (PropagationConfig::identity_replication).
  Distribution federated_credential_replication = *Distribution::uniform(5e9, 60e9);
};

struct HostEndpointsConfig {
  /// IDENTITY_ENDPOINT on App Service, Functions and Container Apps (azure-facts.md:61).
  HostEndpointConfig app_service;
  ArcHimdsConfig arc_himds;
  WorkloadIdentityConfig workload_identity;
};

}  // namespace misim
