package io.courier.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.transport.ProtocolDetector.Verdict;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ProtocolDetectorTest {

  private static Verdict classify(String first) {
    ByteBuf in = Unpooled.copiedBuffer(first, StandardCharsets.ISO_8859_1);
    try {
      return ProtocolDetector.classify(in);
    } finally {
      in.release();
    }
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', value = {
      "POST /rpc HTTP/1.1|HTTP",
      "GET /ws HTTP/1.1|HTTP",
      "'OPTIONS '|HTTP",
      "{\"jsonrpc\"|RAW",
      "[1,2]|RAW",
      "\"str\"|RAW",
      "-1|RAW",
      "42|RAW",
      "null|RAW",
      "true|RAW",
      "Content-Length: 5|RAW",
      "content-type: x|RAW",
      "CONTENT-LENGTH|RAW",
      "hello wo|UNKNOWN",
      "GETX /|UNKNOWN",
      "post /rpc|UNKNOWN",
  })
  void firstBytesChooseTheProtocol(String first, Verdict expected) {
    assertThat(classify(first)).isEqualTo(expected);
  }

  @Test
  void tlsHandshakeRecordIsRecognisedFromItsFirstByte() {
    assertThat(classify("\u0016\u0003\u0001")).isEqualTo(Verdict.TLS);
  }

  @Test
  void controlBytesAreNoKnownProtocol() {
    assertThat(classify("\u0001\u0002")).isEqualTo(Verdict.UNKNOWN);
    assertThat(classify("\u0000")).isEqualTo(Verdict.UNKNOWN);
  }

  @Test
  void leadingWhitespaceIsRawJson() {
    assertThat(classify("  \n")).isEqualTo(Verdict.RAW);
  }

  @Test
  void prefixesWaitForMoreBytesUpToTheBudget() {
    assertThat(classify("")).isEqualTo(Verdict.NEED_MORE);
    assertThat(classify("PO")).isEqualTo(Verdict.NEED_MORE);
    assertThat(classify("Cont")).isEqualTo(Verdict.NEED_MORE);
    assertThat(classify("nu")).isEqualTo(Verdict.NEED_MORE);
    // Eight bytes that are still only a prefix of nothing known end the wait.
    assertThat(classify("CONNECTX")).isEqualTo(Verdict.UNKNOWN);
  }
}
