package io.meshwork.proxy.config;

import io.meshwork.proxy.cluster.Cluster;
import io.meshwork.proxy.route.RouteTable;
import java.util.List;
import java.util.Map;

/**
 * Everything a running sidecar needs to route traffic, compiled from resources and swapped in
 * atomically; requests finish on the snapshot they started with.
 *
 * @param version increases with every swap; the control plane revision when there is one
 * @param outbound routes for traffic the local app sends to other services
 * @param clusters every cluster, by name, for the admin API and metrics
 * @param notices human-readable notes from compilation (unsupported fields, ignored resources)
 * @param summary a JSON-friendly view of the snapshot for the admin {@code /config} endpoint
 */
public record MeshSnapshot(
    long version,
    RouteTable outbound,
    Map<String, Cluster> clusters,
    List<String> notices,
    Map<String, Object> summary) {}
