package io.meshwork.model.dapr;

import io.meshwork.model.Spec;
import io.meshwork.model.internal.Copies;
import java.util.List;
import java.util.Optional;

/**
 * A Dapr component: a named building block (a state store, a broker) of one {@code type}, configured by
 * name/value metadata. In documents {@code scopes} sits beside {@code spec}, as Dapr writes it; the codec
 * moves it here.
 *
 * @param type required, e.g. {@code state.sqlite}; see {@link ComponentType}
 * @param version {@code v1}; null means v1
 * @param metadata the type's settings, each named once
 * @param initTimeout accepted as Dapr has it; not used
 * @param ignoreErrors accepted as Dapr has it; not used
 * @param scopes the app ids (service names) that may use the component; empty means every app of the namespace
 */
public record Component(String type, String version, List<MetadataItem> metadata, String initTimeout,
    Boolean ignoreErrors, List<String> scopes) implements Spec {
  public Component {
    metadata = Copies.list(metadata);
    scopes = Copies.list(scopes);
  }

  /** A component of {@code type} with {@code metadata}, for every app. */
  public static Component of(String type, List<MetadataItem> metadata) {
    return new Component(type, "v1", metadata, null, null, List.of());
  }

  /** The value of metadata item {@code name}, if set. */
  public Optional<String> value(String name) {
    for (MetadataItem item : metadata) {
      if (name.equals(item.name())) {
        return Optional.ofNullable(item.value());
      }
    }
    return Optional.empty();
  }

  /** Whether app {@code appId} may use the component. */
  public boolean inScope(String appId) {
    return scopes.isEmpty() || scopes.contains(appId);
  }

  public Component withScopes(List<String> newScopes) {
    return new Component(type, version, metadata, initTimeout, ignoreErrors, newScopes);
  }

  /**
   * One setting.
   *
   * @param name required
   * @param value the setting; scalars of any YAML type are read as text
   * @param secretKeyRef a value kept in a secret store (not supported yet: validation refuses it)
   */
  public record MetadataItem(String name, String value, SecretKeyRef secretKeyRef) {
    public static MetadataItem of(String name, String value) {
      return new MetadataItem(name, value, null);
    }
  }

  /** @param name the secret @param key the key inside it */
  public record SecretKeyRef(String name, String key) {}
}
