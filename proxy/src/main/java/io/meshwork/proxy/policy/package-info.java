/** Inbound request policies: authorization, request authentication and API keys, checked before the local app. */
package io.meshwork.proxy.policy;
