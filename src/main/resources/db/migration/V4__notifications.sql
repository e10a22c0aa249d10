-- Domain events of the approval lifecycle. seq is the stream position (SSE id, Last-Event-ID):
-- writers take a transaction-level advisory lock before inserting, so seq order is commit order
-- and a reader that has seen seq N has seen everything before it.
create table event (
    seq                 bigserial primary key,
    id                  text not null unique,
    type                text not null,
    approval_request_id text,
    namespace           text,
    requester_id        text,
    payload             text not null,
    created_at          timestamptz not null
);
create index event_request on event (approval_request_id, seq);

-- Webhook endpoints. The signing secret is sealed by the barrier like a secret value. A webhook
-- receives what its owner (created_by) may see: admins everything, approvers their namespaces,
-- agents their own requests.
create table webhook (
    id             text primary key,
    url            text not null,
    events         text[] not null,
    secret_version integer not null,
    master_key_id  text not null,
    wrapped_key    bytea not null,
    ciphertext     bytea not null,
    description    text,
    disabled_at    timestamptz,
    disabled_reason text,
    created_at     timestamptz not null,
    created_by     text not null references principal (id)
);

-- Outbox of webhook deliveries, written in the transaction of the event. A sender claims a row by
-- moving it to 'sending' with a lease (locked_until); a lease that runs out (a replica died
-- mid-send) makes the row claimable again.
create table webhook_delivery (
    id               text primary key,
    webhook_id       text not null references webhook (id) on delete cascade,
    event_seq        bigint not null references event (seq),
    ordering_key     text not null,
    status           text not null check (status in ('pending', 'sending', 'delivered', 'failed')),
    attempts         integer not null default 0,
    next_attempt_at  timestamptz not null,
    locked_until     timestamptz,
    last_status_code integer,
    last_error       text,
    delivered_at     timestamptz,
    created_at       timestamptz not null
);
create index webhook_delivery_due on webhook_delivery (next_attempt_at) where status in ('pending', 'sending');
create index webhook_delivery_order on webhook_delivery (webhook_id, ordering_key, event_seq) where status in ('pending', 'sending');
create index webhook_delivery_webhook on webhook_delivery (webhook_id, created_at);

-- Outbox of emails, same claiming scheme.
create table mail_delivery (
    id              text primary key,
    event_seq       bigint not null references event (seq),
    recipient       text not null,
    subject         text not null,
    body            text not null,
    status          text not null check (status in ('pending', 'sending', 'delivered', 'failed')),
    attempts        integer not null default 0,
    next_attempt_at timestamptz not null,
    locked_until    timestamptz,
    last_error      text,
    delivered_at    timestamptz,
    created_at      timestamptz not null
);
create index mail_delivery_due on mail_delivery (next_attempt_at) where status in ('pending', 'sending');
