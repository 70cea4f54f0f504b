"""The server is killed with SIGKILL during a burst of 500 posts: every acknowledged note is kept, none twice."""
import json
import signal
import threading
import time
import urllib.error
import urllib.request

POSTS = 500


def post(server, i):
    """Post note i as a phone would; True when the server acknowledged it."""
    body = json.dumps({"heading": "Blockers", "text": f"burst note {i}", "client_id": f"burst-{i:05d}"}).encode()
    request = urllib.request.Request(f"{server.base}/api/v1/events/{server.code}/tables/1/notes", data=body,
                                     method="POST", headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status in (200, 201)
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return False

def test_sigkill_during_a_burst_loses_nothing_acknowledged(fresh_server):
    assert fresh_server.control("start")[0] == 200
    acknowledged: set[int] = set()
    lock = threading.Lock()
    pending = list(range(POSTS))

    def phone():
        while True:
            with lock:
                if not pending:
                    return
                i = pending.pop()
            if post(fresh_server, i):
                with lock:
                    acknowledged.add(i)

    threads = [threading.Thread(target=phone) for _ in range(8)]
    for thread in threads:
        thread.start()
    while len(acknowledged) < 150:
        time.sleep(0.01)
    fresh_server.kill(signal.SIGKILL)
    for thread in threads:
        thread.join()
    assert 150 <= len(acknowledged) < POSTS
    fresh_server.start()
    notes = fresh_server.api("GET", f"/events/{fresh_server.code}/notes?after=0&limit=1000")[1]["notes"]
    kept = [int(n["client_id"].split("-")[1]) for n in notes]
    assert acknowledged <= set(kept) and len(kept) == len(set(kept))
    for i in range(POSTS):  # every phone retries what it has not seen acknowledged, with the same client id
        if i not in acknowledged:
            assert post(fresh_server, i)
    notes = fresh_server.api("GET", f"/events/{fresh_server.code}/notes?after=0&limit=1000")[1]["notes"]
    assert sorted(int(n["client_id"].split("-")[1]) for n in notes) == list(range(POSTS))
