"""``veche sync PEER_URL`` and ``veche bundle export|import|vector|qr|unqr``.

Moving committee logs when the internet is cut: over a LAN (sync), on a USB
stick (bundle files), or through a camera (QR codes). See docs/sync.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from veche.cli.base import CliError, add_json_flag, print_json, ready
from veche.cli.keys import load_signer


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sync = commands.add_parser(
        "sync", help="pull from and push to another node (sync-v1 over HTTP)"
    )
    sync.add_argument(
        "peer", nargs="?", help="the other node's address, e.g. http://10.0.0.2:8000/"
    )
    sync.add_argument("--space", action="append", help="only this space (repeatable)")
    sync.add_argument(
        "--as",
        dest="as_key",
        type=Path,
        action="append",
        help="a member's key file: certifies this node to hold that member's committees",
    )
    sync.add_argument("--every", type=float, help="repeat every SECONDS until interrupted")
    sync.add_argument("--node-key", action="store_true", help="print this node's key and exit")
    add_json_flag(sync)
    sync.set_defaults(handler=_sync)

    bundle = commands.add_parser("bundle", help="bundle files and QR codes for sneakernet")
    sub = bundle.add_subparsers(dest="bundle_command", metavar="ACTION", required=True)

    export = sub.add_parser("export", help="write a signed, encrypted bundle of events")
    export.add_argument("--space", action="append", help="only this space (repeatable)")
    export.add_argument(
        "--since", type=Path, help="vector file from the receiving node: send only what it lacks"
    )
    export.add_argument(
        "--public", action="store_true", help="signed but not encrypted (published material)"
    )
    export.add_argument(
        "--to", action="append", default=[], metavar="KEY", help="also readable by this key"
    )
    export.add_argument(
        "--compression",
        choices=("zlib", "lzma"),
        default="zlib",
        help="zlib (default: fast) or lzma (up to 40%% smaller on big logs, 7x slower to"
        " write; worth it for QR codes and slow links)",
    )
    export.add_argument("-o", "--output", type=Path, required=True)
    add_json_flag(export)
    export.set_defaults(handler=_export)

    imp = sub.add_parser(
        "import",
        help="check and import a bundle file (only committees this node holds, those the"
        " --as keys may hold, and those named with --space)",
    )
    imp.add_argument("file", type=Path)
    imp.add_argument(
        "--as",
        dest="as_key",
        type=Path,
        action="append",
        help="a member's key file: opens the bundle, and its committees are taken",
    )
    add_space_flag(imp)
    add_json_flag(imp)
    imp.set_defaults(handler=_import)

    vector = sub.add_parser("vector", help="write what this node holds, for the sender's --since")
    vector.add_argument("--space", action="append")
    vector.add_argument("-o", "--output", type=Path, required=True)
    vector.set_defaults(handler=_vector)

    qr = sub.add_parser(
        "qr",
        help="turn a bundle into QR codes and an HTML slideshow (fountain frames: any"
        " codes a little more numerous than the fragments rebuild it)",
    )
    qr.add_argument("file", type=Path)
    qr.add_argument("-o", "--output", type=Path, required=True, help="folder to write")
    qr.add_argument("--svg", action="store_true", help="SVG instead of PNG images")
    qr.add_argument(
        "--framing",
        type=int,
        choices=(1, 2),
        default=2,
        help="2 (default): fountain frames, docs/formats/qr-v2.md; 1: numbered parts,"
        " every one of which must be scanned (for readers older than v2)",
    )
    qr.add_argument(
        "--frames",
        type=int,
        metavar="N",
        help="v2: how many frames to write (default: the fragments and half as many again)",
    )
    qr.add_argument(
        "--frame-bytes",
        type=int,
        default=1273,
        metavar="BYTES",
        help="v2: bytes per code (default 1273: QR version 25, level L; less for weak"
        " cameras, more codes)",
    )
    add_json_flag(qr)
    qr.set_defaults(handler=_qr)

    unqr = sub.add_parser(
        "unqr", help="put a bundle back together from images of its QR codes (v1 or v2)"
    )
    unqr.add_argument("images", type=Path, nargs="+")
    unqr.add_argument("-o", "--output", type=Path, required=True, help="bundle file to write")
    add_json_flag(unqr)
    unqr.set_defaults(handler=_unqr)


def add_space_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--space",
        action="append",
        default=[],
        metavar="ID",
        help="also take this committee, new to this node (repeatable; write --space=ID)",
    )


def speaking() -> AbstractContextManager[None]:
    """Speak the user's language within the block: $VECHE_LANGUAGE, else $LC_ALL,
    $LC_MESSAGES or $LANG, if the node has it; English otherwise. Django must be set up."""
    import os

    from django.conf import settings
    from django.utils import translation

    offered = {code for code, _name in settings.LANGUAGES}
    chosen = settings.LANGUAGE_CODE
    for variable in ("VECHE_LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable, "")
        if value:
            code = value.split(".")[0].split("_")[0].split("-")[0].lower()
            chosen = code if code in offered else chosen
            break
    return translation.override(chosen)


def _members(paths: list[Path] | None) -> list[Any]:
    if not paths:
        return []
    return [load_signer(path) for path in paths]


def _sync(args: argparse.Namespace) -> int:
    ready(args)
    from veche.apps.sync.node import node_identity

    if args.node_key:
        print(node_identity().public)
        return 0
    if not args.peer:
        raise CliError("give the peer's address, e.g. veche sync http://10.0.0.2:8000/")
    from django.core.exceptions import ValidationError

    from veche.apps.sync.models import check_peer_url

    try:
        args.peer = check_peer_url(args.peer)
    except ValidationError as error:
        raise CliError(f"{args.peer}: {' '.join(error.messages)}") from error
    members = _members(args.as_key)
    while True:
        status = _sync_once(args, members)
        if not args.every:
            return status
        time.sleep(max(1.0, args.every))


def _sync_once(args: argparse.Namespace, members: list[Any]) -> int:
    from veche.apps.sync.models import Peer
    from veche.apps.sync.runner import record_outcome
    from veche.apps.sync.service import failure_record, sync_with
    from veche.sync.errors import SyncError

    url = args.peer
    peer, _ = Peer.objects.get_or_create(url=url)
    try:
        result = sync_with(
            url, spaces=args.space, members=members, expected_node=peer.node_key or None
        )
    except SyncError as error:
        # An update, not a save: a sync the web page runs keeps its running mark.
        record_outcome(peer.id, Peer.Status.FAILED, failure_record(error))
        if args.every:
            print(f"sync with {url} failed: {error}", file=sys.stderr, flush=True)
            return 1
        raise CliError(f"sync with {url} failed: {error}") from error
    record_outcome(peer.id, Peer.Status.OK, result.record(), node_key=result.peer_node)
    if args.json:
        print_json(result.as_dict())
    else:
        print(f"{url}: {result.text()}", flush=True)
    return 0


def _read_vector(path: Path) -> dict[str, dict[str, int]]:
    from veche.sync.errors import SyncError
    from veche.sync.vector import check_vector

    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(document, dict) or document.get("format") != "veche-vector-v1":
            raise CliError(f"{path} is not a Veche vector file (veche bundle vector)")
        return check_vector(document.get("vector"))
    except (OSError, ValueError) as error:
        if isinstance(error, SyncError):
            raise CliError(f"{path}: {error}") from error
        raise CliError(f"cannot read {path}: {error}") from error


def _export(args: argparse.Namespace) -> int:
    ready(args)
    from veche.apps.sync.bundles import export_bundle
    from veche.sync.errors import BundleError

    since = _read_vector(args.since) if args.since else None
    try:
        data, count = export_bundle(
            spaces=args.space,
            since=since,
            public=args.public,
            to=args.to,
            compression=args.compression,
        )
    except BundleError as error:
        raise CliError(str(error)) from error
    args.output.write_bytes(data)
    if args.json:
        print_json({"file": str(args.output), "events": count, "bytes": len(data)})
    else:
        print(f"{count} events, {len(data)} bytes written to {args.output}")
    return 0


def _import(args: argparse.Namespace) -> int:
    ready(args)
    with speaking():
        return _import_bundle(args)


def _import_bundle(args: argparse.Namespace) -> int:
    from veche.apps.sync.bundles import import_bundle
    from veche.apps.sync.gate import Source
    from veche.sync.bundle import MAX_BUNDLE_BYTES
    from veche.sync.errors import BundleError

    try:
        size = args.file.stat().st_size
        if size > MAX_BUNDLE_BYTES:
            raise CliError(f"{args.file} is {size} bytes, more than any bundle may be")
        data = args.file.read_bytes()
    except OSError as error:
        raise CliError(f"cannot read {args.file}: {error}") from error
    members = _members(args.as_key)
    # The operator at the command line: the committees this node holds, those the
    # --as keys may hold, those named with --space (docs/sync.md, "What a node accepts").
    source = Source.operator(
        f"file:{args.file}", keys=[m.public for m in members], spaces=args.space
    )
    try:
        result = import_bundle(data, members, source=source)
    except BundleError as error:
        raise CliError(f"{args.file} rejected: {error}") from error
    if args.json:
        print_json(result.as_dict())
    else:
        print(result.text())
    return 1 if result.refused else 0


def _vector(args: argparse.Namespace) -> int:
    ready(args)
    from veche.apps.sync.service import held_spaces, local_vector

    vector = local_vector(args.space or held_spaces())
    args.output.write_text(
        json.dumps({"format": "veche-vector-v1", "vector": vector}, sort_keys=True) + "\n",
        encoding="utf-8",
    )
    print(f"vector of {len(vector)} spaces written to {args.output}")
    return 0


def _qr(args: argparse.Namespace) -> int:
    from veche.sync.errors import QrError
    from veche.sync.qr import write_codes

    try:
        data = args.file.read_bytes()
        paths = write_codes(
            data,
            args.output,
            kind="svg" if args.svg else "png",
            framing=args.framing,
            frames=args.frames,
            frame_bytes=args.frame_bytes,
        )
    except OSError as error:
        raise CliError(f"cannot read {args.file}: {error}") from error
    except QrError as error:
        raise CliError(str(error)) from error
    if args.json:
        print_json({"codes": [str(p) for p in paths], "page": str(args.output / "index.html")})
    else:
        print(f"{len(paths)} QR codes in {args.output}; open {args.output / 'index.html'}")
        if args.framing == 2:
            from veche.sync.fountain import fragment_length

            fragments = -(-len(data) // fragment_length(len(data), args.frame_bytes))
            print(f"about {fragments} of them, in any order, rebuild the bundle")
    return 0


def _unqr(args: argparse.Namespace) -> int:
    from veche.sync.errors import QrError
    from veche.sync.qr import assemble, decode_images

    parts, problems = decode_images(args.images)
    for problem in problems:
        print(f"warning: {problem}", file=sys.stderr)
    try:
        data = assemble(parts)
    except QrError as error:
        if args.json:
            print_json({"ok": False, "reason": error.reason, "missing": list(error.missing)})
            return 1
        raise CliError(str(error)) from error
    args.output.write_bytes(data)
    if args.json:
        print_json({"ok": True, "file": str(args.output), "bytes": len(data), "parts": len(parts)})
    else:
        print(f"bundle of {len(data)} bytes written to {args.output}")
    return 0
