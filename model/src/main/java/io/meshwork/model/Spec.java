package io.meshwork.model;

import io.meshwork.model.dapr.Component;
import io.meshwork.model.kube.IstioOperator;
import io.meshwork.model.kube.Namespace;
import io.meshwork.model.meshwork.ApiKey;
import io.meshwork.model.meshwork.RateLimitPolicy;
import io.meshwork.model.networking.DestinationRule;
import io.meshwork.model.networking.Gateway;
import io.meshwork.model.networking.ServiceEntry;
import io.meshwork.model.networking.VirtualService;
import io.meshwork.model.networking.WorkloadEntry;
import io.meshwork.model.networking.WorkloadGroup;
import io.meshwork.model.security.AuthorizationPolicy;
import io.meshwork.model.security.PeerAuthentication;
import io.meshwork.model.security.RequestAuthentication;

/** The {@code spec} of a resource; one record per {@link Kind}. */
public sealed interface Spec
    permits ServiceEntry,
        WorkloadEntry,
        WorkloadGroup,
        VirtualService,
        DestinationRule,
        Gateway,
        AuthorizationPolicy,
        PeerAuthentication,
        RequestAuthentication,
        RateLimitPolicy,
        ApiKey,
        Namespace,
        IstioOperator,
        Component {}
