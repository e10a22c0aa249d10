package com.agentsecretstore.passkey;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import com.agentsecretstore.audit.AuditAction;
import com.agentsecretstore.audit.AuditEvent;
import com.agentsecretstore.audit.AuditLog;
import com.agentsecretstore.common.ApiException;
import com.agentsecretstore.common.Ids;
import com.agentsecretstore.common.ProblemType;
import com.agentsecretstore.common.Transactions;
import com.agentsecretstore.passkey.PasskeyApi.Assertion;
import com.agentsecretstore.passkey.PasskeyApi.AuthenticatorSelection;
import com.agentsecretstore.passkey.PasskeyApi.CredentialDescriptor;
import com.agentsecretstore.passkey.PasskeyApi.CredentialParameter;
import com.agentsecretstore.passkey.PasskeyApi.PasskeyView;
import com.agentsecretstore.passkey.PasskeyApi.RegisterBody;
import com.agentsecretstore.passkey.PasskeyApi.RegistrationOptions;
import com.agentsecretstore.passkey.PasskeyApi.RelyingParty;
import com.agentsecretstore.passkey.PasskeyApi.StepUpOptions;
import com.agentsecretstore.passkey.PasskeyApi.User;
import com.agentsecretstore.passkey.PasskeyStore.Purpose;
import com.agentsecretstore.passkey.StepUpResult.Verdict;
import com.agentsecretstore.principal.Caller;
import com.agentsecretstore.principal.Role;

import io.smallrye.mutiny.Uni;

/**
 * Passkeys of principals and their challenges: registering, listing and removing passkeys, and
 * the step-up ceremony of an approval. Every challenge is random, stored hashed, bound to its
 * principal and purpose (a step-up also to its approval request), short-lived and consumed by
 * the one use that presents it, whether that use then verifies or not.
 */
@ApplicationScoped
public class PasskeyService {

    static final int MAX_LABEL = 100;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private final PasskeyStore store;
    private final WebAuthn webAuthn;
    private final StepUpConfig config;
    private final AuditLog audit;
    private final Clock clock;

    public PasskeyService(PasskeyStore store, WebAuthn webAuthn, StepUpConfig config, AuditLog audit, Clock clock) {
        this.store = store;
        this.webAuthn = webAuthn;
        this.config = config;
        this.audit = audit;
        this.clock = clock;
    }

    /** Options to create a passkey. Only people decide approvals, so agents register none. */
    public Uni<RegistrationOptions> registrationOptions(Caller caller) {
        requireHuman(caller);
        byte[] challenge = challenge();
        Instant now = clock.instant();
        Instant expires = now.plus(config.challengeTtl());
        return Transactions.run(() -> store.credentials(caller.id()).call(() -> store.saveChallenge(WebAuthn.hash(challenge),
                caller.id(), Purpose.REGISTER, null, expires, now)))
                .map(existing -> new RegistrationOptions(B64.encodeToString(challenge),
                        new RelyingParty(webAuthn.rpId(), "Agent Secret Store"),
                        new User(B64.encodeToString(WebAuthn.userHandle(caller.id())), caller.name(), caller.name()),
                        WebAuthn.ALGORITHMS.stream().map(a -> new CredentialParameter("public-key", (int) a.getValue())).toList(),
                        config.challengeTtl().toMillis(), descriptors(existing),
                        new AuthenticatorSelection("preferred", "required"), "none", expires));
    }

