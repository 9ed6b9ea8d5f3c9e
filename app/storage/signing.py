"""SSH signatures on review records, in the format git itself uses for SSH signing (SSHSIG).

A signature made here verifies with ``ssh-keygen -Y verify -n review-tui`` against an OpenSSH
allowed-signers file, and ``ssh-keygen -Y sign -n review-tui`` makes signatures this module
verifies (the format is OpenSSH's PROTOCOL.sshsig). The cryptography is the `cryptography`
package's: this module only lays out the bytes.

Trust model (README "Trust model"): a record's signature says which key signed its exact text; the
allowed-signers file says which keys speak for which reviewer email. `check` reads that file from
the BASE commit, so a branch cannot add a signer for itself, and counts a record only when its
reviewer email is a principal of the key that signed it.
"""

from __future__ import annotations

import base64
import datetime
import fnmatch
import hashlib
import os
import re
import shutil
import struct
import subprocess
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

# `cryptography` is imported where a key is read or used: the TUI's first paint imports this module
# (through the records it reads), and does not wait for `cryptography` (10 ms).
if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

    PublicKey = ed25519.Ed25519PublicKey | rsa.RSAPublicKey | ec.EllipticCurvePublicKey
    PrivateKey = ed25519.Ed25519PrivateKey | rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey

NAMESPACE = "review-tui"
"""The SSHSIG namespace of review records (git's own commits use "git"): a signature made for one
purpose cannot be replayed as the other."""

_MAGIC = b"SSHSIG"
_VERSION = 1
_ARMOR_BEGIN = "-----BEGIN SSH SIGNATURE-----"
_ARMOR_END = "-----END SSH SIGNATURE-----"
_HASHES = {"sha512": hashlib.sha512, "sha256": hashlib.sha256}
_ECDSA_HASH = {"nistp256": "SHA256", "nistp384": "SHA384", "nistp521": "SHA512"}  # hashes.<name>
MAX_SIGNATURE_BYTES = 8192
"""A larger signature blob is refused unread (RSA-16384 signatures are about 2.1 KB)."""


class SignatureError(ValueError):
    """A signature that cannot be made or read; the message is one line naming why."""


# -- SSH wire encoding -------------------------------------------------------------------------


