"""Checks of the values a scenario passes to the chart."""
