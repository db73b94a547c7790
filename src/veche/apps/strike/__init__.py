"""The general strike: workplaces, their strike status over time, the strike map."""
