package io.meshwork.interop;

/** grpc-java's two client transports; {@code TestServiceClient --use_okhttp} picks one. */
enum Transport {
  NETTY("--use_okhttp=false"),
  OKHTTP("--use_okhttp=true");

  final String flag;

  Transport(String flag) {
    this.flag = flag;
  }
}
