package io.meshwork.model.networking;

/** Istio ConnectionPoolSettings: limits towards each upstream host; either part may be null. */
public record ConnectionPoolSettings(TCPSettings tcp, HTTPSettings http) {}
