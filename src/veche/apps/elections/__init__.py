"""Secret-ballot elections on a node: the election space type, projections, actions, pages."""
