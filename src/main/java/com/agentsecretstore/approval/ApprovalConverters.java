package com.agentsecretstore.approval;

import jakarta.persistence.Converter;

import com.agentsecretstore.common.WireConverter;
import com.agentsecretstore.policy.TrustTier;
import com.agentsecretstore.policy.moltbotden.TrustSource;

/** The code columns of the approval entities (their tier: {@link com.agentsecretstore.policy.TierConverter}). */
public final class ApprovalConverters {

    private ApprovalConverters() {
    }

    @Converter
    public static final class Status extends WireConverter<ApprovalStatus> {
        public Status() {
            super(ApprovalStatus.class, ApprovalStatus::wire);
        }
    }

    @Converter
    public static final class Kind extends WireConverter<DecisionKind> {
        public Kind() {
            super(DecisionKind.class, DecisionKind::wire);
        }
    }

    @Converter
    public static final class Outcome extends WireConverter<ReceiptOutcome> {
        public Outcome() {
            super(ReceiptOutcome.class, ReceiptOutcome::wire);
        }
    }

    @Converter
    public static final class Trust extends WireConverter<TrustTier> {
        public Trust() {
            super(TrustTier.class, TrustTier::wire);
        }
    }

    @Converter
    public static final class Source extends WireConverter<TrustSource> {
        public Source() {
            super(TrustSource.class, TrustSource::wire);
        }
    }
}
