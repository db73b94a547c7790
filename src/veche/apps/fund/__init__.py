"""The solidarity fund: a double-entry ledger with k-of-n payouts and public reports."""
