#!/usr/bin/env python3
"""Signs LINE webhook bodies the way LINE does: base64(HMAC-SHA256(channel secret, raw body)).

  sign.py SECRET BODY_FILE              print the x-line-signature for the file's exact bytes
  sign.py SECRET --event EVENT_FILE...  re-sign API Gateway proxy events in place: the
                                        x-line-signature header is recomputed over the event's
                                        "body" (use this after editing a body, or for another
                                        channel secret)

The samples in events/line/ are signed with the documented dev secret tayori-local-dev-secret
(the local run's default). Never put a real channel secret in this folder.
"""
import base64
import hashlib
import hmac
import json
import sys


def signature(secret: str, body: bytes) -> str:
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def resign_event(secret: str, path: str) -> None:
    with open(path, encoding="utf-8") as f:
        event = json.load(f)
    sig = signature(secret, event["body"].encode("utf-8"))
    event.setdefault("headers", {})["x-line-signature"] = sig
    event.setdefault("multiValueHeaders", {})["x-line-signature"] = [sig]
    with open(path, "w", encoding="utf-8") as f:
        json.dump(event, f, ensure_ascii=False, indent=2)
        f.write("\n")
    print(f"{path}: {sig}")


def main(argv: list[str]) -> int:
    if len(argv) >= 3 and argv[1] == "--event":
        for path in argv[2:]:
            resign_event(argv[0], path)
        return 0
    if len(argv) == 2:
        with open(argv[1], "rb") as f:
            print(signature(argv[0], f.read()))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
