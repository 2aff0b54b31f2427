package io.meshwork.proxy.dapr;

import java.nio.file.Path;

/**
 * Where a sidecar keeps what its Dapr components store locally.
 *
 * @param dataDir the folder for {@code state.sqlite} files that name no {@code connectionString}
 *     (and the base of relative ones); created owner-only
 */
public record DaprSettings(Path dataDir) {
  public DaprSettings {
    if (dataDir == null) {
      throw new IllegalArgumentException("dataDir: null (expected: a folder)");
    }
  }

  /** {@code ~/.meshwork/sidecars/<namespace>/<service>}: one folder per app, so two apps never share a file. */
  public static DaprSettings defaults(String service, String namespace) {
    return new DaprSettings(Path.of(System.getProperty("user.home"), ".meshwork", "sidecars", namespace, service));
  }
}
