/** Fuzz targets for the resource codec; their seed corpora run as regression tests in every build. */
package io.meshwork.model.fuzz;
