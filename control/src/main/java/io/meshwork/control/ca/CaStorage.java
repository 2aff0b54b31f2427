package io.meshwork.control.ca;

import java.util.Optional;

/**
 * Where the CA keeps its state: named text blobs (PEM certificates and keys, the trust bundle,
 * the join-token key). The control plane backs it with its store; {@link InMemoryCaStorage} and
 * {@link DirectoryCaStorage} serve tests and single-machine setups.
 *
 * <p>Names are short lower-case file-safe identifiers such as {@code root-key.pem}.
 */
public interface CaStorage {
  Optional<String> get(String name);

  /** Stores {@code value} under {@code name}, replacing what was there; durable on return. */
  void put(String name, String value);

  /** Checks a name is a safe storage key: [a-z0-9.-], 1..64 characters. */
  static String requireValidName(String name) {
    if (name == null || name.isEmpty() || name.length() > 64 || !name.matches("[a-z0-9][a-z0-9.-]*")) {
      throw new IllegalArgumentException("name: " + name + " (expected: 1..64 characters of [a-z0-9.-])");
    }
    return name;
  }
}
