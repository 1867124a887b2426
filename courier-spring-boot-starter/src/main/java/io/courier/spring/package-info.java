/**
 * Courier in a Spring Boot application: a server of the beans annotated {@link io.courier.spring.CourierService},
 * clients injected with {@link io.courier.spring.CourierClient}, both configured by
 * {@link io.courier.spring.CourierProperties} ({@code courier.*}), with metrics, tracing and health when their
 * libraries are present.
 */
package io.courier.spring;
