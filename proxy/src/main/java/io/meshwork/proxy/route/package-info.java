/** HTTP routing: virtual hosts, request matching (Istio HTTPMatchRequest) and route actions. */
package io.meshwork.proxy.route;
