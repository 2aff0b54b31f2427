/** Resource envelope shared by every kind: kinds, metadata, diagnostics and parse results. */
package io.meshwork.model;
