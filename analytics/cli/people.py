"""Commands on people: users (add, remove, list, passwd, role) and the audit log."""

from __future__ import annotations

import getpass
import json
import sys

from analytics.access import audit, identity, users
from analytics.access.scope import check_scope
from analytics.cli.common import EXIT_AUDIT_BROKEN, EXIT_BAD_INPUT, cli_actor, say
from analytics.storage import store


def new_password(args, name: str) -> str:
    """The new password: from standard input (one line) or typed twice, never echoed."""
    from analytics.access.identity import AuthError

    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass(say(args.lang, "password", name=name))
    if getpass.getpass(say(args.lang, "password_again")) != first:
        raise AuthError("auth.password_mismatch")
    return first


def auth_error(exc, lang: str) -> int:
    print(exc.text(lang), file=sys.stderr)
    return EXIT_BAD_INPUT


def cmd_users_add(args) -> int:

    db = store.open_store(args.db)
    try:
        name = identity.check_name(args.name)
        if name in set(users.list_users(db)["name"]):
            raise identity.AuthError("auth.user_exists", name=name)
        scope = check_scope(args.station, provincial=args.provincial)
        users.add_user(
            db,
            name,
            new_password(args, name),
            role=args.role,
            station=scope.home,
            provincial=args.provincial,
            actor=cli_actor(),
        )
    except identity.AuthError as exc:
        return auth_error(exc, args.lang)
    print(say(args.lang, "user_added", name=name, role=args.role, where=_where(scope, args.lang)))
    return 0


def _where(scope, lang: str) -> str:
    if scope.province:
        return say(lang, "where_province", station=scope.home, province=scope.province)
    return say(lang, "where_station", station=scope.home)


def cmd_users_scope(args) -> int:

    db = store.open_store(args.db)
    try:
        scope = check_scope(args.station, provincial=args.provincial)
        users.set_scope(
            db, args.name, station=scope.home, provincial=args.provincial, actor=cli_actor()
        )
    except identity.AuthError as exc:
        return auth_error(exc, args.lang)
    print(say(args.lang, "user_scope", name=args.name, where=_where(scope, args.lang)))
    return 0


def cmd_users_remove(args) -> int:

    db = store.open_store(args.db)
    try:
        users.remove_user(db, args.name, actor=cli_actor())
    except identity.AuthError as exc:
        return auth_error(exc, args.lang)
    print(say(args.lang, "user_removed", name=args.name))
    return 0


def cmd_users_passwd(args) -> int:

    db = store.open_store(args.db)
    try:
        name = identity.check_name(args.name)
        if name not in set(users.list_users(db)["name"]):
            raise identity.AuthError("auth.no_user", name=name)
        users.set_password(db, name, new_password(args, name), actor=cli_actor())
    except identity.AuthError as exc:
        return auth_error(exc, args.lang)
    print(say(args.lang, "user_passwd", name=name))
    return 0


def cmd_users_role(args) -> int:

    db = store.open_store(args.db)
    try:
        users.set_role(db, args.name, args.role, actor=cli_actor())
    except identity.AuthError as exc:
        return auth_error(exc, args.lang)
    print(say(args.lang, "user_role", name=args.name, role=args.role))
    return 0


def cmd_users_list(args) -> int:

    frame = users.list_users(store.open_store(args.db))
    if args.json:
        print(frame.to_json(orient="records", force_ascii=False, indent=2, date_format="iso"))
    else:
        print(frame.to_string(index=False) if len(frame) else say(args.lang, "no_users"))
    return 0


def cmd_audit(args) -> int:

    if args.verify:
        from dataclasses import asdict

        found = audit.verify_audit_chain(store.open_store(args.db))
        if args.json:
            print(json.dumps({"ok": found.ok, "text": found.text(args.lang)} | asdict(found)))
        else:
            print(found.text(args.lang), file=sys.stdout if found.ok else sys.stderr)
        return 0 if found.ok else EXIT_AUDIT_BROKEN
    frame = audit.read_audit(store.open_store(args.db), limit=args.limit)
    if args.json:
        print(frame.to_json(orient="records", force_ascii=False, indent=2, date_format="iso"))
    else:
        print(frame.to_string(index=False) if len(frame) else "-")
    return 0


def add_commands(sub, common) -> None:

    p = sub.add_parser("users", help="manage who may sign in (add, remove, list, passwd, role)")
    users = p.add_subparsers(dest="users_command", required=True)
    stdin_help = "read the password from standard input (one line) instead of prompting"
    provincial_help = (
        "the user may open every station of --station's province (its file's [station] province)"
    )
    q = users.add_parser("add", parents=[common], help="add a user (password asked twice)")
    q.add_argument("name")
    q.add_argument("--role", choices=identity.ROLES, default="viewer")
    q.add_argument("--provincial", action="store_true", help=provincial_help)
    q.add_argument("--password-stdin", action="store_true", help=stdin_help)
    q.set_defaults(func=cmd_users_add)
    q = users.add_parser(
        "scope", parents=[common], help="move a user to --station (and --provincial or not)"
    )
    q.add_argument("name")
    q.add_argument("--provincial", action="store_true", help=provincial_help)
    q.set_defaults(func=cmd_users_scope)
    q = users.add_parser("remove", parents=[common], help="remove a user")
    q.add_argument("name")
    q.set_defaults(func=cmd_users_remove)
    q = users.add_parser("list", parents=[common], help="list users (never their passwords)")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_users_list)
    q = users.add_parser("passwd", parents=[common], help="set a user's password (and unlock)")
    q.add_argument("name")
    q.add_argument("--password-stdin", action="store_true", help=stdin_help)
    q.set_defaults(func=cmd_users_passwd)
    q = users.add_parser("role", parents=[common], help="change a user's role")
    q.add_argument("name")
    q.add_argument("--role", choices=identity.ROLES, required=True)
    q.set_defaults(func=cmd_users_role)

    p = sub.add_parser("audit", parents=[common], help="show the audit log, newest first")
    p.add_argument("--limit", type=int, default=50)
    p.add_argument(
        "--verify",
        action="store_true",
        help="check the hash chain of the whole log (exit 3 at the first broken link)",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_audit)
