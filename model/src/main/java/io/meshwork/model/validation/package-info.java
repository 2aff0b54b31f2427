/** Istio's semantic rules for each kind, reported as field-path violations in one message format. */
package io.meshwork.model.validation;
