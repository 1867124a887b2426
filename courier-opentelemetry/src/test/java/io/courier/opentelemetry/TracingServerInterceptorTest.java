package io.courier.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.RequestId;
import org.junit.jupiter.api.Test;

class TracingServerInterceptorTest {

  @Test
  void numericIdsAreRecordedAsTheirJsonText() {
    assertThat(TracingServerInterceptor.requestId(RequestId.of(42))).isEqualTo("42");
  }

  @Test
  void stringIdsAreRecordedWithoutQuotesOrEscapes() {
    assertThat(TracingServerInterceptor.requestId(RequestId.of("req-7"))).isEqualTo("req-7");
    assertThat(TracingServerInterceptor.requestId(RequestId.of("a \"quoted\" id"))).isEqualTo("a \"quoted\" id");
  }

  @Test
  void notificationsAndTheNullIdAreNotRecorded() {
    assertThat(TracingServerInterceptor.requestId(null)).isNull();
    assertThat(TracingServerInterceptor.requestId(RequestId.NULL)).isNull();
  }
}
