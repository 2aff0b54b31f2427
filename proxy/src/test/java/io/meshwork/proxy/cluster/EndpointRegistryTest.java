package io.meshwork.proxy.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EndpointRegistryTest {
  private static final InetSocketAddress A = new InetSocketAddress("10.0.0.1", 80);
  private static final InetSocketAddress B = new InetSocketAddress("10.0.0.2", 80);

  @Test
  void sameEndpointAcrossGenerationsUntilUnused() {
    EndpointRegistry registry = new EndpointRegistry();
    registry.beginGeneration();
    Endpoint a = registry.intern(A, Map.of("v", "1"), 1);
    Endpoint b = registry.intern(B, Map.of(), 1);
    registry.endGeneration();

    registry.beginGeneration();
    assertThat(registry.intern(A, Map.of("v", "1"), 1)).isSameAs(a);
    registry.endGeneration();
    assertThat(registry.size()).isEqualTo(1);

    registry.beginGeneration();
    // B was not used by the last generation: a fresh instance (equal by address, new counters).
    Endpoint b2 = registry.intern(B, Map.of(), 1);
    assertThat(b2).isNotSameAs(b).isEqualTo(b);
    registry.endGeneration();
  }

  @Test
  void changedLabelsOrWeightGiveANewInstance() {
    EndpointRegistry registry = new EndpointRegistry();
    registry.beginGeneration();
    Endpoint a = registry.intern(A, Map.of("v", "1"), 1);
    registry.endGeneration();
    registry.beginGeneration();
    assertThat(registry.intern(A, Map.of("v", "2"), 1)).isNotSameAs(a);
    assertThat(registry.intern(A, Map.of("v", "1"), 5)).isNotSameAs(a);
    registry.endGeneration();
  }

  @Test
  void anAbortedGenerationKeepsThePreviousOne() {
    EndpointRegistry registry = new EndpointRegistry();
    registry.beginGeneration();
    Endpoint a = registry.intern(A, Map.of(), 1);
    registry.endGeneration();
    registry.beginGeneration();
    registry.intern(B, Map.of(), 1);
    registry.abortGeneration();
    registry.beginGeneration();
    assertThat(registry.intern(A, Map.of(), 1)).isSameAs(a);
    registry.endGeneration();
  }
}
