/** HTTP/1.1 load generation: an open-loop fixed-rate mode that corrects coordinated omission, and a closed-loop saturation mode. */
package io.meshwork.bench.load;
