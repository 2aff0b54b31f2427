/**
 * The request stack's shapes: a {@link io.meshwork.proxy.stack.RequestStage} runs once per request
 * before the router, the {@link io.meshwork.proxy.stack.RequestStack} is the immutable list of them a
 * port runs, and the {@link io.meshwork.proxy.stack.RequestRecord} is what every stage reads when a
 * request ends. The stacks themselves are assembled in {@code io.meshwork.proxy.ProxyStacks}.
 */
package io.meshwork.proxy.stack;
