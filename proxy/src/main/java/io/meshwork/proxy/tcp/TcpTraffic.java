package io.meshwork.proxy.tcp;

/**
 * What a byte splice reports as it runs (Istio's TCP metrics read it): a connection opened, bytes
 * each way, the connection closed. Called on the splice's event loop; implementations are shared by
 * every connection to one destination and must be lock-free.
 */
public interface TcpTraffic {
  /** Reports nothing. */
  TcpTraffic NONE = new TcpTraffic() {
    @Override
    public void opened() {}

    @Override
    public void received(int bytes) {}

    @Override
    public void sent(int bytes) {}

    @Override
    public void closed() {}
  };

  void opened();

  /** Bytes read from the downstream (the client) and relayed upstream. */
  void received(int bytes);

  /** Bytes read from the upstream and relayed to the downstream. */
  void sent(int bytes);

  void closed();

  /** The traffic of connections to one cluster, resolved once per connection. */
  @FunctionalInterface
  interface PerCluster {
    PerCluster NONE = cluster -> TcpTraffic.NONE;

    /** @param cluster an Istio cluster name, {@code outbound|port|subset|host} */
    TcpTraffic to(String cluster);
  }
}
