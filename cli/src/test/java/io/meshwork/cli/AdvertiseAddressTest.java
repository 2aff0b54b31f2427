package io.meshwork.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.api.Test;

/**
 * {@code --advertise-address}: what a sidecar registers as its app's address. Only loopback control planes are
 * named here; the detection of a machine's address towards a remote control plane runs across network namespaces
 * in {@link NetnsMeshTest}.
 */
class AdvertiseAddressTest {
  private static final URI LOCAL = URI.create("https://127.0.0.1:15010");
  private static final URI REMOTE = URI.create("https://10.213.0.1:15010");

  @Test
  void aControlPlaneOnLoopbackMeansAMeshOnOneMachine() {
    assertThat(AdvertiseAddress.resolve(null, LOCAL).text()).isEqualTo("127.0.0.1");
    assertThat(AdvertiseAddress.resolve(null, URI.create("http://[::1]:15010")).text()).isEqualTo("0:0:0:0:0:0:0:1");
    assertThat(AdvertiseAddress.resolve(" ", URI.create("https://localhost:15010")).address().isLoopbackAddress())
        .isTrue();
  }

  @Test
  void aGivenAddressIsRegisteredAsGiven() {
    assertThat(AdvertiseAddress.resolve("10.0.0.5", REMOTE).text()).isEqualTo("10.0.0.5");
    assertThat(AdvertiseAddress.resolve("10.0.0.5", LOCAL).text()).isEqualTo("10.0.0.5");
    assertThat(AdvertiseAddress.resolve("fd00::5", REMOTE).text()).isEqualTo("fd00:0:0:0:0:0:0:5");
  }

  @Test
  void addressesNoPeerCanDialAreRefused() {
    assertThatThrownBy(() -> AdvertiseAddress.resolve("0.0.0.0", REMOTE)).isInstanceOf(UserError.class)
        .hasMessage("--advertise-address: 0.0.0.0 is the wildcard address, which listens everywhere but names no"
            + " machine (expected: an address of this machine that peers can reach, e.g. 10.0.0.5)");
    assertThatThrownBy(() -> AdvertiseAddress.resolve("::", LOCAL)).hasMessageContaining("is the wildcard address");
    assertThatThrownBy(() -> AdvertiseAddress.resolve("224.0.0.1", REMOTE)).hasMessageContaining("multicast");
    assertThatThrownBy(() -> AdvertiseAddress.resolve("255.255.255.255", REMOTE)).hasMessageContaining("broadcast");
    assertThatThrownBy(() -> AdvertiseAddress.resolve("fe80::1", REMOTE)).hasMessageContaining("link-local");
    assertThatThrownBy(() -> AdvertiseAddress.resolve("127.0.0.1", REMOTE))
        .hasMessageContaining("127.0.0.1 is loopback, but the control plane at https://10.213.0.1:15010 is not");
    assertThatThrownBy(() -> AdvertiseAddress.resolve("no-such-host.invalid", LOCAL))
        .hasMessageContaining("no-such-host.invalid does not resolve");
  }

  @Test
  void runAndSidecarRefuseTheWildcardBeforeStartingAnything() {
    Cli.Result run = Cli.run("run", "--service", "orders", "--app-port", "8080", "--control-plane", LOCAL.toString(),
        "--advertise-address", "0.0.0.0", "--", "true");
    assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(run.err()).contains("meshwork: --advertise-address: 0.0.0.0 is the wildcard address");

    Cli.Result sidecar = Cli.run("sidecar", "--service", "orders", "--target", "http://127.0.0.1:8080",
        "--control-plane", REMOTE.toString(), "--advertise-address", "127.0.0.1");
    assertThat(sidecar.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(sidecar.err()).contains("meshwork: --advertise-address: 127.0.0.1 is loopback");
  }
}