    /** Stores a passkey whose registration answers a challenge issued to this caller. */
    public Uni<PasskeyView> register(Caller caller, RegisterBody body) {
        requireHuman(caller);
        if (body == null) {
            throw ApiException.invalid("client_data_json", "is required");
        }
        String label = label(body.label());
        byte[] clientData = decode("client_data_json", body.clientDataJson());
        byte[] attestation = decode("attestation_object", body.attestationObject());
        Set<String> transports = body.transports() == null ? Set.of() : new HashSet<>(body.transports());
        byte[] challenge;
        try {
            challenge = webAuthn.challengeOf(clientData);
        } catch (WebAuthn.Rejected e) {
            throw ApiException.invalid("client_data_json", "is not WebAuthn client data");
        }
        Instant now = clock.instant();
        return Transactions.run(() -> store.consumeChallenge(WebAuthn.hash(challenge), caller.id(), Purpose.REGISTER, null, now)
                .flatMap(consumed -> {
                    if (!consumed) {
                        throw new ApiException(ProblemType.PASSKEY_INVALID,
                                "The registration does not answer a current challenge of yours; ask for new options.", null,
                                Map.of("reason", Verdict.CHALLENGE_UNKNOWN.wire()));
                    }
                    WebAuthn.Registered r;
                    try {
                        r = webAuthn.register(challenge, clientData, attestation, transports);
                    } catch (WebAuthn.Rejected e) {
                        throw new ApiException(ProblemType.PASSKEY_INVALID, "The passkey registration did not verify.", null,
                                Map.of("reason", verdict(e.fault()).wire()));
                    }
                    return store.count(caller.id()).flatMap(n -> {
                        if (n >= config.maxPerPrincipal()) {
                            throw new ApiException(ProblemType.LIMIT_EXCEEDED, "At most " + config.maxPerPrincipal()
                                    + " passkeys per principal; remove one first.", null, Map.of("limit", config.maxPerPrincipal()));
                        }
                        return store.credentialIdTaken(r.credentialId());
                    }).flatMap(taken -> {
                        if (taken) {
                            throw ApiException.conflict("This passkey is already registered.");
                        }
                        PasskeyCredential c = new PasskeyCredential();
                        c.id = Ids.next("pky");
                        c.principalId = caller.id();
                        c.credentialId = r.credentialId();
                        c.credentialData = r.credentialData();
                        c.signCount = r.signCount();
                        c.uvInitialized = r.uvInitialized();
                        c.backupEligible = r.backupEligible();
                        c.backupState = r.backupState();
                        c.label = label;
                        c.createdAt = now;
                        return store.insert(c)
                                .call(() -> audit.append(AuditEvent.success(AuditAction.PASSKEY_REGISTER, caller).onTarget(c.id)
                                        .with(Map.of("label", label))))
                                .map(ignored -> view(c));
                    });
                }));
    }

    public Uni<List<PasskeyView>> list(Caller caller) {
        return Transactions.run(() -> store.credentials(caller.id())).map(cs -> cs.stream().map(PasskeyService::view).toList());
    }

    public Uni<Void> delete(Caller caller, String id) {
        return Transactions.run(() -> store.delete(caller.id(), id).flatMap(deleted -> {
            if (!deleted) {
                throw ApiException.notFound("No such passkey.");
            }
            return audit.append(AuditEvent.success(AuditAction.PASSKEY_DELETE, caller).onTarget(id));
        }));
    }

    /**
     * A step-up challenge for {@code requestId}, bound to the caller, in the caller's transaction.
     * The caller must be found able to approve the request before this is asked.
     */
    public Uni<StepUpOptions> stepUpOptions(Caller caller, String requestId) {
        byte[] challenge = challenge();
        Instant now = clock.instant();
        Instant expires = now.plus(config.challengeTtl());
        return store.credentials(caller.id()).flatMap(existing -> {
            if (existing.isEmpty()) {
                throw new ApiException(ProblemType.NO_PASSKEY,
                        "Approving a critical request needs a passkey; register one in the dashboard's Settings.", null, null);
            }
            return store.saveChallenge(WebAuthn.hash(challenge), caller.id(), Purpose.STEP_UP, requestId, expires, now)
                    .replaceWith(new StepUpOptions(B64.encodeToString(challenge), webAuthn.rpId(), descriptors(existing),
                            "required", config.challengeTtl().toMillis(), requestId, expires));
        });
    }

