package com.agentsecretstore.access;

import java.util.List;
import java.util.Optional;

import com.agentsecretstore.principal.Role;

/**
 * The one rule of who may see and act on an approval request, as Java for a single caller and as
 * SQL for lists, the live feed, the webhook fan-out and mail recipients. Nothing else in the
 * service (or the dashboard) restates it: they call this class or splice in its SQL, and the
 * access matrix test holds both forms to the same answers.
 *
 * <ul>
 * <li><b>decide</b> (approve, deny): the principals the policy's {@code approvers} lists, whatever
 * their namespaces, when the list is non-empty; otherwise every approver whose namespaces include
 * the request's. Once the request has escalated (its SLA ladder), also the escalation approvers it
 * names. Never the requester. An admin only when listed or escalated to. Only approvers and admins decide.
 * <li><b>see</b>: whoever may decide, the requester, admins, and the approvers of the namespace.
 * <li><b>cancel</b>: the requester, admins, and every approver who may see the request.
 * <li><b>collect</b>: the requester only.
 * </ul>
 *
 * A token (see {@link #mayManageToken}) is seen and revoked by its holder and admins.
 *
 * Whether the request's state allows the action (open, not yet approved by this caller) is
 * {@code ApprovalRules}' business, not this class's.
 */
public final class AccessModel {

    private AccessModel() {
    }

    /** The principal asking, as far as the rule cares. */
    public record Who(String id, Role role, List<String> namespaces) {
        public Who {
            namespaces = namespaces == null ? List.of() : List.copyOf(namespaces);
        }

        boolean is(Role r) {
            return role == r;
        }
    }

    /**
     * The request, as far as the rule cares. {@code escalatedTo} are the escalation approvers of a
     * request that has escalated; empty before its escalation and for requests without one.
     */
    public record Target(String namespace, String requesterId, List<String> escalatedTo) {
        public Target {
            escalatedTo = escalatedTo == null ? List.of() : List.copyOf(escalatedTo);
        }

        /** A request that has not escalated. */
        public Target(String namespace, String requesterId) {
            this(namespace, requesterId, List.of());
        }
    }

    /** Empty when {@code who} may take {@code action} on the request, else why not. */
    public static Optional<Refusal> check(Action action, Who who, Target target, Designation designation) {
        if (!maySee(who, target, designation)) {
            return Optional.of(Refusal.NOT_VISIBLE);
        }
        boolean requester = who.id().equals(target.requesterId());
        return switch (action) {
            case SEE -> Optional.empty();
            case APPROVE, DENY -> requester ? Optional.of(Refusal.REQUESTER_MAY_NOT_DECIDE)
                    : mayDecide(who, target, designation) ? Optional.empty() : Optional.of(Refusal.NOT_DESIGNATED);
            case CANCEL -> requester || who.is(Role.ADMIN) || who.is(Role.APPROVER) ? Optional.empty()
                    : Optional.of(Refusal.MAY_NOT_CANCEL);
            case COLLECT -> requester ? Optional.empty() : Optional.of(Refusal.NOT_REQUESTER);
        };
    }

    public static boolean allows(Action action, Who who, Target target, Designation designation) {
        return check(action, who, target, designation).isEmpty();
    }

    static boolean maySee(Who who, Target target, Designation designation) {
        return who.is(Role.ADMIN) || who.id().equals(target.requesterId())
                || (who.is(Role.APPROVER) && (member(who, target) || designation.names(who.id())))
                || mayDecide(who, target, designation);
    }

    static boolean mayDecide(Who who, Target target, Designation designation) {
        if (who.id().equals(target.requesterId()) || !(who.is(Role.APPROVER) || who.is(Role.ADMIN))) {
            return false;
        }
        if (target.escalatedTo().contains(who.id())) {
            return true;
        }
        return designation.listed() ? designation.names(who.id()) : who.is(Role.APPROVER) && member(who, target);
    }

    private static boolean member(Who who, Target target) {
        return who.namespaces().contains(target.namespace());
    }

    /**
     * Who may see a token's metadata (remaining uses included) and revoke it: its holder and
     * admins. Anyone else is told it does not exist.
     */
    public static boolean mayManageToken(Who who, String holderId) {
        return who.is(Role.ADMIN) || who.id().equals(holderId);
    }

    /** Admins read every policy; approvers the policies of their namespaces and those that name them. */
    public static boolean mayReadPolicy(Who who, String namespace, Designation designation) {
        return who.is(Role.ADMIN) || (who.is(Role.APPROVER) && (who.namespaces().contains(namespace) || designation.names(who.id())));
    }

    // --- The same rule in SQL ---------------------------------------------------------------------
    //
    // Each fragment is a boolean expression over a principal row (alias p, an enabled principal) and
    // a request's namespace, requester and id (any SQL expressions: columns, $n or :name parameters;
    // an id matching no request, such as '', means one that has not escalated).
    // The policy's approvers are read from namespace_policy.document, the JSON the admin PUT; the
    // escalation approvers from the request's row, once its escalated_at is set.

    /** Whether the principal row {@code p} may see request {@code request} of namespace {@code ns} by {@code requester}. */
    public static String seeSql(String p, String ns, String requester, String request) {
        return "(" + p + ".disabled = false and (" + p + ".role = 'admin' or " + p + ".id = " + requester
                + " or (" + p + ".role = 'approver' and (" + ns + " = any(" + p + ".namespaces) or " + namedSql(p, ns)
                + " or " + escalatedToSql(p, request) + "))))";
    }

    /** Whether the principal row {@code p} may approve or deny request {@code request} of namespace {@code ns} by {@code requester}. */
    public static String decideSql(String p, String ns, String requester, String request) {
        return "(" + p + ".disabled = false and " + p + ".id <> " + requester + " and " + p + ".role in ('approver', 'admin') and "
                + "(" + escalatedToSql(p, request) + " or case when exists (select 1 from namespace_policy lp where lp.namespace = " + ns
                + " and jsonb_typeof(cast(lp.document as jsonb) -> 'approvers') = 'array'"
                + " and jsonb_array_length(cast(lp.document as jsonb) -> 'approvers') > 0)"
                + " then " + namedSql(p, ns) + " else " + p + ".role = 'approver' and " + ns + " = any(" + p + ".namespaces) end))";
    }

    /** Whether the principal row {@code p} may see the request in {@code r} (an approval_request alias). */
    public static String seeRequestSql(String p, String r) {
        return seeSql(p, r + ".namespace", r + ".requester_id", r + ".id");
    }

    /** The namespaces whose policy lists principal {@code principalId} (a parameter) as an approver. */
    public static String namespacesListingSql(String principalId) {
        return "select np.namespace from namespace_policy np where (cast(np.document as jsonb) -> 'approvers') @> jsonb_build_array(cast("
                + principalId + " as text))";
    }

    /** The requests that have escalated to principal {@code principalId} (a parameter). */
    public static String requestsEscalatedToSql(String principalId) {
        return "select er.id from approval_request er where er.escalated_at is not null and er.escalation_approvers @> array[cast("
                + principalId + " as text)]";
    }

    /** Whether request {@code request} has escalated to the principal row {@code p}. */
    private static String escalatedToSql(String p, String request) {
        return "exists (select 1 from approval_request er where er.id = " + request
                + " and er.escalated_at is not null and " + p + ".id = any(er.escalation_approvers))";
    }

    private static String namedSql(String p, String ns) {
        return "exists (select 1 from namespace_policy np where np.namespace = " + ns
                + " and (cast(np.document as jsonb) -> 'approvers') @> jsonb_build_array(" + p + ".id))";
    }
}
