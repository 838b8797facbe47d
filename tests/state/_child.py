"""A separate process for the state tests: ``python _child.py ACTION URL [ARGS]``.

hold URL NAME          take the lock NAME, print "held", then sleep until killed
open URL BARRIER       wait until the file BARRIER exists, open the store, print "opened"
count URL N            N times: under the lock "counter", read, add one, write back
write URL              write documents of 2,000 items in a loop until killed
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from attio_bridge.state import open_store


def main(action: str, url: str, *args: str) -> None:
    if action == "open":
        barrier = Path(args[0])
        while not barrier.exists():
            time.sleep(0.005)
        open_store(url).close()
        print("opened", flush=True)
        return
    with open_store(url) as store:
        if action == "hold":
            with store.lock(args[0]):
                print("held", flush=True)
                time.sleep(600)
        elif action == "count":
            for _ in range(int(args[0])):
                with store.lock("counter"):
                    value = (store.get("test", "counter") or {"n": 0})["n"]
                    store.put("test", "counter", {"n": value + 1})
        elif action == "write":
            n = 1
            store.put("test", "doc-1", {"n": n, "items": [n] * 2000})
            print("writing", flush=True)  # after a first write: the test needs one to check
            while True:
                n += 1
                store.put("test", f"doc-{n % 5}", {"n": n, "items": [n] * 2000})


if __name__ == "__main__":
    main(*sys.argv[1:])
