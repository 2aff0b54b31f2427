package io.meshwork.model.kube;

import io.meshwork.model.internal.Copies;
import java.util.Map;

/**
 * Istio MeshConfig, the mesh-wide defaults. Honoured: {@code outboundTrafficPolicy.mode} (ALLOW_ANY,
 * the default, or REGISTRY_ONLY). Parsed and stored, not yet applied by sidecars: {@code
 * accessLogFile} ("/dev/stdout" or a path; empty disables), {@code accessLogEncoding} (TEXT or JSON),
 * {@code accessLogFormat} and {@code enableTracing}. {@code defaultConfig} (ProxyConfig) is kept loose.
 *
 * @param outboundTrafficPolicy or null for Istio's default, ALLOW_ANY
 */
public record MeshConfig(
    String accessLogFile,
    String accessLogEncoding,
    String accessLogFormat,
    Boolean enableTracing,
    String trustDomain,
    Map<String, Object> defaultConfig,
    OutboundTrafficPolicy outboundTrafficPolicy) {
  public MeshConfig {
    defaultConfig = Copies.map(defaultConfig);
  }
}
