package io.meshwork.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdminCredentialTest {
  @TempDir Path dir;

  @Test
  void theEnvironmentWinsOverTheDataDirectory() throws Exception {
    Files.writeString(dir.resolve("admin-token"), "mwat1.from-file\n");
    Files.writeString(dir.resolve("elsewhere.pem"), "");
    AdminCredential credential = AdminCredential.find(Map.of(
        "MESHWORK_ADMIN_TOKEN", "mwat1.from-env", "MESHWORK_CA_FILE", dir.resolve("elsewhere.pem").toString())::get,
        dir);
    assertThat(credential.token()).isEqualTo("mwat1.from-env");
    assertThat(credential.tokenSource()).isEqualTo("MESHWORK_ADMIN_TOKEN");
    assertThat(credential.caFile()).contains(dir.resolve("elsewhere.pem"));
    assertThat(credential.toString()).doesNotContain("mwat1");
  }

  @Test
  void theDataDirectoryHoldsTheTokenAndTheBundle() throws Exception {
    Files.writeString(dir.resolve("admin-token"), "mwat1.from-file\n");
    Files.writeString(dir.resolve("ca.pem"), "");
    AdminCredential credential = AdminCredential.find(Map.<String, String>of()::get, dir);
    assertThat(credential.token()).isEqualTo("mwat1.from-file");
    assertThat(credential.tokenSource()).isEqualTo(dir.resolve("admin-token").toString());
    assertThat(credential.caFile()).contains(dir.resolve("ca.pem"));
  }

  @Test
  void withoutABundleTheDefaultTrustIsUsed() throws Exception {
    Files.writeString(dir.resolve("admin-token"), "mwat1.x");
    AdminCredential credential = AdminCredential.find(Map.<String, String>of()::get, dir);
    assertThat(credential.caFile()).isEmpty();
    assertThat(credential.sslContext()).isNotNull();
  }

  @Test
  void noTokenAnywhereSaysWhereItLooked() {
    assertThatThrownBy(() -> AdminCredential.find(Map.<String, String>of()::get, dir.resolve("missing")))
        .isInstanceOf(UserError.class)
        .hasMessageStartingWith("no admin token: set MESHWORK_ADMIN_TOKEN or pass --data-dir")
        .hasMessageContaining(dir.resolve("missing").resolve("admin-token").toString());
  }

  @Test
  void aBundleThatIsNotPemIsAUserError() throws Exception {
    Files.writeString(dir.resolve("admin-token"), "mwat1.x");
    Files.writeString(dir.resolve("ca.pem"), "not a certificate");
    AdminCredential credential = AdminCredential.find(Map.<String, String>of()::get, dir);
    assertThatThrownBy(credential::sslContext).isInstanceOf(UserError.class)
        .hasMessageStartingWith(dir.resolve("ca.pem").toString());
  }
}
