package com.agentsecretstore.common;

import java.util.function.Function;
import java.util.function.Supplier;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;

/**
 * Transactions that end by commit or rollback, never by cancellation. RESTEasy Reactive cancels a
 * request's {@code Uni} when its client hangs up or times out; a Hibernate Reactive transaction
 * cancelled half-way has its rollback race the closing of its session on the same connection
 * (HR000090, "live transaction detected while closing the connection"; hibernate-reactive#2926,
 * quarkus#51576), and statements still in flight can carry on after the session is gone, so the
 * connection may go back to the pool inside an open transaction that keeps its row locks
 * ("idle in transaction") until someone happens to reuse it. Work run here is subscribed on its own:
 * the caller may stop waiting, the transaction still runs to its end and its connection is released
 * in order.
 */
public final class Transactions {

    private Transactions() {
    }

    /**
     * A transaction on the Hibernate Reactive session ({@link Panache#withTransaction(Supplier)}) that
     * runs to its end even if the caller cancels: for changes to entity tables, and for everything
     * that must commit with them (audit entries, events and their deliveries).
     */
    public static <T> Uni<T> run(Supplier<Uni<T>> work) {
        return uncancellable(Uni.createFrom().deferred(() -> Panache.withTransaction(work)));
    }

    /** A session without a transaction, for reads of entity tables. */
    public static <T> Uni<T> read(Supplier<Uni<T>> work) {
        return Panache.withSession(work);
    }

    /**
     * A transaction on one connection of the plain SQL client, for changes made only to tables read
     * and written over it; {@code work} gets the connection and hands it to the tables' owners. Runs to
     * its end even if the caller cancels, as {@link #run} does.
     */
    public static <T> Uni<T> sql(Pool pool, Function<SqlConnection, Uni<T>> work) {
        return uncancellable(Uni.createFrom().deferred(() -> pool.withTransaction(work)));
    }

    /**
     * The same item or failure, but cancelling the returned Uni leaves {@code uni} running. It is
     * subscribed on the caller's thread, so it keeps the caller's Vert.x context (and session).
     */
    public static <T> Uni<T> uncancellable(Uni<T> uni) {
        return Uni.createFrom().emitter(emitter -> uni.subscribe().with(emitter::complete, emitter::fail));
    }
}
