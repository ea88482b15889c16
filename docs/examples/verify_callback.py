# Verifies a flowq callback: Flowq-Signature is t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">.
# Use the raw request body (the bytes received), not JSON re-serialised.
import hashlib, hmac, time

def verify_flowq_signature(secret: str, header: str, raw_body: bytes, tolerance_seconds: int = 300) -> bool:
    parts = dict(p.split("=", 1) for p in (header or "").split(",") if "=" in p)
    try:
        t = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs(time.time() - t) > tolerance_seconds:
        return False
    expected = hmac.new(secret.encode(), f"{t}.".encode() + raw_body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts.get("v1", ""))

if __name__ == "__main__":  # python3 verify_callback.py SECRET SIGNATURE_HEADER < raw_body
    import sys
    sys.exit(0 if verify_flowq_signature(sys.argv[1], sys.argv[2], sys.stdin.buffer.read()) else 1)
