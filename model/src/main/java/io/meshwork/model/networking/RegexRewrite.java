package io.meshwork.model.networking;

/** Istio RegexRewrite: {@code match} is a regex; {@code rewrite} may use \1-style group references. */
public record RegexRewrite(String match, String rewrite) {}
