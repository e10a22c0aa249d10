package com.agentsecretstore.common;

import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/**
 * The service's own settings. Each maps to an environment variable by the usual rule
 * ({@code ass.master-key} is {@code ASS_MASTER_KEY}); the README's configuration table lists them.
 */
@ConfigMapping(prefix = "ass")
public interface AssConfig {

    /** Key of the admin created on first start when no admin exists; generated and logged once when absent. */
    Optional<String> bootstrapAdminKey();

    /** Base64 of one 32-byte master key (key id {@code default}). Use this or {@link #masterKeys()}. */
    Optional<String> masterKey();

    /** A keyring for rotation: {@code id1:base64,id2:base64}. */
    Optional<String> masterKeys();

    /** Which key of {@link #masterKeys()} wraps new data keys. */
    Optional<String> activeMasterKey();

    /** External base URL, used in links sent to people (approve_url, emails). */
    @WithDefault("http://localhost:8080")
    String publicUrl();

    /** Allow webhook targets on private, loopback and link-local addresses. */
    @WithDefault("false")
    boolean webhooksAllowPrivate();

    Db db();

    Secrets secrets();

    Tokens tokens();

    Dev dev();

    Webhooks webhooks();

    Mail mail();

    interface Webhooks {
        /** Delays between attempts (Standard Webhooks' example schedule); then a delivery has failed. */
        @WithDefault("0s,5s,5m,30m,2h,5h,10h,14h,20h,24h")
        String retrySchedule();

        /** How long one delivery attempt may take, connection included. */
        @WithDefault("10s")
        String timeout();

        /** Deliveries in flight at once, per replica. */
        @WithDefault("8")
        int concurrency();

        /** Safety-net poll for due deliveries; new events wake the sender at once anyway. */
        @WithDefault("1s")
        String pollInterval();

        /** Bytes of a receiver's response body read at most; the rest is dropped unread (bodies are never kept). */
        @WithDefault("65536")
        long maxResponseBytes();

        /** Webhooks one principal may have registered (disabled ones count); one more is refused with 422. */
        @WithDefault("20")
        int maxPerPrincipal();
    }

    interface Mail {
        /** Send approvers and requesters email about requests (configure QUARKUS_MAILER_* first). */
        @WithDefault("false")
        boolean enabled();

        /** Addresses that receive every approval request besides the designated approvers. */
        Optional<java.util.List<String>> extraRecipients();

        @WithDefault("0s,30s,2m,10m,30m,1h,2h")
        String retrySchedule();

        /** Emails in flight at once, per replica. */
        @WithDefault("4")
        int concurrency();

        /** Safety-net poll for due emails; new events wake the sender at once anyway. */
        @WithDefault("1s")
        String pollInterval();

        /** How long a claimed email stays leased to its sender; then another replica may retry it. */
        @WithDefault("120s")
        java.time.Duration lease();
    }

    interface Dev {
        EmbeddedPostgres embeddedPostgres();

        interface EmbeddedPostgres {
            /** In dev mode with no datasource URL configured, start a throw-away embedded PostgreSQL. */
            @WithDefault("true")
            boolean enabled();
        }
    }

    Approvals approvals();

    Policy policy();

    Auth auth();

    /** Failed sign-ins (issue 11.12): limited per source address, in memory on each replica. */
    interface Auth {
        /** The window over which failures are counted; also how often the counts are summarized in the audit log. */
        @WithDefault("60s")
        java.time.Duration failureWindow();

        /** Failures per source address and window that are audited one by one; the rest get 429. */
        @WithDefault("20")
        int maxFailures();

        /** Source addresses tracked at once; the rest share one counter (bounds memory and writes). */
        @WithDefault("10000")
        int maxTrackedSources();
    }

    /**
     * Bounds on namespace policies (issue 11.8): pattern complexity is refused at write with a 422,
     * and every evaluation has a step budget besides, for policies stored before the limits.
     */
    interface Policy {
        /** Longest override pattern accepted when a policy is written. */
        @WithDefault("256")
        int maxPatternLength();

        /** Most {@code **} segments in one override pattern. */
        @WithDefault("4")
        int maxGlobstars();

        /** Most wildcards ({@code *}, {@code ?}; a {@code **} counts once) in one override pattern. */
        @WithDefault("16")
        int maxWildcards();

        /** Most path overrides in one policy (never more than 100). */
        @WithDefault("100")
        int maxPathOverrides();

        /**
         * Work one policy evaluation may do, in automaton steps (a few milliseconds at the default).
         * Past it the evaluation answers with the strictest requirement the policy can give.
         */
        @WithDefault("2000000")
        long evaluationSteps();
    }

    interface Tokens {
        /** Upper bound on ttl_seconds of any token. */
        @WithDefault("3600")
        int maxTtlSeconds();

        /** ttl_seconds when a request names none. */
        @WithDefault("900")
        int defaultTtlSeconds();
    }

    interface Approvals {
        /** How often each replica issues due tokens and expires stale requests. */
        @WithDefault("1s")
        String jobInterval();

        /** Longest long-poll of {@code /v1/approvals/{id}/wait}. */
        @WithDefault("900")
        int maxWaitSeconds();

        /** Long-polls one principal may hold open at once, per replica; one more is refused with 429. */
        @WithDefault("20")
        int maxWaitsPerPrincipal();

        /**
         * How often a long-poll re-reads its request when nothing woke it. Changes wake it at once
         * (on any replica, through the event NOTIFY), so this is only a safety net.
         */
        @WithDefault("15s")
        java.time.Duration waitPollInterval();
    }

    Events events();

    interface Events {
        /** Live feeds (SSE) one principal may hold open at once, per replica; one more is refused with 429. */
        @WithDefault("5")
        int maxStreamsPerPrincipal();

        /** Events read from the table per query when a feed replays; the next page is read when the client took this one. */
        @WithDefault("200")
        int replayPageSize();

        /**
         * Live events held for one client that reads slower than they arrive. Beyond it the client's
         * queue is dropped and its feed re-reads from the event table, where nothing is lost.
         */
        @WithDefault("500")
        int streamBuffer();

        /** Heartbeat comment period, so proxies keep idle feeds open. */
        @WithDefault("15s")
        java.time.Duration heartbeat();

        /**
         * How often each replica re-checks the API keys of its open feeds and long-polls; a revoked
         * key, a disabled principal or a changed role or namespace list ends them. A change to a key
         * or principal also triggers the check at once, through a NOTIFY.
         */
        @WithDefault("5s")
        java.time.Duration credentialCheckInterval();
    }

    interface Db {
        /** The one PostgreSQL schema the service owns (created by Flyway if missing). */
        @WithDefault("ass")
        String schema();

        /**
         * PostgreSQL {@code lock_timeout} of the service's connections: a statement that waits longer
         * for a row or advisory lock fails instead of queueing everyone behind it ({@code 0}: no limit).
         * Applied through {@code application.properties}.
         */
        @WithDefault("10s")
        String lockTimeout();

        /**
         * PostgreSQL {@code idle_in_transaction_session_timeout} of the service's connections: a
         * session left inside a transaction that long is ended by the server, which releases its locks
         * ({@code 0}: no limit). Applied through {@code application.properties}.
         */
        @WithDefault("30s")
        String idleInTransactionTimeout();
    }

    interface Secrets {
        /** Largest secret value accepted, in bytes of UTF-8. */
        @WithName("max-value-bytes")
        @WithDefault("65536")
        int maxValueBytes();
    }
}
