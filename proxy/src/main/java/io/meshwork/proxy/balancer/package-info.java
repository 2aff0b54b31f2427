/** Load balancing: the policies that pick one endpoint of a cluster per attempt, and request hash keys. */
package io.meshwork.proxy.balancer;
