/** Upstream clusters: the endpoints of a service (or subset) and how requests reach them. */
package io.meshwork.proxy.cluster;
