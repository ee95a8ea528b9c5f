"""Voice latency: Twilio-signed /gather turns posted one at a time to a release gateway in direct mode
while the stand-in chatbot API answers each in 50 ms; prints p50/p99 of provider request to reply.
Usage: python3 Benchmarks/voice_latency.py [N]  (needs .build-release/release/gangway)."""
import tempfile, base64, hashlib, hmac, http.client, json, subprocess, sys, time, urllib.parse, statistics, os, signal, socket
B = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".build-release", "release", "gangway")
os.chdir(tempfile.mkdtemp(prefix="gangway-vl-"))
def free():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p
gp, up = free(), free()
open("c.yaml", "w").write(f"""server: {{ host: 127.0.0.1, port: {gp}, publicURL: "https://hooks.example.com" }}
upstream: {{ baseURL: "http://127.0.0.1:{up}", apiKey: k, maxConcurrency: 64 }}
store: {{ path: s.sqlite }}
channels:
  - {{ id: voice, name: V, provider: twilio-voice, chatbotId: b, secrets: {{ authToken: tok }} }}
""")
m = subprocess.Popen([B, "mock-upstream", "--port", str(up), "--delay", "0.05"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
g = subprocess.Popen([B, "serve", "--config", "c.yaml", "--log-level", "warning"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
time.sleep(2)
url = "https://hooks.example.com/webhooks/voice/gather"
lat = []
conn = http.client.HTTPConnection("127.0.0.1", gp)
n = int(sys.argv[1]) if len(sys.argv) > 1 else 500
for i in range(n):
    params = {"CallSid": f"CA{i}", "From": "+49170111222", "To": "+4930123456", "CallStatus": "in-progress", "SpeechResult": f"turn {i}", "Confidence": "0.9"}
    s = url + "".join(k + params[k] for k in sorted(params))
    sig = base64.b64encode(hmac.new(b"tok", s.encode(), hashlib.sha1).digest()).decode()
    body = urllib.parse.urlencode(params)
    t = time.perf_counter()
    conn.request("POST", "/webhooks/voice/gather", body, {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": sig})
    r = conn.getresponse(); txt = r.read()
    lat.append((time.perf_counter() - t) * 1000)
    assert r.status == 200 and b"You said" in txt, (r.status, txt)
lat.sort()
print(json.dumps({"requests": n, "p50_ms": round(lat[n//2], 2), "p99_ms": round(lat[int(n*0.99)], 2), "max_ms": round(lat[-1], 2), "upstream_ms": 50}))
g.send_signal(signal.SIGTERM); m.send_signal(signal.SIGTERM); g.wait(); m.wait()
