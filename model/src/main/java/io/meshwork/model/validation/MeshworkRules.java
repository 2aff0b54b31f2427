package io.meshwork.model.validation;

import static io.meshwork.model.validation.FieldPath.child;
import static io.meshwork.model.validation.FieldPath.index;

import io.meshwork.model.meshwork.ApiKey;
import io.meshwork.model.meshwork.RateLimitPolicy;

/** Validation of Meshwork's own kinds. */
final class MeshworkRules {
  private MeshworkRules() {}

  static void rateLimitPolicy(RateLimitPolicy rl, String path, Findings f) {
    if (rl.requestsPerUnit() == null) {
      f.missing(child(path, "requestsPerUnit"), "an integer > 0");
    } else if (rl.requestsPerUnit() < 1) {
      f.error(child(path, "requestsPerUnit"), rl.requestsPerUnit(), "an integer > 0");
    }
    f.nonNegative(child(path, "burst"), rl.burst());
    if (rl.per() != null) {
      String pp = child(path, "per");
      if (Findings.count(rl.per().source(), rl.per().header()) != 1) {
        f.missing(pp, "exactly one of source or header");
      }
      if (rl.per().header() != null) {
        f.headerName(child(pp, "header"), rl.per().header());
      }
      // On the outbound side the caller is the local app itself: it has no peer identity to key by.
      if (rl.direction() == RateLimitPolicy.Direction.OUTBOUND && rl.per().source() != null
          && rl.per().source() != RateLimitPolicy.Per.Source.IP) {
        f.error(child(pp, "source"), rl.per().source(), "IP or a header with direction OUTBOUND");
      }
    }
    if (rl.scope() == RateLimitPolicy.Scope.GLOBAL) {
      if (rl.burst() != null && rl.burst() != 0) {
        f.error(child(path, "burst"), rl.burst(),
            "absent with scope GLOBAL (a fixed window admits its whole quota at once)");
      }
    } else if (rl.failureMode() != null) {
      f.error(child(path, "failureMode"), rl.failureMode(),
          "absent with scope LOCAL (a local bucket has no counters to lose; set scope: GLOBAL)");
    }
    for (int i = 0; i < rl.match().size(); i++) {
      VirtualServiceRules.match(rl.match().get(i), index(child(path, "match"), i), f);
    }
  }

  static void apiKey(ApiKey key, String path, Findings f) {
    f.required(child(path, "clientId"), key.clientId(), "the public client id");
    f.required(child(path, "secretHash"), key.secretHash(), "a hash of the secret, never the secret itself");
    for (int i = 0; i < key.services().size(); i++) {
      f.required(index(child(path, "services"), i), key.services().get(i), "a service name");
    }
  }
}
