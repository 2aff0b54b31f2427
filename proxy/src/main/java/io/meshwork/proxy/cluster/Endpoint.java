package io.meshwork.proxy.cluster;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One instance of a service: an address the proxy can open connections to.
 *
 * <p>Identity is the address: two endpoints with the same address are the same endpoint, so
 * a snapshot swap keeps the request counters that least-request balancing reads.
 */
public final class Endpoint {
  private final InetSocketAddress address;
  private final Map<String, String> labels;
  private final int weight;
  private final AtomicInteger activeRequests = new AtomicInteger();
  private final EjectionState ejection = new EjectionState();

  public Endpoint(InetSocketAddress address, Map<String, String> labels, int weight) {
    if (weight <= 0) {
      throw new IllegalArgumentException("weight: " + weight + " (expected: > 0)");
    }
    this.address = address;
    this.labels = Map.copyOf(labels);
    this.weight = weight;
  }

  public InetSocketAddress address() {
    return address;
  }

  public Map<String, String> labels() {
    return labels;
  }

  public int weight() {
    return weight;
  }

  /** Requests in flight to this endpoint from this proxy, read by least-request balancing. */
  public int activeRequests() {
    return activeRequests.get();
  }

  /** Outlier-detection state, kept across snapshots with the endpoint. */
  public EjectionState ejection() {
    return ejection;
  }

  public void requestStarted() {
    activeRequests.incrementAndGet();
  }

  public void requestFinished() {
    activeRequests.decrementAndGet();
  }

  /** host:port, as used in logs, headers and the admin API. */
  public String authority() {
    return address.getHostString() + ":" + address.getPort();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Endpoint e && e.address.equals(address);
  }

  @Override
  public int hashCode() {
    return address.hashCode();
  }

  @Override
  public String toString() {
    return authority() + labels;
  }
}
