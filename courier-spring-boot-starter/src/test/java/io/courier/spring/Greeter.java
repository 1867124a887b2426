package io.courier.spring;

/** A second service, with a method name that {@link Calculator} does not use. */
public interface Greeter {

  String greet(String name);
}
