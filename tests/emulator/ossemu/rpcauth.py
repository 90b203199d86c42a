# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The caller checks that Alibaba Cloud's RPC-style APIs share (STS and DNS here): required signing parameters, the
HMAC-SHA1 signature, the timestamp, any security token and the nonce. Each service raises its own error type."""

import datetime
import hmac
import threading

from .timefmt import UTC

SIGNED_PARAMETERS = ("AccessKeyId", "Signature", "SignatureMethod", "SignatureVersion", "SignatureNonce", "Timestamp")


class RpcAuthenticator:
    """`error(status, code, message)` builds the service's exception; `max_skew()` gives the allowed clock skew in s."""

    def __init__(self, core, error, max_skew, sign, string_to_sign):
        self.core = core
        self.error = error
        self.max_skew = max_skew
        self.sign = sign
        self.string_to_sign = string_to_sign
        self._nonces = {}
        self._lock = threading.Lock()

    def authenticate(self, method, params):
        """The caller's credential, after the signature, the timestamp, the nonce and any security token are checked."""
        for name in SIGNED_PARAMETERS:
            if not params.get(name):
                raise self.error(400, "Missing%s" % name, "%s is mandatory for this action." % name)
        if params["SignatureMethod"] != "HMAC-SHA1":
            raise self.error(400, "InvalidSignatureMethod", "Specified signature method is not valid.")
        if params["SignatureVersion"] != "1.0":
            raise self.error(400, "InvalidSignatureVersion", "Specified signature version is not valid.")
        self._check_timestamp(params["Timestamp"])
        credential = self.core.credential_lookup(params["AccessKeyId"])
        if credential is None:
            raise self.error(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
        self._check_security_token(credential, params.get("SecurityToken"))
        expected = self.sign(method, params, credential.access_key_secret)
        if not hmac.compare_digest(expected.encode("ascii"), params["Signature"].encode("utf-8")):
            # The services quote their string to sign; it holds no secret but the token the caller sent itself.
            message = "Specified signature is not matched with our calculation. server string to sign is:%s" % self.string_to_sign(method, params)
            raise self.error(400, "SignatureDoesNotMatch", message)
        self._use_nonce(params["SignatureNonce"])
        return credential

    def _check_timestamp(self, value):
        try:
            moment = datetime.datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        except ValueError:
            raise self.error(400, "InvalidTimeStamp.Format", "Specified time stamp or date value is not well formatted.") from None
        if abs((self.core.clock.wall() - moment).total_seconds()) > self.max_skew():
            raise self.error(400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired.")

    def _check_security_token(self, credential, token):
        mismatch = self.error(400, "InvalidSecurityToken.MismatchWithAccessKey", "Specified SecurityToken mismatch with the AccessKey.")
        if credential.security_token is None:
            if token:
                raise mismatch
            return
        if not token or not hmac.compare_digest(token.encode("utf-8"), credential.security_token.encode("utf-8")):
            raise mismatch
        if credential.expiration is not None and self.core.clock.service() >= credential.expiration:
            raise self.error(400, "InvalidSecurityToken.Expired", "Specified SecurityToken is expired.")

    def _use_nonce(self, nonce):
        now = self.core.clock.wall()
        window = 2 * self.max_skew()
        with self._lock:
            # A nonce older than the skew window cannot come back with a valid timestamp: forget it.
            self._nonces = {key: seen for key, seen in self._nonces.items() if (now - seen).total_seconds() <= window}
            if nonce in self._nonces:
                raise self.error(400, "SignatureNonceUsed", "Specified signature nonce was used already.")
            self._nonces[nonce] = now
