/** Turns the result lines of a proxy benchmark run into the Markdown table published in docs/benchmarks.md. */
package io.meshwork.bench.report;
