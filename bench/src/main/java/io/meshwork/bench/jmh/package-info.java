/** JMH micro-benchmarks of data-plane building blocks, run with bench/scripts/jmh.sh. */
package io.meshwork.bench.jmh;
