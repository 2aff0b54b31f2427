package io.meshwork.control.ca;

import io.meshwork.control.store.KeyValue;
import io.meshwork.control.store.KeyValueStore;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@link CaStorage} in the control plane's store, one key per name under {@value #PREFIX}: the root travels with
 * the data directory (or, later, with etcd) and the trust bundle's key ({@link #TRUST_BUNDLE_KEY}) can be watched
 * like any other. The keys sit outside {@code /registry/}, so no resource list or watch ever returns them.
 *
 * <p>A write of the value already stored is skipped: a restart opens the CA without advancing the revision.
 */
public final class StoreCaStorage implements CaStorage {
  public static final String PREFIX = "/meshwork/ca/";
  /** Where the PEM trust bundle lives; its modRevision changes exactly when the bundle does. */
  public static final String TRUST_BUNDLE_KEY = PREFIX + CertificateAuthority.TRUST_BUNDLE;

  private final KeyValueStore store;

  public StoreCaStorage(KeyValueStore store) {
    this.store = Objects.requireNonNull(store, "store");
  }

  @Override
  public Optional<String> get(String name) {
    return store.get(PREFIX + CaStorage.requireValidName(name)).map(KeyValue::valueAsString);
  }

  @Override
  public void put(String name, String value) {
    String key = PREFIX + CaStorage.requireValidName(name);
    byte[] bytes = Objects.requireNonNull(value, "value").getBytes(StandardCharsets.UTF_8);
    Optional<KeyValue> current = store.get(key);
    if (current.isPresent() && Arrays.equals(current.get().value(), bytes)) {
      return;
    }
    store.put(key, bytes, KeyValue.NO_LEASE);
  }
}
