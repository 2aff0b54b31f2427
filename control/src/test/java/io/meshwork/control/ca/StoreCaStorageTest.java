package io.meshwork.control.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshwork.control.store.SqliteStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreCaStorageTest {
  @TempDir Path dir;

  @Test
  void blobsLiveUnderTheCaPrefixAndSurviveReopening() {
    Path db = dir.resolve("meshwork.db");
    String bundle;
    String root;
    try (SqliteStore store = SqliteStore.open(db, new MutableClock(Instant.EPOCH), Duration.ofHours(1))) {
      CertificateAuthority ca = CertificateAuthority.open(new StoreCaStorage(store), CaConfig.defaults(),
          new MutableClock(Instant.parse("2026-03-01T00:00:00Z")));
      bundle = ca.trustBundle().toPem();
      root = TrustBundle.fingerprint(ca.rootCertificate());
      assertThat(store.get(StoreCaStorage.TRUST_BUNDLE_KEY).orElseThrow().valueAsString()).isEqualTo(bundle);
      assertThat(store.range("/registry/").kvs()).isEmpty();
      assertThat(store.range(StoreCaStorage.PREFIX).kvs()).extracting(kv -> kv.key())
          .contains("/meshwork/ca/root-key.pem", "/meshwork/ca/root-cert.pem", "/meshwork/ca/join-token-hmac.key");
    }
    try (SqliteStore store = SqliteStore.open(db, new MutableClock(Instant.EPOCH), Duration.ofHours(1))) {
      long revision = store.currentRevision();
      CertificateAuthority ca = CertificateAuthority.open(new StoreCaStorage(store), CaConfig.defaults(),
          new MutableClock(Instant.parse("2026-03-01T00:00:00Z")));
      assertThat(TrustBundle.fingerprint(ca.rootCertificate())).isEqualTo(root);
      assertThat(ca.trustBundle().toPem()).isEqualTo(bundle);
      // Reopening wrote nothing: the same values are not stored again.
      assertThat(store.currentRevision()).isEqualTo(revision);
    }
  }

  @Test
  void aChangedValueIsOneWriteAndAnUnchangedOneNone() {
    try (SqliteStore store = SqliteStore.open(dir.resolve("m.db"), new MutableClock(Instant.EPOCH),
        Duration.ofHours(1))) {
      StoreCaStorage storage = new StoreCaStorage(store);
      storage.put("a.pem", "one");
      long first = store.currentRevision();
      storage.put("a.pem", "one");
      assertThat(store.currentRevision()).isEqualTo(first);
      storage.put("a.pem", "two");
      assertThat(store.currentRevision()).isEqualTo(first + 1);
      assertThat(storage.get("a.pem")).contains("two");
      assertThat(storage.get("missing.pem")).isEmpty();
      assertThatThrownBy(() -> storage.put("../x", "y")).isInstanceOf(IllegalArgumentException.class);
    }
  }
}
