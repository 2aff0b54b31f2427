package io.meshwork.proxy.upstream;

import io.meshwork.proxy.cluster.UpstreamTls;
import java.net.InetSocketAddress;

/** Connections are shared only between acquisitions with the same endpoint and the same TLS settings. */
record PoolKey(InetSocketAddress address, UpstreamTls tls) {}
