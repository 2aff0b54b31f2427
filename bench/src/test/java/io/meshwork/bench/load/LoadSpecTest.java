package io.meshwork.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LoadSpecTest {

  @Test
  void parsesAnOpenLoopRun() {
    LoadSpec spec = LoadSpec.parse("--port", "8080", "--rate", "1000", "--connections", "8",
        "--warmup", "500ms", "--duration", "2m", "--path", "/items");
    assertThat(spec.host()).isEqualTo("127.0.0.1");
    assertThat(spec.port()).isEqualTo(8080);
    assertThat(spec.pacing()).isEqualTo(new Pacing.FixedRate(1000));
    assertThat(spec.connections()).isEqualTo(8);
    assertThat(spec.warmup()).isEqualTo(Duration.ofMillis(500));
    assertThat(spec.duration()).isEqualTo(Duration.ofMinutes(2));
    assertThat(spec.path()).isEqualTo("/items");
  }

  @Test
  void parsesASaturationRunWithPlainSeconds() {
    LoadSpec spec = LoadSpec.parse("--saturate", "--port", "1", "--duration", "2.5");
    assertThat(spec.pacing()).isInstanceOf(Pacing.Saturation.class);
    assertThat(spec.duration()).isEqualTo(Duration.ofMillis(2500));
  }

  @Test
  void reportsBadInputInOneFormat() {
    assertThatThrownBy(() -> LoadSpec.parse("--rate", "10"))
        .hasMessage("--port: missing (expected: the target port)");
    assertThatThrownBy(() -> LoadSpec.parse("--port", "80", "--rate", "-1"))
        .hasMessage("requestsPerSecond: -1.0 (expected: > 0 and finite)");
    assertThatThrownBy(() -> LoadSpec.parse("--port", "80", "--rate", "5", "--duration", "ten"))
        .hasMessage("--duration: ten (expected: a duration such as 500ms, 10s or 2m)");
    assertThatThrownBy(() -> LoadSpec.parse("--port", "80", "--saturate", "--connections", "2", "--threads", "3"))
        .hasMessage("threads: 3 (expected: 1..connections)");
    assertThatThrownBy(() -> LoadSpec.parse("--port", "80", "--saturate", "--path", "no-slash"))
        .hasMessageStartingWith("path: no-slash (expected: origin-form");
  }
}
