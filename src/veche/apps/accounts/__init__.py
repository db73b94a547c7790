"""Member accounts on a node: a pseudonym and a key, no e-mail, no phone number.

The member's Ed25519 seed is stored sealed under their passphrase (Argon2id +
secretbox). While signed in it is held in the session encrypted under a random
key that lives only in the member's cookie, so the node's database and files
alone never reveal a member's key.
"""
