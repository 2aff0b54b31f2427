package io.meshwork.model.kube;

import io.meshwork.model.internal.Copies;
import java.util.Map;

/**
 * Istio MeshConfig, the mesh-wide defaults. Parsed and stored, not yet applied by sidecars: {@code
 * accessLogFile} ("/dev/stdout" or a path; empty disables), {@code accessLogEncoding} (TEXT or JSON),
 * {@code accessLogFormat} and {@code enableTracing}. {@code defaultConfig} (ProxyConfig) and {@code outboundTrafficPolicy} are kept loose.
 */
public record MeshConfig(
    String accessLogFile,
    String accessLogEncoding,
    String accessLogFormat,
    Boolean enableTracing,
    String trustDomain,
    Map<String, Object> defaultConfig,
    Map<String, Object> outboundTrafficPolicy) {
  public MeshConfig {
    defaultConfig = Copies.map(defaultConfig);
    outboundTrafficPolicy = Copies.map(outboundTrafficPolicy);
  }
}
