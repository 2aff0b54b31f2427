package io.meshwork.model.networking;

import io.meshwork.model.Spec;

/**
 * Istio WorkloadGroup: a template from which registering workloads get their WorkloadEntry.
 *
 * @param metadata labels and annotations for the created entries, or null
 * @param template the entry's fields except address, or null
 * @param probe how to check an instance's readiness, or null
 */
public record WorkloadGroup(ObjectMetaTemplate metadata, WorkloadEntry template, ReadinessProbe probe)
    implements Spec {}
