#!/usr/bin/env python3
"""A stand-in for the Hybrid AI platform for the local trial (`make run`) — never used by the tests.

One loopback HTTP server answering like:
  - the gateway's health endpoints  (/v1/system/health, /v1/system/health/components; Bearer FAKE_PLATFORM_KEY)
  - Prometheus' query API           (/api/v1/query, /api/v1/query_range; canned values per metric name)
  - the Kubernetes API              (deployments, statefulsets and their scale, configmaps, pods, logs, nodes,
                                     metrics.k8s.io, jobs; Bearer FAKE_PLATFORM_TOKEN; state kept in memory)
  - PagerDuty's REST and Events API (/incidents, /v2/enqueue; printed, so you see what the bot would send)
Every request is printed on stderr.
"""
import json, os, sys, threading, time, re
from datetime import datetime, timezone
from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler
from urllib.parse import urlparse, parse_qs

KEY = os.environ.get("FAKE_PLATFORM_KEY", "local-trial-key")
TOKEN = os.environ.get("FAKE_PLATFORM_TOKEN", "local-trial-kube-token")
NS = os.environ.get("KUBERNETES_NAMESPACE", "hybrid-ai")
lock = threading.Lock()

def now():
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")

def workload(kind, name, replicas):
    return {"kind": kind, "apiVersion": "apps/v1",
            "metadata": {"name": name, "namespace": NS, "generation": 1, "labels": {"app": name}},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}, "annotations": {}},
                                  "spec": {"containers": [{"name": name, "image": f"hybrid/{name}:2.4.1",
                                                           "resources": {"limits": {"memory": "4Gi"}, "requests": {"memory": "2Gi"}}}]}}},
            "status": {"observedGeneration": 1, "replicas": replicas, "readyReplicas": replicas,
                       "availableReplicas": replicas, "updatedReplicas": replicas}}

DEPLOYMENTS = ["api-gateway", "ai-orchestrator", "earnings-analyzer", "sentiment-analyzer", "risk-analyzer", "risk-predictor",
               "guardrail-engine", "human-review-system", "feedback-processor", "notification-service", "specialized-models"]
state = {
    "deployments": {n: workload("Deployment", n, 3) for n in DEPLOYMENTS},
    "statefulsets": {n: workload("StatefulSet", n, r) for n, r in [("postgresql", 1), ("postgresql-replica", 1), ("redis", 1)]},
    "configmaps": {
        "rate-limit-config": {"rate_limit": "1000"}, "cache-config": {"ttl": "300", "max_size": "256MB"},
        "postgres-config": {"max_connections": "100", "shared_buffers": "128MB"},
        "guardrail-config": {"bypass_mode": "false", "bypass_duration": "0"},
        "guardrail-rules": {"hallucination_threshold": "0.1", "fact_check_timeout": "30", "ethics_check_enabled": "true"},
        "model-config": {"fallback_enabled": "false"}, "system-config": {"maintenance_mode": "false", "maintenance_message": ""},
    },
    "jobs": {},
}

def pods():
    out = []
    for kind in ("deployments", "statefulsets"):
        for name, w in state[kind].items():
            for i in range(w["status"].get("readyReplicas", 0)):
                out.append({"metadata": {"name": f"{name}-{i}", "namespace": NS, "labels": {"app": name},
                                         "creationTimestamp": "2026-11-25T08:00:00Z"},
                            "spec": {"containers": [{"name": name}], "nodeName": "node-1"},
                            "status": {"phase": "Running", "containerStatuses": [{"name": name, "ready": True, "restartCount": 1 if name == "earnings-analyzer" else 0}]}})
    return out

def settle(kind, name, delay):
    def run():
        time.sleep(delay)
        with lock:
            w = state[kind].get(name)
            if w:
                r = w["spec"]["replicas"]
                w["status"].update({"observedGeneration": w["metadata"]["generation"], "replicas": r, "readyReplicas": r,
                                    "availableReplicas": r, "updatedReplicas": r})
                w["status"].pop("unavailableReplicas", None)
    threading.Thread(target=run, daemon=True).start()

