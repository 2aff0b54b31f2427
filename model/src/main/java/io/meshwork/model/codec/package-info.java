/** Reads and writes resources as YAML and JSON, with diagnostics located by file, line and field. */
package io.meshwork.model.codec;
