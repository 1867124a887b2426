/**
 * Metrics of Courier servers and clients on Micrometer: {@link io.courier.micrometer.CourierMetrics} is an event
 * listener that records calls, connections and refused messages as meters named after OpenTelemetry's RPC
 * semantic conventions, and {@link io.courier.micrometer.PrometheusEndpoint} serves a Prometheus registry at a
 * path of a server's HTTP port, such as {@code GET /metrics}. The core does not depend on this module; add it, and a
 * listener, to get metrics.
 */
package io.courier.micrometer;