    /**
     * Checks a step-up assertion of {@code approverId} for {@code requestId}, in the caller's
     * transaction: consumes its challenge (so a replay finds none), verifies it against the
     * approver's own passkey, and moves that passkey's counter. Never throws for a bad assertion:
     * the approval rules decide what a verdict means.
     */
    public Uni<StepUpResult> check(Caller approver, String requestId, Assertion a) {
        if (a == null) {
            return Uni.createFrom().item(StepUpResult.ABSENT);
        }
        byte[] credentialId;
        byte[] clientData;
        byte[] authData;
        byte[] signature;
        byte[] userHandle;
        byte[] challenge;
        try {
            credentialId = strictDecode(a.credentialId());
            clientData = strictDecode(a.clientDataJson());
            authData = strictDecode(a.authenticatorData());
            signature = strictDecode(a.signature());
            userHandle = a.userHandle() == null || a.userHandle().isEmpty() ? null : strictDecode(a.userHandle());
            challenge = webAuthn.challengeOf(clientData);
        } catch (IllegalArgumentException | WebAuthn.Rejected e) {
            return Uni.createFrom().item(StepUpResult.refused(Verdict.MALFORMED));
        }
        Instant now = clock.instant();
        return store.consumeChallenge(WebAuthn.hash(challenge), approver.id(), Purpose.STEP_UP, requestId, now)
                .flatMap(consumed -> !consumed ? Uni.createFrom().item(StepUpResult.refused(Verdict.CHALLENGE_UNKNOWN))
                        : store.credential(approver.id(), credentialId).flatMap(c -> {
                            if (c == null) {
                                return Uni.createFrom().item(StepUpResult.refused(Verdict.UNKNOWN_PASSKEY));
                            }
                            long next;
                            try {
                                next = webAuthn.verify(challenge, c, authData, clientData, signature, userHandle);
                            } catch (WebAuthn.Rejected e) {
                                return Uni.createFrom().item(StepUpResult.refused(verdict(e.fault())));
                            }
                            return store.advance(c, c.signCount, next, now).map(moved -> moved
                                    ? new StepUpResult(Verdict.VERIFIED, c.id)
                                    : StepUpResult.refused(Verdict.COUNTER_REGRESSED));
                        }));
    }

    private static Verdict verdict(WebAuthn.Fault f) {
        return switch (f) {
            case MALFORMED -> Verdict.MALFORMED;
            case VERIFICATION_FAILED -> Verdict.VERIFICATION_FAILED;
            case COUNTER_REGRESSED -> Verdict.COUNTER_REGRESSED;
        };
    }

    private static void requireHuman(Caller caller) {
        if (caller.role() == Role.AGENT) {
            throw ApiException.forbidden("Agents do not decide approvals and register no passkeys.");
        }
    }

    private static List<CredentialDescriptor> descriptors(List<PasskeyCredential> cs) {
        return cs.stream().map(c -> new CredentialDescriptor("public-key", B64.encodeToString(c.credentialId))).toList();
    }

    private static PasskeyView view(PasskeyCredential c) {
        return new PasskeyView(c.id, c.label, c.createdAt, c.lastUsedAt);
    }

    private static String label(String label) {
        String l = label == null ? "" : label.strip();
        if (l.isEmpty()) {
            return "Passkey";
        }
        if (l.length() > MAX_LABEL) {
            throw ApiException.invalid("label", "must be at most " + MAX_LABEL + " characters");
        }
        return l;
    }

    private static byte[] decode(String field, String value) {
        if (value == null || value.isEmpty()) {
            throw ApiException.invalid(field, "is required");
        }
        try {
            return strictDecode(value);
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid(field, "must be base64url");
        }
    }

    private static byte[] strictDecode(String value) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("empty");
        }
        // Browsers send unpadded base64url; padding is tolerated, standard base64's + and / are not.
        return Base64.getUrlDecoder().decode(value);
    }

    private static byte[] challenge() {
        byte[] c = new byte[32];
        RANDOM.nextBytes(c);
        return c;
    }
}
