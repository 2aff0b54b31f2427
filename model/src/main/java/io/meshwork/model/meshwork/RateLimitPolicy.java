package io.meshwork.model.meshwork;

import io.meshwork.model.Spec;
import io.meshwork.model.internal.Copies;
import io.meshwork.model.networking.HTTPMatchRequest;
import io.meshwork.model.networking.WorkloadSelector;
import java.util.List;

/**
 * A token-bucket rate limit on the inbound side of the selected workloads (or, with
 * {@code direction: OUTBOUND}, on the requests they send):
 *
 * <pre>
 * apiVersion: meshwork.io/v1alpha1
 * kind: RateLimitPolicy
 * spec:
 *   selector: {matchLabels: {app: products}}
 *   requestsPerUnit: 100
 *   unit: MINUTE
 *   burst: 20
 *   per: {source: PRINCIPAL}      # or {header: x-user-id}; absent: one bucket for all callers
 *   match:                        # Istio HTTPMatchRequest; absent: every request
 *   - uri: {prefix: /api/}
 *   direction: INBOUND            # or OUTBOUND: requests the selected workloads send
 *   dryRun: false                 # true: count what would be refused, refuse nothing
 *   scope: LOCAL                  # or GLOBAL: one budget shared by every selected instance
 *   failureMode: ALLOW            # GLOBAL only: ALLOW (fail open) or DENY when the counters cannot be reached
 * </pre>
 *
 * Each bucket holds {@code requestsPerUnit + burst} tokens and refills {@code requestsPerUnit}
 * per unit. Requests over the limit are answered 429 with {@code retry-after} and the IETF
 * {@code RateLimit-Policy} / {@code RateLimit} fields. With {@code scope: GLOBAL} the budget is
 * {@code requestsPerUnit} per fixed window of one unit, counted by the control plane for all the
 * selected instances together (no burst: a window admits its whole quota at once).
 *
 * @param selector null selects every workload in the namespace
 * @param requestsPerUnit required, > 0: the refill rate of each bucket
 * @param unit null means SECOND
 * @param burst bucket capacity beyond the rate, >= 0; null means 0
 * @param per what separates callers into buckets, or null for one shared bucket
 * @param match requests the limit applies to; empty means all
 * @param direction which side of the selected workloads the limit guards; null means INBOUND
 * @param dryRun true counts requests over the limit without refusing them; null means false
 * @param scope LOCAL (a bucket per sidecar) or GLOBAL (one budget for all selected instances); null means LOCAL
 * @param failureMode what a GLOBAL limit does while its counters cannot be reached; null means ALLOW
 */
public record RateLimitPolicy(
    WorkloadSelector selector,
    Integer requestsPerUnit,
    Unit unit,
    Integer burst,
    Per per,
    List<HTTPMatchRequest> match,
    Direction direction,
    Boolean dryRun,
    Scope scope,
    FailureMode failureMode)
    implements Spec {
  public enum Scope {
    LOCAL,
    GLOBAL
  }

  /** Envoy's {@code failure_mode_deny}: ALLOW lets requests through while the counters are unreachable. */
  public enum FailureMode {
    ALLOW,
    DENY
  }

  public enum Direction {
    INBOUND,
    OUTBOUND
  }

  public enum Unit {
    SECOND,
    MINUTE,
    HOUR,
    DAY
  }

  public RateLimitPolicy {
    match = Copies.list(match);
  }

  /**
   * The bucket key: exactly one of {@code source} and {@code header}.
   *
   * @param source a property of the authenticated caller
   * @param header a request header's value; requests without it share one bucket
   */
  public record Per(Source source, String header) {
    public enum Source {
      PRINCIPAL,
      NAMESPACE,
      IP
    }
  }
}
