package com.agentsecretstore.principal.oidc;

import java.util.Collection;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Pattern;

import com.agentsecretstore.principal.Role;

/**
 * What a person may do, read from the groups the identity provider puts in their token: the admin
 * group makes an admin, else the approver group an approver, else nothing (the person is refused);
 * every {@code <prefix>X} group grants namespace X. Group values may be paths
 * ({@code /corp/ass-approvers}): only the last segment counts. Names that are not valid namespace
 * names are ignored rather than trusted.
 */
public final class GroupMapping {

    private static final Pattern NAMESPACE = Pattern.compile("[A-Za-z0-9._-]{1,128}");
    /** The principal table's own limit on namespaces per principal. */
    static final int MAX_NAMESPACES = 100;

    private GroupMapping() {
    }

    /** A role (null when the person has neither group) and the sorted, distinct namespaces. */
    public record Grant(Role role, List<String> namespaces) {
    }

    public static Grant of(Collection<String> groups, OidcSettings settings) {
        boolean admin = false;
        boolean approver = false;
        TreeSet<String> namespaces = new TreeSet<>();
        String prefix = settings.namespaceGroupPrefix();
        for (String group : groups) {
            if (group == null) {
                continue;
            }
            String name = lastSegment(group);
            if (name.equals(settings.adminGroup())) {
                admin = true;
            } else if (name.equals(settings.approverGroup())) {
                approver = true;
            } else if (!prefix.isEmpty() && name.startsWith(prefix)) {
                String namespace = name.substring(prefix.length());
                if (NAMESPACE.matcher(namespace).matches() && !namespace.equals(".") && !namespace.equals("..")
                        && namespaces.size() < MAX_NAMESPACES) {
                    namespaces.add(namespace);
                }
            }
        }
        Role role = admin ? Role.ADMIN : approver ? Role.APPROVER : null;
        return new Grant(role, List.copyOf(namespaces));
    }

    static String lastSegment(String group) {
        String trimmed = group.trim();
        while (trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        int slash = trimmed.lastIndexOf('/');
        return slash < 0 ? trimmed : trimmed.substring(slash + 1);
    }
}
