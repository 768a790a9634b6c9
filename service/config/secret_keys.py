"""What a usable signing secret is (GREENRATE_SECRET_KEY), and the list of the secrets it replaced
(GREENRATE_PREVIOUS_SECRET_KEYS) while a rotation is under way.

The secret signs the merchant page's CSRF tokens, the Redis entries and every recorded rating, so a weak
one is refused at start-up rather than used; its rules (length, variety, how a list of them is written)
are apart from the other values' (:mod:`service.config.values`), and no message ever quotes a secret.
"""

from __future__ import annotations

from dataclasses import dataclass

from service.config.values import ConfigError

#: A secret needs this many different characters: 32 of one letter passed the length check (operator
#: review). Any generated key has far more (token_urlsafe(32): ~30 of 43; token_hex(16): ~14 of 32).
_SECRET_DISTINCT = 10
_MAKE_SECRET = "python -c 'import secrets; print(secrets.token_urlsafe(32))'"


def parse_secret(raw: str) -> str:
    value = raw.strip()
    if len(value) < 32:
        raise ConfigError(f"must be at least 32 characters ({_MAKE_SECRET})")
    if len(set(value)) < _SECRET_DISTINCT:
        raise ConfigError(
            f"is too repetitive for a secret ({len(set(value))} different characters); generate one "
            f"({_MAKE_SECRET})"
        )
    return value


#: More previous secrets than a rotation needs: each is one more HMAC for an entry no key signed.
MAX_PREVIOUS_SECRETS = 10


@dataclass(frozen=True, slots=True)
class PreviousSecrets:
    """Secrets separated by commas, else by whitespace, each checked as GREENRATE_SECRET_KEY is (whose
    value may hold spaces: listed with commas, it keeps them); empty: none.

    An empty item (two commas in a row, one at an end) is refused rather than skipped: it is a secret lost
    in a copy and paste. A message never quotes a secret, only its position.
    """

    def __call__(self, raw: str) -> tuple[str, ...]:
        value = raw.strip()
        if not value:  # unset, so compose files can pass GREENRATE_PREVIOUS_SECRET_KEYS= through
            return ()
        return self.check(value.split(",") if "," in value else value.split())

    def check(self, value: object) -> tuple[str, ...]:
        if isinstance(value, str) or not isinstance(value, list | tuple):
            raise ConfigError("must be given as text, or a list of secrets")
        if len(value) > MAX_PREVIOUS_SECRETS:
            raise ConfigError(
                f"lists {len(value)} secrets; at most {MAX_PREVIOUS_SECRETS} (retire the oldest)"
            )
        secrets: list[str] = []
        for number, item in enumerate(value, 1):
            if not isinstance(item, str) or not item.strip():
                raise ConfigError(
                    f"has an empty item (number {number}): two commas in a row, or one at an end"
                )
            try:
                secrets.append(parse_secret(item))
            except ConfigError as exc:
                raise ConfigError(f"item {number} {exc}") from None
        if len(set(secrets)) < len(secrets):
            raise ConfigError("lists a secret twice")
        return tuple(secrets)

