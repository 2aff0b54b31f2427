package io.meshwork.proxy.forward;

import io.meshwork.proxy.route.RouteTable;
import io.meshwork.proxy.stack.RequestStack;
import io.meshwork.proxy.upstream.Upstreams;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * What one listening port forwards with.
 *
 * @param routes the route table of the current snapshot, read once per request
 * @param targets how the port derives a request's target (its way in)
 * @param upstreams where attempts get upstream streams
 * @param replayLimit request body bytes kept for retries
 * @param draining true once the sidecar drains: responses then close their HTTP/1.1 connections
 * @param inFlight counts exchanges in progress
 * @param stages run once per request before the router (assembled in {@code io.meshwork.proxy.ProxyStacks})
 * @param egress hosts no route knows and CONNECT tunnels (the HTTP proxy port's egress policy), or null:
 *     such hosts are then answered 404 and CONNECT 405
 * @param mirrors what became of the copies that routes with mirrors sent
 */
public record ForwardConfig(
    Supplier<RouteTable> routes,
    TargetResolver targets,
    Upstreams upstreams,
    int replayLimit,
    BooleanSupplier draining,
    InFlight inFlight,
    RequestStack stages,
    Egress egress,
    MirrorCounters mirrors) {

  public ForwardConfig {
    mirrors = mirrors == null ? new MirrorCounters() : mirrors;
    if (replayLimit < 0) {
      throw new IllegalArgumentException("replayLimit: " + replayLimit + " (expected: >= 0)");
    }
    stages = stages == null ? RequestStack.EMPTY : stages;
  }

  /** A port that counts its mirrored copies on its own. */
  public ForwardConfig(Supplier<RouteTable> routes, TargetResolver targets, Upstreams upstreams, int replayLimit,
      BooleanSupplier draining, InFlight inFlight, RequestStack stages, Egress egress) {
    this(routes, targets, upstreams, replayLimit, draining, inFlight, stages, egress, null);
  }

  /** A port without egress: hosts no route knows are answered 404, CONNECT 405. */
  public ForwardConfig(Supplier<RouteTable> routes, TargetResolver targets, Upstreams upstreams, int replayLimit,
      BooleanSupplier draining, InFlight inFlight, RequestStack stages) {
    this(routes, targets, upstreams, replayLimit, draining, inFlight, stages, null, null);
  }

  /** A port whose requests pass no stage. */
  public ForwardConfig(Supplier<RouteTable> routes, TargetResolver targets, Upstreams upstreams, int replayLimit,
      BooleanSupplier draining, InFlight inFlight) {
    this(routes, targets, upstreams, replayLimit, draining, inFlight, RequestStack.EMPTY, null, null);
  }
}
