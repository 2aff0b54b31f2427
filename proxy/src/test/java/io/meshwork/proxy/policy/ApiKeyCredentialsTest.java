package io.meshwork.proxy.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SIDECAR_APIKEY_CLIENT_ID with its secret from the environment or a file. */
class ApiKeyCredentialsTest {
  @TempDir Path dir;

  @Test
  void noClientIdMeansNoKey() {
    assertThat(ApiKeyCredentials.fromEnvironment(null, Map.of(ApiKeyCredentials.CLIENT_SECRET_ENV, "x"))).isNull();
    assertThat(ApiKeyCredentials.fromEnvironment(" ", Map.of())).isNull();
  }

  @Test
  void theSecretComesFromTheEnvironmentOrAFileAndIsNeverPrinted() throws Exception {
    ApiKeyCredentials fromEnv = ApiKeyCredentials.fromEnvironment("orders",
        Map.of(ApiKeyCredentials.CLIENT_SECRET_ENV, "s3cret"));
    assertThat(fromEnv).isEqualTo(new ApiKeyCredentials("orders", "s3cret"));
    assertThat(fromEnv.toString()).doesNotContain("s3cret");

    Path file = Files.writeString(dir.resolve("secret"), "f1le-secret\n");
    assertThat(ApiKeyCredentials.fromEnvironment("orders",
        Map.of(ApiKeyCredentials.CLIENT_SECRET_FILE_ENV, file.toString())).secret()).isEqualTo("f1le-secret");
  }

  @Test
  void aClientIdWithoutSecretIsAClearError() {
    assertThatThrownBy(() -> ApiKeyCredentials.fromEnvironment("orders", Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("SIDECAR_APIKEY_CLIENT_SECRET: (none) (expected: ");
    assertThatThrownBy(() -> ApiKeyCredentials.fromEnvironment("orders",
        Map.of(ApiKeyCredentials.CLIENT_SECRET_FILE_ENV, dir.resolve("missing").toString())))
        .hasMessageContaining("SIDECAR_APIKEY_CLIENT_SECRET_FILE");
    assertThatThrownBy(() -> new ApiKeyCredentials("a:b", "x")).hasMessageStartingWith("apikeyClientId: a:b");
  }

  @Test
  void theStoredHashIsSha256OfTheSecret() {
    assertThat(ApiKeyRequirement.hash("abc"))
        .isEqualTo("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assertThat(ApiKeyRequirement.parseHash("sha256:zz")).isNull();
    assertThat(ApiKeyRequirement.parseHash("abc")).isNull();
  }
}
