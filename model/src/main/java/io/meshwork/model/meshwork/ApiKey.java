package io.meshwork.model.meshwork;

import io.meshwork.model.Spec;
import io.meshwork.model.internal.Copies;
import java.util.List;

/**
 * An API key a caller outside the mesh presents (Otoroshi's client id/secret model).
 *
 * @param clientId required, public
 * @param clientName a label for people
 * @param secretHash required; {@code sha256:<64 hex digits>} of the secret, which is never stored
 * @param services the services the key may call: {@code name} (in the key's namespace) or
 *     {@code name.namespace}; empty means none
 * @param enabled null means true
 */
public record ApiKey(String clientId, String clientName, String secretHash, List<String> services, Boolean enabled)
    implements Spec {
  public ApiKey {
    services = Copies.list(services);
  }
}