def _string(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def _mpint(value: int) -> bytes:
    raw = value.to_bytes((value.bit_length() + 8) // 8, "big") if value else b""
    return _string(raw)


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def take(self, size: int) -> bytes:
        if size < 0 or self.pos + size > len(self.data):
            raise SignatureError("truncated SSH signature")
        chunk = self.data[self.pos:self.pos + size]
        self.pos += size
        return chunk

    def uint32(self) -> int:
        return int(struct.unpack(">I", self.take(4))[0])

    def string(self) -> bytes:
        return self.take(self.uint32())

    def mpint(self) -> int:
        return int.from_bytes(self.string(), "big", signed=True)

    def done(self) -> bool:
        return self.pos == len(self.data)


# -- keys --------------------------------------------------------------------------------------

def public_blob(key: PublicKey) -> bytes:
    """The SSH wire form of a public key (what an OpenSSH public key line base64-encodes)."""
    from cryptography.hazmat.primitives import serialization

    line = key.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    return base64.b64decode(line.split()[1])


def load_public_blob(blob: bytes) -> PublicKey:
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

    try:
        key_type = _Reader(blob).string().decode("ascii")
        key = serialization.load_ssh_public_key(key_type.encode() + b" " + base64.b64encode(blob))
    except (ValueError, UnicodeDecodeError, UnsupportedAlgorithm) as exc:
        raise SignatureError(f"unreadable public key in signature ({exc})") from None
    if not isinstance(key, ed25519.Ed25519PublicKey | rsa.RSAPublicKey | ec.EllipticCurvePublicKey):
        raise SignatureError(f"unsupported key type {key_type}")
    return key


def fingerprint(blob: bytes) -> str:
    """OpenSSH's SHA256 fingerprint of a public key blob (``SHA256:...``, as ssh-keygen -l prints)."""
    return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")


def load_private_key(path: Path, passphrase: bytes | None = None) -> PrivateKey:
    """An OpenSSH (or PEM) private key file; SignatureError naming the file when it cannot be used."""
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SignatureError(f"cannot read the signing key {path}: {exc.strerror or exc}") from None
    key: object
    try:
        if b"OPENSSH PRIVATE KEY" in data:
            key = serialization.load_ssh_private_key(data, passphrase)
        else:
            key = serialization.load_pem_private_key(data, passphrase)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise SignatureError(f"cannot use the signing key {path}: {exc}") from None
    if not isinstance(key, ed25519.Ed25519PrivateKey | rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise SignatureError(f"{path}: unsupported key type (use ed25519, ecdsa or rsa)")
    return key


# -- signing and verifying ---------------------------------------------------------------------


def _signed_data(namespace: str, hash_name: str, message: bytes) -> bytes:
    digest = _HASHES[hash_name](message).digest()
    return _MAGIC + _string(namespace.encode()) + _string(b"") + _string(hash_name.encode()) + _string(digest)


def _raw_signature(key: PrivateKey, data: bytes) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    if isinstance(key, ed25519.Ed25519PrivateKey):
        return _string(b"ssh-ed25519") + _string(key.sign(data))
    if isinstance(key, rsa.RSAPrivateKey):
        return _string(b"rsa-sha2-512") + _string(key.sign(data, padding.PKCS1v15(), hashes.SHA512()))
    curve = {"secp256r1": "nistp256", "secp384r1": "nistp384", "secp521r1": "nistp521"}.get(key.curve.name)
    if curve is None:
        raise SignatureError(f"unsupported ECDSA curve {key.curve.name}")
    r, s = decode_dss_signature(key.sign(data, ec.ECDSA(getattr(hashes, _ECDSA_HASH[curve])())))
    return _string(f"ecdsa-sha2-{curve}".encode()) + _string(_mpint(r) + _mpint(s))


def sign(message: bytes, key: PrivateKey, namespace: str = NAMESPACE) -> bytes:
    """The SSHSIG blob (binary) signing `message`; `armor()` turns it into ssh-keygen's text form."""
    data = _signed_data(namespace, "sha512", message)
    return (_MAGIC + struct.pack(">I", _VERSION) + _string(public_blob(key.public_key()))
            + _string(namespace.encode()) + _string(b"") + _string(b"sha512")
            + _string(_raw_signature(key, data)))


def armor(blob: bytes) -> str:
    text = base64.b64encode(blob).decode()
    body = "\n".join(text[i:i + 70] for i in range(0, len(text), 70))
    return f"{_ARMOR_BEGIN}\n{body}\n{_ARMOR_END}\n"


def unarmor(text: str) -> bytes:
    lines = [line.strip() for line in text.strip().splitlines()]
    if len(lines) < 3 or lines[0] != _ARMOR_BEGIN or lines[-1] != _ARMOR_END:
        raise SignatureError("not an armored SSH signature")
    try:
        return base64.b64decode("".join(lines[1:-1]), validate=True)
    except ValueError:
        raise SignatureError("bad base64 in SSH signature") from None


def _check_raw(key: PublicKey, raw: bytes, data: bytes) -> None:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

    reader = _Reader(raw)
    algorithm = reader.string().decode("ascii", errors="replace")
    value = reader.string()
    if not reader.done():
        raise SignatureError("trailing bytes after the signature")
    if isinstance(key, ed25519.Ed25519PublicKey) and algorithm == "ssh-ed25519":
        key.verify(value, data)
    elif isinstance(key, rsa.RSAPublicKey) and algorithm in ("rsa-sha2-512", "rsa-sha2-256"):
        digest = hashes.SHA512() if algorithm == "rsa-sha2-512" else hashes.SHA256()
        key.verify(value, data, padding.PKCS1v15(), digest)
    elif isinstance(key, ec.EllipticCurvePublicKey) and algorithm.startswith("ecdsa-sha2-"):
        curve = algorithm.removeprefix("ecdsa-sha2-")
        if curve not in _ECDSA_HASH:
            raise SignatureError(f"unsupported signature algorithm {algorithm}")
        pair = _Reader(value)
        signature = encode_dss_signature(pair.mpint(), pair.mpint())
        key.verify(signature, data, ec.ECDSA(getattr(hashes, _ECDSA_HASH[curve])()))
    else:
        raise SignatureError(f"signature algorithm {algorithm} does not match the key")


def verify(message: bytes, blob: bytes, namespace: str = NAMESPACE) -> bytes:
    """Check an SSHSIG blob over `message`; returns the signer's public key blob.

    Raises SignatureError when the signature is malformed, for another namespace, or does not match.
    """
    from cryptography.exceptions import InvalidSignature

    if len(blob) > MAX_SIGNATURE_BYTES:
        raise SignatureError("signature too large")
    reader = _Reader(blob)
    if reader.take(6) != _MAGIC or reader.uint32() != _VERSION:
        raise SignatureError("not an SSHSIG signature (version 1)")
    key_blob = reader.string()
    signed_namespace = reader.string().decode("utf-8", errors="replace")
    reader.string()  # reserved
    hash_name = reader.string().decode("ascii", errors="replace")
    raw = reader.string()
    if not reader.done():
        raise SignatureError("trailing bytes after the signature")
    if signed_namespace != namespace:
        raise SignatureError(f"signed for namespace {signed_namespace[:40]!r}, not {namespace!r}")
    if hash_name not in _HASHES:
        raise SignatureError(f"unsupported hash {hash_name[:20]!r}")
    key = load_public_blob(key_blob)
    try:
        _check_raw(key, raw, _signed_data(namespace, hash_name, message))
    except InvalidSignature:
        raise SignatureError("the signature does not match the record") from None
    return key_blob


# -- allowed signers (ssh-keygen(1) "ALLOWED SIGNERS") -------------------------------------------


@dataclass(frozen=True)
class AllowedSigner:
    principals: tuple[str, ...]
    """Patterns (``*``, ``?``, ``!negation``) matched case-insensitively against the reviewer email."""
    key_blob: bytes
    namespaces: tuple[str, ...] | None = None
    """None: any namespace; else the record namespace must match one of these patterns."""
    valid_after: float | None = None
    """``valid-after=``: the key signs only records made at or after this time (epoch seconds)."""
    valid_before: float | None = None
    """``valid-before=``: ... and at or before this time (OpenSSH compares both ends inclusively)."""

    def admits(self, email: str, namespace: str = NAMESPACE) -> bool:
        if self.namespaces is not None and not _match_list(namespace, self.namespaces):
            return False
        return _match_list(email.lower(), tuple(p.lower() for p in self.principals))

    def valid_at(self, when: float | None) -> bool:
        """Whether the key was valid at `when` (a record's time; None: no time, so only an undated key)."""
        if self.valid_after is None and self.valid_before is None:
            return True
        if when is None:
            return False
        return ((self.valid_after is None or when >= self.valid_after)
                and (self.valid_before is None or when <= self.valid_before))


def _match_list(value: str, patterns: tuple[str, ...]) -> bool:
    """OpenSSH's match_pattern_list: any positive pattern matches and no negated one does."""
    matched = False
    for pattern in patterns:
        if pattern.startswith("!"):
            if fnmatch.fnmatchcase(value, pattern[1:]):
                return False
        elif fnmatch.fnmatchcase(value, pattern):
            matched = True
    return matched


def _tokens(line: str) -> list[str]:
    """Whitespace-separated fields; double quotes group (options like namespaces="a,b")."""
    out: list[str] = []
    current, quoted, started = "", False, False
    for ch in line:
        if ch == '"':
            quoted = not quoted
            current += ch
            started = True
        elif ch.isspace() and not quoted:
            if started:
                out.append(current)
            current, started = "", False
        else:
            current += ch
            started = True
    if quoted:
        raise SignatureError("unterminated quote")
    if started:
        out.append(current)
    return out


def _is_key_type(token: str) -> bool:
    return token.startswith(("ssh-", "ecdsa-", "sk-", "rsa-"))


@dataclass
class _Options:
    namespaces: tuple[str, ...] | None = None
    cert_authority: bool = False
    valid_after: float | None = None
    valid_before: float | None = None


_TIMESTAMP = re.compile(r"^(\d{8})(\d{4}(\d{2})?)?(Z?)$", re.IGNORECASE)


def parse_timestamp(text: str) -> float:
    """An allowed-signers time (ssh-keygen(1): ``YYYYMMDD[Z]`` or ``YYYYMMDDHHMM[SS][Z]``) as epoch
    seconds: UTC with ``Z``, else the local time zone, as OpenSSH reads it."""
    found = _TIMESTAMP.match(text)
    if found is None:
        raise SignatureError(f"bad timestamp {text[:30]!r} (YYYYMMDD[Z] or YYYYMMDDHHMM[SS][Z])")
    digits = found.group(1) + (found.group(2) or "0000")
    digits += "00" if len(digits) == 12 else ""
    try:
        moment = datetime.datetime.strptime(digits, "%Y%m%d%H%M%S")
    except ValueError:
        raise SignatureError(f"bad timestamp {text[:30]!r}") from None
    if found.group(4):
        return moment.replace(tzinfo=datetime.UTC).timestamp()
    return moment.timestamp()  # naive: the local time zone, like ssh-keygen


def _options(token: str) -> _Options:
    """The options field of an allowed-signers line."""
    found = _Options()
    for option in _split_options(token):
        name, _, value = option.partition("=")
        name = name.lower()
        value = value.strip('"')
        if name == "namespaces":
            found.namespaces = tuple(v for v in value.split(",") if v)
        elif name == "cert-authority":
            found.cert_authority = True
        elif name == "valid-after":
            found.valid_after = parse_timestamp(value)
        elif name == "valid-before":
            found.valid_before = parse_timestamp(value)
    return found


def _split_options(token: str) -> list[str]:
    parts, current, quoted = [], "", False
    for ch in token:
        if ch == '"':
            quoted = not quoted
        if ch == "," and not quoted:
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    return [p for p in parts if p]


@dataclass
class AllowedSigners:
    """An allowed-signers file: which SSH keys speak for which reviewer emails."""

    signers: list[AllowedSigner] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    """Lines that could not be used (reported; the rest of the file still counts)."""

    @classmethod
    def parse(cls, text: str, source: str = "allowed signers") -> AllowedSigners:
        out = cls()
        for number, raw in enumerate(text.splitlines(), 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            try:
                out.signers.append(_parse_signer(line))
            except SignatureError as exc:
                out.problems.append(f"{source}: line {number}: {exc}; ignored")
        return out

    def admits(self, email: str, key_blob: bytes, namespace: str = NAMESPACE, *, at: float | None = None) -> bool:
        """Whether the key may sign review records for `email` (made at time `at`, when the line
        limits the key with valid-after / valid-before)."""
        return any(s.key_blob == key_blob and s.admits(email, namespace) and s.valid_at(at) for s in self.signers)

    def admits_ever(self, email: str, key_blob: bytes, namespace: str = NAMESPACE) -> bool:
        """Whether some line admits the key for `email` at some time (to say why a record's time is outside it)."""
        return any(s.key_blob == key_blob and s.admits(email, namespace) for s in self.signers)

    def principals_of(self, key_blob: bytes) -> list[str]:
        return [p for s in self.signers if s.key_blob == key_blob for p in s.principals]


def _parse_signer(line: str) -> AllowedSigner:
    fields = _tokens(line)
    if len(fields) < 3:
        raise SignatureError("expected: principals [options] key-type base64-key")
    principals = tuple(p for p in fields[0].strip('"').split(",") if p)
    rest = fields[1:]
    options = _Options()
    if not _is_key_type(rest[0]):
        options = _options(rest[0])
        rest = rest[1:]
    if options.cert_authority:
        raise SignatureError("cert-authority keys are not supported")
    if len(rest) < 2 or not _is_key_type(rest[0]):
        raise SignatureError("no key type and key")
    try:
        blob = base64.b64decode(rest[1], validate=True)
        load_public_blob(blob)
    except (ValueError, SignatureError) as exc:
        raise SignatureError(f"unreadable key ({exc})") from None
    if _Reader(blob).string().decode("ascii", errors="replace") != rest[0]:
        raise SignatureError(f"key type {rest[0]} does not match the key")
    return AllowedSigner(principals, blob, options.namespaces, options.valid_after, options.valid_before)


def signer_line(principals: Iterable[str], key: PublicKey, namespaces: str | None = NAMESPACE) -> str:
    """One allowed-signers line for a key (what a team adds to its committed file)."""
    from cryptography.hazmat.primitives import serialization

    public = key.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()
    options = f' namespaces="{namespaces}"' if namespaces else ""
    return f"{','.join(principals)}{options} {public}"


# -- the reviewer's signer -----------------------------------------------------------------------


@dataclass(frozen=True)
class Signer:
    """Signs record lines with one SSH key: in-process when the private key file is readable
    without a passphrase, else through ``ssh-keygen -Y sign`` (as git does: agent, passphrase)."""

    path: Path
    key: PrivateKey | None
    interactive: bool = True
    """Whether ssh-keygen may ask for a passphrase on the terminal; False (the TUI, which owns the
    terminal) detaches it from the terminal, so only the agent can unlock the key."""

    def __call__(self, message: bytes) -> bytes:
        if self.key is not None:
            return sign(message, self.key)
        return _ssh_keygen_sign(self.path, message, interactive=self.interactive)

    @property
    def description(self) -> str:
        if self.key is not None:
            return f"{self.path} ({fingerprint(public_blob(self.key.public_key()))})"
        return f"{self.path} (through ssh-keygen)"


def _ssh_keygen_sign(path: Path, message: bytes, *, interactive: bool = True) -> bytes:
    program = shutil.which("ssh-keygen")
    if program is None:
        raise SignatureError(f"cannot sign with {path}: it needs a passphrase or an agent, and ssh-keygen "
                             "is not installed")
    with tempfile.TemporaryDirectory(prefix="review-tui-sign-") as folder:
        data = Path(folder) / "record"
        data.write_bytes(message)
        env = {**os.environ}
        if not interactive:  # no terminal and no askpass program: the agent, or a clear failure
            env.pop("SSH_ASKPASS", None)
            env["SSH_ASKPASS_REQUIRE"] = "never"
        done = subprocess.run([program, "-Y", "sign", "-n", NAMESPACE, "-f", str(path), str(data)],
                              capture_output=True, text=True, check=False, env=env,
                              stdin=None if interactive else subprocess.DEVNULL,
                              start_new_session=not interactive)
        if done.returncode != 0:
            why = (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1]
            if not interactive and ("passphrase" in done.stderr.lower() or "load key" in done.stderr.lower()):
                # no passphrase was given: "incorrect passphrase supplied" read as a typo nobody made
                why = "the key needs its passphrase, and no ssh-agent holds it (ssh-add it, then try again)"
            raise SignatureError(f"ssh-keygen could not sign with {path}: {why}")
        return unarmor(Path(str(data) + ".sig").read_text("ascii"))


def load_signer(path: Path, *, interactive: bool = True) -> Signer:
    """The signer of a key file (a private key, or a .pub whose private half is beside it or in the agent)."""
    path = path.expanduser()
    private = path.with_suffix("") if path.suffix == ".pub" and path.with_suffix("").exists() else path
    if not private.exists():
        raise SignatureError(f"the signing key {path} does not exist")
    try:
        return Signer(private, load_private_key(private), interactive)
    except SignatureError as exc:
        if "encrypted" in str(exc).lower() or "password" in str(exc).lower() or private.suffix == ".pub":
            return Signer(private, None, interactive)
        raise


def signing_key_setting(configured: str | None, git_value: Callable[[str], str | None]) -> Path | None:
    """The key to sign with: review-tui's `signing_key`, else git's user.signingKey when gpg.format
    is ssh (a literal "key::..." value has no file, so it is not used)."""
    if configured:
        return Path(configured)
    if (git_value("gpg.format") or "").lower() != "ssh":
        return None
    value = git_value("user.signingkey")
    if not value or value.startswith("key::"):
        return None
    return Path(value)
