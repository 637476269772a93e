"""SCRAM-SHA-256 login to a raftlog cluster with auth required (see README.md, "Logging in").

login() runs SecurityService.ScramStart/ScramFinish on one node and returns the session token;
send it on every call as metadata [("authorization", "Bearer " + token)]. The password never leaves
this process: only the proof does (RFC 5802 section 3).
"""

import base64
import hashlib
import hmac
import os
import sys

sys.path.insert(0, os.environ.get("RAFTLOG_PYTHON_GEN") or os.path.join(os.path.dirname(os.path.abspath(__file__)), "gen"))

from raftlog.v1 import security_pb2, security_pb2_grpc  # noqa: E402


def _hmac(key, data):
    return hmac.new(key, data, hashlib.sha256).digest()


def client_final(user_bare, server_first, password):
    """The client-final-message and the server signature to expect, from the server-first-message."""
    attrs = dict(part.split("=", 1) for part in server_first.split(","))
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), base64.b64decode(attrs["s"]), int(attrs["i"]))
    client_key = _hmac(salted, b"Client Key")
    without_proof = "c=biws,r=" + attrs["r"]
    auth_message = ",".join([user_bare, server_first, without_proof]).encode()
    signature = _hmac(hashlib.sha256(client_key).digest(), auth_message)
    proof = bytes(a ^ b for a, b in zip(client_key, signature))
    server_signature = _hmac(_hmac(salted, b"Server Key"), auth_message)
    return without_proof + ",p=" + base64.b64encode(proof).decode(), server_signature


def login(channel, user, password):
    """Returns (token, expires_at_ms); raises grpc.RpcError (UNAUTHENTICATED) on a wrong password."""
    stub = security_pb2_grpc.SecurityServiceStub(channel)
    nonce = base64.b64encode(os.urandom(18)).decode()
    bare = "n=%s,r=%s" % (user.replace("=", "=3D").replace(",", "=2C"), nonce)
    started = stub.ScramStart(security_pb2.ScramStartRequest(client_first_message="n,," + bare))
    if not started.server_first_message.startswith("r=" + nonce):
        raise ValueError("the server did not extend the client nonce")
    final, expected = client_final(bare, started.server_first_message, password)
    done = stub.ScramFinish(security_pb2.ScramFinishRequest(exchange_id=started.exchange_id, client_final_message=final))
    if not hmac.compare_digest(base64.b64decode(done.server_final_message[2:]), expected):
        raise ValueError("the server signature does not match: not the cluster that holds this user")
    return done.token, done.expires_at_ms
