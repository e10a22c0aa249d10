package com.agentsecretstore.policy;

import java.util.ArrayList;
import java.util.List;

import com.agentsecretstore.policy.PolicyApi.OverrideBody;
import com.agentsecretstore.policy.PolicyApi.PolicyBody;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Converts between the policy's JSON body and the domain {@link NamespacePolicy}. */
final class PolicyDocuments {

    private PolicyDocuments() {
    }

    static NamespacePolicy toPolicy(String namespace, PolicyBody body) {
        List<PathOverride> overrides = new ArrayList<>();
        if (body.pathOverrides() != null) {
            for (OverrideBody o : body.pathOverrides()) {
                overrides.add(o == null ? null
                        : new PathOverride(o.pattern(), Tier.fromWire(o.tier()), o.requiredApprovals(), o.approvalDelaySeconds(),
                                new Sla(o.remindAfterSeconds(), o.escalateAfterSeconds(), o.escalationApprovers())));
            }
        }
        return new NamespacePolicy(namespace, Tier.fromWire(body.defaultTier()), overrides, body.requestTtlSeconds(),
                body.approvers(), new Sla(body.remindAfterSeconds(), body.escalateAfterSeconds(), body.escalationApprovers()));
    }

    static PolicyBody toBody(NamespacePolicy policy) {
        Sla sla = policy.sla();
        return new PolicyBody(policy.defaultTier().wire(),
                policy.pathOverrides().stream().map(o -> new OverrideBody(o.pattern(), o.tier().wire(),
                        o.effectiveApprovals(), o.effectiveDelaySeconds(), o.sla().remindAfterSeconds(),
                        o.sla().escalateAfterSeconds(), o.sla().escalationApprovers())).toList(),
                policy.effectiveRequestTtlSeconds(), policy.approvers(), sla.remindAfterSeconds(), sla.escalateAfterSeconds(),
                sla.escalationApprovers());
    }

    static String write(ObjectMapper json, NamespacePolicy policy) {
        try {
            return json.writeValueAsString(toBody(policy));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("policy not serializable", e);
        }
    }

    static NamespacePolicy read(ObjectMapper json, String namespace, String document) {
        try {
            return toPolicy(namespace, json.readValue(document, PolicyBody.class)).requireValid();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored policy of " + namespace + " is not JSON", e);
        }
    }
}
