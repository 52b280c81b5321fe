"""A silo on embedded defaults (in-memory state, the bundled model), started as its own process for the memory
benchmarks in this folder: free loopback ports, a known dev key, RSS read from /proc. Standard library only."""
import http.client
import json
import os
import socket
import subprocess
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DEFAULT_DLL = os.path.join(ROOT, "silo", "SeedGrains.Silo", "bin", "Release", "net10.0", "SeedGrains.Silo.dll")
KEY = "bench-dev-key-0123456789"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class EmbeddedSilo:
    def __init__(self, log_path, dll=DEFAULT_DLL, extra_args=()):
        if not os.path.isfile(dll):
            raise SystemExit(f"{dll} is not built: dotnet build silo/SeedGrains.Silo -c Release")
        self.port = free_port()
        self.log_path = log_path
        args = ["dotnet", dll, f"--Urls=http://127.0.0.1:{self.port}", f"--Orleans:SiloPort={free_port()}",
                f"--DEV_API_KEY={KEY}", *extra_args]
        env = dict(os.environ, OMP_NUM_THREADS=os.environ.get("OMP_NUM_THREADS", "1"))
        self.log = open(log_path, "w")
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT, env=env)
        deadline = time.time() + 180
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"the silo exited with {self.proc.returncode}; see {log_path}")
            try:
                if self.request("GET", "/healthz", key=None)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.5)
        raise SystemExit(f"the silo did not become healthy; see {log_path}")

    def connection(self):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=300)

    def request(self, method, path, body=None, key=KEY, conn=None):
        """(status, parsed JSON or None); reuses `conn` (keep-alive) when given."""
        own = conn is None
        conn = conn or self.connection()
        headers = {"Content-Type": "application/json"}
        if key is not None:
            headers["Authorization"] = f"Bearer {key}"
        try:
            conn.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
            response = conn.getresponse()
            data = response.read()
            try:
                return response.status, json.loads(data) if data else None
            except ValueError:
                return response.status, None
        finally:
            if own:
                conn.close()

    def rss_mb(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        raise RuntimeError("no VmRSS")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.close()
