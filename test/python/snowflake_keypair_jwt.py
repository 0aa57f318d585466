"""Snowflake key-file probe, run by test/e2e/snowflake-keypair.test.ts in the snowflake-connector-python venv.

It loads a private key file through snowflake-connector-python's own key handling, as a connection does with
`private_key_file` (PEM read by `_get_private_bytes_from_file`, then DER bytes into `AuthByKeyPair`, the same bytes
dbt-snowflake hands over for `private_key_path`), and signs the login JWT the connector would send. Nothing goes to
the network. Usage: python snowflake_keypair_jwt.py <account> <user> <key file>
Prints the JWT on stdout; exits 2 when the connector refuses the key file.
"""
import sys

from snowflake.connector.auth.keypair import AuthByKeyPair
from snowflake.connector.connection import _get_private_bytes_from_file


def main() -> int:
    account, user, key_file = sys.argv[1:4]
    try:
        der = _get_private_bytes_from_file(key_file)
    except (ValueError, TypeError) as err:
        print(f"snowflake-connector-python refused the key file: {type(err).__name__}: {err}", file=sys.stderr)
        return 2
    print(AuthByKeyPair(private_key=der).prepare(account=account, user=user))
    return 0


if __name__ == "__main__":
    sys.exit(main())
