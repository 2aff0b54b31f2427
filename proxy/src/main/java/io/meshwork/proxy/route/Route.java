package io.meshwork.proxy.route;

/**
 * One compiled HTTP route: the conditions it matches and what it does.
 *
 * @param name the Istio route name, or a generated one ({@code vs-name/index})
 * @param match the request conditions (any of Istio's match blocks)
 * @param action what to do with a matching request
 */
public record Route(String name, RouteMatch match, RouteAction action) {}
