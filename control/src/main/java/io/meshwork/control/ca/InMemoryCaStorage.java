package io.meshwork.control.ca;

import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** A {@link CaStorage} that lives as long as the process: for tests and throw-away meshes. */
public final class InMemoryCaStorage implements CaStorage {
  private final ConcurrentMap<String, String> blobs = new ConcurrentHashMap<>();

  @Override
  public Optional<String> get(String name) {
    return Optional.ofNullable(blobs.get(CaStorage.requireValidName(name)));
  }

  @Override
  public void put(String name, String value) {
    blobs.put(CaStorage.requireValidName(name), java.util.Objects.requireNonNull(value, "value"));
  }
}
