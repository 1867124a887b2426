package io.courier.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.grpc.MethodDescriptor.MethodType;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;

/**
 * The gRPC side's messages and hand-written method descriptors (no protoc), with two ways to put the messages
 * on the wire: JSON through Jackson, the same work as JSON-RPC ({@code {"a":1,"b":2}} answered by
 * {@code {"value":3}}, {@code {"s":"..."}} by {@code {"value":"..."}}), or a compact binary form (two ints as 8
 * bytes, an int as 4, strings as their UTF-8 bytes). The server-streaming {@code Ticks} takes an empty request
 * ({@code {}} in JSON, no bytes in binary) and streams ints, each as its JSON number or its 4 bytes. Immutable
 * and thread-safe.
 */
final class GrpcCodecs {

  static final String SERVICE = "courier.bench.Bench";

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private GrpcCodecs() {}

  /** The request of {@code add}. */
  record AddRequest(int a, int b) {}

  /** The reply of {@code add}. */
  record AddReply(int value) {}

  /** The request of {@code echo}. */
  record EchoRequest(String s) {}

  /** The reply of {@code echo}. */
  record EchoReply(String value) {}

  /** The request of {@code Ticks}, which has no fields. */
  enum TicksRequest {
    INSTANCE
  }

  /** How messages are encoded. */
  enum Codec {
    JSON, BINARY
  }

  /** The two unary methods of the service and the server-streaming one, for one codec. */
  record Methods(MethodDescriptor<AddRequest, AddReply> add, MethodDescriptor<EchoRequest, EchoReply> echo,
      MethodDescriptor<TicksRequest, Integer> ticks) {

    static Methods of(Codec codec) {
      return codec == Codec.JSON
          ? new Methods(unary("Add", json(AddRequest.class), json(AddReply.class)),
              unary("Echo", json(EchoRequest.class), json(EchoReply.class)),
              method(MethodType.SERVER_STREAMING, "Ticks", ticksRequest(new byte[] {'{', '}'}), json(Integer.class)))
          : new Methods(unary("Add", binaryAddRequest(), binaryAddReply()),
              unary("Echo", utf8(EchoRequest::new, EchoRequest::s), utf8(EchoReply::new, EchoReply::value)),
              method(MethodType.SERVER_STREAMING, "Ticks", ticksRequest(new byte[0]), binaryInt()));
    }
  }

  private static <Q, R> MethodDescriptor<Q, R> unary(String name, MethodDescriptor.Marshaller<Q> request,
      MethodDescriptor.Marshaller<R> reply) {
    return method(MethodType.UNARY, name, request, reply);
  }

  private static <Q, R> MethodDescriptor<Q, R> method(MethodType type, String name,
      MethodDescriptor.Marshaller<Q> request, MethodDescriptor.Marshaller<R> reply) {
    return MethodDescriptor.<Q, R>newBuilder()
        .setType(type)
        .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, name))
        .setRequestMarshaller(request)
        .setResponseMarshaller(reply)
        .build();
  }

  static <T> MethodDescriptor.Marshaller<T> json(Class<T> type) {
    return new MethodDescriptor.Marshaller<>() {
      @Override
      public InputStream stream(T value) {
        try {
          return new Bytes(MAPPER.writeValueAsBytes(value));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }

      @Override
      public T parse(InputStream in) {
        try {
          return MAPPER.readValue(in, type);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    };
  }

  static MethodDescriptor.Marshaller<AddRequest> binaryAddRequest() {
    return new MethodDescriptor.Marshaller<>() {
      @Override
      public InputStream stream(AddRequest value) {
        return new Bytes(ByteBuffer.allocate(8).putInt(value.a()).putInt(value.b()).array());
      }

      @Override
      public AddRequest parse(InputStream in) {
        ByteBuffer b = ByteBuffer.wrap(readAll(in));
        return new AddRequest(b.getInt(), b.getInt());
      }
    };
  }

  static MethodDescriptor.Marshaller<AddReply> binaryAddReply() {
    return new MethodDescriptor.Marshaller<>() {
      @Override
      public InputStream stream(AddReply value) {
        return new Bytes(ByteBuffer.allocate(4).putInt(value.value()).array());
      }

      @Override
      public AddReply parse(InputStream in) {
        return new AddReply(ByteBuffer.wrap(readAll(in)).getInt());
      }
    };
  }

  /** The empty request, always written as {@code bytes}; what is read is not looked at. */
  static MethodDescriptor.Marshaller<TicksRequest> ticksRequest(byte[] bytes) {
    return new MethodDescriptor.Marshaller<>() {
      @Override
      public InputStream stream(TicksRequest value) {
        return new Bytes(bytes);
      }

      @Override
      public TicksRequest parse(InputStream in) {
        readAll(in);
        return TicksRequest.INSTANCE;
      }
    };
  }

  static MethodDescriptor.Marshaller<Integer> binaryInt() {
    return new MethodDescriptor.Marshaller<>() {
      @Override
      public InputStream stream(Integer value) {
        return new Bytes(ByteBuffer.allocate(4).putInt(value).array());
      }

      @Override
      public Integer parse(InputStream in) {
        return ByteBuffer.wrap(readAll(in)).getInt();
      }
    };
  }

  static <T> MethodDescriptor.Marshaller<T> utf8(Function<String, T> wrap, Function<T, String> unwrap) {
    return new MethodDescriptor.Marshaller<>() {
      @Override
      public InputStream stream(T value) {
        return new Bytes(unwrap.apply(value).getBytes(StandardCharsets.UTF_8));
      }

      @Override
      public T parse(InputStream in) {
        return wrap.apply(new String(readAll(in), StandardCharsets.UTF_8));
      }
    };
  }

  private static byte[] readAll(InputStream in) {
    try {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Bytes whose length gRPC can read up front, which spares it a copy. */
  private static final class Bytes extends ByteArrayInputStream implements KnownLength {
    Bytes(byte[] bytes) {
      super(bytes);
    }
  }
}
