/**
 * gRPC unary benchmark: a real grpc-java server and a closed-loop client, the method registered by
 * hand (bytes in, the same bytes out) so no protobuf code generation is needed.
 */
package io.meshwork.bench.grpc;
