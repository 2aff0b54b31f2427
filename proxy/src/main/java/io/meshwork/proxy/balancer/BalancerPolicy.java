package io.meshwork.proxy.balancer;

import io.meshwork.proxy.cluster.Endpoint;
import io.meshwork.proxy.cluster.LoadBalancer;
import java.util.List;

/**
 * The load-balancing policies a cluster can use (Istio LoadBalancerSettings). Istio maps
 * {@code LEAST_CONN} to Envoy's least-request balancer, and so do we.
 */
public sealed interface BalancerPolicy {

  /** Istio's default when a DestinationRule names no policy. */
  BalancerPolicy DEFAULT = new LeastRequest(LeastRequest.DEFAULT_CHOICE_COUNT);

  /** A name for the admin API, e.g. {@code LEAST_REQUEST}. */
  String describe();

  /** A balancer whose tables are built for {@code endpoints}; other lists passed to it are handled too. */
  default LoadBalancer newBalancer(List<Endpoint> endpoints) {
    return new ListBoundBalancer(this, endpoints);
  }

  /** Builds the policy's tables for exactly this endpoint list. */
  LoadBalancer buildFor(List<Endpoint> endpoints);

  /** Weighted round robin, interleaved so that heavy endpoints do not receive bursts. */
  record RoundRobin() implements BalancerPolicy {
    @Override
    public String describe() {
      return "ROUND_ROBIN";
    }

    @Override
    public LoadBalancer buildFor(List<Endpoint> endpoints) {
      return new RoundRobinBalancer(endpoints);
    }
  }

  /** Weighted random choice. */
  record Random() implements BalancerPolicy {
    @Override
    public String describe() {
      return "RANDOM";
    }

    @Override
    public LoadBalancer buildFor(List<Endpoint> endpoints) {
      return new RandomBalancer(endpoints);
    }
  }

  /**
   * Least request by "power of N choices": sample {@code choiceCount} endpoints, take the least loaded
   * (Envoy's least_request, choice_count default 2).
   */
  record LeastRequest(int choiceCount) implements BalancerPolicy {
    public static final int DEFAULT_CHOICE_COUNT = 2;

    public LeastRequest {
      if (choiceCount < 2) {
        throw new IllegalArgumentException("choiceCount: " + choiceCount + " (expected: >= 2)");
      }
    }

    @Override
    public String describe() {
      return "LEAST_REQUEST";
    }

    @Override
    public LoadBalancer buildFor(List<Endpoint> endpoints) {
      return new LeastRequestBalancer(endpoints, choiceCount);
    }
  }

  /**
   * Ketama-style consistent hash ring (Istio consistentHash.ringHash, Envoy ring_hash).
   *
   * @param minimumRingSize entries on the ring at least (Istio/Envoy default 1024)
   */
  record RingHash(long minimumRingSize) implements BalancerPolicy {
    public static final long DEFAULT_MINIMUM_RING_SIZE = 1024;
    /** Envoy's default maximum_ring_size. */
    public static final long MAXIMUM_RING_SIZE = 8 * 1024 * 1024;

    public RingHash {
      if (minimumRingSize < 1 || minimumRingSize > MAXIMUM_RING_SIZE) {
        throw new IllegalArgumentException(
            "minimumRingSize: " + minimumRingSize + " (expected: 1.." + MAXIMUM_RING_SIZE + ")");
      }
    }

    @Override
    public String describe() {
      return "RING_HASH";
    }

    @Override
    public LoadBalancer buildFor(List<Endpoint> endpoints) {
      return new RingHashBalancer(endpoints, minimumRingSize);
    }
  }

  /**
   * Maglev consistent hashing (Istio consistentHash.maglev, Envoy maglev).
   *
   * @param tableSize the lookup table size, a prime (Envoy default 65537)
   */
  record Maglev(int tableSize) implements BalancerPolicy {
    public static final int DEFAULT_TABLE_SIZE = 65537;

    public Maglev {
      if (tableSize < 2 || !java.math.BigInteger.valueOf(tableSize).isProbablePrime(30)) {
        throw new IllegalArgumentException("tableSize: " + tableSize + " (expected: a prime number)");
      }
    }

    @Override
    public String describe() {
      return "MAGLEV";
    }

    @Override
    public LoadBalancer buildFor(List<Endpoint> endpoints) {
      return new MaglevBalancer(endpoints, tableSize);
    }
  }
}
