package com.agentsecretstore.crypto;

/**
 * A sealed value could not be opened, rewrapped or sealed. The message names the path, version and
 * master key id only; it never carries key, ciphertext or plaintext bytes. Whether the tag, the
 * format or the length was wrong is left to the cause, for the log: callers must treat every
 * failure the same way.
 */
public class BarrierException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public BarrierException(String message) {
        super(message);
    }

    public BarrierException(String message, Throwable cause) {
        super(message, cause);
    }
}
