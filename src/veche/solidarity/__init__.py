"""The strike and the solidarity fund as pure logic, with no Django import.

``strike`` holds the status vocabulary and the federation totals; ``geography``
the seven regions of Belarus as simplified polygons; ``ledger`` the
double-entry book of the fund (balancing, k-of-n payouts); ``commitment`` the
salted payout commitments; ``report`` builds, renders and verifies the public
transparency report; ``drawing`` draws the strike map and the strikers chart as
SVG. The Django apps ``strike`` and ``fund`` store events and call these.
"""
