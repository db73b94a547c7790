"""The node's own database pieces: the encrypted embedded database (SQLCipher)."""
