package com.agentsecretstore.approval;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;

/**
 * Owns table {@code approval_receipt}: every read and write of its rows ({@link ApprovalReceipt}),
 * within the session or transaction the calling service opened.
 */
@ApplicationScoped
public class ReceiptStore {

    /** Inserts the receipt of a request that just ended. */
    public Uni<Void> insert(ApprovalReceipt receipt) {
        return receipt.persist().replaceWithVoid();
    }

    /** The receipt of the request, or null while it has none. */
    public Uni<ApprovalReceipt> find(String requestId) {
        return ApprovalReceipt.findById(requestId);
    }
}
