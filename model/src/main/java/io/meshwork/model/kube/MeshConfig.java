package io.meshwork.model.kube;

import io.meshwork.model.internal.Copies;
import java.util.Map;

/**
 * Istio MeshConfig, the mesh-wide defaults. Honoured: {@code outboundTrafficPolicy.mode} (ALLOW_ANY,
 * the default, or REGISTRY_ONLY), {@code accessLogFile} ("/dev/stdout" or a path; empty disables),
 * {@code accessLogEncoding} (TEXT, the default, or JSON) and {@code accessLogFormat} (Envoy's command
 * operators; empty for Istio's default). Parsed and stored, not yet applied by sidecars: {@code
 * enableTracing}. {@code defaultConfig} (ProxyConfig) is kept loose.
 *
 * @param accessLogEncoding or null for TEXT
 * @param outboundTrafficPolicy or null for Istio's default, ALLOW_ANY
 */
public record MeshConfig(
    String accessLogFile,
    AccessLogEncoding accessLogEncoding,
    String accessLogFormat,
    Boolean enableTracing,
    String trustDomain,
    Map<String, Object> defaultConfig,
    OutboundTrafficPolicy outboundTrafficPolicy) {
  /** Istio's MeshConfig.AccessLogEncoding. */
  public enum AccessLogEncoding { TEXT, JSON }

  public MeshConfig {
    defaultConfig = Copies.map(defaultConfig);
  }
}
