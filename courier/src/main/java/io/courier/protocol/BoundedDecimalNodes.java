package io.courier.protocol;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ValueNode;
import java.math.BigDecimal;

/**
 * Builds the tree of a message's values, refusing a decimal whose scale is beyond a bound. A decimal's text is
 * short ({@code 1e100000000} is 11 characters, within any length limit) but its scale is what arithmetic and
 * plain-notation writing pay for: adding 1 to it builds a hundred-million-digit number. Checking here, where
 * Jackson turns each decimal token into a node, costs nothing for messages without decimals and refuses the
 * number before any method sees it, whatever type it would have been bound to.
 */
final class BoundedDecimalNodes extends JsonNodeFactory {

  private static final long serialVersionUID = 1L;

  private final int maxScale;

  BoundedDecimalNodes(int maxScale) {
    this.maxScale = maxScale;
  }

  @Override
  public ValueNode numberNode(BigDecimal value) {
    if (value != null && Math.abs((long) value.scale()) > maxScale) {
      throw new NumberScaleException(maxScale);
    }
    return super.numberNode(value);
  }

  /** A decimal beyond the bound; the codec turns it into an error for the message that held it. */
  static final class NumberScaleException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NumberScaleException(int maxScale) {
      super("a number's scale is beyond ±" + maxScale, null, false, false);
    }
  }
}
