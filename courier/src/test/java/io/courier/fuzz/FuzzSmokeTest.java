package io.courier.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.fuzz.RequestCorpus.WireFraming;
import io.courier.protocol.CourierJson;
import io.courier.protocol.InvalidMessage;
import io.courier.testing.NettyLeakCheck;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * T08 (RELIABILITY.md section 3): a seeded mutational fuzz of the inbound pipeline, small enough to run in every
 * build. About 200 generated valid messages, laid out in each framing, are mutated ({@link Mutator}) into more
 * than 20 000 inputs, each fed to {@link DecoderPipeline} in random chunks, which checks every property listed
 * there. The seed is fixed, so a failure reproduces; {@code -Dcourier.fuzz.seed=N} and
 * {@code -Dcourier.fuzz.inputs=N} explore further without changing the code.
 */
@ExtendWith(NettyLeakCheck.class)
class FuzzSmokeTest {

  private static final Logger log = LoggerFactory.getLogger(FuzzSmokeTest.class);

  private static final long SEED = Long.getLong("courier.fuzz.seed", 0x5eed_c0de_2026L);
  private static final int INPUTS_PER_FRAMING = Integer.getInteger("courier.fuzz.inputs", 24_000) / 3;
  /** A small limit as well as the default, so that mutations also reach the "too large" paths. */
  private static final int SMALL_MAX = 192;
  private static final int MAX_REPORTED = 10;

  @Test
  void validCorpusDecodesWithoutErrors() {
    RequestCorpus corpus = new RequestCorpus(SEED);
    List<String> messages = corpus.messages(200);
    DecoderPipeline pipeline = new DecoderPipeline(CourierJson.DEFAULT_MAX_MESSAGE_BYTES);
    for (WireFraming framing : WireFraming.values()) {
      for (int i = 0; i < messages.size(); i += 4) {
        List<String> group = messages.subList(i, Math.min(messages.size(), i + 4));
        byte[] wire = corpus.wire(framing, group);
        DecoderPipeline.Outcome outcome = pipeline.check(wire, new int[] {1 + i % 13, 7, 1, 64});
        assertThat(outcome.frameError()).as("%s: %s", framing, group).isNull();
        assertThat(outcome.frames()).as("%s: %s", framing, group).hasSize(group.size());
        assertThat(outcome.decoded())
            .flatMap(d -> d.messages())
            .as("%s: %s", framing, group)
            .noneMatch(m -> m instanceof InvalidMessage);
      }
    }
  }

  /** Groups violations: by exception type and the Courier frame it escaped from, else by the broken property. */
  static String key(DecoderPipeline.PropertyViolation e) {
    Throwable cause = e.getCause();
    if (cause == null) {
      return e.getMessage().replaceAll(" \\[max=.*", "");
    }
    for (StackTraceElement frame : cause.getStackTrace()) {
      if (frame.getClassName().startsWith("io.courier.") && !frame.getClassName().startsWith("io.courier.fuzz.")) {
        return cause.getClass().getName() + " escaped from " + frame;
      }
    }
    return cause.getClass().getName() + " escaped";
  }

  @Test
  @Timeout(60) // the budget is 30 s on 2 cores; this only stops a hang
  void mutatedInputsGetSpecErrorsAndNeverCrash() {
    long started = System.nanoTime();
    Random random = new Random(SEED);
    RequestCorpus corpus = new RequestCorpus(SEED);
    List<String> messages = corpus.messages(200);
    Mutator mutator = new Mutator(random);
    DecoderPipeline large = new DecoderPipeline(CourierJson.DEFAULT_MAX_MESSAGE_BYTES);
    DecoderPipeline small = new DecoderPipeline(SMALL_MAX);

    Map<WireFraming, List<byte[]>> seeds = new EnumMap<>(WireFraming.class);
    for (WireFraming framing : WireFraming.values()) {
      List<byte[]> wires = new ArrayList<>();
      for (int i = 0; i < messages.size(); i++) {
        int n = 1 + random.nextInt(3);
        List<String> group = new ArrayList<>();
        for (int j = 0; j < n; j++) {
          group.add(messages.get((i + j * 67) % messages.size()));
        }
        wires.add(corpus.wire(framing, group));
      }
      seeds.put(framing, wires);
    }

    Map<String, Integer> crashes = new LinkedHashMap<>();
    int crashCount = 0;
    for (WireFraming framing : WireFraming.values()) {
      List<byte[]> wires = seeds.get(framing);
      for (int i = 0; i < INPUTS_PER_FRAMING; i++) {
        byte[] base = wires.get(random.nextInt(wires.size()));
        // Mostly splice within the framing, sometimes across framings.
        List<byte[]> partners = random.nextInt(8) == 0
            ? seeds.get(WireFraming.values()[random.nextInt(WireFraming.values().length)]) : wires;
        byte[] input = mutator.mutate(base, partners.get(random.nextInt(partners.size())));
        int[] chunks = mutator.chunking(input.length);
        DecoderPipeline pipeline = random.nextInt(4) == 0 ? small : large;
        try {
          pipeline.check(input, chunks);
        } catch (DecoderPipeline.PropertyViolation e) {
          crashCount++;
          String key = key(e);
          if (crashes.size() < MAX_REPORTED && !crashes.containsKey(key)) {
            log.error("T08 property violation ({}): {}", framing, e.getMessage(), e.getCause());
          }
          crashes.merge(key, 1, Integer::sum);
        }
      }
    }

    long millis = (System.nanoTime() - started) / 1_000_000;
    long inputs = large.inputs() + small.inputs();
    Map<String, Long> outcomes = new java.util.TreeMap<>(large.outcomes());
    small.outcomes().forEach((k, v) -> outcomes.merge(k, v, Long::sum));
    java.util.Set<String> codes = new java.util.TreeSet<>(large.errorCodes());
    codes.addAll(small.errorCodes());
    log.info("T08 fuzz smoke: seed={} inputs={} frames={} messages={} frameErrors={} distinctErrorCodes={} "
            + "crashes={} in {} ms; outcomes={}",
        Long.toHexString(SEED), inputs, large.frames() + small.frames(), large.messages() + small.messages(),
        large.frameErrors() + small.frameErrors(), codes, crashCount, millis, outcomes);

    assertThat(crashes).as("property violations (message -> count); see the log for inputs").isEmpty();
    assertThat(inputs).isGreaterThanOrEqualTo(INPUTS_PER_FRAMING * 3L);
    // The mutations must actually reach the error paths, or the test proves little.
    assertThat(codes).contains("-32700", "-32600");
    assertThat(outcomes).containsKeys("frame error TOO_LARGE", "frame error BAD_HEADER", "request",
        "notification", "seed request");
  }
}
