package io.meshwork.control.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectoryCaStorageTest {
  @TempDir Path dir;

  @Test
  void storesBlobsAsPrivateFilesAndReadsThemBack() throws Exception {
    DirectoryCaStorage storage = new DirectoryCaStorage(dir.resolve("ca"));

    assertThat(storage.get("root-key.pem")).isEmpty();
    storage.put("root-key.pem", "secret");
    storage.put("root-key.pem", "secret-2");

    assertThat(new DirectoryCaStorage(dir.resolve("ca")).get("root-key.pem")).contains("secret-2");
    assertThat(Files.list(dir.resolve("ca"))).extracting(Path::getFileName).extracting(Path::toString)
        .containsExactly("root-key.pem");
    if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("ca/root-key.pem"))))
          .isEqualTo("rw-------");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("ca"))))
          .isEqualTo("rwx------");
    }
  }

  @Test
  void refusesNamesThatCouldEscapeTheDirectory() {
    DirectoryCaStorage storage = new DirectoryCaStorage(dir);

    assertThatThrownBy(() -> storage.put("../x", "v"))
        .hasMessage("name: ../x (expected: 1..64 characters of [a-z0-9.-])");
    assertThatThrownBy(() -> storage.get(".hidden")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aCaOnDiskKeepsItsRootAcrossRestarts() {
    MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    CertificateAuthority first = CertificateAuthority.open(new DirectoryCaStorage(dir), CaConfig.defaults(), clock);

    CertificateAuthority second = CertificateAuthority.open(new DirectoryCaStorage(dir), CaConfig.defaults(), clock);

    assertThat(second.rootCertificate()).isEqualTo(first.rootCertificate());
    assertThat(dir.resolve("root-key.pem")).exists();
    assertThat(dir.resolve("join-token-hmac.key")).exists();
  }
}
