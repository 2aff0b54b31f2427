package io.meshwork.model.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationFormatTest {

  @Test
  void parsesIstioAndGoSyntax() {
    assertThat(DurationFormat.parse("10s")).contains(Duration.ofSeconds(10));
    assertThat(DurationFormat.parse("1.5s")).contains(Duration.ofMillis(1500));
    assertThat(DurationFormat.parse("1.500s")).contains(Duration.ofMillis(1500));
    assertThat(DurationFormat.parse("100ms")).contains(Duration.ofMillis(100));
    assertThat(DurationFormat.parse("2m")).contains(Duration.ofMinutes(2));
    assertThat(DurationFormat.parse("1h")).contains(Duration.ofHours(1));
    assertThat(DurationFormat.parse("1h30m")).contains(Duration.ofMinutes(90));
    assertThat(DurationFormat.parse("250us")).contains(Duration.ofNanos(250_000));
    assertThat(DurationFormat.parse("7ns")).contains(Duration.ofNanos(7));
    assertThat(DurationFormat.parse("0")).contains(Duration.ZERO);
  }

  @Test
  void rejectsWhatIstioRejects() {
    for (String bad : new String[] {"", "10", "-1s", "s", "1.2.3s", "10 s", "1d", "ten seconds", "1e3s"}) {
      assertThat(DurationFormat.parse(bad)).as(bad).isEmpty();
    }
  }

  @Test
  void formatsShortestFormThatParsesBack() {
    assertThat(DurationFormat.format(Duration.ofSeconds(10))).isEqualTo("10s");
    assertThat(DurationFormat.format(Duration.ofMillis(1500))).isEqualTo("1.5s");
    assertThat(DurationFormat.format(Duration.ofMillis(100))).isEqualTo("100ms");
    assertThat(DurationFormat.format(Duration.ofMinutes(2))).isEqualTo("2m");
    assertThat(DurationFormat.format(Duration.ofHours(1))).isEqualTo("1h");
    assertThat(DurationFormat.format(Duration.ofSeconds(90))).isEqualTo("90s");
    assertThat(DurationFormat.format(Duration.ZERO)).isEqualTo("0s");
    for (Duration d : new Duration[] {Duration.ofNanos(1_000_000_001L), Duration.ofNanos(1234), Duration.ofDays(3)}) {
      assertThat(DurationFormat.parse(DurationFormat.format(d))).contains(d);
    }
  }
}
