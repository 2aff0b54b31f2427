/** Istio networking.istio.io resources: ServiceEntry, WorkloadEntry/Group, VirtualService, DestinationRule, Gateway. */
package io.meshwork.model.networking;
