"""The approver CLI: review and decide approval requests without the dashboard.

    agentsecretstore approvals list [--status pending|delayed|approved|denied|cancelled|expired|all]
                                    [--namespace NS] [--limit N] [--cursor C]
    agentsecretstore approvals show ID
    agentsecretstore approvals approve ID [--comment TEXT] [--ttl-seconds N] [--max-uses N] [--scope SCOPE]
    agentsecretstore approvals deny ID --reason TEXT
    agentsecretstore approvals cancel ID [--reason TEXT]
    agentsecretstore verify-receipt FILE [--keys KEYS.json]
    agentsecretstore verify-checkpoint FILE [--keys KEYS.json] [--against-service]
    agentsecretstore login [--issuer URL] [--client-id ID]
    agentsecretstore logout

``verify-receipt`` and ``verify-checkpoint`` check a saved receipt or checkpoint against the
public keys saved from ``GET /v1/audit/public-key`` (``--keys``), offline; without ``--keys`` the
keys are fetched from the service. ``--against-service`` also asks the service (an admin's key)
whether its audit chain still holds the checkpoint: removed seals are caught this way.

``login`` signs a person in with the organisation's identity provider (device authorization grant,
RFC 8628; see ``signin``); while signed in, every command uses that identity. Otherwise the key comes
from ``ASS_API_KEY`` (else ``ASS_AGENT_KEY``). The service comes from ``--base-url``
(else ``ASS_BASE_URL``, else http://localhost:8080). ``--json`` prints the service's JSON instead
of text. Exit status: 0 done, 1 the service refused or failed, 2 bad usage or configuration.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from datetime import datetime
from typing import Any, List, Optional, Sequence

from ._version import __version__
from . import signin
from .client import DEFAULT_BASE_URL, AgentVault
from .errors import AgentSecretStoreError, ConfigurationError, SignatureError
from .models import ApprovalRequest
from .archive import verify_archives
from .signatures import verify_checkpoint, verify_receipt

STATUSES = ("pending", "delayed", "approved", "denied", "cancelled", "expired", "all")


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", default=argparse.SUPPRESS,
                        help="print the service's JSON instead of text")

    parser = argparse.ArgumentParser(
        prog="agentsecretstore",
        description="Review and decide Agent Secret Store approval requests. "
                    "Key: $ASS_API_KEY (or $ASS_AGENT_KEY); service: $ASS_BASE_URL.",
        parents=[common],
    )
    parser.add_argument("--base-url", help="service URL (default: $ASS_BASE_URL, else http://localhost:8080)")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per HTTP call (default 30)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log each HTTP call and retry to stderr")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    groups = parser.add_subparsers(dest="group", metavar="{approvals,login,logout,verify-receipt,verify-checkpoint,verify-archive}")
    groups.required = True
    p = groups.add_parser("verify-receipt", help="check a saved decision receipt's signature", parents=[common])
    p.add_argument("file", help="the receipt, as GET /v1/approvals/{id}/receipt returned it ('-': stdin)")
    p.add_argument("--keys", help="the saved GET /v1/audit/public-key document (default: ask the service)")
    p = groups.add_parser("verify-checkpoint", help="check a saved audit checkpoint's signature", parents=[common])
    p.add_argument("file", help="the checkpoint, as GET /v1/audit/checkpoint returned it ('-': stdin)")
    p.add_argument("--keys", help="the saved GET /v1/audit/public-key document (default: ask the service)")
    p.add_argument("--against-service", action="store_true",
                   help="also have the service verify its chain against the checkpoint (admin key)")
    p = groups.add_parser("verify-archive", help="check exported audit archives offline (no service, no database)",
                          parents=[common])
    p.add_argument("files", nargs="+", help="archive files (.jsonl.gz), oldest first; each must continue the one before")
    p.add_argument("--keys", required=True, help="the saved GET /v1/audit/public-key document")
    p = groups.add_parser("login", help="sign in with your identity provider (device code in a browser)", parents=[common])
    p.add_argument("--issuer", help="the provider's issuer URL (default: $ASS_OIDC_ISSUER, else asked of the service)")
    p.add_argument("--client-id", help=f"the CLI's client at the provider (default: $ASS_OIDC_CLIENT_ID, "
                                       f"else {signin.DEFAULT_CLIENT_ID})")
    groups.add_parser("logout", help="sign out: forget the stored tokens", parents=[common])
    approvals = groups.add_parser("approvals", help="approval requests", parents=[common])
    commands = approvals.add_subparsers(dest="command", metavar="{list,show,approve,deny,cancel}")
    commands.required = True

    p = commands.add_parser("list", help="list requests (pending ones by default)", parents=[common])
    p.add_argument("--status", choices=STATUSES, default="pending", help="filter by status ('all': no filter)")
    p.add_argument("--namespace", help="only requests in this namespace")
    p.add_argument("--limit", type=int, help="page size (service default 50, max 500)")
    p.add_argument("--cursor", help="next_cursor of the previous page")

    p = commands.add_parser("show", help="show one request with its decisions", parents=[common])
    p.add_argument("id")

    p = commands.add_parser("approve", help="approve a request", parents=[common])
    p.add_argument("id")
    p.add_argument("--comment", help="why (kept in the audit trail)")
    p.add_argument("--ttl-seconds", type=int, help="narrow: a shorter token lifetime")
    p.add_argument("--max-uses", type=int, help="narrow: fewer reads with the token")
    p.add_argument("--scope", help="narrow: a scope within the one in effect")

    p = commands.add_parser("deny", help="deny a request (ends it)", parents=[common])
    p.add_argument("id")
    p.add_argument("--reason", required=True, help="why (required; the requester sees it)")

    p = commands.add_parser("cancel", help="cancel a pending or delayed request", parents=[common])
    p.add_argument("id")
    p.add_argument("--reason", help="why")
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = _parser().parse_args(argv)
    as_json = getattr(args, "json", False)
    if args.verbose:
        logging.basicConfig(format="%(levelname)s %(name)s: %(message)s")
        logging.getLogger("agentsecretstore").setLevel(logging.DEBUG)
    try:
        if args.group in ("login", "logout"):
            return _session(args)
        if args.group == "verify-archive":
            return _verify_archives(args, as_json)
        if args.group in ("verify-receipt", "verify-checkpoint"):
            return _verify(args, as_json)
        return asyncio.run(_run(_vault(args), args, as_json))
    except ConfigurationError as e:
        print(f"agentsecretstore: {e.detail}", file=sys.stderr)
        return 2
    except SignatureError as e:
        print(f"agentsecretstore: NOT VALID: {e.detail}", file=sys.stderr)
        return 1
    except AgentSecretStoreError as e:
        if as_json:
            print(json.dumps(e.to_dict(), indent=2), file=sys.stderr)
        else:
            print(f"agentsecretstore: {e}", file=sys.stderr)
        return 1
    except signin.SignInError as e:
        print(f"agentsecretstore: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _vault(args: argparse.Namespace) -> AgentVault:
    key = signin.access_token(timeout=args.timeout) or os.environ.get("ASS_API_KEY") or os.environ.get("ASS_AGENT_KEY")
    if not key:
        raise ConfigurationError("Not signed in and no API key: run 'agentsecretstore login', "
                                 "or set ASS_API_KEY (or ASS_AGENT_KEY) to an approver's key")
    return AgentVault(api_key=key, base_url=args.base_url, timeout=args.timeout)


def _load(path: str) -> Any:
    try:
        if path == "-":
            text = sys.stdin.read()
        else:
            with open(path, encoding="utf-8") as f:
                text = f.read()
        return json.loads(text)
    except (OSError, ValueError) as e:
        raise ConfigurationError(f"cannot read {path}: {e}") from None


def _verify(args: argparse.Namespace, as_json: bool) -> int:
    """Checks a receipt or checkpoint offline (the service only for keys not given, or --against-service)."""
    document = _load(args.file)
    against = getattr(args, "against_service", False)
    vault = _vault(args) if args.keys is None or against else None
    keys = _load(args.keys) if args.keys else asyncio.run(vault.audit_public_keys())
    if args.group == "verify-receipt":
        receipt = verify_receipt(document, keys)
        if as_json:
            _print_json({"valid": True, "key_id": document.get("key_id"), "receipt": receipt})
        else:
            sys.stdout.write(format_receipt(receipt))
        return 0
    verify_checkpoint(document, keys)
    result = {"valid": True, "key_id": document.get("key_id"), "chain_seq": document.get("chain_seq"),
              "entry_hash": document.get("entry_hash")}
    text = (f"Checkpoint valid: chain_seq {document['chain_seq']}, entry hash {document['entry_hash']}, "
            f"sealed at {document['sealed_at']}, signed by {document['key_id']}.\n")
    status = 0
    if against:
        verdict = asyncio.run(vault.verify_audit(checkpoint=document))
        result["service"] = verdict
        if verdict.get("valid"):
            text += "The service's audit chain is intact and still holds this checkpoint.\n"
        else:
            broken = verdict.get("first_broken") or {}
            text += f"The service's audit chain is NOT intact: {broken.get('reason')} (entry {broken.get('id')}).\n"
            status = 1
    if as_json:
        _print_json(result)
    else:
        sys.stdout.write(text)
    return status


def _verify_archives(args: argparse.Namespace, as_json: bool) -> int:
    """Checks archive files against saved public keys only: the service is never asked."""
    results = verify_archives(args.files, _load(args.keys))
    if as_json:
        _print_json({"valid": True, "archives": results})
    else:
        for r in results:
            sys.stdout.write(f"Archive valid: {r['partition']}, seals {r['first_seal']}-{r['last_seal']}, "
                             f"chain_seq {r['first_seq']}-{r['chain_seq']} ({r['entries']} entries), "
                             f"head {r['entry_hash']}, signed by {r['key_id']}.\n")
    return 0


def format_receipt(r: Any) -> str:
    lines = [f"Receipt valid: request {r.get('request_id')} {r.get('outcome')}, signed by {r.get('key_id')}."]

    def add(label: str, value: Any) -> None:
        if value not in (None, "", []):
            lines.append(f"  {label + ':':<14} {value}")

    requester = r.get("requester") or {}
    add("Requested by", f"{requester.get('name')} ({requester.get('id')})")
    add("Scope", r.get("scope"))
    add("Secrets", ", ".join(r.get("secret_paths") or []))
    add("Tier", r.get("tier"))
    add("Token TTL", f"{r.get('ttl_seconds')} s")
    add("Description", r.get("description"))
    policy = r.get("policy")
    add("Policy", f"revision {policy.get('revision')}, sha256 {policy.get('sha256')}" if policy else None)
    for d in r.get("decisions") or []:
        by = d.get("by") or {}
        note = f": {d.get('note')}" if d.get("note") else ""
        add(d.get("kind", "").capitalize(), f"{by.get('name')} ({by.get('id')}) at {d.get('at')}{note}")
    add("Delay", f"{r.get('delay_seconds')} s" if r.get("delay_seconds") else None)
    add("Issue at", r.get("issue_at"))
    add("Token", r.get("token_id"))
    add("Created", r.get("created_at"))
    add("Ended", r.get("ended_at"))
    return "\n".join(lines) + "\n"


def _session(args: argparse.Namespace) -> int:
    if args.group == "logout":
        print("Signed out." if signin.logout(timeout=args.timeout) else "Not signed in.")
        return 0
    base_url = (args.base_url or os.environ.get("ASS_BASE_URL") or DEFAULT_BASE_URL).strip()
    issuer = args.issuer or os.environ.get("ASS_OIDC_ISSUER") or signin.discover_issuer(base_url, timeout=args.timeout)
    client_id = args.client_id or os.environ.get("ASS_OIDC_CLIENT_ID") or signin.DEFAULT_CLIENT_ID
    path = signin.login(issuer, client_id, out=sys.stdout, timeout=args.timeout)
    print(f"Signed in. Tokens kept in {path} (readable by you only); 'agentsecretstore logout' removes them.")
    return 0


async def _run(vault: AgentVault, args: argparse.Namespace, as_json: bool) -> int:
    out = sys.stdout
    if args.command == "list":
        page = await vault.list_approvals(
            status=None if args.status == "all" else args.status,
            namespace=args.namespace, limit=args.limit, cursor=args.cursor,
        )
        if as_json:
            _print_json({"items": [dict(item.raw) for item in page.items], "next_cursor": page.next_cursor})
        else:
            out.write(format_list(page.items, page.next_cursor))
        return 0
    if args.command == "show":
        view = await vault.get_approval(args.id)
    elif args.command == "approve":
        view = await vault.approve(args.id, comment=args.comment, ttl_seconds=args.ttl_seconds,
                                   max_uses=args.max_uses, scope=args.scope)
    elif args.command == "deny":
        view = await vault.deny(args.id, reason=args.reason)
    else:
        view = await vault.cancel(args.id, reason=args.reason)
    if as_json:
        _print_json(dict(view.raw))
    elif args.command == "show":
        out.write(format_show(view))
    else:
        out.write(format_outcome(args.command, view))
    return 0


def _print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False))


def _when(value: Optional[datetime]) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%SZ") if value else "-"


def format_list(items: List[ApprovalRequest], next_cursor: Optional[str]) -> str:
    if not items:
        return "No approval requests.\n"
    rows = [("ID", "STATUS", "TIER", "APPROVALS", "REQUESTED BY", "EXPIRES", "SCOPE")]
    for r in items:
        rows.append((r.id, r.status, r.tier or "-", f"{r.received_approvals}/{r.required_approvals}",
                     r.requested_by or "-", _when(r.expires_at), r.scope or "-"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)) + "  " + row[-1] for row in rows]
    if next_cursor:
        lines.append(f"More: --cursor {next_cursor}")
    return "\n".join(lines) + "\n"


def format_show(r: ApprovalRequest) -> str:
    lines = [f"Approval request {r.id}"]

    def add(label: str, value: Any) -> None:
        if value not in (None, "", []):
            lines.append(f"  {label + ':':<14} {value}")

    add("Status", r.status)
    tier = f"{r.tier} ({r.received_approvals} of {r.required_approvals} approvals"
    if r.approval_delay_seconds:
        tier += f", then {r.approval_delay_seconds} s to cancel"
    add("Tier", tier + ")")
    add("Requested by", f"{r.requested_by} ({r.requester_id})" if r.requester_id else r.requested_by)
    add("Trust tier", r.trust_tier)
    add("Scope", r.scope)
    add("Secrets", ", ".join(r.secret_paths))
    add("Description", r.description)
    add("Token TTL", f"{r.ttl_seconds} s" if r.ttl_seconds else None)
    add("Created", _when(r.created_at) if r.created_at else None)
    add("Expires", _when(r.expires_at) if r.expires_at else None)
    add("Issue at", _when(r.issue_at) if r.issue_at else None)
    add("Decided", _when(r.decided_at) if r.decided_at else None)
    add("Why this tier", r.explanation)
    if r.approvals:
        lines.append("  Approvals:")
        for a in r.approvals:
            note = f": {a.comment}" if a.comment else ""
            lines.append(f"    - {a.approver_name or a.approver_id} at {_when(a.approved_at)}{note}")
    for label, ending in (("Denied by", r.denial), ("Cancelled by", r.cancellation)):
        if ending:
            note = f": {ending.reason}" if ending.reason else ""
            add(label, f"{ending.by_name or ending.by_id} at {_when(ending.at)}{note}")
    add("Approve URL", r.approve_url)
    return "\n".join(lines) + "\n"


def format_outcome(command: str, r: ApprovalRequest) -> str:
    verb = {"approve": "Approved", "deny": "Denied", "cancel": "Cancelled"}[command]
    text = f"{verb} {r.id}: status {r.status}"
    if command == "approve":
        text += f", {r.received_approvals} of {r.required_approvals} approvals"
        if r.status == "delayed" and r.issue_at:
            text += f"; the token is issued at {_when(r.issue_at)} unless cancelled before"
    return text + ".\n"


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
