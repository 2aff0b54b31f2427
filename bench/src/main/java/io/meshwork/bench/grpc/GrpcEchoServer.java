package io.meshwork.bench.grpc;

import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCalls;
import java.net.InetSocketAddress;

/**
 * A grpc-java server (h2c, plaintext) answering {@code meshwork.bench.Echo/Unary}.
 *
 * <p>Usage: {@code GrpcEchoServer PORT}; port 0 picks a free port. Prints {@code listening 127.0.0.1:PORT}.
 */
public final class GrpcEchoServer {
  private GrpcEchoServer() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 1 || !args[0].matches("\\d{1,5}")) {
      System.err.println("usage: GrpcEchoServer PORT (0 for a free port)");
      System.exit(2);
    }
    ServerServiceDefinition echo = ServerServiceDefinition.builder("meshwork.bench.Echo")
        .addMethod(EchoMethod.UNARY, ServerCalls.asyncUnaryCall((request, response) -> {
          response.onNext(request);
          response.onCompleted();
        }))
        .build();
    Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", Integer.parseInt(args[0])))
        .addService(echo)
        .build()
        .start();
    System.out.println("listening 127.0.0.1:" + server.getPort());
    Runtime.getRuntime().addShutdownHook(new Thread(server::shutdownNow));
    server.awaitTermination();
  }
}
