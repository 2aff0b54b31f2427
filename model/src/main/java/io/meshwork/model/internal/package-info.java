/** Helpers private to the model module: defensive copies that keep document order. */
package io.meshwork.model.internal;
