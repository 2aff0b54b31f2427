package io.meshwork.bench.grpc;

import io.grpc.MethodDescriptor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** The one benchmarked method, {@code meshwork.bench.Echo/Unary}: the request's bytes come back. */
final class EchoMethod {
  private EchoMethod() {}

  /** Raw bytes on the wire: gRPC length-prefixed messages (gRPC over HTTP/2), no protobuf. */
  static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  };

  static final MethodDescriptor<byte[], byte[]> UNARY = MethodDescriptor.<byte[], byte[]>newBuilder()
      .setType(MethodDescriptor.MethodType.UNARY)
      .setFullMethodName(MethodDescriptor.generateFullMethodName("meshwork.bench.Echo", "Unary"))
      .setRequestMarshaller(BYTES)
      .setResponseMarshaller(BYTES)
      .build();
}
