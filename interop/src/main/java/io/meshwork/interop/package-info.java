/**
 * Conformance of the Meshwork data plane with third-party HTTP/2 and gRPC implementations.
 *
 * <p>{@link io.meshwork.interop.CaseRunner} runs grpc-java's interop client cases in a JVM of their own (grpc-java
 * brings Netty 4.1; Meshwork runs on 4.2 in its own processes). The tests start the topologies: direct, one sidecar
 * from files, and two sidecars of a control plane's mesh with mutual TLS. See docs/conformance.md.
 */
package io.meshwork.interop;
