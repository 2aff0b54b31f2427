package io.meshwork.bench.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshwork.bench.load.LoadReport;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class ResultTableTest {

  @Test
  void comparesThroughputWithHaproxyAndLatencyWithTheDirectPath() {
    List<String> lines = List.of(
        "some log line the table ignores",
        saturation("direct", 1, 50_000),
        saturation("haproxy", 1, 30_000),
        saturation("haproxy", 2, 32_000),
        saturation("haproxy", 3, 40_000),
        saturation("meshwork", 1, 27_000),
        latency("direct", 1, 100_000, 1_000),
        latency("direct", 2, 100_000, 1_000),
        latency("meshwork", 1, 300_000, 1_000));

    String md = ResultTable.parse(lines).markdown();

    assertThat(md).startsWith("| path | load | req/s | vs HAProxy |");
    // Median of 30k, 32k, 40k is 32k; meshwork's 27k is 0.84 of it.
    assertThat(md).contains("| haproxy | saturation, 32 conns (wrk) | 32000 (30000–40000) | 1.00 |");
    assertThat(md).contains("| meshwork | saturation, 32 conns (wrk) | 27000 | 0.84 |");
    // 1000 samples at 100 µs (direct) and at 300 µs (meshwork): 200 µs added at p99.
    assertThat(md).containsPattern("\\| meshwork \\| open loop 1000 req/s, 16 conns \\| 1000 \\| – \\| 300 \\| 300 \\| 300 \\| 300 \\| 300 \\| 200 \\| 0 \\|");
    assertThat(md).contains("| direct | open loop 1000 req/s, 16 conns | 1000 |");
    assertThat(md).contains("Aim: meshwork throughput ≥ 0.80 × HAProxy — measured 0.84 × (met).");
    assertThat(md).contains("Aim: meshwork p99 added at 1000 req/s < 1000 µs — measured 200 µs (met).");
  }

  @Test
  void rejectsAResultLineWithoutItsTarget() {
    assertThatThrownBy(() -> ResultTable.parse(List.of("RESULT kind=latency round=1")))
        .hasMessage("target: missing (expected: target=VALUE in the result line)");
  }

  @Test
  void medianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
    assertThat(ResultTable.median(List.of(4.0, 1.0, 3.0, 2.0))).isEqualTo(2.5);
  }

  private static String saturation(String target, int round, int rps) {
    return "RESULT target=" + target + " round=" + round + " kind=saturation tool=wrk connections=32"
        + " measured_s=10 succeeded=" + rps * 10 + " errors=0 achieved_rps=" + rps;
  }

  private static String latency(String target, int round, long nanos, int count) {
    Histogram h = new Histogram(3);
    h.recordValueWithCount(nanos, count);
    return "RESULT target=" + target + " round=" + round + " kind=latency rate=1000 connections=16"
        + " measured_s=1 succeeded=" + count + " errors=0 achieved_rps=" + count
        + " hist=" + LoadReport.encode(h);
  }
}
