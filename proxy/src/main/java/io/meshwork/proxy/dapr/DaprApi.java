package io.meshwork.proxy.dapr;

import io.meshwork.proxy.forward.TargetResolver;
import io.netty.channel.ChannelHandler;
import java.util.function.Supplier;

/**
 * Dapr's API of one sidecar: its open state stores, its pub/sub topics, and the handler the HTTP port puts before
 * forwarding. Components come from the snapshot; a store whose component is gone is closed.
 */
public final class DaprApi implements AutoCloseable {
  private final StateStores stores;
  private final Supplier<DaprComponents> components;
  private final String appId;
  private final String namespace;
  private final TargetResolver callerGuard;
  private final PubSub pubSub;

  /**
   * @param callerGuard the HTTP port's guard of who may call (its {@code Rejected} answers are kept)
   */
  public DaprApi(DaprSettings settings, String appId, String namespace, Supplier<DaprComponents> components,
      TargetResolver callerGuard) {
    this(settings, appId, namespace, null, components, callerGuard);
  }

  /**
   * @param app the app's base URL, where subscribed events are delivered; null when there is no app
   * @param callerGuard the HTTP port's guard of who may call (its {@code Rejected} answers are kept)
   */
  public DaprApi(DaprSettings settings, String appId, String namespace, java.net.URI app,
      Supplier<DaprComponents> components, TargetResolver callerGuard) {
    this.stores = new StateStores(settings, namespace, System::currentTimeMillis);
    this.components = components;
    this.appId = appId;
    this.namespace = namespace;
    this.callerGuard = callerGuard;
    this.pubSub = new PubSub(appId, app, components);
    pubSub.start();
  }

  /** A handler per HTTP connection or HTTP/2 stream of the port that serves Dapr's HTTP API. */
  public Supplier<ChannelHandler> httpHandlers() {
    return () -> new DaprHttpApi(stores, pubSub, components, appId, namespace, callerGuard);
  }

  /** Closes the stores of components that {@code current} no longer has. */
  public void retain(DaprComponents current) {
    stores.retain(current);
    pubSub.retain(current);
  }

  @Override
  public void close() {
    pubSub.close();
    stores.close();
  }
}
