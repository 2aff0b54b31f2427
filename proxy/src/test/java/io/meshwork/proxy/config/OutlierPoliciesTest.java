package io.meshwork.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshwork.model.networking.OutlierDetection;
import io.meshwork.model.networking.TrafficPolicy;
import io.meshwork.proxy.outlier.OutlierPolicy;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Istio's outlierDetection fields and Meshwork's {@code outlier.meshwork.io/*} annotations, compiled. */
class OutlierPoliciesTest {
  static final TrafficPolicy SPLIT = new TrafficPolicy(null, null,
      new OutlierDetection(null, 3, null, 2, true, null, null, null, null), null, null, null);

  @Test
  void istioFieldsIncludingTheLocalOriginSplit() {
    OutlierPolicy p = TrafficPolicies.outliers(SPLIT, "spec.trafficPolicy");
    assertThat(p.consecutive5xx()).isEqualTo(3);
    assertThat(p.splitLocalOrigin()).isTrue();
    assertThat(p.consecutiveLocalOrigin()).isEqualTo(2);
    assertThat(p.sweeps()).isFalse();
  }

  @Test
  void annotationsTurnOnEnvoysIntervalDetectionWithItsDefaults() {
    OutlierPolicy p = TrafficPolicies.outliers(SPLIT, "spec.trafficPolicy", Map.of(
        "outlier.meshwork.io/failure-percentage-threshold", "85",
        "outlier.meshwork.io/success-rate-stdev-factor", "1.9",
        "other.example/ignored", "x"));
    assertThat(p.failurePercentage()).isEqualTo(new OutlierPolicy.FailurePercentage(85, 5, 50));
    assertThat(p.successRate()).isEqualTo(new OutlierPolicy.SuccessRate(1.9, 5, 100));
  }

  @Test
  void badAnnotationsNameTheAnnotationAndWhatIsExpected() {
    assertThatThrownBy(() -> TrafficPolicies.outliers(SPLIT, "spec.trafficPolicy",
        Map.of("outlier.meshwork.io/failure-percentage-treshold", "85")))
        .hasMessageStartingWith("spec.trafficPolicy.outlierDetection.failure-percentage-treshold: unknown (expected:"
            + " one of [failure-percentage-minimum-hosts,");
    assertThatThrownBy(() -> TrafficPolicies.outliers(SPLIT, "spec.trafficPolicy",
        Map.of("outlier.meshwork.io/failure-percentage-threshold", "most")))
        .hasMessage("spec.trafficPolicy.outlierDetection.failure-percentage-threshold: most (expected: an integer)"
            + " (annotation outlier.meshwork.io/failure-percentage-threshold)");
    assertThatThrownBy(() -> TrafficPolicies.outliers(SPLIT, "spec.trafficPolicy",
        Map.of("outlier.meshwork.io/failure-percentage-threshold", "120")))
        .hasMessage("spec.trafficPolicy.outlierDetection.failure-percentage-threshold: 120 (expected: 0..100)");
  }
}
