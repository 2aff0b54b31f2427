package io.meshwork.proxy.dapr;

import io.meshwork.model.Resource;
import io.meshwork.model.dapr.Component;
import io.meshwork.model.dapr.ComponentType;
import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Dapr components one sidecar's app may use, compiled into the snapshot: those of the app's
 * namespace whose {@code scopes} are empty or name the app.
 *
 * @param stateStores state store name → component
 * @param pubSubs pub/sub component name → component
 */
public record DaprComponents(Map<String, Resource<Component>> stateStores, Map<String, Resource<Component>> pubSubs) {
  public static final DaprComponents NONE = new DaprComponents(Map.of(), Map.of());

  public DaprComponents {
    stateStores = Collections.unmodifiableMap(new TreeMap<>(stateStores));
    pubSubs = Collections.unmodifiableMap(new TreeMap<>(pubSubs));
  }

  public DaprComponents(Map<String, Resource<Component>> stateStores) {
    this(stateStores, Map.of());
  }

  /** @param appId the app's id: its service name */
  @SuppressWarnings("unchecked")
  public static DaprComponents compile(Collection<Resource<?>> resources, String appId, String namespace) {
    Map<String, Resource<Component>> stores = new TreeMap<>();
    Map<String, Resource<Component>> pubSubs = new TreeMap<>();
    for (Resource<?> r : resources) {
      if (!(r.spec() instanceof Component)) {
        continue;
      }
      Resource<Component> c = (Resource<Component>) r;
      if (!c.namespace().equals(namespace) || !c.spec().inScope(appId)) {
        continue;
      }
      ComponentType type = ComponentType.of(c.spec().type()).orElse(null);
      if (type != null && type.isStateStore()) {
        stores.put(c.name(), c);
      } else if (type != null && type.isPubSub()) {
        pubSubs.put(c.name(), c);
      }
    }
    return new DaprComponents(stores, pubSubs);
  }
}
