"""Django database backend for the encrypted embedded database (SQLCipher)."""
