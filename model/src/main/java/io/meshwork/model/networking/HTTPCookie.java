package io.meshwork.model.networking;

import java.time.Duration;

/** Istio ConsistentHashLB.HTTPCookie: {@code name} required; the cookie is generated when {@code ttl} is set. */
public record HTTPCookie(String name, String path, Duration ttl) {}