PROM = [  # (substring of the PromQL, labels, value)
    ("by (handler)", None, [({"handler": "/v1/analyze"}, "0.81"), ({"handler": "/v1/search"}, "0.33"), ({"handler": "/v1/health"}, "0.01")]),
    ('quantile="0.95"})', None, [({}, "0.42")]),
    ("http_requests_total", None, [({}, "0.004")]),
    ("up{", None, [({}, "0.999")]),
    ("node_cpu_seconds_total", None, [({}, "0.55")]),
    ("node_memory", None, [({}, "0.61")]),
    ("hybrid_queue_depth", None, [({}, "123")]),
    ("db_connections", None, [({"state": "active"}, "18"), ({"state": "idle"}, "40")]),
    ("guardrail_validation_success_rate", None, [({}, "0.97")]),
    ("guardrail_processing_duration", None, [({}, "0.120")]),
    ("DCGM_FI_DEV_GPU_UTIL", None, [({"gpu": "0", "pod": "earnings-analyzer-0"}, "93"), ({"gpu": "1", "pod": "sentiment-analyzer-0"}, "41")]),
    ("DCGM_FI_DEV_FB_USED", None, [({"gpu": "0", "pod": "earnings-analyzer-0"}, "38000"), ({"gpu": "1", "pod": "sentiment-analyzer-0"}, "12000")]),
]

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        sys.stderr.write("fake-platform: %s\n" % (fmt % args))

    def send(self, code, obj, ctype="application/json"):
        body = (json.dumps(obj) if not isinstance(obj, str) else obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def status(self, code, reason, message):
        self.send(code, {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                         "message": message, "reason": reason, "code": code})

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return json.loads(self.rfile.read(n) or b"{}") if n else {}

    def do_HEAD(self): self.route()
    def do_GET(self): self.route()
    def do_POST(self): self.route()
    def do_PUT(self): self.route()
    def do_PATCH(self): self.route()
    def do_DELETE(self): self.route()

    def route(self):
        url = urlparse(self.path)
        q = {k: v[-1] for k, v in parse_qs(url.query).items()}
        p = url.path
        if p == "/-/ready":
            return self.send(200, "ready", "text/plain")
        if p.startswith("/v1/system/health"):
            if self.headers.get("Authorization") != f"Bearer {KEY}":
                return self.send(401, {"detail": "Invalid API key"})
            if p.endswith("/components"):
                return self.send(200, {"status": "degraded", "components": {
                    "database": {"status": "healthy"}, "redis": {"status": "healthy"}, "ai-orchestrator": {"status": "healthy"},
                    "earnings-analyzer": {"status": "degraded", "detail": "p95 2.1 s"}, "guardrail-engine": {"status": "healthy"}}})
            return self.send(200, {"status": "healthy", "version": "2.4.1"})
        if p == "/test-notification" and self.command == "POST":
            return self.send(200, {"status": "sent", "channels": ["email", "slack"]})
        if p in ("/api/v1/query", "/api/v1/query_range"):
            return self.prometheus(q.get("query", ""), p.endswith("range"))
        if p.startswith("/incidents") or p == "/v2/enqueue":
            return self.pagerduty(p)
        if p.startswith("/api") or p.startswith("/apis"):
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                return self.status(401, "Unauthorized", "Unauthorized")
            with lock:
                return self.kubernetes(p, q)
        self.send(404, {"error": "not found"})

    def prometheus(self, query, is_range):
        for needle, _, samples in PROM:
            if needle in query:
                if is_range:
                    t = time.time()
                    result = [{"metric": l, "values": [[t - 300, v], [t, v]]} for l, v in samples]
                    return self.send(200, {"status": "success", "data": {"resultType": "matrix", "result": result}})
                result = [{"metric": l, "value": [time.time(), v]} for l, v in samples]
                return self.send(200, {"status": "success", "data": {"resultType": "vector", "result": result}})
        self.send(200, {"status": "success", "data": {"resultType": "vector", "result": []}})

    def pagerduty(self, p):
        body = self.body() if self.command in ("POST", "PUT") else {}
        sys.stderr.write(f"fake-platform: PagerDuty {self.command} {p} From={self.headers.get('From')} body={json.dumps(body)}\n")
        if p == "/v2/enqueue":
            return self.send(202, {"status": "success", "message": "Event processed", "dedup_key": body.get("dedup_key", "local")})
        m = re.fullmatch(r"/incidents/([A-Z0-9]+)", p)
        if m and self.command == "PUT":
            st = body.get("incident", {}).get("status", "acknowledged")
            return self.send(200, {"incident": {"id": m.group(1), "type": "incident", "incident_number": 1, "status": st, "title": "Local incident",
                                                "html_url": f"https://example.pagerduty.com/incidents/{m.group(1)}"}})
        return self.send(200, {"incidents": [], "limit": 25, "offset": 0, "more": False})

    def kubernetes(self, p, q):
        m = re.fullmatch(r"/apis/apps/v1/namespaces/([^/]+)/(deployments|statefulsets)/([^/]+)(/scale)?", p)
        if m:
            kind, name, scale = m.group(2), m.group(3), m.group(4)
            w = state[kind].get(name)
            if w is None:
                return self.status(404, "NotFound", f'{kind}.apps "{name}" not found')
            if self.command == "PATCH":
                patch = self.body()
                if scale:
                    r = patch.get("spec", {}).get("replicas", w["spec"]["replicas"])
                    w["spec"]["replicas"] = r
                    w["status"]["availableReplicas"] = min(w["status"]["availableReplicas"], r)
                    settle(kind, name, 2)
                else:
                    ann = patch.get("spec", {}).get("template", {}).get("metadata", {}).get("annotations", {})
                    w["spec"]["template"]["metadata"]["annotations"].update(ann)
                    for c in patch.get("spec", {}).get("template", {}).get("spec", {}).get("containers", []):
                        for mine in w["spec"]["template"]["spec"]["containers"]:
                            if mine["name"] == c.get("name"):
                                mine.setdefault("resources", {}).update(c.get("resources", {}))
                    w["metadata"]["generation"] += 1
                    w["status"].update({"updatedReplicas": 0, "unavailableReplicas": 1,
                                        "availableReplicas": max(0, w["spec"]["replicas"] - 1)})
                    settle(kind, name, 3)
            if scale:
                return self.send(200, {"kind": "Scale", "apiVersion": "autoscaling/v1", "metadata": {"name": name, "namespace": NS},
                                       "spec": {"replicas": w["spec"]["replicas"]}, "status": {"replicas": w["status"]["replicas"]}})
            return self.send(200, w)
        m = re.fullmatch(r"/api/v1/namespaces/([^/]+)/configmaps/([^/]+)", p)
        if m:
            data = state["configmaps"].get(m.group(2))
            if data is None:
                return self.status(404, "NotFound", f'configmaps "{m.group(2)}" not found')
            if self.command == "PATCH":
                for k, v in self.body().get("data", {}).items():
                    if v is None: data.pop(k, None)
                    else: data[k] = v
            return self.send(200, {"kind": "ConfigMap", "apiVersion": "v1", "metadata": {"name": m.group(2), "namespace": NS}, "data": data})
        m = re.fullmatch(r"/api/v1/namespaces/([^/]+)/pods/([^/]+)/log", p)
        if m:
            lines = [f"{now()} INFO request_count=1423", f"{now()} WARN slow_request path=/v1/analyze took=2.1s",
                     f"{now()} INFO connected to postgres password=hunter2", f"{now()} ERROR CUDA out of memory"]
            return self.send(200, "\n".join(lines[-int(q.get("tailLines", "20")):]) + "\n", "text/plain")
        if re.fullmatch(r"/api/v1(/namespaces/[^/]+)?/pods", p):
            sel = q.get("labelSelector", "")
            items = [x for x in pods() if all(x["metadata"]["labels"].get(k) == v for k, v in
                                              (t.split("=", 1) for t in sel.split(",") if "=" in t))]
            if self.command == "DELETE":
                return self.send(200, {"kind": "PodList", "items": items})
            return self.send(200, {"kind": "PodList", "apiVersion": "v1", "items": items})
        m = re.fullmatch(r"/api/v1/namespaces/([^/]+)/pods/([^/]+)", p)
        if m and self.command == "DELETE":
            return self.send(200, {"kind": "Pod", "metadata": {"name": m.group(2)}})
        if p == "/api/v1/nodes":
            return self.send(200, {"kind": "NodeList", "items": [
                {"metadata": {"name": f"node-{i}", "creationTimestamp": "2026-10-01T00:00:00Z"},
                 "status": {"conditions": [{"type": "Ready", "status": "True"}, {"type": "MemoryPressure", "status": "False"}]}}
                for i in (1, 2, 3)]})
        if p.startswith("/apis/metrics.k8s.io/v1beta1"):
            if p.endswith("/nodes"):
                return self.send(200, {"kind": "NodeMetricsList", "items": [
                    {"metadata": {"name": f"node-{i}"}, "usage": {"cpu": f"{1200 + i * 300}m", "memory": f"{8 + i}Gi"}} for i in (1, 2, 3)]})
            return self.send(200, {"kind": "PodMetricsList", "items": [
                {"metadata": {"name": x["metadata"]["name"], "namespace": NS},
                 "containers": [{"name": x["spec"]["containers"][0]["name"],
                                 "usage": {"cpu": f"{100 + 37 * i}m", "memory": f"{200 + 50 * i}Mi"}}]}
                for i, x in enumerate(pods())]})
        m = re.fullmatch(r"/apis/batch/v1/namespaces/([^/]+)/jobs(/[^/]+)?", p)
        if m:
            if self.command == "POST":
                job = self.body()
                name = job.get("metadata", {}).get("name") or job.get("metadata", {}).get("generateName", "job-") + "local"
                job.setdefault("metadata", {})["name"] = name
                job["status"] = {"active": 1, "startTime": now()}
                state["jobs"][name] = job
                def finish():
                    time.sleep(3)
                    with lock:
                        job["status"] = {"active": 0, "succeeded": 1, "startTime": job["status"].get("startTime"), "completionTime": now(),
                                         "conditions": [{"type": "Complete", "status": "True", "lastTransitionTime": now()}]}
                threading.Thread(target=finish, daemon=True).start()
                return self.send(201, job)
            name = (m.group(2) or "/")[1:]
            job = state["jobs"].get(name)
            return self.send(200, job) if job else self.status(404, "NotFound", f'jobs.batch "{name}" not found')
        self.status(404, "NotFound", f"the server could not find the requested resource ({p})")

if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8099
    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
