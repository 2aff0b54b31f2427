package io.meshwork.proxy.dapr;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshwork.model.codec.ModelMapper;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * An error as Dapr's API answers it: an HTTP status and {@code {"errorCode": ..., "message": ...}}, with
 * Dapr's codes, so that SDKs and clients written against Dapr read it unchanged.
 */
public record DaprError(HttpResponseStatus status, String errorCode, String message) {
  static final String STATE_STORE_NOT_FOUND = "ERR_STATE_STORE_NOT_FOUND";
  static final String STATE_STORES_NOT_CONFIGURED = "ERR_STATE_STORES_NOT_CONFIGURED";
  static final String MALFORMED_REQUEST = "ERR_MALFORMED_REQUEST";
  static final String STATE_GET = "ERR_STATE_GET";
  static final String STATE_SAVE = "ERR_STATE_SAVE";
  static final String STATE_DELETE = "ERR_STATE_DELETE";
  static final String STATE_BULK_GET = "ERR_STATE_BULK_GET";
  static final String STATE_TRANSACTION = "ERR_STATE_TRANSACTION";
  static final String DIRECT_INVOKE = "ERR_DIRECT_INVOKE";
  static final String NOT_FOUND = "ERR_NOT_FOUND";
  static final String PERMISSION_DENIED = "ERR_PERMISSION_DENIED";
  static final String BODY_TOO_LARGE = "ERR_BODY_TOO_LARGE";
  static final String PUBSUB_NOT_CONFIGURED = "ERR_PUBSUB_NOT_CONFIGURED";
  static final String PUBSUB_EMPTY = "ERR_PUBSUB_EMPTY";
  static final String PUBSUB_NOT_FOUND = "ERR_PUBSUB_NOT_FOUND";
  static final String TOPIC_EMPTY = "ERR_TOPIC_NAME_EMPTY";
  static final String PUBSUB_CLOUD_EVENTS_SER = "ERR_PUBSUB_CLOUD_EVENTS_SER";
  static final String PUBSUB_PUBLISH_MESSAGE = "ERR_PUBSUB_PUBLISH_MESSAGE";

  static DaprError malformed(String message) {
    return new DaprError(HttpResponseStatus.BAD_REQUEST, MALFORMED_REQUEST, message);
  }

  public String toJson() {
    ObjectNode body = ModelMapper.json().createObjectNode();
    body.put("errorCode", errorCode);
    body.put("message", message);
    return body.toString();
  }
}
