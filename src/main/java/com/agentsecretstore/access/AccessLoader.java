package com.agentsecretstore.access;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import com.agentsecretstore.access.AccessModel.Target;
import com.agentsecretstore.access.AccessModel.Who;
import com.agentsecretstore.policy.AccessDecider;
import com.agentsecretstore.principal.Caller;

import io.smallrye.mutiny.Uni;

/**
 * Reads what {@link AccessModel} needs besides the caller and the request: the governing policy's
 * {@code approvers}. Runs in the caller's Hibernate session, so a decision and what follows it see
 * the same policy.
 */
@ApplicationScoped
public class AccessLoader {

    private final AccessDecider decider;

    public AccessLoader(AccessDecider decider) {
        this.decider = decider;
    }

    public static Who who(Caller caller) {
        return new Who(caller.id(), caller.role(), caller.namespaces());
    }

    public Uni<Designation> designation(String namespace) {
        return decider.policy(namespace).map(p -> new Designation(p.approvers()));
    }

    /** The designation of each namespace, read one after another (a session runs one query at a time). */
    public Uni<Map<String, Designation>> designations(Collection<String> namespaces) {
        Uni<Map<String, Designation>> all = Uni.createFrom().item(new LinkedHashMap<>());
        for (String ns : namespaces.stream().distinct().toList()) {
            all = all.flatMap(map -> designation(ns).map(d -> {
                map.put(ns, d);
                return map;
            }));
        }
        return all;
    }

    /** Throws the model's refusal unless {@code caller} may take {@code action} on the request. */
    public Uni<Designation> require(Action action, Caller caller, Target target) {
        return designation(target.namespace()).invoke(d -> AccessModel.check(action, who(caller), target, d).ifPresent(r -> {
            throw new AccessException(r);
        }));
    }
}
