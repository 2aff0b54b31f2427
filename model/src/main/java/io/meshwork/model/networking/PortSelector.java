package io.meshwork.model.networking;

/** Istio PortSelector: a port number, 1..65535. */
public record PortSelector(Integer number) {}
