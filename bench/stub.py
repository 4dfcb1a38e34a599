"""An ideal target for calibration: an HTTP server that only waits and answers.

Run as ``python bench/stub.py LATENCY_MS``; it prints its base URL and serves, on 127.0.0.1
in its own process, every POST/PUT with ``201 {"results": {...}}`` (new ids counted up) after
LATENCY_MS, and every GET with 404 (so the importer falls back to its shipped catalog). No
routing framework, no checks, no state: its cost per request is close to nothing, so an
import against it shows what the importer itself costs next to the latency limit. Exits when
its standard input closes.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import sys
import threading


async def main(latency: float) -> None:
    numbers = itertools.count(1)

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, path, _ = lines[0].split(" ", 2)
                length = 0
                for line in lines[1:]:
                    name, _, value = line.partition(":")
                    if name.strip().lower() == "content-length":
                        length = int(value)
                if length:
                    await reader.readexactly(length)
                await asyncio.sleep(latency)
                if method in ("POST", "PUT"):
                    connector = path.rstrip("/").rsplit("/", 1)[-1]
                    n = next(numbers)
                    ids = {"DbId": str(n), "BcCo": str(n), "PrId": str(n), "OrNu": str(n)}
                    body = json.dumps({"results": {connector: ids}}).encode()
                    status = b"201 Created"
                else:
                    body, status = b"{}", b"404 Not Found"
                writer.write(
                    b"HTTP/1.1 " + status + b"\r\ncontent-type: application/json\r\n"
                    b"content-length: " + str(len(body)).encode() + b"\r\n\r\n" + body
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    print(json.dumps({"base_url": f"http://127.0.0.1:{port}/ProfitRestServices"}), flush=True)
    threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(float(sys.argv[1]) / 1000))
