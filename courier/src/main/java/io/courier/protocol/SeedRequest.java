package io.courier.protocol;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A call in the tutorial's dialect: {@code {"method_name": ..., "method_args": [...], "method_kwargs": {...}}},
 * answered with {@code {"res": ...}}.
 *
 * @param method the {@code method_name}
 * @param args the positional arguments ({@code method_args}; empty when absent)
 * @param kwargs the keyword arguments ({@code method_kwargs}; empty when absent)
 */
public record SeedRequest(String method, ArrayNode args, ObjectNode kwargs) implements Message {

  public SeedRequest {
    requireNonNull(method, "method");
    requireNonNull(args, "args");
    requireNonNull(kwargs, "kwargs");
  }
}
