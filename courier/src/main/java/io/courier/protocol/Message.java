package io.courier.protocol;

/**
 * One decoded message: a {@link Request} (or notification), a {@link Response}, a {@link SeedRequest} in the
 * tutorial's dialect, or an {@link InvalidMessage} that must be answered with an error.
 */
public sealed interface Message permits Request, Response, SeedRequest, InvalidMessage {}
