package io.meshwork.proxy.balancer;

import io.meshwork.proxy.cluster.Endpoint;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

final class BalancerTestSupport {
  private BalancerTestSupport() {}

  static Endpoint endpoint(int lastOctet, int weight) {
    return new Endpoint(new InetSocketAddress("10.0.0." + lastOctet, 8080), Map.of(), weight);
  }

  static List<Endpoint> endpoints(int count) {
    List<Endpoint> list = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      list.add(endpoint(i, 1));
    }
    return list;
  }
}
