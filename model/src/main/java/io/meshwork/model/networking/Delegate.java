package io.meshwork.model.networking;

/** Istio Delegate: hands matching requests to another VirtualService; namespace null means the same. */
public record Delegate(String name, String namespace) {}
