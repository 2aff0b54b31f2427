package io.meshwork.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.withinPercentage;

import java.time.Duration;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class LoadReportTest {

  @Test
  void mergesConnectionsAndReportsRateAndPercentiles() {
    ConnectionStats a = new ConnectionStats();
    ConnectionStats b = new ConnectionStats();
    for (int i = 1; i <= 100; i++) {
      a.recordSuccess(i * 1_000L);
      b.recordSuccess(i * 1_000L);
    }
    b.recordFailedStatus();
    b.recordTimeout();

    LoadReport report = LoadReport.merge(new Pacing.FixedRate(100), Duration.ofSeconds(2), List.of(a, b));

    assertThat(report.succeeded()).isEqualTo(200);
    assertThat(report.errors()).isEqualTo(2);
    assertThat(report.achievedRate()).isEqualTo(100.0);
    // Three significant digits: values come back within 0.1 %.
    assertThat(report.percentileMicros(50)).isCloseTo(50.0, withinPercentage(0.1));
    assertThat(report.percentileMicros(99)).isCloseTo(99.0, withinPercentage(0.1));
    assertThat(report.maxMicros()).isCloseTo(100.0, withinPercentage(0.1));
    assertThat(report.resultLine())
        .startsWith("RESULT kind=latency rate=100 connections=2 measured_s=2 succeeded=200 errors=2 achieved_rps=100 ")
        .containsPattern(" p50_us=50\\.0 p90_us=90\\.\\d p99_us=99\\.\\d p999_us=100\\.\\d max_us=100\\.\\d hist=\\S+$");
    assertThat(report.summary()).contains("open loop at 100 req/s").contains("1 bad status").contains("1 timed out");
  }

  @Test
  void theHistogramSurvivesItsTextEncoding() {
    Histogram h = new Histogram(3);
    h.recordValueWithCount(123_456, 7);
    h.recordValue(9_000_000_000L);

    Histogram back = LoadReport.decode(LoadReport.encode(h));

    assertThat(back.getTotalCount()).isEqualTo(8);
    assertThat(back.getMaxValue()).isEqualTo(h.getMaxValue());
    assertThat(back.getValueAtPercentile(50)).isEqualTo(h.getValueAtPercentile(50));
  }

  @Test
  void rejectsAHistogramThatIsNotOne() {
    assertThatThrownBy(() -> LoadReport.decode("bm90IGEgaGlzdG9ncmFt"))
        .hasMessageStartingWith("hist: ")
        .hasMessageEndingWith("(expected: a base64 compressed HdrHistogram)");
  }
}
