package io.meshwork.proxy.cluster;

import java.util.Set;

/**
 * The per-attempt input of a {@link LoadBalancer}.
 *
 * @param hash the consistent-hash key of the request when the cluster hashes, else {@code OptionalLong}-style
 *     absent as {@code hasHash == false}
 * @param hasHash whether {@code hash} is set
 * @param tried endpoints an earlier attempt of the same request used; a retry prefers another host
 */
public record PickRequest(long hash, boolean hasHash, Set<Endpoint> tried) {
  public static final PickRequest FIRST = new PickRequest(0, false, Set.of());

  public static PickRequest hashed(long hash) {
    return new PickRequest(hash, true, Set.of());
  }

  public PickRequest retry(Set<Endpoint> triedSoFar) {
    return new PickRequest(hash, hasHash, Set.copyOf(triedSoFar));
  }
}
