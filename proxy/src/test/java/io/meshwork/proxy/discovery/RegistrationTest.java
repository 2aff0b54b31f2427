package io.meshwork.proxy.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.proxy.fixtures.ManualClock;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RegistrationTest {
  private static final Workload ORDERS = new Workload("orders", "shop", "127.0.0.1", 15006,
      Map.of("version", "v1"), Duration.ofSeconds(3));
  private static final String ENTRY = "/apis/meshwork.io/v1alpha1/namespaces/shop/registrations/orders-127-0-0-1-15006";

  private FakeControlPlane fake;
  private ControlPlaneClient client;
  private final ManualClock clock = new ManualClock();
  private final AtomicBoolean appUp = new AtomicBoolean(true);
  private Registration registration;

  @BeforeEach
  void setUp() throws IOException {
    fake = new FakeControlPlane();
    client = new ControlPlaneClient(fake.uri());
    registration = new Registration(client, ORDERS, appUp::get, clock, Duration.ofSeconds(1));
  }

  @AfterEach
  void tearDown() {
    registration.close();
    client.close();
    fake.close();
  }

  private void tickAfter(Duration d) {
    clock.advance(d);
    registration.tick();
  }

  @Test
  void registersTheSidecarsInboundAddressWithAppLabelAndUserLabels() {
    registration.tick();

    assertThat(registration.state()).isEqualTo(Registration.State.REGISTERED);
    assertThat(fake.calls).singleElement().satisfies(call -> assertThat(call)
        .startsWith("POST /apis/meshwork.io/v1alpha1/namespaces/shop/registrations ")
        .contains("\"service\":\"orders\"", "\"address\":\"127.0.0.1\"", "\"port\":15006", "\"ttlSeconds\":3",
            "\"app\":\"orders\"", "\"version\":\"v1\""));
    assertThat(registration.lease()).get().extracting(Lease::name).isEqualTo("orders-127-0-0-1-15006");
  }

  @Test
  void renewsEveryThirdOfTheTtl() {
    registration.tick();
    tickAfter(Duration.ofMillis(500));
    assertThat(fake.calls).hasSize(1);

    tickAfter(Duration.ofMillis(500));
    assertThat(fake.calls).hasSize(2).last().isEqualTo("PUT " + ENTRY + "/keepalive {}");

    tickAfter(Duration.ofMillis(900));
    assertThat(fake.calls).hasSize(2);
    tickAfter(Duration.ofMillis(100));
    assertThat(fake.calls).hasSize(3);
  }

  @Test
  void aLapsedLeaseIsRegisteredAgain() {
    registration.tick();
    fake.keepAliveStatus.set(404);

    tickAfter(Duration.ofSeconds(1));

    assertThat(fake.calls).hasSize(3);
    assertThat(fake.calls.get(1)).startsWith("PUT");
    assertThat(fake.calls.get(2)).startsWith("POST");
    assertThat(registration.state()).isEqualTo(Registration.State.REGISTERED);
  }

  @Test
  void twoFailedProbesWithdrawAndARecoveredAppRegistersAgain() {
    registration.tick();
    appUp.set(false);

    tickAfter(Duration.ofMillis(100));
    assertThat(registration.state()).as("one failure is tolerated").isEqualTo(Registration.State.REGISTERED);
    tickAfter(Duration.ofMillis(100));
    assertThat(registration.state()).isEqualTo(Registration.State.WITHDRAWN);
    assertThat(fake.calls).last().isEqualTo("DELETE " + ENTRY);

    tickAfter(Duration.ofSeconds(5));
    assertThat(registration.state()).isEqualTo(Registration.State.WITHDRAWN);
    appUp.set(true);
    tickAfter(Duration.ofMillis(100));
    assertThat(registration.state()).isEqualTo(Registration.State.REGISTERED);
    assertThat(fake.calls).last().asString().startsWith("POST");
  }

  @Test
  void anAppThatIsNotUpYetIsNotRegistered() {
    appUp.set(false);
    registration.tick();
    assertThat(registration.state()).isEqualTo(Registration.State.PENDING);
    assertThat(fake.calls).isEmpty();

    appUp.set(true);
    tickAfter(Duration.ofSeconds(1));
    assertThat(registration.state()).isEqualTo(Registration.State.REGISTERED);
  }

  @Test
  void aRefusedRegistrationIsRetriedOnTheNextTick() {
    fake.registerStatus.set(503);
    registration.tick();
    assertThat(registration.state()).isEqualTo(Registration.State.PENDING);

    fake.registerStatus.set(0);
    tickAfter(Duration.ofSeconds(1));
    assertThat(registration.state()).isEqualTo(Registration.State.REGISTERED);
  }

  @Test
  void closeDeregistersAtOnce() {
    registration.tick();

    registration.close();

    assertThat(fake.calls).last().isEqualTo("DELETE " + ENTRY);
    assertThat(registration.state()).isEqualTo(Registration.State.CLOSED);
    registration.tick();
    assertThat(fake.calls).hasSize(2);
  }

  @Test
  void theTickIsAtMostAThirdOfTheTtl() {
    Workload shortLived = new Workload("orders", "shop", "127.0.0.1", 15006, Map.of(), Duration.ofSeconds(1));
    Registration r = new Registration(client, shortLived, appUp::get, clock, Duration.ofSeconds(1));
    r.tick();
    clock.advance(Duration.ofMillis(334));
    r.tick();
    assertThat(fake.calls).hasSize(2).last().asString().startsWith("PUT");
    r.close();
  }
}
