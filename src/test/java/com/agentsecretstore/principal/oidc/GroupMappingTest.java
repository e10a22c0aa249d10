package com.agentsecretstore.principal.oidc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.agentsecretstore.principal.Role;

class GroupMappingTest {

    private static final OidcSettings DEFAULTS = new OidcSettings() {
        public boolean enabled() {
            return true;
        }

        public String groupsClaim() {
            return "groups";
        }

        public String adminGroup() {
            return "ass-admins";
        }

        public String approverGroup() {
            return "ass-approvers";
        }

        public String namespaceGroupPrefix() {
            return "ass-ns-";
        }

        public boolean sessionCookieSecure() {
            return true;
        }
    };

    @Test
    void approverGroupMakesAnApproverWithTheNamespacesOfItsGroups() {
        GroupMapping.Grant grant = GroupMapping.of(List.of("ass-ns-staging", "ass-approvers", "ass-ns-production", "other"), DEFAULTS);
        assertEquals(Role.APPROVER, grant.role());
        assertEquals(List.of("production", "staging"), grant.namespaces());
    }

    @Test
    void adminGroupWinsOverApproverGroup() {
        assertEquals(Role.ADMIN, GroupMapping.of(List.of("ass-approvers", "ass-admins"), DEFAULTS).role());
    }

    @Test
    void groupPathsMatchOnTheirLastSegment() {
        GroupMapping.Grant grant = GroupMapping.of(List.of("/corp/ass-approvers", "/ass-ns-production", "/corp/teams/ass-ns-ops/"), DEFAULTS);
        assertEquals(Role.APPROVER, grant.role());
        assertEquals(List.of("ops", "production"), grant.namespaces());
    }

    @Test
    void noRoleGroupMeansNoRoleEvenWithNamespaces() {
        GroupMapping.Grant grant = GroupMapping.of(List.of("ass-ns-production", "ass-approvers-old", "xass-admins"), DEFAULTS);
        assertNull(grant.role());
    }

    @Test
    void groupNamesAreMatchedExactlyAndCaseSensitively() {
        assertNull(GroupMapping.of(List.of("ASS-ADMINS", "ass-admins-2", "ass-admin"), DEFAULTS).role());
    }

    @Test
    void namespaceGroupsThatAreNotValidNamespaceNamesAreIgnored() {
        GroupMapping.Grant grant = GroupMapping.of(List.of("ass-approvers", "ass-ns-", "ass-ns-..", "ass-ns-a b", "ass-ns-ok"), DEFAULTS);
        assertEquals(List.of("ok"), grant.namespaces());
    }
}
