package io.meshwork.model.networking;

/** Istio HTTPDirectResponse: {@code status} is required, {@code body} may be null. */
public record HTTPDirectResponse(Integer status, HTTPBody body) {}
