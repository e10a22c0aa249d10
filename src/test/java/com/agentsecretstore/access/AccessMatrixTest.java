package com.agentsecretstore.access;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import com.agentsecretstore.access.AccessModel.Target;
import com.agentsecretstore.access.AccessModel.Who;
import com.agentsecretstore.principal.Role;
import com.agentsecretstore.support.Api;
import com.agentsecretstore.support.Db;
import com.agentsecretstore.support.Flow;
import com.agentsecretstore.support.GreenMailResource;
import com.agentsecretstore.support.SseClient;
import com.agentsecretstore.support.WebhookReceiver;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * Issue 10's access matrix: role (admin, approver, agent) × namespace membership × listed in the
 * policy's {@code approvers} or not × requester or not × every status, in a namespace whose policy
 * lists its approvers and in one that leaves them to the namespace. For every principal and every
 * request, GET, the list, wait, the live feed (live and replayed), a webhook the principal
 * registered, the mail recipients and the actions themselves must give {@link AccessModel}'s answer.
 *
 * <p>The matrix is built once (one fixture shared by the test methods, no reboot per case); the
 * order in which pairs are checked is shuffled with a fixed seed.
 */
@QuarkusTest
@QuarkusTestResource(GreenMailResource.class)
class AccessMatrixTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long SEED = 20261130L;
    private static final List<String> STATUSES = List.of("pending", "delayed", "approved", "denied", "cancelled", "expired");
    private static final List<Action> ACTIONS = List.of(Action.APPROVE, Action.DENY, Action.CANCEL, Action.COLLECT);

    /** A principal of the matrix, with its place in it. */
    record Subject(String label, String id, String key, Role role, List<String> namespaces, String email,
            SseClient live, WebhookReceiver receiver) {
        Who who() {
            return new Who(id, role, namespaces);
        }
    }

    /** One request of the matrix. */
    record Req(String id, String namespace, String requesterId, String status) {
        Target target() {
            return new Target(namespace, requesterId);
        }
    }

    /** Two namespaces: one whose policy lists its approvers, one whose approvers are its own. */
    static final class Fixture {
        String listedNs;
        String defaultNs;
        long startSeq;
        final Map<String, Designation> designations = new LinkedHashMap<>();
        final List<Subject> subjects = new ArrayList<>();
        final List<Req> requests = new ArrayList<>();
        final Map<String, List<Api.Created>> deciders = new LinkedHashMap<>();
        final Map<String, Api.Created> helperAgents = new LinkedHashMap<>();
    }

    private static Fixture fixture;
    private static RuntimeException buildFailure;

    /** Built once; a failed build fails every check with its cause instead of building again. */
    static synchronized Fixture fixture() {
        if (buildFailure != null) {
            throw buildFailure;
        }
        if (fixture == null) {
            try {
                fixture = build();
            } catch (RuntimeException e) {
                buildFailure = e;
                throw e;
            }
        }
        return fixture;
    }

    /**
     * A direct database step, retried while the shared PostgreSQL refuses new connections
     * ("too many clients"): several suites share the server on a busy machine.
     */
    private static <T> T db(java.util.function.Supplier<T> step) {
        for (int attempt = 1;; attempt++) {
            try {
                return step.get();
            } catch (IllegalStateException e) {
                if (attempt >= 30 || e.getMessage() == null || !e.getMessage().contains("too many clients")) {
                    throw e;
                }
                try {
                    Thread.sleep(500L * Math.min(attempt, 4));
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /**
     * Also removes the subjects' webhooks: their receivers are gone, and the admins' would otherwise
     * take every later test's events, each delivery retried to a closed port, and hold up the outbox
     * for the classes that run after this one.
     */
    @AfterAll
    static void closeStreamsAndReceivers() {
        if (fixture != null) {
            for (Subject s : fixture.subjects) {
                s.live().close();
                s.receiver().close();
                db(() -> Db.update("delete from webhook where created_by = ?", s.id()));
            }
        }
    }

    // --- The checks ---------------------------------------------------------------------------

    @Test
    void getAnswersWithTheModelsVisibilityAndAllowedActions() {
        Fixture f = fixture();
        inParallel(pairs(f), p -> checkView(p, Api.as(p.s().key()).get("/v1/approvals/" + p.r().id()), "GET"));
    }

    /** On a seeded quarter of the pairs (wait is GET plus waiting, which timeout 0 skips). */
    @Test
    void waitAnswersLikeGet() {
        Fixture f = fixture();
        Random random = new Random(SEED + 1);
        List<Pair> sample = pairs(f).stream().filter(p -> random.nextInt(4) == 0).toList();
        inParallel(sample, p -> checkView(p,
                Api.as(p.s().key()).get("/v1/approvals/" + p.r().id() + "/wait?timeout_seconds=0"), "wait"));
    }

    @Test
    void theListHoldsExactlyTheRequestsTheModelLetsEachPrincipalSee() {
        Fixture f = fixture();
        for (Subject s : f.subjects) {
            Map<String, JsonNode> listed = new LinkedHashMap<>();
            for (String ns : List.of(f.listedNs, f.defaultNs)) {
                String cursor = null;
                do {
                    var spec = Api.as(s.key()).queryParam("namespace", ns).queryParam("limit", 500);
                    if (cursor != null) {
                        spec.queryParam("cursor", cursor);
                    }
                    Response r = spec.get("/v1/approvals");
                    r.then().statusCode(200);
                    JsonNode page = json(r);
                    page.get("items").forEach(item -> listed.put(item.get("id").asText(), item));
                    cursor = page.hasNonNull("next_cursor") ? page.get("next_cursor").asText() : null;
                } while (cursor != null);
            }
            Set<String> expected = f.requests.stream().filter(r -> sees(f, s, r)).map(Req::id).collect(Collectors.toCollection(TreeSet::new));
            Set<String> actual = f.requests.stream().map(Req::id).filter(listed::containsKey).collect(Collectors.toCollection(TreeSet::new));
            assertEquals(expected, actual, "list of " + s.label());
            for (Req r : f.requests) {
                if (listed.containsKey(r.id())) {
                    assertEquals(expectedActions(f, s, r), actions(listed.get(r.id())), "list item " + r + " for " + s.label());
                }
            }
        }
    }

    @Test
    void theLiveFeedCarriesExactlyTheVisibleRequestsEvents() {
        Fixture f = fixture();
        Map<String, Set<String>> eventsByRequest = eventsByRequest(f);
        for (Subject s : f.subjects) {
            Set<String> expected = expectedEvents(f, s, eventsByRequest);
            await().atMost(Duration.ofSeconds(30)).until(() -> fixtureEvents(f, s.live()).containsAll(expected));
            assertEquals(expected, fixtureEvents(f, s.live()), "live feed of " + s.label());
        }
    }

    @Test
    void aReplayedFeedCarriesExactlyTheVisibleRequestsEvents() {
        Fixture f = fixture();
        Map<String, Set<String>> eventsByRequest = eventsByRequest(f);
        for (Subject s : f.subjects) {
            Set<String> expected = expectedEvents(f, s, eventsByRequest);
            try (SseClient replay = new SseClient(feed(), s.key(), String.valueOf(f.startSeq))) {
                await().atMost(Duration.ofSeconds(30)).until(() -> fixtureEvents(f, replay).containsAll(expected));
                assertEquals(expected, fixtureEvents(f, replay), "replayed feed of " + s.label());
            }
        }
    }

    @Test
    void aWebhookReceivesExactlyWhatItsOwnerMaySee() {
        Fixture f = fixture();
        Map<String, Set<String>> eventsByRequest = eventsByRequest(f);
        for (Subject s : f.subjects) {
            Set<String> expected = expectedEvents(f, s, eventsByRequest);
            await().atMost(Duration.ofSeconds(60)).until(() -> webhookEvents(f, s).containsAll(expected));
            assertEquals(expected, webhookEvents(f, s), "webhook of " + s.label());
        }
    }

    @Test
    void mailGoesToThoseWhoMayDecideAndOutcomesToTheRequesterOnly() {
        Fixture f = fixture();
        Map<String, Subject> byEmail = new LinkedHashMap<>();
        f.subjects.forEach(s -> byEmail.put(s.email(), s));
        for (Req r : f.requests) {
            Set<String> requested = new TreeSet<>();
            Set<String> outcomes = new TreeSet<>();
            for (Map<String, Object> row : db(() -> Db.query("select m.recipient, e.type from mail_delivery m join event e on e.seq = m.event_seq "
                    + "where e.approval_request_id = ?", r.id()))) {
                String to = (String) row.get("recipient");
                if (byEmail.containsKey(to)) {
                    ("approval.requested".equals(row.get("type")) ? requested : outcomes).add(to);
                }
            }
            Set<String> deciders = f.subjects.stream()
                    .filter(s -> AccessModel.allows(Action.APPROVE, s.who(), r.target(), f.designations.get(r.namespace())))
                    .map(Subject::email).collect(Collectors.toCollection(TreeSet::new));
            assertEquals(deciders, requested, "who is mailed about " + r);
            Set<String> requester = f.subjects.stream().filter(s -> s.id().equals(r.requesterId()) && !"pending".equals(r.status())
                    && !"delayed".equals(r.status())).map(Subject::email).collect(Collectors.toCollection(TreeSet::new));
            assertEquals(requester, outcomes, "who is mailed the outcome of " + r);
        }
    }

    /** The audit rows of a request reach approvers and admins who may see it (agents read no audit at all). */
    @Test
    void theAuditRowsOfARequestReachThoseWhoMaySeeIt() {
        Fixture f = fixture();
        Set<String> fixtureIds = f.requests.stream().map(Req::id).collect(Collectors.toSet());
        for (Subject s : f.subjects) {
            if (s.role() == Role.AGENT) {
                Api.as(s.key()).get("/v1/audit").then().statusCode(403);
                continue;
            }
            Set<String> seen = new TreeSet<>();
            String cursor = null;
            do {
                var spec = Api.as(s.key()).queryParam("action", "approval.request").queryParam("limit", 500);
                if (cursor != null) {
                    spec.queryParam("cursor", cursor);
                }
                Response r = spec.get("/v1/audit");
                r.then().statusCode(200);
                JsonNode page = json(r);
                page.get("items").forEach(item -> {
                    String target = item.path("target_id").asText();
                    if (fixtureIds.contains(target)) {
                        seen.add(target);
                    }
                });
                cursor = page.hasNonNull("next_cursor") ? page.get("next_cursor").asText() : null;
            } while (cursor != null);
            Set<String> expected = f.requests.stream().filter(r -> sees(f, s, r)).map(Req::id).collect(Collectors.toCollection(TreeSet::new));
            assertEquals(expected, seen, "audit rows reaching " + s.label());
        }
    }

    /**
     * Every action a principal may not take is refused as the model says (404 when it may not see
     * the request, 403 when it sees it but may not act, 409 when only the state stands in the way),
     * and changes nothing; every action the model allows succeeds (on a fresh request of the same
     * kind). Each pair tries one action drawn by the seeded generator, so all four are covered.
     */
    @Test
    void theActionsThemselvesFollowTheModel() {
        Fixture f = fixture();
        Random random = new Random(SEED + 2);
        List<Map.Entry<Pair, Action>> tries = new ArrayList<>();
        for (Pair p : pairs(f)) {
            Action a = ACTIONS.get(random.nextInt(ACTIONS.size()));
            if (expectedStatus(f, p.s(), p.r(), a) != 200) {
                tries.add(Map.entry(p, a));
            }
        }
        inParallel(tries, t -> {
            Pair p = t.getKey();
            Response r = act(p.s().key(), p.r().id(), t.getValue());
            assertEquals(expectedStatus(f, p.s(), p.r(), t.getValue()), r.statusCode(),
                    t.getValue().wire() + " on " + p.r() + " by " + p.s().label() + ": " + r.asString());
        });
        for (Req r : f.requests) {
            assertEquals(r.status(), Flow.status(Api.ADMIN_KEY, r.id()), "a refused action changed " + r);
        }
        // The allowed ones, on a fresh pending request each: one action per principal and namespace.
        for (Subject s : f.subjects) {
            for (String ns : List.of(f.listedNs, f.defaultNs)) {
                Req probe = new Req("probe", ns, f.helperAgents.get(ns).id(), "pending");
                List<Action> allowed = List.of(Action.APPROVE, Action.DENY, Action.CANCEL).stream()
                        .filter(a -> expectedStatus(f, s, probe, a) == 200).toList();
                if (!allowed.isEmpty()) {
                    Action a = allowed.get(random.nextInt(allowed.size()));
                    String id = request(f, ns, f.helperAgents.get(ns), "pending");
                    Response r = act(s.key(), id, a);
                    assertEquals(200, r.statusCode(), a.wire() + " on a pending request in " + ns + " by " + s.label());
                }
            }
        }
        for (Req r : f.requests) {
            for (Subject s : f.subjects) {
                if (expectedStatus(f, s, r, Action.COLLECT) == 200) {
                    Response collected = Api.as(s.key()).get("/v1/approvals/" + r.id() + "/token");
                    assertEquals(200, collected.statusCode(), "collect of " + r + " by " + s.label());
                    Api.SENSITIVE.add(collected.path("value"));
                }
            }
        }
    }

    // --- Expectations, from the model alone --------------------------------------------------------

    private static boolean sees(Fixture f, Subject s, Req r) {
        return AccessModel.allows(Action.SEE, s.who(), r.target(), f.designations.get(r.namespace()));
    }

    /** What the state allows, independent of who asks (nobody in the matrix has approved a request itself). */
    private static boolean stateAllows(Req r, Action a) {
        return switch (a) {
            case APPROVE -> r.status().equals("pending");
            case DENY, CANCEL -> r.status().equals("pending") || r.status().equals("delayed");
            case COLLECT -> r.status().equals("approved");
            default -> true;
        };
    }

    private static List<String> expectedActions(Fixture f, Subject s, Req r) {
        return ACTIONS.stream().filter(a -> expectedStatus(f, s, r, a) == 200).map(Action::wire).toList();
    }

    private static int expectedStatus(Fixture f, Subject s, Req r, Action a) {
        var refusal = AccessModel.check(a, s.who(), r.target(), f.designations.get(r.namespace()));
        if (refusal.isPresent()) {
            return refusal.get() == Refusal.NOT_VISIBLE ? 404 : 403;
        }
        return stateAllows(r, a) ? 200 : 409;
    }

    private static Set<String> expectedEvents(Fixture f, Subject s, Map<String, Set<String>> eventsByRequest) {
        Set<String> out = new TreeSet<>();
        f.requests.stream().filter(r -> sees(f, s, r)).forEach(r -> out.addAll(eventsByRequest.get(r.id())));
        return out;
    }

    // --- Observations -----------------------------------------------------------------------------

    private static void checkView(Pair p, Response r, String what) {
        Fixture f = fixture();
        boolean sees = sees(f, p.s(), p.r());
        assertEquals(sees ? 200 : 404, r.statusCode(), what + " of " + p.r() + " by " + p.s().label());
        if (sees) {
            JsonNode view = json(r);
            assertEquals(p.r().status(), view.get("status").asText());
            assertEquals(expectedActions(f, p.s(), p.r()), actions(view), what + " allowed_actions of " + p.r() + " for " + p.s().label());
        } else {
            assertEquals("application/problem+json", r.contentType());
        }
    }

    private static List<String> actions(JsonNode view) {
        List<String> out = new ArrayList<>();
        view.get("allowed_actions").forEach(a -> out.add(a.asText()));
        return out;
    }

    /** Every event of each fixture request, by event id, as the table holds them. */
    private static Map<String, Set<String>> eventsByRequest(Fixture f) {
        Map<String, Set<String>> out = new LinkedHashMap<>();
        for (Req r : f.requests) {
            out.put(r.id(), new TreeSet<>());
        }
        for (Map<String, Object> row : db(() -> Db.query("select id, approval_request_id from event "
                + "where approval_request_id = any(string_to_array(?, ','))", String.join(",", out.keySet())))) {
            out.get((String) row.get("approval_request_id")).add((String) row.get("id"));
        }
        return out;
    }

    private static Set<String> fixtureEvents(Fixture f, SseClient client) {
        return onlyFixture(f, client.events.stream().map(SseClient.Event::data).toList());
    }

    private static Set<String> webhookEvents(Fixture f, Subject s) {
        return onlyFixture(f, s.receiver().accepted.stream().map(WebhookReceiver.Received::body).toList());
    }

    /** Event ids of the fixture's requests among payloads (other tests' events, and probes, are ignored). */
    private static Set<String> onlyFixture(Fixture f, List<String> payloads) {
        Set<String> ids = f.requests.stream().map(Req::id).collect(Collectors.toSet());
        Set<String> out = new TreeSet<>();
        for (String payload : payloads) {
            JsonNode e = parse(payload);
            if (ids.contains(e.path("approval_request_id").asText())) {
                out.add(e.get("event_id").asText());
            }
        }
        return out;
    }

    private static Response act(String key, String id, Action a) {
        return switch (a) {
            case APPROVE -> Flow.approve(key, id);
            case DENY -> Flow.deny(key, id, "matrix says no");
            case CANCEL -> Flow.cancel(key, id);
            case COLLECT -> Api.as(key).get("/v1/approvals/" + id + "/token");
            default -> throw new IllegalArgumentException(a.name());
        };
    }

    /** Runs the checks on four threads (each is one HTTP call and its assertions) and reports every failure. */
    private static <T> void inParallel(List<T> items, java.util.function.Consumer<T> check) {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        try {
            List<java.util.concurrent.Future<?>> futures = new ArrayList<>();
            for (T item : items) {
                futures.add(pool.submit(() -> {
                    try {
                        check.accept(item);
                    } catch (AssertionError e) {
                        failures.add(e.getMessage());
                    }
                }));
            }
            for (java.util.concurrent.Future<?> future : futures) {
                future.get();
            }
        } catch (InterruptedException | java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e);
        } finally {
            pool.shutdownNow();
        }
        assertTrue(failures.isEmpty(), failures.size() + " of " + items.size() + " disagree with the model, e.g.\n"
                + String.join("\n", failures.subList(0, Math.min(20, failures.size()))));
    }

    // --- Building the matrix ----------------------------------------------------------------------

    record Pair(Subject s, Req r) {
    }

    /** Every (principal, request) pair, in an order shuffled with a fixed seed. */
    private static List<Pair> pairs(Fixture f) {
        List<Pair> out = new ArrayList<>();
        for (Subject s : f.subjects) {
            for (Req r : f.requests) {
                out.add(new Pair(s, r));
            }
        }
        Collections.shuffle(out, new Random(SEED));
        return out;
    }

    private static Fixture build() {
        Fixture f = new Fixture();
        f.listedNs = Flow.namespaceWithTiers("acl-listed", 3600);
        f.defaultNs = Flow.namespaceWithTiers("acl-default", 3600);
        String elsewhere = Api.unique("acl-elsewhere");
        // Deciders that drive requests to each status: listed ones from outside the namespace, and
        // the namespace's own approvers where the policy lists nobody.
        f.deciders.put(f.listedNs, List.of(Api.principal("approver", elsewhere), Api.principal("approver", elsewhere)));
        f.deciders.put(f.defaultNs, List.of(Api.principal("approver", f.defaultNs), Api.principal("approver", f.defaultNs)));
        f.helperAgents.put(f.listedNs, Api.principal("agent", f.listedNs));
        f.helperAgents.put(f.defaultNs, Api.principal("agent", f.defaultNs));
        f.startSeq = db(() -> Db.count("select coalesce(max(seq), 0) from event"));

        List<String> listed = new ArrayList<>(f.deciders.get(f.listedNs).stream().map(Api.Created::id).toList());
        List<String> legacyEntries = new ArrayList<>();
        for (String ns : List.of(f.listedNs, f.defaultNs)) {
            boolean listMode = ns.equals(f.listedNs);
            for (Role role : Role.values()) {
                for (boolean member : List.of(true, false)) {
                    for (boolean designated : listMode ? List.of(true, false) : List.of(false)) {
                        String label = (listMode ? "listed-ns " : "default-ns ") + role.wire() + (member ? " member" : " outsider")
                                + (designated ? " designated" : "");
                        Subject s = subject(label, role, member ? List.of(ns) : role == Role.ADMIN ? List.of() : List.of(elsewhere));
                        f.subjects.add(s);
                        if (designated && role == Role.AGENT) {
                            legacyEntries.add(s.id()); // the API refuses agents; only a legacy document can list one
                        } else if (designated) {
                            listed.add(s.id());
                        }
                    }
                }
            }
        }
        putPolicy(f.listedNs, listed);
        // As a policy stored before ids were enforced might: an agent's id, and a principal's name.
        Subject namedOnly = f.subjects.stream().filter(s -> s.role() == Role.APPROVER && !listed.contains(s.id())).findFirst().orElseThrow();
        legacyEntries.add(db(() -> Db.query("select name from principal where id = ?", namedOnly.id())).get(0).get("name").toString());
        List<String> stored = new ArrayList<>(listed);
        stored.addAll(legacyEntries);
        db(() -> Db.update("update namespace_policy set document = jsonb_set(cast(document as jsonb), '{approvers}', cast(? as jsonb))::text "
                + "where namespace = ?", write(stored), f.listedNs));
        f.designations.put(f.listedNs, new Designation(stored));
        f.designations.put(f.defaultNs, Designation.NAMESPACE_APPROVERS);

        await().atMost(Duration.ofSeconds(10)).until(() -> f.subjects.stream().allMatch(s -> s.live().connected()));
        for (String ns : List.of(f.listedNs, f.defaultNs)) {
            List<Api.Created> requesters = new ArrayList<>();
            requesters.add(f.helperAgents.get(ns));
            f.subjects.stream().filter(s -> s.role() == Role.ADMIN || s.namespaces().contains(ns))
                    .forEach(s -> requesters.add(new Api.Created(s.id(), s.label(), s.key())));
            // The helper agent asks in every status; each principal that may ask does so in two
            // statuses the seeded generator draws, so that the matrix stays small and covers all.
            Random random = new Random(SEED + ns.length());
            for (Api.Created requester : requesters) {
                List<String> statuses = new ArrayList<>(STATUSES);
                if (requester != f.helperAgents.get(ns)) {
                    Collections.shuffle(statuses, random);
                    statuses = statuses.subList(0, 2);
                }
                for (String status : statuses) {
                    f.requests.add(new Req(request(f, ns, requester, status), ns, requester.id(), status));
                }
            }
        }
        List<Req> expiring = f.requests.stream().filter(r -> r.status().equals("expired")).toList();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> expiring.stream().allMatch(r -> "expired".equals(Flow.status(Api.ADMIN_KEY, r.id()))));
        return f;
    }

    private static Subject subject(String label, Role role, List<String> namespaces) {
        String name = Api.unique("acl-" + role.wire());
        String email = name + "@example.com";
        Response r = Api.admin().body(Map.of("name", name, "role", role.wire(), "namespaces", namespaces, "email", email))
                .post("/v1/principals");
        r.then().statusCode(201);
        String key = r.path("api_key");
        Api.SENSITIVE.add(key);
        String id = r.path("id");
        WebhookReceiver receiver;
        try {
            receiver = new WebhookReceiver().up();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Api.as(key).body(Map.of("url", receiver.url(), "events", List.of("approval.requested", "approval.progress",
                "approval.approved", "approval.denied", "approval.cancelled", "approval.expired", "token.issued")))
                .post("/v1/webhooks").then().statusCode(201);
        return new Subject(label, id, key, role, namespaces, email, new SseClient(feed(), key, null), receiver);
    }

    private static void putPolicy(String ns, List<String> approvers) {
        Api.admin().body(Map.of("default_tier", "standard", "approvers", approvers, "path_overrides", List.of(
                Map.of("pattern", ns + "/sens/*", "tier", "sensitive", "required_approvals", 1),
                Map.of("pattern", ns + "/crit/*", "tier", "critical", "required_approvals", 2, "approval_delay_seconds", 3600))))
                .put("/v1/namespaces/" + ns + "/policy").then().statusCode(200);
    }

    /** A request by {@code requester} in {@code ns}, driven to {@code status} by the namespace's deciders. */
    private static String request(Fixture f, String ns, Api.Created requester, String status) {
        List<Api.Created> deciders = f.deciders.get(ns);
        // The longest lifetime: approved requests' tokens are collected at the end, however long the matrix takes.
        String id = Flow.pending(requester.key(), "secrets:read:" + ns + ("delayed".equals(status) ? "/crit/*" : "/sens/*"), 3600);
        switch (status) {
            case "delayed" -> {
                Flow.approve(deciders.get(0).key(), id).then().statusCode(200);
                Flow.approve(deciders.get(1).key(), id).then().statusCode(200);
            }
            case "approved" -> Flow.approve(deciders.get(0).key(), id).then().statusCode(200);
            case "denied" -> Flow.deny(deciders.get(0).key(), id, "no").then().statusCode(200);
            case "cancelled" -> Flow.cancel(requester.key(), id).then().statusCode(200);
            case "expired" -> db(() -> Db.update("update approval_request set expires_at = now() - interval '1 second' where id = ?", id));
            default -> {
            }
        }
        assertTrue(Objects.equals(status, "expired") || status.equals(Flow.status(Api.ADMIN_KEY, id)), id + " is " + status);
        return id;
    }

    static String feed() {
        int port = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        return "http://127.0.0.1:" + port + "/v1/events/stream";
    }

    private static JsonNode json(Response r) {
        return parse(r.asString());
    }

    private static JsonNode parse(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String write(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
