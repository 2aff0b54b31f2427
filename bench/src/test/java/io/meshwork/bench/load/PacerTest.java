package io.meshwork.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PacerTest {

  private static final long MS = 1_000_000L;

  @Test
  void connectionsInterleaveOnOneEvenlySpacedTimetable() {
    // 1000 req/s over 4 connections: every connection every 4 ms, offset by 1 ms from the next.
    MeasurementWindow window = MeasurementWindow.of(100 * MS, 0, 12 * MS);
    List<Long> merged = new ArrayList<>();
    for (int c = 0; c < 4; c++) {
      Pacer pacer = Pacer.create(new Pacing.FixedRate(1000), window, c, 4);
      List<Long> own = drain(pacer);
      assertThat(own).hasSize(3);
      assertThat(own.get(0)).isEqualTo(100 * MS + c * MS);
      assertThat(own.get(1) - own.get(0)).isEqualTo(4 * MS);
      merged.addAll(own);
    }
    merged.sort(null);
    for (int i = 0; i < merged.size(); i++) {
      assertThat(merged.get(i)).isEqualTo(100 * MS + i * MS);
    }
  }

  @Test
  void slotsDoNotDependOnWhenTheyAreAskedFor() {
    MeasurementWindow window = MeasurementWindow.of(0, 0, 10 * MS);
    Pacer pacer = Pacer.create(new Pacing.FixedRate(1000), window, 0, 1);
    // Asked long after the slot: the slot keeps its intended time, so the lateness is measured.
    assertThat(pacer.nextIntendedStart(7 * MS)).isZero();
    pacer.consume();
    assertThat(pacer.nextIntendedStart(7 * MS)).isEqualTo(MS);
  }

  @Test
  void fractionalIntervalsDoNotDrift() {
    // 3 req/s: intervals of 333,333,333.33 ns; slot 3 must land exactly on 1 s.
    MeasurementWindow window = MeasurementWindow.of(0, 0, 2_000 * MS);
    List<Long> slots = drain(Pacer.create(new Pacing.FixedRate(3), window, 0, 1));
    assertThat(slots).hasSize(6);
    assertThat(slots.get(3)).isEqualTo(1_000 * MS);
  }

  @Test
  void backToBackStartsNowUntilTheWindowCloses() {
    MeasurementWindow window = MeasurementWindow.of(10 * MS, 0, 10 * MS);
    Pacer pacer = Pacer.create(new Pacing.Saturation(), window, 0, 8);
    assertThat(pacer.nextIntendedStart(0)).isEqualTo(10 * MS);
    assertThat(pacer.nextIntendedStart(15 * MS)).isEqualTo(15 * MS);
    assertThat(pacer.nextIntendedStart(20 * MS)).isEqualTo(Pacer.NO_MORE);
  }

  @Test
  void rejectsAConnectionIndexOutsideTheConnections() {
    MeasurementWindow window = MeasurementWindow.of(0, 0, MS);
    assertThatThrownBy(() -> Pacer.create(new Pacing.FixedRate(10), window, 4, 4))
        .hasMessage("connectionIndex: 4 (expected: 0..3)");
  }

  private static List<Long> drain(Pacer pacer) {
    List<Long> slots = new ArrayList<>();
    long t;
    while ((t = pacer.nextIntendedStart(0)) != Pacer.NO_MORE) {
      slots.add(t);
      pacer.consume();
    }
    return slots;
  }
}
