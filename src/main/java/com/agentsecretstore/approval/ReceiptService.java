package com.agentsecretstore.approval;

import java.util.Base64;

import jakarta.enterprise.context.ApplicationScoped;

import com.agentsecretstore.access.AccessLoader;
import com.agentsecretstore.access.AccessModel.Target;
import com.agentsecretstore.access.Action;
import com.agentsecretstore.approval.ReceiptApi.ReceiptView;
import com.agentsecretstore.common.ApiException;
import com.agentsecretstore.common.Transactions;
import com.agentsecretstore.principal.Caller;

import io.smallrye.mutiny.Uni;

/**
 * Serves decision receipts to whoever may see the request (the access model's {@link Action#SEE}),
 * judged from the namespace and requester kept on the receipt, so that the answer stays the same
 * once the request itself is gone.
 */
@ApplicationScoped
public class ReceiptService {

    private final ReceiptStore receipts;
    private final ApprovalStore requests;
    private final AccessLoader access;

    public ReceiptService(ReceiptStore receipts, ApprovalStore requests, AccessLoader access) {
        this.receipts = receipts;
        this.requests = requests;
        this.access = access;
    }

    public Uni<ReceiptView> get(Caller caller, String requestId) {
        return Transactions.read(() -> receipts.find(requestId).flatMap(receipt -> {
            if (receipt != null) {
                // The request's escalation approvers saw it; so they see its receipt while the request row exists.
                return requests.find(requestId)
                        .map(r -> r == null ? new Target(receipt.namespace, receipt.requesterId) : ApprovalStore.target(r))
                        .flatMap(target -> access.require(Action.SEE, caller, target)).map(allowed -> view(receipt));
            }
            // No receipt: say whether the request is still open, to those who may see it.
            return requests.find(requestId).flatMap(r -> {
                if (r == null) {
                    throw ApiException.notFound("No such approval request.");
                }
                return access.require(Action.SEE, caller, ApprovalStore.target(r)).map(allowed -> {
                    throw ApiException.notFound("The request is " + r.status.wire() + ": it has no receipt until it ends.");
                });
            });
        }));
    }

    private static ReceiptView view(ApprovalReceipt r) {
        return new ReceiptView(r.requestId, "Ed25519", r.keyId, Base64.getEncoder().encodeToString(r.signature), r.payload);
    }
}
