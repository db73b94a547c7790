"""The Belarus 2020 demonstration data (invented, pseudonymous people; real plants and dates)."""
