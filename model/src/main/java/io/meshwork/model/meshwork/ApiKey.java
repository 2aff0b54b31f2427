package io.meshwork.model.meshwork;

import io.meshwork.model.Spec;
import io.meshwork.model.internal.Copies;
import java.util.List;

/**
 * An API key a caller outside the mesh presents (Otoroshi's client id/secret model).
 *
 * @param clientId required, public
 * @param clientName a label for people
 * @param secretHash required; the secret itself is never stored (e.g. "sha256:...")
 * @param services names of the services the key may call; empty means none
 * @param enabled null means true
 */
public record ApiKey(String clientId, String clientName, String secretHash, List<String> services, Boolean enabled)
    implements Spec {
  public ApiKey {
    services = Copies.list(services);
  }
}
