package io.meshwork.proxy.admin;

import io.meshwork.proxy.http.HttpLimits;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;

/** The admin port's pipeline: HTTP/1.1 with small aggregated requests. */
public final class AdminInitializer extends ChannelInitializer<Channel> {
  private static final int MAX_ADMIN_BODY = 8 * 1024;
  private final AdminHandler handler;

  public AdminInitializer(AdminControls controls) {
    this.handler = new AdminHandler(controls);
  }

  @Override
  protected void initChannel(Channel ch) {
    ch.pipeline().addLast(new HttpServerCodec(HttpLimits.decoderConfig()), new HttpObjectAggregator(MAX_ADMIN_BODY), handler);
  }
}
